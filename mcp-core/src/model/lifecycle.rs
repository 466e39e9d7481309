//! The `initialize` handshake and the capabilities each side declares in it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::JsonObject;
use crate::model::common::{Implementation, RequestMeta};

/// Params of `initialize`, sent by the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeRequestParams {
    /// `protocolVersion`: the newest revision the client speaks.
    pub protocol_version: String,
    /// `capabilities`: what the client supports.
    pub capabilities: ClientCapabilities,
    /// `clientInfo`: who the client is.
    pub client_info: Implementation,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl InitializeRequestParams {
    /// Params offering `protocol_version` with these capabilities and client info.
    pub fn new(
        protocol_version: impl Into<String>,
        capabilities: ClientCapabilities,
        client_info: Implementation,
    ) -> Self {
        Self {
            protocol_version: protocol_version.into(),
            capabilities,
            client_info,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(InitializeRequestParams {
    with_meta => meta: RequestMeta,
});

/// Result of `initialize`: the server's chosen revision, capabilities and identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeResult {
    /// `protocolVersion`: the revision the server will speak.
    pub protocol_version: String,
    /// `capabilities`: what the server supports.
    pub capabilities: ServerCapabilities,
    /// `serverInfo`: who the server is.
    pub server_info: Implementation,
    /// `instructions`: hints on using the server, e.g. for a system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl InitializeResult {
    /// A result answering with `protocol_version`, these capabilities and server info.
    pub fn new(
        protocol_version: impl Into<String>,
        capabilities: ServerCapabilities,
        server_info: Implementation,
    ) -> Self {
        Self {
            protocol_version: protocol_version.into(),
            capabilities,
            server_info,
            instructions: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(InitializeResult {
    with_instructions => instructions: String,
    with_meta => meta: JsonObject,
});

// ---------------------------------------------------------------------------------------------
// Client capabilities

/// What a client supports (`capabilities` in `initialize` params). `{}` in a sub-field means
/// "supported".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientCapabilities {
    /// `experimental`: non-standard features, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<BTreeMap<String, JsonObject>>,
    /// `roots`: the client answers `roots/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roots: Option<RootsCapability>,
    /// `sampling`: the client answers `sampling/createMessage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingCapability>,
    /// `elicitation`: the client answers `elicitation/create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<ElicitationCapability>,
    /// `tasks`: the client runs task-augmented requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<ClientTasksCapability>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ClientCapabilities {
    /// No capabilities.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ClientCapabilities {
    with_experimental => experimental: BTreeMap<String, JsonObject>,
    with_roots => roots: RootsCapability,
    with_sampling => sampling: SamplingCapability,
    with_elicitation => elicitation: ElicitationCapability,
    with_tasks => tasks: ClientTasksCapability,
});

/// The client's `roots` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RootsCapability {
    /// `listChanged`: the client sends `notifications/roots/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl RootsCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(RootsCapability {
    with_list_changed => list_changed: bool,
});

/// The client's `sampling` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SamplingCapability {
    /// `context`: the client honours `includeContext` other than `"none"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<JsonObject>,
    /// `tools`: the client accepts `tools` and `toolChoice` in sampling requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl SamplingCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SamplingCapability {
    with_context => context: JsonObject,
    with_tools => tools: JsonObject,
});

/// The client's `elicitation` capability. `{}` means form mode only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitationCapability {
    /// `form`: the client handles form-mode elicitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<JsonObject>,
    /// `url`: the client handles URL-mode elicitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitationCapability {
    /// `{}` (form mode only).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether form mode is supported: declared, or implied by declaring neither mode.
    pub fn supports_form(&self) -> bool {
        self.form.is_some() || self.url.is_none()
    }

    /// Whether URL mode is supported.
    pub fn supports_url(&self) -> bool {
        self.url.is_some()
    }
}

setters!(ElicitationCapability {
    with_form => form: JsonObject,
    with_url => url: JsonObject,
});

/// The client's `tasks` capability: which of its requests may run as tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientTasksCapability {
    /// `list`: the client answers `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<JsonObject>,
    /// `cancel`: the client answers `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<JsonObject>,
    /// `requests`: the request types that may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ClientTaskRequestsCapability>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ClientTasksCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ClientTasksCapability {
    with_list => list: JsonObject,
    with_cancel => cancel: JsonObject,
    with_requests => requests: ClientTaskRequestsCapability,
});

/// `tasks.requests` of the client: server-to-client requests it can run as tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientTaskRequestsCapability {
    /// `sampling`: task support for sampling requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingTasksCapability>,
    /// `elicitation`: task support for elicitation requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<ElicitationTasksCapability>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ClientTaskRequestsCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ClientTaskRequestsCapability {
    with_sampling => sampling: SamplingTasksCapability,
    with_elicitation => elicitation: ElicitationTasksCapability,
});

/// `tasks.requests.sampling` of the client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SamplingTasksCapability {
    /// `createMessage`: `sampling/createMessage` may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_message: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl SamplingTasksCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SamplingTasksCapability {
    with_create_message => create_message: JsonObject,
});

/// `tasks.requests.elicitation` of the client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitationTasksCapability {
    /// `create`: `elicitation/create` may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitationTasksCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ElicitationTasksCapability {
    with_create => create: JsonObject,
});

// ---------------------------------------------------------------------------------------------
// Server capabilities

/// What a server supports (`capabilities` in the `initialize` result). `{}` in a sub-field
/// means "supported".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerCapabilities {
    /// `experimental`: non-standard features, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<BTreeMap<String, JsonObject>>,
    /// `logging`: the server sends log messages and answers `logging/setLevel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<JsonObject>,
    /// `completions`: the server answers `completion/complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<JsonObject>,
    /// `prompts`: the server offers prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<PromptsCapability>,
    /// `resources`: the server offers resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesCapability>,
    /// `tools`: the server offers tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsCapability>,
    /// `tasks`: the server runs task-augmented requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<ServerTasksCapability>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ServerCapabilities {
    /// No capabilities.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ServerCapabilities {
    with_experimental => experimental: BTreeMap<String, JsonObject>,
    with_logging => logging: JsonObject,
    with_completions => completions: JsonObject,
    with_prompts => prompts: PromptsCapability,
    with_resources => resources: ResourcesCapability,
    with_tools => tools: ToolsCapability,
    with_tasks => tasks: ServerTasksCapability,
});

/// The server's `prompts` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptsCapability {
    /// `listChanged`: the server sends `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl PromptsCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(PromptsCapability {
    with_list_changed => list_changed: bool,
});

/// The server's `resources` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourcesCapability {
    /// `subscribe`: the server answers `resources/subscribe` and `resources/unsubscribe`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<bool>,
    /// `listChanged`: the server sends `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ResourcesCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ResourcesCapability {
    with_subscribe => subscribe: bool,
    with_list_changed => list_changed: bool,
});

/// The server's `tools` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolsCapability {
    /// `listChanged`: the server sends `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolsCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ToolsCapability {
    with_list_changed => list_changed: bool,
});

/// The server's `tasks` capability: which of its requests may run as tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerTasksCapability {
    /// `list`: the server answers `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<JsonObject>,
    /// `cancel`: the server answers `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<JsonObject>,
    /// `requests`: the request types that may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ServerTaskRequestsCapability>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ServerTasksCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ServerTasksCapability {
    with_list => list: JsonObject,
    with_cancel => cancel: JsonObject,
    with_requests => requests: ServerTaskRequestsCapability,
});

/// `tasks.requests` of the server: client-to-server requests it can run as tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerTaskRequestsCapability {
    /// `tools`: task support for tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsTasksCapability>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ServerTaskRequestsCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ServerTaskRequestsCapability {
    with_tools => tools: ToolsTasksCapability,
});

/// `tasks.requests.tools` of the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolsTasksCapability {
    /// `call`: `tools/call` may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolsTasksCapability {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ToolsTasksCapability {
    with_call => call: JsonObject,
});
