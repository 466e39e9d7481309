//! Lowering: a function signature plus its parsed attributes to a [`Tool`], checking everything
//! that can be checked on one function. Errors are reported into [`Diagnostics`]; the result is
//! `None` only when the signature cannot be expanded (not async, generic, wrong receiver, a
//! parameter that is not a plain owned binding, ...). Attribute mistakes leave a usable model.

use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, GenericArgument, GenericParam, Pat, PathArguments, ReturnType, Signature,
    Type, TypeParamBound, parse_quote,
};

use crate::attr::{ArgAttrs, ToolAttrs};
use crate::diag::Diagnostics;
use crate::docs::Text;
use crate::model::{Annotations, Param, Source, Sp, Tool};
use crate::symbol::{CFG, CFG_ATTR};
use crate::validate::{self, NameOrigin};

/// Where the function is, which decides what its receiver must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[tool]` on a free function: no receiver.
    Free,
    /// `#[tool]` on a method of a `#[tools]` impl block: `&self`.
    Method,
}

/// Lowers one tool function. `fn_attrs` are the function's own attributes (for its doc comment).
pub(crate) fn tool(
    diag: &Diagnostics,
    attrs: ToolAttrs,
    fn_attrs: &[Attribute],
    sig: &Signature,
    kind: Kind,
) -> Option<Tool> {
    let mut ok = signature_shape(diag, sig, kind);

    let mut params = Vec::new();
    for input in &sig.inputs {
        let FnArg::Typed(arg) = input else { continue };
        let arg_attrs = ArgAttrs::parse(diag, &arg.attrs);
        for attr in &arg.attrs {
            if attr.path() == &CFG || attr.path() == &CFG_ATTR {
                diag.error_spanned(attr, "`#[cfg]` on a tool parameter is not supported: the input schema must not depend on it");
                ok = false;
            }
        }
        let ident = match &*arg.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                diag.error_spanned(
                    other,
                    "a tool parameter must be a plain identifier (it names the argument); destructure it in the function body",
                );
                ok = false;
                continue;
            }
        };
        ok &= owned_param(diag, &arg.ty);
        let (wire_name, name_span) = match &arg_attrs.rename {
            Some(lit) => (lit.value(), lit.span()),
            None => (ident.unraw().to_string(), ident.span()),
        };
        let source = match (arg_attrs.flatten, arg_attrs.default) {
            (true, _) => Source::Flatten,
            (false, Some(expr)) => Source::Default(expr),
            (false, None) => Source::Param,
        };
        if !matches!(source, Source::Flatten) {
            let clash = params
                .iter()
                .any(|p: &Param| !matches!(p.source, Source::Flatten) && p.wire_name == wire_name);
            if clash {
                diag.error(name_span, format_args!("two parameters read the argument `{wire_name}`; rename one with `#[arg(rename = \"...\")]`"));
            }
        }
        let description = arg_attrs
            .description
            .or_else(|| Text::from_docs(&arg.attrs));
        params.push(Param {
            ty: (*arg.ty).clone(),
            wire_name,
            description,
            source,
        });
    }

    let output = match &sig.output {
        ReturnType::Default => parse_quote!(()),
        ReturnType::Type(_, ty) => {
            ok &= owned_return(diag, ty);
            (**ty).clone()
        }
    };

    let name = match &attrs.name {
        Some(lit) => {
            let name = Sp::new(lit.value(), lit.span());
            validate::tool_name(diag, &name, NameOrigin::Explicit);
            name
        }
        None => {
            let name = Sp::new(sig.ident.unraw().to_string(), sig.ident.span());
            validate::tool_name(diag, &name, NameOrigin::Ident);
            name
        }
    };

    ok.then(|| Tool {
        name,
        title: attrs.title,
        description: attrs.description.or_else(|| Text::from_docs(fn_attrs)),
        annotations: Annotations {
            read_only: attrs.read_only,
            destructive: attrs.destructive,
            idempotent: attrs.idempotent,
            open_world: attrs.open_world,
        },
        icons: attrs.icons,
        task: attrs.task,
        params,
        output,
        ident: sig.ident.clone(),
    })
}

/// Qualifiers, generics and receiver. Returns whether the signature can be expanded.
fn signature_shape(diag: &Diagnostics, sig: &Signature, kind: Kind) -> bool {
    let mut ok = true;
    if let Some(token) = &sig.constness {
        diag.error(token.span, "a tool cannot be a `const fn`");
        ok = false;
    }
    if sig.asyncness.is_none() {
        diag.error(sig.fn_token.span, "a tool must be an `async fn`");
        ok = false;
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        diag.error(token.span, "a tool cannot be an `unsafe fn`");
        ok = false;
    }
    if let Some(abi) = &sig.abi {
        diag.error_spanned(abi, "a tool cannot have an `extern` ABI");
        ok = false;
    }
    if let Some(variadic) = &sig.variadic {
        diag.error_spanned(variadic, "a tool cannot be variadic");
        ok = false;
    }
    if let Some(first) = sig.generics.params.first() {
        let message = match first {
            GenericParam::Type(_) => {
                "a tool cannot be generic: its input schema is built from the concrete parameter types"
            }
            GenericParam::Lifetime(_) => {
                "a tool cannot have lifetime parameters: its parameters must be owned values"
            }
            GenericParam::Const(_) => "a tool cannot have const generic parameters",
        };
        diag.error_spanned(&sig.generics, message);
        ok = false;
    }
    if let Some(clause) = &sig.generics.where_clause {
        diag.error_spanned(clause, "a tool cannot have a `where` clause");
        ok = false;
    }
    let receiver = sig.inputs.iter().find_map(|input| match input {
        FnArg::Receiver(r) => Some(r),
        FnArg::Typed(_) => None,
    });
    match (kind, receiver) {
        (Kind::Free, Some(receiver)) => {
            diag.error_spanned(
                receiver,
                "a method cannot be a free `#[tool]`; use `#[tools]` on the impl block, with `#[tool]` on each tool method",
            );
            ok = false;
        }
        (Kind::Method, Some(receiver)) => {
            let by_shared_ref = receiver.mutability.is_none()
                && matches!(
                    &receiver.kind,
                    syn::ReceiverKind::Reference(_, lifetime, None)
                        if lifetime.as_ref().is_none_or(|l| l.ident == "_")
                );
            if !by_shared_ref {
                diag.error_spanned(receiver, "a tool method must take `&self`");
                ok = false;
            }
        }
        (Kind::Method, None) => {
            diag.error(
                sig.ident.span(),
                "a tool method must take `&self`; for a function without `self`, use a free `#[tool] async fn`",
            );
            ok = false;
        }
        (Kind::Free, None) => {}
    }
    ok
}

/// A parameter type must be owned and `'static`: the handler stores it in a `'static` future.
fn owned_param(diag: &Diagnostics, ty: &Type) -> bool {
    match borrowed_part(ty) {
        None => true,
        Some(Borrowed::Reference(node)) => {
            diag.error_spanned(
                node,
                "tool parameters must be owned types (`String`, not `&str`; `Vec<T>`, not `&[T]`)",
            );
            false
        }
        Some(Borrowed::ImplTrait(node)) => {
            diag.error_spanned(
                node,
                "tool parameters must be owned types, not `impl Trait`: name the type",
            );
            false
        }
        Some(Borrowed::Lifetime(node)) => {
            diag.error_spanned(node, "tool parameters must be owned types: they cannot borrow (no lifetimes other than `'static`)");
            false
        }
    }
}

/// The return type must be nameable and `'static`.
fn owned_return(diag: &Diagnostics, ty: &Type) -> bool {
    match borrowed_part(ty) {
        None => true,
        Some(Borrowed::ImplTrait(node)) => {
            diag.error_spanned(
                node,
                "a tool cannot return `impl Trait`: name the return type",
            );
            false
        }
        Some(Borrowed::Reference(node) | Borrowed::Lifetime(node)) => {
            diag.error_spanned(node, "a tool must return an owned type (or `&'static str`)");
            false
        }
    }
}

pub(crate) enum Borrowed<'a> {
    Reference(&'a dyn quote::ToTokens),
    ImplTrait(&'a dyn quote::ToTokens),
    Lifetime(&'a dyn quote::ToTokens),
}

/// The first part of a type that borrows (a non-`'static` reference or lifetime) or is opaque
/// (`impl Trait`), if any.
pub(crate) fn borrowed_part(ty: &Type) -> Option<Borrowed<'_>> {
    match ty {
        Type::Reference(r) => match &r.lifetime {
            Some(l) if l.ident == "static" => borrowed_part(&r.elem),
            _ => Some(Borrowed::Reference(ty)),
        },
        Type::ImplTrait(_) => Some(Borrowed::ImplTrait(ty)),
        Type::Array(a) => borrowed_part(&a.elem),
        Type::Slice(s) => borrowed_part(&s.elem),
        Type::Ptr(p) => borrowed_part(&p.elem),
        Type::Group(g) => borrowed_part(&g.elem),
        Type::Paren(p) => borrowed_part(&p.elem),
        Type::Tuple(t) => t.elems.iter().find_map(borrowed_part),
        Type::Path(p) => {
            if let Some(found) = p.qself.as_ref().and_then(|q| borrowed_part(&q.ty)) {
                return Some(found);
            }
            p.path
                .segments
                .iter()
                .find_map(|segment| match &segment.arguments {
                    PathArguments::None => None,
                    PathArguments::AngleBracketed(args) => {
                        args.args.iter().find_map(|arg| match arg {
                            GenericArgument::Lifetime(l) if l.ident != "static" => {
                                Some(Borrowed::Lifetime(arg))
                            }
                            GenericArgument::Type(t) => borrowed_part(t),
                            GenericArgument::AssocType(a) => borrowed_part(&a.ty),
                            _ => None,
                        })
                    }
                    PathArguments::Parenthesized(args) => args
                        .inputs
                        .iter()
                        .find_map(|arg| borrowed_part(&arg.ty))
                        .or_else(|| match &args.output {
                            ReturnType::Type(_, t) => borrowed_part(t),
                            ReturnType::Default => None,
                        }),
                })
        }
        Type::TraitObject(obj) => obj.bounds.iter().find_map(|bound| match bound {
            TypeParamBound::Lifetime(l) if l.ident != "static" => Some(Borrowed::Lifetime(bound)),
            _ => None,
        }),
        _ => None,
    }
}
