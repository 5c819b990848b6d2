//! Requirements of AdES signatures: the validation procedure of ETSI EN 319 102-1 (`ADES-EN319102-`) and the baseline formats JAdES (`JADES-TS119182-`), PAdES (`PADES-EN319142-`) and XAdES (`XADES-EN319132-`).
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published,
//! levels as the spec words them (ETSI "shall" is MUST). [`ENTRIES`] lists them and
//! [`super::catalogue::ALL`] takes them in.
//!
//! The EN 319 102-1 entries are the building blocks every format's validator walks (format
//! checking, identification of the signing certificate, X.509 validation, cryptographic
//! verification, time-stamp validation, past signature validation); the format files cite
//! them beside their own. Clauses are those of EN 319 102-1 V1.4.1 and TS 119 182-1 V1.2.1.

use super::{Level, Requirement, Role, Spec};

const SIGNER_AND_VALIDATOR: &[Role] = &[Role::Issuer, Role::Verifier];

/// EN 319 102-1 clause 5.2.2: format checking.
pub static ADES_FORMAT: Requirement = Requirement {
    id: "ADES-EN319102-5.2.2-format",
    spec: Spec::Ades,
    section: "5.2.2",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The signature conforms to its format's base standard; otherwise TOTAL-FAILED/FORMAT_FAILURE",
};

/// EN 319 102-1 clause 5.2.3: identification of the signing certificate.
pub static ADES_SIGNING_CERTIFICATE: Requirement = Requirement {
    id: "ADES-EN319102-5.2.3-signing-certificate",
    spec: Spec::Ades,
    section: "5.2.3",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The signing certificate is identified and matches the signed reference to it; otherwise INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND",
};

/// EN 319 102-1 clause 5.2.6: X.509 certificate validation.
pub static ADES_X509_VALIDATION: Requirement = Requirement {
    id: "ADES-EN319102-5.2.6-x509",
    spec: Spec::Ades,
    section: "5.2.6",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The signing certificate chains to a trust anchor and is within its validity at the best signature time",
};

/// EN 319 102-1 clause 5.2.6 with TS 119 612 clause 5.5.4: the trust anchor is a listed
/// service of the right type whose status at the time that matters is in good standing.
pub static ADES_TRUST_SERVICE: Requirement = Requirement {
    id: "ADES-EN319102-5.2.6-trust-service",
    spec: Spec::Ades,
    section: "5.2.6",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The chain ends at a trusted-list service of the kind required, granted (or accredited) at the best signature time",
};

/// EN 319 102-1 clause 5.2.7: cryptographic verification.
pub static ADES_CRYPTO: Requirement = Requirement {
    id: "ADES-EN319102-5.2.7-crypto",
    spec: Spec::Ades,
    section: "5.2.7",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The signature value verifies under the signing certificate's key over exactly the signed data; otherwise TOTAL-FAILED/SIG_CRYPTO_FAILURE or HASH_FAILURE",
};

/// EN 319 102-1 clause 5.4: time-stamp validation building block.
pub static ADES_TIMESTAMP: Requirement = Requirement {
    id: "ADES-EN319102-5.4-timestamp",
    spec: Spec::Ades,
    section: "5.4",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "A time-stamp counts as proof of existence only when its token validates and its TSA is a listed service in good standing at its time",
};

/// EN 319 102-1 clause 5.6.2.4 (past signature validation): with a proof of existence before
/// a revocation (here: a withdrawal of the service), the signature stays valid.
pub static ADES_PAST_SIGNATURE: Requirement = Requirement {
    id: "ADES-EN319102-5.6.2.4-past-signature",
    spec: Spec::Ades,
    section: "5.6.2.4",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "A signature whose proof of existence precedes the withdrawal of its service passes; one proven after it fails (REVOKED); without proof, INDETERMINATE/REVOKED_NO_POE",
};

/// TS 119 182-1 clause 5.1.2 with RFC 7515 clause 4.1.1: `alg`.
pub static JADES_ALG: Requirement = Requirement {
    id: "JADES-TS119182-5.1.2-alg",
    spec: Spec::Ades,
    section: "5.1.2",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The JWS Protected Header carries alg, an asymmetric algorithm the validator supports",
};

/// TS 119 182-1 clause 6.3 (the B-B header table) with RFC 7515 clause 4.1.11 and RFC 7797
/// clause 6: `crit`.
pub static JADES_CRIT: Requirement = Requirement {
    id: "JADES-TS119182-6.3-crit",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "crit is a non-empty array of distinct names present in the protected header, listing every JAdES signed component used (and b64), never a RFC 7515/7518 name, and only names the validator understands",
};

/// TS 119 182-1 clause 6.3 with RFC 7797 clauses 3 and 6: `b64: false`, the unencoded payload.
pub static JADES_B64: Requirement = Requirement {
    id: "JADES-TS119182-6.3-b64",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "With b64 false the signing input is the protected header, a dot and the payload bytes as they are, and crit lists b64",
};

/// TS 119 182-1 clause 5.1.7 (and 6.3 for B-B): one reference to the signing certificate
/// (`x5t#S256`, `x5t#o` or `sigX5ts`), and it matches the certificate.
pub static JADES_SIGNING_CERT_REF: Requirement = Requirement {
    id: "JADES-TS119182-5.1.7-x5t-s256",
    spec: Spec::Ades,
    section: "5.1.7",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "Exactly one of x5t#S256, x5t#o and sigX5ts is present and it is the digest of the signing certificate in x5c",
};

/// TS 119 182-1 clause 5.2.1 (`sigT`), 5.1.11 (`iat`) and 6.3 (a): the claimed signing time.
pub static JADES_SIGNING_TIME: Requirement = Requirement {
    id: "JADES-TS119182-5.2.1-signing-time",
    spec: Spec::Ades,
    section: "5.2.1",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "The claimed signing time is in exactly one of iat and sigT (sigT as YYYY-MM-DDThh:mm:ssZ)",
};

/// TS 119 182-1 clause 6.3 (a): from 2025-07-15 new signatures carry `iat`, not `sigT`.
pub static JADES_IAT_SINCE_2025: Requirement = Requirement {
    id: "JADES-TS119182-6.3-iat",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Should,
    applies_to: &[Role::Issuer],
    summary: "A JAdES signature claimed to be made from 2025-07-15 carries its signing time in iat rather than sigT",
};

/// TS 119 182-1 clause 5.3.1: `etsiU`.
pub static JADES_ETSIU: Requirement = Requirement {
    id: "JADES-TS119182-5.3.1-etsiu",
    spec: Spec::Ades,
    section: "5.3.1",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "etsiU is an array of unsigned components, all base64url-encoded or all in clear, each one JSON object with one member",
};

/// TS 119 182-1 clause 5.3.4: `sigTst`.
pub static JADES_SIGTST: Requirement = Requirement {
    id: "JADES-TS119182-5.3.4-sigtst",
    spec: Spec::Ades,
    section: "5.3.4",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "A sigTst time-stamp token's message imprint is computed over the base64url-encoded JWS Signature Value (one token per sigTst in B-T, clause 6.3 (c))",
};

/// TS 119 182-1 clause 5.3.5: `xVals` and `rVals`.
pub static JADES_VALIDATION_DATA: Requirement = Requirement {
    id: "JADES-TS119182-5.3.5-validation-data",
    spec: Spec::Ades,
    section: "5.3.5",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "xVals carries the certificates and rVals the revocation values needed to validate the signature (B-LT)",
};

/// TS 119 182-1 clause 5.3.6: `arcTst`.
pub static JADES_ARCTST: Requirement = Requirement {
    id: "JADES-TS119182-5.3.6-arctst",
    spec: Spec::Ades,
    section: "5.3.6",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "An arcTst token's imprint covers the payload, the protected header, the signature value and every etsiU component before it (B-LTA)",
};

/// TS 119 182-1 clause 5.2.8.1: `adoTst`.
pub static JADES_ADOTST: Requirement = Requirement {
    id: "JADES-TS119182-5.2.8.1-adotst",
    spec: Spec::Ades,
    section: "5.2.8.1",
    level: Level::Must,
    applies_to: SIGNER_AND_VALIDATOR,
    summary: "An adoTst token's imprint covers the JWS Payload, and it is not later than the signature's time-stamp",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[
    &ADES_FORMAT,
    &ADES_SIGNING_CERTIFICATE,
    &ADES_X509_VALIDATION,
    &ADES_TRUST_SERVICE,
    &ADES_CRYPTO,
    &ADES_TIMESTAMP,
    &ADES_PAST_SIGNATURE,
    &JADES_ALG,
    &JADES_CRIT,
    &JADES_B64,
    &JADES_SIGNING_CERT_REF,
    &JADES_SIGNING_TIME,
    &JADES_IAT_SINCE_2025,
    &JADES_ETSIU,
    &JADES_SIGTST,
    &JADES_VALIDATION_DATA,
    &JADES_ARCTST,
    &JADES_ADOTST,
];
