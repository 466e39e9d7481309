//! [`Client`], [`ClientBuilder`] and [`CallOptions`].

use std::ffi::OsStr;
use std::fmt;
use std::future::Future;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_core::codec::DEFAULT_MAX_MESSAGE_SIZE;
use mcp_core::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, CompleteArgument,
    CompleteRequestParams, CompleteResult, CreateMessageRequestParams, CreateMessageResult,
    ElicitAction, ElicitRequestFormParams, ElicitRequestParams, ElicitRequestURLParams,
    ElicitResult, ElicitValue, GetPromptRequestParams, GetPromptResult, Implementation,
    InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, LoggingLevel, Notification, NotificationParams,
    PaginatedRequestParams, Prompt, ReadResourceRequestParams, ReadResourceResult, Reference,
    Request, RequestParams, Resource, ResourceTemplate, ServerCapabilities, SetLevelRequestParams,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams, method, method_names,
};
use mcp_core::peer::{
    BoxFuture, Engine, EngineConfig, Peer, ProgressUpdate, RequestError, RequestOptions,
};
use mcp_core::version::ProtocolVersion;
use mcp_core::{JsonObject, McpError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;

use crate::connection::Connection;
use crate::error::{ClientError, Result};
use crate::handler::{ClientHandler, NotificationCallback, ServerNotification, request_handler};

/// A progress callback: receives `(progress, total, message)` for each `notifications/progress`
/// the server sends about one call.
pub type ProgressFn = Arc<dyn Fn(f64, Option<f64>, Option<&str>) + Send + Sync>;

/// How much of a server's stderr [`StderrMode::Capture`] keeps (the most recent bytes).
const MAX_CAPTURED_STDERR: usize = 1024 * 1024;

/// How long [`Client::close`] waits for the server process to exit after closing its input.
const EXIT_GRACE: Duration = Duration::from_secs(3);

/// What happens to the standard error of a server process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StderrMode {
    /// Forwarded to this process's stderr (the default).
    #[default]
    Inherit,
    /// Kept in memory (the last MiB), readable with [`Client::captured_stderr`].
    Capture,
    /// Discarded.
    Null,
}

/// Options of one call: a timeout, a progress callback, a cancellation token.
///
/// ```
/// use std::time::Duration;
/// use mcp_client::CallOptions;
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(30))
///     .on_progress(|progress, total, message| {
///         eprintln!("{progress}/{} {}", total.unwrap_or(0.0), message.unwrap_or(""));
///     });
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Give up after this long: the call fails with [`ClientError::Timeout`] and the server gets
    /// `notifications/cancelled` with reason `timeout`. Overrides
    /// [`ClientBuilder::request_timeout`].
    pub timeout: Option<Duration>,
    /// Ask the server for progress (`_meta.progressToken`) and receive it here.
    pub on_progress: Option<ProgressFn>,
    cancel: Option<(CancellationToken, String)>,
}

impl CallOptions {
    /// No timeout, no progress, no cancellation token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the progress callback, called with `(progress, total, message)`. It runs on the
    /// connection's reading task: keep it short.
    #[must_use]
    pub fn on_progress(
        mut self,
        f: impl Fn(f64, Option<f64>, Option<&str>) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Cancels the call when `token` is cancelled: the call fails with
    /// [`ClientError::Cancelled`] and the server gets `notifications/cancelled` with `reason`.
    #[must_use]
    pub fn cancel_on(mut self, token: CancellationToken, reason: impl Into<String>) -> Self {
        self.cancel = Some((token, reason.into()));
        self
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress.is_some())
            .field("cancel", &self.cancel.as_ref().map(|(_, reason)| reason))
            .finish()
    }
}

/// Configures and connects a [`Client`].
///
/// ```no_run
/// use mcp_client::{Client, ServerNotification, StderrMode};
///
/// # async fn run() -> Result<(), mcp_client::ClientError> {
/// let client = Client::builder()
///     .name("my-app")
///     .version("1.2.3")
///     .stderr(StderrMode::Capture)
///     .on_notification(|n| {
///         if let ServerNotification::LoggingMessage(log) = n {
///             eprintln!("[{}] {}", log.level, log.data);
///         }
///     })
///     .spawn_command_line("node build/server.js --stdio")
///     .await?;
/// println!("connected to {} {}", client.server_info().name, client.server_info().version);
/// # Ok(()) }
/// ```
pub struct ClientBuilder {
    client_info: Implementation,
    capabilities: ClientCapabilities,
    protocol_version: ProtocolVersion,
    handler: ClientHandler,
    stderr: StderrMode,
    request_timeout: Option<Duration>,
    initialize_timeout: Duration,
    max_message_size: usize,
    http_headers: Vec<(String, String)>,
    elicitation: ElicitationHandlers,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_info", &self.client_info)
            .field("capabilities", &self.capabilities)
            .field("protocol_version", &self.protocol_version)
            .field("handler", &self.handler)
            .field("stderr", &self.stderr)
            .field("request_timeout", &self.request_timeout)
            .field("initialize_timeout", &self.initialize_timeout)
            .field(
                "http_headers",
                &self.http_headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            client_info: Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
            capabilities: ClientCapabilities::new(),
            protocol_version: ProtocolVersion::LATEST,
            handler: ClientHandler::default(),
            stderr: StderrMode::Inherit,
            request_timeout: None,
            initialize_timeout: Duration::from_secs(60),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            http_headers: Vec::new(),
            elicitation: ElicitationHandlers::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: client info `mcp-client` and this crate's version, no
    /// capabilities, protocol revision 2025-11-25, stderr inherited, no request timeout, 60 s to
    /// initialize.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the client name sent in `clientInfo`.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.client_info.name = name.into();
        self
    }

    /// Sets the client version sent in `clientInfo`.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.client_info.version = version.into();
        self
    }

    /// Replaces the whole `clientInfo` (title, icons, website, ...).
    #[must_use]
    pub fn client_info(mut self, info: Implementation) -> Self {
        self.client_info = info;
        self
    }

    /// Sets the capabilities declared in `initialize`. Declare only what the handlers registered
    /// with [`ClientBuilder::on_request`] can serve.
    #[must_use]
    pub fn capabilities(mut self, capabilities: ClientCapabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Sets the protocol revision offered in `initialize` (default: the latest, 2025-11-25).
    #[must_use]
    pub fn protocol_version(mut self, version: ProtocolVersion) -> Self {
        self.protocol_version = version;
        self
    }

    /// Sets the callback receiving the server's notifications: log messages, list changes,
    /// resource updates, and progress that belongs to no call with its own callback. It runs on
    /// the connection's reading task: keep it short.
    #[must_use]
    pub fn on_notification(
        mut self,
        f: impl Fn(ServerNotification) + Send + Sync + 'static,
    ) -> Self {
        let f: NotificationCallback = Arc::new(f);
        self.handler.on_notification = Some(f);
        self
    }

    /// Answers the server-to-client requests of `method` (such as `roots/list`,
    /// `sampling/createMessage` or `elicitation/create`) with `handler`, which receives the raw
    /// params. Requests of methods without a handler get -32601 at once; `ping` is always
    /// answered.
    ///
    /// ```
    /// use mcp_client::Client;
    ///
    /// let builder = Client::builder().on_request("roots/list", |_params| async {
    ///     Ok(serde_json::json!({ "roots": [{ "uri": "file:///work", "name": "work" }] }))
    /// });
    /// # let _ = builder;
    /// ```
    #[must_use]
    pub fn on_request<F, Fut>(mut self, method: impl Into<String>, handler: F) -> Self
    where
        F: Fn(Option<Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<Value, McpError>> + Send + 'static,
    {
        self.handler
            .requests
            .insert(method.into(), request_handler(handler));
        self
    }

    /// Answers form-mode elicitation (`elicitation/create`) with `handler`, and declares the
    /// `elicitation` capability (form mode). When the handler accepts, every field it left out
    /// that has a `default` in the requested schema is filled in from that default. A URL-mode
    /// request is refused with -32602, as the specification requires, unless
    /// [`ClientBuilder::on_url_elicitation`] registered a handler for it too.
    ///
    /// ```
    /// use mcp_client::Client;
    /// use mcp_core::model::ElicitResult;
    ///
    /// // Accept every form with its defaults.
    /// let builder = Client::builder().on_elicitation(|_request| async {
    ///     ElicitResult::accept(Default::default())
    /// });
    /// # let _ = builder;
    /// ```
    #[must_use]
    pub fn on_elicitation<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ElicitRequestFormParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ElicitResult> + Send + 'static,
    {
        self.capabilities
            .elicitation
            .get_or_insert_with(Default::default)
            .form
            .get_or_insert_with(JsonObject::new);
        self.elicitation.form = Some(Arc::new(move |params| Box::pin(handler(params))));
        self.install_elicitation()
    }

    /// Answers URL-mode elicitation with `handler`, and declares the `elicitation.url`
    /// capability. The handler shows the request's message and URL to the user and returns
    /// whether they agreed to open it ([`ElicitAction::Accept`]), refused (`Decline`) or
    /// dismissed it (`Cancel`); it must not open the URL without the user's consent. The server
    /// later sends `notifications/elicitation/complete` with the same `elicitationId`, which
    /// reaches [`ClientBuilder::on_notification`] as
    /// [`ServerNotification::ElicitationComplete`].
    ///
    /// A client that declares URL mode alone does not declare form mode; add
    /// [`ClientBuilder::on_elicitation`] for both.
    ///
    /// ```
    /// use mcp_client::Client;
    /// use mcp_core::model::ElicitAction;
    ///
    /// let builder = Client::builder().on_url_elicitation(|request| async move {
    ///     println!("{}: open {}", request.message, request.url);
    ///     ElicitAction::Accept
    /// });
    /// # let _ = builder;
    /// ```
    #[must_use]
    pub fn on_url_elicitation<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ElicitRequestURLParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ElicitAction> + Send + 'static,
    {
        self.capabilities
            .elicitation
            .get_or_insert_with(Default::default)
            .url
            .get_or_insert_with(JsonObject::new);
        self.elicitation.url = Some(Arc::new(move |params| Box::pin(handler(params))));
        self.install_elicitation()
    }

    /// (Re)registers the one `elicitation/create` handler, dispatching on the request's mode to
    /// the handlers registered so far.
    fn install_elicitation(self) -> Self {
        let handlers = self.elicitation.clone();
        self.on_request(method_names::ELICITATION_CREATE, move |params| {
            let handlers = handlers.clone();
            async move {
                let params: ElicitRequestParams =
                    serde_json::from_value(params.unwrap_or(Value::Null)).map_err(|e| {
                        McpError::invalid_params(format!("Invalid elicitation request: {e}"))
                    })?;
                let result = match params {
                    ElicitRequestParams::Form(form) => {
                        let Some(handler) = handlers.form else {
                            return Err(McpError::invalid_params(
                                "form-mode elicitation was not declared by this client",
                            ));
                        };
                        answer_form(&*handler, form).await
                    }
                    ElicitRequestParams::Url(url) => {
                        let Some(handler) = handlers.url else {
                            return Err(McpError::invalid_params(
                                "URL-mode elicitation was not declared by this client",
                            ));
                        };
                        ElicitResult::new(handler(url).await)
                    }
                    _ => {
                        return Err(McpError::invalid_params("unsupported elicitation mode"));
                    }
                };
                serde_json::to_value(result).map_err(|e| McpError::internal(e.to_string()))
            }
        })
    }

    /// Answers `sampling/createMessage` with `handler` (your model), and declares the `sampling`
    /// capability. Requests that carry `tools` or `toolChoice` are refused with -32602, since
    /// this client does not declare `sampling.tools`: use
    /// [`ClientBuilder::on_sampling_with_tools`] for a model that can call tools.
    #[must_use]
    pub fn on_sampling<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<CreateMessageResult, McpError>> + Send + 'static,
    {
        self.install_sampling(false, handler)
    }

    /// Like [`ClientBuilder::on_sampling`], but also declares `sampling.tools`: requests may
    /// carry `tools` and `toolChoice`, and the handler may answer with `tool_use` blocks (stop
    /// reason `toolUse`); the server then runs the tools and sends the conversation back with
    /// `tool_result` blocks in a new request.
    #[must_use]
    pub fn on_sampling_with_tools<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<CreateMessageResult, McpError>> + Send + 'static,
    {
        self.install_sampling(true, handler)
    }

    fn install_sampling<F, Fut>(mut self, tools: bool, handler: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<CreateMessageResult, McpError>> + Send + 'static,
    {
        let sampling = self
            .capabilities
            .sampling
            .get_or_insert_with(Default::default);
        sampling.tools = tools.then(JsonObject::new);
        let handler = Arc::new(handler);
        self.on_request(method_names::SAMPLING_CREATE_MESSAGE, move |params| {
            let handler = handler.clone();
            async move {
                let params: CreateMessageRequestParams =
                    serde_json::from_value(params.unwrap_or(Value::Null)).map_err(|e| {
                        McpError::invalid_params(format!("Invalid sampling request: {e}"))
                    })?;
                if !tools && (params.tools.is_some() || params.tool_choice.is_some()) {
                    return Err(McpError::invalid_params(
                        "tool use in sampling was not declared by this client (`sampling.tools`)",
                    ));
                }
                let result = handler(params).await?;
                serde_json::to_value(result).map_err(|e| McpError::internal(e.to_string()))
            }
        })
    }

    /// Answers `roots/list` with `roots`, and declares the `roots` capability.
    #[must_use]
    pub fn roots(mut self, roots: Vec<mcp_core::model::Root>) -> Self {
        self.capabilities.roots.get_or_insert_with(Default::default);
        let result = mcp_core::model::ListRootsResult::new(roots);
        self.on_request(method_names::ROOTS_LIST, move |_params| {
            let result =
                serde_json::to_value(&result).map_err(|e| McpError::internal(e.to_string()));
            async move { result }
        })
    }

    /// What to do with the server process's stderr (default: forward it to ours).
    #[must_use]
    pub fn stderr(mut self, mode: StderrMode) -> Self {
        self.stderr = mode;
        self
    }

    /// A timeout for every request that sets none in its [`CallOptions`] (default: none).
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// How long the server may take to answer `initialize` (default: 60 s).
    #[must_use]
    pub fn initialize_timeout(mut self, timeout: Duration) -> Self {
        self.initialize_timeout = timeout;
        self
    }

    /// The largest message accepted from the server, in bytes (default: 4 MiB).
    #[must_use]
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Adds a header to every HTTP request of [`ClientBuilder::connect_http`], such as
    /// `Authorization`. (Ignored by the stdio transports.) An invalid name or value makes
    /// `connect_http` fail.
    #[must_use]
    pub fn http_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.http_headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Authorization: Bearer <token>` with every HTTP request (the token of a server that
    /// requires one, e.g. one started with `--bearer-token`). Ignored by the stdio transports.
    /// A server that refuses the token makes `connect_http` fail with
    /// [`ClientError::Transport`] naming the HTTP status (401 or 403).
    #[must_use]
    pub fn bearer_token(self, token: impl AsRef<str>) -> Self {
        let value = format!("Bearer {}", token.as_ref().trim());
        self.http_header("Authorization", value)
    }

    /// Connects to a server over Streamable HTTP at `url` (the MCP endpoint, usually ending in
    /// `/mcp`), and performs the handshake.
    ///
    /// Each message is a `POST`; answers may be JSON or SSE streams. The session id the server
    /// assigns is sent on every later request along with `MCP-Protocol-Version`; a session the
    /// server ended (404) is replaced by a new one transparently; a response stream that ends
    /// early is resumed with `Last-Event-ID` after the server's `retry` delay; the standalone
    /// `GET` stream carries the server's own messages; [`Client::close`] deletes the session.
    /// Only `http://` is supported for now: an `https://` URL fails with
    /// [`ClientError::Transport`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_client::ClientError> {
    /// let client = mcp_client::Client::builder()
    ///     .http_header("Authorization", "Bearer s3cret")
    ///     .connect_http("http://127.0.0.1:8080/mcp")
    ///     .await?;
    /// println!("{:?}", client.list_all_tools().await?);
    /// client.close().await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "http")]
    pub async fn connect_http(self, url: &str) -> Result<Client> {
        let uri = crate::http::parse_url(url).map_err(ClientError::Transport)?;
        let headers =
            crate::http::parse_headers(&self.http_headers).map_err(ClientError::Transport)?;
        let (engine, outbound) = Engine::new(Arc::new(self.handler), EngineConfig::default());
        let engine = Arc::new(engine);
        let transport = crate::http::HttpTransport::start(
            engine.clone(),
            outbound,
            uri,
            headers,
            self.max_message_size,
        );
        let conn = Connection::from_http(engine, Arc::default(), transport);
        Self::initialize(
            conn,
            None,
            self.protocol_version,
            self.capabilities,
            self.client_info,
            self.request_timeout,
            self.initialize_timeout,
        )
        .await
    }

    /// Starts `program` with `args` and connects to it over its stdin and stdout.
    pub async fn spawn<I, S>(self, program: impl AsRef<OsStr>, args: I) -> Result<Client>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(program);
        command.args(args);
        self.spawn_command(command).await
    }

    /// Splits `command_line` as a POSIX shell would (quotes and backslashes, no expansion),
    /// starts it and connects to it: `"node server.js --stdio"`, `"uvx 'my server'"`.
    pub async fn spawn_command_line(self, command_line: &str) -> Result<Client> {
        let words = split_command_line(command_line)?;
        let (program, args) = words
            .split_first()
            .expect("split_command_line returns at least one word");
        self.spawn(program, args).await
    }

    /// Starts a prepared command (to set its environment or working directory) and connects to
    /// it. Its stdin, stdout and stderr are set up by the client, and the process is killed when
    /// the [`Client`] is dropped. On Unix it runs in a process group of its own, so that a
    /// Ctrl-C in the terminal reaches the client, which then cancels its calls, rather than the
    /// server. (If the client process dies without running destructors, the server sees the end
    /// of its input, which tells an MCP server to shut down.)
    pub async fn spawn_command(self, mut command: Command) -> Result<Client> {
        let program = command
            .as_std()
            .get_program()
            .to_string_lossy()
            .into_owned();
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        // Its own process group: a Ctrl-C in the terminal reaches the client only, which then
        // cancels its calls properly instead of the server dying mid-request.
        #[cfg(unix)]
        command.process_group(0);
        command.stderr(match self.stderr {
            StderrMode::Inherit => Stdio::inherit(),
            StderrMode::Capture => Stdio::piped(),
            StderrMode::Null => Stdio::null(),
        });
        let mut child = command.spawn().map_err(|source| ClientError::Spawn {
            program: program.clone(),
            source,
        })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(ClientError::Spawn {
                program,
                source: std::io::Error::other("the child's stdio is not piped"),
            });
        };
        let stderr = child.stderr.take().map(capture_stderr);
        let process = ServerProcess { child, stderr };
        self.connect_inner(stdout, stdin, Some(process)).await
    }

    /// Connects over an already-open byte stream pair (newline-delimited JSON-RPC), such as a
    /// socket or an in-memory pipe.
    pub async fn connect_io<R, W>(self, reader: R, writer: W) -> Result<Client>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        self.connect_inner(reader, writer, None).await
    }

    async fn connect_inner<R, W>(
        self,
        reader: R,
        writer: W,
        process: Option<ServerProcess>,
    ) -> Result<Client>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (engine, outbound) = Engine::new(Arc::new(self.handler), EngineConfig::default());
        let conn =
            Connection::start_stream(engine, outbound, reader, writer, self.max_message_size);
        Self::initialize(
            conn,
            process,
            self.protocol_version,
            self.capabilities,
            self.client_info,
            self.request_timeout,
            self.initialize_timeout,
        )
        .await
    }

    /// Performs the `initialize` handshake over a started connection.
    async fn initialize(
        conn: Connection,
        process: Option<ServerProcess>,
        protocol_version: ProtocolVersion,
        capabilities: ClientCapabilities,
        client_info: Implementation,
        request_timeout: Option<Duration>,
        initialize_timeout: Duration,
    ) -> Result<Client> {
        let mut client = Client {
            conn,
            init: InitializeResult::new(
                protocol_version.as_str(),
                ServerCapabilities::new(),
                Implementation::new("", ""),
            ),
            version: protocol_version,
            request_timeout,
            process,
        };
        let params =
            InitializeRequestParams::new(protocol_version.as_str(), capabilities, client_info);
        let options = CallOptions::new().timeout(initialize_timeout);
        let init = match client
            .request_with::<method::Initialize>(params, options)
            .await
        {
            Ok(init) => init,
            Err(ClientError::ConnectionClosed(detail)) => {
                let detail = client.exit_detail().await.or(detail);
                return Err(ClientError::ConnectionClosed(detail));
            }
            Err(e) => return Err(e),
        };
        client.version = ProtocolVersion::parse(&init.protocol_version).ok_or_else(|| {
            ClientError::UnsupportedProtocolVersion(init.protocol_version.clone())
        })?;
        client.init = init;
        client
            .notify::<method::Initialized>(NotificationParams::new())
            .await?;
        client.conn.initialized().await;
        Ok(client)
    }
}

/// Splits a command line into words as a POSIX shell would (without expansions).
fn split_command_line(command_line: &str) -> Result<Vec<String>> {
    let words = shlex::split(command_line).ok_or_else(|| {
        ClientError::InvalidCommandLine(format!("unbalanced quotes in {command_line:?}"))
    })?;
    if words.is_empty() {
        return Err(ClientError::InvalidCommandLine(
            "the command line is empty".into(),
        ));
    }
    Ok(words)
}

/// Reads a child's stderr into a buffer that keeps the last [`MAX_CAPTURED_STDERR`] bytes.
fn capture_stderr(mut pipe: tokio::process::ChildStderr) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = buffer.clone();
    tokio::spawn(async move {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk).await {
            if n == 0 {
                break;
            }
            let mut buf = sink.lock().unwrap_or_else(|e| e.into_inner());
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() > MAX_CAPTURED_STDERR {
                let excess = buf.len() - MAX_CAPTURED_STDERR;
                buf.drain(..excess);
            }
        }
    });
    buffer
}

#[derive(Debug)]
struct ServerProcess {
    child: Child,
    stderr: Option<Arc<Mutex<Vec<u8>>>>,
}

/// A connection to an MCP server, initialized and ready for calls.
///
/// Calls take `&self` and may run concurrently. Dropping the client closes the connection and
/// kills the server process (over HTTP: stops its streams and deletes the session in the
/// background); [`Client::close`] shuts down gracefully instead.
///
/// # Cancellation
///
/// A call that is abandoned tells the server so with `notifications/cancelled`, so the server
/// can stop working on it:
///
/// - when the call's future is dropped (reason `request dropped`), for example by
///   `tokio::time::timeout` or `tokio::select!`;
/// - when its [`CallOptions::timeout`] elapses (reason `timeout`; the call fails with
///   [`ClientError::Timeout`]);
/// - when the token given to [`CallOptions::cancel_on`] is cancelled (with the reason given).
///
/// The seed's `search_with_timeout`, which in Python sends the notification by hand, is just a
/// timeout here:
///
/// ```no_run
/// use std::time::Duration;
/// use mcp_client::{CallOptions, Client, ClientError};
///
/// async fn search_with_timeout(client: &Client, query: &str, timeout: Duration) -> Result<String, ClientError> {
///     let options = CallOptions::new().timeout(timeout);
///     let args = serde_json::json!({ "query": query });
///     match client.call_tool_with("long_running_search", args, options).await {
///         Ok(result) => Ok(result.content.iter().filter_map(|c| c.as_text()).collect()),
///         // `notifications/cancelled` with reason "timeout" has already been sent.
///         Err(ClientError::Timeout { .. }) => Ok("Search timed out".to_owned()),
///         Err(e) => Err(e),
///     }
/// }
///
/// # async fn run() -> Result<(), ClientError> {
/// let client = Client::spawn_command_line("python search_server.py").await?;
/// println!("{}", search_with_timeout(&client, "rust mcp", Duration::from_secs(30)).await?);
///
/// // Dropping the future works too: the server is told the request was dropped.
/// let search = client.call_tool("long_running_search", serde_json::json!({ "query": "x" }));
/// if tokio::time::timeout(Duration::from_secs(30), search).await.is_err() {
///     eprintln!("Search timed out");
/// }
/// # Ok(()) }
/// ```
pub struct Client {
    conn: Connection,
    init: InitializeResult,
    version: ProtocolVersion,
    request_timeout: Option<Duration>,
    process: Option<ServerProcess>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("server_info", &self.init.server_info)
            .field("protocol_version", &self.version)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Starts `program` with `args` and connects to it with the default settings.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_client::ClientError> {
    /// let client = mcp_client::Client::spawn("npx", ["-y", "@modelcontextprotocol/server-everything"]).await?;
    /// for tool in client.list_all_tools().await? {
    ///     println!("{}", tool.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn spawn<I, S>(program: impl AsRef<OsStr>, args: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        ClientBuilder::new().spawn(program, args).await
    }

    /// Splits `command_line` as a shell would, starts it and connects to it with the default
    /// settings.
    pub async fn spawn_command_line(command_line: &str) -> Result<Self> {
        ClientBuilder::new().spawn_command_line(command_line).await
    }

    /// Connects to a server over Streamable HTTP with the default settings (see
    /// [`ClientBuilder::connect_http`]).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_client::ClientError> {
    /// let client = mcp_client::Client::connect_http("http://127.0.0.1:8080/mcp").await?;
    /// let result = client.call_tool("echo", serde_json::json!({ "text": "hi" })).await?;
    /// # let _ = result; Ok(()) }
    /// ```
    #[cfg(feature = "http")]
    pub async fn connect_http(url: &str) -> Result<Self> {
        ClientBuilder::new().connect_http(url).await
    }

    /// The protocol revision the server chose.
    pub fn negotiated_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The server's `serverInfo`.
    pub fn server_info(&self) -> &Implementation {
        &self.init.server_info
    }

    /// The server's capabilities.
    pub fn server_capabilities(&self) -> &ServerCapabilities {
        &self.init.capabilities
    }

    /// The server's instructions, if it gave any.
    pub fn instructions(&self) -> Option<&str> {
        self.init.instructions.as_deref()
    }

    /// The whole `initialize` result.
    pub fn initialize_result(&self) -> &InitializeResult {
        &self.init
    }

    /// The engine's handle to the server, for raw requests and notifications.
    pub fn peer(&self) -> &Peer {
        self.conn.peer()
    }

    /// Whether the connection is closed (the server exited or closed its output).
    pub fn is_closed(&self) -> bool {
        self.conn.peer().is_closed()
    }

    /// The operating system's id of the server process, if the client started one and it is
    /// still running.
    pub fn process_id(&self) -> Option<u32> {
        self.process.as_ref()?.child.id()
    }

    /// What the server process wrote to stderr so far (the last MiB), when it was started with
    /// [`StderrMode::Capture`].
    pub fn captured_stderr(&self) -> Option<String> {
        let buffer = self.process.as_ref()?.stderr.as_ref()?;
        Some(
            String::from_utf8_lossy(&buffer.lock().unwrap_or_else(|e| e.into_inner())).into_owned(),
        )
    }

    /// Closes the connection gracefully: flushes what is queued and closes the server's input,
    /// then waits (3 s at most) for the server process to exit, killing it otherwise. Returns the
    /// process's exit status, if there is a process and it exited. Over HTTP: delivers what is
    /// queued, ends the streams and deletes the session (`DELETE`); returns `None`.
    pub async fn close(mut self) -> Result<Option<ExitStatus>> {
        self.conn.shutdown().await;
        let Some(mut process) = self.process.take() else {
            return Ok(None);
        };
        if let Ok(Ok(status)) = tokio::time::timeout(EXIT_GRACE, process.child.wait()).await {
            return Ok(Some(status));
        }
        let _ = process.child.kill().await;
        Ok(process.child.try_wait().ok().flatten())
    }

    /// How the server process ended, if it did (waits a little for it).
    async fn exit_detail(&mut self) -> Option<String> {
        let process = self.process.as_mut()?;
        match tokio::time::timeout(Duration::from_secs(1), process.child.wait()).await {
            Ok(Ok(status)) => Some(format!("the server process exited ({status})")),
            _ => None,
        }
    }

    /// Waits until the connection is closed (the server exited or closed its output).
    pub async fn closed(&self) {
        self.conn.peer().closed_token().cancelled().await;
    }

    // -----------------------------------------------------------------------------------------
    // Generic requests

    /// Sends the request `R` and decodes its result.
    ///
    /// ```no_run
    /// use mcp_core::model::{method, PaginatedRequestParams};
    /// # async fn run(client: &mcp_client::Client) -> Result<(), mcp_client::ClientError> {
    /// let page = client.request::<method::ListTools>(PaginatedRequestParams::new()).await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn request<R: Request>(&self, params: R::Params) -> Result<R::Result> {
        self.request_with::<R>(params, CallOptions::new()).await
    }

    /// Sends the request `R` with options and decodes its result.
    pub async fn request_with<R: Request>(
        &self,
        params: R::Params,
        options: CallOptions,
    ) -> Result<R::Result> {
        let raw = self.send_request(R::METHOD, &params, options).await?;
        decode(R::METHOD, &raw)
    }

    /// Sends the notification `N`.
    pub async fn notify<N: Notification>(&self, params: N::Params) -> Result<()> {
        self.conn
            .peer()
            .notify(N::METHOD, Some(&params))
            .await
            .map_err(|_| self.connection_closed())
    }

    async fn send_request<P: Serialize>(
        &self,
        method: &str,
        params: &P,
        options: CallOptions,
    ) -> Result<Box<RawValue>> {
        let mut request_options = RequestOptions::new();
        if let Some(timeout) = options.timeout.or(self.request_timeout) {
            request_options = request_options.timeout(timeout);
        }
        if let Some(callback) = options.on_progress {
            request_options = request_options.on_progress(move |u: ProgressUpdate| {
                callback(u.progress, u.total, u.message.as_deref())
            });
        }
        if let Some((token, reason)) = options.cancel {
            request_options = request_options.cancel_on(token, reason);
        }
        if method == method_names::INITIALIZE {
            // A client must never cancel `initialize`.
            request_options = request_options.no_cancel_notification();
        }
        self.conn
            .peer()
            .request_raw(method, Some(params), request_options)
            .await
            .map_err(|e| self.classify(method, e))
    }

    /// The client's error for an engine's request error.
    fn classify(&self, method: &str, e: RequestError) -> ClientError {
        match e {
            RequestError::Remote(e) => ClientError::Protocol(e),
            RequestError::Timeout(after) => ClientError::Timeout {
                method: method.to_owned(),
                after,
            },
            RequestError::Cancelled(reason) => ClientError::Cancelled {
                method: method.to_owned(),
                reason,
            },
            RequestError::Closed => self.connection_closed(),
            RequestError::Transport(detail) => ClientError::Transport(detail),
            other => ClientError::Request(other.into()),
        }
    }

    fn connection_closed(&self) -> ClientError {
        ClientError::ConnectionClosed(self.conn.closed.get().flatten())
    }

    // -----------------------------------------------------------------------------------------
    // Typed calls

    /// `ping`: checks that the server is alive.
    pub async fn ping(&self) -> Result<()> {
        self.request::<method::Ping>(RequestParams::new())
            .await
            .map(drop)
    }

    /// `tools/list`: one page of tools, starting at `cursor` (`None` for the first page).
    pub async fn list_tools(&self, cursor: Option<String>) -> Result<ListToolsResult> {
        self.request::<method::ListTools>(page(cursor)).await
    }

    /// Every tool, following `nextCursor` through all pages.
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>> {
        self.paginate(method::ListTools, |r: ListToolsResult| {
            (r.tools, r.next_cursor)
        })
        .await
    }

    /// `tools/call` with `arguments` (a JSON object, or `null` for none).
    ///
    /// A tool that fails is a successful call whose result has
    /// [`is_error`](CallToolResult::is_error) set; an `Err` means the call itself failed.
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult> {
        self.call_tool_with(name, arguments, CallOptions::new())
            .await
    }

    /// `tools/call` with options: timeout, progress callback, cancellation.
    ///
    /// ```no_run
    /// use mcp_client::CallOptions;
    /// # async fn run(client: &mcp_client::Client) -> Result<(), mcp_client::ClientError> {
    /// let options = CallOptions::new().on_progress(|progress, total, message| {
    ///     eprintln!("{progress}/{total:?}: {}", message.unwrap_or_default());
    /// });
    /// let result = client.call_tool_with("slow_count", serde_json::json!({ "n": 5 }), options).await?;
    /// # let _ = result; Ok(()) }
    /// ```
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: Value,
        options: CallOptions,
    ) -> Result<CallToolResult> {
        let mut params = CallToolRequestParams::new(name);
        params.arguments = tool_arguments(arguments)?;
        self.request_with::<method::CallTool>(params, options).await
    }

    /// `resources/list`: one page of resources.
    pub async fn list_resources(&self, cursor: Option<String>) -> Result<ListResourcesResult> {
        self.request::<method::ListResources>(page(cursor)).await
    }

    /// Every resource, following `nextCursor` through all pages.
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>> {
        self.paginate(method::ListResources, |r: ListResourcesResult| {
            (r.resources, r.next_cursor)
        })
        .await
    }

    /// `resources/templates/list`: one page of resource templates.
    pub async fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourceTemplatesResult> {
        self.request::<method::ListResourceTemplates>(page(cursor))
            .await
    }

    /// Every resource template, following `nextCursor` through all pages.
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>> {
        self.paginate(
            method::ListResourceTemplates,
            |r: ListResourceTemplatesResult| (r.resource_templates, r.next_cursor),
        )
        .await
    }

    /// `resources/read`: the contents of the resource at `uri`.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult> {
        self.request::<method::ReadResource>(ReadResourceRequestParams::new(uri))
            .await
    }

    /// `resources/subscribe`: asks for `notifications/resources/updated` when `uri` changes.
    pub async fn subscribe_resource(&self, uri: &str) -> Result<()> {
        self.request::<method::Subscribe>(SubscribeRequestParams::new(uri))
            .await
            .map(drop)
    }

    /// `resources/unsubscribe`.
    pub async fn unsubscribe_resource(&self, uri: &str) -> Result<()> {
        self.request::<method::Unsubscribe>(UnsubscribeRequestParams::new(uri))
            .await
            .map(drop)
    }

    /// `prompts/list`: one page of prompts.
    pub async fn list_prompts(&self, cursor: Option<String>) -> Result<ListPromptsResult> {
        self.request::<method::ListPrompts>(page(cursor)).await
    }

    /// Every prompt, following `nextCursor` through all pages.
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>> {
        self.paginate(method::ListPrompts, |r: ListPromptsResult| {
            (r.prompts, r.next_cursor)
        })
        .await
    }

    /// `tools/call` as a task (for servers that declare `tasks.requests.tools.call`): returns
    /// the task at once; follow it with [`Client::get_task`] and fetch the outcome with
    /// [`Client::task_result`]. `ttl_ms` asks the server to keep the task that long.
    pub async fn call_tool_as_task(
        &self,
        name: &str,
        arguments: Value,
        ttl_ms: Option<u64>,
    ) -> Result<mcp_core::model::CreateTaskResult> {
        let mut params = CallToolRequestParams::new(name);
        if let Value::Object(args) = arguments {
            params.arguments = Some(args);
        }
        let mut task = mcp_core::model::TaskMetadata::new();
        task.ttl = ttl_ms;
        params.task = Some(task);
        let raw = self
            .send_request(method_names::TOOLS_CALL, &params, CallOptions::new())
            .await?;
        decode(method_names::TOOLS_CALL, &raw)
    }

    /// `tasks/get`: the current state of a task.
    pub async fn get_task(&self, task_id: &str) -> Result<mcp_core::model::GetTaskResult> {
        self.request::<method::GetTask>(mcp_core::model::GetTaskRequestParams::new(task_id))
            .await
    }

    /// `tasks/result`: waits until the task is finished and returns the result of the original
    /// request (for a tool call, a `CallToolResult`), or its error.
    pub async fn task_result(&self, task_id: &str) -> Result<Value> {
        self.request::<method::GetTaskPayload>(mcp_core::model::GetTaskPayloadRequestParams::new(
            task_id,
        ))
        .await
    }

    /// `tasks/list`: one page of the tasks the server keeps for this client.
    pub async fn list_tasks(
        &self,
        cursor: Option<String>,
    ) -> Result<mcp_core::model::ListTasksResult> {
        let mut params = PaginatedRequestParams::new();
        params.cursor = cursor;
        self.request::<method::ListTasks>(params).await
    }

    /// Every task, following `nextCursor` through all pages.
    pub async fn list_all_tasks(&self) -> Result<Vec<mcp_core::model::Task>> {
        self.paginate(method::ListTasks, |r: mcp_core::model::ListTasksResult| {
            (r.tasks, r.next_cursor)
        })
        .await
    }

    /// `tasks/cancel`: cancels a task; returns its final state (`cancelled`).
    pub async fn cancel_task(&self, task_id: &str) -> Result<mcp_core::model::CancelTaskResult> {
        self.request::<method::CancelTask>(mcp_core::model::CancelTaskRequestParams::new(task_id))
            .await
    }

    /// `prompts/get`: the prompt `name` filled in with `arguments`.
    ///
    /// ```no_run
    /// # async fn run(client: &mcp_client::Client) -> Result<(), mcp_client::ClientError> {
    /// let prompt = client.get_prompt("greet", &[("name", "Ada")]).await?;
    /// let plain = client.get_prompt("help", &[]).await?;
    /// # let _ = (prompt, plain); Ok(()) }
    /// ```
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: &[(&str, &str)],
    ) -> Result<GetPromptResult> {
        let mut params = GetPromptRequestParams::new(name);
        if !arguments.is_empty() {
            params.arguments = Some(
                arguments
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            );
        }
        self.request::<method::GetPrompt>(params).await
    }

    /// `completion/complete`: suggestions for the value of `argument` of a prompt or resource
    /// template.
    ///
    /// ```no_run
    /// use mcp_core::model::PromptReference;
    /// # async fn run(client: &mcp_client::Client) -> Result<(), mcp_client::ClientError> {
    /// let result = client.complete(PromptReference::new("greet"), "language", "py").await?;
    /// println!("{:?}", result.completion.values);
    /// # Ok(()) }
    /// ```
    pub async fn complete(
        &self,
        reference: impl Into<Reference>,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult> {
        let params = CompleteRequestParams::new(reference, CompleteArgument::new(argument, value));
        self.request::<method::Complete>(params).await
    }

    /// `logging/setLevel`: the least severe level of the log messages the server should send
    /// (they arrive at [`ClientBuilder::on_notification`]).
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<()> {
        self.request::<method::SetLevel>(SetLevelRequestParams::new(level))
            .await
            .map(drop)
    }

    /// Follows `nextCursor` until the last page. A server that repeats a cursor is an error
    /// rather than an endless loop.
    async fn paginate<R, T>(
        &self,
        _method: R,
        split: impl Fn(R::Result) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>>
    where
        R: Request<Params = PaginatedRequestParams>,
    {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let (page_items, next) = split(self.request::<R>(page(cursor.take())).await?);
            items.extend(page_items);
            match next {
                None => return Ok(items),
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(ClientError::RepeatedCursor {
                        method: R::METHOD.to_owned(),
                        cursor: next,
                    });
                }
                Some(next) => cursor = Some(next),
            }
        }
    }
}

fn page(cursor: Option<String>) -> PaginatedRequestParams {
    let mut params = PaginatedRequestParams::new();
    params.cursor = cursor;
    params
}

/// The `arguments` of `tools/call`: an object, or nothing for `null`.
fn tool_arguments(arguments: Value) -> Result<Option<JsonObject>> {
    match arguments {
        Value::Object(map) => Ok(Some(map)),
        Value::Null => Ok(None),
        other => Err(ClientError::Request(McpError::invalid_params(format!(
            "tool arguments must be a JSON object, not {other}"
        )))),
    }
}

fn decode<T: DeserializeOwned>(method: &str, raw: &RawValue) -> Result<T> {
    serde_json::from_str(raw.get()).map_err(|source| ClientError::InvalidResponse {
        method: method.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_like_a_shell() {
        assert_eq!(
            split_command_line("node srv.js stdio").unwrap(),
            ["node", "srv.js", "stdio"]
        );
        assert_eq!(
            split_command_line(r#"uvx "my server" --flag='a b'"#).unwrap(),
            ["uvx", "my server", "--flag=a b"]
        );
        assert!(matches!(
            split_command_line("  "),
            Err(ClientError::InvalidCommandLine(_))
        ));
        assert!(matches!(
            split_command_line("node 'unterminated"),
            Err(ClientError::InvalidCommandLine(_))
        ));
    }

    #[test]
    fn tool_arguments_must_be_an_object() {
        assert_eq!(
            tool_arguments(serde_json::json!({"a": 1}))
                .unwrap()
                .unwrap()
                .len(),
            1
        );
        assert!(tool_arguments(Value::Null).unwrap().is_none());
        assert!(tool_arguments(serde_json::json!([1])).is_err());
    }
}

type FormElicitationFn =
    Arc<dyn Fn(ElicitRequestFormParams) -> BoxFuture<'static, ElicitResult> + Send + Sync>;
type UrlElicitationFn =
    Arc<dyn Fn(ElicitRequestURLParams) -> BoxFuture<'static, ElicitAction> + Send + Sync>;

/// The elicitation handlers registered on a [`ClientBuilder`], one per mode.
#[derive(Clone, Default)]
struct ElicitationHandlers {
    form: Option<FormElicitationFn>,
    url: Option<UrlElicitationFn>,
}

/// Runs a form handler; on accept, fills every field the handler left out that has a
/// `default` in the requested schema.
async fn answer_form(
    handler: &(dyn Fn(ElicitRequestFormParams) -> BoxFuture<'static, ElicitResult> + Send + Sync),
    form: ElicitRequestFormParams,
) -> ElicitResult {
    let defaults: Vec<(String, Value)> = form
        .requested_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.get("default")?.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut result = handler(form).await;
    if result.action == ElicitAction::Accept {
        let content = result.content.get_or_insert_with(Default::default);
        for (name, default) in defaults {
            if !content.contains_key(&name)
                && let Ok(value) = serde_json::from_value::<ElicitValue>(default)
            {
                content.insert(name, value);
            }
        }
    }
    result
}
