//! Interop with an implementation Accord did not write: the OpenWallet Foundation `sd-jwt`
//! Python library (tests/peers/owf_sdjwt.py drives it). Both directions: the library verifies
//! what Accord issues and presents, and Accord verifies what the library issues and presents.
//! Where the two disagree, the tests say which side RFC 9901 supports.
//!
//! Without the Python package the tests say loudly that they were skipped; with
//! `ACCORD_REQUIRE_PEERS=1` (set by .ci/run) a missing peer is a failure.

use accord::entropy::{Clock, SeededEntropy, SystemClock};
use accord::formats::jose::{Algorithm, SigningKey};
use accord::formats::sd_jwt::issue::{Decoys, IssueRequest, issue};
use accord::formats::sd_jwt::json::{JsonForm, parse, parse_any, to_json};
use accord::formats::sd_jwt::present::{KeyBinding, present};
use accord::formats::sd_jwt::verify::{
    FixedIssuerKey, KbExpectation, Verification, VerifyOptions, verify,
};
use accord::formats::sd_jwt::{ClaimPath, HashAlg, SdJwt};
use accord::requirements::catalogue as req;
use serde_json::{Map, Value, json};

const AUD: &str = "https://verifier.eu.accord.test";
const NONCE: &str = "n-0S6_WzA2Mj";

fn peer(command: &str, request: &Value) -> Option<Value> {
    crate::support::python_peer("OWF sd-jwt", "owf_sdjwt.py", command, request)
}

fn keys() -> (SigningKey, SigningKey) {
    (
        SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(7, "peer-issuer"))
            .expect("key"),
        SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(7, "peer-holder"))
            .expect("key"),
    )
}

/// A claim set with nested objects, arrays and non-ASCII text.
fn claims() -> Map<String, Value> {
    let Value::Object(m) = json!({
        "iss": "https://issuer.jp.accord.test",
        "iat": 1_770_000_000,
        "vct": "https://trust.accord-jp.example/vct/degree/1",
        "family_name": "髙橋",
        "given_name": "太郎",
        "family_name_latin": "TAKAHASHI",
        "nationalities": ["JP", "FR"],
        "degree": {"type": "gakushi", "name": {"ja": "学士(工学)", "en": "Bachelor of Engineering"}, "isced2011": "665"},
        "credits": {"system": "JP-tanni", "value": 128, "hours_per_unit": 45}
    }) else {
        unreachable!()
    };
    m
}

fn sd_paths() -> Vec<ClaimPath> {
    [
        "family_name",
        "given_name",
        "family_name_latin",
        "nationalities",
        "nationalities.0",
        "nationalities.1",
        "degree",
        "degree.type",
        "degree.name",
        "credits",
    ]
    .iter()
    .map(|p| ClaimPath::parse_dotted(p).expect("path"))
    .collect()
}

fn path_json(p: &ClaimPath) -> Value {
    Value::Array(
        p.0.iter()
            .map(|s| match s {
                accord::formats::sd_jwt::PathSegment::Key(k) => json!(k),
                accord::formats::sd_jwt::PathSegment::Index(i) => json!(i),
            })
            .collect(),
    )
}

fn accord_issue(form: Option<JsonForm>) -> (SdJwt, Value) {
    let (issuer, holder) = keys();
    let mut header = Map::new();
    header.insert("typ".into(), json!("dc+sd-jwt"));
    let request = IssueRequest {
        claims: claims(),
        disclosable: sd_paths(),
        header,
        hash: HashAlg::Sha256,
        decoys: Decoys::UpTo(3),
        holder_key: Some(holder.public_jwk()),
    };
    let issued = issue(&request, &issuer, &mut SeededEntropy::new(11, "peer")).expect("issue");
    let reveal: Vec<ClaimPath> = ["given_name", "nationalities.1", "degree.type"]
        .iter()
        .map(|p| ClaimPath::parse_dotted(p).expect("path"))
        .collect();
    let kb = KeyBinding {
        holder_key: &holder,
        aud: AUD.into(),
        nonce: NONCE.into(),
        iat: SystemClock.now(),
    };
    let presentation = present(&issued, &reveal, Some(kb)).expect("present");
    let wire = match form {
        None => json!(presentation.to_compact()),
        Some(f) => to_json(&presentation, f).expect("json"),
    };
    (presentation, wire)
}

fn accord_verify(sd: &SdJwt) -> Verification {
    let (issuer, _) = keys();
    let mut o = VerifyOptions::at(SystemClock.now());
    o.key_binding = Some(KbExpectation {
        aud: AUD.into(),
        nonce: NONCE.into(),
    });
    verify(sd, &mut FixedIssuerKey(issuer.verifying_key()), &o)
}

fn peer_verify(wire: &Value) -> Option<Value> {
    let (issuer, _) = keys();
    peer(
        "verify",
        &json!({"sd_jwt": wire, "issuer_jwk": issuer.public_jwk(), "expected_aud": AUD, "expected_nonce": NONCE, "require_kb": true}),
    )
}

fn sorted(m: &Map<String, Value>) -> Value {
    let mut m = m.clone();
    m.sort_keys();
    Value::Object(m)
}

#[test]
fn owf_verifies_accord_presentations_compact_and_json() {
    for form in [None, Some(JsonForm::Flattened), Some(JsonForm::General)] {
        let (presentation, wire) = accord_issue(form);
        let ours = accord_verify(&presentation);
        assert!(ours.violations.is_empty(), "{:?}", ours.violations);
        let Some(theirs) = peer_verify(&wire) else {
            return;
        };
        assert_eq!(theirs["ok"], json!(true), "{form:?}: {theirs}");
        let Value::Object(their_claims) = &theirs["claims"] else {
            panic!("{theirs}")
        };
        assert_eq!(
            sorted(their_claims),
            sorted(&ours.claims),
            "{form:?}: both sides see the same claims"
        );
        assert_eq!(ours.claims["given_name"], json!("太郎"));
        assert_eq!(ours.claims["nationalities"], json!(["FR"]));
        assert!(ours.claims.get("family_name").is_none());
    }
}

#[test]
fn owf_rejects_accord_presentations_with_the_wrong_nonce() {
    let (_, wire) = accord_issue(None);
    let (issuer, _) = keys();
    let Some(theirs) = peer(
        "verify",
        &json!({"sd_jwt": wire, "issuer_jwk": issuer.public_jwk(), "expected_aud": AUD, "expected_nonce": "other", "require_kb": true}),
    ) else {
        return;
    };
    assert_eq!(theirs["ok"], json!(false), "{theirs}");
}

fn owf_issue(serialization: &str) -> Option<Value> {
    let (issuer, holder) = keys();
    let paths: Vec<Value> = sd_paths().iter().map(path_json).collect();
    let issued = peer(
        "issue",
        &json!({"issuer_jwk": issuer.private_jwk(), "holder_jwk": holder.public_jwk(), "claims": claims(),
                "sd_paths": paths, "typ": "dc+sd-jwt", "serialization": serialization, "decoys": true}),
    )?;
    Some(issued["sd_jwt"].clone())
}

#[test]
fn accord_verifies_owf_issued_and_presented_credentials() {
    let Some(issued) = owf_issue("compact") else {
        return;
    };
    let (_, holder) = keys();
    let reveal = json!([["family_name"], ["nationalities", 0], ["degree", "name"]]);
    let Some(p) = peer(
        "present",
        &json!({"sd_jwt": issued, "holder_jwk": holder.private_jwk(), "disclose_paths": reveal, "nonce": NONCE, "aud": AUD, "serialization": "compact"}),
    ) else {
        return;
    };
    let wire = p["presentation"].as_str().expect("compact presentation");
    let (sd, _) = parse_any(wire).expect("Accord parses the peer's presentation");
    let ours = accord_verify(&sd);
    assert!(ours.violations.is_empty(), "{:?}", ours.violations);
    assert_eq!(ours.claims["family_name"], json!("髙橋"));
    assert_eq!(ours.claims["nationalities"], json!(["JP"]));
    assert_eq!(ours.claims["degree"]["name"]["ja"], json!("学士(工学)"));
    assert!(ours.claims["degree"].get("type").is_none());
    let theirs = peer_verify(&json!(wire)).expect("peer present");
    let Value::Object(their_claims) = &theirs["claims"] else {
        panic!("{theirs}")
    };
    assert_eq!(sorted(their_claims), sorted(&ours.claims));
}

#[test]
fn owf_verifies_accord_presentation_of_owf_issued_credential() {
    // The peer issues, Accord's holder code presents (choosing disclosures, signing the KB-JWT),
    // and both verifiers agree.
    let Some(issued) = owf_issue("compact") else {
        return;
    };
    let (sd, _) = parse_any(issued.as_str().expect("compact")).expect("parses");
    let (_, holder) = keys();
    let reveal = vec![
        ClaimPath::parse_dotted("degree.type").expect("path"),
        ClaimPath::parse_dotted("nationalities.1").expect("path"),
    ];
    let kb = KeyBinding {
        holder_key: &holder,
        aud: AUD.into(),
        nonce: NONCE.into(),
        iat: SystemClock.now(),
    };
    let presentation = present(&sd, &reveal, Some(kb)).expect("present");
    let ours = accord_verify(&presentation);
    assert!(ours.violations.is_empty(), "{:?}", ours.violations);
    let theirs = peer_verify(&json!(presentation.to_compact())).expect("peer");
    assert_eq!(theirs["ok"], json!(true), "{theirs}");
    assert_eq!(ours.claims["degree"]["type"], json!("gakushi"));
    assert_eq!(ours.claims["nationalities"], json!(["FR"]));
}

/// Disagreement: the library's holder computes the JSON serialisation's `sd_hash` over the
/// JSON text, and its verifier never checks `sd_hash` in JSON. RFC 9901 §8.1 says the hash is
/// over the compact form rebuilt from protected header, payload and signature plus the
/// disclosures, and §7.3 makes the check mandatory. Accord follows the RFC and rejects.
#[test]
fn owf_json_sd_hash_disagrees_with_rfc_9901_and_accord_rejects_it() {
    let Some(issued) = owf_issue("json") else {
        return;
    };
    let (_, holder) = keys();
    let Some(p) = peer(
        "present",
        &json!({"sd_jwt": issued, "holder_jwk": holder.private_jwk(), "disclose_paths": [["given_name"]], "nonce": NONCE, "aud": AUD, "serialization": "json"}),
    ) else {
        return;
    };
    let (sd, _) = parse(&p["presentation"]).expect("RFC layout from the driver");
    let ours = accord_verify(&sd);
    let ids: Vec<&str> = ours.violations.iter().map(|v| v.requirement.id).collect();
    assert_eq!(ids, vec![req::SDJWT_KB_SD_HASH.id], "{:?}", ours.violations);
    let theirs = peer_verify(&p["presentation"]).expect("peer");
    assert_eq!(
        theirs["ok"],
        json!(true),
        "the library accepts its own (non-RFC) sd_hash: {theirs}"
    );
}

/// Disagreement: a disclosure that no digest references. RFC 9901 §7.1 step 5 requires
/// rejection; the library ignores it. Accord rejects.
#[test]
fn unreferenced_disclosure_is_rejected_per_rfc_9901_though_owf_accepts_it() {
    let (presentation, _) = accord_issue(None);
    let (issuer, holder) = keys();
    let stray = accord::formats::sd_jwt::Disclosure::new(
        Some("injected"),
        json!("x"),
        &mut SeededEntropy::new(1, "stray"),
    );
    let mut tampered = SdJwt {
        kb_jwt: None,
        ..presentation
    };
    tampered.disclosures.push(stray.encoded);
    let kb = KeyBinding {
        holder_key: &holder,
        aud: AUD.into(),
        nonce: NONCE.into(),
        iat: SystemClock.now(),
    };
    let hash = HashAlg::Sha256;
    tampered.kb_jwt =
        Some(accord::formats::sd_jwt::present::key_binding_jwt(&tampered, hash, &kb).expect("kb"));
    let ours = accord_verify(&tampered);
    assert!(
        ours.violations
            .iter()
            .any(|v| v.requirement.id == req::SDJWT_UNREFERENCED_DISCLOSURE.id),
        "{:?}",
        ours.violations
    );
    let Some(theirs) = peer(
        "verify",
        &json!({"sd_jwt": tampered.to_compact(), "issuer_jwk": issuer.public_jwk(), "expected_aud": AUD, "expected_nonce": NONCE, "require_kb": true}),
    ) else {
        return;
    };
    assert_eq!(
        theirs["ok"],
        json!(true),
        "the library is lax here: {theirs}"
    );
}

/// The fuzzing oracle's verdicts on SD-JWT-level mutations, checked against the OWF library
/// (the presentations `accord fuzz` sends, built by `fuzz::verifier::build`). Where the
/// library is lax, the spec decides and the disagreement is pinned here by name.
#[test]
fn owf_agrees_with_the_fuzz_oracle_where_rfc_9901_decides() {
    use accord::fuzz::Expected;
    use accord::fuzz::campaign::case_at;
    use accord::fuzz::verifier::{BuildContext, Mutation, build, cases};
    use proptest::strategy::Strategy as _;

    let pki = accord::trust::pki::TestPki::generate(3).unwrap();
    let strategy = cases().sboxed();
    let mut base = case_at(&strategy, 3, 0).unwrap();
    base.status = None;
    // RFC 9901 rules the library does not enforce (it accepts what the RFC says to reject).
    let lax: &[(Mutation, &str)] = &[
        (
            Mutation::DisclosureTampered,
            "RFC 9901 §7.1 step 5: a disclosure no digest refers to makes the SD-JWT rejected; the library drops it silently",
        ),
        (
            Mutation::UnreferencedDisclosure,
            "RFC 9901 §7.1 step 5, as above",
        ),
        (
            Mutation::PaddedBase64,
            "RFC 9901 encodes disclosures in base64url as RFC 7515 §2 defines it, trailing `=` omitted; the library's decoder takes padding",
        ),
        (
            Mutation::StandardBase64,
            "RFC 7515 §2: base64url is the URL-safe alphabet; the library's decoder takes `+` and `/`",
        ),
    ];
    let mut table = Vec::new();
    let mut disagreements = Vec::new();
    for m in [
        Mutation::None,
        Mutation::KanjiEscaped,
        Mutation::IssuerSignatureFlipped,
        Mutation::DisclosureTampered,
        Mutation::UnreferencedDisclosure,
        Mutation::DuplicateDisclosure,
        Mutation::DuplicateDigest,
        Mutation::KbNonceWrong,
        Mutation::KbAudWrong,
        Mutation::KbSdHashWrong,
        Mutation::KbMissing,
        Mutation::KbTypJwt,
        Mutation::AlgNone,
        Mutation::HmacWithPublicKey,
        Mutation::PaddedBase64,
        Mutation::StandardBase64,
    ] {
        let mut case = base.clone();
        case.mutation = m;
        let issuer = if case.issuer == accord::fuzz::verifier::Issuer::Jp {
            &pki.jp
        } else {
            &pki.eu
        };
        let built = build(
            &case,
            &BuildContext {
                pki: &pki,
                nonce: NONCE,
                client_id: AUD,
                now: SystemClock.now(),
                status_uri: "http://127.0.0.1:9/lists/0",
            },
        )
        .unwrap();
        let Some(theirs) = peer(
            "verify",
            &json!({"sd_jwt": built.presentation, "issuer_jwk": issuer.issuer.key.public_jwk(),
                    "expected_aud": AUD, "expected_nonce": NONCE, "require_kb": true}),
        ) else {
            return;
        };
        let accepted = theirs["ok"] == json!(true);
        let ours = case.expectation().verdict;
        table.push(format!(
            "{m:?}: ours {ours:?}, OWF {}",
            if accepted { "accepts" } else { "rejects" }
        ));
        let agree = match ours {
            Expected::Accept => accepted,
            Expected::Reject => !accepted,
            Expected::Either => true,
        };
        if !agree {
            disagreements.push(m);
        }
    }
    let expected: Vec<Mutation> = lax.iter().map(|(m, _)| *m).collect();
    assert_eq!(disagreements, expected, "\n{}", table.join("\n"));
    eprintln!("{}", table.join("\n"));
}
