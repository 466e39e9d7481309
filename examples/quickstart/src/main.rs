//! A first MCP server: a few tools a reader grasps at a glance.
//!
//! Run it over stdio: `cargo run -p quickstart`; over Streamable HTTP: `cargo run -p quickstart -- --http 127.0.0.1:8080`.

use mcp_server::prelude::*;

/// Add two numbers.
#[tool(read_only, idempotent, open_world = false)]
async fn add(
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
) -> String {
    (a + b).to_string()
}

/// Greet someone, optionally in another language.
#[tool(read_only, open_world = false)]
async fn greet(
    /// Who to greet.
    name: String,
    /// Two-letter language code: `en` (default), `fr` or `pl`.
    language: Option<String>,
) -> Result<String, ToolError> {
    let greeting = match language.as_deref().unwrap_or("en") {
        "en" => "Hello",
        "fr" => "Bonjour",
        "pl" => "Cześć",
        other => {
            return Err(ToolError::new(format!(
                "unsupported language `{other}`: use en, fr or pl"
            )));
        }
    };
    Ok(format!("{greeting}, {name}!"))
}

/// Statistics of a list of numbers.
#[derive(Serialize, JsonSchema)]
struct Stats {
    /// How many numbers there were.
    count: usize,
    /// Their sum.
    sum: f64,
    /// Their mean, absent for an empty list.
    mean: Option<f64>,
}

/// Count, sum and average a list of numbers.
#[tool(read_only, idempotent, open_world = false)]
async fn stats(
    /// The numbers.
    values: Vec<f64>,
) -> Json<Stats> {
    let sum: f64 = values.iter().sum();
    let mean = (!values.is_empty()).then(|| sum / values.len() as f64);
    Json(Stats {
        count: values.len(),
        sum,
        mean,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("quickstart")
        .instructions("Small arithmetic and greeting tools.")
        .tool(add)
        .tool(greet)
        .tool(stats)
        .run()
        .await
}
