//! A validating scanner that finds the members of a JSON object without decoding them.
//!
//! The SDK reads a `tools/call` request's `params` and `arguments` with it: serde_json's own way
//! of keeping values raw walks each one through its general deserializer, which costs several
//! times more than checking the grammar directly. The scanner is conservative: it reports
//! success only for input that is well-formed JSON (an object whose keys need no unescaping);
//! anything else, including valid JSON it does not handle, makes it give up, and the caller goes
//! back to serde_json, which then produces the result or the usual error message.

/// The deepest nesting the scanner follows (the object itself counts as one level); deeper input
/// makes it give up.
const MAX_DEPTH: u32 = 128;

/// Calls `visit(key, value)` for each member of the JSON object in `text`, in order, with the
/// key's characters (no quotes) and the value's exact text.
///
/// Returns `true` when `text` is one well-formed JSON object, optionally surrounded by JSON
/// whitespace, whose keys contain no escape sequences. On `false` the members already visited
/// mean nothing: the caller must parse `text` another way. Duplicate keys are reported as they
/// come.
pub fn object_members<'a>(text: &'a str, mut visit: impl FnMut(&'a str, &'a str)) -> bool {
    let b = text.as_bytes();
    let mut i = match opening(b) {
        Opening::Members(i) => i,
        Opening::Empty(end) => return ws(b, end) == b.len(),
        Opening::NotObject => return false,
    };
    loop {
        let Some((key, after_key)) = plain_key(b, i) else {
            return false;
        };
        i = ws(b, after_key);
        if b.get(i) != Some(&b':') {
            return false;
        }
        let start = ws(b, i + 1);
        let Some(end) = skip_value(b, start, 1) else {
            return false;
        };
        // Both ends sit on ASCII bytes (a value starts with one and ends after one), so they
        // are character boundaries.
        visit(&text[key.0..key.1], &text[start..end]);
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => return ws(b, i + 1) == b.len(),
            _ => return false,
        }
    }
}

/// How the text of an object begins.
enum Opening {
    /// The first key is at this index.
    Members(usize),
    /// `{}`; the index after it.
    Empty(usize),
    /// The text does not start with `{`.
    NotObject,
}

#[inline(always)]
fn opening(b: &[u8]) -> Opening {
    let i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Opening::NotObject;
    }
    let i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        Opening::Empty(i + 1)
    } else {
        Opening::Members(i)
    }
}

/// [`object_members`] for text already known to be well-formed JSON: a [`RawJson`], a
/// `RawValue`, or a value inside one. It does not check the grammar again, only finds where
/// each member ends, which costs a fraction of validating it (the SDK reads a `tools/call`'s
/// `params`, then its `arguments`, out of a message the validating scan has already checked).
///
/// Returns `false`, for the caller to parse `text` another way, when `text` is not an object
/// or a key has an escape sequence. On input that is not well-formed JSON the members reported
/// are unspecified (but every one is a slice of `text`, and it does not panic).
///
/// [`RawJson`]: crate::jsonrpc::RawJson
pub fn valid_object_members<'a>(text: &'a str, mut visit: impl FnMut(&'a str, &'a str)) -> bool {
    let b = text.as_bytes();
    let mut i = match opening(b) {
        Opening::Members(i) => i,
        Opening::Empty(_) => return true,
        Opening::NotObject => return false,
    };
    loop {
        let Some((key, after_key)) = plain_key(b, i) else {
            return false;
        };
        let colon = ws(b, after_key);
        if b.get(colon) != Some(&b':') {
            return false;
        }
        let start = ws(b, colon + 1);
        let Some(end) = end_of_valid_value(b, start) else {
            return false;
        };
        // Every index here follows an ASCII byte or is the start of the text: a character
        // boundary, whatever the input.
        visit(&text[key.0..key.1], &text[start..end]);
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            _ => return true,
        }
    }
}

/// The index after the well-formed value starting at `i`: strings end at their closing quote,
/// containers at the bracket that balances the opening one, numbers and literals at the next
/// delimiter.
fn end_of_valid_value(b: &[u8], mut i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => end_of_valid_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0u32;
            loop {
                match *b.get(i)? {
                    b'"' => {
                        i = end_of_valid_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            while let Some(&c) = b.get(i) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            Some(i)
        }
    }
}

/// The index after the closing quote of the well-formed string whose opening quote is at `i`.
#[inline(always)]
fn end_of_valid_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        // Control characters cannot occur in a valid string; stopping at one costs nothing.
        j = next_special(b, j);
        match *b.get(j)? {
            b'"' => return Some(j + 1),
            // The escaped character (for `\u`, the first hex digit) is skipped with it.
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// Whether `text` is one well-formed JSON value (surrounded by optional whitespace) that the
/// scanner handles.
pub fn is_value(text: &str) -> bool {
    let b = text.as_bytes();
    let start = ws(b, 0);
    skip_value(b, start, 0).is_some_and(|end| ws(b, end) == b.len())
}

#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    // Compact JSON has no whitespace: one comparison settles the common case.
    while let Some(&c) = b.get(i) {
        if c > b' ' || !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// The index of the first byte at or after `i` that a string scan must look at: a quote, a
/// backslash or a control character (or `b.len()`). Eight bytes at a time.
#[inline(always)]
fn next_special(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let quote = v ^ (ONES * u64::from(b'"'));
        let backslash = v ^ (ONES * u64::from(b'\\'));
        // A byte's high bit is set where it is zero (or below 0x20): exact for the first such
        // byte, which is the one that matters.
        let found = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (v.wrapping_sub(ONES * 0x20) & !v);
        let found = found & HIGHS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// A key at `i` (its opening quote) without escapes: the byte range of its characters and the
/// index after its closing quote.
#[inline(always)]
fn plain_key(b: &[u8], i: usize) -> Option<((usize, usize), usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let j = next_special(b, start);
    (*b.get(j)? == b'"').then_some(((start, j), j + 1))
}

/// Skips the string whose opening quote is at `i`; returns the index after the closing quote.
#[inline(always)]
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        j = next_special(b, j);
        match *b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => match *b.get(j + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                b'u' => {
                    let hex = b.get(j + 2..j + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    j += 6;
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Skips the number starting at `i` (JSON's grammar: no leading zeros, no bare `.` or `e`).
fn skip_number(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = skip_digits(b, i + 1),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let end = skip_digits(b, i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let end = skip_digits(b, i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

fn skip_literal(b: &[u8], i: usize, literal: &[u8]) -> Option<usize> {
    (b.get(i..i + literal.len())? == literal).then_some(i + literal.len())
}

/// Skips the value starting at `i` (no leading whitespace), nested `outer` levels deep already;
/// returns the index after it. Iterative: a bit per open level says object (1) or array (0).
fn skip_value(b: &[u8], mut i: usize, outer: u32) -> Option<usize> {
    let mut kinds: u128 = 0;
    let mut depth: u32 = 0;
    loop {
        // A value starts at `i`.
        match *b.get(i)? {
            b'"' => i = skip_string(b, i)?,
            open @ (b'{' | b'[') => {
                // An empty container counts as a level too, as it does for serde_json.
                if outer + depth + 1 > MAX_DEPTH {
                    return None;
                }
                let is_object = open == b'{';
                i = ws(b, i + 1);
                let close = if is_object { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    i += 1;
                } else {
                    if is_object {
                        kinds |= 1 << depth;
                        i = skip_key_and_colon(b, i)?;
                    } else {
                        kinds &= !(1 << depth);
                    }
                    depth += 1;
                    continue;
                }
            }
            b't' => i = skip_literal(b, i, b"true")?,
            b'f' => i = skip_literal(b, i, b"false")?,
            b'n' => i = skip_literal(b, i, b"null")?,
            b'-' | b'0'..=b'9' => i = skip_number(b, i)?,
            _ => return None,
        }
        // A value ended at `i`: close the levels it completes, or move to the next value.
        loop {
            if depth == 0 {
                return Some(i);
            }
            let is_object = kinds & (1 << (depth - 1)) != 0;
            i = ws(b, i);
            match *b.get(i)? {
                b',' => {
                    i = ws(b, i + 1);
                    if is_object {
                        i = skip_key_and_colon(b, i)?;
                    }
                    break;
                }
                b'}' if is_object => {
                    i += 1;
                    depth -= 1;
                }
                b']' if !is_object => {
                    i += 1;
                    depth -= 1;
                }
                _ => return None,
            }
        }
    }
}

/// Skips `"key" :` and the whitespace after it; returns the index of the value.
#[inline(always)]
fn skip_key_and_colon(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let i = ws(b, skip_string(b, i)?);
    (b.get(i) == Some(&b':')).then(|| ws(b, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> Option<Vec<(&str, &str)>> {
        let mut out = Vec::new();
        object_members(text, |k, v| out.push((k, v))).then_some(out)
    }

    #[test]
    fn finds_members_and_their_exact_text() {
        let text = r#" { "name" : "echo", "arguments":{"text":"a \"b\" \u00e9","n":[1,-2.5e3,{}],"x":null} ,"t":true } "#;
        assert_eq!(
            members(text).unwrap(),
            vec![
                ("name", r#""echo""#),
                (
                    "arguments",
                    r#"{"text":"a \"b\" \u00e9","n":[1,-2.5e3,{}],"x":null}"#
                ),
                ("t", "true"),
            ]
        );
        assert_eq!(members("{}").unwrap(), vec![]);
        assert_eq!(members("{\"a\":[]}").unwrap(), vec![("a", "[]")]);
        assert_eq!(
            members("{\"k\":1,\"k\":2}").unwrap(),
            vec![("k", "1"), ("k", "2")]
        );
    }

    #[test]
    fn gives_up_on_anything_it_cannot_vouch_for() {
        // Valid JSON, but not an object with plain keys.
        for text in ["[]", "1", "{\"k\\u0061\":1}", "{\"a\\\"b\":1}"] {
            assert!(members(text).is_none(), "accepted {text:?}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
        for text in [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12g4\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":[1,]}",
            "{\"a\":[1}",
            "{\"a\":{\"b\":1]}",
            "{\"a\":{1:2}}",
            "{\"a\":1} x",
            "{\"a\":1}{}",
            "{\"a\":\"unterminated}",
            "{\"a\":\u{a0}1}",
        ] {
            assert!(members(text).is_none(), "accepted {text:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text:?} is valid JSON"
            );
        }
    }

    #[test]
    fn depth_is_bounded() {
        let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        assert!(members(&deep(MAX_DEPTH as usize - 1)).is_some());
        assert!(members(&deep(MAX_DEPTH as usize)).is_none());
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(is_value(&nested(MAX_DEPTH as usize)));
        assert!(!is_value(&nested(MAX_DEPTH as usize + 1)));
    }

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for len in 0..24 {
            for filler in [b'a', b' ', 0x7f, 0xff, 0x20, b'!', b'#', b']'] {
                assert_eq!(next_special(&vec![filler; len], 0), len);
                for at in 0..len {
                    for special in [b'"', b'\\', 0x00, 0x01, 0x1f] {
                        let mut bytes = vec![filler; len];
                        bytes[at] = special;
                        assert_eq!(next_special(&bytes, 0), at, "{bytes:?}");
                        if at + 1 < len {
                            bytes[at + 1] = b'"';
                            assert_eq!(next_special(&bytes, 0), at, "{bytes:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn values() {
        for ok in [
            "0",
            "-0.5E+10",
            "\"\"",
            "[]",
            "{}",
            " [ 1 , { \"a\" : [ ] } ] ",
            "null",
        ] {
            assert!(is_value(ok), "{ok}");
        }
        for bad in [
            "",
            "01",
            "[1 2]",
            "{\"a\" 1}",
            "nan",
            "+1",
            "\"\\ud800",
            "1 1",
        ] {
            assert!(!is_value(bad), "{bad}");
        }
    }
}
