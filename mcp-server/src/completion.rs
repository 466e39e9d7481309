//! Argument completion (`completion/complete`) for prompt arguments and resource-template
//! variables.
//!
//! A completer is declared next to what it completes, and is a plain `async fn` taking a
//! [`CompletionRequest`] and returning candidates (anything [`IntoCompletion`]):
//!
//! ```
//! use mcp_server::prelude::*;
//!
//! const CITIES: &[&str] = &["Berlin", "Lisbon", "London", "Paris"];
//!
//! /// Suggests cities starting with what was typed so far.
//! async fn complete_city(request: CompletionRequest) -> Vec<String> {
//!     request.matching(CITIES.iter().copied())
//! }
//!
//! /// Weather for a city.
//! #[resource_template("api://weather/{city}", complete(city = complete_city))]
//! async fn weather(city: String) -> String {
//!     format!("sunny in {city}")
//! }
//!
//! /// Plan a trip.
//! #[prompt(complete(city = complete_city))]
//! async fn plan_trip(city: String, days: Option<u32>) -> String {
//!     format!("Plan {} days in {city}", days.unwrap_or(3))
//! }
//! # let _ = Server::new("doc").resource_template(weather).prompt(plan_trip);
//! ```
//!
//! `complete(name = path)` in `#[prompt(...)]` or `#[resource_template(...)]` names the argument
//! (or template variable) and the completer; the macro checks at compile time that the argument
//! exists. By hand, [`PromptBuilder::complete`](crate::prompt::PromptBuilder::complete) and
//! [`ResourceTemplateBuilder::complete`](crate::resource::ResourceTemplateBuilder::complete) do
//! the same.
//!
//! The request carries the partial value ([`CompletionRequest::value`]) and the values of the
//! arguments the client already resolved (`context.arguments`, [`CompletionRequest::arguments`]),
//! so a completer can depend on earlier choices. At most 100 values are sent: longer lists are
//! cut, with `total` and `hasMore` set. An argument without a completer completes to an empty
//! list; an unknown prompt, template or argument is an error (-32602). The server advertises the
//! `completions` capability when at least one completer is registered.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use mcp_core::McpError;
use mcp_core::model::{CompleteResult, Completion, MAX_COMPLETION_VALUES};
use mcp_core::peer::BoxFuture;

use crate::context::Context;
use crate::tool::IntoToolError;

/// One `completion/complete` request, as a completer sees it.
pub struct CompletionRequest {
    pub(crate) ctx: Context,
    pub(crate) argument: String,
    pub(crate) value: String,
    pub(crate) arguments: BTreeMap<String, String>,
}

impl fmt::Debug for CompletionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionRequest")
            .field("argument", &self.argument)
            .field("value", &self.value)
            .field("arguments", &self.arguments)
            .finish_non_exhaustive()
    }
}

impl CompletionRequest {
    /// The request context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The name of the argument (or template variable) being completed.
    pub fn argument(&self) -> &str {
        &self.argument
    }

    /// What the user typed so far.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Values of the arguments already resolved (`context.arguments`), by name.
    pub fn arguments(&self) -> &BTreeMap<String, String> {
        &self.arguments
    }

    /// The resolved value of another argument, if the client sent it.
    pub fn resolved(&self, name: &str) -> Option<&str> {
        self.arguments.get(name).map(String::as_str)
    }

    /// The candidates that start with the typed value, ignoring case, in their original order.
    pub fn matching<I>(&self, candidates: I) -> Vec<String>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let typed = self.value.to_lowercase();
        candidates
            .into_iter()
            .map(Into::into)
            .filter(|c: &String| c.to_lowercase().starts_with(&typed))
            .collect()
    }
}

/// Converts what a completer returns into completion values.
///
/// Implemented for `Vec<String>`, `Vec<&'static str>`, [`Completion`] (sent as given, but cut to
/// 100 values) and `Result<T, E>` of these (an error becomes a JSON-RPC error: an [`McpError`]
/// stays itself, any other error is -32603 with its message).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a completer",
    label = "not convertible into completion values",
    note = "return `Vec<String>`, `Vec<&'static str>`, `Completion`, or `Result<T, E>` of one of these"
)]
pub trait IntoCompletion {
    /// The conversion.
    fn into_completion(self) -> Result<Completion, McpError>;
}

impl IntoCompletion for Completion {
    fn into_completion(self) -> Result<Completion, McpError> {
        Ok(self)
    }
}

impl IntoCompletion for Vec<String> {
    fn into_completion(self) -> Result<Completion, McpError> {
        Ok(Completion::from_candidates(self))
    }
}

impl IntoCompletion for Vec<&'static str> {
    fn into_completion(self) -> Result<Completion, McpError> {
        Ok(Completion::from_candidates(self))
    }
}

#[diagnostic::do_not_recommend]
impl<T: IntoCompletion, E: IntoToolError> IntoCompletion for Result<T, E> {
    fn into_completion(self) -> Result<Completion, McpError> {
        match self {
            Ok(v) => v.into_completion(),
            Err(e) => Err(crate::catalog::handler_error(e)),
        }
    }
}

/// A completer: an `async fn(CompletionRequest) -> R` where `R:` [`IntoCompletion`].
///
/// Implemented for every such function and closure; there is no need to implement it by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a completer",
    label = "expected an `async fn(CompletionRequest) -> Vec<String>`",
    note = "a completer takes one `mcp_server::CompletionRequest` and returns `Vec<String>`, \
            `Completion`, or a `Result` of one of these"
)]
pub trait Completer: Send + Sync + 'static {
    /// Runs the completer.
    fn complete(
        &self,
        request: CompletionRequest,
    ) -> BoxFuture<'static, Result<Completion, McpError>>;
}

#[diagnostic::do_not_recommend]
impl<F, Fut, R> Completer for F
where
    F: Fn(CompletionRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoCompletion,
{
    fn complete(
        &self,
        request: CompletionRequest,
    ) -> BoxFuture<'static, Result<Completion, McpError>> {
        let fut = self(request);
        Box::pin(async move { fut.await.into_completion() })
    }
}

/// The completers of one prompt or template, by argument name.
#[derive(Clone, Default)]
pub(crate) struct Completers {
    entries: Vec<(String, Arc<dyn Completer>)>,
}

impl fmt::Debug for Completers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Completers {
    /// Adds (or replaces) the completer of `argument`.
    pub(crate) fn insert(&mut self, argument: String, completer: Arc<dyn Completer>) {
        match self.entries.iter_mut().find(|(name, _)| *name == argument) {
            Some(entry) => entry.1 = completer,
            None => self.entries.push((argument, completer)),
        }
    }

    pub(crate) fn get(&self, argument: &str) -> Option<&Arc<dyn Completer>> {
        self.entries
            .iter()
            .find(|(name, _)| name == argument)
            .map(|(_, c)| c)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Arc<dyn Completer>)> {
        self.entries.iter().map(|(name, c)| (name.as_str(), c))
    }
}

/// Runs `completer` (if any) and shapes the result: at most 100 values, with `total` and
/// `hasMore` when some were cut.
pub(crate) async fn run(
    completer: Option<Arc<dyn Completer>>,
    request: CompletionRequest,
) -> Result<CompleteResult, McpError> {
    let Some(completer) = completer else {
        return Ok(CompleteResult::new(Completion::new(Vec::new())));
    };
    let mut completion = completer.complete(request).await?;
    if completion.values.len() > MAX_COMPLETION_VALUES {
        let total = completion.total.unwrap_or(completion.values.len() as u64);
        completion.values.truncate(MAX_COMPLETION_VALUES);
        completion.total = Some(total);
        completion.has_more = Some(true);
    }
    Ok(CompleteResult::new(completion))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_capped_at_one_hundred() {
        let many: Vec<String> = (0..250).map(|i| i.to_string()).collect();
        let c = many.into_completion().unwrap();
        assert_eq!(c.values.len(), 100);
        assert_eq!(c.total, Some(250));
        assert_eq!(c.has_more, Some(true));
        let few = vec!["a", "b"].into_completion().unwrap();
        assert_eq!(few.values, ["a", "b"]);
        assert_eq!(few.has_more, None);
    }

    #[test]
    fn errors_follow_the_taxonomy() {
        let e = Err::<Vec<String>, _>(McpError::invalid_params("nope"))
            .into_completion()
            .unwrap_err();
        assert_eq!(e, McpError::invalid_params("nope"));
        let e = Err::<Vec<String>, _>(std::io::Error::other("disk"))
            .into_completion()
            .unwrap_err();
        assert_eq!(e.code, mcp_core::ErrorCode::INTERNAL_ERROR);
        assert_eq!(e.message, "disk");
    }
}
