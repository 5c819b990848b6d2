//! Compact JWE (RFC 7516) with direct key agreement `ECDH-ES` on P-256 and
//! `A128GCM` / `A256GCM` content encryption (RFC 7518 §4.6, §5.3).
//!
//! This module owns the response-encryption cryptography of the harness: the
//! verifier's P-256 key-agreement key (generation from injected entropy, JWK
//! import and export), sealing a payload to a recipient's public JWK, and
//! opening a compact JWE while naming exactly which rule a bad one breaks.
//! Only the one combination OpenID4VP response encryption relies on is
//! supported; anything else is rejected rather than guessed at.

use crate::entropy::Entropy;
use aws_lc_rs::agreement::{self, ECDH_P256, ParsedPublicKey, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::{aead, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value};

const ALG: &str = "ECDH-ES";
const CRV: &str = "P-256";
/// RFC 7518 §6.2.1.2: coordinates are the full field size, leading zeros kept.
const COORD_LEN: usize = 32;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// An invalid scalar is drawn with probability ~2^-32, so running out of
/// attempts means the entropy source is broken (e.g. all zeros), not unlucky.
const MAX_KEYGEN_ATTEMPTS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum JweError {
    #[error("a compact JWE has 5 dot-separated parts, this one has {0}")]
    PartCount(usize),
    #[error("the {0} is not valid unpadded base64url")]
    Base64(&'static str),
    #[error("the protected header is not a JSON object: {0}")]
    HeaderNotJsonObject(String),
    #[error("the encrypted-key part must be empty for direct ECDH-ES (RFC 7518 §4.6)")]
    EncryptedKeyNotEmpty,
    #[error("the protected header lacks the {0:?} parameter")]
    MissingHeaderParam(&'static str),
    #[error("header parameter {name:?} is invalid: {reason}")]
    InvalidHeaderParam {
        name: &'static str,
        reason: &'static str,
    },
    #[error("alg {0:?} is not supported; only \"ECDH-ES\" is")]
    UnsupportedAlg(String),
    #[error("enc {enc:?} is not accepted here (accepted: {allowed})")]
    EncNotAllowed { enc: String, allowed: String },
    #[error("header parameter {0:?} is not supported")]
    UnsupportedHeaderParam(String),
    #[error("header parameter {0:?} is set by the encryption itself and may not be passed in")]
    ReservedHeaderParam(String),
    #[error("the protected header has no \"epk\" (ephemeral public key)")]
    MissingEpk,
    #[error("invalid {which}: {reason}")]
    InvalidJwk { which: &'static str, reason: String },
    #[error("{which} is on curve {crv:?}; only \"P-256\" is supported")]
    UnsupportedCurve { which: &'static str, crv: String },
    #[error("{which} is not a valid point on P-256")]
    PointNotOnCurve { which: &'static str },
    #[error("the IV is {0} bytes; AES-GCM in JWE needs 12 (96 bits)")]
    InvalidIvLength(usize),
    #[error("the authentication tag is {0} bytes; JWE AES-GCM needs 16 (128 bits)")]
    InvalidTagLength(usize),
    #[error(
        "authentication failed: header, IV, ciphertext or tag was altered, or the key is wrong"
    )]
    AuthenticationFailed,
    #[error("no valid P-256 scalar in {MAX_KEYGEN_ATTEMPTS} draws; the entropy source is broken")]
    KeyGeneration,
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentEncryption {
    A128Gcm,
    /// Registered (RFC 7518 §5.3) but rarely advertised: what a wallet's "unadvertised enc"
    /// fault sends to a verifier that advertises both of the others.
    A192Gcm,
    A256Gcm,
}

impl ContentEncryption {
    pub fn name(self) -> &'static str {
        match self {
            Self::A128Gcm => "A128GCM",
            Self::A192Gcm => "A192GCM",
            Self::A256Gcm => "A256GCM",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        [Self::A128Gcm, Self::A192Gcm, Self::A256Gcm]
            .into_iter()
            .find(|e| e.name() == s)
    }

    fn key_len(self) -> usize {
        match self {
            Self::A128Gcm => 16,
            Self::A192Gcm => 24,
            Self::A256Gcm => 32,
        }
    }

    fn aead(self) -> &'static aead::Algorithm {
        match self {
            Self::A128Gcm => &aead::AES_128_GCM,
            Self::A192Gcm => &aead::AES_192_GCM,
            Self::A256Gcm => &aead::AES_256_GCM,
        }
    }
}

/// A P-256 key-agreement key pair (the verifier's response-encryption key).
pub struct EcdhKey {
    private: PrivateKey,
    // Kept alongside `private` so JWK export needs no fallible re-serialisation.
    d: [u8; COORD_LEN],
    x: [u8; COORD_LEN],
    y: [u8; COORD_LEN],
}

impl std::fmt::Debug for EcdhKey {
    // Deliberately omits `d` so keys can sit in logged structures.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcdhKey")
            .field("x", &B64.encode(self.x))
            .field("y", &B64.encode(self.y))
            .finish_non_exhaustive()
    }
}

impl EcdhKey {
    /// Deterministic from entropy: draws 32 bytes until they form a valid
    /// P-256 scalar (in [1, n-1]).
    pub fn generate(entropy: &mut dyn Entropy) -> Result<Self, JweError> {
        for _ in 0..MAX_KEYGEN_ATTEMPTS {
            let mut d = [0u8; COORD_LEN];
            entropy.fill(&mut d);
            if let Ok(key) = Self::from_scalar(d) {
                return Ok(key);
            }
        }
        Err(JweError::KeyGeneration)
    }

    /// Imports `{kty,crv,x,y,d}`; `x`/`y` must match the public key of `d`.
    pub fn from_private_jwk(jwk: &Value) -> Result<Self, JweError> {
        const WHICH: &str = "private key";
        let obj = jwk.as_object().ok_or_else(|| JweError::InvalidJwk {
            which: WHICH,
            reason: "not a JSON object".into(),
        })?;
        let public = parse_public_jwk(obj, WHICH)?;
        let key =
            Self::from_scalar(coordinate(obj, "d", WHICH)?).map_err(|_| JweError::InvalidJwk {
                which: WHICH,
                reason: "d is not a valid P-256 scalar".into(),
            })?;
        if public.as_ref() != key.uncompressed_point().as_slice() {
            return Err(JweError::InvalidJwk {
                which: WHICH,
                reason: "x/y do not match the public key of d".into(),
            });
        }
        Ok(key)
    }

    /// `{kty:"EC",crv:"P-256",x,y}`.
    pub fn public_jwk(&self) -> Map<String, Value> {
        let mut jwk = Map::new();
        jwk.insert("kty".into(), "EC".into());
        jwk.insert("crv".into(), CRV.into());
        jwk.insert("x".into(), B64.encode(self.x).into());
        jwk.insert("y".into(), B64.encode(self.y).into());
        jwk
    }

    /// The public JWK plus `d`.
    pub fn private_jwk(&self) -> Map<String, Value> {
        let mut jwk = self.public_jwk();
        jwk.insert("d".into(), B64.encode(self.d).into());
        jwk
    }

    fn from_scalar(d: [u8; COORD_LEN]) -> Result<Self, JweError> {
        let private = PrivateKey::from_private_key(&ECDH_P256, &d)
            .map_err(|_| JweError::Crypto("invalid P-256 scalar"))?;
        let public = private
            .compute_public_key()
            .map_err(|_| JweError::Crypto("computing the public key"))?;
        // aws-lc-rs gives the uncompressed SEC1 point 0x04 || x || y.
        let (x, y) = match public.as_ref() {
            [0x04, rest @ ..] if rest.len() == 2 * COORD_LEN => rest.split_at(COORD_LEN),
            _ => return Err(JweError::Crypto("unexpected public key encoding")),
        };
        let mut key = Self {
            private,
            d,
            x: [0; COORD_LEN],
            y: [0; COORD_LEN],
        };
        key.x.copy_from_slice(x);
        key.y.copy_from_slice(y);
        Ok(key)
    }

    fn uncompressed_point(&self) -> Vec<u8> {
        [&[0x04][..], &self.x, &self.y].concat()
    }
}

/// Encrypts `plaintext` to `recipient` (a public JWK object). Ephemeral key
/// and IV are drawn from `entropy`, in that order.
pub fn encrypt(
    plaintext: &[u8],
    recipient: &Map<String, Value>,
    enc: ContentEncryption,
    extra_header: Map<String, Value>,
    entropy: &mut dyn Entropy,
) -> Result<String, JweError> {
    let peer = parse_public_jwk(recipient, "recipient key")?;
    // Letting the caller override these would yield a header that lies about
    // how the content was encrypted.
    if let Some(name) = ["alg", "enc", "epk"]
        .into_iter()
        .find(|n| extra_header.contains_key(*n))
    {
        return Err(JweError::ReservedHeaderParam(name.into()));
    }
    let apu = party_info(&extra_header, "apu")?;
    let apv = party_info(&extra_header, "apv")?;

    let ephemeral = EcdhKey::generate(entropy)?;
    let mut iv = [0u8; IV_LEN];
    entropy.fill(&mut iv);

    let mut header = extra_header;
    header.insert("alg".into(), ALG.into());
    header.insert("enc".into(), enc.name().into());
    header.insert("epk".into(), Value::Object(ephemeral.public_jwk()));
    let header_json = serde_json::to_vec(&header)
        .map_err(|_| JweError::Crypto("serialising the protected header"))?;
    let header_b64 = B64.encode(header_json);

    let cek = derive_cek(&ephemeral.private, peer, enc, &apu, &apv)?;
    let mut ciphertext = plaintext.to_vec();
    let tag = aead_key(enc, &cek)?
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(iv),
            // RFC 7516 §5.1 step 14: AAD is the ASCII of the encoded header.
            aead::Aad::from(header_b64.as_bytes()),
            &mut ciphertext,
        )
        .map_err(|_| JweError::Crypto("AES-GCM encryption"))?;
    Ok(format!(
        "{header_b64}..{}.{}.{}",
        B64.encode(iv),
        B64.encode(&ciphertext),
        B64.encode(tag.as_ref())
    ))
}

pub struct Decrypted {
    pub header: Map<String, Value>,
    pub plaintext: Vec<u8>,
}

/// Decrypts a compact JWE with `key`, accepting only the listed `enc` values.
pub fn decrypt(
    jwe: &str,
    key: &EcdhKey,
    allowed_enc: &[ContentEncryption],
) -> Result<Decrypted, JweError> {
    let parts: Vec<&str> = jwe.split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return Err(JweError::PartCount(parts.len()));
    };
    if !encrypted_key.is_empty() {
        return Err(JweError::EncryptedKeyNotEmpty);
    }
    let header: Map<String, Value> =
        serde_json::from_slice(&decode(header_b64, "protected header")?)
            .map_err(|e| JweError::HeaderNotJsonObject(e.to_string()))?;

    let alg = header_str(&header, "alg")?;
    if alg != ALG {
        return Err(JweError::UnsupportedAlg(alg.into()));
    }
    let enc_name = header_str(&header, "enc")?;
    let enc = ContentEncryption::from_name(enc_name)
        .filter(|e| allowed_enc.contains(e))
        .ok_or_else(|| JweError::EncNotAllowed {
            enc: enc_name.into(),
            allowed: allowed_enc
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    // We understand no `crit` extension (RFC 7515 §4.1.11 requires rejecting
    // it) and do not decompress, so a `zip` payload would come out garbled.
    if let Some(name) = ["crit", "zip"]
        .into_iter()
        .find(|n| header.contains_key(*n))
    {
        return Err(JweError::UnsupportedHeaderParam(name.into()));
    }
    let epk = match header.get("epk") {
        None => return Err(JweError::MissingEpk),
        Some(Value::Object(epk)) => epk,
        Some(_) => {
            return Err(JweError::InvalidJwk {
                which: "epk",
                reason: "not a JSON object".into(),
            });
        }
    };
    let peer = parse_public_jwk(epk, "epk")?;
    let apu = party_info(&header, "apu")?;
    let apv = party_info(&header, "apv")?;

    let iv = decode(iv, "initialization vector")?;
    let nonce = aead::Nonce::try_assume_unique_for_key(&iv)
        .map_err(|_| JweError::InvalidIvLength(iv.len()))?;
    let tag = decode(tag, "authentication tag")?;
    if tag.len() != TAG_LEN {
        return Err(JweError::InvalidTagLength(tag.len()));
    }
    let mut buffer = decode(ciphertext, "ciphertext")?;
    buffer.extend_from_slice(&tag);

    let cek = derive_cek(&key.private, peer, enc, &apu, &apv)?;
    let plaintext_len = aead_key(enc, &cek)?
        .open_in_place(nonce, aead::Aad::from(header_b64.as_bytes()), &mut buffer)
        .map_err(|_| JweError::AuthenticationFailed)?
        .len();
    buffer.truncate(plaintext_len);
    Ok(Decrypted {
        header,
        plaintext: buffer,
    })
}

/// Concat KDF (NIST SP 800-56A §5.8.1) as profiled by RFC 7518 §4.6.2, with
/// SHA-256 and an empty SuppPrivInfo.
pub(crate) fn concat_kdf(
    z: &[u8],
    alg_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len_bytes: usize,
) -> Vec<u8> {
    // Each OtherInfo field is a 32-bit big-endian length then the bytes; the
    // `as u32` casts cannot truncate for inputs that fit in a JWE header.
    let mut other_info = Vec::new();
    for field in [alg_id.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&(field.len() as u32).to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&((key_len_bytes * 8) as u32).to_be_bytes());

    let mut out = Vec::with_capacity(key_len_bytes + digest::SHA256_OUTPUT_LEN);
    let mut counter: u32 = 1;
    while out.len() < key_len_bytes {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&counter.to_be_bytes());
        ctx.update(z);
        ctx.update(&other_info);
        out.extend_from_slice(ctx.finish().as_ref());
        counter += 1;
    }
    out.truncate(key_len_bytes);
    out
}

/// ECDH then Concat KDF; for direct ECDH-ES the AlgorithmID is the `enc` value.
fn derive_cek(
    private: &PrivateKey,
    peer: ParsedPublicKey,
    enc: ContentEncryption,
    apu: &[u8],
    apv: &[u8],
) -> Result<Vec<u8>, JweError> {
    agreement::agree(private, peer, JweError::Crypto("ECDH key agreement"), |z| {
        Ok(concat_kdf(z, enc.name(), apu, apv, enc.key_len()))
    })
}

fn aead_key(enc: ContentEncryption, cek: &[u8]) -> Result<aead::LessSafeKey, JweError> {
    aead::UnboundKey::new(enc.aead(), cek)
        .map(aead::LessSafeKey::new)
        .map_err(|_| JweError::Crypto("building the AES-GCM key"))
}

/// Checks `kty`, `crv`, coordinate lengths and that the point is on P-256.
fn parse_public_jwk(
    jwk: &Map<String, Value>,
    which: &'static str,
) -> Result<ParsedPublicKey, JweError> {
    let invalid = |reason: String| JweError::InvalidJwk { which, reason };
    match jwk.get("kty").and_then(Value::as_str) {
        Some("EC") => {}
        other => return Err(invalid(format!("kty is {other:?}, expected \"EC\""))),
    }
    match jwk.get("crv").and_then(Value::as_str) {
        Some(CRV) => {}
        Some(crv) => {
            return Err(JweError::UnsupportedCurve {
                which,
                crv: crv.into(),
            });
        }
        None => return Err(invalid("crv is missing or not a string".into())),
    }
    let point = [
        &[0x04][..],
        &coordinate(jwk, "x", which)?,
        &coordinate(jwk, "y", which)?,
    ]
    .concat();
    // Parsing the SEC1 point is what checks it lies on the curve; doing it
    // here (not inside `agree`) lets an invalid point get its own error.
    ParsedPublicKey::try_from(UnparsedPublicKey::new(&ECDH_P256, point))
        .map_err(|_| JweError::PointNotOnCurve { which })
}

fn coordinate(
    jwk: &Map<String, Value>,
    name: &str,
    which: &'static str,
) -> Result<[u8; COORD_LEN], JweError> {
    let invalid = |reason: String| JweError::InvalidJwk { which, reason };
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{name} is missing or not a string")))?;
    let bytes = B64
        .decode(text)
        .map_err(|_| invalid(format!("{name} is not unpadded base64url")))?;
    <[u8; COORD_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
        invalid(format!(
            "{name} is {} bytes, P-256 needs exactly {COORD_LEN}",
            bytes.len()
        ))
    })
}

fn header_str<'a>(header: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, JweError> {
    match header.get(name) {
        None => Err(JweError::MissingHeaderParam(name)),
        Some(value) => value.as_str().ok_or(JweError::InvalidHeaderParam {
            name,
            reason: "must be a string",
        }),
    }
}

/// PartyUInfo / PartyVInfo for the KDF: the decoded `apu` / `apv`, or empty.
fn party_info(header: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, JweError> {
    match header.get(name) {
        None => Ok(Vec::new()),
        Some(Value::String(text)) => B64.decode(text).map_err(|_| JweError::InvalidHeaderParam {
            name,
            reason: "must be unpadded base64url",
        }),
        Some(_) => Err(JweError::InvalidHeaderParam {
            name,
            reason: "must be a string",
        }),
    }
}

fn decode(part: &str, what: &'static str) -> Result<Vec<u8>, JweError> {
    B64.decode(part).map_err(|_| JweError::Base64(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Deterministic entropy: SHA-256 of (seed, counter) blocks.
    struct CounterEntropy {
        seed: u64,
        counter: u64,
    }

    impl CounterEntropy {
        fn new(seed: u64) -> Self {
            Self { seed, counter: 0 }
        }
    }

    impl Entropy for CounterEntropy {
        fn fill(&mut self, out: &mut [u8]) {
            for chunk in out.chunks_mut(digest::SHA256_OUTPUT_LEN) {
                let mut ctx = digest::Context::new(&digest::SHA256);
                ctx.update(&self.seed.to_be_bytes());
                ctx.update(&self.counter.to_be_bytes());
                self.counter += 1;
                chunk.copy_from_slice(&ctx.finish().as_ref()[..chunk.len()]);
            }
        }
    }

    struct ZeroEntropy;
    impl Entropy for ZeroEntropy {
        fn fill(&mut self, out: &mut [u8]) {
            out.fill(0);
        }
    }

    // RFC 7518 Appendix C.
    fn alice() -> EcdhKey {
        EcdhKey::from_private_jwk(&json!({
            "kty": "EC", "crv": "P-256",
            "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
            "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
            "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"
        }))
        .unwrap()
    }

    fn bob() -> EcdhKey {
        EcdhKey::from_private_jwk(&json!({
            "kty": "EC", "crv": "P-256",
            "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
            "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
            "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"
        }))
        .unwrap()
    }

    fn shared_secret(mine: &EcdhKey, theirs: &EcdhKey) -> Vec<u8> {
        let peer = parse_public_jwk(&theirs.public_jwk(), "test").unwrap();
        agreement::agree(&mine.private, peer, (), |z| Ok(z.to_vec())).unwrap()
    }

    #[test]
    fn rfc7518_appendix_c_shared_secret_and_derived_key() {
        let z: [u8; 32] = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
            110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        assert_eq!(shared_secret(&alice(), &bob()), z);
        assert_eq!(shared_secret(&bob(), &alice()), z);
        // The appendix's header carries apu "QWxpY2U" and apv "Qm9i".
        assert_eq!(B64.decode("QWxpY2U").unwrap(), b"Alice");
        assert_eq!(B64.decode("Qm9i").unwrap(), b"Bob");
        let key = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
        assert_eq!(B64.encode(key), "VqqN6vgjbSBcIijNcacQGg");
    }

    #[test]
    fn kdf_spans_multiple_hash_blocks() {
        let long = concat_kdf(b"z", "X", b"", b"", 48);
        assert_eq!(long.len(), 48);
        // SuppPubInfo carries the length, so a longer key is not an extension of a shorter one.
        assert_ne!(long[..32], concat_kdf(b"z", "X", b"", b"", 32)[..]);
    }

    #[test]
    fn jwk_export_round_trips() {
        let key = EcdhKey::generate(&mut CounterEntropy::new(1)).unwrap();
        let again = EcdhKey::from_private_jwk(&Value::Object(key.private_jwk())).unwrap();
        assert_eq!(again.public_jwk(), key.public_jwk());
        assert!(!format!("{key:?}").contains(&B64.encode(key.d)));
    }

    #[test]
    fn private_jwk_with_mismatched_public_part_is_rejected() {
        let mut jwk = alice().private_jwk();
        jwk.insert("x".into(), bob().public_jwk()["x"].clone());
        jwk.insert("y".into(), bob().public_jwk()["y"].clone());
        let err = EcdhKey::from_private_jwk(&Value::Object(jwk)).unwrap_err();
        assert!(matches!(err, JweError::InvalidJwk { .. }), "{err}");
    }

    #[test]
    fn generation_from_broken_entropy_fails() {
        // Zero is not a valid scalar, so every draw is rejected.
        let err = EcdhKey::generate(&mut ZeroEntropy).unwrap_err();
        assert!(matches!(err, JweError::KeyGeneration));
    }

    fn extra() -> Map<String, Value> {
        let mut header = Map::new();
        header.insert("kid".into(), "verifier-key-1".into());
        header.insert("apu".into(), B64.encode("wallet-nonce").into());
        header.insert("apv".into(), B64.encode("verifier-nonce").into());
        header
    }

    fn sealed(enc: ContentEncryption) -> (EcdhKey, String) {
        let mut entropy = CounterEntropy::new(7);
        let key = EcdhKey::generate(&mut entropy).unwrap();
        let jwe = encrypt(
            b"vp_token payload",
            &key.public_jwk(),
            enc,
            extra(),
            &mut entropy,
        )
        .unwrap();
        (key, jwe)
    }

    fn decrypt_err(jwe: &str, key: &EcdhKey) -> JweError {
        match decrypt(
            jwe,
            key,
            &[ContentEncryption::A128Gcm, ContentEncryption::A256Gcm],
        ) {
            Ok(_) => panic!("decryption unexpectedly succeeded"),
            Err(err) => err,
        }
    }

    /// Replaces part `index` of a compact JWE.
    fn with_part(jwe: &str, index: usize, value: &str) -> String {
        let mut parts: Vec<&str> = jwe.split('.').collect();
        parts[index] = value;
        parts.join(".")
    }

    /// Rewrites the protected header (which also invalidates the AAD).
    fn with_header(jwe: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let header_b64 = jwe.split('.').next().unwrap();
        let mut header: Map<String, Value> =
            serde_json::from_slice(&B64.decode(header_b64).unwrap()).unwrap();
        edit(&mut header);
        with_part(jwe, 0, &B64.encode(serde_json::to_vec(&header).unwrap()))
    }

    #[test]
    fn round_trip_both_encs() {
        for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
            let (key, jwe) = sealed(enc);
            assert_eq!(jwe.split('.').nth(1), Some(""));
            let out = decrypt(&jwe, &key, &[enc]).unwrap();
            assert_eq!(out.plaintext, b"vp_token payload");
            assert_eq!(out.header["alg"], "ECDH-ES");
            assert_eq!(out.header["enc"], enc.name());
            assert_eq!(out.header["kid"], "verifier-key-1");
            assert_eq!(out.header["epk"]["crv"], "P-256");
            assert!(out.header["epk"].get("d").is_none());
        }
    }

    #[test]
    fn round_trip_without_extra_header_and_empty_plaintext() {
        let mut entropy = CounterEntropy::new(3);
        let key = EcdhKey::generate(&mut entropy).unwrap();
        let jwe = encrypt(
            b"",
            &key.public_jwk(),
            ContentEncryption::A256Gcm,
            Map::new(),
            &mut entropy,
        )
        .unwrap();
        let out = decrypt(&jwe, &key, &[ContentEncryption::A256Gcm]).unwrap();
        assert!(out.plaintext.is_empty());
        assert_eq!(out.header.len(), 3);
    }

    #[test]
    fn same_entropy_gives_identical_output() {
        let key = alice();
        let run = |seed| {
            let mut entropy = CounterEntropy::new(seed);
            encrypt(
                b"m",
                &key.public_jwk(),
                ContentEncryption::A128Gcm,
                extra(),
                &mut entropy,
            )
            .unwrap()
        };
        assert_eq!(run(11), run(11));
        assert_ne!(run(11), run(12));
    }

    #[test]
    fn enc_names_round_trip() {
        for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
            assert_eq!(ContentEncryption::from_name(enc.name()), Some(enc));
        }
        assert_eq!(ContentEncryption::from_name("A128CBC-HS256"), None);
    }

    #[test]
    fn tampered_ciphertext_fails_authentication() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let mut ct = B64.decode(jwe.split('.').nth(3).unwrap()).unwrap();
        ct[0] ^= 1;
        let err = decrypt_err(&with_part(&jwe, 3, &B64.encode(ct)), &key);
        assert!(matches!(err, JweError::AuthenticationFailed), "{err}");
    }

    #[test]
    fn tampered_tag_fails_authentication() {
        let (key, jwe) = sealed(ContentEncryption::A256Gcm);
        let err = decrypt_err(&with_part(&jwe, 4, &B64.encode([0u8; 16])), &key);
        assert!(matches!(err, JweError::AuthenticationFailed), "{err}");
    }

    #[test]
    fn tampered_header_fails_authentication() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let tampered = with_header(&jwe, |h| {
            h.insert("kid".into(), "attacker".into());
        });
        let err = decrypt_err(&tampered, &key);
        assert!(matches!(err, JweError::AuthenticationFailed), "{err}");
    }

    #[test]
    fn wrong_recipient_key_fails_authentication() {
        let (_, jwe) = sealed(ContentEncryption::A128Gcm);
        let err = decrypt_err(&jwe, &bob());
        assert!(matches!(err, JweError::AuthenticationFailed), "{err}");
    }

    #[test]
    fn changed_apu_fails_authentication() {
        // apu feeds the KDF, so a different value must derive a different key
        // (it also changes the AAD; both make the tag fail).
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let tampered = with_header(&jwe, |h| {
            h.insert("apu".into(), B64.encode("other").into());
        });
        assert!(matches!(
            decrypt_err(&tampered, &key),
            JweError::AuthenticationFailed
        ));
    }

    #[test]
    fn enc_not_allowed_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let err = decrypt(&jwe, &key, &[ContentEncryption::A256Gcm])
            .err()
            .unwrap();
        assert!(
            matches!(err, JweError::EncNotAllowed { ref enc, .. } if enc == "A128GCM"),
            "{err}"
        );
        let unknown = with_header(&jwe, |h| {
            h.insert("enc".into(), "A128CBC-HS256".into());
        });
        assert!(matches!(
            decrypt_err(&unknown, &key),
            JweError::EncNotAllowed { .. }
        ));
    }

    #[test]
    fn non_empty_encrypted_key_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let err = decrypt_err(&with_part(&jwe, 1, "AAAA"), &key);
        assert!(matches!(err, JweError::EncryptedKeyNotEmpty), "{err}");
    }

    #[test]
    fn wrong_alg_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let tampered = with_header(&jwe, |h| {
            h.insert("alg".into(), "ECDH-ES+A128KW".into());
        });
        let err = decrypt_err(&tampered, &key);
        assert!(
            matches!(err, JweError::UnsupportedAlg(ref a) if a == "ECDH-ES+A128KW"),
            "{err}"
        );
        let missing = with_header(&jwe, |h| {
            h.remove("alg");
        });
        assert!(matches!(
            decrypt_err(&missing, &key),
            JweError::MissingHeaderParam("alg")
        ));
    }

    #[test]
    fn wrong_part_count_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let four = jwe.rsplit_once('.').unwrap().0;
        assert!(matches!(decrypt_err(four, &key), JweError::PartCount(4)));
        assert!(matches!(
            decrypt_err(&format!("{jwe}.x"), &key),
            JweError::PartCount(6)
        ));
    }

    #[test]
    fn bad_base64_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let err = decrypt_err(&with_part(&jwe, 3, "not*base64"), &key);
        assert!(matches!(err, JweError::Base64("ciphertext")), "{err}");
        let err = decrypt_err(&with_part(&jwe, 0, "e30="), &key);
        assert!(matches!(err, JweError::Base64("protected header")), "{err}");
        let err = decrypt_err(&with_part(&jwe, 0, &B64.encode("[1]")), &key);
        assert!(matches!(err, JweError::HeaderNotJsonObject(_)), "{err}");
    }

    #[test]
    fn wrong_iv_and_tag_lengths_are_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let err = decrypt_err(&with_part(&jwe, 2, &B64.encode([0u8; 8])), &key);
        assert!(matches!(err, JweError::InvalidIvLength(8)), "{err}");
        let err = decrypt_err(&with_part(&jwe, 4, &B64.encode([0u8; 12])), &key);
        assert!(matches!(err, JweError::InvalidTagLength(12)), "{err}");
    }

    #[test]
    fn missing_or_malformed_epk_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let missing = with_header(&jwe, |h| {
            h.remove("epk");
        });
        assert!(matches!(decrypt_err(&missing, &key), JweError::MissingEpk));
        let not_object = with_header(&jwe, |h| {
            h.insert("epk".into(), "key".into());
        });
        assert!(matches!(
            decrypt_err(&not_object, &key),
            JweError::InvalidJwk { which: "epk", .. }
        ));
        let short_x = with_header(&jwe, |h| {
            h["epk"]["x"] = B64.encode([1u8; 31]).into();
        });
        assert!(matches!(
            decrypt_err(&short_x, &key),
            JweError::InvalidJwk { which: "epk", .. }
        ));
        let wrong_kty = with_header(&jwe, |h| {
            h["epk"]["kty"] = "OKP".into();
        });
        assert!(matches!(
            decrypt_err(&wrong_kty, &key),
            JweError::InvalidJwk { which: "epk", .. }
        ));
    }

    #[test]
    fn epk_on_other_curve_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let p384 = with_header(&jwe, |h| {
            h["epk"]["crv"] = "P-384".into();
        });
        let err = decrypt_err(&p384, &key);
        assert!(
            matches!(err, JweError::UnsupportedCurve { which: "epk", ref crv } if crv == "P-384"),
            "{err}"
        );
    }

    #[test]
    fn epk_off_the_curve_is_rejected() {
        // Invalid-curve attacks hinge on the recipient accepting such a point.
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let off_curve = with_header(&jwe, |h| {
            let mut y = B64.decode(h["epk"]["y"].as_str().unwrap()).unwrap();
            y[31] ^= 1;
            h["epk"]["y"] = B64.encode(y).into();
        });
        let err = decrypt_err(&off_curve, &key);
        assert!(
            matches!(err, JweError::PointNotOnCurve { which: "epk" }),
            "{err}"
        );
    }

    #[test]
    fn crit_and_zip_are_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        for name in ["crit", "zip"] {
            let tampered = with_header(&jwe, |h| {
                h.insert(name.into(), json!(["x"]));
            });
            let err = decrypt_err(&tampered, &key);
            assert!(
                matches!(err, JweError::UnsupportedHeaderParam(ref n) if n == name),
                "{err}"
            );
        }
    }

    #[test]
    fn bad_apu_is_rejected() {
        let (key, jwe) = sealed(ContentEncryption::A128Gcm);
        let tampered = with_header(&jwe, |h| {
            h.insert("apu".into(), "***".into());
        });
        let err = decrypt_err(&tampered, &key);
        assert!(
            matches!(err, JweError::InvalidHeaderParam { name: "apu", .. }),
            "{err}"
        );
    }

    #[test]
    fn encrypt_rejects_reserved_params_and_bad_recipients() {
        let key = alice();
        let mut entropy = CounterEntropy::new(5);
        let mut header = Map::new();
        header.insert("alg".into(), "none".into());
        let err = encrypt(
            b"m",
            &key.public_jwk(),
            ContentEncryption::A128Gcm,
            header,
            &mut entropy,
        )
        .unwrap_err();
        assert!(
            matches!(err, JweError::ReservedHeaderParam(ref n) if n == "alg"),
            "{err}"
        );

        let mut recipient = key.public_jwk();
        recipient.insert("crv".into(), "P-521".into());
        let err = encrypt(
            b"m",
            &recipient,
            ContentEncryption::A128Gcm,
            Map::new(),
            &mut entropy,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                JweError::UnsupportedCurve {
                    which: "recipient key",
                    ..
                }
            ),
            "{err}"
        );
    }
}
