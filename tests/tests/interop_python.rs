//! The official Python SDK (`pip install mcp`) as a third-party client of our example servers.
//!
//! Needs the interop virtualenv (`tests/interop/.venv`, created by `scripts/test`), or a
//! Python with the `mcp` package named by `MCP_PYTHON`.

use std::process::Command;

use mcp_tests::{bin_path, python, workspace_root};
use serde_json::Value;

fn run_client(script: &str, args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(workspace_root().join("tests/interop").join(script))
        .args(args)
        .output()
        .expect("run the Python client");
    assert!(
        out.status.success(),
        "Python client failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("client output is not JSON ({e}): {stdout}"))
}

#[test]
fn python_sdk_lists_and_calls_the_echo_example_over_stdio() {
    let echo = bin_path("echo");
    let seen = run_client("py_stdio_client.py", &[echo.to_str().unwrap()]);
    assert_eq!(seen["server_info"]["name"], "echo");
    assert_eq!(seen["server_info"]["version"], "1.0.0");
    assert_eq!(seen["protocol_version"], "2025-11-25");
    let schema = &seen["tools"]["echo"]["input_schema"];
    assert_eq!(schema["properties"]["text"]["type"], "string");
    assert_eq!(schema["required"], serde_json::json!(["text"]));
    assert_eq!(
        seen["tools"]["echo"]["description"],
        "Echo the text back, unchanged."
    );
    assert_eq!(seen["echo"]["text"], "hello from python");
    assert_eq!(seen["slow_count"], "counted to 3");
    let progress = seen["progress"].as_array().unwrap();
    assert_eq!(progress.len(), 3, "{seen}");
    assert_eq!(progress[2]["progress"], 3.0);
    assert_eq!(progress[2]["total"], 3.0);
    assert_eq!(seen["bad_arguments"]["is_error"], true);
    assert!(
        seen["bad_arguments"]["text"]
            .as_str()
            .unwrap()
            .contains("`text`")
    );
}

#[test]
fn python_sdk_answers_elicitation_sampling_and_roots_from_our_server() {
    let server = bin_path("conformance-server");
    let seen = run_client("py_client_requests.py", &[server.to_str().unwrap()]);
    let accepted = seen["elicit_accept"].as_str().unwrap();
    assert!(
        accepted.contains(r#""action":"accept""#) && accepted.contains("ada@example.com"),
        "{seen}"
    );
    assert_eq!(
        seen["elicit_decline"],
        r#"User response: {"action":"decline"}"#
    );
    assert_eq!(
        seen["elicit_cancel"],
        r#"User response: {"action":"cancel"}"#
    );
    assert!(
        seen["elicit_typed"]
            .as_str()
            .unwrap()
            .starts_with("Elicitation completed: accepted"),
        "{seen}"
    );
    assert_eq!(seen["sampling"], "LLM response: py-model says hello");
    assert_eq!(seen["roots"], "file:///py/work");
    for (tool, capability) in [
        ("test_elicitation", "elicitation"),
        ("test_sampling", "sampling"),
        ("test_roots", "roots"),
    ] {
        let without = &seen[format!("without_{tool}")];
        assert_eq!(without["code"], -32600, "{tool}: {without}");
        assert!(
            without["error"]
                .as_str()
                .unwrap()
                .contains(&format!("`{capability}`")),
            "{without}"
        );
    }
}

#[test]
fn python_sdk_url_elicitation_sampling_with_tools_and_cancelling_mid_request() {
    let server = bin_path("requests-server");
    let seen = run_client("py_client_requests_more.py", &[server.to_str().unwrap()]);
    // URL mode: each outcome reaches the tool; only an accepted one is completed.
    assert_eq!(seen["url_accept"], "connected accept", "{seen}");
    assert_eq!(seen["url_decline"], "the user declined");
    assert_eq!(seen["url_cancel"], "the user dismissed the request");
    let first = &seen["url_requests"][0];
    assert_eq!(
        first["url"],
        "https://auth.example.com/connect?service=accept"
    );
    assert_eq!(first["elicitationId"], "connect-accept");
    assert_eq!(seen["completed"], serde_json::json!(["connect-accept"]));
    // The -32042 error, with its data intact.
    let required = &seen["url_required"];
    assert_eq!(required["code"], -32042, "{seen}");
    assert_eq!(
        required["data"]["elicitations"][0]["elicitationId"],
        "authorize-repo"
    );
    // Sampling with tools: two turns, the second carrying the tool's result.
    let turns = seen["sampling_turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2, "{seen}");
    assert_eq!(turns[0]["tools"], serde_json::json!(["get_weather"]));
    assert_eq!(turns[0]["tool_choice"], "auto");
    assert_eq!(turns[1]["messages"], 3);
    assert_eq!(seen["tool_result"]["toolUseId"], "call-1");
    assert_eq!(seen["weather"], "py-model: sunny, 21 C in Oslo");
    // Cancelling the call while its elicitation waited cancelled the elicitation in the
    // client, and the session went on.
    assert_eq!(seen["callback_cancelled"], true, "{seen}");
    assert_eq!(seen["after_cancel"], "the user dismissed the request");
}

/// The official Python SDK's session and stdio transport drive a task on the tasks example:
/// it parses our `tasks` capability and `execution.taskSupport`, and the task requests (sent as
/// raw JSON-RPC through its session, since the SDK has no typed task calls) behave as specified.
#[test]
fn python_sdk_session_runs_a_task_on_the_tasks_example() {
    let server = bin_path("tasks-server");
    let seen = run_client("py_tasks_client.py", &[server.to_str().unwrap()]);
    assert_eq!(
        seen["tasks_capability"],
        serde_json::json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}})
    );
    assert_eq!(
        seen["tools"]["training_task"]["execution"]["taskSupport"],
        "optional"
    );
    assert_eq!(
        seen["tools"]["export_dataset"]["execution"]["taskSupport"],
        "required"
    );
    assert_eq!(
        seen["tools"]["safe_query"]["annotations"]["readOnlyHint"],
        true
    );
    assert!(seen["tools"]["model_info"]["outputSchema"].is_object());
    let id = seen["created"]["taskId"].as_str().unwrap();
    assert_eq!(seen["created"]["status"], "working");
    assert_eq!(seen["get"]["status"], "working");
    assert!(
        seen["get"]["statusMessage"]
            .as_str()
            .unwrap()
            .starts_with("Training epoch"),
        "{seen}"
    );
    assert_eq!(seen["list"]["tasks"][0]["taskId"], id);
    assert_eq!(
        seen["result"]["content"][0]["text"],
        "Model py trained successfully"
    );
    assert_eq!(
        seen["result"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id
    );
    assert_eq!(seen["after"]["status"], "completed");
    assert_eq!(seen["unknown"], -32602);
}
