//! The seed's resource templates, served for real:
//!
//! - `db://users/{user_id}`: a user from an embedded SQLite database (seeded with users 1 to 3
//!   at startup, in memory), as JSON; `db://users` lists them all. The `update_user` tool renames
//!   a user and notifies the sessions subscribed to that user's URI.
//! - `api://weather/{city}/{date}`: deterministic generated weather, as JSON; `date` must be an
//!   ISO `YYYY-MM-DD` date. Cities complete from a fixed list.
//! - `file://{+path}`: files under the folder given with `--root DIR` (default: the current
//!   folder). Paths that would leave it (`..`, absolute paths, symbolic links pointing out,
//!   percent-encoded `.`, `/` or `\`) are refused with -32602.
//!
//! Two prompts, `weather_report` and `user_summary`, embed those resources in their messages.
//!
//! Run it over stdio: `cargo run -p template-server -- --root /some/dir`.

mod files;
mod weather;

use std::sync::Mutex;

use mcp_server::ServeArgs;
use mcp_server::prelude::*;
use rusqlite::{Connection, OptionalExtension};

use crate::files::{FileContents, FileRoot};
use crate::weather::{CITIES, Date, Weather};

// ---- the database -----------------------------------------------------------------------------

/// The user database: one SQLite connection (queries are short, so a mutex is enough here).
struct Db(Mutex<Connection>);

/// A user, as `db://users/{user_id}` returns it.
#[derive(Debug, Serialize)]
struct User {
    id: u64,
    name: String,
    email: String,
}

impl Db {
    /// An in-memory database holding users 1 to 3.
    fn open_seeded() -> rusqlite::Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
             INSERT INTO users (id, name, email) VALUES
                 (1, 'Ada Lovelace', 'ada@example.com'),
                 (2, 'Alan Turing', 'alan@example.com'),
                 (3, 'Grace Hopper', 'grace@example.com');",
        )?;
        Ok(Self(Mutex::new(conn)))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn user(&self, id: u64) -> rusqlite::Result<Option<User>> {
        self.conn()
            .query_row(
                "SELECT id, name, email FROM users WHERE id = ?1",
                [id],
                |row| {
                    Ok(User {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        email: row.get(2)?,
                    })
                },
            )
            .optional()
    }

    fn users(&self) -> rusqlite::Result<Vec<User>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, name, email FROM users ORDER BY id")?;
        let rows = stmt.query_map([], |row| {
            Ok(User {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
            })
        })?;
        rows.collect()
    }

    /// Renames a user; returns whether the user exists.
    fn rename(&self, id: u64, name: &str) -> rusqlite::Result<bool> {
        let n = self
            .conn()
            .execute("UPDATE users SET name = ?1 WHERE id = ?2", (name, id))?;
        Ok(n > 0)
    }
}

fn user_uri(id: u64) -> String {
    format!("db://users/{id}")
}

/// Database errors are internal: logged in full, reported without details.
fn db_error(e: rusqlite::Error) -> McpError {
    tracing::error!(error = %e, "database error");
    McpError::internal("database error")
}

// ---- users ------------------------------------------------------------------------------------

/// Every user.
#[resource(
    "db://users",
    name = "users",
    title = "Users",
    mime = "application/json"
)]
async fn users(db: State<Db>) -> Result<Json<Vec<User>>, McpError> {
    Ok(Json(db.users().map_err(db_error)?))
}

/// Fetch a user profile by id.
#[resource_template(
    "db://users/{user_id}",
    name = "user_profile",
    title = "User Profile",
    mime = "application/json",
    complete(user_id = complete_user_id)
)]
async fn user_profile(db: State<Db>, user_id: u64) -> Result<Json<User>, McpError> {
    match db.user(user_id).map_err(db_error)? {
        Some(user) => Ok(Json(user)),
        None => Err(McpError::resource_not_found(user_uri(user_id))),
    }
}

/// Completes user ids from the database.
async fn complete_user_id(request: CompletionRequest) -> Result<Vec<String>, McpError> {
    let db = request.context().state::<Db>()?;
    let ids = db
        .users()
        .map_err(db_error)?
        .into_iter()
        .map(|u| u.id.to_string());
    Ok(request.matching(ids))
}

/// Rename a user. Sessions subscribed to the user's resource are notified.
#[tool(idempotent, destructive = false, open_world = false)]
async fn update_user(
    db: State<Db>,
    server: ServerHandle,
    /// The user to rename.
    user_id: u64,
    /// The new name.
    name: String,
) -> Result<String, ToolError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ToolError::new("the name cannot be empty"));
    }
    if !db.rename(user_id, name).map_err(db_error)? {
        return Err(ToolError::new(format!("there is no user {user_id}")));
    }
    let notified = server.notify_resource_updated(user_uri(user_id));
    Ok(format!(
        "user {user_id} is now {name:?}; {notified} subscriber(s) notified"
    ))
}

/// Summarize a user's profile.
#[prompt(title = "User summary", complete(user_id = complete_user_id))]
async fn user_summary(
    db: State<Db>,
    /// The user's id.
    user_id: u64,
) -> Result<Vec<PromptMessage>, McpError> {
    let Some(user) = db.user(user_id).map_err(db_error)? else {
        return Err(McpError::invalid_params(format!(
            "argument `user_id`: there is no user {user_id}"
        )));
    };
    let json = serde_json::to_string(&user).map_err(|e| McpError::internal(e.to_string()))?;
    Ok(vec![
        PromptMessage::user(ContentBlock::embedded_text(
            user_uri(user_id),
            "application/json",
            json,
        )),
        PromptMessage::user(format!(
            "Write a two-sentence summary of {}'s profile above.",
            user.name
        )),
    ])
}

// ---- weather ----------------------------------------------------------------------------------

/// Historical weather for a city and date.
#[resource_template(
    "api://weather/{city}/{date}",
    name = "weather",
    title = "Weather Data",
    mime = "application/json",
    complete(city = complete_city)
)]
async fn weather_data(city: String, date: Date) -> Json<Weather> {
    Json(Weather::generate(&city, date))
}

/// Completes city names from a fixed list.
async fn complete_city(request: CompletionRequest) -> Vec<String> {
    request.matching(CITIES.iter().copied())
}

/// Describe the weather of a day in a city.
#[prompt(title = "Weather report", complete(city = complete_city))]
async fn weather_report(
    /// The city.
    city: String,
    /// The day, as YYYY-MM-DD (default 2025-01-01).
    date: Option<Date>,
) -> Result<Vec<PromptMessage>, McpError> {
    let date = date.unwrap_or(Date::new(2025, 1, 1).expect("a valid date"));
    let weather = Weather::generate(&city, date);
    let json = serde_json::to_string(&weather).map_err(|e| McpError::internal(e.to_string()))?;
    Ok(vec![
        PromptMessage::user(ContentBlock::embedded_text(
            weather::uri(&city, date),
            "application/json",
            json,
        )),
        PromptMessage::user(format!(
            "Write a short, friendly weather report for {city} on {date} from the data above."
        )),
    ])
}

// ---- files ------------------------------------------------------------------------------------

/// Read a file under the server's root folder.
#[resource_template(
    "file://{+path}",
    name = "file",
    title = "File Content",
    mime = "text/plain"
)]
async fn file(
    root: State<FileRoot>,
    path: String,
    uri: ResourceUri,
) -> Result<FileContents, McpError> {
    root.read(&uri, &path)
}

// ---- main -------------------------------------------------------------------------------------

const USAGE: &str = "usage: template-server [--root DIR] [transport flags]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let transport = ServeArgs::extract(&mut args)?;
    let mut root = std::path::PathBuf::from(".");
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.split_once('=') {
            Some(("--root", dir)) => root = dir.into(),
            _ if arg == "--root" => match args.next() {
                Some(dir) => root = dir.into(),
                None => anyhow::bail!("--root needs a folder\n{USAGE}"),
            },
            _ if arg == "--help" || arg == "-h" => {
                eprintln!("{USAGE}\n{}", mcp_server::cli::USAGE);
                return Ok(());
            }
            _ => anyhow::bail!("unknown argument `{arg}`\n{USAGE}"),
        }
    }
    let root = FileRoot::new(&root)?;
    Server::new("template-server")
        .instructions(
            "Users (db://users/{user_id}), weather (api://weather/{city}/{date}) and files \
             (file://{+path}) as resources; update_user renames a user.",
        )
        .state(Db::open_seeded()?)
        .state(root)
        .resource(users)
        .resource_template(user_profile)
        .resource_template(weather_data)
        .resource_template(file)
        .tool(update_user)
        .prompt(user_summary)
        .prompt(weather_report)
        .serve(transport)
        .await
}
