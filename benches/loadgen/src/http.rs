//! Raw Streamable HTTP load: HTTP/1.1 keep-alive connections, hand-written requests and a
//! minimal response parser (Content-Length, chunked, or to EOF), one request at a time per
//! connection, on a current-thread tokio runtime.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::proc::{self, Watchdog};
use crate::stats::{RunResult, quantile_us};
use crate::stdio::{INITIALIZE, INITIALIZED, TEXT, find};

/// One parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub session: Option<String>,
    pub body: Vec<u8>,
    /// The server will close the connection after this response.
    pub close: bool,
}

/// One keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    host: String,
    req: Vec<u8>,
}

impl Conn {
    pub async fn connect(port: u16) -> io::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            host: format!("127.0.0.1:{port}"),
            req: Vec::with_capacity(1024),
        })
    }

    /// POSTs a JSON-RPC message to `/mcp` and reads the whole response.
    pub async fn post(
        &mut self,
        body: &[u8],
        session: Option<&str>,
        version_header: bool,
    ) -> io::Result<Response> {
        use std::io::Write;
        self.req.clear();
        write!(
            self.req,
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n",
            self.host
        )?;
        if version_header {
            self.req.extend_from_slice(b"MCP-Protocol-Version: 2025-11-25\r\n");
        }
        if let Some(s) = session {
            write!(self.req, "Mcp-Session-Id: {s}\r\n")?;
        }
        write!(self.req, "Content-Length: {}\r\n\r\n", body.len())?;
        self.req.extend_from_slice(body);
        self.stream.write_all(&self.req).await?;
        self.read_response().await
    }

    async fn fill(&mut self) -> io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(16 * 1024);
        }
        self.stream.read_buf(&mut self.buf).await
    }

    async fn read_response(&mut self) -> io::Result<Response> {
        // Head.
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            if self.fill().await? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
            }
        };
        let head = std::str::from_utf8(&self.buf[..head_end])
            .map_err(|_| io::Error::other("non-UTF-8 response head"))?;
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other("bad status line"))?;
        let (mut length, mut chunked, mut session, mut close) = (None, false, None, false);
        for l in lines {
            let Some((name, value)) = l.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("mcp-session-id") {
                session = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        self.buf.drain(..head_end);
        // Body.
        let body = if chunked {
            let mut body = Vec::new();
            let mut at = 0;
            loop {
                let line_end = loop {
                    if let Some(i) = find(&self.buf[at..], b"\r\n") {
                        break at + i;
                    }
                    if self.fill().await? == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "mid-chunk"));
                    }
                };
                let size_str = std::str::from_utf8(&self.buf[at..line_end]).unwrap_or("");
                let size = usize::from_str_radix(size_str.split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| io::Error::other(format!("bad chunk size {size_str:?}")))?;
                at = line_end + 2;
                if size == 0 {
                    // Trailers (none expected), then the empty line.
                    loop {
                        if let Some(i) = find(&self.buf[at..], b"\r\n") {
                            let empty = i == 0;
                            at += i + 2;
                            if empty {
                                break;
                            }
                        } else if self.fill().await? == 0 {
                            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "in trailers"));
                        }
                    }
                    break;
                }
                while self.buf.len() < at + size + 2 {
                    if self.fill().await? == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "mid-chunk"));
                    }
                }
                body.extend_from_slice(&self.buf[at..at + size]);
                at += size + 2;
            }
            self.buf.drain(..at);
            body
        } else if let Some(n) = length {
            while self.buf.len() < n {
                if self.fill().await? == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "mid-body"));
                }
            }
            self.buf.drain(..n).collect()
        } else if status == 204 || status == 304 || (100..200).contains(&status) {
            Vec::new()
        } else {
            close = true;
            while self.fill().await? > 0 {}
            std::mem::take(&mut self.buf)
        };
        Ok(Response { status, session, body, close })
    }
}

/// Waits until something accepts connections on the port.
pub fn wait_listening(port: u16, child: &mut std::process::Child, timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(io::Error::other(format!("server exited before listening: {status}")));
        }
        if Instant::now() > deadline {
            return Err(io::Error::other(format!("nothing listening on port {port}")));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Opens a session: `initialize` (keeping the `Mcp-Session-Id` if any), then
/// `notifications/initialized`.
pub async fn open_session(conn: &mut Conn) -> io::Result<Option<String>> {
    let r = conn.post(INITIALIZE.as_bytes(), None, false).await?;
    if r.status != 200 || find(&r.body, b"\"result\"").is_none() {
        return Err(io::Error::other(format!(
            "initialize: HTTP {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        )));
    }
    let session = r.session;
    let r = conn.post(INITIALIZED.as_bytes(), session.as_deref(), true).await?;
    if r.status != 202 {
        return Err(io::Error::other(format!("notifications/initialized: HTTP {}", r.status)));
    }
    Ok(session)
}

struct Shared {
    t0: Cell<Option<Instant>>,
    stopped: Cell<bool>,
    lat: RefCell<Vec<u64>>,
    errors: Cell<u64>,
    first_error: RefCell<Option<String>>,
}

/// Drives an HTTP server with `concurrency` calls in flight over `concurrency` connections
/// spread over `sessions` sessions. `argv` holds `{addr}` where the listen address goes.
pub fn run(
    argv: &[String],
    concurrency: usize,
    sessions: usize,
    warmup: Duration,
    duration: Duration,
) -> io::Result<RunResult> {
    let port = proc::free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let argv: Vec<String> = argv.iter().map(|a| a.replace("{addr}", &addr)).collect();
    let mut child = proc::spawn(&argv, false)?;
    let pid = child.id();
    let _watchdog = Watchdog::new(pid, warmup + duration + Duration::from_secs(30));
    let result = (|| {
        wait_listening(port, &mut child, Duration::from_secs(10))?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, drive(pid, port, concurrency, sessions, warmup, duration))
    })();
    // With LOADGEN_EXIT_GRACE_MS set (a profiler wraps the server), ask the server to stop and
    // give the profiler that long to write its data; otherwise stop it at once.
    match std::env::var("LOADGEN_EXIT_GRACE_MS").ok().and_then(|v| v.parse().ok()) {
        Some(ms) => {
            proc::terminate(pid);
            proc::finish(&mut child, Duration::from_millis(ms));
        }
        None => proc::finish(&mut child, Duration::from_millis(100)),
    }
    result
}

async fn drive(
    pid: u32,
    port: u16,
    concurrency: usize,
    sessions: usize,
    warmup: Duration,
    duration: Duration,
) -> io::Result<RunResult> {
    let sessions = sessions.clamp(1, concurrency);
    // Connections, and sessions opened on the first connection of each group.
    let mut conns = Vec::with_capacity(concurrency);
    let mut ids: Vec<Option<String>> = Vec::with_capacity(sessions);
    for i in 0..concurrency {
        let mut c = Conn::connect(port).await?;
        if i < sessions {
            ids.push(open_session(&mut c).await?);
        }
        conns.push(c);
    }
    let shared = Rc::new(Shared {
        t0: Cell::new(None),
        stopped: Cell::new(false),
        lat: RefCell::new(Vec::with_capacity(1 << 20)),
        errors: Cell::new(0),
        first_error: RefCell::new(None),
    });
    let mut tasks = Vec::with_capacity(concurrency);
    for (i, mut conn) in conns.into_iter().enumerate() {
        let session = ids[i % sessions].clone();
        let shared = shared.clone();
        tasks.push(tokio::task::spawn_local(async move {
            let mut body = Vec::with_capacity(256);
            let mut id = i as u64 + 1;
            while !shared.stopped.get() {
                use std::io::Write;
                body.clear();
                write!(
                    body,
                    "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{\"text\":\"{TEXT}\"}}}}}}"
                )?;
                id += concurrency as u64;
                let sent = Instant::now();
                let r = conn.post(&body, session.as_deref(), true).await?;
                let now = Instant::now();
                if r.status != 200 || find(&r.body, b"\"result\"").is_none() {
                    shared.errors.set(shared.errors.get() + 1);
                    shared.first_error.borrow_mut().get_or_insert_with(|| {
                        format!("HTTP {} {}", r.status, String::from_utf8_lossy(&r.body))
                    });
                }
                if shared.t0.get().is_some_and(|t0| now >= t0) && !shared.stopped.get() {
                    shared.lat.borrow_mut().push(now.duration_since(sent).as_nanos() as u64);
                }
                if r.close {
                    conn = Conn::connect(port).await?;
                }
            }
            Ok::<_, io::Error>(())
        }));
    }
    tokio::time::sleep(warmup).await;
    let cpu0 = proc::cpu_secs(pid).unwrap_or(f64::NAN);
    let t0 = Instant::now();
    shared.t0.set(Some(t0));
    tokio::time::sleep(duration).await;
    let cpu1 = proc::cpu_secs(pid).unwrap_or(f64::NAN);
    let t1 = Instant::now();
    shared.stopped.set(true);
    let rss_kib = proc::peak_rss_kib(pid).unwrap_or(0);
    let threads = proc::threads(pid).unwrap_or(0);
    for t in tasks {
        match tokio::time::timeout(Duration::from_secs(10), t).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => return Err(e),
            Ok(Err(e)) => return Err(io::Error::other(e.to_string())),
            Err(_) => return Err(io::Error::other("a connection did not finish its last call")),
        }
    }
    let mut lat = shared.lat.take();
    lat.sort_unstable();
    let calls = lat.len() as u64;
    if let Some(e) = shared.first_error.take() {
        eprintln!("loadgen: {} error responses, first: {e}", shared.errors.get());
    }
    Ok(RunResult {
        calls,
        secs: t1.duration_since(t0).as_secs_f64(),
        p50_us: quantile_us(&lat, 0.50),
        p99_us: quantile_us(&lat, 0.99),
        cpu_us_per_call: (cpu1 - cpu0) * 1e6 / calls.max(1) as f64,
        rss_kib,
        threads,
        errors: shared.errors.get(),
    })
}
