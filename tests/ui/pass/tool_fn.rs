//! A free `#[tool]` with an injected `Context`, required, optional, defaulted, renamed and
//! flattened arguments and a `Json<T>` result: its descriptor, and calls through a server.
#![deny(warnings)]

#[path = "support/mod.rs"]
mod support;

use mcp_server::prelude::*;
use serde_json::json;

#[derive(Debug, Deserialize, JsonSchema)]
struct Paging {
    /// The page to return.
    page: u32,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Summary {
    count: usize,
    joined: String,
    tag: Option<String>,
    page: u32,
    per_page: u32,
}

fn default_separator() -> String {
    ", ".to_owned()
}

/// Join items.
///
/// Reports progress and stops when cancelled.
#[tool(
    title = "Join",
    read_only,
    idempotent = true,
    open_world = false,
    icon = "https://example.com/join.png"
)]
async fn join(
    ctx: Context,
    /// The items to join.
    items: Vec<String>,
    /// An optional tag.
    tag: Option<String>,
    /// Overridden by `description`.
    #[arg(default = default_separator(), description = "The separator.")]
    separator: String,
    #[arg(rename = "upper")] uppercase: Option<bool>,
    #[arg(flatten)] paging: Paging,
) -> Result<Json<Summary>, ToolError> {
    ctx.check_cancelled()?;
    ctx.progress(1, 1).await;
    let mut joined = items.join(&separator);
    if uppercase.unwrap_or(false) {
        joined = joined.to_uppercase();
    }
    Ok(Json(Summary {
        count: items.len(),
        joined,
        tag,
        page: paging.page,
        per_page: paging.per_page.unwrap_or(10),
    }))
}

/// A tool without parameters.
#[tool]
async fn ping() {}

#[tokio::main]
async fn main() {
    let mut client = support::connect(Server::new("ui").tool(join).tool(ping)).await;

    // The user's crate version is the server's version unless one is set.
    assert_eq!(
        client.init["serverInfo"]["version"],
        env!("CARGO_PKG_VERSION")
    );

    let tool = client.tool("join").await;
    assert_eq!(tool["title"], "Join");
    assert_eq!(
        tool["description"],
        "Join items.\n\nReports progress and stops when cancelled."
    );
    assert_eq!(
        tool["annotations"],
        json!({"readOnlyHint": true, "idempotentHint": true, "openWorldHint": false})
    );
    assert_eq!(
        tool["icons"],
        json!([{"src": "https://example.com/join.png"}])
    );
    let schema = &tool["inputSchema"];
    assert_eq!(schema["type"], "object");
    let mut properties: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    properties.sort_unstable();
    assert_eq!(
        properties,
        ["items", "page", "per_page", "separator", "tag", "upper"],
        "no `ctx`"
    );
    assert_eq!(schema["required"], json!(["items", "page"]));
    assert_eq!(
        schema["properties"]["items"]["description"],
        "The items to join."
    );
    assert_eq!(
        schema["properties"]["separator"]["description"],
        "The separator."
    );
    assert_eq!(schema["properties"]["separator"]["default"], ", ");
    assert_eq!(
        schema["properties"]["page"]["description"],
        "The page to return."
    );
    assert_eq!(tool["outputSchema"]["type"], "object");
    assert!(tool["outputSchema"]["properties"]["joined"].is_object());

    let result = client
        .call(
            "join",
            json!({"items": ["a", "b"], "upper": true, "page": 2}),
        )
        .await;
    assert_eq!(
        result["structuredContent"],
        json!({"count": 2, "joined": "A, B", "tag": null, "page": 2, "per_page": 10})
    );
    assert_ne!(result["isError"], true);

    let result = client
        .call(
            "join",
            json!({"items": ["a"], "separator": "-", "tag": "t", "page": 1, "per_page": 5}),
        )
        .await;
    assert_eq!(result["structuredContent"]["tag"], "t");
    assert_eq!(result["structuredContent"]["per_page"], 5);

    // A missing required argument: a tool error that names it.
    let result = client.call("join", json!({"page": 1})).await;
    assert_eq!(result["isError"], true);
    assert!(support::text(&result).contains("items"), "{result}");

    // (A `let ping = ..` binding would not compile here: `ping` is a unit struct in this module.)
    let descriptor = client.tool("ping").await;
    assert_eq!(descriptor["description"], "A tool without parameters.");
    assert_eq!(descriptor["inputSchema"]["properties"], json!({}));
    let result = client.call("ping", json!({})).await;
    assert_eq!(result["content"], json!([]));
}
