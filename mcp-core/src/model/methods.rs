//! Method names and the typed pairing of each method with its params and result.
//!
//! Every method of revision 2025-11-25 has a zero-sized marker in [`method`] implementing
//! [`Request`] or [`Notification`], so generic code can send and decode messages by type:
//!
//! ```
//! use mcp_core::model::{method, Request, CallToolRequestParams};
//! fn name_of<R: Request>() -> &'static str { R::METHOD }
//! assert_eq!(name_of::<method::CallTool>(), "tools/call");
//! let _params: <method::CallTool as Request>::Params = CallToolRequestParams::new("echo");
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::McpError;
use crate::jsonrpc::RawJson;

/// A request method: its name, its params type and its result type.
pub trait Request {
    /// The `method` string on the wire.
    const METHOD: &'static str;
    /// The type of `params`. Methods whose params are optional use a type whose fields are all
    /// optional, so absent params decode like `{}` (see [`decode_params`]).
    type Params: Serialize + DeserializeOwned + Send + 'static;
    /// The type of `result` in a successful response.
    type Result: Serialize + DeserializeOwned + Send + 'static;
}

/// A notification method: its name and its params type.
pub trait Notification {
    /// The `method` string on the wire.
    const METHOD: &'static str;
    /// The type of `params`.
    type Params: Serialize + DeserializeOwned + Send + 'static;
}

/// Decodes the raw `params` of a request or notification, reading absent params as `{}`.
/// A failure is a -32602 error whose message says what did not fit.
pub fn decode_params<P: DeserializeOwned>(params: Option<&RawJson>) -> Result<P, McpError> {
    let text = params.map_or("{}", RawJson::get);
    serde_json::from_str(text).map_err(|e| McpError::invalid_params(format!("Invalid params: {e}")))
}

/// The `'static` name of a method this revision defines, so that a decoded message can name its
/// method without allocating; `None` for any other method.
pub fn static_name(method: &str) -> Option<&'static str> {
    use method_names::*;
    Some(match method {
        "initialize" => INITIALIZE,
        "ping" => PING,
        "tools/list" => TOOLS_LIST,
        "tools/call" => TOOLS_CALL,
        "resources/list" => RESOURCES_LIST,
        "resources/templates/list" => RESOURCES_TEMPLATES_LIST,
        "resources/read" => RESOURCES_READ,
        "resources/subscribe" => RESOURCES_SUBSCRIBE,
        "resources/unsubscribe" => RESOURCES_UNSUBSCRIBE,
        "prompts/list" => PROMPTS_LIST,
        "prompts/get" => PROMPTS_GET,
        "completion/complete" => COMPLETION_COMPLETE,
        "logging/setLevel" => LOGGING_SET_LEVEL,
        "sampling/createMessage" => SAMPLING_CREATE_MESSAGE,
        "roots/list" => ROOTS_LIST,
        "elicitation/create" => ELICITATION_CREATE,
        "tasks/get" => TASKS_GET,
        "tasks/result" => TASKS_RESULT,
        "tasks/list" => TASKS_LIST,
        "tasks/cancel" => TASKS_CANCEL,
        "notifications/initialized" => NOTIFICATIONS_INITIALIZED,
        "notifications/cancelled" => NOTIFICATIONS_CANCELLED,
        "notifications/progress" => NOTIFICATIONS_PROGRESS,
        "notifications/message" => NOTIFICATIONS_MESSAGE,
        "notifications/resources/updated" => NOTIFICATIONS_RESOURCES_UPDATED,
        "notifications/resources/list_changed" => NOTIFICATIONS_RESOURCES_LIST_CHANGED,
        "notifications/tools/list_changed" => NOTIFICATIONS_TOOLS_LIST_CHANGED,
        "notifications/prompts/list_changed" => NOTIFICATIONS_PROMPTS_LIST_CHANGED,
        "notifications/roots/list_changed" => NOTIFICATIONS_ROOTS_LIST_CHANGED,
        "notifications/elicitation/complete" => NOTIFICATIONS_ELICITATION_COMPLETE,
        "notifications/tasks/status" => NOTIFICATIONS_TASKS_STATUS,
        _ => return None,
    })
}

/// The `method` strings of revision 2025-11-25, each defined once.
pub mod method_names {
    /// `initialize` (client → server).
    pub const INITIALIZE: &str = "initialize";
    /// `ping` (either direction).
    pub const PING: &str = "ping";
    /// `tools/list`.
    pub const TOOLS_LIST: &str = "tools/list";
    /// `tools/call`.
    pub const TOOLS_CALL: &str = "tools/call";
    /// `resources/list`.
    pub const RESOURCES_LIST: &str = "resources/list";
    /// `resources/templates/list`.
    pub const RESOURCES_TEMPLATES_LIST: &str = "resources/templates/list";
    /// `resources/read`.
    pub const RESOURCES_READ: &str = "resources/read";
    /// `resources/subscribe`.
    pub const RESOURCES_SUBSCRIBE: &str = "resources/subscribe";
    /// `resources/unsubscribe`.
    pub const RESOURCES_UNSUBSCRIBE: &str = "resources/unsubscribe";
    /// `prompts/list`.
    pub const PROMPTS_LIST: &str = "prompts/list";
    /// `prompts/get`.
    pub const PROMPTS_GET: &str = "prompts/get";
    /// `completion/complete`.
    pub const COMPLETION_COMPLETE: &str = "completion/complete";
    /// `logging/setLevel`.
    pub const LOGGING_SET_LEVEL: &str = "logging/setLevel";
    /// `sampling/createMessage` (server → client).
    pub const SAMPLING_CREATE_MESSAGE: &str = "sampling/createMessage";
    /// `roots/list` (server → client).
    pub const ROOTS_LIST: &str = "roots/list";
    /// `elicitation/create` (server → client).
    pub const ELICITATION_CREATE: &str = "elicitation/create";
    /// `tasks/get` (either direction).
    pub const TASKS_GET: &str = "tasks/get";
    /// `tasks/result` (either direction).
    pub const TASKS_RESULT: &str = "tasks/result";
    /// `tasks/list` (either direction).
    pub const TASKS_LIST: &str = "tasks/list";
    /// `tasks/cancel` (either direction).
    pub const TASKS_CANCEL: &str = "tasks/cancel";

    /// `notifications/initialized` (client → server).
    pub const NOTIFICATIONS_INITIALIZED: &str = "notifications/initialized";
    /// `notifications/cancelled` (either direction).
    pub const NOTIFICATIONS_CANCELLED: &str = "notifications/cancelled";
    /// `notifications/progress` (either direction).
    pub const NOTIFICATIONS_PROGRESS: &str = "notifications/progress";
    /// `notifications/message` (server → client).
    pub const NOTIFICATIONS_MESSAGE: &str = "notifications/message";
    /// `notifications/resources/updated` (server → client).
    pub const NOTIFICATIONS_RESOURCES_UPDATED: &str = "notifications/resources/updated";
    /// `notifications/resources/list_changed` (server → client).
    pub const NOTIFICATIONS_RESOURCES_LIST_CHANGED: &str = "notifications/resources/list_changed";
    /// `notifications/tools/list_changed` (server → client).
    pub const NOTIFICATIONS_TOOLS_LIST_CHANGED: &str = "notifications/tools/list_changed";
    /// `notifications/prompts/list_changed` (server → client).
    pub const NOTIFICATIONS_PROMPTS_LIST_CHANGED: &str = "notifications/prompts/list_changed";
    /// `notifications/roots/list_changed` (client → server).
    pub const NOTIFICATIONS_ROOTS_LIST_CHANGED: &str = "notifications/roots/list_changed";
    /// `notifications/elicitation/complete` (server → client).
    pub const NOTIFICATIONS_ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";
    /// `notifications/tasks/status` (either direction).
    pub const NOTIFICATIONS_TASKS_STATUS: &str = "notifications/tasks/status";
}

/// Zero-sized markers, one per method, implementing [`Request`] or [`Notification`].
pub mod method {
    use super::method_names as names;
    use super::{Notification, Request};
    use crate::model::*;

    macro_rules! requests {
        ($($(#[doc = $doc:literal])* $name:ident = $method:expr, $params:ty => $result:ty;)*) => {
            $(
                $(#[doc = $doc])*
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct $name;

                impl Request for $name {
                    const METHOD: &'static str = $method;
                    type Params = $params;
                    type Result = $result;
                }
            )*
        };
    }

    macro_rules! notifications {
        ($($(#[doc = $doc:literal])* $name:ident = $method:expr, $params:ty;)*) => {
            $(
                $(#[doc = $doc])*
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct $name;

                impl Notification for $name {
                    const METHOD: &'static str = $method;
                    type Params = $params;
                }
            )*
        };
    }

    requests! {
        /// `initialize`: the client opens the session.
        Initialize = names::INITIALIZE, InitializeRequestParams => InitializeResult;
        /// `ping`: a liveness check, answered with `{}`.
        Ping = names::PING, RequestParams => EmptyResult;
        /// `tools/list`: one page of tools.
        ListTools = names::TOOLS_LIST, PaginatedRequestParams => ListToolsResult;
        /// `tools/call`: runs a tool. With `task` set, the answer is a [`CreateTaskResult`]
        /// instead.
        CallTool = names::TOOLS_CALL, CallToolRequestParams => CallToolResult;
        /// `resources/list`: one page of resources.
        ListResources = names::RESOURCES_LIST, PaginatedRequestParams => ListResourcesResult;
        /// `resources/templates/list`: one page of resource templates.
        ListResourceTemplates = names::RESOURCES_TEMPLATES_LIST, PaginatedRequestParams => ListResourceTemplatesResult;
        /// `resources/read`: a resource's contents.
        ReadResource = names::RESOURCES_READ, ReadResourceRequestParams => ReadResourceResult;
        /// `resources/subscribe`: watch a resource for updates.
        Subscribe = names::RESOURCES_SUBSCRIBE, SubscribeRequestParams => EmptyResult;
        /// `resources/unsubscribe`: stop watching a resource.
        Unsubscribe = names::RESOURCES_UNSUBSCRIBE, UnsubscribeRequestParams => EmptyResult;
        /// `prompts/list`: one page of prompts.
        ListPrompts = names::PROMPTS_LIST, PaginatedRequestParams => ListPromptsResult;
        /// `prompts/get`: a prompt filled in with arguments.
        GetPrompt = names::PROMPTS_GET, GetPromptRequestParams => GetPromptResult;
        /// `completion/complete`: suggestions for an argument value.
        Complete = names::COMPLETION_COMPLETE, CompleteRequestParams => CompleteResult;
        /// `logging/setLevel`: the least severe log level to send.
        SetLevel = names::LOGGING_SET_LEVEL, SetLevelRequestParams => EmptyResult;
        /// `sampling/createMessage`: the server asks the client's model for a message. With
        /// `task` set, the answer is a [`CreateTaskResult`] instead.
        CreateMessage = names::SAMPLING_CREATE_MESSAGE, CreateMessageRequestParams => CreateMessageResult;
        /// `roots/list`: the client's roots.
        ListRoots = names::ROOTS_LIST, RequestParams => ListRootsResult;
        /// `elicitation/create`: the server asks the user for input. With `task` set, the answer
        /// is a [`CreateTaskResult`] instead.
        Elicit = names::ELICITATION_CREATE, ElicitRequestParams => ElicitResult;
        /// `tasks/get`: a task's current state.
        GetTask = names::TASKS_GET, GetTaskRequestParams => GetTaskResult;
        /// `tasks/result`: a task's final result, which has the result type of the request that
        /// created the task (hence raw JSON here).
        GetTaskPayload = names::TASKS_RESULT, GetTaskPayloadRequestParams => serde_json::Value;
        /// `tasks/list`: one page of tasks.
        ListTasks = names::TASKS_LIST, PaginatedRequestParams => ListTasksResult;
        /// `tasks/cancel`: stops a task.
        CancelTask = names::TASKS_CANCEL, CancelTaskRequestParams => CancelTaskResult;
    }

    notifications! {
        /// `notifications/initialized`: the client finished initialization.
        Initialized = names::NOTIFICATIONS_INITIALIZED, NotificationParams;
        /// `notifications/cancelled`: the sender abandons a request.
        Cancelled = names::NOTIFICATIONS_CANCELLED, CancelledNotificationParams;
        /// `notifications/progress`: progress of a request.
        Progress = names::NOTIFICATIONS_PROGRESS, ProgressNotificationParams;
        /// `notifications/message`: a log entry.
        LoggingMessage = names::NOTIFICATIONS_MESSAGE, LoggingMessageNotificationParams;
        /// `notifications/resources/updated`: a subscribed resource changed.
        ResourceUpdated = names::NOTIFICATIONS_RESOURCES_UPDATED, ResourceUpdatedNotificationParams;
        /// `notifications/resources/list_changed`: the resource list changed.
        ResourceListChanged = names::NOTIFICATIONS_RESOURCES_LIST_CHANGED, NotificationParams;
        /// `notifications/tools/list_changed`: the tool list changed.
        ToolListChanged = names::NOTIFICATIONS_TOOLS_LIST_CHANGED, NotificationParams;
        /// `notifications/prompts/list_changed`: the prompt list changed.
        PromptListChanged = names::NOTIFICATIONS_PROMPTS_LIST_CHANGED, NotificationParams;
        /// `notifications/roots/list_changed`: the client's roots changed.
        RootsListChanged = names::NOTIFICATIONS_ROOTS_LIST_CHANGED, NotificationParams;
        /// `notifications/elicitation/complete`: a URL-mode elicitation finished.
        ElicitationComplete = names::NOTIFICATIONS_ELICITATION_COMPLETE, ElicitationCompleteNotificationParams;
        /// `notifications/tasks/status`: a task's status changed.
        TaskStatus = names::NOTIFICATIONS_TASKS_STATUS, TaskStatusNotificationParams;
    }
}
