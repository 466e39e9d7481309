//! Transport limits of `serve_http*`: header size and time, slow request bodies, over raw TCP.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mcp_server::http::HttpConfig;
use mcp_server::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;

/// Sleeps for a minute, ignoring cancellation.
#[tool]
async fn hang() -> String {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "woke up".into()
}

async fn serve(config: HttpConfig) -> (SocketAddr, mcp_server::ServerHandle) {
    serve_with(Server::new("limits"), config).await
}

async fn serve_with(server: Server, config: HttpConfig) -> (SocketAddr, mcp_server::ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = server.handle();
    tokio::spawn(server.serve_http_on(listener, config));
    (addr, handle)
}

/// Reads until the peer closes the connection or `limit` passes; returns the text and whether
/// the connection was closed.
async fn read_all(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

fn post(addr: SocketAddr, extra_headers: &str, body: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n{extra_headers}\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The next valid request is answered: the limits broke nothing.
async fn still_serves(addr: SocketAddr) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(post(addr, "", INIT).as_bytes()).await.unwrap();
    let (text, _) = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"serverInfo\""), "{text}");
}

#[test]
fn the_defaults_are_16_kib_of_headers_in_10_s_and_bodies_in_30_s() {
    let c = HttpConfig::default();
    assert_eq!(c.max_header_size, 16 * 1024);
    assert_eq!(c.header_read_timeout, Duration::from_secs(10));
    assert_eq!(c.body_read_timeout, Duration::from_secs(30));
    assert!(c.auth.is_none());
}

#[tokio::test]
async fn headers_over_16_kib_get_431_and_under_it_are_served() {
    let (addr, handle) = serve(HttpConfig::default()).await;
    // 20 KiB of headers: refused with 431, and the connection is closed.
    let big = format!("X-Filler: {}\r\n", "a".repeat(20 * 1024));
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(post(addr, &big, INIT).as_bytes())
        .await
        .unwrap();
    let (text, closed) = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(
        text.starts_with("HTTP/1.1 431"),
        "expected 431, got: {}",
        &text[..text.len().min(200)]
    );
    assert!(closed, "the connection stays open after a 431");
    // 12 KiB fits.
    let ok = format!("X-Filler: {}\r\n", "a".repeat(12 * 1024));
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(post(addr, &ok, INIT).as_bytes()).await.unwrap();
    let (text, _) = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    still_serves(addr).await;
    handle.shutdown();
}

#[tokio::test]
async fn headers_that_do_not_arrive_in_time_close_the_connection() {
    let config = HttpConfig::default().header_read_timeout(Duration::from_millis(300));
    let (addr, handle) = serve(config).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    // Half a request head, then nothing.
    s.write_all(format!("POST /mcp HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
        .await
        .unwrap();
    let (text, closed) = read_all(&mut s, Duration::from_secs(5)).await;
    let waited = started.elapsed();
    assert!(closed, "the connection was not closed within 5 s");
    assert!(
        waited >= Duration::from_millis(250),
        "closed after {waited:?}, before the timeout"
    );
    // hyper closes the connection without an answer.
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    still_serves(addr).await;
    handle.shutdown();
}

#[tokio::test]
async fn a_body_that_trickles_gets_408_and_the_connection_is_closed() {
    let config = HttpConfig::default().body_read_timeout(Duration::from_millis(400));
    let (addr, handle) = serve(config).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n",
        INIT.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // One byte every 100 ms: never idle for long, but far too slow in total.
    let mut answered = String::new();
    let mut closed = false;
    for b in INIT.as_bytes().iter().take(30) {
        if s.write_all(&[*b]).await.is_err() {
            break;
        }
        let (text, c) = read_all(&mut s, Duration::from_millis(100)).await;
        answered.push_str(&text);
        if c {
            closed = true;
            break;
        }
    }
    if !closed {
        let (text, c) = read_all(&mut s, Duration::from_secs(5)).await;
        answered.push_str(&text);
        closed = c;
    }
    let waited = started.elapsed();
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered}");
    assert!(
        answered.to_ascii_lowercase().contains("connection: close"),
        "{answered}"
    );
    assert!(closed, "the connection stays open after a 408");
    assert!(waited < Duration::from_secs(3), "took {waited:?}");
    still_serves(addr).await;
    handle.shutdown();
}

#[tokio::test]
async fn the_header_limit_is_configurable_and_exact() {
    let (addr, handle) = serve(HttpConfig::default().max_header_size(2048)).await;
    let big = format!("X-Filler: {}\r\n", "a".repeat(3000));
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(post(addr, &big, INIT).as_bytes())
        .await
        .unwrap();
    let (text, closed) = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(
        text.starts_with("HTTP/1.1 431"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(closed);
    let ok = format!("X-Filler: {}\r\n", "a".repeat(1000));
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(post(addr, &ok, INIT).as_bytes()).await.unwrap();
    let (text, _) = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    handle.shutdown();
}

#[tokio::test]
async fn the_request_timeout_applies_over_http_too() {
    let server = Server::new("limits")
        .configure(|c| c.request_timeout = Some(Duration::from_millis(200)))
        .tool(hang);
    let (addr, handle) = serve_with(server, HttpConfig::stateless()).await;
    let call =
        r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"hang","arguments":{}}}"#;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(post(addr, "", call).as_bytes()).await.unwrap();
    let (text, _) = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let body: serde_json::Value =
        serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["id"], 7);
    assert_eq!(body["error"]["code"], -32603, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Request timed out"),
        "{body}"
    );
    handle.shutdown();
}
