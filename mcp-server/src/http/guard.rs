//! Header checks: Host and Origin allow-lists, Accept and Content-Type.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

/// The host part of an authority (`host[:port]`, `[v6][:port]`), as written.
fn host_of(authority: &str) -> &str {
    let authority = authority.trim();
    if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => authority,
        }
    }
}

/// Whether a `Host` header value names an allowed host (any port, any case).
pub(crate) fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host_of(host);
    allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Whether an `Origin` header value is allowed: an entry equal to the whole origin
/// (`https://app.example.com`), or to its host (any scheme and port).
pub(crate) fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    let origin = origin.trim();
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = host_of(authority);
    allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Whether the `Accept` header accepts both `application/json` and `text/event-stream` (what a
/// POST needs), in one pass over its items.
pub(crate) fn accepts_json_and_sse(headers: &HeaderMap) -> bool {
    let (mut json, mut sse) = (false, false);
    for value in headers.get_all(ACCEPT) {
        // What clients send, settled without splitting.
        if value.as_bytes() == b"application/json, text/event-stream" {
            return true;
        }
        for item in value.as_bytes().split(|&b| b == b',') {
            let media = item
                .split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            if media == b"*/*" {
                return true;
            }
            json |= media.eq_ignore_ascii_case(b"application/json")
                || media.eq_ignore_ascii_case(b"application/*");
            sse |= media.eq_ignore_ascii_case(b"text/event-stream")
                || media.eq_ignore_ascii_case(b"text/*");
        }
    }
    json && sse
}

/// Whether the `Accept` header accepts `mime` (exactly, as `type/*`, or as `*/*`).
pub(crate) fn accepts(headers: &HeaderMap, mime: &str) -> bool {
    let main = mime.split('/').next().unwrap_or(mime);
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let media = item.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case(mime)
                || media == "*/*"
                || media
                    .strip_suffix("/*")
                    .is_some_and(|t| t.eq_ignore_ascii_case(main))
        })
}

/// Whether the `Content-Type` is `application/json` (parameters such as `charset` allowed).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    let value = headers.get(CONTENT_TYPE);
    if value.is_some_and(|v| v.as_bytes() == b"application/json") {
        return true;
    }
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<String> {
        vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()]
    }

    #[test]
    fn json_and_sse_in_one_pass_agree_with_accepts() {
        for value in [
            "application/json, text/event-stream",
            "text/event-stream;q=0.9,application/json",
            "*/*",
            "application/*, text/*",
            "application/json",
            "text/event-stream",
            "APPLICATION/JSON , Text/Event-Stream",
            "",
            "application/jsonx, text/event-streams",
        ] {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT, value.parse().unwrap());
            assert_eq!(
                accepts_json_and_sse(&h),
                accepts(&h, "application/json") && accepts(&h, "text/event-stream"),
                "{value}"
            );
        }
    }

    #[test]
    fn hosts_match_any_port() {
        let allowed = list();
        assert!(host_allowed(&allowed, "localhost"));
        assert!(host_allowed(&allowed, "LOCALHOST:8080"));
        assert!(host_allowed(&allowed, "127.0.0.1:3000"));
        assert!(host_allowed(&allowed, "[::1]:3000"));
        assert!(host_allowed(&allowed, "[::1]"));
        assert!(!host_allowed(&allowed, "evil.example.com"));
        assert!(!host_allowed(&allowed, "localhost.evil.com:80"));
        assert!(!host_allowed(&allowed, "127.0.0.1.nip.io"));
    }

    #[test]
    fn origins_match_host_or_whole_origin() {
        let mut allowed = list();
        assert!(origin_allowed(&allowed, "http://localhost:5173"));
        assert!(origin_allowed(&allowed, "http://127.0.0.1"));
        assert!(origin_allowed(&allowed, "http://[::1]:8080"));
        assert!(!origin_allowed(&allowed, "http://evil.example.com"));
        assert!(!origin_allowed(&allowed, "null"));
        assert!(!origin_allowed(
            &allowed,
            "http://localhost@evil.example.com"
        ));
        allowed.push("https://app.example.com".into());
        assert!(origin_allowed(&allowed, "https://app.example.com"));
        assert!(!origin_allowed(&allowed, "http://app.example.com"));
    }

    #[test]
    fn accept_is_lenient_with_wildcards() {
        let mut h = HeaderMap::new();
        assert!(!accepts(&h, "application/json"));
        h.insert(
            ACCEPT,
            "application/json, text/event-stream;q=0.9".parse().unwrap(),
        );
        assert!(accepts(&h, "application/json"));
        assert!(accepts(&h, "text/event-stream"));
        h.insert(ACCEPT, "*/*".parse().unwrap());
        assert!(accepts(&h, "text/event-stream"));
        h.insert(ACCEPT, "text/*".parse().unwrap());
        assert!(accepts(&h, "text/event-stream"));
        assert!(!accepts(&h, "application/json"));
    }
}
