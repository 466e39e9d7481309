//! An in-process MCP client for the runnable pass cases: serves a `Server` over an in-memory pipe
//! and speaks JSON-RPC to it.
#![allow(dead_code)]

use mcp_server::Server;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

pub struct Client {
    write: WriteHalf<DuplexStream>,
    read: BufReader<ReadHalf<DuplexStream>>,
    next_id: i64,
    /// The `initialize` result.
    pub init: Value,
}

/// Starts `server` and initializes a session with it.
pub async fn connect(server: Server) -> Client {
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server_io);
    tokio::spawn(async move {
        server
            .serve_stream(server_read, server_write)
            .await
            .expect("the server runs");
    });
    let (read, write) = tokio::io::split(client_io);
    let mut client = Client {
        write,
        read: BufReader::new(read),
        next_id: 1,
        init: Value::Null,
    };
    client.init = client
        .request(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "ui-test", "version": "0.0.0"}
            }),
        )
        .await;
    client
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    client
}

impl Client {
    async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.write.write_all(line.as_bytes()).await.expect("write");
        self.write.flush().await.expect("flush");
    }

    /// Sends a request and returns its `result` (panics on a JSON-RPC error).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        match response.get("result") {
            Some(result) => result.clone(),
            None => panic!("`{method}` failed: {response}"),
        }
    }

    /// Sends a request and returns the whole response.
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let mut line = String::new();
            let n = self.read.read_line(&mut line).await.expect("read");
            assert!(n > 0, "the server closed the connection");
            let message: Value = serde_json::from_str(&line).expect("one JSON message per line");
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// `tools/list`.
    pub async fn list_tools(&mut self) -> Vec<Value> {
        let result = self.request("tools/list", json!({})).await;
        result["tools"].as_array().expect("tools").clone()
    }

    /// The descriptor of one tool.
    pub async fn tool(&mut self, name: &str) -> Value {
        let tools = self.list_tools().await;
        tools
            .into_iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no tool `{name}`"))
    }

    /// `tools/call`, returning the `CallToolResult`.
    pub async fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
            .await
    }
}

/// The text of the first content block of a tool result.
pub fn text(result: &Value) -> &str {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text content in {result}"))
}
