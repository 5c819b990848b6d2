//! Accord's reference roles as HTTP services: issuers, a wallet, verifiers, a status-list
//! host, a trust-list host and a time-stamping authority. Each is an axum [`Router`] built by a `router(state)`
//! function over the sans-I/O protocol code in [`crate::protocol`], so tests can drive it
//! in-process and `accord serve` can run it standalone.
//!
//! Every role answers the control API under `/control/` (see `docs/control-api.openapi.json`):
//! `GET /control/health`, `GET /control/capabilities`, and its role's operations. An
//! operation a role does not support answers `501` with `error: not_implemented`, which the
//! harness reports as "not implemented", never as a pass or a failure.

pub mod bounds;
pub mod control;
pub mod guard;
pub mod issuer;
pub mod proxy;
mod server;
pub mod status_list;
pub mod topology;
pub mod trust_list;
pub mod tsa;
pub mod variant;
pub mod verifier;
pub mod wallet;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::formats::jose::{JoseError, SigningKey};
use crate::protocol::ProtocolError;
use crate::tls::{Security, ServerTls, TlsError};

use crate::trust::pki::TestPki;
pub use bounds::{MAX_REQUEST_BODY, ServeLimits};
pub use guard::ControlAccess;

/// A role listening on a socket, shut down when dropped.
pub struct Running {
    pub name: String,
    pub base_url: String,
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops the role and waits (a few seconds at most) until its socket is closed, so the
    /// same address can be bound again (a restart).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            // Open keep-alive connections are closed by the graceful shutdown; a request
            // that never ends must not hold the harness.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The server may already have stopped; nothing to do then.
            let _ = tx.send(());
        }
    }
}

/// Where a role listens, the URL others reach it at when that is not the one its socket
/// gives (a container behind a published port, a role behind the recording proxy), and
/// whether it serves HTTPS.
#[derive(Debug, Clone)]
pub struct Listen {
    pub addr: SocketAddr,
    pub public_url: Option<String>,
    /// The TLS identity to serve HTTPS with; plain HTTP when `None`.
    pub tls: Option<ServerTls>,
    /// Who may drive the control API ([`guard`]): a token, further host names.
    pub access: ControlAccess,
    /// The connection bounds ([`bounds`]).
    pub limits: ServeLimits,
}

impl From<SocketAddr> for Listen {
    /// Plain HTTP on `addr`: for what only the harness reaches (a role behind the recording
    /// proxy) and for `--plain-http` runs. Roles others reach use [`Listen::role`].
    fn from(addr: SocketAddr) -> Self {
        Self {
            addr,
            public_url: None,
            tls: None,
            access: ControlAccess::default(),
            limits: ServeLimits::default(),
        }
    }
}

impl Listen {
    /// A role reached by others as `host`: HTTPS with a certificate for `host` from the
    /// seed's TLS CA, or plain HTTP when the run asked for it.
    pub fn role(
        security: Security,
        pki: &TestPki,
        host: &str,
        addr: SocketAddr,
    ) -> Result<Self, TlsError> {
        let tls = match security {
            Security::Https => Some(ServerTls::for_host(pki, host)?),
            Security::PlainHttp => None,
        };
        Ok(Self {
            addr,
            public_url: None,
            tls,
            access: ControlAccess::default(),
            limits: ServeLimits::default(),
        })
    }

    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    pub fn with_access(mut self, access: ControlAccess) -> Self {
        self.access = access;
        self
    }

    pub fn with_limits(mut self, limits: ServeLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// Binds `listen.addr` (port 0 picks a free port), builds the router for the role's base URL
/// (the public URL if given, else `https://<its host>:<port>` or `http://<address>`), and
/// serves it on the current runtime until the returned handle is dropped. Every role gets
/// the control API's [`guard`] and the connection bounds of [`server`].
pub async fn serve(
    name: &str,
    listen: impl Into<Listen>,
    build: impl FnOnce(String) -> Router,
) -> std::io::Result<Running> {
    let listen = listen.into();
    let listener = tokio::net::TcpListener::bind(listen.addr).await?;
    let addr = listener.local_addr()?;
    let base_url = match (&listen.public_url, &listen.tls) {
        (Some(u), _) => u.trim_end_matches('/').to_owned(),
        (None, Some(tls)) => format!("https://{}:{}", tls.host, addr.port()),
        (None, None) => format!("http://{addr}"),
    };
    let guard = Arc::new(guard::Guard::new(
        addr,
        &base_url,
        listen.tls.as_ref().map(|t| t.host.as_str()),
        &listen.access,
    ));
    let router = build(base_url.clone())
        .layer(axum::middleware::from_fn_with_state(guard, guard::check))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY));
    let (tx, rx) = oneshot::channel::<()>();
    let server = server::spawn(
        listener,
        listen.tls.as_ref().map(|t| t.config.clone()),
        router,
        listen.limits,
        rx,
    );
    Ok(Running {
        name: name.to_owned(),
        base_url,
        addr,
        shutdown: Some(tx),
        server: Some(server),
    })
}

/// A JSON response that must not be cached (OpenID4VCI §6.2, §7.2; RFC 6749 §5.1).
pub fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, axum::Json(body.clone())).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A protocol error as its HTTP response; a 401 also carries `WWW-Authenticate` (RFC 6750
/// §3), with the error code when there is one (none for a request without authentication,
/// §3.1).
pub fn error_response(e: &ProtocolError) -> Response {
    let mut r = json_response(e.status, &e.body());
    if e.status == 401 {
        let challenge = if e.error.is_empty() {
            "Bearer".to_owned()
        } else {
            format!("Bearer error=\"{}\"", e.error)
        };
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    r
}

/// The parameters of an `application/x-www-form-urlencoded` request body, or the
/// `invalid_request` error citing `requirement` (`what` says what had to be form-encoded).
pub fn form_body(
    headers: &axum::http::HeaderMap,
    body: &[u8],
    requirement: &'static crate::requirements::Requirement,
    what: &str,
) -> Result<BTreeMap<String, String>, ProtocolError> {
    let refuse = |d: String| ProtocolError::bad_request("invalid_request", requirement, d);
    if media_type(headers) != "application/x-www-form-urlencoded" {
        return Err(refuse(format!(
            "{what} must be application/x-www-form-urlencoded"
        )));
    }
    parse_form(body).map_err(refuse)
}

/// `501`: the operation is part of the control API but this role does not support it.
pub fn not_implemented(operation: &str) -> Response {
    json_response(
        501,
        &json!({"error": "not_implemented", "operation": operation}),
    )
}

/// The control API's catch-all: any `/control/…` operation this role lacks.
pub async fn control_fallback(uri: axum::http::Uri) -> Response {
    not_implemented(uri.path())
}

/// A control-API failure: the operation ran but the protocol exchange it drove failed.
pub fn control_failure(
    step: &str,
    detail: impl Into<String>,
    counterpart: Option<Value>,
) -> Response {
    json_response(
        422,
        &json!({"error": "protocol_failed", "step": step, "detail": detail.into(), "counterpart_response": counterpart}),
    )
}

/// A control-API request the role cannot make sense of.
pub fn control_bad_request(detail: impl Into<String>) -> Response {
    json_response(
        400,
        &json!({"error": "invalid_control_request", "detail": detail.into()}),
    )
}

/// `GET /control/health`.
pub fn health(role: &str) -> Response {
    json_response(200, &json!({"status": "ok", "role": role}))
}

/// Parses an `application/x-www-form-urlencoded` body. A repeated parameter is an error
/// (RFC 6749 §3.1: parameters must not be included more than once).
pub fn parse_form(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("parameter {k:?} is repeated"));
        }
    }
    Ok(out)
}

/// A second handle on a key (aws-lc-rs key pairs are not `Clone`).
pub fn copy_key(key: &SigningKey) -> Result<SigningKey, JoseError> {
    SigningKey::from_jwk(key.private_jwk())
}

/// The `Content-Type` of a request or response, without parameters.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}
