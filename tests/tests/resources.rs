//! Resources, prompts and completion end to end, against `examples/template-server` over stdio:
//! the seed's templates (SQLite users, weather, files confined to `--root`), subscriptions,
//! prompts and completion, and every message checked against the official 2025-11-25 schema.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mcp_tests::{StdioServer, error_code, validate_2025_11_25};
use serde_json::{Value, json};

/// The secret every path-escape attempt goes after.
const SECRET: &str = "TOP SECRET: outside the root";

/// A fresh folder: `root/` (served) with files, a folder, a binary file and symbolic links
/// pointing out, next to `outside/secret.txt` (not served).
struct Fixture {
    base: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let base = std::env::temp_dir().join(format!(
            "mcp-resources-{name}-{}-{nanos}",
            std::process::id()
        ));
        let root = base.join("root");
        std::fs::create_dir_all(root.join("docs/deep")).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/secret.txt"), SECRET).unwrap();
        std::fs::write(base.join("secret.txt"), SECRET).unwrap();
        std::fs::write(root.join("hello.txt"), "hello from the root\n").unwrap();
        std::fs::write(root.join("docs/guide.md"), "# Guide\n").unwrap();
        std::fs::write(root.join("docs/deep/notes.txt"), "deep notes").unwrap();
        std::fs::write(root.join("image.bin"), [0u8, 159, 146, 150, 255]).unwrap();
        std::fs::write(root.join("with space.txt"), "spaced").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(base.join("outside"), root.join("link-out")).unwrap();
            symlink(
                base.join("outside/secret.txt"),
                root.join("secret-link.txt"),
            )
            .unwrap();
            symlink(root.join("docs"), root.join("docs-link")).unwrap();
            symlink(
                "../../outside/secret.txt",
                root.join("docs/relative-out.txt"),
            )
            .unwrap();
        }
        Self { base }
    }

    fn root(&self) -> PathBuf {
        self.base.join("root")
    }

    async fn spawn(&self) -> StdioServer {
        let root = self.root();
        let mut s = StdioServer::spawn("template-server", &["--root", path_str(&root)]).await;
        let init = s.initialize().await;
        assert_eq!(init["serverInfo"]["name"], "template-server");
        s
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

async fn read(s: &mut StdioServer, uri: &str) -> Value {
    s.request("resources/read", json!({ "uri": uri })).await
}

/// The one content of a successful read.
fn content(resp: &Value) -> &Value {
    let contents = resp["result"]["contents"]
        .as_array()
        .unwrap_or_else(|| panic!("expected contents, got {resp}"));
    assert_eq!(contents.len(), 1, "{resp}");
    &contents[0]
}

fn message(resp: &Value) -> &str {
    resp["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {resp}"))
}

#[tokio::test]
async fn templates_are_listed_and_every_kind_of_uri_reads() {
    let fx = Fixture::new("reads");
    let mut s = fx.spawn().await;

    let r = s.request("resources/templates/list", json!({})).await;
    let templates: Vec<&str> = r["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        [
            "db://users/{user_id}",
            "api://weather/{city}/{date}",
            "file://{+path}"
        ]
    );
    let user_template = &r["result"]["resourceTemplates"][0];
    assert_eq!(user_template["mimeType"], "application/json");
    assert_eq!(user_template["description"], "Fetch a user profile by id.");
    let r = s.request("resources/list", json!({})).await;
    assert_eq!(r["result"]["resources"][0]["uri"], "db://users");

    // The database.
    let c = content(&read(&mut s, "db://users/1").await).clone();
    assert_eq!(c["uri"], "db://users/1");
    assert_eq!(c["mimeType"], "application/json");
    let user: Value = serde_json::from_str(c["text"].as_str().unwrap()).unwrap();
    assert_eq!(
        user,
        json!({"id": 1, "name": "Ada Lovelace", "email": "ada@example.com"})
    );
    let all = content(&read(&mut s, "db://users").await).clone();
    let all: Value = serde_json::from_str(all["text"].as_str().unwrap()).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let r = read(&mut s, "db://users/42").await;
    assert_eq!(error_code(&r), -32002);
    assert!(message(&r).contains("db://users/42"), "{r}");
    assert_eq!(r["error"]["data"]["uri"], "db://users/42");
    let r = read(&mut s, "db://users/abc").await;
    assert_eq!(error_code(&r), -32602);
    assert!(message(&r).contains("`user_id`"), "{r}");

    // The weather: deterministic, with a strict date.
    let a = content(&read(&mut s, "api://weather/Paris/2025-07-14").await).clone();
    let b = content(&read(&mut s, "api://weather/Paris/2025-07-14").await).clone();
    assert_eq!(a, b);
    let w: Value = serde_json::from_str(a["text"].as_str().unwrap()).unwrap();
    assert_eq!(w["city"], "Paris");
    assert_eq!(w["date"], "2025-07-14");
    assert!(w["high_c"].as_i64().unwrap() >= w["low_c"].as_i64().unwrap());
    let c = content(&read(&mut s, "api://weather/New%20York/2024-02-29").await).clone();
    assert!(c["text"].as_str().unwrap().contains("\"New York\""));
    for bad in [
        "2025-13-01",
        "2023-02-29",
        "tomorrow",
        "2025-1-1",
        "20250101",
    ] {
        let r = read(&mut s, &format!("api://weather/Paris/{bad}")).await;
        assert_eq!(error_code(&r), -32602, "{bad}: {r}");
        assert!(message(&r).contains("`date`"), "{bad}: {r}");
        assert!(message(&r).contains("YYYY-MM-DD"), "{bad}: {r}");
    }

    // Files under the root.
    let c = content(&read(&mut s, "file://hello.txt").await).clone();
    assert_eq!(
        c,
        json!({"uri": "file://hello.txt", "mimeType": "text/plain", "text": "hello from the root\n"})
    );
    let c = content(&read(&mut s, "file://docs/guide.md").await).clone();
    assert_eq!(c["mimeType"], "text/markdown");
    let c = content(&read(&mut s, "file://docs/deep/notes.txt").await).clone();
    assert_eq!(c["text"], "deep notes");
    let c = content(&read(&mut s, "file://with%20space.txt").await).clone();
    assert_eq!(c["text"], "spaced");
    let c = content(&read(&mut s, "file://image.bin").await).clone();
    assert_eq!(c["blob"], "AJ+Slv8=");
    assert_eq!(c["mimeType"], "application/octet-stream");
    let c = content(&read(&mut s, "file://docs").await).clone();
    assert_eq!(c["mimeType"], "inode/directory");
    assert_eq!(c["text"], "deep/\nguide.md\nrelative-out.txt");
    #[cfg(unix)]
    {
        // A link that stays inside the root is fine.
        let c = content(&read(&mut s, "file://docs-link/guide.md").await).clone();
        assert_eq!(c["text"], "# Guide\n");
    }
    let r = read(&mut s, "file://missing.txt").await;
    assert_eq!(error_code(&r), -32002);

    // Nothing matches: -32002 with the URI.
    let r = read(&mut s, "gopher://nowhere").await;
    assert_eq!(error_code(&r), -32002);
    assert!(message(&r).contains("gopher://nowhere"));
}

#[tokio::test]
async fn every_path_escape_is_refused() {
    let fx = Fixture::new("escapes");
    let mut s = fx.spawn().await;
    let secret = path_str(&fx.base.join("secret.txt")).to_owned();
    let mut escapes: Vec<String> = [
        "file://../secret.txt",
        "file://..",
        "file://../",
        "file://./../secret.txt",
        "file://docs/../../secret.txt",
        "file://docs/deep/../../../secret.txt",
        "file://docs/./../../outside/secret.txt",
        "file://../outside/secret.txt",
        "file://..\\secret.txt",
        "file://docs\\..\\..\\secret.txt",
        // Percent-encoded dots, slashes and backslashes.
        "file://%2e%2e/secret.txt",
        "file://%2E%2E/secret.txt",
        "file://.%2e/secret.txt",
        "file://%2e./secret.txt",
        "file://..%2fsecret.txt",
        "file://..%2Fsecret.txt",
        "file://docs%2f..%2f..%2fsecret.txt",
        "file://%2e%2e%2fsecret.txt",
        "file://%2fetc%2fpasswd",
        "file://%5c..%5csecret.txt",
        "file://..%5csecret.txt",
        "file://hello.txt%00.png",
        "file://%00",
        // Absolute paths.
        "file:///etc/passwd",
        "file:////etc/passwd",
        "file://\\etc\\passwd",
        "file://C:/Windows/win.ini",
        "file://c:\\windows\\win.ini",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    escapes.push(format!("file://{secret}"));
    escapes.push(format!("file:///{secret}"));
    #[cfg(unix)]
    escapes.extend(
        [
            "file://link-out/secret.txt",
            "file://link-out",
            "file://secret-link.txt",
            "file://docs/relative-out.txt",
            "file://docs-link/../link-out/secret.txt",
        ]
        .map(str::to_owned),
    );
    for uri in &escapes {
        let r = read(&mut s, uri).await;
        assert!(r.get("result").is_none(), "{uri} was served: {r}");
        assert_eq!(error_code(&r), -32602, "{uri}: {r}");
        let msg = message(&r);
        assert!(msg.starts_with("Refused "), "{uri}: {msg}");
        assert!(msg.contains("root folder"), "{uri}: {msg}");
        assert!(!r.to_string().contains(SECRET), "{uri} leaked the secret");
    }
    // Not escapes, but never the secret either: a double-encoded `..` is a folder literally
    // named `%2e%2e`, which does not exist.
    for uri in [
        "file://%252e%252e/secret.txt",
        "file://%252e%252e%252fsecret.txt",
    ] {
        let r = read(&mut s, uri).await;
        assert_eq!(error_code(&r), -32002, "{uri}: {r}");
        assert!(!r.to_string().contains(SECRET));
    }
}

#[tokio::test]
async fn subscribers_hear_about_updates() {
    let fx = Fixture::new("subscribe");
    let mut s = fx.spawn().await;
    let r = s
        .request("resources/subscribe", json!({"uri": "db://users/2"}))
        .await;
    assert_eq!(r["result"], json!({}));
    let r = s
        .request("resources/subscribe", json!({"uri": "nope://x"}))
        .await;
    assert_eq!(error_code(&r), -32002);

    let r = s
        .call_tool(
            "update_user",
            json!({"user_id": 2, "name": "Alan M. Turing"}),
        )
        .await;
    assert_eq!(r["result"]["isError"], Value::Null, "{r}");
    assert!(mcp_tests::first_text(&r).contains("1 subscriber"), "{r}");
    let updated: Vec<&Value> = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "notifications/resources/updated")
        .collect();
    assert_eq!(updated.len(), 1, "{:?}", s.notifications);
    assert_eq!(updated[0]["params"], json!({"uri": "db://users/2"}));
    let c = content(&read(&mut s, "db://users/2").await).clone();
    assert!(c["text"].as_str().unwrap().contains("Alan M. Turing"));

    // Another user: nobody is subscribed.
    s.notifications.clear();
    let r = s
        .call_tool(
            "update_user",
            json!({"user_id": 3, "name": "Grace B. Hopper"}),
        )
        .await;
    assert!(mcp_tests::first_text(&r).contains("0 subscriber"), "{r}");
    // After unsubscribing, no more notifications.
    let r = s
        .request("resources/unsubscribe", json!({"uri": "db://users/2"}))
        .await;
    assert_eq!(r["result"], json!({}));
    s.call_tool("update_user", json!({"user_id": 2, "name": "Alan Turing"}))
        .await;
    assert!(s.try_recv(Duration::from_millis(200)).await.is_none());
    assert!(s.notifications.is_empty(), "{:?}", s.notifications);

    // An unknown user is a tool error, not a protocol error.
    let r = s
        .call_tool("update_user", json!({"user_id": 99, "name": "Nobody"}))
        .await;
    assert_eq!(r["result"]["isError"], true, "{r}");
}

#[tokio::test]
async fn prompts_list_get_and_validate_arguments() {
    let fx = Fixture::new("prompts");
    let mut s = fx.spawn().await;
    let r = s.request("prompts/list", json!({})).await;
    let prompts = r["result"]["prompts"].as_array().unwrap();
    let report = prompts
        .iter()
        .find(|p| p["name"] == "weather_report")
        .expect("weather_report is listed");
    assert_eq!(report["title"], "Weather report");
    assert_eq!(
        report["arguments"],
        json!([
            {"name": "city", "description": "The city.", "required": true},
            {"name": "date", "description": "The day, as YYYY-MM-DD (default 2025-01-01).", "required": false}
        ])
    );

    let r = s
        .request(
            "prompts/get",
            json!({"name": "weather_report", "arguments": {"city": "New York", "date": "2025-03-01"}}),
        )
        .await;
    let messages = r["result"]["messages"].as_array().unwrap();
    assert_eq!(messages[0]["content"]["type"], "resource");
    assert_eq!(
        messages[0]["content"]["resource"]["uri"],
        "api://weather/New%20York/2025-03-01"
    );
    assert!(
        messages[1]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("New York")
    );

    let r = s
        .request(
            "prompts/get",
            json!({"name": "user_summary", "arguments": {"user_id": "1"}}),
        )
        .await;
    let embedded = &r["result"]["messages"][0]["content"]["resource"];
    assert_eq!(embedded["uri"], "db://users/1");
    assert!(embedded["text"].as_str().unwrap().contains("Ada Lovelace"));

    let r = s
        .request(
            "prompts/get",
            json!({"name": "weather_report", "arguments": {}}),
        )
        .await;
    assert_eq!(error_code(&r), -32602);
    assert!(message(&r).contains("`city`"), "{r}");
    let r = s
        .request(
            "prompts/get",
            json!({"name": "weather_report", "arguments": {"city": "Rome", "date": "someday"}}),
        )
        .await;
    assert_eq!(error_code(&r), -32602);
    assert!(message(&r).contains("`date`"), "{r}");
    let r = s
        .request(
            "prompts/get",
            json!({"name": "user_summary", "arguments": {"user_id": "x"}}),
        )
        .await;
    assert_eq!(error_code(&r), -32602);
    let r = s
        .request("prompts/get", json!({"name": "no_such_prompt"}))
        .await;
    assert_eq!(error_code(&r), -32602);
    assert!(message(&r).contains("no_such_prompt"), "{r}");
}

#[tokio::test]
async fn completion_for_template_variables_and_prompt_arguments() {
    let fx = Fixture::new("complete");
    let mut s = fx.spawn().await;
    let complete = |reference: Value, name: &str, value: &str| json!({"ref": reference, "argument": {"name": name, "value": value}});
    let weather = json!({"type": "ref/resource", "uri": "api://weather/{city}/{date}"});
    let r = s
        .request(
            "completion/complete",
            complete(weather.clone(), "city", "l"),
        )
        .await;
    assert_eq!(
        r["result"]["completion"]["values"],
        json!(["Lisbon", "London"])
    );
    let r = s
        .request("completion/complete", complete(weather.clone(), "city", ""))
        .await;
    assert_eq!(
        r["result"]["completion"]["values"]
            .as_array()
            .unwrap()
            .len(),
        15
    );
    // A variable without a completer completes to nothing.
    let r = s
        .request(
            "completion/complete",
            complete(weather.clone(), "date", "2025"),
        )
        .await;
    assert_eq!(r["result"]["completion"]["values"], json!([]));
    let users = json!({"type": "ref/resource", "uri": "db://users/{user_id}"});
    let r = s
        .request("completion/complete", complete(users, "user_id", ""))
        .await;
    assert_eq!(r["result"]["completion"]["values"], json!(["1", "2", "3"]));
    let prompt = json!({"type": "ref/prompt", "name": "weather_report"});
    let r = s
        .request(
            "completion/complete",
            complete(prompt.clone(), "city", "Pa"),
        )
        .await;
    assert_eq!(r["result"]["completion"]["values"], json!(["Paris"]));

    for (reference, name) in [
        (json!({"type": "ref/prompt", "name": "nope"}), "city"),
        (prompt, "country"),
        (json!({"type": "ref/resource", "uri": "nope://{x}"}), "x"),
        (weather, "country"),
    ] {
        let r = s
            .request("completion/complete", complete(reference.clone(), name, ""))
            .await;
        assert_eq!(error_code(&r), -32602, "{reference} {name}: {r}");
    }
}

fn result_type(method: &str) -> &'static str {
    match method {
        "initialize" => "InitializeResult",
        "resources/list" => "ListResourcesResult",
        "resources/templates/list" => "ListResourceTemplatesResult",
        "resources/read" => "ReadResourceResult",
        "resources/subscribe" | "resources/unsubscribe" => "EmptyResult",
        "prompts/list" => "ListPromptsResult",
        "prompts/get" => "GetPromptResult",
        "completion/complete" => "CompleteResult",
        "tools/list" => "ListToolsResult",
        "tools/call" => "CallToolResult",
        other => panic!("no result type known for {other}"),
    }
}

fn notification_type(method: &str) -> &'static str {
    match method {
        "notifications/resources/updated" => "ResourceUpdatedNotification",
        "notifications/message" => "LoggingMessageNotification",
        other => panic!("unexpected notification {other}"),
    }
}

#[tokio::test]
async fn everything_sent_validates_against_the_schema() {
    let fx = Fixture::new("schema");
    let root = fx.root();
    let mut s = StdioServer::spawn("template-server", &["--root", path_str(&root)]).await;
    let requests: Vec<(&str, Value)> = vec![
        (
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "schema", "version": "1"}}),
        ),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("resources/read", json!({"uri": "db://users/1"})),
        ("resources/read", json!({"uri": "db://users"})),
        ("resources/read", json!({"uri": "db://users/77"})),
        (
            "resources/read",
            json!({"uri": "api://weather/Tokyo/2025-12-31"}),
        ),
        (
            "resources/read",
            json!({"uri": "api://weather/Tokyo/2025-12-32"}),
        ),
        ("resources/read", json!({"uri": "file://hello.txt"})),
        ("resources/read", json!({"uri": "file://image.bin"})),
        ("resources/read", json!({"uri": "file://docs"})),
        ("resources/read", json!({"uri": "file://../secret.txt"})),
        ("resources/subscribe", json!({"uri": "db://users/1"})),
        ("tools/list", json!({})),
        (
            "tools/call",
            json!({"name": "update_user", "arguments": {"user_id": 1, "name": "Ada King"}}),
        ),
        ("resources/unsubscribe", json!({"uri": "db://users/1"})),
        ("prompts/list", json!({})),
        (
            "prompts/get",
            json!({"name": "weather_report", "arguments": {"city": "Cairo"}}),
        ),
        (
            "prompts/get",
            json!({"name": "user_summary", "arguments": {"user_id": "2"}}),
        ),
        ("prompts/get", json!({"name": "user_summary"})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "weather_report"}, "argument": {"name": "city", "value": "b"}}),
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "db://users/{user_id}"}, "argument": {"name": "user_id", "value": "1"}, "context": {"arguments": {}}}),
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "x://{y}"}, "argument": {"name": "y", "value": ""}}),
        ),
    ];
    let mut checked = 0;
    let mut notifications = 0;
    for (i, (method, params)) in requests.iter().enumerate() {
        let id = json!(i);
        s.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        if *method == "initialize" {
            s.notify("notifications/initialized", json!({})).await;
        }
        loop {
            let msg = s.recv().await;
            let fail = |what: &str, e: String| panic!("{what} does not validate: {e}\n{msg}");
            if let Some(m) = msg.get("method").and_then(Value::as_str) {
                validate_2025_11_25(notification_type(m), &msg).unwrap_or_else(|e| fail(m, e));
                notifications += 1;
                continue;
            }
            if msg.get("error").is_some() {
                validate_2025_11_25("JSONRPCErrorResponse", &msg)
                    .unwrap_or_else(|e| fail("error", e));
            } else {
                validate_2025_11_25("JSONRPCResultResponse", &msg)
                    .unwrap_or_else(|e| fail("response", e));
                validate_2025_11_25(result_type(method), &msg["result"])
                    .unwrap_or_else(|e| fail(result_type(method), e));
            }
            assert_eq!(msg["id"], id, "responses come in order here");
            checked += 1;
            break;
        }
    }
    assert_eq!(checked, requests.len());
    assert_eq!(notifications, 1, "one resources/updated notification");
}
