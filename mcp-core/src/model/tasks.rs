//! Tasks (experimental in 2025-11-25): long-running requests that are polled for their result.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::JsonObject;
use crate::model::common::{Cursor, RequestMeta};

/// The `_meta` key that ties a request, notification or result to a task; its value is a
/// [`RelatedTaskMetadata`].
pub const RELATED_TASK_META_KEY: &str = "io.modelcontextprotocol/related-task";

/// The `_meta` key of a [`CreateTaskResult`] holding an optional immediate answer for the model
/// (a string; provisional).
pub const MODEL_IMMEDIATE_RESPONSE_META_KEY: &str =
    "io.modelcontextprotocol/model-immediate-response";

/// Where a task is in its life (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskStatus {
    /// `"working"`: running (every task starts here).
    Working,
    /// `"input_required"`: waiting for the requestor to answer a request.
    InputRequired,
    /// `"completed"`: finished with a result.
    Completed,
    /// `"failed"`: finished with an error.
    Failed,
    /// `"cancelled"`: stopped by `tasks/cancel`.
    Cancelled,
}

impl TaskStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::InputRequired => "input_required",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the task is over (completed, failed or cancelled); such a status never changes.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// Whether a task may move from this status to `next`.
    pub fn can_transition_to(self, next: Self) -> bool {
        match self {
            Self::Working => next != Self::Working,
            Self::InputRequired => next != Self::InputRequired,
            Self::Completed | Self::Failed | Self::Cancelled => false,
        }
    }
}

impl std::fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of a task, as the receiver reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Task {
    /// `taskId`: the receiver-chosen id.
    pub task_id: String,
    /// `status`: where the task is.
    pub status: TaskStatus,
    /// `statusMessage`: a human-readable note on the status (e.g. why it failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// `createdAt`: when the task was created (ISO 8601).
    pub created_at: String,
    /// `lastUpdatedAt`: when the task last changed (ISO 8601).
    pub last_updated_at: String,
    /// `ttl`: how long the task is kept after creation, in milliseconds; `None` (written as
    /// `null`, never omitted) means unlimited.
    pub ttl: Option<u64>,
    /// `pollInterval`: the suggested delay between polls, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Task {
    /// A task `task_id` in `status`, created at `created_at` and not updated since.
    pub fn new(
        task_id: impl Into<String>,
        status: TaskStatus,
        created_at: impl Into<String>,
        ttl: Option<u64>,
    ) -> Self {
        let created_at = created_at.into();
        Self {
            task_id: task_id.into(),
            status,
            status_message: None,
            last_updated_at: created_at.clone(),
            created_at,
            ttl,
            poll_interval: None,
            extra: JsonObject::new(),
        }
    }

    /// Sets `lastUpdatedAt`.
    #[must_use]
    pub fn with_last_updated_at(mut self, last_updated_at: impl Into<String>) -> Self {
        self.last_updated_at = last_updated_at.into();
        self
    }
}

setters!(Task {
    with_status_message => status_message: String,
    with_poll_interval => poll_interval: u64,
});

/// The `task` member of a request that should run as a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskMetadata {
    /// `ttl`: the requested retention in milliseconds from creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl TaskMetadata {
    /// No requested retention.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(TaskMetadata {
    with_ttl => ttl: u64,
});

/// The value at [`RELATED_TASK_META_KEY`] in `_meta`: the task a message belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RelatedTaskMetadata {
    /// `taskId`: the task.
    pub task_id: String,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl RelatedTaskMetadata {
    /// A reference to `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self {
            task_id: task_id.into(),
            extra: JsonObject::new(),
        }
    }

    /// Reads the related task from a `_meta` object, if it names one.
    pub fn from_meta(meta: &JsonObject) -> Option<Self> {
        Self::deserialize(meta.get(RELATED_TASK_META_KEY)?).ok()
    }

    /// Writes this reference into a `_meta` object under [`RELATED_TASK_META_KEY`].
    pub fn insert_into(&self, meta: &mut JsonObject) {
        let mut value = self.extra.clone();
        value.insert("taskId".into(), Value::String(self.task_id.clone()));
        meta.insert(RELATED_TASK_META_KEY.into(), Value::Object(value));
    }
}

/// The answer to a task-augmented request: the task that was created, not the real result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateTaskResult {
    /// `task`: the new task.
    pub task: Task,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateTaskResult {
    /// A result announcing `task`.
    pub fn new(task: Task) -> Self {
        Self {
            task,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CreateTaskResult {
    with_meta => meta: JsonObject,
});

/// Params of `tasks/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetTaskRequestParams {
    /// `taskId`: the task to look up.
    pub task_id: String,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl GetTaskRequestParams {
    /// Looks up `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self {
            task_id: task_id.into(),
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(GetTaskRequestParams {
    with_meta => meta: RequestMeta,
});

/// Result of `tasks/get`: the task's fields at the top level (not wrapped), plus `_meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GetTaskResult {
    /// The task, flattened into the result.
    #[serde(flatten)]
    pub task: Task,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
}

impl GetTaskResult {
    /// A result reporting `task`.
    pub fn new(task: Task) -> Self {
        Self { task, meta: None }
    }
}

setters!(GetTaskResult {
    with_meta => meta: JsonObject,
});

/// Params of `tasks/result`: fetch the real result of a task, waiting until it is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetTaskPayloadRequestParams {
    /// `taskId`: the task whose result to fetch.
    pub task_id: String,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl GetTaskPayloadRequestParams {
    /// Fetches the result of `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self {
            task_id: task_id.into(),
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(GetTaskPayloadRequestParams {
    with_meta => meta: RequestMeta,
});

/// Params of `tasks/cancel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CancelTaskRequestParams {
    /// `taskId`: the task to cancel.
    pub task_id: String,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CancelTaskRequestParams {
    /// Cancels `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self {
            task_id: task_id.into(),
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CancelTaskRequestParams {
    with_meta => meta: RequestMeta,
});

/// Result of `tasks/cancel`: the (now cancelled) task, flattened, plus `_meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CancelTaskResult {
    /// The task, flattened into the result.
    #[serde(flatten)]
    pub task: Task,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
}

impl CancelTaskResult {
    /// A result reporting `task`.
    pub fn new(task: Task) -> Self {
        Self { task, meta: None }
    }
}

setters!(CancelTaskResult {
    with_meta => meta: JsonObject,
});

/// Result of `tasks/list`: one page of tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListTasksResult {
    /// `tasks`: the tasks on this page.
    pub tasks: Vec<Task>,
    /// `nextCursor`: where the next page starts; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ListTasksResult {
    /// A page holding `tasks`.
    pub fn new(tasks: Vec<Task>) -> Self {
        Self {
            tasks,
            next_cursor: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ListTasksResult {
    with_next_cursor => next_cursor: Cursor,
    with_meta => meta: JsonObject,
});

/// Params of `notifications/tasks/status`: the full task, flattened, plus `_meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskStatusNotificationParams {
    /// The task, flattened into the params.
    #[serde(flatten)]
    pub task: Task,
    /// `_meta`: notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
}

impl TaskStatusNotificationParams {
    /// A notification reporting `task`.
    pub fn new(task: Task) -> Self {
        Self { task, meta: None }
    }
}

setters!(TaskStatusNotificationParams {
    with_meta => meta: JsonObject,
});
