//! The run engine: runs the Gherkin features through cucumber with Accord's steps, records
//! every fact in the run's event log, and returns the run's verdict.
//!
//! cucumber runs every scenario as a future on the calling thread, one scenario at a time here
//! (`max_concurrent_scenarios(1)`): the order of events, and so the log, is then the same for
//! the same seed and features.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use cucumber::WriterExt as _;

use crate::entropy::{Clock, Entropy, SeededEntropy};
use crate::events::{Event, FORMAT_VERSION, Verdict};
use crate::steps::bridge::{Bridge, Progress, Tally};
use crate::steps::{RunContext, collection, install, uninstall};
use crate::store::{EventStore, RunRecorder, StoreError};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub features: PathBuf,
    /// A cucumber tag expression (`@eu and not @slow`).
    pub tags: Option<String>,
    pub seed: u64,
    /// Show progress on standard error (`accord run`); tests run quietly.
    pub progress: bool,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run_id: String,
    pub verdict: Verdict,
    pub scenarios: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("features directory {0}: not found")]
    NoFeatures(String),
    #[error("tag expression {expr:?}: {message}")]
    Tags { expr: String, message: String },
    #[error("cannot record the run: {0}")]
    Store(#[from] StoreError),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot prepare the test PKI: {0}")]
    Pki(String),
}

/// A run id: a UUIDv7 from the injected clock and the run's seed, so ids sort by start time and
/// a seeded run gets the same id at the same instant.
pub fn new_run_id(clock: &dyn Clock, seed: u64) -> String {
    let mut random = [0u8; 10];
    SeededEntropy::new(seed, "run-id").fill(&mut random);
    uuid::Builder::from_unix_timestamp_millis(clock.now_ms().max(0) as u64, &random)
        .into_uuid()
        .to_string()
}

/// Runs the features and records the run in `store`.
pub fn run(
    config: &RunConfig,
    store: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
) -> Result<RunOutcome, EngineError> {
    if !Path::new(&config.features).exists() {
        return Err(EngineError::NoFeatures(
            config.features.display().to_string(),
        ));
    }
    let tags = match &config.tags {
        Some(expr) => Some(
            expr.parse::<gherkin::tagexpr::TagOperation>()
                .map_err(|e| EngineError::Tags {
                    expr: expr.clone(),
                    message: e.to_string(),
                })?,
        ),
        None => None,
    };
    let context = RunContext::new(config.seed, clock.now()).map_err(EngineError::Pki)?;
    let run_id = new_run_id(clock.as_ref(), config.seed);
    let mut recorder = RunRecorder::create(store, clock, &run_id)?;
    recorder.record(&Event::RunStarted {
        format: FORMAT_VERSION,
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        seed: config.seed.to_string(),
        features: config.features.display().to_string(),
        tags: config.tags.clone(),
    })?;
    let recorder = Rc::new(RefCell::new(recorder));
    let tally = Rc::new(RefCell::new(Tally::default()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(EngineError::Runtime)?;
    install(Rc::new(context));
    let progress = Rc::new(if config.progress {
        Progress::for_stderr()
    } else {
        Progress::Quiet
    });
    let bridge = Bridge::new(recorder.clone(), tally.clone(), progress.clone());
    let opts = cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty> {
        tags_filter: tags,
        ..Default::default()
    };
    runtime.block_on(
        cucumber::Cucumber::<_, _, PathBuf, _, _, cucumber::cli::Empty>::custom(
            cucumber::parser::Basic::new(),
            cucumber::runner::Basic::default(),
            bridge.normalized(),
        )
        .steps(collection())
        .max_concurrent_scenarios(1)
        .with_cli(opts)
        .run(config.features.clone()),
    );
    uninstall();
    progress.finish();
    let tally = tally.borrow();
    let mut verdict = tally
        .scenarios
        .iter()
        .fold(Verdict::Passed, |a, v| a.combine(*v));
    if !tally.parse_errors.is_empty() || tally.record_error.is_some() || tally.scenarios.is_empty()
    {
        verdict = Verdict::Inconclusive;
    }
    let mut recorder = recorder.borrow_mut();
    recorder.record(&Event::RunFinished { verdict })?;
    recorder.sync()?;
    if let Some(e) = &tally.record_error {
        return Err(EngineError::Store(StoreError::Corrupt {
            path: run_id.clone(),
            line: 0,
            message: format!("an append failed during the run: {e}"),
        }));
    }
    Ok(RunOutcome {
        run_id,
        verdict,
        scenarios: tally.scenarios.len(),
    })
}
