//! RFC 3161 time-stamp tokens over a run's final head: the request Accord sends to a
//! time-stamping authority (TSA), the answer it reads, and the check of the token a bundle
//! embeds. Sans I/O: bytes in, bytes or a verdict out; `cli/bundle_cmd.rs` does the POST.
//!
//! The time-stamped datum is the run's final head: the hash of its last event, which is the
//! SHA-256 of that event's canonical form, so the token's `messageImprint` is
//! `{sha256, head}` (RFC 3161 §2.4.1) and proves the whole chain up to it existed at
//! `genTime`.
//!
//! DER is read by the crate's strict bounded walker ([`crate::formats::der`]) rather than a
//! CMS crate: the check needs the exact bytes of `eContent` and of the signed attributes
//! (re-tagged as a SET, RFC 5652 §5.4), which the certificate parser does not expose for CMS
//! structures. (`trust::tsp` is the full RFC 3161 validator; this one checks a bundle's
//! token against its log head only.)

use aws_lc_rs::digest;
use aws_lc_rs::signature;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::entropy::Entropy;
use crate::formats::der::{Reader, Tlv, tlv};

/// The bundle file holding the token (a DER `ContentInfo`).
pub const TOKEN_FILE: &str = "TIMESTAMP.tst";
/// Largest TSA answer read.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

// Object identifiers, as the content bytes of their DER encoding.
/// id-signedData, 1.2.840.113549.1.7.2 (RFC 5652 §5.1).
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// id-ct-TSTInfo, 1.2.840.113549.1.9.16.1.4 (RFC 3161 §2.4.2).
const OID_TST_INFO: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
];
/// id-sha256, 2.16.840.1.101.3.4.2.1.
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
/// id-sha384, 2.16.840.1.101.3.4.2.2.
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
/// id-sha512, 2.16.840.1.101.3.4.2.3.
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
/// id-contentType, 1.2.840.113549.1.9.3.
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
/// id-messageDigest, 1.2.840.113549.1.9.4.
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
/// id-aa-signingCertificate, 1.2.840.113549.1.9.16.2.12 (RFC 2634 §5.4, SHA-1 ESSCertID).
const OID_SIGNING_CERT: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c,
];
/// id-aa-signingCertificateV2, 1.2.840.113549.1.9.16.2.47 (RFC 5816 §2.2.1).
const OID_SIGNING_CERT_V2: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f,
];
/// ecdsa-with-SHA256 / -SHA384, 1.2.840.10045.4.3.2 / .3.
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
/// id-ecPublicKey, 1.2.840.10045.2.1 (a signature algorithm some signers name instead).
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// rsaEncryption and sha256/384/512WithRSAEncryption, 1.2.840.113549.1.1.{1,11,12,13}.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OID_RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
/// id-kp-timeStamping, 1.3.6.1.5.5.7.3.8.
const OID_KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// A time-stamp request for `head` (the hex SHA-256 of a run's last event), with a nonce.
#[derive(Debug, Clone)]
pub struct Request {
    pub der: Vec<u8>,
    pub nonce: Vec<u8>,
}

/// Builds a `TimeStampReq` (RFC 3161 §2.4.1): version 1, `messageImprint` `{sha256, head}`,
/// a 64-bit nonce, `certReq` true (the TSA puts its certificate in the token).
pub fn request(head: &str, entropy: &mut dyn Entropy) -> Result<Request, String> {
    let imprint = head_bytes(head)?;
    let mut nonce = [0u8; 8];
    entropy.fill(&mut nonce);
    // A positive INTEGER in its minimal form: top bit clear, first byte not zero.
    nonce[0] = (nonce[0] & 0x7f) | 0x40;
    let algorithm = tlv(0x30, &[tlv(0x06, OID_SHA256), vec![0x05, 0x00]].concat());
    let message_imprint = tlv(0x30, &[algorithm, tlv(0x04, &imprint)].concat());
    let body = [
        tlv(0x02, &[1]),
        message_imprint,
        tlv(0x02, &nonce),
        tlv(0x01, &[0xff]),
    ]
    .concat();
    Ok(Request {
        der: tlv(0x30, &body),
        nonce: nonce.to_vec(),
    })
}

fn head_bytes(head: &str) -> Result<Vec<u8>, String> {
    let bytes: Option<Vec<u8>> = (0..head.len())
        .step_by(2)
        .map(|i| {
            head.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    match bytes {
        Some(b) if b.len() == 32 && head.len() == 64 => Ok(b),
        _ => Err(format!("{head:?} is not a hex SHA-256 head")),
    }
}

/// Reads a `TimeStampResp` (RFC 3161 §2.4.2): the token when the status is granted (0) or
/// granted with modifications (1), checked against the request (its imprint and nonce).
pub fn read_reply(reply: &[u8], request: &Request, head: &str) -> Result<Vec<u8>, String> {
    let mut top = Reader::new(reply);
    let resp = top.expect(0x30, "TimeStampResp")?;
    let mut resp = Reader::new(resp.content);
    let status_info = resp.expect(0x30, "PKIStatusInfo")?;
    let status = Reader::new(status_info.content).expect(0x02, "PKIStatus")?;
    let granted = matches!(status.content, [0] | [1]);
    if !granted {
        return Err(format!(
            "the TSA refused the request (PKIStatus {:?}; RFC 3161 §2.4.2)",
            status.content
        ));
    }
    let token = resp.expect(0x30, "timeStampToken")?;
    let token = token.raw.to_vec();
    let info = parse_token(&token)?;
    if info.imprint != head_bytes(head)? {
        return Err("the token's messageImprint is not the head asked for".into());
    }
    if info.nonce.as_deref() != Some(request.nonce.as_slice()) {
        return Err("the token's nonce is not the request's (RFC 3161 §2.4.2 MUST)".into());
    }
    Ok(token)
}

/// What a token says, before its signature is checked.
#[derive(Debug, Clone)]
struct TokenInfo<'a> {
    imprint: Vec<u8>,
    gen_time: String,
    serial: Vec<u8>,
    nonce: Option<Vec<u8>>,
    e_content: &'a [u8],
    digest_algorithm: &'a [u8],
    signed_attrs: Tlv<'a>,
    signature_algorithm: &'a [u8],
    signature: &'a [u8],
    certificates: Vec<&'a [u8]>,
}

/// A checked token: when and by whom the head was stamped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// `genTime` as the token writes it (GeneralizedTime, e.g. `20261203155411Z`).
    pub gen_time: String,
    /// The TSA certificate's subject.
    pub tsa: String,
    /// The token's serial number, hex.
    pub serial: String,
}

/// Checks `token` (a DER `ContentInfo`) as a time-stamp over `head`, signed by `tsa_cert`
/// (DER) when given, else by the certificate the token carries that its signed attributes
/// name (then the signer is not pinned: the caller says so).
///
/// Checked (RFC 3161 §2.4.2, RFC 5652 §5.4, §11, RFC 5816): a SignedData of a TSTInfo, the
/// imprint is `{sha256, head}`, the `contentType` and `messageDigest` signed attributes match
/// the content, the ESS signing-certificate attribute names the TSA certificate, the
/// signature over the signed attributes verifies with its key, the certificate is for time
/// stamping only (extendedKeyUsage critical, id-kp-timeStamping, RFC 3161 §2.3) and was valid
/// at `genTime`.
pub fn verify(token: &[u8], head: &str, tsa_cert: Option<&[u8]>) -> Result<Stamped, String> {
    let info = parse_token(token)?;
    if info.imprint != head_bytes(head)? {
        return Err(format!(
            "the token stamps another datum than the log's head {head} (messageImprint)"
        ));
    }
    // The signed attributes: contentType is TSTInfo, messageDigest is the content's hash.
    let mut content_type = None;
    let mut message_digest = None;
    let mut ess_cert = None;
    let mut attrs = Reader::new(info.signed_attrs.content);
    while !attrs.is_empty() {
        let attr = attrs.expect(0x30, "Attribute")?;
        let mut a = Reader::new(attr.content);
        let oid = a.expect(0x06, "attrType")?.content;
        let values = a.expect(0x31, "attrValues")?;
        let first = Reader::new(values.content).next_tlv("element")?;
        match oid {
            o if o == OID_CONTENT_TYPE => content_type = Some(first.content),
            o if o == OID_MESSAGE_DIGEST => message_digest = Some(first.content),
            o if o == OID_SIGNING_CERT_V2 => ess_cert = Some((true, first)),
            o if o == OID_SIGNING_CERT => ess_cert = Some((false, first)),
            _ => {}
        }
    }
    if content_type != Some(OID_TST_INFO) {
        return Err(
            "the signed contentType attribute is not id-ct-TSTInfo (RFC 5652 §11.1)".into(),
        );
    }
    let hash = digest_for(info.digest_algorithm)?;
    if message_digest != Some(digest::digest(hash, info.e_content).as_ref()) {
        return Err(
            "the signed messageDigest is not the hash of the TSTInfo (RFC 5652 §11.2)".into(),
        );
    }
    let Some((v2, ess)) = ess_cert else {
        return Err(
            "no ESS signing-certificate attribute names the TSA's certificate (RFC 3161 §2.4.1 MUST)"
                .into(),
        );
    };
    let named_hash = ess_cert_hash(v2, ess)?;
    let cert_der = match tsa_cert {
        Some(der) => der.to_vec(),
        None => info
            .certificates
            .iter()
            .find(|c| named_hash.matches(c))
            .map(|c| c.to_vec())
            .ok_or("the token carries no certificate its signed attributes name")?,
    };
    if !named_hash.matches(&cert_der) {
        return Err(
            "the token was signed by another TSA certificate than the one trusted (ESS certHash)"
                .into(),
        );
    }
    let (_, cert) = X509Certificate::from_der(&cert_der)
        .map_err(|e| format!("the TSA certificate cannot be parsed: {e}"))?;
    check_time_stamping_cert(&cert, &info.gen_time)?;
    // RFC 5652 §5.4: the signature covers the DER of the signed attributes as a SET OF.
    let mut signed = info.signed_attrs.raw.to_vec();
    signed[0] = 0x31;
    verify_signature(
        &cert,
        info.signature_algorithm,
        hash,
        &signed,
        info.signature,
    )?;
    Ok(Stamped {
        gen_time: info.gen_time,
        tsa: cert.subject().to_string(),
        serial: crate::events::hex(&info.serial),
    })
}

/// The hash a certificate's ESS attribute gives, and how to compare a certificate with it.
struct NamedHash {
    algorithm: &'static digest::Algorithm,
    hash: Vec<u8>,
}

impl NamedHash {
    fn matches(&self, cert: &[u8]) -> bool {
        digest::digest(self.algorithm, cert).as_ref() == self.hash.as_slice()
    }
}

fn ess_cert_hash(v2: bool, attr: Tlv<'_>) -> Result<NamedHash, String> {
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), ... }
    let mut outer = Reader::new(attr.content);
    let certs = outer.expect(0x30, "certs")?;
    let first = Reader::new(certs.content).expect(0x30, "ESSCertID")?;
    let mut id = Reader::new(first.content);
    if !v2 {
        let hash = id.expect(0x04, "certHash")?.content.to_vec();
        return Ok(NamedHash {
            algorithm: &digest::SHA1_FOR_LEGACY_USE_ONLY,
            hash,
        });
    }
    // ESSCertIDv2: hashAlgorithm DEFAULT sha256.
    let mut algorithm: &'static digest::Algorithm = &digest::SHA256;
    if id.peek_tag() == Some(0x30) {
        let alg = id.expect(0x30, "hashAlgorithm")?;
        let oid = Reader::new(alg.content).expect(0x06, "algorithm")?.content;
        algorithm = digest_for(oid)?;
    }
    let hash = id.expect(0x04, "certHash")?.content.to_vec();
    Ok(NamedHash { algorithm, hash })
}

fn digest_for(oid: &[u8]) -> Result<&'static digest::Algorithm, String> {
    match oid {
        o if o == OID_SHA256 => Ok(&digest::SHA256),
        o if o == OID_SHA384 => Ok(&digest::SHA384),
        o if o == OID_SHA512 => Ok(&digest::SHA512),
        _ => Err("a digest algorithm other than SHA-256/384/512 (not implemented)".into()),
    }
}

fn check_time_stamping_cert(cert: &X509Certificate<'_>, gen_time: &str) -> Result<(), String> {
    let eku = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.37");
    let only_time_stamping = eku.is_some_and(|e| {
        e.critical
            && matches!(
                e.parsed_extension(),
                x509_parser::extensions::ParsedExtension::ExtendedKeyUsage(k)
                    if k.time_stamping && !k.any && !k.server_auth && !k.client_auth
                        && !k.code_signing && !k.email_protection && !k.ocsp_signing
                        && k.other.is_empty()
            )
    });
    if !only_time_stamping {
        return Err(format!(
            "the TSA certificate's extendedKeyUsage is not critical with {OID_KP_TIME_STAMPING} \
             (id-kp-timeStamping) alone (RFC 3161 §2.3 MUST)"
        ));
    }
    let at = generalized_time(gen_time)?;
    let validity = cert.validity();
    if at < validity.not_before.timestamp() || at > validity.not_after.timestamp() {
        return Err(format!(
            "genTime {gen_time} is outside the TSA certificate's validity"
        ));
    }
    Ok(())
}

/// Seconds since the epoch of a GeneralizedTime `YYYYMMDDHHMMSS[.f]Z`.
fn generalized_time(text: &str) -> Result<i64, String> {
    let bad = || format!("genTime {text:?} is not a GeneralizedTime in UTC");
    let digits = text.get(..14).ok_or_else(bad)?;
    if !text.ends_with('Z') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().map_err(|_| bad());
    let month = time::Month::try_from(n(4..6)? as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8)
        .map_err(|_| bad())?;
    let t = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8)
        .map_err(|_| bad())?;
    Ok(time::PrimitiveDateTime::new(date, t)
        .assume_utc()
        .unix_timestamp())
}

fn verify_signature(
    cert: &X509Certificate<'_>,
    signature_algorithm: &[u8],
    hash: &'static digest::Algorithm,
    message: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    let spki = cert.public_key();
    let key_alg = spki.algorithm.algorithm.to_id_string();
    let key = &spki.subject_public_key.data;
    let by_hash = |sha256, sha384| {
        if hash == &digest::SHA256 {
            Some(sha256)
        } else if hash == &digest::SHA384 {
            Some(sha384)
        } else {
            None
        }
    };
    let alg: Option<&'static dyn signature::VerificationAlgorithm> = match signature_algorithm {
        s if s == OID_ECDSA_SHA256 && key_alg == "1.2.840.10045.2.1" => {
            Some(ec_alg(spki, &digest::SHA256)?)
        }
        s if s == OID_ECDSA_SHA384 && key_alg == "1.2.840.10045.2.1" => {
            Some(ec_alg(spki, &digest::SHA384)?)
        }
        s if s == OID_EC_PUBLIC_KEY && key_alg == "1.2.840.10045.2.1" => Some(ec_alg(spki, hash)?),
        s if s == OID_RSA_SHA256 => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
        s if s == OID_RSA_SHA384 => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
        s if s == OID_RSA_SHA512 => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
        s if s == OID_RSA => by_hash(
            &signature::RSA_PKCS1_2048_8192_SHA256 as &dyn signature::VerificationAlgorithm,
            &signature::RSA_PKCS1_2048_8192_SHA384,
        ),
        _ => None,
    };
    let Some(alg) = alg else {
        return Err(
            "the token's signature algorithm is not ECDSA or RSA PKCS#1 v1.5 with SHA-2 (not implemented)"
                .into(),
        );
    };
    signature::UnparsedPublicKey::new(alg, key)
        .verify(message, sig)
        .map_err(|_| "the TSA's signature over the token does not verify".to_owned())
}

fn ec_alg(
    spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>,
    hash: &'static digest::Algorithm,
) -> Result<&'static dyn signature::VerificationAlgorithm, String> {
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string())
        .unwrap_or_default();
    let sha256 = hash == &digest::SHA256;
    match (curve.as_str(), sha256) {
        ("1.2.840.10045.3.1.7", true) => Ok(&signature::ECDSA_P256_SHA256_ASN1),
        ("1.2.840.10045.3.1.7", false) => Ok(&signature::ECDSA_P256_SHA384_ASN1),
        ("1.3.132.0.34", true) => Ok(&signature::ECDSA_P384_SHA256_ASN1),
        ("1.3.132.0.34", false) => Ok(&signature::ECDSA_P384_SHA384_ASN1),
        _ => Err(format!(
            "the TSA key is on curve {curve}, not P-256 or P-384 (not implemented)"
        )),
    }
}

fn parse_token(token: &[u8]) -> Result<TokenInfo<'_>, String> {
    let mut top = Reader::new(token);
    let content_info = top.expect(0x30, "ContentInfo")?;
    if !top.is_empty() {
        return Err("bytes follow the token".into());
    }
    let mut ci = Reader::new(content_info.content);
    if ci.expect(0x06, "contentType")?.content != OID_SIGNED_DATA {
        return Err("the token is not a CMS SignedData (RFC 3161 §2.4.2)".into());
    }
    let explicit = ci.expect(0xa0, "content")?;
    let signed_data = Reader::new(explicit.content).expect(0x30, "SignedData")?;
    let mut sd = Reader::new(signed_data.content);
    // RFC 5652 §5.1: version 3 when the content is not id-data.
    if sd.expect(0x02, "version")?.content != [3] {
        return Err("the SignedData version is not 3 (RFC 5652 §5.1)".into());
    }
    sd.expect(0x31, "digestAlgorithms")?;
    let encap = sd.expect(0x30, "encapContentInfo")?;
    let mut encap = Reader::new(encap.content);
    if encap.expect(0x06, "eContentType")?.content != OID_TST_INFO {
        return Err("the signed content is not a TSTInfo (RFC 3161 §2.4.2)".into());
    }
    let e_content = Reader::new(encap.expect(0xa0, "eContent")?.content)
        .expect(0x04, "eContent")?
        .content;
    let mut certificates = Vec::new();
    if sd.peek_tag() == Some(0xa0) {
        let certs = sd.expect(0xa0, "certificates")?;
        let mut c = Reader::new(certs.content);
        while !c.is_empty() {
            certificates.push(c.next_tlv("element")?.raw);
        }
    }
    if sd.peek_tag() == Some(0xa1) {
        sd.expect(0xa1, "crls")?;
    }
    let signer_infos = sd.expect(0x31, "signerInfos")?;
    let mut signers = Reader::new(signer_infos.content);
    let signer = signers.expect(0x30, "SignerInfo")?;
    if !signers.is_empty() {
        return Err("the token has more than one signer (RFC 3161 §2.4.2: exactly one)".into());
    }
    let mut si = Reader::new(signer.content);
    si.expect(0x02, "version")?;
    si.next_tlv("element")?; // sid: issuerAndSerialNumber or subjectKeyIdentifier
    let digest_alg = si.expect(0x30, "digestAlgorithm")?;
    let digest_algorithm = Reader::new(digest_alg.content)
        .expect(0x06, "algorithm")?
        .content;
    if si.peek_tag() != Some(0xa0) {
        return Err("the signer has no signed attributes (RFC 5652 §5.3; RFC 3161 §2.4.1)".into());
    }
    let signed_attrs = si.expect(0xa0, "signedAttrs")?;
    let sig_alg = si.expect(0x30, "signatureAlgorithm")?;
    let signature_algorithm = Reader::new(sig_alg.content)
        .expect(0x06, "algorithm")?
        .content;
    let signature = si.expect(0x04, "signature")?.content;
    // TSTInfo (RFC 3161 §2.4.2).
    let tst = Reader::new(e_content).expect(0x30, "TSTInfo")?;
    let mut t = Reader::new(tst.content);
    if t.expect(0x02, "version")?.content != [1] {
        return Err("TSTInfo version is not 1".into());
    }
    t.expect(0x06, "policy")?;
    let mi = t.expect(0x30, "messageImprint")?;
    let mut mi = Reader::new(mi.content);
    let alg = mi.expect(0x30, "hashAlgorithm")?;
    if Reader::new(alg.content).expect(0x06, "algorithm")?.content != OID_SHA256 {
        return Err("the token's messageImprint is not SHA-256".into());
    }
    let imprint = mi.expect(0x04, "hashedMessage")?.content.to_vec();
    let serial = t.expect(0x02, "serialNumber")?.content.to_vec();
    let gen_time = t.expect(0x18, "genTime")?.content;
    let gen_time = std::str::from_utf8(gen_time)
        .map_err(|_| "genTime is not text")?
        .to_owned();
    if t.peek_tag() == Some(0x30) {
        t.expect(0x30, "accuracy")?;
    }
    if t.peek_tag() == Some(0x01) {
        t.expect(0x01, "ordering")?;
    }
    let nonce = if t.peek_tag() == Some(0x02) {
        Some(t.expect(0x02, "nonce")?.content.to_vec())
    } else {
        None
    };
    Ok(TokenInfo {
        imprint,
        gen_time,
        serial,
        nonce,
        e_content,
        digest_algorithm,
        signed_attrs,
        signature_algorithm,
        signature,
        certificates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_der_with_the_head_as_imprint() {
        let head = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let r = request(head, &mut crate::entropy::SeededEntropy::new(1, "tsa")).unwrap();
        let mut top = Reader::new(&r.der);
        let req = top.expect(0x30, "req").unwrap();
        assert!(top.is_empty());
        let mut req = Reader::new(req.content);
        assert_eq!(req.expect(0x02, "version").unwrap().content, [1]);
        let mi = req.expect(0x30, "mi").unwrap();
        let mut mi = Reader::new(mi.content);
        mi.expect(0x30, "alg").unwrap();
        assert_eq!(
            crate::events::hex(mi.expect(0x04, "hash").unwrap().content),
            head
        );
        assert_eq!(req.expect(0x02, "nonce").unwrap().content, r.nonce);
        assert_eq!(req.expect(0x01, "certReq").unwrap().content, [0xff]);
        assert!(request("not hex", &mut crate::entropy::SeededEntropy::new(1, "x")).is_err());
    }

    #[test]
    fn non_der_is_refused_not_panicked_on() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x05, 0x02],
        ] {
            assert!(verify(bytes, &"0".repeat(64), None).is_err());
        }
    }

    static TOKEN: &[u8] = include_bytes!("../../tests/vectors/rfc3161/token.tst");
    const TSA_PEM: &[u8] = include_bytes!("../../tests/vectors/rfc3161/tsa.pem");
    const CA_PEM: &[u8] = include_bytes!("../../tests/vectors/rfc3161/tsa-ca.pem");
    const HEAD: &str = include_str!("../../tests/vectors/rfc3161/head.txt");

    fn der(pem: &[u8]) -> Vec<u8> {
        x509_parser::pem::parse_x509_pem(pem).unwrap().1.contents
    }

    #[test]
    fn an_openssl_token_verifies_against_its_tsa_and_nothing_else() {
        let head = HEAD.trim();
        let stamped = verify(TOKEN, head, Some(&der(TSA_PEM))).unwrap();
        assert_eq!(stamped.tsa, "CN=Accord test TSA");
        assert!(stamped.gen_time.starts_with("2026"), "{stamped:?}");
        // Unpinned: the certificate the token carries.
        assert_eq!(verify(TOKEN, head, None).unwrap(), stamped);
        // Another head, another certificate.
        let other = "0".repeat(64);
        assert!(
            verify(TOKEN, &other, Some(&der(TSA_PEM)))
                .unwrap_err()
                .contains("another datum")
        );
        let err = verify(TOKEN, head, Some(&der(CA_PEM))).unwrap_err();
        assert!(err.contains("another TSA certificate"), "{err}");
    }

    #[test]
    fn a_changed_byte_of_the_token_is_refused() {
        let head = HEAD.trim();
        let tsa = der(TSA_PEM);
        // The last bytes are the signature; the genTime sits inside the signed TSTInfo.
        let mut sig = TOKEN.to_vec();
        let n = sig.len();
        sig[n - 3] ^= 0x01;
        assert!(verify(&sig, head, Some(&tsa)).is_err());
        let at = TOKEN
            .windows(4)
            .position(|w| w == b"2026")
            .expect("genTime");
        let mut time = TOKEN.to_vec();
        time[at + 3] = b'7';
        let err = verify(&time, head, Some(&tsa)).unwrap_err();
        assert!(err.contains("messageDigest"), "{err}");
        // Every byte the TSA signed (the TSTInfo, the signed attributes) or its signature:
        // a change is refused. CMS leaves other bytes unsigned (the certificate set, the
        // signer's identifier); a bundle pins the token's bytes whole, so they cannot change
        // there either. No change panics.
        let info = parse_token(TOKEN).unwrap();
        let offset = |part: &[u8]| part.as_ptr() as usize - TOKEN.as_ptr() as usize;
        let signed = [
            (offset(info.e_content), info.e_content.len()),
            (
                offset(info.signed_attrs.content),
                info.signed_attrs.content.len(),
            ),
            (offset(info.signature), info.signature.len()),
        ];
        for i in 0..TOKEN.len() {
            let mut t = TOKEN.to_vec();
            t[i] ^= 0x80;
            let result = verify(&t, head, Some(&tsa));
            if signed.iter().any(|(at, len)| (*at..at + len).contains(&i)) {
                assert!(
                    result.is_err(),
                    "signed byte {i} changed and still verifies"
                );
            }
        }
    }

    #[test]
    fn generalized_time_reads_utc() {
        assert_eq!(generalized_time("19700101000010Z").unwrap(), 10);
        assert_eq!(
            generalized_time("20261203155411.5Z").unwrap(),
            1_796_313_251
        );
        assert!(generalized_time("2026120315541Z").is_err());
        assert!(generalized_time("20261303155411Z").is_err());
    }
}
