//! Projections: pure functions from a run's events to what people and CI read.
//!
//! Nothing here does I/O or reads a clock: the same events always give the same bytes, so
//! `accord report` regenerates any report, byte-identical, from a stored log at any later time.

pub mod coverage;
mod html;
pub mod redact;
mod render;

pub use coverage::coverage_json;
pub use html::html;
pub use render::{
    certification_lines, console, console_styled, coverage_markdown, json, junit, markdown,
    matrix_markdown,
};

use serde::Serialize;

use crate::events::{Envelope, Event, StepOutcome, Verdict};
use crate::store::Tail;

/// One check as a report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckView {
    /// The part whose answer was judged (format 6); `None` for Accord's own core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub requirement: String,
    pub level: String,
    pub section: String,
    pub expected: String,
    pub actual: String,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    pub step: String,
    pub line: u64,
    pub outcome: StepOutcome,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioView {
    pub feature: String,
    /// The feature's file, as the run was given it (from `feature-started`).
    #[serde(skip)]
    pub feature_path: Option<String>,
    pub scenario: String,
    /// A scenario-outline row's values, `(column, value)` in the Examples table's order
    /// (an object in the JSON report, its keys in that order).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "ordered_object"
    )]
    pub example: Vec<(String, String)>,
    pub line: u64,
    /// `None` while the scenario has not finished (an interrupted run).
    pub verdict: Option<Verdict>,
    pub steps: Vec<StepView>,
    pub checks: Vec<CheckView>,
    /// The scenario's HTTP exchanges, in full. Kept out of the JSON report (the log holds
    /// them); the Markdown report shows those of failed scenarios, redacted.
    #[serde(skip)]
    pub exchanges: Vec<crate::transport::Exchange>,
    /// The matrix cell the scenario ran in (`None` in logs without cells).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// In a replay: the answers that differ from the recording.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replay_differences: Vec<ReplayDifferenceView>,
}

fn ordered_object<S: serde::Serializer>(
    pairs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl ScenarioView {
    /// The scenario as people read it: its name and, for an outline row, the row's values
    /// (`… (mutation: proof-typ-jwt)`), so the rows of one outline can be told apart.
    pub fn title(&self) -> String {
        scenario_title(&self.scenario, &self.example)
    }
}

/// `name (column: value, …)`, or the name alone for a plain scenario.
pub fn scenario_title(name: &str, example: &[(String, String)]) -> String {
    if example.is_empty() {
        return name.to_owned();
    }
    let values: Vec<String> = example.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{name} ({})", values.join(", "))
}

/// One answer of a replayed implementation that differs from the recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayDifferenceView {
    /// The exchange's position in the scenario's recording, from 1.
    pub exchange: u64,
    pub request: String,
    pub difference: crate::evidence::transcript::Difference,
    pub requirements: Vec<String>,
}

impl ReplayDifferenceView {
    /// One line: where, what, and the requirements at stake.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "exchange {} ({}): {}",
            self.exchange,
            self.request,
            self.difference.describe()
        );
        if !self.requirements.is_empty() {
            line.push_str(&format!("  [requirement {}]", self.requirements.join(", ")));
        }
        line
    }
}

/// One cell of the interop matrix: who played, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellView {
    pub id: String,
    pub players: Vec<crate::events::PlayerRecord>,
    /// `None` while the cell has not finished.
    pub verdict: Option<Verdict>,
    /// Why the cell ran nothing.
    pub blocked: Option<String>,
    pub not_applicable: Vec<String>,
    pub counts: Counts,
    /// Requirement ids of the failed MUST checks, each once, in order of first failure:
    /// what explains a failed cell.
    pub failed_requirements: Vec<String>,
    /// Requirement ids the implementations answered "not implemented" for.
    pub not_implemented: Vec<String>,
}

impl CellView {
    fn new(id: String, players: Vec<crate::events::PlayerRecord>) -> Self {
        Self {
            id,
            players,
            verdict: None,
            blocked: None,
            not_applicable: Vec::new(),
            counts: Counts::default(),
            failed_requirements: Vec::new(),
            not_implemented: Vec::new(),
        }
    }
}

/// A fault the harness injected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultView {
    pub cell: Option<String>,
    pub scenario: String,
    pub part: String,
    pub fault: String,
}

/// Whether the run ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// `run-finished` is in the log.
    Finished,
    /// No `run-finished`: the run was killed, crashed, or is still going.
    Interrupted,
}

/// Scenario counts by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub not_implemented: usize,
    pub inconclusive: usize,
}

impl Counts {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Passed => self.passed += 1,
            Verdict::Failed => self.failed += 1,
            Verdict::NotImplemented => self.not_implemented += 1,
            Verdict::Inconclusive => self.inconclusive += 1,
        }
    }
}

/// Everything a report needs, folded from the events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    pub id: String,
    pub status: RunStatus,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub seed: Option<u64>,
    /// The roles' fixed clock (Unix seconds), in logs of format 4 and later.
    pub now: Option<i64>,
    /// For a replay: the run it re-drove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<String>,
    pub features: Option<String>,
    pub tags: Option<String>,
    /// The certification profile the run was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// HTTPS or plain HTTP between the roles Accord started (plain HTTP in logs before
    /// format 7).
    pub security: crate::tls::Security,
    /// The recorded run verdict; `inconclusive` for an interrupted run.
    pub verdict: Verdict,
    pub counts: Counts,
    pub scenarios: Vec<ScenarioView>,
    /// Harness faults and events this build could not read.
    pub faults: Vec<String>,
    pub events: usize,
    /// HTTP exchanges recorded (request and response each).
    pub exchanges: usize,
    /// The log ends with a torn line (bytes of it).
    pub torn_bytes: Option<usize>,
    pub cells: Vec<CellView>,
    pub injected_faults: Vec<FaultView>,
    /// For a fuzzing campaign: its budget, progress and findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CampaignView>,
    /// Who signed the run's checkpoints, and how far they vouch (logs of format 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<SignedView>,
    /// Why the log's `run-finished` claims better than its events show: the log was
    /// altered, and `verdict` is what the events show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
}

/// The signer of a run's checkpoints, as its log tells it (signatures are checked by
/// `accord log verify`, not by projecting).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignedView {
    /// RFC 7638 thumbprint of the key.
    pub key: String,
    pub key_source: crate::events::KeySource,
    pub checkpoints: u64,
    /// Whether the last event of the log is vouched for by a checkpoint.
    pub end_vouched: bool,
}

/// A fuzzing campaign as its log tells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignView {
    pub role: String,
    pub target: String,
    pub part: String,
    pub cases: Option<u64>,
    pub duration_s: Option<u64>,
    pub jobs: u64,
    pub source: String,
    /// Every case below this number has run (the last checkpoint).
    pub next_case: u64,
    pub cases_run: u64,
    /// Cases whose answer was a finding, before deduplication.
    pub finding_cases: u64,
    pub elapsed_ms: u64,
    pub findings: Vec<FindingView>,
}

/// One recorded (shrunk, deduplicated) finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    pub scenario: String,
    pub index: u64,
    pub signature: String,
    pub expected: String,
    pub observed: String,
    pub requirement: String,
    pub shrink_steps: u64,
    pub case: serde_json::Value,
}

impl RunView {
    /// Whether reports show the matrix: several cells, or one that ran something other
    /// than Accord's reference roles or did not run.
    pub fn has_matrix(&self) -> bool {
        if self.replay_of.is_some() {
            // A replay's players are the implementation and recordings: no matrix.
            return self.cells.len() > 1;
        }
        self.cells.len() > 1
            || self.cells.iter().any(|c| {
                c.blocked.is_some()
                    || c.players
                        .iter()
                        .any(|p| p.implementation != crate::run::cast::REFERENCE)
            })
    }
}

/// Folds a run's events into a [`RunView`].
pub fn project(events: &[Envelope], tail: &Tail) -> RunView {
    let mut v = RunView {
        id: events.first().map(|e| e.run_id.clone()).unwrap_or_default(),
        status: RunStatus::Interrupted,
        started_at: events.first().map(|e| e.at.clone()).unwrap_or_default(),
        finished_at: None,
        seed: None,
        now: None,
        replay_of: None,
        features: None,
        tags: None,
        verdict: Verdict::Inconclusive,
        counts: Counts::default(),
        scenarios: Vec::new(),
        faults: Vec::new(),
        events: events.len(),
        exchanges: 0,
        torn_bytes: match tail {
            Tail::Clean => None,
            Tail::Torn { bytes, .. } => Some(*bytes),
        },
        cells: Vec::new(),
        injected_faults: Vec::new(),
        campaign: None,
        profile: None,
        security: crate::tls::Security::PlainHttp,
        signed: None,
        disagreement: None,
    };
    let mut audit = crate::evidence::checkpoint::LogAudit::without_signatures();
    let mut cell: Option<String> = None;
    let mut feature_paths: std::collections::BTreeMap<String, String> = Default::default();
    for e in events {
        let event = match e.event() {
            Ok(ev) => ev,
            Err(err) => {
                v.faults.push(format!(
                    "event {} of kind {} is unreadable: {err}",
                    e.seq, e.kind
                ));
                // A checkpoint pointing elsewhere is a broken chain, which `log verify`
                // names; a projection shows the log as it is.
                let _ = audit.feed_parsed(e, None);
                continue;
            }
        };
        let _ = audit.feed_parsed(e, Some(&event));
        match event {
            Event::RunStarted {
                seed,
                features,
                tags,
                now,
                replay_of,
                profile,
                security,
                ..
            } => {
                v.profile = profile;
                v.security = security.unwrap_or(crate::tls::Security::PlainHttp);
                v.seed = seed.parse().ok();
                v.now = now;
                v.replay_of = replay_of;
                v.features = Some(features);
                v.tags = tags;
            }
            Event::FeatureStarted { feature, path } => {
                feature_paths.insert(feature, path);
            }
            Event::ScenarioStarted {
                feature,
                scenario,
                line,
                example,
                ..
            } => v.scenarios.push(ScenarioView {
                feature_path: feature_paths.get(&feature).cloned(),
                feature,
                scenario,
                example,
                line,
                verdict: None,
                steps: Vec::new(),
                checks: Vec::new(),
                exchanges: Vec::new(),
                cell: cell.clone(),
                replay_differences: Vec::new(),
            }),
            Event::StepFinished {
                step,
                line,
                outcome,
                message,
                ..
            } => {
                if let Some(s) = v.scenarios.last_mut() {
                    s.steps.push(StepView {
                        step,
                        line,
                        outcome,
                        message,
                    });
                }
            }
            Event::CheckEvaluated {
                subject,
                requirement,
                level,
                section,
                expected,
                actual,
                verdict,
                ..
            } => {
                if let Some(s) = v.scenarios.last_mut() {
                    s.checks.push(CheckView {
                        subject,
                        requirement,
                        level,
                        section,
                        expected,
                        actual,
                        verdict,
                    });
                }
            }
            Event::ScenarioFinished { verdict, .. } => {
                if let Some(s) = v.scenarios.last_mut() {
                    s.verdict = Some(verdict);
                }
            }
            Event::HttpExchange { exchange, .. } => {
                v.exchanges += 1;
                if let Some(s) = v.scenarios.last_mut() {
                    s.exchanges.push(exchange);
                }
            }
            Event::HarnessFaulted { message } => v.faults.push(message),
            Event::CellStarted {
                cell: id, players, ..
            } => {
                cell = Some(id.clone());
                v.cells.push(CellView::new(id, players));
            }
            Event::CellFinished {
                cell: id,
                verdict,
                blocked,
                not_applicable,
            } => {
                if v.cells
                    .last()
                    .is_none_or(|c| c.id != id || c.verdict.is_some())
                {
                    // A cell that could not start has no `cell-started`.
                    v.cells.push(CellView::new(id.clone(), Vec::new()));
                }
                if let Some(c) = v.cells.last_mut() {
                    c.verdict = Some(verdict);
                    c.blocked = blocked;
                    c.not_applicable = not_applicable;
                }
                cell = None;
            }
            Event::FaultInjected {
                scenario,
                part,
                fault,
            } => v.injected_faults.push(FaultView {
                cell: cell.clone(),
                // The scenario under way, with an outline row's values (the event names the
                // outline alone).
                scenario: match v.scenarios.last() {
                    Some(s) if s.scenario == scenario => s.title(),
                    _ => scenario,
                },
                part,
                fault,
            }),
            Event::ContainerLogged { .. } => {}
            Event::ReplayDiffered {
                exchange,
                request,
                path,
                recorded,
                replayed,
                requirements,
                ..
            } => {
                if let Some(s) = v.scenarios.last_mut() {
                    s.replay_differences.push(ReplayDifferenceView {
                        exchange,
                        request,
                        difference: crate::evidence::transcript::Difference {
                            path,
                            recorded,
                            replayed,
                        },
                        requirements,
                    });
                }
            }
            Event::CampaignStarted {
                role,
                target,
                part,
                cases,
                duration_s,
                jobs,
                source,
                ..
            } => {
                v.campaign = Some(CampaignView {
                    role,
                    target,
                    part,
                    cases,
                    duration_s,
                    jobs,
                    source,
                    next_case: 0,
                    cases_run: 0,
                    finding_cases: 0,
                    elapsed_ms: 0,
                    findings: Vec::new(),
                });
            }
            Event::CampaignProgressed {
                next_case,
                cases_run,
                findings,
                elapsed_ms,
            } => {
                if let Some(c) = v.campaign.as_mut() {
                    c.next_case = next_case;
                    c.cases_run = cases_run;
                    c.finding_cases = findings;
                    c.elapsed_ms = elapsed_ms;
                }
            }
            Event::FindingRecorded {
                scenario,
                index,
                signature,
                expected,
                observed,
                requirement,
                case,
                shrink_steps,
            } => {
                if let Some(c) = v.campaign.as_mut() {
                    c.findings.push(FindingView {
                        scenario,
                        index,
                        signature,
                        expected,
                        observed,
                        requirement,
                        shrink_steps,
                        case,
                    });
                }
            }
            Event::RunFinished { verdict } => {
                v.status = RunStatus::Finished;
                v.verdict = verdict;
                v.finished_at = Some(e.at.clone());
            }
            Event::CheckpointSigned { .. } => {}
        }
    }
    let audit = audit.finish();
    if let Some((key, key_source)) = &audit.signer {
        v.signed = Some(SignedView {
            key: key.clone(),
            key_source: *key_source,
            checkpoints: audit.checkpoints,
            end_vouched: audit.wholly_vouched(),
        });
    }
    if let Some(d) = &audit.disagreement {
        // Status, verdict and counts come from the events: a `run-finished` that claims
        // better is shown for what it is, never believed.
        v.verdict = audit.verdict();
        v.faults
            .push(format!("the log contradicts itself (altered?): {d}"));
        v.disagreement = Some(d.clone());
    }
    for s in &v.scenarios {
        let verdict = s.verdict.unwrap_or(Verdict::Inconclusive);
        v.counts.add(verdict);
        let Some(c) = v.cells.iter_mut().find(|c| Some(&c.id) == s.cell.as_ref()) else {
            continue;
        };
        c.counts.add(verdict);
        for check in &s.checks {
            let list = match check.verdict {
                Verdict::Failed if check.level == "MUST" => &mut c.failed_requirements,
                Verdict::NotImplemented => &mut c.not_implemented,
                _ => continue,
            };
            if !list.contains(&check.requirement) {
                list.push(check.requirement.clone());
            }
        }
    }
    v
}
