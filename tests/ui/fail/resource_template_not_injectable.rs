use mcp_server::prelude::*;

/// Neither a template variable nor `FromContext`.
struct Database;

/// A user profile.
#[resource_template("db://users/{user_id}")]
async fn user(user_id: u64, db: Database) -> String {
    let _ = db;
    format!("user {user_id}")
}

fn main() {
    let _ = Server::new("x").resource_template(user);
}
