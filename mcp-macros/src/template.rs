//! A small, std-only parser of RFC 6570 URI templates, for checking `#[resource_template]`
//! strings at compile time. It accepts exactly the grammar `mcp_core::uri_template` accepts (this
//! crate cannot depend on mcp-core): expressions `{` operator? varspec (`,` varspec)* `}` with
//! the operators `+ # . / ; ? &`, names of `ALPHA / DIGIT / "_" / pct-encoded` with single inner
//! dots, and the modifiers `*` (explode) and `:n` (prefix, 1 to 9999). The operators RFC 6570
//! reserves (`= , ! @ |`) are errors.

use std::fmt;

/// One variable reference of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    /// The variable's name, as written.
    pub(crate) name: String,
    /// The expression's operator (`None` for `{var}`).
    pub(crate) op: Option<char>,
    /// `{var*}`.
    pub(crate) explode: bool,
    /// `{var:n}`.
    pub(crate) prefix: Option<u16>,
}

/// A syntax error: what is wrong, at which byte of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError {
        message: message.into(),
        offset,
    })
}

fn char_at(src: &str, pos: usize) -> char {
    src[pos..].chars().next().unwrap_or('\u{FFFD}')
}

/// Every variable reference, in order (a name used twice appears twice).
pub(crate) fn parse(src: &str) -> Result<Vec<Var>, SyntaxError> {
    let bytes = src.as_bytes();
    let mut vars = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                let Some(close) = src[i + 1..].find('}').map(|p| i + 1 + p) else {
                    return err(i, "unclosed expression: '{' without a matching '}'");
                };
                expression(src, i, close, &mut vars)?;
                i = close + 1;
            }
            b'}' => return err(i, "unmatched '}' outside an expression"),
            _ => i += 1,
        }
    }
    Ok(vars)
}

fn expression(
    src: &str,
    open: usize,
    close: usize,
    vars: &mut Vec<Var>,
) -> Result<(), SyntaxError> {
    let bytes = src.as_bytes();
    let mut pos = open + 1;
    if pos == close {
        return err(open, "empty expression '{}'");
    }
    let op = match bytes[pos] {
        c @ (b'=' | b',' | b'!' | b'@' | b'|') => {
            return err(
                pos,
                format!(
                    "operator {:?} is reserved by RFC 6570 and not supported",
                    c as char
                ),
            );
        }
        c @ (b'+' | b'#' | b'.' | b'/' | b';' | b'?' | b'&') => {
            pos += 1;
            Some(c as char)
        }
        _ => None,
    };
    loop {
        let start = pos;
        while pos < close {
            match bytes[pos] {
                c if c.is_ascii_alphanumeric() || c == b'_' => pos += 1,
                b'%' => {
                    if pos + 2 < close
                        && bytes[pos + 1].is_ascii_hexdigit()
                        && bytes[pos + 2].is_ascii_hexdigit()
                    {
                        pos += 3;
                    } else {
                        return err(pos, "malformed percent-encoding in variable name");
                    }
                }
                b'.' => {
                    if pos == start || bytes[pos - 1] == b'.' {
                        return err(pos, "invalid character '.' in variable name");
                    }
                    pos += 1;
                }
                b',' | b':' | b'*' => break,
                _ => {
                    return err(
                        pos,
                        format!(
                            "invalid character {:?} in variable name (names are letters, digits and `_`)",
                            char_at(src, pos)
                        ),
                    );
                }
            }
        }
        if pos == start {
            return err(pos, "empty variable name");
        }
        if bytes[pos - 1] == b'.' {
            return err(pos - 1, "invalid character '.' in variable name");
        }
        let name = &src[start..pos];
        let mut prefix = None;
        let mut explode = false;
        if pos < close && bytes[pos] == b':' {
            let colon = pos;
            pos += 1;
            let digits = pos;
            while pos < close && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            if pos < close && bytes[pos] == b'*' {
                return err(
                    pos,
                    "a prefix modifier ':n' cannot be combined with explode '*'",
                );
            }
            let len = &src[digits..pos];
            if len.is_empty() || len.len() > 4 || len.starts_with('0') {
                return err(
                    colon,
                    "invalid prefix modifier: expected ':' and a length from 1 to 9999",
                );
            }
            prefix = len.parse::<u16>().ok();
        } else if pos < close && bytes[pos] == b'*' {
            explode = true;
            pos += 1;
            if pos < close && bytes[pos] == b':' {
                return err(
                    pos,
                    "a prefix modifier ':n' cannot be combined with explode '*'",
                );
            }
        }
        vars.push(Var {
            name: name.to_owned(),
            op,
            explode,
            prefix,
        });
        if pos == close {
            return Ok(());
        }
        if bytes[pos] != b',' {
            return err(
                pos,
                format!(
                    "unexpected character {:?} after a variable (expected ',' or '}}')",
                    char_at(src, pos)
                ),
            );
        }
        pos += 1;
        if pos == close {
            return err(pos, "empty variable name");
        }
    }
}

/// The distinct variable names, in order of first appearance.
pub(crate) fn names(vars: &[Var]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for v in vars {
        if !out.contains(&v.name.as_str()) {
            out.push(&v.name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(t: &str) -> Vec<String> {
        names(&parse(t).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn accepts_every_operator_and_modifier() {
        assert_eq!(names_of("db://users/{user_id}"), ["user_id"]);
        assert_eq!(
            names_of("x://{a}{+b}{#c}{.d}{/e*}{;f:3}{?g,h}{&i}"),
            ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        );
        assert_eq!(names_of("x://{a.b}{%41}{a}{/a}"), ["a.b", "%41", "a"]);
        assert_eq!(names_of("plain://no/variables"), Vec::<String>::new());
        let v = &parse("x://{/path*}{?q:9999}").unwrap();
        assert!(v[0].explode);
        assert_eq!(v[0].op, Some('/'));
        assert_eq!(v[1].prefix, Some(9999));
    }

    #[test]
    fn rejects_what_mcp_core_rejects() {
        for (template, offset, needle) in [
            ("db://users/{id", 11, "unclosed"),
            ("db://users/id}", 13, "unmatched"),
            ("x://{}", 4, "empty expression"),
            ("x://{+}", 6, "empty variable name"),
            ("x://{a,}", 7, "empty variable name"),
            ("x://{,a}", 5, "reserved"),
            ("x://{=a}", 5, "reserved"),
            ("x://{a-b}", 6, "invalid character '-'"),
            ("x://{a..b}", 7, "'.'"),
            ("x://{.a.}", 7, "'.'"),
            ("x://{%4}", 5, "percent"),
            ("x://{a:0}", 6, "prefix"),
            ("x://{a:10000}", 6, "prefix"),
            ("x://{a:}", 6, "prefix"),
            ("x://{a:3*}", 8, "cannot be combined"),
            ("x://{a*:3}", 7, "cannot be combined"),
            ("x://{a b}", 6, "invalid character ' '"),
        ] {
            let e = parse(template).unwrap_err();
            assert_eq!(e.offset, offset, "{template}: {e}");
            assert!(e.message.contains(needle), "{template}: {e}");
        }
    }
}
