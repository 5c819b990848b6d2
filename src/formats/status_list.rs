//! Token Status List (draft-ietf-oauth-status-list): the compressed bit array, the signed
//! status list token, and the lookup a verifier makes for a referenced token.
//!
//! Bit order: index 0 is the least-significant bits of byte 0 (§4.1); a list with `bits` = 2
//! keeps four statuses per byte, index 0 in bits 0–1. The W3C Bitstring Status List counts from
//! the other end, which is a known interop trap (docs/profiles.md pitfall 8).

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde_json::{Map, Value, json};

use super::jose::{CompactJws, SigningKey, b64, b64_decode, sign_compact};
use super::sd_jwt::verify::{IssuerKeyResolver, alg_violation};
use crate::requirements::{Violation, catalogue as req};

/// Status values registered by the draft (§7.1); 0x03 and 0x0C–0x0F are application-specific.
pub const VALID: u8 = 0x00;
pub const INVALID: u8 = 0x01;
pub const SUSPENDED: u8 = 0x02;

/// Inflating a hostile `lst` stops here (16 MiB is 134 million 1-bit entries).
const MAX_INFLATED: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("`bits` is {0}; it must be 1, 2, 4 or 8")]
    Bits(i64),
    #[error("index {index} is out of range: the list has {len} entries")]
    OutOfRange { index: u64, len: u64 },
    #[error("status {value} does not fit in {bits} bits")]
    ValueTooLarge { value: u8, bits: u8 },
    #[error("`lst` is not base64url: {0}")]
    Base64(String),
    #[error("`lst` is not zlib-compressed data: {0}")]
    Zlib(String),
    #[error("`lst` inflates to more than {MAX_INFLATED} bytes")]
    TooLarge,
}

/// An uncompressed status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all VALID.
    pub fn new(bits: u8, len: usize) -> Result<Self, StatusListError> {
        check_bits(i64::from(bits))?;
        let per_byte = 8 / usize::from(bits);
        Ok(Self {
            bits,
            bytes: vec![0; len.div_ceil(per_byte)],
        })
    }

    pub fn from_bytes(bits: u8, bytes: Vec<u8>) -> Result<Self, StatusListError> {
        check_bits(i64::from(bits))?;
        Ok(Self { bits, bytes })
    }

    pub fn bits(&self) -> u8 {
        self.bits
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many entries the list holds (every bit position counts).
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 / u64::from(self.bits)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn locate(&self, index: u64) -> Result<(usize, u32), StatusListError> {
        if index >= self.len() {
            return Err(StatusListError::OutOfRange {
                index,
                len: self.len(),
            });
        }
        let per_byte = 8 / u64::from(self.bits);
        let byte = (index / per_byte) as usize;
        let shift = ((index % per_byte) * u64::from(self.bits)) as u32;
        Ok((byte, shift))
    }

    fn mask(&self) -> u8 {
        ((1u16 << self.bits) - 1) as u8
    }

    /// The status at `index` (fails closed: out of range is an error, never VALID).
    pub fn get(&self, index: u64) -> Result<u8, StatusListError> {
        self.get_in(index, BitOrder::LsbFirst)
    }

    /// The status at `index`, its bits located as `order` says. Only [`BitOrder::LsbFirst`]
    /// is the specification's; the other order exists to build a deliberately flawed
    /// verifier that a fuzzing campaign must catch.
    pub fn get_in(&self, index: u64, order: BitOrder) -> Result<u8, StatusListError> {
        let (byte, shift) = self.locate(index)?;
        let shift = match order {
            BitOrder::LsbFirst => shift,
            BitOrder::MsbFirst => 8 - u32::from(self.bits) - shift,
        };
        Ok((self.bytes[byte] >> shift) & self.mask())
    }

    pub fn set(&mut self, index: u64, value: u8) -> Result<(), StatusListError> {
        if value > self.mask() {
            return Err(StatusListError::ValueTooLarge {
                value,
                bits: self.bits,
            });
        }
        let (byte, shift) = self.locate(index)?;
        let mask = self.mask() << shift;
        self.bytes[byte] = (self.bytes[byte] & !mask) | (value << shift);
        Ok(())
    }

    /// `lst`: zlib (RFC 1950) at the best compression, then base64url (§4.1).
    pub fn encode_lst(&self) -> String {
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
        // Writing to a Vec cannot fail.
        let _ = enc.write_all(&self.bytes);
        b64(enc.finish().unwrap_or_default())
    }

    pub fn decode_lst(bits: i64, lst: &str) -> Result<Self, StatusListError> {
        let bits = check_bits(bits)?;
        let compressed = b64_decode(lst).map_err(|e| StatusListError::Base64(e.to_string()))?;
        let mut bytes = Vec::new();
        ZlibDecoder::new(compressed.as_slice())
            .take(MAX_INFLATED + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusListError::Zlib(e.to_string()))?;
        if bytes.len() as u64 > MAX_INFLATED {
            return Err(StatusListError::TooLarge);
        }
        Ok(Self { bits, bytes })
    }

    /// The `status_list` object of a status list token (§4.2).
    pub fn to_json(&self) -> Value {
        json!({"bits": self.bits, "lst": self.encode_lst()})
    }
}

fn check_bits(bits: i64) -> Result<u8, StatusListError> {
    match bits {
        1 | 2 | 4 | 8 => Ok(bits as u8),
        other => Err(StatusListError::Bits(other)),
    }
}

/// What to put in a status list token besides the list.
pub struct TokenParams<'a> {
    /// `sub`: the URI the referenced tokens point at.
    pub uri: &'a str,
    pub iat: i64,
    pub exp: Option<i64>,
    /// `ttl`: seconds a verifier may cache the list.
    pub ttl: Option<u64>,
    /// `x5c` header (base64 DER, leaf first), as HAIP wants for status list tokens.
    pub x5c: Option<Vec<String>>,
}

/// Signs a status list token (§5.1): header `typ: statuslist+jwt`.
pub fn sign_token(
    list: &StatusList,
    params: &TokenParams<'_>,
    key: &SigningKey,
) -> Result<String, super::jose::JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), json!("statuslist+jwt"));
    if let Some(x5c) = &params.x5c {
        header.insert("x5c".into(), json!(x5c));
    }
    let mut payload = Map::new();
    payload.insert("sub".into(), json!(params.uri));
    payload.insert("iat".into(), json!(params.iat));
    if let Some(exp) = params.exp {
        payload.insert("exp".into(), json!(exp));
    }
    if let Some(ttl) = params.ttl {
        payload.insert("ttl".into(), json!(ttl));
    }
    payload.insert("status_list".into(), list.to_json());
    sign_compact(header, &payload, key)
}

/// Where within a byte status entries are numbered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOrder {
    /// Token Status List §4.1: index 0 is the least significant bit(s) of byte 0.
    LsbFirst,
    /// The wrong order, for a planted bug.
    MsbFirst,
}

/// A referenced token's `status.status_list` claim (§6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReference {
    pub idx: u64,
    pub uri: String,
}

impl StatusReference {
    /// Reads `status.status_list` out of a credential's claims. `Ok(None)` when there is no
    /// `status` claim at all.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Option<Self>, Violation> {
        let Some(status) = claims.get("status") else {
            return Ok(None);
        };
        let bad = |m: &str| {
            Err(Violation::new(&req::TSL_REFERENCED_TOKEN, m.to_owned())
                .at("issuer-jwt.payload.status"))
        };
        let Some(sl) = status.get("status_list") else {
            return bad("`status` has no `status_list` object");
        };
        let Some(idx) = sl.get("idx").and_then(Value::as_u64) else {
            return bad("`status.status_list.idx` is missing or not a non-negative integer");
        };
        let Some(uri) = sl.get("uri").and_then(Value::as_str) else {
            return bad("`status.status_list.uri` is missing or not a string");
        };
        Ok(Some(Self {
            idx,
            uri: uri.to_owned(),
        }))
    }
}

/// The outcome of a status check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCheck {
    /// The status value found, when the list could be read.
    pub status: Option<u8>,
    pub violations: Vec<Violation>,
}

/// Name of a status value for reports.
pub fn status_name(value: u8) -> &'static str {
    match value {
        VALID => "VALID",
        INVALID => "INVALID",
        SUSPENDED => "SUSPENDED",
        _ => "APPLICATION-SPECIFIC",
    }
}

/// Validates a status list token fetched for `reference` and looks the index up (§8.3).
///
/// `token` is `None` when the list could not be fetched: that fails closed.
pub fn check(
    reference: &StatusReference,
    token: Option<&str>,
    keys: &mut dyn IssuerKeyResolver,
    now: i64,
) -> StatusCheck {
    check_in(reference, token, keys, now, BitOrder::LsbFirst)
}

/// [`check`], reading the list's bits in `order`.
pub fn check_in(
    reference: &StatusReference,
    token: Option<&str>,
    keys: &mut dyn IssuerKeyResolver,
    now: i64,
    order: BitOrder,
) -> StatusCheck {
    let mut v = Vec::new();
    let fail = |v: Vec<Violation>| StatusCheck {
        status: None,
        violations: v,
    };
    let Some(token) = token else {
        v.push(
            Violation::new(
                &req::TSL_FETCH_FAIL_CLOSED,
                format!(
                    "the status list at {} could not be obtained; the credential is not accepted",
                    reference.uri
                ),
            )
            .at("status-list")
            .enforced(),
        );
        return fail(v);
    };
    let jws = match CompactJws::parse(token.trim()) {
        Ok(j) => j,
        Err(e) => {
            v.push(
                Violation::new(
                    &req::TSL_FETCH_FAIL_CLOSED,
                    format!("status list token: {e}"),
                )
                .at("status-list")
                .enforced(),
            );
            return fail(v);
        }
    };
    if jws.typ() != Some("statuslist+jwt") {
        v.push(
            Violation::new(
                &req::TSL_TYP,
                format!(
                    "status list token `typ` is {}, expected \"statuslist+jwt\"",
                    jws.typ_shown()
                ),
            )
            .at("status-list.header.typ"),
        );
    }
    if let Err(e) = jws.algorithm() {
        v.push(alg_violation(&e, "status-list.header.alg"));
        return fail(v);
    }
    match keys.resolve(&jws) {
        Ok(key) => {
            if let Err(e) = jws.verify(&key) {
                v.push(
                    Violation::new(&req::TSL_SIGNATURE, format!("status list token: {e}"))
                        .at("status-list.signature"),
                );
                return fail(v);
            }
        }
        Err(vs) => {
            v.extend(vs);
            return fail(v);
        }
    }
    let p = &jws.payload;
    match p.get("sub").and_then(Value::as_str) {
        Some(sub) if sub == reference.uri => {}
        other => v.push(
            Violation::new(
                &req::TSL_SUB_URI,
                format!(
                    "status list token `sub` is {other:?}, but the credential references {}",
                    reference.uri
                ),
            )
            .at("status-list.payload.sub"),
        ),
    }
    // §5.1 / §8.3: `iat` is required; an `exp` that is present must be a NumericDate and in
    // the future. A malformed `exp` is not ignored (that would fail open).
    if !p.get("iat").is_some_and(Value::is_number) {
        v.push(
            Violation::new(
                &req::TSL_EXP_TTL,
                "the status list token has no NumericDate `iat`",
            )
            .at("status-list.payload.iat"),
        );
    }
    match p.get("exp").map(Value::as_f64) {
        None => {}
        Some(Some(exp)) if exp <= now as f64 => v.push(
            Violation::new(
                &req::TSL_EXP_TTL,
                format!("status list token expired at {exp}, now {now}"),
            )
            .at("status-list.payload.exp"),
        ),
        Some(Some(_)) => {}
        Some(None) => v.push(
            Violation::new(&req::TSL_EXP_TTL, "`exp` is not a NumericDate")
                .at("status-list.payload.exp"),
        ),
    }
    let Some(sl) = p.get("status_list") else {
        v.push(
            Violation::new(&req::TSL_ENCODING, "no `status_list` claim").at("status-list.payload"),
        );
        return fail(v);
    };
    let bits = sl.get("bits").and_then(Value::as_i64).unwrap_or(-1);
    let Some(lst) = sl.get("lst").and_then(Value::as_str) else {
        v.push(
            Violation::new(
                &req::TSL_ENCODING,
                "`status_list.lst` is missing or not a string",
            )
            .at("status-list.payload.status_list.lst"),
        );
        return fail(v);
    };
    let list = match StatusList::decode_lst(bits, lst) {
        Ok(l) => l,
        Err(e @ StatusListError::Bits(_)) => {
            v.push(
                Violation::new(&req::TSL_BITS, e.to_string())
                    .at("status-list.payload.status_list.bits"),
            );
            return fail(v);
        }
        Err(e) => {
            v.push(
                Violation::new(&req::TSL_ENCODING, e.to_string())
                    .at("status-list.payload.status_list.lst"),
            );
            return fail(v);
        }
    };
    match list.get_in(reference.idx, order) {
        Ok(status) => {
            if status != VALID {
                v.push(
                    Violation::new(
                        &req::TSL_STATUS_VALUES,
                        format!(
                            "status at index {} is {} (0x{status:02x})",
                            reference.idx,
                            status_name(status)
                        ),
                    )
                    .at("status-list"),
                );
            }
            StatusCheck {
                status: Some(status),
                violations: v,
            }
        }
        Err(e) => {
            v.push(
                Violation::new(&req::TSL_INDEX_RANGE, e.to_string())
                    .at("issuer-jwt.payload.status.status_list.idx"),
            );
            fail(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_significant_bit_first() {
        let mut l = StatusList::new(1, 16).unwrap();
        l.set(0, 1).unwrap();
        l.set(9, 1).unwrap();
        assert_eq!(l.bytes(), &[0b0000_0001, 0b0000_0010]);
        let mut l = StatusList::new(2, 8).unwrap();
        l.set(1, 2).unwrap();
        l.set(3, 3).unwrap();
        assert_eq!(l.bytes()[0], 0b1100_1000);
        assert_eq!(l.get(1).unwrap(), 2);
        assert_eq!(l.get(3).unwrap(), 3);
        assert_eq!(l.get(0).unwrap(), 0);
    }

    #[test]
    fn every_width_round_trips_through_lst() {
        for bits in [1u8, 2, 4, 8] {
            let mut l = StatusList::new(bits, 100).unwrap();
            let max = ((1u16 << bits) - 1) as u8;
            for i in 0..100u64 {
                l.set(i, ((i * 7) % 256) as u8 & max).unwrap();
            }
            let back = StatusList::decode_lst(i64::from(bits), &l.encode_lst()).unwrap();
            assert_eq!(back, l);
        }
    }

    #[test]
    fn fails_closed() {
        let l = StatusList::new(1, 8).unwrap();
        assert!(matches!(l.get(8), Err(StatusListError::OutOfRange { .. })));
        assert!(matches!(
            StatusList::new(3, 8),
            Err(StatusListError::Bits(3))
        ));
        assert!(matches!(
            StatusList::decode_lst(1, "AAAA"),
            Err(StatusListError::Zlib(_))
        ));
        let mut l = StatusList::new(1, 8).unwrap();
        assert!(l.set(0, 2).is_err());
    }
}
