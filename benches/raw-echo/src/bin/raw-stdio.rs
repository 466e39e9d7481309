//! The stdio ceiling: one task on a current-thread tokio runtime reads newline-delimited
//! JSON-RPC from stdin (through tokio's non-blocking pipe driver when stdin and stdout are
//! pipes, as when a client spawns it), answers every complete line in the buffer with
//! serde_json, and writes all the answers with one write.

use std::os::fd::AsFd;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Both standard streams as tokio pipes, when both are FIFOs. They are reopened through
/// `/proc/self/fd` so that `O_NONBLOCK` stays on descriptions of their own.
fn pipes() -> Option<(
    Box<dyn AsyncRead + Unpin>,
    Box<dyn AsyncWrite + Unpin>,
)> {
    use std::os::unix::fs::FileTypeExt;
    let is_fifo = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.file_type().is_fifo())
    };
    if !is_fifo(std::io::stdin().as_fd()) || !is_fifo(std::io::stdout().as_fd()) {
        return None;
    }
    let r = std::fs::OpenOptions::new().read(true).open("/proc/self/fd/0").ok()?;
    let w = std::fs::OpenOptions::new().write(true).open("/proc/self/fd/1").ok()?;
    let r = tokio::net::unix::pipe::Receiver::from_file(r).ok()?;
    let w = tokio::net::unix::pipe::Sender::from_file(w).ok()?;
    Some((Box::new(r), Box::new(w)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let (mut input, mut output) = pipes().unwrap_or_else(|| {
        (Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout()))
    });
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut start = 0;
    loop {
        if buf.capacity() - buf.len() < 16 * 1024 {
            buf.reserve(64 * 1024);
        }
        if input.read_buf(&mut buf).await? == 0 {
            return Ok(());
        }
        while let Some(nl) = buf[start..].iter().position(|&b| b == b'\n') {
            let line = &buf[start..start + nl];
            start += nl + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if raw_echo::answer(line, &mut out) != raw_echo::Kind::Nothing {
                out.push(b'\n');
            }
        }
        buf.drain(..start);
        start = 0;
        if !out.is_empty() {
            output.write_all(&out).await?;
            output.flush().await?;
            out.clear();
        }
    }
}
