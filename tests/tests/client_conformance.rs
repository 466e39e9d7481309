//! The official conformance suite (`@modelcontextprotocol/conformance`, pinned in
//! `tools/package.json`) drives the `mcp` command-line client through its client scenarios
//! that need no OAuth and no elicitation: `initialize`, `tools_call` and `sse-retry` (resuming a
//! closed SSE stream with `Last-Event-ID` after honouring `retry`).
//!
//! Needs `tools/node_modules` (`npm ci --prefix tools`, which `scripts/test` runs).

use std::path::PathBuf;
use std::process::Command;

use mcp_tests::{bin_path, workspace_root};

/// The runner starts `<command> <server-url>` for each scenario and names the scenario in
/// `MCP_CONFORMANCE_SCENARIO`; this script turns that into an `mcp` command line.
fn client_script() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-conformance-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("client.sh");
    let mcp = bin_path("mcp");
    let text = format!(
        r#"#!/bin/sh
# The server URL is the last argument.
for url; do :; done
mcp='{mcp}'
case "$MCP_CONFORMANCE_SCENARIO" in
  initialize) exec "$mcp" tools "$url" ;;
  tools_call) exec "$mcp" call "$url" add_numbers a=2 b=3 ;;
  sse-retry) exec "$mcp" call "$url" test_reconnection ;;
  *) echo "no command for scenario $MCP_CONFORMANCE_SCENARIO" >&2; exit 2 ;;
esac
"#,
        mcp = mcp.display()
    );
    std::fs::write(&script, text).expect("write the client script");
    script
}

fn run_scenario(scenario: &str) {
    let tools = workspace_root().join("tools");
    let bin = tools.join("node_modules/.bin");
    assert!(
        bin.join("conformance").exists() && bin.join("node").exists(),
        "{} is missing: install the pinned Node tools with `npm ci --prefix tools` \
         (scripts/test does this)",
        bin.display()
    );
    let mut path = vec![bin.clone()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let script = client_script();
    let output = Command::new(bin.join("node"))
        .arg(bin.join("conformance"))
        .args(["client", "--command"])
        .arg(format!("sh {}", script.display()))
        .args(["--scenario", scenario, "--timeout", "20000"])
        .current_dir(&tools)
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .output()
        .expect("run the conformance suite");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.contains("OVERALL: PASSED"),
        "scenario {scenario} failed ({:?}):\n{report}",
        output.status
    );
}

#[test]
fn conformance_initialize() {
    run_scenario("initialize");
}

#[test]
fn conformance_tools_call() {
    run_scenario("tools_call");
}

#[test]
fn conformance_sse_retry() {
    run_scenario("sse-retry");
}
