//! Raw JSON-RPC over a server's stdin/stdout pipes: throughput runs, startup time, and the
//! progress-and-cancellation check. One client thread, blocking I/O: the cheapest client there
//! is, since it shares the core with the server.

use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::time::{Duration, Instant};

use crate::proc::{self, Watchdog};
use crate::stats::{RunResult, quantile_us};

pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"loadgen","version":"0.0.0"}}}"#;
pub const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
/// The argument every `echo` call carries.
pub const TEXT: &str = "hello, world";

/// Writes an `echo` call with this id (newline-terminated).
pub fn write_call(out: &mut impl Write, id: u64) -> io::Result<()> {
    writeln!(
        out,
        "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{\"text\":\"{TEXT}\"}}}}}}"
    )
}

/// Finds `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The numeric value following `"key":` (e.g. `"id":12` or `"progress":3.0`).
pub fn number_after(line: &[u8], key: &[u8]) -> Option<f64> {
    let at = find(line, key)? + key.len();
    let rest = &line[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'e' | b'E' | b'+')))
        .unwrap_or(rest.len());
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

/// The integer id of a response (`None` for notifications and requests).
pub fn response_id(line: &[u8]) -> Option<u64> {
    if find(line, b"\"method\"").is_some() {
        return None;
    }
    number_after(line, b"\"id\":").map(|v| v as u64)
}

/// Reads lines until the response to id 0 (`initialize`) arrives.
fn await_initialize(r: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<()> {
    loop {
        line.clear();
        if r.read_until(b'\n', line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed stdout before answering initialize",
            ));
        }
        if response_id(line) == Some(0) {
            if find(line, b"\"result\"").is_none() {
                return Err(io::Error::other(format!(
                    "initialize failed: {}",
                    String::from_utf8_lossy(line)
                )));
            }
            return Ok(());
        }
    }
}

/// Drives `argv` over stdio with `concurrency` echo calls in flight: `warmup`, then `duration`
/// measured.
pub fn run(
    argv: &[String],
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> io::Result<RunResult> {
    let mut child = proc::spawn(argv, true)?;
    let pid = child.id();
    let _watchdog = Watchdog::new(pid, warmup + duration + Duration::from_secs(20));
    let mut w = BufWriter::with_capacity(64 * 1024, child.stdin.take().expect("piped"));
    let mut r = BufReader::with_capacity(256 * 1024, child.stdout.take().expect("piped"));
    let mut line = Vec::with_capacity(1024);
    let result = (|| {
        writeln!(w, "{INITIALIZE}")?;
        w.flush()?;
        await_initialize(&mut r, &mut line)?;
        writeln!(w, "{INITIALIZED}")?;

        let c = concurrency as u64;
        let mut sent_at = vec![Instant::now(); concurrency];
        for id in 1..=c {
            sent_at[(id - 1) as usize] = Instant::now();
            write_call(&mut w, id)?;
        }
        w.flush()?;
        let measure_from = Instant::now() + warmup;
        let mut window: Option<(Instant, f64)> = None; // (t0, cpu0)
        let mut end: Option<(Instant, f64, u64, u64)> = None; // (t1, cpu1, rss, threads)
        let mut lat: Vec<u64> = Vec::with_capacity(1 << 20);
        let (mut errors, mut outstanding) = (0u64, c);
        while outstanding > 0 {
            line.clear();
            if r.read_until(b'\n', &mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed stdout mid-run",
                ));
            }
            let Some(id) = response_id(&line) else { continue };
            if id == 0 {
                continue;
            }
            let now = Instant::now();
            if find(&line, b"\"result\"").is_none() {
                errors += 1;
            }
            let slot = ((id - 1) % c) as usize;
            outstanding -= 1;
            if end.is_none() {
                match window {
                    None if now >= measure_from => {
                        let cpu0 = proc::cpu_secs(pid).unwrap_or(f64::NAN);
                        window = Some((Instant::now(), cpu0));
                    }
                    Some((t0, _)) if now.duration_since(t0) >= duration => {
                        let cpu1 = proc::cpu_secs(pid).unwrap_or(f64::NAN);
                        let rss = proc::peak_rss_kib(pid).unwrap_or(0);
                        let th = proc::threads(pid).unwrap_or(0);
                        end = Some((now, cpu1, rss, th));
                    }
                    Some(_) => lat.push(now.duration_since(sent_at[slot]).as_nanos() as u64),
                    None => {}
                }
            }
            if end.is_none() {
                sent_at[slot] = Instant::now();
                write_call(&mut w, id + c)?;
                outstanding += 1;
            }
            if r.buffer().is_empty() {
                w.flush()?;
            }
        }
        let (t0, cpu0) = window.expect("window opened");
        let (t1, cpu1, rss_kib, threads) = end.expect("window closed");
        lat.sort_unstable();
        let calls = lat.len() as u64;
        Ok(RunResult {
            calls,
            secs: t1.duration_since(t0).as_secs_f64(),
            p50_us: quantile_us(&lat, 0.50),
            p99_us: quantile_us(&lat, 0.99),
            cpu_us_per_call: (cpu1 - cpu0) * 1e6 / calls.max(1) as f64,
            rss_kib,
            threads,
            errors,
        })
    })();
    drop(w);
    drop(r);
    // A profiler wrapping the server (`loadgen stdio -- perf record ... -- server`) needs time
    // to write its data after the server exits.
    let grace = std::env::var("LOADGEN_EXIT_GRACE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(2), Duration::from_millis);
    proc::finish(&mut child, grace);
    result
}

/// Spawn to initialize response, in milliseconds (the write of `initialize` right after the
/// spawn is included; the server reads it when it is ready).
pub fn startup(argv: &[String]) -> io::Result<f64> {
    let t = Instant::now();
    let mut child = proc::spawn(argv, true)?;
    let _watchdog = Watchdog::new(child.id(), Duration::from_secs(20));
    let mut w = child.stdin.take().expect("piped");
    let mut r = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = Vec::new();
    let result = (|| {
        w.write_all(format!("{INITIALIZE}\n").as_bytes())?;
        await_initialize(&mut r, &mut line)?;
        Ok(t.elapsed().as_secs_f64() * 1e3)
    })();
    drop(w);
    drop(r);
    proc::finish(&mut child, Duration::from_secs(2));
    result
}

/// What the progress-and-cancellation check saw.
#[derive(Debug, Clone, Default)]
pub struct CancelResult {
    /// Progress notifications received before the cancel was sent.
    pub before: u64,
    /// The last progress value seen when the cancel was sent.
    pub progress_at_cancel: f64,
    /// Progress notifications received after the cancel was sent.
    pub after: u64,
    /// Of those, how many were beyond the next step (progress > progress_at_cancel + 1).
    pub beyond_next_step: u64,
    /// The highest progress value seen at all.
    pub last_progress: f64,
    /// Time from the cancel to the last progress notification, ms (0 if none came).
    pub last_after_ms: f64,
    /// What came for the cancelled call: "none" (correct), "result" or "error".
    pub response: &'static str,
    /// Mean interval between progress notifications before the cancel, ms.
    pub interval_ms: f64,
}

/// Calls `slow_count(n, delay_ms)` with a progress token, sends `notifications/cancelled` after
/// `cancel_after` progress notifications, then listens for `listen` more.
pub fn cancel_check(
    argv: &[String],
    n: u64,
    delay_ms: u64,
    cancel_after: u64,
    listen: Duration,
) -> io::Result<CancelResult> {
    let mut child = proc::spawn(argv, true)?;
    let _watchdog = Watchdog::new(child.id(), Duration::from_secs(60));
    let mut w = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if tx.send((Instant::now(), line)).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let result = (|| {
        let next = |deadline: Instant| -> io::Result<Option<(Instant, Vec<u8>)>> {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(m) => Ok(Some(m)),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Ok(None),
                Err(_) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed stdout")),
            }
        };
        w.write_all(format!("{INITIALIZE}\n").as_bytes())?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let Some((_, line)) = next(deadline)? else {
                return Err(io::Error::other("no initialize response"));
            };
            if response_id(&line) == Some(0) {
                break;
            }
        }
        w.write_all(format!("{INITIALIZED}\n").as_bytes())?;
        w.write_all(format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"slow_count\",\"arguments\":{{\"n\":{n},\"delay_ms\":{delay_ms}}},\"_meta\":{{\"progressToken\":\"bench-cancel\"}}}}}}\n"
        ).as_bytes())?;
        let mut res = CancelResult { response: "none", ..Default::default() };
        let mut cancelled_at: Option<Instant> = None;
        let mut first_progress: Option<Instant> = None;
        let mut deadline = Instant::now() + Duration::from_secs(30);
        while let Some((at, line)) = next(deadline)? {
            if find(&line, b"notifications/progress").is_some() {
                let p = number_after(&line, b"\"progress\":").unwrap_or(f64::NAN);
                res.last_progress = res.last_progress.max(p);
                match cancelled_at {
                    None => {
                        res.before += 1;
                        first_progress.get_or_insert(at);
                        if res.before == cancel_after {
                            res.progress_at_cancel = p;
                            res.interval_ms = at.duration_since(first_progress.unwrap()).as_secs_f64()
                                * 1e3
                                / (cancel_after.max(2) - 1) as f64;
                            w.write_all(
                                b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1,\"reason\":\"benchmark\"}}\n",
                            )?;
                            let now = Instant::now();
                            cancelled_at = Some(now);
                            deadline = now + listen;
                        }
                    }
                    Some(c) => {
                        res.after += 1;
                        if p > res.progress_at_cancel + 1.0 {
                            res.beyond_next_step += 1;
                        }
                        res.last_after_ms = at.duration_since(c).as_secs_f64() * 1e3;
                    }
                }
            } else if response_id(&line) == Some(1) {
                res.response = if find(&line, b"\"result\"").is_some() { "result" } else { "error" };
                if cancelled_at.is_none() {
                    return Err(io::Error::other("slow_count finished before it was cancelled"));
                }
            }
        }
        if cancelled_at.is_none() {
            return Err(io::Error::other(format!(
                "only {} progress notifications arrived",
                res.before
            )));
        }
        Ok(res)
    })();
    drop(w);
    proc::finish(&mut child, Duration::from_secs(2));
    let _ = reader.join();
    result
}
