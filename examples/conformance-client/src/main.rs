//! A client for the official conformance suite's client scenarios. The runner starts
//! `conformance-client <server-url>` and names the scenario in `MCP_CONFORMANCE_SCENARIO`.
//!
//! - `initialize`: connect (initialize + initialized), list the tools, close.
//! - `tools_call`: call `add_numbers` with two numbers.
//! - `elicitation-sep1034-client-defaults`: declare form elicitation and accept every form,
//!   filling each field the user did not set from the schema's `default`.
//! - `sse-retry`: call `test_reconnection`; the transport resumes the closed SSE stream with
//!   `Last-Event-ID` after waiting the server's `retry` interval.

use mcp_client::{Client, ClientBuilder};
use mcp_core::McpError;
use mcp_core::model::{ClientCapabilities, ElicitationCapability};
use serde_json::{Map, Value, json};

/// An elicitation answer that accepts the form with every schema default filled in.
fn accept_with_defaults(params: Option<Value>) -> Result<Value, McpError> {
    let params = params.ok_or_else(|| McpError::invalid_params("missing params"))?;
    let mut content = Map::new();
    if let Some(properties) = params["requestedSchema"]["properties"].as_object() {
        for (name, schema) in properties {
            if let Some(default) = schema.get("default") {
                content.insert(name.clone(), default.clone());
            }
        }
    }
    Ok(json!({ "action": "accept", "content": content }))
}

async fn run(scenario: &str, url: &str) -> anyhow::Result<()> {
    let mut builder: ClientBuilder = Client::builder()
        .name("conformance-client")
        .version("0.1.0");
    if scenario.starts_with("elicitation") {
        let mut caps = ClientCapabilities::new();
        caps.elicitation = Some(ElicitationCapability::new());
        builder = builder
            .capabilities(caps)
            .on_request("elicitation/create", |params| async move {
                accept_with_defaults(params)
            });
    }
    let client = builder.connect_http(url).await?;
    match scenario {
        "initialize" => {
            client.list_all_tools().await?;
        }
        "tools_call" => {
            client
                .call_tool("add_numbers", json!({"a": 2, "b": 3}))
                .await?;
        }
        "elicitation-sep1034-client-defaults" => {
            client
                .call_tool("test_client_elicitation_defaults", json!({}))
                .await?;
        }
        "sse-retry" => {
            client.call_tool("test_reconnection", json!({})).await?;
        }
        other => anyhow::bail!("unknown scenario `{other}`"),
    }
    // Closing DELETEs the session; some mock servers do not support that, which is fine.
    let _ = client.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args()
        .next_back()
        .filter(|a| a.starts_with("http"))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "usage: conformance-client <server-url> (scenario in MCP_CONFORMANCE_SCENARIO)"
            )
        })?;
    let scenario =
        std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_else(|_| "initialize".into());
    run(&scenario, &url).await
}
