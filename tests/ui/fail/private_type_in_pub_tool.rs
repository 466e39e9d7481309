use mcp_server::prelude::*;

/// Private to this module.
#[derive(Deserialize, JsonSchema)]
struct Query {
    text: String,
}

/// A `pub` tool exposes its signature through `Deref` (to stay callable as `search(q).await`),
/// so its parameter types must be as visible as the tool. The error points at `pub`.
#[tool]
pub async fn search(query: Query) -> String {
    query.text
}

fn main() {
    let _ = Server::new("x").tool(search);
}
