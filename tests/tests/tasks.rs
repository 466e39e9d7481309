//! Server-side tasks (2025-11-25) on `examples/tasks-server`, with our client as the real
//! client: task-augmented `tools/call`, `tasks/get`, `tasks/result`, `tasks/list`,
//! `tasks/cancel`, expiry, the task-support mismatches, and `tools/list` (annotations,
//! `execution.taskSupport`, output schema). A raw stdio session checks that every message the
//! server sends validates against the 2025-11-25 schema; one run goes over Streamable HTTP.
//!
//! Needs the example binaries: `cargo build --workspace --bins`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_client::mcp_core::model::{RELATED_TASK_META_KEY, TaskStatus, TaskSupport};
use mcp_client::{Client, ClientError, ServerNotification};
use mcp_tests::{StdioServer, bin_path, spawn_http_example, validate_2025_11_25};
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<ServerNotification>>>;

/// The example over stdio, with `epoch_ms` per training epoch, keeping every notification.
async fn connect(epoch_ms: u64) -> (Client, Seen) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let mut command = tokio::process::Command::new(bin_path("tasks-server"));
    command.env("TASKS_SERVER_EPOCH_MS", epoch_ms.to_string());
    let client = Client::builder()
        .name("tasks-test")
        .on_notification(move |n| sink.lock().unwrap().push(n))
        .spawn_command(command)
        .await
        .expect("connect to tasks-server");
    (client, seen)
}

fn code(e: &ClientError) -> i64 {
    i64::from(
        e.as_protocol()
            .unwrap_or_else(|| panic!("not a protocol error: {e:?}"))
            .code
            .0,
    )
}

/// The `notifications/tasks/status` params received so far for `task_id`.
fn statuses(seen: &Seen, task_id: &str) -> Vec<Value> {
    seen.lock()
        .unwrap()
        .iter()
        .filter_map(|n| match n {
            ServerNotification::Other { method, params }
                if method == "notifications/tasks/status" =>
            {
                params.clone()
            }
            _ => None,
        })
        .filter(|p| p["taskId"] == task_id)
        .collect()
}

fn epoch_of(message: &str) -> Option<u32> {
    message
        .strip_prefix("Training epoch ")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

#[tokio::test]
async fn task_runs_in_background_reports_status_and_returns_the_result() {
    let (client, seen) = connect(10).await;
    let tasks = client
        .server_capabilities()
        .tasks
        .clone()
        .expect("tasks capability");
    assert!(tasks.list.is_some() && tasks.cancel.is_some());
    assert!(
        tasks
            .requests
            .and_then(|r| r.tools)
            .and_then(|t| t.call)
            .is_some()
    );

    let started = Instant::now();
    let created = client
        .call_tool_as_task(
            "training_task",
            json!({"model_id": "m1", "data_path": "/data"}),
            Some(60_000),
        )
        .await
        .unwrap();
    // 100 epochs of 10 ms: the answer comes long before the work is done.
    assert!(started.elapsed() < Duration::from_millis(500));
    let task = created.task;
    assert_eq!(task.status, TaskStatus::Working);
    assert_eq!(task.ttl, Some(60_000));
    assert_eq!(task.poll_interval, Some(500));
    let id = task.task_id.clone();
    assert_eq!(id.len(), 32, "128 random bits in hex: {id}");

    // tasks/get: working, with a status message that rises.
    let mut epochs = Vec::new();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let got = client.get_task(&id).await.unwrap().task;
        assert_eq!(got.status, TaskStatus::Working);
        if let Some(e) = got.status_message.as_deref().and_then(epoch_of) {
            epochs.push(e);
        }
        assert!(got.last_updated_at >= got.created_at);
    }
    assert!(epochs.len() >= 2, "status messages: {epochs:?}");
    assert!(epochs.windows(2).all(|w| w[0] < w[1]), "{epochs:?}");

    let listed = client.list_all_tasks().await.unwrap();
    assert!(listed.iter().any(|t| t.task_id == id));

    // tasks/result waits for the end, then returns the tool's result with the related-task meta.
    let result = client.task_result(&id).await.unwrap();
    assert_eq!(
        result["content"][0]["text"],
        "Model m1 trained successfully"
    );
    assert_eq!(result["_meta"][RELATED_TASK_META_KEY]["taskId"], id);
    assert!(started.elapsed() >= Duration::from_millis(1000));
    let done = client.get_task(&id).await.unwrap().task;
    assert_eq!(done.status, TaskStatus::Completed);
    // The status notifications carry the full task, ending with the terminal one.
    let notes = statuses(&seen, &id);
    assert!(notes.len() >= 100, "{} status notifications", notes.len());
    assert_eq!(notes.last().unwrap()["status"], "completed");

    // Cancelling a finished task is -32602, and it stays completed.
    let err = client.cancel_task(&id).await.unwrap_err();
    assert_eq!(code(&err), -32602);
    assert_eq!(
        client.get_task(&id).await.unwrap().task.status,
        TaskStatus::Completed
    );
}

#[tokio::test]
async fn cancel_moves_the_task_to_cancelled_and_stops_the_work() {
    let (client, seen) = connect(20).await;
    let id = client
        .call_tool_as_task(
            "training_task",
            json!({"model_id": "m2", "data_path": "/data"}),
            None,
        )
        .await
        .unwrap()
        .task
        .task_id;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let cancelled = client.cancel_task(&id).await.unwrap().task;
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    // Default ttl: the server maximum (one hour).
    assert_eq!(cancelled.ttl, Some(3_600_000));
    let working = |seen: &Seen| {
        statuses(seen, &id)
            .iter()
            .filter(|n| n["status"] == "working")
            .count()
    };
    let at_cancel = working(&seen);
    assert!(at_cancel >= 2, "the work had started: {at_cancel} updates");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // 300 ms is 15 more epochs had the work gone on; at most one update already on its way
    // when the answer was sent may still arrive.
    let after = working(&seen);
    assert!(
        after <= at_cancel + 1,
        "work went on after cancel: {at_cancel} -> {after}"
    );
    assert!(
        statuses(&seen, &id)
            .iter()
            .any(|n| n["status"] == "cancelled"),
        "no cancelled status notification"
    );
    let got = client.get_task(&id).await.unwrap().task;
    assert_eq!(got.status, TaskStatus::Cancelled);
    assert_eq!(got.last_updated_at, cancelled.last_updated_at);
    // Cancelling again is -32602 (terminal); tasks/result answers the error at once.
    assert_eq!(code(&client.cancel_task(&id).await.unwrap_err()), -32602);
    let err = tokio::time::timeout(Duration::from_secs(2), client.task_result(&id))
        .await
        .expect("tasks/result of a cancelled task answers at once")
        .unwrap_err();
    assert!(err.as_protocol().is_some(), "{err:?}");
}

#[tokio::test]
async fn unknown_and_expired_ids_and_task_support_mismatches() {
    let (client, _seen) = connect(10).await;
    for e in [
        client.get_task("no-such-task").await.unwrap_err(),
        client.task_result("no-such-task").await.unwrap_err(),
        client.cancel_task("no-such-task").await.unwrap_err(),
    ] {
        assert_eq!(code(&e), -32602, "{e:?}");
    }
    // A task kept 100 ms is gone after that.
    let id = client
        .call_tool_as_task("export_dataset", json!({"dataset": "d"}), Some(100))
        .await
        .unwrap()
        .task
        .task_id;
    assert_eq!(client.get_task(&id).await.unwrap().task.ttl, Some(100));
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(code(&client.get_task(&id).await.unwrap_err()), -32602);
    assert!(
        client
            .list_all_tasks()
            .await
            .unwrap()
            .iter()
            .all(|t| t.task_id != id)
    );

    // A tool that requires a task, called without one; a task for a tool that forbids them.
    let err = client
        .call_tool("export_dataset", json!({"dataset": "d"}))
        .await
        .unwrap_err();
    assert_eq!(code(&err), -32601);
    let err = client
        .call_tool_as_task("safe_query", json!({"query": "q"}), None)
        .await
        .unwrap_err();
    assert_eq!(code(&err), -32601);
    // An optional one still runs as a plain call.
    let plain = client
        .call_tool("model_info", json!({"model_id": "x"}))
        .await
        .unwrap();
    assert_eq!(plain.structured_content.unwrap()["model_id"], "x");
}

#[tokio::test]
async fn tools_list_shows_task_support_annotations_and_output_schema() {
    let (client, _seen) = connect(10).await;
    let tools: HashMap<String, _> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name.clone(), t))
        .collect();
    assert_eq!(tools["training_task"].task_support(), TaskSupport::Optional);
    assert_eq!(
        tools["export_dataset"].task_support(),
        TaskSupport::Required
    );
    let query = &tools["safe_query"];
    assert_eq!(query.task_support(), TaskSupport::Forbidden);
    assert!(query.execution.is_none());
    assert_eq!(query.title.as_deref(), Some("Safe query"));
    let a = query.annotations.as_ref().unwrap();
    assert_eq!(a.read_only_hint, Some(true));
    assert_eq!(a.idempotent_hint, Some(true));
    assert_eq!(a.destructive_hint, Some(false));
    assert!(query.icons.as_ref().is_some_and(|i| i.len() == 1));
    let schema = tools["model_info"].output_schema.as_ref().unwrap();
    assert_eq!(schema["type"], "object");
    assert!(schema["properties"]["parameters"].is_object());
    let info = client.server_info();
    assert_eq!(info.title.as_deref(), Some("Tasks example"));
    assert!(info.icons.as_ref().is_some_and(|i| i.len() == 1));
}

#[tokio::test]
async fn tasks_are_scoped_to_their_http_session() {
    let server = spawn_http_example("tasks-server", &[]);
    let a = Client::connect_http(&server.url).await.unwrap();
    let b = Client::connect_http(&server.url).await.unwrap();
    let id = a
        .call_tool_as_task("export_dataset", json!({"dataset": "http"}), None)
        .await
        .unwrap()
        .task
        .task_id;
    assert_eq!(code(&b.get_task(&id).await.unwrap_err()), -32602);
    assert_eq!(code(&b.cancel_task(&id).await.unwrap_err()), -32602);
    assert!(b.list_all_tasks().await.unwrap().is_empty());
    assert_eq!(a.list_all_tasks().await.unwrap().len(), 1);
    let result = a.task_result(&id).await.unwrap();
    assert_eq!(result["content"][0]["text"], "Exported http");
    assert_eq!(result["_meta"][RELATED_TASK_META_KEY]["taskId"], id);
    assert_eq!(
        a.get_task(&id).await.unwrap().task.status,
        TaskStatus::Completed
    );
}

/// Stateless HTTP serves each request on its own: a task could never be looked up again, so
/// the capability is not offered, `params.task` is ignored, and a tool that runs only as a task
/// says why it cannot run.
#[tokio::test]
async fn stateless_http_offers_no_tasks() {
    let server = spawn_http_example("tasks-server", &["--stateless"]);
    let client = Client::connect_http(&server.url).await.unwrap();
    assert!(client.server_capabilities().tasks.is_none());
    let err = client
        .call_tool("export_dataset", json!({"dataset": "x"}))
        .await
        .unwrap_err();
    assert_eq!(code(&err), -32601);
    assert!(err.to_string().contains("stateless"), "{err}");
    // A tool with optional task support runs as a plain call.
    let info = client
        .call_tool("model_info", json!({"model_id": "m1"}))
        .await
        .unwrap();
    assert_ne!(info.is_error, Some(true));
}

fn result_type(method: &str) -> &'static str {
    match method {
        "initialize" => "InitializeResult",
        "tools/list" => "ListToolsResult",
        "tools/call" => "CallToolResult",
        "tools/call+task" => "CreateTaskResult",
        "tasks/get" => "GetTaskResult",
        "tasks/result" => "CallToolResult",
        "tasks/list" => "ListTasksResult",
        "tasks/cancel" => "CancelTaskResult",
        other => panic!("no result type known for {other}"),
    }
}

fn notification_type(method: &str) -> &'static str {
    match method {
        "notifications/progress" => "ProgressNotification",
        "notifications/message" => "LoggingMessageNotification",
        "notifications/tasks/status" => "TaskStatusNotification",
        other => panic!("unexpected notification {other}"),
    }
}

/// A raw session over stdio; every message the server sends is checked against the schema.
#[tokio::test]
async fn every_message_of_a_task_session_validates_against_the_schema() {
    let mut s = StdioServer::spawn("tasks-server", &[]).await;
    let mut kinds: HashMap<String, &str> = HashMap::new();
    let mut checked = 0usize;
    let mut notifications: HashMap<String, usize> = HashMap::new();
    let mut task_ids: Vec<String> = Vec::new();
    // (kind, method, params); `{task}` in params is replaced by the first task id.
    let steps: Vec<(&str, &str, Value)> = vec![
        (
            "initialize",
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "schema", "version": "1"}}),
        ),
        ("tools/list", "tools/list", json!({})),
        (
            "tools/call+task",
            "tools/call",
            json!({"name": "training_task", "arguments": {"model_id": "s", "data_path": "p"},
                   "task": {"ttl": 30000}, "_meta": {"progressToken": "p1"}}),
        ),
        (
            "tools/call+task",
            "tools/call",
            json!({"name": "export_dataset", "arguments": {"dataset": "s"}, "task": {}}),
        ),
        ("tasks/get", "tasks/get", json!({"taskId": "{0}"})),
        ("tasks/list", "tasks/list", json!({})),
        ("tasks/result", "tasks/result", json!({"taskId": "{1}"})),
        ("tasks/cancel", "tasks/cancel", json!({"taskId": "{0}"})),
        ("tasks/get", "tasks/get", json!({"taskId": "{0}"})),
        (
            "tools/call",
            "tools/call",
            json!({"name": "model_info", "arguments": {"model_id": "s"}}),
        ),
        (
            "tools/call",
            "tools/call",
            json!({"name": "safe_query", "arguments": {"query": "q"}}),
        ),
        ("error", "tasks/get", json!({"taskId": "missing"})),
        (
            "error",
            "tools/call",
            json!({"name": "export_dataset", "arguments": {"dataset": "s"}}),
        ),
    ];
    for (n, (kind, method, mut params)) in steps.into_iter().enumerate() {
        if let Some(t) = params.get("taskId").and_then(Value::as_str)
            && let Some(i) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}'))
        {
            params["taskId"] = json!(task_ids[i.parse::<usize>().unwrap()]);
        }
        let id = json!(n);
        kinds.insert(id.to_string(), kind);
        s.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        if method == "initialize" {
            s.notify("notifications/initialized", json!({})).await;
        }
        loop {
            let msg = s.recv().await;
            let fail = |what: &str, e: String| panic!("{what} does not validate: {e}\n{msg}");
            if let Some(m) = msg.get("method").and_then(Value::as_str) {
                validate_2025_11_25(notification_type(m), &msg).unwrap_or_else(|e| fail(m, e));
                if m == "notifications/progress" {
                    assert_eq!(msg["params"]["progressToken"], "p1");
                    assert!(msg["params"]["_meta"][RELATED_TASK_META_KEY]["taskId"].is_string());
                }
                *notifications.entry(m.to_owned()).or_default() += 1;
                checked += 1;
                continue;
            }
            let kind = kinds[&msg["id"].to_string()];
            if msg.get("error").is_some() {
                assert_eq!(kind, "error", "unexpected error: {msg}");
                validate_2025_11_25("JSONRPCErrorResponse", &msg)
                    .unwrap_or_else(|e| fail("error", e));
            } else {
                validate_2025_11_25("JSONRPCResultResponse", &msg)
                    .unwrap_or_else(|e| fail("response", e));
                validate_2025_11_25(result_type(kind), &msg["result"])
                    .unwrap_or_else(|e| fail(result_type(kind), e));
                if kind == "tools/call+task" {
                    task_ids.push(msg["result"]["task"]["taskId"].as_str().unwrap().to_owned());
                }
                if kind == "tasks/cancel" {
                    assert_eq!(msg["result"]["status"], "cancelled");
                }
            }
            checked += 1;
            if msg["id"] == id {
                break;
            }
        }
    }
    // Drain what is still on the way (status of the cancel), then stop.
    while let Some(msg) = s.try_recv(Duration::from_millis(300)).await {
        if let Some(m) = msg.get("method").and_then(Value::as_str) {
            validate_2025_11_25(notification_type(m), &msg)
                .unwrap_or_else(|e| panic!("{e}\n{msg}"));
            checked += 1;
        }
    }
    assert!(
        notifications
            .get("notifications/tasks/status")
            .copied()
            .unwrap_or(0)
            >= 5
    );
    assert!(
        notifications
            .get("notifications/progress")
            .copied()
            .unwrap_or(0)
            >= 1
    );
    assert!(checked >= 25, "only {checked} messages checked");
}

/// The `mcp` CLI runs a tool that only runs as a task as one (and any tool with `--task`):
/// it reports the task, shows its status messages, and prints the result.
#[test]
fn the_mcp_cli_runs_tasks() {
    let server = format!(
        "env TASKS_SERVER_EPOCH_MS=5 {}",
        bin_path("tasks-server").display()
    );
    let out = mcp_tests::run_mcp(&["call", &server, "export_dataset", "dataset=cli"]);
    let described = mcp_tests::describe_output(&out);
    assert!(out.status.success(), "{described}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.trim(), "Exported cli", "{described}");
    assert!(stderr.contains("mcp: task "), "{described}");
    assert!(stderr.contains("Exported part"), "{described}");
    let out = mcp_tests::run_mcp(&[
        "--json",
        "call",
        &server,
        "training_task",
        "model_id=m2",
        "data_path=/d",
        "--task",
    ]);
    let described = mcp_tests::describe_output(&out);
    assert!(out.status.success(), "{described}");
    let result: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(
        result["content"][0]["text"],
        "Model m2 trained successfully"
    );
    assert!(result["_meta"][RELATED_TASK_META_KEY]["taskId"].is_string());
}
