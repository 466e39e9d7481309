use mcp_server::prelude::*;

#[lifespan]
fn setup(server: Lifespan) -> anyhow::Result<()> {
    server.provide(1u32);
    Ok(())
}

fn main() {
    let _ = Server::new("x");
}
