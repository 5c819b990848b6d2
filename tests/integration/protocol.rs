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
    let pki = TestPki::generate(seed).unwrap();
    let sink = ExchangeSink::default();
    let transport = Transport::new(sink.clone(), Limits::default()).unwrap();
    let topology = Topology::start(&pki, seed, Arc::new(FixedClock(NOW)), transport.clone())
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
