//! Cases for fuzzing a verifier: a generated EU diploma or JP degree, the claims a DCQL query
//! asks for, an optional status list, and one [`Mutation`] with the verdict a conformant
//! verifier must reach on it.
//!
//! The presentation is assembled here by hand (issuer-signed JWT, disclosures, KB-JWT,
//! status list token) rather than through [`crate::formats::sd_jwt::issue`]: a mutation has to
//! reach places a well-behaved issuer never produces (a digest listed twice, a disclosure
//! written with `\u` escapes, a padded base64url string, `alg: none`), and the signatures
//! over those places must still be valid so that the verifier's answer says something about
//! the one rule the mutation breaks.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;

use super::{Expectation, Expected, forge};
use crate::entropy::{Entropy, SeededEntropy};
use crate::formats::jose::{SigningKey, b64, sign_compact};
use crate::formats::sd_jwt::HashAlg;
use crate::formats::status_list::{StatusList, TokenParams, sign_token};
use crate::profiles::{ALWAYS_DISCLOSED, Profile};
use crate::requirements::catalogue as req;
use crate::trust::pki::TestPki;
use crate::trust::trust_list::base64_std;

/// The credential query id every case's DCQL query uses.
pub const QUERY_ID: &str = "credential";

/// Which profile a case's credential follows (and so which issuer signs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Issuer {
    Eu,
    Jp,
}

impl Issuer {
    pub fn profile(self) -> Profile {
        match self {
            Issuer::Eu => Profile::EuDiploma,
            Issuer::Jp => Profile::JpDegree,
        }
    }

    /// The claim naming the awarding body, bound to the issuer and never selectively
    /// disclosable in the profile.
    pub fn issuer_bound(self) -> &'static str {
        match self {
            Issuer::Eu => "awarding_body",
            Issuer::Jp => "awarding_institution",
        }
    }
}

/// A status list for the credential: `len` entries of `bits` bits filled from `noise`, the
/// credential's own entry at `idx` set to `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSpec {
    pub bits: u8,
    pub len: u32,
    pub idx: u32,
    pub value: u8,
    pub noise: u64,
}

/// One thing wrong (or deliberately unusual) with a presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mutation {
    /// Nothing: a conformant presentation.
    None,
    IssuerSignatureFlipped,
    /// A presented disclosure's value changed after issuance (its digest is listed nowhere).
    DisclosureTampered,
    DuplicateDisclosure,
    /// The issuer lists one digest twice in `_sd` (and signs that).
    DuplicateDigest,
    /// A claim the query asks for is not disclosed.
    DisclosureWithheld,
    /// A disclosure no digest refers to is appended.
    UnreferencedDisclosure,
    /// `iss` is made selectively disclosable.
    RegisteredClaimDisclosed,
    KbNonceWrong,
    KbAudWrong,
    KbSdHashWrong,
    KbMissing,
    IssuerTypJwt,
    KbTypJwt,
    AlgNone,
    /// HS256 over the issuer JWT, keyed with the issuer's public key.
    HmacWithPublicKey,
    Expired,
    NotYetValid,
    KbIatFuture,
    KbTooOld,
    X5cRootIncluded,
    X5cOutOfOrder,
    StatusIndexOutOfRange,
    /// Non-ASCII text in the disclosures written as `\uXXXX` escapes (the digest is over the
    /// string as sent): must be accepted.
    KanjiEscaped,
    /// A name in Unicode NFD.
    NamesNfd,
    /// A Japanese era date in a date claim.
    EraDate,
    /// An extension claim nested 300 levels deep.
    DeeplyNested,
    /// A presentation larger than any verifier needs to read (400 KB).
    Oversized,
    /// A disclosure in base64 with padding.
    PaddedBase64,
    /// A disclosure in the standard base64 alphabet (`+`, `/`).
    StandardBase64,
}

impl Mutation {
    pub const ALL: [Mutation; 30] = [
        Mutation::None,
        Mutation::IssuerSignatureFlipped,
        Mutation::DisclosureTampered,
        Mutation::DuplicateDisclosure,
        Mutation::DuplicateDigest,
        Mutation::DisclosureWithheld,
        Mutation::UnreferencedDisclosure,
        Mutation::RegisteredClaimDisclosed,
        Mutation::KbNonceWrong,
        Mutation::KbAudWrong,
        Mutation::KbSdHashWrong,
        Mutation::KbMissing,
        Mutation::IssuerTypJwt,
        Mutation::KbTypJwt,
        Mutation::AlgNone,
        Mutation::HmacWithPublicKey,
        Mutation::Expired,
        Mutation::NotYetValid,
        Mutation::KbIatFuture,
        Mutation::KbTooOld,
        Mutation::X5cRootIncluded,
        Mutation::X5cOutOfOrder,
        Mutation::StatusIndexOutOfRange,
        Mutation::KanjiEscaped,
        Mutation::NamesNfd,
        Mutation::EraDate,
        Mutation::DeeplyNested,
        Mutation::Oversized,
        Mutation::PaddedBase64,
        Mutation::StandardBase64,
    ];

    pub fn name(self) -> String {
        super::forge::kebab_name(&self)
    }
}

/// One verifier case: everything needed to build the presentation again, byte for byte
/// except the verifier's nonce and the ECDSA signatures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifierCase {
    pub issuer: Issuer,
    /// The credential's claims (without the envelope: `iat`, `cnf`, `status`).
    pub claims: Map<String, Value>,
    /// Top-level claims disclosed and asked for by the query.
    pub reveal: Vec<String>,
    /// Decoy digests added to `_sd`.
    pub decoys: u8,
    pub status: Option<StatusSpec>,
    pub mutation: Mutation,
    /// Seed of the salts and decoys.
    pub salt_seed: u64,
}

/// Entries a status list of a case may have at most (the generator stays far below).
const MAX_STATUS_ENTRIES: u32 = 1 << 20;

impl VerifierCase {
    /// Whether the case can be built: a hand-edited regression seed may hold anything.
    pub fn check(&self) -> Result<(), String> {
        if let Some(s) = &self.status {
            if ![1, 2, 4, 8].contains(&s.bits) {
                return Err(format!("status.bits is {}, not 1, 2, 4 or 8", s.bits));
            }
            if s.len == 0 || s.len > MAX_STATUS_ENTRIES {
                return Err(format!(
                    "status.len is {}, not between 1 and {MAX_STATUS_ENTRIES}",
                    s.len
                ));
            }
            if s.idx >= s.len {
                return Err(format!(
                    "status.idx {} is not below status.len {}",
                    s.idx, s.len
                ));
            }
            if u16::from(s.value) >= 1 << s.bits {
                return Err(format!(
                    "status.value {} does not fit {} bits",
                    s.value, s.bits
                ));
            }
        }
        if self.reveal.is_empty() {
            return Err("reveal names no claim".into());
        }
        Ok(())
    }

    /// The verdict a conformant verifier reaches, and the requirement that decides it.
    pub fn expectation(&self) -> Expectation {
        let profile_rule = |eu, jp| match self.issuer {
            Issuer::Eu => eu,
            Issuer::Jp => jp,
        };
        let (verdict, requirement) = match self.mutation {
            Mutation::None => (Expected::Accept, &req::OID4VP_VALIDATION),
            Mutation::IssuerSignatureFlipped => (Expected::Reject, &req::SDJWT_ISSUER_SIGNATURE),
            Mutation::DisclosureTampered | Mutation::UnreferencedDisclosure => {
                (Expected::Reject, &req::SDJWT_UNREFERENCED_DISCLOSURE)
            }
            Mutation::DuplicateDisclosure => (Expected::Reject, &req::SDJWT_DUPLICATE_DISCLOSURE),
            Mutation::DuplicateDigest => (Expected::Reject, &req::SDJWT_DUPLICATE_DIGEST),
            Mutation::DisclosureWithheld => (Expected::Reject, &req::OID4VP_DCQL_SATISFIED),
            Mutation::RegisteredClaimDisclosed => {
                (Expected::Reject, &req::SDJWTVC_REGISTERED_NOT_DISCLOSABLE)
            }
            Mutation::KbNonceWrong => (Expected::Reject, &req::SDJWT_KB_NONCE),
            Mutation::KbAudWrong => (Expected::Reject, &req::SDJWT_KB_AUD),
            Mutation::KbSdHashWrong => (Expected::Reject, &req::SDJWT_KB_SD_HASH),
            Mutation::KbMissing => (Expected::Reject, &req::SDJWT_KB_REQUIRED),
            Mutation::IssuerTypJwt => (Expected::Reject, &req::SDJWTVC_TYP),
            Mutation::KbTypJwt => (Expected::Reject, &req::SDJWT_KB_TYP),
            Mutation::AlgNone => (Expected::Reject, &req::SDJWT_ALG_NONE_REJECTED),
            Mutation::HmacWithPublicKey => (Expected::Reject, &req::JOSE_ALG_ALLOWED),
            Mutation::Expired | Mutation::NotYetValid => {
                (Expected::Reject, &req::SDJWT_TIME_VALIDITY)
            }
            Mutation::KbIatFuture | Mutation::KbTooOld => (Expected::Reject, &req::SDJWT_KB_IAT),
            Mutation::X5cRootIncluded => (Expected::Reject, &req::HAIP_X5C_NO_ROOT),
            Mutation::X5cOutOfOrder => (Expected::Reject, &req::X509_CHAIN_ORDER),
            Mutation::StatusIndexOutOfRange => (Expected::Reject, &req::TSL_INDEX_RANGE),
            Mutation::KanjiEscaped => (Expected::Accept, &req::SDJWT_DIGEST_OVER_RECEIVED),
            Mutation::NamesNfd => (
                Expected::Reject,
                profile_rule(
                    &req::PROFILE_EUDIPLOMA_NAMES_NFC,
                    &req::PROFILE_JPDEGREE_NAMES_NFC,
                ),
            ),
            Mutation::EraDate => (
                Expected::Reject,
                profile_rule(&req::PROFILE_EUDIPLOMA_DATES, &req::PROFILE_JPDEGREE_DATES),
            ),
            Mutation::DeeplyNested | Mutation::Oversized => {
                (Expected::Either, &req::ROBUST_FAIL_CLEANLY)
            }
            Mutation::PaddedBase64 | Mutation::StandardBase64 => {
                (Expected::Reject, &req::SDJWT_DISCLOSURE_FORMAT)
            }
        };
        // A revoked or suspended credential is rejected whatever else is right with it.
        let revoked = self
            .status
            .as_ref()
            .is_some_and(|s| s.value != 0 && self.mutation != Mutation::StatusIndexOutOfRange);
        if revoked && verdict == Expected::Accept {
            return Expectation {
                verdict: Expected::Reject,
                requirement: &req::TSL_STATUS_VALUES,
            };
        }
        Expectation {
            verdict,
            requirement,
        }
    }

    /// The DCQL query the verifier is asked to make.
    pub fn query(&self) -> Value {
        let claims: Vec<Value> = self
            .reveal
            .iter()
            .map(|name| json!({"path": [name]}))
            .collect();
        json!({"credentials": [{
            "id": QUERY_ID,
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [self.issuer.profile().vct()]},
            "claims": claims,
        }]})
    }
}

/// What the harness knows when it builds a presentation: keys from the test PKI, the
/// verifier's nonce and client identifier, the clock, where the status list will be served.
pub struct BuildContext<'a> {
    pub pki: &'a TestPki,
    pub nonce: &'a str,
    pub client_id: &'a str,
    pub now: i64,
    /// The URI the credential's status claim names (served by the campaign's status host).
    pub status_uri: &'a str,
}

/// A presentation ready to send, and the status list token to serve for it.
pub struct Built {
    /// The presentation (`SD-JWT~…~KB-JWT`).
    pub presentation: String,
    pub status_token: Option<String>,
}

impl Built {
    /// Larger than a verifier need accept ([`crate::roles::MAX_REQUEST_BODY`]): it is sent
    /// on a connection of its own, which the verifier may close without reading the body.
    pub fn oversized(&self) -> bool {
        self.presentation.len() > crate::roles::MAX_REQUEST_BODY / 2
    }
}

/// Encodes a disclosure the way the mutation asks.
fn encode_disclosure(json_text: &str, mutation: Mutation) -> String {
    use base64::Engine as _;
    match mutation {
        Mutation::PaddedBase64 => {
            // Padding appears only when the length is not a multiple of 3: JSON whitespace
            // after `[` changes the length, not the value.
            let mut text = json_text.to_owned();
            while text.len().is_multiple_of(3) {
                text.insert(1, ' ');
            }
            base64::engine::general_purpose::URL_SAFE.encode(text)
        }
        Mutation::StandardBase64 => base64::engine::general_purpose::STANDARD.encode(json_text),
        _ => b64(json_text),
    }
}

/// JSON text with every non-ASCII character written as `\uXXXX` (surrogate pairs beyond the
/// BMP): the same JSON value, other bytes.
pub fn escape_non_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// Builds the case's presentation.
pub fn build(case: &VerifierCase, ctx: &BuildContext<'_>) -> Result<Built, String> {
    case.check()?;
    let m = case.mutation;
    let j = if case.issuer == Issuer::Jp {
        &ctx.pki.jp
    } else {
        &ctx.pki.eu
    };
    let key = &j.issuer.key;
    let mut entropy = SeededEntropy::new(case.salt_seed, "fuzz/salts");
    let mut claims = case.claims.clone();
    let mut reveal = case.reveal.clone();
    match m {
        Mutation::NamesNfd => {
            let (name, value) = match case.issuer {
                Issuer::Eu => ("given_name", "Zoë Émilie"),
                Issuer::Jp => ("family_name_kana", "ワタナベ"),
            };
            claims.insert(name.into(), json!(value.nfd().collect::<String>()));
            if !reveal.iter().any(|r| r == name) {
                reveal.push(name.into());
            }
        }
        Mutation::EraDate => {
            claims.insert("awarding_date".into(), json!("令和6年3月25日"));
            if !reveal.iter().any(|r| r == "awarding_date") {
                reveal.push("awarding_date".into());
            }
        }
        Mutation::DeeplyNested => {
            claims.insert("x_nested".into(), forge::nested(300));
            reveal.push("x_nested".into());
        }
        Mutation::Oversized => {
            claims.insert("x_padding".into(), json!("あ".repeat(140_000)));
            reveal.push("x_padding".into());
        }
        Mutation::StandardBase64 => {
            // Three `?` in a row put 0b111111 in one 6-bit group whatever the alignment: the
            // standard alphabet writes it `/`, so the disclosure is not base64url.
            claims.insert("x_symbols".into(), json!("???"));
            reveal.push("x_symbols".into());
        }
        _ => {}
    }
    // Envelope claims, always in the clear (unless the mutation discloses one).
    let mut payload = Map::new();
    let iss = j.issuer_url.clone();
    payload.insert("vct".into(), json!(case.issuer.profile().vct()));
    payload.insert(
        "iat".into(),
        json!(if m == Mutation::NotYetValid {
            ctx.now - 60
        } else {
            ctx.now - 3600
        }),
    );
    match m {
        Mutation::Expired => {
            payload.insert("exp".into(), json!(ctx.now - 600));
        }
        Mutation::NotYetValid => {
            payload.insert("nbf".into(), json!(ctx.now + 3600));
        }
        _ => {
            payload.insert("exp".into(), json!(ctx.now + 365 * 86_400));
        }
    }
    payload.insert("cnf".into(), json!({"jwk": ctx.pki.holder.public_jwk()}));
    let status = case.status.as_ref();
    if let Some(s) = status {
        let idx = if m == Mutation::StatusIndexOutOfRange {
            // Past the last entry the decoded bytes can hold, not just past `len`.
            let capacity =
                (u64::from(s.len) * u64::from(s.bits)).div_ceil(8) * 8 / u64::from(s.bits);
            capacity + u64::from(s.idx)
        } else {
            u64::from(s.idx)
        };
        payload.insert(
            "status".into(),
            json!({"status_list": {"idx": idx, "uri": ctx.status_uri}}),
        );
    }
    let bound = case.issuer.issuer_bound();
    // Disclosures: every top-level claim but the envelope and the awarding body.
    let mut disclosures: Vec<(String, String)> = Vec::new(); // (name, encoded)
    let mut digests: Vec<String> = Vec::new();
    let mut disclose = |name: &str, value: &Value, entropy: &mut SeededEntropy| {
        let salt = b64(entropy.bytes(16));
        let text = serde_json::to_string(&json!([salt, name, value])).unwrap_or_default();
        let text = if m == Mutation::KanjiEscaped {
            escape_non_ascii(&text)
        } else {
            text
        };
        let encoded = encode_disclosure(&text, m);
        digests.push(HashAlg::Sha256.digest_b64(&encoded));
        disclosures.push((name.to_owned(), encoded));
    };
    for (name, value) in &claims {
        if ALWAYS_DISCLOSED.contains(&name.as_str()) || name == bound {
            payload.insert(name.clone(), value.clone());
        } else {
            disclose(name, value, &mut entropy);
        }
    }
    if m == Mutation::RegisteredClaimDisclosed {
        disclose("iss", &json!(iss), &mut entropy);
        reveal.push("iss".into());
    } else {
        payload.insert("iss".into(), json!(iss));
    }
    for _ in 0..case.decoys {
        let noise = b64(entropy.bytes(32));
        digests.push(HashAlg::Sha256.digest_b64(&noise));
    }
    if m == Mutation::DuplicateDigest
        && let Some(i) = disclosures.iter().position(|(n, _)| reveal.contains(n))
    {
        digests.push(digests[i].clone());
    }
    digests.sort();
    payload.insert("_sd".into(), json!(digests));
    payload.insert("_sd_alg".into(), json!("sha-256"));

    // The issuer-signed JWT.
    let mut chain: Vec<String> = j.issuer_chain().iter().map(|d| base64_std(d)).collect();
    match m {
        Mutation::X5cRootIncluded => chain.push(base64_std(&j.anchor.cert_der)),
        Mutation::X5cOutOfOrder => chain.reverse(),
        _ => {}
    }
    let mut header = Map::new();
    header.insert(
        "typ".into(),
        json!(if m == Mutation::IssuerTypJwt {
            "JWT"
        } else {
            "dc+sd-jwt"
        }),
    );
    header.insert("x5c".into(), json!(chain));
    let issuer_jwt = match m {
        Mutation::AlgNone => forge::alg_none(header, &payload),
        Mutation::HmacWithPublicKey => {
            forge::hmac_with_public_key(header, &payload, &key.public_jwk())
        }
        _ => sign_compact(header, &payload, key).map_err(|e| e.to_string())?,
    };
    let issuer_jwt = if m == Mutation::IssuerSignatureFlipped {
        forge::flip_signature(issuer_jwt)
    } else {
        issuer_jwt
    };

    // What the holder presents.
    let mut presented: Vec<String> = disclosures
        .iter()
        .filter(|(n, _)| reveal.contains(n))
        .map(|(_, d)| d.clone())
        .collect();
    match m {
        Mutation::DisclosureWithheld => {
            presented.pop();
        }
        Mutation::DuplicateDisclosure => {
            if let Some(d) = presented.first().cloned() {
                presented.push(d);
            }
        }
        Mutation::UnreferencedDisclosure => {
            let salt = b64(entropy.bytes(16));
            presented.push(b64(serde_json::to_string(&json!([
                salt,
                "x_unlisted",
                "not issued"
            ]))
            .unwrap_or_default()));
        }
        Mutation::DisclosureTampered => {
            if let Some(d) = presented.first_mut() {
                *d = tamper_disclosure(d);
            }
        }
        _ => {}
    }
    let mut sd_jwt = issuer_jwt.clone();
    sd_jwt.push('~');
    for d in &presented {
        sd_jwt.push_str(d);
        sd_jwt.push('~');
    }
    let presentation = if m == Mutation::KbMissing {
        sd_jwt
    } else {
        let kb = kb_jwt(&sd_jwt, m, ctx, &ctx.pki.holder)?;
        format!("{sd_jwt}{kb}")
    };

    let status_token = match status {
        Some(s) => Some(status_token(s, ctx, key, &j.issuer_chain())?),
        None => None,
    };
    Ok(Built {
        presentation,
        status_token,
    })
}

/// The same disclosure with another value: its digest is listed nowhere.
fn tamper_disclosure(encoded: &str) -> String {
    let decoded = crate::formats::jose::b64_decode(encoded).unwrap_or_default();
    match serde_json::from_slice::<Vec<Value>>(&decoded) {
        Ok(mut parts) if parts.len() == 3 => {
            parts[2] = json!("tampered");
            b64(serde_json::to_string(&parts).unwrap_or_default())
        }
        _ => format!("{encoded}A"),
    }
}

fn kb_jwt(
    sd_jwt: &str,
    m: Mutation,
    ctx: &BuildContext<'_>,
    holder: &SigningKey,
) -> Result<String, String> {
    let mut header = Map::new();
    header.insert(
        "typ".into(),
        json!(if m == Mutation::KbTypJwt {
            "JWT"
        } else {
            "kb+jwt"
        }),
    );
    let mut payload = Map::new();
    let iat = match m {
        Mutation::KbIatFuture => ctx.now + 3600,
        Mutation::KbTooOld => ctx.now - 7200,
        _ => ctx.now,
    };
    payload.insert("iat".into(), json!(iat));
    payload.insert(
        "aud".into(),
        json!(if m == Mutation::KbAudWrong {
            "x509_san_dns:verifier.elsewhere.example".to_owned()
        } else {
            ctx.client_id.to_owned()
        }),
    );
    payload.insert(
        "nonce".into(),
        json!(if m == Mutation::KbNonceWrong {
            format!("{}-other", ctx.nonce)
        } else {
            ctx.nonce.to_owned()
        }),
    );
    let sd_hash = if m == Mutation::KbSdHashWrong {
        HashAlg::Sha256.digest_b64(&format!("{sd_jwt}other~"))
    } else {
        HashAlg::Sha256.digest_b64(sd_jwt)
    };
    payload.insert("sd_hash".into(), json!(sd_hash));
    sign_compact(header, &payload, holder).map_err(|e| e.to_string())
}

/// The status list token for the case: `len` entries of noise, the credential's set to
/// `value`, signed by the issuer (with its `x5c`) for `ctx.status_uri`.
fn status_token(
    s: &StatusSpec,
    ctx: &BuildContext<'_>,
    key: &SigningKey,
    chain: &[Vec<u8>],
) -> Result<String, String> {
    let mut list = StatusList::new(s.bits, s.len as usize).map_err(|e| e.to_string())?;
    let mut noise = SeededEntropy::new(s.noise, "fuzz/status-noise");
    let max = (1u16 << s.bits) as u64;
    for i in 0..u64::from(s.len) {
        // Mostly VALID, as real lists are; every value appears.
        let v = if noise.below(4) == 0 {
            noise.below(max) as u8
        } else {
            0
        };
        list.set(i, v).map_err(|e| e.to_string())?;
    }
    list.set(u64::from(s.idx), s.value)
        .map_err(|e| e.to_string())?;
    sign_token(
        &list,
        &TokenParams {
            uri: ctx.status_uri,
            iat: ctx.now - 60,
            exp: Some(ctx.now + 3600),
            ttl: Some(300),
            x5c: Some(chain.iter().map(|d| base64_std(d)).collect()),
        },
        key,
    )
    .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------
// Generators

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(items)
}

fn iso_date(years: std::ops::Range<u32>) -> impl Strategy<Value = String> {
    (years, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// Valid EU diploma claims: the profile's example with names, dates, level, credits and the
/// optional claims varied.
pub fn eu_claims() -> impl Strategy<Value = Map<String, Value>> {
    (
        pick(&[
            "Peeters",
            "Janssens",
            "Müller",
            "Núñez",
            "Łukasiewicz",
            "Ó Briain",
        ]),
        pick(&[
            "Lotte Émilie",
            "Jan",
            "Zoë",
            "Søren",
            "Ana María",
            "Ἀλέξανδρος",
        ]),
        iso_date(1960..2004),
        iso_date(2010..2026),
        60u32..=300,
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(family, given, birth, awarded, credits, (grade, ent, ds))| {
                let mut c = Profile::EuDiploma.example_claims();
                c.insert("family_name".into(), json!(family));
                c.insert("given_name".into(), json!(given));
                c.insert("birthdate".into(), json!(birth));
                c.insert("awarding_date".into(), json!(awarded));
                if let Some(q) = c.get_mut("qualification").and_then(Value::as_object_mut) {
                    q.insert(
                        "credits".into(),
                        json!({"system": "ECTS", "value": credits}),
                    );
                }
                for (keep, name) in [
                    (grade, "grade"),
                    (ent, "entitlements"),
                    (ds, "diploma_supplement_uri"),
                ] {
                    if !keep {
                        c.remove(name);
                    }
                }
                c
            },
        )
}

/// Valid JP degree claims: the profile's example with names (variant kanji, kana, a kanji
/// beyond the BMP), dates, credits and the optional claims varied.
pub fn jp_claims() -> impl Strategy<Value = Map<String, Value>> {
    (
        pick(&[
            ("髙橋", "タカハシ", "TAKAHASHI"),
            ("高橋", "タカハシ", "TAKAHASHI"),
            ("渡邊", "ワタナベ", "WATANABE"),
            ("齋藤", "サイトウ", "SAITO"),
            ("𠮷田", "ヨシダ", "YOSHIDA"),
        ]),
        pick(&[
            ("翔太", "ショウタ", "Shota"),
            ("花子", "ハナコ", "Hanako"),
            ("陽菜", "ヒナ", "Hina"),
            ("大輔", "ダイスケ", "Daisuke"),
        ]),
        iso_date(1960..2004),
        iso_date(2010..2026),
        124u32..=200,
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (fam, fam_kana, fam_latin),
                (given, given_kana, given_latin),
                birth,
                awarded,
                credits,
                (gpa, number),
            )| {
                let mut c = Profile::JpDegree.example_claims();
                c.insert("family_name".into(), json!(fam));
                c.insert("family_name_kana".into(), json!(fam_kana));
                c.insert("family_name_latin".into(), json!(fam_latin));
                c.insert("given_name".into(), json!(given));
                c.insert("given_name_kana".into(), json!(given_kana));
                c.insert("given_name_latin".into(), json!(given_latin));
                c.insert("birthdate".into(), json!(birth));
                c.insert("awarding_date".into(), json!(awarded));
                c.insert("graduation_date".into(), json!(awarded));
                c.insert(
                    "credits".into(),
                    json!({"system": "JP-tanni", "value": credits, "hours_per_unit": 45}),
                );
                if !gpa {
                    c.remove("gpa");
                }
                if !number {
                    c.remove("certificate_number");
                }
                c
            },
        )
}

/// Seeds stay below 2^53: they are recorded in the log as JSON numbers, whose RFC 8785 form
/// is an IEEE double.
const SAFE_INTEGER: u64 = 1 << 53;

fn status_spec() -> impl Strategy<Value = StatusSpec> {
    (
        prop_oneof![Just(1u8), Just(2u8), Just(4u8), Just(8u8)],
        8u32..2048,
        any::<u32>(),
        prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        0u64..SAFE_INTEGER,
    )
        .prop_map(|(bits, len, idx, value, noise)| StatusSpec {
            bits,
            len,
            idx: idx % len,
            value: value.min(((1u16 << bits) - 1) as u8),
            noise,
        })
}

/// Every verifier case: a quarter unmutated, the rest spread over the mutations.
pub fn cases() -> impl Strategy<Value = VerifierCase> {
    let claims = prop_oneof![
        eu_claims().prop_map(|c| (Issuer::Eu, c)),
        jp_claims().prop_map(|c| (Issuer::Jp, c)),
    ];
    let mutation = prop_oneof![
        1 => Just(Mutation::None),
        3 => proptest::sample::select(&Mutation::ALL[1..]),
    ];
    (
        claims,
        any::<u64>(),
        0u8..4,
        proptest::option::weighted(0.6, status_spec()),
        mutation,
        0u64..SAFE_INTEGER,
    )
        .prop_map(
            |((issuer, claims), reveal_bits, decoys, status, mutation, salt_seed)| {
                let bound = issuer.issuer_bound();
                let disclosable: Vec<&String> = claims
                    .keys()
                    .filter(|k| !ALWAYS_DISCLOSED.contains(&k.as_str()) && k.as_str() != bound)
                    .collect();
                let mut reveal: Vec<String> = disclosable
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| reveal_bits >> (i % 64) & 1 == 1)
                    .map(|(_, k)| (*k).clone())
                    .collect();
                if reveal.is_empty()
                    && let Some(first) = disclosable.first()
                {
                    reveal.push((*first).clone());
                }
                let status = match (status, mutation) {
                    (None, Mutation::StatusIndexOutOfRange) => Some(StatusSpec {
                        bits: 1,
                        len: 16,
                        idx: 3,
                        value: 0,
                        noise: salt_seed,
                    }),
                    (s, _) => s,
                };
                VerifierCase {
                    issuer,
                    claims,
                    reveal,
                    decoys,
                    status,
                    mutation,
                    salt_seed,
                }
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_is_the_same_json() {
        let text = r#"["s","family_name","𠮷田 髙橋"]"#;
        let escaped = escape_non_ascii(text);
        assert!(escaped.is_ascii(), "{escaped}");
        assert!(escaped.contains("\\ud842\\udfb7"), "{escaped}");
        let a: Value = serde_json::from_str(text).unwrap();
        let b: Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn every_mutation_has_a_name() {
        for m in Mutation::ALL {
            assert!(!m.name().is_empty(), "{m:?}");
        }
    }
}
