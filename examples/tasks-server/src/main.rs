//! Tasks and tool annotations (the seed's experimental features of 2025-11-25).
//!
//! - `training_task` may run as a task: a task-augmented `tools/call` answers at once with a
//!   task id; the client polls `tasks/get` (the status message follows the epochs), waits with
//!   `tasks/result`, or stops it with `tasks/cancel`. Called without a task, it runs as a plain
//!   tool call.
//! - `export_dataset` only runs as a task (`task = "required"`).
//! - `safe_query` is annotated read-only and idempotent, with a title and an icon.
//! - `model_info` returns `Json<ModelInfo>`, so it advertises an output schema.
//!
//! Run it over stdio: `cargo run -p tasks-server`; over Streamable HTTP:
//! `cargo run -p tasks-server -- --http 127.0.0.1:8080`. `TASKS_SERVER_EPOCH_MS` changes the
//! length of an epoch (default 100 ms).

use std::time::Duration;

use mcp_server::mcp_core::model::Icon;
use mcp_server::prelude::*;

/// How long one training epoch takes.
fn epoch_length() -> Duration {
    let ms = std::env::var("TASKS_SERVER_EPOCH_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    Duration::from_millis(ms)
}

/// One (simulated) training epoch.
async fn train_epoch(_model_id: &str, _data_path: &str, _epoch: u32) {
    tokio::time::sleep(epoch_length()).await;
}

/// Long-running ML training task.
#[task]
async fn training_task(
    ctx: Context,
    /// The model to train.
    model_id: String,
    /// Where the training data is.
    data_path: String,
) -> Result<String, ToolError> {
    ctx.report_status_message("Initializing training...").await;
    for epoch in 0..100 {
        // Cancelling the task drops this future; the check also ends a plain call that the
        // client cancelled.
        ctx.check_cancelled()?;
        train_epoch(&model_id, &data_path, epoch).await;
        ctx.report_status(format!("Training epoch {}/100", epoch + 1), epoch + 1, 100)
            .await;
    }
    ctx.report_status_message("Training finished").await;
    Ok(format!("Model {model_id} trained successfully"))
}

/// Export a dataset to a file (always runs as a task).
#[tool(task = "required", open_world = false)]
async fn export_dataset(
    ctx: Context,
    /// The dataset to export.
    dataset: String,
) -> String {
    for step in 1..=5 {
        tokio::time::sleep(epoch_length()).await;
        ctx.report_status(format!("Exported part {step}/5"), step, 5)
            .await;
    }
    format!("Exported {dataset}")
}

/// A read-only database query tool.
#[tool(
    title = "Safe query",
    read_only,
    destructive = false,
    idempotent,
    open_world = false,
    icon = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PGNpcmNsZSBjeD0iOCIgY3k9IjgiIHI9IjYiLz48L3N2Zz4="
)]
async fn safe_query(
    /// The query to run.
    query: String,
) -> String {
    format!("0 rows for `{query}` (read-only)")
}

/// What `model_info` returns.
#[derive(Debug, Serialize, JsonSchema)]
struct ModelInfo {
    /// The model's id.
    model_id: String,
    /// How many parameters it has.
    parameters: u64,
    /// How many epochs a training run takes.
    epochs: u32,
}

/// Describe a model.
#[tool(read_only, idempotent, open_world = false)]
async fn model_info(
    /// The model to describe.
    model_id: String,
) -> Json<ModelInfo> {
    Json(ModelInfo {
        parameters: 7_000_000 + model_id.len() as u64,
        model_id,
        epochs: 100,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("tasks-server")
        .title("Tasks example")
        .icon(Icon::new(
            "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PHJlY3Qgd2lkdGg9IjE2IiBoZWlnaHQ9IjE2Ii8+PC9zdmc+",
        ))
        .tool(training_task)
        .tool(export_dataset)
        .tool(safe_query)
        .tool(model_info)
        .run()
        .await
}
