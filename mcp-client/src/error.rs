//! The client's error type.

use std::io;
use std::time::Duration;

use mcp_core::McpError;

/// Why a client operation failed.
///
/// The variants separate what a caller usually wants to tell apart: the server answered with a
/// JSON-RPC error ([`ClientError::Protocol`]), the call gave up ([`ClientError::Timeout`],
/// [`ClientError::Cancelled`]), or the connection itself is unusable
/// ([`ClientError::Spawn`], [`ClientError::ConnectionClosed`], [`ClientError::Transport`]).
///
/// A tool that fails is *not* an error here: it is a successful `tools/call` whose
/// [`CallToolResult::is_error`](mcp_core::model::CallToolResult::is_error) is true.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server process could not be started.
    #[error("failed to start `{program}`: {source}")]
    Spawn {
        /// The program that was to be run.
        program: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// The command line given to [`Client::spawn_command_line`](crate::Client::spawn_command_line)
    /// could not be split into words, or is empty.
    #[error("invalid server command line: {0}")]
    InvalidCommandLine(String),

    /// The server answered a request with a JSON-RPC error.
    #[error("server error {}: {}", .0.code, .0.message)]
    Protocol(McpError),

    /// The server answered `initialize` with a protocol revision this client does not speak.
    #[error("the server chose protocol revision {0:?}, which this client does not support")]
    UnsupportedProtocolVersion(String),

    /// The server's answer did not have the shape the method's result requires.
    #[error("invalid `{method}` result from the server: {source}")]
    InvalidResponse {
        /// The method whose result could not be decoded.
        method: String,
        /// What did not fit.
        #[source]
        source: serde_json::Error,
    },

    /// A paginated list returned a `nextCursor` it had already returned (the listing would
    /// never end).
    #[error("`{method}` repeated the cursor {cursor:?}")]
    RepeatedCursor {
        /// The list method.
        method: String,
        /// The repeated cursor.
        cursor: String,
    },

    /// The request was not answered in time. `notifications/cancelled` (reason `timeout`) was
    /// sent to the server.
    #[error("`{method}` timed out after {} ms", .after.as_millis())]
    Timeout {
        /// The method of the request.
        method: String,
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The request was cancelled through [`CallOptions::cancel_on`](crate::CallOptions::cancel_on).
    /// `notifications/cancelled` with that reason was sent to the server.
    #[error("`{method}` was cancelled: {reason}")]
    Cancelled {
        /// The method of the request.
        method: String,
        /// The reason sent to the server.
        reason: String,
    },

    /// The connection to the server is closed (the process exited or closed its output).
    #[error("connection to the server closed{}", .0.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    ConnectionClosed(Option<String>),

    /// A request could not be sent (for example, too many requests are waiting for a response).
    #[error("request failed: {0}")]
    Request(McpError),

    /// The transport failed: the HTTP server could not be reached, refused a request, or lost a
    /// response that could not be recovered by resuming its stream.
    #[error("{0}")]
    Transport(String),
}

impl ClientError {
    /// The JSON-RPC error the server answered with, if that is what this is.
    pub fn as_protocol(&self) -> Option<&McpError> {
        match self {
            Self::Protocol(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether the connection is unusable: the server could not be started or went away.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            Self::Spawn { .. }
                | Self::InvalidCommandLine(_)
                | Self::ConnectionClosed(_)
                | Self::Transport(_)
        )
    }
}

/// The result type of client operations.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
