//! RFC 3161 time-stamping: the protocol's messages (`TimeStampReq`, `TimeStampResp`,
//! `TSTInfo`, §2.4), the check of a token against the data it stamps ([`verify_token`]), its
//! judgement as EN 319 102-1 orders it with the TSA looked up in the trusted lists
//! ([`validate_token`]) or pinned ([`validate_token_with_cert`]), and a seeded TSA
//! ([`Tsa`]) with fault knobs for the reference topology. Sans I/O: `roles::tsa` serves
//! [`Tsa::respond`] over HTTP, `cli::timestamp_cmd` posts requests and prints verdicts.
//!
//! The CMS envelope (signature, signed attributes, ESS signing certificate) is
//! [`crate::formats::cms`]'s; this module adds what RFC 3161 and EN 319 422 say of its
//! content and of the TSA's certificate.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::digest;
use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use super::ades::{Outcome, ServiceFinding, SubIndication, ValidationReport};
use super::pki::Party;
use super::services::{ListedService, Lookup, ServiceDirectory, ServiceKind, StatusPeriod};
use super::tsp_pki::TrustServicePki;
use crate::entropy::{Clock, Entropy};
use crate::formats::cms::{self, CmsFailure, SignRequest, SignedContent, VerifiedSignedData, oid};
use crate::formats::der::{self, DerError, Tlv, tag};
use crate::requirements::Requirement;
use crate::requirements::timestamps as req;
use crate::trust::ades::rfc3339;

/// The TSA policy Accord's test TSA issues under. `2.999` is the ITU-T/ISO arc set aside for
/// examples (X.660 / RFC 3061's "example" arc); nothing real lives under it, so the OID is
/// made up on purpose and says "Accord test TSA, RFC 3161" (`3161.1`).
pub const ACCORD_TSA_POLICY: &str = "2.999.3161.1";
/// Media types of RFC 3161 §3.4 (HTTP).
pub const QUERY_MEDIA_TYPE: &str = "application/timestamp-query";
pub const REPLY_MEDIA_TYPE: &str = "application/timestamp-reply";
/// The largest request a TSA reads and the largest response a client reads.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The format name in validation reports.
pub const FORMAT: &str = "RFC 3161";
/// id-kp-timeStamping (RFC 3161 §2.3).
const KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// An error reading or checking RFC 3161 data: the requirement it breaks and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({})", requirement.id)]
pub struct TspError {
    pub requirement: &'static Requirement,
    pub message: String,
}

fn tsp_error(requirement: &'static Requirement, message: impl Into<String>) -> TspError {
    TspError {
        requirement,
        message: message.into(),
    }
}

fn format_error(requirement: &'static Requirement) -> impl Fn(DerError) -> TspError {
    move |e| tsp_error(requirement, e.to_string())
}

/// The hash of a datum and its algorithm (RFC 3161 §2.4.1 `MessageImprint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageImprint {
    /// Dotted OID of the hash algorithm.
    pub hash_algorithm: String,
    /// The AlgorithmIdentifier as encoded (echoed byte for byte by a TSA).
    #[serde(skip)]
    pub algorithm_der: Vec<u8>,
    pub hashed_message: Vec<u8>,
}

impl MessageImprint {
    /// The SHA-256 imprint of `data`.
    pub fn sha256(data: &[u8]) -> Self {
        Self::of_digest(
            oid::SHA256,
            digest::digest(&digest::SHA256, data).as_ref().to_vec(),
        )
    }

    /// An imprint of an already computed hash (parameters absent, RFC 5754 §2).
    pub fn of_digest(hash_algorithm: &str, hashed_message: Vec<u8>) -> Self {
        Self {
            hash_algorithm: hash_algorithm.to_owned(),
            algorithm_der: der::algorithm(hash_algorithm),
            hashed_message,
        }
    }

    fn encode(&self) -> Vec<u8> {
        der::sequence(&[
            self.algorithm_der.clone(),
            der::octet_string(&self.hashed_message),
        ])
    }

    fn parse(t: Tlv<'_>) -> Result<Self, TspError> {
        let e = format_error(&req::TSP_REQUEST);
        let mut r = t.reader().map_err(&e)?;
        let alg = r.expect(tag::SEQUENCE, "hashAlgorithm").map_err(&e)?;
        let mut a = alg.reader().map_err(&e)?;
        let hash_algorithm = a
            .expect(tag::OID, "algorithm")
            .and_then(|o| o.oid())
            .map_err(&e)?;
        // Parameters: absent or NULL for the SHA-2 family.
        if let Some(p) = a.optional(tag::NULL, "parameters").map_err(&e)?
            && !p.content.is_empty()
        {
            return Err(tsp_error(
                &req::TSP_REQUEST,
                "hash parameters are a non-empty NULL",
            ));
        }
        a.finish("hashAlgorithm").map_err(&e)?;
        let hashed = r.expect(tag::OCTET_STRING, "hashedMessage").map_err(&e)?;
        r.finish("MessageImprint").map_err(&e)?;
        let imprint = Self {
            hash_algorithm,
            algorithm_der: alg.raw.to_vec(),
            hashed_message: hashed.content.to_vec(),
        };
        if let Ok(alg) = imprint.digest_algorithm()
            && alg.output_len() != imprint.hashed_message.len()
        {
            return Err(tsp_error(
                &req::TSP_REQUEST,
                format!(
                    "a hashedMessage of {} bytes under {} ({} bytes)",
                    imprint.hashed_message.len(),
                    imprint.hash_algorithm,
                    alg.output_len()
                ),
            ));
        }
        Ok(imprint)
    }

    /// The hash function, if Accord implements it (SHA-256/384/512).
    pub fn digest_algorithm(&self) -> Result<&'static digest::Algorithm, String> {
        match self.hash_algorithm.as_str() {
            oid::SHA256 => Ok(&digest::SHA256),
            oid::SHA384 => Ok(&digest::SHA384),
            oid::SHA512 => Ok(&digest::SHA512),
            other => Err(format!("message imprint hash algorithm {other}")),
        }
    }
}

/// A time-stamp request (RFC 3161 §2.4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeStampReq {
    pub imprint: MessageImprint,
    pub req_policy: Option<String>,
    /// The nonce INTEGER's content bytes.
    pub nonce: Option<Vec<u8>>,
    pub cert_req: bool,
    /// Whether the request carries extensions (Accord's TSA recognises none).
    pub has_extensions: bool,
}

impl TimeStampReq {
    /// A request for the SHA-256 imprint of `data`, with a 64-bit nonce from `entropy` and
    /// `certReq` true.
    pub fn for_data(data: &[u8], entropy: &mut dyn Entropy, policy: Option<&str>) -> Self {
        let mut nonce = [0u8; 8];
        entropy.fill(&mut nonce);
        // Positive and minimal: top bit clear, first byte not zero.
        nonce[0] = (nonce[0] & 0x7f) | 0x40;
        Self {
            imprint: MessageImprint::sha256(data),
            req_policy: policy.map(str::to_owned),
            nonce: Some(nonce.to_vec()),
            cert_req: true,
            has_extensions: false,
        }
    }

    pub fn to_der(&self) -> Vec<u8> {
        let mut fields = vec![der::integer_u64(1), self.imprint.encode()];
        if let Some(p) = &self.req_policy {
            fields.push(der::oid(p));
        }
        if let Some(n) = &self.nonce {
            fields.push(der::tlv(tag::INTEGER, n));
        }
        if self.cert_req {
            fields.push(der::boolean(true));
        }
        der::sequence(&fields)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, TspError> {
        let e = format_error(&req::TSP_REQUEST);
        if bytes.len() > MAX_REQUEST_BYTES {
            return Err(tsp_error(
                &req::TSP_REQUEST,
                format!(
                    "a request of {} bytes (at most {MAX_REQUEST_BYTES})",
                    bytes.len()
                ),
            ));
        }
        let top = der::parse_one(bytes, tag::SEQUENCE, "TimeStampReq").map_err(&e)?;
        let mut r = top.reader().map_err(&e)?;
        let version = r
            .expect(tag::INTEGER, "version")
            .and_then(|v| v.u64())
            .map_err(&e)?;
        if version != 1 {
            return Err(tsp_error(
                &req::TSP_REQUEST,
                format!("request version {version}, not 1"),
            ));
        }
        let imprint =
            MessageImprint::parse(r.expect(tag::SEQUENCE, "messageImprint").map_err(&e)?)?;
        let req_policy = match r.optional(tag::OID, "reqPolicy").map_err(&e)? {
            Some(p) => Some(p.oid().map_err(&e)?),
            None => None,
        };
        let nonce = match r.optional(tag::INTEGER, "nonce").map_err(&e)? {
            Some(n) => Some(n.integer().map_err(&e)?.to_vec()),
            None => None,
        };
        let cert_req = match r.optional(tag::BOOLEAN, "certReq").map_err(&e)? {
            Some(b) => b.boolean().map_err(&e)?,
            None => false,
        };
        let has_extensions = r
            .optional(tag::context(0), "extensions")
            .map_err(&e)?
            .is_some();
        r.finish("TimeStampReq").map_err(&e)?;
        Ok(Self {
            imprint,
            req_policy,
            nonce,
            cert_req,
            has_extensions,
        })
    }
}

/// `Accuracy` (RFC 3161 §2.4.2): how far `genTime` may be from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Accuracy {
    pub seconds: u64,
    pub millis: u32,
    pub micros: u32,
}

impl Accuracy {
    fn encode(&self) -> Vec<u8> {
        let mut fields = Vec::new();
        if self.seconds > 0 {
            fields.push(der::integer_u64(self.seconds));
        }
        if self.millis > 0 {
            let mut m = der::integer_u64(u64::from(self.millis));
            m[0] = tag::context_primitive(0);
            fields.push(m);
        }
        if self.micros > 0 {
            let mut m = der::integer_u64(u64::from(self.micros));
            m[0] = tag::context_primitive(1);
            fields.push(m);
        }
        der::sequence(&fields)
    }

    fn parse(t: Tlv<'_>) -> Result<Self, TspError> {
        let e = format_error(&req::TSP_ACCURACY);
        let mut r = t.reader().map_err(&e)?;
        let seconds = match r.optional(tag::INTEGER, "seconds").map_err(&e)? {
            Some(s) => s.u64().map_err(&e)?,
            None => 0,
        };
        let mut sub = |n: u8, what: &str| -> Result<u32, TspError> {
            let Some(t) = r.optional(tag::context_primitive(n), what).map_err(&e)? else {
                return Ok(0);
            };
            // [n] IMPLICIT INTEGER: read the content as an INTEGER's.
            let as_int = der::tlv(tag::INTEGER, t.content);
            let v = der::parse_one(&as_int, tag::INTEGER, what)
                .and_then(|i| i.u64())
                .map_err(&e)?;
            if !(1..=999).contains(&v) {
                return Err(tsp_error(
                    &req::TSP_ACCURACY,
                    format!("accuracy {what} is {v}, not 1 to 999"),
                ));
            }
            Ok(v as u32)
        };
        let millis = sub(0, "millis")?;
        let micros = sub(1, "micros")?;
        r.finish("Accuracy").map_err(&e)?;
        Ok(Self {
            seconds,
            millis,
            micros,
        })
    }

    /// The accuracy in microseconds.
    pub fn as_micros(&self) -> u64 {
        self.seconds
            .saturating_mul(1_000_000)
            .saturating_add(u64::from(self.millis) * 1000)
            .saturating_add(u64::from(self.micros))
    }
}

/// One extension of a TSTInfo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TstExtension {
    pub oid: String,
    pub critical: bool,
}

/// The content a TSA signs (RFC 3161 §2.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TstInfo {
    pub policy: String,
    pub imprint: MessageImprint,
    /// The serial number INTEGER's content bytes.
    pub serial: Vec<u8>,
    /// Unix seconds and milliseconds of `genTime`.
    pub gen_time: i64,
    pub gen_time_millis: u32,
    pub accuracy: Option<Accuracy>,
    pub ordering: bool,
    pub nonce: Option<Vec<u8>>,
    /// The `tsa` GeneralName, DER, when present.
    pub tsa_name: Option<Vec<u8>>,
    pub extensions: Vec<TstExtension>,
}

impl TstInfo {
    pub fn to_der(&self) -> Result<Vec<u8>, String> {
        let mut fields = vec![
            der::integer_u64(1),
            der::oid(&self.policy),
            self.imprint.encode(),
            der::tlv(tag::INTEGER, &self.serial),
            der::generalized_time(self.gen_time, self.gen_time_millis)?,
        ];
        if let Some(a) = &self.accuracy {
            fields.push(a.encode());
        }
        if self.ordering {
            fields.push(der::boolean(true));
        }
        if let Some(n) = &self.nonce {
            fields.push(der::tlv(tag::INTEGER, n));
        }
        if let Some(name) = &self.tsa_name {
            fields.push(der::context(0, name));
        }
        Ok(der::sequence(&fields))
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, TspError> {
        let e = format_error(&req::TSP_TOKEN_SIGNATURE);
        let top = der::parse_one(bytes, tag::SEQUENCE, "TSTInfo").map_err(&e)?;
        let mut r = top.reader().map_err(&e)?;
        let version = r
            .expect(tag::INTEGER, "version")
            .and_then(|v| v.u64())
            .map_err(&e)?;
        if version != 1 {
            return Err(tsp_error(
                &req::TSP_TOKEN_SIGNATURE,
                format!("TSTInfo version {version}, not 1"),
            ));
        }
        let policy = r
            .expect(tag::OID, "policy")
            .and_then(|p| p.oid())
            .map_err(&e)?;
        let imprint = MessageImprint::parse(r.expect(tag::SEQUENCE, "messageImprint").map_err(&e)?)
            .map_err(|x| tsp_error(&req::TSP_MESSAGE_IMPRINT, x.message))?;
        let serial = r
            .expect(tag::INTEGER, "serialNumber")
            .and_then(|s| s.integer())
            .map_err(&e)?
            .to_vec();
        let (gen_time, gen_time_millis) = r
            .expect(tag::GENERALIZED_TIME, "genTime")
            .and_then(|t| t.time())
            .map_err(format_error(&req::TSP_GEN_TIME))?;
        let accuracy = match r.optional(tag::SEQUENCE, "accuracy").map_err(&e)? {
            Some(a) => Some(Accuracy::parse(a)?),
            None => None,
        };
        let ordering = match r.optional(tag::BOOLEAN, "ordering").map_err(&e)? {
            Some(b) => b.boolean().map_err(&e)?,
            None => false,
        };
        let nonce = match r.optional(tag::INTEGER, "nonce").map_err(&e)? {
            Some(n) => Some(n.integer().map_err(&e)?.to_vec()),
            None => None,
        };
        let tsa_name = r
            .optional(tag::context(0), "tsa")
            .map_err(&e)?
            .map(|t| t.content.to_vec());
        let mut extensions = Vec::new();
        if let Some(exts) = r.optional(tag::context(1), "extensions").map_err(&e)? {
            let mut x = exts.reader().map_err(&e)?;
            while !x.is_empty() {
                let ext = x.expect(tag::SEQUENCE, "Extension").map_err(&e)?;
                let mut f = ext.reader().map_err(&e)?;
                let oid = f
                    .expect(tag::OID, "extnID")
                    .and_then(|o| o.oid())
                    .map_err(&e)?;
                let critical = match f.optional(tag::BOOLEAN, "critical").map_err(&e)? {
                    Some(b) => b.boolean().map_err(&e)?,
                    None => false,
                };
                f.expect(tag::OCTET_STRING, "extnValue").map_err(&e)?;
                f.finish("Extension").map_err(&e)?;
                extensions.push(TstExtension { oid, critical });
            }
        }
        r.finish("TSTInfo").map_err(&e)?;
        Ok(Self {
            policy,
            imprint,
            serial,
            gen_time,
            gen_time_millis,
            accuracy,
            ordering,
            nonce,
            tsa_name,
            extensions,
        })
    }

    /// `genTime` in RFC 3339.
    pub fn gen_time_rfc3339(&self) -> String {
        rfc3339(self.gen_time)
    }
}

/// PKIStatus values (RFC 3161 §2.4.2).
pub mod pki_status {
    pub const GRANTED: u64 = 0;
    pub const GRANTED_WITH_MODS: u64 = 1;
    pub const REJECTION: u64 = 2;
}

/// PKIFailureInfo bits (RFC 3161 §2.4.2).
pub mod fail_info {
    pub const BAD_ALG: u8 = 0;
    pub const BAD_REQUEST: u8 = 2;
    pub const BAD_DATA_FORMAT: u8 = 5;
    pub const UNACCEPTED_POLICY: u8 = 15;
    pub const UNACCEPTED_EXTENSION: u8 = 16;
    pub const SYSTEM_FAILURE: u8 = 25;
}

/// A time-stamp response (RFC 3161 §2.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeStampResp {
    pub status: u64,
    pub status_strings: Vec<String>,
    /// The failure bits set, by number.
    pub fail_info: Vec<u8>,
    /// The token (a DER ContentInfo), present when granted.
    #[serde(skip)]
    pub token: Option<Vec<u8>>,
}

impl TimeStampResp {
    pub fn granted(token: Vec<u8>) -> Self {
        Self {
            status: pki_status::GRANTED,
            status_strings: vec![],
            fail_info: vec![],
            token: Some(token),
        }
    }

    pub fn rejection(bit: u8, text: impl Into<String>) -> Self {
        Self {
            status: pki_status::REJECTION,
            status_strings: vec![text.into()],
            fail_info: vec![bit],
            token: None,
        }
    }

    pub fn to_der(&self) -> Vec<u8> {
        let mut status = vec![der::integer_u64(self.status)];
        if !self.status_strings.is_empty() {
            let strings: Vec<Vec<u8>> = self
                .status_strings
                .iter()
                .map(|s| der::tlv(tag::UTF8_STRING, s.as_bytes()))
                .collect();
            status.push(der::sequence(&strings));
        }
        if let Some(max) = self.fail_info.iter().max() {
            // A named BIT STRING without trailing zero bits (X.690 §11.2.2).
            let mut bits = vec![0u8; usize::from(*max) / 8 + 1];
            for b in &self.fail_info {
                bits[usize::from(*b) / 8] |= 0x80 >> (b % 8);
            }
            let unused = 7 - (max % 8);
            let mut content = vec![unused];
            content.extend(bits);
            status.push(der::tlv(tag::BIT_STRING, &content));
        }
        let mut fields = vec![der::sequence(&status)];
        if let Some(t) = &self.token {
            fields.push(t.clone());
        }
        der::sequence(&fields)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, TspError> {
        let e = format_error(&req::TSP_STATUS);
        if bytes.len() > MAX_RESPONSE_BYTES {
            return Err(tsp_error(
                &req::TSP_STATUS,
                format!(
                    "a response of {} bytes (at most {MAX_RESPONSE_BYTES})",
                    bytes.len()
                ),
            ));
        }
        let top = der::parse_one(bytes, tag::SEQUENCE, "TimeStampResp").map_err(&e)?;
        let mut r = top.reader().map_err(&e)?;
        let info = r.expect(tag::SEQUENCE, "PKIStatusInfo").map_err(&e)?;
        let mut i = info.reader().map_err(&e)?;
        let status = i
            .expect(tag::INTEGER, "status")
            .and_then(|s| s.u64())
            .map_err(&e)?;
        let mut status_strings = Vec::new();
        if let Some(texts) = i.optional(tag::SEQUENCE, "statusString").map_err(&e)? {
            let mut t = texts.reader().map_err(&e)?;
            while !t.is_empty() {
                let s = t.expect(tag::UTF8_STRING, "PKIFreeText").map_err(&e)?;
                status_strings.push(String::from_utf8_lossy(s.content).into_owned());
            }
        }
        let mut fail_info = Vec::new();
        if let Some(bits) = i.optional(tag::BIT_STRING, "failInfo").map_err(&e)? {
            for (byte_at, byte) in bits.content.iter().skip(1).enumerate() {
                for bit in 0..8u8 {
                    if byte & (0x80 >> bit) != 0 {
                        let n = byte_at * 8 + usize::from(bit);
                        fail_info.push(u8::try_from(n).unwrap_or(u8::MAX));
                    }
                }
            }
        }
        i.finish("PKIStatusInfo").map_err(&e)?;
        let token = r
            .optional(tag::SEQUENCE, "timeStampToken")
            .map_err(&e)?
            .map(|t| t.raw.to_vec());
        r.finish("TimeStampResp").map_err(&e)?;
        let granted = matches!(status, pki_status::GRANTED | pki_status::GRANTED_WITH_MODS);
        if granted != token.is_some() {
            return Err(tsp_error(
                &req::TSP_STATUS,
                format!(
                    "status {status} {} a token",
                    if token.is_some() { "with" } else { "without" }
                ),
            ));
        }
        Ok(Self {
            status,
            status_strings,
            fail_info,
            token,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Verifying a token
// ---------------------------------------------------------------------------------------------

/// What the stamped datum is: the data itself, or its hash under the token's algorithm.
#[derive(Debug, Clone, Copy)]
pub enum Datum<'a> {
    Data(&'a [u8]),
    Digest(&'a [u8]),
}

/// What a token is checked against beyond the data.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenCheck<'a> {
    /// A policy the relying party requires (RFC 3161 §2.4.2 `policy`).
    pub policy: Option<&'a str>,
    /// The nonce the request carried; the token must echo it.
    pub nonce: Option<&'a [u8]>,
    /// A TSA certificate to look for the signer in, besides the token's own certificates.
    pub tsa_cert: Option<&'a [u8]>,
}

/// A token that passed [`verify_token`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedToken {
    pub tst_info: TstInfo,
    pub cms: VerifiedSignedData,
    /// The TSA certificate's subject.
    pub tsa_subject: String,
}

/// Why a token failed [`verify_token`]: the requirement, the outcome (a sub-indication or
/// not implemented) and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {message}", outcome.label(), requirement.id)]
pub struct TokenFailure {
    pub requirement: &'static Requirement,
    pub outcome: Outcome,
    pub message: String,
}

/// Checks `token` (a DER ContentInfo) over `data`: a SignedData of a TSTInfo whose imprint is
/// the data's hash, signed with a verifying signature by a certificate the ESS
/// signing-certificate attribute names, for time-stamping only (critical EKU,
/// RFC 3161 §2.3), valid at `genTime`; the required policy and the request's nonce, when
/// given. The TSA is not judged (trusted or listed): [`validate_token`] does that.
pub fn verify_token(
    token: &[u8],
    data: &[u8],
    check: &TokenCheck<'_>,
) -> Result<VerifiedToken, TokenFailure> {
    verify_token_over(token, Datum::Data(data), check)
}

/// [`verify_token`] over a [`Datum`] (the data, or its hash when only that is known).
pub fn verify_token_over(
    token: &[u8],
    datum: Datum<'_>,
    check: &TokenCheck<'_>,
) -> Result<VerifiedToken, TokenFailure> {
    let mut report = ValidationReport::new(FORMAT);
    let verified = run_checks(token, datum, check, &mut report);
    match (verified, report.outcome) {
        (Some(v), Outcome::Passed) => Ok(v),
        (_, outcome) => {
            let failed = report.steps.iter().find(|s| !s.passed);
            let requirement = failed
                .and_then(|s| {
                    crate::requirements::timestamps::ENTRIES
                        .iter()
                        .find(|r| r.id == s.requirement)
                })
                .copied()
                .unwrap_or(&req::TSP_TOKEN_SIGNATURE);
            Err(TokenFailure {
                requirement,
                outcome: if outcome == Outcome::Passed {
                    Outcome::Failed {
                        sub_indication: SubIndication::FormatFailure,
                    }
                } else {
                    outcome
                },
                message: failed.map(|s| s.detail.clone()).unwrap_or_default(),
            })
        }
    }
}

/// Every check of [`verify_token`], recorded step by step in `report`; the token when all
/// the checks that decide it could be made.
fn run_checks(
    token: &[u8],
    datum: Datum<'_>,
    check: &TokenCheck<'_>,
    report: &mut ValidationReport,
) -> Option<VerifiedToken> {
    let record_tsp = |report: &mut ValidationReport, e: TspError| {
        let sub = SubIndication::FormatFailure;
        report.fail(e.requirement, sub, e.message);
    };
    let parsed = match cms::parse_signed_data(token) {
        Ok(p) => p,
        Err(CmsFailure::Unsupported(what)) if what.contains("more than one signer") => {
            report.fail(
                &req::TSP_TOKEN_SIGNATURE,
                SubIndication::FormatFailure,
                "the token has more than one signature (RFC 3161 §2.4.2: the TSA's only)",
            );
            return None;
        }
        Err(e) => {
            e.record(report, &req::TSP_TOKEN_SIGNATURE);
            return None;
        }
    };
    if parsed.econtent_type != oid::TST_INFO {
        report.fail(
            &req::TSP_TOKEN_SIGNATURE,
            SubIndication::FormatFailure,
            format!(
                "the token's content type is {}, not id-ct-TSTInfo",
                parsed.econtent_type
            ),
        );
        return None;
    }
    let Some(econtent) = parsed.econtent else {
        report.fail(
            &req::TSP_TOKEN_SIGNATURE,
            SubIndication::FormatFailure,
            "the token's TSTInfo is not encapsulated",
        );
        return None;
    };
    let tst = match TstInfo::parse(econtent) {
        Ok(t) => t,
        Err(e) => {
            record_tsp(report, e);
            return None;
        }
    };
    report.claimed_signing_time = Some(tst.gen_time_rfc3339());

    // The imprint is the datum's hash.
    let hash = match tst.imprint.digest_algorithm() {
        Ok(h) => h,
        Err(what) => {
            report.steps.push(super::ades::Step {
                requirement: req::TSP_MESSAGE_IMPRINT.id,
                passed: false,
                detail: format!("{what} is not implemented"),
            });
            report.not_implemented(what);
            return None;
        }
    };
    let expected = match datum {
        Datum::Data(d) => digest::digest(hash, d).as_ref().to_vec(),
        Datum::Digest(d) => d.to_vec(),
    };
    if expected == tst.imprint.hashed_message {
        report.pass(
            &req::TSP_MESSAGE_IMPRINT,
            "the token's messageImprint is the data's hash",
        );
    } else {
        report.fail(
            &req::TSP_MESSAGE_IMPRINT,
            SubIndication::HashFailure,
            "the token's messageImprint is not the hash of the data given",
        );
    }

    // The CMS signature, its attributes and the signer's certificate.
    let pinned: Vec<Vec<u8>> = check.tsa_cert.map(|c| vec![c.to_vec()]).unwrap_or_default();
    let cms = match cms::verify_signed_data_with(token, None, &pinned) {
        Ok(v) => v,
        Err(e) => {
            e.record(report, &req::TSP_TOKEN_SIGNATURE);
            return None;
        }
    };
    report.pass(
        &req::TSP_TOKEN_SIGNATURE,
        format!(
            "the TSA's signature ({}) verifies over the signed attributes, whose message digest is the TSTInfo's",
            cms.signature_algorithm
        ),
    );
    if cms.signing_certificate_v2.is_some() || cms.signing_certificate_v1.is_some() {
        report.pass(
            &req::TSP_SIGNING_CERTIFICATE,
            format!(
                "the signed SigningCertificate{} attribute names the TSA certificate",
                if cms.signing_certificate_v2.is_some() {
                    "V2"
                } else {
                    ""
                }
            ),
        );
    } else {
        report.fail(
            &req::TSP_SIGNING_CERTIFICATE,
            SubIndication::NoSigningCertificateFound,
            "no SigningCertificate or SigningCertificateV2 attribute names the TSA certificate",
        );
    }
    let tsa_subject = match X509Certificate::from_der(&cms.signer_cert) {
        Ok((_, cert)) => {
            check_time_stamping_eku(&cert, report);
            check_validity_at(&cert, tst.gen_time, report);
            cert.subject().to_string()
        }
        Err(e) => {
            report.fail(
                &req::TSP_TOKEN_SIGNATURE,
                SubIndication::NoSigningCertificateFound,
                format!("the TSA certificate does not parse: {e}"),
            );
            return None;
        }
    };
    report.signer = Some(tsa_subject.clone());

    if let Some(required) = check.policy {
        if tst.policy == required {
            report.pass(
                &req::TSP_POLICY,
                format!("the token's policy is {required}"),
            );
        } else {
            report.fail(
                &req::TSP_POLICY,
                SubIndication::SigConstraintsFailure,
                format!(
                    "the token's policy is {}, not the required {required}",
                    tst.policy
                ),
            );
        }
    }
    if let Some(nonce) = check.nonce {
        if tst.nonce.as_deref() == Some(nonce) {
            report.pass(&req::TSP_NONCE, "the token echoes the request's nonce");
        } else {
            report.fail(
                &req::TSP_NONCE,
                SubIndication::SigConstraintsFailure,
                "the token does not echo the request's nonce",
            );
        }
    }
    if let Some(a) = &tst.accuracy {
        report.pass(
            &req::TSP_ACCURACY,
            format!("accuracy {}s {}ms {}µs", a.seconds, a.millis, a.micros),
        );
    }
    Some(VerifiedToken {
        tst_info: tst,
        cms,
        tsa_subject,
    })
}

/// RFC 3161 §2.3: one critical extendedKeyUsage, id-kp-timeStamping only.
fn check_time_stamping_eku(cert: &X509Certificate<'_>, report: &mut ValidationReport) {
    let ekus: Vec<_> = cert
        .extensions()
        .iter()
        .filter(|e| e.oid.to_id_string() == "2.5.29.37")
        .collect();
    let ok = match ekus.as_slice() {
        [eku] => {
            eku.critical
                && matches!(
                    eku.parsed_extension(),
                    ParsedExtension::ExtendedKeyUsage(k)
                        if k.time_stamping && !k.any && !k.server_auth && !k.client_auth
                            && !k.code_signing && !k.email_protection && !k.ocsp_signing
                            && k.other.is_empty()
                )
        }
        _ => false,
    };
    if ok {
        report.pass(
            &req::TSP_EKU,
            "the TSA certificate's extendedKeyUsage is critical and id-kp-timeStamping alone",
        );
    } else {
        report.fail(
            &req::TSP_EKU,
            SubIndication::ChainConstraintsFailure,
            format!(
                "the TSA certificate does not have one critical extendedKeyUsage holding \
                 {KP_TIME_STAMPING} (id-kp-timeStamping) alone"
            ),
        );
    }
}

/// EN 319 102-1 clause 5.1.3 Table 5: genTime after notAfter is EXPIRED, before notBefore
/// NOT_YET_VALID.
fn check_validity_at(cert: &X509Certificate<'_>, gen_time: i64, report: &mut ValidationReport) {
    let v = cert.validity();
    let (from, to) = (v.not_before.timestamp(), v.not_after.timestamp());
    if gen_time > to {
        report.fail(
            &req::ADES_TST_TSA_CERT_VALIDITY,
            SubIndication::Expired,
            format!(
                "genTime {} is after the TSA certificate's notAfter {}",
                rfc3339(gen_time),
                rfc3339(to)
            ),
        );
    } else if gen_time < from {
        report.fail(
            &req::ADES_TST_TSA_CERT_VALIDITY,
            SubIndication::NotYetValid,
            format!(
                "genTime {} is before the TSA certificate's notBefore {}",
                rfc3339(gen_time),
                rfc3339(from)
            ),
        );
    } else {
        report.pass(
            &req::ADES_TST_TSA_CERT_VALIDITY,
            "genTime lies within the TSA certificate's validity",
        );
    }
}

/// Validates `token` over `data` as EN 319 102-1 clause 5.4 orders it, the TSA judged
/// through `directory` at the token's `genTime`: a listed time-stamping service in good
/// standing passes; one withdrawn at `genTime` is INDETERMINATE/REVOKED_NO_POE (the only
/// proof of the time is the token itself); a TSA on no list INDETERMINATE/
/// NO_CERTIFICATE_CHAIN_FOUND; a listed service of another kind, or not yet listed,
/// INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE.
pub fn validate_token(
    token: &[u8],
    data: &[u8],
    directory: &ServiceDirectory,
    policy: Option<&str>,
) -> ValidationReport {
    validate_token_over(token, Datum::Data(data), directory, policy)
}

/// [`validate_token`] over a [`Datum`].
pub fn validate_token_over(
    token: &[u8],
    datum: Datum<'_>,
    directory: &ServiceDirectory,
    policy: Option<&str>,
) -> ValidationReport {
    let mut report = ValidationReport::new(FORMAT);
    let check = TokenCheck {
        policy,
        ..TokenCheck::default()
    };
    let Some(verified) = run_checks(token, datum, &check, &mut report) else {
        return report;
    };
    let at = verified.tst_info.gen_time;
    let mut chain = vec![verified.cms.signer_cert.clone()];
    chain.extend(
        verified
            .cms
            .certificates
            .iter()
            .filter(|c| **c != verified.cms.signer_cert)
            .cloned(),
    );
    let finding = |service: &ListedService, period: Option<&StatusPeriod>| ServiceFinding {
        territory: service.territory.clone(),
        provider: service.provider.clone(),
        service: service.service_name.clone(),
        service_type: service.type_uri.clone(),
        status: period.map(|p| p.status.clone()).unwrap_or_default(),
        status_since: period.map(|p| rfc3339(p.since)).unwrap_or_default(),
        judged_at: rfc3339(at),
    };
    match directory.lookup(&chain, ServiceKind::TimeStamping, at) {
        Lookup::InGoodStanding { service, period } => {
            report.service = Some(finding(service, Some(period)));
            report.pass(
                &req::ADES_TST_TSA_LISTED,
                format!(
                    "{} ({}) is a listed time-stamping service, {} at genTime",
                    service.service_name, service.territory, period.status
                ),
            );
        }
        Lookup::NotInGoodStanding { service, period } => {
            report.service = Some(finding(service, period));
            match period {
                Some(p) => report.fail(
                    &req::ADES_TST_TSA_LISTED,
                    SubIndication::RevokedNoPoe,
                    format!(
                        "{} ({}) was {} at genTime (since {}); no proof of existence \
                         other than the token itself shows the token older",
                        service.service_name,
                        service.territory,
                        p.status,
                        rfc3339(p.since)
                    ),
                ),
                None => report.fail(
                    &req::ADES_TST_TSA_LISTED,
                    SubIndication::ChainConstraintsFailure,
                    format!(
                        "{} ({}) was not yet listed at genTime",
                        service.service_name, service.territory
                    ),
                ),
            }
        }
        Lookup::WrongKind { service } => {
            report.service = Some(finding(service, None));
            report.fail(
                &req::ADES_TST_TSA_LISTED,
                SubIndication::ChainConstraintsFailure,
                format!(
                    "the TSA certificate is listed under {} ({}), not a time-stamping service",
                    service.service_name, service.type_uri
                ),
            );
        }
        Lookup::NotListed => report.fail(
            &req::ADES_TST_TSA_LISTED,
            SubIndication::NoCertificateChainFound,
            format!("{} is on no trusted list read", verified.tsa_subject),
        ),
    }
    if report.passed() {
        report.proven_signing_time = Some(verified.tst_info.gen_time_rfc3339());
    }
    report
}

/// Validates `token` over `data` trusting one TSA certificate (DER) and no list: the token
/// passes only when that certificate signed it.
pub fn validate_token_with_cert(
    token: &[u8],
    data: &[u8],
    tsa_cert: &[u8],
    policy: Option<&str>,
) -> ValidationReport {
    let mut report = ValidationReport::new(FORMAT);
    let check = TokenCheck {
        policy,
        tsa_cert: Some(tsa_cert),
        ..TokenCheck::default()
    };
    let Some(verified) = run_checks(token, Datum::Data(data), &check, &mut report) else {
        return report;
    };
    if verified.cms.signer_cert == tsa_cert {
        report.pass(
            &req::ADES_TST_TSA_LISTED,
            "the TSA certificate is the one trusted by configuration (no list consulted)",
        );
        report.proven_signing_time = Some(verified.tst_info.gen_time_rfc3339());
    } else {
        report.fail(
            &req::ADES_TST_TSA_LISTED,
            SubIndication::NoCertificateChainFound,
            format!(
                "the token was signed by {}, not by the trusted TSA certificate",
                verified.tsa_subject
            ),
        );
    }
    report
}

/// What a TSA's token owes EN 319 422 clause 5.2.2 beyond RFC 3161 (a conformance check of a
/// TSA, not a validation of the token): a policy, an accuracy, ordering false, no critical
/// extension. Empty when the token meets them.
pub fn profile_findings(tst: &TstInfo) -> Vec<TspError> {
    let mut out = Vec::new();
    if tst.policy.is_empty() {
        out.push(tsp_error(&req::TSP_EN_POLICY_PRESENT, "no policy"));
    }
    if tst.accuracy.is_none() {
        out.push(tsp_error(
            &req::TSP_EN_ACCURACY_PRESENT,
            "no accuracy field",
        ));
    }
    if tst.ordering {
        out.push(tsp_error(&req::TSP_EN_ORDERING, "ordering is true"));
    }
    for e in tst.extensions.iter().filter(|e| e.critical) {
        out.push(tsp_error(
            &req::TSP_EN_NO_CRITICAL_EXTENSION,
            format!("extension {} is critical", e.oid),
        ));
    }
    out
}

/// Reads a TSA's response to `request` over `data`. `Err`: the response is unusable (not a
/// response, a refusal, or a token that does not answer this request: another imprint, no
/// echo of the nonce, another policy than asked for). `Ok`: the token, and whether it
/// verifies otherwise ([`verify_token`]: a client may keep a token whose TSA certificate had
/// expired, to show it, but must not rely on it).
pub fn read_response(
    response: &[u8],
    request: &TimeStampReq,
    data: &[u8],
) -> Result<(Vec<u8>, Result<VerifiedToken, TokenFailure>), TokenFailure> {
    let fail = |e: TspError| TokenFailure {
        requirement: e.requirement,
        outcome: Outcome::Failed {
            sub_indication: SubIndication::FormatFailure,
        },
        message: e.message,
    };
    let resp = TimeStampResp::parse(response).map_err(fail)?;
    let Some(token) = resp.token else {
        return Err(fail(tsp_error(
            &req::TSP_STATUS,
            format!(
                "the TSA refused the request: status {}, failInfo bits {:?}, {:?}",
                resp.status, resp.fail_info, resp.status_strings
            ),
        )));
    };
    let verified = verify_token(
        &token,
        data,
        &TokenCheck {
            policy: request.req_policy.as_deref(),
            nonce: request.nonce.as_deref(),
            tsa_cert: None,
        },
    );
    let answers_another_request = |f: &TokenFailure| {
        [
            req::TSP_MESSAGE_IMPRINT.id,
            req::TSP_NONCE.id,
            req::TSP_POLICY.id,
        ]
        .contains(&f.requirement.id)
    };
    match verified {
        Err(f) if answers_another_request(&f) => Err(f),
        other => Ok((token, other)),
    }
}

// ---------------------------------------------------------------------------------------------
// The seeded TSA
// ---------------------------------------------------------------------------------------------

/// Which seeded provider's TSA answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TsaSite {
    De,
    Fr,
    Jp,
}

impl TsaSite {
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "de" => Some(TsaSite::De),
            "fr" => Some(TsaSite::Fr),
            "jp" => Some(TsaSite::Jp),
            _ => None,
        }
    }
}

/// What the TSA does wrong, on purpose, for the relying party under test to catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TsaFault {
    /// Stamps another hash than the one asked for (a bit of the imprint flipped).
    WrongImprint,
    /// Signs with the FR TSA certificate that expired at the end of 2025.
    ExpiredCertificate,
    /// Signs with the DE "Widerruf" TSA, whose service was withdrawn at `WITHDRAWN_AT`.
    WithdrawnService,
    /// Signs with a TSA on no list.
    UnlistedTsa,
}

impl TsaFault {
    pub const ALL: [TsaFault; 4] = [
        TsaFault::WrongImprint,
        TsaFault::ExpiredCertificate,
        TsaFault::WithdrawnService,
        TsaFault::UnlistedTsa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TsaFault::WrongImprint => "wrong-imprint",
            TsaFault::ExpiredCertificate => "expired-certificate",
            TsaFault::WithdrawnService => "withdrawn-service",
            TsaFault::UnlistedTsa => "unlisted-tsa",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// A time-stamping authority over the seeded providers, with an injected clock.
pub struct Tsa {
    pki: std::sync::Arc<TrustServicePki>,
    site: TsaSite,
    clock: std::sync::Arc<dyn Clock>,
    serial: AtomicU64,
    fault: Mutex<Option<TsaFault>>,
    /// Stated in every token (EN 319 422 clause 5.2.2).
    pub accuracy: Accuracy,
    pub policy: String,
}

impl Tsa {
    pub fn new(
        pki: std::sync::Arc<TrustServicePki>,
        site: TsaSite,
        clock: std::sync::Arc<dyn Clock>,
    ) -> Self {
        Self {
            pki,
            site,
            clock,
            serial: AtomicU64::new(1),
            fault: Mutex::new(None),
            accuracy: Accuracy {
                seconds: 1,
                millis: 0,
                micros: 0,
            },
            policy: ACCORD_TSA_POLICY.to_owned(),
        }
    }

    pub fn site(&self) -> TsaSite {
        self.site
    }

    pub fn fault(&self) -> Option<TsaFault> {
        self.fault.lock().map(|f| *f).unwrap_or(None)
    }

    pub fn set_fault(&self, fault: Option<TsaFault>) {
        if let Ok(mut f) = self.fault.lock() {
            *f = fault;
        }
    }

    /// The party that signs now: the site's TSA, or the one the fault names.
    pub fn signer(&self) -> &Party {
        let p = &self.pki;
        let site_tsa = match self.site {
            TsaSite::De => &p.de.tsa,
            TsaSite::Fr => &p.fr.tsa,
            TsaSite::Jp => &p.jp.tsa,
        };
        match self.fault() {
            Some(TsaFault::ExpiredCertificate) => p.fr.expired_tsa.as_ref().unwrap_or(site_tsa),
            Some(TsaFault::WithdrawnService) => p.de.withdrawn_tsa.as_ref().unwrap_or(site_tsa),
            Some(TsaFault::UnlistedTsa) => &p.unlisted_tsa,
            _ => site_tsa,
        }
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp`: a token, or a rejection
    /// naming why (bad format, an unsupported hash, a policy it does not issue under, an
    /// extension it does not know).
    pub fn respond(&self, request_der: &[u8]) -> Vec<u8> {
        let resp = match TimeStampReq::parse(request_der) {
            Err(e) => TimeStampResp::rejection(fail_info::BAD_DATA_FORMAT, e.to_string()),
            Ok(request) => match self.issue(&request) {
                Ok(token) => TimeStampResp::granted(token),
                Err(resp) => resp,
            },
        };
        resp.to_der()
    }

    /// The token for `request`, or the rejection to send.
    pub fn issue(&self, request: &TimeStampReq) -> Result<Vec<u8>, TimeStampResp> {
        if request.imprint.digest_algorithm().is_err() {
            return Err(TimeStampResp::rejection(
                fail_info::BAD_ALG,
                format!(
                    "hash algorithm {} is not accepted",
                    request.imprint.hash_algorithm
                ),
            ));
        }
        if let Some(p) = &request.req_policy
            && *p != self.policy
        {
            return Err(TimeStampResp::rejection(
                fail_info::UNACCEPTED_POLICY,
                format!("this TSA issues under {} only", self.policy),
            ));
        }
        if request.has_extensions {
            return Err(TimeStampResp::rejection(
                fail_info::UNACCEPTED_EXTENSION,
                "this TSA recognises no request extension",
            ));
        }
        let mut imprint = request.imprint.clone();
        if self.fault() == Some(TsaFault::WrongImprint)
            && let Some(b) = imprint.hashed_message.first_mut()
        {
            *b ^= 0x01;
        }
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let now = self.clock.now();
        let tst = TstInfo {
            policy: self.policy.clone(),
            imprint,
            serial: der::integer_u64(serial)[2..].to_vec(),
            gen_time: now,
            gen_time_millis: 0,
            accuracy: Some(self.accuracy),
            ordering: false,
            nonce: request.nonce.clone(),
            tsa_name: None,
            extensions: vec![],
        };
        let system_failure = |e: String| TimeStampResp::rejection(fail_info::SYSTEM_FAILURE, e);
        let tst_der = tst.to_der().map_err(system_failure)?;
        cms::sign(&SignRequest {
            content: SignedContent::Attached(&tst_der),
            content_type: oid::TST_INFO,
            signer: self.signer(),
            chain: &[],
            include_certificates: request.cert_req,
            signing_time: Some(now),
            extra_signed_attributes: vec![],
            unsigned_attributes: vec![],
            signing_certificate_v2: true,
        })
        .map_err(|e| system_failure(e.to_string()))
    }
}

/// The services the seeded XML trusted lists name ([`crate::trust::etsi_tl::generate`]), as
/// a directory without the lists: what `accord timestamp verify --seed` and the tests judge
/// by when they read no list. The unlisted TSA is on none.
pub fn seeded_directory(pki: &TrustServicePki) -> ServiceDirectory {
    ServiceDirectory {
        services: crate::trust::etsi_tl::generate::seeded_services(pki),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::{FixedClock, SeededEntropy};
    use crate::trust::tsp_pki::WITHDRAWN_AT;
    use proptest::prelude::*;
    use std::sync::{Arc, OnceLock};

    /// 2026-09-21: after the DE "Widerruf" TSA's withdrawal and the FR TSA's expiry.
    const NOW: i64 = 1_790_000_000;

    fn pki() -> Arc<TrustServicePki> {
        static PKI: OnceLock<Arc<TrustServicePki>> = OnceLock::new();
        PKI.get_or_init(|| Arc::new(TrustServicePki::generate(5).unwrap()))
            .clone()
    }

    fn tsa(at: i64, fault: Option<TsaFault>) -> Tsa {
        let t = Tsa::new(pki(), TsaSite::De, Arc::new(FixedClock(at)));
        t.set_fault(fault);
        t
    }

    fn stamp(tsa: &Tsa, data: &[u8]) -> (TimeStampReq, Vec<u8>) {
        let req = TimeStampReq::for_data(data, &mut SeededEntropy::new(1, "tsp"), None);
        let resp = TimeStampResp::parse(&tsa.respond(&req.to_der())).unwrap();
        (req, resp.token.unwrap())
    }

    #[test]
    fn request_and_response_round_trip() {
        let req = TimeStampReq::for_data(b"x", &mut SeededEntropy::new(2, "r"), Some("1.2.3"));
        assert_eq!(TimeStampReq::parse(&req.to_der()).unwrap(), req);
        let rejected = TimeStampResp::rejection(fail_info::UNACCEPTED_POLICY, "no");
        let parsed = TimeStampResp::parse(&rejected.to_der()).unwrap();
        assert_eq!(parsed, rejected);
        // A granted status without a token is refused.
        let mut bad = TimeStampResp::granted(vec![]);
        bad.token = None;
        assert!(TimeStampResp::parse(&bad.to_der()).is_err());
    }

    #[test]
    fn the_tsa_stamps_and_the_token_verifies() {
        let t = tsa(NOW, None);
        let (req, token) = stamp(&t, b"diploma");
        let resp = t.respond(&req.to_der());
        let (_, v) = read_response(&resp, &req, b"diploma").unwrap();
        let v = v.unwrap();
        assert_eq!(v.tst_info.gen_time, NOW);
        assert_eq!(v.tst_info.policy, ACCORD_TSA_POLICY);
        assert_eq!(v.tst_info.nonce, req.nonce);
        assert_eq!(v.tst_info.serial, [2]);
        assert!(profile_findings(&v.tst_info).is_empty());
        assert!(verify_token(&token, b"diploma", &TokenCheck::default()).is_ok());
        let err = verify_token(&token, b"diplomb", &TokenCheck::default()).unwrap_err();
        assert_eq!(err.requirement.id, req::TSP_MESSAGE_IMPRINT.id);
        // Another nonce, another policy.
        let err = verify_token(
            &token,
            b"diploma",
            &TokenCheck {
                nonce: Some(&[1, 2, 3]),
                ..TokenCheck::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.requirement.id, req::TSP_NONCE.id);
        let err = verify_token(
            &token,
            b"diploma",
            &TokenCheck {
                policy: Some("1.2.3.4"),
                ..TokenCheck::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.requirement.id, req::TSP_POLICY.id);
    }

    fn label(at: i64, fault: Option<TsaFault>) -> String {
        let p = pki();
        let (_, token) = stamp(&tsa(at, fault), b"data");
        validate_token(&token, b"data", &seeded_directory(&p), None)
            .outcome
            .label()
    }

    #[test]
    fn faults_get_their_indications() {
        assert_eq!(label(NOW, None), "TOTAL-PASSED");
        assert_eq!(
            label(NOW, Some(TsaFault::WrongImprint)),
            "TOTAL-FAILED/HASH_FAILURE"
        );
        assert_eq!(
            label(NOW, Some(TsaFault::ExpiredCertificate)),
            "TOTAL-FAILED/EXPIRED"
        );
        assert_eq!(
            label(NOW, Some(TsaFault::WithdrawnService)),
            "INDETERMINATE/REVOKED_NO_POE"
        );
        // Before the withdrawal the same TSA was in good standing.
        assert_eq!(
            label(WITHDRAWN_AT - 10, Some(TsaFault::WithdrawnService)),
            "TOTAL-PASSED"
        );
        assert_eq!(
            label(NOW, Some(TsaFault::UnlistedTsa)),
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
        );
    }

    #[test]
    fn a_pinned_certificate_trusts_that_tsa_only() {
        let p = pki();
        let (_, token) = stamp(&tsa(NOW, None), b"data");
        let r = validate_token_with_cert(&token, b"data", &p.de.tsa.cert_der, None);
        assert!(r.passed(), "{r:?}");
        let r = validate_token_with_cert(&token, b"data", &p.fr.tsa.cert_der, None);
        assert_eq!(
            r.outcome.label(),
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
        );
        // Without certReq the token carries no certificate: only a pinned one finds the signer.
        let req = TimeStampReq {
            cert_req: false,
            ..TimeStampReq::for_data(b"data", &mut SeededEntropy::new(3, "x"), None)
        };
        let token = TimeStampResp::parse(&tsa(NOW, None).respond(&req.to_der()))
            .unwrap()
            .token
            .unwrap();
        let err = verify_token(&token, b"data", &TokenCheck::default()).unwrap_err();
        assert_eq!(
            err.outcome.label(),
            "INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND"
        );
        assert!(validate_token_with_cert(&token, b"data", &p.de.tsa.cert_der, None).passed());
    }

    #[test]
    fn the_tsa_refuses_what_it_cannot_honour() {
        let t = tsa(NOW, None);
        let mut req = TimeStampReq::for_data(b"d", &mut SeededEntropy::new(4, "x"), Some("1.2.3"));
        let resp = TimeStampResp::parse(&t.respond(&req.to_der())).unwrap();
        assert_eq!(resp.status, pki_status::REJECTION);
        assert_eq!(resp.fail_info, vec![fail_info::UNACCEPTED_POLICY]);
        req.req_policy = None;
        req.imprint = MessageImprint::of_digest("1.3.14.3.2.26", vec![0; 20]);
        let resp = TimeStampResp::parse(&t.respond(&req.to_der())).unwrap();
        assert_eq!(resp.fail_info, vec![fail_info::BAD_ALG]);
        let resp = TimeStampResp::parse(&t.respond(b"\x30\x03\x02\x01\x01")).unwrap();
        assert_eq!(resp.fail_info, vec![fail_info::BAD_DATA_FORMAT]);
    }

    static OPENSSL_TOKEN: &[u8] = include_bytes!("../../tests/vectors/rfc3161/token.tst");
    const OPENSSL_HEAD: &str = include_str!("../../tests/vectors/rfc3161/head.txt");
    const OPENSSL_TSA: &[u8] = include_bytes!("../../tests/vectors/rfc3161/tsa.pem");

    #[test]
    fn an_openssl_token_verifies() {
        let head: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&OPENSSL_HEAD.trim()[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let v =
            verify_token_over(OPENSSL_TOKEN, Datum::Digest(&head), &TokenCheck::default()).unwrap();
        assert_eq!(v.tsa_subject, "CN=Accord test TSA");
        let cert = x509_parser::pem::parse_x509_pem(OPENSSL_TSA)
            .unwrap()
            .1
            .contents;
        assert_eq!(v.cms.signer_cert, cert);
        let mut other = head.clone();
        other[0] ^= 1;
        assert!(
            verify_token_over(OPENSSL_TOKEN, Datum::Digest(&other), &TokenCheck::default())
                .is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn hostile_bytes_never_panic(
            noise in proptest::collection::vec(any::<u8>(), 0..400),
            cut in 0usize..2000,
        ) {
            let _ = TimeStampReq::parse(&noise);
            let _ = TimeStampResp::parse(&noise);
            let _ = TstInfo::parse(&noise);
            let _ = verify_token(&noise, b"d", &TokenCheck::default());
            let cut = cut % (OPENSSL_TOKEN.len() + 1);
            let _ = verify_token(&OPENSSL_TOKEN[..cut], b"d", &TokenCheck::default());
            let _ = tsa(NOW, None).respond(&noise);
        }
    }
}
