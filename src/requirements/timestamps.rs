//! Requirements of RFC 3161 time-stamp tokens (`TSP-RFC3161-`), the ETSI EN 319 422 profile of
//! them (`TSP-EN319422-`), and the EN 319 102-1 judgement of a token's TSA (`ADES-EN319102-`,
//! suffixes starting `tst-`, kept here because only the time-stamp validator checks them).
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published,
//! levels as the spec words them (ETSI "shall" is MUST). [`ENTRIES`] lists them and
//! [`super::catalogue::ALL`] takes them in.
//!
//! Versions read: RFC 3161 (August 2001) with its RFC 5816 update (ESSCertIDv2); ETSI EN 319
//! 422 V1.1.1 (2016-03): clause 4 binds the client, 5 the server, 6 the TSU certificate, 7 the
//! transport; ETSI EN 319 102-1 clause 5.4 (time-stamp validation building block) and
//! clause 5.1.3 (the indications).
//!
//! Roles: a TSA is held to the rules as an `Issuer` (it issues tokens); a relying party
//! checking a token as a `Verifier`.

#[allow(unused_imports)]
use super::{Level, Requirement, Role, Spec};

const TSA_AND_VERIFIER: &[Role] = &[Role::Issuer, Role::Verifier];

/// RFC 3161 §2.4.1: `TimeStampReq` is version 1 with a `messageImprint` whose hash is as long
/// as its algorithm's output.
pub static TSP_REQUEST: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.1-request",
    spec: Spec::TimeStamp,
    section: "2.4.1",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "A time-stamp request is version 1 and its messageImprint's hash has the length of its hash algorithm's output",
};

/// RFC 3161 §2.4.1: with `certReq` true, the TSA's certificate named by the ESS attribute
/// MUST be in the token's `certificates`.
pub static TSP_CERT_REQ: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.1-cert-req",
    spec: Spec::TimeStamp,
    section: "2.4.1",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "When the request's certReq is true the token carries the TSA certificate its signing-certificate attribute names",
};

/// RFC 3161 §2.4.2: status 0 (granted) or 1 (grantedWithMods) come with a token; any other
/// status comes without one.
pub static TSP_STATUS: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-status-token",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "A response with status granted or grantedWithMods carries a token; one with any other status carries none",
};

/// RFC 3161 §2.4.2: the token is a CMS SignedData of an `id-ct-TSTInfo`, signed by the TSA
/// alone; its signature (RFC 5652 §5.4, content-type and message-digest attributes) verifies.
pub static TSP_TOKEN_SIGNATURE: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-token-signature",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The token is a SignedData of a TSTInfo with one signature, the TSA's, which verifies over its signed attributes",
};

/// RFC 3161 §2.4.2 (ESSCertID; RFC 5816 §2.2.1 allows ESSCertIDv2): the TSA certificate's
/// identifier is a signed `SigningCertificate` (or V2) attribute.
pub static TSP_SIGNING_CERTIFICATE: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-signing-certificate",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The token's signed attributes include a SigningCertificate (ESSCertID) or SigningCertificateV2 (ESSCertIDv2) naming the TSA certificate",
};

/// RFC 3161 §2.4.2: `messageImprint` has the value of the request's (the hash of the datum).
pub static TSP_MESSAGE_IMPRINT: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-message-imprint",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The token's messageImprint is the request's: the hash of the time-stamped data under the named algorithm",
};

/// RFC 3161 §2.4.2: the nonce MUST be present when the request had one, with its value.
pub static TSP_NONCE: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-nonce",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "When the request had a nonce the token carries the same nonce",
};

/// RFC 3161 §2.4.2: a requested policy is used or the request refused; the verifier's
/// constraint (a required policy) is checked against the `policy` field.
pub static TSP_POLICY: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-policy",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The token's policy is the one the request asked for (else the request is refused) and one the relying party accepts",
};

/// RFC 3161 §2.4.2: `genTime` is a GeneralizedTime in UTC (`Z`) with seconds and no trailing
/// zeros in a fraction.
pub static TSP_GEN_TIME: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-gen-time",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "genTime is a GeneralizedTime in UTC with seconds, and a fraction of a second has no trailing zeros",
};

/// RFC 3161 §2.4.2: `Accuracy` millis and micros are 1 to 999.
pub static TSP_ACCURACY: Requirement = Requirement {
    id: "TSP-RFC3161-2.4.2-accuracy",
    spec: Spec::TimeStamp,
    section: "2.4.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The accuracy's millis and micros, when present, are between 1 and 999",
};

/// RFC 3161 §2.3: the TSA certificate's extendedKeyUsage holds id-kp-timeStamping alone and
/// is critical.
pub static TSP_EKU: Requirement = Requirement {
    id: "TSP-RFC3161-2.3-eku-time-stamping",
    spec: Spec::TimeStamp,
    section: "2.3",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The TSA certificate has one critical extendedKeyUsage extension holding id-kp-timeStamping only",
};

/// RFC 3161 §3.4 as EN 319 422 clause 7 requires it: the request POSTed as
/// `application/timestamp-query`, the answer `application/timestamp-reply`.
pub static TSP_HTTP: Requirement = Requirement {
    id: "TSP-EN319422-7-http",
    spec: Spec::TimeStamp,
    section: "7",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "The protocol runs over HTTP(S) as RFC 3161 section 3.4 describes: application/timestamp-query in, application/timestamp-reply out",
};

/// EN 319 422 clause 5.2.2: the `policy` field is present (Annex A: EN 319 421's or the
/// TSA's own identifier).
pub static TSP_EN_POLICY_PRESENT: Requirement = Requirement {
    id: "TSP-EN319422-5.2.2-policy",
    spec: Spec::TimeStamp,
    section: "5.2.2",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "A token names the TSA policy it was issued under",
};

/// EN 319 422 clause 5.2.2: `accuracy` shall be present (a TSA supports at least one second).
pub static TSP_EN_ACCURACY_PRESENT: Requirement = Requirement {
    id: "TSP-EN319422-5.2.2-accuracy",
    spec: Spec::TimeStamp,
    section: "5.2.2",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "A token states its accuracy",
};

/// EN 319 422 clause 5.2.2: `ordering` absent or false.
pub static TSP_EN_ORDERING: Requirement = Requirement {
    id: "TSP-EN319422-5.2.2-ordering",
    spec: Spec::TimeStamp,
    section: "5.2.2",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "A token's ordering field is absent or false",
};

/// EN 319 422 clause 5.2.2: no extension of the token is marked critical.
pub static TSP_EN_NO_CRITICAL_EXTENSION: Requirement = Requirement {
    id: "TSP-EN319422-5.2.2-no-critical-extension",
    spec: Spec::TimeStamp,
    section: "5.2.2",
    level: Level::Must,
    applies_to: TSA_AND_VERIFIER,
    summary: "No extension of a token's TSTInfo is critical",
};

/// EN 319 102-1 clause 5.4 (time-stamp validation) with the TSA's identity taken from the
/// trusted lists (TS 119 612): the TSA certificate is a listed time-stamping service's
/// identity, in good standing at `genTime`. Not listed: INDETERMINATE /
/// NO_CERTIFICATE_CHAIN_FOUND; withdrawn at `genTime`, which only the token itself asserts:
/// INDETERMINATE / REVOKED_NO_POE (clause 5.1.3 Table 5).
pub static ADES_TST_TSA_LISTED: Requirement = Requirement {
    id: "ADES-EN319102-5.4-tst-tsa-listed",
    spec: Spec::Ades,
    section: "5.4",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A time-stamp's TSA is a listed time-stamping service in good standing at the token's genTime",
};

/// EN 319 102-1 clause 5.4 with clause 5.1.3 Table 5: a token whose `genTime` is after its
/// TSA certificate's notAfter was made with an expired certificate: TOTAL-FAILED / EXPIRED
/// (before notBefore: NOT_YET_VALID).
pub static ADES_TST_TSA_CERT_VALIDITY: Requirement = Requirement {
    id: "ADES-EN319102-5.4-tst-tsa-cert-validity",
    spec: Spec::Ades,
    section: "5.4",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A time-stamp's genTime lies within its TSA certificate's validity period",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[
    &TSP_REQUEST,
    &TSP_CERT_REQ,
    &TSP_STATUS,
    &TSP_TOKEN_SIGNATURE,
    &TSP_SIGNING_CERTIFICATE,
    &TSP_MESSAGE_IMPRINT,
    &TSP_NONCE,
    &TSP_POLICY,
    &TSP_GEN_TIME,
    &TSP_ACCURACY,
    &TSP_EKU,
    &TSP_HTTP,
    &TSP_EN_POLICY_PRESENT,
    &TSP_EN_ACCURACY_PRESENT,
    &TSP_EN_ORDERING,
    &TSP_EN_NO_CRITICAL_EXTENSION,
    &ADES_TST_TSA_LISTED,
    &ADES_TST_TSA_CERT_VALIDITY,
];
