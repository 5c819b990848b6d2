//! Verification of an SD-JWT and its key-binding JWT (RFC 9901 §7.1, §7.3).
//!
//! Verification never stops at the first problem it can step past: it returns every
//! [`Violation`] it found, each naming its requirement, so a vendor sees all of them at once.
//! It stops only where going on would mean trusting unverified data (an unparseable or
//! badly signed issuer JWT).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{ClaimPath, Disclosure, HashAlg, SdJwt};
use crate::formats::jose::{CompactJws, JoseError, Jwk, VerifyingKey};
use crate::requirements::{Violation, catalogue as req};

/// What the verifier expects of the key-binding JWT (RFC 9901 §7.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbExpectation {
    /// The audience the presentation must be bound to (for OpenID4VP, the full client_id).
    pub aud: String,
    pub nonce: String,
}

/// Verifier policy.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The verifier's current time, seconds since the epoch (from an injected clock).
    pub now: i64,
    /// Allowed clock skew, seconds, for `exp`, `nbf` and `iat` (RFC 7519 §4.1.4 leeway).
    pub skew: i64,
    /// How old a KB-JWT's `iat` may be before it is rejected, seconds.
    pub kb_max_age: i64,
    /// `Some`: key binding is required and checked against these values.
    /// `None`: key binding is not required; a KB-JWT that is present is still checked
    /// (signature, `typ`, `sd_hash`, `iat`), but its `aud` and `nonce` are only reported.
    pub key_binding: Option<KbExpectation>,
}

impl VerifyOptions {
    pub fn at(now: i64) -> Self {
        Self {
            now,
            skew: 300,
            kb_max_age: 300,
            key_binding: None,
        }
    }
}

/// What verification established.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// The issuer JWT header, once decoded.
    pub header: Map<String, Value>,
    /// The claims after processing the disclosures, without `_sd`, `...` and `_sd_alg`.
    /// Empty unless the issuer signature verified.
    pub claims: Map<String, Value>,
    /// Which claim each received disclosure revealed.
    pub disclosed: Vec<ClaimPath>,
    /// The KB-JWT payload, when one was present and its signature verified.
    pub kb: Option<Map<String, Value>>,
    pub signature_verified: bool,
    pub violations: Vec<Violation>,
}

impl Verification {
    pub fn is_valid(&self) -> bool {
        self.signature_verified && crate::requirements::all_pass(&self.violations)
    }
}

/// Decides which key verifies the issuer JWT: a key given out of band, or one taken from
/// `x5c` and checked against a trust list. A refusal is a violation.
pub trait IssuerKeyResolver {
    fn resolve(&mut self, jws: &CompactJws) -> Result<VerifyingKey, Vec<Violation>>;
}

/// A key given out of band (`--issuer-key`).
pub struct FixedIssuerKey(pub VerifyingKey);

impl IssuerKeyResolver for FixedIssuerKey {
    fn resolve(&mut self, _jws: &CompactJws) -> Result<VerifyingKey, Vec<Violation>> {
        Ok(self.0.clone())
    }
}

/// Maps a JOSE algorithm refusal to the requirement it breaks.
pub(crate) fn alg_violation(e: &JoseError, location: &str) -> Violation {
    match e {
        JoseError::AlgNone => Violation::new(
            &req::SDJWT_ALG_NONE_REJECTED,
            "`alg: none` is never accepted",
        ),
        other => Violation::new(&req::JOSE_ALG_ALLOWED, other.to_string()),
    }
    .at(location)
}

/// Verifies `sd` (RFC 9901 §7.1 and, for a KB-JWT, §7.3).
pub fn verify(
    sd: &SdJwt,
    keys: &mut dyn IssuerKeyResolver,
    options: &VerifyOptions,
) -> Verification {
    let mut out = Verification::default();
    let jws = match CompactJws::parse(&sd.issuer_jwt) {
        Ok(j) => j,
        Err(e) => {
            out.violations.push(
                Violation::new(&req::SDJWT_FORMAT, format!("issuer-signed JWT: {e}"))
                    .at("issuer-jwt"),
            );
            return out;
        }
    };
    out.header = jws.header.clone();

    // §7.1 step 2: the algorithm must be an accepted asymmetric one.
    if let Err(e) = jws.algorithm() {
        out.violations
            .push(alg_violation(&e, "issuer-jwt.header.alg"));
        return out;
    }
    let key = match keys.resolve(&jws) {
        Ok(k) => k,
        Err(vs) => {
            out.violations.extend(vs);
            return out;
        }
    };
    if let Err(e) = jws.verify(&key) {
        out.violations.push(
            Violation::new(
                &req::SDJWT_ISSUER_SIGNATURE,
                format!("issuer signature: {e}"),
            )
            .at("issuer-jwt.signature"),
        );
        return out;
    }
    out.signature_verified = true;
    // Check the KB-JWT signature now, right after the issuer's, while aws-lc's P-256 code and
    // tables are still in cache: it makes the whole verification measurably faster. Its other
    // checks come after unpacking, in `check_key_binding`.
    let early_kb = sd
        .kb_jwt
        .as_deref()
        .and_then(|kb| early_kb_signature(kb, &jws.payload));

    // §4.1.1: `_sd_alg` absent means sha-256.
    let hash = match jws.payload.get("_sd_alg") {
        None => HashAlg::Sha256,
        Some(Value::String(name)) => match HashAlg::from_name(name) {
            Some(h) => h,
            None => {
                out.violations.push(
                    Violation::new(
                        &req::SDJWT_SD_ALG,
                        format!("`_sd_alg` `{name}` is not a supported hash algorithm"),
                    )
                    .at("issuer-jwt.payload._sd_alg"),
                );
                out.signature_verified = false;
                return out;
            }
        },
        Some(other) => {
            out.violations.push(
                Violation::new(
                    &req::SDJWT_SD_ALG,
                    format!("`_sd_alg` is {other}, not a string"),
                )
                .at("issuer-jwt.payload._sd_alg"),
            );
            out.signature_verified = false;
            return out;
        }
    };

    // §7.1 step 3: decode each disclosure and index it by its digest over the received string.
    let mut by_digest: BTreeMap<String, usize> = BTreeMap::new();
    let mut decoded: Vec<Option<Disclosure>> = Vec::with_capacity(sd.disclosures.len());
    for (i, encoded) in sd.disclosures.iter().enumerate() {
        match Disclosure::parse(encoded) {
            Ok(d) => {
                let digest = d.digest(hash);
                if let std::collections::btree_map::Entry::Vacant(slot) = by_digest.entry(digest) {
                    slot.insert(i);
                    decoded.push(Some(d));
                } else {
                    out.violations.push(
                        Violation::new(
                            &req::SDJWT_DUPLICATE_DISCLOSURE,
                            "the same disclosure is included more than once",
                        )
                        .at(format!("disclosure[{i}]")),
                    );
                    decoded.push(None);
                }
            }
            Err(e) => {
                out.violations.push(
                    Violation::new(&req::SDJWT_DISCLOSURE_FORMAT, e).at(format!("disclosure[{i}]")),
                );
                decoded.push(None);
            }
        }
    }

    let mut top = jws.payload;
    top.remove("_sd_alg");
    let parsed: Vec<bool> = decoded.iter().map(Option::is_some).collect();
    let unpacked = unpack(top, decoded, &by_digest);
    out.violations.extend(unpacked.violations);
    // §7.1 step 5: every disclosure must have been referenced.
    for (i, was_used) in unpacked.used.iter().enumerate() {
        if !was_used && parsed[i] {
            out.violations.push(
                Violation::new(
                    &req::SDJWT_UNREFERENCED_DISCLOSURE,
                    "no digest in the issuer-signed JWT (or in another disclosure) references this disclosure",
                )
                .at(format!("disclosure[{i}]")),
            );
        }
    }
    let claims = unpacked.claims;
    let disclosed = unpacked.disclosed.into_iter().map(|(p, _)| p).collect();
    out.claims = claims;
    out.disclosed = disclosed;

    check_times(&out.claims, options, &mut out.violations);
    let claims = std::mem::take(&mut out.claims);
    check_key_binding(sd, hash, &claims, options, early_kb, &mut out);
    out.claims = claims;
    out
}

/// The result of replacing digests by disclosed values.
pub(crate) struct Unpacked {
    pub claims: Map<String, Value>,
    /// Each revealed claim and the index of the disclosure that revealed it.
    pub disclosed: Vec<(ClaimPath, usize)>,
    /// Which disclosures some digest referenced.
    pub used: Vec<bool>,
    pub violations: Vec<Violation>,
}

/// Walks `payload` (without `_sd_alg`), replacing digests by the disclosed values
/// (RFC 9901 §7.1 step 3). `by_digest` maps a digest to its index in `decoded`. Values are
/// moved, never copied: the payload and the disclosures are consumed.
pub(crate) fn unpack(
    payload: Map<String, Value>,
    decoded: Vec<Option<Disclosure>>,
    by_digest: &BTreeMap<String, usize>,
) -> Unpacked {
    let n = decoded.len();
    let mut unpacker = Unpacker {
        disclosures: decoded,
        by_digest,
        seen_digests: BTreeSet::new(),
        used: vec![false; n],
        disclosed: Vec::new(),
        violations: Vec::new(),
        depth: 0,
    };
    let claims = unpacker.object(
        payload,
        &Trail::Root(""),
        &Trail::Root("issuer-jwt.payload"),
    );
    Unpacked {
        claims,
        disclosed: unpacker.disclosed,
        used: unpacker.used,
        violations: unpacker.violations,
    }
}

/// How deep objects, arrays and disclosures may nest before the verifier refuses: a hostile
/// chain of disclosures each revealing the next would otherwise recurse without bound.
pub const MAX_DEPTH: usize = 64;

/// Where the walk is, as a linked list on the stack: the walk allocates nothing for positions
/// and builds a location string or a [`ClaimPath`] only when one is needed.
#[derive(Clone, Copy)]
enum Trail<'a> {
    /// A named place: `issuer-jwt.payload`, or the root claim path.
    Root(&'static str),
    /// Inside the value of a disclosure.
    Disclosure(usize),
    Key(&'a Trail<'a>, &'a str),
    Index(&'a Trail<'a>, usize),
}

impl Trail<'_> {
    fn to_path(self) -> ClaimPath {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                Trail::Key(p, k) => {
                    segs.push(super::PathSegment::Key(k.to_owned()));
                    at = *p;
                }
                Trail::Index(p, i) => {
                    segs.push(super::PathSegment::Index(i));
                    at = *p;
                }
                Trail::Root(_) | Trail::Disclosure(_) => break,
            }
        }
        segs.reverse();
        ClaimPath(segs)
    }
}

impl std::fmt::Display for Trail<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trail::Root(name) => f.write_str(name),
            Trail::Disclosure(i) => write!(f, "disclosure[{i}]"),
            Trail::Key(p, k) => write!(f, "{p}.{k}"),
            Trail::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

struct Unpacker<'a> {
    /// Taken (set to `None`) as each is revealed; a digest can reveal a disclosure only once.
    disclosures: Vec<Option<Disclosure>>,
    by_digest: &'a BTreeMap<String, usize>,
    seen_digests: BTreeSet<String>,
    used: Vec<bool>,
    disclosed: Vec<(ClaimPath, usize)>,
    violations: Vec<Violation>,
    /// Nesting depth of the walk, across disclosures.
    depth: usize,
}

impl Unpacker<'_> {
    /// `path` is the claim path (through disclosures); `loc` is where the value physically is.
    fn value(&mut self, value: Value, path: &Trail<'_>, loc: &Trail<'_>) -> Value {
        match value {
            Value::Object(_) | Value::Array(_) if self.depth >= MAX_DEPTH => {
                self.violations.push(
                    Violation::new(
                        &req::SDJWT_FORMAT,
                        format!("claims nest more than {MAX_DEPTH} levels deep (through objects, arrays and disclosures)"),
                    )
                    .at(loc.to_string()),
                );
                Value::Null
            }
            Value::Object(m) => {
                self.depth += 1;
                let v = Value::Object(self.object(m, path, loc));
                self.depth -= 1;
                v
            }
            Value::Array(a) => {
                self.depth += 1;
                let v = Value::Array(self.array(a, path, loc));
                self.depth -= 1;
                v
            }
            other => other,
        }
    }

    /// Returns the disclosure for `digest`, recording the digest and flagging repeats.
    fn take(&mut self, digest: String, loc: &Trail<'_>) -> Option<(usize, Disclosure)> {
        if self.seen_digests.contains(&digest) {
            self.violations.push(
                Violation::new(
                    &req::SDJWT_DUPLICATE_DIGEST,
                    format!("digest {digest} appears more than once"),
                )
                .at(loc.to_string()),
            );
            return None;
        }
        let found = self.by_digest.get(&digest).copied();
        self.seen_digests.insert(digest);
        let i = found?;
        self.used[i] = true;
        let d = self.disclosures[i].take()?;
        Some((i, d))
    }

    fn object(
        &mut self,
        mut map: Map<String, Value>,
        path: &Trail<'_>,
        loc: &Trail<'_>,
    ) -> Map<String, Value> {
        let sd = map.remove("_sd");
        let mut out = Map::new();
        for (k, v) in map {
            let v = self.value(v, &Trail::Key(path, &k), &Trail::Key(loc, &k));
            out.insert(k, v);
        }
        let Some(sd) = sd else {
            return out;
        };
        let sd_loc = Trail::Key(loc, "_sd");
        let Value::Array(digests) = sd else {
            self.violations.push(
                Violation::new(&req::SDJWT_SD_ARRAY, "`_sd` is not an array")
                    .at(sd_loc.to_string()),
            );
            return out;
        };
        for (j, digest) in digests.into_iter().enumerate() {
            let here = Trail::Index(&sd_loc, j);
            let Value::String(digest) = digest else {
                self.violations.push(
                    Violation::new(&req::SDJWT_SD_ARRAY, "a `_sd` entry is not a string")
                        .at(here.to_string()),
                );
                continue;
            };
            let Some((i, d)) = self.take(digest, &here) else {
                continue; // A decoy, an undisclosed claim, or a repeat already reported.
            };
            let dloc = Trail::Disclosure(i);
            let Some(name) = d.name else {
                self.violations.push(
                    Violation::new(
                        &req::SDJWT_ARRAY_ELEMENT_FORM,
                        "an array-element disclosure is referenced from an object's `_sd`",
                    )
                    .at(dloc.to_string()),
                );
                continue;
            };
            if name == "_sd" || name == "..." {
                self.violations.push(
                    Violation::new(
                        &req::SDJWT_CLAIM_NAME_RESERVED,
                        format!("a disclosure may not name the claim `{name}`"),
                    )
                    .at(dloc.to_string()),
                );
                continue;
            }
            if out.contains_key(&name) {
                self.violations.push(
                    Violation::new(
                        &req::SDJWT_CLAIM_NAME_COLLISION,
                        format!("claim `{name}` already exists at {}", path.to_path()),
                    )
                    .at(dloc.to_string()),
                );
                continue;
            }
            let child = Trail::Key(path, &name);
            let value = self.value(d.value, &child, &dloc);
            self.disclosed.push((child.to_path(), i));
            out.insert(name, value);
        }
        out
    }

    fn array(&mut self, items: Vec<Value>, path: &Trail<'_>, loc: &Trail<'_>) -> Vec<Value> {
        let mut out = Vec::with_capacity(items.len());
        for (j, item) in items.into_iter().enumerate() {
            let here = Trail::Index(loc, j);
            let digest = match item {
                Value::Object(mut m) if m.len() == 1 && m.contains_key("...") => {
                    m.remove("...").unwrap_or_default()
                }
                other => {
                    let p = Trail::Index(path, out.len());
                    out.push(self.value(other, &p, &here));
                    continue;
                }
            };
            let Value::String(digest) = digest else {
                self.violations.push(
                    Violation::new(
                        &req::SDJWT_ARRAY_ELEMENT_FORM,
                        "the `...` value of an array element is not a string",
                    )
                    .at(here.to_string()),
                );
                continue;
            };
            let Some((i, d)) = self.take(digest, &here) else {
                continue;
            };
            let dloc = Trail::Disclosure(i);
            if d.name.is_some() {
                self.violations.push(
                    Violation::new(
                        &req::SDJWT_ARRAY_ELEMENT_FORM,
                        "an object-property disclosure is referenced from an array element",
                    )
                    .at(dloc.to_string()),
                );
                continue;
            }
            let child = Trail::Index(path, out.len());
            let value = self.value(d.value, &child, &dloc);
            self.disclosed.push((child.to_path(), i));
            out.push(value);
        }
        out
    }
}

/// `exp`, `nbf` and `iat` against the injected clock (RFC 7519 §4.1.4, §4.1.5, §4.1.6).
fn check_times(claims: &Map<String, Value>, o: &VerifyOptions, violations: &mut Vec<Violation>) {
    // NumericDate may be fractional (RFC 7519 §2); compare as f64.
    let now = o.now as f64;
    let skew = o.skew as f64;
    for (name, late, what) in [
        ("exp", true, "expired"),
        ("nbf", false, "not yet valid"),
        ("iat", false, "issued in the future"),
    ] {
        let Some(value) = claims.get(name) else {
            continue;
        };
        let at = format!("issuer-jwt.payload.{name}");
        let Some(t) = value.as_f64() else {
            violations.push(
                Violation::new(
                    &req::SDJWT_TIME_VALIDITY,
                    format!("`{name}` is {value}, not a NumericDate"),
                )
                .at(at),
            );
            continue;
        };
        let broken = if late {
            now - skew >= t
        } else {
            t > now + skew
        };
        if broken {
            violations.push(
                Violation::new(
                    &req::SDJWT_TIME_VALIDITY,
                    format!(
                        "{what}: {name} {t} against now {} (skew {}s)",
                        o.now, o.skew
                    ),
                )
                .at(at),
            );
        }
    }
}

/// RFC 9901 §7.3: the KB-JWT's form, signature, `sd_hash`, `nonce`, `aud` and `iat`.
/// A KB-JWT already parsed, and its signature already checked against the `cnf.jwk` of the
/// signed payload.
type EarlyKb = (CompactJws, Result<(), JoseError>);

/// Parses the KB-JWT and checks its signature with the signed payload's top-level `cnf.jwk`.
/// `None` when that is not possible yet (no such key, unparseable KB-JWT, refused `alg`):
/// `check_key_binding` then does it all, and reports why.
fn early_kb_signature(kb: &str, payload: &Map<String, Value>) -> Option<EarlyKb> {
    let jwk: Jwk = serde_json::from_value(payload.get("cnf")?.get("jwk")?.clone()).ok()?;
    let holder = VerifyingKey::from_jwk(&jwk).ok()?;
    let jws = CompactJws::parse(kb).ok()?;
    jws.algorithm().ok()?;
    let result = jws.verify(&holder);
    Some((jws, result))
}

fn check_key_binding(
    sd: &SdJwt,
    hash: HashAlg,
    claims: &Map<String, Value>,
    o: &VerifyOptions,
    early: Option<EarlyKb>,
    out: &mut Verification,
) {
    let v = &mut out.violations;
    let Some(kb) = &sd.kb_jwt else {
        if o.key_binding.is_some() {
            v.push(
                Violation::new(
                    &req::SDJWT_KB_REQUIRED,
                    "key binding is required but the presentation has no KB-JWT",
                )
                .at("kb-jwt"),
            );
        }
        return;
    };
    let (jws, signature) = match early {
        Some((jws, result)) => (jws, Some(result)),
        None => match CompactJws::parse(kb) {
            Ok(j) => (j, None),
            Err(e) => {
                v.push(Violation::new(&req::SDJWT_FORMAT, format!("KB-JWT: {e}")).at("kb-jwt"));
                return;
            }
        },
    };
    if jws.typ() != Some("kb+jwt") {
        v.push(
            Violation::new(
                &req::SDJWT_KB_TYP,
                format!("KB-JWT `typ` is {}, expected \"kb+jwt\"", jws.typ_shown()),
            )
            .at("kb-jwt.header.typ"),
        );
    }
    let signature = match signature {
        Some(checked) => checked,
        None => {
            if let Err(e) = jws.algorithm() {
                v.push(alg_violation(&e, "kb-jwt.header.alg"));
                return;
            }
            let holder = claims
                .get("cnf")
                .and_then(|c| c.get("jwk"))
                .cloned()
                .map(serde_json::from_value::<Jwk>);
            let holder = match holder {
                Some(Ok(jwk)) => VerifyingKey::from_jwk(&jwk).map_err(|e| e.to_string()),
                Some(Err(e)) => Err(format!("`cnf.jwk` is not a JWK: {e}")),
                None => Err(
                    "the credential has no `cnf.jwk` holder key to check the KB-JWT with".into(),
                ),
            };
            match holder {
                Ok(k) => jws.verify(&k),
                Err(e) => {
                    v.push(
                        Violation::new(&req::SDJWT_KB_SIGNATURE, e).at("issuer-jwt.payload.cnf"),
                    );
                    return;
                }
            }
        }
    };
    if let Err(e) = signature {
        v.push(
            Violation::new(
                &req::SDJWT_KB_SIGNATURE,
                format!("KB-JWT signature with the `cnf.jwk` key: {e}"),
            )
            .at("kb-jwt.signature"),
        );
        return;
    }
    let p = &jws.payload;
    let expected_hash = sd.sd_hash(hash);
    match p.get("sd_hash") {
        Some(Value::String(h)) if *h == expected_hash => {}
        Some(Value::String(h)) => v.push(
            Violation::new(
                &req::SDJWT_KB_SD_HASH,
                format!("`sd_hash` is {h}, but the presented SD-JWT hashes to {expected_hash}"),
            )
            .at("kb-jwt.payload.sd_hash"),
        ),
        _ => v.push(
            Violation::new(&req::SDJWT_KB_SD_HASH, "the KB-JWT has no string `sd_hash`")
                .at("kb-jwt.payload.sd_hash"),
        ),
    }
    if let Some(expect) = &o.key_binding {
        match p.get("nonce") {
            Some(Value::String(n)) if *n == expect.nonce => {}
            other => v.push(
                Violation::new(
                    &req::SDJWT_KB_NONCE,
                    format!("`nonce` is {}, expected {:?}", show(other), expect.nonce),
                )
                .at("kb-jwt.payload.nonce"),
            ),
        }
        match p.get("aud") {
            Some(Value::String(a)) if *a == expect.aud => {}
            other => v.push(
                Violation::new(
                    &req::SDJWT_KB_AUD,
                    format!("`aud` is {}, expected {:?}", show(other), expect.aud),
                )
                .at("kb-jwt.payload.aud"),
            ),
        }
    }
    let (now, skew, max_age) = (o.now as f64, o.skew as f64, o.kb_max_age as f64);
    match p.get("iat").and_then(Value::as_f64) {
        Some(iat) if iat > now + skew => v.push(
            Violation::new(
                &req::SDJWT_KB_IAT,
                format!("KB-JWT issued in the future: iat {iat}, now {}", o.now),
            )
            .at("kb-jwt.payload.iat"),
        ),
        Some(iat) if iat < now - max_age - skew => v.push(
            Violation::new(
                &req::SDJWT_KB_IAT,
                format!(
                    "KB-JWT too old: iat {iat}, now {}, at most {}s (+{}s skew) accepted",
                    o.now, o.kb_max_age, o.skew
                ),
            )
            .at("kb-jwt.payload.iat"),
        ),
        Some(_) => {}
        None => v.push(
            Violation::new(&req::SDJWT_KB_IAT, "the KB-JWT has no NumericDate `iat`")
                .at("kb-jwt.payload.iat"),
        ),
    }
    out.kb = Some(jws.payload);
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "missing".to_owned(), Value::to_string)
}
