//! The parts of a topology and the players that played them, as the event log records them.
//! They sit with the events (not with the cast that starts the players) so the log depends
//! on nothing above it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The parts of the topology, in the order they are started (hosts first: the others point
/// at them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    TrustList,
    StatusList,
    IssuerEu,
    IssuerJp,
    VerifierEu,
    VerifierJp,
    Wallet,
}

impl Part {
    pub const ALL: [Part; 7] = [
        Part::TrustList,
        Part::StatusList,
        Part::IssuerEu,
        Part::IssuerJp,
        Part::VerifierEu,
        Part::VerifierJp,
        Part::Wallet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::TrustList => "trust-list",
            Part::StatusList => "status-list",
            Part::IssuerEu => "issuer-eu",
            Part::IssuerJp => "issuer-jp",
            Part::VerifierEu => "verifier-eu",
            Part::VerifierJp => "verifier-jp",
            Part::Wallet => "wallet",
        }
    }

    /// The role, as manifests name it.
    pub fn role(self) -> &'static str {
        match self {
            Part::TrustList => "trust-list",
            Part::StatusList => "status-list",
            Part::IssuerEu | Part::IssuerJp => "issuer",
            Part::VerifierEu | Part::VerifierJp => "verifier",
            Part::Wallet => "wallet",
        }
    }

    pub fn jurisdiction(self) -> Option<&'static str> {
        match self {
            Part::IssuerEu | Part::VerifierEu => Some("eu"),
            Part::IssuerJp | Part::VerifierJp => Some("jp"),
            _ => None,
        }
    }

    pub fn issuer(code: &str) -> Part {
        if code.eq_ignore_ascii_case("jp") {
            Part::IssuerJp
        } else {
            Part::IssuerEu
        }
    }

    pub fn verifier(code: &str) -> Part {
        if code.eq_ignore_ascii_case("jp") {
            Part::VerifierJp
        } else {
            Part::VerifierEu
        }
    }
}

/// One player as the run's log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerRecord {
    pub part: Part,
    pub implementation: String,
    pub kind: String,
    pub base_url: String,
    /// The variant parameters it was started with (`launch.options`), as certification
    /// reports name them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// The manifest it was read from, whole: the evidence bundle takes it from the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestRecord>,
    /// The local image a container player ran, with the engine's content digest of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRecord>,
}

impl PlayerRecord {
    pub fn new(part: Part, implementation: &str, kind: &str, base_url: &str) -> Self {
        Self {
            part,
            implementation: implementation.to_owned(),
            kind: kind.to_owned(),
            base_url: base_url.to_owned(),
            options: BTreeMap::new(),
            manifest: None,
            image: None,
        }
    }
}

/// An implementation manifest as a run recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRecord {
    /// The path the run was given.
    pub path: String,
    /// Hex SHA-256 of `text`.
    pub sha256: String,
    pub text: String,
}

impl ManifestRecord {
    pub fn of(path: &Path, text: &str) -> Self {
        Self {
            path: path.display().to_string(),
            sha256: crate::events::sha256_hex(text.as_bytes()),
            text: text.to_owned(),
        }
    }
}

/// A container image as a run recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// The reference the manifest gave (`accord:dev`).
    pub name: String,
    /// The engine's image id (`sha256:…`, the digest of the image configuration), or why it
    /// could not be read.
    pub id: String,
}
