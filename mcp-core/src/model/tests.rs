//! Tests of the model: (a) every type round-trips a realistic instance unchanged, unknown members
//! and `_meta` included; (b) everything serialized here validates against the 2025-11-25 schema;
//! (c) behaviour that the schema alone does not pin down.

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::schema_check::{self, assert_invalid, assert_valid};
use super::*;
use crate::jsonrpc::RequestId;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Decodes `json` as `T`, re-encodes it, and checks that nothing changed and that the result is a
/// valid `def` (a `$defs` name or a pointer below `$defs`). Returns the decoded value.
#[track_caller]
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(def: &str, json: Value) -> T {
    let decoded: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| {
        panic!(
            "cannot decode {} as {def}: {e}\n{json:#}",
            std::any::type_name::<T>()
        )
    });
    let encoded = serde_json::to_value(&decoded).expect("serializes");
    assert_eq!(encoded, json, "round trip of {def} changed the JSON");
    let again: T = serde_json::from_value(encoded.clone()).expect("re-decodes");
    assert_eq!(again, decoded);
    assert_valid(def, &encoded);
    decoded
}

/// Serializes a value built in Rust and checks it against `def`.
#[track_caller]
fn emit<T: Serialize>(def: &str, value: &T) -> Value {
    let json = serde_json::to_value(value).expect("serializes");
    assert_valid(def, &json);
    json
}

/// An object literal as a [`crate::JsonObject`].
fn obj(value: Value) -> crate::JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Checks a request end to end: params and result round-trip through the marker's types, the
/// method string is the schema's, and the envelope validates as the `<Name>Request` definition.
#[track_caller]
fn check_request<M: Request>(
    request_def: &str,
    result_def: &str,
    params: Option<Value>,
    result: Value,
) where
    M::Params: PartialEq + Debug,
    M::Result: PartialEq + Debug,
{
    let params_json = params.map(|p| {
        let decoded: M::Params = serde_json::from_value(p.clone()).expect("params decode");
        let encoded = serde_json::to_value(&decoded).expect("params encode");
        assert_eq!(encoded, p, "params of {} changed", M::METHOD);
        encoded
    });
    let mut envelope = json!({ "jsonrpc": "2.0", "id": 7, "method": M::METHOD });
    if let Some(p) = params_json {
        envelope["params"] = p;
    }
    assert_valid(request_def, &envelope);
    assert_valid("JSONRPCRequest", &envelope);

    let decoded: M::Result = serde_json::from_value(result.clone()).expect("result decodes");
    let encoded = serde_json::to_value(&decoded).expect("result encodes");
    assert_eq!(encoded, result, "result of {} changed", M::METHOD);
    assert_valid(result_def, &encoded);
    assert_valid(
        "JSONRPCResultResponse",
        &json!({ "jsonrpc": "2.0", "id": 7, "result": encoded }),
    );
}

/// Checks a notification end to end, like [`check_request`].
#[track_caller]
fn check_notification<N: Notification>(def: &str, params: Option<Value>)
where
    N::Params: PartialEq + Debug,
{
    let mut envelope = json!({ "jsonrpc": "2.0", "method": N::METHOD });
    if let Some(p) = params {
        let decoded: N::Params = serde_json::from_value(p.clone()).expect("params decode");
        let encoded = serde_json::to_value(&decoded).expect("params encode");
        assert_eq!(encoded, p, "params of {} changed", N::METHOD);
        envelope["params"] = encoded;
    }
    assert_valid(def, &envelope);
    assert_valid("JSONRPCNotification", &envelope);
}

/// Generates one `#[test]` per round-trip case.
macro_rules! round_trips {
    ($($name:ident: $ty:ty => $def:literal, $json:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let _: $ty = round_trip::<$ty>($def, $json);
            }
        )*
    };
}

// Reusable fragments.

fn meta() -> Value {
    json!({ "com.example/trace": "abc-123", "io.modelcontextprotocol/related-task": { "taskId": "t-1" } })
}

fn request_meta() -> Value {
    json!({ "progressToken": "p-42", "com.example/tenant": "acme" })
}

fn icon() -> Value {
    json!({ "src": "https://example.com/icon.png", "mimeType": "image/png", "sizes": ["48x48", "any"], "theme": "dark", "x-extra": 1 })
}

fn annotations() -> Value {
    json!({ "audience": ["user", "assistant"], "priority": 0.8, "lastModified": "2025-11-25T10:00:00Z", "x-extra": true })
}

fn task() -> Value {
    json!({
        "taskId": "task-786512e2",
        "status": "working",
        "statusMessage": "Crunching numbers",
        "createdAt": "2025-11-25T10:30:00Z",
        "lastUpdatedAt": "2025-11-25T10:40:00Z",
        "ttl": 60000,
        "pollInterval": 5000,
        "x-extra": "kept"
    })
}

fn tool() -> Value {
    json!({
        "name": "get_weather",
        "title": "Weather",
        "description": "Current weather for a city",
        "inputSchema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": { "city": { "type": "string", "minLength": 1 }, "units": { "$ref": "#/$defs/units" } },
            "required": ["city"],
            "additionalProperties": false,
            "$defs": { "units": { "enum": ["metric", "imperial"] } }
        },
        "outputSchema": {
            "type": "object",
            "properties": { "temperature": { "type": "number" } },
            "required": ["temperature"]
        },
        "annotations": { "title": "Weather lookup", "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": true },
        "execution": { "taskSupport": "optional" },
        "icons": [icon()],
        "_meta": meta(),
        "x-extra": { "nested": [1, 2] }
    })
}

// ---------------------------------------------------------------------------------------------
// (a) + (b): round trips, schema-validated

round_trips! {
    // common
    icon_round_trip: Icon => "Icon", icon();
    implementation_round_trip: Implementation => "Implementation", json!({
        "name": "demo-server", "title": "Demo", "version": "1.2.3", "description": "A demo",
        "icons": [icon()], "websiteUrl": "https://example.com", "x-extra": 1
    });
    annotations_round_trip: Annotations => "Annotations", annotations();
    request_meta_round_trip: RequestMeta => "RequestParams/properties/_meta", request_meta();
    request_meta_integer_token_round_trip: RequestMeta => "RequestParams/properties/_meta", json!({ "progressToken": 17 });
    request_params_round_trip: RequestParams => "RequestParams", json!({ "_meta": request_meta(), "x-extra": 1 });
    request_params_empty_round_trip: RequestParams => "RequestParams", json!({});
    paginated_request_params_round_trip: PaginatedRequestParams => "PaginatedRequestParams", json!({ "cursor": "c-2", "_meta": request_meta(), "x-extra": 1 });
    empty_result_round_trip: EmptyResult => "EmptyResult", json!({ "_meta": meta(), "x-extra": 1 });

    // lifecycle
    initialize_request_params_round_trip: InitializeRequestParams => "InitializeRequestParams", json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {
            "experimental": { "com.example/feature": { "level": 2 } },
            "roots": { "listChanged": true },
            "sampling": { "context": {}, "tools": {} },
            "elicitation": { "form": {}, "url": {} },
            "tasks": { "list": {}, "cancel": {}, "requests": { "sampling": { "createMessage": {} }, "elicitation": { "create": {} } } }
        },
        "clientInfo": { "name": "demo-client", "version": "0.1.0" },
        "_meta": request_meta(),
        "x-extra": 1
    });
    initialize_result_round_trip: InitializeResult => "InitializeResult", json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {
            "experimental": { "com.example/feature": {} },
            "logging": {},
            "completions": {},
            "prompts": { "listChanged": true },
            "resources": { "subscribe": true, "listChanged": false },
            "tools": { "listChanged": true },
            "tasks": { "list": {}, "cancel": {}, "requests": { "tools": { "call": {} } } }
        },
        "serverInfo": { "name": "demo-server", "version": "1.0.0", "title": "Demo" },
        "instructions": "Use get_weather for forecasts.",
        "_meta": meta(),
        "x-extra": 1
    });
    client_capabilities_round_trip: ClientCapabilities => "ClientCapabilities", json!({
        "roots": { "listChanged": false, "x-extra": 1 }, "elicitation": {}, "x-future": { "a": 1 }
    });
    server_capabilities_round_trip: ServerCapabilities => "ServerCapabilities", json!({ "tools": {}, "x-future": {} });
    roots_capability_round_trip: RootsCapability => "ClientCapabilities/properties/roots", json!({ "listChanged": true, "x-extra": 1 });
    sampling_capability_round_trip: SamplingCapability => "ClientCapabilities/properties/sampling", json!({ "context": {}, "tools": { "x": 1 } });
    elicitation_capability_round_trip: ElicitationCapability => "ClientCapabilities/properties/elicitation", json!({ "form": {}, "url": {} });
    client_tasks_capability_round_trip: ClientTasksCapability => "ClientCapabilities/properties/tasks", json!({
        "list": {}, "cancel": {}, "requests": { "sampling": { "createMessage": {} }, "elicitation": { "create": {} } }, "x-extra": 1
    });
    client_task_requests_round_trip: ClientTaskRequestsCapability => "ClientCapabilities/properties/tasks/properties/requests", json!({ "sampling": { "createMessage": {} } });
    sampling_tasks_capability_round_trip: SamplingTasksCapability => "ClientCapabilities/properties/tasks/properties/requests/properties/sampling", json!({ "createMessage": {} });
    elicitation_tasks_capability_round_trip: ElicitationTasksCapability => "ClientCapabilities/properties/tasks/properties/requests/properties/elicitation", json!({ "create": {} });
    prompts_capability_round_trip: PromptsCapability => "ServerCapabilities/properties/prompts", json!({ "listChanged": true });
    resources_capability_round_trip: ResourcesCapability => "ServerCapabilities/properties/resources", json!({ "subscribe": true, "listChanged": true });
    tools_capability_round_trip: ToolsCapability => "ServerCapabilities/properties/tools", json!({ "listChanged": false });
    server_tasks_capability_round_trip: ServerTasksCapability => "ServerCapabilities/properties/tasks", json!({ "list": {}, "cancel": {}, "requests": { "tools": { "call": {} } } });
    server_task_requests_round_trip: ServerTaskRequestsCapability => "ServerCapabilities/properties/tasks/properties/requests", json!({ "tools": { "call": {} } });
    tools_tasks_capability_round_trip: ToolsTasksCapability => "ServerCapabilities/properties/tasks/properties/requests/properties/tools", json!({ "call": {} });

    // content
    text_content_round_trip: TextContent => "TextContent", json!({ "type": "text", "text": "Hello", "annotations": annotations(), "_meta": meta(), "x-extra": 1 });
    image_content_round_trip: ImageContent => "ImageContent", json!({ "type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png", "annotations": { "priority": 1 }, "_meta": meta() });
    audio_content_round_trip: AudioContent => "AudioContent", json!({ "type": "audio", "data": "UklGRiQAAABXQVZF", "mimeType": "audio/wav", "x-extra": 1 });
    resource_link_round_trip: ResourceLink => "ResourceLink", json!({
        "type": "resource_link", "uri": "file:///project/src/main.rs", "name": "main.rs", "title": "Main",
        "description": "Entry point", "mimeType": "text/x-rust", "size": 1024, "icons": [icon()],
        "annotations": annotations(), "_meta": meta(), "x-extra": 1
    });
    embedded_resource_round_trip: EmbeddedResource => "EmbeddedResource", json!({
        "type": "resource",
        "resource": { "uri": "file:///notes.txt", "mimeType": "text/plain", "text": "notes", "_meta": meta(), "x-extra": 1 },
        "annotations": annotations(), "_meta": meta(), "x-extra": 2
    });
    content_block_text_round_trip: ContentBlock => "ContentBlock", json!({ "type": "text", "text": "Hi", "x-extra": 1 });
    content_block_image_round_trip: ContentBlock => "ContentBlock", json!({ "type": "image", "data": "AAAA", "mimeType": "image/jpeg" });
    content_block_audio_round_trip: ContentBlock => "ContentBlock", json!({ "type": "audio", "data": "AAAA", "mimeType": "audio/mpeg", "_meta": meta() });
    content_block_resource_link_round_trip: ContentBlock => "ContentBlock", json!({ "type": "resource_link", "uri": "https://example.com/a", "name": "a" });
    content_block_embedded_blob_round_trip: ContentBlock => "ContentBlock", json!({
        "type": "resource", "resource": { "uri": "file:///logo.png", "mimeType": "image/png", "blob": "iVBORw0KGgo=" }
    });
    resource_contents_text_round_trip: ResourceContents => "ReadResourceResult/properties/contents/items", json!({ "uri": "file:///a.txt", "text": "a", "_meta": meta() });
    resource_contents_blob_round_trip: ResourceContents => "ReadResourceResult/properties/contents/items", json!({ "uri": "file:///a.bin", "mimeType": "application/octet-stream", "blob": "AAECAw==" });
    text_resource_contents_round_trip: TextResourceContents => "TextResourceContents", json!({ "uri": "file:///a.txt", "mimeType": "text/plain", "text": "a", "_meta": meta(), "x-extra": 1 });
    blob_resource_contents_round_trip: BlobResourceContents => "BlobResourceContents", json!({ "uri": "file:///a.bin", "blob": "AAECAw==", "_meta": meta(), "x-extra": 1 });

    // tools
    tool_round_trip: Tool => "Tool", tool();
    tool_minimal_round_trip: Tool => "Tool", json!({ "name": "ping", "inputSchema": { "type": "object", "additionalProperties": false } });
    tool_annotations_round_trip: ToolAnnotations => "ToolAnnotations", json!({ "title": "t", "readOnlyHint": false, "openWorldHint": false, "x-extra": 1 });
    tool_execution_round_trip: ToolExecution => "ToolExecution", json!({ "taskSupport": "required", "x-extra": 1 });
    list_tools_result_round_trip: ListToolsResult => "ListToolsResult", json!({ "tools": [tool()], "nextCursor": "page-2", "_meta": meta(), "x-extra": 1 });
    call_tool_request_params_round_trip: CallToolRequestParams => "CallToolRequestParams", json!({
        "name": "get_weather", "arguments": { "city": "Paris", "days": 3, "opts": { "x": [1] } },
        "task": { "ttl": 60000 }, "_meta": request_meta(), "x-extra": 1
    });
    call_tool_result_round_trip: CallToolResult => "CallToolResult", json!({
        "content": [
            { "type": "text", "text": "{\"temperature\":21.5}" },
            { "type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png" },
            { "type": "resource_link", "uri": "file:///report.pdf", "name": "report" },
            { "type": "resource", "resource": { "uri": "file:///data.json", "text": "{}" } }
        ],
        "structuredContent": { "temperature": 21.5 },
        "isError": false,
        "_meta": meta(),
        "x-extra": 1
    });
    call_tool_result_error_round_trip: CallToolResult => "CallToolResult", json!({
        "content": [{ "type": "text", "text": "city: must not be empty" }], "isError": true
    });

    // resources
    resource_round_trip: Resource => "Resource", json!({
        "uri": "file:///project/README.md", "name": "README.md", "title": "Readme", "description": "Project readme",
        "mimeType": "text/markdown", "size": 2048, "icons": [icon()], "annotations": annotations(), "_meta": meta(), "x-extra": 1
    });
    resource_template_round_trip: ResourceTemplate => "ResourceTemplate", json!({
        "uriTemplate": "db://users/{user_id}", "name": "user", "title": "User profile", "description": "A user",
        "mimeType": "application/json", "icons": [icon()], "annotations": annotations(), "_meta": meta(), "x-extra": 1
    });
    list_resources_result_round_trip: ListResourcesResult => "ListResourcesResult", json!({
        "resources": [{ "uri": "test://static-text", "name": "static" }], "nextCursor": "n", "_meta": meta(), "x-extra": 1
    });
    list_resource_templates_result_round_trip: ListResourceTemplatesResult => "ListResourceTemplatesResult", json!({
        "resourceTemplates": [{ "uriTemplate": "test://template/{id}/data", "name": "t" }], "_meta": meta()
    });
    read_resource_request_params_round_trip: ReadResourceRequestParams => "ReadResourceRequestParams", json!({ "uri": "test://static-text", "_meta": request_meta(), "x-extra": 1 });
    read_resource_result_round_trip: ReadResourceResult => "ReadResourceResult", json!({
        "contents": [
            { "uri": "test://static-text", "mimeType": "text/plain", "text": "hello" },
            { "uri": "test://static-binary", "mimeType": "image/png", "blob": "iVBORw0KGgo=" }
        ],
        "_meta": meta(), "x-extra": 1
    });
    subscribe_request_params_round_trip: SubscribeRequestParams => "SubscribeRequestParams", json!({ "uri": "test://watched-resource", "_meta": request_meta() });
    unsubscribe_request_params_round_trip: UnsubscribeRequestParams => "UnsubscribeRequestParams", json!({ "uri": "test://watched-resource", "x-extra": 1 });

    // prompts
    prompt_round_trip: Prompt => "Prompt", json!({
        "name": "code_review", "title": "Code review", "description": "Review code",
        "arguments": [{ "name": "code", "title": "Code", "description": "The code", "required": true, "x-extra": 1 }],
        "icons": [icon()], "_meta": meta(), "x-extra": 1
    });
    prompt_argument_round_trip: PromptArgument => "PromptArgument", json!({ "name": "lang", "required": false, "x-extra": 1 });
    prompt_message_round_trip: PromptMessage => "PromptMessage", json!({ "role": "user", "content": { "type": "text", "text": "Review this" }, "x-extra": 1 });
    list_prompts_result_round_trip: ListPromptsResult => "ListPromptsResult", json!({ "prompts": [{ "name": "p" }], "nextCursor": "2", "_meta": meta(), "x-extra": 1 });
    get_prompt_request_params_round_trip: GetPromptRequestParams => "GetPromptRequestParams", json!({
        "name": "code_review", "arguments": { "code": "fn main() {}", "lang": "rust" }, "_meta": request_meta(), "x-extra": 1
    });
    get_prompt_result_round_trip: GetPromptResult => "GetPromptResult", json!({
        "description": "A review",
        "messages": [
            { "role": "user", "content": { "type": "text", "text": "Please review" } },
            { "role": "assistant", "content": { "type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png" } },
            { "role": "user", "content": { "type": "resource", "resource": { "uri": "file:///a.rs", "text": "fn a() {}" } } }
        ],
        "_meta": meta(), "x-extra": 1
    });

    // completion
    complete_request_params_prompt_round_trip: CompleteRequestParams => "CompleteRequestParams", json!({
        "ref": { "type": "ref/prompt", "name": "code_review", "title": "Code review", "x-extra": 1 },
        "argument": { "name": "lang", "value": "ru", "x-extra": 1 },
        "context": { "arguments": { "framework": "axum" }, "x-extra": 1 },
        "_meta": request_meta(), "x-extra": 1
    });
    complete_request_params_resource_round_trip: CompleteRequestParams => "CompleteRequestParams", json!({
        "ref": { "type": "ref/resource", "uri": "db://users/{user_id}" }, "argument": { "name": "user_id", "value": "4" }
    });
    prompt_reference_round_trip: PromptReference => "PromptReference", json!({ "type": "ref/prompt", "name": "p", "x-extra": 1 });
    resource_template_reference_round_trip: ResourceTemplateReference => "ResourceTemplateReference", json!({ "type": "ref/resource", "uri": "file:///{path}" });
    complete_argument_round_trip: CompleteArgument => "CompleteRequestParams/properties/argument", json!({ "name": "a", "value": "" });
    complete_context_round_trip: CompleteContext => "CompleteRequestParams/properties/context", json!({ "arguments": { "a": "1" } });
    complete_result_round_trip: CompleteResult => "CompleteResult", json!({
        "completion": { "values": ["rust", "ruby"], "total": 10, "hasMore": true, "x-extra": 1 }, "_meta": meta(), "x-extra": 1
    });
    completion_round_trip: Completion => "CompleteResult/properties/completion", json!({ "values": [] });

    // logging
    set_level_request_params_round_trip: SetLevelRequestParams => "SetLevelRequestParams", json!({ "level": "warning", "_meta": request_meta(), "x-extra": 1 });
    logging_message_params_round_trip: LoggingMessageNotificationParams => "LoggingMessageNotificationParams", json!({
        "level": "error", "logger": "db", "data": { "error": "Connection failed", "retries": 3 }, "_meta": meta(), "x-extra": 1
    });
    logging_message_null_data_round_trip: LoggingMessageNotificationParams => "LoggingMessageNotificationParams", json!({ "level": "info", "data": null });
    logging_level_round_trip: LoggingLevel => "LoggingLevel", json!("emergency");

    // sampling
    create_message_request_params_round_trip: CreateMessageRequestParams => "CreateMessageRequestParams", json!({
        "messages": [
            { "role": "user", "content": { "type": "text", "text": "What is the weather in Paris?" } },
            { "role": "assistant", "content": [
                { "type": "text", "text": "Let me check." },
                { "type": "tool_use", "id": "call_1", "name": "get_weather", "input": { "city": "Paris" }, "_meta": meta() }
            ] },
            { "role": "user", "content": [
                { "type": "tool_result", "toolUseId": "call_1", "content": [{ "type": "text", "text": "21C" }],
                  "structuredContent": { "temperature": 21 }, "isError": false, "_meta": meta() }
            ], "_meta": meta() }
        ],
        "modelPreferences": {
            "hints": [{ "name": "claude-3-sonnet", "x-extra": 1 }, { "name": "claude" }],
            "costPriority": 0.3, "speedPriority": 0.8, "intelligencePriority": 0.5, "x-extra": 1
        },
        "systemPrompt": "You are a helpful assistant.",
        "includeContext": "thisServer",
        "temperature": 0.7,
        "maxTokens": 100,
        "stopSequences": ["\n\n"],
        "metadata": { "provider": "x" },
        "tools": [tool()],
        "toolChoice": { "mode": "auto" },
        "task": { "ttl": 30000 },
        "_meta": request_meta(),
        "x-extra": 1
    });
    create_message_result_single_round_trip: CreateMessageResult => "CreateMessageResult", json!({
        "role": "assistant", "content": { "type": "text", "text": "21C and sunny" }, "model": "claude-3-sonnet-20240307",
        "stopReason": "endTurn", "_meta": meta(), "x-extra": 1
    });
    create_message_result_array_round_trip: CreateMessageResult => "CreateMessageResult", json!({
        "role": "assistant",
        "content": [{ "type": "tool_use", "id": "call_2", "name": "get_weather", "input": { "city": "Oslo" } }],
        "model": "m", "stopReason": "toolUse"
    });
    create_message_result_custom_stop_round_trip: CreateMessageResult => "CreateMessageResult", json!({
        "role": "assistant", "content": { "type": "audio", "data": "AAAA", "mimeType": "audio/wav" }, "model": "m", "stopReason": "contentFilter"
    });
    sampling_message_round_trip: SamplingMessage => "SamplingMessage", json!({ "role": "user", "content": { "type": "image", "data": "AAAA", "mimeType": "image/png" }, "_meta": meta(), "x-extra": 1 });
    sampling_content_block_round_trip: SamplingMessageContentBlock => "SamplingMessageContentBlock", json!({ "type": "text", "text": "x", "annotations": annotations() });
    tool_use_content_round_trip: ToolUseContent => "ToolUseContent", json!({ "type": "tool_use", "id": "c", "name": "n", "input": {}, "_meta": meta(), "x-extra": 1 });
    tool_result_content_round_trip: ToolResultContent => "ToolResultContent", json!({
        "type": "tool_result", "toolUseId": "c", "content": [], "isError": true, "_meta": meta(), "x-extra": 1
    });
    model_preferences_round_trip: ModelPreferences => "ModelPreferences", json!({ "hints": [], "costPriority": 1, "speedPriority": 0 });
    model_hint_round_trip: ModelHint => "ModelHint", json!({ "name": "sonnet", "x-extra": 1 });
    tool_choice_round_trip: ToolChoice => "ToolChoice", json!({ "mode": "required", "x-extra": 1 });
    include_context_round_trip: IncludeContext => "CreateMessageRequestParams/properties/includeContext", json!("allServers");

    // elicitation
    elicit_form_params_round_trip: ElicitRequestParams => "ElicitRequestParams", json!({
        "mode": "form",
        "message": "Please provide your contact information",
        "requestedSchema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "name": { "type": "string", "title": "Full name", "minLength": 1, "maxLength": 100, "default": "Ada", "pattern": "^[A-Z]" },
                "email": { "type": "string", "format": "email" },
                "age": { "type": "integer", "minimum": 0, "maximum": 150, "default": 30 },
                "subscribe": { "type": "boolean", "default": true }
            },
            "required": ["name", "email"]
        },
        "task": { "ttl": 1000 },
        "_meta": request_meta(),
        "x-extra": 1
    });
    elicit_form_params_without_mode_round_trip: ElicitRequestParams => "ElicitRequestParams", json!({
        "message": "Name?", "requestedSchema": { "type": "object", "properties": { "n": { "type": "string" } } }
    });
    elicit_url_params_round_trip: ElicitRequestParams => "ElicitRequestParams", json!({
        "mode": "url", "message": "Please authorize access", "url": "https://auth.example.com/authorize?state=xyz",
        "elicitationId": "550e8400-e29b-41d4-a716-446655440000", "task": {}, "_meta": request_meta(), "x-extra": 1
    });
    elicit_form_struct_round_trip: ElicitRequestFormParams => "ElicitRequestFormParams", json!({
        "message": "m", "requestedSchema": { "type": "object", "properties": {} }, "x-extra": 1
    });
    elicit_url_struct_round_trip: ElicitRequestURLParams => "ElicitRequestURLParams", json!({
        "mode": "url", "message": "m", "url": "https://example.com/x", "elicitationId": "e-1"
    });
    elicitation_schema_round_trip: ElicitationSchema => "ElicitRequestFormParams/properties/requestedSchema", json!({
        "type": "object",
        "properties": {
            "color": { "type": "string", "enum": ["red", "green"], "default": "red" },
            "size": { "type": "string", "oneOf": [{ "const": "s", "title": "Small" }, { "const": "l", "title": "Large" }] },
            "tags": { "type": "array", "items": { "type": "string", "enum": ["a", "b"] }, "minItems": 1 },
            "toppings": { "type": "array", "items": { "anyOf": [{ "const": "ham", "title": "Ham" }] }, "default": ["ham"] },
            "legacy": { "type": "string", "enum": ["x", "y"], "enumNames": ["Ex", "Why"] }
        },
        "required": ["color"],
        "x-extra": 1
    });
    string_schema_round_trip: StringSchema => "StringSchema", json!({
        "type": "string", "title": "Email", "description": "Your email", "minLength": 3, "maxLength": 99, "format": "email", "default": "a@b.c", "x-extra": 1
    });
    number_schema_round_trip: NumberSchema => "NumberSchema", json!({ "type": "number", "title": "Ratio", "minimum": 0, "maximum": 1.5, "default": 0.25 });
    boolean_schema_round_trip: BooleanSchema => "BooleanSchema", json!({ "type": "boolean", "title": "OK?", "description": "d", "default": false, "x-extra": 1 });
    untitled_single_select_round_trip: UntitledSingleSelectEnumSchema => "UntitledSingleSelectEnumSchema", json!({ "type": "string", "title": "Color", "enum": ["red", "blue"], "default": "blue" });
    titled_single_select_round_trip: TitledSingleSelectEnumSchema => "TitledSingleSelectEnumSchema", json!({
        "type": "string", "title": "Color", "oneOf": [{ "const": "#f00", "title": "Red", "x-extra": 1 }], "default": "#f00"
    });
    untitled_multi_select_round_trip: UntitledMultiSelectEnumSchema => "UntitledMultiSelectEnumSchema", json!({
        "type": "array", "title": "Colors", "minItems": 1, "maxItems": 2, "items": { "type": "string", "enum": ["red", "blue"] }, "default": ["red"]
    });
    titled_multi_select_round_trip: TitledMultiSelectEnumSchema => "TitledMultiSelectEnumSchema", json!({
        "type": "array", "items": { "anyOf": [{ "const": "r", "title": "Red" }, { "const": "b", "title": "Blue" }] }, "default": ["r", "b"]
    });
    legacy_titled_enum_round_trip: LegacyTitledEnumSchema => "LegacyTitledEnumSchema", json!({
        "type": "string", "title": "Env", "enum": ["dev", "prod"], "enumNames": ["Development", "Production"], "default": "dev"
    });
    primitive_schema_number_round_trip: PrimitiveSchemaDefinition => "PrimitiveSchemaDefinition", json!({ "type": "integer", "minimum": 1 });
    primitive_schema_titled_multi_round_trip: PrimitiveSchemaDefinition => "PrimitiveSchemaDefinition", json!({
        "type": "array", "items": { "anyOf": [{ "const": "r", "title": "Red" }] }
    });
    elicit_result_accept_round_trip: ElicitResult => "ElicitResult", json!({
        "action": "accept",
        "content": { "name": "Ada", "age": 36, "subscribe": true, "colors": ["red", "blue"] },
        "_meta": meta(), "x-extra": 1
    });
    elicit_result_decline_round_trip: ElicitResult => "ElicitResult", json!({ "action": "decline" });
    elicitation_complete_params_round_trip: ElicitationCompleteNotificationParams => "ElicitationCompleteNotification/properties/params", json!({
        "elicitationId": "550e8400-e29b-41d4-a716-446655440000", "_meta": meta(), "x-extra": 1
    });
    url_elicitation_required_data_round_trip: URLElicitationRequiredErrorData => "URLElicitationRequiredError/properties/error/allOf/1/properties/data", json!({
        "elicitations": [{ "mode": "url", "message": "Authorize", "url": "https://example.com/oauth", "elicitationId": "e-9" }], "x-extra": 1
    });

    // roots
    root_round_trip: Root => "Root", json!({ "uri": "file:///home/user/project", "name": "Project", "_meta": meta(), "x-extra": 1 });
    list_roots_result_round_trip: ListRootsResult => "ListRootsResult", json!({ "roots": [{ "uri": "file:///tmp" }], "_meta": meta(), "x-extra": 1 });

    // tasks
    task_round_trip: Task => "Task", task();
    task_unlimited_round_trip: Task => "Task", json!({
        "taskId": "t", "status": "input_required", "createdAt": "2025-11-25T10:30:00Z", "lastUpdatedAt": "2025-11-25T10:30:00Z", "ttl": null
    });
    task_metadata_round_trip: TaskMetadata => "TaskMetadata", json!({ "ttl": 60000, "x-extra": 1 });
    related_task_metadata_round_trip: RelatedTaskMetadata => "RelatedTaskMetadata", json!({ "taskId": "t-1" });
    create_task_result_round_trip: CreateTaskResult => "CreateTaskResult", json!({
        "task": task(), "_meta": { "io.modelcontextprotocol/model-immediate-response": "Working on it" }, "x-extra": 1
    });
    get_task_request_params_round_trip: GetTaskRequestParams => "GetTaskRequest/properties/params", json!({ "taskId": "t-1", "_meta": request_meta(), "x-extra": 1 });
    get_task_result_round_trip: GetTaskResult => "GetTaskResult", {
        let mut v = task();
        v["_meta"] = meta();
        v
    };
    get_task_payload_request_params_round_trip: GetTaskPayloadRequestParams => "GetTaskPayloadRequest/properties/params", json!({ "taskId": "t-1" });
    cancel_task_request_params_round_trip: CancelTaskRequestParams => "CancelTaskRequest/properties/params", json!({ "taskId": "t-1", "x-extra": 1 });
    cancel_task_result_round_trip: CancelTaskResult => "CancelTaskResult", json!({
        "taskId": "t-1", "status": "cancelled", "createdAt": "2025-11-25T10:30:00Z", "lastUpdatedAt": "2025-11-25T10:31:00Z", "ttl": null, "_meta": meta()
    });
    list_tasks_result_round_trip: ListTasksResult => "ListTasksResult", json!({ "tasks": [task()], "nextCursor": "n", "_meta": meta(), "x-extra": 1 });
    task_status_notification_params_round_trip: TaskStatusNotificationParams => "TaskStatusNotificationParams", json!({
        "taskId": "t-1", "status": "completed", "createdAt": "2025-11-25T10:30:00Z", "lastUpdatedAt": "2025-11-25T10:50:00Z", "ttl": 60000, "_meta": meta()
    });
    task_status_round_trip: TaskStatus => "TaskStatus", json!("input_required");

    // notifications
    notification_params_round_trip: NotificationParams => "NotificationParams", json!({ "_meta": meta(), "x-extra": 1 });
    progress_params_round_trip: ProgressNotificationParams => "ProgressNotificationParams", json!({
        "progressToken": "p-42", "progress": 50, "total": 100, "message": "Reticulating splines...", "_meta": meta(), "x-extra": 1
    });
    progress_params_fractional_round_trip: ProgressNotificationParams => "ProgressNotificationParams", json!({ "progressToken": 3, "progress": 0.25 });
    cancelled_params_round_trip: CancelledNotificationParams => "CancelledNotificationParams", json!({ "requestId": "123", "reason": "User requested cancellation", "_meta": meta(), "x-extra": 1 });
    cancelled_params_integer_id_round_trip: CancelledNotificationParams => "CancelledNotificationParams", json!({ "requestId": 123 });
    resource_updated_params_round_trip: ResourceUpdatedNotificationParams => "ResourceUpdatedNotificationParams", json!({ "uri": "file:///project/src/main.rs", "_meta": meta(), "x-extra": 1 });
}

// ---------------------------------------------------------------------------------------------
// Methods: names, params and results against the request/notification envelopes of the schema

#[test]
fn request_envelopes_validate() {
    let paged = Some(json!({ "cursor": "c" }));
    check_request::<method::Initialize>(
        "InitializeRequest",
        "InitializeResult",
        Some(
            json!({ "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": { "name": "c", "version": "1" } }),
        ),
        json!({ "protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": { "name": "s", "version": "1" } }),
    );
    check_request::<method::Ping>("PingRequest", "EmptyResult", None, json!({}));
    check_request::<method::Ping>("PingRequest", "EmptyResult", Some(json!({})), json!({}));
    check_request::<method::ListTools>(
        "ListToolsRequest",
        "ListToolsResult",
        paged.clone(),
        json!({ "tools": [tool()] }),
    );
    check_request::<method::CallTool>(
        "CallToolRequest",
        "CallToolResult",
        Some(json!({ "name": "echo", "arguments": { "text": "hi" } })),
        json!({ "content": [{ "type": "text", "text": "hi" }] }),
    );
    check_request::<method::ListResources>(
        "ListResourcesRequest",
        "ListResourcesResult",
        None,
        json!({ "resources": [] }),
    );
    check_request::<method::ListResourceTemplates>(
        "ListResourceTemplatesRequest",
        "ListResourceTemplatesResult",
        paged.clone(),
        json!({ "resourceTemplates": [] }),
    );
    check_request::<method::ReadResource>(
        "ReadResourceRequest",
        "ReadResourceResult",
        Some(json!({ "uri": "test://static-text" })),
        json!({ "contents": [{ "uri": "test://static-text", "text": "t" }] }),
    );
    check_request::<method::Subscribe>(
        "SubscribeRequest",
        "EmptyResult",
        Some(json!({ "uri": "test://w" })),
        json!({}),
    );
    check_request::<method::Unsubscribe>(
        "UnsubscribeRequest",
        "EmptyResult",
        Some(json!({ "uri": "test://w" })),
        json!({}),
    );
    check_request::<method::ListPrompts>(
        "ListPromptsRequest",
        "ListPromptsResult",
        paged.clone(),
        json!({ "prompts": [] }),
    );
    check_request::<method::GetPrompt>(
        "GetPromptRequest",
        "GetPromptResult",
        Some(json!({ "name": "p", "arguments": { "a": "1" } })),
        json!({ "messages": [{ "role": "user", "content": { "type": "text", "text": "x" } }] }),
    );
    check_request::<method::Complete>(
        "CompleteRequest",
        "CompleteResult",
        Some(
            json!({ "ref": { "type": "ref/prompt", "name": "p" }, "argument": { "name": "a", "value": "b" } }),
        ),
        json!({ "completion": { "values": ["bc"] } }),
    );
    check_request::<method::SetLevel>(
        "SetLevelRequest",
        "EmptyResult",
        Some(json!({ "level": "debug" })),
        json!({}),
    );
    check_request::<method::CreateMessage>(
        "CreateMessageRequest",
        "CreateMessageResult",
        Some(
            json!({ "messages": [{ "role": "user", "content": { "type": "text", "text": "hi" } }], "maxTokens": 10 }),
        ),
        json!({ "role": "assistant", "content": { "type": "text", "text": "hello" }, "model": "m" }),
    );
    check_request::<method::ListRoots>(
        "ListRootsRequest",
        "ListRootsResult",
        None,
        json!({ "roots": [] }),
    );
    check_request::<method::Elicit>(
        "ElicitRequest",
        "ElicitResult",
        Some(json!({ "message": "m", "requestedSchema": { "type": "object", "properties": {} } })),
        json!({ "action": "cancel" }),
    );
    check_request::<method::GetTask>(
        "GetTaskRequest",
        "GetTaskResult",
        Some(json!({ "taskId": "t" })),
        task(),
    );
    check_request::<method::GetTaskPayload>(
        "GetTaskPayloadRequest",
        "GetTaskPayloadResult",
        Some(json!({ "taskId": "t" })),
        json!({ "content": [], "_meta": { "io.modelcontextprotocol/related-task": { "taskId": "t" } } }),
    );
    check_request::<method::ListTasks>(
        "ListTasksRequest",
        "ListTasksResult",
        paged,
        json!({ "tasks": [] }),
    );
    check_request::<method::CancelTask>(
        "CancelTaskRequest",
        "CancelTaskResult",
        Some(json!({ "taskId": "t" })),
        {
            let mut t = task();
            t["status"] = json!("cancelled");
            t
        },
    );
}

#[test]
fn notification_envelopes_validate() {
    check_notification::<method::Initialized>("InitializedNotification", None);
    check_notification::<method::Initialized>(
        "InitializedNotification",
        Some(json!({ "_meta": meta() })),
    );
    check_notification::<method::Cancelled>(
        "CancelledNotification",
        Some(json!({ "requestId": 3, "reason": "timeout" })),
    );
    check_notification::<method::Progress>(
        "ProgressNotification",
        Some(json!({ "progressToken": 1, "progress": 2, "total": 3 })),
    );
    check_notification::<method::LoggingMessage>(
        "LoggingMessageNotification",
        Some(json!({ "level": "info", "data": "started" })),
    );
    check_notification::<method::ResourceUpdated>(
        "ResourceUpdatedNotification",
        Some(json!({ "uri": "file:///a" })),
    );
    check_notification::<method::ResourceListChanged>("ResourceListChangedNotification", None);
    check_notification::<method::ToolListChanged>("ToolListChangedNotification", Some(json!({})));
    check_notification::<method::PromptListChanged>("PromptListChangedNotification", None);
    check_notification::<method::RootsListChanged>("RootsListChangedNotification", None);
    check_notification::<method::ElicitationComplete>(
        "ElicitationCompleteNotification",
        Some(json!({ "elicitationId": "e" })),
    );
    check_notification::<method::TaskStatus>("TaskStatusNotification", Some(task()));
}

#[test]
fn every_request_and_notification_is_in_a_direction_union() {
    let requests = [
        method::Initialize::METHOD,
        method::Ping::METHOD,
        method::ListTools::METHOD,
        method::CallTool::METHOD,
        method::ListResources::METHOD,
        method::ListResourceTemplates::METHOD,
        method::ReadResource::METHOD,
        method::Subscribe::METHOD,
        method::Unsubscribe::METHOD,
        method::ListPrompts::METHOD,
        method::GetPrompt::METHOD,
        method::Complete::METHOD,
        method::SetLevel::METHOD,
        method::CreateMessage::METHOD,
        method::ListRoots::METHOD,
        method::Elicit::METHOD,
        method::GetTask::METHOD,
        method::GetTaskPayload::METHOD,
        method::ListTasks::METHOD,
        method::CancelTask::METHOD,
    ];
    let notifications = [
        method::Initialized::METHOD,
        method::Cancelled::METHOD,
        method::Progress::METHOD,
        method::LoggingMessage::METHOD,
        method::ResourceUpdated::METHOD,
        method::ResourceListChanged::METHOD,
        method::ToolListChanged::METHOD,
        method::PromptListChanged::METHOD,
        method::RootsListChanged::METHOD,
        method::ElicitationComplete::METHOD,
        method::TaskStatus::METHOD,
    ];
    let unique: std::collections::BTreeSet<_> = requests.iter().chain(&notifications).collect();
    assert_eq!(
        unique.len(),
        requests.len() + notifications.len(),
        "a method name is used twice"
    );

    // Every method the schema's direction unions allow is one of ours, and vice versa.
    let schema = schema_methods();
    let ours: std::collections::BTreeSet<String> = unique.iter().map(|s| s.to_string()).collect();
    assert_eq!(ours, schema);
}

/// The `method` constants of every member of the four direction unions of the schema.
fn schema_methods() -> std::collections::BTreeSet<String> {
    let path = schema_check::spec_dir().join("2025-11-25/schema.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("schema readable"))
        .expect("schema JSON");
    let defs = &doc["$defs"];
    let mut methods = std::collections::BTreeSet::new();
    for union in [
        "ClientRequest",
        "ServerRequest",
        "ClientNotification",
        "ServerNotification",
    ] {
        for member in defs[union]["anyOf"].as_array().expect("anyOf") {
            let name = member["$ref"]
                .as_str()
                .expect("$ref")
                .trim_start_matches("#/$defs/");
            let method = defs[name]["properties"]["method"]["const"]
                .as_str()
                .expect("method const");
            methods.insert(method.to_owned());
        }
    }
    methods
}

#[test]
fn decode_params_treats_absent_as_empty() {
    let p: PaginatedRequestParams = decode_params(None).expect("absent params are fine");
    assert_eq!(p, PaginatedRequestParams::default());
    let p: RequestParams = decode_params(None).expect("absent params are fine");
    assert_eq!(p, RequestParams::default());

    let err = decode_params::<CallToolRequestParams>(None).expect_err("tools/call needs a name");
    assert_eq!(err.code, crate::ErrorCode::INVALID_PARAMS);
    assert!(err.message.contains("name"), "{}", err.message);

    let raw = crate::jsonrpc::RawJson::from_string(
        r#"{"_meta":{"progressToken":5},"cursor":"x"}"#.into(),
    )
    .expect("raw");
    let p: PaginatedRequestParams = decode_params(Some(&raw)).expect("decodes");
    assert_eq!(p.cursor.as_deref(), Some("x"));
    assert_eq!(
        p.meta.and_then(|m| m.progress_token),
        Some(RequestId::Number(5))
    );
}

/// Every definition of the schema is either modeled (and round-tripped above) or deliberately
/// left to another module; a new definition in the schema file fails this test.
#[test]
fn every_schema_definition_is_accounted_for() {
    const MODELED: &[&str] = &[
        "Annotations",
        "AudioContent",
        "BlobResourceContents",
        "BooleanSchema",
        "CallToolRequestParams",
        "CallToolResult",
        "CancelTaskResult",
        "CancelledNotificationParams",
        "ClientCapabilities",
        "CompleteRequestParams",
        "CompleteResult",
        "ContentBlock",
        "CreateMessageRequestParams",
        "CreateMessageResult",
        "CreateTaskResult",
        "Cursor",
        "ElicitRequestFormParams",
        "ElicitRequestParams",
        "ElicitRequestURLParams",
        "ElicitResult",
        "EmbeddedResource",
        "EmptyResult",
        "GetPromptRequestParams",
        "GetPromptResult",
        "GetTaskResult",
        "Icon",
        "ImageContent",
        "Implementation",
        "InitializeRequestParams",
        "InitializeResult",
        "LegacyTitledEnumSchema",
        "ListPromptsResult",
        "ListResourceTemplatesResult",
        "ListResourcesResult",
        "ListRootsResult",
        "ListTasksResult",
        "ListToolsResult",
        "LoggingLevel",
        "LoggingMessageNotificationParams",
        "ModelHint",
        "ModelPreferences",
        "NotificationParams",
        "NumberSchema",
        "PaginatedRequestParams",
        "PrimitiveSchemaDefinition",
        "ProgressNotificationParams",
        "ProgressToken",
        "Prompt",
        "PromptArgument",
        "PromptMessage",
        "PromptReference",
        "ReadResourceRequestParams",
        "ReadResourceResult",
        "RelatedTaskMetadata",
        "RequestId",
        "RequestParams",
        "Resource",
        "ResourceContents",
        "ResourceLink",
        "ResourceTemplate",
        "ResourceTemplateReference",
        "ResourceUpdatedNotificationParams",
        "Role",
        "Root",
        "SamplingMessage",
        "SamplingMessageContentBlock",
        "ServerCapabilities",
        "SetLevelRequestParams",
        "StringSchema",
        "SubscribeRequestParams",
        "Task",
        "TaskMetadata",
        "TaskStatus",
        "TaskStatusNotificationParams",
        "TextContent",
        "TextResourceContents",
        "TitledMultiSelectEnumSchema",
        "TitledSingleSelectEnumSchema",
        "Tool",
        "ToolAnnotations",
        "ToolChoice",
        "ToolExecution",
        "ToolResultContent",
        "ToolUseContent",
        "UnsubscribeRequestParams",
        "UntitledMultiSelectEnumSchema",
        "UntitledSingleSelectEnumSchema",
        // Request/notification envelopes: a `method::*` marker each (see request_envelopes_validate).
        "CallToolRequest",
        "CancelTaskRequest",
        "CancelledNotification",
        "CompleteRequest",
        "CreateMessageRequest",
        "ElicitRequest",
        "ElicitationCompleteNotification",
        "GetPromptRequest",
        "GetTaskPayloadRequest",
        "GetTaskRequest",
        "InitializeRequest",
        "InitializedNotification",
        "ListPromptsRequest",
        "ListResourceTemplatesRequest",
        "ListResourcesRequest",
        "ListRootsRequest",
        "ListTasksRequest",
        "ListToolsRequest",
        "LoggingMessageNotification",
        "PingRequest",
        "ProgressNotification",
        "PromptListChangedNotification",
        "ReadResourceRequest",
        "ResourceListChangedNotification",
        "ResourceUpdatedNotification",
        "RootsListChangedNotification",
        "SetLevelRequest",
        "SubscribeRequest",
        "TaskStatusNotification",
        "ToolListChangedNotification",
        "UnsubscribeRequest",
        // `GetTaskPayloadResult` is the original request's result: `serde_json::Value`.
        "GetTaskPayloadResult",
        // The data of this error: `URLElicitationRequiredErrorData`.
        "URLElicitationRequiredError",
    ];
    const ELSEWHERE_OR_ABSTRACT: &[&str] = &[
        // The JSON-RPC envelope lives in `crate::jsonrpc`, the error object in `crate::error`.
        "JSONRPCErrorResponse",
        "JSONRPCMessage",
        "JSONRPCNotification",
        "JSONRPCRequest",
        "JSONRPCResponse",
        "JSONRPCResultResponse",
        "Error",
        "Request",
        "Notification",
        "Result",
        // Mixins whose fields are inlined into the types that extend them.
        "BaseMetadata",
        "Icons",
        "PaginatedRequest",
        "PaginatedResult",
        "ResourceRequestParams",
        "TaskAugmentedRequestParams",
        // Unions covered by `PrimitiveSchemaDefinition`.
        "EnumSchema",
        "SingleSelectEnumSchema",
        "MultiSelectEnumSchema",
        // Direction unions: dispatch is by method name (see `method`), not by shape.
        "ClientNotification",
        "ClientRequest",
        "ClientResult",
        "ServerNotification",
        "ServerRequest",
        "ServerResult",
    ];
    let mut missing = Vec::new();
    for name in schema_check::definition_names("2025-11-25") {
        if !MODELED.contains(&name.as_str()) && !ELSEWHERE_OR_ABSTRACT.contains(&name.as_str()) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "schema definitions not accounted for: {missing:?}"
    );
    for name in MODELED.iter().chain(ELSEWHERE_OR_ABSTRACT) {
        assert!(
            schema_check::definition_names("2025-11-25")
                .iter()
                .any(|n| n == name),
            "{name} is not a definition of the schema"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (c) Behaviour

#[test]
fn validator_rejects_invalid_instances() {
    // Guards against a vacuous validator (e.g. an unresolved definition accepting everything).
    assert_invalid("Tool", &json!({}));
    assert_invalid(
        "Tool",
        &json!({ "name": "t", "inputSchema": { "type": "string" } }),
    );
    assert_invalid(
        "Task",
        &json!({ "taskId": "t", "status": "working", "createdAt": "x", "lastUpdatedAt": "x" }),
    );
    assert_invalid("ContentBlock", &json!({ "type": "video", "data": "AAAA" }));
    assert_invalid(
        "ImageContent",
        &json!({ "type": "image", "data": "not base64!", "mimeType": "image/png" }),
    );
    assert_invalid("Resource", &json!({ "uri": "not a uri", "name": "n" }));
    assert_invalid("LoggingLevel", &json!("verbose"));
    assert!(schema_check::validate("2025-11-25", "NoSuchDefinition", &json!({})).is_err());
}

#[test]
fn task_ttl_none_serializes_as_null() {
    let task = Task::new("t-1", TaskStatus::Working, "2025-11-25T10:30:00Z", None);
    let json = emit("Task", &task);
    assert_eq!(json["ttl"], Value::Null);
    assert!(
        json.as_object().expect("object").contains_key("ttl"),
        "ttl must be present"
    );
    assert_eq!(json["lastUpdatedAt"], json["createdAt"]);

    // The flat results and the status notification carry the key too.
    let get = emit("GetTaskResult", &GetTaskResult::new(task.clone()));
    assert_eq!(get["ttl"], Value::Null);
    assert_eq!(get["taskId"], "t-1");
    let cancel = emit(
        "CancelTaskResult",
        &CancelTaskResult::new(task.clone().with_status_message("stopped")),
    );
    assert_eq!(cancel["statusMessage"], "stopped");
    let note = emit(
        "TaskStatusNotificationParams",
        &TaskStatusNotificationParams::new(task.clone()),
    );
    assert_eq!(note["ttl"], Value::Null);
    let created = emit("CreateTaskResult", &CreateTaskResult::new(task));
    assert_eq!(created["task"]["ttl"], Value::Null);

    let limited = Task::new(
        "t-2",
        TaskStatus::Completed,
        "2025-11-25T10:30:00Z",
        Some(1000),
    )
    .with_poll_interval(250u64);
    assert_eq!(emit("Task", &limited)["ttl"], 1000);
}

#[test]
fn task_status_lifecycle() {
    use TaskStatus::*;
    for terminal in [Completed, Failed, Cancelled] {
        assert!(terminal.is_terminal());
        for next in [Working, InputRequired, Completed, Failed, Cancelled] {
            assert!(!terminal.can_transition_to(next));
        }
    }
    assert!(Working.can_transition_to(InputRequired));
    assert!(InputRequired.can_transition_to(Working));
    assert!(!Working.can_transition_to(Working));
    assert_eq!(InputRequired.to_string(), "input_required");
    assert_eq!(
        serde_json::to_value(InputRequired).expect("ser"),
        json!("input_required")
    );
}

#[test]
fn related_task_meta_helpers() {
    let mut meta = crate::JsonObject::new();
    RelatedTaskMetadata::new("t-9").insert_into(&mut meta);
    assert_eq!(
        Value::Object(meta.clone()),
        json!({ RELATED_TASK_META_KEY: { "taskId": "t-9" } })
    );
    assert_eq!(
        RelatedTaskMetadata::from_meta(&meta).map(|r| r.task_id),
        Some("t-9".to_owned())
    );
    assert_eq!(
        RelatedTaskMetadata::from_meta(&crate::JsonObject::new()),
        None
    );
    assert_valid("RelatedTaskMetadata", &meta[RELATED_TASK_META_KEY]);
}

#[test]
fn content_block_constructors_and_tags() {
    let cases = [
        (ContentBlock::text("hi"), "text"),
        (ContentBlock::image("iVBORw0KGgo=", "image/png"), "image"),
        (ContentBlock::audio("UklGRg==", "audio/wav"), "audio"),
        (
            ContentBlock::resource_link(
                ResourceLink::new("file:///a.txt", "a")
                    .with_mime_type("text/plain")
                    .with_size(3u64),
            ),
            "resource_link",
        ),
        (
            ContentBlock::embedded_text("file:///a.txt", "text/plain", "abc"),
            "resource",
        ),
        (
            ContentBlock::embedded_blob("file:///a.bin", "application/octet-stream", "AAECAw=="),
            "resource",
        ),
    ];
    for (block, tag) in cases {
        assert_eq!(block.type_name(), tag);
        let json = emit("ContentBlock", &block);
        assert_eq!(json["type"], tag);
        let back: ContentBlock = serde_json::from_value(json).expect("decodes");
        assert_eq!(back, block);
    }
    let embedded = emit(
        "ContentBlock",
        &ContentBlock::embedded_blob("file:///a.bin", "image/png", "AAAA"),
    );
    assert_eq!(
        embedded["resource"],
        json!({ "uri": "file:///a.bin", "mimeType": "image/png", "blob": "AAAA" })
    );

    // Standalone structs carry their tag too.
    assert_eq!(emit("TextContent", &TextContent::new("x"))["type"], "text");
    assert_eq!(
        emit(
            "ResourceLink",
            &ResourceLink::from(Resource::new("file:///r", "r"))
        )["type"],
        "resource_link"
    );
    assert_eq!(ContentBlock::text("x").as_text(), Some("x"));
    assert_eq!(ContentBlock::from("y").as_text(), Some("y"));

    let unknown = serde_json::from_value::<ContentBlock>(json!({ "type": "video", "data": "x" }));
    assert!(
        unknown
            .expect_err("unknown type")
            .to_string()
            .contains("unknown content block type `video`")
    );
    let untagged = serde_json::from_value::<ContentBlock>(json!({ "text": "x" }));
    assert!(
        untagged
            .expect_err("missing type")
            .to_string()
            .contains("type")
    );
    // A variant struct refuses another variant's tag.
    assert!(
        serde_json::from_value::<TextContent>(json!({ "type": "image", "text": "x" })).is_err()
    );
    // Sampling-only blocks are not content blocks.
    assert!(
        serde_json::from_value::<ContentBlock>(
            json!({ "type": "tool_use", "id": "1", "name": "n", "input": {} })
        )
        .is_err()
    );
}

#[test]
fn resource_contents_need_text_or_blob() {
    let err = serde_json::from_value::<ResourceContents>(json!({ "uri": "file:///a" }))
        .expect_err("neither");
    assert!(err.to_string().contains("`text` or a `blob`"), "{err}");
    let text = ResourceContents::text("file:///a", "x");
    assert_eq!(text.uri(), "file:///a");
    assert_eq!(text.mime_type(), None);
}

#[test]
fn logging_levels_order_parse_and_display() {
    use LoggingLevel::*;
    let names = [
        "debug",
        "info",
        "notice",
        "warning",
        "error",
        "critical",
        "alert",
        "emergency",
    ];
    assert!(Debug < Info && Info < Notice && Notice < Warning && Warning < Error);
    assert!(Error < Critical && Critical < Alert && Alert < Emergency);
    let mut sorted = LoggingLevel::ALL;
    sorted.sort();
    assert_eq!(sorted, LoggingLevel::ALL);
    for (level, name) in LoggingLevel::ALL.into_iter().zip(names) {
        assert_eq!(name.parse::<LoggingLevel>(), Ok(level));
        assert_eq!(level.as_str(), name);
        assert_eq!(level.to_string(), name);
        assert_eq!(emit("LoggingLevel", &level), json!(name));
        assert_eq!(
            serde_json::from_value::<LoggingLevel>(json!(name)).expect("decodes"),
            level
        );
    }
    for bad in ["", "warn", "WARNING", "Info", "fatal", "trace", " debug"] {
        let err = bad.parse::<LoggingLevel>().expect_err("rejected");
        assert_eq!(err.input(), bad);
        assert!(err.to_string().contains("unknown logging level"));
        assert!(serde_json::from_value::<LoggingLevel>(json!(bad)).is_err());
    }
    assert!(
        Warning >= Warning && Emergency >= Warning && Info < Warning,
        "threshold comparisons read naturally"
    );
}

#[test]
fn elicitation_form_without_mode() {
    let params: ElicitRequestParams = serde_json::from_value(json!({
        "message": "Your name?",
        "requestedSchema": { "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }
    }))
    .expect("form params without mode decode");
    let ElicitRequestParams::Form(form) = &params else {
        panic!("expected form mode, got {params:?}")
    };
    assert_eq!(form.message, "Your name?");
    assert_eq!(params.mode(), "form");
    // Re-encoded as received: still no `mode`.
    let json = emit("ElicitRequestParams", &params);
    assert!(json.get("mode").is_none());

    // Built in Rust: no mode unless asked for.
    let schema = ElicitationSchema::new()
        .with_property(
            "name",
            StringSchema::new().with_title("Name").with_min_length(1u64),
            true,
        )
        .with_property(
            "age",
            NumberSchema::new(NumberType::Integer)
                .with_minimum(0.0)
                .with_default(18.0),
            false,
        )
        .with_property("ok", BooleanSchema::new().with_default(true), false)
        .with_property(
            "size",
            TitledSingleSelectEnumSchema::new(vec![
                EnumOption::new("s", "Small"),
                EnumOption::new("l", "Large"),
            ]),
            false,
        )
        .with_property(
            "tags",
            UntitledMultiSelectEnumSchema::new(vec!["a".into(), "b".into()]).with_max_items(2u64),
            false,
        )
        .with_property(
            "color",
            UntitledSingleSelectEnumSchema::new(vec!["red".into()]),
            false,
        )
        .with_property(
            "extras",
            TitledMultiSelectEnumSchema::new(vec![EnumOption::new("x", "X")]),
            false,
        )
        .with_property(
            "env",
            LegacyTitledEnumSchema::new(vec!["dev".into()], vec!["Development".into()]),
            false,
        );
    let built = ElicitRequestParams::from(ElicitRequestFormParams::new("Details?", schema.clone()));
    let json = emit("ElicitRequestParams", &built);
    assert!(json.get("mode").is_none());
    assert_eq!(
        json["requestedSchema"]["properties"]["age"],
        json!({ "type": "integer", "minimum": 0, "default": 18 })
    );
    assert_eq!(json["requestedSchema"]["required"], json!(["name"]));
    let explicit =
        ElicitRequestFormParams::new("Details?", schema.clone()).with_explicit_mode(true);
    assert_eq!(emit("ElicitRequestFormParams", &explicit)["mode"], "form");

    // The typed schema reads back every field kind.
    let read = ElicitationSchema::from_json_object(&obj(json["requestedSchema"].clone()))
        .expect("typed schema");
    assert_eq!(read, schema);
    let kinds: Vec<_> = read
        .properties
        .values()
        .map(|p| match p {
            PrimitiveSchemaDefinition::String(_) => "string",
            PrimitiveSchemaDefinition::Number(_) => "number",
            PrimitiveSchemaDefinition::Boolean(_) => "boolean",
            PrimitiveSchemaDefinition::UntitledSingleSelectEnum(_) => "untitled-single",
            PrimitiveSchemaDefinition::TitledSingleSelectEnum(_) => "titled-single",
            PrimitiveSchemaDefinition::UntitledMultiSelectEnum(_) => "untitled-multi",
            PrimitiveSchemaDefinition::TitledMultiSelectEnum(_) => "titled-multi",
            PrimitiveSchemaDefinition::LegacyTitledEnum(_) => "legacy",
        })
        .collect();
    // BTreeMap order: age, color, env, extras, name, ok, size, tags.
    assert_eq!(
        kinds,
        [
            "number",
            "untitled-single",
            "legacy",
            "titled-multi",
            "string",
            "boolean",
            "titled-single",
            "untitled-multi"
        ]
    );
}

#[test]
fn elicitation_modes_are_discriminated() {
    let url: ElicitRequestParams = serde_json::from_value(json!({
        "mode": "url", "message": "Sign in", "url": "https://example.com/login", "elicitationId": "e-1"
    }))
    .expect("url params decode");
    assert!(matches!(&url, ElicitRequestParams::Url(p) if p.elicitation_id == "e-1"));
    assert_eq!(url.message(), "Sign in");
    let built = ElicitRequestURLParams::new("Sign in", "https://example.com/login", "e-1");
    assert_eq!(ElicitRequestParams::from(built.clone()), url);
    assert_eq!(emit("ElicitRequestURLParams", &built)["mode"], "url");

    let err =
        serde_json::from_value::<ElicitRequestParams>(json!({ "mode": "voice", "message": "m" }))
            .expect_err("unknown mode");
    assert!(
        err.to_string().contains("unknown elicitation mode `voice`"),
        "{err}"
    );
    // URL params need their mode and fields.
    assert!(
        serde_json::from_value::<ElicitRequestURLParams>(
            json!({ "message": "m", "url": "https://x", "elicitationId": "e" })
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<ElicitRequestParams>(json!({ "mode": "url", "message": "m" }))
            .is_err()
    );
    // Form params need a schema.
    assert!(serde_json::from_value::<ElicitRequestParams>(json!({ "message": "m" })).is_err());
}

#[test]
fn elicitation_capability_defaults_to_form() {
    let empty = ElicitationCapability::new();
    assert!(empty.supports_form() && !empty.supports_url());
    let url_only = ElicitationCapability::new().with_url(crate::JsonObject::new());
    assert!(!url_only.supports_form() && url_only.supports_url());
    let both = ElicitationCapability::new()
        .with_form(crate::JsonObject::new())
        .with_url(crate::JsonObject::new());
    assert!(both.supports_form() && both.supports_url());
}

#[test]
fn elicit_result_values() {
    let result: ElicitResult = serde_json::from_value(json!({
        "action": "accept",
        "content": { "ratio": 0.75, "count": 3, "big": 18446744073709551615u64, "name": "Ada", "ok": false, "tags": ["a", "b"], "none": [] }
    }))
    .expect("floats are accepted even though the schema says integer");
    let content = result.content.as_ref().expect("content");
    assert_eq!(content["ratio"].as_f64(), Some(0.75));
    assert_eq!(content["count"].as_i64(), Some(3));
    assert_eq!(content["big"], ElicitValue::from(u64::MAX));
    assert_eq!(content["name"].as_str(), Some("Ada"));
    assert_eq!(content["ok"].as_bool(), Some(false));
    assert_eq!(
        content["tags"].as_string_array(),
        Some(&["a".to_owned(), "b".to_owned()][..])
    );
    assert_eq!(content["none"], ElicitValue::StringArray(vec![]));
    // Numbers are kept exactly (no 3 -> 3.0).
    assert_eq!(
        serde_json::to_value(&result).expect("ser")["content"]["count"],
        json!(3)
    );

    for bad in [json!(null), json!({ "a": 1 }), json!([1, 2])] {
        assert!(
            serde_json::from_value::<ElicitResult>(
                json!({ "action": "accept", "content": { "x": bad } })
            )
            .is_err()
        );
    }
    assert!(serde_json::from_value::<ElicitResult>(json!({ "action": "maybe" })).is_err());

    let built = ElicitResult::accept(BTreeMap::from([
        ("name".to_owned(), ElicitValue::from("Ada")),
        ("age".to_owned(), ElicitValue::from(36i64)),
        ("ok".to_owned(), ElicitValue::from(true)),
        ("tags".to_owned(), ElicitValue::from(vec!["x".to_owned()])),
    ]));
    emit("ElicitResult", &built);
    emit("ElicitResult", &ElicitResult::decline());
    assert_eq!(
        emit("ElicitResult", &ElicitResult::cancel()),
        json!({ "action": "cancel" })
    );
    assert_eq!(ElicitValue::from_f64(f64::NAN), None);
}

#[test]
fn url_elicitation_required_error() {
    let data = URLElicitationRequiredErrorData::new(vec![ElicitRequestURLParams::new(
        "Authorize GitHub access",
        "https://example.com/connect",
        "e-7",
    )]);
    let error = data
        .clone()
        .into_error("This request requires more information.");
    assert_eq!(error.code, crate::ErrorCode::URL_ELICITATION_REQUIRED);
    let response =
        json!({ "jsonrpc": "2.0", "id": 2, "error": serde_json::to_value(&error).expect("ser") });
    assert_valid("URLElicitationRequiredError", &response);
    assert_eq!(
        URLElicitationRequiredErrorData::from_error(&error),
        Some(data)
    );
    assert_eq!(
        URLElicitationRequiredErrorData::from_error(&crate::McpError::internal("x")),
        None
    );
}

#[test]
fn sampling_content_single_or_array() {
    let single: SamplingContent =
        serde_json::from_value(json!({ "type": "text", "text": "hi" })).expect("single");
    assert!(matches!(single, SamplingContent::Single(_)));
    assert_eq!(single.blocks().len(), 1);
    let many: SamplingContent = serde_json::from_value(json!([
        { "type": "text", "text": "a" },
        { "type": "tool_result", "toolUseId": "1", "content": [] }
    ]))
    .expect("array");
    assert_eq!(
        many.blocks()
            .iter()
            .map(SamplingMessageContentBlock::type_name)
            .collect::<Vec<_>>(),
        ["text", "tool_result"]
    );
    assert_eq!(many.clone().into_blocks().len(), 2);
    assert!(
        serde_json::from_value::<SamplingContent>(
            json!({ "type": "resource_link", "uri": "x", "name": "n" })
        )
        .is_err()
    );
    assert!(serde_json::from_value::<SamplingContent>(json!("text")).is_err());

    // Built in Rust, a tool loop validates.
    let mut input = crate::JsonObject::new();
    input.insert("city".into(), json!("Paris"));
    let request = CreateMessageRequestParams::new(
        vec![
            SamplingMessage::user("Weather in Paris?"),
            SamplingMessage::assistant(vec![SamplingMessageContentBlock::from(
                ToolUseContent::new("c1", "get_weather", input),
            )]),
            SamplingMessage::user(vec![SamplingMessageContentBlock::from(
                ToolResultContent::new("c1", vec![ContentBlock::text("21C")]).with_is_error(false),
            )]),
        ],
        256,
    )
    .with_tools(vec![Tool::new("get_weather", Tool::empty_input_schema())])
    .with_tool_choice(ToolChoice::new(ToolChoiceMode::Auto))
    .with_model_preferences(
        ModelPreferences::new()
            .with_hints(vec![ModelHint::new("claude")])
            .with_speed_priority(1.0),
    )
    .with_include_context(IncludeContext::None)
    .with_temperature(0.5)
    .with_meta(RequestMeta::new().with_progress_token(RequestId::from("tok")));
    let json = emit("CreateMessageRequestParams", &request);
    assert_eq!(json["modelPreferences"]["speedPriority"], json!(1));
    assert_eq!(json["_meta"], json!({ "progressToken": "tok" }));

    let result = CreateMessageResult::new(Role::Assistant, "Sunny", "m-1")
        .with_stop_reason(StopReason::EndTurn);
    assert_eq!(
        emit("CreateMessageResult", &result)["stopReason"],
        "endTurn"
    );
}

#[test]
fn stop_reasons() {
    for (reason, wire) in [
        (StopReason::EndTurn, "endTurn"),
        (StopReason::StopSequence, "stopSequence"),
        (StopReason::MaxTokens, "maxTokens"),
        (StopReason::ToolUse, "toolUse"),
        (StopReason::Other("refusal".into()), "refusal"),
    ] {
        assert_eq!(serde_json::to_value(&reason).expect("ser"), json!(wire));
        assert_eq!(
            serde_json::from_value::<StopReason>(json!(wire)).expect("de"),
            reason
        );
        assert_eq!(reason.to_string(), wire);
    }
}

#[test]
fn numbers_are_written_compactly() {
    let p = ProgressNotificationParams::new(RequestId::Number(1), 3.0)
        .with_total(10.0)
        .with_message("3 of 10");
    assert_eq!(
        emit("ProgressNotificationParams", &p),
        json!({ "progressToken": 1, "progress": 3, "total": 10, "message": "3 of 10" })
    );
    let p = ProgressNotificationParams::new(RequestId::from("t"), 0.5);
    assert_eq!(
        emit("ProgressNotificationParams", &p)["progress"],
        json!(0.5)
    );
    let a = Annotations::new()
        .with_priority(1.0)
        .with_audience(vec![Role::User]);
    assert_eq!(
        emit("Annotations", &a),
        json!({ "audience": ["user"], "priority": 1 })
    );
    let huge = ProgressNotificationParams::new(RequestId::Number(1), 1e300);
    assert_eq!(
        serde_json::to_value(&huge).expect("ser")["progress"],
        json!(1e300)
    );
}

#[test]
fn required_fields_are_required() {
    assert!(
        serde_json::from_value::<Tool>(json!({ "name": "t" })).is_err(),
        "inputSchema is required"
    );
    assert!(
        serde_json::from_value::<Implementation>(json!({ "name": "n" })).is_err(),
        "version is required"
    );
    assert!(
        serde_json::from_value::<LoggingMessageNotificationParams>(json!({ "level": "info" }))
            .is_err(),
        "data is required"
    );
    assert!(
        serde_json::from_value::<CallToolResult>(json!({})).is_err(),
        "content is required"
    );
    assert!(
        serde_json::from_value::<ProgressNotificationParams>(json!({ "progress": 1 })).is_err()
    );
    assert!(serde_json::from_value::<Task>(json!({ "taskId": "t", "status": "working" })).is_err());
    assert!(
        serde_json::from_value::<Reference>(json!({ "type": "ref/other", "name": "x" })).is_err()
    );
}

#[test]
fn builders_emit_valid_messages() {
    let tool = Tool::new(
        "add",
        obj(json!({ "type": "object", "properties": { "a": { "type": "integer" } } })),
    )
    .with_title("Add")
    .with_description("Adds numbers")
    .with_output_schema(obj(json!({ "type": "object" })))
    .with_annotations(
        ToolAnnotations::new()
            .with_read_only_hint(true)
            .with_idempotent_hint(true),
    )
    .with_execution(ToolExecution::new().with_task_support(TaskSupport::Optional))
    .with_icons(vec![
        Icon::new("https://example.com/add.svg")
            .with_mime_type("image/svg+xml")
            .with_theme(IconTheme::Light),
    ]);
    assert_eq!(tool.task_support(), TaskSupport::Optional);
    assert_eq!(
        Tool::new("x", Tool::empty_input_schema()).task_support(),
        TaskSupport::Forbidden
    );
    emit("Tool", &tool);
    emit(
        "ListToolsResult",
        &ListToolsResult::new(vec![tool]).with_next_cursor("2"),
    );
    emit(
        "CallToolResult",
        &CallToolResult::error(vec!["boom".into()]),
    );
    assert!(CallToolResult::error(vec![]).is_error());
    assert!(!CallToolResult::new(vec![]).is_error());
    emit(
        "CallToolResult",
        &CallToolResult::new(vec![ContentBlock::text("{\"a\":1}")])
            .with_structured_content(obj(json!({ "a": 1 }))),
    );
    emit(
        "CallToolRequestParams",
        &CallToolRequestParams::new("add")
            .with_arguments(obj(json!({ "a": 1 })))
            .with_task(TaskMetadata::new().with_ttl(5000u64)),
    );

    let caps =
        ServerCapabilities::new()
            .with_tools(ToolsCapability::new().with_list_changed(true))
            .with_resources(ResourcesCapability::new().with_subscribe(true))
            .with_prompts(PromptsCapability::new())
            .with_logging(crate::JsonObject::new())
            .with_completions(crate::JsonObject::new())
            .with_tasks(
                ServerTasksCapability::new()
                    .with_list(crate::JsonObject::new())
                    .with_requests(ServerTaskRequestsCapability::new().with_tools(
                        ToolsTasksCapability::new().with_call(crate::JsonObject::new()),
                    )),
            );
    let init = InitializeResult::new(
        "2025-11-25",
        caps,
        Implementation::new("demo", "1.0").with_website_url("https://example.com"),
    )
    .with_instructions("Be nice");
    emit("InitializeResult", &init);
    let client_caps = ClientCapabilities::new()
        .with_roots(RootsCapability::new().with_list_changed(true))
        .with_sampling(SamplingCapability::new().with_tools(crate::JsonObject::new()))
        .with_elicitation(ElicitationCapability::new())
        .with_tasks(
            ClientTasksCapability::new().with_requests(
                ClientTaskRequestsCapability::new()
                    .with_sampling(
                        SamplingTasksCapability::new()
                            .with_create_message(crate::JsonObject::new()),
                    )
                    .with_elicitation(
                        ElicitationTasksCapability::new().with_create(crate::JsonObject::new()),
                    ),
            ),
        );
    emit(
        "InitializeRequestParams",
        &InitializeRequestParams::new("2025-11-25", client_caps, Implementation::new("c", "0.1")),
    );

    emit(
        "ListResourcesResult",
        &ListResourcesResult::new(vec![
            Resource::new("file:///a.txt", "a")
                .with_mime_type("text/plain")
                .with_annotations(Annotations::new().with_last_modified("2025-01-01T00:00:00Z")),
        ]),
    );
    emit(
        "ListResourceTemplatesResult",
        &ListResourceTemplatesResult::new(vec![ResourceTemplate::new("file:///{path}", "files")]),
    );
    emit(
        "ReadResourceResult",
        &ReadResourceResult::new(vec![ResourceContents::blob("file:///a.bin", "AAAA")]),
    );
    emit(
        "GetPromptResult",
        &GetPromptResult::new(vec![
            PromptMessage::user("Hello"),
            PromptMessage::assistant(ContentBlock::image("AAAA", "image/png")),
        ])
        .with_description("d"),
    );
    emit(
        "ListPromptsResult",
        &ListPromptsResult::new(vec![
            Prompt::new("p").with_arguments(vec![PromptArgument::new("a").with_required(true)]),
        ]),
    );
    emit(
        "CompleteRequestParams",
        &CompleteRequestParams::new(PromptReference::new("p"), CompleteArgument::new("a", "x"))
            .with_context(
                CompleteContext::new()
                    .with_arguments(BTreeMap::from([("b".to_owned(), "1".to_owned())])),
            ),
    );
    emit(
        "CompleteRequestParams",
        &CompleteRequestParams::new(
            ResourceTemplateReference::new("db://{id}"),
            CompleteArgument::new("id", ""),
        ),
    );
    emit(
        "SetLevelRequestParams",
        &SetLevelRequestParams::new(LoggingLevel::Notice),
    );
    emit(
        "LoggingMessageNotificationParams",
        &LoggingMessageNotificationParams::new(LoggingLevel::Error, json!({ "msg": "x" }))
            .with_logger("db"),
    );
    emit(
        "ListRootsResult",
        &ListRootsResult::new(vec![Root::new("file:///home").with_name("home")]),
    );
    emit(
        "CancelledNotificationParams",
        &CancelledNotificationParams::new(RequestId::Number(4)).with_reason("timeout"),
    );
    emit(
        "ResourceUpdatedNotificationParams",
        &ResourceUpdatedNotificationParams::new("file:///a"),
    );
    emit(
        "GetTaskRequest/properties/params",
        &GetTaskRequestParams::new("t"),
    );
    emit("EmptyResult", &EmptyResult::new());
    emit(
        "PaginatedRequestParams",
        &PaginatedRequestParams::new().with_cursor("c"),
    );
    emit(
        "ElicitationCompleteNotification/properties/params",
        &ElicitationCompleteNotificationParams::new("e"),
    );
}

#[test]
fn completion_is_capped_at_100() {
    let c = Completion::from_candidates((0..250).map(|i| format!("v{i}")));
    assert_eq!(c.values.len(), MAX_COMPLETION_VALUES);
    assert_eq!(c.total, Some(250));
    assert_eq!(c.has_more, Some(true));
    emit("CompleteResult", &CompleteResult::new(c));
    let small = Completion::from_candidates(["a", "b"]);
    assert_eq!(
        emit("CompleteResult/properties/completion", &small),
        json!({ "values": ["a", "b"] })
    );
}

#[test]
fn nested_unknown_members_survive() {
    // Unknown members at several depths of one message come back unchanged.
    let json = json!({
        "tools": [{
            "name": "t", "inputSchema": { "type": "object", "x-schema-ext": { "deep": true } },
            "annotations": { "x-hint": 1 }, "execution": { "x-exec": [] }, "icons": [{ "src": "https://e.com/i.png", "x-i": 0 }],
            "x-tool": "kept"
        }],
        "x-result": { "a": null }
    });
    let decoded = round_trip::<ListToolsResult>("ListToolsResult", json);
    assert_eq!(decoded.extra["x-result"], json!({ "a": null }));
    assert_eq!(decoded.tools[0].extra["x-tool"], "kept");
}

#[test]
fn request_meta_keeps_progress_token_type() {
    for token in [json!(5), json!("5")] {
        let params: CallToolRequestParams = serde_json::from_value(
            json!({ "name": "t", "_meta": { "progressToken": token, "k": "v" } }),
        )
        .expect("decodes");
        let meta = params.meta.as_ref().expect("meta");
        assert_eq!(meta.extra["k"], "v");
        assert_eq!(
            serde_json::to_value(&params).expect("ser")["_meta"]["progressToken"],
            token
        );
    }
    // A `null` token reads as "no token" and is never echoed back as `null`.
    let m: RequestMeta = serde_json::from_value(json!({ "progressToken": null })).expect("decodes");
    assert!(m.progress_token.is_none());
    assert_eq!(serde_json::to_value(&m).expect("ser"), json!({}));
}

#[test]
fn static_names_cover_the_revision_and_nothing_else() {
    use super::method_names as m;
    for name in [
        m::INITIALIZE,
        m::PING,
        m::TOOLS_CALL,
        m::TOOLS_LIST,
        m::NOTIFICATIONS_CANCELLED,
        m::NOTIFICATIONS_PROGRESS,
    ] {
        assert_eq!(super::static_name(name), Some(name));
    }
    assert_eq!(super::static_name("tools/calls"), None);
    assert_eq!(super::static_name("quick"), None);
}
