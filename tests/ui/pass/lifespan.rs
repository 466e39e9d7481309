//! `#[lifespan]` functions register with `Server::lifespan` (as closures do), may return any
//! `Result<(), E: Into<anyhow::Error>>`, stay callable directly, and expand warning-free under
//! strict lints. The server runs them in order and shuts them down in reverse.
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unused_qualifications,
    unused_results,
    rust_2018_idioms,
    trivial_casts,
    single_use_lifetimes
)]

use std::sync::Mutex;

use mcp_server::prelude::*;

static LOG: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

fn log(event: &'static str) {
    LOG.lock().unwrap().push(event);
}

/// A database handle.
#[derive(Debug)]
pub struct Db(String);

mod lifespans {
    use super::*;

    /// Opens the database.
    #[lifespan]
    pub async fn database(server: Lifespan) -> anyhow::Result<()> {
        log("database: start");
        server.provide(Db("app.db".into()));
        server.running().await;
        log("database: closed");
        Ok(())
    }

    /// Any error convertible into `anyhow::Error` will do.
    #[lifespan]
    pub(crate) async fn metrics(server: Lifespan) -> Result<(), std::io::Error> {
        log("metrics: start");
        server.running().await;
        log("metrics: flushed");
        Ok(())
    }
}

/// Reads the database.
#[tool]
async fn db_name(db: State<Db>) -> String {
    let Db(name) = &*db;
    name.clone()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = Server::new("lifespans")
            .lifespan(lifespans::database)
            .lifespan(lifespans::metrics)
            .lifespan(|server| async move {
                log("closure: start");
                drop(server);
                Ok(())
            })
            .tool(db_name);
        // Empty input: start, serve nothing, shut down.
        server
            .serve_stream(tokio::io::empty(), tokio::io::sink())
            .await
            .unwrap();
    });
    assert_eq!(
        *LOG.lock().unwrap(),
        [
            "database: start",
            "metrics: start",
            "closure: start",
            "metrics: flushed",
            "database: closed"
        ]
    );
}
