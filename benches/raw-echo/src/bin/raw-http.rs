//! The Streamable HTTP ceiling: bare hyper (HTTP/1.1, one current-thread tokio runtime) answering
//! `POST /mcp` with [`raw_echo::answer`]. `--json` answers with `application/json` bodies,
//! otherwise (`--sse`) with a one-event `text/event-stream` body sent chunked, as a streaming
//! response would be. `initialize` gets an `Mcp-Session-Id` (never checked afterwards);
//! notifications get 202.
//!
//! Usage: `raw-http --http 127.0.0.1:PORT [--json|--sse]`

use std::cell::Cell;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::{Request, Response, StatusCode};

/// A body of at most one chunk; its length is announced (`Content-Length`) only when `exact`.
struct OneChunk {
    data: Option<Bytes>,
    exact: bool,
}

impl http_body::Body for OneChunk {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.data.take().map(|d| Ok(Frame::data(d))))
    }
    fn is_end_stream(&self) -> bool {
        self.exact && self.data.is_none()
    }
    fn size_hint(&self) -> SizeHint {
        if self.exact {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        } else {
            SizeHint::default()
        }
    }
}

thread_local! {
    static SESSIONS: Cell<u64> = const { Cell::new(0) };
}

async fn handle(req: Request<hyper::body::Incoming>, json: bool) -> Result<Response<OneChunk>, Infallible> {
    let reply = |status: StatusCode, data: Option<Bytes>, exact: bool| {
        let mut r = Response::new(OneChunk { data, exact });
        *r.status_mut() = status;
        r
    };
    if req.method() != hyper::Method::POST || req.uri().path() != "/mcp" {
        return Ok(reply(StatusCode::METHOD_NOT_ALLOWED, None, true));
    }
    let Ok(body) = req.into_body().collect().await.map(|b| b.to_bytes()) else {
        return Ok(reply(StatusCode::BAD_REQUEST, None, true));
    };
    let mut out = Vec::with_capacity(256);
    if json {
        let kind = raw_echo::answer(&body, &mut out);
        if kind == raw_echo::Kind::Nothing {
            return Ok(reply(StatusCode::ACCEPTED, None, true));
        }
        let mut r = reply(StatusCode::OK, Some(Bytes::from(out)), true);
        r.headers_mut().insert("content-type", "application/json".parse().unwrap());
        if kind == raw_echo::Kind::Initialize {
            add_session(&mut r);
        }
        Ok(r)
    } else {
        out.extend_from_slice(b"event: message\ndata: ");
        let kind = raw_echo::answer(&body, &mut out);
        if kind == raw_echo::Kind::Nothing {
            return Ok(reply(StatusCode::ACCEPTED, None, true));
        }
        out.extend_from_slice(b"\n\n");
        let mut r = reply(StatusCode::OK, Some(Bytes::from(out)), false);
        r.headers_mut().insert("content-type", "text/event-stream".parse().unwrap());
        r.headers_mut().insert("cache-control", "no-cache".parse().unwrap());
        if kind == raw_echo::Kind::Initialize {
            add_session(&mut r);
        }
        Ok(r)
    }
}

fn add_session(r: &mut Response<OneChunk>) {
    let n = SESSIONS.with(|s| {
        s.set(s.get() + 1);
        s.get()
    });
    r.headers_mut().insert("mcp-session-id", format!("raw-{n}").parse().unwrap());
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .iter()
        .position(|a| a == "--http")
        .and_then(|i| args.get(i + 1))
        .expect("usage: raw-http --http ADDR [--json|--sse]")
        .clone();
    let json = args.iter().any(|a| a == "--json" || a == "--json-response");
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| handle(req, json));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
        });
    }
}
