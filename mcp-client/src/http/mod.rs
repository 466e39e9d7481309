//! The Streamable HTTP transport (MCP revision 2025-11-25, client side), behind the `http`
//! feature.
//!
//! Every message the engine queues becomes one `POST` to the endpoint, with `Accept:
//! application/json, text/event-stream` and `Content-Type: application/json`:
//!
//! - **Requests** are posted each on a task of their own, so slow calls do not hold up the
//!   others. The answer is either one JSON object or an SSE stream; each event's data is fed to
//!   the engine as one message (progress, log messages and requests from the server arrive this
//!   way before the response).
//! - **Notifications and responses** are posted one after the other, in order (the server
//!   answers 202). A `notifications/cancelled` also stops reading the cancelled request's stream
//!   after a short grace period.
//! - **Sessions.** The `Mcp-Session-Id` of the `initialize` response is sent on every later
//!   request, and `MCP-Protocol-Version` with the negotiated revision (not on `initialize`
//!   itself). When a request carrying a session id gets 404, the session has ended: the
//!   transport initializes a new one (the same `initialize`, without a session id, then
//!   `notifications/initialized`) and retries the request once. Closing the client sends
//!   `DELETE`.
//! - **The standalone stream.** After `notifications/initialized`, a `GET` opens the stream
//!   for messages the server sends on its own (405 means the server offers none). It is
//!   reopened when it ends, after the server's `retry` delay, with `Last-Event-ID`.
//! - **Resumption.** When a request's SSE stream ends before its response (the server closed it,
//!   or the connection dropped), the transport waits the `retry` delay the server gave (1 s if
//!   none), then `GET`s the endpoint with `Last-Event-ID` set to the last event id received,
//!   and goes on reading there; it gives up after 5 attempts in a row that bring no new event.
//!   A stream that ends before any event id cannot be resumed: the request fails.
//!
//! TLS is not supported yet: `https://` URLs are refused with a clear error.

mod sse;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use mcp_core::jsonrpc;
use mcp_core::model::method_names as names;
use mcp_core::peer::{Admission, Engine, Outbound, OutboundKind, RequestError};
use mcp_core::{McpError, RequestId};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::sse::{SseEvent, SseParser};

/// The `Mcp-Session-Id` header.
const SESSION_ID: &str = "mcp-session-id";
/// The `MCP-Protocol-Version` header.
const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// The `Last-Event-ID` header.
const LAST_EVENT_ID: &str = "last-event-id";

const JSON: &str = "application/json";
const SSE: &str = "text/event-stream";
const POST_ACCEPT: &str = "application/json, text/event-stream";

/// The reconnection delay when the server gave no `retry`.
const DEFAULT_RETRY: Duration = Duration::from_secs(1);
/// Reconnections in a row that bring no new event before a stream is given up.
const MAX_RECONNECTS: u32 = 5;
/// How long a cancelled request's stream is still read (the server's last progress and its
/// end of the stream) before it is dropped.
const CANCEL_DRAIN: Duration = Duration::from_secs(2);
/// The TCP connect timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long posting one notification or response may take.
const POST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting waits for the standalone stream to open (or be refused).
const STANDALONE_WAIT: Duration = Duration::from_secs(5);
/// How much of an error response's body is read to explain it.
const MAX_ERROR_BODY: usize = 64 * 1024;

type HttpClient = HyperClient<HttpConnector, Full<Bytes>>;

/// Checks that `url` is an `http://` URL with a host.
pub(crate) fn parse_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("invalid URL `{url}`: {e}"))?;
    match uri.scheme_str() {
        Some("http") if uri.authority().is_some() => Ok(uri),
        Some("https") => Err(format!(
            "cannot connect to `{url}`: TLS (https://) is not supported yet; use an http:// URL"
        )),
        _ => Err(format!(
            "invalid URL `{url}`: expected http://host[:port]/path"
        )),
    }
}

/// Validates extra headers given as text.
pub(crate) fn parse_headers(
    headers: &[(String, String)],
) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
    headers
        .iter()
        .map(|(name, value)| {
            let n = HeaderName::try_from(name.as_str())
                .map_err(|e| format!("invalid HTTP header name `{name}`: {e}"))?;
            let v = HeaderValue::try_from(value.as_str())
                .map_err(|e| format!("invalid value for HTTP header `{name}`: {e}"))?;
            Ok((n, v))
        })
        .collect()
}

/// What the transport knows about the session.
#[derive(Debug, Default)]
struct Session {
    /// The `Mcp-Session-Id` the server assigned, if any.
    id: Option<HeaderValue>,
    /// The negotiated revision, once `initialize` was answered.
    protocol_version: Option<HeaderValue>,
    /// The `initialize` request, to start a new session with when the server ends this one.
    initialize: Option<Bytes>,
}

/// Which session headers a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Headers {
    /// Those of the current session.
    Session,
    /// None: `initialize` starts a session.
    Initialize,
}

/// The parts of an outgoing message the transport looks at.
#[derive(Debug, Default, Deserialize)]
struct OutgoingProbe {
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default)]
    method: Option<String>,
}

impl OutgoingProbe {
    fn of(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }
}

/// The request a `notifications/cancelled` cancels.
fn cancelled_request(bytes: &[u8]) -> Option<RequestId> {
    #[derive(Deserialize)]
    struct Notification {
        params: Params,
    }
    #[derive(Deserialize)]
    struct Params {
        #[serde(rename = "requestId")]
        request_id: RequestId,
    }
    serde_json::from_slice::<Notification>(bytes)
        .ok()
        .map(|n| n.params.request_id)
}

/// Whether `data` is the response to request `id`; for an `initialize`, also the revision it
/// chose.
fn answers(data: &[u8], id: &RequestId) -> (bool, Option<String>) {
    #[derive(Deserialize)]
    struct Incoming<'a> {
        #[serde(default)]
        id: Option<RequestId>,
        #[serde(default)]
        method: Option<serde::de::IgnoredAny>,
        #[serde(default, borrow)]
        result: Option<&'a serde_json::value::RawValue>,
    }
    #[derive(Deserialize)]
    struct InitializeResult {
        #[serde(rename = "protocolVersion")]
        protocol_version: String,
    }
    match serde_json::from_slice::<Incoming<'_>>(data) {
        Ok(m) if m.method.is_none() && m.id.as_ref() == Some(id) => {
            let version = m
                .result
                .and_then(|r| serde_json::from_str::<InitializeResult>(r.get()).ok())
                .map(|r| r.protocol_version);
            (true, version)
        }
        _ => (false, None),
    }
}

/// The media type of a response, without parameters, in lower case.
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// An error with its chain of sources, on one line.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

async fn read_limited(body: Incoming, max: usize) -> Result<Bytes, String> {
    Limited::new(body, max)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| format!("reading the response failed: {e}"))
}

/// The Streamable HTTP transport of one client.
pub(crate) struct HttpTransport {
    inner: Arc<Inner>,
    writer: Option<JoinHandle<()>>,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("uri", &self.inner.uri)
            .field("session", &self.inner.session().id.is_some())
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: HttpClient,
    uri: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    engine: Arc<Engine>,
    max_message_size: usize,
    session: Mutex<Session>,
    /// Counts the sessions started: the standalone stream waits on it after a 404.
    generation: watch::Sender<u64>,
    /// Held while a new session is being initialized, so that only one is.
    reinit: tokio::sync::Mutex<()>,
    /// The requests being exchanged, with a token cancelled when the client cancels one.
    requests: Mutex<HashMap<RequestId, CancellationToken>>,
    /// Set once `notifications/initialized` was delivered.
    initialized_sent: watch::Sender<bool>,
    /// Tells the writer to deliver what is queued and stop.
    draining: CancellationToken,
    /// Stops every task of the transport.
    shutdown: CancellationToken,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl HttpTransport {
    /// Starts delivering the engine's messages to `uri`.
    pub(crate) fn start(
        engine: Arc<Engine>,
        outbound: mpsc::Receiver<Outbound>,
        uri: Uri,
        headers: Vec<(HeaderName, HeaderValue)>,
        max_message_size: usize,
    ) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        let inner = Arc::new(Inner {
            client,
            uri,
            headers,
            engine,
            max_message_size,
            session: Mutex::new(Session::default()),
            generation: watch::Sender::new(0),
            reinit: tokio::sync::Mutex::new(()),
            requests: Mutex::new(HashMap::new()),
            initialized_sent: watch::Sender::new(false),
            draining: CancellationToken::new(),
            shutdown: CancellationToken::new(),
        });
        let writer = tokio::spawn(write_loop(inner.clone(), outbound));
        Self {
            inner,
            writer: Some(writer),
        }
    }

    /// Called after `notifications/initialized` was queued: waits until it is delivered, then
    /// opens the standalone stream and waits (5 s at most) until the server accepted or refused
    /// it, so that messages the server sends there right away are not missed.
    pub(crate) async fn initialized(&self) {
        let mut sent = self.inner.initialized_sent.subscribe();
        let _ = tokio::time::timeout(POST_TIMEOUT, sent.wait_for(|sent| *sent)).await;
        let (ready_tx, ready_rx) = oneshot::channel();
        tokio::spawn(self.inner.clone().standalone(ready_tx));
        let _ = tokio::time::timeout(STANDALONE_WAIT, ready_rx).await;
    }

    /// Delivers what is queued, stops every stream and deletes the session.
    pub(crate) async fn shutdown(&mut self, grace: Duration) {
        self.inner.draining.cancel();
        if let Some(writer) = self.writer.take() {
            let _ = tokio::time::timeout(grace, writer).await;
        }
        self.inner.shutdown.cancel();
        let _ = tokio::time::timeout(grace, self.inner.delete_session()).await;
    }

    /// Stops at once; the session is deleted in the background if a runtime is still there.
    pub(crate) fn abort(&mut self) {
        self.inner.draining.cancel();
        self.inner.shutdown.cancel();
        if let Some(writer) = self.writer.take() {
            writer.abort();
        }
        if self.inner.session().id.is_some()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            let inner = self.inner.clone();
            handle.spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(2), inner.delete_session()).await;
            });
        }
    }
}

/// Drains the engine's queue: requests go out on tasks of their own, notifications and
/// responses in order.
async fn write_loop(inner: Arc<Inner>, mut rx: mpsc::Receiver<Outbound>) {
    loop {
        let msg = tokio::select! {
            biased;
            msg = rx.recv() => msg,
            () = inner.draining.cancelled() => rx.try_recv().ok(),
        };
        let Some(msg) = msg else { return };
        let bytes = Bytes::from(msg.bytes);
        match msg.kind {
            OutboundKind::Request => {
                tokio::spawn(inner.clone().run_request(bytes));
            }
            OutboundKind::Notification | OutboundKind::Response => inner.deliver(bytes).await,
        }
    }
}

impl Inner {
    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        lock(&self.session)
    }

    /// Sends one HTTP request to the endpoint; returns the response and the session id it
    /// carried.
    async fn send(
        &self,
        method: Method,
        body: Option<Bytes>,
        headers: Headers,
        last_event_id: Option<&str>,
    ) -> Result<(Response<Incoming>, Option<HeaderValue>), String> {
        let (session_id, version) = match headers {
            Headers::Initialize => (None, None),
            Headers::Session => {
                let s = self.session();
                (s.id.clone(), s.protocol_version.clone())
            }
        };
        let mut builder = Request::builder().method(&method).uri(self.uri.clone());
        if method == Method::POST {
            builder = builder
                .header(ACCEPT, POST_ACCEPT)
                .header(CONTENT_TYPE, JSON);
        } else if method == Method::GET {
            builder = builder.header(ACCEPT, SSE);
        }
        if let Some(id) = &session_id {
            builder = builder.header(SESSION_ID, id);
        }
        if let Some(version) = version {
            builder = builder.header(PROTOCOL_VERSION, version);
        }
        if let Some(last) = last_event_id {
            builder = builder.header(LAST_EVENT_ID, last);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let request = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| format!("invalid HTTP request: {e}"))?;
        let response = self.client.request(request).await.map_err(|e| {
            format!(
                "cannot reach the MCP server at {}: {}",
                self.uri,
                describe(&e)
            )
        })?;
        Ok((response, session_id))
    }

    /// POSTs a message in the current session. A 404 for a request that carried a session id
    /// means the session ended: a new one is initialized and the message is sent once more.
    async fn post(&self, bytes: Bytes) -> Result<Response<Incoming>, String> {
        let (response, sent) = self
            .send(Method::POST, Some(bytes.clone()), Headers::Session, None)
            .await?;
        let Some(stale) = sent.filter(|_| response.status() == StatusCode::NOT_FOUND) else {
            return Ok(response);
        };
        self.reinitialize(&stale).await?;
        let (response, _) = self
            .send(Method::POST, Some(bytes), Headers::Session, None)
            .await?;
        Ok(response)
    }

    /// Posts a notification or a response, in order with the others.
    async fn deliver(&self, bytes: Bytes) {
        let probe = OutgoingProbe::of(&bytes);
        let method = probe.method.as_deref().unwrap_or("response");
        match tokio::time::timeout(POST_TIMEOUT, self.post(bytes.clone())).await {
            Err(_) => tracing::warn!(method, "posting a message to the server timed out"),
            Ok(Err(e)) => tracing::warn!(method, error = %e, "could not deliver a message"),
            Ok(Ok(response)) if !response.status().is_success() => {
                let status = response.status();
                let detail = error_detail(response).await;
                tracing::warn!(method, %status, %detail, "the server refused a message");
            }
            Ok(Ok(_)) => {}
        }
        match method {
            names::NOTIFICATIONS_INITIALIZED => {
                self.initialized_sent.send_replace(true);
            }
            names::NOTIFICATIONS_CANCELLED => {
                let token =
                    cancelled_request(&bytes).and_then(|id| lock(&self.requests).get(&id).cloned());
                if let Some(token) = token {
                    token.cancel();
                }
            }
            _ => {}
        }
    }

    /// Exchanges one request: posts it, reads its answer, resumes its stream if needed. A
    /// failure that leaves the engine waiting fails the request there.
    async fn run_request(self: Arc<Self>, bytes: Bytes) {
        let probe = OutgoingProbe::of(&bytes);
        let Some(id) = probe.id else {
            tracing::warn!("not sending a request without an id");
            return;
        };
        let initialize = probe.method.as_deref() == Some(names::INITIALIZE);
        let cancelled = CancellationToken::new();
        lock(&self.requests).insert(id.clone(), cancelled.clone());
        let drained = async {
            cancelled.cancelled().await;
            tokio::time::sleep(CANCEL_DRAIN).await;
        };
        let outcome = tokio::select! {
            outcome = self.exchange(&id, bytes, initialize, &cancelled) => outcome,
            () = drained => Ok(()),
            () = self.shutdown.cancelled() => Ok(()),
        };
        lock(&self.requests).remove(&id);
        if let Err(e) = outcome
            && !cancelled.is_cancelled()
        {
            self.engine.peer().fail_request(&id, e);
        }
    }

    async fn exchange(
        &self,
        id: &RequestId,
        bytes: Bytes,
        initialize: bool,
        cancelled: &CancellationToken,
    ) -> Result<(), RequestError> {
        let response = if initialize {
            *self.session() = Session {
                initialize: Some(bytes.clone()),
                ..Session::default()
            };
            self.send(Method::POST, Some(bytes), Headers::Initialize, None)
                .await
                .map(|(r, _)| r)
        } else {
            self.post(bytes).await
        }
        .map_err(RequestError::Transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(http_failure(response).await);
        }
        if initialize {
            self.session().id = response.headers().get(SESSION_ID).cloned();
        }
        let answer = Some((id, initialize));
        match media_type(response.headers()).as_str() {
            SSE => {
                let mut parser = SseParser::new(self.max_message_size);
                let answered = self
                    .read_stream(response.into_body(), &mut parser, answer)
                    .await;
                if answered {
                    return Ok(());
                }
                self.resume(id, parser, cancelled).await
            }
            JSON => {
                let body = read_limited(response.into_body(), self.max_message_size)
                    .await
                    .map_err(RequestError::Transport)?;
                self.handle_message(&body, answer).await;
                self.check_answered(id, cancelled, "its JSON response did not answer it")
            }
            _ => self.check_answered(
                id,
                cancelled,
                &format!("the server answered {status} with no response"),
            ),
        }
    }

    /// Fails with `problem` if the engine still waits for `id` (and the client did not give
    /// up on it).
    fn check_answered(
        &self,
        id: &RequestId,
        cancelled: &CancellationToken,
        problem: &str,
    ) -> Result<(), RequestError> {
        if cancelled.is_cancelled() || !self.engine.peer().is_pending(id) {
            return Ok(());
        }
        Err(RequestError::Transport(format!(
            "the request got no response: {problem}"
        )))
    }

    /// Hands one incoming message to the engine. Returns whether it answers the request of
    /// `answer` (for `initialize`, the negotiated revision is taken from it first, so that the
    /// messages that follow carry it).
    async fn handle_message(&self, data: &[u8], answer: Option<(&RequestId, bool)>) -> bool {
        let answered = match answer {
            Some((id, initialize)) => {
                let (answered, version) = answers(data, id);
                if answered
                    && initialize
                    && let Some(v) = version.and_then(|v| HeaderValue::try_from(v).ok())
                {
                    self.session().protocol_version = Some(v);
                }
                answered
            }
            None => false,
        };
        let _ = self.engine.handle_frame(data, Admission::Wait).await;
        answered
    }

    /// Reads an SSE stream until it ends, feeding each message to the engine. Returns whether
    /// the response to the request of `answer` arrived (reading stops there).
    async fn read_stream(
        &self,
        mut body: Incoming,
        parser: &mut SseParser,
        answer: Option<(&RequestId, bool)>,
    ) -> bool {
        let mut events: Vec<SseEvent> = Vec::new();
        loop {
            let frame = tokio::select! {
                frame = body.frame() => frame,
                () = self.shutdown.cancelled() => return false,
            };
            let chunk = match frame {
                None => return false,
                Some(Err(e)) => {
                    tracing::debug!(error = %describe(&e), "an SSE stream broke off");
                    return false;
                }
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue,
                },
            };
            parser.push(&chunk, &mut events);
            for event in std::mem::take(&mut events) {
                if event.event != "message" || event.data.is_empty() {
                    continue;
                }
                if self.handle_message(event.data.as_bytes(), answer).await {
                    return true;
                }
            }
        }
    }

    /// Resumes the stream of request `id` with `GET` and `Last-Event-ID` until its response
    /// arrives.
    async fn resume(
        &self,
        id: &RequestId,
        mut parser: SseParser,
        cancelled: &CancellationToken,
    ) -> Result<(), RequestError> {
        let mut failures = 0;
        loop {
            if cancelled.is_cancelled() || !self.engine.peer().is_pending(id) {
                return Ok(());
            }
            let Some(last) = parser.last_event_id().map(str::to_owned) else {
                return Err(RequestError::Transport(
                    "the server closed the response stream before answering, with no event id \
                     to resume it from"
                        .into(),
                ));
            };
            if failures >= MAX_RECONNECTS {
                return Err(RequestError::Transport(format!(
                    "the response stream could not be resumed ({MAX_RECONNECTS} attempts)"
                )));
            }
            let delay = parser.retry().unwrap_or(DEFAULT_RETRY);
            tracing::debug!(%id, last_event_id = %last, ?delay, "resuming a response stream");
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = cancelled.cancelled() => return Ok(()),
            }
            match self
                .send(Method::GET, None, Headers::Session, Some(&last))
                .await
            {
                Ok((response, _))
                    if response.status().is_success() && media_type(response.headers()) == SSE =>
                {
                    parser.restart();
                    let answered = self
                        .read_stream(response.into_body(), &mut parser, Some((id, false)))
                        .await;
                    if answered {
                        return Ok(());
                    }
                    if parser.last_event_id() == Some(last.as_str()) {
                        failures += 1;
                    } else {
                        failures = 0;
                    }
                }
                Ok((response, _)) if response.status().is_client_error() => {
                    let status = response.status();
                    let detail = error_detail(response).await;
                    return Err(RequestError::Transport(format!(
                        "the server refused to resume the response stream: HTTP {status}{detail}"
                    )));
                }
                Ok((response, _)) => {
                    tracing::debug!(status = %response.status(), "resuming a stream failed");
                    failures += 1;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "resuming a stream failed");
                    failures += 1;
                }
            }
        }
    }

    /// Starts a new session after the server ended `stale` (404): repeats `initialize` without
    /// a session id, adopts the new id and revision, and sends `notifications/initialized`.
    async fn reinitialize(&self, stale: &HeaderValue) -> Result<(), String> {
        let _one_at_a_time = self.reinit.lock().await;
        let initialize = {
            let s = self.session();
            if s.id.as_ref() != Some(stale) {
                // Another request started the new session already.
                return Ok(());
            }
            s.initialize.clone()
        };
        let Some(initialize) = initialize else {
            return Err(
                "the server ended the session (404), and there is no initialize to repeat".into(),
            );
        };
        tracing::info!(url = %self.uri, "the server ended the session (404); starting a new one");
        let id = OutgoingProbe::of(&initialize)
            .id
            .unwrap_or(RequestId::Number(0));
        let (response, _) = self
            .send(Method::POST, Some(initialize), Headers::Initialize, None)
            .await?;
        let status = response.status();
        if !status.is_success() {
            let detail = error_detail(response).await;
            return Err(format!(
                "starting a new session failed: HTTP {status}{detail}"
            ));
        }
        let session_id = response.headers().get(SESSION_ID).cloned();
        let answer = self.read_answer(response, &id).await?;
        let version = answers(&answer, &id)
            .1
            .and_then(|v| HeaderValue::try_from(v).ok());
        {
            let mut s = self.session();
            s.id = session_id;
            s.protocol_version = version;
        }
        let initialized =
            jsonrpc::encode_notification::<()>(names::NOTIFICATIONS_INITIALIZED, None);
        let (response, _) = self
            .send(
                Method::POST,
                Some(initialized.into()),
                Headers::Session,
                None,
            )
            .await?;
        if !response.status().is_success() {
            tracing::warn!(status = %response.status(), "the new session refused notifications/initialized");
        }
        self.generation.send_modify(|g| *g += 1);
        Ok(())
    }

    /// The message answering `id` in a response, JSON or SSE (other messages are dropped).
    async fn read_answer(
        &self,
        response: Response<Incoming>,
        id: &RequestId,
    ) -> Result<Bytes, String> {
        if media_type(response.headers()) != SSE {
            return read_limited(response.into_body(), self.max_message_size).await;
        }
        let mut body = response.into_body();
        let mut parser = SseParser::new(self.max_message_size);
        let mut events = Vec::new();
        let read = async {
            while let Some(frame) = body.frame().await {
                let Ok(data) = frame.map_err(|e| describe(&e))?.into_data() else {
                    continue;
                };
                parser.push(&data, &mut events);
                if let Some(event) = events.drain(..).find(|e| answers(e.data.as_bytes(), id).0) {
                    return Ok(Bytes::from(event.data));
                }
            }
            Err("the stream ended before the response".to_owned())
        };
        tokio::time::timeout(POST_TIMEOUT, read)
            .await
            .map_err(|_| "no response in time".to_owned())?
    }

    /// Keeps the standalone stream open for the server's own messages: reopens it after the
    /// `retry` delay when it ends (with `Last-Event-ID`), waits for a new session after a 404,
    /// and stops for good on 405 (the server offers none) or another refusal.
    async fn standalone(self: Arc<Self>, ready: oneshot::Sender<()>) {
        let mut ready = Some(ready);
        let mut signal_ready = || {
            if let Some(tx) = ready.take() {
                let _ = tx.send(());
            }
        };
        let mut generation = self.generation.subscribe();
        let mut parser = SseParser::new(self.max_message_size);
        let mut failures = 0;
        loop {
            generation.borrow_and_update();
            let last = parser.last_event_id().map(str::to_owned);
            let sent = tokio::select! {
                sent = self.send(Method::GET, None, Headers::Session, last.as_deref()) => sent,
                () = self.shutdown.cancelled() => return,
            };
            match sent {
                Ok((response, _))
                    if response.status().is_success() && media_type(response.headers()) == SSE =>
                {
                    signal_ready();
                    failures = 0;
                    parser.restart();
                    self.read_stream(response.into_body(), &mut parser, None)
                        .await;
                }
                Ok((response, _)) if response.status() == StatusCode::NOT_FOUND => {
                    signal_ready();
                    // The session ended; wait until a request starts a new one.
                    tokio::select! {
                        changed = generation.changed() => if changed.is_err() { return },
                        () = self.shutdown.cancelled() => return,
                    }
                    parser = SseParser::new(self.max_message_size);
                    continue;
                }
                Ok((response, _)) if !response.status().is_server_error() => {
                    signal_ready();
                    let status = response.status();
                    if status == StatusCode::METHOD_NOT_ALLOWED {
                        tracing::debug!("the server offers no standalone SSE stream (405)");
                    } else {
                        let detail = error_detail(response).await;
                        tracing::debug!(%status, %detail, "the server refused the standalone SSE stream");
                    }
                    return;
                }
                Ok((response, _)) => {
                    signal_ready();
                    failures += 1;
                    tracing::debug!(status = %response.status(), "opening the standalone SSE stream failed");
                }
                Err(e) => {
                    signal_ready();
                    failures += 1;
                    tracing::debug!(error = %e, "opening the standalone SSE stream failed");
                }
            }
            if failures > MAX_RECONNECTS {
                tracing::warn!("giving up on the standalone SSE stream");
                return;
            }
            let delay = parser.retry().unwrap_or(DEFAULT_RETRY);
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.shutdown.cancelled() => return,
            }
        }
    }

    /// Ends the session with `DELETE` (a 405 means the server does not allow it).
    async fn delete_session(&self) {
        let (id, version) = {
            let mut s = self.session();
            (s.id.take(), s.protocol_version.clone())
        };
        let Some(id) = id else { return };
        let mut builder = Request::builder()
            .method(Method::DELETE)
            .uri(self.uri.clone())
            .header(SESSION_ID, id);
        if let Some(version) = version {
            builder = builder.header(PROTOCOL_VERSION, version);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let Ok(request) = builder.body(Full::new(Bytes::new())) else {
            return;
        };
        match self.client.request(request).await {
            Ok(response) => {
                tracing::debug!(status = %response.status(), "deleted the session");
            }
            Err(e) => tracing::debug!(error = %describe(&e), "deleting the session failed"),
        }
    }
}

/// A short explanation taken from an error response's body: the message of a JSON-RPC error,
/// or the text.
async fn error_detail(response: Response<Incoming>) -> String {
    let Ok(body) = read_limited(response.into_body(), MAX_ERROR_BODY).await else {
        return String::new();
    };
    if let Some(err) = json_rpc_error(&body) {
        return format!(": {}", err.message);
    }
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {}", text.chars().take(200).collect::<String>())
    }
}

/// The error of a JSON-RPC error response.
fn json_rpc_error(body: &[u8]) -> Option<McpError> {
    #[derive(Deserialize)]
    struct ErrorResponse {
        error: McpError,
    }
    serde_json::from_slice::<ErrorResponse>(body)
        .ok()
        .map(|r| r.error)
}

/// The error for a request that got an HTTP error status: the server's JSON-RPC error if the
/// body holds one, else the status and body.
async fn http_failure(response: Response<Incoming>) -> RequestError {
    let status = response.status();
    let challenge = response
        .headers()
        .get(http::header::WWW_AUTHENTICATE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = read_limited(response.into_body(), MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        // An authorization failure is the transport's, whatever the body says.
        let why = json_rpc_error(&body).map_or_else(
            || {
                String::from_utf8_lossy(&body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect()
            },
            |e| e.message,
        );
        let hint = if status == StatusCode::UNAUTHORIZED {
            " (the server needs a valid bearer token)"
        } else {
            " (the token lacks a permission the server requires)"
        };
        let challenge = challenge.map_or_else(String::new, |c| format!("; WWW-Authenticate: {c}"));
        return RequestError::Transport(format!(
            "the server answered HTTP {status}{hint}: {why}{challenge}"
        ));
    }
    if let Some(err) = json_rpc_error(&body) {
        return RequestError::Remote(err);
    }
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    let detail = if text.is_empty() {
        String::new()
    } else {
        format!(": {}", text.chars().take(200).collect::<String>())
    };
    RequestError::Transport(format!("the server answered HTTP {status}{detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(parse_url("http://127.0.0.1:8080/mcp").is_ok());
        assert!(parse_url("http://localhost/mcp").is_ok());
        let err = parse_url("https://example.com/mcp").unwrap_err();
        assert!(err.contains("TLS"), "{err}");
        assert!(parse_url("ftp://example.com/").is_err());
        assert!(parse_url("/mcp").is_err());
        assert!(parse_url("not a url").is_err());
    }

    #[test]
    fn headers() {
        let ok = parse_headers(&[("Authorization".into(), "Bearer x".into())]).unwrap();
        assert_eq!(ok[0].0, "authorization");
        assert!(parse_headers(&[("bad name".into(), "x".into())]).is_err());
        assert!(parse_headers(&[("x-ok".into(), "bad\nvalue".into())]).is_err());
    }

    #[test]
    fn recognises_the_answer_and_the_revision() {
        let id = RequestId::Number(1);
        let init = br#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-03-26","capabilities":{}}}"#;
        assert_eq!(answers(init, &id), (true, Some("2025-03-26".into())));
        let error = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"no"}}"#;
        assert_eq!(answers(error, &id), (true, None));
        let other = br#"{"jsonrpc":"2.0","id":2,"result":{}}"#;
        assert!(!answers(other, &id).0);
        let request = br#"{"jsonrpc":"2.0","id":1,"method":"roots/list"}"#;
        assert!(
            !answers(request, &id).0,
            "a server request with the same id"
        );
        let progress = br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}"#;
        assert!(!answers(progress, &id).0);
    }

    #[test]
    fn probes_outgoing_messages() {
        let cancel = br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"timeout"}}"#;
        let p = OutgoingProbe::of(cancel);
        assert_eq!(p.method.as_deref(), Some("notifications/cancelled"));
        assert_eq!(cancelled_request(cancel), Some(RequestId::Number(7)));
        let call =
            br#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"requestId":[1]}}"#;
        let p = OutgoingProbe::of(call);
        assert_eq!(p.id, Some(RequestId::String("a".into())));
    }
}
