//! Compile-time tests of `#[tool]` and `#[tools]`: `ui/pass` must compile (and run), `ui/fail` must
//! fail with exactly the diagnostics in the `.stderr` next to each case.
//!
//! Diagnostics change between compiler versions: the snapshots are for the workspace's pinned
//! stable toolchain. After an intended change, regenerate them with
//! `TRYBUILD=overwrite cargo test -p mcp-tests --test ui` and review every `.stderr` diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
