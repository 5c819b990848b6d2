//! OpenID4VCI and OpenID4VP over real HTTP between the in-process reference roles, driven
//! through the control API, plus the verifier's refusals of requests that break a MUST.

use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::roles::control::ControlClient;
use accord::roles::topology::Topology;
use accord::transport::{ExchangeSink, Limits, Transport};
use accord::trust::pki::TestPki;
use serde_json::{Value, json};

pub const NOW: i64 = 1_780_000_000;

pub struct Harness {
    pub topology: Topology,
    pub control: ControlClient,
    pub sink: ExchangeSink,
}

pub async fn harness(seed: u64) -> Harness {
    harness_with(seed, accord::tls::Security::Https).await
}

/// The reference topology over HTTPS or, explicitly, plain HTTP.
pub async fn harness_with(seed: u64, security: accord::tls::Security) -> Harness {
    let pki = TestPki::generate(seed).unwrap();
    let sink = ExchangeSink::default();
    let transport = Transport::new(
        sink.clone(),
        Limits::default(),
        &accord::tls::ClientTrust::of(&pki),
    )
    .unwrap();
    let topology = Topology::start_with(
        &pki,
        seed,
        Arc::new(FixedClock(NOW)),
        transport.clone(),
        security,
    )
    .await
    .unwrap();
    Harness {
        topology,
        control: ControlClient::new(transport),
        sink,
    }
}

pub fn eu_query() -> Value {
    json!({"credentials": [{
        "id": "diploma",
        "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:diploma:1"]},
        "claims": [{"path": ["qualification"]}, {"path": ["family_name"]}, {"path": ["given_name"]}]
    }]})
}

pub fn jp_query() -> Value {
    json!({"credentials": [{
        "id": "degree",
        "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://trust.accord-jp.example/vct/degree/1"]},
        "claims": [{"path": ["degree"]}, {"path": ["credits"]}, {"path": ["family_name_latin"]}, {"path": ["given_name_latin"]}]
    }]})
}

impl Harness {
    /// Issues the example credential of `issuer` (`eu`/`jp`) into the wallet.
    pub async fn issue(&self, issuer: &str, options: Value) -> Value {
        let offer = self
            .control
            .create_offer(&self.topology.issuer(issuer).base_url, &options)
            .await
            .unwrap();
        assert!(offer.ok(), "{:?}", offer.body);
        let accepted = self
            .control
            .accept_offer(
                &self.topology.wallet.base_url,
                offer.body["uri"].as_str().unwrap(),
                offer.body["tx_code"].as_str(),
            )
            .await
            .unwrap();
        accepted.body
    }

    /// Runs a presentation to `verifier` and returns (wallet answer, verifier outcome).
    pub async fn present(
        &self,
        verifier: &str,
        query: Value,
        mode: &str,
        extra: Value,
    ) -> (Value, Value) {
        let v = &self.topology.verifier(verifier).base_url;
        let created = self
            .control
            .create_request(v, &json!({"dcql_query": query, "response_mode": mode}))
            .await
            .unwrap();
        assert!(created.ok(), "{:?}", created.body);
        let mut body = json!({"request": created.body["authorization_request"]});
        if let Value::Object(m) = extra {
            for (k, x) in m {
                body[k] = x;
            }
        }
        let wallet = self
            .control
            .present(&self.topology.wallet.base_url, &body)
            .await
            .unwrap();
        let result = self
            .control
            .result(v, created.body["id"].as_str().unwrap())
            .await
            .unwrap();
        (wallet.body, result.body)
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn cited(outcome: &Value) -> Vec<String> {
    outcome["result"]["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["requirement"].as_str().map(str::to_owned))
        .collect()
}

/// One verifier process serves every client identifier prefix with both response modes,
/// chosen per request through the control API (a wallet's author covers the six
/// combinations against one verifier).
#[test]
fn one_verifier_serves_each_prefix_and_response_mode_per_request() {
    rt().block_on(async {
        let h = harness(8).await;
        h.issue("eu", json!({"tx_code": true})).await;
        let v = &h.topology.verifier("jp").base_url;
        let caps = h.control.capabilities("verifier", v).await.unwrap().body;
        assert_eq!(
            caps["client_id_prefixes"],
            json!(["x509_san_dns", "x509_hash", "redirect_uri"]),
            "{caps}"
        );
        for prefix in ["x509_san_dns", "x509_hash", "redirect_uri"] {
            for mode in ["direct_post", "direct_post.jwt"] {
                let created = h
                    .control
                    .create_request(
                        v,
                        &json!({"dcql_query": eu_query(), "response_mode": mode, "client_id_prefix": prefix}),
                    )
                    .await
                    .unwrap();
                assert!(created.ok(), "{prefix} {mode}: {:?}", created.body);
                let client_id = created.body["client_id"].as_str().unwrap();
                assert!(client_id.starts_with(&format!("{prefix}:")), "{client_id}");
                let wallet = h
                    .control
                    .present(
                        &h.topology.wallet.base_url,
                        &json!({"request": created.body["authorization_request"]}),
                    )
                    .await
                    .unwrap();
                assert_eq!(wallet.body["verifier_status"], 200, "{prefix} {mode}: {}", wallet.body);
                let id = created.body["id"].as_str().unwrap();
                let outcome = h.control.result(v, id).await.unwrap().body;
                assert_eq!(outcome["status"], "verified", "{prefix} {mode}: {outcome}");
                assert_eq!(outcome["result"]["client_id"], client_id, "{outcome}");
                assert_eq!(outcome["result"]["response_mode"], mode, "{outcome}");
            }
        }
    });
}

/// `request_uri_method=post` (OpenID4VP 1.0 §5.10): the wallet POSTs a fresh
/// `wallet_nonce` and checks that the request object carries it back; a verifier that drops
/// it is refused.
#[test]
fn the_wallet_fetches_request_objects_by_post_with_a_wallet_nonce() {
    rt().block_on(async {
        let h = harness(9).await;
        h.issue("eu", json!({"tx_code": true})).await;
        let v = &h.topology.verifier("jp").base_url;
        let create = |misbehave: Value| {
            json!({"dcql_query": eu_query(), "request_uri_method": "post", "misbehave": misbehave})
        };
        let created = h.control.create_request(v, &create(json!([]))).await.unwrap();
        assert!(created.ok(), "{:?}", created.body);
        let uri = created.body["authorization_request"].as_str().unwrap();
        assert!(uri.contains("request_uri_method=post"), "{uri}");
        let wallet = h
            .control
            .present(&h.topology.wallet.base_url, &json!({"request": uri}))
            .await
            .unwrap();
        assert_eq!(wallet.body["verifier_status"], 200, "{}", wallet.body);
        let fetch = h
            .sink
            .last_matching(|e| e.url.contains("/request/") && e.from == "wallet")
            .unwrap();
        assert_eq!(fetch.method, "POST");
        assert_eq!(
            fetch.request_headers["content-type"],
            "application/x-www-form-urlencoded"
        );
        let sent: std::collections::BTreeMap<String, String> =
            url::form_urlencoded::parse(fetch.request_body.as_bytes())
                .into_owned()
                .collect();
        let nonce = &sent["wallet_nonce"];
        let jws = accord::formats::jose::CompactJws::parse(fetch.response_body.trim()).unwrap();
        assert_eq!(jws.payload["wallet_nonce"], json!(nonce));

        let dropped = h
            .control
            .create_request(v, &create(json!(["drop-wallet-nonce"])))
            .await
            .unwrap();
        let refused = h
            .control
            .present(
                &h.topology.wallet.base_url,
                &json!({"request": dropped.body["authorization_request"]}),
            )
            .await
            .unwrap();
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.body.to_string().contains("OID4VP-5.10-request-uri-post"),
            "{}",
            refused.body
        );
    });
}

#[test]
fn eu_diploma_issued_and_presented_to_jp_verifier_both_response_modes() {
    rt().block_on(async {
        let h = harness(7).await;
        let issued = h.issue("eu", json!({"tx_code": true})).await;
        assert_eq!(
            issued["credentials"][0]["vct"], "urn:eudi:diploma:1",
            "{issued}"
        );
        for mode in ["direct_post", "direct_post.jwt"] {
            let (wallet, outcome) = h.present("jp", eu_query(), mode, json!({})).await;
            assert_eq!(wallet["verifier_status"], 200, "{mode}: {wallet}");
            assert_eq!(outcome["status"], "verified", "{mode}: {outcome}");
            let p = &outcome["result"]["presentations"][0];
            // Selective disclosure honoured: asked-for claims present, others withheld.
            assert!(p["claims"]["qualification"].is_object(), "{p}");
            assert!(p["claims"].get("date_of_birth").is_none(), "{p}");
            assert_eq!(
                outcome["result"]["recognition"][0]["recognition"]["verdict"],
                "recognised"
            );
        }
        assert!(!h.sink.drain().is_empty());
    });
}

#[test]
fn jp_degree_issued_by_authorization_code_flow_and_presented_to_eu_verifier() {
    rt().block_on(async {
        let h = harness(8).await;
        let issued = h
            .issue(
                "jp",
                json!({"flow": "authorization_code", "by_reference": true}),
            )
            .await;
        assert_eq!(
            issued["credentials"][0]["vct"], "https://trust.accord-jp.example/vct/degree/1",
            "{issued}"
        );
        let (_, outcome) = h
            .present("eu", jp_query(), "direct_post.jwt", json!({}))
            .await;
        assert_eq!(outcome["status"], "verified", "{outcome}");
        let trust = &outcome["result"]["presentations"][0]["trust"];
        assert_eq!(trust["path"]["decision"]["qualified"], false, "{trust}");
    });
}

#[test]
fn verifier_rejects_each_wallet_fault_citing_the_requirement() {
    rt().block_on(async {
        let h = harness(9).await;
        h.issue("eu", json!({})).await;
        let cases = [
            ("wrong-audience", "direct_post", "SDJWT-RFC9901-7.3-kb-aud"),
            ("wrong-nonce", "direct_post", "SDJWT-RFC9901-7.3-kb-nonce"),
            (
                "tampered-disclosure",
                "direct_post",
                "SDJWT-RFC9901-7.3-kb-sd-hash",
            ),
            (
                "missing-sd-hash",
                "direct_post",
                "SDJWT-RFC9901-7.3-kb-sd-hash",
            ),
            (
                "unadvertised-enc",
                "direct_post.jwt",
                "OID4VP-8.3-encrypted-response",
            ),
            (
                "plaintext-response",
                "direct_post.jwt",
                "OID4VP-8.3.1-direct-post-jwt",
            ),
        ];
        for (fault, mode, requirement) in cases {
            let (wallet, outcome) = h
                .present("jp", eu_query(), mode, json!({"misbehave": [fault]}))
                .await;
            assert_eq!(wallet["verifier_status"], 400, "{fault}: {wallet}");
            assert_eq!(
                wallet["verifier_response"]["error"], "invalid_request",
                "{fault}: {wallet}"
            );
            let ids = wallet["verifier_response"]["accord_requirements"]
                .as_array()
                .unwrap();
            assert!(ids.iter().any(|i| i == requirement), "{fault}: {wallet}");
            if fault != "unadvertised-enc" {
                assert_eq!(outcome["status"], "rejected", "{fault}: {outcome}");
                assert!(
                    cited(&outcome).contains(&requirement.to_owned())
                        || fault == "plaintext-response",
                    "{fault}: {outcome}"
                );
            }
        }
    });
}

#[test]
fn revoked_credential_is_rejected_through_the_status_list_host() {
    rt().block_on(async {
        let h = harness(10).await;
        let issued = h.issue("eu", json!({})).await;
        let idx = issued["credentials"][0]["claims"]["status"]["status_list"]["idx"]
            .as_u64()
            .unwrap();
        let set = h
            .control
            .set_status(&h.topology.status_list.base_url, "eu", idx, "invalid")
            .await
            .unwrap();
        assert!(set.ok(), "{:?}", set.body);
        let (wallet, outcome) = h.present("jp", eu_query(), "direct_post", json!({})).await;
        assert_eq!(wallet["verifier_status"], 400, "{wallet}");
        assert!(
            cited(&outcome).contains(&"TSL-7.1-status-values".to_owned()),
            "{outcome}"
        );
    });
}
