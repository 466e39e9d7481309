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
//!
//! Resources, resource templates and prompts are functions too:
//! [`#[resource]`](macro@resource), [`#[resource_template]`](macro@resource_template) and
//! [`#[prompt]`](macro@prompt), with their arguments completed by plain async functions (see
//! the [`resource`](mod@resource), [`prompt`](mod@prompt) and [`completion`] modules). A [`ServerHandle`] changes the
//! lists while the server runs and notifies the clients subscribed to a resource.
#![deny(missing_docs)]

mod catalog;
pub mod cli;
pub mod client_requests;
pub mod completion;
pub mod context;
/// The error guide: what the client sees for every kind of failure.
#[doc = include_str!("../docs/errors.md")]
pub mod errors_guide {}
/// What the server does with hostile input, row by row, over stdio and HTTP.
#[doc = include_str!("../docs/hostile-input.md")]
pub mod hostile_input_guide {}
#[cfg(feature = "http")]
pub mod http;
mod lifespan;
mod limits;
pub mod logging;
#[cfg(debug_assertions)]
mod output_check;
pub mod prompt;
pub mod resource;
mod server;
mod session;
pub mod task;
pub mod tool;

pub use cli::ServeArgs;
pub use completion::{CompletionRequest, IntoCompletion};
pub use context::{
    Cancellation, Cancelled, ClientPeer, Context, FromContext, Logger, Progress, ProgressValue,
    RequestMeta, State,
};
pub use lifespan::Lifespan;
pub use mcp_core;
pub use mcp_core::McpError;
pub use mcp_core::model::LoggingLevel;
pub use mcp_macros::lifespan;
pub use mcp_macros::{prompt, resource, resource_template, task, tool, tools};
pub use prompt::{IntoPromptResult, PromptDef};
pub use resource::{Blob, IntoResourceContents, ResourceDef, ResourceTemplateDef, ResourceUri};
pub use server::{Server, ServerConfig, ServerHandle};
pub use tool::{IntoToolResult, Json, ToolDef, ToolError};

/// Everything a server author usually needs, in one import.
pub mod prelude {
    pub use crate::completion::{CompletionRequest, IntoCompletion};
    pub use crate::context::{
        Cancellation, Cancelled, ClientPeer, Context, FromContext, Logger, Progress, RequestMeta,
        State,
    };
    pub use crate::lifespan::Lifespan;
    pub use crate::prompt::{IntoPromptResult, PromptDef};
    pub use crate::resource::{
        Blob, IntoResourceContents, ResourceDef, ResourceTemplateDef, ResourceUri,
    };
    pub use crate::server::{Server, ServerConfig, ServerHandle};
    pub use crate::tool::{IntoToolResult, Json, ToolDef, ToolError};
    pub use mcp_core::McpError;
    pub use mcp_core::model::{CallToolResult, ContentBlock, LoggingLevel};
    pub use mcp_core::model::{GetPromptResult, PromptMessage, ResourceContents};
    pub use mcp_macros::lifespan;
    pub use mcp_macros::{prompt, resource, resource_template, task, tool, tools};
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
}

/// Items generated code refers to. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::context::FromContext;
    pub use crate::lifespan::{Lifespan, LifespanOutput, LifespanParam, LifespanResult};
    pub use crate::prompt::{
        IntoPrompt, IntoPromptResult, PromptArgs, PromptCall, PromptDef, PromptParam,
    };
    pub use crate::resource::{
        FromUriVariable, IntoResource, IntoResourceContents, IntoResourceTemplate, ReadRequest,
        ResourceDef, ResourceTemplateDef, checked_template, template_injected,
    };
    pub use crate::tool::{
        ArgsSchema, IntoTool, IntoToolResult, ToolBox, ToolBuilder, ToolCall, ToolCallError,
        ToolDef, ToolParam,
    };
    pub use mcp_core::model::{Icon, TaskSupport, ToolAnnotations};
    pub use mcp_core::peer::BoxFuture;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use std::sync::Arc;
    pub use std::vec::Vec;
}
