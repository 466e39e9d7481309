use mcp_server::prelude::*;

#[lifespan]
async fn setup(server: Server) -> anyhow::Result<()> {
    let _ = server;
    Ok(())
}

#[lifespan]
async fn nothing() -> anyhow::Result<()> {
    Ok(())
}

#[lifespan]
async fn too_many(server: Lifespan, extra: u32) -> anyhow::Result<()> {
    let _ = (server, extra);
    Ok(())
}

fn main() {
    let _ = Server::new("x").lifespan(setup);
}
