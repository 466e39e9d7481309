//! The JSON-RPC 2.0 envelope as MCP uses it.
//!
//! Decoding is borrowed and lazy: [`decode`] reads the envelope of one message and keeps `params`,
//! `result` and `error` as raw JSON slices of the input, so a handler deserializes its typed
//! parameters straight from the bytes that arrived, with no intermediate `serde_json::Value`.
//! Bad input is classified the way the specification and the JSON-RPC 2.0 rules want it:
//!
//! | input | outcome |
//! |---|---|
//! | not JSON, invalid UTF-8, nesting deeper than the parser's limit | -32700, no id |
//! | JSON that is not an object (or a batch array) | -32600, no id |
//! | a duplicate key in the envelope, or an `id` that is neither a string nor an integer | -32600, no id |
//! | wrong `jsonrpc`, a non-string `method`, non-object `params`, no `method` and no `result`/`error` | -32600, with the id when it could be read |

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::{ErrorCode, McpError};

/// The only JSON-RPC version MCP speaks.
pub const JSONRPC_VERSION: &str = "2.0";

/// A request id: a string or an integer (MCP forbids `null`). The exact type is kept, so a
/// response echoes `1` as `1` and `"1"` as `"1"`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

impl RequestId {
    /// Parses an id from raw JSON: a string or an integer that fits `i64`; anything else is `None`.
    pub fn from_raw(raw: &RawValue) -> Option<Self> {
        Self::from_text(raw.get())
    }

    fn from_text(text: &str) -> Option<Self> {
        match text.as_bytes().first()? {
            b'"' => serde_json::from_str::<Cow<'_, str>>(text)
                .ok()
                .map(|s| Self::String(s.into())),
            b'-' | b'0'..=b'9' => text.parse::<i64>().ok().map(Self::Number),
            _ => None,
        }
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        Self::String(s.into())
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        Self::String(s.into())
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => serializer.serialize_i64(*n),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("integer id out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.into()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// JSON text known to be one well-formed value: the raw `params` of a message, borrowed from the
/// frame it came in or owned (`Box<RawJson>`).
///
/// Like serde_json's `RawValue`, but it can be made from text the SDK's scanner has already
/// checked, so a message's `params` are validated once, not once per layer.
#[repr(transparent)]
pub struct RawJson(str);

impl RawJson {
    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// Checks that `text` is one JSON value (surrounding whitespace is kept).
    pub fn new(text: &str) -> Result<&Self, serde_json::Error> {
        if !crate::json_scan::is_value(text) {
            // The scanner gives up on some valid input; serde_json decides, and explains.
            serde_json::from_str::<de::IgnoredAny>(text)?;
        }
        Ok(Self::new_unchecked(text))
    }

    /// Checks that `text` is one JSON value, and owns it.
    pub fn from_string(text: String) -> Result<Box<Self>, serde_json::Error> {
        Self::new(&text)?;
        Ok(Self::boxed_unchecked(text.into_boxed_str()))
    }

    /// Deserializes the value.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// `text` must be one JSON value.
    #[allow(unsafe_code)]
    pub(crate) fn new_unchecked(text: &str) -> &Self {
        // SAFETY: `RawJson` is `repr(transparent)` over `str`, so the two references have the
        // same layout and metadata.
        unsafe { &*(std::ptr::from_ref::<str>(text) as *const Self) }
    }

    #[allow(unsafe_code)]
    fn boxed_unchecked(text: Box<str>) -> Box<Self> {
        // SAFETY: as in `new_unchecked`; the allocation's layout is the same for both types.
        unsafe { Box::from_raw(Box::into_raw(text) as *mut Self) }
    }
}

impl<'a> From<&'a RawValue> for &'a RawJson {
    fn from(raw: &'a RawValue) -> Self {
        RawJson::new_unchecked(raw.get())
    }
}

impl ToOwned for RawJson {
    type Owned = Box<RawJson>;

    fn to_owned(&self) -> Box<RawJson> {
        RawJson::boxed_unchecked(self.0.into())
    }
}

impl Clone for Box<RawJson> {
    fn clone(&self) -> Self {
        (**self).to_owned()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", &self.0)
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Through serde_json's raw value, so JSON serializers write the text as it is.
        let raw = RawValue::from_string(self.0.to_owned()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A progress token: a string or an integer, echoed exactly as the requester sent it.
pub type ProgressToken = RequestId;

/// One decoded message, borrowing from the input.
#[derive(Debug)]
pub enum Message<'a> {
    /// A request: it has an `id` and a `method`.
    Request(Request<'a>),
    /// A notification: a `method` without an `id`.
    Notification(Notification<'a>),
    /// A response to one of our requests (a result or an error).
    Response(Response<'a>),
}

/// A request borrowed from the input.
#[derive(Debug)]
pub struct Request<'a> {
    /// The id, to echo in the response.
    pub id: RequestId,
    /// The method name.
    pub method: Cow<'a, str>,
    /// The raw `params` object, if any.
    pub params: Option<&'a RawJson>,
}

/// A notification borrowed from the input.
#[derive(Debug)]
pub struct Notification<'a> {
    /// The method name.
    pub method: Cow<'a, str>,
    /// The raw `params` object, if any.
    pub params: Option<&'a RawJson>,
}

/// A response borrowed from the input.
#[derive(Debug)]
pub struct Response<'a> {
    /// The id of the request it answers; `None` for an error response whose id could not be
    /// read by the peer (`"id": null` from older peers is accepted and reads as `None`).
    pub id: Option<RequestId>,
    /// The raw `result`, or the error.
    pub outcome: Result<&'a RawValue, McpError>,
}

/// Why a line could not be decoded: the error to answer with, and the id when it was readable.
#[derive(Debug, Clone)]
pub struct DecodeError {
    /// The request id, when it could be read.
    pub id: Option<RequestId>,
    /// The error to send back.
    pub error: McpError,
}

impl DecodeError {
    fn new(id: Option<RequestId>, error: McpError) -> Self {
        Self { id, error }
    }
}

/// The result of decoding one frame.
#[derive(Debug)]
pub enum Decoded<'a> {
    /// A single message.
    Single(Message<'a>),
    /// A JSON array: a batch (allowed only by revisions 2025-03-26 and earlier). Each element is
    /// still undecoded; pass it to [`decode_value`].
    Batch(Vec<&'a RawValue>),
}

/// The deepest nesting of arrays and objects [`decode`] accepts (serde_json's own limit).
pub const MAX_DEPTH: usize = 128;

/// Whether `input` nests arrays and objects deeper than `limit`. One pass over the bytes,
/// skipping string contents; it runs before any parsing so that no later stage can recurse
/// without bound.
pub fn nesting_exceeds(input: &[u8], limit: usize) -> bool {
    // The depth never exceeds the number of opening brackets (those in strings included); this
    // count is a fast vectorised pass that settles nearly every message.
    if input.len() <= limit || input.iter().filter(|&&b| b == b'[' || b == b'{').count() <= limit {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in input {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Decodes one frame (one stdio line or one HTTP body).
pub fn decode(input: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if nesting_exceeds(input, MAX_DEPTH) {
        return Err(DecodeError::new(
            None,
            McpError::parse_error(format!(
                "Parse error: nesting deeper than {MAX_DEPTH} levels"
            )),
        ));
    }
    let first = input.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_slice(input).map_err(json_error)?;
            if items.is_empty() {
                return Err(DecodeError::new(
                    None,
                    McpError::invalid_request("Empty batch"),
                ));
            }
            Ok(Decoded::Batch(items))
        }
        _ => decode_slice(input).map(Decoded::Single),
    }
}

/// Decodes one message that is already known to be a single JSON value (a batch element).
pub fn decode_value(raw: &RawValue) -> Result<Message<'_>, DecodeError> {
    decode_slice(raw.get().as_bytes())
}

fn decode_slice(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    let first = input.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first != Some(b'{') {
        // Valid JSON that is not an object is an invalid request; anything else a parse error.
        return match serde_json::from_slice::<de::IgnoredAny>(input) {
            Ok(_) => Err(DecodeError::new(
                None,
                McpError::invalid_request("A JSON-RPC message must be a JSON object"),
            )),
            Err(e) => Err(json_error(e)),
        };
    }
    // Validated once here, so the parser does not check each string and raw value again.
    let Ok(text) = std::str::from_utf8(input) else {
        return Err(DecodeError::new(
            None,
            McpError::parse_error("Parse error: the message is not valid UTF-8"),
        ));
    };
    if let Some(message) = decode_common(text) {
        return Ok(message);
    }
    let env: Envelope<'_> = serde_json::from_str(text).map_err(json_error)?;
    env.classify()
}

/// The common shapes (a request or notification with a plain `method`, `"jsonrpc":"2.0"` and
/// an object or no `params`), read with the object scanner. `None` sends everything else to
/// the general path, which has the final word and the error messages.
fn decode_common(text: &str) -> Option<Message<'_>> {
    let (mut jsonrpc, mut id, mut method, mut params) = (None, None, None, None);
    let mut other = false;
    let scanned = crate::json_scan::object_members(text, |key, value| {
        let slot = match key {
            "jsonrpc" => &mut jsonrpc,
            "id" => &mut id,
            "method" => &mut method,
            "params" => &mut params,
            "result" | "error" => {
                other = true;
                return;
            }
            _ => return,
        };
        other |= slot.replace(value).is_some();
    });
    if !scanned || other || jsonrpc != Some("\"2.0\"") {
        return None;
    }
    let method = method?.strip_prefix('"')?.strip_suffix('"')?;
    if method.contains('\\') {
        return None;
    }
    let params = match params {
        None => None,
        // Checked by the scanner already.
        Some(p) if p.starts_with('{') => Some(RawJson::new_unchecked(p)),
        Some(_) => return None,
    };
    let method = Cow::Borrowed(method);
    Some(match id {
        None => Message::Notification(Notification { method, params }),
        Some(id) => Message::Request(Request {
            id: RequestId::from_text(id)?,
            method,
            params,
        }),
    })
}

fn json_error(e: serde_json::Error) -> DecodeError {
    let error = if e.is_data() {
        McpError::invalid_request(format!("Invalid JSON-RPC message: {}", strip_position(&e)))
    } else {
        McpError::parse_error(format!("Parse error: {}", strip_position(&e)))
    };
    DecodeError::new(None, error)
}

/// The message of a serde_json error without the " at line L column C" suffix, which means
/// nothing to a peer that sent one line.
pub fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(pos) if e.line() > 0 => text[..pos].to_string(),
        _ => text,
    }
}

/// A JSON string that borrows from the input when it has no escapes (serde's own `Cow<str>`
/// always allocates); map keys and `method` are read this way.
#[derive(Debug)]
pub struct BorrowedStr<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for BorrowedStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = BorrowedStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor(std::marker::PhantomData))
    }
}

/// The members of an envelope, each kept raw; duplicates are recorded, not overwritten.
#[derive(Default)]
struct Envelope<'a> {
    jsonrpc: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    method: Option<&'a RawValue>,
    params: Option<&'a RawValue>,
    result: Option<&'a RawValue>,
    error: Option<&'a RawValue>,
    duplicate: Option<String>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Envelope<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for EnvelopeVisitor<'a> {
            type Value = Envelope<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'a>, A::Error> {
                let mut env = Envelope::default();
                while let Some(BorrowedStr(key)) = map.next_key::<BorrowedStr<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    let slot = match key.as_ref() {
                        "jsonrpc" => &mut env.jsonrpc,
                        "id" => &mut env.id,
                        "method" => &mut env.method,
                        "params" => &mut env.params,
                        "result" => &mut env.result,
                        "error" => &mut env.error,
                        _ => continue,
                    };
                    if slot.is_some() {
                        env.duplicate.get_or_insert_with(|| key.into_owned());
                    }
                    *slot = Some(value);
                }
                Ok(env)
            }
        }
        deserializer.deserialize_map(EnvelopeVisitor(std::marker::PhantomData))
    }
}

impl<'a> Envelope<'a> {
    fn classify(self) -> Result<Message<'a>, DecodeError> {
        if let Some(key) = self.duplicate {
            return Err(DecodeError::new(
                None,
                McpError::invalid_request(format!("Duplicate key `{key}` in JSON-RPC message")),
            ));
        }
        let id_is_null = self.id.is_some_and(|raw| raw.get() == "null");
        let id = match self.id {
            None => None,
            Some(_) if id_is_null => None,
            Some(raw) => match RequestId::from_raw(raw) {
                Some(id) => Some(id),
                None => {
                    return Err(DecodeError::new(
                        None,
                        McpError::invalid_request(
                            "Invalid request id: it must be a string or an integer",
                        ),
                    ));
                }
            },
        };
        let invalid =
            |msg: &'static str| Err(DecodeError::new(id.clone(), McpError::invalid_request(msg)));
        match self.jsonrpc {
            Some(v) if v.get() == "\"2.0\"" => {}
            Some(_) => return invalid("Unsupported JSON-RPC version: `jsonrpc` must be \"2.0\""),
            None => return invalid("Missing `jsonrpc` member: it must be \"2.0\""),
        }
        if let Some(method) = self.method {
            let method: Cow<'a, str> = match serde_json::from_str(method.get()) {
                Ok(BorrowedStr(m)) => m,
                Err(_) => return invalid("`method` must be a string"),
            };
            if let Some(params) = self.params
                && !params.get().starts_with('{')
            {
                return invalid("`params` must be an object");
            }
            if id_is_null {
                return invalid("Request id must not be null");
            }
            return Ok(match id {
                Some(id) => Message::Request(Request {
                    id,
                    method,
                    params: self.params.map(Into::into),
                }),
                None => Message::Notification(Notification {
                    method,
                    params: self.params.map(Into::into),
                }),
            });
        }
        match (self.result, self.error) {
            (Some(result), None) if id.is_some() => Ok(Message::Response(Response {
                id,
                outcome: Ok(result),
            })),
            (None, Some(error)) => {
                let error = serde_json::from_str::<McpError>(error.get()).unwrap_or_else(|e| {
                    McpError::internal(format!("Malformed error object: {}", strip_position(&e)))
                });
                Ok(Message::Response(Response {
                    id,
                    outcome: Err(error),
                }))
            }
            (Some(_), Some(_)) => invalid("A response cannot carry both `result` and `error`"),
            (Some(_), None) => invalid("A result response needs an `id`"),
            (None, None) => invalid("Missing `method`"),
        }
    }
}

#[derive(Serialize)]
struct RequestOut<'a, P: Serialize> {
    jsonrpc: &'static str,
    id: &'a RequestId,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a P>,
}

#[derive(Serialize)]
struct NotificationOut<'a, P: Serialize> {
    jsonrpc: &'static str,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a P>,
}

#[derive(Serialize)]
struct ResultOut<'a, R: Serialize + ?Sized> {
    jsonrpc: &'static str,
    id: &'a RequestId,
    result: &'a R,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    jsonrpc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RequestId>,
    error: &'a McpError,
}

/// Serializes a request (compact, no newline).
pub fn encode_request<P: Serialize>(id: &RequestId, method: &str, params: Option<&P>) -> Vec<u8> {
    to_vec(&RequestOut {
        jsonrpc: JSONRPC_VERSION,
        id,
        method,
        params,
    })
}

/// Serializes a notification (compact, no newline).
pub fn encode_notification<P: Serialize>(method: &str, params: Option<&P>) -> Vec<u8> {
    to_vec(&NotificationOut {
        jsonrpc: JSONRPC_VERSION,
        method,
        params,
    })
}

/// Serializes a result response from an already-serialized result.
pub fn encode_result_raw(id: &RequestId, result: &RawValue) -> Vec<u8> {
    let mut out = Vec::with_capacity(result.get().len() + 48);
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    serde_json::to_writer(&mut out, id).expect("a request id always serializes");
    out.extend_from_slice(b",\"result\":");
    out.extend_from_slice(result.get().as_bytes());
    out.push(b'}');
    out
}

/// Serializes a result response.
pub fn encode_result<R: Serialize + ?Sized>(id: &RequestId, result: &R) -> Vec<u8> {
    to_vec(&ResultOut {
        jsonrpc: JSONRPC_VERSION,
        id,
        result,
    })
}

/// Serializes an error response; `id` is omitted when the request id could not be read.
pub fn encode_error(id: Option<&RequestId>, error: &McpError) -> Vec<u8> {
    to_vec(&ErrorOut {
        jsonrpc: JSONRPC_VERSION,
        id,
        error,
    })
}

fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing our own envelope types into memory cannot fail unless a user-provided
    // `Serialize` impl fails; fall back to an internal-error notification-free placeholder.
    serde_json::to_vec(value).unwrap_or_else(|e| {
        tracing::error!(error = %e, "failed to serialize an outgoing message");
        b"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error: unserializable message\"}}".to_vec()
    })
}

/// Serializes a request handler's result (see [`EncodedResult`]).
pub fn to_raw<T: Serialize + ?Sized>(value: &T) -> Result<EncodedResult, McpError> {
    EncodedResult::new(value)
        .map_err(|e| McpError::internal(format!("Failed to serialize result: {e}")))
}

/// Bytes kept free in front of an [`EncodedResult`]: `{"jsonrpc":"2.0","id":` (22), the id,
/// and `,"result":` (10) fit for any numeric id and most string ids.
const ENVELOPE_HEADROOM: usize = 64;

/// The result of a request, serialized once: the JSON text sits in a buffer with room in front,
/// so the response envelope is written around it in place instead of copying it again.
pub struct EncodedResult {
    buf: Vec<u8>,
    start: usize,
}

impl EncodedResult {
    /// Serializes `value`.
    pub fn new<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        Self::from_writer(|buf| serde_json::to_writer(buf, value))
    }

    /// A result written by `write`, which must append exactly one JSON value to the buffer it
    /// is given (for hand-written encoders of hot results).
    pub fn from_writer(
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
    ) -> Result<Self, serde_json::Error> {
        let mut buf = Vec::with_capacity(ENVELOPE_HEADROOM + 192);
        buf.resize(ENVELOPE_HEADROOM, b' ');
        write(&mut buf)?;
        Ok(Self {
            buf,
            start: ENVELOPE_HEADROOM,
        })
    }

    /// The JSON text of the result.
    pub fn get(&self) -> &str {
        std::str::from_utf8(&self.buf[self.start..]).expect("serialized JSON is UTF-8")
    }

    /// The complete response to request `id`: `{"jsonrpc":"2.0","id":ID,"result":RESULT}`.
    pub fn into_response(mut self, id: &RequestId) -> Vec<u8> {
        let mut prefix = [0u8; ENVELOPE_HEADROOM];
        let mut w = std::io::Cursor::new(&mut prefix[..]);
        let fits = std::io::Write::write_all(&mut w, b"{\"jsonrpc\":\"2.0\",\"id\":").is_ok()
            && serde_json::to_writer(&mut w, id).is_ok()
            && std::io::Write::write_all(&mut w, b",\"result\":").is_ok();
        let len = usize::try_from(w.position()).unwrap_or(usize::MAX);
        if !fits || len > self.start {
            // A long string id: build the response in a new buffer.
            let text = &self.buf[self.start..];
            let mut out = Vec::with_capacity(text.len() + len + 64);
            out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
            serde_json::to_writer(&mut out, id).expect("a request id always serializes");
            out.extend_from_slice(b",\"result\":");
            out.extend_from_slice(text);
            out.push(b'}');
            return out;
        }
        let at = self.start - len;
        self.buf[at..self.start].copy_from_slice(&prefix[..len]);
        self.buf.push(b'}');
        self.buf.drain(..at);
        self.buf
    }
}

impl From<Box<RawValue>> for EncodedResult {
    fn from(raw: Box<RawValue>) -> Self {
        let text = raw.get().as_bytes();
        let mut buf = Vec::with_capacity(ENVELOPE_HEADROOM + text.len() + 1);
        buf.resize(ENVELOPE_HEADROOM, b' ');
        buf.extend_from_slice(text);
        Self {
            buf,
            start: ENVELOPE_HEADROOM,
        }
    }
}

impl fmt::Debug for EncodedResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EncodedResult").field(&self.get()).finish()
    }
}

/// An owned JSON-RPC message, convenient for tests and tools that inspect traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum JsonRpcMessage {
    /// A request.
    Request {
        /// Always "2.0".
        jsonrpc: String,
        /// The id.
        id: RequestId,
        /// The method.
        method: String,
        /// The params object.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        params: Option<serde_json::Value>,
    },
    /// A notification.
    Notification {
        /// Always "2.0".
        jsonrpc: String,
        /// The method.
        method: String,
        /// The params object.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        params: Option<serde_json::Value>,
    },
    /// A result response.
    Result {
        /// Always "2.0".
        jsonrpc: String,
        /// The id of the request it answers.
        id: RequestId,
        /// The result object.
        result: serde_json::Value,
    },
    /// An error response.
    Error {
        /// Always "2.0".
        jsonrpc: String,
        /// The id of the request it answers, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<RequestId>,
        /// The error.
        error: McpError,
    },
}

impl ErrorCode {
    /// Whether this code is one of the JSON-RPC 2.0 pre-defined codes.
    pub fn is_jsonrpc_reserved(self) -> bool {
        (-32768..=-32000).contains(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &str) -> DecodeError {
        match decode(input.as_bytes()) {
            Err(e) => e,
            Ok(_) => panic!("expected an error for {}", &input[..input.len().min(80)]),
        }
    }

    fn single(input: &str) -> Message<'_> {
        match decode(input.as_bytes()) {
            Ok(Decoded::Single(m)) => m,
            _ => panic!("expected a message for {}", &input[..input.len().min(80)]),
        }
    }

    #[test]
    fn escaped_keys_and_method_are_read_like_plain_ones() {
        let m = single(r#"{"jsonrpc":"2.0","i\u0064":7,"meth\u006fd":"tools\/call","params":{}}"#);
        let Message::Request(r) = m else {
            panic!("expected a request")
        };
        assert_eq!(r.id, RequestId::Number(7));
        assert_eq!(r.method, "tools/call");
        let plain = single(r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#);
        let Message::Request(r) = plain else {
            panic!("expected a request")
        };
        assert!(matches!(r.method, Cow::Borrowed("ping")));
        // A key spelled once plainly and once escaped is still a duplicate.
        let e = err(r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#);
        assert!(e.error.message.contains("id"), "{}", e.error.message);
        let e = err(r#"{"jsonrpc":"2.0","id":1,"\u0069d":2,"method":"ping"}"#);
        assert!(e.error.message.contains("id"), "{}", e.error.message);
    }

    #[test]
    fn encoded_result_wraps_the_envelope_around_the_result() {
        let value = serde_json::json!({"content":[{"type":"text","text":"h\"i"}]});
        let expect = |id: serde_json::Value| serde_json::json!({"jsonrpc":"2.0","id":id,"result":value.clone()});
        for id in [
            RequestId::Number(0),
            RequestId::Number(i64::MIN),
            RequestId::String("".into()),
            RequestId::String("a \"quoted\" id".into()),
            // Longer than the room kept in front: built in a new buffer.
            RequestId::String("x".repeat(200).into()),
        ] {
            let bytes = to_raw(&value).unwrap().into_response(&id);
            let got: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(got, expect(serde_json::to_value(&id).unwrap()), "id {id}");
        }
        let raw = RawValue::from_string("[1, 2]".to_owned()).unwrap();
        let encoded = EncodedResult::from(raw);
        assert_eq!(encoded.get(), "[1, 2]");
        assert_eq!(
            encoded.into_response(&RequestId::Number(3)),
            br#"{"jsonrpc":"2.0","id":3,"result":[1, 2]}"#
        );
    }

    #[test]
    fn ids_keep_their_type() {
        let Message::Request(r) = single(r#"{"jsonrpc":"2.0","id":0,"method":"ping"}"#) else {
            panic!()
        };
        assert_eq!(r.id, RequestId::Number(0));
        let Message::Request(r) = single(r#"{"jsonrpc":"2.0","id":"0","method":"ping"}"#) else {
            panic!()
        };
        assert_eq!(r.id, RequestId::String("0".into()));
        assert_eq!(
            String::from_utf8(encode_result(&r.id, &serde_json::json!({}))).unwrap(),
            r#"{"jsonrpc":"2.0","id":"0","result":{}}"#
        );
    }

    #[test]
    fn classification() {
        assert_eq!(err("{").error.code, ErrorCode::PARSE_ERROR);
        assert_eq!(err("not json").error.code, ErrorCode::PARSE_ERROR);
        assert_eq!(err("42").error.code, ErrorCode::INVALID_REQUEST);
        let e = err(r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#);
        assert_eq!(
            (e.error.code, e.id),
            (ErrorCode::INVALID_REQUEST, Some(RequestId::Number(7)))
        );
        let e = err(r#"{"jsonrpc":"2.0","id":7,"id":8,"method":"ping"}"#);
        assert_eq!((e.error.code, e.id), (ErrorCode::INVALID_REQUEST, None));
        let e = err(r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#);
        assert_eq!((e.error.code, e.id), (ErrorCode::INVALID_REQUEST, None));
        let e = err(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#);
        assert_eq!((e.error.code, e.id), (ErrorCode::INVALID_REQUEST, None));
        let e = err(r#"{"jsonrpc":"2.0","id":99999999999999999999,"method":"ping"}"#);
        assert_eq!((e.error.code, e.id), (ErrorCode::INVALID_REQUEST, None));
        let e = err(r#"{"jsonrpc":"2.0","id":3,"method":5}"#);
        assert_eq!(
            (e.error.code, e.id),
            (ErrorCode::INVALID_REQUEST, Some(RequestId::Number(3)))
        );
        let e = err(r#"{"jsonrpc":"2.0","id":3,"method":"x","params":[1]}"#);
        assert_eq!(e.error.code, ErrorCode::INVALID_REQUEST);
        assert_eq!(err("\"\\ud800\"").error.code, ErrorCode::INVALID_REQUEST);
        assert_eq!(
            err(&("[".repeat(10_000) + &"]".repeat(10_000))).error.code,
            ErrorCode::PARSE_ERROR
        );
        let deep = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"x","params":{{"a":{}1{}}}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(err(&deep).error.code, ErrorCode::PARSE_ERROR);
    }

    #[test]
    fn invalid_utf8_is_a_parse_error() {
        let mut line = br#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":""#.to_vec();
        line.extend_from_slice(&[0xff, 0xfe]);
        line.extend_from_slice(br#""}}"#);
        assert_eq!(
            decode(&line).unwrap_err().error.code,
            ErrorCode::PARSE_ERROR
        );
    }

    #[test]
    fn notifications_responses_and_null_ids() {
        assert!(matches!(
            single(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Message::Notification(_)
        ));
        let Message::Response(r) =
            single(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#)
        else {
            panic!()
        };
        assert!(r.id.is_none() && r.outcome.is_err());
        let Message::Response(r) = single(r#"{"jsonrpc":"2.0","id":4,"result":{"a":1}}"#) else {
            panic!()
        };
        assert_eq!(r.outcome.unwrap().get(), r#"{"a":1}"#);
        let e = err(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#);
        assert_eq!((e.error.code, e.id), (ErrorCode::INVALID_REQUEST, None));
    }

    #[test]
    fn error_without_id_omits_it() {
        let out = encode_error(None, &McpError::parse_error("Parse error"));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}"#
        );
    }

    #[test]
    fn batches() {
        assert!(matches!(decode(b"[1,2]"), Ok(Decoded::Batch(v)) if v.len() == 2));
        assert_eq!(err("[]").error.code, ErrorCode::INVALID_REQUEST);
    }
}

/// The scanner's shortcut for common messages must decode exactly what the general path does.
#[cfg(test)]
mod common_shape_tests {
    use proptest::prelude::*;

    use super::*;

    fn general(text: &str) -> String {
        let decoded = serde_json::from_str::<Envelope<'_>>(text)
            .map_err(json_error)
            .and_then(Envelope::classify);
        format!("{decoded:?}")
    }

    fn member() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                r#""jsonrpc":"2.0""#,
                r#""jsonrpc":"1.0""#,
                r#""jsonrpc":2"#,
                r#""jsonrpc":"2\u002e0""#,
            ]),
            prop::sample::select(vec![
                r#""id":1"#,
                r#""id":-5"#,
                r#""id":0"#,
                r#""id":"abc""#,
                r#""id":"a\"b""#,
                r#""id":null"#,
                r#""id":1.5"#,
                r#""id":1e3"#,
                r#""id":99999999999999999999"#,
                r#""id":[1]"#,
            ]),
            prop::sample::select(vec![
                r#""method":"tools/call""#,
                r#""method":"notifications/initialized""#,
                r#""method":"a\u0062""#,
                r#""method":5"#,
                r#""method":"""#,
            ]),
            prop::sample::select(vec![
                r#""params":{}"#,
                r#""params":{"name":"echo","arguments":{"text":"hi"}}"#,
                r#""params":[]"#,
                r#""params":null"#,
                r#""params":"x""#,
            ]),
            prop::sample::select(vec![
                r#""result":{}"#,
                r#""error":{"code":-1,"message":"m"}"#,
                r#""extra":[1,{"a":null}]"#,
                r#""jsonrpc\u0000":1"#,
            ]),
        ]
        .prop_map(str::to_owned)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn shortcut_agrees_with_the_general_path(
            members in prop::collection::vec(member(), 0..6),
            spaced in any::<bool>(),
        ) {
            let sep = if spaced { " , " } else { "," };
            let text = format!("{{{}}}", members.join(sep));
            if let Some(message) = decode_common(&text) {
                prop_assert_eq!(format!("{:?}", Ok::<_, DecodeError>(message)), general(&text), "{}", text);
            }
        }
    }

    #[test]
    fn raw_json_is_checked_once_and_written_as_is() {
        for ok in [r#"{"a":[1,2]}"#, " 1 ", r#""\u00e9""#, r#"{"k\u0061":1}"#] {
            assert_eq!(RawJson::new(ok).expect(ok).get(), ok);
        }
        for bad in ["", "{", "[1,]", "01", "{} {}"] {
            assert!(RawJson::new(bad).is_err(), "{bad}");
        }
        let owned = RawJson::from_string(r#"{"x": [true, null]}"#.to_owned()).unwrap();
        assert_eq!(owned.clone(), owned);
        let text = String::from_utf8(encode_notification("m", Some(&owned))).unwrap();
        assert_eq!(
            text,
            r#"{"jsonrpc":"2.0","method":"m","params":{"x": [true, null]}}"#
        );
    }

    #[test]
    fn the_shortcut_takes_the_usual_messages() {
        for text in [
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo"}}"#,
            r#"{"method":"ping","id":"x","jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        ] {
            let message = decode_common(text).expect(text);
            assert_eq!(
                format!("{:?}", Ok::<_, DecodeError>(message)),
                general(text)
            );
        }
    }
}
