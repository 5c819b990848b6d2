//! Judging lists and following the LOTL: a list is *accepted* when it parses, its XAdES
//! signature verifies under a certificate pinned for it, and it holds no MUST finding at the
//! time judged (not issued in the future, not past its next update). The LOTL is pinned by
//! configuration (as the Official Journal publishes its signers); each national list by the
//! certificates the LOTL's pointer gives (TS 119 612 clause 5.3.13). Only an accepted
//! list's services reach the directory; every list read, accepted or not, is reported with
//! its findings.

use roxmltree::Document;

use super::model::{Pointer, TrustedList};
use super::xades::{self, SignatureCheck};
use super::{MAX_LIST_BYTES, TL_MIME_TYPE, parse};
use crate::requirements::trust_lists as req;
use crate::requirements::{Level, Violation};
use crate::trust::ades::{Outcome, SubIndication};
use crate::trust::services::ServiceDirectory;

/// Pointers followed from one LOTL at most.
pub const MAX_POINTERS: usize = 64;

/// The signer certificates configuration pins (DER).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    /// Who may sign the LOTL.
    pub lotl_signers: Vec<Vec<u8>>,
    /// Who may sign a list read on its own (not through the LOTL).
    pub list_signers: Vec<Vec<u8>>,
}

/// What reading one list found.
#[derive(Debug, Clone)]
pub struct ListOutcome {
    /// The territory expected (from the pointer), else the list's own, else empty.
    pub territory: String,
    /// Where the list was read (URL or path).
    pub location: String,
    /// The signature's EN 319 102-1 outcome (FORMAT_FAILURE when the list was unreadable,
    /// TRY_LATER when it could not be fetched).
    pub outcome: Outcome,
    pub signature: Option<SignatureCheck>,
    /// Every finding: the signature's and the list's at the time judged.
    pub findings: Vec<Violation>,
    pub list: Option<TrustedList>,
}

impl ListOutcome {
    /// Whether the list's services may be relied on.
    pub fn accepted(&self) -> bool {
        self.outcome == Outcome::Passed
            && self.list.is_some()
            && self.findings.iter().all(|f| f.level() != Level::Must)
    }
}

/// The lists one LOTL (or one lone list) led to, and the directory of the accepted ones.
#[derive(Debug, Clone, Default)]
pub struct LoadedLists {
    /// The LOTL (or the lone list) first, then the lists it points to.
    pub lists: Vec<ListOutcome>,
    pub directory: ServiceDirectory,
}

/// A list that could not be read as one.
pub fn unreadable(territory: &str, location: &str, why: String) -> ListOutcome {
    ListOutcome {
        territory: territory.into(),
        location: location.into(),
        outcome: Outcome::Failed {
            sub_indication: SubIndication::FormatFailure,
        },
        signature: None,
        findings: vec![Violation::new(
            &req::TL_XML_ROOT,
            format!("{location}: {why}"),
        )],
        list: None,
    }
}

/// A list that could not be fetched: nothing is known of it yet.
pub fn unfetched(territory: &str, location: &str, why: String) -> ListOutcome {
    ListOutcome {
        outcome: Outcome::Failed {
            sub_indication: SubIndication::TryLater,
        },
        findings: vec![Violation::new(
            &req::TL_XML_PINNED_SIGNER,
            format!("{location} could not be fetched: {why}"),
        )],
        ..unreadable(territory, location, String::new())
    }
}

/// The LOTL could not be read: nothing follows from it.
pub fn unreadable_lotl(location: &str, why: String) -> LoadedLists {
    LoadedLists {
        lists: vec![unreadable("EU", location, why)],
        directory: ServiceDirectory::default(),
    }
}

/// Judges the list `xml` read at `location`, expected for `territory` (empty: any), signed
/// by one of `pinned`, at `at` (Unix seconds).
pub fn judge_list(
    territory: &str,
    location: &str,
    xml: &str,
    pinned: &[Vec<u8>],
    at: i64,
) -> ListOutcome {
    if xml.len() > MAX_LIST_BYTES {
        return unreadable(
            territory,
            location,
            format!(
                "{} bytes is over MAX_LIST_BYTES ({MAX_LIST_BYTES})",
                xml.len()
            ),
        );
    }
    let doc = match Document::parse(xml) {
        Ok(d) => d,
        Err(e) => return unreadable(territory, location, format!("not well-formed XML: {e}")),
    };
    let list = match parse::read(&doc) {
        Ok(l) => l,
        Err(e) => return unreadable(territory, location, e.0),
    };
    let signature = xades::verify_document(&doc, pinned);
    let mut findings: Vec<Violation> = signature.violations.clone();
    findings.extend(list.findings(at));
    if !territory.is_empty() && list.scheme_territory != territory {
        findings.push(Violation::new(
            &req::TL_XML_SCHEME_INFORMATION,
            format!(
                "the pointer announces a list for {territory}; the list's SchemeTerritory is {}",
                list.scheme_territory
            ),
        ));
    }
    let findings = findings
        .into_iter()
        .map(|v| Violation {
            message: format!("{location}: {}", v.message),
            ..v
        })
        .collect();
    ListOutcome {
        territory: if territory.is_empty() {
            list.scheme_territory.clone()
        } else {
            territory.into()
        },
        location: location.into(),
        outcome: signature.report.outcome.clone(),
        signature: Some(signature),
        findings,
        list: Some(list),
    }
}

/// Judges the LOTL at `lotl_location` against `signers`, and, when accepted, each XML list
/// it points to against the signers its pointer pins, reading them with `fetch`.
pub fn follow(
    lotl_location: &str,
    xml: &str,
    signers: &[Vec<u8>],
    at: i64,
    fetch: impl FnMut(&str) -> Result<Vec<u8>, String>,
) -> LoadedLists {
    follow_judged(judge_list("", lotl_location, xml, signers, at), at, fetch)
}

/// The pointers of a judged LOTL worth following: none unless it was accepted, only those
/// to the XML form (a LOTL also points to the PDF form of each list), at most
/// [`MAX_POINTERS`]. A reader that fetches asynchronously fetches these, then calls
/// [`follow_judged`].
pub fn followable(lotl: &ListOutcome) -> Vec<Pointer> {
    match (&lotl.list, lotl.accepted()) {
        (Some(l), true) => l
            .pointers
            .iter()
            .filter(|p| p.mime_type.as_deref().is_none_or(|m| m == TL_MIME_TYPE))
            .take(MAX_POINTERS)
            .cloned()
            .collect(),
        _ => vec![],
    }
}

/// Follows the [`followable`] pointers of a judged LOTL, reading each list with `fetch`.
pub fn follow_judged(
    mut lotl: ListOutcome,
    at: i64,
    mut fetch: impl FnMut(&str) -> Result<Vec<u8>, String>,
) -> LoadedLists {
    let pointers = followable(&lotl);
    let xml_pointers = lotl.list.as_ref().map_or(0, |l| {
        l.pointers
            .iter()
            .filter(|p| p.mime_type.as_deref().is_none_or(|m| m == TL_MIME_TYPE))
            .count()
    });
    if lotl.accepted() && xml_pointers > MAX_POINTERS {
        lotl.findings.push(Violation::new(
            &req::TL_XML_PINNED_SIGNER,
            format!(
                "the LOTL points to {xml_pointers} XML lists; Accord follows {MAX_POINTERS} at most (MAX_POINTERS)"
            ),
        ));
    }
    let mut loaded = LoadedLists {
        lists: vec![lotl],
        directory: ServiceDirectory::default(),
    };
    for p in &pointers {
        let territory = p.territory.clone().unwrap_or_default();
        let outcome = match fetch(&p.location) {
            Err(e) => unfetched(&territory, &p.location, e),
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => unreadable(&territory, &p.location, "the list is not UTF-8".into()),
                Ok(text) => judge_list(&territory, &p.location, &text, &p.signers, at),
            },
        };
        if outcome.accepted()
            && let Some(l) = &outcome.list
        {
            loaded.directory.services.extend(l.services.iter().cloned());
        }
        loaded.lists.push(outcome);
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::super::generate::{self, Options};
    use super::*;
    use crate::trust::services::{Lookup, ServiceKind};
    use crate::trust::tsp_pki::{TrustServicePki, WITHDRAWN_AT};
    use std::sync::OnceLock;

    const ISSUED: i64 = 1_788_000_000; // 2026-08-29
    const BASE: &str = "https://tl.accord.test";

    fn pki() -> &'static TrustServicePki {
        static PKI: OnceLock<TrustServicePki> = OnceLock::new();
        PKI.get_or_init(|| TrustServicePki::generate(7).unwrap())
    }

    fn lists(tweak: impl FnOnce(&mut Options)) -> generate::Lists {
        let mut o = Options::new(BASE, ISSUED);
        tweak(&mut o);
        generate::generate(pki(), &o).unwrap()
    }

    fn serve(l: &generate::Lists) -> impl FnMut(&str) -> Result<Vec<u8>, String> + '_ {
        move |url: &str| {
            l.files()
                .iter()
                .find(|(f, _)| url == format!("{BASE}/tl/{f}"))
                .map(|(_, x)| x.as_bytes().to_vec())
                .ok_or_else(|| format!("404 {url}"))
        }
    }

    fn pins() -> Vec<Vec<u8>> {
        vec![pki().lotl_operator.cert_der.clone()]
    }

    #[test]
    fn the_lotl_leads_to_every_national_list_and_their_services() {
        let l = lists(|_| {});
        let loaded = follow("lotl", &l.lotl, &pins(), ISSUED + 10, serve(&l));
        for o in &loaded.lists {
            assert!(
                o.accepted(),
                "{}: {} {:#?}",
                o.location,
                o.outcome.label(),
                o.findings
            );
        }
        assert_eq!(loaded.lists.len(), 4);
        assert_eq!(loaded.directory.services, generate::seeded_services(pki()));
        // The withdrawn DE seal CA is read with its history: granted before, withdrawn after.
        let chain = vec![
            pki().de.withdrawn.as_ref().unwrap().leaf.cert_der.clone(),
            pki().de.withdrawn.as_ref().unwrap().ca.cert_der.clone(),
        ];
        assert!(matches!(
            loaded
                .directory
                .lookup(&chain, ServiceKind::ESeal, WITHDRAWN_AT - 1),
            Lookup::InGoodStanding { .. }
        ));
        assert!(matches!(
            loaded
                .directory
                .lookup(&chain, ServiceKind::ESeal, WITHDRAWN_AT + 1),
            Lookup::NotInGoodStanding { .. }
        ));
    }

    #[test]
    fn a_lotl_signed_by_an_unpinned_key_is_refused_and_nothing_followed() {
        let l = lists(|o| o.lotl_signed_by_next = true);
        let loaded = follow("lotl", &l.lotl, &pins(), ISSUED + 10, serve(&l));
        assert_eq!(loaded.lists.len(), 1);
        let lotl = &loaded.lists[0];
        assert_eq!(
            lotl.outcome.label(),
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
        );
        assert!(
            lotl.findings
                .iter()
                .any(|f| f.requirement.id == "TL-TS119612-5.3.13-pinned-signer")
        );
        assert!(loaded.directory.services.is_empty());
    }

    #[test]
    fn a_list_past_its_next_update_is_refused() {
        let l = lists(|_| {});
        let after = ISSUED + generate::LIST_LIFETIME + 1;
        let o = judge_list(
            "DE",
            "DE",
            &l.de,
            &[pki().de.operator.cert_der.clone()],
            after,
        );
        assert_eq!(o.outcome, Outcome::Passed);
        assert!(!o.accepted());
        assert!(
            o.findings
                .iter()
                .any(|f| f.requirement.id == "TL-TS119612-5.3.15-next-update"),
            "{:#?}",
            o.findings
        );
    }

    #[test]
    fn a_changed_list_fails_its_digest_and_a_wrong_signer_is_not_pinned() {
        let l = lists(|_| {});
        let de_pin = vec![pki().de.operator.cert_der.clone()];
        let changed = l.de.replace("withdrawn", "granted");
        let o = judge_list("DE", "DE", &changed, &de_pin, ISSUED + 1);
        assert_eq!(o.outcome.label(), "TOTAL-FAILED/HASH_FAILURE");
        let o = judge_list("DE", "DE", &l.fr, &de_pin, ISSUED + 1);
        assert_eq!(
            o.outcome.label(),
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
        );
        assert!(
            o.findings
                .iter()
                .any(|f| f.message.contains("SchemeTerritory is FR"))
        );
        let stripped = xades::strip_signature(&l.de).unwrap();
        let o = judge_list("DE", "DE", &stripped, &de_pin, ISSUED + 1);
        assert_eq!(o.outcome.label(), "TOTAL-FAILED/FORMAT_FAILURE");
        // The signed properties bound to another signature: no digest covers the binding,
        // the Target check does.
        let rebound =
            l.de.replace("Target=\"#tl-signature\"", "Target=\"#another\"");
        let o = judge_list("DE", "DE", &rebound, &de_pin, ISSUED + 1);
        assert_eq!(o.outcome.label(), "TOTAL-FAILED/FORMAT_FAILURE");
        // Re-signed by the right key, the stripped list is whole again.
        let resigned = xades::sign_enveloped(&stripped, &pki().de.operator, ISSUED).unwrap();
        assert!(judge_list("DE", "DE", &resigned, &de_pin, ISSUED + 1).accepted());
    }

    #[test]
    fn hostile_input_is_a_finding_not_a_panic() {
        for xml in [
            "",
            "<",
            "<a/>",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><x>&b;&b;&b;&b;</x>",
        ] {
            let o = judge_list("", "x", xml, &[], 0);
            assert!(!o.accepted());
            assert_eq!(o.outcome.label(), "TOTAL-FAILED/FORMAT_FAILURE");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Any byte changed inside a signed list's root element is detected (the list no
        /// longer parses, or a digest, the signature value, the signer or the binding of
        /// the signed properties breaks), unless it changed nothing the signature signs (a
        /// namespace declaration no element uses, which exclusive C14N leaves out): then
        /// the list accepted says exactly what the signed one said. Nothing panics. Bytes
        /// outside the root (the XML declaration, the final newline) are not signed.
        #[test]
        fn any_byte_changed_in_a_signed_list_is_detected(at in 0usize..1_000_000, byte in 0u8..=255) {
            static DE: OnceLock<String> = OnceLock::new();
            let de = DE.get_or_init(|| lists(|_| {}).de);
            let start = de.find("<TrustServiceStatusList").expect("root");
            let end = de.rfind("</TrustServiceStatusList>").expect("root end") + "</TrustServiceStatusList>".len();
            let i = start + at % (end - start);
            let mut bytes = de.clone().into_bytes();
            proptest::prop_assume!(bytes[i] != byte);
            bytes[i] = byte;
            let Ok(text) = String::from_utf8(bytes) else {
                // Not UTF-8: no reader gets as far as judging it.
                return Ok(());
            };
            let o = judge_list("DE", "DE", &text, &[pki().de.operator.cert_der.clone()], ISSUED + 10);
            if o.accepted() {
                let signed = super::super::parse::parse(de).expect("the signed list");
                proptest::prop_assert_eq!(o.list, Some(signed), "byte {} set to {:#04x}", i, byte);
            }
        }
    }

    /// A list's services survive generation, signing and parsing unchanged, and a list
    /// generated again from the parsed services is the same list.
    #[test]
    fn lists_round_trip() {
        let l = lists(|_| {});
        for (xml, territory) in [(&l.de, "DE"), (&l.fr, "FR"), (&l.jp, "JP")] {
            let parsed = super::super::parse::parse(xml).unwrap();
            let seeded: Vec<_> = generate::seeded_services(pki())
                .into_iter()
                .filter(|s| s.territory == territory)
                .collect();
            assert_eq!(parsed.services, seeded, "{territory}");
            let refs: Vec<_> = parsed.services.iter().collect();
            let again = generate::unsigned_list(
                territory,
                &parsed.operator_name,
                &parsed.tsl_type,
                &refs,
                &Options::new(BASE, ISSUED),
            );
            assert_eq!(xades::strip_signature(xml).unwrap(), again, "{territory}");
        }
    }
}
