//! A test server for the server-to-client requests that the conformance fixtures do not cover:
//! URL-mode elicitation (with its completion notification and the -32042 error), sampling with
//! tools (a two-turn tool loop), a form elicitation the user never answers (to cancel the
//! calling tool mid-request), and an elicitation from a task (`input_required`). Serves stdio, or Streamable HTTP with `--http ADDR`.

use std::time::Duration;

use mcp_core::JsonObject;
use mcp_core::model::{
    CreateMessageRequestParams, ElicitAction, ElicitRequestURLParams, Role, SamplingContent,
    SamplingMessage, SamplingMessageContentBlock, StopReason, Tool, ToolChoice, ToolChoiceMode,
    ToolResultContent, URLElicitationRequiredErrorData,
};
use mcp_server::prelude::*;
use serde_json::json;

/// Asks the user to connect an account in their browser (URL-mode elicitation), then reports
/// the out-of-band completion.
#[tool]
async fn connect_account(ctx: Context, service: String) -> Result<String, ToolError> {
    let id = format!("connect-{service}");
    let url = format!("https://auth.example.com/connect?service={service}");
    let action = ctx
        .elicit_url(format!("Sign in to {service} to continue"), url, &id)
        .await?;
    Ok(match action {
        ElicitAction::Accept => {
            // The sign-in happens out of band; pretend it took a moment.
            tokio::time::sleep(Duration::from_millis(10)).await;
            ctx.elicitation_complete(&id).await?;
            format!("connected {service}")
        }
        ElicitAction::Decline => "the user declined".into(),
        _ => "the user dismissed the request".into(),
    })
}

/// Cannot run before the user authorizes in their browser: fails with -32042 naming the URL.
#[tool]
async fn read_private_repo() -> Result<String, ToolError> {
    let elicitation = ElicitRequestURLParams::new(
        "Authorize access to your repositories",
        "https://auth.example.com/authorize?scope=repo",
        "authorize-repo",
    );
    Err(URLElicitationRequiredErrorData::new(vec![elicitation])
        .into_error("authorization is required first")
        .into())
}

/// Asks the client's model about the weather in `city`, letting it call a `get_weather` tool
/// that this server runs (sampling with tools, at most three turns).
#[tool]
async fn weather_agent(ctx: Context, city: String) -> Result<String, ToolError> {
    let weather_tool = Tool::new(
        "get_weather",
        serde_json::from_value::<JsonObject>(json!({
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"]
        }))?,
    )
    .with_description("Current weather of a city");
    let mut messages = vec![SamplingMessage::new(
        Role::User,
        SamplingMessageContentBlock::text(format!("What is the weather in {city}?")),
    )];
    for _turn in 0..3 {
        let params = CreateMessageRequestParams::new(messages.clone(), 200)
            .with_tools(vec![weather_tool.clone()])
            .with_tool_choice(ToolChoice::new(ToolChoiceMode::Auto));
        let result = ctx.sample(params).await?;
        let blocks = match result.content {
            SamplingContent::Single(block) => vec![block],
            SamplingContent::Multiple(blocks) => blocks,
            _ => Vec::new(),
        };
        if result.stop_reason != Some(StopReason::ToolUse) {
            let text: Vec<&str> = blocks
                .iter()
                .filter_map(|b| match b {
                    SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
                    _ => None,
                })
                .collect();
            return Ok(text.join("\n"));
        }
        let mut results = Vec::new();
        for block in &blocks {
            if let SamplingMessageContentBlock::ToolUse(call) = block {
                let asked = call
                    .input
                    .get("city")
                    .and_then(|c| c.as_str())
                    .unwrap_or("?");
                let answer = if call.name == "get_weather" {
                    format!("sunny, 21 C in {asked}")
                } else {
                    format!("no tool named {}", call.name)
                };
                results.push(SamplingMessageContentBlock::ToolResult(
                    ToolResultContent::new(call.id.clone(), vec![ContentBlock::text(answer)]),
                ));
            }
        }
        messages.push(SamplingMessage::new(Role::Assistant, blocks));
        messages.push(SamplingMessage::new(Role::User, results));
    }
    Err(ToolError::new("the model kept calling tools"))
}

/// Asks the user a question through a form and waits for the answer, however long it takes.
#[tool]
async fn ask_user(ctx: Context, question: String) -> Result<String, ToolError> {
    let schema = serde_json::from_value::<JsonObject>(json!({
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"]
    }))?;
    let result = ctx.elicit_with_schema(question, schema).await?;
    Ok(format!("{:?}", result.action))
}

/// Asks the user to approve `item`, in the background: a task that is `input_required` while the
/// form is open.
#[tool(task = "optional")]
async fn approve(ctx: Context, item: String) -> Result<String, ToolError> {
    let schema = serde_json::from_value::<JsonObject>(json!({
        "type": "object",
        "properties": {"approved": {"type": "boolean"}},
        "required": ["approved"]
    }))?;
    let result = ctx
        .elicit_with_schema(format!("Approve {item}?"), schema)
        .await?;
    let approved = result
        .content
        .as_ref()
        .and_then(|c| c.get("approved"))
        .is_some_and(|v| serde_json::to_value(v).ok() == Some(json!(true)));
    Ok(if approved {
        format!("approved {item}")
    } else {
        format!("rejected {item}")
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("requests-server")
        .tool(connect_account)
        .tool(read_private_repo)
        .tool(weather_agent)
        .tool(ask_user)
        .tool(approve)
        .run()
        .await
}
