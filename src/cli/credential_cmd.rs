//! `accord credential issue | present | verify | inspect`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};

use super::io::{CliError, emit, parse_now, read_json, read_text};
use crate::credential::{
    IssueCredentialError, IssueInput, IssuerTrust, StatusInput, VerifyConfig, issue_credential,
    verify_credential,
};
use crate::entropy::{Entropy, SeededEntropy, SystemEntropy};
use crate::files;
use crate::formats::jose::{Jwk, SigningKey, VerifyingKey};
use crate::formats::sd_jwt::issue::Decoys;
use crate::formats::sd_jwt::json::{JsonForm, parse_any, to_json};
use crate::formats::sd_jwt::present::{KeyBinding, holder_view, present};
use crate::formats::sd_jwt::verify::KbExpectation;
use crate::formats::sd_jwt::{ClaimPath, Disclosure, SdJwt};
use crate::formats::sd_jwt_vc::TypMode;
use crate::formats::status_list::StatusReference;
use crate::profiles::Profile;
use crate::trust::mra::Arrangement;
use crate::trust::pki::parse_pem_certs;
use crate::trust::resolver::TrustContext;
use crate::trust::trust_list;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Serialization {
    Compact,
    JsonFlattened,
    JsonGeneral,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    EuDiploma,
    JpDegree,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JurisdictionArg {
    Eu,
    Jp,
}

#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Issue an SD-JWT VC (typ dc+sd-jwt) for a profile from a JSON claims file.
    Issue(IssueArgs),
    /// Make a presentation: keep the disclosures for the chosen claim paths and add a
    /// key-binding JWT for --aud and --nonce.
    Present(PresentArgs),
    /// Verify an issued SD-JWT VC or a presentation; prints one JSON object
    /// {"valid", "claims", "violations", ...}; exits 0 valid, 1 invalid, 2 bad input.
    Verify(VerifyArgs),
    /// Decode a credential or presentation without verifying it: header, payload,
    /// disclosures with their digests and claim paths, KB-JWT.
    Inspect {
        /// The credential (compact or JSON serialisation); `-` reads standard input.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The credential profile: its `vct`, the claims it requires and validates, and which
    /// claims are selectively disclosable.
    #[arg(long, value_enum)]
    profile: ProfileArg,
    /// JSON object with the credential's claims (an example per profile: docs/credentials.md).
    #[arg(long)]
    claims: PathBuf,
    /// The issuer's private key, JWK (EC P-256 / P-384 or Ed25519).
    #[arg(long)]
    issuer_key: PathBuf,
    /// PEM chain for `x5c`, leaf first, without the root (e.g. eu/issuer-chain.pem).
    #[arg(long)]
    issuer_cert: Option<PathBuf>,
    /// The holder's key, JWK (public or private; only the public part is used), for `cnf`.
    #[arg(long)]
    holder_key: PathBuf,
    /// `iss`; defaults to the claims' `iss`, then to the leaf certificate's first SAN URI.
    #[arg(long)]
    iss: Option<String>,
    /// Issuance time (RFC 3339) for `iat`; defaults to the system clock.
    #[arg(long)]
    now: Option<String>,
    /// Seed for salts and decoys (reproducible issuance); random when omitted.
    #[arg(long)]
    seed: Option<u64>,
    /// Reference a Token Status List: its URI (needs --status-index).
    #[arg(long, requires = "status_index")]
    status_uri: Option<String>,
    /// Index in the status list (needs --status-uri).
    #[arg(long, requires = "status_uri")]
    status_index: Option<u64>,
    /// Up to this many decoy digests per object or array with disclosable claims.
    #[arg(long, default_value_t = 2)]
    decoys: u8,
    /// The SD-JWT serialisation to write: compact (`~`-separated) or JSON (RFC 9901 §8).
    #[arg(long, value_enum, default_value = "compact")]
    serialization: Serialization,
    /// Issue even if the claims break the profile (to craft negative test input).
    #[arg(long)]
    no_profile_check: bool,
    /// Write here (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PresentArgs {
    /// The issued credential; `-` reads standard input.
    credential: PathBuf,
    /// The holder's private key, JWK; needed for key binding.
    #[arg(long)]
    holder_key: Option<PathBuf>,
    /// Claim paths to disclose, dotted (`qualification.eqf_level`, `nationalities.0`);
    /// a path discloses everything beneath it.
    #[arg(long, num_args = 1..)]
    disclose: Vec<String>,
    /// Verifier nonce for the KB-JWT.
    #[arg(long, requires = "aud")]
    nonce: Option<String>,
    /// Audience for the KB-JWT (for OpenID4VP, the verifier's full client_id).
    #[arg(long, requires = "nonce")]
    aud: Option<String>,
    /// KB-JWT `iat` (RFC 3339); defaults to the system clock.
    #[arg(long)]
    now: Option<String>,
    /// Output serialisation; defaults to the credential's.
    #[arg(long, value_enum)]
    serialization: Option<Serialization>,
    /// Write here (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
// An SD-JWT VC needs `--trust-list` or `--issuer-key` (checked in `verify_cmd`); a VC-JWT
// may carry its key in its header.
#[command(group(clap::ArgGroup::new("trust").args(["trust_list", "issuer_key"])))]
pub struct VerifyArgs {
    /// The credential or presentation (compact or JSON); `-` reads standard input.
    file: PathBuf,
    /// A signed trust list (repeatable); the issuer's `x5c` must chain to one of its anchors.
    #[arg(long)]
    trust_list: Vec<PathBuf>,
    /// The issuer's public key, JWK: skips the certificate chain and trust lists (the output
    /// says so).
    #[arg(long)]
    issuer_key: Option<PathBuf>,
    /// Pin trust-list operator certificates (PEM); lists signed by others are refused.
    #[arg(long)]
    tl_signer: Vec<PathBuf>,
    /// The EU–JP arrangement (mra.json) deciding which lists and types this verifier accepts.
    #[arg(long, requires = "verifier_jurisdiction")]
    mra: Option<PathBuf>,
    /// The verifier's jurisdiction under --mra.
    #[arg(long, value_enum)]
    verifier_jurisdiction: Option<JurisdictionArg>,
    /// Expected KB-JWT nonce; with --aud, key binding is required.
    #[arg(long, requires = "aud")]
    nonce: Option<String>,
    /// Expected KB-JWT audience.
    #[arg(long, requires = "nonce")]
    aud: Option<String>,
    /// Verification time (RFC 3339); defaults to the system clock.
    #[arg(long)]
    now: Option<String>,
    /// Allowed clock skew in seconds for exp, nbf and iat.
    #[arg(long, default_value_t = 300)]
    skew: u32,
    /// Accept the legacy `typ: vc+sd-jwt`, reporting it.
    #[arg(long)]
    lenient: bool,
    /// The status list token the credential's `status` points at. Without it (or
    /// --no-status-check) a credential with a status reference fails closed.
    #[arg(long, conflicts_with = "no_status_check")]
    status_list: Option<PathBuf>,
    /// Do not check status; the output says it was skipped.
    #[arg(long)]
    no_status_check: bool,
    /// Do not validate the claims against the academic profile named by `vct`.
    #[arg(long)]
    no_profile_check: bool,
    /// A JSON-LD context a Data Integrity credential names and Accord does not bundle, as
    /// URL=FILE (repeatable); no context is ever fetched from the network.
    #[arg(long = "context", value_name = "URL=FILE")]
    contexts: Vec<String>,
    /// Also assess recognition as a verifier in this jurisdiction would (EU↔JP mapping).
    #[arg(long, value_enum)]
    recognise: Option<JurisdictionArg>,
}

pub fn run(cmd: CredentialCommand) -> Result<ExitCode, CliError> {
    match cmd {
        CredentialCommand::Issue(a) => issue_cmd(a),
        CredentialCommand::Present(a) => present_cmd(a),
        CredentialCommand::Verify(a) => verify_cmd(a),
        CredentialCommand::Inspect { file } => inspect_cmd(&file),
    }
}

fn read_jwk(path: &Path) -> Result<Jwk, CliError> {
    read_json(path, "JWK", files::KEY)
}

fn read_signing_key(path: &Path) -> Result<SigningKey, CliError> {
    SigningKey::from_jwk(&read_jwk(path)?).map_err(|e| CliError::input(path, e))
}

fn read_credential(path: &Path) -> Result<(SdJwt, Option<JsonForm>), CliError> {
    let text = read_text(path, files::CREDENTIAL)?;
    parse_any(&text).map_err(|e| CliError::input(path, e))
}

fn render(sd: &SdJwt, form: Option<JsonForm>) -> Result<String, CliError> {
    match form {
        None => Ok(format!("{}\n", sd.to_compact())),
        Some(f) => {
            let v = to_json(sd, f).map_err(|e| CliError::Usage(e.to_string()))?;
            Ok(format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ))
        }
    }
}

fn form_of(s: Serialization) -> Option<JsonForm> {
    match s {
        Serialization::Compact => None,
        Serialization::JsonFlattened => Some(JsonForm::Flattened),
        Serialization::JsonGeneral => Some(JsonForm::General),
    }
}

fn entropy_for(seed: Option<u64>) -> Box<dyn Entropy> {
    match seed {
        Some(s) => Box::new(SeededEntropy::new(s, "credential-issue")),
        None => Box::new(SystemEntropy),
    }
}

fn issue_cmd(a: IssueArgs) -> Result<ExitCode, CliError> {
    let profile = match a.profile {
        ProfileArg::EuDiploma => Profile::EuDiploma,
        ProfileArg::JpDegree => Profile::JpDegree,
    };
    let claims: Value = read_json(&a.claims, "claims file (JSON)", files::JSON)?;
    let Value::Object(claims) = claims else {
        return Err(CliError::input(
            &a.claims,
            "the claims file must hold a JSON object",
        ));
    };
    let issuer_key = read_signing_key(&a.issuer_key)?;
    let holder = read_jwk(&a.holder_key)?;
    let holder =
        VerifyingKey::from_jwk(&holder.public()).map_err(|e| CliError::input(&a.holder_key, e))?;
    let chain = match &a.issuer_cert {
        Some(p) => {
            let chain = parse_pem_certs(&read_text(p, files::CERTIFICATES)?)
                .map_err(|e| CliError::input(p, e))?;
            check_leaf_key(p, &chain[0], &issuer_key)?;
            Some(chain)
        }
        None => None,
    };
    let iss = a.iss.clone().or_else(|| {
        if claims.contains_key("iss") {
            return None;
        }
        chain.as_ref().and_then(|c| leaf_san_uri(&c[0]))
    });
    let now = parse_now(a.now.as_deref())?;
    let status = match (&a.status_uri, a.status_index) {
        (Some(uri), Some(idx)) => Some(StatusReference {
            idx,
            uri: uri.clone(),
        }),
        _ => None,
    };
    let input = IssueInput {
        profile: Some(profile),
        claims,
        issuer_key: &issuer_key,
        issuer_chain: chain,
        holder_key: Some(holder.jwk().clone()),
        iat: now,
        iss,
        status,
        disclosable: None,
        decoys: if a.decoys == 0 {
            Decoys::None
        } else {
            Decoys::UpTo(a.decoys)
        },
        enforce_profile: !a.no_profile_check,
    };
    let sd = issue_credential(input, entropy_for(a.seed).as_mut()).map_err(|e| match e {
        IssueCredentialError::Profile { .. } => {
            CliError::NonConformant(format!("{}: {e}", a.claims.display()))
        }
        IssueCredentialError::Issue(i) => CliError::input(&a.claims, i),
    })?;
    emit(&render(&sd, form_of(a.serialization))?, a.output.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

fn check_leaf_key(path: &Path, leaf: &[u8], key: &SigningKey) -> Result<(), CliError> {
    let cert = crate::trust::x5c::Cert { der: leaf.to_vec() };
    let parsed = cert
        .parse()
        .map_err(|e| CliError::input(path, format!("first certificate: {e}")))?;
    let leaf_key = crate::trust::x5c::public_key(&parsed).map_err(|e| CliError::input(path, e))?;
    if leaf_key.jwk().x != key.public_jwk().x || leaf_key.jwk().y != key.public_jwk().y {
        return Err(CliError::input(
            path,
            "the first (leaf) certificate does not certify --issuer-key",
        ));
    }
    Ok(())
}

fn leaf_san_uri(der: &[u8]) -> Option<String> {
    let cert = crate::trust::x5c::Cert { der: der.to_vec() };
    let parsed = cert.parse().ok()?;
    crate::trust::x5c::subject_alt_names(&parsed)
        .0
        .into_iter()
        .next()
}

fn present_cmd(a: PresentArgs) -> Result<ExitCode, CliError> {
    let (sd, form) = read_credential(&a.credential)?;
    let mut paths = Vec::with_capacity(a.disclose.len());
    for d in &a.disclose {
        paths.push(
            ClaimPath::parse_dotted(d).map_err(|e| CliError::Usage(format!("--disclose: {e}")))?,
        );
    }
    let key = match &a.holder_key {
        Some(p) => Some(read_signing_key(p)?),
        None => None,
    };
    let kb = match (&a.nonce, &a.aud) {
        (Some(nonce), Some(aud)) => {
            let Some(key) = key.as_ref() else {
                return Err(CliError::Usage(
                    "--nonce and --aud need --holder-key to sign the KB-JWT".into(),
                ));
            };
            Some(KeyBinding {
                holder_key: key,
                aud: aud.clone(),
                nonce: nonce.clone(),
                iat: parse_now(a.now.as_deref())?,
            })
        }
        _ => None,
    };
    let presentation = present(&sd, &paths, kb).map_err(|e| match e {
        crate::formats::sd_jwt::present::PresentError::NoSuchClaim(_) => {
            CliError::Usage(format!("--disclose: {e}"))
        }
        other => CliError::input(&a.credential, other),
    })?;
    let form = a.serialization.map_or(form, form_of);
    emit(&render(&presentation, form)?, a.output.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

fn verify_cmd(a: VerifyArgs) -> Result<ExitCode, CliError> {
    if let Some(code) = verify_data_integrity(&a)? {
        return Ok(code);
    }
    if let Some(code) = verify_vc_jwt(&a)? {
        return Ok(code);
    }
    if a.trust_list.is_empty() && a.issuer_key.is_none() {
        return Err(CliError::Usage(
            "an SD-JWT VC is verified under --trust-list FILE (its x5c chains to a listed issuer) or --issuer-key JWK"
                .into(),
        ));
    }
    let (sd, form) = read_credential(&a.file)?;
    let now = parse_now(a.now.as_deref())?;
    let trust = match &a.issuer_key {
        Some(p) => {
            let jwk = read_jwk(p)?;
            IssuerTrust::Key(
                VerifyingKey::from_jwk(&jwk.public()).map_err(|e| CliError::input(p, e))?,
            )
        }
        None => {
            let mut pinned = Vec::new();
            for p in &a.tl_signer {
                pinned.extend(
                    parse_pem_certs(&read_text(p, files::CERTIFICATES)?)
                        .map_err(|e| CliError::input(p, e))?,
                );
            }
            let mut lists = Vec::new();
            for p in &a.trust_list {
                let token = read_text(p, files::TRUST_LIST)?;
                let verified = if pinned.is_empty() {
                    trust_list::verify(&token, None, now)
                } else {
                    pinned
                        .iter()
                        .map(|pin| trust_list::verify(&token, Some(pin), now))
                        .find(Result::is_ok)
                        .unwrap_or_else(|| trust_list::verify(&token, Some(&pinned[0]), now))
                };
                let verified = verified.map_err(|v| {
                    CliError::input(
                        p,
                        v.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })?;
                lists.push(verified);
            }
            let arrangement = match (&a.mra, a.verifier_jurisdiction) {
                (Some(p), Some(j)) => {
                    let mra: Arrangement = read_json(p, "arrangement (mra.json)", files::JSON)?;
                    Some((
                        mra,
                        if j == JurisdictionArg::Eu { "EU" } else { "JP" }.to_owned(),
                    ))
                }
                _ => None,
            };
            IssuerTrust::Lists(TrustContext {
                lists,
                arrangement,
                now,
            })
        }
    };
    let status = if a.no_status_check {
        StatusInput::Skip
    } else {
        match &a.status_list {
            Some(p) => StatusInput::Token(Some(read_text(p, files::STATUS_LIST)?)),
            None => StatusInput::Token(None),
        }
    };
    let config = VerifyConfig {
        now,
        skew: i64::from(a.skew),
        key_binding: match (&a.nonce, &a.aud) {
            (Some(n), Some(aud)) => Some(KbExpectation {
                aud: aud.clone(),
                nonce: n.clone(),
            }),
            _ => None,
        },
        typ_mode: if a.lenient {
            TypMode::Lenient
        } else {
            TypMode::Strict
        },
        trust,
        status,
        check_profile: !a.no_profile_check,
    };
    let report = verify_credential(&sd, form, &config);
    let mut out = serde_json::to_value(&report).unwrap_or_else(|_| json!({}));
    if let Some(j) = a.recognise
        && report.valid
        && let Value::Object(m) = &mut out
    {
        let recognition = match j {
            JurisdictionArg::Eu => crate::profiles::recognition::recognise_jp_in_eu(&report.claims),
            JurisdictionArg::Jp => crate::profiles::recognition::recognise_eu_in_jp(&report.claims),
        };
        m.insert(
            "recognition".into(),
            serde_json::to_value(&recognition).unwrap_or(Value::Null),
        );
    }
    emit(
        &format!(
            "{}\n",
            serde_json::to_string_pretty(&out).unwrap_or_default()
        ),
        None,
    )?;
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The bundled contexts plus each `URL=FILE` of `--context`.
fn contexts_arg(given: &[String]) -> Result<crate::formats::data_integrity::Contexts, CliError> {
    let mut contexts = crate::formats::data_integrity::Contexts::bundled().clone();
    for pair in given {
        let Some((url, file)) = pair.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--context {pair}: expected URL=FILE"
            )));
        };
        let path = PathBuf::from(file);
        let text = read_text(&path, files::JSON)?;
        contexts = contexts
            .with(url, &text)
            .map_err(|e| CliError::input(&path, e))?;
    }
    Ok(contexts)
}

/// The `--status-list` credential (JSON) and how a Bitstring Status List entry is then checked:
/// against it, skipped with `--no-status-check`, else failed closed.
fn bitstring_status_arg(a: &VerifyArgs) -> Result<(Option<Value>, bool), CliError> {
    let list: Option<Value> = match &a.status_list {
        Some(p) => Some(read_json(p, "status list credential", files::STATUS_LIST)?),
        None => None,
    };
    Ok((list, a.no_status_check))
}

fn status_check(list: Option<&Value>, skip: bool) -> crate::formats::vc_jwt::StatusCheck<'_> {
    match (list, skip) {
        (_, true) => crate::formats::vc_jwt::StatusCheck::Skip,
        (Some(l), false) => crate::formats::vc_jwt::StatusCheck::List(l),
        (None, false) => crate::formats::vc_jwt::StatusCheck::Unavailable,
    }
}

/// What the output says of a W3C credential's status.
fn status_said(credential: &Value, list_given: bool, skip: bool) -> &'static str {
    if credential.get("credentialStatus").is_none() {
        "none (the credential has no status entry)"
    } else if skip {
        "skipped (--no-status-check)"
    } else if list_given {
        "checked against --status-list"
    } else {
        "not checked: no status list credential given (--status-list FILE)"
    }
}

fn violations_json(violations: &[crate::requirements::Violation]) -> Vec<Value> {
    violations
        .iter()
        .map(|v| {
            json!({
                "requirement": v.requirement.id,
                "level": v.level().as_str(),
                "message": v.message,
                "location": v.location,
            })
        })
        .collect()
}

/// Prints a JSON object (a verdict, or what `inspect` decoded); the exit code is 0 when
/// `valid`, 1 when not.
fn print_verdict(out: &Value, valid: bool) -> Result<Option<ExitCode>, CliError> {
    emit(
        &format!(
            "{}\n",
            serde_json::to_string_pretty(out).unwrap_or_default()
        ),
        None,
    )?;
    Ok(Some(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }))
}

/// A credential secured with a Data Integrity proof (an Open Badges 3.0 credential with an
/// `eddsa-rdfc-2022` proof, any VCDM 2.0 credential): a JSON-LD object with `@context` and
/// `proof`. `None` when the file is not one. The key is `--issuer-key` (a Multikey string, a
/// verification method with `publicKeyMultibase`, or an Ed25519 JWK) or the `did:key` the
/// proof names; any other method is not dereferenced, and the output says so.
fn verify_data_integrity(a: &VerifyArgs) -> Result<Option<ExitCode>, CliError> {
    let text = read_text(&a.file, files::CREDENTIAL)?;
    let Ok(doc) = serde_json::from_str::<Value>(text.trim()) else {
        return Ok(None);
    };
    if !crate::formats::data_integrity::is_secured_document(&doc) {
        return Ok(None);
    }
    let key: Option<Value> = match &a.issuer_key {
        Some(p) => Some(read_json(p, "issuer key (Multikey or JWK)", files::KEY)?),
        None => None,
    };
    let contexts = contexts_arg(&a.contexts)?;
    let mut checked = crate::formats::data_integrity::verify(&doc, key.as_ref(), &contexts)
        .map_err(|e| CliError::input(&a.file, e))?;
    let (list, skip) = bitstring_status_arg(a)?;
    let status = status_check(list.as_ref(), skip);
    let found =
        crate::formats::vc_jwt::status_violations(&checked.document, status, "credentialStatus");
    checked.violations.extend(found);
    let out = json!({
        "valid": checked.valid(),
        "format": if checked.open_badge {
            "Open Badges 3.0, Data Integrity proof"
        } else {
            "ldp_vc (Data Integrity proof)"
        },
        "signature": match (checked.signature_verified, &checked.not_checked) {
            (Some(true), _) => "verified".to_owned(),
            (Some(false), _) => "does not verify".to_owned(),
            (None, Some(why)) => format!("not verified: {why}"),
            (None, None) => "not verified".to_owned(),
        },
        "verification_method": checked.verification_method,
        "status": status_said(&checked.document, list.is_some(), skip),
        "credential": checked.document,
        "violations": violations_json(&checked.violations),
    });
    print_verdict(&out, checked.valid())
}

/// A JWT-secured credential (`jwt_vc_json`, an Open Badges 3.0 VC-JWT): a compact JWS, no
/// disclosures, whose payload carries a `vc` claim. `None` when the file is not one (it is
/// then read as an SD-JWT VC). The issuer's key is `--issuer-key` (a JWK of any type, RSA
/// included), else the header's `jwk`; a `kid` alone is not dereferenced (network), and the
/// output says the signature was not verified.
fn verify_vc_jwt(a: &VerifyArgs) -> Result<Option<ExitCode>, CliError> {
    let text = read_text(&a.file, files::CREDENTIAL)?;
    let token = text.trim();
    if token.contains('~') || token.split('.').count() != 3 {
        return Ok(None);
    }
    let Ok(jws) = crate::formats::jose::CompactJws::parse(token) else {
        return Ok(None);
    };
    if !jws.payload.contains_key("vc") {
        return Ok(None);
    }
    let now = parse_now(a.now.as_deref())?;
    let key: Option<Value> = match &a.issuer_key {
        Some(p) => Some(read_json(p, "JWK", files::KEY)?),
        None => None,
    };
    let mut checked = crate::formats::vc_jwt::verify(token, key.as_ref(), now)
        .map_err(|e| CliError::input(&a.file, e))?;
    // A Bitstring Status List entry: checked against --status-list (the list credential as
    // JSON), skipped with --no-status-check, else failed closed.
    let (list, skip) = bitstring_status_arg(a)?;
    let status = status_check(list.as_ref(), skip);
    crate::formats::vc_jwt::check_status(&mut checked, status);
    let out = json!({
        "valid": checked.valid(),
        "format": if checked.open_badge { "Open Badges 3.0 VC-JWT" } else { "jwt_vc_json" },
        "signature": match checked.signature_verified {
            Some(true) => "verified",
            Some(false) => "does not verify",
            None => "not verified: the key is named by `kid` only; pass it with --issuer-key",
        },
        "status": status_said(&checked.credential, list.is_some(), skip),
        "credential": checked.credential,
        "violations": violations_json(&checked.violations),
    });
    print_verdict(&out, checked.valid())
}

fn inspect_cmd(path: &Path) -> Result<ExitCode, CliError> {
    let text = read_text(path, files::CREDENTIAL)?;
    let token = text.trim();
    // A Data Integrity credential: its proof, and the canonical N-Quads its signature covers
    // (computed with the bundled contexts), nothing verified.
    if let Ok(doc) = serde_json::from_str::<Value>(token)
        && crate::formats::data_integrity::is_secured_document(&doc)
    {
        let mut unsecured = doc.clone();
        let proof = unsecured
            .as_object_mut()
            .and_then(|m| m.remove("proof"))
            .unwrap_or(Value::Null);
        let canonical = crate::formats::data_integrity::rdfc::canonical_nquads(
            &unsecured,
            crate::formats::data_integrity::Contexts::bundled(),
        );
        let out = json!({
            "format": "ldp_vc (Data Integrity proof)",
            "verified": false,
            "note": "decoded only: nothing here has been verified; use `accord credential verify`",
            "proof": proof,
            "canonical_document": match canonical {
                Ok(nquads) => Value::String(nquads),
                Err(e) => json!({"error": e.to_string()}),
            },
            "credential": unsecured,
        });
        print_verdict(&out, true)?;
        return Ok(ExitCode::SUCCESS);
    }
    // A JWT-secured credential (no disclosures): its header, claims and credential as they
    // are, nothing verified.
    if !token.contains('~')
        && let Ok(jws) = crate::formats::jose::CompactJws::parse(token)
        && jws.payload.contains_key("vc")
    {
        let out = json!({
            "format": "jwt_vc_json",
            "verified": false,
            "header": jws.header,
            "payload": jws.payload,
        });
        print_verdict(&out, true)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (sd, form) = read_credential(path)?;
    let jws = crate::formats::jose::CompactJws::parse(&sd.issuer_jwt)
        .map_err(|e| CliError::input(path, format!("issuer-signed JWT: {e}")))?;
    let view = holder_view(&sd).ok();
    let hash = view
        .as_ref()
        .map(|v| v.hash)
        .unwrap_or(crate::formats::sd_jwt::HashAlg::Sha256);
    let mut disclosures = Vec::new();
    for (i, d) in sd.disclosures.iter().enumerate() {
        let mut entry = Map::new();
        entry.insert("index".into(), json!(i));
        entry.insert("digest".into(), json!(hash.digest_b64(d)));
        match Disclosure::parse(d) {
            Ok(p) => {
                entry.insert("salt".into(), json!(p.salt));
                entry.insert("name".into(), json!(p.name));
                entry.insert("value".into(), p.value);
                let path = view
                    .as_ref()
                    .and_then(|v| v.paths.get(i).cloned().flatten());
                entry.insert("path".into(), json!(path.map(|p| p.to_string())));
            }
            Err(e) => {
                entry.insert("error".into(), json!(e));
            }
        }
        disclosures.push(Value::Object(entry));
    }
    let kb = sd
        .kb_jwt
        .as_ref()
        .map(|k| match crate::formats::jose::CompactJws::parse(k) {
            Ok(j) => json!({"header": j.header, "payload": j.payload}),
            Err(e) => json!({"error": e.to_string()}),
        });
    let out = json!({
        "verified": false,
        "note": "decoded only: nothing here has been verified; use `accord credential verify`",
        "serialization": crate::credential::serialization_name(form),
        "header": jws.header,
        "payload": jws.payload,
        "disclosures": disclosures,
        "claims_with_all_disclosures": view.map(|v| Value::Object(v.claims)),
        "kb_jwt": kb,
    });
    emit(
        &format!(
            "{}\n",
            serde_json::to_string_pretty(&out).unwrap_or_default()
        ),
        None,
    )?;
    Ok(ExitCode::SUCCESS)
}
