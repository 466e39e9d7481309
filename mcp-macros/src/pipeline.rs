//! One pipeline per macro: parse → lower (accumulating errors) → validate → expand.
//!
//! Only syntax that cannot be parsed stops early. Everything else is reported into one
//! [`Diagnostics`] and the output is always the user's item (macro-only attributes stripped)
//! plus every error: fully expanded when the signature allows it, so an attribute mistake gives
//! exactly one message and the tool stays usable by the rest of the crate; as written otherwise.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::{Attribute, ImplItem, Item, ItemFn};

use crate::attr::{ToolAttrs, is_tool_attr};
use crate::diag::Diagnostics;
use crate::expand;
use crate::fallback;
use crate::lower::{self, Kind};
use crate::model::{FreeTool, ToolBox};
use crate::symbol::{CFG, DEPRECATED, DOC};
use crate::validate;

/// `#[tool(args)] item`.
pub(crate) fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    let diag = Diagnostics::new();
    let output = tool_with(&diag, args, item);
    let errors = diag.finish();
    quote!(#output #errors)
}

/// `#[tools(args)] item`.
pub(crate) fn tools(args: TokenStream, item: TokenStream) -> TokenStream {
    let diag = Diagnostics::new();
    let output = tools_with(&diag, args, item);
    let errors = diag.finish();
    quote!(#output #errors)
}

pub(crate) fn tool_with(diag: &Diagnostics, args: TokenStream, item: TokenStream) -> TokenStream {
    let attrs = ToolAttrs::parse(diag, args);
    let mut func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            diag.error(
                first_span(&other),
                "`#[tool]` applies to an `async fn`; for methods, put `#[tools]` on the impl block",
            );
            return item;
        }
        Err(e) => {
            diag.push(e);
            return item;
        }
    };
    let tool = lower::tool(diag, attrs, &func.attrs, &func.sig, Kind::Free);
    fallback::strip_param_attrs(&mut func.sig);
    match tool {
        Some(tool) => expand::free_tool(free_tool(func, tool)),
        None => func.into_token_stream(),
    }
}

pub(crate) fn tools_with(diag: &Diagnostics, args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        diag.error_spanned(
            &args,
            "`#[tools]` takes no arguments; settings go on each `#[tool(...)]`",
        );
    }
    let mut item = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Impl(item)) => item,
        Ok(other) => {
            diag.error(
                first_span(&other),
                "`#[tools]` applies to an inherent `impl` block",
            );
            return item;
        }
        Err(e) => {
            diag.push(e);
            return item;
        }
    };
    if let Some((path, _)) = &item.trait_ {
        diag.error_spanned(
            path,
            "`#[tools]` applies to an inherent `impl` block, not to a trait impl",
        );
        fallback::strip_tools_impl(&mut item);
        return item.into_token_stream();
    }
    let mut tools = Vec::new();
    let mut found = false;
    for impl_item in &item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let mut tool_attrs = method.attrs.iter().filter(|a| is_tool_attr(a));
        let Some(attr) = tool_attrs.next() else {
            continue;
        };
        for extra in tool_attrs {
            diag.error_spanned(extra, "`#[tool]` is applied more than once");
        }
        found = true;
        let attrs = ToolAttrs::from_attribute(diag, attr);
        if let Some(tool) = lower::tool(diag, attrs, &method.attrs, &method.sig, Kind::Method) {
            tools.push(tool);
        }
    }
    if !found {
        diag.error(
            item.impl_token.span,
            "`#[tools]` found no `#[tool]` methods in this impl block",
        );
    }
    validate::unique_names(diag, &mut tools);
    fallback::strip_tools_impl(&mut item);
    expand::tool_box(ToolBox { item, tools })
}

/// Splits the function's attributes between the tool value and the hidden function.
fn free_tool(func: ItemFn, tool: crate::model::Tool) -> FreeTool {
    let hidden = format_ident!(
        "__mcp_tool_{}",
        func.sig.ident,
        span = func.sig.ident.span()
    );
    let mut cfgs = Vec::new();
    let mut struct_attrs = Vec::new();
    let mut fn_attrs = Vec::new();
    for attr in &func.attrs {
        let bucket: &mut Vec<Attribute> = if attr.path() == &CFG {
            &mut cfgs
        } else if attr.path() == &DOC || attr.path() == &DEPRECATED {
            &mut struct_attrs
        } else {
            &mut fn_attrs
        };
        bucket.push(attr.clone());
    }
    FreeTool {
        tool,
        func,
        hidden,
        cfgs,
        struct_attrs,
        fn_attrs,
    }
}

fn first_span(node: &impl ToTokens) -> Span {
    node.to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// The `task` key among the arguments of `#[task(...)]`, if the user wrote one.
pub(crate) fn find_task_key(args: &TokenStream) -> Option<syn::Path> {
    use syn::parse::Parser;
    let metas = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated
        .parse2(args.clone())
        .ok()?;
    metas
        .iter()
        .map(syn::Meta::path)
        .find(|p| **p == crate::symbol::TASK)
        .cloned()
}
