use mcp_server::prelude::*;

#[tool(name = "add", read_only, name = "plus")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = Server::new("x").tool(add);
}
