//! Credential profiles for EU–Japan academic credentials, and the recognition rules between
//! them.
//!
//! This module owns the **claim-level** rules of Accord's two academic profiles and of the
//! EU↔JP mapping; the envelope (`typ`, signatures, `cnf`, status, trust) is checked in
//! [`crate::formats`] and [`crate::trust`]. Everything here is a pure function over a JSON
//! claim set: no I/O, no clock (dates are passed in).
//!
//! Both profiles are **Accord's proposal** (marked \[P\] in `docs/profiles.md`): no EUDI diploma rulebook and no Japanese degree schema exist yet.
//! They are the default, and the rules cite their source so they can be changed.
//!
//! | Module | Owns | docs/profiles.md |
//! |---|---|---|
//! | [`eu_diploma`] | EU diploma claim set (`urn:eudi:diploma:1`), ISCED-F 2013 table | (a) EU table |
//! | [`jp_degree`] | Japanese degree (学位記) claim set | (a) JP table |
//! | [`era`] | 和暦 ↔ Gregorian conversion, by day | (b) dates row, check #30 |
//! | [`names`] | NFC and cross-script name matching (kanji, kana, Hepburn) | (b) names row, check #31 |
//! | [`recognition`] | EU↔JP level/field/credits/grade mapping and the verdict | (b), checks #28, #29, #32 |
//!
//! Common rules of both profiles (domain (a), common envelope): `iss`, `iat`, `vct`, `cnf`,
//! `status` are never selectively disclosable; dates are Gregorian `full-date`; strings are
//! NFC at issuance.

pub mod crosswalk;
pub mod edc;
pub mod era;
pub mod eu_diploma;
pub mod jp_degree;
pub mod micro_credential;
pub mod names;
pub mod recognition;

use serde_json::{Map, Value};
use time::Date;
use unicode_normalization::UnicodeNormalization;

use crate::formats::sd_jwt::ClaimPath;
use crate::requirements::Violation;

/// The `vct` of the EU diploma: the value observed in DC4EU (dc4eu/vc `vctm_diploma.json`),
/// not an official EUDI catalogue entry (domain (a)).
pub const EU_DIPLOMA_VCT: &str = "urn:eudi:diploma:1";

/// The W3C credential type trusted lists and the arrangement register for the
/// micro-credentials universities issue as Open Badges 3.0 (`jwt_vc_json`) \[P\].
pub const BADGE_TYPE: &str = "OpenBadgeCredential";

/// The `vct` Accord uses for the Japanese degree: an HTTPS URL of a (fictional) JP scheme owner
/// (domain (a): "an HTTPS URL owned by the JP scheme owner") \[P\].
pub const JP_DEGREE_VCT: &str = "https://trust.accord-jp.example/vct/degree/1";

/// Claims that are never selectively disclosable in either profile: the SD-JWT VC registered
/// claims (SD-JWT VC §2.2.2.3, domain check #2) plus `iat` (domain (a) common envelope).
pub const ALWAYS_DISCLOSED: &[&str] = &[
    // SD-JWT VC §2.2.2.3, as in crate::formats::sd_jwt_vc::NEVER_DISCLOSABLE (a test keeps
    // the two in step), plus `iat`.
    "iss",
    "iat",
    "nbf",
    "exp",
    "cnf",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
];

/// An academic credential profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// EU diploma, `vct` [`EU_DIPLOMA_VCT`] (domain (a), EU table).
    EuDiploma,
    /// Japanese degree certificate, `vct` [`JP_DEGREE_VCT`] (domain (a), JP table).
    JpDegree,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::EuDiploma, Profile::JpDegree];

    /// `eu-diploma` or `jp-degree`, as on the command line.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "eu-diploma" => Some(Profile::EuDiploma),
            "jp-degree" => Some(Profile::JpDegree),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::EuDiploma => "eu-diploma",
            Profile::JpDegree => "jp-degree",
        }
    }

    pub fn vct(self) -> &'static str {
        match self {
            Profile::EuDiploma => EU_DIPLOMA_VCT,
            Profile::JpDegree => JP_DEGREE_VCT,
        }
    }

    /// The profile whose `vct` is exactly `vct`.
    pub fn from_vct(vct: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.vct() == vct)
    }

    /// The claims of `claims` to make selectively disclosable, per the domain (a) tables.
    ///
    /// - Every claim marked "always" is disclosable. The envelope ([`ALWAYS_DISCLOSED`]) never
    ///   is, nor the issuer-bound `awarding_body` (EU) / `awarding_institution` (JP), nor the
    ///   SD-JWT reserved names `_sd`, `_sd_alg`.
    /// - A structured claim (`qualification`, `degree`, `program`) is disclosable as a whole
    ///   **and** each of its properties (recursive disclosure); an array claim (`entitlements`)
    ///   as a whole and each element.
    /// - Values whose parts only make sense together are disclosed as one unit: language maps
    ///   (`qualification.title`), credits `{system, value}` (credits never travel without
    ///   their system, check #29), grades `{value, scheme_uri}` and `gpa` (a grade never
    ///   travels without its scheme, domain (b)).
    /// - A top-level claim the tables do not name is disclosable as one unit, so that an
    ///   extension claim is private by default.
    pub fn disclosable_paths(self, claims: &Map<String, Value>) -> Vec<ClaimPath> {
        let (issuer_bound, structured): (&str, &[&str]) = match self {
            Profile::EuDiploma => ("awarding_body", &["qualification"]),
            Profile::JpDegree => ("awarding_institution", &["degree", "program"]),
        };
        let mut out = Vec::new();
        for (name, value) in claims {
            if ALWAYS_DISCLOSED.contains(&name.as_str())
                || name == issuer_bound
                || name.starts_with("_sd")
            {
                continue;
            }
            let path = ClaimPath::root().key(name);
            out.push(path.clone());
            match value {
                Value::Object(members) if structured.contains(&name.as_str()) => {
                    out.extend(members.keys().map(|k| path.key(k)));
                }
                Value::Array(items) => {
                    out.extend((0..items.len()).map(|i| path.index(i)));
                }
                _ => {}
            }
        }
        out
    }

    /// Checks a **full** claim set against the profile's claim rules (domain (a)): at
    /// issuance, or when every disclosure was presented. Every mandatory claim must be there.
    pub fn validate(self, claims: &Map<String, Value>) -> Vec<Violation> {
        self.validate_as(claims, ClaimSet::Full)
    }

    /// Checks the claims a verifier received in a **presentation**. The rules are the same,
    /// but a mandatory claim that is selectively disclosable and was not disclosed is not
    /// reported missing: withholding it is the holder's right. Claims that are never
    /// selectively disclosable (`iss`, `vct`, `awarding_body` / `awarding_institution`) must
    /// still be there, and every claim that was disclosed is checked in full.
    pub fn validate_presented(self, claims: &Map<String, Value>) -> Vec<Violation> {
        self.validate_as(claims, ClaimSet::Presented)
    }

    /// Checks `claims` read as `set`.
    pub fn validate_as(self, claims: &Map<String, Value>, set: ClaimSet) -> Vec<Violation> {
        match self {
            Profile::EuDiploma => eu_diploma::validate_as(claims, set),
            Profile::JpDegree => jp_degree::validate_as(claims, set),
        }
    }

    /// The claim paths an issuer advertises in its metadata (OpenID4VCI Appendix B.2): the
    /// top-level claims of the example set, as claims path pointers.
    pub fn metadata_claim_paths(self) -> Vec<Vec<String>> {
        self.example_claims()
            .keys()
            .filter(|k| !k.starts_with('_') && !matches!(k.as_str(), "iss" | "vct" | "iat"))
            .map(|k| vec![k.clone()])
            .collect()
    }

    /// A realistic claim set that validates cleanly, for the CLI, demos and benchmarks.
    pub fn example_claims(self) -> Map<String, Value> {
        match self {
            Profile::EuDiploma => eu_diploma::example_claims(),
            Profile::JpDegree => jp_degree::example_claims(),
        }
    }
}

/// What a claim set is: everything the issuer signed, or what a holder chose to disclose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimSet {
    /// Every claim (issuance, or a presentation that disclosed everything).
    Full,
    /// The claims of a presentation; undisclosed selectively disclosable claims may be absent.
    Presented,
}

impl ClaimSet {
    /// Whether a mandatory claim at `path` must be present: always in a full set; in a
    /// presentation only when its top-level claim is never selectively disclosable (the
    /// envelope, or the profile's issuer-bound `issuer_bound` claim).
    pub(crate) fn requires(self, path: &str, issuer_bound: &str) -> bool {
        let top = path.split('.').next().unwrap_or(path);
        self == ClaimSet::Full || ALWAYS_DISCLOSED.contains(&top) || top == issuer_bound
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the profile modules
// ---------------------------------------------------------------------------------------------

/// Looks up a dotted path (`qualification.eqf_level`) in a claim set.
pub(crate) fn lookup<'a>(claims: &'a Map<String, Value>, dotted: &str) -> Option<&'a Value> {
    let mut parts = dotted.split('.');
    let mut value = claims.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// A short description of a JSON value for messages: its type and, when short, the value.
pub(crate) fn describe(value: &Value) -> String {
    let text = value.to_string();
    let shown = if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    };
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => "the array",
        Value::Object(_) => "the object",
    };
    format!("{kind} {shown}")
}

/// Reports every string of `claims` that is not NFC against `requirement` (each profile has
/// its own NFC requirement).
pub(crate) fn check_nfc(
    claims: &Map<String, Value>,
    requirement: &'static crate::requirements::Requirement,
    out: &mut Vec<Violation>,
) {
    for (path, text) in non_nfc_strings(claims) {
        out.push(Violation::new(requirement, format!("`{path}`: {}", nfc_message(&text))).at(path));
    }
}

/// Parses a `full-date` (RFC 3339 §5.6: `YYYY-MM-DD`, Gregorian, exactly ten characters).
pub fn parse_full_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..10].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Says what is wrong with a date claim, or `None` when it is a valid full-date. The message
/// names the value found and the form expected, and gives the Gregorian date when the value
/// is a Japanese era date that converts (check #30) or a date-time with a date part (#26).
pub(crate) fn date_problem(value: &Value) -> Option<String> {
    let Some(text) = value.as_str() else {
        return Some(format!(
            "found {}; expected a full-date string YYYY-MM-DD",
            describe(value)
        ));
    };
    if parse_full_date(text).is_some() {
        return None;
    }
    match era::parse(text) {
        Some(Ok(date)) => {
            return Some(format!(
                "found the Japanese era date \"{text}\"; dates are Gregorian full-dates on the wire (era conversion happens at the issuer): use \"{date}\""
            ));
        }
        Some(Err(e)) => {
            return Some(format!(
                "found the Japanese era form \"{text}\", which does not convert: {e}; expected a Gregorian full-date YYYY-MM-DD"
            ));
        }
        None => {}
    }
    if era::contains_era_marker(text) {
        return Some(format!(
            "found \"{text}\", which uses a Japanese era name; expected a Gregorian full-date YYYY-MM-DD"
        ));
    }
    if text.len() > 10
        && text.is_char_boundary(10)
        && matches!(text.as_bytes()[10], b'T' | b't' | b' ')
        && let Some(day) = parse_full_date(&text[..10])
    {
        return Some(format!(
            "found the date-time \"{text}\"; expected a full-date (\"{day}\"), because a date-time can shift the day between JST and UTC"
        ));
    }
    Some(format!(
        "found \"{text}\"; expected a Gregorian full-date YYYY-MM-DD (e.g. \"2024-07-05\")"
    ))
}

/// A BCP 47-like language tag: a 2–3 letter primary subtag, then subtags of 1–8 letters or
/// digits (`en`, `ja`, `nl-BE`, `ja-Latn`, `zh-Hant-TW`).
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Checks a language map `{tag: non-empty string}` with at least one entry.
pub(crate) fn lang_map_problem(value: &Value) -> Option<String> {
    let Some(map) = value.as_object() else {
        return Some(format!(
            "found {}; expected a language map such as {{\"en\": \"…\"}}",
            describe(value)
        ));
    };
    if map.is_empty() {
        return Some(
            "found an empty language map; expected at least one {tag: text} entry".to_owned(),
        );
    }
    for (tag, text) in map {
        if !is_language_tag(tag) {
            return Some(format!(
                "language map key \"{tag}\" is not a language tag (expected e.g. \"en\", \"nl-BE\", \"ja\")"
            ));
        }
        match text.as_str() {
            Some(s) if !s.trim().is_empty() => {}
            _ => {
                return Some(format!(
                    "language map entry \"{tag}\" is {}; expected a non-empty string",
                    describe(text)
                ));
            }
        }
    }
    None
}

/// Every string in `value` (object keys excluded) that is not NFC, with its dotted path.
pub(crate) fn non_nfc_strings(claims: &Map<String, Value>) -> Vec<(String, String)> {
    fn walk(path: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::String(s) if !unicode_normalization::is_nfc(s) => {
                out.push((path.to_owned(), s.clone()));
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{path}.{i}"), item, out);
                }
            }
            Value::Object(members) => {
                for (k, v) in members {
                    walk(&format!("{path}.{k}"), v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in claims {
        walk(k, v, &mut out);
    }
    out
}

/// Message for a string that is not NFC: says how many code points differ and shows the NFC
/// form escaped, so a reader sees the difference.
pub(crate) fn nfc_message(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    format!(
        "found \"{}\" ({} code points, not NFC); expected its NFC form \"{}\" ({} code points)",
        text.escape_unicode_non_ascii(),
        text.chars().count(),
        nfc.escape_unicode_non_ascii(),
        nfc.chars().count()
    )
}

/// Escapes only non-ASCII characters, so combining marks are visible in messages.
trait EscapeNonAscii {
    fn escape_unicode_non_ascii(&self) -> String;
}

impl EscapeNonAscii for str {
    fn escape_unicode_non_ascii(&self) -> String {
        self.chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\u{{{:04X}}}", u32::from(c))
                }
            })
            .collect()
    }
}

/// True for an `https://` URL with a non-empty host part.
pub(crate) fn is_https_url(text: &str) -> bool {
    text.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(p: Profile, claims: &Map<String, Value>) -> Vec<String> {
        p.disclosable_paths(claims)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn always_disclosed_is_the_sd_jwt_vc_list_plus_iat() {
        let mut ours: Vec<&str> = ALWAYS_DISCLOSED
            .iter()
            .copied()
            .filter(|n| *n != "iat")
            .collect();
        let mut vc: Vec<&str> = crate::formats::sd_jwt_vc::NEVER_DISCLOSABLE.to_vec();
        ours.sort_unstable();
        vc.sort_unstable();
        assert_eq!(ours, vc);
    }

    #[test]
    fn names_and_vcts() {
        assert_eq!(Profile::from_name("eu-diploma"), Some(Profile::EuDiploma));
        assert_eq!(Profile::from_name("jp-degree"), Some(Profile::JpDegree));
        assert_eq!(Profile::from_name("pid"), None);
        assert_eq!(Profile::EuDiploma.vct(), "urn:eudi:diploma:1");
        assert_eq!(
            Profile::JpDegree.vct(),
            "https://trust.accord-jp.example/vct/degree/1"
        );
        for p in Profile::ALL {
            assert_eq!(Profile::from_vct(p.vct()), Some(p));
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
        assert_eq!(Profile::from_vct("urn:eudi:pid:1"), None);
    }

    #[test]
    fn eu_disclosable_paths() {
        let mut claims = eu_diploma::example_claims();
        claims.insert("iat".into(), json!(1_720_137_600));
        claims.insert(
            "status".into(),
            json!({"status_list": {"idx": 1, "uri": "https://x"}}),
        );
        claims.insert("cnf".into(), json!({"jwk": {}}));
        let p = paths(Profile::EuDiploma, &claims);
        for want in [
            "family_name",
            "given_name",
            "birthdate",
            "qualification",
            "qualification.title",
            "qualification.eqf_level",
            "qualification.nqf_level",
            "qualification.isced_f",
            "qualification.credits",
            "awarding_date",
            "grade",
            "entitlements",
            "entitlements.0",
            "diploma_supplement_uri",
        ] {
            assert!(p.contains(&want.to_owned()), "{want} missing from {p:?}");
        }
        for never in [
            "iss",
            "iat",
            "vct",
            "cnf",
            "status",
            "awarding_body",
            "awarding_body.legal_name",
            // Units: a language map, credits and grade are disclosed whole.
            "qualification.title.en",
            "qualification.credits.system",
            "grade.scheme_uri",
        ] {
            assert!(
                !p.contains(&never.to_owned()),
                "{never} must not be disclosable"
            );
        }
    }

    #[test]
    fn jp_disclosable_paths() {
        let mut claims = jp_degree::example_claims();
        claims.insert("aka_vcts".into(), json!([EU_DIPLOMA_VCT]));
        claims.insert("vct#integrity".into(), json!("sha256-abc"));
        claims.insert("exp".into(), json!(1));
        claims.insert("nbf".into(), json!(1));
        let p = paths(Profile::JpDegree, &claims);
        for want in [
            "family_name",
            "family_name_kana",
            "given_name_latin",
            "birthdate",
            "degree",
            "degree.type",
            "degree.name",
            "degree.isced2011",
            "degree.isced_f",
            "program",
            "program.faculty",
            "credits",
            "gpa",
            "awarding_date",
            "certificate_number",
        ] {
            assert!(p.contains(&want.to_owned()), "{want} missing from {p:?}");
        }
        for never in [
            "iss",
            "vct",
            "aka_vcts",
            "vct#integrity",
            "exp",
            "nbf",
            "awarding_institution",
            "credits.value",
            "gpa.scheme_uri",
        ] {
            assert!(
                !p.contains(&never.to_owned()),
                "{never} must not be disclosable"
            );
        }
    }

    #[test]
    fn disclosable_paths_resolve_in_the_claims() {
        for p in Profile::ALL {
            let claims = p.example_claims();
            let root = Value::Object(claims.clone());
            for path in p.disclosable_paths(&claims) {
                assert!(path.lookup(&root).is_some(), "{path} does not resolve");
            }
        }
    }

    #[test]
    fn examples_validate_cleanly() {
        for p in Profile::ALL {
            let v = p.validate(&p.example_claims());
            assert!(v.is_empty(), "{p}: {v:#?}");
            assert_eq!(p.example_claims().get("vct"), Some(&json!(p.vct())));
            assert!(p.example_claims().len() >= 10);
        }
    }

    #[test]
    fn presented_claims_may_withhold_disclosable_ones() {
        for p in Profile::ALL {
            let full = p.example_claims();
            // Keep only what is never selectively disclosable.
            let disclosable: Vec<String> = p
                .disclosable_paths(&full)
                .iter()
                .filter(|x| x.len() == 1)
                .map(ToString::to_string)
                .collect();
            let mut minimal = full.clone();
            minimal.retain(|k, _| !disclosable.contains(k));
            assert!(minimal.contains_key("iss") && minimal.contains_key("vct"));
            assert_eq!(p.validate_presented(&minimal), vec![], "{p}");
            assert!(!p.validate(&minimal).is_empty(), "{p}");
            // The never-disclosable claims are still required.
            let mut no_iss = minimal.clone();
            no_iss.remove("iss");
            let v = p.validate_presented(&no_iss);
            assert_eq!(v.len(), 1, "{v:#?}");
            assert_eq!(v[0].location.as_deref(), Some("iss"));
            // What was disclosed is checked in full.
            let mut bad = minimal.clone();
            bad.insert("birthdate".into(), json!("令和元年5月1日"));
            assert_eq!(p.validate_presented(&bad).len(), 1, "{p}");
        }
        let mut eu = eu_diploma::example_claims();
        eu.remove("awarding_body");
        assert_eq!(Profile::EuDiploma.validate_presented(&eu).len(), 1);
        let mut jp = jp_degree::example_claims();
        jp.remove("awarding_institution");
        assert_eq!(Profile::JpDegree.validate_presented(&jp).len(), 1);
    }

    #[test]
    fn full_dates() {
        assert!(parse_full_date("2024-02-29").is_some());
        assert!(parse_full_date("2023-02-29").is_none());
        assert!(parse_full_date("2024-2-29").is_none());
        assert!(parse_full_date("2024-02-29T00:00:00Z").is_none());
        assert!(parse_full_date("２０２４-02-29").is_none());
        assert!(date_problem(&json!("2024-07-05")).is_none());
        let m = date_problem(&json!("2024-07-05T00:00:00+00:00")).unwrap();
        assert!(
            m.contains("date-time") && m.contains("\"2024-07-05\""),
            "{m}"
        );
        let m = date_problem(&json!("令和元年5月1日")).unwrap();
        assert!(m.contains("\"2019-05-01\""), "{m}");
        let m = date_problem(&json!("令和6年度")).unwrap();
        assert!(m.contains("era"), "{m}");
        let m = date_problem(&json!(20240705)).unwrap();
        assert!(m.contains("the number 20240705"), "{m}");
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "ja", "nl-BE", "ja-Latn", "zh-Hant-TW", "fil"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "english", "en_GB", "ja-", "日本"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
        assert!(lang_map_problem(&json!({"en": "x"})).is_none());
        assert!(lang_map_problem(&json!("x")).is_some());
        assert!(lang_map_problem(&json!({})).is_some());
        assert!(lang_map_problem(&json!({"en": ""})).is_some());
        assert!(lang_map_problem(&json!({"english": "x"})).is_some());
    }

    #[test]
    fn finds_nfd_strings() {
        let claims = json!({"a": "Ame\u{0301}lie", "b": {"c": ["ok", "e\u{0301}"]}, "d": "Amélie"});
        let found = non_nfc_strings(claims.as_object().unwrap());
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["a", "b.c.1"]);
        let m = nfc_message("e\u{0301}");
        assert!(m.contains("\\u{0301}") && m.contains("\\u{00E9}"), "{m}");
    }
}
