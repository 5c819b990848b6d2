//! The recording proxy: stands in front of a role, forwards every request to it through the
//! recording transport (so exchanges the harness does not make itself are recorded too), and
//! injects faults on demand: a delay, an HTTP error status, a truncated body, or a connection
//! dropped half-way through the response. Scenarios use it to state what a conformant
//! implementation must do when a counterpart misbehaves (a verifier fails closed when the
//! status-list host is unreachable).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::transport::{Request, Transport};

/// What the proxy does to the next responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward faithfully.
    None,
    /// Wait this long before answering.
    Delay(Duration),
    /// Answer this status with a short text body instead of forwarding.
    Status(u16),
    /// Forward, but cut the response body in half.
    Truncate,
    /// Forward the headers and half the body, then drop the connection.
    Drop,
}

impl Fault {
    /// The fault a step's words name (`answers 503`, `truncates its answers`, `drops the
    /// connection`, `answers after N ms`): what `fault-injected` events record, so a replay
    /// can inject the same fault again.
    pub fn from_words(words: &str) -> Option<Fault> {
        Some(match words {
            "answers 503" => Fault::Status(503),
            "truncates its answers" => Fault::Truncate,
            "drops the connection" => Fault::Drop,
            other => Fault::Delay(Duration::from_millis(
                other
                    .strip_prefix("answers after ")?
                    .strip_suffix(" ms")?
                    .parse()
                    .ok()?,
            )),
        })
    }
}

pub struct Proxy {
    /// Who the proxy speaks as in recorded exchanges.
    pub name: String,
    /// The role it stands in front of (settable, so the proxy can be started first and its URL
    /// given to the role as its public URL).
    target: Mutex<String>,
    target_name: String,
    transport: Transport,
    fault: Mutex<Fault>,
}

impl Proxy {
    pub fn new(name: &str, target: &str, target_name: &str, transport: Transport) -> Self {
        Self {
            name: name.to_owned(),
            target: Mutex::new(target.trim_end_matches('/').to_owned()),
            target_name: target_name.to_owned(),
            transport,
            fault: Mutex::new(Fault::None),
        }
    }

    pub fn set_target(&self, target: &str) {
        *self
            .target
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            target.trim_end_matches('/').to_owned();
    }

    pub fn set_fault(&self, fault: Fault) {
        *self
            .fault
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fault;
    }

    fn fault(&self) -> Fault {
        self.fault
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Every path and method is forwarded.
pub fn router(state: Arc<Proxy>) -> Router {
    Router::new().fallback(forward).with_state(state)
}

/// Headers worth passing on; hop-by-hop ones are the proxy's own business.
const FORWARDED: &[&str] = &["content-type", "authorization", "accept"];

async fn forward(
    State(p): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = p.fault();
    if let Fault::Status(code) = fault {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return (status, format!("fault injected by {}: HTTP {code}", p.name)).into_response();
    }
    if let Fault::Delay(d) = fault {
        tokio::time::sleep(d).await;
    }
    let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut request = Request {
        method: method.as_str().to_owned(),
        url: format!(
            "{}{path}",
            p.target
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        ),
        headers: Vec::new(),
        body: body.to_vec(),
    };
    for name in FORWARDED {
        if let Some(v) = headers.get(*name).and_then(|v| v.to_str().ok()) {
            request.headers.push(((*name).to_owned(), v.to_owned()));
        }
    }
    let answer = match p.transport.send(&p.name, &p.target_name, request).await {
        Ok(a) => a,
        Err(e) => {
            return (StatusCode::BAD_GATEWAY, format!("{}: {e}", p.name)).into_response();
        }
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = answer
        .header("content-type")
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut body = answer.body;
    let half = body.len() / 2;
    let response_body = match fault {
        Fault::Truncate => {
            body.truncate(half);
            Body::from(body)
        }
        Fault::Drop => {
            // Half the body, then an error: the server aborts the connection mid-response.
            body.truncate(half);
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from(body)),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fault injected: connection dropped",
                )),
            ];
            Body::from_stream(futures::stream::iter(chunks))
        }
        _ => Body::from(body),
    };
    let mut response = (status, response_body).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&content_type) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, v);
    }
    response
}
