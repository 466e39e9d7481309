//! Every message our servers emit in a broad session validates against the official
//! 2025-11-25 JSON schema: the envelope, and each result against the result type of the
//! request it answers.

use std::collections::HashMap;

use mcp_tests::{StdioServer, validate_2025_11_25};
use serde_json::{Value, json};

fn result_type(method: &str) -> &'static str {
    match method {
        "initialize" => "InitializeResult",
        "tools/list" => "ListToolsResult",
        "tools/call" => "CallToolResult",
        "ping" | "logging/setLevel" => "EmptyResult",
        other => panic!("no result type known for {other}"),
    }
}

fn notification_type(method: &str) -> &'static str {
    match method {
        "notifications/progress" => "ProgressNotification",
        "notifications/message" => "LoggingMessageNotification",
        other => panic!("unexpected notification {other}"),
    }
}

/// Sends each request, reads every message up to its response, validates all of them.
async fn exercise(binary: &str, requests: &[(&str, Value)]) -> usize {
    let mut s = StdioServer::spawn(binary, &[]).await;
    let mut methods = HashMap::new();
    let mut checked = 0;
    for (i, (method, params)) in requests.iter().enumerate() {
        let id = json!(i);
        methods.insert(id.to_string(), *method);
        s.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        if *method == "initialize" {
            s.notify("notifications/initialized", json!({})).await;
        }
        loop {
            let msg = s.recv().await;
            let failures =
                |what: &str, e: String| panic!("{binary}: {what} does not validate: {e}\n{msg}");
            if let Some(m) = msg.get("method").and_then(Value::as_str) {
                validate_2025_11_25(notification_type(m), &msg).unwrap_or_else(|e| failures(m, e));
                checked += 1;
                continue;
            }
            if msg.get("error").is_some() {
                validate_2025_11_25("JSONRPCErrorResponse", &msg)
                    .unwrap_or_else(|e| failures("error", e));
            } else {
                validate_2025_11_25("JSONRPCResultResponse", &msg)
                    .unwrap_or_else(|e| failures("response", e));
                let method = methods[&msg["id"].to_string()];
                validate_2025_11_25(result_type(method), &msg["result"])
                    .unwrap_or_else(|e| failures(result_type(method), e));
            }
            checked += 1;
            if msg["id"] == id {
                break;
            }
        }
    }
    checked
}

fn init() -> (&'static str, Value) {
    (
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "schema-test", "version": "1"}}),
    )
}

#[tokio::test]
async fn everything_the_echo_server_sends_validates() {
    let checked = exercise(
        "echo",
        &[
            ("ping", json!({})),
            init(),
            ("tools/list", json!({})),
            ("logging/setLevel", json!({"level": "debug"})),
            ("tools/call", json!({"name": "echo", "arguments": {"text": "hi"}})),
            ("tools/call", json!({"name": "slow_count", "arguments": {"n": 3, "delay_ms": 0}, "_meta": {"progressToken": 5}})),
            ("tools/call", json!({"name": "slow_count", "arguments": {"n": 2, "delay_ms": 0}, "_meta": {"progressToken": "p"}})),
            ("tools/call", json!({"name": "echo", "arguments": {"text": 1}})),
            ("tools/call", json!({"name": "missing"})),
            ("tools/list", json!({"cursor": "bogus"})),
            ("no/such/method", json!({})),
        ],
    )
    .await;
    assert!(checked >= 16, "only {checked} messages checked");
}

#[tokio::test]
async fn everything_the_quickstart_server_sends_validates() {
    let checked = exercise(
        "quickstart",
        &[
            init(),
            ("tools/list", json!({})),
            (
                "tools/call",
                json!({"name": "add", "arguments": {"a": 1.5, "b": 2}}),
            ),
            (
                "tools/call",
                json!({"name": "greet", "arguments": {"name": "Ada", "language": "fr"}}),
            ),
            (
                "tools/call",
                json!({"name": "greet", "arguments": {"name": "Ada", "language": "xx"}}),
            ),
            (
                "tools/call",
                json!({"name": "stats", "arguments": {"values": [1, 2, 3]}}),
            ),
            (
                "tools/call",
                json!({"name": "stats", "arguments": {"values": []}}),
            ),
        ],
    )
    .await;
    assert!(checked >= 7);
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    // Guard against a validator that accepts everything.
    assert!(validate_2025_11_25("CallToolResult", &json!({"content": "not an array"})).is_err());
    assert!(
        validate_2025_11_25(
            "JSONRPCErrorResponse",
            &json!({"jsonrpc": "2.0", "id": null, "error": {"code": 1, "message": "x"}})
        )
        .is_err()
    );
    assert!(
        validate_2025_11_25(
            "InitializeResult",
            &json!({"protocolVersion": "2025-11-25"})
        )
        .is_err()
    );
}
