//! The seed's "server lifecycle events": a SQLite database opened at startup (created and seeded
//! when new), queried by tools, and closed at shutdown.
//!
//! ```text
//! lifecycle-server [--db PATH] [transport flags]     (default: lifecycle.db, over stdio)
//! ```
//!
//! The database lives in a `#[lifespan]`: it is opened before the server answers any request, so
//! a database that cannot be opened stops the server before it serves (exit status 1, the reason
//! on stderr). It is closed once, when the server stops: at end of input, on SIGINT or SIGTERM,
//! after in-flight queries were interrupted. Each step is logged to stderr.
//!
//! Tools: `query_database(sql)` runs one read-only statement and returns its rows as a JSON array
//! of objects; a call that is cancelled interrupts its query. `list_tables()` shows the schema.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::Duration;

use anyhow::Context as _;
use mcp_server::ServeArgs;
use mcp_server::prelude::*;
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, InterruptHandle};
use serde_json::{Map, Value};

/// The most rows one query may return.
const MAX_ROWS: usize = 1000;

const USAGE: &str =
    "usage: lifecycle-server [--db PATH] [transport flags]   (default: lifecycle.db)";

/// The server's own command line (the transport flags are taken out first).
#[derive(Debug)]
struct Config {
    db_path: PathBuf,
}

impl Config {
    /// `None` for `--help`.
    fn from_args(args: Vec<String>) -> anyhow::Result<Option<Self>> {
        let mut db_path = PathBuf::from("lifecycle.db");
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.split_once('=') {
                Some(("--db", path)) => db_path = path.into(),
                _ if arg == "--db" => {
                    db_path = args
                        .next()
                        .with_context(|| format!("`--db` needs a path\n{USAGE}"))?
                        .into();
                }
                _ if arg == "-h" || arg == "--help" => return Ok(None),
                _ => anyhow::bail!("unknown argument `{arg}`\n{USAGE}"),
            }
        }
        Ok(Some(Self { db_path }))
    }
}

/// The database the server shares with its tools.
struct Database {
    /// `None` once closed.
    conn: Mutex<Option<Connection>>,
    /// Interrupts whatever runs on the connection (used at shutdown).
    interrupt: InterruptHandle,
}

impl Database {
    /// Opens the database at `path`, creating and seeding it when it has no `products` table, and
    /// makes the connection read-only for the tools.
    fn open(path: &std::path::Path) -> anyhow::Result<(Self, String)> {
        let mut conn = Connection::open(path)
            .with_context(|| format!("cannot open the database at `{}`", path.display()))?;
        let exists: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'products'",
                [],
                |row| row.get(0),
            )
            .with_context(|| format!("`{}` is not a readable SQLite database", path.display()))?;
        let status = if exists {
            let n: i64 = conn.query_row("SELECT count(*) FROM products", [], |row| row.get(0))?;
            format!("opened the existing database ({n} products)")
        } else {
            let tx = conn.transaction()?;
            tx.execute_batch(
                "CREATE TABLE products (
                     id INTEGER PRIMARY KEY,
                     name TEXT NOT NULL,
                     category TEXT NOT NULL,
                     price REAL NOT NULL,
                     stock INTEGER NOT NULL
                 );
                 INSERT INTO products (name, category, price, stock) VALUES
                     ('Espresso machine', 'kitchen', 249.0, 4),
                     ('Burr grinder', 'kitchen', 89.5, 11),
                     ('Kettle', 'kitchen', 39.99, 0),
                     ('Desk lamp', 'office', 24.0, 17),
                     ('Notebook', 'office', 3.5, 120),
                     ('Headphones', 'audio', 129.0, 6);",
            )
            .with_context(|| format!("cannot create the tables in `{}`", path.display()))?;
            tx.commit()?;
            "created and seeded a new database (6 products)".to_owned()
        };
        // Belt and braces behind the per-statement check: no writes, no ATTACH.
        conn.pragma_update(None, "query_only", true)?;
        conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
        let interrupt = conn.get_interrupt_handle();
        let db = Self {
            conn: Mutex::new(Some(conn)),
            interrupt,
        };
        Ok((db, status))
    }

    /// Runs one read-only statement (blocking). While it runs, `running` holds an interrupt
    /// handle for it; `cancelled` is checked before it starts.
    fn query(
        &self,
        sql: &str,
        running: &Mutex<Option<InterruptHandle>>,
        cancelled: &AtomicBool,
    ) -> Result<Vec<Map<String, Value>>, ToolError> {
        let guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = guard
            .as_ref()
            .ok_or_else(|| ToolError::new("the database is closed"))?;
        *running.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn.get_interrupt_handle());
        let result = if cancelled.load(Ordering::Acquire) {
            Err(ToolError::new("the query was cancelled"))
        } else {
            run_query(conn, sql)
        };
        // Cleared under the lock the canceller interrupts under, before the connection is
        // released: an interrupt can only ever hit this call's query.
        *running.lock().unwrap_or_else(PoisonError::into_inner) = None;
        result
    }

    /// Closes the connection (blocking), interrupting anything still running on it.
    fn close(&self) -> anyhow::Result<()> {
        // A query abandoned by its call (dropped after the grace period) may still hold the
        // connection: interrupt until it lets go.
        let mut guard = loop {
            self.interrupt.interrupt();
            match self.conn.try_lock() {
                Ok(guard) => break guard,
                Err(TryLockError::Poisoned(poisoned)) => break poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        let conn = guard.take();
        drop(guard);
        match conn {
            Some(conn) => conn
                .close()
                .map_err(|(_, e)| e)
                .context("closing the database"),
            None => Ok(()),
        }
    }
}

/// Prepares `sql` as exactly one read-only query and collects its rows.
fn run_query(conn: &Connection, sql: &str) -> Result<Vec<Map<String, Value>>, ToolError> {
    let mut stmt = conn.prepare(sql).map_err(|e| match e {
        rusqlite::Error::MultipleStatement => {
            ToolError::new("only one statement may be run at a time")
        }
        other => ToolError::new(format!("invalid SQL: {other}")),
    })?;
    if !stmt.readonly() || stmt.column_count() == 0 {
        return Err(ToolError::new(
            "only read-only queries are allowed (SELECT, WITH ... SELECT, read-only PRAGMAs)",
        ));
    }
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = stmt.query([]).map_err(query_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(query_error)? {
        if out.len() == MAX_ROWS {
            return Err(ToolError::new(format!(
                "the query returned more than {MAX_ROWS} rows; add a LIMIT"
            )));
        }
        let mut object = Map::new();
        for (i, name) in columns.iter().enumerate() {
            let value = row.get_ref(i).map_err(query_error)?;
            object.insert(name.clone(), json_value(value));
        }
        out.push(object);
    }
    Ok(out)
}

fn query_error(e: rusqlite::Error) -> ToolError {
    match e.sqlite_error_code() {
        Some(ErrorCode::OperationInterrupted) => ToolError::new("the query was cancelled"),
        _ => ToolError::new(format!("the query failed: {e}")),
    }
}

fn json_value(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => b
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
            .into(),
    }
}

/// Opens the database before the server serves, provides it to the tools, and closes it at
/// shutdown.
#[lifespan]
async fn database(server: Lifespan) -> anyhow::Result<()> {
    let config = server.state::<Config>().context("no configuration")?;
    let path = config.db_path.clone();
    eprintln!("lifecycle-server: starting up: opening {}", path.display());
    let (db, status) = tokio::task::spawn_blocking(move || Database::open(&path)).await??;
    let db = Arc::new(db);
    server.provide_arc(db.clone());
    eprintln!("lifecycle-server: {status}; ready");

    server.running().await;

    eprintln!("lifecycle-server: shutting down: closing the database");
    tokio::task::spawn_blocking(move || db.close()).await??;
    eprintln!("lifecycle-server: cleaned up: the database is closed");
    Ok(())
}

/// Run one read-only SQL statement against the products database and return its rows as a JSON
/// array of objects (one per row, keyed by column name). Only a single SELECT (or other
/// read-only query) is accepted; at most 1000 rows are returned.
#[tool(read_only, idempotent, open_world = false)]
async fn query_database(
    ctx: Context,
    db: State<Database>,
    /// The SQL query, e.g. `SELECT name, price FROM products WHERE stock > 0`.
    sql: String,
) -> Result<Json<Vec<Map<String, Value>>>, ToolError> {
    run_blocking(&ctx, db.0.clone(), sql).await.map(Json)
}

/// List the tables of the database and their definitions.
#[tool(read_only, idempotent, open_world = false)]
async fn list_tables(
    ctx: Context,
    db: State<Database>,
) -> Result<Json<Vec<Map<String, Value>>>, ToolError> {
    let sql = "SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name".to_owned();
    run_blocking(&ctx, db.0.clone(), sql).await.map(Json)
}

/// Runs a query on the blocking pool; when the call is cancelled, interrupts it (repeatedly,
/// until it stops, so a query that was just starting is caught too).
async fn run_blocking(
    ctx: &Context,
    db: Arc<Database>,
    sql: String,
) -> Result<Vec<Map<String, Value>>, ToolError> {
    let running = Arc::new(Mutex::new(None::<InterruptHandle>));
    let cancelled = Arc::new(AtomicBool::new(false));
    let job = tokio::task::spawn_blocking({
        let running = running.clone();
        let cancelled = cancelled.clone();
        move || db.query(&sql, &running, &cancelled)
    });
    tokio::pin!(job);
    let joined = tokio::select! {
        joined = &mut job => joined,
        () = ctx.cancelled() => {
            cancelled.store(true, Ordering::Release);
            loop {
                if let Some(handle) = running.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                    handle.interrupt();
                }
                tokio::select! {
                    joined = &mut job => break joined,
                    () = tokio::time::sleep(Duration::from_millis(10)) => {}
                }
            }
        }
    };
    joined.map_err(|e| ToolError::new(format!("the query task failed: {e}")))?
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let transport = ServeArgs::extract(&mut args)?;
    let Some(config) = Config::from_args(args)? else {
        eprintln!("{USAGE}\n{}", mcp_server::cli::USAGE);
        return Ok(());
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    Server::new("lifecycle-server")
        .instructions("A products database. Use `list_tables` to see the schema, then `query_database` with one read-only SQL statement.")
        .state(config)
        .lifespan(database)
        .tool(query_database)
        .tool(list_tables)
        .serve(transport)
        .await
}
