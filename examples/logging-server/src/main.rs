//! Logging control (seed section 5): the client chooses, at run time, which log messages it
//! receives with `logging/setLevel`.
//!
//! Events emitted with `tracing` inside a tool reach the client through `McpLogLayer` (and
//! stderr through the fmt layer); `ctx.log` sends directly.
//!
//! Run it over stdio: `cargo run -p logging-server`; over Streamable HTTP: `cargo run -p logging-server -- --http 127.0.0.1:8080`.

use mcp_server::logging::McpLogLayer;
use mcp_server::prelude::*;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;

/// Process the data, logging each step at debug, info and error level.
#[tool(open_world = false)]
async fn debug_operation(
    ctx: Context,
    /// The data to process.
    data: String,
) -> Result<String, ToolError> {
    tracing::debug!("Processing data: {data}");
    ctx.info(format!("Starting operation with input: {data}"))
        .await;
    if data.trim().is_empty() {
        tracing::error!("Processing failed: the input is empty");
        return Err(ToolError::new("Processing failed: the input is empty"));
    }
    let result = data.chars().rev().collect::<String>();
    tracing::info!("Successfully processed: {result}");
    Ok(result)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_filter(LevelFilter::INFO),
        )
        .with(McpLogLayer::new())
        .init();
    Server::new("logging-server")
        .tool(debug_operation)
        .run()
        .await
}
