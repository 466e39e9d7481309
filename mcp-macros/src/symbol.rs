//! Attribute keys as typed constants, so the parser never compares against stray string literals.

use std::fmt;

use syn::{Ident, Path};

/// An attribute key (or attribute name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Symbol(pub(crate) &'static str);

impl Symbol {
    pub(crate) const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

// Attribute names.
pub(crate) const TOOL: Symbol = Symbol("tool");
pub(crate) const ARG: Symbol = Symbol("arg");
pub(crate) const DOC: Symbol = Symbol("doc");
pub(crate) const CFG: Symbol = Symbol("cfg");
pub(crate) const CFG_ATTR: Symbol = Symbol("cfg_attr");
pub(crate) const DEPRECATED: Symbol = Symbol("deprecated");

// Keys of `#[tool(...)]`.
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const TITLE: Symbol = Symbol("title");
pub(crate) const DESCRIPTION: Symbol = Symbol("description");
pub(crate) const READ_ONLY: Symbol = Symbol("read_only");
pub(crate) const DESTRUCTIVE: Symbol = Symbol("destructive");
pub(crate) const IDEMPOTENT: Symbol = Symbol("idempotent");
pub(crate) const OPEN_WORLD: Symbol = Symbol("open_world");
pub(crate) const ICON: Symbol = Symbol("icon");
pub(crate) const TASK: Symbol = Symbol("task");

/// Every key `#[tool(...)]` accepts, in the order the docs list them.
pub(crate) const TOOL_KEYS: &[Symbol] = &[
    NAME,
    TITLE,
    DESCRIPTION,
    READ_ONLY,
    DESTRUCTIVE,
    IDEMPOTENT,
    OPEN_WORLD,
    ICON,
    TASK,
];

// Keys of `#[arg(...)]`.
pub(crate) const DEFAULT: Symbol = Symbol("default");
pub(crate) const RENAME: Symbol = Symbol("rename");
pub(crate) const FLATTEN: Symbol = Symbol("flatten");

/// Every key `#[arg(...)]` accepts.
pub(crate) const ARG_KEYS: &[Symbol] = &[DEFAULT, RENAME, FLATTEN, DESCRIPTION];
