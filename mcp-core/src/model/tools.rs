//! Tools: descriptors, annotations, `tools/list` and `tools/call`.

use serde::{Deserialize, Serialize};

use crate::JsonObject;
use crate::model::common::{Cursor, Icon, RequestMeta};
use crate::model::content::ContentBlock;
use crate::model::tasks::TaskMetadata;

/// A tool a server offers (an element of `tools` in the `tools/list` result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tool {
    /// `name`: the name clients call it by.
    pub name: String,
    /// `title`: a display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: what the tool does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `inputSchema`: the JSON Schema of `arguments` (root `"type": "object"`), kept verbatim.
    pub input_schema: JsonObject,
    /// `outputSchema`: the JSON Schema of `structuredContent`, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<JsonObject>,
    /// `annotations`: behaviour hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// `execution`: how the tool may be run (task support).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// `icons`: icons for the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// `_meta`: tool metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Tool {
    /// A tool called `name` taking arguments described by `input_schema`.
    pub fn new(name: impl Into<String>, input_schema: JsonObject) -> Self {
        Self {
            name: name.into(),
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: None,
            execution: None,
            icons: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }

    /// The recommended input schema of a tool without arguments:
    /// `{"type": "object", "additionalProperties": false}`.
    pub fn empty_input_schema() -> JsonObject {
        let mut schema = JsonObject::new();
        schema.insert("type".into(), "object".into());
        schema.insert("additionalProperties".into(), false.into());
        schema
    }

    /// The tool's task support (`execution.taskSupport`, `forbidden` when absent).
    pub fn task_support(&self) -> TaskSupport {
        self.execution
            .as_ref()
            .and_then(|e| e.task_support)
            .unwrap_or_default()
    }
}

setters!(Tool {
    with_title => title: String,
    with_description => description: String,
    with_output_schema => output_schema: JsonObject,
    with_annotations => annotations: ToolAnnotations,
    with_execution => execution: ToolExecution,
    with_icons => icons: Vec<Icon>,
    with_meta => meta: JsonObject,
});

/// Hints about a tool's behaviour (`annotations`); untrusted unless the server is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolAnnotations {
    /// `title`: a display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `readOnlyHint`: the tool changes nothing (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// `destructiveHint`: changes may destroy data (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// `idempotentHint`: repeating a call has no further effect (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// `openWorldHint`: the tool reaches outside systems (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolAnnotations {
    /// No hints.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ToolAnnotations {
    with_title => title: String,
    with_read_only_hint => read_only_hint: bool,
    with_destructive_hint => destructive_hint: bool,
    with_idempotent_hint => idempotent_hint: bool,
    with_open_world_hint => open_world_hint: bool,
});

/// How a tool may be executed (`execution`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolExecution {
    /// `taskSupport`: whether calls may or must run as tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<TaskSupport>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolExecution {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ToolExecution {
    with_task_support => task_support: TaskSupport,
});

/// Whether a tool may be called as a task (`execution.taskSupport`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TaskSupport {
    /// `"forbidden"` (the default): never as a task.
    #[default]
    Forbidden,
    /// `"optional"`: with or without a task.
    Optional,
    /// `"required"`: only as a task.
    Required,
}

/// Result of `tools/list`: one page of tools.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListToolsResult {
    /// `tools`: the tools on this page.
    pub tools: Vec<Tool>,
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

impl ListToolsResult {
    /// A page holding `tools`.
    pub fn new(tools: Vec<Tool>) -> Self {
        Self {
            tools,
            next_cursor: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ListToolsResult {
    with_next_cursor => next_cursor: Cursor,
    with_meta => meta: JsonObject,
});

/// Params of `tools/call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolRequestParams {
    /// `name`: the tool to call.
    pub name: String,
    /// `arguments`: the tool's arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<JsonObject>,
    /// `task`: asks for the call to run as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CallToolRequestParams {
    /// A call of the tool `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            arguments: None,
            task: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CallToolRequestParams {
    with_arguments => arguments: JsonObject,
    with_task => task: TaskMetadata,
    with_meta => meta: RequestMeta,
});

/// Result of `tools/call` (when not run as a task).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolResult {
    /// `content`: the unstructured result.
    pub content: Vec<ContentBlock>,
    /// `structuredContent`: the result as a JSON object (matching `outputSchema` if declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<JsonObject>,
    /// `isError`: the tool failed (default false); the content says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CallToolResult {
    /// A successful result with `content`.
    pub fn new(content: Vec<ContentBlock>) -> Self {
        Self {
            content,
            structured_content: None,
            is_error: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }

    /// A tool error (`isError: true`) described by `content`.
    pub fn error(content: Vec<ContentBlock>) -> Self {
        Self {
            is_error: Some(true),
            ..Self::new(content)
        }
    }

    /// Whether this result reports a tool error.
    pub fn is_error(&self) -> bool {
        self.is_error.unwrap_or(false)
    }
}

setters!(CallToolResult {
    with_structured_content => structured_content: JsonObject,
    with_is_error => is_error: bool,
    with_meta => meta: JsonObject,
});
