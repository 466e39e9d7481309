use mcp_server::prelude::*;

#[tool]
async fn shout(text: &str, words: Vec<&str>) -> String {
    let _ = words;
    text.to_uppercase()
}

fn main() {}
