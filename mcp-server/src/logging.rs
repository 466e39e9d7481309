//! Client-controlled logging, and a bridge from `tracing`.
//!
//! Every request handler runs inside a scope that knows its [`Context`]. With the
//! `tracing-layer` feature (on by default), [`McpLogLayer`] forwards `tracing` events emitted
//! inside a handler to that request's client as `notifications/message`, when the event's level
//! is at or above the level the client set with `logging/setLevel`. Events outside handlers,
//! and events in tasks a handler spawns, are not forwarded (attach them to a request by logging
//! through [`Context::log`](crate::Context::log) or [`Logger`](crate::Logger)).
//!
//! ```no_run
//! use tracing_subscriber::prelude::*;
//!
//! tracing_subscriber::registry()
//!     // .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr)) // to stderr
//!     .with(mcp_server::logging::McpLogLayer::new())
//!     .init();
//! ```

use std::future::Future;

use mcp_core::model::LoggingLevel;
use mcp_core::peer::BoxFuture;

use crate::context::Context;

tokio::task_local! {
    static CURRENT: Context;
}

/// Runs `fut` with `ctx` as the current request (what [`McpLogLayer`] forwards to).
pub(crate) fn scope<F>(ctx: Context, fut: F) -> BoxFuture<'static, F::Output>
where
    F: Future + Send + 'static,
{
    Box::pin(scoped(ctx, fut))
}

/// [`scope`] without the box, for a caller that boxes the whole request future anyway.
pub(crate) fn scoped<F: Future>(ctx: Context, fut: F) -> impl Future<Output = F::Output> {
    CURRENT.scope(ctx, fut)
}

/// The context of the request the current task is handling, if any.
pub fn current() -> Option<Context> {
    CURRENT.try_with(Context::clone).ok()
}

/// Maps a `tracing` level to the MCP level it is sent at.
pub fn level_for(level: &tracing::Level) -> LoggingLevel {
    match *level {
        tracing::Level::ERROR => LoggingLevel::Error,
        tracing::Level::WARN => LoggingLevel::Warning,
        tracing::Level::INFO => LoggingLevel::Info,
        _ => LoggingLevel::Debug,
    }
}

#[cfg(feature = "tracing-layer")]
pub use layer::McpLogLayer;

#[cfg(feature = "tracing-layer")]
mod layer {
    use std::fmt::Write as _;

    use serde_json::{Map, Value};
    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context as LayerContext, Layer};

    use super::{current, level_for};

    /// A `tracing_subscriber` layer that sends events emitted inside request handlers to the
    /// client of that request (see the [module docs](super)).
    #[derive(Debug, Clone, Default)]
    pub struct McpLogLayer {
        _private: (),
    }

    impl McpLogLayer {
        /// The layer.
        pub fn new() -> Self {
            Self::default()
        }
    }

    impl<S: tracing::Subscriber> Layer<S> for McpLogLayer {
        fn on_event(&self, event: &tracing::Event<'_>, _ctx: LayerContext<'_, S>) {
            let Some(ctx) = current() else { return };
            let meta = event.metadata();
            let level = level_for(meta.level());
            if !ctx.log_enabled(level) {
                return;
            }
            let mut visitor = Fields::default();
            event.record(&mut visitor);
            let data = if visitor.fields.is_empty() {
                Value::String(visitor.message)
            } else {
                let mut obj = visitor.fields;
                if !visitor.message.is_empty() {
                    obj.insert("message".into(), Value::String(visitor.message));
                }
                Value::Object(obj)
            };
            let params =
                serde_json::json!({ "level": level, "logger": meta.target(), "data": data });
            ctx.peer().try_notify(
                "notifications/message",
                Some(&params),
                Some(ctx.request_id().clone()),
            );
        }
    }

    #[derive(Default)]
    struct Fields {
        message: String,
        fields: Map<String, Value>,
    }

    impl Visit for Fields {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "message" {
                self.message.push_str(value);
            } else {
                self.fields.insert(field.name().into(), value.into());
            }
        }

        fn record_i64(&mut self, field: &Field, value: i64) {
            self.fields.insert(field.name().into(), value.into());
        }

        fn record_u64(&mut self, field: &Field, value: u64) {
            self.fields.insert(field.name().into(), value.into());
        }

        fn record_f64(&mut self, field: &Field, value: f64) {
            self.fields.insert(field.name().into(), value.into());
        }

        fn record_bool(&mut self, field: &Field, value: bool) {
            self.fields.insert(field.name().into(), value.into());
        }

        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                let _ = write!(self.message, "{value:?}");
            } else {
                self.fields
                    .insert(field.name().into(), format!("{value:?}").into());
            }
        }
    }
}
