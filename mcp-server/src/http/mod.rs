//! The Streamable HTTP transport (MCP revision 2025-11-25), enabled by the `http` feature.
//!
//! One endpoint takes `POST` (one JSON-RPC message per request), `GET` (the standalone
//! server-to-client SSE stream, or resumption of any stream with `Last-Event-ID`) and `DELETE`
//! (end the session). Serve it with [`Server::serve_http`], or mount the tower service from
//! [`Server::into_http_service`] in axum or hyper under any path.
//!
//! ```no_run
//! use mcp_server::prelude::*;
//!
//! /// Echo the text back.
//! #[tool]
//! async fn echo(text: String) -> String {
//!     text
//! }
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     // Serves http://127.0.0.1:8080/mcp
//!     Server::new("echo").tool(echo).serve_http("127.0.0.1:8080").await
//! }
//! ```
//!
//! # Behaviour
//!
//! - **Sessions.** The response to `initialize` carries a new `Mcp-Session-Id` (32 bytes from
//!   the operating system's CSPRNG, as 64 hex digits). Every later request must carry it:
//!   without it the answer is 400, with an unknown or ended one 404. `DELETE` ends a session;
//!   idle sessions (no request and no open stream for [`HttpConfig::session_idle_timeout`]) are
//!   evicted, and their work is cancelled.
//! - **POST.** A notification or a response gets 202 with an empty body. A request gets an SSE
//!   stream (the default) or, with [`HttpConfig::json_response`], one `application/json`
//!   response. The SSE stream carries everything the server sends on the request's behalf
//!   (progress, log messages, requests such as sampling or elicitation) and ends after the
//!   response. A JSON array (a batch) gets 400 with a -32600 error.
//! - **Other server messages** (not tied to a request in progress, or tied to a request answered
//!   in JSON mode) go to the standalone stream opened by `GET`; **when no such stream is open
//!   they are dropped.** Only one `GET` stream may be open per session (a second gets 409).
//! - **Resumption.** Every event has an id `"<stream>-<seq>"`, unique within the session. Each
//!   stream starts with a priming event (an id and empty data) and a `retry` field
//!   ([`HttpConfig::sse_retry`]) when the session speaks 2025-11-25. Events are kept in an
//!   [`EventStore`] (by default in memory, 1,000 events per stream, the last
//!   [`HttpConfig::max_finished_streams`] finished streams per session); `GET` with
//!   `Last-Event-ID` replays that stream's events after the id, and then delivers the stream's
//!   remaining messages. A client disconnect is not a cancellation: the request goes on and
//!   its messages are stored. A client that stops reading (its buffer of
//!   [`HttpConfig::stream_buffer`] events fills up) is disconnected and may resume. Idle streams
//!   get a comment every [`HttpConfig::sse_keep_alive`].
//! - **Cancellation.** After a `notifications/cancelled` for a request, its stream ends without
//!   a response once [`ServerConfig::cancel_grace`](crate::ServerConfig::cancel_grace) has
//!   passed; in JSON mode its POST gets 204 with no body.
//! - **Headers.** `MCP-Protocol-Version`, when present, must name a supported revision (else
//!   400); any supported revision is accepted. `Accept` must allow both `application/json` and
//!   `text/event-stream` on POST (`*/*` does), and `text/event-stream` on GET (else 406).
//!   `Content-Type` must be `application/json` (else 415).
//! - **Safe defaults.** `Host` and `Origin` are checked against allow-lists (by default
//!   `localhost`, `127.0.0.1` and `[::1]`, any port; 403 otherwise); bodies larger than
//!   [`ServerConfig::max_message_size`](crate::ServerConfig::max_message_size) get 413; when
//!   a session already runs [`ServerConfig::max_in_flight`](crate::ServerConfig::max_in_flight)
//!   requests a new one gets 429; beyond [`HttpConfig::max_sessions`] a new session gets 503.
//! - **Stateless mode** ([`HttpConfig::stateless`]): no session ids; each POST is served by a
//!   fresh session that counts as initialized at the latest revision, so any number of replicas
//!   can answer one client. Notifications and responses are acknowledged with 202 and dropped,
//!   `GET` and `DELETE` get 405, and server-to-client requests cannot be answered. Responses are
//!   JSON by default; with SSE, events carry no ids (there is nothing to resume).
//!
//! - **Transport limits**: with [`Server::serve_http`] and friends, the request line and
//!   headers must fit in [`HttpConfig::max_header_size`] (16 KiB; beyond, 431 and the connection
//!   is closed) and arrive within [`HttpConfig::header_read_timeout`] (10 s; else the connection
//!   is closed without an answer) — when mounting the tower service, configure your server
//!   likewise. A POST body must arrive whole within [`HttpConfig::body_read_timeout`] (30 s;
//!   else 408 with `Connection: close`), which ends slow-loris bodies; the service applies this
//!   one wherever it is mounted.
//! - **Authorization** ([`HttpConfig::auth`], see [`auth`](self::AuthConfig)): bearer tokens
//!   checked by a [`TokenValidator`], 401/403 with `WWW-Authenticate`, protected-resource
//!   metadata at `/.well-known/oauth-protected-resource[/mcp]`, sessions bound to the token's
//!   subject. Off by default.
//!
//! Not implemented: CORS headers, JSON-RPC batches for 2025-03-26 clients, HTTP/2, the
//! authorization server itself (use an external one).

mod auth;
mod body;
mod event_store;
mod guard;
mod service;
mod state;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::task::JoinSet;

pub use auth::{
    AuthConfig, AuthError, AuthInfo, PROTECTED_RESOURCE_METADATA_PATH, ProtectedResourceMetadata,
    StaticBearerToken, TokenValidator, constant_time_eq,
};
pub use body::McpBody;
pub use event_store::{EventStore, InMemoryEventStore, StoredEvent};
pub use service::McpHttpService;

use crate::server::{Server, spawn_signal_watcher};

/// Settings of the Streamable HTTP transport. Every field has a safe default.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Answer requests with one `application/json` response instead of an SSE stream. Messages
    /// the server sends on a request's behalf then go to the standalone `GET` stream, if open.
    /// Default: false (SSE).
    pub json_response: bool,
    /// Stateless mode: no sessions; every POST is served on its own. Default: false.
    pub stateless: bool,
    /// The reconnection delay sent in the `retry` field of each stream's priming event.
    /// Default: 1 s.
    pub sse_retry: Duration,
    /// How often an idle SSE stream gets a comment line, so that proxies and clients do not
    /// time it out. `None` sends none. Default: 15 s.
    pub sse_keep_alive: Option<Duration>,
    /// Accepted `Host` header values (host names or addresses, any port; IPv6 in brackets).
    /// `None` accepts any host. Default: `localhost`, `127.0.0.1`, `[::1]`.
    pub allowed_hosts: Option<Vec<String>>,
    /// Accepted `Origin` header values: a host (any scheme and port) or a whole origin such as
    /// `https://app.example.com`. A request without `Origin` is accepted. `None` accepts any
    /// origin. Default: `localhost`, `127.0.0.1`, `[::1]`.
    pub allowed_origins: Option<Vec<String>>,
    /// The most sessions open at once; beyond, `initialize` gets 503. Default: 10,000.
    pub max_sessions: usize,
    /// How long a session may stay without requests and open streams before it is evicted
    /// and its work cancelled. Default: 10 minutes.
    pub session_idle_timeout: Duration,
    /// How many events may wait for a slow SSE client before it is disconnected (it can then
    /// resume). Default: 1,024.
    pub stream_buffer: usize,
    /// How many finished streams per session stay resumable. Default: 64.
    pub max_finished_streams: usize,
    /// Where events are kept for resumption. `None`: an [`InMemoryEventStore`] with its
    /// defaults.
    pub event_store: Option<Arc<dyn EventStore>>,
    /// Bearer-token authorization. `None` (the default): requests need no token. Set it
    /// whenever the server listens beyond loopback.
    pub auth: Option<AuthConfig>,
    /// The largest request line plus headers accepted, in bytes (applied by
    /// [`Server::serve_http`] and friends, not by the tower service). Beyond it the answer is
    /// 431 and the connection is closed. Default: 16 KiB.
    pub max_header_size: usize,
    /// How long a client may take to send a request's line and headers (applied by
    /// [`Server::serve_http`] and friends); after it the connection is closed without an
    /// answer. Default: 10 s.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a whole POST body; after it the answer is 408 and the
    /// connection is closed (slow-loris bodies). Default: 30 s.
    pub body_read_timeout: Duration,
}

/// The default of [`HttpConfig::max_header_size`]: 16 KiB.
pub const DEFAULT_MAX_HEADER_SIZE: usize = 16 * 1024;
/// The default of [`HttpConfig::header_read_timeout`]: 10 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of [`HttpConfig::body_read_timeout`]: 30 s.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for HttpConfig {
    fn default() -> Self {
        let local = || {
            Some(vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                "[::1]".to_owned(),
            ])
        };
        Self {
            json_response: false,
            stateless: false,
            sse_retry: Duration::from_secs(1),
            sse_keep_alive: Some(Duration::from_secs(15)),
            allowed_hosts: local(),
            allowed_origins: local(),
            max_sessions: 10_000,
            session_idle_timeout: Duration::from_secs(600),
            stream_buffer: 1024,
            max_finished_streams: 64,
            event_store: None,
            auth: None,
            max_header_size: DEFAULT_MAX_HEADER_SIZE,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
        }
    }
}

impl HttpConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stateless defaults: no sessions, JSON responses.
    pub fn stateless() -> Self {
        Self {
            stateless: true,
            json_response: true,
            ..Self::default()
        }
    }

    /// Sets [`HttpConfig::json_response`].
    #[must_use]
    pub fn json_response(mut self, yes: bool) -> Self {
        self.json_response = yes;
        self
    }

    /// Sets [`HttpConfig::sse_retry`].
    #[must_use]
    pub fn sse_retry(mut self, retry: Duration) -> Self {
        self.sse_retry = retry;
        self
    }

    /// Sets [`HttpConfig::sse_keep_alive`].
    #[must_use]
    pub fn sse_keep_alive(mut self, period: Option<Duration>) -> Self {
        self.sse_keep_alive = period;
        self
    }

    /// Replaces the allowed hosts (any port). Use it when serving on another interface than
    /// loopback, with the names clients use to reach the server.
    #[must_use]
    pub fn allowed_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces the allowed origins.
    #[must_use]
    pub fn allowed_origins<S: Into<String>>(
        mut self,
        origins: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// Turns off `Host` and `Origin` validation (DNS-rebinding protection). Only behind a
    /// proxy that does it.
    #[must_use]
    pub fn allow_any_host_and_origin(mut self) -> Self {
        self.allowed_hosts = None;
        self.allowed_origins = None;
        self
    }

    /// Sets [`HttpConfig::max_sessions`].
    #[must_use]
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = max;
        self
    }

    /// Sets [`HttpConfig::session_idle_timeout`].
    #[must_use]
    pub fn session_idle_timeout(mut self, timeout: Duration) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// Requires bearer tokens ([`HttpConfig::auth`]).
    #[must_use]
    pub fn auth(mut self, auth: AuthConfig) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Requires `Authorization: Bearer <token>` with exactly this token (compared in constant
    /// time): [`StaticBearerToken`] with default metadata.
    #[must_use]
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.auth(AuthConfig::new(StaticBearerToken::new(token)))
    }

    /// Sets [`HttpConfig::max_header_size`].
    #[must_use]
    pub fn max_header_size(mut self, bytes: usize) -> Self {
        self.max_header_size = bytes;
        self
    }

    /// Sets [`HttpConfig::header_read_timeout`].
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets [`HttpConfig::body_read_timeout`].
    #[must_use]
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets the [`EventStore`].
    #[must_use]
    pub fn event_store(mut self, store: Arc<dyn EventStore>) -> Self {
        self.event_store = Some(store);
        self
    }
}

impl Server {
    /// The server as a tower service answering Streamable HTTP requests on any path; mount it
    /// in axum (`Router::new().route_service("/mcp", service)`) or hyper.
    pub fn into_http_service(self, config: HttpConfig) -> McpHttpService {
        McpHttpService::new(self.into_shared(), config)
    }

    /// Serves Streamable HTTP at `http://<addr>/mcp` with the default [`HttpConfig`] until
    /// SIGINT or SIGTERM arrives or [`ServerHandle::shutdown`](crate::ServerHandle::shutdown)
    /// is called. In-flight requests are then cancelled and given
    /// [`ServerConfig::shutdown_grace`](crate::ServerConfig::shutdown_grace) to finish, then the
    /// lifespans' shutdown code runs; a second signal exits at once.
    ///
    /// The address is bound first, then the [lifespans](crate::Lifespan) start; connections are
    /// accepted only once they all have. If one fails, nothing is served and the error is
    /// returned.
    ///
    /// The default configuration accepts only `localhost`, `127.0.0.1` and `[::1]` as `Host`:
    /// to serve other interfaces use [`Server::serve_http_with`] and
    /// [`HttpConfig::allowed_hosts`].
    pub async fn serve_http(self, addr: impl ToSocketAddrs) -> anyhow::Result<()> {
        self.serve_http_with(addr, HttpConfig::default()).await
    }

    /// Like [`Server::serve_http`], with a configuration.
    pub async fn serve_http_with(
        self,
        addr: impl ToSocketAddrs,
        config: HttpConfig,
    ) -> anyhow::Result<()> {
        let listener = bind(addr).await?;
        self.serve_bound(listener, config).await
    }

    /// [`Server::serve_http_with`] once the address is bound: installs the signal handler, then
    /// serves.
    pub(crate) async fn serve_bound(
        self,
        listener: TcpListener,
        config: HttpConfig,
    ) -> anyhow::Result<()> {
        spawn_signal_watcher(self.handle_token());
        self.serve_listener(listener, config).await
    }

    /// Serves Streamable HTTP at `/mcp` on an already bound listener, until
    /// [`ServerHandle::shutdown`](crate::ServerHandle::shutdown) is called, running the
    /// lifespans around it as [`Server::serve_http`] does. Installs no signal handler. Other
    /// paths get 404, except the protected-resource metadata when [`HttpConfig::auth`] is set.
    pub async fn serve_http_on(
        self,
        listener: TcpListener,
        config: HttpConfig,
    ) -> anyhow::Result<()> {
        self.serve_listener(listener, config).await
    }

    /// Boxed here so that the HTTP transport is compiled with this crate, not again in each
    /// server binary (see [`BoxedServe`](crate::server::BoxedServe)).
    #[inline(never)]
    fn serve_listener(
        self,
        listener: TcpListener,
        config: HttpConfig,
    ) -> crate::server::BoxedServe {
        Box::pin(async move {
            let (shared, lifecycle) = self.into_parts();
            let service = McpHttpService::new(shared.clone(), config);
            lifecycle.run(&shared, serve(listener, service)).await
        })
    }
}

/// Accepts connections until the server's shutdown is requested, then shuts down gracefully.
async fn serve(listener: TcpListener, service: McpHttpService) -> anyhow::Result<()> {
    let shutdown = service.shutdown_token().clone();
    tracing::info!(addr = ?listener.local_addr().ok(), "serving Streamable HTTP at /mcp");
    let (max_header, header_timeout) = {
        let c = service.config();
        (c.max_header_size, c.header_read_timeout)
    };
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = shutdown.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Running out of file descriptors and the like: back off, keep serving.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let shutdown = shutdown.clone();
        // Boxed: one copy of the task machinery for all tasks (see `mcp_core::rt`).
        let connection: mcp_core::rt::BoxedTask<()> = Box::pin(async move {
            let svc =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let service = service.clone();
                    async move {
                        let path = req.uri().path();
                        let metadata = path == PROTECTED_RESOURCE_METADATA_PATH
                            || path.strip_prefix(PROTECTED_RESOURCE_METADATA_PATH) == Some("/mcp");
                        if path != "/mcp" && !metadata {
                            let mut resp = http::Response::new(McpBody::full("Not Found"));
                            *resp.status_mut() = http::StatusCode::NOT_FOUND;
                            return Ok::<_, std::convert::Infallible>(resp);
                        }
                        Ok(service.handle(req).await)
                    }
                });
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_header_size(max_header)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                () = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
            }
        });
        connections.spawn(connection);
    }
    tracing::debug!("shutting down the HTTP server");
    let grace = service.shutdown_grace();
    service.shutdown(grace).await;
    // Sessions are closed, so every stream has ended; connections finish their last response.
    let wait = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace + Duration::from_secs(1), wait)
        .await
        .is_err()
    {
        connections.abort_all();
    }
    Ok(())
}

/// How many connections may wait to be accepted (the kernel caps it at `somaxconn`). Larger
/// than the usual 1,024 so that a burst of clients connecting at once is queued, not reset.
const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener on the first address of `addr` that accepts it, with [`LISTEN_BACKLOG`].
pub(crate) async fn bind(addr: impl ToSocketAddrs) -> std::io::Result<TcpListener> {
    let mut last_error = None;
    for addr in tokio::net::lookup_host(addr).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        };
        let bound = socket.and_then(|socket| {
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(LISTEN_BACKLOG)
        });
        match bound {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the address resolved to nothing",
        )
    }))
}
