//! `accord run | runs | report | log`: the run engine and what reads its event logs.
//!
//! Exit codes: `run` and `report` exit 0 when every required (MUST) check passed, 1 on a
//! conformance failure, 2 on bad usage or configuration, 3 when the run is inconclusive (a
//! harness fault, an interrupted run). `log verify` exits 0 for an intact log, 1 for a broken
//! one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};

use super::io::{CliError, emit, write_atomic};
use crate::entropy::{Entropy, SystemClock, SystemEntropy};
use crate::events::Verdict;
use crate::projections::{self, RunStatus, RunView};
use crate::run::engine::{self, EngineError, RunConfig};
use crate::store::embedded::EmbeddedStore;
use crate::store::{EventStore, StoreError, Tail};

/// `--store DIR`, shared by every command that reads or writes runs.
#[derive(Debug, Args)]
pub struct StoreArg {
    /// Where runs are recorded.
    #[arg(long, default_value = ".accord", env = "ACCORD_STORE")]
    store: PathBuf,
}

impl StoreArg {
    pub fn path(&self) -> &Path {
        &self.store
    }
}

/// `--signing-key FILE`, shared by every command that records a run or signs a bundle.
#[derive(Debug, Args)]
pub struct SigningKeyArg {
    /// The ES256 key (a private JWK file, created on first use) that signs the run's
    /// checkpoints and bundles, kept outside the store. Without it, the store's own key
    /// (`<store>/harness-key.jwk`) signs, and the evidence says so: whoever holds the store
    /// can sign with that one too.
    #[arg(
        long,
        visible_alias = "key",
        value_name = "FILE",
        env = crate::evidence::checkpoint::SIGNING_KEY_ENV
    )]
    signing_key: Option<PathBuf>,
}

impl SigningKeyArg {
    /// The key to sign with: the external one, or the store's (created on first use).
    pub fn load(
        &self,
        store: &Path,
    ) -> Result<Arc<crate::evidence::checkpoint::HarnessKey>, CliError> {
        crate::evidence::checkpoint::HarnessKey::load(store, self.signing_key.as_deref())
            .map(Arc::new)
            .map_err(CliError::Usage)
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The Gherkin features to run.
    #[arg(long, default_value = "features")]
    features: PathBuf,
    /// Run only scenarios matching this tag expression (e.g. `@jp-degree and not @slow`).
    #[arg(long)]
    tags: Option<String>,
    /// Seed for the PKI, salts, nonces and the run id; random (and recorded) when omitted.
    #[arg(long)]
    seed: Option<u64>,
    /// Also write the JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Also write the Markdown report here (a CI job summary).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Also write the HTML report here (one self-contained file: summary, certification,
    /// interop matrix, requirement coverage, the exchanges behind each failure).
    #[arg(long)]
    html: Option<PathBuf>,
    /// Certify against this profile (`eu-jp-academic/verifier`; `accord profiles` lists
    /// them): run only the scenarios it needs and record it, so reports say whether each
    /// implementation in the profile's role meets it.
    #[arg(long)]
    profile: Option<String>,
    /// The roles Accord starts speak plain HTTP on loopback instead of HTTPS. Recorded in
    /// the run's log and shown in its reports; real implementations refuse it.
    #[arg(long)]
    plain_http: bool,
    /// Implementation manifests (repeatable): each plays the parts it claims, Accord's
    /// reference roles play the rest. A manifest that cannot be read or is not valid is a
    /// usage error (exit 2, every problem named, nothing recorded); with --matrix, valid
    /// manifests whose capabilities do not meet make cells that say so.
    #[arg(long = "impl", value_name = "MANIFEST", num_args = 1..)]
    implementations: Vec<PathBuf>,
    /// Run every issuer × wallet × verifier combination of the manifests whose declared
    /// capabilities meet, and show the interop matrix.
    #[arg(long)]
    matrix: bool,
    /// The docker-compose.yml whose services `compose` manifests name (default:
    /// docker-compose.yml); it must exist when a compose manifest is given or it is named.
    #[arg(long, value_name = "FILE")]
    compose_file: Option<PathBuf>,
    /// Fix the roles' clock at this instant (RFC 3339); the current time when omitted. With
    /// `--seed`, what makes a run reproducible (both are recorded).
    #[arg(long)]
    now: Option<String>,
    /// Compare each scenario's verdicts and normalised transcript with its snapshot:
    /// `check` fails on drift and writes nothing (CI), `new` also writes `.snap.new` files for
    /// `cargo insta review`, `update` accepts the run as the new snapshots.
    #[arg(long, value_enum)]
    snapshots: Option<super::snapshot_cmd::Mode>,
    /// Where the snapshots are.
    #[arg(long, default_value = "snapshots")]
    snapshot_dir: PathBuf,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    signing: SigningKeyArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// The summary `accord run` prints.
    Console,
    /// JUnit XML, for CI test reports.
    Junit,
    /// The whole run as JSON.
    Json,
    /// Markdown (a CI job summary).
    Md,
    /// One self-contained HTML file.
    Html,
    /// Requirement coverage per implementation, as JSON.
    Coverage,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Print a run's events as JSON Lines.
    Show {
        /// The run: its id, a unique prefix of it, or `latest`.
        run: String,
        /// Only events of these kinds (repeatable), e.g. `check-evaluated`.
        #[arg(long)]
        kind: Vec<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Check a run's hash chain, its signed checkpoints and that its `run-finished` agrees
    /// with its events; names the first broken event. Exit 0 intact, 1 broken.
    Verify {
        /// The run: its id, a unique prefix of it, or `latest`.
        run: String,
        /// The key whose checkpoints must vouch for the log, to its end: its RFC 7638
        /// thumbprint or a JWK file. Without it, the signer is shown, not pinned.
        #[arg(long, allow_hyphen_values = true)]
        key: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
}

pub(super) fn store_error(e: StoreError) -> CliError {
    match e {
        StoreError::UnknownRun(id) => {
            CliError::Usage(format!("no run `{id}` in the store (see `accord runs`)"))
        }
        other => CliError::Harness(other.to_string()),
    }
}

pub(super) fn exit_for(view: &RunView) -> ExitCode {
    match (view.status, view.verdict) {
        (RunStatus::Interrupted, _) | (_, Verdict::Inconclusive) => ExitCode::from(3),
        (_, Verdict::Failed) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Reads and projects a run, refusing a log whose hash chain or checkpoints are broken or
/// whose `run-finished` claims better than its events: a report must never show what the
/// log cannot vouch for.
pub(super) fn load(store: &dyn EventStore, run: &str) -> Result<RunView, CliError> {
    let log = store.read(run).map_err(store_error)?;
    match crate::events::verify_log(&log.events) {
        Err(b) => {
            return Err(CliError::Harness(format!(
                "run `{run}`: the log is broken at event {}: {}",
                b.seq, b.reason
            )));
        }
        Ok(audit) => {
            if let Some(d) = audit.disagreement {
                return Err(CliError::Harness(format!(
                    "run `{run}`: the log contradicts itself (altered?): {d}"
                )));
            }
        }
    }
    if log.events.first().is_some_and(|e| e.run_id != run) {
        return Err(CliError::Harness(format!(
            "run `{run}`: the log belongs to run `{}`",
            log.events[0].run_id
        )));
    }
    Ok(projections::project(&log.events, &log.tail))
}

/// `--compose-file` when not given.
const COMPOSE_FILE: &str = "docker-compose.yml";

/// Refuses what would make a run that proves nothing, before anything is written (the
/// store, its key): a manifest that cannot be read or is not valid (every problem of every
/// one, each with its line), a compose file that is not there, an unknown profile.
fn check_usage(a: &RunArgs) -> Result<(), CliError> {
    if let Some(id) = &a.profile
        && crate::certification::find(id).is_none()
    {
        return Err(CliError::Usage(format!(
            "--profile {id}: no such certification profile (accord profiles lists them)"
        )));
    }
    let mut broken = Vec::new();
    let mut compose = Vec::new();
    for path in &a.implementations {
        match crate::run::manifest::load(path) {
            Ok(m) if m.launch.get_ref().kind.get_ref() == "compose" => {
                compose.push(path.display().to_string());
            }
            Ok(_) => {}
            Err(e) => broken.push(e.to_string()),
        }
    }
    if !broken.is_empty() {
        return Err(CliError::Usage(format!(
            "--impl: {} manifest(s) cannot be used, nothing was run (`accord impl check` shows the same):\n{}",
            broken.len(),
            broken.join("\n")
        )));
    }
    let file = a
        .compose_file
        .clone()
        .unwrap_or_else(|| PathBuf::from(COMPOSE_FILE));
    if (a.compose_file.is_some() || !compose.is_empty()) && !file.is_file() {
        let why = if compose.is_empty() {
            String::new()
        } else {
            format!(" ({} name services of it)", compose.join(", "))
        };
        return Err(CliError::Usage(format!(
            "--compose-file {}: no such file{why}",
            file.display()
        )));
    }
    Ok(())
}

pub fn run(a: RunArgs) -> Result<ExitCode, CliError> {
    // An output that cannot be written is found now, not after the whole run.
    for path in [&a.junit, &a.markdown, &a.html].into_iter().flatten() {
        super::io::check_output(path)?;
    }
    check_usage(&a)?;
    let seed = a.seed.unwrap_or_else(|| SystemEntropy.below(u64::MAX));
    let now = match &a.now {
        Some(t) => Some(super::io::parse_now(Some(t))?),
        None => None,
    };
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::new(&a.store.store));
    let signing_key = Some(a.signing.load(&a.store.store)?);
    let config = RunConfig {
        features: a.features.clone(),
        tags: a.tags.clone(),
        seed,
        progress: true,
        implementations: a.implementations.clone(),
        matrix: a.matrix,
        compose_file: a
            .compose_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(COMPOSE_FILE)),
        now,
        profile: a.profile.clone(),
        security: crate::tls::Security::from_plain_flag(a.plain_http),
        signing_key,
    };
    let outcome =
        engine::run(&config, store.clone(), Arc::new(SystemClock)).map_err(|e| match e {
            EngineError::Features(_)
            | EngineError::Tags { .. }
            | EngineError::Plan(_)
            | EngineError::Profile(_) => CliError::Usage(e.to_string()),
            other => CliError::Harness(other.to_string()),
        })?;
    let view = load(store.as_ref(), &outcome.run_id)?;
    if let Some(path) = &a.junit {
        write_atomic(path, projections::junit(&view).as_bytes())?;
    }
    if let Some(path) = &a.markdown {
        write_atomic(path, projections::markdown(&view).as_bytes())?;
    }
    if let Some(path) = &a.html {
        write_atomic(path, projections::html(&view).as_bytes())?;
    }
    emit(
        &projections::console_styled(&view, super::io::colour_on_stdout()),
        None,
    )?;
    eprintln!(
        "accord: run {} recorded in {} (seed {seed})",
        outcome.run_id,
        a.store.store.display()
    );
    let exit = exit_for(&view);
    if let Some(mode) = a.snapshots {
        let drifted = super::snapshot_cmd::gate(&view, &a.snapshot_dir, mode)?;
        if drifted && exit == ExitCode::SUCCESS {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(exit)
}

pub fn report(run: &str, format: Format, store: &Path) -> Result<ExitCode, CliError> {
    let store = EmbeddedStore::new(store);
    let run = super::runs_cmd::resolve(&store, run)?;
    let view = load(&store, &run)?;
    let text = match format {
        Format::Console => projections::console_styled(&view, super::io::colour_on_stdout()),
        Format::Json => projections::json(&view),
        Format::Junit => projections::junit(&view),
        Format::Md => projections::markdown(&view),
        Format::Html => projections::html(&view),
        Format::Coverage => projections::coverage_json(&view),
    };
    emit(&text, None)?;
    Ok(exit_for(&view))
}

pub fn log(cmd: LogCommand) -> Result<ExitCode, CliError> {
    match cmd {
        LogCommand::Show { run, kind, store } => {
            let store = EmbeddedStore::new(&store.store);
            let run = super::runs_cmd::resolve(&store, &run)?;
            let log = store.read(&run).map_err(store_error)?;
            let mut text = String::new();
            for e in log
                .events
                .iter()
                .filter(|e| kind.is_empty() || kind.contains(&e.kind))
            {
                text.push_str(&serde_json::to_string(e).unwrap_or_default());
                text.push('\n');
            }
            emit(&text, None)?;
            if let Tail::Torn { line, bytes } = log.tail {
                eprintln!(
                    "accord: the log ends with a torn line {line} ({bytes} bytes): the run was interrupted"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Verify { run, key, store } => {
            let trusted = key
                .as_deref()
                .map(crate::evidence::bundle::trusted_thumbprint)
                .transpose()
                .map_err(CliError::Usage)?;
            let store = EmbeddedStore::new(&store.store);
            let run = super::runs_cmd::resolve(&store, &run)?;
            let verified = store.verify(&run).map_err(store_error)?;
            let torn = match verified.tail {
                Tail::Clean => String::new(),
                Tail::Torn { line, bytes } => {
                    format!(
                        "; a torn last line {line} ({bytes} bytes) follows: the run was interrupted"
                    )
                }
            };
            if let Some(b) = verified.broken {
                println!("broken at event {}: {}", b.seq, b.reason);
                return Ok(ExitCode::from(1));
            }
            let audit = &verified.audit;
            if let Some(d) = &audit.disagreement {
                println!("contradicts itself (altered?): {d}");
                return Ok(ExitCode::from(1));
            }
            if let Some(trusted) = &trusted
                && let Err(e) = audit.check_signer(trusted)
            {
                println!("not vouched for by key {trusted}: {e}");
                return Ok(ExitCode::from(1));
            }
            let signed = match &audit.signer {
                None => "; no signed checkpoints: nothing but its hash chain vouches for it".into(),
                Some((signer, source)) => format!(
                    "; {} checkpoints signed by key {signer} ({}){}{}",
                    audit.checkpoints,
                    source.describe(),
                    match (audit.wholly_vouched(), audit.recorded.is_some()) {
                        (true, true) => ", the last vouching for the run's end".to_owned(),
                        (true, false) => {
                            ", the last vouching for the last event (the run did not finish)"
                                .to_owned()
                        }
                        (false, _) => format!(
                            ", vouching for events up to {} of {}: the rest is NOT signed",
                            audit.vouched_through.unwrap_or(0),
                            audit.last_seq.unwrap_or(0)
                        ),
                    },
                    match (&trusted, source) {
                        (Some(_), _) => "",
                        (None, crate::events::KeySource::Store) => {
                            " (whoever holds the store holds that key: pin an external one with --key)"
                        }
                        (None, crate::events::KeySource::External) => {
                            " (not pinned: give --key to require it)"
                        }
                    }
                ),
            };
            println!("intact: {} events{signed}{torn}", verified.events);
            Ok(ExitCode::SUCCESS)
        }
    }
}
