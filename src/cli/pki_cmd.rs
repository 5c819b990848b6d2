//! `accord pki generate`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::io::{CliError, emit};
use crate::entropy::{Entropy, SystemEntropy};
use crate::trust::pki::TestPki;

#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Write the test PKI to DIR (which must not exist or be empty): keys as JWK files
    /// (`*.jwk` private, `*.pub.jwk` public), certificates as PEM, `*-chain.pem` chains for
    /// `x5c` (leaf first, no root), signed trust lists under `trust-lists/`, the EU–JP
    /// arrangement `mra.json`, and `pki.json` naming the seed and every file.
    Generate {
        /// The directory to write the PKI into (created if need be).
        dir: PathBuf,
        /// Seed for every key; the same seed gives the same keys. Random (and recorded in
        /// pki.json) when omitted.
        #[arg(long)]
        seed: Option<u64>,
    },
}

pub fn run(cmd: PkiCommand) -> Result<ExitCode, CliError> {
    match cmd {
        PkiCommand::Generate { dir, seed } => {
            let seed = seed.unwrap_or_else(|| SystemEntropy.below(u64::MAX));
            let pki = TestPki::generate(seed).map_err(|e| CliError::Output {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
            let files = pki.write_to(&dir).map_err(|e| match e {
                crate::trust::pki::PkiError::NotEmpty(_) => CliError::Usage(e.to_string()),
                other => CliError::Output {
                    path: dir.display().to_string(),
                    message: other.to_string(),
                },
            })?;
            let summary = json!({
                "dir": dir.display().to_string(),
                "seed": seed,
                "eu_issuer": pki.eu.issuer_url,
                "jp_issuer": pki.jp.issuer_url,
                "files": files,
            });
            emit(
                &format!(
                    "{}\n",
                    serde_json::to_string_pretty(&summary).unwrap_or_default()
                ),
                None,
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
