//! Server limits over the stdio transport (newline-delimited JSON-RPC on a pipe): the
//! per-request timeout, the cap on pending server-to-client requests, and backpressure when
//! `max_in_flight` requests run.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_server::ServerConfig;
use mcp_server::prelude::*;
use serde_json::{Value, json};
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

/// Ignores cancellation and sleeps for a minute.
#[tool]
async fn hang() -> String {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "woke up".into()
}

static PATIENT_SAW_CANCEL: AtomicBool = AtomicBool::new(false);

/// Waits until cancelled, and records that it was.
#[tool]
async fn patient(ctx: Context) -> String {
    ctx.cancelled().await;
    PATIENT_SAW_CANCEL.store(true, Ordering::SeqCst);
    "cancelled".into()
}

/// Answers at once.
#[tool]
async fn quick() -> String {
    "ok".into()
}

/// Asks the client for its roots three times at once (each given 500 ms) and reports each
/// outcome.
#[tool]
async fn three_roots(ctx: Context) -> String {
    let ask = || tokio::time::timeout(Duration::from_millis(500), ctx.roots());
    let (a, b, c) = tokio::join!(ask(), ask(), ask());
    [a, b, c]
        .into_iter()
        .map(|r| match r {
            Err(_) => "no answer".to_owned(),
            Ok(Ok(_)) => "answered".to_owned(),
            Ok(Err(e)) => format!("error {}: {}", e.code.0, e.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

static GATE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(0);
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Waits for the test to open the gate; counts how many run at once.
#[tool]
async fn gate() -> String {
    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    MOST_RUNNING.fetch_max(now, Ordering::SeqCst);
    GATE.acquire().await.expect("gate").forget();
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    "passed".into()
}

struct Pipe {
    w: WriteHalf<DuplexStream>,
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
}

impl Pipe {
    async fn start(server: Server) -> Self {
        let (client, server_io) = tokio::io::duplex(1 << 16);
        let (sr, sw) = tokio::io::split(server_io);
        tokio::spawn(server.serve_stream(sr, sw));
        let (r, w) = tokio::io::split(client);
        let mut pipe = Self {
            w,
            lines: BufReader::new(r).lines(),
        };
        pipe.send(
            json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{"roots":{}},
            "clientInfo":{"name":"pipe","version":"0"}}}),
        )
        .await;
        let init = pipe
            .recv(Duration::from_secs(10))
            .await
            .expect("initialize answer");
        assert!(init["result"]["serverInfo"].is_object(), "{init}");
        pipe.send(json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
            .await;
        pipe
    }

    async fn send(&mut self, msg: Value) {
        let mut line = msg.to_string();
        line.push('\n');
        self.w.write_all(line.as_bytes()).await.unwrap();
    }

    async fn recv(&mut self, within: Duration) -> Option<Value> {
        match tokio::time::timeout(within, self.lines.next_line()).await {
            Ok(Ok(Some(line))) => Some(serde_json::from_str(&line).unwrap()),
            Ok(_) => panic!("the server closed the pipe"),
            Err(_) => None,
        }
    }

    async fn call(&mut self, id: u64, tool: &str) {
        self.send(json!({"jsonrpc":"2.0","id":id,"method":"tools/call",
            "params":{"name":tool,"arguments":{}}}))
            .await;
    }

    /// The response to `id`, skipping anything else; also returns what was skipped.
    async fn response(&mut self, id: u64) -> (Value, Vec<Value>) {
        let mut skipped = Vec::new();
        loop {
            let msg = self
                .recv(Duration::from_secs(10))
                .await
                .expect("no response within 10 s");
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return (msg, skipped);
            }
            skipped.push(msg);
        }
    }
}

fn text(resp: &Value) -> &str {
    resp["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{resp}"))
}

#[test]
fn no_request_timeout_and_1024_pending_requests_by_default() {
    let c = ServerConfig::default();
    assert_eq!(c.request_timeout, None);
    assert_eq!(c.max_pending_outgoing, 1024);
    assert_eq!(c.max_in_flight, 1024);
}

#[tokio::test]
async fn a_request_that_outlives_the_timeout_is_cancelled_and_answered_with_an_error() {
    let server = Server::new("timeouts")
        .configure(|c| {
            c.request_timeout = Some(Duration::from_millis(300));
            c.cancel_grace = Duration::from_millis(200);
        })
        .tool(hang)
        .tool(patient)
        .tool(quick);
    let mut pipe = Pipe::start(server).await;

    // A handler that ignores cancellation is dropped; the client gets the error.
    let started = Instant::now();
    pipe.call(1, "hang").await;
    let (resp, _) = pipe.response(1).await;
    let took = started.elapsed();
    assert_eq!(resp["error"]["code"], -32603, "{resp}");
    let message = resp["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Request timed out"), "{message}");
    assert!(
        message.contains("`tools/call`") && message.contains("300 ms"),
        "{message}"
    );
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );

    // A cooperative handler sees the cancellation, and its own result is not sent.
    pipe.call(2, "patient").await;
    let (resp, _) = pipe.response(2).await;
    assert_eq!(resp["error"]["code"], -32603, "{resp}");
    assert!(
        PATIENT_SAW_CANCEL.load(Ordering::SeqCst),
        "the handler was not cancelled"
    );

    // Fast requests are untouched, and nothing else arrives for the timed-out ones.
    pipe.call(3, "quick").await;
    let (resp, skipped) = pipe.response(3).await;
    assert_eq!(text(&resp), "ok");
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(pipe.recv(Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn one_request_too_many_to_the_client_fails_at_once_with_a_clear_error() {
    let server = Server::new("pending")
        .configure(|c| c.max_pending_outgoing = 2)
        .tool(three_roots);
    let mut pipe = Pipe::start(server).await;
    pipe.call(1, "three_roots").await;
    // Never answer the roots requests.
    let (resp, skipped) = pipe.response(1).await;
    let sent: Vec<&Value> = skipped
        .iter()
        .filter(|m| m["method"] == "roots/list")
        .collect();
    assert_eq!(sent.len(), 2, "{skipped:?}");
    let lines: Vec<&str> = text(&resp).lines().collect();
    assert_eq!(lines.len(), 3, "{resp}");
    assert_eq!(
        lines.iter().filter(|l| **l == "no answer").count(),
        2,
        "{lines:?}"
    );
    let refused = lines
        .iter()
        .find(|l| l.starts_with("error"))
        .expect("one refused");
    assert!(
        refused.starts_with("error -32603")
            && refused.contains("too many requests are awaiting a response"),
        "{refused}"
    );
}

#[tokio::test]
async fn stdio_stops_reading_at_max_in_flight_and_resumes_when_a_slot_frees() {
    let server = Server::new("backpressure")
        .configure(|c| c.max_in_flight = 2)
        .tool(gate);
    let mut pipe = Pipe::start(server).await;
    for id in 10..15 {
        pipe.call(id, "gate").await;
    }
    pipe.send(json!({"jsonrpc":"2.0","id":99,"method":"ping"}))
        .await;
    // Two run; the server reads no further, so even the ping waits.
    assert_eq!(pipe.recv(Duration::from_millis(500)).await, None);
    assert_eq!(RUNNING.load(Ordering::SeqCst), 2);

    // Open the gate one call at a time: each answer frees a slot and the next line is read.
    let mut seen = Vec::new();
    for _ in 10..15 {
        GATE.add_permits(1);
        let msg = pipe.recv(Duration::from_secs(10)).await.expect("an answer");
        seen.push(msg["id"].as_u64().unwrap());
        if msg["id"] == 99 {
            let msg = pipe.recv(Duration::from_secs(10)).await.expect("an answer");
            seen.push(msg["id"].as_u64().unwrap());
        } else {
            assert_eq!(text(&msg), "passed");
        }
    }
    while seen.len() < 6 {
        let msg = pipe
            .recv(Duration::from_secs(10))
            .await
            .expect("the ping's answer");
        seen.push(msg["id"].as_u64().unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, [10, 11, 12, 13, 14, 99]);
    assert!(
        MOST_RUNNING.load(Ordering::SeqCst) <= 2,
        "more than 2 ran at once"
    );
    assert_eq!(
        pipe.recv(Duration::from_millis(200)).await,
        None,
        "a duplicate answer"
    );
}
