//! Error handling (seed section 6): consistent, structured errors.
//!
//! `safe_operation` reaches every row of the error guide (docs/errors.md) from a client:
//!
//! | input | what the client sees |
//! |---|---|
//! | empty, or over 10,000 characters | -32602 (invalid params) |
//! | starting with `forbidden` | -32600 "Permission denied: ..." |
//! | starting with `missing` | -32600 "Not found: ..." |
//! | starting with `db-down` | -32603 "Database connection failed: ..." |
//! | starting with `slow` | -32603 "Operation timed out: ..." |
//! | starting with `panic` | -32603 "Internal error" (details only in the server's log) |
//! | starting with `fail` | a tool result with `isError: true` |
//! | anything else | the input, processed |
//!
//! Run it over stdio: `cargo run -p errors-server`; over Streamable HTTP: `cargo run -p errors-server -- --http 127.0.0.1:8080`.

use mcp_server::prelude::*;

/// What can go wrong downstream of the tool, as an application would model it.
#[derive(Debug, thiserror::Error)]
enum DownstreamError {
    #[error("connection refused")]
    Connection,
    #[error("no answer within 30 s")]
    Timeout,
}

/// The seed's `perform_operation`: talks to a pretend backend.
async fn perform_operation(input: &str) -> Result<Option<String>, DownstreamError> {
    if input.starts_with("db-down") {
        return Err(DownstreamError::Connection);
    }
    if input.starts_with("slow") {
        return Err(DownstreamError::Timeout);
    }
    if input.starts_with("missing") {
        return Ok(None);
    }
    if input.starts_with("panic") {
        panic!("invariant broken while processing {input:?} (secret path /srv/app/state.db)");
    }
    Ok(Some(input.to_uppercase()))
}

/// Run an operation on the input, failing in every way the error guide describes.
#[tool(open_world = false)]
async fn safe_operation(
    /// The input to process. Try "", "forbidden x", "missing x", "db-down", "slow", "panic", "fail".
    input: String,
) -> Result<String, ToolError> {
    if input.is_empty() {
        return Err(McpError::invalid_params("Input cannot be empty").into());
    }
    let len = input.chars().count();
    if len > 10_000 {
        return Err(
            McpError::invalid_params(format!("Input too large: {len} chars (max 10000)")).into(),
        );
    }
    if input.starts_with("forbidden") {
        return Err(McpError::permission_denied(format!("read {input}")).into());
    }
    if input.starts_with("fail") {
        // An ordinary tool failure: the model sees it and can try again differently.
        return Err(ToolError::new(format!(
            "Could not process {input:?}: the operation rejected it"
        )));
    }
    match perform_operation(&input).await {
        Ok(Some(result)) => Ok(result),
        Ok(None) => Err(McpError::not_found(&input).into()),
        Err(e @ DownstreamError::Connection) => {
            tracing::error!(error = %e, "database unavailable");
            Err(McpError::internal(format!("Database connection failed: {e}")).into())
        }
        Err(e @ DownstreamError::Timeout) => {
            Err(McpError::internal(format!("Operation timed out: {e}")).into())
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("errors-server")
        .tool(safe_operation)
        .run()
        .await
}
