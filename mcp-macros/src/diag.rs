//! The error accumulator (serde's `Ctxt`): every stage reports into one [`Diagnostics`] and keeps
//! going, so the user sees every mistake in one compile.

use std::cell::RefCell;
use std::fmt::Display;
use std::panic::{self, AssertUnwindSafe};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};

/// Collects compile errors. Must be consumed with [`Diagnostics::finish`]; dropping it unchecked is
/// a bug in this crate and panics (in debug builds of the macro, which is where tests run).
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Diagnostics {
    pub(crate) fn new() -> Self {
        Self {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Reports an error at one span.
    pub(crate) fn error(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Reports an error covering every token of `node`.
    pub(crate) fn error_spanned(&self, node: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(node, message));
    }

    /// Reports a `syn` error (typically a syntax error).
    pub(crate) fn push(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// Consumes the accumulator: the `compile_error!` invocations for every error, in the order
    /// they were reported (empty when there were none).
    pub(crate) fn finish(self) -> TokenStream {
        self.take()
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }

    /// Consumes the accumulator, returning the errors themselves (for tests).
    #[cfg(test)]
    pub(crate) fn into_errors(self) -> Vec<syn::Error> {
        self.take()
    }

    fn take(&self) -> Vec<syn::Error> {
        self.errors.borrow_mut().take().unwrap_or_default()
    }
}

impl Drop for Diagnostics {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("mcp-macros bug: Diagnostics dropped without calling `finish`");
        }
    }
}

/// Runs a macro, turning a panic (always a bug in this crate) into a compile error that says so,
/// instead of rustc's generic "proc macro panicked".
pub(crate) fn catch_panics(run: impl FnOnce() -> TokenStream) -> TokenStream {
    match panic::catch_unwind(AssertUnwindSafe(run)) {
        Ok(tokens) => tokens,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            let message =
                format!("internal error in mcp-macros (this is a bug, please report it): {detail}");
            quote!(::core::compile_error! { #message })
        }
    }
}
