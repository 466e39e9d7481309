//! What a server offers besides tools (resources, templates, prompts), shared by the builder,
//! every session and every [`ServerHandle`]; the registry of live sessions; and the requests and
//! notifications that go with them (`resources/*`, `prompts/*`, `completion/complete`,
//! `notifications/*/list_changed`, `notifications/resources/updated`).
//!
//! Lists are copy-on-write snapshots (`Arc`), so a request reads a consistent list without
//! holding a lock while it runs, and a change at run time never blocks readers for long.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, Weak};

use mcp_core::jsonrpc::RawJson;
use mcp_core::jsonrpc::to_raw;
use mcp_core::model::{
    CompleteRequestParams, PromptsCapability, Reference, ResourcesCapability, ServerCapabilities,
};
use mcp_core::peer::{Dispatch, HandlerResult, Peer, RequestContext};
use mcp_core::uri_template::Captures;
use mcp_core::{JsonObject, McpError};
use serde::{Deserialize, Serialize};

use crate::completion::{self, CompletionRequest};
use crate::context::{Context, FromContext};
use crate::prompt::{IntoPrompt, PromptDef};
use crate::resource::{IntoResource, IntoResourceTemplate, ResourceDef, ResourceTemplateDef};
use crate::server::{ServerHandle, ServerShared, ToolRegistry};
use crate::session::{Session, decode_cursor, encode_cursor, parse_cursor, parse_params};
use crate::tool::{IntoTool, IntoToolError, ToolDef};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Converts a handler's error into the JSON-RPC error sent for a read, a prompt or a completion:
/// an [`McpError`] (also inside `anyhow::Error` or `ToolError::protocol`) stays itself, any other
/// error becomes -32603 carrying its message.
pub(crate) fn handler_error<E: IntoToolError>(error: E) -> McpError {
    let error = error.into_tool_error();
    if let Some(protocol) = error.as_protocol() {
        return protocol.clone();
    }
    let message = error.to_string();
    tracing::debug!(error = %message, "a handler returned an error");
    if message.is_empty() {
        McpError::internal("Internal error")
    } else {
        McpError::internal(message)
    }
}

// ---------------------------------------------------------------------------------------------
// Registries

/// Something stored in a registry under a unique key.
trait Keyed: Clone {
    fn key(&self) -> &str;
}

impl Keyed for ResourceDef {
    fn key(&self) -> &str {
        &self.resource.uri
    }
}

impl Keyed for ResourceTemplateDef {
    fn key(&self) -> &str {
        &self.template.uri_template
    }
}

impl Keyed for PromptDef {
    fn key(&self) -> &str {
        &self.prompt.name
    }
}

/// Items in registration order, indexed by key; registering a key again replaces the item.
#[derive(Clone)]
struct Registry<T> {
    items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: Keyed> Registry<T> {
    fn insert(&mut self, item: T, what: &str) {
        match self.index.get(item.key()) {
            Some(&i) => {
                tracing::warn!(
                    key = item.key(),
                    "a {what} with this key was registered twice; the later one replaces it"
                );
                self.items[i] = item;
            }
            None => {
                self.index.insert(item.key().to_owned(), self.items.len());
                self.items.push(item);
            }
        }
    }

    fn remove(&mut self, key: &str) -> bool {
        let Some(i) = self.index.remove(key) else {
            return false;
        };
        self.items.remove(i);
        for slot in self.index.values_mut() {
            if *slot > i {
                *slot -= 1;
            }
        }
        true
    }

    fn get(&self, key: &str) -> Option<&T> {
        self.index.get(key).map(|&i| &self.items[i])
    }
}

/// A copy-on-write list.
struct Shared<T>(RwLock<Arc<Registry<T>>>);

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Self(RwLock::new(Arc::new(Registry::default())))
    }
}

impl<T: Keyed> Shared<T> {
    fn snapshot(&self) -> Arc<Registry<T>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update<R>(&self, f: impl FnOnce(&mut Registry<T>) -> R) -> R {
        let mut guard = self.0.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Registry::clone(&guard);
        let out = f(&mut next);
        *guard = Arc::new(next);
        out
    }
}

/// A change to the tool list requested through a [`ServerHandle`] before the server was served.
enum ToolChange {
    Add(ToolDef),
    Remove(String),
}

/// Resources, templates, prompts, live sessions: see the [module docs](self).
#[derive(Default)]
pub(crate) struct Catalog {
    resources: Shared<ResourceDef>,
    templates: Shared<ResourceTemplateDef>,
    prompts: Shared<PromptDef>,
    /// Every session created for this server; dead ones are pruned as the list grows.
    sessions: Mutex<Vec<Weak<Session>>>,
    /// The running server (for tool changes), once it is served.
    server: OnceLock<Weak<ServerShared>>,
    /// Tool changes made through a handle before the server was served.
    pending_tools: Mutex<Vec<ToolChange>>,
    crate_version: OnceLock<&'static str>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("resources", &self.resources.snapshot().items.len())
            .field("templates", &self.templates.snapshot().items.len())
            .field("prompts", &self.prompts.snapshot().items.len())
            .finish_non_exhaustive()
    }
}

/// What a URI resolves to.
enum Target {
    Fixed(ResourceDef),
    Template(ResourceTemplateDef, Captures),
}

impl Catalog {
    fn note_version(&self, version: Option<&'static str>) {
        if let Some(v) = version {
            let _ = self.crate_version.set(v);
        }
    }

    /// The version of the crate that defined the first registered resource, template or
    /// prompt (the server's fallback version).
    pub(crate) fn crate_version(&self) -> Option<&'static str> {
        self.crate_version.get().copied()
    }

    pub(crate) fn add_resource(&self, def: ResourceDef) {
        self.note_version(def.crate_version);
        self.resources.update(|r| r.insert(def, "resource"));
    }

    pub(crate) fn add_template(&self, def: ResourceTemplateDef) {
        self.note_version(def.crate_version);
        self.templates
            .update(|r| r.insert(def, "resource template"));
    }

    pub(crate) fn add_prompt(&self, def: PromptDef) {
        self.note_version(def.crate_version);
        self.prompts.update(|r| r.insert(def, "prompt"));
    }

    pub(crate) fn has_resources(&self) -> bool {
        !self.resources.snapshot().items.is_empty() || !self.templates.snapshot().items.is_empty()
    }

    pub(crate) fn has_prompts(&self) -> bool {
        !self.prompts.snapshot().items.is_empty()
    }

    pub(crate) fn has_completions(&self) -> bool {
        self.templates
            .snapshot()
            .items
            .iter()
            .any(|t| !t.completers.is_empty())
            || self
                .prompts
                .snapshot()
                .items
                .iter()
                .any(|p| !p.completers.is_empty())
    }

    /// Adds the `resources`, `prompts` and `completions` capabilities for what is registered.
    /// `listChanged` is always declared: a [`ServerHandle`] may change the lists at any time.
    pub(crate) fn advertise(&self, mut capabilities: ServerCapabilities) -> ServerCapabilities {
        if self.has_resources() {
            capabilities = capabilities.with_resources(
                ResourcesCapability::new()
                    .with_subscribe(true)
                    .with_list_changed(true),
            );
        }
        if self.has_prompts() {
            capabilities =
                capabilities.with_prompts(PromptsCapability::new().with_list_changed(true));
        }
        if self.has_completions() {
            capabilities = capabilities.with_completions(JsonObject::new());
        }
        capabilities
    }

    /// Fixed resources first, then templates in registration order; the first match wins.
    fn resolve(&self, uri: &str) -> Option<Target> {
        if let Some(def) = self.resources.snapshot().get(uri) {
            return Some(Target::Fixed(def.clone()));
        }
        let templates = self.templates.snapshot();
        templates.items.iter().find_map(|t| {
            t.parsed
                .match_uri(uri)
                .map(|captures| Target::Template(t.clone(), captures))
        })
    }

    // ---- sessions ---------------------------------------------------------------------------

    /// Records a new session (weakly: the registry never keeps a session alive).
    pub(crate) fn register_session(&self, session: &Arc<Session>) {
        let mut sessions = lock(&self.sessions);
        // Prune only when the vector would grow: amortized O(1) per session.
        if sessions.len() == sessions.capacity() {
            sessions.retain(|s| s.strong_count() > 0);
        }
        sessions.push(Arc::downgrade(session));
    }

    fn live_sessions(&self) -> Vec<Arc<Session>> {
        lock(&self.sessions)
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Sends a notification to every initialized session that `select` accepts; returns how
    /// many it was queued for.
    fn broadcast(
        &self,
        method: &'static str,
        params: Option<serde_json::Value>,
        select: impl Fn(&Session) -> bool,
    ) -> usize {
        let mut sent = 0;
        for session in self.live_sessions() {
            if !session.is_ready() || !select(&session) {
                continue;
            }
            if let Some(peer) = session.peer.get()
                && deliver(peer, method, params.as_ref())
            {
                sent += 1;
            }
        }
        sent
    }

    fn list_changed(&self, method: &'static str) {
        let n = self.broadcast(method, None, |_| true);
        tracing::debug!(method, sessions = n, "sent list change");
    }

    /// Sends `notifications/resources/updated` to the sessions subscribed to `uri` (or to a
    /// resource `uri` is a sub-resource of).
    pub(crate) fn resource_updated(&self, uri: &str) -> usize {
        let params = serde_json::json!({ "uri": uri });
        self.broadcast("notifications/resources/updated", Some(params), |s| {
            s.is_subscribed(uri)
        })
    }

    // ---- tools ------------------------------------------------------------------------------

    /// Connects the catalog to the server it serves, applying tool changes made before.
    pub(crate) fn attach(&self, shared: &Arc<ServerShared>) {
        let mut pending = lock(&self.pending_tools);
        if self.server.set(Arc::downgrade(shared)).is_err() {
            return;
        }
        for change in pending.drain(..) {
            apply_tool_change(shared, change);
        }
    }

    fn change_tools(&self, change: ToolChange) -> bool {
        let shared = {
            let mut pending = lock(&self.pending_tools);
            match self.server.get() {
                Some(weak) => weak.upgrade(),
                None => {
                    let known = match &change {
                        ToolChange::Add(_) => true,
                        ToolChange::Remove(name) => !pending
                            .iter()
                            .any(|c| matches!(c, ToolChange::Remove(n) if n == name)),
                    };
                    pending.push(change);
                    return known;
                }
            }
        };
        let Some(shared) = shared else {
            return false;
        };
        let changed = apply_tool_change(&shared, change);
        if changed {
            self.list_changed("notifications/tools/list_changed");
        }
        changed
    }
}

fn apply_tool_change(shared: &ServerShared, change: ToolChange) -> bool {
    let mut guard = shared.tools.write().unwrap_or_else(|e| e.into_inner());
    let mut next = ToolRegistry::clone(&guard);
    let changed = match change {
        ToolChange::Add(def) => {
            next.insert(def);
            true
        }
        ToolChange::Remove(name) => {
            if next.get(&name).is_none() {
                return false;
            }
            let mut rebuilt = ToolRegistry::default();
            for def in next.defs.iter().filter(|d| d.name() != name) {
                rebuilt.insert(def.clone());
            }
            next = rebuilt;
            true
        }
    };
    *guard = Arc::new(next);
    changed
}

/// Queues a notification without waiting; when the outgoing queue is full, a task waits for
/// room instead (so a notification is never silently dropped while the connection lives).
fn deliver(peer: &Peer, method: &'static str, params: Option<&serde_json::Value>) -> bool {
    if peer.is_closed() {
        return false;
    }
    if peer.try_notify(method, params, None) {
        return true;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return false;
    };
    let peer = peer.clone();
    let params = params.cloned();
    mcp_core::rt::spawn_on(&runtime, async move {
        let _ = peer.notify(method, params.as_ref()).await;
    });
    true
}

// ---------------------------------------------------------------------------------------------
// Run-time changes and notifications, from a handle or a handler

/// Changing what the server offers while it runs, and notifying subscribers.
///
/// Every change is sent to every initialized session as the matching
/// `notifications/{tools,resources,prompts}/list_changed` (the server declares `listChanged` on
/// each capability it advertises). A client learns which capabilities exist only at
/// `initialize`: a server that starts with no resources (or no prompts, or no tools) does not
/// advertise them, so register at least one at startup if more will come later. Changes made
/// before the server is served are applied when it starts.
///
/// A handler reaches the same handle by taking a `ServerHandle` parameter, or with
/// [`Context::server`].
impl ServerHandle {
    /// Sends `notifications/resources/updated` for `uri` to every session subscribed to it (or
    /// to a resource it is a sub-resource of, such as `file:///dir` for `file:///dir/a.txt`).
    /// Returns how many sessions it was sent to. Call it after the resource changed; clients
    /// then read it again.
    pub fn notify_resource_updated(&self, uri: impl AsRef<str>) -> usize {
        self.catalog.resource_updated(uri.as_ref())
    }

    /// Adds (or replaces) a tool while the server runs, and tells every client with
    /// `notifications/tools/list_changed`.
    pub fn add_tool(&self, tool: impl IntoTool) {
        self.catalog.change_tools(ToolChange::Add(tool.into_tool()));
    }

    /// Removes a tool by name, telling every client; returns whether it existed.
    pub fn remove_tool(&self, name: &str) -> bool {
        self.catalog
            .change_tools(ToolChange::Remove(name.to_owned()))
    }

    /// Adds (or replaces) a fixed resource, telling every client with
    /// `notifications/resources/list_changed`.
    pub fn add_resource(&self, resource: impl IntoResource) {
        self.catalog.add_resource(resource.into_resource());
        self.catalog
            .list_changed("notifications/resources/list_changed");
    }

    /// Removes a fixed resource by URI, telling every client; returns whether it existed.
    pub fn remove_resource(&self, uri: &str) -> bool {
        let removed = self.catalog.resources.update(|r| r.remove(uri));
        if removed {
            self.catalog
                .list_changed("notifications/resources/list_changed");
        }
        removed
    }

    /// Adds (or replaces) a resource template, telling every client with
    /// `notifications/resources/list_changed`.
    pub fn add_resource_template(&self, template: impl IntoResourceTemplate) {
        self.catalog.add_template(template.into_resource_template());
        self.catalog
            .list_changed("notifications/resources/list_changed");
    }

    /// Removes a resource template by its template text, telling every client; returns
    /// whether it existed.
    pub fn remove_resource_template(&self, uri_template: &str) -> bool {
        let removed = self.catalog.templates.update(|r| r.remove(uri_template));
        if removed {
            self.catalog
                .list_changed("notifications/resources/list_changed");
        }
        removed
    }

    /// Adds (or replaces) a prompt, telling every client with
    /// `notifications/prompts/list_changed`.
    pub fn add_prompt(&self, prompt: impl IntoPrompt) {
        self.catalog.add_prompt(prompt.into_prompt());
        self.catalog
            .list_changed("notifications/prompts/list_changed");
    }

    /// Removes a prompt by name, telling every client; returns whether it existed.
    pub fn remove_prompt(&self, name: &str) -> bool {
        let removed = self.catalog.prompts.update(|r| r.remove(name));
        if removed {
            self.catalog
                .list_changed("notifications/prompts/list_changed");
        }
        removed
    }
}

/// A handler can take the server's handle as a parameter, to change the lists or notify
/// subscribers.
impl FromContext for ServerHandle {
    fn from_context(ctx: &Context) -> Result<Self, McpError> {
        Ok(ctx.server())
    }
}

impl Context {
    /// A handle to the server handling this request: change its tools, resources and prompts,
    /// notify subscribers, or stop it.
    pub fn server(&self) -> ServerHandle {
        self.session().server().handle.clone()
    }

    /// Sends `notifications/resources/updated` for `uri` to every subscribed session (see
    /// [`ServerHandle::notify_resource_updated`]); returns how many.
    pub fn notify_resource_updated(&self, uri: impl AsRef<str>) -> usize {
        self.session()
            .server()
            .catalog
            .resource_updated(uri.as_ref())
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

/// One page of `items` (cursor handling as for `tools/list`).
fn page<T: Clone>(
    session: &Session,
    params: Option<&RawJson>,
    items: &[T],
) -> Result<(Vec<T>, Option<String>), McpError> {
    let cursor = parse_cursor(params)?;
    let size = session.server().config.page_size.max(1);
    let start = match cursor {
        None => 0,
        Some(c) => decode_cursor(&c, items.len())?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| encode_cursor(end));
    Ok((items[start..end].to_vec(), next))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<T: Serialize> {
    #[serde(flatten)]
    items: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct UriParams {
    uri: String,
    #[serde(rename = "_meta", default)]
    meta: Option<JsonObject>,
}

impl Session {
    /// `resources/list`.
    pub(crate) fn list_resources(&self, params: Option<&RawJson>) -> HandlerResult {
        #[derive(Serialize)]
        struct Items<'a> {
            resources: Vec<&'a mcp_core::model::Resource>,
        }
        let registry = self.server().catalog.resources.snapshot();
        let (defs, next_cursor) = page(self, params, &registry.items)?;
        let items = Items {
            resources: defs.iter().map(ResourceDef::descriptor).collect(),
        };
        to_raw(&Page { items, next_cursor })
    }

    /// `resources/templates/list`.
    pub(crate) fn list_resource_templates(&self, params: Option<&RawJson>) -> HandlerResult {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Items<'a> {
            resource_templates: Vec<&'a mcp_core::model::ResourceTemplate>,
        }
        let registry = self.server().catalog.templates.snapshot();
        let (defs, next_cursor) = page(self, params, &registry.items)?;
        let items = Items {
            resource_templates: defs.iter().map(ResourceTemplateDef::descriptor).collect(),
        };
        to_raw(&Page { items, next_cursor })
    }

    /// `resources/read`: fixed resources first, then templates in registration order.
    pub(crate) fn read_resource(
        self: &Arc<Self>,
        params: Option<Box<RawJson>>,
        cx: RequestContext,
    ) -> Dispatch {
        let p: UriParams = match parse_params(params.as_deref()) {
            Ok(p) => p,
            Err(e) => return Dispatch::Reply(Err(e)),
        };
        let Some(target) = self.server().catalog.resolve(&p.uri) else {
            return Dispatch::Reply(Err(McpError::resource_not_found(p.uri)));
        };
        let uri: Arc<str> = Arc::from(p.uri);
        let ctx = Context::new(cx, self.clone(), p.meta, None);
        let read = match target {
            Target::Fixed(def) => def.read(ctx.clone(), uri),
            Target::Template(def, captures) => def.read(ctx.clone(), uri, captures),
        };
        let fut = crate::logging::scope(ctx, read);
        Dispatch::Spawn(Box::pin(async move { to_raw(&fut.await?) }))
    }

    /// `resources/subscribe`: the URI must name a resource (or match a template).
    pub(crate) fn subscribe(&self, params: Option<&RawJson>) -> HandlerResult {
        let p: UriParams = parse_params(params)?;
        if self.server().catalog.resolve(&p.uri).is_none() {
            return Err(McpError::resource_not_found(p.uri));
        }
        lock(&self.subscriptions).insert(p.uri);
        to_raw(&serde_json::json!({}))
    }

    /// `resources/unsubscribe`.
    pub(crate) fn unsubscribe(&self, params: Option<&RawJson>) -> HandlerResult {
        let p: UriParams = parse_params(params)?;
        lock(&self.subscriptions).remove(&p.uri);
        to_raw(&serde_json::json!({}))
    }

    /// Whether this session subscribed to `uri` or to a resource `uri` is below.
    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        let subscriptions = lock(&self.subscriptions);
        subscriptions.contains(uri)
            || subscriptions.iter().any(|s| {
                uri.strip_prefix(s.as_str())
                    .is_some_and(|rest| s.ends_with('/') || rest.starts_with('/'))
            })
    }

    /// `prompts/list`.
    pub(crate) fn list_prompts(&self, params: Option<&RawJson>) -> HandlerResult {
        #[derive(Serialize)]
        struct Items<'a> {
            prompts: Vec<&'a mcp_core::model::Prompt>,
        }
        let registry = self.server().catalog.prompts.snapshot();
        let (defs, next_cursor) = page(self, params, &registry.items)?;
        let items = Items {
            prompts: defs.iter().map(PromptDef::descriptor).collect(),
        };
        to_raw(&Page { items, next_cursor })
    }

    /// `prompts/get`.
    pub(crate) fn get_prompt(
        self: &Arc<Self>,
        params: Option<Box<RawJson>>,
        cx: RequestContext,
    ) -> Dispatch {
        #[derive(Deserialize)]
        struct P {
            name: String,
            #[serde(default)]
            arguments: Option<BTreeMap<String, String>>,
            #[serde(rename = "_meta", default)]
            meta: Option<JsonObject>,
        }
        let p: P = match parse_params(params.as_deref()) {
            Ok(p) => p,
            Err(e) => return Dispatch::Reply(Err(e)),
        };
        let prompts = self.server().catalog.prompts.snapshot();
        let Some(prompt) = prompts.get(&p.name) else {
            return Dispatch::Reply(Err(McpError::invalid_params(format!(
                "Unknown prompt: {}",
                p.name
            ))));
        };
        let ctx = Context::new(cx, self.clone(), p.meta, None);
        let fut = crate::logging::scope(
            ctx.clone(),
            prompt.get(ctx, p.arguments.unwrap_or_default()),
        );
        Dispatch::Spawn(Box::pin(async move { to_raw(&fut.await?) }))
    }

    /// `completion/complete`, for prompt arguments and template variables.
    pub(crate) fn complete(
        self: &Arc<Self>,
        params: Option<Box<RawJson>>,
        cx: RequestContext,
    ) -> Dispatch {
        match self.completion(params.as_deref(), cx) {
            Ok(fut) => Dispatch::Spawn(fut),
            Err(e) => Dispatch::Reply(Err(e)),
        }
    }

    fn completion(
        self: &Arc<Self>,
        params: Option<&RawJson>,
        cx: RequestContext,
    ) -> Result<mcp_core::peer::BoxFuture<'static, HandlerResult>, McpError> {
        let p: CompleteRequestParams = parse_params(params)?;
        let catalog = &self.server().catalog;
        let argument = p.argument.name;
        let completer = match &p.reference {
            Reference::Prompt(r) => {
                let prompts = catalog.prompts.snapshot();
                let prompt = prompts.get(&r.name).ok_or_else(|| {
                    McpError::invalid_params(format!("Unknown prompt: {}", r.name))
                })?;
                let declared = prompt
                    .prompt
                    .arguments
                    .iter()
                    .flatten()
                    .any(|a| a.name == argument);
                if !declared {
                    return Err(McpError::invalid_params(format!(
                        "Prompt `{}` has no argument `{argument}`",
                        r.name
                    )));
                }
                prompt.completers.get(&argument).cloned()
            }
            Reference::ResourceTemplate(r) => {
                let templates = catalog.templates.snapshot();
                let template = templates.get(&r.uri).ok_or_else(|| {
                    McpError::invalid_params(format!("Unknown resource template: {}", r.uri))
                })?;
                if !template.parsed.variables().any(|v| v == argument) {
                    return Err(McpError::invalid_params(format!(
                        "Resource template `{}` has no variable `{argument}`",
                        r.uri
                    )));
                }
                template.completers.get(&argument).cloned()
            }
            _ => return Err(McpError::invalid_params("Unsupported completion reference")),
        };
        let ctx = Context::new(cx, self.clone(), None, None);
        let request = CompletionRequest {
            ctx: ctx.clone(),
            argument,
            value: p.argument.value,
            arguments: p.context.and_then(|c| c.arguments).unwrap_or_default(),
        };
        let fut = crate::logging::scope(ctx, completion::run(completer, request));
        Ok(Box::pin(async move { to_raw(&fut.await?) }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::{Value, json};
    use tokio::io::{
        AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
    };

    use crate::completion::CompletionRequest;
    use crate::prompt::PromptDef;
    use crate::resource::{ResourceDef, ResourceTemplateDef};
    use crate::tool::{ArgsSchema, ToolDef, text_result};
    use crate::{McpError, Server, ServerHandle};
    use mcp_core::uri_template::UriTemplate;

    /// A client over an in-memory pipe.
    struct Pipe {
        write: WriteHalf<DuplexStream>,
        lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
        next_id: i64,
        notifications: Vec<Value>,
    }

    impl Pipe {
        async fn start(server: Server) -> (Self, Value) {
            let (client, server_io) = tokio::io::duplex(1 << 16);
            let (r, w) = tokio::io::split(server_io);
            tokio::spawn(server.serve_stream(r, w));
            let (read, write) = tokio::io::split(client);
            let mut pipe = Self {
                write,
                lines: BufReader::new(read).lines(),
                next_id: 1,
                notifications: Vec::new(),
            };
            let init = pipe
                .request(
                    "initialize",
                    json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
                )
                .await;
            pipe.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .await;
            (pipe, init["result"].clone())
        }

        async fn send(&mut self, msg: Value) {
            self.write
                .write_all(format!("{msg}\n").as_bytes())
                .await
                .unwrap();
        }

        async fn recv(&mut self) -> Value {
            let line = tokio::time::timeout(Duration::from_secs(5), self.lines.next_line())
                .await
                .expect("timed out")
                .unwrap()
                .expect("connection open");
            serde_json::from_str(&line).unwrap()
        }

        async fn request(&mut self, method: &str, params: Value) -> Value {
            let id = self.next_id;
            self.next_id += 1;
            self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
                .await;
            loop {
                let msg = self.recv().await;
                if msg.get("method").is_some() {
                    self.notifications.push(msg);
                } else if msg["id"] == id {
                    return msg;
                }
            }
        }

        async fn notification(&mut self, method: &str) -> Value {
            if let Some(i) = self
                .notifications
                .iter()
                .position(|n| n["method"] == method)
            {
                return self.notifications.remove(i);
            }
            loop {
                let msg = self.recv().await;
                if msg["method"] == method {
                    return msg;
                }
                self.notifications.push(msg);
            }
        }
    }

    fn code(resp: &Value) -> i64 {
        resp["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("not an error: {resp}"))
    }

    async fn complete_color(request: CompletionRequest) -> Vec<String> {
        let mut colors = request.matching(["red", "green", "grey"]);
        if request.resolved("shade") == Some("dark") {
            colors.iter_mut().for_each(|c| c.insert_str(0, "dark "));
        }
        colors
    }

    fn server() -> Server {
        Server::new("catalog-test")
            .version("1.0.0")
            .resource(
                ResourceDef::builder("mem://hello", "hello")
                    .mime_type("text/plain")
                    .handler(|r| async move { r.respond("hello") }),
            )
            .resource_template(
                ResourceTemplateDef::builder(
                    UriTemplate::parse("mem://items/{id}").unwrap(),
                    "item",
                )
                .complete("id", |r: CompletionRequest| async move {
                    (0..150)
                        .map(|i| i.to_string())
                        .filter(|s| s.starts_with(r.value()))
                        .collect::<Vec<_>>()
                })
                .handler(|r| async move {
                    let id: u32 = r.variable("id")?;
                    Ok::<_, McpError>(format!("item {id}"))
                }),
            )
            .resource_template(
                ResourceTemplateDef::builder(
                    UriTemplate::parse("mem://{+any}").unwrap(),
                    "fallback",
                )
                .handler(|r| async move {
                    match r.captures().get("any") {
                        Some("missing") => Err(McpError::resource_not_found(r.uri())),
                        other => Ok(format!("fallback {other:?}")),
                    }
                }),
            )
            .prompt(
                PromptDef::builder("paint")
                    .description("Paint something")
                    .argument("color", None, true)
                    .argument("shade", None, false)
                    .complete("color", complete_color)
                    .handler(|call| async move {
                        let color: String = call.required("color")?;
                        Ok::<_, McpError>(format!("paint it {color}"))
                    }),
            )
    }

    #[tokio::test]
    async fn capabilities_follow_what_is_registered() {
        let (_pipe, init) = Pipe::start(server()).await;
        let caps = &init["capabilities"];
        assert_eq!(
            caps["resources"],
            json!({"subscribe": true, "listChanged": true})
        );
        assert_eq!(caps["prompts"], json!({"listChanged": true}));
        assert_eq!(caps["completions"], json!({}));
        assert!(caps.get("tools").is_none());

        let (mut bare, init) = Pipe::start(Server::new("bare")).await;
        let caps = &init["capabilities"];
        for absent in ["resources", "prompts", "completions"] {
            assert!(caps.get(absent).is_none(), "{absent}: {caps}");
        }
        assert_eq!(
            code(&bare.request("resources/list", json!({})).await),
            -32601
        );
        assert_eq!(code(&bare.request("prompts/list", json!({})).await), -32601);
    }

    #[tokio::test]
    async fn reads_go_to_fixed_resources_first_then_templates_in_order() {
        let (mut p, _) = Pipe::start(server()).await;
        let r = p
            .request("resources/read", json!({"uri": "mem://hello"}))
            .await;
        assert_eq!(
            r["result"]["contents"],
            json!([{"uri": "mem://hello", "mimeType": "text/plain", "text": "hello"}])
        );
        let r = p
            .request("resources/read", json!({"uri": "mem://items/7"}))
            .await;
        assert_eq!(r["result"]["contents"][0]["text"], "item 7");
        // `items/x` does not parse as u32: the first matching template answers -32602.
        let r = p
            .request("resources/read", json!({"uri": "mem://items/x"}))
            .await;
        assert_eq!(code(&r), -32602);
        assert!(
            r["error"]["message"].as_str().unwrap().contains("`id`"),
            "{r}"
        );
        let r = p
            .request("resources/read", json!({"uri": "mem://other/thing"}))
            .await;
        assert_eq!(
            r["result"]["contents"][0]["text"],
            "fallback Some(\"other/thing\")"
        );
        let r = p
            .request("resources/read", json!({"uri": "mem://missing"}))
            .await;
        assert_eq!(code(&r), -32002);
        let r = p
            .request("resources/read", json!({"uri": "nothing://here"}))
            .await;
        assert_eq!(code(&r), -32002);
        assert_eq!(r["error"]["data"]["uri"], "nothing://here");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("nothing://here")
        );
        let r = p.request("resources/read", json!({})).await;
        assert_eq!(code(&r), -32602);
    }

    #[tokio::test]
    async fn lists_are_paginated() {
        let mut s = server().configure(|c| c.page_size = 1);
        for i in 0..3 {
            s = s.resource(
                ResourceDef::builder(format!("mem://r{i}"), format!("r{i}"))
                    .handler(|r| async move { r.respond("x") }),
            );
        }
        let (mut p, _) = Pipe::start(s).await;
        let mut uris = Vec::new();
        let mut cursor = None::<String>;
        loop {
            let params = cursor.map_or(json!({}), |c| json!({"cursor": c}));
            let r = p.request("resources/list", params).await;
            for res in r["result"]["resources"].as_array().unwrap() {
                uris.push(res["uri"].as_str().unwrap().to_owned());
            }
            match r["result"]["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(uris, ["mem://hello", "mem://r0", "mem://r1", "mem://r2"]);
        let r = p.request("resources/templates/list", json!({})).await;
        assert_eq!(
            r["result"]["resourceTemplates"][0]["uriTemplate"],
            "mem://items/{id}"
        );
        assert!(r["result"]["nextCursor"].is_string());
        let r = p
            .request("resources/list", json!({"cursor": "bogus"}))
            .await;
        assert_eq!(code(&r), -32602);
    }

    #[tokio::test]
    async fn prompts_check_their_arguments() {
        let (mut p, _) = Pipe::start(server()).await;
        let r = p.request("prompts/list", json!({})).await;
        assert_eq!(
            r["result"]["prompts"][0]["arguments"],
            json!([{"name": "color", "required": true}, {"name": "shade", "required": false}])
        );
        let r = p
            .request(
                "prompts/get",
                json!({"name": "paint", "arguments": {"color": "red"}}),
            )
            .await;
        assert_eq!(
            r["result"]["messages"][0]["content"]["text"],
            "paint it red"
        );
        assert_eq!(r["result"]["messages"][0]["role"], "user");
        let r = p.request("prompts/get", json!({"name": "paint"})).await;
        assert_eq!(code(&r), -32602);
        assert!(
            r["error"]["message"].as_str().unwrap().contains("`color`"),
            "{r}"
        );
        let r = p
            .request(
                "prompts/get",
                json!({"name": "paint", "arguments": {"color": "red", "size": "xl"}}),
            )
            .await;
        assert!(
            r["error"]["message"].as_str().unwrap().contains("`size`"),
            "{r}"
        );
        let r = p.request("prompts/get", json!({"name": "nope"})).await;
        assert_eq!(code(&r), -32602);
        assert!(r["error"]["message"].as_str().unwrap().contains("nope"));
        let r = p
            .request(
                "prompts/get",
                json!({"name": "paint", "arguments": {"color": 1}}),
            )
            .await;
        assert_eq!(code(&r), -32602);
    }

    #[tokio::test]
    async fn completions_use_context_and_are_capped() {
        let (mut p, _) = Pipe::start(server()).await;
        let r = p
            .request(
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "paint"}, "argument": {"name": "color", "value": "gr"}}),
            )
            .await;
        assert_eq!(
            r["result"]["completion"]["values"],
            json!(["green", "grey"])
        );
        let r = p
            .request(
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "paint"}, "argument": {"name": "color", "value": "r"},
                       "context": {"arguments": {"shade": "dark"}}}),
            )
            .await;
        assert_eq!(r["result"]["completion"]["values"], json!(["dark red"]));
        let r = p
            .request(
                "completion/complete",
                json!({"ref": {"type": "ref/resource", "uri": "mem://items/{id}"}, "argument": {"name": "id", "value": ""}}),
            )
            .await;
        let completion = &r["result"]["completion"];
        assert_eq!(completion["values"].as_array().unwrap().len(), 100);
        assert_eq!(completion["total"], 150);
        assert_eq!(completion["hasMore"], true);
        // An argument without a completer completes to nothing.
        let r = p
            .request(
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "paint"}, "argument": {"name": "shade", "value": ""}}),
            )
            .await;
        assert_eq!(r["result"]["completion"]["values"], json!([]));
        for bad in [
            json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/prompt", "name": "paint"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/resource", "uri": "mem://nope/{x}"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/resource", "uri": "mem://items/{id}"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/other"}, "argument": {"name": "x", "value": ""}}),
        ] {
            let r = p.request("completion/complete", bad.clone()).await;
            assert_eq!(code(&r), -32602, "{bad} -> {r}");
        }
    }

    #[tokio::test]
    async fn subscribers_are_notified_and_only_them() {
        let server = server();
        let handle = server.handle();
        let (mut p, _) = Pipe::start(server).await;
        assert_eq!(handle.notify_resource_updated("mem://items/1"), 0);
        let r = p
            .request("resources/subscribe", json!({"uri": "mem://items/1"}))
            .await;
        assert_eq!(r["result"], json!({}));
        let r = p
            .request("resources/subscribe", json!({"uri": "zzz://unknown"}))
            .await;
        assert_eq!(code(&r), -32002);
        assert_eq!(handle.notify_resource_updated("mem://items/2"), 0);
        assert_eq!(handle.notify_resource_updated("mem://items/1"), 1);
        let n = p.notification("notifications/resources/updated").await;
        assert_eq!(n["params"], json!({"uri": "mem://items/1"}));
        // Sub-resources of a subscribed URI count too.
        p.request("resources/subscribe", json!({"uri": "mem://dir"}))
            .await;
        assert_eq!(handle.notify_resource_updated("mem://dir/a.txt"), 1);
        assert_eq!(handle.notify_resource_updated("mem://directory"), 0);
        let r = p
            .request("resources/unsubscribe", json!({"uri": "mem://items/1"}))
            .await;
        assert_eq!(r["result"], json!({}));
        assert_eq!(handle.notify_resource_updated("mem://items/1"), 0);
    }

    #[tokio::test]
    async fn run_time_changes_are_announced() {
        let server = server().tool(
            ToolDef::builder("t1")
                .input_schema(ArgsSchema::new().finish())
                .handler(|_| async { Ok(text_result("1")) }),
        );
        let handle: ServerHandle = server.handle();
        // A change before serving is applied when the server starts.
        handle.add_tool(
            ToolDef::builder("early")
                .input_schema(ArgsSchema::new().finish())
                .handler(|_| async { Ok(text_result("early")) }),
        );
        let (mut p, init) = Pipe::start(server).await;
        assert_eq!(init["capabilities"]["tools"]["listChanged"], true);
        let names = |r: &Value, key: &str, field: &str| -> Vec<String> {
            r["result"][key]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t[field].as_str().unwrap().to_owned())
                .collect()
        };
        let r = p.request("tools/list", json!({})).await;
        assert_eq!(names(&r, "tools", "name"), ["t1", "early"]);

        assert!(handle.remove_tool("t1"));
        assert!(!handle.remove_tool("t1"));
        p.notification("notifications/tools/list_changed").await;
        let r = p.request("tools/list", json!({})).await;
        assert_eq!(names(&r, "tools", "name"), ["early"]);

        handle.add_resource(
            ResourceDef::builder("mem://late", "late")
                .handler(|r| async move { r.respond("late") }),
        );
        p.notification("notifications/resources/list_changed").await;
        let r = p
            .request("resources/read", json!({"uri": "mem://late"}))
            .await;
        assert_eq!(r["result"]["contents"][0]["text"], "late");
        assert!(handle.remove_resource("mem://late"));
        p.notification("notifications/resources/list_changed").await;
        assert!(handle.remove_resource_template("mem://items/{id}"));
        p.notification("notifications/resources/list_changed").await;
        let r = p.request("resources/templates/list", json!({})).await;
        assert_eq!(
            names(&r, "resourceTemplates", "uriTemplate"),
            ["mem://{+any}"]
        );

        assert!(handle.remove_prompt("paint"));
        let n = p.notification("notifications/prompts/list_changed").await;
        assert!(n.get("params").is_none(), "{n}");
        handle.add_prompt(PromptDef::builder("again").handler(|_| async { "again" }));
        p.notification("notifications/prompts/list_changed").await;
        let r = p.request("prompts/get", json!({"name": "again"})).await;
        assert_eq!(r["result"]["messages"][0]["content"]["text"], "again");
    }
}
