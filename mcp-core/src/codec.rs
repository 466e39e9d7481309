//! Newline framing: one JSON-RPC message per line, with a bounded line length.
//!
//! [`LineReader`] reads lines from any [`AsyncRead`]. A line longer than the configured maximum is
//! not buffered: its bytes are discarded as they arrive, [`Frame::TooLong`] is reported once the
//! newline that ends it is seen, and reading resynchronises on the next line. Memory use is
//! therefore bounded by the maximum whatever the peer sends.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// The default maximum size of one message: 4 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 * 1024 * 1024;

/// One frame read by [`LineReader`].
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A complete line, without its terminating `\n` (and without a trailing `\r`).
    Line(&'a [u8]),
    /// A line longer than the maximum was skipped; `len` is how many bytes it had.
    TooLong {
        /// The length of the skipped line in bytes.
        len: usize,
    },
}

/// Reads newline-delimited frames from an async reader.
#[derive(Debug)]
pub struct LineReader<R> {
    reader: R,
    /// Read bytes: `buf[start..]` is not consumed yet. Reads go into the spare capacity, so the
    /// buffer is never zero-filled (a 64 KiB memset and 16 page faults per connection).
    buf: Vec<u8>,
    start: usize,
    /// `buf[..scanned]` holds no newline past `start`: a line arriving in many reads is scanned
    /// once, not once per read.
    scanned: usize,
    max: usize,
    /// Bytes of an over-long line discarded so far, while skipping it.
    skipping: Option<usize>,
    eof: bool,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    /// A reader that accepts lines of at most `max` bytes (excluding the newline).
    pub fn new(reader: R, max: usize) -> Self {
        let max = max.max(1);
        Self {
            reader,
            buf: Vec::with_capacity((64 * 1024).min(max + 1)),
            start: 0,
            scanned: 0,
            max,
            skipping: None,
            eof: false,
        }
    }

    /// The next frame, or `None` at end of input. Blank lines are skipped. A final line without a
    /// newline at end of input is returned as a line.
    pub async fn next_frame(&mut self) -> io::Result<Option<Frame<'_>>> {
        let (start, end) = match self.next_range().await? {
            Some(Ok(range)) => range,
            Some(Err(len)) => return Ok(Some(Frame::TooLong { len })),
            None => return Ok(None),
        };
        Ok(Some(Frame::Line(&self.buf[start..end])))
    }

    /// The byte range of the next non-blank line in `buf`, `Err(len)` for a skipped over-long
    /// line, or `None` at end of input.
    async fn next_range(&mut self) -> io::Result<Option<Result<(usize, usize), usize>>> {
        loop {
            let from = self.scanned.max(self.start);
            if let Some(found) = memchr::memchr(b'\n', &self.buf[from..]) {
                let pos = from - self.start + found;
                let line_start = self.start;
                let line_end = self.start + pos;
                self.start = line_end + 1;
                if let Some(skipped) = self.skipping.take() {
                    return Ok(Some(Err(skipped + pos)));
                }
                if pos > self.max {
                    return Ok(Some(Err(pos)));
                }
                if let Some(range) = self.non_blank(line_start, line_end) {
                    return Ok(Some(Ok(range)));
                }
                continue;
            }
            // No newline in the buffered bytes.
            self.scanned = self.buf.len();
            let pending = self.buf.len() - self.start;
            if let Some(skipped) = self.skipping.as_mut() {
                *skipped += pending;
                self.discard();
            } else if pending > self.max {
                self.skipping = Some(pending);
                self.discard();
            }
            if self.eof {
                if let Some(skipped) = self.skipping.take() {
                    return Ok(Some(Err(skipped)));
                }
                let (start, end) = (self.start, self.buf.len());
                self.start = end;
                return Ok(self.non_blank(start, end).map(Ok));
            }
            self.fill().await?;
        }
    }

    /// Drops the buffered bytes (those of an over-long line being skipped).
    fn discard(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
    }

    /// The range without a trailing `\r`, or `None` when the line is blank.
    fn non_blank(&self, start: usize, mut end: usize) -> Option<(usize, usize)> {
        if end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        (!self.buf[start..end].iter().all(u8::is_ascii_whitespace)).then_some((start, end))
    }

    async fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned = self.scanned.saturating_sub(self.start);
            self.start = 0;
        }
        let (len, capacity) = (self.buf.len(), self.buf.capacity());
        if len == capacity {
            let new_capacity = (capacity * 2).min(self.max + 1).max(capacity + 1);
            self.buf.reserve_exact(new_capacity - len);
        }
        // Reads into the spare capacity only: `read_buf` does not grow a `Vec` that has room.
        if self.reader.read_buf(&mut self.buf).await? == 0 {
            self.eof = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8], max: usize) -> Vec<String> {
        let mut r = LineReader::new(input, max);
        let mut out = Vec::new();
        while let Some(f) = r.next_frame().await.unwrap() {
            out.push(match f {
                Frame::Line(l) => String::from_utf8_lossy(l).into_owned(),
                Frame::TooLong { len } => format!("<too long: {len}>"),
            });
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_and_skips_blank_ones() {
        assert_eq!(frames(b"a\n\nb\r\n  \nc", 10).await, ["a", "b", "c"]);
    }

    #[tokio::test]
    async fn overlong_lines_are_reported_and_reading_resumes() {
        let mut input = b"ok\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100));
        input.extend_from_slice(b"\nnext\n");
        assert_eq!(frames(&input, 10).await, ["ok", "<too long: 100>", "next"]);
    }

    #[tokio::test]
    async fn lines_longer_than_the_buffer_are_assembled() {
        let long = "y".repeat(200_000);
        let input = format!("{long}\nz\n");
        assert_eq!(
            frames(input.as_bytes(), 300_000).await,
            [long.as_str(), "z"]
        );
    }

    /// Hands out its input a few bytes per read, as a pipe under load does.
    struct Trickle<'a>(&'a [u8], usize);

    impl AsyncRead for Trickle<'_> {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            let n = self.1.min(self.0.len()).min(buf.remaining());
            buf.put_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn lines_split_across_many_reads_are_reassembled() {
        let long = "w".repeat(70_000);
        let input = format!("first\r\n{long}\n\n{}\nlast", "v".repeat(90_000));
        for chunk in [1, 7, 4096, 65_536] {
            let mut r = LineReader::new(Trickle(input.as_bytes(), chunk), 80_000);
            let mut out = Vec::new();
            while let Some(f) = r.next_frame().await.unwrap() {
                out.push(match f {
                    Frame::Line(l) => format!("{} bytes", l.len()),
                    Frame::TooLong { len } => format!("too long: {len}"),
                });
            }
            assert_eq!(
                out,
                ["5 bytes", "70000 bytes", "too long: 90000", "4 bytes"],
                "chunk {chunk}"
            );
            assert!(
                r.buf.capacity() <= 2 * 80_001,
                "chunk {chunk}: buffer grew past the bound"
            );
        }
    }

    #[tokio::test]
    async fn an_overlong_line_at_eof_is_reported() {
        assert_eq!(frames(&[b'q'; 50], 10).await, ["<too long: 50>"]);
    }
}
