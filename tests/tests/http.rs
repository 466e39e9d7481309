//! The official Python SDK (`pip install mcp`) as a third-party client of our Streamable HTTP
//! transport, in SSE and in JSON response mode.
//!
//! Needs the interop virtualenv (`tests/interop/.venv`, created by `scripts/test`), or a
//! Python with the `mcp` package named by `MCP_PYTHON`.

use std::time::Duration;

use mcp_server::Server;
use mcp_server::http::HttpConfig;
use mcp_server::tool::{ArgsSchema, ToolDef, text_result};
use mcp_tests::python;
use serde_json::{Value, json};

/// Drives the server with the Python SDK's `ClientSession` over `streamable_http_client`.
const CLIENT: &str = r#"
import asyncio, json, sys
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

async def main(url):
    seen = {"progress": []}
    async with streamable_http_client(url) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            init = await session.initialize()
            seen["protocol_version"] = init.protocol_version
            seen["tools"] = sorted(t.name for t in (await session.list_tools()).tools)
            r = await session.call_tool("echo", {"text": "hello over http"})
            seen["echo"] = r.content[0].text
            async def on_progress(progress, total, message):
                seen["progress"].append([progress, total])
            r = await session.call_tool("slow", {"n": 3, "delay_ms": 20}, progress_callback=on_progress)
            seen["slow"] = r.content[0].text
    return seen

print(json.dumps(asyncio.run(main(sys.argv[1]))))
"#;

fn server() -> Server {
    let mut echo_schema = ArgsSchema::new();
    echo_schema.argument::<String>("text", Some("The text to echo"));
    let echo = ToolDef::builder("echo")
        .description("Echo the text back")
        .input_schema(echo_schema.finish())
        .handler(|call| async move {
            let text: String = call.argument("text")?;
            Ok(text_result(text))
        });
    let mut slow_schema = ArgsSchema::new();
    slow_schema.argument::<u64>("n", None);
    slow_schema.argument::<u64>("delay_ms", None);
    let slow = ToolDef::builder("slow")
        .description("Count slowly, reporting progress")
        .input_schema(slow_schema.finish())
        .handler(|call| async move {
            let n: u64 = call.argument("n")?;
            let delay: u64 = call.argument("delay_ms")?;
            for i in 1..=n {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                call.context().progress(i, n).await;
            }
            Ok(text_result(format!("counted to {n}")))
        });
    Server::new("http-interop")
        .version("1.0.0")
        .tool(echo)
        .tool(slow)
}

async fn run_python_client(config: HttpConfig) -> Value {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let server = server();
    let handle = server.handle();
    let serving = tokio::spawn(server.serve_http_on(listener, config));
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(python())
            .arg("-c")
            .arg(CLIENT)
            .arg(&url)
            .output(),
    )
    .await
    .expect("the Python client finished in time")
    .expect("run the Python client");
    handle.shutdown();
    serving.await.unwrap().unwrap();
    assert!(
        out.status.success(),
        "Python client failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON summary")
}

fn check(seen: &Value) {
    assert_eq!(seen["protocol_version"], "2025-11-25");
    assert_eq!(seen["tools"], json!(["echo", "slow"]));
    assert_eq!(seen["echo"], "hello over http");
    assert_eq!(seen["slow"], "counted to 3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_client_over_sse() {
    let seen = run_python_client(HttpConfig::default()).await;
    check(&seen);
    // Progress travels on the call's own SSE stream.
    assert_eq!(
        seen["progress"],
        json!([[1.0, 3.0], [2.0, 3.0], [3.0, 3.0]])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_client_over_json_responses() {
    let seen = run_python_client(HttpConfig::default().json_response(true)).await;
    check(&seen);
    // In JSON mode progress goes to the client's GET stream, which it opens after initialize;
    // it is delivered when that stream is open in time, so it is not asserted here.
}
