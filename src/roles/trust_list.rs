//! The trust-list host: publishes each jurisdiction's signed list of trusted entities at
//! `/lists/{jurisdiction}` (`eu`, `jp`), as a scheme operator would.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::json;

use super::{control_bad_request, control_fallback, health, json_response};

pub struct TrustListHost {
    /// Signed lists by jurisdiction code.
    lists: Mutex<BTreeMap<String, String>>,
}

impl TrustListHost {
    pub fn new(lists: BTreeMap<String, String>) -> Self {
        Self {
            lists: Mutex::new(lists),
        }
    }

    /// Replaces a published list (a scheme operator's update, or a misconfiguration a test
    /// stages).
    pub fn publish(&self, jurisdiction: &str, signed: String) {
        self.lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(jurisdiction.to_owned(), signed);
    }

    pub fn list_uri(base_url: &str, jurisdiction: &str) -> String {
        format!("{}/lists/{jurisdiction}", base_url.trim_end_matches('/'))
    }
}

pub fn router(state: Arc<TrustListHost>) -> Router {
    Router::new()
        .route("/lists/{jurisdiction}", get(serve_list))
        .route("/control/health", get(|| async { health("trust-list") }))
        .route("/control/capabilities", get(capabilities))
        .route("/control/lists/{jurisdiction}", put(publish_list))
        .route("/control/{*rest}", axum::routing::any(control_fallback))
        .with_state(state)
}

async fn serve_list(State(s): State<Arc<TrustListHost>>, Path(j): Path<String>) -> Response {
    let list = s
        .lists
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&j)
        .cloned();
    match list {
        Some(token) => ([(header::CONTENT_TYPE, "application/jwt")], token).into_response(),
        None => json_response(404, &json!({"error": "not_found", "jurisdiction": j})),
    }
}

/// `PUT /control/lists/{jurisdiction}` with `{"token": "<signed list>"}`: what the scheme
/// operator publishes next (an update, or the misconfiguration a scenario stages). The host
/// publishes what it is given; judging the list is the relying party's job.
async fn publish_list(
    State(s): State<Arc<TrustListHost>>,
    Path(j): Path<String>,
    body: Bytes,
) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Publish {
        token: String,
    }
    match serde_json::from_slice::<Publish>(&body) {
        Ok(p) if !p.token.is_empty() => {
            s.publish(&j, p.token);
            json_response(200, &json!({"published": j}))
        }
        Ok(_) => control_bad_request("token must not be empty"),
        Err(e) => control_bad_request(e.to_string()),
    }
}

async fn capabilities(State(s): State<Arc<TrustListHost>>) -> Response {
    let names: Vec<String> = s
        .lists
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .keys()
        .cloned()
        .collect();
    json_response(
        200,
        &json!({
            "role": "trust-list",
            "lists": names,
            "format": "accord-trust-list+jwt",
            "control_operations": ["health", "capabilities", "publish_trust_list"],
        }),
    )
}
