//! Argument completion: `completion/complete`.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::JsonObject;
use crate::model::common::RequestMeta;
use crate::model::support::{from_object, object_with_tag};

wire_tag! {
    PromptRefTag = "ref/prompt",
    ResourceRefTag = "ref/resource",
}

/// The most values one completion result may carry.
pub const MAX_COMPLETION_VALUES: usize = 100;

/// Params of `completion/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompleteRequestParams {
    /// `ref`: the prompt or resource template whose argument is being completed.
    #[serde(rename = "ref")]
    pub reference: Reference,
    /// `argument`: the argument and its partial value.
    pub argument: CompleteArgument,
    /// `context`: values of arguments already resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<CompleteContext>,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CompleteRequestParams {
    /// Completes `argument` of `reference`.
    pub fn new(reference: impl Into<Reference>, argument: CompleteArgument) -> Self {
        Self {
            reference: reference.into(),
            argument,
            context: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CompleteRequestParams {
    with_context => context: CompleteContext,
    with_meta => meta: RequestMeta,
});

/// What a completion is for (`ref`): a prompt or a resource template, discriminated by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Reference {
    /// `"type": "ref/prompt"`.
    Prompt(PromptReference),
    /// `"type": "ref/resource"`.
    ResourceTemplate(ResourceTemplateReference),
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (object, tag) = object_with_tag(deserializer, "type")?;
        match tag.as_deref() {
            Some("ref/prompt") => from_object(object).map(Self::Prompt),
            Some("ref/resource") => from_object(object).map(Self::ResourceTemplate),
            Some(other) => Err(de::Error::custom(format_args!(
                "unknown reference type `{other}`"
            ))),
            None => Err(de::Error::missing_field("type")),
        }
    }
}

impl From<PromptReference> for Reference {
    fn from(r: PromptReference) -> Self {
        Self::Prompt(r)
    }
}

impl From<ResourceTemplateReference> for Reference {
    fn from(r: ResourceTemplateReference) -> Self {
        Self::ResourceTemplate(r)
    }
}

/// A reference to a prompt (`"type": "ref/prompt"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PromptReference {
    #[serde(rename = "type")]
    kind: PromptRefTag,
    /// `name`: the prompt's name.
    pub name: String,
    /// `title`: a display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl PromptReference {
    /// A reference to the prompt `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            kind: PromptRefTag,
            name: name.into(),
            title: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(PromptReference {
    with_title => title: String,
});

/// A reference to a resource template or URI (`"type": "ref/resource"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceTemplateReference {
    #[serde(rename = "type")]
    kind: ResourceRefTag,
    /// `uri`: the URI or URI template.
    pub uri: String,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ResourceTemplateReference {
    /// A reference to the template `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            kind: ResourceRefTag,
            uri: uri.into(),
            extra: JsonObject::new(),
        }
    }
}

/// The argument being completed (`argument`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompleteArgument {
    /// `name`: the argument's name.
    pub name: String,
    /// `value`: what has been typed so far.
    pub value: String,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CompleteArgument {
    /// The argument `name` with partial `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            extra: JsonObject::new(),
        }
    }
}

/// Extra context for a completion (`context`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompleteContext {
    /// `arguments`: values of arguments already resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<BTreeMap<String, String>>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CompleteContext {
    /// Empty context.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(CompleteContext {
    with_arguments => arguments: BTreeMap<String, String>,
});

/// Result of `completion/complete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompleteResult {
    /// `completion`: the suggestions.
    pub completion: Completion,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CompleteResult {
    /// A result holding `completion`.
    pub fn new(completion: Completion) -> Self {
        Self {
            completion,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(CompleteResult {
    with_meta => meta: JsonObject,
});

/// Completion suggestions (`completion` in the result).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Completion {
    /// `values`: the suggestions, at most [`MAX_COMPLETION_VALUES`].
    pub values: Vec<String>,
    /// `total`: how many suggestions exist in all, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// `hasMore`: more suggestions exist than were sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Completion {
    /// Suggestions `values`, sent as given.
    pub fn new(values: Vec<String>) -> Self {
        Self {
            values,
            total: None,
            has_more: None,
            extra: JsonObject::new(),
        }
    }

    /// Keeps the first [`MAX_COMPLETION_VALUES`] of `candidates`, setting `total` and `hasMore`
    /// when some were cut.
    pub fn from_candidates(candidates: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let mut values: Vec<String> = candidates.into_iter().map(Into::into).collect();
        let total = values.len();
        if total > MAX_COMPLETION_VALUES {
            values.truncate(MAX_COMPLETION_VALUES);
            Self {
                values,
                total: Some(total as u64),
                has_more: Some(true),
                extra: JsonObject::new(),
            }
        } else {
            Self::new(values)
        }
    }
}

setters!(Completion {
    with_total => total: u64,
    with_has_more => has_more: bool,
});
