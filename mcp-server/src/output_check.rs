//! A small JSON Schema checker for the subset `schemars` emits for output schemas: `type`
//! (one or a list), `properties`, `required`, `additionalProperties`, `items`, `prefixItems`,
//! `enum`, `const`, `anyOf`, `oneOf`, `allOf`, `not`, local `$ref`s (`#/$defs/..`),
//! `minimum`/`maximum`, `minLength`/`maxLength` and `minItems`/`maxItems`. Other keywords
//! (formats, patterns) are not checked. Used in debug builds to catch a `Json<T>` tool whose
//! `structuredContent` does not match its advertised `outputSchema`.

use serde_json::{Map, Value};

/// Checks `value` against `schema`; the error names the first mismatch and where it is.
pub(crate) fn check(schema: &Map<String, Value>, value: &Value) -> Result<(), String> {
    let root = Value::Object(schema.clone());
    check_at(&root, &root, value, "")
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => true,
    }
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

fn check_at(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let here = || {
        if at.is_empty() {
            "the root".to_owned()
        } else {
            format!("`{at}`")
        }
    };
    let schema = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{} is not allowed", here())),
        Value::Object(o) => o,
        _ => return Ok(()),
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = resolve(root, reference)
            .ok_or_else(|| format!("unresolvable `$ref` {reference} at {}", here()))?;
        check_at(root, target, value, at)?;
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_matches(t, value) => {
            return Err(format!("{} is not of type {t}: {value}", here()));
        }
        Some(Value::Array(ts))
            if !ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_matches(t, value)) =>
        {
            return Err(format!(
                "{} is not of any type in {}: {value}",
                here(),
                Value::Array(ts.clone())
            ));
        }
        _ => {}
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!(
            "{} is not one of {}: {value}",
            here(),
            Value::Array(options.clone())
        ));
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        return Err(format!("{} must be {expected}: {value}", here()));
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            check_at(root, s, value, at)?;
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(any) = schema.get(key).and_then(Value::as_array) {
            let matching = any
                .iter()
                .filter(|s| check_at(root, s, value, at).is_ok())
                .count();
            let ok = if key == "anyOf" {
                matching >= 1
            } else {
                matching == 1
            };
            if !ok {
                return Err(format!(
                    "{} matches {matching} of the `{key}` options: {value}",
                    here()
                ));
            }
        }
    }
    if let Some(not) = schema.get("not")
        && check_at(root, not, value, at).is_ok()
    {
        return Err(format!("{} matches a `not` schema: {value}", here()));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return Err(format!("{} is below the minimum {min}: {value}", here()));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return Err(format!("{} is above the maximum {max}: {value}", here()));
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as u64;
        if schema
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
            || schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
        {
            return Err(format!("{} has a length out of bounds: {value}", here()));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    return Err(format!("{} lacks the required member `{name}`", here()));
                }
            }
        }
        for (name, member) in object {
            let path = format!("{at}/{name}");
            match properties.and_then(|p| p.get(name)) {
                Some(s) => check_at(root, s, member, &path)?,
                None => {
                    if let Some(extra) = schema.get("additionalProperties") {
                        check_at(root, extra, member, &path)?;
                    }
                }
            }
        }
    }
    if let Some(items) = value.as_array() {
        let len = items.len() as u64;
        if schema
            .get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
            || schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
        {
            return Err(format!("{} has a length out of bounds", here()));
        }
        let prefix = schema
            .get("prefixItems")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (i, item) in items.iter().enumerate() {
            let path = format!("{at}/{i}");
            if let Some(s) = prefix.get(i) {
                check_at(root, s, item, &path)?;
            } else if let Some(s) = schema.get("items") {
                check_at(root, s, item, &path)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::JsonSchema;
    use serde_json::json;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        label: Option<String>,
        kind: Kind,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    enum Kind {
        A,
        B,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Out {
        count: u32,
        ratio: f64,
        tags: Vec<String>,
        inner: Inner,
    }

    fn schema() -> Map<String, Value> {
        match serde_json::to_value(schemars::schema_for!(Out)).unwrap() {
            Value::Object(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn accepts_what_matches_the_schemars_schema() {
        let good =
            json!({"count": 3, "ratio": 0.5, "tags": ["x"], "inner": {"label": null, "kind": "A"}});
        check(&schema(), &good).unwrap();
    }

    #[test]
    fn rejects_mismatches_with_a_path() {
        let cases = [
            (
                json!({"count": -1, "ratio": 0.5, "tags": [], "inner": {"kind": "A"}}),
                "/count",
            ),
            (
                json!({"count": 1, "ratio": "x", "tags": [], "inner": {"kind": "A"}}),
                "/ratio",
            ),
            (
                json!({"count": 1, "ratio": 1, "tags": [2], "inner": {"kind": "A"}}),
                "/tags/0",
            ),
            (
                json!({"count": 1, "ratio": 1, "tags": [], "inner": {"kind": "C"}}),
                "/inner/kind",
            ),
            (json!({"count": 1, "ratio": 1, "tags": []}), "`inner`"),
        ];
        for (value, needle) in cases {
            let err = check(&schema(), &value).unwrap_err();
            assert!(err.contains(needle), "{err} should mention {needle}");
        }
    }
}
