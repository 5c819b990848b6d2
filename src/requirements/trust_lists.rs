//! Requirements of ETSI TS 119 612 trusted lists in their XML form (the LOTL, national lists, XAdES signatures, service status and history). Ids start `TL-TS119612-`, beside the JSON model's `TL-` entries in `catalogue`, and cite TS 119 612 V2.3.1 clauses; the XAdES baseline B entries the lists' signatures need (`XADES-EN319132-`) are here too, since trusted lists are the one place Accord reads XAdES.
//!
//! Same rules as [`super::catalogue`]: one `static` per rule, ids stable once published,
//! levels as the spec words them (ETSI "shall" is MUST). [`ENTRIES`] lists them and
//! [`super::catalogue::ALL`] takes them in.

use super::{Level, Requirement, Role, Spec};

const READERS: &[Role] = &[Role::Wallet, Role::Verifier];

/// TS 119 612 clause 5.2.1 and annex C: the root element and its tag.
pub static TL_XML_ROOT: Requirement = Requirement {
    id: "TL-TS119612-5.2.1-tsl-tag",
    spec: Spec::TrustList,
    section: "5.2.1",
    level: Level::Must,
    applies_to: READERS,
    summary: "The list is a TrustServiceStatusList in the TS 119 612 namespace with TSLTag http://uri.etsi.org/19612/TSLTag",
};

/// TS 119 612 clauses 5.3.1 to 5.3.10: the scheme information a reader needs (version 5 or
/// 6, sequence number, type, operator name, territory).
pub static TL_XML_SCHEME_INFORMATION: Requirement = Requirement {
    id: "TL-TS119612-5.3-scheme-information",
    spec: Spec::TrustList,
    section: "5.3",
    level: Level::Must,
    applies_to: READERS,
    summary: "The scheme information gives the version identifier, sequence number, TSL type, scheme operator name and scheme territory",
};

/// TS 119 612 clause 5.3.13: pointers to other lists carry the certificates that may sign
/// the list pointed to; a reader authenticates the list with them.
pub static TL_XML_PINNED_SIGNER: Requirement = Requirement {
    id: "TL-TS119612-5.3.13-pinned-signer",
    spec: Spec::TrustList,
    section: "5.3.13",
    level: Level::Must,
    applies_to: READERS,
    summary: "A list reached through a pointer (or pinned by configuration) is signed by one of the certificates the pointer gives",
};

/// TS 119 612 clause 5.3.14: the list issue date and time.
pub static TL_XML_ISSUE_TIME: Requirement = Requirement {
    id: "TL-TS119612-5.3.14-issue-time",
    spec: Spec::TrustList,
    section: "5.3.14",
    level: Level::Must,
    applies_to: READERS,
    summary: "The list gives its issue date and time (UTC), and it is not in the future",
};

/// TS 119 612 clause 5.3.15: the next update, at most six months after the issue.
pub static TL_XML_NEXT_UPDATE: Requirement = Requirement {
    id: "TL-TS119612-5.3.15-next-update",
    spec: Spec::TrustList,
    section: "5.3.15",
    level: Level::Must,
    applies_to: READERS,
    summary: "The list gives its next update; a list past it is not relied on",
};

/// TS 119 612 clause 5.5.1: the service type identifier.
pub static TL_XML_SERVICE_TYPE: Requirement = Requirement {
    id: "TL-TS119612-5.5.1-service-type",
    spec: Spec::TrustList,
    section: "5.5.1",
    level: Level::Must,
    applies_to: READERS,
    summary: "Each service gives its service type identifier",
};

/// TS 119 612 clause 5.5.3: the service digital identity.
pub static TL_XML_DIGITAL_IDENTITY: Requirement = Requirement {
    id: "TL-TS119612-5.5.3-digital-identity",
    spec: Spec::TrustList,
    section: "5.5.3",
    level: Level::Must,
    applies_to: READERS,
    summary: "Each service identifies itself by at least one X.509 certificate that parses",
};

/// TS 119 612 clauses 5.5.4 and 5.5.5: the current status and when it began.
pub static TL_XML_STATUS: Requirement = Requirement {
    id: "TL-TS119612-5.5.4-status",
    spec: Spec::TrustList,
    section: "5.5.4",
    level: Level::Must,
    applies_to: READERS,
    summary: "Each service gives its current status and the date and time it began",
};

/// TS 119 612 clause 5.6: the service history, read to know a service's status at a past
/// time.
pub static TL_XML_HISTORY: Requirement = Requirement {
    id: "TL-TS119612-5.6-history",
    spec: Spec::TrustList,
    section: "5.6",
    level: Level::Must,
    applies_to: READERS,
    summary: "Each history instance gives a status and a starting time earlier than the current status's",
};

/// TS 119 612 clause 5.7.1 and annex B: the list is signed with an enveloped XAdES
/// signature over the whole list.
pub static TL_XML_SIGNATURE: Requirement = Requirement {
    id: "TL-TS119612-5.7.1-signature",
    spec: Spec::TrustList,
    section: "5.7.1",
    level: Level::Must,
    applies_to: READERS,
    summary: "The list carries one enveloped XAdES signature whose reference covers the whole list, and it verifies",
};

/// EN 319 132-1 clause 6.3 (XAdES baseline B): the signing certificate is referenced by a
/// signed property.
pub static XADES_SIGNING_CERTIFICATE: Requirement = Requirement {
    id: "XADES-EN319132-6.3-signing-certificate",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: READERS,
    summary: "SignedProperties carry SigningCertificateV2 (or SigningCertificate) whose digest is the signer certificate's",
};

/// EN 319 132-1 clause 6.3 (XAdES baseline B): the signing time is a signed property.
pub static XADES_SIGNING_TIME: Requirement = Requirement {
    id: "XADES-EN319132-6.3-signing-time",
    spec: Spec::Ades,
    section: "6.3",
    level: Level::Must,
    applies_to: READERS,
    summary: "SignedProperties carry SigningTime, and a Reference of type SignedProperties covers them",
};

/// Every entry of this file, in the order reports list them.
pub static ENTRIES: &[&Requirement] = &[
    &TL_XML_ROOT,
    &TL_XML_SCHEME_INFORMATION,
    &TL_XML_PINNED_SIGNER,
    &TL_XML_ISSUE_TIME,
    &TL_XML_NEXT_UPDATE,
    &TL_XML_SERVICE_TYPE,
    &TL_XML_DIGITAL_IDENTITY,
    &TL_XML_STATUS,
    &TL_XML_HISTORY,
    &TL_XML_SIGNATURE,
    &XADES_SIGNING_CERTIFICATE,
    &XADES_SIGNING_TIME,
];
