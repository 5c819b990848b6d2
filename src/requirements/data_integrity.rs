//! Requirements of Data Integrity proofs: the EdDSA cryptosuite `eddsa-rdfc-2022` (W3C Data
//! Integrity EdDSA Cryptosuites v1.0, `DI-EDDSA-`), the rules of VC Data Integrity 1.0 it
//! builds on (`DI-`), and the Open Badges 3.0 Linked Data proof format (1EdTech, clause 8.3,
//! `OB3-`).
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published,
//! levels as the spec words them. [`ENTRIES`] lists them and [`super::catalogue::ALL`] takes
//! them in.

use super::{Level, Requirement, Role, Spec};

const ISSUERS_AND_VERIFIERS: &[Role] = &[Role::Issuer, Role::Verifier];

/// VC Data Integrity 1.0 clause 4.3: "Implementations that use JSON-LD processing, such as
/// RDF Dataset Canonicalization, MUST throw an error … when data is dropped by a JSON-LD
/// processor, such as when an undefined term is detected".
pub static DI_DATA_LOSS: Requirement = Requirement {
    id: "DI-4.3-data-loss",
    spec: Spec::DataIntegrity,
    section: "4.3",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "No term of the document is dropped on its way to RDF (an undefined term is an error, not unsigned data)",
};

/// EdDSA Cryptosuites clause 2.1.1: `publicKeyMultibase` is base58-btc (`z`) of the Multikey
/// header 0xed01 and the 32-byte Ed25519 key; "Any other encoding MUST NOT be allowed".
pub static DI_EDDSA_MULTIKEY: Requirement = Requirement {
    id: "DI-EDDSA-2.1.1-multikey",
    spec: Spec::DataIntegrity,
    section: "2.1.1",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "The verification method's publicKeyMultibase is `z` + base58-btc of 0xed01 and a 32-byte Ed25519 key",
};

/// EdDSA Cryptosuites clause 2.2.1: the proof's `type` MUST be `DataIntegrityProof` and its
/// `cryptosuite` one of this specification's (here `eddsa-rdfc-2022`).
pub static DI_EDDSA_PROOF_TYPE: Requirement = Requirement {
    id: "DI-EDDSA-2.2.1-proof-type",
    spec: Spec::DataIntegrity,
    section: "2.2.1",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "The proof is a DataIntegrityProof with cryptosuite eddsa-rdfc-2022",
};

/// EdDSA Cryptosuites clause 2.2.1: `proofValue` MUST be a detached Ed25519 signature
/// (RFC 8032), base58-btc Multibase encoded.
pub static DI_EDDSA_PROOF_VALUE: Requirement = Requirement {
    id: "DI-EDDSA-2.2.1-proof-value",
    spec: Spec::DataIntegrity,
    section: "2.2.1",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "proofValue is `z` + base58-btc of a 64-byte Ed25519 signature",
};

/// EdDSA Cryptosuites clause 3.2.2 step 4: when the proof carries `@context`, the secured
/// document's `@context` starts with all of its values, in order; otherwise verification fails.
pub static DI_EDDSA_PROOF_CONTEXT: Requirement = Requirement {
    id: "DI-EDDSA-3.2.2-proof-context",
    spec: Spec::DataIntegrity,
    section: "3.2.2",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "A proof's @context is a prefix of the document's @context, in the same order",
};

/// EdDSA Cryptosuites clause 3.2.5: a `created` that is not a valid XML Schema dateTime is an
/// error.
pub static DI_EDDSA_CREATED: Requirement = Requirement {
    id: "DI-EDDSA-3.2.5-created",
    spec: Spec::DataIntegrity,
    section: "3.2.5",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "The proof's created, when present, is a valid XML Schema dateTime",
};

/// EdDSA Cryptosuites clauses 3.2.3, 3.2.4 and 3.2.7: the document and the proof
/// configuration canonicalized with RDFC-1.0, SHA-256 of each (proof configuration first),
/// and the Ed25519 signature over the 64 bytes verifies under the verification method's key.
pub static DI_EDDSA_SIGNATURE: Requirement = Requirement {
    id: "DI-EDDSA-3.2.7-signature",
    spec: Spec::DataIntegrity,
    section: "3.2.7",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "The Ed25519 signature verifies over SHA-256(canonical proof config) ‖ SHA-256(canonical document)",
};

/// Open Badges 3.0 clause 8.3: "issuers MUST use an option supported by the 1EdTech
/// conformance test suite, which is currently limited to" VC-DI-EDDSA.
pub static OB3_LDP_CRYPTOSUITE: Requirement = Requirement {
    id: "OB3-8.3-cryptosuite",
    spec: Spec::DataIntegrity,
    section: "8.3",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "An Open Badge's Linked Data proof uses the EdDSA cryptosuites (eddsa-rdfc-2022)",
};

/// Open Badges 3.0 clause 8.3.1: the proof is made "with a `proofPurpose` of
/// \"assertionMethod\"" (a step of the procedure, not a BCP 14 keyword; Accord holds it as MUST
/// because a proof made for another purpose does not assert the credential).
pub static OB3_LDP_PROOF_PURPOSE: Requirement = Requirement {
    id: "OB3-8.3.1-proof-purpose",
    spec: Spec::DataIntegrity,
    section: "8.3.1",
    level: Level::Must,
    applies_to: ISSUERS_AND_VERIFIERS,
    summary: "An Open Badge's Linked Data proof has proofPurpose assertionMethod",
};

/// Every entry of this module, in id order within each spec.
pub static ENTRIES: &[&Requirement] = &[
    &DI_DATA_LOSS,
    &DI_EDDSA_MULTIKEY,
    &DI_EDDSA_PROOF_TYPE,
    &DI_EDDSA_PROOF_VALUE,
    &DI_EDDSA_PROOF_CONTEXT,
    &DI_EDDSA_CREATED,
    &DI_EDDSA_SIGNATURE,
    &OB3_LDP_CRYPTOSUITE,
    &OB3_LDP_PROOF_PURPOSE,
];
