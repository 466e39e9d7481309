//! The interop matrix with the official Python SDK (mcp 2.3.0), over stdio and Streamable HTTP:
//!
//! - its client (`tests/interop/py_matrix_client.py`) against our `conformance-server` example:
//!   resources and templates, prompts, logging after `logging/setLevel`, and progress;
//! - our client against a server written with its high-level `MCPServer` API
//!   (`tests/interop/py_server.py`): initialize, tools with progress, resources and templates,
//!   prompts, and log messages after `logging/setLevel`.
//!
//! Needs the interop virtualenv (`tests/interop/.venv`, created by `scripts/test`), or a Python
//! with the `mcp` package named by `MCP_PYTHON`.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_client::mcp_core::model::{LoggingLevel, ResourceContents};
use mcp_client::{CallOptions, Client, ClientBuilder, ServerNotification, StderrMode};
use mcp_tests::{
    bin_path, last_json_line, output_within, python, spawn_http_example, workspace_root,
};
use serde_json::{Value, json};

/// The interop Python, after checking once that it has the pinned official SDK.
fn python_sdk() -> std::path::PathBuf {
    static CHECKED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let python = python();
    let checked = CHECKED.get_or_init(|| {
        let mut command = Command::new(&python);
        command.args([
            "-c",
            "import importlib.metadata, mcp; print(importlib.metadata.version('mcp'))",
        ]);
        let out = output_within(command, Duration::from_secs(60));
        let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if out.status.success() && version == "2.3.0" {
            Ok(())
        } else {
            Err(format!(
                "{} does not have the official Python SDK mcp==2.3.0 (found {version:?}; {}): \
                 run scripts/test, or `tests/interop/.venv/bin/pip install mcp==2.3.0`",
                python.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    });
    if let Err(e) = checked {
        panic!("{e}");
    }
    python
}

// --- The Python SDK client against our conformance-server ---------------------------------

fn run_python_client(args: &[&str]) -> Value {
    let mut command = Command::new(python_sdk());
    command
        .arg(workspace_root().join("tests/interop/py_matrix_client.py"))
        .args(args);
    let out = output_within(command, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "the Python client failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    last_json_line(&out.stdout)
}

fn check_python_client(seen: &Value) {
    assert_eq!(
        seen["server_info"],
        json!({"name": "conformance-server", "version": "0.1.0"})
    );
    assert_eq!(seen["protocol_version"], "2025-11-25");
    assert_eq!(
        seen["capabilities"],
        json!(["completions", "logging", "prompts", "resources", "tools"])
    );

    // Resources and templates.
    for uri in [
        "test://static-text",
        "test://static-binary",
        "test://watched-resource",
    ] {
        assert!(
            seen["resources"].as_array().unwrap().contains(&json!(uri)),
            "no {uri}: {seen}"
        );
    }
    assert_eq!(
        seen["static_text"],
        json!({
            "uri": "test://static-text",
            "mime_type": "text/plain",
            "text": "This is the content of the static text resource."
        })
    );
    assert_eq!(
        seen["templates"],
        json!([{
            "uri_template": "test://template/{id}/data",
            "name": "Template Data",
            "mime_type": "application/json"
        }])
    );
    assert_eq!(
        seen["template_read"],
        json!({
            "uri": "test://template/42/data",
            "mime_type": "application/json",
            "json": {"id": "42", "templateTest": true, "data": "Data for ID: 42"}
        })
    );

    // Prompts.
    assert_eq!(
        seen["prompts"]["test_simple_prompt"],
        json!({"description": "A prompt without arguments.", "arguments": []})
    );
    assert_eq!(
        seen["prompts"]["test_prompt_with_arguments"],
        json!({
            "description": "A prompt with two required arguments.",
            "arguments": [["arg1", true], ["arg2", true]]
        })
    );
    assert_eq!(
        seen["simple_prompt"],
        json!([{"role": "user", "text": "This is a simple prompt for testing."}])
    );
    assert_eq!(
        seen["prompt_with_arguments"],
        json!([{"role": "user", "text": "Prompt with arguments: arg1='alpha', arg2='beta'"}])
    );

    // Logging: nothing at `error`; at `debug` the three messages reach `logging_callback`.
    assert_eq!(seen["logs_at_error"], 0, "{seen}");
    assert_eq!(
        seen["logging_tool"],
        json!({"text": "Tool with logging executed successfully", "is_error": false})
    );
    assert_eq!(
        seen["logs"],
        json!([
            {"level": "info", "data": "Tool execution started", "logger": null},
            {"level": "info", "data": "Tool processing data", "logger": null},
            {"level": "info", "data": "Tool execution completed", "logger": null}
        ]),
        "{seen}"
    );

    // Progress reaches `progress_callback`.
    assert_eq!(
        seen["progress"],
        json!([
            {"progress": 0.0, "total": 100.0, "message": "Completed step 0 of 100"},
            {"progress": 50.0, "total": 100.0, "message": "Completed step 50 of 100"},
            {"progress": 100.0, "total": 100.0, "message": "Completed step 100 of 100"}
        ]),
        "{seen}"
    );
    assert_eq!(seen["progress_tool"]["is_error"], false);
}

#[test]
fn python_sdk_client_uses_resources_prompts_and_logging_over_stdio() {
    let server = bin_path("conformance-server");
    let seen = run_python_client(&["stdio", server.to_str().unwrap()]);
    check_python_client(&seen);
}

#[test]
fn python_sdk_client_uses_resources_prompts_and_logging_over_http() {
    let server = spawn_http_example("conformance-server", &[]);
    let seen = run_python_client(&["http", &server.url]);
    check_python_client(&seen);
}

// --- Our client against a Python SDK server -----------------------------------------------

type Seen = Arc<Mutex<Vec<ServerNotification>>>;

fn builder() -> (ClientBuilder, Seen) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let builder = Client::builder()
        .name("mcp-tests")
        .version("0.0.1")
        .request_timeout(Duration::from_secs(30))
        .on_notification(move |n| sink.lock().unwrap().push(n));
    (builder, seen)
}

fn script() -> std::path::PathBuf {
    workspace_root().join("tests/interop/py_server.py")
}

/// The Python server serving Streamable HTTP on a loopback port; killed when dropped.
struct PythonHttpServer {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl PythonHttpServer {
    /// What the server wrote to stderr so far (uvicorn's log, and any traceback).
    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for PythonHttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_python_http() -> PythonHttpServer {
    let python = python_sdk();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = Command::new(python)
        .arg(script())
        .args(["http", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Python server");
    let stderr: Arc<Mutex<String>> = Arc::default();
    let mut pipe = child.stderr.take().expect("stderr");
    let sink = stderr.clone();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut server = PythonHttpServer {
        child,
        url: format!("http://127.0.0.1:{port}/mcp"),
        stderr,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = server.child.try_wait().expect("wait") {
            std::thread::sleep(Duration::from_millis(100));
            panic!(
                "the Python server exited ({status}) before listening on {port}:\n{}",
                server.stderr()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the Python server did not listen on {port} within 30 s:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn text(result: &mcp_client::mcp_core::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn logs(seen: &Seen) -> Vec<(LoggingLevel, Value, Option<String>)> {
    seen.lock()
        .unwrap()
        .iter()
        .filter_map(|n| match n {
            ServerNotification::LoggingMessage(m) => {
                Some((m.level, m.data.clone(), m.logger.clone()))
            }
            _ => None,
        })
        .collect()
}

async fn exercise_python_server(client: &Client, seen: &Seen) {
    // Initialize.
    let info = client.server_info();
    assert_eq!(info.name, "py-interop-server");
    assert_eq!(info.version, "2.3.0-test");
    assert_eq!(
        client.instructions(),
        Some("A Python SDK server for interop tests.")
    );
    assert_eq!(
        client.initialize_result().protocol_version,
        "2025-11-25",
        "{:?}",
        client.initialize_result()
    );
    let caps = client.server_capabilities();
    assert!(
        caps.tools.is_some()
            && caps.resources.is_some()
            && caps.prompts.is_some()
            && caps.logging.is_some(),
        "{caps:?}"
    );
    client.ping().await.expect("ping");

    // Tools.
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["add", "count"]);
    let count = tools.iter().find(|t| t.name == "count").unwrap();
    assert_eq!(
        count.description.as_deref(),
        Some("Count to n, reporting progress and logging at each step.")
    );
    assert_eq!(count.input_schema["properties"]["n"]["type"], "integer");
    assert_eq!(count.input_schema["required"], json!(["n"]));
    let sum = client
        .call_tool("add", json!({"a": 2, "b": 3}))
        .await
        .expect("add");
    assert!(!sum.is_error(), "{sum:?}");
    assert_eq!(text(&sum), "5");
    assert_eq!(
        sum.structured_content,
        Some(json!({"result": 5}).as_object().unwrap().clone())
    );
    let bad = client
        .call_tool("add", json!({"a": "two", "b": 3}))
        .await
        .expect("a validation failure is a tool result");
    assert!(bad.is_error(), "{bad:?}");

    // Logging: at `warning` the tool's debug and info messages are filtered out.
    client
        .set_log_level(LoggingLevel::Warning)
        .await
        .expect("logging/setLevel warning");
    let result = client
        .call_tool("count", json!({"n": 2}))
        .await
        .expect("count");
    assert_eq!(text(&result), "counted to 2");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(logs(seen), [], "log messages above the level");

    // At `debug`: progress reaches the call's callback, logs reach `on_notification`.
    client
        .set_log_level(LoggingLevel::Debug)
        .await
        .expect("logging/setLevel debug");
    let progress = Arc::new(Mutex::new(Vec::new()));
    let sink = progress.clone();
    let options = CallOptions::new().on_progress(move |done, total, message| {
        sink.lock()
            .unwrap()
            .push((done, total, message.map(str::to_owned)));
    });
    let result = client
        .call_tool_with("count", json!({"n": 3}), options)
        .await
        .expect("count with progress");
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(text(&result), "counted to 3");
    assert_eq!(
        *progress.lock().unwrap(),
        (1..=3)
            .map(|i| (f64::from(i), Some(3.0), Some(format!("step {i}"))))
            .collect::<Vec<_>>()
    );
    let expected = vec![
        (LoggingLevel::Debug, json!("counting to 3")),
        (LoggingLevel::Info, json!("step 1 of 3")),
        (LoggingLevel::Info, json!("step 2 of 3")),
        (LoggingLevel::Info, json!("step 3 of 3")),
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    while logs(seen).len() < expected.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = logs(seen);
    assert_eq!(
        got.iter()
            .map(|(level, data, _)| (*level, data.clone()))
            .collect::<Vec<_>>(),
        expected
    );
    assert!(
        got.iter()
            .all(|(_, _, logger)| logger.as_deref() == Some("py-interop")),
        "{got:?}"
    );
    assert!(
        !seen
            .lock()
            .unwrap()
            .iter()
            .any(|n| matches!(n, ServerNotification::Progress(_))),
        "progress of a call with a callback leaked to on_notification"
    );

    // Resources and templates.
    let resources = client.list_all_resources().await.expect("resources/list");
    assert_eq!(
        resources.iter().map(|r| r.uri.as_str()).collect::<Vec<_>>(),
        ["py://static"]
    );
    assert_eq!(resources[0].name, "static");
    assert_eq!(resources[0].mime_type.as_deref(), Some("text/plain"));
    let read = client
        .read_resource("py://static")
        .await
        .expect("resources/read");
    match &read.contents[..] {
        [ResourceContents::Text(t)] => {
            assert_eq!(t.uri, "py://static");
            assert_eq!(t.text, "static text from python");
            assert_eq!(t.mime_type.as_deref(), Some("text/plain"));
        }
        other => panic!("unexpected contents {other:?}"),
    }
    let templates = client
        .list_all_resource_templates()
        .await
        .expect("resources/templates/list");
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(templates[0].uri_template, "py://items/{item_id}");
    assert_eq!(templates[0].name, "item");
    assert_eq!(templates[0].mime_type.as_deref(), Some("application/json"));
    let read = client
        .read_resource("py://items/42")
        .await
        .expect("read a templated resource");
    match &read.contents[..] {
        [ResourceContents::Text(t)] => {
            assert_eq!(t.uri, "py://items/42");
            let value: Value = serde_json::from_str(&t.text).expect("JSON");
            assert_eq!(value, json!({"id": "42", "source": "python"}));
        }
        other => panic!("unexpected contents {other:?}"),
    }
    let err = client
        .read_resource("py://nowhere")
        .await
        .expect_err("an unknown resource");
    assert!(err.as_protocol().is_some(), "{err:?}");

    // Prompts.
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let greet = prompts
        .iter()
        .find(|p| p.name == "greet")
        .unwrap_or_else(|| panic!("no greet in {prompts:?}"));
    let arguments: Vec<(&str, Option<bool>)> = greet
        .arguments
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|a| (a.name.as_str(), a.required))
        .collect();
    assert_eq!(arguments, [("name", Some(true)), ("style", Some(false))]);
    let prompt = client
        .get_prompt("greet", &[("name", "Ada")])
        .await
        .expect("prompts/get");
    assert_eq!(
        prompt.description.as_deref(),
        Some("Greets someone by name.")
    );
    assert_eq!(prompt.messages.len(), 1);
    assert_eq!(
        prompt.messages[0].content.as_text(),
        Some("Greet Ada in a plain style.")
    );
    let prompt = client.get_prompt("hello", &[]).await.expect("prompts/get");
    assert_eq!(
        prompt.messages[0].content.as_text(),
        Some("Hello from the Python server.")
    );
}

#[tokio::test]
async fn our_client_against_a_python_sdk_server_over_stdio() {
    let (builder, seen) = builder();
    let client = builder
        .stderr(StderrMode::Capture)
        .spawn(python_sdk(), [script().as_os_str(), "stdio".as_ref()])
        .await
        .expect("spawn the Python server and initialize");
    exercise_python_server(&client, &seen).await;
    let stderr = client.captured_stderr().unwrap_or_default();
    client.close().await.expect("close");
    assert!(
        !stderr.contains("Traceback"),
        "the Python server raised:\n{stderr}"
    );
}

#[tokio::test]
async fn our_client_against_a_python_sdk_server_over_http() {
    let server = spawn_python_http();
    let (builder, seen) = builder();
    let client = builder.connect_http(&server.url).await.unwrap_or_else(|e| {
        panic!(
            "connect to the Python server over HTTP: {e}\n{}",
            server.stderr()
        )
    });
    exercise_python_server(&client, &seen).await;
    client.close().await.expect("close");
    let stderr = server.stderr();
    assert!(
        !stderr.contains("Traceback"),
        "the Python server raised:\n{stderr}"
    );
}
