//! Roots: the directories or files a client exposes to servers (`roots/list`).

use serde::{Deserialize, Serialize};

use crate::JsonObject;

/// A root the client exposes: a `file://` URI and an optional name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Root {
    /// `uri`: the root's URI (`file://` in this revision).
    pub uri: String,
    /// `name`: a display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `_meta`: root metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Root {
    /// A root at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            name: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(Root {
    with_name => name: String,
    with_meta => meta: JsonObject,
});

/// Result of `roots/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListRootsResult {
    /// `roots`: the client's roots.
    pub roots: Vec<Root>,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ListRootsResult {
    /// A result holding `roots`.
    pub fn new(roots: Vec<Root>) -> Self {
        Self {
            roots,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ListRootsResult {
    with_meta => meta: JsonObject,
});
