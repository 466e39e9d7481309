use mcp_server::prelude::*;

/// A space is not allowed in a variable name.
#[resource_template("db://users/{user id}")]
async fn user(name: String) -> String {
    name
}

/// Unclosed expression.
#[resource_template("db://teams/{team")]
async fn team(name: String) -> String {
    name
}

/// A fixed resource cannot have variables.
#[resource("db://settings/{key}")]
async fn settings() -> String {
    String::new()
}

fn main() {
    let _ = Server::new("x")
        .resource_template(user)
        .resource_template(team)
        .resource(settings);
}
