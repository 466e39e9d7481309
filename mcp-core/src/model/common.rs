//! Types shared by many messages: implementation info, icons, annotations, roles, request
//! `_meta`, empty and paginated params, the empty result.

use serde::{Deserialize, Serialize};

use crate::JsonObject;
use crate::jsonrpc::ProgressToken;

/// An opaque pagination position: `cursor` in list requests, `nextCursor` in list results.
pub type Cursor = String;

/// The side of a conversation: `"user"` or `"assistant"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Role {
    /// `"user"`.
    User,
    /// `"assistant"`.
    Assistant,
}

/// The UI theme an icon is drawn for: `"light"` or `"dark"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum IconTheme {
    /// `"light"`: for light backgrounds.
    Light,
    /// `"dark"`: for dark backgrounds.
    Dark,
}

/// An icon a client may show for an implementation, tool, prompt, resource or template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Icon {
    /// `src`: an `https:` or `data:` URI of the image.
    pub src: String,
    /// `mimeType`: the image type, when the URI does not make it obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// `sizes`: sizes such as `"48x48"` or `"any"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<Vec<String>>,
    /// `theme`: the theme the icon suits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<IconTheme>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Icon {
    /// An icon at `src`.
    pub fn new(src: impl Into<String>) -> Self {
        Self {
            src: src.into(),
            mime_type: None,
            sizes: None,
            theme: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(Icon {
    with_mime_type => mime_type: String,
    with_sizes => sizes: Vec<String>,
    with_theme => theme: IconTheme,
});

/// The name and version of a client or server (`clientInfo` / `serverInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Implementation {
    /// `name`: the programmatic name.
    pub name: String,
    /// `title`: a display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `version`: the implementation's version.
    pub version: String,
    /// `description`: what the implementation does, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `icons`: icons for the implementation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// `websiteUrl`: the implementation's home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Implementation {
    /// An implementation called `name` at `version`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            title: None,
            version: version.into(),
            description: None,
            icons: None,
            website_url: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(Implementation {
    with_title => title: String,
    with_description => description: String,
    with_icons => icons: Vec<Icon>,
    with_website_url => website_url: String,
});

/// Hints about who content is for, how important it is and when it changed (`annotations`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Annotations {
    /// `audience`: the intended readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Vec<Role>>,
    /// `priority`: importance from 0 (optional) to 1 (required).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub priority: Option<f64>,
    /// `lastModified`: an ISO 8601 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Annotations {
    /// No annotations set.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(Annotations {
    with_audience => audience: Vec<Role>,
    with_priority => priority: f64,
    with_last_modified => last_modified: String,
});

/// The `_meta` object of request params: an optional `progressToken` plus any other keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestMeta {
    /// `progressToken`: asks the receiver for progress notifications carrying this token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_token: Option<ProgressToken>,
    /// Every other `_meta` key, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl RequestMeta {
    /// Empty request metadata.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(RequestMeta {
    with_progress_token => progress_token: ProgressToken,
});

/// Params that carry only `_meta` (`ping`, `roots/list`); absent params mean the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestParams {
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl RequestParams {
    /// Empty params.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(RequestParams {
    with_meta => meta: RequestMeta,
});

/// Another name for [`RequestParams`]: params with nothing but `_meta`.
pub type EmptyParams = RequestParams;

/// Params of the list methods: an optional `cursor` to continue from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaginatedRequestParams {
    /// `cursor`: the `nextCursor` of the previous page; absent for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl PaginatedRequestParams {
    /// Params for the first page.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(PaginatedRequestParams {
    with_cursor => cursor: Cursor,
    with_meta => meta: RequestMeta,
});

/// A result with no content (`{}`, possibly with `_meta`): the reply to `ping`, subscriptions and
/// `logging/setLevel`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmptyResult {
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl EmptyResult {
    /// `{}`.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(EmptyResult {
    with_meta => meta: JsonObject,
});
