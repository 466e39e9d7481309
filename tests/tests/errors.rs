//! The error guide (docs/errors.md), row by row, through a client over stdio: the exact code
//! or `isError` shape and message, and the server still serving afterwards. The harness
//! rejects any stdout line that is not a JSON message, so stdout purity is checked throughout.

use mcp_tests::{StdioServer, error_code, first_text};
use serde_json::json;

async fn errors_server() -> StdioServer {
    let mut s = StdioServer::spawn("errors-server", &[]).await;
    s.initialize().await;
    s
}

async fn call(s: &mut StdioServer, input: &str) -> serde_json::Value {
    s.call_tool("safe_operation", json!({ "input": input }))
        .await
}

#[tokio::test]
async fn the_seed_safe_operation_maps_each_failure_as_the_guide_says() {
    let mut s = errors_server().await;
    let protocol_rows = [
        ("", -32602, "Input cannot be empty".to_string()),
        (
            &*"x".repeat(10_001),
            -32602,
            "Input too large: 10001 chars (max 10000)".to_string(),
        ),
        (
            "forbidden thing",
            -32600,
            "Permission denied: read forbidden thing".to_string(),
        ),
        (
            "missing thing",
            -32600,
            "Not found: missing thing".to_string(),
        ),
        (
            "db-down",
            -32603,
            "Database connection failed: connection refused".to_string(),
        ),
        (
            "slow query",
            -32603,
            "Operation timed out: no answer within 30 s".to_string(),
        ),
    ];
    for (input, code, message) in &protocol_rows {
        let resp = call(&mut s, input).await;
        assert_eq!(error_code(&resp), *code, "{input:.20}: {resp}");
        assert_eq!(resp["error"]["message"], *message);
    }
    let resp = call(&mut s, "fail please").await;
    assert_eq!(resp["result"]["isError"], true);
    assert_eq!(
        first_text(&resp),
        "Could not process \"fail please\": the operation rejected it"
    );
    let resp = call(&mut s, "hello").await;
    assert_eq!(first_text(&resp), "HELLO");
    assert!(resp["result"].get("isError").is_none());
}

#[tokio::test]
async fn a_panicking_tool_returns_a_generic_internal_error_and_the_next_call_succeeds() {
    let mut s = errors_server().await;
    let resp = call(&mut s, "panic now").await;
    assert_eq!(error_code(&resp), -32603);
    assert_eq!(resp["error"]["message"], "Internal error");
    assert!(
        !resp.to_string().contains("/srv/app"),
        "panic details leaked to the client"
    );
    // The detail is in the server's own log, on stderr.
    let resp = call(&mut s, "ok").await;
    assert_eq!(first_text(&resp), "OK");
    assert!(
        s.stderr_text().contains("invariant broken"),
        "stderr: {}",
        s.stderr_text()
    );
    for _ in 0..3 {
        assert_eq!(error_code(&call(&mut s, "panic again").await), -32603);
    }
    assert_eq!(first_text(&call(&mut s, "alive").await), "ALIVE");
}

#[tokio::test]
async fn argument_schema_failures_are_tool_results_naming_the_field() {
    let mut s = errors_server().await;
    let resp = s.call_tool("safe_operation", json!({ "input": 42 })).await;
    assert_eq!(resp["result"]["isError"], true);
    assert_eq!(
        first_text(&resp),
        "Invalid arguments for tool `safe_operation`: argument `input`: invalid type: integer `42`, expected a string"
    );
    let resp = s.call_tool("safe_operation", json!({})).await;
    assert_eq!(
        first_text(&resp),
        "Invalid arguments for tool `safe_operation`: missing required argument `input`"
    );
    let resp = s
        .request(
            "tools/call",
            json!({"name": "safe_operation", "arguments": "input"}),
        )
        .await;
    assert_eq!(
        first_text(&resp),
        "Invalid arguments for tool `safe_operation`: `arguments` must be a JSON object"
    );
}

#[tokio::test]
async fn protocol_rows_of_the_guide() {
    let mut s = errors_server().await;
    let resp = s.request("tools/call", json!({"name": "nope"})).await;
    assert_eq!(
        (
            error_code(&resp),
            resp["error"]["message"].as_str().unwrap()
        ),
        (-32602, "Unknown tool: nope")
    );
    let resp = s.request("prompts/list", json!({})).await;
    assert_eq!(error_code(&resp), -32601);
    let resp = s
        .request("tools/list", json!({"cursor": "offset:999"}))
        .await;
    assert_eq!(error_code(&resp), -32602);
    let resp = s
        .request("logging/setLevel", json!({"level": "verbose"}))
        .await;
    assert_eq!(error_code(&resp), -32602);
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("emergency")
    );
    let resp = s.request("tools/call", json!({"arguments": {}})).await;
    assert_eq!(error_code(&resp), -32602);
    assert!(resp["error"]["message"].as_str().unwrap().contains("name"));
    // A response to a request the server never sent is ignored.
    s.send(&json!({"jsonrpc": "2.0", "id": 12345, "result": {}}))
        .await;
    assert_eq!(first_text(&call(&mut s, "after").await), "AFTER");
}
