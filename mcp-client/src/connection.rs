//! The plumbing between a byte-stream transport and the [`Engine`]: a reading task that feeds
//! frames to the engine, and a writing task that drains the engine's outgoing queue.
//!
//! The writing task also does two small jobs the engine's API has no hook for yet:
//!
//! - it learns the request id the engine gave to a call, through a tag the client puts in the
//!   request's `_meta` (and the writer strips before the message leaves), and
//! - it writes the reason the client chose (`timeout`, `interrupted`, ...) into the
//!   `notifications/cancelled` the engine sends when a call's future is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mcp_core::RequestId;
use mcp_core::codec::{Frame, LineReader};
use mcp_core::model::method_names as names;
use mcp_core::peer::{Admission, Engine, Outbound, OutboundKind, Peer};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The `_meta` member that carries the client's call tag from [`Connection`] to its writer. It
/// never reaches the wire.
const TAG_KEY: &str = "mcp-client.internal/tag";

/// How many cancel reasons may wait for their `notifications/cancelled` before old ones are
/// forgotten (a reason whose request was answered in the meantime is never used).
const MAX_REASONS: usize = 256;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by the client and the connection's tasks.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    next_tag: AtomicU64,
    /// Tagged calls waiting to learn their request id.
    awaiting: Mutex<HashMap<u64, oneshot::Sender<RequestId>>>,
    /// Reasons to put into the next `notifications/cancelled` for these requests; `None` means
    /// the notification must not be sent (`initialize` is never cancelled).
    reasons: Mutex<HashMap<RequestId, Option<String>>>,
    /// Set when the connection closed: why, if known.
    closed: Mutex<Option<Option<String>>>,
}

/// A registered tag; unregisters it when dropped.
#[derive(Debug)]
pub(crate) struct Tag {
    shared: Arc<Shared>,
    pub(crate) value: u64,
}

impl Drop for Tag {
    fn drop(&mut self) {
        lock(&self.shared.awaiting).remove(&self.value);
    }
}

impl Shared {
    /// A fresh tag and the receiver of the request id the engine gives to the tagged request.
    pub(crate) fn register(self: &Arc<Self>) -> (Tag, oneshot::Receiver<RequestId>) {
        let value = self.next_tag.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.awaiting).insert(value, tx);
        (
            Tag {
                shared: self.clone(),
                value,
            },
            rx,
        )
    }

    /// Puts `tag` into the `_meta` of `params` (an object, or nothing).
    pub(crate) fn tag_params(params: &mut Value, tag: u64) {
        if !params.is_object() {
            *params = Value::Object(Default::default());
        }
        if let Some(obj) = params.as_object_mut() {
            let meta = obj
                .entry("_meta")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(meta) = meta.as_object_mut() {
                meta.insert(TAG_KEY.to_owned(), Value::from(tag));
            }
        }
    }

    /// Records the reason of the cancellation about to be sent for `id`; `None` suppresses
    /// the notification.
    pub(crate) fn set_cancel_reason(&self, id: RequestId, reason: Option<String>) {
        let mut reasons = lock(&self.reasons);
        if reasons.len() >= MAX_REASONS {
            reasons.clear();
        }
        reasons.insert(id, reason);
    }

    /// Why the connection closed; `None` while it is open.
    pub(crate) fn closed(&self) -> Option<Option<String>> {
        lock(&self.closed).clone()
    }

    fn set_closed(&self, detail: Option<String>) {
        lock(&self.closed).get_or_insert(detail);
    }

    /// The bytes to write for an outgoing message, after the rewrites described in the module
    /// documentation; `None` when the message must not be sent.
    fn rewrite(&self, msg: Outbound) -> Option<Vec<u8>> {
        match msg.kind {
            OutboundKind::Request if contains(&msg.bytes, TAG_KEY.as_bytes()) => {
                Some(self.untag_request(&msg.bytes).unwrap_or(msg.bytes))
            }
            OutboundKind::Notification
                if contains(&msg.bytes, names::NOTIFICATIONS_CANCELLED.as_bytes()) =>
            {
                match self.apply_reason(&msg.bytes) {
                    None => Some(msg.bytes),
                    Some(rewritten) => rewritten,
                }
            }
            _ => Some(msg.bytes),
        }
    }

    fn untag_request(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let mut value: Value = serde_json::from_slice(bytes).ok()?;
        let id: RequestId = serde_json::from_value(value.get("id")?.clone()).ok()?;
        let params = value.get_mut("params")?.as_object_mut()?;
        let meta = params.get_mut("_meta")?.as_object_mut()?;
        let tag = meta.remove(TAG_KEY)?.as_u64()?;
        if meta.is_empty() {
            params.remove("_meta");
        }
        if let Some(tx) = lock(&self.awaiting).remove(&tag) {
            let _ = tx.send(id);
        }
        serde_json::to_vec(&value).ok()
    }

    /// `None` to keep the message as it is, `Some(None)` to drop it, `Some(Some(bytes))` to send
    /// `bytes` instead.
    fn apply_reason(&self, bytes: &[u8]) -> Option<Option<Vec<u8>>> {
        let mut value: Value = serde_json::from_slice(bytes).ok()?;
        if value.get("method")?.as_str()? != names::NOTIFICATIONS_CANCELLED {
            return None;
        }
        let params = value.get_mut("params")?.as_object_mut()?;
        let id: RequestId = serde_json::from_value(params.get("requestId")?.clone()).ok()?;
        let Some(reason) = lock(&self.reasons).remove(&id)? else {
            return Some(None);
        };
        params.insert("reason".to_owned(), Value::String(reason));
        serde_json::to_vec(&value).ok().map(Some)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// A running connection: the engine plus its reading and writing tasks.
#[derive(Debug)]
pub(crate) struct Connection {
    engine: Arc<Engine>,
    pub(crate) shared: Arc<Shared>,
    /// Tells the writer to flush what is queued, close the output and stop.
    shutdown: CancellationToken,
    reader: JoinHandle<()>,
    writer: Option<JoinHandle<()>>,
}

impl Connection {
    /// Starts the tasks of a connection over `reader`/`writer`.
    pub(crate) fn start<R, W>(
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
        let shared = Arc::new(Shared::default());
        let shutdown = CancellationToken::new();
        let writer = tokio::spawn(write_task(
            outbound,
            writer,
            shared.clone(),
            shutdown.clone(),
        ));
        let reader = tokio::spawn(read_task(
            engine.clone(),
            reader,
            shared.clone(),
            max_message_size,
        ));
        Self {
            engine,
            shared,
            shutdown,
            reader,
            writer: Some(writer),
        }
    }

    pub(crate) fn peer(&self) -> &Peer {
        self.engine.peer()
    }

    /// Flushes what is queued, closes the output (the server sees end of input) and fails the
    /// calls still waiting for a response.
    pub(crate) async fn shutdown(&mut self) {
        self.shutdown.cancel();
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
        self.shared
            .set_closed(Some("the client closed the connection".into()));
        self.engine.close();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.reader.abort();
        self.engine.close();
    }
}

async fn read_task<R: AsyncRead + Unpin>(
    engine: Arc<Engine>,
    reader: R,
    shared: Arc<Shared>,
    max: usize,
) {
    let mut lines = LineReader::new(reader, max);
    let detail = loop {
        match lines.next_frame().await {
            Ok(Some(Frame::Line(line))) => {
                let _ = engine.handle_frame(line, Admission::Wait).await;
            }
            Ok(Some(Frame::TooLong { len })) => {
                tracing::warn!(
                    len,
                    max,
                    "the server sent a message larger than the maximum; skipped"
                );
                engine.frame_too_long(len, max).await;
            }
            Ok(None) => break None,
            Err(e) => break Some(format!("reading from the server failed: {e}")),
        }
    };
    shared.set_closed(detail);
    engine.close();
}

async fn write_task<W: AsyncWrite + Unpin>(
    mut rx: mpsc::Receiver<Outbound>,
    mut writer: W,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
) {
    let mut batch = Vec::with_capacity(64);
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let n = tokio::select! {
            biased;
            n = rx.recv_many(&mut batch, 64) => n,
            () = shutdown.cancelled() => {
                while let Ok(msg) = rx.try_recv() {
                    batch.push(msg);
                }
                0
            }
        };
        for bytes in batch.drain(..).filter_map(|msg| shared.rewrite(msg)) {
            buf.extend_from_slice(&bytes);
            buf.push(b'\n');
        }
        if !buf.is_empty() {
            if let Err(e) = async {
                writer.write_all(&buf).await?;
                writer.flush().await
            }
            .await
            {
                tracing::debug!(error = %e, "writing to the server failed");
                break;
            }
            buf.clear();
        }
        if n == 0 {
            break;
        }
    }
    let _ = writer.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untags_requests_and_reports_their_id() {
        let shared = Arc::new(Shared::default());
        let (tag, mut rx) = shared.register();
        let mut params = serde_json::json!({ "name": "x" });
        Shared::tag_params(&mut params, tag.value);
        let bytes =
            mcp_core::jsonrpc::encode_request(&RequestId::Number(7), "tools/call", Some(&params));
        let out = shared.rewrite(Outbound {
            bytes,
            related: None,
            kind: OutboundKind::Request,
        });
        let v: Value = serde_json::from_slice(&out.unwrap()).unwrap();
        assert_eq!(v["params"], serde_json::json!({ "name": "x" }));
        assert_eq!(rx.try_recv().unwrap(), RequestId::Number(7));
    }

    #[test]
    fn writes_the_chosen_cancel_reason() {
        let shared = Shared::default();
        shared.set_cancel_reason(RequestId::Number(3), Some("interrupted".into()));
        shared.set_cancel_reason(RequestId::Number(5), None);
        let params = serde_json::json!({ "requestId": 3, "reason": "request dropped" });
        let bytes =
            mcp_core::jsonrpc::encode_notification("notifications/cancelled", Some(&params));
        let out = shared.rewrite(Outbound {
            bytes,
            related: None,
            kind: OutboundKind::Notification,
        });
        let v: Value = serde_json::from_slice(&out.unwrap()).unwrap();
        assert_eq!(v["params"]["reason"], "interrupted");
        assert_eq!(v["params"]["requestId"], 3);
        // Other ids keep the engine's reason.
        let params = serde_json::json!({ "requestId": 4, "reason": "request dropped" });
        let bytes =
            mcp_core::jsonrpc::encode_notification("notifications/cancelled", Some(&params));
        let out = shared.rewrite(Outbound {
            bytes: bytes.clone(),
            related: None,
            kind: OutboundKind::Notification,
        });
        assert_eq!(out, Some(bytes));
        // A suppressed one is not sent at all.
        let params = serde_json::json!({ "requestId": 5, "reason": "request dropped" });
        let bytes =
            mcp_core::jsonrpc::encode_notification("notifications/cancelled", Some(&params));
        let out = shared.rewrite(Outbound {
            bytes,
            related: None,
            kind: OutboundKind::Notification,
        });
        assert_eq!(out, None);
    }
}
