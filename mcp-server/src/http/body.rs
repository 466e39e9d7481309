//! The response body of the HTTP transport: empty, one buffer, or a live SSE stream.

use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The body of every response of [`McpHttpService`](super::McpHttpService).
///
/// It is either empty, a single buffer (JSON), or a Server-Sent Events stream that ends when the
/// stream's last message (the JSON-RPC response) has been written or the session closes. It
/// never fails, so its error type is [`Infallible`].
pub struct McpBody {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Option<Bytes>),
    Sse {
        prefix: Option<Bytes>,
        rx: Option<mpsc::Receiver<Bytes>>,
        keep_alive: Option<tokio::time::Interval>,
        _guard: Option<LiveGuard>,
    },
}

/// An SSE comment sent on idle streams so that proxies do not time them out.
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

impl fmt::Debug for McpBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Empty => "empty",
            Kind::Full(_) => "full",
            Kind::Sse { .. } => "sse",
        };
        f.debug_struct("McpBody").field("kind", &kind).finish()
    }
}

impl McpBody {
    /// An empty body.
    pub fn empty() -> Self {
        Self { kind: Kind::Empty }
    }

    /// A body made of one buffer.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Self::empty();
        }
        Self {
            kind: Kind::Full(Some(bytes)),
        }
    }

    /// An SSE stream: `prefix` first (priming or replayed events), then whatever arrives on
    /// `rx` until its sender is dropped, with a comment every `keep_alive` while it waits.
    pub(crate) fn sse(
        prefix: Option<Bytes>,
        rx: Option<mpsc::Receiver<Bytes>>,
        keep_alive: Option<Duration>,
        guard: Option<LiveGuard>,
    ) -> Self {
        let keep_alive = keep_alive
            .filter(|d| rx.is_some() && !d.is_zero())
            .map(|period| {
                let mut interval = tokio::time::interval_at(Instant::now() + period, period);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                interval
            });
        let prefix = prefix.filter(|p| !p.is_empty());
        Self {
            kind: Kind::Sse {
                prefix,
                rx,
                keep_alive,
                _guard: guard,
            },
        }
    }
}

impl Body for McpBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.get_mut().kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Sse {
                prefix,
                rx,
                keep_alive,
                ..
            } => {
                if let Some(p) = prefix.take() {
                    return Poll::Ready(Some(Ok(Frame::data(p))));
                }
                let Some(receiver) = rx else {
                    return Poll::Ready(None);
                };
                match receiver.poll_recv(cx) {
                    Poll::Ready(Some(b)) => Poll::Ready(Some(Ok(Frame::data(b)))),
                    Poll::Ready(None) => {
                        *rx = None;
                        *keep_alive = None;
                        Poll::Ready(None)
                    }
                    Poll::Pending => {
                        let tick = keep_alive
                            .as_mut()
                            .is_some_and(|k| k.poll_tick(cx).is_ready());
                        if tick {
                            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(KEEP_ALIVE)))))
                        } else {
                            Poll::Pending
                        }
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(b) => b.is_none(),
            Kind::Sse { prefix, rx, .. } => prefix.is_none() && rx.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Sse { .. } => SizeHint::default(),
        }
    }
}

/// When a session was last used, and how many SSE connections are attached to it now.
#[derive(Debug)]
pub(crate) struct Activity {
    live: AtomicUsize,
    last: Mutex<Instant>,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            live: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
        })
    }

    pub(crate) fn touch(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// Idle: no connection attached and no request for `timeout`.
    pub(crate) fn is_idle(&self, timeout: Duration) -> bool {
        self.live.load(Ordering::Acquire) == 0
            && self
                .last
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .elapsed()
                >= timeout
    }
}

/// Held by an SSE body: counts the connection as live until the body is dropped.
#[derive(Debug)]
pub(crate) struct LiveGuard(Arc<Activity>);

impl LiveGuard {
    pub(crate) fn new(activity: &Arc<Activity>) -> Self {
        activity.live.fetch_add(1, Ordering::AcqRel);
        activity.touch();
        Self(activity.clone())
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.touch();
        self.0.live.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Formats one SSE event carrying a JSON-RPC message. Lines of `data` (compact JSON has none,
/// but a handler's raw value might) each get their own `data:` field.
pub(crate) fn sse_event(id: Option<&str>, data: &[u8]) -> Bytes {
    let mut buf = Vec::with_capacity(data.len() + 48);
    buf.extend_from_slice(b"event: message\n");
    if let Some(id) = id {
        buf.extend_from_slice(b"id: ");
        buf.extend_from_slice(id.as_bytes());
        buf.push(b'\n');
    }
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        buf.extend_from_slice(b"data: ");
        buf.extend_from_slice(line);
        buf.push(b'\n');
    }
    buf.push(b'\n');
    Bytes::from(buf)
}

/// The priming event of a stream: an id and empty data, plus the reconnection delay.
pub(crate) fn priming_event(id: &str, retry: Duration) -> Bytes {
    Bytes::from(format!(
        "id: {id}\nretry: {}\ndata: \n\n",
        retry.as_millis()
    ))
}
