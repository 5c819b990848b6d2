//! `accord status-list build | inspect`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Value, json};

use super::io::{CliError, emit, parse_now, read_json, read_text};
use crate::files;
use crate::formats::jose::{CompactJws, Jwk, SigningKey};
use crate::formats::status_list::{StatusList, TokenParams, sign_token, status_name};
use crate::trust::pki::parse_pem_certs;
use crate::trust::trust_list::base64_std;

/// `inspect` lists at most this many non-VALID entries (and counts them all).
const INSPECT_LIMIT: usize = 10_000;
/// `build` makes lists of at most this many entries (16 Mi: 2 MiB at one bit each).
const MAX_SIZE: usize = 16 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// Build and sign a status list token (typ statuslist+jwt).
    Build {
        /// Bits per status: 1, 2, 4 or 8.
        #[arg(long, default_value_t = 1)]
        bits: u8,
        /// Number of entries.
        #[arg(long)]
        size: usize,
        /// Set a status: INDEX=VALUE (VALUE 0 valid, 1 invalid, 2 suspended, or a number).
        #[arg(long = "set", value_name = "INDEX=VALUE")]
        set: Vec<String>,
        /// `sub`: the URI credentials use to reference this list.
        #[arg(long)]
        uri: String,
        /// Signing key, private JWK.
        #[arg(long)]
        key: PathBuf,
        /// PEM chain for `x5c`, leaf first.
        #[arg(long)]
        cert: Option<PathBuf>,
        /// `iat` (RFC 3339); defaults to the system clock.
        #[arg(long)]
        now: Option<String>,
        /// `exp` as seconds after `iat`.
        #[arg(long)]
        valid_for: Option<i64>,
        /// `ttl` in seconds.
        #[arg(long)]
        ttl: Option<u64>,
        /// Write the token here (atomically) instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Decode a status list token (not verified) and show statuses.
    Inspect {
        /// The status list token (a compact JWS); `-` reads standard input.
        file: PathBuf,
        /// Show these indices (default: every non-VALID entry).
        #[arg(long)]
        index: Vec<u64>,
    },
}

pub fn run(cmd: StatusCommand) -> Result<ExitCode, CliError> {
    match cmd {
        StatusCommand::Build {
            bits,
            size,
            set,
            uri,
            key,
            cert,
            now,
            valid_for,
            ttl,
            output,
        } => {
            if size == 0 || size > MAX_SIZE {
                return Err(CliError::Usage(format!(
                    "--size {size}: must be between 1 and {MAX_SIZE}"
                )));
            }
            let mut list =
                StatusList::new(bits, size).map_err(|e| CliError::Usage(format!("--bits: {e}")))?;
            for s in &set {
                let (i, v) = s
                    .split_once('=')
                    .ok_or_else(|| CliError::Usage(format!("--set {s:?}: expected INDEX=VALUE")))?;
                let i: u64 = i
                    .trim()
                    .parse()
                    .map_err(|_| CliError::Usage(format!("--set {s:?}: index is not a number")))?;
                let v: u8 = match v.trim() {
                    "valid" => 0,
                    "invalid" => 1,
                    "suspended" => 2,
                    n => n.parse().map_err(|_| {
                        CliError::Usage(format!("--set {s:?}: value is not a number"))
                    })?,
                };
                if i >= size as u64 {
                    return Err(CliError::Usage(format!(
                        "--set {s:?}: index {i} is beyond --size {size}"
                    )));
                }
                list.set(i, v)
                    .map_err(|e| CliError::Usage(format!("--set {s:?}: {e}")))?;
            }
            let jwk: Jwk = read_json(&key, "JWK", files::KEY)?;
            let signing = SigningKey::from_jwk(&jwk).map_err(|e| CliError::input(&key, e))?;
            let x5c = match &cert {
                Some(p) => Some(
                    parse_pem_certs(&read_text(p, files::CERTIFICATES)?)
                        .map_err(|e| CliError::input(p, e))?
                        .iter()
                        .map(|d| base64_std(d))
                        .collect(),
                ),
                None => None,
            };
            let iat = parse_now(now.as_deref())?;
            let params = TokenParams {
                uri: &uri,
                iat,
                exp: match valid_for {
                    None => None,
                    Some(v) => Some(iat.checked_add(v).ok_or_else(|| {
                        CliError::Usage(format!("--valid-for {v}: iat + valid-for overflows"))
                    })?),
                },
                ttl,
                x5c,
            };
            let token =
                sign_token(&list, &params, &signing).map_err(|e| CliError::input(&key, e))?;
            emit(&format!("{token}\n"), output.as_ref())?;
            Ok(ExitCode::SUCCESS)
        }
        StatusCommand::Inspect { file, index } => {
            let text = read_text(&file, files::STATUS_LIST)?;
            let jws = CompactJws::parse(text.trim()).map_err(|e| CliError::input(&file, e))?;
            let sl = jws
                .payload
                .get("status_list")
                .ok_or_else(|| CliError::input(&file, "no `status_list` claim"))?;
            let bits = sl.get("bits").and_then(Value::as_i64).unwrap_or(-1);
            let lst = sl.get("lst").and_then(Value::as_str).unwrap_or("");
            let list = StatusList::decode_lst(bits, lst).map_err(|e| CliError::input(&file, e))?;
            let mut statuses = serde_json::Map::new();
            let mut not_valid = 0u64;
            if index.is_empty() {
                // Count every non-VALID entry but list at most INSPECT_LIMIT: a small token
                // can inflate to millions of entries.
                for i in 0..list.len() {
                    if let Ok(v) = list.get(i)
                        && v != 0
                    {
                        not_valid += 1;
                        if statuses.len() < INSPECT_LIMIT {
                            statuses.insert(i.to_string(), json!(status_name(v)));
                        }
                    }
                }
            } else {
                for &i in &index {
                    let v = match list.get(i) {
                        Ok(v) => json!(status_name(v)),
                        Err(e) => json!(format!("error: {e}")),
                    };
                    statuses.insert(i.to_string(), v);
                }
            }
            let out = json!({
                "verified": false,
                "header": jws.header,
                "sub": jws.payload.get("sub"),
                "iat": jws.payload.get("iat"),
                "exp": jws.payload.get("exp"),
                "bits": list.bits(),
                "size": list.len(),
                "not_valid": if index.is_empty() { json!(not_valid) } else { Value::Null },
                "statuses": statuses,
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
    }
}
