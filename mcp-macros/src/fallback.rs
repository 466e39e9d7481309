//! Removing what only this crate understands, so the user's item can be emitted as Rust: doc
//! comments and `#[arg]` on parameters, `#[tool]` on the methods of a `#[tools]` block.

use syn::{FnArg, ImplItem, ItemImpl, Signature};

use crate::attr::{is_param_macro_attr, is_tool_attr};

/// Strips doc comments and `#[arg(...)]` from the parameters (rustc rejects docs on parameters).
pub(crate) fn strip_param_attrs(sig: &mut Signature) {
    for input in &mut sig.inputs {
        if let FnArg::Typed(arg) = input {
            arg.attrs.retain(|attr| !is_param_macro_attr(attr));
        }
    }
}

/// Strips `#[tool]` from the methods of an impl block, and the parameter attributes of those
/// methods. Methods without `#[tool]` are left exactly as written.
pub(crate) fn strip_tools_impl(item: &mut ItemImpl) {
    for impl_item in &mut item.items {
        if let ImplItem::Fn(method) = impl_item
            && method.attrs.iter().any(is_tool_attr)
        {
            method.attrs.retain(|attr| !is_tool_attr(attr));
            strip_param_attrs(&mut method.sig);
        }
    }
}
