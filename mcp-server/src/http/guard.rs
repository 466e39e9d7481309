//! Header checks: Host and Origin allow-lists, Accept and Content-Type.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

/// The host part of an authority (`host[:port]`, `[v6][:port]`), lowercased.
fn host_of(authority: &str) -> String {
    let authority = authority.trim();
    let host = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => authority,
        }
    };
    host.to_ascii_lowercase()
}

/// Whether a `Host` header value names an allowed host (any port).
pub(crate) fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host_of(host);
    allowed.iter().any(|a| a.eq_ignore_ascii_case(&host))
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
    allowed.iter().any(|a| a.eq_ignore_ascii_case(&host))
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
    headers
        .get(CONTENT_TYPE)
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
