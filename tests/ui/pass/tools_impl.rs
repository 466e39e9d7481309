//! `#[tools]` on an inherent impl block: `&self` methods become tools sharing one value; other
//! methods are left alone; generic impl blocks work.
#![deny(warnings)]

#[path = "support/mod.rs"]
mod support;

use std::marker::PhantomData;
use std::sync::atomic::{AtomicI64, Ordering};

use mcp_server::prelude::*;
use serde_json::json;

/// A calculator with a running total.
#[derive(Debug, Default)]
struct Calculator {
    total: AtomicI64,
}

impl Calculator {
    const STEP: i64 = 1;
}

#[tools]
impl Calculator {
    /// Add two numbers.
    #[tool(read_only)]
    async fn add(
        &self,
        /// The first addend.
        a: i64,
        /// The second addend.
        b: i64,
    ) -> i64 {
        a + b
    }

    /// Add to the running total.
    #[tool(name = "accumulate", destructive = false)]
    async fn bump(
        &self,
        ctx: Context,
        #[arg(default = Self::STEP)] by: i64,
    ) -> Result<String, ToolError> {
        ctx.check_cancelled()?;
        Ok((self.total.fetch_add(by, Ordering::SeqCst) + by).to_string())
    }

    /// Not a tool.
    fn total(&self) -> i64 {
        self.total.load(Ordering::SeqCst)
    }
}

/// A generic type.
struct Echo<T>(PhantomData<fn() -> T>);

#[tools]
impl<T: 'static> Echo<T> {
    /// Echo the text.
    #[mcp_server::tool]
    async fn echo(&self, text: String) -> String {
        text
    }
}

#[tokio::main]
async fn main() {
    // The methods are still ordinary methods.
    let calc = Calculator::default();
    assert_eq!(calc.add(1, 2).await, 3);
    assert_eq!(calc.total(), 0);

    let server = Server::new("ui").tools(calc).tools(Echo::<u8>(PhantomData));
    let mut client = support::connect(server).await;

    let mut names: Vec<String> = client
        .list_tools()
        .await
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["accumulate", "add", "echo"]);

    let add = client.tool("add").await;
    assert_eq!(add["description"], "Add two numbers.");
    assert_eq!(add["annotations"], json!({"readOnlyHint": true}));
    assert_eq!(add["inputSchema"]["required"], json!(["a", "b"]));
    assert_eq!(
        add["inputSchema"]["properties"]["b"]["description"],
        "The second addend."
    );

    let accumulate = client.tool("accumulate").await;
    assert_eq!(accumulate["inputSchema"]["properties"]["by"]["default"], 1);
    assert!(accumulate["inputSchema"].get("required").is_none());

    assert_eq!(
        support::text(&client.call("add", json!({"a": 2, "b": 3})).await),
        "5"
    );
    assert_eq!(
        support::text(&client.call("accumulate", json!({})).await),
        "1"
    );
    assert_eq!(
        support::text(&client.call("accumulate", json!({"by": 5})).await),
        "6"
    );
    assert_eq!(
        support::text(&client.call("echo", json!({"text": "hi"})).await),
        "hi"
    );
}
