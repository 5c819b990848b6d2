//! CMS SignedData (RFC 5652): parse and verify one signer's signature, and sign. It is the
//! envelope of RFC 3161 time-stamp tokens (`trust::tsp`) and of PAdES signatures (a PDF's
//! `/Contents`), so it owns what both share: the signed attributes (content type, message
//! digest, signing time, the ESS signing-certificate attributes of RFC 2634 / RFC 5035), the
//! identification of the signer's certificate, and the signature over the DER SET OF the
//! signed attributes (RFC 5652 §5.4).
//!
//! What it does not judge: whether the signer's certificate is trusted, valid at a time, or
//! listed; the callers do that with what they know (a trusted list, a pinned certificate).
//!
//! Algorithms verified: ECDSA on P-256 / P-384 with SHA-256/384/512, RSA PKCS#1 v1.5 with
//! SHA-256/384/512, RSASSA-PSS with SHA-256/384/512, MGF1 of the same hash and a salt of the
//! hash's length. Anything else is [`CmsFailure::Unsupported`] (Accord cannot check it: a
//! caller reports *not implemented*, never a verdict). Signing uses ECDSA with the hash of
//! the key's curve (P-256: SHA-256, P-384: SHA-384).

use aws_lc_rs::digest;
use aws_lc_rs::signature;
use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use super::der::{self, DerError, Reader, Tlv, tag};
use crate::formats::jose::Algorithm;
use crate::trust::ades::{SubIndication, ValidationReport};
use crate::trust::pki::Party;

/// Object identifiers CMS signers and validators use.
pub mod oid {
    /// id-data, RFC 5652 §4.
    pub const DATA: &str = "1.2.840.113549.1.7.1";
    /// id-signedData, RFC 5652 §5.1.
    pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    /// id-ct-TSTInfo, RFC 3161 §2.4.2.
    pub const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
    /// id-contentType, RFC 5652 §11.1.
    pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
    /// id-messageDigest, RFC 5652 §11.2.
    pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
    /// id-signingTime, RFC 5652 §11.3.
    pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
    /// id-aa-signingCertificate (ESS, SHA-1 ESSCertID), RFC 2634 §5.4.
    pub const SIGNING_CERTIFICATE: &str = "1.2.840.113549.1.9.16.2.12";
    /// id-aa-signingCertificateV2, RFC 5035 §3.
    pub const SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";
    /// id-aa-signatureTimeStampToken, RFC 3161 Appendix A (the AdES signature time-stamp).
    pub const SIGNATURE_TIME_STAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
    /// id-aa-ets-archiveTimestampV3, ETSI EN 319 122-1 §5.5.3.
    pub const ARCHIVE_TIME_STAMP_V3: &str = "0.4.0.1733.2.4";
    /// id-aa-ets-sigPolicyId, RFC 5126 §5.8.1.
    pub const SIG_POLICY_ID: &str = "1.2.840.113549.1.9.16.2.15";
    /// id-sha1 (ESS v1 certificate hashes only).
    pub const SHA1: &str = "1.3.14.3.2.26";
    pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
    pub const SHA384: &str = "2.16.840.1.101.3.4.2.2";
    pub const SHA512: &str = "2.16.840.1.101.3.4.2.3";
    pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    pub const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
    pub const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
    pub const ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
    pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    pub const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
    pub const RSA_SHA384: &str = "1.2.840.113549.1.1.12";
    pub const RSA_SHA512: &str = "1.2.840.113549.1.1.13";
    pub const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    pub const MGF1: &str = "1.2.840.113549.1.1.8";
    pub const P256: &str = "1.2.840.10045.3.1.7";
    pub const P384: &str = "1.3.132.0.34";
}

/// Why a SignedData did not verify. [`CmsFailure::sub_indication`] maps each to EN 319 102-1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CmsFailure {
    /// Not DER, not a SignedData, a mandatory field or attribute missing.
    #[error("CMS format: {0}")]
    Format(String),
    /// The message-digest attribute is not the hash of the content.
    #[error("CMS content hash: {0}")]
    Hash(String),
    /// The signature value does not verify under the signer certificate's key.
    #[error("CMS signature: {0}")]
    SigCrypto(String),
    /// The signer's certificate is not in the SignedData (or given), or the ESS
    /// signing-certificate attribute names another certificate.
    #[error("CMS signing certificate: {0}")]
    NoSigningCertificate(String),
    /// The detached content was needed and not given.
    #[error("CMS signed data not found: {0}")]
    SignedDataNotFound(String),
    /// An algorithm or structure Accord does not implement.
    #[error("not implemented in Accord's CMS: {0}")]
    Unsupported(String),
}

impl CmsFailure {
    /// The EN 319 102-1 clause 5.1.3 sub-indication. [`CmsFailure::Unsupported`] maps to
    /// CRYPTO_CONSTRAINTS_FAILURE only for callers that need one; validators report it as
    /// not implemented instead ([`CmsFailure::record`]).
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            CmsFailure::Format(_) => SubIndication::FormatFailure,
            CmsFailure::Hash(_) => SubIndication::HashFailure,
            CmsFailure::SigCrypto(_) => SubIndication::SigCryptoFailure,
            CmsFailure::NoSigningCertificate(_) => SubIndication::NoSigningCertificateFound,
            CmsFailure::SignedDataNotFound(_) => SubIndication::SignedDataNotFound,
            CmsFailure::Unsupported(_) => SubIndication::CryptoConstraintsFailure,
        }
    }

    /// Records this failure in `report` under `requirement`: a failed step with its
    /// sub-indication, or for [`CmsFailure::Unsupported`] a failed step and the outcome
    /// *not implemented*.
    pub fn record(
        &self,
        report: &mut ValidationReport,
        requirement: &'static crate::requirements::Requirement,
    ) {
        if let CmsFailure::Unsupported(what) = self {
            report.steps.push(crate::trust::ades::Step {
                requirement: requirement.id,
                passed: false,
                detail: self.to_string(),
            });
            report.not_implemented(what.clone());
        } else {
            report.fail(requirement, self.sub_indication(), self.to_string());
        }
    }
}

impl From<DerError> for CmsFailure {
    fn from(e: DerError) -> Self {
        CmsFailure::Format(e.to_string())
    }
}

/// One attribute: its type and each value's DER encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub oid: String,
    pub values: Vec<Vec<u8>>,
}

impl Attribute {
    /// An attribute with one value (DER-encoded).
    pub fn single(oid: &str, value: Vec<u8>) -> Self {
        Self {
            oid: oid.to_owned(),
            values: vec![value],
        }
    }

    fn encode(&self) -> Vec<u8> {
        der::sequence(&[der::oid(&self.oid), der::set_of(&self.values)])
    }
}

/// One ESSCertID / ESSCertIDv2 (RFC 2634 §5.4.1, RFC 5035 §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EssCertId {
    /// Dotted OID of the hash (SHA-1 for v1, SHA-256 when v2 leaves it to its DEFAULT).
    pub hash_algorithm: String,
    pub cert_hash: Vec<u8>,
    /// `IssuerSerial` DER, when present.
    pub issuer_serial: Option<Vec<u8>>,
}

/// The content of a signing-certificate attribute (v1 or v2): the certificates named,
/// the signer's first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EssSigningCertificate {
    /// `true` for id-aa-signingCertificateV2.
    pub v2: bool,
    pub certs: Vec<EssCertId>,
}

/// A SignedData whose one signer's signature verified, and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedSignedData {
    /// DER of the signer's certificate.
    pub signer_cert: Vec<u8>,
    /// Every certificate the SignedData carries (X.509 only), in order.
    pub certificates: Vec<Vec<u8>>,
    /// The signing-time attribute, Unix seconds.
    pub signing_time: Option<i64>,
    /// Dotted OIDs.
    pub digest_algorithm: String,
    pub signature_algorithm: String,
    pub signature_value: Vec<u8>,
    pub signed_attributes: Vec<Attribute>,
    pub unsigned_attributes: Vec<Attribute>,
    /// id-aa-signingCertificateV2, checked to name the signer's certificate.
    pub signing_certificate_v2: Option<EssSigningCertificate>,
    /// id-aa-signingCertificate (v1), checked to name the signer's certificate.
    pub signing_certificate_v1: Option<EssSigningCertificate>,
    pub econtent_type: String,
    /// The encapsulated content; `None` when detached.
    pub econtent: Option<Vec<u8>>,
}

impl VerifiedSignedData {
    /// The unsigned attribute of type `oid`, if present.
    pub fn unsigned(&self, oid: &str) -> Option<&Attribute> {
        self.unsigned_attributes.iter().find(|a| a.oid == oid)
    }

    /// The signed attribute of type `oid`, if present.
    pub fn signed(&self, oid: &str) -> Option<&Attribute> {
        self.signed_attributes.iter().find(|a| a.oid == oid)
    }
}

/// The structure of a SignedData, before any check.
#[derive(Debug, Clone)]
pub struct ParsedSignedData<'a> {
    pub econtent_type: String,
    pub econtent: Option<&'a [u8]>,
    pub certificates: Vec<&'a [u8]>,
    pub signer: ParsedSignerInfo<'a>,
}

/// The one SignerInfo of a SignedData.
#[derive(Debug, Clone)]
pub struct ParsedSignerInfo<'a> {
    pub sid: SignerId<'a>,
    pub digest_algorithm: String,
    /// The `[0] IMPLICIT` signed attributes, as they appear (tag 0xa0).
    pub signed_attrs_raw: &'a [u8],
    pub signed_attributes: Vec<Attribute>,
    pub signature_algorithm: String,
    /// The signature AlgorithmIdentifier's parameters (DER), for RSASSA-PSS.
    pub signature_parameters: Option<&'a [u8]>,
    pub signature: &'a [u8],
    pub unsigned_attributes: Vec<Attribute>,
}

/// How a SignerInfo names its certificate (RFC 5652 §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId<'a> {
    IssuerAndSerial { issuer: &'a [u8], serial: &'a [u8] },
    SubjectKeyIdentifier(&'a [u8]),
}

fn parse_attributes(tlv: Tlv<'_>, what: &str) -> Result<Vec<Attribute>, DerError> {
    let mut r = tlv.reader()?;
    let mut out = Vec::new();
    while !r.is_empty() {
        let attr = r.expect(tag::SEQUENCE, what)?;
        let mut a = attr.reader()?;
        let oid = a.expect(tag::OID, "attrType")?.oid()?;
        let set = a.expect(tag::SET, "attrValues")?;
        a.finish("Attribute")?;
        let mut values = Vec::new();
        let mut v = set.reader()?;
        while !v.is_empty() {
            values.push(v.next_tlv("AttributeValue")?.raw.to_vec());
        }
        if values.is_empty() {
            return Err(DerError {
                what: format!("attribute {oid}"),
                offset: set.offset,
                reason: "no value (RFC 5652 §5.3: SET SIZE (1..MAX))".into(),
            });
        }
        out.push(Attribute { oid, values });
    }
    Ok(out)
}

fn algorithm_identifier<'a>(
    r: &mut Reader<'a>,
    what: &str,
) -> Result<(String, Option<&'a [u8]>), DerError> {
    let alg = r.expect(tag::SEQUENCE, what)?;
    let mut a = alg.reader()?;
    let oid = a.expect(tag::OID, "algorithm")?.oid()?;
    let params = if a.is_empty() {
        None
    } else {
        Some(a.next_tlv("parameters")?.raw)
    };
    a.finish(what)?;
    Ok((oid, params))
}

/// Parses a DER `ContentInfo` holding a SignedData with exactly one signer.
pub fn parse_signed_data(bytes: &[u8]) -> Result<ParsedSignedData<'_>, CmsFailure> {
    let ci = der::parse_one(bytes, tag::SEQUENCE, "ContentInfo")?;
    let mut ci = ci.reader()?;
    let ct = ci.expect(tag::OID, "contentType")?.oid()?;
    if ct != oid::SIGNED_DATA {
        return Err(CmsFailure::Format(format!(
            "the ContentInfo holds {ct}, not id-signedData (RFC 5652 §5.1)"
        )));
    }
    let explicit = ci.expect(tag::context(0), "content")?;
    ci.finish("ContentInfo")?;
    let mut inner = explicit.reader()?;
    let sd = inner.expect(tag::SEQUENCE, "SignedData")?;
    inner.finish("content")?;
    let mut sd = sd.reader()?;
    let version = sd.expect(tag::INTEGER, "SignedData.version")?.u64()?;
    if !matches!(version, 1 | 3 | 4 | 5) {
        return Err(CmsFailure::Format(format!(
            "SignedData version {version} (RFC 5652 §5.1: 1, 3, 4 or 5)"
        )));
    }
    sd.expect(tag::SET, "digestAlgorithms")?;
    let encap = sd.expect(tag::SEQUENCE, "encapContentInfo")?;
    let mut e = encap.reader()?;
    let econtent_type = e.expect(tag::OID, "eContentType")?.oid()?;
    let econtent = match e.optional(tag::context(0), "eContent")? {
        Some(wrapper) => {
            let mut w = wrapper.reader()?;
            let octets = w.expect(tag::OCTET_STRING, "eContent")?;
            w.finish("eContent")?;
            Some(octets.content)
        }
        None => None,
    };
    e.finish("encapContentInfo")?;
    let mut certificates = Vec::new();
    if let Some(certs) = sd.optional(tag::context(0), "certificates")? {
        let mut c = certs.reader()?;
        while !c.is_empty() {
            let cert = c.next_tlv("CertificateChoices")?;
            // Only X.509 certificates; attribute and other certificates are skipped.
            if cert.tag == tag::SEQUENCE {
                certificates.push(cert.raw);
            }
        }
    }
    sd.optional(tag::context(1), "crls")?;
    let infos = sd.expect(tag::SET, "signerInfos")?;
    sd.finish("SignedData")?;
    let mut infos = infos.reader()?;
    let si = infos.expect(tag::SEQUENCE, "SignerInfo")?;
    if !infos.is_empty() {
        return Err(CmsFailure::Unsupported(
            "a SignedData with more than one signer".into(),
        ));
    }
    let signer = parse_signer_info(si)?;
    Ok(ParsedSignedData {
        econtent_type,
        econtent,
        certificates,
        signer,
    })
}

fn parse_signer_info(si: Tlv<'_>) -> Result<ParsedSignerInfo<'_>, CmsFailure> {
    let mut s = si.reader()?;
    let version = s.expect(tag::INTEGER, "SignerInfo.version")?.u64()?;
    let sid_tlv = s.next_tlv("sid")?;
    let sid = match (version, sid_tlv.tag) {
        (1, tag::SEQUENCE) => {
            let mut r = sid_tlv.reader()?;
            let issuer = r.expect(tag::SEQUENCE, "issuer")?.raw;
            let serial = r.expect(tag::INTEGER, "serialNumber")?.integer()?;
            r.finish("IssuerAndSerialNumber")?;
            SignerId::IssuerAndSerial { issuer, serial }
        }
        (3, t) if t == tag::context_primitive(0) => SignerId::SubjectKeyIdentifier(sid_tlv.content),
        (v, t) => {
            return Err(CmsFailure::Format(format!(
                "SignerInfo version {v} with a sid of tag 0x{t:02x} (RFC 5652 §5.3: version 1 \
                 with issuerAndSerialNumber, 3 with subjectKeyIdentifier)"
            )));
        }
    };
    let (digest_algorithm, _) = algorithm_identifier(&mut s, "digestAlgorithm")?;
    let Some(signed) = s.optional(tag::context(0), "signedAttrs")? else {
        return Err(CmsFailure::Unsupported(
            "a SignerInfo without signed attributes".into(),
        ));
    };
    let signed_attributes = parse_attributes(signed, "signed Attribute")?;
    let (signature_algorithm, signature_parameters) =
        algorithm_identifier(&mut s, "signatureAlgorithm")?;
    let signature = s.expect(tag::OCTET_STRING, "signature")?.content;
    let unsigned_attributes = match s.optional(tag::context(1), "unsignedAttrs")? {
        Some(u) => parse_attributes(u, "unsigned Attribute")?,
        None => Vec::new(),
    };
    s.finish("SignerInfo")?;
    Ok(ParsedSignerInfo {
        sid,
        digest_algorithm,
        signed_attrs_raw: signed.raw,
        signed_attributes,
        signature_algorithm,
        signature_parameters,
        signature,
        unsigned_attributes,
    })
}

/// The aws-lc-rs digest for a hash OID.
pub fn digest_algorithm(oid_text: &str) -> Result<&'static digest::Algorithm, CmsFailure> {
    match oid_text {
        oid::SHA256 => Ok(&digest::SHA256),
        oid::SHA384 => Ok(&digest::SHA384),
        oid::SHA512 => Ok(&digest::SHA512),
        oid::SHA1 => Ok(&digest::SHA1_FOR_LEGACY_USE_ONLY),
        other => Err(CmsFailure::Unsupported(format!("digest algorithm {other}"))),
    }
}

fn single_value<'a>(
    attrs: &'a [Attribute],
    oid_text: &str,
) -> Result<Option<&'a [u8]>, CmsFailure> {
    let mut found = attrs.iter().filter(|a| a.oid == oid_text);
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || first.values.len() != 1 {
        return Err(CmsFailure::Format(format!(
            "the signed attribute {oid_text} appears more than once or with several values \
             (RFC 5652 §11)"
        )));
    }
    Ok(Some(&first.values[0]))
}

/// Verifies the one signer of `bytes` (a DER ContentInfo of SignedData) over its
/// encapsulated content or, when detached, over `detached`. The signer's certificate is
/// taken from the SignedData's certificates.
pub fn verify_signed_data(
    bytes: &[u8],
    detached: Option<&[u8]>,
) -> Result<VerifiedSignedData, CmsFailure> {
    verify_signed_data_with(bytes, detached, &[])
}

/// [`verify_signed_data`], also looking for the signer's certificate in `extra_certs`
/// (DER; a PDF's DSS, a pinned TSA certificate).
pub fn verify_signed_data_with(
    bytes: &[u8],
    detached: Option<&[u8]>,
    extra_certs: &[Vec<u8>],
) -> Result<VerifiedSignedData, CmsFailure> {
    let parsed = parse_signed_data(bytes)?;
    let signer = &parsed.signer;
    let content: &[u8] = match (parsed.econtent, detached) {
        (Some(c), _) => c,
        (None, Some(d)) => d,
        (None, None) => {
            return Err(CmsFailure::SignedDataNotFound(
                "the content is detached and was not given".into(),
            ));
        }
    };
    // RFC 5652 §11.1: contentType present and equal to eContentType.
    let content_type =
        single_value(&signer.signed_attributes, oid::CONTENT_TYPE)?.ok_or_else(|| {
            CmsFailure::Format("no content-type signed attribute (RFC 5652 §11.1 MUST)".into())
        })?;
    let ct = der::parse_one(content_type, tag::OID, "content-type attribute")?.oid()?;
    if ct != parsed.econtent_type {
        return Err(CmsFailure::Format(format!(
            "the content-type attribute says {ct}, the eContentType {} (RFC 5652 §11.1)",
            parsed.econtent_type
        )));
    }
    // RFC 5652 §11.2: messageDigest is the digest of the content.
    let hash = digest_algorithm(&signer.digest_algorithm)?;
    if hash == &digest::SHA1_FOR_LEGACY_USE_ONLY {
        return Err(CmsFailure::Unsupported(
            "SHA-1 as the signer's digest algorithm".into(),
        ));
    }
    let md = single_value(&signer.signed_attributes, oid::MESSAGE_DIGEST)?.ok_or_else(|| {
        CmsFailure::Format("no message-digest signed attribute (RFC 5652 §11.2 MUST)".into())
    })?;
    let md = der::parse_one(md, tag::OCTET_STRING, "message-digest attribute")?.content;
    if md != digest::digest(hash, content).as_ref() {
        return Err(CmsFailure::Hash(
            "the message-digest attribute is not the hash of the content (RFC 5652 §11.2)".into(),
        ));
    }
    let signing_time = match single_value(&signer.signed_attributes, oid::SIGNING_TIME)? {
        Some(v) => Some(der::Reader::new(v).next_tlv("signing-time")?.time()?.0),
        None => None,
    };
    // The signer's certificate: the one the sid names.
    let pool: Vec<&[u8]> = parsed
        .certificates
        .iter()
        .copied()
        .chain(extra_certs.iter().map(Vec::as_slice))
        .collect();
    let signer_cert = pool
        .iter()
        .copied()
        .find(|c| sid_matches(&signer.sid, c))
        .ok_or_else(|| {
            CmsFailure::NoSigningCertificate(
                "no certificate carried or given matches the SignerInfo's sid".into(),
            )
        })?;
    // ESS: the signing-certificate attribute, when present, names this certificate first.
    let v2 = ess_attribute(&signer.signed_attributes, true)?;
    let v1 = ess_attribute(&signer.signed_attributes, false)?;
    for ess in [&v2, &v1].into_iter().flatten() {
        check_ess_names(ess, signer_cert)?;
    }
    // RFC 5652 §5.4: the signature is over the DER of the signed attributes as a SET OF.
    let mut signed = signer.signed_attrs_raw.to_vec();
    signed[0] = tag::SET;
    verify_signature(
        signer_cert,
        &signer.signature_algorithm,
        signer.signature_parameters,
        hash,
        &signed,
        signer.signature,
    )?;
    Ok(VerifiedSignedData {
        signer_cert: signer_cert.to_vec(),
        certificates: parsed.certificates.iter().map(|c| c.to_vec()).collect(),
        signing_time,
        digest_algorithm: signer.digest_algorithm.clone(),
        signature_algorithm: signer.signature_algorithm.clone(),
        signature_value: signer.signature.to_vec(),
        signed_attributes: signer.signed_attributes.clone(),
        unsigned_attributes: signer.unsigned_attributes.clone(),
        signing_certificate_v2: v2,
        signing_certificate_v1: v1,
        econtent_type: parsed.econtent_type.clone(),
        econtent: parsed.econtent.map(<[u8]>::to_vec),
    })
}

fn sid_matches(sid: &SignerId<'_>, cert_der: &[u8]) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(cert_der) else {
        return false;
    };
    match sid {
        SignerId::IssuerAndSerial { issuer, serial } => {
            cert.issuer().as_raw() == *issuer && cert.raw_serial() == *serial
        }
        SignerId::SubjectKeyIdentifier(ski) => cert.extensions().iter().any(|e| {
            matches!(e.parsed_extension(), ParsedExtension::SubjectKeyIdentifier(k) if k.0 == *ski)
        }),
    }
}

fn ess_attribute(
    attrs: &[Attribute],
    v2: bool,
) -> Result<Option<EssSigningCertificate>, CmsFailure> {
    let which = if v2 {
        oid::SIGNING_CERTIFICATE_V2
    } else {
        oid::SIGNING_CERTIFICATE
    };
    let Some(value) = single_value(attrs, which)? else {
        return Ok(None);
    };
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    let outer = der::parse_one(value, tag::SEQUENCE, "SigningCertificate")?;
    let mut o = outer.reader()?;
    let certs = o.expect(tag::SEQUENCE, "certs")?;
    let mut c = certs.reader()?;
    let mut out = Vec::new();
    while !c.is_empty() {
        let id = c.expect(tag::SEQUENCE, "ESSCertID")?;
        let mut r = id.reader()?;
        let hash_algorithm = if v2 && r.peek_tag() == Some(tag::SEQUENCE) {
            algorithm_identifier(&mut r, "hashAlgorithm")?.0
        } else if v2 {
            oid::SHA256.to_owned()
        } else {
            oid::SHA1.to_owned()
        };
        let cert_hash = r.expect(tag::OCTET_STRING, "certHash")?.content.to_vec();
        let issuer_serial = r
            .optional(tag::SEQUENCE, "issuerSerial")?
            .map(|t| t.raw.to_vec());
        r.finish("ESSCertID")?;
        out.push(EssCertId {
            hash_algorithm,
            cert_hash,
            issuer_serial,
        });
    }
    if out.is_empty() {
        return Err(CmsFailure::Format(
            "a signing-certificate attribute naming no certificate".into(),
        ));
    }
    Ok(Some(EssSigningCertificate { v2, certs: out }))
}

/// RFC 5035 §4 / RFC 2634 §5.4: the first ESSCertID is the signer's certificate; its hash
/// (and issuerSerial, when present) must match.
fn check_ess_names(ess: &EssSigningCertificate, cert_der: &[u8]) -> Result<(), CmsFailure> {
    let first = &ess.certs[0];
    let hash = digest_algorithm(&first.hash_algorithm)?;
    if digest::digest(hash, cert_der).as_ref() != first.cert_hash.as_slice() {
        return Err(CmsFailure::NoSigningCertificate(format!(
            "the ESS signing-certificate{} attribute names another certificate than the \
             signer's (its certHash differs)",
            if ess.v2 { "-v2" } else { "" }
        )));
    }
    if let Some(is) = &first.issuer_serial {
        let Ok((_, cert)) = X509Certificate::from_der(cert_der) else {
            return Err(CmsFailure::NoSigningCertificate(
                "the signer's certificate cannot be parsed".into(),
            ));
        };
        let expected = issuer_serial(cert.issuer().as_raw(), cert.raw_serial());
        if *is != expected {
            return Err(CmsFailure::NoSigningCertificate(
                "the ESS issuerSerial names another certificate than the signer's".into(),
            ));
        }
    }
    Ok(())
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }` with the issuer as a
/// directoryName (`[4]` EXPLICIT Name).
fn issuer_serial(issuer_name_der: &[u8], serial_content: &[u8]) -> Vec<u8> {
    der::sequence(&[
        der::sequence(&[der::context(4, issuer_name_der)]),
        der::tlv(tag::INTEGER, serial_content),
    ])
}

/// Verifies `sig` over `message` with the key of `cert_der` and the CMS signature algorithm.
pub fn verify_signature(
    cert_der: &[u8],
    signature_algorithm: &str,
    parameters: Option<&[u8]>,
    hash: &'static digest::Algorithm,
    message: &[u8],
    sig: &[u8],
) -> Result<(), CmsFailure> {
    let (_, cert) = X509Certificate::from_der(cert_der).map_err(|e| {
        CmsFailure::NoSigningCertificate(format!("the signer's certificate does not parse: {e}"))
    })?;
    let spki = cert.public_key();
    let key_alg = spki.algorithm.algorithm.to_id_string();
    let key = &spki.subject_public_key.data;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string())
        .unwrap_or_default();
    let unsupported = || {
        CmsFailure::Unsupported(format!(
            "signature algorithm {signature_algorithm} with a {key_alg} key {curve}"
        ))
    };
    let ec_hash = match signature_algorithm {
        oid::ECDSA_SHA256 => Some(&digest::SHA256),
        oid::ECDSA_SHA384 => Some(&digest::SHA384),
        oid::ECDSA_SHA512 => Some(&digest::SHA512),
        // Some signers name the key's algorithm; the digest algorithm then says the hash.
        oid::EC_PUBLIC_KEY => Some(hash),
        _ => None,
    };
    let alg: &'static dyn signature::VerificationAlgorithm = if let Some(h) = ec_hash {
        if key_alg != oid::EC_PUBLIC_KEY {
            return Err(unsupported());
        }
        let h256 = h == &digest::SHA256;
        let h384 = h == &digest::SHA384;
        let h512 = h == &digest::SHA512;
        match curve.as_str() {
            oid::P256 if h256 => &signature::ECDSA_P256_SHA256_ASN1,
            oid::P256 if h384 => &signature::ECDSA_P256_SHA384_ASN1,
            oid::P256 if h512 => &signature::ECDSA_P256_SHA512_ASN1,
            oid::P384 if h256 => &signature::ECDSA_P384_SHA256_ASN1,
            oid::P384 if h384 => &signature::ECDSA_P384_SHA384_ASN1,
            oid::P384 if h512 => &signature::ECDSA_P384_SHA512_ASN1,
            _ => return Err(unsupported()),
        }
    } else {
        if key_alg != oid::RSA_ENCRYPTION {
            return Err(unsupported());
        }
        let by_hash = |h: &'static digest::Algorithm| -> Option<&'static dyn signature::VerificationAlgorithm> {
            if h == &digest::SHA256 {
                Some(&signature::RSA_PKCS1_2048_8192_SHA256)
            } else if h == &digest::SHA384 {
                Some(&signature::RSA_PKCS1_2048_8192_SHA384)
            } else if h == &digest::SHA512 {
                Some(&signature::RSA_PKCS1_2048_8192_SHA512)
            } else {
                None
            }
        };
        match signature_algorithm {
            oid::RSA_SHA256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            oid::RSA_SHA384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            oid::RSA_SHA512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            oid::RSA_ENCRYPTION => by_hash(hash).ok_or_else(unsupported)?,
            oid::RSA_PSS => pss_algorithm(parameters)?,
            _ => return Err(unsupported()),
        }
    };
    signature::UnparsedPublicKey::new(alg, key)
        .verify(message, sig)
        .map_err(|_| {
            CmsFailure::SigCrypto(
                "the signature value does not verify under the signer certificate's key".into(),
            )
        })
}

/// RSASSA-PSS-params (RFC 4055 §3.1) Accord verifies: SHA-256/384/512, MGF1 with the same
/// hash, a salt as long as the hash, trailer 1. The DEFAULTs (SHA-1) are not supported.
fn pss_algorithm(
    parameters: Option<&[u8]>,
) -> Result<&'static dyn signature::VerificationAlgorithm, CmsFailure> {
    let unsupported = |why: &str| CmsFailure::Unsupported(format!("RSASSA-PSS {why}"));
    let params = parameters.ok_or_else(|| unsupported("without parameters"))?;
    let seq = der::parse_one(params, tag::SEQUENCE, "RSASSA-PSS-params")?;
    let mut r = seq.reader()?;
    let hash = match r.optional(tag::context(0), "hashAlgorithm")? {
        Some(h) => algorithm_identifier(&mut h.reader()?, "hashAlgorithm")?.0,
        None => oid::SHA1.to_owned(),
    };
    let mgf_hash = match r.optional(tag::context(1), "maskGenAlgorithm")? {
        Some(m) => {
            let (mgf, inner) = algorithm_identifier(&mut m.reader()?, "maskGenAlgorithm")?;
            if mgf != oid::MGF1 {
                return Err(unsupported(&format!("with mask generation {mgf}")));
            }
            let inner = inner.ok_or_else(|| unsupported("MGF1 without a hash"))?;
            algorithm_identifier(&mut Reader::new(inner), "MGF1 hash")?.0
        }
        None => oid::SHA1.to_owned(),
    };
    let salt = match r.optional(tag::context(2), "saltLength")? {
        Some(s) => s.reader()?.expect(tag::INTEGER, "saltLength")?.u64()?,
        None => 20,
    };
    if let Some(t) = r.optional(tag::context(3), "trailerField")?
        && t.reader()?.expect(tag::INTEGER, "trailerField")?.u64()? != 1
    {
        return Err(unsupported("with a trailer other than 1"));
    }
    r.finish("RSASSA-PSS-params")?;
    if hash != mgf_hash {
        return Err(unsupported(
            "with MGF1 over another hash than the message's",
        ));
    }
    match (hash.as_str(), salt) {
        (oid::SHA256, 32) => Ok(&signature::RSA_PSS_2048_8192_SHA256),
        (oid::SHA384, 48) => Ok(&signature::RSA_PSS_2048_8192_SHA384),
        (oid::SHA512, 64) => Ok(&signature::RSA_PSS_2048_8192_SHA512),
        (h, s) => Err(unsupported(&format!(
            "with hash {h} and a salt of {s} bytes"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

/// What a signature covers.
#[derive(Debug, Clone, Copy)]
pub enum SignedContent<'a> {
    /// The content, encapsulated in the SignedData.
    Attached(&'a [u8]),
    /// The content, hashed and left out (a detached signature).
    Detached(&'a [u8]),
    /// The hash of a detached content, computed by the caller with the signer's digest
    /// algorithm ([`signer_digest`]); a PDF signer hashes its byte ranges so.
    DetachedDigest(&'a [u8]),
}

/// A signature to make.
pub struct SignRequest<'a> {
    pub content: SignedContent<'a>,
    /// Dotted OID of the content type (`id-data` for PAdES, `id-ct-TSTInfo` for a TSA).
    pub content_type: &'a str,
    pub signer: &'a Party,
    /// Certificates to carry after the signer's own (its chain), DER.
    pub chain: &'a [Vec<u8>],
    /// Carry the signer's certificate and `chain` in `certificates` (RFC 3161 §2.4.1: a TSA
    /// leaves them out when the request's certReq is false).
    pub include_certificates: bool,
    /// The signing-time attribute (RFC 5652 §11.3), Unix seconds.
    pub signing_time: Option<i64>,
    pub extra_signed_attributes: Vec<Attribute>,
    pub unsigned_attributes: Vec<Attribute>,
    /// Adds id-aa-signingCertificateV2 (RFC 5035) naming the signer's certificate by its
    /// SHA-256 hash and issuer/serial.
    pub signing_certificate_v2: bool,
}

/// The digest algorithm Accord signs with for `signer`: SHA-256 for P-256, SHA-384 for P-384.
pub fn signer_digest(signer: &Party) -> Result<&'static digest::Algorithm, CmsFailure> {
    match signer.key.algorithm() {
        Algorithm::ES256 => Ok(&digest::SHA256),
        Algorithm::ES384 => Ok(&digest::SHA384),
        other => Err(CmsFailure::Unsupported(format!(
            "signing CMS with a {other} key"
        ))),
    }
}

fn digest_oid(d: &'static digest::Algorithm) -> &'static str {
    if d == &digest::SHA384 {
        oid::SHA384
    } else if d == &digest::SHA512 {
        oid::SHA512
    } else {
        oid::SHA256
    }
}

/// Signs as `request` says and returns the DER ContentInfo of a SignedData.
pub fn sign(request: &SignRequest<'_>) -> Result<Vec<u8>, CmsFailure> {
    let hash = signer_digest(request.signer)?;
    let (digest_value, econtent) = match request.content {
        SignedContent::Attached(c) => (digest::digest(hash, c).as_ref().to_vec(), Some(c)),
        SignedContent::Detached(c) => (digest::digest(hash, c).as_ref().to_vec(), None),
        SignedContent::DetachedDigest(d) => {
            if d.len() != hash.output_len() {
                return Err(CmsFailure::Format(format!(
                    "a digest of {} bytes for a {}-byte hash",
                    d.len(),
                    hash.output_len()
                )));
            }
            (d.to_vec(), None)
        }
    };
    let cert_der = &request.signer.cert_der;
    let (_, cert) = X509Certificate::from_der(cert_der)
        .map_err(|e| CmsFailure::Format(format!("the signer's certificate: {e}")))?;
    let issuer = cert.issuer().as_raw();
    let serial = cert.raw_serial();

    let mut attrs = vec![
        Attribute::single(oid::CONTENT_TYPE, der::oid(request.content_type)),
        Attribute::single(oid::MESSAGE_DIGEST, der::octet_string(&digest_value)),
    ];
    if let Some(t) = request.signing_time {
        // RFC 5652 §11.3: UTCTime for 1950 to 2049, GeneralizedTime otherwise.
        let time = der::utc_time(t)
            .or_else(|_| der::generalized_time(t, 0))
            .map_err(CmsFailure::Format)?;
        attrs.push(Attribute::single(oid::SIGNING_TIME, time));
    }
    if request.signing_certificate_v2 {
        // ESSCertIDv2 with hashAlgorithm left to its DEFAULT (SHA-256), as DER requires.
        let cert_hash = digest::digest(&digest::SHA256, cert_der);
        let id = der::sequence(&[
            der::octet_string(cert_hash.as_ref()),
            issuer_serial(issuer, serial),
        ]);
        attrs.push(Attribute::single(
            oid::SIGNING_CERTIFICATE_V2,
            der::sequence(&[der::sequence(&[id])]),
        ));
    }
    attrs.extend(request.extra_signed_attributes.iter().cloned());
    let encoded: Vec<Vec<u8>> = attrs.iter().map(Attribute::encode).collect();
    let signed_set = der::set_of(&encoded);
    let raw = request
        .signer
        .key
        .sign(&signed_set)
        .map_err(|e| CmsFailure::SigCrypto(format!("signing: {e}")))?;
    let signature = der::ecdsa_raw_to_der(&raw).map_err(CmsFailure::SigCrypto)?;
    let signature_algorithm = if hash == &digest::SHA384 {
        oid::ECDSA_SHA384
    } else {
        oid::ECDSA_SHA256
    };

    let mut signed_attrs_implicit = signed_set;
    signed_attrs_implicit[0] = tag::context(0);
    let mut signer_info = vec![
        der::integer_u64(1),
        der::sequence(&[issuer.to_vec(), der::tlv(tag::INTEGER, serial)]),
        der::algorithm(digest_oid(hash)),
        signed_attrs_implicit,
        der::algorithm(signature_algorithm),
        der::octet_string(&signature),
    ];
    if !request.unsigned_attributes.is_empty() {
        let encoded: Vec<Vec<u8>> = request
            .unsigned_attributes
            .iter()
            .map(Attribute::encode)
            .collect();
        let mut set = der::set_of(&encoded);
        set[0] = tag::context(1);
        signer_info.push(set);
    }
    let mut encap = vec![der::oid(request.content_type)];
    if let Some(c) = econtent {
        encap.push(der::context(0, &der::octet_string(c)));
    }
    let mut certs = vec![cert_der.clone()];
    certs.extend(request.chain.iter().filter(|c| *c != cert_der).cloned());
    // RFC 5652 §5.1: version 3 when the content type is not id-data, else 1.
    let version = if request.content_type == oid::DATA {
        1
    } else {
        3
    };
    let mut signed_data = vec![
        der::integer_u64(version),
        der::set_of(&[der::algorithm(digest_oid(hash))]),
        der::sequence(&encap),
    ];
    if request.include_certificates {
        signed_data.push(der::context(0, &certs.concat()));
    }
    signed_data.push(der::set_of(&[der::sequence(&signer_info)]));
    let signed_data = der::sequence(&signed_data);
    Ok(der::sequence(&[
        der::oid(oid::SIGNED_DATA),
        der::context(0, &signed_data),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::tsp_pki::TrustServicePki;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn pki() -> &'static TrustServicePki {
        static PKI: OnceLock<TrustServicePki> = OnceLock::new();
        PKI.get_or_init(|| TrustServicePki::generate(3).unwrap())
    }

    fn signed(content: SignedContent<'_>) -> Vec<u8> {
        let p = pki();
        sign(&SignRequest {
            content,
            content_type: oid::DATA,
            signer: &p.de.seals.leaf,
            chain: std::slice::from_ref(&p.de.seals.ca.cert_der),
            include_certificates: true,
            signing_time: Some(1_780_000_000),
            extra_signed_attributes: vec![],
            unsigned_attributes: vec![Attribute::single(
                oid::SIGNATURE_TIME_STAMP_TOKEN,
                der::null(),
            )],
            signing_certificate_v2: true,
        })
        .unwrap()
    }

    #[test]
    fn sign_and_verify_round_trip() {
        let p = pki();
        let cms = signed(SignedContent::Attached(b"hello"));
        let v = verify_signed_data(&cms, None).unwrap();
        assert_eq!(v.signer_cert, p.de.seals.leaf.cert_der);
        assert_eq!(v.certificates.len(), 2);
        assert_eq!(v.signing_time, Some(1_780_000_000));
        assert_eq!(v.econtent.as_deref(), Some(&b"hello"[..]));
        assert_eq!(v.signature_algorithm, oid::ECDSA_SHA256);
        assert!(v.signing_certificate_v2.is_some());
        assert_eq!(
            v.unsigned(oid::SIGNATURE_TIME_STAMP_TOKEN).unwrap().values,
            vec![der::null()]
        );

        let detached = signed(SignedContent::Detached(b"pdf bytes"));
        assert!(verify_signed_data(&detached, Some(b"pdf bytes")).is_ok());
        assert!(matches!(
            verify_signed_data(&detached, Some(b"pdf bytez")),
            Err(CmsFailure::Hash(_))
        ));
        assert!(matches!(
            verify_signed_data(&detached, None),
            Err(CmsFailure::SignedDataNotFound(_))
        ));
        let d = digest::digest(&digest::SHA256, b"pdf bytes");
        let by_digest = signed(SignedContent::DetachedDigest(d.as_ref()));
        assert!(verify_signed_data(&by_digest, Some(b"pdf bytes")).is_ok());
    }

    #[test]
    fn every_signed_attribute_byte_is_protected() {
        let cms = signed(SignedContent::Attached(b"hello"));
        let parsed = parse_signed_data(&cms).unwrap();
        let raw = parsed.signer.signed_attrs_raw;
        let start = raw.as_ptr() as usize - cms.as_ptr() as usize;
        for i in start..start + raw.len() {
            let mut t = cms.clone();
            t[i] ^= 0x01;
            assert!(
                verify_signed_data(&t, None).is_err(),
                "signed attribute byte {i} flipped and still verifies"
            );
        }
    }

    #[test]
    fn a_foreign_signer_certificate_is_refused() {
        let p = pki();
        let cms = signed(SignedContent::Attached(b"hello"));
        // The ESS attribute names the seal; a certificate with another key cannot stand in.
        let err = verify_signature(
            &p.fr.seals.leaf.cert_der,
            oid::ECDSA_SHA256,
            None,
            &digest::SHA256,
            b"x",
            b"\x30\x00",
        )
        .unwrap_err();
        assert!(matches!(err, CmsFailure::SigCrypto(_)), "{err}");
        assert_eq!(err.sub_indication(), SubIndication::SigCryptoFailure);
        let ess = ess_attribute(
            &parse_signed_data(&cms).unwrap().signer.signed_attributes,
            true,
        )
        .unwrap()
        .unwrap();
        assert!(matches!(
            check_ess_names(&ess, &p.fr.seals.leaf.cert_der),
            Err(CmsFailure::NoSigningCertificate(_))
        ));
        assert!(check_ess_names(&ess, &p.de.seals.leaf.cert_der).is_ok());
    }

    #[test]
    fn unsupported_algorithms_are_named() {
        let p = pki();
        let err = verify_signature(
            &p.de.seals.leaf.cert_der,
            "1.3.101.112",
            None,
            &digest::SHA256,
            b"x",
            b"y",
        )
        .unwrap_err();
        assert!(matches!(err, CmsFailure::Unsupported(_)), "{err}");
        let mut report = ValidationReport::new("RFC 3161");
        err.record(
            &mut report,
            &crate::requirements::timestamps::TSP_TOKEN_SIGNATURE,
        );
        assert!(matches!(
            report.outcome,
            crate::trust::ades::Outcome::NotImplemented { .. }
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn garbage_and_truncations_never_panic(
            cut in 0usize..4096,
            flip in 0usize..4096,
            noise in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            static CMS: OnceLock<Vec<u8>> = OnceLock::new();
            let cms = CMS.get_or_init(|| signed(SignedContent::Attached(b"hello")));
            let cut = cut % (cms.len() + 1);
            let _ = verify_signed_data(&cms[..cut], None);
            let mut t = cms.clone();
            let at = flip % t.len();
            t[at] = t[at].wrapping_add(1);
            let _ = verify_signed_data(&t, Some(b"x"));
            let _ = verify_signed_data(&noise, None);
            let mut spliced = cms[..cut].to_vec();
            spliced.extend(&noise);
            let _ = verify_signed_data(&spliced, None);
        }
    }
}
