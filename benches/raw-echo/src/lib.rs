//! The minimal MCP answering logic shared by the raw responders: `initialize`, `ping`,
//! `tools/list` and `tools/call` of `echo`, with just enough JSON to satisfy a client. No
//! validation, no sessions, no SDK: the ceiling the SDKs are measured against.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CallParams<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    arguments: Option<EchoArgs<'a>>,
}

#[derive(Deserialize)]
struct EchoArgs<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
}

/// What a message asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// A request; its response was appended.
    Answered,
    /// `initialize`; its response was appended.
    Initialize,
    /// A notification or a response: nothing to answer.
    Nothing,
}

const TOOLS: &str = r#"{"tools":[{"name":"echo","description":"Echo the text back, unchanged.","inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}]}"#;

/// Answers one JSON-RPC message, appending the compact response (no newline) to `out`.
pub fn answer(msg: &[u8], out: &mut Vec<u8>) -> Kind {
    let Ok(m) = serde_json::from_slice::<Message<'_>>(msg) else {
        out.extend_from_slice(
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#,
        );
        return Kind::Answered;
    };
    let (Some(id), Some(method)) = (m.id, m.method) else {
        return Kind::Nothing;
    };
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    out.extend_from_slice(id.get().as_bytes());
    match &*method {
        "initialize" => {
            out.extend_from_slice(br#","result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"raw","version":"0"}}}"#);
            Kind::Initialize
        }
        "tools/call" => {
            let params = m.params.and_then(|p| serde_json::from_str::<CallParams<'_>>(p.get()).ok());
            match params {
                Some(p) if p.name == "echo" => {
                    let text = p.arguments.and_then(|a| a.text).unwrap_or_default();
                    out.extend_from_slice(br#","result":{"content":[{"type":"text","text":"#);
                    serde_json::to_writer(&mut *out, &text).expect("writing to a Vec");
                    out.extend_from_slice(br#"}],"isError":false}}"#);
                }
                _ => out.extend_from_slice(
                    br#","error":{"code":-32602,"message":"unknown tool"}}"#,
                ),
            }
            Kind::Answered
        }
        "tools/list" => {
            out.extend_from_slice(br#","result":"#);
            out.extend_from_slice(TOOLS.as_bytes());
            out.push(b'}');
            Kind::Answered
        }
        "ping" => {
            out.extend_from_slice(br#","result":{}}"#);
            Kind::Answered
        }
        _ => {
            out.extend_from_slice(br#","error":{"code":-32601,"message":"method not found"}}"#);
            Kind::Answered
        }
    }
}
