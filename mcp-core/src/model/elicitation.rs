//! Elicitation: `elicitation/create` in form and URL modes, the form schema types, the result,
//! `notifications/elicitation/complete` and the data of the -32042 error.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::JsonObject;
use crate::error::{ErrorCode, McpError};
use crate::model::common::RequestMeta;
use crate::model::support::{from_object, object_with_tag};
use crate::model::tasks::TaskMetadata;

wire_tag! {
    FormModeTag = "form",
    UrlModeTag = "url",
    ObjectTypeTag = "object",
    StringTypeTag = "string",
    BooleanTypeTag = "boolean",
    ArrayTypeTag = "array",
}

/// Params of `elicitation/create`: a form to fill in, or a URL to visit. On the wire the `mode`
/// member tells them apart; a missing `mode` means form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ElicitRequestParams {
    /// Form mode (`"mode": "form"` or no `mode`).
    Form(ElicitRequestFormParams),
    /// URL mode (`"mode": "url"`).
    Url(ElicitRequestURLParams),
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (object, mode) = object_with_tag(deserializer, "mode")?;
        match mode.as_deref() {
            None | Some("form") => from_object(object).map(Self::Form),
            Some("url") => from_object(object).map(Self::Url),
            Some(other) => Err(de::Error::custom(format_args!(
                "unknown elicitation mode `{other}`"
            ))),
        }
    }
}

impl ElicitRequestParams {
    /// The message shown to the user.
    pub fn message(&self) -> &str {
        match self {
            Self::Form(p) => &p.message,
            Self::Url(p) => &p.message,
        }
    }

    /// The wire name of the mode: `"form"` or `"url"`.
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Form(_) => "form",
            Self::Url(_) => "url",
        }
    }
}

impl From<ElicitRequestFormParams> for ElicitRequestParams {
    fn from(p: ElicitRequestFormParams) -> Self {
        Self::Form(p)
    }
}

impl From<ElicitRequestURLParams> for ElicitRequestParams {
    fn from(p: ElicitRequestURLParams) -> Self {
        Self::Url(p)
    }
}

/// Form-mode params of `elicitation/create`: a message and a flat schema of fields to ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitRequestFormParams {
    /// Whether `"mode": "form"` was (or is to be) written; a missing mode means form too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mode: Option<FormModeTag>,
    /// `message`: what is being asked, for the user.
    pub message: String,
    /// `requestedSchema`: a flat object schema of primitive fields, kept verbatim. Build one with
    /// [`ElicitationSchema`] or read one with [`ElicitationSchema::from_json_object`].
    pub requested_schema: JsonObject,
    /// `task`: asks for the request to run as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitRequestFormParams {
    /// Asks `message` with a form described by `requested_schema`. No `mode` member is written,
    /// which every revision with elicitation reads as form mode.
    pub fn new(message: impl Into<String>, requested_schema: impl Into<JsonObject>) -> Self {
        Self {
            mode: None,
            message: message.into(),
            requested_schema: requested_schema.into(),
            task: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }

    /// Writes `"mode": "form"` explicitly (or not).
    #[must_use]
    pub fn with_explicit_mode(mut self, explicit: bool) -> Self {
        self.mode = explicit.then_some(FormModeTag);
        self
    }
}

setters!(ElicitRequestFormParams {
    with_task => task: TaskMetadata,
    with_meta => meta: RequestMeta,
});

/// URL-mode params of `elicitation/create`: a URL the user should open outside the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitRequestURLParams {
    mode: UrlModeTag,
    /// `message`: why the user should open the URL.
    pub message: String,
    /// `url`: the URL to open.
    pub url: String,
    /// `elicitationId`: identifies this elicitation (echoed by the completion notification).
    pub elicitation_id: String,
    /// `task`: asks for the request to run as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// `_meta`: request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<RequestMeta>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitRequestURLParams {
    /// Asks the user to open `url`, explaining why with `message`.
    pub fn new(
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Self {
        Self {
            mode: UrlModeTag,
            message: message.into(),
            url: url.into(),
            elicitation_id: elicitation_id.into(),
            task: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ElicitRequestURLParams {
    with_task => task: TaskMetadata,
    with_meta => meta: RequestMeta,
});

/// A typed form schema for [`ElicitRequestFormParams::requested_schema`]: an object whose
/// properties are primitive fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitationSchema {
    #[serde(rename = "type")]
    kind: ObjectTypeTag,
    /// `$schema`: the JSON Schema dialect, when not the default 2020-12.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `properties`: the fields, by name.
    pub properties: BTreeMap<String, PrimitiveSchemaDefinition>,
    /// `required`: the names of the fields that must be filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitationSchema {
    /// A form without fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the field `name`, marking it required if `required`.
    #[must_use]
    pub fn with_property(
        mut self,
        name: impl Into<String>,
        schema: impl Into<PrimitiveSchemaDefinition>,
        required: bool,
    ) -> Self {
        let name = name.into();
        if required {
            self.required
                .get_or_insert_with(Vec::new)
                .push(name.clone());
        }
        self.properties.insert(name, schema.into());
        self
    }

    /// Reads a `requestedSchema` into the typed form.
    pub fn from_json_object(schema: &JsonObject) -> Result<Self, serde_json::Error> {
        Self::deserialize(Value::Object(schema.clone()))
    }

    /// The schema as a JSON object.
    pub fn to_json_object(&self) -> JsonObject {
        match serde_json::to_value(self) {
            Ok(Value::Object(object)) => object,
            // A struct with string keys always serializes to an object.
            _ => JsonObject::new(),
        }
    }
}

setters!(ElicitationSchema {
    with_schema => schema: String,
});

impl From<ElicitationSchema> for JsonObject {
    fn from(schema: ElicitationSchema) -> Self {
        schema.to_json_object()
    }
}

/// One field of an elicitation form: a string, number, boolean or enum schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum PrimitiveSchemaDefinition {
    /// A free-text field (`"type": "string"`).
    String(StringSchema),
    /// A numeric field (`"type": "number"` or `"integer"`).
    Number(NumberSchema),
    /// A yes/no field (`"type": "boolean"`).
    Boolean(BooleanSchema),
    /// Pick one of plain values (`"type": "string"` with `enum`).
    UntitledSingleSelectEnum(UntitledSingleSelectEnumSchema),
    /// Pick one of titled values (`"type": "string"` with `oneOf`).
    TitledSingleSelectEnum(TitledSingleSelectEnumSchema),
    /// Pick several plain values (`"type": "array"` with `items.enum`).
    UntitledMultiSelectEnum(UntitledMultiSelectEnumSchema),
    /// Pick several titled values (`"type": "array"` with `items.anyOf`).
    TitledMultiSelectEnum(TitledMultiSelectEnumSchema),
    /// The deprecated titled enum (`"type": "string"` with `enum` and `enumNames`).
    LegacyTitledEnum(LegacyTitledEnumSchema),
}

impl<'de> Deserialize<'de> for PrimitiveSchemaDefinition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (object, kind) = object_with_tag(deserializer, "type")?;
        match kind.as_deref() {
            Some("string") if object.contains_key("oneOf") => {
                from_object(object).map(Self::TitledSingleSelectEnum)
            }
            Some("string") if object.contains_key("enum") && object.contains_key("enumNames") => {
                from_object(object).map(Self::LegacyTitledEnum)
            }
            Some("string") if object.contains_key("enum") => {
                from_object(object).map(Self::UntitledSingleSelectEnum)
            }
            Some("string") => from_object(object).map(Self::String),
            Some("number" | "integer") => from_object(object).map(Self::Number),
            Some("boolean") => from_object(object).map(Self::Boolean),
            Some("array") => {
                let titled = object
                    .get("items")
                    .and_then(Value::as_object)
                    .is_some_and(|items| items.contains_key("anyOf"));
                if titled {
                    from_object(object).map(Self::TitledMultiSelectEnum)
                } else {
                    from_object(object).map(Self::UntitledMultiSelectEnum)
                }
            }
            Some(other) => Err(de::Error::custom(format_args!(
                "unsupported elicitation field type `{other}`"
            ))),
            None => Err(de::Error::missing_field("type")),
        }
    }
}

impl From<StringSchema> for PrimitiveSchemaDefinition {
    fn from(s: StringSchema) -> Self {
        Self::String(s)
    }
}

impl From<NumberSchema> for PrimitiveSchemaDefinition {
    fn from(s: NumberSchema) -> Self {
        Self::Number(s)
    }
}

impl From<BooleanSchema> for PrimitiveSchemaDefinition {
    fn from(s: BooleanSchema) -> Self {
        Self::Boolean(s)
    }
}

impl From<UntitledSingleSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(s: UntitledSingleSelectEnumSchema) -> Self {
        Self::UntitledSingleSelectEnum(s)
    }
}

impl From<TitledSingleSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(s: TitledSingleSelectEnumSchema) -> Self {
        Self::TitledSingleSelectEnum(s)
    }
}

impl From<UntitledMultiSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(s: UntitledMultiSelectEnumSchema) -> Self {
        Self::UntitledMultiSelectEnum(s)
    }
}

impl From<TitledMultiSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(s: TitledMultiSelectEnumSchema) -> Self {
        Self::TitledMultiSelectEnum(s)
    }
}

impl From<LegacyTitledEnumSchema> for PrimitiveSchemaDefinition {
    fn from(s: LegacyTitledEnumSchema) -> Self {
        Self::LegacyTitledEnum(s)
    }
}

/// A free-text form field (`"type": "string"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringSchema {
    #[serde(rename = "type")]
    kind: StringTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `minLength`: the fewest characters accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// `maxLength`: the most characters accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// `format`: a well-known string format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StringFormat>,
    /// `default`: the initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Members this crate does not model (e.g. `pattern`), kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl StringSchema {
    /// A plain text field.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(StringSchema {
    with_title => title: String,
    with_description => description: String,
    with_min_length => min_length: u64,
    with_max_length => max_length: u64,
    with_format => format: StringFormat,
    with_default => default: String,
});

/// The `format` of a [`StringSchema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StringFormat {
    /// `"email"`.
    Email,
    /// `"uri"`.
    Uri,
    /// `"date"`.
    Date,
    /// `"date-time"`.
    DateTime,
}

/// Whether a [`NumberSchema`] accepts any number or only integers (its `type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum NumberType {
    /// `"number"`.
    #[default]
    Number,
    /// `"integer"`.
    Integer,
}

/// A numeric form field (`"type": "number"` or `"integer"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumberSchema {
    /// `type`: number or integer.
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `minimum`: the smallest value accepted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub minimum: Option<f64>,
    /// `maximum`: the largest value accepted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub maximum: Option<f64>,
    /// `default`: the initial value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::support::ser_opt_f64"
    )]
    pub default: Option<f64>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl NumberSchema {
    /// A field of `kind` (number or integer).
    pub fn new(kind: NumberType) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }
}

setters!(NumberSchema {
    with_title => title: String,
    with_description => description: String,
    with_minimum => minimum: f64,
    with_maximum => maximum: f64,
    with_default => default: f64,
});

/// A yes/no form field (`"type": "boolean"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BooleanSchema {
    #[serde(rename = "type")]
    kind: BooleanTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `default`: the initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl BooleanSchema {
    /// A yes/no field.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(BooleanSchema {
    with_title => title: String,
    with_description => description: String,
    with_default => default: bool,
});

/// A value and its display label (`{"const": .., "title": ..}`) in titled enums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EnumOption {
    /// `const`: the value sent back.
    #[serde(rename = "const")]
    pub value: String,
    /// `title`: the label shown.
    pub title: String,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl EnumOption {
    /// The option `value` shown as `title`.
    pub fn new(value: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            title: title.into(),
            extra: JsonObject::new(),
        }
    }
}

/// Pick one of plain string values (`"type": "string"` with `enum`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UntitledSingleSelectEnumSchema {
    #[serde(rename = "type")]
    kind: StringTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `enum`: the allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// `default`: the initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl UntitledSingleSelectEnumSchema {
    /// A choice among `values`.
    pub fn new(values: Vec<String>) -> Self {
        Self {
            kind: StringTypeTag,
            title: None,
            description: None,
            values,
            default: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(UntitledSingleSelectEnumSchema {
    with_title => title: String,
    with_description => description: String,
    with_default => default: String,
});

/// Pick one of titled values (`"type": "string"` with `oneOf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledSingleSelectEnumSchema {
    #[serde(rename = "type")]
    kind: StringTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `oneOf`: the options.
    pub one_of: Vec<EnumOption>,
    /// `default`: the initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl TitledSingleSelectEnumSchema {
    /// A choice among `options`.
    pub fn new(options: Vec<EnumOption>) -> Self {
        Self {
            kind: StringTypeTag,
            title: None,
            description: None,
            one_of: options,
            default: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(TitledSingleSelectEnumSchema {
    with_title => title: String,
    with_description => description: String,
    with_default => default: String,
});

/// The `items` of an [`UntitledMultiSelectEnumSchema`]: `{"type": "string", "enum": [..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UntitledEnumItems {
    #[serde(rename = "type")]
    kind: StringTypeTag,
    /// `enum`: the allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl UntitledEnumItems {
    /// Items drawn from `values`.
    pub fn new(values: Vec<String>) -> Self {
        Self {
            kind: StringTypeTag,
            values,
            extra: JsonObject::new(),
        }
    }
}

/// Pick several plain string values (`"type": "array"` with `items.enum`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledMultiSelectEnumSchema {
    #[serde(rename = "type")]
    kind: ArrayTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `minItems`: the fewest values to pick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// `maxItems`: the most values to pick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// `items`: the allowed values.
    pub items: UntitledEnumItems,
    /// `default`: the initially picked values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl UntitledMultiSelectEnumSchema {
    /// A multiple choice among `values`.
    pub fn new(values: Vec<String>) -> Self {
        Self {
            kind: ArrayTypeTag,
            title: None,
            description: None,
            min_items: None,
            max_items: None,
            items: UntitledEnumItems::new(values),
            default: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(UntitledMultiSelectEnumSchema {
    with_title => title: String,
    with_description => description: String,
    with_min_items => min_items: u64,
    with_max_items => max_items: u64,
    with_default => default: Vec<String>,
});

/// The `items` of a [`TitledMultiSelectEnumSchema`]: `{"anyOf": [{const, title}, ..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledEnumItems {
    /// `anyOf`: the options.
    pub any_of: Vec<EnumOption>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl TitledEnumItems {
    /// Items drawn from `options`.
    pub fn new(options: Vec<EnumOption>) -> Self {
        Self {
            any_of: options,
            extra: JsonObject::new(),
        }
    }
}

/// Pick several titled values (`"type": "array"` with `items.anyOf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledMultiSelectEnumSchema {
    #[serde(rename = "type")]
    kind: ArrayTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `minItems`: the fewest values to pick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// `maxItems`: the most values to pick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// `items`: the options.
    pub items: TitledEnumItems,
    /// `default`: the initially picked values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl TitledMultiSelectEnumSchema {
    /// A multiple choice among `options`.
    pub fn new(options: Vec<EnumOption>) -> Self {
        Self {
            kind: ArrayTypeTag,
            title: None,
            description: None,
            min_items: None,
            max_items: None,
            items: TitledEnumItems::new(options),
            default: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(TitledMultiSelectEnumSchema {
    with_title => title: String,
    with_description => description: String,
    with_min_items => min_items: u64,
    with_max_items => max_items: u64,
    with_default => default: Vec<String>,
});

/// The deprecated titled enum: `enum` values with parallel `enumNames` labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LegacyTitledEnumSchema {
    #[serde(rename = "type")]
    kind: StringTypeTag,
    /// `title`: the field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`: help text for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `enum`: the allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// `enumNames`: display labels, one per value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_names: Option<Vec<String>>,
    /// `default`: the initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl LegacyTitledEnumSchema {
    /// A choice among `values` labelled by `names`.
    pub fn new(values: Vec<String>, names: Vec<String>) -> Self {
        Self {
            kind: StringTypeTag,
            title: None,
            description: None,
            values,
            enum_names: Some(names),
            default: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(LegacyTitledEnumSchema {
    with_title => title: String,
    with_description => description: String,
    with_default => default: String,
});

/// Result of `elicitation/create` (when not run as a task): what the user did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitResult {
    /// `action`: accepted, declined or cancelled.
    pub action: ElicitAction,
    /// `content`: the submitted form values (form mode, accept only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<BTreeMap<String, ElicitValue>>,
    /// `_meta`: result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitResult {
    /// A result with `action` and no content.
    pub fn new(action: ElicitAction) -> Self {
        Self {
            action,
            content: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }

    /// The user accepted and submitted `content` (use an empty map in URL mode).
    pub fn accept(content: BTreeMap<String, ElicitValue>) -> Self {
        Self {
            content: Some(content),
            ..Self::new(ElicitAction::Accept)
        }
    }

    /// The user refused.
    pub fn decline() -> Self {
        Self::new(ElicitAction::Decline)
    }

    /// The user dismissed the request without choosing.
    pub fn cancel() -> Self {
        Self::new(ElicitAction::Cancel)
    }
}

setters!(ElicitResult {
    with_content => content: BTreeMap<String, ElicitValue>,
    with_meta => meta: JsonObject,
});

/// What the user did with an elicitation (`action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ElicitAction {
    /// `"accept"`: submitted (form) or consented (URL).
    Accept,
    /// `"decline"`: explicitly refused.
    Decline,
    /// `"cancel"`: dismissed.
    Cancel,
}

/// A submitted form value: a string, a number, a boolean or a list of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ElicitValue {
    /// A string.
    String(String),
    /// A number, integer or not, exactly as sent.
    Number(Number),
    /// A boolean.
    Boolean(bool),
    /// A list of strings (multi-select).
    StringArray(Vec<String>),
}

impl ElicitValue {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `f64`, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The number as `i64`, if this is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The strings, if this is a list.
    pub fn as_string_array(&self) -> Option<&[String]> {
        match self {
            Self::StringArray(v) => Some(v),
            _ => None,
        }
    }

    /// A number value; `None` for NaN and infinities, which JSON cannot carry.
    pub fn from_f64(value: f64) -> Option<Self> {
        Number::from_f64(value).map(Self::Number)
    }
}

impl From<String> for ElicitValue {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&str> for ElicitValue {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<bool> for ElicitValue {
    fn from(b: bool) -> Self {
        Self::Boolean(b)
    }
}

impl From<i64> for ElicitValue {
    fn from(n: i64) -> Self {
        Self::Number(n.into())
    }
}

impl From<u64> for ElicitValue {
    fn from(n: u64) -> Self {
        Self::Number(n.into())
    }
}

impl From<Vec<String>> for ElicitValue {
    fn from(v: Vec<String>) -> Self {
        Self::StringArray(v)
    }
}

impl<'de> Deserialize<'de> for ElicitValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;

        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = ElicitValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, a boolean or an array of strings")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ElicitValue, E> {
                Ok(ElicitValue::Boolean(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ElicitValue, E> {
                Ok(ElicitValue::Number(v.into()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ElicitValue, E> {
                Ok(ElicitValue::Number(v.into()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ElicitValue, E> {
                Number::from_f64(v)
                    .map(ElicitValue::Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<ElicitValue, E> {
                Ok(ElicitValue::String(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<ElicitValue, E> {
                Ok(ElicitValue::String(v))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ElicitValue, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element::<String>()? {
                    items.push(item);
                }
                Ok(ElicitValue::StringArray(items))
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

/// Params of `notifications/elicitation/complete`: a URL-mode elicitation has finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitationCompleteNotificationParams {
    /// `elicitationId`: the elicitation that finished.
    pub elicitation_id: String,
    /// `_meta`: notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ElicitationCompleteNotificationParams {
    /// Completion of `elicitation_id`.
    pub fn new(elicitation_id: impl Into<String>) -> Self {
        Self {
            elicitation_id: elicitation_id.into(),
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

setters!(ElicitationCompleteNotificationParams {
    with_meta => meta: JsonObject,
});

/// The `data` of a -32042 error: URL elicitations that must complete before the request can
/// succeed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct URLElicitationRequiredErrorData {
    /// `elicitations`: the URL-mode elicitations to perform.
    pub elicitations: Vec<ElicitRequestURLParams>,
    /// Members this crate does not model, kept as received.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl URLElicitationRequiredErrorData {
    /// Data listing `elicitations`.
    pub fn new(elicitations: Vec<ElicitRequestURLParams>) -> Self {
        Self {
            elicitations,
            extra: JsonObject::new(),
        }
    }

    /// The -32042 error carrying this data, with `message`.
    pub fn into_error(self, message: impl Into<std::borrow::Cow<'static, str>>) -> McpError {
        let data = serde_json::to_value(&self).unwrap_or(Value::Null);
        McpError::new(ErrorCode::URL_ELICITATION_REQUIRED, message).with_data(data)
    }

    /// Reads the data of a -32042 error; `None` for other errors or malformed data.
    pub fn from_error(error: &McpError) -> Option<Self> {
        if error.code != ErrorCode::URL_ELICITATION_REQUIRED {
            return None;
        }
        Self::deserialize(error.data.as_ref()?).ok()
    }
}
