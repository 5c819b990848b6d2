//! Protocol-aware fuzzing: campaigns of generated cases against an issuer, wallet or
//! verifier, each case carrying the verdict a conformant implementation must reach.
//!
//! - [`verifier`], [`issuer`]: the cases (proptest strategies of valid artefacts and the
//!   mutations applied to them, each with its expected verdict and the requirement that
//!   decides it). Pure: they build bytes, they send nothing.
//! - [`subjects`]: how a case is played against an implementation over HTTP (its protocol
//!   endpoints and its control API) and what its answer was.
//! - [`campaign`]: the engine. Case *n* is generated from the run's seed and *n* alone, so a
//!   campaign can stop anywhere and continue from its last checkpoint; cases run `jobs` at a
//!   time in batches; an answer that is a wrong accept, a wrong reject, a 5xx or no answer is
//!   a finding, shrunk with proptest's value trees, re-run once with recording on, written to
//!   the log as a scenario of its own (exchanges, a failed check naming the requirement,
//!   `finding-recorded` with the shrunk case) and to a regression seed file.
//!
//! Only findings and checkpoints reach the log; memory stays flat however long a campaign
//! runs (nothing per case is kept beyond its batch).

pub mod campaign;
pub mod forge;
pub mod issuer;

pub mod subjects;
pub mod verifier;
pub mod wallet;

use serde::{Deserialize, Serialize};

use crate::requirements::Requirement;

/// What a conformant implementation does with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expected {
    Accept,
    Reject,
    /// Either answer is conformant; only a crash, a 5xx or silence is a finding (hostile
    /// sizes and depths).
    Either,
}

impl Expected {
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Accept => "accept",
            Expected::Reject => "reject",
            Expected::Either => "accept or reject",
        }
    }
}

/// The expected verdict and the requirement that decides it.
#[derive(Debug, Clone, Copy)]
pub struct Expectation {
    pub verdict: Expected,
    pub requirement: &'static Requirement,
}

/// What the implementation did with a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    Accepted,
    /// Refused, with the requirements its answer named (Accord's reference roles name them;
    /// others usually do not).
    Rejected {
        requirements: Vec<String>,
    },
    /// A 5xx answer at step `at`.
    ServerError {
        at: String,
        status: u16,
    },
    /// No answer at step `at`: connection refused or dropped, timeout, garbage.
    NoAnswer {
        at: String,
        error: String,
    },
    /// The control API refused to set the case up (a valid request answered 4xx).
    SetupRefused {
        at: String,
        status: u16,
    },
    /// An answer that is not one: a presentation bound to another request, a 200 without a
    /// credential.
    BadAnswer {
        at: String,
        problem: String,
    },
}

impl Observed {
    pub fn describe(&self) -> String {
        match self {
            Observed::Accepted => "accepted".into(),
            Observed::Rejected { requirements } if requirements.is_empty() => "rejected".into(),
            Observed::Rejected { requirements } => {
                format!("rejected ({})", requirements.join(", "))
            }
            Observed::ServerError { at, status } => format!("HTTP {status} at {at}"),
            Observed::NoAnswer { at, error } => format!("no answer at {at}: {error}"),
            Observed::SetupRefused { at, status } => {
                format!("the control API refused the case setup at {at} (HTTP {status})")
            }
            Observed::BadAnswer { at, problem } => format!("a bad answer at {at}: {problem}"),
        }
    }
}

/// Why an answer is a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    WrongAccept,
    WrongReject,
    ServerError,
    NoAnswer,
    SetupRefused,
    BadAnswer,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::WrongAccept => "wrong-accept",
            FindingKind::WrongReject => "wrong-reject",
            FindingKind::ServerError => "server-error",
            FindingKind::NoAnswer => "no-answer",
            FindingKind::SetupRefused => "setup-refused",
            FindingKind::BadAnswer => "bad-answer",
        }
    }
}

/// The oracle: whether `observed` is a finding for a case that expects `expected`.
pub fn judge(expected: Expected, observed: &Observed) -> Option<FindingKind> {
    match (expected, observed) {
        (_, Observed::ServerError { .. }) => Some(FindingKind::ServerError),
        (_, Observed::NoAnswer { .. }) => Some(FindingKind::NoAnswer),
        (_, Observed::SetupRefused { .. }) => Some(FindingKind::SetupRefused),
        (_, Observed::BadAnswer { .. }) => Some(FindingKind::BadAnswer),
        (Expected::Reject, Observed::Accepted) => Some(FindingKind::WrongAccept),
        (Expected::Accept, Observed::Rejected { .. }) => Some(FindingKind::WrongReject),
        _ => None,
    }
}

/// The role a campaign targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FuzzRole {
    Verifier,
    Wallet,
    Issuer,
}

impl FuzzRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FuzzRole::Verifier => "verifier",
            FuzzRole::Wallet => "wallet",
            FuzzRole::Issuer => "issuer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oracle() {
        let rejected = Observed::Rejected {
            requirements: vec![],
        };
        assert_eq!(judge(Expected::Accept, &Observed::Accepted), None);
        assert_eq!(judge(Expected::Reject, &rejected), None);
        assert_eq!(judge(Expected::Either, &rejected), None);
        assert_eq!(judge(Expected::Either, &Observed::Accepted), None);
        assert_eq!(
            judge(Expected::Reject, &Observed::Accepted),
            Some(FindingKind::WrongAccept)
        );
        assert_eq!(
            judge(Expected::Accept, &rejected),
            Some(FindingKind::WrongReject)
        );
        let server = Observed::ServerError {
            at: "response".into(),
            status: 500,
        };
        assert_eq!(
            judge(Expected::Either, &server),
            Some(FindingKind::ServerError)
        );
    }
}
