use mcp_server::prelude::*;

/// A user profile: the parameter is misspelt, so `user_id` has no parameter and `userid` (a
/// `u64`, which cannot be injected) is not a variable. Both are reported at the template.
#[resource_template("db://users/{user_id}")]
async fn user(userid: u64) -> String {
    format!("user {userid}")
}

fn main() {
    let _ = Server::new("x").resource_template(user);
}
