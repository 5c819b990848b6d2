//! The trusted lists of the seeded PKI, in TS 119 612 XML, signed with XAdES: the EU LOTL
//! (signed by its operator, pointing to DE, FR and, as Accord's proposal, JP, each pointer
//! pinning the list's signer), the DE and FR lists, and the JP list of accredited services.
//!
//! What each list names is [`seeded_services`]; the trust-list host serves these files and
//! the tests read them back through [`super::lotl`], so the XML is the only path from the
//! seeded PKI to a validator's directory.

use base64::Engine as _;

use super::{TL_MIME_TYPE, TSL_ADDITIONAL_NS, TSL_NS, TSL_TAG, format_time, tsl_type, xades};
use crate::trust::pki::Party;
use crate::trust::services::{ListedService, StatusPeriod, additional_info, status, types};
use crate::trust::tsp_pki::{GRANTED_SINCE, TrustServicePki, WITHDRAWN_AT};

/// Six months (TS 119 612 clause 5.3.15: the next update at most six months ahead).
pub const LIST_LIFETIME: i64 = 182 * 86_400;

/// When the lists the reference topology serves say they were issued, for a run whose
/// clock reads `now`: the start of the previous UTC day, so every scenario of one run sees
/// the same bytes and the lists are never issued in the future of any step.
pub fn issue_time(now: i64) -> i64 {
    now - now.rem_euclid(86_400) - 86_400
}

/// How to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the lists will be served: pointers are `{base_url}/tl/{file}`.
    pub base_url: String,
    /// `ListIssueDateTime` and the signatures' `SigningTime`.
    pub issued_at: i64,
    /// `NextUpdate`.
    pub next_update: i64,
    /// Sign the LOTL with the operator's next key, which the previous LOTL never pinned.
    pub lotl_signed_by_next: bool,
}

impl Options {
    pub fn new(base_url: &str, issued_at: i64) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            issued_at,
            next_update: issued_at + LIST_LIFETIME,
            lotl_signed_by_next: false,
        }
    }
}

/// The four signed lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lists {
    pub lotl: String,
    pub de: String,
    pub fr: String,
    pub jp: String,
}

impl Lists {
    /// File name and content, as served under `/tl/`.
    pub fn files(&self) -> [(&'static str, &str); 4] {
        [
            ("lotl.xml", &self.lotl),
            ("DE.xml", &self.de),
            ("FR.xml", &self.fr),
            ("JP.xml", &self.jp),
        ]
    }
}

/// Every service the seeded lists name, by territory (`DE`, `FR`, `JP`).
pub fn seeded_services(pki: &TrustServicePki) -> Vec<ListedService> {
    let granted = |s: &str| {
        vec![StatusPeriod {
            status: s.into(),
            since: GRANTED_SINCE,
        }]
    };
    let withdrawn = vec![
        StatusPeriod {
            status: status::GRANTED.into(),
            since: GRANTED_SINCE,
        },
        StatusPeriod {
            status: status::WITHDRAWN.into(),
            since: WITHDRAWN_AT,
        },
    ];
    let service = |territory: &str,
                   provider: &str,
                   name: &str,
                   type_uri: &str,
                   identity: &Party,
                   history: Vec<StatusPeriod>| {
        ListedService {
            territory: territory.into(),
            provider: provider.into(),
            service_name: name.into(),
            type_uri: type_uri.into(),
            additional_info: if type_uri == types::CA_QC {
                vec![additional_info::FOR_ESEALS.into()]
            } else {
                vec![]
            },
            identities: vec![identity.cert_der.clone()],
            history,
        }
    };
    let mut out = Vec::new();
    for ms in [&pki.de, &pki.fr] {
        let t = ms.territory;
        out.push(service(
            t,
            &ms.seals.provider,
            &ms.seals.service_name,
            types::CA_QC,
            &ms.seals.ca,
            granted(status::GRANTED),
        ));
        out.push(service(
            t,
            &ms.seals.provider,
            &ms.tsa_name,
            types::TSA_QTST,
            &ms.tsa,
            granted(status::GRANTED),
        ));
        if let Some(w) = &ms.withdrawn {
            out.push(service(
                t,
                &w.provider,
                &w.service_name,
                types::CA_QC,
                &w.ca,
                withdrawn.clone(),
            ));
        }
        if let Some(w) = &ms.withdrawn_tsa {
            out.push(service(
                t,
                "Widerruf Trust AG",
                "Widerruf Trust TSU",
                types::TSA_QTST,
                w,
                withdrawn.clone(),
            ));
        }
        if let Some(e) = &ms.expired_tsa {
            out.push(service(
                t,
                &ms.seals.provider,
                "Exemple Confiance Horodatage 2025",
                types::TSA_QTST,
                e,
                granted(status::GRANTED),
            ));
        }
    }
    let jp = &pki.jp;
    out.push(service(
        "JP",
        &jp.seals.provider,
        &jp.tsa_name,
        types::JP_ACCREDITED_TSA,
        &jp.tsa,
        granted(status::JP_ACCREDITED),
    ));
    out.push(service(
        "JP",
        &jp.seals.provider,
        &jp.seals.service_name,
        types::JP_ACCREDITED_ESEAL,
        &jp.seals.ca,
        granted(status::JP_ACCREDITED),
    ));
    out.push(service(
        "JP",
        &jp.signatures.provider,
        &jp.signatures.service_name,
        types::JP_ACCREDITED_ESIG,
        &jp.signatures.ca,
        granted(status::JP_ACCREDITED),
    ));
    out
}

/// Escapes text for element content and attribute values.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn cert(der: &[u8]) -> String {
    format!(
        "<DigitalId><X509Certificate>{}</X509Certificate></DigitalId>",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

struct Scheme<'a> {
    tsl_type: &'a str,
    operator: &'a str,
    scheme_name: &'a str,
    territory: &'a str,
    sequence: u64,
}

fn scheme_information(s: &Scheme<'_>, pointers: &str, opts: &Options, own_file: &str) -> String {
    format!(
        "<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier>\
<TSLSequenceNumber>{seq}</TSLSequenceNumber><TSLType>{ty}</TSLType>\
<SchemeOperatorName><Name xml:lang=\"en\">{op}</Name></SchemeOperatorName>\
<SchemeName><Name xml:lang=\"en\">{name}</Name></SchemeName>\
<StatusDeterminationApproach>http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate</StatusDeterminationApproach>\
<SchemeTerritory>{terr}</SchemeTerritory><HistoricalInformationPeriod>65535</HistoricalInformationPeriod>\
{pointers}<ListIssueDateTime>{issued}</ListIssueDateTime><NextUpdate><dateTime>{next}</dateTime></NextUpdate>\
<DistributionPoints><URI>{base}/tl/{own_file}</URI></DistributionPoints></SchemeInformation>",
        seq = s.sequence,
        ty = esc(s.tsl_type),
        op = esc(s.operator),
        name = esc(s.scheme_name),
        terr = esc(s.territory),
        issued = format_time(opts.issued_at),
        next = format_time(opts.next_update),
        base = esc(&opts.base_url),
    )
}

fn service_xml(s: &ListedService) -> String {
    let (current, past) = s
        .history
        .split_last()
        .map_or((None, &[][..]), |(c, p)| (Some(c), p));
    let current = current.map_or(String::new(), |c| {
        format!(
            "<ServiceStatus>{}</ServiceStatus><StatusStartingTime>{}</StatusStartingTime>",
            esc(&c.status),
            format_time(c.since)
        )
    });
    let extensions = if s.additional_info.is_empty() {
        String::new()
    } else {
        let infos: String = s
            .additional_info
            .iter()
            .map(|u| format!("<Extension Critical=\"false\"><AdditionalServiceInformation><URI xml:lang=\"en\">{}</URI></AdditionalServiceInformation></Extension>", esc(u)))
            .collect();
        format!("<ServiceInformationExtensions>{infos}</ServiceInformationExtensions>")
    };
    let identity: String = s.identities.iter().map(|d| cert(d)).collect();
    let history: String = past
        .iter()
        .rev()
        .map(|p| {
            format!(
                "<ServiceHistoryInstance><ServiceTypeIdentifier>{ty}</ServiceTypeIdentifier>\
<ServiceName><Name xml:lang=\"en\">{name}</Name></ServiceName><ServiceDigitalIdentity>{identity}</ServiceDigitalIdentity>\
<ServiceStatus>{st}</ServiceStatus><StatusStartingTime>{at}</StatusStartingTime></ServiceHistoryInstance>",
                ty = esc(&s.type_uri),
                name = esc(&s.service_name),
                st = esc(&p.status),
                at = format_time(p.since),
            )
        })
        .collect();
    let history = if history.is_empty() {
        history
    } else {
        format!("<ServiceHistory>{history}</ServiceHistory>")
    };
    format!(
        "<TSPService><ServiceInformation><ServiceTypeIdentifier>{ty}</ServiceTypeIdentifier>\
<ServiceName><Name xml:lang=\"en\">{name}</Name></ServiceName><ServiceDigitalIdentity>{identity}</ServiceDigitalIdentity>\
{current}{extensions}</ServiceInformation>{history}</TSPService>",
        ty = esc(&s.type_uri),
        name = esc(&s.service_name),
    )
}

fn providers_xml(services: &[&ListedService]) -> String {
    let mut providers: Vec<&str> = Vec::new();
    for s in services {
        if !providers.contains(&s.provider.as_str()) {
            providers.push(&s.provider);
        }
    }
    let body: String = providers
        .iter()
        .map(|p| {
            let services: String = services.iter().filter(|s| s.provider == *p).map(|s| service_xml(s)).collect();
            format!(
                "<TrustServiceProvider><TSPInformation><TSPName><Name xml:lang=\"en\">{}</Name></TSPName></TSPInformation><TSPServices>{services}</TSPServices></TrustServiceProvider>",
                esc(p)
            )
        })
        .collect();
    format!("<TrustServiceProviderList>{body}</TrustServiceProviderList>")
}

fn document(scheme: &str, providers: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrustServiceStatusList xmlns=\"{TSL_NS}\" xmlns:tslx=\"{TSL_ADDITIONAL_NS}\" Id=\"tsl\" TSLTag=\"{TSL_TAG}\">{scheme}{providers}</TrustServiceStatusList>\n"
    )
}

/// An unsigned list of `services` for `territory`, signed by nobody yet.
pub fn unsigned_list(
    territory: &str,
    operator: &str,
    tsl_type: &str,
    services: &[&ListedService],
    opts: &Options,
) -> String {
    let scheme = Scheme {
        tsl_type,
        operator,
        scheme_name: &format!(
            "{territory}: Trusted list including information related to the qualified trust service providers"
        ),
        territory,
        sequence: 1,
    };
    document(
        &scheme_information(&scheme, "", opts, &format!("{territory}.xml")),
        &providers_xml(services),
    )
}

fn pointer(location: &str, territory: &str, ty: &str, signer: &Party) -> String {
    format!(
        "<OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity>{cert}</ServiceDigitalIdentity></ServiceDigitalIdentities>\
<TSLLocation>{loc}</TSLLocation><AdditionalInformation><OtherInformation><TSLType>{ty}</TSLType></OtherInformation>\
<OtherInformation><SchemeTerritory>{territory}</SchemeTerritory></OtherInformation>\
<OtherInformation><tslx:MimeType>{TL_MIME_TYPE}</tslx:MimeType></OtherInformation></AdditionalInformation></OtherTSLPointer>",
        cert = cert(&signer.cert_der),
        loc = esc(location),
    )
}

/// Why the lists could not be made.
#[derive(Debug, thiserror::Error)]
#[error("generating the trusted lists: {0}")]
pub struct GenerateError(#[from] xades::SignError);

/// The four signed lists of `pki`.
pub fn generate(pki: &TrustServicePki, opts: &Options) -> Result<Lists, GenerateError> {
    let services = seeded_services(pki);
    let of = |t: &str| {
        services
            .iter()
            .filter(|s| s.territory == t)
            .collect::<Vec<_>>()
    };
    let sign = |xml: String, by: &Party| xades::sign_enveloped(&xml, by, opts.issued_at);
    let de = sign(
        unsigned_list(
            "DE",
            "Bundesnetzagentur (Accord test)",
            tsl_type::EU_GENERIC,
            &of("DE"),
            opts,
        ),
        &pki.de.operator,
    )?;
    let fr = sign(
        unsigned_list(
            "FR",
            "ANSSI (Accord test)",
            tsl_type::EU_GENERIC,
            &of("FR"),
            opts,
        ),
        &pki.fr.operator,
    )?;
    let jp = sign(
        unsigned_list(
            "JP",
            "Accord proposal: Japanese accredited trust services",
            tsl_type::JP_PROPOSAL,
            &of("JP"),
            opts,
        ),
        &pki.jp.operator,
    )?;
    let location = |f: &str| format!("{}/tl/{f}", opts.base_url);
    let pointers = format!(
        "<PointersToOtherTSL>{}{}{}</PointersToOtherTSL>",
        pointer(
            &location("DE.xml"),
            "DE",
            tsl_type::EU_GENERIC,
            &pki.de.operator
        ),
        pointer(
            &location("FR.xml"),
            "FR",
            tsl_type::EU_GENERIC,
            &pki.fr.operator
        ),
        pointer(
            &location("JP.xml"),
            "JP",
            tsl_type::JP_PROPOSAL,
            &pki.jp.operator
        ),
    );
    let scheme = Scheme {
        tsl_type: tsl_type::EU_LOTL,
        operator: "European Commission (Accord test)",
        scheme_name: "EU: List of the Lists (Accord test)",
        territory: "EU",
        sequence: 1,
    };
    let lotl_signer = if opts.lotl_signed_by_next {
        &pki.lotl_operator_next
    } else {
        &pki.lotl_operator
    };
    let lotl = sign(
        document(
            &scheme_information(&scheme, &pointers, opts, "lotl.xml"),
            "",
        ),
        lotl_signer,
    )?;
    Ok(Lists { lotl, de, fr, jp })
}
