//! The server builder, its configuration, and serving over stdio.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use mcp_core::codec::DEFAULT_MAX_MESSAGE_SIZE;
use mcp_core::model::{Icon, Implementation, TaskSupport};
use mcp_core::peer::{Engine, StreamEnd, run_stream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

use crate::catalog::Catalog;
use crate::context::StateMap;
use crate::lifespan::{Lifecycle, Lifespan};
use crate::session::Session;
use crate::task::{InMemoryTaskStore, TaskEngine, TaskStore};
use crate::tool::{IntoTool, ToolBox, ToolDef};

/// What the serving methods await: the transport's whole future, boxed in a plain function of
/// this crate.
///
/// rustc hands the body of every `async fn` (a coroutine, which it treats like a closure) to
/// each crate that awaits it, to be compiled there again, together with everything it awaits in
/// turn. Awaited straight from a user's `main`, the stdio or HTTP transport, the engine, hyper's
/// connection code and the lifespans would be compiled once more in every server binary (and
/// again after each edit of a tool). Behind a `dyn Future` made here, the user's crate compiles a
/// call through a vtable, and the transport is compiled once, with this crate.
pub(crate) type BoxedServe =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send>>;

/// Limits and timings of a server. Every field has a sane default.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The largest message accepted (a stdio line, an HTTP body). Default 4 MiB.
    pub max_message_size: usize,
    /// How many requests of one session may run at once. Default 1,024; over stdio the server
    /// stops reading until one finishes.
    pub max_in_flight: usize,
    /// How long a request cancelled by the client may wind down before it is dropped.
    /// Default 500 ms.
    pub cancel_grace: Duration,
    /// How long in-flight requests get to finish at shutdown, before the lifespans' shutdown
    /// code runs. Default 2 s.
    pub shutdown_grace: Duration,
    /// How many items one page of a list holds. Default 100.
    pub page_size: usize,
    /// How many requests to the client (sampling, elicitation, roots) one session may have
    /// awaiting an answer at once. One more fails at once, without being sent: the tool's
    /// `ctx.sample(..)`, `ctx.elicit(..)` or `ctx.roots()` returns a -32603 error "too many
    /// requests are awaiting a response". Default 1,024.
    pub max_pending_outgoing: usize,
    /// The longest a request may run (tool calls, resource reads, prompts, completions; not
    /// `initialize`, `ping` or the list methods, which answer at once). When it elapses the
    /// request is cancelled as a client's `notifications/cancelled` would (`ctx.cancelled()`
    /// fires; the handler gets half of [`ServerConfig::cancel_grace`] to wind down, then it is
    /// dropped) and the client gets a -32603 error "Request timed out: ...". Tasks
    /// (`tools/call` with a `task` field) are answered at once and are not bounded by it.
    /// Default: `None` (no limit).
    pub request_timeout: Option<Duration>,
    /// The longest a task is kept (its `ttl` is the requested one, capped here). Default 1 h.
    pub task_max_ttl: Duration,
    /// The `pollInterval` suggested to clients polling a task. Default 500 ms.
    pub task_poll_interval: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_in_flight: 1024,
            cancel_grace: Duration::from_millis(500),
            shutdown_grace: Duration::from_secs(2),
            page_size: 100,
            max_pending_outgoing: 1024,
            request_timeout: None,
            task_max_ttl: Duration::from_secs(3600),
            task_poll_interval: Duration::from_millis(500),
        }
    }
}

/// Up to this many tools, a lookup by name scans the list instead of hashing.
const LINEAR_LOOKUP_MAX: usize = 8;

/// The registered tools, in registration order, indexed by name.
#[derive(Debug, Default, Clone)]
pub(crate) struct ToolRegistry {
    pub(crate) defs: Vec<ToolDef>,
    index: HashMap<String, usize>,
}

impl ToolRegistry {
    pub(crate) fn insert(&mut self, def: ToolDef) {
        match self.index.get(def.name()) {
            Some(&i) => {
                tracing::warn!(
                    tool = def.name(),
                    "a tool with this name was registered twice; the later one replaces it"
                );
                self.defs[i] = def;
            }
            None => {
                self.index.insert(def.name().to_owned(), self.defs.len());
                self.defs.push(def);
            }
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ToolDef> {
        // Names are unique; comparing a few short strings is cheaper than hashing one.
        if self.defs.len() <= LINEAR_LOOKUP_MAX {
            return self.defs.iter().find(|d| &*d.name == name);
        }
        self.index.get(name).map(|&i| &self.defs[i])
    }

    pub(crate) fn len(&self) -> usize {
        self.defs.len()
    }
}

/// What every session of a server shares.
pub(crate) struct ServerShared {
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    pub(crate) tools: RwLock<Arc<ToolRegistry>>,
    pub(crate) state: StateMap,
    pub(crate) config: ServerConfig,
    pub(crate) shutdown: CancellationToken,
    /// Resources, templates, prompts and live sessions (see `catalog.rs`).
    pub(crate) catalog: Arc<Catalog>,
    /// A handle to this server, for handlers (`ServerHandle` is injectable).
    pub(crate) handle: ServerHandle,
    /// Task records and the tasks running here (see `task.rs`).
    pub(crate) tasks: TaskEngine,
}

impl ServerShared {
    pub(crate) fn tools(&self) -> Arc<ToolRegistry> {
        self.tools.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn has_tools(&self) -> bool {
        self.tools().len() > 0
    }

    /// Whether any tool may run as a task (then the `tasks` capability is advertised).
    pub(crate) fn has_task_tools(&self) -> bool {
        self.tools()
            .defs
            .iter()
            .any(|d| d.tool.task_support() != TaskSupport::Forbidden)
    }
}

/// An MCP server, configured with a builder.
///
/// ```no_run
/// use mcp_server::prelude::*;
///
/// /// Echo the text back.
/// #[tool]
/// async fn echo(text: String) -> String {
///     text
/// }
///
/// #[tokio::main]
/// async fn main() -> anyhow::Result<()> {
///     Server::new("echo").tool(echo).serve_stdio().await
/// }
/// ```
pub struct Server {
    name: String,
    version: Option<String>,
    title: Option<String>,
    icons: Vec<Icon>,
    website_url: Option<String>,
    task_store: Option<Arc<dyn TaskStore>>,
    instructions: Option<String>,
    tools: ToolRegistry,
    state: StateMap,
    config: ServerConfig,
    shutdown: CancellationToken,
    lifecycle: Lifecycle,
    /// Resources, templates and prompts, shared with every `ServerHandle` (see `catalog.rs`).
    pub(crate) catalog: Arc<Catalog>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.name)
            .field(
                "tools",
                &self
                    .tools
                    .defs
                    .iter()
                    .map(ToolDef::name)
                    .collect::<Vec<_>>(),
            )
            .field("lifespans", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server that reports `name` as `serverInfo.name`.
    ///
    /// `serverInfo.version` is the version given to [`Server::version`], or else the version of
    /// the crate that defines the first registered tool (the macros record it), never this
    /// SDK's version.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: None,
            title: None,
            icons: Vec::new(),
            website_url: None,
            task_store: None,
            instructions: None,
            tools: ToolRegistry::default(),
            state: StateMap::default(),
            config: ServerConfig::default(),
            shutdown: CancellationToken::new(),
            lifecycle: Lifecycle::default(),
            catalog: Arc::default(),
        }
    }

    /// Sets `serverInfo.version`.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets `serverInfo.title`, the display name.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds an icon to `serverInfo.icons`.
    #[must_use]
    pub fn icon(mut self, icon: Icon) -> Self {
        self.icons.push(icon);
        self
    }

    /// Sets `serverInfo.websiteUrl`.
    #[must_use]
    pub fn website_url(mut self, url: impl Into<String>) -> Self {
        self.website_url = Some(url.into());
        self
    }

    /// Sets where tasks are kept (default: an [`InMemoryTaskStore`](crate::task::InMemoryTaskStore)).
    /// See [the `task` module](mod@crate::task).
    #[must_use]
    pub fn task_store(mut self, store: impl TaskStore) -> Self {
        self.task_store = Some(Arc::new(store));
        self
    }

    /// Sets the instructions clients may pass to the model (e.g. in a system prompt).
    #[must_use]
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Registers a tool: a function annotated with `#[tool]`, or a [`ToolDef`].
    #[must_use]
    pub fn tool(mut self, tool: impl IntoTool) -> Self {
        self.tools.insert(tool.into_tool());
        self
    }

    /// Registers every `#[tool]` method of a value whose impl block is annotated with `#[tools]`.
    #[must_use]
    pub fn tools<T: ToolBox>(mut self, toolbox: T) -> Self {
        for def in Arc::new(toolbox).tool_defs() {
            self.tools.insert(def);
        }
        self
    }

    /// Provides shared state, reachable from handlers as `State<T>` or `ctx.state::<T>()`.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(self, value: T) -> Self {
        self.state.insert_arc(Arc::new(value));
        self
    }

    /// Registers a lifespan: startup code that runs before the server answers any request, can
    /// [`provide`](Lifespan::provide) state to handlers, and awaits
    /// [`running`](Lifespan::running) while the server runs; the code after it runs once, at
    /// shutdown. Takes a function annotated with [`#[lifespan]`](macro@crate::lifespan) or a
    /// closure:
    ///
    /// ```no_run
    /// use mcp_server::prelude::*;
    ///
    /// struct Greeting(String);
    ///
    /// #[tokio::main]
    /// async fn main() -> anyhow::Result<()> {
    ///     Server::new("demo")
    ///         .lifespan(|server| async move {
    ///             server.provide(Greeting("hello".into()));
    ///             server.running().await;
    ///             eprintln!("cleaned up");
    ///             Ok(())
    ///         })
    ///         .serve_stdio()
    ///         .await
    /// }
    /// ```
    ///
    /// Several lifespans start in registration order (each reaches `running()` before the next
    /// starts) and shut down in reverse order. See [`Lifespan`] for the whole lifecycle, startup
    /// failures included. Lifespans run under `serve_stdio`, `serve_stream` and `serve_http*`;
    /// a service from `into_http_service` does not run them.
    #[must_use]
    pub fn lifespan<F, Fut>(mut self, lifespan: F) -> Self
    where
        F: FnOnce(Lifespan) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.lifecycle.push(lifespan);
        self
    }

    /// Replaces the configuration.
    #[must_use]
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Changes the configuration in place.
    #[must_use]
    pub fn configure(mut self, f: impl FnOnce(&mut ServerConfig)) -> Self {
        f(&mut self.config);
        self
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle::new(self.shutdown.clone(), self.catalog.clone())
    }

    /// The token that stops the server.
    #[cfg(feature = "http")]
    pub(crate) fn handle_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// The shared server state, for a transport that does not run lifespans.
    #[cfg(feature = "http")]
    pub(crate) fn into_shared(self) -> Arc<ServerShared> {
        let (shared, lifecycle) = self.into_parts();
        if !lifecycle.is_empty() {
            tracing::warn!(
                lifespans = ?lifecycle,
                "this server has lifespans, which only `serve_*` runs; they are ignored"
            );
        }
        shared
    }

    /// The shared server state and the lifespans that run around serving it.
    pub(crate) fn into_parts(self) -> (Arc<ServerShared>, Lifecycle) {
        let version = self
            .version
            .or_else(|| {
                self.tools
                    .defs
                    .iter()
                    .find_map(|d| d.crate_version)
                    .or_else(|| self.catalog.crate_version())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "0.0.0".to_owned());
        let mut info = Implementation::new(self.name, version);
        info.title = self.title;
        if !self.icons.is_empty() {
            info.icons = Some(self.icons);
        }
        info.website_url = self.website_url;
        let tasks = TaskEngine::new(
            self.task_store
                .unwrap_or_else(|| Arc::new(InMemoryTaskStore::new())),
            self.config.task_max_ttl,
            self.config.task_poll_interval,
        );
        let shared = Arc::new(ServerShared {
            info,
            instructions: self.instructions,
            tools: RwLock::new(Arc::new(self.tools)),
            state: self.state,
            config: self.config,
            handle: ServerHandle::new(self.shutdown.clone(), self.catalog.clone()),
            shutdown: self.shutdown,
            catalog: self.catalog,
            tasks,
        });
        shared.catalog.attach(&shared);
        (shared, self.lifecycle)
    }

    /// Serves one client over stdin and stdout until stdin closes, SIGINT or SIGTERM arrives,
    /// or [`ServerHandle::shutdown`] is called. In-flight requests are then cancelled and given
    /// [`ServerConfig::shutdown_grace`] to finish, then the lifespans' shutdown code runs. A
    /// second signal exits at once.
    ///
    /// The lifespans start before stdin is read; if one fails, nothing is served and the error
    /// is returned. Nothing but protocol messages is written to stdout; log with `tracing` to
    /// stderr.
    ///
    /// Needs a runtime with I/O enabled (as `#[tokio::main]` sets up): when stdin or stdout is a
    /// pipe or a socket, it is driven by the runtime's reactor in non-blocking mode, and set back
    /// to blocking mode when serving ends.
    pub async fn serve_stdio(self) -> anyhow::Result<()> {
        self.serve_stdio_boxed().await
    }

    #[inline(never)]
    fn serve_stdio_boxed(self) -> BoxedServe {
        Box::pin(self.serve_stdio_inner())
    }

    async fn serve_stdio_inner(self) -> anyhow::Result<()> {
        let shutdown = self.shutdown.clone();
        spawn_signal_watcher(shutdown.clone());
        let (reader, writer) = stdio::open();
        let (shared, lifecycle) = self.into_parts();
        // The connection runs as a task of its own, so that on a multi-threaded runtime the
        // reader, the requests and the writer share a worker instead of the reader staying on
        // the thread that blocks on `main`.
        let conn = {
            let shared = shared.clone();
            async move {
                mcp_core::rt::spawn(async move { serve_connection(&shared, reader, writer).await })
                    .await
                    .unwrap_or_else(|e| {
                        Err(anyhow::anyhow!("the stdio connection task failed: {e}"))
                    })
            }
        };
        lifecycle.run(&shared, conn).await
    }

    /// Serves one client over any byte stream pair (newline-delimited JSON-RPC), until the
    /// input ends or the server is shut down, running the lifespans around it as
    /// [`Server::serve_stdio`] does. Installs no signal handler.
    pub async fn serve_stream<R, W>(self, reader: R, writer: W) -> anyhow::Result<()>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (shared, lifecycle) = self.into_parts();
        lifecycle
            .run(&shared, serve_connection(&shared, reader, writer))
            .await
    }
}

/// Serves one connection until its input ends or the server is shut down; in-flight requests
/// are then cancelled and given the shutdown grace period.
async fn serve_connection<R, W>(
    shared: &Arc<ServerShared>,
    reader: R,
    writer: W,
) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let config = &shared.config;
    let engine_config = crate::limits::engine_config(config);
    let session = Session::new(shared.clone());
    let (engine, outbound) = Engine::new(
        crate::limits::session_handler(session, config),
        engine_config,
    );
    let stop = shared.shutdown.clone();
    let max = config.max_message_size;
    let (end, writer_task) = run_stream(&engine, outbound, reader, writer, max, &stop).await;
    tracing::debug!(?end, "connection ended; shutting down");
    engine.cancel_in_flight();
    engine.drain(shared.config.shutdown_grace).await;
    engine.close();
    let _ = writer_task.await;
    if end == StreamEnd::ReadError {
        anyhow::bail!("reading the input failed");
    }
    Ok(())
}

/// Stdin and stdout for [`Server::serve_stdio`].
///
/// When a stream is a pipe or a socket (a client that spawned the server), it is switched to
/// non-blocking mode and driven by the runtime's reactor: no thread hop per read or write. The
/// original blocking mode is restored when the stream is dropped, so the process can keep using
/// the descriptor afterwards. Anything else (a terminal, a regular file) is never switched: a
/// terminal's mode is shared with the parent shell. Stdin is then read on a thread of its own
/// ([`StdinReader`]) and stdout written through `tokio::io::stdout`.
mod stdio {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    use super::StdinReader;

    pub(super) enum Input {
        #[cfg(unix)]
        Reactor(Nonblocking),
        Thread(StdinReader),
    }

    pub(super) enum Output {
        #[cfg(unix)]
        Reactor(Nonblocking),
        Std(tokio::io::Stdout),
    }

    pub(super) fn open() -> (Input, Output) {
        #[cfg(unix)]
        {
            let input = match Nonblocking::open(Side::Stdin) {
                Some(n) => Input::Reactor(n),
                None => Input::Thread(StdinReader::spawn()),
            };
            let output = match Nonblocking::open(Side::Stdout) {
                Some(n) => Output::Reactor(n),
                None => Output::Std(tokio::io::stdout()),
            };
            (input, output)
        }
        #[cfg(not(unix))]
        {
            (
                Input::Thread(StdinReader::spawn()),
                Output::Std(tokio::io::stdout()),
            )
        }
    }

    #[cfg(unix)]
    #[derive(Clone, Copy)]
    enum Side {
        Stdin,
        Stdout,
    }

    #[cfg(unix)]
    enum Io {
        Receiver(tokio::net::unix::pipe::Receiver),
        Sender(tokio::net::unix::pipe::Sender),
        Socket(tokio::net::UnixStream),
    }

    /// A duplicate of fd 0 or 1 registered with the reactor; restores blocking mode on drop.
    #[cfg(unix)]
    pub(super) struct Nonblocking(Option<Io>);

    #[cfg(unix)]
    impl Nonblocking {
        fn open(side: Side) -> Option<Self> {
            use std::os::fd::AsFd;
            use std::os::unix::fs::FileTypeExt;
            let fd = match side {
                Side::Stdin => io::stdin().as_fd().try_clone_to_owned(),
                Side::Stdout => io::stdout().as_fd().try_clone_to_owned(),
            }
            .ok()?;
            let file = std::fs::File::from(fd);
            let kind = file.metadata().ok()?.file_type();
            let io = if kind.is_fifo() {
                match side {
                    Side::Stdin => {
                        Io::Receiver(tokio::net::unix::pipe::Receiver::from_file(file).ok()?)
                    }
                    Side::Stdout => {
                        Io::Sender(tokio::net::unix::pipe::Sender::from_file(file).ok()?)
                    }
                }
            } else if kind.is_socket() {
                let sock = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(file));
                sock.set_nonblocking(true).ok()?;
                match tokio::net::UnixStream::from_std(sock) {
                    Ok(s) => Io::Socket(s),
                    Err(_) => return None,
                }
            } else {
                return None;
            };
            Some(Self(Some(io)))
        }
    }

    #[cfg(unix)]
    impl Drop for Nonblocking {
        fn drop(&mut self) {
            match self.0.take() {
                Some(Io::Receiver(r)) => drop(r.into_blocking_fd()),
                Some(Io::Sender(s)) => drop(s.into_blocking_fd()),
                Some(Io::Socket(s)) => {
                    if let Ok(s) = s.into_std() {
                        let _ = s.set_nonblocking(false);
                    }
                }
                None => {}
            }
        }
    }

    fn unusable() -> io::Error {
        io::Error::other("stdio stream used in the wrong direction")
    }

    impl AsyncRead for Input {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            match self.get_mut() {
                #[cfg(unix)]
                Input::Reactor(Nonblocking(Some(Io::Receiver(r)))) => {
                    Pin::new(r).poll_read(cx, buf)
                }
                #[cfg(unix)]
                Input::Reactor(Nonblocking(Some(Io::Socket(s)))) => Pin::new(s).poll_read(cx, buf),
                #[cfg(unix)]
                Input::Reactor(_) => Poll::Ready(Err(unusable())),
                Input::Thread(t) => Pin::new(t).poll_read(cx, buf),
            }
        }
    }

    impl AsyncWrite for Output {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            match self.get_mut() {
                #[cfg(unix)]
                Output::Reactor(Nonblocking(Some(Io::Sender(w)))) => {
                    Pin::new(w).poll_write(cx, buf)
                }
                #[cfg(unix)]
                Output::Reactor(Nonblocking(Some(Io::Socket(s)))) => {
                    Pin::new(s).poll_write(cx, buf)
                }
                #[cfg(unix)]
                Output::Reactor(_) => Poll::Ready(Err(unusable())),
                Output::Std(o) => Pin::new(o).poll_write(cx, buf),
            }
        }

        fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            match self.get_mut() {
                #[cfg(unix)]
                Output::Reactor(_) => Poll::Ready(Ok(())),
                Output::Std(o) => Pin::new(o).poll_flush(cx),
            }
        }

        fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            match self.get_mut() {
                // Stdout stays open for the rest of the process; nothing to shut down (as with
                // `tokio::io::stdout`).
                #[cfg(unix)]
                Output::Reactor(_) => Poll::Ready(Ok(())),
                Output::Std(o) => Pin::new(o).poll_shutdown(cx),
            }
        }
    }
}

/// Stdin, read on a thread of its own.
///
/// `tokio::io::stdin` reads on the runtime's blocking pool, and a blocking read cannot be
/// cancelled: after a shutdown by signal (stdin still open), dropping the runtime would wait for
/// the next input line, so the process would not exit. A plain thread does not hold the runtime
/// back; it ends at the next read after the reader is dropped, or with the process.
struct StdinReader {
    chunks: tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    offset: usize,
}

impl StdinReader {
    fn spawn() -> Self {
        let (tx, chunks) = tokio::sync::mpsc::channel(4);
        let spawned = std::thread::Builder::new()
            .name("mcp-stdin".into())
            .spawn(move || {
                use std::io::Read;
                let mut stdin = std::io::stdin().lock();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let chunk = match stdin.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => Ok(buf[..n].to_vec()),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => Err(e),
                    };
                    let failed = chunk.is_err();
                    if tx.blocking_send(chunk).is_err() || failed {
                        break;
                    }
                }
            });
        let chunks = match spawned {
            Ok(_) => chunks,
            Err(e) => {
                // No thread: the failure is the first thing read.
                let (tx, rx) = tokio::sync::mpsc::channel(1);
                let _ = tx.try_send(Err(e));
                rx
            }
        };
        Self {
            chunks,
            pending: Vec::new(),
            offset: 0,
        }
    }
}

impl AsyncRead for StdinReader {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        while self.offset == self.pending.len() {
            match self.chunks.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                // End of input.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                Poll::Ready(Some(Ok(chunk))) => {
                    self.pending = chunk;
                    self.offset = 0;
                }
            }
        }
        let n = buf.remaining().min(self.pending.len() - self.offset);
        let start = self.offset;
        buf.put_slice(&self.pending[start..start + n]);
        self.offset += n;
        Poll::Ready(Ok(()))
    }
}

/// A handle to a running server.
#[derive(Debug, Clone)]
pub struct ServerHandle {
    shutdown: CancellationToken,
    pub(crate) catalog: Arc<Catalog>,
}

impl ServerHandle {
    pub(crate) fn new(shutdown: CancellationToken, catalog: Arc<Catalog>) -> Self {
        Self { shutdown, catalog }
    }

    /// Stops the server: in-flight requests are cancelled and given the shutdown grace period,
    /// then the lifespans' shutdown code runs and `serve_*` returns.
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Whether shutdown was requested.
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.is_cancelled()
    }
}

/// On the first SIGINT or SIGTERM, requests a graceful shutdown; on a second, exits at once.
pub(crate) fn spawn_signal_watcher(shutdown: CancellationToken) {
    mcp_core::rt::spawn(async move {
        let mut count = 0u32;
        loop {
            let code = wait_for_signal().await;
            count += 1;
            if count == 1 {
                tracing::info!("signal received; shutting down (send it again to exit at once)");
                shutdown.cancel();
            } else {
                std::process::exit(code);
            }
        }
    });
}

#[cfg(unix)]
async fn wait_for_signal() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        std::future::pending::<()>().await;
        unreachable!()
    };
    tokio::select! {
        _ = int.recv() => 130,
        _ = term.recv() => 143,
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> i32 {
    let _ = tokio::signal::ctrl_c().await;
    130
}
