//! Requirements of PAdES signatures (`PADES-EN319142-`: ETSI EN 319 142-1, PDF signatures
//! with CAdES, the DSS and document time-stamps, and its baseline levels B-B, B-T, B-LT,
//! B-LTA) and the steps of the EN 319 102-1 validation procedure as Accord applies them to a
//! PDF (`ADES-EN319102-…-pades-…`; the suffix keeps them apart from the JAdES and XAdES
//! entries of the same clauses).
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published,
//! levels as the spec words them (ETSI "shall" is MUST). Section numbers follow EN 319 142-1
//! V1.1.1 (2016-04) and EN 319 102-1 V1.3.1 (2021-11) as Accord's authors read them.

use super::{Level, Requirement, Role, Spec};

/// EN 319 142-1 clause 5.1 (after ISO 32000-1 clause 12.8.1, where it is only "should"):
/// the /ByteRange shall cover the entire file of the signature's revision, including the
/// signature dictionary, excluding only the /Contents value. Accord checks: two ranges, the
/// first from byte 0, the gap exactly the `<…>` hex string, the end at the `%%EOF` that ends
/// the revision the signature was added in.
pub static PADES_BYTE_RANGE: Requirement = Requirement {
    id: "PADES-EN319142-5.1-byte-range",
    spec: Spec::Ades,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "The /ByteRange covers the whole revision except the /Contents hex string",
};

/// EN 319 142-1 clause 5.1: /Contents holds the DER-encoded CMS SignedData, detached (no
/// encapsulated content), its message digest over the bytes of the /ByteRange.
pub static PADES_CONTENTS_CMS: Requirement = Requirement {
    id: "PADES-EN319142-5.1-contents-cms",
    spec: Spec::Ades,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "/Contents is a detached CMS SignedData of id-data over the byte range",
};

/// EN 319 142-1 clause 6.3, Table 1 (SubFilter row): a PAdES baseline signature's /SubFilter
/// is `ETSI.CAdES.detached`. `adbe.pkcs7.detached` is a PDF signature but not a baseline
/// PAdES one: a validation constraint not met (INDETERMINATE/SIG_CONSTRAINTS_FAILURE).
pub static PADES_SUBFILTER: Requirement = Requirement {
    id: "PADES-EN319142-6.3-subfilter",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A PAdES baseline signature's /SubFilter is ETSI.CAdES.detached",
};

/// EN 319 142-1 clause 6.3, Table 1 (ESS signing-certificate-v2 row): the signed attributes
/// name the signing certificate (signing-certificate-v2; v1 only with SHA-1).
pub static PADES_SIGNING_CERTIFICATE: Requirement = Requirement {
    id: "PADES-EN319142-6.3-signing-certificate",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "The CMS carries the ESS signing-certificate-v2 attribute naming the signer's certificate",
};

/// EN 319 142-1 clause 6.3, Table 1 (signing-time row): the CMS signing-time attribute shall
/// not be present; the claimed signing time is the signature dictionary's /M.
pub static PADES_NO_SIGNING_TIME: Requirement = Requirement {
    id: "PADES-EN319142-6.3-no-signing-time",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "No CMS signing-time attribute in a PAdES baseline signature (the claimed time is /M)",
};

/// EN 319 142-1 clause 6.3, Table 1 (/M row): the signature dictionary carries /M, the
/// claimed signing time.
pub static PADES_CLAIMED_TIME: Requirement = Requirement {
    id: "PADES-EN319142-6.3-claimed-time",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "The signature dictionary carries /M, the claimed signing time",
};

/// EN 319 142-1 clause 6.3 (B-T): a signature-time-stamp unsigned attribute over the
/// signature value, or a document time-stamp covering the signature, gives the signature a
/// trusted time.
pub static PADES_SIGNATURE_TIME_STAMP: Requirement = Requirement {
    id: "PADES-EN319142-6.3-signature-time-stamp",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "B-T: a valid signature time-stamp (or document time-stamp) proves the signature existed at its genTime",
};

/// EN 319 142-1 clause 5.4.2 (B-LT): the catalog's /DSS carries the certificates (and the
/// revocation values) needed to validate the signature.
pub static PADES_DSS: Requirement = Requirement {
    id: "PADES-EN319142-5.4.2-dss",
    spec: Spec::Ades,
    section: "5.4.2",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "B-LT: the Document Security Store holds the signer's chain and revocation values",
};

/// EN 319 142-1 clause 5.4.3 (B-LTA): a document time-stamp (/Type /DocTimeStamp, /SubFilter
/// ETSI.RFC3161, /Contents an RFC 3161 token over its /ByteRange) added after the DSS.
pub static PADES_DOCUMENT_TIME_STAMP: Requirement = Requirement {
    id: "PADES-EN319142-5.4.3-document-time-stamp",
    spec: Spec::Ades,
    section: "5.4.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "B-LTA: a document time-stamp (ETSI.RFC3161) over the file, DSS included, verifies",
};

/// EN 319 142-1 clause 5.4.1 with ISO 32000-2 clause 12.8.2.2: after a signature, later
/// incremental updates may add validation data (DSS, VRI), document time-stamps and new
/// signature fields; an update that changes what the signed revision shows (page content,
/// resources, the page tree, annotations, form values) makes the signature not cover the
/// document presented. Accord's reading: TOTAL-FAILED/HASH_FAILURE (EN 319 102-1 clause
/// 5.2.7: the data presented as signed does not match what the signature's hash covers).
pub static PADES_NO_MODIFICATION: Requirement = Requirement {
    id: "PADES-EN319142-5.4.1-no-modification",
    spec: Spec::Ades,
    section: "5.4.1",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "Updates after a signature add only validation data, document time-stamps or signature fields",
};

/// EN 319 102-1 clause 5.2.2 (format checking): the PDF and its signature dictionary can be
/// read; otherwise TOTAL-FAILED/FORMAT_FAILURE.
pub static ADES_PADES_FORMAT: Requirement = Requirement {
    id: "ADES-EN319102-5.2.2-pades-format",
    spec: Spec::Ades,
    section: "5.2.2",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The PDF and its signature dictionary are well formed (format checking)",
};

/// EN 319 102-1 clause 5.2.7 (cryptographic verification): the message digest matches the
/// byte range and the signature value verifies under the signing certificate's key.
pub static ADES_PADES_CRYPTO: Requirement = Requirement {
    id: "ADES-EN319102-5.2.7-pades-signature-value",
    spec: Spec::Ades,
    section: "5.2.7",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The CMS message digest matches the byte range and the signature value verifies",
};

/// EN 319 102-1 clause 5.2.6 (X.509 certificate validation) with the trust anchors of
/// TS 119 612 lists: the signer's chain verifies link by link and is vouched for by a listed
/// e-signature or e-seal service in good standing at the time judged (the proven signing
/// time, else the validation time).
pub static ADES_PADES_SIGNER_LISTED: Requirement = Requirement {
    id: "ADES-EN319102-5.2.6-pades-signer-listed",
    spec: Spec::Ades,
    section: "5.2.6",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The signer's chain leads to a listed e-signature/e-seal service in good standing at the time judged",
};

/// EN 319 102-1 clause 5.2.6 with Table 5: the time judged lies within the signing
/// certificate's validity (outside it with a proof of existence: EXPIRED / NOT_YET_VALID;
/// without one: OUT_OF_BOUNDS_NO_POE).
pub static ADES_PADES_CERT_VALIDITY: Requirement = Requirement {
    id: "ADES-EN319102-5.2.6-pades-cert-validity",
    spec: Spec::Ades,
    section: "5.2.6",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The signing certificate is valid at the time judged",
};

/// EN 319 102-1 clause 5.2.6 (revocation checking): Accord reads the DSS's OCSP responses
/// and CRLs but does not check them yet; a signature that carries them is reported as not
/// implemented, never as passed.
pub static ADES_PADES_REVOCATION: Requirement = Requirement {
    id: "ADES-EN319102-5.2.6-pades-revocation",
    spec: Spec::Ades,
    section: "5.2.6",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The signing certificate's revocation status is checked with the validation data",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[
    &PADES_BYTE_RANGE,
    &PADES_CONTENTS_CMS,
    &PADES_SUBFILTER,
    &PADES_SIGNING_CERTIFICATE,
    &PADES_NO_SIGNING_TIME,
    &PADES_CLAIMED_TIME,
    &PADES_SIGNATURE_TIME_STAMP,
    &PADES_DSS,
    &PADES_DOCUMENT_TIME_STAMP,
    &PADES_NO_MODIFICATION,
    &ADES_PADES_FORMAT,
    &ADES_PADES_CRYPTO,
    &ADES_PADES_SIGNER_LISTED,
    &ADES_PADES_CERT_VALIDITY,
    &ADES_PADES_REVOCATION,
];
