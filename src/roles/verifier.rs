//! The reference verifier over HTTP: the request URI (`GET /request/{id}`) and response URI
//! (`POST /response`) of OpenID4VP around [`crate::protocol::oid4vp::Verifier`], and the
//! verifier's control API (`POST /control/requests`, `GET /control/requests/{id}`).
//!
//! Trust lists and status lists are fetched over HTTP through the recording transport when a
//! response arrives, so what the verifier relied on is in the log. A list that cannot be
//! fetched or verified is left out, and verification fails closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{
    control_bad_request, control_fallback, error_response, form_body, health, json_response,
};
use crate::entropy::Clock;
use crate::protocol::oid4vp::{CreateRequest, Verifier, VerifierFlaw, status_list_uris};
use crate::requirements::catalogue as req;
use crate::transport::{Request, Transport};
use crate::trust::mra::Arrangement;
use crate::trust::resolver::TrustContext;
use crate::trust::trust_list::{self, VerifiedTrustList};

/// Where the verifier's trust lists come from.
pub enum TrustSource {
    /// Lists given at start-up (standalone `accord serve` without a trust-list host).
    Fixed(Vec<VerifiedTrustList>),
    /// Fetched from a trust-list host for every response; each list's operator certificate
    /// is pinned.
    Fetch(Vec<(String, Vec<u8>)>),
}

/// Status lists fetched per response at most (one per presented credential in practice).
const MAX_STATUS_FETCHES: usize = 4;

pub struct VerifierRole {
    pub name: String,
    verifier: Mutex<Verifier>,
    transport: Transport,
    clock: Arc<dyn Clock>,
    trust: TrustSource,
    arrangement: Option<Arrangement>,
    /// The last list verified from each trust-list URL, with the bytes and the time it was
    /// verified for: the same bytes at the same time verify the same way, so they are not
    /// verified again (a memo, not a cache: every response still fetches the lists, and a
    /// changed list or a moved clock is verified afresh).
    verified_lists: Mutex<HashMap<String, (String, i64, VerifiedTrustList)>>,
}

impl VerifierRole {
    pub fn new(
        name: &str,
        verifier: Verifier,
        transport: Transport,
        clock: Arc<dyn Clock>,
        trust: TrustSource,
        arrangement: Option<Arrangement>,
    ) -> Self {
        Self {
            name: name.to_owned(),
            verifier: Mutex::new(verifier),
            transport,
            clock,
            trust,
            arrangement,
            verified_lists: Mutex::new(HashMap::new()),
        }
    }

    /// Verifies a fetched trust list, or recalls the verification of the same bytes at the
    /// same time.
    fn verify_list(
        &self,
        url: &str,
        text: String,
        operator: &[u8],
        now: i64,
    ) -> Option<VerifiedTrustList> {
        let mut memo = self
            .verified_lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, at, list)) = memo.get(url)
            && *seen == text
            && *at == now
        {
            return Some(list.clone());
        }
        let list = trust_list::verify(&text, Some(operator), now).ok()?;
        memo.insert(url.to_owned(), (text, now, list.clone()));
        Some(list)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Verifier) -> T) -> T {
        let mut guard = self
            .verifier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    async fn trust_context(&self, jurisdiction: &str, now: i64) -> TrustContext {
        let lists = match &self.trust {
            TrustSource::Fixed(lists) => lists.clone(),
            TrustSource::Fetch(sources) => {
                let mut lists = Vec::new();
                for (url, operator) in sources {
                    let Ok(r) = self
                        .transport
                        .send(&self.name, "trust-list", Request::get(url))
                        .await
                    else {
                        continue;
                    };
                    if r.status != 200 {
                        continue;
                    }
                    if let Some(list) = self.verify_list(url, r.text(), operator, now) {
                        lists.push(list);
                    }
                }
                lists
            }
        };
        TrustContext {
            lists,
            arrangement: self
                .arrangement
                .clone()
                .map(|a| (a, jurisdiction.to_owned())),
            now,
        }
    }
}

pub fn router(state: Arc<VerifierRole>) -> Router {
    Router::new()
        .route(
            "/request/{id}",
            get(request_object).post(request_object_by_post),
        )
        .route("/response", post(response))
        .route("/control/health", get(|| async { health("verifier") }))
        .route("/control/capabilities", get(capabilities))
        .route("/control/requests", post(create_request))
        .route("/control/requests/{id}", get(read_result))
        .route("/control/{*rest}", axum::routing::any(control_fallback))
        .with_state(state)
}

async fn request_object(State(s): State<Arc<VerifierRole>>, Path(id): Path<String>) -> Response {
    signed_request_object(&s, &id, None)
}

/// `request_uri_method=post` (OpenID4VP 1.0 §5.10): a form-encoded POST, whose
/// `wallet_nonce` goes into the request object; unknown parameters are ignored.
async fn request_object_by_post(
    State(s): State<Arc<VerifierRole>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match form_body(
        &headers,
        &body,
        &req::OID4VP_REQUEST_URI_POST,
        "a request URI POST (§5.10)",
    ) {
        Ok(f) => f,
        Err(e) => return error_response(&e),
    };
    signed_request_object(&s, &id, form.get("wallet_nonce").map(String::as_str))
}

fn signed_request_object(s: &VerifierRole, id: &str, wallet_nonce: Option<&str>) -> Response {
    let now = s.clock.now();
    match s.with(|v| v.request_object(id, wallet_nonce, now)) {
        Ok(jwt) => (
            [(header::CONTENT_TYPE, "application/oauth-authz-req+jwt")],
            jwt,
        )
            .into_response(),
        Err(e) => error_response(&e),
    }
}

async fn response(State(s): State<Arc<VerifierRole>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match form_body(
        &headers,
        &body,
        &req::OID4VP_DIRECT_POST,
        "the authorization response (§8.2)",
    ) {
        Ok(f) => f,
        Err(e) => return error_response(&e),
    };
    let now = s.clock.now();
    let received = match s.with(|v| v.receive(&form, now)) {
        Ok(Some(r)) => r,
        Ok(None) => return json_response(200, &json!({})),
        Err(e) => return error_response(&e),
    };
    let jurisdiction = s.with(|v| v.config.jurisdiction.clone());
    let trust = s.trust_context(&jurisdiction, now).await;
    // Only URIs a trusted issuer signed are fetched, a few at most, with the transport's
    // bounded time and size; a credential whose list is not fetched fails closed.
    let mut statuses = HashMap::new();
    let skip_status = s.with(|v| v.config.flaws.contains(&VerifierFlaw::SkipStatusCheck));
    for uri in status_list_uris(&received.vp_token, &trust, now)
        .into_iter()
        .filter(|_| !skip_status)
        .take(MAX_STATUS_FETCHES)
    {
        let fetched = s
            .transport
            .send(
                &s.name,
                "status-list",
                Request::get(&uri).header("accept", "application/statuslist+jwt"),
            )
            .await
            .ok()
            .filter(|r| r.status == 200)
            .map(|r| r.text());
        statuses.insert(uri, fetched);
    }
    match s.with(|v| v.finish(received, &trust, &statuses, now)) {
        Ok(body) => json_response(200, &body),
        Err(e) => error_response(&e),
    }
}

async fn capabilities(State(s): State<Arc<VerifierRole>>) -> Response {
    let caps = s.with(|v| {
        json!({
            "role": "verifier",
            "implementation": s.name,
            "jurisdiction": v.config.jurisdiction,
            "client_id": v.config.client_id(),
            "client_id_prefixes": v.config.prefixes().iter().map(|p| p.name()).collect::<Vec<_>>(),
            "response_modes": v.config.response_modes.iter().map(|m| m.name()).collect::<Vec<_>>(),
            "encrypted_response_enc_values": v.config.enc_values.iter().map(|e| e.name()).collect::<Vec<_>>(),
            "formats": ["dc+sd-jwt"],
            "query_languages": ["dcql"],
            "algorithms": ["ES256"],
            "tls": v.config.base_url.starts_with("https://"),
            "flaws": v.config.flaws.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "control_operations": ["health", "capabilities", "create_request", "read_result"],
        })
    });
    json_response(200, &caps)
}

async fn create_request(State(s): State<Arc<VerifierRole>>, body: Bytes) -> Response {
    let request: CreateRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return control_bad_request(e.to_string()),
    };
    let now = s.clock.now();
    match s.with(|v| v.create_request(&request, now)) {
        Ok(created) => json_response(200, &serde_json::to_value(created).unwrap_or(Value::Null)),
        Err(e) => error_response(&e),
    }
}

async fn read_result(State(s): State<Arc<VerifierRole>>, Path(id): Path<String>) -> Response {
    match s.with(|v| v.outcome_report(&id)) {
        Some(outcome) => json_response(200, &outcome),
        None => json_response(404, &json!({"error": "not_found", "request": id})),
    }
}
