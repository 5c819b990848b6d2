//! XML to [`TrustedList`]. A document that is not XML, or whose root is not a
//! `TrustServiceStatusList`, is an error; anything else missing or unreadable becomes a
//! finding that cites its TS 119 612 clause and says where (line and column), and the rest
//! of the list is still read.

use base64::Engine as _;
use roxmltree::{Document, Node};

use super::model::{Pointer, TrustedList};
use super::{MAX_LIST_BYTES, TSL_ADDITIONAL_NS, TSL_NS, TSL_TAG, parse_time};
use crate::requirements::trust_lists as req;
use crate::requirements::{Requirement, Violation};
use crate::trust::services::{ListedService, StatusPeriod};

/// Why a document is no trusted list at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// Parses the list `xml`.
pub fn parse(xml: &str) -> Result<TrustedList, ParseError> {
    if xml.len() > MAX_LIST_BYTES {
        return Err(ParseError(format!(
            "the list is {} bytes; Accord reads lists up to {MAX_LIST_BYTES} bytes (MAX_LIST_BYTES)",
            xml.len()
        )));
    }
    let doc = Document::parse(xml).map_err(|e| ParseError(format!("not well-formed XML: {e}")))?;
    read(&doc)
}

struct Reader<'d, 'i> {
    doc: &'d Document<'i>,
    found: Vec<Violation>,
}

impl<'d, 'i> Reader<'d, 'i> {
    fn at(&self, node: Node<'_, '_>) -> String {
        let p = self.doc.text_pos_at(node.range().start);
        format!(
            "line {}, column {} ({})",
            p.row,
            p.col,
            node.tag_name().name()
        )
    }

    fn finding(
        &mut self,
        requirement: &'static Requirement,
        node: Node<'_, '_>,
        message: impl Into<String>,
    ) {
        let at = self.at(node);
        self.found.push(Violation::new(requirement, message).at(at));
    }
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| {
        c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(TSL_NS)
    })
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| {
        c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(TSL_NS)
    })
}

fn text(node: Option<Node<'_, '_>>) -> Option<String> {
    node.map(|n| {
        n.descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .collect::<String>()
            .trim()
            .to_string()
    })
    .filter(|t| !t.is_empty())
}

/// The first `Name` of a multilingual name list, English preferred.
fn name(node: Option<Node<'_, '_>>) -> Option<String> {
    let node = node?;
    let names: Vec<_> = children(node, "Name").collect();
    let english = names
        .iter()
        .find(|n| n.attribute(("http://www.w3.org/XML/1998/namespace", "lang")) == Some("en"));
    text(english.or(names.first()).copied())
}

fn certificates(node: Node<'_, '_>) -> Vec<Option<Vec<u8>>> {
    node.descendants()
        .filter(|d| d.is_element() && d.tag_name().name() == "X509Certificate")
        .map(|d| {
            let t: String = text(Some(d))
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(t)
                .ok()
                .filter(|der| x509_parser::parse_x509_certificate(der).is_ok())
        })
        .collect()
}

/// Reads the list of a parsed document.
pub fn read(doc: &Document<'_>) -> Result<TrustedList, ParseError> {
    let root = doc.root_element();
    if root.tag_name().name() != "TrustServiceStatusList"
        || root.tag_name().namespace() != Some(TSL_NS)
    {
        return Err(ParseError(format!(
            "the root element is `{}` in namespace `{}`, not a TrustServiceStatusList in {TSL_NS} (TS 119 612 clause 5.2.1)",
            root.tag_name().name(),
            root.tag_name().namespace().unwrap_or("")
        )));
    }
    let mut r = Reader {
        doc,
        found: Vec::new(),
    };
    if root.attribute("TSLTag") != Some(TSL_TAG) {
        r.finding(
            &req::TL_XML_ROOT,
            root,
            format!("TSLTag is {:?}, not {TSL_TAG}", root.attribute("TSLTag")),
        );
    }
    let Some(scheme) = child(root, "SchemeInformation") else {
        r.finding(
            &req::TL_XML_SCHEME_INFORMATION,
            root,
            "the list has no SchemeInformation",
        );
        return Ok(TrustedList {
            version: None,
            sequence_number: None,
            tsl_type: String::new(),
            operator_name: String::new(),
            scheme_territory: String::new(),
            issued_at: None,
            next_update: None,
            pointers: vec![],
            services: vec![],
            structure: r.found,
        });
    };
    let version = text(child(scheme, "TSLVersionIdentifier")).and_then(|t| t.parse().ok());
    if !matches!(version, Some(5 | 6)) {
        r.finding(
            &req::TL_XML_SCHEME_INFORMATION,
            scheme,
            format!("TSLVersionIdentifier is {version:?}, not 5 or 6"),
        );
    }
    let sequence_number = text(child(scheme, "TSLSequenceNumber")).and_then(|t| t.parse().ok());
    if sequence_number.is_none_or(|n: u64| n < 1) {
        r.finding(
            &req::TL_XML_SCHEME_INFORMATION,
            scheme,
            "TSLSequenceNumber is missing or below 1",
        );
    }
    let tsl_type = text(child(scheme, "TSLType")).unwrap_or_default();
    if tsl_type.is_empty() {
        r.finding(
            &req::TL_XML_SCHEME_INFORMATION,
            scheme,
            "TSLType is missing",
        );
    }
    let operator_name = name(child(scheme, "SchemeOperatorName")).unwrap_or_default();
    if operator_name.is_empty() {
        r.finding(
            &req::TL_XML_SCHEME_INFORMATION,
            scheme,
            "SchemeOperatorName is missing",
        );
    }
    let scheme_territory = text(child(scheme, "SchemeTerritory")).unwrap_or_default();
    if scheme_territory.is_empty() {
        r.finding(
            &req::TL_XML_SCHEME_INFORMATION,
            scheme,
            "SchemeTerritory is missing",
        );
    }
    let issued_at = text(child(scheme, "ListIssueDateTime")).and_then(|t| parse_time(&t));
    if issued_at.is_none() {
        r.finding(
            &req::TL_XML_ISSUE_TIME,
            scheme,
            "ListIssueDateTime is missing or not a dateTime with a time zone",
        );
    }
    let next_update = child(scheme, "NextUpdate")
        .and_then(|n| text(child(n, "dateTime")))
        .and_then(|t| parse_time(&t));
    if next_update.is_none() {
        r.finding(
            &req::TL_XML_NEXT_UPDATE,
            scheme,
            "NextUpdate/dateTime is missing or unreadable",
        );
    }

    let mut pointers = Vec::new();
    if let Some(list) = child(scheme, "PointersToOtherTSL") {
        for p in children(list, "OtherTSLPointer") {
            let Some(location) = text(child(p, "TSLLocation")) else {
                r.finding(
                    &req::TL_XML_PINNED_SIGNER,
                    p,
                    "OtherTSLPointer has no TSLLocation",
                );
                continue;
            };
            let info = |n: &str| {
                p.descendants()
                    .find(|d| {
                        d.is_element()
                            && d.tag_name().name() == n
                            && d.parent()
                                .is_some_and(|x| x.tag_name().name() == "OtherInformation")
                    })
                    .and_then(|d| text(Some(d)))
            };
            let mime_type = p
                .descendants()
                .find(|d| {
                    d.is_element()
                        && d.tag_name().name() == "MimeType"
                        && d.tag_name().namespace() == Some(TSL_ADDITIONAL_NS)
                })
                .and_then(|d| text(Some(d)));
            let certs = child(p, "ServiceDigitalIdentities")
                .map(certificates)
                .unwrap_or_default();
            if certs.is_empty() || certs.iter().any(Option::is_none) {
                r.finding(
                    &req::TL_XML_PINNED_SIGNER,
                    p,
                    format!("the pointer to {location} pins no readable signer certificate"),
                );
            }
            pointers.push(Pointer {
                territory: info("SchemeTerritory"),
                tsl_type: info("TSLType"),
                mime_type,
                signers: certs.into_iter().flatten().collect(),
                location,
            });
        }
    }

    let mut services = Vec::new();
    if let Some(providers) = child(root, "TrustServiceProviderList") {
        for provider in children(providers, "TrustServiceProvider") {
            let provider_name =
                name(child(provider, "TSPInformation").and_then(|i| child(i, "TSPName")))
                    .unwrap_or_default();
            let Some(tsp_services) = child(provider, "TSPServices") else {
                continue;
            };
            for service in children(tsp_services, "TSPService") {
                if let Some(s) = read_service(&mut r, &scheme_territory, &provider_name, service) {
                    services.push(s);
                }
            }
        }
    }
    Ok(TrustedList {
        version,
        sequence_number,
        tsl_type,
        operator_name,
        scheme_territory,
        issued_at,
        next_update,
        pointers,
        services,
        structure: r.found,
    })
}

fn read_service(
    r: &mut Reader<'_, '_>,
    territory: &str,
    provider: &str,
    service: Node<'_, '_>,
) -> Option<ListedService> {
    let Some(info) = child(service, "ServiceInformation") else {
        r.finding(
            &req::TL_XML_SERVICE_TYPE,
            service,
            "TSPService has no ServiceInformation",
        );
        return None;
    };
    let Some(type_uri) = text(child(info, "ServiceTypeIdentifier")) else {
        r.finding(
            &req::TL_XML_SERVICE_TYPE,
            info,
            "ServiceTypeIdentifier is missing",
        );
        return None;
    };
    let service_name = name(child(info, "ServiceName")).unwrap_or_default();
    let identities = child(info, "ServiceDigitalIdentity")
        .map(certificates)
        .unwrap_or_default();
    if identities.is_empty() || identities.iter().any(Option::is_none) {
        r.finding(
            &req::TL_XML_DIGITAL_IDENTITY,
            info,
            format!("service `{service_name}` has an unreadable or no X509Certificate"),
        );
    }
    let identities: Vec<Vec<u8>> = identities.into_iter().flatten().collect();
    let status = text(child(info, "ServiceStatus"));
    let since = text(child(info, "StatusStartingTime")).and_then(|t| parse_time(&t));
    let (Some(status), Some(since)) = (status, since) else {
        r.finding(
            &req::TL_XML_STATUS,
            info,
            format!(
                "service `{service_name}` lacks a ServiceStatus or a readable StatusStartingTime"
            ),
        );
        return None;
    };
    let additional_info = info
        .descendants()
        .filter(|d| d.is_element() && d.tag_name().name() == "AdditionalServiceInformation")
        .filter_map(|d| text(child(d, "URI")))
        .collect();
    let mut history = vec![StatusPeriod { status, since }];
    if let Some(h) = child(service, "ServiceHistory") {
        for instance in children(h, "ServiceHistoryInstance") {
            let status = text(child(instance, "ServiceStatus"));
            let at = text(child(instance, "StatusStartingTime")).and_then(|t| parse_time(&t));
            match (status, at) {
                (Some(status), Some(at)) if at < since => history.push(StatusPeriod { status, since: at }),
                (Some(_), Some(_)) => r.finding(&req::TL_XML_HISTORY, instance, format!("a history instance of `{service_name}` starts at or after the current status")),
                _ => r.finding(&req::TL_XML_HISTORY, instance, format!("a history instance of `{service_name}` lacks a status or a readable starting time")),
            }
        }
    }
    history.sort_by_key(|p| p.since);
    Some(ListedService {
        territory: territory.to_string(),
        provider: provider.to_string(),
        service_name,
        type_uri,
        additional_info,
        identities,
        history,
    })
}
