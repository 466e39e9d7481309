use mcp_server::prelude::*;

#[tool]
async fn first<T: Clone>(items: Vec<T>) -> String {
    let _ = items;
    String::new()
}

#[tool]
async fn borrowing<'a>(text: &'a str) -> String {
    text.to_owned()
}

#[tool]
async fn sized<const N: usize>() -> String {
    N.to_string()
}

fn main() {}
