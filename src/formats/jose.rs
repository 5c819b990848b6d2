//! JOSE building blocks: base64url, JWK, the three signature algorithms Accord supports, and
//! compact JWS.
//!
//! Written over aws-lc-rs rather than taken from a JOSE crate because a conformance harness
//! has to see, and later emit, tokens that a strict JOSE library refuses to build (wrong
//! `typ`, `alg: none`, odd headers). Verification is strict all the same: only asymmetric
//! algorithms from [`Algorithm`] are ever accepted (RFC 8725 §3.1), whatever the header says.

use std::fmt;

use aws_lc_rs::agreement;
use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::entropy::Entropy;

/// base64url without padding (RFC 7515 §2).
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; padding or characters outside the URL-safe alphabet are
/// errors, as RFC 7515 §2 requires.
pub fn b64_decode(text: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| JoseError::Base64(e.to_string()))
}

/// The JWS algorithms Accord signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    ES256,
    ES384,
    EdDSA,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Parses a JWS `alg` value. `none` and the HMAC family are refused with their own
    /// error so that reports can say why (RFC 8725 §3.1, §3.2).
    pub fn from_name(name: &str) -> Result<Self, JoseError> {
        match name {
            "ES256" => Ok(Algorithm::ES256),
            "ES384" => Ok(Algorithm::ES384),
            "EdDSA" | "Ed25519" => Ok(Algorithm::EdDSA),
            "none" | "None" | "NONE" => Err(JoseError::AlgNone),
            n if n.starts_with("HS") => Err(JoseError::AlgSymmetric(n.to_owned())),
            other => Err(JoseError::AlgUnsupported(other.to_owned())),
        }
    }

    fn verification(self) -> &'static dyn signature::VerificationAlgorithm {
        match self {
            Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::EdDSA => &signature::ED25519,
        }
    }

    fn curve(self) -> &'static str {
        match self {
            Algorithm::ES256 => "P-256",
            Algorithm::ES384 => "P-384",
            Algorithm::EdDSA => "Ed25519",
        }
    }

    /// Coordinate / scalar length in bytes.
    fn field_len(self) -> usize {
        match self {
            Algorithm::ES256 => 32,
            Algorithm::ES384 => 48,
            Algorithm::EdDSA => 32,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What went wrong with a JOSE object. Messages read after "failed to verify:".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    #[error("invalid base64url: {0}")]
    Base64(String),
    #[error("invalid JSON in {part}: {message}")]
    Json { part: &'static str, message: String },
    #[error("a compact JWS has three dot-separated parts, found {0}")]
    Parts(usize),
    #[error("the header has no string `alg`")]
    AlgMissing,
    #[error("`alg: none` is never accepted")]
    AlgNone,
    #[error("symmetric algorithm `{0}` is never accepted for credentials")]
    AlgSymmetric(String),
    #[error("algorithm `{0}` is not supported (ES256, ES384, EdDSA are)")]
    AlgUnsupported(String),
    #[error("header `alg` is {header} but the key is for {key}")]
    AlgKeyMismatch { header: Algorithm, key: Algorithm },
    #[error("signature does not verify")]
    BadSignature,
    #[error("invalid JWK: {0}")]
    Jwk(String),
    #[error("key operation failed: {0}")]
    Key(String),
}

/// A JSON Web Key (RFC 7517) for the key types Accord uses (EC P-256/P-384, OKP Ed25519).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
}

impl Jwk {
    /// The public part of this key.
    pub fn public(&self) -> Jwk {
        Jwk {
            d: None,
            ..self.clone()
        }
    }

    fn algorithm(&self) -> Result<Algorithm, JoseError> {
        match (self.kty.as_str(), self.crv.as_str()) {
            ("EC", "P-256") => Ok(Algorithm::ES256),
            ("EC", "P-384") => Ok(Algorithm::ES384),
            ("OKP", "Ed25519") => Ok(Algorithm::EdDSA),
            (kty, crv) => Err(JoseError::Jwk(format!(
                "unsupported key type kty={kty} crv={crv} (EC P-256, EC P-384, OKP Ed25519 are supported)"
            ))),
        }
    }

    fn coordinate(field: &str, value: &str, len: usize) -> Result<Vec<u8>, JoseError> {
        let bytes = b64_decode(value).map_err(|e| JoseError::Jwk(format!("`{field}`: {e}")))?;
        if bytes.len() != len {
            return Err(JoseError::Jwk(format!(
                "`{field}` is {} bytes, expected {len}",
                bytes.len()
            )));
        }
        Ok(bytes)
    }

    /// The public key as aws-lc-rs expects it: an uncompressed SEC1 point for EC, the raw 32
    /// bytes for Ed25519.
    fn public_bytes(&self) -> Result<(Algorithm, Vec<u8>), JoseError> {
        let alg = self.algorithm()?;
        let n = alg.field_len();
        let x = Self::coordinate("x", &self.x, n)?;
        match alg {
            Algorithm::EdDSA => Ok((alg, x)),
            _ => {
                let y = self
                    .y
                    .as_deref()
                    .ok_or_else(|| JoseError::Jwk("EC key without `y`".into()))?;
                let y = Self::coordinate("y", y, n)?;
                let mut point = Vec::with_capacity(1 + 2 * n);
                point.push(0x04);
                point.extend(x);
                point.extend(y);
                Ok((alg, point))
            }
        }
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn thumbprint(&self) -> String {
        let canonical = match &self.y {
            Some(y) => format!(
                r#"{{"crv":"{}","kty":"{}","x":"{}","y":"{}"}}"#,
                self.crv, self.kty, self.x, y
            ),
            None => format!(
                r#"{{"crv":"{}","kty":"{}","x":"{}"}}"#,
                self.crv, self.kty, self.x
            ),
        };
        b64(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            canonical.as_bytes(),
        ))
    }
}

/// A public key ready to verify signatures.
#[derive(Clone)]
pub struct VerifyingKey(std::sync::Arc<VerifyingKeyInner>);

/// Shared so that handing the issuer's key to every verification is a reference-count bump.
struct VerifyingKeyInner {
    alg: Algorithm,
    parsed: ParsedPublicKey,
    jwk: Jwk,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({} {})", self.0.alg, self.0.jwk.x)
    }
}

impl VerifyingKey {
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JoseError> {
        let (alg, bytes) = jwk.public_bytes()?;
        let parsed = ParsedPublicKey::new(alg.verification(), &bytes)
            .map_err(|e| JoseError::Jwk(format!("not a valid {} public key: {e}", alg.curve())))?;
        Ok(Self(std::sync::Arc::new(VerifyingKeyInner {
            alg,
            parsed,
            jwk: jwk.public(),
        })))
    }

    /// From a SubjectPublicKeyInfo's algorithm OID and key bits (as found in a certificate).
    pub fn from_spki(curve_or_alg_oid: &str, key_bits: &[u8]) -> Result<Self, JoseError> {
        let alg = match curve_or_alg_oid {
            // secp256r1, secp384r1, id-Ed25519
            "1.2.840.10045.3.1.7" => Algorithm::ES256,
            "1.3.132.0.34" => Algorithm::ES384,
            "1.3.101.112" => Algorithm::EdDSA,
            other => {
                return Err(JoseError::Jwk(format!(
                    "unsupported certificate key type (OID {other})"
                )));
            }
        };
        let n = alg.field_len();
        let jwk = match alg {
            Algorithm::EdDSA if key_bits.len() == n => Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                x: b64(key_bits),
                y: None,
                d: None,
                kid: None,
                alg: None,
            },
            Algorithm::ES256 | Algorithm::ES384
                if key_bits.len() == 1 + 2 * n && key_bits[0] == 0x04 =>
            {
                Jwk {
                    kty: "EC".into(),
                    crv: alg.curve().into(),
                    x: b64(&key_bits[1..1 + n]),
                    y: Some(b64(&key_bits[1 + n..])),
                    d: None,
                    kid: None,
                    alg: None,
                }
            }
            _ => {
                return Err(JoseError::Jwk(format!(
                    "certificate key of {} bytes is not an uncompressed {} key",
                    key_bits.len(),
                    alg.curve()
                )));
            }
        };
        Self::from_jwk(&jwk)
    }

    pub fn algorithm(&self) -> Algorithm {
        self.0.alg
    }

    pub fn jwk(&self) -> &Jwk {
        &self.0.jwk
    }

    /// Verifies a raw JWS signature (`r || s` for ECDSA) over `message`.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), JoseError> {
        self.0
            .parsed
            .verify_sig(message, sig)
            .map_err(|_| JoseError::BadSignature)
    }

    /// Verifies an X.509 signature (ASN.1 DER ECDSA) over `message` with the given hash.
    pub fn verify_x509(&self, message: &[u8], sig: &[u8], hash: X509Hash) -> Result<(), JoseError> {
        let alg: &'static dyn signature::VerificationAlgorithm = match (self.0.alg, hash) {
            (Algorithm::ES256, X509Hash::Sha256) => &signature::ECDSA_P256_SHA256_ASN1,
            (Algorithm::ES256, X509Hash::Sha384) => &signature::ECDSA_P256_SHA384_ASN1,
            (Algorithm::ES384, X509Hash::Sha384) => &signature::ECDSA_P384_SHA384_ASN1,
            (Algorithm::ES384, X509Hash::Sha256) => &signature::ECDSA_P384_SHA256_ASN1,
            (Algorithm::EdDSA, X509Hash::None) => &signature::ED25519,
            (alg, hash) => {
                return Err(JoseError::Key(format!(
                    "a {alg} key cannot check a {hash:?} certificate signature"
                )));
            }
        };
        let (_, bytes) = self.0.jwk.public_bytes()?;
        signature::UnparsedPublicKey::new(alg, bytes)
            .verify(message, sig)
            .map_err(|_| JoseError::BadSignature)
    }
}

/// The hash an X.509 signature algorithm uses; `None` for Ed25519.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum X509Hash {
    Sha256,
    Sha384,
    None,
}

enum KeyPairInner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key that signs JWS (and, through rcgen, certificates).
pub struct SigningKey {
    alg: Algorithm,
    inner: KeyPairInner,
    jwk: Jwk,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print private material.
        write!(f, "SigningKey({} {})", self.alg, self.jwk.x)
    }
}

impl SigningKey {
    /// Derives a key deterministically from `entropy` (a seeded stream gives the same key
    /// every time).
    pub fn generate(alg: Algorithm, entropy: &mut dyn Entropy) -> Result<Self, JoseError> {
        let n = alg.field_len();
        // A random scalar is out of range with probability ~2^-32 for P-256; draw again then.
        for _ in 0..16 {
            let secret = entropy.bytes(n);
            match alg {
                Algorithm::EdDSA => return Self::from_secret(alg, &secret),
                _ => {
                    if let Ok(key) = Self::from_secret(alg, &secret) {
                        return Ok(key);
                    }
                }
            }
        }
        Err(JoseError::Key("could not derive a valid key".into()))
    }

    /// An Ed25519 key from its 32-byte seed (RFC 8032 private key), as test vectors give it.
    pub fn from_ed25519_seed(seed: &[u8]) -> Result<Self, JoseError> {
        Self::from_secret(Algorithm::EdDSA, seed)
    }

    /// From the private scalar (EC) or seed (Ed25519).
    fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, JoseError> {
        let key_err = |e: &dyn fmt::Display| JoseError::Key(e.to_string());
        match alg {
            Algorithm::EdDSA => {
                let kp = Ed25519KeyPair::from_seed_unchecked(secret).map_err(|e| key_err(&e))?;
                let jwk = Jwk {
                    kty: "OKP".into(),
                    crv: "Ed25519".into(),
                    x: b64(kp.public_key().as_ref()),
                    y: None,
                    d: Some(b64(secret)),
                    kid: None,
                    alg: None,
                };
                Ok(Self {
                    alg,
                    inner: KeyPairInner::Ed25519(kp),
                    jwk,
                })
            }
            Algorithm::ES256 | Algorithm::ES384 => {
                let (ecdh, ecdsa) = match alg {
                    Algorithm::ES256 => (
                        &agreement::ECDH_P256,
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    ),
                    _ => (
                        &agreement::ECDH_P384,
                        &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    ),
                };
                // aws-lc-rs computes the public point through its ECDH key type.
                let private = agreement::PrivateKey::from_private_key(ecdh, secret)
                    .map_err(|e| key_err(&e))?;
                let public = private.compute_public_key().map_err(|e| key_err(&e))?;
                let kp =
                    EcdsaKeyPair::from_private_key_and_public_key(ecdsa, secret, public.as_ref())
                        .map_err(|e| key_err(&e))?;
                let point = public.as_ref();
                let n = alg.field_len();
                let jwk = Jwk {
                    kty: "EC".into(),
                    crv: alg.curve().into(),
                    x: b64(&point[1..1 + n]),
                    y: Some(b64(&point[1 + n..])),
                    d: Some(b64(secret)),
                    kid: None,
                    alg: None,
                };
                Ok(Self {
                    alg,
                    inner: KeyPairInner::Ecdsa(kp),
                    jwk,
                })
            }
        }
    }

    /// From a private JWK (with `d`).
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JoseError> {
        let alg = jwk.algorithm()?;
        let d = jwk
            .d
            .as_deref()
            .ok_or_else(|| JoseError::Jwk("no private part `d`: this is a public key".into()))?;
        let secret = Jwk::coordinate("d", d, alg.field_len())?;
        let key = Self::from_secret(alg, &secret)?;
        // The derived public part must be the one the JWK claims.
        if key.jwk.x != jwk.x || key.jwk.y != jwk.y {
            return Err(JoseError::Jwk(
                "the public coordinates do not belong to the private key `d`".into(),
            ));
        }
        Ok(Self {
            jwk: Jwk {
                kid: jwk.kid.clone(),
                ..key.jwk
            },
            ..key
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The private JWK (with `d`).
    pub fn private_jwk(&self) -> &Jwk {
        &self.jwk
    }

    pub fn public_jwk(&self) -> Jwk {
        self.jwk.public()
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        // The public JWK was derived from a valid key pair, so parsing cannot fail; fall back
        // to a panic-free path regardless.
        match VerifyingKey::from_jwk(&self.public_jwk()) {
            Ok(k) => k,
            Err(e) => unreachable!("derived public key failed to parse: {e}"),
        }
    }

    /// A JWS signature (`r || s` for ECDSA, RFC 7518 §3.4).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JoseError> {
        match &self.inner {
            KeyPairInner::Ecdsa(kp) => kp
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| JoseError::Key(e.to_string())),
            KeyPairInner::Ed25519(kp) => Ok(kp.sign(message).as_ref().to_vec()),
        }
    }

    /// PKCS#8 DER of the private key, for rcgen and PEM export.
    pub fn pkcs8_der(&self) -> Result<Vec<u8>, JoseError> {
        let doc = match &self.inner {
            KeyPairInner::Ecdsa(kp) => kp.to_pkcs8v1(),
            KeyPairInner::Ed25519(kp) => kp.to_pkcs8v1(),
        }
        .map_err(|e| JoseError::Key(e.to_string()))?;
        Ok(doc.as_ref().to_vec())
    }

    /// Raw private scalar / seed bytes (for ECDH and key export).
    pub fn secret_bytes(&self) -> Result<Vec<u8>, JoseError> {
        match &self.inner {
            KeyPairInner::Ecdsa(kp) => kp
                .private_key()
                .as_be_bytes()
                .map(|b| b.as_ref().to_vec())
                .map_err(|e| JoseError::Key(e.to_string())),
            KeyPairInner::Ed25519(kp) => kp
                .seed()
                .and_then(|s| s.as_be_bytes())
                .map(|b| b.as_ref().to_vec())
                .map_err(|e| JoseError::Key(e.to_string())),
        }
    }
}

/// A compact JWS, split and decoded but not yet verified.
#[derive(Debug, Clone)]
pub struct CompactJws {
    /// The header as parsed JSON.
    pub header: Map<String, Value>,
    /// The payload as parsed JSON (every JWS Accord handles carries a JSON object).
    pub payload: Map<String, Value>,
    /// `BASE64URL(header) '.' BASE64URL(payload)`, exactly as received.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

impl CompactJws {
    /// Splits and decodes a compact JWS. Nothing is verified yet.
    pub fn parse(token: &str) -> Result<Self, JoseError> {
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err(JoseError::Parts(parts.len()));
        }
        Self::from_parts(parts[0], parts[1], parts[2])
    }

    /// From the three base64url parts (as in the JWS JSON serialisation).
    pub fn from_parts(header: &str, payload: &str, signature: &str) -> Result<Self, JoseError> {
        let header_map = decode_json_object(header, "header")?;
        let payload_map = decode_json_object(payload, "payload")?;
        let signature = b64_decode(signature)?;
        Ok(Self {
            header: header_map,
            payload: payload_map,
            signing_input: format!("{header}.{payload}"),
            signature,
        })
    }

    /// The `alg` header, rejecting `none`, HMAC and anything unsupported.
    pub fn algorithm(&self) -> Result<Algorithm, JoseError> {
        let alg = self
            .header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or(JoseError::AlgMissing)?;
        Algorithm::from_name(alg)
    }

    /// The `typ` header, if it is a string.
    /// The `typ` header as a message shows it: in backquotes (OAuth's `error_description`
    /// may not carry a double quote), or `absent`.
    pub fn typ_shown(&self) -> String {
        match self.typ() {
            Some(t) => format!("`{t}`"),
            None => "absent".to_owned(),
        }
    }

    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// Verifies the signature with `key`; the header's `alg` must match the key's algorithm.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), JoseError> {
        let alg = self.algorithm()?;
        if alg != key.algorithm() {
            return Err(JoseError::AlgKeyMismatch {
                header: alg,
                key: key.algorithm(),
            });
        }
        key.verify(self.signing_input.as_bytes(), &self.signature)
    }
}

fn decode_json_object(part: &str, what: &'static str) -> Result<Map<String, Value>, JoseError> {
    let bytes = b64_decode(part).map_err(|e| JoseError::Json {
        part: what,
        message: e.to_string(),
    })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JoseError::Json {
            part: what,
            message: "not a JSON object".into(),
        }),
        Err(e) => Err(JoseError::Json {
            part: what,
            message: e.to_string(),
        }),
    }
}

/// Signs `header` and `payload` into a compact JWS. `header.alg` is set from the key.
pub fn sign_compact(
    mut header: Map<String, Value>,
    payload: &Map<String, Value>,
    key: &SigningKey,
) -> Result<String, JoseError> {
    // JSON objects serialise with sorted keys (serde_json without `preserve_order`), so the
    // same header and payload always give the same bytes.
    header.insert("alg".into(), Value::String(key.algorithm().name().into()));
    let h = b64(serde_json::to_vec(&header).map_err(|e| JoseError::Key(e.to_string()))?);
    let p = b64(serde_json::to_vec(payload).map_err(|e| JoseError::Key(e.to_string()))?);
    let input = format!("{h}.{p}");
    let sig = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64(sig)))
}

/// Resolves a `did:jwk` DID URL (optionally with a `#0` fragment) to its public key: the DID
/// is the key, so no network is involved.
pub fn resolve_did_jwk(kid: &str) -> Result<Jwk, String> {
    let did = kid.split('#').next().unwrap_or_default();
    let encoded = did.strip_prefix("did:jwk:").ok_or_else(|| {
        format!("kid {kid:?} is not a did:jwk DID URL, the only DID method resolved here")
    })?;
    let bytes = b64_decode(encoded).map_err(|e| format!("did:jwk: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("did:jwk does not hold a JWK: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededEntropy;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn sign_verify_each_algorithm() {
        for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
            let key = SigningKey::generate(alg, &mut SeededEntropy::new(1, "t")).unwrap();
            let jws = sign_compact(Map::new(), &obj(json!({"a": 1})), &key).unwrap();
            let parsed = CompactJws::parse(&jws).unwrap();
            parsed.verify(&key.verifying_key()).unwrap();
            // Round trip through the private JWK.
            let again = SigningKey::from_jwk(key.private_jwk()).unwrap();
            assert_eq!(again.public_jwk(), key.public_jwk());
        }
    }

    #[test]
    fn seeded_keys_are_deterministic() {
        let a = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(9, "k")).unwrap();
        let b = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(9, "k")).unwrap();
        assert_eq!(a.private_jwk(), b.private_jwk());
    }

    #[test]
    fn none_and_hmac_are_refused_whatever_the_header() {
        assert_eq!(Algorithm::from_name("none"), Err(JoseError::AlgNone));
        assert!(matches!(
            Algorithm::from_name("HS256"),
            Err(JoseError::AlgSymmetric(_))
        ));
        let key = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "t")).unwrap();
        let h = b64(br#"{"alg":"none"}"#);
        let p = b64(br#"{"a":1}"#);
        let forged = CompactJws::parse(&format!("{h}.{p}.")).unwrap();
        assert_eq!(forged.verify(&key.verifying_key()), Err(JoseError::AlgNone));
    }

    #[test]
    fn alg_must_match_key() {
        let es = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "t")).unwrap();
        let ed = SigningKey::generate(Algorithm::EdDSA, &mut SeededEntropy::new(1, "t")).unwrap();
        let jws = sign_compact(Map::new(), &obj(json!({})), &ed).unwrap();
        let parsed = CompactJws::parse(&jws).unwrap();
        assert!(matches!(
            parsed.verify(&es.verifying_key()),
            Err(JoseError::AlgKeyMismatch { .. })
        ));
    }

    #[test]
    fn jwk_with_wrong_public_part_is_refused() {
        let a = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "a")).unwrap();
        let b = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "b")).unwrap();
        let mut mixed = a.private_jwk().clone();
        mixed.x = b.private_jwk().x.clone();
        assert!(SigningKey::from_jwk(&mixed).is_err());
    }

    #[test]
    fn off_curve_point_is_refused() {
        let key = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "a")).unwrap();
        let mut jwk = key.public_jwk();
        jwk.y = Some(b64([7u8; 32]));
        assert!(VerifyingKey::from_jwk(&jwk).is_err());
    }
}
