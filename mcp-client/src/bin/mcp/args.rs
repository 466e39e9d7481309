//! The command line: parsing, and the coercion of `key=value` arguments.

use std::time::Duration;

use mcp_client::mcp_core::JsonObject;
use mcp_client::mcp_core::model::LoggingLevel;
use serde_json::Value;

pub(crate) const USAGE: &str = "\
mcp: a command-line client for Model Context Protocol servers

Usage:
  mcp [OPTIONS] tools <server>
  mcp [OPTIONS] resources <server>
  mcp [OPTIONS] templates <server>
  mcp [OPTIONS] prompts <server>
  mcp [OPTIONS] call <server> <tool> [key=value ...] [--args-json '{...}'] [--task]
  mcp [OPTIONS] read <server> <uri>
  mcp [OPTIONS] get-prompt <server> <name> [key=value ...]

<server> is one argument: either the URL of a Streamable HTTP endpoint, e.g.
http://127.0.0.1:8080/mcp (https:// is not supported yet), or the command line that starts a
stdio server, split as a shell would, e.g. \"node build/index.js --stdio\".

key=value: the value is JSON when it parses as JSON (numbers, booleans, arrays, objects),
otherwise a string; it is always a string when the tool's input schema says the property is
a string. --args-json gives the arguments as one JSON object; key=value pairs override it.

Options:
  --json              print results as raw JSON
  --timeout SECS      give up on a request after SECS seconds (sends notifications/cancelled)
  --log-level LEVEL   ask the server for log messages at LEVEL or above (debug, info, notice,
                      warning, error, critical, alert, emergency) and print them to stderr
  --args-json JSON    tool arguments as a JSON object (call only)
  --task              run the call as a task (call only): show its status until it ends,
                      then its result; Ctrl-C cancels the task. Tools that only run as tasks
                      are called this way without the flag
  --bearer-token TOKEN
                      send `Authorization: Bearer TOKEN` to an HTTP server (URL servers only);
                      the environment variable MCP_BEARER_TOKEN is used when the flag is
                      absent, and is the better place for a secret (`ps` shows command lines)
  -h, --help          print this help

Exit status: 0 success, 1 the tool reported an error (isError), 2 usage error,
3 protocol error (the server answered with a JSON-RPC error), 4 connection, spawn, HTTP or
timeout failure (including HTTP 401/403: missing, invalid or insufficient bearer token), 130 interrupted (Ctrl-C; the server is sent notifications/cancelled).
";

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    Tools,
    Resources,
    Templates,
    Prompts,
    Call {
        tool: String,
        pairs: Vec<(String, String)>,
        args_json: Option<String>,
        task: bool,
    },
    Read {
        uri: String,
    },
    GetPrompt {
        name: String,
        pairs: Vec<(String, String)>,
    },
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cli {
    pub(crate) command: Command,
    pub(crate) server: String,
    pub(crate) json: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) log_level: Option<LoggingLevel>,
    /// `--bearer-token`: sent as `Authorization: Bearer` to HTTP servers.
    pub(crate) bearer_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parsed {
    Help,
    Run(Cli),
}

/// A usage error: the message to print before the usage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UsageError(pub(crate) String);

fn usage<T>(message: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(message.into()))
}

/// Parses the arguments (without the program name).
pub(crate) fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Parsed, UsageError> {
    let mut args = args.into_iter();
    let mut positional = Vec::new();
    let mut json = false;
    let mut timeout = None;
    let mut log_level = None;
    let mut args_json = None;
    let mut bearer_token = None;
    let mut task = false;
    while let Some(arg) = args.next() {
        if arg == "--" {
            positional.extend(args.by_ref());
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            positional.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| match inline.clone().or_else(|| args.next()) {
            Some(v) => Ok(v),
            None => usage(format!("{name} needs a value ({what})")),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--json" if inline.is_none() => json = true,
            "--timeout" => {
                let v = value("seconds")?;
                match v.parse::<f64>() {
                    Ok(secs) if secs > 0.0 && secs.is_finite() => {
                        timeout = Some(Duration::from_secs_f64(secs))
                    }
                    _ => {
                        return usage(format!(
                            "--timeout needs a positive number of seconds, not {v:?}"
                        ));
                    }
                }
            }
            "--log-level" => {
                let v = value("a level")?;
                log_level = Some(
                    v.parse::<LoggingLevel>()
                        .map_err(|e| UsageError(e.to_string()))?,
                );
            }
            "--args-json" => args_json = Some(value("a JSON object")?),
            "--task" if inline.is_none() => task = true,
            "--bearer-token" => {
                let v = value("a token")?;
                if v.trim().is_empty() {
                    return usage("--bearer-token needs a non-empty token");
                }
                bearer_token = Some(v);
            }
            _ => return usage(format!("unknown option {arg:?}")),
        }
    }

    let mut positional = positional.into_iter();
    let Some(command) = positional.next() else {
        return usage("missing command");
    };
    let Some(server) = positional.next() else {
        return usage(format!("`{command}` needs a <server> URL or command line"));
    };
    let rest: Vec<String> = positional.collect();
    let no_more = |rest: &[String]| match rest.first() {
        Some(extra) => usage(format!("unexpected argument {extra:?} for `{command}`")),
        None => Ok(()),
    };
    let command = match command.as_str() {
        "tools" | "resources" | "templates" | "prompts" => {
            no_more(&rest)?;
            match command.as_str() {
                "tools" => Command::Tools,
                "resources" => Command::Resources,
                "templates" => Command::Templates,
                _ => Command::Prompts,
            }
        }
        "call" => {
            let Some((tool, pairs)) = rest.split_first() else {
                return usage("`call` needs a <tool> name");
            };
            Command::Call {
                tool: tool.clone(),
                pairs: parse_pairs(pairs)?,
                args_json: args_json.take(),
                task: std::mem::take(&mut task),
            }
        }
        "read" => {
            let Some((uri, extra)) = rest.split_first() else {
                return usage("`read` needs a <uri>");
            };
            no_more(extra)?;
            Command::Read { uri: uri.clone() }
        }
        "get-prompt" => {
            let Some((name, pairs)) = rest.split_first() else {
                return usage("`get-prompt` needs a prompt <name>");
            };
            Command::GetPrompt {
                name: name.clone(),
                pairs: parse_pairs(pairs)?,
            }
        }
        other => return usage(format!("unknown command {other:?}")),
    };
    if task {
        return usage("--task is only for `call`");
    }
    if args_json.is_some() {
        return usage("--args-json is only for `call`");
    }
    if bearer_token.is_some() && !is_url(&server) {
        return usage("--bearer-token is only for HTTP servers (a http:// URL)");
    }
    Ok(Parsed::Run(Cli {
        command,
        server,
        json,
        timeout,
        log_level,
        bearer_token,
    }))
}

/// Splits `key=value` arguments.
fn parse_pairs(args: &[String]) -> Result<Vec<(String, String)>, UsageError> {
    args.iter()
        .map(|arg| match arg.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
            _ => usage(format!("expected key=value, got {arg:?}")),
        })
        .collect()
}

/// Whether the input schema says property `key` is a string (`"type": "string"`, or a list of
/// types that are all `"string"` or `"null"`).
fn schema_says_string(schema: Option<&JsonObject>, key: &str) -> bool {
    let Some(ty) = schema
        .and_then(|s| s.get("properties"))
        .and_then(|p| p.get(key))
        .and_then(|p| p.get("type"))
    else {
        return false;
    };
    match ty {
        Value::String(t) => t == "string",
        Value::Array(types) => {
            types.iter().any(|t| t == "string")
                && types.iter().all(|t| t == "string" || t == "null")
        }
        _ => false,
    }
}

/// The JSON value of a `key=value` argument.
fn coerce_value(schema: Option<&JsonObject>, key: &str, raw: &str) -> Value {
    if schema_says_string(schema, key) {
        return Value::String(raw.to_owned());
    }
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

/// The arguments of a tool call: `--args-json`, then the `key=value` pairs over it.
pub(crate) fn build_arguments(
    pairs: &[(String, String)],
    args_json: Option<&str>,
    schema: Option<&JsonObject>,
) -> Result<JsonObject, UsageError> {
    let mut arguments = match args_json {
        None => JsonObject::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return usage("--args-json must be a JSON object"),
            Err(e) => return usage(format!("--args-json is not valid JSON: {e}")),
        },
    };
    for (key, raw) in pairs {
        arguments.insert(key.clone(), coerce_value(schema, key, raw));
    }
    Ok(arguments)
}

/// Whether `<server>` is a URL rather than a command line.
pub(crate) fn is_url(server: &str) -> bool {
    let lower = server.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(args: &[&str]) -> Result<Parsed, UsageError> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    fn cli(args: &[&str]) -> Cli {
        match parse(args) {
            Ok(Parsed::Run(cli)) => cli,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parses_every_command() {
        assert_eq!(cli(&["tools", "srv --stdio"]).command, Command::Tools);
        assert_eq!(cli(&["tools", "srv --stdio"]).server, "srv --stdio");
        assert_eq!(cli(&["resources", "s"]).command, Command::Resources);
        assert_eq!(cli(&["templates", "s"]).command, Command::Templates);
        assert_eq!(cli(&["prompts", "s"]).command, Command::Prompts);
        assert_eq!(
            cli(&["read", "s", "file:///a"]).command,
            Command::Read {
                uri: "file:///a".into()
            }
        );
        assert_eq!(
            cli(&["get-prompt", "s", "greet", "name=Ada"]).command,
            Command::GetPrompt {
                name: "greet".into(),
                pairs: pairs(&[("name", "Ada")])
            }
        );
        assert_eq!(
            cli(&[
                "call",
                "s",
                "echo",
                "text=hi",
                "--args-json",
                "{\"n\":1}",
                "x=a=b"
            ])
            .command,
            Command::Call {
                tool: "echo".into(),
                pairs: pairs(&[("text", "hi"), ("x", "a=b")]),
                args_json: Some("{\"n\":1}".into()),
                task: false,
            }
        );
    }

    #[test]
    fn parses_options_anywhere() {
        let c = cli(&[
            "--json",
            "call",
            "s",
            "t",
            "--timeout",
            "1.5",
            "--log-level=debug",
            "a=1",
        ]);
        assert!(c.json);
        assert_eq!(c.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.log_level, Some(LoggingLevel::Debug));
        assert_eq!(
            c.command,
            Command::Call {
                tool: "t".into(),
                pairs: pairs(&[("a", "1")]),
                args_json: None,
                task: false,
            }
        );
        // After `--`, everything is positional.
        let c = cli(&["call", "s", "t", "--", "--weird=1"]);
        assert_eq!(
            c.command,
            Command::Call {
                tool: "t".into(),
                pairs: pairs(&[("--weird", "1")]),
                args_json: None,
                task: false,
            }
        );
        let c = cli(&["call", "--task", "s", "t"]);
        assert!(matches!(c.command, Command::Call { task: true, .. }));
        assert_eq!(parse(&["tools", "s", "--help"]), Ok(Parsed::Help));
        assert_eq!(parse(&["-h"]), Ok(Parsed::Help));
    }

    #[test]
    fn rejects_bad_usage() {
        for bad in [
            &[][..],
            &["tools"],
            &["frobnicate", "s"],
            &["tools", "s", "extra"],
            &["call", "s"],
            &["call", "s", "t", "novalue"],
            &["call", "s", "t", "=v"],
            &["read", "s"],
            &["read", "s", "u", "v"],
            &["get-prompt", "s"],
            &["tools", "s", "--timeout"],
            &["tools", "s", "--timeout", "0"],
            &["tools", "s", "--timeout", "soon"],
            &["tools", "s", "--log-level", "loud"],
            &["tools", "s", "--args-json", "{}"],
            &["tools", "s", "--task"],
            &["tools", "s", "--verbose"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be a usage error");
        }
    }

    #[test]
    fn values_are_json_when_they_parse() {
        assert_eq!(coerce_value(None, "n", "42"), json!(42));
        assert_eq!(coerce_value(None, "f", "1.5"), json!(1.5));
        assert_eq!(coerce_value(None, "b", "true"), json!(true));
        assert_eq!(coerce_value(None, "a", "[1,\"x\"]"), json!([1, "x"]));
        assert_eq!(
            coerce_value(None, "o", "{\"k\":null}"),
            json!({ "k": null })
        );
        assert_eq!(coerce_value(None, "s", "hello world"), json!("hello world"));
        assert_eq!(coerce_value(None, "s", "{not json"), json!("{not json"));
        assert_eq!(coerce_value(None, "s", ""), json!(""));
    }

    #[test]
    fn schema_string_properties_stay_strings() {
        let schema = json!({
            "type": "object",
            "properties": {
                "text": { "type": "string" },
                "maybe": { "type": ["string", "null"] },
                "mixed": { "type": ["string", "number"] },
                "n": { "type": "integer" }
            }
        });
        let schema = schema.as_object();
        assert_eq!(coerce_value(schema, "text", "42"), json!("42"));
        assert_eq!(coerce_value(schema, "text", "true"), json!("true"));
        assert_eq!(coerce_value(schema, "text", "[1]"), json!("[1]"));
        assert_eq!(coerce_value(schema, "maybe", "7"), json!("7"));
        assert_eq!(coerce_value(schema, "mixed", "7"), json!(7));
        assert_eq!(coerce_value(schema, "n", "7"), json!(7));
        assert_eq!(coerce_value(schema, "unknown", "7"), json!(7));
    }

    #[test]
    fn pairs_override_args_json() {
        let args = build_arguments(
            &pairs(&[("n", "5"), ("text", "hi")]),
            Some(r#"{"n": 1, "delay_ms": 2}"#),
            None,
        )
        .unwrap();
        assert_eq!(
            Value::Object(args),
            json!({ "n": 5, "delay_ms": 2, "text": "hi" })
        );
        assert!(build_arguments(&[], Some("[1]"), None).is_err());
        assert!(build_arguments(&[], Some("{"), None).is_err());
    }
}
