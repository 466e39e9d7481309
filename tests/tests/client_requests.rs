//! Server-to-client requests end to end, our server and our client in one process over a
//! duplex pipe: form elicitation (accept with defaults filled, decline, cancel), sampling,
//! roots, a client without the capability, and a tool cancelled while its elicitation is
//! pending. Then, against the `requests-server` test binary over stdio: URL-mode elicitation
//! (outcomes, completion notification, the -32042 error), the capability each mode needs, and
//! sampling with tools.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcp_client::{CallOptions, Client, ClientBuilder, ServerNotification};
use mcp_core::model::{
    CreateMessageResult, ElicitAction, ElicitResult, ElicitValue, Role, Root,
    SamplingMessageContentBlock, StopReason, ToolUseContent, URLElicitationRequiredErrorData,
};
use mcp_server::client_requests::Elicitation;
use mcp_server::prelude::*;
use serde_json::json;

fn default_seats() -> u8 {
    2
}

/// A booking form: `seats` has a default the client fills in when the user leaves it out.
#[derive(Deserialize, JsonSchema, Debug)]
struct Booking {
    /// Who the booking is for.
    name: String,
    /// How many seats.
    #[serde(default = "default_seats")]
    seats: u8,
}

/// Books seats after asking the user.
#[tool]
async fn book(ctx: Context) -> Result<String, ToolError> {
    Ok(
        match ctx.elicit::<Booking>("Who is the booking for?").await? {
            Elicitation::Accept(b) => format!("booked {} seats for {}", b.seats, b.name),
            Elicitation::Decline => "declined".into(),
            Elicitation::Cancel => "cancelled".into(),
        },
    )
}

/// Asks the client's model.
#[tool]
async fn ask(ctx: Context, prompt: String) -> Result<String, ToolError> {
    Ok(ctx.sample_text(prompt, 50).await?)
}

/// Lists the client's roots.
#[tool]
async fn roots(ctx: Context) -> Result<String, ToolError> {
    // Not `let roots`: inside a module that defines the tool `roots`, that name is the tool.
    let list = ctx.roots().await?;
    Ok(list
        .iter()
        .map(|r| r.uri.as_str())
        .collect::<Vec<_>>()
        .join(","))
}

async fn connect(builder: ClientBuilder) -> Client {
    let server = Server::new("requests")
        .version("1.0.0")
        .tool(book)
        .tool(ask)
        .tool(roots);
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (sr, sw) = tokio::io::split(server_io);
    tokio::spawn(server.serve_stream(sr, sw));
    let (cr, cw) = tokio::io::split(client_io);
    builder.connect_io(cr, cw).await.expect("connect")
}

fn text(result: &mcp_core::model::CallToolResult) -> String {
    serde_json::to_value(&result.content[0]).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn elicitation_accept_fills_defaults_decline_and_cancel() {
    for (action, expected) in [
        (ElicitAction::Accept, "booked 2 seats for Ada"),
        (ElicitAction::Decline, "declined"),
        (ElicitAction::Cancel, "cancelled"),
    ] {
        let client = connect(Client::builder().on_elicitation(move |request| async move {
            assert_eq!(request.message, "Who is the booking for?");
            assert_eq!(
                request.requested_schema["properties"]["seats"]["default"],
                2
            );
            match action {
                ElicitAction::Accept => {
                    // Only the name: the seats come from the schema's default.
                    let mut content = std::collections::BTreeMap::new();
                    content.insert("name".to_owned(), ElicitValue::String("Ada".into()));
                    ElicitResult::accept(content)
                }
                ElicitAction::Decline => ElicitResult::decline(),
                _ => ElicitResult::cancel(),
            }
        }))
        .await;
        let result = client.call_tool("book", json!({})).await.unwrap();
        assert_eq!(text(&result), expected);
    }
}

#[tokio::test]
async fn sampling_and_roots_round_trip() {
    let client = connect(
        Client::builder()
            .on_sampling(|request| async move {
                let prompt = serde_json::to_value(&request.messages[0].content).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                assert_eq!(request.max_tokens, 50);
                Ok(CreateMessageResult::new(
                    Role::Assistant,
                    SamplingMessageContentBlock::text(format!("echo: {prompt}")),
                    "test-model",
                ))
            })
            .roots(vec![Root::new("file:///work"), Root::new("file:///data")]),
    )
    .await;
    let result = client
        .call_tool("ask", json!({"prompt": "hi"}))
        .await
        .unwrap();
    assert_eq!(text(&result), "echo: hi");
    let result = client.call_tool("roots", json!({})).await.unwrap();
    assert_eq!(text(&result), "file:///work,file:///data");
}

#[tokio::test]
async fn a_client_without_the_capability_gets_a_clear_error() {
    let client = connect(Client::builder()).await;
    for (tool, capability) in [
        ("book", "elicitation"),
        ("ask", "sampling"),
        ("roots", "roots"),
    ] {
        let args = if tool == "ask" {
            json!({"prompt": "x"})
        } else {
            json!({})
        };
        let err = client.call_tool(tool, args).await.unwrap_err();
        let err = err.as_protocol().unwrap_or_else(|| panic!("{tool}: {err}"));
        assert_eq!(err.code.0, -32600, "{tool}");
        assert!(
            err.message.contains(&format!("`{capability}`")),
            "{tool}: {}",
            err.message
        );
    }
}

/// Sets a flag when dropped: shows that the client's handler future was abandoned.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn cancelling_the_tool_cancels_its_pending_elicitation() {
    let abandoned = Arc::new(AtomicBool::new(false));
    let flag = abandoned.clone();
    let client = connect(Client::builder().on_elicitation(move |_request| {
        let guard = DropFlag(flag.clone());
        async move {
            // The user never answers.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            drop(guard);
            ElicitResult::cancel()
        }
    }))
    .await;
    let options = CallOptions::new().timeout(Duration::from_millis(300));
    let err = client
        .call_tool_with("book", json!({}), options)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // The server cancelled the tool, which abandoned its elicitation request: the client was
    // told (notifications/cancelled) and dropped the handler after its grace period.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !abandoned.load(Ordering::SeqCst) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the pending elicitation was never cancelled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Both sides still work.
    let client2 = client;
    assert!(client2.ping().await.is_ok());
}

// ---- URL-mode elicitation and sampling with tools, against `requests-server` over stdio ----

async fn spawn_requests_server(builder: ClientBuilder) -> Client {
    let server = mcp_tests::bin_path("requests-server");
    builder
        .spawn(server, std::iter::empty::<&str>())
        .await
        .expect("spawn requests-server")
}

#[tokio::test]
async fn url_elicitation_accept_decline_cancel_and_completion() {
    for (action, expected) in [
        (ElicitAction::Accept, "connected github"),
        (ElicitAction::Decline, "the user declined"),
        (ElicitAction::Cancel, "the user dismissed the request"),
    ] {
        let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        let client = spawn_requests_server(
            Client::builder()
                .on_url_elicitation(move |request| {
                    let seen_tx = seen_tx.clone();
                    async move {
                        let wire = serde_json::to_value(&request).unwrap();
                        mcp_tests::validate_2025_11_25("ElicitRequestURLParams", &wire)
                            .unwrap_or_else(|e| panic!("{e}: {wire}"));
                        seen_tx.send(wire).unwrap();
                        action
                    }
                })
                .on_notification(move |n| {
                    if let ServerNotification::ElicitationComplete(p) = n {
                        done_tx.send(p.elicitation_id).unwrap();
                    }
                }),
        )
        .await;
        let result = client
            .call_tool("connect_account", json!({"service": "github"}))
            .await
            .unwrap();
        assert_eq!(text(&result), expected);
        let request = seen_rx.recv().await.unwrap();
        assert_eq!(request["mode"], "url");
        assert_eq!(request["elicitationId"], "connect-github");
        assert_eq!(
            request["url"],
            "https://auth.example.com/connect?service=github"
        );
        assert_eq!(request["message"], "Sign in to github to continue");
        if action == ElicitAction::Accept {
            // The completion notification is written before the tool's response.
            assert_eq!(done_rx.try_recv().as_deref(), Ok("connect-github"));
        } else {
            assert!(done_rx.try_recv().is_err());
        }
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn url_elicitation_required_error_reaches_the_client_with_its_data() {
    let client = spawn_requests_server(Client::builder()).await;
    let err = client
        .call_tool("read_private_repo", json!({}))
        .await
        .unwrap_err();
    let err = err.as_protocol().expect("a JSON-RPC error");
    assert_eq!(err.code.0, -32042);
    let data = URLElicitationRequiredErrorData::from_error(err).expect("-32042 data");
    assert_eq!(data.elicitations.len(), 1);
    assert_eq!(data.elicitations[0].elicitation_id, "authorize-repo");
    assert_eq!(
        data.elicitations[0].url,
        "https://auth.example.com/authorize?scope=repo"
    );
    mcp_tests::validate_2025_11_25(
        "URLElicitationRequiredError/properties/error/allOf/1/properties/data",
        &serde_json::to_value(&data).unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn each_elicitation_mode_needs_its_own_capability() {
    // Form only: URL mode is refused by the server before anything is sent.
    let form_only = spawn_requests_server(
        Client::builder().on_elicitation(|_| async { ElicitResult::decline() }),
    )
    .await;
    let err = form_only
        .call_tool("connect_account", json!({"service": "github"}))
        .await
        .unwrap_err();
    let err = err.as_protocol().unwrap();
    assert_eq!(err.code.0, -32600);
    assert!(err.message.contains("`elicitation.url`"), "{}", err.message);
    // URL only: form mode is refused.
    let url_only = spawn_requests_server(
        Client::builder().on_url_elicitation(|_| async { ElicitAction::Decline }),
    )
    .await;
    let err = url_only
        .call_tool("ask_user", json!({"question": "why?"}))
        .await
        .unwrap_err();
    let err = err.as_protocol().unwrap();
    assert_eq!(err.code.0, -32600);
    assert!(err.message.contains("`elicitation`"), "{}", err.message);
    // Both: both work.
    let both = spawn_requests_server(
        Client::builder()
            .on_elicitation(|_| async {
                let mut content = std::collections::BTreeMap::new();
                content.insert("answer".to_owned(), ElicitValue::String("42".into()));
                ElicitResult::accept(content)
            })
            .on_url_elicitation(|_| async { ElicitAction::Cancel }),
    )
    .await;
    let r = both
        .call_tool("ask_user", json!({"question": "why?"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "Accept");
    let r = both
        .call_tool("connect_account", json!({"service": "gitlab"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "the user dismissed the request");
}

#[tokio::test]
async fn sampling_with_tools_runs_a_tool_loop() {
    let turns = Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let seen = turns.clone();
    let client = spawn_requests_server(Client::builder().on_sampling_with_tools(move |request| {
        let seen = seen.clone();
        async move {
            let wire = serde_json::to_value(&request).unwrap();
            mcp_tests::validate_2025_11_25("CreateMessageRequestParams", &wire)
                .unwrap_or_else(|e| panic!("{e}: {wire}"));
            let turn = {
                let mut seen = seen.lock().unwrap();
                seen.push(wire.clone());
                seen.len()
            };
            assert_eq!(wire["tools"][0]["name"], "get_weather");
            assert_eq!(wire["toolChoice"]["mode"], "auto");
            if turn == 1 {
                // The model asks for the tool.
                let mut input = mcp_core::JsonObject::new();
                input.insert("city".into(), "Paris".into());
                Ok(CreateMessageResult::new(
                    Role::Assistant,
                    SamplingMessageContentBlock::ToolUse(ToolUseContent::new(
                        "call-1",
                        "get_weather",
                        input,
                    )),
                    "tool-model",
                )
                .with_stop_reason(StopReason::ToolUse))
            } else {
                // The tool's result came back in the last message.
                let last = wire["messages"].as_array().unwrap().last().unwrap().clone();
                let result = last["content"]
                    .as_array()
                    .and_then(|blocks| blocks.first())
                    .cloned()
                    .unwrap_or_else(|| last["content"].clone());
                assert_eq!(result["type"], "tool_result", "{wire}");
                assert_eq!(result["toolUseId"], "call-1");
                let weather = result["content"][0]["text"].as_str().unwrap().to_owned();
                Ok(CreateMessageResult::new(
                    Role::Assistant,
                    SamplingMessageContentBlock::text(format!("The model says: {weather}")),
                    "tool-model",
                )
                .with_stop_reason(StopReason::EndTurn))
            }
        }
    }))
    .await;
    let result = client
        .call_tool("weather_agent", json!({"city": "Paris"}))
        .await
        .unwrap();
    assert_eq!(text(&result), "The model says: sunny, 21 C in Paris");
    let turns = turns.lock().unwrap();
    assert_eq!(turns.len(), 2);
    // The second request carries the whole conversation: question, tool use, tool result.
    assert_eq!(turns[1]["messages"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn sampling_with_tools_needs_the_tools_capability() {
    let client = spawn_requests_server(Client::builder().on_sampling(|_| async {
        panic!("the server must not send a tool request to this client")
    }))
    .await;
    let err = client
        .call_tool("weather_agent", json!({"city": "Paris"}))
        .await
        .unwrap_err();
    let err = err.as_protocol().unwrap();
    assert_eq!(err.code.0, -32600);
    assert!(err.message.contains("`sampling.tools`"), "{}", err.message);
}

#[tokio::test]
async fn url_elicitation_and_sampling_with_tools_over_streamable_http() {
    let server = mcp_tests::spawn_http_example("requests-server", &[]);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let client = Client::builder()
        .on_url_elicitation(|_| async { ElicitAction::Accept })
        .on_notification(move |n| {
            if let ServerNotification::ElicitationComplete(p) = n {
                done_tx.send(p.elicitation_id).unwrap();
            }
        })
        .on_sampling_with_tools(|request| async move {
            // One turn: answer without using the tool.
            assert!(request.tools.is_some());
            Ok(CreateMessageResult::new(
                Role::Assistant,
                SamplingMessageContentBlock::text("no tool needed"),
                "http-model",
            ))
        })
        .connect_http(&server.url)
        .await
        .expect("connect over HTTP");
    let r = client
        .call_tool("connect_account", json!({"service": "web"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "connected web");
    // The completion travelled on the call's own SSE stream, before its response.
    assert_eq!(done_rx.try_recv().as_deref(), Ok("connect-web"));
    let r = client
        .call_tool("weather_agent", json!({"city": "Rome"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "no tool needed");
}

/// Waits until `flag` is set, or fails after 5 s with `what`.
async fn wait_for(flag: &AtomicBool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !flag.load(Ordering::SeqCst) {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn cancelling_the_tool_cancels_its_pending_sampling_and_roots_requests() {
    let sampling_abandoned = Arc::new(AtomicBool::new(false));
    let roots_abandoned = Arc::new(AtomicBool::new(false));
    let (s_flag, r_flag) = (sampling_abandoned.clone(), roots_abandoned.clone());
    let mut capabilities = mcp_core::model::ClientCapabilities::new();
    capabilities.roots = Some(Default::default());
    let client = connect(
        Client::builder()
            .capabilities(capabilities)
            .on_sampling(move |_request| {
                let guard = DropFlag(s_flag.clone());
                async move {
                    // The model never answers.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    drop(guard);
                    Err(mcp_core::McpError::internal("unreachable"))
                }
            })
            .on_request("roots/list", move |_params| {
                let guard = DropFlag(r_flag.clone());
                async move {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    drop(guard);
                    Ok(json!({"roots": []}))
                }
            }),
    )
    .await;
    let short = || CallOptions::new().timeout(Duration::from_millis(300));
    let err = client
        .call_tool_with("ask", json!({"prompt": "hi"}), short())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    wait_for(
        &sampling_abandoned,
        "the pending sampling request was never cancelled",
    )
    .await;
    let err = client
        .call_tool_with("roots", json!({}), short())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    wait_for(
        &roots_abandoned,
        "the pending roots request was never cancelled",
    )
    .await;
    assert!(client.ping().await.is_ok());
}

/// A client whose form handler records each request and answers `approved` only when the test
/// releases it.
fn approving_client(
    seen: tokio::sync::mpsc::UnboundedSender<serde_json::Value>,
    release: Arc<tokio::sync::Notify>,
) -> ClientBuilder {
    Client::builder().on_elicitation(move |request| {
        let seen = seen.clone();
        let release = release.clone();
        async move {
            seen.send(serde_json::to_value(&request).unwrap()).unwrap();
            release.notified().await;
            let mut content = std::collections::BTreeMap::new();
            content.insert("approved".to_owned(), ElicitValue::Boolean(true));
            ElicitResult::accept(content)
        }
    })
}

#[tokio::test]
async fn an_elicitation_from_a_task_makes_it_input_required_then_working_again() {
    use mcp_core::model::{RELATED_TASK_META_KEY, TaskStatus};
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let release = Arc::new(tokio::sync::Notify::new());
    let client = spawn_requests_server(approving_client(seen_tx, release.clone())).await;
    let created = client
        .call_tool_as_task("approve", json!({"item": "invoice 7"}), None)
        .await
        .unwrap();
    let id = created.task.task_id;
    // The form reaches the client with the related-task `_meta`.
    let request = tokio::time::timeout(Duration::from_secs(5), seen_rx.recv())
        .await
        .expect("the elicitation arrives")
        .unwrap();
    assert_eq!(request["message"], "Approve invoice 7?");
    assert_eq!(request["_meta"][RELATED_TASK_META_KEY]["taskId"], id);
    // While the user has the form open, the task is input_required.
    assert_eq!(
        client.get_task(&id).await.unwrap().task.status,
        TaskStatus::InputRequired
    );
    release.notify_one();
    let result = client.task_result(&id).await.unwrap();
    assert_eq!(result["content"][0]["text"], "approved invoice 7");
    assert_eq!(
        client.get_task(&id).await.unwrap().task.status,
        TaskStatus::Completed
    );
}

#[tokio::test]
async fn over_http_a_task_asks_the_client_through_its_waiting_tasks_result() {
    let server = mcp_tests::spawn_http_example("requests-server", &[]);
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let release = Arc::new(tokio::sync::Notify::new());
    release.notify_one(); // answer at once
    let client = approving_client(seen_tx, release)
        .connect_http(&server.url)
        .await
        .expect("connect over HTTP");
    let created = client
        .call_tool_as_task("approve", json!({"item": "order 9"}), None)
        .await
        .unwrap();
    let id = created.task.task_id;
    // tasks/result blocks; the task's elicitation travels on its stream and is answered.
    let result = tokio::time::timeout(Duration::from_secs(10), client.task_result(&id))
        .await
        .expect("tasks/result returns")
        .unwrap();
    assert_eq!(result["content"][0]["text"], "approved order 9");
    let request = seen_rx.try_recv().unwrap();
    assert_eq!(request["message"], "Approve order 9?");
}
