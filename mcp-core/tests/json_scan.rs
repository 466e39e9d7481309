//! The fast object scanner against serde_json: whatever the scanner accepts, serde_json must
//! parse to the same members with the same raw text; whatever serde_json writes (keys without
//! escapes), the scanner must accept. Inputs are generated JSON documents and near-misses made
//! by editing them a byte at a time.

use std::fmt;

use mcp_core::json_scan::{is_value, object_members, valid_object_members};
use proptest::prelude::*;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// Members as serde_json sees them, in order, duplicates kept.
fn serde_members(text: &str) -> Option<Vec<(String, &str)>> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, &'de str)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                let value: &'de RawValue = map.next_value()?;
                out.push((key, value.get()));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let members = de.deserialize_map(Pairs).ok()?;
    de.end().ok()?;
    Some(members)
}

fn scan_members(text: &str) -> Option<Vec<(String, &str)>> {
    let mut out = Vec::new();
    object_members(text, |k, v| out.push((k.to_owned(), v))).then_some(out)
}

fn valid_scan_members(text: &str) -> Option<Vec<(String, &str)>> {
    let mut out = Vec::new();
    valid_object_members(text, |k, v| out.push((k.to_owned(), v))).then_some(out)
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[ -~\u{e9}\u{1F600}\n\t\"\\\\]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{0,6}", inner), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A document: an object, written compactly or with whitespace.
fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(("[a-zA-Z_/]{0,8}", json_value()), 0..6),
        any::<bool>(),
    )
        .prop_map(|(members, pretty)| {
            let object = Value::Object(members.into_iter().collect());
            if pretty {
                serde_json::to_string_pretty(&object).unwrap()
            } else {
                serde_json::to_string(&object).unwrap()
            }
        })
}

/// Bytes that matter to the grammar, for edits.
const SIGNIFICANT: &[u8] = b"{}[]\",:\\ \t\n0123456789-+.eEtrufalsn/x\x01";

fn edited(text: String, edits: Vec<(usize, u8, usize)>) -> String {
    let mut bytes = text.into_bytes();
    for (at, kind, pick) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        let byte = SIGNIFICANT[pick % SIGNIFICANT.len()];
        match kind % 3 {
            0 => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, byte),
            _ => bytes[at] = byte,
        }
    }
    // Edits may split a multi-byte character; the scanner takes `&str`, so keep valid UTF-8.
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn accepts_what_serde_json_writes(text in document()) {
        let scanned = scan_members(&text);
        prop_assert!(scanned.is_some(), "gave up on {text}");
        prop_assert_eq!(&scanned, &serde_members(&text));
        prop_assert!(is_value(&text));
        // Valid input: the scan that trusts it finds the same members.
        prop_assert_eq!(valid_scan_members(&text), scanned);
    }

    #[test]
    fn the_trusting_scan_survives_invalid_input(
        text in document(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4),
    ) {
        // Members reported for invalid input mean nothing, but it must not panic (every slice
        // on a character boundary), and valid input it must still read right.
        let text = edited(text, edits);
        let trusted = valid_scan_members(&text);
        if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() && scan_members(&text).is_some() {
            prop_assert_eq!(trusted, scan_members(&text), "input: {}", text);
        }
    }

    #[test]
    fn never_accepts_what_serde_json_rejects(
        text in document(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4),
    ) {
        let text = edited(text, edits);
        if let Some(scanned) = scan_members(&text) {
            prop_assert_eq!(Some(scanned), serde_members(&text), "input: {}", text);
        }
        if is_value(&text) {
            prop_assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(),
                "is_value accepted invalid {}", text
            );
        }
    }

    #[test]
    fn any_values_inside(value in json_value()) {
        let text = format!("{{\"v\":{value}}}");
        let written = value.to_string();
        let expected = Some(vec![("v".to_owned(), written.as_str())]);
        prop_assert_eq!(&scan_members(&text), &expected);
        prop_assert_eq!(&valid_scan_members(&text), &expected);
    }
}
