//! Request cancellation (seed section 2): clients cancel requests they no longer need.
//!
//! `long_running_search` checks for cancellation at every page and stops within one page.
//! `stubborn_search` never looks: the runtime still stops it once the grace period after the
//! cancellation (500 ms by default) has passed.
//!
//! Run it over stdio: `cargo run -p cancellable-server`; over Streamable HTTP: `cargo run -p cancellable-server -- --http 127.0.0.1:8080`.

use std::time::Duration;

use mcp_server::prelude::*;

/// One page of simulated search results (100 ms of "work").
async fn search_page(query: &str, page: u32) -> usize {
    tokio::time::sleep(Duration::from_millis(100)).await;
    (query.len() + page as usize) % 7
}

/// Search 100 pages (100 ms each), reporting progress per page; stops within one page when
/// the call is cancelled.
#[tool(read_only)]
async fn long_running_search(
    ctx: Context,
    /// What to search for.
    query: String,
) -> String {
    let mut results = 0;
    for page in 0..100 {
        if ctx.is_cancelled() {
            tracing::info!(query, page, "search cancelled; cleaning up");
            return format!("Cancelled. Found {results} results before cancellation.");
        }
        results += search_page(&query, page).await;
        ctx.progress(page + 1, 100)
            .message(format!("Searched page {}", page + 1))
            .await;
    }
    format!("Found {results} total results")
}

/// The same search, but it never checks for cancellation: the runtime drops it after the
/// grace period.
#[tool(read_only)]
async fn stubborn_search(
    ctx: Context,
    /// What to search for.
    query: String,
) -> String {
    let mut results = 0;
    for page in 0..100 {
        results += search_page(&query, page).await;
        ctx.progress(page + 1, 100)
            .message(format!("Searched page {}", page + 1))
            .await;
    }
    format!("Found {results} total results")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("cancellable-server")
        .tool(long_running_search)
        .tool(stubborn_search)
        .run()
        .await
}
