//! Requests from a handler to the client: elicitation (form and URL), sampling and roots.
//!
//! Each request is sent on behalf of the request being handled (so over Streamable HTTP it
//! travels on that call's stream), is refused with a clear error when the client did not
//! declare the capability, and is cancelled when the calling request is cancelled.
//!
//! ```
//! use mcp_server::prelude::*;
//! use mcp_server::client_requests::Elicitation;
//!
//! /// Contact details to ask the user for.
//! #[derive(Deserialize, JsonSchema)]
//! struct Contact {
//!     /// Your name.
//!     name: String,
//!     /// How many tickets (1-10).
//!     tickets: u8,
//!     /// Subscribe to the newsletter?
//!     #[serde(default)]
//!     newsletter: bool,
//! }
//!
//! /// Book tickets, asking the user for their details.
//! #[tool]
//! async fn book(ctx: Context) -> Result<String, ToolError> {
//!     match ctx.elicit::<Contact>("Who are the tickets for?").await? {
//!         Elicitation::Accept(c) => Ok(format!("booked {} for {}", c.tickets, c.name)),
//!         Elicitation::Decline => Ok("the user declined".into()),
//!         Elicitation::Cancel => Ok("the user dismissed the form".into()),
//!     }
//! }
//! # let _ = Server::new("doc").tool(book);
//! ```

use mcp_core::JsonObject;
use mcp_core::McpError;
use mcp_core::model::{
    CreateMessageRequestParams, CreateMessageResult, ElicitAction, ElicitRequestFormParams,
    ElicitRequestURLParams, ElicitResult, ElicitationCompleteNotificationParams, ListRootsResult,
    Role, Root, SamplingContent, SamplingMessage, SamplingMessageContentBlock, TaskStatus,
};
use mcp_core::peer::RequestOptions;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::context::Context;

/// What the user did with a form elicitation: the specification's three outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elicitation<T> {
    /// The user submitted the form; its values, parsed.
    Accept(T),
    /// The user explicitly refused.
    Decline,
    /// The user dismissed the request without choosing.
    Cancel,
}

impl Context {
    /// Asks the user, through the client, to fill in a form for `T`.
    ///
    /// The form's schema is derived from `T`: a flat object whose fields are strings (with
    /// `format` email, uri, date or date-time and length bounds), numbers, integers, booleans,
    /// string enums (single choice; with titles when the variants have doc comments), or lists
    /// of enum values (multiple choice). `Option` fields are optional, and `#[serde(default)]`
    /// values become the form's defaults (for field types that implement `Serialize`, which is
    /// how the default is written into the schema). Any other field type is an error naming the
    /// field.
    pub async fn elicit<T: DeserializeOwned + JsonSchema>(
        &self,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, McpError> {
        let schema = elicitation_schema::<T>().map_err(McpError::internal)?;
        let result = self.elicit_with_schema(message, schema).await?;
        match result.action {
            ElicitAction::Accept => {
                let content = serde_json::to_value(result.content.unwrap_or_default())
                    .map_err(|e| McpError::internal(e.to_string()))?;
                serde_json::from_value(content)
                    .map(Elicitation::Accept)
                    .map_err(|e| {
                        McpError::invalid_params(format!(
                            "the client's elicitation answer does not match the requested form: {e}"
                        ))
                    })
            }
            ElicitAction::Decline => Ok(Elicitation::Decline),
            _ => Ok(Elicitation::Cancel),
        }
    }

    /// Asks the user to fill in a form described by `requested_schema` (a restricted JSON
    /// Schema object: see the specification's elicitation schema), and returns the raw result.
    pub async fn elicit_with_schema(
        &self,
        message: impl Into<String>,
        requested_schema: JsonObject,
    ) -> Result<ElicitResult, McpError> {
        let supports_form = self
            .client_capabilities()
            .and_then(|c| c.elicitation)
            .is_some_and(|e| e.supports_form());
        if !supports_form {
            return Err(missing_capability("elicitation", "form-mode elicitation"));
        }
        let params = ElicitRequestFormParams::new(message, requested_schema);
        self.client_request("elicitation/create", &params).await
    }

    /// Asks the user to open `url` out of band (URL-mode elicitation, e.g. for credentials that
    /// must not pass through the client). `Accept` means the user consented to open it, not that
    /// the interaction finished: send [`Context::elicitation_complete`] when it has.
    pub async fn elicit_url(
        &self,
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Result<ElicitAction, McpError> {
        let supports_url = self
            .client_capabilities()
            .and_then(|c| c.elicitation)
            .is_some_and(|e| e.supports_url());
        if !supports_url {
            return Err(missing_capability(
                "elicitation.url",
                "URL-mode elicitation",
            ));
        }
        let params = ElicitRequestURLParams::new(message, url, elicitation_id);
        let result: ElicitResult = self.client_request("elicitation/create", &params).await?;
        Ok(result.action)
    }

    /// Tells the client that the URL-mode elicitation `elicitation_id` has completed. Sent as
    /// part of the current request (over Streamable HTTP, on its stream) while it runs.
    pub async fn elicitation_complete(&self, elicitation_id: &str) -> Result<(), McpError> {
        let mut params = ElicitationCompleteNotificationParams::new(elicitation_id);
        let related = match self.related_meta() {
            Some(meta) => {
                params = params.with_meta(meta);
                self.task_result_stream_now().await
            }
            None => Some(self.request_id().clone()),
        };
        let bytes = mcp_core::jsonrpc::encode_notification(
            "notifications/elicitation/complete",
            Some(&params),
        );
        self.peer()
            .send(bytes, related, mcp_core::peer::OutboundKind::Notification)
            .await
    }

    /// Asks the client's model for a completion (`sampling/createMessage`).
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, McpError> {
        let Some(sampling) = self.client_capabilities().and_then(|c| c.sampling) else {
            return Err(missing_capability("sampling", "sampling"));
        };
        if (params.tools.is_some() || params.tool_choice.is_some()) && sampling.tools.is_none() {
            return Err(missing_capability("sampling.tools", "tool use in sampling"));
        }
        self.client_request("sampling/createMessage", &params).await
    }

    /// Asks the client's model to answer `prompt` (one user message) in at most `max_tokens`
    /// tokens, and returns the text of its answer.
    pub async fn sample_text(
        &self,
        prompt: impl Into<String>,
        max_tokens: u64,
    ) -> Result<String, McpError> {
        let message =
            SamplingMessage::new(Role::User, SamplingMessageContentBlock::text(prompt.into()));
        let result = self
            .sample(CreateMessageRequestParams::new(vec![message], max_tokens))
            .await?;
        let blocks: Vec<SamplingMessageContentBlock> = match result.content {
            SamplingContent::Single(block) => vec![block],
            SamplingContent::Multiple(blocks) => blocks,
            _ => Vec::new(),
        };
        Ok(blocks
            .iter()
            .filter_map(|b| match b {
                SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// The client's roots (`roots/list`): the directories or files it lets the server work in.
    pub async fn roots(&self) -> Result<Vec<Root>, McpError> {
        if self.client_capabilities().and_then(|c| c.roots).is_none() {
            return Err(missing_capability("roots", "roots"));
        }
        let result: ListRootsResult = self
            .client_request("roots/list", &JsonObject::new())
            .await?;
        Ok(result.roots)
    }

    /// Sends a request to the client on behalf of the current request; cancelled (with
    /// `notifications/cancelled` to the client) when the current request is.
    ///
    /// In a task, the task is `input_required` while the client answers (then `working`
    /// again), and the request carries the related-task `_meta` and travels with the newest
    /// `tasks/result` request waiting for the task.
    async fn client_request<R: DeserializeOwned>(
        &self,
        method: &str,
        params: &impl Serialize,
    ) -> Result<R, McpError> {
        let Some(task_meta) = self.related_meta() else {
            let options = RequestOptions::new().related(self.request_id().clone());
            let raw = self.send_to_client(method, params, options).await?;
            return parse_answer(method, &raw);
        };
        let mut params = serde_json::to_value(params)
            .map_err(|e| McpError::internal(format!("`{method}` params: {e}")))?;
        if let Some(obj) = params.as_object_mut() {
            let meta = obj
                .entry("_meta")
                .or_insert_with(|| Value::Object(JsonObject::new()));
            if let Some(meta) = meta.as_object_mut() {
                meta.extend(task_meta);
            }
        }
        // In a task: input_required until the client has answered.
        self.update_task(Some(TaskStatus::InputRequired), None)
            .await;
        let raw = async {
            let mut options = RequestOptions::new();
            if let Some(id) = self.task_result_stream().await {
                options = options.related(id);
            }
            self.send_to_client(method, &params, options).await
        }
        .await;
        self.update_task(Some(TaskStatus::Working), None).await;
        parse_answer(method, &raw?)
    }

    async fn send_to_client(
        &self,
        method: &str,
        params: &impl Serialize,
        options: RequestOptions,
    ) -> Result<Box<serde_json::value::RawValue>, McpError> {
        let request = self.peer().request_raw(method, Some(params), options);
        tokio::select! {
            r = request => r.map_err(McpError::from),
            () = self.cancelled() => {
                Err(McpError::internal(format!("`{method}` abandoned: the calling request was cancelled")))
            }
        }
    }
}

fn parse_answer<R: DeserializeOwned>(
    method: &str,
    raw: &serde_json::value::RawValue,
) -> Result<R, McpError> {
    serde_json::from_str(raw.get()).map_err(|e| {
        McpError::internal(format!(
            "the client's answer to `{method}` is malformed: {e}"
        ))
    })
}

fn missing_capability(capability: &str, what: &str) -> McpError {
    McpError::invalid_request(format!(
        "the client does not support {what}: it did not declare the `{capability}` capability"
    ))
}

/// The restricted elicitation schema of `T` (see [`Context::elicit`]), or an error naming the
/// field that cannot be shown as a form control.
pub fn elicitation_schema<T: JsonSchema>() -> Result<JsonObject, String> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12().for_deserialize();
    settings.meta_schema = None;
    settings.inline_subschemas = true;
    let root = Value::from(settings.into_generator().root_schema_for::<T>());
    let type_name = std::any::type_name::<T>();
    let Some(properties) = root.get("properties").and_then(Value::as_object) else {
        return Err(format!(
            "`{type_name}` cannot be elicited: it is not a struct with named fields"
        ));
    };
    let mut out_props = JsonObject::new();
    for (name, prop) in properties {
        let converted = primitive(prop)
            .map_err(|why| format!("`{type_name}` cannot be elicited: field `{name}` {why}"))?;
        out_props.insert(name.clone(), converted);
    }
    let mut schema = JsonObject::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(out_props));
    if let Some(required) = root.get("required").and_then(Value::as_array)
        && !required.is_empty()
    {
        schema.insert("required".into(), Value::Array(required.clone()));
    }
    Ok(schema)
}

/// Converts one property schema to a primitive elicitation schema.
fn primitive(prop: &Value) -> Result<Value, String> {
    let obj = prop.as_object().ok_or("has no schema")?;
    // Option<T>: `type: [T, "null"]`, or `anyOf: [T, {type: null}]`.
    if let Some(any_of) = obj.get("anyOf").and_then(Value::as_array) {
        let non_null: Vec<&Value> = any_of
            .iter()
            .filter(|s| s.get("type") != Some(&"null".into()))
            .collect();
        if non_null.len() == 1 && any_of.len() == 2 {
            let mut inner = primitive(non_null[0])?;
            copy_keys(
                obj,
                inner.as_object_mut().expect("primitive returns objects"),
                &["title", "description", "default"],
            );
            return Ok(inner);
        }
    }
    let ty = match obj.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => {
            let non_null: Vec<&str> = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            (non_null.len() == 1).then(|| non_null[0])
        }
        _ => None,
    };
    let mut out = JsonObject::new();
    copy_keys(obj, &mut out, &["title", "description", "default"]);
    if let Some(options) = titled_options(obj) {
        out.insert("type".into(), "string".into());
        out.insert("oneOf".into(), Value::Array(options));
        return Ok(Value::Object(out));
    }
    match ty {
        Some("string") => {
            out.insert("type".into(), "string".into());
            if let Some(values) = obj.get("enum") {
                out.insert("enum".into(), values.clone());
            }
            if let Some(format) = obj.get("format").and_then(Value::as_str)
                && matches!(format, "email" | "uri" | "date" | "date-time")
            {
                out.insert("format".into(), format.into());
            }
            copy_keys(obj, &mut out, &["minLength", "maxLength"]);
        }
        Some(t @ ("integer" | "number")) => {
            out.insert("type".into(), t.into());
            copy_keys(obj, &mut out, &["minimum", "maximum"]);
        }
        Some("boolean") => {
            out.insert("type".into(), "boolean".into());
        }
        Some("array") => {
            let items = obj
                .get("items")
                .and_then(Value::as_object)
                .ok_or("is a list without an item type")?;
            let mut out_items = JsonObject::new();
            if let Some(options) = titled_options(items) {
                out_items.insert("anyOf".into(), Value::Array(options));
            } else if let Some(values) = items.get("enum") {
                out_items.insert("type".into(), "string".into());
                out_items.insert("enum".into(), values.clone());
            } else {
                return Err(
                    "is a list, and only lists of enum values (multiple choice) can be elicited"
                        .into(),
                );
            }
            out.insert("type".into(), "array".into());
            out.insert("items".into(), Value::Object(out_items));
            copy_keys(obj, &mut out, &["minItems", "maxItems"]);
        }
        _ => {
            return Err(
                "is not a string, number, integer, boolean, enum or list of enum values".into(),
            );
        }
    }
    Ok(Value::Object(out))
}

/// `oneOf` (or `anyOf`) of string constants, each titled by its title or doc comment.
fn titled_options(obj: &JsonObject) -> Option<Vec<Value>> {
    let list = obj.get("oneOf").or_else(|| obj.get("anyOf"))?.as_array()?;
    list.iter()
        .map(|item| {
            let value = item.get("const").and_then(Value::as_str)?;
            let title = item
                .get("title")
                .or_else(|| item.get("description"))
                .and_then(Value::as_str)
                .unwrap_or(value);
            Some(serde_json::json!({ "const": value, "title": title }))
        })
        .collect()
}

fn copy_keys(from: &JsonObject, to: &mut JsonObject, keys: &[&str]) {
    for key in keys {
        if let Some(v) = from.get(*key) {
            to.insert((*key).to_owned(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    fn default_name() -> String {
        "John Doe".into()
    }
    fn default_age() -> i64 {
        30
    }
    fn default_score() -> f64 {
        95.5
    }
    fn default_true() -> bool {
        true
    }

    #[derive(Serialize, Deserialize, JsonSchema, Default, PartialEq, Debug)]
    #[serde(rename_all = "lowercase")]
    enum Status {
        #[default]
        Active,
        Inactive,
        Pending,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Defaults {
        #[serde(default = "default_name")]
        name: String,
        #[serde(default = "default_age")]
        age: i64,
        #[serde(default = "default_score")]
        score: f64,
        #[serde(default)]
        status: Status,
        #[serde(default = "default_true")]
        verified: bool,
    }

    #[test]
    fn defaults_of_every_primitive_type_are_kept() {
        let s = elicitation_schema::<Defaults>().unwrap();
        let p = &s["properties"];
        assert_eq!(p["name"], json!({"type": "string", "default": "John Doe"}));
        assert_eq!(p["age"], json!({"type": "integer", "default": 30}));
        assert_eq!(p["score"], json!({"type": "number", "default": 95.5}));
        assert_eq!(p["status"]["type"], "string");
        assert_eq!(
            p["status"]["enum"],
            json!(["active", "inactive", "pending"])
        );
        assert_eq!(p["status"]["default"], "active");
        assert_eq!(p["verified"], json!({"type": "boolean", "default": true}));
        assert!(s.get("required").is_none());
    }

    /// A colour, with titles from doc comments.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    enum Colour {
        /// Bright red
        #[serde(rename = "red")]
        Red,
        /// Deep blue
        #[serde(rename = "blue")]
        Blue,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Choices {
        /// Pick one.
        colour: Colour,
        /// Pick several.
        favourites: Vec<Colour>,
        plain: Vec<Status>,
        nickname: Option<String>,
        /// Contact address.
        #[schemars(email)]
        email: String,
    }

    #[test]
    fn enums_become_titled_or_untitled_choices_and_options_are_optional() {
        let s = elicitation_schema::<Choices>().unwrap();
        let p = &s["properties"];
        assert_eq!(p["colour"]["type"], "string");
        assert_eq!(
            p["colour"]["oneOf"],
            json!([{"const": "red", "title": "Bright red"}, {"const": "blue", "title": "Deep blue"}])
        );
        assert_eq!(p["favourites"]["type"], "array");
        assert_eq!(
            p["favourites"]["items"]["anyOf"][1],
            json!({"const": "blue", "title": "Deep blue"})
        );
        assert_eq!(
            p["plain"]["items"],
            json!({"type": "string", "enum": ["active", "inactive", "pending"]})
        );
        assert_eq!(p["nickname"]["type"], "string");
        assert_eq!(p["email"]["format"], "email");
        let required: Vec<&str> = s["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(required.contains(&"colour") && !required.contains(&"nickname"));
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Nested {
        inner: Defaults,
    }

    #[test]
    fn nested_objects_are_refused_naming_the_field() {
        let e = elicitation_schema::<Nested>().unwrap_err();
        assert!(e.contains("field `inner`"), "{e}");
        let e = elicitation_schema::<Vec<String>>().unwrap_err();
        assert!(e.contains("not a struct"), "{e}");
    }
}
