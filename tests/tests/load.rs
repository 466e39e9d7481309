#![allow(clippy::print_stdout)] // the load figures are printed for the record
//! Load: many concurrent in-flight calls over one stdio session and over 100 Streamable HTTP
//! sessions of the echo example. Every response is accounted for exactly once (no loss, no
//! duplicate), and the server's memory comes back near its baseline afterwards.
//!
//! Size: `MCP_LOAD_CALLS` calls per round and transport (default 2,000; the full run uses
//! 10,000). Each test runs a warm-up round and then a measured round of that size.
//! Each call is `slow_count` with `n = 1` and a 200 ms delay, so calls genuinely overlap; over
//! stdio, at most `max_in_flight` (1,024) run at once and the server stops reading until a
//! slot frees.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mcp_tests::bin_path;
use mcp_tests::raw_http::{Session, rss_kib};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn calls() -> usize {
    std::env::var("MCP_LOAD_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// Warm-up rounds before the measured one: `MCP_LOAD_WARMUP`, else enough rounds for every
/// HTTP session to have finished `HttpConfig::max_finished_streams` (64) streams, which stay
/// resumable by design and fill bounded caches (at least 2).
fn warm_up_rounds() -> usize {
    std::env::var("MCP_LOAD_WARMUP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| (64 * 100usize).div_ceil(calls().max(1)).max(1) + 1)
}

fn call(id: &Value) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call",
        "params":{"name":"slow_count","arguments":{"n":1,"delay_ms":200}}})
}

/// Samples a process's RSS every 20 ms until stopped; returns the peak.
fn sample_peak(pid: u32) -> (Arc<AtomicBool>, tokio::task::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let task = tokio::spawn(async move {
        let peak = AtomicU64::new(0);
        while !s.load(Ordering::SeqCst) {
            peak.fetch_max(rss_kib(pid), Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        peak.load(Ordering::SeqCst)
    });
    (stop, task)
}

/// RSS after the load, once it has settled (allocators return memory lazily): the lowest of a
/// few samples over two seconds.
async fn settled_rss(pid: u32) -> u64 {
    let mut low = u64::MAX;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        low = low.min(rss_kib(pid));
    }
    low
}

/// Allocators keep freed pages (glibc keeps one arena per thread), and the HTTP transport keeps
/// the last finished streams of each session for resumption, so the first rounds' memory stays
/// resident; what must not happen is growth per round. The baseline is the RSS after identical
/// warm-up rounds: after the measured round, RSS must be back within 10 % or 4 MiB of it.
fn check_memory(what: &str, cold: u64, baseline: u64, peak: u64, after: u64) {
    println!(
        "{what}: RSS cold {cold} KiB, after warm-up round {baseline} KiB, peak {peak} KiB, \
         after measured round {after} KiB"
    );
    let slack = (baseline / 10).max(4 * 1024);
    assert!(
        after <= baseline + slack,
        "{what}: memory grew per round: baseline {baseline} KiB, after {after} KiB"
    );
}

/// Checks every id 0..n answered exactly once, successfully.
fn account(what: &str, n: usize, answers: &HashMap<String, usize>, wrong: &[Value]) {
    assert!(
        wrong.is_empty(),
        "{what}: unexpected answers, first: {}",
        wrong[0]
    );
    let dupes: Vec<_> = answers.iter().filter(|(_, c)| **c > 1).collect();
    assert!(dupes.is_empty(), "{what}: duplicated responses: {dupes:?}");
    assert_eq!(
        answers.len(),
        n,
        "{what}: {} responses lost",
        n - answers.len()
    );
}

type Lines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;

/// One round over stdio: `n` calls written as fast as the server takes them, every answer read.
async fn stdio_round(
    what: &str,
    n: usize,
    stdin: tokio::process::ChildStdin,
    lines: &mut Lines,
) -> (tokio::process::ChildStdin, Duration) {
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        let mut stdin = stdin;
        let mut batch = Vec::new();
        for i in 0..n {
            batch.extend_from_slice(call(&json!(i)).to_string().as_bytes());
            batch.push(b'\n');
            if batch.len() > 64 * 1024 {
                stdin.write_all(&batch).await.unwrap();
                batch.clear();
            }
        }
        stdin.write_all(&batch).await.unwrap();
        stdin.flush().await.unwrap();
        stdin
    });
    let mut answers: HashMap<String, usize> = HashMap::new();
    let mut wrong = Vec::new();
    while answers.values().sum::<usize>() + wrong.len() < n {
        let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("{what}: stalled after {} responses", answers.len()))
            .unwrap()
            .expect("the server closed its output early");
        let v: Value = serde_json::from_str(&line).unwrap();
        if v["result"]["content"][0]["text"] == "counted to 1" {
            *answers.entry(v["id"].to_string()).or_default() += 1;
        } else {
            wrong.push(v);
        }
    }
    let elapsed = started.elapsed();
    let stdin = writer.await.unwrap();
    // Nothing more may arrive: a duplicate would show up here.
    if let Ok(Ok(Some(extra))) =
        tokio::time::timeout(Duration::from_millis(300), lines.next_line()).await
    {
        wrong.push(serde_json::from_str(&extra).unwrap_or(Value::String(extra)));
    }
    account(what, n, &answers, &wrong);
    (stdin, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_one_session_every_response_exactly_once() {
    let n = calls();
    let mut child = tokio::process::Command::new(bin_path("echo"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn echo");
    let pid = child.id().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let init = json!({"jsonrpc":"2.0","id":"init","method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"load","version":"0"}}});
    stdin
        .write_all(format!("{init}\n").as_bytes())
        .await
        .unwrap();
    lines
        .next_line()
        .await
        .unwrap()
        .expect("initialize answered");
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cold = rss_kib(pid);
    let mut stdin = stdin;
    let mut baseline = cold;
    // No per-session caches over stdio: one warm-up round sets the baseline.
    let rounds = std::env::var("MCP_LOAD_WARMUP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for round in 1..=rounds {
        let took;
        (stdin, took) = stdio_round("stdio warm-up", n, stdin, &mut lines).await;
        baseline = settled_rss(pid).await;
        println!(
            "stdio: warm-up round {round}: {:.2} s, RSS after {baseline} KiB",
            took.as_secs_f64()
        );
    }
    let (stop, peak) = sample_peak(pid);
    let (stdin, elapsed) = stdio_round("stdio", n, stdin, &mut lines).await;
    stop.store(true, Ordering::SeqCst);
    let peak = peak.await.unwrap();
    println!(
        "stdio: {n} calls over one session in {:.2} s ({:.0} calls/s)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    let after = settled_rss(pid).await;
    check_memory("stdio", cold, baseline, peak, after);
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exit after EOF")
        .unwrap();
    assert!(status.success());
}

/// One round over HTTP: `n` concurrent calls spread over the sessions, one connection each.
async fn http_round(what: &str, n: usize, sessions: &[Session]) -> Duration {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let s = sessions[i % sessions.len()].clone();
        let k = sessions.len();
        tasks.spawn(async move {
            let id = json!(format!("s{}-{i}", i % k));
            let reply = s.send(call(&id).to_string().as_bytes()).await;
            (reply.status, reply.messages())
        });
    }
    let mut answers: HashMap<String, usize> = HashMap::new();
    let mut wrong = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (status, messages) = done.expect("join");
        if status != 200 {
            wrong.push(json!({"status": status, "messages": messages}));
            continue;
        }
        for m in messages {
            if m["result"]["content"][0]["text"] == "counted to 1" {
                *answers.entry(m["id"].to_string()).or_default() += 1;
            } else if m.get("method").is_none() {
                wrong.push(m);
            }
        }
    }
    let elapsed = started.elapsed();
    account(what, n, &answers, &wrong);
    elapsed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_100_sessions_every_response_exactly_once() {
    let n = calls();
    // One malloc arena: freed memory is then reused by every thread, so RSS follows what the
    // server holds instead of growing with each thread's arena (glibc makes up to eight per
    // core), which is what a leak check needs.
    let server = mcp_tests::spawn_http_example_with_env("echo", &[], &[("MALLOC_ARENA_MAX", "1")]);
    let pid = server.child.id();
    let mut sessions = Vec::new();
    for _ in 0..100 {
        sessions.push(Session::open(&server.url).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cold = rss_kib(pid);
    let mut baseline = cold;
    for round in 1..=warm_up_rounds() {
        let took = http_round("http warm-up", n, &sessions).await;
        baseline = settled_rss(pid).await;
        println!(
            "http: warm-up round {round}: {:.2} s, RSS after {baseline} KiB",
            took.as_secs_f64()
        );
    }
    let (stop, peak) = sample_peak(pid);
    let elapsed = http_round("http", n, &sessions).await;
    stop.store(true, Ordering::SeqCst);
    let peak = peak.await.unwrap();
    println!(
        "http: {n} calls over {} sessions in {:.2} s ({:.0} calls/s)",
        sessions.len(),
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    for s in &sessions {
        s.still_serving().await;
    }
    let after = settled_rss(pid).await;
    check_memory("http", cold, baseline, peak, after);
}
