//! Steps of the academic-formats features: a university issues what universities issue today
//! (a Europass EDC sealed with JAdES, a signed PDF certificate with or without its degree
//! data, an Open Badges 3.0 micro-credential as a VC-JWT or with a Data Integrity proof), and
//! a verifier of the other side judges it through its control API (`POST
//! /control/recognitions`): the credential's own layer first, then the crosswalk, one
//! recognition verdict with the format beside it.
//!
//! These credentials are handed over as files, and the features say so: a sealed EDC and a
//! signed PDF have no carriage in OpenID4VCI or OpenID4VP; OB3 badges have one
//! (`jwt_vc_json`, `ldp_vc`) that Accord's reference roles do not speak yet. Keys and times
//! come from the run's seed and the scenario's dates.

use std::cell::RefCell;
use std::sync::Arc;

use cucumber::step::Context;
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;
use serde_json::{Value, json};

use super::http::cast;
use super::seals::{day, level, sealer};
use super::{AcademicWorld, arg, context, find, judge};
use crate::entropy::{Entropy as _, FixedClock, SeededEntropy};
use crate::events::Part;
use crate::formats::jose::{Algorithm, SigningKey};
use crate::profiles::recognition::Format;
use crate::requirements::catalogue as req;
use crate::trust::tsp::Tsa;

/// What an academic-formats scenario has done so far.
#[derive(Debug, Default)]
pub struct FormatState {
    /// The body of `POST /control/recognitions` for an EDC or a badge (a PDF comes from the
    /// trust-services steps, which sign and update it).
    handed: Option<Value>,
    /// The verifier that judged, and its answer (`Null`: it does not judge these).
    judged: Option<(Part, Value)>,
}

/// `Given "NAME" issues a Europass master's degree at EQF level N sealed as JAdES LEVEL on DATE`
pub(super) fn edc_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let pki = ctx.pki.tsp.clone();
        let (provider, site) = sealer(&pki, arg(&c, 1));
        let eqf: u8 = arg(&c, 2).parse().expect("one digit");
        let at = day(arg(&c, 4));
        let tsa = Tsa::new(pki.clone(), site, Arc::new(FixedClock(at)));
        let entropy = RefCell::new(SeededEntropy::new(
            ctx.seed,
            &format!("edc/{}/{}", arg(&c, 1), arg(&c, 4)),
        ));
        let country = match site {
            crate::trust::tsp::TsaSite::Fr => "FRA",
            crate::trust::tsp::TsaSite::Jp => "JPN",
            _ => "DEU",
        };
        let sealed = crate::profiles::edc::sealed_masters(
            provider,
            country,
            eqf,
            at,
            level(arg(&c, 3)),
            &tsa,
            &entropy,
        )
        .unwrap_or_else(|e| panic!("sealing the EDC failed: {e}"));
        w.formats.handed = Some(json!({"format": "edc", "document": sealed}));
    }
    .boxed_local()
}

/// `Given "NAME" of CC issues its micro-credential as an Open Badge FORMAT[ VARIANT]`
pub(super) fn badge_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let name = arg(&c, 1);
        let mut entropy = SeededEntropy::new(ctx.seed, &format!("badge/{name}"));
        let (format, key) = match arg(&c, 3) {
            "jwt_vc_json" => (
                Format::JwtVcJson,
                SigningKey::generate(Algorithm::ES256, &mut entropy),
            ),
            _ => (
                Format::LdpVc,
                SigningKey::from_ed25519_seed(&entropy.bytes(32)),
            ),
        };
        let key = key.unwrap_or_else(|e| panic!("the badge key: {e}"));
        let signed = crate::academic::signed_badge(
            format,
            &key,
            name,
            arg(&c, 2),
            "did:example:learner-2e9c",
            "2026-03-02T09:00:00Z",
        )
        .unwrap_or_else(|e| panic!("issuing the badge failed: {e}"));
        let document = match arg(&c, 4) {
            " whose JWT iss is not its issuer profile" => {
                // Signed again by the same key with `iss` naming someone else.
                let jws = crate::formats::jose::CompactJws::parse(&signed)
                    .unwrap_or_else(|e| panic!("{e}"));
                let mut claims = jws.payload.clone();
                claims.insert("iss".into(), "https://badges.another.example/issuer".into());
                crate::formats::jose::sign_compact(jws.header.clone(), &claims, &key)
                    .unwrap_or_else(|e| panic!("{e}"))
            }
            // Another version of the OB3 context defines the same terms differently enough
            // that the canonical form changes: the JSON reads alike, the proof fails.
            " whose context is changed after signing" => {
                signed.replace("context-3.0.3.json", "context-3.0.2.json")
            }
            _ => signed,
        };
        w.formats.handed = Some(json!({"format": "badge", "document": document}));
    }
    .boxed_local()
}

/// `When the (EU|JP) verifier judges the (credential|PDF|badge) handed over as a file`
pub(super) fn judge_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let part = Part::verifier(arg(&c, 1));
        let body = match (&w.formats.handed, &w.seals.document) {
            (Some(b), _) => b.clone(),
            (None, Some(("pades", pdf))) => {
                json!({"format": "pdf", "document_base64": pdf["document_base64"]})
            }
            _ => panic!("nothing was issued or signed in this scenario"),
        };
        let answer = t
            .control(part)
            .judge_recognition(t.player(part).base_url(), &body)
            .await
            .unwrap_or_else(|e| panic!("judging the credential: {e}"));
        if answer.not_implemented() || answer.status == 404 {
            super::http::not_implemented_because(
                part,
                &req::MRA_EUJP_AUTHENTIC_FIRST,
                "judge_recognition",
                &format!(
                    "the verifier answered {} to POST /control/recognitions",
                    answer.status
                ),
            );
            w.formats.judged = Some((part, Value::Null));
            return;
        }
        if !answer.ok() {
            panic!(
                "the verifier could not judge: HTTP {} {}",
                answer.status, answer.body
            );
        }
        w.formats.judged = Some((part, answer.body));
    }
    .boxed_local()
}

/// The verifier's answer, or `None` after recording the check as not judged.
fn answer<'a>(
    w: &'a AcademicWorld,
    requirement: &'static crate::requirements::Requirement,
) -> Option<(Part, &'a Value)> {
    match &w.formats.judged {
        Some((p, v)) if !v.is_null() => Some((*p, v)),
        Some((p, _)) => {
            super::http::unjudged(
                *p,
                requirement,
                "the verifier does not judge these credentials",
            );
            None
        }
        None => panic!("no verifier judged a credential in this scenario"),
    }
}

/// The requirement ids the recognition's reasons cite, with their effect.
fn reasons(body: &Value) -> Vec<String> {
    body["recognition"]["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    format!(
                        "{} ({})",
                        r["requirement"].as_str().unwrap_or(""),
                        r["effect"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `Then the recognition verdict is "VERDICT" for "FORMAT" citing "ID"`: the verdict, the
/// format recorded beside it, and a reason citing the requirement (for a verdict other than
/// `recognised`, one that asks for review or blocks).
pub(super) fn verdict_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = find(arg(&c, 3));
        let Some((part, body)) = answer(w, requirement) else {
            return;
        };
        let (verdict, format) = (arg(&c, 1), arg(&c, 2));
        let r = &body["recognition"];
        let actual_verdict = r["verdict"].as_str().unwrap_or("absent");
        let actual_format = r["format"].as_str().unwrap_or("absent");
        let cited = r["reasons"].as_array().is_some_and(|a| {
            a.iter().any(|x| {
                x["requirement"] == requirement.id
                    && (verdict == "recognised"
                        || x["effect"] != "info"
                        || verdict == "not-machine-readable")
            })
        });
        judge(
            part,
            requirement,
            format!("{verdict} for {format}, a reason citing {}", requirement.id),
            format!(
                "{actual_verdict} for {actual_format}; reasons: {}",
                reasons(body).join(", ")
            ),
            actual_verdict == verdict && actual_format == format && cited,
        );
    }
    .boxed_local()
}

/// `Then the equivalent is "TEXT" citing "ID"`
pub(super) fn equivalent_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = find(arg(&c, 2));
        let Some((part, body)) = answer(w, requirement) else {
            return;
        };
        let actual = body["recognition"]["equivalent"].as_str().unwrap_or("none");
        judge(
            part,
            requirement,
            format!("equivalent {}", arg(&c, 1)),
            format!("equivalent {actual}"),
            actual == arg(&c, 1),
        );
    }
    .boxed_local()
}

/// `Then the credential's own layer does not hold, citing "ID"`: the seal's, signature's or
/// proof's judgement names the requirement (a failed validation step, or a violation), and
/// the recognition is blocked by it.
pub(super) fn layer_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = find(arg(&c, 1));
        let Some((part, body)) = answer(w, requirement) else {
            return;
        };
        let a = &body["authenticity"];
        let holds = a["holds"].as_bool().unwrap_or(true);
        let in_violations = a["violations"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x["requirement"] == requirement.id));
        let in_steps = a["seal"]["report"]["steps"].as_array().is_some_and(|s| {
            s.iter()
                .any(|x| x["passed"] == false && x["requirement"] == requirement.id)
        });
        judge(
            part,
            requirement,
            format!(
                "the {} does not hold, citing {}",
                a["layer"].as_str().unwrap_or("layer"),
                requirement.id
            ),
            format!(
                "holds: {holds}; {}",
                a["summary"].as_str().unwrap_or("no summary")
            ),
            !holds && (in_violations || in_steps),
        );
    }
    .boxed_local()
}
