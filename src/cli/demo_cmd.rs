//! `accord demo`: the EU–JP credential round trip on the embedded default, in process.
//!
//! Until the run engine lands this is Accord's main job: a seeded PKI and signed trust lists,
//! an EU and a JP university issuing, a holder presenting with key binding, and an EU and a
//! JP verifier deciding under the arrangement, with real signatures throughout. It also
//! plays one negative case per verifier (a wrong nonce) and requires it to be rejected. Exit
//! 0 when every expectation held, 1 otherwise.

use std::process::ExitCode;

use serde_json::{Value, json};

use super::io::{CliError, emit};
use crate::credential::{
    IssueInput, IssuerTrust, StatusInput, VerifyConfig, issue_credential, verify_credential,
};
use crate::entropy::{Clock, SeededEntropy, SystemClock};
use crate::formats::sd_jwt::ClaimPath;
use crate::formats::sd_jwt::issue::Decoys;
use crate::formats::sd_jwt::present::{KeyBinding, present};
use crate::formats::sd_jwt::verify::KbExpectation;
use crate::formats::sd_jwt_vc::TypMode;
use crate::profiles::{Profile, eu_diploma, jp_degree, recognition};
use crate::trust::pki::TestPki;
use crate::trust::resolver::TrustContext;
use crate::trust::trust_list;

pub fn run(seed: u64) -> Result<ExitCode, CliError> {
    let now = SystemClock.now();
    let fail = |e: &dyn std::fmt::Display| CliError::NonConformant(format!("demo: {e}"));
    let pki = TestPki::generate(seed).map_err(|e| fail(&e))?;
    let mut lists = Vec::new();
    for j in [&pki.eu, &pki.jp] {
        let token = j.signed_trust_list().map_err(|e| fail(&e))?;
        let verified = trust_list::verify(&token, Some(&j.tl_operator.cert_der), now)
            .map_err(|v| fail(&format!("{v:?}")))?;
        lists.push(verified);
    }
    let mut steps = Vec::new();
    let mut all_ok = true;
    let cases = [
        (
            Profile::EuDiploma,
            &pki.eu,
            eu_diploma::example_claims(),
            "JP",
            vec!["qualification", "family_name", "given_name"],
        ),
        (
            Profile::JpDegree,
            &pki.jp,
            jp_degree::example_claims(),
            "EU",
            vec!["degree", "family_name_latin", "given_name_latin", "credits"],
        ),
    ];
    for (profile, j, claims, verifier, reveal) in cases {
        let mut entropy = SeededEntropy::new(seed, &format!("demo/{}", profile.name()));
        let input = IssueInput {
            profile: Some(profile),
            claims,
            issuer_key: &j.issuer.key,
            issuer_chain: Some(j.issuer_chain()),
            holder_key: Some(pki.holder.public_jwk()),
            iat: now,
            iss: Some(j.issuer_url.clone()),
            status: None,
            disclosable: None,
            decoys: Decoys::UpTo(2),
            enforce_profile: true,
        };
        let issued = issue_credential(input, &mut entropy).map_err(|e| fail(&e))?;
        let client_id = format!(
            "x509_san_dns:verifier.{}.accord.test",
            verifier.to_lowercase()
        );
        let nonce = crate::formats::jose::b64(crate::entropy::Entropy::bytes(&mut entropy, 16));
        let paths: Vec<ClaimPath> = reveal.iter().map(|p| ClaimPath::root().key(p)).collect();
        let kb = KeyBinding {
            holder_key: &pki.holder,
            aud: client_id.clone(),
            nonce: nonce.clone(),
            iat: now,
        };
        let presentation = present(&issued, &paths, Some(kb)).map_err(|e| fail(&e))?;
        for (label, expect_nonce, expect_valid) in [
            ("correct nonce", nonce.clone(), true),
            ("replayed to another nonce", "stale".to_owned(), false),
        ] {
            let config = VerifyConfig {
                now,
                skew: 300,
                key_binding: Some(KbExpectation {
                    aud: client_id.clone(),
                    nonce: expect_nonce,
                }),
                typ_mode: TypMode::Strict,
                trust: IssuerTrust::Lists(TrustContext {
                    lists: lists.clone(),
                    arrangement: Some((pki.arrangement.clone(), verifier.to_owned())),
                    now,
                }),
                status: StatusInput::Skip,
                check_profile: true,
            };
            let report = verify_credential(&presentation, None, &config);
            let recognition = if report.valid {
                let r = match verifier {
                    "EU" => recognition::recognise_jp_in_eu(&report.claims),
                    _ => recognition::recognise_eu_in_jp(&report.claims),
                };
                serde_json::to_value(&r).unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            let as_expected = report.valid == expect_valid;
            all_ok &= as_expected;
            steps.push(json!({
                "credential": profile.name(),
                "issuer": j.issuer_url,
                "verifier": verifier,
                "case": label,
                "expected_valid": expect_valid,
                "valid": report.valid,
                "as_expected": as_expected,
                "violations": report.violations,
                "disclosed": report.disclosed,
                "trust": report.trust["path"],
                "recognition": recognition,
            }));
        }
    }
    let out = json!({"seed": seed, "all_as_expected": all_ok, "steps": steps});
    emit(
        &format!(
            "{}\n",
            serde_json::to_string_pretty(&out).unwrap_or_default()
        ),
        None,
    )?;
    for s in &steps {
        eprintln!(
            "{:<5} {:<10} → {} verifier, {:<26} valid={:<5} {}",
            if s["as_expected"] == json!(true) {
                "ok"
            } else {
                "FAIL"
            },
            s["credential"].as_str().unwrap_or(""),
            s["verifier"].as_str().unwrap_or(""),
            s["case"].as_str().unwrap_or(""),
            s["valid"],
            s["recognition"]["verdict"]
                .as_str()
                .map(|v| format!("recognition: {v}"))
                .unwrap_or_default(),
        );
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
