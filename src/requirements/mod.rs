//! The requirement catalogue: every rule Accord checks, with its spec, section and level.
//!
//! A check never reports a bare failure. It returns a [`Violation`] that points at one
//! [`Requirement`] in [`catalogue`], so every report can say which spec sentence was broken
//! and how strongly the spec words it (RFC 2119 MUST / SHOULD / MAY).

pub mod ades;
pub mod bitstring_status;
pub mod catalogue;
pub mod data_integrity;
pub mod edc;
pub mod micro_credentials;
pub mod pades;
pub mod timestamps;
pub mod trust_lists;
pub mod vc_jwt;

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
    /// JWT-secured credentials: W3C VC Data Model 1.1 clause 6.3.1 (`jwt_vc_json`, as EBSI
    /// issues them) and the Open Badges 3.0 JSON Web Token proof format.
    VcJwt,
    /// Europass Digital Credentials: the European Learning Model (ELM 3) on the W3C VC Data
    /// Model 1.1, as the EDC application profiles' SHACL shapes constrain it.
    Edc,
    /// W3C Bitstring Status List v1.0 (the status mechanism of VCDM 2.0 credentials, Open
    /// Badges 3.0 among them).
    BitstringStatusList,
    /// Data Integrity proofs: the `eddsa-rdfc-2022` cryptosuite (W3C Data Integrity EdDSA
    /// Cryptosuites v1.0), VC Data Integrity 1.0, and the Open Badges 3.0 Linked Data proof
    /// format.
    DataIntegrity,
    /// The Council Recommendation on a European approach to micro-credentials (2022/C
    /// 243/02), Annex I: the elements describing a micro-credential.
    MicroCredentials,
    /// OpenID for Verifiable Credential Issuance 1.0.
    Oid4vci,
    /// OpenID for Verifiable Presentations 1.0.
    Oid4vp,
    /// The OAuth RFCs the protocols build on: RFC 7636 (PKCE), RFC 9101 (JAR).
    OAuth,
    /// Accord's own robustness expectations of an implementation under test, where no
    /// protocol spec sets any (time limits, failing cleanly). SHOULD level: reported, never
    /// failing a scenario alone.
    Robustness,
    /// RFC 3161 time-stamp tokens and the ETSI EN 319 422 profile of them.
    TimeStamp,
    /// AdES signatures: the validation procedure (ETSI EN 319 102-1) and the formats JAdES
    /// (TS 119 182-1), PAdES (EN 319 142-1) and XAdES (EN 319 132-1).
    Ades,
    /// Accord's regression gate: an implementation replayed against a recording answers as
    /// it did when recorded (`accord replay --against`).
    Regression,
}

/// The role whose behaviour a requirement constrains: who must meet it (an issuer that must
/// produce a conformant credential, a verifier that must reject a non-conformant one). Many
/// rules bind two roles: the side that produces an artefact and the side that checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Issuer,
    Wallet,
    Verifier,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Issuer, Role::Wallet, Role::Verifier];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Issuer => "issuer",
            Role::Wallet => "wallet",
            Role::Verifier => "verifier",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl Spec {
    /// Every spec, in the order reports list them.
    pub const ALL: [Spec; 20] = [
        Spec::Oid4vci,
        Spec::Oid4vp,
        Spec::Haip,
        Spec::SdJwt,
        Spec::SdJwtVc,
        Spec::TokenStatusList,
        Spec::Jose,
        Spec::X509,
        Spec::OAuth,
        Spec::TrustList,
        Spec::TimeStamp,
        Spec::Ades,
        Spec::VcJwt,
        Spec::Edc,
        Spec::DataIntegrity,
        Spec::BitstringStatusList,
        Spec::MicroCredentials,
        Spec::EuJpAcademic,
        Spec::Robustness,
        Spec::Regression,
    ];

    /// The name reports show.
    pub fn title(self) -> &'static str {
        match self {
            Spec::SdJwt => "SD-JWT (RFC 9901)",
            Spec::SdJwtVc => "SD-JWT VC",
            Spec::TokenStatusList => "Token Status List",
            Spec::Haip => "HAIP 1.0",
            Spec::Jose => "JOSE (RFC 7515, 7519, 8725)",
            Spec::X509 => "X.509 (RFC 5280)",
            Spec::TrustList => "Trusted lists (ETSI TS 119 612 / 119 602)",
            Spec::EuJpAcademic => "EU-JP academic recognition (Accord profile)",
            Spec::Oid4vci => "OpenID4VCI 1.0",
            Spec::Oid4vp => "OpenID4VP 1.0",
            Spec::OAuth => "OAuth (RFC 7636, 9101)",
            Spec::Robustness => "Robustness (Accord)",
            Spec::Regression => "Regression (Accord)",
            Spec::TimeStamp => "Time-stamps (RFC 3161, ETSI EN 319 422)",
            Spec::Ades => "AdES signatures (ETSI EN 319 102-1, JAdES, PAdES, XAdES)",
            Spec::VcJwt => "VC-JWT (VCDM 1.1 clause 6.3.1, Open Badges 3.0)",
            Spec::Edc => "Europass EDC (ELM 3, EDC application profile)",
            Spec::BitstringStatusList => "Bitstring Status List v1.0",
            Spec::DataIntegrity => "Data Integrity (eddsa-rdfc-2022, Open Badges 3.0 proofs)",
            Spec::MicroCredentials => "EU micro-credentials (Council Recommendation 2022/C 243/02)",
        }
    }
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
    /// The roles that must meet it (at least one).
    pub applies_to: &'static [Role],
    /// One line saying what is required, in Accord's words.
    pub summary: &'static str,
}

/// A requirement that an artefact or an implementation did not meet.
///
/// `location` says where, in terms a person can find: `disclosure[2]`,
/// `issuer-jwt.header.typ`, `kb-jwt.payload.nonce`, `x5c[1]`, a claim path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub requirement: &'static Requirement,
    pub location: Option<String>,
    pub message: String,
    /// Accord's profile treats this SHOULD (or MAY) as binding, e.g. failing closed when a
    /// status list cannot be fetched. Reports say so, so nobody mistakes it for a spec MUST.
    pub enforced: bool,
}

/// Whether none of `violations` breaks a MUST (SHOULD and MAY findings are reported, not
/// failing).
pub fn no_must_broken(violations: &[Violation]) -> bool {
    violations.iter().all(|v| v.level() != Level::Must)
}

impl Violation {
    pub fn new(requirement: &'static Requirement, message: impl Into<String>) -> Self {
        Self {
            requirement,
            location: None,
            message: message.into(),
            enforced: false,
        }
    }

    /// Marks a SHOULD / MAY finding as one that Accord's profile enforces.
    pub fn enforced(mut self) -> Self {
        self.enforced = true;
        self
    }

    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Sets the location unless the check that found this already did.
    pub fn at_if_unset(mut self, location: &str) -> Self {
        if self.location.is_none() {
            self.location = Some(location.to_owned());
        }
        self
    }

    pub fn level(&self) -> Level {
        self.requirement.level
    }

    /// A violation of a MUST, or of a requirement the profile enforces, makes the artefact
    /// invalid; other SHOULD and MAY findings are reported but do not.
    pub fn is_fatal(&self) -> bool {
        self.requirement.level == Level::Must || self.enforced
    }
}

impl Serialize for Violation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("requirement", self.requirement.id)?;
        m.serialize_entry("level", self.requirement.level.as_str())?;
        m.serialize_entry("message", &self.message)?;
        if let Some(loc) = &self.location {
            m.serialize_entry("location", loc)?;
        }
        if self.enforced {
            m.serialize_entry("enforced_by_profile", &true)?;
        }
        m.serialize_entry("spec", &self.requirement.spec)?;
        m.serialize_entry("section", self.requirement.section)?;
        m.end()
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}] {}",
            self.requirement.id,
            self.requirement.level.as_str(),
            self.message
        )?;
        if let Some(loc) = &self.location {
            write!(f, " (at {loc})")?;
        }
        Ok(())
    }
}

/// True when none of `violations` is a MUST.
pub fn all_pass(violations: &[Violation]) -> bool {
    !violations.iter().any(Violation::is_fatal)
}
