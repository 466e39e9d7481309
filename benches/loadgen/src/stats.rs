//! What one run measures, and medians over runs.

/// The outcome of one timed run against one fresh server process.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// Calls completed inside the measured window.
    pub calls: u64,
    /// Length of the measured window, seconds.
    pub secs: f64,
    /// Median latency, microseconds.
    pub p50_us: f64,
    /// 99th percentile latency, microseconds.
    pub p99_us: f64,
    /// Server CPU (user + system, all threads) over the window divided by the calls, µs.
    pub cpu_us_per_call: f64,
    /// Peak RSS (VmHWM) at the end of the window, KiB.
    pub rss_kib: u64,
    /// Server threads at the end of the window.
    pub threads: u64,
    /// Responses that were errors (or not 200 over HTTP), whole run.
    pub errors: u64,
}

impl RunResult {
    pub fn calls_per_sec(&self) -> f64 {
        if self.secs > 0.0 { self.calls as f64 / self.secs } else { 0.0 }
    }

    pub fn to_json(&self) -> String {
        format!(
            r#"{{"calls":{},"secs":{:.4},"calls_per_sec":{:.1},"p50_us":{:.1},"p99_us":{:.1},"cpu_us_per_call":{:.2},"rss_kib":{},"threads":{},"errors":{}}}"#,
            self.calls,
            self.secs,
            self.calls_per_sec(),
            self.p50_us,
            self.p99_us,
            self.cpu_us_per_call,
            self.rss_kib,
            self.threads,
            self.errors
        )
    }
}

/// The `q` quantile (0..=1) of latencies in nanoseconds, in microseconds (nearest rank).
pub fn quantile_us(sorted_ns: &[u64], q: f64) -> f64 {
    if sorted_ns.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted_ns.len() as f64).ceil() as usize).clamp(1, sorted_ns.len());
    sorted_ns[rank - 1] as f64 / 1000.0
}

/// The median of some values (mean of the two middle ones for an even count); NaN if empty.
pub fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Medians, metric by metric, of several runs of the same configuration.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub runs: usize,
    pub failures: Vec<String>,
    pub calls_per_sec: f64,
    /// Smallest and largest calls/s of the runs (spread).
    pub min_cps: f64,
    pub max_cps: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub cpu_us_per_call: f64,
    pub rss_kib: f64,
    pub threads: f64,
    pub errors: u64,
}

impl Summary {
    pub fn of(runs: &[RunResult], failures: Vec<String>) -> Self {
        let cps: Vec<f64> = runs.iter().map(RunResult::calls_per_sec).collect();
        Self {
            runs: runs.len(),
            failures,
            calls_per_sec: median(cps.iter().copied()),
            min_cps: cps.iter().copied().fold(f64::NAN, f64::min),
            max_cps: cps.iter().copied().fold(f64::NAN, f64::max),
            p50_us: median(runs.iter().map(|r| r.p50_us)),
            p99_us: median(runs.iter().map(|r| r.p99_us)),
            cpu_us_per_call: median(runs.iter().map(|r| r.cpu_us_per_call)),
            rss_kib: median(runs.iter().map(|r| r.rss_kib as f64)),
            threads: median(runs.iter().map(|r| r.threads as f64)),
            errors: runs.iter().map(|r| r.errors).sum(),
        }
    }

    pub fn ok(&self) -> bool {
        self.runs > 0 && self.calls_per_sec > 0.0
    }
}
