//! EU↔JP recognition: the level, field, credit and grade mapping of docs/profiles.md (b), and a
//! verdict that never hides them (checks #28, #29, #31, #32).
//!
//! Under the Lisbon Recognition Convention (and the Tokyo and Global Conventions, the common
//! legal bridge with Japan) a qualification is recognised **unless the assessing body shows a
//! substantial difference**, the burden being on that body. A harness verdict can therefore
//! only say "nothing found that blocks recognition": every [`Recognition`] carries the inputs
//! of a substantial-difference assessment (level, credits with their system, grade with its
//! scheme, field) and the reasons a person should look at it. The mapping rules are **Accord's
//! proposal** \[P\]:
//!
//! | Dimension | Rule | Requirement |
//! |---|---|---|
//! | Level | only the ISCED 2011 level digit of `degree.isced2011` (JP) or `qualification.eqf_level` (EU); 766 and "N/A" go to review; 法務博士(専門職) is 7, never 8 | [`MRA_EUJP_LEVEL`](catalogue::MRA_EUJP_LEVEL) |
//! | Field | only an explicit `isced_f` (with its mapping source for JP); none → review | [`MRA_EUJP_FIELD`](catalogue::MRA_EUJP_FIELD) |
//! | Credits | carried as `{system, value}`, never converted; for 単位 an ECTS range is shown as information | [`MRA_EUJP_CREDITS_NOT_CONVERTED`](catalogue::MRA_EUJP_CREDITS_NOT_CONVERTED) |
//! | Grades | carried with `scheme_uri`; never compared across scales | [`MRA_EUJP_GRADES_SCHEME`](catalogue::MRA_EUJP_GRADES_SCHEME) |
//! | Names | matched across scripts against a PID when one is given; a mismatch → review | [`MRA_EUJP_NAMES`](catalogue::MRA_EUJP_NAMES) |
//!
//! The claims are read as a verifier receives them: a presentation, in which the holder may
//! have withheld selectively disclosable claims ([`super::Profile::validate_presented`]).
//! Withheld claims do not fail recognition; what they would have shown (field, credits,
//! grade) is then missing from the inputs, and says so.
//!
//! Verdict: [`Verdict::NotRecognised`] only for a hard failure (the claims break a MUST of
//! their profile, or the level is missing, unknown or below 5); [`Verdict::RecognisedWithReview`]
//! when any reason asks for review; otherwise [`Verdict::Recognised`].

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::eu_diploma::{self, isced_f_label};
use super::jp_degree::{self, DegreeType, HOURS_PER_TANNI, Isced2011};
use super::lookup;
use super::names::{NameMatch, PersonName, names_match};
use crate::requirements::{Requirement, catalogue};

/// ECTS Users' Guide: one ECTS credit is 25 to 30 hours of work.
pub const ECTS_HOURS_MIN: u64 = 25;
pub const ECTS_HOURS_MAX: u64 = 30;

/// The overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No reason found to doubt recognition; the inputs are still exposed (check #32).
    Recognised,
    /// Recognisable, but a person must look at the reasons marked `review`.
    RecognisedWithReview,
    /// A hard failure: the credential's seal, signature or proof does not hold, its claims
    /// are invalid, or it has no usable higher-education level.
    NotRecognised,
    /// The credential holds no data a machine may read (a signed PDF without embedded degree
    /// data): a person must read it. Never guessed from what a page shows.
    NotMachineReadable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Recognised => "recognised",
            Verdict::RecognisedWithReview => "recognised-with-review",
            Verdict::NotRecognised => "not-recognised",
            Verdict::NotMachineReadable => "not-machine-readable",
        }
    }
}

/// The format the assessed credential came in, recorded beside every verdict: the crosswalk
/// is the same whatever the format ([`super::crosswalk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    /// An SD-JWT VC (`dc+sd-jwt`), presented over OpenID4VP.
    #[serde(rename = "dc+sd-jwt")]
    SdJwtVc,
    /// A Europass Digital Credential (ELM 3, VCDM 1.1) sealed with JAdES.
    #[serde(rename = "edc+jades")]
    EdcJades,
    /// A VC-JWT (`jwt_vc_json`): VCDM 1.1 clause 6.3.1 or the Open Badges 3.0 JWT proof.
    #[serde(rename = "jwt_vc_json")]
    JwtVcJson,
    /// A credential secured with a Data Integrity proof (`ldp_vc`), e.g. Open Badges 3.0.
    #[serde(rename = "ldp_vc")]
    LdpVc,
    /// A signed PDF certificate (PAdES).
    #[serde(rename = "pdf+pades")]
    PdfPades,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::SdJwtVc => "dc+sd-jwt",
            Format::EdcJades => "edc+jades",
            Format::JwtVcJson => "jwt_vc_json",
            Format::LdpVc => "ldp_vc",
            Format::PdfPades => "pdf+pades",
        }
    }
}

/// How a reason bears on the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Information for the assessor; no effect on the verdict.
    Info,
    /// Sends the verdict to review.
    Review,
    /// Blocks recognition.
    Fail,
}

/// One finding behind a verdict, tied to the requirement it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    #[serde(serialize_with = "requirement_id")]
    pub requirement: &'static Requirement,
    pub effect: Effect,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

fn requirement_id<S: Serializer>(r: &&'static Requirement, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.id)
}

/// Which way the assessment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// A Japanese degree assessed by an EU verifier.
    JpInEu,
    /// An EU diploma assessed by a Japanese verifier.
    EuInJp,
}

/// An informative ECTS range for a number of 単位 (domain (b) credits row). Never a
/// conversion: it is not used for any decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EctsEstimate {
    pub hours: u64,
    pub ects_min: u64,
    pub ects_max: u64,
    pub informative_only: bool,
}

/// Credits exactly as issued, plus the informative estimate where one applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credits {
    pub system: Option<String>,
    pub value: Value,
    pub hours_per_unit: Option<Value>,
    pub ects_estimate: Option<EctsEstimate>,
}

/// A grade exactly as issued, with its scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grade {
    /// `grade` (EU) or `gpa` (JP).
    pub claim: &'static str,
    pub value: Value,
    pub max: Option<Value>,
    pub scheme_uri: Option<String>,
}

/// The field of study, when the credential states a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub isced_f: String,
    pub label: Option<&'static str>,
    /// For a JP degree: the mapping that produced the code.
    pub mapping_source: Option<String>,
}

/// The result of an assessment. Serialises for the CLI; reasons carry requirement ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recognition {
    pub direction: Direction,
    /// The format the credential came in.
    pub format: Format,
    pub verdict: Verdict,
    /// The level on the common scale (EQF = ISCED level for 5–8), when one could be read.
    pub level: Option<u8>,
    /// Where the level came from, e.g. `degree.isced2011 "665"`.
    pub level_source: Option<String>,
    /// The equivalent in the assessing system: "EQF 6 (QF-EHEA first cycle)", "学士相当".
    pub equivalent: Option<String>,
    pub credits: Option<Credits>,
    pub grade: Option<Grade>,
    pub field: Option<Field>,
    pub reasons: Vec<Reason>,
}

impl Recognition {
    pub(super) fn new(direction: Direction) -> Self {
        Self {
            direction,
            format: Format::SdJwtVc,
            verdict: Verdict::Recognised,
            level: None,
            level_source: None,
            equivalent: None,
            credits: None,
            grade: None,
            field: None,
            reasons: Vec::new(),
        }
    }

    pub(super) fn reason(
        &mut self,
        requirement: &'static Requirement,
        effect: Effect,
        message: impl Into<String>,
        location: Option<&str>,
    ) {
        self.reasons.push(Reason {
            requirement,
            effect,
            message: message.into(),
            location: location.map(str::to_owned),
        });
    }

    pub(super) fn settle(mut self) -> Self {
        let worst = self.reasons.iter().map(|r| r.effect).max();
        self.verdict = match worst {
            Some(Effect::Fail) => Verdict::NotRecognised,
            _ if self.verdict == Verdict::NotMachineReadable => Verdict::NotMachineReadable,
            Some(Effect::Review) => Verdict::RecognisedWithReview,
            _ => Verdict::Recognised,
        };
        self
    }

    /// The same assessment, recorded as made of a credential in `format`.
    pub fn in_format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Applies the credential's own security layer (check [`catalogue::MRA_EUJP_AUTHENTIC_FIRST`]):
    /// when it does not hold, nothing the credential says is recognised, whatever the
    /// crosswalk found; `what` says which layer and why.
    pub fn require_authentic(mut self, holds: bool, what: impl Into<String>) -> Self {
        let effect = if holds { Effect::Info } else { Effect::Fail };
        self.reasons.push(Reason {
            requirement: &catalogue::MRA_EUJP_AUTHENTIC_FIRST,
            effect,
            message: what.into(),
            location: None,
        });
        self.settle()
    }

    /// The reasons that ask for review or block recognition.
    pub fn findings(&self) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(|r| r.effect != Effect::Info)
    }
}

/// A JP degree assessed by an EU verifier. See [`recognise_jp_in_eu_with_pid`].
pub fn recognise_jp_in_eu(jp_claims: &Map<String, Value>) -> Recognition {
    recognise_jp_in_eu_with_pid(jp_claims, None)
}

/// A JP degree assessed by an EU verifier, with the holder's current PID name if known.
///
/// The level is the ISCED 2011 level digit of `degree.isced2011`, read as the EQF level of
/// the same number (domain (b)); the degree name is never read, so 法務博士(専門職) stays at 7.
pub fn recognise_jp_in_eu_with_pid(
    jp_claims: &Map<String, Value>,
    pid_name: Option<&PersonName>,
) -> Recognition {
    let mut r = Recognition::new(Direction::JpInEu);
    add_validation(&mut r, jp_degree::validate_presented(jp_claims));

    // Level (check #28).
    let degree_type = lookup(jp_claims, "degree.type")
        .and_then(Value::as_str)
        .and_then(DegreeType::parse);
    let code_text = lookup(jp_claims, "degree.isced2011").and_then(Value::as_str);
    let level_req = &catalogue::MRA_EUJP_LEVEL;
    let at = Some("degree.isced2011");
    match code_text.map(|t| (t, Isced2011::parse(t))) {
        None | Some((_, None)) => r.reason(
            level_req,
            Effect::Fail,
            "no readable `degree.isced2011`: the level cannot be established",
            at,
        ),
        Some((_, Some(Isced2011::NotApplicable))) => r.reason(
            level_req,
            Effect::Review,
            "`degree.isced2011` is \"N/A\" (NIC-Japan's value for 学士(専門職), a professional bachelor): no level is mapped automatically; the assessor decides",
            at,
        ),
        Some((text, Some(code @ Isced2011::Code { level, completion, .. }))) => {
            r.level_source = Some(format!("degree.isced2011 \"{text}\""));
            if degree_type == Some(DegreeType::HomuHakushi) && level != 7 {
                // Validation reports it too; the level is withheld, never taken as 8.
                r.reason(
                    level_req,
                    Effect::Fail,
                    format!(
                        "homu_hakushi (法務博士(専門職)) with ISCED \"{text}\": a professional law degree is level 7, never 8; the code contradicts the type"
                    ),
                    at,
                );
            } else if level < 5 {
                r.reason(
                    level_req,
                    Effect::Fail,
                    format!("ISCED level {level} is below 5: not a higher-education qualification"),
                    at,
                );
            } else {
                r.level = code.level();
                r.equivalent = Some(eqf_label(level));
                if level == 7 && completion == 6 {
                    r.reason(
                        level_req,
                        Effect::Review,
                        format!(
                            "ISCED \"{text}\" is a long first degree (a six-year programme such as medicine) placed at level 7 by NIC-Japan; the assessor checks whether it gives the access of a second-cycle degree"
                        ),
                        at,
                    );
                }
            }
        }
    }

    // Field (domain (b) field row).
    match lookup(jp_claims, "degree.isced_f").and_then(Value::as_str) {
        Some(code) => {
            r.field = Some(Field {
                isced_f: code.to_owned(),
                label: isced_f_label(code),
                mapping_source: lookup(jp_claims, "degree.isced_f_mapping_source")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
        None => {
            let title = lookup(jp_claims, "degree.name.ja")
                .and_then(Value::as_str)
                .map(|t| format!(" from \"{t}\""))
                .unwrap_or_default();
            r.reason(
                &catalogue::MRA_EUJP_FIELD,
                Effect::Review,
                format!(
                    "no `degree.isced_f`: the field is not guessed{title}; the assessor establishes it"
                ),
                Some("degree.isced_f"),
            );
        }
    }

    // Credits (check #29): carried, with an informative ECTS range.
    if let Some(c) = jp_claims.get("credits").and_then(Value::as_object) {
        let value = c.get("value").cloned().unwrap_or(Value::Null);
        let hours_per_unit = c.get("hours_per_unit").and_then(Value::as_u64);
        let estimate = match (
            c.get("system").and_then(Value::as_str),
            value.as_u64(),
            hours_per_unit,
        ) {
            (Some("JP-tanni"), Some(n), Some(h)) => Some(ects_estimate(n, h)),
            _ => None,
        };
        let message = match estimate {
            Some(e) => format!(
                "credits carried as issued ({} 単位 × {} h = {} h); for information only, that is about {}–{} ECTS at {ECTS_HOURS_MIN}–{ECTS_HOURS_MAX} h per credit, never a conversion",
                value,
                hours_per_unit.unwrap_or(HOURS_PER_TANNI),
                e.hours,
                e.ects_min,
                e.ects_max
            ),
            None => "credits carried as issued; no estimate is made".to_owned(),
        };
        r.credits = Some(Credits {
            system: c.get("system").and_then(Value::as_str).map(str::to_owned),
            value,
            hours_per_unit: c.get("hours_per_unit").cloned(),
            ects_estimate: estimate,
        });
        r.reason(
            &catalogue::MRA_EUJP_CREDITS_NOT_CONVERTED,
            Effect::Info,
            message,
            Some("credits"),
        );
    }

    // Grade.
    carry_grade(&mut r, jp_claims, "gpa");

    check_names(&mut r, jp_claims, pid_name);
    finish(r)
}

/// An EU diploma assessed by a Japanese verifier. See [`recognise_eu_in_jp_with_pid`].
pub fn recognise_eu_in_jp(eu_claims: &Map<String, Value>) -> Recognition {
    recognise_eu_in_jp_with_pid(eu_claims, None)
}

/// An EU diploma assessed by a Japanese verifier, with the holder's current PID name if known.
///
/// The EQF level gives the equivalent Japanese degree level: 5 → 短期大学士相当, 6 → 学士相当,
/// 7 → 修士相当, 8 → 博士相当. ECTS are carried and never converted to 単位.
pub fn recognise_eu_in_jp_with_pid(
    eu_claims: &Map<String, Value>,
    pid_name: Option<&PersonName>,
) -> Recognition {
    assess_eu_in_jp(
        eu_claims,
        eu_diploma::validate_presented(eu_claims),
        pid_name,
    )
}

/// The EU side's assessment of `eu_claims` (the EU diploma claim set, however it was read),
/// with `violations` the profile of their format found.
pub(super) fn assess_eu_in_jp(
    eu_claims: &Map<String, Value>,
    violations: Vec<crate::requirements::Violation>,
    pid_name: Option<&PersonName>,
) -> Recognition {
    let mut r = Recognition::new(Direction::EuInJp);
    add_validation(&mut r, violations);

    let level_req = &catalogue::MRA_EUJP_LEVEL;
    let at = Some("qualification.eqf_level");
    match lookup(eu_claims, "qualification.eqf_level").and_then(Value::as_u64) {
        Some(n @ 5..=8) => {
            let level = u8::try_from(n).unwrap_or(0);
            r.level = Some(level);
            r.level_source = Some(format!("qualification.eqf_level {n}"));
            r.equivalent = jp_equivalent(level).map(str::to_owned);
        }
        Some(n @ 1..=4) => r.reason(
            level_req,
            Effect::Fail,
            format!("EQF level {n} is below 5: not a higher-education qualification, no Japanese degree is its counterpart"),
            at,
        ),
        _ => r.reason(
            level_req,
            Effect::Fail,
            "no readable `qualification.eqf_level` (1–8): the level cannot be established",
            at,
        ),
    }

    match lookup(eu_claims, "qualification.isced_f").and_then(Value::as_str) {
        Some(code) => {
            r.field = Some(Field {
                isced_f: code.to_owned(),
                label: isced_f_label(code),
                mapping_source: None,
            });
        }
        None => r.reason(
            &catalogue::MRA_EUJP_FIELD,
            Effect::Review,
            "no `qualification.isced_f`: the field is not guessed from the title; the assessor establishes it",
            Some("qualification.isced_f"),
        ),
    }

    if let Some(c) = lookup(eu_claims, "qualification.credits").and_then(Value::as_object) {
        r.credits = Some(Credits {
            system: c.get("system").and_then(Value::as_str).map(str::to_owned),
            value: c.get("value").cloned().unwrap_or(Value::Null),
            hours_per_unit: None,
            ects_estimate: None,
        });
        r.reason(
            &catalogue::MRA_EUJP_CREDITS_NOT_CONVERTED,
            Effect::Info,
            "ECTS carried as issued; never converted to 単位",
            Some("qualification.credits"),
        );
    }

    carry_grade(&mut r, eu_claims, "grade");
    check_names(&mut r, eu_claims, pid_name);
    finish(r)
}

/// 124 単位 × 45 h = 5 580 h ≈ 186–223 ECTS (domain (b)): hours / 30 rounded up, hours / 25
/// rounded down, so the range never claims more than the hours give.
pub fn ects_estimate(tanni: u64, hours_per_unit: u64) -> EctsEstimate {
    let hours = tanni.saturating_mul(hours_per_unit);
    EctsEstimate {
        hours,
        ects_min: hours.div_ceil(ECTS_HOURS_MAX),
        ects_max: hours / ECTS_HOURS_MIN,
        informative_only: true,
    }
}

/// The EQF / QF-EHEA reading of a level.
fn eqf_label(level: u8) -> String {
    match level {
        5 => "EQF 5 (QF-EHEA short cycle)".to_owned(),
        6 => "EQF 6 (QF-EHEA first cycle)".to_owned(),
        7 => "EQF 7 (QF-EHEA second cycle)".to_owned(),
        8 => "EQF 8 (QF-EHEA third cycle)".to_owned(),
        n => format!("EQF {n}"),
    }
}

/// The Japanese degree level equivalent to an EQF level.
pub fn jp_equivalent(eqf_level: u8) -> Option<&'static str> {
    match eqf_level {
        5 => Some("短期大学士相当"),
        6 => Some("学士相当"),
        7 => Some("修士相当"),
        8 => Some("博士相当"),
        _ => None,
    }
}

pub(super) fn add_validation(r: &mut Recognition, violations: Vec<crate::requirements::Violation>) {
    for v in violations {
        let effect = if v.is_fatal() {
            Effect::Fail
        } else {
            Effect::Review
        };
        r.reasons.push(Reason {
            requirement: v.requirement,
            effect,
            message: v.message,
            location: v.location,
        });
    }
}

fn carry_grade(r: &mut Recognition, claims: &Map<String, Value>, claim: &'static str) {
    let Some(g) = claims.get(claim).and_then(Value::as_object) else {
        r.reason(
            &catalogue::MRA_EUJP_GRADES_SCHEME,
            Effect::Info,
            format!("no `{claim}`: grading is not part of this credential; the assessor obtains it elsewhere if needed"),
            None,
        );
        return;
    };
    let scheme_uri = g
        .get("scheme_uri")
        .and_then(Value::as_str)
        .map(str::to_owned);
    r.grade = Some(Grade {
        claim,
        value: g.get("value").cloned().unwrap_or(Value::Null),
        max: g.get("max").cloned(),
        scheme_uri: scheme_uri.clone(),
    });
    r.reason(
        &catalogue::MRA_EUJP_GRADES_SCHEME,
        Effect::Info,
        format!(
            "`{claim}` carried with its scheme {}; not compared numerically with any other scale",
            scheme_uri.as_deref().unwrap_or("(missing)")
        ),
        Some(claim),
    );
}

fn check_names(r: &mut Recognition, claims: &Map<String, Value>, pid: Option<&PersonName>) {
    let Some(pid) = pid else {
        return;
    };
    let req = &catalogue::MRA_EUJP_NAMES;
    let holder = PersonName::from_claims(claims);
    match names_match(&holder, pid) {
        NameMatch::Exact => {}
        NameMatch::Equivalent(e) if !e.review => r.reason(
            req,
            Effect::Info,
            format!("name matches the PID after folding: {e}"),
            Some("family_name"),
        ),
        NameMatch::Equivalent(e) => r.reason(
            req,
            Effect::Review,
            format!("name differs from the PID in kanji ({e}); review, not rejection"),
            Some("family_name"),
        ),
        NameMatch::Mismatch => r.reason(
            req,
            Effect::Review,
            "name differs from the current PID (it may have changed since the award); review, not rejection",
            Some("family_name"),
        ),
    }
}

pub(super) fn finish(mut r: Recognition) -> Recognition {
    r.reason(
        &catalogue::MRA_EUJP_SUBSTANTIAL_DIFFERENCE,
        Effect::Info,
        "recognition is due unless the assessing body shows a substantial difference (Lisbon Recognition Convention; Tokyo and Global Conventions); level, credits, grading and field are exposed for that assessment",
        None,
    );
    r.settle()
}

/// The inputs of a substantial-difference assessment (check #32), for a verifier to show
/// instead of a bare "recognised".
pub fn substantial_difference_inputs(r: &Recognition) -> Value {
    let findings: Vec<Value> = r
        .findings()
        .map(|f| {
            json!({
                "requirement": f.requirement.id,
                "effect": f.effect,
                "message": f.message,
                "location": f.location,
            })
        })
        .collect();
    json!({
        "requirement": catalogue::MRA_EUJP_SUBSTANTIAL_DIFFERENCE.id,
        "direction": r.direction,
        "verdict": r.verdict,
        "level": {
            "value": r.level,
            "source": r.level_source,
            "equivalent": r.equivalent,
        },
        "credits": r.credits,
        "grading": r.grade,
        "field": r.field,
        "findings": findings,
        "note": "Inputs for the assessing body, which bears the burden of showing a substantial difference; not a recognition decision.",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jp(edit: impl FnOnce(&mut Map<String, Value>)) -> Recognition {
        let mut c = jp_degree::example_claims();
        edit(&mut c);
        recognise_jp_in_eu(&c)
    }

    fn eu(edit: impl FnOnce(&mut Map<String, Value>)) -> Recognition {
        let mut c = eu_diploma::example_claims();
        edit(&mut c);
        recognise_eu_in_jp(&c)
    }

    fn set_degree(c: &mut Map<String, Value>, t: &str, code: &str, name_ja: &str) {
        c["degree"]["type"] = json!(t);
        c["degree"]["isced2011"] = json!(code);
        c["degree"]["name"] = json!({"ja": name_ja});
    }

    fn has(r: &Recognition, req: &Requirement, effect: Effect) -> bool {
        r.reasons
            .iter()
            .any(|x| x.requirement.id == req.id && x.effect == effect)
    }

    #[test]
    fn example_jp_degree_is_recognised_at_level_6() {
        let r = recognise_jp_in_eu(&jp_degree::example_claims());
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert_eq!(r.level, Some(6));
        assert_eq!(r.equivalent.as_deref(), Some("EQF 6 (QF-EHEA first cycle)"));
        let credits = r.credits.as_ref().unwrap();
        assert_eq!(credits.system.as_deref(), Some("JP-tanni"));
        assert_eq!(credits.value, json!(128));
        let field = r.field.as_ref().unwrap();
        assert_eq!(field.isced_f, "0714");
        assert_eq!(field.label, Some("Electronics and automation"));
        assert!(field.mapping_source.is_some());
        let grade = r.grade.as_ref().unwrap();
        assert_eq!(grade.claim, "gpa");
        assert!(grade.scheme_uri.is_some());
        assert!(has(
            &r,
            &catalogue::MRA_EUJP_CREDITS_NOT_CONVERTED,
            Effect::Info
        ));
        assert!(has(
            &r,
            &catalogue::MRA_EUJP_SUBSTANTIAL_DIFFERENCE,
            Effect::Info
        ));
    }

    #[test]
    fn ects_estimate_is_informative_only() {
        let e = ects_estimate(124, 45);
        assert_eq!((e.hours, e.ects_min, e.ects_max), (5580, 186, 223));
        assert!(e.informative_only);
        let r = jp(|c| c["credits"]["value"] = json!(124));
        let credits = r.credits.unwrap();
        // Carried as issued: the value stays 124 単位, not an ECTS figure.
        assert_eq!(credits.value, json!(124));
        assert_eq!(credits.system.as_deref(), Some("JP-tanni"));
        assert_eq!(credits.ects_estimate, Some(e));
        let msg = &r
            .reasons
            .iter()
            .find(|x| x.requirement.id == catalogue::MRA_EUJP_CREDITS_NOT_CONVERTED.id)
            .unwrap()
            .message;
        assert!(
            msg.contains("186–223") && msg.contains("never a conversion"),
            "{msg}"
        );
    }

    #[test]
    fn homu_hakushi_maps_to_7_never_8() {
        // Domain check #28: 法務博士(専門職) contains 博士 but is a level-7 professional degree.
        let r = jp(|c| set_degree(c, "homu_hakushi", "767", "法務博士(専門職)"));
        assert_eq!(r.level, Some(7), "{:#?}", r.reasons);
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        // A credential that codes it as a doctorate is not recognised at 8, or at all.
        let r = jp(|c| set_degree(c, "homu_hakushi", "864", "法務博士(専門職)"));
        assert_ne!(r.level, Some(8));
        assert_eq!(r.level, None);
        assert_eq!(r.verdict, Verdict::NotRecognised);
        assert!(has(&r, &catalogue::MRA_EUJP_LEVEL, Effect::Fail));
        // The name is never read: a hakushi is 8 whatever its name.
        let r = jp(|c| set_degree(c, "hakushi", "864", "博士(工学)"));
        assert_eq!(r.level, Some(8));
        assert_eq!(r.equivalent.as_deref(), Some("EQF 8 (QF-EHEA third cycle)"));
    }

    #[test]
    fn six_year_programme_766_goes_to_review_at_level_7() {
        let r = jp(|c| set_degree(c, "gakushi", "766", "学士(医学)"));
        assert_eq!(r.level, Some(7));
        assert_eq!(r.verdict, Verdict::RecognisedWithReview, "{:#?}", r.reasons);
        assert!(has(&r, &catalogue::MRA_EUJP_LEVEL, Effect::Review));
    }

    #[test]
    fn professional_bachelor_na_goes_to_review() {
        let r = jp(|c| set_degree(c, "gakushi_senmonshoku", "N/A", "学士(専門職)"));
        assert_eq!(r.level, None);
        assert_eq!(r.verdict, Verdict::RecognisedWithReview, "{:#?}", r.reasons);
        assert!(has(&r, &catalogue::MRA_EUJP_LEVEL, Effect::Review));
    }

    #[test]
    fn levels_per_type() {
        for (t, code, name, level) in [
            ("tanki_daigakushi", "544", "短期大学士", 5),
            ("gakushi", "665", "学士(工学)", 6),
            ("shushi", "767", "修士(工学)", 7),
            ("shushi_senmonshoku", "767", "経営管理修士(専門職)", 7),
            ("kyoshoku_shushi", "767", "教職修士(専門職)", 7),
            ("hakushi", "864", "博士(工学)", 8),
        ] {
            let r = jp(|c| set_degree(c, t, code, name));
            assert_eq!(r.level, Some(level), "{t}");
            assert_eq!(r.verdict, Verdict::Recognised, "{t}: {:#?}", r.reasons);
        }
    }

    #[test]
    fn missing_field_goes_to_review() {
        let r = jp(|c| {
            let d = c["degree"].as_object_mut().unwrap();
            d.remove("isced_f");
            d.remove("isced_f_mapping_source");
        });
        assert_eq!(r.verdict, Verdict::RecognisedWithReview);
        assert!(has(&r, &catalogue::MRA_EUJP_FIELD, Effect::Review));
        assert!(r.field.is_none());
        let r = eu(|c| {
            c["qualification"]
                .as_object_mut()
                .unwrap()
                .remove("isced_f");
        });
        assert_eq!(r.verdict, Verdict::RecognisedWithReview);
        assert!(has(&r, &catalogue::MRA_EUJP_FIELD, Effect::Review));
    }

    #[test]
    fn invalid_claims_are_not_recognised() {
        // The degree withheld: no level, so no recognition.
        let r = jp(|c| {
            c.remove("degree");
        });
        assert_eq!(r.verdict, Verdict::NotRecognised);
        assert!(has(&r, &catalogue::MRA_EUJP_LEVEL, Effect::Fail));
        // The never-disclosable awarding institution missing: the claims are invalid.
        let r = jp(|c| {
            c.remove("awarding_institution");
        });
        assert_eq!(r.verdict, Verdict::NotRecognised);
        assert!(has(
            &r,
            &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS,
            Effect::Fail
        ));
        // ECTS synthesised from 単位 (check #29, N).
        let r = jp(|c| c["credits"]["system"] = json!("ECTS"));
        assert_eq!(r.verdict, Verdict::NotRecognised);
        assert!(r.credits.as_ref().unwrap().ects_estimate.is_none());
        let r = jp(|c| {
            c.insert("awarding_date".into(), json!("令和7年3月25日"));
        });
        assert_eq!(r.verdict, Verdict::NotRecognised);
    }

    #[test]
    fn a_presentation_may_withhold_names_and_dates() {
        let r = jp(|c| {
            for k in [
                "family_name",
                "given_name",
                "family_name_kana",
                "given_name_kana",
                "birthdate",
                "gpa",
            ] {
                c.remove(k);
            }
        });
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert_eq!(r.level, Some(6));
        assert!(r.grade.is_none());
        let r = eu(|c| {
            c.remove("birthdate");
            c.remove("awarding_date");
            c["qualification"]
                .as_object_mut()
                .unwrap()
                .remove("credits");
        });
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert!(r.credits.is_none());
    }

    #[test]
    fn bachelor_below_124_tanni_goes_to_review() {
        let r = jp(|c| c["credits"]["value"] = json!(100));
        assert_eq!(r.verdict, Verdict::RecognisedWithReview, "{:#?}", r.reasons);
        assert!(has(
            &r,
            &catalogue::PROFILE_JPDEGREE_MIN_CREDITS,
            Effect::Review
        ));
    }

    #[test]
    fn names_against_a_pid() {
        let claims = jp_degree::example_claims();
        // 髙 on the degree, 高 on the PID: accepted (check #31, P).
        let pid = PersonName {
            family_kanji: Some("高橋".into()),
            given_kanji: Some("翔太".into()),
            family_kana: Some("タカハシ".into()),
            given_kana: Some("ショウタ".into()),
            ..PersonName::default()
        };
        let r = recognise_jp_in_eu_with_pid(&claims, Some(&pid));
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert!(has(&r, &catalogue::MRA_EUJP_NAMES, Effect::Info));
        // An EU PID in Latin letters only.
        let r =
            recognise_jp_in_eu_with_pid(&claims, Some(&PersonName::latin("Takahashi", "Shōta")));
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        // A different name (e.g. after marriage): review, not rejection (check #31, F).
        let r = recognise_jp_in_eu_with_pid(&claims, Some(&PersonName::latin("SUZUKI", "Shota")));
        assert_eq!(r.verdict, Verdict::RecognisedWithReview);
        assert!(has(&r, &catalogue::MRA_EUJP_NAMES, Effect::Review));
        // EU diploma against an NFD-encoded PID name: exact after NFC.
        let eu_claims = eu_diploma::example_claims();
        let pid = PersonName::latin("Peeters", "Lotte E\u{0301}milie");
        let r = recognise_eu_in_jp_with_pid(&eu_claims, Some(&pid));
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert!(
            !r.reasons
                .iter()
                .any(|x| x.requirement.id == catalogue::MRA_EUJP_NAMES.id)
        );
    }

    #[test]
    fn example_eu_diploma_is_recognised_as_shushi_level() {
        let r = recognise_eu_in_jp(&eu_diploma::example_claims());
        assert_eq!(r.verdict, Verdict::Recognised, "{:#?}", r.reasons);
        assert_eq!(r.level, Some(7));
        assert_eq!(r.equivalent.as_deref(), Some("修士相当"));
        let credits = r.credits.as_ref().unwrap();
        assert_eq!(credits.system.as_deref(), Some("ECTS"));
        assert_eq!(credits.value, json!(120));
        assert!(credits.ects_estimate.is_none());
        assert_eq!(r.grade.as_ref().unwrap().claim, "grade");
    }

    #[test]
    fn eqf_levels_in_japan() {
        for (level, want) in [
            (5, "短期大学士相当"),
            (6, "学士相当"),
            (7, "修士相当"),
            (8, "博士相当"),
        ] {
            let r = eu(|c| c["qualification"]["eqf_level"] = json!(level));
            assert_eq!(r.equivalent.as_deref(), Some(want));
            assert_eq!(r.verdict, Verdict::Recognised);
        }
        let r = eu(|c| c["qualification"]["eqf_level"] = json!(4));
        assert_eq!(r.verdict, Verdict::NotRecognised);
        assert_eq!(r.level, None);
        let r = eu(|c| {
            c["qualification"]
                .as_object_mut()
                .unwrap()
                .remove("eqf_level");
        });
        assert_eq!(r.verdict, Verdict::NotRecognised);
    }

    #[test]
    fn serialises_with_requirement_ids() {
        let r = jp(|c| set_degree(c, "gakushi", "766", "学士(医学)"));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["verdict"], "recognised-with-review");
        assert_eq!(v["direction"], "jp-in-eu");
        assert_eq!(v["level"], 7);
        let ids: Vec<&str> = v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["requirement"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"MRA-EUJP-b-level"), "{ids:?}");
        assert_eq!(v["credits"]["ects_estimate"]["informative_only"], true);
    }

    #[test]
    fn substantial_difference_inputs_expose_everything() {
        let r = recognise_jp_in_eu(&jp_degree::example_claims());
        let s = substantial_difference_inputs(&r);
        assert_eq!(s["requirement"], "MRA-EUJP-c-substantial-difference");
        assert_eq!(s["level"]["value"], 6);
        assert_eq!(s["credits"]["system"], "JP-tanni");
        assert_eq!(s["credits"]["value"], 128);
        assert_eq!(
            s["grading"]["scheme_uri"],
            "https://www.naniwa-u.example/gakumu/gpa/2021"
        );
        assert_eq!(s["field"]["isced_f"], "0714");
        assert_eq!(s["findings"], json!([]));
        let r = jp(|c| set_degree(c, "gakushi", "766", "学士(医学)"));
        let s = substantial_difference_inputs(&r);
        assert_eq!(s["findings"][0]["requirement"], "MRA-EUJP-b-level");
    }
}
