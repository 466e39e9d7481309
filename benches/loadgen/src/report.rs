//! `loadgen suite`: every workload against every server, alternating, then one Markdown report.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::Args;
use crate::stats::{RunResult, Summary, median};
use crate::stdio::CancelResult;
use crate::{http, stdio};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sdk {
    Raw,
    Ours,
    Rmcp,
}

#[derive(Clone, Debug)]
struct Server {
    sdk: Sdk,
    label: String,
    argv: Vec<String>,
    /// For rmcp: the configuration ours is compared with in this workload (CPU, RSS targets).
    reference: bool,
}

#[derive(Clone, Debug)]
struct Workload {
    name: String,
    /// `None`: stdio; `Some(k)`: HTTP over k sessions.
    sessions: Option<usize>,
    concurrency: usize,
    servers: Vec<Server>,
    /// Ours must reach this fraction of the ceiling.
    ceiling_target: f64,
    /// Ours must reach this multiple of rmcp's fastest configuration, if any.
    rmcp_target: Option<f64>,
}

fn argv(bin: &str, extra: &[&str]) -> Vec<String> {
    std::iter::once(bin.to_owned()).chain(extra.iter().map(|s| (*s).to_owned())).collect()
}

fn server(sdk: Sdk, label: &str, argv: Vec<String>, reference: bool) -> Server {
    Server { sdk, label: label.to_owned(), argv, reference }
}

fn workloads(ours: &str, rmcp: &str, raw_stdio: &str, raw_http: &str) -> Vec<Workload> {
    let stdio_servers = vec![
        server(Sdk::Raw, "raw tokio + serde_json (ceiling)", argv(raw_stdio, &[]), false),
        server(Sdk::Ours, "ours", argv(ours, &[]), false),
        server(Sdk::Rmcp, "rmcp `stdio()` (default)", argv(rmcp, &[]), true),
        server(Sdk::Rmcp, "rmcp `stdio_pipes()`", argv(rmcp, &["--pipes"]), false),
    ];
    let sse_servers = vec![
        server(Sdk::Raw, "raw hyper, SSE (ceiling)", argv(raw_http, &["--http", "{addr}", "--sse"]), false),
        server(Sdk::Ours, "ours (sessions, SSE: default)", argv(ours, &["--http", "{addr}"]), false),
        server(Sdk::Rmcp, "rmcp (sessions, SSE: default)", argv(rmcp, &["--http", "{addr}"]), true),
        server(Sdk::Rmcp, "rmcp stateless, SSE", argv(rmcp, &["--http", "{addr}", "--stateless"]), false),
    ];
    let json_servers = vec![
        server(Sdk::Raw, "raw hyper, JSON (ceiling)", argv(raw_http, &["--http", "{addr}", "--json"]), false),
        server(Sdk::Ours, "ours `--json-response` (sessions)", argv(ours, &["--http", "{addr}", "--json-response"]), false),
        server(Sdk::Ours, "ours `--stateless` (JSON)", argv(ours, &["--http", "{addr}", "--stateless"]), false),
        server(Sdk::Rmcp, "rmcp stateless, JSON", argv(rmcp, &["--http", "{addr}", "--json-response"]), true),
    ];
    let w = |name: &str, sessions, concurrency, servers: &Vec<Server>, ceiling_target, rmcp_target| Workload {
        name: name.to_owned(),
        sessions,
        concurrency,
        servers: servers.clone(),
        ceiling_target,
        rmcp_target,
    };
    vec![
        w("stdio, 1 in flight", None, 1, &stdio_servers, 0.70, Some(1.5)),
        w("stdio, 32 in flight", None, 32, &stdio_servers, 0.60, Some(3.0)),
        w("HTTP SSE, 1 in flight", Some(1), 1, &sse_servers, 0.60, None),
        w("HTTP SSE, 64 in flight / 16 sessions", Some(16), 64, &sse_servers, 0.60, None),
        w("HTTP JSON, 1 in flight", Some(1), 1, &json_servers, 0.60, None),
        w("HTTP JSON, 64 in flight / 16 sessions", Some(16), 64, &json_servers, 0.60, None),
    ]
}

fn run_one(w: &Workload, s: &Server, warmup: Duration, duration: Duration) -> std::io::Result<RunResult> {
    match w.sessions {
        None => stdio::run(&s.argv, w.concurrency, warmup, duration),
        Some(k) => http::run(&s.argv, w.concurrency, k, warmup, duration),
    }
}

struct Measured {
    workload: Workload,
    summaries: Vec<Summary>,
    runs: Vec<Vec<RunResult>>,
}

/// Runs the suite and prints the report.
pub fn suite(args: &Args) {
    let ours = args.path("ours");
    let rmcp = args.path("rmcp");
    let raw_stdio = args.path("raw-stdio");
    let raw_http = args.path("raw-http");
    let rounds: usize = args.num("rounds", 5);
    let warmup = args.secs("warmup", 0.5);
    let duration = args.secs("duration", 3.0);
    let startup_runs: usize = args.num("startup-runs", 100);
    let cancel_runs: usize = args.num("cancel-runs", 3);
    let only: Option<Vec<String>> = args.get("only").map(|s| s.split('|').map(str::to_owned).collect());

    // Startup: spawn to initialize response, alternating.
    let startup_servers = [
        (Sdk::Raw, "raw", argv(&raw_stdio, &[])),
        (Sdk::Ours, "ours", argv(&ours, &[])),
        (Sdk::Rmcp, "rmcp", argv(&rmcp, &[])),
    ];
    let mut startup: Vec<Vec<f64>> = vec![Vec::new(); startup_servers.len()];
    eprintln!("loadgen: startup, {startup_runs} runs each");
    for round in 0..startup_runs {
        for k in 0..startup_servers.len() {
            let i = (k + round) % startup_servers.len();
            match stdio::startup(&startup_servers[i].2) {
                Ok(ms) => startup[i].push(ms),
                Err(e) => eprintln!("loadgen: startup {}: {e}", startup_servers[i].1),
            }
        }
    }

    // Throughput workloads.
    let mut measured = Vec::new();
    for w in workloads(&ours, &rmcp, &raw_stdio, &raw_http) {
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| w.name.contains(x.as_str()))) {
            continue;
        }
        let n = w.servers.len();
        let mut runs: Vec<Vec<RunResult>> = vec![Vec::new(); n];
        let mut failures: Vec<Vec<String>> = vec![Vec::new(); n];
        for round in 0..rounds {
            for k in 0..n {
                let i = (k + round) % n;
                let s = &w.servers[i];
                match run_one(&w, s, warmup, duration) {
                    Ok(r) => {
                        eprintln!(
                            "loadgen: [{}] {} round {}: {:.0} calls/s, p50 {:.1} µs, {:.2} µs CPU/call",
                            w.name,
                            s.label,
                            round + 1,
                            r.calls_per_sec(),
                            r.p50_us,
                            r.cpu_us_per_call
                        );
                        runs[i].push(r);
                    }
                    Err(e) => {
                        eprintln!("loadgen: [{}] {} round {}: FAILED: {e}", w.name, s.label, round + 1);
                        failures[i].push(e.to_string());
                    }
                }
            }
        }
        let summaries = runs.iter().zip(failures).map(|(r, f)| Summary::of(r, f)).collect();
        measured.push(Measured { workload: w, summaries, runs });
    }

    // Progress and cancellation.
    let cancel_servers = [("ours", argv(&ours, &[])), ("rmcp", argv(&rmcp, &[]))];
    let mut cancels: Vec<Vec<Result<CancelResult, String>>> = vec![Vec::new(); cancel_servers.len()];
    eprintln!("loadgen: progress and cancellation, {cancel_runs} runs each");
    for round in 0..cancel_runs {
        for k in 0..cancel_servers.len() {
            let i = (k + round) % cancel_servers.len();
            cancels[i].push(
                stdio::cancel_check(&cancel_servers[i].1, 10_000, 1, 100, Duration::from_secs(2))
                    .map_err(|e| e.to_string()),
            );
        }
    }

    let builds = args.get("builds").map(read_builds).unwrap_or_default();
    let sizes = [
        ("raw (stdio)", file_size(&raw_stdio)),
        ("ours", file_size(&ours)),
        ("rmcp", file_size(&rmcp)),
    ];

    let md = render(&Rendered {
        measured: &measured,
        startup: &startup,
        cancels: &cancels,
        builds: &builds,
        sizes: &sizes,
        rounds,
        warmup,
        duration,
        startup_runs,
    });
    print!("{md}");
    if let Some(path) = args.get("json") {
        let _ = std::fs::write(path, dump_json(&measured, &startup));
    }
    let failed = measured.iter().flat_map(|m| &m.summaries).any(|s| !s.failures.is_empty())
        || cancels.iter().flatten().any(Result::is_err)
        || startup.iter().any(|v| v.len() < startup_runs);
    if failed {
        eprintln!("loadgen: some runs failed (see the report)");
        std::process::exit(1);
    }
}

fn file_size(path: &str) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// `key value` lines written by `benches/run`.
fn read_builds(path: &str) -> HashMap<String, f64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(char::is_whitespace)?;
            Some((k.to_owned(), v.trim().parse().ok()?))
        })
        .collect()
}

struct Rendered<'a> {
    measured: &'a [Measured],
    startup: &'a [Vec<f64>],
    cancels: &'a [Vec<Result<CancelResult, String>>],
    builds: &'a HashMap<String, f64>,
    sizes: &'a [(&'static str, Option<u64>)],
    rounds: usize,
    warmup: Duration,
    duration: Duration,
    startup_runs: usize,
}

fn cps(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v >= 10_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

fn us(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn ratio(v: f64) -> String {
    if v.is_nan() || v.is_infinite() { "–".into() } else { format!("{v:.2}×") }
}

fn pct(v: f64) -> String {
    if v.is_nan() || v.is_infinite() { "–".into() } else { format!("{:.0}%", v * 100.0) }
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "✅ met",
        Some(false) => "❌ not met",
        None => "– not measured",
    }
}

fn render(r: &Rendered<'_>) -> String {
    let mut md = String::new();
    let mut targets: Vec<(String, String, Option<bool>)> = Vec::new();
    let _ = writeln!(
        md,
        "## Throughput and latency\n\nEcho calls; medians of {} alternating runs per row ({:.1} s warm-up, {:.1} s measured, a fresh server per run). \
         Server CPU is user+system of the whole server process over the measured window (`/proc/<pid>/stat`) divided by the calls; \
         peak RSS is `VmHWM` at the end of the window. \"× ceiling\" divides calls/s by the raw responder's in the same workload; \
         \"ours ÷ rmcp\" divides ours by rmcp's fastest configuration in the workload.\n",
        r.rounds,
        r.warmup.as_secs_f64(),
        r.duration.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "| workload | server | calls/s (min–max) | p50 µs | p99 µs | server CPU µs/call | peak RSS | threads | × ceiling | ours ÷ rmcp |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for m in r.measured {
        let w = &m.workload;
        let ceiling = w
            .servers
            .iter()
            .zip(&m.summaries)
            .find(|(s, _)| s.sdk == Sdk::Raw)
            .map(|(_, x)| x.calls_per_sec)
            .unwrap_or(f64::NAN);
        let (best_rmcp_i, best_rmcp) = w
            .servers
            .iter()
            .zip(&m.summaries)
            .enumerate()
            .filter(|(_, (s, x))| s.sdk == Sdk::Rmcp && x.ok())
            .map(|(i, (_, x))| (i, x.calls_per_sec))
            .fold((usize::MAX, f64::NAN), |a, b| if a.1.is_nan() || b.1 > a.1 { b } else { a });
        let reference = w
            .servers
            .iter()
            .zip(&m.summaries)
            .find(|(s, _)| s.sdk == Sdk::Rmcp && s.reference);
        for (s, x) in w.servers.iter().zip(&m.summaries) {
            let name = if s.sdk == Sdk::Ours { format!("**{}**", s.label) } else { s.label.clone() };
            if !x.ok() {
                let why = x.failures.first().cloned().unwrap_or_else(|| "no runs".into());
                let _ = writeln!(md, "| {} | {name} | failed: {} | | | | | | | |", w.name, why.replace('|', "/"));
                continue;
            }
            let vs_rmcp = if s.sdk == Sdk::Ours { ratio(x.calls_per_sec / best_rmcp) } else { String::new() };
            let errors = if x.errors > 0 { format!(" ({} errors)", x.errors) } else { String::new() };
            let _ = writeln!(
                md,
                "| {} | {name} | {} ({}–{}){errors} | {} | {} | {:.2} | {:.1} MiB | {:.0} | {} | {vs_rmcp} |",
                w.name,
                cps(x.calls_per_sec),
                cps(x.min_cps),
                cps(x.max_cps),
                us(x.p50_us),
                us(x.p99_us),
                x.cpu_us_per_call,
                x.rss_kib / 1024.0,
                x.threads,
                pct(x.calls_per_sec / ceiling),
            );
            if s.sdk == Sdk::Ours {
                let frac = x.calls_per_sec / ceiling;
                targets.push((
                    format!("{}, {}: ≥ {:.0}% of ceiling", w.name, s.label, w.ceiling_target * 100.0),
                    pct(frac),
                    (!frac.is_nan()).then_some(frac >= w.ceiling_target),
                ));
                if let Some(t) = w.rmcp_target {
                    let v = x.calls_per_sec / best_rmcp;
                    let which = if best_rmcp_i == usize::MAX { "rmcp".into() } else { w.servers[best_rmcp_i].label.clone() };
                    targets.push((
                        format!("{}, {}: ≥ {t}× rmcp's faster mode ({which})", w.name, s.label),
                        ratio(v),
                        (!v.is_nan()).then_some(v >= t),
                    ));
                }
                if let Some((rs, rx)) = reference.filter(|(_, rx)| rx.ok()) {
                    let v = x.cpu_us_per_call / rx.cpu_us_per_call;
                    targets.push((
                        format!("{}, {}: server CPU/call ≤ 1/3 of {}", w.name, s.label, rs.label),
                        format!("{:.2} vs {:.2} µs ({})", x.cpu_us_per_call, rx.cpu_us_per_call, ratio(v)),
                        (!v.is_nan()).then_some(v <= 1.0 / 3.0),
                    ));
                    targets.push((
                        format!("{}, {}: peak RSS ≤ {}", w.name, s.label, rs.label),
                        format!("{:.1} vs {:.1} MiB", x.rss_kib / 1024.0, rx.rss_kib / 1024.0),
                        Some(x.rss_kib <= rx.rss_kib),
                    ));
                }
            }
        }
    }

    // Startup.
    let names = ["raw tokio + serde_json", "ours", "rmcp"];
    let _ = writeln!(
        md,
        "\n## Startup\n\nSpawn to `initialize` response over stdio (the request is written right after the spawn), median of {} alternating runs.\n\n| server | median | min | max |\n|---|---|---|---|",
        r.startup_runs
    );
    let med: Vec<f64> = r.startup.iter().map(|v| median(v.iter().copied())).collect();
    for (i, v) in r.startup.iter().enumerate() {
        let min = v.iter().copied().fold(f64::NAN, f64::min);
        let max = v.iter().copied().fold(f64::NAN, f64::max);
        let _ = writeln!(md, "| {} | {:.2} ms | {:.2} ms | {:.2} ms |", names[i], med[i], min, max);
    }
    targets.push((
        "startup ≤ rmcp".into(),
        format!("{:.2} vs {:.2} ms", med[1], med[2]),
        (!med[1].is_nan() && !med[2].is_nan()).then_some(med[1] <= med[2]),
    ));

    // Builds and sizes.
    let b = |k: &str| r.builds.get(k).copied();
    let _ = writeln!(
        md,
        "\n## Binary size and build cost\n\nRelease profile of each workspace (`codegen-units = 16`, no debug info). \
         Clean build: `cargo build --release` of the echo server (two tools, stdio + Streamable HTTP) in an empty scratch \
         target dir, from a scratch copy of the sources, CPU = user+sys of cargo and everything it ran. Incremental: the \
         same target dir, after inserting a statement into the `echo` tool body (median of the edits made).\n\n\
         | | ours | rmcp 3.9.0 | ours ÷ rmcp |\n|---|---|---|---|"
    );
    let size = |i: usize| r.sizes.get(i).and_then(|s| s.1).map(|v| v as f64);
    let row = |md: &mut String, label: &str, o: Option<f64>, m: Option<f64>, f: &dyn Fn(f64) -> String| {
        let cell = |v: Option<f64>| v.map_or("–".into(), f);
        let q = match (o, m) {
            (Some(o), Some(m)) if m > 0.0 => ratio(o / m),
            _ => "–".into(),
        };
        let _ = writeln!(md, "| {label} | {} | {} | {q} |", cell(o), cell(m));
    };
    row(&mut md, "binary size", size(1), size(2), &|v| format!("{} ({v:.0} B)", mib(v)));
    row(&mut md, "binary size, stripped", b("ours_bin_stripped"), b("rmcp_bin_stripped"), &|v| mib(v));
    row(&mut md, "clean release build, CPU (user+sys)", b("ours_clean_cpu_s"), b("rmcp_clean_cpu_s"), &|v| format!("{v:.1} s"));
    row(&mut md, "clean release build, wall", b("ours_clean_wall_s"), b("rmcp_clean_wall_s"), &|v| format!("{v:.1} s"));
    row(&mut md, "incremental release rebuild, wall", b("ours_incr_wall_s"), b("rmcp_incr_wall_s"), &|v| format!("{v:.2} s"));
    row(&mut md, "incremental release rebuild, CPU", b("ours_incr_cpu_s"), b("rmcp_incr_cpu_s"), &|v| format!("{v:.2} s"));
    if let Some(raw) = size(0) {
        let _ = writeln!(md, "\nFor scale: the raw stdio responder's binary is {}.", mib(raw));
    }
    let cmp = |o: Option<f64>, m: Option<f64>, max: f64, unit: &str| -> (String, Option<bool>) {
        match (o, m) {
            (Some(o), Some(m)) if m > 0.0 => (format!("{o:.1} vs {m:.1}{unit} ({})", ratio(o / m)), Some(o / m <= max)),
            _ => ("–".into(), None),
        }
    };
    let (v, ok) = cmp(size(1).map(|v| v / 1048576.0), size(2).map(|v| v / 1048576.0), 0.6, " MiB");
    targets.push(("binary size ≤ 60% of rmcp".into(), v, ok));
    let (v, ok) = cmp(b("ours_clean_cpu_s"), b("rmcp_clean_cpu_s"), 0.6, " s");
    targets.push(("clean-build CPU ≤ 60% of rmcp".into(), v, ok));
    let (v, ok) = cmp(b("ours_incr_wall_s"), b("rmcp_incr_wall_s"), 0.5, " s");
    targets.push(("incremental rebuild ≤ half of rmcp's".into(), v, ok));

    // Progress and cancellation.
    let _ = writeln!(
        md,
        "\n## Progress delivery and cancellation\n\n`slow_count(n=10000, delay_ms=1)` with a progress token over stdio; `notifications/cancelled` is sent \
         when the 100th progress notification arrives, then the client listens for 2 s. \"After cancel\" counts progress \
         notifications that arrived after the cancel was sent; \"beyond next step\" those whose progress exceeds the last \
         value seen before the cancel + 1 (target: 0). One row per run.\n\n\
         | server | progress interval | progress at cancel | after cancel | beyond next step | last one after cancel | response to the cancelled call |\n|---|---|---|---|---|---|---|"
    );
    for (i, runs) in r.cancels.iter().enumerate() {
        let name = ["ours", "rmcp"][i];
        let mut all_ok = Some(true);
        for c in runs {
            match c {
                Ok(c) => {
                    let _ = writeln!(
                        md,
                        "| {name} | {:.2} ms | {} | {} | {} | {:.1} ms | {} |",
                        c.interval_ms, c.progress_at_cancel, c.after, c.beyond_next_step, c.last_after_ms, c.response
                    );
                    if c.beyond_next_step > 0 {
                        all_ok = Some(false);
                    }
                }
                Err(e) => {
                    let _ = writeln!(md, "| {name} | failed: {} | | | | | |", e.replace('|', "/"));
                    all_ok = None;
                }
            }
        }
        if i == 0 {
            let worst = runs.iter().filter_map(|c| c.as_ref().ok()).map(|c| c.beyond_next_step).max();
            targets.push((
                "ours: no progress beyond the next step after a cancel".into(),
                worst.map_or("–".into(), |w| format!("worst run: {w}")),
                all_ok,
            ));
        }
    }

    // Targets.
    let _ = writeln!(md, "\n## Targets\n\n| target | measured | status |\n|---|---|---|");
    for (t, v, ok) in &targets {
        let _ = writeln!(md, "| {t} | {v} | {} |", verdict(*ok));
    }
    md
}

fn dump_json(measured: &[Measured], startup: &[Vec<f64>]) -> String {
    let mut s = String::from("{\"workloads\":[");
    for (wi, m) in measured.iter().enumerate() {
        if wi > 0 {
            s.push(',');
        }
        let _ = write!(s, "{{\"name\":{:?},\"servers\":[", m.workload.name);
        for (si, (srv, runs)) in m.workload.servers.iter().zip(&m.runs).enumerate() {
            if si > 0 {
                s.push(',');
            }
            let runs: Vec<String> = runs.iter().map(RunResult::to_json).collect();
            let _ = write!(s, "{{\"label\":{:?},\"runs\":[{}]}}", srv.label, runs.join(","));
        }
        s.push_str("]}");
    }
    let _ = write!(s, "],\"startup_ms\":{startup:?}}}");
    s.push('\n');
    s
}
