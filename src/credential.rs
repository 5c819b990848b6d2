//! The credential core's two entry points, issue and verify, joining the formats, the trust
//! rules, the status list and the academic profiles. The CLI and the reference roles call
//! these; neither does any I/O here (status list tokens and trust lists are passed in).

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::entropy::Entropy;
use crate::formats::jose::{Jwk, SigningKey, VerifyingKey};
use crate::formats::sd_jwt::issue::{Decoys, IssueError, IssueRequest, issue};
use crate::formats::sd_jwt::json::JsonForm;
use crate::formats::sd_jwt::verify::{FixedIssuerKey, KbExpectation, VerifyOptions, verify};
use crate::formats::sd_jwt::{ClaimPath, HashAlg, SdJwt};
use crate::formats::sd_jwt_vc::{self, NEVER_DISCLOSABLE, TypMode};
use crate::formats::status_list::{self, BitOrder, StatusReference};
use crate::profiles::Profile;
use crate::requirements::{Violation, all_pass};
use crate::trust::resolver::{ChainResolver, TrustContext, TrustOutcome};
use crate::trust::trust_list::base64_std;

/// What to issue.
pub struct IssueInput<'a> {
    /// The academic profile, which sets `vct`, validates the claims and decides which claims
    /// are selectively disclosable. `None` issues a generic SD-JWT VC.
    pub profile: Option<Profile>,
    pub claims: Map<String, Value>,
    pub issuer_key: &'a SigningKey,
    /// `x5c`, leaf first, without the trust anchor.
    pub issuer_chain: Option<Vec<Vec<u8>>>,
    pub holder_key: Option<Jwk>,
    pub iat: i64,
    /// `iss`; when `None`, taken from the claims if they carry one.
    pub iss: Option<String>,
    pub status: Option<StatusReference>,
    /// Overrides the profile's choice of disclosable claims.
    pub disclosable: Option<Vec<ClaimPath>>,
    pub decoys: Decoys,
    /// Refuse claims that break the profile (turn off only to craft negative test input).
    pub enforce_profile: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IssueCredentialError {
    #[error("the claims do not meet the {profile} profile: {}", .violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Profile {
        profile: String,
        violations: Vec<Violation>,
    },
    #[error(transparent)]
    Issue(#[from] IssueError),
}

/// Issues an SD-JWT VC (`typ: dc+sd-jwt`).
pub fn issue_credential(
    input: IssueInput<'_>,
    entropy: &mut dyn Entropy,
) -> Result<SdJwt, IssueCredentialError> {
    let mut claims = Map::new();
    let iss = input.iss.clone().or_else(|| {
        input
            .claims
            .get("iss")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    if let Some(iss) = iss {
        claims.insert("iss".into(), json!(iss));
    }
    claims.insert("iat".into(), json!(input.iat));
    let vct = input
        .claims
        .get("vct")
        .cloned()
        .or_else(|| input.profile.map(|p| json!(p.vct())));
    if let Some(vct) = vct {
        claims.insert("vct".into(), vct);
    }
    if let Some(s) = &input.status {
        claims.insert(
            "status".into(),
            json!({"status_list": {"idx": s.idx, "uri": s.uri}}),
        );
    }
    for (k, v) in &input.claims {
        if !claims.contains_key(k) {
            claims.insert(k.clone(), v.clone());
        }
    }
    if input.enforce_profile
        && let Some(p) = input.profile
    {
        let violations: Vec<Violation> = p
            .validate(&claims)
            .into_iter()
            .filter(Violation::is_fatal)
            .collect();
        if !violations.is_empty() {
            return Err(IssueCredentialError::Profile {
                profile: p.name().to_owned(),
                violations,
            });
        }
    }
    let disclosable = match (&input.disclosable, input.profile) {
        (Some(d), _) => d.clone(),
        (None, Some(p)) => p.disclosable_paths(&claims),
        (None, None) => claims
            .keys()
            .filter(|k| !NEVER_DISCLOSABLE.contains(&k.as_str()) && *k != "iat")
            .map(|k| ClaimPath::root().key(k))
            .collect(),
    };
    let mut header = Map::new();
    header.insert("typ".into(), json!(sd_jwt_vc::TYP));
    if let Some(chain) = &input.issuer_chain {
        header.insert(
            "x5c".into(),
            json!(chain.iter().map(|d| base64_std(d)).collect::<Vec<_>>()),
        );
    }
    let request = IssueRequest {
        claims,
        disclosable,
        header,
        hash: HashAlg::Sha256,
        decoys: input.decoys,
        holder_key: input.holder_key,
    };
    Ok(issue(&request, input.issuer_key, entropy)?)
}

/// How the verifier finds and trusts the issuer's key.
pub enum IssuerTrust {
    /// A key given out of band: the chain and the trust lists are not consulted.
    Key(VerifyingKey),
    /// `x5c` validated against these trust lists (and an arrangement, if any).
    Lists(TrustContext),
}

/// What to do about `status`.
pub enum StatusInput {
    /// The status list token fetched for the credential; `None` means it could not be fetched.
    Token(Option<String>),
    /// Do not check status; the report says so.
    Skip,
    /// The token, read with the bits of each byte in the wrong order (most significant
    /// first): only for a deliberately flawed verifier build
    /// ([`crate::protocol::oid4vp::VerifierFlaw::StatusBitsMsbFirst`]).
    TokenMisread(Option<String>),
}

pub struct VerifyConfig {
    pub now: i64,
    pub skew: i64,
    pub key_binding: Option<KbExpectation>,
    pub typ_mode: TypMode,
    pub trust: IssuerTrust,
    pub status: StatusInput,
    /// Validate the claims against the profile that `vct` names.
    pub check_profile: bool,
}

/// The verifier's report: what `accord credential verify` prints.
#[derive(Debug, Serialize)]
pub struct CredentialReport {
    pub valid: bool,
    /// The verified claims, without digests and `_sd_alg`.
    pub claims: Map<String, Value>,
    pub violations: Vec<Violation>,
    /// `compact`, `json-flattened` or `json-general`.
    pub serialization: &'static str,
    pub header: Map<String, Value>,
    /// Claim paths revealed by the disclosures received.
    pub disclosed: Vec<String>,
    pub trust: Value,
    pub key_binding: Value,
    pub status: Value,
    pub profile: Option<&'static str>,
}

pub fn serialization_name(form: Option<JsonForm>) -> &'static str {
    match form {
        None => "compact",
        Some(JsonForm::Flattened) => "json-flattened",
        Some(JsonForm::General) => "json-general",
    }
}

/// Verifies an SD-JWT VC or a presentation of one.
pub fn verify_credential(
    sd: &SdJwt,
    form: Option<JsonForm>,
    config: &VerifyConfig,
) -> CredentialReport {
    let options = VerifyOptions {
        now: config.now,
        skew: config.skew,
        kb_max_age: 300,
        key_binding: config.key_binding.clone(),
    };
    let mut extra = Vec::new();
    let (verification, trust, anchor) = match &config.trust {
        IssuerTrust::Key(k) => {
            let v = verify(sd, &mut FixedIssuerKey(k.clone()), &options);
            (
                v,
                json!({"mode": "issuer-key", "chain": "skipped: --issuer-key given, no trust list consulted"}),
                None,
            )
        }
        IssuerTrust::Lists(ctx) => {
            let mut resolver = ChainResolver::new(ctx);
            let v = verify(sd, &mut resolver, &options);
            extra.extend(resolver.findings);
            let lists: Vec<Value> = ctx
                .lists
                .iter()
                .map(|l| json!({"jurisdiction": l.list.jurisdiction, "signer": l.signer, "signer_pinned": l.signer_pinned}))
                .collect();
            let outcome: Option<TrustOutcome> = resolver.outcome;
            let t = json!({"mode": "trust-list", "lists": lists, "path": outcome});
            (v, t, resolver.anchor)
        }
    };
    let mut verification = verification;
    let mut violations = std::mem::take(&mut verification.violations);
    violations.extend(extra);
    let mut status = json!({"checked": false});
    let mut profile_name = None;
    if verification.signature_verified {
        let kb_used = sd.kb_jwt.is_some() || config.key_binding.is_some();
        violations.extend(sd_jwt_vc::check(&verification, config.typ_mode, kb_used));
        status = check_status(&verification.claims, config, anchor, &mut violations);
        if let Some(p) = verification
            .claims
            .get("vct")
            .and_then(Value::as_str)
            .and_then(Profile::from_vct)
        {
            profile_name = Some(p.name());
            if config.check_profile {
                violations.extend(p.validate_presented(&verification.claims));
            }
        }
    }
    let key_binding = match (&sd.kb_jwt, &verification.kb) {
        (None, _) => json!({"present": false, "required": config.key_binding.is_some()}),
        (Some(_), Some(kb)) => {
            json!({"present": true, "required": config.key_binding.is_some(), "signature_verified": true, "payload": kb})
        }
        (Some(_), None) => {
            json!({"present": true, "required": config.key_binding.is_some(), "signature_verified": false})
        }
    };
    CredentialReport {
        valid: verification.signature_verified && all_pass(&violations),
        claims: if verification.signature_verified {
            verification.claims
        } else {
            Map::new()
        },
        violations,
        serialization: serialization_name(form),
        header: verification.header,
        // Sorted: the order digests are met in follows their (salted, random) values, and a
        // report must not change with the salts.
        disclosed: {
            let mut paths: Vec<String> = verification
                .disclosed
                .iter()
                .map(ToString::to_string)
                .collect();
            paths.sort();
            paths
        },
        trust,
        key_binding,
        status,
        profile: profile_name,
    }
}

/// Checks `status` (Token Status List §8.3). With trust lists, the status list token must be
/// signed under the same trust-list entry as the credential (`anchor`) by a certificate that
/// names the credential's issuer; with `--issuer-key`, by that key.
fn check_status(
    claims: &Map<String, Value>,
    config: &VerifyConfig,
    anchor: Option<(usize, usize)>,
    violations: &mut Vec<Violation>,
) -> Value {
    let reference = match StatusReference::from_claims(claims) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return json!({"checked": false, "reason": "the credential has no status claim"});
        }
        Err(v) => {
            violations.push(v);
            return json!({"checked": false, "reason": "malformed status claim"});
        }
    };
    let (token, order) = match &config.status {
        StatusInput::Skip => {
            return json!({"checked": false, "reason": "skipped on request (--no-status-check)", "idx": reference.idx, "uri": reference.uri});
        }
        StatusInput::Token(t) => (t.as_deref(), BitOrder::LsbFirst),
        StatusInput::TokenMisread(t) => (t.as_deref(), BitOrder::MsbFirst),
    };
    let check = match &config.trust {
        IssuerTrust::Key(k) => status_list::check_in(
            &reference,
            token,
            &mut FixedIssuerKey(k.clone()),
            config.now,
            order,
        ),
        IssuerTrust::Lists(ctx) => match anchor {
            Some(anchor) => {
                let iss = claims.get("iss").and_then(Value::as_str).map(str::to_owned);
                let mut r = ChainResolver::for_status_list(ctx, anchor, iss);
                status_list::check_in(&reference, token, &mut r, config.now, order)
            }
            // Unreachable in practice: claims exist only once the chain validated.
            None => status_list::check(&reference, None, &mut NoKey, config.now),
        },
    };
    violations.extend(check.violations);
    json!({
        "checked": true,
        "idx": reference.idx,
        "uri": reference.uri,
        "status": check.status.map(status_list::status_name),
    })
}

/// Refuses every key; used where no trusted key can exist.
struct NoKey;

impl crate::formats::sd_jwt::verify::IssuerKeyResolver for NoKey {
    fn resolve(
        &mut self,
        _jws: &crate::formats::jose::CompactJws,
    ) -> Result<VerifyingKey, Vec<Violation>> {
        Err(Vec::new())
    }
}
