//! `accord timestamp`: RFC 3161 time-stamps from the command line.
//!
//! - `accord timestamp request --data FILE --url URL [--out FILE] [--policy OID]` asks a TSA
//!   (RFC 3161 §3.4: an HTTP POST of `application/timestamp-query`) for a token over the
//!   file's SHA-256, checks the answer against the request (imprint, nonce, policy) and
//!   writes the token (DER `ContentInfo`).
//! - `accord timestamp verify TOKEN --data FILE [--tsa-cert PEM | --seed N] [--policy OID]
//!   [--json]` validates a token (or a whole `TimeStampResp`, as `openssl ts -reply` writes
//!   it) over the file as EN 319 102-1 orders it ([`crate::trust::tsp`]): trusting one TSA
//!   certificate (`--tsa-cert`), or judging the TSA through a directory of listed services:
//!   for now the seeded providers' lists (`--seed`), later the XML trusted lists, through
//!   [`verify_with_directory`].
//!
//! Exit codes, as `credential verify`'s: 0 TOTAL-PASSED; 1 TOTAL-FAILED or INDETERMINATE
//! (both are findings about the token; `credential verify` has no separate code for an
//! inconclusive finding, so neither has this); 2 bad usage or unreadable input; 3 the token
//! uses something Accord does not implement (a limit of the harness, not a verdict).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use super::CliError;
use super::io::{check_output, emit, parse_now, write_atomic};
use super::lists_arg::{ListsArgs, read_certificate};
use crate::files::{self, Limit};
use crate::formats::der::{self, tag};
use crate::trust::ades::{Outcome, ValidationReport};
use crate::trust::services::ServiceDirectory;
use crate::trust::tsp::{
    self, MAX_RESPONSE_BYTES, QUERY_MEDIA_TYPE, TimeStampReq, TimeStampResp, TstInfo,
};

/// The largest file Accord time-stamps or checks a token over (held in memory once).
const DATA: Limit = Limit {
    bytes: 256 << 20,
    what: "a file to time-stamp",
};
/// A token or a whole response.
const TOKEN: Limit = Limit {
    bytes: MAX_RESPONSE_BYTES as u64,
    what: "a time-stamp token",
};

#[derive(Debug, Subcommand)]
pub enum TimestampCommand {
    /// Validate an RFC 3161 time-stamp token over a file.
    Verify(VerifyArgs),
    /// Ask a TSA for a time-stamp token over a file.
    Request(RequestArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token (DER ContentInfo), or a DER TimeStampResp holding one.
    token: PathBuf,
    /// The time-stamped file.
    #[arg(long)]
    data: PathBuf,
    /// Trust this TSA certificate (PEM or DER) alone, and no list.
    #[arg(long, value_name = "PEM")]
    tsa_cert: Option<PathBuf>,
    /// Judge the TSA through the XML trusted lists named here (`--lotl`, `--trust-list`).
    #[command(flatten)]
    lists: ListsArgs,
    /// When the lists are judged (RFC 3339; their next update must not have passed); now
    /// when omitted.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// With neither a TSA certificate nor lists: judge the TSA through the lists of the
    /// seeded trust-service providers of this seed (`accord serve tsa --seed N` signs with
    /// them).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Require this TSA policy (a dotted OID).
    #[arg(long, value_name = "OID")]
    policy: Option<String>,
    /// Print the validation report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The file to time-stamp.
    #[arg(long)]
    data: PathBuf,
    /// The TSA's URL (`http://…` or `https://…`).
    #[arg(long)]
    url: String,
    /// Where to write the token (DER); standard output when omitted.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Ask for this TSA policy (reqPolicy).
    #[arg(long, value_name = "OID")]
    policy: Option<String>,
}

pub fn run(cmd: TimestampCommand) -> Result<ExitCode, CliError> {
    match cmd {
        TimestampCommand::Verify(a) => verify(a),
        TimestampCommand::Request(a) => request(a),
    }
}

fn read_bytes(path: &Path, limit: Limit) -> Result<Vec<u8>, CliError> {
    if path == Path::new("-") {
        files::read_from(std::io::stdin().lock(), Path::new("<stdin>"), limit)
    } else {
        files::read(path, limit)
    }
    .map_err(CliError::from)
}

/// The token in `bytes`: a ContentInfo as is, or the token of a granted TimeStampResp.
fn token_of(bytes: Vec<u8>, path: &Path) -> Result<Vec<u8>, CliError> {
    let first_is_oid = der::parse_one(&bytes, tag::SEQUENCE, "token")
        .and_then(|t| t.reader())
        .is_ok_and(|r| r.peek_tag() == Some(tag::OID));
    if first_is_oid {
        return Ok(bytes);
    }
    match TimeStampResp::parse(&bytes) {
        Ok(TimeStampResp { token: Some(t), .. }) => Ok(t),
        Ok(r) => Err(CliError::input(
            path,
            format!("a TimeStampResp without a token (status {})", r.status),
        )),
        // Not a response either: let the validator say what is wrong with it as a token.
        Err(_) => Ok(bytes),
    }
}

fn verify(a: VerifyArgs) -> Result<ExitCode, CliError> {
    let token = token_of(read_bytes(&a.token, TOKEN)?, &a.token)?;
    let data = read_bytes(&a.data, DATA)?;
    if let Some(p) = &a.policy {
        der::encode_oid(p).map_err(|e| CliError::Usage(format!("--policy: {e}")))?;
    }
    match &a.tsa_cert {
        Some(path) => {
            if a.lists.given() {
                return Err(CliError::Usage(
                    "--tsa-cert trusts one TSA without lists; give it or --lotl/--trust-list, not both".into(),
                ));
            }
            let cert = read_certificate(path)?;
            let report = tsp::validate_token_with_cert(&token, &data, &cert, a.policy.as_deref());
            finish(&report, &token, a.json)
        }
        None => {
            let at = parse_now(a.at.as_deref())?;
            let directory = match a.lists.directory(at)? {
                Some((directory, findings)) => {
                    // What the lists' readers found goes to stderr: the report on stdout
                    // stays the token's.
                    for f in findings {
                        eprintln!(
                            "list: {} [{}] {}",
                            f.requirement.id,
                            f.level().as_str(),
                            f.message
                        );
                    }
                    directory
                }
                None => {
                    let providers = crate::trust::tsp_pki::TrustServicePki::generate(a.seed)
                        .map_err(|e| CliError::Usage(e.to_string()))?;
                    tsp::seeded_directory(&providers)
                }
            };
            verify_with_directory(&token, &data, &directory, a.policy.as_deref(), a.json)
        }
    }
}

/// Validates `token` over `data` with the TSA judged through `directory`, prints the report
/// and returns the exit code. `--trust-list`/`--lotl` wiring builds the directory from the
/// XML lists and calls this.
pub(crate) fn verify_with_directory(
    token: &[u8],
    data: &[u8],
    directory: &ServiceDirectory,
    policy: Option<&str>,
    as_json: bool,
) -> Result<ExitCode, CliError> {
    let report = tsp::validate_token(token, data, directory, policy);
    finish(&report, token, as_json)
}

fn finish(report: &ValidationReport, token: &[u8], as_json: bool) -> Result<ExitCode, CliError> {
    let tst = crate::formats::cms::parse_signed_data(token)
        .ok()
        .and_then(|p| p.econtent.and_then(|c| TstInfo::parse(c).ok()));
    let text = if as_json {
        let mut value = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
        if let Some(obj) = value.as_object_mut() {
            obj.insert("indication".into(), json!(report.outcome.label()));
            obj.insert(
                "tst_info".into(),
                tst.as_ref()
                    .map(|t| {
                        json!({
                            "policy": t.policy,
                            "gen_time": t.gen_time_rfc3339(),
                            "serial": crate::events::hex(&t.serial),
                            "hash_algorithm": t.imprint.hash_algorithm,
                            "accuracy": t.accuracy,
                            "nonce": t.nonce.as_deref().map(crate::events::hex),
                        })
                    })
                    .unwrap_or(serde_json::Value::Null),
            );
        }
        format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        )
    } else {
        let mut out = format!("{}\n", report.outcome.label());
        if let Some(s) = &report.signer {
            out.push_str(&format!("  TSA       {s}\n"));
        }
        if let Some(t) = &tst {
            out.push_str(&format!("  genTime   {}\n", t.gen_time_rfc3339()));
            out.push_str(&format!("  policy    {}\n", t.policy));
        }
        if let Some(s) = &report.service {
            out.push_str(&format!(
                "  service   {} ({}), {}\n",
                s.service, s.territory, s.status
            ));
        }
        for step in &report.steps {
            out.push_str(&format!(
                "  {} {}  {}\n",
                if step.passed { "ok  " } else { "FAIL" },
                step.requirement,
                step.detail
            ));
        }
        out
    };
    emit(&text, None)?;
    Ok(match report.outcome {
        Outcome::Passed => ExitCode::SUCCESS,
        Outcome::Failed { .. } => ExitCode::from(1),
        Outcome::NotImplemented { .. } => ExitCode::from(3),
    })
}

fn request(a: RequestArgs) -> Result<ExitCode, CliError> {
    if let Some(out) = &a.out {
        check_output(out)?;
    }
    if let Some(p) = &a.policy {
        der::encode_oid(p).map_err(|e| CliError::Usage(format!("--policy: {e}")))?;
    }
    let data = read_bytes(&a.data, DATA)?;
    let req = TimeStampReq::for_data(
        &data,
        &mut crate::entropy::SystemEntropy,
        a.policy.as_deref(),
    );
    let url = a.url.clone();
    let fail = |m: String| CliError::Harness(format!("--url {url}: {m}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let reply = runtime.block_on(post(&a.url, req.to_der())).map_err(fail)?;
    let (token, verified) = tsp::read_response(&reply, &req, &data)
        .map_err(|e| CliError::NonConformant(format!("--url {}: {e}", a.url)))?;
    match &a.out {
        Some(path) => {
            write_atomic(path, &token)?;
            match &verified {
                Ok(v) => eprintln!(
                    "accord: time-stamp by {} at {} written to {}",
                    v.tsa_subject,
                    v.tst_info.gen_time_rfc3339(),
                    path.display()
                ),
                Err(_) => eprintln!("accord: time-stamp written to {}", path.display()),
            }
        }
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .lock()
                .write_all(&token)
                .map_err(|e| CliError::Harness(format!("writing the token: {e}")))?;
        }
    }
    match verified {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(f) => {
            eprintln!("accord: the token answers the request but does not verify: {f}");
            Ok(ExitCode::from(1))
        }
    }
}

/// POSTs `body` as `application/timestamp-query` (RFC 3161 §3.4), bounded in time and size.
async fn post(url: &str, body: Vec<u8>) -> Result<Vec<u8>, String> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut response = client
        .post(url)
        .header("content-type", QUERY_MEDIA_TYPE)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("answered HTTP {}", response.status()));
    }
    let mut reply = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        reply.extend_from_slice(&chunk);
        if reply.len() > MAX_RESPONSE_BYTES {
            return Err(format!("answered more than {MAX_RESPONSE_BYTES} bytes"));
        }
    }
    Ok(reply)
}
