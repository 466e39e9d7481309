//! `#[resource("uri")]` and `#[resource_template("scheme://{var}")]`, in the pipeline every macro
//! of this crate follows: parse the attribute (set-once keys, unknown keys with suggestions),
//! lower the function to a [`ResourceFn`] (accumulating every error), validate the template
//! against the parameters, then expand (infallible). Attribute and template mistakes are
//! reported and the function still expands, so one mistake gives one message; a signature that
//! cannot be expanded is emitted as written.
//!
//! Template variables are matched to parameters by name at compile time (the template is parsed
//! by [`crate::template`]): a variable without a parameter is an error at the template string.
//! Every other parameter must be injected; that is a trait bound (`TemplateInjected`, i.e.
//! `FromContext`) checked by rustc, spanned at the template string too.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::{Ident, Item, LitStr, Type};

use crate::attr::{Attr, CommonKeys, string, unknown_key};
use crate::diag::Diagnostics;
use crate::docs::Text;
use crate::fallback;
use crate::handler::{
    self, COMPLETE, Completion, FreeFn, Noun, RawParam, closest, first_span, hidden_local,
    param_var, rt,
};
use crate::symbol::{DESCRIPTION, ICON, NAME, Symbol, TITLE};
use crate::template;

const RESOURCE: Symbol = Symbol("resource");
const RESOURCE_TEMPLATE: Symbol = Symbol("resource_template");
const MIME: Symbol = Symbol("mime");

/// The keys of `#[resource(...)]` after the URI.
const RESOURCE_KEYS: &[Symbol] = &[NAME, TITLE, DESCRIPTION, MIME, ICON];
/// The keys of `#[resource_template(...)]` after the template.
const TEMPLATE_KEYS: &[Symbol] = &[NAME, TITLE, DESCRIPTION, MIME, ICON, COMPLETE];

const ALIASES: &[(&str, Symbol)] = &[
    ("mime_type", MIME),
    ("mimeType", MIME),
    ("content_type", MIME),
    ("desc", DESCRIPTION),
    ("doc", DESCRIPTION),
    ("completion", COMPLETE),
    ("completions", COMPLETE),
];

/// Which macro.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Fixed,
    Template,
}

impl Kind {
    fn symbol(self) -> Symbol {
        match self {
            Self::Fixed => RESOURCE,
            Self::Template => RESOURCE_TEMPLATE,
        }
    }

    fn noun(self) -> Noun {
        match self {
            Self::Fixed => Noun {
                name: "resource",
                attr: "#[resource]",
            },
            Self::Template => Noun {
                name: "resource template",
                attr: "#[resource_template]",
            },
        }
    }
}

// ---- parse ------------------------------------------------------------------------------------

/// What the attribute says.
#[derive(Default)]
struct ResourceAttrs {
    /// The URI or the template.
    target: Option<LitStr>,
    name: Option<LitStr>,
    title: Option<LitStr>,
    description: Option<Text>,
    mime: Option<LitStr>,
    icons: Vec<LitStr>,
    completions: Vec<Completion>,
}

fn parse(diag: &Diagnostics, kind: Kind, args: TokenStream) -> ResourceAttrs {
    let attr = kind.symbol();
    let (target, metas) = handler::parse_args(diag, args);
    let mut common = CommonKeys::new();
    let mut mime = Attr::none(MIME);
    let mut completions = Vec::new();
    for meta in &metas {
        if common.parse(diag, meta) {
            continue;
        }
        let path = meta.path();
        if *path == MIME {
            mime.set(diag, path, string(diag, MIME, meta));
        } else if *path == COMPLETE && kind == Kind::Template {
            handler::completions(diag, meta, &mut completions);
        } else if *path == COMPLETE {
            diag.error_spanned(
                path,
                "a fixed resource has no variables to complete; `complete(...)` belongs on `#[resource_template]` and `#[prompt]`",
            );
        } else if path.is_ident("uri") || path.is_ident("template") || path.is_ident("uri_template")
        {
            diag.error_spanned(
                path,
                format_args!(
                    "the {} is the first argument, unnamed: `#[{attr}(\"{}\", ...)]`",
                    if kind == Kind::Fixed {
                        "URI"
                    } else {
                        "URI template"
                    },
                    if kind == Kind::Fixed {
                        "scheme://path"
                    } else {
                        "scheme://{var}"
                    },
                ),
            );
        } else {
            let known = match kind {
                Kind::Fixed => RESOURCE_KEYS,
                Kind::Template => TEMPLATE_KEYS,
            };
            unknown_key(diag, attr, path, known, ALIASES);
        }
    }
    let common = common.finish();
    ResourceAttrs {
        target,
        name: common.name,
        title: common.title,
        description: common.description,
        mime: mime.get(),
        icons: common.icons,
        completions,
    }
}

// ---- model ------------------------------------------------------------------------------------

/// A resource or template function, validated.
struct ResourceFn {
    kind: Kind,
    /// The URI or template (a placeholder when it was missing: an error was reported).
    target: LitStr,
    name: LitStr,
    title: Option<LitStr>,
    description: Option<Text>,
    mime: Option<LitStr>,
    icons: Vec<LitStr>,
    completions: Vec<Completion>,
    params: Vec<Param>,
    output: Type,
    ident: Ident,
    /// The URI or template is missing or invalid (reported): the parameters cannot be bound,
    /// so the handler is generated without imposing any bound on them (no cascading errors).
    poisoned: bool,
}

struct Param {
    ty: Type,
    source: Source,
}

#[derive(Debug)]
enum Source {
    /// Parsed from the template variable of this name.
    Variable(String),
    /// Injected: `FromContext`.
    Injected,
}

// ---- lower and validate -----------------------------------------------------------------------

pub(crate) fn expand_attr(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let diag = Diagnostics::new();
    let output = with(&diag, kind, args, item);
    let errors = diag.finish();
    quote!(#output #errors)
}

pub(crate) fn with(
    diag: &Diagnostics,
    kind: Kind,
    args: TokenStream,
    item: TokenStream,
) -> TokenStream {
    let attrs = parse(diag, kind, args);
    let mut func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            diag.error(
                first_span(&other),
                format_args!("`{}` applies to an `async fn`", kind.noun().attr),
            );
            return item;
        }
        Err(e) => {
            diag.push(e);
            return item;
        }
    };
    let model = lower(diag, kind, attrs, &func);
    fallback::strip_param_attrs(&mut func.sig);
    match model {
        Some(model) => expand(model, handler::split(func, "resource")),
        None => func.into_token_stream(),
    }
}

fn lower(
    diag: &Diagnostics,
    kind: Kind,
    attrs: ResourceAttrs,
    func: &syn::ItemFn,
) -> Option<ResourceFn> {
    let noun = kind.noun();
    let sig = &func.sig;
    let mut ok = handler::signature(diag, sig, noun);
    let raw = handler::params(diag, sig, noun);
    let output = handler::output(diag, sig, noun);
    ok &= raw.is_some() && output.is_some();

    let mut poisoned = attrs.target.is_none();
    let target = match attrs.target {
        Some(lit) => lit,
        None => {
            diag.error(
                proc_macro2::Span::call_site(),
                match kind {
                    Kind::Fixed => {
                        "`#[resource]` needs the resource's URI first: `#[resource(\"scheme://path\", ...)]`"
                    }
                    Kind::Template => {
                        "`#[resource_template]` needs an RFC 6570 URI template first: `#[resource_template(\"scheme://{var}\", ...)]`"
                    }
                },
            );
            LitStr::new("invalid://", proc_macro2::Span::call_site())
        }
    };
    let text = target.value();
    if !poisoned {
        check_scheme(diag, kind, &target, &text);
    }
    let variables = match kind {
        Kind::Fixed => {
            if text.contains('{') {
                diag.error(
                    target.span(),
                    "this URI has a `{`: for a family of URIs with variables, use `#[resource_template(\"...\")]`",
                );
            }
            Vec::new()
        }
        Kind::Template => match template::parse(&text) {
            Ok(vars) => template::names(&vars)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            Err(e) => {
                if !poisoned {
                    diag.error(target.span(), format_args!("invalid URI template: {e}"));
                }
                poisoned = true;
                Vec::new()
            }
        },
    };
    if kind == Kind::Template && variables.is_empty() && !poisoned {
        diag.error(
            target.span(),
            "this URI template has no `{variable}`: for a single URI, use `#[resource(\"...\")]`",
        );
    }

    let params = raw.map(|raw| {
        if poisoned {
            raw.into_iter()
                .map(|p| Param {
                    ty: p.ty,
                    source: Source::Injected,
                })
                .collect()
        } else {
            bind_params(diag, kind, &target, &variables, raw)
        }
    });
    for completion in attrs.completions.iter().filter(|_| !poisoned) {
        if !variables.contains(&completion.name) {
            let hint = closest(&completion.name, variables.iter().map(String::as_str))
                .map(|v| format!("; did you mean `{v}`?"))
                .unwrap_or_default();
            diag.error_spanned(
                &completion.key,
                format_args!(
                    "`{}` is not a variable of the URI template `{text}`{hint}",
                    completion.name
                ),
            );
        }
    }

    let name = attrs.name.unwrap_or_else(|| {
        LitStr::new(
            &syn::ext::IdentExt::unraw(&sig.ident).to_string(),
            sig.ident.span(),
        )
    });
    if name.value().trim().is_empty() {
        diag.error(
            name.span(),
            format_args!("a {} name cannot be empty", noun.name),
        );
    }
    let (Some(params), Some(output), true) = (params, output, ok) else {
        return None;
    };
    Some(ResourceFn {
        kind,
        target,
        name,
        title: attrs.title,
        description: attrs.description.or_else(|| Text::from_docs(&func.attrs)),
        mime: attrs.mime,
        icons: attrs.icons,
        completions: attrs.completions,
        params,
        output,
        ident: sig.ident.clone(),
        poisoned,
    })
}

/// A URI (or the literal start of a template) must begin with an RFC 3986 scheme.
fn check_scheme(diag: &Diagnostics, kind: Kind, target: &LitStr, text: &str) {
    if text.starts_with('{') {
        return;
    }
    let head = text.split('{').next().unwrap_or_default();
    let scheme_ok = head.split_once(':').is_some_and(|(scheme, _)| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !scheme_ok {
        diag.error(
            target.span(),
            format_args!(
                "`{text}` is not an absolute URI{}: it must start with a scheme such as `file:` or `myapp:`",
                if kind == Kind::Template { " template" } else { "" }
            ),
        );
    }
}

/// Matches parameters to variables: by name (or `#[arg(rename)]`); the rest are injected.
fn bind_params(
    diag: &Diagnostics,
    kind: Kind,
    target: &LitStr,
    variables: &[String],
    raw: Vec<RawParam>,
) -> Vec<Param> {
    let noun = kind.noun().name;
    let mut bound: Vec<&str> = Vec::new();
    let mut params = Vec::new();
    for p in &raw {
        for (present, key, why) in [
            (
                p.attrs.default.is_some(),
                "default",
                "a resource parameter is a template variable or an injected value",
            ),
            (
                p.attrs.flatten,
                "flatten",
                "a resource parameter is a template variable or an injected value",
            ),
            (
                p.attrs.description.is_some(),
                "description",
                "template variables are not described one by one; describe the template instead",
            ),
        ] {
            if present {
                diag.error(
                    p.wire_span,
                    format_args!("`#[arg({key})]` is not supported on a {noun} parameter: {why}"),
                );
            }
        }
        let source = match variables.iter().find(|v| **v == p.wire_name) {
            Some(var) => {
                if bound.contains(&var.as_str()) {
                    diag.error(
                        p.wire_span,
                        format_args!("two parameters read the URI variable `{var}`"),
                    );
                }
                bound.push(var);
                Source::Variable(var.clone())
            }
            None => Source::Injected,
        };
        params.push(Param {
            ty: p.ty.clone(),
            source,
        });
    }
    for var in variables {
        if bound.contains(&var.as_str()) {
            continue;
        }
        let unbound = raw
            .iter()
            .map(|p| p.wire_name.as_str())
            .filter(|n| !variables.iter().any(|v| v == n));
        let hint = match closest(var, unbound) {
            Some(p) => format!("; rename the parameter `{p}` to `{var}`"),
            None if is_ident(var) => format!(": add a parameter `{var}: T` (any `T: FromStr`)"),
            None => format!(
                ": add a parameter with `#[arg(rename = \"{var}\")]` (any type implementing `FromStr`)"
            ),
        };
        diag.error(
            target.span(),
            format_args!("URI template variable `{var}` has no parameter{hint}"),
        );
    }
    params
}

fn is_ident(name: &str) -> bool {
    syn::parse_str::<Ident>(name).is_ok()
}

// ---- expand -----------------------------------------------------------------------------------

fn expand(model: ResourceFn, free: FreeFn) -> TokenStream {
    let rt = rt();
    let tys: Vec<&Type> = model.params.iter().map(|p| &p.ty).collect();
    let ident = model.ident.clone();
    let output = model.output.clone();
    handler::free_fn(free, &tys, &model.output, |shim| {
        let req = hidden_local("__request");
        let out = hidden_local("__out");
        let extract = model.params.iter().enumerate().map(|(i, p)| {
            let ty = &p.ty;
            let var = param_var(i);
            if model.poisoned {
                return quote!(let #var: #ty = ::core::unreachable!(););
            }
            match &p.source {
                Source::Variable(name) => {
                    let span = first_span(ty);
                    quote_spanned! {span=>
                        let #var = <#ty as #rt::FromUriVariable<_>>::from_variable(#req.captures(), #name)?;
                    }
                }
                Source::Injected if model.kind == Kind::Template => {
                    // Not a variable: it must be injectable. Reported at the template string.
                    let span = model.target.span();
                    // The whole call, path included, carries the span (`#rt` would not).
                    quote_spanned! {span=>
                        let #var: #ty = ::mcp_server::__private::template_injected(&#req)?;
                    }
                }
                Source::Injected => {
                    let span = first_span(ty);
                    quote_spanned! {span=>
                        let #var = <#ty as #rt::FromContext>::from_context(#req.context())?;
                    }
                }
            }
        });
        let vars: Vec<_> = (0..model.params.len()).map(param_var).collect();
        let output_span = first_span(&output);
        let convert = quote_spanned! {output_span=>
            <#output as #rt::IntoResourceContents>::into_contents(#out, #req.uri(), #req.mime_type())
        };
        let name = &model.name;
        let title = model.title.as_ref().map(|t| quote!(.title(#t)));
        let description = model.description.as_ref().map(|t| quote!(.description(#t)));
        let mime = model.mime.as_ref().map(|m| quote!(.mime_type(#m)));
        let icons = handler::icon_calls(&model.icons);
        let completes = handler::complete_calls(&model.completions);
        let target = &model.target;
        let handler_method = Ident::new("handler", ident.span());
        let (builder, trait_, method, ret) = match model.kind {
            Kind::Fixed => (
                quote!(#rt::ResourceDef::builder(#target, #name)),
                quote!(#rt::IntoResource),
                quote!(into_resource),
                quote!(#rt::ResourceDef),
            ),
            Kind::Template => (
                quote!(#rt::ResourceTemplateDef::builder(#rt::checked_template(#target), #name)),
                quote!(#rt::IntoResourceTemplate),
                quote!(into_resource_template),
                quote!(#rt::ResourceTemplateDef),
            ),
        };
        let allow = model.poisoned.then(|| quote!(#[allow(unreachable_code)]));
        quote! {
            #[automatically_derived]
            #allow
            impl #trait_ for #ident {
                fn #method(self) -> #ret {
                    #builder
                        #title
                        #description
                        #mime
                        #(#icons)*
                        #(#completes)*
                        .crate_version(::core::env!("CARGO_PKG_VERSION"))
                        .#handler_method(move |#req: #rt::ReadRequest| async move {
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

    use super::{Kind, with};
    use crate::diag::Diagnostics;

    fn run(kind: Kind, args: TokenStream, item: TokenStream) -> (syn::File, Vec<String>) {
        let diag = Diagnostics::new();
        let output = with(&diag, kind, args, item);
        let errors = diag.into_errors().iter().map(ToString::to_string).collect();
        (syn::parse2(output).expect("the expansion parses"), errors)
    }

    fn errors(kind: Kind, args: TokenStream, item: TokenStream) -> Vec<String> {
        run(kind, args, item).1
    }

    fn has_struct(file: &syn::File, name: &str) -> bool {
        file.items
            .iter()
            .any(|i| matches!(i, syn::Item::Struct(s) if s.ident == name))
    }

    #[test]
    fn every_unbound_variable_is_reported_with_a_hint() {
        let errors = errors(
            Kind::Template,
            quote!("x://{user_id}/{post_id}/{a.b}"),
            quote!(
                async fn f(userid: u64) -> String {}
            ),
        );
        assert_eq!(
            errors,
            [
                "URI template variable `user_id` has no parameter; rename the parameter `userid` to `user_id`",
                "URI template variable `post_id` has no parameter: add a parameter `post_id: T` (any `T: FromStr`)",
                "URI template variable `a.b` has no parameter: add a parameter with `#[arg(rename = \"a.b\")]` (any type implementing `FromStr`)",
            ]
        );
    }

    #[test]
    fn renamed_parameters_bind_variables_and_injected_ones_do_not() {
        let (file, errors) = run(
            Kind::Template,
            quote!("x://{a.b}/{id}{?q}", mime = "text/plain"),
            quote!(
                async fn f(
                    #[arg(rename = "a.b")] ab: String,
                    id: u8,
                    q: Option<String>,
                    ctx: Context,
                ) -> String {
                }
            ),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert!(has_struct(&file, "f"));
    }

    #[test]
    fn a_bad_template_is_one_error_and_still_expands() {
        let (file, errors) = run(
            Kind::Template,
            quote!("x://{id", complete(id = f)),
            quote!(
                async fn f(id: u64, db: Database) -> String {}
            ),
        );
        assert_eq!(
            errors,
            ["invalid URI template: unclosed expression: '{' without a matching '}' (at byte 4)"]
        );
        assert!(has_struct(&file, "f"));
    }

    #[test]
    fn attribute_mistakes_accumulate() {
        let errors = errors(
            Kind::Template,
            quote!(
                "x://{id}",
                mime_type = "a",
                name = "n",
                name = "m",
                complete(ib = f),
                uri = "y"
            ),
            quote!(
                async fn f(id: u64, #[arg(default = 1)] other: u8) -> String {}
            ),
        );
        assert_eq!(
            errors,
            [
                "unknown `resource_template` attribute `mime_type`; did you mean `mime`?",
                "`name` is set more than once",
                "the URI template is the first argument, unnamed: `#[resource_template(\"scheme://{var}\", ...)]`",
                "`#[arg(default)]` is not supported on a resource template parameter: a resource parameter is a template variable or an injected value",
                "`ib` is not a variable of the URI template `x://{id}`; did you mean `id`?",
            ]
        );
    }

    #[test]
    fn fixed_resources_check_their_uri() {
        let e = errors(
            Kind::Fixed,
            quote!("x://{id}"),
            quote!(
                async fn f() -> String {}
            ),
        );
        assert_eq!(
            e,
            [
                "this URI has a `{`: for a family of URIs with variables, use `#[resource_template(\"...\")]`"
            ]
        );
        let e = errors(
            Kind::Fixed,
            quote!("relative/path"),
            quote!(
                async fn f() -> String {}
            ),
        );
        assert_eq!(
            e,
            [
                "`relative/path` is not an absolute URI: it must start with a scheme such as `file:` or `myapp:`"
            ]
        );
        let e = errors(
            Kind::Fixed,
            quote!(name = "x"),
            quote!(
                async fn f() -> String {}
            ),
        );
        assert_eq!(
            e,
            ["`#[resource]` needs the resource's URI first: `#[resource(\"scheme://path\", ...)]`"]
        );
        let e = errors(
            Kind::Fixed,
            quote!("x://a", complete(a = f)),
            quote!(
                async fn f() -> String {}
            ),
        );
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("a fixed resource has no variables to complete"));
        let e = errors(
            Kind::Template,
            quote!("x://fixed"),
            quote!(
                async fn f() -> String {}
            ),
        );
        assert_eq!(
            e,
            ["this URI template has no `{variable}`: for a single URI, use `#[resource(\"...\")]`"]
        );
    }

    #[test]
    fn signature_errors_keep_the_function() {
        let (file, errors) = run(
            Kind::Template,
            quote!("x://{id}"),
            quote!(
                fn f<T>(&self, id: &str) -> String {}
            ),
        );
        assert_eq!(
            errors,
            [
                "a resource template must be an `async fn`",
                "a resource template cannot be generic: its parameters must be concrete types",
                "`#[resource_template]` applies to free functions, not methods: reach shared data with `State<T>`",
                "resource template parameters must be owned types (`String`, not `&str`)",
            ]
        );
        assert!(!has_struct(&file, "f"));
    }
}
