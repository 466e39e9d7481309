use mcp_server::prelude::*;

/// The macro defines a value named like the function, so a parameter cannot share the name.
#[resource_template("db://users/{user}")]
async fn user(user: String) -> String {
    user
}

fn main() {
    let _ = Server::new("x").resource_template(user);
}
