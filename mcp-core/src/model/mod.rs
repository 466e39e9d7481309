//! The typed model of protocol revision 2025-11-25: every request's params, every result, every
//! notification's params and the types they share.
//!
//! Names follow the specification schema (`Tool`, `CallToolResult`, `InitializeResult`, ...).
//! On the wire, members are camelCase; `_meta` is the `meta` field. Every object keeps members
//! it does not know in `extra`, so a message survives a decode/encode round trip unchanged.
//! Structs are `#[non_exhaustive]`: build them with `new(<required fields>)` and the chainable
//! `with_<field>` setters.
//!
//! [`method`] pairs each method name with its params and result types through the
//! [`Request`] and [`Notification`] traits.
//!
//! ```
//! use mcp_core::model::{CallToolResult, ContentBlock, Tool};
//!
//! let tool = Tool::new("echo", Tool::empty_input_schema()).with_description("Repeats its input");
//! let result = CallToolResult::new(vec![ContentBlock::text("hello")]);
//! assert_eq!(
//!     serde_json::to_value(&result).unwrap(),
//!     serde_json::json!({ "content": [{ "type": "text", "text": "hello" }] })
//! );
//! # let _ = tool;
//! ```

#[macro_use]
mod support;

mod common;
mod completion;
mod content;
mod elicitation;
mod lifecycle;
mod logging;
mod methods;
mod notifications;
mod prompts;
mod resources;
mod roots;
mod sampling;
mod tasks;
mod tools;

pub use common::*;
pub use completion::*;
pub use content::*;
pub use elicitation::*;
pub use lifecycle::*;
pub use logging::*;
pub use methods::*;
pub use notifications::*;
pub use prompts::*;
pub use resources::*;
pub use roots::*;
pub use sampling::*;
pub use tasks::*;
pub use tools::*;

#[cfg(test)]
pub(crate) mod schema_check;

#[cfg(test)]
mod tests;
