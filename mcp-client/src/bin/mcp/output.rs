//! What the client prints: results on stdout, progress and server logs on stderr.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mcp_client::mcp_core::model::{
    CallToolResult, ContentBlock, GetPromptResult, LoggingMessageNotificationParams,
    ReadResourceResult, ResourceContents, Role, Tool,
};
use serde::Serialize;
use serde_json::Value;

/// An integral number without a fraction, anything else as it is.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The plain progress line printed when stderr is not a terminal.
fn progress_line(progress: f64, total: Option<f64>, message: Option<&str>) -> String {
    let mut line = format!("progress {}", number(progress));
    if let Some(total) = total {
        line.push('/');
        line.push_str(&number(total));
    }
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        line.push(' ');
        line.push_str(message);
    }
    line
}

/// Where progress and server logs go on stderr: plain lines, or a progress bar on a terminal.
#[derive(Debug)]
pub(crate) struct Ui {
    terminal: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Ui {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            terminal: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        })
    }

    pub(crate) fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        if !self.terminal {
            eprintln!("{}", progress_line(progress, total, message));
            return;
        }
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = match total {
                Some(_) => ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}"),
                None => ProgressStyle::with_template("{spinner} {pos} {wide_msg}"),
            };
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar
        });
        if let Some(total) = total.filter(|t| *t >= 0.0) {
            bar.set_length(total as u64);
        }
        bar.set_position(progress.max(0.0) as u64);
        if let Some(message) = message {
            bar.set_message(message.to_owned());
        }
    }

    /// Shows a status message: the message of a spinner on a terminal, a line otherwise.
    pub(crate) fn status(&self, message: &str) {
        if !self.terminal {
            eprintln!("{message}");
            return;
        }
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {wide_msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        bar.set_message(message.to_owned());
    }

    /// Prints a line on stderr, above the progress bar if there is one.
    pub(crate) fn line(&self, text: &str) {
        match &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}

pub(crate) fn log_line(params: &LoggingMessageNotificationParams) -> String {
    let data = match &params.data {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match &params.logger {
        Some(logger) => format!("[{}] {logger}: {data}", params.level),
        None => format!("[{}] {data}", params.level),
    }
}

/// Writes to stdout, ignoring a closed pipe.
pub(crate) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}

pub(crate) fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => out(&text),
        Err(e) => eprintln!("mcp: cannot print the result as JSON: {e}"),
    }
}

/// The first paragraph of a description, on one line.
pub(crate) fn first_line(text: Option<&str>) -> String {
    let text = text.unwrap_or("");
    let mut summary = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if summary.is_empty() {
                continue;
            }
            break;
        }
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(line);
    }
    summary
}

/// A short text form of a content block.
fn describe_block(block: &ContentBlock) -> String {
    match block {
        ContentBlock::Text(t) => t.text.clone(),
        ContentBlock::Image(i) => {
            format!("[image {}, {} bytes of base64]", i.mime_type, i.data.len())
        }
        ContentBlock::Audio(a) => {
            format!("[audio {}, {} bytes of base64]", a.mime_type, a.data.len())
        }
        ContentBlock::ResourceLink(l) => format!("[resource link {} ({})]", l.uri, l.name),
        ContentBlock::Resource(r) => describe_contents(&r.resource),
        other => format!("[{} content]", other.type_name()),
    }
}

fn describe_contents(contents: &ResourceContents) -> String {
    match contents {
        ResourceContents::Text(t) => t.text.clone(),
        ResourceContents::Blob(b) => format!(
            "[blob {}{}, {} bytes of base64]",
            b.uri,
            b.mime_type
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default(),
            b.blob.len()
        ),
        other => format!("[resource {}]", other.uri()),
    }
}

pub(crate) fn print_tools(tools: &[Tool]) {
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for tool in tools {
        out(format!(
            "{:width$}  {}",
            tool.name,
            first_line(tool.description.as_deref())
        )
        .trim_end());
        let required: Vec<&str> = tool
            .input_schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(Value::Object(properties)) = tool.input_schema.get("properties") {
            for (name, prop) in properties {
                let ty = match prop.get("type") {
                    Some(Value::String(t)) => t.clone(),
                    Some(other) => other.to_string(),
                    None => "any".to_owned(),
                };
                let optional = if required.contains(&name.as_str()) {
                    ""
                } else {
                    "?"
                };
                let description = first_line(prop.get("description").and_then(Value::as_str));
                out(format!("{:width$}    {name}{optional}: {ty}  {description}", "").trim_end());
            }
        }
    }
}

pub(crate) fn print_call_result(result: &CallToolResult) {
    let print: fn(&str) = if result.is_error() {
        |t| eprintln!("{t}")
    } else {
        out
    };
    for block in &result.content {
        print(&describe_block(block));
    }
    if let (true, Some(structured)) = (result.content.is_empty(), &result.structured_content) {
        print(&serde_json::to_string_pretty(structured).unwrap_or_default());
    }
}

pub(crate) fn print_read_result(result: &ReadResourceResult) {
    for contents in &result.contents {
        out(&describe_contents(contents));
    }
}

pub(crate) fn print_prompt(result: &GetPromptResult) {
    if let Some(description) = &result.description {
        out(&format!("# {description}"));
    }
    for message in &result.messages {
        let role = match message.role {
            Role::User => "user",
            Role::Assistant => "assistant",
            _ => "other",
        };
        out(&format!("{role}: {}", describe_block(&message.content)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines() {
        assert_eq!(
            progress_line(3.0, Some(10.0), Some("counted 3")),
            "progress 3/10 counted 3"
        );
        assert_eq!(progress_line(0.5, None, None), "progress 0.5");
    }
}
