//! The client library and the `mcp` binary against the example `echo` server over stdio.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_client::mcp_core::version::ProtocolVersion;
use mcp_client::{CallOptions, Client, ClientError, ServerNotification, StderrMode};
use mcp_tests::bin_path;
use mcp_tests::{describe_output as describe, run_mcp as mcp};
use serde_json::json;

async fn echo_client() -> Client {
    Client::builder()
        .name("mcp-tests")
        .version("0.0.1")
        .stderr(StderrMode::Capture)
        .spawn(bin_path("echo"), std::iter::empty::<&str>())
        .await
        .expect("connect to the echo server")
}

fn text(result: &mcp_client::mcp_core::model::CallToolResult) -> &str {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .unwrap_or_else(|| panic!("no text content: {result:?}"))
}

#[tokio::test]
async fn initialize_reports_the_server() {
    let client = echo_client().await;
    assert_eq!(client.negotiated_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(client.server_info().name, "echo");
    assert!(
        client.server_capabilities().tools.is_some(),
        "{:?}",
        client.server_capabilities()
    );
    client.ping().await.expect("ping");
    let status = client.close().await.expect("close");
    assert!(
        status.is_some_and(|s| s.success()),
        "the server should exit cleanly at end of input: {status:?}"
    );
}

#[tokio::test]
async fn spawn_command_line_splits_like_a_shell() {
    let line = format!("'{}'", bin_path("echo").display());
    let client = Client::spawn_command_line(&line).await.expect("connect");
    assert_eq!(client.server_info().name, "echo");
}

#[tokio::test]
async fn lists_and_calls_tools() {
    let client = echo_client().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"echo") && names.contains(&"slow_count"),
        "{names:?}"
    );
    let page = client.list_tools(None).await.expect("one page");
    assert_eq!(page.tools.len(), tools.len());

    let result = client
        .call_tool("echo", json!({ "text": "hello" }))
        .await
        .expect("call echo");
    assert!(!result.is_error());
    assert_eq!(text(&result), "hello");

    let err = client
        .call_tool("no_such_tool", json!({}))
        .await
        .expect_err("unknown tool");
    assert_eq!(err.as_protocol().map(|e| e.code.0), Some(-32602), "{err:?}");
}

#[tokio::test]
async fn progress_arrives_in_order() {
    let client = echo_client().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = CallOptions::new().on_progress(move |progress, total, message| {
        sink.lock()
            .unwrap()
            .push((progress, total, message.map(str::to_owned)));
    });
    let result = client
        .call_tool_with("slow_count", json!({ "n": 5 }), options)
        .await
        .expect("call slow_count");
    assert_eq!(text(&result), "counted to 5");
    let seen = seen.lock().unwrap().clone();
    let expected: Vec<_> = (1..=5)
        .map(|i| (f64::from(i), Some(5.0), Some(format!("counted {i}"))))
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn timeout_cancels_and_the_server_stays_responsive() {
    // Progress for a call that was given up arrives here, as a plain notification.
    let stray = Arc::new(AtomicUsize::new(0));
    let counter = stray.clone();
    let client = Client::builder()
        .stderr(StderrMode::Capture)
        .on_notification(move |n| {
            if matches!(n, ServerNotification::Progress(_)) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        })
        .spawn(bin_path("echo"), std::iter::empty::<&str>())
        .await
        .expect("connect");
    let started = Instant::now();
    let options = CallOptions::new()
        .timeout(Duration::from_millis(200))
        .on_progress(|_, _, _| {});
    let err = client
        .call_tool_with("slow_count", json!({ "n": 1000, "delay_ms": 10 }), options)
        .await
        .expect_err("should time out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );

    // The server is answering the next call at once...
    let started = Instant::now();
    let result = client
        .call_tool("echo", json!({ "text": "still here" }))
        .await
        .expect("call after timeout");
    assert_eq!(text(&result), "still here");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );

    // ...and it got `notifications/cancelled` and stopped counting: no more progress arrives.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let before = stray.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        stray.load(Ordering::SeqCst),
        before,
        "the server kept counting after the timeout"
    );
    assert!(!client.is_closed());
}

#[tokio::test]
async fn dropping_a_call_cancels_it() {
    let client = echo_client().await;
    let call = client.call_tool("slow_count", json!({ "n": 1000, "delay_ms": 10 }));
    assert!(
        tokio::time::timeout(Duration::from_millis(100), call)
            .await
            .is_err()
    );
    let result = client
        .call_tool("echo", json!({ "text": "next" }))
        .await
        .expect("call after drop");
    assert_eq!(text(&result), "next");
}

#[cfg(unix)]
#[tokio::test]
async fn dropping_the_client_kills_the_server() {
    let client = echo_client().await;
    let pid = client.process_id().expect("a running server process");
    let alive = || {
        std::process::Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("kill -0")
            .success()
    };
    assert!(alive());
    drop(client);
    let started = Instant::now();
    while alive() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "server {pid} still running"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn spawning_a_missing_program_fails() {
    let err = Client::spawn("/nonexistent/mcp-server", ["stdio"])
        .await
        .expect_err("no such program");
    assert!(matches!(err, ClientError::Spawn { .. }), "{err:?}");
    assert!(err.is_connection());
}

#[test]
fn mcp_binary_calls_a_tool() {
    let echo = bin_path("echo");
    let echo = echo.to_str().expect("utf-8 path");
    let output = mcp(&["call", echo, "echo", "text=hi"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hi\n");

    // The schema says `text` is a string: `42` stays a string.
    let output = mcp(&["--json", "call", echo, "echo", "text=42"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(result["content"][0]["text"], "42");

    // Progress goes to stderr as plain lines when stderr is not a terminal.
    let output = mcp(&["call", echo, "slow_count", "n=3"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "counted to 3\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("progress 1/3 counted 1") && stderr.contains("progress 3/3 counted 3"),
        "{stderr}"
    );

    let output = mcp(&["tools", echo]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("slow_count"),
        "{}",
        describe(&output)
    );
}

#[test]
fn mcp_binary_exit_codes() {
    let echo = bin_path("echo");
    let echo = echo.to_str().expect("utf-8 path");

    let output = mcp(&["call", "/nonexistent/mcp-server --stdio", "echo", "text=hi"]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));

    let output = mcp(&["call", echo]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("Usage:"),
        "{}",
        describe(&output)
    );

    let output = mcp(&["call", echo, "no_such_tool"]);
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));

    // Arguments that fail the input schema: a tool result with isError.
    let output = mcp(&["call", echo, "slow_count", "n=many"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));

    let output = mcp(&["tools", "http://localhost:1/mcp"]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));

    let output = mcp(&[
        "--timeout",
        "0.2",
        "call",
        echo,
        "slow_count",
        "n=1000",
        "delay_ms=10",
    ]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));

    let output = mcp(&["--help"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Usage:"));
}

/// Ctrl-C during a call cancels it (the server stops counting) and exits with 130.
#[cfg(unix)]
#[test]
fn mcp_binary_interrupted_exits_130() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let echo = bin_path("echo");
    let mut child = Command::new(bin_path("mcp"))
        .args([
            "call",
            echo.to_str().expect("utf-8 path"),
            "slow_count",
            "n=100000",
            "delay_ms=10",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mcp");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    // Wait until the call is running: the first progress line.
    while !line.starts_with("progress") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("read stderr") > 0,
            "mcp exited before progress"
        );
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
        rest
    });
    let started = Instant::now();
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "stderr: {}", rest.join().unwrap());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}
