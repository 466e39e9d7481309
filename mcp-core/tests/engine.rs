//! Deterministic tests of the peer engine's races, on paused tokio time over an in-memory
//! duplex stream: cancellation before start and after completion, progress after the
//! response, many concurrent cancellations, the grace period, and shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_core::peer::{
    Dispatch, Engine, EngineConfig, Handler, IncomingNotification, IncomingRequest, Peer,
    RequestContext, run_stream,
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
        match request.method.as_str() {
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
        let late_progress_sent = Arc::new(AtomicUsize::new(0));
        let handler = TestHandler {
            late_progress_sent: late_progress_sent.clone(),
            started: Arc::default(),
        };
        let mut config = EngineConfig::default();
        config.cancel_grace = Duration::from_millis(500);
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
    assert!(call.await.unwrap().is_err());
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
