//! A minimal HTTP/1.1 client over raw TCP for the hostile-input, fault and load tests: it sends
//! exactly the bytes a test wants (invalid UTF-8, oversized bodies, ...) and can drop or stall a
//! response stream half-way, which a full client library hides.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The protocol revision the helpers announce.
pub const VERSION: &str = "2025-11-25";

/// A complete HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Reply {
    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-RPC messages of the body: one JSON document, or the `data:` lines of an SSE
    /// stream (empty priming events skipped).
    pub fn messages(&self) -> Vec<Value> {
        let text = String::from_utf8_lossy(&self.body);
        if self
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/event-stream"))
        {
            text.lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| {
                    serde_json::from_str(d).unwrap_or_else(|e| panic!("bad SSE data {d}: {e}"))
                })
                .collect()
        } else if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON body {text}: {e}")),
            ]
        }
    }

    /// The single JSON-RPC response in the body (the message that has no `method`).
    pub fn response(&self) -> Value {
        let mut found: Vec<Value> = self
            .messages()
            .into_iter()
            .filter(|m| m.get("method").is_none())
            .collect();
        assert_eq!(found.len(), 1, "expected one response in {self:?}");
        found.remove(0)
    }
}

/// `host:port` of an `http://host:port/mcp` URL.
pub fn authority(url: &str) -> &str {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .expect("authority")
}

/// Writes a POST to `/mcp` and returns the open connection (the response unread).
pub async fn start_post(addr: &str, session: Option<&str>, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {VERSION}\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(id) = session {
        head.push_str(&format!("Mcp-Session-Id: {id}\r\n"));
    }
    head.push_str("\r\n");
    // One write for head and body (a server may answer 413, 400, ... and close before reading
    // a large body: the response is then read anyway).
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    if stream.write_all(&request).await.is_ok() {
        let _ = stream.flush().await;
    }
    stream
}

/// Sends a request and reads the whole response (the server closes the connection after it).
pub async fn post(addr: &str, session: Option<&str>, body: &[u8]) -> Reply {
    let mut stream = start_post(addr, session, body).await;
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("response within 30 s");
    // A reset after a complete early answer still leaves that answer readable.
    if let Err(e) = read {
        assert!(!raw.is_empty(), "read response: {e}");
    }
    parse(&raw)
}

/// Parses a complete HTTP/1.1 response.
pub fn parse(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return out;
        };
        if size == 0 || data.len() < eol + 2 + size {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[(eol + 4 + size).min(data.len())..];
    }
}

/// An initialized Streamable HTTP session.
#[derive(Debug, Clone)]
pub struct Session {
    pub addr: String,
    pub id: String,
}

impl Session {
    /// `initialize` plus `notifications/initialized` against the server at `url`.
    pub async fn open(url: &str) -> Self {
        let addr = authority(url).to_owned();
        let init = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
            "protocolVersion": VERSION, "capabilities": {},
            "clientInfo": {"name": "mcp-tests-raw", "version": "0"}}});
        let reply = post(&addr, None, init.to_string().as_bytes()).await;
        assert_eq!(reply.status, 200, "initialize: {reply:?}");
        let id = reply
            .header("mcp-session-id")
            .expect("a session id")
            .to_owned();
        let session = Self { addr, id };
        let note = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
        let r = session.send(note.to_string().as_bytes()).await;
        assert_eq!(r.status, 202, "initialized: {r:?}");
        session
    }

    /// POSTs raw bytes in this session.
    pub async fn send(&self, body: &[u8]) -> Reply {
        post(&self.addr, Some(&self.id), body).await
    }

    /// POSTs a JSON message and returns its response.
    pub async fn request(&self, msg: &Value) -> Value {
        let reply = self.send(msg.to_string().as_bytes()).await;
        assert_eq!(reply.status, 200, "{msg}: {reply:?}");
        reply.response()
    }

    /// Calls `echo` and checks the text comes back: the session still serves.
    pub async fn still_serving(&self) {
        let resp = self
            .request(&json!({"jsonrpc":"2.0","id":"alive","method":"tools/call",
                "params":{"name":"echo","arguments":{"text":"still here"}}}))
            .await;
        assert_eq!(
            resp["result"]["content"][0]["text"], "still here",
            "the session stopped serving: {resp}"
        );
    }
}

/// Resident set size of a process, in KiB (Linux).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS value")
}

/// Sends `DELETE /mcp` for a session and returns the status.
pub async fn delete(addr: &str, session: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "DELETE /mcp HTTP/1.1\r\nHost: {addr}\r\nMCP-Protocol-Version: {VERSION}\r\n\
         Mcp-Session-Id: {session}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("response within 30 s")
        .expect("read response");
    parse(&raw).status
}
