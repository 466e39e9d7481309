//! Bearer-token authorization of the HTTP transport (MCP authorization, revision 2025-11-25).
//!
//! The server acts as an OAuth 2.1 *resource server*: every request must carry
//! `Authorization: Bearer <token>`, which a [`TokenValidator`] checks. Without a token, or with
//! one the validator refuses, the answer is 401 with
//! `WWW-Authenticate: Bearer resource_metadata="<url>"` (plus `error="invalid_token"` when a
//! token was given), pointing at the protected-resource metadata (RFC 9728) served at
//! `/.well-known/oauth-protected-resource` and at `/.well-known/oauth-protected-resource/mcp`.
//! A token that lacks a [required scope](AuthConfig::required_scopes) gets 403 with
//! `error="insufficient_scope"`.
//!
//! [`Server::serve_http`](crate::Server::serve_http) routes both metadata paths itself. When you
//! mount [`McpHttpService`](super::McpHttpService) in your own router, route them to the same
//! service too: it answers any path that starts with the well-known prefix with the metadata.
//! Tools read the caller with [`Context::auth`](crate::context::Context::auth).
//!
//! Sessions are bound to the [`AuthInfo::subject`] that created them: a valid token of another
//! subject that presents the session's id gets 404, as an unknown session would (the spec's
//! security guidance: bind session ids to user-specific information, so that a leaked or
//! guessed id is useless to another user, and do not reveal that it exists).
//!
//! ```no_run
//! use mcp_server::prelude::*;
//! use mcp_server::http::{AuthConfig, HttpConfig, StaticBearerToken};
//!
//! # #[tool] async fn echo(text: String) -> String { text }
//! # async fn f() -> anyhow::Result<()> {
//! let token = std::env::var("MCP_BEARER_TOKEN")?;
//! let config = HttpConfig::new().auth(AuthConfig::new(StaticBearerToken::new(token)));
//! Server::new("echo").tool(echo).serve_http_with("127.0.0.1:8080", config).await
//! # }
//! ```

use std::fmt;
use std::sync::Arc;

use mcp_core::peer::BoxFuture;
use serde::Serialize;

/// The well-known path of the protected-resource metadata (RFC 9728).
pub const PROTECTED_RESOURCE_METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// Who a valid token belongs to and what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthInfo {
    /// The principal (user or client) the token was issued to. Sessions are bound to it.
    pub subject: String,
    /// The scopes the token grants.
    pub scopes: Vec<String>,
}

impl AuthInfo {
    /// A principal with no scopes.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            scopes: Vec::new(),
        }
    }

    /// Sets the granted scopes.
    #[must_use]
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token is unknown, expired, revoked, malformed or not meant for this server: 401
    /// with `error="invalid_token"`.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The token is valid but does not grant these scopes: 403 with
    /// `error="insufficient_scope"`.
    #[error("insufficient scope (required: {})", .0.join(" "))]
    InsufficientScope(Vec<String>),
}

/// Checks a bearer token. Implement it to validate JWTs, call an introspection endpoint, look
/// tokens up in a database, and so on; it must check that the token was issued for this server
/// (its audience) — tokens for other resources must be refused.
pub trait TokenValidator: Send + Sync + 'static {
    /// Validates `token` (the text after `Bearer `).
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, AuthError>>;
}

/// A validator that accepts exactly one secret token, compared in constant time; every holder
/// is the same principal ([`StaticBearerToken::subject`], by default `"static-token"`). Meant
/// for single-user deployments and tests, not as an OAuth replacement.
#[derive(Clone)]
pub struct StaticBearerToken {
    token: Arc<[u8]>,
    info: AuthInfo,
}

impl fmt::Debug for StaticBearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticBearerToken")
            .field("token", &"<redacted>")
            .field("info", &self.info)
            .finish()
    }
}

impl StaticBearerToken {
    /// Accepts `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into().into_bytes().into(),
            info: AuthInfo::new("static-token"),
        }
    }

    /// Sets the principal and scopes a valid token stands for.
    #[must_use]
    pub fn subject(mut self, info: AuthInfo) -> Self {
        self.info = info;
        self
    }
}

impl TokenValidator for StaticBearerToken {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, AuthError>> {
        let ok = constant_time_eq(token.as_bytes(), &self.token);
        Box::pin(async move {
            if ok {
                Ok(self.info.clone())
            } else {
                Err(AuthError::InvalidToken("the token is not valid".into()))
            }
        })
    }
}

/// Compares two byte strings in time that depends only on their lengths, not on where they
/// differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len().max(b.len());
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= std::hint::black_box(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

/// Protected-resource metadata (RFC 9728) served at the well-known path. Empty lists are left
/// out of the document.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// The resource identifier: the canonical URL of the MCP endpoint, e.g.
    /// `https://mcp.example.com/mcp`. `None`: derived from each request's `Host` header as
    /// `http://<host>/mcp` (set it when serving behind TLS or a proxy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The authorization servers that issue tokens for this resource.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// The scopes this resource understands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// How the token may be sent. Default: `["header"]` (the only way MCP allows).
    pub bearer_methods_supported: Vec<String>,
    /// A human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
}

impl ProtectedResourceMetadata {
    /// Metadata with `bearer_methods_supported: ["header"]` and nothing else.
    pub fn new() -> Self {
        Self {
            bearer_methods_supported: vec!["header".into()],
            ..Self::default()
        }
    }

    /// Sets [`ProtectedResourceMetadata::resource`].
    #[must_use]
    pub fn resource(mut self, url: impl Into<String>) -> Self {
        self.resource = Some(url.into());
        self
    }

    /// Adds an authorization server.
    #[must_use]
    pub fn authorization_server(mut self, url: impl Into<String>) -> Self {
        self.authorization_servers.push(url.into());
        self
    }

    /// Sets [`ProtectedResourceMetadata::scopes_supported`].
    #[must_use]
    pub fn scopes_supported<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`ProtectedResourceMetadata::resource_name`].
    #[must_use]
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }
}

/// Bearer-token authorization settings: set with [`HttpConfig::auth`](super::HttpConfig::auth).
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthConfig {
    /// Checks each request's token.
    pub validator: Arc<dyn TokenValidator>,
    /// The document served at the well-known path.
    pub metadata: ProtectedResourceMetadata,
    /// Scopes every request's token must grant (else 403). Default: none.
    pub required_scopes: Vec<String>,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("metadata", &self.metadata)
            .field("required_scopes", &self.required_scopes)
            .finish_non_exhaustive()
    }
}

impl AuthConfig {
    /// Requires tokens that `validator` accepts, with default metadata.
    pub fn new(validator: impl TokenValidator) -> Self {
        Self {
            validator: Arc::new(validator),
            metadata: ProtectedResourceMetadata::new(),
            required_scopes: Vec::new(),
        }
    }

    /// Sets the protected-resource metadata.
    #[must_use]
    pub fn metadata(mut self, metadata: ProtectedResourceMetadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Sets [`AuthConfig::required_scopes`].
    #[must_use]
    pub fn required_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

/// The metadata URL for an endpoint URL (RFC 9728 §3.1: the well-known segment goes between the
/// origin and the path).
pub(crate) fn metadata_url(resource: &str) -> String {
    let (scheme, rest) = resource.split_once("://").unwrap_or(("http", resource));
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let path = path.trim_end_matches('/');
    format!("{scheme}://{authority}{PROTECTED_RESOURCE_METADATA_PATH}{path}")
}

/// Escapes a value for a quoted string of a `WWW-Authenticate` parameter (visible ASCII only:
/// other characters become `?`, control characters are dropped).
pub(crate) fn quote(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c.is_ascii() { c } else { '?' })
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"secret\0", b"secret"));
        assert!(!constant_time_eq(b"", b"x"));
    }

    #[test]
    fn metadata_urls_insert_the_well_known_segment() {
        assert_eq!(
            metadata_url("https://mcp.example.com/mcp"),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource"
        );
        assert_eq!(quote(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(quote("expiré\n"), "expir?");
    }

    #[tokio::test]
    async fn the_static_token_accepts_only_its_token() {
        let v = StaticBearerToken::new("s3cret").subject(AuthInfo::new("alice").with_scopes(["x"]));
        let info = v.validate("s3cret").await.unwrap();
        assert_eq!(info.subject, "alice");
        assert_eq!(info.scopes, ["x"]);
        assert!(matches!(
            v.validate("s3cre").await,
            Err(AuthError::InvalidToken(_))
        ));
        assert!(!format!("{v:?}").contains("s3cret"));
    }
}
