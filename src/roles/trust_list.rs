//! The trust-list host: publishes each jurisdiction's signed list of trusted entities at
//! `/lists/{jurisdiction}` (`eu`, `jp`), as a scheme operator would.
//!
//! It republishes only well-formed signed lists (a list whose signature verifies under the
//! certificate its `x5c` carries; `alg: none` never does), and holds at most
//! [`MAX_TRUST_LISTS`] lists and [`MAX_TRUST_LIST_BYTES`] bytes. A new list beyond either
//! bound is refused with `503` and `Retry-After` rather than an old one evicted: the lists
//! are what every verifier of the run relies on, and losing `eu` to a flood of other names
//! would make verifiers fail for a reason no scenario staged. Replacing a list by name is
//! always possible within the byte bound.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::json;

use super::bounds::{MAX_TRUST_LIST_BYTES, MAX_TRUST_LISTS, RETRY_AFTER_FULL};
use super::{control_bad_request, control_fallback, health, json_response};
use crate::trust::trust_list;

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

    /// Publishes or replaces a list (a scheme operator's update, or a misconfiguration a
    /// test stages), within the bounds.
    pub fn publish(&self, jurisdiction: &str, signed: String) -> Result<(), Full> {
        let mut lists = self
            .lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let replaced = lists.get(jurisdiction).map_or(0, String::len);
        if replaced == 0 && lists.len() >= MAX_TRUST_LISTS {
            return Err(Full(format!(
                "the host publishes at most {MAX_TRUST_LISTS} lists"
            )));
        }
        let bytes: usize = lists.values().map(String::len).sum();
        if bytes - replaced + signed.len() > MAX_TRUST_LIST_BYTES {
            return Err(Full(format!(
                "the host holds at most {MAX_TRUST_LIST_BYTES} bytes of lists"
            )));
        }
        lists.insert(jurisdiction.to_owned(), signed);
        Ok(())
    }

    /// How many lists, and how many bytes of them, the host holds.
    pub fn held(&self) -> (usize, usize) {
        let lists = self
            .lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (lists.len(), lists.values().map(String::len).sum())
    }

    pub fn list_uri(base_url: &str, jurisdiction: &str) -> String {
        format!("{}/lists/{jurisdiction}", base_url.trim_end_matches('/'))
    }
}

/// Why a list was not published: the host is full.
#[derive(Debug)]
pub struct Full(pub String);

/// Whether `name` may name a list: short, lower-case letters, digits and `-`, so names
/// stay readable in URLs and cannot be used to smuggle bulk.
fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Why `token` is not a well-formed signed trust list, if it is not: it must parse, carry
/// its signer in `x5c`, verify under that certificate (so `alg: none` and a forged
/// signature fail) and have the list's content. Who signed it is the relying party's
/// question (it pins operators); the host only refuses what no relying party could use.
pub fn check_list(token: &str) -> Result<(), String> {
    // The time only decides freshness findings, which the host does not judge.
    trust_list::verify(token, None, 0)
        .map(|_| ())
        .map_err(|violations| {
            violations
                .iter()
                .map(|v| v.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })
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
/// refuses what is not a well-formed signed list ([`check_list`], 400) and what it has no
/// room for (503); judging whether the list is trustworthy is the relying party's job.
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
    if !valid_name(&j) {
        return control_bad_request("a list's name is 1 to 32 lower-case letters, digits or '-'");
    }
    let token = match serde_json::from_slice::<Publish>(&body) {
        Ok(p) if !p.token.is_empty() => p.token,
        Ok(_) => return control_bad_request("token must not be empty"),
        Err(e) => return control_bad_request(e.to_string()),
    };
    if let Err(why) = check_list(&token) {
        return control_bad_request(format!("not a well-formed signed trust list: {why}"));
    }
    match s.publish(&j, token) {
        Ok(()) => json_response(200, &json!({"published": j})),
        Err(Full(why)) => {
            let mut r = json_response(503, &json!({"error": "store_full", "detail": why}));
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_FULL));
            r
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_holds_a_bounded_number_of_lists_and_bytes() {
        let host = TrustListHost::new(BTreeMap::new());
        for n in 0..MAX_TRUST_LISTS {
            host.publish(&format!("j{n}"), "x".repeat(10)).unwrap();
        }
        assert!(host.publish("one-more", "x".repeat(10)).is_err());
        // Replacing a list by name is always possible within the byte bound.
        host.publish("j0", "y".repeat(1000)).unwrap();
        assert_eq!(host.held().0, MAX_TRUST_LISTS);
        assert!(
            host.publish("j1", "z".repeat(MAX_TRUST_LIST_BYTES))
                .is_err()
        );
        assert!(host.held().1 <= MAX_TRUST_LIST_BYTES);
    }

    #[test]
    fn names_are_short_and_plain() {
        assert!(valid_name("eu") && valid_name("jp-2"));
        assert!(!valid_name("") && !valid_name("EU") && !valid_name(&"a".repeat(33)));
    }

    #[test]
    fn only_well_formed_signed_lists_pass() {
        let pki = crate::trust::pki::TestPki::generate(17).unwrap();
        let good = pki.eu.signed_trust_list().unwrap();
        assert!(check_list(&good).is_ok());
        assert!(check_list("not a jws").is_err());
        // The same list with `alg: none` and no signature.
        let (_, rest) = good.split_once('.').unwrap();
        let (payload, _) = rest.split_once('.').unwrap();
        let none = crate::formats::jose::b64(br#"{"alg":"none","typ":"accord-trust-list+jwt"}"#);
        assert!(check_list(&format!("{none}.{payload}.")).is_err());
        // A signature that does not verify under the x5c carried.
        let at = good.rfind('.').unwrap() + 10;
        let flipped = if &good[at..=at] == "A" { "B" } else { "A" };
        let tampered = format!("{}{flipped}{}", &good[..at], &good[at + 1..]);
        assert!(check_list(&tampered).is_err());
    }
}
