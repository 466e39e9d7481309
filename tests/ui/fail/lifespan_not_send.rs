use std::rc::Rc;

use mcp_server::prelude::*;

#[lifespan]
async fn counter(server: Lifespan) -> anyhow::Result<()> {
    let local = Rc::new(0u32);
    server.running().await;
    drop(local);
    Ok(())
}

fn main() {
    let _ = Server::new("x").lifespan(counter);
}
