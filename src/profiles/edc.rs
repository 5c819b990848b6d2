//! Europass Digital Credentials (EDC): a credential of the European Learning Model (ELM 3)
//! checked against the W3C VC Data Model 1.1 core and the constraints of the EDC application
//! profiles (their SHACL shapes are the reference; these are the rules they state, read from
//! the credential's JSON-LD as the EDC context compacts it). The seal over it (JAdES) is the
//! trust-services layer's: [`crate::formats::jades`].
//!
//! What is checked is named in [`crate::requirements::edc`]; the full ELM shapes (every
//! class, every controlled vocabulary) are not implemented here.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::requirements::Violation;
use crate::requirements::edc as req;

const VC_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";
const CREDENTIAL_SCHEME: &str = "http://data.europa.eu/snb/credential/25831c2";
const LANGUAGE_SCHEME: &str = "http://publications.europa.eu/resource/authority/language";
const EVIDENCE_SCHEME: &str = "http://data.europa.eu/snb/evidence-type/25831c2";

/// A value that may be one object or an array of them, as JSON-LD compaction leaves it.
fn each(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
        None => vec![],
    }
}

fn in_scheme(concept: &Value, scheme: &str) -> bool {
    each(concept.get("inScheme"))
        .iter()
        .any(|s| s.get("id").and_then(Value::as_str) == Some(scheme) || s.as_str() == Some(scheme))
}

/// Whether `credential` is an EDC (its types name EuropeanDigitalCredential).
pub fn is_edc(credential: &Value) -> bool {
    each(credential.get("type"))
        .iter()
        .any(|t| t.as_str() == Some("EuropeanDigitalCredential"))
}

/// Every rule of [`crate::requirements::edc`] the credential breaks.
pub fn validate(credential: &Value) -> Vec<Violation> {
    let mut v = Vec::new();
    let contexts = each(credential.get("@context"));
    if contexts.first().and_then(|c| c.as_str()) != Some(VC_CONTEXT) {
        v.push(
            Violation::new(
                &req::EDC_CONTEXT,
                format!("the first @context is {:?}", contexts.first()),
            )
            .at("@context"),
        );
    }
    let types: Vec<&str> = each(credential.get("type"))
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for needed in ["VerifiableCredential", "EuropeanDigitalCredential"] {
        if !types.contains(&needed) {
            v.push(
                Violation::new(&req::EDC_TYPE, format!("type {types:?} lacks {needed}")).at("type"),
            );
        }
    }
    if credential
        .get("credentialSubject")
        .is_none_or(|s| !s.is_object())
    {
        v.push(
            Violation::new(&req::EDC_CORE, "no credentialSubject object").at("credentialSubject"),
        );
    }
    let issuer_id = match credential.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(o) => o.get("id").and_then(Value::as_str),
        None => None,
    };
    if issuer_id.is_none() {
        v.push(Violation::new(&req::EDC_CORE, "no issuer with an id").at("issuer"));
    }
    let issued = credential
        .get("issuanceDate")
        .and_then(Value::as_str)
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
    if issued.is_none() {
        v.push(
            Violation::new(&req::EDC_CORE, "no issuanceDate that parses as a date-time")
                .at("issuanceDate"),
        );
    }
    let profiles = each(credential.get("credentialProfiles"));
    if profiles.is_empty() || !profiles.iter().all(|p| in_scheme(p, CREDENTIAL_SCHEME)) {
        v.push(
            Violation::new(
                &req::EDC_PROFILE,
                format!(
                    "{} credential profile(s), not all in {CREDENTIAL_SCHEME}",
                    profiles.len()
                ),
            )
            .at("credentialProfiles"),
        );
    }
    match credential.get("displayParameter") {
        None => {
            v.push(Violation::new(&req::EDC_DISPLAY, "no displayParameter").at("displayParameter"))
        }
        Some(d) => {
            let primary = each(d.get("primaryLanguage"));
            let languages = each(d.get("language"));
            if primary.len() != 1 || !primary.iter().all(|l| in_scheme(l, LANGUAGE_SCHEME)) {
                v.push(
                    Violation::new(
                        &req::EDC_DISPLAY,
                        format!("{} primary language(s) in {LANGUAGE_SCHEME}", primary.len()),
                    )
                    .at("displayParameter.primaryLanguage"),
                );
            }
            if languages.is_empty() || !languages.iter().all(|l| in_scheme(l, LANGUAGE_SCHEME)) {
                v.push(
                    Violation::new(
                        &req::EDC_DISPLAY,
                        format!(
                            "{} available language(s), not all in {LANGUAGE_SCHEME}",
                            languages.len()
                        ),
                    )
                    .at("displayParameter.language"),
                );
            }
        }
    }
    for (i, e) in each(credential.get("evidence")).iter().enumerate() {
        let types = each(e.get("dcType"));
        if types.len() != 1 || !in_scheme(types[0], EVIDENCE_SCHEME) {
            v.push(
                Violation::new(
                    &req::EDC_EVIDENCE,
                    format!("{} dcType(s), not one in {EVIDENCE_SCHEME}", types.len()),
                )
                .at(format!("evidence[{i}].dcType")),
            );
        }
    }
    v
}

/// A master's degree as a university's EDC issuing service builds it (ELM 3 as the EDC
/// context compacts it): the holder, the qualification (title, EQF `eqf_level`, NQF, ISCED-F
/// 0613, 120 ECTS), the awarding body `university` in `country` (an alpha-3 code of the EU
/// country table), the award on `awarded` (RFC 3339), and a grade with its scheme. It holds
/// the EDC profile ([`validate`]).
pub fn example_masters(university: &str, country: &str, eqf_level: u8, awarded: &str) -> Value {
    let concept = |id: String, scheme: &str, label: &str| {
        json!({"id": id, "type": "Concept",
               "inScheme": {"id": scheme, "type": "ConceptScheme"},
               "prefLabel": {"en": label}})
    };
    let english = concept(format!("{LANGUAGE_SCHEME}/ENG"), LANGUAGE_SCHEME, "English");
    let body = json!({
        "id": "urn:epass:org:1",
        "type": "Organisation",
        "legalName": {"en": university},
        "location": {"id": "urn:epass:location:1", "type": "Location",
            "address": {"id": "urn:epass:address:1", "type": "Address",
                "countryCode": concept(
                    format!("http://publications.europa.eu/resource/authority/country/{country}"),
                    "http://publications.europa.eu/resource/authority/country",
                    country)}}
    });
    json!({
        "@context": [VC_CONTEXT, "http://data.europa.eu/snb/model/context/edc-ap"],
        "id": "urn:credential:6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": concept(
            "http://data.europa.eu/snb/credential/e34929035b".into(),
            CREDENTIAL_SCHEME,
            "Generic"),
        "credentialSchema": {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full",
                             "type": "ShaclValidator2017"},
        "displayParameter": {"id": "urn:epass:displayParameter:1", "type": "DisplayParameter",
            "primaryLanguage": english.clone(), "language": english,
            "title": {"en": "Master of Science"}},
        "issuer": body.clone(),
        "issuanceDate": awarded,
        "issued": awarded,
        "validFrom": awarded,
        "credentialSubject": {
            "id": "urn:epass:person:1",
            "type": "Person",
            "familyName": {"en": "Peeters"},
            "givenName": {"en": "Lotte Émilie"},
            "dateOfBirth": "2000-03-14T00:00:00Z",
            "hasClaim": {
                "id": "urn:epass:learningAchievement:1",
                "type": "LearningAchievement",
                "title": {"en": "Master of Science in Engineering: Computer Science"},
                "awardedBy": {"id": "urn:epass:awardingProcess:1", "type": "AwardingProcess",
                              "awardingBody": body, "awardingDate": awarded},
                "provenBy": {"id": "urn:epass:learningAssessment:1", "type": "LearningAssessment",
                    "title": {"en": "Overall assessment"},
                    "grade": {"id": "urn:epass:note:1", "type": "Note",
                              "noteLiteral": {"en": "magna cum laude"}},
                    "specifiedBy": {"id": "urn:epass:learningAssessmentSpec:1",
                        "type": "LearningAssessmentSpecification",
                        "title": {"en": "Overall assessment"},
                        "gradingScheme": {"id": "https://grading.beispiel.example/scheme/2024",
                                          "type": "GradingScheme",
                                          "title": {"en": "Grading scheme 2024"}}}},
                "specifiedBy": {
                    "id": "urn:epass:qualification:1",
                    "type": "Qualification",
                    "title": {"en": "Master of Science in Engineering: Computer Science"},
                    "eqfLevel": concept(
                        format!("http://data.europa.eu/snb/eqf/{eqf_level}"),
                        "http://data.europa.eu/snb/eqf/25831c2",
                        &format!("Level {eqf_level}")),
                    "nqfLevel": concept(
                        format!("https://nqf.beispiel.example/level/{eqf_level}"),
                        "https://nqf.beispiel.example/levels",
                        &format!("NQF level {eqf_level}")),
                    "thematicArea": concept(
                        "http://data.europa.eu/snb/isced-f/0613".into(),
                        "http://data.europa.eu/snb/isced-f/25831c2",
                        "Software and applications development and analysis"),
                    "creditPoint": {"id": "urn:epass:creditPoint:1", "type": "CreditPoint",
                        "framework": concept(
                            "http://data.europa.eu/snb/education-credit/6fcec5c5af".into(),
                            "http://data.europa.eu/snb/education-credit/25831c2",
                            "European Credit Transfer System"),
                        "point": "120"}
                }
            }
        }
    })
}

/// [`example_masters`] sealed by `provider` at `at` as its sealing service seals it (JAdES
/// JSON serialisation, `b64: false`, `iat`, `cty` `application/ld+json`) at `level`,
/// time-stamped from level T by `tsa` (nonces from `entropy`).
pub fn sealed_masters(
    provider: &crate::trust::tsp_pki::SealProvider,
    country: &str,
    eqf_level: u8,
    at: i64,
    level: crate::trust::ades::Level,
    tsa: &crate::trust::tsp::Tsa,
    entropy: &std::cell::RefCell<dyn crate::entropy::Entropy + '_>,
) -> Result<String, crate::formats::jades::JadesError> {
    let awarded = OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    let edc = example_masters(&provider.leaf_name(), country, eqf_level, &awarded);
    let payload = serde_json::to_vec(&edc)
        .map_err(|e| crate::formats::jades::JadesError::Json(e.to_string()))?;
    crate::profiles::eu_diploma::seal_as_university(
        provider,
        &payload,
        "application/ld+json",
        at,
        level,
        tsa,
        entropy,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/vectors/europass/Sample-MC-Annex1-signed.jsonld"),
        )
        .unwrap();
        let sealed: Value = serde_json::from_str(&text).unwrap();
        serde_json::from_str(sealed["payload"].as_str().unwrap()).unwrap()
    }

    #[test]
    fn the_example_masters_holds_the_profile() {
        let c = example_masters("Universität Beispiel", "DEU", 7, "2026-03-02T09:00:00Z");
        assert!(is_edc(&c));
        assert_eq!(validate(&c), vec![]);
        let r = crate::profiles::crosswalk::recognise_edc_in_jp(&c, None);
        assert_eq!(
            r.equivalent.as_deref(),
            Some("修士相当"),
            "{:#?}",
            r.reasons
        );
        assert_eq!(
            r.verdict,
            crate::profiles::recognition::Verdict::Recognised,
            "{:#?}",
            r.reasons
        );
        assert_eq!(
            r.grade.as_ref().unwrap().scheme_uri.as_deref(),
            Some("https://grading.beispiel.example/scheme/2024")
        );
    }

    #[test]
    fn the_published_sample_holds_the_profile() {
        let c = sample();
        assert!(is_edc(&c));
        assert_eq!(validate(&c), vec![]);
    }

    #[test]
    fn each_rule_is_named_when_broken() {
        let ids = |c: &Value| {
            validate(c)
                .iter()
                .map(|v| v.requirement.id)
                .collect::<Vec<_>>()
        };
        let mut c = sample();
        c["credentialProfiles"]["inScheme"]["id"] = "http://example.org/other".into();
        assert_eq!(ids(&c), vec!["EDC-AP-credential-profiles"]);
        let mut c = sample();
        c.as_object_mut().unwrap().remove("displayParameter");
        assert_eq!(ids(&c), vec!["EDC-AP-display-languages"]);
        let mut c = sample();
        c["type"] = serde_json::json!(["VerifiableCredential"]);
        assert_eq!(ids(&c), vec!["EDC-4.3-type"]);
        let mut c = sample();
        c["issuanceDate"] = "yesterday".into();
        assert_eq!(ids(&c), vec!["EDC-4.4-core-properties"]);
        let mut c = sample();
        c["evidence"]["dcType"] = serde_json::json!([]);
        assert_eq!(ids(&c), vec!["EDC-AP-evidence-type"]);
    }
}
