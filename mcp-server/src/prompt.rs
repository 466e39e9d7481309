//! Prompts: definitions, arguments, messages.
//!
//! A prompt is a [`PromptDef`]: its descriptor (what `prompts/list` shows) and a handler that
//! fills it in for `prompts/get`. The [`#[prompt]`](macro@crate::prompt) macro builds one from an async
//! function; [`PromptDef::builder`] builds one by hand, with the same semantics.
//!
//! ```
//! use mcp_server::prelude::*;
//!
//! /// Review a piece of code.
//! #[prompt(title = "Code review")]
//! async fn review(
//!     /// The code to review.
//!     code: String,
//!     /// How strict to be, 1 to 5.
//!     strictness: Option<u8>,
//! ) -> Vec<PromptMessage> {
//!     vec![
//!         PromptMessage::user(format!("Review this code (strictness {}):", strictness.unwrap_or(3))),
//!         PromptMessage::user(code),
//!     ]
//! }
//! # let _ = Server::new("doc").prompt(review);
//! ```
//!
//! # Arguments
//!
//! Prompt arguments arrive as strings. Every parameter goes through [`PromptParam`], chosen by
//! its type: a [`FromContext`] type is injected; a [`FromStr`] type is a **required** argument
//! parsed from its string; `Option<T>` of one is **optional** (absent or `""` is `None`);
//! `#[arg(default = EXPR)]` makes an argument optional with a default. `///` docs on a parameter
//! (or `#[arg(description = "..")]`) describe it, `#[arg(rename = "..")]` renames it.
//!
//! `prompts/get` answers -32602 for an unknown prompt, a missing required argument, an argument
//! the prompt does not declare, and a value that does not parse, each naming the argument.
//!
//! # Return types
//!
//! Anything [`IntoPromptResult`]: `String` or `&'static str` (one user text message),
//! [`PromptMessage`], `Vec<PromptMessage>`, [`ContentBlock`] and `Vec<ContentBlock>` (user
//! messages), [`GetPromptResult`], and `Result<T, E>` of these. An `Err` is a JSON-RPC error: an
//! [`McpError`] as it is, any other error -32603 with its message (as for resources).
//! Messages may hold text, images, audio and embedded resources:
//! `PromptMessage::user(ContentBlock::image(base64, "image/png"))`,
//! `PromptMessage::user(ContentBlock::embedded_text(uri, mime, text))`.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

use mcp_core::McpError;
use mcp_core::model::{ContentBlock, GetPromptResult, Icon, Prompt, PromptArgument, PromptMessage};
use mcp_core::peer::BoxFuture;

use crate::completion::{Completer, Completers};
use crate::context::{Context, FromContext};
use crate::server::Server;
use crate::tool::IntoToolError;

/// The outcome of a `prompts/get`.
pub type PromptOutcome = Result<GetPromptResult, McpError>;

type GetFn = dyn Fn(PromptCall) -> BoxFuture<'static, PromptOutcome> + Send + Sync;

/// A registered prompt: its descriptor, its handler, and the completers of its arguments.
#[derive(Clone)]
pub struct PromptDef {
    pub(crate) prompt: Arc<Prompt>,
    pub(crate) handler: Arc<GetFn>,
    pub(crate) completers: Completers,
    pub(crate) crate_version: Option<&'static str>,
}

impl fmt::Debug for PromptDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptDef")
            .field("name", &self.prompt.name)
            .field("completers", &self.completers)
            .finish_non_exhaustive()
    }
}

impl PromptDef {
    /// Starts building a prompt by hand.
    ///
    /// ```
    /// use mcp_server::prompt::PromptDef;
    ///
    /// let greet = PromptDef::builder("greet")
    ///     .description("Greet someone")
    ///     .argument("name", Some("Who to greet"), true)
    ///     .handler(|call| async move {
    ///         let name: String = call.required("name")?;
    ///         Ok::<_, mcp_server::McpError>(format!("Say hello to {name}."))
    ///     });
    /// assert_eq!(greet.descriptor().name, "greet");
    /// ```
    pub fn builder(name: impl Into<String>) -> PromptBuilder {
        PromptBuilder {
            prompt: Prompt::new(name),
            arguments: PromptArgs::new(),
            completers: Completers::default(),
            crate_version: None,
        }
    }

    /// The descriptor `prompts/list` shows.
    pub fn descriptor(&self) -> &Prompt {
        &self.prompt
    }

    /// The prompt's name.
    pub fn name(&self) -> &str {
        &self.prompt.name
    }

    /// Checks the arguments against the descriptor, then runs the handler.
    pub(crate) fn get(
        &self,
        ctx: Context,
        arguments: BTreeMap<String, String>,
    ) -> BoxFuture<'static, PromptOutcome> {
        let declared = self.prompt.arguments.as_deref().unwrap_or_default();
        let name = &self.prompt.name;
        if let Some(unknown) = arguments
            .keys()
            .find(|k| !declared.iter().any(|a| &a.name == *k))
        {
            let e =
                McpError::invalid_params(format!("Prompt `{name}` has no argument `{unknown}`"));
            return Box::pin(async move { Err(e) });
        }
        if let Some(missing) = declared
            .iter()
            .find(|a| a.required == Some(true) && !arguments.contains_key(&a.name))
        {
            let e = McpError::invalid_params(format!(
                "Missing required argument `{}` for prompt `{name}`",
                missing.name
            ));
            return Box::pin(async move { Err(e) });
        }
        (self.handler)(PromptCall {
            ctx,
            name: Arc::from(name.as_str()),
            arguments,
        })
    }
}

/// Builds a [`PromptDef`] by hand (the macros use the same builder).
#[derive(Debug)]
pub struct PromptBuilder {
    prompt: Prompt,
    arguments: PromptArgs,
    completers: Completers,
    crate_version: Option<&'static str>,
}

impl PromptBuilder {
    /// Sets the display name.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.prompt.title = Some(title.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.prompt.description = Some(description.into());
        self
    }

    /// Adds an icon.
    #[must_use]
    pub fn icon(mut self, icon: Icon) -> Self {
        self.prompt.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Declares an argument.
    #[must_use]
    pub fn argument(mut self, name: &str, description: Option<&str>, required: bool) -> Self {
        self.arguments.push(name, description, required);
        self
    }

    /// Declares the arguments collected in `arguments` (what the macros do).
    #[must_use]
    pub fn arguments(mut self, arguments: PromptArgs) -> Self {
        self.arguments.0.extend(arguments.0);
        self
    }

    /// Completes the argument `argument` with `completer` (see
    /// [the completion module](crate::completion)).
    #[must_use]
    pub fn complete(mut self, argument: impl Into<String>, completer: impl Completer) -> Self {
        self.completers.insert(argument.into(), Arc::new(completer));
        self
    }

    /// Records the version of the defining crate.
    #[must_use]
    pub fn crate_version(mut self, version: &'static str) -> Self {
        self.crate_version = Some(version);
        self
    }

    /// Gives mutable access to the descriptor, for fields the builder has no method for.
    pub fn descriptor_mut(&mut self) -> &mut Prompt {
        &mut self.prompt
    }

    /// Finishes the prompt with its handler.
    pub fn handler<F, Fut, R>(mut self, handler: F) -> PromptDef
    where
        F: Fn(PromptCall) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoPromptResult,
    {
        if !self.arguments.0.is_empty() {
            self.prompt
                .arguments
                .get_or_insert_with(Vec::new)
                .extend(self.arguments.0);
        }
        for (argument, _) in self.completers.iter() {
            let declared = self
                .prompt
                .arguments
                .iter()
                .flatten()
                .any(|a| a.name == argument);
            if !declared {
                tracing::warn!(
                    prompt = self.prompt.name,
                    argument,
                    "a completer was registered for an argument the prompt does not declare"
                );
            }
        }
        PromptDef {
            prompt: Arc::new(self.prompt),
            handler: Arc::new(move |call: PromptCall| {
                let fut = handler(call);
                Box::pin(async move { fut.await.into_prompt_result() })
            }),
            completers: self.completers,
            crate_version: self.crate_version,
        }
    }
}

impl Server {
    /// Registers a prompt: a function annotated with `#[prompt]`, or a [`PromptDef`]. The
    /// server then offers the `prompts` capability (and `completions` if it has completers).
    #[must_use]
    pub fn prompt(self, prompt: impl IntoPrompt) -> Self {
        self.catalog.add_prompt(prompt.into_prompt());
        self
    }
}

/// The declared arguments of a prompt, collected from its parameters.
#[derive(Debug, Default)]
pub struct PromptArgs(Vec<PromptArgument>);

impl PromptArgs {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares one argument.
    pub fn push(&mut self, name: &str, description: Option<&str>, required: bool) -> &mut Self {
        let mut argument = PromptArgument::new(name).with_required(required);
        if let Some(description) = description {
            argument = argument.with_description(description.trim());
        }
        self.0.push(argument);
        self
    }
}

/// One `prompts/get`: the request [`Context`] and the (string) arguments.
pub struct PromptCall {
    pub(crate) ctx: Context,
    pub(crate) name: Arc<str>,
    pub(crate) arguments: BTreeMap<String, String>,
}

impl fmt::Debug for PromptCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptCall")
            .field("prompt", &self.name)
            .field("arguments", &self.arguments)
            .finish_non_exhaustive()
    }
}

impl PromptCall {
    /// The request context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The prompt's name.
    pub fn prompt_name(&self) -> &str {
        &self.name
    }

    /// All arguments, as sent.
    pub fn arguments(&self) -> &BTreeMap<String, String> {
        &self.arguments
    }

    /// The raw value of one argument.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.arguments.get(name).map(String::as_str)
    }

    /// Parses a required argument; missing or unparsable is -32602 naming it.
    pub fn required<T>(&self, name: &str) -> Result<T, McpError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match self.raw(name) {
            Some(text) => self.parse(name, text),
            None => Err(McpError::invalid_params(format!(
                "Missing required argument `{name}` for prompt `{}`",
                self.name
            ))),
        }
    }

    /// Parses an optional argument: absent or empty is `None`; unparsable is -32602.
    pub fn optional<T>(&self, name: &str) -> Result<Option<T>, McpError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match self.raw(name) {
            Some(text) if !text.is_empty() => self.parse(name, text).map(Some),
            _ => Ok(None),
        }
    }

    /// Parses an optional argument, or computes its default when absent or empty.
    pub fn get_or<T>(&self, name: &str, default: impl FnOnce() -> T) -> Result<T, McpError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        Ok(self.optional(name)?.unwrap_or_else(default))
    }

    fn parse<T>(&self, name: &str, text: &str) -> Result<T, McpError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        text.parse::<T>().map_err(|e| {
            McpError::invalid_params(format!(
                "Invalid value for argument `{name}` of prompt `{}` ({text:?}): {e}",
                self.name
            ))
        })
    }
}

/// Marker for prompt parameters that are injected.
#[derive(Debug)]
pub enum Injected {}

/// Marker for required prompt arguments.
#[derive(Debug)]
pub enum Required {}

/// Marker for optional prompt arguments.
#[derive(Debug)]
pub enum Optional {}

/// How one parameter of a prompt function is declared and produced. Implemented for every
/// [`FromContext`] type (injected), every `FromStr` type (a required argument) and `Option<T>`
/// of one (an optional argument); see the [module docs](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a prompt",
    label = "neither a prompt argument nor an injected value",
    note = "a prompt argument is parsed from a string: it must implement `std::str::FromStr` (with a `Display` error); \
            use `Option<T>` for an optional one",
    note = "an injected value must implement `mcp_server::FromContext`: `Context`, `Progress`, \
            `Cancellation`, `Logger`, `RequestMeta`, `State<T>`, `ClientPeer`, `ServerHandle`, or your own type"
)]
pub trait PromptParam<M>: Sized {
    /// Adds what this parameter contributes to the prompt's arguments.
    fn describe(arguments: &mut PromptArgs, name: &str, description: Option<&str>);

    /// Produces the parameter's value for one call.
    fn extract(call: &PromptCall, name: &str) -> Result<Self, McpError>;
}

impl<T: FromContext> PromptParam<Injected> for T {
    fn describe(_: &mut PromptArgs, _: &str, _: Option<&str>) {}

    fn extract(call: &PromptCall, _: &str) -> Result<Self, McpError> {
        T::from_context(&call.ctx)
    }
}

impl<T> PromptParam<Required> for T
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn describe(arguments: &mut PromptArgs, name: &str, description: Option<&str>) {
        arguments.push(name, description, true);
    }

    fn extract(call: &PromptCall, name: &str) -> Result<Self, McpError> {
        call.required(name)
    }
}

#[diagnostic::do_not_recommend]
impl<T> PromptParam<Optional> for Option<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn describe(arguments: &mut PromptArgs, name: &str, description: Option<&str>) {
        arguments.push(name, description, false);
    }

    fn extract(call: &PromptCall, name: &str) -> Result<Self, McpError> {
        call.optional(name)
    }
}

/// Converts what a prompt function returns into a `prompts/get` result.
///
/// Implemented for `String` and `&'static str` (one user text message), [`PromptMessage`] and
/// `Vec<PromptMessage>`, [`ContentBlock`] and `Vec<ContentBlock>` (one user message each),
/// [`GetPromptResult`], and `Result<T, E>` of these.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a prompt",
    label = "not convertible into prompt messages",
    note = "return `String`, `PromptMessage`, `Vec<PromptMessage>`, `ContentBlock`, `Vec<ContentBlock>`, \
            `GetPromptResult`, or `Result<T, E>` of one of these"
)]
pub trait IntoPromptResult {
    /// The conversion; `Err` is sent as a JSON-RPC error.
    fn into_prompt_result(self) -> PromptOutcome;
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> PromptOutcome {
        Ok(self)
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> PromptOutcome {
        Ok(GetPromptResult::new(self))
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> PromptOutcome {
        Ok(GetPromptResult::new(vec![self]))
    }
}

impl IntoPromptResult for ContentBlock {
    fn into_prompt_result(self) -> PromptOutcome {
        PromptMessage::user(self).into_prompt_result()
    }
}

impl IntoPromptResult for Vec<ContentBlock> {
    fn into_prompt_result(self) -> PromptOutcome {
        Ok(GetPromptResult::new(
            self.into_iter().map(PromptMessage::user).collect(),
        ))
    }
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> PromptOutcome {
        PromptMessage::user(self).into_prompt_result()
    }
}

impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> PromptOutcome {
        PromptMessage::user(self).into_prompt_result()
    }
}

#[diagnostic::do_not_recommend]
impl<T: IntoPromptResult, E: IntoToolError> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> PromptOutcome {
        match self {
            Ok(v) => v.into_prompt_result(),
            Err(e) => Err(crate::catalog::handler_error(e)),
        }
    }
}

/// Registration of one prompt: implemented by the types `#[prompt]` generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a prompt",
    label = "expected a function annotated with `#[prompt]`, or a `PromptDef`",
    note = "annotate an `async fn` with `#[mcp_server::prompt]`"
)]
pub trait IntoPrompt {
    /// Builds the prompt definition.
    fn into_prompt(self) -> PromptDef;
}

impl IntoPrompt for PromptDef {
    fn into_prompt(self) -> PromptDef {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_core::ErrorCode;

    #[test]
    fn return_types_convert() {
        let r = "hello".into_prompt_result().unwrap();
        assert_eq!(r.messages.len(), 1);
        assert_eq!(r.messages[0].content.as_text(), Some("hello"));
        let r = vec![
            ContentBlock::text("a"),
            ContentBlock::image("AAAA", "image/png"),
            ContentBlock::audio("UklG", "audio/wav"),
            ContentBlock::embedded_text("x://doc", "text/plain", "doc"),
        ]
        .into_prompt_result()
        .unwrap();
        let kinds: Vec<_> = r.messages.iter().map(|m| m.content.type_name()).collect();
        assert_eq!(kinds, ["text", "image", "audio", "resource"]);
        let e = Err::<String, _>("bad thing")
            .into_prompt_result()
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::INTERNAL_ERROR);
        assert_eq!(e.message, "bad thing");
    }

    #[test]
    fn arguments_are_declared_by_type() {
        let mut args = PromptArgs::new();
        <String as PromptParam<_>>::describe(&mut args, "a", Some(" doc "));
        <Option<u8> as PromptParam<_>>::describe(&mut args, "b", None);
        <crate::Context as PromptParam<_>>::describe(&mut args, "ctx", None);
        assert_eq!(args.0.len(), 2);
        assert_eq!(args.0[0].required, Some(true));
        assert_eq!(args.0[0].description.as_deref(), Some("doc"));
        assert_eq!(args.0[1].required, Some(false));
    }
}
