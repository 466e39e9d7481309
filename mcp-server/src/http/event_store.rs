//! Where SSE events are kept so that a client can resume a stream with `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;

/// One stored event: its position in its stream and the JSON-RPC message it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredEvent {
    /// The event's sequence number within its stream (the priming event is 0, messages start
    /// at 1).
    pub seq: u64,
    /// The JSON-RPC message, compact JSON.
    pub message: Bytes,
}

impl StoredEvent {
    /// An event.
    pub fn new(seq: u64, message: Bytes) -> Self {
        Self { seq, message }
    }
}

/// Keeps the events of every resumable SSE stream so that a client that lost its connection can
/// reconnect with `GET` + `Last-Event-ID` and receive what it missed.
///
/// A stream is identified by the session id and a stream number unique within the session; the
/// event id on the wire is `"<stream>-<seq>"`. The transport calls the store while it routes
/// messages, under the session's routing lock, so implementations must be quick and must not
/// block (keep them in memory; an external store needs a write-behind buffer). Implementations
/// decide how much to keep; events they no longer have are simply not replayed.
pub trait EventStore: Send + Sync + fmt::Debug + 'static {
    /// Records the message sent as event `seq` of `stream` in `session`.
    fn store(&self, session: &str, stream: u64, seq: u64, message: Bytes);

    /// The events of `stream` in `session` after sequence number `after`, in order.
    fn replay_after(&self, session: &str, stream: u64, after: u64) -> Vec<StoredEvent>;

    /// Forgets a stream (it finished long ago).
    fn remove_stream(&self, session: &str, stream: u64);

    /// Forgets every stream of a session (it ended).
    fn remove_session(&self, session: &str);
}

/// The default [`EventStore`]: in memory, bounded by a number of events per stream (the oldest
/// are dropped first). The transport itself bounds the number of streams kept per session.
#[derive(Debug)]
pub struct InMemoryEventStore {
    max_events_per_stream: usize,
    sessions: Mutex<HashMap<String, HashMap<u64, VecDeque<StoredEvent>>>>,
}

impl Default for InMemoryEventStore {
    fn default() -> Self {
        Self::new(1000)
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `max_events_per_stream` events of each stream (at least 1).
    pub fn new(max_events_per_stream: usize) -> Self {
        Self {
            max_events_per_stream: max_events_per_stream.max(1),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<u64, VecDeque<StoredEvent>>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl EventStore for InMemoryEventStore {
    fn store(&self, session: &str, stream: u64, seq: u64, message: Bytes) {
        let mut sessions = self.lock();
        let streams = match sessions.get_mut(session) {
            Some(s) => s,
            None => sessions.entry(session.to_owned()).or_default(),
        };
        let events = streams.entry(stream).or_default();
        if events.len() >= self.max_events_per_stream {
            events.pop_front();
        }
        events.push_back(StoredEvent { seq, message });
    }

    fn replay_after(&self, session: &str, stream: u64, after: u64) -> Vec<StoredEvent> {
        let sessions = self.lock();
        let Some(events) = sessions.get(session).and_then(|s| s.get(&stream)) else {
            return Vec::new();
        };
        events.iter().filter(|e| e.seq > after).cloned().collect()
    }

    fn remove_stream(&self, session: &str, stream: u64) {
        if let Some(streams) = self.lock().get_mut(session) {
            streams.remove(&stream);
        }
    }

    fn remove_session(&self, session: &str) {
        self.lock().remove(session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_per_stream_and_replays_only_that_stream() {
        let store = InMemoryEventStore::new(3);
        for seq in 1..=5 {
            store.store("s", 1, seq, Bytes::from(format!("a{seq}")));
        }
        store.store("s", 2, 1, Bytes::from_static(b"b1"));
        let seqs: Vec<u64> = store
            .replay_after("s", 1, 0)
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert_eq!(store.replay_after("s", 1, 4).len(), 1);
        assert_eq!(
            store.replay_after("s", 2, 0)[0].message,
            Bytes::from_static(b"b1")
        );
        store.remove_stream("s", 1);
        assert!(store.replay_after("s", 1, 0).is_empty());
        store.remove_session("s");
        assert!(store.replay_after("s", 2, 0).is_empty());
    }
}
