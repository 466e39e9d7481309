//! One client connection: the lifecycle state machine and method routing.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use mcp_core::jsonrpc::RawJson;
use mcp_core::jsonrpc::{EncodedResult, strip_position, to_raw};
use mcp_core::model::{
    CallToolResult, CancelTaskRequestParams, CancelTaskResult, ClientCapabilities, ContentBlock,
    CreateTaskResult, GetTaskPayloadRequestParams, GetTaskRequestParams, GetTaskResult,
    Implementation, InitializeRequestParams, InitializeResult, ListTasksResult, LoggingLevel,
    RelatedTaskMetadata, ServerCapabilities, ServerTaskRequestsCapability, ServerTasksCapability,
    Task, TaskMetadata, TaskStatus, TaskStatusNotificationParams, TaskSupport, ToolsCapability,
    ToolsTasksCapability,
};
use mcp_core::peer::{
    Dispatch, Handler, HandlerResult, IncomingNotification, IncomingRequest, Peer, RequestContext,
};
use mcp_core::version::ProtocolVersion;
use mcp_core::{ErrorCode, JsonObject, McpError};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::context::{Context, TaskBinding};
use crate::server::ServerShared;
use crate::task::{TaskOutcome, UpdateResult, unknown_task};
use crate::tool::{RawArguments, ToolCall, ToolCallError};

const NOT_NEGOTIATED: u8 = u8::MAX;

/// The state of one connection.
pub(crate) struct Session {
    server: Arc<ServerShared>,
    pub(crate) initialized: AtomicBool,
    version: AtomicU8,
    client: OnceLock<(ClientCapabilities, Implementation)>,
    log_level: AtomicU8,
    // -- resources, prompts, completions (catalog.rs) --
    /// The client, for notifications outside any request (captured from the first request).
    pub(crate) peer: OnceLock<Peer>,
    /// The URIs this session subscribed to with `resources/subscribe`.
    pub(crate) subscriptions: Mutex<HashSet<String>>,
    /// Who the HTTP transport authenticated when the session was created (see `Context::auth`).
    #[cfg(feature = "http")]
    pub(crate) auth: OnceLock<crate::http::AuthInfo>,
    /// The scope of this session's tasks in the task store (random, so no other session
    /// reaches them).
    /// Made on first use: sessions that never touch tasks (every stateless HTTP request) skip
    /// the random draw.
    task_scope: OnceLock<String>,
    /// Whether a task's requests to the client wait for a `tasks/result` request to travel
    /// with (Streamable HTTP, where a request related to nothing open could be lost), rather
    /// than going out at once (stdio).
    pub(crate) task_requests_need_result_stream: AtomicBool,
    /// Set for a session that lives for one HTTP request (stateless mode): a task could not be
    /// reached after it, so the `tasks` capability is not offered and `params.task` refused.
    pub(crate) tasks_unavailable: AtomicBool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("version", &self.protocol_version())
            .finish_non_exhaustive()
    }
}

/// Levels are declared in increasing severity, so the discriminant orders them.
fn level_index(level: LoggingLevel) -> u8 {
    level as u8
}

fn version_index(v: ProtocolVersion) -> u8 {
    match v {
        ProtocolVersion::V2024_11_05 => 0,
        ProtocolVersion::V2025_03_26 => 1,
        ProtocolVersion::V2025_06_18 => 2,
        _ => 3,
    }
}

fn version_from_index(i: u8) -> Option<ProtocolVersion> {
    Some(match i {
        0 => ProtocolVersion::V2024_11_05,
        1 => ProtocolVersion::V2025_03_26,
        2 => ProtocolVersion::V2025_06_18,
        3 => ProtocolVersion::V2025_11_25,
        _ => return None,
    })
}

impl Session {
    pub(crate) fn new(server: Arc<ServerShared>) -> Arc<Self> {
        let session = Self::new_unregistered(server);
        session.server.catalog.register_session(&session);
        session
    }

    /// A session that list-changed and resource-updated broadcasts do not reach: a stateless
    /// HTTP request's, which ends with its response.
    pub(crate) fn new_unregistered(server: Arc<ServerShared>) -> Arc<Self> {
        Arc::new(Self {
            server,
            initialized: AtomicBool::new(false),
            version: AtomicU8::new(NOT_NEGOTIATED),
            client: OnceLock::new(),
            log_level: AtomicU8::new(level_index(LoggingLevel::Info)),
            peer: OnceLock::new(),
            subscriptions: Mutex::new(HashSet::new()),
            #[cfg(feature = "http")]
            auth: OnceLock::new(),
            task_scope: OnceLock::new(),
            task_requests_need_result_stream: AtomicBool::new(false),
            tasks_unavailable: AtomicBool::new(false),
        })
    }

    /// Whether the session is initialized and its client reachable (broadcasts go only there).
    pub(crate) fn is_ready(&self) -> bool {
        self.initialized.load(Ordering::Acquire) && self.peer.get().is_some()
    }

    pub(crate) fn server(&self) -> &Arc<ServerShared> {
        &self.server
    }

    /// The scope of this session's tasks.
    pub(crate) fn task_scope(&self) -> &str {
        self.task_scope.get_or_init(crate::task::new_scope)
    }

    /// Sends `notifications/tasks/status` with the full task (best effort).
    pub(crate) async fn notify_task_status(&self, task: &Task) {
        if let Some(peer) = self.peer.get() {
            let params = TaskStatusNotificationParams::new(task.clone());
            let _ = peer
                .notify("notifications/tasks/status", Some(&params))
                .await;
        }
    }

    /// Whether tasks are on for this session: some tool supports them and the client speaks
    /// a revision that has them.
    fn tasks_enabled(&self) -> bool {
        self.protocol_version() >= ProtocolVersion::V2025_11_25
            && self.server.has_task_tools()
            && !self.tasks_unavailable.load(Ordering::Relaxed)
    }

    /// The negotiated revision (the latest until `initialize` negotiated one).
    pub(crate) fn protocol_version(&self) -> ProtocolVersion {
        version_from_index(self.version.load(Ordering::Acquire)).unwrap_or(ProtocolVersion::LATEST)
    }

    pub(crate) fn client_capabilities(&self) -> Option<ClientCapabilities> {
        self.client.get().map(|(c, _)| c.clone())
    }

    pub(crate) fn client_info(&self) -> Option<Implementation> {
        self.client.get().map(|(_, i)| i.clone())
    }

    pub(crate) fn log_enabled(&self, level: LoggingLevel) -> bool {
        level_index(level) >= self.log_level.load(Ordering::Relaxed)
    }

    fn initialize(&self, params: Option<&RawJson>) -> HandlerResult {
        let params: InitializeRequestParams = parse_params(params)?;
        if self.initialized.swap(true, Ordering::AcqRel) {
            return Err(McpError::invalid_request(
                "The session is already initialized",
            ));
        }
        let version = ProtocolVersion::negotiate(&params.protocol_version);
        self.version
            .store(version_index(version), Ordering::Release);
        let _ = self.client.set((params.capabilities, params.client_info));
        let server = &self.server;
        let mut capabilities = ServerCapabilities::new().with_logging(JsonObject::new());
        if server.has_tools() {
            capabilities = capabilities.with_tools(ToolsCapability::new().with_list_changed(true));
        }
        if self.tasks_enabled() {
            capabilities = capabilities.with_tasks(
                ServerTasksCapability::new()
                    .with_list(JsonObject::new())
                    .with_cancel(JsonObject::new())
                    .with_requests(
                        ServerTaskRequestsCapability::new()
                            .with_tools(ToolsTasksCapability::new().with_call(JsonObject::new())),
                    ),
            );
        }
        capabilities = server.catalog.advertise(capabilities);
        let mut result = InitializeResult::new(version.as_str(), capabilities, server.info.clone());
        if let Some(instructions) = &server.instructions {
            result = result.with_instructions(instructions.clone());
        }
        to_raw(&result)
    }

    fn set_level(&self, params: Option<&RawJson>) -> HandlerResult {
        #[derive(Deserialize)]
        struct P<'a> {
            #[serde(borrow)]
            level: Cow<'a, str>,
        }
        let p: P<'_> = parse_params(params)?;
        let level: LoggingLevel = p.level.parse().map_err(|_| {
            McpError::invalid_params(format!(
                "Invalid log level `{}`: expected one of debug, info, notice, warning, error, critical, alert, emergency",
                p.level
            ))
        })?;
        self.log_level.store(level_index(level), Ordering::Relaxed);
        Ok(empty_result())
    }

    fn list_tools(&self, params: Option<&RawJson>) -> HandlerResult {
        let cursor = parse_cursor(params)?;
        let registry = self.server.tools();
        let page = self.server.config.page_size.max(1);
        let start = match cursor {
            None => 0,
            Some(c) => decode_cursor(&c, registry.len())?,
        };
        let end = (start + page).min(registry.len());
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Page<'a> {
            tools: Vec<&'a mcp_core::model::Tool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_cursor: Option<String>,
        }
        let tools = registry.defs[start..end]
            .iter()
            .map(|d| d.tool.as_ref())
            .collect();
        let next_cursor = (end < registry.len()).then(|| encode_cursor(end));
        to_raw(&Page { tools, next_cursor })
    }

    fn call_tool(self: &Arc<Self>, params: Option<Box<RawJson>>, cx: RequestContext) -> Dispatch {
        // One registry snapshot per call (an empty one means the server offers no tools).
        let registry = self.server.tools();
        if registry.len() == 0 {
            return Dispatch::Reply(Err(McpError::method_not_found("tools/call")));
        }
        let p = match CallParams::parse(params.as_deref()) {
            Ok(p) => p,
            Err(e) => return Dispatch::Reply(Err(e)),
        };
        let Some(tool) = registry.get(&p.name) else {
            return Dispatch::Reply(Err(McpError::invalid_params(format!(
                "Unknown tool: {}",
                p.name
            ))));
        };
        let tool_name: Arc<str> = tool.name.clone();
        let version = self.protocol_version();
        // Without the tasks capability (older revisions) the `task` member is ignored.
        let task = p.task.filter(|_| self.tasks_enabled());
        match (tool.tool.task_support(), &task) {
            (TaskSupport::Required, _) if self.tasks_unavailable.load(Ordering::Relaxed) => {
                return Dispatch::Reply(Err(McpError::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!(
                        "Tool `{tool_name}` runs only as a task, and tasks are unavailable on a \
                         server without sessions (stateless HTTP)"
                    ),
                )));
            }
            (TaskSupport::Required, None) => {
                return Dispatch::Reply(Err(McpError::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!(
                        "Tool `{tool_name}` must be called as a task: add `task` to the params"
                    ),
                )));
            }
            (TaskSupport::Forbidden, Some(_)) => {
                return Dispatch::Reply(Err(McpError::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!("Tool `{tool_name}` does not support being called as a task"),
                )));
            }
            _ => {}
        }
        // Where `arguments` sits in `params`, so that the call owns `params` without a copy.
        let range = p.arguments.and_then(|a| {
            let outer = params.as_deref()?.get();
            let start = (a.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
            (start + a.len() <= outer.len()).then_some((start, start + a.len()))
        });
        let meta = p.meta;
        let arguments = RawArguments::new(params, range);
        if let Some(task) = task {
            return self.call_tool_as_task(tool.clone(), tool_name, arguments, meta, task, cx);
        }
        let ctx = Context::new(cx, self.clone(), meta, None);
        let call = ToolCall {
            ctx: ctx.clone(),
            arguments,
            tool_name: tool_name.clone(),
        };
        let fut = crate::logging::scoped(ctx, tool.call(call));
        let descriptor = tool.tool.clone();
        Dispatch::Spawn(Box::pin(async move {
            encode_tool_result(&tool_result(fut.await, &descriptor, version)?)
        }))
    }

    /// A task-augmented `tools/call`: creates the task, starts the tool in the background and
    /// answers with the task at once.
    fn call_tool_as_task(
        self: &Arc<Self>,
        tool: crate::tool::ToolDef,
        tool_name: Arc<str>,
        arguments: RawArguments,
        meta: Option<JsonObject>,
        task: TaskMetadata,
        cx: RequestContext,
    ) -> Dispatch {
        let session = self.clone();
        let version = self.protocol_version();
        Dispatch::Spawn(Box::pin(async move {
            let engine = &session.server.tasks;
            let scope = session.task_scope().to_owned();
            // The work stops on `tasks/cancel` or when the connection closes, not when this
            // request ends.
            let (created, token) = engine
                .create(&scope, task.ttl, cx.peer().closed_token())
                .await?;
            let task_id = created.task_id.clone();
            let binding = TaskBinding {
                task_id: task_id.clone(),
                token: token.clone(),
            };
            let ctx = Context::for_task(cx, session.clone(), meta, binding);
            let call = ToolCall {
                ctx: ctx.clone(),
                arguments,
                tool_name: tool_name.clone(),
            };
            let fut = crate::logging::scope(ctx, tool.call(call));
            let runner = session.clone();
            let tool = tool.clone();
            mcp_core::rt::spawn(async move {
                let outcome = tokio::select! {
                    biased;
                    () = token.cancelled() => None,
                    outcome = fut => Some(outcome),
                };
                let (status, message, outcome) = match outcome {
                    None => (
                        TaskStatus::Cancelled,
                        Some("Cancelled".to_owned()),
                        TaskOutcome::Error(McpError::new(
                            ErrorCode::INTERNAL_ERROR,
                            "The task was cancelled",
                        )),
                    ),
                    Some(outcome) => match tool_result(outcome, &tool.tool, version) {
                        Ok(result) => {
                            let failed = result.is_error == Some(true);
                            let value = serde_json::to_value(&result).unwrap_or_default();
                            if failed {
                                (
                                    TaskStatus::Failed,
                                    Some(first_text(&result).unwrap_or_else(|| {
                                        format!("Tool `{tool_name}` returned an error")
                                    })),
                                    TaskOutcome::Result(value),
                                )
                            } else {
                                (TaskStatus::Completed, None, TaskOutcome::Result(value))
                            }
                        }
                        Err(e) => (
                            TaskStatus::Failed,
                            Some(e.message.to_string()),
                            TaskOutcome::Error(e),
                        ),
                    },
                };
                let engine = &runner.server.tasks;
                match engine
                    .finish(runner.task_scope(), &task_id, status, message, outcome)
                    .await
                {
                    Ok(UpdateResult::Updated(t)) => runner.notify_task_status(&t).await,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(task = %task_id, error = %e, "storing a task result failed")
                    }
                }
            });
            to_raw(&CreateTaskResult::new(created))
        }))
    }

    fn get_task(self: &Arc<Self>, params: Option<Box<RawJson>>) -> Dispatch {
        let session = self.clone();
        Dispatch::Spawn(Box::pin(async move {
            let p: GetTaskRequestParams = parse_params(params.as_deref())?;
            let task = session
                .server
                .tasks
                .store
                .get(session.task_scope(), &p.task_id)
                .await?
                .ok_or_else(|| unknown_task(&p.task_id))?;
            to_raw(&GetTaskResult::new(task))
        }))
    }

    fn task_result(
        self: &Arc<Self>,
        params: Option<Box<RawJson>>,
        cx: &RequestContext,
    ) -> Dispatch {
        let session = self.clone();
        let id = cx.id().clone();
        Dispatch::Spawn(Box::pin(async move {
            let p: GetTaskPayloadRequestParams = parse_params(params.as_deref())?;
            // While this request waits, requests the task sends to the client (elicitation,
            // sampling) travel with it: over HTTP, on its response stream.
            let _waiting = session
                .server
                .tasks
                .wait_as(session.task_scope(), &p.task_id, id);
            let outcome = session
                .server
                .tasks
                .wait_outcome(session.task_scope(), &p.task_id)
                .await?;
            match outcome {
                TaskOutcome::Result(mut value) => {
                    if let Some(obj) = value.as_object_mut() {
                        let meta = obj
                            .entry("_meta")
                            .or_insert_with(|| serde_json::Value::Object(JsonObject::new()));
                        if let Some(meta) = meta.as_object_mut() {
                            RelatedTaskMetadata::new(p.task_id.clone()).insert_into(meta);
                        }
                    }
                    to_raw(&value)
                }
                TaskOutcome::Error(e) => Err(e),
            }
        }))
    }

    fn list_tasks(self: &Arc<Self>, params: Option<Box<RawJson>>) -> Dispatch {
        let session = self.clone();
        Dispatch::Spawn(Box::pin(async move {
            let cursor = parse_cursor(params.as_deref())?;
            let (tasks, next) = session
                .server
                .tasks
                .store
                .list(
                    session.task_scope(),
                    cursor.as_deref(),
                    session.server.config.page_size.max(1),
                )
                .await?;
            let mut result = ListTasksResult::new(tasks);
            result.next_cursor = next;
            to_raw(&result)
        }))
    }

    fn cancel_task(self: &Arc<Self>, params: Option<Box<RawJson>>) -> Dispatch {
        let session = self.clone();
        Dispatch::Spawn(Box::pin(async move {
            let p: CancelTaskRequestParams = parse_params(params.as_deref())?;
            // The task is `cancelled` in the store before this answer is sent.
            let task = session
                .server
                .tasks
                .cancel(session.task_scope(), &p.task_id)
                .await?;
            session.notify_task_status(&task).await;
            to_raw(&CancelTaskResult::new(task))
        }))
    }
}

/// What a tool call answers: its result, or the protocol error (invalid arguments are a tool
/// error from 2025-11-25 on, -32602 before).
///
/// In debug builds, the `structuredContent` of a successful result is checked against the
/// tool's `outputSchema`; a mismatch is logged as an error and answered as a tool error
/// (`isError: true`, naming the mismatch) instead of sending output that breaks the contract.
/// Release builds send the result as it is.
/// Serializes a `tools/call` result. One made of plain text blocks only (what most tools
/// return) is written directly, keys as literals; anything else goes through serde. Both give the
/// same bytes.
fn encode_tool_result(result: &CallToolResult) -> HandlerResult {
    let plain = result.structured_content.is_none()
        && result.meta.is_none()
        && result.extra.is_empty()
        && result.content.iter().all(|block| {
            matches!(block, ContentBlock::Text(t)
                if t.annotations.is_none() && t.meta.is_none() && t.extra.is_empty())
        });
    if !plain {
        return to_raw(result);
    }
    EncodedResult::from_writer(|buf| {
        buf.extend_from_slice(b"{\"content\":[");
        for (i, block) in result.content.iter().enumerate() {
            let ContentBlock::Text(t) = block else {
                unreachable!("checked above: text blocks only")
            };
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"{\"type\":\"text\",\"text\":");
            serde_json::to_writer(&mut *buf, &t.text)?;
            buf.push(b'}');
        }
        buf.push(b']');
        match result.is_error {
            Some(true) => buf.extend_from_slice(b",\"isError\":true"),
            Some(false) => buf.extend_from_slice(b",\"isError\":false"),
            None => {}
        }
        buf.push(b'}');
        Ok(())
    })
    .map_err(|e| McpError::internal(format!("Failed to serialize result: {e}")))
}

fn tool_result(
    outcome: crate::tool::ToolOutcome,
    tool: &mcp_core::model::Tool,
    version: ProtocolVersion,
) -> Result<CallToolResult, McpError> {
    let tool_name = &tool.name;
    match outcome {
        Ok(result) => {
            #[cfg(debug_assertions)]
            if let (Some(schema), Some(structured), false) = (
                tool.output_schema.as_ref(),
                result.structured_content.as_ref(),
                result.is_error == Some(true),
            ) && let Err(mismatch) =
                crate::output_check::check(schema, &serde_json::Value::Object(structured.clone()))
            {
                tracing::error!(
                    tool = %tool_name,
                    %mismatch,
                    "structuredContent does not match the tool's outputSchema"
                );
                let mut result = CallToolResult::new(vec![ContentBlock::text(format!(
                    "Tool `{tool_name}` produced output that does not match its output schema: {mismatch}"
                ))]);
                result.is_error = Some(true);
                return Ok(result);
            }
            Ok(result)
        }
        Err(ToolCallError::InvalidArguments(msg)) => {
            let msg = format!("Invalid arguments for tool `{tool_name}`: {msg}");
            if version >= ProtocolVersion::V2025_11_25 {
                let mut result = CallToolResult::new(vec![ContentBlock::text(msg)]);
                result.is_error = Some(true);
                Ok(result)
            } else {
                Err(McpError::invalid_params(msg))
            }
        }
        Err(ToolCallError::Protocol(e)) => Err(e),
    }
}

fn first_text(result: &CallToolResult) -> Option<String> {
    result.content.iter().find_map(|c| match c {
        ContentBlock::Text(t) => Some(t.text.clone()),
        _ => None,
    })
}

/// The engine-facing handler of one session.
pub(crate) struct SessionHandler(pub(crate) Arc<Session>);

impl Handler for SessionHandler {
    fn handle_request(&self, request: IncomingRequest, cx: RequestContext) -> Dispatch {
        let session = &self.0;
        let _ = session.peer.get_or_init(|| cx.peer().clone());
        let params = request.params.as_deref();
        let method = request.method.as_ref();
        match method {
            "initialize" => return Dispatch::Reply(session.initialize(params)),
            "ping" => return Dispatch::Reply(Ok(empty_result())),
            _ => {}
        }
        if !session.initialized.load(Ordering::Acquire) {
            return Dispatch::Reply(Err(if KNOWN_METHODS.contains(&method) {
                McpError::invalid_request(format!("Received `{method}` before `initialize`"))
            } else {
                McpError::method_not_found(method)
            }));
        }
        match method {
            "tools/list" if session.server.has_tools() => {
                Dispatch::Reply(session.list_tools(params))
            }
            "tools/call" => session.call_tool(request.params, cx),
            "tasks/get" | "tasks/result" | "tasks/list" | "tasks/cancel"
                if session.tasks_enabled() =>
            {
                match method {
                    "tasks/get" => session.get_task(request.params),
                    "tasks/result" => session.task_result(request.params, &cx),
                    "tasks/list" => session.list_tasks(request.params),
                    _ => session.cancel_task(request.params),
                }
            }
            "logging/setLevel" => Dispatch::Reply(session.set_level(params)),
            // -- resources, prompts, completions (catalog.rs) --
            "resources/list"
            | "resources/templates/list"
            | "resources/read"
            | "resources/subscribe"
            | "resources/unsubscribe"
                if session.server.catalog.has_resources() =>
            {
                match method {
                    "resources/list" => Dispatch::Reply(session.list_resources(params)),
                    "resources/templates/list" => {
                        Dispatch::Reply(session.list_resource_templates(params))
                    }
                    "resources/read" => session.read_resource(request.params, cx),
                    "resources/subscribe" => Dispatch::Reply(session.subscribe(params)),
                    _ => Dispatch::Reply(session.unsubscribe(params)),
                }
            }
            "prompts/list" if session.server.catalog.has_prompts() => {
                Dispatch::Reply(session.list_prompts(params))
            }
            "prompts/get" if session.server.catalog.has_prompts() => {
                session.get_prompt(request.params, cx)
            }
            "completion/complete" if session.server.catalog.has_completions() => {
                session.complete(request.params, cx)
            }
            _ => Dispatch::Reply(Err(McpError::method_not_found(method))),
        }
    }

    fn handle_notification(&self, notification: IncomingNotification, _peer: &Peer) {
        match notification.method.as_ref() {
            "notifications/initialized" => {}
            other => tracing::debug!(method = other, "ignoring notification"),
        }
    }

    fn allow_batch(&self) -> bool {
        self.0.initialized.load(Ordering::Acquire) && self.0.protocol_version().allows_batches()
    }
}

/// Methods of the client-to-server direction that this server may implement.
const KNOWN_METHODS: &[&str] = &[
    "tools/list",
    "tools/call",
    "logging/setLevel",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "tasks/get",
    "tasks/result",
    "tasks/list",
    "tasks/cancel",
];

fn empty_result() -> EncodedResult {
    EncodedResult::new(&JsonObject::new()).expect("an empty object serializes")
}

/// Deserializes `params` into `T`; absent params read as `{}`. Errors are -32602.
/// The params of `tools/call`.
struct CallParams<'a> {
    name: Cow<'a, str>,
    /// The text of `arguments` (`null` reads as absent).
    arguments: Option<&'a str>,
    meta: Option<JsonObject>,
    task: Option<TaskMetadata>,
}

impl<'a> CallParams<'a> {
    fn parse(params: Option<&'a RawJson>) -> Result<Self, McpError> {
        let text = params.map_or("{}", RawJson::get);
        Self::parse_fast(text).map_or_else(|| Self::parse_slow(text), Ok)
    }

    /// The common case, read with the object scanner: `None` sends anything unusual (escapes
    /// in `name`, duplicates, invalid members) to [`CallParams::parse_slow`], which has the
    /// final word and the error messages.
    fn parse_fast(text: &'a str) -> Option<Self> {
        let (mut name, mut arguments, mut meta, mut task) = (None, None, None, None);
        let mut duplicate = false;
        // `params` is a `RawJson`: the message's scan has checked it already.
        let scanned = mcp_core::json_scan::valid_object_members(text, |key, value| {
            let slot = match key {
                "name" => &mut name,
                "arguments" => &mut arguments,
                "_meta" => &mut meta,
                "task" => &mut task,
                _ => return,
            };
            duplicate |= slot.replace(value).is_some();
        });
        if !scanned || duplicate {
            return None;
        }
        let name = name?.strip_prefix('"')?.strip_suffix('"')?;
        if name.contains('\\') {
            return None;
        }
        fn parse<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Option<Option<T>> {
            match raw {
                None | Some("null") => Some(None),
                Some(raw) => serde_json::from_str(raw).ok().map(Some),
            }
        }
        Some(Self {
            name: Cow::Borrowed(name),
            arguments: arguments.filter(|a| *a != "null"),
            meta: parse(meta)?,
            task: parse(task)?,
        })
    }

    fn parse_slow(text: &'a str) -> Result<Self, McpError> {
        #[derive(Deserialize)]
        struct P<'a> {
            #[serde(borrow)]
            name: Cow<'a, str>,
            #[serde(borrow, default)]
            arguments: Option<&'a RawValue>,
            #[serde(rename = "_meta", default)]
            meta: Option<JsonObject>,
            #[serde(default)]
            task: Option<TaskMetadata>,
        }
        let p: P<'a> = serde_json::from_str(text).map_err(|e| {
            McpError::invalid_params(format!("Invalid params: {}", strip_position(&e)))
        })?;
        Ok(Self {
            name: p.name,
            arguments: p.arguments.map(RawValue::get),
            meta: p.meta,
            task: p.task,
        })
    }
}

pub(crate) fn parse_params<'a, T: Deserialize<'a>>(
    params: Option<&'a RawJson>,
) -> Result<T, McpError> {
    let text = params.map_or("{}", RawJson::get);
    serde_json::from_str(text)
        .map_err(|e| McpError::invalid_params(format!("Invalid params: {}", strip_position(&e))))
}

pub(crate) fn parse_cursor(params: Option<&RawJson>) -> Result<Option<String>, McpError> {
    #[derive(Deserialize)]
    struct P {
        #[serde(default)]
        cursor: Option<String>,
    }
    Ok(parse_params::<P>(params)?.cursor)
}

const CURSOR_PREFIX: &str = "offset:";

pub(crate) fn encode_cursor(offset: usize) -> String {
    format!("{CURSOR_PREFIX}{offset}")
}

pub(crate) fn decode_cursor(cursor: &str, len: usize) -> Result<usize, McpError> {
    cursor
        .strip_prefix(CURSOR_PREFIX)
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0 && n < len)
        .ok_or_else(|| McpError::invalid_params(format!("Invalid cursor `{cursor}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_results_encode_as_serde_does() {
        let mut with_error = CallToolResult::new(vec![ContentBlock::text("bad \"input\"\n")]);
        with_error.is_error = Some(true);
        let mut not_error = CallToolResult::new(vec![ContentBlock::text("ok")]);
        not_error.is_error = Some(false);
        let mut structured = CallToolResult::new(vec![ContentBlock::text("{}")]);
        structured.structured_content = Some(JsonObject::new());
        let mut extra = CallToolResult::new(vec![]);
        extra.extra.insert("x".into(), 1.into());
        let cases = [
            CallToolResult::new(vec![]),
            CallToolResult::new(vec![ContentBlock::text("hello, world")]),
            CallToolResult::new(vec![
                ContentBlock::text("é \u{1}\t\\ </script>"),
                ContentBlock::text(""),
            ]),
            with_error,
            not_error,
            structured,
            extra,
        ];
        for result in cases {
            let fast = encode_tool_result(&result).unwrap();
            assert_eq!(fast.get(), serde_json::to_string(&result).unwrap());
        }
    }
}
