//! `accord runs`: the runs a store holds, what kind each is and how it went; and the one way
//! every command turns a run id a person typed into a run ([`resolve`]).
//!
//! A run is told apart by its events alone: a replay names the run it re-drove
//! (`run-started.replay_of`), a fuzzing campaign has `campaign-started`, a certification run
//! was asked for a profile (`run-started.profile`), a matrix ran more than one cell.
//! Whatever else is a run. Each kind shows what says how it went: a campaign its cases and
//! findings, a replay its scenarios and differences, the others their scenarios' verdicts.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::io::{CliError, emit};
use super::run_cmd::{StoreArg, store_error};
use crate::projections::{self, RunStatus, RunView};
use crate::store::embedded::EmbeddedStore;
use crate::store::resolve::{in_start_order, shortest_unique_prefixes};
use crate::store::{EventStore as _, ResolveError, Tail};

/// The fewest characters of a run id `accord runs` shows (more where ids share them).
const SHORT_ID: usize = 8;

/// What a run was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunKind {
    /// Features run against one cast (`accord run`).
    Run,
    /// Several cells of implementations (`accord run --matrix`).
    Matrix,
    /// A fuzzing campaign, or a re-check of regression seeds (`accord fuzz`).
    #[value(alias = "campaign")]
    Fuzz,
    /// A recording re-driven against an implementation (`accord replay --against`).
    Replay,
    /// A run against a certification profile (`accord run --profile`).
    #[value(alias = "cert")]
    Certification,
}

impl RunKind {
    pub fn of(view: &RunView) -> Self {
        // A replay and a campaign may run several cells (a resumed campaign has one per
        // session): what they are decides first.
        if view.replay_of.is_some() {
            RunKind::Replay
        } else if view.campaign.is_some() {
            RunKind::Fuzz
        } else if view.profile.is_some() {
            RunKind::Certification
        } else if view.cells.len() > 1 {
            RunKind::Matrix
        } else {
            RunKind::Run
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Run => "run",
            RunKind::Matrix => "matrix",
            RunKind::Fuzz => "fuzz",
            RunKind::Replay => "replay",
            RunKind::Certification => "certification",
        }
    }
}

/// The STATUS column's values, to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Passed,
    Failed,
    NotImplemented,
    /// Also matches interrupted runs (both are inconclusive: `accord report` exits 3).
    Inconclusive,
    /// No `run-finished`: killed, crashed, or still going.
    Interrupted,
    /// The log's `run-finished` claims better than its events show (altered).
    Contradicts,
    /// The log cannot be read.
    Corrupt,
}

impl StatusFilter {
    fn matches(self, status: &str) -> bool {
        let name = self
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        status == name || (self == StatusFilter::Inconclusive && status == "interrupted")
    }
}

/// `--since`: an instant, or an age counted back from now.
#[derive(Debug, Clone, Copy)]
pub enum Since {
    At(time::OffsetDateTime),
    Ago(time::Duration),
}

fn parse_since(text: &str) -> Result<Since, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(at) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Since::At(at));
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(text, &date_format) {
        return Ok(Since::At(date.midnight().assume_utc()));
    }
    let bad = || {
        format!(
            "{text:?}: expected an RFC 3339 time (2026-04-01T09:00:00Z), a UTC date \
             (2026-04-01) or an age (90m, 12h, 7d)"
        )
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let seconds = n
        .checked_mul(unit)
        .ok_or_else(|| format!("{text:?}: too long an age"))?;
    Ok(Since::Ago(time::Duration::seconds(seconds)))
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// An array of {id, kind, status, started_at, finished_at, passed, failed, ...}, full ids.
    #[arg(long)]
    json: bool,
    /// Show whole run ids (by default the shortest prefix of at least 8 characters that
    /// names the run in this store, which every command taking a run accepts).
    #[arg(long)]
    full: bool,
    /// Only runs of these kinds (repeatable, or a comma-separated list).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
    kind: Vec<RunKind>,
    /// Only runs with this status (repeatable, or a comma-separated list); `inconclusive`
    /// includes interrupted runs.
    #[arg(
        long,
        visible_alias = "status",
        value_enum,
        value_delimiter = ',',
        value_name = "VERDICT"
    )]
    verdict: Vec<StatusFilter>,
    /// Only runs started at or after this: an RFC 3339 time, a UTC date (2026-04-01), or an
    /// age back from now (90m, 12h, 7d).
    #[arg(long, value_parser = parse_since, value_name = "WHEN")]
    since: Option<Since>,
    /// Only the N most recently started (of the runs the other filters keep).
    #[arg(long, value_name = "N")]
    last: Option<usize>,
    #[command(flatten)]
    store: StoreArg,
}

/// The run a person named in `store`: its whole id, a unique prefix of it, or `latest` /
/// `last` ([`crate::store::resolve`]). Anything else is a usage error (exit 2) that says
/// which store was looked in and, for an ambiguous prefix, which runs it could be.
pub(super) fn resolve(store: &EmbeddedStore, wanted: &str) -> Result<String, CliError> {
    let root = store.root().display();
    crate::store::resolve_run(store, wanted).map_err(|e| match e {
        ResolveError::Empty => {
            CliError::Usage("an empty run id names no run (see `accord runs`)".into())
        }
        ResolveError::NoMatch(_) => match store.list() {
            Ok(ids) if ids.is_empty() => CliError::Usage(format!(
                "no run `{wanted}`: the store {root} has no runs (is --store right?)"
            )),
            _ => CliError::Usage(format!(
                "no run `{wanted}` in the store {root}: no run id is or begins with it \
                 (`accord runs --store {root}` lists them)"
            )),
        },
        ResolveError::Ambiguous { matches, .. } => CliError::Usage(format!(
            "run id `{wanted}` is ambiguous in the store {root}: it begins {} runs ({}); \
             give more of the id",
            matches.len(),
            crate::store::resolve::name_some(&matches)
        )),
        ResolveError::NoRuns(_) => CliError::Usage(format!(
            "`{wanted}` stands for the most recently started run, and the store {root} has no runs"
        )),
        ResolveError::Store(s) => store_error(s),
    })
}

/// One run as listed.
struct Row {
    id: String,
    /// The projection, or why the log could not be read.
    view: Result<RunView, String>,
    torn: bool,
}

impl Row {
    fn started_at(&self) -> Option<String> {
        self.view
            .as_ref()
            .ok()
            .map(|v| v.started_at.clone())
            .filter(|at| !at.is_empty())
    }

    fn kind(&self) -> Option<RunKind> {
        self.view.as_ref().ok().map(RunKind::of)
    }

    /// The verdict the events show; a log whose `run-finished` claims better is flagged,
    /// never believed.
    fn status(&self) -> &'static str {
        match &self.view {
            Err(_) => "corrupt",
            Ok(v) if v.disagreement.is_some() => "contradicts",
            Ok(v) if v.status == RunStatus::Interrupted => "interrupted",
            Ok(v) => v.verdict.as_str(),
        }
    }
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn verdict_counts(v: &RunView) -> String {
    let c = v.counts;
    let mut text = format!("{} passed, {} failed", c.passed, c.failed);
    if c.not_implemented > 0 {
        text.push_str(&format!(", {} not implemented", c.not_implemented));
    }
    if c.inconclusive > 0 {
        text.push_str(&format!(", {} inconclusive", c.inconclusive));
    }
    text
}

/// What says how a run of its kind went, on one line. `short` shortens a run id the way
/// the ID column does.
fn summary(v: &RunView, short: &dyn Fn(&str) -> String) -> String {
    match RunKind::of(v) {
        RunKind::Run => verdict_counts(v),
        RunKind::Matrix => format!(
            "{}: {}",
            plural(v.cells.len() as u64, "cell", "cells"),
            verdict_counts(v)
        ),
        RunKind::Certification => format!(
            "{}: {}",
            v.profile.as_deref().unwrap_or_default(),
            verdict_counts(v)
        ),
        RunKind::Fuzz => {
            let Some(c) = &v.campaign else {
                return String::new();
            };
            let cases = match c.cases {
                // A budget not reached: an interrupted or stopped campaign.
                Some(budget) if c.cases_run < budget => {
                    format!("{} of {budget} cases", c.cases_run)
                }
                _ => plural(c.cases_run, "case", "cases"),
            };
            format!(
                "{}{} {} ({}): {cases}, {}",
                if c.source == "generated" {
                    ""
                } else {
                    "re-check: "
                },
                c.role,
                c.target,
                c.part,
                plural(c.findings.len() as u64, "finding", "findings")
            )
        }
        RunKind::Replay => {
            let differences: usize = v.scenarios.iter().map(|s| s.replay_differences.len()).sum();
            format!(
                "of {}: {} replayed, {}",
                short(v.replay_of.as_deref().unwrap_or_default()),
                plural(v.scenarios.len() as u64, "scenario", "scenarios"),
                plural(differences as u64, "difference", "differences")
            )
        }
    }
}

fn json_row(row: &Row) -> Value {
    let v = match &row.view {
        Err(error) => {
            return json!({
                "id": row.id, "kind": null, "status": "corrupt", "started_at": null,
                "passed": 0, "failed": 0, "error": error,
            });
        }
        Ok(v) => v,
    };
    let kind = RunKind::of(v);
    let mut out = json!({
        "id": row.id, "kind": kind.as_str(), "status": row.status(),
        "started_at": v.started_at, "finished_at": v.finished_at,
        "passed": v.counts.passed, "failed": v.counts.failed,
        "not_implemented": v.counts.not_implemented, "inconclusive": v.counts.inconclusive,
        "events": v.events, "torn": row.torn,
        "derived_verdict": v.verdict.as_str(), "disagreement": v.disagreement,
        "signed_by": v.signed.as_ref().map(|s| json!({"key": s.key, "key_source": s.key_source, "checkpoints": s.checkpoints, "end_vouched": s.end_vouched})),
        "cells": v.cells.len(),
    });
    let extra = match kind {
        RunKind::Certification => json!({"profile": v.profile}),
        RunKind::Fuzz => json!({"campaign": v.campaign.as_ref().map(|c| json!({
            "role": c.role, "target": c.target, "part": c.part, "source": c.source,
            "cases": c.cases, "cases_run": c.cases_run, "finding_cases": c.finding_cases,
            "findings": c.findings.len(),
        }))}),
        RunKind::Replay => json!({"replay": {
            "of": v.replay_of,
            "scenarios": v.scenarios.len(),
            "differences": v.scenarios.iter().map(|s| s.replay_differences.len()).sum::<usize>(),
        }}),
        RunKind::Run | RunKind::Matrix => json!({}),
    };
    if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
        out.extend(extra);
    }
    out
}

/// Pads every column but the last to its widest cell.
fn table(rows: &[[String; 5]]) -> String {
    let mut widths = [0usize; 5];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

pub fn runs(a: RunsArgs) -> Result<ExitCode, CliError> {
    let store = EmbeddedStore::new(a.store.path());
    let ids = store.list().map_err(store_error)?;
    let rows: Vec<Row> = ids
        .iter()
        .map(|id| match store.read(id) {
            Ok(log) => Row {
                id: id.clone(),
                torn: matches!(log.tail, Tail::Torn { .. }),
                view: Ok(projections::project(&log.events, &log.tail)),
            },
            Err(e) => Row {
                id: id.clone(),
                torn: false,
                view: Err(e.to_string()),
            },
        })
        .collect();
    // Shortened among every run of the store, not only those shown: what is shown must
    // name the same run when typed back.
    let short: std::collections::HashMap<String, String> = ids
        .iter()
        .cloned()
        .zip(shortest_unique_prefixes(&ids, SHORT_ID))
        .collect();
    let started: Vec<(Row, Option<String>)> = rows
        .into_iter()
        .map(|r| {
            let at = r.started_at();
            (r, at)
        })
        .collect();
    let mut rows: Vec<Row> = in_start_order(started)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    // An age reaching back before the calendar begins keeps every run.
    let since = a.since.and_then(|s| match s {
        Since::At(at) => Some(at),
        Since::Ago(age) => time::OffsetDateTime::now_utc().checked_sub(age),
    });
    let total = rows.len();
    rows.retain(|r| {
        (a.kind.is_empty() || r.kind().is_some_and(|k| a.kind.contains(&k)))
            && (a.verdict.is_empty() || a.verdict.iter().any(|f| f.matches(r.status())))
            && since.is_none_or(|since| {
                r.started_at()
                    .and_then(|at| {
                        time::OffsetDateTime::parse(
                            &at,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                    })
                    .is_some_and(|at| at >= since)
            })
    });
    if let Some(n) = a.last {
        rows.drain(..rows.len().saturating_sub(n));
    }
    let text = if a.json {
        let all: Vec<Value> = rows.iter().map(json_row).collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&all).unwrap_or_default()
        )
    } else if rows.is_empty() {
        if total == 0 {
            format!("no runs in the store {}\n", a.store.path().display())
        } else {
            format!(
                "no run of the {total} in the store {} matches\n",
                a.store.path().display()
            )
        }
    } else {
        let shown = |id: &str| -> String {
            if a.full {
                return id.to_owned();
            }
            short.get(id).cloned().unwrap_or_else(|| id.to_owned())
        };
        let mut lines = vec![[
            "ID".to_owned(),
            "KIND".to_owned(),
            "STATUS".to_owned(),
            "STARTED".to_owned(),
            "SUMMARY".to_owned(),
        ]];
        for r in &rows {
            lines.push([
                shown(&r.id),
                r.kind().map_or("-", RunKind::as_str).to_owned(),
                r.status().to_owned(),
                r.started_at().unwrap_or_else(|| "-".to_owned()),
                match &r.view {
                    Ok(v) => summary(v, &shown),
                    Err(e) => e.clone(),
                },
            ]);
        }
        table(&lines)
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Envelope, Event, GENESIS, Verdict};

    fn started(replay_of: Option<&str>, profile: Option<&str>) -> Event {
        Event::RunStarted {
            format: crate::events::FORMAT_VERSION,
            harness_version: "test".into(),
            seed: "1".into(),
            features: "features".into(),
            tags: None,
            now: None,
            replay_of: replay_of.map(str::to_owned),
            profile: profile.map(str::to_owned),
            security: None,
        }
    }

    fn cell(id: &str) -> Event {
        Event::CellStarted {
            cell: id.into(),
            players: Vec::new(),
            pki_seed: None,
        }
    }

    fn scenario(name: &str, verdict: Verdict) -> [Event; 2] {
        [
            Event::ScenarioStarted {
                feature: "f".into(),
                scenario: name.into(),
                line: 1,
                tags: Vec::new(),
                example: Vec::new(),
            },
            Event::ScenarioFinished {
                feature: "f".into(),
                scenario: name.into(),
                verdict,
            },
        ]
    }

    fn view(events: &[Event]) -> RunView {
        let mut prev = GENESIS.to_owned();
        let sealed: Vec<Envelope> = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let env = Envelope::seal("run-x", i as u64, 1_800_000_000_000, e, &prev);
                prev.clone_from(&env.hash);
                env
            })
            .collect();
        projections::project(&sealed, &Tail::Clean)
    }

    fn finished(v: Verdict) -> Event {
        Event::RunFinished { verdict: v }
    }

    fn campaign(cases: Option<u64>, source: &str) -> Event {
        Event::CampaignStarted {
            role: "verifier".into(),
            target: "accord-reference".into(),
            part: "verifier-jp".into(),
            cases,
            duration_s: None,
            jobs: 4,
            source: source.into(),
            manifest: None,
            fixed_clock: true,
            fetch_trust_lists: false,
        }
    }

    fn progressed(cases_run: u64) -> Event {
        Event::CampaignProgressed {
            next_case: cases_run,
            cases_run,
            findings: 0,
            elapsed_ms: 1,
        }
    }

    fn short(id: &str) -> String {
        id.chars().take(4).collect()
    }

    #[test]
    fn a_plain_run_shows_its_scenarios_verdicts() {
        let mut events = vec![started(None, None), cell("reference")];
        events.extend(scenario("a", Verdict::Passed));
        events.extend(scenario("b", Verdict::Failed));
        events.extend(scenario("c", Verdict::NotImplemented));
        events.push(finished(Verdict::Failed));
        let v = view(&events);
        assert_eq!(RunKind::of(&v), RunKind::Run);
        assert_eq!(summary(&v, &short), "1 passed, 1 failed, 1 not implemented");
    }

    #[test]
    fn several_cells_make_a_matrix_and_a_profile_a_certification() {
        let mut events = vec![started(None, None), cell("a × b"), cell("c × d")];
        events.extend(scenario("a", Verdict::Passed));
        events.push(finished(Verdict::Passed));
        let v = view(&events);
        assert_eq!(RunKind::of(&v), RunKind::Matrix);
        assert_eq!(summary(&v, &short), "2 cells: 1 passed, 0 failed");
        // Certification says more than matrix: a certified matrix is a certification.
        events[0] = started(None, Some("eu-jp-academic/verifier"));
        let v = view(&events);
        assert_eq!(RunKind::of(&v), RunKind::Certification);
        assert_eq!(
            summary(&v, &short),
            "eu-jp-academic/verifier: 1 passed, 0 failed"
        );
    }

    #[test]
    fn a_campaign_shows_its_cases_and_findings_not_scenarios() {
        // A resumed campaign has a cell per session: still a campaign, not a matrix.
        let events = vec![
            started(None, None),
            campaign(Some(2048), "generated"),
            cell("session 1"),
            progressed(512),
            cell("session 2"),
            progressed(2048),
            finished(Verdict::Passed),
        ];
        let v = view(&events);
        assert_eq!(RunKind::of(&v), RunKind::Fuzz);
        assert_eq!(
            summary(&v, &short),
            "verifier accord-reference (verifier-jp): 2048 cases, 0 findings"
        );
        // Interrupted short of its budget; a re-check of seeds.
        let v = view(&events[..4]);
        assert!(summary(&v, &short).ends_with(": 512 of 2048 cases, 0 findings"));
        let v = view(&[
            started(None, None),
            campaign(None, "fuzz/regressions"),
            progressed(1),
        ]);
        assert_eq!(
            summary(&v, &short),
            "re-check: verifier accord-reference (verifier-jp): 1 case, 0 findings"
        );
    }

    #[test]
    fn a_replay_shows_what_it_replayed_and_the_differences() {
        let mut events = vec![started(Some("0190abcdef"), None), cell("replay")];
        events.extend(scenario("a", Verdict::Passed));
        let [s, f] = scenario("b", Verdict::Failed);
        events.push(s);
        for exchange in [1, 2] {
            events.push(Event::ReplayDiffered {
                scenario: "b".into(),
                exchange,
                request: "POST /token".into(),
                path: "/status".into(),
                recorded: Some(json!(200)),
                replayed: Some(json!(500)),
                requirements: Vec::new(),
            });
        }
        events.push(f);
        events.push(finished(Verdict::Failed));
        let v = view(&events);
        assert_eq!(RunKind::of(&v), RunKind::Replay);
        assert_eq!(
            summary(&v, &short),
            "of 0190: 2 scenarios replayed, 2 differences"
        );
    }

    #[test]
    fn the_table_is_aligned_and_has_no_trailing_space() {
        let rows = [
            ["ID", "KIND", "STATUS", "STARTED", "SUMMARY"],
            ["0190abcd", "certification", "not-implemented", "-", "x"],
            [
                "0190abce-1",
                "run",
                "passed",
                "2026-01-01T00:00:00.000Z",
                "",
            ],
        ]
        .map(|r| r.map(str::to_owned));
        let text = table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        for column in ["KIND", "STATUS", "STARTED", "SUMMARY"] {
            let at = lines[0].find(column).unwrap();
            assert!(
                lines[1..]
                    .iter()
                    .all(|l| l.len() <= at || l[..at].ends_with("  ")),
                "{column} misaligned:\n{text}"
            );
        }
        assert_eq!(lines[1].find("not-implemented"), lines[0].find("STATUS"));
        assert!(text.lines().all(|l| !l.ends_with(' ')), "{text:?}");
    }

    #[test]
    fn inconclusive_also_finds_interrupted_runs() {
        assert!(StatusFilter::Inconclusive.matches("interrupted"));
        assert!(StatusFilter::Inconclusive.matches("inconclusive"));
        assert!(StatusFilter::NotImplemented.matches("not-implemented"));
        assert!(!StatusFilter::Passed.matches("failed"));
        assert!(!StatusFilter::Interrupted.matches("inconclusive"));
    }

    #[test]
    fn since_takes_a_time_a_date_or_an_age() {
        let at = |text: &str| match parse_since(text).unwrap() {
            Since::At(at) => at.unix_timestamp(),
            Since::Ago(_) => panic!("{text} is an instant"),
        };
        assert_eq!(at("2027-01-15T08:00:00Z"), 1_800_000_000);
        assert_eq!(at("2027-01-15"), 1_800_000_000 - 8 * 3600);
        assert!(matches!(parse_since("7d"), Ok(Since::Ago(d)) if d.whole_days() == 7));
        assert!(matches!(parse_since("90m"), Ok(Since::Ago(d)) if d.whole_minutes() == 90));
        for bad in ["", "7", "d", "7w", "-7d", "yesterday", "2027-13-01"] {
            let err = parse_since(bad).unwrap_err();
            assert!(err.contains("RFC 3339"), "{bad}: {err}");
        }
        // Too long to count: refused, not a panic; long but countable: accepted.
        assert!(
            parse_since("999999999999999999d")
                .unwrap_err()
                .contains("too long")
        );
        assert!(parse_since("99999999999999s").is_ok());
    }
}
