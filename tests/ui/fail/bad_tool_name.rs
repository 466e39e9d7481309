use mcp_server::prelude::*;

#[tool(name = "add numbers")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[tool(
    name = "a_tool_name_that_is_far_too_long_for_the_specification_which_allows_at_most_one_hundred_and_twenty_eight_characters_in_one_tool_name"
)]
async fn long() {}

#[tool]
async fn café() {}

fn main() {
    let _ = Server::new("x").tool(add).tool(long);
}
