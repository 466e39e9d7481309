use mcp_server::prelude::*;

struct Row;

#[tool]
async fn fetch(id: u64) -> Row {
    let _ = id;
    Row
}

fn main() {
    let _ = Server::new("x").tool(fetch);
}
