//! A `#[tool]` function stays callable as `name(args).await`, from anywhere its visibility allows,
//! and the generated code is warning-free under strict lints.
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unused_qualifications,
    unused_results,
    rust_2018_idioms,
    trivial_casts,
    single_use_lifetimes
)]

mod tools {
    use mcp_server::prelude::*;

    /// Add two numbers.
    #[tool]
    pub async fn add(a: i64, b: i64) -> i64 {
        a + b
    }

    /// Greet someone (a raw identifier, renamed on the wire).
    #[tool(name = "say-hello")]
    pub(crate) async fn r#type(name: String) -> String {
        format!("hello {name}")
    }

    /// Always fails.
    #[tool]
    pub(crate) async fn fail(message: String) -> Result<String, ToolError> {
        Err(ToolError::new(message))
    }

    /// Compiled out: the macro copies `#[cfg]` onto everything it generates.
    #[tool]
    #[cfg(any())]
    pub(crate) async fn gone(missing: DoesNotExist) -> String {
        missing
    }
}

use mcp_server::prelude::*;

#[tokio::main]
async fn main() {
    assert_eq!(tools::add(2, 3).await, 5);
    assert_eq!(tools::r#type("ada".to_owned()).await, "hello ada");
    assert_eq!(
        tools::fail("no".to_owned()).await.unwrap_err().to_string(),
        "no"
    );

    // The tool value is a plain unit struct: `Copy`, `Debug`, usable as a value.
    let add = tools::add;
    let copy = add;
    assert_eq!(format!("{copy:?}"), "add");
    let pointer: fn(i64, i64) -> _ = *add;
    assert_eq!(pointer(1, 1).await, 2);

    let server = Server::new("ui")
        .tool(add)
        .tool(tools::r#type)
        .tool(tools::fail);
    drop(server);
}
