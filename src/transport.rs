//! The recording transport: every HTTP exchange Accord's harness and reference roles make
//! goes through [`Transport::send`], which bounds it in time and size and records it, request
//! and response in full, as an [`Exchange`] in an [`ExchangeSink`]. The run engine turns
//! the sink's contents into `http-exchange` events, so the log holds the evidence a replay
//! needs; human reports redact secrets with [`redact`].
//!
//! A counterpart that sends garbage, a huge body, answers slowly or drops the connection gets
//! a [`TransportError`] naming what happened, and the failed exchange is recorded too: a
//! misbehaving implementation becomes a finding, never a hung or crashed harness.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Limits on one exchange.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Whole exchange, connect to last byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest response body accepted, bytes.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_body: 1 << 20,
        }
    }
}

/// One recorded HTTP exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// Who sent the request (`harness`, `wallet`, `verifier:jp`, …).
    pub from: String,
    /// Who it was meant for.
    pub to: String,
    pub method: String,
    pub url: String,
    pub request_headers: BTreeMap<String, String>,
    pub request_body: String,
    /// `None` when no response arrived (see `error`).
    pub status: Option<u16>,
    pub response_headers: BTreeMap<String, String>,
    pub response_body: String,
    /// Why the exchange failed at the transport level.
    pub error: Option<String>,
}

/// Where exchanges are collected until the run engine records them. A disabled sink (for
/// standalone `accord serve`, which has no run to record into) drops them.
#[derive(Debug, Clone)]
pub struct ExchangeSink(Option<Arc<Mutex<Vec<Exchange>>>>);

impl Default for ExchangeSink {
    fn default() -> Self {
        Self(Some(Arc::default()))
    }
}

impl ExchangeSink {
    pub fn disabled() -> Self {
        Self(None)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Vec<Exchange>) -> T) -> Option<T> {
        // A poisoned lock only means another thread panicked mid-push; the data is still a
        // list of whole exchanges, so keep recording.
        self.0
            .as_ref()
            .map(|m| f(&mut m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)))
    }

    pub fn push(&self, exchange: Exchange) {
        self.with(|v| v.push(exchange));
    }

    /// The newest recorded exchange that `pick` accepts, left in place.
    pub fn last_matching(&self, pick: impl Fn(&Exchange) -> bool) -> Option<Exchange> {
        self.with(|v| v.iter().rev().find(|e| pick(e)).cloned())
            .flatten()
    }

    /// How many exchanges wait to be drained.
    pub fn len(&self) -> usize {
        self.with(|v| v.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes every exchange recorded so far, oldest first.
    pub fn drain(&self) -> Vec<Exchange> {
        self.with(std::mem::take).unwrap_or_default()
    }
}

/// An HTTP request to send.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn post_form(url: impl Into<String>, pairs: &[(&str, &str)]) -> Self {
        let body = crate::protocol::oid4vci::form(pairs).into_bytes();
        Self {
            method: "POST".into(),
            url: url.into(),
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body,
        }
    }

    pub fn post_json(url: impl Into<String>, body: &Value) -> Self {
        Self {
            method: "POST".into(),
            url: url.into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn put_json(url: impl Into<String>, body: &Value) -> Self {
        Self {
            method: "PUT".into(),
            ..Self::post_json(url, body)
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// A response received in full.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, or an error saying what came instead.
    pub fn json(&self) -> Result<Value, TransportError> {
        serde_json::from_slice(&self.body).map_err(|e| TransportError::NotJson {
            status: self.status,
            message: e.to_string(),
            body_start: self.text().chars().take(120).collect(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("{url}: no response within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url}: could not connect: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: the response body exceeds the {limit}-byte limit")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: the exchange failed: {message}")]
    Failed { url: String, message: String },
    #[error("the request is malformed: {0}")]
    BadRequest(String),
    #[error("HTTP {status}: the body is not JSON ({message}); it starts {body_start:?}")]
    NotJson {
        status: u16,
        message: String,
        body_start: String,
    },
}

/// The harness's HTTP client. Cloning shares the connection pool and the sink.
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
    sink: ExchangeSink,
    limits: Limits,
}

impl Transport {
    /// A client that trusts the CAs of `trust` (and nothing else) for `https` URLs and
    /// resolves the test domain's names to loopback itself ([`crate::tls`]).
    pub fn new(
        sink: ExchangeSink,
        limits: Limits,
        trust: &crate::tls::ClientTrust,
    ) -> Result<Self, TransportError> {
        let tls = trust
            .client_config()
            .map_err(|e| TransportError::BadRequest(e.to_string()))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(crate::tls::TestDomainResolver)
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            // Redirects are protocol messages here (authorization responses), and OpenID4VP
            // §8.2 tells wallets not to follow them from a response URI.
            .redirect(reqwest::redirect::Policy::none())
            // Connections are kept for the next exchange with the same player (a TLS
            // handshake is paid once per pair), but not longer than common servers keep an
            // idle one (uvicorn closes after 5 s): a connection the server closed while idle
            // would otherwise fail the next request sent on it.
            .pool_idle_timeout(std::time::Duration::from_secs(3))
            .no_proxy()
            .build()
            .map_err(|e| TransportError::BadRequest(e.to_string()))?;
        Ok(Self {
            client,
            sink,
            limits,
        })
    }

    pub fn sink(&self) -> &ExchangeSink {
        &self.sink
    }

    /// The same client (its connections and the CAs it trusts) recording into `sink`.
    pub fn with_sink(&self, sink: ExchangeSink) -> Self {
        Self {
            client: self.client.clone(),
            sink,
            limits: self.limits,
        }
    }

    /// Sends `request` from `from` to `to`, records the exchange, and returns the response
    /// (any status) or why none arrived.
    pub async fn send(
        &self,
        from: &str,
        to: &str,
        request: Request,
    ) -> Result<Response, TransportError> {
        self.send_bearer(from, to, request, None).await
    }

    /// [`Self::send`] with `Authorization: Bearer <secret>` added on the wire only: the
    /// recorded exchange shows [`SECRET_BEARER`] in its place. For a control API's token,
    /// a real secret that must not reach the log (logs are bundled and shared), unlike the
    /// protocol's access tokens, which are test values and part of the transcript.
    pub async fn send_bearer(
        &self,
        from: &str,
        to: &str,
        request: Request,
        secret: Option<&str>,
    ) -> Result<Response, TransportError> {
        let recorded_authorization = secret.map(|_| SECRET_BEARER.to_owned());
        let request = match secret {
            Some(t) => request.header("authorization", format!("Bearer {t}")),
            None => request,
        };
        let mut exchange = Exchange {
            from: from.to_owned(),
            to: to.to_owned(),
            method: request.method.clone(),
            url: request.url.clone(),
            request_headers: request
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            request_body: String::from_utf8_lossy(&request.body).into_owned(),
            status: None,
            response_headers: BTreeMap::new(),
            response_body: String::new(),
            error: None,
        };
        if let Some(shown) = recorded_authorization {
            exchange
                .request_headers
                .insert("authorization".to_owned(), shown);
        }
        let result = self.exchange(request).await;
        match &result {
            Ok(r) => {
                exchange.status = Some(r.status);
                exchange.response_headers = r.headers.clone();
                exchange.response_body = r.text();
            }
            Err(e) => exchange.error = Some(e.to_string()),
        }
        self.sink.push(exchange);
        result
    }

    /// Sends `request` without recording it: readiness polls before a player is on stage,
    /// whose number depends on how fast it starts and says nothing about conformance.
    pub async fn send_unrecorded(&self, request: Request) -> Result<Response, TransportError> {
        self.exchange(request).await
    }

    async fn exchange(&self, request: Request) -> Result<Response, TransportError> {
        let url = request.url.clone();
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| TransportError::BadRequest(e.to_string()))?;
        let mut builder = self.client.request(method, &request.url);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                TransportError::Timeout {
                    url: url.clone(),
                    seconds: self.limits.timeout.as_secs(),
                }
            } else if e.is_connect() {
                TransportError::Connect {
                    url: url.clone(),
                    message: error_chain(&e),
                }
            } else if e.is_builder() {
                TransportError::BadRequest(error_chain(&e))
            } else {
                TransportError::Failed {
                    url: url.clone(),
                    message: error_chain(&e),
                }
            }
        };
        let mut response = builder.body(request.body).send().await.map_err(classify)?;
        if response
            .content_length()
            .is_some_and(|n| n > self.limits.max_body as u64)
        {
            return Err(TransportError::TooLarge {
                url,
                limit: self.limits.max_body,
            });
        }
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            // `date` is the counterpart's wall clock: not evidence anyone needs, and it would
            // make two runs of the same seed differ.
            .filter(|(k, _)| k.as_str() != "date")
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // Read in chunks so a body that never ends, or ends too late, is cut off at the
        // limit instead of filling memory.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.limits.max_body {
                return Err(TransportError::TooLarge {
                    url,
                    limit: self.limits.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// What a recorded exchange shows for a control token sent by [`Transport::send_bearer`].
pub const SECRET_BEARER: &str = "Bearer [control token]";

/// Redacts a body for a human report: kept under this name for the event docs that point
/// here; the rules are [`crate::projections::redact`]'s.
pub use crate::projections::redact::body as redact;
/// Redacts a URL's query and fragment for a human report ([`crate::projections::redact`]).
pub use crate::projections::redact::url as redact_url;
