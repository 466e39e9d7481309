use std::rc::Rc;

use mcp_server::prelude::*;

#[tool]
async fn count(n: u64) -> String {
    let shared = Rc::new(n);
    tokio::task::yield_now().await;
    shared.to_string()
}

fn main() {
    let _ = Server::new("x").tool(count);
}
