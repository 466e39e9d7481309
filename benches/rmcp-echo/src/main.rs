//! The echo server of `examples/echo`, written with rmcp 3.9.0 for comparison.
//!
//! Tools: `echo(text)` and `slow_count(n, delay_ms = 1)` (progress at each step, stops when
//! cancelled). Transports, chosen on the command line like ours:
//!
//! - (nothing): stdio with `rmcp::transport::stdio()` (rmcp's default; blocking thread pool)
//! - `--pipes`: stdio with `rmcp::transport::stdio_pipes()` (non-blocking pipe driver, 3.6+)
//! - `--http ADDR`: Streamable HTTP at `http://ADDR/mcp` with a `LocalSessionManager`
//!   (sessions, SSE responses: rmcp's default)
//! - `--http ADDR --stateless`: no sessions (`legacy_session_mode = false`), SSE responses
//! - `--http ADDR --json-response`: no sessions and JSON responses (rmcp allows JSON responses
//!   only without sessions)

use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::RoleServer;
use rmcp::model::ProgressNotificationParam;
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};

#[derive(Clone, Debug, Default)]
struct Echo;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to echo.
    text: String,
}

fn one() -> u64 {
    1
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct SlowCountArgs {
    /// How far to count.
    n: u64,
    /// Milliseconds to wait at each step.
    #[serde(default = "one")]
    delay_ms: u64,
}

#[tool_router]
impl Echo {
    /// Echo the text back, unchanged.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false))]
    async fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }

    /// Count from 1 to `n`, sending a progress notification at each step and stopping early
    /// when the call is cancelled.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn slow_count(
        &self,
        Parameters(SlowCountArgs { n, delay_ms }): Parameters<SlowCountArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let token = ctx.meta.get_progress_token();
        for i in 1..=n {
            if ctx.ct.is_cancelled() {
                return Err(ErrorData::internal_error("cancelled", None));
            }
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            if let Some(token) = &token {
                let _ = ctx
                    .peer
                    .notify_progress(
                        ProgressNotificationParam::new(token.clone(), i as f64)
                            .with_total(n as f64)
                            .with_message(format!("counted {i}")),
                    )
                    .await;
            }
        }
        Ok(format!("counted to {n}"))
    }
}

#[tool_handler(name = "rmcp-echo", version = "1.0.0")]
impl ServerHandler for Echo {}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let http = args
        .iter()
        .position(|a| a == "--http")
        .map(|i| args.get(i + 1).cloned().expect("--http needs an address"));
    match http {
        None if flag("--pipes") => {
            Echo.serve(rmcp::transport::stdio_pipes())
                .await?
                .waiting()
                .await?;
        }
        None => {
            Echo.serve(rmcp::transport::stdio()).await?.waiting().await?;
        }
        Some(addr) => {
            let json = flag("--json-response");
            let stateless = json || flag("--stateless");
            let config = StreamableHttpServerConfig::default()
                .with_legacy_session_mode(!stateless)
                .with_json_response(json);
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            if stateless {
                let svc = StreamableHttpService::new(
                    || Ok(Echo),
                    Arc::new(NeverSessionManager::default()),
                    config,
                );
                serve(listener, svc).await
            } else {
                let svc = StreamableHttpService::new(
                    || Ok(Echo),
                    Arc::new(LocalSessionManager::default()),
                    config,
                );
                serve(listener, svc).await
            }
        }
    }
    Ok(())
}

/// Plain hyper HTTP/1.1 around the tower service (what `axum::serve` would do, minus axum).
async fn serve<S>(listener: tokio::net::TcpListener, svc: S) -> !
where
    S: tower_service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<
                http_body_util::combinators::BoxBody<bytes::Bytes, std::convert::Infallible>,
            >,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = hyper_util::service::TowerToHyperService::new(svc.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
        });
    }
}
