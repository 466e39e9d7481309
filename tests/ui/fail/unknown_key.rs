use mcp_server::prelude::*;

/// The tool is still registered: a typo in a key gives exactly one error.
#[tool(readonly)]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[tool(read_only, destrutive = false, frobnicate)]
async fn sub(a: i64, b: i64) -> i64 {
    a - b
}

fn main() {
    let _ = Server::new("x").tool(add).tool(sub);
}
