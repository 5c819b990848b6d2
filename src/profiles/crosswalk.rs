//! The EU↔JP crosswalk whatever the format: each format's payload is read into the claim set
//! the crosswalk already judges ([`super::recognition`]), and the assessment is recorded with
//! the format it came in. One verdict type for every format.
//!
//! | Format | Read as | Profile applied | Assessment |
//! |---|---|---|---|
//! | SD-JWT VC (`dc+sd-jwt`) | its claims | EU diploma / JP degree | [`super::recognition`] |
//! | Europass EDC (`edc+jades`) | [`elm_claims`]: the EU diploma claim set | EDC ([`super::edc`]) | EU in JP |
//! | Signed PDF (`pdf+pades`) | its embedded `degree.json` (the JP degree claim set) | JP degree | JP in EU |
//! | Open Badges 3.0 (`jwt_vc_json`, `ldp_vc`) | a micro-credential | EU micro-credential elements | [`super::micro_credential`] |
//!
//! Reading ELM is Accord's mapping (docs/profiles.md), as the dc4eu pilots flatten ELM into
//! their SD-JWT claims: a property the credential does not carry stays absent and the
//! crosswalk says what it could not establish; nothing is inferred from titles or page text.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::names::PersonName;
use super::recognition::{self, Direction, Effect, Format, Recognition, Verdict};
use crate::formats::pdf::attachments::DegreeData;
use crate::requirements::catalogue;

/// ELM's concept of the ECTS credit framework (`creditPoint.framework`).
pub const ELM_ECTS: &str = "http://data.europa.eu/snb/education-credit/6fcec5c5af";
/// The prefix of ELM's EQF level concepts: `…/snb/eqf/7`.
pub const ELM_EQF_PREFIX: &str = "http://data.europa.eu/snb/eqf/";
/// The prefix of ELM's ISCED-F 2013 concepts: `…/snb/isced-f/0613`.
pub const ELM_ISCED_F_PREFIX: &str = "http://data.europa.eu/snb/isced-f/";
/// The prefix of the EU's country authority table: `…/authority/country/BEL`.
const COUNTRY_PREFIX: &str = "http://publications.europa.eu/resource/authority/country/";

/// A value that may be one object or an array of them, as JSON-LD compaction leaves it.
pub(super) fn each(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
        None => vec![],
    }
}

/// One string of a language map: English when present, else the first language in key order.
fn one_language(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m
            .get("en")
            .or_else(|| m.values().next())
            .and_then(|x| match x {
                Value::Array(a) => a.first().and_then(Value::as_str),
                other => other.as_str(),
            })
            .map(str::to_owned),
        _ => None,
    }
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str).or(v.as_str())
}

/// ISO 3166-1 alpha-3 (the EU country table's codes) to the alpha-2 codes the claim sets use,
/// for the EU and EEA states, Switzerland, the United Kingdom and Japan.
fn alpha2(alpha3: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("AUT", "AT"),
        ("BEL", "BE"),
        ("BGR", "BG"),
        ("HRV", "HR"),
        ("CYP", "CY"),
        ("CZE", "CZ"),
        ("DNK", "DK"),
        ("EST", "EE"),
        ("FIN", "FI"),
        ("FRA", "FR"),
        ("DEU", "DE"),
        ("GRC", "GR"),
        ("HUN", "HU"),
        ("IRL", "IE"),
        ("ITA", "IT"),
        ("LVA", "LV"),
        ("LTU", "LT"),
        ("LUX", "LU"),
        ("MLT", "MT"),
        ("NLD", "NL"),
        ("POL", "PL"),
        ("PRT", "PT"),
        ("ROU", "RO"),
        ("SVK", "SK"),
        ("SVN", "SI"),
        ("ESP", "ES"),
        ("SWE", "SE"),
        ("ISL", "IS"),
        ("LIE", "LI"),
        ("NOR", "NO"),
        ("CHE", "CH"),
        ("GBR", "GB"),
        ("JPN", "JP"),
    ];
    TABLE
        .iter()
        .find(|(a3, _)| *a3 == alpha3)
        .map(|(_, a2)| *a2)
}

/// An ELM date-time as the claim sets' full-date, in the date-time's own offset, and whether
/// its time was other than midnight (then another time zone may fall on another day).
fn elm_date(text: &str) -> Option<(String, bool)> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let date = t.date();
    let midnight = t.hour() == 0 && t.minute() == 0 && t.second() == 0;
    Some((
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        !midnight,
    ))
}

/// The learning achievement of an EDC that a qualification specifies (the first such claim),
/// with its JSON path.
fn qualification_claim(edc: &Value) -> Option<(&Value, String)> {
    let subject = edc.get("credentialSubject")?;
    let claims = each(subject.get("hasClaim"));
    let many = matches!(subject.get("hasClaim"), Some(Value::Array(_)));
    claims.into_iter().enumerate().find_map(|(i, c)| {
        let spec = c.get("specifiedBy")?;
        each(spec.get("type"))
            .iter()
            .any(|t| t.as_str() == Some("Qualification"))
            .then(|| {
                let at = if many {
                    format!("credentialSubject.hasClaim[{i}]")
                } else {
                    "credentialSubject.hasClaim".to_owned()
                };
                (c, at)
            })
    })
}

pub type Note = (
    &'static crate::requirements::Requirement,
    Effect,
    String,
    String,
);

/// Reads the ELM date-time `text` at `at` into the claim `name` as a full-date.
fn read_date(
    claims: &mut Map<String, Value>,
    notes: &mut Vec<Note>,
    name: &str,
    text: Option<&str>,
    at: &str,
) {
    let Some(text) = text else { return };
    match elm_date(text) {
        Some((day, timed)) => {
            if timed {
                notes.push((
                    &catalogue::MRA_EUJP_ELM_DATES,
                    Effect::Info,
                    format!(
                        "{at} is {text}: read as {day}, the date at its own offset; in another time zone it may be another day"
                    ),
                    at.to_owned(),
                ));
            }
            claims.insert(name.into(), day.into());
        }
        None => notes.push((
            &catalogue::MRA_EUJP_ELM_DATES,
            Effect::Review,
            format!("{at} is {text:?}, not an RFC 3339 date-time"),
            at.to_owned(),
        )),
    }
}

/// What reading an ELM credential established, and what it noted on the way.
#[derive(Debug, Clone)]
pub struct ElmReading {
    /// The EU diploma claim set (docs/profiles.md (a)) the credential's ELM properties give.
    pub claims: Map<String, Value>,
    /// Notes for the assessor, each with the crosswalk rule it applies and where.
    pub notes: Vec<Note>,
}

/// Reads an EDC (ELM 3 JSON-LD as the EDC context compacts it) into the EU diploma claim set:
/// names and date of birth from the subject, the qualification (title, EQF and NQF level,
/// ISCED-F field, ECTS credits) from the achievement it specifies, the awarding body and date
/// from its awarding process, the grade from the assessment that proves it.
pub fn elm_claims(edc: &Value) -> ElmReading {
    let mut claims = Map::new();
    let mut notes = Vec::new();
    let subject = edc.get("credentialSubject").unwrap_or(&Value::Null);
    if let Some(f) = one_language(subject.get("familyName")) {
        claims.insert("family_name".into(), f.into());
    }
    if let Some(g) = one_language(subject.get("givenName")) {
        claims.insert("given_name".into(), g.into());
    }
    read_date(
        &mut claims,
        &mut notes,
        "birthdate",
        subject.get("dateOfBirth").and_then(Value::as_str),
        "credentialSubject.dateOfBirth",
    );
    let Some((achievement, at)) = qualification_claim(edc) else {
        return ElmReading { claims, notes };
    };
    let spec = &achievement["specifiedBy"];
    let mut qualification = Map::new();
    if let Some(title) = spec.get("title").or(achievement.get("title")) {
        qualification.insert("title".into(), title.clone());
    }
    if let Some(level) = each(spec.get("eqfLevel"))
        .first()
        .and_then(|c| id_of(c))
        .and_then(|id| id.strip_prefix(ELM_EQF_PREFIX))
        .and_then(|n| n.parse::<u64>().ok())
    {
        qualification.insert("eqf_level".into(), level.into());
    }
    if let Some(nqf) = each(spec.get("nqfLevel")).first().and_then(|c| id_of(c)) {
        qualification.insert("nqf_level".into(), nqf.into());
    }
    let fields: Vec<&str> = each(spec.get("thematicArea"))
        .iter()
        .filter_map(|c| id_of(c)?.strip_prefix(ELM_ISCED_F_PREFIX))
        .collect();
    if let Some(first) = fields.first() {
        qualification.insert("isced_f".into(), (*first).into());
        if fields.len() > 1 {
            notes.push((
                &catalogue::MRA_EUJP_FIELD,
                Effect::Info,
                format!(
                    "{} thematic areas {fields:?}: the first is carried as the field",
                    fields.len()
                ),
                format!("{at}.specifiedBy.thematicArea"),
            ));
        }
    }
    if let Some(credit) = each(spec.get("creditPoint")).first() {
        let framework = each(credit.get("framework"))
            .first()
            .and_then(|f| id_of(f))
            .unwrap_or("");
        let point = credit.get("point");
        // ELM types `point` as a string (pitfall 12); the claim set carries a number.
        let value = match point {
            Some(Value::String(s)) => {
                let s = s.trim();
                s.parse::<u64>()
                    .map(|n| json!(n))
                    .or_else(|_| s.parse::<f64>().map(|n| json!(n)))
                    .ok()
            }
            Some(n @ Value::Number(_)) => Some(n.clone()),
            _ => None,
        };
        if framework == ELM_ECTS
            && let Some(value) = value
        {
            qualification.insert("credits".into(), json!({"system": "ECTS", "value": value}));
        } else {
            notes.push((
                &catalogue::MRA_EUJP_CREDITS_NOT_CONVERTED,
                Effect::Review,
                format!(
                    "credit point {point:?} in framework {framework:?}: not ECTS credits with a number, carried as issued for the assessor"
                ),
                format!("{at}.specifiedBy.creditPoint"),
            ));
        }
    }
    if !qualification.is_empty() {
        claims.insert("qualification".into(), Value::Object(qualification));
    }
    let process = achievement.get("awardedBy").unwrap_or(&Value::Null);
    if let Some(body) = each(process.get("awardingBody")).first() {
        let mut awarding = Map::new();
        if let Some(name) = body.get("legalName") {
            awarding.insert("legal_name".into(), name.clone());
        }
        let country = each(body.get("location"))
            .iter()
            .filter_map(|l| l.get("address"))
            .flat_map(|a| each(a.get("countryCode")))
            .filter_map(|c| id_of(c)?.strip_prefix(COUNTRY_PREFIX))
            .find_map(alpha2);
        if let Some(c) = country {
            awarding.insert("country".into(), c.into());
        }
        claims.insert("awarding_body".into(), Value::Object(awarding));
    }
    read_date(
        &mut claims,
        &mut notes,
        "awarding_date",
        process.get("awardingDate").and_then(Value::as_str),
        &format!("{at}.awardedBy.awardingDate"),
    );
    // ELM 3: the grade is the proving assessment's, its scheme that of the assessment's
    // specification.
    if let Some(assessment) = each(achievement.get("provenBy")).first() {
        let value = assessment
            .get("grade")
            .and_then(|g| one_language(g.get("noteLiteral")));
        let scheme = each(assessment.get("specifiedBy"))
            .first()
            .and_then(|s| each(s.get("gradingScheme")).first().copied())
            .and_then(id_of);
        if let Some(value) = value {
            let mut grade = Map::new();
            grade.insert("value".into(), value.into());
            if let Some(s) = scheme {
                grade.insert("scheme_uri".into(), s.into());
            }
            claims.insert("grade".into(), Value::Object(grade));
        }
    }
    ElmReading { claims, notes }
}

/// An EDC assessed by a Japanese verifier: the EDC profile's findings, then the EU side of
/// the crosswalk over [`elm_claims`]. The seal is the caller's to judge
/// ([`Recognition::require_authentic`]).
pub fn recognise_edc_in_jp(edc: &Value, pid_name: Option<&PersonName>) -> Recognition {
    let reading = elm_claims(edc);
    let mut r = recognition::assess_eu_in_jp(&reading.claims, super::edc::validate(edc), pid_name);
    for (requirement, effect, message, at) in reading.notes {
        r.reason(requirement, effect, message, Some(&at));
    }
    r.in_format(Format::EdcJades).settle()
}

/// A signed PDF certificate assessed by an EU verifier from its degree data: the embedded JP
/// degree claim set when there is one ([`crate::formats::pdf::attachments::degree_data`]),
/// otherwise [`Verdict::NotMachineReadable`]. The signature is the caller's to judge.
pub fn recognise_pdf_in_eu(data: &DegreeData, pid_name: Option<&PersonName>) -> Recognition {
    let requirement = &catalogue::MRA_EUJP_PDF_DEGREE_DATA;
    let r = match data {
        DegreeData::Embedded { file, claims, .. } => {
            let mut r = recognition::recognise_jp_in_eu_with_pid(claims, pid_name);
            r.reason(
                requirement,
                Effect::Info,
                format!("assessed from the embedded {file}, not from the page"),
                Some(file),
            );
            r
        }
        DegreeData::NotMachineReadable | DegreeData::Unreadable { .. } => {
            let mut r = Recognition::new(Direction::JpInEu);
            r.verdict = Verdict::NotMachineReadable;
            r.reason(
                requirement,
                Effect::Info,
                format!("{}: a person must read the certificate", data.summary()),
                None,
            );
            recognition::finish(r)
        }
    };
    r.in_format(Format::PdfPades).settle()
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
    fn the_published_sample_reads_into_the_eu_claim_set() {
        let r = elm_claims(&sample());
        let c = Value::Object(r.claims);
        assert_eq!(c["family_name"], "Andromeda");
        assert_eq!(c["given_name"], "Ana");
        // 1999-10-01T22:00:00Z: the date at its own offset, with a note that it is timed.
        assert_eq!(c["birthdate"], "1999-10-01");
        assert!(
            r.notes
                .iter()
                .any(|n| n.0.id == "MRA-EUJP-b-elm-dates" && n.3 == "credentialSubject.dateOfBirth")
        );
        assert_eq!(c["qualification"]["eqf_level"], 6);
        assert_eq!(c["qualification"]["isced_f"], "003");
        // ELM's string point "2" is carried as the number 2.
        assert_eq!(
            c["qualification"]["credits"],
            json!({"system": "ECTS", "value": 2})
        );
        assert_eq!(c["awarding_body"]["country"], "IE");
        assert_eq!(c["awarding_body"]["legal_name"]["en"], "University of Zed");
    }

    #[test]
    fn the_published_micro_credential_sample_is_level_6_in_japan() {
        let r = recognise_edc_in_jp(&sample(), None);
        assert_eq!(r.format, Format::EdcJades);
        assert_eq!(r.level, Some(6));
        assert_eq!(r.equivalent.as_deref(), Some("学士相当"));
    }

    #[test]
    fn an_eqf_4_credential_has_no_japanese_counterpart() {
        let mut edc = sample();
        edc["credentialSubject"]["hasClaim"]["specifiedBy"]["eqfLevel"]["id"] =
            "http://data.europa.eu/snb/eqf/4".into();
        let r = recognise_edc_in_jp(&edc, None);
        assert_eq!(r.verdict, Verdict::NotRecognised);
        assert!(r.findings().any(|f| f.requirement.id == "MRA-EUJP-b-level"));
    }

    #[test]
    fn a_pdf_without_degree_data_is_for_a_person_to_read() {
        let r = recognise_pdf_in_eu(&DegreeData::NotMachineReadable, None);
        assert_eq!(r.verdict, Verdict::NotMachineReadable);
        assert_eq!(r.format, Format::PdfPades);
        assert_eq!(r.level, None);
        // A failing signature still makes it not recognised.
        let r = r.require_authentic(false, "HASH_FAILURE");
        assert_eq!(r.verdict, Verdict::NotRecognised);
    }

    #[test]
    fn a_pdf_with_degree_data_is_assessed_from_it() {
        let claims = super::super::jp_degree::example_claims();
        let data = DegreeData::Embedded {
            file: "degree.json".into(),
            claims,
            violations: vec![],
        };
        let r = recognise_pdf_in_eu(&data, None);
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert_eq!(r.level, Some(6));
        assert_eq!(r.format, Format::PdfPades);
    }
}
