//! `tools/list` pagination: opaque cursors that walk every tool exactly once, and -32602 for a
//! cursor the server did not issue.

use mcp_server::Server;
use mcp_server::tool::{ArgsSchema, ToolDef, text_result};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn tool(name: String) -> ToolDef {
    ToolDef::builder(name.clone())
        .description(format!("tool {name}"))
        .input_schema(ArgsSchema::new().finish())
        .handler(move |_call| {
            let name = name.clone();
            async move { Ok(text_result(name)) }
        })
}

#[tokio::test]
async fn cursors_walk_every_tool_once() {
    let mut server = Server::new("paged")
        .version("1.0.0")
        .configure(|c| c.page_size = 3);
    for i in 0..8 {
        server = server.tool(tool(format!("t{i}")));
    }
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
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
        let resp = request(pages + 1, "tools/list", params).await;
        pages += 1;
        for t in resp["result"]["tools"].as_array().unwrap() {
            names.push(t["name"].as_str().unwrap().to_owned());
        }
        match resp["result"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, (0..8).map(|i| format!("t{i}")).collect::<Vec<_>>());
    for bad in ["nonsense", "offset:0", "offset:8", "offset:-1"] {
        let resp = request(100, "tools/list", json!({"cursor": bad})).await;
        assert_eq!(resp["error"]["code"], -32602, "cursor {bad}: {resp}");
    }
}
