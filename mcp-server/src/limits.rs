//! The per-request timeout ([`ServerConfig::request_timeout`]) and the engine settings derived
//! from a [`ServerConfig`], shared by the stdio and HTTP transports.

use std::sync::Arc;
use std::time::Duration;

use mcp_core::McpError;
use mcp_core::peer::{
    Dispatch, EngineConfig, Handler, IncomingNotification, IncomingRequest, Peer, RequestContext,
};

use crate::server::ServerConfig;
use crate::session::{Session, SessionHandler};

/// The engine settings of one session.
pub(crate) fn engine_config(config: &ServerConfig) -> EngineConfig {
    let mut c = EngineConfig::default();
    c.max_in_flight = config.max_in_flight;
    c.cancel_grace = config.cancel_grace;
    c.max_pending_outgoing = config.max_pending_outgoing;
    c
}

/// The handler of one session: the session itself, behind the request timeout when one is set.
pub(crate) fn session_handler(session: Arc<Session>, config: &ServerConfig) -> Arc<dyn Handler> {
    let inner = SessionHandler(session);
    match config.request_timeout {
        Some(timeout) => Arc::new(TimeoutHandler {
            inner,
            timeout,
            grace: config.cancel_grace,
        }),
        None => Arc::new(inner),
    }
}

/// Bounds the time of every request that runs as a task (tool calls, reads, prompts,
/// completions...). When the time is up, the request's cancellation token is cancelled (as a
/// client's `notifications/cancelled` would), the handler gets half the cancel grace to wind
/// down, and the client gets a -32603 error saying the request timed out.
struct TimeoutHandler {
    inner: SessionHandler,
    timeout: Duration,
    grace: Duration,
}

impl Handler for TimeoutHandler {
    fn handle_request(&self, request: IncomingRequest, cx: RequestContext) -> Dispatch {
        let token = cx.cancellation().clone();
        let id = cx.id().clone();
        let method = request.method.clone();
        match self.inner.handle_request(request, cx) {
            Dispatch::Reply(r) => Dispatch::Reply(r),
            Dispatch::Spawn(mut fut) => {
                let (timeout, grace) = (self.timeout, self.grace);
                Dispatch::Spawn(Box::pin(async move {
                    tokio::select! {
                        r = &mut fut => return r,
                        () = tokio::time::sleep(timeout) => {}
                    }
                    tracing::warn!(%id, %method, ?timeout, "request timed out; cancelling it");
                    token.cancel();
                    // Half the grace: the engine drops a cancelled request after the whole
                    // grace, and the error must be sent before that.
                    if !grace.is_zero() {
                        let _ = tokio::time::timeout(grace / 2, fut).await;
                    }
                    Err(request_timed_out(&method, timeout))
                }))
            }
        }
    }

    fn handle_notification(&self, notification: IncomingNotification, peer: &Peer) {
        self.inner.handle_notification(notification, peer);
    }

    fn allow_batch(&self) -> bool {
        self.inner.allow_batch()
    }

    fn cancellable(&self, method: &str) -> bool {
        self.inner.cancellable(method)
    }
}

/// The error sent when [`ServerConfig::request_timeout`] elapses.
fn request_timed_out(method: &str, timeout: Duration) -> McpError {
    McpError::internal(format!(
        "Request timed out: `{method}` did not finish within {} ms (the server's request timeout); it was cancelled",
        timeout.as_millis()
    ))
}
