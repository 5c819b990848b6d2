//! `accord bundle`: write a run's signed evidence bundle, verify one offline, show the
//! harness's public key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::io::{CliError, emit, write_atomic};
use super::run_cmd::{StoreArg, store_error};
use crate::bundle;
use crate::store::EventStore as _;
use crate::store::embedded::EmbeddedStore;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BundleArgs {
    #[command(subcommand)]
    command: Option<BundleCommand>,
    /// The run to bundle.
    #[arg(required = true)]
    run: Option<String>,
    /// Where to write the bundle (a tar archive).
    #[arg(long, required = true)]
    output: Option<PathBuf>,
    /// The harness's signing key (a private P-256 JWK); default `<store>/harness-key.jwk`,
    /// created on first use.
    #[arg(long)]
    key: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Check a bundle completely, offline: the archive, the signature, every file's hash,
    /// the log's hash chain, and every report and claim re-derived from the log. Exit 0
    /// intact, 1 not intact (each mismatch named), 2 usage.
    Verify {
        file: PathBuf,
        /// The key the bundle must be signed with: its RFC 7638 thumbprint or a JWK file.
        /// (A thumbprint is base64url and may begin with `-`.)
        #[arg(long, allow_hyphen_values = true)]
        key: Option<String>,
    },
    /// Print the harness's public key (JWK) and its thumbprint, to hand to whoever verifies
    /// its bundles.
    Key {
        #[arg(long)]
        key: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
}

fn key_path(key: Option<&PathBuf>, store: &Path) -> PathBuf {
    key.cloned()
        .unwrap_or_else(|| store.join("harness-key.jwk"))
}

pub fn run(a: BundleArgs) -> Result<ExitCode, CliError> {
    match a.command {
        Some(BundleCommand::Verify { file, key }) => verify(&file, key.as_deref()),
        Some(BundleCommand::Key { key, store }) => {
            let key = bundle::load_or_create_key(&key_path(key.as_ref(), store.path()))
                .map_err(CliError::Usage)?;
            let public = key.public_jwk();
            let text = format!(
                "{}\nthumbprint {}\n",
                serde_json::to_string_pretty(&public).unwrap_or_default(),
                public.thumbprint()
            );
            emit(&text, None)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let (Some(run), Some(output)) = (a.run, a.output) else {
                return Err(CliError::Usage(
                    "accord bundle RUN --output FILE (or accord bundle verify FILE)".into(),
                ));
            };
            write(&run, &output, a.key.as_ref(), a.store.path())
        }
    }
}

fn write(
    run: &str,
    output: &Path,
    key: Option<&PathBuf>,
    store: &Path,
) -> Result<ExitCode, CliError> {
    super::io::check_output(output)?;
    let log = EmbeddedStore::new(store).read(run).map_err(store_error)?;
    let key = bundle::load_or_create_key(&key_path(key, store)).map_err(CliError::Usage)?;
    let bytes = bundle::build(&log.events, &log.tail, &key)
        .map_err(|e| CliError::Harness(format!("run `{run}`: {e}")))?;
    // Checked as a reader will check it before anything is written: a bundle that does not
    // verify is never left on disk.
    let check = bundle::verify(&bytes, Some(&key.public_jwk().thumbprint()));
    if !check.intact() {
        return Err(CliError::Harness(format!(
            "the bundle of run `{run}` does not verify, nothing written: {}",
            check.problems.join("; ")
        )));
    }
    write_atomic(output, &bytes)?;
    eprintln!(
        "accord: bundle of run {run} ({}{}) written to {}, {} bytes, signed by key {}",
        check.verdict.as_deref().unwrap_or("?"),
        if check.has_failures == Some(true) {
            ", with failures"
        } else {
            ""
        },
        output.display(),
        bytes.len(),
        key.public_jwk().thumbprint()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(file: &Path, key: Option<&str>) -> Result<ExitCode, CliError> {
    let trusted = key
        .map(bundle::trusted_thumbprint)
        .transpose()
        .map_err(CliError::Usage)?;
    // Bounded while reading, not by a size taken beforehand: a device or a pipe has none.
    let bytes = crate::files::read(file, crate::files::BUNDLE)?;
    let v = bundle::verify(&bytes, trusted.as_deref());
    emit(&v.render(), None)?;
    Ok(if v.intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
