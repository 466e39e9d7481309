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
    buf: Vec<u8>,
    start: usize,
    end: usize,
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
            buf: vec![0; (64 * 1024).min(max + 1)],
            start: 0,
            end: 0,
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
            if let Some(pos) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
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
            let pending = self.end - self.start;
            if let Some(skipped) = self.skipping.as_mut() {
                *skipped += pending;
                self.start = 0;
                self.end = 0;
            } else if pending > self.max {
                self.skipping = Some(pending);
                self.start = 0;
                self.end = 0;
            }
            if self.eof {
                if let Some(skipped) = self.skipping.take() {
                    return Ok(Some(Err(skipped)));
                }
                let (start, end) = (self.start, self.end);
                self.start = self.end;
                return Ok(self.non_blank(start, end).map(Ok));
            }
            self.fill().await?;
        }
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
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let new_len = (self.buf.len() * 2)
                .min(self.max + 1)
                .max(self.buf.len() + 1);
            self.buf.resize(new_len, 0);
        }
        let n = self.reader.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            self.eof = true;
        }
        self.end += n;
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

    #[tokio::test]
    async fn an_overlong_line_at_eof_is_reported() {
        assert_eq!(frames(&[b'q'; 50], 10).await, ["<too long: 50>"]);
    }
}
