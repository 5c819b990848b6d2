//! Disclosures (RFC 9901 §4.2): `base64url(JSON array)` of `[salt, name, value]` for an object
//! property or `[salt, value]` for an array element.

use serde_json::Value;

use super::HashAlg;
use crate::entropy::Entropy;
use crate::formats::jose::{b64, b64_decode};

/// A decoded disclosure, with the exact string it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The base64url string as received; digests are computed over this (RFC 9901 §4.2.3).
    pub encoded: String,
    pub salt: String,
    /// `Some` for an object property, `None` for an array element.
    pub name: Option<String>,
    pub value: Value,
}

impl Disclosure {
    /// Builds a new disclosure with a fresh 128-bit salt (RFC 9901 §4.2.1 recommends at
    /// least 128 bits).
    pub fn new(name: Option<&str>, value: Value, entropy: &mut dyn Entropy) -> Self {
        let salt = b64(entropy.bytes(16));
        let array = match name {
            Some(n) => Value::Array(vec![
                Value::String(salt.clone()),
                Value::String(n.to_owned()),
                value.clone(),
            ]),
            None => Value::Array(vec![Value::String(salt.clone()), value.clone()]),
        };
        // serde_json writes non-ASCII characters as raw UTF-8, which RFC 9901 permits; the
        // verifier accepts either form because it hashes what it receives.
        let encoded = b64(array.to_string());
        Self {
            encoded,
            salt,
            name: name.map(str::to_owned),
            value,
        }
    }

    /// Decodes a disclosure. The error says what is wrong with it.
    pub fn parse(encoded: &str) -> Result<Self, String> {
        let bytes = b64_decode(encoded).map_err(|e| e.to_string())?;
        let json: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("not JSON after base64url: {e}"))?;
        let Value::Array(items) = json else {
            return Err("not a JSON array".into());
        };
        let n = items.len();
        let mut items = items.into_iter();
        let (salt, name, value) = match (n, items.next(), items.next(), items.next()) {
            (3, Some(Value::String(salt)), Some(Value::String(name)), Some(value)) => {
                (salt, Some(name), value)
            }
            (3, Some(Value::String(_)), Some(_), _) => {
                return Err("the second element (the claim name) is not a string".into());
            }
            (2, Some(Value::String(salt)), Some(value), None) => (salt, None, value),
            (2 | 3, _, _, _) => return Err("the first element (the salt) is not a string".into()),
            (n, _, _, _) => {
                return Err(format!(
                    "a JSON array of {n} elements; a disclosure has 3 (object property) or 2 (array element)"
                ));
            }
        };
        Ok(Self {
            encoded: encoded.to_owned(),
            salt,
            name,
            value,
        })
    }

    /// The digest that references this disclosure, over the string as received.
    pub fn digest(&self, alg: HashAlg) -> String {
        alg.digest_b64(&self.encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededEntropy;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let mut e = SeededEntropy::new(1, "d");
        let d = Disclosure::new(Some("given_name"), json!("太郎"), &mut e);
        let p = Disclosure::parse(&d.encoded).unwrap();
        assert_eq!(p, d);
        let a = Disclosure::new(None, json!("FR"), &mut e);
        assert_eq!(Disclosure::parse(&a.encoded).unwrap().name, None);
    }

    #[test]
    fn malformed_disclosures_say_why() {
        for (input, needle) in [
            (b64("[1,2,3]"), "salt"),
            (b64(r#"["s",2,3]"#), "claim name"),
            (b64(r#"["s"]"#), "1 elements"),
            (b64(r#"{"a":1}"#), "not a JSON array"),
            (b64("nope"), "not JSON"),
            ("***".to_owned(), "base64"),
        ] {
            let err = Disclosure::parse(&input).unwrap_err();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }
}
