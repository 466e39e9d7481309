//! The resources, prompts and completion the MCP conformance suite expects (CONFORMANCE.md §3.3),
//! each in a few lines with the macros, registered on a server and read back in process.
#![deny(warnings)]

#[path = "support/mod.rs"]
mod support;

use mcp_server::prelude::*;
use serde_json::json;

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// A static text resource.
#[resource("test://static-text", name = "Static Text", mime = "text/plain")]
async fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

/// A static binary resource.
#[resource("test://static-binary", name = "Static Binary", mime = "image/png")]
async fn static_binary() -> ResourceContents {
    ResourceContents::blob("", PNG) // the URI and MIME type are filled in
}

/// Data for one id.
#[resource_template(
    "test://template/{id}/data",
    name = "Template",
    mime = "application/json"
)]
async fn template_data(id: String) -> Json<serde_json::Value> {
    Json(json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")}))
}

/// A resource clients can subscribe to.
#[resource("test://watched-resource", name = "Watched", mime = "text/plain")]
async fn watched() -> String {
    "watched".to_owned()
}

/// A prompt without arguments.
#[prompt]
async fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

/// A prompt with two required arguments.
#[prompt(complete(arg1 = complete_arg1))]
async fn test_prompt_with_arguments(
    /// First test argument.
    arg1: String,
    /// Second test argument.
    arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

async fn complete_arg1(request: CompletionRequest) -> Vec<String> {
    request.matching(["testValue1", "testValue2", "other"])
}

/// A prompt embedding a resource.
#[prompt]
async fn test_prompt_with_embedded_resource(
    /// The URI to embed.
    #[arg(rename = "resourceUri")]
    resource_uri: String,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(ContentBlock::embedded_text(
            resource_uri,
            "text/plain",
            "Embedded resource content for testing.",
        )),
        PromptMessage::user("Please process the embedded resource above."),
    ]
}

/// A prompt with an image.
#[prompt]
async fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(ContentBlock::image(PNG, "image/png")),
        PromptMessage::user("Please analyze the image above."),
    ]
}

#[tokio::main]
async fn main() {
    let server = Server::new("conformance")
        .resource(static_text)
        .resource(static_binary)
        .resource(watched)
        .resource_template(template_data)
        .prompt(test_simple_prompt)
        .prompt(test_prompt_with_arguments)
        .prompt(test_prompt_with_embedded_resource)
        .prompt(test_prompt_with_image);
    let mut client = support::connect(server).await;
    let caps = &client.init["capabilities"];
    assert_eq!(caps["resources"]["subscribe"], true);
    assert!(caps["prompts"].is_object() && caps["completions"].is_object());

    let read = |uri: &str| json!({ "uri": uri });
    let listed = client.request("resources/list", json!({})).await;
    assert_eq!(listed["resources"].as_array().unwrap().len(), 3);
    assert!(
        listed["resources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["description"].is_string() && r["mimeType"].is_string())
    );
    let r = client
        .request("resources/read", read("test://static-text"))
        .await;
    assert_eq!(
        r["contents"],
        json!([{"uri": "test://static-text", "mimeType": "text/plain",
                "text": "This is the content of the static text resource."}])
    );
    let r = client
        .request("resources/read", read("test://static-binary"))
        .await;
    assert_eq!(
        r["contents"],
        json!([{"uri": "test://static-binary", "mimeType": "image/png", "blob": PNG}])
    );
    let r = client
        .request("resources/read", read("test://template/123/data"))
        .await;
    let text = r["contents"][0]["text"].as_str().unwrap();
    assert!(text.contains("123"), "{text}");
    assert_eq!(r["contents"][0]["mimeType"], "application/json");
    let templates = client.request("resources/templates/list", json!({})).await;
    assert_eq!(
        templates["resourceTemplates"][0]["uriTemplate"],
        "test://template/{id}/data"
    );
    for method in ["resources/subscribe", "resources/unsubscribe"] {
        let r = client
            .request(method, read("test://watched-resource"))
            .await;
        assert_eq!(r, json!({}));
    }

    let prompts = client.request("prompts/list", json!({})).await;
    assert!(
        prompts["prompts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["description"].is_string())
    );
    let get =
        |name: &str, arguments: serde_json::Value| json!({"name": name, "arguments": arguments});
    let r = client
        .request("prompts/get", get("test_simple_prompt", json!({})))
        .await;
    assert_eq!(r["messages"][0]["role"], "user");
    let r = client
        .request(
            "prompts/get",
            get(
                "test_prompt_with_arguments",
                json!({"arg1": "testValue1", "arg2": "testValue2"}),
            ),
        )
        .await;
    let text = r["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(text.contains("testValue1") && text.contains("testValue2"));
    let r = client
        .request(
            "prompts/get",
            get(
                "test_prompt_with_embedded_resource",
                json!({"resourceUri": "test://example-resource"}),
            ),
        )
        .await;
    assert_eq!(r["messages"][0]["content"]["type"], "resource");
    assert_eq!(
        r["messages"][0]["content"]["resource"]["uri"],
        "test://example-resource"
    );
    let r = client
        .request("prompts/get", get("test_prompt_with_image", json!({})))
        .await;
    assert_eq!(
        r["messages"][0]["content"],
        json!({"type": "image", "data": PNG, "mimeType": "image/png"})
    );

    let r = client
        .request(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
                   "argument": {"name": "arg1", "value": "test"}}),
        )
        .await;
    assert_eq!(
        r["completion"]["values"],
        json!(["testValue1", "testValue2"])
    );
}
