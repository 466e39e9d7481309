//! The validated model of a tool: everything codegen needs, each fact with the span it came from.
//!
//! A [`Tool`] is built by `lower` only when the function's signature can be expanded; errors in
//! the attribute values leave it usable (the offending key is ignored and reported), so one
//! mistake gives one message and the rest of the user's code still sees the generated items.

use proc_macro2::Span;
use syn::{Attribute, Expr, Ident, ItemFn, ItemImpl, LitStr, Type};

use crate::docs::Text;

/// A value and the span of the token it came from (clap's `Sp<T>`).
#[derive(Clone)]
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

impl<T> Sp<T> {
    pub(crate) fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// One tool: the descriptor facts and how to call it.
pub(crate) struct Tool {
    /// The wire name (validated against SEP-986).
    pub(crate) name: Sp<String>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<Text>,
    pub(crate) annotations: Annotations,
    pub(crate) icons: Vec<LitStr>,
    /// `task = "..."` (`None`: not given, which means forbidden).
    pub(crate) task: Option<crate::attr::TaskMode>,
    pub(crate) params: Vec<Param>,
    /// The declared return type, or `()`.
    pub(crate) output: Type,
    /// The user's function (or method) name.
    pub(crate) ident: Ident,
}

/// The annotation hints; `None` means "not given" (the key was absent).
#[derive(Default, Clone, Copy)]
pub(crate) struct Annotations {
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
}

impl Annotations {
    pub(crate) fn is_empty(&self) -> bool {
        self.read_only.is_none()
            && self.destructive.is_none()
            && self.idempotent.is_none()
            && self.open_world.is_none()
    }
}

/// One parameter of the tool function, in declaration order.
pub(crate) struct Param {
    pub(crate) ty: Type,
    /// The member of `arguments` it reads (the identifier, or `#[arg(rename)]`).
    pub(crate) wire_name: String,
    pub(crate) description: Option<Text>,
    pub(crate) source: Source,
}

/// Where a parameter's value comes from.
pub(crate) enum Source {
    /// Through `ToolParam`: an argument or an injected value, chosen by the type.
    Param,
    /// An argument with `#[arg(default = EXPR)]`.
    Default(Expr),
    /// `#[arg(flatten)]`: the whole `arguments` object deserialized into one struct.
    Flatten,
}

/// `#[tool]` on a free `async fn`.
pub(crate) struct FreeTool {
    pub(crate) tool: Tool,
    /// The user's function with macro-only attributes stripped from its parameters.
    pub(crate) func: ItemFn,
    /// The name the function is emitted under.
    pub(crate) hidden: Ident,
    /// `#[cfg]` attributes: copied onto every generated item.
    pub(crate) cfgs: Vec<Attribute>,
    /// Doc comments and `#[deprecated]`: they describe the tool value, so they go on the struct.
    pub(crate) struct_attrs: Vec<Attribute>,
    /// Everything else (lint levels, `#[tracing::instrument]`, ...): stays on the function.
    pub(crate) fn_attrs: Vec<Attribute>,
}

/// `#[tools]` on an inherent impl block.
pub(crate) struct ToolBox {
    /// The impl block with `#[tool]` attributes and parameter attributes stripped.
    pub(crate) item: ItemImpl,
    /// The `#[tool]` methods that expand, in order.
    pub(crate) tools: Vec<Tool>,
}
