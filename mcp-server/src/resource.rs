//! Resources and resource templates: definitions, reading, URI variables and return types.
//!
//! A fixed resource is a [`ResourceDef`] (shown by `resources/list`); a family of resources
//! addressed by an RFC 6570 URI template is a [`ResourceTemplateDef`] (shown by
//! `resources/templates/list`). The [`#[resource]`](macro@crate::resource) and
//! [`#[resource_template]`](macro@crate::resource_template) macros build them from async functions;
//! [`ResourceDef::builder`] and [`ResourceTemplateDef::builder`] build them by hand, with the same
//! semantics.
//!
//! ```
//! use mcp_server::prelude::*;
//!
//! /// The project's README.
//! #[resource("docs://readme", mime = "text/markdown")]
//! async fn readme() -> &'static str {
//!     "# Hello"
//! }
//!
//! #[derive(Serialize)]
//! struct User {
//!     id: u64,
//!     name: String,
//! }
//!
//! /// A user profile.
//! #[resource_template("db://users/{user_id}", name = "user", mime = "application/json")]
//! async fn user_profile(user_id: u64) -> Result<Json<User>, McpError> {
//!     match user_id {
//!         1 => Ok(Json(User { id: 1, name: "Ada".into() })),
//!         _ => Err(McpError::resource_not_found(format!("db://users/{user_id}"))),
//!     }
//! }
//! # let _ = Server::new("doc").resource(readme).resource_template(user_profile);
//! ```
//!
//! # Reading
//!
//! `resources/read` looks the URI up among the fixed resources first, then tries the templates
//! in registration order; the first that matches serves the read. A URI that nothing matches is
//! -32002 (resource not found), with the URI in the message and in `data.uri`.
//!
//! # Template parameters
//!
//! A parameter named like a template variable (or renamed to one with `#[arg(rename = "..")]`)
//! is parsed from the matched, percent-decoded value with [`FromStr`]: `String`, numbers, your
//! own types. `Option<T>` accepts a variable the URI left out (`{?query}` style), `Vec<T>` an
//! exploded list (`{/path*}`) or a comma-separated value. A value that does not parse is -32602
//! naming the variable. Every other parameter must be injected ([`FromContext`]: `Context`,
//! `State<T>`, ...). The macro checks at compile time that every variable has a parameter and
//! that every other parameter is injectable, and reports both at the template string.
//!
//! # Return types
//!
//! Anything [`IntoResourceContents`]: `String` or `&'static str` (text), `Vec<u8>` or [`Blob`]
//! (base64 `blob`), [`Json<T>`] (serialized JSON text), [`ResourceContents`] and
//! `Vec<ResourceContents>` (several contents, e.g. sub-resources), [`ReadResourceResult`], and
//! `Result<T, E>` of these. Each content gets the requested URI and the declared MIME type unless
//! it names its own.
//!
//! **Errors.** Reads have no "error result" like tools do, so an `Err` is a JSON-RPC error: an
//! [`McpError`] (also inside `anyhow::Error` or [`ToolError::protocol`](crate::ToolError::protocol))
//! is sent as it is — use [`McpError::resource_not_found`] for a missing resource and
//! [`McpError::invalid_params`] for a bad request — and any other error becomes -32603 (internal
//! error) carrying the error's message, which therefore must not contain secrets. Panics are
//! -32603 with a generic message.

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

use base64::Engine as _;
use mcp_core::McpError;
use mcp_core::model::{
    Annotations, BlobResourceContents, Icon, ReadResourceResult, Resource, ResourceContents,
    ResourceTemplate, TextResourceContents,
};
use mcp_core::peer::BoxFuture;
use mcp_core::uri_template::{Captures, UriTemplate, Value};
use serde::Serialize;

use crate::completion::{Completer, Completers};
use crate::context::{Context, FromContext};
use crate::server::Server;
use crate::tool::{IntoToolError, Json};

/// The outcome of a read.
pub type ReadOutcome = Result<ReadResourceResult, McpError>;

type ReadFn = dyn Fn(ReadRequest) -> BoxFuture<'static, ReadOutcome> + Send + Sync;

/// One `resources/read` of a resource or template: the request [`Context`], the URI, and the
/// template variables it matched.
pub struct ReadRequest {
    pub(crate) ctx: Context,
    pub(crate) uri: Arc<str>,
    pub(crate) captures: Captures,
    pub(crate) mime: Option<Arc<str>>,
}

impl fmt::Debug for ReadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadRequest")
            .field("uri", &self.uri)
            .field("captures", &self.captures)
            .finish_non_exhaustive()
    }
}

impl ReadRequest {
    /// The request context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The URI being read, as the client sent it.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The declared MIME type of the resource or template, if any.
    pub fn mime_type(&self) -> Option<&str> {
        self.mime.as_deref()
    }

    /// The template variables, percent-decoded (empty for a fixed resource).
    pub fn captures(&self) -> &Captures {
        &self.captures
    }

    /// Parses one template variable (see [`FromUriVariable`]); errors are -32602 naming it.
    pub fn variable<T: FromUriVariable<M>, M>(&self, name: &str) -> Result<T, McpError> {
        T::from_variable(&self.captures, name)
    }

    /// Converts a handler's return value into the read result, with this request's URI and
    /// MIME type.
    pub fn respond<R: IntoResourceContents>(&self, value: R) -> ReadOutcome {
        value.into_contents(&self.uri, self.mime.as_deref())
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed resources

/// A registered fixed resource: its descriptor and its read handler.
#[derive(Clone)]
pub struct ResourceDef {
    pub(crate) resource: Arc<Resource>,
    pub(crate) handler: Arc<ReadFn>,
    pub(crate) crate_version: Option<&'static str>,
}

impl fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceDef")
            .field("uri", &self.resource.uri)
            .finish_non_exhaustive()
    }
}

impl ResourceDef {
    /// Starts building a fixed resource by hand.
    ///
    /// ```
    /// use mcp_server::resource::ResourceDef;
    ///
    /// let motd = ResourceDef::builder("text://motd", "motd")
    ///     .description("Message of the day")
    ///     .mime_type("text/plain")
    ///     .handler(|request| async move { request.respond("Be kind.") });
    /// assert_eq!(motd.descriptor().uri, "text://motd");
    /// ```
    pub fn builder(uri: impl Into<String>, name: impl Into<String>) -> ResourceBuilder {
        ResourceBuilder {
            resource: Resource::new(uri, name),
            crate_version: None,
        }
    }

    /// The descriptor `resources/list` shows.
    pub fn descriptor(&self) -> &Resource {
        &self.resource
    }

    /// The resource's URI.
    pub fn uri(&self) -> &str {
        &self.resource.uri
    }

    pub(crate) fn read(&self, ctx: Context, uri: Arc<str>) -> BoxFuture<'static, ReadOutcome> {
        (self.handler)(ReadRequest {
            ctx,
            uri,
            captures: Captures::default(),
            mime: self.resource.mime_type.as_deref().map(Arc::from),
        })
    }
}

/// Builds a [`ResourceDef`] by hand (the macros use the same builder).
#[derive(Debug)]
pub struct ResourceBuilder {
    resource: Resource,
    crate_version: Option<&'static str>,
}

impl ResourceBuilder {
    /// Sets the display name.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.resource.title = Some(title.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.resource.description = Some(description.into());
        self
    }

    /// Sets the MIME type (also the default `mimeType` of the contents).
    #[must_use]
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.resource.mime_type = Some(mime.into());
        self
    }

    /// Sets the size in bytes.
    #[must_use]
    pub fn size(mut self, size: u64) -> Self {
        self.resource.size = Some(size);
        self
    }

    /// Sets the annotations (audience, priority, last modification).
    #[must_use]
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.resource.annotations = Some(annotations);
        self
    }

    /// Adds an icon.
    #[must_use]
    pub fn icon(mut self, icon: Icon) -> Self {
        self.resource.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Records the version of the defining crate (see [`ToolBuilder::crate_version`](crate::tool::ToolBuilder::crate_version)).
    #[must_use]
    pub fn crate_version(mut self, version: &'static str) -> Self {
        self.crate_version = Some(version);
        self
    }

    /// Gives mutable access to the descriptor, for fields the builder has no method for.
    pub fn descriptor_mut(&mut self) -> &mut Resource {
        &mut self.resource
    }

    /// Finishes the resource with its read handler.
    pub fn handler<F, Fut, R>(self, handler: F) -> ResourceDef
    where
        F: Fn(ReadRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoResourceContents,
    {
        ResourceDef {
            resource: Arc::new(self.resource),
            handler: boxed_read(handler),
            crate_version: self.crate_version,
        }
    }
}

fn boxed_read<F, Fut, R>(handler: F) -> Arc<ReadFn>
where
    F: Fn(ReadRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoResourceContents,
{
    Arc::new(move |request: ReadRequest| {
        let uri = request.uri.clone();
        let mime = request.mime.clone();
        let fut = handler(request);
        Box::pin(async move { fut.await.into_contents(&uri, mime.as_deref()) })
    })
}

/// Registration of one fixed resource: implemented by the types `#[resource]` generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a resource",
    label = "expected a function annotated with `#[resource(\"uri\")]`, or a `ResourceDef`",
    note = "for URIs with variables, use `#[resource_template(\"scheme://{{var}}\")]` and `Server::resource_template`"
)]
pub trait IntoResource {
    /// Builds the resource definition.
    fn into_resource(self) -> ResourceDef;
}

impl IntoResource for ResourceDef {
    fn into_resource(self) -> ResourceDef {
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Templates

/// A registered resource template: its descriptor, the parsed template, its read handler and
/// the completers of its variables.
#[derive(Clone)]
pub struct ResourceTemplateDef {
    pub(crate) template: Arc<ResourceTemplate>,
    pub(crate) parsed: Arc<UriTemplate>,
    pub(crate) handler: Arc<ReadFn>,
    pub(crate) completers: Completers,
    pub(crate) crate_version: Option<&'static str>,
}

impl fmt::Debug for ResourceTemplateDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceTemplateDef")
            .field("uri_template", &self.template.uri_template)
            .field("completers", &self.completers)
            .finish_non_exhaustive()
    }
}

impl ResourceTemplateDef {
    /// Starts building a resource template by hand.
    ///
    /// ```
    /// use mcp_server::McpError;
    /// use mcp_server::mcp_core::uri_template::UriTemplate;
    /// use mcp_server::resource::ResourceTemplateDef;
    ///
    /// let template = UriTemplate::parse("notes://{id}")?;
    /// let notes = ResourceTemplateDef::builder(template, "note")
    ///     .mime_type("text/plain")
    ///     .handler(|request| async move {
    ///         let id: u32 = request.variable("id")?;
    ///         Ok::<_, McpError>(format!("note #{id}"))
    ///     });
    /// assert_eq!(notes.descriptor().uri_template, "notes://{id}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(template: UriTemplate, name: impl Into<String>) -> ResourceTemplateBuilder {
        ResourceTemplateBuilder {
            template: ResourceTemplate::new(template.as_str(), name),
            parsed: template,
            completers: Completers::default(),
            crate_version: None,
        }
    }

    /// The descriptor `resources/templates/list` shows.
    pub fn descriptor(&self) -> &ResourceTemplate {
        &self.template
    }

    /// The parsed URI template.
    pub fn uri_template(&self) -> &UriTemplate {
        &self.parsed
    }

    pub(crate) fn read(
        &self,
        ctx: Context,
        uri: Arc<str>,
        captures: Captures,
    ) -> BoxFuture<'static, ReadOutcome> {
        (self.handler)(ReadRequest {
            ctx,
            uri,
            captures,
            mime: self.template.mime_type.as_deref().map(Arc::from),
        })
    }
}

/// Builds a [`ResourceTemplateDef`] by hand (the macros use the same builder).
#[derive(Debug)]
pub struct ResourceTemplateBuilder {
    template: ResourceTemplate,
    parsed: UriTemplate,
    completers: Completers,
    crate_version: Option<&'static str>,
}

impl ResourceTemplateBuilder {
    /// Sets the display name.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.template.title = Some(title.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.template.description = Some(description.into());
        self
    }

    /// Sets the MIME type shared by the matching resources (also the default `mimeType` of
    /// the contents).
    #[must_use]
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.template.mime_type = Some(mime.into());
        self
    }

    /// Sets the annotations.
    #[must_use]
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.template.annotations = Some(annotations);
        self
    }

    /// Adds an icon.
    #[must_use]
    pub fn icon(mut self, icon: Icon) -> Self {
        self.template.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Completes the template variable `variable` with `completer` (see
    /// [the completion module](crate::completion)).
    #[must_use]
    pub fn complete(mut self, variable: impl Into<String>, completer: impl Completer) -> Self {
        let variable = variable.into();
        if !self.parsed.variables().any(|v| v == variable) {
            tracing::warn!(
                template = self.parsed.as_str(),
                variable,
                "a completer was registered for a variable the template does not have"
            );
        }
        self.completers.insert(variable, Arc::new(completer));
        self
    }

    /// Records the version of the defining crate.
    #[must_use]
    pub fn crate_version(mut self, version: &'static str) -> Self {
        self.crate_version = Some(version);
        self
    }

    /// Gives mutable access to the descriptor, for fields the builder has no method for.
    pub fn descriptor_mut(&mut self) -> &mut ResourceTemplate {
        &mut self.template
    }

    /// Finishes the template with its read handler.
    pub fn handler<F, Fut, R>(self, handler: F) -> ResourceTemplateDef
    where
        F: Fn(ReadRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoResourceContents,
    {
        ResourceTemplateDef {
            template: Arc::new(self.template),
            parsed: Arc::new(self.parsed),
            handler: boxed_read(handler),
            completers: self.completers,
            crate_version: self.crate_version,
        }
    }
}

/// Registration of one resource template: implemented by the types `#[resource_template]`
/// generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a resource template",
    label = "expected a function annotated with `#[resource_template(\"scheme://{{var}}\")]`, or a `ResourceTemplateDef`",
    note = "for a fixed URI, use `#[resource(\"uri\")]` and `Server::resource`"
)]
pub trait IntoResourceTemplate {
    /// Builds the template definition.
    fn into_resource_template(self) -> ResourceTemplateDef;
}

impl IntoResourceTemplate for ResourceTemplateDef {
    fn into_resource_template(self) -> ResourceTemplateDef {
        self
    }
}

/// Parses the template text the macros checked at compile time.
#[doc(hidden)]
pub fn checked_template(template: &str) -> UriTemplate {
    match UriTemplate::parse(template) {
        Ok(t) => t,
        // The macro validated the template with the same grammar; reaching this is a bug.
        Err(e) => {
            panic!("mcp-macros accepted the URI template `{template}` but it is invalid: {e}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Registration

impl Server {
    /// Registers a fixed resource: a function annotated with `#[resource("uri")]`, or a
    /// [`ResourceDef`]. The server then offers the `resources` capability (with `subscribe`).
    #[must_use]
    pub fn resource(self, resource: impl IntoResource) -> Self {
        self.catalog.add_resource(resource.into_resource());
        self
    }

    /// Registers a resource template: a function annotated with
    /// `#[resource_template("scheme://{var}")]`, or a [`ResourceTemplateDef`]. Templates are
    /// tried in registration order, after the fixed resources.
    #[must_use]
    pub fn resource_template(self, template: impl IntoResourceTemplate) -> Self {
        self.catalog.add_template(template.into_resource_template());
        self
    }
}

// ---------------------------------------------------------------------------------------------
// URI variables and injected parameters

/// Marker: a variable parsed into one value.
#[derive(Debug)]
pub enum One {}

/// Marker: a variable that may be absent (`Option<T>`).
#[derive(Debug)]
pub enum MaybeAbsent {}

/// Marker: a list variable (`Vec<T>`).
#[derive(Debug)]
pub enum Many {}

/// How a parameter of a template function is parsed from the template variable it is named
/// after. Implemented for every `T: FromStr` whose error is `Display`, for `Option<T>` (absent
/// variables) and for `Vec<T>` (exploded lists, or comma-separated values).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be parsed from a URI template variable",
    label = "a template variable is parsed with `FromStr`",
    note = "use `String`, a number, or a type implementing `std::str::FromStr` (whose error implements `Display`); \
            `Option<T>` for a variable the URI may leave out, `Vec<T>` for a list"
)]
pub trait FromUriVariable<M>: Sized {
    /// Parses the variable `name` out of `captures`; errors are -32602 naming the variable.
    fn from_variable(captures: &Captures, name: &str) -> Result<Self, McpError>;
}

fn parse_value<T>(name: &str, text: &str) -> Result<T, McpError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    text.parse::<T>().map_err(|e| {
        McpError::invalid_params(format!(
            "Invalid value for URI variable `{name}` ({text:?}): {e}"
        ))
    })
}

fn single<'a>(captures: &'a Captures, name: &str) -> Result<Option<&'a str>, McpError> {
    match captures.get_value(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(McpError::invalid_params(format!(
            "URI variable `{name}` holds several values where one was expected"
        ))),
    }
}

impl<T> FromUriVariable<One> for T
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn from_variable(captures: &Captures, name: &str) -> Result<Self, McpError> {
        match single(captures, name)? {
            Some(text) => parse_value(name, text),
            None => Err(McpError::invalid_params(format!(
                "URI variable `{name}` is missing"
            ))),
        }
    }
}

impl<T> FromUriVariable<MaybeAbsent> for Option<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn from_variable(captures: &Captures, name: &str) -> Result<Self, McpError> {
        single(captures, name)?
            .map(|text| parse_value(name, text))
            .transpose()
    }
}

impl<T> FromUriVariable<Many> for Vec<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn from_variable(captures: &Captures, name: &str) -> Result<Self, McpError> {
        match captures.get_value(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) if s.is_empty() => Ok(Vec::new()),
            Some(Value::String(s)) => s.split(',').map(|item| parse_value(name, item)).collect(),
            Some(Value::List(items)) => items.iter().map(|item| parse_value(name, item)).collect(),
            Some(Value::Assoc(_)) => Err(McpError::invalid_params(format!(
                "URI variable `{name}` holds name=value pairs where a list was expected"
            ))),
        }
    }
}

/// The URI being read, exactly as the client sent it (before percent-decoding): a parameter of
/// type `ResourceUri` in a `#[resource_template]` function receives it.
///
/// ```
/// use mcp_server::prelude::*;
///
/// #[resource_template("notes://{+path}")]
/// async fn note(path: String, uri: ResourceUri) -> String {
///     format!("{path} (requested as {})", uri.as_str())
/// }
/// # let _ = Server::new("doc").resource_template(note);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUri(pub Arc<str>);

impl ResourceUri {
    /// The URI.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for ResourceUri {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parameter of a `#[resource_template]` function that is not named like a template
/// variable: it must be injected ([`FromContext`]), or be the [`ResourceUri`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a variable of this URI template nor an injected value",
    label = "no template variable is named like the parameter of type `{Self}`, and `{Self}` does not implement `FromContext`",
    note = "name the parameter like a `{{variable}}` of the template (or `#[arg(rename = \"variable\")]`) to parse it from the URI",
    note = "an injected value must implement `mcp_server::FromContext`: `Context`, `Progress`, \
            `Cancellation`, `Logger`, `RequestMeta`, `State<T>`, `ClientPeer`, `ServerHandle`, or your own type; \
            `ResourceUri` receives the requested URI"
)]
pub trait TemplateInjected: Sized {
    /// Produces the value for one read.
    fn inject(request: &ReadRequest) -> Result<Self, McpError>;
}

#[diagnostic::do_not_recommend]
impl<T: FromContext> TemplateInjected for T {
    fn inject(request: &ReadRequest) -> Result<Self, McpError> {
        T::from_context(&request.ctx)
    }
}

impl TemplateInjected for ResourceUri {
    fn inject(request: &ReadRequest) -> Result<Self, McpError> {
        Ok(Self(request.uri.clone()))
    }
}

/// Injects a parameter of a template function that is not a template variable (generated code
/// calls this at the template string, so that is where a type that cannot be injected is
/// reported).
#[doc(hidden)]
pub fn template_injected<T: TemplateInjected>(request: &ReadRequest) -> Result<T, McpError> {
    T::inject(request)
}

// ---------------------------------------------------------------------------------------------
// Return types

/// Binary contents, sent base64-encoded as a `blob` (default MIME type
/// `application/octet-stream`). `Vec<u8>` does the same.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

/// Converts what a resource function returns into a `resources/read` result.
///
/// `uri` is the requested URI and `mime` the declared MIME type; contents built from plain
/// values get both (with a type-specific default MIME type: `text/plain` for text,
/// `application/octet-stream` for bytes, `application/json` for [`Json<T>`]). See the
/// [module docs](self) for the list and for how errors are sent.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a resource",
    label = "not convertible into resource contents",
    note = "return `String`, `&'static str`, `Vec<u8>`, `Blob`, `Json<T>` (T: Serialize), `ResourceContents`, \
            `Vec<ResourceContents>`, `ReadResourceResult`, or `Result<T, E>` of one of these"
)]
pub trait IntoResourceContents {
    /// The conversion; `Err` is sent as a JSON-RPC error.
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome;
}

fn text_contents(uri: &str, mime: Option<&str>, default_mime: &str, text: String) -> ReadOutcome {
    let contents =
        TextResourceContents::new(uri, text).with_mime_type(mime.unwrap_or(default_mime));
    Ok(ReadResourceResult::new(vec![contents.into()]))
}

impl IntoResourceContents for String {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        text_contents(uri, mime, "text/plain", self)
    }
}

impl IntoResourceContents for &'static str {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        text_contents(uri, mime, "text/plain", self.to_owned())
    }
}

impl IntoResourceContents for Blob {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        let blob = base64::engine::general_purpose::STANDARD.encode(&self.0);
        let contents = BlobResourceContents::new(uri, blob)
            .with_mime_type(mime.unwrap_or("application/octet-stream"));
        Ok(ReadResourceResult::new(vec![contents.into()]))
    }
}

impl IntoResourceContents for Vec<u8> {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        Blob(self).into_contents(uri, mime)
    }
}

impl<T: Serialize> IntoResourceContents for Json<T> {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        let text = serde_json::to_string(&self.0).map_err(|e| {
            tracing::error!(uri, error = %e, "a resource's value failed to serialize");
            McpError::internal(format!("Failed to serialize the resource {uri}"))
        })?;
        text_contents(uri, mime, "application/json", text)
    }
}

/// Fills in what a hand-built content left empty: the URI and the declared MIME type.
fn complete_contents(
    mut contents: ResourceContents,
    uri: &str,
    mime: Option<&str>,
) -> ResourceContents {
    let (c_uri, c_mime) = match &mut contents {
        ResourceContents::Text(t) => (&mut t.uri, &mut t.mime_type),
        ResourceContents::Blob(b) => (&mut b.uri, &mut b.mime_type),
        _ => return contents,
    };
    if c_uri.is_empty() {
        uri.clone_into(c_uri);
    }
    if c_mime.is_none() {
        *c_mime = mime.map(str::to_owned);
    }
    contents
}

impl IntoResourceContents for ResourceContents {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        Ok(ReadResourceResult::new(vec![complete_contents(
            self, uri, mime,
        )]))
    }
}

impl IntoResourceContents for Vec<ResourceContents> {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        Ok(ReadResourceResult::new(
            self.into_iter()
                .map(|c| complete_contents(c, uri, mime))
                .collect(),
        ))
    }
}

impl IntoResourceContents for ReadResourceResult {
    fn into_contents(mut self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        self.contents = std::mem::take(&mut self.contents)
            .into_iter()
            .map(|c| complete_contents(c, uri, mime))
            .collect();
        Ok(self)
    }
}

#[diagnostic::do_not_recommend]
impl<T: IntoResourceContents, E: IntoToolError> IntoResourceContents for Result<T, E> {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        match self {
            Ok(v) => v.into_contents(uri, mime),
            Err(e) => Err(crate::catalog::handler_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_core::ErrorCode;

    fn only(r: ReadOutcome) -> ResourceContents {
        let mut r = r.expect("a result");
        assert_eq!(r.contents.len(), 1);
        r.contents.remove(0)
    }

    #[test]
    fn plain_values_get_the_uri_and_mime_type() {
        match only("hi".into_contents("x://a", None)) {
            ResourceContents::Text(t) => {
                assert_eq!(t.uri, "x://a");
                assert_eq!(t.text, "hi");
                assert_eq!(t.mime_type.as_deref(), Some("text/plain"));
            }
            other => panic!("{other:?}"),
        }
        match only(vec![0u8, 255].into_contents("x://b", Some("image/png"))) {
            ResourceContents::Blob(b) => {
                assert_eq!(b.blob, "AP8=");
                assert_eq!(b.mime_type.as_deref(), Some("image/png"));
            }
            other => panic!("{other:?}"),
        }
        match only(Json(serde_json::json!({"a": 1})).into_contents("x://c", None)) {
            ResourceContents::Text(t) => {
                assert_eq!(t.text, r#"{"a":1}"#);
                assert_eq!(t.mime_type.as_deref(), Some("application/json"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hand_built_contents_keep_their_own_uri() {
        let r = vec![
            ResourceContents::text("", "one"),
            ResourceContents::text("x://sub/2", "two"),
        ]
        .into_contents("x://main", Some("text/markdown"))
        .unwrap();
        assert_eq!(r.contents[0].uri(), "x://main");
        assert_eq!(r.contents[0].mime_type(), Some("text/markdown"));
        assert_eq!(r.contents[1].uri(), "x://sub/2");
    }

    #[test]
    fn errors_follow_the_taxonomy() {
        let e = Err::<String, _>(McpError::resource_not_found("x://gone"))
            .into_contents("x://gone", None)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::RESOURCE_NOT_FOUND);
        let e = Err::<String, _>(anyhow::anyhow!("db down"))
            .into_contents("x://a", None)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::INTERNAL_ERROR);
        assert_eq!(e.message, "db down");
    }

    #[test]
    fn variables_parse_with_from_str() {
        let t = UriTemplate::parse("x://{id}/{+rest}{?q,flag}{&tags*}").unwrap();
        let c = t.match_uri("x://42/a/b?q=hello&tags=1&tags=2").unwrap();
        let id: u64 = FromUriVariable::from_variable(&c, "id").unwrap();
        assert_eq!(id, 42);
        let rest: String = FromUriVariable::from_variable(&c, "rest").unwrap();
        assert_eq!(rest, "a/b");
        let q: Option<String> = FromUriVariable::from_variable(&c, "q").unwrap();
        assert_eq!(q.as_deref(), Some("hello"));
        let flag: Option<bool> = FromUriVariable::from_variable(&c, "flag").unwrap();
        assert_eq!(flag, None);
        let tags: Vec<u8> = FromUriVariable::from_variable(&c, "tags").unwrap();
        assert_eq!(tags, [1, 2]);
        let e = <u8 as FromUriVariable<_>>::from_variable(&c, "rest").unwrap_err();
        assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
        assert!(e.message.contains("`rest`"), "{}", e.message);
        let e = <u8 as FromUriVariable<_>>::from_variable(&c, "flag").unwrap_err();
        assert!(e.message.contains("`flag` is missing"), "{}", e.message);
    }
}
