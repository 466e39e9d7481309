//! The fixtures the official conformance suite's server scenarios call (tools, resources,
//! templates, prompts, completion, and the sampling and elicitation round trips), each a few
//! lines with the SDK's macros.
//!
//! Serve it over Streamable HTTP, as the suite requires:
//! `cargo run -p conformance-server -- --http 127.0.0.1:3100` then
//! `npx conformance server --url http://127.0.0.1:3100/mcp` from `tools/`.

use std::time::Duration;

use mcp_server::client_requests::Elicitation;
use mcp_server::mcp_core::model::{ContentBlock, ResourceLink};
use mcp_server::mcp_core::model::{PromptMessage, ResourceContents};
use mcp_server::prelude::*;
use mcp_server::tool::{ToolDef, text_result};
use serde_json::json;

/// A 1x1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
/// An empty 8 kHz mono WAV file.
const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

/// Returns a simple text response.
#[tool]
async fn test_simple_text() -> &'static str {
    "This is a simple text response for testing."
}

/// Returns an image content block.
#[tool]
async fn test_image_content() -> ContentBlock {
    ContentBlock::image(PNG, "image/png")
}

/// Returns an audio content block.
#[tool]
async fn test_audio_content() -> ContentBlock {
    ContentBlock::audio(WAV, "audio/wav")
}

/// Returns an embedded text resource.
#[tool]
async fn test_embedded_resource() -> ContentBlock {
    ContentBlock::embedded_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    )
}

/// Returns text, an image, an embedded resource and a resource link.
#[tool]
async fn test_multiple_content_types() -> Vec<ContentBlock> {
    vec![
        ContentBlock::text("Multiple content types test:"),
        ContentBlock::image(PNG, "image/png"),
        ContentBlock::embedded_text(
            "test://mixed-content-resource",
            "application/json",
            json!({"test": "data", "value": 123}).to_string(),
        ),
        ContentBlock::resource_link(ResourceLink::new("test://static-text", "static-text")),
    ]
}

/// Sends three log messages while it runs.
#[tool]
async fn test_tool_with_logging(ctx: Context) -> &'static str {
    for message in [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
    ] {
        ctx.info(message).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    "Tool with logging executed successfully"
}

/// Reports progress 0, 50 and 100 of 100.
#[tool]
async fn test_tool_with_progress(ctx: Context) -> String {
    for step in [0, 50, 100] {
        ctx.progress(step, 100)
            .message(format!("Completed step {step} of 100"))
            .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    format!("Progress reported with token {:?}", ctx.progress_token())
}

/// Always fails, as a tool error the model can see.
#[tool]
async fn test_error_handling() -> Result<String, ToolError> {
    Err(ToolError::new(
        "This tool intentionally returns an error for testing",
    ))
}

/// Asks the client's model to answer the prompt.
#[tool]
async fn test_sampling(
    ctx: Context,
    /// The prompt to send to the model.
    prompt: String,
) -> Result<String, ToolError> {
    Ok(format!(
        "LLM response: {}",
        ctx.sample_text(prompt, 100).await?
    ))
}

/// Asks the user for a username and an email address.
#[tool]
async fn test_elicitation(
    ctx: Context,
    /// The message to show the user.
    message: String,
) -> Result<String, ToolError> {
    let schema = json!({
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "format": "email", "description": "User's email address"}
        },
        "required": ["username", "email"]
    });
    let Some(schema) = schema.as_object().cloned() else {
        unreachable!()
    };
    let result = ctx.elicit_with_schema(message, schema).await?;
    Ok(format!(
        "User response: {}",
        serde_json::to_string(&result)?
    ))
}

fn default_name() -> String {
    "John Doe".into()
}
fn default_age() -> i64 {
    30
}
fn default_score() -> f64 {
    95.5
}
fn yes() -> bool {
    true
}

/// An account status.
#[derive(Serialize, Deserialize, JsonSchema, Default, Debug)]
#[serde(rename_all = "lowercase")]
enum Status {
    #[default]
    Active,
    Inactive,
    Pending,
}

/// A form whose every field has a default (SEP-1034).
#[derive(Deserialize, JsonSchema, Debug)]
#[allow(dead_code)]
struct WithDefaults {
    #[serde(default = "default_name")]
    name: String,
    #[serde(default = "default_age")]
    age: i64,
    #[serde(default = "default_score")]
    score: f64,
    #[serde(default)]
    status: Status,
    #[serde(default = "yes")]
    verified: bool,
}

/// Asks the user for a form whose fields all have defaults.
#[tool]
async fn test_elicitation_sep1034_defaults(ctx: Context) -> Result<String, ToolError> {
    Ok(
        match ctx
            .elicit::<WithDefaults>("Please review and update the form fields with defaults")
            .await?
        {
            Elicitation::Accept(form) => format!("Elicitation completed: accepted {form:?}"),
            Elicitation::Decline => "Elicitation completed: declined".into(),
            Elicitation::Cancel => "Elicitation completed: cancelled".into(),
        },
    )
}

/// Asks the user to choose in every enum style of SEP-1330.
#[tool]
async fn test_elicitation_sep1330_enums(ctx: Context) -> Result<String, ToolError> {
    let options = json!([{"const": "value1", "title": "First Option"}, {"const": "value2", "title": "Second Option"}, {"const": "value3", "title": "Third Option"}]);
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
            "titledSingle": {"type": "string", "oneOf": options},
            "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
            "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
            "titledMulti": {"type": "array", "items": {"anyOf": options}}
        }
    });
    let Some(schema) = schema.as_object().cloned() else {
        unreachable!()
    };
    let result = ctx
        .elicit_with_schema("Please select options from the enum fields", schema)
        .await?;
    Ok(format!(
        "Elicitation completed: {}",
        serde_json::to_string(&result)?
    ))
}

/// Lists the client's roots (not called by the suite; used by the interop tests).
#[tool]
async fn test_roots(ctx: Context) -> Result<String, ToolError> {
    let list = ctx.roots().await?;
    Ok(list
        .iter()
        .map(|r| r.uri.as_str())
        .collect::<Vec<_>>()
        .join(","))
}

/// A tool whose input schema uses JSON Schema 2020-12 keywords, declared by hand.
fn json_schema_2020_12_tool() -> ToolDef {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "type": "object",
                "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
            }
        },
        "properties": {
            "name": {"type": "string"},
            "address": {"$ref": "#/$defs/address"}
        },
        "additionalProperties": false
    });
    let Some(schema) = schema.as_object().cloned() else {
        unreachable!()
    };
    ToolDef::builder("json_schema_2020_12_tool")
        .description("Tool with JSON Schema 2020-12 features")
        .input_schema(schema)
        .handler(|call| async move {
            let args = call.raw_arguments().map_or("{}", |a| a.get()).to_owned();
            Ok(text_result(format!("Received: {args}")))
        })
}

/// A fixed text resource.
#[resource("test://static-text", name = "Static Text", mime = "text/plain")]
async fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

/// A fixed binary resource (a PNG image).
#[resource("test://static-binary", name = "Static Binary", mime = "image/png")]
async fn static_binary() -> ResourceContents {
    ResourceContents::blob("", PNG)
}

/// A resource whose content changes; clients may subscribe to it.
#[resource(
    "test://watched-resource",
    name = "Watched Resource",
    mime = "text/plain"
)]
async fn watched_resource() -> &'static str {
    "Watched resource content"
}

/// Data for any id, as JSON.
#[resource_template(
    "test://template/{id}/data",
    name = "Template Data",
    mime = "application/json"
)]
async fn template_data(id: String) -> Json<serde_json::Value> {
    Json(json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")}))
}

/// A prompt without arguments.
#[prompt]
async fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

/// A prompt with two required arguments.
#[prompt(complete(arg1 = complete_arg1))]
async fn test_prompt_with_arguments(
    /// First test argument.
    arg1: String,
    /// Second test argument.
    arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// Candidates for `arg1` of `test_prompt_with_arguments`.
async fn complete_arg1(request: CompletionRequest) -> Vec<String> {
    request.matching(["paris", "park", "party", "test", "testValue1"])
}

/// A prompt that embeds the resource it is given.
#[prompt]
async fn test_prompt_with_embedded_resource(
    /// URI of the resource to embed.
    #[arg(rename = "resourceUri")]
    resource_uri: String,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(ContentBlock::embedded_text(
            resource_uri,
            "text/plain",
            "Embedded resource content for testing.",
        )),
        PromptMessage::user("Please process the embedded resource above."),
    ]
}

/// A prompt with an image.
#[prompt]
async fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(ContentBlock::image(PNG, "image/png")),
        PromptMessage::user("Please analyze the image above."),
    ]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("conformance-server")
        .tool(test_simple_text)
        .tool(test_image_content)
        .tool(test_audio_content)
        .tool(test_embedded_resource)
        .tool(test_multiple_content_types)
        .tool(test_tool_with_logging)
        .tool(test_tool_with_progress)
        .tool(test_error_handling)
        .tool(test_sampling)
        .tool(test_elicitation)
        .tool(test_elicitation_sep1034_defaults)
        .tool(test_elicitation_sep1330_enums)
        .tool(json_schema_2020_12_tool())
        .tool(test_roots)
        .resource(static_text)
        .resource(static_binary)
        .resource(watched_resource)
        .resource_template(template_data)
        .prompt(test_simple_prompt)
        .prompt(test_prompt_with_arguments)
        .prompt(test_prompt_with_embedded_resource)
        .prompt(test_prompt_with_image)
        .run()
        .await
}
