//! Issuance: turn a claim set and a list of disclosable claim paths into an SD-JWT
//! (RFC 9901 §4, §5).
//!
//! Nested and recursive disclosures fall out of one rule: a path is made selectively
//! disclosable after its children are processed, so a disclosable object whose properties are
//! disclosable too becomes a disclosure whose value holds further `_sd` digests.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{ClaimPath, Disclosure, HashAlg, PathSegment, SdJwt};
use crate::entropy::Entropy;
use crate::formats::jose::{JoseError, Jwk, SigningKey, sign_compact};

/// How many decoy digests to add (RFC 9901 §4.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoys {
    None,
    /// Up to this many decoys in every object and array that holds a disclosable claim.
    UpTo(u8),
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// Every claim of the credential, as plain JSON.
    pub claims: Map<String, Value>,
    /// The claims to make selectively disclosable.
    pub disclosable: Vec<ClaimPath>,
    /// Extra JWS header parameters (`typ`, `x5c`, `kid`); `alg` comes from the key.
    pub header: Map<String, Value>,
    pub hash: HashAlg,
    pub decoys: Decoys,
    /// The holder's public key, placed in `cnf.jwk` (RFC 7800) for key binding.
    pub holder_key: Option<Jwk>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("claim path `{0}` does not name a claim in the claim set")]
    NoSuchClaim(ClaimPath),
    #[error("claim `{0}` cannot be selectively disclosable: {1}")]
    NotDisclosable(ClaimPath, &'static str),
    #[error("the claim set already has a `{0}` claim, which the issuer sets itself")]
    Reserved(&'static str),
    #[error("signing failed: {0}")]
    Sign(#[from] JoseError),
}

/// Issues an SD-JWT signed by `issuer_key`; salts and decoys are drawn from `entropy`.
pub fn issue(
    request: &IssueRequest,
    issuer_key: &SigningKey,
    entropy: &mut dyn Entropy,
) -> Result<SdJwt, IssueError> {
    for reserved in ["_sd", "_sd_alg"] as [&'static str; 2] {
        if request.claims.contains_key(reserved) {
            return Err(IssueError::Reserved(reserved));
        }
    }
    if request.holder_key.is_some() && request.claims.contains_key("cnf") {
        return Err(IssueError::Reserved("cnf"));
    }
    let root = Value::Object(request.claims.clone());
    check_reserved(&root, &ClaimPath::root())?;
    let mut wanted = BTreeSet::new();
    for path in &request.disclosable {
        if path.is_empty() {
            return Err(IssueError::NotDisclosable(
                path.clone(),
                "the root is not a claim",
            ));
        }
        if path.lookup(&root).is_none() {
            return Err(IssueError::NoSuchClaim(path.clone()));
        }
        wanted.insert(normalise(path, &root));
    }

    let mut encoder = Encoder {
        wanted: &wanted,
        hash: request.hash,
        decoys: request.decoys,
        entropy,
        disclosures: Vec::new(),
    };
    let Value::Object(mut payload) = encoder.encode(&root, &ClaimPath::root()) else {
        unreachable!("an object encodes to an object")
    };
    let disclosures = encoder.disclosures;

    // Holder binding (RFC 7800 `cnf`) and the hash algorithm are never selectively disclosable.
    if let Some(holder) = &request.holder_key {
        let mut cnf = Map::new();
        cnf.insert(
            "jwk".into(),
            serde_json::to_value(holder.public()).unwrap_or_default(),
        );
        payload.insert("cnf".into(), Value::Object(cnf));
    }
    payload.insert("_sd_alg".into(), Value::String(request.hash.name().into()));

    let jwt = sign_compact(request.header.clone(), &payload, issuer_key)?;
    Ok(SdJwt {
        issuer_jwt: jwt,
        disclosures,
        kb_jwt: None,
    })
}

/// `_sd` and `...` are never claim names, and a one-key `{"...": x}` is never an array
/// element, at any depth: a verifier would read them as digests (RFC 9901 §4.1).
fn check_reserved(value: &Value, path: &ClaimPath) -> Result<(), IssueError> {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "_sd" || k == "..." {
                    return Err(IssueError::NotDisclosable(
                        path.key(k),
                        "`_sd` and `...` are reserved by SD-JWT",
                    ));
                }
                check_reserved(v, &path.key(k))?;
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_reserved(v, &path.index(i))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Rewrites numeric segments that address object keys as keys, so a path compares equal to
/// the path the encoder builds while walking.
fn normalise(path: &ClaimPath, root: &Value) -> ClaimPath {
    let mut out = ClaimPath::root();
    let mut value = root;
    for seg in &path.0 {
        match (seg, value) {
            (PathSegment::Index(i), Value::Object(m)) => {
                let k = i.to_string();
                value = m.get(&k).unwrap_or(&Value::Null);
                out = out.key(&k);
            }
            (PathSegment::Index(i), Value::Array(a)) => {
                value = a.get(*i).unwrap_or(&Value::Null);
                out = out.index(*i);
            }
            (PathSegment::Key(k), Value::Object(m)) => {
                value = m.get(k).unwrap_or(&Value::Null);
                out = out.key(k);
            }
            (seg, _) => {
                out.0.push(seg.clone());
                value = &Value::Null;
            }
        }
    }
    out
}

struct Encoder<'a> {
    wanted: &'a BTreeSet<ClaimPath>,
    hash: HashAlg,
    decoys: Decoys,
    entropy: &'a mut dyn Entropy,
    disclosures: Vec<String>,
}

impl Encoder<'_> {
    fn encode(&mut self, value: &Value, path: &ClaimPath) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                let mut digests = Vec::new();
                for (k, v) in map {
                    let child_path = path.key(k);
                    let child = self.encode(v, &child_path);
                    if self.wanted.contains(&child_path) {
                        let d = Disclosure::new(Some(k), child, self.entropy);
                        digests.push(d.digest(self.hash));
                        self.disclosures.push(d.encoded);
                    } else {
                        out.insert(k.clone(), child);
                    }
                }
                if !digests.is_empty() {
                    for _ in 0..self.decoy_count() {
                        digests.push(self.decoy());
                    }
                    // Sorting hides the original claim order (RFC 9901 §4.2.4.1).
                    digests.sort();
                    out.insert(
                        "_sd".into(),
                        Value::Array(digests.into_iter().map(Value::String).collect()),
                    );
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut any_disclosable = false;
                for (i, v) in items.iter().enumerate() {
                    let child_path = path.index(i);
                    let child = self.encode(v, &child_path);
                    if self.wanted.contains(&child_path) {
                        any_disclosable = true;
                        let d = Disclosure::new(None, child, self.entropy);
                        out.push(ellipsis(d.digest(self.hash)));
                        self.disclosures.push(d.encoded);
                    } else {
                        out.push(child);
                    }
                }
                if any_disclosable {
                    // Decoy elements go at random positions (RFC 9901 §4.2.5).
                    for _ in 0..self.decoy_count() {
                        let at = self.entropy.below(out.len() as u64 + 1) as usize;
                        let decoy = ellipsis(self.decoy());
                        out.insert(at, decoy);
                    }
                }
                Value::Array(out)
            }
            other => other.clone(),
        }
    }

    fn decoy_count(&mut self) -> u64 {
        match self.decoys {
            Decoys::None => 0,
            Decoys::UpTo(n) => self.entropy.below(u64::from(n) + 1),
        }
    }

    /// A decoy digest: the hash of a random value, indistinguishable from a real digest.
    fn decoy(&mut self) -> String {
        let salt = crate::formats::jose::b64(self.entropy.bytes(16));
        self.hash.digest_b64(&salt)
    }
}

fn ellipsis(digest: String) -> Value {
    let mut m = Map::new();
    m.insert("...".into(), Value::String(digest));
    Value::Object(m)
}
