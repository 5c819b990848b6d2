//! Steps of the trust-services features: a university's sealing service (JAdES) or
//! registrar (PAdES) signs in process with the seeded providers' keys and an in-process TSA;
//! the trust-list host publishes the XML trusted lists (misconfigured variants staged through
//! its fault knob and put back when the scenario ends); a verifier judges the document through its control API
//! (`POST /control/seals`), reading the lists over HTTP. Every exchange is recorded.
//!
//! A sealed document has no carriage in OpenID4VCI or OpenID4VP, so it is handed over as a
//! file; the features say so. A verifier that answers 501 is recorded *not implemented*.

use std::cell::RefCell;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cucumber::step::Context;
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::http::{cast, unjudged};
use super::{AcademicWorld, arg, context, find, judge};
use crate::entropy::{FixedClock, SeededEntropy};
use crate::events::Part;
use crate::requirements::ades as ades_req;
use crate::requirements::catalogue as req;
use crate::roles::control::Answer;
use crate::trust::ades::Level;
use crate::trust::tsp::{Tsa, TsaFault, TsaSite};
use crate::trust::tsp_pki::{SealProvider, TrustServicePki};

/// What a trust-services scenario has done so far.
#[derive(Default)]
pub struct SealState {
    /// The document to judge: (format, body fields of `POST /control/seals`).
    pub(super) document: Option<(&'static str, Value)>,
    /// The PDF signed in this scenario, before any later change (for the update steps).
    pdf: Option<Vec<u8>>,
    /// The verifier that judged, and its answer.
    judged: Option<(Part, Value)>,
    /// Lists this scenario replaced on the trust-list host, put back when it ends.
    restore: bool,
}

impl std::fmt::Debug for SealState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealState")
            .field("document", &self.document.as_ref().map(|d| d.0))
            .finish_non_exhaustive()
    }
}

impl SealState {
    /// Puts the seeded lists back on the trust-list host when a scenario staged others.
    pub(super) async fn end_of_scenario(&mut self) {
        if !std::mem::take(&mut self.restore) {
            return;
        }
        let Some(ctx) = context() else { return };
        let Some(t) = ctx.cast.clone() else { return };
        let host = t.player(Part::TrustList).base_url().to_owned();
        let restored = t
            .control(Part::TrustList)
            .set_fault("trust-list", &host, None)
            .await;
        if !restored.as_ref().is_ok_and(Answer::ok) {
            let why = "could not put the seeded XML lists back on the trust-list host".to_string();
            *ctx.spoiled.borrow_mut() = Some(why.clone());
            panic!("{why}");
        }
    }
}

pub(super) fn day(text: &str) -> i64 {
    // Seals are made mid-morning UTC on the day the scenario names.
    OffsetDateTime::parse(&format!("{text}T09:00:00Z"), &Rfc3339)
        .unwrap_or_else(|e| panic!("{text:?} is not a date: {e}"))
        .unix_timestamp()
}

pub(super) fn level(text: &str) -> Level {
    match text {
        "B" => Level::B,
        "T" => Level::T,
        "LT" => Level::Lt,
        "LTA" => Level::Lta,
        other => panic!("unknown baseline level {other:?}"),
    }
}

/// The seal provider and TSA site of a seeded university.
pub(super) fn sealer<'a>(pki: &'a TrustServicePki, name: &str) -> (&'a SealProvider, TsaSite) {
    let withdrawn = pki.de.withdrawn.as_ref();
    if pki.de.seals.leaf_name() == name {
        (&pki.de.seals, TsaSite::De)
    } else if withdrawn.is_some_and(|w| w.leaf_name() == name) {
        (withdrawn.expect("checked"), TsaSite::De)
    } else if pki.fr.seals.leaf_name() == name {
        (&pki.fr.seals, TsaSite::Fr)
    } else if pki.jp.seals.leaf_name() == name {
        (&pki.jp.seals, TsaSite::Jp)
    } else {
        panic!("no seeded university named {name:?}")
    }
}

/// `Given "NAME" seals its diploma as JAdES LEVEL on DATE[ VARIANT]`
pub(super) fn seal_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let pki = ctx.pki.tsp.clone();
        let (provider, site) = sealer(&pki, arg(&c, 1));
        let at = day(arg(&c, 3));
        let variant = arg(&c, 4);
        let tsa = Tsa::new(pki.clone(), site, Arc::new(FixedClock(at)));
        if variant == " time-stamped by a TSA on no list" {
            tsa.set_fault(Some(TsaFault::UnlistedTsa));
        }
        let entropy = RefCell::new(SeededEntropy::new(
            ctx.seed,
            &format!("seal/{}/{}", arg(&c, 1), arg(&c, 3)),
        ));
        let other = pki.unlisted_tsa.cert_der.clone();
        let sealed = crate::profiles::eu_diploma::sealed_example(
            provider,
            at,
            level(arg(&c, 2)),
            &tsa,
            &entropy,
            (variant == " naming another certificate in x5t#S256").then_some(&other[..]),
        )
        .unwrap_or_else(|e| panic!("sealing failed: {e}"));
        w.seals.document = Some(("jades", json!({"format": "jades", "document": sealed})));
    }
    .boxed_local()
}

/// `Given the JP university signs its degree certificate as PAdES LEVEL on DATE[ with its
/// degree data]`: the data is the JP degree example claim set, embedded as `degree.json`.
pub(super) fn sign_pdf_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let at = day(arg(&c, 2));
        let tsa = Tsa::new(ctx.pki.tsp.clone(), TsaSite::Jp, Arc::new(FixedClock(at)));
        let degree_data = (!arg(&c, 3).is_empty()).then(|| {
            serde_json::to_vec_pretty(&Value::Object(crate::profiles::jp_degree::example_claims()))
                .unwrap_or_default()
        });
        let pdf = crate::formats::pdf::pades::reference_certificate_with(
            &ctx.pki.tsp,
            "Sakura Yamada (山田 さくら)",
            degree_data,
            at,
            level(arg(&c, 1)),
            &tsa,
        )
        .unwrap_or_else(|e| panic!("signing the PDF failed: {e}"));
        w.seals.pdf = Some(pdf.clone());
        w.seals.document = Some((
            "pades",
            json!({"format": "pades", "document_base64": STANDARD.encode(&pdf)}),
        ));
    }
    .boxed_local()
}

/// `Given the PDF's page is changed | the PDF gains validation data in an incremental update after signing`
pub(super) fn update_pdf_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let Some(pdf) = w.seals.pdf.clone() else {
            panic!("no PDF was signed in this scenario")
        };
        let updated = if arg(&c, 1) == "'s page is changed" {
            crate::formats::pdf::writer::change_page_text(&pdf, "Master of Engineering")
                .map_err(|e| e.to_string())
        } else {
            let registrar = &ctx.pki.tsp.jp.signatures;
            crate::formats::pdf::pades::add_validation_data(
                &pdf,
                &[
                    registrar.leaf.cert_der.clone(),
                    registrar.ca.cert_der.clone(),
                ],
            )
            .map_err(|e| e.to_string())
        }
        .unwrap_or_else(|e| panic!("updating the PDF failed: {e}"));
        w.seals.document = Some((
            "pades",
            json!({"format": "pades", "document_base64": STANDARD.encode(&updated)}),
        ));
    }
    .boxed_local()
}

/// `Given the trust-list host publishes VARIANT`: staged with the host's `PUT /control/fault`,
/// so the host generates the misconfigured list from its own seeded providers (a replay
/// stages the same list).
pub(super) fn publish_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let host = t.player(Part::TrustList).base_url().to_owned();
        let variant = match arg(&c, 1) {
            "the DE list signed by a key the LOTL does not pin" => "de-signed-by-unpinned-key",
            "the LOTL signed by its operator's new key" => "lotl-signed-by-next-key",
            "the FR list past its next update" => "fr-past-next-update",
            other => panic!("unknown list variant {other:?}"),
        };
        w.seals.restore = true;
        let answer = t
            .control(Part::TrustList)
            .set_fault("trust-list", &host, Some(variant))
            .await
            .unwrap_or_else(|e| panic!("staging {variant}: {e}"));
        if !answer.ok() {
            panic!(
                "the trust-list host refused to stage {variant}: HTTP {} {}",
                answer.status, answer.body
            );
        }
    }
    .boxed_local()
}

/// `When the (EU|JP) verifier judges the (seal|PDF)[ requiring level L]`
pub(super) fn judge_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let part = Part::verifier(arg(&c, 1));
        let Some((_, mut body)) = w.seals.document.clone() else {
            panic!("nothing was sealed or signed in this scenario")
        };
        if !arg(&c, 3).is_empty() {
            body["required_level"] = arg(&c, 3).into();
        }
        let answer = t
            .control(part)
            .judge_seal(t.player(part).base_url(), &body)
            .await
            .unwrap_or_else(|e| panic!("judging the seal: {e}"));
        if answer.not_implemented() || answer.status == 404 {
            super::http::not_implemented_because(
                part,
                &ades_req::ADES_FORMAT,
                "judge_seal",
                &format!(
                    "the verifier answered {} to POST /control/seals",
                    answer.status
                ),
            );
            w.seals.judged = Some((part, Value::Null));
            return;
        }
        if !answer.ok() {
            panic!(
                "the verifier could not judge: HTTP {} {}",
                answer.status, answer.body
            );
        }
        w.seals.judged = Some((part, answer.body));
    }
    .boxed_local()
}

fn judged(w: &AcademicWorld) -> Option<(Part, &Value)> {
    match &w.seals.judged {
        Some((p, v)) if !v.is_null() => Some((*p, v)),
        _ => None,
    }
}

/// `Then the seal's indication is "LABEL" citing "ID"`
pub(super) fn indication_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = find(arg(&c, 2));
        let Some((part, body)) = judged(w) else {
            return unjudged_if_any(w, requirement);
        };
        let actual = body["indication"].as_str().unwrap_or("absent").to_owned();
        let expected = arg(&c, 1);
        judge(
            part,
            requirement,
            format!("indication {expected}"),
            format!("indication {actual} ({})", first_failed(body)),
            actual == expected,
        );
    }
    .boxed_local()
}

/// The first failed step of the judgement, for the check's "actual" text.
fn first_failed(body: &Value) -> String {
    body["report"]["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["passed"] == false))
        .map(|s| {
            format!(
                "{}: {}",
                s["requirement"].as_str().unwrap_or(""),
                s["detail"].as_str().unwrap_or("")
            )
        })
        .unwrap_or_else(|| "every step passed".into())
}

fn unjudged_if_any(w: &AcademicWorld, requirement: &'static crate::requirements::Requirement) {
    if let Some((part, _)) = &w.seals.judged {
        unjudged(*part, requirement, "the verifier does not judge seals");
    } else {
        panic!("no verifier judged a seal in this scenario");
    }
}

/// `Then the seal is recognised as "LEVEL"`
pub(super) fn recognised_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = &req::MRA_EUJP_TRUST_SERVICE;
        let Some((part, body)) = judged(w) else {
            return unjudged_if_any(w, requirement);
        };
        let verdict = body["verdict"].as_str().unwrap_or("absent");
        let level = body["recognition"]["level"].as_str().unwrap_or("none");
        let rule = body["recognition"]["rule"].as_str().unwrap_or("no rule");
        let expected = arg(&c, 1);
        judge(
            part,
            requirement,
            format!("recognised as {expected} under a rule of the arrangement"),
            format!("{verdict}, level {level} ({rule})"),
            verdict == "recognised" && level == expected && rule.contains("#trust_services["),
        );
    }
    .boxed_local()
}

/// `Then the seal's time-stamp indication is "LABEL"`
pub(super) fn timestamp_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = &ades_req::ADES_TIMESTAMP;
        let Some((part, body)) = judged(w) else {
            return unjudged_if_any(w, requirement);
        };
        let ts = &body["report"]["timestamps"][0];
        let actual = match &ts["outcome"] {
            Value::Null => "no time-stamp".to_owned(),
            _ => label(&ts["outcome"]),
        };
        let expected = arg(&c, 1);
        judge(
            part,
            requirement,
            format!("time-stamp indication {expected}"),
            format!("time-stamp indication {actual}"),
            actual == expected,
        );
    }
    .boxed_local()
}

/// An [`crate::trust::ades::Outcome`] as serialised, back to its label.
fn label(outcome: &Value) -> String {
    serde_json::from_value::<crate::trust::ades::Outcome>(outcome.clone())
        .map(|o| o.label())
        .unwrap_or_else(|e| format!("an outcome Accord cannot read ({e}): {outcome}"))
}

/// `Then the verifier refused the (LOTL|DE|FR|JP) list citing "ID"`
pub(super) fn refused_list_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let requirement = find(arg(&c, 2));
        let Some((part, body)) = judged(w) else {
            return unjudged_if_any(w, requirement);
        };
        let territory = match arg(&c, 1) {
            "LOTL" => "EU",
            t => t,
        };
        let list = body["lists"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["territory"] == territory));
        let (refused, cites, seen) = match list {
            None => (false, false, format!("no {territory} list read")),
            Some(l) => {
                let ids: Vec<&str> = l["findings"]
                    .as_array()
                    .map(|f| f.iter().filter_map(|v| v["requirement"].as_str()).collect())
                    .unwrap_or_default();
                (
                    l["accepted"] == false,
                    ids.contains(&requirement.id),
                    format!(
                        "{} list {} ({}), findings {ids:?}",
                        territory,
                        if l["accepted"] == false {
                            "refused"
                        } else {
                            "accepted"
                        },
                        l["outcome"].as_str().unwrap_or("")
                    ),
                )
            }
        };
        judge(
            part,
            requirement,
            format!("the {territory} list refused citing {}", requirement.id),
            seen,
            refused && cites,
        );
    }
    .boxed_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_outcomes_read_back_as_labels() {
        let failed = serde_json::to_value(crate::trust::ades::Outcome::Failed {
            sub_indication: crate::trust::ades::SubIndication::RevokedNoPoe,
        })
        .unwrap();
        assert_eq!(label(&failed), "INDETERMINATE/REVOKED_NO_POE");
        let revoked = serde_json::to_value(crate::trust::ades::Outcome::Failed {
            sub_indication: crate::trust::ades::SubIndication::Revoked,
        })
        .unwrap();
        assert_eq!(label(&revoked), "TOTAL-FAILED/REVOKED");
        assert_eq!(
            label(&serde_json::to_value(crate::trust::ades::Outcome::Passed).unwrap()),
            "TOTAL-PASSED"
        );
    }
}
