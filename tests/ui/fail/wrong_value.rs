use mcp_server::prelude::*;

#[tool(read_only = "yes", title = 5)]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = Server::new("x").tool(add);
}
