use mcp_server::prelude::*;

struct Counter {
    count: u64,
}

#[tools]
impl Counter {
    #[tool]
    async fn bump(&mut self) -> u64 {
        self.count += 1;
        self.count
    }

    #[tool]
    async fn get(&self) -> u64 {
        self.count
    }
}

fn main() {
    // The other tools of the block are still registered.
    let _ = Server::new("x").tools(Counter { count: 0 });
}
