//! Code generation from the validated model. Infallible: every check happened before.
//!
//! Generated code names the runtime only through `::mcp_server::__private`. Calls that impose a
//! trait bound on a user's type are spanned at that type, so an unsatisfied bound (and the
//! `#[diagnostic::on_unimplemented]` message of the runtime trait) is reported there. The same
//! bound is imposed at the same span in the schema code and in the handler, so rustc reports it
//! once.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, LitStr, Visibility};

use crate::handler::{first_span, hidden_local, param_var, rt};
use crate::model::{FreeTool, Source, Tool, ToolBox};

fn default_var(index: usize) -> Ident {
    format_ident!("__default{}", index, span = Span::mixed_site())
}

/// How the handler reaches the user's code.
#[derive(Clone, Copy)]
enum Call<'a> {
    /// A free function, through the boxing shim `fn(P..) -> BoxFuture<'static, R>`.
    Free(&'a Ident),
    /// A method, through the `Arc<Self>` clone held in `this`.
    Method(&'a Ident),
}

/// `#[tool]` on a free function: the tool value (a unit struct named like the function), the
/// function under a hidden name, `Deref` to a function pointer (so `name(args).await` still
/// works) and `IntoTool` (see [`handler::free_fn`](crate::handler::free_fn), shared with
/// resources and prompts).
pub(crate) fn free_tool(model: FreeTool) -> TokenStream {
    let FreeTool {
        tool,
        mut func,
        hidden,
        cfgs,
        struct_attrs,
        fn_attrs,
    } = model;
    let rt = rt();
    let vis = std::mem::replace(&mut func.vis, Visibility::Inherited);
    func.attrs = fn_attrs;
    func.sig.ident = hidden.clone();
    let ident = tool.ident.clone();
    let tys: Vec<_> = tool.params.iter().map(|p| &p.ty).collect();
    let free = crate::handler::FreeFn {
        func,
        vis,
        ident: ident.clone(),
        hidden,
        cfgs,
        struct_attrs,
    };
    crate::handler::free_fn(free, &tys, &tool.output, |shim| {
        let def = tool_def(&tool, Call::Free(shim));
        quote! {
            #[automatically_derived]
            impl #rt::IntoTool for #ident {
                fn into_tool(self) -> #rt::ToolDef {
                    #def
                }
            }
        }
    })
}

/// `#[tools]`: the impl block as written (minus `#[tool]`) and `ToolBox` with one `ToolDef` per
/// tool method.
pub(crate) fn tool_box(model: ToolBox) -> TokenStream {
    let ToolBox { item, tools } = model;
    let rt = rt();
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let this = hidden_local("__this");
    let body = if tools.is_empty() {
        quote!(#rt::Vec::new())
    } else {
        let defs = tools.iter().map(|tool| {
            let def = tool_def(tool, Call::Method(&this));
            quote!({
                let #this = <#rt::Arc<Self> as ::core::clone::Clone>::clone(&self);
                #def
            })
        });
        quote!(::core::convert::From::from([#(#defs),*]))
    };
    quote! {
        #item

        #[automatically_derived]
        impl #impl_generics #rt::ToolBox for #self_ty #where_clause {
            fn tool_defs(self: #rt::Arc<Self>) -> #rt::Vec<#rt::ToolDef> {
                #body
            }
        }
    }
}

/// The `ToolDef` expression for one tool: input schema, descriptor and handler.
fn tool_def(tool: &Tool, call: Call<'_>) -> TokenStream {
    let rt = rt();
    let schema = hidden_local("__schema");
    let call_var = hidden_local("__call");
    let args = hidden_local("__args");
    let out = hidden_local("__out");

    // `#[arg(default = EXPR)]`: one closure per default, so EXPR is type-checked once; a
    // mismatch is reported at EXPR, "expected due to" the parameter's type.
    let defaults = tool
        .params
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.source {
            Source::Default(expr) => {
                let ty = &p.ty;
                let var = default_var(i);
                let value = hidden_local("__value");
                Some(quote!(let #var = || -> #ty {
                    let #value: #ty = #expr;
                    #value
                };))
            }
            Source::Param | Source::Flatten => None,
        });

    let describe = tool.params.iter().enumerate().map(|(i, p)| {
        let ty = &p.ty;
        let name = &p.wire_name;
        let desc = match &p.description {
            Some(text) => quote!(::core::option::Option::Some(#text)),
            None => quote!(::core::option::Option::None),
        };
        let span = first_span(ty);
        match &p.source {
            Source::Param => quote_spanned! {span=>
                <#ty as #rt::ToolParam<_>>::describe(&mut #schema, #name, #desc);
            },
            Source::Default(_) => {
                let default = default_var(i);
                quote_spanned! {span=>
                    #schema.argument_with_default::<#ty>(#name, #desc, &#default());
                }
            }
            Source::Flatten => quote_spanned! {span=>
                #schema.flattened::<#ty>();
            },
        }
    });
    let schema_decl = if tool.params.is_empty() {
        quote!(let #schema = #rt::ArgsSchema::new();)
    } else {
        quote!(let mut #schema = #rt::ArgsSchema::new();)
    };

    let name = LitStr::new(&tool.name.value, tool.name.span);
    let title = tool.title.as_ref().map(|title| quote!(.title(#title)));
    let description = tool
        .description
        .as_ref()
        .map(|text| quote!(.description(#text)));
    let annotations = (!tool.annotations.is_empty()).then(|| {
        let a = hidden_local("__annotations");
        let hints = [
            (quote!(read_only_hint), tool.annotations.read_only),
            (quote!(destructive_hint), tool.annotations.destructive),
            (quote!(idempotent_hint), tool.annotations.idempotent),
            (quote!(open_world_hint), tool.annotations.open_world),
        ];
        let sets = hints.iter().filter_map(|(field, value)| {
            value.map(|v| quote!(#a.#field = ::core::option::Option::Some(#v);))
        });
        quote!(.annotations({
            let mut #a = <#rt::ToolAnnotations as ::core::default::Default>::default();
            #(#sets)*
            #a
        }))
    });
    let icons = tool
        .icons
        .iter()
        .map(|src| quote!(.icon(#rt::Icon::new(::std::string::String::from(#src)))));
    let task = tool.task.map(|mode| {
        let variant = match mode {
            crate::attr::TaskMode::Forbidden => quote!(Forbidden),
            crate::attr::TaskMode::Optional => quote!(Optional),
            crate::attr::TaskMode::Required => quote!(Required),
        };
        quote!(.task_support(#rt::TaskSupport::#variant))
    });
    let output = &tool.output;
    let output_span = first_span(output);
    let output_schema =
        quote_spanned!(output_span=> <#output as #rt::IntoToolResult>::output_schema());

    let extract = tool.params.iter().enumerate().map(|(i, p)| {
        let ty = &p.ty;
        let name = &p.wire_name;
        let var = param_var(i);
        let span = first_span(ty);
        match &p.source {
            Source::Param => quote_spanned! {span=>
                let #var = <#ty as #rt::ToolParam<_>>::extract(#call_var.context(), &#args, #name)?;
            },
            Source::Default(_) => {
                let default = default_var(i);
                quote_spanned! {span=>
                    let #var = #args.get_or::<#ty>(#name, #default)?;
                }
            }
            Source::Flatten => quote_spanned! {span=>
                let #var = #args.get_all::<#ty>()?;
            },
        }
    });
    let args_decl = if tool.params.is_empty() {
        quote!(#call_var.arguments()?;)
    } else {
        quote!(let #args = #call_var.arguments()?;)
    };
    let vars: Vec<_> = (0..tool.params.len()).map(param_var).collect();
    let invoke = match call {
        Call::Free(shim) => quote!(#shim(#(#vars),*).await),
        Call::Method(this) => {
            let method = &tool.ident;
            quote!(Self::#method(&*#this, #(#vars),*).await)
        }
    };
    let convert =
        quote_spanned!(output_span=> <#output as #rt::IntoToolResult>::into_tool_result(#out));
    let body = quote! {
        #args_decl
        #(#extract)*
        let #out = #invoke;
        #convert.map_err(#rt::ToolCallError::from)
    };
    let handler = match call {
        Call::Free(_) => quote!(move |#call_var: #rt::ToolCall| async move { #body }),
        Call::Method(this) => quote!(move |#call_var: #rt::ToolCall| {
            let #this = <#rt::Arc<Self> as ::core::clone::Clone>::clone(&#this);
            async move { #body }
        }),
    };
    // For methods, a future that is not `Send` is reported at `.handler(..)`: point it at the method.
    let handler_method = Ident::new("handler", tool.ident.span());

    quote!({
        #(#defaults)*
        #schema_decl
        #(#describe)*
        #rt::ToolDef::builder(#name)
            #title
            #description
            .parameters(#schema)
            .output_schema(#output_schema)
            #annotations
            #(#icons)*
            #task
            .crate_version(::core::env!("CARGO_PKG_VERSION"))
            .#handler_method(#handler)
    })
}
