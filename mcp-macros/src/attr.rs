//! Parsing of `#[tool(...)]` and `#[arg(...)]`.
//!
//! Syntax is parsed with `syn::Meta`; every key then goes through one value parser per kind
//! (string, boolean, flag, expression) and one set-once cell ([`Attr`]), so duplicate, unknown and
//! ill-typed keys are handled the same way for every key. Nothing here returns early: a bad key
//! is reported and ignored, and the rest of the attribute still counts.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta, Path, Token};

use crate::diag::Diagnostics;
use crate::docs::Text;
use crate::model::Sp;
use crate::symbol::{
    ARG, ARG_KEYS, DEFAULT, DESCRIPTION, DESTRUCTIVE, FLATTEN, ICON, IDEMPOTENT, NAME, OPEN_WORLD,
    READ_ONLY, RENAME, Symbol, TASK, TITLE, TOOL, TOOL_KEYS,
};

/// A key that may be given at most once. The first occurrence counts (if its value was valid);
/// later ones are reported, whatever their values.
pub(crate) struct Attr<T> {
    key: Symbol,
    seen: bool,
    value: Option<Sp<T>>,
}

impl<T> Attr<T> {
    pub(crate) fn none(key: Symbol) -> Self {
        Self {
            key,
            seen: false,
            value: None,
        }
    }

    /// Records one occurrence of the key; `value` is `None` when it was invalid (and reported).
    pub(crate) fn set(&mut self, diag: &Diagnostics, path: &Path, value: Option<T>) {
        if self.seen {
            diag.error_spanned(path, format_args!("`{}` is set more than once", self.key));
            return;
        }
        self.seen = true;
        self.value = value.map(|value| Sp::new(value, path.span()));
    }

    pub(crate) fn get(self) -> Option<T> {
        self.value.map(|sp| sp.value)
    }
}

/// The keys every described item takes: `name`, `title`, `description` and `icon`
/// (repeatable), parsed and validated the same way for tools, resources and prompts.
pub(crate) struct CommonKeys {
    name: Attr<LitStr>,
    title: Attr<LitStr>,
    description: Attr<Text>,
    icons: Vec<LitStr>,
}

/// The values of [`CommonKeys`].
pub(crate) struct Common {
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<Text>,
    pub(crate) icons: Vec<LitStr>,
}

impl CommonKeys {
    pub(crate) fn new() -> Self {
        Self {
            name: Attr::none(NAME),
            title: Attr::none(TITLE),
            description: Attr::none(DESCRIPTION),
            icons: Vec::new(),
        }
    }

    /// Parses `meta` if it is one of the common keys, and says whether it was.
    pub(crate) fn parse(&mut self, diag: &Diagnostics, meta: &Meta) -> bool {
        let path = meta.path();
        if *path == NAME {
            self.name.set(diag, path, string(diag, NAME, meta));
        } else if *path == TITLE {
            self.title.set(diag, path, string(diag, TITLE, meta));
        } else if *path == DESCRIPTION {
            self.description
                .set(diag, path, text(diag, DESCRIPTION, meta));
        } else if *path == ICON {
            if let Some(src) = string(diag, ICON, meta) {
                if src.value().trim().is_empty() {
                    diag.error(src.span(), "`icon` needs a URI (`https:` or `data:`)");
                } else {
                    self.icons.push(src);
                }
            }
        } else {
            return false;
        }
        true
    }

    pub(crate) fn finish(self) -> Common {
        Common {
            name: self.name.get(),
            title: self.title.get(),
            description: self.description.get(),
            icons: self.icons,
        }
    }
}

/// What `#[tool(...)]` says.
#[derive(Default)]
pub(crate) struct ToolAttrs {
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<Text>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    pub(crate) icons: Vec<LitStr>,
    pub(crate) task: Option<TaskMode>,
}

/// `task = "..."`: whether calls may or must run as tasks (`execution.taskSupport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskMode {
    Forbidden,
    Optional,
    Required,
}

/// `task` (optional) or `task = "required" | "optional" | "forbidden"`.
fn task_mode(diag: &Diagnostics, meta: &Meta) -> Option<TaskMode> {
    const EXPECTED: &str =
        "`task` expects \"required\", \"optional\" or \"forbidden\": `task = \"optional\"`";
    match meta {
        Meta::Path(_) => Some(TaskMode::Optional),
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => match s.value().as_str() {
                "required" => Some(TaskMode::Required),
                "optional" => Some(TaskMode::Optional),
                "forbidden" => Some(TaskMode::Forbidden),
                _ => {
                    diag.error_spanned(s, EXPECTED);
                    None
                }
            },
            other => {
                diag.error_spanned(other, EXPECTED);
                None
            }
        },
        Meta::List(list) => {
            diag.error_spanned(list, EXPECTED);
            None
        }
    }
}

impl ToolAttrs {
    /// Parses the arguments of `#[tool(...)]` (the tokens inside the parentheses).
    pub(crate) fn parse(diag: &Diagnostics, args: TokenStream) -> Self {
        let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
            Ok(metas) => metas,
            Err(e) => {
                diag.push(e);
                return Self::default();
            }
        };
        let mut common = CommonKeys::new();
        let mut read_only = Attr::none(READ_ONLY);
        let mut destructive = Attr::none(DESTRUCTIVE);
        let mut idempotent = Attr::none(IDEMPOTENT);
        let mut open_world = Attr::none(OPEN_WORLD);
        let mut task = Attr::none(TASK);
        for meta in &metas {
            if common.parse(diag, meta) {
                continue;
            }
            let path = meta.path();
            if *path == READ_ONLY {
                read_only.set(diag, path, boolean(diag, READ_ONLY, meta));
            } else if *path == DESTRUCTIVE {
                destructive.set(diag, path, boolean(diag, DESTRUCTIVE, meta));
            } else if *path == IDEMPOTENT {
                idempotent.set(diag, path, boolean(diag, IDEMPOTENT, meta));
            } else if *path == OPEN_WORLD {
                open_world.set(diag, path, boolean(diag, OPEN_WORLD, meta));
            } else if *path == TASK {
                task.set(diag, path, task_mode(diag, meta));
            } else {
                unknown_key(
                    diag,
                    TOOL,
                    path,
                    TOOL_KEYS,
                    &[
                        ("rename", NAME),
                        ("desc", DESCRIPTION),
                        ("doc", DESCRIPTION),
                    ],
                );
            }
        }
        let Common {
            name,
            title,
            description,
            icons,
        } = common.finish();
        Self {
            name,
            title,
            description,
            read_only: read_only.get(),
            destructive: destructive.get(),
            idempotent: idempotent.get(),
            open_world: open_world.get(),
            icons,
            task: task.get(),
        }
    }

    /// Parses a `#[tool]` / `#[tool(...)]` attribute found on a method inside `#[tools]`.
    pub(crate) fn from_attribute(diag: &Diagnostics, attr: &Attribute) -> Self {
        match &attr.meta {
            Meta::Path(_) => Self::default(),
            Meta::List(list) => Self::parse(diag, list.tokens.clone()),
            Meta::NameValue(nv) => {
                diag.error_spanned(nv, "expected `#[tool]` or `#[tool(key = value, ...)]`");
                Self::default()
            }
        }
    }
}

/// What the `#[arg(...)]` attributes of one parameter say.
#[derive(Default)]
pub(crate) struct ArgAttrs {
    pub(crate) default: Option<Expr>,
    pub(crate) rename: Option<LitStr>,
    pub(crate) flatten: bool,
    pub(crate) description: Option<Text>,
}

impl ArgAttrs {
    /// Parses every `#[arg(...)]` among a parameter's attributes (keys are set-once across all
    /// of them).
    pub(crate) fn parse(diag: &Diagnostics, attrs: &[Attribute]) -> Self {
        let mut default = Attr::none(DEFAULT);
        let mut rename = Attr::none(RENAME);
        let mut flatten = Attr::none(FLATTEN);
        let mut description = Attr::none(DESCRIPTION);
        for attr in attrs.iter().filter(|a| a.path() == &ARG) {
            let list = match &attr.meta {
                Meta::List(list) => list,
                other => {
                    diag.error_spanned(other, "expected `#[arg(key = value, ...)]` with `default`, `rename`, `flatten` or `description`");
                    continue;
                }
            };
            let metas =
                match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone()) {
                    Ok(metas) => metas,
                    Err(e) => {
                        diag.push(e);
                        continue;
                    }
                };
            for meta in &metas {
                let path = meta.path();
                if *path == DEFAULT {
                    default.set(diag, path, expr(diag, DEFAULT, meta));
                } else if *path == RENAME {
                    let value = string(diag, RENAME, meta);
                    if let Some(lit) = &value
                        && lit.value().is_empty()
                    {
                        diag.error(lit.span(), "`rename` needs a non-empty argument name");
                    }
                    rename.set(diag, path, value);
                } else if *path == FLATTEN {
                    flatten.set(diag, path, flag(diag, FLATTEN, meta));
                } else if *path == DESCRIPTION {
                    description.set(diag, path, text(diag, DESCRIPTION, meta));
                } else {
                    unknown_key(
                        diag,
                        ARG,
                        path,
                        ARG_KEYS,
                        &[
                            ("name", RENAME),
                            ("desc", DESCRIPTION),
                            ("doc", DESCRIPTION),
                        ],
                    );
                }
            }
        }
        let flatten = flatten.get().is_some();
        if flatten {
            for (key, value, why) in [
                (
                    DEFAULT,
                    default.value.as_ref().map(|v| v.span),
                    "a flattened struct supplies its own defaults (`#[serde(default)]` on its fields)",
                ),
                (
                    RENAME,
                    rename.value.as_ref().map(|v| v.span),
                    "a flattened struct's fields keep their own names (`#[serde(rename)]` on its fields)",
                ),
            ] {
                if let Some(span) = value {
                    diag.error(
                        span,
                        format_args!("`{key}` cannot be combined with `flatten`: {why}"),
                    );
                }
            }
            return Self {
                default: None,
                rename: None,
                flatten,
                description: description.get(),
            };
        }
        Self {
            default: default.get(),
            rename: rename.get(),
            flatten,
            description: description.get(),
        }
    }
}

/// `key = "string"`.
pub(crate) fn string(diag: &Diagnostics, key: Symbol, meta: &Meta) -> Option<LitStr> {
    match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.clone()),
            other => {
                diag.error_spanned(
                    other,
                    format_args!("`{key}` expects a string literal: `{key} = \"...\"`"),
                );
                None
            }
        },
        other => {
            diag.error_spanned(
                other,
                format_args!("`{key}` needs a value: `{key} = \"...\"`"),
            );
            None
        }
    }
}

/// `key = "string"` or `key = some_macro!(..)` (for `include_str!` and `concat!`).
pub(crate) fn text(diag: &Diagnostics, key: Symbol, meta: &Meta) -> Option<Text> {
    match meta {
        Meta::NameValue(nv) => match &nv.value {
            value @ (Expr::Lit(ExprLit {
                lit: Lit::Str(_), ..
            })
            | Expr::Macro(_)) => Some(Text::from_value(value)),
            other => {
                diag.error_spanned(
                    other,
                    format_args!("`{key}` expects a string literal: `{key} = \"...\"`"),
                );
                None
            }
        },
        other => {
            diag.error_spanned(
                other,
                format_args!("`{key}` needs a value: `{key} = \"...\"`"),
            );
            None
        }
    }
}

/// `key` (true) or `key = true|false`.
fn boolean(diag: &Diagnostics, key: Symbol, meta: &Meta) -> Option<bool> {
    match meta {
        Meta::Path(_) => Some(true),
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            }) => Some(b.value),
            other => {
                diag.error_spanned(
                    other,
                    format_args!(
                        "`{key}` expects a boolean: `{key}`, `{key} = true` or `{key} = false`"
                    ),
                );
                None
            }
        },
        Meta::List(list) => {
            diag.error_spanned(
                list,
                format_args!(
                    "`{key}` expects a boolean: `{key}`, `{key} = true` or `{key} = false`"
                ),
            );
            None
        }
    }
}

/// `key`, with no value.
fn flag(diag: &Diagnostics, key: Symbol, meta: &Meta) -> Option<()> {
    match meta {
        Meta::Path(_) => Some(()),
        other => {
            diag.error_spanned(
                other,
                format_args!("`{key}` takes no value: write just `{key}`"),
            );
            None
        }
    }
}

/// `key = <expression>`.
fn expr(diag: &Diagnostics, key: Symbol, meta: &Meta) -> Option<Expr> {
    match meta {
        Meta::NameValue(nv) => Some(nv.value.clone()),
        other => {
            diag.error_spanned(
                other,
                format_args!("`{key}` needs a value: `{key} = <expression>`"),
            );
            None
        }
    }
}

pub(crate) fn unknown_key(
    diag: &Diagnostics,
    attr: Symbol,
    path: &Path,
    known: &[Symbol],
    aliases: &[(&str, Symbol)],
) {
    let key = match path.get_ident() {
        Some(ident) => ident.to_string(),
        None => path.to_token_stream().to_string().replace(' ', ""),
    };
    let message = match suggest(&key, known, aliases) {
        Some(best) => format!("unknown `{attr}` attribute `{key}`; did you mean `{best}`?"),
        None => {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            format!(
                "unknown `{attr}` attribute `{key}`; expected one of {}",
                list.join(", ")
            )
        }
    };
    diag.error_spanned(path, message);
}

/// The known key closest to `key`, if it is close enough to be a likely typo.
pub(crate) fn suggest(key: &str, known: &[Symbol], aliases: &[(&str, Symbol)]) -> Option<Symbol> {
    let normal = normalize(key);
    if let Some((_, target)) = aliases.iter().find(|(alias, _)| normalize(alias) == normal) {
        return Some(*target);
    }
    known
        .iter()
        .map(|k| (edit_distance(&normal, &normalize(k.as_str())), *k))
        .filter(|(distance, k)| *distance <= (k.as_str().len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Lowercase, without `_`/`-`, and without the spec's `Hint` suffix (`readOnlyHint` -> `readonly`).
fn normalize(key: &str) -> String {
    let flat: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    match flat.strip_suffix("hint") {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => flat,
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Whether an attribute is `#[tool]` / `#[tool(...)]` (also written `#[mcp_server::tool]`).
pub(crate) fn is_tool_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == TOOL && s.arguments.is_none())
}

/// Whether an attribute is one only this crate understands on a parameter: a doc comment or
/// `#[arg]` (both are stripped before the function is emitted).
pub(crate) fn is_param_macro_attr(attr: &Attribute) -> bool {
    attr.path() == &ARG || attr.path() == &crate::symbol::DOC
}
