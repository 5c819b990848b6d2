//! The specs' own examples (tests/vectors, see its README for provenance), decoded, verified
//! and re-encoded exactly.

use accord::formats::jose::b64;
use accord::formats::jose::{Jwk, VerifyingKey};
use accord::formats::sd_jwt::json::{JsonForm, parse, parse_any, to_json};
use accord::formats::sd_jwt::present::holder_view;
use accord::formats::sd_jwt::verify::{FixedIssuerKey, KbExpectation, VerifyOptions, verify};
use accord::formats::sd_jwt::{Disclosure, HashAlg, SdJwt};
use accord::formats::sd_jwt_vc::{self, TypMode};
use accord::formats::status_list::{self, StatusList, StatusReference};
use serde_json::{Value, json};

use crate::support::{read_json, vector_files};

fn key(v: &Value) -> VerifyingKey {
    let jwk: Jwk = serde_json::from_value(v.clone()).expect("vector JWK");
    VerifyingKey::from_jwk(&jwk).expect("vector key")
}

fn sd_jwt_of(v: &Value) -> (SdJwt, Option<JsonForm>) {
    match &v["sd_jwt"] {
        Value::String(s) => {
            let (sd, form) = parse_any(s).expect("vector parses");
            assert_eq!(sd.to_compact(), *s, "compact re-encoding is byte-identical");
            (sd, form)
        }
        obj @ Value::Object(_) => {
            let (sd, form) = parse(obj).expect("vector parses");
            let again = to_json(&sd, form).expect("re-encode");
            if form == JsonForm::Flattened {
                assert_eq!(&again, obj, "JSON re-encoding is identical");
            } else {
                // Accord carries the first signature (the one that holds the disclosures and
                // that sd_hash binds, RFC 9901 §8.3); further signatures and other unprotected
                // header members are not re-emitted.
                let (first, ours) = (&obj["signatures"][0], &again["signatures"][0]);
                assert_eq!(again["payload"], obj["payload"]);
                for k in ["protected", "signature"] {
                    assert_eq!(ours[k], first[k]);
                }
                for k in ["disclosures", "kb_jwt"] {
                    assert_eq!(ours["header"][k], first["header"][k]);
                }
            }
            (sd, Some(form))
        }
        other => panic!("unexpected sd_jwt {other}"),
    }
}

fn check_disclosures(name: &str, v: &Value) {
    for d in v["disclosures"].as_array().into_iter().flatten() {
        let parsed = Disclosure::parse(d["disclosure"].as_str().expect("string"))
            .expect("disclosure parses");
        assert_eq!(
            parsed.digest(HashAlg::Sha256),
            d["digest"].as_str().expect("digest"),
            "{name}"
        );
        assert_eq!(parsed.salt, d["salt"].as_str().expect("salt"), "{name}");
        assert_eq!(parsed.name.as_deref(), d["claim_name"].as_str(), "{name}");
        assert_eq!(parsed.value, d["claim_value"], "{name}");
    }
}

#[test]
fn every_sd_jwt_example_verifies_to_the_printed_claims() {
    let mut checked = 0;
    for dir in ["sd-jwt", "sd-jwt-vc"] {
        for file in vector_files(dir) {
            let name = file.display().to_string();
            if name.ends_with("disclosures.json") {
                continue;
            }
            let v = read_json(&file);
            check_disclosures(&name, &v);
            if v["sd_jwt"].is_null() {
                continue;
            }
            let (sd, _) = sd_jwt_of(&v);
            let mut options = VerifyOptions::at(v["now"].as_i64().expect("now"));
            if let Value::Object(kb) = &v["kb"] {
                options.key_binding = Some(KbExpectation {
                    aud: kb["aud"].as_str().expect("aud").into(),
                    nonce: kb["nonce"].as_str().expect("nonce").into(),
                });
            }
            let result = verify(&sd, &mut FixedIssuerKey(key(&v["issuer_jwk"])), &options);
            assert!(
                result.violations.is_empty(),
                "{name}: {:?}",
                result.violations
            );
            assert!(result.is_valid(), "{name}");
            let expected = if v["expected_claims"].is_object() {
                &v["expected_claims"]
            } else {
                &v["processed_claims_computed"]
            };
            if expected.is_object() {
                assert_eq!(Value::Object(result.claims.clone()), *expected, "{name}");
            }
            if let Value::Object(kb) = &v["kb"] {
                let got = result.kb.as_ref().expect("kb payload");
                assert_eq!(got["sd_hash"], kb["sd_hash"], "{name}");
            }
            if dir == "sd-jwt-vc" {
                let vc = sd_jwt_vc::check(&result, TypMode::Strict, sd.kb_jwt.is_some());
                assert!(vc.is_empty(), "{name}: {vc:?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} vectors checked");
}

#[test]
fn nested_examples_unpack_to_their_input_claims() {
    for file in vector_files("sd-jwt") {
        let v = read_json(&file);
        if !v["sd_jwt"].is_null() || !v["issuer_signed_payload"].is_object() {
            continue;
        }
        // The spec prints only the payload and disclosures here: wrap them in an unsigned JWS
        // (holder_view checks no signature) and unpack with every disclosure.
        let jwt = format!(
            "{}.{}.AA",
            b64(br#"{"alg":"ES256"}"#),
            b64(v["issuer_signed_payload"].to_string())
        );
        let disclosures = v["disclosures"]
            .as_array()
            .expect("disclosures")
            .iter()
            .map(|d| d["disclosure"].as_str().expect("string").to_owned())
            .collect();
        let view = holder_view(&SdJwt {
            issuer_jwt: jwt,
            disclosures,
            kb_jwt: None,
        })
        .expect("unpacks");
        let input = v["input_claims"].as_object().expect("input_claims");
        for (k, expected) in input {
            assert_eq!(
                view.claims.get(k),
                Some(expected),
                "{}: claim {k}",
                file.display()
            );
        }
    }
}

#[test]
fn disclosure_examples_hash_over_the_bytes_received() {
    let v = read_json(&crate::support::repo().join("tests/vectors/sd-jwt/disclosures.json"));
    let list = v["disclosures"].as_array().expect("disclosures");
    assert!(list.len() >= 4);
    for d in list {
        let parsed = Disclosure::parse(d["disclosure"].as_str().expect("string")).expect("parses");
        assert_eq!(
            parsed.digest(HashAlg::Sha256),
            d["digest"].as_str().expect("digest"),
            "{d}"
        );
    }
}

fn statuses_of(v: &Value) -> Vec<(u64, u8)> {
    if let Value::Array(all) = &v["statuses"] {
        return all
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u64, s.as_u64().expect("status") as u8))
            .collect();
    }
    v["statuses_sparse"]
        .as_array()
        .expect("statuses_sparse")
        .iter()
        .map(|p| {
            (
                p[0].as_u64().expect("idx"),
                p[1].as_u64().expect("status") as u8,
            )
        })
        .collect()
}

#[test]
fn status_list_examples_decode_lsb_first() {
    for file in vector_files("status-list") {
        let v = read_json(&file);
        let Some(lst) = v["lst"].as_str() else {
            continue;
        };
        let bits = v["bits"].as_i64().expect("bits");
        let list =
            StatusList::decode_lst(bits, lst).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if let Some(size) = v["size"].as_u64() {
            assert_eq!(list.len(), size, "{}", file.display());
        }
        let expected = statuses_of(&v);
        for (idx, status) in &expected {
            assert_eq!(
                list.get(*idx).expect("in range"),
                *status,
                "{} index {idx}",
                file.display()
            );
        }
        if v["statuses_sparse"].is_array() {
            let nonzero = (0..list.len())
                .filter(|i| list.get(*i).expect("in range") != 0)
                .count();
            let listed = expected.iter().filter(|(_, s)| *s != 0).count();
            assert_eq!(
                nonzero,
                listed,
                "{}: no unlisted non-zero entry",
                file.display()
            );
        }
        if let Value::Array(bytes) = &v["byte_array"] {
            let expected: Vec<u8> = bytes
                .iter()
                .map(|b| b.as_u64().expect("byte") as u8)
                .collect();
            assert_eq!(list.bytes(), expected.as_slice());
        }
    }
}

#[test]
fn referenced_token_example_is_invalid_by_the_example_status_list() {
    let dir = crate::support::repo().join("tests/vectors/status-list");
    let list = read_json(&dir.join("bits1_example.json"));
    let token = list["token"].as_str().expect("token");
    let now = list["now"].as_i64().expect("now");
    let referenced = read_json(&dir.join("referenced_token_sd_jwt.json"));
    let (sd, _) = sd_jwt_of(&referenced);
    let result = verify(
        &sd,
        &mut FixedIssuerKey(key(&referenced["issuer_jwk"])),
        &VerifyOptions::at(now),
    );
    assert!(result.violations.is_empty(), "{:?}", result.violations);
    let reference = StatusReference::from_claims(&result.claims)
        .expect("well formed")
        .expect("has status");
    let check = status_list::check(
        &reference,
        Some(token),
        &mut FixedIssuerKey(key(&list["token_jwk"])),
        now,
    );
    assert_eq!(
        check.status,
        referenced["expected_status"].as_u64().map(|s| s as u8)
    );
    let ids: Vec<&str> = check.violations.iter().map(|v| v.requirement.id).collect();
    assert_eq!(
        ids,
        vec![accord::requirements::catalogue::TSL_STATUS_VALUES.id]
    );
    // The same token is refused for a different list URI, and an index past the end fails.
    let other = StatusReference {
        idx: 0,
        uri: "https://example.com/statuslists/2".into(),
    };
    let c = status_list::check(
        &other,
        Some(token),
        &mut FixedIssuerKey(key(&list["token_jwk"])),
        now,
    );
    assert!(
        c.violations
            .iter()
            .any(|v| v.requirement.id == accord::requirements::catalogue::TSL_SUB_URI.id)
    );
    let past = StatusReference {
        idx: 16,
        uri: reference.uri.clone(),
    };
    let c = status_list::check(
        &past,
        Some(token),
        &mut FixedIssuerKey(key(&list["token_jwk"])),
        now,
    );
    assert_eq!(c.status, None);
    assert!(
        c.violations
            .iter()
            .any(|v| v.requirement.id == accord::requirements::catalogue::TSL_INDEX_RANGE.id)
    );
    let _ = json!(null);
}

/// The signed Europass sample of the European Learning Model (tests/vectors/europass/): a
/// JAdES JSON seal with `b64: false`, RS256, `sigT`, `adoTst` and `etsiU`, sealed under a
/// test provider on no list Accord reads. Checked for structure: every format step and the
/// signature value hold; trust cannot be established, and Accord says so (INDETERMINATE),
/// never TOTAL-PASSED.
#[test]
fn the_signed_europass_sample_holds_its_structure_and_its_signature_verifies() {
    use accord::formats::jades::{Policy, validate_seal};
    use accord::trust::ades::{Indication, Level};
    use accord::trust::services::{ServiceDirectory, ServiceKind};
    let path = crate::support::repo().join("tests/vectors/europass/Sample-MC-Annex1-signed.jsonld");
    let text = std::fs::read_to_string(path).unwrap();
    let directory = ServiceDirectory::default();
    let policy = Policy {
        directory: &directory,
        // 2023-10-01, within the sealing certificate's validity.
        at: 1_696_118_400,
        kind: ServiceKind::ESeal,
        required_level: Level::B,
    };
    let report = validate_seal(&text, None, &policy);
    for id in [
        "ADES-EN319102-5.2.2-format",
        "JADES-TS119182-5.1.2-alg",
        "JADES-TS119182-6.3-crit",
        "JADES-TS119182-6.3-b64",
        "JADES-TS119182-5.1.7-x5t-s256",
        "ADES-EN319102-5.2.3-signing-certificate",
        "JADES-TS119182-5.2.1-signing-time",
        "ADES-EN319102-5.2.7-crypto",
        "JADES-TS119182-5.3.1-etsiu",
    ] {
        assert!(
            report.steps.iter().any(|s| s.requirement == id && s.passed),
            "{id} did not pass: {report:#?}"
        );
    }
    assert_eq!(
        report.claimed_signing_time.as_deref(),
        Some("2023-09-27T11:54:17Z")
    );
    assert_eq!(
        report.outcome.indication(),
        Some(Indication::Indeterminate),
        "{}",
        report.outcome.label()
    );
    // The time-stamps (content, signature, archive) are all read, and each token's imprint
    // is the one TS 119 182-1 computes (no HASH_FAILURE): their TSA is simply on no list.
    assert_eq!(report.timestamps.len(), 3, "{report:#?}");
    for ts in &report.timestamps {
        assert_eq!(
            ts.outcome.label(),
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND",
            "{ts:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Data Integrity: the eddsa-rdfc-2022 vectors of the W3C EdDSA Cryptosuites specification and
// the Open Badges 3.0 Linked Data proof vector of 1EdTech (tests/vectors/README.md names both).

mod data_integrity {
    use accord::formats::data_integrity::{self, Contexts, rdfc};
    use accord::formats::jose::SigningKey;
    use serde_json::Value;

    fn dir(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors")
            .join(name)
    }

    fn text(dir_name: &str, file: &str) -> String {
        std::fs::read_to_string(dir(dir_name).join(file)).unwrap()
    }

    fn json(dir_name: &str, file: &str) -> Value {
        serde_json::from_str(&text(dir_name, file)).unwrap()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The W3C vector: canonical document and proof configuration byte for byte, the hash
    /// data, the signed credential verifying under its did:key, and signing the unsigned
    /// credential with the vector's private key giving the very same proofValue (Ed25519 is
    /// deterministic).
    #[test]
    fn the_w3c_eddsa_rdfc_2022_vector_reproduces_byte_for_byte() {
        let contexts = Contexts::bundled();
        let unsigned = json("data-integrity", "unsigned.json");
        let document = rdfc::canonical_nquads(&unsigned, contexts).unwrap();
        assert_eq!(document, text("data-integrity", "canonDocDataInt.txt"));
        let config = json("data-integrity", "proofConfigDataInt.json");
        let proof_config = rdfc::canonical_nquads(&config, contexts).unwrap();
        assert_eq!(
            proof_config,
            text("data-integrity", "proofCanonDataInt.txt")
        );
        assert_eq!(
            hex(&data_integrity::hash_data(&proof_config, &document)),
            text("data-integrity", "combinedHashDataInt.txt").trim()
        );

        let signed = json("data-integrity", "signedDataInt.json");
        let checked = data_integrity::verify(&signed, None, contexts).unwrap();
        assert!(
            checked.valid(),
            "{:?} {:?}",
            checked.violations,
            checked.not_checked
        );

        // privateKeyMultibase: base58-btc of the multicodec ed25519-priv header 0x8026 and the seed.
        let pair = json("data-integrity", "keyPair.json");
        let private = bs58::decode(&pair["privateKeyMultibase"].as_str().unwrap()[1..])
            .into_vec()
            .unwrap();
        assert_eq!(&private[..2], &[0x80, 0x26]);
        let key = SigningKey::from_ed25519_seed(&private[2..]).unwrap();
        let proof = &signed["proof"];
        let resigned = data_integrity::issue(
            &unsigned,
            &key,
            proof["verificationMethod"].as_str().unwrap(),
            proof["created"].as_str().unwrap(),
            contexts,
        )
        .unwrap();
        assert_eq!(resigned["proof"]["proofValue"], proof["proofValue"]);
        assert_eq!(resigned, signed);
    }

    /// The Open Badges 3.0 vector (context 3.0.3): its canonical forms, hashes and signature
    /// reproduce; the credential verifies under the vector's Multikey (its method is an HTTPS
    /// URL, which Accord does not dereference: without the key it is reported unchecked).
    #[test]
    fn the_open_badges_vector_reproduces_and_verifies_under_its_multikey() {
        let contexts = Contexts::bundled();
        let vector = json("openbadges", "vector.json");
        let signed = json(
            "openbadges",
            vector["signed_credential_file"].as_str().unwrap(),
        );
        let mut unsigned = signed.clone();
        let proof = unsigned.as_object_mut().unwrap().remove("proof").unwrap();
        let document = rdfc::canonical_nquads(&unsigned, contexts).unwrap();
        assert_eq!(document, text("openbadges", "document-canon.txt"));
        let mut config = proof.clone();
        config.as_object_mut().unwrap().remove("proofValue");
        config["@context"] = unsigned["@context"].clone();
        let proof_config = rdfc::canonical_nquads(&config, contexts).unwrap();
        assert_eq!(proof_config, text("openbadges", "proof-canon.txt"));
        let data = data_integrity::hash_data(&proof_config, &document);
        assert_eq!(hex(&data[..32]), vector["proof_hash_hex"].as_str().unwrap());
        assert_eq!(
            hex(&data[32..]),
            vector["document_hash_hex"].as_str().unwrap()
        );

        let public = unhex(vector["public_key_hex"].as_str().unwrap());
        assert_eq!(
            data_integrity::multikey(&public),
            vector["public_key_multibase"].as_str().unwrap()
        );
        let key = Value::String(vector["public_key_multibase"].as_str().unwrap().into());
        let checked = data_integrity::verify(&signed, Some(&key), contexts).unwrap();
        assert!(checked.open_badge);
        assert!(
            checked.valid(),
            "{:?} {:?}",
            checked.violations,
            checked.not_checked
        );
        let unchecked = data_integrity::verify(&signed, None, contexts).unwrap();
        assert_eq!(unchecked.signature_verified, None);
        assert!(
            unchecked
                .not_checked
                .unwrap()
                .contains("https://example.edu/issuers/565049#")
        );

        let seed = unhex(vector["private_key_hex"].as_str().unwrap());
        let key = SigningKey::from_ed25519_seed(&seed[..32]).unwrap();
        let resigned = data_integrity::issue(
            &unsigned,
            &key,
            proof["verificationMethod"].as_str().unwrap(),
            proof["created"].as_str().unwrap(),
            contexts,
        )
        .unwrap();
        let value = resigned["proof"]["proofValue"].as_str().unwrap();
        let signature = bs58::decode(&value[1..]).into_vec().unwrap();
        assert_eq!(hex(&signature), vector["signature_hex"].as_str().unwrap());
        assert_eq!(
            resigned["proof"]["proofValue"],
            signed["proof"]["proofValue"]
        );
    }

    /// A changed signed value, a changed proof option, and an added term that the context
    /// does not define each fail, citing their rule.
    #[test]
    fn the_open_badges_vector_changed_fails_with_the_rule_it_breaks() {
        let contexts = Contexts::bundled();
        let vector = json("openbadges", "vector.json");
        let signed = json(
            "openbadges",
            vector["signed_credential_file"].as_str().unwrap(),
        );
        let key = Value::String(vector["public_key_multibase"].as_str().unwrap().into());
        let failed = |doc: &Value| {
            let checked = data_integrity::verify(doc, Some(&key), contexts).unwrap();
            assert!(!checked.valid());
            checked
                .violations
                .iter()
                .map(|v| v.requirement.id)
                .collect::<Vec<_>>()
        };
        let mut name = signed.clone();
        name["name"] = "Leadership Badge".into();
        assert_eq!(failed(&name), ["DI-EDDSA-3.2.7-signature"]);
        let mut created = signed.clone();
        created["proof"]["created"] = "2011-01-01T19:23:24Z".into();
        assert_eq!(failed(&created), ["DI-EDDSA-3.2.7-signature"]);
        let mut purpose = signed.clone();
        purpose["proof"]["proofPurpose"] = "authentication".into();
        assert_eq!(
            failed(&purpose),
            ["OB3-8.3.1-proof-purpose", "DI-EDDSA-3.2.7-signature"]
        );
        let mut undefined = signed.clone();
        undefined["credentialSubject"]["grade"] = "A".into();
        assert_eq!(failed(&undefined), ["DI-4.3-data-loss"]);
    }
}
