//! Checks that need more than one attribute or parameter: tool-name rules (SEP-986) and
//! duplicate names inside one `#[tools]` block. They report and never return early.

use std::collections::HashMap;

use crate::diag::Diagnostics;
use crate::model::{Sp, Tool};

/// The longest tool name SEP-986 allows.
const MAX_NAME_LEN: usize = 128;

/// Where a tool name came from, to phrase the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameOrigin {
    /// `name = "..."`.
    Explicit,
    /// The function's identifier.
    Ident,
}

/// Reports a tool name that breaks SEP-986: 1 to 128 characters from `[A-Za-z0-9_.-]`.
pub(crate) fn tool_name(diag: &Diagnostics, name: &Sp<String>, origin: NameOrigin) {
    let fix = match origin {
        NameOrigin::Explicit => "",
        NameOrigin::Ident => "; set another with `#[tool(name = \"...\")]`",
    };
    let value = &name.value;
    let len = value.chars().count();
    if value.is_empty() {
        diag.error(name.span, "a tool name cannot be empty");
    } else if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        diag.error(
            name.span,
            format_args!(
                "invalid tool name `{value}`: {bad:?} is not allowed; tool names may contain only ASCII letters, digits, `_`, `-` and `.`{fix}"
            ),
        );
    } else if len > MAX_NAME_LEN {
        diag.error(
            name.span,
            format_args!("invalid tool name: it is {len} characters long, tool names may have at most {MAX_NAME_LEN}{fix}"),
        );
    }
}

/// Reports tools of one `#[tools]` block that share a name, and removes the later ones (so the
/// rest of the expansion stays valid).
pub(crate) fn unique_names(diag: &Diagnostics, tools: &mut Vec<Tool>) {
    // name -> (span of the first definition, whether it was pointed at already)
    let mut first: HashMap<String, (proc_macro2::Span, bool)> = HashMap::new();
    tools.retain(|tool| match first.get_mut(&tool.name.value) {
        Some((span, noted)) => {
            diag.error(
                tool.name.span,
                format_args!("duplicate tool name `{}`", tool.name.value),
            );
            if !*noted {
                diag.error(
                    *span,
                    format_args!("tool name `{}` first defined here", tool.name.value),
                );
                *noted = true;
            }
            false
        }
        None => {
            first.insert(tool.name.value.clone(), (tool.name.span, false));
            true
        }
    });
}
