//! The Model Context Protocol, without a runtime opinion about servers or clients.
//!
//! - [`jsonrpc`]: the JSON-RPC 2.0 envelope as MCP restricts it (ids, requests, notifications,
//!   responses), with a decoder that classifies bad input into the specified error codes.
//! - [`error`]: [`ErrorCode`] and [`McpError`], the protocol-level error.
//! - [`model`]: a typed model of every request, result, notification and shared type of protocol
//!   revision 2025-11-25.
//! - [`codec`]: newline framing with a bounded message size.
//! - [`peer`]: the duplex engine shared by servers and clients: request ids, response correlation,
//!   concurrent dispatch, cancellation and progress routing.
//! - [`version`]: the protocol revisions this crate speaks and how they are negotiated.
#![deny(missing_docs)]

pub mod codec;
pub mod error;
#[doc(hidden)]
pub mod json_scan;
pub mod jsonrpc;
pub mod model;
pub mod peer;
#[doc(hidden)]
pub mod rt;
pub mod uri_template;
pub mod version;

pub use error::{ErrorCode, McpError};
pub use jsonrpc::{ProgressToken, RequestId};

/// A JSON object, as used for `_meta`, schemas and free-form arguments.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;
