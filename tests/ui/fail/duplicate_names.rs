use mcp_server::prelude::*;

struct Calculator;

#[tools]
impl Calculator {
    #[tool]
    async fn add(&self, a: i64, b: i64) -> i64 {
        a + b
    }

    #[tool(name = "add")]
    async fn plus(&self, a: i64, b: i64) -> i64 {
        a + b
    }
}

fn main() {
    let _ = Server::new("x").tools(Calculator);
}
