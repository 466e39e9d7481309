//! Lifespans: code that runs before the server answers its first request, provides shared
//! state, and cleans up exactly once at shutdown.
//!
//! One [`Lifecycle`] drives them for every transport (stdio, any byte stream, Streamable HTTP):
//! [`Lifecycle::run`] starts them in registration order, checks that every piece of state a
//! handler needs was provided, serves, and then shuts them down in reverse order.

use std::any::{Any, type_name};
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use mcp_core::peer::{BoxFuture, panic_message};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::server::{ServerHandle, ServerShared};

/// The handle a lifespan receives: it provides shared state to handlers and waits, in
/// [`running`](Lifespan::running), while the server runs.
///
/// Register a lifespan with [`Server::lifespan`](crate::Server::lifespan), or write it as an
/// `async fn` annotated with [`#[lifespan]`](macro@crate::lifespan):
///
/// ```no_run
/// use mcp_server::prelude::*;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// #[derive(Default)]
/// struct Stats {
///     calls: AtomicU64,
/// }
///
/// #[lifespan]
/// async fn stats(server: Lifespan) -> anyhow::Result<()> {
///     // Startup: runs before the server answers any request.
///     server.provide(Stats::default());
///     // The server runs here.
///     server.running().await;
///     // Shutdown: runs once, after in-flight requests ended.
///     let calls = server.state::<Stats>().map_or(0, |s| s.calls.load(Ordering::Relaxed));
///     eprintln!("served {calls} calls");
///     Ok(())
/// }
///
/// #[tool]
/// async fn hello(stats: State<Stats>) -> String {
///     stats.calls.fetch_add(1, Ordering::Relaxed);
///     "hello".into()
/// }
///
/// #[tokio::main]
/// async fn main() -> anyhow::Result<()> {
///     Server::new("demo").lifespan(stats).tool(hello).serve_stdio().await
/// }
/// ```
///
/// # Semantics
///
/// - **Startup.** Lifespans start one after the other, in registration order; each runs until
///   it awaits [`running`](Lifespan::running) before the next one starts (so a later lifespan
///   can use the [`state`](Lifespan::state) an earlier one provided). The transport starts
///   reading only once all have: until then no request is answered, `ping` included.
/// - **Startup failure.** A lifespan that returns `Err` (or panics) before reaching
///   `running()` stops the startup: the lifespans already started are shut down in reverse
///   order, nothing is served, and `serve_*` returns the error (so `main` exits non-zero with
///   it). A lifespan that returns `Ok` before `running()` simply has nothing to clean up.
/// - **Missing state.** Once all lifespans started, every `State<T>` a registered tool takes
///   must have been provided (here or with [`Server::state`](crate::Server::state)); otherwise
///   the startup fails with an error naming the tool and the type.
/// - **Shutdown** begins on end of input (stdio), SIGINT or SIGTERM (`serve_stdio`,
///   `serve_http`), or [`ServerHandle::shutdown`]. In-flight requests are cancelled and given
///   [`ServerConfig::shutdown_grace`](crate::ServerConfig::shutdown_grace) to finish; then
///   `running()` returns in each lifespan, in reverse registration order, each one's shutdown
///   code finishing before the previous lifespan's is released. A second signal exits at once.
/// - **Errors after startup.** A lifespan that fails while the server runs stops the server;
///   an error in shutdown code is logged, the other lifespans still shut down, and `serve_*`
///   returns the first such error.
pub struct Lifespan {
    inner: Arc<Inner>,
}

struct Inner {
    name: Arc<str>,
    shared: Arc<ServerShared>,
    /// Taken (and fired) by the first call of `running()`.
    ready: Mutex<Option<oneshot::Sender<()>>>,
    /// Cancelled when this lifespan's shutdown code may run.
    release: CancellationToken,
}

impl Inner {
    fn reached_running(&self) -> bool {
        lock(&self.ready).is_none()
    }
}

impl fmt::Debug for Lifespan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lifespan")
            .field("name", &self.inner.name)
            .field("running", &self.inner.reached_running())
            .finish_non_exhaustive()
    }
}

impl Lifespan {
    /// Makes `value` reachable from handlers as `State<T>` or `ctx.state::<T>()`, and from later
    /// lifespans as [`Lifespan::state`]. Providing a type twice replaces the earlier value (and
    /// logs a warning).
    pub fn provide<T: Send + Sync + 'static>(&self, value: T) {
        self.provide_arc(Arc::new(value));
    }

    /// Like [`provide`](Lifespan::provide), for a value already in an `Arc` (keep a clone to use
    /// it in the shutdown code).
    pub fn provide_arc<T: Send + Sync + 'static>(&self, value: Arc<T>) {
        let state = &self.inner.shared.state;
        if state.get::<T>().is_some() {
            tracing::warn!(
                lifespan = %self.inner.name,
                state = type_name::<T>(),
                "state of this type was already provided; the new value replaces it"
            );
        }
        state.insert_arc(value);
    }

    /// The state of type `T`, if it was provided (by an earlier lifespan, this one, or
    /// [`Server::state`](crate::Server::state)).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.inner.shared.state.get::<T>()
    }

    /// Marks the end of the startup code, then waits while the server runs: it returns when
    /// this lifespan's shutdown code may run (after in-flight requests ended, and after every
    /// lifespan registered later finished its own shutdown code).
    ///
    /// Await it in the lifespan function itself: the lifecycle waits for the function to reach
    /// it (or return) before it starts the next lifespan.
    pub async fn running(&self) {
        let ready = lock(&self.inner.ready).take();
        if let Some(ready) = ready {
            let _ = ready.send(());
        }
        self.inner.release.cancelled().await;
    }

    /// Whether the shutdown code may run (`running()` would return at once).
    pub fn is_released(&self) -> bool {
        self.inner.release.is_cancelled()
    }

    /// A handle to stop the server, e.g. from a background task the lifespan started.
    pub fn server_handle(&self) -> ServerHandle {
        self.inner.shared.handle.clone()
    }

    /// The lifespan's name in logs and errors: its function's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }
}

/// What a lifespan's future resolves to.
#[doc(hidden)]
pub type LifespanOutput = anyhow::Result<()>;

/// The parameter of a `#[lifespan]` function: only [`Lifespan`].
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the parameter of a lifespan",
    label = "expected `Lifespan`",
    note = "a lifespan takes one parameter, `server: Lifespan`: the handle to `provide` state and await `running()`"
)]
pub trait LifespanParam: Sized {
    /// The conversion.
    fn from_lifespan(lifespan: Lifespan) -> Self;
}

impl LifespanParam for Lifespan {
    fn from_lifespan(lifespan: Lifespan) -> Self {
        lifespan
    }
}

/// The return type of a `#[lifespan]` function: `Result<(), E>` with `E: Into<anyhow::Error>`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the return type of a lifespan",
    label = "expected `anyhow::Result<()>`",
    note = "a lifespan returns `anyhow::Result<()>`, or `Result<(), E>` where `E` converts into `anyhow::Error` (any `std::error::Error + Send + Sync + 'static`)"
)]
pub trait LifespanResult {
    /// The conversion.
    fn into_lifespan_result(self) -> LifespanOutput;
}

#[diagnostic::do_not_recommend]
impl<E: Into<anyhow::Error>> LifespanResult for Result<(), E> {
    fn into_lifespan_result(self) -> LifespanOutput {
        self.map_err(Into::into)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type StartFn = Box<dyn FnOnce(Lifespan) -> BoxFuture<'static, anyhow::Result<()>> + Send>;

struct Registered {
    name: Arc<str>,
    start: StartFn,
}

/// The lifespans of one server, in registration order, and how to run them.
#[derive(Default)]
pub(crate) struct Lifecycle {
    registered: Vec<Registered>,
}

impl fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.registered.iter().map(|r| &r.name))
            .finish()
    }
}

impl Lifecycle {
    /// Registers a lifespan after the others.
    pub(crate) fn push<F, Fut>(&mut self, f: F)
    where
        F: FnOnce(Lifespan) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.registered.push(Registered {
            name: display_name(type_name::<F>()).into(),
            start: Box::new(move |lifespan| Box::pin(f(lifespan))),
        });
    }

    #[cfg(feature = "http")]
    pub(crate) fn is_empty(&self) -> bool {
        self.registered.is_empty()
    }

    /// The whole life of a server: starts the lifespans, checks the state handlers need, runs
    /// `serve` (unless shutdown was requested during startup), marks the server as shutting
    /// down, and shuts the lifespans down. `serve` must end only after in-flight requests ended.
    ///
    /// Returns the startup error, else the first error of `serve` or of the shutdown code.
    pub(crate) async fn run<Fut>(self, shared: &Arc<ServerShared>, serve: Fut) -> anyhow::Result<()>
    where
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let started = self.start(shared).await?;
        if let Err(e) = check_required_state(shared) {
            if let Err(shutdown) = started.shutdown().await {
                tracing::debug!(error = %format!("{shutdown:#}"), "shutdown after a failed startup failed too");
            }
            return Err(e);
        }
        let served = if shared.shutdown.is_cancelled() {
            tracing::info!("shutdown requested during startup; not serving");
            Ok(())
        } else {
            serve.await
        };
        // Transports that end on their own (end of input) mark the server as stopping too.
        shared.shutdown.cancel();
        let stopped = started.shutdown().await;
        served.and(stopped)
    }

    /// Starts every lifespan in registration order, each up to its `running()`. Stops early,
    /// without error, when the server's shutdown is requested (the lifespan starting then is
    /// dropped). On a startup failure, shuts down those already started and returns the error.
    pub(crate) async fn start(self, shared: &Arc<ServerShared>) -> anyhow::Result<Started> {
        let mut started = Started {
            running: Vec::new(),
        };
        let stop = shared.shutdown.clone();
        for Registered { name, start } in self.registered {
            let (ready_tx, ready_rx) = oneshot::channel();
            let release = CancellationToken::new();
            let inner = Arc::new(Inner {
                name: name.clone(),
                shared: shared.clone(),
                ready: Mutex::new(Some(ready_tx)),
                release: release.clone(),
            });
            let handle = Lifespan {
                inner: inner.clone(),
            };
            tracing::debug!(lifespan = %name, "starting lifespan");
            let task = mcp_core::rt::spawn(run_lifespan(inner, start, handle));
            started.running.push(Running {
                name: name.clone(),
                release,
                task: Some(task),
            });
            let entry = started.running.last_mut().expect("just pushed");
            let task = entry.task.as_mut().expect("just spawned");
            // Progress first: a lifespan that reached `running()` as the shutdown was requested
            // counts as started, so its shutdown code runs.
            tokio::select! {
                biased;
                ready = ready_rx => {
                    if ready.is_ok() {
                        tracing::debug!(lifespan = %name, "lifespan started");
                        continue;
                    }
                    // The handle was dropped without `running()`: the task has ended or ends now.
                    let result = join(&name, task).await;
                    started.running.pop();
                    started.finished_early(&name, result).await?;
                }
                result = &mut *task => {
                    let result = flatten(&name, result);
                    started.running.pop();
                    started.finished_early(&name, result).await?;
                }
                () = stop.cancelled() => {
                    tracing::info!(lifespan = %name, "shutdown requested during startup; abandoning this lifespan");
                    task.abort();
                    let _ = task.await;
                    started.running.pop();
                    break;
                }
            }
        }
        Ok(started)
    }
}

/// Runs one lifespan's future, turning a panic into an error, and stopping the server when it
/// fails while the server runs.
async fn run_lifespan(inner: Arc<Inner>, start: StartFn, handle: Lifespan) -> anyhow::Result<()> {
    let caught = match std::panic::catch_unwind(AssertUnwindSafe(|| start(handle))) {
        Ok(future) => CatchUnwind(future).await,
        Err(panic) => Err(panic),
    };
    let result = match caught {
        Ok(result) => result,
        Err(panic) => Err(anyhow::anyhow!("panicked: {}", panic_message(&panic))),
    };
    if let Err(e) = &result
        && inner.reached_running()
        && !inner.release.is_cancelled()
    {
        tracing::error!(
            lifespan = %inner.name,
            error = %format!("{e:#}"),
            "a lifespan failed while the server was running; shutting down"
        );
        inner.shared.shutdown.cancel();
    }
    result
}

async fn join(name: &str, task: &mut JoinHandle<anyhow::Result<()>>) -> anyhow::Result<()> {
    flatten(name, task.await)
}

fn flatten(
    name: &str,
    joined: Result<anyhow::Result<()>, tokio::task::JoinError>,
) -> anyhow::Result<()> {
    joined.unwrap_or_else(|e| Err(anyhow::anyhow!("lifespan `{name}` did not complete: {e}")))
}

/// The lifespans that reached `running()`, in registration order.
pub(crate) struct Started {
    running: Vec<Running>,
}

struct Running {
    name: Arc<str>,
    release: CancellationToken,
    /// `None` once awaited.
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl fmt::Debug for Started {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.running.iter().map(|r| &r.name))
            .finish()
    }
}

impl Started {
    /// A lifespan ended before `running()`: fine when it returned `Ok` (nothing to clean up); a
    /// startup failure otherwise, after which the others are shut down.
    async fn finished_early(
        &mut self,
        name: &str,
        result: anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        match result {
            Ok(()) => {
                tracing::debug!(lifespan = %name, "lifespan returned before `running()`: nothing to clean up");
                Ok(())
            }
            Err(e) => {
                // Returned to the caller of `serve_*`, which reports it.
                tracing::debug!(lifespan = %name, error = %format!("{e:#}"), "lifespan failed to start");
                let started = Self {
                    running: std::mem::take(&mut self.running),
                };
                if let Err(shutdown) = started.shutdown().await {
                    tracing::debug!(error = %format!("{shutdown:#}"), "shutdown after a failed startup failed too");
                }
                Err(e.context(format!("lifespan `{name}` failed to start")))
            }
        }
    }

    /// Releases each lifespan's shutdown code in reverse registration order, waiting for each to
    /// finish before releasing the previous one. Returns the first error (all are logged).
    pub(crate) async fn shutdown(mut self) -> anyhow::Result<()> {
        let mut first_error = None;
        while let Some(mut lifespan) = self.running.pop() {
            let name = lifespan.name.clone();
            tracing::debug!(lifespan = %name, "running lifespan shutdown code");
            lifespan.release.cancel();
            let Some(task) = lifespan.task.as_mut() else {
                continue;
            };
            let result = join(&name, task).await;
            lifespan.task = None;
            match result {
                Ok(()) => tracing::debug!(lifespan = %name, "lifespan shut down"),
                Err(e) => {
                    tracing::error!(lifespan = %name, error = %format!("{e:#}"), "lifespan failed");
                    if first_error.is_none() {
                        first_error = Some(e.context(format!("lifespan `{name}` failed")));
                    }
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

impl Drop for Started {
    /// When the server future is dropped instead of shut down, the lifespans still get to run
    /// their shutdown code (on their own tasks, unordered).
    fn drop(&mut self) {
        for lifespan in &self.running {
            lifespan.release.cancel();
        }
    }
}

/// Checks that every `State<T>` a registered handler takes was provided.
fn check_required_state(shared: &ServerShared) -> anyhow::Result<()> {
    let tools = shared.tools();
    let missing: Vec<String> = tools
        .defs
        .iter()
        .flat_map(|def| {
            def.required_state()
                .iter()
                .filter(|ty| !shared.state.contains(**ty))
                .map(move |ty| format!("tool `{}` needs `State<{}>`", def.name(), ty.name()))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "shared state was never provided: {}; provide it with `Server::state(value)` or `provide(value)` in a lifespan",
        missing.join(", ")
    )
}

/// `my_crate::module::open_db` → `open_db`; a closure → `closure in main`.
fn display_name(type_name: &str) -> String {
    let path = type_name.split('<').next().unwrap_or(type_name);
    let mut segments = path.rsplit("::");
    let last = segments.next().unwrap_or(path);
    if last.starts_with('{') {
        match segments.find(|s| !s.starts_with('{')) {
            Some(owner) => format!("closure in {owner}"),
            None => "closure".to_owned(),
        }
    } else {
        last.to_owned()
    }
}

/// Polls a future, turning a panic into an `Err` carrying the panic payload.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let fut = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(fut).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_come_from_the_function() {
        assert_eq!(display_name("app::db::open_database"), "open_database");
        assert_eq!(display_name("app::main::{{closure}}"), "closure in main");
        assert_eq!(display_name("open"), "open");
    }
}
