//! JAdES signatures (ETSI TS 119 182-1): making them at baseline levels B, T, LT and LTA, and
//! validating them as ETSI EN 319 102-1 orders, into a [`ValidationReport`].
//!
//! A JAdES signature is a JWS whose protected header names the signing certificate
//! (`x5t#S256` over the certificate in `x5c`) and the claimed signing time (`iat`, or `sigT`
//! before 2025-07-15), lists its ETSI components in `crit`, and may sign an unencoded or
//! detached payload (`b64: false`, RFC 7797). The JSON serialisation adds the unprotected
//! `etsiU` array, which carries the signature time-stamp (`sigTst`, level T), the validation
//! data (`xVals`, `rVals`, level LT) and archive time-stamps (`arcTst`, level LTA).
//!
//! The validator walks the EN 319 102-1 building blocks in order (format checking,
//! identification of the signing certificate, cryptographic verification, time-stamps, X.509
//! and trust-service validation at the best signature time) and stops deciding at the first
//! that does not pass, still recording what it saw after it. Whether the signer's provider
//! was in good standing is read from a [`ServiceDirectory`] at the best signature time: the
//! time a valid signature time-stamp proves, or the validation time without one. A service
//! withdrawn after that time still vouches for the signature (EN 319 102-1 clause 5.6.2.4,
//! past signature validation); one withdrawn before it does not.
//!
//! Accord writes `etsiU` components base64url-encoded (TS 119 182-1 clause 5.3.1 allows both
//! forms): the archive time-stamp's imprint is then defined byte for byte. A signature whose
//! components are in clear and carries an `arcTst` is reported *not implemented* (the clear
//! form needs a JSON canonicalisation the standard leaves to the signer's choice).

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::formats::jose::{Algorithm, JoseError, SigningKey, b64, b64_decode};
use crate::requirements::Requirement;
use crate::requirements::ades as req;
use crate::trust::ades::rfc3339;
use crate::trust::ades::{Level, Outcome, ServiceFinding, SubIndication, ValidationReport};
use crate::trust::services::{Lookup, ServiceDirectory, ServiceKind};

/// The largest JAdES document Accord reads (a sealed Europass credential is tens of KB).
pub const MAX_JADES_BYTES: usize = 4 * 1024 * 1024;

/// TS 119 182-1 clause 6.3 (a): from this instant new signatures carry `iat`, not `sigT`.
pub const IAT_REQUIRED_FROM: i64 = 1_752_537_600; // 2025-07-15T00:00:00Z

/// The header parameters TS 119 182-1 defines that a signer must list in `crit` when it uses
/// them (clause 5.2: the signed JAdES components), and RFC 7797's `b64`.
const MUST_BE_CRITICAL: &[&str] = &[
    "sigT", "x5t#o", "sigX5ts", "srCms", "sigPl", "srAts", "adoTst", "sigPId", "sigD", "b64",
];

/// Names of RFC 7515 / 7518 header parameters: RFC 7515 clause 4.1.11 forbids them in `crit`.
const NEVER_CRITICAL: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// The critical parameters this validator understands and processes.
const UNDERSTOOD_CRITICAL: &[&str] = &["sigT", "b64", "iat", "x5t#o", "adoTst"];

/// How a signature is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serialization {
    /// `header.payload.signature`: no unprotected header, so level B only.
    Compact,
    /// The flattened JSON serialisation (`protected`, `header`, `payload`, `signature`).
    Json,
}

/// Where the claimed signing time goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningTimeHeader {
    /// `iat` (NumericDate), TS 119 182-1 V1.2.1 clause 5.1.11: required from 2025-07-15.
    Iat,
    /// `sigT` (`YYYY-MM-DDThh:mm:ssZ`), clause 5.2.1: what signatures before then carry.
    SigT,
}

/// A time-stamping authority as the signer sees it: the data to stamp in, a DER RFC 3161
/// `TimeStampToken` out.
pub type Stamper<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<u8>, String>;

/// What to seal and how.
pub struct SealRequest<'a> {
    pub payload: &'a [u8],
    /// Leave the payload out of the signature (the relying party holds it).
    pub detached: bool,
    /// `b64: false`: sign the payload bytes as they are (RFC 7797).
    pub unencoded: bool,
    pub key: &'a SigningKey,
    /// The signing certificate first, then its issuers (not the trust anchor, unless the
    /// listed service identity is the issuing CA itself and the validator needs it).
    pub chain: &'a [Vec<u8>],
    /// Unix seconds.
    pub signing_time: i64,
    pub time_header: SigningTimeHeader,
    pub level: Level,
    pub serialization: Serialization,
    /// Needed from level T.
    pub stamper: Option<Stamper<'a>>,
    /// `cty` of the payload, when one is to be named (`application/ld+json` for Europass).
    pub content_type: Option<&'a str>,
    /// A fault for the features: name this certificate in `x5t#S256` instead of the signer's.
    pub x5t_of: Option<&'a [u8]>,
}

#[derive(Debug, thiserror::Error)]
pub enum JadesError {
    #[error(
        "a {0} JAdES signature needs the JSON serialisation (the compact one has no unprotected header)"
    )]
    CompactAboveB(&'static str),
    #[error("a level T or higher JAdES signature needs a time-stamping authority")]
    NoStamper,
    #[error("the signing certificate chain is empty")]
    NoChain,
    #[error("an unencoded compact payload may not contain '.' (RFC 7797 clause 5.2)")]
    DotInUnencodedCompactPayload,
    #[error("time-stamping failed: {0}")]
    Stamp(String),
    #[error(transparent)]
    Jose(#[from] JoseError),
    #[error("{0}")]
    Json(String),
}

fn sha256(data: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, data).as_ref().to_vec()
}

/// `sigT`'s form, TS 119 182-1 clause 5.2.1: `YYYY-MM-DDThh:mm:ssZ`, UTC, no fraction.
fn sig_t(t: i64) -> String {
    let d = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

fn parse_sig_t(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(|d| d.unix_timestamp())
}

/// One `etsiU` component, base64url-encoded JSON (`{"name": value}`).
fn component(name: &str, value: Value) -> String {
    b64(Value::Object(Map::from_iter([(name.to_owned(), value)])).to_string())
}

fn tst_tokens(token: &[u8]) -> Value {
    json!({ "tstTokens": [ { "val": STANDARD.encode(token) } ] })
}

/// Seals `req.payload` into a JAdES signature at `req.level`.
pub fn seal(req: &SealRequest<'_>) -> Result<String, JadesError> {
    if req.serialization == Serialization::Compact && req.level != Level::B {
        return Err(JadesError::CompactAboveB(req.level.as_str()));
    }
    let leaf = req.chain.first().ok_or(JadesError::NoChain)?;
    if req.unencoded
        && !req.detached
        && req.serialization == Serialization::Compact
        && req.payload.contains(&b'.')
    {
        return Err(JadesError::DotInUnencodedCompactPayload);
    }
    let mut header = Map::new();
    header.insert("alg".into(), req.key.algorithm().name().into());
    if let Some(cty) = req.content_type {
        header.insert("cty".into(), cty.into());
    }
    let x5t = sha256(req.x5t_of.unwrap_or(leaf));
    header.insert("x5t#S256".into(), b64(x5t).into());
    header.insert(
        "x5c".into(),
        req.chain.iter().map(|c| STANDARD.encode(c)).collect(),
    );
    let mut crit = Vec::new();
    match req.time_header {
        SigningTimeHeader::Iat => {
            header.insert("iat".into(), req.signing_time.into());
        }
        SigningTimeHeader::SigT => {
            header.insert("sigT".into(), sig_t(req.signing_time).into());
            crit.push("sigT");
        }
    }
    if req.unencoded {
        header.insert("b64".into(), false.into());
        crit.push("b64");
    }
    if !crit.is_empty() {
        header.insert("crit".into(), crit.into_iter().map(Value::from).collect());
    }
    let protected = b64(serde_json::to_vec(&header).map_err(|e| JadesError::Json(e.to_string()))?);
    let payload_in_input = if req.unencoded {
        req.payload.to_vec()
    } else {
        b64(req.payload).into_bytes()
    };
    let mut input = protected.clone().into_bytes();
    input.push(b'.');
    input.extend_from_slice(&payload_in_input);
    let signature = b64(req.key.sign(&input)?);
    let payload_text = if req.detached {
        String::new()
    } else {
        // An unencoded payload is carried as it is: Accord seals UTF-8 documents (JSON-LD).
        String::from_utf8_lossy(&payload_in_input).into_owned()
    };

    if req.serialization == Serialization::Compact {
        return Ok(format!("{protected}.{payload_text}.{signature}"));
    }

    let mut etsi_u: Vec<String> = Vec::new();
    if req.level >= Level::T {
        let stamper = req.stamper.ok_or(JadesError::NoStamper)?;
        let token = stamper(signature.as_bytes()).map_err(JadesError::Stamp)?;
        etsi_u.push(component("sigTst", tst_tokens(&token)));
    }
    if req.level >= Level::Lt {
        let certs: Vec<Value> = req
            .chain
            .iter()
            .map(|c| json!({ "x509Cert": STANDARD.encode(c) }))
            .collect();
        etsi_u.push(component("xVals", Value::Array(certs)));
        // The seeded certificates name no CRL distribution point and no OCSP responder:
        // there is no revocation value to carry, and rVals says so with empty lists.
        etsi_u.push(component("rVals", json!({ "crlVals": [], "ocspVals": [] })));
    }
    if req.level >= Level::Lta {
        let stamper = req.stamper.ok_or(JadesError::NoStamper)?;
        let mut data = payload_in_input.clone();
        data.push(b'.');
        data.extend_from_slice(protected.as_bytes());
        data.push(b'.');
        data.extend_from_slice(signature.as_bytes());
        data.push(b'.');
        for c in &etsi_u {
            data.extend_from_slice(c.as_bytes());
        }
        let token = stamper(&data).map_err(JadesError::Stamp)?;
        let mut arc = tst_tokens(&token);
        arc["timeStamped"] = "all".into();
        etsi_u.push(component("arcTst", arc));
    }
    let mut out = Map::new();
    out.insert("protected".into(), protected.into());
    if !etsi_u.is_empty() {
        out.insert("header".into(), json!({ "etsiU": etsi_u }));
    }
    if !req.detached {
        out.insert("payload".into(), payload_text.into());
    }
    out.insert("signature".into(), signature.into());
    serde_json::to_string(&Value::Object(out)).map_err(|e| JadesError::Json(e.to_string()))
}

/// How a relying party judges a seal.
pub struct Policy<'a> {
    /// The services of the trusted lists read.
    pub directory: &'a ServiceDirectory,
    /// The validation time (Unix seconds): "now", injected.
    pub at: i64,
    /// What the signer's service must be (a seal: [`ServiceKind::ESeal`]).
    pub kind: ServiceKind,
    /// The lowest baseline level accepted; below it, INDETERMINATE/SIG_CONSTRAINTS_FAILURE.
    pub required_level: Level,
}

/// Validates time-stamp tokens for the JAdES validator: `(token, time-stamped data,
/// directory, validation time) -> report`. The RFC 3161 module provides the real one.
pub type TokenValidator<'a> = &'a dyn Fn(&[u8], &[u8], &ServiceDirectory, i64) -> ValidationReport;

/// The parts of a JAdES signature, as found.
struct Parsed {
    protected_b64: String,
    header: Map<String, Value>,
    /// The payload as it appears in the signing input (raw when `b64` is false).
    payload_in_input: Option<Vec<u8>>,
    signature_b64: String,
    etsi_u: Option<Value>,
}

fn parse(text: &str) -> Result<Parsed, String> {
    let text = text.trim();
    if text.starts_with('{') {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("not a JWS JSON serialisation: {e}"))?;
        let obj = v.as_object().ok_or("not a JSON object")?;
        let sig_obj = if let Some(sigs) = obj.get("signatures") {
            let sigs = sigs.as_array().ok_or("`signatures` is not an array")?;
            match sigs.as_slice() {
                [one] => one.as_object().ok_or("`signatures[0]` is not an object")?,
                [] => return Err("`signatures` is empty".into()),
                _ => return Err("NOT-IMPLEMENTED: more than one signature in `signatures`".into()),
            }
        } else {
            obj
        };
        let protected = sig_obj
            .get("protected")
            .and_then(Value::as_str)
            .ok_or("no `protected` header (TS 119 182-1 signs its components there)")?;
        let signature = sig_obj
            .get("signature")
            .and_then(Value::as_str)
            .ok_or("no `signature`")?;
        let etsi_u = sig_obj
            .get("header")
            .and_then(|h| h.as_object())
            .and_then(|h| h.get("etsiU"))
            .cloned();
        let header = decode_header(protected)?;
        let unencoded = header.get("b64") == Some(&Value::Bool(false));
        let payload = match obj.get("payload") {
            None => None,
            Some(Value::String(p)) if p.is_empty() => None,
            Some(Value::String(p)) => Some(p.as_bytes().to_vec()),
            Some(_) => return Err("`payload` is not a string".into()),
        };
        if !unencoded && let Some(p) = &payload {
            b64_decode(&String::from_utf8_lossy(p))
                .map_err(|e| format!("`payload` is not base64url: {e}"))?;
        }
        Ok(Parsed {
            protected_b64: protected.to_owned(),
            header,
            payload_in_input: payload,
            signature_b64: signature.to_owned(),
            etsi_u,
        })
    } else {
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() != 3 {
            return Err(format!(
                "a compact JWS has 3 parts separated by '.', this has {}",
                parts.len()
            ));
        }
        let header = decode_header(parts[0])?;
        let payload = (!parts[1].is_empty()).then(|| parts[1].as_bytes().to_vec());
        Ok(Parsed {
            protected_b64: parts[0].to_owned(),
            header,
            payload_in_input: payload,
            signature_b64: parts[2].to_owned(),
            etsi_u: None,
        })
    }
}

fn decode_header(b64_text: &str) -> Result<Map<String, Value>, String> {
    let bytes = b64_decode(b64_text).map_err(|e| format!("protected header: {e}"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the protected header is not a JSON object".into()),
        Err(e) => Err(format!("the protected header is not JSON: {e}")),
    }
}

fn fail(r: &mut ValidationReport, rq: &'static Requirement, si: SubIndication, d: String) {
    r.fail(rq, si, d);
}

/// A finding that does not decide the verdict (a SHOULD not met).
fn note(r: &mut ValidationReport, rq: &'static Requirement, d: impl Into<String>) {
    r.steps.push(crate::trust::ades::Step {
        requirement: rq.id,
        passed: false,
        detail: d.into(),
    });
}

/// Validates a JAdES signature. `detached` is the payload when the signature does not carry
/// it; `timestamps` validates the RFC 3161 tokens found in `sigTst` and `arcTst`.
pub fn validate(
    text: &str,
    detached: Option<&[u8]>,
    policy: &Policy<'_>,
    timestamps: TokenValidator<'_>,
) -> ValidationReport {
    let mut r = ValidationReport::new("JAdES");
    if text.len() > MAX_JADES_BYTES {
        fail(
            &mut r,
            &req::ADES_FORMAT,
            SubIndication::FormatFailure,
            format!(
                "the signature is {} bytes, over Accord's limit of {MAX_JADES_BYTES}",
                text.len()
            ),
        );
        return r;
    }
    // EN 319 102-1 clause 5.2.2: format checking.
    let parsed = match parse(text) {
        Ok(p) => p,
        Err(e) if e.starts_with("NOT-IMPLEMENTED: ") => {
            r.not_implemented(e.trim_start_matches("NOT-IMPLEMENTED: "));
            return r;
        }
        Err(e) => {
            fail(&mut r, &req::ADES_FORMAT, SubIndication::FormatFailure, e);
            return r;
        }
    };
    let h = &parsed.header;
    r.pass(&req::ADES_FORMAT, "a JWS with a protected header");

    // alg (TS 119 182-1 clause 5.1.2).
    let alg = match h.get("alg").and_then(Value::as_str) {
        None => {
            fail(
                &mut r,
                &req::JADES_ALG,
                SubIndication::FormatFailure,
                "no `alg` in the protected header".into(),
            );
            return r;
        }
        Some(name) => match SealAlg::from_name(name) {
            Ok(a) => a,
            Err(JoseError::AlgUnsupported(n)) => {
                r.not_implemented(format!("JWS algorithm `{n}`"));
                return r;
            }
            Err(e) => {
                fail(
                    &mut r,
                    &req::JADES_ALG,
                    SubIndication::CryptoConstraintsFailure,
                    format!("`alg` {name}: {e}"),
                );
                return r;
            }
        },
    };
    r.pass(&req::JADES_ALG, format!("alg {}", alg.name()));

    check_crit(&mut r, h);
    let unencoded = match h.get("b64") {
        None | Some(Value::Bool(true)) => false,
        Some(Value::Bool(false)) => true,
        Some(other) => {
            fail(
                &mut r,
                &req::JADES_B64,
                SubIndication::FormatFailure,
                format!("`b64` is {other}, not a boolean"),
            );
            false
        }
    };

    // The signed data: carried, or handed over beside the signature.
    let payload_in_input = match (&parsed.payload_in_input, detached) {
        (Some(p), _) => p.clone(),
        (None, Some(d)) if unencoded => d.to_vec(),
        (None, Some(d)) => b64(d).into_bytes(),
        (None, None) => {
            fail(
                &mut r,
                &req::ADES_FORMAT,
                SubIndication::SignedDataNotFound,
                "the payload is detached and was not supplied".into(),
            );
            return r;
        }
    };
    if unencoded {
        r.pass(&req::JADES_B64, "b64 false: the payload is signed as it is");
    }

    // EN 319 102-1 clause 5.2.3: identification of the signing certificate.
    let (chain, x5c_error) = decode_x5c(h.get("x5c"));
    let extra_certs = validation_certificates(&parsed, &mut r);
    let Some(leaf) = identify_signing_certificate(&mut r, h, &chain, &extra_certs, x5c_error)
    else {
        return r;
    };
    let leaf_parsed = match X509Certificate::from_der(&leaf) {
        Ok((_, c)) => c,
        Err(e) => {
            fail(
                &mut r,
                &req::ADES_SIGNING_CERTIFICATE,
                SubIndication::NoSigningCertificateFound,
                format!("the signing certificate does not parse: {e}"),
            );
            return r;
        }
    };
    r.signer = Some(leaf_parsed.subject().to_string());

    // Claimed signing time.
    let claimed = claimed_signing_time(&mut r, h);
    r.claimed_signing_time = claimed.map(rfc3339);

    // EN 319 102-1 clause 5.2.7: cryptographic verification.
    let key = match &alg {
        SealAlg::Jose(a) => match crate::trust::x5c::public_key(&leaf_parsed) {
            Ok(k) if k.algorithm() == *a => Some(k),
            Ok(k) => {
                fail(
                    &mut r,
                    &req::ADES_CRYPTO,
                    SubIndication::SigCryptoFailure,
                    format!(
                        "alg {} does not fit the signing certificate's {} key",
                        alg.name(),
                        k.algorithm().name()
                    ),
                );
                return r;
            }
            Err(e) => {
                r.not_implemented(format!("the signing certificate's key: {e}"));
                return r;
            }
        },
        // RSA keys are checked by the CMS verifier, which holds the RSA rules.
        SealAlg::Rsa { .. } => None,
    };
    let mut input = parsed.protected_b64.clone().into_bytes();
    input.push(b'.');
    input.extend_from_slice(&payload_in_input);
    let signature = match b64_decode(&parsed.signature_b64) {
        Ok(s) => s,
        Err(e) => {
            fail(
                &mut r,
                &req::ADES_FORMAT,
                SubIndication::FormatFailure,
                format!("the signature is not base64url: {e}"),
            );
            return r;
        }
    };
    let verified = match (&key, &alg) {
        (Some(k), _) => k.verify(&input, &signature).is_ok(),
        (None, SealAlg::Rsa { oid, hash, .. }) => {
            match crate::formats::cms::verify_signature(&leaf, oid, None, hash, &input, &signature)
            {
                Ok(()) => true,
                Err(crate::formats::cms::CmsFailure::Unsupported(what)) => {
                    r.not_implemented(what);
                    return r;
                }
                Err(_) => false,
            }
        }
        (None, SealAlg::Jose(_)) => false,
    };
    if !verified {
        fail(
            &mut r,
            &req::ADES_CRYPTO,
            SubIndication::SigCryptoFailure,
            "the signature value does not verify over the protected header and payload".into(),
        );
        return r;
    }
    r.pass(
        &req::ADES_CRYPTO,
        "the signature verifies under the signing certificate's key",
    );
    let mut level = Level::B;

    // Unsigned components: time-stamps and validation data.
    let mut best_time: Option<i64> = None;
    if let Some(etsi_u) = &parsed.etsi_u {
        let ctx = EtsiUContext {
            payload_in_input: &payload_in_input,
            protected_b64: &parsed.protected_b64,
            signature_b64: &parsed.signature_b64,
            chain: &chain,
        };
        let found = unsigned_components(&mut r, etsi_u, &ctx, policy, timestamps);
        best_time = found.proof_of_existence;
        if found.signature_time_stamped {
            level = Level::T;
            if found.validation_data {
                level = Level::Lt;
                if found.archive_time_stamped {
                    level = Level::Lta;
                }
            }
        }
    }
    content_time_stamps(
        &mut r,
        h,
        unencoded,
        &payload_in_input,
        best_time,
        policy,
        timestamps,
    );
    r.proven_signing_time = best_time.map(rfc3339);

    // EN 319 102-1 clause 5.2.6: X.509 validation and the trust service, at the best
    // signature time (clause 5.6.2.4: past signature validation with the proof found).
    let judged_at = best_time.unwrap_or(policy.at);
    let mut full_chain = chain.clone();
    if full_chain.is_empty() {
        full_chain.push(leaf.clone());
    }
    for c in &extra_certs {
        if !full_chain.contains(c) {
            full_chain.push(c.clone());
        }
    }
    judge_chain(
        &mut r,
        &leaf_parsed,
        &full_chain,
        judged_at,
        best_time,
        policy,
    );

    r.level = Some(level);
    r.require_level(policy.required_level);
    r
}

/// The JWS algorithms a seal may use: those of Accord's JOSE keys, and RSA PKCS#1 v1.5
/// (`RS256`, `RS384`, `RS512`; Europass seals use `RS256`), verified by the CMS verifier.
enum SealAlg {
    Jose(Algorithm),
    Rsa {
        name: &'static str,
        oid: &'static str,
        hash: &'static aws_lc_rs::digest::Algorithm,
    },
}

impl SealAlg {
    fn from_name(name: &str) -> Result<Self, JoseError> {
        use crate::formats::cms::oid;
        let rsa = |name, oid, hash| SealAlg::Rsa { name, oid, hash };
        match name {
            "RS256" => Ok(rsa("RS256", oid::RSA_SHA256, &digest::SHA256)),
            "RS384" => Ok(rsa("RS384", oid::RSA_SHA384, &digest::SHA384)),
            "RS512" => Ok(rsa("RS512", oid::RSA_SHA512, &digest::SHA512)),
            other => Algorithm::from_name(other).map(SealAlg::Jose),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            SealAlg::Jose(a) => a.name(),
            SealAlg::Rsa { name, .. } => name,
        }
    }
}

/// TS 119 182-1 clause 5.2.8.1: `adoTst`, content time-stamps over the payload (the JWS
/// Payload octets, before any base64url encoding), made before the signature. Each must
/// validate, and none may be later than the earliest proof of existence of the signature
/// itself (EN 319 102-1: otherwise INDETERMINATE/TIMESTAMP_ORDER_FAILURE).
fn content_time_stamps(
    r: &mut ValidationReport,
    h: &Map<String, Value>,
    unencoded: bool,
    payload_in_input: &[u8],
    signature_proven_at: Option<i64>,
    policy: &Policy<'_>,
    timestamps: TokenValidator<'_>,
) {
    let Some(ado) = h.get("adoTst") else { return };
    let payload = if unencoded {
        payload_in_input.to_vec()
    } else {
        match b64_decode(&String::from_utf8_lossy(payload_in_input)) {
            Ok(p) => p,
            Err(_) => return,
        }
    };
    let token = match token_of(ado) {
        Ok(t) => t,
        Err(e) => {
            fail(
                r,
                &req::JADES_ADOTST,
                SubIndication::FormatFailure,
                format!("adoTst: {e}"),
            );
            return;
        }
    };
    let report = timestamps(&token, &payload, policy.directory, policy.at);
    if report.passed() {
        let t = gen_time(&report);
        r.pass(
            &req::JADES_ADOTST,
            format!(
                "content time-stamp at {} validates: the payload existed then",
                t.map(rfc3339).unwrap_or_default()
            ),
        );
        if let (Some(t), Some(signed)) = (t, signature_proven_at)
            && t > signed
        {
            fail(
                r,
                &req::JADES_ADOTST,
                SubIndication::TimestampOrderFailure,
                format!(
                    "the content time-stamp ({}) is later than the signature's time-stamp ({})",
                    rfc3339(t),
                    rfc3339(signed)
                ),
            );
        }
    } else {
        note(
            r,
            &req::ADES_TIMESTAMP,
            format!(
                "the content time-stamp (adoTst) does not validate ({}): it proves nothing",
                report.outcome.label()
            ),
        );
    }
    r.timestamps.push(report);
}

/// The payload a JAdES signature carries, as the signed octets (decoded when `b64` is not
/// `false`); `None` when the signature is unreadable or its payload detached.
pub fn payload(text: &str) -> Option<Vec<u8>> {
    let parsed = parse(text).ok()?;
    let p = parsed.payload_in_input?;
    let header: Value = serde_json::from_slice(&b64_decode(&parsed.protected_b64).ok()?).ok()?;
    if header.get("b64") == Some(&Value::Bool(false)) {
        Some(p)
    } else {
        b64_decode(&String::from_utf8_lossy(&p)).ok()
    }
}

/// Validates a JAdES signature with Accord's RFC 3161 validator for its time-stamps.
pub fn validate_seal(text: &str, detached: Option<&[u8]>, policy: &Policy<'_>) -> ValidationReport {
    validate(text, detached, policy, &|token, data, directory, _at| {
        crate::trust::tsp::validate_token(token, data, directory, None)
    })
}

/// A [`Stamper`] over an in-process TSA: each stamp is a real RFC 3161 request (with a nonce
/// from `entropy`) answered by `tsa`.
pub fn tsa_stamper<'a>(
    tsa: &'a crate::trust::tsp::Tsa,
    entropy: &'a std::cell::RefCell<dyn crate::entropy::Entropy + 'a>,
) -> impl Fn(&[u8]) -> Result<Vec<u8>, String> + 'a {
    move |data| {
        let request =
            crate::trust::tsp::TimeStampReq::for_data(data, &mut *entropy.borrow_mut(), None);
        tsa.issue(&request).map_err(|refusal| {
            format!(
                "the TSA refused (status {}): {}",
                refusal.status,
                refusal.status_strings.join("; ")
            )
        })
    }
}

fn check_crit(r: &mut ValidationReport, h: &Map<String, Value>) {
    let crit = match h.get("crit") {
        None => Vec::new(),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut names = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) if names.contains(&s) => {
                        fail(
                            r,
                            &req::JADES_CRIT,
                            SubIndication::FormatFailure,
                            format!("`crit` lists `{s}` twice"),
                        );
                    }
                    Some(s) => names.push(s),
                    None => fail(
                        r,
                        &req::JADES_CRIT,
                        SubIndication::FormatFailure,
                        format!("`crit` holds {item}, not a name"),
                    ),
                }
            }
            names
        }
        Some(other) => {
            fail(
                r,
                &req::JADES_CRIT,
                SubIndication::FormatFailure,
                format!("`crit` is {other}, not a non-empty array (RFC 7515 clause 4.1.11)"),
            );
            return;
        }
    };
    for name in &crit {
        if NEVER_CRITICAL.contains(name) {
            fail(
                r,
                &req::JADES_CRIT,
                SubIndication::FormatFailure,
                format!("`crit` lists `{name}`, a RFC 7515/7518 parameter it must not list"),
            );
        } else if !h.contains_key(*name) {
            fail(
                r,
                &req::JADES_CRIT,
                SubIndication::FormatFailure,
                format!("`crit` lists `{name}`, which the protected header does not carry"),
            );
        } else if !UNDERSTOOD_CRITICAL.contains(name) {
            // RFC 7515 clause 4.1.11: a critical extension not understood makes the JWS
            // invalid. Accord does not process it, so it says so rather than guess.
            r.not_implemented(format!("the critical header parameter `{name}`"));
        }
    }
    for name in MUST_BE_CRITICAL {
        if h.contains_key(*name) && !crit.contains(name) {
            fail(
                r,
                &req::JADES_CRIT,
                SubIndication::FormatFailure,
                format!("the protected header carries `{name}` but `crit` does not list it"),
            );
        }
    }
    if r.passed() {
        r.pass(
            &req::JADES_CRIT,
            if crit.is_empty() {
                "no JAdES component that must be critical".to_owned()
            } else {
                format!("crit {crit:?}")
            },
        );
    }
}

fn decode_x5c(v: Option<&Value>) -> (Vec<Vec<u8>>, Option<String>) {
    let Some(v) = v else {
        return (Vec::new(), None);
    };
    let Some(items) = v.as_array() else {
        return (Vec::new(), Some("`x5c` is not an array".into()));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(|s| STANDARD.decode(s)) {
            Some(Ok(der)) => out.push(der),
            _ => return (out, Some(format!("`x5c[{i}]` is not base64 DER"))),
        }
    }
    (out, None)
}

/// The certificates `xVals` carries (read before the signing certificate is identified: the
/// signing certificate may be there rather than in `x5c`).
fn validation_certificates(parsed: &Parsed, r: &mut ValidationReport) -> Vec<Vec<u8>> {
    let Some(Value::Array(items)) = &parsed.etsi_u else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Ok((name, value)) = decode_component(item) else {
            continue;
        };
        if name != "xVals" {
            continue;
        }
        match value.as_array() {
            Some(vals) => {
                for v in vals {
                    if let Some(Ok(der)) = v
                        .get("x509Cert")
                        .and_then(Value::as_str)
                        .map(|s| STANDARD.decode(s))
                    {
                        out.push(der);
                    }
                }
            }
            None => fail(
                r,
                &req::JADES_VALIDATION_DATA,
                SubIndication::FormatFailure,
                "`xVals` is not an array".into(),
            ),
        }
    }
    out
}

fn identify_signing_certificate(
    r: &mut ValidationReport,
    h: &Map<String, Value>,
    chain: &[Vec<u8>],
    extra: &[Vec<u8>],
    x5c_error: Option<String>,
) -> Option<Vec<u8>> {
    if let Some(e) = x5c_error {
        fail(
            r,
            &req::ADES_SIGNING_CERTIFICATE,
            SubIndication::FormatFailure,
            e,
        );
        return None;
    }
    let refs: Vec<&str> = ["x5t#S256", "x5t#o", "sigX5ts"]
        .into_iter()
        .filter(|n| h.contains_key(*n))
        .collect();
    if refs.len() != 1 {
        fail(
            r,
            &req::JADES_SIGNING_CERT_REF,
            SubIndication::FormatFailure,
            format!(
                "the protected header references the signing certificate {} times ({refs:?}); a JAdES signature does so exactly once",
                refs.len()
            ),
        );
        return None;
    }
    let (wanted, hash): (Vec<u8>, &digest::Algorithm) = match refs[0] {
        "x5t#S256" => match h["x5t#S256"].as_str().map(b64_decode) {
            Some(Ok(d)) => (d, &digest::SHA256),
            _ => {
                fail(
                    r,
                    &req::JADES_SIGNING_CERT_REF,
                    SubIndication::FormatFailure,
                    "`x5t#S256` is not base64url".into(),
                );
                return None;
            }
        },
        "x5t#o" => {
            let o = &h["x5t#o"];
            let alg = o.get("digAlg").and_then(Value::as_str);
            let hash = match alg {
                Some("http://www.w3.org/2001/04/xmlenc#sha256") => &digest::SHA256,
                Some("http://www.w3.org/2001/04/xmldsig-more#sha384") => &digest::SHA384,
                Some("http://www.w3.org/2001/04/xmlenc#sha512") => &digest::SHA512,
                other => {
                    r.not_implemented(format!("`x5t#o` digest algorithm {other:?}"));
                    return None;
                }
            };
            match o.get("digVal").and_then(Value::as_str).map(b64_decode) {
                Some(Ok(d)) => (d, hash),
                _ => {
                    fail(
                        r,
                        &req::JADES_SIGNING_CERT_REF,
                        SubIndication::FormatFailure,
                        "`x5t#o.digVal` is not base64url".into(),
                    );
                    return None;
                }
            }
        }
        _ => {
            r.not_implemented("`sigX5ts` (several signing-certificate references)");
            return None;
        }
    };
    let matches = |c: &Vec<u8>| digest::digest(hash, c).as_ref() == wanted.as_slice();
    match chain.first() {
        Some(leaf) if matches(leaf) => {
            r.pass(
                &req::JADES_SIGNING_CERT_REF,
                format!("{} is the digest of x5c[0]", refs[0]),
            );
            r.pass(
                &req::ADES_SIGNING_CERTIFICATE,
                "the signing certificate is x5c[0]",
            );
            Some(leaf.clone())
        }
        Some(_) => {
            fail(
                r,
                &req::JADES_SIGNING_CERT_REF,
                SubIndication::NoSigningCertificateFound,
                format!(
                    "{} is not the digest of x5c[0]: the signed reference names another certificate than the one carried",
                    refs[0]
                ),
            );
            None
        }
        None => match extra.iter().find(|c| matches(c)) {
            Some(c) => {
                r.pass(
                    &req::ADES_SIGNING_CERTIFICATE,
                    "the signing certificate is in xVals",
                );
                Some(c.clone())
            }
            None => {
                fail(
                    r,
                    &req::ADES_SIGNING_CERTIFICATE,
                    SubIndication::NoSigningCertificateFound,
                    format!(
                        "no x5c, and no certificate of xVals has the digest {} names",
                        refs[0]
                    ),
                );
                None
            }
        },
    }
}

fn claimed_signing_time(r: &mut ValidationReport, h: &Map<String, Value>) -> Option<i64> {
    let iat = h.get("iat");
    let sig_t = h.get("sigT");
    match (iat, sig_t) {
        (Some(_), Some(_)) => {
            fail(
                r,
                &req::JADES_SIGNING_TIME,
                SubIndication::FormatFailure,
                "both iat and sigT claim the signing time; a JAdES signature carries one".into(),
            );
            None
        }
        (None, None) => {
            fail(
                r,
                &req::JADES_SIGNING_TIME,
                SubIndication::FormatFailure,
                "neither iat nor sigT claims a signing time".into(),
            );
            None
        }
        (Some(v), None) => match v.as_i64() {
            Some(t) => {
                r.pass(&req::JADES_SIGNING_TIME, format!("iat {}", rfc3339(t)));
                Some(t)
            }
            None => {
                fail(
                    r,
                    &req::JADES_SIGNING_TIME,
                    SubIndication::FormatFailure,
                    format!("iat is {v}, not a NumericDate"),
                );
                None
            }
        },
        (None, Some(v)) => match v.as_str().and_then(parse_sig_t) {
            Some(t) => {
                r.pass(&req::JADES_SIGNING_TIME, format!("sigT {}", rfc3339(t)));
                if t >= IAT_REQUIRED_FROM {
                    note(
                        r,
                        &req::JADES_IAT_SINCE_2025,
                        format!(
                            "claimed signing time {} is from 2025-07-15 on, yet carried in sigT rather than iat",
                            rfc3339(t)
                        ),
                    );
                }
                Some(t)
            }
            None => {
                fail(
                    r,
                    &req::JADES_SIGNING_TIME,
                    SubIndication::FormatFailure,
                    format!("sigT is {v}, not YYYY-MM-DDThh:mm:ssZ"),
                );
                None
            }
        },
    }
}

/// A component of `etsiU`: base64url-encoded JSON or a clear object, one member each.
fn decode_component(item: &Value) -> Result<(String, Value), String> {
    let obj = match item {
        Value::String(s) => {
            let bytes = b64_decode(s).map_err(|e| format!("not base64url: {e}"))?;
            serde_json::from_slice::<Value>(&bytes).map_err(|e| format!("not JSON: {e}"))?
        }
        Value::Object(_) => item.clone(),
        other => {
            return Err(format!(
                "{other} is neither an object nor a base64url string"
            ));
        }
    };
    match obj {
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.into_iter().next().expect("one member");
            Ok((k, v))
        }
        _ => Err("a component is one JSON object with exactly one member".into()),
    }
}

struct EtsiUContext<'a> {
    payload_in_input: &'a [u8],
    protected_b64: &'a str,
    signature_b64: &'a str,
    chain: &'a [Vec<u8>],
}

#[derive(Default)]
struct UnsignedFound {
    signature_time_stamped: bool,
    validation_data: bool,
    archive_time_stamped: bool,
    /// The earliest time a valid signature time-stamp proves.
    proof_of_existence: Option<i64>,
}

fn token_of(value: &Value) -> Result<Vec<u8>, String> {
    let tokens = value
        .get("tstTokens")
        .and_then(Value::as_array)
        .ok_or("no `tstTokens` array")?;
    let [one] = tokens.as_slice() else {
        return Err(format!(
            "{} tokens; one per time-stamp in a baseline signature (TS 119 182-1 clause 6.3 (c))",
            tokens.len()
        ));
    };
    let val = one
        .get("val")
        .and_then(Value::as_str)
        .ok_or("a token without `val`")?;
    STANDARD
        .decode(val)
        .map_err(|e| format!("`val` is not base64: {e}"))
}

fn gen_time(report: &ValidationReport) -> Option<i64> {
    report
        .proven_signing_time
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .map(|d| d.unix_timestamp())
}

fn unsigned_components(
    r: &mut ValidationReport,
    etsi_u: &Value,
    ctx: &EtsiUContext<'_>,
    policy: &Policy<'_>,
    timestamps: TokenValidator<'_>,
) -> UnsignedFound {
    let mut found = UnsignedFound::default();
    let Some(items) = etsi_u.as_array() else {
        fail(
            r,
            &req::JADES_ETSIU,
            SubIndication::FormatFailure,
            "`etsiU` is not an array".into(),
        );
        return found;
    };
    let encoded = items.iter().all(Value::is_string);
    if !encoded && !items.iter().all(Value::is_object) {
        fail(
            r,
            &req::JADES_ETSIU,
            SubIndication::FormatFailure,
            "`etsiU` mixes base64url-encoded and clear components".into(),
        );
        return found;
    }
    let mut decoded = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match decode_component(item) {
            Ok(c) => decoded.push(c),
            Err(e) => {
                fail(
                    r,
                    &req::JADES_ETSIU,
                    SubIndication::FormatFailure,
                    format!("etsiU[{i}]: {e}"),
                );
                return found;
            }
        }
    }
    r.pass(
        &req::JADES_ETSIU,
        format!(
            "{} components, {}",
            decoded.len(),
            if encoded {
                "base64url-encoded"
            } else {
                "in clear"
            }
        ),
    );
    let mut has_x_vals = false;
    let mut has_r_vals = false;
    for (i, (name, value)) in decoded.iter().enumerate() {
        match name.as_str() {
            "sigTst" => {
                let token = match token_of(value) {
                    Ok(t) => t,
                    Err(e) => {
                        fail(
                            r,
                            &req::JADES_SIGTST,
                            SubIndication::FormatFailure,
                            format!("sigTst: {e}"),
                        );
                        continue;
                    }
                };
                let report = timestamps(
                    &token,
                    ctx.signature_b64.as_bytes(),
                    policy.directory,
                    policy.at,
                );
                if report.passed() {
                    let t = gen_time(&report);
                    r.pass(
                        &req::JADES_SIGTST,
                        format!(
                            "signature time-stamp at {} validates",
                            t.map(rfc3339).unwrap_or_default()
                        ),
                    );
                    found.signature_time_stamped = true;
                    if let Some(t) = t {
                        found.proof_of_existence =
                            Some(found.proof_of_existence.map_or(t, |p: i64| p.min(t)));
                    }
                } else {
                    // EN 319 102-1 clause 5.4: a time-stamp that does not validate proves
                    // nothing; the signature is judged without it.
                    note(
                        r,
                        &req::ADES_TIMESTAMP,
                        format!(
                            "the signature time-stamp does not validate ({}): it is not a proof of existence",
                            report.outcome.label()
                        ),
                    );
                }
                r.timestamps.push(report);
            }
            "xVals" => has_x_vals = true,
            "rVals" => {
                let crl = value.get("crlVals").and_then(Value::as_array);
                let ocsp = value.get("ocspVals").and_then(Value::as_array);
                if crl.is_none() && ocsp.is_none() {
                    fail(
                        r,
                        &req::JADES_VALIDATION_DATA,
                        SubIndication::FormatFailure,
                        "`rVals` has neither crlVals nor ocspVals".into(),
                    );
                } else if crl.is_some_and(|v| !v.is_empty()) || ocsp.is_some_and(|v| !v.is_empty())
                {
                    // Accord reads service status from trusted lists and checks no CRL or
                    // OCSP response: level LT is not claimed on data it did not evaluate.
                    note(
                        r,
                        &req::JADES_VALIDATION_DATA,
                        "rVals carries CRLs or OCSP responses, which Accord does not evaluate (not implemented): level LT is not claimed",
                    );
                } else if chain_names_revocation_sources(ctx.chain) {
                    note(
                        r,
                        &req::JADES_VALIDATION_DATA,
                        "rVals is empty but the chain names CRL or OCSP sources: the revocation values are missing",
                    );
                } else {
                    has_r_vals = true;
                }
            }
            "arcTst" => {
                if !encoded {
                    r.not_implemented(
                        "arcTst over etsiU components in clear (needs the JSON canonicalisation the signer chose)",
                    );
                    continue;
                }
                let token = match token_of(value) {
                    Ok(t) => t,
                    Err(e) => {
                        fail(
                            r,
                            &req::JADES_ARCTST,
                            SubIndication::FormatFailure,
                            format!("arcTst: {e}"),
                        );
                        continue;
                    }
                };
                // TS 119 182-1 clause 5.3.6.3.1: payload, '.', protected header, '.',
                // signature value, '.', then every etsiU component before this one as it
                // appears, with nothing between them.
                let mut data = ctx.payload_in_input.to_vec();
                data.push(b'.');
                data.extend_from_slice(ctx.protected_b64.as_bytes());
                data.push(b'.');
                data.extend_from_slice(ctx.signature_b64.as_bytes());
                data.push(b'.');
                for item in &items[..i] {
                    if let Some(s) = item.as_str() {
                        data.extend_from_slice(s.as_bytes());
                    }
                }
                let report = timestamps(&token, &data, policy.directory, policy.at);
                if report.passed() {
                    r.pass(&req::JADES_ARCTST, "the archive time-stamp validates");
                    found.archive_time_stamped = true;
                } else {
                    note(
                        r,
                        &req::JADES_ARCTST,
                        format!(
                            "the archive time-stamp does not validate ({})",
                            report.outcome.label()
                        ),
                    );
                }
                r.timestamps.push(report);
            }
            other => {
                r.not_implemented(format!("the etsiU component `{other}`"));
            }
        }
    }
    if has_x_vals && has_r_vals {
        r.pass(
            &req::JADES_VALIDATION_DATA,
            "xVals and rVals carry the validation data",
        );
        found.validation_data = true;
    }
    found
}

/// Whether a certificate of the chain names a CRL distribution point or an OCSP responder.
fn chain_names_revocation_sources(chain: &[Vec<u8>]) -> bool {
    chain.iter().any(|der| {
        X509Certificate::from_der(der).is_ok_and(|(_, c)| {
            c.extensions().iter().any(|e| {
                let oid = e.oid.to_id_string();
                // cRLDistributionPoints, authorityInfoAccess (OCSP lives there).
                oid == "2.5.29.31" || oid == "1.3.6.1.5.5.7.1.1"
            })
        })
    })
}

fn judge_chain(
    r: &mut ValidationReport,
    leaf: &X509Certificate<'_>,
    chain: &[Vec<u8>],
    judged_at: i64,
    proof: Option<i64>,
    policy: &Policy<'_>,
) {
    let validity = leaf.validity();
    if judged_at > validity.not_after.timestamp() {
        let si = if proof.is_some() {
            SubIndication::Expired
        } else {
            SubIndication::OutOfBoundsNoPoe
        };
        fail(
            r,
            &req::ADES_X509_VALIDATION,
            si,
            format!(
                "the signing certificate expired at {}, before the time judged ({})",
                rfc3339(validity.not_after.timestamp()),
                rfc3339(judged_at)
            ),
        );
    } else if judged_at < validity.not_before.timestamp() {
        let si = if proof.is_some() {
            SubIndication::NotYetValid
        } else {
            SubIndication::OutOfBoundsNoPoe
        };
        fail(
            r,
            &req::ADES_X509_VALIDATION,
            si,
            format!(
                "the signing certificate is valid only from {}, after the time judged ({})",
                rfc3339(validity.not_before.timestamp()),
                rfc3339(judged_at)
            ),
        );
    } else {
        r.pass(
            &req::ADES_X509_VALIDATION,
            format!("the signing certificate is valid at {}", rfc3339(judged_at)),
        );
    }
    let finding = |service: &crate::trust::services::ListedService,
                   status: &str,
                   since: Option<i64>| ServiceFinding {
        territory: service.territory.clone(),
        provider: service.provider.clone(),
        service: service.service_name.clone(),
        service_type: service.type_uri.clone(),
        status: status.to_owned(),
        status_since: since.map(rfc3339).unwrap_or_default(),
        judged_at: rfc3339(judged_at),
    };
    match policy.directory.lookup(chain, policy.kind, judged_at) {
        Lookup::InGoodStanding { service, period } => {
            r.service = Some(finding(service, &period.status, Some(period.since)));
            r.pass(
                &req::ADES_TRUST_SERVICE,
                format!(
                    "{} / {} ({}) is in good standing at {}",
                    service.territory,
                    service.provider,
                    service.service_name,
                    rfc3339(judged_at)
                ),
            );
        }
        Lookup::NotInGoodStanding { service, period } => {
            let status = period
                .map(|p| p.status.as_str())
                .unwrap_or("not yet listed");
            r.service = Some(finding(service, status, period.map(|p| p.since)));
            let (rq, si, why) = match (period, proof) {
                (None, _) => (
                    &req::ADES_TRUST_SERVICE,
                    SubIndication::ChainConstraintsFailure,
                    "the service was not yet listed at that time",
                ),
                (Some(_), Some(_)) => (
                    &req::ADES_PAST_SIGNATURE,
                    SubIndication::Revoked,
                    "a time-stamp proves the signature was made after the status changed",
                ),
                (Some(_), None) => (
                    &req::ADES_PAST_SIGNATURE,
                    SubIndication::RevokedNoPoe,
                    "no time-stamp proves the signature existed before the status changed",
                ),
            };
            fail(
                r,
                rq,
                si,
                format!(
                    "{} / {} ({}) has status {status} at {}: {why}",
                    service.territory,
                    service.provider,
                    service.service_name,
                    rfc3339(judged_at)
                ),
            );
        }
        Lookup::WrongKind { service } => {
            fail(
                r,
                &req::ADES_TRUST_SERVICE,
                SubIndication::ChainConstraintsFailure,
                format!(
                    "the chain leads to {} / {}, a service of type {} that does not vouch for {:?}",
                    service.territory, service.service_name, service.type_uri, policy.kind
                ),
            );
        }
        Lookup::NotListed => {
            fail(
                r,
                &req::ADES_TRUST_SERVICE,
                SubIndication::NoCertificateChainFound,
                "no service of the trusted lists read vouches for the signing certificate's chain"
                    .into(),
            );
        }
    }
}

/// Whether the outcome is one the CLI reports as valid.
pub fn is_valid(report: &ValidationReport) -> bool {
    report.outcome == Outcome::Passed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::tsp_pki::TrustServicePki;

    const MARCH_2026: i64 = 1_772_323_200; // 2026-03-01
    const SEPT_2026: i64 = 1_788_220_800; // 2026-09-01
    const DEC_2026: i64 = 1_796_256_000; // 2026-12-01

    /// The services the seeded XML lists name (the DE seal CA granted, the DE "Widerruf" CA
    /// withdrawn at WITHDRAWN_AT among them).
    fn directory(pki: &TrustServicePki) -> ServiceDirectory {
        crate::trust::tsp::seeded_directory(pki)
    }

    /// Stands in for the RFC 3161 module: a "token" is `genTime:hex(sha256(data))`, checked
    /// as such. The real tokens are exercised by the trust-services tests.
    fn fake_stamp(at: i64) -> impl Fn(&[u8]) -> Result<Vec<u8>, String> {
        move |data| Ok(format!("{at}:{}", b64(sha256(data))).into_bytes())
    }

    fn fake_validate(token: &[u8], data: &[u8], _: &ServiceDirectory, _: i64) -> ValidationReport {
        let mut r = ValidationReport::new("RFC 3161");
        let text = String::from_utf8_lossy(token);
        let (t, h) = text.split_once(':').unwrap();
        if h != b64(sha256(data)) {
            r.fail(&req::ADES_TIMESTAMP, SubIndication::HashFailure, "imprint");
        }
        r.proven_signing_time = Some(rfc3339(t.parse().unwrap()));
        r
    }

    fn policy(dir: &ServiceDirectory) -> Policy<'_> {
        Policy {
            directory: dir,
            at: DEC_2026,
            kind: ServiceKind::ESeal,
            required_level: Level::B,
        }
    }

    fn sealed(
        pki: &TrustServicePki,
        withdrawn: bool,
        level: Level,
        at: i64,
        tweak: impl FnOnce(&mut SealRequest<'_>),
    ) -> String {
        let p = if withdrawn {
            pki.de.withdrawn.as_ref().unwrap()
        } else {
            &pki.de.seals
        };
        let chain = vec![p.leaf.cert_der.clone(), p.ca.cert_der.clone()];
        let stamp = fake_stamp(at);
        let mut req = SealRequest {
            payload: br#"{"credentialSubject":{"id":"did:example:1"}}"#,
            detached: false,
            unencoded: true,
            key: &p.leaf.key,
            chain: &chain,
            signing_time: at,
            time_header: SigningTimeHeader::Iat,
            level,
            serialization: Serialization::Json,
            stamper: Some(&stamp),
            content_type: Some("application/ld+json"),
            x5t_of: None,
        };
        tweak(&mut req);
        seal(&req).unwrap()
    }

    #[test]
    fn each_level_is_reached_and_reported() {
        let pki = TrustServicePki::generate(1).unwrap();
        let dir = directory(&pki);
        for level in [Level::B, Level::T, Level::Lt, Level::Lta] {
            let s = sealed(&pki, false, level, MARCH_2026, |_| {});
            let r = validate(&s, None, &policy(&dir), &fake_validate);
            assert_eq!(r.outcome, Outcome::Passed, "{level:?}: {r:#?}");
            assert_eq!(r.level, Some(level));
        }
        let compact = sealed(&pki, false, Level::B, MARCH_2026, |r| {
            r.serialization = Serialization::Compact;
            r.unencoded = false;
        });
        assert_eq!(compact.split('.').count(), 3);
        let r = validate(&compact, None, &policy(&dir), &fake_validate);
        assert!(r.passed(), "{r:#?}");
    }

    #[test]
    fn withdrawal_is_judged_at_the_proven_time() {
        let pki = TrustServicePki::generate(1).unwrap();
        let dir = directory(&pki);
        let before = sealed(&pki, true, Level::T, MARCH_2026, |_| {});
        let r = validate(&before, None, &policy(&dir), &fake_validate);
        assert!(r.passed(), "{r:#?}");
        let after = sealed(&pki, true, Level::T, SEPT_2026, |_| {});
        let r = validate(&after, None, &policy(&dir), &fake_validate);
        assert_eq!(
            r.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::Revoked
            }
        );
        // Without a time-stamp nothing proves when it was made.
        let b_only = sealed(&pki, true, Level::B, MARCH_2026, |_| {});
        let r = validate(&b_only, None, &policy(&dir), &fake_validate);
        assert_eq!(
            r.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::RevokedNoPoe
            }
        );
    }

    #[test]
    fn a_thumbprint_of_another_certificate_is_no_signing_certificate() {
        let pki = TrustServicePki::generate(1).unwrap();
        let dir = directory(&pki);
        let other = pki.fr.seals.leaf.cert_der.clone();
        let p = &pki.de.seals;
        let chain = vec![p.leaf.cert_der.clone(), p.ca.cert_der.clone()];
        let s = seal(&SealRequest {
            payload: b"{}",
            detached: false,
            unencoded: false,
            key: &p.leaf.key,
            chain: &chain,
            signing_time: MARCH_2026,
            time_header: SigningTimeHeader::Iat,
            level: Level::B,
            serialization: Serialization::Json,
            stamper: None,
            content_type: None,
            x5t_of: Some(&other),
        })
        .unwrap();
        let r = validate(&s, None, &policy(&dir), &fake_validate);
        assert_eq!(
            r.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::NoSigningCertificateFound
            }
        );
        assert!(
            r.failed_requirements()
                .contains(&req::JADES_SIGNING_CERT_REF.id)
        );
    }

    #[test]
    fn detached_unencoded_payload_is_verified_as_given() {
        let pki = TrustServicePki::generate(1).unwrap();
        let dir = directory(&pki);
        let s = sealed(&pki, false, Level::T, MARCH_2026, |r| r.detached = true);
        let missing = validate(&s, None, &policy(&dir), &fake_validate);
        assert_eq!(
            missing.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::SignedDataNotFound
            }
        );
        let payload = br#"{"credentialSubject":{"id":"did:example:1"}}"#;
        let ok = validate(&s, Some(payload), &policy(&dir), &fake_validate);
        assert!(ok.passed(), "{ok:#?}");
        let changed = validate(
            &s,
            Some(br#"{"credentialSubject":{"id":"did:example:2"}}"#),
            &policy(&dir),
            &fake_validate,
        );
        assert_eq!(
            changed.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::SigCryptoFailure
            }
        );
    }

    #[test]
    fn crit_rules_hold() {
        let pki = TrustServicePki::generate(1).unwrap();
        let dir = directory(&pki);
        // sigT without crit listing it.
        let s = sealed(&pki, false, Level::B, MARCH_2026, |r| {
            r.time_header = SigningTimeHeader::SigT
        });
        let v: Value = serde_json::from_str(&s).unwrap();
        let mut h = decode_header(v["protected"].as_str().unwrap()).unwrap();
        assert_eq!(h["crit"], json!(["sigT", "b64"]));
        let r = validate(&s, None, &policy(&dir), &fake_validate);
        assert!(r.passed(), "{r:#?}");
        // A 2026 signing time in sigT: a SHOULD finding, not a failure.
        assert!(
            r.failed_requirements()
                .contains(&req::JADES_IAT_SINCE_2025.id)
        );
        h.insert("crit".into(), json!(["b64"]));
        let mut forged = v.clone();
        forged["protected"] = b64(serde_json::to_vec(&h).unwrap()).into();
        let r = validate(&forged.to_string(), None, &policy(&dir), &fake_validate);
        assert_eq!(
            r.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::FormatFailure
            }
        );
        assert_eq!(r.failed_requirements()[0], req::JADES_CRIT.id);
        h.insert("crit".into(), json!(["sigT", "b64", "alg"]));
        forged["protected"] = b64(serde_json::to_vec(&h).unwrap()).into();
        let r = validate(&forged.to_string(), None, &policy(&dir), &fake_validate);
        assert!(!r.passed());
    }

    #[test]
    fn a_level_below_the_policy_is_a_constraint_failure_and_a_bad_stamp_proves_nothing() {
        let pki = TrustServicePki::generate(1).unwrap();
        let dir = directory(&pki);
        let s = sealed(&pki, false, Level::T, MARCH_2026, |_| {});
        let mut v: Value = serde_json::from_str(&s).unwrap();
        // Re-stamp over other data: the sigTst no longer matches the signature.
        let bad = component(
            "sigTst",
            tst_tokens(&fake_stamp(MARCH_2026)(b"other").unwrap()),
        );
        v["header"]["etsiU"] = json!([bad]);
        let mut p = policy(&dir);
        p.required_level = Level::T;
        let r = validate(&v.to_string(), None, &p, &fake_validate);
        assert_eq!(r.level, Some(Level::B));
        assert_eq!(
            r.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::SigConstraintsFailure
            }
        );
    }

    #[test]
    fn real_time_stamps_carry_a_seal_to_lta_and_a_withdrawn_tsa_proves_nothing() {
        use crate::entropy::{FixedClock, SeededEntropy};
        use crate::trust::tsp::{Tsa, TsaFault, TsaSite, seeded_directory};
        use std::cell::RefCell;
        use std::sync::Arc;
        let pki = Arc::new(TrustServicePki::generate(1).unwrap());
        // The RFC 3161 module's seeded TSAs, and the seal services of this module's tests
        // (the withdrawn "Widerruf" CA among them).
        let mut dir = seeded_directory(&pki);
        dir.services.extend(directory(&pki).services);
        let tsa = Tsa::new(pki.clone(), TsaSite::De, Arc::new(FixedClock(MARCH_2026)));
        let entropy = RefCell::new(SeededEntropy::new(1, "jades-test"));
        let stamp = tsa_stamper(&tsa, &entropy);
        let p = pki.de.withdrawn.as_ref().unwrap();
        let chain = vec![p.leaf.cert_der.clone(), p.ca.cert_der.clone()];
        let request = |stamper| SealRequest {
            payload: b"{\"a\":1}",
            detached: false,
            unencoded: true,
            key: &p.leaf.key,
            chain: &chain,
            signing_time: MARCH_2026,
            time_header: SigningTimeHeader::Iat,
            level: Level::Lta,
            serialization: Serialization::Json,
            stamper: Some(stamper),
            content_type: None,
            x5t_of: None,
        };
        let sealed = seal(&request(&stamp)).unwrap();
        let mut policy = policy(&dir);
        policy.required_level = Level::Lta;
        let r = validate_seal(&sealed, None, &policy);
        assert!(r.passed(), "{r:#?}");
        assert_eq!(r.level, Some(Level::Lta));
        assert_eq!(r.timestamps.len(), 2);
        assert_eq!(
            r.proven_signing_time.as_deref(),
            Some("2026-03-01T00:00:00Z")
        );
        // The same seal stamped by the withdrawn TSA after its withdrawal: no proof of
        // existence, so the withdrawn seal service is judged now, and fails.
        tsa.set_fault(Some(TsaFault::WithdrawnService));
        let late = Tsa::new(pki.clone(), TsaSite::De, Arc::new(FixedClock(SEPT_2026)));
        late.set_fault(Some(TsaFault::WithdrawnService));
        let stamp_late = tsa_stamper(&late, &entropy);
        let mut req = request(&stamp_late);
        req.level = Level::T;
        let sealed = seal(&req).unwrap();
        let r = validate_seal(&sealed, None, &self::policy(&dir));
        assert_eq!(r.level, Some(Level::B), "{r:#?}");
        assert!(!r.timestamps[0].passed());
        assert_eq!(
            r.outcome,
            Outcome::Failed {
                sub_indication: SubIndication::RevokedNoPoe
            }
        );
    }

    #[test]
    fn garbage_never_panics() {
        let dir = ServiceDirectory::default();
        for text in [
            "",
            "{}",
            "a.b.c",
            "{\"protected\":\"e30\",\"signature\":\"\"}",
            "{\"signatures\":[]}",
            "e30..",
            "{\"protected\":\"eyJhbGciOiJFUzI1NiJ9\",\"signature\":\"AA\",\"header\":{\"etsiU\":[1]}}",
        ] {
            let r = validate(text, None, &policy(&dir), &fake_validate);
            assert!(!r.passed(), "{text}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn mutated_seals_never_pass_nor_panic(i in 0usize..2000, b in 0u8..=255) {
            let pki = TrustServicePki::generate(1).unwrap();
            let dir = directory(&pki);
            let s = sealed(&pki, false, Level::B, MARCH_2026, |_| {});
            let mut bytes = s.into_bytes();
            let i = i % bytes.len();
            proptest::prop_assume!(bytes[i] != b);
            bytes[i] = b;
            let text = String::from_utf8_lossy(&bytes);
            let r = validate(&text, None, &policy(&dir), &fake_validate);
            // A change inside the JSON framing may leave an equivalent document (a space):
            // then the signature still verifies over the same bytes.
            if r.passed() {
                let v: Value = serde_json::from_str(&text).unwrap();
                let orig: Value = serde_json::from_str(&sealed(&pki, false, Level::B, MARCH_2026, |_| {})).unwrap();
                proptest::prop_assert_eq!(v, orig);
            }
        }
    }
}
