//! The outcome of validating an AdES signature or a time-stamp as ETSI EN 319 102-1 orders
//! it: a main indication (clause 5.1.3: TOTAL-PASSED, TOTAL-FAILED, INDETERMINATE), a
//! sub-indication that says why, the baseline level the signature reached (B, T, LT, LTA;
//! EN 319 102-1 clause 5.3 to 5.6 and the formats' baseline profiles), and the steps taken,
//! each citing its requirement.
//!
//! The three indications are the standard's; Accord adds a fourth outcome kept apart from
//! them, [`Outcome::NotImplemented`], for a signature that uses something Accord cannot yet
//! check (an algorithm, a level, a property). It is never folded into INDETERMINATE: that
//! indication is a finding about the signature, this one a limit of the harness.
//!
//! Every format (JAdES, PAdES, XAdES, a bare RFC 3161 token) produces a [`ValidationReport`];
//! the CLI prints it and the features judge it.

use serde::Serialize;

use crate::requirements::Requirement;

/// EN 319 102-1 clause 5.1.3, Table 4: the main status indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Indication {
    #[serde(rename = "TOTAL-PASSED")]
    TotalPassed,
    #[serde(rename = "TOTAL-FAILED")]
    TotalFailed,
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
}

impl Indication {
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::TotalFailed => "TOTAL-FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        }
    }
}

/// EN 319 102-1 clause 5.1.3, Table 5: the sub-indications, each under the one main
/// indication it belongs to ([`SubIndication::indication`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    // TOTAL-FAILED
    /// The signature is not conformant to its base standard (cannot be parsed, a mandatory
    /// property missing).
    FormatFailure,
    /// A hash of the signed data objects does not match the signature's.
    HashFailure,
    /// The signature value does not verify under the signer's public key.
    SigCryptoFailure,
    /// The signing certificate was revoked, or its service withdrawn, before the time a
    /// proof of existence shows.
    Revoked,
    /// The signing time (as proven) is after the signing certificate's `notAfter`.
    Expired,
    /// The signing time (as proven) is before the signing certificate's `notBefore`.
    NotYetValid,
    // INDETERMINATE
    /// A signature property does not meet the validation constraints (a critical header not
    /// understood, a level required and not reached).
    SigConstraintsFailure,
    /// The chain does not meet the constraints (the trust service is not of the type
    /// required, not granted at the time that matters).
    ChainConstraintsFailure,
    /// The chain could not be built or validated for a reason not covered elsewhere.
    CertificateChainGeneralFailure,
    /// An algorithm or key size is not trusted.
    CryptoConstraintsFailure,
    /// The signing certificate cannot be identified (`x5t#S256` mismatch, no certificate).
    NoSigningCertificateFound,
    /// No chain to a trust anchor (no listed service) could be found.
    NoCertificateChainFound,
    /// Revoked, with no proof of existence before the revocation.
    RevokedNoPoe,
    /// Outside the certificate's validity with no proof of existence inside it.
    OutOfBoundsNoPoe,
    /// A time-stamp's time is not in the order the format requires.
    TimestampOrderFailure,
    /// The data the signature covers could not be obtained (a detached payload missing).
    SignedDataNotFound,
    /// Revocation or status information is not (yet) available.
    TryLater,
}

impl SubIndication {
    /// The main indication this sub-indication qualifies (EN 319 102-1 Table 5).
    pub fn indication(self) -> Indication {
        use SubIndication::*;
        match self {
            FormatFailure | HashFailure | SigCryptoFailure | Revoked | Expired | NotYetValid => {
                Indication::TotalFailed
            }
            _ => Indication::Indeterminate,
        }
    }

    pub fn as_str(self) -> &'static str {
        use SubIndication::*;
        match self {
            FormatFailure => "FORMAT_FAILURE",
            HashFailure => "HASH_FAILURE",
            SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Revoked => "REVOKED",
            Expired => "EXPIRED",
            NotYetValid => "NOT_YET_VALID",
            SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            RevokedNoPoe => "REVOKED_NO_POE",
            OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
            SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            TryLater => "TRY_LATER",
        }
    }
}

/// AdES baseline levels (EN 319 142-1 / TS 119 182-1 / EN 319 132-1 clause 6): B (the
/// signature and its signed properties), T (a trusted time for it: a signature time-stamp),
/// LT (the validation data: certificates and revocation values), LTA (archive time-stamps
/// over all of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    B,
    T,
    #[serde(rename = "LT")]
    Lt,
    #[serde(rename = "LTA")]
    Lta,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::B => "B",
            Level::T => "T",
            Level::Lt => "LT",
            Level::Lta => "LTA",
        }
    }
}

/// `2026-06-01T00:00:00Z`: how every report of a signature, seal, time-stamp or trusted list
/// writes an instant (RFC 3339, UTC); the number itself when it is out of range.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// The result of one validation: one of the three indications, or Accord cannot check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// TOTAL-PASSED.
    Passed,
    /// TOTAL-FAILED or INDETERMINATE with the sub-indication that says why (its main
    /// indication is [`SubIndication::indication`]).
    Failed { sub_indication: SubIndication },
    /// Something Accord does not implement; names what.
    NotImplemented { what: String },
}

impl Outcome {
    /// The EN 319 102-1 main indication, or `None` when Accord could not judge.
    pub fn indication(&self) -> Option<Indication> {
        match self {
            Outcome::Passed => Some(Indication::TotalPassed),
            Outcome::Failed { sub_indication } => Some(sub_indication.indication()),
            Outcome::NotImplemented { .. } => None,
        }
    }

    /// `TOTAL-PASSED`, `TOTAL-FAILED/HASH_FAILURE`, `not implemented: …`.
    pub fn label(&self) -> String {
        match self {
            Outcome::Passed => "TOTAL-PASSED".into(),
            Outcome::Failed { sub_indication } => format!(
                "{}/{}",
                sub_indication.indication().as_str(),
                sub_indication.as_str()
            ),
            Outcome::NotImplemented { what } => format!("not implemented: {what}"),
        }
    }
}

/// One step of a validation, in the order it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The catalogue id of the requirement the step checks.
    pub requirement: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// What a format's validator returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    /// `JAdES`, `PAdES`, `XAdES`, `RFC 3161`.
    pub format: &'static str,
    pub outcome: Outcome,
    /// The highest baseline level whose properties are present and valid.
    pub level: Option<Level>,
    /// The signer certificate's subject, when one was identified.
    pub signer: Option<String>,
    /// The claimed signing time (`sigT`, `signingTime`, `/M`), RFC 3339.
    pub claimed_signing_time: Option<String>,
    /// The earliest time a proof of existence (a verified time-stamp) shows, RFC 3339.
    pub proven_signing_time: Option<String>,
    /// The trust service that vouched for the signer, at the time that mattered.
    pub service: Option<ServiceFinding>,
    /// Each time-stamp validated on the way, in the order they were met.
    pub timestamps: Vec<ValidationReport>,
    pub steps: Vec<Step>,
}

/// Where the signer's chain led in the trusted lists, and the status found there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceFinding {
    pub territory: String,
    pub provider: String,
    pub service: String,
    pub service_type: String,
    pub status: String,
    /// RFC 3339: when the status in force at the time judged began.
    pub status_since: String,
    /// RFC 3339: the time judged (the proven signing time, else the claimed, else now).
    pub judged_at: String,
}

impl ValidationReport {
    /// An empty report for `format`, to be filled step by step.
    pub fn new(format: &'static str) -> Self {
        Self {
            format,
            outcome: Outcome::Passed,
            level: None,
            signer: None,
            claimed_signing_time: None,
            proven_signing_time: None,
            service: None,
            timestamps: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Records a passed step.
    pub fn pass(&mut self, requirement: &'static Requirement, detail: impl Into<String>) {
        self.steps.push(Step {
            requirement: requirement.id,
            passed: true,
            detail: detail.into(),
        });
    }

    /// Records a failed step and sets the outcome, unless an earlier failure already decided
    /// it (EN 319 102-1 stops at the first building block that does not pass; later steps
    /// are still recorded so a reader sees everything found).
    pub fn fail(
        &mut self,
        requirement: &'static Requirement,
        sub_indication: SubIndication,
        detail: impl Into<String>,
    ) {
        self.steps.push(Step {
            requirement: requirement.id,
            passed: false,
            detail: detail.into(),
        });
        if self.outcome == Outcome::Passed {
            self.outcome = Outcome::Failed { sub_indication };
        }
    }

    /// Records that Accord cannot check something the signature uses. Outranks a pass, never
    /// a failure already found.
    pub fn not_implemented(&mut self, what: impl Into<String>) {
        if self.outcome == Outcome::Passed {
            self.outcome = Outcome::NotImplemented { what: what.into() };
        }
    }

    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// Holds a passed signature to a policy's lowest baseline level: below it, or with no
    /// level, INDETERMINATE/SIG_CONSTRAINTS_FAILURE (EN 319 102-1 clause 5.2.8, the
    /// signature acceptance validation against the constraints given).
    pub fn require_level(&mut self, required: Level) {
        if self.passed() && self.level.is_none_or(|l| l < required) {
            let detail = format!(
                "the signature reaches level {} and the policy asks for {}",
                self.level.map_or("none", |l| l.as_str()),
                required.as_str()
            );
            self.fail(
                &crate::requirements::ades::ADES_TIMESTAMP,
                SubIndication::SigConstraintsFailure,
                detail,
            );
        }
    }

    /// The failed steps' requirement ids, in order.
    pub fn failed_requirements(&self) -> Vec<&'static str> {
        self.steps
            .iter()
            .filter(|s| !s.passed)
            .map(|s| s.requirement)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_indications_sit_under_their_main_indication() {
        assert_eq!(
            SubIndication::HashFailure.indication(),
            Indication::TotalFailed
        );
        assert_eq!(
            SubIndication::NoCertificateChainFound.indication(),
            Indication::Indeterminate
        );
        let o = Outcome::Failed {
            sub_indication: SubIndication::RevokedNoPoe,
        };
        assert_eq!(o.label(), "INDETERMINATE/REVOKED_NO_POE");
        assert_eq!(
            Outcome::NotImplemented {
                what: "RSA-PSS".into()
            }
            .indication(),
            None
        );
    }
}
