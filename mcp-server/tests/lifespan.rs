//! Lifespans over an in-memory stream pair (`serve_stream` on `tokio::io::duplex`): startup
//! order, composition through shared state, reverse shutdown after in-flight requests ended,
//! startup failures (errors, panics, missing state), failures while running, and the same
//! lifecycle under Streamable HTTP.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_server::prelude::*;
use serde_json::{Value, json};
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};
use tokio::task::JoinHandle;

const TIMEOUT: Duration = Duration::from_secs(10);

/// What happened, in order, across lifespans, tools and the test itself.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn contains(&self, event: &str) -> bool {
        self.events().iter().any(|e| e == event)
    }
}

/// A client speaking newline-delimited JSON-RPC to a server running on its own task.
struct Client {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: Option<WriteHalf<DuplexStream>>,
    next_id: i64,
}

fn start(server: Server) -> (Client, JoinHandle<anyhow::Result<()>>) {
    let (client, server_io) = tokio::io::duplex(1 << 16);
    let (server_r, server_w) = tokio::io::split(server_io);
    let task = tokio::spawn(server.serve_stream(server_r, server_w));
    let (client_r, client_w) = tokio::io::split(client);
    let client = Client {
        lines: BufReader::new(client_r).lines(),
        writer: Some(client_w),
        next_id: 1,
    };
    (client, task)
}

impl Client {
    async fn send(&mut self, msg: Value) {
        let writer = self.writer.as_mut().expect("input open");
        writer
            .write_all(format!("{msg}\n").as_bytes())
            .await
            .unwrap();
    }

    /// The next message, or `None` at the end of the output.
    async fn next(&mut self) -> Option<Value> {
        let line = tokio::time::timeout(TIMEOUT, self.lines.next_line())
            .await
            .expect("timed out waiting for the server")
            .unwrap()?;
        Some(serde_json::from_str(&line).unwrap())
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let msg = self.next().await.expect("a response");
            if msg["id"] == id {
                return msg;
            }
        }
    }

    async fn initialize(&mut self) -> Value {
        let resp = self
            .request(
                "initialize",
                json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
            )
            .await;
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        resp
    }

    async fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
            .await
    }

    /// Closes the server's input (end of file).
    async fn close(&mut self) {
        if let Some(mut writer) = self.writer.take() {
            writer.shutdown().await.unwrap();
        }
    }
}

async fn finish(task: JoinHandle<anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::time::timeout(TIMEOUT, task)
        .await
        .expect("the server did not stop")
        .expect("the server task panicked")
}

fn text(resp: &Value) -> &str {
    resp["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a text result, got {resp}"))
}

// ---------------------------------------------------------------------------------------------
// Composition and ordering

struct Database {
    name: String,
}

struct Cache {
    backend: String,
}

/// The first lifespan: opens the "database" (slowly, so a lifespan that did not wait for it would
/// be seen starting early).
#[lifespan]
async fn database(server: Lifespan) -> anyhow::Result<()> {
    let log = server
        .state::<Log>()
        .expect("the log is provided with Server::state");
    log.push("database: start");
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.provide(Database {
        name: "main.db".into(),
    });
    log.push("database: ready");
    server.running().await;
    log.push("database: released");
    log.push("database: closed");
    Ok(())
}

/// The second lifespan uses what the first provided, and takes a while to shut down. A plain
/// `async fn` returning `anyhow::Result<()>` needs no macro.
async fn cache(server: Lifespan) -> anyhow::Result<()> {
    let log = server.state::<Log>().unwrap();
    log.push("cache: start");
    let db = server
        .state::<Database>()
        .expect("started after the database");
    server.provide(Cache {
        backend: format!("cache over {}", db.name),
    });
    server.running().await;
    log.push("cache: released");
    tokio::time::sleep(Duration::from_millis(50)).await;
    log.push("cache: flushed");
    Ok(())
}

/// Reads state from both lifespans.
#[tool]
async fn describe(db: State<Database>, cache: State<Cache>) -> String {
    format!("{} / {}", db.name, cache.backend)
}

#[tokio::test]
async fn lifespans_start_in_order_share_state_and_stop_in_reverse() {
    let log = Log::default();
    let server = Server::new("t")
        .state(log.clone())
        .lifespan(database)
        .lifespan(cache)
        .tool(describe);
    let (mut client, task) = start(server);
    client.initialize().await;
    assert_eq!(
        text(&client.call("describe", json!({})).await),
        "main.db / cache over main.db"
    );
    log.push("client: closes");
    client.close().await;
    finish(task).await.unwrap();
    assert_eq!(
        log.events(),
        [
            "database: start",
            "database: ready",
            "cache: start",
            "client: closes",
            "cache: released",
            "cache: flushed",
            "database: released",
            "database: closed",
        ]
    );
}

#[tokio::test]
async fn requests_wait_for_the_startup_ping_included() {
    let log = Log::default();
    let server = Server::new("t").state(log.clone()).lifespan(database);
    let (mut client, task) = start(server);
    // Sent at once: answered only after the startup finished.
    let resp = client.request("ping", json!({})).await;
    assert_eq!(resp["result"], json!({}));
    assert!(log.contains("database: ready"), "{:?}", log.events());
    client.initialize().await;
    client.close().await;
    finish(task).await.unwrap();
}

#[tokio::test]
async fn a_lifespan_may_return_before_running() {
    let log = Log::default();
    let server = Server::new("t")
        .state(log.clone())
        .lifespan(|server| async move {
            server.provide(Database {
                name: "quick.db".into(),
            });
            Ok(())
        })
        .lifespan(cache)
        .tool(describe);
    let (mut client, task) = start(server);
    client.initialize().await;
    assert_eq!(
        text(&client.call("describe", json!({})).await),
        "quick.db / cache over quick.db"
    );
    client.close().await;
    finish(task).await.unwrap();
    assert_eq!(
        log.events(),
        ["cache: start", "cache: released", "cache: flushed"]
    );
}

// ---------------------------------------------------------------------------------------------
// Startup failures

/// Records its startup, and its shutdown if it gets one.
fn recorder(
    name: &'static str,
    log: &Log,
) -> impl FnOnce(Lifespan) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>
+ Send
+ 'static {
    let log = log.clone();
    move |server| {
        Box::pin(async move {
            log.push(format!("{name}: start"));
            server.running().await;
            log.push(format!("{name}: released"));
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_startup_error_serves_nothing_and_stops_what_started() {
    let log = Log::default();
    let failing = {
        let log = log.clone();
        move |_server: Lifespan| async move {
            log.push("failing: start");
            let opened: anyhow::Result<()> = Err(std::io::Error::other("disk on fire").into());
            opened
        }
    };
    let server = Server::new("t")
        .lifespan(recorder("first", &log))
        .lifespan(recorder("second", &log))
        .lifespan(failing)
        .lifespan(recorder("never", &log));
    let (mut client, task) = start(server);
    client
        .send(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
        .await;
    let err = finish(task).await.unwrap_err();
    assert_eq!(client.next().await, None, "nothing is written");
    assert_eq!(
        log.events(),
        [
            "first: start",
            "second: start",
            "failing: start",
            "second: released",
            "first: released",
        ]
    );
    let shown = format!("{err:?}");
    assert!(
        shown.contains("failed to start") && shown.contains("disk on fire"),
        "{shown}"
    );
    assert!(
        shown.contains("closure in"),
        "the lifespan is named: {shown}"
    );
}

#[tokio::test]
async fn a_panic_during_startup_is_a_startup_failure() {
    let log = Log::default();
    let server =
        Server::new("t")
            .lifespan(recorder("first", &log))
            .lifespan(|_server| async move {
                if std::hint::black_box(true) {
                    panic!("boom");
                }
                Ok(())
            });
    let (mut client, task) = start(server);
    let err = finish(task).await.unwrap_err();
    assert!(format!("{err:#}").contains("panicked: boom"), "{err:#}");
    assert_eq!(log.events(), ["first: start", "first: released"]);
    assert_eq!(client.next().await, None);
}

/// Takes state nobody provides.
#[tool]
async fn needs_cache(cache: State<Cache>) -> String {
    cache.backend.clone()
}

#[tokio::test]
async fn state_a_tool_needs_must_be_provided_by_the_end_of_startup() {
    let log = Log::default();
    let server = Server::new("t")
        .lifespan(recorder("first", &log))
        .tool(needs_cache);
    let (mut client, task) = start(server);
    let err = format!("{:#}", finish(task).await.unwrap_err());
    assert!(
        err.contains("tool `needs_cache` needs `State<lifespan::Cache>`"),
        "{err}"
    );
    assert_eq!(log.events(), ["first: start", "first: released"]);
    assert_eq!(client.next().await, None);

    // Provided by `Server::state` or by a lifespan: fine.
    let server = Server::new("t")
        .state(Cache {
            backend: "static".into(),
        })
        .tool(needs_cache);
    let (mut client, task) = start(server);
    client.initialize().await;
    assert_eq!(text(&client.call("needs_cache", json!({})).await), "static");
    client.close().await;
    finish(task).await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Shutdown

/// Waits for its cancellation, then takes a little while to wind down.
#[tool]
async fn wait_for_cancel(ctx: Context, log: State<Log>) -> String {
    log.push("tool: running");
    ctx.cancelled().await;
    log.push("tool: cancelled");
    tokio::time::sleep(Duration::from_millis(30)).await;
    log.push("tool: wound down");
    "cancelled".into()
}

/// Ignores cancellation.
#[tool]
async fn stubborn(log: State<Log>) -> String {
    log.push("stubborn: running");
    tokio::time::sleep(Duration::from_secs(60)).await;
    "done".into()
}

async fn wait_until(log: &Log, event: &str) {
    let deadline = Instant::now() + TIMEOUT;
    while !log.contains(event) {
        assert!(
            Instant::now() < deadline,
            "no {event:?} in {:?}",
            log.events()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn shutdown_cancels_requests_before_the_lifespans_are_released() {
    let log = Log::default();
    let server = Server::new("t")
        .state(log.clone())
        .lifespan(recorder("first", &log))
        .lifespan(recorder("second", &log))
        .tool(wait_for_cancel);
    let handle = server.handle();
    let (mut client, task) = start(server);
    client.initialize().await;
    client
        .send(json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call", "params": {"name": "wait_for_cancel", "arguments": {}}}))
        .await;
    wait_until(&log, "tool: running").await;
    handle.shutdown();
    finish(task).await.unwrap();
    assert_eq!(
        log.events(),
        [
            "first: start",
            "second: start",
            "tool: running",
            "tool: cancelled",
            "tool: wound down",
            "second: released",
            "first: released",
        ]
    );
}

#[tokio::test]
async fn the_grace_period_bounds_a_request_that_ignores_cancellation() {
    let log = Log::default();
    let server = Server::new("t")
        .state(log.clone())
        .configure(|c| c.shutdown_grace = Duration::from_millis(200))
        .lifespan(recorder("first", &log))
        .tool(stubborn);
    let (mut client, task) = start(server);
    client.initialize().await;
    client
        .send(json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call", "params": {"name": "stubborn", "arguments": {}}}))
        .await;
    wait_until(&log, "stubborn: running").await;
    let began = Instant::now();
    client.close().await;
    finish(task).await.unwrap();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(
        log.events(),
        ["first: start", "stubborn: running", "first: released"]
    );
}

#[tokio::test]
async fn a_shutdown_requested_during_startup_abandons_it() {
    struct DropGuard(Log);
    impl Drop for DropGuard {
        fn drop(&mut self) {
            self.0.push("hanging: dropped");
        }
    }
    let log = Log::default();
    let hanging = {
        let log = log.clone();
        move |_server: Lifespan| async move {
            let _guard = DropGuard(log.clone());
            log.push("hanging: start");
            std::future::pending::<()>().await;
            Ok(())
        }
    };
    let server = Server::new("t")
        .lifespan(recorder("first", &log))
        .lifespan(hanging)
        .lifespan(recorder("never", &log));
    let handle = server.handle();
    let (_client, task) = start(server);
    wait_until(&log, "hanging: start").await;
    handle.shutdown();
    finish(task).await.unwrap();
    assert_eq!(
        log.events(),
        [
            "first: start",
            "hanging: start",
            "hanging: dropped",
            "first: released"
        ]
    );
}

#[tokio::test]
async fn a_lifespan_failing_while_the_server_runs_stops_it() {
    let log = Log::default();
    let watchdog = |server: Lifespan| async move {
        tokio::select! {
            () = server.running() => Ok(()),
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                anyhow::bail!("lost the connection to the database")
            }
        }
    };
    let server = Server::new("t")
        .lifespan(recorder("first", &log))
        .lifespan(watchdog);
    let (mut client, task) = start(server);
    client.initialize().await;
    let err = format!("{:#}", finish(task).await.unwrap_err());
    assert!(err.contains("lost the connection"), "{err}");
    assert_eq!(log.events(), ["first: start", "first: released"]);
    assert_eq!(client.next().await, None, "the output ends");
}

#[tokio::test]
async fn an_error_in_shutdown_code_is_returned_after_every_lifespan_stopped() {
    let log = Log::default();
    let server = Server::new("t").lifespan(recorder("first", &log)).lifespan(
        |server: Lifespan| async move {
            server.running().await;
            Err(anyhow::anyhow!("could not flush"))
        },
    );
    let (mut client, task) = start(server);
    client.initialize().await;
    client.close().await;
    let err = format!("{:#}", finish(task).await.unwrap_err());
    assert!(err.contains("could not flush"), "{err}");
    assert_eq!(log.events(), ["first: start", "first: released"]);
}

/// `#[lifespan]` accepts any `Result<(), E>` with `E: Into<anyhow::Error>`, and the function can
/// still be called directly.
#[lifespan]
async fn io_lifespan(server: Lifespan) -> Result<(), std::io::Error> {
    server.provide(Database {
        name: "io.db".into(),
    });
    Ok(())
}

#[tokio::test]
async fn lifespans_may_return_other_error_types() {
    let server = Server::new("t")
        .lifespan(io_lifespan)
        .lifespan(cache)
        .state(Log::default())
        .tool(describe);
    let (mut client, task) = start(server);
    client.initialize().await;
    assert_eq!(
        text(&client.call("describe", json!({})).await),
        "io.db / cache over io.db"
    );
    client.close().await;
    finish(task).await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Streamable HTTP runs the same lifecycle

#[cfg(feature = "http")]
mod http {
    use super::*;
    use mcp_server::http::HttpConfig;
    use tokio::io::AsyncReadExt;
    use tokio::net::{TcpListener, TcpStream};

    /// One POST with `Connection: close`; returns the status line and the body.
    async fn post(addr: std::net::SocketAddr, body: &Value) -> (String, String) {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let body = body.to_string();
        let request = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        tokio::time::timeout(TIMEOUT, stream.read_to_string(&mut response))
            .await
            .unwrap()
            .unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        (
            head.lines().next().unwrap_or("").to_owned(),
            body.to_owned(),
        )
    }

    #[tokio::test]
    async fn serve_http_runs_the_lifespans_around_serving() {
        let log = Log::default();
        let server = Server::new("t")
            .state(log.clone())
            .lifespan(database)
            .lifespan(cache)
            .tool(describe);
        let handle = server.handle();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(server.serve_http_on(listener, HttpConfig::stateless()));
        let (status, body) = post(
            addr,
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "describe", "arguments": {}}}),
        )
        .await;
        assert!(status.contains("200"), "{status}");
        let resp: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(text(&resp), "main.db / cache over main.db");
        handle.shutdown();
        finish(task).await.unwrap();
        assert_eq!(
            log.events(),
            [
                "database: start",
                "database: ready",
                "cache: start",
                "cache: released",
                "cache: flushed",
                "database: released",
                "database: closed",
            ]
        );
    }

    #[tokio::test]
    async fn serve_http_does_not_serve_after_a_startup_failure() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::new("t").lifespan(|_server| async move {
            anyhow::bail!("no database");
        });
        let err = finish(tokio::spawn(
            server.serve_http_on(listener, HttpConfig::default()),
        ))
        .await
        .unwrap_err();
        assert!(format!("{err:#}").contains("no database"), "{err:#}");
    }
}
