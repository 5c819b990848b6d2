//! `accord replay` and `accord diff`: what is done with recorded runs after the fact.
//!
//! Exit codes: `replay` without `--against` exits as `report` does for the recorded run;
//! with `--against`, 0 when every answer matched the recording, 1 on differences, 3 when the
//! implementation could not be started or nothing could be compared. `diff` exits 0 when
//! nothing differs, 1 otherwise. A log that is broken, truncated or from an interrupted run
//! is refused with exit 2, naming the log and the event.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::io::{CliError, emit, write_atomic};
use super::run_cmd::{StoreArg, exit_for, store_error};
use crate::entropy::SystemClock;
use crate::events::Part;
use crate::events::Verdict;
use crate::evidence::replay::{self, Recording, ReplayError, Target};
use crate::projections;
use crate::run::cast::Casting;
use crate::store::EventStore;
use crate::store::embedded::EmbeddedStore;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recorded run: its id, a unique prefix of it, or `latest` (see `accord runs`).
    run: String,
    /// Re-drive the recording against this implementation: a manifest, or `reference` for
    /// Accord's own reference role (then `--part` says which). Without it, the run is
    /// re-projected: every report regenerated from the stored log.
    #[arg(long, value_name = "MANIFEST|reference")]
    against: Option<String>,
    /// The part(s) to replay (`issuer-eu`, `issuer-jp`, `wallet`, `verifier-eu`,
    /// `verifier-jp`, `status-list`, `trust-list`); default: every part the manifest plays.
    #[arg(long, value_name = "PART")]
    part: Vec<String>,
    /// Write the reports (console.txt, report.json, junit.xml, report.md) into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The docker-compose.yml a `compose` manifest names its service in.
    #[arg(long, default_value = "docker-compose.yml")]
    compose_file: PathBuf,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    signing: super::run_cmd::SigningKeyArg,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Run A (the baseline): its id, a unique prefix of it, or `latest`.
    run_a: String,
    /// Run B (the one to compare with A), named the same ways, in its own store.
    run_b: String,
    /// The store run B is in, when not the same as run A's (`--store`).
    #[arg(long, value_name = "DIR")]
    store_b: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
}

/// Reads a run for replay or comparison: the log must verify, be whole and be finished.
fn recording(store: &EmbeddedStore, run: &str) -> Result<Recording, CliError> {
    let log = store.read(run).map_err(|e| match e {
        crate::store::StoreError::UnknownRun(_) => store_error(e),
        // The store's message names the log and the line already; unreadable input: exit 2.
        other => CliError::Usage(other.to_string()),
    })?;
    Recording::from_log(run, &log.events, &log.tail)
        .map_err(|e| CliError::input(&store.log_path(run), e))
}

fn part_named(name: &str) -> Result<Part, CliError> {
    Part::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = Part::ALL.iter().map(|p| p.name()).collect();
            CliError::Usage(format!(
                "--part {name:?}: not a part (one of {})",
                names.join(", ")
            ))
        })
}

/// The implementation a manifest describes, and the parts it can play.
pub(super) fn manifest_casting(path: &str) -> Result<(Casting, Vec<Part>), CliError> {
    let path = PathBuf::from(path);
    // The manifest's errors name the file and the line themselves.
    let manifest = crate::run::manifest::load(&path).map_err(|e| {
        CliError::Usage(format!(
            "the replay target's manifest cannot be used, nothing was replayed:\n{e}"
        ))
    })?;
    let plays = Part::played_by(&manifest);
    Ok((
        Casting::Manifest {
            manifest: Arc::new(manifest),
            path,
        },
        plays,
    ))
}

fn target(a: &ReplayArgs, against: &str) -> Result<Target, CliError> {
    let chosen: Vec<Part> = a
        .part
        .iter()
        .map(|p| part_named(p))
        .collect::<Result<_, _>>()?;
    let (casting, plays) = if against == "reference" || against == crate::run::cast::REFERENCE {
        if chosen.is_empty() {
            return Err(CliError::Usage(
                "--against reference needs --part (which of Accord's reference roles to replay against)".into(),
            ));
        }
        (Casting::Reference, chosen.clone())
    } else {
        manifest_casting(against)?
    };
    let parts = if chosen.is_empty() {
        plays
    } else {
        if let Some(p) = chosen.iter().find(|p| !plays.contains(p)) {
            return Err(CliError::Usage(format!(
                "--part {}: {against} does not play it",
                p.name()
            )));
        }
        chosen
    };
    Ok(Target {
        casting,
        parts,
        compose_file: a.compose_file.clone(),
    })
}

fn write_reports(dir: &Path, view: &projections::RunView) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::input(dir, e))?;
    write_atomic(
        &dir.join("console.txt"),
        projections::console(view).as_bytes(),
    )?;
    write_atomic(&dir.join("report.json"), projections::json(view).as_bytes())?;
    write_atomic(&dir.join("junit.xml"), projections::junit(view).as_bytes())?;
    write_atomic(
        &dir.join("report.md"),
        projections::markdown(view).as_bytes(),
    )?;
    Ok(())
}

pub fn replay(a: ReplayArgs) -> Result<ExitCode, CliError> {
    let store = EmbeddedStore::new(a.store.path());
    let run = super::runs_cmd::resolve(&store, &a.run)?;
    let recorded = recording(&store, &run)?;
    let Some(against) = a.against.as_deref() else {
        // Re-projection: the reports, regenerated from the log alone.
        if let Some(dir) = &a.out {
            write_reports(dir, &recorded.view)?;
        }
        emit(&projections::console(&recorded.view), None)?;
        return Ok(exit_for(&recorded.view));
    };
    let target = target(&a, against)?;
    // A report directory that cannot be written is found before the re-drive, not after it.
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir).map_err(|e| CliError::input(dir, e))?;
        super::io::check_output(&dir.join("report.json"))?;
    }
    let store: Arc<dyn EventStore> = Arc::new(store);
    let key = Some(a.signing.load(a.store.path())?);
    let outcome = replay::redrive_signed(
        &recorded,
        &target,
        store.clone(),
        Arc::new(SystemClock),
        key,
    )
    .map_err(|e| match e {
        ReplayError::Usage(m) => CliError::Usage(m),
        ReplayError::Recording(m) => CliError::Usage(m),
        other => CliError::Harness(other.to_string()),
    })?;
    let view = super::run_cmd::load(store.as_ref(), &outcome.run_id)?;
    if let Some(dir) = &a.out {
        write_reports(dir, &view)?;
    }
    emit(&projections::console(&view), None)?;
    eprintln!(
        "accord: replay {} of run {} against {against}: {} scenario(s) re-driven, {} difference(s); recorded in {}",
        outcome.run_id,
        run,
        outcome.scenarios,
        outcome.differences,
        a.store.path().display()
    );
    Ok(match outcome.verdict {
        Verdict::Passed => ExitCode::SUCCESS,
        Verdict::Failed | Verdict::NotImplemented => ExitCode::from(1),
        Verdict::Inconclusive => ExitCode::from(3),
    })
}

pub fn diff(a: DiffArgs) -> Result<ExitCode, CliError> {
    let store_a = EmbeddedStore::new(a.store.path());
    let store_b = EmbeddedStore::new(a.store_b.as_deref().unwrap_or(a.store.path()));
    let run_a = super::runs_cmd::resolve(&store_a, &a.run_a)?;
    let run_b = super::runs_cmd::resolve(&store_b, &a.run_b)?;
    let x = recording(&store_a, &run_a)?;
    let y = recording(&store_b, &run_b)?;
    let d = crate::evidence::rundiff::diff(&x.view, &y.view);
    emit(&d.render(&run_a, &run_b), None)?;
    Ok(if d.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
