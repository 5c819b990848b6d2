//! A trusted list as Accord reads it: the scheme information a reader relies on, the
//! pointers to other lists (with the certificates they pin), and the services, already in
//! the [`ListedService`] form every validator shares.

use crate::requirements::Violation;
use crate::requirements::trust_lists as req;
use crate::trust::services::{ListedService, ServiceDirectory};

use super::{format_time, tsl_type};

/// TS 119 612 clause 5.3.13: one `OtherTSLPointer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// `TSLLocation`.
    pub location: String,
    /// `SchemeTerritory` from the pointer's additional information.
    pub territory: Option<String>,
    pub tsl_type: Option<String>,
    /// `MimeType` (`application/vnd.etsi.tsl+xml` for the XML form).
    pub mime_type: Option<String>,
    /// The certificates that may sign the list pointed to (`ServiceDigitalIdentities`), DER.
    pub signers: Vec<Vec<u8>>,
}

/// One parsed list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedList {
    /// `TSLVersionIdentifier` (5 or 6).
    pub version: Option<u32>,
    pub sequence_number: Option<u64>,
    pub tsl_type: String,
    pub operator_name: String,
    pub scheme_territory: String,
    /// `ListIssueDateTime`, Unix seconds.
    pub issued_at: Option<i64>,
    /// `NextUpdate/dateTime`, Unix seconds; `None` when absent (a closed list has none).
    pub next_update: Option<i64>,
    pub pointers: Vec<Pointer>,
    pub services: Vec<ListedService>,
    /// What parsing found missing or unreadable, each citing its clause.
    pub structure: Vec<Violation>,
}

impl TrustedList {
    /// Whether this is the EU List of the Lists.
    pub fn is_lotl(&self) -> bool {
        self.tsl_type == tsl_type::EU_LOTL
    }

    /// Whether this is Accord's proposed Japanese list (Japan publishes none).
    pub fn is_proposal(&self) -> bool {
        self.tsl_type == tsl_type::JP_PROPOSAL
    }

    /// The list's services, for lookups.
    pub fn directory(&self) -> ServiceDirectory {
        ServiceDirectory {
            services: self.services.clone(),
        }
    }

    /// Every finding about the list at `at` (Unix seconds): what parsing found, and the
    /// list's time window (issued in the future, past its next update).
    pub fn findings(&self, at: i64) -> Vec<Violation> {
        let mut found = self.structure.clone();
        match self.issued_at {
            Some(t) if t > at => found.push(
                Violation::new(
                    &req::TL_XML_ISSUE_TIME,
                    format!(
                        "the list was issued at {}, after the time judged ({})",
                        format_time(t),
                        format_time(at)
                    ),
                )
                .at("SchemeInformation/ListIssueDateTime"),
            ),
            _ => {}
        }
        match self.next_update {
            Some(t) if t < at => found.push(
                Violation::new(
                    &req::TL_XML_NEXT_UPDATE,
                    format!(
                        "the list's next update was due at {}; at {} it is stale",
                        format_time(t),
                        format_time(at)
                    ),
                )
                .at("SchemeInformation/NextUpdate"),
            ),
            _ => {}
        }
        found
    }
}
