//! Shared helpers for the integration tests: locate and spawn the example servers, speak raw
//! JSON-RPC to them over stdio, and keep every message they send for schema validation.
#![allow(missing_docs, unreachable_pub, clippy::print_stdout)]

use std::path::PathBuf;

/// The official-schema validator shared with mcp-core's model tests.
#[path = "../../mcp-core/src/model/schema_check.rs"]
#[allow(dead_code)]
mod schema_check;

pub mod raw_http;

/// Validates `instance` against definition `def` of the 2025-11-25 schema.
pub fn validate_2025_11_25(def: &str, instance: &Value) -> Result<(), String> {
    schema_check::validate(schema_check::DEFAULT_REVISION, def, instance)
}
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The Python interpreter with the official `mcp` package: `$MCP_PYTHON`, or the virtualenv
/// `scripts/test` creates in `tests/interop/.venv`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MCP_PYTHON") {
        return p.into();
    }
    let venv = workspace_root().join("tests/interop/.venv/bin/python");
    assert!(
        venv.exists(),
        "the interop virtualenv is missing: run scripts/test, or create it with \
         `python3 -m venv tests/interop/.venv && tests/interop/.venv/bin/pip install mcp==2.3.0`"
    );
    venv
}

/// The path of a binary built from the workspace (`cargo build --workspace --bins`).
pub fn bin_path(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let path = target.join(profile).join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace --bins` first (scripts/test does this)",
        path.display()
    );
    path
}

/// Every message received from servers in this test process, for schema validation.
pub static RECEIVED: Mutex<Vec<Value>> = Mutex::new(Vec::new());

/// A server child process spoken to over stdio, one JSON message per line.
#[derive(Debug)]
pub struct StdioServer {
    pub child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    pub stderr: Arc<Mutex<String>>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    pub notifications: Vec<Value>,
}

pub const TIMEOUT: Duration = Duration::from_secs(20);

impl StdioServer {
    /// Spawns a workspace binary.
    pub async fn spawn(name: &str, args: &[&str]) -> Self {
        let mut child = Command::new(bin_path(name))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn server");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Self {
            child,
            stdin,
            stdout,
            stderr,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    /// Writes raw bytes followed by a newline.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
        stdin.flush().await.expect("flush");
    }

    pub async fn send(&mut self, msg: &Value) {
        self.send_raw(msg.to_string().as_bytes()).await;
    }

    /// Closes the server's stdin.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next message from the server (every line must be one JSON value).
    pub async fn recv(&mut self) -> Value {
        self.try_recv(TIMEOUT)
            .await
            .expect("timed out waiting for a message from the server")
    }

    /// The next message, or `None` after `timeout` or at end of output.
    pub async fn try_recv(&mut self, timeout: Duration) -> Option<Value> {
        let mut line = String::new();
        match tokio::time::timeout(timeout, self.stdout.read_line(&mut line)).await {
            Err(_) | Ok(Ok(0)) => None,
            Ok(Ok(_)) => {
                let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                    panic!("server wrote a line that is not JSON ({e}): {line:?}")
                });
                RECEIVED.lock().unwrap().push(value.clone());
                Some(value)
            }
            Ok(Err(e)) => panic!("reading stdout: {e}"),
        }
    }

    /// Waits for the response with `id`, collecting notifications on the way.
    pub async fn response(&mut self, id: &Value) -> Value {
        loop {
            let msg = self.recv().await;
            if msg.get("id") == Some(id) && msg.get("method").is_none() {
                return msg;
            }
            assert!(
                msg.get("method").is_some(),
                "unexpected response while waiting for {id}: {msg}"
            );
            self.notifications.push(msg);
        }
    }

    /// Sends a request and waits for its response.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = json!(self.next_id);
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.response(&id).await
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// `initialize` at `version` plus `notifications/initialized`; returns the result.
    pub async fn initialize_version(&mut self, version: &str) -> Value {
        let resp = self
            .request(
                "initialize",
                json!({
                    "protocolVersion": version,
                    "capabilities": {},
                    "clientInfo": {"name": "mcp-tests", "version": "0.0.1"}
                }),
            )
            .await;
        self.notify("notifications/initialized", json!({})).await;
        resp["result"].clone()
    }

    pub async fn initialize(&mut self) -> Value {
        self.initialize_version("2025-11-25").await
    }

    /// Calls a tool and returns the whole response.
    pub async fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
            .await
    }

    /// Waits for the process to exit.
    pub async fn wait(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()
            .map(|r| r.expect("wait"))
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

/// The error code of a JSON-RPC error response.
pub fn error_code(resp: &Value) -> i64 {
    resp["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error response, got {resp}"))
}

/// The text of the first content block of a tool result.
pub fn first_text(resp: &Value) -> &str {
    resp["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("expected text content, got {resp}"))
}

/// A workspace example serving Streamable HTTP on a loopback port; killed when dropped.
#[derive(Debug)]
pub struct HttpExample {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT/mcp`.
    pub url: String,
}

impl Drop for HttpExample {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `IP:PORT` in the line a server started with `--http` announces on stderr:
/// `serving Streamable HTTP at http://IP:PORT/mcp`.
pub fn announced_addr(line: &str) -> Option<String> {
    line.strip_prefix("serving Streamable HTTP at http://")?
        .strip_suffix("/mcp")
        .map(str::to_owned)
}

/// Starts the workspace binary `name` with `--http 127.0.0.1:0` (plus `extra`) and reads the
/// bound address it announces on stderr (see [`announced_addr`]). The rest of its stderr is
/// drained on a thread.
pub fn spawn_http_example(name: &str, extra: &[&str]) -> HttpExample {
    spawn_http_example_with_env(name, extra, &[])
}

/// Like [`spawn_http_example`], with extra environment variables for the server.
pub fn spawn_http_example_with_env(
    name: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> HttpExample {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(bin_path(name))
        .args(["--http", "127.0.0.1:0"])
        .args(extra)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent && let Some(addr) = announced_addr(&line) {
                sent = tx.send(addr).is_ok();
            }
        }
    });
    let mut server = HttpExample {
        child,
        url: String::new(),
    };
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{name} announced no address within 20 s"));
    server.url = format!("http://{addr}/mcp");
    server
}

/// The last line of a program's standard output, parsed as JSON.
pub fn last_json_line(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("the last line of output is not JSON ({e}):\n{text}"))
}

/// Runs `command` to completion with its stdout and stderr captured, killing it after
/// `timeout` (then the panic message shows what it printed so far).
pub fn output_within(
    mut command: std::process::Command,
    timeout: Duration,
) -> std::process::Output {
    use std::io::Read;
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {shown}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = out.join().unwrap_or_default();
            let stderr = err.join().unwrap_or_default();
            panic!(
                "{shown} did not finish within {timeout:?}:\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// Runs the workspace's `mcp` command-line client with `args`.
pub fn run_mcp(args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin_path("mcp"))
        .args(args)
        .output()
        .expect("run mcp")
}

/// A program's status and output, for assertion messages.
pub fn describe_output(output: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
