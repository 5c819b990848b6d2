//! Interop of Accord's JWE (ECDH-ES on P-256 with A128GCM / A256GCM, OpenID4VP §8.3) with an
//! independent implementation, jwcrypto (tests/peers/jwcrypto_jwe.py): jwcrypto decrypts what
//! Accord encrypts, and Accord's reference verifier accepts a `direct_post.jwt` response whose
//! JWE jwcrypto made.
//!
//! Without the Python package the tests say loudly that they were skipped; with
//! `ACCORD_REQUIRE_PEERS=1` (set by .ci/run) a missing peer is a failure.

use accord::entropy::SeededEntropy;
use accord::protocol::jwe::{ContentEncryption, EcdhKey, encrypt};
use accord::protocol::oid4vp::{
    Consent, HeldCredential, RequestLocation, ResponseMode, build_response,
    parse_authorization_request, verify_request_object,
};
use accord::transport::Request;
use accord::trust::pki::TestPki;
use serde_json::{Map, Value, json};

use super::protocol::{NOW, eu_query, harness};

fn peer(command: &str, request: &Value) -> Option<Value> {
    crate::support::python_peer("jwcrypto", "jwcrypto_jwe.py", command, request)
}

#[test]
fn jwcrypto_decrypts_what_accord_encrypts() {
    let key = EcdhKey::generate(&mut SeededEntropy::new(3, "jwe-peer")).unwrap();
    for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
        let mut header = Map::new();
        header.insert("kid".into(), json!("k-1"));
        let text = r#"{"vp_token":{"diploma":["髙橋~"]},"state":"s"}"#;
        let jwe = encrypt(
            text.as_bytes(),
            &key.public_jwk(),
            enc,
            header,
            &mut SeededEntropy::new(4, "jwe-peer"),
        )
        .unwrap();
        let Some(out) = peer(
            "decrypt",
            &json!({"jwe": jwe, "private_jwk": key.private_jwk()}),
        ) else {
            return;
        };
        assert_eq!(out["plaintext"], text);
        assert_eq!(out["header"]["enc"], enc.name());
        assert_eq!(out["header"]["kid"], "k-1");
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn accord_verifier_accepts_a_direct_post_jwt_response_encrypted_by_jwcrypto() {
    if peer("encrypt", &json!({"plaintext": "probe", "public_jwk": EcdhKey::generate(&mut SeededEntropy::new(1, "p")).unwrap().public_jwk(), "enc": "A128GCM"})).is_none() {
        return;
    }
    rt().block_on(async {
        let h = harness(51).await;
        h.issue("eu", json!({})).await;
        let issued = h.sink.last_matching(|x| x.url.ends_with("/credential") && x.status == Some(200)).unwrap();
        let compact = serde_json::from_str::<Value>(&issued.response_body).unwrap()["credentials"][0]["credential"].as_str().unwrap().to_owned();
        let v = &h.topology.jp_verifier.base_url;
        let created = h.control.create_request(v, &json!({"dcql_query": eu_query(), "response_mode": "direct_post.jwt"})).await.unwrap().body;
        let RequestLocation::Reference { client_id, request_uri, .. } = parse_authorization_request(created["authorization_request"].as_str().unwrap()).unwrap() else { panic!("expected a request_uri") };
        let jwt = h.control.transport().send("test", "verifier", Request::get(&request_uri)).await.unwrap().text();
        let pki = TestPki::generate(51).unwrap();
        let mut request = verify_request_object(&jwt, &client_id, &[pki.eu.rp_ca.cert_der.clone(), pki.jp.rp_ca.cert_der.clone()], &[format!("x509_san_dns:{}", pki.jp.verifier_host)], NOW).unwrap();
        let jwk = request.client_metadata["jwks"]["keys"][0].clone();
        // Build the answer in the clear with Accord's wallet code, then let jwcrypto encrypt it.
        request.response_mode = ResponseMode::DirectPost;
        let held = HeldCredential::from_issued("c".into(), &compact).unwrap();
        let answer = build_response(&request, &[&held], &pki.holder, &Consent::default(), &[], NOW, &mut SeededEntropy::new(9, "w")).unwrap();
        let payload = json!({"vp_token": answer.vp_token, "state": request.state});
        let mut public = jwk.as_object().unwrap().clone();
        public.retain(|k, _| matches!(k.as_str(), "kty" | "crv" | "x" | "y"));
        let out = peer("encrypt", &json!({"plaintext": payload.to_string(), "public_jwk": public, "enc": "A128GCM", "kid": jwk["kid"]})).unwrap();
        let r = h.control.transport().send("jwcrypto", "verifier", Request::post_form(&request.response_uri, &[("response", out["jwe"].as_str().unwrap())])).await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        let outcome = h.control.result(v, created["id"].as_str().unwrap()).await.unwrap().body;
        assert_eq!(outcome["status"], "verified", "{outcome}");
    });
}
