//! Fault tests: the client vanishes mid-call, the server's stdout closes, a tool panics or hangs,
//! a client never reads its SSE stream. In each case the fault stays contained: the affected call
//! is cancelled or dropped, nothing is left running, and the server keeps serving.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_server::Server;
use mcp_server::http::HttpConfig;
use mcp_server::tool::{ArgsSchema, ToolDef, text_result};
use mcp_tests::raw_http::{self, Session};
use mcp_tests::{StdioServer, bin_path, error_code, first_text, spawn_http_example};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// What the instrumented tools did: calls started, finished, and futures dropped (a dropped
/// future that did not finish was cancelled).
#[derive(Debug, Default)]
struct Counters {
    started: AtomicUsize,
    finished: AtomicUsize,
    dropped: AtomicUsize,
}

struct DropGuard(Arc<Counters>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl Counters {
    fn get(&self) -> (usize, usize, usize) {
        (
            self.started.load(Ordering::SeqCst),
            self.finished.load(Ordering::SeqCst),
            self.dropped.load(Ordering::SeqCst),
        )
    }

    async fn wait_for(&self, what: &str, cond: impl Fn((usize, usize, usize)) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !cond(self.get()) {
            assert!(
                Instant::now() < deadline,
                "{what}: (started, finished, dropped) = {:?}",
                self.get()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A server with `echo`, `sleep` (sleeps `ms`, ignoring cancellation, reporting progress every
/// 10 ms) and `flood` (`n` progress notifications of `size` bytes each).
fn instrumented(counters: &Arc<Counters>) -> Server {
    let mut echo_schema = ArgsSchema::new();
    echo_schema.argument::<String>("text", None);
    let echo = ToolDef::builder("echo")
        .input_schema(echo_schema.finish())
        .handler(|call| async move { Ok(text_result(call.argument::<String>("text")?)) });
    let mut sleep_schema = ArgsSchema::new();
    sleep_schema.argument::<u64>("ms", None);
    let c = counters.clone();
    let sleep = ToolDef::builder("sleep")
        .input_schema(sleep_schema.finish())
        .handler(move |call| {
            let c = c.clone();
            async move {
                c.started.fetch_add(1, Ordering::SeqCst);
                let _guard = DropGuard(c.clone());
                let ms: u64 = call.argument("ms")?;
                for i in 0..ms / 10 {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    call.context().progress(i + 1, ms / 10).await;
                }
                c.finished.fetch_add(1, Ordering::SeqCst);
                Ok(text_result(format!("slept {ms} ms")))
            }
        });
    let mut flood_schema = ArgsSchema::new();
    flood_schema.argument::<u64>("n", None);
    flood_schema.argument::<usize>("size", None);
    let c = counters.clone();
    let flood = ToolDef::builder("flood")
        .input_schema(flood_schema.finish())
        .handler(move |call| {
            let c = c.clone();
            async move {
                c.started.fetch_add(1, Ordering::SeqCst);
                let _guard = DropGuard(c.clone());
                let n: u64 = call.argument("n")?;
                let size: usize = call.argument("size")?;
                let text = "f".repeat(size);
                for i in 1..=n {
                    call.context().progress(i, n).message(text.clone()).await;
                }
                c.finished.fetch_add(1, Ordering::SeqCst);
                Ok(text_result(format!("flooded {n}")))
            }
        });
    Server::new("faults").tool(echo).tool(sleep).tool(flood)
}

fn line(v: &Value) -> Vec<u8> {
    let mut b = v.to_string().into_bytes();
    b.push(b'\n');
    b
}

fn init_msgs() -> Vec<u8> {
    let mut out = line(
        &json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}),
    );
    out.extend(line(
        &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
    ));
    out
}

#[tokio::test]
async fn stdio_client_disappearing_mid_call_cancels_the_call_and_the_server_returns() {
    let counters = Arc::new(Counters::default());
    let (client, server_end) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_end);
    let serving = tokio::spawn(instrumented(&counters).serve_stream(server_read, server_write));
    let (client_read, mut client_write) = tokio::io::split(client);
    client_write.write_all(&init_msgs()).await.unwrap();
    client_write
        .write_all(&line(&json!({"jsonrpc":"2.0","id":1,"method":"tools/call",
            "params":{"name":"sleep","arguments":{"ms":60000}}})))
        .await
        .unwrap();
    counters
        .wait_for("the call started", |(s, _, _)| s == 1)
        .await;
    // The client vanishes: both directions of its pipe close.
    drop(client_write);
    drop(client_read);
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("the server returned after its client vanished")
        .expect("join");
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        counters.get(),
        (1, 0, 1),
        "the running call was not cancelled (started, finished, dropped)"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn stdio_client_disappearing_mid_call_in_a_real_process() {
    // cancellable-server's search logs "search cancelled" when it sees the cancellation.
    let mut s = StdioServer::spawn("cancellable-server", &[]).await;
    s.initialize().await;
    s.send(&json!({"jsonrpc":"2.0","id":"search","method":"tools/call",
        "params":{"name":"long_running_search","arguments":{"query":"q"},"_meta":{"progressToken":"p"}}}))
        .await;
    // Wait for the first progress notification: the search is running.
    let first = s.recv().await;
    assert_eq!(first["method"], "notifications/progress", "{first}");
    s.close_stdin();
    let started = Instant::now();
    let status = s
        .wait(Duration::from_secs(10))
        .await
        .expect("the server exited after its client vanished");
    assert!(status.success(), "exit status {status}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "exit took {:?}: the 10 s search ran on",
        started.elapsed()
    );
    let stderr = s.stderr_text();
    assert!(
        stderr.contains("search cancelled"),
        "the tool never saw the cancellation:\n{stderr}"
    );
}

#[tokio::test]
async fn stdio_server_exits_when_its_stdout_is_closed() {
    let mut child = tokio::process::Command::new(bin_path("echo"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn echo");
    // Nobody will ever read the server's output.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&init_msgs()).await.unwrap();
    for i in 1..=10 {
        let msg = json!({"jsonrpc":"2.0","id":i,"method":"tools/call",
            "params":{"name":"echo","arguments":{"text":"into the void"}}});
        // The server may already be gone: a broken pipe here is fine.
        if stdin.write_all(&line(&msg)).await.is_err() {
            break;
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server hung with its stdout closed")
        .expect("wait");
    // Pinned: the server stops when it cannot write, without waiting for stdin to end.
    drop(stdin);
    assert!(status.code().is_some(), "killed by a signal: {status}");
}

#[tokio::test]
async fn a_panicking_tool_is_an_internal_error_and_the_next_call_works_over_http() {
    let server = spawn_http_example("errors-server", &[]);
    let session = Session::open(&server.url).await;
    for _ in 0..3 {
        let resp = session
            .request(&json!({"jsonrpc":"2.0","id":"p","method":"tools/call",
                "params":{"name":"safe_operation","arguments":{"input":"panic"}}}))
            .await;
        assert_eq!(error_code(&resp), -32603, "{resp}");
        let message = resp["error"]["message"].as_str().unwrap();
        assert!(
            !message.contains("/srv/app"),
            "panic details leaked: {message}"
        );
        let resp = session
            .request(&json!({"jsonrpc":"2.0","id":"ok","method":"tools/call",
                "params":{"name":"safe_operation","arguments":{"input":"fine"}}}))
            .await;
        assert!(resp.get("result").is_some(), "{resp}");
    }
}

#[tokio::test]
async fn a_hanging_tool_is_dropped_after_the_clients_timeout_and_the_server_keeps_serving() {
    let counters = Arc::new(Counters::default());
    let (client, server_end) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_end);
    let serving = tokio::spawn(instrumented(&counters).serve_stream(server_read, server_write));
    let (client_read, mut client_write) = tokio::io::split(client);
    let mut lines = BufReader::new(client_read).lines();
    client_write.write_all(&init_msgs()).await.unwrap();
    let init = lines.next_line().await.unwrap().unwrap();
    assert!(init.contains("\"id\":0"), "{init}");
    // A call that would take an hour and never checks for cancellation.
    client_write
        .write_all(&line(
            &json!({"jsonrpc":"2.0","id":"hang","method":"tools/call",
            "params":{"name":"sleep","arguments":{"ms":3_600_000}}}),
        ))
        .await
        .unwrap();
    counters
        .wait_for("the call started", |(s, _, _)| s == 1)
        .await;
    // The client's timeout fires: it sends notifications/cancelled, as mcp-client does.
    tokio::time::sleep(Duration::from_millis(200)).await;
    client_write
        .write_all(&line(
            &json!({"jsonrpc":"2.0","method":"notifications/cancelled",
            "params":{"requestId":"hang","reason":"timeout"}}),
        ))
        .await
        .unwrap();
    // The runtime drops the future after its grace period.
    counters
        .wait_for("the hanging call was dropped", |(_, _, d)| d == 1)
        .await;
    assert_eq!(counters.get().1, 0);
    client_write
        .write_all(&line(
            &json!({"jsonrpc":"2.0","id":"after","method":"tools/call",
            "params":{"name":"echo","arguments":{"text":"alive"}}}),
        ))
        .await
        .unwrap();
    loop {
        let l = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("an answer")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(&l).unwrap();
        assert_ne!(v["id"], "hang", "a cancelled request was answered: {v}");
        if v["id"] == "after" {
            assert_eq!(first_text(&v), "alive");
            break;
        }
    }
    // End of input: the server returns.
    client_write.shutdown().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("server returned")
        .unwrap()
        .unwrap();
}

async fn http_server(
    counters: &Arc<Counters>,
    config: HttpConfig,
) -> (
    String,
    mcp_server::ServerHandle,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let server = instrumented(counters);
    let handle = server.handle();
    let serving = tokio::spawn(server.serve_http_on(listener, config));
    (url, handle, serving)
}

#[tokio::test]
async fn http_connection_dropped_mid_sse_then_session_deleted() {
    let counters = Arc::new(Counters::default());
    let (url, handle, serving) = http_server(&counters, HttpConfig::default()).await;
    let session = Session::open(&url).await;
    // A 1 s call whose SSE connection drops after the first bytes. Streamable HTTP treats a
    // disconnection as resumable, not as a cancellation (the client may reconnect with
    // Last-Event-ID): the call runs to its end and nothing stays behind.
    let call = json!({"jsonrpc":"2.0","id":"c1","method":"tools/call",
        "params":{"name":"sleep","arguments":{"ms":1000},"_meta":{"progressToken":"t"}}});
    let mut stream = raw_http::start_post(
        &session.addr,
        Some(&session.id),
        call.to_string().as_bytes(),
    )
    .await;
    let mut buf = [0u8; 256];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(
        n > 0 && buf.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    drop(stream);
    counters
        .wait_for("the call ended after its stream dropped", |(s, f, d)| {
            s == 1 && f == 1 && d == 1
        })
        .await;
    session.still_serving().await;
    // Deleting the session cancels what still runs in it.
    let call = json!({"jsonrpc":"2.0","id":"c2","method":"tools/call",
        "params":{"name":"sleep","arguments":{"ms":60000}}});
    let stream = raw_http::start_post(
        &session.addr,
        Some(&session.id),
        call.to_string().as_bytes(),
    )
    .await;
    counters
        .wait_for("the second call started", |(s, _, _)| s == 2)
        .await;
    let status = raw_http::delete(&session.addr, &session.id).await;
    assert!(matches!(status, 200 | 202 | 204), "DELETE: {status}");
    counters
        .wait_for("the deleted session's call was cancelled", |(_, f, d)| {
            f == 1 && d == 2
        })
        .await;
    drop(stream);
    // The server still serves new sessions.
    Session::open(&url).await.still_serving().await;
    handle.shutdown();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("shutdown")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_client_that_never_reads_its_sse_stream_is_cut_off_and_others_are_served() {
    let counters = Arc::new(Counters::default());
    let mut config = HttpConfig::default();
    config.stream_buffer = 16;
    let (url, handle, serving) = http_server(&counters, config).await;
    let stalled = Session::open(&url).await;
    let other = Session::open(&url).await;
    // 2,000 progress notifications of 16 KiB each: 32 MiB, far more than socket buffers hold.
    let n = 2000;
    let call = json!({"jsonrpc":"2.0","id":"flood","method":"tools/call",
        "params":{"name":"flood","arguments":{"n":n,"size":16384},"_meta":{"progressToken":"f"}}});
    let mut stream = raw_http::start_post(
        &stalled.addr,
        Some(&stalled.id),
        call.to_string().as_bytes(),
    )
    .await;
    counters
        .wait_for("the flood started", |(s, _, _)| s == 1)
        .await;
    // While the stalled client reads nothing, other sessions are served.
    for _ in 0..5 {
        tokio::time::timeout(Duration::from_secs(5), other.still_serving())
            .await
            .expect("another session was blocked by a stalled SSE client");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Now read what the stalled stream holds: the server cut it off, so it ends without all
    // the events (the rest is kept for resumption, within the event store's bounds).
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("the stalled stream was closed by the server")
        .ok();
    let text = String::from_utf8_lossy(&raw);
    let events = text.matches("notifications/progress").count();
    assert!(
        events < n,
        "all {events} events were buffered for a client that never read"
    );
    other.still_serving().await;
    Session::open(&url).await.still_serving().await;
    handle.shutdown();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("shutdown")
        .unwrap()
        .unwrap();
}
