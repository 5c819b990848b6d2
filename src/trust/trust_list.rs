//! Signed trust lists, one per jurisdiction, in Accord's JSON model of the ETSI formats.
//!
//! The EU list follows the content of an ETSI TS 119 612 Trusted List (scheme operator,
//! sequence number, issue date, next update, services with a type, a status and their
//! certificates); the JP list follows ETSI TS 119 602 (List of Trusted Entities), with a
//! separate entry type for MIC-accredited e-seal providers, since no Japanese provider can be
//! a qualified (QEAA) provider in the EU (eIDAS Art. 14(1); docs/profiles.md pitfall 15). Both are
//! JSON signed as a compact JWS with the operator's certificate in `x5c`, as JAdES does for
//! the ETSI JSON bindings. The XML forms are not modelled.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::x5c::{Cert, check_signature, public_key};
use crate::formats::jose::{CompactJws, JoseError, SigningKey, sign_compact};
use crate::requirements::{Violation, catalogue as req};

/// The media type Accord gives a signed trust list.
pub const TYP: &str = "accord-trust-list+jwt";

/// ETSI TS 119 612 service status for a service in good standing.
pub const STATUS_GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
pub const STATUS_WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";

/// What kind of trusted entity an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryType {
    /// A qualified trust service provider issuing QEAAs (EU Trusted List only).
    QeaaProvider,
    /// A provider of non-qualified electronic attestations of attributes.
    EaaProvider,
    /// A public body issuing attestations from an authentic source (Pub-EAA).
    PubEaaProvider,
    /// A Japanese e-seal provider accredited by the Ministry of Internal Affairs and
    /// Communications (告示 of 2025-03-31). Never qualified in the EU.
    MicEsealProvider,
    /// A CA for relying-party (verifier) access certificates.
    RelyingPartyCa,
}

impl EntryType {
    /// The service type URI written in the list (ETSI-style; `MicEsealProvider` and
    /// `RelyingPartyCa` use Accord URNs because ETSI defines none).
    pub fn service_type_uri(self) -> &'static str {
        match self {
            EntryType::QeaaProvider => "http://uri.etsi.org/TrstSvc/Svctype/EAA/Q",
            EntryType::EaaProvider => "http://uri.etsi.org/TrstSvc/Svctype/EAA",
            EntryType::PubEaaProvider => "http://uri.etsi.org/TrstSvc/Svctype/EAA/Pub-EAA",
            EntryType::MicEsealProvider => "urn:accord:jp:svctype:mic-accredited-eseal",
            EntryType::RelyingPartyCa => "urn:accord:svctype:relying-party-ca",
        }
    }

    /// Only a QEAA provider on an EU list issues qualified attestations.
    pub fn is_qualified(self) -> bool {
        self == EntryType::QeaaProvider
    }
}

/// One trusted entity and its service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustListEntry {
    pub entity_name: String,
    pub entry_type: EntryType,
    pub service_type: String,
    pub status: String,
    /// Credential types (`vct` values) this entity is registered to issue.
    pub credential_types: Vec<String>,
    /// The entity's CA certificates, base64 DER: the anchors for its chains.
    pub certificates: Vec<String>,
}

/// A trust list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// `EU` or `JP`.
    pub jurisdiction: String,
    /// Which ETSI format this list models.
    pub format: String,
    pub scheme_operator: String,
    pub sequence_number: u64,
    /// NumericDate.
    pub issue_date: i64,
    /// NumericDate after which the list is stale (ETSI "next update").
    pub next_update: i64,
    pub entries: Vec<TrustListEntry>,
}

impl TrustList {
    /// Signs the list as a compact JWS with the operator's certificate in `x5c`.
    pub fn sign(
        &self,
        operator_key: &SigningKey,
        operator_cert_der: &[u8],
    ) -> Result<String, JoseError> {
        let mut header = Map::new();
        header.insert("typ".into(), json!(TYP));
        header.insert("x5c".into(), json!([base64_std(operator_cert_der)]));
        let Value::Object(payload) =
            serde_json::to_value(self).map_err(|e| JoseError::Key(e.to_string()))?
        else {
            return Err(JoseError::Key(
                "trust list did not serialise to an object".into(),
            ));
        };
        sign_compact(header, &payload, operator_key)
    }
}

/// Standard (not URL-safe) base64, as `x5c` and PEM use.
pub fn base64_std(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// A trust list whose signature checked out.
#[derive(Debug, Clone)]
pub struct VerifiedTrustList {
    pub list: TrustList,
    /// Subject of the certificate that signed it.
    pub signer: String,
    /// True when the signer was the pinned operator certificate; false when only the list's
    /// own `x5c` vouched for it (integrity without authenticity).
    pub signer_pinned: bool,
    /// Stale or otherwise questionable, but usable.
    pub findings: Vec<Violation>,
}

/// Verifies a signed trust list. `pinned_operator` is the operator certificate known out of
/// band; without it, the list is checked against its own `x5c` only and says so.
pub fn verify(
    token: &str,
    pinned_operator: Option<&[u8]>,
    now: i64,
) -> Result<VerifiedTrustList, Vec<Violation>> {
    let fail = |m: String| vec![Violation::new(&req::TL_SIGNATURE, m).at("trust-list")];
    let jws = CompactJws::parse(token.trim())
        .map_err(|e| fail(format!("not a signed trust list: {e}")))?;
    if jws.typ() != Some(TYP) {
        return Err(fail(format!(
            "`typ` is {}, expected {TYP:?}",
            jws.typ_shown()
        )));
    }
    let x5c = super::x5c::decode_x5c(jws.header.get("x5c")).map_err(|v| vec![v])?;
    // Pinning is by the operator's key: a re-issued operator certificate for the same key
    // still verifies (as do the seeded PKIs of separate processes, which share keys but not
    // the bytes of their randomised certificate signatures).
    let signer_der = match pinned_operator {
        Some(p) => {
            let same_key = match (Cert { der: p.to_vec() }.parse(), x5c[0].parse()) {
                (Ok(pinned), Ok(sent)) => {
                    pinned.tbs_certificate.subject_pki.raw == sent.tbs_certificate.subject_pki.raw
                }
                _ => false,
            };
            if !same_key {
                return Err(fail(
                    "signed by a key other than the pinned operator certificate's".into(),
                ));
            }
            p.to_vec()
        }
        None => x5c[0].der.clone(),
    };
    let cert = Cert { der: signer_der };
    let parsed = cert.parse().map_err(fail)?;
    let key = public_key(&parsed).map_err(fail)?;
    jws.verify(&key)
        .map_err(|e| fail(format!("trust list signature: {e}")))?;
    // A self-signed operator certificate must at least be internally consistent.
    if parsed.subject().as_raw() == parsed.issuer().as_raw() {
        check_signature(&parsed, &key).map_err(|e| fail(format!("operator certificate: {e}")))?;
    }
    let list: TrustList =
        serde_json::from_value(Value::Object(jws.payload.clone())).map_err(|e| {
            vec![
                Violation::new(
                    &req::TL_ENTRY_SERVICE_TYPE,
                    format!("trust list content: {e}"),
                )
                .at("trust-list.payload"),
            ]
        })?;
    let mut findings = Vec::new();
    if list.next_update < now {
        findings.push(
            Violation::new(
                &req::TL_FRESHNESS,
                format!(
                    "the list's next update was due at {}, before now ({now}); it is stale",
                    list.next_update
                ),
            )
            .at("trust-list.payload.next_update"),
        );
    }
    for (i, e) in list.entries.iter().enumerate() {
        if e.service_type != e.entry_type.service_type_uri() {
            findings.push(
                Violation::new(
                    &req::TL_ENTRY_SERVICE_TYPE,
                    format!(
                        "service type {} does not match entry type {:?}",
                        e.service_type, e.entry_type
                    ),
                )
                .at(format!("trust-list.payload.entries[{i}]")),
            );
        }
    }
    Ok(VerifiedTrustList {
        signer: parsed.subject().to_string(),
        signer_pinned: pinned_operator.is_some(),
        list,
        findings,
    })
}
