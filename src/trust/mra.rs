//! The EU–JP mutual-recognition arrangement: which trust lists a verifier in each
//! jurisdiction accepts, for which credential types and entry types, and the rule that a
//! Japanese issuer is never a qualified (QEAA) provider in the EU (eIDAS Art. 14(1): a
//! third-country service is qualified only under an Art. 218 TFEU agreement, and there is
//! none). The document is Accord's proposal (docs/profiles.md [P]); its shape is configurable JSON.

use serde::{Deserialize, Serialize};

use super::trust_list::EntryType;
use crate::requirements::{Violation, catalogue as req};

/// One acceptance rule: a verifier in `verifier_jurisdiction` accepts entries of
/// `entry_types` from the list of `list_jurisdiction`, for `credential_types`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub verifier_jurisdiction: String,
    pub list_jurisdiction: String,
    pub entry_types: Vec<EntryType>,
    pub credential_types: Vec<String>,
    /// Whether attestations under this rule may be treated as qualified (QEAA).
    pub may_be_qualified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrangement {
    pub id: String,
    pub title: String,
    pub parties: Vec<String>,
    /// The legal bridge the arrangement rests on.
    pub legal_basis: Vec<String>,
    pub acceptance: Vec<Acceptance>,
}

/// Where a chain led: which list and entry vouched for the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustPath {
    pub list_jurisdiction: String,
    pub entity_name: String,
    pub entry_type: EntryType,
    pub entry_credential_types: Vec<String>,
}

/// The arrangement's decision for one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptanceDecision {
    pub accepted: bool,
    /// Qualified (QEAA) status: only an EU QEAA provider accepted under a rule that allows it.
    pub qualified: bool,
}

impl Arrangement {
    /// The default EU–JP academic arrangement.
    pub fn eu_jp_academic(eu_vct: &str, jp_vct: &str) -> Self {
        let eu_types = vec![eu_vct.to_owned()];
        let jp_types = vec![jp_vct.to_owned()];
        Self {
            id: "urn:accord:mra:eu-jp:academic:1".into(),
            title: "EU–Japan mutual recognition of academic credentials (Accord test arrangement)".into(),
            parties: vec!["EU".into(), "JP".into()],
            legal_basis: vec![
                "UNESCO Global Convention on the Recognition of Qualifications concerning Higher Education (2019)".into(),
                "Lisbon Recognition Convention (1997) / Tokyo Convention (2011)".into(),
                "EU–Japan Memorandum of Cooperation on digital identity (2024-04-30)".into(),
            ],
            acceptance: vec![
                Acceptance {
                    verifier_jurisdiction: "EU".into(),
                    list_jurisdiction: "EU".into(),
                    entry_types: vec![EntryType::QeaaProvider, EntryType::EaaProvider, EntryType::PubEaaProvider],
                    credential_types: eu_types.clone(),
                    may_be_qualified: true,
                },
                Acceptance {
                    verifier_jurisdiction: "EU".into(),
                    list_jurisdiction: "JP".into(),
                    entry_types: vec![EntryType::MicEsealProvider, EntryType::EaaProvider],
                    credential_types: jp_types.clone(),
                    may_be_qualified: false,
                },
                Acceptance {
                    verifier_jurisdiction: "JP".into(),
                    list_jurisdiction: "JP".into(),
                    entry_types: vec![EntryType::MicEsealProvider, EntryType::EaaProvider],
                    credential_types: jp_types,
                    may_be_qualified: false,
                },
                Acceptance {
                    verifier_jurisdiction: "JP".into(),
                    list_jurisdiction: "EU".into(),
                    entry_types: vec![EntryType::QeaaProvider, EntryType::EaaProvider, EntryType::PubEaaProvider],
                    credential_types: eu_types,
                    may_be_qualified: false,
                },
            ],
        }
    }

    /// Checks the arrangement itself: no rule may let a JP entry be qualified.
    pub fn check(&self) -> Vec<Violation> {
        self.acceptance
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.list_jurisdiction == "JP"
                    && (a.may_be_qualified || a.entry_types.contains(&EntryType::QeaaProvider))
            })
            .map(|(i, _)| {
                Violation::new(
                    &req::MRA_EUJP_JP_NOT_QEAA,
                    "the arrangement lets a Japanese entry count as a qualified (QEAA) provider",
                )
                .at(format!("mra.acceptance[{i}]"))
            })
            .collect()
    }

    /// Decides whether a verifier in `verifier` accepts a credential of type `vct` that chains
    /// to `path`.
    pub fn decide(
        &self,
        verifier: &str,
        path: &TrustPath,
        vct: &str,
    ) -> (AcceptanceDecision, Vec<Violation>) {
        let mut v = Vec::new();
        if path.list_jurisdiction == "JP" && path.entry_type == EntryType::QeaaProvider {
            v.push(
                Violation::new(
                    &req::MRA_EUJP_JP_NOT_QEAA,
                    format!("`{}` is listed by Japan as a QEAA provider; a Japanese issuer is never qualified in the EU", path.entity_name),
                )
                .at("trust-list"),
            );
        }
        let rule = self.acceptance.iter().find(|a| {
            a.verifier_jurisdiction == verifier
                && a.list_jurisdiction == path.list_jurisdiction
                && a.entry_types.contains(&path.entry_type)
                && a.credential_types.iter().any(|t| t == vct)
        });
        match rule {
            Some(rule) => {
                let qualified = rule.may_be_qualified
                    && path.entry_type.is_qualified()
                    && path.list_jurisdiction == "EU";
                (
                    AcceptanceDecision {
                        accepted: v.is_empty(),
                        qualified,
                    },
                    v,
                )
            }
            None => {
                v.push(
                    Violation::new(
                        &req::MRA_EUJP_TRUSTED_LIST,
                        format!(
                            "a {verifier} verifier does not accept `{vct}` from a {:?} on the {} list under {}",
                            path.entry_type, path.list_jurisdiction, self.id
                        ),
                    )
                    .at("mra"),
                );
                (
                    AcceptanceDecision {
                        accepted: false,
                        qualified: false,
                    },
                    v,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(j: &str, t: EntryType, vct: &str) -> TrustPath {
        TrustPath {
            list_jurisdiction: j.into(),
            entity_name: "x".into(),
            entry_type: t,
            entry_credential_types: vec![vct.into()],
        }
    }

    #[test]
    fn eu_verifier_accepts_jp_degree_but_never_as_qualified() {
        let a = Arrangement::eu_jp_academic("eu", "jp");
        assert!(a.check().is_empty());
        let (d, v) = a.decide("EU", &path("JP", EntryType::MicEsealProvider, "jp"), "jp");
        assert!(d.accepted && !d.qualified, "{v:?}");
        let (d, v) = a.decide("EU", &path("JP", EntryType::QeaaProvider, "jp"), "jp");
        assert!(!d.accepted && !d.qualified);
        assert!(
            v.iter()
                .any(|v| v.requirement.id == req::MRA_EUJP_JP_NOT_QEAA.id)
        );
        let (d, _) = a.decide("EU", &path("EU", EntryType::QeaaProvider, "eu"), "eu");
        assert!(d.accepted && d.qualified);
        // A JP verifier accepts the EU diploma, but qualification is an EU legal status.
        let (d, _) = a.decide("JP", &path("EU", EntryType::QeaaProvider, "eu"), "eu");
        assert!(d.accepted && !d.qualified);
    }

    #[test]
    fn types_outside_the_arrangement_are_refused() {
        let a = Arrangement::eu_jp_academic("eu", "jp");
        let (d, _) = a.decide(
            "EU",
            &path("JP", EntryType::MicEsealProvider, "other"),
            "other",
        );
        assert!(!d.accepted);
    }

    #[test]
    fn an_arrangement_making_jp_qualified_is_flagged() {
        let mut a = Arrangement::eu_jp_academic("eu", "jp");
        a.acceptance[1].may_be_qualified = true;
        assert_eq!(a.check().len(), 1);
    }
}
