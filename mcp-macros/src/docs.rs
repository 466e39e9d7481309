//! Doc comments and `description = ...` values as description text.
//!
//! `///` lines become one string: lines joined with `\n`, the single leading space rustdoc's
//! syntax adds removed from each line, the whole trimmed. `#[doc = include_str!("..")]` and other
//! macro values are kept as expressions and joined with `concat!`, so they still work.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta};

use crate::symbol::DOC;

/// Description text: literal pieces and macro expressions (such as `include_str!`), in order.
#[derive(Clone)]
pub(crate) struct Text {
    pieces: Vec<Piece>,
}

#[derive(Clone)]
enum Piece {
    Str(String),
    Expr(Box<Expr>),
}

impl Text {
    /// Text from an explicit `description = ...` value (a string literal or a macro call).
    pub(crate) fn from_value(expr: &Expr) -> Self {
        match expr {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Self {
                pieces: vec![Piece::Str(s.value())],
            },
            other => Self {
                pieces: vec![Piece::Expr(Box::new(other.clone()))],
            },
        }
    }

    /// The description from doc comments, or `None` when there are none (or they are blank).
    pub(crate) fn from_docs(attrs: &[Attribute]) -> Option<Self> {
        let mut pieces: Vec<Piece> = Vec::new();
        for attr in attrs {
            let Meta::NameValue(nv) = &attr.meta else {
                continue;
            };
            if nv.path != DOC {
                continue;
            }
            if !pieces.is_empty() {
                push_str(&mut pieces, "\n");
            }
            match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => {
                    let value = s.value();
                    let lines: Vec<&str> = value
                        .split('\n')
                        .map(|l| l.strip_prefix(' ').unwrap_or(l))
                        .collect();
                    push_str(&mut pieces, &lines.join("\n"));
                }
                other => pieces.push(Piece::Expr(Box::new(other.clone()))),
            }
        }
        Self { pieces }.trimmed()
    }

    fn trimmed(mut self) -> Option<Self> {
        if let Some(Piece::Str(first)) = self.pieces.first_mut() {
            *first = first.trim_start().to_owned();
        }
        if let Some(Piece::Str(last)) = self.pieces.last_mut() {
            *last = last.trim_end().to_owned();
        }
        self.pieces
            .retain(|p| !matches!(p, Piece::Str(s) if s.is_empty()));
        (!self.pieces.is_empty()).then_some(self)
    }

    /// The text, when it is entirely literal.
    #[cfg(test)]
    pub(crate) fn as_literal(&self) -> Option<String> {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Str(s) => Some(s.as_str()),
                Piece::Expr(_) => None,
            })
            .collect()
    }
}

fn push_str(pieces: &mut Vec<Piece>, s: &str) {
    if let Some(Piece::Str(last)) = pieces.last_mut() {
        last.push_str(s);
    } else {
        pieces.push(Piece::Str(s.to_owned()));
    }
}

impl ToTokens for Text {
    /// A `&'static str` expression: a literal, or `::core::concat!(..)` of the pieces.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let lit = |s: &str| LitStr::new(s, proc_macro2::Span::call_site());
        match self.pieces.as_slice() {
            [Piece::Str(s)] => lit(s).to_tokens(tokens),
            pieces => {
                let parts = pieces.iter().map(|p| match p {
                    Piece::Str(s) => lit(s).into_token_stream(),
                    Piece::Expr(e) => e.into_token_stream(),
                });
                tokens.extend(quote!(::core::concat!(#(#parts),*)));
            }
        }
    }
}
