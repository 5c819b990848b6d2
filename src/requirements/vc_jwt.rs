//! Requirements of JWT-secured verifiable credentials: the W3C VC Data Model 1.1 JWT encoding
//! (clause 6.3.1, `VCDM-`; what EBSI's `jwt_vc_json` credentials follow) and the Open Badges
//! 3.0 JSON Web Token proof format (`OB3-`, clause 8.2 of the 1EdTech specification).
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published,
//! levels as the spec words them. [`ENTRIES`] lists them and [`super::catalogue::ALL`] takes
//! them in.

use super::{Level, Requirement, Role, Spec};

const HOLDERS_AND_VERIFIERS: &[Role] = &[Role::Issuer, Role::Wallet, Role::Verifier];

/// VCDM 1.1 clause 6.3.1: the credential travels in the `vc` claim.
pub static VCDM_VC_CLAIM: Requirement = Requirement {
    id: "VCDM-6.3.1-vc-claim",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "The JWT carries the credential as a JSON object in its `vc` claim",
};

/// VCDM 1.1 clause 6.3.1: `iss` represents the issuer.
pub static VCDM_ISS: Requirement = Requirement {
    id: "VCDM-6.3.1-iss",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "`iss` is the credential's issuer (its `issuer`, or `issuer.id`)",
};

/// VCDM 1.1 clause 6.3.1: `nbf` represents the issuance date.
pub static VCDM_NBF: Requirement = Requirement {
    id: "VCDM-6.3.1-nbf",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "`nbf` is the credential's issuanceDate (validFrom), and it has passed",
};

/// VCDM 1.1 clause 6.3.1: `exp` represents the expiration date.
pub static VCDM_EXP: Requirement = Requirement {
    id: "VCDM-6.3.1-exp",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "`exp`, when present, is the credential's expirationDate (validUntil), and it has not passed",
};

/// VCDM 1.1 clause 6.3.1: `jti` represents the credential's id.
pub static VCDM_JTI: Requirement = Requirement {
    id: "VCDM-6.3.1-jti",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "`jti`, when the credential has an `id`, is that id",
};

/// VCDM 1.1 clause 6.3.1: `sub` represents the subject's id.
pub static VCDM_SUB: Requirement = Requirement {
    id: "VCDM-6.3.1-sub",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "`sub`, when the credential subject has an `id`, is that id",
};

/// VCDM 1.1 clause 6.3.1 with RFC 7515 clause 5.2: the JWS verifies under the issuer's key.
pub static VCDM_SIGNATURE: Requirement = Requirement {
    id: "VCDM-6.3.1-signature",
    spec: Spec::VcJwt,
    section: "6.3.1",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "The JWS signature verifies under the issuer's public key with an asymmetric `alg`",
};

/// Open Badges 3.0 clause 8.2 (JOSE header): a `kid` to dereference or a public `jwk`, never
/// a private key, and `typ` `JWT` when present.
pub static OB3_JOSE_HEADER: Requirement = Requirement {
    id: "OB3-8.2-jose-header",
    spec: Spec::VcJwt,
    section: "8.2",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "The JOSE header names the key by `kid` or carries it as `jwk` (never with `d`); `typ`, if present, is `JWT`",
};

/// Open Badges 3.0 clause 8.2 (verify a credential): `iss`, `sub`, `nbf` and `jti` are
/// required and equal the credential's `issuer.id`, `credentialSubject.id`, issuance date and
/// `id`.
pub static OB3_REQUIRED_CLAIMS: Requirement = Requirement {
    id: "OB3-8.2-required-claims",
    spec: Spec::VcJwt,
    section: "8.2",
    level: Level::Must,
    applies_to: HOLDERS_AND_VERIFIERS,
    summary: "An Open Badge VC-JWT has `iss`, `sub`, `nbf` and `jti`, each equal to its credential's counterpart",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[
    &VCDM_VC_CLAIM,
    &VCDM_ISS,
    &VCDM_NBF,
    &VCDM_EXP,
    &VCDM_JTI,
    &VCDM_SUB,
    &VCDM_SIGNATURE,
    &OB3_JOSE_HEADER,
    &OB3_REQUIRED_CLAIMS,
];
