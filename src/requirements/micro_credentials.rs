//! Requirements of the Council Recommendation on a European approach to micro-credentials for
//! lifelong learning and employability (2022/C 243/02), Annex I: the elements that describe a
//! micro-credential. A Recommendation binds nobody, so its elements are SHOULD; Accord judges
//! an Open Badges 3.0 micro-credential against them and says which an assessor must obtain
//! elsewhere. How OB3 fields carry each element is Accord's reading, in
//! [`crate::profiles::micro_credential`].
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published.
//! [`ENTRIES`] lists them and [`super::catalogue::ALL`] takes them in.

use super::{Level, Requirement, Role, Spec};

const ISSUERS_AND_VERIFIERS: &[Role] = &[Role::Issuer, Role::Verifier];

/// Annex I, mandatory elements (a)–(k) but the level.
pub static MC_EU_MANDATORY_ELEMENTS: Requirement = Requirement {
    id: "MC-EU-Annex-I-mandatory-elements",
    spec: Spec::MicroCredentials,
    section: "Annex-I",
    level: Level::Should,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "A micro-credential states the learner, its title, the issuer's country, the awarding body, the date of issue, the learning outcomes, the notional workload (in ECTS wherever possible), the type of assessment, the form of participation and the type of quality assurance",
};

/// Annex I, mandatory element "level (and cycle) … if applicable".
pub static MC_EU_LEVEL: Requirement = Requirement {
    id: "MC-EU-Annex-I-level",
    spec: Spec::MicroCredentials,
    section: "Annex-I",
    level: Level::May,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "Where it applies, the level of the learning experience is stated on the EQF (and QF-EHEA cycle)",
};

pub static ENTRIES: &[&Requirement] = &[&MC_EU_MANDATORY_ELEMENTS, &MC_EU_LEVEL];
