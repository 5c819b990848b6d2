//! The Japanese degree profile: claim rules for a degree certificate (学位記 / 学位授与証明).
//!
//! Domain brief (a), JP table. No Japanese degree schema exists, so this whole claim set is
//! **Accord's proposal** \[P\]. The `vct` is an HTTPS URL of the JP scheme owner; Accord's
//! default is [`JP_DEGREE_VCT`], and any HTTPS `vct` passes these rules.
//!
//! | Claim | Rule | Requirement |
//! |---|---|---|
//! | `family_name`, `given_name` (+ `_kana`, `_latin`), `birthdate`, `degree.type`, `degree.name` (with `ja`), `degree.isced2011`, `credits`, `awarding_date`, `awarding_institution{name, country: "JP"}`, `iss`, `vct` | present, right shape; `aka_vcts: ["urn:eudi:diploma:1"]` only with the EU mandatory claims | [`PROFILE_JPDEGREE_REQUIRED_CLAIMS`](catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS) |
//! | `degree.type` | one of the eight 学位規則 types | [`PROFILE_JPDEGREE_TYPE`](catalogue::PROFILE_JPDEGREE_TYPE) |
//! | `degree.isced2011` | NIC-Japan code consistent with the type | [`PROFILE_JPDEGREE_ISCED`](catalogue::PROFILE_JPDEGREE_ISCED) |
//! | `credits` | `{system: "JP-tanni", value: int, hours_per_unit: 45}` | [`PROFILE_JPDEGREE_CREDITS`](catalogue::PROFILE_JPDEGREE_CREDITS) |
//! | `credits.value` of a gakushi | ≥ 124 (SHOULD: flagged for review) | [`PROFILE_JPDEGREE_MIN_CREDITS`](catalogue::PROFILE_JPDEGREE_MIN_CREDITS) |
//! | `birthdate`, `awarding_date`, `graduation_date` | Gregorian full-date; era dates rejected with the converted date suggested | [`PROFILE_JPDEGREE_DATES`](catalogue::PROFILE_JPDEGREE_DATES) |
//! | `*_kana` | katakana only | [`PROFILE_JPDEGREE_KANA`](catalogue::PROFILE_JPDEGREE_KANA) |
//! | every string | NFC | [`PROFILE_JPDEGREE_NAMES_NFC`](catalogue::PROFILE_JPDEGREE_NAMES_NFC) |
//! | `degree.isced_f` | ISCED-F 2013 code with `degree.isced_f_mapping_source` | [`MRA_EUJP_FIELD`](catalogue::MRA_EUJP_FIELD) |
//! | `gpa` | `{value, max: 4.0 \| 4.3, scheme_uri}` | [`MRA_EUJP_GRADES_SCHEME`](catalogue::MRA_EUJP_GRADES_SCHEME) |
//!
//! # ISCED 2011 codes (NIC-Japan)
//!
//! A code is three digits: level, orientation (4 general/academic, 5 vocational/professional,
//! 6 unspecified) and completion (level 5: 4 = level completed; level 6: 5 first degree of
//! 3–4 years, 6 long first degree, 7 second degree; level 7: 6 long first degree, 7/8 second
//! or further degree; level 8: 4 = level completed). NIC-Japan gives 学士 665 (**766** for the
//! six-year programmes in medicine, dentistry, veterinary science and pharmacy), 短期大学士
//! 544 and 学士(専門職) "N/A". Accord reads 修士 and the professional degrees (専門職学位,
//! including 法務博士(専門職)) as level 7 and 博士 as level 8 (domain (b) level row).

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::eu_diploma::{isced_f_problem, mandatory_claim_problems};
use super::names::has_japanese_script;
use super::{
    ClaimSet, EU_DIPLOMA_VCT, JP_DEGREE_VCT, date_problem, describe, is_https_url,
    lang_map_problem, lookup,
};
use crate::requirements::{Violation, catalogue};

/// 大学設置基準 Art. 21: one 単位 is 45 hours of study.
pub const HOURS_PER_TANNI: u64 = 45;
/// 大学設置基準 Art. 32: a bachelor's degree needs at least 124 単位.
pub const BACHELOR_MIN_TANNI: u64 = 124;

/// Degree types of 学位規則 (domain (a), `degree.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DegreeType {
    /// 学士, bachelor.
    Gakushi,
    /// 修士, master.
    Shushi,
    /// 博士, doctor.
    Hakushi,
    /// 修士(専門職), professional master.
    ShushiSenmonshoku,
    /// 法務博士(専門職), the law-school professional degree: level 7, not a doctorate.
    HomuHakushi,
    /// 教職修士(専門職), professional master of education.
    KyoshokuShushi,
    /// 学士(専門職), professional bachelor (専門職大学); NIC-Japan ISCED "N/A".
    GakushiSenmonshoku,
    /// 短期大学士, associate (junior college).
    TankiDaigakushi,
}

impl DegreeType {
    pub const ALL: [DegreeType; 8] = [
        DegreeType::Gakushi,
        DegreeType::Shushi,
        DegreeType::Hakushi,
        DegreeType::ShushiSenmonshoku,
        DegreeType::HomuHakushi,
        DegreeType::KyoshokuShushi,
        DegreeType::GakushiSenmonshoku,
        DegreeType::TankiDaigakushi,
    ];

    /// The value of `degree.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            DegreeType::Gakushi => "gakushi",
            DegreeType::Shushi => "shushi",
            DegreeType::Hakushi => "hakushi",
            DegreeType::ShushiSenmonshoku => "shushi_senmonshoku",
            DegreeType::HomuHakushi => "homu_hakushi",
            DegreeType::KyoshokuShushi => "kyoshoku_shushi",
            DegreeType::GakushiSenmonshoku => "gakushi_senmonshoku",
            DegreeType::TankiDaigakushi => "tanki_daigakushi",
        }
    }

    /// The degree as 学位規則 names it.
    pub fn name_ja(self) -> &'static str {
        match self {
            DegreeType::Gakushi => "学士",
            DegreeType::Shushi => "修士",
            DegreeType::Hakushi => "博士",
            DegreeType::ShushiSenmonshoku => "修士(専門職)",
            DegreeType::HomuHakushi => "法務博士(専門職)",
            DegreeType::KyoshokuShushi => "教職修士(専門職)",
            DegreeType::GakushiSenmonshoku => "学士(専門職)",
            DegreeType::TankiDaigakushi => "短期大学士",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// The ISCED 2011 level the type belongs to, or `None` for 学士(専門職), which NIC-Japan
    /// gives no code. 学士 is level 6 (its six-year programmes are coded 766, see
    /// [`isced2011_problem`]); 法務博士(専門職) is 7.
    pub fn isced_level(self) -> Option<u8> {
        match self {
            DegreeType::TankiDaigakushi => Some(5),
            DegreeType::Gakushi => Some(6),
            DegreeType::Shushi
            | DegreeType::ShushiSenmonshoku
            | DegreeType::HomuHakushi
            | DegreeType::KyoshokuShushi => Some(7),
            DegreeType::Hakushi => Some(8),
            DegreeType::GakushiSenmonshoku => None,
        }
    }

    /// The NIC-Japan code(s) expected, for messages.
    fn expected_codes(self) -> &'static str {
        match self {
            DegreeType::Gakushi => "665 (766 for a six-year programme)",
            DegreeType::Shushi | DegreeType::ShushiSenmonshoku | DegreeType::KyoshokuShushi => {
                "a level-7 second-degree code such as 767"
            }
            DegreeType::HomuHakushi => "a level-7 code such as 767",
            DegreeType::Hakushi => "a level-8 code such as 864",
            DegreeType::GakushiSenmonshoku => "\"N/A\" (NIC-Japan gives no ISCED code)",
            DegreeType::TankiDaigakushi => "544",
        }
    }
}

/// A parsed `degree.isced2011` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isced2011 {
    /// A three-digit code: level, orientation, completion.
    Code {
        level: u8,
        orientation: u8,
        completion: u8,
    },
    /// NIC-Japan's "N/A" (学士(専門職)).
    NotApplicable,
}

impl Isced2011 {
    /// Reads `"665"`, `"766"`, `"N/A"`. Only the shape is checked here: three digits with a
    /// level of 0–8 and an orientation of 4–6 (or 0 for levels below 2).
    pub fn parse(text: &str) -> Option<Self> {
        if text == "N/A" {
            return Some(Isced2011::NotApplicable);
        }
        let b = text.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let (level, orientation, completion) = (b[0] - b'0', b[1] - b'0', b[2] - b'0');
        if level > 8 {
            return None;
        }
        Some(Isced2011::Code {
            level,
            orientation,
            completion,
        })
    }

    /// The ISCED level digit, the only part used to map levels (domain (b)).
    pub fn level(self) -> Option<u8> {
        match self {
            Isced2011::Code { level, .. } => Some(level),
            Isced2011::NotApplicable => None,
        }
    }
}

/// Says why `code` is not consistent with `degree_type` (domain check #28), or `None`.
pub fn isced2011_problem(degree_type: DegreeType, code: Isced2011) -> Option<String> {
    let t = degree_type.as_str();
    let expected = degree_type.expected_codes();
    let (level, orientation, completion) = match code {
        Isced2011::NotApplicable if degree_type == DegreeType::GakushiSenmonshoku => return None,
        Isced2011::NotApplicable => {
            return Some(format!(
                "\"N/A\" is NIC-Japan's value for gakushi_senmonshoku only; a {t} ({}) is coded {expected}",
                degree_type.name_ja()
            ));
        }
        Isced2011::Code {
            level,
            orientation,
            completion,
        } => (level, orientation, completion),
    };
    let code_text = format!("{level}{orientation}{completion}");
    if degree_type == DegreeType::GakushiSenmonshoku {
        return Some(format!(
            "found \"{code_text}\" for gakushi_senmonshoku (学士(専門職)); NIC-Japan gives it no ISCED 2011 code: expected \"N/A\""
        ));
    }
    if degree_type == DegreeType::HomuHakushi && level == 8 {
        return Some(format!(
            "found \"{code_text}\" (level 8) for homu_hakushi; 法務博士(専門職) is a professional law-school degree at level 7: 博士 in its name does not make it a doctorate (domain check #28)"
        ));
    }
    if !(4..=6).contains(&orientation) {
        return Some(format!(
            "found \"{code_text}\", whose orientation digit {orientation} is not 4, 5 or 6; expected {expected}"
        ));
    }
    let ok = match (degree_type, level) {
        // 665; six-year programmes (medicine, dentistry…) are a long first degree at level 7.
        (DegreeType::Gakushi, 6) => matches!(completion, 5..=7),
        (DegreeType::Gakushi, 7) => completion == 6,
        (
            DegreeType::Shushi
            | DegreeType::ShushiSenmonshoku
            | DegreeType::KyoshokuShushi
            | DegreeType::HomuHakushi,
            7,
        ) => matches!(completion, 7 | 8),
        (DegreeType::Hakushi, 8) | (DegreeType::TankiDaigakushi, 5) => completion == 4,
        _ => false,
    };
    if ok {
        return None;
    }
    let why = if Some(level) != degree_type.isced_level()
        && !(degree_type == DegreeType::Gakushi && level == 7)
    {
        format!(
            "level {level} is not the level of a {t} ({})",
            degree_type.name_ja()
        )
    } else if completion == 1 {
        "completion digit 1 means the level is not completed, which no degree is".to_owned()
    } else {
        format!("completion digit {completion} does not fit a {t}")
    };
    Some(format!("found \"{code_text}\": {why}; expected {expected}"))
}

/// Checks a full JP degree claim set (at issuance, or with everything disclosed). See the
/// module docs for the rules.
pub fn validate(claims: &Map<String, Value>) -> Vec<Violation> {
    validate_as(claims, ClaimSet::Full)
}

/// Checks the claims of a presentation: the same rules, but a selectively disclosable claim
/// the holder did not disclose is not reported missing, and the `aka_vcts` rule (an issuance
/// rule) is skipped.
pub fn validate_presented(claims: &Map<String, Value>) -> Vec<Violation> {
    validate_as(claims, ClaimSet::Presented)
}

/// Checks `claims` read as `set`.
pub fn validate_as(claims: &Map<String, Value>, set: ClaimSet) -> Vec<Violation> {
    let mut out = Vec::new();
    check_required(claims, set, &mut out);
    let degree_type = check_type(claims, &mut out);
    check_isced2011(claims, degree_type, &mut out);
    check_isced_f(claims, &mut out);
    check_credits(claims, degree_type, &mut out);
    check_dates(claims, &mut out);
    check_kana(claims, &mut out);
    check_gpa(claims, &mut out);
    // Names, titles and every other string are NFC.
    super::check_nfc(claims, &catalogue::PROFILE_JPDEGREE_NAMES_NFC, &mut out);
    out
}

/// The mandatory claims of domain (a), JP table:
/// [`catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS`]. Also checks that `aka_vcts` names the EU
/// diploma type only when the EU mandatory claims are there.
fn check_required(claims: &Map<String, Value>, set: ClaimSet, out: &mut Vec<Violation>) {
    let mut r = Required { set, out };
    for (name, what) in [
        ("iss", "the issuer identifier, an HTTPS URL"),
        ("vct", "an HTTPS vct of the JP scheme owner"),
    ] {
        match claims.get(name) {
            None => r.missing(name, what),
            Some(Value::String(s)) if is_https_url(s) => {}
            Some(v) => r.problem(
                name,
                format!(
                    "`{name}` is {}; expected {what} (Accord's default vct is \"{JP_DEGREE_VCT}\")",
                    describe(v)
                ),
            ),
        }
    }
    for name in ["family_name", "given_name"] {
        match claims.get(name) {
            None => r.missing(name, "the name as held in the student register"),
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(v) => r.problem(
                name,
                format!("`{name}` is {}; expected a non-empty string", describe(v)),
            ),
        }
    }
    for name in ["family_name_kana", "given_name_kana"] {
        if !claims.contains_key(name) {
            r.missing(name, "the katakana reading of the name");
        }
    }
    for name in ["family_name_latin", "given_name_latin"] {
        match claims.get(name) {
            None => r.missing(name, "the Hepburn (Latin) form of the name"),
            Some(Value::String(s)) if is_latin_name(s) => {}
            Some(v) => r.problem(
                name,
                format!(
                    "`{name}` is {}; expected the name in Latin letters (Hepburn)",
                    describe(v)
                ),
            ),
        }
    }
    if let Some(v) = claims.get("latin_source")
        && !matches!(v.as_str(), Some("passport" | "registry"))
    {
        r.problem(
            "latin_source",
            format!(
                "`latin_source` is {}; expected \"passport\" or \"registry\"",
                describe(v)
            ),
        );
    }
    if let Some(v) = claims.get("name_is_at_award")
        && !v.is_boolean()
    {
        r.problem(
            "name_is_at_award",
            format!(
                "`name_is_at_award` is {}; expected true or false",
                describe(v)
            ),
        );
    }
    for name in ["birthdate", "awarding_date"] {
        if !claims.contains_key(name) {
            r.missing(name, "a Gregorian full-date");
        }
    }
    if !claims.contains_key("credits") {
        r.missing(
            "credits",
            "{\"system\": \"JP-tanni\", \"value\": <int>, \"hours_per_unit\": 45}",
        );
    }
    match claims.get("degree") {
        None => {
            for at in ["degree.type", "degree.name", "degree.isced2011"] {
                r.missing(at, "the degree type, name and ISCED 2011 code");
            }
        }
        Some(Value::Object(d)) => {
            if !d.contains_key("type") {
                r.missing("degree.type", "the 学位規則 degree type");
            }
            match d.get("name") {
                None => r.missing(
                    "degree.name",
                    "the degree name as a language map with \"ja\"",
                ),
                Some(n) => {
                    if let Some(p) = lang_map_problem(n) {
                        r.problem("degree.name", format!("`degree.name`: {p}"));
                    } else if n.get("ja").is_none() {
                        r.problem(
                            "degree.name",
                            "`degree.name` has no \"ja\" entry; expected the Japanese degree name, e.g. {\"ja\": \"学士(工学)\"}".to_owned(),
                        );
                    }
                }
            }
            if !d.contains_key("isced2011") {
                r.missing("degree.isced2011", "the NIC-Japan ISCED 2011 code");
            }
        }
        Some(v) => r.problem(
            "degree",
            format!(
                "`degree` is {}; expected an object {{type, name, isced2011}}",
                describe(v)
            ),
        ),
    }
    match claims.get("awarding_institution") {
        None => r.missing(
            "awarding_institution",
            "the awarding institution {name, country}",
        ),
        Some(Value::Object(inst)) => {
            match inst.get("name") {
                None => r.missing(
                    "awarding_institution.name",
                    "the institution's name as a language map",
                ),
                Some(n) => {
                    if let Some(p) = lang_map_problem(n) {
                        r.problem(
                            "awarding_institution.name",
                            format!("`awarding_institution.name`: {p}"),
                        );
                    }
                }
            }
            match inst.get("country") {
                Some(Value::String(c)) if c == "JP" => {}
                None => r.missing("awarding_institution.country", "\"JP\""),
                Some(v) => r.problem(
                    "awarding_institution.country",
                    format!(
                        "`awarding_institution.country` is {}; a JP degree is awarded in \"JP\"",
                        describe(v)
                    ),
                ),
            }
        }
        Some(v) => r.problem(
            "awarding_institution",
            format!(
                "`awarding_institution` is {}; expected an object {{name, country, ids}}",
                describe(v)
            ),
        ),
    }
    if let Some(aka) = claims.get("aka_vcts")
        && set == ClaimSet::Full
    {
        match aka.as_array() {
            Some(items) if items.iter().all(Value::is_string) => {
                if items.iter().any(|v| v.as_str() == Some(EU_DIPLOMA_VCT)) {
                    let problems = mandatory_claim_problems(claims, ClaimSet::Full);
                    if !problems.is_empty() {
                        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
                        r.problem(
                            "aka_vcts",
                            format!(
                                "`aka_vcts` names \"{EU_DIPLOMA_VCT}\" but the EU diploma's mandatory claims are not met ({}); drop the alias or add the claims",
                                paths.join(", ")
                            ),
                        );
                    }
                }
            }
            _ => r.problem(
                "aka_vcts",
                format!(
                    "`aka_vcts` is {}; expected an array of strings",
                    describe(aka)
                ),
            ),
        }
    }
}

/// Collects [`catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS`] findings.
struct Required<'a> {
    set: ClaimSet,
    out: &'a mut Vec<Violation>,
}

impl Required<'_> {
    fn problem(&mut self, at: &str, message: String) {
        self.out
            .push(Violation::new(&catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS, message).at(at));
    }

    /// A missing mandatory claim; in a presentation, only claims that are never selectively
    /// disclosable must be there.
    fn missing(&mut self, at: &str, what: &str) {
        if self.set.requires(at, "awarding_institution") {
            self.problem(
                at,
                format!("`{at}` is missing; a JP degree requires {what} (domain (a), JP table)"),
            );
        }
    }
}

/// Latin letters (any diacritics), spaces, hyphens, apostrophes and full stops.
fn is_latin_name(s: &str) -> bool {
    !s.trim().is_empty()
        && !has_japanese_script(s)
        && s.chars().all(|c| {
            c.is_alphabetic()
                || unicode_normalization::char::is_combining_mark(c)
                || matches!(c, ' ' | '-' | '\'' | '’' | '.')
        })
}

/// Markers in `degree.name.ja` that name one degree type unambiguously.
const NAME_MARKERS: &[(&str, DegreeType)] = &[
    ("法務博士", DegreeType::HomuHakushi),
    ("教職修士", DegreeType::KyoshokuShushi),
    ("短期大学士", DegreeType::TankiDaigakushi),
];

/// `degree.type` is one of the eight 学位規則 types: [`catalogue::PROFILE_JPDEGREE_TYPE`]. A
/// `degree.name.ja` that names another type unambiguously (法務博士, 教職修士, 短期大学士) is
/// reported too.
fn check_type(claims: &Map<String, Value>, out: &mut Vec<Violation>) -> Option<DegreeType> {
    let req = &catalogue::PROFILE_JPDEGREE_TYPE;
    let v = lookup(claims, "degree.type")?;
    let allowed: Vec<&str> = DegreeType::ALL.iter().map(|t| t.as_str()).collect();
    let Some(t) = v.as_str().and_then(DegreeType::parse) else {
        let hint = v
            .as_str()
            .and_then(|s| {
                let norm = s.replace('（', "(").replace('）', ")");
                DegreeType::ALL.into_iter().find(|t| t.name_ja() == norm)
            })
            .map(|t| format!(" (for {} use \"{}\")", t.name_ja(), t.as_str()))
            .unwrap_or_default();
        out.push(
            Violation::new(
                req,
                format!(
                    "`degree.type` is {}; expected one of {}{hint}",
                    describe(v),
                    allowed.join(", ")
                ),
            )
            .at("degree.type"),
        );
        return None;
    };
    if let Some(name) = lookup(claims, "degree.name.ja").and_then(Value::as_str)
        && let Some((marker, named)) = NAME_MARKERS.iter().find(|(m, _)| name.contains(m))
        && *named != t
    {
        out.push(
            Violation::new(
                req,
                format!(
                    "`degree.type` is \"{}\" but `degree.name.ja` \"{name}\" contains {marker}, which is the {} degree; expected \"{}\"",
                    t.as_str(),
                    named.name_ja(),
                    named.as_str()
                ),
            )
            .at("degree.type"),
        );
    }
    Some(t)
}

/// `degree.isced2011` is the NIC-Japan code consistent with the type:
/// [`catalogue::PROFILE_JPDEGREE_ISCED`] (domain check #28, including the 法務博士 trap).
fn check_isced2011(claims: &Map<String, Value>, t: Option<DegreeType>, out: &mut Vec<Violation>) {
    let req = &catalogue::PROFILE_JPDEGREE_ISCED;
    let Some(v) = lookup(claims, "degree.isced2011") else {
        return;
    };
    let problem = match v.as_str().map(|s| (s, Isced2011::parse(s))) {
        None => Some(format!(
            "found {}; expected the code as a string, e.g. \"665\" or \"N/A\"",
            describe(v)
        )),
        Some((s, None)) => Some(format!(
            "found \"{s}\"; expected a three-digit ISCED 2011 code such as \"665\", or \"N/A\""
        )),
        Some((_, Some(code))) => t.and_then(|t| isced2011_problem(t, code)),
    };
    if let Some(p) = problem {
        out.push(Violation::new(req, format!("`degree.isced2011`: {p}")).at("degree.isced2011"));
    }
}

/// `degree.isced_f`, when present, is an ISCED-F 2013 code and comes with
/// `degree.isced_f_mapping_source`, because it is mapped, not native:
/// [`catalogue::MRA_EUJP_FIELD`] (domain (b) field row).
fn check_isced_f(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    let req = &catalogue::MRA_EUJP_FIELD;
    let Some(v) = lookup(claims, "degree.isced_f") else {
        return;
    };
    if let Some(p) = isced_f_problem(v) {
        out.push(Violation::new(req, format!("`degree.isced_f`: {p}")).at("degree.isced_f"));
    }
    match lookup(claims, "degree.isced_f_mapping_source") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(other) => out.push(
            Violation::new(
                req,
                format!("`degree.isced_f_mapping_source` is {}; expected a non-empty string naming the mapping and its version", describe(other)),
            )
            .at("degree.isced_f_mapping_source"),
        ),
        None => out.push(
            Violation::new(
                req,
                "`degree.isced_f` is given without `degree.isced_f_mapping_source`; a JP field code is mapped from 専攻分野, not native, so the mapping and its version must be named",
            )
            .at("degree.isced_f_mapping_source"),
        ),
    }
}

/// `credits` is `{system: "JP-tanni", value: int, hours_per_unit: 45}`:
/// [`catalogue::PROFILE_JPDEGREE_CREDITS`]; a bare number, a missing system or ECTS
/// synthesised from 単位 is rejected (check #29, N). A gakushi with fewer than 124 単位 is
/// flagged: [`catalogue::PROFILE_JPDEGREE_MIN_CREDITS`] (check #29, F; 大学設置基準 Art. 32).
fn check_credits(claims: &Map<String, Value>, t: Option<DegreeType>, out: &mut Vec<Violation>) {
    let req = &catalogue::PROFILE_JPDEGREE_CREDITS;
    let Some(v) = claims.get("credits") else {
        return;
    };
    let Some(credits) = v.as_object() else {
        out.push(
            Violation::new(
                req,
                format!(
                    "`credits` is {}; expected {{\"system\": \"JP-tanni\", \"value\": <int>, \"hours_per_unit\": 45}} (credits without their system are rejected)",
                    describe(v)
                ),
            )
            .at("credits"),
        );
        return;
    };
    match credits.get("system") {
        Some(Value::String(s)) if s == "JP-tanni" => {}
        None => out.push(
            Violation::new(req, "`credits` has no `system`; expected \"JP-tanni\" (credits without their system are rejected, domain check #29)")
                .at("credits.system"),
        ),
        Some(other) => {
            let hint = if other.as_str() == Some("ECTS") {
                "; ECTS must not be synthesised from 単位 (domain check #29): carry the 単位 as issued"
            } else {
                ""
            };
            out.push(
                Violation::new(req, format!("`credits.system` is {}; expected \"JP-tanni\"{hint}", describe(other)))
                    .at("credits.system"),
            );
        }
    }
    let value = credits.get("value");
    match value {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|x| x > 0) => {}
        Some(other) => out.push(
            Violation::new(
                req,
                format!(
                    "`credits.value` is {}; expected a positive integer number of 単位",
                    describe(other)
                ),
            )
            .at("credits.value"),
        ),
        None => out.push(
            Violation::new(
                req,
                "`credits` has no `value`; expected a positive integer number of 単位",
            )
            .at("credits.value"),
        ),
    }
    match credits.get("hours_per_unit") {
        Some(Value::Number(n)) if n.as_u64() == Some(HOURS_PER_TANNI) => {}
        Some(other) => out.push(
            Violation::new(
                req,
                format!("`credits.hours_per_unit` is {}; 大学設置基準 Art. 21 sets one 単位 at 45 hours: expected 45", describe(other)),
            )
            .at("credits.hours_per_unit"),
        ),
        None => out.push(
            Violation::new(req, "`credits` has no `hours_per_unit`; expected 45 (大学設置基準 Art. 21)").at("credits.hours_per_unit"),
        ),
    }
    if t == Some(DegreeType::Gakushi)
        && credits.get("system").and_then(Value::as_str) == Some("JP-tanni")
        && let Some(n) = value.and_then(Value::as_u64)
        && (1..BACHELOR_MIN_TANNI).contains(&n)
    {
        out.push(
            Violation::new(
                &catalogue::PROFILE_JPDEGREE_MIN_CREDITS,
                format!(
                    "a gakushi (学士) with {n} 単位; 大学設置基準 Art. 32 requires at least {BACHELOR_MIN_TANNI} for a bachelor's degree: flagged for review"
                ),
            )
            .at("credits.value"),
        );
    }
}

/// `birthdate`, `awarding_date` and `graduation_date` are Gregorian full-dates; a Japanese era
/// date is rejected with its Gregorian form suggested: [`catalogue::PROFILE_JPDEGREE_DATES`]
/// (check #30).
fn check_dates(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    for name in ["birthdate", "awarding_date", "graduation_date"] {
        if let Some(v) = claims.get(name)
            && let Some(p) = date_problem(v)
        {
            out.push(
                Violation::new(&catalogue::PROFILE_JPDEGREE_DATES, format!("`{name}`: {p}"))
                    .at(name),
            );
        }
    }
}

/// True for the characters a katakana name may hold: the Katakana block U+30A0–U+30FF (which
/// includes the prolonged sound mark ー and the middle dot ・) and spaces.
pub fn is_katakana_name_char(c: char) -> bool {
    matches!(c, '\u{30A0}'..='\u{30FF}' | ' ' | '\u{3000}')
}

/// `family_name_kana` and `given_name_kana` hold katakana only:
/// [`catalogue::PROFILE_JPDEGREE_KANA`]. Read after NFC, so a decomposed voiced mark is not
/// reported twice (the NFC rule reports it).
fn check_kana(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    for name in ["family_name_kana", "given_name_kana"] {
        let Some(v) = claims.get(name) else {
            continue;
        };
        let problem = match v.as_str() {
            None => Some(format!("found {}; expected a katakana string", describe(v))),
            Some(s) if s.trim().is_empty() => {
                Some("found an empty string; expected katakana".to_owned())
            }
            Some(s) => {
                let s = super::names::nfc(s);
                s.chars().find(|c| !is_katakana_name_char(*c)).map(|c| {
                    let code = u32::from(c);
                    let what = match c {
                        '\u{3041}'..='\u{309F}' => {
                            let kata = char::from_u32(code + 0x60).filter(|k| is_katakana_name_char(*k));
                            match kata {
                                Some(k) => format!("the hiragana '{c}' (U+{code:04X}); write it in katakana ('{k}')"),
                                None => format!("the hiragana '{c}' (U+{code:04X})"),
                            }
                        }
                        '\u{FF65}'..='\u{FF9F}' => {
                            format!("the half-width katakana '{c}' (U+{code:04X}); use full-width katakana")
                        }
                        _ => format!("'{c}' (U+{code:04X}), which is not katakana"),
                    };
                    format!("\"{s}\" contains {what}; expected katakana only (U+30A0–U+30FF and spaces)")
                })
            }
        };
        if let Some(p) = problem {
            out.push(
                Violation::new(&catalogue::PROFILE_JPDEGREE_KANA, format!("`{name}`: {p}"))
                    .at(name),
            );
        }
    }
}

/// `gpa`, when present, is `{value: number, max: 4.0 | 4.3, scheme_uri}`: a grade travels with
/// its scheme ([`catalogue::MRA_EUJP_GRADES_SCHEME`], domain (b) grades row).
fn check_gpa(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    let req = &catalogue::MRA_EUJP_GRADES_SCHEME;
    let Some(v) = claims.get("gpa") else {
        return;
    };
    let Some(gpa) = v.as_object() else {
        out.push(
            Violation::new(req, format!("`gpa` is {}; expected {{\"value\": <number>, \"max\": 4.0 or 4.3, \"scheme_uri\": <string>}}", describe(v)))
                .at("gpa"),
        );
        return;
    };
    let max = match gpa.get("max").and_then(Value::as_f64) {
        Some(m) if (m - 4.0).abs() < 1e-9 || (m - 4.3).abs() < 1e-9 => Some(m),
        _ => {
            let found = gpa
                .get("max")
                .map_or_else(|| "missing".to_owned(), describe);
            out.push(
                Violation::new(req, format!("`gpa.max` is {found}; expected 4.0 or 4.3"))
                    .at("gpa.max"),
            );
            None
        }
    };
    match gpa.get("value").and_then(Value::as_f64) {
        Some(x) if x >= 0.0 && max.is_none_or(|m| x <= m + 1e-9) => {}
        _ => {
            let found = gpa
                .get("value")
                .map_or_else(|| "missing".to_owned(), describe);
            out.push(
                Violation::new(
                    req,
                    format!("`gpa.value` is {found}; expected a number from 0 to `gpa.max`"),
                )
                .at("gpa.value"),
            );
        }
    }
    match gpa.get("scheme_uri") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(other) => out.push(
            Violation::new(req, format!("`gpa.scheme_uri` is {}; expected a non-empty string", describe(other))).at("gpa.scheme_uri"),
        ),
        None => out.push(
            Violation::new(
                req,
                "`gpa.scheme_uri` is missing; a GPA is meaningless without its scheme (秀/優/良/可 → 4/3/2/1, caps of 4.0 or 4.3, other formulas)",
            )
            .at("gpa.scheme_uri"),
        ),
    }
}

/// A 学士(工学) from a fictional Osaka university (浪速理工大学, Naniwa University of Science
/// and Technology). The holder's family name is registered with the variant kanji 髙. It
/// validates cleanly. The envelope claims set at issuance (`iat`, `cnf`, `status`) are not
/// included.
pub fn example_claims() -> Map<String, Value> {
    let v = json!({
        "iss": "https://credentials.naniwa-u.example",
        "vct": JP_DEGREE_VCT,
        "family_name": "髙橋",
        "given_name": "翔太",
        "family_name_kana": "タカハシ",
        "given_name_kana": "ショウタ",
        "family_name_latin": "TAKAHASHI",
        "given_name_latin": "Shota",
        "latin_source": "passport",
        "name_is_at_award": true,
        "birthdate": "2002-08-17",
        "degree": {
            "type": "gakushi",
            "name": {"ja": "学士(工学)", "en": "Bachelor of Engineering"},
            "field_ja": "工学",
            "isced2011": "665",
            "isced_f": "0714",
            "isced_f_mapping_source": "https://trust.accord-jp.example/mappings/senko-isced-f/2024-1"
        },
        "program": {
            "faculty": {"ja": "工学部", "en": "Faculty of Engineering"},
            "department": {"ja": "電気電子情報工学科", "en": "Department of Electrical, Electronic and Information Engineering"}
        },
        "credits": {"system": "JP-tanni", "value": 128, "hours_per_unit": 45},
        "gpa": {"value": 3.21, "max": 4.0, "scheme_uri": "https://www.naniwa-u.example/gakumu/gpa/2021"},
        "awarding_date": "2025-03-25",
        "graduation_date": "2025-03-25",
        "awarding_institution": {
            "name": {"ja": "浪速理工大学", "en": "Naniwa University of Science and Technology"},
            "country": "JP",
            "ids": [{"scheme": "mext-school-code", "value": "F199999900017"}]
        },
        "certificate_number": "工学第2025-0318号"
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requirements::Requirement;

    fn with(edit: impl FnOnce(&mut Map<String, Value>)) -> Vec<Violation> {
        let mut c = example_claims();
        edit(&mut c);
        validate(&c)
    }

    fn only(v: &[Violation], req: &Requirement, at: &str) {
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].requirement.id, req.id, "{v:#?}");
        assert_eq!(v[0].location.as_deref(), Some(at), "{v:#?}");
    }

    fn degree(c: &mut Map<String, Value>) -> &mut Map<String, Value> {
        c.get_mut("degree").unwrap().as_object_mut().unwrap()
    }

    fn set_type(c: &mut Map<String, Value>, t: &str, code: &str, name_ja: &str) {
        let d = degree(c);
        d.insert("type".into(), json!(t));
        d.insert("isced2011".into(), json!(code));
        d.insert("name".into(), json!({"ja": name_ja}));
    }

    #[test]
    fn example_is_clean() {
        assert_eq!(validate(&example_claims()), vec![]);
    }

    #[test]
    fn missing_required_claims() {
        for claim in [
            "iss",
            "vct",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "family_name_latin",
            "given_name_latin",
            "birthdate",
            "awarding_date",
            "credits",
            "awarding_institution",
        ] {
            let v = with(|c| {
                c.remove(claim);
            });
            only(&v, &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS, claim);
            assert!(v[0].message.contains("missing"), "{}", v[0].message);
        }
        for field in ["type", "name", "isced2011"] {
            let v = with(|c| {
                degree(c).remove(field);
            });
            let at = format!("degree.{field}");
            only(&v, &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS, &at);
        }
    }

    #[test]
    fn optional_claims_may_be_absent() {
        let v = with(|c| {
            for k in [
                "latin_source",
                "name_is_at_award",
                "program",
                "gpa",
                "graduation_date",
                "certificate_number",
            ] {
                c.remove(k);
            }
            for k in ["field_ja", "isced_f", "isced_f_mapping_source"] {
                degree(c).remove(k);
            }
        });
        assert_eq!(v, vec![]);
    }

    #[test]
    fn shapes_of_required_claims() {
        let v = with(|c| {
            degree(c).insert("name".into(), json!({"en": "Bachelor of Engineering"}));
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS,
            "degree.name",
        );
        assert!(v[0].message.contains("\"ja\""));
        let v = with(|c| {
            c["awarding_institution"]["country"] = json!("BE");
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS,
            "awarding_institution.country",
        );
        let v = with(|c| {
            c.insert("vct".into(), json!("urn:jp:degree:1"));
        });
        only(&v, &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS, "vct");
        let v = with(|c| {
            c.insert("family_name_latin".into(), json!("高橋"));
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS,
            "family_name_latin",
        );
        let v = with(|c| {
            c.insert("latin_source".into(), json!("self-declared"));
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS,
            "latin_source",
        );
        // Any HTTPS vct of the scheme owner passes.
        assert_eq!(
            with(|c| {
                c.insert("vct".into(), json!("https://owner.example.jp/vct/degree/1"));
            }),
            vec![]
        );
        // Hepburn forms with macrons and apostrophes are Latin names.
        assert_eq!(
            with(|c| {
                c.insert("given_name_latin".into(), json!("Shōta"));
            }),
            vec![]
        );
        assert_eq!(
            with(|c| {
                c.insert("given_name_latin".into(), json!("Shin'ichi"));
            }),
            vec![]
        );
    }

    #[test]
    fn aka_vcts_needs_the_eu_mandatory_claims() {
        let v = with(|c| {
            c.insert("aka_vcts".into(), json!([EU_DIPLOMA_VCT]));
        });
        only(&v, &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS, "aka_vcts");
        assert!(
            v[0].message.contains("qualification.title"),
            "{}",
            v[0].message
        );
        // With the EU mandatory claims added, the alias is allowed.
        let v = with(|c| {
            c.insert("aka_vcts".into(), json!([EU_DIPLOMA_VCT]));
            c.insert(
                "qualification".into(),
                json!({"title": {"en": "Bachelor of Engineering"}, "eqf_level": 6}),
            );
            c.insert(
                "awarding_body".into(),
                json!({"legal_name": {"ja": "浪速理工大学"}, "country": "JP"}),
            );
        });
        assert_eq!(v, vec![]);
        let v = with(|c| {
            c.insert("aka_vcts".into(), json!("urn:eudi:diploma:1"));
        });
        only(&v, &catalogue::PROFILE_JPDEGREE_REQUIRED_CLAIMS, "aka_vcts");
    }

    #[test]
    fn degree_types() {
        for (bad, needle) in [
            (json!("bachelor"), "gakushi, shushi"),
            (json!("学士"), "use \"gakushi\""),
            (json!("法務博士（専門職）"), "use \"homu_hakushi\""),
            (json!(1), "the number"),
        ] {
            let v = with(|c| {
                degree(c).insert("type".into(), bad.clone());
            });
            only(&v, &catalogue::PROFILE_JPDEGREE_TYPE, "degree.type");
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
        // A name that says 法務博士 on a hakushi.
        let v = with(|c| set_type(c, "hakushi", "864", "法務博士(専門職)"));
        only(&v, &catalogue::PROFILE_JPDEGREE_TYPE, "degree.type");
        assert!(v[0].message.contains("homu_hakushi"));
    }

    #[test]
    fn nic_japan_codes_per_type() {
        let ok: &[(&str, &str, &str)] = &[
            ("gakushi", "665", "学士(工学)"),
            ("gakushi", "766", "学士(医学)"),
            ("shushi", "767", "修士(工学)"),
            ("hakushi", "864", "博士(工学)"),
            ("hakushi", "844", "博士(文学)"),
            ("shushi_senmonshoku", "767", "経営管理修士(専門職)"),
            ("homu_hakushi", "767", "法務博士(専門職)"),
            ("kyoshoku_shushi", "767", "教職修士(専門職)"),
            ("gakushi_senmonshoku", "N/A", "学士(専門職)"),
            ("tanki_daigakushi", "544", "短期大学士(保育学)"),
        ];
        for (t, code, name) in ok {
            let v = with(|c| {
                set_type(c, t, code, name);
                // Keep the credits rule out of the way for non-bachelors.
            });
            assert_eq!(v, vec![], "{t} {code}");
        }
        let bad: &[(&str, &str, &str, &str)] = &[
            ("gakushi", "767", "学士(工学)", "completion digit 7"),
            ("gakushi", "864", "学士(工学)", "level 8"),
            ("gakushi", "N/A", "学士(工学)", "gakushi_senmonshoku only"),
            ("shushi", "665", "修士(工学)", "level 6"),
            ("shushi", "766", "修士(工学)", "completion digit 6"),
            ("hakushi", "767", "博士(工学)", "level 7"),
            (
                "gakushi_senmonshoku",
                "665",
                "学士(専門職)",
                "expected \"N/A\"",
            ),
            ("tanki_daigakushi", "665", "短期大学士", "level 6"),
            ("tanki_daigakushi", "541", "短期大学士", "not completed"),
            ("gakushi", "695", "学士(工学)", "orientation"),
        ];
        for (t, code, name, needle) in bad {
            let v = with(|c| set_type(c, t, code, name));
            only(&v, &catalogue::PROFILE_JPDEGREE_ISCED, "degree.isced2011");
            assert!(
                v[0].message.contains(needle),
                "{t} {code}: {}",
                v[0].message
            );
        }
        for bad in [
            json!(665),
            json!("66"),
            json!("6655"),
            json!("n/a"),
            json!("965"),
        ] {
            let v = with(|c| {
                degree(c).insert("isced2011".into(), bad.clone());
            });
            only(&v, &catalogue::PROFILE_JPDEGREE_ISCED, "degree.isced2011");
        }
    }

    #[test]
    fn homu_hakushi_is_never_level_8() {
        // Domain check #28: 博士 in the name does not make a doctorate.
        assert_eq!(DegreeType::HomuHakushi.isced_level(), Some(7));
        let v = with(|c| set_type(c, "homu_hakushi", "864", "法務博士(専門職)"));
        only(&v, &catalogue::PROFILE_JPDEGREE_ISCED, "degree.isced2011");
        assert!(
            v[0].message.contains("not make it a doctorate"),
            "{}",
            v[0].message
        );
        let v = with(|c| set_type(c, "homu_hakushi", "854", "法務博士(専門職)"));
        only(&v, &catalogue::PROFILE_JPDEGREE_ISCED, "degree.isced2011");
    }

    #[test]
    fn credits() {
        for (bad, at, needle) in [
            (json!(128), "credits", "without their system"),
            (
                json!({"value": 128, "hours_per_unit": 45}),
                "credits.system",
                "no `system`",
            ),
            (
                json!({"system": "ECTS", "value": 192, "hours_per_unit": 45}),
                "credits.system",
                "synthesised",
            ),
            (
                json!({"system": "JP-tanni", "value": 128.5, "hours_per_unit": 45}),
                "credits.value",
                "integer",
            ),
            (
                json!({"system": "JP-tanni", "value": "128", "hours_per_unit": 45}),
                "credits.value",
                "integer",
            ),
            (
                json!({"system": "JP-tanni", "value": 0, "hours_per_unit": 45}),
                "credits.value",
                "positive",
            ),
            (
                json!({"system": "JP-tanni", "value": 128, "hours_per_unit": 30}),
                "credits.hours_per_unit",
                "45",
            ),
            (
                json!({"system": "JP-tanni", "value": 128}),
                "credits.hours_per_unit",
                "45",
            ),
        ] {
            let v = with(|c| {
                c.insert("credits".into(), bad.clone());
            });
            only(&v, &catalogue::PROFILE_JPDEGREE_CREDITS, at);
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
    }

    #[test]
    fn bachelor_below_124_tanni_is_flagged_not_fatal() {
        let v = with(|c| {
            c["credits"]["value"] = json!(110);
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_MIN_CREDITS,
            "credits.value",
        );
        assert!(!v[0].is_fatal());
        assert!(crate::requirements::all_pass(&v));
        assert_eq!(
            with(|c| {
                c["credits"]["value"] = json!(124);
            }),
            vec![]
        );
        // The bachelor minimum does not apply to a master's.
        let v = with(|c| {
            set_type(c, "shushi", "767", "修士(工学)");
            c["credits"]["value"] = json!(30);
        });
        assert_eq!(v, vec![]);
    }

    #[test]
    fn era_dates_are_rejected_with_a_suggestion() {
        for (claim, era, greg) in [
            ("awarding_date", "令和7年3月25日", "2025-03-25"),
            ("awarding_date", "令和元年5月1日", "2019-05-01"),
            ("graduation_date", "R7.3.25", "2025-03-25"),
            ("birthdate", "平成14年8月17日", "2002-08-17"),
            ("birthdate", "平成31年4月30日", "2019-04-30"),
            ("birthdate", "㋿2年1月1日", "2020-01-01"),
            ("birthdate", "平成１４年８月１７日", "2002-08-17"),
        ] {
            let v = with(|c| {
                c.insert(claim.into(), json!(era));
            });
            only(&v, &catalogue::PROFILE_JPDEGREE_DATES, claim);
            assert!(
                v[0].message.contains(&format!("\"{greg}\"")),
                "{era}: {}",
                v[0].message
            );
        }
        // An era date that does not exist is rejected and explained.
        let v = with(|c| {
            c.insert("awarding_date".into(), json!("平成31年5月1日"));
        });
        only(&v, &catalogue::PROFILE_JPDEGREE_DATES, "awarding_date");
        assert!(v[0].message.contains("2019-04-30"), "{}", v[0].message);
        let v = with(|c| {
            c.insert("graduation_date".into(), json!("令和6年度"));
        });
        only(&v, &catalogue::PROFILE_JPDEGREE_DATES, "graduation_date");
        let v = with(|c| {
            c.insert("awarding_date".into(), json!("2025-03-25T00:00:00+09:00"));
        });
        only(&v, &catalogue::PROFILE_JPDEGREE_DATES, "awarding_date");
        assert!(v[0].message.contains("JST"));
    }

    #[test]
    fn kana_must_be_katakana() {
        for ok in [
            "タカハシ",
            "ヴァン・デル・ベルク",
            "ショウタ　ジュニア",
            "ユーキ",
        ] {
            assert_eq!(
                with(|c| {
                    c.insert("given_name_kana".into(), json!(ok));
                }),
                vec![],
                "{ok}"
            );
        }
        for (bad, needle) in [
            ("たかはし", "katakana ('タ')"),
            ("ﾀｶﾊｼ", "half-width"),
            ("髙橋", "not katakana"),
            ("Takahashi", "not katakana"),
            ("", "empty"),
        ] {
            let v = with(|c| {
                c.insert("family_name_kana".into(), json!(bad));
            });
            only(&v, &catalogue::PROFILE_JPDEGREE_KANA, "family_name_kana");
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
    }

    #[test]
    fn names_must_be_nfc() {
        // ガ decomposed into カ + U+3099: reported once, as NFC, not as a kana problem.
        let v = with(|c| {
            c.insert("family_name_kana".into(), json!("カ\u{3099}ク"));
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_NAMES_NFC,
            "family_name_kana",
        );
        let v = with(|c| {
            c.insert("given_name_latin".into(), json!("Sho\u{0304}ta"));
        });
        only(
            &v,
            &catalogue::PROFILE_JPDEGREE_NAMES_NFC,
            "given_name_latin",
        );
        let v = with(|c| {
            c["degree"]["name"]["ja"] = json!("学士(工学)\u{FA10}".to_owned());
        });
        // U+FA10 has a canonical decomposition, so it is not NFC.
        only(&v, &catalogue::PROFILE_JPDEGREE_NAMES_NFC, "degree.name.ja");
        // 髙 (U+9AD9) is a unified ideograph, not a compatibility one: it is NFC.
        assert!(crate::profiles::names::is_nfc("髙橋"));
    }

    #[test]
    fn mapped_field_needs_its_source() {
        let v = with(|c| {
            degree(c).remove("isced_f_mapping_source");
        });
        only(
            &v,
            &catalogue::MRA_EUJP_FIELD,
            "degree.isced_f_mapping_source",
        );
        let v = with(|c| {
            degree(c).insert("isced_f".into(), json!("07"));
        });
        only(&v, &catalogue::MRA_EUJP_FIELD, "degree.isced_f");
    }

    #[test]
    fn gpa() {
        assert_eq!(
            with(|c| {
                c["gpa"]["max"] = json!(4.3);
                c["gpa"]["value"] = json!(4.2);
            }),
            vec![]
        );
        for (edit, at) in [
            (json!({"value": 3.2, "max": 4.0}), "gpa.scheme_uri"),
            (
                json!({"value": 3.2, "max": 5.0, "scheme_uri": "x"}),
                "gpa.max",
            ),
            (
                json!({"value": 4.2, "max": 4.0, "scheme_uri": "x"}),
                "gpa.value",
            ),
            (
                json!({"value": "A", "max": 4.0, "scheme_uri": "x"}),
                "gpa.value",
            ),
            (json!(3.2), "gpa"),
        ] {
            let v = with(|c| {
                c.insert("gpa".into(), edit.clone());
            });
            only(&v, &catalogue::MRA_EUJP_GRADES_SCHEME, at);
        }
    }
}
