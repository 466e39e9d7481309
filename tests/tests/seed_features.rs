//! The seed's first promises, driven over stdio against the example servers: progress that
//! arrives in order with the caller's token, cancellation that really stops the work (even
//! for a tool that ignores it), and logging at the level the client chooses.

use std::time::{Duration, Instant};

use mcp_tests::{StdioServer, first_text};
use serde_json::{Value, json};

fn progress_of<'a>(msgs: &'a [Value], token: &Value) -> Vec<&'a Value> {
    msgs.iter()
        .filter(|m| {
            m["method"] == "notifications/progress" && &m["params"]["progressToken"] == token
        })
        .collect()
}

#[tokio::test]
async fn batch_operation_reports_each_item_in_order_with_a_numeric_token() {
    let mut s = StdioServer::spawn("progress-server", &[]).await;
    s.initialize().await;
    s.send(&json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
        "name":"batch_operation","arguments":{"items":["a","b","c"]},"_meta":{"progressToken":42}}}))
        .await;
    let resp = s.response(&json!(1)).await;
    assert_eq!(first_text(&resp), "Completed 3 items");
    let progress = progress_of(&s.notifications, &json!(42));
    assert_eq!(progress.len(), 3);
    for (i, (p, item)) in progress.iter().zip(["a", "b", "c"]).enumerate() {
        assert_eq!(p["params"]["progress"], json!(i + 1));
        assert_eq!(p["params"]["total"], 3);
        assert_eq!(
            p["params"]["message"],
            format!("Processed {}/3: {item}", i + 1)
        );
    }
}

#[tokio::test]
async fn process_large_file_reports_percent_per_8k_chunk() {
    let path = std::env::temp_dir().join(format!("mcp-progress-{}.bin", std::process::id()));
    std::fs::write(&path, vec![7u8; 100 * 1024]).unwrap();
    let mut s = StdioServer::spawn("progress-server", &[]).await;
    s.initialize().await;
    s.send(&json!({"jsonrpc":"2.0","id":"f","method":"tools/call","params":{
        "name":"process_large_file","arguments":{"file_path": path},"_meta":{"progressToken":"file"}}}))
        .await;
    let resp = s.response(&json!("f")).await;
    std::fs::remove_file(&path).ok();
    assert!(
        first_text(&resp).starts_with("Processed 102400 bytes"),
        "{resp}"
    );
    let progress = progress_of(&s.notifications, &json!("file"));
    assert_eq!(progress.len(), 13, "100 KiB in 8 KiB chunks");
    let values: Vec<f64> = progress
        .iter()
        .map(|p| p["params"]["progress"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "progress must strictly increase: {values:?}"
    );
    assert_eq!(*values.last().unwrap(), 100.0);
    assert_eq!(progress[12]["params"]["message"], "Processing: 100.0%");
}

#[tokio::test]
async fn a_missing_file_is_a_tool_error_not_a_crash() {
    let mut s = StdioServer::spawn("progress-server", &[]).await;
    s.initialize().await;
    let resp = s
        .call_tool("process_large_file", json!({"file_path": "/no/such/file"}))
        .await;
    assert_eq!(resp["result"]["isError"], true);
    assert!(first_text(&resp).contains("cannot open `/no/such/file`"));
}

/// Starts a search, cancels it after `pages` progress notifications, and returns what
/// arrived afterwards (within `watch`).
async fn cancel_search(tool: &str, pages: usize, watch: Duration) -> (StdioServer, Vec<Value>) {
    let mut s = StdioServer::spawn("cancellable-server", &[]).await;
    s.initialize().await;
    s.send(
        &json!({"jsonrpc":"2.0","id":"search","method":"tools/call","params":{
        "name": tool, "arguments":{"query":"rust"},"_meta":{"progressToken":"s"}}}),
    )
    .await;
    let mut seen = 0;
    while seen < pages {
        let msg = s.recv().await;
        assert_ne!(msg["id"], "search", "finished before it could be cancelled");
        if msg["method"] == "notifications/progress" {
            seen += 1;
        }
    }
    s.notify(
        "notifications/cancelled",
        json!({"requestId": "search", "reason": "user gave up"}),
    )
    .await;
    let mut after = Vec::new();
    let deadline = Instant::now() + watch;
    while let Some(msg) = s
        .try_recv(deadline.saturating_duration_since(Instant::now()))
        .await
    {
        after.push(msg);
    }
    (s, after)
}

#[tokio::test]
async fn a_cancelled_search_stops_within_a_page_and_is_never_answered() {
    let (mut s, after) = cancel_search("long_running_search", 3, Duration::from_millis(1500)).await;
    assert!(
        after.iter().all(|m| m["id"] != "search"),
        "the cancelled request was answered: {after:?}"
    );
    let extra = progress_of(&after, &json!("s")).len();
    assert!(
        extra <= 1,
        "{extra} progress notifications after cancellation (at most the page in progress)"
    );
    // Idle afterwards: the next request is answered at once.
    let start = Instant::now();
    let resp = s.request("ping", json!({})).await;
    assert_eq!(resp["result"], json!({}));
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_search_that_ignores_cancellation_is_stopped_after_the_grace_period() {
    let (mut s, after) = cancel_search("stubborn_search", 2, Duration::from_millis(2500)).await;
    assert!(
        after.iter().all(|m| m["id"] != "search"),
        "the cancelled request was answered"
    );
    let extra = progress_of(&after, &json!("s")).len();
    // 500 ms of grace at 100 ms a page: about five more pages, then nothing (not 98 more).
    assert!(
        extra <= 8,
        "{extra} progress notifications after cancellation: the tool kept running"
    );
    assert!(
        s.try_recv(Duration::from_millis(500)).await.is_none(),
        "still sending after the grace period"
    );
    let resp = s
        .call_tool("long_running_search", json!({"query": ""}))
        .await;
    assert!(resp["result"].is_object() || resp["error"].is_object());
}

async fn logs_for(level: &str) -> Vec<Value> {
    let mut s = StdioServer::spawn("logging-server", &[]).await;
    s.initialize().await;
    let resp = s.request("logging/setLevel", json!({"level": level})).await;
    assert_eq!(resp["result"], json!({}));
    let resp = s.call_tool("debug_operation", json!({"data": "abc"})).await;
    assert_eq!(first_text(&resp), "cba");
    let resp = s.call_tool("debug_operation", json!({"data": " "})).await;
    assert_eq!(resp["result"]["isError"], true);
    // Logs are sent while the call runs, before its response.
    s.notifications
        .iter()
        .filter(|n| n["method"] == "notifications/message")
        .cloned()
        .collect()
}

#[tokio::test]
async fn set_level_error_silences_info_and_debug() {
    let logs = logs_for("error").await;
    assert!(!logs.is_empty(), "the error log should still arrive");
    for log in &logs {
        assert_eq!(log["params"]["level"], "error", "{log}");
    }
    assert!(logs.iter().any(|l| {
        l["params"]["data"]
            .as_str()
            .unwrap_or("")
            .contains("input is empty")
    }));
}

#[tokio::test]
async fn set_level_debug_shows_debug_messages_from_tracing_and_ctx_log() {
    let logs = logs_for("debug").await;
    let levels: Vec<&str> = logs
        .iter()
        .map(|l| l["params"]["level"].as_str().unwrap())
        .collect();
    assert!(levels.contains(&"debug"), "{levels:?}");
    assert!(levels.contains(&"info"));
    assert!(levels.contains(&"error"));
    let debug = logs
        .iter()
        .find(|l| l["params"]["level"] == "debug")
        .unwrap();
    assert_eq!(debug["params"]["data"], "Processing data: abc");
    assert_eq!(debug["params"]["logger"], "logging_server");
    assert!(
        logs.iter()
            .any(|l| l["params"]["data"] == "Starting operation with input: abc")
    );
}

#[tokio::test]
async fn the_default_level_is_info() {
    let mut s = StdioServer::spawn("logging-server", &[]).await;
    s.initialize().await;
    s.call_tool("debug_operation", json!({"data": "abc"})).await;
    let levels: Vec<&str> = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/message")
        .map(|l| l["params"]["level"].as_str().unwrap())
        .collect();
    assert!(
        !levels.is_empty() && !levels.contains(&"debug"),
        "{levels:?}"
    );
}
