//! A running connection: the [`Engine`] plus the transport that moves its messages, either a
//! byte stream (a child process's pipes, a socket) driven by [`run_stream`], or Streamable HTTP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_core::peer::{Engine, Outbound, Peer, StreamEnd, run_stream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a graceful shutdown waits for the transport to deliver what is queued.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why the connection closed, once it has: `Some(None)` when no detail is known.
#[derive(Debug, Default)]
pub(crate) struct ClosedReason(Mutex<Option<Option<String>>>);

impl ClosedReason {
    /// Why the connection closed; `None` while it is open.
    pub(crate) fn get(&self) -> Option<Option<String>> {
        lock(&self.0).clone()
    }

    /// Records why the connection closed, unless a reason is already known.
    pub(crate) fn set(&self, detail: Option<String>) {
        lock(&self.0).get_or_insert(detail);
    }
}

#[derive(Debug)]
enum Transport {
    /// Newline-delimited JSON over a byte stream: one task runs [`run_stream`].
    Stream { task: Option<JoinHandle<()>> },
    /// Streamable HTTP.
    #[cfg(feature = "http")]
    Http(crate::http::HttpTransport),
}

/// The engine of a connection and the transport that carries its messages.
#[derive(Debug)]
pub(crate) struct Connection {
    engine: Arc<Engine>,
    pub(crate) closed: Arc<ClosedReason>,
    transport: Transport,
}

impl Connection {
    /// Starts a connection over a byte stream pair.
    pub(crate) fn start_stream<R, W>(
        engine: Engine,
        outbound: mpsc::Receiver<Outbound>,
        reader: R,
        writer: W,
        max_message_size: usize,
    ) -> Self
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let engine = Arc::new(engine);
        let closed = Arc::new(ClosedReason::default());
        let task = tokio::spawn({
            let engine = engine.clone();
            let closed = closed.clone();
            async move {
                // Nothing but the engine's closing stops the stream: `Client::close` closes it.
                let stop = CancellationToken::new();
                let (end, writer) =
                    run_stream(&engine, outbound, reader, writer, max_message_size, &stop).await;
                closed.set(match end {
                    StreamEnd::Eof | StreamEnd::Closed | StreamEnd::Stopped => None,
                    StreamEnd::ReadError => Some("reading from the server failed".to_owned()),
                    StreamEnd::WriteError => Some("writing to the server failed".to_owned()),
                });
                engine.close();
                // Flushes what is queued and closes the server's input.
                let _ = writer.await;
            }
        });
        Self {
            engine,
            closed,
            transport: Transport::Stream { task: Some(task) },
        }
    }

    /// A connection over Streamable HTTP.
    #[cfg(feature = "http")]
    pub(crate) fn from_http(
        engine: Arc<Engine>,
        closed: Arc<ClosedReason>,
        transport: crate::http::HttpTransport,
    ) -> Self {
        Self {
            engine,
            closed,
            transport: Transport::Http(transport),
        }
    }

    pub(crate) fn peer(&self) -> &Peer {
        self.engine.peer()
    }

    /// Called once `notifications/initialized` is queued: the HTTP transport opens its
    /// standalone stream for messages from the server.
    pub(crate) async fn initialized(&self) {
        match &self.transport {
            Transport::Stream { .. } => {}
            #[cfg(feature = "http")]
            Transport::Http(http) => http.initialized().await,
        }
    }

    /// Delivers what is queued, closes the transport (a process sees the end of its input, an
    /// HTTP session is deleted) and fails the calls still waiting for a response.
    pub(crate) async fn shutdown(&mut self) {
        self.closed
            .set(Some("the client closed the connection".into()));
        match &mut self.transport {
            Transport::Stream { task } => {
                self.engine.close();
                if let Some(task) = task.take() {
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, task).await;
                }
            }
            #[cfg(feature = "http")]
            Transport::Http(http) => {
                http.shutdown(SHUTDOWN_GRACE).await;
                self.engine.close();
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.engine.close();
        match &mut self.transport {
            // The stream's writer finishes on its own once the engine is closed.
            Transport::Stream { .. } => {}
            #[cfg(feature = "http")]
            Transport::Http(http) => http.abort(),
        }
    }
}
