//! The server runtime of the Model Context Protocol SDK.
//!
//! Annotate plain async functions and get a complete MCP server:
//!
//! ```no_run
//! use mcp_server::prelude::*;
//!
//! /// Add two numbers.
//! #[tool(read_only)]
//! async fn add(
//!     /// The first addend.
//!     a: f64,
//!     /// The second addend.
//!     b: f64,
//! ) -> String {
//!     (a + b).to_string()
//! }
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     Server::new("calculator").tool(add).serve_stdio().await
//! }
//! ```
//!
//! Parameters that are not injected types ([`Context`], [`Progress`], [`Cancellation`],
//! [`Logger`], [`State`], ...) are the tool's arguments: each becomes a property of the input
//! schema, its `///` doc its description, `Option<T>` optional. See [`tool`](macro@tool).
#![deny(missing_docs)]

pub mod cli;
pub mod client_requests;
pub mod context;
/// The error guide: what the client sees for every kind of failure.
#[doc = include_str!("../docs/errors.md")]
pub mod errors_guide {}
#[cfg(feature = "http")]
pub mod http;
pub mod logging;
mod server;
mod session;
pub mod tool;

pub use cli::ServeArgs;
pub use context::{
    Cancellation, Cancelled, ClientPeer, Context, FromContext, Logger, Progress, ProgressValue,
    RequestMeta, State,
};
pub use mcp_core;
pub use mcp_core::McpError;
pub use mcp_core::model::LoggingLevel;
pub use mcp_macros::{tool, tools};
pub use server::{Server, ServerConfig, ServerHandle};
pub use tool::{IntoToolResult, Json, ToolDef, ToolError};

/// Everything a server author usually needs, in one import.
pub mod prelude {
    pub use crate::context::{
        Cancellation, Cancelled, ClientPeer, Context, FromContext, Logger, Progress, RequestMeta,
        State,
    };
    pub use crate::server::{Server, ServerConfig, ServerHandle};
    pub use crate::tool::{IntoToolResult, Json, ToolDef, ToolError};
    pub use mcp_core::McpError;
    pub use mcp_core::model::{CallToolResult, ContentBlock, LoggingLevel};
    pub use mcp_macros::{tool, tools};
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
}

/// Items generated code refers to. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::tool::{
        ArgsSchema, IntoTool, IntoToolResult, ToolBox, ToolBuilder, ToolCall, ToolCallError,
        ToolDef, ToolParam,
    };
    pub use mcp_core::model::{Icon, ToolAnnotations};
    pub use mcp_core::peer::BoxFuture;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use std::sync::Arc;
    pub use std::vec::Vec;
}
