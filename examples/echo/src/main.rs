//! The smallest useful MCP server: `echo` returns its input, `slow_count` counts with progress.
//!
//! Run it over stdio: `cargo run -p echo`; over Streamable HTTP: `cargo run -p echo -- --http 127.0.0.1:8080`.
//!
//! It installs no log subscriber, like the rmcp server it is measured against in `benches/`;
//! the other examples show logging to stderr with `tracing_subscriber`.

use std::time::Duration;

use mcp_server::prelude::*;

/// Echo the text back, unchanged.
#[tool(read_only, idempotent, open_world = false)]
async fn echo(
    /// The text to echo.
    text: String,
) -> String {
    text
}

/// Count from 1 to `n`, sending a progress notification at each step and stopping early when
/// the call is cancelled.
#[tool(read_only, open_world = false)]
async fn slow_count(
    ctx: Context,
    /// How far to count.
    n: u64,
    /// Milliseconds to wait at each step.
    #[arg(default = 1)]
    delay_ms: u64,
) -> Result<String, ToolError> {
    for i in 1..=n {
        ctx.check_cancelled()?;
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        ctx.progress(i, n).message(format!("counted {i}")).await;
    }
    Ok(format!("counted to {n}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    Server::new("echo").tool(echo).tool(slow_count).run().await
}
