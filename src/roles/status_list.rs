//! The status-list host: serves each issuer's Token Status List as a signed
//! `statuslist+jwt` (Token Status List §8.1) at `/lists/{name}`, and lets the harness change
//! a credential's status through `POST /control/status`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::{control_bad_request, control_fallback, health, json_response};
use crate::entropy::Clock;
use crate::formats::jose::SigningKey;
use crate::formats::status_list::{self, INVALID, SUSPENDED, StatusList, TokenParams, VALID};
use crate::trust::trust_list::base64_std;

/// Entries per list (2 bits each, so suspension can be expressed): enough for a long
/// fuzzing campaign's issuances.
pub const LIST_SIZE: usize = 1 << 16;

/// One hosted list and the key that signs it (the issuer's, so that the token chains to
/// the same trust-list entry as the credentials, Token Status List §11.3).
pub struct HostedList {
    pub list: StatusList,
    pub key: SigningKey,
    pub chain: Vec<Vec<u8>>,
}

pub struct StatusListHost {
    pub base_url: String,
    lists: Mutex<BTreeMap<String, HostedList>>,
    clock: Arc<dyn Clock>,
}

impl StatusListHost {
    pub fn new(
        base_url: String,
        lists: BTreeMap<String, HostedList>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            base_url,
            lists: Mutex::new(lists),
            clock,
        }
    }

    /// The URI credentials put in `status.status_list.uri` for list `name`.
    pub fn list_uri(base_url: &str, name: &str) -> String {
        format!("{}/lists/{name}", base_url.trim_end_matches('/'))
    }
}

pub fn router(state: Arc<StatusListHost>) -> Router {
    Router::new()
        .route("/lists/{name}", get(serve_list))
        .route("/control/health", get(|| async { health("status-list") }))
        .route("/control/capabilities", get(capabilities))
        .route("/control/status", post(set_status))
        .route("/control/{*rest}", axum::routing::any(control_fallback))
        .with_state(state)
}

async fn serve_list(State(s): State<Arc<StatusListHost>>, Path(name): Path<String>) -> Response {
    let now = s.clock.now();
    let uri = StatusListHost::list_uri(&s.base_url, &name);
    let token = {
        let lists = s
            .lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(hosted) = lists.get(&name) else {
            return json_response(404, &json!({"error": "not_found", "list": name}));
        };
        let params = TokenParams {
            uri: &uri,
            iat: now,
            exp: Some(now + 3600),
            ttl: Some(300),
            x5c: Some(hosted.chain.iter().map(|d| base64_std(d)).collect()),
        };
        status_list::sign_token(&hosted.list, &params, &hosted.key)
    };
    match token {
        Ok(t) => ([(header::CONTENT_TYPE, "application/statuslist+jwt")], t).into_response(),
        Err(e) => json_response(
            500,
            &json!({"error": "server_error", "detail": e.to_string()}),
        ),
    }
}

async fn capabilities(State(s): State<Arc<StatusListHost>>) -> Response {
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
            "role": "status-list",
            "lists": names,
            "formats": ["statuslist+jwt"],
            "control_operations": ["health", "capabilities", "set_status"],
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetStatus {
    list: String,
    idx: u64,
    /// `valid`, `invalid` (revoked) or `suspended`.
    status: String,
}

async fn set_status(State(s): State<Arc<StatusListHost>>, body: Bytes) -> Response {
    let request: SetStatus = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return control_bad_request(e.to_string()),
    };
    let value = match request.status.as_str() {
        "valid" => VALID,
        "invalid" | "revoked" => INVALID,
        "suspended" => SUSPENDED,
        other => return control_bad_request(format!("unknown status {other:?}")),
    };
    let mut lists = s
        .lists
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(hosted) = lists.get_mut(&request.list) else {
        return control_bad_request(format!("no list named {:?}", request.list));
    };
    match hosted.list.set(request.idx, value) {
        Ok(()) => json_response(
            200,
            &json!({"list": request.list, "idx": request.idx, "status": request.status}),
        ),
        Err(e) => control_bad_request(e.to_string()),
    }
}
