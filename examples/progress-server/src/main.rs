//! Progress notifications (seed section 1): long operations keep the client informed.
//!
//! Run it over stdio: `cargo run -p progress-server`; over Streamable HTTP: `cargo run -p progress-server -- --http 127.0.0.1:8080`.

use std::time::Duration;

use mcp_server::prelude::*;
use tokio::io::AsyncReadExt;

/// Process a large file in 8 KiB chunks, reporting the percentage done after each chunk.
#[tool(read_only, open_world = false)]
async fn process_large_file(
    ctx: Context,
    /// Path of the file to process.
    file_path: String,
) -> Result<String, ToolError> {
    let mut file = tokio::fs::File::open(&file_path)
        .await
        .map_err(|e| ToolError::new(format!("cannot open `{file_path}`: {e}")))?;
    let file_size = file.metadata().await?.len();
    let mut chunk = vec![0u8; 8192];
    let mut processed: u64 = 0;
    let mut checksum: u64 = 0;
    loop {
        ctx.check_cancelled()?;
        let n = file.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        checksum = chunk[..n].iter().fold(checksum, |acc, b| {
            acc.wrapping_mul(31).wrapping_add(u64::from(*b))
        });
        processed += n as u64;
        let percent = processed as f64 / file_size as f64 * 100.0;
        ctx.progress(percent, 100)
            .message(format!("Processing: {percent:.1}%"))
            .await;
    }
    Ok(format!(
        "Processed {file_size} bytes (checksum {checksum:016x})"
    ))
}

/// Process items one by one (about 100 ms each), reporting progress after each item.
#[tool(open_world = false)]
async fn batch_operation(
    ctx: Context,
    /// The items to process.
    items: Vec<String>,
) -> Result<String, ToolError> {
    let total = items.len();
    for (i, item) in items.iter().enumerate() {
        ctx.check_cancelled()?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        ctx.progress(i + 1, total)
            .message(format!("Processed {}/{total}: {item}", i + 1))
            .await;
    }
    Ok(format!("Completed {total} items"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("progress-server")
        .tool(process_large_file)
        .tool(batch_operation)
        .run()
        .await
}
