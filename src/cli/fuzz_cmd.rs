//! `accord fuzz`: a protocol-aware fuzzing campaign against one implementation, recorded as
//! a run; `--recheck` re-runs regression seeds; `--resume` continues an interrupted campaign
//! from its log.
//!
//! Exit codes: 0 no finding, 1 findings (in the whole campaign), 2 usage or unreadable input,
//! 3 interrupted (resumable) or the target could not be started.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use clap::Args;

use super::io::CliError;
use super::run_cmd::{SigningKeyArg, StoreArg, store_error};
use crate::entropy::{Clock, Entropy, FixedClock, SystemClock, SystemEntropy};
use crate::events::{Envelope, Event, FORMAT_VERSION, Verdict};
use crate::events::{Part, PlayerRecord};
use crate::fuzz::FuzzRole;
use crate::fuzz::campaign::{self, Outcome, Plan, Source};
use crate::fuzz::subjects::{
    IssuerSubject, StatusBoard, Subject, VerifierDouble, VerifierSubject, WalletSubject,
};
use crate::roles::Running;
use crate::run::cast::{Cast, Casting, Stage};
use crate::run::engine::new_run_id;
use crate::store::embedded::EmbeddedStore;
use crate::store::{EventStore, RunRecorder};
use crate::tls::{ClientTrust, Security};
use crate::transport::{ExchangeSink, Limits, Transport};
use crate::trust::pki::TestPki;

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// The role under test.
    #[arg(long, value_enum)]
    role: Option<FuzzRole>,
    /// The implementation under test: a manifest, or `reference` (Accord's own in-process
    /// reference role, the default).
    #[arg(long, value_name = "MANIFEST|reference", default_value = "reference")]
    target: String,
    /// The part it plays (default: `verifier-jp` for verifiers, `issuer-eu` for issuers, or
    /// the first the manifest plays in the role).
    #[arg(long, value_name = "PART")]
    part: Option<String>,
    /// Stop after this many cases (default 1000 unless --duration is given).
    #[arg(long, conflicts_with = "duration")]
    cases: Option<u64>,
    /// Stop after this long: `90s`, `10m`, `2h`.
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Seed of the cases (recorded; default: random).
    #[arg(long)]
    seed: Option<u64>,
    /// Cases in flight at once.
    #[arg(long, default_value_t = 8)]
    jobs: usize,
    /// Fix every clock (the roles' and the cases') at this instant, RFC 3339. Without it,
    /// roles Accord starts share a clock fixed at the start, as in runs, and cases against an
    /// implementation already running (a URL, a compose service) follow the system clock.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Where to write the regression seeds of findings (`<DIR>/<role>/<signature>-<hash>.json`,
    /// named by the case, so a finding found again is not written twice): fuzz/regressions,
    /// say, to add them to the seeds the project keeps. By default they are written with the
    /// run, under `<store>/runs/<run>/regressions/`, and nothing in the checkout changes.
    #[arg(long, value_name = "DIR", conflicts_with = "recheck")]
    regressions: Option<PathBuf>,
    /// Re-check regression seeds (a file, or a directory of them; fuzz/regressions when no
    /// PATH is given) instead of generating cases. A re-check writes no seed.
    #[arg(
        long,
        value_name = "PATH",
        num_args = 0..=1,
        default_missing_value = DEFAULT_SEEDS,
        conflicts_with_all = ["cases", "duration", "resume"]
    )]
    recheck: Option<PathBuf>,
    /// Continue an interrupted campaign from its log (its role, target, seed, clock and
    /// budget are read from the log): its run id, a unique prefix of it, or `latest`.
    #[arg(long, value_name = "RUN")]
    resume: Option<String>,
    /// Verifier campaigns: start Accord's trust-list host and have an in-process verifier
    /// fetch both lists for every response, as in runs (by default a builtin verifier is
    /// given the lists at start-up; verifiers in containers or at URLs always fetch).
    #[arg(long)]
    fetch_trust_lists: bool,
    /// No progress bar (it is drawn only on a terminal anyway).
    #[arg(long)]
    quiet: bool,
    /// Roles Accord starts speak plain HTTP on loopback instead of HTTPS (recorded; real
    /// implementations refuse it).
    #[arg(long)]
    plain_http: bool,
    /// The docker-compose.yml a `compose` manifest names its service in (default:
    /// docker-compose.yml); it must exist when the target is a compose service.
    #[arg(long, value_name = "FILE")]
    compose_file: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    signing: SigningKeyArg,
}

/// Where the project keeps its regression seeds: what `--recheck` alone re-checks.
const DEFAULT_SEEDS: &str = "fuzz/regressions";

/// `--compose-file` when not given.
const COMPOSE_FILE: &str = "docker-compose.yml";

/// `--store` when not given (nor `ACCORD_STORE`).
const DEFAULT_STORE: &str = ".accord";

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit (90s, 10m, 2h)"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        other => return Err(format!("{text:?}: unknown unit {other:?} (s, m or h)")),
    };
    Ok(Duration::from_secs(seconds))
}

/// What a campaign is, as recorded in `campaign-started` (and read back to resume it).
struct Setup {
    role: FuzzRole,
    part: Part,
    casting: Casting,
    seed: u64,
    /// The campaign's start, or the fixed instant of every clock.
    now: i64,
    fixed_clock: bool,
    /// The manifest the target was read from.
    manifest: Option<String>,
    cases: Option<u64>,
    duration: Option<Duration>,
    jobs: usize,
    /// Verifier campaigns: an in-process verifier fetches trust lists per response.
    fetch_trust_lists: bool,
    /// HTTPS or plain HTTP for the roles and hosts the campaign starts.
    security: Security,
}

fn part_named(name: &str) -> Result<Part, CliError> {
    Part::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| CliError::Usage(format!("--part {name:?}: not a part")))
}

fn casting_and_part(
    target: &str,
    part: Option<&str>,
    role: FuzzRole,
) -> Result<(Casting, Part), CliError> {
    let wanted = part.map(part_named).transpose()?;
    let casting = target_casting(target)?;
    let in_role = parts_in_role(&casting, role);
    let part = match wanted {
        Some(p) if in_role.contains(&p) => p,
        Some(p) => {
            return Err(CliError::Usage(format!(
                "--part {}: {target} does not play it as a {}",
                p.name(),
                role.as_str()
            )));
        }
        None => default_part(role, &in_role).ok_or_else(|| {
            CliError::Usage(format!("{target} does not play the {} role", role.as_str()))
        })?,
    };
    Ok((casting, part))
}

/// The implementation `--target` names: Accord's reference roles, or a manifest, refused
/// with every problem it has (each with its line) before anything is recorded.
fn target_casting(target: &str) -> Result<Casting, CliError> {
    if target == "reference" || target == crate::run::cast::REFERENCE {
        return Ok(Casting::Reference);
    }
    let path = PathBuf::from(target);
    let manifest = crate::run::manifest::load(&path).map_err(|e| {
        CliError::Usage(format!(
            "the target's manifest cannot be used, nothing was fuzzed (`accord impl check` shows the same):\n{e}"
        ))
    })?;
    Ok(Casting::Manifest {
        manifest: Arc::new(manifest),
        path,
    })
}

/// The parts the implementation plays in the role under test.
fn parts_in_role(casting: &Casting, role: FuzzRole) -> Vec<Part> {
    let plays = match casting {
        Casting::Manifest { manifest, .. } => Part::played_by(manifest),
        Casting::Reference => Part::ALL.to_vec(),
    };
    plays
        .into_iter()
        .filter(|p| p.role() == role.as_str())
        .collect()
}

/// The part fuzzed when `--part` is not given: `verifier-jp`, `issuer-eu` or `wallet` if the
/// implementation plays it, else the first it plays in the role.
fn default_part(role: FuzzRole, in_role: &[Part]) -> Option<Part> {
    let default = match role {
        FuzzRole::Verifier => Part::VerifierJp,
        FuzzRole::Issuer => Part::IssuerEu,
        FuzzRole::Wallet => Part::Wallet,
    };
    if in_role.contains(&default) {
        Some(default)
    } else {
        in_role.first().copied()
    }
}

/// Refuses a compose target whose compose file is not there, and a compose file named that
/// is not there, before anything is recorded.
fn check_compose_file(casting: &Casting, given: Option<&Path>) -> Result<(), CliError> {
    let file = given.unwrap_or(Path::new(COMPOSE_FILE));
    let compose = casting.kind() == "compose";
    if (given.is_some() || compose) && !file.is_file() {
        let why = if compose {
            " (the target is a service of it)"
        } else {
            ""
        };
        return Err(CliError::Usage(format!(
            "--compose-file {}: no such file{why}",
            file.display()
        )));
    }
    Ok(())
}

/// An interrupted campaign as read back from its log.
struct Resumed {
    setup: Setup,
    /// The last checkpoint: next case, cases run, finding cases; and the time spent.
    checkpoint: (u64, u64, u64),
    elapsed: Duration,
    /// The interrupted session's cell, finished before the next one starts.
    open_cell: Option<String>,
    recorded: BTreeSet<String>,
    /// Cells (sessions) the campaign has had.
    cells: u64,
}

/// Reads an interrupted campaign back: its setup, checkpoint and recorded signatures.
fn read_resumed(events: &[Envelope], run: &str) -> Result<Resumed, CliError> {
    let bad = |m: String| CliError::Usage(format!("--resume {run}: {m}"));
    let mut seed = None;
    let mut now = None;
    let mut security = Security::PlainHttp;
    let mut started = None;
    let mut checkpoint = (0u64, 0u64, 0u64);
    let mut elapsed_ms = 0u64;
    // The last cell that never finished (the session interrupted).
    let mut open_cell: Option<String> = None;
    let mut recorded = BTreeSet::new();
    let mut cells = 0u64;
    for e in events {
        match e.event() {
            Ok(Event::RunStarted {
                seed: s,
                now: n,
                security: recorded_security,
                ..
            }) => {
                seed = s.parse::<u64>().ok();
                now = n;
                // Campaigns before log format 7 spoke plain HTTP.
                security = recorded_security.unwrap_or(Security::PlainHttp);
            }
            Ok(Event::CampaignStarted {
                role,
                target,
                part,
                cases,
                duration_s,
                jobs,
                source,
                manifest,
                fixed_clock,
                fetch_trust_lists,
            }) => {
                if source != "generated" {
                    return Err(bad(
                        "a re-check of regression seeds is not resumed; run it again".into(),
                    ));
                }
                started = Some((
                    role,
                    manifest.unwrap_or(target),
                    part,
                    cases,
                    duration_s,
                    jobs,
                    fixed_clock,
                    fetch_trust_lists,
                ));
            }
            Ok(Event::CampaignProgressed {
                next_case,
                cases_run,
                findings,
                elapsed_ms: e,
            }) => {
                checkpoint = (next_case, cases_run, findings);
                elapsed_ms = e;
            }
            Ok(Event::FindingRecorded { signature, .. }) => {
                recorded.insert(signature);
            }
            Ok(Event::CellStarted { cell, .. }) => {
                cells += 1;
                open_cell = Some(cell);
            }
            Ok(Event::CellFinished { .. }) => open_cell = None,
            Ok(Event::RunFinished { .. }) => {
                return Err(bad(
                    "the campaign finished; there is nothing to resume".into()
                ));
            }
            _ => {}
        }
    }
    let (role, target, part, cases, duration_s, jobs, fixed_clock, fetch_trust_lists) =
        started.ok_or_else(|| bad("not a fuzzing campaign (no campaign-started event)".into()))?;
    let role = match role.as_str() {
        "verifier" => FuzzRole::Verifier,
        "issuer" => FuzzRole::Issuer,
        "wallet" => FuzzRole::Wallet,
        other => return Err(bad(format!("unknown role {other:?}"))),
    };
    let target = if target == crate::run::cast::REFERENCE {
        "reference".to_owned()
    } else {
        target
    };
    let (casting, part) = casting_and_part(&target, Some(&part), role)?;
    Ok(Resumed {
        setup: Setup {
            role,
            part,
            casting,
            seed: seed.ok_or_else(|| bad("the log has no seed".into()))?,
            // A fixed clock stays fixed; a system clock is read afresh.
            now: if fixed_clock {
                now.ok_or_else(|| bad("the log has no clock".into()))?
            } else {
                crate::entropy::SystemClock.now()
            },
            fixed_clock,
            manifest: (target != "reference").then(|| target.clone()),
            cases,
            duration: duration_s.map(Duration::from_secs),
            jobs: jobs as usize,
            fetch_trust_lists,
            security,
        },
        checkpoint,
        elapsed: Duration::from_millis(elapsed_ms),
        recorded,
        cells,
        open_cell,
    })
}

pub fn fuzz(a: FuzzArgs) -> Result<ExitCode, CliError> {
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::new(a.store.path()));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if let Some(dir) = &a.regressions
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(CliError::Usage(format!(
            "--regressions {}: not a directory",
            dir.display()
        )));
    }
    // Usage errors (a broken manifest, a missing compose file, unreadable seeds) are refused
    // before the signing key is loaded or created and before anything is recorded.
    // The campaign: new, or read back from its log.
    let (setup, mut recorder, start, plan_state, resumed) = match &a.resume {
        Some(run) => {
            let run = &super::runs_cmd::resolve(&EmbeddedStore::new(a.store.path()), run)?;
            let (recorder, events) = RunRecorder::resume(store.clone(), clock.clone(), run)
                .map_err(|e| match e {
                    crate::store::StoreError::UnknownRun(_) => store_error(e),
                    other => CliError::Usage(other.to_string()),
                })?;
            let r = read_resumed(&events, run)?;
            check_compose_file(&r.setup.casting, a.compose_file.as_deref())?;
            let signing_key = Some(a.signing.load(a.store.path())?);
            // One key vouches for a run: a resume signed with another would break the log.
            if let (Ok(audit), Some(key)) = (crate::events::verify_log(&events), &signing_key)
                && let Some((signer, source)) = &audit.signer
                && (signer != key.thumbprint() || *source != key.source())
            {
                return Err(CliError::Usage(format!(
                    "run `{run}` was signed by key {signer} ({}); resume it with that key \
                     (--signing-key or ACCORD_SIGNING_KEY), not key {} ({})",
                    source.describe(),
                    key.thumbprint(),
                    key.source().describe()
                )));
            }
            let mut recorder = recorder.with_checkpoints(signing_key);
            let (next, cases_run, findings) = r.checkpoint;
            if let Some(cell) = r.open_cell {
                // The interrupted session's cell ends here; its findings keep their verdict.
                recorder
                    .record(&Event::CellFinished {
                        cell,
                        verdict: if r.recorded.is_empty() {
                            Verdict::Passed
                        } else {
                            Verdict::Failed
                        },
                        blocked: None,
                        not_applicable: Vec::new(),
                    })
                    .map_err(store_error)?;
            }
            (
                r.setup,
                recorder,
                next,
                (cases_run, findings, r.recorded, r.elapsed),
                Some(r.cells),
            )
        }
        None => {
            let role = a.role.ok_or_else(|| {
                CliError::Usage("--role is required (verifier, wallet or issuer)".into())
            })?;
            let (casting, part) = casting_and_part(&a.target, a.part.as_deref(), role)?;
            check_compose_file(&casting, a.compose_file.as_deref())?;
            let casting_kind = casting.kind();
            if let Some(path) = &a.recheck {
                // Unreadable seeds are refused before a campaign log is created.
                precheck_seeds(role, path)?;
            }
            let seed = a.seed.unwrap_or_else(|| SystemEntropy.below(1 << 53));
            let now = super::io::parse_now(a.now.as_deref())?;
            let signing_key = Some(a.signing.load(a.store.path())?);
            let manifest = (a.target != "reference" && a.target != crate::run::cast::REFERENCE)
                .then(|| a.target.clone());
            let cases = match (a.cases, a.duration, &a.recheck) {
                (None, None, None) => Some(1000),
                (c, _, _) => c,
            };
            let setup = Setup {
                role,
                part,
                casting,
                seed,
                now,
                // Roles Accord starts (in process, containers given `{now}`) share one fixed
                // clock with the cases, as in runs; an implementation already running (a URL,
                // a compose service) keeps its own, so the cases follow the system clock.
                fixed_clock: a.now.is_some()
                    || matches!(casting_kind.as_str(), "builtin" | "container"),
                manifest,
                cases,
                duration: a.duration,
                jobs: a.jobs.max(1),
                fetch_trust_lists: a.fetch_trust_lists,
                security: Security::from_plain_flag(a.plain_http),
            };
            let mut attempt = 0u64;
            let (_id, mut recorder) = loop {
                let id = new_run_id(clock.as_ref(), seed.wrapping_add(attempt));
                match RunRecorder::create(store.clone(), clock.clone(), &id) {
                    Ok(r) => break (id, r.with_checkpoints(signing_key.clone())),
                    Err(crate::store::StoreError::RunExists(_)) if attempt < 1000 => attempt += 1,
                    Err(e) => return Err(store_error(e)),
                }
            };
            recorder
                .record(&Event::RunStarted {
                    profile: None,
                    format: FORMAT_VERSION,
                    harness_version: env!("CARGO_PKG_VERSION").to_owned(),
                    seed: seed.to_string(),
                    features: format!("fuzz {}", role.as_str()),
                    tags: None,
                    now: Some(now),
                    replay_of: None,
                    security: Some(setup.security),
                })
                .map_err(store_error)?;
            recorder
                .record(&Event::CampaignStarted {
                    role: role.as_str().to_owned(),
                    target: setup.casting.implementation(),
                    part: part.name().to_owned(),
                    cases: setup.cases,
                    duration_s: setup.duration.map(|d| d.as_secs()),
                    jobs: setup.jobs as u64,
                    source: match &a.recheck {
                        Some(p) => format!("regression seeds: {}", p.display()),
                        None => "generated".to_owned(),
                    },
                    manifest: setup.manifest.clone(),
                    fixed_clock: setup.fixed_clock,
                    fetch_trust_lists: setup.fetch_trust_lists,
                })
                .map_err(store_error)?;
            (
                setup,
                recorder,
                0,
                (0, 0, BTreeSet::new(), Duration::ZERO),
                None,
            )
        }
    };
    let run_id = recorder.run_id().to_owned();
    // A re-check writes no seed (it re-checks existing ones); a campaign writes its seeds
    // with its run, and into a directory of the checkout only when asked to.
    let regressions = match (&a.recheck, &a.regressions) {
        (Some(_), _) => None,
        (None, Some(dir)) => Some(dir.clone()),
        (None, None) => Some(run_regressions(a.store.path(), &run_id)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the runtime: {e}")))?;
    let plan = Plan {
        seed: setup.seed,
        cases: setup.cases,
        duration: setup.duration,
        jobs: setup.jobs,
        regressions,
        role: setup.role.as_str(),
        part: setup.part.name(),
        target: setup.casting.implementation(),
        cases_run: plan_state.0,
        finding_cases: plan_state.1,
        recorded: plan_state.2,
        elapsed_before: plan_state.3,
        show_progress: !a.quiet,
    };
    let result = runtime.block_on(campaign_on_cast(
        &setup,
        plan,
        a.recheck.as_deref(),
        start,
        &mut recorder,
        a.compose_file.as_deref().unwrap_or(Path::new(COMPOSE_FILE)),
        resumed,
    ));
    let outcome = match result {
        Ok(o) => o,
        Err(CampaignError::Start(message)) => {
            recorder
                .record(&Event::HarnessFaulted {
                    message: message.clone(),
                })
                .map_err(store_error)?;
            // A new campaign that never started is over; a resumed one can be resumed again.
            if resumed.is_none() {
                recorder
                    .record(&Event::RunFinished {
                        verdict: Verdict::Inconclusive,
                    })
                    .map_err(store_error)?;
            }
            eprintln!("accord: fuzz: {message}");
            return Ok(ExitCode::from(3));
        }
        Err(CampaignError::Usage(m)) => return Err(CliError::Usage(m)),
        Err(CampaignError::Store(e)) => return Err(store_error(e)),
    };
    // Every finding of the campaign, this invocation's and those recorded before a resume.
    let log = store.read(&run_id).map_err(store_error)?;
    let view = crate::projections::project(&log.events, &log.tail);
    let all_findings = view.campaign.as_ref().map_or(0, |c| c.findings.len());
    // A harness fault anywhere in the campaign (a worker that panicked, a resume that did
    // not start) means some cases may not have run: no pass can be claimed.
    let verdict = if all_findings > 0 || outcome.target_down {
        Verdict::Failed
    } else if !view.faults.is_empty() {
        Verdict::Inconclusive
    } else {
        Verdict::Passed
    };
    if !outcome.interrupted {
        recorder
            .record(&Event::RunFinished { verdict })
            .map_err(store_error)?;
        recorder.sync().map_err(store_error)?;
    }
    print_summary(&run_id, &setup, &outcome, &view, &a);
    Ok(if outcome.interrupted {
        eprintln!(
            "accord: fuzz: interrupted after {} cases; continue with: accord fuzz --resume {run_id} --store {}",
            outcome.cases_run,
            a.store.path().display()
        );
        ExitCode::from(3)
    } else if verdict == Verdict::Failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(
    run_id: &str,
    setup: &Setup,
    outcome: &Outcome,
    view: &crate::projections::RunView,
    a: &FuzzArgs,
) {
    let mut out = String::new();
    let what = if a.recheck.is_some() {
        "re-check"
    } else {
        "campaign"
    };
    out.push_str(&format!(
        "fuzz {what} {run_id}: {} {} ({}), seed {}\n",
        setup.role.as_str(),
        setup.casting.implementation(),
        setup.part.name(),
        setup.seed
    ));
    out.push_str(&format!(
        "{} cases in {:.1} s: {:.0} cases/s ({} in all); {} case(s) answered wrongly\n",
        outcome.cases_now,
        outcome.elapsed.as_secs_f64(),
        outcome.cases_per_second(),
        outcome.cases_run,
        outcome.finding_cases
    ));
    let findings = view
        .campaign
        .as_ref()
        .map(|c| c.findings.as_slice())
        .unwrap_or_default();
    if findings.is_empty() {
        out.push_str("no finding\n");
    }
    let mut written = false;
    for f in findings {
        out.push_str(&format!(
            "FINDING {}\n  expected {}, observed {}\n  requirement {}\n  shrunk in {} step(s)\n",
            f.scenario,
            f.expected,
            f.observed,
            campaign::requirement_line(&f.requirement),
            f.shrink_steps
        ));
        if let Some((_, _, Some(file))) =
            outcome.findings.iter().find(|(s, _, _)| *s == f.signature)
        {
            written = true;
            out.push_str(&format!(
                "  regression seed {}\n  re-check: {}\n",
                file.display(),
                recheck_command(setup, a, file)
            ));
        }
    }
    if written && a.regressions.is_none() {
        out.push_str(&format!(
            "the regression seeds are kept with the run; to keep them with the project, copy them into {DEFAULT_SEEDS}/{}/ (or fuzz with --regressions {DEFAULT_SEEDS})\n",
            setup.role.as_str()
        ));
    }
    if !findings.is_empty() {
        let store = store_words(a);
        out.push_str(&format!(
            "evidence: accord report {run_id}{store}; replay against another build: accord replay {run_id} --against MANIFEST --part {}{store}\n",
            setup.part.name()
        ));
    }
    print!("{out}");
}

/// Where a campaign's regression seeds go when `--regressions` is not given: with its run
/// in the store (`<store>/runs/<run>/regressions`).
fn run_regressions(store: &Path, run_id: &str) -> PathBuf {
    let log = EmbeddedStore::new(store).log_path(run_id);
    log.parent().unwrap_or(store).join("regressions")
}

/// ` --store DIR` when the store is not the default, for the commands a summary suggests.
fn store_words(a: &FuzzArgs) -> String {
    if a.store.path() == Path::new(DEFAULT_STORE) {
        String::new()
    } else {
        format!(
            " --store {}",
            shell_word(&a.store.path().display().to_string())
        )
    }
}

/// The command that re-checks a finding's regression seed against what the campaign fuzzed:
/// every option that changed what was fuzzed (the target, the part when not its default,
/// the clock when fixed by hand, trust-list fetching, plain HTTP, the compose file, the
/// store), so that following it reproduces the finding as printed.
fn recheck_command(setup: &Setup, a: &FuzzArgs, seed: &Path) -> String {
    let mut words: Vec<String> = ["accord", "fuzz", "--role", setup.role.as_str()]
        .map(str::to_owned)
        .to_vec();
    let mut option = |name: &str, value: Option<String>| {
        words.push(name.to_owned());
        words.extend(value.map(|v| shell_word(&v)));
    };
    if let Some(target) = &setup.manifest {
        option("--target", Some(target.clone()));
    }
    if default_part(setup.role, &parts_in_role(&setup.casting, setup.role)) != Some(setup.part) {
        option("--part", Some(setup.part.name().to_owned()));
    }
    // A clock fixed by hand: given now, or (resumed) recorded for an implementation that
    // would otherwise follow the system clock.
    let by_hand = a.now.is_some()
        || (setup.fixed_clock && !matches!(setup.casting.kind().as_str(), "builtin" | "container"));
    if by_hand {
        let now = a.now.clone().unwrap_or_else(|| {
            time::OffsetDateTime::from_unix_timestamp(setup.now)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| setup.now.to_string())
        });
        option("--now", Some(now));
    }
    if setup.fetch_trust_lists {
        option("--fetch-trust-lists", None);
    }
    if setup.security == Security::PlainHttp {
        option("--plain-http", None);
    }
    if let Some(file) = &a.compose_file {
        option("--compose-file", Some(file.display().to_string()));
    }
    if a.store.path() != Path::new(DEFAULT_STORE) {
        option("--store", Some(a.store.path().display().to_string()));
    }
    option("--recheck", Some(seed.display().to_string()));
    words.join(" ")
}

/// A word of a shell command, quoted when it holds anything a shell would read otherwise.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

enum CampaignError {
    Start(String),
    Usage(String),
    Store(crate::store::StoreError),
}

impl From<crate::store::StoreError> for CampaignError {
    fn from(e: crate::store::StoreError) -> Self {
        CampaignError::Store(e)
    }
}

/// Starts the target and what it needs, records the cell, runs the campaign, stops it all.
async fn campaign_on_cast(
    setup: &Setup,
    plan: Plan,
    recheck: Option<&std::path::Path>,
    start: u64,
    recorder: &mut RunRecorder,
    compose_file: &std::path::Path,
    resumed: Option<u64>,
) -> Result<Outcome, CampaignError> {
    // An implementation already running (a URL, a compose service) was configured with a
    // test PKI of its own seed; the campaign must sign with the same keys.
    let pki_seed = setup.casting.pki_seed().unwrap_or(setup.seed);
    let clock: Arc<dyn Clock> = if setup.fixed_clock {
        Arc::new(FixedClock(setup.now))
    } else {
        Arc::new(SystemClock)
    };
    let pki = Arc::new(
        TestPki::generate(pki_seed)
            .map_err(|e| CampaignError::Start(format!("cannot prepare the test PKI: {e}")))?,
    );
    let sink = ExchangeSink::default();
    let trust = ClientTrust::of(&pki);
    let transport = Transport::new(sink, Limits::default(), &trust)
        .map_err(|e| CampaignError::Start(e.to_string()))?;
    let stage = Stage {
        pki: pki.clone(),
        seed: setup.seed,
        clock: clock.clone(),
        transport: transport.clone(),
        trust,
        security: setup.security,
        label: format!("accord-fuzz-{}", std::process::id()),
        compose_file: compose_file.to_path_buf(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "accord: fuzz: stopping after the cases in flight (Ctrl-C again to exit at once; the log stays whole)"
            );
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            // Every event is written whole, so the log is readable and resumable from its
            // last checkpoint.
            std::process::exit(130);
        }
    });
    match setup.role {
        FuzzRole::Verifier => {
            // The campaign plays the status-list host: each case serves its own list.
            let board = Arc::new(StatusBoard::default());
            let (host, elsewhere) =
                campaign_host(&stage, Part::StatusList, StatusBoard::router(board.clone())).await?;
            let castings = BTreeMap::from([(setup.part, setup.casting.clone())]);
            // Trust lists are not what a verifier campaign varies: a builtin verifier is given
            // them at start-up (as `accord serve verifier` is without a trust-list host),
            // others fetch them from Accord's host.
            let play: &[Part] = if setup.casting.kind() == "builtin" && !setup.fetch_trust_lists {
                &[setup.part]
            } else {
                &[Part::TrustList, setup.part]
            };
            let cast = Cast::start_partial(stage, castings, play, &BTreeMap::new(), &elsewhere)
                .await
                .map_err(|e| CampaignError::Start(format!("the target could not start: {e}")))?;
            let player = cast.player(setup.part);
            let subject = Arc::new(
                VerifierSubject::new(
                    player.base_url(),
                    &player.control_path,
                    pki,
                    clock.clone(),
                    &host.base_url,
                    board,
                )
                .with_declared_modes(cast.declared_response_modes(setup.part).as_deref()),
            );
            let result = drive(
                subject, plan, recheck, start, recorder, &cast, &transport, setup, resumed, stop,
            )
            .await;
            cast.stop().await;
            host.stop().await;
            result
        }
        FuzzRole::Issuer => {
            // The issuer points its credentials at the reference status-list host.
            let castings = BTreeMap::from([(setup.part, setup.casting.clone())]);
            let cast = Cast::start_partial(
                stage,
                castings,
                &[Part::StatusList, setup.part],
                &BTreeMap::new(),
                &BTreeMap::new(),
            )
            .await
            .map_err(|e| CampaignError::Start(format!("the target could not start: {e}")))?;
            let player = cast.player(setup.part);
            let issuer = if setup.part == Part::IssuerJp {
                crate::fuzz::verifier::Issuer::Jp
            } else {
                crate::fuzz::verifier::Issuer::Eu
            };
            let subject = Arc::new(IssuerSubject::new(
                player.base_url(),
                &player.control_path,
                issuer,
                clock.clone(),
            ));
            let result = drive(
                subject, plan, recheck, start, recorder, &cast, &transport, setup, resumed, stop,
            )
            .await;
            cast.stop().await;
            result
        }
        FuzzRole::Wallet => {
            // The campaign plays the JP verifier; the reference JP issuer gives the wallet
            // the degree the requests ask about.
            let double = Arc::new(VerifierDouble::default());
            let (host, elsewhere) = campaign_host(
                &stage,
                Part::VerifierJp,
                VerifierDouble::router(double.clone()),
            )
            .await?;
            let castings = BTreeMap::from([(setup.part, setup.casting.clone())]);
            let cast = Cast::start_partial(
                stage,
                castings,
                &[Part::StatusList, Part::IssuerJp, setup.part],
                &BTreeMap::new(),
                &elsewhere,
            )
            .await
            .map_err(|e| CampaignError::Start(format!("the target could not start: {e}")))?;
            if let Err(e) = hand_a_degree(&cast, setup.part).await {
                cast.stop().await;
                host.stop().await;
                return Err(CampaignError::Start(format!(
                    "the wallet could not be given a credential to present: {e}"
                )));
            }
            // The issuance is setup, not a case.
            transport.sink().drain();
            let player = cast.player(setup.part);
            let subject = Arc::new(WalletSubject::new(
                player.base_url(),
                &player.control_path,
                pki,
                clock.clone(),
                &host.base_url,
                double,
            ));
            let result = drive(
                subject, plan, recheck, start, recorder, &cast, &transport, setup, resumed, stop,
            )
            .await;
            cast.stop().await;
            host.stop().await;
            result
        }
    }
}

/// Reads the regression seeds of `role` at `path` and checks that each can be played.
fn precheck_seeds(role: FuzzRole, path: &std::path::Path) -> Result<(), CliError> {
    let name = role.as_str();
    let problem = match role {
        FuzzRole::Verifier => campaign::read_seeds::<crate::fuzz::verifier::VerifierCase>(
            path, name,
        )
        .and_then(|seeds| {
            seeds
                .iter()
                .try_for_each(|(file, c)| c.check().map_err(|e| format!("{file}: {e}")))
        }),
        FuzzRole::Issuer => {
            campaign::read_seeds::<crate::fuzz::issuer::IssuerCase>(path, name).map(|_| ())
        }
        FuzzRole::Wallet => {
            campaign::read_seeds::<crate::fuzz::wallet::WalletCase>(path, name).map(|_| ())
        }
    };
    problem.map_err(CliError::Usage)
}

/// Starts a part the campaign itself plays (a status-list host, a verifier) on loopback, and
/// the record that has the cast point the target at it.
async fn campaign_host(
    stage: &Stage,
    part: Part,
    router: axum::Router,
) -> Result<(Running, BTreeMap<Part, PlayerRecord>), CampaignError> {
    let fail = |e: String| {
        CampaignError::Start(format!("cannot start the campaign's {}: {e}", part.name()))
    };
    let listen = crate::roles::Listen::role(
        stage.security,
        &stage.pki,
        &part.host(),
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .map_err(|e| fail(e.to_string()))?;
    let host = crate::roles::serve(part.name(), listen, move |_| router)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let record = PlayerRecord::new(part, "accord-fuzz", "builtin", &host.base_url);
    Ok((host, BTreeMap::from([(part, record)])))
}

/// Has the reference JP issuer issue its example degree to the wallet under test.
async fn hand_a_degree(cast: &Cast, wallet: Part) -> Result<(), String> {
    let issuer = cast.player(Part::IssuerJp);
    let offer = cast
        .control(Part::IssuerJp)
        .create_offer(
            issuer.base_url(),
            &serde_json::json!({"flow": "pre_authorized_code", "tx_code": false}),
        )
        .await
        .map_err(|e| e.to_string())?;
    let uri = offer.body["uri"]
        .as_str()
        .ok_or_else(|| format!("the issuer made no offer: {}", offer.body))?;
    let accepted = cast
        .control(wallet)
        .accept_offer(cast.player(wallet).base_url(), uri, None)
        .await
        .map_err(|e| e.to_string())?;
    if accepted.ok() {
        Ok(())
    } else {
        Err(format!("HTTP {}: {}", accepted.status, accepted.body))
    }
}

#[allow(clippy::too_many_arguments)]
async fn drive<S: Subject>(
    subject: Arc<S>,
    plan: Plan,
    recheck: Option<&std::path::Path>,
    start: u64,
    recorder: &mut RunRecorder,
    cast: &Cast,
    transport: &Transport,
    setup: &Setup,
    resumed: Option<u64>,
    stop: Arc<AtomicBool>,
) -> Result<Outcome, CampaignError> {
    let source = match recheck {
        Some(path) => {
            let seeds: Vec<(String, S::Case)> =
                campaign::read_seeds(path, setup.role.as_str()).map_err(CampaignError::Usage)?;
            for (file, case) in &seeds {
                subject
                    .check(case)
                    .map_err(|e| CampaignError::Usage(format!("{file}: {e}")))?;
            }
            Source::Seeds(seeds)
        }
        None => Source::Generated { start },
    };
    let cell = match resumed {
        Some(n) => format!(
            "{} as {} (resumed at case {start}, session {})",
            setup.casting.implementation(),
            setup.part.name(),
            n + 1
        ),
        None => format!(
            "{} as {}",
            setup.casting.implementation(),
            setup.part.name()
        ),
    };
    recorder.record(&Event::CellStarted {
        cell: cell.clone(),
        players: cast.records(),
        pki_seed: setup
            .casting
            .pki_seed()
            .filter(|s| *s != setup.seed)
            .map(|s| s.to_string()),
    })?;
    let outcome = campaign::run(subject, plan, source, recorder, transport, &cell, stop).await?;
    if !outcome.interrupted {
        // A resumed session's findings are those of its cell; the campaign's verdict counts
        // every session's.
        let verdict = if outcome.findings.is_empty() && !outcome.target_down {
            Verdict::Passed
        } else {
            Verdict::Failed
        };
        recorder.record(&Event::CellFinished {
            cell,
            verdict,
            blocked: None,
            not_applicable: Vec::new(),
        })?;
    }
    Ok(outcome)
}
