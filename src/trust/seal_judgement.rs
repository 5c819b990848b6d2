//! A relying party's judgement of a sealed or signed document: the AdES validation of its
//! seal (a [`ValidationReport`] from the JAdES or PAdES validator) and, when the seal holds,
//! whether the arrangement lets the trust service behind it count on this side
//! ([`Arrangement::recognise_service`]). One verdict for both, with the arrangement rule it
//! applied, so an EU verifier can say *why* a Japanese accredited e-seal counts, and a
//! Japanese verifier why a German qualified one does.
//!
//! The verdict keeps the EN 319 102-1 indications apart from recognition: a seal that is
//! TOTAL-PASSED but whose service type the arrangement does not accept is *not recognised*,
//! not *invalid*; a seal Accord could not check is *not implemented*, never recognised.

use serde::Serialize;

use crate::requirements::Violation;
use crate::trust::ades::{Indication, Outcome, ValidationReport};
use crate::trust::mra::{Arrangement, ServiceRecognition};
use crate::trust::services::{ListedService, ServiceDirectory, ServiceKind};

/// What the relying party concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SealVerdict {
    /// TOTAL-PASSED, and the arrangement accepts the service on this side.
    Recognised,
    /// TOTAL-PASSED, but no rule of the arrangement accepts the service here.
    NotRecognised,
    /// TOTAL-FAILED.
    Invalid,
    /// INDETERMINATE.
    Indeterminate,
    /// Accord could not check something the seal uses.
    NotImplemented,
}

impl SealVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            SealVerdict::Recognised => "recognised",
            SealVerdict::NotRecognised => "not-recognised",
            SealVerdict::Invalid => "invalid",
            SealVerdict::Indeterminate => "indeterminate",
            SealVerdict::NotImplemented => "not-implemented",
        }
    }
}

/// The judgement, as the verifier answers it and the features read it.
#[derive(Debug, Clone, Serialize)]
pub struct SealJudgement {
    /// The relying party's jurisdiction (`EU`, `JP`).
    pub relying: String,
    pub verdict: SealVerdict,
    /// The EN 319 102-1 outcome label: `TOTAL-PASSED`, `INDETERMINATE/REVOKED_NO_POE`, …
    pub indication: String,
    pub report: ValidationReport,
    pub recognition: Option<ServiceRecognition>,
    pub violations: Vec<ViolationView>,
}

/// A violation as JSON carries it.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationView {
    pub requirement: String,
    pub message: String,
    pub location: Option<String>,
}

impl From<&Violation> for ViolationView {
    fn from(v: &Violation) -> Self {
        Self {
            requirement: v.requirement.id.to_owned(),
            message: v.message.clone(),
            location: v.location.clone(),
        }
    }
}

/// The listed service the report's finding names (the validator judged it; this finds the
/// directory entry again for the arrangement).
fn service_of<'a>(
    directory: &'a ServiceDirectory,
    report: &ValidationReport,
) -> Option<&'a ListedService> {
    let f = report.service.as_ref()?;
    directory.services.iter().find(|s| {
        s.territory == f.territory && s.service_name == f.service && s.type_uri == f.service_type
    })
}

/// Judges `report` for a relying party in `relying` under `arrangement`.
pub fn judge(
    relying: &str,
    report: ValidationReport,
    directory: &ServiceDirectory,
    kind: ServiceKind,
    arrangement: &Arrangement,
) -> SealJudgement {
    let indication = report.outcome.label();
    let (verdict, recognition, violations) = match &report.outcome {
        Outcome::NotImplemented { .. } => (SealVerdict::NotImplemented, None, Vec::new()),
        Outcome::Failed { sub_indication } => (
            match sub_indication.indication() {
                Indication::TotalFailed => SealVerdict::Invalid,
                _ => SealVerdict::Indeterminate,
            },
            None,
            Vec::new(),
        ),
        Outcome::Passed => match service_of(directory, &report) {
            Some(service) => {
                let (recognition, violations) =
                    arrangement.recognise_service(relying, service, kind);
                let verdict = if recognition.accepted {
                    SealVerdict::Recognised
                } else {
                    SealVerdict::NotRecognised
                };
                (
                    verdict,
                    Some(recognition),
                    violations.iter().map(ViolationView::from).collect(),
                )
            }
            // A passed seal always names its service; if the directory lost it, nothing can
            // be recognised.
            None => (SealVerdict::NotRecognised, None, Vec::new()),
        },
    };
    SealJudgement {
        relying: relying.to_uppercase(),
        verdict,
        indication,
        report,
        recognition,
        violations,
    }
}
