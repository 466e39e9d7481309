//! Tools: definitions, argument extraction, input and output schemas, results and errors.
//!
//! A tool is a [`ToolDef`]: its descriptor (what `tools/list` shows) and a handler. The
//! [`#[tool]`](crate::tool) macro builds one from a plain async function; [`ToolDef::builder`]
//! builds one by hand, with the same semantics.
//!
//! # Parameters
//!
//! Every parameter of a tool function goes through [`ToolParam`], which has exactly two
//! implementations, chosen by the type system:
//!
//! - types that implement [`FromContext`](crate::FromContext) are **injected** ([`Context`],
//!   [`Progress`](crate::Progress), [`Cancellation`](crate::Cancellation), [`State<T>`](crate::State), ...);
//! - types that implement `Deserialize` and `JsonSchema` are **arguments**: each becomes a
//!   property of the input schema, and is deserialized from the matching member of `arguments`.
//!   `Option<T>` arguments are optional; any other argument is required unless it has a default.
//!
//! A type that is neither is a compile error at the parameter; a type that is both is a
//! compile error asking which one is meant.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use mcp_core::JsonObject;
use mcp_core::McpError;
use mcp_core::jsonrpc::{BorrowedStr, RawJson};
use mcp_core::model::{
    CallToolResult, ContentBlock, Icon, TaskSupport, Tool, ToolAnnotations, ToolExecution,
};
use mcp_core::peer::BoxFuture;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::context::{Context, FromContext, StateType};

/// The outcome of running a tool handler: a result to send (possibly with `isError: true`), or
/// a protocol error.
pub type ToolOutcome = Result<CallToolResult, ToolCallError>;

/// Why a tool call failed before or outside the tool's own result.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ToolCallError {
    /// The arguments did not match the tool's input schema. Revisions 2025-11-25 and later
    /// report this as a tool result with `isError: true` (so the model can correct itself);
    /// older revisions as a -32602 error.
    InvalidArguments(String),
    /// A protocol error: sent as a JSON-RPC error response.
    Protocol(McpError),
}

impl From<McpError> for ToolCallError {
    fn from(e: McpError) -> Self {
        Self::Protocol(e)
    }
}

type Handler = dyn Fn(ToolCall) -> BoxFuture<'static, ToolOutcome> + Send + Sync;

/// A registered tool: its descriptor and its handler.
#[derive(Clone)]
pub struct ToolDef {
    pub(crate) tool: Arc<Tool>,
    /// The descriptor's name, shared with each call (no copy per call).
    pub(crate) name: Arc<str>,
    pub(crate) handler: Arc<Handler>,
    pub(crate) crate_version: Option<&'static str>,
    pub(crate) required_state: Vec<StateType>,
}

impl fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolDef")
            .field("name", &self.tool.name)
            .finish_non_exhaustive()
    }
}

impl ToolDef {
    /// Starts building a tool by hand.
    ///
    /// ```
    /// use mcp_server::tool::{ArgsSchema, ToolDef, text_result};
    ///
    /// let mut schema = ArgsSchema::new();
    /// schema.argument::<String>("text", Some("The text to echo"));
    /// let echo = ToolDef::builder("echo")
    ///     .description("Echo the text back")
    ///     .input_schema(schema.finish())
    ///     .handler(|call| async move {
    ///         let text: String = call.argument("text")?;
    ///         Ok(text_result(text))
    ///     });
    /// assert_eq!(echo.descriptor().name, "echo");
    /// ```
    pub fn builder(name: impl Into<String>) -> ToolBuilder {
        let mut schema = JsonObject::new();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), Value::Object(JsonObject::new()));
        ToolBuilder {
            tool: Tool::new(name.into(), schema),
            crate_version: None,
            required_state: Vec::new(),
        }
    }

    /// The descriptor `tools/list` shows.
    pub fn descriptor(&self) -> &Tool {
        &self.tool
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.tool.name
    }

    /// The shared state the tool's parameters need (its `State<T>` parameters); the server
    /// checks at startup that each was provided.
    pub fn required_state(&self) -> &[StateType] {
        &self.required_state
    }

    /// Runs the tool (as `tools/call` would).
    pub fn call(&self, call: ToolCall) -> BoxFuture<'static, ToolOutcome> {
        (self.handler)(call)
    }
}

/// Builds a [`ToolDef`] by hand (the macros use the same builder).
#[derive(Debug)]
pub struct ToolBuilder {
    tool: Tool,
    crate_version: Option<&'static str>,
    required_state: Vec<StateType>,
}

impl ToolBuilder {
    /// Sets the human-readable title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.tool.title = Some(title.into());
        self
    }

    /// Sets the description shown to the model.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.tool.description = Some(description.into());
        self
    }

    /// Sets the input schema (a JSON Schema object with `"type": "object"` at the root).
    #[must_use]
    pub fn input_schema(mut self, schema: JsonObject) -> Self {
        self.tool.input_schema = schema;
        self
    }

    /// Sets what the parameters described in `schema` need: the input schema, and the shared
    /// state injected parameters read (see [`ToolBuilder::requires_state`]). The macros use it.
    #[must_use]
    pub fn parameters(mut self, schema: ArgsSchema) -> Self {
        let (input, required) = schema.finish_with_state();
        for ty in required {
            self = self.requires_state(ty);
        }
        self.input_schema(input)
    }

    /// Declares shared state the handler needs: the server fails at startup, naming the tool
    /// and the type, when it was never provided.
    #[must_use]
    pub fn requires_state(mut self, ty: StateType) -> Self {
        if !self.required_state.contains(&ty) {
            self.required_state.push(ty);
        }
        self
    }

    /// Sets the output schema; results must then carry conforming `structuredContent`.
    #[must_use]
    pub fn output_schema(mut self, schema: Option<JsonObject>) -> Self {
        self.tool.output_schema = schema;
        self
    }

    /// Sets the annotations (hints about the tool's behaviour).
    #[must_use]
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.tool.annotations = Some(annotations);
        self
    }

    /// Adds an icon.
    #[must_use]
    pub fn icon(mut self, icon: Icon) -> Self {
        self.tool.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Sets whether calls may (`Optional`) or must (`Required`) run as tasks
    /// (`execution.taskSupport`); `Forbidden`, the default, leaves `execution` out. See
    /// [the `task` module](mod@crate::task).
    #[must_use]
    pub fn task_support(mut self, support: TaskSupport) -> Self {
        self.tool.execution = match support {
            TaskSupport::Forbidden => None,
            other => Some(ToolExecution::new().with_task_support(other)),
        };
        self
    }

    /// Records the version of the crate that defines the tool; the server reports it as its
    /// version unless one is set explicitly. The macros pass the user's crate version here.
    #[must_use]
    pub fn crate_version(mut self, version: &'static str) -> Self {
        self.crate_version = Some(version);
        self
    }

    /// Gives mutable access to the descriptor, for fields the builder has no method for.
    pub fn descriptor_mut(&mut self) -> &mut Tool {
        &mut self.tool
    }

    /// Finishes the tool with its handler.
    pub fn handler<F, Fut>(self, handler: F) -> ToolDef
    where
        F: Fn(ToolCall) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolOutcome> + Send + 'static,
    {
        ToolDef {
            name: Arc::from(self.tool.name.as_str()),
            tool: Arc::new(self.tool),
            handler: Arc::new(move |call| Box::pin(handler(call))),
            crate_version: self.crate_version,
            required_state: self.required_state,
        }
    }
}

/// One call of a tool: the request [`Context`] and the raw `arguments`.
pub struct ToolCall {
    pub(crate) ctx: Context,
    pub(crate) arguments: RawArguments,
    pub(crate) tool_name: Arc<str>,
}

/// The `arguments` of a call without a copy: the request's `params`, owned, and where
/// `arguments` lies inside them.
#[derive(Debug, Default)]
pub(crate) struct RawArguments {
    params: Option<Box<RawJson>>,
    range: Option<(usize, usize)>,
}

impl RawArguments {
    /// `arguments` is `params.get()[range]`; an out-of-range or misplaced `range` reads as no
    /// arguments rather than panicking.
    pub(crate) fn new(params: Option<Box<RawJson>>, range: Option<(usize, usize)>) -> Self {
        Self { params, range }
    }

    fn text(&self) -> Option<&str> {
        let (start, end) = self.range?;
        self.params.as_deref()?.get().get(start..end)
    }
}

impl fmt::Debug for ToolCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolCall")
            .field("tool", &self.tool_name)
            .finish_non_exhaustive()
    }
}

impl ToolCall {
    /// The request context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The raw `arguments` value, if the client sent one.
    pub fn raw_arguments(&self) -> Option<&RawValue> {
        // The text was already checked as JSON; reading it as a raw value only finds its end.
        serde_json::from_str(self.arguments.text()?).ok()
    }

    /// Parses the arguments into a borrowed map (one pass; values stay raw).
    pub fn arguments(&self) -> Result<ArgMap<'_>, ToolCallError> {
        ArgMap::parse_text(self.arguments.text())
    }

    /// Deserializes one argument by name (a missing one deserializes as absent, which only
    /// `Option` and similar types accept).
    pub fn argument<T: DeserializeOwned>(&self, name: &str) -> Result<T, ToolCallError> {
        self.arguments()?.get(name)
    }
}

/// How many arguments an [`ArgMap`] holds without allocating.
const INLINE_ARGS: usize = 4;

/// The `(name, raw value)` pairs of an [`ArgMap`], in order: the first few inline (most tools
/// take few arguments), the rest in a vector.
#[derive(Debug, Default)]
struct Entries<'a> {
    inline: [Option<(Cow<'a, str>, &'a str)>; INLINE_ARGS],
    len: usize,
    spill: Vec<(Cow<'a, str>, &'a str)>,
}

impl<'a> Entries<'a> {
    fn push(&mut self, entry: (Cow<'a, str>, &'a str)) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = Some(entry),
            None => self.spill.push(entry),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl DoubleEndedIterator<Item = &(Cow<'a, str>, &'a str)> {
        self.inline.iter().flatten().chain(self.spill.iter())
    }

    /// Last first.
    fn iter_rev(&self) -> impl Iterator<Item = &(Cow<'a, str>, &'a str)> {
        self.iter().rev()
    }
}

/// The `arguments` object of a call, parsed once into `(name, raw value)` pairs.
#[derive(Debug, Default)]
pub struct ArgMap<'a> {
    entries: Entries<'a>,
    whole: Option<&'a str>,
}

impl<'a> ArgMap<'a> {
    /// Parses `arguments`; absent or `null` is an empty map, anything but an object is invalid.
    pub fn parse(raw: Option<&'a RawValue>) -> Result<Self, ToolCallError> {
        Self::parse_text(raw.map(RawValue::get))
    }

    /// [`ArgMap::parse`] of JSON text.
    fn parse_text(text: Option<&'a str>) -> Result<Self, ToolCallError> {
        let Some(text) = text.filter(|t| *t != "null") else {
            return Ok(Self::default());
        };
        let mut entries = Entries::default();
        // Always well-formed: a `RawValue`, or the range of one inside a message's checked
        // `params`.
        let scanned = mcp_core::json_scan::valid_object_members(text, |key, value| {
            entries.push((Cow::Borrowed(key), value));
        });
        if !scanned {
            // Escaped keys, or not an object: the general parser decides.
            entries = Self::parse_slow(text)?;
        }
        Ok(Self {
            entries,
            whole: Some(text),
        })
    }

    fn parse_slow(text: &'a str) -> Result<Entries<'a>, ToolCallError> {
        struct PairsVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for PairsVisitor<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Entries::default();
                while let Some(BorrowedStr(key)) = map.next_key::<BorrowedStr<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    out.push((key, value.get()));
                }
                Ok(out)
            }
        }
        let mut de = serde_json::Deserializer::from_str(text);
        de.deserialize_map(PairsVisitor(PhantomData))
            .and_then(|entries| de.end().map(|()| entries))
            .map_err(|_| {
                ToolCallError::InvalidArguments("`arguments` must be a JSON object".into())
            })
    }

    /// The text of one argument (the last one, if the client repeated the key).
    fn text(&self, name: &str) -> Option<&'a str> {
        self.entries
            .iter_rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// The raw value of one argument (the last one, if the client repeated the key).
    pub fn raw(&self, name: &str) -> Option<&'a RawValue> {
        serde_json::from_str(self.text(name)?).ok()
    }

    /// The names of the arguments present.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    /// Deserializes one argument; errors name the argument and the path inside it.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, ToolCallError> {
        match self.text(name) {
            Some(raw) => deserialize_raw(raw, name),
            None => T::deserialize(Missing).map_err(|_| {
                ToolCallError::InvalidArguments(format!("missing required argument `{name}`"))
            }),
        }
    }

    /// Deserializes one argument, or computes its default when absent.
    pub fn get_or<T: DeserializeOwned>(
        &self,
        name: &str,
        default: impl FnOnce() -> T,
    ) -> Result<T, ToolCallError> {
        match self.text(name) {
            Some(raw) if raw != "null" => deserialize_raw(raw, name),
            _ => Ok(default()),
        }
    }

    /// Deserializes the whole `arguments` object into one type (a flattened argument struct).
    pub fn get_all<T: DeserializeOwned>(&self) -> Result<T, ToolCallError> {
        let raw = self.whole.unwrap_or("{}");
        parse_traced(raw).map_err(|(path, inner)| {
            ToolCallError::InvalidArguments(match path {
                None => inner,
                Some(path) => format!("`{path}`: {inner}"),
            })
        })
    }
}

fn deserialize_raw<T: DeserializeOwned>(raw: &str, name: &str) -> Result<T, ToolCallError> {
    parse_traced(raw).map_err(|(path, inner)| {
        let at = match path {
            None => format!("`{name}`"),
            Some(path) => format!("`{name}.{path}`"),
        };
        ToolCallError::InvalidArguments(format!("argument {at}: {inner}"))
    })
}

/// Deserializes JSON text; a failure says where inside the value (`None`: the value itself) and
/// why. The plain parse runs first: only a failure is parsed again with the path tracked.
fn parse_traced<T: DeserializeOwned>(raw: &str) -> Result<T, (Option<String>, String)> {
    use mcp_core::jsonrpc::strip_position;
    serde_json::from_str(raw).map_err(|plain| {
        let mut de = serde_json::Deserializer::from_str(raw);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => {
                let path = e.path().to_string();
                ((path != ".").then_some(path), strip_position(e.inner()))
            }
            Ok(_) => (None, strip_position(&plain)),
        }
    })
}

/// A deserializer for an argument that is absent: `Option` reads it as `None`, everything else
/// fails. This is also how the input schema decides which arguments are required.
struct Missing;

impl<'de> Deserializer<'de> for Missing {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("missing"))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Whether an argument of type `T` may be omitted (it deserializes from "absent").
pub fn is_optional<T: DeserializeOwned>() -> bool {
    T::deserialize(Missing).is_ok()
}

/// Builds a tool's input schema from its parameters, and records the shared state they read.
pub struct ArgsSchema {
    generator: schemars::SchemaGenerator,
    properties: JsonObject,
    required: Vec<Value>,
    closed: bool,
    required_state: Vec<StateType>,
}

impl fmt::Debug for ArgsSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArgsSchema")
            .field("properties", &self.properties)
            .finish_non_exhaustive()
    }
}

impl Default for ArgsSchema {
    fn default() -> Self {
        Self::new()
    }
}

/// The generator settings used for every schema the SDK produces: JSON Schema 2020-12
/// (MCP's default dialect), describing what the tool *accepts*.
pub fn schema_generator() -> schemars::SchemaGenerator {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12().for_deserialize();
    settings.meta_schema = None;
    settings.into_generator()
}

impl ArgsSchema {
    /// An empty object schema.
    pub fn new() -> Self {
        Self {
            generator: schema_generator(),
            properties: JsonObject::new(),
            required: Vec::new(),
            closed: false,
            required_state: Vec::new(),
        }
    }

    /// Adds an argument property.
    pub fn argument<T: DeserializeOwned + JsonSchema>(
        &mut self,
        name: &str,
        description: Option<&str>,
    ) -> &mut Self {
        let schema = self.property_schema::<T>(description);
        self.properties.insert(name.to_owned(), schema);
        if !is_optional::<T>() {
            self.required.push(Value::String(name.to_owned()));
        }
        self
    }

    /// Adds an argument property that has a default (so it is not required).
    pub fn argument_with_default<T: DeserializeOwned + JsonSchema + Serialize>(
        &mut self,
        name: &str,
        description: Option<&str>,
        default: &T,
    ) -> &mut Self {
        let mut schema = self.property_schema::<T>(description);
        if let (Some(obj), Ok(value)) = (schema.as_object_mut(), serde_json::to_value(default)) {
            obj.insert("default".into(), value);
        }
        self.properties.insert(name.to_owned(), schema);
        self
    }

    /// Merges the properties of a struct's object schema (a flattened argument struct).
    pub fn flattened<T: DeserializeOwned + JsonSchema>(&mut self) -> &mut Self {
        let schema = self.generator.root_schema_for::<T>();
        let Value::Object(mut obj) = Value::from(schema) else {
            return self;
        };
        if let Some(Value::Object(props)) = obj.remove("properties") {
            self.properties.extend(props);
        }
        if let Some(Value::Array(req)) = obj.remove("required") {
            self.required.extend(req);
        }
        if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
            self.closed = true;
        }
        if let Some(Value::Object(defs)) = obj.remove("$defs") {
            self.generator.definitions_mut().extend(defs);
        }
        self
    }

    fn property_schema<T: JsonSchema>(&mut self, description: Option<&str>) -> Value {
        let mut schema = Value::from(self.generator.subschema_for::<T>());
        if let (Some(desc), Some(obj)) = (description, schema.as_object_mut()) {
            obj.insert("description".into(), desc.trim().into());
        }
        schema
    }

    /// Records shared state an injected parameter reads (not part of the input schema; see
    /// [`ToolBuilder::parameters`]).
    pub fn requires_state(&mut self, ty: StateType) -> &mut Self {
        self.required_state.push(ty);
        self
    }

    /// The finished schema and the shared state the injected parameters read.
    pub fn finish_with_state(mut self) -> (JsonObject, Vec<StateType>) {
        let required_state = std::mem::take(&mut self.required_state);
        (self.finish(), required_state)
    }

    /// Rejects arguments that are not declared (`additionalProperties: false`).
    pub fn deny_unknown(&mut self) -> &mut Self {
        self.closed = true;
        self
    }

    /// The finished schema: `{"type": "object", "properties": ..., "required": ...}` plus
    /// `$defs` when a type needed them.
    pub fn finish(mut self) -> JsonObject {
        let mut root = JsonObject::new();
        root.insert("type".into(), "object".into());
        let empty = self.properties.is_empty();
        root.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            root.insert("required".into(), Value::Array(self.required));
        }
        if self.closed || empty {
            root.insert("additionalProperties".into(), Value::Bool(false));
        }
        let defs = self.generator.take_definitions(true);
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs));
        }
        root
    }
}

/// Marker for parameters that are injected from the request context.
#[derive(Debug)]
pub enum Injected {}

/// Marker for parameters that are tool arguments.
#[derive(Debug)]
pub enum Argument {}

/// How one parameter of a tool function is described in the input schema and produced for a
/// call. Implemented for every [`FromContext`] type (injected) and every `Deserialize +
/// JsonSchema` type (an argument); see the [module docs](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a tool",
    label = "neither a tool argument nor an injected value",
    note = "a tool argument must implement `serde::Deserialize` and `schemars::JsonSchema` \
            (add `#[derive(Deserialize, JsonSchema)]` to the type)",
    note = "an injected value must implement `mcp_server::FromContext`: `Context`, `Progress`, \
            `Cancellation`, `Logger`, `RequestMeta`, `State<T>`, `ClientPeer`, or your own type"
)]
pub trait ToolParam<M>: Sized {
    /// Adds what this parameter contributes to the tool's description: a property of the input
    /// schema for an argument, the shared state it reads for an injected value.
    fn describe(schema: &mut ArgsSchema, name: &str, description: Option<&str>);

    /// Produces the parameter's value for one call.
    fn extract(ctx: &Context, args: &ArgMap<'_>, name: &str) -> Result<Self, ToolCallError>;
}

impl<T: FromContext> ToolParam<Injected> for T {
    fn describe(schema: &mut ArgsSchema, _: &str, _: Option<&str>) {
        let mut required = Vec::new();
        T::required_state(&mut required);
        for ty in required {
            schema.requires_state(ty);
        }
    }

    fn extract(ctx: &Context, _: &ArgMap<'_>, _: &str) -> Result<Self, ToolCallError> {
        T::from_context(ctx).map_err(ToolCallError::Protocol)
    }
}

impl<T: DeserializeOwned + JsonSchema> ToolParam<Argument> for T {
    fn describe(schema: &mut ArgsSchema, name: &str, description: Option<&str>) {
        schema.argument::<T>(name, description);
    }

    fn extract(_: &Context, args: &ArgMap<'_>, name: &str) -> Result<Self, ToolCallError> {
        args.get(name)
    }
}

/// A result with one text block.
pub fn text_result(text: impl Into<String>) -> CallToolResult {
    CallToolResult::new(vec![ContentBlock::text(text)])
}

/// Converts what a tool function returns into a `tools/call` result.
///
/// Implemented for `String` and `&str` (a text block), [`ContentBlock`] and `Vec<ContentBlock>`,
/// [`CallToolResult`], `()` (no content), numbers and `bool` (their text), [`Json<T>`]
/// (structured content with an output schema), and `Result<T, E>` where `T` is any of these:
/// an `Err` becomes a result with `isError: true`, unless it is an [`McpError`], which becomes a
/// JSON-RPC error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    label = "not convertible into a tool result",
    note = "return `String`, `Json<T>` (T: Serialize + JsonSchema), `ContentBlock`, `Vec<ContentBlock>`, \
            `CallToolResult`, `()`, or `Result<T, E>` of one of these with an error convertible into `ToolError`"
)]
pub trait IntoToolResult {
    /// The conversion; `Err` is sent as a JSON-RPC error.
    fn into_tool_result(self) -> Result<CallToolResult, McpError>;

    /// The output schema this return type advertises, if any.
    fn output_schema() -> Option<JsonObject> {
        None
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(self)
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(text_result(self))
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(text_result(self))
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::new(Vec::new()))
    }
}

impl IntoToolResult for ContentBlock {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::new(vec![self]))
    }
}

impl IntoToolResult for Vec<ContentBlock> {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::new(self))
    }
}

macro_rules! display_results {
    ($($t:ty),*) => {$(
        impl IntoToolResult for $t {
            fn into_tool_result(self) -> Result<CallToolResult, McpError> {
                Ok(text_result(self.to_string()))
            }
        }
    )*};
}
display_results!(
    bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

#[diagnostic::do_not_recommend]
impl<T: IntoToolResult, E: IntoToolError> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        match self {
            Ok(v) => v.into_tool_result(),
            Err(e) => e.into_tool_error().into_result(),
        }
    }

    fn output_schema() -> Option<JsonObject> {
        T::output_schema()
    }
}

/// Structured output: the value is returned as `structuredContent` (and as JSON text for
/// clients that predate structured content), and the tool advertises `T`'s schema as its
/// `outputSchema`. A value whose schema is not an object is wrapped as `{"result": value}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

fn schema_root_type(schema: &JsonObject) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

impl<T: Serialize + JsonSchema> IntoToolResult for Json<T> {
    fn into_tool_result(self) -> Result<CallToolResult, McpError> {
        let value = serde_json::to_value(&self.0).map_err(|e| {
            McpError::internal(format!("Failed to serialize the tool's result: {e}"))
        })?;
        let text = serde_json::to_string(&value).unwrap_or_default();
        let structured = match value {
            Value::Object(obj) => obj,
            other => {
                let mut obj = JsonObject::new();
                obj.insert("result".into(), other);
                obj
            }
        };
        let mut result = text_result(text);
        result.structured_content = Some(structured);
        Ok(result)
    }

    fn output_schema() -> Option<JsonObject> {
        let mut generator = {
            let mut settings = schemars::generate::SchemaSettings::draft2020_12().for_serialize();
            settings.meta_schema = None;
            settings.into_generator()
        };
        let Value::Object(schema) = Value::from(generator.root_schema_for::<T>()) else {
            return None;
        };
        match schema_root_type(&schema) {
            Some("object") => Some(schema),
            Some(_) => {
                let mut inner = schema;
                let defs = inner.remove("$defs");
                inner.remove("title");
                let mut props = JsonObject::new();
                props.insert("result".into(), Value::Object(inner));
                let mut root = JsonObject::new();
                root.insert("type".into(), "object".into());
                root.insert("properties".into(), Value::Object(props));
                root.insert("required".into(), serde_json::json!(["result"]));
                if let Some(defs) = defs {
                    root.insert("$defs".into(), defs);
                }
                Some(root)
            }
            None => None,
        }
    }
}

/// The error a tool returns.
///
/// Anything that converts into `Box<dyn Error + Send + Sync>` converts into a `ToolError`
/// (std errors, `anyhow::Error`, `String`, `&str`, your own `thiserror` enums), so `?` works in a
/// tool that returns `Result<T, ToolError>`. The client sees a result with `isError: true`
/// whose text is the error's message, except for an [`McpError`], which is sent as the JSON-RPC
/// error it describes.
pub struct ToolError {
    kind: ToolErrorKind,
}

enum ToolErrorKind {
    Tool {
        message: String,
        content: Vec<ContentBlock>,
    },
    Protocol(McpError),
}

impl ToolError {
    /// A tool error with a message (sent as `isError: true` with one text block).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            kind: ToolErrorKind::Tool {
                message: message.into(),
                content: Vec::new(),
            },
        }
    }

    /// A tool error with custom content blocks.
    pub fn with_content(content: Vec<ContentBlock>) -> Self {
        Self {
            kind: ToolErrorKind::Tool {
                message: String::new(),
                content,
            },
        }
    }

    /// A protocol error: sent as a JSON-RPC error response.
    pub fn protocol(error: McpError) -> Self {
        Self {
            kind: ToolErrorKind::Protocol(error),
        }
    }

    /// The protocol error, if this is one.
    pub fn as_protocol(&self) -> Option<&McpError> {
        match &self.kind {
            ToolErrorKind::Protocol(e) => Some(e),
            ToolErrorKind::Tool { .. } => None,
        }
    }

    /// What reaches the wire.
    pub fn into_result(self) -> Result<CallToolResult, McpError> {
        match self.kind {
            ToolErrorKind::Protocol(e) => Err(e),
            ToolErrorKind::Tool { message, content } => {
                let mut result = if content.is_empty() {
                    text_result(message)
                } else {
                    CallToolResult::new(content)
                };
                result.is_error = Some(true);
                Ok(result)
            }
        }
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ToolErrorKind::Tool { message, .. } => {
                f.debug_tuple("ToolError").field(message).finish()
            }
            ToolErrorKind::Protocol(e) => f.debug_tuple("ToolError::Protocol").field(e).finish(),
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ToolErrorKind::Tool { message, .. } => f.write_str(message),
            ToolErrorKind::Protocol(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: Into<Box<dyn StdError + Send + Sync>> + 'static> From<E> for ToolError {
    fn from(error: E) -> Self {
        // `anyhow::Error` hides the error it wraps when boxed; look inside it first, so an
        // `McpError` (even under added context) stays a protocol error.
        let any: Box<dyn std::any::Any> = Box::new(error);
        let error = match any.downcast::<anyhow::Error>() {
            Ok(err) => {
                return match err.downcast::<McpError>() {
                    Ok(e) => Self::protocol(e),
                    Err(err) => Self::new(format!("{err:#}")),
                };
            }
            Err(any) => match any.downcast::<E>() {
                Ok(e) => *e,
                Err(_) => unreachable!("the box holds an `E`"),
            },
        };
        let boxed: Box<dyn StdError + Send + Sync> = error.into();
        match boxed.downcast::<McpError>() {
            Ok(e) => Self::protocol(*e),
            Err(other) => match other.downcast::<crate::context::Cancelled>() {
                Ok(c) => Self::new(c.to_string()),
                Err(other) => Self::new(other.to_string()),
            },
        }
    }
}

/// Converts a tool's error type into a [`ToolError`]. Implemented for [`ToolError`] and for
/// everything that converts into `Box<dyn Error + Send + Sync>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error type of a tool",
    note = "use `ToolError`, `McpError`, `anyhow::Error`, `String`, or any `std::error::Error + Send + Sync`"
)]
pub trait IntoToolError {
    /// The conversion.
    fn into_tool_error(self) -> ToolError;
}

impl IntoToolError for ToolError {
    fn into_tool_error(self) -> ToolError {
        self
    }
}

impl<E: Into<Box<dyn StdError + Send + Sync>> + 'static> IntoToolError for E {
    fn into_tool_error(self) -> ToolError {
        ToolError::from(self)
    }
}

/// Registration of one tool from a value: implemented by the types `#[tool]` generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tool",
    label = "expected a function annotated with `#[tool]`, or a `ToolDef`",
    note = "annotate an `async fn` with `#[mcp_server::tool]`; for methods use `#[tools]` on the impl block and `Server::tools(instance)`"
)]
pub trait IntoTool {
    /// Builds the tool definition.
    fn into_tool(self) -> ToolDef;
}

impl IntoTool for ToolDef {
    fn into_tool(self) -> ToolDef {
        self
    }
}

/// A set of tools defined as methods of one value: implemented by `#[tools]` on an impl block.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no tools",
    label = "expected a type whose impl block is annotated with `#[tools]`",
    note = "annotate `impl {Self} {{ .. }}` with `#[mcp_server::tools]` and its methods with `#[tool]`"
)]
pub trait ToolBox: Send + Sync + 'static {
    /// The tools, each holding a clone of the shared value.
    fn tool_defs(self: Arc<Self>) -> Vec<ToolDef>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome<T: IntoToolResult>(v: T) -> Result<CallToolResult, McpError> {
        v.into_tool_result()
    }

    fn error_text(r: &CallToolResult) -> &str {
        assert_eq!(r.is_error, Some(true), "expected isError: {r:?}");
        match &r.content[0] {
            ContentBlock::Text(t) => &t.text,
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[derive(Debug, thiserror::Error)]
    enum AppError {
        #[error("quota exceeded for {0}")]
        Quota(String),
    }

    #[test]
    fn every_kind_of_error_becomes_an_is_error_result() {
        let r = outcome(Err::<String, _>(anyhow::anyhow!("upstream said no"))).unwrap();
        assert_eq!(error_text(&r), "upstream said no");
        let r = outcome(Err::<String, _>(std::io::Error::other("disk full"))).unwrap();
        assert_eq!(error_text(&r), "disk full");
        let r = outcome(Err::<String, _>(AppError::Quota("ada".into()))).unwrap();
        assert_eq!(error_text(&r), "quota exceeded for ada");
        let r = outcome(Err::<String, _>("plain text")).unwrap();
        assert_eq!(error_text(&r), "plain text");
        let r = outcome(Err::<String, _>(ToolError::new("custom"))).unwrap();
        assert_eq!(error_text(&r), "custom");
    }

    #[test]
    fn mcp_errors_stay_protocol_errors_through_every_path() {
        let e = outcome(Err::<String, _>(McpError::invalid_params("bad"))).unwrap_err();
        assert_eq!(e, McpError::invalid_params("bad"));
        fn with_question_mark() -> Result<String, ToolError> {
            Err(McpError::resource_not_found("x://1"))?
        }
        let e = outcome(with_question_mark()).unwrap_err();
        assert_eq!(e.code, mcp_core::ErrorCode::RESOURCE_NOT_FOUND);
        assert_eq!(e.data, Some(serde_json::json!({"uri": "x://1"})));
        let e = outcome(Err::<String, _>(anyhow::Error::from(McpError::internal(
            "through anyhow",
        ))))
        .unwrap_err();
        assert_eq!(e.message, "through anyhow");
        let wrapped =
            anyhow::Error::from(McpError::invalid_params("inner")).context("while doing x");
        assert_eq!(
            outcome(Err::<String, _>(wrapped)).unwrap_err().message,
            "inner"
        );
        let chain = anyhow::Error::from(std::io::Error::other("disk full")).context("saving");
        assert_eq!(
            error_text(&outcome(Err::<String, _>(chain)).unwrap()),
            "saving: disk full"
        );
    }

    #[test]
    fn successful_values_convert() {
        assert_eq!(outcome(42u8).unwrap(), text_result("42"));
        assert_eq!(outcome(()).unwrap().content.len(), 0);
        let r = outcome(Json(serde_json::json!({"a": 1}))).unwrap();
        assert_eq!(r.structured_content.unwrap()["a"], 1);
        let r = outcome(Json(vec![1, 2])).unwrap();
        assert_eq!(
            r.structured_content.unwrap()["result"],
            serde_json::json!([1, 2])
        );
    }

    #[test]
    fn output_schemas_are_objects() {
        #[derive(serde::Serialize, schemars::JsonSchema)]
        struct Out {
            n: u32,
        }
        let s = <Json<Out> as IntoToolResult>::output_schema().unwrap();
        assert_eq!(s["type"], "object");
        assert!(s["properties"]["n"].is_object());
        let s = <Result<Json<Vec<u32>>, ToolError> as IntoToolResult>::output_schema().unwrap();
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], serde_json::json!(["result"]));
        assert!(<String as IntoToolResult>::output_schema().is_none());
    }

    #[test]
    fn optional_arguments_are_detected_by_deserialization() {
        assert!(is_optional::<Option<String>>());
        assert!(!is_optional::<String>());
        assert!(!is_optional::<Vec<u8>>());
        assert!(!is_optional::<serde_json::Value>());
    }

    #[test]
    fn arg_map_keeps_order_and_the_last_repeat_beyond_the_inline_entries() {
        let raw = RawValue::from_string(
            r#"{"a":1,"b":2,"c":3,"d":4,"e":5,"a":6,"f\u0067":7,"b":8}"#.to_owned(),
        )
        .unwrap();
        let args = ArgMap::parse(Some(&raw)).unwrap();
        assert_eq!(
            args.names().collect::<Vec<_>>(),
            ["a", "b", "c", "d", "e", "a", "fg", "b"]
        );
        assert_eq!(args.get::<u32>("a").unwrap(), 6);
        assert_eq!(args.get::<u32>("b").unwrap(), 8);
        assert_eq!(args.get::<u32>("d").unwrap(), 4);
        assert_eq!(args.get::<u32>("e").unwrap(), 5);
        assert_eq!(args.get::<u32>("fg").unwrap(), 7);
        assert_eq!(args.get::<Option<u32>>("zz").unwrap(), None);
        let small = RawValue::from_string(r#"{"x":"y","x":"z"}"#.to_owned()).unwrap();
        let args = ArgMap::parse(Some(&small)).unwrap();
        assert_eq!(args.get::<String>("x").unwrap(), "z");
    }
}
