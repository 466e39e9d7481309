use mcp_server::prelude::*;

/// Not `FromStr`, not `FromContext`.
struct Style;

/// Write a poem.
#[prompt(complete(topc = topics))]
async fn poem(topic: String, style: Style) -> String {
    let _ = style;
    topic
}

async fn topics(request: CompletionRequest) -> Vec<String> {
    request.matching(["sea"])
}

/// A completer with the wrong signature.
#[prompt(complete(topic = not_a_completer))]
async fn haiku(topic: String) -> String {
    topic
}

fn not_a_completer(value: String) -> Vec<String> {
    vec![value]
}

fn main() {
    let _ = Server::new("x").prompt(poem).prompt(haiku);
}
