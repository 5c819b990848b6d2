//! Presentation: the holder chooses disclosures by claim path and adds a key-binding JWT
//! (RFC 9901 §4.3, §6).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::verify::unpack;
use super::{ClaimPath, Disclosure, HashAlg, SdJwt};
use crate::formats::jose::{CompactJws, JoseError, SigningKey, sign_compact};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresentError {
    #[error("the credential is malformed: {0}")]
    Malformed(String),
    #[error("claim path `{0}` names no claim in this credential")]
    NoSuchClaim(ClaimPath),
    #[error("signing the KB-JWT failed: {0}")]
    Sign(#[from] JoseError),
}

/// The key-binding JWT's inputs (RFC 9901 §4.3).
pub struct KeyBinding<'a> {
    pub holder_key: &'a SigningKey,
    pub aud: String,
    pub nonce: String,
    pub iat: i64,
}

/// The credential as the holder sees it: every claim, and which disclosure reveals which.
pub struct HolderView {
    pub claims: Map<String, Value>,
    pub hash: HashAlg,
    /// Claim path revealed by each disclosure, by disclosure index.
    pub paths: Vec<Option<ClaimPath>>,
}

/// Decodes an issued SD-JWT for its holder (no signature check: the holder looks at its own
/// credential; verifiers use [`super::verify`]).
pub fn holder_view(sd: &SdJwt) -> Result<HolderView, PresentError> {
    let jws =
        CompactJws::parse(&sd.issuer_jwt).map_err(|e| PresentError::Malformed(e.to_string()))?;
    let hash = match jws.payload.get("_sd_alg") {
        None => HashAlg::Sha256,
        Some(Value::String(n)) => HashAlg::from_name(n)
            .ok_or_else(|| PresentError::Malformed(format!("unsupported `_sd_alg` {n}")))?,
        Some(_) => return Err(PresentError::Malformed("`_sd_alg` is not a string".into())),
    };
    let mut decoded = Vec::with_capacity(sd.disclosures.len());
    let mut by_digest = BTreeMap::new();
    for (i, d) in sd.disclosures.iter().enumerate() {
        let d = Disclosure::parse(d)
            .map_err(|e| PresentError::Malformed(format!("disclosure[{i}]: {e}")))?;
        by_digest.insert(d.digest(hash), i);
        decoded.push(Some(d));
    }
    let mut payload = jws.payload;
    payload.remove("_sd_alg");
    let unpacked = unpack(payload, decoded, &by_digest);
    if let Some(v) = unpacked.violations.first() {
        return Err(PresentError::Malformed(v.to_string()));
    }
    let mut paths = vec![None; sd.disclosures.len()];
    for (p, i) in unpacked.disclosed {
        paths[i] = Some(p);
    }
    Ok(HolderView {
        claims: unpacked.claims,
        hash,
        paths,
    })
}

/// Builds a presentation revealing `reveal` (and everything beneath each path; the parents a
/// nested claim needs come along). With `kb`, a KB-JWT is appended.
pub fn present(
    sd: &SdJwt,
    reveal: &[ClaimPath],
    kb: Option<KeyBinding<'_>>,
) -> Result<SdJwt, PresentError> {
    // RFC 9901 §7.2: a holder receiving an SD-JWT+KB (a presentation) must reject it.
    if sd.kb_jwt.is_some() {
        return Err(PresentError::Malformed(
            "this is already a presentation (it carries a KB-JWT); present from the issued credential".into(),
        ));
    }
    let view = holder_view(sd)?;
    let root = Value::Object(view.claims.clone());
    for path in reveal {
        if path.is_empty() || path.lookup(&root).is_none() {
            return Err(PresentError::NoSuchClaim(path.clone()));
        }
    }
    let disclosures: Vec<String> = sd
        .disclosures
        .iter()
        .zip(&view.paths)
        .filter(|(_, p)| match p {
            Some(p) => reveal
                .iter()
                .any(|r| p.is_prefix_of(r) || r.is_prefix_of(p)),
            None => false,
        })
        .map(|(d, _)| d.clone())
        .collect();
    let mut out = SdJwt {
        issuer_jwt: sd.issuer_jwt.clone(),
        disclosures,
        kb_jwt: None,
    };
    if let Some(kb) = kb {
        out.kb_jwt = Some(key_binding_jwt(&out, view.hash, &kb)?);
    }
    Ok(out)
}

/// Signs a KB-JWT over `sd` (RFC 9901 §4.3): `typ: kb+jwt`; `iat`, `aud`, `nonce`, `sd_hash`.
pub fn key_binding_jwt(
    sd: &SdJwt,
    hash: HashAlg,
    kb: &KeyBinding<'_>,
) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), Value::String("kb+jwt".into()));
    let mut payload = Map::new();
    payload.insert("iat".into(), Value::from(kb.iat));
    payload.insert("aud".into(), Value::String(kb.aud.clone()));
    payload.insert("nonce".into(), Value::String(kb.nonce.clone()));
    payload.insert(
        "sd_hash".into(),
        Value::String(hash.digest_b64(&sd.without_kb())),
    );
    sign_compact(header, &payload, kb.holder_key)
}
