//! W3C Bitstring Status List v1.0: the status mechanism of VCDM 2.0 credentials (Open Badges
//! 3.0 among them). A credential's `credentialStatus` entry names a purpose, an index and a
//! status list credential; that credential's `encodedList` is the bitstring, GZIP-compressed
//! and multibase-encoded (`u` + base64url). Index 0 is the *left-most* bit of the first byte,
//! the opposite of the IETF Token Status List's order ([`super::status_list`]): mixing them
//! up reads another credential's status.
//!
//! Fetching the status list credential, and verifying its proof, is the caller's.

use std::io::Read as _;

use base64::Engine as _;
use serde_json::Value;

use crate::requirements::Violation;
use crate::requirements::bitstring_status as req;

/// Clause 2.2: at least 16 KB (131,072 entries), for herd privacy.
pub const MIN_BYTES: usize = 16 * 1024;
/// The largest decompressed list Accord reads (a bound against compression bombs).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The bitstring of an `encodedList`.
pub fn decode(encoded: &str) -> Result<Vec<u8>, String> {
    let Some(b64) = encoded.strip_prefix('u') else {
        return Err("not multibase base64url (no `u` prefix)".into());
    };
    let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|e| format!("not base64url: {e}"))?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bits)
        .map_err(|e| format!("not GZIP: {e}"))?;
    if bits.len() > MAX_BYTES {
        return Err(format!("over {MAX_BYTES} bytes decompressed (MAX_BYTES)"));
    }
    Ok(bits)
}

/// The `encodedList` of `bits`.
pub fn encode(bits: &[u8]) -> String {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(bits);
    let compressed = gz.finish().unwrap_or_default();
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// The status of `index` (a `size`-bit value; 1 for revocation and suspension), the left-most
/// bit first; `None` past the end.
pub fn status_at(bits: &[u8], index: u64, size: u8) -> Option<u8> {
    let size = u64::from(size.clamp(1, 8));
    let mut value = 0u8;
    for k in 0..size {
        let bit = index.checked_mul(size)?.checked_add(k)?;
        let byte = *bits.get(usize::try_from(bit / 8).ok()?)?;
        value = (value << 1) | ((byte >> (7 - bit % 8)) & 1);
    }
    Some(value)
}

/// What checking an entry against its list found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub purpose: String,
    pub index: u64,
    /// The value at the index (1: the purpose applies: revoked, suspended).
    pub value: u8,
}

/// Checks the `credentialStatus` entry against the status list credential it names (its
/// proof checked by the caller).
pub fn check(entry: &Value, list_credential: &Value) -> Result<Status, Violation> {
    let field = |name: &str| entry.get(name).and_then(Value::as_str);
    if field("type") != Some("BitstringStatusListEntry") {
        return Err(
            Violation::new(&req::BSL_ENTRY, format!("type is {:?}", entry.get("type")))
                .at("credentialStatus.type"),
        );
    }
    let (Some(purpose), Some(index), Some(_list)) = (
        field("statusPurpose"),
        field("statusListIndex"),
        field("statusListCredential"),
    ) else {
        return Err(Violation::new(
            &req::BSL_ENTRY,
            "statusPurpose, statusListIndex or statusListCredential missing",
        )
        .at("credentialStatus"));
    };
    let index: u64 = index.parse().map_err(|_| {
        Violation::new(
            &req::BSL_ENTRY,
            format!("statusListIndex {index:?} is not a non-negative integer"),
        )
        .at("credentialStatus.statusListIndex")
    })?;
    let size = entry
        .get("statusSize")
        .and_then(Value::as_u64)
        .and_then(|s| u8::try_from(s).ok())
        .unwrap_or(1);
    let subject = &list_credential["credentialSubject"];
    if subject.get("type").and_then(Value::as_str) != Some("BitstringStatusList")
        || subject.get("statusPurpose").and_then(Value::as_str) != Some(purpose)
    {
        return Err(Violation::new(
            &req::BSL_LIST,
            format!("the list's subject is not a BitstringStatusList for {purpose}"),
        )
        .at("credentialSubject"));
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .unwrap_or("");
    let bits = decode(encoded).map_err(|e| {
        Violation::new(&req::BSL_LIST, format!("encodedList: {e}"))
            .at("credentialSubject.encodedList")
    })?;
    if bits.len() < MIN_BYTES {
        return Err(Violation::new(
            &req::BSL_LIST,
            format!("{} bytes; at least {MIN_BYTES}", bits.len()),
        )
        .at("credentialSubject.encodedList"));
    }
    let value = status_at(&bits, index, size).ok_or_else(|| {
        Violation::new(
            &req::BSL_INDEX,
            format!(
                "index {index} is past the list's {} entries",
                bits.len() as u64 * 8 / u64::from(size)
            ),
        )
        .at("credentialStatus.statusListIndex")
    })?;
    Ok(Status {
        purpose: purpose.to_owned(),
        index,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The Recommendation's example list: 16 KB, every entry 0.
    const EXAMPLE: &str = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

    fn list(encoded: &str) -> Value {
        json!({"type": ["VerifiableCredential", "BitstringStatusListCredential"],
               "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded}})
    }

    fn entry(index: &str) -> Value {
        json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
               "statusListIndex": index, "statusListCredential": "https://university.example.jp/status/1"})
    }

    #[test]
    fn the_recommendations_example_list_is_all_valid() {
        let bits = decode(EXAMPLE).unwrap();
        assert_eq!(bits.len(), 16 * 1024);
        assert_eq!(check(&entry("94567"), &list(EXAMPLE)).unwrap().value, 0);
    }

    #[test]
    fn index_zero_is_the_left_most_bit() {
        let mut bits = vec![0u8; MIN_BYTES];
        bits[0] = 0b1000_0000;
        bits[1] = 0b0000_0001;
        let l = list(&encode(&bits));
        assert_eq!(check(&entry("0"), &l).unwrap().value, 1);
        assert_eq!(check(&entry("7"), &l).unwrap().value, 0);
        assert_eq!(check(&entry("15"), &l).unwrap().value, 1);
        // Past the end, a wrong purpose, a short list, a bad index: each named.
        let id = |r: Result<Status, Violation>| r.unwrap_err().requirement.id;
        assert_eq!(id(check(&entry("131072"), &l)), "BSL-3-index");
        assert_eq!(id(check(&entry("-1"), &l)), "BSL-2.1-entry");
        assert_eq!(
            id(check(&entry("1"), &list(&encode(&[0u8; 100])))),
            "BSL-2.2-encoded-list"
        );
        assert_eq!(
            id(check(&entry("1"), &list("zNotBase64url"))),
            "BSL-2.2-encoded-list"
        );
        let mut suspension = l.clone();
        suspension["credentialSubject"]["statusPurpose"] = "suspension".into();
        assert_eq!(id(check(&entry("1"), &suspension)), "BSL-2.2-encoded-list");
    }
}
