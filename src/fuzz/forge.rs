//! What every role's mutations forge the same way: JWSs that are not ES256 (`alg: none`,
//! HS256 keyed with a public key), a flipped signature, JSON nested past any sane depth,
//! and the kebab-case name a mutation is recorded under.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::formats::jose::{Jwk, b64};

/// A compact JWS with `alg` set to `alg` and the signature `sign` makes over the signing
/// input: header and payload encoded as [`crate::formats::jose::sign_compact`] does.
pub fn jws_with(
    mut header: Map<String, Value>,
    payload: &Map<String, Value>,
    alg: &str,
    sign: impl Fn(&[u8]) -> Vec<u8>,
) -> String {
    header.insert("alg".into(), json!(alg));
    let h = b64(serde_json::to_vec(&header).unwrap_or_default());
    let p = b64(serde_json::to_vec(payload).unwrap_or_default());
    let input = format!("{h}.{p}");
    let sig = b64(sign(input.as_bytes()));
    format!("{input}.{sig}")
}

/// `alg: none`, empty signature.
pub fn alg_none(header: Map<String, Value>, payload: &Map<String, Value>) -> String {
    jws_with(header, payload, "none", |_| Vec::new())
}

/// HS256 keyed with the JSON of a public key: the algorithm-confusion attack on verifiers
/// that take the `alg` header at its word.
pub fn hmac_with_public_key(
    header: Map<String, Value>,
    payload: &Map<String, Value>,
    public: &Jwk,
) -> String {
    let secret = serde_json::to_vec(public).unwrap_or_default();
    jws_with(header, payload, "HS256", |input| {
        let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
        aws_lc_rs::hmac::sign(&k, input).as_ref().to_vec()
    })
}

/// Changes one base64url character of the signature, keeping it valid base64url.
pub fn flip_signature(jws: String) -> String {
    let mut bytes = jws.into_bytes();
    // The second-to-last character: the last may only carry padding bits.
    let i = bytes.len().saturating_sub(2);
    if let Some(b) = bytes.get_mut(i) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// `{"n": {"n": … "bottom"}}`, `depth` objects deep.
pub fn nested(depth: usize) -> Value {
    let mut v = json!("bottom");
    for _ in 0..depth {
        v = json!({ "n": v });
    }
    v
}

/// The kebab-case name a serde enum variant serialises to.
pub fn kebab_name(variant: &impl Serialize) -> String {
    serde_json::to_value(variant)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_signature_differs_in_one_character() {
        let a = "aaa.bbb.cccAd".to_owned();
        let b = flip_signature(a.clone());
        assert_eq!(b, "aaa.bbb.cccBd");
        assert_eq!(flip_signature(String::new()), "");
    }

    #[test]
    fn nesting_is_as_deep_as_asked() {
        let mut v = nested(3);
        let mut depth = 0;
        while let Some(inner) = v.get("n").cloned() {
            v = inner;
            depth += 1;
        }
        assert_eq!(depth, 3);
    }
}
