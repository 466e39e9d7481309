//! Bearer-token authorization of the HTTP transport: 401/403 challenges, protected-resource
//! metadata, sessions bound to the token's subject, `--bearer-token` on the examples, and
//! our client, the `mcp` CLI and the Python SDK against it.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use mcp_client::{Client, ClientError};
use mcp_server::http::{
    AuthConfig, AuthError, AuthInfo, HttpConfig, ProtectedResourceMetadata, StaticBearerToken,
    TokenValidator,
};
use mcp_server::mcp_core::peer::BoxFuture;
use mcp_server::prelude::*;
use mcp_tests::{bin_path, describe_output, python, spawn_http_example, workspace_root};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
const WHOAMI: &str =
    r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"whoami","arguments":{}}}"#;
const PING: &str = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;

/// Two users: `alice-token` is alice (scopes read, write), `bob-token` is bob (scope read).
struct Users;

impl TokenValidator for Users {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, AuthError>> {
        Box::pin(async move {
            match token {
                "alice-token" => Ok(AuthInfo::new("alice").with_scopes(["read", "write"])),
                "bob-token" => Ok(AuthInfo::new("bob").with_scopes(["read"])),
                _ => Err(AuthError::InvalidToken("unknown token".into())),
            }
        })
    }
}

/// Who the caller is, as the transport authenticated them.
#[tool]
async fn whoami(ctx: Context) -> String {
    match ctx.auth() {
        Some(a) => format!("{} [{}]", a.subject, a.scopes.join(" ")),
        None => "anonymous".into(),
    }
}

async fn serve(config: HttpConfig) -> (SocketAddr, mcp_server::ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new("auth").tool(whoami);
    let handle = server.handle();
    tokio::spawn(server.serve_http_on(listener, config.json_response(true)));
    (addr, handle)
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One HTTP/1.1 exchange over a fresh connection.
async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if method == "POST" {
        req.push_str(
            "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n",
        );
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut raw))
        .await
        .expect("no answer within 10 s")
        .unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap_or_default()
        .split(' ')
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn post(addr: SocketAddr, headers: &[(&str, &str)], body: &str) -> Reply {
    exchange(addr, "POST", "/mcp", headers, body).await
}

/// Initializes a session with `token`; returns its id.
async fn open_session(addr: SocketAddr, token: &str) -> String {
    let auth = format!("Bearer {token}");
    let r = post(addr, &[("Authorization", &auth)], INIT).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.header("mcp-session-id").expect("a session id").to_owned();
    let r = post(
        addr,
        &[("Authorization", &auth), ("Mcp-Session-Id", &id)],
        INITIALIZED,
    )
    .await;
    assert_eq!(r.status, 202);
    id
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_with_the_metadata_url() {
    let (addr, handle) = serve(HttpConfig::new().bearer_token("s3cret")).await;
    let metadata = format!("http://{addr}/.well-known/oauth-protected-resource/mcp");

    let r = post(addr, &[], INIT).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        r.header("www-authenticate"),
        Some(format!("Bearer resource_metadata=\"{metadata}\"").as_str())
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Bearer"),
        "{}",
        r.body
    );

    for bad in [
        "Bearer wrong",
        "Bearer s3cre",
        "Bearer s3cret2",
        "Basic czNjcmV0",
        "Bearer ",
    ] {
        let r = post(addr, &[("Authorization", bad)], INIT).await;
        assert_eq!(r.status, 401, "{bad}: {}", r.body);
        let challenge = r.header("www-authenticate").unwrap();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(
            challenge.contains(&format!("resource_metadata=\"{metadata}\"")),
            "{challenge}"
        );
        if bad.starts_with("Bearer s3") || bad == "Bearer wrong" {
            assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        }
    }
    // GET and DELETE are guarded too.
    let r = exchange(addr, "GET", "/mcp", &[("Accept", "text/event-stream")], "").await;
    assert_eq!(r.status, 401);
    let r = exchange(addr, "DELETE", "/mcp", &[("Mcp-Session-Id", "x")], "").await;
    assert_eq!(r.status, 401);

    // The right token, case-insensitive scheme.
    let r = post(addr, &[("Authorization", "bearer s3cret")], INIT).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["result"]["serverInfo"]["name"], "auth");
    handle.shutdown();
}

#[tokio::test]
async fn the_protected_resource_metadata_is_served_at_both_well_known_paths() {
    let metadata = ProtectedResourceMetadata::new()
        .authorization_server("https://auth.example.com")
        .scopes_supported(["read", "write"])
        .resource_name("test server");
    let auth = AuthConfig::new(StaticBearerToken::new("t")).metadata(metadata);
    let (addr, handle) = serve(HttpConfig::new().auth(auth)).await;
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        // No token needed for the metadata itself.
        let r = exchange(addr, "GET", path, &[], "").await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let doc = r.json();
        assert_eq!(doc["resource"], format!("http://{addr}/mcp"), "{doc}");
        assert_eq!(
            doc["authorization_servers"],
            serde_json::json!(["https://auth.example.com"])
        );
        assert_eq!(
            doc["scopes_supported"],
            serde_json::json!(["read", "write"])
        );
        assert_eq!(
            doc["bearer_methods_supported"],
            serde_json::json!(["header"])
        );
        assert_eq!(doc["resource_name"], "test server");
    }
    let r = exchange(
        addr,
        "POST",
        "/.well-known/oauth-protected-resource",
        &[],
        "{}",
    )
    .await;
    assert_eq!(r.status, 405);
    // A configured resource is used as it is, and in the challenge's URL.
    handle.shutdown();
    let auth = AuthConfig::new(StaticBearerToken::new("t"))
        .metadata(ProtectedResourceMetadata::new().resource("https://mcp.example.com/mcp"));
    let (addr, handle) = serve(HttpConfig::new().auth(auth)).await;
    let r = exchange(
        addr,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        &[],
        "",
    )
    .await;
    assert_eq!(r.json()["resource"], "https://mcp.example.com/mcp");
    let r = post(addr, &[], INIT).await;
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\""
        )
    );
    handle.shutdown();
}

#[tokio::test]
async fn stateless_mode_checks_every_request_and_tools_see_the_caller() {
    let (addr, handle) = serve(HttpConfig::stateless().auth(AuthConfig::new(Users))).await;
    let r = post(addr, &[], WHOAMI).await;
    assert_eq!(r.status, 401);
    let r = post(addr, &[("Authorization", "Bearer bob-token")], WHOAMI).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["result"]["content"][0]["text"],
        "bob [read]",
        "{}",
        r.body
    );
    handle.shutdown();
}

#[tokio::test]
async fn without_auth_the_metadata_path_is_404_and_no_token_is_needed() {
    let (addr, handle) = serve(HttpConfig::new()).await;
    let r = exchange(
        addr,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    let r = post(addr, &[], INIT).await;
    assert_eq!(r.status, 200);
    let id = r.header("mcp-session-id").unwrap().to_owned();
    post(addr, &[("Mcp-Session-Id", &id)], INITIALIZED).await;
    let r = post(addr, &[("Mcp-Session-Id", &id)], WHOAMI).await;
    assert_eq!(
        r.json()["result"]["content"][0]["text"],
        "anonymous",
        "{}",
        r.body
    );
    handle.shutdown();
}

#[tokio::test]
async fn a_token_without_a_required_scope_gets_403_insufficient_scope() {
    let auth = AuthConfig::new(Users).required_scopes(["write"]);
    let (addr, handle) = serve(HttpConfig::new().auth(auth)).await;
    let r = post(addr, &[("Authorization", "Bearer bob-token")], INIT).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"write\""), "{challenge}");
    assert!(challenge.contains("resource_metadata=\""), "{challenge}");
    let r = post(addr, &[("Authorization", "Bearer alice-token")], INIT).await;
    assert_eq!(r.status, 200, "{}", r.body);
    handle.shutdown();
}

#[tokio::test]
async fn a_session_is_usable_only_by_the_subject_that_created_it() {
    let (addr, handle) = serve(HttpConfig::new().auth(AuthConfig::new(Users))).await;
    let alice = open_session(addr, "alice-token").await;
    let bob = open_session(addr, "bob-token").await;
    assert_ne!(alice, bob);
    // Session ids: 64 hex digits (256 bits from the OS CSPRNG).
    for id in [&alice, &bob] {
        assert_eq!(id.len(), 64, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    // Bob presenting alice's session id: as if it did not exist.
    let r = post(
        addr,
        &[
            ("Authorization", "Bearer bob-token"),
            ("Mcp-Session-Id", &alice),
        ],
        PING,
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = exchange(
        addr,
        "DELETE",
        "/mcp",
        &[
            ("Authorization", "Bearer bob-token"),
            ("Mcp-Session-Id", &alice),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    let r = exchange(
        addr,
        "GET",
        "/mcp",
        &[
            ("Authorization", "Bearer bob-token"),
            ("Mcp-Session-Id", &alice),
            ("Accept", "text/event-stream"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    // Alice's session is untouched; bob's own works.
    let r = post(
        addr,
        &[
            ("Authorization", "Bearer alice-token"),
            ("Mcp-Session-Id", &alice),
        ],
        PING,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["result"], serde_json::json!({}));
    let r = post(
        addr,
        &[
            ("Authorization", "Bearer bob-token"),
            ("Mcp-Session-Id", &bob),
        ],
        PING,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    handle.shutdown();
}

#[tokio::test]
async fn our_client_connects_to_the_echo_example_only_with_its_token() {
    let server = spawn_http_example("echo", &["--bearer-token", "T0ken"]);
    let client = Client::builder()
        .bearer_token("T0ken")
        .connect_http(&server.url)
        .await
        .unwrap();
    let tools = client.list_tools(None).await.unwrap();
    assert!(tools.tools.iter().any(|t| t.name == "echo"));
    let _ = client.close().await;

    for builder in [Client::builder(), Client::builder().bearer_token("wrong")] {
        let err = builder.connect_http(&server.url).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ClientError::Transport(_)), "{err:?}");
        assert!(text.contains("401"), "{text}");
        assert!(text.contains("resource_metadata="), "{text}");
    }
}

#[test]
fn the_mcp_cli_takes_the_token_from_the_flag_or_the_environment() {
    let server = spawn_http_example("echo", &["--bearer-token", "T0ken"]);
    let mcp = |args: &[&str], env: Option<&str>| {
        let mut c = Command::new(bin_path("mcp"));
        c.args(args).env_remove("MCP_BEARER_TOKEN");
        if let Some(t) = env {
            c.env("MCP_BEARER_TOKEN", t);
        }
        c.output().expect("run mcp")
    };
    let out = mcp(&["tools", &server.url], None);
    assert_eq!(out.status.code(), Some(4), "{}", describe_output(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("401") && stderr.contains("bearer token"),
        "{stderr}"
    );

    let out = mcp(&["tools", &server.url, "--bearer-token", "T0ken"], None);
    assert!(out.status.success(), "{}", describe_output(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("echo"));

    let out = mcp(&["call", &server.url, "echo", "text=hi"], Some("T0ken"));
    assert!(out.status.success(), "{}", describe_output(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("hi"));

    // The flag is for URLs only.
    let out = mcp(&["tools", "echo --stdio", "--bearer-token", "x"], None);
    assert_eq!(out.status.code(), Some(2), "{}", describe_output(&out));
}

#[test]
fn the_examples_list_the_token_flag_in_their_help() {
    let out = Command::new(bin_path("echo"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe_output(&out));
    let help = String::from_utf8_lossy(&out.stderr);
    assert!(
        help.contains("--bearer-token TOKEN") && help.contains("MCP_BEARER_TOKEN"),
        "{help}"
    );
    assert!(
        out.stdout.is_empty(),
        "help on stdout, the protocol channel"
    );
}

#[test]
fn the_examples_take_the_token_from_the_environment_and_refuse_it_without_http() {
    let mut c = Command::new(bin_path("echo"));
    let out = c.args(["--bearer-token", "x"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only applies with `--http"),
        "{}",
        describe_output(&out)
    );

    // MCP_BEARER_TOKEN with --http: the server requires it.
    let mut child = Command::new(bin_path("echo"))
        .args(["--http", "127.0.0.1:0"])
        .env("MCP_BEARER_TOKEN", "FromEnv")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let addr = {
        use std::io::{BufRead, BufReader};
        let mut found = None;
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some(addr) = mcp_tests::announced_addr(&line) {
                found = Some(addr);
                break;
            }
        }
        found.expect("address line")
    };
    let url = format!("http://{addr}/mcp");
    let out = Command::new(bin_path("mcp"))
        .args(["tools", &url])
        .env_remove("MCP_BEARER_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", describe_output(&out));
    let out = Command::new(bin_path("mcp"))
        .args(["tools", &url, "--bearer-token", "FromEnv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe_output(&out));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_python_sdk_needs_the_authorization_header() {
    let server = spawn_http_example("echo", &["--bearer-token", "PyT0ken"]);
    let run = |token: &str| {
        let out = Command::new(python())
            .arg(workspace_root().join("tests/interop/py_http_auth_client.py"))
            .args([server.url.as_str(), token])
            .output()
            .expect("run the Python client");
        assert!(out.status.success(), "{}", describe_output(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str::<Value>(stdout.lines().last().unwrap_or_default()).unwrap()
    };
    let seen = run("PyT0ken");
    assert_eq!(seen["server"], "echo");
    assert_eq!(seen["echo"], "hello with a token");
    let seen = run("");
    assert_eq!(seen["status"], 401, "{seen}");
    assert!(
        seen["www_authenticate"]
            .as_str()
            .unwrap()
            .contains("resource_metadata="),
        "{seen}"
    );
}
