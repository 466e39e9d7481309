//! Fuzzes the RFC 6570 URI template parser, expander and matcher.
//!
//! Mode A (first byte even): the rest of the input is split at the first newline into an
//! arbitrary template and an arbitrary URI. Parsing either succeeds or reports an error inside
//! the template; matching and expanding never panic, and a literal template matches its own
//! expansion.
//!
//! Mode B (first byte odd): the bytes drive a generator of templates that are unambiguous under
//! the documented matching rules, with defined, non-empty values; `match_uri(expand(vars))` must
//! give back exactly `vars`. The generator stays inside the cases the module documentation
//! promises to invert: one variable per expression, no prefix modifiers, values made of ASCII
//! letters and digits, and a non-empty literal made of characters that never occur in a value
//! between any two expressions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_core::uri_template::{UriTemplate, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        arbitrary_inputs(rest);
    } else {
        round_trip(rest);
    }
});

fn arbitrary_inputs(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (template, uri) = text.split_once('\n').unwrap_or((&text, ""));
    let parsed = match UriTemplate::parse(template) {
        Ok(t) => t,
        Err(e) => {
            assert!(
                e.offset() <= template.len(),
                "error offset past the end: {e:?}"
            );
            return;
        }
    };
    let _ = parsed.match_uri(uri);
    let names: Vec<String> = parsed.variables().map(str::to_owned).collect();
    // Expansion with every variable set from the URI text, as a string, a list and an assoc.
    let expanded = parsed.expand(|name| {
        let i = names.iter().position(|n| n == name)?;
        Some(match i % 4 {
            0 => Value::String(uri.to_owned()),
            1 => Value::List(uri.split('/').map(str::to_owned).collect()),
            2 => Value::Assoc(
                uri.split('&')
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                        (k.to_owned(), v.to_owned())
                    })
                    .collect(),
            ),
            _ => return None,
        })
    });
    let _ = parsed.match_uri(&expanded);
    if parsed.is_literal() {
        let own = parsed.expand(|_| None);
        assert!(
            parsed.match_uri(&own).is_some(),
            "literal template {template:?} does not match its expansion {own:?}"
        );
    }
}

const OPERATORS: [&str; 8] = ["", "+", "#", ".", "/", ";", "?", "&"];
/// Literal characters: none is a letter or digit (the value alphabet), none is `%`, `{` or `}`.
/// `=` is left out: after `{&v}` a literal `=` makes `&v=abc=` readable as the bare parameter
/// `v` (empty, which the matcher accepts) followed by the literal, and rule 5 (fewest value
/// characters) then prefers that reading. That is an ambiguity of the expansion, not a bug.
const LITERAL: &[u8] = b"-/~!:@,";
const VALUE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn round_trip(data: &[u8]) {
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next();
    let mut template = String::new();
    let mut vars: Vec<(String, String)> = Vec::new();
    // Optional leading literal.
    let lead = next().unwrap_or(0) % 4;
    for _ in 0..lead {
        template.push(LITERAL[usize::from(next().unwrap_or(0)) % LITERAL.len()] as char);
    }
    let count = 1 + usize::from(next().unwrap_or(0) % 5);
    for i in 0..count {
        let op = OPERATORS[usize::from(next().unwrap_or(0)) % OPERATORS.len()];
        let name = format!("v{i}");
        let len = 1 + usize::from(next().unwrap_or(0) % 8);
        let value: String = (0..len)
            .map(|_| VALUE[usize::from(next().unwrap_or(0)) % VALUE.len()] as char)
            .collect();
        template.push_str(&format!("{{{op}{name}}}"));
        vars.push((name, value));
        // A non-empty literal after every expression but the last (optional after the last).
        let lit = usize::from(next().unwrap_or(0) % 3) + usize::from(i + 1 < count);
        for _ in 0..lit {
            template.push(LITERAL[usize::from(next().unwrap_or(0)) % LITERAL.len()] as char);
        }
    }
    let parsed = UriTemplate::parse(&template).expect("generated templates are valid");
    let uri = parsed.expand(|name| {
        vars.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| Value::String(v.clone()))
    });
    let captures = parsed
        .match_uri(&uri)
        .unwrap_or_else(|| panic!("{template:?} does not match its expansion {uri:?}"));
    let got: Vec<(String, String)> = captures
        .iter()
        .map(|(n, v)| (n.to_owned(), v.as_str().expect("string value").to_owned()))
        .collect();
    assert_eq!(got, vars, "template {template:?}, uri {uri:?}");
}
