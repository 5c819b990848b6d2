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
use crate::trust::etsi_tl::{self, TL_MIME_TYPE, lotl::LoadedLists, lotl::Pins};
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
    /// Where the XML trusted lists for seals and signed PDFs are read (`None`: this verifier
    /// judges no seal, and `POST /control/seals` answers 501).
    seal_lists: Option<SealLists>,
}

/// The XML trusted lists a verifier reads to judge seals: the EU LOTL (and every list it
/// points to), and lists read on their own, each with the signers configuration pins.
#[derive(Debug, Clone)]
pub struct SealLists {
    pub lotl_url: String,
    /// Lists read besides the LOTL (Japan's, Accord's proposal), by URL.
    pub other_urls: Vec<String>,
    pub pins: Pins,
}

/// Lists fetched per seal judgement at most (the LOTL, its pointers, the other lists).
const MAX_SEAL_LIST_FETCHES: usize = 16;

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
            seal_lists: None,
        }
    }

    /// The same verifier, judging seals against the XML trusted lists of `lists`.
    pub fn with_seal_lists(mut self, lists: SealLists) -> Self {
        self.seal_lists = Some(lists);
        self
    }

    async fn fetch_list(&self, url: &str) -> Result<Vec<u8>, String> {
        let r = self
            .transport
            .send(
                &self.name,
                "trust-list",
                Request::get(url).header("accept", TL_MIME_TYPE),
            )
            .await
            .map_err(|e| e.to_string())?;
        if r.status != 200 {
            return Err(format!("HTTP {}", r.status));
        }
        Ok(r.body.to_vec())
    }

    /// Fetches the LOTL, the lists it points to and the other lists, and judges each (the
    /// LOTL against the pinned signers, each national list against the signers the LOTL
    /// pins for it, the others against the configured signers). Every fetch is recorded.
    async fn load_seal_lists(&self, lists: &SealLists, now: i64) -> Vec<LoadedLists> {
        let mut loaded = Vec::new();
        let lotl = self.fetch_list(&lists.lotl_url).await;
        let lotl_text = lotl
            .as_ref()
            .ok()
            .and_then(|b| String::from_utf8(b.clone()).ok());
        match lotl_text {
            Some(text) => {
                // The LOTL is judged first; only an accepted LOTL's pointers are fetched.
                let judged = etsi_tl::lotl::judge_list(
                    "",
                    &lists.lotl_url,
                    &text,
                    &lists.pins.lotl_signers,
                    now,
                );
                let mut fetched: HashMap<String, Result<Vec<u8>, String>> = HashMap::new();
                for p in etsi_tl::lotl::followable(&judged)
                    .iter()
                    .take(MAX_SEAL_LIST_FETCHES)
                {
                    if !fetched.contains_key(&p.location) {
                        let bytes = self.fetch_list(&p.location).await;
                        fetched.insert(p.location.clone(), bytes);
                    }
                }
                loaded.push(etsi_tl::lotl::follow_judged(judged, now, |url| {
                    fetched.get(url).cloned().unwrap_or_else(|| {
                        Err(format!(
                            "not fetched: past MAX_SEAL_LIST_FETCHES ({MAX_SEAL_LIST_FETCHES})"
                        ))
                    })
                }));
            }
            None => loaded.push(etsi_tl::lotl::unreadable_lotl(
                &lists.lotl_url,
                lotl.err().unwrap_or_else(|| "the LOTL is not UTF-8".into()),
            )),
        }
        for url in lists.other_urls.iter().take(MAX_SEAL_LIST_FETCHES) {
            let outcome = match self.fetch_list(url).await {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        etsi_tl::lotl::judge_list("", url, &text, &lists.pins.list_signers, now)
                    }
                    Err(_) => etsi_tl::lotl::unreadable("", url, "the list is not UTF-8".into()),
                },
                Err(e) => etsi_tl::lotl::unfetched("", url, e),
            };
            let mut directory = crate::trust::services::ServiceDirectory::default();
            if outcome.accepted()
                && let Some(l) = &outcome.list
            {
                directory = l.directory();
            }
            loaded.push(LoadedLists {
                lists: vec![outcome],
                directory,
            });
        }
        loaded
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
        .route("/control/seals", post(judge_seal))
        .route("/control/recognitions", post(judge_recognition))
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
            "formats": ["dc+sd-jwt", "jwt_vc_json"],
            "query_languages": ["dcql"],
            "algorithms": ["ES256"],
            "tls": v.config.base_url.starts_with("https://"),
            "flaws": v.config.flaws.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "control_operations": ["health", "capabilities", "create_request", "read_result", "judge_seal"],
            "seal_formats": if s.seal_lists.is_some() { json!(["jades", "pades"]) } else { json!([]) },
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

/// `POST /control/seals`: what a seal judgement is asked with.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SealQuery {
    /// `jades` or `pades`.
    format: String,
    /// A JAdES signature as text (compact or JSON serialisation).
    #[serde(default)]
    document: Option<String>,
    /// The document's bytes, base64 (a PDF).
    #[serde(default)]
    document_base64: Option<String>,
    /// A detached payload, base64.
    #[serde(default)]
    detached_base64: Option<String>,
    /// `e-seal` (default for JAdES) or `e-signature` (default for PAdES).
    #[serde(default)]
    kind: Option<crate::trust::services::ServiceKind>,
    /// The lowest baseline level accepted: `B` (default), `T`, `LT`, `LTA`.
    #[serde(default)]
    required_level: Option<String>,
}

/// The lowest AdES baseline level a query accepts (`B` when it names none).
fn required_level(name: Option<&str>) -> Result<crate::trust::ades::Level, String> {
    use crate::trust::ades::Level;
    match name {
        None | Some("B") => Ok(Level::B),
        Some("T") => Ok(Level::T),
        Some("LT") => Ok(Level::Lt),
        Some("LTA") => Ok(Level::Lta),
        Some(other) => Err(format!("unknown level `{other}`")),
    }
}

fn decode_b64(field: &str, text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("`{field}` is not base64: {e}"))
}

async fn judge_seal(State(s): State<Arc<VerifierRole>>, body: Bytes) -> Response {
    use crate::trust::services::ServiceKind;
    let query: SealQuery = match serde_json::from_slice(&body) {
        Ok(q) => q,
        Err(e) => return control_bad_request(e.to_string()),
    };
    let (Some(lists), Some(arrangement)) = (&s.seal_lists, &s.arrangement) else {
        return super::not_implemented(
            "judge_seal: this verifier was started without XML trusted lists or an arrangement",
        );
    };
    let required_level = match required_level(query.required_level.as_deref()) {
        Ok(l) => l,
        Err(e) => return control_bad_request(e),
    };
    let detached = match query
        .detached_base64
        .as_deref()
        .map(|t| decode_b64("detached_base64", t))
    {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => return control_bad_request(e),
    };
    let now = s.clock.now();
    let loaded = s.load_seal_lists(lists, now).await;
    let mut directory = crate::trust::services::ServiceDirectory::default();
    for l in &loaded {
        directory
            .services
            .extend(l.directory.services.iter().cloned());
    }
    let kind;
    let report = match query.format.as_str() {
        "jades" => {
            let Some(text) = query.document.as_deref() else {
                return control_bad_request("a JAdES seal goes in `document`, as text");
            };
            kind = query.kind.unwrap_or(ServiceKind::ESeal);
            let policy = crate::formats::jades::Policy {
                directory: &directory,
                at: now,
                kind,
                required_level,
            };
            crate::formats::jades::validate_seal(text, detached.as_deref(), &policy)
        }
        "pades" => {
            let bytes = match query
                .document_base64
                .as_deref()
                .map(|t| decode_b64("document_base64", t))
            {
                Some(Ok(b)) => b,
                Some(Err(e)) => return control_bad_request(e),
                None => return control_bad_request("a PDF goes in `document_base64`"),
            };
            kind = query.kind.unwrap_or(ServiceKind::ESignature);
            judge_pdf(&bytes, &directory, now, required_level)
        }
        other => {
            return control_bad_request(format!("unknown seal format `{other}` (jades, pades)"));
        }
    };
    let jurisdiction = s.with(|v| v.config.jurisdiction.clone());
    let judgement =
        crate::trust::seal_judgement::judge(&jurisdiction, report, &directory, kind, arrangement);
    let lists: Vec<Value> = loaded
        .iter()
        .flat_map(|l| &l.lists)
        .map(|l| {
            json!({
                "territory": l.territory,
                "location": l.location,
                "accepted": l.accepted(),
                "outcome": l.outcome.label(),
                "findings": l.findings.iter().map(|v| json!({
                    "requirement": v.requirement.id,
                    "message": v.message,
                    "location": v.location,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut body = serde_json::to_value(&judgement).unwrap_or(Value::Null);
    body["lists"] = Value::Array(lists);
    json_response(200, &body)
}

/// `POST /control/recognitions`: an academic credential handed over as a file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RecognitionQuery {
    /// `edc` (a JAdES-sealed Europass credential), `pdf` (a signed PDF certificate) or
    /// `badge` (an Open Badges 3.0 VC-JWT or Data Integrity document).
    format: String,
    /// The credential as text (EDC, badge).
    #[serde(default)]
    document: Option<String>,
    /// The credential's bytes, base64 (PDF).
    #[serde(default)]
    document_base64: Option<String>,
    /// The lowest baseline level accepted for seals and signatures: `B` (default), `T`, `LT`,
    /// `LTA`.
    #[serde(default)]
    required_level: Option<String>,
}

async fn judge_recognition(State(s): State<Arc<VerifierRole>>, body: Bytes) -> Response {
    use crate::academic::{Handed, Judge};
    let query: RecognitionQuery = match serde_json::from_slice(&body) {
        Ok(q) => q,
        Err(e) => return control_bad_request(e.to_string()),
    };
    let (Some(lists), Some(arrangement)) = (&s.seal_lists, &s.arrangement) else {
        return super::not_implemented(
            "judge_recognition: this verifier was started without XML trusted lists or an arrangement",
        );
    };
    let required_level = match required_level(query.required_level.as_deref()) {
        Ok(l) => l,
        Err(e) => return control_bad_request(e),
    };
    let text = |what: &str| {
        query
            .document
            .clone()
            .ok_or_else(|| format!("{what} goes in `document`, as text"))
    };
    let handed = match query.format.as_str() {
        "edc" => text("a sealed EDC").map(Handed::Edc),
        "badge" => text("a badge").map(Handed::Badge),
        "pdf" => match query.document_base64.as_deref() {
            Some(t) => decode_b64("document_base64", t).map(Handed::Pdf),
            None => Err("a PDF goes in `document_base64`".into()),
        },
        other => Err(format!("unknown format `{other}` (edc, pdf, badge)")),
    };
    let handed = match handed {
        Ok(h) => h,
        Err(e) => return control_bad_request(e),
    };
    let now = s.clock.now();
    // Only seals and signed PDFs are judged through the trusted lists; a badge is not.
    let loaded = if matches!(handed, Handed::Badge(_)) {
        Vec::new()
    } else {
        s.load_seal_lists(lists, now).await
    };
    let mut directory = crate::trust::services::ServiceDirectory::default();
    for l in &loaded {
        directory
            .services
            .extend(l.directory.services.iter().cloned());
    }
    let jurisdiction = s.with(|v| v.config.jurisdiction.clone());
    let judge = Judge {
        relying: &jurisdiction,
        directory: &directory,
        arrangement,
        now,
        required_level,
        contexts: crate::formats::data_integrity::rdfc::Contexts::bundled(),
    };
    match crate::academic::judge(&handed, &judge) {
        Ok(j) => json_response(200, &serde_json::to_value(&j).unwrap_or(Value::Null)),
        // The query was well formed; the document is not what its format says.
        Err(e) => json_response(
            422,
            &json!({"error": "invalid_control_request", "detail": format!("unreadable {}: {e}", query.format)}),
        ),
    }
}

/// A signed PDF (PAdES), validated against `directory` at `now`; below `required_level`,
/// INDETERMINATE/SIG_CONSTRAINTS_FAILURE.
fn judge_pdf(
    pdf: &[u8],
    directory: &crate::trust::services::ServiceDirectory,
    now: i64,
    required_level: crate::trust::ades::Level,
) -> crate::trust::ades::ValidationReport {
    let mut report = crate::formats::pdf::pades::validate(pdf, directory, now);
    report.require_level(required_level);
    report
}
