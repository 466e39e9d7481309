//! The tower service: request validation, sessions, and the POST / GET / DELETE handlers.
// The `Err` of the helpers below is the finished error response, built on a cold path.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ALLOW, AUTHORIZATION, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN,
    WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use mcp_core::McpError;
use mcp_core::error::ErrorCode;
use mcp_core::jsonrpc::{self, Decoded, Message, RequestId};
use mcp_core::peer::BoxFuture;
use mcp_core::version::ProtocolVersion;

use super::HttpConfig;
use super::auth::{
    AuthConfig, AuthError, AuthInfo, PROTECTED_RESOURCE_METADATA_PATH, metadata_url, quote,
};
use super::body::McpBody;
use super::event_store::{EventStore, InMemoryEventStore};
use super::guard::{accepts, accepts_json_and_sse, host_allowed, is_json, origin_allowed};
use super::state::{HttpSession, JsonOutcome, OpenError, StartError};
use crate::server::ServerShared;

// Header names as `HeaderName`s: looking one up by `&str` parses and validates the name on
// every request.
/// The `Mcp-Session-Id` header.
pub(crate) const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// The `MCP-Protocol-Version` header.
pub(crate) const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// The `Last-Event-ID` header.
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

const JSON: &str = "application/json";
const SSE: &str = "text/event-stream";

/// A Streamable HTTP MCP endpoint as a [`tower_service::Service`].
///
/// It answers every request it is given, whatever the path, so mount it on the path of your
/// choice (`/mcp` by convention):
///
/// ```no_run
/// # async fn f() -> anyhow::Result<()> {
/// use mcp_server::Server;
/// use mcp_server::http::HttpConfig;
///
/// let service = Server::new("demo").into_http_service(HttpConfig::default());
/// // axum: Router::new().route_service("/mcp", service)
/// # let _ = service; Ok(()) }
/// ```
///
/// Cloning is cheap; clones share the sessions. Sessions are evicted when idle, and all are
/// closed when the server's shutdown is requested ([`ServerHandle::shutdown`]) or
/// [`McpHttpService::shutdown`] is called.
///
/// [`ServerHandle::shutdown`]: crate::ServerHandle::shutdown
#[derive(Clone)]
pub struct McpHttpService {
    inner: Arc<Inner>,
}

impl fmt::Debug for McpHttpService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpHttpService")
            .field("sessions", &self.inner.sessions().len())
            .field("config", &self.inner.config)
            .finish()
    }
}

struct Inner {
    shared: Arc<ServerShared>,
    config: Arc<HttpConfig>,
    store: Arc<dyn EventStore>,
    sessions: Mutex<HashMap<Arc<str>, Arc<HttpSession>>>,
    reaper_started: AtomicBool,
}

impl McpHttpService {
    pub(crate) fn new(shared: Arc<ServerShared>, config: HttpConfig) -> Self {
        let store = config
            .event_store
            .clone()
            .unwrap_or_else(|| Arc::new(InMemoryEventStore::default()));
        Self {
            inner: Arc::new(Inner {
                shared,
                config: Arc::new(config),
                store,
                sessions: Mutex::new(HashMap::new()),
                reaper_started: AtomicBool::new(false),
            }),
        }
    }

    /// Handles one HTTP request.
    pub async fn handle<B>(&self, request: Request<B>) -> Response<McpBody>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.inner.handle(request).await
    }

    /// How many sessions are open.
    pub fn session_count(&self) -> usize {
        self.inner.sessions().len()
    }

    /// Closes every session: requests in progress are cancelled and get `grace` to finish (those
    /// that do are answered), then every stream ends. New requests get 503 afterwards if the
    /// server's shutdown was requested.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.shutdown(grace).await;
    }

    pub(crate) fn config(&self) -> &HttpConfig {
        &self.inner.config
    }

    pub(crate) fn shutdown_grace(&self) -> Duration {
        self.inner.shared.config.shutdown_grace
    }

    pub(crate) fn shutdown_token(&self) -> &tokio_util::sync::CancellationToken {
        &self.inner.shared.shutdown
    }
}

impl<B> tower_service::Service<Request<B>> for McpHttpService
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<McpBody>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<McpBody>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let inner = self.inner.clone();
        Box::pin(async move { Ok(inner.handle(request).await) })
    }
}

/// A response with a JSON-RPC error body.
fn error(status: StatusCode, id: Option<&RequestId>, err: &McpError) -> Response<McpBody> {
    let mut resp = Response::new(McpBody::full(jsonrpc::encode_error(id, err)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    resp
}

fn http_error(
    status: StatusCode,
    message: impl Into<std::borrow::Cow<'static, str>>,
) -> Response<McpBody> {
    error(status, None, &McpError::invalid_request(message))
}

fn session_not_found() -> Response<McpBody> {
    error(
        StatusCode::NOT_FOUND,
        None,
        &McpError::new(ErrorCode(-32001), "Session not found"),
    )
}

fn empty(status: StatusCode) -> Response<McpBody> {
    let mut resp = Response::new(McpBody::empty());
    *resp.status_mut() = status;
    resp
}

fn sse_response(body: McpBody) -> Response<McpBody> {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(SSE));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Tell reverse proxies such as nginx not to buffer the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

fn json_response(bytes: Bytes) -> Response<McpBody> {
    let mut resp = Response::new(McpBody::full(bytes));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    resp
}

/// A 32-byte session id from the operating system's CSPRNG, as 64 lowercase hex digits.
fn new_session_id() -> Result<Arc<str>, getrandom::Error> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf)?;
    let mut s = String::with_capacity(64);
    for b in buf {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    Ok(s.into())
}

/// What a POST body holds.
enum Incoming {
    Request { id: RequestId, initialize: bool },
    Notification { cancelled: Option<RequestId> },
    Response,
}

/// Decodes a POST body once: what it holds (to route it) and the message itself.
fn classify(body: &[u8]) -> Result<(Incoming, Message<'_>), Response<McpBody>> {
    let message = match jsonrpc::decode(body) {
        Err(e) => return Err(error(StatusCode::BAD_REQUEST, e.id.as_ref(), &e.error)),
        Ok(Decoded::Batch(_)) => {
            return Err(http_error(
                StatusCode::BAD_REQUEST,
                "JSON-RPC batches are not supported over Streamable HTTP: send one message per POST",
            ));
        }
        Ok(Decoded::Single(message)) => message,
    };
    let incoming = match &message {
        Message::Request(r) => Incoming::Request {
            initialize: r.method == "initialize",
            id: r.id.clone(),
        },
        Message::Notification(n) => {
            let cancelled = (n.method == "notifications/cancelled")
                .then(|| {
                    #[derive(serde::Deserialize)]
                    struct P {
                        #[serde(rename = "requestId")]
                        request_id: Option<RequestId>,
                    }
                    n.params
                        .and_then(|p| serde_json::from_str::<P>(p.get()).ok())
                        .and_then(|p| p.request_id)
                })
                .flatten();
            Incoming::Notification { cancelled }
        }
        Message::Response(_) => Incoming::Response,
    };
    Ok((incoming, message))
}

impl Inner {
    fn sessions(&self) -> MutexGuard<'_, HashMap<Arc<str>, Arc<HttpSession>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn handle<B>(self: &Arc<Self>, request: Request<B>) -> Response<McpBody>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.ensure_reaper();
        if let Some(resp) = self.check_host_and_origin(request.headers()) {
            return resp;
        }
        if request
            .uri()
            .path()
            .starts_with(PROTECTED_RESOURCE_METADATA_PATH)
        {
            return self.resource_metadata(&request);
        }
        if self.shared.shutdown.is_cancelled() {
            return http_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is shutting down",
            );
        }
        let principal = match &self.config.auth {
            // A CORS preflight carries no credentials.
            Some(auth) if request.method() != Method::OPTIONS => {
                match authenticate(auth, request.headers(), request.uri().path()).await {
                    Ok(p) => Some(p),
                    Err(resp) => return resp,
                }
            }
            _ => None,
        };
        if let Some(resp) = check_protocol_version(request.headers()) {
            return resp;
        }
        let subject = principal
            .as_ref()
            .map(|p| Arc::<str>::from(p.subject.as_str()));
        let subject = subject.as_ref();
        match *request.method() {
            Method::POST => self.post(request, principal, subject).await,
            Method::GET => self.get(request.headers(), subject),
            Method::DELETE => self.delete(request.headers(), subject),
            _ => self.method_not_allowed(),
        }
    }

    /// `GET /.well-known/oauth-protected-resource[/<path>]`: the RFC 9728 document, when
    /// authorization is configured (else 404).
    fn resource_metadata<B>(&self, request: &Request<B>) -> Response<McpBody> {
        let Some(auth) = &self.config.auth else {
            return http_error(StatusCode::NOT_FOUND, "Not Found");
        };
        if request.method() != Method::GET {
            let mut resp = http_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
            resp.headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET"));
            return resp;
        }
        let suffix = &request.uri().path()[PROTECTED_RESOURCE_METADATA_PATH.len()..];
        let endpoint = if suffix.starts_with('/') {
            suffix
        } else {
            "/mcp"
        };
        let mut metadata = auth.metadata.clone();
        metadata.resource = Some(resource_url(auth, request.headers(), endpoint));
        let body = serde_json::to_vec(&metadata).unwrap_or_default();
        let mut resp = json_response(Bytes::from(body));
        resp.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
        resp
    }

    fn method_not_allowed(&self) -> Response<McpBody> {
        let mut resp = http_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
        let allow = if self.config.stateless {
            "POST"
        } else {
            "GET, POST, DELETE"
        };
        resp.headers_mut()
            .insert(ALLOW, HeaderValue::from_static(allow));
        resp
    }

    fn check_host_and_origin(&self, headers: &HeaderMap) -> Option<Response<McpBody>> {
        if let Some(allowed) = &self.config.allowed_hosts
            && let Some(host) = headers.get(HOST)
        {
            let ok = host.to_str().is_ok_and(|h| host_allowed(allowed, h));
            if !ok {
                tracing::warn!(host = ?host, "refusing a request for a host that is not allowed (DNS rebinding?)");
                return Some(http_error(
                    StatusCode::FORBIDDEN,
                    "Forbidden: Host not allowed",
                ));
            }
        }
        if let Some(allowed) = &self.config.allowed_origins
            && let Some(origin) = headers.get(ORIGIN)
        {
            let ok = origin.to_str().is_ok_and(|o| origin_allowed(allowed, o));
            if !ok {
                tracing::warn!(origin = ?origin, "refusing a request from an origin that is not allowed");
                return Some(http_error(
                    StatusCode::FORBIDDEN,
                    "Forbidden: Origin not allowed",
                ));
            }
        }
        None
    }

    fn lookup(
        &self,
        headers: &HeaderMap,
        principal: Option<&Arc<str>>,
    ) -> Result<Arc<HttpSession>, Response<McpBody>> {
        let Some(value) = headers.get(SESSION_ID) else {
            return Err(http_error(
                StatusCode::BAD_REQUEST,
                "Bad Request: missing Mcp-Session-Id header",
            ));
        };
        let Ok(id) = value.to_str() else {
            return Err(session_not_found());
        };
        match self.sessions().get(id.trim()) {
            // A session created under another principal does not exist for this one.
            Some(s) if !s.is_closed() && s.principal.get() == principal => {
                s.activity.touch();
                Ok(s.clone())
            }
            _ => Err(session_not_found()),
        }
    }

    async fn post<B>(
        self: &Arc<Self>,
        request: Request<B>,
        auth: Option<AuthInfo>,
        principal: Option<&Arc<str>>,
    ) -> Response<McpBody>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let headers = request.headers();
        if !accepts_json_and_sse(headers) {
            return http_error(
                StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable: the client must accept both application/json and text/event-stream",
            );
        }
        if !is_json(headers) {
            return http_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type: expected application/json",
            );
        }
        let max = self.shared.config.max_message_size;
        let too_large = || {
            http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Payload Too Large: the limit is {max} bytes"),
            )
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max as u64) {
            return too_large();
        }
        let (parts, body) = request.into_parts();
        let mut collect = std::pin::pin!(Limited::new(body, max).collect());
        // A small body has usually arrived with the headers: one poll first, and the timer only
        // for bodies still on their way.
        let first = std::future::poll_fn(|cx| Poll::Ready(collect.as_mut().poll(cx))).await;
        let read = match first {
            Poll::Ready(done) => Ok(done),
            Poll::Pending => {
                tokio::time::timeout(self.config.body_read_timeout, collect.as_mut()).await
            }
        };
        let body = match read {
            Ok(Ok(collected)) => collected.to_bytes(),
            Err(_elapsed) => {
                tracing::debug!("a request body did not arrive in time");
                let mut resp = http_error(
                    StatusCode::REQUEST_TIMEOUT,
                    "Request Timeout: the body did not arrive in time",
                );
                resp.headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
                return resp;
            }
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return too_large(),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "failed to read a request body");
                return http_error(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: the body could not be read",
                );
            }
        };
        let (incoming, message) = match classify(&body) {
            Ok(decoded) => decoded,
            Err(resp) => return resp,
        };
        if self.config.stateless {
            return self.post_stateless(incoming, message, auth).await;
        }
        let (session, created) = match (&incoming, parts.headers.get(SESSION_ID)) {
            (
                Incoming::Request {
                    initialize: true, ..
                },
                None,
            ) => match self.create_session() {
                Ok(s) => {
                    if let (Some(p), Some(info)) = (principal, auth) {
                        let _ = s.principal.set(p.clone());
                        let _ = s.session.auth.set(info);
                    }
                    (s, true)
                }
                Err(resp) => return resp,
            },
            _ => match self.lookup(&parts.headers, principal) {
                Ok(s) => (s, false),
                Err(resp) => return resp,
            },
        };
        let mut resp = match incoming {
            Incoming::Notification { cancelled } => {
                session.message(message, cancelled).await;
                return empty(StatusCode::ACCEPTED);
            }
            Incoming::Response => {
                session.message(message, None).await;
                return empty(StatusCode::ACCEPTED);
            }
            Incoming::Request { id, .. } => self.request(&session, id, message).await,
        };
        if created {
            if !session.is_initialized() || !resp.status().is_success() {
                // The initialize failed: the answer says why; no session is kept.
                session.close_when_answered();
                return resp;
            }
            if let Err(r) = self.register(&session) {
                session.close();
                return r;
            }
            if let Ok(v) = HeaderValue::from_str(&session.id) {
                resp.headers_mut().insert(SESSION_ID, v);
            }
        }
        resp
    }

    async fn request(
        &self,
        session: &Arc<HttpSession>,
        id: RequestId,
        message: Message<'_>,
    ) -> Response<McpBody> {
        let started = if self.config.json_response {
            session
                .request_json(id.clone(), message)
                .await
                .map(|outcome| self.json_reply(outcome, Some(session)))
        } else {
            session
                .request_sse(id.clone(), message)
                .await
                .map(sse_response)
        };
        self.reply(started, &id)
    }

    /// The reply to a request in JSON mode; `session` is `None` in stateless mode.
    fn json_reply(
        &self,
        outcome: JsonOutcome,
        session: Option<&Arc<HttpSession>>,
    ) -> Response<McpBody> {
        match outcome {
            JsonOutcome::Response(bytes) => json_response(bytes),
            // Cancelled by the client (which no longer waits), or the session ended.
            JsonOutcome::NoResponse if self.shared.shutdown.is_cancelled() => http_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is shutting down",
            ),
            JsonOutcome::NoResponse if session.is_some_and(|s| s.is_closed()) => {
                session_not_found()
            }
            JsonOutcome::NoResponse => empty(StatusCode::NO_CONTENT),
        }
    }

    /// The reply to request `id`, or why it could not start.
    fn reply(
        &self,
        started: Result<Response<McpBody>, StartError>,
        id: &RequestId,
    ) -> Response<McpBody> {
        match started {
            Ok(resp) => resp,
            Err(StartError::Busy) => error(
                StatusCode::TOO_MANY_REQUESTS,
                Some(id),
                &McpError::invalid_request("Too many requests in progress; retry later"),
            ),
            Err(StartError::Closed) => session_not_found(),
            Err(StartError::DuplicateId) => error(
                StatusCode::BAD_REQUEST,
                Some(id),
                &McpError::invalid_request(format!(
                    "Request id {id} is already in use by a request in progress"
                )),
            ),
        }
    }

    async fn post_stateless(
        &self,
        incoming: Incoming,
        message: Message<'_>,
        auth: Option<AuthInfo>,
    ) -> Response<McpBody> {
        let Incoming::Request { id, initialize } = incoming else {
            // No session to deliver it to: notifications and responses are acknowledged only.
            return empty(StatusCode::ACCEPTED);
        };
        if self.config.json_response {
            let started =
                super::state::stateless_json(&self.shared, auth, initialize, &id, message)
                    .await
                    .map(|outcome| self.json_reply(outcome, None));
            return self.reply(started, &id);
        }
        let session = HttpSession::start(
            Arc::from(""),
            &self.shared,
            self.config.clone(),
            self.store.clone(),
            true,
        );
        if let Some(info) = auth {
            let _ = session.session.auth.set(info);
        }
        if !initialize {
            session.assume_initialized();
        }
        self.request(&session, id, message).await
    }

    fn create_session(&self) -> Result<Arc<HttpSession>, Response<McpBody>> {
        if self.sessions().len() >= self.config.max_sessions {
            return Err(too_many_sessions());
        }
        let id = new_session_id().map_err(|e| {
            tracing::error!(error = %e, "the operating system's random number generator failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                &McpError::internal("Internal error"),
            )
        })?;
        Ok(HttpSession::start(
            id,
            &self.shared,
            self.config.clone(),
            self.store.clone(),
            false,
        ))
    }

    fn register(&self, session: &Arc<HttpSession>) -> Result<(), Response<McpBody>> {
        let mut sessions = self.sessions();
        if sessions.len() >= self.config.max_sessions {
            return Err(too_many_sessions());
        }
        sessions.insert(session.id.clone(), session.clone());
        tracing::debug!(session = %session.id, "session created");
        Ok(())
    }

    fn get(&self, headers: &HeaderMap, principal: Option<&Arc<str>>) -> Response<McpBody> {
        if self.config.stateless {
            return self.method_not_allowed();
        }
        if !accepts(headers, SSE) {
            return http_error(
                StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable: the client must accept text/event-stream",
            );
        }
        let session = match self.lookup(headers, principal) {
            Ok(s) => s,
            Err(resp) => return resp,
        };
        let opened = match headers.get(LAST_EVENT_ID).map(|v| v.to_str()) {
            Some(Ok(last)) => session.resume(last),
            Some(Err(_)) => Err(OpenError::UnknownEvent),
            None => session.open_standalone(),
        };
        match opened {
            Ok(body) => sse_response(body),
            Err(OpenError::Closed) => session_not_found(),
            Err(OpenError::Conflict) => http_error(
                StatusCode::CONFLICT,
                "Conflict: only one GET stream per session may be open",
            ),
            Err(OpenError::UnknownEvent) => http_error(
                StatusCode::BAD_REQUEST,
                "Bad Request: unknown or expired Last-Event-ID",
            ),
        }
    }

    fn delete(&self, headers: &HeaderMap, principal: Option<&Arc<str>>) -> Response<McpBody> {
        if self.config.stateless {
            return self.method_not_allowed();
        }
        let session = match self.lookup(headers, principal) {
            Ok(s) => s,
            Err(resp) => return resp,
        };
        self.sessions().remove(&session.id);
        session.close();
        tracing::debug!(session = %session.id, "session ended by the client");
        empty(StatusCode::OK)
    }

    /// Starts the task that evicts idle sessions and closes all of them at shutdown, on the
    /// first request (the service may be built outside a runtime).
    fn ensure_reaper(self: &Arc<Self>) {
        if self.config.stateless || self.reaper_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Self> = Arc::downgrade(self);
        let idle = self.config.session_idle_timeout;
        let period = (idle / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
        let shutdown = self.shared.shutdown.clone();
        mcp_core::rt::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = shutdown.cancelled() => {
                        if let Some(inner) = weak.upgrade() {
                            let grace = inner.shared.config.shutdown_grace;
                            inner.shutdown(grace).await;
                        }
                        return;
                    }
                }
                let Some(inner) = weak.upgrade() else { return };
                let expired: Vec<Arc<HttpSession>> = {
                    let mut sessions = inner.sessions();
                    let ids: Vec<Arc<str>> = sessions
                        .iter()
                        .filter(|(_, s)| s.activity.is_idle(idle))
                        .map(|(id, _)| id.clone())
                        .collect();
                    ids.iter().filter_map(|id| sessions.remove(id)).collect()
                };
                for s in expired {
                    tracing::debug!(session = %s.id, "evicting an idle session");
                    s.close();
                }
            }
        });
    }

    async fn shutdown(&self, grace: Duration) {
        let sessions: Vec<Arc<HttpSession>> = self.sessions().drain().map(|(_, s)| s).collect();
        for s in &sessions {
            s.cancel_in_flight();
        }
        let drains: Vec<_> = sessions.iter().map(|s| s.drain(grace)).collect();
        for d in drains {
            d.await;
        }
        for s in &sessions {
            s.close();
        }
    }
}

fn too_many_sessions() -> Response<McpBody> {
    http_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service Unavailable: too many sessions",
    )
}

fn check_protocol_version(headers: &HeaderMap) -> Option<Response<McpBody>> {
    let value = headers.get(PROTOCOL_VERSION)?;
    let supported = value
        .to_str()
        .ok()
        .and_then(|v| ProtocolVersion::parse(v.trim()))
        .is_some();
    if supported {
        // A supported revision other than the negotiated one is accepted: some clients send
        // 2025-03-26 on raw requests after negotiating a later revision.
        return None;
    }
    let shown = String::from_utf8_lossy(value.as_bytes()).into_owned();
    Some(http_error(
        StatusCode::BAD_REQUEST,
        format!(
            "Bad Request: unsupported MCP-Protocol-Version `{shown}` (supported: {})",
            mcp_core::version::SUPPORTED.join(", ")
        ),
    ))
}

/// The canonical URL of the MCP endpoint: the configured resource, else `http://<Host><path>`.
fn resource_url(auth: &AuthConfig, headers: &HeaderMap, path: &str) -> String {
    if let Some(r) = &auth.metadata.resource {
        return r.clone();
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}{path}")
}

/// Checks the request's bearer token; the `Err` is the 401 or 403 to send.
async fn authenticate(
    auth: &AuthConfig,
    headers: &HeaderMap,
    path: &str,
) -> Result<AuthInfo, Response<McpBody>> {
    let endpoint = resource_url(auth, headers, path);
    let metadata = metadata_url(&endpoint);
    let challenge = |status: StatusCode, params: String, message: String| {
        let mut resp = http_error(status, message);
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {params}")) {
            resp.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
        resp
    };
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(challenge(
            StatusCode::UNAUTHORIZED,
            format!("resource_metadata=\"{}\"", quote(&metadata)),
            "Unauthorized: this server requires `Authorization: Bearer <token>`".into(),
        ));
    };
    let refused = match auth.validator.validate(token).await {
        Ok(info) => {
            let missing: Vec<String> = auth
                .required_scopes
                .iter()
                .filter(|s| !info.scopes.contains(s))
                .cloned()
                .collect();
            if missing.is_empty() {
                return Ok(info);
            }
            AuthError::InsufficientScope(auth.required_scopes.clone())
        }
        Err(e) => e,
    };
    Err(match refused {
        AuthError::InsufficientScope(scopes) => {
            let scope = quote(&scopes.join(" "));
            challenge(
                StatusCode::FORBIDDEN,
                format!(
                    "error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{}\"",
                    quote(&metadata)
                ),
                format!("Forbidden: the token lacks the scope `{scope}`"),
            )
        }
        AuthError::InvalidToken(why) => {
            tracing::debug!(reason = %why, "refusing a bearer token");
            challenge(
                StatusCode::UNAUTHORIZED,
                format!(
                    "error=\"invalid_token\", error_description=\"{}\", resource_metadata=\"{}\"",
                    quote(&why),
                    quote(&metadata)
                ),
                format!("Unauthorized: {why}"),
            )
        }
    })
}
