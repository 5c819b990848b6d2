//! ETSI TS 119 612 trusted lists in their XML form: the EU List of the Lists (LOTL), the
//! member states' lists it points to, and Accord's proposal of a Japanese list in the same
//! structure. Each is parsed into [`model::TrustedList`], its enveloped XAdES signature
//! verified against the certificates pinned for it ([`xades`]), and its services handed to
//! the signature and time-stamp validators as a [`crate::trust::services::ServiceDirectory`].
//!
//! - [`c14n`]: XML canonicalisation (inclusive and exclusive), which the signatures digest.
//! - [`xades`]: the lists' enveloped XAdES baseline B signatures, made and verified.
//! - [`parse`]: XML to [`model::TrustedList`], every structural finding citing its clause.
//! - [`lotl`]: judging a list against its pins and time, and following the LOTL's pointers.
//! - [`generate`]: the lists of the seeded PKI, for the trust-list host and the tests.
//!
//! The JSON trust lists of [`crate::trust::trust_list`] stay beside these: they serve the
//! SD-JWT VC issuers of the credential profiles; these serve seals, signatures and
//! time-stamps.

pub mod c14n;
pub mod generate;
pub mod lotl;
pub mod model;
pub mod parse;
pub mod xades;

/// The media type of an XML trusted list (TS 119 612 clause 5.3.13, annex E).
pub const TL_MIME_TYPE: &str = "application/vnd.etsi.tsl+xml";
/// The TS 119 612 XML namespace.
pub const TSL_NS: &str = "http://uri.etsi.org/02231/v2#";
/// Additional types (the pointer's `MimeType`).
pub const TSL_ADDITIONAL_NS: &str = "http://uri.etsi.org/02231/v2/additionaltypes#";
/// TS 119 612 clause 5.2.1.
pub const TSL_TAG: &str = "http://uri.etsi.org/19612/TSLTag";
/// The largest list Accord reads (the EU LOTL is about 300 KB, the largest national
/// lists a few MB).
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// TS 119 612 clause 5.3.3: list types.
pub mod tsl_type {
    pub const EU_GENERIC: &str = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric";
    pub const EU_LOTL: &str = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists";
    /// Accord's proposal: a Japanese list of accredited trust services in TS 119 612 form.
    /// Japan publishes no such list; this type says so to every reader.
    pub const JP_PROPOSAL: &str = "urn:accord:jp:TSLType:accredited-trust-services-proposal";
}

/// `2026-06-01T00:00:00Z`: the UTC form TS 119 612 clause 5.1.4 asks for.
pub fn format_time(unix: i64) -> String {
    crate::trust::ades::rfc3339(unix)
}

/// An `xsd:dateTime` with a time zone (as TS 119 612 requires), in Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}
