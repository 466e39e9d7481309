use mcp_server::prelude::*;

/// Misspelt key, completion of a missing variable, no scheme.
#[resource_template("api://weather/{city}", mime_type = "application/json", complete(cty = cities))]
async fn weather(city: String) -> String {
    city
}

async fn cities(request: CompletionRequest) -> Vec<String> {
    request.matching(["Paris"])
}

/// No scheme.
#[resource("readme.md")]
async fn readme() -> &'static str {
    "# Readme"
}

fn main() {
    let _ = Server::new("x").resource_template(weather).resource(readme);
}
