//! Data Integrity proofs (`eddsa-rdfc-2022`) against an independent implementation: PyLD
//! (JSON-LD 1.1 to RDF and URDNA2015, the algorithm RDFC-1.0 standardised) with `cryptography`
//! for Ed25519, driven by `tests/peers/data_integrity_pyld.py`. The same documents must have
//! the same canonical N-Quads in both, and each side must verify what the other signs and
//! refuse it changed.

use accord::formats::data_integrity::{self, Contexts, rdfc};
use accord::formats::jose::SigningKey;
use serde_json::{Value, json};

use crate::support::{python_peer, repo};

const SEED: [u8; 32] = [42; 32];

/// The contexts the peer may load, each from the very file Accord bundles.
fn contexts() -> Value {
    let dir = repo().join("src/formats/data_integrity/contexts");
    json!({
        "https://www.w3.org/ns/credentials/v2": dir.join("credentials-v2.jsonld"),
        "https://www.w3.org/ns/credentials/examples/v2": dir.join("credentials-examples-v2.jsonld"),
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": dir.join("ob-v3p0-context-3.0.3.jsonld"),
    })
}

fn vector(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join("tests/vectors").join(path)).unwrap())
        .unwrap()
}

/// An Open Badges 3.0 micro-credential with what trips canonicalizers: nested objects without
/// an id (blank nodes, two of them alike but for one value), a decimal credit count (an
/// xsd:float, whose canonical lexical form differs from the JSON number), a language-tagged
/// title in Japanese, an integer, a date, and arrays.
fn micro_credential() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:0b7d3e8a-4a53-4f0e-9f5c-1f3c2a9d6e01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://university.example.ac.jp/issuers/1", "type": ["Profile"],
                   "name": {"@value": "東京工科大学 (example)", "@language": "ja"}},
        "validFrom": "2026-04-01T00:00:00Z",
        "name": "Data Science Foundations",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "creditsEarned": 5.5,
            "result": [
                {"type": ["Result"], "value": "A"},
                {"type": ["Result"], "value": "B"}
            ],
            "achievement": {
                "id": "https://university.example.ac.jp/achievements/ds-101",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": "データサイエンス基礎",
                "description": "Foundations of data science: statistics, Python, ethics.",
                "criteria": {"narrative": "Passed the final assessment with at least 60%."},
                "creditsAvailable": 5.5,
                "alignment": [{
                    "type": ["Alignment"],
                    "targetName": "EQF level 6",
                    "targetFramework": "European Qualifications Framework",
                    "targetCode": "6",
                    "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels"
                }]
            }
        }
    })
}

fn documents() -> Vec<(&'static str, Value)> {
    vec![
        ("the W3C vector", vector("data-integrity/unsigned.json")),
        ("the Open Badges vector", {
            let mut d = vector("openbadges/signed-ob3-eddsa-rdfc-2022.json");
            d.as_object_mut().unwrap().remove("proof");
            d
        }),
        ("a micro-credential", micro_credential()),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Accord's canonical N-Quads are PyLD's, byte for byte, for every document.
#[test]
fn accord_and_pyld_canonicalize_alike() {
    for (name, doc) in documents() {
        let Some(answer) = python_peer(
            "PyLD",
            "data_integrity_pyld.py",
            "canonical",
            &json!({"doc": doc, "contexts": contexts()}),
        ) else {
            return;
        };
        let ours = rdfc::canonical_nquads(&doc, Contexts::bundled()).unwrap();
        assert_eq!(ours, answer["nquads"].as_str().unwrap(), "{name}");
    }
}

/// What Accord signs, the peer verifies, and refuses once a signed value changed; what the
/// peer signs, Accord verifies (and as Ed25519 is deterministic, the two proofs are the same
/// bytes).
#[test]
fn each_side_verifies_what_the_other_signs() {
    let key = SigningKey::from_ed25519_seed(&SEED).unwrap();
    let public = accord::formats::jose::b64_decode(&key.public_jwk().x).unwrap();
    let (_, method) = data_integrity::did_key(&public);
    let created = "2026-04-01T09:00:00Z";
    for (name, doc) in documents() {
        let ours =
            data_integrity::issue(&doc, &key, &method, created, Contexts::bundled()).unwrap();
        let Some(answer) = python_peer(
            "PyLD",
            "data_integrity_pyld.py",
            "verify",
            &json!({"doc": ours, "public_key_hex": hex(&public), "contexts": contexts()}),
        ) else {
            return;
        };
        assert_eq!(
            answer["verified"], true,
            "PyLD refused Accord's proof on {name}"
        );

        let mut changed = ours.clone();
        changed["validFrom"] = "2027-01-01T00:00:00Z".into();
        let answer = python_peer(
            "PyLD",
            "data_integrity_pyld.py",
            "verify",
            &json!({"doc": changed, "public_key_hex": hex(&public), "contexts": contexts()}),
        )
        .unwrap();
        assert_eq!(answer["verified"], false, "PyLD accepted a changed {name}");
        let checked = data_integrity::verify(&changed, None, Contexts::bundled()).unwrap();
        assert_eq!(checked.signature_verified, Some(false), "{name}");

        let theirs = python_peer(
            "PyLD",
            "data_integrity_pyld.py",
            "sign",
            &json!({"doc": doc, "seed_hex": hex(&SEED), "verification_method": method,
                    "created": created, "contexts": contexts()}),
        )
        .unwrap()["doc"]
            .clone();
        let checked = data_integrity::verify(&theirs, None, Contexts::bundled()).unwrap();
        assert!(
            checked.valid(),
            "{name}: {:?} {:?}",
            checked.violations,
            checked.not_checked
        );
        assert_eq!(
            theirs["proof"]["proofValue"], ours["proof"]["proofValue"],
            "{name}"
        );
    }
}
