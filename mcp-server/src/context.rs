//! The request context and the values a handler can ask for by type.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::Deref;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use mcp_core::model::LoggingLevel;
use mcp_core::peer::{BoxFuture, Peer, RequestContext};
use mcp_core::{JsonObject, McpError, ProgressToken, RequestId};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::session::Session;

/// Everything about the request being handled: progress, cancellation, logging to the client,
/// shared state, and the client itself.
///
/// Ask for it by adding a `ctx: Context` parameter to a tool, resource or prompt function. It is
/// cheap to clone (one reference count).
///
/// ```
/// use mcp_server::prelude::*;
///
/// /// Count to `n`, reporting progress at each step.
/// #[tool]
/// async fn count(ctx: Context, n: u32) -> Result<String, ToolError> {
///     for i in 1..=n {
///         ctx.check_cancelled()?;
///         ctx.progress(i, n).message(format!("step {i}")).await;
///     }
///     ctx.info(format!("counted to {n}")).await;
///     Ok(format!("counted to {n}"))
/// }
/// # let _ = Server::new("doc").tool(count);
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    request: RequestContext,
    session: Arc<Session>,
    progress_token: Option<ProgressToken>,
    meta: Option<JsonObject>,
    last_progress: Mutex<Option<f64>>,
    logger: Option<Arc<str>>,
    /// Set when the request runs as a task: its id and the token that stops its work.
    task: Option<TaskBinding>,
}

#[derive(Clone)]
pub(crate) struct TaskBinding {
    pub(crate) task_id: String,
    pub(crate) token: CancellationToken,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("request_id", self.request_id())
            .field("progress_token", &self.inner.progress_token)
            .finish_non_exhaustive()
    }
}

impl Context {
    pub(crate) fn new(
        request: RequestContext,
        session: Arc<Session>,
        meta: Option<JsonObject>,
        logger: Option<Arc<str>>,
    ) -> Self {
        let progress_token = meta
            .as_ref()
            .and_then(|m| m.get("progressToken"))
            .and_then(|t| serde_json::from_value::<ProgressToken>(t.clone()).ok());
        Self {
            inner: Arc::new(ContextInner {
                request,
                session,
                progress_token,
                meta,
                last_progress: Mutex::new(None),
                logger,
                task: None,
            }),
        }
    }

    /// A context for a request that runs as a task: cancellation follows the task (not the
    /// request, which is already answered), and notifications go out unrelated to the request
    /// but carry the related-task `_meta`.
    pub(crate) fn for_task(
        request: RequestContext,
        session: Arc<Session>,
        meta: Option<JsonObject>,
        task: TaskBinding,
    ) -> Self {
        let mut ctx = Self::new(request, session, meta, None);
        Arc::get_mut(&mut ctx.inner)
            .expect("a fresh context is not shared")
            .task = Some(task);
        ctx
    }

    /// The id of the task this request runs as, if it runs as one.
    pub fn task_id(&self) -> Option<&str> {
        self.inner.task.as_ref().map(|t| t.task_id.as_str())
    }

    /// Reports how a long-running tool is doing: `message` with `progress` out of `total`.
    ///
    /// - In a task (a task-augmented `tools/call`), it sets the task's `statusMessage` and
    ///   `lastUpdatedAt` (what `tasks/get` shows) and sends `notifications/tasks/status`.
    /// - When the request carried a progress token, it also sends `notifications/progress`
    ///   with `message` (as [`Context::progress`] does, so `progress` must increase).
    /// - Outside a task, only the progress part applies (nothing is sent without a token).
    pub async fn report_status(
        &self,
        message: impl Into<String>,
        progress: impl ProgressValue,
        total: impl ProgressValue,
    ) {
        let message = message.into();
        self.set_task_status_message(&message).await;
        self.progress(progress, total).message(message).await;
    }

    /// Like [`Context::report_status`], without progress: only a task's `statusMessage` changes.
    pub async fn report_status_message(&self, message: impl Into<String>) {
        self.set_task_status_message(&message.into()).await;
    }

    async fn set_task_status_message(&self, message: &str) {
        self.update_task(None, Some(message)).await;
    }

    /// Changes the status and/or `statusMessage` of the task this request runs as (nothing
    /// outside a task, or once the task is terminal), and notifies the client.
    pub(crate) async fn update_task(
        &self,
        status: Option<mcp_core::model::TaskStatus>,
        message: Option<&str>,
    ) {
        let Some(task) = &self.inner.task else {
            return;
        };
        let session = &self.inner.session;
        let mut update = crate::task::TaskUpdate::now();
        update.status = status;
        update.status_message = message.map(str::to_owned);
        if let Ok(crate::task::UpdateResult::Updated(t)) = session
            .server()
            .tasks
            .store
            .update(session.task_scope(), &task.task_id, update)
            .await
        {
            session.notify_task_status(&t).await;
        }
    }

    /// In a task, the request of the client that the task's requests to the client travel
    /// with: the newest `tasks/result` request waiting for the task. Over Streamable HTTP this
    /// waits for one (the client polls, sees `input_required` and calls `tasks/result`, as the
    /// specification asks), since a request related to nothing open could be lost; over stdio
    /// it does not wait (`None`: sent on its own). Also `None` when cancelled.
    pub(crate) async fn task_result_stream(&self) -> Option<RequestId> {
        let wait = self
            .inner
            .session
            .task_requests_need_result_stream
            .load(std::sync::atomic::Ordering::Relaxed);
        self.task_result_stream_inner(wait).await
    }

    /// Like [`Context::task_result_stream`], without waiting.
    pub(crate) async fn task_result_stream_now(&self) -> Option<RequestId> {
        self.task_result_stream_inner(false).await
    }

    async fn task_result_stream_inner(&self, wait: bool) -> Option<RequestId> {
        let task = self.inner.task.as_ref()?;
        let session = &self.inner.session;
        let stream =
            session
                .server()
                .tasks
                .result_stream(session.task_scope(), &task.task_id, wait);
        tokio::select! {
            id = stream => id,
            () = self.cancelled() => None,
        }
    }

    /// The related-task `_meta` of messages sent on behalf of the task this request runs as;
    /// `None` outside a task.
    pub(crate) fn related_meta(&self) -> Option<JsonObject> {
        self.inner.task.as_ref().map(|t| {
            let mut meta = JsonObject::new();
            mcp_core::model::RelatedTaskMetadata::new(t.task_id.clone()).insert_into(&mut meta);
            meta
        })
    }

    /// The session this request belongs to.
    pub(crate) fn session(&self) -> &Arc<Session> {
        &self.inner.session
    }

    /// The id of the request being handled.
    pub fn request_id(&self) -> &RequestId {
        self.inner.request.id()
    }

    /// The request's `_meta`, if it had one.
    pub fn meta(&self) -> Option<&JsonObject> {
        self.inner.meta.as_ref()
    }

    /// The progress token the client sent, if it asked for progress.
    pub fn progress_token(&self) -> Option<&ProgressToken> {
        self.inner.progress_token.as_ref()
    }

    /// Reports progress: `done` out of `total`. Chain `.message(..)` to add a message, then
    /// `.await` it. Nothing is sent when the client did not ask for progress, when `done` does
    /// not increase over the last report, or after the response was sent.
    pub fn progress(
        &self,
        done: impl ProgressValue,
        total: impl ProgressValue,
    ) -> ProgressReport<'_> {
        ProgressReport {
            ctx: self,
            progress: done.to_f64(),
            total: Some(total.to_f64()),
            message: None,
        }
    }

    /// Reports progress without a known total.
    pub fn progress_unbounded(&self, done: impl ProgressValue) -> ProgressReport<'_> {
        ProgressReport {
            ctx: self,
            progress: done.to_f64(),
            total: None,
            message: None,
        }
    }

    /// Whether the client cancelled this request (or the connection closed).
    pub fn is_cancelled(&self) -> bool {
        self.cancellation_ref().is_cancelled()
    }

    fn cancellation_ref(&self) -> &CancellationToken {
        match &self.inner.task {
            Some(t) => &t.token,
            None => self.inner.request.cancellation(),
        }
    }

    /// Completes when the request is cancelled.
    pub async fn cancelled(&self) {
        self.cancellation_ref().cancelled().await;
    }

    /// A cooperative cancellation point: `Err(Cancelled)` once the request was cancelled, so
    /// `ctx.check_cancelled()?` ends the tool early.
    pub fn check_cancelled(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// The request's cancellation token (a child of the connection's); in a task, the task's
    /// (cancelled by `tasks/cancel`).
    pub fn cancellation_token(&self) -> CancellationToken {
        self.cancellation_ref().clone()
    }

    /// Sends a log message to the client, if `level` is at or above the level the client set
    /// with `logging/setLevel` (`info` until it sets one).
    pub async fn log(&self, level: LoggingLevel, data: impl Serialize) {
        self.log_as(level, self.inner.logger.as_deref(), data).await;
    }

    async fn log_as(&self, level: LoggingLevel, logger: Option<&str>, data: impl Serialize) {
        if !self.inner.session.log_enabled(level) {
            return;
        }
        let meta = self.related_meta();
        let params = LogParams {
            level,
            logger,
            data,
            meta: meta.as_ref(),
        };
        let bytes = mcp_core::jsonrpc::encode_notification("notifications/message", Some(&params));
        let related = match self.inner.task {
            Some(_) => None,
            None => Some(self.request_id().clone()),
        };
        let _ = self
            .inner
            .request
            .peer()
            .send(bytes, related, mcp_core::peer::OutboundKind::Notification)
            .await;
    }

    /// Whether a log message at `level` would reach the client.
    pub fn log_enabled(&self, level: LoggingLevel) -> bool {
        self.inner.session.log_enabled(level)
    }

    /// Logs at `debug`.
    pub async fn debug(&self, data: impl Serialize) {
        self.log(LoggingLevel::Debug, data).await;
    }

    /// Logs at `info`.
    pub async fn info(&self, data: impl Serialize) {
        self.log(LoggingLevel::Info, data).await;
    }

    /// Logs at `warning`.
    pub async fn warning(&self, data: impl Serialize) {
        self.log(LoggingLevel::Warning, data).await;
    }

    /// Logs at `error`.
    pub async fn error(&self, data: impl Serialize) {
        self.log(LoggingLevel::Error, data).await;
    }

    /// A logger that names itself `name` in the messages it sends.
    pub fn logger(&self, name: impl Into<Arc<str>>) -> Logger {
        Logger {
            ctx: self.clone(),
            name: Some(name.into()),
        }
    }

    /// Shared state of type `T` (provided with [`Server::state`](crate::Server::state) or by a
    /// lifespan). Errors with an internal error naming the type when none was provided.
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, McpError> {
        self.inner
            .session
            .server()
            .state
            .get::<T>()
            .ok_or_else(|| missing_state::<T>())
    }

    /// The client: requests to it (sampling, elicitation, roots) and notifications.
    pub fn peer(&self) -> &Peer {
        self.inner.request.peer()
    }

    /// The protocol revision negotiated with this client.
    pub fn protocol_version(&self) -> mcp_core::version::ProtocolVersion {
        self.inner.session.protocol_version()
    }

    /// What the client declared in `initialize`.
    pub fn client_capabilities(&self) -> Option<mcp_core::model::ClientCapabilities> {
        self.inner.session.client_capabilities()
    }

    /// Name and version of the client.
    pub fn client_info(&self) -> Option<mcp_core::model::Implementation> {
        self.inner.session.client_info()
    }

    /// Who the bearer token belongs to, when the HTTP transport requires one
    /// ([`HttpConfig::auth`](crate::http::HttpConfig::auth)); `None` over stdio or without
    /// authorization. It is what the validator returned for the token that created the session
    /// (in stateless mode: for this request). Every later request of the session is checked again
    /// and must come from the same subject; its scopes are those of the first token.
    #[cfg(feature = "http")]
    pub fn auth(&self) -> Option<&crate::http::AuthInfo> {
        self.inner.session.auth.get()
    }
}

fn missing_state<T>() -> McpError {
    let name = type_name::<T>();
    tracing::error!(
        state = name,
        "a handler asked for state that was never provided"
    );
    McpError::internal(format!("Server state `{name}` was not provided"))
}

#[derive(Serialize)]
struct LogParams<'a, D: Serialize> {
    level: LoggingLevel,
    #[serde(skip_serializing_if = "Option::is_none")]
    logger: Option<&'a str>,
    data: D,
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    meta: Option<&'a JsonObject>,
}

/// A number usable as progress: every integer and float type.
pub trait ProgressValue: Copy {
    /// As `f64`.
    fn to_f64(self) -> f64;
}

macro_rules! progress_values {
    ($($t:ty),*) => {$(
        impl ProgressValue for $t {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn to_f64(self) -> f64 { self as f64 }
        }
    )*};
}
progress_values!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

/// A progress report being built; `.await` sends it.
#[must_use = "progress is sent only when the report is awaited"]
#[derive(Debug)]
pub struct ProgressReport<'a> {
    ctx: &'a Context,
    progress: f64,
    total: Option<f64>,
    message: Option<String>,
}

impl ProgressReport<'_> {
    /// Adds a human-readable message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sends the report; returns whether it was sent.
    pub async fn send(self) -> bool {
        let Some(token) = self.ctx.inner.progress_token.as_ref() else {
            return false;
        };
        if !self.progress.is_finite() {
            return false;
        }
        {
            let mut last = self
                .ctx
                .inner
                .last_progress
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|l| self.progress <= l) {
                return false;
            }
            *last = Some(self.progress);
        }
        let meta = self.ctx.related_meta();
        let params = ProgressParams {
            progress_token: token,
            progress: Num(self.progress),
            total: self.total.map(Num),
            message: self.message.as_deref(),
            meta: meta.as_ref(),
        };
        if self.ctx.inner.task.is_some() {
            // The request was answered with the task; progress goes on for the task's life.
            return self
                .ctx
                .inner
                .request
                .peer()
                .notify("notifications/progress", Some(&params))
                .await
                .is_ok();
        }
        self.ctx
            .inner
            .request
            .notify_related("notifications/progress", &params)
            .await
    }
}

impl<'a> IntoFuture for ProgressReport<'a> {
    type Output = ();
    type IntoFuture = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.send().await;
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProgressParams<'a> {
    progress_token: &'a ProgressToken,
    progress: Num,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    meta: Option<&'a JsonObject>,
}

/// A number serialized as an integer when it is one (`3`, not `3.0`).
#[derive(Clone, Copy)]
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if self.0.fract() == 0.0 && self.0.abs() < EXACT {
            #[allow(clippy::cast_possible_truncation)]
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

/// The error of [`Context::check_cancelled`]: the request was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("request cancelled")]
pub struct Cancelled;

/// A value a handler can take as a parameter, produced from the request [`Context`].
///
/// Implement it for your own types to inject them:
///
/// ```
/// use mcp_server::prelude::*;
///
/// /// The client's name, injected into tools that ask for it.
/// struct ClientName(String);
///
/// impl FromContext for ClientName {
///     fn from_context(ctx: &Context) -> Result<Self, McpError> {
///         Ok(ClientName(ctx.client_info().map(|i| i.name).unwrap_or_default()))
///     }
/// }
///
/// #[tool]
/// async fn hello(client: ClientName) -> String {
///     format!("hello, {}", client.0)
/// }
/// # let _ = Server::new("doc").tool(hello);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be injected into a handler",
    label = "does not implement `FromContext`",
    note = "injectable types: `Context`, `Progress`, `Cancellation`, `Logger`, `RequestMeta`, `State<T>`, `ClientPeer`; \
            implement `mcp_server::FromContext` for your own"
)]
pub trait FromContext: Sized + Send + 'static {
    /// Produces the value; an error is sent to the client as a JSON-RPC error.
    fn from_context(ctx: &Context) -> Result<Self, McpError>;

    /// Adds the shared state this value reads to `required`, so that a server whose handlers
    /// need state nobody provided fails at startup rather than at the first call. [`State<T>`]
    /// declares `T`; the default declares nothing. Declare the state your own extractor reads
    /// with [`StateType::of`].
    fn required_state(required: &mut Vec<StateType>) {
        let _ = required;
    }
}

/// A type of shared state, named for error messages: what a handler needs (see
/// [`FromContext::required_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StateType {
    id: TypeId,
    name: &'static str,
}

impl StateType {
    /// The state type `T` (what `State<T>` and `ctx.state::<T>()` read).
    pub fn of<T: ?Sized + 'static>() -> Self {
        Self {
            id: TypeId::of::<T>(),
            name: type_name::<T>(),
        }
    }

    /// The type's name, as `std::any::type_name` spells it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The type's id.
    pub fn type_id(&self) -> TypeId {
        self.id
    }
}

impl FromContext for Context {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(ctx.clone())
    }
}

/// Progress reporting for the current request; a no-op when the client did not ask for it.
///
/// ```
/// use mcp_server::prelude::*;
///
/// #[tool]
/// async fn work(progress: Progress, steps: u32) -> String {
///     for i in 1..=steps {
///         progress.report(i, steps).await;
///     }
///     "done".into()
/// }
/// # let _ = Server::new("doc").tool(work);
/// ```
#[derive(Clone, Debug)]
pub struct Progress(Context);

impl Progress {
    /// Reports `done` of `total`, with an optional message chained.
    pub fn report(
        &self,
        done: impl ProgressValue,
        total: impl ProgressValue,
    ) -> ProgressReport<'_> {
        self.0.progress(done, total)
    }

    /// Whether the client asked for progress.
    pub fn is_requested(&self) -> bool {
        self.0.progress_token().is_some()
    }
}

impl FromContext for Progress {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(Self(ctx.clone()))
    }
}

/// The current request's cancellation token.
///
/// ```
/// use mcp_server::prelude::*;
///
/// #[tool]
/// async fn wait(cancel: Cancellation) -> &'static str {
///     tokio::select! {
///         () = cancel.cancelled() => "cancelled",
///         () = tokio::time::sleep(std::time::Duration::from_millis(1)) => "done",
///     }
/// }
/// # let _ = Server::new("doc").tool(wait);
/// ```
#[derive(Clone, Debug)]
pub struct Cancellation(pub CancellationToken);

impl Deref for Cancellation {
    type Target = CancellationToken;
    fn deref(&self) -> &CancellationToken {
        &self.0
    }
}

impl FromContext for Cancellation {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(Self(ctx.cancellation_token()))
    }
}

/// Sends log messages to the client (filtered by the level it set).
///
/// ```
/// use mcp_server::prelude::*;
///
/// #[tool]
/// async fn noisy(log: Logger) -> &'static str {
///     log.debug("details").await;
///     log.info("progressing").await;
///     "ok"
/// }
/// # let _ = Server::new("doc").tool(noisy);
/// ```
#[derive(Clone, Debug)]
pub struct Logger {
    ctx: Context,
    name: Option<Arc<str>>,
}

impl Logger {
    /// Sends a message at `level`.
    pub async fn log(&self, level: LoggingLevel, data: impl Serialize) {
        self.ctx
            .log_as(
                level,
                self.name.as_deref().or(self.ctx.inner.logger.as_deref()),
                data,
            )
            .await;
    }

    /// Logs at `debug`.
    pub async fn debug(&self, data: impl Serialize) {
        self.log(LoggingLevel::Debug, data).await;
    }

    /// Logs at `info`.
    pub async fn info(&self, data: impl Serialize) {
        self.log(LoggingLevel::Info, data).await;
    }

    /// Logs at `notice`.
    pub async fn notice(&self, data: impl Serialize) {
        self.log(LoggingLevel::Notice, data).await;
    }

    /// Logs at `warning`.
    pub async fn warning(&self, data: impl Serialize) {
        self.log(LoggingLevel::Warning, data).await;
    }

    /// Logs at `error`.
    pub async fn error(&self, data: impl Serialize) {
        self.log(LoggingLevel::Error, data).await;
    }

    /// The same logger under another name.
    pub fn named(&self, name: impl Into<Arc<str>>) -> Self {
        Self {
            ctx: self.ctx.clone(),
            name: Some(name.into()),
        }
    }
}

impl FromContext for Logger {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(Self {
            ctx: ctx.clone(),
            name: None,
        })
    }
}

/// The request's `_meta` object (empty when it had none).
///
/// ```
/// use mcp_server::prelude::*;
///
/// /// Report which trace the caller attached, if any.
/// #[tool]
/// async fn traced(meta: RequestMeta) -> String {
///     match meta.0.get("com.example/trace-id").and_then(|v| v.as_str()) {
///         Some(id) => format!("trace {id}"),
///         None => "untraced".to_owned(),
///     }
/// }
/// # let _ = Server::new("doc").tool(traced);
/// ```
#[derive(Clone, Debug, Default)]
pub struct RequestMeta(pub JsonObject);

impl FromContext for RequestMeta {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(Self(ctx.meta().cloned().unwrap_or_default()))
    }
}

/// The client, for requests back to it (sampling, elicitation, roots) and notifications.
///
/// ```
/// use mcp_server::prelude::*;
///
/// /// Ask the client to confirm it is alive.
/// #[tool]
/// async fn ping_client(client: ClientPeer) -> Result<String, ToolError> {
///     let options = mcp_server::mcp_core::peer::RequestOptions::new();
///     client.request_raw::<()>("ping", None, options).await?;
///     Ok("the client answered".to_owned())
/// }
/// # let _ = Server::new("doc").tool(ping_client);
/// ```
#[derive(Clone, Debug)]
pub struct ClientPeer(pub Peer);

impl Deref for ClientPeer {
    type Target = Peer;
    fn deref(&self) -> &Peer {
        &self.0
    }
}

impl FromContext for ClientPeer {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(Self(ctx.peer().clone()))
    }
}

/// Shared state of type `T`, provided with [`Server::state`](crate::Server::state) or by a
/// lifespan with `provide`. A handler that asks for state nobody provided fails with an
/// internal error naming the type.
///
/// ```
/// use mcp_server::prelude::*;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// #[derive(Default)]
/// struct Counter {
///     hits: AtomicU64,
/// }
///
/// #[tool]
/// async fn bump(counter: State<Counter>) -> String {
///     (counter.hits.fetch_add(1, Ordering::Relaxed) + 1).to_string()
/// }
/// # let _ = Server::new("doc").state(Counter::default()).tool(bump);
/// ```
pub struct State<T: ?Sized>(pub Arc<T>);

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("State").field(&self.0).finish()
    }
}

impl<T: ?Sized> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Send + Sync + 'static> FromContext for State<T> {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        ctx.state::<T>().map(State)
    }

    fn required_state(required: &mut Vec<StateType>) {
        required.push(StateType::of::<T>());
    }
}

/// A type-keyed map of shared state.
#[derive(Default)]
pub(crate) struct StateMap {
    map: RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateMap").finish_non_exhaustive()
    }
}

impl StateMap {
    pub(crate) fn insert_arc<T: Send + Sync + 'static>(&self, value: Arc<T>) {
        self.map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(TypeId::of::<T>(), value);
    }

    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(&TypeId::of::<T>())
            .cloned()
            .and_then(|v| v.downcast::<T>().ok())
    }

    pub(crate) fn contains(&self, ty: StateType) -> bool {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.contains_key(&ty.type_id())
    }
}

/// A boxed future of a handler.
pub type HandlerFuture<T> = BoxFuture<'static, T>;
