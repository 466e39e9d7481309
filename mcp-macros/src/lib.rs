//! Attribute macros for [`mcp-server`](https://docs.rs/mcp-server): `#[tool]`, `#[tools]`,
//! `#[resource]`, `#[resource_template]`, `#[prompt]` and `#[lifespan]`.
//!
//! Use them through `mcp_server` (`use mcp_server::prelude::*;`), whose documentation has the
//! runnable examples. Generated code refers to the runtime only through
//! `::mcp_server::__private`, which is not public API.
//!
//! Internals, one pipeline for every macro: `attr` parses attributes (set-once keys, unknown keys
//! with suggestions), `lower` turns a signature into the validated `model`, `validate` holds the
//! cross-cutting checks, all reporting into `diag`'s accumulator; `expand` generates code and
//! cannot fail; `fallback` strips macro-only attributes so the user's item is always emitted.
//! `#[resource]`, `#[resource_template]` and `#[prompt]` run the same stages in `resource.rs` and
//! `prompt.rs`, with what they share (argument parsing, `complete(...)`, the free-function
//! expansion) in `handler.rs` and a compile-time RFC 6570 parser in `template.rs`.
//! Only this file touches `proc_macro`.

mod attr;
mod diag;
mod docs;
mod expand;
mod fallback;
mod handler;
mod lifespan;
mod lower;
mod model;
mod pipeline;
mod prompt;
mod resource;
mod symbol;
mod template;
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
/// | `task`, `task = "optional" \| "required" \| "forbidden"` | `execution.taskSupport`: whether the tool may (or must) run as a task (see `mcp_server::task`); default forbidden |
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
///
/// # Naming
///
/// The tool's name, in the module that defines it, is the unit struct: `.tool(NAME)` registers
/// it and `NAME(args).await` still calls it. Because a unit struct is a pattern, a `let` binding
/// (or a parameter) with the same name in that module is a compile error ("let bindings cannot
/// shadow unit structs"): name such locals differently. A `pub` tool must not mention private
/// types in its signature (E0446), since the struct's call signature names them.
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
/// A tool that may run as a task: `#[task]` is `#[tool(task = "optional")]`, and takes the
/// same keys as [`#[tool]`](macro@tool) (write `#[tool(task = "required")]` for a tool that
/// only runs as a task). Inside a `#[tools]` impl block, use `#[tool(task = "...")]`.
///
/// ```text
/// #[task]
/// async fn train(ctx: Context, model_id: String) -> String {
///     for epoch in 1..=100 {
///         ctx.report_status(format!("epoch {epoch}/100"), epoch, 100).await;
///     }
///     format!("{model_id} trained")
/// }
/// ```
#[proc_macro_attribute]
pub fn task(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = proc_macro2::TokenStream::from(args);
    if let Some(key) = pipeline::find_task_key(&args) {
        // Expand as the user's `#[tool(...)]` would, plus the error, so nothing else fails.
        let diag = diag::Diagnostics::new();
        diag.error(
            syn::spanned::Spanned::span(&key),
            "`#[task]` already sets `task = \"optional\"`; for another mode write `#[tool(task = \"...\")]`",
        );
        let errors = diag.finish();
        let tool = diag::catch_panics(|| pipeline::tool(args, item.into()));
        return quote::quote!(#tool #errors).into();
    }
    let args = if args.is_empty() {
        quote::quote!(task = "optional")
    } else {
        quote::quote!(#args, task = "optional")
    };
    diag::catch_panics(|| pipeline::tool(args, item.into())).into()
}

#[proc_macro_attribute]
pub fn tools(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| pipeline::tools(args.into(), item.into())).into()
}

/// Turns an `async fn(server: Lifespan) -> anyhow::Result<()>` into a lifespan: startup code,
/// then `server.running().await` while the server runs, then shutdown code.
///
/// ```text
/// #[lifespan]
/// async fn database(server: Lifespan) -> anyhow::Result<()> {
///     let db = Db::open("app.db").await?;    // startup: an error here stops the server
///     server.provide(db.clone());           // reachable as `State<Db>` / `ctx.state::<Db>()`
///     server.running().await;               // the server runs
///     db.close().await;                     // shutdown: runs once
///     Ok(())
/// }
///
/// Server::new("app").lifespan(database);    // register it
/// ```
///
/// The function takes exactly one parameter, of type `Lifespan`, and returns `anyhow::Result<()>`
/// or any `Result<(), E>` with `E: Into<anyhow::Error>`; its future must be `Send`. The macro
/// takes no arguments.
///
/// # What it expands to
///
/// The function itself, unchanged, under a hidden name, and under its own name (same visibility
/// and docs) a function `fn(Lifespan) -> impl Future<Output = anyhow::Result<()>> + Send`, which
/// is what `Server::lifespan` takes; calling it directly still runs the lifespan.
#[proc_macro_attribute]
pub fn lifespan(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| lifespan::lifespan(args.into(), item.into())).into()
}

/// Turns an `async fn` into a fixed resource, read with `resources/read` at one URI.
///
/// ```text
/// /// The project's README.                  <- the resource's description
/// #[resource("docs://readme", mime = "text/markdown")]
/// async fn readme(db: State<Db>) -> Result<String, McpError> { .. }
///
/// Server::new("docs").resource(readme);      // register it
/// ```
///
/// The URI comes first and must be absolute (`scheme:...`) without `{`. Every parameter is
/// injected (`FromContext`: `Context`, `State<T>`, ...). The return type must implement
/// `IntoResourceContents`: `String`/`&'static str` (text), `Vec<u8>`/`Blob` (base64), `Json<T>`,
/// `ResourceContents`, `Vec<ResourceContents>`, `ReadResourceResult`, `Result<T, E>` (an
/// `McpError` is sent as it is, any other error as -32603 with its message).
///
/// # `#[resource("uri", ...)]` keys
///
/// | key | meaning |
/// |---|---|
/// | `name = "..."` | the resource's `name` (default: the function's name) |
/// | `title = "..."` | display name |
/// | `description = "..."` | description (default: the doc comment) |
/// | `mime = "..."` | `mimeType` of the resource and its contents |
/// | `icon = "..."` | an icon URI; repeatable |
///
/// # What it expands to
///
/// As `#[tool]`: a unit struct named like the function that implements `IntoResource` and
/// `Deref`s to the function, which is kept unchanged under a hidden name.
#[proc_macro_attribute]
pub fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| resource::expand_attr(resource::Kind::Fixed, args.into(), item.into()))
        .into()
}

/// Turns an `async fn` into a resource template: every URI matching an RFC 6570 template.
///
/// ```text
/// /// A user's profile.
/// #[resource_template("db://users/{user_id}", mime = "application/json")]
/// async fn user_profile(db: State<Db>, user_id: u64) -> Result<Json<User>, McpError> { .. }
///
/// Server::new("db").resource_template(user_profile);
/// ```
///
/// The template comes first; it is parsed at compile time (operators `+ # . / ; ? &`, modifiers
/// `*` and `:n`). A parameter named like a template variable (or `#[arg(rename = "var")]`) is
/// parsed from the matched, percent-decoded value with `FromStr` (`Option<T>` when the URI may
/// leave it out, `Vec<T>` for a list); a value that does not parse is -32602 naming the
/// variable. Every other parameter must be injected (`FromContext`). A variable without a
/// parameter, and a parameter that is neither a variable nor injectable, are compile errors at
/// the template string. Return types are those of [`macro@resource`].
///
/// # `#[resource_template("template", ...)]` keys
///
/// | key | meaning |
/// |---|---|
/// | `name = "..."` | the template's `name` (default: the function's name) |
/// | `title = "..."` | display name |
/// | `description = "..."` | description (default: the doc comment) |
/// | `mime = "..."` | `mimeType` of the matching resources and their contents |
/// | `icon = "..."` | an icon URI; repeatable |
/// | `complete(var = path, ...)` | completes variable `var` with `path`, an `async fn(CompletionRequest) -> Vec<String>` |
#[proc_macro_attribute]
pub fn resource_template(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| resource::expand_attr(resource::Kind::Template, args.into(), item.into()))
        .into()
}

/// Turns an `async fn` into a prompt, listed by `prompts/list` and filled in by `prompts/get`.
///
/// ```text
/// /// Plan a trip.                            <- the prompt's description
/// #[prompt(title = "Trip planner", complete(city = complete_city))]
/// async fn plan_trip(
///     /// Where to go.                        <- the argument's description
///     city: String,                           <- required argument
///     days: Option<u32>,                      <- optional argument
///     ctx: Context,                           <- injected
/// ) -> Vec<PromptMessage> { .. }
///
/// Server::new("travel").prompt(plan_trip);
/// ```
///
/// Prompt arguments arrive as strings. Each parameter is, by its type, an argument parsed with
/// `FromStr` (required; `Option<T>` optional; `#[arg(default = EXPR)]` optional with a default;
/// `#[arg(rename = "..")]` renames it) or injected (`FromContext`). The return type must
/// implement `IntoPromptResult`: `String` (one user message), `PromptMessage`,
/// `Vec<PromptMessage>`, `ContentBlock`, `Vec<ContentBlock>`, `GetPromptResult`, `Result<T, E>`.
///
/// # `#[prompt(...)]` keys
///
/// | key | meaning |
/// |---|---|
/// | `name = "..."` | the prompt's name (default: the function's name) |
/// | `title = "..."` | display name |
/// | `description = "..."` | description (default: the doc comment) |
/// | `icon = "..."` | an icon URI; repeatable |
/// | `complete(arg = path, ...)` | completes argument `arg` with `path`, an `async fn(CompletionRequest) -> Vec<String>` |
#[proc_macro_attribute]
pub fn prompt(args: TokenStream, item: TokenStream) -> TokenStream {
    diag::catch_panics(|| prompt::expand_attr(args.into(), item.into())).into()
}
