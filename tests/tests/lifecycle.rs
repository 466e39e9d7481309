//! The lifecycle-server example as a child process: its SQLite database is opened (created and
//! seeded) at startup by a lifespan and closed at shutdown; queries are read-only; closing stdin,
//! SIGINT and SIGTERM each shut it down cleanly (exit 0, "shutting down" then "cleaned up" on
//! stderr) within the grace period, even with a slow query in flight; a database that cannot be
//! opened stops it before it answers anything.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_tests::StdioServer;
use serde_json::{Value, json};

/// A fresh directory for one test's database, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mcp-lifecycle-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        Self(dir)
    }

    fn db(&self) -> String {
        self.0
            .join("shop.db")
            .to_str()
            .expect("utf-8 path")
            .to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn server(db: &str) -> StdioServer {
    let mut s = StdioServer::spawn("lifecycle-server", &["--db", db]).await;
    let init = s.initialize().await;
    assert_eq!(init["serverInfo"]["name"], "lifecycle-server");
    s
}

async fn query(s: &mut StdioServer, sql: &str) -> Value {
    s.call_tool("query_database", json!({ "sql": sql })).await
}

/// The rows of a successful query result (its structured content, which matches its text).
fn rows(resp: &Value) -> Vec<Value> {
    let result = &resp["result"];
    assert_ne!(result["isError"], true, "query failed: {resp}");
    let text: Value =
        serde_json::from_str(result["content"][0]["text"].as_str().expect("text content"))
            .expect("the text is JSON");
    assert_eq!(text, result["structuredContent"]["result"]);
    text.as_array().expect("an array of rows").clone()
}

/// The message of a refused query (a tool result with `isError: true`).
fn refusal(resp: &Value) -> String {
    assert_eq!(
        resp["result"]["isError"], true,
        "expected a refusal: {resp}"
    );
    resp["result"]["content"][0]["text"]
        .as_str()
        .expect("text")
        .to_owned()
}

/// Waits until stderr contains `needle`.
async fn stderr_contains(s: &StdioServer, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if s.stderr_text().contains(needle) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn queries_read_the_database_opened_at_startup() {
    let dir = TempDir::new();
    let db = dir.db();
    let mut s = server(&db).await;
    assert!(stderr_contains(&s, "created and seeded a new database").await);
    let products = rows(
        &query(
            &mut s,
            "SELECT id, name, price, stock FROM products ORDER BY id",
        )
        .await,
    );
    assert_eq!(products.len(), 6);
    assert_eq!(
        products[0],
        json!({"id": 1, "name": "Espresso machine", "price": 249.0, "stock": 4})
    );
    let in_stock = rows(
        &query(
            &mut s,
            "WITH cheap AS (SELECT * FROM products WHERE price < 50) SELECT name FROM cheap WHERE stock > 0 ORDER BY name",
        )
        .await,
    );
    assert_eq!(
        in_stock,
        [json!({"name": "Desk lamp"}), json!({"name": "Notebook"})]
    );
    let tables = s.call_tool("list_tables", json!({})).await;
    assert_eq!(rows(&tables)[0]["name"], "products");
    s.close_stdin();
    assert_eq!(
        s.wait(Duration::from_secs(5)).await.map(|st| st.code()),
        Some(Some(0))
    );

    // A second start opens the same file instead of seeding it again.
    let mut s = server(&db).await;
    assert!(
        stderr_contains(&s, "opened the existing database (6 products)").await,
        "{}",
        s.stderr_text()
    );
    let count = rows(&query(&mut s, "SELECT count(*) AS n FROM products").await);
    assert_eq!(count, [json!({"n": 6})]);
}

#[tokio::test]
async fn only_single_read_only_queries_are_run() {
    let dir = TempDir::new();
    let mut s = server(&dir.db()).await;
    for sql in [
        "DELETE FROM products",
        "UPDATE products SET price = 0",
        "INSERT INTO products (name, category, price, stock) VALUES ('x', 'y', 1, 1)",
        "DROP TABLE products",
        "CREATE TABLE evil (x)",
        "ATTACH DATABASE 'other.db' AS other",
        "BEGIN",
        "PRAGMA query_only = OFF",
    ] {
        let message = refusal(&query(&mut s, sql).await);
        assert!(
            message.contains("only read-only queries"),
            "{sql}: {message}"
        );
    }
    let message = refusal(&query(&mut s, "SELECT 1; DELETE FROM products").await);
    assert!(message.contains("only one statement"), "{message}");
    let message = refusal(&query(&mut s, "SELEC nonsense").await);
    assert!(message.starts_with("invalid SQL"), "{message}");
    let count = rows(&query(&mut s, "SELECT count(*) AS n FROM products").await);
    assert_eq!(count, [json!({"n": 6})], "nothing was changed");
}

/// Counts to a billion: minutes of work unless interrupted.
const SLOW_QUERY: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) AS n FROM c";

#[derive(Debug, Clone, Copy)]
enum Stop {
    CloseStdin,
    Signal(&'static str),
}

/// Starts a slow query, stops the server with `stop`, and checks the clean shutdown.
async fn stops_cleanly(stop: Stop) {
    let dir = TempDir::new();
    let mut s = server(&dir.db()).await;
    s.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call", "params": {"name": "query_database", "arguments": {"sql": SLOW_QUERY}}}))
        .await;
    // Let the query get going.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        s.try_recv(Duration::from_millis(10)).await.is_none(),
        "the slow query is still running"
    );
    let began = Instant::now();
    match stop {
        Stop::CloseStdin => s.close_stdin(),
        Stop::Signal(signal) => {
            let pid = s.child.id().expect("running").to_string();
            let status = std::process::Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .expect("run kill");
            assert!(status.success());
        }
    }
    // Within the default grace period (2 s), with room for a loaded machine.
    let status = s
        .wait(Duration::from_secs(3))
        .await
        .unwrap_or_else(|| panic!("{stop:?}: no exit; stderr: {}", s.stderr_text()));
    let took = began.elapsed();
    assert!(took < Duration::from_secs(2), "{stop:?}: took {took:?}");
    assert_eq!(
        status.code(),
        Some(0),
        "{stop:?}: stderr: {}",
        s.stderr_text()
    );
    assert!(
        stderr_contains(&s, "cleaned up").await,
        "{stop:?}: {}",
        s.stderr_text()
    );
    let stderr = s.stderr_text();
    let down = stderr.find("shutting down").expect("a shutting-down line");
    let cleaned = stderr.find("cleaned up").expect("a cleaned-up line");
    assert!(down < cleaned, "{stderr}");
    // The query was interrupted (and answered as such) or abandoned: never completed.
    if let Some(resp) = s.try_recv(Duration::from_millis(100)).await {
        assert_eq!(resp["id"], 99);
        assert_eq!(refusal(&resp), "the query was cancelled");
    }
    eprintln!("{stop:?}: exited 0 after {took:?}");
}

#[tokio::test]
async fn closing_stdin_shuts_down_cleanly_during_a_slow_query() {
    stops_cleanly(Stop::CloseStdin).await;
}

#[cfg(unix)]
#[tokio::test]
async fn sigint_shuts_down_cleanly_during_a_slow_query() {
    stops_cleanly(Stop::Signal("INT")).await;
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_shuts_down_cleanly_during_a_slow_query() {
    stops_cleanly(Stop::Signal("TERM")).await;
}

#[tokio::test]
async fn a_cancelled_query_is_interrupted_and_the_server_keeps_serving() {
    let dir = TempDir::new();
    let mut s = server(&dir.db()).await;
    s.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call", "params": {"name": "query_database", "arguments": {"sql": SLOW_QUERY}}}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let began = Instant::now();
    s.notify(
        "notifications/cancelled",
        json!({"requestId": 99, "reason": "test"}),
    )
    .await;
    // The connection is free again at once: the next query does not wait for the count.
    let count = rows(&query(&mut s, "SELECT count(*) AS n FROM products").await);
    assert_eq!(count, [json!({"n": 6})]);
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_stops_the_server_before_it_serves() {
    let dir = TempDir::new();
    let missing = dir.0.join("no-such-directory").join("shop.db");
    let mut s = StdioServer::spawn(
        "lifecycle-server",
        &["--db", missing.to_str().expect("utf-8")],
    )
    .await;
    s.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .await;
    let status = s
        .wait(Duration::from_secs(5))
        .await
        .expect("the server exits");
    assert!(!status.success(), "exit status {status:?}");
    assert_eq!(status.code(), Some(1));
    assert!(
        s.try_recv(Duration::from_millis(100)).await.is_none(),
        "nothing on stdout"
    );
    assert!(stderr_contains(&s, "Error: lifespan `database` failed to start").await);
    let stderr = s.stderr_text();
    assert!(
        stderr.contains("cannot open the database at") && stderr.contains("no-such-directory"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("shutting down"),
        "nothing to clean up: {stderr}"
    );
}
