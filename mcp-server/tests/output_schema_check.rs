//! Debug builds check a tool's `structuredContent` against its `outputSchema` before sending:
//! a mismatch becomes a tool error (`isError: true`) naming it; a match goes out unchanged.

use mcp_server::Server;
use mcp_server::mcp_core::model::{CallToolResult, ContentBlock};
use mcp_server::tool::{ArgsSchema, ToolDef};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn tool(name: &str, structured: Value) -> ToolDef {
    let schema = json!({
        "type": "object",
        "properties": {"count": {"type": "integer", "minimum": 0}},
        "required": ["count"]
    });
    ToolDef::builder(name)
        .input_schema(ArgsSchema::new().finish())
        .output_schema(schema.as_object().cloned())
        .handler(move |_call| {
            let structured = structured.clone();
            async move {
                let mut result =
                    CallToolResult::new(vec![ContentBlock::text(structured.to_string())]);
                result.structured_content = structured.as_object().cloned();
                Ok(result)
            }
        })
}

#[cfg(debug_assertions)]
#[tokio::test]
async fn structured_content_that_breaks_the_output_schema_is_a_tool_error() {
    let server = Server::new("checked")
        .tool(tool("good", json!({"count": 3})))
        .tool(tool("bad", json!({"count": "three"})))
        .tool(tool("missing", json!({})));
    let (client, server_io) = tokio::io::duplex(1 << 16);
    let (server_r, server_w) = tokio::io::split(server_io);
    tokio::spawn(server.serve_stream(server_r, server_w));
    let (client_r, mut client_w) = tokio::io::split(client);
    let mut lines = BufReader::new(client_r).lines();
    let mut request = async |id: i64, method: &str, params: Value| -> Value {
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        client_w
            .write_all(format!("{msg}\n").as_bytes())
            .await
            .unwrap();
        serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap()
    };
    request(0, "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}})).await;
    let good = request(1, "tools/call", json!({"name": "good"})).await;
    assert_eq!(good["result"]["structuredContent"]["count"], 3, "{good}");
    assert!(good["result"].get("isError").is_none());
    for (id, name, needle) in [(2, "bad", "/count"), (3, "missing", "`count`")] {
        let resp = request(id, "tools/call", json!({"name": name})).await;
        assert_eq!(resp["result"]["isError"], true, "{resp}");
        assert!(resp["result"].get("structuredContent").is_none());
        let text = resp["result"]["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("output schema") && text.contains(needle),
            "{text}"
        );
    }
}
