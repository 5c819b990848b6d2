//! JWT-secured verifiable credentials: the W3C VC Data Model 1.1 JWT encoding (clause 6.3.1),
//! which EBSI's education credentials (`jwt_vc_json`) follow, and the Open Badges 3.0 JSON Web
//! Token proof format (1EdTech, clause 8.2), which restricts it: `iss`, `sub`, `nbf` and `jti`
//! required, the key by `kid` or `jwk`, RS256 at least.
//!
//! [`verify`] checks the JWS under the issuer's key (ES256, ES384, EdDSA through the JOSE
//! keys; RS256, RS384, RS512 through RSA public key components), then every claim against
//! the credential it carries, each violation citing its requirement. A key named only by
//! `kid` is the caller's to dereference (a DID or an HTTPS URL: network, which the credential
//! core does not do): without one, the signature is reported *not verified*, never passed.
//! [`issue`] makes one for the reference roles.
//!
//! Open Badges' Data Integrity proofs (`eddsa-rdfc-2022`) are not implemented here.

use aws_lc_rs::signature;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::formats::jose::{
    Algorithm, CompactJws, JoseError, Jwk, SigningKey, VerifyingKey, b64_decode,
};
use crate::requirements::Violation;
use crate::requirements::vc_jwt as req;

/// What verifying found. The claims and credential are those received, whatever the verdict.
#[derive(Debug, Clone)]
pub struct Checked {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// The credential of the `vc` claim (`Null` when absent).
    pub credential: Value,
    /// Whether the credential is an Open Badge (`OpenBadgeCredential` or
    /// `AchievementCredential` among its types): then the Open Badges rules apply too.
    pub open_badge: bool,
    /// `Some(true)`: the signature verified; `Some(false)`: it did not; `None`: no key to
    /// check it with (a `kid` the caller did not dereference).
    pub signature_verified: Option<bool>,
    pub violations: Vec<Violation>,
}

impl Checked {
    /// Valid: the signature verified and no MUST was broken.
    pub fn valid(&self) -> bool {
        self.signature_verified == Some(true)
            && crate::requirements::no_must_broken(&self.violations)
    }
}

/// Why a token could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum VcJwtError {
    #[error("not a compact JWS with JSON header and payload: {0}")]
    NotJws(#[from] JoseError),
}

/// The issuer's public key, as a JWK object (EC, OKP or RSA).
fn verify_with_jwk(jwk: &Value, alg: &str, input: &[u8], sig: &[u8]) -> Result<(), String> {
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let part = |name: &str| {
                jwk.get(name)
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("the RSA JWK has no `{name}`"))
                    .and_then(|v| b64_decode(v).map_err(|e| e.to_string()))
            };
            let (n, e) = (part("n")?, part("e")?);
            let params = match alg {
                "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                other => return Err(format!("alg {other} with an RSA key")),
            };
            signature::RsaPublicKeyComponents { n: &n, e: &e }
                .verify(params, input, sig)
                .map_err(|_| "the signature does not verify under the RSA key".to_string())
        }
        Some("EC") | Some("OKP") => {
            let parsed: Jwk = serde_json::from_value(jwk.clone()).map_err(|e| e.to_string())?;
            let key = VerifyingKey::from_jwk(&parsed).map_err(|e| e.to_string())?;
            let expected = Algorithm::from_name(alg).map_err(|e| e.to_string())?;
            if key.algorithm() != expected {
                return Err(format!(
                    "alg {alg} does not fit the {} key",
                    key.algorithm().name()
                ));
            }
            key.verify(input, sig)
                .map_err(|_| "the signature does not verify under the key".to_string())
        }
        other => Err(format!("key type {other:?} is not one Accord verifies")),
    }
}

fn as_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A VCDM date-time (`issuanceDate`, `validFrom`, …) in Unix seconds.
fn date(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_str)
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .map(OffsetDateTime::unix_timestamp)
}

/// Verifies the VC-JWT `token` at `now` (Unix seconds). `issuer_key` is the issuer's JWK
/// when the caller resolved it (from the `kid`, an issuer profile or a trust list); without
/// it the header's `jwk` is used, if any.
pub fn verify(token: &str, issuer_key: Option<&Value>, now: i64) -> Result<Checked, VcJwtError> {
    let jws = CompactJws::parse(token.trim())?;
    let header = jws.header.clone();
    let claims = jws.payload.clone();
    let credential = claims.get("vc").cloned().unwrap_or(Value::Null);
    let types: Vec<&str> = match credential.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => vec![],
    };
    let open_badge = types
        .iter()
        .any(|t| *t == "OpenBadgeCredential" || *t == "AchievementCredential");
    let mut v = Vec::new();
    let mut found = |requirement, message: String, at: &str| {
        v.push(Violation::new(requirement, message).at(at));
    };

    // The key and the signature (RFC 7515 clause 5.2).
    let alg = as_str(&Value::Object(header.clone()), "alg")
        .unwrap_or("")
        .to_owned();
    if matches!(alg.as_str(), "" | "none") || alg.starts_with("HS") {
        found(
            &req::VCDM_SIGNATURE,
            format!("alg {alg:?}: a credential is signed with an asymmetric key"),
            "header.alg",
        );
    }
    let header_jwk = header.get("jwk");
    if header_jwk.is_some_and(|k| k.get("d").is_some()) {
        found(
            &req::OB3_JOSE_HEADER,
            "the header's `jwk` carries a private key (`d`)".into(),
            "header.jwk",
        );
    }
    if open_badge {
        if header.get("kid").is_none() && header_jwk.is_none() {
            found(
                &req::OB3_JOSE_HEADER,
                "the header has neither `kid` nor `jwk`".into(),
                "header",
            );
        }
        if let Some(typ) = header.get("typ")
            && typ != "JWT"
        {
            found(
                &req::OB3_JOSE_HEADER,
                format!("typ is {typ}, not \"JWT\""),
                "header.typ",
            );
        }
    }
    let key = issuer_key.or(header_jwk);
    let signature_verified = match key {
        None => None,
        Some(k) => match verify_with_jwk(k, &alg, jws.signing_input.as_bytes(), &jws.signature) {
            Ok(()) => Some(true),
            Err(why) => {
                found(&req::VCDM_SIGNATURE, why, "signature");
                Some(false)
            }
        },
    };

    // The claims against the credential (VCDM 1.1 clause 6.3.1; Open Badges 3.0 clause 8.2).
    if !credential.is_object() {
        found(
            &req::VCDM_VC_CLAIM,
            "no `vc` object in the payload".into(),
            "payload.vc",
        );
    }
    let ob3 = |vcdm| {
        if open_badge {
            &req::OB3_REQUIRED_CLAIMS
        } else {
            vcdm
        }
    };
    let issuer_id = match credential.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => as_str(other, "id"),
        None => None,
    };
    match (as_str(&Value::Object(claims.clone()), "iss"), issuer_id) {
        (Some(iss), Some(id)) if iss == id => {}
        (iss, id) => found(
            ob3(&req::VCDM_ISS),
            format!("iss is {iss:?}, the credential's issuer is {id:?}"),
            "payload.iss",
        ),
    }
    let subject_id = credential
        .get("credentialSubject")
        .and_then(|s| as_str(s, "id"));
    match (claims.get("sub").and_then(Value::as_str), subject_id) {
        (Some(sub), Some(id)) if sub == id => {}
        (None, None) if !open_badge => {}
        (sub, id) => found(
            ob3(&req::VCDM_SUB),
            format!("sub is {sub:?}, the credential subject's id is {id:?}"),
            "payload.sub",
        ),
    }
    match (
        claims.get("jti").and_then(Value::as_str),
        as_str(&credential, "id"),
    ) {
        (Some(jti), Some(id)) if jti == id => {}
        (None, None) if !open_badge => {}
        (jti, id) => found(
            ob3(&req::VCDM_JTI),
            format!("jti is {jti:?}, the credential's id is {id:?}"),
            "payload.jti",
        ),
    }
    let issued = date(
        credential
            .get("validFrom")
            .or(credential.get("issuanceDate")),
    );
    match (claims.get("nbf").and_then(Value::as_i64), issued) {
        (Some(nbf), Some(at)) if nbf == at => {
            if nbf > now {
                found(
                    &req::VCDM_NBF,
                    format!("nbf {nbf} is in the future"),
                    "payload.nbf",
                );
            }
        }
        (nbf, at) => found(
            ob3(&req::VCDM_NBF),
            format!("nbf is {nbf:?}, the credential's issuance date is {at:?}"),
            "payload.nbf",
        ),
    }
    let until = date(
        credential
            .get("validUntil")
            .or(credential.get("expirationDate")),
    );
    match (claims.get("exp").and_then(Value::as_i64), until) {
        (None, None) => {}
        (Some(exp), Some(at)) if exp == at => {
            if exp <= now {
                found(
                    &req::VCDM_EXP,
                    format!("the credential expired at {exp}"),
                    "payload.exp",
                );
            }
        }
        (exp, at) => found(
            &req::VCDM_EXP,
            format!("exp is {exp:?}, the credential's expiration is {at:?}"),
            "payload.exp",
        ),
    }
    Ok(Checked {
        header,
        claims,
        credential,
        open_badge,
        signature_verified,
        violations: v,
    })
}

/// How a VC-JWT's `credentialStatus` (W3C Bitstring Status List) is to be checked.
#[derive(Debug, Clone, Copy)]
pub enum StatusCheck<'a> {
    /// Against this status list credential (its proof checked by the caller).
    List(&'a Value),
    /// Not at all; the caller reports it skipped.
    Skip,
    /// No list at hand: a credential with a status entry fails closed.
    Unavailable,
}

/// Checks the credential's Bitstring Status List entry, if it has one, adding what failed
/// to `checked` (fail closed: without the list, the status is unknown and the credential
/// not valid).
pub fn check_status(checked: &mut Checked, status: StatusCheck<'_>) {
    let found = status_violations(&checked.credential, status, "vc.credentialStatus");
    checked.violations.extend(found);
}

/// What the Bitstring Status List entries of `credential` (any securing: VC-JWT, Data
/// Integrity) say against `status`, each violation located at `at`.
pub fn status_violations(credential: &Value, status: StatusCheck<'_>, at: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    let Some(entry) = credential.get("credentialStatus").cloned() else {
        return found;
    };
    let entries = match entry {
        Value::Array(a) => a,
        one => vec![one],
    };
    for entry in entries
        .iter()
        .filter(|e| e.get("type").and_then(Value::as_str) == Some("BitstringStatusListEntry"))
    {
        match status {
            StatusCheck::Skip => {}
            StatusCheck::Unavailable => found.push(
                Violation::new(
                    &crate::requirements::bitstring_status::BSL_STATUS,
                    "the credential has a status entry and no status list credential was given: its status is unknown",
                )
                .at(at),
            ),
            StatusCheck::List(list) => match crate::formats::bitstring_status::check(entry, list) {
                Err(v) => found.push(v),
                Ok(s) if s.value != 0 && matches!(s.purpose.as_str(), "revocation" | "suspension") => {
                    found.push(
                        Violation::new(
                            &crate::requirements::bitstring_status::BSL_STATUS,
                            format!("the list says {} (index {}, value {})", s.purpose, s.index, s.value),
                        )
                        .at(at),
                    )
                }
                Ok(_) => {}
            },
        }
    }
    found
}

/// Signs `credential` as a VC-JWT with `key`: `iss`, `sub`, `jti`, `nbf` and `exp` taken from
/// the credential as VCDM 1.1 clause 6.3.1 and Open Badges 3.0 clause 8.2 map them, the
/// public key in the header's `jwk` (and `kid` when given), `typ` `JWT`.
pub fn issue(credential: &Value, key: &SigningKey, kid: Option<&str>) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert(
        "jwk".into(),
        serde_json::to_value(key.public_jwk()).map_err(|e| JoseError::Key(e.to_string()))?,
    );
    if let Some(k) = kid {
        header.insert("kid".into(), k.into());
    }
    let mut claims = Map::new();
    let issuer = match credential.get("issuer") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => as_str(other, "id").map(str::to_owned),
        None => None,
    };
    if let Some(iss) = issuer {
        claims.insert("iss".into(), iss.into());
    }
    if let Some(sub) = credential
        .get("credentialSubject")
        .and_then(|s| as_str(s, "id"))
    {
        claims.insert("sub".into(), sub.into());
    }
    if let Some(id) = as_str(credential, "id") {
        claims.insert("jti".into(), id.into());
    }
    if let Some(nbf) = date(
        credential
            .get("validFrom")
            .or(credential.get("issuanceDate")),
    ) {
        claims.insert("nbf".into(), nbf.into());
    }
    if let Some(exp) = date(
        credential
            .get("validUntil")
            .or(credential.get("expirationDate")),
    ) {
        claims.insert("exp".into(), exp.into());
    }
    claims.insert("vc".into(), credential.clone());
    crate::formats::jose::sign_compact(header, &claims, key)
}

/// Signs `credential` as [`issue`] does, naming the key by `x5c` (the signing certificate
/// and its chain, leaf first, DER) instead of a `jwk`: a verifier finds the key through a
/// path to a trust anchor, and the certificate's name must be the credential's `iss`.
pub fn issue_with_x5c(
    credential: &Value,
    key: &SigningKey,
    chain: &[Vec<u8>],
) -> Result<String, JoseError> {
    use base64::Engine as _;
    let token = issue(credential, key, None)?;
    let jws = crate::formats::jose::CompactJws::parse(&token)?;
    let mut header = jws.header.clone();
    header.remove("jwk");
    // Open Badges 3.0 clause 8.2 wants `kid` or `jwk`: the key's RFC 7638 thumbprint.
    header.insert("kid".into(), key.public_jwk().thumbprint().into());
    header.insert(
        "x5c".into(),
        chain
            .iter()
            .map(|der| Value::String(base64::engine::general_purpose::STANDARD.encode(der)))
            .collect(),
    );
    crate::formats::jose::sign_compact(header, &jws.payload, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededEntropy;
    use serde_json::json;

    const NOW: i64 = 1_790_000_000;

    fn badge() -> Value {
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ],
            "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://university.example.jp/issuers/1", "type": ["Profile"], "name": "Example University"},
            "validFrom": "2026-04-01T00:00:00Z",
            "name": "Introduction to Data Science",
            "credentialSubject": {
                "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
                "type": ["AchievementSubject"],
                "achievement": {"id": "https://university.example.jp/achievements/ds101", "type": ["Achievement"], "name": "Data Science 101"}
            }
        })
    }

    fn key(alg: Algorithm) -> SigningKey {
        SigningKey::generate(alg, &mut SeededEntropy::new(3, "vc-jwt")).unwrap()
    }

    fn ids(c: &Checked) -> Vec<&'static str> {
        c.violations.iter().map(|v| v.requirement.id).collect()
    }

    #[test]
    fn an_issued_badge_verifies_with_its_header_key_and_with_a_given_key() {
        for alg in [Algorithm::ES256, Algorithm::EdDSA] {
            let k = key(alg);
            let token = issue(&badge(), &k, Some("https://university.example.jp/keys/1")).unwrap();
            let c = verify(&token, None, NOW).unwrap();
            assert!(c.open_badge);
            assert!(c.valid(), "{:?}", c.violations);
            let jwk = serde_json::to_value(k.public_jwk()).unwrap();
            assert!(verify(&token, Some(&jwk), NOW).unwrap().valid());
            // Another key: the signature fails.
            let other = serde_json::to_value(key(Algorithm::ES384).public_jwk()).unwrap();
            let c = verify(&token, Some(&other), NOW).unwrap();
            assert_eq!(c.signature_verified, Some(false));
            assert!(!c.valid());
        }
    }

    #[test]
    fn a_badge_whose_issuer_profile_is_not_the_iss_is_invalid() {
        let k = key(Algorithm::ES256);
        let token = issue(&badge(), &k, None).unwrap();
        // Re-sign the same credential with an `iss` of another issuer.
        let jws = CompactJws::parse(&token).unwrap();
        let mut claims = jws.payload.clone();
        claims.insert("iss".into(), "https://impostor.example/issuers/9".into());
        let forged = crate::formats::jose::sign_compact(jws.header.clone(), &claims, &k).unwrap();
        let c = verify(&forged, None, NOW).unwrap();
        assert_eq!(c.signature_verified, Some(true));
        assert_eq!(ids(&c), vec!["OB3-8.2-required-claims"]);
        assert!(!c.valid());
    }

    #[test]
    fn dates_subjects_and_keys_are_held_to_the_credential() {
        let k = key(Algorithm::ES256);
        let mut expired = badge();
        expired["validUntil"] = "2026-05-01T00:00:00Z".into();
        let c = verify(&issue(&expired, &k, None).unwrap(), None, NOW).unwrap();
        assert_eq!(ids(&c), vec!["VCDM-6.3.1-exp"]);
        let mut future = badge();
        future["validFrom"] = "2027-01-01T00:00:00Z".into();
        let c = verify(&issue(&future, &k, None).unwrap(), None, NOW).unwrap();
        assert_eq!(ids(&c), vec!["VCDM-6.3.1-nbf"]);
        // A private key in the header.
        let mut h = Map::new();
        h.insert("jwk".into(), serde_json::to_value(k.private_jwk()).unwrap());
        let jws = CompactJws::parse(&issue(&badge(), &k, None).unwrap()).unwrap();
        let leaked = crate::formats::jose::sign_compact(h, &jws.payload, &k).unwrap();
        assert!(ids(&verify(&leaked, None, NOW).unwrap()).contains(&"OB3-8.2-jose-header"));
        // A `kid` alone, not dereferenced: the signature is not judged, and not valid.
        let mut h = Map::new();
        h.insert("kid".into(), "did:ebsi:zexample#key-1".into());
        let kid_only = crate::formats::jose::sign_compact(h, &jws.payload, &k).unwrap();
        let c = verify(&kid_only, None, NOW).unwrap();
        assert_eq!(c.signature_verified, None);
        assert!(!c.valid());
    }

    #[test]
    fn a_revoked_badge_is_not_valid_and_an_unchecked_status_fails_closed() {
        let mut b = badge();
        b["credentialStatus"] = json!({
            "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": "9", "statusListCredential": "https://university.example.jp/status/1"
        });
        let k = key(Algorithm::ES256);
        let token = issue(&b, &k, None).unwrap();
        let mut bits = vec![0u8; crate::formats::bitstring_status::MIN_BYTES];
        let list = |bits: &[u8]| {
            json!({"credentialSubject": {"type": "BitstringStatusList",
            "statusPurpose": "revocation", "encodedList": crate::formats::bitstring_status::encode(bits)}})
        };
        let mut c = verify(&token, None, NOW).unwrap();
        check_status(&mut c, StatusCheck::List(&list(&bits)));
        assert!(c.valid(), "{:?}", c.violations);
        bits[1] = 0b0100_0000; // index 9
        let mut c = verify(&token, None, NOW).unwrap();
        check_status(&mut c, StatusCheck::List(&list(&bits)));
        assert_eq!(ids(&c), vec!["BSL-3-status"]);
        let mut c = verify(&token, None, NOW).unwrap();
        check_status(&mut c, StatusCheck::Unavailable);
        assert!(!c.valid());
        let mut c = verify(&token, None, NOW).unwrap();
        check_status(&mut c, StatusCheck::Skip);
        assert!(c.valid());
    }

    #[test]
    fn a_plain_vcdm_credential_needs_no_subject_or_id() {
        let vc = json!({
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential", "VerifiableAttestation"],
            "issuer": "did:ebsi:zuniversity",
            "issuanceDate": "2026-02-01T00:00:00Z",
            "credentialSubject": {"familyName": "Yamada"}
        });
        let k = key(Algorithm::ES256);
        let c = verify(&issue(&vc, &k, None).unwrap(), None, NOW).unwrap();
        assert!(!c.open_badge);
        assert!(c.valid(), "{:?}", c.violations);
        // Not a JWS at all: an error, not a report.
        assert!(verify("not.a.jws", None, NOW).is_err());
    }

    #[test]
    fn rs256_verifies_through_rsa_key_components() {
        // RFC 7515 appendix A.2: the RS256 example JWS and its key.
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
            "e": "AQAB"
        });
        let jws = CompactJws::parse(token).unwrap();
        assert!(
            verify_with_jwk(&jwk, "RS256", jws.signing_input.as_bytes(), &jws.signature).is_ok()
        );
        let mut sig = jws.signature.clone();
        sig[0] ^= 1;
        assert!(verify_with_jwk(&jwk, "RS256", jws.signing_input.as_bytes(), &sig).is_err());
    }
}
