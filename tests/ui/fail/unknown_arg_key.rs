use mcp_server::prelude::*;

#[tool]
async fn greet(#[arg(defualt = String::from("world"))] name: String) -> String {
    format!("hello {name}")
}

fn main() {
    let _ = Server::new("x").tool(greet);
}
