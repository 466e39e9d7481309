//! Wire tests of the Streamable HTTP transport, over real sockets with a tiny HTTP/1.1 client.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::HttpConfig;
use crate::tool::{ArgsSchema, ToolDef, text_result};
use crate::{Server, ServerHandle};

// ---------------------------------------------------------------------------------------------
// Fixture

fn echo_tool() -> ToolDef {
    let mut schema = ArgsSchema::new();
    schema.argument::<String>("text", Some("The text to echo"));
    ToolDef::builder("echo")
        .description("Echo the text back")
        .input_schema(schema.finish())
        .handler(|call| async move {
            let text: String = call.argument("text")?;
            Ok(text_result(text))
        })
}

/// Counts to `n`, sleeping `delay_ms` and reporting progress after each step.
fn slow_tool() -> ToolDef {
    let mut schema = ArgsSchema::new();
    schema.argument::<u64>("n", None);
    schema.argument::<u64>("delay_ms", None);
    ToolDef::builder("slow")
        .description("Count slowly")
        .input_schema(schema.finish())
        .handler(|call| async move {
            let n: u64 = call.argument("n")?;
            let delay: u64 = call.argument("delay_ms")?;
            for i in 1..=n {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                call.context().progress(i, n).await;
            }
            Ok(text_result(format!("counted to {n}")))
        })
}

fn server() -> Server {
    Server::new("http-test")
        .version("1.0.0")
        .tool(echo_tool())
        .tool(slow_tool())
}

async fn start_with(server: Server, config: HttpConfig) -> (SocketAddr, ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = server.handle();
    tokio::spawn(server.serve_http_on(listener, config));
    (addr, handle)
}

async fn start(config: HttpConfig) -> (SocketAddr, ServerHandle) {
    start_with(server(), config).await
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    reader: BufReader<TcpStream>,
    chunked: bool,
    length: Option<usize>,
    buf: Vec<u8>,
    done: bool,
}

#[derive(Debug, Clone)]
struct Event {
    id: Option<String>,
    retry: Option<u64>,
    data: String,
}

impl Event {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {:?}", self.data))
    }
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads the next piece of the body; `None` at its end.
    async fn read_piece(&mut self) -> Option<Vec<u8>> {
        if self.done {
            return None;
        }
        if self.chunked {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                self.done = true;
                return None;
            }
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .expect("chunk size");
            if size == 0 {
                let mut end = String::new();
                let _ = self.reader.read_line(&mut end).await;
                self.done = true;
                return None;
            }
            let mut data = vec![0; size + 2];
            self.reader.read_exact(&mut data).await.expect("chunk");
            data.truncate(size);
            Some(data)
        } else if let Some(len) = self.length {
            let mut data = vec![0; len];
            self.reader.read_exact(&mut data).await.expect("body");
            self.done = true;
            Some(data)
        } else {
            let mut data = Vec::new();
            self.reader.read_to_end(&mut data).await.expect("body");
            self.done = true;
            Some(data)
        }
    }

    async fn body(mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.buf);
        while let Some(p) = self.read_piece().await {
            out.extend_from_slice(&p);
        }
        out
    }

    async fn json(self) -> Value {
        let body = self.body().await;
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)))
    }

    /// The next SSE event; `None` when the stream ended. Times out after 10 s.
    async fn next_event(&mut self) -> Option<Event> {
        tokio::time::timeout(Duration::from_secs(10), self.next_event_inner())
            .await
            .expect("SSE event timed out")
    }

    async fn next_event_inner(&mut self) -> Option<Event> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let raw: Vec<u8> = self.buf.drain(..pos + 2).collect();
                let text = String::from_utf8(raw).unwrap();
                if text
                    .lines()
                    .filter(|l| !l.is_empty())
                    .all(|l| l.starts_with(':'))
                {
                    continue; // a comment (keep-alive)
                }
                let mut event = Event {
                    id: None,
                    retry: None,
                    data: String::new(),
                };
                let mut data_lines = Vec::new();
                for line in text.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("retry:") {
                        event.retry = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data_lines.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
                    }
                }
                event.data = data_lines.join("\n");
                return Some(event);
            }
            let piece = self.read_piece().await?;
            self.buf.extend_from_slice(&piece);
        }
    }

    /// Every remaining event.
    async fn events(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(e) = self.next_event().await {
            out.push(e);
        }
        out
    }
}

async fn send(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} /mcp HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(head.as_bytes()).await.unwrap();
    reader.get_mut().write_all(body).await.unwrap();
    let mut status_line = String::new();
    reader.read_line(&mut status_line).await.unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .expect("status")
        .parse()
        .unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
    };
    let chunked = find("transfer-encoding").is_some_and(|(_, v)| v.eq_ignore_ascii_case("chunked"));
    let length = find("content-length").map(|(_, v)| v.parse().unwrap());
    Resp {
        status,
        headers,
        reader,
        chunked,
        length,
        buf: Vec::new(),
        done: false,
    }
}

const ACCEPT_BOTH: (&str, &str) = ("Accept", "application/json, text/event-stream");
const JSON_TYPE: (&str, &str) = ("Content-Type", "application/json");

/// A client of one session.
struct Client {
    addr: SocketAddr,
    session: Option<String>,
}

impl Client {
    fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            session: None,
        }
    }

    fn headers<'a>(&'a self, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut h = vec![ACCEPT_BOTH, JSON_TYPE];
        if let Some(s) = &self.session {
            h.push(("Mcp-Session-Id", s.as_str()));
            h.push(("MCP-Protocol-Version", "2025-11-25"));
        }
        h.extend_from_slice(extra);
        h
    }

    async fn post(&self, body: &Value) -> Resp {
        self.post_with(body, &[]).await
    }

    async fn post_with(&self, body: &Value, extra: &[(&str, &str)]) -> Resp {
        send(
            self.addr,
            "POST",
            &self.headers(extra),
            body.to_string().as_bytes(),
        )
        .await
    }

    /// Initializes (SSE or JSON, whichever the server answers) and sends `initialized`.
    async fn initialize(&mut self) -> Value {
        let resp = self
            .post(&json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
                "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}))
            .await;
        assert_eq!(resp.status, 200);
        self.session = resp.header("mcp-session-id").map(str::to_owned);
        let result = response_of(resp).await;
        let resp = self
            .post(&json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
            .await;
        assert_eq!(resp.status, 202);
        result
    }
}

/// The JSON-RPC response carried by a JSON or SSE reply.
async fn response_of(mut resp: Resp) -> Value {
    if resp
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/event-stream"))
    {
        let events = resp.events().await;
        let last = events.last().expect("an event");
        last.json()
    } else {
        resp.json().await
    }
}

fn call(id: i64, name: &str, args: Value) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":name,"arguments":args,"_meta":{"progressToken":format!("p{id}")}}})
}

fn text_of(response: &Value) -> &str {
    response["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {response}"))
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn initialize_assigns_a_session_id_and_answers_on_a_primed_sse_stream() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let c = Client::new(addr);
    let mut resp = c
        .post(&json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}))
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    let sid = resp
        .header("mcp-session-id")
        .expect("session id")
        .to_owned();
    assert_eq!(sid.len(), 64);
    assert!(sid.bytes().all(|b| b.is_ascii_hexdigit()));
    let events = resp.events().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].data, "");
    assert_eq!(events[0].retry, Some(1000));
    let prime_id = events[0].id.clone().unwrap();
    assert!(prime_id.ends_with("-0"));
    let init = events[1].json();
    assert_eq!(init["id"], 0);
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(init["result"]["serverInfo"]["name"], "http-test");
    assert_ne!(events[1].id, events[0].id);

    // A second session gets another id.
    let mut c2 = Client::new(addr);
    c2.initialize().await;
    assert_ne!(c2.session.as_deref(), Some(sid.as_str()));
    handle.shutdown();
}

#[tokio::test]
async fn json_mode_answers_with_one_json_object() {
    let (addr, handle) = start(HttpConfig::default().json_response(true)).await;
    let mut c = Client::new(addr);
    let init = c.initialize().await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert!(c.session.is_some());
    let resp = c.post(&call(1, "echo", json!({"text":"hello"}))).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let body = resp.json().await;
    assert_eq!(body["id"], 1);
    assert_eq!(text_of(&body), "hello");
    handle.shutdown();
}

#[tokio::test]
async fn notifications_and_responses_get_202_with_an_empty_body() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let resp = c
        .post(&json!({"jsonrpc":"2.0","method":"notifications/whatever"}))
        .await;
    assert_eq!(resp.status, 202);
    assert!(resp.body().await.is_empty());
    let resp = c.post(&json!({"jsonrpc":"2.0","id":99,"result":{}})).await;
    assert_eq!(resp.status, 202);
    assert!(resp.body().await.is_empty());
    handle.shutdown();
}

#[tokio::test]
async fn progress_travels_on_the_calls_stream_before_the_response() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let mut resp = c.post(&call(7, "slow", json!({"n":3,"delay_ms":10}))).await;
    assert_eq!(resp.status, 200);
    let events = resp.events().await;
    let messages: Vec<Value> = events
        .iter()
        .filter(|e| !e.data.is_empty())
        .map(Event::json)
        .collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    for (i, m) in messages[..3].iter().enumerate() {
        assert_eq!(m["method"], "notifications/progress");
        assert_eq!(m["params"]["progressToken"], "p7");
        assert_eq!(m["params"]["progress"], i as u64 + 1);
    }
    assert_eq!(messages[3]["id"], 7);
    assert_eq!(text_of(&messages[3]), "counted to 3");
    // Event ids are unique.
    let mut ids: Vec<String> = events.iter().filter_map(|e| e.id.clone()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    handle.shutdown();
}

#[tokio::test]
async fn session_header_rules_and_delete() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let sid = c.session.clone().unwrap();

    // Without a session id: 400.
    let anon = Client::new(addr);
    let resp = anon
        .post(&json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}))
        .await;
    assert_eq!(resp.status, 400);
    // Unknown session id: 404.
    let resp = anon
        .post_with(
            &json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}),
            &[("Mcp-Session-Id", "nope")],
        )
        .await;
    assert_eq!(resp.status, 404);

    // The session works, then DELETE ends it, then 404.
    let resp = c
        .post(&json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}))
        .await;
    assert_eq!(resp.status, 200);
    let list = response_of(resp).await;
    assert_eq!(list["result"]["tools"].as_array().unwrap().len(), 2);
    let resp = send(addr, "DELETE", &[("Mcp-Session-Id", &sid)], b"").await;
    assert_eq!(resp.status, 200);
    let resp = c
        .post(&json!({"jsonrpc":"2.0","id":2,"method":"tools/list"}))
        .await;
    assert_eq!(resp.status, 404);
    let resp = send(
        addr,
        "GET",
        &[("Accept", "text/event-stream"), ("Mcp-Session-Id", &sid)],
        b"",
    )
    .await;
    assert_eq!(resp.status, 404);
    // Methods other than GET, POST, DELETE: 405.
    let resp = send(addr, "PUT", &[], b"").await;
    assert_eq!(resp.status, 405);
    handle.shutdown();
}

#[tokio::test]
async fn foreign_host_or_origin_is_forbidden() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let init = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})
    .to_string();
    let resp = send(
        addr,
        "POST",
        &[
            ACCEPT_BOTH,
            JSON_TYPE,
            ("Host", "evil.example.com"),
            ("Origin", "http://evil.example.com"),
        ],
        init.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 403);
    let resp = send(
        addr,
        "POST",
        &[
            ACCEPT_BOTH,
            JSON_TYPE,
            ("Origin", "http://evil.example.com"),
        ],
        init.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 403);
    let resp = send(
        addr,
        "POST",
        &[ACCEPT_BOTH, JSON_TYPE, ("Host", "evil.example.com")],
        init.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 403);
    let real = format!("http://{addr}");
    let host = addr.to_string();
    let resp = send(
        addr,
        "POST",
        &[ACCEPT_BOTH, JSON_TYPE, ("Host", &host), ("Origin", &real)],
        init.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 200);
    handle.shutdown();
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let (addr, handle) = start_with(
        server().configure(|c| c.max_message_size = 1024),
        HttpConfig::default(),
    )
    .await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let big = "x".repeat(4096);
    let resp = c.post(&call(1, "echo", json!({"text": big}))).await;
    assert_eq!(resp.status, 413);
    // Chunked, without Content-Length: the limit still applies while reading.
    let stream = TcpStream::connect(addr).await.unwrap();
    let body = call(2, "echo", json!({"text": big})).to_string();
    let sid = c.session.clone().unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nMcp-Session-Id: {sid}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(head.as_bytes()).await.unwrap();
    let mut status = String::new();
    reader.read_line(&mut status).await.unwrap();
    assert!(status.contains(" 413 "), "{status}");
    handle.shutdown();
}

#[tokio::test]
async fn protocol_version_header_is_validated_but_any_supported_one_is_accepted() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let list = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"});
    let sid = c.session.clone().unwrap();
    let base = [ACCEPT_BOTH, JSON_TYPE, ("Mcp-Session-Id", sid.as_str())];
    let mut bad = base.to_vec();
    bad.push(("MCP-Protocol-Version", "1999-01-01"));
    let resp = send(addr, "POST", &bad, list.to_string().as_bytes()).await;
    assert_eq!(resp.status, 400);
    let mut other = base.to_vec();
    other.push(("MCP-Protocol-Version", "2025-03-26"));
    let resp = send(addr, "POST", &other, list.to_string().as_bytes()).await;
    assert_eq!(resp.status, 200);
    assert_eq!(response_of(resp).await["id"], 1);
    // Absent: accepted too (2025-03-26 assumed).
    let resp = send(
        addr,
        "POST",
        &base,
        json!({"jsonrpc":"2.0","id":2,"method":"tools/list"})
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 200);
    handle.shutdown();
}

#[tokio::test]
async fn bad_media_types_batches_and_bad_json() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let sid = c.session.clone().unwrap();
    let list = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}).to_string();
    let resp = send(
        addr,
        "POST",
        &[
            ("Accept", "application/json"),
            JSON_TYPE,
            ("Mcp-Session-Id", &sid),
        ],
        list.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 406);
    let resp = send(
        addr,
        "POST",
        &[("Accept", "*/*"), JSON_TYPE, ("Mcp-Session-Id", &sid)],
        list.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 200);
    let resp = send(
        addr,
        "POST",
        &[
            ACCEPT_BOTH,
            ("Content-Type", "text/plain"),
            ("Mcp-Session-Id", &sid),
        ],
        list.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 415);
    let resp = c
        .post(&json!([{"jsonrpc":"2.0","id":5,"method":"tools/list"}]))
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json().await["error"]["code"], -32600);
    let resp = send(
        addr,
        "POST",
        &[ACCEPT_BOTH, JSON_TYPE, ("Mcp-Session-Id", &sid)],
        b"{not json",
    )
    .await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json().await["error"]["code"], -32700);
    handle.shutdown();
}

#[tokio::test]
async fn standalone_get_stream_is_unique_per_session() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let sid = c.session.clone().unwrap();
    let get = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid.as_str()),
    ];
    let mut first = send(addr, "GET", &get, b"").await;
    assert_eq!(first.status, 200);
    let prime = first.next_event().await.unwrap();
    assert!(prime.id.is_some() && prime.data.is_empty());
    let second = send(addr, "GET", &get, b"").await;
    assert_eq!(second.status, 409);
    let resp = send(
        addr,
        "GET",
        &[
            ("Accept", "application/json"),
            ("Mcp-Session-Id", sid.as_str()),
        ],
        b"",
    )
    .await;
    assert_eq!(resp.status, 406);
    // Once the first is gone, a new GET is allowed.
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let third = send(addr, "GET", &get, b"").await;
    assert_eq!(third.status, 200);
    handle.shutdown();
}

#[tokio::test]
async fn a_dropped_stream_resumes_with_last_event_id_without_loss_or_duplicates() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let n = 8;
    let mut resp = c
        .post(&call(3, "slow", json!({"n": n, "delay_ms": 60})))
        .await;
    assert_eq!(resp.status, 200);
    let prime = resp.next_event().await.unwrap();
    assert!(prime.data.is_empty());
    let mut seen = vec![
        resp.next_event().await.unwrap(),
        resp.next_event().await.unwrap(),
    ];
    // The client vanishes mid-call; the call goes on.
    drop(resp);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let last = seen.last().unwrap().id.clone().unwrap();
    let sid = c.session.clone().unwrap();
    let mut resumed = send(
        addr,
        "GET",
        &[
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", &sid),
            ("Last-Event-ID", &last),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        b"",
    )
    .await;
    assert_eq!(resumed.status, 200);
    seen.extend(resumed.events().await);
    let messages: Vec<Value> = seen.iter().map(Event::json).collect();
    let progress: Vec<u64> = messages
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .map(|m| m["params"]["progress"].as_u64().unwrap())
        .collect();
    assert_eq!(progress, (1..=n).collect::<Vec<u64>>(), "{messages:?}");
    let last = messages.last().unwrap();
    assert_eq!(last["id"], 3);
    assert_eq!(text_of(last), format!("counted to {n}"));
    let mut ids: Vec<String> = seen.iter().map(|e| e.id.clone().unwrap()).collect();
    let stream = prime.id.unwrap().split('-').next().unwrap().to_owned();
    assert!(ids.iter().all(|id| id.starts_with(&format!("{stream}-"))));
    ids.dedup();
    assert_eq!(ids.len(), seen.len());

    // Resuming the finished stream again replays only what follows, then ends; a bogus id is 400.
    let mid = seen[n as usize - 2].id.clone().unwrap(); // progress n-1
    let mut again = send(
        addr,
        "GET",
        &[
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", &sid),
            ("Last-Event-ID", &mid),
        ],
        b"",
    )
    .await;
    assert_eq!(again.status, 200);
    let rest = again.events().await;
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1].json()["id"], 3);
    let bogus = send(
        addr,
        "GET",
        &[
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", &sid),
            ("Last-Event-ID", "999-1"),
        ],
        b"",
    )
    .await;
    assert_eq!(bogus.status, 400);
    handle.shutdown();
}

#[tokio::test]
async fn stateless_replicas_answer_one_client_alternately() {
    let (a, ha) = start(HttpConfig::stateless()).await;
    let (b, hb) = start(HttpConfig::stateless()).await;
    // No initialize, no session id: any replica answers any request.
    for (i, addr) in [a, b, a, b].into_iter().enumerate() {
        let c = Client::new(addr);
        let id = i as i64 + 1;
        let resp = c
            .post(&call(id, "echo", json!({"text": format!("hi {i}")})))
            .await;
        assert_eq!(resp.status, 200);
        assert!(resp.header("mcp-session-id").is_none());
        assert_eq!(resp.header("content-type"), Some("application/json"));
        let body = resp.json().await;
        assert_eq!(body["id"], id);
        assert_eq!(text_of(&body), format!("hi {i}"));
    }
    // Initialize still works; notifications are acknowledged; GET and DELETE are not offered.
    let mut c = Client::new(b);
    let init = c.initialize().await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert!(c.session.is_none());
    let resp = send(a, "GET", &[("Accept", "text/event-stream")], b"").await;
    assert_eq!(resp.status, 405);
    ha.shutdown();
    hb.shutdown();
}

#[tokio::test]
async fn too_many_in_flight_gets_429_and_too_many_sessions_503() {
    let (addr, handle) = start_with(
        server().configure(|c| c.max_in_flight = 1),
        HttpConfig::default().max_sessions(1),
    )
    .await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let mut slow = c
        .post(&call(1, "slow", json!({"n": 3, "delay_ms": 100})))
        .await;
    assert_eq!(slow.status, 200);
    let busy = c.post(&call(2, "echo", json!({"text":"x"}))).await;
    assert_eq!(busy.status, 429);
    let done = slow.events().await;
    assert_eq!(done.last().unwrap().json()["id"], 1);
    let resp = Client::new(addr)
        .post(&json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}))
        .await;
    assert_eq!(resp.status, 503);
    handle.shutdown();
}

#[tokio::test]
async fn idle_sessions_are_evicted() {
    let (addr, handle) =
        start(HttpConfig::default().session_idle_timeout(Duration::from_millis(200))).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let resp = c
        .post(&json!({"jsonrpc":"2.0","id":1,"method":"ping"}))
        .await;
    assert_eq!(resp.status, 200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let resp = c
        .post(&json!({"jsonrpc":"2.0","id":2,"method":"ping"}))
        .await;
    assert_eq!(resp.status, 404);
    handle.shutdown();
}

#[tokio::test]
async fn shutdown_ends_serve_http_on() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let s = server();
    let handle = s.handle();
    let task = tokio::spawn(s.serve_http_on(listener, HttpConfig::default()));
    let mut c = Client::new(addr);
    c.initialize().await;
    // An open GET stream must not keep the server from stopping.
    let sid = c.session.clone().unwrap();
    let _get = send(
        addr,
        "GET",
        &[("Accept", "text/event-stream"), ("Mcp-Session-Id", &sid)],
        b"",
    )
    .await;
    handle.shutdown();
    let result = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("serve_http_on returns");
    assert!(result.unwrap().is_ok());
}

#[tokio::test]
async fn the_tower_service_answers_on_any_path() {
    use tower_service::Service;
    let mut svc = server().into_http_service(HttpConfig::default().json_response(true));
    let body = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})
    .to_string();
    let req = http::Request::post("/somewhere/else")
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))
        .unwrap();
    let resp = svc.call(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("mcp-session-id"));
    use http_body_util::BodyExt;
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(svc.session_count(), 1);
}

#[tokio::test]
async fn a_failed_initialize_is_answered_and_creates_no_session() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let c = Client::new(addr);
    let resp = c
        .post(
            &json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":"nope"}}),
        )
        .await;
    assert_eq!(resp.status, 200);
    assert!(resp.header("mcp-session-id").is_none());
    let answer = response_of(resp).await;
    assert_eq!(answer["id"], 0);
    assert_eq!(answer["error"]["code"], -32602);
    handle.shutdown();
}

#[tokio::test]
async fn in_json_mode_progress_goes_to_the_get_stream() {
    let (addr, handle) = start(HttpConfig::default().json_response(true)).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let sid = c.session.clone().unwrap();
    let mut get = send(
        addr,
        "GET",
        &[("Accept", "text/event-stream"), ("Mcp-Session-Id", &sid)],
        b"",
    )
    .await;
    assert_eq!(get.status, 200);
    let prime = get.next_event().await.unwrap();
    assert!(prime.data.is_empty());
    let resp = c
        .post(&call(4, "slow", json!({"n": 2, "delay_ms": 10})))
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(text_of(&resp.json().await), "counted to 2");
    for i in 1..=2u64 {
        let e = get.next_event().await.unwrap().json();
        assert_eq!(e["method"], "notifications/progress");
        assert_eq!(e["params"]["progress"], i);
    }
    handle.shutdown();
}

#[tokio::test]
async fn a_cancelled_request_ends_its_stream_without_a_response() {
    let (addr, handle) = start_with(
        server().configure(|c| c.cancel_grace = Duration::from_millis(50)),
        HttpConfig::default(),
    )
    .await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let mut resp = c
        .post(&call(9, "slow", json!({"n": 100, "delay_ms": 20})))
        .await;
    assert_eq!(resp.status, 200);
    resp.next_event().await.unwrap();
    resp.next_event().await.unwrap();
    let cancel = c
        .post(&json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9,"reason":"test"}}))
        .await;
    assert_eq!(cancel.status, 202);
    let rest = resp.events().await;
    assert!(rest.len() < 20, "{rest:?}");
    assert!(
        rest.iter().all(|e| e.json().get("id").is_none()),
        "no response after a cancel: {rest:?}"
    );
    handle.shutdown();
}

#[tokio::test]
async fn idle_streams_get_keep_alive_comments() {
    let config = HttpConfig::default().sse_keep_alive(Some(Duration::from_millis(30)));
    let (addr, handle) = start(config).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let sid = c.session.clone().unwrap();
    let mut get = send(
        addr,
        "GET",
        &[("Accept", "text/event-stream"), ("Mcp-Session-Id", &sid)],
        b"",
    )
    .await;
    assert_eq!(get.status, 200);
    let mut raw = Vec::new();
    while !String::from_utf8_lossy(&raw).contains(": keep-alive") {
        let piece = tokio::time::timeout(Duration::from_secs(5), get.read_piece())
            .await
            .expect("keep-alive");
        raw.extend(piece.expect("stream open"));
    }
    // Slow calls still deliver every event around the comments.
    let mut resp = c
        .post(&call(1, "slow", json!({"n": 3, "delay_ms": 50})))
        .await;
    let events = resp.events().await;
    assert_eq!(events.last().unwrap().json()["id"], 1);
    assert_eq!(events.len(), 5);
    handle.shutdown();
}

/// The service mounts in hyper and axum: cloneable, `Send + Sync`, with a `Send` future and a
/// `Send` body.
#[test]
fn the_service_has_the_bounds_web_frameworks_need() {
    fn assert_service<S>()
    where
        S: tower_service::Service<
                http::Request<http_body_util::Full<bytes::Bytes>>,
                Error = std::convert::Infallible,
                Response = http::Response<super::McpBody>,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
    }
    fn assert_body<B: http_body::Body<Data = bytes::Bytes> + Send + Unpin + 'static>() {}
    assert_service::<super::McpHttpService>();
    assert_body::<super::McpBody>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_each_get_their_own_messages_on_their_own_stream() {
    let (addr, handle) = start(HttpConfig::default()).await;
    let mut c = Client::new(addr);
    c.initialize().await;
    let c = std::sync::Arc::new(c);
    let mut tasks = Vec::new();
    for id in 1..=40i64 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut resp = c
                .post(&call(id, "slow", json!({"n": 3, "delay_ms": 5})))
                .await;
            assert_eq!(resp.status, 200);
            let messages: Vec<Value> = resp
                .events()
                .await
                .iter()
                .filter(|e| !e.data.is_empty())
                .map(Event::json)
                .collect();
            assert_eq!(messages.len(), 4, "{messages:?}");
            for m in &messages[..3] {
                assert_eq!(m["params"]["progressToken"], format!("p{id}"));
            }
            assert_eq!(messages[3]["id"], id);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    handle.shutdown();
}
