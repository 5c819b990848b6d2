//! Requirements of Europass Digital Credentials (EDC): the W3C VC Data Model 1.1 core a
//! credential of the European Learning Model (ELM 3) stands on, and the constraints of the
//! EDC application profiles, whose SHACL shapes (`rdf/ap/edc/` of
//! `european-commission-empl/European-Learning-Model`) are the reference. Sections are those
//! of VCDM 1.1 (`EDC-4.x-`) or say the rule is an application-profile shape's (`EDC-AP-`).
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published.
//! [`ENTRIES`] lists them and [`super::catalogue::ALL`] takes them in.

use super::{Level, Requirement, Role, Spec};

const READERS: &[Role] = &[Role::Issuer, Role::Wallet, Role::Verifier];

/// VCDM 1.1 clause 4.1: the first context is the VC context.
pub static EDC_CONTEXT: Requirement = Requirement {
    id: "EDC-4.1-context",
    spec: Spec::Edc,
    section: "4.1",
    level: Level::Must,
    applies_to: READERS,
    summary: "`@context` starts with https://www.w3.org/2018/credentials/v1",
};

/// VCDM 1.1 clause 4.3, with the ELM: the types name a verifiable and a European digital
/// credential.
pub static EDC_TYPE: Requirement = Requirement {
    id: "EDC-4.3-type",
    spec: Spec::Edc,
    section: "4.3",
    level: Level::Must,
    applies_to: READERS,
    summary: "`type` holds VerifiableCredential and EuropeanDigitalCredential",
};

/// VCDM 1.1 clauses 4.4 to 4.6: subject, issuer (with an id) and issuance date.
pub static EDC_CORE: Requirement = Requirement {
    id: "EDC-4.4-core-properties",
    spec: Spec::Edc,
    section: "4.4",
    level: Level::Must,
    applies_to: READERS,
    summary: "The credential has a credentialSubject, an issuer with an id, and an issuanceDate that parses",
};

/// EDC application profile shape `EuropeanDigitalCredentialShapeCV`: at least one
/// credential profile, a concept of the EDC credential scheme.
pub static EDC_PROFILE: Requirement = Requirement {
    id: "EDC-AP-credential-profiles",
    spec: Spec::Edc,
    section: "AP",
    level: Level::Must,
    applies_to: READERS,
    summary: "credentialProfiles holds at least one concept in scheme http://data.europa.eu/snb/credential/25831c2",
};

/// EDC application profile shape `DisplayParameterCV`: one primary language and at least one
/// available language, from the EU language authority table.
pub static EDC_DISPLAY: Requirement = Requirement {
    id: "EDC-AP-display-languages",
    spec: Spec::Edc,
    section: "AP",
    level: Level::Must,
    applies_to: READERS,
    summary: "displayParameter has exactly one primaryLanguage and at least one language, each in the EU language table",
};

/// EDC application profile shape `EvidenceShapeCV`: each evidence has one type from the EDC
/// evidence-type scheme.
pub static EDC_EVIDENCE: Requirement = Requirement {
    id: "EDC-AP-evidence-type",
    spec: Spec::Edc,
    section: "AP",
    level: Level::Must,
    applies_to: READERS,
    summary: "Each evidence has one dcType in scheme http://data.europa.eu/snb/evidence-type/25831c2",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[
    &EDC_CONTEXT,
    &EDC_TYPE,
    &EDC_CORE,
    &EDC_PROFILE,
    &EDC_DISPLAY,
    &EDC_EVIDENCE,
];
