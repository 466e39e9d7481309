//! Tests: RFC 6570 expansion examples, parse errors, matching, round trips and hostile input.

use std::collections::HashMap;

use super::*;

fn s(v: &str) -> Value {
    Value::from(v)
}

fn list(items: &[&str]) -> Value {
    Value::from(items.to_vec())
}

fn assoc(pairs: &[(&str, &str)]) -> Value {
    Value::from(pairs.to_vec())
}

/// The variables of RFC 6570 sections 1.2 and 3.2 (`undef` and `bar` are left undefined).
fn rfc_vars() -> HashMap<String, Value> {
    [
        ("count", list(&["one", "two", "three"])),
        ("dom", list(&["example", "com"])),
        ("dub", s("me/too")),
        ("hello", s("Hello World!")),
        ("half", s("50%")),
        ("var", s("value")),
        ("who", s("fred")),
        ("base", s("http://example.com/home/")),
        ("path", s("/foo/bar")),
        ("list", list(&["red", "green", "blue"])),
        (
            "keys",
            assoc(&[("semi", ";"), ("dot", "."), ("comma", ",")]),
        ),
        ("v", s("6")),
        ("x", s("1024")),
        ("y", s("768")),
        ("empty", s("")),
        ("empty_keys", Value::Assoc(Vec::new())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn check_expansions(cases: &[(&str, &str)]) {
    let vars = rfc_vars();
    for (template, expected) in cases {
        let t = UriTemplate::parse(template).unwrap_or_else(|e| panic!("{template}: {e}"));
        assert_eq!(t.expand_map(&vars), *expected, "template {template}");
        // The closure form gives the same result.
        assert_eq!(
            t.expand(|name| vars.get(name).cloned()),
            *expected,
            "template {template} (closure)"
        );
    }
}

// ------------------------------------------------------------------------------------------
// RFC 6570 section 1.2
// ------------------------------------------------------------------------------------------

#[test]
fn rfc_1_2_level_1() {
    check_expansions(&[("{var}", "value"), ("{hello}", "Hello%20World%21")]);
}

#[test]
fn rfc_1_2_level_2() {
    check_expansions(&[
        ("{+var}", "value"),
        ("{+hello}", "Hello%20World!"),
        ("{+path}/here", "/foo/bar/here"),
        ("here?ref={+path}", "here?ref=/foo/bar"),
        ("X{#var}", "X#value"),
        ("X{#hello}", "X#Hello%20World!"),
    ]);
}

#[test]
fn rfc_1_2_level_3() {
    check_expansions(&[
        ("map?{x,y}", "map?1024,768"),
        ("{x,hello,y}", "1024,Hello%20World%21,768"),
        ("{+x,hello,y}", "1024,Hello%20World!,768"),
        ("{+path,x}/here", "/foo/bar,1024/here"),
        ("{#x,hello,y}", "#1024,Hello%20World!,768"),
        ("{#path,x}/here", "#/foo/bar,1024/here"),
        ("X{.var}", "X.value"),
        ("X{.x,y}", "X.1024.768"),
        ("{/var}", "/value"),
        ("{/var,x}/here", "/value/1024/here"),
        ("{;x,y}", ";x=1024;y=768"),
        ("{;x,y,empty}", ";x=1024;y=768;empty"),
        ("{?x,y}", "?x=1024&y=768"),
        ("{?x,y,empty}", "?x=1024&y=768&empty="),
        ("?fixed=yes{&x}", "?fixed=yes&x=1024"),
        ("{&x,y,empty}", "&x=1024&y=768&empty="),
    ]);
}

#[test]
fn rfc_1_2_level_4() {
    check_expansions(&[
        ("{var:3}", "val"),
        ("{var:30}", "value"),
        ("{list}", "red,green,blue"),
        ("{list*}", "red,green,blue"),
        ("{keys}", "semi,%3B,dot,.,comma,%2C"),
        ("{keys*}", "semi=%3B,dot=.,comma=%2C"),
        ("{+path:6}/here", "/foo/b/here"),
        ("{+list}", "red,green,blue"),
        ("{+list*}", "red,green,blue"),
        ("{+keys}", "semi,;,dot,.,comma,,"),
        ("{+keys*}", "semi=;,dot=.,comma=,"),
        ("{#path:6}/here", "#/foo/b/here"),
        ("{#list}", "#red,green,blue"),
        ("{#list*}", "#red,green,blue"),
        ("{#keys}", "#semi,;,dot,.,comma,,"),
        ("{#keys*}", "#semi=;,dot=.,comma=,"),
        ("X{.var:3}", "X.val"),
        ("X{.list}", "X.red,green,blue"),
        ("X{.list*}", "X.red.green.blue"),
        ("X{.keys}", "X.semi,%3B,dot,.,comma,%2C"),
        ("X{.keys*}", "X.semi=%3B.dot=..comma=%2C"),
        ("{/var:1,var}", "/v/value"),
        ("{/list}", "/red,green,blue"),
        ("{/list*}", "/red/green/blue"),
        ("{/list*,path:4}", "/red/green/blue/%2Ffoo"),
        ("{/keys}", "/semi,%3B,dot,.,comma,%2C"),
        ("{/keys*}", "/semi=%3B/dot=./comma=%2C"),
        ("{;hello:5}", ";hello=Hello"),
        ("{;list}", ";list=red,green,blue"),
        ("{;list*}", ";list=red;list=green;list=blue"),
        ("{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"),
        ("{;keys*}", ";semi=%3B;dot=.;comma=%2C"),
        ("{?var:3}", "?var=val"),
        ("{?list}", "?list=red,green,blue"),
        ("{?list*}", "?list=red&list=green&list=blue"),
        ("{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"),
        ("{?keys*}", "?semi=%3B&dot=.&comma=%2C"),
        ("{&var:3}", "&var=val"),
        ("{&list}", "&list=red,green,blue"),
        ("{&list*}", "&list=red&list=green&list=blue"),
        ("{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"),
        ("{&keys*}", "&semi=%3B&dot=.&comma=%2C"),
    ]);
}

// ------------------------------------------------------------------------------------------
// RFC 6570 section 3.2
// ------------------------------------------------------------------------------------------

#[test]
fn rfc_3_2_1_variable_expansion() {
    check_expansions(&[
        ("{count}", "one,two,three"),
        ("{count*}", "one,two,three"),
        ("{/count}", "/one,two,three"),
        ("{/count*}", "/one/two/three"),
        ("{;count}", ";count=one,two,three"),
        ("{;count*}", ";count=one;count=two;count=three"),
        ("{?count}", "?count=one,two,three"),
        ("{?count*}", "?count=one&count=two&count=three"),
        ("{&count*}", "&count=one&count=two&count=three"),
    ]);
}

#[test]
fn rfc_3_2_2_simple_string_expansion() {
    check_expansions(&[
        ("{var}", "value"),
        ("{hello}", "Hello%20World%21"),
        ("{half}", "50%25"),
        ("O{empty}X", "OX"),
        ("O{undef}X", "OX"),
        ("{x,y}", "1024,768"),
        ("{x,hello,y}", "1024,Hello%20World%21,768"),
        ("?{x,empty}", "?1024,"),
        ("?{x,undef}", "?1024"),
        ("?{undef,y}", "?768"),
        ("{var:3}", "val"),
        ("{var:30}", "value"),
        ("{list}", "red,green,blue"),
        ("{list*}", "red,green,blue"),
        ("{keys}", "semi,%3B,dot,.,comma,%2C"),
        ("{keys*}", "semi=%3B,dot=.,comma=%2C"),
    ]);
}

#[test]
fn rfc_3_2_3_reserved_expansion() {
    check_expansions(&[
        ("{+var}", "value"),
        ("{+hello}", "Hello%20World!"),
        ("{+half}", "50%25"),
        ("{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"),
        ("{+base}index", "http://example.com/home/index"),
        ("O{+empty}X", "OX"),
        ("O{+undef}X", "OX"),
        ("{+path}/here", "/foo/bar/here"),
        ("here?ref={+path}", "here?ref=/foo/bar"),
        ("up{+path}{var}/here", "up/foo/barvalue/here"),
        ("{+x,hello,y}", "1024,Hello%20World!,768"),
        ("{+path,x}/here", "/foo/bar,1024/here"),
        ("{+path:6}/here", "/foo/b/here"),
        ("{+list}", "red,green,blue"),
        ("{+list*}", "red,green,blue"),
        ("{+keys}", "semi,;,dot,.,comma,,"),
        ("{+keys*}", "semi=;,dot=.,comma=,"),
    ]);
}

#[test]
fn rfc_3_2_4_fragment_expansion() {
    check_expansions(&[
        ("{#var}", "#value"),
        ("{#hello}", "#Hello%20World!"),
        ("{#half}", "#50%25"),
        ("foo{#empty}", "foo#"),
        ("foo{#undef}", "foo"),
        ("{#x,hello,y}", "#1024,Hello%20World!,768"),
        ("{#path,x}/here", "#/foo/bar,1024/here"),
        ("{#path:6}/here", "#/foo/b/here"),
        ("{#list}", "#red,green,blue"),
        ("{#list*}", "#red,green,blue"),
        ("{#keys}", "#semi,;,dot,.,comma,,"),
        ("{#keys*}", "#semi=;,dot=.,comma=,"),
    ]);
}

#[test]
fn rfc_3_2_5_label_expansion() {
    check_expansions(&[
        ("{.who}", ".fred"),
        ("{.who,who}", ".fred.fred"),
        ("{.half,who}", ".50%25.fred"),
        ("www{.dom*}", "www.example.com"),
        ("X{.var}", "X.value"),
        ("X{.empty}", "X."),
        ("X{.undef}", "X"),
        ("X{.var:3}", "X.val"),
        ("X{.list}", "X.red,green,blue"),
        ("X{.list*}", "X.red.green.blue"),
        ("X{.keys}", "X.semi,%3B,dot,.,comma,%2C"),
        ("X{.keys*}", "X.semi=%3B.dot=..comma=%2C"),
        ("X{.empty_keys}", "X"),
        ("X{.empty_keys*}", "X"),
    ]);
}

#[test]
fn rfc_3_2_6_path_segment_expansion() {
    check_expansions(&[
        ("{/who}", "/fred"),
        ("{/who,who}", "/fred/fred"),
        ("{/half,who}", "/50%25/fred"),
        ("{/who,dub}", "/fred/me%2Ftoo"),
        ("{/var}", "/value"),
        ("{/var,empty}", "/value/"),
        ("{/var,undef}", "/value"),
        ("{/var,x}/here", "/value/1024/here"),
        ("{/var:1,var}", "/v/value"),
        ("{/list}", "/red,green,blue"),
        ("{/list*}", "/red/green/blue"),
        ("{/list*,path:4}", "/red/green/blue/%2Ffoo"),
        ("{/keys}", "/semi,%3B,dot,.,comma,%2C"),
        ("{/keys*}", "/semi=%3B/dot=./comma=%2C"),
    ]);
}

#[test]
fn rfc_3_2_7_path_style_parameter_expansion() {
    check_expansions(&[
        ("{;who}", ";who=fred"),
        ("{;half}", ";half=50%25"),
        ("{;empty}", ";empty"),
        ("{;v,empty,who}", ";v=6;empty;who=fred"),
        ("{;v,bar,who}", ";v=6;who=fred"),
        ("{;x,y}", ";x=1024;y=768"),
        ("{;x,y,empty}", ";x=1024;y=768;empty"),
        ("{;x,y,undef}", ";x=1024;y=768"),
        ("{;hello:5}", ";hello=Hello"),
        ("{;list}", ";list=red,green,blue"),
        ("{;list*}", ";list=red;list=green;list=blue"),
        ("{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"),
        ("{;keys*}", ";semi=%3B;dot=.;comma=%2C"),
    ]);
}

#[test]
fn rfc_3_2_8_form_style_query_expansion() {
    check_expansions(&[
        ("{?who}", "?who=fred"),
        ("{?half}", "?half=50%25"),
        ("{?x,y}", "?x=1024&y=768"),
        ("{?x,y,empty}", "?x=1024&y=768&empty="),
        ("{?x,y,undef}", "?x=1024&y=768"),
        ("{?var:3}", "?var=val"),
        ("{?list}", "?list=red,green,blue"),
        ("{?list*}", "?list=red&list=green&list=blue"),
        ("{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"),
        ("{?keys*}", "?semi=%3B&dot=.&comma=%2C"),
    ]);
}

#[test]
fn rfc_3_2_9_form_style_query_continuation() {
    check_expansions(&[
        ("{&who}", "&who=fred"),
        ("{&half}", "&half=50%25"),
        ("?fixed=yes{&x}", "?fixed=yes&x=1024"),
        ("{&x,y,empty}", "&x=1024&y=768&empty="),
        ("{&var:3}", "&var=val"),
        ("{&list}", "&list=red,green,blue"),
        ("{&list*}", "&list=red&list=green&list=blue"),
        ("{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"),
        ("{&keys*}", "&semi=%3B&dot=.&comma=%2C"),
    ]);
}

// ------------------------------------------------------------------------------------------
// Other expansion details
// ------------------------------------------------------------------------------------------

#[test]
fn expansion_encoding_details() {
    let vars: HashMap<String, Value> = [
        ("u", s("café/日本")),
        ("pct", s("a%20b%zz%4")),
        ("emoji", s("😀x")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let cases = [
        // Non-ASCII is encoded as UTF-8 octets.
        ("{u}", "caf%C3%A9%2F%E6%97%A5%E6%9C%AC"),
        ("{+u}", "caf%C3%A9/%E6%97%A5%E6%9C%AC"),
        // Triplets survive `+` and `#`, a lone `%` never does.
        ("{pct}", "a%2520b%25zz%254"),
        ("{+pct}", "a%20b%25zz%254"),
        ("{#pct}", "#a%20b%25zz%254"),
        // Prefixes count characters, not bytes, and never split a triplet under `+`.
        ("{emoji:1}", "%F0%9F%98%80"),
        ("{+pct:2}", "a%20"),
        // Literals that are not allowed in a URI are encoded, triplets are kept.
        ("a b%20c{u:1}", "a%20b%20cc"),
        ("日{+u:4}", "%E6%97%A5caf%C3%A9"),
    ];
    for (template, expected) in cases {
        let t = UriTemplate::parse(template).unwrap();
        assert_eq!(t.expand_map(&vars), expected, "template {template}");
    }
}

#[test]
fn template_accessors() {
    let t = UriTemplate::parse("api://{a}/{b}{?a,c}{#b}").unwrap();
    assert_eq!(t.as_str(), "api://{a}/{b}{?a,c}{#b}");
    assert_eq!(t.to_string(), t.as_str());
    assert_eq!(t.variables().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert!(!t.is_literal());
    let lit: UriTemplate = "file:///etc/hosts".parse().unwrap();
    assert!(lit.is_literal());
    assert_eq!(lit.variables().count(), 0);
    assert_eq!(lit.expand(|_| None), "file:///etc/hosts");
    assert!(lit.match_uri("file:///etc/hosts").unwrap().is_empty());
    assert!(lit.match_uri("file:///etc/host").is_none());
    assert!(lit.match_uri("file:///etc/hosts/").is_none());
    assert_eq!(
        UriTemplate::try_from("x{y}").unwrap(),
        "x{y}".parse().unwrap()
    );
    assert!(UriTemplate::parse("").unwrap().is_literal());
    assert!(UriTemplate::parse("").unwrap().match_uri("").is_some());
    // Valid but unusual names.
    let t = UriTemplate::parse("{%41b,a.b.c,_1}").unwrap();
    assert_eq!(t.variables().collect::<Vec<_>>(), ["%41b", "a.b.c", "_1"]);
    assert!(UriTemplate::parse("{a:9999}").is_ok());
    // Templates are shared between tasks.
    fn send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    send_sync::<UriTemplate>();
    send_sync::<Captures>();
    send_sync::<TemplateError>();
}

// ------------------------------------------------------------------------------------------
// Parse errors
// ------------------------------------------------------------------------------------------

#[test]
fn parse_errors_name_the_problem_and_offset() {
    use TemplateErrorKind as K;
    let cases: &[(&str, TemplateErrorKind, usize)] = &[
        ("db://users/{id", K::UnclosedExpression, 11),
        ("{a}{", K::UnclosedExpression, 3),
        ("a}b", K::UnmatchedClosingBrace, 1),
        ("x{}", K::EmptyExpression, 1),
        ("{+}", K::EmptyVariableName, 2),
        ("{a,}", K::EmptyVariableName, 3),
        ("{a,,b}", K::EmptyVariableName, 3),
        ("{,a}", K::ReservedOperator(','), 1),
        ("{=a}", K::ReservedOperator('='), 1),
        ("{!a}", K::ReservedOperator('!'), 1),
        ("{@a}", K::ReservedOperator('@'), 1),
        ("{|a}", K::ReservedOperator('|'), 1),
        ("{$a}", K::InvalidVariableChar('$'), 1),
        ("{a b}", K::InvalidVariableChar(' '), 2),
        ("{a-b}", K::InvalidVariableChar('-'), 2),
        ("{a{b}", K::InvalidVariableChar('{'), 2),
        ("x{é}", K::InvalidVariableChar('é'), 2),
        ("{.a..b}", K::InvalidVariableChar('.'), 4),
        ("{a.}", K::InvalidVariableChar('.'), 2),
        ("{%4}", K::InvalidPercentEncoding, 1),
        ("{a%zz}", K::InvalidPercentEncoding, 2),
        ("{a:}", K::InvalidPrefix, 2),
        ("{a:0}", K::InvalidPrefix, 2),
        ("{a:01}", K::InvalidPrefix, 2),
        ("{a:10000}", K::InvalidPrefix, 2),
        ("{a:x}", K::InvalidPrefix, 2),
        ("{a:3*}", K::PrefixWithExplode, 4),
        ("{a*:3}", K::PrefixWithExplode, 3),
        ("{a*b}", K::UnexpectedChar('b'), 3),
        ("{a:3b}", K::UnexpectedChar('b'), 4),
    ];
    for (template, kind, offset) in cases {
        let err = UriTemplate::parse(template).expect_err(template);
        assert_eq!(err.kind(), kind, "template {template}: {err}");
        assert_eq!(err.offset(), *offset, "template {template}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("at byte {offset}")),
            "{template}: {message}"
        );
    }
    let message = UriTemplate::parse("{a:3*}").unwrap_err().to_string();
    assert!(
        message.contains("prefix") && message.contains("explode"),
        "{message}"
    );
    let message = UriTemplate::parse("{!a}").unwrap_err().to_string();
    assert!(
        message.contains("'!'") && message.contains("reserved"),
        "{message}"
    );
    let message = UriTemplate::parse("x{a").unwrap_err().to_string();
    assert!(message.contains("unclosed"), "{message}");
    let err: Box<dyn std::error::Error> = Box::new(UriTemplate::parse("{}").unwrap_err());
    assert!(err.to_string().contains("empty expression"));
}

// ------------------------------------------------------------------------------------------
// Matching
// ------------------------------------------------------------------------------------------

fn m(template: &str, uri: &str) -> Option<Captures> {
    UriTemplate::parse(template)
        .unwrap_or_else(|e| panic!("{template}: {e}"))
        .match_uri(uri)
}

fn pairs(c: &Captures) -> Vec<(String, Value)> {
    c.iter().map(|(n, v)| (n.to_owned(), v.clone())).collect()
}

fn strings(c: &Captures) -> Vec<(&str, &str)> {
    c.iter()
        .map(|(n, v)| (n, v.as_str().expect("string value")))
        .collect()
}

#[test]
fn match_simple_variables() {
    let c = m("db://users/{user_id}", "db://users/42").unwrap();
    assert_eq!(c.get("user_id"), Some("42"));
    assert_eq!(c.len(), 1);
    assert!(!c.is_empty());
    assert!(c.contains("user_id"));
    assert_eq!(c.get("other"), None);
    assert_eq!(c.get_list("user_id"), None);

    let t = "api://weather/{city}/{date}";
    let c = m(t, "api://weather/Paris/2025-01-31").unwrap();
    assert_eq!(strings(&c), [("city", "Paris"), ("date", "2025-01-31")]);
    let c = m(t, "api://weather/New%20York/2025-01-31").unwrap();
    assert_eq!(c.get("city"), Some("New York"));
    let c = m(t, "api://weather/S%C3%A3o%20Paulo/today").unwrap();
    assert_eq!(c.get("city"), Some("São Paulo"));
    // Raw non-ASCII (IRI) characters are accepted as they are.
    assert_eq!(
        m(t, "api://weather/Zürich/x").unwrap().get("city"),
        Some("Zürich")
    );

    let c = m("test://template/{id}/data", "test://template/123/data").unwrap();
    assert_eq!(c.get("id"), Some("123"));
    // An encoded slash decodes into the value; a raw one is never part of it.
    let c = m("db://users/{user_id}", "db://users/a%2Fb").unwrap();
    assert_eq!(c.get("user_id"), Some("a/b"));
    // Reserved characters other than / ? # are accepted raw.
    let c = m("db://users/{user_id}", "db://users/a:b@c;d=e&f,g").unwrap();
    assert_eq!(c.get("user_id"), Some("a:b@c;d=e&f,g"));
}

#[test]
fn match_simple_non_matches() {
    let t = "db://users/{user_id}";
    for uri in [
        "http://users/42",     // wrong scheme
        "DB://users/42",       // literals are case-sensitive
        "db://users/42/posts", // extra trailing segment
        "db://users/42/",      // extra trailing slash
        "db://users/",         // empty variable where a value is required
        "db://users",          // missing literal
        "db://users/42?x=1",   // a query is not part of a `{var}`
        "db://users/42#frag",  // nor is a fragment
        "db://users/%zz",      // bad percent escape
        "db://users/%4",       // truncated escape
        "db://users/4%",       // truncated escape
        "db://users/%C3%28",   // decodes to invalid UTF-8
        "db://users/%FF",      // decodes to invalid UTF-8
        "",
    ] {
        assert!(m(t, uri).is_none(), "{t} should not match {uri}");
    }
    assert!(m("test://template/{id}/data", "test://template/123/data/x").is_none());
    assert!(m("test://template/{id}/data", "test://template//data").is_none());
    assert!(m("test://template/{id}/data", "test://template/1/2/data").is_none());
}

#[test]
fn match_reserved_paths() {
    let t = "file://{+path}";
    assert_eq!(
        m(t, "file://notes/a.txt").unwrap().get("path"),
        Some("notes/a.txt")
    );
    // Returned verbatim: confinement is the caller's job.
    assert_eq!(
        m(t, "file://a/b/../c").unwrap().get("path"),
        Some("a/b/../c")
    );
    assert_eq!(m(t, "file://%2e%2e/x").unwrap().get("path"), Some("../x"));
    assert_eq!(
        m(t, "file:///etc/passwd").unwrap().get("path"),
        Some("/etc/passwd")
    );
    assert_eq!(
        m(t, "file://a%20b/c,d").unwrap().get("path"),
        Some("a b/c,d")
    );
    assert!(m(t, "file://").is_none());
    assert!(m(t, "file://a%2").is_none());
    assert!(m(t, "file://a#b").is_none());
    // `+` may span `?` when nothing else claims it.
    assert_eq!(m(t, "file://a?b=c").unwrap().get("path"), Some("a?b=c"));
    // ... but a following query expression takes it.
    let c = m("file://{+path}{?rev}", "file://a/b?rev=3").unwrap();
    assert_eq!(strings(&c), [("path", "a/b"), ("rev", "3")]);
    let c = m("file://{+path}{#line}", "file://a/b#L10").unwrap();
    assert_eq!(strings(&c), [("path", "a/b"), ("line", "L10")]);
    // Leftmost-shortest: the literal after the expression ends it as early as possible.
    let c = m("src://{+dir}/{file}", "src://a/b/c.rs").unwrap();
    assert_eq!(strings(&c), [("dir", "a/b"), ("file", "c.rs")]);
    let c = m("x://{+a}/data", "x://p/data/q/data").unwrap();
    assert_eq!(c.get("a"), Some("p/data/q"));
}

#[test]
fn match_path_segments() {
    let t = "repo://{owner}/tree{/segments*}";
    let c = m(t, "repo://me/tree/src/lib.rs").unwrap();
    assert_eq!(c.get("owner"), Some("me"));
    assert_eq!(c.get_list("segments").unwrap(), ["src", "lib.rs"]);
    assert_eq!(c.get("segments"), None);
    let c = m(t, "repo://me/tree/a%2Fb/c%20d").unwrap();
    assert_eq!(c.get_list("segments").unwrap(), ["a/b", "c d"]);
    let c = m(t, "repo://me/tree/only").unwrap();
    assert_eq!(c.get_list("segments").unwrap(), ["only"]);
    // Undefined list: the whole expression is absent.
    let c = m(t, "repo://me/tree").unwrap();
    assert!(!c.contains("segments"));
    assert_eq!(c.len(), 1);
    // Empty segments are kept.
    let c = m(t, "repo://me/tree/a//b/").unwrap();
    assert_eq!(c.get_list("segments").unwrap(), ["a", "", "b", ""]);
    assert!(m(t, "repo://me/tree/a?x").is_none());
    assert!(m(t, "repo://me/trees/a").is_none());

    // Non-exploded: exactly one segment per variable.
    let t = "api{/version}{/resource}";
    let c = m(t, "api/v1/users").unwrap();
    assert_eq!(strings(&c), [("version", "v1"), ("resource", "users")]);
    let c = m(t, "api/v1").unwrap();
    assert_eq!(strings(&c), [("version", "v1")]);
    assert!(m(t, "api/v1/users/1").is_none());
    let c = m("{/var,x}/here", "/value/1024/here").unwrap();
    assert_eq!(strings(&c), [("var", "value"), ("x", "1024")]);
    let c = m("{/var:1,var}", "/v/value").unwrap();
    assert_eq!(strings(&c), [("var", "value")]);
    assert!(m("{/var:1,var}", "/x/value").is_none());
    assert!(m("{/var:1,var}", "/va/value").is_none());
    // Only a *last* exploded variable takes several items; an earlier one takes exactly one.
    assert!(m("{/list*,path:4}", "/red/green/blue/%2Ffoo").is_none());
    let c = m("{/list*,path:4}", "/red/%2Ffoo").unwrap();
    assert_eq!(c.get_list("list").unwrap(), ["red"]);
    assert_eq!(c.get("path"), Some("/foo"));
}

#[test]
fn match_query_parameters() {
    let t = "search://items{?q,lang}";
    let c = m(t, "search://items?q=rust&lang=en").unwrap();
    assert_eq!(strings(&c), [("q", "rust"), ("lang", "en")]);
    let c = m(t, "search://items?lang=en&q=rust").unwrap();
    assert_eq!(strings(&c), [("q", "rust"), ("lang", "en")]);
    let c = m(t, "search://items?lang=en").unwrap();
    assert_eq!(strings(&c), [("lang", "en")]);
    let c = m(t, "search://items").unwrap();
    assert!(c.is_empty());
    let c = m(t, "search://items?q=a%20b%26c%3Dd&lang=").unwrap();
    assert_eq!(strings(&c), [("q", "a b&c=d"), ("lang", "")]);
    let c = m(t, "search://items?q").unwrap();
    assert_eq!(strings(&c), [("q", "")]);
    // `+` is not a space; raw `/`, `?`, `=` are accepted in values.
    let c = m(t, "search://items?q=a+b/c?d=e").unwrap();
    assert_eq!(c.get("q"), Some("a+b/c?d=e"));
    // Unknown or repeated parameters, bad escapes, fragments: no match.
    assert!(m(t, "search://items?q=1&page=2").is_none());
    assert!(m(t, "search://items?q=1&q=2").is_none());
    assert!(m(t, "search://items?q=%G1").is_none());
    assert!(m(t, "search://items?q=1#top").is_none());
    assert!(m(t, "search://items&q=1").is_none());

    // Continuation, in any order across the group.
    let t = "search://items{?q}{&lang,page}";
    let c = m(t, "search://items?page=2&q=x&lang=fr").unwrap();
    assert_eq!(strings(&c), [("q", "x"), ("lang", "fr"), ("page", "2")]);
    let t = "search://items?fixed=yes{&x}";
    assert_eq!(
        m(t, "search://items?fixed=yes&x=1").unwrap().get("x"),
        Some("1")
    );
    assert!(m(t, "search://items?fixed=yes").unwrap().is_empty());
    assert!(m(t, "search://items?fixed=no&x=1").is_none());

    // Exploded: own-name lists, or the leftover parameters as an associative array.
    let c = m("s://x{?list*}", "s://x?list=red&list=green&list=blue").unwrap();
    assert_eq!(c.get_list("list").unwrap(), ["red", "green", "blue"]);
    let c = m("s://x{?keys*}", "s://x?semi=%3B&dot=.&comma=%2C").unwrap();
    assert_eq!(
        c.get_value("keys"),
        Some(&assoc(&[("semi", ";"), ("dot", "."), ("comma", ",")]))
    );
    let c = m("s://x{?q,filters*}", "s://x?color=red&q=shoes&size=42").unwrap();
    assert_eq!(c.get("q"), Some("shoes"));
    assert_eq!(
        c.get_assoc("filters").unwrap(),
        [
            ("color".to_owned(), "red".to_owned()),
            ("size".to_owned(), "42".to_owned())
        ]
    );
    // Non-exploded lists come back as one string.
    let c = m("s://x{?list}", "s://x?list=red,green,blue").unwrap();
    assert_eq!(c.get("list"), Some("red,green,blue"));
    // Prefix limits are enforced.
    assert_eq!(
        m("s://x{?var:3}", "s://x?var=val").unwrap().get("var"),
        Some("val")
    );
    assert!(m("s://x{?var:3}", "s://x?var=value").is_none());
}

#[test]
fn match_path_parameters() {
    let t = "map://tiles{;x,y,empty}";
    let c = m(t, "map://tiles;x=1024;y=768;empty").unwrap();
    assert_eq!(strings(&c), [("x", "1024"), ("y", "768"), ("empty", "")]);
    let c = m(t, "map://tiles;y=768;x=1024").unwrap();
    assert_eq!(strings(&c), [("x", "1024"), ("y", "768")]);
    assert!(m(t, "map://tiles;z=1").is_none());
    assert!(m(t, "map://tiles;x=1/2").is_none());
    let c = m("{;list*}", ";list=red;list=green;list=blue").unwrap();
    assert_eq!(c.get_list("list").unwrap(), ["red", "green", "blue"]);
    let c = m("{;keys*}", ";semi=%3B;dot=.;comma=%2C").unwrap();
    assert_eq!(
        c.get_value("keys"),
        Some(&assoc(&[("semi", ";"), ("dot", "."), ("comma", ",")]))
    );
    let c = m("x{;a}/{b}", "x;a=1/2").unwrap();
    assert_eq!(strings(&c), [("a", "1"), ("b", "2")]);
}

#[test]
fn match_fragment_and_label() {
    let t = "doc://{id}{#section}";
    let c = m(t, "doc://readme#install").unwrap();
    assert_eq!(strings(&c), [("id", "readme"), ("section", "install")]);
    let c = m(t, "doc://readme").unwrap();
    assert_eq!(strings(&c), [("id", "readme")]);
    let c = m(t, "doc://readme#").unwrap();
    assert_eq!(strings(&c), [("id", "readme"), ("section", "")]);
    let c = m(t, "doc://readme#a/b?c,d%20e").unwrap();
    assert_eq!(c.get("section"), Some("a/b?c,d e"));
    let c = m("X{#x,hello,y}", "X#1024,Hello%20World!,768").unwrap();
    assert_eq!(
        strings(&c),
        [("x", "1024"), ("hello", "Hello World!"), ("y", "768")]
    );

    let t = "file://{name}{.ext}";
    let c = m(t, "file://report.pdf").unwrap();
    assert_eq!(strings(&c), [("name", "report"), ("ext", "pdf")]);
    let c = m(t, "file://archive.tar.gz").unwrap();
    assert_eq!(strings(&c), [("name", "archive.tar"), ("ext", "gz")]);
    let c = m(t, "file://README").unwrap();
    assert_eq!(strings(&c), [("name", "README")]);
    let c = m("www{.dom*}", "www.example.com").unwrap();
    assert_eq!(c.get_list("dom").unwrap(), ["example", "com"]);
    let c = m("X{.x,y}", "X.1024.768").unwrap();
    assert_eq!(strings(&c), [("x", "1024"), ("y", "768")]);
    assert!(m("X{.x,y}", "X.1.2.3").is_none());
    let c = m("X{.empty}", "X.").unwrap();
    assert_eq!(strings(&c), [("empty", "")]);
}

#[test]
fn match_multi_variable_and_ambiguity_rules() {
    // Values are assigned left to right; the last one takes the remainder.
    let c = m("map?{x,y}", "map?1024,768").unwrap();
    assert_eq!(strings(&c), [("x", "1024"), ("y", "768")]);
    let c = m("map?{x,y}", "map?1024").unwrap();
    assert_eq!(strings(&c), [("x", "1024")]);
    let c = m("map?{x,y}", "map?1024,").unwrap();
    assert_eq!(strings(&c), [("x", "1024"), ("y", "")]);
    let c = m("map?{x,y}", "map?1,2,3").unwrap();
    assert_eq!(strings(&c), [("x", "1"), ("y", "2,3")]);
    assert!(m("map?{x,y}", "map?,768").is_none());
    let c = m("{var}", "a,b").unwrap();
    assert_eq!(c.get("var"), Some("a,b"));
    let c = m("{x,list*}", "1024,red,green").unwrap();
    assert_eq!(c.get("x"), Some("1024"));
    assert_eq!(c.get_list("list").unwrap(), ["red", "green"]);
    let c = m("{keys*}", "semi=%3B,dot=.,comma=%2C").unwrap();
    assert_eq!(
        c.get_value("keys"),
        Some(&assoc(&[("semi", ";"), ("dot", "."), ("comma", ",")]))
    );
    let c = m("{list*}", "red,green,blue").unwrap();
    assert_eq!(c.get_list("list").unwrap(), ["red", "green", "blue"]);

    // Adjacent variables: leftmost-shortest.
    let c = m("x://{a}{b}", "x://xyz").unwrap();
    assert_eq!(strings(&c), [("a", "x"), ("b", "yz")]);
    assert!(m("x://{a}{b}", "x://x").is_none());
    let c = m("x://{a}.{b}", "x://x.y.z").unwrap();
    assert_eq!(strings(&c), [("a", "x"), ("b", "y.z")]);
    let c = m("x://{a}-{b}", "x://2025-01-31").unwrap();
    assert_eq!(strings(&c), [("a", "2025"), ("b", "01-31")]);
    // A multi-byte character is never split between variables.
    let c = m("x://{a}{b}", "x://éü").unwrap();
    assert_eq!(strings(&c), [("a", "é"), ("b", "ü")]);
    // Optional expressions are preferred present.
    let c = m("{/a}{/b}", "/x").unwrap();
    assert_eq!(strings(&c), [("a", "x")]);
    let c = m("{/a,b}{/c}", "/1/2").unwrap();
    assert_eq!(strings(&c), [("a", "1"), ("b", "2")]);

    // Repeated variables must agree.
    let c = m("x://{id}/{id}", "x://7/7").unwrap();
    assert_eq!(strings(&c), [("id", "7")]);
    assert!(m("x://{id}/{id}", "x://7/8").is_none());
    let c = m("x://{var:3}/{var}", "x://val/value").unwrap();
    assert_eq!(strings(&c), [("var", "value")]);
    assert!(m("x://{var:3}/{var}", "x://vax/value").is_none());
    let c = m("x://{var:3}", "x://va").unwrap();
    assert_eq!(strings(&c), [("var", "va")]);
    assert!(m("x://{var:3}", "x://valu").is_none());
    // A prefix counts decoded characters.
    assert!(m("x://{var:1}", "x://%C3%A9").is_some());
}

#[test]
fn match_literals_as_written_or_encoded() {
    let t = "notes://日記/{id}";
    assert_eq!(m(t, "notes://日記/1").unwrap().get("id"), Some("1"));
    assert_eq!(
        m(t, "notes://%E6%97%A5%E8%A8%98/1").unwrap().get("id"),
        Some("1")
    );
    assert!(m(t, "notes://%e6%97%a5%e8%a8%98/1").is_none());
    let t = "x://a b/{id}";
    assert!(m(t, "x://a%20b/1").is_some());
    assert!(m(t, "x://a b/1").is_some());
    assert!(m(t, "x://a+b/1").is_none());
}

#[test]
fn captures_api() {
    let c = m("x://{a}{/b*}{?c*}", "x://1/p/q?k=v").unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(
        pairs(&c),
        [
            ("a".to_owned(), s("1")),
            ("b".to_owned(), list(&["p", "q"])),
            ("c".to_owned(), assoc(&[("k", "v")])),
        ]
    );
    let names: Vec<&str> = (&c).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(c.iter().len(), 3);
    assert_eq!(
        c.get_assoc("c").unwrap(),
        [("k".to_owned(), "v".to_owned())]
    );
    assert_eq!(c.get_assoc("a"), None);
    let map = c.clone().into_map();
    assert_eq!(map.len(), 3);
    assert_eq!(map["b"], list(&["p", "q"]));
    let owned: Vec<(String, Value)> = c.into_iter().collect();
    assert_eq!(owned.len(), 3);
}

// ------------------------------------------------------------------------------------------
// Round trips: match_uri(expand(v)) == v
// ------------------------------------------------------------------------------------------

/// A small deterministic generator (64-bit LCG, high bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// A string of `min..=max` characters drawn from `alphabet`.
    fn string(&mut self, alphabet: &[char], min: usize, max: usize) -> String {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

/// Every kind of character: unreserved, reserved, `%`, space, non-ASCII.
const ANY: &[char] = &[
    'a', 'Z', '0', '9', '-', '.', '_', '~', ':', '/', '?', '#', '[', ']', '@', '!', '$', '&', '\'',
    '(', ')', '*', '+', ',', ';', '=', '%', ' ', '"', '<', '\\', '^', '`', '{', '|', 'é', '日',
    '😀',
];

fn without(chars: &[char]) -> Vec<char> {
    ANY.iter().copied().filter(|c| !chars.contains(c)).collect()
}

type Generator = fn(&mut Rng) -> HashMap<String, Value>;

fn vars(entries: Vec<(&str, Option<Value>)>) -> HashMap<String, Value> {
    entries
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
}

#[test]
fn round_trips() {
    let cases: &[(&str, Generator)] = &[
        ("db://users/{user_id}", |r| {
            vars(vec![("user_id", Some(Value::String(r.string(ANY, 1, 12))))])
        }),
        ("api://weather/{city}/{date}", |r| {
            vars(vec![
                ("city", Some(Value::String(r.string(ANY, 1, 10)))),
                ("date", Some(Value::String(r.string(ANY, 1, 10)))),
            ])
        }),
        ("file://{+path}", |r| {
            // `+` keeps reserved characters: `#` ends the value and triplets would be decoded.
            let alphabet = without(&['#', '%']);
            vars(vec![(
                "path",
                Some(Value::String(r.string(&alphabet, 1, 16))),
            )])
        }),
        ("file://{+path}{?rev}", |r| {
            let alphabet = without(&['#', '%', '?']);
            let rev = (!r.chance(3)).then(|| Value::String(r.string(ANY, 0, 6)));
            vars(vec![
                ("path", Some(Value::String(r.string(&alphabet, 1, 16)))),
                ("rev", rev),
            ])
        }),
        ("repo://{owner}/tree{/segments*}", |r| {
            let segments = (0..r.below(5))
                .map(|_| r.string(ANY, 0, 6))
                .collect::<Vec<_>>();
            vars(vec![
                ("owner", Some(Value::String(r.string(ANY, 1, 8)))),
                (
                    "segments",
                    (!segments.is_empty()).then_some(Value::List(segments)),
                ),
            ])
        }),
        ("search://items{?q,lang,page}", |r| {
            let opt = |r: &mut Rng| (!r.chance(3)).then(|| Value::String(r.string(ANY, 0, 8)));
            vars(vec![("q", opt(r)), ("lang", opt(r)), ("page", opt(r))])
        }),
        ("search://items{?q}{&tags*}", |r| {
            let tags = (0..r.below(4))
                .map(|_| r.string(ANY, 0, 5))
                .collect::<Vec<_>>();
            vars(vec![
                ("q", Some(Value::String(r.string(ANY, 0, 8)))),
                ("tags", (!tags.is_empty()).then_some(Value::List(tags))),
            ])
        }),
        ("kv://x{?filters*}", |r| {
            // Keys must not collide with the variable's own name.
            let filters = (0..r.below(4))
                .map(|i| (format!("k{i}{}", r.string(ANY, 0, 3)), r.string(ANY, 0, 5)))
                .collect::<Vec<_>>();
            vars(vec![(
                "filters",
                (!filters.is_empty()).then_some(Value::Assoc(filters)),
            )])
        }),
        ("tiles://{z}/{x}/{y}{.fmt}", |r| {
            let fmt = (!r.chance(4)).then(|| Value::String(r.string(&without(&['.']), 0, 4)));
            vars(vec![
                ("z", Some(Value::String(r.below(20).to_string()))),
                ("x", Some(Value::String(r.string(ANY, 1, 5)))),
                ("y", Some(Value::String(r.string(&without(&['.']), 1, 5)))),
                ("fmt", fmt),
            ])
        }),
        ("file://{name}{.ext}", |r| {
            // `.` is unreserved: the name may contain dots, the extension may not.
            vars(vec![
                ("name", Some(Value::String(r.string(ANY, 1, 10)))),
                ("ext", Some(Value::String(r.string(&without(&['.']), 0, 4)))),
            ])
        }),
        ("mail://{user}@{host}", |r| {
            vars(vec![
                ("user", Some(Value::String(r.string(ANY, 1, 8)))),
                ("host", Some(Value::String(r.string(ANY, 1, 8)))),
            ])
        }),
        ("doc://{id}{#section}", |r| {
            let section = (!r.chance(3)).then(|| Value::String(r.string(&without(&['%']), 0, 8)));
            vars(vec![
                ("id", Some(Value::String(r.string(ANY, 1, 6)))),
                ("section", section),
            ])
        }),
        ("pt://p{;a,b}{/rest*}", |r| {
            let opt = |r: &mut Rng| (!r.chance(3)).then(|| Value::String(r.string(ANY, 0, 5)));
            let rest = (0..r.below(3))
                .map(|_| r.string(ANY, 1, 4))
                .collect::<Vec<_>>();
            vars(vec![
                ("a", opt(r)),
                ("b", opt(r)),
                ("rest", (!rest.is_empty()).then_some(Value::List(rest))),
            ])
        }),
        ("csv://{x,y}", |r| {
            let y = (!r.chance(3)).then(|| Value::String(r.string(ANY, 0, 6)));
            vars(vec![
                ("x", Some(Value::String(r.string(ANY, 1, 6)))),
                ("y", y),
            ])
        }),
        ("ver://{/v,id}", |r| {
            let id = (!r.chance(3)).then(|| Value::String(r.string(ANY, 0, 6)));
            vars(vec![
                ("v", Some(Value::String(r.string(ANY, 0, 6)))),
                ("id", id),
            ])
        }),
        ("pre://{name:3}/{name}", |r| {
            vars(vec![("name", Some(Value::String(r.string(ANY, 1, 6))))])
        }),
        ("list://{items*}", |r| {
            // `{items*}` requires a first character; `=` is always encoded, so the items never
            // read back as an associative array.
            let items = (0..1 + r.below(4))
                .map(|i| r.string(ANY, usize::from(i == 0), 5))
                .collect();
            vars(vec![("items", Some(Value::List(items)))])
        }),
        ("lit://a b/日/{id}", |r| {
            vars(vec![("id", Some(Value::String(r.string(ANY, 1, 6))))])
        }),
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut checked = 0;
    for (template, generate) in cases {
        let t = UriTemplate::parse(template).unwrap();
        for _ in 0..300 {
            let values = generate(&mut rng);
            let uri = t.expand_map(&values);
            let captures = t.match_uri(&uri).unwrap_or_else(|| {
                panic!("{template} with {values:?} gave {uri}, which does not match")
            });
            assert_eq!(
                captures.into_map(),
                values,
                "{template}: {uri} did not round-trip"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, cases.len() * 300);
}

// ------------------------------------------------------------------------------------------
// Hostile input
// ------------------------------------------------------------------------------------------

#[test]
fn hostile_input_is_linear() {
    let templates = [
        "x://{a}{b}{c}{d}/end",
        "x://{a},{b},{c},{d}!",
        "file://{+path}/data/{id}.json",
        "{+a}{+b}{+c}{/d*}{/e*}{/f}x",
        "x://{a}.{b}.{c}{.d*}",
        "q://x{?a,b,c*}{&d}#z",
        "{#a,b,c}{;x,y}!",
        "x://{a}{.b}{/c}{;d}{?e}{#f}",
    ];
    let unit_inputs = ["a", "a,", "a.", "a/", "/data/", "a=b&", ";a=", "%2", "é"];
    for template in templates {
        let t = UriTemplate::parse(template).unwrap();
        for unit in unit_inputs {
            let mut uri = String::from("x://");
            while uri.len() < 100_000 {
                uri.push_str(unit);
            }
            // Only that it finishes (a backtracking matcher would not); the result is irrelevant.
            let _ = t.match_uri(&uri);
            uri.push_str("/end");
            let _ = t.match_uri(&uri);
        }
    }
    // A long URI that does match.
    let t = UriTemplate::parse("file://{+path}/data/{id}.json").unwrap();
    let mut uri = String::from("file://");
    for _ in 0..20_000 {
        uri.push_str("a/data/");
    }
    uri.push_str("7.json");
    let c = t.match_uri(&uri).unwrap();
    assert_eq!(c.get("id"), Some("7"));
    assert_eq!(c.get("path").unwrap().len(), 20_000 * 7 - 6);
}
