//! What the client does with messages the server sends on its own: notifications, and requests
//! from the server to the client.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use mcp_core::McpError;
use mcp_core::jsonrpc;
use mcp_core::jsonrpc::RawJson;
use mcp_core::model::method_names as names;
use mcp_core::model::{
    ElicitationCompleteNotificationParams, LoggingMessageNotificationParams,
    ProgressNotificationParams, ResourceUpdatedNotificationParams,
};
use mcp_core::peer::{
    BoxFuture, Dispatch, Handler, IncomingNotification, IncomingRequest, Peer, RequestContext,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A notification from the server, decoded when its method is one the client knows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerNotification {
    /// `notifications/message`: a log entry (see [`Client::set_log_level`](crate::Client::set_log_level)).
    LoggingMessage(LoggingMessageNotificationParams),
    /// `notifications/tools/list_changed`.
    ToolListChanged,
    /// `notifications/resources/list_changed`.
    ResourceListChanged,
    /// `notifications/prompts/list_changed`.
    PromptListChanged,
    /// `notifications/resources/updated`: a subscribed resource changed.
    ResourceUpdated(ResourceUpdatedNotificationParams),
    /// `notifications/progress` that belongs to no call with a progress callback.
    Progress(ProgressNotificationParams),
    /// `notifications/elicitation/complete`: a URL-mode elicitation finished out of band.
    ElicitationComplete(ElicitationCompleteNotificationParams),
    /// Any other notification, or a known one whose params did not decode.
    Other {
        /// The method.
        method: String,
        /// The params, as received.
        params: Option<Value>,
    },
}

impl ServerNotification {
    /// Decodes a notification.
    pub fn decode(method: &str, params: Option<&RawJson>) -> Self {
        fn typed<T: DeserializeOwned>(params: Option<&RawJson>) -> Option<T> {
            serde_json::from_str(params.map_or("{}", RawJson::get)).ok()
        }
        let decoded = match method {
            names::NOTIFICATIONS_MESSAGE => typed(params).map(Self::LoggingMessage),
            names::NOTIFICATIONS_TOOLS_LIST_CHANGED => Some(Self::ToolListChanged),
            names::NOTIFICATIONS_RESOURCES_LIST_CHANGED => Some(Self::ResourceListChanged),
            names::NOTIFICATIONS_PROMPTS_LIST_CHANGED => Some(Self::PromptListChanged),
            names::NOTIFICATIONS_RESOURCES_UPDATED => typed(params).map(Self::ResourceUpdated),
            names::NOTIFICATIONS_PROGRESS => typed(params).map(Self::Progress),
            names::NOTIFICATIONS_ELICITATION_COMPLETE => {
                typed(params).map(Self::ElicitationComplete)
            }
            _ => None,
        };
        decoded.unwrap_or_else(|| Self::Other {
            method: method.to_owned(),
            params: params.and_then(|p| serde_json::from_str(p.get()).ok()),
        })
    }
}

/// A callback receiving the server's notifications. It runs on the connection's reading task:
/// keep it short and do not block in it (send to a channel for longer work).
pub type NotificationCallback = Arc<dyn Fn(ServerNotification) + Send + Sync>;

/// A handler for one server-to-client request method: receives the raw params, answers with a
/// result or a JSON-RPC error.
pub type RequestHandlerFn =
    Arc<dyn Fn(Option<Value>) -> BoxFuture<'static, Result<Value, McpError>> + Send + Sync>;

/// Wraps an async closure as a [`RequestHandlerFn`].
pub(crate) fn request_handler<F, Fut>(f: F) -> RequestHandlerFn
where
    F: Fn(Option<Value>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, McpError>> + Send + 'static,
{
    Arc::new(move |params| Box::pin(f(params)))
}

/// The engine [`Handler`] of a client: answers `ping`, routes server-to-client requests to the
/// registered handlers (anything else gets -32601 at once, so the server never waits), and
/// hands notifications to the callback.
#[derive(Default)]
pub(crate) struct ClientHandler {
    pub(crate) on_notification: Option<NotificationCallback>,
    pub(crate) requests: HashMap<String, RequestHandlerFn>,
}

impl fmt::Debug for ClientHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientHandler")
            .field("on_notification", &self.on_notification.is_some())
            .field("requests", &self.requests.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Handler for ClientHandler {
    fn handle_request(&self, request: IncomingRequest, _cx: RequestContext) -> Dispatch {
        if let Some(handler) = self.requests.get(request.method.as_ref()) {
            let params = match request
                .params
                .as_deref()
                .map(|p| serde_json::from_str::<Value>(p.get()))
            {
                None => None,
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    return Dispatch::Reply(Err(McpError::invalid_params(format!(
                        "Invalid params: {e}"
                    ))));
                }
            };
            let fut = handler(params);
            return Dispatch::Spawn(Box::pin(async move { jsonrpc::to_raw(&fut.await?) }));
        }
        if request.method == names::PING {
            return Dispatch::Reply(jsonrpc::to_raw(&serde_json::json!({})));
        }
        Dispatch::Reply(Err(McpError::method_not_found(&request.method)))
    }

    fn handle_notification(&self, notification: IncomingNotification, _peer: &Peer) {
        let Some(callback) = &self.on_notification else {
            return;
        };
        callback(ServerNotification::decode(
            &notification.method,
            notification.params.as_deref(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawJson> {
        RawJson::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn decodes_known_notifications() {
        let log = ServerNotification::decode(
            "notifications/message",
            Some(&raw(r#"{"level":"info","logger":"db","data":"ready"}"#)),
        );
        let ServerNotification::LoggingMessage(params) = log else {
            panic!("{log:?}")
        };
        assert_eq!(params.data, serde_json::json!("ready"));
        assert_eq!(
            ServerNotification::decode("notifications/tools/list_changed", None),
            ServerNotification::ToolListChanged
        );
        let updated = ServerNotification::decode(
            "notifications/resources/updated",
            Some(&raw(r#"{"uri":"file:///a"}"#)),
        );
        assert!(matches!(updated, ServerNotification::ResourceUpdated(p) if p.uri == "file:///a"));
    }

    #[test]
    fn unknown_or_malformed_notifications_are_other() {
        let n =
            ServerNotification::decode("notifications/message", Some(&raw(r#"{"level":"loud"}"#)));
        assert!(
            matches!(n, ServerNotification::Other { method, .. } if method == "notifications/message")
        );
        let n = ServerNotification::decode("x/y", Some(&raw("[1]")));
        assert_eq!(
            n,
            ServerNotification::Other {
                method: "x/y".into(),
                params: Some(serde_json::json!([1]))
            }
        );
    }
}
