//! One HTTP session: a [`Session`] and its [`Engine`], plus the routing of outgoing messages to
//! the SSE streams and JSON responses that wait for them.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use mcp_core::jsonrpc::{Message, RequestId};
use mcp_core::peer::{Admission, Engine, Outbound, OutboundKind, Refusal};
use mcp_core::version::ProtocolVersion;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::HttpConfig;
use super::body::{Activity, LiveGuard, McpBody, priming_event, sse_event};
use super::event_store::EventStore;
use crate::server::ServerShared;
use crate::session::Session;

/// Where the messages of one incoming request go.
enum Route {
    /// On SSE stream number `n`.
    Sse(u64),
    /// The response completes a JSON reply; other related messages go to the standalone stream.
    Json(oneshot::Sender<Bytes>),
}

/// One SSE stream of the session (a POST's, or the standalone GET stream).
struct StreamState {
    /// The sequence number of the next event (the priming event is 0).
    next_seq: u64,
    /// The connection currently attached, if any.
    live: Option<mpsc::Sender<Bytes>>,
    /// The stream's last message was sent: a resumed connection ends after the replay.
    finished: bool,
}

#[derive(Default)]
struct Routes {
    next_stream: u64,
    by_request: HashMap<RequestId, Route>,
    streams: HashMap<u64, StreamState>,
    standalone: Option<u64>,
    finished: VecDeque<u64>,
}

/// Why a request could not be started.
#[derive(Debug)]
pub(crate) enum StartError {
    /// A request with the same id is in progress.
    DuplicateId,
    /// Too many requests in flight.
    Busy,
    /// The session has just been closed.
    Closed,
}

/// Why a `GET` could not open or resume a stream.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// A standalone stream is already connected.
    Conflict,
    /// The `Last-Event-ID` names no stream this session still knows.
    UnknownEvent,
    /// The session has just been closed.
    Closed,
}

/// The outcome of a request in JSON mode.
pub(crate) enum JsonOutcome {
    /// The response.
    Response(Bytes),
    /// No response will come: the request was cancelled or the session closed.
    NoResponse,
}

pub(crate) struct HttpSession {
    /// The session id (empty in stateless mode).
    pub(crate) id: Arc<str>,
    engine: Engine,
    pub(crate) session: Arc<Session>,
    routes: Mutex<Routes>,
    pub(crate) activity: Arc<Activity>,
    closed: CancellationToken,
    store: Arc<dyn EventStore>,
    config: Arc<HttpConfig>,
    /// Stateless: one request, no resumption; the pump ends after its response.
    ephemeral: bool,
    /// The authenticated subject that created the session; only it may use the session.
    pub(crate) principal: std::sync::OnceLock<Arc<str>>,
}

impl std::fmt::Debug for HttpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSession")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl HttpSession {
    /// Creates a session and starts its pump.
    pub(crate) fn start(
        id: Arc<str>,
        shared: &Arc<ServerShared>,
        config: Arc<HttpConfig>,
        store: Arc<dyn EventStore>,
        ephemeral: bool,
    ) -> Arc<Self> {
        let engine_config = crate::limits::engine_config(&shared.config);
        let session = if ephemeral {
            Session::new_unregistered(shared.clone())
        } else {
            Session::new(shared.clone())
        };
        set_http_flags(&session, ephemeral);
        let (engine, outbound) = Engine::new(
            crate::limits::session_handler(session.clone(), &shared.config),
            engine_config,
        );
        let this = Arc::new(Self {
            id,
            engine,
            session,
            routes: Mutex::new(Routes {
                next_stream: 1,
                ..Routes::default()
            }),
            activity: Activity::new(),
            closed: CancellationToken::new(),
            store,
            config,
            ephemeral,
            principal: std::sync::OnceLock::new(),
        });
        mcp_core::rt::spawn(this.clone().pump(outbound));
        this
    }

    /// Marks the session as initialized at the latest revision (stateless mode).
    pub(crate) fn assume_initialized(&self) {
        self.session.initialized.store(true, Ordering::Release);
    }

    pub(crate) fn is_initialized(&self) -> bool {
        self.session.initialized.load(Ordering::Acquire)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }

    /// Whether events get ids and a priming event (resumable streams).
    fn resumable(&self) -> bool {
        !self.ephemeral
    }

    fn primes(&self) -> bool {
        self.resumable() && self.session.protocol_version() >= ProtocolVersion::V2025_11_25
    }

    async fn pump(self: Arc<Self>, mut outbound: mpsc::Receiver<Outbound>) {
        loop {
            let msg = tokio::select! {
                biased;
                m = outbound.recv() => m,
                () = self.closed.cancelled() => None,
            };
            let Some(msg) = msg else { break };
            if self.route(msg) {
                break;
            }
        }
        // Everything queued before the close has been routed: end the streams.
        self.detach_all();
        if self.resumable() && self.closed.is_cancelled() {
            self.store.remove_session(&self.id);
        }
    }

    /// Routes one outgoing message. Returns whether the pump should stop (an ephemeral
    /// session whose request was answered).
    fn route(&self, out: Outbound) -> bool {
        let bytes = Bytes::from(out.bytes);
        let mut r = lock(&self.routes);
        if let Some(id) = &out.related {
            match r.by_request.get(id) {
                Some(Route::Sse(stream)) => {
                    let stream = *stream;
                    self.emit(&mut r, stream, &bytes);
                    if out.kind == OutboundKind::Response {
                        r.by_request.remove(id);
                        self.finish_stream(&mut r, stream);
                        return self.ephemeral && r.by_request.is_empty();
                    }
                    return false;
                }
                Some(Route::Json(_)) if out.kind == OutboundKind::Response => {
                    if let Some(Route::Json(tx)) = r.by_request.remove(id) {
                        let _ = tx.send(bytes);
                    }
                    return self.ephemeral && r.by_request.is_empty();
                }
                _ => {}
            }
        }
        if out.kind == OutboundKind::Response {
            tracing::debug!(id = ?out.related, "dropping a response no stream waits for");
            return false;
        }
        match r.standalone {
            Some(stream) => self.emit(&mut r, stream, &bytes),
            None => tracing::debug!(
                kind = ?out.kind,
                "dropping a server message: it belongs to no open request stream and no GET stream is open"
            ),
        }
        false
    }

    /// Sends one message as the next event of `stream`: stored for resumption, and written to
    /// the attached connection if there is one.
    fn emit(&self, r: &mut Routes, stream: u64, message: &Bytes) {
        let resumable = self.resumable();
        let Some(st) = r.streams.get_mut(&stream) else {
            return;
        };
        let seq = st.next_seq;
        st.next_seq += 1;
        let event_id = resumable.then(|| format!("{stream}-{seq}"));
        if resumable {
            self.store.store(&self.id, stream, seq, message.clone());
        }
        if let Some(tx) = &st.live {
            match tx.try_send(sse_event(event_id.as_deref(), message)) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(
                        session = %self.id,
                        stream,
                        "SSE client is not reading; detaching it (it can resume with Last-Event-ID)"
                    );
                    st.live = None;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => st.live = None,
            }
        }
    }

    /// Ends a stream: its connection closes after what is buffered; it stays resumable until
    /// enough newer streams finished.
    fn finish_stream(&self, r: &mut Routes, stream: u64) {
        if let Some(st) = r.streams.get_mut(&stream) {
            st.finished = true;
            st.live = None;
        }
        if !self.resumable() {
            r.streams.remove(&stream);
            return;
        }
        r.finished.push_back(stream);
        while r.finished.len() > self.config.max_finished_streams {
            if let Some(old) = r.finished.pop_front() {
                r.streams.remove(&old);
                self.store.remove_stream(&self.id, old);
            }
        }
    }

    fn new_stream(&self, r: &mut Routes) -> (u64, mpsc::Receiver<Bytes>) {
        let stream = r.next_stream;
        r.next_stream += 1;
        let (tx, rx) = mpsc::channel(self.config.stream_buffer.max(1));
        r.streams.insert(
            stream,
            StreamState {
                next_seq: 1,
                live: Some(tx),
                finished: false,
            },
        );
        (stream, rx)
    }

    fn guard(&self) -> LiveGuard {
        LiveGuard::new(&self.activity)
    }

    /// Handles one incoming request whose messages go on a new SSE stream.
    pub(crate) async fn request_sse(
        &self,
        id: RequestId,
        msg: Message<'_>,
    ) -> Result<McpBody, StartError> {
        let (stream, rx) = {
            let mut r = lock(&self.routes);
            // Checked under the lock the pump takes to detach everything once closed.
            if self.closed.is_cancelled() {
                return Err(StartError::Closed);
            }
            if r.by_request.contains_key(&id) {
                return Err(StartError::DuplicateId);
            }
            let (stream, rx) = self.new_stream(&mut r);
            r.by_request.insert(id.clone(), Route::Sse(stream));
            (stream, rx)
        };
        if let Err(Refusal::Busy) = self.engine.handle_message(msg, Admission::Refuse).await {
            let mut r = lock(&self.routes);
            r.by_request.remove(&id);
            r.streams.remove(&stream);
            return Err(StartError::Busy);
        }
        // Most requests are answered while the frame is handled; one yield lets the pump route
        // the answer to the stream first, so that the headers, the priming event and the answer
        // leave in one write instead of two.
        tokio::task::yield_now().await;
        // Decided after the frame was handled: an `initialize` has negotiated the revision by now.
        let prefix = self
            .primes()
            .then(|| priming_event(&format!("{stream}-0"), self.config.sse_retry));
        Ok(McpBody::sse(
            prefix,
            Some(rx),
            self.config.sse_keep_alive,
            Some(self.guard()),
        ))
    }

    /// Handles one incoming request answered with a single JSON response.
    pub(crate) async fn request_json(
        &self,
        id: RequestId,
        msg: Message<'_>,
    ) -> Result<JsonOutcome, StartError> {
        let rx = {
            let mut r = lock(&self.routes);
            // Checked under the lock the pump takes to detach everything once closed.
            if self.closed.is_cancelled() {
                return Err(StartError::Closed);
            }
            if r.by_request.contains_key(&id) {
                return Err(StartError::DuplicateId);
            }
            let (tx, rx) = oneshot::channel();
            r.by_request.insert(id.clone(), Route::Json(tx));
            rx
        };
        if let Err(Refusal::Busy) = self.engine.handle_message(msg, Admission::Refuse).await {
            lock(&self.routes).by_request.remove(&id);
            return Err(StartError::Busy);
        }
        let _guard = self.guard();
        Ok(match rx.await {
            Ok(bytes) => JsonOutcome::Response(bytes),
            Err(_) => JsonOutcome::NoResponse,
        })
    }

    /// Handles a notification or a response from the client.
    pub(crate) async fn message(self: &Arc<Self>, msg: Message<'_>, cancelled: Option<RequestId>) {
        let _ = self.engine.handle_message(msg, Admission::Refuse).await;
        if let Some(id) = cancelled {
            // A cancelled request is never answered: end its stream once it has had its grace
            // period to wind down (it may still send progress until then).
            let this = self.clone();
            let wait =
                self.session.server().config.cancel_grace + std::time::Duration::from_millis(50);
            mcp_core::rt::spawn(async move {
                tokio::time::sleep(wait).await;
                let mut r = lock(&this.routes);
                match r.by_request.remove(&id) {
                    Some(Route::Sse(stream)) => this.finish_stream(&mut r, stream),
                    Some(Route::Json(tx)) => drop(tx),
                    None => {}
                }
            });
        }
    }

    /// Opens the standalone stream (`GET` without `Last-Event-ID`).
    pub(crate) fn open_standalone(&self) -> Result<McpBody, OpenError> {
        let mut r = lock(&self.routes);
        if self.closed.is_cancelled() {
            return Err(OpenError::Closed);
        }
        if let Some(current) = r.standalone {
            let connected = r
                .streams
                .get(&current)
                .and_then(|s| s.live.as_ref())
                .is_some_and(|tx| !tx.is_closed());
            if connected {
                return Err(OpenError::Conflict);
            }
            self.finish_stream(&mut r, current);
        }
        let (stream, rx) = self.new_stream(&mut r);
        r.standalone = Some(stream);
        drop(r);
        let prefix = self
            .primes()
            .then(|| priming_event(&format!("{stream}-0"), self.config.sse_retry));
        Ok(McpBody::sse(
            prefix,
            Some(rx),
            self.config.sse_keep_alive,
            Some(self.guard()),
        ))
    }

    /// Resumes a stream after `last_event_id`: replays what followed it, then goes on with the
    /// stream's remaining messages (none if it has finished). A connection still attached to the
    /// stream is detached.
    pub(crate) fn resume(&self, last_event_id: &str) -> Result<McpBody, OpenError> {
        let (stream, seq) = last_event_id
            .trim()
            .split_once('-')
            .and_then(|(s, q)| Some((s.parse::<u64>().ok()?, q.parse::<u64>().ok()?)))
            .ok_or(OpenError::UnknownEvent)?;
        let mut r = lock(&self.routes);
        if self.closed.is_cancelled() {
            return Err(OpenError::Closed);
        }
        let Some(st) = r.streams.get_mut(&stream) else {
            return Err(OpenError::UnknownEvent);
        };
        if seq >= st.next_seq {
            return Err(OpenError::UnknownEvent);
        }
        let mut prefix = Vec::new();
        for event in self.store.replay_after(&self.id, stream, seq) {
            prefix.extend_from_slice(&sse_event(
                Some(&format!("{stream}-{}", event.seq)),
                &event.message,
            ));
        }
        let rx = if st.finished {
            None
        } else {
            let (tx, rx) = mpsc::channel(self.config.stream_buffer.max(1));
            st.live = Some(tx);
            Some(rx)
        };
        drop(r);
        let keep_alive = self.config.sse_keep_alive;
        Ok(McpBody::sse(
            Some(Bytes::from(prefix)),
            rx,
            keep_alive,
            Some(self.guard()),
        ))
    }

    /// Detaches every connection: open streams end, JSON waiters get no response.
    fn detach_all(&self) {
        let mut r = lock(&self.routes);
        r.by_request.clear();
        for st in r.streams.values_mut() {
            st.live = None;
        }
    }

    /// Ends the session: cancels its work (nothing more is answered); the pump then delivers
    /// what was already queued, ends every stream and forgets the session's events.
    pub(crate) fn close(&self) {
        self.closed.cancel();
        self.engine.close();
    }

    /// Closes the session once the requests it has started were answered (at most 1 s), so
    /// the answer to a failed `initialize` still reaches the client.
    pub(crate) fn close_when_answered(self: &Arc<Self>) {
        let this = self.clone();
        mcp_core::rt::spawn(async move {
            for _ in 0..100 {
                if lock(&this.routes).by_request.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            this.close();
        });
    }

    /// Shutdown, first step: cancel every request (those that finish within the grace period
    /// are still answered).
    pub(crate) fn cancel_in_flight(&self) {
        self.engine.cancel_in_flight();
    }

    /// Shutdown, second step: wait for the requests to finish.
    pub(crate) async fn drain(&self, timeout: std::time::Duration) -> bool {
        self.engine.drain(timeout).await
    }
}

/// A stateless JSON request, served without an [`HttpSession`]: a session, an engine and its
/// queue live for this one request, which reads the engine's output itself until its answer
/// comes (no pump task, no routes, no stream bookkeeping). Other messages (progress, logs) have
/// nowhere to go in JSON mode without a session, and are dropped.
pub(crate) async fn stateless_json(
    shared: &Arc<ServerShared>,
    auth: Option<super::AuthInfo>,
    initialize: bool,
    id: &RequestId,
    msg: Message<'_>,
) -> Result<JsonOutcome, StartError> {
    let session = Session::new_unregistered(shared.clone());
    set_http_flags(&session, true);
    if let Some(info) = auth {
        let _ = session.auth.set(info);
    }
    if !initialize {
        session.initialized.store(true, Ordering::Release);
    }
    let (engine, mut outbound) = Engine::new(
        crate::limits::session_handler(session, &shared.config),
        crate::limits::engine_config(&shared.config),
    );
    if let Err(Refusal::Busy) = engine.handle_message(msg, Admission::Refuse).await {
        return Err(StartError::Busy);
    }
    while let Some(out) = outbound.recv().await {
        if out.kind == OutboundKind::Response && out.related.as_ref() == Some(id) {
            return Ok(JsonOutcome::Response(Bytes::from(out.bytes)));
        }
        tracing::debug!(
            kind = ?out.kind,
            "dropping a server message: a stateless JSON response carries only the answer"
        );
    }
    Ok(JsonOutcome::NoResponse)
}

/// The settings of a session served over HTTP: requests to the client wait for a stream to
/// travel with; for one that lives for one request (`ephemeral`), tasks are off, as nothing
/// could reach one after the response.
fn set_http_flags(session: &Session, ephemeral: bool) {
    session
        .task_requests_need_result_stream
        .store(true, Ordering::Relaxed);
    session
        .tasks_unavailable
        .store(ephemeral, Ordering::Relaxed);
}
