//! The hostile-input table (mcp-server/docs/hostile-input.md), run against the echo example over
//! stdio and over Streamable HTTP. Every row pins the outcome, and after every row the next
//! valid request on the same session must still work.

use std::time::Duration;

use mcp_tests::raw_http::{self, Session};
use mcp_tests::{StdioServer, error_code, first_text, spawn_http_example};
use serde_json::{Value, json};

/// What a row must produce.
#[derive(Debug, Clone)]
enum Outcome {
    /// A JSON-RPC error with this code and this id (`None`: no `id` member at all).
    Error(i64, Option<Value>),
    /// No answer at all (HTTP: 202 Accepted with an empty body).
    Nothing,
    /// A successful `echo` result with this text and this id.
    Echo(Value, String),
    /// A tool result with `isError: true` whose text contains this, and this id.
    ToolError(Value, &'static str),
}

struct Row {
    what: &'static str,
    input: Vec<u8>,
    outcome: Outcome,
    /// The HTTP status when the row is POSTed in a session.
    http_status: u16,
}

fn call(id: &Value, text: &str) -> Vec<u8> {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call",
        "params":{"name":"echo","arguments":{"text":text}}})
    .to_string()
    .into_bytes()
}

/// A tools/call whose JSON nests `depth + 3` levels deep (envelope, params, arguments, then
/// `depth` arrays).
fn nested(depth: usize) -> Vec<u8> {
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"x","deep":{}{}}}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    )
    .into_bytes()
}

/// Text sizes around the default maximum message size (4 MiB).
const UNDER_LIMIT: usize = 3 * 1024 * 1024;
const OVER_LIMIT: usize = 5 * 1024 * 1024;

/// The rows shared by both transports. The oversized row differs per transport and is added by
/// each test.
fn rows() -> Vec<Row> {
    let e = |code: i64| Outcome::Error(code, None);
    let mut rows = vec![
        Row {
            what: "invalid UTF-8 outside any string",
            input: b"\xff\xfe{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".to_vec(),
            outcome: e(-32700),
            http_status: 400,
        },
        Row {
            what: "invalid UTF-8 inside a string argument",
            input: b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"a\xff\xfeb\"}}}".to_vec(),
            outcome: e(-32700),
            http_status: 400,
        },
        Row {
            what: "an overlong UTF-8 encoding (0xC0 0xAF for '/')",
            input: b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"\xc0\xaf\"}}}".to_vec(),
            outcome: e(-32700),
            http_status: 400,
        },
        Row {
            what: "nesting one level deeper than the limit (129)",
            input: nested(129 - 3),
            outcome: e(-32700),
            http_status: 400,
        },
        Row {
            what: "nesting 100,000 levels deep",
            input: nested(100_000),
            outcome: e(-32700),
            http_status: 400,
        },
        Row {
            what: "nesting just under the limit is accepted",
            input: nested(128 - 3),
            outcome: Outcome::Echo(json!(1), "x".into()),
            http_status: 200,
        },
        Row {
            what: "a huge float id (1e400)",
            input: br#"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#.to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "an integer id beyond i64 (2^64)",
            input: br#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"ping"}"#.to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "an id of 400 digits",
            input: format!(r#"{{"jsonrpc":"2.0","id":{},"method":"ping"}}"#, "9".repeat(400))
                .into_bytes(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "the smallest i64 id is echoed exactly",
            input: call(&json!(i64::MIN), "min"),
            outcome: Outcome::Echo(json!(i64::MIN), "min".into()),
            http_status: 200,
        },
        Row {
            what: "a huge number in an argument the tool ignores (1e400)",
            input: br#"{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"echo","arguments":{"text":"n","extra":1e400}}}"#.to_vec(),
            outcome: Outcome::Echo(json!("big"), "n".into()),
            http_status: 200,
        },
        Row {
            what: "a huge number in an integer argument (1e400)",
            input: br#"{"jsonrpc":"2.0","id":"big2","method":"tools/call","params":{"name":"slow_count","arguments":{"n":1e400}}}"#.to_vec(),
            outcome: Outcome::ToolError(json!("big2"), "`n`"),
            http_status: 200,
        },
        Row {
            what: "an integer argument beyond u64 (2^64)",
            input: br#"{"jsonrpc":"2.0","id":"big3","method":"tools/call","params":{"name":"slow_count","arguments":{"n":18446744073709551616}}}"#.to_vec(),
            outcome: Outcome::ToolError(json!("big3"), "`n`"),
            http_status: 200,
        },
        Row {
            what: "a duplicate `method` in the envelope",
            input: br#"{"jsonrpc":"2.0","id":3,"method":"ping","method":"tools/list"}"#.to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "a duplicate `jsonrpc` in the envelope",
            input: br#"{"jsonrpc":"2.0","jsonrpc":"2.0","id":3,"method":"ping"}"#.to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "a duplicate `id` in the envelope",
            input: br#"{"jsonrpc":"2.0","id":3,"id":4,"method":"ping"}"#.to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
    ];
    for (what, id) in [
        ("id true", "true"),
        ("id false", "false"),
        ("id 1.5", "1.5"),
        ("id 1e3 (a float in JSON)", "1e3"),
        ("id {}", "{}"),
        ("id {\"a\":1}", "{\"a\":1}"),
        ("id []", "[]"),
        ("id [1]", "[1]"),
        ("id null", "null"),
    ] {
        rows.push(Row {
            what,
            input: format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#).into_bytes(),
            outcome: e(-32600),
            http_status: 400,
        });
    }
    rows.extend([
        Row {
            what: "a result for a request never sent",
            input: br#"{"jsonrpc":"2.0","id":4242,"result":{}}"#.to_vec(),
            outcome: Outcome::Nothing,
            http_status: 202,
        },
        Row {
            what: "an error for a request never sent",
            input: br#"{"jsonrpc":"2.0","id":"nope","error":{"code":-1,"message":"x"}}"#.to_vec(),
            outcome: Outcome::Nothing,
            http_status: 202,
        },
        Row {
            what: "an error response without an id",
            input: br#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"x"}}"#.to_vec(),
            outcome: Outcome::Nothing,
            http_status: 202,
        },
        Row {
            what: "a cancellation naming a request that does not exist",
            input: br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"ghost"}}"#.to_vec(),
            outcome: Outcome::Nothing,
            http_status: 202,
        },
        Row {
            what: "a notification method carrying an id is a request",
            input: br#"{"jsonrpc":"2.0","id":"n1","method":"notifications/initialized"}"#.to_vec(),
            outcome: Outcome::Error(-32601, Some(json!("n1"))),
            http_status: 200,
        },
        Row {
            what: "a second initialize",
            input: br#"{"jsonrpc":"2.0","id":"i2","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#.to_vec(),
            outcome: Outcome::Error(-32600, Some(json!("i2"))),
            http_status: 200,
        },
        Row {
            what: "a batch (not allowed by 2025-11-25)",
            input: br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#.to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "an empty batch",
            input: b"[]".to_vec(),
            outcome: e(-32600),
            http_status: 400,
        },
        Row {
            what: "a gigantic string argument under the size limit (3 MiB)",
            input: call(&json!("huge"), &"y".repeat(UNDER_LIMIT)),
            outcome: Outcome::Echo(json!("huge"), "y".repeat(UNDER_LIMIT)),
            http_status: 200,
        },
    ]);
    rows
}

fn check(what: &str, transport: &str, outcome: &Outcome, resp: &Value) {
    match outcome {
        Outcome::Error(code, id) => {
            assert_eq!(
                error_code(resp),
                *code,
                "{transport}: {what}: wrong error in {resp}"
            );
            assert_eq!(
                resp.get("id"),
                id.as_ref(),
                "{transport}: {what}: wrong id in {resp}"
            );
            assert!(
                resp["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{transport}: {what}: no message in {resp}"
            );
        }
        Outcome::Echo(id, text) => {
            assert_eq!(&resp["id"], id, "{transport}: {what}: wrong id");
            assert!(
                first_text(resp) == text,
                "{transport}: {what}: wrong echo (length {})",
                first_text(resp).len()
            );
        }
        Outcome::ToolError(id, needle) => {
            assert_eq!(&resp["id"], id, "{transport}: {what}: wrong id");
            assert_eq!(
                resp["result"]["isError"], true,
                "{transport}: {what}: {resp}"
            );
            assert!(
                first_text(resp).contains(needle),
                "{transport}: {what}: {resp}"
            );
        }
        Outcome::Nothing => unreachable!(),
    }
}

async fn stdio_still_serving(s: &mut StdioServer) {
    // `response` panics on any response other than the one awaited, so a stray answer to the
    // row before (e.g. to a response or a notification) fails the test here.
    let resp = s.call_tool("echo", json!({"text": "still here"})).await;
    assert_eq!(first_text(&resp), "still here");
}

#[tokio::test]
async fn stdio_table() {
    let mut s = StdioServer::spawn("echo", &[]).await;
    s.initialize().await;
    let mut rows = rows();
    rows.push(Row {
        what: "a gigantic string argument over the size limit (5 MiB)",
        input: call(&json!("too-big"), &"z".repeat(OVER_LIMIT)),
        // The line is discarded unread up to its newline, so its id is unknown.
        outcome: Outcome::Error(-32600, None),
        http_status: 0,
    });
    for row in rows {
        s.send_raw(&row.input).await;
        match &row.outcome {
            Outcome::Nothing => {}
            outcome => {
                let resp = s.recv().await;
                check(row.what, "stdio", outcome, &resp);
            }
        }
        stdio_still_serving(&mut s).await;
    }
    assert!(
        s.try_recv(Duration::from_millis(200)).await.is_none(),
        "stray output after the table"
    );
}

#[tokio::test]
async fn stdio_requests_before_initialize() {
    let mut s = StdioServer::spawn("echo", &[]).await;
    // ping is allowed before initialize.
    let resp = s.request("ping", json!({})).await;
    assert_eq!(resp["result"], json!({}));
    for method in [
        "tools/list",
        "tools/call",
        "resources/list",
        "logging/setLevel",
    ] {
        let resp = s.request(method, json!({})).await;
        assert_eq!(
            error_code(&resp),
            -32600,
            "{method} before initialize: {resp}"
        );
    }
    s.initialize().await;
    stdio_still_serving(&mut s).await;
}

#[tokio::test]
async fn http_table() {
    let server = spawn_http_example("echo", &[]);
    let session = Session::open(&server.url).await;
    let mut rows = rows();
    rows.push(Row {
        what: "a gigantic string argument over the size limit (5 MiB)",
        input: call(&json!("too-big"), &"z".repeat(OVER_LIMIT)),
        outcome: Outcome::Error(-32600, None),
        http_status: 413,
    });
    for row in rows {
        let reply = session.send(&row.input).await;
        assert_eq!(
            reply.status,
            row.http_status,
            "http: {}: status; body {}",
            row.what,
            String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)])
        );
        match &row.outcome {
            Outcome::Nothing => assert!(
                reply.body.is_empty(),
                "http: {}: unexpected body {:?}",
                row.what,
                String::from_utf8_lossy(&reply.body)
            ),
            outcome if row.http_status == 413 => {
                // The body is refused before it is parsed: a JSON-RPC error, no id.
                let resp = reply.response();
                check(row.what, "http", outcome, &resp);
            }
            outcome => check(row.what, "http", outcome, &reply.response()),
        }
        session.still_serving().await;
    }
}

#[tokio::test]
async fn http_cancelling_another_sessions_request_has_no_effect() {
    let server = spawn_http_example("echo", &[]);
    let a = Session::open(&server.url).await;
    let b = Session::open(&server.url).await;
    let slow = json!({"jsonrpc":"2.0","id":"slow","method":"tools/call",
        "params":{"name":"slow_count","arguments":{"n":20,"delay_ms":50}}});
    let a2 = a.clone();
    let running = tokio::spawn(async move { a2.send(slow.to_string().as_bytes()).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Session B names A's request id, both as a string and as a number.
    for id in [json!("slow"), json!(1)] {
        let cancel = json!({"jsonrpc":"2.0","method":"notifications/cancelled",
            "params":{"requestId":id,"reason":"hostile"}});
        let r = b.send(cancel.to_string().as_bytes()).await;
        assert_eq!(r.status, 202, "{r:?}");
    }
    let reply = running.await.expect("join");
    let resp = reply.response();
    assert_eq!(
        first_text(&resp),
        "counted to 20",
        "session A's call was affected by session B: {resp}"
    );
    a.still_serving().await;
    b.still_serving().await;
}

#[tokio::test]
async fn http_requests_without_a_session_are_refused() {
    let server = spawn_http_example("echo", &[]);
    let addr = raw_http::authority(&server.url);
    let reply = raw_http::post(
        addr,
        None,
        br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
    )
    .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    let reply = raw_http::post(
        addr,
        Some("not-a-session"),
        br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
    )
    .await;
    assert_eq!(reply.status, 404, "{reply:?}");
    Session::open(&server.url).await.still_serving().await;
}
