//! `#[prompt]`, in the pipeline every macro of this crate follows: parse the attribute, lower
//! the function to a [`PromptFn`] (accumulating every error), validate the `complete(...)` keys
//! against the arguments, then expand (infallible).
//!
//! Whether a parameter is an argument or injected is decided by its type, through the runtime's
//! `PromptParam` trait (as `#[tool]` does with `ToolParam`); the bound is spanned at the
//! parameter's type.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Expr, Ident, Item, LitStr, Type};

use crate::attr::{CommonKeys, unknown_key};
use crate::diag::Diagnostics;
use crate::docs::Text;
use crate::fallback;
use crate::handler::{
    self, COMPLETE, Completion, FreeFn, Noun, closest, first_span, hidden_local, param_var, rt,
};
use crate::symbol::{DESCRIPTION, ICON, NAME, Symbol, TITLE};

const PROMPT: Symbol = Symbol("prompt");
const PROMPT_KEYS: &[Symbol] = &[NAME, TITLE, DESCRIPTION, ICON, COMPLETE];
const ALIASES: &[(&str, Symbol)] = &[
    ("desc", DESCRIPTION),
    ("doc", DESCRIPTION),
    ("completion", COMPLETE),
    ("completions", COMPLETE),
];
const NOUN: Noun = Noun {
    name: "prompt",
    attr: "#[prompt]",
};

// ---- parse ------------------------------------------------------------------------------------

#[derive(Default)]
struct PromptAttrs {
    name: Option<LitStr>,
    title: Option<LitStr>,
    description: Option<Text>,
    icons: Vec<LitStr>,
    completions: Vec<Completion>,
}

fn parse(diag: &Diagnostics, args: TokenStream) -> PromptAttrs {
    let (lit, metas) = handler::parse_args(diag, args);
    if let Some(lit) = lit {
        diag.error(
            lit.span(),
            "`#[prompt]` takes no unnamed argument; the prompt's name is `name = \"...\"` (default: the function's name)",
        );
    }
    let mut common = CommonKeys::new();
    let mut completions = Vec::new();
    for meta in &metas {
        if common.parse(diag, meta) {
            continue;
        }
        let path = meta.path();
        if *path == COMPLETE {
            handler::completions(diag, meta, &mut completions);
        } else {
            unknown_key(diag, PROMPT, path, PROMPT_KEYS, ALIASES);
        }
    }
    let common = common.finish();
    PromptAttrs {
        name: common.name,
        title: common.title,
        description: common.description,
        icons: common.icons,
        completions,
    }
}

// ---- model ------------------------------------------------------------------------------------

struct PromptFn {
    name: LitStr,
    title: Option<LitStr>,
    description: Option<Text>,
    icons: Vec<LitStr>,
    completions: Vec<Completion>,
    params: Vec<Param>,
    output: Type,
    ident: Ident,
}

struct Param {
    ty: Type,
    wire_name: String,
    description: Option<Text>,
    /// `#[arg(default = EXPR)]`.
    default: Option<Expr>,
}

// ---- lower and validate -----------------------------------------------------------------------

pub(crate) fn expand_attr(args: TokenStream, item: TokenStream) -> TokenStream {
    let diag = Diagnostics::new();
    let output = with(&diag, args, item);
    let errors = diag.finish();
    quote!(#output #errors)
}

pub(crate) fn with(diag: &Diagnostics, args: TokenStream, item: TokenStream) -> TokenStream {
    let attrs = parse(diag, args);
    let mut func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            diag.error(first_span(&other), "`#[prompt]` applies to an `async fn`");
            return item;
        }
        Err(e) => {
            diag.push(e);
            return item;
        }
    };
    let model = lower(diag, attrs, &func);
    fallback::strip_param_attrs(&mut func.sig);
    match model {
        Some(model) => expand(model, handler::split(func, "prompt")),
        None => func.into_token_stream(),
    }
}

fn lower(diag: &Diagnostics, attrs: PromptAttrs, func: &syn::ItemFn) -> Option<PromptFn> {
    let sig = &func.sig;
    let ok = handler::signature(diag, sig, NOUN);
    let raw = handler::params(diag, sig, NOUN);
    let output = handler::output(diag, sig, NOUN);

    let mut params: Vec<Param> = Vec::new();
    for p in raw.iter().flatten() {
        if p.attrs.flatten {
            diag.error(
                p.wire_span,
                "`#[arg(flatten)]` is not supported on a prompt parameter: prompt arguments are strings, one per parameter",
            );
        }
        if params.iter().any(|q| q.wire_name == p.wire_name) {
            diag.error(
                p.wire_span,
                format_args!(
                    "two parameters read the argument `{}`; rename one with `#[arg(rename = \"...\")]`",
                    p.wire_name
                ),
            );
        }
        params.push(Param {
            ty: p.ty.clone(),
            wire_name: p.wire_name.clone(),
            description: p
                .attrs
                .description
                .clone()
                .or_else(|| Text::from_docs(&p.param_attrs)),
            default: p.attrs.default.clone(),
        });
    }
    for completion in &attrs.completions {
        if !params.iter().any(|p| p.wire_name == completion.name) {
            let hint = closest(
                &completion.name,
                params.iter().map(|p| p.wire_name.as_str()),
            )
            .map(|p| format!("; did you mean `{p}`?"))
            .unwrap_or_default();
            diag.error_spanned(
                &completion.key,
                format_args!(
                    "`{}` is not an argument of this prompt{hint}",
                    completion.name
                ),
            );
        }
    }
    let name = attrs
        .name
        .unwrap_or_else(|| LitStr::new(&sig.ident.unraw().to_string(), sig.ident.span()));
    if name.value().trim().is_empty() {
        diag.error(name.span(), "a prompt name cannot be empty");
    }
    let (Some(_), Some(output), true) = (raw, output, ok) else {
        return None;
    };
    Some(PromptFn {
        name,
        title: attrs.title,
        description: attrs.description.or_else(|| Text::from_docs(&func.attrs)),
        icons: attrs.icons,
        completions: attrs.completions,
        params,
        output,
        ident: sig.ident.clone(),
    })
}

// ---- expand -----------------------------------------------------------------------------------

fn expand(model: PromptFn, free: FreeFn) -> TokenStream {
    let rt = rt();
    let tys: Vec<&Type> = model.params.iter().map(|p| &p.ty).collect();
    handler::free_fn(free, &tys, &model.output, |shim| {
        let args = hidden_local("__arguments");
        let call = hidden_local("__call");
        let out = hidden_local("__out");
        let default_var = |i: usize| {
            quote::format_ident!("__default{}", i, span = proc_macro2::Span::mixed_site())
        };
        let defaults = model.params.iter().enumerate().filter_map(|(i, p)| {
            let expr = p.default.as_ref()?;
            let ty = &p.ty;
            let var = default_var(i);
            let value = hidden_local("__value");
            Some(quote!(let #var = || -> #ty {
                let #value: #ty = #expr;
                #value
            };))
        });
        let describe = model.params.iter().map(|p| {
            let ty = &p.ty;
            let name = &p.wire_name;
            let desc = match &p.description {
                Some(text) => quote!(::core::option::Option::Some(#text)),
                None => quote!(::core::option::Option::None),
            };
            let span = first_span(ty);
            match &p.default {
                None => quote_spanned! {span=>
                    <#ty as #rt::PromptParam<_>>::describe(&mut #args, #name, #desc);
                },
                Some(_) => quote! {
                    #args.push(#name, #desc, false);
                },
            }
        });
        let extract = model.params.iter().enumerate().map(|(i, p)| {
            let ty = &p.ty;
            let name = &p.wire_name;
            let var = param_var(i);
            let span = first_span(ty);
            match &p.default {
                None => quote_spanned! {span=>
                    let #var = <#ty as #rt::PromptParam<_>>::extract(&#call, #name)?;
                },
                Some(_) => {
                    let default = default_var(i);
                    quote_spanned! {span=>
                        let #var = #call.get_or::<#ty>(#name, #default)?;
                    }
                }
            }
        });
        let vars: Vec<_> = (0..model.params.len()).map(param_var).collect();
        let output = &model.output;
        let output_span = first_span(output);
        let convert = quote_spanned! {output_span=>
            <#output as #rt::IntoPromptResult>::into_prompt_result(#out)
        };
        let ident = &model.ident;
        let name = &model.name;
        let title = model.title.as_ref().map(|t| quote!(.title(#t)));
        let description = model.description.as_ref().map(|t| quote!(.description(#t)));
        let icons = handler::icon_calls(&model.icons);
        let completes = handler::complete_calls(&model.completions);
        let args_decl = if model.params.is_empty() {
            quote!(let #args = #rt::PromptArgs::new();)
        } else {
            quote!(let mut #args = #rt::PromptArgs::new();)
        };
        let handler_method = Ident::new("handler", ident.span());
        let call_pat = if model.params.is_empty() {
            quote!(_)
        } else {
            quote!(#call)
        };
        quote! {
            #[automatically_derived]
            impl #rt::IntoPrompt for #ident {
                fn into_prompt(self) -> #rt::PromptDef {
                    #(#defaults)*
                    #args_decl
                    #(#describe)*
                    #rt::PromptDef::builder(#name)
                        #title
                        #description
                        #(#icons)*
                        .arguments(#args)
                        #(#completes)*
                        .crate_version(::core::env!("CARGO_PKG_VERSION"))
                        .#handler_method(move |#call_pat: #rt::PromptCall| async move {
                            #(#extract)*
                            let #out = #shim(#(#vars),*).await;
                            #convert
                        })
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::with;
    use crate::diag::Diagnostics;

    fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
        let diag = Diagnostics::new();
        let output = with(&diag, args, item);
        let _: syn::File = syn::parse2(output).expect("the expansion parses");
        diag.into_errors().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_valid_prompt_has_no_errors() {
        let e = errors(
            quote!(
                name = "p",
                title = "P",
                complete(city = cities, r#type = types)
            ),
            quote!(
                /// Docs.
                async fn p(
                    /// The city.
                    city: String,
                    #[arg(rename = "type", description = "Kind")] kind: Option<String>,
                    #[arg(default = 3)] days: u8,
                    ctx: Context,
                ) -> String {
                }
            ),
        );
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn mistakes_accumulate() {
        let e = errors(
            quote!("p", titel = "x", complete(ctiy = f, city = f, city = g)),
            quote!(
                async fn p(
                    city: String,
                    #[arg(flatten)] all: All,
                    #[arg(rename = "city")] c: String,
                ) -> String {
                }
            ),
        );
        assert_eq!(
            e,
            [
                "`#[prompt]` takes no unnamed argument; the prompt's name is `name = \"...\"` (default: the function's name)",
                "unknown `prompt` attribute `titel`; did you mean `title`?",
                "`city` has more than one completer",
                "`#[arg(flatten)]` is not supported on a prompt parameter: prompt arguments are strings, one per parameter",
                "two parameters read the argument `city`; rename one with `#[arg(rename = \"...\")]`",
                "`ctiy` is not an argument of this prompt; did you mean `city`?",
            ]
        );
    }
}
