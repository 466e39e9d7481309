//! `#[lifespan]`: the same pipeline as the other macros, in one file. Lower the signature to a
//! [`LifespanFn`] (accumulating every error), then expand (infallible).
//!
//! The expansion keeps the user's function, unchanged, under a hidden name, and emits under the
//! user's name a plain function `fn(Lifespan) -> impl Future<Output = anyhow::Result<()>> + Send +
//! 'static`, which is what `Server::lifespan` takes (and what calling the function directly still
//! gives). The parameter type, the return type and `Send` are checked by the compiler, each once
//! and at the user's token, with the runtime traits' `on_unimplemented` messages.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Attribute, FnArg, GenericParam, Ident, Item, ItemFn, ReturnType, Type, Visibility};

use crate::diag::Diagnostics;
use crate::symbol::{CFG, DEPRECATED, DOC};

/// `#[lifespan(args)] item`.
pub(crate) fn lifespan(args: TokenStream, item: TokenStream) -> TokenStream {
    let diag = Diagnostics::new();
    let output = lifespan_with(&diag, args, item);
    let errors = diag.finish();
    quote!(#output #errors)
}

pub(crate) fn lifespan_with(
    diag: &Diagnostics,
    args: TokenStream,
    item: TokenStream,
) -> TokenStream {
    if !args.is_empty() {
        diag.error_spanned(&args, "`#[lifespan]` takes no arguments");
    }
    let func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            diag.error(
                first_span(&other),
                "`#[lifespan]` applies to an `async fn(server: Lifespan) -> anyhow::Result<()>`",
            );
            return item;
        }
        Err(e) => {
            diag.push(e);
            return item;
        }
    };
    match lower(diag, &func) {
        Some(model) => expand(model, func),
        None => func.into_token_stream(),
    }
}

/// What codegen needs from a valid lifespan signature.
struct LifespanFn {
    /// The parameter's declared type (checked to be `Lifespan` by the compiler).
    param: Type,
    /// The declared return type (checked to be `Result<(), E: Into<anyhow::Error>>`).
    output: Type,
}

/// Checks the signature's shape; `None` when it cannot be expanded (every problem reported).
fn lower(diag: &Diagnostics, func: &ItemFn) -> Option<LifespanFn> {
    let sig = &func.sig;
    let mut ok = true;
    if let Some(token) = &sig.constness {
        diag.error(token.span, "a lifespan cannot be a `const fn`");
        ok = false;
    }
    if sig.asyncness.is_none() {
        diag.error(
            sig.fn_token.span,
            "a lifespan must be an `async fn`: `async fn(server: Lifespan) -> anyhow::Result<()>`",
        );
        ok = false;
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        diag.error(token.span, "a lifespan cannot be an `unsafe fn`");
        ok = false;
    }
    if let Some(abi) = &sig.abi {
        diag.error_spanned(abi, "a lifespan cannot have an `extern` ABI");
        ok = false;
    }
    if let Some(variadic) = &sig.variadic {
        diag.error_spanned(variadic, "a lifespan cannot be variadic");
        ok = false;
    }
    if !sig.generics.params.is_empty() {
        let message = match sig.generics.params.first() {
            Some(GenericParam::Lifetime(_)) => "a lifespan cannot have lifetime parameters",
            _ => "a lifespan cannot be generic",
        };
        diag.error_spanned(&sig.generics, message);
        ok = false;
    }
    if let Some(clause) = &sig.generics.where_clause {
        diag.error_spanned(clause, "a lifespan cannot have a `where` clause");
        ok = false;
    }

    let mut param = None;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                diag.error_spanned(
                    receiver,
                    "a lifespan is a free function: it cannot take `self`",
                );
                ok = false;
            }
            FnArg::Typed(arg) if param.is_none() => param = Some((*arg.ty).clone()),
            FnArg::Typed(arg) => {
                diag.error_spanned(
                    arg,
                    "a lifespan takes one parameter, `server: Lifespan`; get shared state from `server.state::<T>()`",
                );
                ok = false;
            }
        }
    }
    if sig.inputs.is_empty() {
        diag.error(
            sig.paren_token.span.join(),
            "a lifespan takes one parameter, `server: Lifespan`: the handle to `provide` state and await `running()`",
        );
        ok = false;
    }

    let output = match &sig.output {
        ReturnType::Type(_, ty) => Some((**ty).clone()),
        ReturnType::Default => {
            diag.error(
                sig.paren_token.span.close(),
                "a lifespan must return `anyhow::Result<()>` (or `Result<(), E>` with `E: Into<anyhow::Error>`): add `-> anyhow::Result<()>` and end with `Ok(())`",
            );
            None
        }
    };

    match (ok, param, output) {
        (true, Some(param), Some(output)) => Some(LifespanFn { param, output }),
        _ => None,
    }
}

/// `::mcp_server::__private`, the only path generated code reaches the runtime through.
fn rt() -> TokenStream {
    quote!(::mcp_server::__private)
}

/// The user's function under a hidden name, and under its own name the function
/// `Server::lifespan` takes.
fn expand(model: LifespanFn, mut func: ItemFn) -> TokenStream {
    let rt = rt();
    let LifespanFn { param, output } = model;
    let ident = func.sig.ident.clone();
    let hidden = format_ident!("__mcp_lifespan_{}", ident, span = ident.span());
    let vis = std::mem::replace(&mut func.vis, Visibility::Inherited);
    func.sig.ident = hidden.clone();

    let mut cfgs = Vec::new();
    let mut wrapper_attrs = Vec::new();
    let mut fn_attrs = Vec::new();
    for attr in std::mem::take(&mut func.attrs) {
        let bucket: &mut Vec<Attribute> = if attr.path() == &CFG {
            &mut cfgs
        } else if attr.path() == &DOC || attr.path() == &DEPRECATED {
            &mut wrapper_attrs
        } else {
            &mut fn_attrs
        };
        bucket.push(attr);
    }
    func.attrs = fn_attrs;

    let server = Ident::new("__server", Span::mixed_site());
    let future = Ident::new("__future", Span::mixed_site());
    // Each bound is imposed at the token it checks, so rustc reports it there, once: the
    // conversions' own types do not depend on whether the bound holds, so nothing cascades.
    let param_span = first_span(&param);
    let output_span = first_span(&output);
    let handle =
        quote_spanned!(param_span=> <#param as #rt::LifespanParam>::from_lifespan(#server));
    let convert = quote_spanned!(output_span=> <_ as #rt::LifespanResult>::into_lifespan_result(#future.await));
    // A future that is not `Send` (or not `'static`) is reported at the function's name.
    let returns = quote_spanned!(ident.span()=>
        impl ::core::future::Future<Output = #rt::LifespanOutput> + ::core::marker::Send + 'static
    );
    quote! {
        #(#cfgs)*
        #(#wrapper_attrs)*
        #vis fn #ident(#server: #rt::Lifespan) -> #returns {
            let #future = #hidden(#handle);
            async move { #convert }
        }

        #(#cfgs)*
        #[doc(hidden)]
        #func
    }
}

/// The location of the first token of `node`.
fn first_span(node: &impl ToTokens) -> Span {
    node.to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: TokenStream, item: TokenStream) -> (TokenStream, Vec<String>) {
        let diag = Diagnostics::new();
        let out = lifespan_with(&diag, args, item);
        let errors = diag.into_errors().iter().map(ToString::to_string).collect();
        (out, errors)
    }

    fn items(tokens: TokenStream) -> Vec<Item> {
        syn::parse2::<syn::File>(tokens).expect("valid Rust").items
    }

    #[test]
    fn expands_to_a_wrapper_and_the_hidden_function() {
        let (out, errors) = run(
            TokenStream::new(),
            quote! {
                /// Opens the database.
                #[allow(unused)]
                pub async fn open_db(server: Lifespan) -> anyhow::Result<()> {
                    server.running().await;
                    Ok(())
                }
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
        let items = items(out);
        assert_eq!(items.len(), 2);
        let Item::Fn(wrapper) = &items[0] else {
            panic!("a function")
        };
        assert_eq!(wrapper.sig.ident, "open_db");
        assert!(wrapper.sig.asyncness.is_none());
        assert!(matches!(wrapper.vis, Visibility::Public(_)));
        assert!(wrapper.attrs.iter().any(|a| a.path().is_ident("doc")));
        assert!(
            !wrapper.attrs.iter().any(|a| a.path().is_ident("allow")
                && a.to_token_stream().to_string().contains("unused"))
        );
        let Item::Fn(hidden) = &items[1] else {
            panic!("a function")
        };
        assert_eq!(hidden.sig.ident, "__mcp_lifespan_open_db");
        assert!(hidden.sig.asyncness.is_some());
        assert!(matches!(hidden.vis, Visibility::Inherited));
        assert_eq!(
            hidden.block.to_token_stream().to_string(),
            quote!({
                server.running().await;
                Ok(())
            })
            .to_string(),
            "the body is emitted unchanged"
        );
    }

    #[test]
    fn every_signature_error_is_reported_and_the_item_kept() {
        let item = quote! {
            fn setup<T>(self, a: Lifespan, b: u32) {}
        };
        let (out, errors) = run(quote!(name = "x"), item.clone());
        assert_eq!(out.to_string(), item.to_string());
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].contains("takes no arguments"));
        assert!(errors[1].contains("must be an `async fn`"));
        assert!(errors[2].contains("cannot be generic"));
        assert!(errors[3].contains("cannot take `self`"));
        assert!(errors[4].contains("takes one parameter"));
        assert!(errors[5].contains("must return `anyhow::Result<()>`"));
    }

    #[test]
    fn a_missing_parameter_is_an_error() {
        let (_, errors) = run(
            TokenStream::new(),
            quote!(
                async fn setup() -> anyhow::Result<()> {
                    Ok(())
                }
            ),
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("takes one parameter, `server: Lifespan`"));
    }

    #[test]
    fn not_a_function() {
        let (out, errors) = run(
            TokenStream::new(),
            quote!(
                struct S;
            ),
        );
        assert_eq!(
            out.to_string(),
            quote!(
                struct S;
            )
            .to_string()
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("applies to an `async fn"));
    }
}
