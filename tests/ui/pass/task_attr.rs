use mcp_server::mcp_core::model::TaskSupport;
use mcp_server::prelude::*;

/// May run as a task.
#[task]
async fn train(ctx: Context, model_id: String) -> String {
    ctx.report_status("halfway", 1, 2).await;
    model_id
}

/// Must run as a task.
#[tool(task = "required", read_only)]
async fn export(ctx: Context) -> String {
    ctx.report_status_message("exporting").await;
    String::new()
}

/// Never runs as a task.
#[tool(task = "forbidden")]
async fn plain() -> String {
    String::new()
}

/// With other keys.
#[task(title = "Titled", idempotent)]
async fn titled() -> String {
    String::new()
}

fn main() {
    use mcp_server::tool::IntoTool;
    assert_eq!(train.into_tool().descriptor().task_support(), TaskSupport::Optional);
    assert_eq!(export.into_tool().descriptor().task_support(), TaskSupport::Required);
    assert!(plain.into_tool().descriptor().execution.is_none());
    let t = titled.into_tool();
    assert_eq!(t.descriptor().task_support(), TaskSupport::Optional);
    assert_eq!(t.descriptor().title.as_deref(), Some("Titled"));
}
