//! Deterministic tests of the peer engine's races, on paused tokio time over an in-memory
//! duplex stream: cancellation before start and after completion, progress after the
//! response, many concurrent cancellations, the grace period, and shutdown; and the outcomes
//! of outgoing requests (`RequestError`, `cancel_on`, `no_cancel_notification`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_core::peer::{
    Dispatch, Engine, EngineConfig, Handler, IncomingNotification, IncomingRequest, Peer,
    RequestContext, RequestError, RequestOptions, run_stream,
};
use mcp_core::{McpError, jsonrpc};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio_util::sync::CancellationToken;

/// Methods: `wait` (until cancelled, then returns "wound down"), `ignore` (sleeps an hour,
/// ignoring cancellation), `quick` (returns at once), `after` (returns, then a spawned task
/// tries to send progress), `sleep` (sleeps 100 ms).
struct TestHandler {
    late_progress_sent: Arc<AtomicUsize>,
    started: Arc<AtomicUsize>,
}

impl Handler for TestHandler {
    fn handle_request(&self, request: IncomingRequest, cx: RequestContext) -> Dispatch {
        self.started.fetch_add(1, Ordering::SeqCst);
        let late = self.late_progress_sent.clone();
        match request.method.as_ref() {
            "quick" => Dispatch::Reply(jsonrpc::to_raw(&json!({"ok": true}))),
            "wait" => Dispatch::Spawn(Box::pin(async move {
                cx.cancellation().cancelled().await;
                jsonrpc::to_raw(&json!({"wound": "down"}))
            })),
            "ignore" => Dispatch::Spawn(Box::pin(async move {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                jsonrpc::to_raw(&json!({}))
            })),
            "sleep" => Dispatch::Spawn(Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                jsonrpc::to_raw(&json!({"slept": true}))
            })),
            "after" => Dispatch::Spawn(Box::pin(async move {
                let cx2 = cx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    if cx2
                        .notify_related(
                            "notifications/progress",
                            &json!({"progressToken": 1, "progress": 99}),
                        )
                        .await
                    {
                        late.fetch_add(1, Ordering::SeqCst);
                    }
                });
                jsonrpc::to_raw(&json!({"done": true}))
            })),
            "panic" => Dispatch::Spawn(Box::pin(
                async move { panic!("boom with secret /etc/passwd") },
            )),
            _ => Dispatch::Reply(Err(McpError::method_not_found(&request.method))),
        }
    }

    fn handle_notification(&self, _n: IncomingNotification, _peer: &Peer) {}
}

struct Harness {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    engine: Arc<Engine>,
    late_progress_sent: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl Harness {
    fn new() -> Self {
        let mut config = EngineConfig::default();
        config.cancel_grace = Duration::from_millis(500);
        Self::with_config(config)
    }

    fn with_config(config: EngineConfig) -> Self {
        let late_progress_sent = Arc::new(AtomicUsize::new(0));
        let handler = TestHandler {
            late_progress_sent: late_progress_sent.clone(),
            started: Arc::default(),
        };
        let (engine, outbound) = Engine::new(Arc::new(handler), config);
        let engine = Arc::new(engine);
        let (client_w, server_r) = tokio::io::duplex(1 << 20);
        let (server_w, client_r) = tokio::io::duplex(1 << 20);
        let stop = CancellationToken::new();
        let (e, s) = (engine.clone(), stop.clone());
        tokio::spawn(async move {
            let (_end, writer) = run_stream(&e, outbound, server_r, server_w, 1 << 20, &s).await;
            e.cancel_in_flight();
            e.drain(Duration::from_secs(2)).await;
            e.close();
            let _ = writer.await;
        });
        Self {
            to_server: client_w,
            from_server: BufReader::new(client_r),
            engine,
            late_progress_sent,
            stop,
        }
    }

    async fn send(&mut self, v: Value) {
        self.to_server
            .write_all(format!("{v}\n").as_bytes())
            .await
            .unwrap();
    }

    async fn request(&mut self, id: i64, method: &str) {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method}))
            .await;
    }

    async fn cancel(&mut self, id: i64) {
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id, "reason": "test"}}))
            .await;
    }

    /// The next message, or None if nothing arrives within `within` (of paused time).
    async fn next(&mut self, within: Duration) -> Option<Value> {
        let mut line = String::new();
        match tokio::time::timeout(within, self.from_server.read_line(&mut line)).await {
            Ok(Ok(n)) if n > 0 => Some(serde_json::from_str(&line).unwrap()),
            _ => None,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_cancellation_before_the_request_starts_is_ignored() {
    let mut h = Harness::new();
    h.cancel(1).await;
    h.request(1, "sleep").await;
    let msg = h.next(Duration::from_secs(5)).await.expect("a response");
    assert_eq!(msg["id"], 1);
    assert_eq!(msg["result"]["slept"], true);
}

#[tokio::test(start_paused = true)]
async fn a_cancellation_after_completion_is_ignored() {
    let mut h = Harness::new();
    h.request(1, "sleep").await;
    assert_eq!(h.next(Duration::from_secs(5)).await.unwrap()["id"], 1);
    h.cancel(1).await;
    assert!(
        h.next(Duration::from_secs(5)).await.is_none(),
        "a late cancellation produced output"
    );
    h.request(2, "quick").await;
    assert_eq!(h.next(Duration::from_secs(5)).await.unwrap()["id"], 2);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_request_gets_no_response_even_when_it_returns() {
    let mut h = Harness::new();
    h.request(1, "wait").await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    h.cancel(1).await;
    assert!(
        h.next(Duration::from_secs(5)).await.is_none(),
        "a cancelled request was answered"
    );
    assert_eq!(h.engine.peer().in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_request_that_ignores_cancellation_is_dropped_after_the_grace_period() {
    let mut h = Harness::new();
    h.request(1, "ignore").await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(h.engine.peer().in_flight(), 1);
    h.cancel(1).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        h.engine.peer().in_flight(),
        1,
        "dropped before the grace period ended"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        h.engine.peer().in_flight(),
        0,
        "still running after the grace period"
    );
    assert!(h.next(Duration::from_secs(1)).await.is_none());
}

#[tokio::test(start_paused = true)]
async fn nothing_is_sent_on_behalf_of_a_request_after_its_response() {
    let mut h = Harness::new();
    h.request(1, "after").await;
    assert_eq!(
        h.next(Duration::from_secs(5)).await.unwrap()["result"]["done"],
        true
    );
    assert!(
        h.next(Duration::from_secs(1)).await.is_none(),
        "progress arrived after the response"
    );
    assert_eq!(h.late_progress_sent.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn many_concurrent_cancellations_leave_nothing_behind() {
    let mut h = Harness::new();
    for id in 0..200 {
        h.request(id, if id % 2 == 0 { "wait" } else { "ignore" })
            .await;
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(h.engine.peer().in_flight(), 200);
    for id in 0..200 {
        h.cancel(id).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(h.engine.peer().in_flight(), 0);
    assert!(
        h.next(Duration::from_secs(1)).await.is_none(),
        "a cancelled request was answered"
    );
    assert!(
        h.engine.drain(Duration::from_millis(1)).await,
        "request slots leaked"
    );
    h.request(500, "quick").await;
    assert_eq!(h.next(Duration::from_secs(1)).await.unwrap()["id"], 500);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_request_becomes_an_internal_error_without_details() {
    let mut h = Harness::new();
    h.request(1, "panic").await;
    let msg = h.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(msg["error"]["code"], -32603);
    assert!(
        !msg.to_string().contains("passwd"),
        "panic details leaked: {msg}"
    );
    h.request(2, "quick").await;
    assert_eq!(h.next(Duration::from_secs(5)).await.unwrap()["id"], 2);
}

#[tokio::test(start_paused = true)]
async fn at_shutdown_requests_are_cancelled_but_may_still_answer_within_the_grace() {
    let mut h = Harness::new();
    h.request(1, "wait").await;
    h.request(2, "ignore").await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    h.stop.cancel();
    let msg = h
        .next(Duration::from_secs(5))
        .await
        .expect("the cooperative request answers");
    assert_eq!(msg["id"], 1);
    assert_eq!(msg["result"]["wound"], "down");
    assert!(
        h.next(Duration::from_secs(5)).await.is_none(),
        "the stubborn request was answered"
    );
}

#[tokio::test(start_paused = true)]
async fn outgoing_requests_are_correlated_and_cancelled_on_timeout() {
    let mut h = Harness::new();
    let peer = h.engine.peer().clone();
    let call = tokio::spawn(async move {
        peer.request_raw(
            "client/thing",
            Some(&json!({"a": 1})),
            mcp_core::peer::RequestOptions::new().timeout(Duration::from_secs(1)),
        )
        .await
    });
    let req = h.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(req["method"], "client/thing");
    // No answer: the timeout sends notifications/cancelled with the request's id.
    let cancel = h.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], req["id"]);
    assert_eq!(cancel["params"]["reason"], "timeout");
    assert_eq!(
        call.await.unwrap().unwrap_err(),
        RequestError::Timeout(Duration::from_secs(1))
    );
    // A late response is discarded without effect.
    h.send(json!({"jsonrpc": "2.0", "id": req["id"], "result": {}}))
        .await;
    h.request(9, "quick").await;
    assert_eq!(h.next(Duration::from_secs(5)).await.unwrap()["id"], 9);
    assert_eq!(h.engine.peer().pending_outgoing(), 0);
}

#[tokio::test(start_paused = true)]
async fn outgoing_requests_get_their_response() {
    let mut h = Harness::new();
    let peer = h.engine.peer().clone();
    let call = tokio::spawn(async move {
        peer.request_raw::<Value>("client/thing", None, mcp_core::peer::RequestOptions::new())
            .await
    });
    let req = h.next(Duration::from_secs(5)).await.unwrap();
    h.send(json!({"jsonrpc": "2.0", "id": req["id"], "result": {"answer": 42}}))
        .await;
    let raw = call.await.unwrap().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(raw.get()).unwrap()["answer"],
        42
    );
}

/// Sends an outgoing request from the engine under test and returns the task awaiting it.
fn spawn_request(
    h: &Harness,
    method: &'static str,
    options: RequestOptions,
) -> tokio::task::JoinHandle<Result<Box<serde_json::value::RawValue>, RequestError>> {
    let peer = h.engine.peer().clone();
    tokio::spawn(async move { peer.request_raw::<Value>(method, None, options).await })
}

#[tokio::test(start_paused = true)]
async fn an_error_response_is_a_remote_error() {
    let mut h = Harness::new();
    let call = spawn_request(&h, "client/thing", RequestOptions::new());
    let req = h.next(Duration::from_secs(5)).await.unwrap();
    h.send(json!({"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32601, "message": "Method not found: client/thing"}}))
        .await;
    let err = call.await.unwrap().unwrap_err();
    let remote = err.as_remote().expect("a remote error");
    assert_eq!(remote.code.0, -32601);
    assert_eq!(
        err.to_string(),
        "the peer answered with error -32601: Method not found: client/thing"
    );
    // `?` into McpError keeps the peer's error as it is.
    assert_eq!(McpError::from(err).code.0, -32601);
}

#[tokio::test(start_paused = true)]
async fn cancel_on_sends_the_reason_and_fails_with_cancelled() {
    let mut h = Harness::new();
    let token = CancellationToken::new();
    let call = spawn_request(
        &h,
        "client/slow",
        RequestOptions::new().cancel_on(token.clone(), "user pressed Ctrl-C"),
    );
    let req = h.next(Duration::from_secs(5)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    token.cancel();
    let cancel = h.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], req["id"]);
    assert_eq!(cancel["params"]["reason"], "user pressed Ctrl-C");
    let err = call.await.unwrap().unwrap_err();
    assert_eq!(err, RequestError::Cancelled("user pressed Ctrl-C".into()));
    assert_eq!(
        err.to_string(),
        "the request was cancelled: user pressed Ctrl-C"
    );
    assert_eq!(h.engine.peer().pending_outgoing(), 0);
    // A late response is discarded.
    h.send(json!({"jsonrpc": "2.0", "id": req["id"], "result": {}}))
        .await;
    h.request(9, "quick").await;
    assert_eq!(h.next(Duration::from_secs(5)).await.unwrap()["id"], 9);
}

#[tokio::test(start_paused = true)]
async fn an_already_cancelled_token_sends_nothing() {
    let mut h = Harness::new();
    let token = CancellationToken::new();
    token.cancel();
    let call = spawn_request(
        &h,
        "client/slow",
        RequestOptions::new().cancel_on(token, "too late"),
    );
    assert_eq!(
        call.await.unwrap().unwrap_err(),
        RequestError::Cancelled("too late".into())
    );
    assert!(h.next(Duration::from_secs(1)).await.is_none());
}

#[tokio::test(start_paused = true)]
async fn no_cancel_notification_sends_nothing_on_timeout_or_drop() {
    let mut h = Harness::new();
    let call = spawn_request(
        &h,
        "initialize",
        RequestOptions::new()
            .timeout(Duration::from_millis(300))
            .no_cancel_notification(),
    );
    assert_eq!(
        h.next(Duration::from_secs(5)).await.unwrap()["method"],
        "initialize"
    );
    assert_eq!(
        call.await.unwrap().unwrap_err(),
        RequestError::Timeout(Duration::from_millis(300))
    );
    assert!(
        h.next(Duration::from_secs(1)).await.is_none(),
        "a cancellation was sent for a request that must not be cancelled"
    );

    let token = CancellationToken::new();
    let call = spawn_request(
        &h,
        "initialize",
        RequestOptions::new()
            .cancel_on(token.clone(), "stop")
            .no_cancel_notification(),
    );
    h.next(Duration::from_secs(5)).await.unwrap();
    token.cancel();
    assert_eq!(
        call.await.unwrap().unwrap_err(),
        RequestError::Cancelled("stop".into())
    );
    let call = spawn_request(
        &h,
        "initialize",
        RequestOptions::new().no_cancel_notification(),
    );
    h.next(Duration::from_secs(5)).await.unwrap();
    call.abort();
    let _ = call.await;
    assert!(h.next(Duration::from_secs(1)).await.is_none());
    assert_eq!(h.engine.peer().pending_outgoing(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_request_is_cancelled_with_reason_request_dropped() {
    let mut h = Harness::new();
    let call = spawn_request(&h, "client/slow", RequestOptions::new());
    let req = h.next(Duration::from_secs(5)).await.unwrap();
    call.abort();
    let _ = call.await;
    let cancel = h.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], req["id"]);
    assert_eq!(cancel["params"]["reason"], "request dropped");
}

#[tokio::test(start_paused = true)]
async fn local_failures_are_typed() {
    let mut config = EngineConfig::default();
    config.max_pending_outgoing = 1;
    let mut h = Harness::with_config(config);

    // Params that cannot be serialized: nothing is sent.
    let peer = h.engine.peer().clone();
    let bad: std::collections::BTreeMap<(i32, i32), i32> = [((1, 2), 3)].into();
    let err = peer
        .request_raw("client/thing", Some(&bad), RequestOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, RequestError::Serialize(_)), "{err:?}");
    assert!(h.next(Duration::from_millis(100)).await.is_none());

    // One request may wait; a second one is refused.
    let first = spawn_request(&h, "client/slow", RequestOptions::new());
    let req = h.next(Duration::from_secs(5)).await.unwrap();
    let err = peer
        .request_raw::<Value>("client/other", None, RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err, RequestError::TooManyPending);

    // A transport that lost the response fails the request.
    let id: mcp_core::RequestId = serde_json::from_value(req["id"].clone()).unwrap();
    assert!(peer.is_pending(&id));
    assert!(peer.fail_request(&id, RequestError::Transport("stream lost".into())));
    assert!(!peer.is_pending(&id));
    assert!(!peer.fail_request(&id, RequestError::Closed));
    assert_eq!(
        first.await.unwrap().unwrap_err(),
        RequestError::Transport("stream lost".into())
    );

    // Closing the engine fails what waits, and everything after.
    let waiting = spawn_request(&h, "client/slow", RequestOptions::new());
    h.next(Duration::from_secs(5)).await.unwrap();
    h.engine.close();
    assert_eq!(waiting.await.unwrap().unwrap_err(), RequestError::Closed);
    let err = peer
        .request_raw::<Value>("client/thing", None, RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err, RequestError::Closed);
    let as_mcp = McpError::from(err);
    assert_eq!(as_mcp.code.0, -32603);
    assert_eq!(as_mcp.message, "the connection is closed");
}
