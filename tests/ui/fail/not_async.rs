use mcp_server::prelude::*;

#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    // The function is emitted unchanged, so direct calls still type-check.
    let _ = add(1, 2);
}
