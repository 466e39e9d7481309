//! The echo example driven over stdio with raw JSON-RPC: lifecycle, negotiation, tools, and
//! every kind of bad input, checking the exact error and that the server keeps serving.

use std::time::Duration;

use mcp_tests::{StdioServer, error_code, first_text};
use serde_json::{Value, json};

async fn echo_server() -> StdioServer {
    let mut s = StdioServer::spawn("echo", &[]).await;
    let init = s.initialize().await;
    assert_eq!(init["protocolVersion"], "2025-11-25");
    s
}

/// After any bad input the next valid request must still work.
async fn still_serving(s: &mut StdioServer) {
    let resp = s.call_tool("echo", json!({"text": "still here"})).await;
    assert_eq!(first_text(&resp), "still here");
}

#[tokio::test]
async fn initialize_reports_the_servers_own_name_and_version() {
    let mut s = StdioServer::spawn("echo", &[]).await;
    let init = s.initialize().await;
    assert_eq!(init["serverInfo"]["name"], "echo");
    // The example crate's version (1.0.0), not the SDK's.
    assert_eq!(init["serverInfo"]["version"], "1.0.0");
    assert!(init["capabilities"]["tools"].is_object());
    assert!(init["capabilities"]["logging"].is_object());
}

#[tokio::test]
async fn version_negotiation_echoes_known_revisions_and_counters_unknown_ones() {
    for (asked, answered) in [
        ("2025-11-25", "2025-11-25"),
        ("2025-06-18", "2025-06-18"),
        ("2025-03-26", "2025-03-26"),
        ("2024-11-05", "2024-11-05"),
        ("2099-01-01", "2025-11-25"),
    ] {
        let mut s = StdioServer::spawn("echo", &[]).await;
        let init = s.initialize_version(asked).await;
        assert_eq!(init["protocolVersion"], answered, "asked for {asked}");
    }
}

#[tokio::test]
async fn tools_list_shows_schemas_built_from_the_signatures() {
    let mut s = echo_server().await;
    let resp = s.request("tools/list", json!({})).await;
    let tools = resp["result"]["tools"].as_array().expect("tools array");
    let echo = tools
        .iter()
        .find(|t| t["name"] == "echo")
        .expect("echo tool");
    assert_eq!(echo["description"], "Echo the text back, unchanged.");
    assert_eq!(echo["inputSchema"]["type"], "object");
    assert_eq!(echo["inputSchema"]["properties"]["text"]["type"], "string");
    assert_eq!(
        echo["inputSchema"]["properties"]["text"]["description"],
        "The text to echo."
    );
    assert_eq!(echo["inputSchema"]["required"], json!(["text"]));
    assert_eq!(echo["annotations"]["readOnlyHint"], true);
    let count = tools
        .iter()
        .find(|t| t["name"] == "slow_count")
        .expect("slow_count tool");
    assert_eq!(count["inputSchema"]["required"], json!(["n"]));
    assert_eq!(count["inputSchema"]["properties"]["delay_ms"]["default"], 1);
    assert!(resp["result"].get("nextCursor").is_none());
}

#[tokio::test]
async fn tools_call_echoes_and_ids_keep_their_type() {
    let mut s = echo_server().await;
    s.send(&json!({"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}))
        .await;
    let resp = s.response(&json!("abc")).await;
    assert_eq!(first_text(&resp), "hi");
    s.send(&json!({"jsonrpc":"2.0","id":0,"method":"ping"}))
        .await;
    let resp = s.response(&json!(0)).await;
    assert_eq!(resp["result"], json!({}));
}

#[tokio::test]
async fn progress_is_sent_with_the_callers_token_in_order() {
    let mut s = echo_server().await;
    s.send(&json!({"jsonrpc":"2.0","id":7,"method":"tools/call",
        "params":{"name":"slow_count","arguments":{"n":5,"delay_ms":0},"_meta":{"progressToken":"tok-1"}}}))
        .await;
    let resp = s.response(&json!(7)).await;
    assert_eq!(first_text(&resp), "counted to 5");
    let progress: Vec<&Value> = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .collect();
    assert_eq!(progress.len(), 5);
    for (i, n) in progress.iter().enumerate() {
        assert_eq!(n["params"]["progressToken"], "tok-1");
        assert_eq!(n["params"]["progress"], json!(i + 1));
        assert_eq!(n["params"]["total"], 5);
    }
}

#[tokio::test]
async fn lifecycle_rules() {
    let mut s = StdioServer::spawn("echo", &[]).await;
    // ping works before initialize; other known methods do not.
    let resp = s.request("ping", json!({})).await;
    assert_eq!(resp["result"], json!({}));
    let resp = s.request("tools/list", json!({})).await;
    assert_eq!(error_code(&resp), -32600);
    // The official Python client probes with server/discover first: -32601, connection stays.
    let resp = s.request("server/discover", json!({})).await;
    assert_eq!(error_code(&resp), -32601);
    s.initialize().await;
    // A second initialize is refused.
    let resp = s
        .request("initialize", json!({"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}))
        .await;
    assert_eq!(error_code(&resp), -32600);
    still_serving(&mut s).await;
}

#[tokio::test]
async fn notifications_are_never_answered() {
    let mut s = echo_server().await;
    s.notify("notifications/unknown", json!({})).await;
    s.notify("notifications/cancelled", json!({"requestId": 999}))
        .await;
    s.send(&json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
        .await;
    // The next message must be the answer to this ping, nothing before it.
    s.send(&json!({"jsonrpc":"2.0","id":"p","method":"ping"}))
        .await;
    let msg = s.recv().await;
    assert_eq!(msg["id"], "p", "a notification was answered: {msg}");
}

#[tokio::test]
async fn bad_input_gets_the_specified_error_and_the_server_keeps_serving() {
    let mut s = echo_server().await;
    let cases: &[(&str, &[u8], i64, Option<Value>)] = &[
        ("malformed JSON", b"{\"jsonrpc\":\"2.0\",", -32700, None),
        ("not JSON at all", b"hello", -32700, None),
        ("a non-object", b"[]", -32600, None),
        ("a number", b"42", -32600, None),
        (
            "wrong jsonrpc",
            br#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#,
            -32600,
            Some(json!(5)),
        ),
        (
            "missing jsonrpc",
            br#"{"id":6,"method":"ping"}"#,
            -32600,
            Some(json!(6)),
        ),
        (
            "null id",
            br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            -32600,
            None,
        ),
        (
            "float id",
            br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
            -32600,
            None,
        ),
        (
            "duplicate key",
            br#"{"jsonrpc":"2.0","id":8,"id":9,"method":"ping"}"#,
            -32600,
            None,
        ),
        (
            "array params",
            br#"{"jsonrpc":"2.0","id":10,"method":"ping","params":[1]}"#,
            -32600,
            Some(json!(10)),
        ),
        (
            "unknown method",
            br#"{"jsonrpc":"2.0","id":11,"method":"no/such"}"#,
            -32601,
            Some(json!(11)),
        ),
        (
            "missing params",
            br#"{"jsonrpc":"2.0","id":12,"method":"tools/call"}"#,
            -32602,
            Some(json!(12)),
        ),
        (
            "unknown tool",
            br#"{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"nope"}}"#,
            -32602,
            Some(json!(13)),
        ),
        (
            "bad log level",
            br#"{"jsonrpc":"2.0","id":14,"method":"logging/setLevel","params":{"level":"loud"}}"#,
            -32602,
            Some(json!(14)),
        ),
        (
            "a batch in 2025-11-25",
            br#"[{"jsonrpc":"2.0","id":15,"method":"ping"}]"#,
            -32600,
            None,
        ),
    ];
    for (what, input, code, id) in cases {
        s.send_raw(input).await;
        let resp = s.recv().await;
        assert_eq!(resp["error"]["code"], json!(code), "{what}: {resp}");
        assert_eq!(
            resp.get("id").cloned(),
            id.clone(),
            "{what}: wrong id in {resp}"
        );
        assert!(
            resp["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: no message"
        );
        still_serving(&mut s).await;
    }
}

#[tokio::test]
async fn wrong_argument_types_are_tool_errors_naming_the_field() {
    let mut s = echo_server().await;
    let resp = s.call_tool("echo", json!({"text": 5})).await;
    assert_eq!(resp["result"]["isError"], true, "{resp}");
    let text = first_text(&resp);
    assert!(
        text.contains("`text`") && text.contains("expected a string"),
        "{text}"
    );
    let resp = s.call_tool("echo", json!({})).await;
    assert_eq!(resp["result"]["isError"], true);
    assert!(
        first_text(&resp).contains("missing required argument `text`"),
        "{resp}"
    );
    let resp = s.call_tool("slow_count", json!({"n": -1})).await;
    assert!(first_text(&resp).contains("`n`"), "{resp}");
    let resp = s
        .request("tools/call", json!({"name": "echo", "arguments": [1, 2]}))
        .await;
    assert_eq!(resp["result"]["isError"], true, "{resp}");
    still_serving(&mut s).await;
}

#[tokio::test]
async fn older_revisions_report_bad_arguments_as_invalid_params() {
    let mut s = StdioServer::spawn("echo", &[]).await;
    s.initialize_version("2025-06-18").await;
    let resp = s.call_tool("echo", json!({"text": 5})).await;
    assert_eq!(error_code(&resp), -32602);
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`text`")
    );
}

#[tokio::test]
async fn batches_are_accepted_only_by_revisions_that_allow_them() {
    let mut s = StdioServer::spawn("echo", &[]).await;
    s.initialize_version("2025-03-26").await;
    s.send_raw(br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"b"}}}]"#).await;
    let resp = s.recv().await;
    let items = resp
        .as_array()
        .unwrap_or_else(|| panic!("expected a batch response, got {resp}"));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], 1);
    assert_eq!(items[1]["result"]["content"][0]["text"], "b");
}

#[tokio::test]
async fn an_overlong_line_is_refused_and_the_stream_resynchronises() {
    let mut s = echo_server().await;
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{}"}}}}}}"#,
        "x".repeat(5 * 1024 * 1024)
    );
    s.send_raw(big.as_bytes()).await;
    let resp = s.recv().await;
    assert_eq!(error_code(&resp), -32600);
    assert!(resp.get("id").is_none());
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("maximum message size")
    );
    still_serving(&mut s).await;
}

#[tokio::test]
async fn a_slow_call_does_not_block_others() {
    let mut s = echo_server().await;
    s.send(&json!({"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"slow_count","arguments":{"n":50,"delay_ms":20}}}))
        .await;
    s.send(&json!({"jsonrpc":"2.0","id":"fast","method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}))
        .await;
    let first = s.recv().await;
    assert_eq!(first["id"], "fast", "the fast call waited for the slow one");
    let slow = s.response(&json!("slow")).await;
    assert_eq!(first_text(&slow), "counted to 50");
}

#[tokio::test]
async fn eof_shuts_down_cleanly() {
    let mut s = echo_server().await;
    s.close_stdin();
    let status = s
        .wait(Duration::from_secs(10))
        .await
        .expect("server exits after stdin closes");
    assert!(
        status.success(),
        "exit status {status}; stderr: {}",
        s.stderr_text()
    );
}
