//! The time-stamping authority as an HTTP role (RFC 3161 §3.4): `POST /` with an
//! `application/timestamp-query` body answers an `application/timestamp-reply`, a token or
//! a rejection, both with status 200 as the RFC's HTTP binding has it (the rejection is in
//! the `PKIStatusInfo`). The TSA itself is [`crate::trust::tsp::Tsa`]; this module serves it
//! and lets the harness switch its fault (`PUT /control/fault`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::{
    Listen, Running, control_bad_request, control_fallback, health, json_response, media_type,
    serve,
};
use crate::entropy::Clock;
use crate::trust::tsp::{
    MAX_REQUEST_BYTES, QUERY_MEDIA_TYPE, REPLY_MEDIA_TYPE, Tsa, TsaFault, TsaSite,
};
use crate::trust::tsp_pki::TrustServicePki;

/// The role's name in logs, capabilities and health.
pub const ROLE: &str = "tsa";

/// The host a TSA of `site` serves under: `tsa.eu.accord.test` for the EU sites,
/// `tsa.jp.accord.test` for Japan's.
pub fn host(site: TsaSite) -> String {
    let code = if site == TsaSite::Jp { "jp" } else { "eu" };
    crate::tls::host_for(ROLE, Some(code))
}

pub fn router(state: Arc<Tsa>) -> Router {
    Router::new()
        .route("/", post(stamp))
        .route("/control/health", get(|| async { health(ROLE) }))
        .route("/control/capabilities", get(capabilities))
        .route("/control/fault", get(get_fault).put(set_fault))
        .route("/control/{*rest}", axum::routing::any(control_fallback))
        .with_state(state)
}

/// Starts the TSA of `site` over the seeded providers, with `fault` set from the start.
pub async fn start_tsa(
    pki: Arc<TrustServicePki>,
    site: TsaSite,
    clock: Arc<dyn Clock>,
    fault: Option<TsaFault>,
    bind: impl Into<Listen>,
) -> std::io::Result<Running> {
    let tsa = Arc::new(Tsa::new(pki, site, clock));
    tsa.set_fault(fault);
    serve(ROLE, bind, move |_base_url| router(tsa)).await
}

/// Starts the TSA on a loopback port (plain HTTP), for tests.
pub async fn start_loopback(
    pki: Arc<TrustServicePki>,
    site: TsaSite,
    clock: Arc<dyn Clock>,
    fault: Option<TsaFault>,
) -> std::io::Result<Running> {
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    start_tsa(pki, site, clock, fault, addr).await
}

fn plain(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

async fn stamp(State(tsa): State<Arc<Tsa>>, headers: HeaderMap, body: Bytes) -> Response {
    // RFC 3161 §3.4: the request is application/timestamp-query.
    if media_type(&headers) != QUERY_MEDIA_TYPE {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("a time-stamp request is {QUERY_MEDIA_TYPE} (RFC 3161 section 3.4)\n"),
        );
    }
    if body.len() > MAX_REQUEST_BYTES {
        return plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a time-stamp request is at most {MAX_REQUEST_BYTES} bytes\n"),
        );
    }
    let reply = tsa.respond(&body);
    ([(header::CONTENT_TYPE, REPLY_MEDIA_TYPE)], reply).into_response()
}

fn fault_name(fault: Option<TsaFault>) -> serde_json::Value {
    fault.map_or(serde_json::Value::Null, |f| json!(f.as_str()))
}

async fn capabilities(State(tsa): State<Arc<Tsa>>) -> Response {
    json_response(
        200,
        &json!({
            "role": ROLE,
            "site": tsa.site(),
            "policy": tsa.policy,
            "faults": TsaFault::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
            "control_operations": ["health", "capabilities", "get_fault", "set_fault"],
        }),
    )
}

async fn get_fault(State(tsa): State<Arc<Tsa>>) -> Response {
    json_response(200, &json!({"fault": fault_name(tsa.fault())}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFault {
    /// A fault's name, or `null` to behave.
    fault: Option<String>,
}

async fn set_fault(State(tsa): State<Arc<Tsa>>, body: Bytes) -> Response {
    let request: SetFault = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return control_bad_request(e.to_string()),
    };
    let fault = match request.fault.as_deref() {
        None => None,
        Some(name) => match TsaFault::parse(name) {
            Some(f) => Some(f),
            None => return control_bad_request(format!("unknown fault {name:?}")),
        },
    };
    tsa.set_fault(fault);
    json_response(200, &json!({"fault": fault_name(fault)}))
}
