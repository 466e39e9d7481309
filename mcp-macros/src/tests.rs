//! Unit tests on `proc_macro2` input: which errors a bad input yields (all of them, in one
//! pass), and the structure of the expansion (parsed back with `syn`, not string matching).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{
    Expr, FnArg, ImplItem, Item, ItemConst, ItemFn, ItemImpl, ItemStruct, Stmt, Type, Visibility,
};

use crate::attr::suggest;
use crate::diag::Diagnostics;
use crate::docs::Text;
use crate::pipeline;
use crate::symbol::{ARG_KEYS, DESCRIPTION, NAME, TOOL_KEYS};

fn run_tool(args: TokenStream, item: TokenStream) -> (syn::File, Vec<String>) {
    let diag = Diagnostics::new();
    let output = pipeline::tool_with(&diag, args, item);
    let errors = diag.into_errors().iter().map(ToString::to_string).collect();
    (
        syn::parse2(output).expect("the expansion parses as a file"),
        errors,
    )
}

fn run_tools(args: TokenStream, item: TokenStream) -> (syn::File, Vec<String>) {
    let diag = Diagnostics::new();
    let output = pipeline::tools_with(&diag, args, item);
    let errors = diag.into_errors().iter().map(ToString::to_string).collect();
    (
        syn::parse2(output).expect("the expansion parses as a file"),
        errors,
    )
}

fn tool_errors(args: TokenStream, item: TokenStream) -> Vec<String> {
    run_tool(args, item).1
}

fn tools_errors(item: TokenStream) -> Vec<String> {
    run_tools(TokenStream::new(), item).1
}

const BOOL_MSG: &str =
    "`read_only` expects a boolean: `read_only`, `read_only = true` or `read_only = false`";

// ---- attribute keys -------------------------------------------------------------------------

#[test]
fn unknown_key_with_suggestion() {
    let errors = tool_errors(
        quote!(readonly),
        quote!(
            async fn f() {}
        ),
    );
    assert_eq!(
        errors,
        ["unknown `tool` attribute `readonly`; did you mean `read_only`?"]
    );
}

#[test]
fn unknown_key_spec_spelling_suggests_our_key() {
    let errors = tool_errors(
        quote!(readOnlyHint = true),
        quote!(
            async fn f() {}
        ),
    );
    assert_eq!(
        errors,
        ["unknown `tool` attribute `readOnlyHint`; did you mean `read_only`?"]
    );
}

#[test]
fn unknown_key_without_suggestion_lists_keys() {
    let errors = tool_errors(
        quote!(frobnicate = 1),
        quote!(
            async fn f() {}
        ),
    );
    assert_eq!(
        errors,
        [
            "unknown `tool` attribute `frobnicate`; expected one of `name`, `title`, `description`, `read_only`, \
          `destructive`, `idempotent`, `open_world`, `icon`, `task`"
        ]
    );
}

#[test]
fn duplicate_key() {
    let errors = tool_errors(
        quote!(name = "a", read_only, name = "b", read_only = false),
        quote!(
            async fn f() {}
        ),
    );
    assert_eq!(
        errors,
        [
            "`name` is set more than once",
            "`read_only` is set more than once"
        ]
    );
}

#[test]
fn wrong_value_types() {
    let errors = tool_errors(
        quote!(
            read_only = "yes",
            name = 5,
            title,
            icon = true,
            description = 1
        ),
        quote!(
            async fn f() {}
        ),
    );
    assert_eq!(
        errors,
        [
            BOOL_MSG,
            "`name` expects a string literal: `name = \"...\"`",
            "`title` needs a value: `title = \"...\"`",
            "`icon` expects a string literal: `icon = \"...\"`",
            "`description` expects a string literal: `description = \"...\"`",
        ]
    );
}

#[test]
fn attribute_syntax_error_is_reported_and_item_kept() {
    let (file, errors) = run_tool(
        quote!(name = ),
        quote!(
            async fn f() {}
        ),
    );
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("expected"), "{errors:?}");
    // The tool still expands with defaults.
    assert!(find_struct(&file, "f").is_some());
}

#[test]
fn arg_keys() {
    let errors = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f(
                #[arg(defualt = 1)] a: i64,
                #[arg(name = "x")] b: i64,
                #[arg(flatten = true)] c: S,
                #[arg(rename = "d", rename = "e")] d: i64,
                #[arg] e: i64,
            ) {
            }
        ),
    );
    assert_eq!(
        errors,
        [
            "unknown `arg` attribute `defualt`; did you mean `default`?",
            "unknown `arg` attribute `name`; did you mean `rename`?",
            "`flatten` takes no value: write just `flatten`",
            "`rename` is set more than once",
            "expected `#[arg(key = value, ...)]` with `default`, `rename`, `flatten` or `description`",
        ]
    );
}

#[test]
fn flatten_conflicts() {
    let errors = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f(#[arg(flatten, default = S::new(), rename = "s")] s: S) {}
        ),
    );
    assert_eq!(
        errors,
        [
            "`default` cannot be combined with `flatten`: a flattened struct supplies its own defaults (`#[serde(default)]` on its fields)",
            "`rename` cannot be combined with `flatten`: a flattened struct's fields keep their own names (`#[serde(rename)]` on its fields)",
        ]
    );
}

#[test]
fn suggestions() {
    let aliases = &[("rename", NAME), ("desc", DESCRIPTION)];
    assert_eq!(
        suggest("destrutive", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("destructive")
    );
    assert_eq!(
        suggest("openWorld", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("open_world")
    );
    assert_eq!(
        suggest("idempotentHint", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("idempotent")
    );
    assert_eq!(
        suggest("icons", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("icon")
    );
    assert_eq!(
        suggest("nmae", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("name")
    );
    assert_eq!(
        suggest("rename", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("name")
    );
    assert_eq!(
        suggest("desc", TOOL_KEYS, aliases).map(|s| s.as_str()),
        Some("description")
    );
    assert_eq!(
        suggest("flaten", ARG_KEYS, &[]).map(|s| s.as_str()),
        Some("flatten")
    );
    assert_eq!(suggest("zzz", TOOL_KEYS, aliases), None);
    assert_eq!(suggest("hint", TOOL_KEYS, aliases), None);
}

// ---- signatures -----------------------------------------------------------------------------

#[test]
fn not_async() {
    assert_eq!(
        tool_errors(
            TokenStream::new(),
            quote!(
                fn f() {}
            )
        ),
        ["a tool must be an `async fn`"]
    );
}

#[test]
fn qualifiers() {
    let errors = tool_errors(
        TokenStream::new(),
        quote!(
            const unsafe extern "C" fn f() {}
        ),
    );
    assert_eq!(
        errors,
        [
            "a tool cannot be a `const fn`",
            "a tool must be an `async fn`",
            "a tool cannot be an `unsafe fn`",
            "a tool cannot have an `extern` ABI",
        ]
    );
}

#[test]
fn generics() {
    let ty = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f<T: Clone>(t: T) {}
        ),
    );
    assert_eq!(
        ty,
        ["a tool cannot be generic: its input schema is built from the concrete parameter types"]
    );
    let lt = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f<'a>(t: &'a str) {}
        ),
    );
    assert_eq!(
        lt,
        [
            "a tool cannot have lifetime parameters: its parameters must be owned values",
            "tool parameters must be owned types (`String`, not `&str`; `Vec<T>`, not `&[T]`)",
        ]
    );
    let konst = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f<const N: usize>() {}
        ),
    );
    assert_eq!(konst, ["a tool cannot have const generic parameters"]);
    let clause = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f()
            where
                i32: Copy,
            {
            }
        ),
    );
    assert_eq!(clause, ["a tool cannot have a `where` clause"]);
}

#[test]
fn receiver_in_free_fn() {
    assert_eq!(
        tool_errors(
            TokenStream::new(),
            quote!(
                async fn f(&self, a: i64) {}
            )
        ),
        [
            "a method cannot be a free `#[tool]`; use `#[tools]` on the impl block, with `#[tool]` on each tool method"
        ]
    );
}

#[test]
fn parameter_patterns_and_ownership() {
    let errors = tool_errors(
        TokenStream::new(),
        quote!(
            async fn f(
                (a, b): (i64, i64),
                _: i64,
                ref c: i64,
                d: &str,
                e: impl Clone,
                g: Vec<Cow<'a, str>>,
                h: &'static str,
            ) {
            }
        ),
    );
    let pattern = "a tool parameter must be a plain identifier (it names the argument); destructure it in the function body";
    assert_eq!(
        errors,
        [
            pattern,
            pattern,
            pattern,
            "tool parameters must be owned types (`String`, not `&str`; `Vec<T>`, not `&[T]`)",
            "tool parameters must be owned types, not `impl Trait`: name the type",
            "tool parameters must be owned types: they cannot borrow (no lifetimes other than `'static`)",
        ]
    );
}

#[test]
fn return_types() {
    assert_eq!(
        tool_errors(
            TokenStream::new(),
            quote!(
                async fn f() -> impl Display {
                    1
                }
            )
        ),
        ["a tool cannot return `impl Trait`: name the return type"]
    );
    assert_eq!(
        tool_errors(
            TokenStream::new(),
            quote!(
                async fn f() -> &'a str {
                    ""
                }
            )
        ),
        ["a tool must return an owned type (or `&'static str`)"]
    );
    assert!(
        tool_errors(
            TokenStream::new(),
            quote!(
                async fn f() -> &'static str {
                    ""
                }
            )
        )
        .is_empty()
    );
}

#[test]
fn cfg_on_parameter() {
    assert_eq!(
        tool_errors(
            TokenStream::new(),
            quote!(
                async fn f(#[cfg(test)] a: i64) {}
            )
        ),
        ["`#[cfg]` on a tool parameter is not supported: the input schema must not depend on it"]
    );
}

#[test]
fn argument_name_clash() {
    assert_eq!(
        tool_errors(
            TokenStream::new(),
            quote!(
                async fn f(a: i64, #[arg(rename = "a")] b: i64) {}
            )
        ),
        ["two parameters read the argument `a`; rename one with `#[arg(rename = \"...\")]`"]
    );
}

#[test]
fn not_a_function() {
    let (file, errors) = run_tool(
        TokenStream::new(),
        quote!(
            struct S;
        ),
    );
    assert_eq!(
        errors,
        ["`#[tool]` applies to an `async fn`; for methods, put `#[tools]` on the impl block"]
    );
    assert!(find_struct(&file, "S").is_some(), "the item is kept");
}

// ---- tool names -----------------------------------------------------------------------------

#[test]
fn tool_names() {
    let ok = ["getUser", "DATA_EXPORT_v2", "admin.tools.list", "a-b"];
    for name in ok {
        assert!(
            tool_errors(
                quote!(name = #name),
                quote!(
                    async fn f() {}
                )
            )
            .is_empty(),
            "{name}"
        );
    }
    assert_eq!(
        tool_errors(
            quote!(name = "has space"),
            quote!(
                async fn f() {}
            )
        ),
        [
            "invalid tool name `has space`: ' ' is not allowed; tool names may contain only ASCII letters, digits, `_`, `-` and `.`"
        ]
    );
    assert_eq!(
        tool_errors(
            quote!(name = ""),
            quote!(
                async fn f() {}
            )
        ),
        ["a tool name cannot be empty"]
    );
    let long = "x".repeat(129);
    assert_eq!(
        tool_errors(
            quote!(name = #long),
            quote!(
                async fn f() {}
            )
        ),
        ["invalid tool name: it is 129 characters long, tool names may have at most 128"]
    );
    let max = "x".repeat(128);
    assert!(
        tool_errors(
            quote!(name = #max),
            quote!(
                async fn f() {}
            )
        )
        .is_empty()
    );
}

#[test]
fn tool_name_from_identifier() {
    let ident = syn::Ident::new("café", proc_macro2::Span::call_site());
    assert_eq!(
        tool_errors(TokenStream::new(), quote!(async fn #ident() {})),
        [
            "invalid tool name `café`: 'é' is not allowed; tool names may contain only ASCII letters, digits, `_`, `-` \
          and `.`; set another with `#[tool(name = \"...\")]`"
        ]
    );
    // A raw identifier names the tool without `r#`; a leading underscore stays.
    let (file, errors) = run_tool(
        TokenStream::new(),
        quote!(
            async fn r#type(_x: i64) {}
        ),
    );
    assert!(errors.is_empty());
    assert_eq!(builder_name(&file, "r#type"), "type");
    assert_eq!(param_names(&file, "r#type"), ["_x"]);
}

#[test]
fn every_mistake_in_one_pass() {
    let errors = tool_errors(
        quote!(readonly, name = "a b", title = 1, title = "t"),
        quote!(
            fn f<T>(&self, (a, b): (T, T), #[arg(defualt = 1)] c: i64) {}
        ),
    );
    assert_eq!(
        errors,
        [
            "unknown `tool` attribute `readonly`; did you mean `read_only`?",
            "`title` expects a string literal: `title = \"...\"`",
            "`title` is set more than once",
            "a tool must be an `async fn`",
            "a tool cannot be generic: its input schema is built from the concrete parameter types",
            "a method cannot be a free `#[tool]`; use `#[tools]` on the impl block, with `#[tool]` on each tool method",
            "a tool parameter must be a plain identifier (it names the argument); destructure it in the function body",
            "unknown `arg` attribute `defualt`; did you mean `default`?",
            "invalid tool name `a b`: ' ' is not allowed; tool names may contain only ASCII letters, digits, `_`, `-` and `.`",
        ]
    );
}

// ---- #[tools] -------------------------------------------------------------------------------

#[test]
fn tools_receivers() {
    let errors = tools_errors(quote!(impl S {
        #[tool] async fn a(&mut self) {}
        #[tool] async fn b(self) {}
        #[tool] async fn c(self: Arc<Self>) {}
        #[tool] async fn d() {}
        #[tool] async fn e(&self) {}
        #[tool] async fn f(&'_ self) {}
    }));
    let must = "a tool method must take `&self`";
    assert_eq!(
        errors,
        [
            must,
            must,
            must,
            "a tool method must take `&self`; for a function without `self`, use a free `#[tool] async fn`"
        ]
    );
}

#[test]
fn tools_duplicate_names() {
    let (file, errors) = run_tools(
        TokenStream::new(),
        quote!(impl S {
            #[tool] async fn add(&self) {}
            #[tool(name = "add")] async fn plus(&self) {}
            #[tool(name = "add")] async fn sum(&self) {}
        }),
    );
    assert_eq!(
        errors,
        [
            "duplicate tool name `add`",
            "tool name `add` first defined here",
            "duplicate tool name `add`"
        ]
    );
    assert_eq!(tool_box_len(&file), 1, "only the first `add` is registered");
}

#[test]
fn tools_misuse() {
    assert_eq!(
        tools_errors(quote!(impl S { fn helper(&self) {} })),
        ["`#[tools]` found no `#[tool]` methods in this impl block"]
    );
    assert_eq!(
        tools_errors(quote!(impl Tr for S { #[tool] async fn a(&self) {} })),
        ["`#[tools]` applies to an inherent `impl` block, not to a trait impl"]
    );
    assert_eq!(
        tools_errors(quote!(impl S { #[tool] #[tool(name = "b")] async fn a(&self) {} })),
        ["`#[tool]` is applied more than once"]
    );
    assert_eq!(
        run_tools(quote!(x), quote!(impl S { #[tool] async fn a(&self) {} })).1,
        ["`#[tools]` takes no arguments; settings go on each `#[tool(...)]`"]
    );
    assert_eq!(
        tools_errors(quote!(
            struct S;
        )),
        ["`#[tools]` applies to an inherent `impl` block"]
    );
}

#[test]
fn tools_expansion() {
    let (file, errors) = run_tools(
        TokenStream::new(),
        quote!(
            impl<T: Send + Sync + 'static> Calc<T> {
                /// Add two numbers.
                #[tool(read_only)]
                async fn add(
                    &self,
                    /// First.
                    a: i64,
                    #[arg(default = 1)] b: i64,
                ) -> i64 {
                    a + b
                }

                #[mcp_server::tool]
                async fn neg(&self, a: i64) -> i64 {
                    -a
                }

                fn helper(&self, x: i64) -> i64 {
                    x
                }
            }
        ),
    );
    assert!(errors.is_empty(), "{errors:?}");
    let impls: Vec<&ItemImpl> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Impl(i) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(impls.len(), 2);
    // The inherent impl, re-emitted without `#[tool]` and without parameter attributes.
    let inherent = impls[0];
    assert!(inherent.trait_.is_none());
    let methods: Vec<_> = inherent
        .items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Fn(f) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(methods.len(), 3);
    for m in &methods {
        assert!(
            m.attrs
                .iter()
                .all(|a| !a.path().segments.iter().any(|s| s.ident == "tool")),
            "{}",
            m.sig.ident
        );
        for input in &m.sig.inputs {
            if let FnArg::Typed(arg) = input {
                assert!(
                    arg.attrs.is_empty(),
                    "parameter attributes stripped on {}",
                    m.sig.ident
                );
            }
        }
    }
    assert!(
        methods[0].attrs.iter().any(|a| a.path().is_ident("doc")),
        "method docs stay"
    );
    // `ToolBox`, with the impl's generics, and one `ToolDef` per tool.
    let toolbox = impls[1];
    let (path, _) = toolbox.trait_.as_ref().expect("a trait impl");
    assert_eq!(path_string(path), "::mcp_server::__private::ToolBox");
    assert_eq!(toolbox.generics.params.len(), 1);
    assert_eq!(tool_box_len(&file), 2);
}

// ---- free-function expansion ----------------------------------------------------------------

#[test]
fn free_tool_expansion() {
    let (file, errors) = run_tool(
        quote!(
            title = "Adder",
            read_only,
            destructive = false,
            icon = "https://x/i.png",
            icon = "data:,"
        ),
        quote!(
            /// Add two numbers.
            ///
            /// Second paragraph.
            #[allow(clippy::unused_async)]
            #[cfg(feature = "x")]
            pub async fn add(
                ctx: Context,
                /// First.
                a: i64,
                #[arg(default = 2, description = "Second.")] b: i64,
                #[arg(rename = "c_name")] c: Option<String>,
                #[arg(flatten)] rest: Rest,
            ) -> Result<i64, ToolError> {
                Ok(a + b)
            }
        ),
    );
    assert!(errors.is_empty(), "{errors:?}");

    // The tool value: a unit struct with the function's name, visibility and docs.
    let value = find_struct(&file, "add").expect("unit struct `add`");
    assert!(matches!(value.fields, syn::Fields::Unit));
    assert!(matches!(value.vis, Visibility::Public(_)));
    assert!(value.attrs.iter().any(|a| a.path().is_ident("derive")));
    assert!(value.attrs.iter().any(|a| a.path().is_ident("doc")));
    assert!(value.attrs.iter().any(|a| a.path().is_ident("cfg")));

    // The function, as written, under a hidden private name; other attributes stay on it.
    let func = find_fn(&file, "__mcp_tool_add").expect("hidden fn");
    assert!(matches!(func.vis, Visibility::Inherited));
    assert!(func.sig.asyncness.is_some());
    assert!(func.attrs.iter().any(|a| a.path().is_ident("allow")));
    assert!(func.attrs.iter().any(|a| a.path().is_ident("cfg")));
    assert!(
        func.attrs.iter().any(|a| a.path().is_ident("doc")),
        "#[doc(hidden)]"
    );
    assert_eq!(func.sig.inputs.len(), 5);
    for input in &func.sig.inputs {
        let FnArg::Typed(arg) = input else {
            panic!("no receiver")
        };
        assert!(arg.attrs.is_empty(), "docs and #[arg] are stripped");
    }

    // `Deref` to `fn(params) -> BoxFuture<'static, R>` and `IntoTool`, inside `const _`.
    let block = const_block(&file);
    let deref = find_impl(block, "::core::ops::Deref").expect("Deref impl");
    let target = deref
        .items
        .iter()
        .find_map(|i| match i {
            ImplItem::Type(t) if t.ident == "Target" => Some(&t.ty),
            _ => None,
        })
        .expect("Target");
    let Type::FnPtr(fn_ptr) = target else {
        panic!("Target is a fn pointer")
    };
    assert_eq!(fn_ptr.inputs.len(), 5);
    find_impl(block, "::mcp_server::__private::IntoTool").expect("IntoTool impl");

    // The builder chain, in order.
    assert_eq!(
        builder_methods(&file),
        [
            "title",
            "description",
            "parameters",
            "output_schema",
            "annotations",
            "icon",
            "icon",
            "crate_version",
            "handler"
        ]
    );
    assert_eq!(builder_name(&file, "add"), "add");
    assert_eq!(
        param_names(&file, "add"),
        ["ctx", "a", "b", "c_name", "<flatten>"]
    );
}

#[test]
fn minimal_tool_omits_optional_builder_calls() {
    let (file, errors) = run_tool(
        TokenStream::new(),
        quote!(
            async fn ping() {}
        ),
    );
    assert!(errors.is_empty());
    assert_eq!(
        builder_methods(&file),
        ["parameters", "output_schema", "crate_version", "handler"]
    );
}

#[test]
fn explicit_name_and_description() {
    let (file, errors) = run_tool(
        quote!(name = "math.add", description = "Explicit."),
        quote!(
            /// Ignored doc.
            async fn add() {}
        ),
    );
    assert!(errors.is_empty());
    assert_eq!(builder_name(&file, "add"), "math.add");
    assert_eq!(builder_arg_string(&file, "description"), "Explicit.");
}

#[test]
fn signature_error_emits_the_function_unchanged() {
    let (file, errors) = run_tool(
        quote!(read_only),
        quote!(
            /// Docs.
            fn add(
                /// The first.
                a: i64,
                #[arg(default = 1)] b: i64,
            ) -> i64 {
                a + b
            }
        ),
    );
    assert_eq!(errors, ["a tool must be an `async fn`"]);
    assert_eq!(file.items.len(), 1, "only the function");
    let func = find_fn(&file, "add").expect("the function, under its own name");
    assert!(func.attrs.iter().any(|a| a.path().is_ident("doc")));
    for input in &func.sig.inputs {
        let FnArg::Typed(arg) = input else { panic!() };
        assert!(arg.attrs.is_empty());
    }
}

#[test]
fn attribute_error_still_expands() {
    let (file, errors) = run_tool(
        quote!(readonly, name = "a b"),
        quote!(
            async fn add(a: i64) -> i64 {
                a
            }
        ),
    );
    assert_eq!(errors.len(), 2);
    assert!(
        find_struct(&file, "add").is_some(),
        "the tool value exists, so registering it does not cascade"
    );
    assert!(find_fn(&file, "__mcp_tool_add").is_some());
}

// ---- docs -----------------------------------------------------------------------------------

#[test]
fn doc_comments() {
    let item: ItemFn = syn::parse_quote! {
        ///   Leading spaces beyond the first are kept until trimming.
        ///
        /// Second line.
        ///
        async fn f() {}
    };
    let text = Text::from_docs(&item.attrs).expect("docs");
    assert_eq!(
        text.as_literal().as_deref(),
        Some("Leading spaces beyond the first are kept until trimming.\n\nSecond line.")
    );

    let blank: ItemFn = syn::parse_quote! {
        ///
        #[doc = "   "]
        async fn f() {}
    };
    assert!(Text::from_docs(&blank.attrs).is_none());

    let with_macro: ItemFn = syn::parse_quote! {
        /// Intro.
        #[doc = include_str!("x.md")]
        async fn f() {}
    };
    let text = Text::from_docs(&with_macro.attrs).expect("docs");
    assert_eq!(text.as_literal(), None);
    let expr: Expr = syn::parse2(quote!(#text)).expect("an expression");
    let Expr::Macro(m) = expr else {
        panic!("concat!")
    };
    assert_eq!(path_string(&m.mac.path), "::core::concat");
}

// ---- helpers to read an expansion -----------------------------------------------------------

fn find_struct<'a>(file: &'a syn::File, name: &str) -> Option<&'a ItemStruct> {
    file.items.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

fn find_fn<'a>(file: &'a syn::File, name: &str) -> Option<&'a ItemFn> {
    file.items.iter().find_map(|i| match i {
        Item::Fn(f) if f.sig.ident == name => Some(f),
        _ => None,
    })
}

fn const_block(file: &syn::File) -> &[Stmt] {
    let konst: &ItemConst = file
        .items
        .iter()
        .find_map(|i| match i {
            Item::Const(c) if c.ident == "_" => Some(c),
            _ => None,
        })
        .expect("const _");
    let Expr::Block(block) = &*konst.expr else {
        panic!("const _: () = {{ .. }}")
    };
    &block.block.stmts
}

fn find_impl<'a>(stmts: &'a [Stmt], trait_path: &str) -> Option<&'a ItemImpl> {
    stmts.iter().find_map(|s| match s {
        Stmt::Item(Item::Impl(i))
            if i.trait_
                .as_ref()
                .is_some_and(|(p, _)| path_string(p) == trait_path) =>
        {
            Some(i)
        }
        _ => None,
    })
}

fn path_string(path: &syn::Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}

/// The block expression a tool's `ToolDef` is built in (free fn: `into_tool`'s body; `#[tools]`:
/// the first element of the `From::from([..])` array).
fn tool_def_block(file: &syn::File) -> syn::Block {
    if let Some(into_tool) = find_impl(const_block(file), "::mcp_server::__private::IntoTool") {
        let ImplItem::Fn(f) = &into_tool.items[0] else {
            panic!()
        };
        let Some(Stmt::Expr(Expr::Block(b), None)) = f.block.stmts.last() else {
            panic!("a block")
        };
        return b.block.clone();
    }
    panic!("no IntoTool impl")
}

/// Method names of the builder chain that ends the `ToolDef` block, from `builder` outwards.
fn builder_methods(file: &syn::File) -> Vec<String> {
    let block = tool_def_block(file);
    let Some(Stmt::Expr(mut expr, None)) = block.stmts.last().cloned() else {
        panic!("tail expression")
    };
    let mut names = Vec::new();
    while let Expr::MethodCall(call) = expr {
        names.push(call.method.to_string());
        expr = *call.receiver;
    }
    names.reverse();
    names
}

fn builder_call_args(file: &syn::File, method: &str) -> Vec<Expr> {
    let block = tool_def_block(file);
    let Some(Stmt::Expr(mut expr, None)) = block.stmts.last().cloned() else {
        panic!()
    };
    loop {
        match expr {
            Expr::MethodCall(call) if call.method == method => {
                return call.args.into_iter().collect();
            }
            Expr::MethodCall(call) => expr = *call.receiver,
            Expr::Call(call) if method == "builder" => return call.args.into_iter().collect(),
            _ => panic!("no `{method}` call"),
        }
    }
}

fn lit_string(expr: &Expr) -> String {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.value(),
        other => panic!("not a string literal: {}", quote!(#other)),
    }
}

fn builder_name(file: &syn::File, _tool: &str) -> String {
    lit_string(&builder_call_args(file, "builder")[0])
}

fn builder_arg_string(file: &syn::File, method: &str) -> String {
    lit_string(&builder_call_args(file, method)[0])
}

/// The argument names the schema statements describe, in order (`<flatten>` for a flattened one).
fn param_names(file: &syn::File, _tool: &str) -> Vec<String> {
    let block = tool_def_block(file);
    block
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Expr(Expr::Call(call), _) => Some(lit_string(&call.args[1])),
            Stmt::Expr(Expr::MethodCall(call), _) if call.method == "flattened" => {
                Some("<flatten>".to_owned())
            }
            Stmt::Expr(Expr::MethodCall(call), _) if call.method == "argument_with_default" => {
                Some(lit_string(&call.args[0]))
            }
            _ => None,
        })
        .collect()
}

/// How many `ToolDef`s the `ToolBox` impl builds.
fn tool_box_len(file: &syn::File) -> usize {
    let toolbox = file
        .items
        .iter()
        .find_map(|i| match i {
            Item::Impl(i) if i.trait_.is_some() => Some(i),
            _ => None,
        })
        .expect("ToolBox impl");
    let ImplItem::Fn(f) = &toolbox.items[0] else {
        panic!()
    };
    match f.block.stmts.last() {
        // `From::from([def, ...])`
        Some(Stmt::Expr(Expr::Call(call), None)) if !call.args.is_empty() => match &call.args[0] {
            Expr::Array(array) => array.elems.len(),
            other => panic!("unexpected {}", quote!(#other)),
        },
        // `Vec::new()`
        _ => 0,
    }
}
