use mcp_server::prelude::*;

#[tool(task = "sometimes")]
async fn a() -> String {
    String::new()
}

#[tool(task = true)]
async fn b() -> String {
    String::new()
}

#[tool(task("optional"))]
async fn c() -> String {
    String::new()
}

#[task(task = "required")]
async fn d() -> String {
    String::new()
}

fn main() {
    let _ = Server::new("x").tool(a).tool(b).tool(c).tool(d);
}
