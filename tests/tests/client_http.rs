//! The client's Streamable HTTP transport: against the `echo` example served over HTTP (SSE,
//! `--json-response` and `--stateless`), and against a scripted raw HTTP server that checks
//! the wire rules the example cannot provoke: resumption after the server closes a stream
//! (waiting the `retry` delay, then `GET` with `Last-Event-ID`), a new session after a 404,
//! the headers of every request, and `DELETE` on close.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_client::mcp_core::model::CallToolResult;
use mcp_client::mcp_core::version::ProtocolVersion;
use mcp_client::{CallOptions, Client, ClientError, ServerNotification};
use mcp_tests::spawn_http_example as spawn_http;
use mcp_tests::{describe_output as describe, run_mcp as mcp};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------------------
// The echo example over HTTP

fn text(result: &CallToolResult) -> &str {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .unwrap_or_else(|| panic!("no text content: {result:?}"))
}

type Progress = Arc<Mutex<Vec<(f64, Option<f64>, Option<String>)>>>;

fn progress_sink() -> (Progress, CallOptions) {
    let seen: Progress = Arc::default();
    let sink = seen.clone();
    let options = CallOptions::new().on_progress(move |progress, total, message| {
        sink.lock()
            .unwrap()
            .push((progress, total, message.map(str::to_owned)));
    });
    (seen, options)
}

fn counted(n: u32) -> Vec<(f64, Option<f64>, Option<String>)> {
    (1..=n)
        .map(|i| {
            (
                f64::from(i),
                Some(f64::from(n)),
                Some(format!("counted {i}")),
            )
        })
        .collect()
}

#[tokio::test]
async fn initialize_list_and_call_over_http() {
    let server = spawn_http("echo", &[]);
    let client = Client::builder()
        .name("mcp-tests")
        .version("0.0.1")
        .connect_http(&server.url)
        .await
        .expect("connect over HTTP");
    assert_eq!(client.negotiated_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(client.server_info().name, "echo");
    assert!(client.server_capabilities().tools.is_some());
    client.ping().await.expect("ping");

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"echo") && names.contains(&"slow_count"),
        "{names:?}"
    );
    let result = client
        .call_tool("echo", json!({ "text": "hello over http" }))
        .await
        .expect("call echo");
    assert_eq!(text(&result), "hello over http");
    let err = client
        .call_tool("no_such_tool", json!({}))
        .await
        .expect_err("unknown tool");
    assert_eq!(err.as_protocol().map(|e| e.code.0), Some(-32602), "{err:?}");

    // Concurrent calls share the session.
    let client = Arc::new(client);
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .call_tool("echo", json!({ "text": format!("call {i}") }))
                    .await
            })
        })
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let result = call.await.expect("join").expect("concurrent call");
        assert_eq!(text(&result), format!("call {i}"));
    }
    let client = Arc::try_unwrap(client).expect("the only reference");
    assert_eq!(client.close().await.expect("close"), None);
}

#[tokio::test]
async fn progress_arrives_in_order_over_sse() {
    let server = spawn_http("echo", &[]);
    let client = Client::connect_http(&server.url).await.expect("connect");
    let (seen, options) = progress_sink();
    let result = client
        .call_tool_with("slow_count", json!({ "n": 5 }), options)
        .await
        .expect("call slow_count");
    assert_eq!(text(&result), "counted to 5");
    assert_eq!(*seen.lock().unwrap(), counted(5));
}

#[tokio::test]
async fn a_timeout_cancels_the_call_and_the_server_stops() {
    let server = spawn_http("echo", &[]);
    let stray = Arc::new(AtomicUsize::new(0));
    let counter = stray.clone();
    let client = Client::builder()
        .on_notification(move |n| {
            if matches!(n, ServerNotification::Progress(_)) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        })
        .connect_http(&server.url)
        .await
        .expect("connect");
    let started = Instant::now();
    let options = CallOptions::new()
        .timeout(Duration::from_millis(300))
        .on_progress(|_, _, _| {});
    let err = client
        .call_tool_with("slow_count", json!({ "n": 1000, "delay_ms": 10 }), options)
        .await
        .expect_err("should time out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let started = Instant::now();
    let result = client
        .call_tool("echo", json!({ "text": "still here" }))
        .await
        .expect("call after the timeout");
    assert_eq!(text(&result), "still here");
    assert!(started.elapsed() < Duration::from_secs(2));

    // The server got `notifications/cancelled` and stopped counting: the call's stream (still
    // read for a moment after the cancellation) brings no more progress.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = stray.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        stray.load(Ordering::SeqCst),
        before,
        "the server kept counting after the cancellation"
    );
    client.close().await.expect("close");
}

#[tokio::test]
async fn dropping_a_call_cancels_it_over_http() {
    let server = spawn_http("echo", &[]);
    let client = Client::connect_http(&server.url).await.expect("connect");
    let call = client.call_tool("slow_count", json!({ "n": 1000, "delay_ms": 10 }));
    assert!(
        tokio::time::timeout(Duration::from_millis(200), call)
            .await
            .is_err()
    );
    let result = client
        .call_tool("echo", json!({ "text": "next" }))
        .await
        .expect("call after drop");
    assert_eq!(text(&result), "next");
}

#[tokio::test]
async fn json_response_mode() {
    let server = spawn_http("echo", &["--json-response"]);
    let client = Client::connect_http(&server.url).await.expect("connect");
    let result = client
        .call_tool("echo", json!({ "text": "json" }))
        .await
        .expect("call echo");
    assert_eq!(text(&result), "json");
    // Progress travels on the standalone GET stream, the response on the POST: all but
    // possibly the last update arrive before the response.
    let (seen, options) = progress_sink();
    let result = client
        .call_tool_with("slow_count", json!({ "n": 5, "delay_ms": 20 }), options)
        .await
        .expect("call slow_count");
    assert_eq!(text(&result), "counted to 5");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.len() >= 4 && seen[..] == counted(5)[..seen.len()],
        "{seen:?}"
    );
    let err = client
        .call_tool_with(
            "slow_count",
            json!({ "n": 1000, "delay_ms": 10 }),
            CallOptions::new().timeout(Duration::from_millis(200)),
        )
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    client.ping().await.expect("ping after the timeout");
    client.close().await.expect("close");
}

#[tokio::test]
async fn stateless_mode() {
    let server = spawn_http("echo", &["--stateless"]);
    let client = Client::connect_http(&server.url).await.expect("connect");
    assert_eq!(client.server_info().name, "echo");
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 2);
    let result = client
        .call_tool("slow_count", json!({ "n": 3 }))
        .await
        .expect("call");
    assert_eq!(text(&result), "counted to 3");
    client.close().await.expect("close");
}

#[tokio::test]
async fn unreachable_and_unsupported_urls_fail_to_connect() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = Client::connect_http(&format!("http://127.0.0.1:{port}/mcp"))
        .await
        .expect_err("nothing listens");
    assert!(err.is_connection(), "{err:?}");
    assert!(err.to_string().contains("cannot reach"), "{err}");

    let err = Client::connect_http("https://127.0.0.1:1/mcp")
        .await
        .expect_err("no TLS");
    assert!(
        matches!(&err, ClientError::Transport(m) if m.contains("TLS")),
        "{err:?}"
    );
    let err = Client::connect_http("ftp://example.com/")
        .await
        .expect_err("not http");
    assert!(err.is_connection(), "{err:?}");

    // A server that is not an MCP endpoint.
    let server = spawn_http("echo", &[]);
    let wrong = server.url.replace("/mcp", "/elsewhere");
    let err = Client::connect_http(&wrong).await.expect_err("404");
    assert!(err.to_string().contains("404"), "{err}");
}

#[test]
fn mcp_binary_over_http() {
    let server = spawn_http("echo", &[]);
    let url = server.url.as_str();
    let output = mcp(&["call", url, "echo", "text=hi"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hi\n");

    let output = mcp(&["call", url, "slow_count", "n=3"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "counted to 3\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("progress 3/3 counted 3"), "{stderr}");

    let output = mcp(&["--json", "tools", url]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let tools: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(tools["tools"].as_array().map(Vec::len), Some(2));

    let output = mcp(&["call", url, "no_such_tool"]);
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));

    let output = mcp(&[
        "--timeout",
        "0.3",
        "call",
        url,
        "slow_count",
        "n=1000",
        "delay_ms=10",
    ]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));

    // Connection failures: nothing listening, no TLS.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = mcp(&["tools", &format!("http://127.0.0.1:{port}/mcp")]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot reach"),
        "{}",
        describe(&output)
    );
    let output = mcp(&["tools", "https://127.0.0.1:1/mcp"]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("TLS"),
        "{}",
        describe(&output)
    );
}

// ---------------------------------------------------------------------------------------------
// A scripted raw HTTP/1.1 server

/// One HTTP request the scripted server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Header names in lower case.
    headers: HashMap<String, String>,
    /// The JSON body, or `Null`.
    body: Value,
    at: Instant,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn rpc_method(&self) -> Option<&str> {
        self.body["method"].as_str()
    }
}

/// What the scripted server answers.
enum Reply {
    /// 200 with a JSON body and extra headers.
    Json(Value, Vec<(&'static str, String)>),
    /// A status with no body.
    Status(u16),
    /// 200 with an SSE stream: these raw events, then the connection closes after a pause.
    Sse(Vec<String>, Duration),
}

type Script = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Scripted {
    url: String,
    log: Arc<Mutex<Vec<Seen>>>,
    /// When each SSE stream was closed by the server.
    closes: Arc<Mutex<Vec<Instant>>>,
}

impl Scripted {
    async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let closes: Arc<Mutex<Vec<Instant>>> = Arc::default();
        let script: Script = Arc::new(script);
        let (l, c) = (log.clone(), closes.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_connection(
                    socket,
                    script.clone(),
                    l.clone(),
                    c.clone(),
                ));
            }
        });
        Self { url, log, closes }
    }

    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn posts_of(&self, rpc_method: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "POST" && s.rpc_method() == Some(rpc_method))
            .collect()
    }
}

async fn serve_connection(
    socket: TcpStream,
    script: Script,
    log: Arc<Mutex<Vec<Seen>>>,
    closes: Arc<Mutex<Vec<Instant>>>,
) {
    let mut reader = BufReader::new(socket);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
            return;
        }
        let method = request_line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let seen = Seen {
            method,
            headers,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            at: Instant::now(),
        };
        log.lock().unwrap().push(seen.clone());
        let socket = reader.get_mut();
        match script(&seen) {
            Reply::Json(value, extra) => {
                let body = value.to_string();
                let mut head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                    body.len()
                );
                for (name, value) in extra {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if socket
                    .write_all(format!("{head}{body}").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Reply::Status(code) => {
                let head = format!("HTTP/1.1 {code} Scripted\r\ncontent-length: 0\r\n\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
            }
            Reply::Sse(events, pause) => {
                let mut out = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n".to_owned();
                for event in events {
                    out.push_str(&event);
                }
                let _ = socket.write_all(out.as_bytes()).await;
                let _ = socket.flush().await;
                tokio::time::sleep(pause).await;
                let _ = socket.shutdown().await;
                closes.lock().unwrap().push(Instant::now());
                return;
            }
        }
    }
}

fn init_reply(msg: &Seen, version: &str, session: &str) -> Reply {
    Reply::Json(
        json!({
            "jsonrpc": "2.0", "id": msg.body["id"],
            "result": {
                "protocolVersion": version,
                "capabilities": { "tools": {} },
                "serverInfo": { "name": "scripted", "version": "1.0" }
            }
        }),
        vec![("mcp-session-id", session.to_owned())],
    )
}

fn tool_result(id: &Value, text: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": { "content": [{ "type": "text", "text": text }] } })
}

/// The conformance suite's `sse-retry` scenario: the call's stream carries only a priming
/// event (an id, `retry: 500`, empty data) and closes; the result comes on the GET that
/// resumes it.
#[tokio::test]
async fn a_closed_stream_is_resumed_after_the_retry_delay_with_last_event_id() {
    let call_id = Arc::new(Mutex::new(Value::Null));
    let id_for_script = call_id.clone();
    let server = Scripted::start(move |msg| match (msg.method.as_str(), msg.rpc_method()) {
        ("POST", Some("initialize")) => init_reply(msg, "2025-03-26", "session-1"),
        ("POST", Some("tools/call")) => {
            *id_for_script.lock().unwrap() = msg.body["id"].clone();
            Reply::Sse(
                vec!["id: event-1\nretry: 500\ndata: \n\n".into()],
                Duration::from_millis(50),
            )
        }
        ("GET", _) if msg.header("last-event-id") == Some("event-1") => {
            let id = id_for_script.lock().unwrap().clone();
            let result = tool_result(&id, "reconnected");
            Reply::Sse(
                vec![format!("id: event-2\ndata: {result}\n\n")],
                Duration::from_millis(10),
            )
        }
        ("GET", _) => Reply::Status(405),
        ("DELETE", _) => Reply::Status(200),
        _ => Reply::Status(202),
    })
    .await;

    let client = Client::connect_http(&server.url).await.expect("connect");
    assert_eq!(client.negotiated_version(), ProtocolVersion::V2025_03_26);
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        client.call_tool("test_reconnection", json!({})),
    )
    .await
    .expect("the call finished")
    .expect("the call succeeded");
    assert_eq!(text(&result), "reconnected");

    let resume = server
        .seen()
        .into_iter()
        .find(|s| s.method == "GET" && s.header("last-event-id").is_some())
        .expect("a resumption GET");
    assert_eq!(resume.header("last-event-id"), Some("event-1"));
    assert_eq!(resume.header("mcp-session-id"), Some("session-1"));
    assert_eq!(resume.header("mcp-protocol-version"), Some("2025-03-26"));
    assert!(
        resume
            .header("accept")
            .unwrap_or_default()
            .contains("text/event-stream"),
        "{resume:?}"
    );
    let closed = server.closes.lock().unwrap()[0];
    let waited = resume.at.duration_since(closed);
    assert!(
        (Duration::from_millis(450)..=Duration::from_millis(700)).contains(&waited),
        "reconnected {waited:?} after the stream closed; retry was 500 ms"
    );

    // The headers of every request.
    let init = &server.posts_of("initialize")[0];
    assert_eq!(init.header("mcp-session-id"), None);
    assert_eq!(
        init.header("mcp-protocol-version"),
        None,
        "initialize must not carry MCP-Protocol-Version"
    );
    for post in server.seen().iter().filter(|s| s.method == "POST") {
        let accept = post.header("accept").unwrap_or_default();
        assert!(
            accept.contains("application/json") && accept.contains("text/event-stream"),
            "{post:?}"
        );
        assert_eq!(post.header("content-type"), Some("application/json"));
        if post.rpc_method() != Some("initialize") {
            assert_eq!(post.header("mcp-session-id"), Some("session-1"), "{post:?}");
            assert_eq!(post.header("mcp-protocol-version"), Some("2025-03-26"));
        }
    }
    assert_eq!(server.posts_of("notifications/initialized").len(), 1);

    client.close().await.expect("close");
    let delete = server
        .seen()
        .into_iter()
        .find(|s| s.method == "DELETE")
        .expect("DELETE on close");
    assert_eq!(delete.header("mcp-session-id"), Some("session-1"));
}

/// A stream that ends before any event id cannot be resumed: the call fails at once.
#[tokio::test]
async fn a_stream_without_event_ids_that_ends_early_fails_the_call() {
    let server = Scripted::start(|msg| match (msg.method.as_str(), msg.rpc_method()) {
        ("POST", Some("initialize")) => init_reply(msg, "2025-11-25", "s"),
        ("POST", Some("tools/call")) => Reply::Sse(
            vec![
                "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"working\"}}\n\n"
                    .into(),
            ],
            Duration::from_millis(10),
        ),
        ("GET", _) => Reply::Status(405),
        _ => Reply::Status(202),
    })
    .await;
    let logs = Arc::new(AtomicUsize::new(0));
    let counter = logs.clone();
    let client = Client::builder()
        .on_notification(move |n| {
            if matches!(n, ServerNotification::LoggingMessage(_)) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        })
        .connect_http(&server.url)
        .await
        .expect("connect");
    let started = Instant::now();
    let err = client
        .call_tool("anything", json!({}))
        .await
        .expect_err("no response");
    assert!(
        matches!(&err, ClientError::Transport(m) if m.contains("no event id")),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        logs.load(Ordering::SeqCst),
        1,
        "the stream's message was delivered"
    );
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.method == "GET" && s.header("last-event-id").is_some()),
        "no resumption without an event id"
    );
}

/// A 404 for a request carrying the session id: a new session is initialized (same
/// `initialize`, no session id), then the request is sent once more in it.
#[tokio::test]
async fn a_404_starts_a_new_session_and_retries_the_request_once() {
    let expired = Arc::new(AtomicBool::new(false));
    let sessions = Arc::new(AtomicUsize::new(0));
    let (exp, count) = (expired.clone(), sessions.clone());
    let server = Scripted::start(move |msg| {
        let session = msg.header("mcp-session-id");
        if session == Some("session-1") && exp.load(Ordering::SeqCst) {
            return Reply::Status(404);
        }
        match (msg.method.as_str(), msg.rpc_method()) {
            ("POST", Some("initialize")) => {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                init_reply(msg, "2025-11-25", &format!("session-{n}"))
            }
            ("POST", Some("tools/list")) => Reply::Json(
                json!({ "jsonrpc": "2.0", "id": msg.body["id"], "result": { "tools": [] } }),
                vec![],
            ),
            ("POST", Some("tools/call")) => Reply::Json(
                tool_result(&msg.body["id"], session.unwrap_or("none")),
                vec![],
            ),
            ("GET", _) => Reply::Status(405),
            _ => Reply::Status(202),
        }
    })
    .await;
    let client = Client::connect_http(&server.url).await.expect("connect");
    let result = client.call_tool("where", json!({})).await.expect("call");
    assert_eq!(text(&result), "session-1");

    expired.store(true, Ordering::SeqCst);
    let result = client
        .call_tool("where", json!({}))
        .await
        .expect("call after the session ended");
    assert_eq!(text(&result), "session-2");
    assert_eq!(sessions.load(Ordering::SeqCst), 2);

    let inits = server.posts_of("initialize");
    assert_eq!(inits.len(), 2);
    assert_eq!(inits[1].header("mcp-session-id"), None);
    assert_eq!(inits[1].header("mcp-protocol-version"), None);
    assert_eq!(inits[1].body["params"], inits[0].body["params"]);
    let initialized = server.posts_of("notifications/initialized");
    assert_eq!(initialized.len(), 2);
    assert_eq!(initialized[1].header("mcp-session-id"), Some("session-2"));
    let calls = server.posts_of("tools/call");
    assert_eq!(calls.len(), 3, "one call, then a 404 and its retry");
    assert_eq!(calls[1].header("mcp-session-id"), Some("session-1"));
    assert_eq!(calls[2].header("mcp-session-id"), Some("session-2"));
    assert_eq!(calls[2].body["id"], calls[1].body["id"]);

    // Later requests use the new session; notifications too.
    client.list_all_tools().await.expect("tools/list");
    let last = server.seen().pop().expect("a request");
    assert_eq!(last.header("mcp-session-id"), Some("session-2"));
}

/// HTTP errors become readable errors: a JSON-RPC error body is the server's error, anything
/// else a transport error naming the status.
#[tokio::test]
async fn http_errors_are_reported() {
    let server = Scripted::start(|msg| match (msg.method.as_str(), msg.rpc_method()) {
        ("POST", Some("initialize")) => init_reply(msg, "2025-11-25", "s"),
        ("POST", Some("tools/list")) => Reply::Status(500),
        ("POST", Some("tools/call")) => Reply::Status(202),
        ("GET", _) => Reply::Status(405),
        _ => Reply::Status(202),
    })
    .await;
    let client = Client::connect_http(&server.url).await.expect("connect");
    let err = client.list_tools(None).await.expect_err("500");
    assert!(
        matches!(&err, ClientError::Transport(m) if m.contains("500")),
        "{err:?}"
    );
    let err = client
        .call_tool("x", json!({}))
        .await
        .expect_err("202 for a request");
    assert!(
        matches!(&err, ClientError::Transport(m) if m.contains("no response")),
        "{err:?}"
    );
}
