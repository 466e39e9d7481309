//! The Model Context Protocol client.
//!
//! [`Client`] connects to a server process over stdio, or to a server's endpoint over
//! Streamable HTTP ([`Client::connect_http`], the default `http` feature), performs the
//! `initialize` handshake (offering revision 2025-11-25 and accepting 2025-11-25, 2025-06-18,
//! 2025-03-26 and 2024-11-05), and offers typed calls: tools, resources, prompts, completion
//! and logging. Calls can report progress, time out, and be cancelled; an abandoned call tells
//! the server with `notifications/cancelled`.
//!
//! Over HTTP the client handles JSON and SSE answers, keeps the session (`Mcp-Session-Id`,
//! `MCP-Protocol-Version`), starts a new one when the server ends it (404), resumes a broken
//! response stream with `Last-Event-ID` after the server's `retry` delay, listens on the
//! standalone `GET` stream, and deletes the session on [`Client::close`]. `https://` is not
//! supported yet.
//!
//! ```no_run
//! use mcp_client::{CallOptions, Client};
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), mcp_client::ClientError> {
//! let client = Client::spawn_command_line("target/debug/echo").await?;
//! println!("{} speaks {}", client.server_info().name, client.negotiated_version());
//!
//! for tool in client.list_all_tools().await? {
//!     println!("{}: {}", tool.name, tool.description.unwrap_or_default());
//! }
//!
//! let result = client.call_tool("echo", json!({ "text": "hi" })).await?;
//! assert_eq!(result.content[0].as_text(), Some("hi"));
//!
//! let options = CallOptions::new().on_progress(|done, total, message| {
//!     eprintln!("{done}/{} {}", total.unwrap_or(f64::NAN), message.unwrap_or(""));
//! });
//! client.call_tool_with("slow_count", json!({ "n": 3 }), options).await?;
//! client.close().await?;
//!
//! let remote = Client::connect_http("http://127.0.0.1:8080/mcp").await?;
//! println!("{:?}", remote.list_all_prompts().await?);
//! # Ok(()) }
//! ```
//!
//! Messages the server sends on its own are handled by the client: `ping` is answered,
//! notifications go to [`ClientBuilder::on_notification`], and requests go to the handlers
//! registered with [`ClientBuilder::on_request`] (any other request gets -32601 at once).
//!
//! The crate also builds the `mcp` command-line client: `mcp --help`.
#![deny(missing_docs)]

mod client;
mod connection;
mod error;
mod handler;
#[cfg(feature = "http")]
mod http;

pub use client::{CallOptions, Client, ClientBuilder, ProgressFn, StderrMode};
pub use error::{ClientError, Result};
pub use handler::{NotificationCallback, RequestHandlerFn, ServerNotification};
pub use mcp_core;
