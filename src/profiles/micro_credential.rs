//! An Open Badges 3.0 micro-credential judged against the elements of the EU Council
//! Recommendation on micro-credentials (2022/C 243/02, Annex I) and given its counterpart on
//! the other side: in the EU, a micro-credential with every mandatory element; in Japan, a
//! certificate programme (履修証明プログラム, School Education Act Art. 105) of 60 hours or
//! more. A micro-credential is never a degree: it maps to no degree level.
//!
//! Where an OB3 credential carries each element is Accord's reading (docs/profiles.md,
//! marked as a proposal); what OB3 has no property for is said, never assumed:
//!
//! | Element (Annex I) | OB3 3.0 property |
//! |---|---|
//! | learner | `credentialSubject.id` or `credentialSubject.identifier` |
//! | title | `credentialSubject.achievement.name` |
//! | issuer's country | `issuer.address.addressCountryCode` (or `addressCountry`) |
//! | awarding body | `issuer.name` |
//! | date of issue | `awardedDate`, `validFrom` or `issuanceDate` |
//! | learning outcomes | `achievement.alignment` entries other than the level and credit ones, or `achievement.resultDescription` |
//! | notional workload (ECTS) | `achievement.creditsAvailable`, read as ECTS only when the achievement aligns to ELM's ECTS concept |
//! | level (if applicable) | an `achievement.alignment` whose `targetUrl` is an ELM EQF concept (`…/snb/eqf/6`) |
//! | type of assessment, form of participation, type of quality assurance | none: an assessor obtains them |

use serde_json::{Value, json};

use super::crosswalk::{ELM_ECTS, ELM_EQF_PREFIX, each};
use super::recognition::{self, Credits, Direction, Effect, Format, Recognition};
use crate::requirements::catalogue;
use crate::requirements::micro_credentials as req;

/// The least workload of a 履修証明プログラム since the 2019 amendment (it was 120 hours).
pub const RISHU_SHOMEI_MIN_HOURS: u64 = 60;

/// The element names of Annex I that OB3 3.0 has no property for.
const NOT_IN_OB3: [&str; 3] = [
    "type of assessment",
    "form of participation",
    "type of quality assurance",
];

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// Whether `credential` (the `vc` of a VC-JWT, or a Data Integrity document) is an Open Badge.
pub fn is_open_badge(credential: &Value) -> bool {
    each(credential.get("type")).iter().any(|t| {
        matches!(
            t.as_str(),
            Some("OpenBadgeCredential" | "AchievementCredential")
        )
    })
}

/// Assesses the OB3 `credential` for a verifier on the `direction`'s receiving side; `format`
/// is how it came (`jwt_vc_json` or `ldp_vc`). Its proof is the caller's to judge
/// ([`Recognition::require_authentic`]).
pub fn assess(credential: &Value, direction: Direction, format: Format) -> Recognition {
    let mut r = Recognition::new(direction);
    let subject = credential.get("credentialSubject").unwrap_or(&Value::Null);
    let achievement = subject.get("achievement").unwrap_or(&Value::Null);
    let issuer = credential.get("issuer").unwrap_or(&Value::Null);
    let alignments = each(achievement.get("alignment"));
    fn target<'a>(a: &&'a Value) -> &'a str {
        a.get("targetUrl").and_then(Value::as_str).unwrap_or("")
    }

    let mut missing: Vec<&str> = Vec::new();
    let learner = text(subject, "id").is_some() || !each(subject.get("identifier")).is_empty();
    if !learner {
        missing.push("learner (credentialSubject.id or identifier)");
    }
    if text(achievement, "name").is_none() {
        missing.push("title (achievement.name)");
    }
    let address = issuer.get("address").unwrap_or(&Value::Null);
    if text(address, "addressCountryCode")
        .or(text(address, "addressCountry"))
        .is_none()
    {
        missing.push("issuer's country (issuer.address.addressCountryCode)");
    }
    if text(issuer, "name").is_none() {
        missing.push("awarding body (issuer.name)");
    }
    if ["awardedDate", "validFrom", "issuanceDate"]
        .iter()
        .all(|k| text(credential, k).is_none())
    {
        missing.push("date of issue (awardedDate or validFrom)");
    }

    // Level: an alignment to an ELM EQF concept.
    let level = alignments.iter().find_map(|a| {
        target(a)
            .strip_prefix(ELM_EQF_PREFIX)
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=8).contains(n))
    });
    let outcomes = alignments
        .iter()
        .filter(|a| !target(a).starts_with(ELM_EQF_PREFIX) && target(a) != ELM_ECTS)
        .count()
        + each(achievement.get("resultDescription")).len();
    if outcomes == 0 {
        missing.push("learning outcomes (achievement.alignment or resultDescription)");
    }

    // Workload: creditsAvailable, ECTS only when aligned to ELM's ECTS concept.
    let ects_aligned = alignments.iter().any(|a| target(a) == ELM_ECTS);
    let credits = achievement.get("creditsAvailable").and_then(Value::as_f64);
    let ects = credits.filter(|_| ects_aligned);
    match credits {
        Some(c) => {
            r.credits = Some(Credits {
                system: ects_aligned.then(|| "ECTS".to_owned()),
                value: json!(c),
                hours_per_unit: None,
                ects_estimate: None,
            });
            if ects.is_none() {
                r.reason(
                    &req::MC_EU_MANDATORY_ELEMENTS,
                    Effect::Review,
                    format!(
                        "creditsAvailable {c} without an alignment to the ECTS framework ({ELM_ECTS}): the unit is not stated, so the workload in ECTS is not established"
                    ),
                    Some("credentialSubject.achievement.creditsAvailable"),
                );
            }
        }
        None => missing.push("notional workload (achievement.creditsAvailable)"),
    }

    if missing.is_empty() {
        r.reason(
            &req::MC_EU_MANDATORY_ELEMENTS,
            Effect::Info,
            "every Annex I element with an OB3 property is stated",
            None,
        );
    } else {
        r.reason(
            &req::MC_EU_MANDATORY_ELEMENTS,
            Effect::Review,
            format!("not stated: {}", missing.join("; ")),
            None,
        );
    }
    r.reason(
        &req::MC_EU_MANDATORY_ELEMENTS,
        Effect::Review,
        format!(
            "Open Badges 3.0 has no property for the {}: the assessor obtains them (the criteria narrative may say)",
            NOT_IN_OB3.join(", ")
        ),
        None,
    );
    match level {
        Some(n) => {
            r.level = Some(n);
            r.level_source = Some(format!("achievement.alignment {ELM_EQF_PREFIX}{n}"));
        }
        None => r.reason(
            &req::MC_EU_LEVEL,
            Effect::Info,
            "no EQF level stated (Annex I: if applicable)",
            Some("credentialSubject.achievement.alignment"),
        ),
    }

    let counterpart = &catalogue::MRA_EUJP_MICRO_COUNTERPART;
    match direction {
        Direction::EuInJp => {
            // ECTS Users' Guide: at least 25 hours per credit, so ECTS × 25 never claims more
            // hours than the credits give.
            let hours = ects.map(|e| (e * recognition::ECTS_HOURS_MIN as f64).floor() as u64);
            match hours {
                Some(h) if h >= RISHU_SHOMEI_MIN_HOURS => {
                    r.equivalent = Some("履修証明プログラム相当".to_owned());
                    r.reason(
                        counterpart,
                        Effect::Info,
                        format!(
                            "{} ECTS is at least {h} hours ({} h per credit at least): a 履修証明プログラム (School Education Act Art. 105) needs {RISHU_SHOMEI_MIN_HOURS}; no degree is its counterpart",
                            ects.unwrap_or(0.0),
                            recognition::ECTS_HOURS_MIN
                        ),
                        None,
                    );
                }
                Some(h) => r.reason(
                    counterpart,
                    Effect::Review,
                    format!(
                        "{} ECTS is at least {h} hours, under the {RISHU_SHOMEI_MIN_HOURS} hours of a 履修証明プログラム: no Japanese counterpart; an assessor decides",
                        ects.unwrap_or(0.0)
                    ),
                    None,
                ),
                None => r.reason(
                    counterpart,
                    Effect::Review,
                    "no workload in ECTS: whether it reaches the 60 hours of a 履修証明プログラム is not established; an assessor decides",
                    None,
                ),
            }
        }
        Direction::JpInEu => {
            if missing.is_empty() && ects.is_some() {
                r.equivalent =
                    Some("EU micro-credential (Council Recommendation 2022/C 243/02)".to_owned());
            }
            r.reason(
                counterpart,
                Effect::Info,
                "a micro-credential maps to no degree; it is read against the EU micro-credential elements",
                None,
            );
        }
    }
    recognition::finish(r).in_format(format)
}

/// A micro-credential for the reference issuers and the features: a 3 ECTS short course at
/// EQF level 6, aligned to its ECTS credits, its level and two competencies, from `issuer_id`
/// (named `issuer_name`, in `country`) to `subject_id`, valid from `valid_from`.
pub fn example_badge(
    issuer_id: &str,
    issuer_name: &str,
    country: &str,
    subject_id: &str,
    valid_from: &str,
) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:5c4f5e0a-3d5b-4c1e-9a57-0d3a2b6f1e21",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": issuer_name,
            "address": {"type": ["Address"], "addressCountryCode": country}
        },
        "validFrom": valid_from,
        "name": "Data Science for Policy",
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:0e7c6d0a-4a9f-4f0e-8c3b-2f5d1c9a7b11",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "Data Science for Policy",
                "description": "A short course on statistical reasoning for public policy.",
                "criteria": {"narrative": "Passed a written examination; online participation; quality assured by the university's programme review."},
                "creditsAvailable": 3,
                "alignment": [
                    {"type": ["Alignment"], "targetName": "ECTS credits", "targetUrl": ELM_ECTS},
                    {"type": ["Alignment"], "targetName": "EQF level 6", "targetUrl": format!("{ELM_EQF_PREFIX}6")},
                    {"type": ["Alignment"], "targetName": "apply statistical analysis techniques", "targetUrl": "https://competencies.dijleland.example/statistical-analysis"},
                    {"type": ["Alignment"], "targetName": "advise on public policy", "targetUrl": "https://competencies.dijleland.example/policy-advice"}
                ]
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::recognition::Verdict;

    fn badge() -> Value {
        example_badge(
            "did:key:z6MkExample",
            "Universiteit Dijleland",
            "BE",
            "did:example:learner",
            "2026-03-02T09:00:00Z",
        )
    }

    #[test]
    fn a_complete_badge_is_a_rishu_shomei_programme_in_japan() {
        let r = assess(&badge(), Direction::EuInJp, Format::LdpVc);
        assert_eq!(r.equivalent.as_deref(), Some("履修証明プログラム相当"));
        assert_eq!(r.level, Some(6));
        assert_eq!(r.format, Format::LdpVc);
        // The three elements OB3 cannot carry always send it to review.
        assert_eq!(r.verdict, Verdict::RecognisedWithReview);
        let reviews: Vec<_> = r.findings().map(|f| f.requirement.id).collect();
        assert_eq!(reviews, vec!["MC-EU-Annex-I-mandatory-elements"]);
    }

    #[test]
    fn two_ects_fall_short_of_sixty_hours() {
        let mut b = badge();
        b["credentialSubject"]["achievement"]["creditsAvailable"] = json!(2);
        let r = assess(&b, Direction::EuInJp, Format::JwtVcJson);
        assert_eq!(r.equivalent, None);
        assert!(
            r.findings()
                .any(|f| f.requirement.id == "MRA-EUJP-b-micro-credential-counterpart")
        );
    }

    #[test]
    fn credits_without_the_ects_alignment_are_not_ects() {
        let mut b = badge();
        b["credentialSubject"]["achievement"]["alignment"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        let r = assess(&b, Direction::JpInEu, Format::JwtVcJson);
        assert_eq!(r.credits.as_ref().unwrap().system, None);
        assert_eq!(r.equivalent, None);
    }

    #[test]
    fn missing_elements_are_named() {
        let mut b = badge();
        b["issuer"].as_object_mut().unwrap().remove("address");
        b["credentialSubject"]["achievement"]
            .as_object_mut()
            .unwrap()
            .remove("alignment");
        let r = assess(&b, Direction::JpInEu, Format::LdpVc);
        let text: Vec<_> = r.findings().map(|f| f.message.clone()).collect();
        let stated = text.iter().find(|t| t.starts_with("not stated")).unwrap();
        assert!(stated.contains("issuer's country"), "{text:?}");
        assert!(stated.contains("learning outcomes"), "{text:?}");
    }
}
