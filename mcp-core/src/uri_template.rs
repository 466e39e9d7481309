//! RFC 6570 URI templates: parsing, expansion (all of level 4) and matching.
//!
//! MCP servers publish *resource templates* such as `db://users/{user_id}` or `file://{+path}`.
//! A client expands a template into a concrete URI; a server receives a concrete URI and has to
//! find the template it came from and recover the variables. [`UriTemplate`] does both:
//! [`UriTemplate::expand`] implements RFC 6570 exactly, and [`UriTemplate::match_uri`] runs it
//! backwards with the rules below. The module uses `std` only.
//!
//! ```
//! use mcp_core::uri_template::{UriTemplate, Value};
//!
//! let template: UriTemplate = "api://weather/{city}/{date}{?units}".parse()?;
//! assert_eq!(template.variables().collect::<Vec<_>>(), ["city", "date", "units"]);
//!
//! // Expansion: undefined variables (here `units`) disappear together with their operator.
//! let uri = template.expand(|name| match name {
//!     "city" => Some(Value::from("São Paulo")),
//!     "date" => Some(Value::from("2025-01-31")),
//!     _ => None,
//! });
//! assert_eq!(uri, "api://weather/S%C3%A3o%20Paulo/2025-01-31");
//!
//! // Matching: values come back percent-decoded.
//! let captures = template.match_uri(&uri).expect("matches");
//! assert_eq!(captures.get("city"), Some("São Paulo"));
//! assert_eq!(captures.get("units"), None);
//!
//! let captures = template.match_uri("api://weather/Paris/2025-01-31?units=metric").unwrap();
//! assert_eq!(captures.get("units"), Some("metric"));
//! assert!(template.match_uri("api://weather/Paris").is_none());
//!
//! let files = UriTemplate::parse("repo://{owner}/tree{/path*}")?;
//! let captures = files.match_uri("repo://me/tree/src/lib.rs").unwrap();
//! assert_eq!(captures.get_list("path").unwrap(), ["src", "lib.rs"]);
//! # Ok::<(), mcp_core::uri_template::TemplateError>(())
//! ```
//!
//! # Parsing
//!
//! [`UriTemplate::parse`] accepts the RFC 6570 grammar: expressions `{` *operator*? *varspec*
//! (`,` *varspec*)* `}` where a varspec is a name made of `ALPHA / DIGIT / "_" / pct-encoded`,
//! optionally with inner dots, followed by an optional prefix `:1`..`:9999` or explode `*`.
//! Anything else inside braces is a [`TemplateError`] naming the problem and its byte offset,
//! as are an unclosed `{`, a stray `}`, and the operators RFC 6570 reserves (`=`, `,`, `!`, `@`,
//! `|`). Literal text is lenient: characters that may not appear in a URI are percent-encoded on
//! expansion, as section 3.1 of the RFC prescribes.
//!
//! # Matching rules
//!
//! RFC 6570 does not define matching; [`UriTemplate::match_uri`] uses these deterministic rules.
//!
//! 1. **Literals** match exactly and case-sensitively, either as written in the template or in
//!    their expanded (percent-encoded) form.
//! 2. **Extents.** Each expression matches a run of characters that depends on its operator. The
//!    characters listed as *stops* never occur raw inside one value (they may occur
//!    percent-encoded, e.g. `%2F`):
//!
//!    | expression        | matches                                  | stops in a value       |
//!    |-------------------|------------------------------------------|------------------------|
//!    | `{var}`           | one or more characters (required)        | `/` `?` `#`            |
//!    | `{+var}`          | one or more characters (required)        | `#`                    |
//!    | `{#var}`          | `#` then zero or more characters         | none                   |
//!    | `{.var}`          | `.` then zero or more characters         | `/` `?` `#` `.`        |
//!    | `{/var}`          | `/` then zero or more characters         | `/` `?` `#`            |
//!    | `{;a,b}`          | `;name[=value]` parameters               | `/` `?` `#` `;`        |
//!    | `{?a,b}` `{&c}`   | `?name=value&...` parameters             | `#` `&`                |
//!
//!    `{var}` and `{+var}` cannot tell an empty value from an undefined one, so they require at
//!    least one character. The other operators are optional: when their leading character is
//!    absent the variables are absent from the [`Captures`]; when it is present, an empty value is
//!    captured as `""`.
//! 3. **Several variables in one unnamed expression** (`{x,y}`, `{/a,b}`, `{.x,y}`) are split on
//!    the operator's separator (`,` for none/`+`/`#`, `/` for `/`, `.` for `.`) and assigned left
//!    to right; missing trailing values leave their variables absent. The last variable of a
//!    `,`-separated expression receives the remainder including commas (so `{var}` against `a,b`
//!    captures `"a,b"`). An exploded variable that is not last takes exactly one item; an exploded
//!    last variable (`{/path*}`, `{list*}`) receives every remaining item as a [`Value::List`] of
//!    one or more items, or as a [`Value::Assoc`] if every item contains a raw `=`. A
//!    non-exploded list (`{list}`) is captured as one string.
//! 4. **Named parameters** (`;`, `?`, `&`): adjacent `?`/`&` expressions (`{?a,b}{&c}`) form one
//!    group, as do adjacent `;` expressions. Parameters may come in any order; names are compared
//!    exactly as written. A parameter absent from the URI leaves its variable absent; a
//!    non-exploded variable given twice, or a parameter that no variable of the group names, makes
//!    the match fail — unless the group has an exploded variable that received no parameter under
//!    its own name, which then collects the leftovers as a [`Value::Assoc`]. `name=` and a bare
//!    `name` both capture `""`. `+` is not decoded to a space (this is RFC 3986, not HTML forms).
//! 5. **Ambiguity** (e.g. `{a}{b}`, `{a}.{b}`, `{+path}/{file}`) is resolved deterministically,
//!    like a backtracking matcher with fixed priorities, left to right: an optional expression is
//!    taken as present, and with as many of its variables as possible, whenever the rest can still
//!    match; the value characters are taken as few as possible (leftmost-shortest). So `{a}{b}`
//!    against `xyz` gives `a = "x"`, `b = "yz"`; `{a}.{b}` against `x.y.z` gives `a = "x"`,
//!    `b = "y.z"`; `{name}{.ext}` against `a.tar.gz` gives `name = "a.tar"`, `ext = "gz"`.
//! 6. **Decoding.** Values are percent-decoded after the extents are chosen. A malformed escape
//!    (`%` not followed by two hex digits) or a decoded byte sequence that is not UTF-8 makes the
//!    whole match fail; so does a prefixed variable (`{var:3}`) longer than its prefix, or a
//!    variable occurring several times with inconsistent values. A variable that only occurs with
//!    a prefix modifier yields the prefix.
//! 7. **Security.** A `{var}` value never contains a `/` that was a raw `/` in the URI, but it may
//!    contain one decoded from `%2F`, and `{+path}` values are returned as they are, only
//!    percent-decoded (`a/b/../c`, or `../x` from `%2e%2e/x`). Callers mapping values to file paths or similar must validate and
//!    confine them themselves.
//! 8. **Cost.** Matching simulates all candidate extents in a single pass (a Pike VM), so it takes
//!    time proportional to the URI length times the template size (never exponential, whatever
//!    the input), and working memory that depends on the template only.
//!
//! Consequently `template.match_uri(&template.expand(vars))` returns `vars` whenever the
//! expansion is unambiguous under these rules. The exceptions are inherent to RFC 6570: an empty
//! `{var}`/`{+var}` value (indistinguishable from undefined), a non-exploded list or associative
//! array (read back as one string), `{+var}` values containing `#`, `{+var}` and `{#var}` values
//! containing pct-encoded triplets (kept as they are on expansion, so decoded on the way back), a
//! raw `.` inside a label value or in a value followed by a literal `.` (see rule 5), and
//! undefined variables followed by defined ones in one unnamed expression (rule 3).

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::str::FromStr;

mod expand;
mod matcher;
#[cfg(test)]
mod tests;

/// A parsed RFC 6570 URI template.
///
/// Equality, hashing and [`Display`](fmt::Display) use the template text.
#[derive(Clone)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
    names: Vec<String>,
    matcher: matcher::Matcher,
}

/// The value of a template variable, as defined in section 2.3 of RFC 6570.
///
/// An empty [`List`](Value::List) or [`Assoc`](Value::Assoc) counts as undefined when expanding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A string value.
    String(String),
    /// A list of strings.
    List(Vec<String>),
    /// An associative array: (name, value) pairs in order.
    Assoc(Vec<(String, String)>),
}

/// The variables recovered by [`UriTemplate::match_uri`], percent-decoded, in the order the
/// variables first appear in the template. Variables that were absent from the URI are not
/// present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captures {
    entries: Vec<(String, Value)>,
}

/// Iterator over the variables of [`Captures`], yielding `(name, value)`.
#[derive(Clone, Debug)]
pub struct CapturesIter<'a> {
    inner: std::slice::Iter<'a, (String, Value)>,
}

/// A syntax error in a URI template: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    kind: TemplateErrorKind,
    offset: usize,
}

/// What is wrong with a URI template. See [`TemplateError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateErrorKind {
    /// A `{` without a matching `}`.
    UnclosedExpression,
    /// A `}` outside of any expression.
    UnmatchedClosingBrace,
    /// `{}`.
    EmptyExpression,
    /// A variable name is missing (`{+}`, `{a,}`, `{,a}`).
    EmptyVariableName,
    /// A character that may not appear in a variable name (names are `ALPHA / DIGIT / "_" /
    /// pct-encoded`, with single dots between them).
    InvalidVariableChar(char),
    /// A `%` in a variable name that is not followed by two hex digits.
    InvalidPercentEncoding,
    /// One of the operators RFC 6570 reserves for future extensions: `=`, `,`, `!`, `@`, `|`.
    ReservedOperator(char),
    /// A prefix modifier that is not `:` followed by a number from 1 to 9999 (no leading zero).
    InvalidPrefix,
    /// A variable with both a prefix modifier and the explode modifier.
    PrefixWithExplode,
    /// A character after a variable's modifier where `,` or `}` was expected.
    UnexpectedChar(char),
}

/// An RFC 6570 expression operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    /// No operator: `{var}`.
    Simple,
    /// `{+var}`.
    Reserved,
    /// `{#var}`.
    Fragment,
    /// `{.var}`.
    Label,
    /// `{/var}`.
    Path,
    /// `{;var}`.
    PathParam,
    /// `{?var}`.
    Query,
    /// `{&var}`.
    QueryCont,
}

impl Operator {
    fn from_char(c: u8) -> Option<Self> {
        Some(match c {
            b'+' => Self::Reserved,
            b'#' => Self::Fragment,
            b'.' => Self::Label,
            b'/' => Self::Path,
            b';' => Self::PathParam,
            b'?' => Self::Query,
            b'&' => Self::QueryCont,
            _ => return None,
        })
    }

    /// The character that starts a non-empty expansion, if any.
    fn lead(self) -> Option<char> {
        match self {
            Self::Simple | Self::Reserved => None,
            Self::Fragment => Some('#'),
            Self::Label => Some('.'),
            Self::Path => Some('/'),
            Self::PathParam => Some(';'),
            Self::Query => Some('?'),
            Self::QueryCont => Some('&'),
        }
    }

    /// The separator between the values of an expression.
    fn sep(self) -> char {
        match self {
            Self::Simple | Self::Reserved | Self::Fragment => ',',
            Self::Label => '.',
            Self::Path => '/',
            Self::PathParam => ';',
            Self::Query | Self::QueryCont => '&',
        }
    }

    /// Whether values are emitted as `name=value`.
    fn named(self) -> bool {
        matches!(self, Self::PathParam | Self::Query | Self::QueryCont)
    }

    /// What follows the name of a named variable whose value is empty.
    fn if_empty(self) -> &'static str {
        match self {
            Self::Query | Self::QueryCont => "=",
            _ => "",
        }
    }

    /// Whether reserved characters and pct-encoded triplets are kept as they are.
    fn allow_reserved(self) -> bool {
        matches!(self, Self::Reserved | Self::Fragment)
    }
}

/// A variable reference inside an expression.
#[derive(Clone, Debug)]
struct VarSpec {
    name: String,
    /// Index of `name` in [`UriTemplate::names`].
    index: usize,
    prefix: Option<usize>,
    explode: bool,
}

#[derive(Clone, Debug)]
struct Expression {
    op: Operator,
    vars: Vec<VarSpec>,
}

#[derive(Clone, Debug)]
enum Part {
    /// Literal text as written and as expanded (percent-encoded where needed).
    Literal {
        raw: String,
        encoded: String,
    },
    Expr(Expression),
}

impl UriTemplate {
    /// Parses a URI template.
    ///
    /// ```
    /// use mcp_core::uri_template::{TemplateErrorKind, UriTemplate};
    ///
    /// assert!(UriTemplate::parse("file://{+path}").is_ok());
    /// let err = UriTemplate::parse("db://users/{id").unwrap_err();
    /// assert_eq!(err.kind(), &TemplateErrorKind::UnclosedExpression);
    /// assert_eq!(err.offset(), 11);
    /// ```
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let (parts, names) = parse_template(template)?;
        let matcher = matcher::Matcher::compile(&parts);
        Ok(Self {
            source: template.to_owned(),
            parts,
            names,
            matcher,
        })
    }

    /// The template text, as given to [`parse`](Self::parse).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order of first appearance, each once.
    pub fn variables(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(String::as_str)
    }

    /// Whether the template has no expressions at all (it then expands to itself, with characters
    /// not allowed in URIs percent-encoded, and matches only that).
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Literal { .. }))
    }

    /// Expands the template (RFC 6570 level 4), looking variables up with `vars`.
    ///
    /// `None`, an empty list and an empty associative array are undefined values: they expand to
    /// nothing, together with their operator and separator.
    ///
    /// ```
    /// use mcp_core::uri_template::{UriTemplate, Value};
    ///
    /// let t = UriTemplate::parse("search://{?q,tags*}")?;
    /// let uri = t.expand(|name| match name {
    ///     "q" => Some("rust mcp".into()),
    ///     "tags" => Some(Value::from(vec!["a", "b"])),
    ///     _ => None,
    /// });
    /// assert_eq!(uri, "search://?q=rust%20mcp&tags=a&tags=b");
    /// # Ok::<(), mcp_core::uri_template::TemplateError>(())
    /// ```
    pub fn expand<F>(&self, vars: F) -> String
    where
        F: Fn(&str) -> Option<Value>,
    {
        expand::expand(&self.parts, |name| vars(name).map(std::borrow::Cow::Owned))
    }

    /// Expands the template with the variables of a map. See [`expand`](Self::expand).
    pub fn expand_map<S: BuildHasher>(&self, vars: &HashMap<String, Value, S>) -> String {
        expand::expand(&self.parts, |name| {
            vars.get(name).map(std::borrow::Cow::Borrowed)
        })
    }

    /// Matches a concrete URI against the template and returns the decoded variables, or `None`
    /// if the URI does not match. See the [module documentation](self#matching-rules) for the
    /// rules.
    ///
    /// ```
    /// use mcp_core::uri_template::UriTemplate;
    ///
    /// let t = UriTemplate::parse("db://users/{user_id}")?;
    /// assert_eq!(t.match_uri("db://users/42").unwrap().get("user_id"), Some("42"));
    /// assert!(t.match_uri("db://users/").is_none());
    /// assert!(t.match_uri("db://users/42/posts").is_none());
    /// # Ok::<(), mcp_core::uri_template::TemplateError>(())
    /// ```
    pub fn match_uri(&self, uri: &str) -> Option<Captures> {
        self.matcher.match_uri(&self.parts, &self.names, uri)
    }
}

impl fmt::Debug for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UriTemplate").field(&self.source).finish()
    }
}

impl fmt::Display for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PartialEq for UriTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for UriTemplate {}

impl Hash for UriTemplate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.hash(state);
    }
}

impl FromStr for UriTemplate {
    type Err = TemplateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for UriTemplate {
    type Error = TemplateError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl Value {
    /// The string, if this is a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is a [`Value::List`].
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            Self::List(items) => Some(items),
            _ => None,
        }
    }

    /// The pairs, if this is a [`Value::Assoc`].
    pub fn as_assoc(&self) -> Option<&[(String, String)]> {
        match self {
            Self::Assoc(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// Whether RFC 6570 treats the value as undefined (an empty list or associative array).
    fn is_undefined(&self) -> bool {
        match self {
            Self::String(_) => false,
            Self::List(items) => items.is_empty(),
            Self::Assoc(pairs) => pairs.is_empty(),
        }
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<Vec<String>> for Value {
    fn from(items: Vec<String>) -> Self {
        Self::List(items)
    }
}

impl From<Vec<&str>> for Value {
    fn from(items: Vec<&str>) -> Self {
        Self::List(items.into_iter().map(str::to_owned).collect())
    }
}

impl From<Vec<(String, String)>> for Value {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self::Assoc(pairs)
    }
}

impl From<Vec<(&str, &str)>> for Value {
    fn from(pairs: Vec<(&str, &str)>) -> Self {
        Self::Assoc(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }
}

impl Captures {
    /// The value of a string variable (`None` if absent or not a string).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_value(name).and_then(Value::as_str)
    }

    /// The items of a list variable such as `{/segments*}` (`None` if absent or not a list).
    pub fn get_list(&self, name: &str) -> Option<&[String]> {
        self.get_value(name).and_then(Value::as_list)
    }

    /// The pairs of an associative variable such as `{?params*}` (`None` if absent or not
    /// associative).
    pub fn get_assoc(&self, name: &str) -> Option<&[(String, String)]> {
        self.get_value(name).and_then(Value::as_assoc)
    }

    /// The value of a variable, whatever its kind.
    pub fn get_value(&self, name: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }

    /// Whether the variable was captured.
    pub fn contains(&self, name: &str) -> bool {
        self.get_value(name).is_some()
    }

    /// The number of captured variables.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no variable was captured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Iterates over `(name, value)` in template order.
    pub fn iter(&self) -> CapturesIter<'_> {
        CapturesIter {
            inner: self.entries.iter(),
        }
    }

    /// Converts the captures into a map, e.g. to expand another template with them.
    pub fn into_map(self) -> HashMap<String, Value> {
        self.entries.into_iter().collect()
    }
}

impl<'a> Iterator for CapturesIter<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(n, v)| (n.as_str(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl ExactSizeIterator for CapturesIter<'_> {}

impl<'a> IntoIterator for &'a Captures {
    type Item = (&'a str, &'a Value);
    type IntoIter = CapturesIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for Captures {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl TemplateError {
    fn new(kind: TemplateErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What is wrong.
    pub fn kind(&self) -> &TemplateErrorKind {
        &self.kind
    }

    /// The byte offset in the template of the offending character.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid URI template: {} at byte {}",
            self.kind, self.offset
        )
    }
}

impl std::error::Error for TemplateError {}

impl fmt::Display for TemplateErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnclosedExpression => {
                f.write_str("unclosed expression: '{' without a matching '}'")
            }
            Self::UnmatchedClosingBrace => f.write_str("unmatched '}' outside an expression"),
            Self::EmptyExpression => f.write_str("empty expression '{}'"),
            Self::EmptyVariableName => f.write_str("empty variable name"),
            Self::InvalidVariableChar(c) => write!(f, "invalid character {c:?} in variable name"),
            Self::InvalidPercentEncoding => {
                f.write_str("malformed percent-encoding in variable name")
            }
            Self::ReservedOperator(c) => {
                write!(
                    f,
                    "operator {c:?} is reserved by RFC 6570 and not supported"
                )
            }
            Self::InvalidPrefix => {
                f.write_str("invalid prefix modifier: expected ':' and a length from 1 to 9999")
            }
            Self::PrefixWithExplode => {
                f.write_str("a prefix modifier ':n' cannot be combined with explode '*'")
            }
            Self::UnexpectedChar(c) => {
                write!(
                    f,
                    "unexpected character {c:?} after a variable (expected ',' or '}}')"
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

fn parse_template(src: &str) -> Result<(Vec<Part>, Vec<String>), TemplateError> {
    let bytes = src.as_bytes();
    let mut parts = Vec::new();
    let mut names = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                push_literal(&mut parts, &src[literal_start..i]);
                let close = match src[i + 1..].find('}') {
                    Some(p) => i + 1 + p,
                    None => {
                        return Err(TemplateError::new(TemplateErrorKind::UnclosedExpression, i));
                    }
                };
                let expr = parse_expression(src, i, close, &mut names)?;
                parts.push(Part::Expr(expr));
                i = close + 1;
                literal_start = i;
            }
            b'}' => {
                return Err(TemplateError::new(
                    TemplateErrorKind::UnmatchedClosingBrace,
                    i,
                ));
            }
            _ => i += 1,
        }
    }
    push_literal(&mut parts, &src[literal_start..]);
    Ok((parts, names))
}

fn push_literal(parts: &mut Vec<Part>, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let mut encoded = String::with_capacity(raw.len());
    expand::encode_into(&mut encoded, raw, true);
    parts.push(Part::Literal {
        raw: raw.to_owned(),
        encoded,
    });
}

fn char_at(src: &str, pos: usize) -> char {
    src[pos..].chars().next().unwrap_or('\u{FFFD}')
}

/// Parses the expression between the braces at `open` and `close`.
fn parse_expression(
    src: &str,
    open: usize,
    close: usize,
    names: &mut Vec<String>,
) -> Result<Expression, TemplateError> {
    use TemplateErrorKind as K;
    let bytes = src.as_bytes();
    let err = |kind, at| Err(TemplateError::new(kind, at));
    let mut pos = open + 1;
    if pos == close {
        return err(K::EmptyExpression, open);
    }
    let op = match bytes[pos] {
        c @ (b'=' | b',' | b'!' | b'@' | b'|') => return err(K::ReservedOperator(c as char), pos),
        c => match Operator::from_char(c) {
            Some(op) => {
                pos += 1;
                op
            }
            None => Operator::Simple,
        },
    };
    let mut vars = Vec::new();
    loop {
        // varname
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
                        return err(K::InvalidPercentEncoding, pos);
                    }
                }
                b'.' => {
                    if pos == start || bytes[pos - 1] == b'.' {
                        return err(K::InvalidVariableChar('.'), pos);
                    }
                    pos += 1;
                }
                b',' | b':' | b'*' => break,
                _ => return err(K::InvalidVariableChar(char_at(src, pos)), pos),
            }
        }
        if pos == start {
            return err(K::EmptyVariableName, pos);
        }
        if bytes[pos - 1] == b'.' {
            return err(K::InvalidVariableChar('.'), pos - 1);
        }
        let name = &src[start..pos];

        // modifier
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
                return err(K::PrefixWithExplode, pos);
            }
            let len = &src[digits..pos];
            if len.is_empty() || len.len() > 4 || len.starts_with('0') {
                return err(K::InvalidPrefix, colon);
            }
            prefix = Some(len.parse::<usize>().expect("1 to 4 digits"));
        } else if pos < close && bytes[pos] == b'*' {
            explode = true;
            pos += 1;
            if pos < close && bytes[pos] == b':' {
                return err(K::PrefixWithExplode, pos);
            }
        }

        let index = match names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                names.push(name.to_owned());
                names.len() - 1
            }
        };
        vars.push(VarSpec {
            name: name.to_owned(),
            index,
            prefix,
            explode,
        });

        if pos == close {
            break;
        }
        if bytes[pos] != b',' {
            return err(K::UnexpectedChar(char_at(src, pos)), pos);
        }
        pos += 1;
        if pos == close {
            return err(K::EmptyVariableName, pos);
        }
    }
    Ok(Expression { op, vars })
}
