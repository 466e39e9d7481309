//! The `mcp` command-line client in a real terminal (a tmux pane): the progress bar drawn by
//! indicatif during a call, and Ctrl-C, which cancels the call on the server and exits with
//! 130.
//!
//! Needs `tmux` (`apt-get install -y tmux`); without it these tests fail rather than skip.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_tests::bin_path;
use serde_json::Value;

/// A private tmux server (its own socket) with one session, `t`, whose pane runs a command and
/// stays visible after the command exits. Killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (run directly, without a shell) in a 120x24 pane.
    fn start(command: &[&str]) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let version = Command::new("tmux").arg("-V").output();
        assert!(
            version.as_ref().is_ok_and(|o| o.status.success()),
            "tmux is not installed; these tests need it: apt-get install -y tmux ({version:?})"
        );
        let tmux = Self {
            socket: format!(
                "mcp-tests-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::SeqCst)
            ),
        };
        let mut args = vec![
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "24",
            "--",
            // bash prints the exit status into the pane; tmux's own `pane_dead_status` is
            // sometimes left empty when the pane dies, which made the status unreadable.
            "bash",
            "-c",
            "\"$@\"; echo \"[exit $?]\"",
            "mcp-test",
        ];
        args.extend_from_slice(command);
        let out = tmux.run(&args);
        assert!(out.status.success(), "tmux failed to start: {out:?}");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// The whole pane, history included (tmux moves the screen to the history when the
    /// command exits).
    fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "t"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The command's exit status, once it has exited (printed into the pane by the bash
    /// wrapper of [`Tmux::start`]).
    fn exit_status(&self) -> Option<i32> {
        let screen = self.capture();
        screen.lines().rev().find_map(|l| {
            l.trim()
                .strip_prefix("[exit ")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse().ok())
        })
    }

    /// The exit status as tmux reports it (kept for diagnostics).
    #[allow(dead_code)]
    fn pane_dead_status(&self) -> Option<i32> {
        let out = self.run(&[
            "display-message",
            "-p",
            "-t",
            "t",
            "#{pane_dead} #{pane_dead_status}",
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        let mut parts = text.split_whitespace();
        match (parts.next(), parts.next()) {
            (Some("1"), Some(status)) => status.parse().ok(),
            _ => None,
        }
    }

    fn wait_for_exit(&self, within: Duration) -> i32 {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exit_status() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the command is still running after {within:?}; pane:\n{}",
                self.capture()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a line of the pane satisfies `pred`, and returns it.
    fn wait_for_line(&self, within: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.capture();
            if let Some(line) = screen.lines().find(|l| pred(l)) {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no matching line within {within:?}; pane:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// `items=["item1", ..., "itemN"]`
fn items(n: usize) -> String {
    let list: Vec<String> = (1..=n).map(|i| format!("\"item{i}\"")).collect();
    format!("items=[{}]", list.join(","))
}

/// A line of indicatif's bar for `batch_operation` over `total` items.
fn is_bar(line: &str, total: usize) -> bool {
    (line.contains('█') || line.contains('░')) && line.contains(&format!("/{total} Processed "))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn a_call_draws_a_progress_bar_in_a_terminal() {
    let mcp = bin_path("mcp");
    let server = bin_path("progress-server");
    let arg = items(25);
    let tmux = Tmux::start(&[path(&mcp), "call", path(&server), "batch_operation", &arg]);
    let bar = tmux.wait_for_line(Duration::from_secs(20), |l| is_bar(l, 25));
    // `{bar:30} {pos}/{len} {wide_msg}`: 30 cells of bar, then the position and the message.
    let cells = bar.chars().filter(|c| *c == '█' || *c == '░').count();
    assert_eq!(cells, 30, "{bar:?}");
    let pos: usize = bar
        .split_whitespace()
        .find_map(|w| w.strip_suffix("/25"))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no position in {bar:?}"));
    assert!(
        (1..25).contains(&pos),
        "the bar was captured mid-call: {bar:?}"
    );
    assert!(
        bar.contains(&format!("Processed {pos}/25: item{pos}")),
        "{bar:?}"
    );

    assert_eq!(
        tmux.wait_for_exit(Duration::from_secs(20)),
        0,
        "{}",
        tmux.capture()
    );
    let screen = tmux.capture();
    assert!(screen.contains("Completed 25 items"), "{screen}");
    assert!(
        !screen.lines().any(|l| is_bar(l, 25)),
        "the bar was not cleared: {screen}"
    );
}

#[test]
fn ctrl_c_cancels_the_call_on_the_server_and_exits_130() {
    let mcp = bin_path("mcp");
    let server = bin_path("progress-server");
    // The server's input and output are recorded on the way, to see what it was told.
    let dir: PathBuf =
        std::env::temp_dir().join(format!("mcp-cli-terminal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (input, output) = (dir.join("server-in.jsonl"), dir.join("server-out.jsonl"));
    let server_command = format!(
        "sh -c 'tee {} | {} | tee {}'",
        path(&input),
        path(&server),
        path(&output)
    );
    let arg = items(100);
    let tmux = Tmux::start(&[path(&mcp), "call", &server_command, "batch_operation", &arg]);
    tmux.wait_for_line(Duration::from_secs(20), |l| is_bar(l, 100));
    let pressed = Instant::now();
    let sent = tmux.run(&["send-keys", "-t", "t", "C-c"]);
    assert!(sent.status.success(), "{sent:?}");
    let status = tmux.wait_for_exit(Duration::from_secs(10));
    let elapsed = pressed.elapsed();
    let screen = tmux.capture();
    assert_eq!(status, 130, "{screen}");
    // 100 items take 10 s; the call stopped at once.
    assert!(
        elapsed < Duration::from_secs(3),
        "exited {elapsed:?} after Ctrl-C"
    );
    assert!(
        screen.contains("mcp: interrupted; the server was asked to cancel the call"),
        "{screen}"
    );

    // The server received `notifications/cancelled` for the call, with reason "interrupted",
    // and never answered the call.
    let read_messages = |file: &Path| -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let messages: Vec<Value> = text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            if !messages.is_empty() || Instant::now() > deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let received = read_messages(&input);
    let call = received
        .iter()
        .find(|m| m["method"] == "tools/call")
        .unwrap_or_else(|| panic!("no tools/call in {received:?}"));
    let cancel = received
        .iter()
        .find(|m| m["method"] == "notifications/cancelled")
        .unwrap_or_else(|| panic!("no notifications/cancelled in {received:?}"));
    assert_eq!(cancel["params"]["requestId"], call["id"]);
    assert_eq!(cancel["params"]["reason"], "interrupted");
    let sent_back = read_messages(&output);
    assert!(
        sent_back
            .iter()
            .any(|m| m["method"] == "notifications/progress"),
        "{sent_back:?}"
    );
    assert!(
        !sent_back
            .iter()
            .any(|m| m.get("method").is_none() && m["id"] == call["id"]),
        "the server answered the cancelled call: {sent_back:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
