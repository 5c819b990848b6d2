//! The EU diploma profile: claim rules for `vct: "urn:eudi:diploma:1"`.
//!
//! Domain brief (a), EU table. The claims are a flattened projection of the European Learning
//! Model (ELM 3) / DC4EU EUHED diploma. The whole claim set is **Accord's proposal** \[P\]: the
//! `vct` is the value observed in DC4EU, and no EUDI diploma rulebook exists yet.
//!
//! | Claim | Rule | Requirement |
//! |---|---|---|
//! | `family_name`, `given_name`, `birthdate`, `qualification.title`, `qualification.eqf_level`, `awarding_body{legal_name, country}`, `awarding_date`, `iss`, `vct` | present, right shape | [`PROFILE_EUDIPLOMA_REQUIRED_CLAIMS`](catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS) |
//! | `qualification.eqf_level` | integer 1–8 | [`PROFILE_EUDIPLOMA_EQF`](catalogue::PROFILE_EUDIPLOMA_EQF) |
//! | `qualification.isced_f` | 3- or 4-digit ISCED-F 2013 code, as a string | [`PROFILE_EUDIPLOMA_ISCED_F`](catalogue::PROFILE_EUDIPLOMA_ISCED_F) |
//! | `qualification.credits` | `{system: "ECTS", value: number > 0}` | [`PROFILE_EUDIPLOMA_CREDITS`](catalogue::PROFILE_EUDIPLOMA_CREDITS) |
//! | `birthdate`, `awarding_date` | Gregorian full-date | [`PROFILE_EUDIPLOMA_DATES`](catalogue::PROFILE_EUDIPLOMA_DATES) |
//! | every string | NFC | [`PROFILE_EUDIPLOMA_NAMES_NFC`](catalogue::PROFILE_EUDIPLOMA_NAMES_NFC) |
//! | `grade` | `{value, scheme_uri}` strings | [`MRA_EUJP_GRADES_SCHEME`](catalogue::MRA_EUJP_GRADES_SCHEME) |
//!
//! The envelope (`iat`, `cnf.jwk`, `status`) is set at issuance and checked by
//! [`crate::formats::sd_jwt_vc`]; this module checks `iss` (HTTPS) and `vct` only.
//! `awarding_body.country` is checked for shape (two upper-case letters), not against the
//! ISO 3166-1 list.

use serde_json::{Map, Value, json};

use super::{
    ClaimSet, EU_DIPLOMA_VCT, date_problem, describe, is_https_url, lang_map_problem, lookup,
};
use crate::requirements::{Violation, catalogue};

/// ISCED-F 2013 narrow (3-digit) and detailed (4-digit) fields with their English labels
/// (UNESCO Institute for Statistics, *ISCED Fields of Education and Training 2013*, list of
/// codes). Broad fields (2 digits) are not valid values of `isced_f`; see [`ISCED_F_BROAD`].
///
/// The list has the "not further defined" (`…0`), "not elsewhere classified" (`…9`) and
/// inter-disciplinary (`…8`) codes exactly where the classification defines them; there is,
/// for instance, no 0549 or 0739.
pub static ISCED_F_2013: &[(&str, &str)] = &[
    // 00 Generic programmes and qualifications
    (
        "000",
        "Generic programmes and qualifications not further defined",
    ),
    (
        "0000",
        "Generic programmes and qualifications not further defined",
    ),
    ("001", "Basic programmes and qualifications"),
    ("0011", "Basic programmes and qualifications"),
    ("002", "Literacy and numeracy"),
    ("0021", "Literacy and numeracy"),
    ("003", "Personal skills and development"),
    ("0031", "Personal skills and development"),
    (
        "009",
        "Generic programmes and qualifications not elsewhere classified",
    ),
    (
        "0099",
        "Generic programmes and qualifications not elsewhere classified",
    ),
    // 01 Education
    ("011", "Education"),
    ("0110", "Education not further defined"),
    ("0111", "Education science"),
    ("0112", "Training for pre-school teachers"),
    ("0113", "Teacher training without subject specialisation"),
    ("0114", "Teacher training with subject specialisation"),
    ("0119", "Education not elsewhere classified"),
    (
        "018",
        "Inter-disciplinary programmes and qualifications involving education",
    ),
    (
        "0188",
        "Inter-disciplinary programmes and qualifications involving education",
    ),
    // 02 Arts and humanities
    ("020", "Arts and humanities not further defined"),
    ("0200", "Arts and humanities not further defined"),
    ("021", "Arts"),
    ("0210", "Arts not further defined"),
    ("0211", "Audio-visual techniques and media production"),
    ("0212", "Fashion, interior and industrial design"),
    ("0213", "Fine arts"),
    ("0214", "Handicrafts"),
    ("0215", "Music and performing arts"),
    ("0219", "Arts not elsewhere classified"),
    ("022", "Humanities (except languages)"),
    ("0220", "Humanities (except languages) not further defined"),
    ("0221", "Religion and theology"),
    ("0222", "History and archaeology"),
    ("0223", "Philosophy and ethics"),
    (
        "0229",
        "Humanities (except languages) not elsewhere classified",
    ),
    ("023", "Languages"),
    ("0230", "Languages not further defined"),
    ("0231", "Language acquisition"),
    ("0232", "Literature and linguistics"),
    ("0239", "Languages not elsewhere classified"),
    (
        "028",
        "Inter-disciplinary programmes and qualifications involving arts and humanities",
    ),
    (
        "0288",
        "Inter-disciplinary programmes and qualifications involving arts and humanities",
    ),
    ("029", "Arts and humanities not elsewhere classified"),
    ("0299", "Arts and humanities not elsewhere classified"),
    // 03 Social sciences, journalism and information
    (
        "030",
        "Social sciences, journalism and information not further defined",
    ),
    (
        "0300",
        "Social sciences, journalism and information not further defined",
    ),
    ("031", "Social and behavioural sciences"),
    (
        "0310",
        "Social and behavioural sciences not further defined",
    ),
    ("0311", "Economics"),
    ("0312", "Political sciences and civics"),
    ("0313", "Psychology"),
    ("0314", "Sociology and cultural studies"),
    (
        "0319",
        "Social and behavioural sciences not elsewhere classified",
    ),
    ("032", "Journalism and information"),
    ("0320", "Journalism and information not further defined"),
    ("0321", "Journalism and reporting"),
    ("0322", "Library, information and archival studies"),
    (
        "0329",
        "Journalism and information not elsewhere classified",
    ),
    (
        "038",
        "Inter-disciplinary programmes and qualifications involving social sciences, journalism and information",
    ),
    (
        "0388",
        "Inter-disciplinary programmes and qualifications involving social sciences, journalism and information",
    ),
    (
        "039",
        "Social sciences, journalism and information not elsewhere classified",
    ),
    (
        "0399",
        "Social sciences, journalism and information not elsewhere classified",
    ),
    // 04 Business, administration and law
    (
        "040",
        "Business, administration and law not further defined",
    ),
    (
        "0400",
        "Business, administration and law not further defined",
    ),
    ("041", "Business and administration"),
    ("0410", "Business and administration not further defined"),
    ("0411", "Accounting and taxation"),
    ("0412", "Finance, banking and insurance"),
    ("0413", "Management and administration"),
    ("0414", "Marketing and advertising"),
    ("0415", "Secretarial and office work"),
    ("0416", "Wholesale and retail sales"),
    ("0417", "Work skills"),
    (
        "0419",
        "Business and administration not elsewhere classified",
    ),
    ("042", "Law"),
    ("0421", "Law"),
    (
        "048",
        "Inter-disciplinary programmes and qualifications involving business, administration and law",
    ),
    (
        "0488",
        "Inter-disciplinary programmes and qualifications involving business, administration and law",
    ),
    (
        "049",
        "Business, administration and law not elsewhere classified",
    ),
    (
        "0499",
        "Business, administration and law not elsewhere classified",
    ),
    // 05 Natural sciences, mathematics and statistics
    (
        "050",
        "Natural sciences, mathematics and statistics not further defined",
    ),
    (
        "0500",
        "Natural sciences, mathematics and statistics not further defined",
    ),
    ("051", "Biological and related sciences"),
    (
        "0510",
        "Biological and related sciences not further defined",
    ),
    ("0511", "Biology"),
    ("0512", "Biochemistry"),
    (
        "0519",
        "Biological and related sciences not elsewhere classified",
    ),
    ("052", "Environment"),
    ("0520", "Environment not further defined"),
    ("0521", "Environmental sciences"),
    ("0522", "Natural environments and wildlife"),
    ("0529", "Environment not elsewhere classified"),
    ("053", "Physical sciences"),
    ("0530", "Physical sciences not further defined"),
    ("0531", "Chemistry"),
    ("0532", "Earth sciences"),
    ("0533", "Physics"),
    ("0539", "Physical sciences not elsewhere classified"),
    ("054", "Mathematics and statistics"),
    ("0540", "Mathematics and statistics not further defined"),
    ("0541", "Mathematics"),
    ("0542", "Statistics"),
    (
        "058",
        "Inter-disciplinary programmes and qualifications involving natural sciences, mathematics and statistics",
    ),
    (
        "0588",
        "Inter-disciplinary programmes and qualifications involving natural sciences, mathematics and statistics",
    ),
    (
        "059",
        "Natural sciences, mathematics and statistics not elsewhere classified",
    ),
    (
        "0599",
        "Natural sciences, mathematics and statistics not elsewhere classified",
    ),
    // 06 Information and Communication Technologies (ICTs)
    ("061", "Information and Communication Technologies (ICTs)"),
    (
        "0610",
        "Information and Communication Technologies (ICTs) not further defined",
    ),
    ("0611", "Computer use"),
    ("0612", "Database and network design and administration"),
    ("0613", "Software and applications development and analysis"),
    (
        "0619",
        "Information and Communication Technologies (ICTs) not elsewhere classified",
    ),
    (
        "068",
        "Inter-disciplinary programmes and qualifications involving Information and Communication Technologies (ICTs)",
    ),
    (
        "0688",
        "Inter-disciplinary programmes and qualifications involving Information and Communication Technologies (ICTs)",
    ),
    // 07 Engineering, manufacturing and construction
    (
        "070",
        "Engineering, manufacturing and construction not further defined",
    ),
    (
        "0700",
        "Engineering, manufacturing and construction not further defined",
    ),
    ("071", "Engineering and engineering trades"),
    (
        "0710",
        "Engineering and engineering trades not further defined",
    ),
    ("0711", "Chemical engineering and processes"),
    ("0712", "Environmental protection technology"),
    ("0713", "Electricity and energy"),
    ("0714", "Electronics and automation"),
    ("0715", "Mechanics and metal trades"),
    ("0716", "Motor vehicles, ships and aircraft"),
    (
        "0719",
        "Engineering and engineering trades not elsewhere classified",
    ),
    ("072", "Manufacturing and processing"),
    ("0720", "Manufacturing and processing not further defined"),
    ("0721", "Food processing"),
    ("0722", "Materials (glass, paper, plastic and wood)"),
    ("0723", "Textiles (clothes, footwear and leather)"),
    ("0724", "Mining and extraction"),
    (
        "0729",
        "Manufacturing and processing not elsewhere classified",
    ),
    ("073", "Architecture and construction"),
    ("0730", "Architecture and construction not further defined"),
    ("0731", "Architecture and town planning"),
    ("0732", "Building and civil engineering"),
    (
        "078",
        "Inter-disciplinary programmes and qualifications involving engineering, manufacturing and construction",
    ),
    (
        "0788",
        "Inter-disciplinary programmes and qualifications involving engineering, manufacturing and construction",
    ),
    (
        "079",
        "Engineering, manufacturing and construction not elsewhere classified",
    ),
    (
        "0799",
        "Engineering, manufacturing and construction not elsewhere classified",
    ),
    // 08 Agriculture, forestry, fisheries and veterinary
    (
        "080",
        "Agriculture, forestry, fisheries and veterinary not further defined",
    ),
    (
        "0800",
        "Agriculture, forestry, fisheries and veterinary not further defined",
    ),
    ("081", "Agriculture"),
    ("0810", "Agriculture not further defined"),
    ("0811", "Crop and livestock production"),
    ("0812", "Horticulture"),
    ("0819", "Agriculture not elsewhere classified"),
    ("082", "Forestry"),
    ("0821", "Forestry"),
    ("083", "Fisheries"),
    ("0831", "Fisheries"),
    ("084", "Veterinary"),
    ("0841", "Veterinary"),
    (
        "088",
        "Inter-disciplinary programmes and qualifications involving agriculture, forestry, fisheries and veterinary",
    ),
    (
        "0888",
        "Inter-disciplinary programmes and qualifications involving agriculture, forestry, fisheries and veterinary",
    ),
    (
        "089",
        "Agriculture, forestry, fisheries and veterinary not elsewhere classified",
    ),
    (
        "0899",
        "Agriculture, forestry, fisheries and veterinary not elsewhere classified",
    ),
    // 09 Health and welfare
    ("090", "Health and welfare not further defined"),
    ("0900", "Health and welfare not further defined"),
    ("091", "Health"),
    ("0910", "Health not further defined"),
    ("0911", "Dental studies"),
    ("0912", "Medicine"),
    ("0913", "Nursing and midwifery"),
    ("0914", "Medical diagnostic and treatment technology"),
    ("0915", "Therapy and rehabilitation"),
    ("0916", "Pharmacy"),
    ("0917", "Traditional and complementary medicine and therapy"),
    ("0919", "Health not elsewhere classified"),
    ("092", "Welfare"),
    ("0920", "Welfare not further defined"),
    ("0921", "Care of the elderly and of disabled adults"),
    ("0922", "Child care and youth services"),
    ("0923", "Social work and counselling"),
    ("0929", "Welfare not elsewhere classified"),
    (
        "098",
        "Inter-disciplinary programmes and qualifications involving health and welfare",
    ),
    (
        "0988",
        "Inter-disciplinary programmes and qualifications involving health and welfare",
    ),
    ("099", "Health and welfare not elsewhere classified"),
    ("0999", "Health and welfare not elsewhere classified"),
    // 10 Services
    ("100", "Services not further defined"),
    ("1000", "Services not further defined"),
    ("101", "Personal services"),
    ("1010", "Personal services not further defined"),
    ("1011", "Domestic services"),
    ("1012", "Hair and beauty services"),
    ("1013", "Hotel, restaurants and catering"),
    ("1014", "Sports"),
    ("1015", "Travel, tourism and leisure"),
    ("1019", "Personal services not elsewhere classified"),
    ("102", "Hygiene and occupational health services"),
    (
        "1020",
        "Hygiene and occupational health services not further defined",
    ),
    ("1021", "Community sanitation"),
    ("1022", "Occupational health and safety"),
    (
        "1029",
        "Hygiene and occupational health services not elsewhere classified",
    ),
    ("103", "Security services"),
    ("1030", "Security services not further defined"),
    ("1031", "Military and defence"),
    ("1032", "Protection of persons and property"),
    ("1039", "Security services not elsewhere classified"),
    ("104", "Transport services"),
    ("1041", "Transport services"),
    (
        "108",
        "Inter-disciplinary programmes and qualifications involving services",
    ),
    (
        "1088",
        "Inter-disciplinary programmes and qualifications involving services",
    ),
    ("109", "Services not elsewhere classified"),
    ("1099", "Services not elsewhere classified"),
    // 99 Field unknown
    ("999", "Field unknown"),
    ("9999", "Field unknown"),
];

/// ISCED-F 2013 broad fields (2 digits), for messages: they are too coarse for `isced_f`.
pub static ISCED_F_BROAD: &[(&str, &str)] = &[
    ("00", "Generic programmes and qualifications"),
    ("01", "Education"),
    ("02", "Arts and humanities"),
    ("03", "Social sciences, journalism and information"),
    ("04", "Business, administration and law"),
    ("05", "Natural sciences, mathematics and statistics"),
    ("06", "Information and Communication Technologies (ICTs)"),
    ("07", "Engineering, manufacturing and construction"),
    ("08", "Agriculture, forestry, fisheries and veterinary"),
    ("09", "Health and welfare"),
    ("10", "Services"),
    ("99", "Field unknown"),
];

/// The English label of a narrow (3-digit) or detailed (4-digit) ISCED-F 2013 code.
pub fn isced_f_label(code: &str) -> Option<&'static str> {
    ISCED_F_2013
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
}

/// Says what is wrong with an ISCED-F value, or `None` for a known 3- or 4-digit code.
/// Shared with the JP profile, whose `degree.isced_f` uses the same classification.
pub(crate) fn isced_f_problem(value: &Value) -> Option<String> {
    let Some(code) = value.as_str() else {
        return Some(format!(
            "found {}; expected an ISCED-F 2013 code as a string (leading zeros matter: \"0613\")",
            describe(value)
        ));
    };
    if !code.bytes().all(|b| b.is_ascii_digit()) || code.is_empty() {
        let tail = code.rsplit('/').next().unwrap_or(code);
        let hint = if tail != code && isced_f_label(tail).is_some() {
            format!(" (the ELM thematicArea URI ends in the code: use \"{tail}\")")
        } else {
            String::new()
        };
        return Some(format!(
            "found \"{code}\"; expected a 3- or 4-digit ISCED-F 2013 code{hint}"
        ));
    }
    if code.len() == 2 {
        let label = ISCED_F_BROAD
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("unknown", |(_, l)| *l);
        return Some(format!(
            "found the 2-digit broad field \"{code}\" ({label}); expected a narrow (3-digit) or detailed (4-digit) ISCED-F 2013 code"
        ));
    }
    if !(3..=4).contains(&code.len()) {
        return Some(format!(
            "found \"{code}\" ({} digits); expected a 3- or 4-digit ISCED-F 2013 code",
            code.len()
        ));
    }
    if isced_f_label(code).is_none() {
        return Some(format!(
            "found \"{code}\", which is not a field in ISCED-F 2013; expected a narrow or detailed code such as \"0613\" (Software and applications development and analysis)"
        ));
    }
    None
}

/// Checks a full EU diploma claim set (at issuance, or with everything disclosed). See the
/// module docs for the rules.
pub fn validate(claims: &Map<String, Value>) -> Vec<Violation> {
    validate_as(claims, ClaimSet::Full)
}

/// Checks the claims of a presentation: the same rules, but a selectively disclosable claim
/// the holder did not disclose is not reported missing.
pub fn validate_presented(claims: &Map<String, Value>) -> Vec<Violation> {
    validate_as(claims, ClaimSet::Presented)
}

/// Checks `claims` read as `set`.
pub fn validate_as(claims: &Map<String, Value>, set: ClaimSet) -> Vec<Violation> {
    let mut out = Vec::new();
    check_required(claims, set, &mut out);
    check_eqf(claims, &mut out);
    check_isced_f(claims, &mut out);
    check_credits(claims, &mut out);
    check_dates(claims, &mut out);
    check_grade(claims, &mut out);
    // Names, titles and every other string are NFC.
    super::check_nfc(claims, &catalogue::PROFILE_EUDIPLOMA_NAMES_NFC, &mut out);
    out
}

/// The mandatory claims of domain (a): [`catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS`].
///
/// Presence and shape (language maps, `awarding_body`, `iss`, `vct`); value rules of EQF and
/// dates have their own requirements.
fn check_required(claims: &Map<String, Value>, set: ClaimSet, out: &mut Vec<Violation>) {
    let req = &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS;
    match claims.get("vct") {
        Some(Value::String(v)) if v == EU_DIPLOMA_VCT => {}
        Some(v) => out.push(
            Violation::new(
                req,
                format!(
                    "`vct` is {}; the EU diploma profile expects \"{EU_DIPLOMA_VCT}\"",
                    describe(v)
                ),
            )
            .at("vct"),
        ),
        None => out.push(
            Violation::new(
                req,
                format!("`vct` is missing; expected \"{EU_DIPLOMA_VCT}\""),
            )
            .at("vct"),
        ),
    }
    for (path, problem) in mandatory_claim_problems(claims, set) {
        out.push(Violation::new(req, problem).at(path));
    }
}

/// Problems with the EU mandatory claims other than `vct`, as `(path, message)`. Also used to
/// decide whether a JP degree may carry `aka_vcts: ["urn:eudi:diploma:1"]` (domain (a)).
pub(crate) fn mandatory_claim_problems(
    claims: &Map<String, Value>,
    set: ClaimSet,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // In a presentation, only claims that are never selectively disclosable must be there.
    let missing = |path: &str, what: &str| {
        set.requires(path, "awarding_body").then(|| {
            (
                path.to_owned(),
                format!(
                    "`{path}` is missing; an EU diploma requires {what} (domain (a), EUHED mandatory set)"
                ),
            )
        })
    };
    match claims.get("iss") {
        None => out.extend(missing("iss", "the issuer identifier, an HTTPS URL")),
        Some(Value::String(s)) if is_https_url(s) => {}
        Some(v) => out.push((
            "iss".to_owned(),
            format!(
                "`iss` is {}; expected an HTTPS URL (domain (a) common envelope)",
                describe(v)
            ),
        )),
    }
    for name in ["family_name", "given_name"] {
        match claims.get(name) {
            None => out.extend(missing(name, "the holder's name")),
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(v) => out.push((
                name.to_owned(),
                format!("`{name}` is {}; expected a non-empty string", describe(v)),
            )),
        }
    }
    for name in ["birthdate", "awarding_date"] {
        if !claims.contains_key(name) {
            out.extend(missing(name, "a full-date"));
        }
    }
    match claims.get("qualification") {
        None => {
            out.extend(missing(
                "qualification.title",
                "the qualification title as a language map",
            ));
            out.extend(missing("qualification.eqf_level", "the EQF level"));
        }
        Some(Value::Object(q)) => {
            match q.get("title") {
                None => out.extend(missing(
                    "qualification.title",
                    "the qualification title as a language map",
                )),
                Some(t) => {
                    if let Some(p) = lang_map_problem(t) {
                        out.push((
                            "qualification.title".to_owned(),
                            format!("`qualification.title`: {p}"),
                        ));
                    }
                }
            }
            if !q.contains_key("eqf_level") {
                out.extend(missing("qualification.eqf_level", "the EQF level"));
            }
        }
        Some(v) => out.push((
            "qualification".to_owned(),
            format!(
                "`qualification` is {}; expected an object with title and eqf_level",
                describe(v)
            ),
        )),
    }
    match claims.get("awarding_body") {
        None => out.extend(missing(
            "awarding_body",
            "the awarding body {legal_name, country}",
        )),
        Some(Value::Object(body)) => {
            match body.get("legal_name") {
                None => out.extend(missing(
                    "awarding_body.legal_name",
                    "the awarding body's legal name as a language map",
                )),
                Some(n) => {
                    if let Some(p) = lang_map_problem(n) {
                        out.push((
                            "awarding_body.legal_name".to_owned(),
                            format!("`awarding_body.legal_name`: {p}"),
                        ));
                    }
                }
            }
            match body.get("country") {
                None => out.extend(missing("awarding_body.country", "the awarding body's country (ISO 3166-1 alpha-2)")),
                Some(Value::String(c)) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => {}
                Some(v) => out.push((
                    "awarding_body.country".to_owned(),
                    format!(
                        "`awarding_body.country` is {}; expected an upper-case ISO 3166-1 alpha-2 code such as \"BE\"",
                        describe(v)
                    ),
                )),
            }
            if let Some(ids) = body.get("ids")
                && !ids.as_array().is_some_and(|a| {
                    a.iter().all(|id| {
                        id.get("scheme").and_then(Value::as_str).is_some()
                            && id.get("value").and_then(Value::as_str).is_some()
                    })
                })
            {
                out.push((
                    "awarding_body.ids".to_owned(),
                    format!(
                        "`awarding_body.ids` is {}; expected an array of {{scheme, value}} strings",
                        describe(ids)
                    ),
                ));
            }
        }
        Some(v) => out.push((
            "awarding_body".to_owned(),
            format!(
                "`awarding_body` is {}; expected an object {{legal_name, country, ids}}",
                describe(v)
            ),
        )),
    }
    out
}

/// `qualification.eqf_level` is an integer 1–8: [`catalogue::PROFILE_EUDIPLOMA_EQF`].
fn check_eqf(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    let Some(v) = lookup(claims, "qualification.eqf_level") else {
        return;
    };
    let problem = match v {
        Value::Number(n) => match n.as_u64() {
            Some(1..=8) => None,
            Some(other) => Some(format!("found {other}; EQF levels run from 1 to 8")),
            None => Some(format!("found {n}; expected an integer from 1 to 8")),
        },
        Value::String(s) => {
            let tail = s.rsplit('/').next().unwrap_or(s);
            let hint = match tail.parse::<u8>() {
                Ok(n @ 1..=8) if s.contains("/eqf/") => {
                    format!(" (ELM's eqfLevel URI form; give the integer {n})")
                }
                Ok(n @ 1..=8) => format!(" (give the integer {n}, not a string)"),
                _ => String::new(),
            };
            Some(format!(
                "found the string \"{s}\"; expected an integer from 1 to 8{hint}"
            ))
        }
        other => Some(format!(
            "found {}; expected an integer from 1 to 8",
            describe(other)
        )),
    };
    if let Some(p) = problem {
        out.push(
            Violation::new(
                &catalogue::PROFILE_EUDIPLOMA_EQF,
                format!("`qualification.eqf_level`: {p}"),
            )
            .at("qualification.eqf_level"),
        );
    }
}

/// `qualification.isced_f`, when present, is an ISCED-F 2013 code:
/// [`catalogue::PROFILE_EUDIPLOMA_ISCED_F`].
fn check_isced_f(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    if let Some(v) = lookup(claims, "qualification.isced_f")
        && let Some(p) = isced_f_problem(v)
    {
        out.push(
            Violation::new(
                &catalogue::PROFILE_EUDIPLOMA_ISCED_F,
                format!("`qualification.isced_f`: {p}"),
            )
            .at("qualification.isced_f"),
        );
    }
}

/// `qualification.credits`, when present, is `{system: "ECTS", value: number > 0}`:
/// [`catalogue::PROFILE_EUDIPLOMA_CREDITS`]. A credits object without a system, or in another
/// system, is a violation: credits are never relabelled or converted (domain (b)).
fn check_credits(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    let Some(v) = lookup(claims, "qualification.credits") else {
        return;
    };
    let req = &catalogue::PROFILE_EUDIPLOMA_CREDITS;
    let at = "qualification.credits";
    let Some(credits) = v.as_object() else {
        let hint = if v.is_number() {
            " (a bare number says nothing about its credit system)"
        } else {
            ""
        };
        out.push(
            Violation::new(
                req,
                format!(
                    "`{at}` is {}; expected {{\"system\": \"ECTS\", \"value\": <number>}}{hint}",
                    describe(v)
                ),
            )
            .at(at),
        );
        return;
    };
    match credits.get("system") {
        Some(Value::String(s)) if s == "ECTS" => {}
        None => out.push(
            Violation::new(req, format!("`{at}` has no `system`; expected \"ECTS\" (credits without their system cannot be read)"))
                .at(format!("{at}.system")),
        ),
        Some(other) => {
            let hint = if other.as_str() == Some("JP-tanni") {
                "; JP 単位 are never relabelled or converted to ECTS (domain (b))"
            } else {
                ""
            };
            out.push(
                Violation::new(req, format!("`{at}.system` is {}; the EU diploma profile expects \"ECTS\"{hint}", describe(other)))
                    .at(format!("{at}.system")),
            );
        }
    }
    match credits.get("value") {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|x| x.is_finite() && x > 0.0) => {}
        Some(Value::Number(n)) => out.push(
            Violation::new(req, format!("`{at}.value` is {n}; expected a number greater than 0")).at(format!("{at}.value")),
        ),
        Some(Value::String(s)) => out.push(
            Violation::new(
                req,
                format!("`{at}.value` is the string \"{s}\" (as ELM creditPoint.point); expected a JSON number"),
            )
            .at(format!("{at}.value")),
        ),
        Some(other) => out.push(
            Violation::new(req, format!("`{at}.value` is {}; expected a number greater than 0", describe(other)))
                .at(format!("{at}.value")),
        ),
        None => out.push(
            Violation::new(req, format!("`{at}` has no `value`; expected a number greater than 0")).at(format!("{at}.value")),
        ),
    }
}

/// `birthdate` and `awarding_date` are Gregorian full-dates, never date-times or era dates:
/// [`catalogue::PROFILE_EUDIPLOMA_DATES`] (domain checks #26, #30).
fn check_dates(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    for name in ["birthdate", "awarding_date"] {
        if let Some(v) = claims.get(name)
            && let Some(p) = date_problem(v)
        {
            out.push(
                Violation::new(
                    &catalogue::PROFILE_EUDIPLOMA_DATES,
                    format!("`{name}`: {p}"),
                )
                .at(name),
            );
        }
    }
}

/// `grade`, when present, is `{value, scheme_uri}`: a grade travels with its scheme
/// ([`catalogue::MRA_EUJP_GRADES_SCHEME`], domain (b) grades row).
fn check_grade(claims: &Map<String, Value>, out: &mut Vec<Violation>) {
    let Some(v) = claims.get("grade") else {
        return;
    };
    let req = &catalogue::MRA_EUJP_GRADES_SCHEME;
    let Some(grade) = v.as_object() else {
        out.push(
            Violation::new(
                req,
                format!(
                    "`grade` is {}; expected {{\"value\": <string>, \"scheme_uri\": <string>}}",
                    describe(v)
                ),
            )
            .at("grade"),
        );
        return;
    };
    for field in ["value", "scheme_uri"] {
        match grade.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(other) => out.push(
                Violation::new(
                    req,
                    format!(
                        "`grade.{field}` is {}; expected a non-empty string",
                        describe(other)
                    ),
                )
                .at(format!("grade.{field}")),
            ),
            None => {
                let why = if field == "scheme_uri" {
                    "a grade is meaningless without its grading scheme"
                } else {
                    "expected a non-empty string"
                };
                out.push(
                    Violation::new(req, format!("`grade.{field}` is missing; {why}"))
                        .at(format!("grade.{field}")),
                );
            }
        }
    }
}

/// The example diploma sealed as a university's sealing service seals it: its claims as a
/// JSON payload signed as it is (JAdES JSON serialisation, `b64: false`, `iat`, `cty`
/// `application/json`) by `provider`'s seal at `at`, at `level`, time-stamped from level T by
/// `tsa` (nonces from `entropy`). `x5t_of`, a fault for the features: name that certificate in
/// `x5t#S256` instead of the signer's.
pub fn sealed_example(
    provider: &crate::trust::tsp_pki::SealProvider,
    at: i64,
    level: crate::trust::ades::Level,
    tsa: &crate::trust::tsp::Tsa,
    entropy: &std::cell::RefCell<dyn crate::entropy::Entropy + '_>,
    x5t_of: Option<&[u8]>,
) -> Result<String, crate::formats::jades::JadesError> {
    let payload = serde_json::to_vec(&Value::Object(example_claims()))
        .map_err(|e| crate::formats::jades::JadesError::Json(e.to_string()))?;
    seal_as_university(
        provider,
        &payload,
        "application/json",
        at,
        level,
        tsa,
        entropy,
        x5t_of,
    )
}

/// `payload` sealed by `provider` at `at` as a university's sealing service seals a JSON
/// document (JAdES JSON serialisation, `b64: false`, `iat`, `cty` `content_type`) at
/// `level`, time-stamped from level T by `tsa` (nonces from `entropy`); `x5t_of` names another
/// certificate in `x5t#S256` (a fault for the features).
#[allow(clippy::too_many_arguments)]
pub fn seal_as_university(
    provider: &crate::trust::tsp_pki::SealProvider,
    payload: &[u8],
    content_type: &str,
    at: i64,
    level: crate::trust::ades::Level,
    tsa: &crate::trust::tsp::Tsa,
    entropy: &std::cell::RefCell<dyn crate::entropy::Entropy + '_>,
    x5t_of: Option<&[u8]>,
) -> Result<String, crate::formats::jades::JadesError> {
    use crate::formats::jades::{self, SealRequest, Serialization, SigningTimeHeader};
    let stamper = jades::tsa_stamper(tsa, entropy);
    let chain = vec![provider.leaf.cert_der.clone(), provider.ca.cert_der.clone()];
    jades::seal(&SealRequest {
        payload,
        detached: false,
        unencoded: true,
        key: &provider.leaf.key,
        chain: &chain,
        signing_time: at,
        time_header: SigningTimeHeader::Iat,
        level,
        serialization: Serialization::Json,
        stamper: Some(&stamper),
        content_type: Some(content_type),
        x5t_of,
    })
}

/// A master's diploma from a fictional Flemish university in the style of KU Leuven
/// (Universiteit Dijleland, on the river Dijle). It validates cleanly. The envelope claims
/// set at issuance (`iat`, `cnf`, `status`) are not included.
pub fn example_claims() -> Map<String, Value> {
    let v = json!({
        "iss": "https://diploma.dijleland.example",
        "vct": EU_DIPLOMA_VCT,
        "family_name": "Peeters",
        "given_name": "Lotte Émilie",
        "birthdate": "2000-03-14",
        "qualification": {
            "title": {
                "nl": "Master of Science in de ingenieurswetenschappen: computerwetenschappen",
                "en": "Master of Science in Engineering: Computer Science"
            },
            "eqf_level": 7,
            "nqf_level": "https://vks.dijleland.example/niveau/7",
            "isced_f": "0613",
            "credits": {"system": "ECTS", "value": 120}
        },
        "awarding_body": {
            "legal_name": {
                "nl": "Universiteit Dijleland",
                "en": "University of Dijleland"
            },
            "country": "BE",
            "ids": [{"scheme": "erasmus-code", "value": "B DIJLE01"}]
        },
        "awarding_date": "2024-07-05",
        "grade": {
            "value": "Grote onderscheiding (magna cum laude)",
            "scheme_uri": "https://diploma.dijleland.example/grading/vl-graden-2023"
        },
        "entitlements": [
            "Access to third-cycle (doctoral) programmes, EQF level 8"
        ],
        "diploma_supplement_uri": "https://diploma.dijleland.example/ds/2024/r0812345"
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

    fn ids(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(|x| x.requirement.id).collect()
    }

    fn only(v: &[Violation], req: &Requirement, at: &str) {
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].requirement.id, req.id, "{v:#?}");
        assert_eq!(v[0].location.as_deref(), Some(at), "{v:#?}");
    }

    fn q(c: &mut Map<String, Value>) -> &mut Map<String, Value> {
        c.get_mut("qualification").unwrap().as_object_mut().unwrap()
    }

    #[test]
    fn example_is_clean() {
        assert_eq!(validate(&example_claims()), vec![]);
    }

    #[test]
    fn isced_table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for (code, label) in ISCED_F_2013 {
            assert!(seen.insert(*code), "duplicate {code}");
            assert!(matches!(code.len(), 3 | 4) && code.bytes().all(|b| b.is_ascii_digit()));
            assert!(!label.is_empty());
            // Every detailed field sits under a narrow field in the table, and every narrow
            // field under a broad one.
            let parent = &code[..code.len() - 1];
            if code.len() == 4 {
                assert!(
                    isced_f_label(parent).is_some(),
                    "{code} has no narrow field {parent}"
                );
            } else {
                assert!(
                    ISCED_F_BROAD.iter().any(|(b, _)| b == &parent),
                    "{code} has no broad field"
                );
            }
        }
        let detailed = ISCED_F_2013.iter().filter(|(c, _)| c.len() == 4).count();
        assert!(detailed >= 80, "{detailed} detailed fields");
        // Every narrow field has at least one detailed field.
        for (code, _) in ISCED_F_2013.iter().filter(|(c, _)| c.len() == 3) {
            assert!(
                ISCED_F_2013
                    .iter()
                    .any(|(d, _)| d.len() == 4 && d.starts_with(code)),
                "{code}"
            );
        }
        assert_eq!(
            isced_f_label("0688"),
            Some(ISCED_F_2013.iter().find(|(c, _)| *c == "068").unwrap().1)
        );
        assert_eq!(
            isced_f_label("061"),
            Some("Information and Communication Technologies (ICTs)")
        );
        assert_eq!(
            isced_f_label("0613"),
            Some("Software and applications development and analysis")
        );
        assert_eq!(isced_f_label("0549"), None);
        assert_eq!(isced_f_label("010"), None);
    }

    #[test]
    fn missing_required_claims() {
        for claim in [
            "family_name",
            "given_name",
            "birthdate",
            "awarding_date",
            "iss",
            "vct",
            "awarding_body",
        ] {
            let v = with(|c| {
                c.remove(claim);
            });
            only(&v, &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS, claim);
            assert!(v[0].message.contains("missing"), "{}", v[0].message);
        }
        let v = with(|c| {
            q(c).remove("title");
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "qualification.title",
        );
        let v = with(|c| {
            q(c).remove("eqf_level");
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "qualification.eqf_level",
        );
        let v = with(|c| {
            c.remove("qualification");
        });
        assert_eq!(ids(&v), ["PROFILE-EUDIPLOMA-a-required-claims"; 2]);
    }

    #[test]
    fn optional_claims_may_be_absent() {
        let v = with(|c| {
            for k in ["grade", "entitlements", "diploma_supplement_uri"] {
                c.remove(k);
            }
            for k in ["isced_f", "credits", "nqf_level"] {
                q(c).remove(k);
            }
        });
        assert_eq!(v, vec![]);
    }

    #[test]
    fn shapes_of_required_claims() {
        let v = with(|c| {
            c.insert("vct".into(), json!("urn:eudi:pid:1"));
        });
        only(&v, &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS, "vct");
        assert!(v[0].message.contains("urn:eudi:pid:1") && v[0].message.contains(EU_DIPLOMA_VCT));
        let v = with(|c| {
            c.insert("iss".into(), json!("http://diploma.dijleland.example"));
        });
        only(&v, &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS, "iss");
        let v = with(|c| {
            q(c).insert("title".into(), json!("Master of Science"));
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "qualification.title",
        );
        assert!(v[0].message.contains("language map"));
        let v = with(|c| {
            q(c).insert("title".into(), json!({"english": "Master"}));
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "qualification.title",
        );
        let v = with(|c| {
            c["awarding_body"]["country"] = json!("be");
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "awarding_body.country",
        );
        assert!(v[0].message.contains("\"BE\""));
        let v = with(|c| {
            c["awarding_body"]["country"] = json!("BEL");
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "awarding_body.country",
        );
        let v = with(|c| {
            c["awarding_body"]
                .as_object_mut()
                .unwrap()
                .remove("legal_name");
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "awarding_body.legal_name",
        );
        let v = with(|c| {
            c["awarding_body"]["ids"] = json!(["B DIJLE01"]);
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "awarding_body.ids",
        );
        let v = with(|c| {
            c.insert("given_name".into(), json!(""));
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
            "given_name",
        );
    }

    #[test]
    fn eqf_level() {
        for ok in [1, 5, 8] {
            assert_eq!(
                with(|c| {
                    q(c).insert("eqf_level".into(), json!(ok));
                }),
                vec![]
            );
        }
        for (bad, needle) in [
            (json!(0), "1 to 8"),
            (json!(9), "1 to 8"),
            (json!(-1), "integer"),
            (json!(6.5), "integer"),
            (json!("6"), "give the integer 6"),
            (json!("http://data.europa.eu/snb/eqf/6"), "eqfLevel URI"),
            (json!(null), "null"),
        ] {
            let v = with(|c| {
                q(c).insert("eqf_level".into(), bad.clone());
            });
            only(
                &v,
                &catalogue::PROFILE_EUDIPLOMA_EQF,
                "qualification.eqf_level",
            );
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
    }

    #[test]
    fn isced_f() {
        for ok in ["0688", "061", "0613", "0421", "1041", "9999", "0000"] {
            assert_eq!(
                with(|c| {
                    q(c).insert("isced_f".into(), json!(ok));
                }),
                vec![],
                "{ok}"
            );
        }
        for (bad, needle) in [
            (json!("06"), "broad field"),
            (json!("0549"), "not a field"),
            (json!("0739"), "not a field"),
            (json!("010"), "not a field"),
            (json!("06131"), "5 digits"),
            (json!(613), "as a string"),
            (
                json!("http://data.europa.eu/snb/isced-f/0688"),
                "use \"0688\"",
            ),
            (json!("ICT"), "3- or 4-digit"),
        ] {
            let v = with(|c| {
                q(c).insert("isced_f".into(), bad.clone());
            });
            only(
                &v,
                &catalogue::PROFILE_EUDIPLOMA_ISCED_F,
                "qualification.isced_f",
            );
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
    }

    #[test]
    fn credits() {
        assert_eq!(
            with(|c| {
                q(c).insert("credits".into(), json!({"system": "ECTS", "value": 7.5}));
            }),
            vec![]
        );
        for (bad, at, needle) in [
            (
                json!({"value": 120}),
                "qualification.credits.system",
                "no `system`",
            ),
            (
                json!({"system": "JP-tanni", "value": 124}),
                "qualification.credits.system",
                "never relabelled",
            ),
            (
                json!({"system": "ects", "value": 120}),
                "qualification.credits.system",
                "\"ECTS\"",
            ),
            (
                json!({"system": "ECTS", "value": "120"}),
                "qualification.credits.value",
                "creditPoint",
            ),
            (
                json!({"system": "ECTS", "value": 0}),
                "qualification.credits.value",
                "greater than 0",
            ),
            (
                json!({"system": "ECTS", "value": -30}),
                "qualification.credits.value",
                "greater than 0",
            ),
            (
                json!({"system": "ECTS"}),
                "qualification.credits.value",
                "no `value`",
            ),
            (json!(120), "qualification.credits", "bare number"),
        ] {
            let v = with(|c| {
                q(c).insert("credits".into(), bad.clone());
            });
            only(&v, &catalogue::PROFILE_EUDIPLOMA_CREDITS, at);
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
    }

    #[test]
    fn dates() {
        for (claim, bad, needle) in [
            ("birthdate", json!("2000-03-14T00:00:00+00:00"), "date-time"),
            ("awarding_date", json!("2024-07-05T00:00:00"), "date-time"),
            ("awarding_date", json!("2023-02-29"), "full-date"),
            ("awarding_date", json!("05/07/2024"), "full-date"),
            ("awarding_date", json!("令和6年7月5日"), "\"2024-07-05\""),
            ("birthdate", json!(20000314), "the number"),
        ] {
            let v = with(|c| {
                c.insert(claim.into(), bad.clone());
            });
            only(&v, &catalogue::PROFILE_EUDIPLOMA_DATES, claim);
            assert!(v[0].message.contains(needle), "{bad}: {}", v[0].message);
        }
    }

    #[test]
    fn grade() {
        let v = with(|c| {
            c["grade"].as_object_mut().unwrap().remove("scheme_uri");
        });
        only(&v, &catalogue::MRA_EUJP_GRADES_SCHEME, "grade.scheme_uri");
        let v = with(|c| {
            c["grade"]["value"] = json!(16.5);
        });
        only(&v, &catalogue::MRA_EUJP_GRADES_SCHEME, "grade.value");
        let v = with(|c| {
            c.insert("grade".into(), json!("magna cum laude"));
        });
        only(&v, &catalogue::MRA_EUJP_GRADES_SCHEME, "grade");
    }

    #[test]
    fn names_and_titles_must_be_nfc() {
        let v = with(|c| {
            c.insert("given_name".into(), json!("Lotte E\u{0301}milie"));
        });
        only(&v, &catalogue::PROFILE_EUDIPLOMA_NAMES_NFC, "given_name");
        assert!(v[0].message.contains("\\u{0301}"));
        let v = with(|c| {
            q(c).insert(
                "title".into(),
                json!({"fr": "Mai\u{0302}trise", "en": "Master"}),
            );
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_NAMES_NFC,
            "qualification.title.fr",
        );
        let v = with(|c| {
            c["awarding_body"]["legal_name"]["nl"] = json!("Universite\u{0301} Dijleland");
        });
        only(
            &v,
            &catalogue::PROFILE_EUDIPLOMA_NAMES_NFC,
            "awarding_body.legal_name.nl",
        );
    }

    #[test]
    fn violations_are_located_and_explained() {
        let mut c = example_claims();
        c.insert("birthdate".into(), json!("2000-02-30"));
        q(&mut c).insert("eqf_level".into(), json!(9));
        c.remove("iss");
        let v = validate(&c);
        assert_eq!(v.len(), 3, "{v:#?}");
        assert!(
            v.iter()
                .all(|x| x.location.is_some() && x.message.contains('`'))
        );
    }
}
