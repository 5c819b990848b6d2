//! Trust: `x5c` chains against trust-list anchors, trust-list signatures, and the EU–JP
//! arrangement (docs/profiles.md checks 12–16).

use accord::credential::{
    IssueInput, IssuerTrust, StatusInput, VerifyConfig, issue_credential, verify_credential,
};
use accord::entropy::SeededEntropy;
use accord::formats::sd_jwt::SdJwt;
use accord::formats::sd_jwt::issue::Decoys;
use accord::formats::sd_jwt_vc::TypMode;
use accord::profiles::{Profile, eu_diploma, jp_degree};
use accord::requirements::catalogue as req;
use accord::trust::pki::{JurisdictionPki, TestPki};
use accord::trust::resolver::TrustContext;
use accord::trust::trust_list::{self, EntryType, VerifiedTrustList};
use std::sync::LazyLock;

const NOW: i64 = 1_800_000_000;

static PKI: LazyLock<TestPki> = LazyLock::new(|| TestPki::generate(11).unwrap());

fn lists(now: i64) -> Vec<VerifiedTrustList> {
    [&PKI.eu, &PKI.jp]
        .iter()
        .map(|j| {
            trust_list::verify(
                &j.signed_trust_list().unwrap(),
                Some(&j.tl_operator.cert_der),
                now,
            )
            .unwrap()
        })
        .collect()
}

fn issue(j: &JurisdictionPki, chain: Vec<Vec<u8>>, iss: &str) -> SdJwt {
    let (profile, claims) = if j.code == "eu" {
        (Profile::EuDiploma, eu_diploma::example_claims())
    } else {
        (Profile::JpDegree, jp_degree::example_claims())
    };
    let input = IssueInput {
        profile: Some(profile),
        claims,
        issuer_key: &j.issuer.key,
        issuer_chain: Some(chain),
        holder_key: Some(PKI.holder.public_jwk()),
        iat: NOW,
        iss: Some(iss.into()),
        status: None,
        disclosable: None,
        decoys: Decoys::None,
        enforce_profile: true,
    };
    issue_credential(input, &mut SeededEntropy::new(1, "t")).unwrap()
}

fn verify_with(
    sd: &SdJwt,
    lists: Vec<VerifiedTrustList>,
    verifier: Option<&str>,
    now: i64,
) -> accord::credential::CredentialReport {
    let config = VerifyConfig {
        now,
        skew: 300,
        key_binding: None,
        typ_mode: TypMode::Strict,
        trust: IssuerTrust::Lists(TrustContext {
            lists,
            arrangement: verifier.map(|v| (PKI.arrangement.clone(), v.to_owned())),
            now,
        }),
        status: StatusInput::Skip,
        check_profile: true,
    };
    verify_credential(sd, None, &config)
}

fn ids(r: &accord::credential::CredentialReport) -> Vec<&'static str> {
    r.violations.iter().map(|v| v.requirement.id).collect()
}

#[test]
fn a_leaf_first_chain_validates_to_an_out_of_band_anchor() {
    // [12 P]
    for j in [&PKI.eu, &PKI.jp] {
        let sd = issue(j, j.issuer_chain(), &j.issuer_url);
        let r = verify_with(&sd, lists(NOW), None, NOW);
        assert!(r.valid, "{:?}", r.violations);
    }
}

#[test]
fn a_root_inside_x5c_is_rejected_even_when_it_is_the_real_anchor() {
    // [12 N] HAIP: the anchor is never in x5c.
    let j = &PKI.eu;
    let mut chain = j.issuer_chain();
    chain.push(j.anchor.cert_der.clone());
    let r = verify_with(&issue(j, chain, &j.issuer_url), lists(NOW), None, NOW);
    assert!(!r.valid);
    assert!(
        ids(&r).contains(&req::HAIP_X5C_NO_ROOT.id),
        "{:?}",
        r.violations
    );
}

#[test]
fn a_self_supplied_root_alone_is_not_trust() {
    // [12 N] A chain that ends at a root the credential brings itself, unknown to any list.
    let rogue = TestPki::generate(99).unwrap();
    let mut chain = rogue.eu.issuer_chain();
    chain.push(rogue.eu.anchor.cert_der.clone());
    let input_issuer = &rogue.eu;
    let r = verify_with(
        &issue(input_issuer, chain, &input_issuer.issuer_url),
        lists(NOW),
        None,
        NOW,
    );
    assert!(!r.valid);
    assert!(
        ids(&r).contains(&req::X509_PATH_TO_ANCHOR.id),
        "{:?}",
        r.violations
    );
    assert!(r.claims.is_empty(), "no claims without a trusted key");
}

#[test]
fn chain_order_validity_and_key_usage_are_each_named() {
    let j = &PKI.jp;
    let reversed = vec![j.intermediate.cert_der.clone(), j.issuer.cert_der.clone()];
    let r = verify_with(&issue(j, reversed, &j.issuer_url), lists(NOW), None, NOW);
    assert!(
        ids(&r).contains(&req::X509_CHAIN_ORDER.id),
        "{:?}",
        r.violations
    );
    // 2037: every certificate of the test PKI has expired (it is valid 2025–2035).
    let later = 2_130_000_000;
    let r = verify_with(
        &issue(j, j.issuer_chain(), &j.issuer_url),
        lists(NOW),
        None,
        later,
    );
    assert!(
        ids(&r).contains(&req::X509_VALIDITY.id),
        "{:?}",
        r.violations
    );
    // A CA certificate as the signing certificate.
    let input = IssueInput {
        profile: Some(Profile::JpDegree),
        claims: jp_degree::example_claims(),
        issuer_key: &j.intermediate.key,
        issuer_chain: Some(vec![j.intermediate.cert_der.clone()]),
        holder_key: None,
        iat: NOW,
        iss: Some(j.issuer_url.clone()),
        status: None,
        disclosable: None,
        decoys: Decoys::None,
        enforce_profile: true,
    };
    let sd = issue_credential(input, &mut SeededEntropy::new(1, "t")).unwrap();
    let r = verify_with(&sd, lists(NOW), None, NOW);
    assert!(
        ids(&r).contains(&req::X509_KEY_USAGE.id),
        "{:?}",
        r.violations
    );
}

#[test]
fn iss_must_match_a_san_of_the_leaf() {
    // [13]
    let j = &PKI.eu;
    let r = verify_with(
        &issue(j, j.issuer_chain(), "https://impostor.example"),
        lists(NOW),
        None,
        NOW,
    );
    assert!(!r.valid);
    assert_eq!(ids(&r), vec![req::SDJWTVC_X5C_ISS_SAN.id]);
}

#[test]
fn trust_lists_must_verify_and_be_fresh() {
    let j = &PKI.eu;
    let token = j.signed_trust_list().unwrap();
    // Tampered content.
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&accord::formats::jose::b64_decode(p).unwrap()).unwrap();
    payload["entries"][0]["entity_name"] = "Someone Else".into();
    let forged = format!(
        "{h}.{}.{s}",
        accord::formats::jose::b64(payload.to_string())
    );
    let err = trust_list::verify(&forged, None, NOW).unwrap_err();
    assert_eq!(err[0].requirement.id, req::TL_SIGNATURE.id);
    // Pinned to the other jurisdiction's operator.
    let err = trust_list::verify(&token, Some(&PKI.jp.tl_operator.cert_der), NOW).unwrap_err();
    assert_eq!(err[0].requirement.id, req::TL_SIGNATURE.id);
    // Stale: past its next update.
    let stale = trust_list::verify(&token, None, 2_100_000_000).unwrap();
    assert!(
        stale
            .findings
            .iter()
            .any(|f| f.requirement.id == req::TL_FRESHNESS.id)
    );
    assert!(!stale.signer_pinned);
}

#[test]
fn the_arrangement_never_makes_a_jp_issuer_qualified() {
    // [14, 15]
    let jp = &PKI.jp;
    let sd = issue(jp, jp.issuer_chain(), &jp.issuer_url);
    let r = verify_with(&sd, lists(NOW), Some("EU"), NOW);
    assert!(r.valid, "{:?}", r.violations);
    assert_eq!(
        r.trust["path"]["decision"]["qualified"],
        serde_json::json!(false)
    );
    // A JP list that labels the university a QEAA provider is refused under the arrangement.
    let mut tampered = PKI.jp.trust_list.clone();
    tampered.entries[0].entry_type = EntryType::QeaaProvider;
    tampered.entries[0].service_type = EntryType::QeaaProvider.service_type_uri().into();
    let token = tampered
        .sign(&jp.tl_operator.key, &jp.tl_operator.cert_der)
        .unwrap();
    let jp_list = trust_list::verify(&token, Some(&jp.tl_operator.cert_der), NOW).unwrap();
    let eu_list = lists(NOW).remove(0);
    let r = verify_with(&sd, vec![eu_list, jp_list], Some("EU"), NOW);
    assert!(!r.valid);
    assert!(
        ids(&r).contains(&req::MRA_EUJP_JP_NOT_QEAA.id),
        "{:?}",
        r.violations
    );
}

#[test]
fn a_credential_type_outside_the_entry_or_arrangement_is_refused() {
    // [16] The JP university is registered for the JP degree type only.
    let jp = &PKI.jp;
    let input = IssueInput {
        profile: Some(Profile::EuDiploma),
        claims: eu_diploma::example_claims(),
        issuer_key: &jp.issuer.key,
        issuer_chain: Some(jp.issuer_chain()),
        holder_key: None,
        iat: NOW,
        iss: Some(jp.issuer_url.clone()),
        status: None,
        disclosable: None,
        decoys: Decoys::None,
        enforce_profile: true,
    };
    let sd = issue_credential(input, &mut SeededEntropy::new(1, "t")).unwrap();
    let r = verify_with(&sd, lists(NOW), Some("EU"), NOW);
    assert!(!r.valid);
    assert!(
        ids(&r).contains(&req::MRA_EUJP_TRUSTED_LIST.id),
        "{:?}",
        r.violations
    );
}

#[test]
fn a_verifier_access_certificate_cannot_issue_credentials() {
    // Review finding: a relying-party key under a trusted anchor must not sign credentials.
    let j = &PKI.jp;
    let input = IssueInput {
        profile: Some(Profile::JpDegree),
        claims: jp_degree::example_claims(),
        issuer_key: &j.verifier.key,
        issuer_chain: Some(j.verifier_chain()),
        holder_key: None,
        iat: NOW,
        iss: Some(format!("https://{}", j.verifier_host)),
        status: None,
        disclosable: None,
        decoys: Decoys::None,
        enforce_profile: true,
    };
    let sd = issue_credential(input, &mut SeededEntropy::new(1, "t")).unwrap();
    for verifier in [None, Some("EU")] {
        let r = verify_with(&sd, lists(NOW), verifier, NOW);
        assert!(!r.valid, "{verifier:?}");
        assert!(
            ids(&r).contains(&req::TL_ENTRY_SERVICE_TYPE.id),
            "{:?}",
            r.violations
        );
    }
}

#[test]
fn only_the_credential_issuer_can_sign_its_status_list() {
    use accord::formats::status_list::{StatusList, TokenParams, sign_token};
    use accord::trust::trust_list::base64_std;
    let j = &PKI.eu;
    let uri = "https://issuer.eu.accord.example/status/1";
    let input = IssueInput {
        profile: Some(Profile::EuDiploma),
        claims: eu_diploma::example_claims(),
        issuer_key: &j.issuer.key,
        issuer_chain: Some(j.issuer_chain()),
        holder_key: None,
        iat: NOW,
        iss: Some(j.issuer_url.clone()),
        status: Some(accord::formats::status_list::StatusReference {
            idx: 3,
            uri: uri.into(),
        }),
        disclosable: None,
        decoys: Decoys::None,
        enforce_profile: true,
    };
    let sd = issue_credential(input, &mut SeededEntropy::new(1, "t")).unwrap();
    let mut revoked = StatusList::new(1, 16).unwrap();
    revoked.set(3, 1).unwrap();
    let valid = StatusList::new(1, 16).unwrap();
    let token =
        |list: &StatusList, key: &accord::formats::jose::SigningKey, chain: Vec<Vec<u8>>| {
            let params = TokenParams {
                uri,
                iat: NOW,
                exp: None,
                ttl: None,
                x5c: Some(chain.iter().map(|d| base64_std(d)).collect()),
            };
            sign_token(list, &params, key).unwrap()
        };
    let run = |t: String| {
        let config = VerifyConfig {
            now: NOW,
            skew: 300,
            key_binding: None,
            typ_mode: TypMode::Strict,
            trust: IssuerTrust::Lists(TrustContext {
                lists: lists(NOW),
                arrangement: None,
                now: NOW,
            }),
            status: StatusInput::Token(Some(t)),
            check_profile: true,
        };
        verify_credential(&sd, None, &config)
    };
    // The issuer itself: revoked is revoked, valid is valid.
    let r = run(token(&revoked, &j.issuer.key, j.issuer_chain()));
    assert!(
        !r.valid && ids(&r).contains(&req::TSL_STATUS_VALUES.id),
        "{:?}",
        r.violations
    );
    assert!(run(token(&valid, &j.issuer.key, j.issuer_chain())).valid);
    // A "valid" list from the EU verifier's key, or from the JP university, revives nothing.
    for (key, chain) in [
        (&j.verifier.key, j.verifier_chain()),
        (&PKI.jp.issuer.key, PKI.jp.issuer_chain()),
    ] {
        let r = run(token(&valid, key, chain));
        assert!(!r.valid, "{:?}", r.violations);
        assert!(
            ids(&r).contains(&req::TSL_SIGNATURE.id),
            "{:?}",
            r.violations
        );
    }
}
