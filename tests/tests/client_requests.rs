//! Server-to-client requests end to end, our server and our client in one process over a
//! duplex pipe: form elicitation (accept with defaults filled, decline, cancel), sampling,
//! roots, a client without the capability, and a tool cancelled while its elicitation is
//! pending.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcp_client::{CallOptions, Client, ClientBuilder};
use mcp_core::model::{
    CreateMessageResult, ElicitAction, ElicitResult, ElicitValue, Role, Root,
    SamplingMessageContentBlock,
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
