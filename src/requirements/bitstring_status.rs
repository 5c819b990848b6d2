//! Requirements of W3C Bitstring Status List v1.0: the status entry a credential carries and
//! the status list credential it points to. Sections are the Recommendation's.
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published.
//! [`ENTRIES`] lists them and [`super::catalogue::ALL`] takes them in.

use super::{Level, Requirement, Role, Spec};

const READERS: &[Role] = &[Role::Wallet, Role::Verifier];

/// Clause 2.1: a BitstringStatusListEntry has a purpose, an index and the list's URL.
pub static BSL_ENTRY: Requirement = Requirement {
    id: "BSL-2.1-entry",
    spec: Spec::BitstringStatusList,
    section: "2.1",
    level: Level::Must,
    applies_to: READERS,
    summary: "credentialStatus of type BitstringStatusListEntry has statusPurpose, statusListIndex (a non-negative integer as a string) and statusListCredential",
};

/// Clause 2.2: the status list credential's subject is a BitstringStatusList with the same
/// purpose and an encodedList: multibase base64url (`u`) of the GZIP-compressed bitstring,
/// at least 16 KB uncompressed.
pub static BSL_LIST: Requirement = Requirement {
    id: "BSL-2.2-encoded-list",
    spec: Spec::BitstringStatusList,
    section: "2.2",
    level: Level::Must,
    applies_to: READERS,
    summary: "The list credential's subject is a BitstringStatusList of the entry's purpose whose encodedList is multibase base64url GZIP of at least 131,072 bits",
};

/// Clause 3 (the algorithms: expansion and validation): the index lies within the list, and the bit at it,
/// counted from the left-most bit, is the status.
pub static BSL_INDEX: Requirement = Requirement {
    id: "BSL-3-index",
    spec: Spec::BitstringStatusList,
    section: "3",
    level: Level::Must,
    applies_to: READERS,
    summary: "statusListIndex addresses a position inside the bitstring; index 0 is its left-most bit",
};

/// Clause 3 (validation): a verifier checks the status; a set bit of purpose `revocation` or
/// `suspension` means the credential is not to be relied on.
pub static BSL_STATUS: Requirement = Requirement {
    id: "BSL-3-status",
    spec: Spec::BitstringStatusList,
    section: "3",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A credential with a status entry is checked against its list; revoked or suspended, it is not valid, and a list that cannot be read fails the check closed",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[&BSL_ENTRY, &BSL_LIST, &BSL_INDEX, &BSL_STATUS];
