//! Attribute macros for [`mcp-server`](https://docs.rs/mcp-server): `#[tool]` and `#[tools]`.
//!
//! Use them through `mcp_server` (`use mcp_server::prelude::*;`), whose documentation has the
//! runnable examples. Generated code refers to the runtime only through
//! `::mcp_server::__private`, which is not public API.
//!
//! Internals, one pipeline for every macro: `attr` parses attributes (set-once keys, unknown keys
//! with suggestions), `lower` turns a signature into the validated `model`, `validate` holds the
//! cross-cutting checks, all reporting into `diag`'s accumulator; `expand` generates code and
//! cannot fail; `fallback` strips macro-only attributes so the user's item is always emitted.
//! Only this file touches `proc_macro`.

mod attr;
mod diag;
mod docs;
mod expand;
mod fallback;
mod lower;
mod model;
mod pipeline;
mod symbol;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Turns an `async fn` into a tool.
///
/// ```text
/// /// Add two numbers.                      <- the tool's description
/// #[tool(read_only, idempotent)]
/// async fn add(
///     /// The first addend.                 <- the argument's description
///     a: f64,
///     #[arg(default = 0.0)] b: f64,         <- optional, with a default
///     ctx: Context,                         <- injected, not an argument
/// ) -> String { (a + b).to_string() }
///
/// Server::new("calc").tool(add);            // register it
/// let sum = add(1.0, 2.0, ctx).await;       // and it is still callable
/// ```
///
/// Every parameter is either an **argument** (a `Deserialize + JsonSchema` type: a property of
/// the input schema, required unless it is an `Option` or has a default) or **injected** (a
/// `FromContext` type: `Context`, `Progress`, `Cancellation`, `Logger`, `RequestMeta`,
/// `State<T>`, `ClientPeer`, or your own). The type decides; a type that is neither is a compile
/// error at the parameter. Parameters must be owned (`String`, not `&str`). The return type must
/// implement `IntoToolResult` (`String`, `Json<T>`, `Result<T, E>`, ...).
///
/// # `#[tool(...)]` keys
///
/// | key | meaning |
/// |---|---|
/// | `name = "..."` | wire name (default: the function's name); 1–128 of `[A-Za-z0-9_.-]` |
/// | `title = "..."` | human-readable title |
/// | `description = "..."` | description (default: the doc comment) |
/// | `read_only`, `read_only = bool` | `readOnlyHint` |
/// | `destructive`, `destructive = bool` | `destructiveHint` |
/// | `idempotent`, `idempotent = bool` | `idempotentHint` |
/// | `open_world`, `open_world = bool` | `openWorldHint` |
/// | `icon = "..."` | an icon URI; repeatable |
///
/// # `#[arg(...)]` keys, on parameters
///
/// | key | meaning |
/// |---|---|
/// | `default = EXPR` | the argument is optional: `EXPR` (of the parameter's type, which must also be `Serialize`) when absent or `null`; advertised as the schema's `default` |
/// | `rename = "..."` | the argument's wire name (default: the parameter's name) |
/// | `flatten` | a `Deserialize + JsonSchema` struct whose fields are the arguments |
/// | `description = "..."` | the argument's description (default: its `///` doc comment) |
///
/// # What it expands to
///
/// A unit struct named like the function (same visibility and docs) that implements
/// `IntoTool`, so `Server::tool(name)` registers it, and `Deref`s to a function pointer, so
/// `name(args).await` still calls the function. The function itself is kept, unchanged, under a
/// hidden name.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| pipeline::tool(args.into(), item.into())).into()
}

/// Turns the `#[tool]` methods of an inherent impl block into a set of tools.
///
/// ```text
/// struct Calculator { precision: u32 }
///
/// #[tools]
/// impl Calculator {
///     /// Add two numbers.
///     #[tool(read_only)]
///     async fn add(&self, a: f64, b: f64) -> String { .. }
///
///     fn helper(&self) {}                   // not a tool: left alone
/// }
///
/// Server::new("calc").tools(Calculator { precision: 2 });
/// ```
///
/// Tool methods take `&self` and follow the rules and keys of [`macro@tool`]. The impl block is
/// emitted as written (minus the `#[tool]` attributes) plus an implementation of `ToolBox`,
/// whose tools share the value through an `Arc`. Tool names must be unique within the block.
#[proc_macro_attribute]
pub fn tools(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| pipeline::tools(args.into(), item.into())).into()
}
