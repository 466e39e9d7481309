//! Sampling: `sampling/createMessage`, its messages (with tool use) and model preferences.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::JsonObject;
use crate::model::common::{RequestMeta, Role};
use crate::model::content::{AudioContent, ContentBlock, ImageContent, TextContent};
use crate::model::support::{from_object, object_with_tag};
use crate::model::tasks::TaskMetadata;
use crate::model::tools::Tool;

wire_tag! {
    ToolUseTag = "tool_use",
    ToolResultTag = "tool_result",
}

/// Params of `sampling/createMessage`: a conversation for the client's model to continue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMessageRequestParams {
    /// `messages`: the conversation so far.
    pub messages: Vec<SamplingMessage>,
    /// `modelPreferences`: what the server would like in a model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// `systemPrompt`: a system prompt the client may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// `includeContext`: which servers' context to add (soft-deprecated beyond `"none"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<IncludeContext>,
    /// `temperature`: the sampling temperature.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub temperature: Option<f64>,
    /// `maxTokens`: the most tokens to generate.
    pub max_tokens: u64,
    /// `stopSequences`: sequences that end generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// `metadata`: provider-specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// `tools`: tools the model may call (needs the client's `sampling.tools`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// `toolChoice`: how the model may use `tools`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// `task`: asks for the request to run as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateMessageRequestParams {
    /// Asks for at most `max_tokens` tokens continuing `messages`.
    pub fn new(messages: Vec<SamplingMessage>, max_tokens: u64) -> Self {
        Self {
            messages,
            model_preferences: None,
            system_prompt: None,
            include_context: None,
            temperature: None,
            max_tokens,
            stop_sequences: None,
            metadata: None,
            tools: None,
            tool_choice: None,
            task: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CreateMessageRequestParams {
    with_model_preferences => model_preferences: ModelPreferences,
    with_system_prompt => system_prompt: String,
    with_include_context => include_context: IncludeContext,
    with_temperature => temperature: f64,
    with_stop_sequences => stop_sequences: Vec<String>,
    with_metadata => metadata: JsonObject,
    with_tools => tools: Vec<Tool>,
    with_tool_choice => tool_choice: ToolChoice,
    with_task => task: TaskMetadata,
    with_meta => meta: RequestMeta,
});

/// Result of `sampling/createMessage` (when not run as a task): the model's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMessageResult {
    /// `role`: who speaks (normally the assistant).
    pub role: Role,
    /// `content`: one block or several.
    pub content: SamplingContent,
    /// `model`: the model that answered.
    pub model: String,
    /// `stopReason`: why generation stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopReason>,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateMessageResult {
    /// A reply from `model` in `role` with `content`.
    pub fn new(role: Role, content: impl Into<SamplingContent>, model: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            model: model.into(),
            stop_reason: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CreateMessageResult {
    with_stop_reason => stop_reason: StopReason,
    with_meta => meta: JsonObject,
});

/// Why sampling stopped (`stopReason`): a known reason or any other string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// `"endTurn"`: the model finished its turn.
    EndTurn,
    /// `"stopSequence"`: a stop sequence was produced.
    StopSequence,
    /// `"maxTokens"`: the token limit was reached.
    MaxTokens,
    /// `"toolUse"`: the model wants to call tools.
    ToolUse,
    /// Any other reason, as sent.
    Other(String),
}

impl StopReason {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::EndTurn => "endTurn",
            Self::StopSequence => "stopSequence",
            Self::MaxTokens => "maxTokens",
            Self::ToolUse => "toolUse",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for StopReason {
    fn from(s: &str) -> Self {
        match s {
            "endTurn" => Self::EndTurn,
            "stopSequence" => Self::StopSequence,
            "maxTokens" => Self::MaxTokens,
            "toolUse" => Self::ToolUse,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StopReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StopReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from(s.as_ref()))
    }
}

/// One message of a sampling conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SamplingMessage {
    /// `role`: who says it.
    pub role: Role,
    /// `content`: one block or several.
    pub content: SamplingContent,
    /// `_meta`: message metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl SamplingMessage {
    /// A message from `role`.
    pub fn new(role: Role, content: impl Into<SamplingContent>) -> Self {
        Self {
            role,
            content: content.into(),
            meta: None,
            extra: JsonObject::new(),
        }
    }

    /// A user message.
    pub fn user(content: impl Into<SamplingContent>) -> Self {
        Self::new(Role::User, content)
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<SamplingContent>) -> Self {
        Self::new(Role::Assistant, content)
    }
}

setters!(SamplingMessage {
    with_meta => meta: JsonObject,
});

/// The `content` of a sampling message or result: a single block or an array of blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SamplingContent {
    /// One block, sent as an object.
    Single(SamplingMessageContentBlock),
    /// Several blocks, sent as an array.
    Multiple(Vec<SamplingMessageContentBlock>),
}

impl<'de> Deserialize<'de> for SamplingContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            v @ serde_json::Value::Array(_) => Vec::<SamplingMessageContentBlock>::deserialize(v)
                .map(Self::Multiple)
                .map_err(de::Error::custom),
            v => SamplingMessageContentBlock::deserialize(v)
                .map(Self::Single)
                .map_err(de::Error::custom),
        }
    }
}

impl SamplingContent {
    /// The blocks, however they were sent.
    pub fn blocks(&self) -> &[SamplingMessageContentBlock] {
        match self {
            Self::Single(block) => std::slice::from_ref(block),
            Self::Multiple(blocks) => blocks,
        }
    }

    /// The blocks as a vector.
    pub fn into_blocks(self) -> Vec<SamplingMessageContentBlock> {
        match self {
            Self::Single(block) => vec![block],
            Self::Multiple(blocks) => blocks,
        }
    }
}

impl From<SamplingMessageContentBlock> for SamplingContent {
    fn from(block: SamplingMessageContentBlock) -> Self {
        Self::Single(block)
    }
}

impl From<Vec<SamplingMessageContentBlock>> for SamplingContent {
    fn from(blocks: Vec<SamplingMessageContentBlock>) -> Self {
        Self::Multiple(blocks)
    }
}

impl From<TextContent> for SamplingContent {
    fn from(c: TextContent) -> Self {
        Self::Single(c.into())
    }
}

impl From<&str> for SamplingContent {
    fn from(text: &str) -> Self {
        Self::Single(SamplingMessageContentBlock::text(text))
    }
}

impl From<String> for SamplingContent {
    fn from(text: String) -> Self {
        Self::Single(SamplingMessageContentBlock::text(text))
    }
}

/// A block of sampling content, discriminated by `type`: text, image, audio, tool use or tool
/// result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SamplingMessageContentBlock {
    /// `"type": "text"`.
    Text(TextContent),
    /// `"type": "image"`.
    Image(ImageContent),
    /// `"type": "audio"`.
    Audio(AudioContent),
    /// `"type": "tool_use"`: the model calls a tool.
    ToolUse(ToolUseContent),
    /// `"type": "tool_result"`: the outcome of a tool call.
    ToolResult(ToolResultContent),
}

impl<'de> Deserialize<'de> for SamplingMessageContentBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (object, tag) = object_with_tag(deserializer, "type")?;
        match tag.as_deref() {
            Some("text") => from_object(object).map(Self::Text),
            Some("image") => from_object(object).map(Self::Image),
            Some("audio") => from_object(object).map(Self::Audio),
            Some("tool_use") => from_object(object).map(Self::ToolUse),
            Some("tool_result") => from_object(object).map(Self::ToolResult),
            Some(other) => Err(de::Error::custom(format_args!(
                "unknown sampling content type `{other}`"
            ))),
            None => Err(de::Error::missing_field("type")),
        }
    }
}

impl SamplingMessageContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextContent::new(text))
    }

    /// The wire `type` of this block.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Image(_) => "image",
            Self::Audio(_) => "audio",
            Self::ToolUse(_) => "tool_use",
            Self::ToolResult(_) => "tool_result",
        }
    }

    /// The text, if this is a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(&t.text),
            _ => None,
        }
    }
}

impl From<TextContent> for SamplingMessageContentBlock {
    fn from(c: TextContent) -> Self {
        Self::Text(c)
    }
}

impl From<ImageContent> for SamplingMessageContentBlock {
    fn from(c: ImageContent) -> Self {
        Self::Image(c)
    }
}

impl From<AudioContent> for SamplingMessageContentBlock {
    fn from(c: AudioContent) -> Self {
        Self::Audio(c)
    }
}

impl From<ToolUseContent> for SamplingMessageContentBlock {
    fn from(c: ToolUseContent) -> Self {
        Self::ToolUse(c)
    }
}

impl From<ToolResultContent> for SamplingMessageContentBlock {
    fn from(c: ToolResultContent) -> Self {
        Self::ToolResult(c)
    }
}

/// The model's request to call a tool (`"type": "tool_use"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolUseContent {
    #[serde(rename = "type")]
    kind: ToolUseTag,
    /// `id`: identifies this call; the matching result echoes it.
    pub id: String,
    /// `name`: the tool to call.
    pub name: String,
    /// `input`: the tool's arguments.
    pub input: JsonObject,
    /// `_meta`: content metadata (clients should keep it, e.g. for caching).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolUseContent {
    /// A call `id` of the tool `name` with `input`.
    pub fn new(id: impl Into<String>, name: impl Into<String>, input: JsonObject) -> Self {
        Self {
            kind: ToolUseTag,
            id: id.into(),
            name: name.into(),
            input,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ToolUseContent {
    with_meta => meta: JsonObject,
});

/// The outcome of a tool call, sent back to the model (`"type": "tool_result"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolResultContent {
    #[serde(rename = "type")]
    kind: ToolResultTag,
    /// `toolUseId`: the `id` of the tool use this answers.
    pub tool_use_id: String,
    /// `content`: the unstructured result.
    pub content: Vec<ContentBlock>,
    /// `structuredContent`: the result as a JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<JsonObject>,
    /// `isError`: the call failed (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// `_meta`: content metadata (clients should keep it, e.g. for caching).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolResultContent {
    /// The result of tool use `tool_use_id` with `content`.
    pub fn new(tool_use_id: impl Into<String>, content: Vec<ContentBlock>) -> Self {
        Self {
            kind: ToolResultTag,
            tool_use_id: tool_use_id.into(),
            content,
            structured_content: None,
            is_error: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ToolResultContent {
    with_structured_content => structured_content: JsonObject,
    with_is_error => is_error: bool,
    with_meta => meta: JsonObject,
});

/// Which servers' context the client should add to the prompt (`includeContext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum IncludeContext {
    /// `"none"` (the default).
    None,
    /// `"thisServer"` (soft-deprecated).
    ThisServer,
    /// `"allServers"` (soft-deprecated).
    AllServers,
}

/// How the model may use the offered tools (`toolChoice`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolChoice {
    /// `mode`: auto (default), required or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ToolChoiceMode>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ToolChoice {
    /// A choice with `mode`.
    pub fn new(mode: ToolChoiceMode) -> Self {
        Self {
            mode: Some(mode),
            extra: JsonObject::new(),
        }
    }
}

/// The `mode` of a [`ToolChoice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ToolChoiceMode {
    /// `"auto"`: the model decides.
    Auto,
    /// `"required"`: the model must call a tool.
    Required,
    /// `"none"`: the model must not call tools.
    None,
}

/// What the server would like in a model (`modelPreferences`); priorities are 0 to 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelPreferences {
    /// `hints`: model name hints, in order of preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<ModelHint>>,
    /// `costPriority`: how much low cost matters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub cost_priority: Option<f64>,
    /// `speedPriority`: how much low latency matters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub speed_priority: Option<f64>,
    /// `intelligencePriority`: how much capability matters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub intelligence_priority: Option<f64>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ModelPreferences {
    /// No preferences.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ModelPreferences {
    with_hints => hints: Vec<ModelHint>,
    with_cost_priority => cost_priority: f64,
    with_speed_priority => speed_priority: f64,
    with_intelligence_priority => intelligence_priority: f64,
});

/// A model name hint: a substring to match against model names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelHint {
    /// `name`: the (partial) model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ModelHint {
    /// A hint for models named like `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            extra: JsonObject::new(),
        }
    }
}
