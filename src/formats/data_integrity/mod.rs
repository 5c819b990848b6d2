//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C Data Integrity EdDSA
//! Cryptosuites v1.0, clause 3.2): the Linked Data proof format of Open Badges 3.0 (1EdTech,
//! clause 8.3) and of other VCDM 2.0 credentials.
//!
//! [`verify`] follows the suite's Verify Proof algorithm: the proof taken off, the document
//! and the proof configuration each turned into canonical N-Quads ([`rdfc`]: JSON-LD to RDF
//! with bundled contexts, then RDFC-1.0), SHA-256 of each (the proof configuration's first),
//! and the Ed25519 signature over those 64 bytes. Every rule it checks cites its requirement
//! ([`crate::requirements::data_integrity`]). What Accord cannot decide is said so, never
//! passed: a context it does not carry, a verification method it cannot dereference (only
//! `did:key` and a key the caller gives are used; no network), a proof set of several proofs,
//! or another cryptosuite.
//!
//! [`issue`] signs a document for the reference roles; [`multikey`] and [`did_key`] name an
//! Ed25519 public key the way the suite does (Multikey header 0xed01, base58-btc).

pub mod rdfc;

use aws_lc_rs::{digest, signature};
use serde_json::{Map, Value};

use crate::formats::jose::{Algorithm, JoseError, SigningKey, b64_decode};
use crate::requirements::Violation;
use crate::requirements::data_integrity as req;
pub use rdfc::{CanonError, Contexts};

/// The cryptosuite this module implements.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The Multikey header of an Ed25519 public key (multicodec `ed25519-pub`, 0xed as varint).
const ED25519_MULTIKEY_HEADER: [u8; 2] = [0xed, 0x01];

/// What verifying found. `signature_verified` keeps "did not verify" (`Some(false)`) apart
/// from "could not be checked" (`None`, with the reason in `not_checked`).
#[derive(Debug, Clone)]
pub struct Checked {
    /// The document without its proof.
    pub document: Value,
    /// The proof as received (`Null` when there is none).
    pub proof: Value,
    /// Whether the document is an Open Badge (`OpenBadgeCredential` or
    /// `AchievementCredential` among its types): then the Open Badges rules apply too.
    pub open_badge: bool,
    pub signature_verified: Option<bool>,
    /// Why the signature could not be checked, when it could not.
    pub not_checked: Option<String>,
    /// The verification method the signature was checked under, as named by the proof.
    pub verification_method: Option<String>,
    /// The canonical N-Quads of the document, when the transformation succeeded (what was
    /// signed, for transcripts and `inspect`).
    pub canonical_document: Option<String>,
    pub violations: Vec<Violation>,
}

impl Checked {
    /// Valid: the signature verified and no MUST was broken.
    pub fn valid(&self) -> bool {
        self.signature_verified == Some(true)
            && crate::requirements::no_must_broken(&self.violations)
    }
}

/// Why a document could not be secured.
#[derive(Debug, thiserror::Error)]
pub enum DataIntegrityError {
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("{0}")]
    Canonical(#[from] CanonError),
    #[error("the signing key: {0}")]
    Key(String),
    #[error(transparent)]
    Jose(#[from] JoseError),
}

/// The Multikey form of an Ed25519 public key: `z` + base58-btc(0xed01 ‖ key).
pub fn multikey(public_key: &[u8]) -> String {
    let mut bytes = ED25519_MULTIKEY_HEADER.to_vec();
    bytes.extend_from_slice(public_key);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The `did:key` of an Ed25519 public key and its verification method id.
pub fn did_key(public_key: &[u8]) -> (String, String) {
    let mb = multikey(public_key);
    (format!("did:key:{mb}"), format!("did:key:{mb}#{mb}"))
}

/// The 32-byte Ed25519 key of a Multikey `publicKeyMultibase`, or what is wrong with it.
pub fn decode_multikey(value: &str) -> Result<[u8; 32], String> {
    let Some(b58) = value.strip_prefix('z') else {
        return Err(format!(
            "{value:?} is not base58-btc Multibase (it must start with `z`)"
        ));
    };
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|e| format!("{value:?} is not base58-btc: {e}"))?;
    let Some(key) = bytes.strip_prefix(&ED25519_MULTIKEY_HEADER) else {
        return Err(format!(
            "the Multikey header is {:02x?}, not 0xed01 (Ed25519)",
            &bytes[..bytes.len().min(2)]
        ));
    };
    key.try_into()
        .map_err(|_| format!("an Ed25519 key is 32 bytes, this one {}", key.len()))
}

/// The public key a caller gives: a Multikey string, a verification method object with
/// `publicKeyMultibase`, or an OKP Ed25519 JWK.
fn given_key(key: &Value) -> Result<[u8; 32], String> {
    match key {
        Value::String(mb) => decode_multikey(mb),
        Value::Object(map) if map.contains_key("publicKeyMultibase") => decode_multikey(
            map["publicKeyMultibase"]
                .as_str()
                .ok_or("publicKeyMultibase is not a string")?,
        ),
        Value::Object(map) if map.get("kty").and_then(Value::as_str) == Some("OKP") => {
            if map.get("crv").and_then(Value::as_str) != Some("Ed25519") {
                return Err("the OKP JWK is not an Ed25519 key".into());
            }
            let x = map.get("x").and_then(Value::as_str).ok_or("the JWK has no `x`")?;
            let bytes = b64_decode(x).map_err(|e| e.to_string())?;
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| format!("an Ed25519 key is 32 bytes, this one {}", bytes.len()))
        }
        _ => Err("the issuer key is neither a Multikey, a verification method with publicKeyMultibase, nor an Ed25519 JWK".into()),
    }
}

fn types_of(doc: &Value) -> Vec<&str> {
    match doc.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => vec![],
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, bytes).as_ref().to_vec()
}

/// The hash data of clause 3.2.4: SHA-256 of the canonical proof configuration, then SHA-256
/// of the canonical document.
pub fn hash_data(canonical_proof_config: &str, canonical_document: &str) -> Vec<u8> {
    let mut data = sha256(canonical_proof_config.as_bytes());
    data.extend(sha256(canonical_document.as_bytes()));
    data
}

/// Whether `created` is an XML Schema dateTime (the lexical form: date, `T`, time with
/// optional fraction, optional zone).
fn is_xsd_datetime(created: &str) -> bool {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PATTERN
        .get_or_init(|| {
            regex::Regex::new(
                r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$",
            )
            .expect("a valid pattern")
        })
        .is_match(created)
}

/// Verifies `secured`, a JSON-LD document with an `eddsa-rdfc-2022` proof. `issuer_key` is
/// the key the caller trusts for the proof's verification method (a Multikey, a verification
/// method object or an Ed25519 JWK); without one, a `did:key` method is read from the DID
/// itself and any other is reported not dereferenced.
pub fn verify(
    secured: &Value,
    issuer_key: Option<&Value>,
    contexts: &Contexts,
) -> Result<Checked, DataIntegrityError> {
    let Value::Object(map) = secured else {
        return Err(DataIntegrityError::NotAnObject);
    };
    let mut document = map.clone();
    let proof = document.remove("proof").unwrap_or(Value::Null);
    let open_badge = types_of(secured)
        .iter()
        .any(|t| *t == "OpenBadgeCredential" || *t == "AchievementCredential");
    let mut checked = Checked {
        document: Value::Object(document.clone()),
        proof: proof.clone(),
        open_badge,
        signature_verified: None,
        not_checked: None,
        verification_method: None,
        canonical_document: None,
        violations: Vec::new(),
    };
    let mut found = |requirement, message: String, at: &str| {
        checked
            .violations
            .push(Violation::new(requirement, message).at(at));
    };
    let proof = match proof {
        Value::Object(p) => p,
        Value::Array(set) if set.len() == 1 && set[0].is_object() => {
            set[0].as_object().cloned().unwrap_or_default()
        }
        Value::Array(set) => {
            checked.not_checked = Some(format!(
                "a proof set of {} proofs: not implemented (Accord verifies a single proof)",
                set.len()
            ));
            return Ok(checked);
        }
        Value::Null => {
            found(
                &req::DI_EDDSA_PROOF_TYPE,
                "the document has no `proof`".into(),
                "proof",
            );
            checked.signature_verified = Some(false);
            return Ok(checked);
        }
        _ => {
            found(
                &req::DI_EDDSA_PROOF_TYPE,
                "`proof` is not an object".into(),
                "proof",
            );
            checked.signature_verified = Some(false);
            return Ok(checked);
        }
    };
    let field = |name: &str| proof.get(name).and_then(Value::as_str);

    // The proof's type and suite (clause 2.2.1; Open Badges 3.0 clause 8.3).
    let proof_type = field("type").unwrap_or("");
    let suite = field("cryptosuite").unwrap_or("");
    if proof_type != "DataIntegrityProof" || suite != CRYPTOSUITE {
        let unsupported = format!(
            "proof type {proof_type:?} with cryptosuite {suite:?}: Accord verifies DataIntegrityProof with {CRYPTOSUITE}"
        );
        if open_badge {
            found(
                &req::OB3_LDP_CRYPTOSUITE,
                unsupported.clone(),
                "proof.cryptosuite",
            );
        }
        // Another suite (Ed25519Signature2020, ecdsa-rdfc-2019, …) may be a correct proof
        // Accord cannot check: not implemented, never failed for that alone.
        checked.not_checked = Some(format!("{unsupported}; this suite is not implemented"));
        return Ok(checked);
    }
    if open_badge && field("proofPurpose") != Some("assertionMethod") {
        found(
            &req::OB3_LDP_PROOF_PURPOSE,
            format!(
                "proofPurpose is {:?}, not assertionMethod",
                field("proofPurpose")
            ),
            "proof.proofPurpose",
        );
    }
    if let Some(created) = proof.get("created")
        && !created.as_str().is_some_and(is_xsd_datetime)
    {
        found(
            &req::DI_EDDSA_CREATED,
            format!("created {created} is not an XML Schema dateTime"),
            "proof.created",
        );
    }

    // The signature bytes (clause 2.2.1).
    let signature = match field("proofValue") {
        None => {
            found(
                &req::DI_EDDSA_PROOF_VALUE,
                "the proof has no proofValue".into(),
                "proof.proofValue",
            );
            None
        }
        Some(value) => match value
            .strip_prefix('z')
            .map(|b58| bs58::decode(b58).into_vec())
        {
            Some(Ok(bytes)) if bytes.len() == 64 => Some(bytes),
            Some(Ok(bytes)) => {
                found(
                    &req::DI_EDDSA_PROOF_VALUE,
                    format!("an Ed25519 signature is 64 bytes, this one {}", bytes.len()),
                    "proof.proofValue",
                );
                None
            }
            _ => {
                found(
                    &req::DI_EDDSA_PROOF_VALUE,
                    "proofValue is not `z` + base58-btc".into(),
                    "proof.proofValue",
                );
                None
            }
        },
    };

    // The proof's @context must prefix the document's, which it then replaces (clause 3.2.2
    // step 4).
    let mut options = proof.clone();
    options.remove("proofValue");
    if let Some(proof_context) = options.get("@context") {
        let as_list = |v: &Value| match v {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        let wanted = as_list(proof_context);
        let have = document.get("@context").map(as_list).unwrap_or_default();
        if !have.starts_with(&wanted) {
            found(
                &req::DI_EDDSA_PROOF_CONTEXT,
                "the proof's @context is not a prefix of the document's".into(),
                "proof.@context",
            );
            checked.signature_verified = Some(false);
            return Ok(checked);
        }
        document.insert("@context".into(), proof_context.clone());
    }

    // The key (clause 2.1.1): the caller's, or the did:key the method names.
    let method = field("verificationMethod").unwrap_or("").to_owned();
    checked.verification_method = Some(method.clone());
    let key = match issuer_key {
        Some(given) => given_key(given).map_err(|e| (e, true)),
        None => match method.strip_prefix("did:key:") {
            Some(rest) => {
                decode_multikey(rest.split('#').next().unwrap_or("")).map_err(|e| (e, true))
            }
            None => Err((
                format!(
                    "verification method {method:?} is not a did:key and no issuer key was given (Accord dereferences nothing over the network)"
                ),
                false,
            )),
        },
    };
    let key = match key {
        Ok(key) => Some(key),
        Err((message, true)) => {
            found(&req::DI_EDDSA_MULTIKEY, message, "proof.verificationMethod");
            None
        }
        Err((message, false)) => {
            checked.not_checked = Some(message);
            None
        }
    };

    // Transformation, proof configuration, hashing (clauses 3.2.3 to 3.2.5).
    let unsecured = Value::Object(document.clone());
    let canonical_document = match rdfc::canonical_nquads(&unsecured, contexts) {
        Ok(c) => c,
        Err(e) => {
            record_canon_error(&mut checked, e, "");
            return Ok(checked);
        }
    };
    let mut config = options.clone();
    config.insert(
        "@context".into(),
        document.get("@context").cloned().unwrap_or(Value::Null),
    );
    let canonical_config = match rdfc::canonical_nquads(&Value::Object(config), contexts) {
        Ok(c) => c,
        Err(e) => {
            record_canon_error(&mut checked, e, "proof");
            return Ok(checked);
        }
    };
    checked.canonical_document = Some(canonical_document.clone());
    let (Some(key), Some(signature)) = (key, signature) else {
        if checked.not_checked.is_none() {
            checked.signature_verified = Some(false);
        }
        return Ok(checked);
    };

    // Proof verification (clause 3.2.7).
    let data = hash_data(&canonical_config, &canonical_document);
    let verified = signature::UnparsedPublicKey::new(&signature::ED25519, key)
        .verify(&data, &signature)
        .is_ok();
    if !verified {
        checked.violations.push(
            Violation::new(
                &req::DI_EDDSA_SIGNATURE,
                format!(
                    "the Ed25519 signature does not verify under {}",
                    multikey(&key)
                ),
            )
            .at("proof.proofValue"),
        );
    }
    checked.signature_verified = Some(verified);
    Ok(checked)
}

/// A transformation that failed: data loss and invalid JSON-LD are the document's fault; a
/// context Accord does not carry leaves the proof unchecked.
fn record_canon_error(checked: &mut Checked, error: CanonError, at: &str) {
    let location = if at.is_empty() { "@context" } else { at };
    match error {
        CanonError::ContextNotAvailable(..) => {
            checked.not_checked = Some(error.to_string());
        }
        CanonError::DataLoss(_) | CanonError::JsonLd(_) | CanonError::Canonicalization(_) => {
            checked
                .violations
                .push(Violation::new(&req::DI_DATA_LOSS, error.to_string()).at(location));
            checked.signature_verified = Some(false);
        }
    }
}

/// Secures `document` with an `eddsa-rdfc-2022` proof by `key` (an Ed25519 key) at `created`
/// (an RFC 3339 time), naming `verification_method` (a `did:key` from [`did_key`] when the
/// caller has no other).
pub fn issue(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: &str,
    contexts: &Contexts,
) -> Result<Value, DataIntegrityError> {
    if key.algorithm() != Algorithm::EdDSA {
        return Err(DataIntegrityError::Key(format!(
            "{} cannot sign eddsa-rdfc-2022 (an Ed25519 key can)",
            key.algorithm()
        )));
    }
    let Value::Object(map) = document else {
        return Err(DataIntegrityError::NotAnObject);
    };
    let mut unsecured = map.clone();
    unsecured.remove("proof");
    let mut options = Map::new();
    options.insert("type".into(), "DataIntegrityProof".into());
    options.insert("cryptosuite".into(), CRYPTOSUITE.into());
    options.insert("created".into(), created.into());
    options.insert("verificationMethod".into(), verification_method.into());
    options.insert("proofPurpose".into(), "assertionMethod".into());
    let canonical_document = rdfc::canonical_nquads(&Value::Object(unsecured.clone()), contexts)?;
    let mut config = options.clone();
    config.insert(
        "@context".into(),
        unsecured.get("@context").cloned().unwrap_or(Value::Null),
    );
    let canonical_config = rdfc::canonical_nquads(&Value::Object(config), contexts)?;
    let signature = key.sign(&hash_data(&canonical_config, &canonical_document))?;
    options.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature).into_string()).into(),
    );
    unsecured.insert("proof".into(), Value::Object(options));
    Ok(Value::Object(unsecured))
}

/// Whether `doc` looks like a document secured with a Data Integrity proof (a JSON object
/// with `@context` and a `proof`), so callers can tell it from a JWT or a JAdES seal.
pub fn is_secured_document(doc: &Value) -> bool {
    doc.get("@context").is_some() && doc.get("proof").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key_from_seed(seed: &[u8]) -> SigningKey {
        SigningKey::from_ed25519_seed(seed).unwrap()
    }

    fn alumni() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:1", "type": ["VerifiableCredential", "AlumniCredential"],
            "issuer": "https://vc.example/issuers/5678", "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abc", "alumniOf": "Example University"}
        })
    }

    #[test]
    fn a_document_signed_here_verifies_and_any_change_of_a_signed_value_fails() {
        let key = key_from_seed(&[7; 32]);
        let public = b64_decode(&key.public_jwk().x).unwrap();
        let (_, vm) = did_key(&public);
        let contexts = Contexts::bundled();
        let signed = issue(&alumni(), &key, &vm, "2026-01-01T00:00:00Z", contexts).unwrap();
        let checked = verify(&signed, None, contexts).unwrap();
        assert!(checked.valid(), "{:?}", checked.violations);

        let mut changed = signed.clone();
        changed["credentialSubject"]["alumniOf"] = json!("Another University");
        let checked = verify(&changed, None, contexts).unwrap();
        assert_eq!(checked.signature_verified, Some(false));
        assert_eq!(
            checked.violations[0].requirement.id,
            "DI-EDDSA-3.2.7-signature"
        );
    }

    #[test]
    fn an_undefined_term_is_data_loss_not_an_unsigned_value() {
        let key = key_from_seed(&[7; 32]);
        let vm = did_key(&b64_decode(&key.public_jwk().x).unwrap()).1;
        let mut doc = alumni();
        doc["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
        doc["credentialSubject"] = json!({"id": "did:example:abc", "undefinedTerm": "x"});
        let err = issue(&doc, &key, &vm, "2026-01-01T00:00:00Z", Contexts::bundled()).unwrap_err();
        assert!(err.to_string().contains("drop"), "{err}");
    }

    #[test]
    fn a_context_accord_does_not_carry_leaves_the_proof_unchecked() {
        let mut doc = alumni();
        doc["@context"] = json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://example.org/unknown/v1"
        ]);
        doc["proof"] = json!({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "proofPurpose": "assertionMethod", "proofValue": "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"});
        let checked = verify(&doc, None, Contexts::bundled()).unwrap();
        assert_eq!(checked.signature_verified, None);
        assert!(
            checked
                .not_checked
                .unwrap()
                .contains("https://example.org/unknown/v1")
        );
    }

    #[test]
    fn multikeys_round_trip_and_other_headers_are_refused() {
        let key = [9u8; 32];
        assert_eq!(decode_multikey(&multikey(&key)).unwrap(), key);
        assert!(
            decode_multikey("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")
                .unwrap_err()
                .contains("0xed01")
        );
        assert!(decode_multikey("uAQID").unwrap_err().contains("`z`"));
    }
}
