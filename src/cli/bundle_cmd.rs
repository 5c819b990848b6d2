//! `accord bundle`: write a run's signed evidence bundle, verify one offline, show the
//! harness's public key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::io::{CliError, emit, write_atomic};
use super::run_cmd::{SigningKeyArg, StoreArg, store_error};
use crate::evidence::bundle;
use crate::store::EventStore as _;
use crate::store::embedded::EmbeddedStore;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BundleArgs {
    #[command(subcommand)]
    command: Option<BundleCommand>,
    /// The run to bundle: its id, a unique prefix of it, or `latest`.
    #[arg(required = true)]
    run: Option<String>,
    /// Where to write the bundle (a tar archive).
    #[arg(long, required = true)]
    output: Option<PathBuf>,
    #[command(flatten)]
    signing: SigningKeyArg,
    /// Time-stamp the log's final head at this RFC 3161 time-stamping authority (an
    /// `http://` URL: tokens are signed, so the transport need not be) and embed the token.
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Check a bundle completely, offline: the archive, the signature, every file's hash,
    /// the log's hash chain, and every report and claim re-derived from the log. Exit 0
    /// intact, 1 not intact (each mismatch named), 2 usage.
    Verify {
        /// The bundle (the tar archive `accord bundle RUN --output FILE` wrote).
        file: PathBuf,
        /// The key the bundle must be signed with: its RFC 7638 thumbprint or a JWK file.
        /// (A thumbprint is base64url and may begin with `-`.)
        #[arg(long, allow_hyphen_values = true)]
        key: Option<String>,
        /// The time-stamping authority's certificate (PEM or DER) the bundle's time-stamp
        /// token must be signed with; the bundle must then carry one.
        #[arg(long, value_name = "FILE")]
        tsa_cert: Option<PathBuf>,
    },
    /// Print the harness's public key (JWK) and its thumbprint, to hand to whoever verifies
    /// its bundles.
    Key {
        #[command(flatten)]
        signing: SigningKeyArg,
        #[command(flatten)]
        store: StoreArg,
    },
}

pub fn run(a: BundleArgs) -> Result<ExitCode, CliError> {
    match a.command {
        Some(BundleCommand::Verify {
            file,
            key,
            tsa_cert,
        }) => verify(&file, key.as_deref(), tsa_cert.as_deref()),
        Some(BundleCommand::Key { signing, store }) => {
            let key = signing.load(store.path())?;
            let public = key.signing_key().public_jwk();
            let text = format!(
                "{}\nthumbprint {}\nkept {}\n",
                serde_json::to_string_pretty(&public).unwrap_or_default(),
                public.thumbprint(),
                match key.source() {
                    crate::events::KeySource::Store => "in the store",
                    crate::events::KeySource::External => "outside the store",
                }
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
            write(&run, &output, &a.signing, a.tsa.as_deref(), a.store.path())
        }
    }
}

fn write(
    run: &str,
    output: &Path,
    signing: &SigningKeyArg,
    tsa: Option<&str>,
    store: &Path,
) -> Result<ExitCode, CliError> {
    super::io::check_output(output)?;
    let events = EmbeddedStore::new(store);
    let run = &super::runs_cmd::resolve(&events, run)?;
    let log = events.read(run).map_err(store_error)?;
    let harness_key = signing.load(store)?;
    let key = harness_key.signing_key();
    let token = match (tsa, log.events.last()) {
        (Some(url), Some(last)) => Some(time_stamp(url, &last.hash)?),
        _ => None,
    };
    let bytes = bundle::build_stamped(&log.events, &log.tail, key, harness_key.source(), token)
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
    if harness_key.source() == crate::events::KeySource::Store {
        eprintln!(
            "accord: note: signed by the key kept in the store ({}): whoever holds the store \
             can sign with it too; certification evidence is signed with --signing-key FILE \
             kept elsewhere (docs/evidence.md)",
            harness_key.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks the TSA at `url` for a time-stamp token over `head` (RFC 3161 §3.4: POST of
/// `application/timestamp-query`), bounded in time and size; the token is checked against
/// the request before it is used.
fn time_stamp(url: &str, head: &str) -> Result<Vec<u8>, CliError> {
    let fail = |m: String| CliError::Harness(format!("--tsa {url}: {m}"));
    let request = crate::evidence::timestamp::request(head, &mut crate::entropy::SystemEntropy)
        .map_err(&fail)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let reply = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let mut response = client
            .post(url)
            .header("content-type", "application/timestamp-query")
            .body(request.der.clone())
            .send()
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("answered HTTP {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            body.extend_from_slice(&chunk);
            if body.len() > crate::evidence::timestamp::MAX_REPLY_BYTES {
                return Err(format!(
                    "answered more than {} bytes",
                    crate::evidence::timestamp::MAX_REPLY_BYTES
                ));
            }
        }
        Ok(body)
    });
    let reply = reply.map_err(fail)?;
    crate::evidence::timestamp::read_reply(&reply, &request, head).map_err(fail)
}

/// A certificate file, PEM (the first certificate) or DER.
fn read_certificate(path: &Path) -> Result<Vec<u8>, CliError> {
    let bytes = crate::files::read(path, crate::files::CERTIFICATES)?;
    if bytes.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(&bytes)
            .map_err(|e| CliError::input(path, format!("not a PEM certificate: {e}")))?;
        return Ok(pem.contents);
    }
    Ok(bytes)
}

fn verify(file: &Path, key: Option<&str>, tsa_cert: Option<&Path>) -> Result<ExitCode, CliError> {
    let trusted = key
        .map(bundle::trusted_thumbprint)
        .transpose()
        .map_err(CliError::Usage)?;
    let tsa_cert = tsa_cert.map(read_certificate).transpose()?;
    // Bounded while reading, not by a size taken beforehand: a device or a pipe has none.
    let bytes = crate::files::read(file, crate::files::BUNDLE)?;
    let v = bundle::verify_stamped(&bytes, trusted.as_deref(), tsa_cert.as_deref());
    emit(&v.render(), None)?;
    Ok(if v.intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
