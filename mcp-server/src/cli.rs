//! Choosing the transport from the command line, so every server built with this SDK accepts
//! the same flags:
//!
//! | flag | meaning |
//! |---|---|
//! | (none) | serve one client over stdin/stdout |
//! | `--http ADDR` | serve Streamable HTTP at `http://ADDR/mcp` (needs the `http` feature) |
//! | `--stateless` | with `--http`: no sessions, JSON responses (for replicas behind a load balancer) |
//! | `--json-response` | with `--http`: answer requests with one JSON body instead of an SSE stream |
//! | `--bearer-token TOKEN` | with `--http`: require `Authorization: Bearer TOKEN` on every request |
//!
//! The token may come from the environment variable `MCP_BEARER_TOKEN` instead (used with
//! `--http` when `--bearer-token` is absent). Prefer it: a command line is visible to every
//! user of the machine (`ps`), the environment of a process is not. Without a token an HTTP
//! server accepts any client that can reach it — keep it on loopback then.
//!
//! ```no_run
//! use mcp_server::prelude::*;
//!
//! # #[tool] async fn echo(text: String) -> String { text }
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     // `my-server` for stdio, `my-server --http 127.0.0.1:8080` for HTTP.
//!     Server::new("my-server").tool(echo).run().await
//! }
//! ```
//!
//! A server with flags of its own takes the transport flags out first with
//! [`ServeArgs::extract`], parses what remains, then calls [`Server::serve`].

use std::net::SocketAddr;

use anyhow::{Context as _, bail};

use crate::server::Server;

/// The transport chosen on the command line. Its `Debug` output does not show the token.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeArgs {
    /// `--http ADDR`: serve Streamable HTTP on this address instead of stdio.
    pub http: Option<SocketAddr>,
    /// `--stateless`: stateless HTTP mode.
    pub stateless: bool,
    /// `--json-response`: JSON responses instead of SSE streams.
    pub json_response: bool,
    /// `--bearer-token TOKEN` (or `MCP_BEARER_TOKEN`): the token HTTP requests must carry.
    pub bearer_token: Option<String>,
}

impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("http", &self.http)
            .field("stateless", &self.stateless)
            .field("json_response", &self.json_response)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The environment variable read for the bearer token when `--bearer-token` is absent.
pub const BEARER_TOKEN_ENV: &str = "MCP_BEARER_TOKEN";

/// The usage lines of the transport flags, for a server's own `--help`.
pub const USAGE: &str = "\
\x20 (no flags)          serve one client over stdin/stdout
  --http ADDR         serve Streamable HTTP at http://ADDR/mcp
  --stateless         with --http: no sessions, JSON responses
  --json-response     with --http: JSON responses instead of SSE streams
  --bearer-token TOKEN
                      with --http: require `Authorization: Bearer TOKEN`
                      (or set MCP_BEARER_TOKEN, which `ps` does not show)";

impl ServeArgs {
    /// Removes the transport flags from `args` (program name excluded) and returns them,
    /// leaving the server's own arguments in place. With `--http` and no `--bearer-token`, the
    /// token is taken from `MCP_BEARER_TOKEN` when that is set.
    pub fn extract(args: &mut Vec<String>) -> anyhow::Result<Self> {
        let mut out = Self::default();
        let mut rest = Vec::with_capacity(args.len());
        let mut iter = std::mem::take(args).into_iter();
        while let Some(arg) = iter.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            match flag.as_str() {
                "--http" => {
                    let value = match inline {
                        Some(v) => v,
                        None => iter
                            .next()
                            .context("`--http` needs an address, e.g. --http 127.0.0.1:8080")?,
                    };
                    out.http = Some(value.parse().with_context(|| {
                        format!("`--http {value}`: expected an address like 127.0.0.1:8080")
                    })?);
                }
                "--bearer-token" => {
                    let value = match inline {
                        Some(v) => v,
                        None => iter.next().context(
                            "`--bearer-token` needs a value, e.g. --bearer-token s3cret",
                        )?,
                    };
                    if value.trim().is_empty() || value.chars().any(|c| c.is_control() || c == ' ')
                    {
                        bail!(
                            "`--bearer-token`: the token must be non-empty, without spaces or control characters"
                        );
                    }
                    out.bearer_token = Some(value);
                }
                "--stateless" => out.stateless = true,
                "--json-response" => out.json_response = true,
                _ => rest.push(arg),
            }
        }
        *args = rest;
        if out.http.is_none() && (out.stateless || out.json_response) {
            bail!("`--stateless` and `--json-response` only apply with `--http ADDR`");
        }
        if out.http.is_none() && out.bearer_token.is_some() {
            bail!("`--bearer-token` only applies with `--http ADDR`");
        }
        out.bearer_token_from_env();
        Ok(out)
    }

    /// With `--http` and no `--bearer-token`, takes the token from `MCP_BEARER_TOKEN` (if set
    /// and not empty). [`ServeArgs::extract`] and [`ServeArgs::parse`] call it.
    pub fn bearer_token_from_env(&mut self) {
        if self.http.is_some() && self.bearer_token.is_none() {
            self.bearer_token = std::env::var(BEARER_TOKEN_ENV)
                .ok()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty());
        }
    }

    /// Parses exactly the transport flags; anything else is an error.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut args: Vec<String> = args.into_iter().collect();
        let out = Self::extract(&mut args)?;
        if let Some(unknown) = args.first() {
            bail!("unexpected argument `{unknown}`\n\nusage:\n{USAGE}");
        }
        Ok(out)
    }
}

impl Server {
    /// Serves over the transport the process's command line chooses (see the
    /// [module docs](crate::cli)): stdio by default, Streamable HTTP with `--http ADDR`.
    ///
    /// `-h` or `--help` prints the transport flags to stderr (stdout is the protocol's) and
    /// returns without serving.
    pub async fn run(self) -> anyhow::Result<()> {
        let argv: Vec<String> = std::env::args().skip(1).collect();
        if argv.iter().any(|a| a == "-h" || a == "--help") {
            let program = std::env::args().next().unwrap_or_else(|| "server".into());
            eprintln!("usage: {program} [flags]\n\n{USAGE}");
            return Ok(());
        }
        let args = ServeArgs::parse(argv)?;
        self.serve(args).await
    }

    /// Serves over the transport `args` describes.
    ///
    /// Over HTTP, the address bound is announced on stderr once listening, as
    /// `serving Streamable HTTP at http://IP:PORT/mcp` (so `--http 127.0.0.1:0` is usable), with
    /// a warning first when a non-loopback address has no bearer token. Both go to stderr
    /// directly, whether or not a log subscriber is installed.
    pub async fn serve(self, args: ServeArgs) -> anyhow::Result<()> {
        match args.http {
            None => self.serve_stdio().await,
            Some(addr) => self.serve_http_args(addr, &args).await,
        }
    }

    #[cfg(feature = "http")]
    async fn serve_http_args(self, addr: SocketAddr, args: &ServeArgs) -> anyhow::Result<()> {
        let mut config = if args.stateless {
            crate::http::HttpConfig::stateless()
        } else {
            crate::http::HttpConfig::new().json_response(args.json_response)
        };
        if let Some(token) = &args.bearer_token {
            config = config.bearer_token(token.clone());
        } else if !addr.ip().is_loopback() {
            // Said on stderr whether or not a log subscriber is installed: it is a warning about
            // who can reach the server.
            eprintln!(
                "warning: serving HTTP on {addr} without --bearer-token: any client that reaches it may use it"
            );
        }
        let listener = crate::http::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        // The address actually bound (`--http 127.0.0.1:0` picks a free port), for whoever
        // started the server: a command-line program says where it listens.
        if let Ok(bound) = listener.local_addr() {
            eprintln!("serving Streamable HTTP at http://{bound}/mcp");
        }
        self.serve_bound(listener, config).await
    }

    #[cfg(not(feature = "http"))]
    async fn serve_http_args(self, addr: SocketAddr, _args: &ServeArgs) -> anyhow::Result<()> {
        bail!(
            "cannot serve HTTP on {addr}: this server was built without the `http` feature of mcp-server"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn transport_flags_are_extracted_and_the_rest_is_left() {
        let mut a = args(&[
            "--root",
            "/tmp",
            "--http",
            "127.0.0.1:8080",
            "--json-response",
            "x",
        ]);
        let s = ServeArgs::extract(&mut a).unwrap();
        assert_eq!(s.http, Some("127.0.0.1:8080".parse().unwrap()));
        assert!(s.json_response && !s.stateless);
        assert_eq!(a, args(&["--root", "/tmp", "x"]));
        let s = ServeArgs::parse(args(&["--http=[::1]:9000", "--stateless"])).unwrap();
        assert_eq!(s.http, Some("[::1]:9000".parse().unwrap()));
        assert!(s.stateless);
        assert_eq!(ServeArgs::parse(args(&[])).unwrap(), ServeArgs::default());
    }

    #[test]
    fn bad_transport_flags_are_errors() {
        assert!(ServeArgs::parse(args(&["--http"])).is_err());
        assert!(ServeArgs::parse(args(&["--http", "localhost"])).is_err());
        assert!(ServeArgs::parse(args(&["--stateless"])).is_err());
        assert!(ServeArgs::parse(args(&["--bearer-token", "t"])).is_err());
        assert!(ServeArgs::parse(args(&["--http", "127.0.0.1:1", "--bearer-token"])).is_err());
        assert!(
            ServeArgs::parse(args(&["--http", "127.0.0.1:1", "--bearer-token", "a b"])).is_err()
        );
        let s = ServeArgs::parse(args(&["--http", "127.0.0.1:1", "--bearer-token=t0k"])).unwrap();
        assert_eq!(s.bearer_token.as_deref(), Some("t0k"));
        assert!(!format!("{s:?}").contains("t0k"));
        let e = ServeArgs::parse(args(&["--verbose"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unexpected argument `--verbose`"), "{e}");
    }
}
