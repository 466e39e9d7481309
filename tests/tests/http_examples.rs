#![allow(clippy::print_stdout)] // the memory test prints its figures
//! The echo example as a real process serving Streamable HTTP (`--http`): resumption of a
//! dropped SSE stream of a running call with nothing lost or duplicated, the safety
//! defaults, the official Python client, and memory after 1,000 sessions.

use std::process::Command;

use mcp_tests::spawn_http_example as spawn;
use mcp_tests::{python, workspace_root};
use serde_json::Value;

fn run_py(args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(workspace_root().join("tests/interop/http_raw.py"))
        .args(args)
        .output()
        .expect("run python (scripts/test creates tests/interop/.venv)");
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(
        out.stdout
            .trim_ascii_end()
            .rsplit(|b| *b == b'\n')
            .next()
            .unwrap(),
    )
    .unwrap()
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_dropped_sse_stream_of_a_running_call_resumes_with_nothing_lost_or_duplicated() {
    let server = spawn("echo", &[]);
    let out = run_py(&["resume", &server.url]);
    let progress: Vec<f64> = out["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let expected: Vec<f64> = (1..=20).map(f64::from).collect();
    assert_eq!(
        progress, expected,
        "progress lost or duplicated across the reconnection: {out}"
    );
    assert_eq!(out["responses"], 1);
    assert_eq!(out["result"]["content"][0]["text"], "counted to 20");
}

#[test]
fn safety_defaults_of_the_http_transport() {
    let server = spawn("echo", &[]);
    let out = run_py(&["errors", &server.url]);
    assert!(
        matches!(out["delete"].as_u64(), Some(200 | 202 | 204)),
        "{out}"
    );
    assert_eq!(out["after_delete"], 404);
    assert_eq!(out["no_session"], 400);
    assert_eq!(out["foreign_origin"], 403);
    assert_eq!(out["oversized"], 413);
}

#[test]
fn stateless_and_json_flags_are_honoured() {
    for flags in [&["--json-response"][..], &["--stateless"][..]] {
        let server = spawn("echo", flags);
        let out = Command::new(python())
            .arg(workspace_root().join("tests/interop/py_http_client.py"))
            .arg(&server.url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seen: Value = serde_json::from_slice(
            out.stdout
                .trim_ascii_end()
                .rsplit(|b| *b == b'\n')
                .next()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(seen["echo"], "hello over http", "{flags:?}");
    }
}

#[test]
fn memory_returns_to_baseline_after_1000_sessions() {
    let server = spawn("echo", &[]);
    let pid = server.child.id();
    run_py(&["sessions", &server.url, "200"]);
    let baseline = rss_kib(pid);
    let out = run_py(&["sessions", &server.url, "1000"]);
    let after = rss_kib(pid);
    println!(
        "RSS after 200 warm-up sessions: {baseline} KiB; after 1,000 more opened and closed: {after} KiB ({:+} KiB) in {} s",
        after as i64 - baseline as i64,
        out["seconds"]
    );
    assert!(
        after <= baseline + 2048,
        "RSS grew from {baseline} KiB to {after} KiB over 1,000 closed sessions"
    );
}

/// A task that asks the client (form elicitation) over HTTP, with no standalone GET stream
/// open: the task turns `input_required`, its request travels on the stream of the client's
/// waiting `tasks/result` with the related-task `_meta`, and that stream then carries the
/// result.
#[test]
fn a_tasks_request_to_the_client_travels_on_the_waiting_tasks_result_stream() {
    let server = spawn("requests-server", &[]);
    let out = run_py(&["task-input", &server.url]);
    let id = out["task_id"].as_str().unwrap();
    assert_eq!(
        out["on_result_stream"],
        serde_json::json!(["elicitation/create", "response"]),
        "{out}"
    );
    assert_eq!(
        out["elicitation_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id
    );
    assert_eq!(out["status_while_asking"], "input_required");
    assert_eq!(out["answer_status"], 202);
    assert_eq!(out["result"]["content"][0]["text"], "approved raw");
    assert_eq!(
        out["result"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id
    );
}
