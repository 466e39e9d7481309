//! The duplex JSON-RPC engine shared by servers and clients.
//!
//! An [`Engine`] sits between a transport and a [`Handler`]:
//!
//! - **Incoming requests** are decoded from raw frames and handed to the handler, which either
//!   answers at once ([`Dispatch::Reply`], for cheap methods such as `ping` or `tools/list`) or
//!   returns a future ([`Dispatch::Spawn`]) that runs as its own task, so a slow request never
//!   blocks the others. Each spawned request gets a [`CancellationToken`]; a
//!   `notifications/cancelled` for it cancels the token, and if the request has not finished
//!   within the grace period its future is dropped. A cancelled request never gets a response.
//!   A panic inside a request future becomes a -32603 response with a generic message.
//! - **Outgoing requests** ([`Peer::request_raw`]) get fresh ids and are correlated with their
//!   responses; dropping the future, a timeout, or a cancellation token
//!   ([`RequestOptions::cancel_on`]) sends `notifications/cancelled`. Progress notifications for
//!   them are routed to a per-request callback. Failures are typed ([`RequestError`]): the peer's
//!   error response is told apart from a timeout, a cancellation or a closed connection.
//! - **Outgoing messages** are serialized once by the sender and queued as [`Outbound`] on a
//!   bounded channel that the transport drains; one writer means two messages never
//!   interleave. Each outbound message records the incoming request it belongs to, so a
//!   transport with several streams (Streamable HTTP) can route it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::codec::{Frame, LineReader};
use crate::error::McpError;
use crate::jsonrpc::{self, Decoded, Message, ProgressToken, RawJson, RequestId};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a request handler produces: a serialized result, or a protocol error.
pub type HandlerResult = Result<jsonrpc::EncodedResult, McpError>;

/// Why an outgoing request ([`Peer::request_raw`]) failed.
///
/// Only [`RequestError::Remote`] means the peer answered; every other variant is a local
/// outcome. Server code can propagate it with `?` into an [`McpError`] (the remote error as it
/// is, anything else as an internal error) or, since it is a [`std::error::Error`], into any
/// boxed error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The peer answered with a JSON-RPC error.
    #[error("the peer answered with error {}: {}", .0.code, .0.message)]
    Remote(McpError),
    /// No response arrived within [`RequestOptions::timeout`]; `notifications/cancelled` (reason
    /// `timeout`) was sent, unless [`RequestOptions::no_cancel_notification`] was set.
    #[error("no response within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The connection is closed (before or while waiting for the response).
    #[error("the connection is closed")]
    Closed,
    /// [`EngineConfig::max_pending_outgoing`] requests already await a response.
    #[error("too many requests are awaiting a response")]
    TooManyPending,
    /// The params could not be serialized; nothing was sent.
    #[error("the request params could not be serialized: {0}")]
    Serialize(String),
    /// The token given to [`RequestOptions::cancel_on`] was cancelled; `notifications/cancelled`
    /// with this reason was sent.
    #[error("the request was cancelled: {0}")]
    Cancelled(String),
    /// The transport could not deliver the request or lost its response (for example an HTTP
    /// stream that could not be resumed); reported by the transport through
    /// [`Peer::fail_request`].
    #[error("transport error: {0}")]
    Transport(String),
}

impl RequestError {
    /// The peer's error response, if that is what this is.
    pub fn as_remote(&self) -> Option<&McpError> {
        match self {
            Self::Remote(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RequestError> for McpError {
    /// The peer's error as it is; any local failure as an internal error carrying the message.
    fn from(err: RequestError) -> Self {
        match err {
            RequestError::Remote(e) => e,
            other => McpError::internal(other.to_string()),
        }
    }
}

/// Settings of an [`Engine`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EngineConfig {
    /// How many incoming requests may run at once. When the limit is reached a stream transport
    /// stops reading (backpressure). Default 1,024.
    pub max_in_flight: usize,
    /// How long a cancelled request may keep running to wind down cooperatively before its
    /// future is dropped. Default 500 ms.
    pub cancel_grace: Duration,
    /// Capacity of the outgoing message queue. Default 1,024.
    pub outbound_capacity: usize,
    /// How many outgoing requests may await a response at once. Default 1,024.
    pub max_pending_outgoing: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 1024,
            cancel_grace: Duration::from_millis(500),
            outbound_capacity: 1024,
            max_pending_outgoing: 1024,
        }
    }
}

/// The kind of an outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundKind {
    /// A request to the peer.
    Request,
    /// A notification to the peer.
    Notification,
    /// A response to one of the peer's requests: the last message belonging to that request.
    Response,
}

/// One serialized outgoing message.
#[derive(Debug)]
pub struct Outbound {
    /// The compact JSON of the message, without a newline.
    pub bytes: Vec<u8>,
    /// The incoming request this message belongs to (a response, or progress, logs and requests
    /// issued while handling it), if any.
    pub related: Option<RequestId>,
    /// What kind of message it is.
    pub kind: OutboundKind,
}

/// An incoming request, owned, with its parameters still raw.
#[derive(Debug)]
pub struct IncomingRequest {
    /// The request id.
    pub id: RequestId,
    /// The method (borrowed for the methods the protocol defines, owned for others).
    pub method: Cow<'static, str>,
    /// The raw params object.
    pub params: Option<Box<RawJson>>,
}

/// An incoming notification, owned, with its parameters still raw.
#[derive(Debug)]
pub struct IncomingNotification {
    /// The method (borrowed for the methods the protocol defines, owned for others).
    pub method: Cow<'static, str>,
    /// The raw params object.
    pub params: Option<Box<RawJson>>,
}

/// How a handler answers a request.
pub enum Dispatch {
    /// Answer now, without spawning a task (for cheap, non-blocking methods).
    Reply(HandlerResult),
    /// Run the future as its own task; its output is the response.
    Spawn(BoxFuture<'static, HandlerResult>),
}

impl fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reply(r) => f.debug_tuple("Reply").field(r).finish(),
            Self::Spawn(_) => f.write_str("Spawn(..)"),
        }
    }
}

/// The application side of an [`Engine`]: a server's router or a client's handlers.
pub trait Handler: Send + Sync + 'static {
    /// Handles a request. Called on the reader's task in arrival order, so a handler can update
    /// session state (e.g. `initialize`) before the next message is read.
    fn handle_request(&self, request: IncomingRequest, cx: RequestContext) -> Dispatch;

    /// Handles a notification (never answered). `notifications/cancelled` and
    /// `notifications/progress` for our own requests are consumed by the engine first.
    fn handle_notification(&self, notification: IncomingNotification, peer: &Peer);

    /// Whether JSON-RPC batches (arrays) are allowed now; only revisions 2025-03-26 and earlier
    /// allow them. Default: no.
    fn allow_batch(&self) -> bool {
        false
    }

    /// Whether a `notifications/cancelled` may cancel this request (`initialize` must not be
    /// cancelled). Default: every request may be.
    fn cancellable(&self, method: &str) -> bool {
        method != "initialize"
    }
}

/// Per-request state shared between the request task and everything that sends on its behalf.
#[derive(Debug)]
struct RequestSlot {
    /// Set when the response has been queued (or the request was cancelled): nothing may be
    /// sent on the request's behalf afterwards.
    finished: Mutex<bool>,
    /// Set when the peer cancelled the request: it must not be answered.
    peer_cancelled: std::sync::atomic::AtomicBool,
    /// The request's cancellation token (a child of the connection's), made on first use: most
    /// requests finish on their first poll without anyone asking for it. A request that goes on
    /// running gets it before it can be cancelled (when it is registered as in flight), and a
    /// token made after the connection closed is born cancelled.
    cancel: std::sync::OnceLock<CancellationToken>,
}

/// What a handler gets along with a request: its id, its cancellation token and a way to send
/// messages that belong to it.
#[derive(Clone, Debug)]
pub struct RequestContext {
    id: RequestId,
    peer: Peer,
    slot: Arc<RequestSlot>,
}

impl RequestContext {
    /// The request's id.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// The token cancelled when the peer cancels this request or the connection closes.
    pub fn cancellation(&self) -> &CancellationToken {
        self.slot
            .cancel
            .get_or_init(|| self.peer.inner.root.child_token())
    }

    /// The peer, for requests and notifications back to it.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Sends a notification that belongs to this request (progress, logs). Returns `false`, and
    /// sends nothing, once the request has finished or was cancelled.
    pub async fn notify_related<P: Serialize>(&self, method: &str, params: &P) -> bool {
        let bytes = jsonrpc::encode_notification(method, Some(params));
        let Ok(permit) = self.peer.inner.out.reserve().await else {
            return false;
        };
        let finished = self.slot.finished.lock().unwrap_or_else(|e| e.into_inner());
        if *finished {
            return false;
        }
        permit.send(Outbound {
            bytes,
            related: Some(self.id.clone()),
            kind: OutboundKind::Notification,
        });
        true
    }

    /// Whether the response has been sent (or the request cancelled).
    pub fn is_finished(&self) -> bool {
        *self.slot.finished.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A callback receiving the progress notifications of one outgoing request.
pub type ProgressCallback = Arc<dyn Fn(ProgressUpdate) + Send + Sync>;

/// One progress notification received for an outgoing request.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct ProgressUpdate {
    /// The amount done so far.
    pub progress: f64,
    /// The total, when known.
    #[serde(default)]
    pub total: Option<f64>,
    /// A human-readable message.
    #[serde(default)]
    pub message: Option<String>,
}

/// Options of one outgoing request.
///
/// ```
/// use std::time::Duration;
/// use mcp_core::peer::RequestOptions;
/// use tokio_util::sync::CancellationToken;
///
/// let stop = CancellationToken::new();
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(30))
///     .cancel_on(stop.clone(), "the user pressed Ctrl-C")
///     .on_progress(|update| eprintln!("{} of {:?}", update.progress, update.total));
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// The incoming request on whose behalf this request is sent (routes it on HTTP).
    pub related: Option<RequestId>,
    /// Give up (and send `notifications/cancelled`) after this long.
    pub timeout: Option<Duration>,
    /// Ask for progress (sets `_meta.progressToken`) and receive it here.
    pub on_progress: Option<ProgressCallback>,
    /// Give up when this token is cancelled, sending `notifications/cancelled` with the reason.
    pub cancel_on: Option<(CancellationToken, String)>,
    /// Never send `notifications/cancelled` for this request, whatever ends the wait (the
    /// `initialize` request must not be cancelled).
    pub no_cancel_notification: bool,
}

impl RequestOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the related incoming request.
    #[must_use]
    pub fn related(mut self, id: RequestId) -> Self {
        self.related = Some(id);
        self
    }

    /// Sets the progress callback.
    #[must_use]
    pub fn on_progress(mut self, f: impl Fn(ProgressUpdate) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Gives up when `token` is cancelled: the peer gets `notifications/cancelled` with
    /// `reason`, and the request fails with [`RequestError::Cancelled`]. A token that is already
    /// cancelled fails the request before anything is sent.
    #[must_use]
    pub fn cancel_on(mut self, token: CancellationToken, reason: impl Into<String>) -> Self {
        self.cancel_on = Some((token, reason.into()));
        self
    }

    /// Sends no `notifications/cancelled` when the request is abandoned (dropped, timed out or
    /// cancelled): for `initialize`, which must never be cancelled.
    #[must_use]
    pub fn no_cancel_notification(mut self) -> Self {
        self.no_cancel_notification = true;
        self
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("related", &self.related)
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress.is_some())
            .field(
                "cancel_on",
                &self.cancel_on.as_ref().map(|(_, reason)| reason),
            )
            .field("no_cancel_notification", &self.no_cancel_notification)
            .finish()
    }
}

/// What an outgoing request ends with.
type Outcome = Result<Box<RawValue>, RequestError>;

struct Pending {
    tx: oneshot::Sender<Outcome>,
    progress: Option<ProgressCallback>,
}

struct InFlight {
    cancel: CancellationToken,
    slot: Arc<RequestSlot>,
}

struct PeerInner {
    out: mpsc::Sender<Outbound>,
    next_id: AtomicI64,
    pending: Mutex<HashMap<RequestId, Pending>>,
    in_flight: Mutex<HashMap<RequestId, InFlight>>,
    root: CancellationToken,
    config: EngineConfig,
}

/// A handle to the other side of a connection: send requests and notifications to it.
#[derive(Clone)]
pub struct Peer {
    inner: Arc<PeerInner>,
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Peer {
    /// Sends a request and waits for its response.
    ///
    /// The request gives up, and the peer gets `notifications/cancelled`, when the returned
    /// future is dropped (reason `request dropped`), when [`RequestOptions::timeout`] passes
    /// (reason `timeout`, [`RequestError::Timeout`]) or when the token of
    /// [`RequestOptions::cancel_on`] is cancelled (its reason, [`RequestError::Cancelled`]);
    /// [`RequestOptions::no_cancel_notification`] suppresses the notification. A response that
    /// arrives later is discarded.
    pub async fn request_raw<P: Serialize>(
        &self,
        method: &str,
        params: Option<&P>,
        options: RequestOptions,
    ) -> Result<Box<RawValue>, RequestError> {
        if self.is_closed() {
            return Err(RequestError::Closed);
        }
        if let Some((token, reason)) = &options.cancel_on
            && token.is_cancelled()
        {
            return Err(RequestError::Cancelled(reason.clone()));
        }
        let id = RequestId::Number(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let bytes = encode_outgoing(&id, method, params, options.on_progress.is_some())?;
        let (tx, mut rx) = oneshot::channel();
        {
            let mut pending = lock(&self.inner.pending);
            if pending.len() >= self.inner.config.max_pending_outgoing {
                return Err(RequestError::TooManyPending);
            }
            pending.insert(
                id.clone(),
                Pending {
                    tx,
                    progress: options.on_progress.clone(),
                },
            );
        }
        let mut guard = CancelOnDrop {
            peer: self.clone(),
            id: Some(id.clone()),
            reason: Cow::Borrowed("request dropped"),
            notify: !options.no_cancel_notification,
        };
        let out = Outbound {
            bytes,
            related: options.related.clone(),
            kind: OutboundKind::Request,
        };
        if self.inner.out.send(out).await.is_err() {
            guard.id = None;
            lock(&self.inner.pending).remove(&id);
            return Err(RequestError::Closed);
        }
        let deadline = async {
            match options.timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let cancelled = async {
            match &options.cancel_on {
                Some((token, _)) => token.cancelled().await,
                None => std::future::pending().await,
            }
        };
        let outcome = tokio::select! {
            biased;
            outcome = &mut rx => outcome,
            () = deadline => {
                guard.reason = Cow::Borrowed("timeout");
                drop(guard);
                return Err(RequestError::Timeout(options.timeout.unwrap_or_default()));
            }
            () = cancelled => {
                let reason = options.cancel_on.map(|(_, r)| r).unwrap_or_default();
                guard.reason = Cow::Owned(reason.clone());
                drop(guard);
                return Err(RequestError::Cancelled(reason));
            }
        };
        guard.id = None;
        outcome.unwrap_or(Err(RequestError::Closed))
    }

    /// Fails an outgoing request that still awaits its response with `error`, as if the peer
    /// had answered: for transports that lose a response (an HTTP stream that cannot be
    /// resumed, a refused POST). Returns whether the request was waiting. Sends nothing.
    pub fn fail_request(&self, id: &RequestId, error: RequestError) -> bool {
        let Some(pending) = lock(&self.inner.pending).remove(id) else {
            return false;
        };
        let _ = pending.tx.send(Err(error));
        true
    }

    /// Whether the outgoing request `id` still awaits its response.
    pub fn is_pending(&self, id: &RequestId) -> bool {
        lock(&self.inner.pending).contains_key(id)
    }

    /// Sends a notification.
    pub async fn notify<P: Serialize>(
        &self,
        method: &str,
        params: Option<&P>,
    ) -> Result<(), McpError> {
        self.send(
            jsonrpc::encode_notification(method, params),
            None,
            OutboundKind::Notification,
        )
        .await
    }

    /// Sends a notification without waiting; it is dropped (and `false` returned) when the
    /// outgoing queue is full or the connection is closed. For contexts that cannot wait, such
    /// as a `tracing` layer.
    pub fn try_notify<P: Serialize>(
        &self,
        method: &str,
        params: Option<&P>,
        related: Option<RequestId>,
    ) -> bool {
        let bytes = jsonrpc::encode_notification(method, params);
        self.inner
            .out
            .try_send(Outbound {
                bytes,
                related,
                kind: OutboundKind::Notification,
            })
            .is_ok()
    }

    /// Queues already-serialized bytes.
    pub async fn send(
        &self,
        bytes: Vec<u8>,
        related: Option<RequestId>,
        kind: OutboundKind,
    ) -> Result<(), McpError> {
        self.inner
            .out
            .send(Outbound {
                bytes,
                related,
                kind,
            })
            .await
            .map_err(|_| connection_closed())
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.root.is_cancelled() || self.inner.out.is_closed()
    }

    /// A token cancelled when the connection closes.
    pub fn closed_token(&self) -> &CancellationToken {
        &self.inner.root
    }

    /// How many incoming requests are running now.
    pub fn in_flight(&self) -> usize {
        lock(&self.inner.in_flight).len()
    }

    /// How many outgoing requests await a response now.
    pub fn pending_outgoing(&self) -> usize {
        lock(&self.inner.pending).len()
    }

    fn cancel_outgoing(&self, id: RequestId, reason: &str, notify: bool) {
        if lock(&self.inner.pending).remove(&id).is_none() || !notify {
            return;
        }
        let params = serde_json::json!({ "requestId": id, "reason": reason });
        let bytes = jsonrpc::encode_notification("notifications/cancelled", Some(&params));
        let msg = Outbound {
            bytes,
            related: None,
            kind: OutboundKind::Notification,
        };
        if let Err(mpsc::error::TrySendError::Full(msg)) = self.inner.out.try_send(msg) {
            let out = self.inner.out.clone();
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                crate::rt::spawn_on(&handle, async move {
                    let _ = out.send(msg).await;
                });
            }
        }
    }
}

/// Sends `notifications/cancelled` for a request that is abandoned while still pending.
struct CancelOnDrop {
    peer: Peer,
    id: Option<RequestId>,
    reason: Cow<'static, str>,
    notify: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.peer.cancel_outgoing(id, &self.reason, self.notify);
        }
    }
}

/// Serializes an outgoing request, adding `_meta.progressToken` (the request id) when progress
/// is wanted.
fn encode_outgoing<P: Serialize>(
    id: &RequestId,
    method: &str,
    params: Option<&P>,
    progress: bool,
) -> Result<Vec<u8>, RequestError> {
    let serialize_error = |e: serde_json::Error| RequestError::Serialize(e.to_string());
    if !progress {
        let raw = params
            .map(serde_json::value::to_raw_value)
            .transpose()
            .map_err(serialize_error)?;
        return Ok(jsonrpc::encode_request(id, method, raw.as_ref()));
    }
    let mut value = match params {
        Some(p) => serde_json::to_value(p).map_err(serialize_error)?,
        None => serde_json::Value::Object(Default::default()),
    };
    if let Some(obj) = value.as_object_mut() {
        let meta = obj
            .entry("_meta")
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert(
                "progressToken".into(),
                serde_json::to_value(id).unwrap_or_default(),
            );
        }
    }
    Ok(jsonrpc::encode_request(id, method, Some(&value)))
}

fn connection_closed() -> McpError {
    McpError::internal("Connection closed")
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The engine: decodes incoming frames, dispatches them and tracks requests in both directions.
pub struct Engine {
    peer: Peer,
    handler: Arc<dyn Handler>,
    permits: Arc<Semaphore>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine").field("peer", &self.peer).finish()
    }
}

/// Whether the engine may wait for a free request slot, or must refuse at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Wait for a slot (stream transports: stops reading, which pushes back on the peer).
    Wait,
    /// Refuse with an error when no slot is free (HTTP answers 429).
    Refuse,
}

/// Why a frame was refused before it was processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Too many requests in flight.
    Busy,
}

impl Engine {
    /// Creates an engine and the receiving end of its outgoing queue, which the transport drains.
    pub fn new(
        handler: Arc<dyn Handler>,
        config: EngineConfig,
    ) -> (Self, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(config.outbound_capacity.max(1));
        let permits = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
        let inner = PeerInner {
            out: tx,
            next_id: AtomicI64::new(1),
            pending: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            root: CancellationToken::new(),
            config,
        };
        (
            Self {
                peer: Peer {
                    inner: Arc::new(inner),
                },
                handler,
                permits,
            },
            rx,
        )
    }

    /// The handle to the other side.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Processes one frame (a stdio line or an HTTP body).
    pub async fn handle_frame(&self, frame: &[u8], admission: Admission) -> Result<(), Refusal> {
        match jsonrpc::decode(frame) {
            Ok(Decoded::Single(msg)) => self.handle_message(msg, admission).await,
            Ok(Decoded::Batch(items)) => {
                if self.handler.allow_batch() {
                    self.handle_batch(items).await;
                } else {
                    let err = McpError::invalid_request(
                        "JSON-RPC batches are not supported by this protocol revision",
                    );
                    self.send_error(None, &err).await;
                }
                Ok(())
            }
            Err(e) => {
                self.send_error(e.id.as_ref(), &e.error).await;
                Ok(())
            }
        }
    }

    /// Reports a frame that exceeded the maximum message size.
    pub async fn frame_too_long(&self, len: usize, max: usize) {
        let err = McpError::invalid_request(format!(
            "Message of {len} bytes exceeds the maximum message size of {max} bytes"
        ));
        self.send_error(None, &err).await;
    }

    async fn send_error(&self, id: Option<&RequestId>, error: &McpError) {
        let related = id.cloned();
        let kind = if related.is_some() {
            OutboundKind::Response
        } else {
            OutboundKind::Notification
        };
        let _ = self
            .peer
            .send(jsonrpc::encode_error(id, error), related, kind)
            .await;
    }

    /// Handles one message that is already decoded ([`Engine::handle_frame`] without the
    /// decoding): a transport that reads a message to route it hands it over this way.
    pub async fn handle_message(
        &self,
        msg: Message<'_>,
        admission: Admission,
    ) -> Result<(), Refusal> {
        match msg {
            Message::Response(resp) => {
                self.handle_response(resp);
                Ok(())
            }
            Message::Notification(n) => {
                self.handle_notification(IncomingNotification {
                    method: owned_method(n.method),
                    params: n.params.map(ToOwned::to_owned),
                });
                Ok(())
            }
            Message::Request(req) => {
                let permit = match admission {
                    Admission::Wait => match self.permits.clone().acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return Ok(()),
                    },
                    Admission::Refuse => match self.permits.clone().try_acquire_owned() {
                        Ok(p) => p,
                        Err(_) => return Err(Refusal::Busy),
                    },
                };
                let request = IncomingRequest {
                    id: req.id,
                    method: owned_method(req.method),
                    params: req.params.map(ToOwned::to_owned),
                };
                self.dispatch(request, permit).await;
                Ok(())
            }
        }
    }

    fn handle_response(&self, resp: jsonrpc::Response<'_>) {
        let Some(id) = resp.id else {
            if let Err(e) = resp.outcome {
                tracing::warn!(code = e.code.0, message = %e.message, "peer reported an error without a request id");
            }
            return;
        };
        let Some(pending) = lock(&self.peer.inner.pending).remove(&id) else {
            tracing::debug!(%id, "ignoring a response to an unknown or cancelled request");
            return;
        };
        let _ = pending.tx.send(
            resp.outcome
                .map(ToOwned::to_owned)
                .map_err(RequestError::Remote),
        );
    }

    fn handle_notification(&self, n: IncomingNotification) {
        match n.method.as_ref() {
            "notifications/cancelled" => {
                let Some(id) = n.params.as_deref().and_then(cancelled_request_id) else {
                    return;
                };
                let entry = lock(&self.peer.inner.in_flight)
                    .get(&id)
                    .map(|f| (f.cancel.clone(), f.slot.clone()));
                if let Some((cancel, slot)) = entry {
                    tracing::debug!(%id, "request cancelled by the peer");
                    slot.peer_cancelled.store(true, Ordering::Release);
                    cancel.cancel();
                }
            }
            "notifications/progress" => {
                let Some(params) = n.params.as_deref() else {
                    return;
                };
                #[derive(serde::Deserialize)]
                struct Token {
                    #[serde(rename = "progressToken")]
                    progress_token: ProgressToken,
                }
                let Ok(Token { progress_token }) = serde_json::from_str::<Token>(params.get())
                else {
                    return;
                };
                let callback = lock(&self.peer.inner.pending)
                    .get(&progress_token)
                    .and_then(|p| p.progress.clone());
                match callback {
                    Some(cb) => {
                        if let Ok(update) = serde_json::from_str::<ProgressUpdate>(params.get()) {
                            cb(update);
                        }
                    }
                    None => self.handler.handle_notification(n, &self.peer),
                }
            }
            _ => self.handler.handle_notification(n, &self.peer),
        }
    }

    fn context_for(&self, id: &RequestId) -> RequestContext {
        RequestContext {
            id: id.clone(),
            peer: self.peer.clone(),
            slot: Arc::new(RequestSlot {
                finished: Mutex::new(false),
                peer_cancelled: std::sync::atomic::AtomicBool::new(false),
                cancel: std::sync::OnceLock::new(),
            }),
        }
    }

    async fn dispatch(&self, request: IncomingRequest, permit: tokio::sync::OwnedSemaphorePermit) {
        let id = request.id.clone();
        if lock(&self.peer.inner.in_flight).contains_key(&id) {
            let err = McpError::invalid_request(format!(
                "Request id {id} is already in use by a request in progress"
            ));
            self.send_error(Some(&id), &err).await;
            return;
        }
        let cancellable = self.handler.cancellable(&request.method);
        let cx = self.context_for(&id);
        match self.handler.handle_request(request, cx.clone()) {
            Dispatch::Reply(result) => {
                drop(permit);
                respond(&cx, result).await;
            }
            Dispatch::Spawn(mut fut) => {
                // Most handlers finish without waiting on anything: poll the future once here
                // and spawn a task only if it is still pending. Nothing else can happen to the
                // request meanwhile (the next frame is not read before this returns).
                let first = std::future::poll_fn(|tcx| {
                    Poll::Ready(Pin::new(&mut CatchUnwind(&mut fut)).poll(tcx))
                })
                .await;
                if let Poll::Ready(outcome) = first {
                    drop(permit);
                    finish(&self.peer, &cx, Some(outcome)).await;
                    return;
                }
                if cancellable {
                    lock(&self.peer.inner.in_flight).insert(
                        id.clone(),
                        InFlight {
                            cancel: cx.cancellation().clone(),
                            slot: cx.slot.clone(),
                        },
                    );
                }
                let grace = self.peer.inner.config.cancel_grace;
                let peer = self.peer.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    let outcome = tokio::select! {
                        biased;
                        r = CatchUnwind(fut) => Some(r),
                        () = cancelled_then(cx.cancellation(), grace) => None,
                    };
                    if cancellable {
                        lock(&peer.inner.in_flight).remove(&cx.id);
                    }
                    finish(&peer, &cx, outcome).await;
                });
            }
        }
    }

    async fn handle_batch(&self, items: Vec<&RawValue>) {
        let mut parts: Vec<BoxFuture<'static, Option<Vec<u8>>>> = Vec::new();
        for raw in items {
            match jsonrpc::decode_value(raw) {
                Err(e) => {
                    let bytes = jsonrpc::encode_error(e.id.as_ref(), &e.error);
                    parts.push(Box::pin(async move { Some(bytes) }));
                }
                Ok(Message::Response(r)) => self.handle_response(r),
                Ok(Message::Notification(n)) => self.handle_notification(IncomingNotification {
                    method: owned_method(n.method),
                    params: n.params.map(ToOwned::to_owned),
                }),
                Ok(Message::Request(req)) => {
                    let id = req.id.clone();
                    let cx = self.context_for(&id);
                    let request = IncomingRequest {
                        id: req.id,
                        method: owned_method(req.method),
                        params: req.params.map(ToOwned::to_owned),
                    };
                    let fut: BoxFuture<'static, HandlerResult> =
                        match self.handler.handle_request(request, cx) {
                            Dispatch::Reply(r) => Box::pin(async move { r }),
                            Dispatch::Spawn(f) => f,
                        };
                    parts.push(Box::pin(async move {
                        let result = CatchUnwind(fut)
                            .await
                            .unwrap_or_else(|_| Err(McpError::internal("Internal error")));
                        Some(encode_response(&id, result))
                    }));
                }
            }
        }
        if parts.is_empty() {
            return;
        }
        let peer = self.peer.clone();
        crate::rt::spawn(async move {
            let mut out = b"[".to_vec();
            let mut first = true;
            for part in parts {
                if let Some(bytes) = part.await {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    out.extend_from_slice(&bytes);
                }
            }
            out.push(b']');
            let _ = peer.send(out, None, OutboundKind::Response).await;
        });
    }

    /// Cancels every incoming request in progress (at shutdown). Unlike a cancellation by the
    /// peer, a request that still completes within the grace period is answered.
    pub fn cancel_in_flight(&self) {
        for f in lock(&self.peer.inner.in_flight).values() {
            f.cancel.cancel();
        }
    }

    /// Closes the connection: cancels every incoming request (none will be answered) and fails
    /// every outgoing request that still awaits a response.
    pub fn close(&self) {
        self.peer.inner.root.cancel();
        let pending: Vec<Pending> = lock(&self.peer.inner.pending)
            .drain()
            .map(|(_, p)| p)
            .collect();
        for p in pending {
            let _ = p.tx.send(Err(RequestError::Closed));
        }
    }

    /// Waits until no incoming request is running, or `timeout` passes. Returns whether all
    /// finished.
    pub async fn drain(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.peer.in_flight() == 0
                && self.permits.available_permits() == self.peer.inner.config.max_in_flight.max(1)
            {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn encode_response(id: &RequestId, result: HandlerResult) -> Vec<u8> {
    match result {
        Ok(result) => result.into_response(id),
        Err(e) => jsonrpc::encode_error(Some(id), &e),
    }
}

/// Answers a request whose future ended (`Some`: its output or its panic) or was dropped after
/// the cancellation grace period (`None`: no answer).
async fn finish(
    peer: &Peer,
    cx: &RequestContext,
    outcome: Option<Result<HandlerResult, Box<dyn std::any::Any + Send>>>,
) {
    if cx.slot.peer_cancelled.load(Ordering::Acquire) || peer.inner.root.is_cancelled() {
        // The peer cancelled it, or the connection closed: no response.
        *lock(&cx.slot.finished) = true;
        return;
    }
    let result = match outcome {
        Some(Ok(r)) => r,
        Some(Err(panic)) => {
            tracing::error!(id = %cx.id, panic = %panic_message(&panic), "request handler panicked");
            Err(McpError::internal("Internal error"))
        }
        None => return,
    };
    respond(cx, result).await;
}

async fn respond(cx: &RequestContext, result: HandlerResult) {
    let bytes = encode_response(&cx.id, result);
    let Ok(permit) = cx.peer.inner.out.reserve().await else {
        return;
    };
    let mut finished = lock(&cx.slot.finished);
    if *finished {
        return;
    }
    *finished = true;
    permit.send(Outbound {
        bytes,
        related: Some(cx.id.clone()),
        kind: OutboundKind::Response,
    });
}

async fn cancelled_then(token: &CancellationToken, grace: Duration) {
    token.cancelled().await;
    tokio::time::sleep(grace).await;
}

/// A decoded method name, owned: the protocol's own names without a copy.
fn owned_method(method: Cow<'_, str>) -> Cow<'static, str> {
    match crate::model::static_name(&method) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(method.into_owned()),
    }
}

fn cancelled_request_id(params: &RawJson) -> Option<RequestId> {
    #[derive(serde::Deserialize)]
    struct P {
        #[serde(rename = "requestId")]
        request_id: Option<RequestId>,
    }
    serde_json::from_str::<P>(params.get()).ok()?.request_id
}

/// Polls a future, turning a panic into an `Err` carrying the panic payload.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let fut = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(fut).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// The message of a panic payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Runs an engine over a byte stream pair (stdio, a child process's pipes, a socket): reads
/// newline-delimited frames from `reader` until end of input, and writes outgoing messages to
/// `writer` from a task of its own. Returns why reading stopped, and the writer task: after
/// [`Engine::close`] the writer flushes what is queued and finishes, so awaiting it guarantees
/// every queued response reached the writer.
pub async fn run_stream<R, W>(
    engine: &Engine,
    outbound: mpsc::Receiver<Outbound>,
    reader: R,
    writer: W,
    max_message_size: usize,
    stop: &CancellationToken,
) -> (StreamEnd, tokio::task::JoinHandle<std::io::Result<()>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let closed = engine.peer().closed_token().clone();
    let mut writer_task = crate::rt::spawn(write_loop(outbound, writer, closed.clone()));
    let mut lines = LineReader::new(reader, max_message_size);
    // Created once: a fresh pair of waiters per frame shows up in profiles.
    let closed_wait = closed.cancelled();
    let stop_wait = stop.cancelled();
    tokio::pin!(closed_wait, stop_wait);
    let end = loop {
        let frame = tokio::select! {
            f = lines.next_frame() => f,
            () = &mut closed_wait => break StreamEnd::Closed,
            () = &mut stop_wait => break StreamEnd::Stopped,
            _ = &mut writer_task => {
                writer_task = crate::rt::spawn(async { Ok(()) });
                break StreamEnd::WriteError;
            }
        };
        match frame {
            Ok(Some(Frame::Line(line))) => {
                let _ = engine.handle_frame(line, Admission::Wait).await;
            }
            Ok(Some(Frame::TooLong { len })) => engine.frame_too_long(len, max_message_size).await,
            Ok(None) => break StreamEnd::Eof,
            Err(e) => {
                tracing::warn!(error = %e, "read error; closing the connection");
                break StreamEnd::ReadError;
            }
        }
    };
    (end, writer_task)
}

/// Why [`run_stream`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEnd {
    /// The input ended (the peer closed its side).
    Eof,
    /// The engine was closed.
    Closed,
    /// The `stop` token was cancelled (shutdown requested).
    Stopped,
    /// Reading failed.
    ReadError,
    /// Writing failed (the peer stopped reading).
    WriteError,
}

/// Drains the outgoing queue into `writer`, one message per line, batching whatever is queued
/// into a single write and flush. When `closed` is cancelled it writes what is still queued,
/// shuts the writer down (the peer sees the end of its input, even through a split stream) and
/// returns.
pub async fn write_loop<W: AsyncWrite + Unpin>(
    mut rx: mpsc::Receiver<Outbound>,
    mut writer: W,
    closed: CancellationToken,
) -> std::io::Result<()> {
    let mut batch = Vec::with_capacity(64);
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let n = tokio::select! {
            biased;
            n = rx.recv_many(&mut batch, 256) => n,
            () = closed.cancelled() => {
                while let Ok(msg) = rx.try_recv() {
                    batch.push(msg);
                }
                0
            }
        };
        for msg in batch.drain(..) {
            buf.extend_from_slice(&msg.bytes);
            buf.push(b'\n');
        }
        if !buf.is_empty() {
            writer.write_all(&buf).await?;
            writer.flush().await?;
            buf.clear();
            if buf.capacity() > 1024 * 1024 {
                buf.shrink_to(16 * 1024);
            }
        }
        if n == 0 {
            return writer.shutdown().await;
        }
    }
}
