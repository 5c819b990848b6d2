//! The cucumber writer that turns cucumber's events into Accord's. cucumber's own event
//! types (which carry `Arc<World>` and panic payloads) are translated here and never stored.

use std::cell::RefCell;
use std::rc::Rc;

use cucumber::event::{self, Cucumber, Feature, Hook, Rule};
use cucumber::{Event, Writer, parser};

use super::{AcademicWorld, Happened, drain_checks, drain_in_order};
use crate::events::{Event as AccordEvent, StepOutcome, Verdict};
use crate::requirements::Level;
use crate::store::{RunRecorder, StoreError};

/// What the bridge learned, read by the engine after the run.
#[derive(Default)]
pub struct Tally {
    pub scenarios: Vec<Verdict>,
    /// The first append that failed: the run is then inconclusive.
    pub record_error: Option<StoreError>,
    /// Feature files that could not be parsed (file and line in the message).
    pub parse_errors: Vec<String>,
}

/// Where progress goes while a run is going: a spinner on a terminal, a line per feature
/// otherwise (a pipe, a file, CI), nothing when quiet. Progress is for people; the log is the
/// record. Off a terminal it names no scenario: the report printed at the end lists each one,
/// and `accord run 2>&1 | tee` should show every scenario once.
pub enum Progress {
    Bar(indicatif::ProgressBar),
    Lines(RefCell<FeatureTally>),
    Quiet,
}

/// The scenarios of the feature under way, for the line printed when it ends.
#[derive(Default)]
pub struct FeatureTally {
    scenarios: usize,
    passed: usize,
    not_passed: usize,
}

impl Progress {
    /// A spinner when standard error is a terminal and `CI` is not set; plain lines otherwise.
    pub fn for_stderr() -> Self {
        use std::io::IsTerminal as _;
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            Progress::Bar(bar)
        } else {
            Progress::Lines(RefCell::default())
        }
    }

    fn scenario_finished(&self, n: usize, verdict: Verdict, scenario: &str) {
        match self {
            Progress::Bar(bar) => {
                bar.set_message(format!(
                    "{n} scenarios · last: {} {scenario}",
                    verdict.as_str()
                ));
            }
            Progress::Lines(tally) => {
                let mut t = tally.borrow_mut();
                t.scenarios += 1;
                if verdict == Verdict::Passed {
                    t.passed += 1;
                } else {
                    t.not_passed += 1;
                }
            }
            Progress::Quiet => {}
        }
    }

    fn feature_finished(&self, n: usize, feature: &str) {
        if let Progress::Lines(tally) = self {
            let t = std::mem::take(&mut *tally.borrow_mut());
            if t.scenarios > 0 {
                eprintln!(
                    "[{n} scenarios] {feature}: {} run, {} passed, {} not passed",
                    t.scenarios, t.passed, t.not_passed
                );
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

pub struct Bridge {
    recorder: Rc<RefCell<RunRecorder>>,
    tally: Rc<RefCell<Tally>>,
    /// The scenario under way: feature, name, outline values, verdict so far.
    current: Option<Current>,
    progress: Rc<Progress>,
}

struct Current {
    feature: String,
    scenario: String,
    /// The name with an outline row's values, as progress shows it.
    title: String,
    verdict: Verdict,
}

impl Bridge {
    pub fn new(
        recorder: Rc<RefCell<RunRecorder>>,
        tally: Rc<RefCell<Tally>>,
        progress: Rc<Progress>,
    ) -> Self {
        Self {
            recorder,
            tally,
            current: None,
            progress,
        }
    }

    fn record(&self, e: &AccordEvent) {
        let result = self.recorder.borrow_mut().record(e);
        if let Err(err) = result {
            let mut t = self.tally.borrow_mut();
            if t.record_error.is_none() {
                t.record_error = Some(err);
            }
        }
    }

    fn fold(&mut self, v: Verdict) {
        if let Some(current) = &mut self.current {
            current.verdict = current.verdict.combine(v);
        }
    }

    /// Records the exchanges and faults since the last step, in the order they happened.
    fn record_happened(&mut self, scenario: &str) {
        for happened in drain_in_order() {
            self.record(&match happened {
                Happened::Fault { part, fault } => AccordEvent::FaultInjected {
                    scenario: scenario.to_owned(),
                    part,
                    fault,
                },
                Happened::Exchange(exchange) => AccordEvent::HttpExchange {
                    scenario: scenario.to_owned(),
                    exchange,
                },
            });
        }
    }

    fn step(&mut self, scenario: &str, step: &gherkin::Step, ev: event::Step<AcademicWorld>) {
        let text = format!("{}{}", step.keyword, step.value);
        let line = step.position.line as u64;
        let (outcome, message) = match ev {
            event::Step::Started => return,
            event::Step::Skipped => (
                StepOutcome::Skipped,
                Some("no step definition matches".to_owned()),
            ),
            event::Step::Passed(..) => (StepOutcome::Passed, None),
            event::Step::Failed(_, _, _, err) => (StepOutcome::Failed, Some(err.to_string())),
        };
        self.record_happened(scenario);
        for c in drain_checks() {
            // Only a failed MUST fails the scenario; SHOULD and MAY failures are recorded.
            let counts = if c.verdict == Verdict::Failed && c.requirement.level != Level::Must {
                Verdict::Passed
            } else {
                c.verdict
            };
            self.fold(counts);
            self.record(&AccordEvent::CheckEvaluated {
                scenario: scenario.to_owned(),
                subject: c.subject.map(|p| p.name().to_owned()),
                requirement: c.requirement.id.to_owned(),
                level: c.requirement.level.as_str().to_owned(),
                section: c.requirement.section.to_owned(),
                expected: c.expected,
                actual: c.actual,
                verdict: c.verdict,
            });
        }
        if outcome != StepOutcome::Passed {
            // A step that did not run to its end is the harness's or the feature's fault.
            self.fold(Verdict::Inconclusive);
        }
        self.record(&AccordEvent::StepFinished {
            scenario: scenario.to_owned(),
            step: text,
            line,
            outcome,
            message,
        });
    }

    fn scenario(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        ev: event::Scenario<AcademicWorld>,
    ) {
        match ev {
            event::Scenario::Started => {
                let example = crate::run::features::example_values(scenario);
                self.current = Some(Current {
                    feature: feature.name.clone(),
                    scenario: scenario.name.clone(),
                    title: crate::projections::scenario_title(&scenario.name, &example),
                    verdict: Verdict::Passed,
                });
                self.record(&AccordEvent::ScenarioStarted {
                    feature: feature.name.clone(),
                    scenario: scenario.name.clone(),
                    line: scenario.position.line as u64,
                    tags: scenario.tags.clone(),
                    example,
                });
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                self.step(&scenario.name, &step, ev);
            }
            event::Scenario::Hook(_, Hook::Failed(_, info)) => {
                self.fold(Verdict::Inconclusive);
                let message = info
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a hook panicked".into());
                self.record(&AccordEvent::HarnessFaulted { message });
            }
            event::Scenario::Hook(..) | event::Scenario::Log(_) => {}
            event::Scenario::Finished => {
                // What the after-scenario hook did (restoring staged trust lists, lifting
                // faults) belongs to this scenario.
                self.record_happened(&scenario.name);
                let Current {
                    feature,
                    scenario,
                    title,
                    verdict,
                } = self.current.take().unwrap_or_else(|| Current {
                    feature: feature.name.clone(),
                    scenario: scenario.name.clone(),
                    title: crate::projections::scenario_title(
                        &scenario.name,
                        &crate::run::features::example_values(scenario),
                    ),
                    verdict: Verdict::Inconclusive,
                });
                let n = {
                    let mut t = self.tally.borrow_mut();
                    t.scenarios.push(verdict);
                    t.scenarios.len()
                };
                self.progress.scenario_finished(n, verdict, &title);
                self.record(&AccordEvent::ScenarioFinished {
                    feature,
                    scenario,
                    verdict,
                });
                // Durability point: a crash loses at most the scenario in progress.
                let synced = self.recorder.borrow().sync();
                if let Err(e) = synced {
                    let mut t = self.tally.borrow_mut();
                    if t.record_error.is_none() {
                        t.record_error = Some(e);
                    }
                }
            }
        }
    }
}

impl Writer<AcademicWorld> for Bridge {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<event::Cucumber<AcademicWorld>>>,
        _cli: &Self::Cli,
    ) {
        let event = match event {
            Ok(e) => e.value,
            Err(e) => {
                let message = parse_error_message(&e);
                self.tally.borrow_mut().parse_errors.push(message.clone());
                self.record(&AccordEvent::HarnessFaulted { message });
                return;
            }
        };
        let Cucumber::Feature(feature, ev) = event else {
            return;
        };
        match ev {
            Feature::Started => self.record(&AccordEvent::FeatureStarted {
                feature: feature.name.clone(),
                path: feature
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            }),
            Feature::Scenario(s, ev) | Feature::Rule(_, Rule::Scenario(s, ev)) => {
                self.scenario(&feature, &s, ev.event);
            }
            Feature::Finished => {
                let n = self.tally.borrow().scenarios.len();
                self.progress.feature_finished(n, &feature.name);
            }
            Feature::Rule(..) => {}
        }
    }
}

/// A feature-file error with its file, line and column.
fn parse_error_message(e: &parser::Error) -> String {
    if let parser::Error::Parsing(pfe) = e
        && let gherkin::ParseFileError::Parsing { path, source, .. } = pfe.as_ref()
    {
        // gherkin's own message reads "Error at LINE:COL: {expected tokens}".
        return format!("{}: malformed feature file: {source}", path.display());
    }
    e.to_string()
}
