//! Crafted credentials that break one rule each, and the requirement each must be reported
//! against (docs/profiles.md check numbers in brackets).

use accord::entropy::SeededEntropy;
use accord::formats::jose::{Algorithm, SigningKey, b64, sign_compact};
use accord::formats::sd_jwt::json::parse_any;
use accord::formats::sd_jwt::present::{KeyBinding, key_binding_jwt};
use accord::formats::sd_jwt::verify::{
    FixedIssuerKey, KbExpectation, Verification, VerifyOptions, verify,
};
use accord::formats::sd_jwt::{Disclosure, HashAlg, SdJwt};
use accord::formats::sd_jwt_vc::{self, TypMode};
use accord::requirements::{Requirement, catalogue as req};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;

fn key(alg: Algorithm, label: &str) -> SigningKey {
    SigningKey::generate(alg, &mut SeededEntropy::new(5, label)).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn disclosure(name: Option<&str>, value: Value, salt: u64) -> Disclosure {
    Disclosure::new(name, value, &mut SeededEntropy::new(salt, "d"))
}

fn digest(d: &Disclosure) -> String {
    d.digest(HashAlg::Sha256)
}

/// Signs `payload` with `header` and attaches `disclosures` as given.
fn forge(header: Value, payload: Value, disclosures: &[&Disclosure], issuer: &SigningKey) -> SdJwt {
    SdJwt {
        issuer_jwt: sign_compact(obj(header), &obj(payload), issuer).unwrap(),
        disclosures: disclosures.iter().map(|d| d.encoded.clone()).collect(),
        kb_jwt: None,
    }
}

fn check(sd: &SdJwt, issuer: &SigningKey, options: &VerifyOptions) -> Verification {
    verify(sd, &mut FixedIssuerKey(issuer.verifying_key()), options)
}

fn ids(v: &Verification) -> Vec<&'static str> {
    v.violations.iter().map(|v| v.requirement.id).collect()
}

fn assert_only(v: &Verification, r: &Requirement) {
    assert!(
        ids(v).contains(&r.id),
        "expected {}, got {:?}",
        r.id,
        v.violations
    );
    assert!(
        ids(v).iter().all(|i| *i == r.id),
        "only {} expected, got {:?}",
        r.id,
        v.violations
    );
    assert!(!v.is_valid());
}

#[test]
fn duplicate_digests_and_disclosures_are_rejected() {
    // [5]
    let issuer = key(Algorithm::ES256, "i");
    let d = disclosure(Some("a"), json!(1), 1);
    let sd = forge(
        json!({}),
        json!({"_sd": [digest(&d), digest(&d)]}),
        &[&d],
        &issuer,
    );
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_DUPLICATE_DIGEST,
    );
    let sd = forge(json!({}), json!({"_sd": [digest(&d)]}), &[&d, &d], &issuer);
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_DUPLICATE_DISCLOSURE,
    );
    // The same digest in two places (an object and a nested object) is a duplicate too.
    let sd = forge(
        json!({}),
        json!({"_sd": [digest(&d)], "n": {"_sd": [digest(&d)]}}),
        &[&d],
        &issuer,
    );
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_DUPLICATE_DIGEST,
    );
}

#[test]
fn names_that_collide_or_are_reserved_are_rejected() {
    let issuer = key(Algorithm::ES256, "i");
    let d = disclosure(Some("a"), json!(2), 1);
    let sd = forge(
        json!({}),
        json!({"a": 1, "_sd": [digest(&d)]}),
        &[&d],
        &issuer,
    );
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_CLAIM_NAME_COLLISION,
    );
    for reserved in ["_sd", "..."] {
        let d = disclosure(Some(reserved), json!([]), 1);
        let sd = forge(json!({}), json!({"_sd": [digest(&d)]}), &[&d], &issuer);
        assert_only(
            &check(&sd, &issuer, &VerifyOptions::at(NOW)),
            &req::SDJWT_CLAIM_NAME_RESERVED,
        );
    }
}

#[test]
fn disclosure_forms_must_match_where_they_are_referenced() {
    let issuer = key(Algorithm::ES256, "i");
    let element = disclosure(None, json!("FR"), 1);
    let sd = forge(
        json!({}),
        json!({"_sd": [digest(&element)]}),
        &[&element],
        &issuer,
    );
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_ARRAY_ELEMENT_FORM,
    );
    let property = disclosure(Some("x"), json!("FR"), 1);
    let sd = forge(
        json!({}),
        json!({"list": [{"...": digest(&property)}]}),
        &[&property],
        &issuer,
    );
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_ARRAY_ELEMENT_FORM,
    );
    let sd = forge(json!({}), json!({"_sd": "not-an-array"}), &[], &issuer);
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_SD_ARRAY,
    );
    let sd = forge(json!({}), json!({}), &[&property], &issuer);
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_UNREFERENCED_DISCLOSURE,
    );
}

#[test]
fn none_and_hmac_are_rejected_whatever_the_header_says() {
    let issuer = key(Algorithm::ES256, "i");
    for (alg, r) in [
        ("none", &req::SDJWT_ALG_NONE_REJECTED),
        ("HS256", &req::JOSE_ALG_ALLOWED),
        ("RS256", &req::JOSE_ALG_ALLOWED),
    ] {
        let jwt = format!(
            "{}.{}.",
            b64(json!({"alg": alg, "typ": "dc+sd-jwt"}).to_string()),
            b64(r#"{"vct":"x"}"#)
        );
        let sd = SdJwt {
            issuer_jwt: jwt,
            disclosures: vec![],
            kb_jwt: None,
        };
        let v = check(&sd, &issuer, &VerifyOptions::at(NOW));
        assert_only(&v, r);
        assert!(v.claims.is_empty(), "no claims from an unverified token");
    }
}

#[test]
fn sd_alg_defaults_to_sha_256_and_unknown_is_rejected() {
    // [6]
    let issuer = key(Algorithm::ES256, "i");
    let d = disclosure(Some("a"), json!(1), 1);
    let sd = forge(json!({}), json!({"_sd": [digest(&d)]}), &[&d], &issuer);
    let v = check(&sd, &issuer, &VerifyOptions::at(NOW));
    assert!(
        v.is_valid() && v.claims["a"] == json!(1),
        "{:?}",
        v.violations
    );
    let sd = forge(
        json!({}),
        json!({"_sd": [digest(&d)], "_sd_alg": "md5"}),
        &[&d],
        &issuer,
    );
    assert_only(
        &check(&sd, &issuer, &VerifyOptions::at(NOW)),
        &req::SDJWT_SD_ALG,
    );
}

#[test]
fn kanji_disclosures_verify_raw_or_escaped_because_digests_cover_received_bytes() {
    // [4] Two encodings of the same disclosure, each with its own digest.
    let issuer = key(Algorithm::ES256, "i");
    let raw = Disclosure::parse(&b64(r#"["salt","family_name","髙橋"]"#)).unwrap();
    let escaped = Disclosure::parse(&b64(r#"["salt","family_name","\u9ad9\u6a4b"]"#)).unwrap();
    assert_ne!(digest(&raw), digest(&escaped));
    for d in [&raw, &escaped] {
        let sd = forge(json!({}), json!({"_sd": [digest(d)]}), &[d], &issuer);
        let v = check(&sd, &issuer, &VerifyOptions::at(NOW));
        assert!(v.is_valid(), "{:?}", v.violations);
        assert_eq!(v.claims["family_name"], json!("髙橋"));
    }
}

#[test]
fn registered_claims_are_never_selectively_disclosable() {
    // [2]
    let issuer = key(Algorithm::ES256, "i");
    for name in [
        "iss",
        "nbf",
        "exp",
        "cnf",
        "vct",
        "status",
        "vct#integrity",
        "aka_vcts",
    ] {
        let d = disclosure(Some(name), json!("x"), 1);
        // (A disclosed `vct` next to a signed one would be a name collision; leave it out.)
        let payload = if name == "vct" {
            json!({"_sd": [digest(&d)]})
        } else {
            json!({"vct": "urn:x", "_sd": [digest(&d)]})
        };
        let sd = forge(json!({"typ": "dc+sd-jwt"}), payload, &[&d], &issuer);
        let v = check(&sd, &issuer, &VerifyOptions::at(NOW));
        let vc = sd_jwt_vc::check(&v, TypMode::Strict, false);
        assert!(
            vc.iter()
                .any(|x| x.requirement.id == req::SDJWTVC_REGISTERED_NOT_DISCLOSABLE.id),
            "{name}: {vc:?}"
        );
    }
}

#[test]
fn legacy_typ_only_in_lenient_mode_and_reported() {
    // [1]
    let issuer = key(Algorithm::ES256, "i");
    let sd = forge(
        json!({"typ": "vc+sd-jwt"}),
        json!({"vct": "urn:x"}),
        &[],
        &issuer,
    );
    let v = check(&sd, &issuer, &VerifyOptions::at(NOW));
    let strict = sd_jwt_vc::check(&v, TypMode::Strict, false);
    assert_eq!(
        strict.iter().map(|x| x.requirement.id).collect::<Vec<_>>(),
        vec![req::SDJWTVC_TYP.id]
    );
    assert!(strict[0].is_fatal());
    let lenient = sd_jwt_vc::check(&v, TypMode::Lenient, false);
    assert_eq!(
        lenient.iter().map(|x| x.requirement.id).collect::<Vec<_>>(),
        vec![req::SDJWTVC_TYP_LEGACY.id]
    );
    assert!(!lenient[0].is_fatal(), "lenient mode accepts and reports");
}

#[test]
fn time_claims_respect_the_injected_clock_and_skew() {
    // [21, 26]
    let issuer = key(Algorithm::ES256, "i");
    let mut o = VerifyOptions::at(NOW);
    o.skew = 300;
    for (payload, ok) in [
        (json!({"exp": NOW - 301}), false),
        (json!({"exp": NOW - 299}), true),
        (json!({"nbf": NOW + 301}), false),
        (json!({"nbf": NOW + 299}), true),
        (json!({"iat": NOW + 301}), false),
        (json!({"iat": NOW - 10_000_000}), true),
        (json!({}), true),
    ] {
        let sd = forge(json!({}), payload.clone(), &[], &issuer);
        let v = check(&sd, &issuer, &o);
        assert_eq!(v.is_valid(), ok, "{payload}: {:?}", v.violations);
        if !ok {
            assert_only(&v, &req::SDJWT_TIME_VALIDITY);
        }
    }
}

/// An edit of a KB-JWT's header and payload before it is re-signed.
type KbEdit = dyn Fn(&mut Map<String, Value>, &mut Map<String, Value>);

fn with_kb(
    holder: &SigningKey,
    issuer: &SigningKey,
    edit: impl Fn(&mut Map<String, Value>, &mut Map<String, Value>),
) -> SdJwt {
    let d = disclosure(Some("a"), json!(1), 1);
    let mut sd = forge(
        json!({}),
        json!({"_sd": [digest(&d)], "cnf": {"jwk": holder.public_jwk()}}),
        &[&d],
        issuer,
    );
    let kb = KeyBinding {
        holder_key: holder,
        aud: "aud".into(),
        nonce: "n".into(),
        iat: NOW,
    };
    let honest = key_binding_jwt(&sd, HashAlg::Sha256, &kb).unwrap();
    let parsed = accord::formats::jose::CompactJws::parse(&honest).unwrap();
    let (mut header, mut payload) = (parsed.header.clone(), parsed.payload.clone());
    header.remove("alg");
    edit(&mut header, &mut payload);
    sd.kb_jwt = Some(sign_compact(header, &payload, holder).unwrap());
    sd
}

#[test]
fn key_binding_rules() {
    // [7, 8]
    let issuer = key(Algorithm::ES256, "i");
    let holder = key(Algorithm::ES256, "h");
    let mut o = VerifyOptions::at(NOW);
    o.key_binding = Some(KbExpectation {
        aud: "aud".into(),
        nonce: "n".into(),
    });
    let ok = with_kb(&holder, &issuer, |_, _| {});
    assert!(check(&ok, &issuer, &o).is_valid());
    let cases: Vec<(Box<KbEdit>, &Requirement)> = vec![
        (
            Box::new(|_, p| {
                p.remove("sd_hash");
            }),
            &req::SDJWT_KB_SD_HASH,
        ),
        (
            Box::new(|_, p| {
                p.insert("sd_hash".into(), json!("AAAA"));
            }),
            &req::SDJWT_KB_SD_HASH,
        ),
        (
            Box::new(|h, _| {
                h.insert("typ".into(), json!("jwt"));
            }),
            &req::SDJWT_KB_TYP,
        ),
        (
            Box::new(|_, p| {
                p.insert("nonce".into(), json!("other"));
            }),
            &req::SDJWT_KB_NONCE,
        ),
        (
            Box::new(|_, p| {
                p.insert("aud".into(), json!(["aud"]));
            }),
            &req::SDJWT_KB_AUD,
        ),
        (
            Box::new(|_, p| {
                p.insert("iat".into(), json!(NOW - 3600));
            }),
            &req::SDJWT_KB_IAT,
        ),
        (
            Box::new(|_, p| {
                p.insert("iat".into(), json!(NOW + 3600));
            }),
            &req::SDJWT_KB_IAT,
        ),
        (
            Box::new(|_, p| {
                p.remove("iat");
            }),
            &req::SDJWT_KB_IAT,
        ),
    ];
    for (edit, r) in cases {
        let sd = with_kb(&holder, &issuer, edit);
        assert_only(&check(&sd, &issuer, &o), r);
    }
    // Signed by a key other than cnf.jwk.
    let stranger = key(Algorithm::ES256, "s");
    let mut sd = with_kb(&holder, &issuer, |_, _| {});
    let kb = KeyBinding {
        holder_key: &stranger,
        aud: "aud".into(),
        nonce: "n".into(),
        iat: NOW,
    };
    sd.kb_jwt = Some(key_binding_jwt(&sd, HashAlg::Sha256, &kb).unwrap());
    assert_only(&check(&sd, &issuer, &o), &req::SDJWT_KB_SIGNATURE);
    // Required but absent.
    sd.kb_jwt = None;
    assert_only(&check(&sd, &issuer, &o), &req::SDJWT_KB_REQUIRED);
    // sd_hash binds the selection: dropping a disclosure after signing breaks it.
    let mut sd = with_kb(&holder, &issuer, |_, _| {});
    sd.disclosures.clear();
    assert_only(&check(&sd, &issuer, &o), &req::SDJWT_KB_SD_HASH);
}

#[test]
fn es384_and_eddsa_issuers_and_holders_work_end_to_end() {
    for alg in [Algorithm::ES384, Algorithm::EdDSA] {
        let issuer = key(alg, "i");
        let holder = key(alg, "h");
        let sd = with_kb(&holder, &issuer, |_, _| {});
        let mut o = VerifyOptions::at(NOW);
        o.key_binding = Some(KbExpectation {
            aud: "aud".into(),
            nonce: "n".into(),
        });
        let v = check(&sd, &issuer, &o);
        assert!(v.is_valid(), "{alg}: {:?}", v.violations);
        let (again, _) = parse_any(&sd.to_compact()).unwrap();
        assert_eq!(again, sd);
    }
}

#[test]
fn a_hostile_chain_of_nested_disclosures_is_refused_without_overflowing_the_stack() {
    // Each disclosure's value is an object whose `_sd` references the next: 10,000 levels.
    let issuer = key(Algorithm::ES256, "i");
    let mut chain = Vec::new();
    let mut inner = json!({"leaf": true});
    for i in 0..10_000u64 {
        let d = disclosure(Some("n"), inner, i);
        inner = json!({"_sd": [digest(&d)]});
        chain.push(d);
    }
    let refs: Vec<&Disclosure> = chain.iter().collect();
    let sd = forge(json!({}), inner, &refs, &issuer);
    let v = check(&sd, &issuer, &VerifyOptions::at(NOW));
    assert!(!v.is_valid());
    assert!(
        ids(&v).contains(&req::SDJWT_FORMAT.id),
        "{:?}",
        &v.violations[..1]
    );
}

#[test]
fn review_regressions_reserved_names_general_json_and_presentations_of_presentations() {
    use accord::formats::sd_jwt::ClaimPath;
    use accord::formats::sd_jwt::issue::{Decoys, IssueRequest, issue};
    use accord::formats::sd_jwt::present::present;
    let issuer = key(Algorithm::ES256, "i");
    // Issuance refuses `_sd` and `...` as claim names at any depth.
    for claims in [
        json!({"a": {"_sd": ["x"]}}),
        json!({"list": [{"...": "x"}]}),
    ] {
        let request = IssueRequest {
            claims: obj(claims.clone()),
            disclosable: vec![],
            header: Map::new(),
            hash: HashAlg::Sha256,
            decoys: Decoys::None,
            holder_key: None,
        };
        assert!(
            issue(&request, &issuer, &mut SeededEntropy::new(1, "x")).is_err(),
            "{claims}"
        );
    }
    // General JSON: only the first signature's header may carry disclosures / kb_jwt.
    let v = json!({"payload": "p", "signatures": [
        {"protected": "h", "signature": "s", "header": {"disclosures": []}},
        {"protected": "h", "signature": "s", "header": {"kb_jwt": "a.b.c"}}]});
    assert!(accord::formats::sd_jwt::json::parse(&v).is_err());
    // A holder refuses to present from a presentation (RFC 9901 §7.2).
    let holder = key(Algorithm::ES256, "h");
    let sd = with_kb(&holder, &issuer, |_, _| {});
    assert!(present(&sd, &[ClaimPath::parse_dotted("a").unwrap()], None).is_err());
}
