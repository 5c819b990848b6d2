//! The control API as published in `docs/control-api.openapi.json` is the API the reference
//! roles serve: every control exchange of real flows is matched to a documented operation and
//! status, its request and response bodies validate against the document's schemas, and every
//! documented operation is exercised.

use std::collections::BTreeSet;

use accord::transport::Request;
use serde_json::{Value, json};

use super::protocol::{eu_query, harness};
use super::support::{read_json, repo};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Validates `instance` against the schema at JSON pointer `at` inside the document (so its
/// `#/components/...` references resolve).
fn validate(doc: &Value, at: &str, instance: &Value, what: &str) {
    let mut schema = doc.clone();
    // A URI fragment: braces of path templates must be percent-encoded.
    schema["$ref"] = json!(format!("#{}", at.replace('{', "%7B").replace('}', "%7D")));
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{what}: schema at {at}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: {instance} does not match {at}: {errors:?}"
    );
}

/// `/control/requests/abc` → `/control/requests/{id}`.
fn template(doc: &Value, path: &str) -> Option<String> {
    let paths = doc["paths"].as_object().unwrap();
    paths
        .keys()
        .find(|t| {
            let (a, b): (Vec<&str>, Vec<&str>) =
                (t.split('/').collect(), path.split('/').collect());
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|(x, y)| x == y || (x.starts_with('{') && x.ends_with('}')))
        })
        .cloned()
}

#[test]
fn every_control_exchange_matches_the_published_openapi_document() {
    let doc = read_json(&repo().join("docs/control-api.openapi.json"));
    assert_eq!(doc["openapi"], "3.1.0");
    rt().block_on(async {
        let h = harness(41).await;
        let t = &h.topology;
        let c = &h.control;
        for (role, base) in [
            ("issuer", &t.eu_issuer),
            ("wallet", &t.wallet),
            ("verifier", &t.jp_verifier),
            ("status-list", &t.status_list),
            ("trust-list", &t.trust_list),
            ("tsa", &t.tsa),
        ] {
            assert!(c.health(role, &base.base_url).await.unwrap().ok());
            assert!(c.capabilities(role, &base.base_url).await.unwrap().ok());
        }
        let issued = h.issue("eu", json!({"tx_code": true})).await;
        h.issue(
            "eu",
            json!({"flow": "authorization_code", "by_reference": true}),
        )
        .await;
        assert!(c.credentials(&t.wallet.base_url).await.unwrap().ok());
        let pending = c
            .create_request(&t.jp_verifier.base_url, &json!({"dcql_query": eu_query()}))
            .await
            .unwrap();
        assert_eq!(
            c.result(
                &t.jp_verifier.base_url,
                pending.body["id"].as_str().unwrap()
            )
            .await
            .unwrap()
            .body["status"],
            "pending"
        );
        assert_eq!(
            c.result(&t.jp_verifier.base_url, "no-such-request")
                .await
                .unwrap()
                .status,
            404
        );
        h.present("jp", eu_query(), "direct_post.jwt", json!({}))
            .await;
        h.present(
            "jp",
            eu_query(),
            "direct_post",
            json!({"consent": {"deny": true}}),
        )
        .await;
        h.present(
            "jp",
            eu_query(),
            "direct_post",
            json!({"misbehave": ["wrong-nonce"]}),
        )
        .await;
        let expired = c
            .create_request(
                &t.jp_verifier.base_url,
                &json!({"dcql_query": eu_query(), "misbehave": ["expired-request-object"]}),
            )
            .await
            .unwrap();
        assert_eq!(
            c.present(
                &t.wallet.base_url,
                &json!({"request": expired.body["authorization_request"]})
            )
            .await
            .unwrap()
            .status,
            422
        );
        let bad = c
            .create_request(
                &t.jp_verifier.base_url,
                &json!({"dcql_query": {"credentials": []}}),
            )
            .await
            .unwrap();
        assert_eq!(bad.status, 400);
        assert_eq!(
            c.create_offer(&t.eu_issuer.base_url, &json!({"flow": "sideways"}))
                .await
                .unwrap()
                .status,
            400
        );
        let idx = issued["credentials"][0]["claims"]["status"]["status_list"]["idx"]
            .as_u64()
            .unwrap();
        assert!(
            c.set_status(&t.status_list.base_url, "eu", idx, "suspended")
                .await
                .unwrap()
                .ok()
        );
        assert_eq!(
            c.set_status(&t.status_list.base_url, "eu", 1 << 40, "invalid")
                .await
                .unwrap()
                .status,
            400
        );
        // The trust-list host publishes what the scheme operator gives it.
        let eu_list = accord::trust::pki::TestPki::generate(41)
            .unwrap()
            .eu
            .signed_trust_list()
            .unwrap();
        assert!(
            c.publish_trust_list(&t.trust_list.base_url, "eu", &eu_list)
                .await
                .unwrap()
                .ok()
        );
        assert_eq!(
            c.publish_trust_list(&t.trust_list.base_url, "eu", "")
                .await
                .unwrap()
                .status,
            400
        );
        // The TSA's fault: set, read, refused when unknown, cleared.
        let fault_url = format!("{}/control/fault", t.tsa.base_url);
        for (body, status) in [
            (json!({"fault": "withdrawn-service"}), 200),
            (json!({"fault": "late"}), 400),
            (json!({"fault": null}), 200),
        ] {
            let r = c
                .transport()
                .send("harness", "tsa", Request::put_json(&fault_url, &body))
                .await
                .unwrap();
            assert_eq!(r.status, status, "{body}");
        }
        let r = c
            .transport()
            .send("harness", "tsa", Request::get(&fault_url))
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        // The trust-list host's XML lists: a misconfigured one staged and cleared, a list
        // published as a scheme operator would, a document that is no list refused.
        let trust = &t.trust_list.base_url;
        for fault in [Some("fr-past-next-update"), None] {
            assert!(c.set_fault("trust-list", trust, fault).await.unwrap().ok());
        }
        let lotl = c
            .transport()
            .send(
                "harness",
                "trust-list",
                Request::get(format!("{trust}/tl/lotl.xml")),
            )
            .await
            .unwrap();
        assert_eq!(lotl.status, 200);
        let lotl = String::from_utf8(lotl.body.to_vec()).unwrap();
        assert!(
            c.publish_xml_list(trust, "lotl.xml", &lotl)
                .await
                .unwrap()
                .ok()
        );
        assert_eq!(
            c.publish_xml_list(trust, "lotl.xml", "<html/>")
                .await
                .unwrap()
                .status,
            400
        );
        // A seal judged by the verifier through those lists, and a query it cannot read.
        let verdict = c
            .judge_seal(
                &t.jp_verifier.base_url,
                &json!({"format": "jades", "document": "not a seal"}),
            )
            .await
            .unwrap();
        assert_eq!(verdict.status, 200, "{}", verdict.body);
        assert_eq!(verdict.body["verdict"], "invalid", "{}", verdict.body);
        assert_eq!(
            c.judge_seal(&t.jp_verifier.base_url, &json!({"format": "xades"}))
                .await
                .unwrap()
                .status,
            400
        );
        // A badge handed over as a file, judged for recognition; a document that is not
        // what its format says; a format the verifier does not know.
        let key = accord::formats::jose::SigningKey::from_ed25519_seed(&[9; 32]).unwrap();
        let badge = accord::academic::signed_badge(
            accord::profiles::recognition::Format::LdpVc,
            &key,
            "Universiteit Dijleland",
            "BE",
            "did:example:learner",
            "2026-03-02T09:00:00Z",
        )
        .unwrap();
        let judged = c
            .judge_recognition(
                &t.jp_verifier.base_url,
                &json!({"format": "badge", "document": badge}),
            )
            .await
            .unwrap();
        assert_eq!(judged.status, 200, "{}", judged.body);
        assert_eq!(
            judged.body["authenticity"]["holds"], true,
            "{}",
            judged.body
        );
        assert_eq!(judged.body["recognition"]["format"], "ldp_vc");
        let pdf = c
            .judge_recognition(
                &t.jp_verifier.base_url,
                &json!({"format": "pdf", "document_base64": "R0lGODlh"}),
            )
            .await
            .unwrap();
        assert_eq!(pdf.status, 422, "{}", pdf.body);
        assert_eq!(
            c.judge_recognition(&t.jp_verifier.base_url, &json!({"format": "docx"}))
                .await
                .unwrap()
                .status,
            400
        );
        let r = c
            .transport()
            .send(
                "harness",
                "verifier",
                Request::post_json(
                    format!("{}/control/deferred", t.jp_verifier.base_url),
                    &json!({}),
                ),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 501);

        let mut exercised = BTreeSet::new();
        let control: Vec<_> = h
            .sink
            .drain()
            .into_iter()
            .filter(|x| x.from == "harness" && x.url.contains("/control/"))
            .collect();
        assert!(control.len() > 20);
        for x in control {
            let path = x
                .url
                .split_once("/control/")
                .map(|(_, p)| format!("/control/{p}"))
                .unwrap();
            let path = path.split('?').next().unwrap().to_owned();
            let body: Value = serde_json::from_str(&x.response_body)
                .unwrap_or_else(|e| panic!("{path}: response is not JSON: {e}"));
            let status = x.status.unwrap();
            let Some(tpl) = template(&doc, &path) else {
                assert_eq!(
                    status, 501,
                    "{path} is not documented but answered {status}"
                );
                validate(&doc, "/components/schemas/NotImplemented", &body, &path);
                continue;
            };
            let method = x.method.to_ascii_lowercase();
            let op_at = format!("/paths/{}/{method}", pointer_escape(&tpl));
            let op = doc
                .pointer(&op_at)
                .unwrap_or_else(|| panic!("{method} {tpl} is not documented"));
            exercised.insert(format!("{method} {tpl}"));
            // A 400 is the role refusing a request it judged malformed; the others must have
            // been well-formed by the document.
            // XML bodies (a trusted list) are the list itself, not JSON.
            let json_body = op
                .pointer("/requestBody/content/application~1json")
                .is_some();
            if json_body && status != 400 {
                let request: Value = serde_json::from_str(&x.request_body).unwrap();
                validate(
                    &doc,
                    &format!("{op_at}/requestBody/content/application~1json/schema"),
                    &request,
                    &format!("{method} {tpl} request"),
                );
            }
            let response = op["responses"].get(status.to_string()).unwrap_or_else(|| {
                panic!("{method} {tpl} answered undocumented status {status}: {body}")
            });
            let schema_at = match response.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let target = doc.pointer(r.trim_start_matches('#')).unwrap();
                    let inner = target["content"]["application/json"]["schema"]["$ref"]
                        .as_str()
                        .unwrap();
                    inner.trim_start_matches('#').to_owned()
                }
                None => format!("{op_at}/responses/{status}/content/application~1json/schema"),
            };
            validate(&doc, &schema_at, &body, &format!("{method} {tpl} {status}"));
        }
        let documented: BTreeSet<String> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(p, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| format!("{m} {p}"))
            })
            .collect();
        let missed: Vec<_> = documented.difference(&exercised).collect();
        assert!(
            missed.is_empty(),
            "documented but never exercised: {missed:?}"
        );
    });
}
