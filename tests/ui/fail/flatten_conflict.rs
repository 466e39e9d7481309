use mcp_server::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Paging {
    page: u32,
}

#[tool]
async fn list(#[arg(flatten, rename = "p")] paging: Paging) -> String {
    paging.page.to_string()
}

fn main() {
    let _ = Server::new("x").tool(list);
}
