//! An incremental parser of `text/event-stream` (the WHATWG "server-sent events" format).
//!
//! Bytes go in as they arrive, in chunks of any size; complete events come out. It follows the
//! specification's rules: lines end with LF, CRLF or CR (a CRLF split across two chunks counts
//! once), a leading byte-order mark is skipped, `:` starts a comment, one space after the colon
//! is dropped, `data` lines accumulate with newlines, `id` values containing NUL are ignored,
//! `retry` takes only ASCII digits, and a blank line dispatches the event; its `id` becomes the
//! last event id even when it carries no data (this is how MCP servers prime a stream for
//! resumption: an id and an empty `data`).

use std::time::Duration;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The event type (`message` when the stream named none).
    pub(crate) event: String,
    /// The data, with the newline after the last `data` line removed.
    pub(crate) data: String,
}

/// The parser's state across chunks.
#[derive(Debug)]
pub(crate) struct SseParser {
    /// The bytes of the current, unfinished line.
    line: Vec<u8>,
    /// Whether the current line is too long and is being skipped.
    skipping: bool,
    /// The previous chunk ended with CR: a LF at the start of the next one belongs to it.
    after_cr: bool,
    /// Whether the first bytes (and a possible BOM) have been seen.
    started: bool,
    data: String,
    event: String,
    /// The `id` field of the event being built.
    id_buffer: Option<String>,
    /// The id of the last event dispatched (or primed with empty data).
    last_event_id: Option<String>,
    retry: Option<Duration>,
    /// The longest line, and the most data, one event may carry.
    max: usize,
    /// Whether the event being built overflowed `max` (it is dropped).
    overflow: bool,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    /// A parser that drops events (and lines) longer than `max` bytes.
    pub(crate) fn new(max: usize) -> Self {
        Self {
            line: Vec::new(),
            skipping: false,
            after_cr: false,
            started: false,
            data: String::new(),
            event: String::new(),
            id_buffer: None,
            last_event_id: None,
            retry: None,
            max,
            overflow: false,
        }
    }

    /// Prepares for a new connection that continues the stream (after a reconnection with
    /// `Last-Event-ID`): whatever was left of an unfinished line or event is dropped; the last
    /// event id and the `retry` delay stay.
    pub(crate) fn restart(&mut self) {
        self.line.clear();
        self.skipping = false;
        self.after_cr = false;
        self.started = false;
        self.data.clear();
        self.event.clear();
        self.id_buffer.clone_from(&self.last_event_id);
        self.overflow = false;
    }

    /// The id to send as `Last-Event-ID` when reconnecting (an empty id means none).
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref().filter(|id| !id.is_empty())
    }

    /// The reconnection delay the server asked for, if it did.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Feeds a chunk; complete events are appended to `out`.
    pub(crate) fn push(&mut self, mut chunk: &[u8], out: &mut Vec<SseEvent>) {
        if !self.started {
            // The BOM may be split across chunks; only a whole one at the very start counts.
            let have = self.line.len();
            let take = chunk.len().min(BOM.len() - have);
            if BOM.starts_with(&[&self.line[..], &chunk[..take]].concat()) {
                if have + take < BOM.len() {
                    self.line.extend_from_slice(&chunk[..take]);
                    return;
                }
                self.line.clear();
                chunk = &chunk[take..];
            } else {
                // Not a BOM: the bytes held back are the start of the first line.
            }
            self.started = true;
        }
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while let Some(end) = memchr2(b'\r', b'\n', chunk) {
            let (head, rest) = chunk.split_at(end);
            self.extend_line(head);
            let ended_with_cr = rest[0] == b'\r';
            chunk = &rest[1..];
            if ended_with_cr {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            let line = std::mem::take(&mut self.line);
            if std::mem::take(&mut self.skipping) {
                self.overflow = true;
            } else {
                self.process_line(&line, out);
            }
            self.line = line;
            self.line.clear();
        }
        self.extend_line(chunk);
    }

    fn extend_line(&mut self, bytes: &[u8]) {
        if self.skipping {
            return;
        }
        if self.line.len() + bytes.len() > self.max {
            tracing::warn!(
                max = self.max,
                "the server sent an SSE line longer than the maximum message size; its event is dropped"
            );
            self.skipping = true;
            self.line.clear();
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match line.iter().position(|b| *b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match field {
            b"event" => self.event = value.into_owned(),
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max {
                    self.overflow = true;
                } else {
                    self.data.push_str(&value);
                    self.data.push('\n');
                }
            }
            b"id" if !value.contains('\0') => self.id_buffer = Some(value.into_owned()),
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        self.last_event_id.clone_from(&self.id_buffer);
        let mut data = std::mem::take(&mut self.data);
        let event = std::mem::take(&mut self.event);
        if std::mem::take(&mut self.overflow) {
            tracing::warn!(
                max = self.max,
                "dropped an SSE event larger than the maximum message size"
            );
            return;
        }
        if data.is_empty() {
            return;
        }
        data.pop();
        out.push(SseEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            data,
        });
    }
}

/// The position of the first `a` or `b` in `haystack`.
fn memchr2(a: u8, b: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|c| *c == a || *c == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]]) -> (Vec<SseEvent>, SseParser) {
        let mut parser = SseParser::new(1024);
        let mut out = Vec::new();
        for chunk in chunks {
            parser.push(chunk, &mut out);
        }
        (out, parser)
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn events_with_ids_retry_and_comments() {
        let stream = b": keep-alive\n\nid: 0-0\nretry: 500\ndata:\n\nid: 0-1\nevent: message\ndata: {\"a\":1}\n\n";
        let (events, parser) = parse_chunks(&[stream]);
        assert_eq!(data(&events), ["", r#"{"a":1}"#]);
        assert_eq!(events[1].event, "message");
        assert_eq!(parser.last_event_id(), Some("0-1"));
        assert_eq!(parser.retry(), Some(Duration::from_millis(500)));
    }

    #[test]
    fn a_priming_event_sets_the_last_event_id() {
        let (events, parser) = parse_chunks(&[b"id: event-7\nretry: 500\ndata: \n\n"]);
        assert_eq!(data(&events), [""]);
        assert_eq!(parser.last_event_id(), Some("event-7"));
        assert_eq!(parser.retry(), Some(Duration::from_millis(500)));
    }

    #[test]
    fn an_unfinished_event_does_not_change_the_last_event_id() {
        let (events, parser) = parse_chunks(&[b"id: 1\ndata: a\n\nid: 2\ndata: b\n"]);
        assert_eq!(data(&events), ["a"]);
        assert_eq!(parser.last_event_id(), Some("1"));
    }

    #[test]
    fn every_line_ending_and_every_split() {
        let stream: &[u8] =
            b"\xEF\xBB\xBFdata: one\r\ndata: two\r\rdata:three\n\ndata:  four\r\n\r\n";
        let whole = parse_chunks(&[stream]).0;
        assert_eq!(data(&whole), ["one\ntwo", "three", " four"]);
        for split in 0..stream.len() {
            let (a, b) = stream.split_at(split);
            assert_eq!(parse_chunks(&[a, b]).0, whole, "split at {split}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(parse_chunks(&bytes).0, whole);
    }

    #[test]
    fn fields_without_a_colon_and_odd_values() {
        let stream = b"id\ndata\n\nid: bad\0id\nretry: 12x\nretry: \nevent\ndata: x\n\nevent: other\ndata: y\nid: \n\n";
        let (events, parser) = parse_chunks(&[stream]);
        assert_eq!(data(&events), ["", "x", "y"]);
        assert_eq!(events[1].event, "message");
        assert_eq!(events[2].event, "other");
        assert_eq!(parser.last_event_id(), None);
        assert_eq!(parser.retry(), None);
        let (_, parser) = parse_chunks(&[b"id: 5\n\nid\n\n"]);
        assert_eq!(parser.last_event_id(), None, "an empty id resets it");
    }

    #[test]
    fn oversized_events_are_dropped_and_parsing_goes_on() {
        let mut parser = SseParser::new(16);
        let mut out = Vec::new();
        parser.push(b"data: ", &mut out);
        parser.push(&[b'x'; 40], &mut out);
        parser.push(b"\n\ndata: small\n\n", &mut out);
        assert_eq!(data(&out), ["small"]);
        let mut out = Vec::new();
        parser.push(
            b"data: 0123456789\ndata: 0123456789\n\ndata: ok\n\n",
            &mut out,
        );
        assert_eq!(data(&out), ["ok"]);
    }

    #[test]
    fn a_restart_drops_the_unfinished_event_and_keeps_id_and_retry() {
        let mut parser = SseParser::new(64);
        let mut out = Vec::new();
        parser.push(
            b"retry: 300\nid: s-3\ndata: x\n\nid: s-4\ndata: cut o",
            &mut out,
        );
        parser.restart();
        parser.push(b"data: y\n\n", &mut out);
        assert_eq!(data(&out), ["x", "y"]);
        assert_eq!(parser.last_event_id(), Some("s-3"));
        assert_eq!(parser.retry(), Some(Duration::from_millis(300)));
        parser.push(b"id: s-5\ndata: z\n\n", &mut out);
        assert_eq!(parser.last_event_id(), Some("s-5"));
    }
}
