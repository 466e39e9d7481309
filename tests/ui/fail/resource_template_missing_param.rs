use mcp_server::prelude::*;

/// A post of a user: `post_id` has no parameter.
#[resource_template("db://users/{user_id}/posts/{post_id}")]
async fn post(user_id: u64) -> String {
    format!("a post of {user_id}")
}

fn main() {
    let _ = Server::new("x").resource_template(post);
}
