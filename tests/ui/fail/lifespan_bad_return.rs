use mcp_server::prelude::*;

#[lifespan]
async fn stringly(server: Lifespan) -> Result<(), String> {
    server.running().await;
    Ok(())
}

#[lifespan]
async fn nothing_returned(server: Lifespan) {
    server.running().await;
}

fn main() {
    let _ = Server::new("x").lifespan(stringly);
}
