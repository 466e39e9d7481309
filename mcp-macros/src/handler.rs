//! What `#[resource]`, `#[resource_template]` and `#[prompt]` share (see `resource.rs` and
//! `prompt.rs`): parsing their arguments (an optional leading string, `key = value` pairs and
//! `complete(arg = path, ..)`), checking the function's shape and parameters, and the expansion
//! of a free function into a unit struct that registers it and still derefs to the function
//! (the same shape `#[tool]` produces).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Expr, FnArg, GenericParam, Ident, ItemFn, LitStr, Meta, Pat, Path, ReturnType,
    Signature, Token, Type, Visibility, parse_quote,
};

use crate::attr::ArgAttrs;
use crate::diag::Diagnostics;
use crate::lower::{Borrowed, borrowed_part};
use crate::symbol::{CFG, CFG_ATTR, DEPRECATED, DOC, Symbol};

/// `complete(...)`, in `#[resource_template]` and `#[prompt]`.
pub(crate) const COMPLETE: Symbol = Symbol("complete");

/// `::mcp_server::__private`, the only path generated code reaches the runtime through.
pub(crate) fn rt() -> TokenStream {
    quote!(::mcp_server::__private)
}

/// The location of the first token of `node`.
pub(crate) fn first_span(node: &impl ToTokens) -> Span {
    node.to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// A name only generated code can see.
pub(crate) fn hidden_local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

pub(crate) fn param_var(index: usize) -> Ident {
    format_ident!("__p{}", index, span = Span::mixed_site())
}

/// What the attribute declares, for messages: `resource`, `#[resource]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Noun {
    pub(crate) name: &'static str,
    pub(crate) attr: &'static str,
}

// ---- parsing ----------------------------------------------------------------------------------

/// `("literal",)? key = value, ...`: the leading string (the URI or template) and the keys.
pub(crate) fn parse_args(
    diag: &Diagnostics,
    args: TokenStream,
) -> (Option<LitStr>, Punctuated<Meta, Token![,]>) {
    let parser = |input: ParseStream<'_>| {
        let lit = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
            Some(lit)
        } else {
            None
        };
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
        Ok((lit, metas))
    };
    match parser.parse2(args) {
        Ok(parsed) => parsed,
        Err(e) => {
            diag.push(e);
            (None, Punctuated::new())
        }
    }
}

/// One `name = path` of `complete(...)`.
#[derive(Clone)]
pub(crate) struct Completion {
    /// The argument (or variable) name as written, for spans and messages.
    pub(crate) key: Path,
    pub(crate) name: String,
    /// The completer: a path to an `async fn(CompletionRequest) -> ..`.
    pub(crate) completer: Expr,
}

/// Parses `complete(a = path, b = path)`; duplicates and malformed entries are reported.
pub(crate) fn completions(diag: &Diagnostics, meta: &Meta, out: &mut Vec<Completion>) {
    let Meta::List(list) = meta else {
        diag.error_spanned(
            meta,
            "expected `complete(argument = completer_fn, ...)`, naming an `async fn(CompletionRequest) -> Vec<String>`",
        );
        return;
    };
    let entries = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone())
    {
        Ok(entries) => entries,
        Err(e) => {
            diag.push(e);
            return;
        }
    };
    if entries.is_empty() {
        diag.error_spanned(
            list,
            "`complete(...)` needs at least one `argument = completer_fn`",
        );
    }
    for entry in entries {
        let Meta::NameValue(nv) = entry else {
            diag.error_spanned(
                &entry,
                "expected `argument = completer_fn` (a path to an `async fn(CompletionRequest) -> Vec<String>`)",
            );
            continue;
        };
        let name = match nv.path.get_ident() {
            Some(ident) => ident.unraw().to_string(),
            None => {
                diag.error_spanned(&nv.path, "expected the name of an argument");
                continue;
            }
        };
        if out.iter().any(|c| c.name == name) {
            diag.error_spanned(
                &nv.path,
                format_args!("`{name}` has more than one completer"),
            );
            continue;
        }
        out.push(Completion {
            key: nv.path,
            name,
            completer: nv.value,
        });
    }
}

// ---- lowering ---------------------------------------------------------------------------------

/// The function's qualifiers, generics and receiver. Returns whether it can be expanded.
pub(crate) fn signature(diag: &Diagnostics, sig: &Signature, noun: Noun) -> bool {
    let name = noun.name;
    let mut ok = true;
    if let Some(token) = &sig.constness {
        diag.error(token.span, format_args!("a {name} cannot be a `const fn`"));
        ok = false;
    }
    if sig.asyncness.is_none() {
        diag.error(
            sig.fn_token.span,
            format_args!("a {name} must be an `async fn`"),
        );
        ok = false;
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        diag.error(
            token.span,
            format_args!("a {name} cannot be an `unsafe fn`"),
        );
        ok = false;
    }
    if let Some(abi) = &sig.abi {
        diag.error_spanned(abi, format_args!("a {name} cannot have an `extern` ABI"));
        ok = false;
    }
    if let Some(variadic) = &sig.variadic {
        diag.error_spanned(variadic, format_args!("a {name} cannot be variadic"));
        ok = false;
    }
    if let Some(first) = sig.generics.params.first() {
        let what = match first {
            GenericParam::Type(_) => "be generic: its parameters must be concrete types",
            GenericParam::Lifetime(_) => {
                "have lifetime parameters: its parameters must be owned values"
            }
            GenericParam::Const(_) => "have const generic parameters",
        };
        diag.error_spanned(&sig.generics, format_args!("a {name} cannot {what}"));
        ok = false;
    }
    if let Some(clause) = &sig.generics.where_clause {
        diag.error_spanned(
            clause,
            format_args!("a {name} cannot have a `where` clause"),
        );
        ok = false;
    }
    if let Some(receiver) = sig.inputs.iter().find_map(|input| match input {
        FnArg::Receiver(r) => Some(r),
        FnArg::Typed(_) => None,
    }) {
        diag.error_spanned(
            receiver,
            format_args!(
                "`{}` applies to free functions, not methods: reach shared data with `State<T>`",
                noun.attr
            ),
        );
        ok = false;
    }
    ok
}

/// One typed parameter, with its `#[arg(...)]` settings.
pub(crate) struct RawParam {
    pub(crate) ty: Type,
    /// The identifier, unraw'd, or `#[arg(rename)]`.
    pub(crate) wire_name: String,
    pub(crate) wire_span: Span,
    pub(crate) attrs: ArgAttrs,
    /// The parameter's `///` docs, for descriptions.
    pub(crate) param_attrs: Vec<Attribute>,
}

/// The typed parameters: plain owned bindings. `None` when one cannot be expanded.
pub(crate) fn params(diag: &Diagnostics, sig: &Signature, noun: Noun) -> Option<Vec<RawParam>> {
    let name = noun.name;
    let mut ok = true;
    let mut out = Vec::new();
    for input in &sig.inputs {
        let FnArg::Typed(arg) = input else { continue };
        let attrs = ArgAttrs::parse(diag, &arg.attrs);
        for attr in &arg.attrs {
            if attr.path() == &CFG || attr.path() == &CFG_ATTR {
                diag.error_spanned(
                    attr,
                    format_args!("`#[cfg]` on a {name} parameter is not supported"),
                );
                ok = false;
            }
        }
        let ident = match &*arg.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                diag.error_spanned(
                    other,
                    format_args!("a {name} parameter must be a plain identifier (it names the argument); destructure it in the function body"),
                );
                ok = false;
                continue;
            }
        };
        if ident == sig.ident {
            diag.error_spanned(
                &ident,
                format_args!(
                    "a parameter cannot be named like its function: `{}` also defines a value `{ident}`; rename the parameter (`#[arg(rename = \"{}\")]` keeps its name on the wire)",
                    noun.attr,
                    ident.unraw()
                ),
            );
            ok = false;
        }
        match borrowed_part(&arg.ty) {
            None => {}
            Some(Borrowed::Reference(node) | Borrowed::Lifetime(node)) => {
                diag.error_spanned(
                    node,
                    format_args!("{name} parameters must be owned types (`String`, not `&str`)"),
                );
                ok = false;
            }
            Some(Borrowed::ImplTrait(node)) => {
                diag.error_spanned(
                    node,
                    format_args!(
                        "{name} parameters must be owned types, not `impl Trait`: name the type"
                    ),
                );
                ok = false;
            }
        }
        let (wire_name, wire_span) = match &attrs.rename {
            Some(lit) => (lit.value(), lit.span()),
            None => (ident.unraw().to_string(), ident.span()),
        };
        out.push(RawParam {
            ty: (*arg.ty).clone(),
            wire_name,
            wire_span,
            attrs,
            param_attrs: arg.attrs.clone(),
        });
    }
    ok.then_some(out)
}

/// The declared return type (or `()`), checked to be nameable and owned.
pub(crate) fn output(diag: &Diagnostics, sig: &Signature, noun: Noun) -> Option<Type> {
    let name = noun.name;
    match &sig.output {
        ReturnType::Default => Some(parse_quote!(())),
        ReturnType::Type(_, ty) => match borrowed_part(ty) {
            None => Some((**ty).clone()),
            Some(Borrowed::ImplTrait(node)) => {
                diag.error_spanned(
                    node,
                    format_args!("a {name} cannot return `impl Trait`: name the return type"),
                );
                None
            }
            Some(Borrowed::Reference(node) | Borrowed::Lifetime(node)) => {
                diag.error_spanned(
                    node,
                    format_args!("a {name} must return an owned type (or `&'static str`)"),
                );
                None
            }
        },
    }
}

/// The closest of `candidates` to `name`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let flat = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let target = flat(name);
    candidates
        .into_iter()
        .map(|c| (distance(&target, &flat(c)), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

// ---- expansion --------------------------------------------------------------------------------

/// The user's function, split for the free-function expansion.
pub(crate) struct FreeFn {
    /// The function, renamed to `hidden`, private, with only its own attributes.
    pub(crate) func: ItemFn,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) hidden: Ident,
    /// `#[cfg]`: copied onto every generated item.
    pub(crate) cfgs: Vec<Attribute>,
    /// Docs and `#[deprecated]`: they describe the value, so they go on the struct.
    pub(crate) struct_attrs: Vec<Attribute>,
}

/// Splits `func` (whose parameter attributes were already stripped) for [`free_fn`].
pub(crate) fn split(mut func: ItemFn, prefix: &str) -> FreeFn {
    let ident = func.sig.ident.clone();
    let hidden = format_ident!("__mcp_{}_{}", prefix, ident, span = ident.span());
    let mut cfgs = Vec::new();
    let mut struct_attrs = Vec::new();
    let mut fn_attrs = Vec::new();
    for attr in std::mem::take(&mut func.attrs) {
        if attr.path() == &CFG {
            cfgs.push(attr);
        } else if attr.path() == &DOC || attr.path() == &DEPRECATED {
            struct_attrs.push(attr);
        } else {
            fn_attrs.push(attr);
        }
    }
    func.attrs = fn_attrs;
    let vis = std::mem::replace(&mut func.vis, Visibility::Inherited);
    func.sig.ident = hidden.clone();
    FreeFn {
        func,
        vis,
        ident,
        hidden,
        cfgs,
        struct_attrs,
    }
}

/// A unit struct named like the function (its visibility and docs), the function under a
/// hidden name, `Deref` to a function pointer (so `name(args).await` still works), and
/// `registration`: the trait impl, which calls the function through the boxing shim `shim`.
pub(crate) fn free_fn(
    free: FreeFn,
    tys: &[&Type],
    output: &Type,
    registration: impl FnOnce(&Ident) -> TokenStream,
) -> TokenStream {
    let FreeFn {
        func,
        vis,
        ident,
        hidden,
        cfgs,
        struct_attrs,
    } = free;
    let rt = rt();
    let vars: Vec<_> = (0..tys.len()).map(param_var).collect();
    let shim = hidden_local("__mcp_boxed");
    let fn_ptr = quote!(fn(#(#tys),*) -> #rt::BoxFuture<'static, #output>);
    let boxed = quote_spanned!(ident.span()=> ::std::boxed::Box::pin(#hidden(#(#vars),*)));
    let vis_span = first_span(&vis);
    let target = quote_spanned!(vis_span=> type Target = #fn_ptr;);
    let registration = registration(&shim);
    quote! {
        #(#cfgs)*
        #(#struct_attrs)*
        #[allow(non_camel_case_types)]
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::default::Default)]
        #vis struct #ident;

        #(#cfgs)*
        #[doc(hidden)]
        #func

        #(#cfgs)*
        #[allow(deprecated)]
        const _: () = {
            fn #shim(#(#vars: #tys),*) -> #rt::BoxFuture<'static, #output> {
                #boxed
            }

            #[automatically_derived]
            impl ::core::ops::Deref for #ident {
                #target

                fn deref(&self) -> &Self::Target {
                    const SHIM: #fn_ptr = #shim;
                    &SHIM
                }
            }

            #registration
        };
    }
}

/// `.complete("name", path)` calls, each spanned at its completer (a function with the wrong
/// signature is reported there).
pub(crate) fn complete_calls(completions: &[Completion]) -> Vec<TokenStream> {
    completions
        .iter()
        .map(|c| {
            let name = &c.name;
            let completer = &c.completer;
            let span = first_span(completer);
            let method = Ident::new("complete", span);
            quote_spanned!(span=> .#method(#name, #completer))
        })
        .collect()
}

/// `.icon(Icon::new(..))` calls.
pub(crate) fn icon_calls(icons: &[LitStr]) -> Vec<TokenStream> {
    let rt = rt();
    icons
        .iter()
        .map(|src| quote!(.icon(#rt::Icon::new(::std::string::String::from(#src)))))
        .collect()
}
