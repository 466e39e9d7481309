//! Property test: every definition of the official 2025-11-25 schema round-trips through the
//! model unchanged.
//!
//! A generator driven by the schema itself (`$ref`, `anyOf`, `allOf`, `const`, `enum`, object
//! properties and `additionalProperties`, arrays, formats, bounds) produces random valid
//! instances of each definition, including unknown members wherever the schema allows them and
//! `_meta` objects. Each instance is checked valid against the schema, deserialized into the
//! model type mapped to the definition, serialized back and compared with the input (numbers by
//! value, so `1` and `1.0` are the same). JSON-RPC envelopes (`CallToolRequest`, ...) go through
//! [`JsonRpcMessage`] and their `params` through the method's params type.
//!
//! Every definition must be mapped or listed in [`NOT_WIRE_TYPES`] with the reason; a new
//! definition in the schema fails the test until it is. The schema is found like the other
//! schema tests find it (`$MCP_SPEC_DIR`, else `../../shared/spec`); if it is missing the test
//! fails, it never skips.

use std::collections::BTreeMap;

use mcp_core::McpError;
use mcp_core::jsonrpc::JsonRpcMessage;
use mcp_core::model::*;
use mcp_core::{ProgressToken, RequestId};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

#[path = "../src/model/schema_check.rs"]
#[allow(dead_code, unreachable_pub)]
mod schema_check;

/// Definitions that are not a message, params or result type of their own, and why.
const NOT_WIRE_TYPES: &[(&str, &str)] = &[
    (
        "BaseMetadata",
        "an abstract base (name/title) merged into other definitions",
    ),
    (
        "Icons",
        "a mixin (the `icons` member) merged into other definitions",
    ),
    (
        "Request",
        "the abstract request shape; every concrete request is mapped",
    ),
    (
        "Notification",
        "the abstract notification shape; every concrete one is mapped",
    ),
    (
        "PaginatedResult",
        "an abstract base of the list results, each mapped",
    ),
    (
        "ResourceRequestParams",
        "an abstract base of the resource request params, each mapped",
    ),
    (
        "TaskAugmentedRequestParams",
        "an abstract base of the params that accept `task`, each mapped",
    ),
    (
        "ClientResult",
        "a union of result definitions, each mapped on its own",
    ),
    (
        "ServerResult",
        "a union of result definitions, each mapped on its own",
    ),
    (
        "GetTaskPayloadResult",
        "the result of the task's original request (raw JSON in the model)",
    ),
    (
        "ResourceContents",
        "the abstract base of TextResourceContents and BlobResourceContents (both mapped); the \
         model's ResourceContents is their union and needs `text` or `blob`",
    ),
];

type Check = fn(&Value) -> Result<(), String>;

/// Deserializes `input` into `T`, serializes it back and compares.
fn typed<T: Serialize + DeserializeOwned>(input: &Value) -> Result<(), String> {
    let value: T = serde_json::from_value(input.clone()).map_err(|e| format!("decode: {e}"))?;
    let out = serde_json::to_value(&value).map_err(|e| format!("encode: {e}"))?;
    compare(input, &out)
}

/// JSON-RPC 2.0 defines the members of an envelope and of an error object exactly; the model
/// reads those and drops any other (there is nothing to keep them for). Everything below them,
/// `params`, `result` and `error.data`, must survive unchanged.
fn strip_unknown(input: &Value, known: &[&str]) -> Value {
    let mut out = input.clone();
    if let Some(map) = out.as_object_mut() {
        map.retain(|k, _| known.contains(&k.as_str()));
    }
    out
}

const ENVELOPE_MEMBERS: &[&str] = &["jsonrpc", "id", "method", "params", "result", "error"];
const ERROR_MEMBERS: &[&str] = &["code", "message", "data"];

fn error_object(input: &Value) -> Result<(), String> {
    typed::<McpError>(&strip_unknown(input, ERROR_MEMBERS))
}

fn jsonrpc(input: &Value) -> Result<(), String> {
    let mut input = strip_unknown(input, ENVELOPE_MEMBERS);
    if let Some(error) = input.get("error") {
        input["error"] = strip_unknown(error, ERROR_MEMBERS);
    }
    typed::<JsonRpcMessage>(&input)
}

/// A JSON-RPC message: the envelope through `JsonRpcMessage`, `params` through `P`.
fn envelope<P: Serialize + DeserializeOwned>(input: &Value) -> Result<(), String> {
    jsonrpc(input)?;
    match input.get("params") {
        Some(params) => typed::<P>(params).map_err(|e| format!("params: {e}")),
        None => Ok(()),
    }
}

fn compare(input: &Value, out: &Value) -> Result<(), String> {
    if same(input, out) {
        Ok(())
    } else {
        Err(format!("changed:\n  in:  {input}\n  out: {out}"))
    }
}

/// Structural equality, numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || (x.as_f64().is_some() && x.as_f64() == y.as_f64())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn mapping() -> BTreeMap<&'static str, Check> {
    let mut m: BTreeMap<&'static str, Check> = BTreeMap::new();
    macro_rules! same_name {
        ($($t:ident),* $(,)?) => { $( m.insert(stringify!($t), typed::<$t>); )* };
    }
    same_name!(
        Annotations,
        AudioContent,
        BlobResourceContents,
        BooleanSchema,
        CallToolRequestParams,
        CallToolResult,
        CancelTaskResult,
        CancelledNotificationParams,
        ClientCapabilities,
        CompleteRequestParams,
        CompleteResult,
        ContentBlock,
        CreateMessageRequestParams,
        CreateMessageResult,
        CreateTaskResult,
        Cursor,
        ElicitRequestFormParams,
        ElicitRequestParams,
        ElicitRequestURLParams,
        ElicitResult,
        EmbeddedResource,
        EmptyResult,
        GetPromptRequestParams,
        GetPromptResult,
        GetTaskResult,
        Icon,
        ImageContent,
        Implementation,
        InitializeRequestParams,
        InitializeResult,
        LegacyTitledEnumSchema,
        ListPromptsResult,
        ListResourceTemplatesResult,
        ListResourcesResult,
        ListRootsResult,
        ListTasksResult,
        ListToolsResult,
        LoggingLevel,
        LoggingMessageNotificationParams,
        ModelHint,
        ModelPreferences,
        NotificationParams,
        NumberSchema,
        PaginatedRequestParams,
        PrimitiveSchemaDefinition,
        ProgressNotificationParams,
        Prompt,
        PromptArgument,
        PromptMessage,
        PromptReference,
        ReadResourceRequestParams,
        ReadResourceResult,
        RelatedTaskMetadata,
        RequestParams,
        Resource,
        ResourceLink,
        ResourceTemplate,
        ResourceTemplateReference,
        ResourceUpdatedNotificationParams,
        Role,
        Root,
        SamplingMessage,
        SamplingMessageContentBlock,
        ServerCapabilities,
        SetLevelRequestParams,
        StringSchema,
        SubscribeRequestParams,
        Task,
        TaskMetadata,
        TaskStatus,
        TaskStatusNotificationParams,
        TextContent,
        TextResourceContents,
        TitledMultiSelectEnumSchema,
        TitledSingleSelectEnumSchema,
        Tool,
        ToolAnnotations,
        ToolChoice,
        ToolExecution,
        ToolResultContent,
        ToolUseContent,
        UnsubscribeRequestParams,
        UntitledMultiSelectEnumSchema,
        UntitledSingleSelectEnumSchema,
    );
    m.insert("RequestId", typed::<RequestId>);
    m.insert("ProgressToken", typed::<ProgressToken>);
    m.insert("Result", typed::<EmptyResult>);
    m.insert("Error", error_object);
    // The enum-schema unions are members of PrimitiveSchemaDefinition.
    m.insert("EnumSchema", typed::<PrimitiveSchemaDefinition>);
    m.insert("SingleSelectEnumSchema", typed::<PrimitiveSchemaDefinition>);
    m.insert("MultiSelectEnumSchema", typed::<PrimitiveSchemaDefinition>);
    macro_rules! envelopes {
        ($($def:ident => $p:ty),* $(,)?) => { $( m.insert(stringify!($def), envelope::<$p>); )* };
    }
    envelopes!(
        CallToolRequest => CallToolRequestParams,
        CancelTaskRequest => CancelTaskRequestParams,
        CancelledNotification => CancelledNotificationParams,
        CompleteRequest => CompleteRequestParams,
        CreateMessageRequest => CreateMessageRequestParams,
        ElicitRequest => ElicitRequestParams,
        ElicitationCompleteNotification => ElicitationCompleteNotificationParams,
        GetPromptRequest => GetPromptRequestParams,
        GetTaskPayloadRequest => GetTaskPayloadRequestParams,
        GetTaskRequest => GetTaskRequestParams,
        InitializeRequest => InitializeRequestParams,
        InitializedNotification => NotificationParams,
        ListPromptsRequest => PaginatedRequestParams,
        ListResourceTemplatesRequest => PaginatedRequestParams,
        ListResourcesRequest => PaginatedRequestParams,
        ListRootsRequest => RequestParams,
        ListTasksRequest => PaginatedRequestParams,
        ListToolsRequest => PaginatedRequestParams,
        LoggingMessageNotification => LoggingMessageNotificationParams,
        PaginatedRequest => PaginatedRequestParams,
        PingRequest => RequestParams,
        ProgressNotification => ProgressNotificationParams,
        PromptListChangedNotification => NotificationParams,
        ReadResourceRequest => ReadResourceRequestParams,
        ResourceListChangedNotification => NotificationParams,
        ResourceUpdatedNotification => ResourceUpdatedNotificationParams,
        RootsListChangedNotification => NotificationParams,
        SetLevelRequest => SetLevelRequestParams,
        SubscribeRequest => SubscribeRequestParams,
        TaskStatusNotification => TaskStatusNotificationParams,
        ToolListChangedNotification => NotificationParams,
        UnsubscribeRequest => UnsubscribeRequestParams,
    );
    for def in [
        "JSONRPCMessage",
        "JSONRPCRequest",
        "JSONRPCNotification",
        "JSONRPCResponse",
        "JSONRPCResultResponse",
        "JSONRPCErrorResponse",
        "ClientRequest",
        "ServerRequest",
        "ClientNotification",
        "ServerNotification",
    ] {
        m.insert(def, jsonrpc);
    }
    m.insert("URLElicitationRequiredError", |v| {
        jsonrpc(v)?;
        typed::<URLElicitationRequiredErrorData>(&v["error"]["data"])
    });
    m
}

/// The schema-driven generator.
struct Gen<'a> {
    defs: &'a Map<String, Value>,
}

const MAX_DEPTH: u32 = 5;

/// Integer members the schema leaves unbounded but that count, measure or time something, which
/// the model types as unsigned: the generator keeps them non-negative (JSON Schema itself
/// requires `minItems`/`maxLength`/... to be non-negative).
const UNSIGNED_MEMBERS: &[&str] = &[
    "size",
    "ttl",
    "pollInterval",
    "total",
    "maxTokens",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
];

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-1_000_000i64..1_000_000).prop_map(Value::from),
        "[a-z ]{0,6}".prop_map(Value::from),
    ]
    .boxed()
}

impl Gen<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/$defs/");
                self.defs
                    .get(name)
                    .unwrap_or_else(|| panic!("unresolved $ref {r}"))
            }
            None => schema,
        }
    }

    fn instance(&self, schema: &Value, depth: u32) -> BoxedStrategy<Value> {
        self.member(schema, depth, false)
    }

    /// `non_negative`: the member is one of [`UNSIGNED_MEMBERS`].
    fn member(&self, schema: &Value, depth: u32, non_negative: bool) -> BoxedStrategy<Value> {
        let schema = self.resolve(schema);
        if let Some(c) = schema.get("const") {
            return Just(c.clone()).boxed();
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return proptest::sample::select(values.clone()).boxed();
        }
        if let Some(alts) = schema.get("anyOf").and_then(Value::as_array) {
            return Union::new(alts.iter().map(|a| self.instance(a, depth + 1))).boxed();
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return self.instance(&self.merge(schema, parts), depth);
        }
        match schema.get("type") {
            Some(Value::Array(types)) => Union::new(types.iter().map(|t| {
                let mut s = schema.clone();
                s["type"] = t.clone();
                self.member(&s, depth, non_negative)
            }))
            .boxed(),
            Some(Value::String(t)) => match t.as_str() {
                "object" => self.object(schema, depth),
                "array" => {
                    let items = schema.get("items").cloned().unwrap_or(json!({}));
                    let max = if depth >= MAX_DEPTH { 0 } else { 3 };
                    proptest::collection::vec(self.instance(&items, depth + 1), 0..=max)
                        .prop_map(Value::Array)
                        .boxed()
                }
                "string" => string(schema.get("format").and_then(Value::as_str)),
                "integer" => {
                    let lo = schema
                        .get("minimum")
                        .and_then(Value::as_i64)
                        .unwrap_or(if non_negative { 0 } else { -1_000_000 });
                    let hi = schema
                        .get("maximum")
                        .and_then(Value::as_i64)
                        .unwrap_or(1_000_000);
                    (lo..=hi).prop_map(Value::from).boxed()
                }
                "number" => {
                    let lo = schema
                        .get("minimum")
                        .and_then(Value::as_f64)
                        .unwrap_or(-1e6);
                    let hi = schema.get("maximum").and_then(Value::as_f64).unwrap_or(1e6);
                    prop_oneof![
                        (lo..=hi).prop_map(Value::from),
                        ((lo.ceil() as i64)..=(hi.floor() as i64)).prop_map(Value::from),
                    ]
                    .boxed()
                }
                "boolean" => any::<bool>().prop_map(Value::from).boxed(),
                "null" => Just(Value::Null).boxed(),
                other => panic!("unhandled type {other}"),
            },
            _ if schema.get("properties").is_some() => self.object(schema, depth),
            // `{}`: anything.
            _ => leaf(),
        }
    }

    /// `allOf`: the object members of every part (with its own members) in one schema.
    fn merge(&self, schema: &Value, parts: &[Value]) -> Value {
        let mut out = schema.clone();
        out.as_object_mut().unwrap().remove("allOf");
        let mut props = schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut required: Vec<Value> = schema
            .get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for part in parts {
            let part = self.resolve(part);
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    // A later part refines an earlier one (the error code, its data).
                    props.insert(k.clone(), v.clone());
                }
            }
            if let Some(r) = part.get("required").and_then(Value::as_array) {
                required.extend(r.iter().cloned());
            }
        }
        out["type"] = json!("object");
        out["properties"] = Value::Object(props);
        out["required"] = Value::Array(required);
        out
    }

    fn object(&self, schema: &Value, depth: u32) -> BoxedStrategy<Value> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut members: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                let key = name.clone();
                let unsigned = UNSIGNED_MEMBERS.contains(&name.as_str());
                let s = self
                    .member(sub, depth + 1, unsigned)
                    .prop_map(move |v| (key.clone(), v));
                if required.contains(&name.as_str()) {
                    members.push(s.prop_map(Some).boxed());
                } else if depth < MAX_DEPTH {
                    members.push(proptest::option::of(s).boxed());
                }
            }
        }
        // Unknown members, where the schema allows them: the model must keep them.
        let extra: BoxedStrategy<Vec<(String, Value)>> = match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => Just(Vec::new()).boxed(),
            Some(sub @ Value::Object(_)) if depth < MAX_DEPTH => {
                let values = self.instance(sub, depth + 1);
                proptest::collection::vec(("x[A-Z][a-z]{1,5}", values), 0..=2).boxed()
            }
            _ if depth < MAX_DEPTH => {
                proptest::collection::vec(("x[A-Z][a-z]{1,5}", leaf()), 0..=1).boxed()
            }
            _ => Just(Vec::new()).boxed(),
        };
        (members, extra)
            .prop_map(|(members, extra)| {
                let mut map = Map::new();
                for (k, v) in extra {
                    map.insert(k, v);
                }
                for (k, v) in members.into_iter().flatten() {
                    map.insert(k, v);
                }
                Value::Object(map)
            })
            .boxed()
    }
}

fn string(format: Option<&str>) -> BoxedStrategy<Value> {
    match format {
        Some("uri") => "(https://example\\.com/|file:///tmp/|urn:x:)[a-z0-9]{0,8}"
            .prop_map(Value::from)
            .boxed(),
        Some("uri-template") => "file:///\\{[a-z]{1,4}\\}".prop_map(Value::from).boxed(),
        Some("byte") => proptest::collection::vec(any::<u8>(), 0..12)
            .prop_map(|b| Value::from(base64(&b)))
            .boxed(),
        Some(other) => panic!("unhandled string format {other}"),
        None => "\\PC{0,10}".prop_map(Value::from).boxed(),
    }
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

fn schema() -> Value {
    let path = schema_check::spec_dir()
        .join("2025-11-25")
        .join("schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the schema at {}: {e}", path.display()));
    serde_json::from_str(&text).expect("schema.json is JSON")
}

/// Found by the round trip: `"data": null` used to be dropped from error objects.
#[test]
fn an_error_object_keeps_an_explicit_null_data() {
    let input = json!({"code": -32000, "message": "x", "data": null});
    let error: McpError = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(error.data, Some(Value::Null));
    assert_eq!(serde_json::to_value(&error).unwrap(), input);
    let absent: McpError = serde_json::from_value(json!({"code": 1, "message": "y"})).unwrap();
    assert_eq!(absent.data, None);
}

#[test]
fn every_schema_definition_is_mapped_or_listed_as_not_a_wire_type() {
    let schema = schema();
    let defs = schema["$defs"].as_object().expect("$defs");
    let map = mapping();
    let unmapped: Vec<&String> = defs
        .keys()
        .filter(|k| !map.contains_key(k.as_str()) && !NOT_WIRE_TYPES.iter().any(|(n, _)| n == k))
        .collect();
    assert!(
        unmapped.is_empty(),
        "schema definitions without a model mapping: {unmapped:?}"
    );
    let stale: Vec<&&str> = map.keys().filter(|k| !defs.contains_key(**k)).collect();
    assert!(
        stale.is_empty(),
        "mapped names the schema does not define: {stale:?}"
    );
}

#[test]
fn every_model_type_round_trips_schema_generated_instances() {
    let schema = schema();
    let defs = schema["$defs"].as_object().expect("$defs");
    let generator = Gen { defs };
    let cases: u32 = std::env::var("MCP_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut failures = Vec::new();
    for (name, check) in mapping() {
        let strategy = generator.instance(&defs[name], 0);
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |instance| {
            schema_check::validate("2025-11-25", name, &instance).map_err(|e| {
                TestCaseError::fail(format!(
                    "generator produced an invalid {name}: {e}\n{instance}"
                ))
            })?;
            check(&instance).map_err(TestCaseError::fail)
        });
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} definitions failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
