//! `loadgen`: the benchmark client and report writer. No MCP SDK: raw JSON-RPC over stdio pipes
//! or HTTP/1.1 keep-alive connections.
//!
//! ```text
//! loadgen stdio   [--concurrency N] [--warmup S] [--duration S] -- SERVER ARGS...
//! loadgen http    [--concurrency N] [--sessions K] [--warmup S] [--duration S] -- SERVER ARGS... ({addr} is replaced)
//! loadgen startup [--runs N] -- SERVER ARGS...
//! loadgen cancel  -- SERVER ARGS...
//! loadgen suite   --ours ECHO --rmcp RMCP_ECHO --raw-stdio RAW_STDIO --raw-http RAW_HTTP
//!                 [--rounds N] [--warmup S] [--duration S] [--startup-runs N] [--cancel-runs N]
//!                 [--builds FILE] [--json FILE]
//! ```
//!
//! Every run spawns a fresh server as a child, so `taskset -c 0 loadgen ...` pins client and
//! server to the same core. `suite` alternates the servers within each round (the order rotates
//! from round to round), takes the median of each metric over the rounds, and prints the whole
//! report as Markdown on stdout (progress goes to stderr).

mod http;
mod proc;
mod report;
mod stats;
mod stdio;

use std::time::Duration;

/// Parsed `--flag value` options, and the command after `--`.
struct Args {
    opts: Vec<(String, String)>,
    command: Vec<String>,
}

impl Args {
    fn parse(raw: &[String]) -> Self {
        let mut opts = Vec::new();
        let mut command = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            let a = &raw[i];
            if a == "--" {
                command = raw[i + 1..].to_vec();
                break;
            }
            if let Some(name) = a.strip_prefix("--") {
                let value = raw.get(i + 1).cloned().unwrap_or_default();
                opts.push((name.to_owned(), value));
                i += 2;
            } else {
                die(&format!("unexpected argument {a:?}"));
            }
        }
        Self { opts, command }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.opts.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        self.get(name).map_or(default, |v| {
            v.parse().unwrap_or_else(|_| die(&format!("--{name}: bad value {v:?}")))
        })
    }

    fn secs(&self, name: &str, default: f64) -> Duration {
        Duration::from_secs_f64(self.num(name, default))
    }

    fn path(&self, name: &str) -> String {
        self.get(name).map(str::to_owned).unwrap_or_else(|| die(&format!("--{name} is required")))
    }

    fn command(&self) -> &[String] {
        if self.command.is_empty() {
            die("the server command goes after `--`");
        }
        &self.command
    }
}

fn die(msg: &str) -> ! {
    eprintln!("loadgen: {msg}");
    std::process::exit(2)
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some(sub) = raw.first() else {
        die("usage: loadgen (stdio|http|startup|cancel|suite) [options] [-- server command]");
    };
    let args = Args::parse(&raw[1..]);
    match sub.as_str() {
        "stdio" => {
            proc::VERBOSE.store(true, std::sync::atomic::Ordering::Relaxed);
            let r = stdio::run(
                args.command(),
                args.num("concurrency", 1),
                args.secs("warmup", 0.5),
                args.secs("duration", 3.0),
            )
            .unwrap_or_else(|e| die(&e.to_string()));
            println!("{}", r.to_json());
        }
        "http" => {
            proc::VERBOSE.store(true, std::sync::atomic::Ordering::Relaxed);
            let r = http::run(
                args.command(),
                args.num("concurrency", 1),
                args.num("sessions", 1),
                args.secs("warmup", 0.5),
                args.secs("duration", 3.0),
            )
            .unwrap_or_else(|e| die(&e.to_string()));
            println!("{}", r.to_json());
        }
        "startup" => {
            let runs: usize = args.num("runs", 20);
            let mut ms = Vec::new();
            for _ in 0..runs {
                ms.push(stdio::startup(args.command()).unwrap_or_else(|e| die(&e.to_string())));
            }
            println!(
                r#"{{"runs":{runs},"median_ms":{:.3},"min_ms":{:.3}}}"#,
                stats::median(ms.iter().copied()),
                ms.iter().copied().fold(f64::NAN, f64::min)
            );
        }
        "cancel" => {
            let r = stdio::cancel_check(
                args.command(),
                args.num("n", 10_000),
                args.num("delay-ms", 1),
                args.num("cancel-after", 100),
                args.secs("listen", 2.0),
            )
            .unwrap_or_else(|e| die(&e.to_string()));
            println!("{r:?}");
        }
        "suite" => report::suite(&args),
        other => die(&format!("unknown subcommand {other:?}")),
    }
}
