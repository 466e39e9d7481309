//! Protocol-level errors: the `error` member of a JSON-RPC error response.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A JSON-RPC error code.
///
/// The constants cover every code JSON-RPC 2.0 and MCP 2025-11-25 define; any other integer is
/// an implementation-defined code (JSON-RPC reserves -32000 to -32099 for servers).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i32);

impl ErrorCode {
    /// -32700: the message is not valid JSON.
    pub const PARSE_ERROR: Self = Self(-32700);
    /// -32600: the JSON is not a valid JSON-RPC request, or the request is not allowed now.
    pub const INVALID_REQUEST: Self = Self(-32600);
    /// -32601: the method does not exist or is not available.
    pub const METHOD_NOT_FOUND: Self = Self(-32601);
    /// -32602: invalid method parameters (also: unknown tool, prompt or template).
    pub const INVALID_PARAMS: Self = Self(-32602);
    /// -32603: an internal error of the receiver.
    pub const INTERNAL_ERROR: Self = Self(-32603);
    /// -32002: the resource was not found (MCP 2025-11-25).
    pub const RESOURCE_NOT_FOUND: Self = Self(-32002);
    /// -32042: a URL-mode elicitation must complete first (MCP 2025-11-25).
    pub const URL_ELICITATION_REQUIRED: Self = Self(-32042);

    /// The standard name of this code, if it has one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::PARSE_ERROR => "Parse error",
            Self::INVALID_REQUEST => "Invalid Request",
            Self::METHOD_NOT_FOUND => "Method not found",
            Self::INVALID_PARAMS => "Invalid params",
            Self::INTERNAL_ERROR => "Internal error",
            Self::RESOURCE_NOT_FOUND => "Resource not found",
            Self::URL_ELICITATION_REQUIRED => "URL elicitation required",
            _ => return None,
        })
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i32> for ErrorCode {
    fn from(code: i32) -> Self {
        Self(code)
    }
}

/// A protocol error: what travels as the `error` member of a JSON-RPC error response.
///
/// Construct it with the helpers that name the situation:
///
/// ```
/// use mcp_core::{McpError, ErrorCode};
/// let err = McpError::invalid_params("Input cannot be empty");
/// assert_eq!(err.code, ErrorCode::INVALID_PARAMS);
/// assert_eq!(err.to_string(), "Input cannot be empty");
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct McpError {
    /// The JSON-RPC error code.
    pub code: ErrorCode,
    /// A short, human-readable description.
    pub message: Cow<'static, str>,
    /// Optional structured detail. An explicit `"data": null` is kept (as `Some(Value::Null)`),
    /// so an error object survives a decode/encode round trip unchanged.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub data: Option<Value>,
}

/// A member that is present, even as `null`, is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl fmt::Debug for McpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("McpError");
        d.field("code", &self.code).field("message", &self.message);
        if let Some(data) = &self.data {
            d.field("data", data);
        }
        d.finish()
    }
}

impl McpError {
    /// An error with any code.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            data: None,
        }
    }

    /// Attaches structured `data`.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// -32700: the input was not valid JSON.
    pub fn parse_error(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::PARSE_ERROR, message)
    }

    /// -32600: the message is not a valid request, or not allowed now.
    pub fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_REQUEST, message)
    }

    /// -32601 for the given method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    }

    /// -32602: the parameters are invalid.
    pub fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_PARAMS, message)
    }

    /// -32603: an internal error. The message reaches the client: keep internals out of it.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INTERNAL_ERROR, message)
    }

    /// -32002: no resource has this URI. The URI is named in the message and in `data.uri`.
    pub fn resource_not_found(uri: impl Into<String>) -> Self {
        let uri = uri.into();
        Self::new(
            ErrorCode::RESOURCE_NOT_FOUND,
            format!("Resource not found: {uri}"),
        )
        .with_data(serde_json::json!({ "uri": uri }))
    }

    /// -32600 with "Not found: {what}", the mapping the seed's error guide uses for
    /// application-level "not found" (use [`McpError::resource_not_found`] for resources).
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::invalid_request(format!("Not found: {what}"))
    }

    /// -32600 with "Permission denied: {action}", as in the seed's error guide.
    pub fn permission_denied(action: impl fmt::Display) -> Self {
        Self::invalid_request(format!("Permission denied: {action}"))
    }
}
