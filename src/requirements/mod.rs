//! The requirement catalogue: every rule Accord checks, with its spec, section and level.
//!
//! A check never reports a bare failure. It returns a [`Violation`] that points at one
//! [`Requirement`] in [`catalogue`], so every report can say which spec sentence was broken
//! and how strongly the spec words it (RFC 2119 MUST / SHOULD / MAY).

pub mod catalogue;

use serde::Serialize;

/// RFC 2119 strength of a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Must,
    Should,
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

/// The document a requirement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Spec {
    /// RFC 9901, Selective Disclosure for JWTs.
    SdJwt,
    /// draft-ietf-oauth-sd-jwt-vc.
    SdJwtVc,
    /// draft-ietf-oauth-status-list.
    TokenStatusList,
    /// OpenID4VC High Assurance Interoperability Profile.
    Haip,
    /// RFC 7515 / 7518 / 7519 (JWS, JWA, JWT).
    Jose,
    /// RFC 5280, X.509 certificate and path validation.
    X509,
    /// ETSI TS 119 612 / TS 119 602 trusted lists, as modelled by Accord.
    TrustList,
    /// Accord's EU–JP academic profile and mutual-recognition rules (proposal, see docs).
    EuJpAcademic,
}

/// One requirement of one spec.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Stable identifier, e.g. `SDJWT-RFC9901-7.1`; reports and event logs key on it.
    pub id: &'static str,
    pub spec: Spec,
    /// Section of the spec, e.g. `7.1`.
    pub section: &'static str,
    pub level: Level,
    /// One line saying what is required, in Accord's words.
    pub summary: &'static str,
}
