//! Expansion, following the algorithm of RFC 6570 appendix A.

use std::borrow::Cow;

use super::{Expression, Part, Value};

/// Expands `parts`, looking variables up with `lookup`.
pub(super) fn expand<'v, F>(parts: &[Part], lookup: F) -> String
where
    F: Fn(&str) -> Option<Cow<'v, Value>>,
{
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal { encoded, .. } => out.push_str(encoded),
            Part::Expr(expr) => expand_expression(&mut out, expr, &lookup),
        }
    }
    out
}

fn expand_expression<'v, F>(out: &mut String, expr: &Expression, lookup: &F)
where
    F: Fn(&str) -> Option<Cow<'v, Value>>,
{
    let op = expr.op;
    let allow_reserved = op.allow_reserved();
    let sep = op.sep();
    let mut first = true;
    for var in &expr.vars {
        let Some(value) = lookup(&var.name) else {
            continue;
        };
        if value.is_undefined() {
            continue;
        }
        if first {
            if let Some(lead) = op.lead() {
                out.push(lead);
            }
            first = false;
        } else {
            out.push(sep);
        }
        match (&*value, var.explode) {
            (Value::String(s), _) => {
                if op.named() {
                    out.push_str(&var.name);
                    if s.is_empty() {
                        out.push_str(op.if_empty());
                        continue;
                    }
                    out.push('=');
                }
                let s = match var.prefix {
                    Some(n) => truncate(s, n, allow_reserved),
                    None => s,
                };
                encode_into(out, s, allow_reserved);
            }
            (Value::List(items), false) => {
                if op.named() {
                    out.push_str(&var.name);
                    out.push('=');
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    encode_into(out, item, allow_reserved);
                }
            }
            (Value::Assoc(pairs), false) => {
                if op.named() {
                    out.push_str(&var.name);
                    out.push('=');
                }
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    encode_into(out, k, allow_reserved);
                    out.push(',');
                    encode_into(out, v, allow_reserved);
                }
            }
            (Value::List(items), true) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(sep);
                    }
                    if op.named() {
                        out.push_str(&var.name);
                        if item.is_empty() {
                            out.push_str(op.if_empty());
                            continue;
                        }
                        out.push('=');
                    }
                    encode_into(out, item, allow_reserved);
                }
            }
            (Value::Assoc(pairs), true) => {
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(sep);
                    }
                    encode_into(out, k, allow_reserved);
                    if op.named() && v.is_empty() {
                        out.push_str(op.if_empty());
                        continue;
                    }
                    out.push('=');
                    encode_into(out, v, allow_reserved);
                }
            }
        }
    }
}

pub(super) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

pub(super) fn is_reserved(b: u8) -> bool {
    matches!(
        b,
        b':' | b'/'
            | b'?'
            | b'#'
            | b'['
            | b']'
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
    )
}

/// Whether `b[i..]` starts with a pct-encoded triplet.
fn is_triplet(b: &[u8], i: usize) -> bool {
    i + 2 < b.len() && b[i] == b'%' && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()
}

/// Appends `s` percent-encoded: everything but unreserved characters, or, with
/// `allow_reserved`, everything but unreserved and reserved characters and pct-encoded triplets
/// (which are kept as they are). Non-ASCII characters are encoded as their UTF-8 bytes.
pub(super) fn encode_into(out: &mut String, s: &str, allow_reserved: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_unreserved(c) || (allow_reserved && is_reserved(c)) {
            out.push(c as char);
            i += 1;
        } else if allow_reserved && is_triplet(b, i) {
            out.push_str(&s[i..i + 3]);
            i += 3;
        } else {
            out.push('%');
            out.push(HEX[usize::from(c >> 4)] as char);
            out.push(HEX[usize::from(c & 0xF)] as char);
            i += 1;
        }
    }
}

/// The first `n` characters of `s`. With `allow_reserved`, a pct-encoded triplet (which is kept
/// as it is on expansion) counts as one character and is never split.
pub(super) fn truncate(s: &str, n: usize, allow_reserved: bool) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    let mut count = 0;
    while i < b.len() && count < n {
        if allow_reserved && is_triplet(b, i) {
            i += 3;
        } else {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
        count += 1;
    }
    &s[..i]
}
