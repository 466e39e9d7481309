//! Fuzzes the JSON-RPC decoder: any byte string must decode or be rejected with an error, never
//! panic; whatever decodes must survive encode -> decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_core::error::McpError;
use mcp_core::jsonrpc::{self, DecodeError, Decoded, Message, RawJson};

fuzz_target!(|data: &[u8]| {
    match jsonrpc::decode(data) {
        Ok(Decoded::Single(message)) => round_trip(&message),
        Ok(Decoded::Batch(items)) => {
            assert!(!items.is_empty(), "an empty batch must be rejected");
            for item in items {
                match jsonrpc::decode_value(item) {
                    Ok(message) => round_trip(&message),
                    Err(e) => check_error(&e),
                }
            }
        }
        Err(e) => check_error(&e),
    }
});

/// A rejection is always a JSON-RPC error code, and encoding it yields a decodable response.
fn check_error(e: &DecodeError) {
    let code = e.error.code.0;
    assert!(
        code == -32700 || code == -32600,
        "unexpected decode error code {code}"
    );
    let bytes = jsonrpc::encode_error(e.id.as_ref(), &e.error);
    match jsonrpc::decode(&bytes) {
        Ok(Decoded::Single(Message::Response(r))) => {
            assert_eq!(r.id, e.id);
            let back = r
                .outcome
                .expect_err("an error response decodes as an error");
            assert_eq!(back.code, e.error.code);
            assert_eq!(back.message, e.error.message);
        }
        other => panic!("encoded error did not decode as a response: {other:?}"),
    }
}

fn round_trip(message: &Message<'_>) {
    let bytes = match message {
        Message::Request(r) => jsonrpc::encode_request(&r.id, &r.method, r.params.as_ref()),
        Message::Notification(n) => jsonrpc::encode_notification(&n.method, n.params.as_ref()),
        Message::Response(r) => match (&r.id, &r.outcome) {
            (Some(id), Ok(result)) => jsonrpc::encode_result_raw(id, result),
            (id, Err(error)) => jsonrpc::encode_error(id.as_ref(), error),
            (None, Ok(_)) => panic!("a result response without an id was accepted"),
        },
    };
    let again = match jsonrpc::decode(&bytes) {
        Ok(Decoded::Single(m)) => m,
        other => panic!(
            "re-encoded message did not decode: {other:?}\n{}",
            String::from_utf8_lossy(&bytes)
        ),
    };
    match (message, &again) {
        (Message::Request(a), Message::Request(b)) => {
            assert_eq!(a.id, b.id);
            assert_eq!(a.method, b.method);
            assert_eq!(raw(a.params), raw(b.params));
        }
        (Message::Notification(a), Message::Notification(b)) => {
            assert_eq!(a.method, b.method);
            assert_eq!(raw(a.params), raw(b.params));
        }
        (Message::Response(a), Message::Response(b)) => {
            assert_eq!(a.id, b.id);
            match (&a.outcome, &b.outcome) {
                (Ok(x), Ok(y)) => assert_eq!(x.get(), y.get()),
                (Err(x), Err(y)) => same_error(x, y),
                _ => panic!("outcome changed kind: {a:?} vs {b:?}"),
            }
        }
        _ => panic!("message changed kind: {message:?} vs {again:?}"),
    }
}

fn raw(v: Option<&RawJson>) -> Option<&str> {
    v.map(RawJson::get)
}

/// Error objects go through `serde_json::Value` (the `data` member); floats are compared only
/// through their printed form after one normalisation, since serde_json's default float parser
/// is not guaranteed to be correctly rounded.
fn same_error(a: &McpError, b: &McpError) {
    assert_eq!(a.code, b.code);
    assert_eq!(a.message, b.message);
    match (&a.data, &b.data) {
        (Some(x), Some(y)) if !has_float(x) => assert_eq!(x, y),
        (Some(_), Some(_)) => {}
        (x, y) => assert_eq!(x.is_some(), y.is_some()),
    }
}

fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(o) => o.values().any(has_float),
        _ => false,
    }
}
