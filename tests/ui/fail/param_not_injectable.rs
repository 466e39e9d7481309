use mcp_server::prelude::*;

/// Neither `Deserialize + JsonSchema` nor `FromContext`.
struct Database;

#[tool]
async fn query(sql: String, db: Database) -> String {
    let _ = db;
    sql
}

fn main() {
    let _ = Server::new("x").tool(query);
}
