//! The reference credential issuer over HTTP: OpenID4VCI endpoints around
//! [`crate::protocol::oid4vci::Issuer`], plus the issuer's control API
//! (`POST /control/offers`).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    control_bad_request, control_fallback, error_response, form_body, health, json_response,
    media_type,
};
use crate::entropy::Clock;
use crate::protocol::ProtocolError;
use crate::protocol::oid4vci::{Flow, Issuer, OfferOptions};
use crate::requirements::catalogue as req;

pub struct IssuerRole {
    pub name: String,
    pub jurisdiction: String,
    issuer: Mutex<Issuer>,
    clock: Arc<dyn Clock>,
}

impl IssuerRole {
    pub fn new(name: &str, jurisdiction: &str, issuer: Issuer, clock: Arc<dyn Clock>) -> Self {
        Self {
            name: name.to_owned(),
            jurisdiction: jurisdiction.to_owned(),
            issuer: Mutex::new(issuer),
            clock,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Issuer) -> T) -> T {
        let mut guard = self
            .issuer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// The issuer's routes. `path` is the path of its Credential Issuer Identifier (e.g. `/eu`,
/// or empty): the protocol endpoints live under it and the metadata at
/// `/.well-known/openid-credential-issuer{path}` (§12.2.2; RFC 8414 §3.1 likewise).
pub fn router(state: Arc<IssuerRole>, path: &str) -> Router {
    let endpoints = Router::new()
        .route("/offers/{id}", get(offer_by_reference))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential));
    let endpoints = if path.is_empty() {
        endpoints
    } else {
        Router::new().nest(path, endpoints)
    };
    Router::new()
        .route(
            &format!("/.well-known/openid-credential-issuer{path}"),
            get(metadata),
        )
        .route(
            &format!("/.well-known/oauth-authorization-server{path}"),
            get(as_metadata),
        )
        .merge(endpoints)
        .route("/control/health", get(|| async { health("issuer") }))
        .route("/control/capabilities", get(capabilities))
        .route("/control/offers", post(create_offer))
        .route("/control/{*rest}", axum::routing::any(control_fallback))
        .with_state(state)
}

async fn metadata(State(s): State<Arc<IssuerRole>>) -> Response {
    json_response(200, &s.with(|i| i.metadata()))
}

async fn as_metadata(State(s): State<Arc<IssuerRole>>) -> Response {
    json_response(200, &s.with(|i| i.authorization_server_metadata()))
}

async fn offer_by_reference(State(s): State<Arc<IssuerRole>>, Path(id): Path<String>) -> Response {
    match s.with(|i| i.offer_by_reference(&id)) {
        Some(offer) => json_response(200, &offer),
        None => json_response(
            404,
            &json!({"error": "not_found", "error_description": "unknown or already fetched offer"}),
        ),
    }
}

async fn authorize(
    State(s): State<Arc<IssuerRole>>,
    Query(params): Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let now = s.clock.now();
    match s.with(|i| i.authorize(&params, now)) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn token(State(s): State<Arc<IssuerRole>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match form_body(
        &headers,
        &body,
        &req::OID4VCI_TOKEN_REQUEST,
        "the token request (RFC 6749 §4.1.3)",
    ) {
        Ok(f) => f,
        Err(e) => return error_response(&e),
    };
    let now = s.clock.now();
    match s.with(|i| i.token(&form, now)) {
        Ok(v) => json_response(200, &v),
        Err(e) => error_response(&e),
    }
}

async fn nonce(State(s): State<Arc<IssuerRole>>) -> Response {
    let now = s.clock.now();
    json_response(200, &s.with(|i| i.nonce(now)))
}

async fn credential(State(s): State<Arc<IssuerRole>>, headers: HeaderMap, body: Bytes) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if media_type(&headers) != "application/json" {
        return error_response(&ProtocolError::bad_request(
            "invalid_credential_request",
            &req::OID4VCI_CREDENTIAL_REQUEST,
            "an unencrypted credential request must be application/json (§8.2)",
        ));
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(&ProtocolError::bad_request(
                "invalid_credential_request",
                &req::OID4VCI_CREDENTIAL_REQUEST,
                format!("the body is not JSON: {e}"),
            ));
        }
    };
    let now = s.clock.now();
    match s.with(|i| i.credential(authorization.as_deref(), &body, now)) {
        Ok(v) => json_response(200, &v),
        Err(e) => error_response(&e),
    }
}

async fn capabilities(State(s): State<Arc<IssuerRole>>) -> Response {
    let (config_id, vct, variant, tls) = s.with(|i| {
        (
            i.config.configuration_id(),
            i.config.profile.vct(),
            i.config.variant.clone(),
            i.config.credential_issuer.starts_with("https://"),
        )
    });
    json_response(
        200,
        &json!({
            "role": "issuer",
            "implementation": s.name,
            "jurisdiction": s.jurisdiction,
            "formats": ["dc+sd-jwt", "jwt_vc_json"],
            "credential_configurations": [{"id": config_id, "vct": vct}],
            "flows": variant.flows.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "binding_methods": variant.binding_methods,
            "proof_types": ["jwt"],
            "algorithms": ["ES256"],
            "tls": tls,
            "control_operations": ["health", "capabilities", "create_offer"],
        }),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateOffer {
    /// The subject's claims; the profile's example graduate when absent.
    #[serde(default)]
    subject: Option<Map<String, Value>>,
    #[serde(default = "default_flow")]
    flow: Flow,
    #[serde(default)]
    tx_code: bool,
    #[serde(default)]
    by_reference: bool,
    /// What to offer: the profile's `degree` (SD-JWT VC, the default) or the university's
    /// `micro-credential` (an Open Badges 3.0 credential as `jwt_vc_json`).
    #[serde(default)]
    credential: OfferedCredential,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum OfferedCredential {
    #[default]
    Degree,
    MicroCredential,
}

fn default_flow() -> Flow {
    Flow::PreAuthorizedCode
}

async fn create_offer(State(s): State<Arc<IssuerRole>>, body: Bytes) -> Response {
    let request: CreateOffer = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return control_bad_request(e.to_string()),
    };
    if request.tx_code && request.flow == Flow::AuthorizationCode {
        return control_bad_request(
            "tx_code belongs to the pre-authorized code flow (OpenID4VCI §6.1); it cannot be combined with authorization_code",
        );
    }
    if !s.with(|i| i.config.variant.flows.contains(&request.flow)) {
        return super::not_implemented(&format!(
            "this issuer does not offer the {} flow",
            request.flow.name()
        ));
    }
    let now = s.clock.now();
    let created = s.with(|i| {
        let subject = request
            .subject
            .unwrap_or_else(|| i.config.profile.example_claims());
        i.create_offer(
            subject,
            &OfferOptions {
                flow: request.flow,
                tx_code: request.tx_code,
                by_reference: request.by_reference,
                badge: request.credential == OfferedCredential::MicroCredential,
            },
            now,
        )
    });
    json_response(200, &serde_json::to_value(created).unwrap_or(Value::Null))
}
