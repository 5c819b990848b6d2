//! The enveloped XAdES baseline B signature of a trusted list (TS 119 612 clause 5.7.1 and
//! annex B; EN 319 132-1 clause 6.3): made for the lists Accord generates, and verified as
//! EN 319 102-1 orders it for every list Accord reads.
//!
//! Verification: format checking (one `ds:Signature` child of the root, a Reference with
//! `URI=""` and the enveloped-signature transform so the whole list is signed, a Reference
//! of type SignedProperties), identification of the signing certificate (`ds:KeyInfo` and
//! the signed `SigningCertificateV2` digest agree), cryptographic verification (every
//! Reference's digest, then the SignatureValue over the canonical SignedInfo), and last the
//! trust anchor: the signer must hold the key of one of the certificates pinned for this list (by the
//! LOTL's pointer, or by configuration). A failed digest or signature value outranks an
//! unpinned signer (TOTAL-FAILED before INDETERMINATE, EN 319 102-1 clause 5.3.4).
//!
//! Only what trusted lists use is implemented: Reference URIs `""` and `#id`, the
//! enveloped-signature and C14N transforms, SHA-2 digests, ECDSA (P-256, P-384), RSA
//! PKCS#1 v1.5 and Ed25519 signature methods. Anything else is reported *not implemented*, never skipped.

use base64::Engine as _;
use roxmltree::{Document, Node};

use super::c14n::{self, Method};
use super::{format_time, parse_time};
use crate::formats::jose::Algorithm;
use crate::requirements::Violation;
use crate::requirements::trust_lists as req;
use crate::trust::ades::{SubIndication, ValidationReport};
use crate::trust::pki::Party;

pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
const ECDSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const RSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
const RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
const EDDSA_ED25519: &str = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519";

/// What verifying a list's signature found.
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    /// The EN 319 102-1 steps and outcome (format `XAdES`).
    pub report: ValidationReport,
    /// The signer's certificate, DER, when identified.
    pub signer: Option<Vec<u8>>,
    /// The signed `SigningTime`, Unix seconds.
    pub signing_time: Option<i64>,
    /// Each requirement that did not hold, with what and where.
    pub violations: Vec<Violation>,
}

impl SignatureCheck {
    fn fail(
        &mut self,
        requirement: &'static crate::requirements::Requirement,
        sub: SubIndication,
        message: impl Into<String>,
    ) {
        let message = message.into();
        self.report.fail(requirement, sub, message.clone());
        self.violations.push(Violation::new(requirement, message));
    }
}

fn digest(uri: &str, data: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::digest;
    let alg = match uri {
        SHA256 => &digest::SHA256,
        SHA384 => &digest::SHA384,
        SHA512 => &digest::SHA512,
        _ => return None,
    };
    Some(digest::digest(alg, data).as_ref().to_vec())
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Base64 as XML carries it: line breaks and spaces inside are allowed.
fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| {
        c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
    })
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| {
        c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
    })
}

fn descendant<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants().find(|c| {
        c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
    })
}

fn text_of(node: Option<Node<'_, '_>>) -> Option<String> {
    node.map(|n| {
        n.descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .collect()
    })
}

/// The element whose `Id` (or `ID`, `id`) is `id`, when exactly one has it: two elements
/// with one id are how signature wrapping attacks start, so they are refused.
fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Result<Node<'a, 'i>, String> {
    let mut found = doc.descendants().filter(|n| {
        n.is_element()
            && ["Id", "ID", "id"]
                .iter()
                .any(|a| n.attribute(*a) == Some(id))
    });
    match (found.next(), found.next()) {
        (Some(n), None) => Ok(n),
        (None, _) => Err(format!("no element has Id `{id}`")),
        (Some(_), Some(_)) => Err(format!("more than one element has Id `{id}`")),
    }
}

/// Verifies the enveloped signature of the list `xml` (already known to parse as `doc`),
/// with `pinned` the certificates allowed to sign it.
pub fn verify_document(doc: &Document<'_>, pinned: &[Vec<u8>]) -> SignatureCheck {
    let mut check = SignatureCheck {
        report: ValidationReport::new("XAdES"),
        signer: None,
        signing_time: None,
        violations: Vec::new(),
    };
    let root = doc.root_element();
    let signatures: Vec<_> = children(root, DSIG_NS, "Signature").collect();
    let signature = match signatures.as_slice() {
        [one] => *one,
        [] => {
            check.fail(
                &req::TL_XML_SIGNATURE,
                SubIndication::FormatFailure,
                "the list carries no ds:Signature as a child of its root: it is unsigned",
            );
            return check;
        }
        _ => {
            check.fail(
                &req::TL_XML_SIGNATURE,
                SubIndication::FormatFailure,
                format!(
                    "the list carries {} signatures; TS 119 612 annex B allows one",
                    signatures.len()
                ),
            );
            return check;
        }
    };
    let pos = |n: Node<'_, '_>| {
        let p = doc.text_pos_at(n.range().start);
        format!("line {}, column {}", p.row, p.col)
    };
    let Some(signed_info) = child(signature, DSIG_NS, "SignedInfo") else {
        check.fail(
            &req::TL_XML_SIGNATURE,
            SubIndication::FormatFailure,
            format!("ds:Signature at {} has no SignedInfo", pos(signature)),
        );
        return check;
    };
    let c14n_uri = child(signed_info, DSIG_NS, "CanonicalizationMethod")
        .and_then(|n| n.attribute("Algorithm"))
        .unwrap_or("");
    let Some(c14n_method) = Method::from_uri(c14n_uri) else {
        check
            .report
            .not_implemented(format!("canonicalization method `{c14n_uri}`"));
        return check;
    };
    let sig_uri = child(signed_info, DSIG_NS, "SignatureMethod")
        .and_then(|n| n.attribute("Algorithm"))
        .unwrap_or("")
        .to_string();

    // Format: which references, and is the whole list among what is signed?
    let mut whole_list_signed = false;
    let mut signed_properties_covered = None;
    let mut digests_hold = true;
    for reference in children(signed_info, DSIG_NS, "Reference") {
        let uri = reference.attribute("URI").unwrap_or("");
        let transforms: Vec<&str> = child(reference, DSIG_NS, "Transforms")
            .map(|t| {
                children(t, DSIG_NS, "Transform")
                    .filter_map(|x| x.attribute("Algorithm"))
                    .collect()
            })
            .unwrap_or_default();
        let target = if uri.is_empty() {
            root
        } else if let Some(id) = uri.strip_prefix('#') {
            match by_id(doc, id) {
                Ok(n) => n,
                Err(e) => {
                    check.fail(
                        &req::TL_XML_SIGNATURE,
                        SubIndication::FormatFailure,
                        format!("Reference `{uri}`: {e}"),
                    );
                    return check;
                }
            }
        } else {
            check.report.not_implemented(format!(
                "Reference URI `{uri}` (only \"\" and #id are read)"
            ));
            return check;
        };
        let mut omit = None;
        let mut method = Method::Inclusive;
        for t in &transforms {
            if *t == ENVELOPED {
                omit = Some(signature.id());
            } else if let Some(m) = Method::from_uri(t) {
                method = m;
            } else {
                check.report.not_implemented(format!("transform `{t}`"));
                return check;
            }
        }
        if target == root && omit.is_none() && signature.ancestors().any(|a| a == target) {
            check.fail(&req::TL_XML_SIGNATURE, SubIndication::FormatFailure, format!("Reference `{uri}` covers the signature itself but has no enveloped-signature transform"));
            return check;
        }
        if target == root && omit.is_some() {
            whole_list_signed = true;
        }
        let digest_uri = child(reference, DSIG_NS, "DigestMethod")
            .and_then(|n| n.attribute("Algorithm"))
            .unwrap_or("");
        let expected =
            text_of(child(reference, DSIG_NS, "DigestValue")).and_then(|t| b64_decode(&t));
        let Some(actual) = digest(digest_uri, &c14n::canonicalize(target, method, omit)) else {
            check
                .report
                .not_implemented(format!("digest method `{digest_uri}`"));
            return check;
        };
        if expected.as_deref() != Some(actual.as_slice()) {
            digests_hold = false;
            check.fail(
                &crate::requirements::ades::ADES_CRYPTO,
                SubIndication::HashFailure,
                format!("Reference `{uri}` at {}: the digest of what it covers is not its DigestValue (the list was changed after signing)", pos(reference)),
            );
        }
        if reference.attribute("Type") == Some(SIGNED_PROPERTIES_TYPE)
            && target.tag_name().namespace() == Some(XADES_NS)
            && target.tag_name().name() == "SignedProperties"
        {
            signed_properties_covered = Some(target);
        }
    }
    if !whole_list_signed {
        check.fail(&req::TL_XML_SIGNATURE, SubIndication::FormatFailure, "no Reference with URI=\"\" and the enveloped-signature transform: the whole list is not what was signed");
        return check;
    }
    check.report.pass(
        &req::TL_XML_SIGNATURE,
        "one enveloped signature whose Reference covers the whole list",
    );

    // The signing certificate: KeyInfo, and the signed reference to it.
    let Some(signer) = descendant(signature, DSIG_NS, "X509Certificate")
        .filter(|n| n.ancestors().any(|a| a.tag_name().name() == "KeyInfo"))
        .and_then(|n| text_of(Some(n)))
        .and_then(|t| b64_decode(&t))
    else {
        check.fail(
            &crate::requirements::ades::ADES_SIGNING_CERTIFICATE,
            SubIndication::NoSigningCertificateFound,
            "ds:KeyInfo carries no X509Certificate",
        );
        return check;
    };
    check.signer = Some(signer.clone());
    match signed_properties_covered {
        None => check.fail(&req::XADES_SIGNING_TIME, SubIndication::FormatFailure, "no Reference of type SignedProperties covers xades:SignedProperties: not XAdES baseline B"),
        Some(props) => {
            // The qualifying properties are bound to this signature by their Target, which no
            // digest covers: it must name the signature's Id (EN 319 132-1 clause 4.3.1).
            let target = props
                .ancestors()
                .find(|a| a.tag_name().namespace() == Some(XADES_NS) && a.tag_name().name() == "QualifyingProperties")
                .and_then(|q| q.attribute("Target"));
            let own = signature.attribute("Id").map(|id| format!("#{id}"));
            if target.is_none() || target != own.as_deref() {
                check.fail(
                    &crate::requirements::ades::ADES_FORMAT,
                    SubIndication::FormatFailure,
                    format!(
                        "QualifyingProperties/@Target is {target:?}; it must name this signature's Id ({own:?})"
                    ),
                );
            }
            match text_of(descendant(props, XADES_NS, "SigningTime")).as_deref().map(str::trim).map(parse_time) {
                Some(Some(t)) => {
                    check.signing_time = Some(t);
                    check.report.claimed_signing_time = Some(format_time(t));
                    check.report.pass(&req::XADES_SIGNING_TIME, format!("signed at {}", format_time(t)));
                }
                _ => check.fail(&req::XADES_SIGNING_TIME, SubIndication::FormatFailure, "SignedProperties carry no readable SigningTime"),
            }
            let cert_digest = descendant(props, XADES_NS, "SigningCertificateV2")
                .or_else(|| descendant(props, XADES_NS, "SigningCertificate"))
                .and_then(|sc| descendant(sc, XADES_NS, "CertDigest"));
            match cert_digest {
                None => check.fail(&req::XADES_SIGNING_CERTIFICATE, SubIndication::NoSigningCertificateFound, "SignedProperties carry no SigningCertificateV2"),
                Some(cd) => {
                    let uri = child(cd, DSIG_NS, "DigestMethod").and_then(|n| n.attribute("Algorithm")).unwrap_or("");
                    let value = text_of(child(cd, DSIG_NS, "DigestValue")).and_then(|t| b64_decode(&t));
                    match digest(uri, &signer) {
                        None => check.report.not_implemented(format!("certificate digest method `{uri}`")),
                        Some(d) if Some(&d) == value.as_ref() => check.report.pass(&req::XADES_SIGNING_CERTIFICATE, "the signed certificate digest is the KeyInfo certificate's"),
                        Some(_) => check.fail(&req::XADES_SIGNING_CERTIFICATE, SubIndication::NoSigningCertificateFound, "the signed certificate digest is not the KeyInfo certificate's"),
                    }
                }
            }
        }
    }

    // Cryptographic verification of SignedInfo.
    if x509_parser::parse_x509_certificate(&signer).is_err() {
        check.fail(
            &crate::requirements::ades::ADES_SIGNING_CERTIFICATE,
            SubIndication::NoSigningCertificateFound,
            "the KeyInfo certificate does not parse",
        );
        return check;
    }
    let value = text_of(child(signature, DSIG_NS, "SignatureValue"))
        .and_then(|t| b64_decode(&t))
        .unwrap_or_default();
    let canonical = c14n::canonicalize(signed_info, c14n_method, None);
    match verify_signature_value(&signer, &sig_uri, &canonical, &value) {
        Err(SignatureValue::NotImplemented(what)) => {
            check.report.not_implemented(what);
            return check;
        }
        Err(SignatureValue::Bad(why)) => check.fail(
            &crate::requirements::ades::ADES_CRYPTO,
            SubIndication::SigCryptoFailure,
            format!(
                "the SignatureValue does not verify under the signer's key with `{sig_uri}`: {why}"
            ),
        ),
        Ok(()) if digests_hold => check.report.pass(
            &crate::requirements::ades::ADES_CRYPTO,
            "every digest and the signature value verify",
        ),
        Ok(()) => {}
    }

    // The trust anchor: a pinned signer.
    if pinned.iter().any(|p| same_key(p, &signer)) {
        check.report.pass(
            &req::TL_XML_PINNED_SIGNER,
            "the signer's key is a pinned certificate's",
        );
    } else {
        let why = if pinned.is_empty() {
            "no signer certificate is pinned for this list (its LOTL pointer, or --list-cert)"
                .to_string()
        } else {
            format!(
                "the signer is none of the {} certificate(s) pinned for this list",
                pinned.len()
            )
        };
        check.fail(
            &req::TL_XML_PINNED_SIGNER,
            SubIndication::NoCertificateChainFound,
            why,
        );
    }
    if let Ok((_, c)) = x509_parser::parse_x509_certificate(&signer) {
        check.report.signer = Some(c.subject().to_string());
    }
    check
}

enum SignatureValue {
    NotImplemented(String),
    Bad(String),
}

/// Verifies a `SignatureValue` over the canonical SignedInfo with the signer certificate's
/// key. RSA (PKCS#1 v1.5) values are the raw signature; ECDSA values are `r || s` (XML
/// Signature 1.1 clause 6.4.3), re-encoded as DER for the CMS verifier, which holds the
/// key and algorithm rules for both; Ed25519 values go to the key directly.
fn verify_signature_value(
    signer: &[u8],
    method: &str,
    message: &[u8],
    value: &[u8],
) -> Result<(), SignatureValue> {
    use crate::formats::cms::{self, CmsFailure, oid};
    use aws_lc_rs::digest;
    if method == EDDSA_ED25519 {
        let (_, cert) = x509_parser::parse_x509_certificate(signer)
            .map_err(|e| SignatureValue::Bad(e.to_string()))?;
        let key = crate::trust::x5c::public_key(&cert).map_err(SignatureValue::Bad)?;
        if key.algorithm() != Algorithm::EdDSA {
            return Err(SignatureValue::Bad(
                "the signer's key is not Ed25519".into(),
            ));
        }
        return key
            .verify(message, value)
            .map_err(|e| SignatureValue::Bad(e.to_string()));
    }
    let (algorithm, hash, ecdsa) = match method {
        ECDSA_SHA256 => (oid::ECDSA_SHA256, &digest::SHA256, true),
        ECDSA_SHA384 => (oid::ECDSA_SHA384, &digest::SHA384, true),
        ECDSA_SHA512 => (oid::ECDSA_SHA512, &digest::SHA512, true),
        RSA_SHA256 => (oid::RSA_SHA256, &digest::SHA256, false),
        RSA_SHA384 => (oid::RSA_SHA384, &digest::SHA384, false),
        RSA_SHA512 => (oid::RSA_SHA512, &digest::SHA512, false),
        other => {
            return Err(SignatureValue::NotImplemented(format!(
                "signature method `{other}`"
            )));
        }
    };
    let der;
    let sig = if ecdsa {
        if value.is_empty() || !value.len().is_multiple_of(2) {
            return Err(SignatureValue::Bad(format!(
                "an ECDSA value is r || s of equal halves; this one is {} bytes",
                value.len()
            )));
        }
        let (r, s) = value.split_at(value.len() / 2);
        der = crate::formats::der::sequence(&[
            crate::formats::der::integer_unsigned(r),
            crate::formats::der::integer_unsigned(s),
        ]);
        &der[..]
    } else {
        value
    };
    cms::verify_signature(signer, algorithm, None, hash, message, sig).map_err(|e| match e {
        CmsFailure::Unsupported(what) => SignatureValue::NotImplemented(what),
        other => SignatureValue::Bad(other.to_string()),
    })
}

/// Whether two certificates certify the same public key (their SubjectPublicKeyInfo are the
/// same bytes). A pin is a trust decision about a key: the certificate a scheme operator
/// re-issues for the same key (a renewal, or the seeded PKI regenerated for a replay, whose
/// ECDSA certificate signatures differ from run to run) still authenticates its lists; a
/// new key never does.
pub fn same_key(a: &[u8], b: &[u8]) -> bool {
    let spki = |der: &[u8]| {
        x509_parser::parse_x509_certificate(der)
            .ok()
            .map(|(_, c)| c.tbs_certificate.subject_pki.raw.to_vec())
    };
    match (spki(a), spki(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Verifies the enveloped signature of `xml`; a document that does not parse is
/// TOTAL-FAILED/FORMAT_FAILURE.
pub fn verify_enveloped(xml: &str, pinned: &[Vec<u8>]) -> SignatureCheck {
    match Document::parse(xml) {
        Ok(doc) => verify_document(&doc, pinned),
        Err(e) => {
            let mut check = SignatureCheck {
                report: ValidationReport::new("XAdES"),
                signer: None,
                signing_time: None,
                violations: Vec::new(),
            };
            check.fail(
                &req::TL_XML_ROOT,
                SubIndication::FormatFailure,
                format!("not well-formed XML: {e}"),
            );
            check
        }
    }
}

/// Why a list could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the document to sign is not well-formed XML: {0}")]
    NotXml(String),
    #[error("the document to sign already carries a ds:Signature")]
    AlreadySigned,
    #[error("signing failed: {0}")]
    Key(String),
}

/// Signs `xml` (an unsigned list) with an enveloped XAdES baseline B signature by `signer`
/// at `signing_time`: exclusive C14N, SHA-256, the signer's ECDSA or EdDSA key, KeyInfo with
/// its certificate, and SignedProperties with SigningTime and SigningCertificateV2.
pub fn sign_enveloped(xml: &str, signer: &Party, signing_time: i64) -> Result<String, SignError> {
    let doc = Document::parse(xml).map_err(|e| SignError::NotXml(e.to_string()))?;
    let root = doc.root_element();
    if child(root, DSIG_NS, "Signature").is_some() {
        return Err(SignError::AlreadySigned);
    }
    let list_digest = b64(
        &digest(SHA256, &c14n::canonicalize(root, Method::Exclusive, None)).unwrap_or_default(),
    );
    let cert_digest = b64(&digest(SHA256, &signer.cert_der).unwrap_or_default());
    let sig_method = match signer.key.algorithm() {
        Algorithm::ES256 => ECDSA_SHA256,
        Algorithm::ES384 => ECDSA_SHA384,
        Algorithm::EdDSA => EDDSA_ED25519,
    };
    let signed_properties = format!(
        "<xades:SignedProperties Id=\"xades-tl-signature\"><xades:SignedSignatureProperties>\
<xades:SigningTime>{}</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest>\
<ds:DigestMethod Algorithm=\"{SHA256}\"/><ds:DigestValue>{cert_digest}</ds:DigestValue></xades:CertDigest>\
</xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties><xades:SignedDataObjectProperties>\
<xades:DataObjectFormat ObjectReference=\"#ref-tl\"><xades:MimeType>text/xml</xades:MimeType>\
</xades:DataObjectFormat></xades:SignedDataObjectProperties></xades:SignedProperties>",
        format_time(signing_time)
    );
    let assemble = |props_digest: &str, value: &str| {
        format!(
            "<ds:Signature xmlns:ds=\"{DSIG_NS}\" Id=\"tl-signature\"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm=\"{exc}\"/><ds:SignatureMethod Algorithm=\"{sig_method}\"/>\
<ds:Reference Id=\"ref-tl\" URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"{ENVELOPED}\"/>\
<ds:Transform Algorithm=\"{exc}\"/></ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256}\"/>\
<ds:DigestValue>{list_digest}</ds:DigestValue></ds:Reference>\
<ds:Reference Type=\"{SIGNED_PROPERTIES_TYPE}\" URI=\"#xades-tl-signature\"><ds:Transforms>\
<ds:Transform Algorithm=\"{exc}\"/></ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256}\"/>\
<ds:DigestValue>{props_digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>\
<ds:SignatureValue>{value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}\
</ds:X509Certificate></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties \
xmlns:xades=\"{XADES_NS}\" Target=\"#tl-signature\">{signed_properties}</xades:QualifyingProperties>\
</ds:Object></ds:Signature>",
            exc = c14n::EXC_C14N,
            cert = b64(&signer.cert_der),
        )
    };
    // Where the signature goes: just before the root's end tag, with no whitespace around
    // it, so the enveloped-signature transform gives back exactly the unsigned list.
    let root_end = root.range().end;
    let close = xml[..root_end]
        .rfind("</")
        .ok_or(SignError::NotXml("the root element has no end tag".into()))?;
    let insert = |signature: &str| format!("{}{}{}", &xml[..close], signature, &xml[close..]);

    let draft = insert(&assemble("", ""));
    let draft_doc = Document::parse(&draft).map_err(|e| SignError::NotXml(e.to_string()))?;
    let props = by_id(&draft_doc, "xades-tl-signature").map_err(SignError::NotXml)?;
    let props_digest = b64(
        &digest(SHA256, &c14n::canonicalize(props, Method::Exclusive, None)).unwrap_or_default(),
    );

    let unsigned = insert(&assemble(&props_digest, ""));
    let unsigned_doc = Document::parse(&unsigned).map_err(|e| SignError::NotXml(e.to_string()))?;
    let signed_info = descendant(unsigned_doc.root_element(), DSIG_NS, "SignedInfo")
        .ok_or(SignError::NotXml("SignedInfo went missing".into()))?;
    let value = signer
        .key
        .sign(&c14n::canonicalize(signed_info, Method::Exclusive, None))
        .map_err(|e| SignError::Key(e.to_string()))?;
    Ok(insert(&assemble(&props_digest, &b64(&value))))
}

/// `xml` without its enveloped signature (to re-sign a list with another key).
pub fn strip_signature(xml: &str) -> Result<String, String> {
    let doc = Document::parse(xml).map_err(|e| format!("not well-formed XML: {e}"))?;
    let Some(signature) = child(doc.root_element(), DSIG_NS, "Signature") else {
        return Ok(xml.to_string());
    };
    let r = signature.range();
    Ok(format!("{}{}", &xml[..r.start], &xml[r.end..]))
}
