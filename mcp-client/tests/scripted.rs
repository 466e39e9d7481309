//! The client against a scripted in-memory server: handshake, negotiation, server-to-client
//! requests, notifications, pagination, cancellation reasons and a vanishing server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_client::mcp_core::model::LoggingLevel;
use mcp_client::mcp_core::version::ProtocolVersion;
use mcp_client::{CallOptions, Client, ClientError, ServerNotification};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Every message the client sent, in order.
type Wire = Arc<Mutex<Vec<Value>>>;

/// Starts a server that answers each message with what `script` returns, and connects a client
/// built by `builder` to it.
async fn connect(
    builder: mcp_client::ClientBuilder,
    script: impl Fn(&Value) -> Vec<Value> + Send + 'static,
) -> (Result<Client, ClientError>, Wire) {
    let (client_side, server_side) = tokio::io::duplex(64 * 1024);
    let (client_read, client_write) = tokio::io::split(client_side);
    let (server_read, mut server_write) = tokio::io::split(server_side);
    let wire: Wire = Arc::default();
    let log = wire.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(server_read).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let msg: Value = serde_json::from_str(&line).expect("the client sends JSON");
            log.lock().unwrap().push(msg.clone());
            for reply in script(&msg) {
                let mut bytes = reply.to_string().into_bytes();
                bytes.push(b'\n');
                if server_write.write_all(&bytes).await.is_err() {
                    return;
                }
            }
        }
    });
    (builder.connect_io(client_read, client_write).await, wire)
}

fn init_result(id: &Value, version: &str) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id,
        "result": {
            "protocolVersion": version,
            "capabilities": { "tools": {}, "logging": {} },
            "serverInfo": { "name": "scripted", "version": "9.9" },
            "instructions": "Use with care."
        }
    })
}

fn result(id: &Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// A server that initializes at `version` and answers `ping`.
fn basic(version: &'static str) -> impl Fn(&Value) -> Vec<Value> + Send + 'static {
    move |msg| match msg["method"].as_str() {
        Some("initialize") => vec![init_result(&msg["id"], version)],
        Some("ping") => vec![result(&msg["id"], json!({}))],
        _ => vec![],
    }
}

fn sent(wire: &Wire, method: &str) -> Vec<Value> {
    wire.lock()
        .unwrap()
        .iter()
        .filter(|m| m["method"] == method)
        .cloned()
        .collect()
}

#[tokio::test]
async fn handshake_offers_the_latest_and_sends_initialized() {
    let (client, wire) = connect(
        Client::builder().name("tester").version("1.0"),
        basic("2025-11-25"),
    )
    .await;
    let client = client.expect("connect");
    assert_eq!(client.negotiated_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(client.server_info().name, "scripted");
    assert_eq!(client.instructions(), Some("Use with care."));
    assert!(client.server_capabilities().logging.is_some());
    client.ping().await.expect("ping");
    let init = &sent(&wire, "initialize")[0];
    assert_eq!(init["params"]["protocolVersion"], "2025-11-25");
    assert_eq!(
        init["params"]["clientInfo"],
        json!({ "name": "tester", "version": "1.0" })
    );
    assert_eq!(sent(&wire, "notifications/initialized").len(), 1);
    // `initialize` comes first, `notifications/initialized` right after it.
    let methods: Vec<Value> = wire
        .lock()
        .unwrap()
        .iter()
        .map(|m| m["method"].clone())
        .collect();
    assert_eq!(
        methods[..2],
        [json!("initialize"), json!("notifications/initialized")]
    );
}

#[tokio::test]
async fn older_revisions_are_accepted() {
    for (version, expected) in [
        ("2025-06-18", ProtocolVersion::V2025_06_18),
        ("2025-03-26", ProtocolVersion::V2025_03_26),
        ("2024-11-05", ProtocolVersion::V2024_11_05),
    ] {
        let (client, _) = connect(Client::builder(), basic(version)).await;
        assert_eq!(client.expect("connect").negotiated_version(), expected);
    }
}

#[tokio::test]
async fn unknown_revisions_are_refused() {
    let (client, wire) = connect(Client::builder(), basic("2099-01-01")).await;
    match client {
        Err(ClientError::UnsupportedProtocolVersion(v)) => assert_eq!(v, "2099-01-01"),
        other => panic!("expected an unsupported version error, got {other:?}"),
    }
    assert!(sent(&wire, "notifications/initialized").is_empty());
}

#[tokio::test]
async fn initialize_error_is_a_protocol_error() {
    let script = |msg: &Value| match msg["method"].as_str() {
        Some("initialize") => {
            vec![
                json!({ "jsonrpc": "2.0", "id": msg["id"], "error": { "code": -32602, "message": "no" } }),
            ]
        }
        _ => vec![],
    };
    let (client, _) = connect(Client::builder(), script).await;
    let err = client.expect_err("initialize fails");
    assert_eq!(err.as_protocol().map(|e| e.code.0), Some(-32602), "{err:?}");
}

#[tokio::test]
async fn server_requests_get_answers_not_silence() {
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    let script = move |msg: &Value| {
        if msg.get("method").is_none() {
            // A response to one of our requests.
            tx.send(msg.clone()).unwrap();
            return vec![];
        }
        match msg["method"].as_str() {
            Some("initialize") => vec![init_result(&msg["id"], "2025-11-25")],
            Some("notifications/initialized") => vec![
                json!({ "jsonrpc": "2.0", "id": "a", "method": "sampling/createMessage", "params": {} }),
                json!({ "jsonrpc": "2.0", "id": "b", "method": "ping" }),
                json!({ "jsonrpc": "2.0", "id": "c", "method": "roots/list" }),
            ],
            _ => vec![],
        }
    };
    let builder = Client::builder().on_request("roots/list", |_params| async {
        Ok(json!({ "roots": [{ "uri": "file:///work", "name": "work" }] }))
    });
    let (client, _) = connect(builder, script).await;
    let _client = client.expect("connect");
    let mut answers = std::collections::HashMap::new();
    for _ in 0..3 {
        let answer = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("answered")
            .unwrap();
        answers.insert(answer["id"].as_str().unwrap().to_owned(), answer);
    }
    assert_eq!(answers["a"]["error"]["code"], -32601);
    assert_eq!(answers["b"]["result"], json!({}));
    assert_eq!(answers["c"]["result"]["roots"][0]["uri"], "file:///work");
}

#[tokio::test]
async fn notifications_reach_the_callback() {
    let script = |msg: &Value| match msg["method"].as_str() {
        Some("initialize") => vec![init_result(&msg["id"], "2025-11-25")],
        Some("logging/setLevel") => vec![
            json!({ "jsonrpc": "2.0", "method": "notifications/message",
                    "params": { "level": "warning", "logger": "db", "data": "slow query" } }),
            json!({ "jsonrpc": "2.0", "method": "notifications/tools/list_changed" }),
            json!({ "jsonrpc": "2.0", "method": "notifications/resources/updated", "params": { "uri": "file:///x" } }),
            result(&msg["id"], json!({})),
        ],
        _ => vec![],
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let builder = Client::builder().on_notification(move |n| sink.lock().unwrap().push(n));
    let (client, wire) = connect(builder, script).await;
    let client = client.expect("connect");
    client
        .set_log_level(LoggingLevel::Warning)
        .await
        .expect("setLevel");
    assert_eq!(
        sent(&wire, "logging/setLevel")[0]["params"],
        json!({ "level": "warning" })
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        matches!(&seen[0], ServerNotification::LoggingMessage(p) if p.level == LoggingLevel::Warning)
    );
    assert_eq!(seen[1], ServerNotification::ToolListChanged);
    assert!(matches!(&seen[2], ServerNotification::ResourceUpdated(p) if p.uri == "file:///x"));
}

#[tokio::test]
async fn list_all_walks_every_cursor() {
    let script = |msg: &Value| match msg["method"].as_str() {
        Some("initialize") => vec![init_result(&msg["id"], "2025-11-25")],
        Some("tools/list") => {
            let tool = |name: &str| json!({ "name": name, "inputSchema": { "type": "object" } });
            let page = match msg["params"]["cursor"].as_str() {
                None => json!({ "tools": [tool("a"), tool("b")], "nextCursor": "p2" }),
                Some("p2") => json!({ "tools": [tool("c")], "nextCursor": "p3" }),
                Some("p3") => json!({ "tools": [tool("d")] }),
                Some(_) => json!({ "tools": [], "nextCursor": "p2" }),
            };
            vec![result(&msg["id"], page)]
        }
        Some("prompts/list") => vec![result(
            &msg["id"],
            json!({ "prompts": [], "nextCursor": "same" }),
        )],
        _ => vec![],
    };
    let (client, _) = connect(Client::builder(), script).await;
    let client = client.expect("connect");
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let page = client.list_tools(Some("p2".into())).await.unwrap();
    assert_eq!(page.tools.len(), 1);
    assert_eq!(page.next_cursor.as_deref(), Some("p3"));
    let err = client
        .list_all_prompts()
        .await
        .expect_err("a repeated cursor never ends");
    assert!(matches!(err, ClientError::RepeatedCursor { .. }), "{err:?}");
}

#[tokio::test]
async fn cancellation_reasons_reach_the_server() {
    let (client, wire) = connect(Client::builder(), basic("2025-11-25")).await;
    let client = client.expect("connect");

    let err = client
        .call_tool_with(
            "hang",
            json!({}),
            CallOptions::new().timeout(Duration::from_millis(50)),
        )
        .await
        .expect_err("no answer");
    assert!(err.is_timeout(), "{err:?}");

    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        trigger.cancel();
    });
    let err = client
        .call_tool_with(
            "hang",
            json!({ "x": 1 }),
            CallOptions::new().cancel_on(token, "interrupted"),
        )
        .await
        .expect_err("cancelled");
    assert!(
        matches!(&err, ClientError::Cancelled { reason, .. } if reason == "interrupted"),
        "{err:?}"
    );

    let dropped = client.call_tool("hang", json!({}));
    assert!(
        tokio::time::timeout(Duration::from_millis(50), dropped)
            .await
            .is_err()
    );

    client.ping().await.expect("ping flushes what came before");
    let calls = sent(&wire, "tools/call");
    let cancels = sent(&wire, "notifications/cancelled");
    assert_eq!(calls.len(), 3);
    assert_eq!(cancels.len(), 3, "{cancels:?}");
    let reasons: Vec<&Value> = cancels.iter().map(|c| &c["params"]["reason"]).collect();
    assert_eq!(reasons, ["timeout", "interrupted", "request dropped"]);
    for (call, cancel) in calls.iter().zip(&cancels) {
        assert_eq!(call["id"], cancel["params"]["requestId"]);
        // The client's internal bookkeeping never reaches the wire.
        assert!(call["params"].get("_meta").is_none(), "{call}");
    }
    assert_eq!(calls[1]["params"]["arguments"], json!({ "x": 1 }));
}

#[tokio::test]
async fn a_vanishing_server_fails_pending_calls() {
    // The server answers `initialize` and then closes the connection when a tool is called.
    let (client_side, server_side) = tokio::io::duplex(64 * 1024);
    let (client_read, client_write) = tokio::io::split(client_side);
    tokio::spawn(async move {
        let (server_read, mut server_write) = tokio::io::split(server_side);
        let mut lines = BufReader::new(server_read).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let msg: Value = serde_json::from_str(&line).unwrap();
            match msg["method"].as_str() {
                Some("initialize") => {
                    let mut bytes = init_result(&msg["id"], "2025-11-25")
                        .to_string()
                        .into_bytes();
                    bytes.push(b'\n');
                    server_write.write_all(&bytes).await.unwrap();
                }
                Some("tools/call") => return,
                _ => {}
            }
        }
    });
    let client = Client::builder()
        .connect_io(client_read, client_write)
        .await
        .expect("connect");
    let err = client
        .call_tool("x", json!({}))
        .await
        .expect_err("connection closed");
    assert!(matches!(err, ClientError::ConnectionClosed(_)), "{err:?}");
    assert!(err.is_connection());
    assert!(client.is_closed());
    tokio::time::timeout(Duration::from_secs(1), client.closed())
        .await
        .expect("closed() returns once closed");
    let err = client.ping().await.expect_err("still closed");
    assert!(matches!(err, ClientError::ConnectionClosed(_)), "{err:?}");
}

#[tokio::test]
async fn initialize_times_out_without_being_cancelled() {
    let silent = |_: &Value| Vec::new();
    let builder = Client::builder().initialize_timeout(Duration::from_millis(100));
    let (client, wire) = connect(builder, silent).await;
    let err = client.expect_err("no answer to initialize");
    assert!(err.is_timeout(), "{err:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sent(&wire, "initialize").len(), 1);
    // The specification forbids cancelling `initialize`.
    assert!(
        sent(&wire, "notifications/cancelled").is_empty(),
        "{:?}",
        wire.lock().unwrap()
    );
}
