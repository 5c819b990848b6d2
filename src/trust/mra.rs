//! The EU–JP mutual-recognition arrangement: which trust lists a verifier in each
//! jurisdiction accepts, for which credential types and entry types, and the rule that a
//! Japanese issuer is never a qualified (QEAA) provider in the EU (eIDAS Art. 14(1): a
//! third-country service is qualified only under an Art. 218 TFEU agreement, and there is
//! none). The document is Accord's proposal (docs/profiles.md [P]); its shape is configurable JSON.

use serde::{Deserialize, Serialize};

use super::services::{ListedService, ServiceKind, status, types};
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
    /// Which trust services of one side the other side accepts, and as what. Absent in
    /// arrangements written before trust services were modelled: then none is accepted
    /// across the border.
    #[serde(default)]
    pub trust_services: Vec<TrustServiceAcceptance>,
}

/// How strongly a relying party on one side holds a trust service of the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecognitionLevel {
    /// Qualified under eIDAS: only an EU service on an EU list, relied on in the EU.
    Qualified,
    /// Accredited under Japanese law (the MIC time-stamp and e-seal schemes, the Electronic
    /// Signatures Act's accredited certification business): only a JP service, relied on in Japan.
    Accredited,
    /// Accepted across the border as equivalent in effect to the relying side's own
    /// qualified or accredited service, by this arrangement; never a legal status of its own
    /// (eIDAS Art. 14(1): a third-country service is qualified only under an Art. 218 TFEU
    /// agreement, and there is none).
    RecognisedEquivalent,
}

/// One trust-service rule: relying parties in `relying_jurisdiction` accept services of
/// `service_types` listed for `provider_jurisdiction`, used as `kind`, at `level`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustServiceAcceptance {
    pub relying_jurisdiction: String,
    pub provider_jurisdiction: String,
    pub kind: ServiceKind,
    pub service_types: Vec<String>,
    pub level: RecognitionLevel,
    /// What the other side's service counts as here, in words a report can show.
    pub accepted_as: String,
}

/// The arrangement's decision for one trust service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRecognition {
    pub accepted: bool,
    pub level: Option<RecognitionLevel>,
    /// The rule applied: `<arrangement id>#trust_services[i]`, cited by the verdict.
    pub rule: Option<String>,
    pub accepted_as: Option<String>,
}

/// The jurisdiction a list's territory belongs to: Japan's list is `JP`, the EU LOTL and
/// every member state's list `EU`.
pub fn jurisdiction_of_territory(territory: &str) -> &'static str {
    if territory.eq_ignore_ascii_case("JP") {
        "JP"
    } else {
        "EU"
    }
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
        // Each side's degree, and the micro-credentials both sides' universities issue as
        // Open Badges (registered by their W3C type).
        let eu_types = vec![eu_vct.to_owned(), crate::profiles::BADGE_TYPE.to_owned()];
        let jp_types = vec![jp_vct.to_owned(), crate::profiles::BADGE_TYPE.to_owned()];
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
            trust_services: default_trust_services(),
        }
    }

    /// Whether a relying party in `relying` accepts `service` (found vouching for a seal,
    /// signature or time-stamp used as `kind`), and at which level. The service's status at
    /// the time that matters is the validator's business; this decides only whether the
    /// arrangement lets a service of that type and side count here.
    pub fn recognise_service(
        &self,
        relying: &str,
        service: &ListedService,
        kind: ServiceKind,
    ) -> (ServiceRecognition, Vec<Violation>) {
        let provider = jurisdiction_of_territory(&service.territory);
        let found = self.trust_services.iter().enumerate().find(|(_, r)| {
            r.relying_jurisdiction.eq_ignore_ascii_case(relying)
                && r.provider_jurisdiction == provider
                && r.kind == kind
                && r.service_types.contains(&service.type_uri)
        });
        match found {
            Some((i, rule)) => {
                let mut v = Vec::new();
                // A JP service is never qualified, whatever an arrangement file says.
                if provider == "JP" && rule.level == RecognitionLevel::Qualified {
                    v.push(
                        Violation::new(
                            &req::MRA_EUJP_JP_NOT_QEAA,
                            format!("the arrangement holds the Japanese service `{}` as qualified; a third-country service is never qualified in the EU", service.service_name),
                        )
                        .at(format!("mra.trust_services[{i}]")),
                    );
                }
                (
                    ServiceRecognition {
                        accepted: v.is_empty(),
                        level: Some(rule.level),
                        rule: Some(format!("{}#trust_services[{i}]", self.id)),
                        accepted_as: Some(rule.accepted_as.clone()),
                    },
                    v,
                )
            }
            None => (
                ServiceRecognition {
                    accepted: false,
                    level: None,
                    rule: None,
                    accepted_as: None,
                },
                vec![
                    Violation::new(
                        &req::MRA_EUJP_TRUST_SERVICE,
                        format!(
                            "a {relying} relying party does not accept a {kind:?} service of type `{}` listed for {} under {}",
                            service.type_uri, service.territory, self.id
                        ),
                    )
                    .at("mra.trust_services"),
                ],
            ),
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

/// The default trust-service rules: each side holds its own qualified or accredited services
/// at their legal level, and the other side's as recognised equivalents (a qualified e-seal
/// in the EU ↔ an accredited e-seal in Japan; an EU qualified time-stamp ↔ a JP accredited
/// time-stamp; qualified and accredited e-signatures likewise).
fn default_trust_services() -> Vec<TrustServiceAcceptance> {
    let rule =
        |relying: &str, provider: &str, kind, service_types: &[&str], level, accepted_as: &str| {
            TrustServiceAcceptance {
                relying_jurisdiction: relying.into(),
                provider_jurisdiction: provider.into(),
                kind,
                service_types: service_types.iter().map(|t| (*t).to_owned()).collect(),
                level,
                accepted_as: accepted_as.into(),
            }
        };
    use RecognitionLevel::*;
    vec![
        rule(
            "EU",
            "EU",
            ServiceKind::ESeal,
            &[types::CA_QC],
            Qualified,
            "qualified electronic seal (eIDAS Art. 35)",
        ),
        rule(
            "EU",
            "EU",
            ServiceKind::ESignature,
            &[types::CA_QC],
            Qualified,
            "qualified electronic signature (eIDAS Art. 25)",
        ),
        rule(
            "EU",
            "EU",
            ServiceKind::TimeStamping,
            &[types::TSA_QTST],
            Qualified,
            "qualified electronic time stamp (eIDAS Art. 41)",
        ),
        rule(
            "EU",
            "JP",
            ServiceKind::ESeal,
            &[types::JP_ACCREDITED_ESEAL],
            RecognisedEquivalent,
            "Japanese accredited e-seal (eシール認定制度), recognised as equivalent in effect to a qualified seal; not qualified",
        ),
        rule(
            "EU",
            "JP",
            ServiceKind::ESignature,
            &[types::JP_ACCREDITED_ESIG],
            RecognisedEquivalent,
            "signature under a Japanese accredited certification business (電子署名法), recognised as equivalent in effect; not qualified",
        ),
        rule(
            "EU",
            "JP",
            ServiceKind::TimeStamping,
            &[types::JP_ACCREDITED_TSA],
            RecognisedEquivalent,
            "Japanese accredited time stamp (総務大臣認定タイムスタンプ), recognised as equivalent in effect to a qualified time stamp; not qualified",
        ),
        rule(
            "JP",
            "JP",
            ServiceKind::ESeal,
            &[types::JP_ACCREDITED_ESEAL],
            Accredited,
            "accredited e-seal (eシール認定制度)",
        ),
        rule(
            "JP",
            "JP",
            ServiceKind::ESignature,
            &[types::JP_ACCREDITED_ESIG],
            Accredited,
            "signature under an accredited certification business (電子署名法 認定認証業務)",
        ),
        rule(
            "JP",
            "JP",
            ServiceKind::TimeStamping,
            &[types::JP_ACCREDITED_TSA],
            Accredited,
            "accredited time stamp (総務大臣認定タイムスタンプ)",
        ),
        rule(
            "JP",
            "EU",
            ServiceKind::ESeal,
            &[types::CA_QC],
            RecognisedEquivalent,
            "EU qualified electronic seal, recognised as equivalent to an accredited e-seal",
        ),
        rule(
            "JP",
            "EU",
            ServiceKind::ESignature,
            &[types::CA_QC],
            RecognisedEquivalent,
            "EU qualified electronic signature, recognised as equivalent to one under an accredited certification business",
        ),
        rule(
            "JP",
            "EU",
            ServiceKind::TimeStamping,
            &[types::TSA_QTST],
            RecognisedEquivalent,
            "EU qualified electronic time stamp, recognised as equivalent to an accredited time stamp",
        ),
    ]
}

/// A service's status URI is one the arrangement's levels presuppose (granted on an EU
/// list, accredited on the JP list); used by reports to explain a refusal.
pub fn status_supports_level(status_uri: &str, level: RecognitionLevel) -> bool {
    match level {
        RecognitionLevel::Qualified => status_uri == status::GRANTED,
        RecognitionLevel::Accredited => status_uri == status::JP_ACCREDITED,
        RecognitionLevel::RecognisedEquivalent => status::is_in_good_standing(status_uri),
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

    fn listed(territory: &str, type_uri: &str) -> ListedService {
        ListedService {
            territory: territory.into(),
            provider: "P".into(),
            service_name: "S".into(),
            type_uri: type_uri.into(),
            additional_info: vec![],
            identities: vec![],
            history: vec![],
        }
    }

    #[test]
    fn trust_services_are_recognised_across_the_border_as_equivalents() {
        let a = Arrangement::eu_jp_academic("eu", "jp");
        let (r, v) = a.recognise_service("EU", &listed("DE", types::CA_QC), ServiceKind::ESeal);
        assert!(
            r.accepted && r.level == Some(RecognitionLevel::Qualified),
            "{v:?}"
        );
        let (r, _) = a.recognise_service(
            "EU",
            &listed("JP", types::JP_ACCREDITED_TSA),
            ServiceKind::TimeStamping,
        );
        assert!(r.accepted);
        assert_eq!(r.level, Some(RecognitionLevel::RecognisedEquivalent));
        assert!(r.rule.unwrap().ends_with("#trust_services[5]"));
        let (r, _) = a.recognise_service(
            "JP",
            &listed("FR", types::TSA_QTST),
            ServiceKind::TimeStamping,
        );
        assert_eq!(r.level, Some(RecognitionLevel::RecognisedEquivalent));
        // A non-qualified EU TSA is in no rule: refused, citing the trust-service requirement.
        let (r, v) =
            a.recognise_service("JP", &listed("FR", types::TSA), ServiceKind::TimeStamping);
        assert!(!r.accepted);
        assert_eq!(v[0].requirement.id, req::MRA_EUJP_TRUST_SERVICE.id);
    }

    #[test]
    fn an_arrangement_holding_a_jp_service_qualified_is_refused() {
        let mut a = Arrangement::eu_jp_academic("eu", "jp");
        a.trust_services[3].level = RecognitionLevel::Qualified;
        let (r, v) = a.recognise_service(
            "EU",
            &listed("JP", types::JP_ACCREDITED_ESEAL),
            ServiceKind::ESeal,
        );
        assert!(!r.accepted);
        assert_eq!(v[0].requirement.id, req::MRA_EUJP_JP_NOT_QEAA.id);
    }

    #[test]
    fn arrangements_written_before_trust_services_still_read() {
        let mut json = serde_json::to_value(Arrangement::eu_jp_academic("eu", "jp")).unwrap();
        json.as_object_mut().unwrap().remove("trust_services");
        let a: Arrangement = serde_json::from_value(json).unwrap();
        assert!(a.trust_services.is_empty());
    }

    #[test]
    fn an_arrangement_making_jp_qualified_is_flagged() {
        let mut a = Arrangement::eu_jp_academic("eu", "jp");
        a.acceptance[1].may_be_qualified = true;
        assert_eq!(a.check().len(), 1);
    }
}
