//! Every request the reference issuer and verifier receive that breaks a MUST of
//! OpenID4VCI 1.0 / OpenID4VP 1.0 is refused with the spec's error code and names the
//! requirement; one test per rule, sent over real HTTP.

use accord::entropy::SeededEntropy;
use accord::formats::jose::{Algorithm, SigningKey, b64, sign_compact};
use accord::protocol::oid4vci::{PRE_AUTHORIZED_GRANT, proof_jwt};
use accord::transport::Request;
use serde_json::{Map, Value, json};

use super::protocol::{Harness, NOW, eu_query, harness};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn send(h: &Harness, request: Request) -> (u16, Value) {
    let r = h
        .control
        .transport()
        .send("test", "role", request)
        .await
        .unwrap();
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

fn assert_refused(
    what: &str,
    (status, body): &(u16, Value),
    code: u16,
    error: &str,
    requirement: &str,
) {
    assert_eq!(*status, code, "{what}: {body}");
    assert_eq!(body["error"], error, "{what}: {body}");
    let ids = body["accord_requirements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        ids.iter().any(|i| i == requirement),
        "{what}: {body} should cite {requirement}"
    );
}

/// The EU issuer's identifier, and a fresh pre-authorized offer's code and tx_code.
async fn offer(h: &Harness, tx_code: bool) -> (String, String, Option<String>) {
    let base = &h.topology.eu_issuer.base_url;
    let o = h
        .control
        .create_offer(base, &json!({"tx_code": tx_code}))
        .await
        .unwrap()
        .body;
    let issuer = o["offer"]["credential_issuer"].as_str().unwrap().to_owned();
    let code = o["offer"]["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
        .as_str()
        .unwrap()
        .to_owned();
    (issuer, code, o["tx_code"].as_str().map(str::to_owned))
}

async fn token(h: &Harness, issuer: &str, pairs: &[(&str, &str)]) -> (u16, Value) {
    send(h, Request::post_form(format!("{issuer}/token"), pairs)).await
}

async fn access_token(h: &Harness) -> (String, String) {
    let (issuer, code, _) = offer(h, false).await;
    let (_, body) = token(
        h,
        &issuer,
        &[
            ("grant_type", PRE_AUTHORIZED_GRANT),
            ("pre-authorized_code", &code),
        ],
    )
    .await;
    (issuer, body["access_token"].as_str().unwrap().to_owned())
}

async fn c_nonce(h: &Harness, issuer: &str) -> String {
    let r = h
        .control
        .transport()
        .send(
            "test",
            "issuer",
            Request {
                method: "POST".into(),
                url: format!("{issuer}/nonce"),
                headers: vec![],
                body: vec![],
            },
        )
        .await
        .unwrap();
    assert!(
        r.header("cache-control").unwrap().contains("no-store"),
        "OID4VCI-7.2-no-store"
    );
    r.json().unwrap()["c_nonce"].as_str().unwrap().to_owned()
}

async fn credential(h: &Harness, issuer: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
    let mut r = Request::post_json(format!("{issuer}/credential"), body);
    if let Some(t) = bearer {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    send(h, r).await
}

fn holder() -> SigningKey {
    SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(5, "holder")).unwrap()
}

fn proof_with(header: Map<String, Value>, claims: Value, key: &SigningKey) -> String {
    sign_compact(header, claims.as_object().unwrap(), key).unwrap()
}

#[test]
fn token_endpoint_refusals() {
    rt().block_on(async {
        let h = harness(21).await;
        let (issuer, code, tx) = offer(&h, true).await;
        let tx = tx.unwrap();
        let grant = ("grant_type", PRE_AUTHORIZED_GRANT);
        let r = token(&h, &issuer, &[grant, ("pre-authorized_code", &code)]).await;
        assert_refused(
            "tx_code missing",
            &r,
            400,
            "invalid_request",
            "OID4VCI-6.1-tx-code",
        );
        let r = token(
            &h,
            &issuer,
            &[
                grant,
                ("pre-authorized_code", &code),
                ("tx_code", "000000x"),
            ],
        )
        .await;
        assert_refused(
            "wrong tx_code",
            &r,
            400,
            "invalid_grant",
            "OID4VCI-6.3-invalid-grant",
        );
        let r = token(
            &h,
            &issuer,
            &[grant, ("pre-authorized_code", &code), ("tx_code", &tx)],
        )
        .await;
        assert_eq!(r.0, 200, "{}", r.1);
        let r = token(
            &h,
            &issuer,
            &[grant, ("pre-authorized_code", &code), ("tx_code", &tx)],
        )
        .await;
        assert_refused(
            "reused code",
            &r,
            400,
            "invalid_grant",
            "OID4VCI-6.3-invalid-grant",
        );
        let (issuer, code, _) = offer(&h, false).await;
        let r = token(
            &h,
            &issuer,
            &[grant, ("pre-authorized_code", &code), ("tx_code", "123456")],
        )
        .await;
        assert_refused(
            "unexpected tx_code",
            &r,
            400,
            "invalid_request",
            "OID4VCI-6.1-tx-code",
        );
        let r = token(&h, &issuer, &[("grant_type", "password")]).await;
        assert_refused(
            "grant type",
            &r,
            400,
            "unsupported_grant_type",
            "OID4VCI-6.3-invalid-grant",
        );
        // RFC 6749 §3.1: a parameter must not be repeated.
        let r = send(
            &h,
            Request {
                method: "POST".into(),
                url: format!("{issuer}/token"),
                headers: vec![(
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: b"grant_type=a&grant_type=b".to_vec(),
            },
        )
        .await;
        assert_refused(
            "repeated parameter",
            &r,
            400,
            "invalid_request",
            "OID4VCI-6.1-token-request",
        );
        // RFC 6749 §4.1.3: form-encoded, so a JSON body breaks the token request itself.
        let r = send(
            &h,
            Request::post_json(
                format!("{issuer}/token"),
                &json!({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}),
            ),
        )
        .await;
        assert_refused(
            "JSON body",
            &r,
            400,
            "invalid_request",
            "OID4VCI-6.1-token-request",
        );
        let r = token(
            &h,
            &issuer,
            &[
                ("grant_type", "authorization_code"),
                ("code", "nope"),
                ("code_verifier", "x"),
                ("redirect_uri", "http://x"),
            ],
        )
        .await;
        assert_refused(
            "unknown authorization code",
            &r,
            400,
            "invalid_grant",
            "OID4VCI-6.3-invalid-grant",
        );
        let r = token(
            &h,
            &issuer,
            &[
                ("grant_type", "authorization_code"),
                ("code", "nope"),
                ("tx_code", "1"),
            ],
        )
        .await;
        assert_refused(
            "tx_code with the authorization code grant",
            &r,
            400,
            "invalid_request",
            "OID4VCI-6.1-tx-code",
        );
        // Guessing the transaction code is bounded (§13.6.3): after three misses the code is gone.
        let (issuer, code, tx) = offer(&h, true).await;
        for _ in 0..3 {
            let r = token(
                &h,
                &issuer,
                &[grant, ("pre-authorized_code", &code), ("tx_code", "guess")],
            )
            .await;
            assert_refused(
                "guess",
                &r,
                400,
                "invalid_grant",
                "OID4VCI-6.3-invalid-grant",
            );
        }
        let r = token(
            &h,
            &issuer,
            &[
                grant,
                ("pre-authorized_code", &code),
                ("tx_code", &tx.unwrap()),
            ],
        )
        .await;
        assert_refused(
            "right code after three misses",
            &r,
            400,
            "invalid_grant",
            "OID4VCI-6.3-invalid-grant",
        );
    });
}

#[test]
fn pkce_is_required_and_checked() {
    rt().block_on(async {
        let h = harness(22).await;
        let base = &h.topology.eu_issuer.base_url;
        let o = h
            .control
            .create_offer(base, &json!({"flow": "authorization_code"}))
            .await
            .unwrap()
            .body;
        let issuer = o["offer"]["credential_issuer"].as_str().unwrap().to_owned();
        let state = o["offer"]["grants"]["authorization_code"]["issuer_state"]
            .as_str()
            .unwrap()
            .to_owned();
        let authorize = |q: String| Request::get(format!("{issuer}/authorize?{q}"));
        let no_pkce = accord::protocol::oid4vci::form(&[
            ("response_type", "code"),
            ("redirect_uri", "http://w/cb"),
            ("issuer_state", &state),
        ]);
        let r = send(&h, authorize(no_pkce)).await;
        assert_refused(
            "no PKCE",
            &r,
            400,
            "invalid_request",
            "OAUTH-RFC7636-4.6-pkce",
        );
        let challenge = accord::protocol::oid4vci::pkce_challenge(
            "the-right-verifier-of-sufficient-length-0000",
        );
        let q = accord::protocol::oid4vci::form(&[
            ("response_type", "code"),
            ("redirect_uri", "http://w/cb"),
            ("issuer_state", &state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ]);
        let r = h
            .control
            .transport()
            .send("test", "issuer", authorize(q))
            .await
            .unwrap();
        assert_eq!(r.status, 302);
        let location = r.header("location").unwrap().to_owned();
        let code: String =
            url::form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned();
        let r = token(
            &h,
            &issuer,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                (
                    "code_verifier",
                    "a-wrong-verifier-of-sufficient-length-00000",
                ),
                ("redirect_uri", "http://w/cb"),
            ],
        )
        .await;
        assert_refused(
            "wrong verifier",
            &r,
            400,
            "invalid_grant",
            "OAUTH-RFC7636-4.6-pkce",
        );
    });
}

#[test]
fn credential_endpoint_refusals() {
    rt().block_on(async {
        let h = harness(23).await;
        let key = holder();
        let (issuer, at) = access_token(&h).await;
        let config = "eu_diploma_sd_jwt";
        let r = credential(&h, &issuer, None, &json!({"credential_configuration_id": config})).await;
        // RFC 6750 §3.1: no authentication at all, so no error code.
        assert_eq!(r.0, 401, "no token: {}", r.1);
        assert!(r.1.get("error").is_none(), "no token: {}", r.1);
        assert_eq!(r.1["accord_requirements"], json!(["OID4VCI-8.3.1.1-access-token"]));
        let r = credential(&h, &issuer, Some("forged"), &json!({"credential_configuration_id": config})).await;
        assert_refused("unknown token", &r, 401, "invalid_token", "OID4VCI-8.3.1.1-access-token");
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": "nope", "proofs": {"jwt": ["x"]}})).await;
        assert_refused("unknown configuration", &r, 400, "unknown_credential_configuration", "OID4VCI-8.2-credential-request");
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": config})).await;
        assert_refused("no proofs", &r, 400, "invalid_proof", "OID4VCI-8.2-credential-request");
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_identifier": "x", "proofs": {"jwt": ["x"]}})).await;
        assert_refused("credential_identifier without authorization_details", &r, 400, "invalid_credential_request", "OID4VCI-8.2-credential-request");
        let nonce = c_nonce(&h, &issuer).await;
        let good = proof_jwt(&key, &issuer, Some(&nonce), NOW).unwrap();
        // `proof` (pre-1.0) is an unknown parameter and ignored (§8.2); without `proofs` the
        // request lacks its proof.
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": config, "proof": {"proof_type": "jwt", "jwt": good}})).await;
        assert_refused("singular proof only (pre-1.0)", &r, 400, "invalid_proof", "OID4VCI-8.2-credential-request");
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": config, "proofs": {"jwt": [good.clone(), good.clone()]}})).await;
        assert_refused("two proofs without batch issuance", &r, 400, "invalid_proof", "OID4VCI-8.2-credential-request");
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": config, "proofs": {"jwt": [good]}, "credential_response_encryption": {"jwk": {}, "enc": "A128GCM"}})).await;
        assert_refused("response encryption not offered", &r, 400, "invalid_encryption_parameters", "OID4VCI-8.3.1.2-error-codes");

        // Key proofs, each broken in one way (Appendix F.1).
        let jwk = serde_json::to_value(key.public_jwk()).unwrap();
        let header = |typ: &str| {
            let mut m = Map::new();
            m.insert("typ".into(), json!(typ));
            m.insert("jwk".into(), jwk.clone());
            m
        };
        let claims = |aud: &str, nonce: Option<&str>, iat: i64| {
            let mut c = json!({"aud": aud, "iat": iat});
            if let Some(n) = nonce {
                c["nonce"] = json!(n);
            }
            c
        };
        let mut cases: Vec<(&str, String, &str, &str)> = Vec::new();
        let n1 = c_nonce(&h, &issuer).await;
        cases.push(("wrong typ", proof_with(header("JWT"), claims(&issuer, Some(&n1), NOW), &key), "invalid_proof", "OID4VCI-F.1-proof-typ"));
        let n2 = c_nonce(&h, &issuer).await;
        cases.push(("wrong aud", proof_with(header("openid4vci-proof+jwt"), claims("https://other.example", Some(&n2), NOW), &key), "invalid_proof", "OID4VCI-F.1-proof-aud"));
        // RFC 7519 §2 compares StringOrURI values as strings: `…/eu/` is not `…/eu`.
        let n3 = c_nonce(&h, &issuer).await;
        cases.push(("aud with a trailing slash", proof_with(header("openid4vci-proof+jwt"), claims(&format!("{issuer}/"), Some(&n3), NOW), &key), "invalid_proof", "OID4VCI-F.1-proof-aud"));
        let n4 = c_nonce(&h, &issuer).await;
        cases.push(("stale iat", proof_with(header("openid4vci-proof+jwt"), claims(&issuer, Some(&n4), NOW - 3600), &key), "invalid_proof", "OID4VCI-F.1-proof-iat"));
        cases.push(("no nonce", proof_with(header("openid4vci-proof+jwt"), claims(&issuer, None, NOW), &key), "invalid_proof", "OID4VCI-F.1-proof-nonce"));
        cases.push(("unknown nonce", proof_with(header("openid4vci-proof+jwt"), claims(&issuer, Some("made-up"), NOW), &key), "invalid_nonce", "OID4VCI-F.1-proof-nonce"));
        let n5 = c_nonce(&h, &issuer).await;
        let mut both = header("openid4vci-proof+jwt");
        both.insert("kid".into(), json!("k1"));
        cases.push(("jwk and kid", proof_with(both, claims(&issuer, Some(&n5), NOW), &key), "invalid_proof", "OID4VCI-F.1-proof-key"));
        let n6 = c_nonce(&h, &issuer).await;
        let other = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(6, "other")).unwrap();
        cases.push(("signed by another key", proof_with(header("openid4vci-proof+jwt"), claims(&issuer, Some(&n6), NOW), &other), "invalid_proof", "OID4VCI-F.1-proof-key"));
        let n7 = c_nonce(&h, &issuer).await;
        let hs = format!("{}.{}.{}", b64(r#"{"alg":"HS256","typ":"openid4vci-proof+jwt"}"#), b64(claims(&issuer, Some(&n7), NOW).to_string()), b64("mac"));
        cases.push(("HS256", hs, "invalid_proof", "OID4VCI-F.1-proof-alg"));
        let n8 = c_nonce(&h, &issuer).await;
        let mut didkey = Map::new();
        didkey.insert("typ".into(), json!("openid4vci-proof+jwt"));
        didkey.insert("kid".into(), json!("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169#0"));
        cases.push(("did:key kid (not offered)", proof_with(didkey, claims(&issuer, Some(&n8), NOW), &key), "invalid_proof", "OID4VCI-F.1-proof-key"));
        for (what, proof, error, requirement) in cases {
            let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": config, "proofs": {"jwt": [proof]}})).await;
            assert_refused(what, &r, 400, error, requirement);
        }
        // A nonce is single use.
        let n = c_nonce(&h, &issuer).await;
        let p = proof_jwt(&key, &issuer, Some(&n), NOW).unwrap();
        let body = json!({"credential_configuration_id": config, "proofs": {"jwt": [p]}});
        assert_eq!(credential(&h, &issuer, Some(&at), &body).await.0, 200);
        let r = credential(&h, &issuer, Some(&at), &body).await;
        assert_refused("reused nonce", &r, 400, "invalid_nonce", "OID4VCI-F.1-proof-nonce");
        // did:jwk is resolved and the credential bound to that key.
        let n = c_nonce(&h, &issuer).await;
        let mut didjwk = Map::new();
        didjwk.insert("typ".into(), json!("openid4vci-proof+jwt"));
        didjwk.insert("kid".into(), json!(format!("did:jwk:{}#0", b64(jwk.to_string()))));
        let p = proof_with(didjwk, claims(&issuer, Some(&n), NOW), &key);
        let r = credential(&h, &issuer, Some(&at), &json!({"credential_configuration_id": config, "proofs": {"jwt": [p]}})).await;
        assert_eq!(r.0, 200, "{}", r.1);
    });
}

async fn create(h: &Harness, mode: &str) -> Value {
    let v = &h.topology.jp_verifier.base_url;
    let created = h
        .control
        .create_request(v, &json!({"dcql_query": eu_query(), "response_mode": mode}))
        .await
        .unwrap();
    assert!(created.ok(), "{:?}", created.body);
    created.body
}

async fn respond(h: &Harness, pairs: &[(&str, &str)]) -> (u16, Value) {
    send(
        h,
        Request::post_form(
            format!("{}/response", h.topology.jp_verifier.base_url),
            pairs,
        ),
    )
    .await
}

#[test]
fn response_uri_refusals() {
    rt().block_on(async {
        let h = harness(24).await;
        h.issue("eu", json!({})).await;
        let c = create(&h, "direct_post").await;
        let state = c["state"].as_str().unwrap();
        let r = respond(&h, &[("vp_token", "{}")]).await;
        assert_refused("no state", &r, 400, "invalid_request", "OID4VP-8.2-state");
        let r = respond(&h, &[("vp_token", "{}"), ("state", "unknown")]).await;
        assert_refused(
            "unknown state",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.2-state",
        );
        let r = respond(&h, &[("state", state)]).await;
        assert_refused(
            "no vp_token",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.1-vp-token",
        );
        let c = create(&h, "direct_post").await;
        let r = respond(
            &h,
            &[
                ("vp_token", "not json"),
                ("state", c["state"].as_str().unwrap()),
            ],
        )
        .await;
        assert_refused(
            "vp_token not JSON",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.1-vp-token",
        );
        let c = create(&h, "direct_post").await;
        let r = respond(
            &h,
            &[
                ("vp_token", r#"{"other":["x"]}"#),
                ("state", c["state"].as_str().unwrap()),
            ],
        )
        .await;
        assert_refused(
            "unknown credential query id",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.1-vp-token",
        );
        let c = create(&h, "direct_post").await;
        let r = respond(
            &h,
            &[
                ("vp_token", r#"{"diploma":[]}"#),
                ("state", c["state"].as_str().unwrap()),
            ],
        )
        .await;
        assert_refused(
            "empty presentation array",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.1-vp-token",
        );
        let c = create(&h, "direct_post").await;
        let r = respond(
            &h,
            &[
                ("vp_token", r#"{"diploma":["a~","b~"]}"#),
                ("state", c["state"].as_str().unwrap()),
            ],
        )
        .await;
        assert_refused(
            "two presentations without multiple",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.1-vp-token",
        );
        // A transaction takes one response; a second is a replay.
        let c = create(&h, "direct_post").await;
        let st = c["state"].as_str().unwrap();
        let _ = respond(&h, &[("error", "access_denied"), ("state", st)]).await;
        let r = respond(&h, &[("vp_token", "{}"), ("state", st)]).await;
        assert_refused(
            "second response",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.2-state",
        );
        // direct_post.jwt: the response must be encrypted, to a key of this transaction.
        let c = create(&h, "direct_post.jwt").await;
        let r = respond(
            &h,
            &[
                ("vp_token", r#"{"diploma":["x~"]}"#),
                ("state", c["state"].as_str().unwrap()),
            ],
        )
        .await;
        assert_refused(
            "plaintext for direct_post.jwt",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.3.1-direct-post-jwt",
        );
        let r = respond(&h, &[("response", "not.a.jwe.at.all")]).await;
        assert_refused(
            "garbage JWE",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.3-encrypted-response",
        );
        let header = b64(r#"{"alg":"ECDH-ES","enc":"A128GCM","kid":"nobody"}"#);
        let r = respond(&h, &[("response", &format!("{header}..aaaa.bbbb.cccc"))]).await;
        assert_refused(
            "unknown kid",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.3-encrypted-response",
        );
        // The response must be form-encoded (§8.2).
        let r = send(
            &h,
            Request::post_json(
                format!("{}/response", h.topology.jp_verifier.base_url),
                &json!({"state": st}),
            ),
        )
        .await;
        assert_refused(
            "JSON body",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.2-direct-post",
        );
    });
}

/// A response the verifier refuses before judging it (it cannot be decrypted, or names no
/// transaction) leaves the request pending; the control API says why instead of staying
/// silent: refusals naming the request by its JWE `kid`, and those naming none.
#[test]
fn a_pending_request_shows_the_responses_refused_before_judgement() {
    rt().block_on(async {
        let h = harness(27).await;
        let v = &h.topology.jp_verifier.base_url;
        let earlier = create(&h, "direct_post.jwt").await;
        // Naming no transaction: before the request below, so not shown for it.
        let _ = respond(&h, &[("vp_token", "{}")]).await;
        let c = create(&h, "direct_post.jwt").await;
        let id = c["id"].as_str().unwrap();
        let own = b64(format!(
            r#"{{"alg":"ECDH-ES","enc":"A128GCM","kid":"{id}"}}"#
        ));
        let r = respond(&h, &[("response", &format!("{own}..aaaa.bbbb.cccc"))]).await;
        assert_eq!(r.0, 400, "{}", r.1);
        let nobody = b64(r#"{"alg":"ECDH-ES","enc":"A128GCM","kid":"nobody"}"#);
        let _ = respond(&h, &[("response", &format!("{nobody}..aaaa.bbbb.cccc"))]).await;
        let _ = respond(&h, &[("vp_token", "{}")]).await;
        let result = h.control.result(v, id).await.unwrap().body;
        assert_eq!(result["status"], "pending", "{result}");
        let refused = result["refused_responses"].as_array().unwrap();
        assert_eq!(refused.len(), 1, "{result}");
        assert_eq!(
            refused[0]["violations"][0]["requirement"],
            "OID4VP-8.3-encrypted-response"
        );
        let unmatched = result["unmatched_responses"].as_array().unwrap();
        assert_eq!(unmatched.len(), 2, "{result}");
        let cited: Vec<&Value> = unmatched
            .iter()
            .map(|u| &u["violations"][0]["requirement"])
            .collect();
        assert_eq!(
            cited,
            [
                &json!("OID4VP-8.3-encrypted-response"),
                &json!("OID4VP-8.2-state")
            ]
        );
        // The earlier request sees the unmatched responses of its lifetime, three of them.
        let earlier = h
            .control
            .result(v, earlier["id"].as_str().unwrap())
            .await
            .unwrap()
            .body;
        assert_eq!(
            earlier["unmatched_responses"].as_array().unwrap().len(),
            3,
            "{earlier}"
        );
        assert_eq!(earlier["refused_responses"], json!([]), "{earlier}");
    });
}

#[test]
fn request_creation_refuses_a_broken_dcql_query() {
    rt().block_on(async {
        let h = harness(25).await;
        let v = &h.topology.jp_verifier.base_url;
        for query in [json!({"credentials": []}), json!({"credentials": [{"id": "a b", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}}]}), json!({"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}, "claim_sets": [["c"]]}]})] {
            let a = h.control.create_request(v, &json!({"dcql_query": query})).await.unwrap();
            assert_eq!(a.status, 400, "{query}: {:?}", a.body);
            assert!(a.body["accord_requirements"].as_array().unwrap().iter().any(|i| i == "OID4VP-6-dcql-valid"), "{:?}", a.body);
        }
    });
}

#[test]
fn a_response_encrypted_to_another_transactions_key_is_refused() {
    use accord::protocol::jwe::{ContentEncryption, encrypt};
    rt().block_on(async {
        let h = harness(26).await;
        let a = create(&h, "direct_post.jwt").await;
        let b = create(&h, "direct_post.jwt").await;
        // Fetch transaction A's request object for its encryption key.
        let accord::protocol::oid4vp::RequestLocation::Reference { request_uri, .. } =
            accord::protocol::oid4vp::parse_authorization_request(
                a["authorization_request"].as_str().unwrap(),
            )
            .unwrap()
        else {
            panic!("expected a request_uri")
        };
        let jwt = h
            .control
            .transport()
            .send("test", "verifier", Request::get(&request_uri))
            .await
            .unwrap()
            .text();
        let payload = accord::formats::jose::CompactJws::parse(&jwt)
            .unwrap()
            .payload;
        let jwk = payload["client_metadata"]["jwks"]["keys"][0]
            .as_object()
            .unwrap()
            .clone();
        let mut public = jwk.clone();
        public.retain(|k, _| matches!(k.as_str(), "kty" | "crv" | "x" | "y"));
        let mut header = Map::new();
        header.insert("kid".into(), jwk["kid"].clone());
        // Encrypted for A, but naming B's state.
        let body = json!({"vp_token": {"diploma": ["x~"]}, "state": b["state"]}).to_string();
        let jwe = encrypt(
            body.as_bytes(),
            &public,
            ContentEncryption::A128Gcm,
            header,
            &mut SeededEntropy::new(1, "t"),
        )
        .unwrap();
        let r = respond(&h, &[("response", &jwe)]).await;
        assert_refused(
            "key of another transaction",
            &r,
            400,
            "invalid_request",
            "OID4VP-8.3-encrypted-response",
        );
    });
}

/// §5.9.3: under `x509_san_dns` a wallet that does not trust the verifier by name checks that
/// the response URI is on the host the certificate names. Over HTTPS the reference verifier
/// answers on that host and passes; on plain HTTP it answers on `127.0.0.1` and only trust
/// by name lets it through.
#[test]
fn an_x509_san_dns_verifier_the_wallet_does_not_trust_by_name_must_answer_on_its_own_host() {
    use accord::protocol::oid4vp::{
        RequestLocation, parse_authorization_request, verify_request_object,
    };
    rt().block_on(async {
        let pki = accord::trust::pki::TestPki::generate(28).unwrap();
        let anchors = [pki.eu.rp_ca.cert_der.clone(), pki.jp.rp_ca.cert_der.clone()];
        let request_object = |h: &Harness, created: Value| {
            let RequestLocation::Reference {
                client_id,
                request_uri,
                ..
            } = parse_authorization_request(created["authorization_request"].as_str().unwrap())
                .unwrap()
            else {
                panic!("expected a request_uri")
            };
            let transport = h.control.transport().clone();
            async move {
                let jwt = transport
                    .send("test", "verifier", Request::get(&request_uri))
                    .await
                    .unwrap()
                    .text();
                (client_id, jwt)
            }
        };
        let https = harness(28).await;
        let (client_id, jwt) = request_object(&https, create(&https, "direct_post").await).await;
        assert_eq!(client_id, "x509_san_dns:verifier.jp.accord.test");
        verify_request_object(&jwt, &client_id, &anchors, &[], NOW)
            .expect("the response URI is on the certificate's host");

        let plain = super::protocol::harness_with(28, accord::tls::Security::PlainHttp).await;
        let (client_id, jwt) = request_object(&plain, create(&plain, "direct_post").await).await;
        // Trusted by name: the loopback response URI is fine.
        assert!(
            verify_request_object(
                &jwt,
                &client_id,
                &anchors,
                std::slice::from_ref(&client_id),
                NOW
            )
            .is_ok()
        );
        // Not trusted by name: the response URI's host must be the DNS name (§5.9.3).
        let e = verify_request_object(&jwt, &client_id, &anchors, &[], NOW).unwrap_err();
        assert_eq!(e.error, "invalid_request");
        assert!(
            e.violations
                .iter()
                .any(|v| v.requirement.id == "OID4VP-5.9.3-client-id-prefix"),
            "{e}"
        );
    });
}

/// §8.6: a presentation that fails is discarded, and the VP token stands if what remains
/// satisfies the query; here the failed one answers an optional credential set.
#[test]
fn a_failed_presentation_for_an_optional_credential_set_is_discarded_not_fatal() {
    use accord::protocol::oid4vp::{
        Consent, HeldCredential, RequestLocation, ResponseMode, build_response,
        parse_authorization_request, verify_request_object,
    };
    rt().block_on(async {
        let h = harness(29).await;
        h.issue("eu", json!({})).await;
        let issued = h
            .sink
            .last_matching(|x| x.url.ends_with("/credential") && x.status == Some(200))
            .unwrap();
        let compact = serde_json::from_str::<Value>(&issued.response_body).unwrap()["credentials"]
            [0]["credential"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut query = eu_query();
        let mut extra = query["credentials"][0].clone();
        extra["id"] = json!("extra");
        query["credentials"].as_array_mut().unwrap().push(extra);
        query["credential_sets"] =
            json!([{"options": [["diploma"]]}, {"options": [["extra"]], "required": false}]);
        let v = &h.topology.jp_verifier.base_url;
        let created = h
            .control
            .create_request(
                v,
                &json!({"dcql_query": query, "response_mode": "direct_post"}),
            )
            .await
            .unwrap()
            .body;
        let RequestLocation::Reference {
            client_id,
            request_uri,
            ..
        } = parse_authorization_request(created["authorization_request"].as_str().unwrap())
            .unwrap()
        else {
            panic!("expected a request_uri")
        };
        let jwt = h
            .control
            .transport()
            .send("test", "verifier", Request::get(&request_uri))
            .await
            .unwrap()
            .text();
        let pki = accord::trust::pki::TestPki::generate(29).unwrap();
        let anchors = [pki.eu.rp_ca.cert_der.clone(), pki.jp.rp_ca.cert_der.clone()];
        let request = verify_request_object(
            &jwt,
            &client_id,
            &anchors,
            std::slice::from_ref(&client_id),
            NOW,
        )
        .unwrap();
        assert_eq!(request.response_mode, ResponseMode::DirectPost);
        let held = HeldCredential::from_issued("c".into(), &compact).unwrap();
        let answer = build_response(
            &request,
            &[&held],
            &pki.holder,
            &Consent::default(),
            &[],
            NOW,
            &mut SeededEntropy::new(2, "w"),
        )
        .unwrap();
        let mut vp_token = answer.vp_token.clone();
        assert!(
            vp_token["diploma"].is_array() && vp_token["extra"].is_array(),
            "{vp_token}"
        );
        vp_token["extra"] = json!(["not-a-presentation~"]);
        let state = request.state.clone().unwrap();
        let r = respond(
            &h,
            &[("vp_token", &vp_token.to_string()), ("state", &state)],
        )
        .await;
        assert_eq!(r.0, 200, "{}", r.1);
        let outcome = h
            .control
            .result(v, created["id"].as_str().unwrap())
            .await
            .unwrap()
            .body;
        assert_eq!(outcome["status"], "verified", "{outcome}");
        // The discarded presentation is still reported.
        assert!(
            outcome["result"]["violations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["location"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("vp_token.extra"))),
            "{outcome}"
        );
    });
}

/// A wallet variant that accepts only `x509_hash` refuses an `x509_san_dns` verifier with
/// `invalid_request` (§8.5: unsupported prefix) and answers an `x509_hash` one: the kind of
/// cell difference the interop matrix shows.
#[test]
fn a_wallet_limited_to_x509_hash_refuses_other_prefixes_and_answers_x509_hash() {
    use accord::protocol::oid4vp::ClientIdPrefix;
    use accord::roles::topology::{VerifierVariant, start_verifier, start_wallet};
    rt().block_on(async {
        let h = harness(34).await;
        let pki = accord::trust::pki::TestPki::generate(34).unwrap();
        let clock: std::sync::Arc<dyn accord::entropy::Clock> =
            std::sync::Arc::new(accord::entropy::FixedClock(NOW));
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let wallet = start_wallet(
            &pki,
            &[ClientIdPrefix::X509Hash],
            34,
            clock.clone(),
            h.control.transport().clone(),
            loopback,
        )
        .await
        .unwrap();
        let hash_verifier = start_verifier(
            &pki,
            "jp",
            34,
            clock,
            h.control.transport().clone(),
            Some(&h.topology.trust_list.base_url),
            &VerifierVariant {
                prefix: ClientIdPrefix::X509Hash,
                ..VerifierVariant::default()
            },
            loopback,
        )
        .await
        .unwrap();
        let caps = h
            .control
            .capabilities("wallet", &wallet.base_url)
            .await
            .unwrap();
        assert_eq!(caps.body["client_id_prefixes"], json!(["x509_hash"]));
        let offer = h
            .control
            .create_offer(&h.topology.eu_issuer.base_url, &json!({}))
            .await
            .unwrap();
        assert!(
            h.control
                .accept_offer(&wallet.base_url, offer.body["uri"].as_str().unwrap(), None)
                .await
                .unwrap()
                .ok()
        );
        let san = h
            .control
            .create_request(
                &h.topology.jp_verifier.base_url,
                &json!({"dcql_query": eu_query()}),
            )
            .await
            .unwrap();
        let refused = h
            .control
            .present(
                &wallet.base_url,
                &json!({"request": san.body["authorization_request"]}),
            )
            .await
            .unwrap();
        assert_eq!(refused.status, 422, "{:?}", refused.body);
        assert_eq!(
            refused.body["counterpart_response"]["refusal"]["error"],
            "invalid_request"
        );
        assert!(
            refused.body["counterpart_response"]["refusal"]["accord_requirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i == "OID4VP-5.9.3-client-id-prefix")
        );
        let hash = h
            .control
            .create_request(&hash_verifier.base_url, &json!({"dcql_query": eu_query()}))
            .await
            .unwrap();
        assert!(
            hash.body["client_id"]
                .as_str()
                .unwrap()
                .starts_with("x509_hash:")
        );
        let answered = h
            .control
            .present(
                &wallet.base_url,
                &json!({"request": hash.body["authorization_request"]}),
            )
            .await
            .unwrap();
        assert_eq!(answered.body["verifier_status"], 200, "{:?}", answered.body);
        let outcome = h
            .control
            .result(&hash_verifier.base_url, hash.body["id"].as_str().unwrap())
            .await
            .unwrap()
            .body;
        assert_eq!(outcome["status"], "verified", "{outcome}");
    });
}
