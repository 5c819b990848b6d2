//! The reference roles' HTTP/1.1 server: a small accept loop over hyper, in place of
//! `axum::serve`, so that every listener (plain and TLS) bounds what a client can hold
//! (issue 17, item 4), with the values of [`ServeLimits`]:
//!
//! - at most `max_connections` at once; one more is closed as soon as it is accepted, so the
//!   process never runs out of descriptors and `accept` never stalls;
//! - a TLS handshake within `handshake_timeout`, off the accept loop;
//! - a request head within `header_read_timeout` of the connection waiting for one, which
//!   closes idle keep-alive connections and slowloris heads alike (hyper's timer);
//! - a request body within `body_read_timeout`, and the whole request within
//!   `request_timeout`;
//! - graceful shutdown: the listening socket is closed at once (the port can be bound again),
//!   connections finish their request in flight within `shutdown_grace`, then are dropped.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use http_body::Body as HttpBody;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::bounds::ServeLimits;

/// Serves `router` on `listener` (over TLS when `tls` is given) until `shutdown` fires or its
/// sender is dropped.
pub fn spawn(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    limits: ServeLimits,
    shutdown: oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(accept_loop(
        listener,
        tls.map(TlsAcceptor::from),
        router,
        limits,
        shutdown,
    ))
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: ServeLimits,
    mut shutdown: oneshot::Receiver<()>,
) {
    let max = limits.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(false);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors (other sockets of the process) or a connection reset
                // before it was accepted: let the condition pass rather than spin.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // At the cap: closed now rather than queued, so a flood of idle connections
            // costs one descriptor each for an instant, and the others keep being served.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            tls.clone(),
            router.clone(),
            limits,
            stopping.clone(),
            permit,
        ));
    }
    // The port is released now; connections get their grace period.
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.shutdown_grace, permits.acquire_many(all)).await;
}

async fn connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: ServeLimits,
    mut stopping: watch::Receiver<bool>,
    // Held until the connection ends: it is what the cap counts.
    _permit: OwnedSemaphorePermit,
) {
    match tls {
        Some(acceptor) => {
            let handshake = tokio::select! {
                h = tokio::time::timeout(limits.handshake_timeout, acceptor.accept(stream)) => h,
                _ = stopping.wait_for(|s| *s) => return,
            };
            if let Ok(Ok(stream)) = handshake {
                drive(stream, router, limits, stopping).await;
            }
        }
        None => drive(stream, router, limits, stopping).await,
    }
}

async fn drive<I>(io: I, router: Router, limits: ServeLimits, mut stopping: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let router = router.clone();
        async move { Ok::<_, Infallible>(handle(router, request, limits).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopping.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(limits.shutdown_grace, conn).await;
}

async fn handle(
    router: Router,
    request: hyper::Request<Incoming>,
    limits: ServeLimits,
) -> Response {
    let request = request.map(|body| {
        Body::new(Deadline {
            inner: Body::new(body),
            deadline: Box::pin(tokio::time::sleep(limits.body_read_timeout)),
        })
    });
    match tokio::time::timeout(limits.request_timeout, router.oneshot(request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            let mut r = super::json_response(
                503,
                &json!({"error": "request_timeout", "detail": format!("the request was not handled within {} s", limits.request_timeout.as_secs())}),
            );
            // The request may still be arriving: the connection cannot be reused.
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }
    }
}

/// A request body that fails if it has not arrived whole by its deadline, so a client
/// sending one byte now and then cannot hold a handler (and its connection).
struct Deadline {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err("the request body did not arrive in time".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
