//! Params of the notifications shared by both sides, and of the resource and list-change ones.

use serde::{Deserialize, Serialize};

use crate::JsonObject;
use crate::jsonrpc::{ProgressToken, RequestId};

/// Params that carry only `_meta` (`notifications/initialized` and the `list_changed`
/// notifications); absent params mean the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotificationParams {
    /// `_meta`: notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl NotificationParams {
    /// Empty params.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(NotificationParams {
    with_meta => meta: JsonObject,
});

/// Params of `notifications/progress`: how far a request has got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProgressNotificationParams {
    /// `progressToken`: the token from the request's `_meta`.
    pub progress_token: ProgressToken,
    /// `progress`: the amount done so far; increases with every notification.
    #[serde(serialize_with = "crate::model::support::ser_f64")]
    pub progress: f64,
    /// `total`: the amount to do, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub total: Option<f64>,
    /// `message`: what is happening now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `_meta`: notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ProgressNotificationParams {
    /// Progress `progress` for the request that sent `progress_token`.
    pub fn new(progress_token: ProgressToken, progress: f64) -> Self {
        Self {
            progress_token,
            progress,
            total: None,
            message: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ProgressNotificationParams {
    with_total => total: f64,
    with_message => message: String,
    with_meta => meta: JsonObject,
});

/// Params of `notifications/cancelled`: the sender no longer wants an answer to a request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CancelledNotificationParams {
    /// `requestId`: the request to cancel (required for all but task requests, which use
    /// `tasks/cancel` instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// `reason`: why, for logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `_meta`: notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CancelledNotificationParams {
    /// Cancels `request_id`.
    pub fn new(request_id: impl Into<RequestId>) -> Self {
        Self {
            request_id: Some(request_id.into()),
            reason: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CancelledNotificationParams {
    with_reason => reason: String,
    with_meta => meta: JsonObject,
});

/// Params of `notifications/resources/updated`: a subscribed resource changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceUpdatedNotificationParams {
    /// `uri`: the resource that changed (possibly a sub-resource of the subscribed one).
    pub uri: String,
    /// `_meta`: notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ResourceUpdatedNotificationParams {
    /// `uri` changed.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ResourceUpdatedNotificationParams {
    with_meta => meta: JsonObject,
});
