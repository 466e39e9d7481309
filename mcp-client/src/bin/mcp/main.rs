//! `mcp`: a command-line MCP client. Run `mcp --help` for usage.

mod args;
mod output;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use mcp_client::mcp_core::model::{CallToolResult, TaskSupport};
use mcp_client::{CallOptions, Client, ClientError, ServerNotification};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::args::{Cli, Command, Parsed, USAGE, UsageError, build_arguments, is_url, parse_args};
use crate::output::{
    Ui, first_line, log_line, out, print_call_result, print_json, print_prompt, print_read_result,
    print_tools,
};

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Success,
    ToolError,
    Usage,
    Protocol,
    Connection,
    Interrupted,
}

impl Exit {
    fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::ToolError => 1,
            Self::Usage => 2,
            Self::Protocol => 3,
            Self::Connection => 4,
            Self::Interrupted => 130,
        }
    }

    /// The exit status for a failed client operation.
    fn for_error(err: &ClientError) -> Self {
        match err {
            ClientError::Cancelled { .. } => Self::Interrupted,
            ClientError::Spawn { .. }
            | ClientError::InvalidCommandLine(_)
            | ClientError::ConnectionClosed(_)
            | ClientError::Transport(_)
            | ClientError::Timeout { .. } => Self::Connection,
            _ => Self::Protocol,
        }
    }
}

/// Runs `fut` unless Ctrl-C comes first.
async fn or_interrupt<T>(
    interrupt: &CancellationToken,
    fut: impl Future<Output = T>,
) -> Result<T, Exit> {
    tokio::select! {
        biased;
        () = interrupt.cancelled() => {
            eprintln!("mcp: interrupted");
            Err(Exit::Interrupted)
        }
        value = fut => Ok(value),
    }
}

/// Prints why a client operation failed and returns the exit status for it.
fn report(err: &ClientError) -> Exit {
    match err {
        ClientError::Cancelled { .. } => {
            eprintln!("mcp: interrupted; the server was asked to cancel the call")
        }
        _ => eprintln!("mcp: {err}"),
    }
    Exit::for_error(err)
}

async fn run(cli: Cli, interrupt: CancellationToken) -> Exit {
    let ui = Ui::new();
    let mut builder = Client::builder()
        .name("mcp")
        .version(env!("CARGO_PKG_VERSION"));
    if cli.log_level.is_some() {
        let ui = ui.clone();
        builder = builder.on_notification(move |n| {
            if let ServerNotification::LoggingMessage(params) = n {
                ui.line(&log_line(&params));
            }
        });
    }
    if let Some(timeout) = cli.timeout {
        builder = builder.request_timeout(timeout).initialize_timeout(timeout);
    }
    if is_url(&cli.server) {
        let token = cli.bearer_token.clone().or_else(|| {
            std::env::var("MCP_BEARER_TOKEN")
                .ok()
                .filter(|t| !t.trim().is_empty())
        });
        if let Some(token) = token {
            builder = builder.bearer_token(token);
        }
    }
    let connect = async {
        if is_url(&cli.server) {
            connect_http(builder, &cli.server).await
        } else {
            builder.spawn_command_line(&cli.server).await
        }
    };
    let client = match or_interrupt(&interrupt, connect).await {
        Err(exit) => return exit,
        Ok(Err(e)) => return report(&e),
        Ok(Ok(client)) => client,
    };
    let exit = match run_command(&cli, &client, &ui, &interrupt).await {
        Ok(exit) => exit,
        Err(exit) => exit,
    };
    ui.finish();
    let _ = client.close().await;
    exit
}

#[cfg(feature = "http")]
async fn connect_http(
    builder: mcp_client::ClientBuilder,
    url: &str,
) -> Result<Client, ClientError> {
    builder.connect_http(url.trim()).await
}

#[cfg(not(feature = "http"))]
async fn connect_http(
    _builder: mcp_client::ClientBuilder,
    _url: &str,
) -> Result<Client, ClientError> {
    Err(ClientError::Transport(
        "this build of mcp has no HTTP support (the `http` feature of mcp-client)".into(),
    ))
}

async fn run_command(
    cli: &Cli,
    client: &Client,
    ui: &Arc<Ui>,
    interrupt: &CancellationToken,
) -> Result<Exit, Exit> {
    let fail = |e: ClientError| report(&e);
    if let Some(level) = cli.log_level {
        or_interrupt(interrupt, client.set_log_level(level))
            .await?
            .map_err(fail)?;
    }
    match &cli.command {
        Command::Tools => {
            let tools = or_interrupt(interrupt, client.list_all_tools())
                .await?
                .map_err(fail)?;
            if cli.json {
                print_json(&serde_json::json!({ "tools": tools }))
            } else {
                print_tools(&tools)
            }
        }
        Command::Resources => {
            let resources = or_interrupt(interrupt, client.list_all_resources())
                .await?
                .map_err(fail)?;
            if cli.json {
                print_json(&serde_json::json!({ "resources": resources }));
            } else {
                for r in &resources {
                    let mime = r
                        .mime_type
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default();
                    out(format!(
                        "{}  {}{mime}  {}",
                        r.uri,
                        r.name,
                        first_line(r.description.as_deref())
                    )
                    .trim_end());
                }
            }
        }
        Command::Templates => {
            let templates = or_interrupt(interrupt, client.list_all_resource_templates())
                .await?
                .map_err(fail)?;
            if cli.json {
                print_json(&serde_json::json!({ "resourceTemplates": templates }));
            } else {
                for t in &templates {
                    let mime = t
                        .mime_type
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default();
                    out(format!(
                        "{}  {}{mime}  {}",
                        t.uri_template,
                        t.name,
                        first_line(t.description.as_deref())
                    )
                    .trim_end());
                }
            }
        }
        Command::Prompts => {
            let prompts = or_interrupt(interrupt, client.list_all_prompts())
                .await?
                .map_err(fail)?;
            if cli.json {
                print_json(&serde_json::json!({ "prompts": prompts }));
            } else {
                for p in &prompts {
                    out(format!("{}  {}", p.name, first_line(p.description.as_deref())).trim_end());
                    for arg in p.arguments.iter().flatten() {
                        let optional = if arg.required == Some(true) { "" } else { "?" };
                        out(format!(
                            "    {}{optional}  {}",
                            arg.name,
                            first_line(arg.description.as_deref())
                        )
                        .trim_end());
                    }
                }
            }
        }
        Command::Read { uri } => {
            let result = or_interrupt(interrupt, client.read_resource(uri))
                .await?
                .map_err(fail)?;
            if cli.json {
                print_json(&result)
            } else {
                print_read_result(&result)
            }
        }
        Command::GetPrompt { name, pairs } => {
            let arguments: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let result = or_interrupt(interrupt, client.get_prompt(name, &arguments))
                .await?
                .map_err(fail)?;
            if cli.json {
                print_json(&result)
            } else {
                print_prompt(&result)
            }
        }
        Command::Call {
            tool,
            pairs,
            args_json,
            task,
        } => {
            // The tool's description: for its input schema (key=value typing) and, on servers
            // with tasks, whether it only runs as one.
            let offers_tasks = client.server_capabilities().tasks.is_some();
            let described = if pairs.is_empty() && !offers_tasks {
                None
            } else {
                let tools = or_interrupt(interrupt, client.list_all_tools())
                    .await?
                    .map_err(fail)?;
                tools.into_iter().find(|t| &t.name == tool)
            };
            let arguments = build_arguments(
                pairs,
                args_json.as_deref(),
                described.as_ref().map(|t| &t.input_schema),
            )
            .map_err(|e| {
                eprintln!("mcp: {}", e.0);
                Exit::Usage
            })?;
            let required = described
                .as_ref()
                .and_then(|t| t.execution.as_ref())
                .and_then(|e| e.task_support)
                == Some(TaskSupport::Required);
            if *task || (offers_tasks && required) {
                let result = run_task(client, tool, Value::Object(arguments), ui, interrupt).await;
                ui.finish();
                let result = result?;
                if cli.json {
                    print_json(&result)
                } else {
                    print_call_result(&result)
                }
                return Ok(if result.is_error() {
                    Exit::ToolError
                } else {
                    Exit::Success
                });
            }
            let progress_ui = ui.clone();
            let options = CallOptions::new()
                .on_progress(move |progress, total, message| {
                    progress_ui.progress(progress, total, message)
                })
                .cancel_on(interrupt.clone(), "interrupted");
            let result = client
                .call_tool_with(tool, Value::Object(arguments), options)
                .await;
            ui.finish();
            let result = result.map_err(fail)?;
            if cli.json {
                print_json(&result)
            } else {
                print_call_result(&result)
            }
            if result.is_error() {
                return Ok(Exit::ToolError);
            }
        }
    }
    Ok(Exit::Success)
}

/// Runs a tool call as a task: shows the task's status message while it works, cancels it on
/// Ctrl-C, and returns its result.
async fn run_task(
    client: &Client,
    tool: &str,
    arguments: Value,
    ui: &Arc<Ui>,
    interrupt: &CancellationToken,
) -> Result<CallToolResult, Exit> {
    let fail = |e: ClientError| report(&e);
    let created = or_interrupt(interrupt, client.call_tool_as_task(tool, arguments, None))
        .await?
        .map_err(fail)?;
    let task = created.task;
    let id = task.task_id.clone();
    ui.line(&format!("mcp: task {id} started"));
    let poll = Duration::from_millis(task.poll_interval.unwrap_or(500).clamp(50, 5_000));
    let mut last_message = None;
    loop {
        let state = tokio::select! {
            biased;
            () = interrupt.cancelled() => {
                ui.finish();
                match client.cancel_task(&id).await {
                    Ok(_) => eprintln!("mcp: interrupted; task {id} cancelled"),
                    Err(e) => eprintln!("mcp: interrupted; cancelling task {id} failed: {e}"),
                }
                return Err(Exit::Interrupted);
            }
            state = async {
                tokio::time::sleep(poll).await;
                client.get_task(&id).await
            } => state.map_err(fail)?.task,
        };
        if state.status_message != last_message {
            if let Some(message) = &state.status_message {
                ui.status(message);
            }
            last_message = state.status_message.clone();
        }
        if state.status.is_terminal() {
            break;
        }
    }
    let value = or_interrupt(interrupt, client.task_result(&id))
        .await?
        .map_err(fail)?;
    serde_json::from_value(value).map_err(|e| {
        eprintln!("mcp: the task's result is not a tool result: {e}");
        Exit::Protocol
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let parsed = parse_args(std::env::args().skip(1));
    let cli = match parsed {
        Ok(Parsed::Help) => {
            let _ = std::io::stdout().lock().write_all(USAGE.as_bytes());
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(cli)) => cli,
        Err(UsageError(message)) => {
            eprintln!("mcp: {message}\n\n{USAGE}");
            return ExitCode::from(Exit::Usage.code());
        }
    };
    let interrupt = CancellationToken::new();
    let on_signal = interrupt.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let exit = run(cli, interrupt).await;
    ExitCode::from(exit.code())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::ToolError.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Protocol.code(), 3);
        assert_eq!(Exit::Connection.code(), 4);
        assert_eq!(Exit::Interrupted.code(), 130);
        let spawn = ClientError::Spawn {
            program: "x".into(),
            source: std::io::Error::other("nope"),
        };
        assert_eq!(Exit::for_error(&spawn), Exit::Connection);
        assert_eq!(
            Exit::for_error(&ClientError::ConnectionClosed(None)),
            Exit::Connection
        );
        let timeout = ClientError::Timeout {
            method: "tools/call".into(),
            after: Duration::from_secs(1),
        };
        assert_eq!(Exit::for_error(&timeout), Exit::Connection);
        let protocol = ClientError::Protocol(mcp_client::mcp_core::McpError::invalid_params("bad"));
        assert_eq!(Exit::for_error(&protocol), Exit::Protocol);
        assert_eq!(
            Exit::for_error(&ClientError::UnsupportedProtocolVersion("1999".into())),
            Exit::Protocol
        );
        assert_eq!(
            Exit::for_error(&ClientError::Transport("refused".into())),
            Exit::Connection
        );
        assert!(is_url("http://127.0.0.1:1/mcp") && is_url("HTTPS://x/mcp"));
        assert!(!is_url("node server.js") && !is_url("./http-server"));
        let cancelled = ClientError::Cancelled {
            method: "tools/call".into(),
            reason: "interrupted".into(),
        };
        assert_eq!(Exit::for_error(&cancelled), Exit::Interrupted);
    }
}
