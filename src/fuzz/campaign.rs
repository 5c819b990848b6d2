//! The campaign engine: numbered cases in batches, the oracle, shrinking, findings recorded
//! as scenarios, checkpoints to resume from, regression seed files.
//!
//! Case *n* is `strategy.new_tree(rng(seed, n)).current()`: nothing else feeds it, so a
//! resumed campaign, a re-check and a shrink all see the same case for the same number.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use super::subjects::Subject;
use super::{FindingKind, Observed, judge};
use crate::entropy::{Entropy, SeededEntropy};
use crate::events::{Event, Verdict};
use crate::requirements::catalogue;
use crate::store::{RunRecorder, StoreError};
use crate::transport::{ExchangeSink, Transport};

/// Cases run between two checkpoints.
pub const BATCH: u64 = 512;

/// Shrink steps tried per finding at most (each re-runs the case against the target).
pub const MAX_SHRINK_STEPS: u64 = 256;

/// Cases in a row without an answer (per worker in flight, at least 32) before the campaign
/// gives up on the target: it is down; the finding is recorded, the rest would only repeat
/// it, each after the transport's time limit.
const SILENT_CASES_PER_JOB: u64 = 4;

/// Time spent shrinking one finding at most: a slow target must not hold a batch for hours.
const SHRINK_TIME: Duration = Duration::from_secs(60);

/// Where the cases come from.
pub enum Source<C> {
    /// Generated from the seed, numbered from `start`.
    Generated { start: u64 },
    /// Regression seeds to re-check, in order.
    Seeds(Vec<(String, C)>),
}

/// What a campaign is asked to do.
pub struct Plan {
    pub seed: u64,
    /// Stop after this many cases in all (a resumed campaign counts the cases run before).
    pub cases: Option<u64>,
    pub duration: Option<Duration>,
    pub jobs: usize,
    /// Where regression seeds are written (`<dir>/<role>/<signature>-<hash>.json`); none for
    /// a re-check, which plays seeds and writes none.
    pub regressions: Option<PathBuf>,
    pub role: &'static str,
    /// The part the target plays (`verifier-jp`): the subject of every finding's check.
    pub part: &'static str,
    pub target: String,
    /// Cases already run, finding cases already counted and time already spent (resume).
    pub cases_run: u64,
    pub elapsed_before: Duration,
    pub finding_cases: u64,
    /// Signatures already recorded (resume): not recorded again.
    pub recorded: BTreeSet<String>,
    pub show_progress: bool,
}

/// How a campaign ended.
#[derive(Debug)]
pub struct Outcome {
    pub cases_run: u64,
    /// Cases run by this invocation (for throughput).
    pub cases_now: u64,
    pub elapsed: Duration,
    pub finding_cases: u64,
    /// Findings recorded by this invocation: (signature, scenario, regression file).
    pub findings: Vec<(String, String, Option<PathBuf>)>,
    pub interrupted: bool,
    /// The target stopped answering altogether.
    pub target_down: bool,
}

impl Outcome {
    pub fn cases_per_second(&self) -> f64 {
        self.cases_now as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn runner_for(seed: u64, index: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    SeededEntropy::new(seed, &format!("fuzz/case/{index}")).fill(&mut bytes);
    TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Case `index` of the campaign seeded `seed`, as a value tree (for shrinking).
pub fn tree_at<C: std::fmt::Debug>(
    strategy: &proptest::strategy::SBoxedStrategy<C>,
    seed: u64,
    index: u64,
) -> Option<Box<dyn ValueTree<Value = C>>> {
    strategy.new_tree(&mut runner_for(seed, index)).ok()
}

/// Case `index` of the campaign seeded `seed`.
pub fn case_at<C: std::fmt::Debug>(
    strategy: &proptest::strategy::SBoxedStrategy<C>,
    seed: u64,
    index: u64,
) -> Option<C> {
    tree_at(strategy, seed, index).map(|t| t.current())
}

/// A finding before shrinking.
struct Raw<C> {
    index: u64,
    label: Option<String>,
    case: C,
    kind: FindingKind,
    observed: Observed,
}

/// What findings are deduplicated by: the kind and the mutation, except silence, which says
/// nothing about the mutation (the target was not there to judge it).
fn signature(kind: FindingKind, mutation: &str) -> String {
    match kind {
        FindingKind::NoAnswer => kind.as_str().to_owned(),
        _ => format!("{}:{mutation}", kind.as_str()),
    }
}

/// Runs the campaign. `recording` is the transport whose sink the target's own exchanges
/// (for in-process targets) go to; it is drained after every batch and read for the
/// findings' re-runs. Returns when the budget is spent, `stop` is set, or the target is
/// down.
pub async fn run<S: Subject>(
    subject: Arc<S>,
    plan: Plan,
    source: Source<S::Case>,
    recorder: &mut RunRecorder,
    recording: &Transport,
    cell: &str,
    stop: Arc<AtomicBool>,
) -> Result<Outcome, StoreError> {
    let strategy = subject.strategy();
    let started = Instant::now();
    // The cases' own exchanges are not recorded (only findings are, on their re-run).
    let quiet = recording.with_sink(ExchangeSink::disabled());
    let (mut next, seeds) = match source {
        Source::Generated { start } => (start, None),
        Source::Seeds(s) => (0, Some(Arc::new(s))),
    };
    let end_of_source = seeds.as_ref().map(|s| s.len() as u64);
    let mut cases_run = plan.cases_run;
    let mut finding_cases = plan.finding_cases;
    let mut recorded = plan.recorded.clone();
    let mut findings = Vec::new();
    let mut target_down = false;
    // Cases in a row that got no answer, across workers and batches.
    let silent = Arc::new(AtomicU64::new(0));
    let silent_limit = (plan.jobs.max(1) as u64 * SILENT_CASES_PER_JOB).max(32);
    let spent = |started: &Instant| plan.elapsed_before + started.elapsed();
    // Workers stop taking cases at the deadline, so a slow target cannot stretch the budget
    // by a batch.
    let deadline = plan
        .duration
        .map(|d| started + d.saturating_sub(plan.elapsed_before));
    let progress = progress_bar(&plan);
    let mut interrupted = false;
    loop {
        let remaining = match (plan.cases, end_of_source) {
            (_, Some(n)) => n.saturating_sub(next),
            (Some(total), None) => total.saturating_sub(cases_run),
            (None, None) => u64::MAX,
        };
        if remaining == 0 {
            break;
        }
        if plan.duration.is_some_and(|d| spent(&started) >= d) {
            break;
        }
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let batch_end = next + remaining.min(BATCH);
        let counter = Arc::new(AtomicU64::new(next));
        let raws: Arc<std::sync::Mutex<Vec<Raw<S::Case>>>> = Arc::default();
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..plan.jobs.max(1) {
            let (subject, strategy, counter, raws, quiet, seeds, silent, stop) = (
                subject.clone(),
                strategy.clone(),
                counter.clone(),
                raws.clone(),
                quiet.clone(),
                seeds.clone(),
                silent.clone(),
                stop.clone(),
            );
            let seed = plan.seed;
            workers.spawn(async move {
                loop {
                    // Every index taken is run to its end, so on stopping early every case
                    // below the counter has run: the checkpoint stays exact.
                    if stop.load(Ordering::Relaxed)
                        || silent.load(Ordering::Relaxed) >= silent_limit
                        || deadline.is_some_and(|d| Instant::now() >= d)
                    {
                        break;
                    }
                    let index = counter.fetch_add(1, Ordering::Relaxed);
                    if index >= batch_end {
                        break;
                    }
                    let (case, label) = match &seeds {
                        Some(s) => {
                            let (label, case) = &s[index as usize];
                            (Some(case.clone()), Some(label.clone()))
                        }
                        None => (case_at(&strategy, seed, index), None),
                    };
                    let Some(case) = case else { continue };
                    let observed = subject.run(&case, &quiet).await;
                    // After the run: what is expected may depend on what the target
                    // published (an issuer's binding methods, read at its first case).
                    let expected = subject.expectation(&case).verdict;
                    if matches!(observed, Observed::NoAnswer { .. }) {
                        silent.fetch_add(1, Ordering::Relaxed);
                    } else {
                        silent.store(0, Ordering::Relaxed);
                    }
                    if let Some(kind) = judge(expected, &observed) {
                        raws.lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(Raw {
                                index,
                                label,
                                case,
                                kind,
                                observed,
                            });
                    }
                }
            });
        }
        while let Some(joined) = workers.join_next().await {
            if let Err(e) = joined {
                recorder.record(&Event::HarnessFaulted {
                    message: format!("a fuzzing worker failed: {e}"),
                })?;
            }
        }
        // The target's own exchanges of this batch: only findings keep theirs (re-run below).
        recording.sink().drain();
        // Cases taken and run: the counter, unless a worker stopped the batch early.
        let batch_end = counter.load(Ordering::Relaxed).min(batch_end);
        let batch_cases = batch_end - next;
        cases_run += batch_cases;
        next = batch_end;
        let mut raws = std::mem::take(
            &mut *raws
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        raws.sort_by_key(|r| r.index);
        finding_cases += raws.len() as u64;
        for raw in raws {
            let sig = signature(raw.kind, &subject.mutation(&raw.case));
            if recorded.contains(&sig) {
                continue;
            }
            recorded.insert(sig.clone());
            // Silence is not shrunk: each step would wait out the time limit.
            let shrinkable = seeds.is_none() && raw.kind != FindingKind::NoAnswer;
            let (case, observed, steps) = if shrinkable {
                shrink(&*subject, &strategy, plan.seed, &raw, &sig, &quiet, &stop).await
            } else {
                (raw.case.clone(), raw.observed.clone(), 0)
            };
            recording.sink().drain();
            let (scenario, file) = record_finding(
                &*subject,
                &plan,
                recorder,
                recording,
                cell,
                FindingToRecord {
                    kind: raw.kind,
                    index: raw.index,
                    label: raw.label.as_deref(),
                    signature: &sig,
                    case: &case,
                    observed: &observed,
                    shrink_steps: steps,
                    number: findings.len() + 1 + plan.recorded.len(),
                },
            )
            .await?;
            findings.push((sig, scenario, file));
        }
        recorder.record(&Event::CampaignProgressed {
            next_case: next,
            cases_run,
            findings: finding_cases,
            elapsed_ms: spent(&started).as_millis() as u64,
        })?;
        if let Some(p) = &progress {
            p.set_position(cases_run);
            let rate = (cases_run - plan.cases_run) as f64 / started.elapsed().as_secs_f64();
            p.set_message(format!(
                "{rate:.0} cases/s · {finding_cases} finding case(s) · {} distinct",
                recorded.len()
            ));
        }
        if silent.load(Ordering::Relaxed) >= silent_limit {
            recorder.record(&Event::HarnessFaulted {
                message: format!(
                    "the target stopped answering: {silent_limit} cases in a row got no answer; the campaign ends (its findings are recorded)"
                ),
            })?;
            target_down = true;
            break;
        }
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    recorder.sync()?;
    Ok(Outcome {
        cases_run,
        cases_now: cases_run - plan.cases_run,
        elapsed: started.elapsed(),
        finding_cases,
        findings,
        interrupted,
        target_down,
    })
}

fn progress_bar(plan: &Plan) -> Option<indicatif::ProgressBar> {
    if !plan.show_progress {
        return None;
    }
    let bar = match plan.cases {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_position(plan.cases_run);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} fuzz {prefix} [{elapsed_precise}] {pos}/{len} {msg}",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(plan.role);
    Some(bar)
}

/// Shrinks a finding: simplifies the case's value tree while the same signature persists.
async fn shrink<S: Subject>(
    subject: &S,
    strategy: &proptest::strategy::SBoxedStrategy<S::Case>,
    seed: u64,
    raw: &Raw<S::Case>,
    sig: &str,
    quiet: &Transport,
    stop: &AtomicBool,
) -> (S::Case, Observed, u64) {
    let started = Instant::now();
    let mut best = (raw.case.clone(), raw.observed.clone());
    let Some(mut tree) = tree_at(strategy, seed, raw.index) else {
        return (best.0, best.1, 0);
    };
    let mut steps = 0;
    if !tree.simplify() {
        return (best.0, best.1, 0);
    }
    loop {
        steps += 1;
        let candidate = tree.current();
        let observed = subject.run(&candidate, quiet).await;
        let same = judge(subject.expectation(&candidate).verdict, &observed)
            .is_some_and(|k| signature(k, &subject.mutation(&candidate)) == sig);
        let more = if same {
            best = (candidate, observed);
            tree.simplify()
        } else {
            tree.complicate()
        };
        if !more
            || steps >= MAX_SHRINK_STEPS
            || started.elapsed() >= SHRINK_TIME
            || stop.load(Ordering::Relaxed)
        {
            break;
        }
    }
    (best.0, best.1, steps)
}

struct FindingToRecord<'a, C> {
    kind: FindingKind,
    index: u64,
    label: Option<&'a str>,
    signature: &'a str,
    case: &'a C,
    observed: &'a Observed,
    shrink_steps: u64,
    number: usize,
}

/// Re-runs the shrunk case with recording on and writes the finding as a scenario of the
/// campaign's cell, then as a regression seed file.
async fn record_finding<S: Subject>(
    subject: &S,
    plan: &Plan,
    recorder: &mut RunRecorder,
    recording: &Transport,
    cell: &str,
    f: FindingToRecord<'_, S::Case>,
) -> Result<(String, Option<PathBuf>), StoreError> {
    let expectation = subject.expectation(f.case);
    let mutation = subject.mutation(f.case);
    let scenario = match f.label {
        Some(label) => format!("finding {}: {} (seed {label})", f.number, f.signature),
        None => format!("finding {}: {} (case {})", f.number, f.signature, f.index),
    };
    // The evidence: the case once more, every exchange recorded.
    let rerun = subject.run(f.case, recording).await;
    let exchanges = recording.sink().drain();
    let observed = if judge(expectation.verdict, &rerun).is_some() {
        rerun
    } else {
        // It did not show again: keep what was seen, say so.
        f.observed.clone()
    };
    recorder.record(&Event::ScenarioStarted {
        feature: format!("fuzz {}", plan.role),
        scenario: scenario.clone(),
        line: f.index,
        tags: vec!["@fuzz".into(), format!("@{mutation}")],
        example: Vec::new(),
    })?;
    for exchange in exchanges {
        recorder.record(&Event::HttpExchange {
            scenario: scenario.clone(),
            exchange,
        })?;
    }
    // A wrong verdict breaks the rule the mutation tests; a crash, a 5xx or silence breaks
    // the rule that an implementation answers bad input cleanly, whatever the input was.
    let r = match f.kind {
        FindingKind::WrongAccept | FindingKind::WrongReject | FindingKind::BadAnswer => {
            expectation.requirement
        }
        FindingKind::ServerError | FindingKind::NoAnswer | FindingKind::SetupRefused => {
            &catalogue::ROBUST_FAIL_CLEANLY
        }
    };
    recorder.record(&Event::CheckEvaluated {
        scenario: scenario.clone(),
        subject: Some(plan.part.to_owned()),
        requirement: r.id.to_owned(),
        level: r.level.as_str().to_owned(),
        section: r.section.to_owned(),
        expected: format!("{} ({mutation})", expectation.verdict.as_str()),
        actual: observed.describe(),
        verdict: Verdict::Failed,
    })?;
    let case_json = serde_json::to_value(f.case).unwrap_or(Value::Null);
    recorder.record(&Event::FindingRecorded {
        scenario: scenario.clone(),
        index: f.index,
        signature: f.signature.to_owned(),
        expected: expectation.verdict.as_str().to_owned(),
        observed: observed.describe(),
        requirement: r.id.to_owned(),
        case: case_json.clone(),
        shrink_steps: f.shrink_steps,
    })?;
    recorder.record(&Event::ScenarioFinished {
        feature: format!("fuzz {}", plan.role),
        scenario: scenario.clone(),
        verdict: Verdict::Failed,
    })?;
    let file = plan.regressions.as_ref().and_then(|dir| {
        let seed = json!({
            "format": 1,
            "role": plan.role,
            "signature": f.signature,
            "expected": expectation.verdict.as_str(),
            "requirement": r.id,
            "found": {"run": recorder.run_id(), "case": f.index, "target": plan.target, "cell": cell},
            "case": case_json,
        });
        match write_seed(dir, plan.role, f.signature, &case_json, &seed) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("accord: could not write the regression seed: {e}");
                None
            }
        }
    });
    Ok((scenario, file))
}

/// Writes a regression seed, atomically, as `<dir>/<role>/<signature>-<hash>.json`.
///
/// The hash is of what the seed replays (role, signature, case), never of where it was
/// found (the run), so a finding found again has the same name and is not written twice.
/// A seed of the same case already in the directory, under any name (seeds named before
/// names were derived from the case), is kept as it is and returned.
fn write_seed(
    dir: &Path,
    role: &str,
    signature: &str,
    case: &Value,
    seed: &Value,
) -> std::io::Result<PathBuf> {
    let dir = dir.join(role);
    if let Some(existing) = same_seed(&dir, role, signature, case) {
        return Ok(existing);
    }
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(seed_file_name(role, signature, case));
    if path.exists() {
        return Err(std::io::Error::other(format!(
            "{} exists and holds another case; it is left as it is",
            path.display()
        )));
    }
    let text = serde_json::to_string_pretty(seed).unwrap_or_default() + "\n";
    // Through the one output writer: atomic, and never replacing a link or a device that
    // happens to have the seed's name.
    crate::files::write(&path, text.as_bytes()).map_err(std::io::Error::other)?;
    Ok(path)
}

/// A seed's file name: its signature, and a hash of its role, signature and case.
fn seed_file_name(role: &str, signature: &str, case: &Value) -> String {
    let identity = json!({"role": role, "signature": signature, "case": case}).to_string();
    let hash = crate::formats::jose::b64(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        identity.as_bytes(),
    ));
    let name: String = signature
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{name}-{}.json", &hash[..8])
}

/// The seed file in `dir` that replays this very case, if there is one.
fn same_seed(dir: &Path, role: &str, signature: &str, case: &Value) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.into_iter().find(|file| {
        let Ok(text) = crate::files::read_text(file, crate::files::JSON) else {
            return false;
        };
        serde_json::from_str::<Value>(&text).is_ok_and(|v| {
            v.get("role").and_then(Value::as_str) == Some(role)
                && v.get("signature").and_then(Value::as_str) == Some(signature)
                && v.get("case") == Some(case)
        })
    })
}

/// Reads regression seeds of `role` from a file or a directory (its `*.json` files, and those
/// of its `<role>/` folder), each named for messages.
pub fn read_seeds<C: serde::de::DeserializeOwned>(
    path: &Path,
    role: &str,
) -> Result<Vec<(String, C)>, String> {
    let mut files = Vec::new();
    if path.is_dir() {
        for dir in [path.to_path_buf(), path.join(role)] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            files.extend(found);
        }
    } else {
        files.push(path.to_path_buf());
    }
    let mut seeds = Vec::new();
    for file in files {
        let text = crate::files::read_text(&file, crate::files::JSON).map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}:{}:{}: {e}", file.display(), e.line(), e.column()))?;
        if v.get("role").and_then(Value::as_str) != Some(role) {
            continue;
        }
        let case = v.get("case").cloned().unwrap_or(Value::Null);
        let case: C = serde_json::from_value(case)
            .map_err(|e| format!("{}: `case` is not a {role} case: {e}", file.display()))?;
        seeds.push((file.display().to_string(), case));
    }
    if seeds.is_empty() {
        return Err(format!(
            "{}: no {role} regression seed found",
            path.display()
        ));
    }
    Ok(seeds)
}

/// The requirement catalogue entry a finding names, for messages.
pub fn requirement_line(id: &str) -> String {
    catalogue::ALL.iter().find(|r| r.id == id).map_or_else(
        || id.to_owned(),
        |r| format!("{} ({} {})", r.id, r.level.as_str(), r.summary),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(run: &str, case: &Value) -> Value {
        json!({"format": 1, "role": "verifier", "signature": "wrong-accept:none",
               "found": {"run": run, "case": 3}, "case": case})
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join("verifier"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_finding_found_again_is_not_written_twice() {
        let dir = tempfile::tempdir().unwrap();
        let case = json!({"claims": {"a": 1}, "mutation": "none"});
        let sig = "wrong-accept:none";
        let first = write_seed(dir.path(), "verifier", sig, &case, &seed("run-1", &case)).unwrap();
        let bytes = std::fs::read(&first).unwrap();
        // Found again by another run: the same name, the file as the first run wrote it.
        let again = write_seed(dir.path(), "verifier", sig, &case, &seed("run-2", &case)).unwrap();
        assert_eq!(first, again);
        assert_eq!(std::fs::read(&first).unwrap(), bytes);
        assert_eq!(files(dir.path()), std::slice::from_ref(&first));
        // The name is the case's, whatever the directory: another directory, the same name.
        let other = tempfile::tempdir().unwrap();
        let there =
            write_seed(other.path(), "verifier", sig, &case, &seed("run-3", &case)).unwrap();
        assert_eq!(there.file_name(), first.file_name());
        // Another case is another file.
        let case2 = json!({"claims": {"a": 2}, "mutation": "none"});
        let second =
            write_seed(dir.path(), "verifier", sig, &case2, &seed("run-1", &case2)).unwrap();
        assert_ne!(second, first);
        assert_eq!(files(dir.path()).len(), 2);
    }

    #[test]
    fn a_seed_kept_under_an_older_name_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let case = json!({"claims": {"a": 1}, "mutation": "none"});
        std::fs::create_dir_all(dir.path().join("verifier")).unwrap();
        let old = dir.path().join("verifier/wrong-accept-none-RANDOM01.json");
        std::fs::write(&old, seed("run-0", &case).to_string()).unwrap();
        let path = write_seed(
            dir.path(),
            "verifier",
            "wrong-accept:none",
            &case,
            &seed("run-1", &case),
        )
        .unwrap();
        assert_eq!(path, old);
        assert_eq!(files(dir.path()), [old]);
    }
}
