//! The run engine: runs the Gherkin features through cucumber with Accord's steps, records
//! every fact in the run's event log, and returns the run's verdict.
//!
//! cucumber runs every scenario as a future on the calling thread, one scenario at a time here
//! (`max_concurrent_scenarios(1)`): the order of events, and so the log, is then the same for
//! the same seed and features.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use cucumber::WriterExt as _;
use cucumber::feature::Ext as _;
use cucumber::tag::Ext as _;

use futures::FutureExt as _;

use crate::entropy::{Clock, Entropy, FixedClock, SeededEntropy};
use crate::events::{Event, FORMAT_VERSION, Verdict};
use crate::run::cast::{Cast, Casting, Stage};
use crate::run::matrix::{self, Blocked, Cell};
use crate::steps::bridge::{Bridge, Progress, Tally};
use crate::steps::{RunContext, collection, install, uninstall};
use crate::store::{EventStore, RunRecorder, StoreError};
use crate::tls::{ClientTrust, Security};
use crate::transport::{Limits, Transport};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub features: PathBuf,
    /// A cucumber tag expression (`@eu and not @slow`).
    pub tags: Option<String>,
    pub seed: u64,
    /// Show progress on standard error (`accord run`); tests run quietly.
    pub progress: bool,
    /// Manifests of the implementations under test (`--impl`); none: Accord's reference
    /// roles play every part.
    pub implementations: Vec<PathBuf>,
    /// Every issuer × wallet × verifier combination (`--matrix`), rather than one cell.
    pub matrix: bool,
    /// The docker-compose.yml that `compose` manifests name services of.
    pub compose_file: PathBuf,
    /// The instant the roles' clocks are fixed at (Unix seconds); the harness clock's reading
    /// at the start of the run when `None`. Recorded in `run-started` either way.
    pub now: Option<i64>,
    /// The certification profile the run was asked for (recorded in `run-started`; the
    /// features were chosen by it).
    pub profile: Option<String>,
    /// HTTPS between the roles Accord starts, unless `--plain-http` (recorded).
    pub security: Security,
    /// The key that signs the run's checkpoints; none: the log is vouched for by its hash
    /// chain alone (tests).
    pub signing_key: Option<Arc<crate::evidence::checkpoint::HarnessKey>>,
}

impl RunConfig {
    /// The features at `features` with the reference roles, quietly.
    pub fn new(features: impl Into<PathBuf>, seed: u64) -> Self {
        Self {
            features: features.into(),
            tags: None,
            seed,
            progress: false,
            implementations: Vec::new(),
            matrix: false,
            compose_file: PathBuf::from("docker-compose.yml"),
            now: None,
            profile: None,
            security: Security::Https,
            signing_key: None,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run_id: String,
    pub verdict: Verdict,
    pub scenarios: usize,
    /// The names (`accord-PID-N`) of the casts the run started, one per cell that started
    /// one: every container and compose project of a cell carries its cast's name, so a
    /// caller can check that nothing of this run was left behind, whatever else runs.
    pub cast_labels: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The features cannot be read or parsed; nothing was recorded.
    #[error(transparent)]
    Features(#[from] crate::run::features::FeatureError),
    #[error("tag expression {expr:?}: {message}")]
    Tags { expr: String, message: String },
    #[error("cannot record the run: {0}")]
    Store(#[from] StoreError),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot prepare the test PKI: {0}")]
    Pki(String),
    #[error("{0}")]
    Plan(String),
    #[error("no certification profile {0:?} (accord profiles lists them)")]
    Profile(String),
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
    // Every feature file read and parsed before `run-started`: one that cannot be is the
    // user's to fix, and a run that could only be inconclusive is not recorded.
    let features = crate::run::features::load(&config.features)?;
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
    let certification = match &config.profile {
        Some(id) => {
            Some(crate::certification::find(id).ok_or_else(|| EngineError::Profile(id.clone()))?)
        }
        None => None,
    };
    let cells = matrix::plan(&matrix::load_all(&config.implementations), config.matrix)
        .map_err(EngineError::Plan)?;
    let run_id = new_run_id(clock.as_ref(), config.seed);
    let now = config.now.unwrap_or_else(|| clock.now());
    let mut recorder =
        RunRecorder::create(store, clock, &run_id)?.with_checkpoints(config.signing_key.clone());
    recorder.record(&Event::RunStarted {
        format: FORMAT_VERSION,
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        seed: config.seed.to_string(),
        features: config.features.display().to_string(),
        tags: config.tags.clone(),
        now: Some(now),
        replay_of: None,
        profile: config.profile.clone(),
        security: Some(config.security),
    })?;
    let recorder = Rc::new(RefCell::new(recorder));
    let tally = Rc::new(RefCell::new(Tally::default()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(EngineError::Runtime)?;
    let progress = Rc::new(if config.progress {
        Progress::for_stderr()
    } else {
        Progress::Quiet
    });
    let scenarios = outline(&features);
    let tags = Rc::new(Selection {
        tags,
        scenarios: certification.map(|p| p.scenarios()),
    });
    let mut cell_verdicts = Vec::new();
    let cast_labels = RefCell::new(Vec::new());
    for cell in &cells {
        let verdict = run_cell(&CellRun {
            config,
            cell,
            now,
            features: &features,
            scenarios: &scenarios,
            tags: tags.clone(),
            recorder: &recorder,
            tally: &tally,
            progress: &progress,
            runtime: &runtime,
            cast_labels: &cast_labels,
        })?;
        cell_verdicts.push(verdict);
    }
    progress.finish();
    let tally = tally.borrow();
    let mut verdict = cell_verdicts
        .iter()
        .chain(&tally.scenarios)
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
        cast_labels: cast_labels.into_inner(),
    })
}

/// Casts started by this process: with the process id, a name no other cast shares.
static CASTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Everything one cell's run needs.
struct CellRun<'a> {
    config: &'a RunConfig,
    cell: &'a Cell,
    now: i64,
    features: &'a [gherkin::Feature],
    scenarios: &'a [Outlined],
    tags: Rc<Selection>,
    recorder: &'a Rc<RefCell<RunRecorder>>,
    tally: &'a Rc<RefCell<Tally>>,
    progress: &'a Rc<Progress>,
    runtime: &'a tokio::runtime::Runtime,
    cast_labels: &'a RefCell<Vec<String>>,
}

/// Which scenarios a run takes: those its tag expression selects and, for a certification
/// run, only those its profile names.
struct Selection {
    tags: Option<gherkin::tagexpr::TagOperation>,
    scenarios: Option<Vec<&'static str>>,
}

fn tags_match(
    selection: &Selection,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> bool {
    if selection
        .scenarios
        .as_ref()
        .is_some_and(|names| !names.contains(&scenario.name.as_str()))
    {
        return false;
    }
    selection.tags.as_ref().is_none_or(|t| {
        t.eval(
            feature
                .tags
                .iter()
                .chain(rule.iter().flat_map(|r| &r.tags))
                .chain(scenario.tags.iter()),
        )
    })
}

/// Runs one cell: starts its cast (if a scenario of the cell needs one), runs the scenarios
/// the cell's members can take part in, keeps the containers' logs, stops the cast.
/// Returns the cell's verdict.
fn run_cell(r: &CellRun<'_>) -> Result<Verdict, EngineError> {
    let cell = r.cell;
    let record = |e: &Event| r.recorder.borrow_mut().record(e);
    let finish = |verdict: Verdict, blocked: Option<String>, not_applicable: Vec<String>| {
        record(&Event::CellFinished {
            cell: cell.id.clone(),
            verdict,
            blocked,
            not_applicable,
        })
    };
    match &cell.blocked {
        Some(Blocked::BadManifest(problems)) => {
            finish(Verdict::Inconclusive, Some(problems.clone()), Vec::new())?;
            return Ok(Verdict::Inconclusive);
        }
        Some(Blocked::NotCombinable(why)) => {
            finish(Verdict::NotImplemented, Some(why.clone()), Vec::new())?;
            return Ok(Verdict::NotImplemented);
        }
        None => {}
    }
    // Which scenarios this cell runs, decided before anything starts.
    let mut not_applicable = Vec::new();
    let mut needs_cast = false;
    let mut runs_any = false;
    for (feature, rule, scenario) in r.scenarios {
        if !tags_match(&r.tags, feature, rule.as_ref(), scenario) {
            continue;
        }
        let needs = matrix::needs(feature, rule.as_ref(), scenario);
        match matrix::applicable(cell, needs.as_ref()) {
            Ok(()) => {
                runs_any = true;
                needs_cast |= needs.is_some();
            }
            Err(why) => not_applicable.push(format!(
                "{}: {why}",
                crate::projections::scenario_title(
                    &scenario.name,
                    &crate::run::features::example_values(scenario)
                )
            )),
        }
    }
    if !runs_any && cell.strict {
        finish(
            Verdict::NotImplemented,
            Some(matrix::NO_SCENARIO.into()),
            not_applicable,
        )?;
        return Ok(Verdict::NotImplemented);
    }
    let pki_seeds: BTreeSet<u64> = cell
        .castings
        .values()
        .filter_map(Casting::pki_seed)
        .collect();
    if pki_seeds.len() > 1 {
        let why = format!(
            "its implementations were configured with different test PKIs (pki_seed {pki_seeds:?})"
        );
        finish(Verdict::Inconclusive, Some(why), not_applicable)?;
        return Ok(Verdict::Inconclusive);
    }
    let pki_seed = pki_seeds.first().copied().unwrap_or(r.config.seed);
    let mut context = RunContext::new(r.config.seed, pki_seed, r.now).map_err(EngineError::Pki)?;
    if needs_cast {
        // The seed's TLS CA, and the CAs the cell's manifests bring (`[tls] ca`).
        let mut trust = ClientTrust::of(&context.pki);
        let mut system_clock = false;
        for casting in cell.castings.values() {
            if let Casting::Manifest { manifest, path } = casting {
                system_clock |= manifest.launch.get_ref().follows_system_clock();
                for ca in manifest.tls.ca_files(path) {
                    trust = match trust.with_pem_file(&ca) {
                        Ok(t) => t,
                        Err(e) => {
                            let why = format!("{}: tls.ca: {e}", path.display());
                            finish(Verdict::Inconclusive, Some(why), not_applicable)?;
                            return Ok(Verdict::Inconclusive);
                        }
                    };
                }
            }
        }
        let transport = match Transport::new(context.sink.clone(), Limits::default(), &trust) {
            Ok(t) => t,
            Err(e) => return Err(EngineError::Runtime(std::io::Error::other(e.to_string()))),
        };
        // An implementation that follows the system clock (and cannot be given the run's)
        // has its cell's roles follow it too; their times are then not the recorded `now`.
        let clock: Arc<dyn crate::entropy::Clock> = if system_clock {
            Arc::new(crate::entropy::SystemClock)
        } else {
            Arc::new(FixedClock(r.now))
        };
        let stage = Stage {
            pki: context.pki.clone(),
            seed: r.config.seed,
            clock,
            transport,
            trust,
            security: r.config.security,
            // Unique to this process, run and cell: concurrent runs never share a name.
            label: format!(
                "accord-{}-{}",
                std::process::id(),
                CASTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ),
            compose_file: r.config.compose_file.clone(),
        };
        r.cast_labels.borrow_mut().push(stage.label.clone());
        match r
            .runtime
            .block_on(Cast::start(stage, cell.castings.clone()))
        {
            Ok(cast) => context.cast = Some(Rc::new(cast)),
            Err(e) => {
                let verdict = Verdict::Inconclusive;
                let why = tail(&e.to_string(), MAX_REASON_BYTES);
                finish(verdict, Some(why), not_applicable)?;
                return Ok(verdict);
            }
        }
    }
    // From here on the cast is stopped whatever happens: a failed append, a panic.
    let mut guard = CellGuard {
        runtime: r.runtime,
        cast: context.cast.clone(),
    };
    record(&Event::CellStarted {
        cell: cell.id.clone(),
        players: context
            .cast
            .as_ref()
            .map(|c| c.records())
            .unwrap_or_default(),
        pki_seed: (pki_seed != r.config.seed).then(|| pki_seed.to_string()),
    })?;
    install(Rc::new(context));
    let first = r.tally.borrow().scenarios.len();
    let bridge = Bridge::new(r.recorder.clone(), r.tally.clone(), r.progress.clone());
    let filter_cell = cell.clone();
    let filter_tags = r.tags.clone();
    let _driving = panic_hook::Driving::start();
    r.runtime.block_on(
        cucumber::Cucumber::<_, _, PathBuf, _, _, cucumber::cli::Empty>::custom(
            crate::run::features::Parsed(r.features.to_vec()),
            cucumber::runner::Basic::default(),
            bridge.normalized(),
        )
        .steps(collection())
        .max_concurrent_scenarios(1)
        .before(|_, _, _, _| {
            panic_hook::reinstate();
            async {}.boxed_local()
        })
        .after(|_, _, _, _, world| {
            panic_hook::reinstate();
            async move {
                if let Some(w) = world {
                    w.end_of_scenario().await;
                }
            }
            .boxed_local()
        })
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .filter_run(r.config.features.clone(), move |feature, rule, scenario| {
            tags_match(&filter_tags, feature, rule, scenario)
                && matrix::applicable(
                    &filter_cell,
                    matrix::needs(feature, rule, scenario).as_ref(),
                )
                .is_ok()
        }),
    );
    drop(_driving);
    let verdict = r.tally.borrow().scenarios[first..]
        .iter()
        .fold(Verdict::Passed, |a, v| a.combine(*v));
    // The players' logs, taken before they are stopped (a removed container has none).
    let logs = guard.stop();
    for (part, logs) in logs {
        record(&Event::ContainerLogged {
            cell: cell.id.clone(),
            part: part.name().to_owned(),
            logs: tail(&logs, MAX_LOGGED_BYTES),
        })?;
    }
    finish(verdict, None, not_applicable)?;
    r.recorder.borrow().sync()?;
    Ok(verdict)
}

/// Ends a cell however it ends: the run context is uninstalled and the cast stopped (its
/// containers and services removed) on the runtime, also when an append fails or a panic
/// unwinds through the cell.
struct CellGuard<'a> {
    runtime: &'a tokio::runtime::Runtime,
    cast: Option<Rc<Cast>>,
}

impl CellGuard<'_> {
    /// Stops the cast; what its containers logged.
    fn stop(&mut self) -> Vec<(crate::events::Part, String)> {
        uninstall();
        let Some(cast) = self.cast.take() else {
            return Vec::new();
        };
        self.runtime.block_on(async {
            let logs = cast.logs().await;
            cast.stop().await;
            logs
        })
    }
}

impl Drop for CellGuard<'_> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How much of a player's start-up failure (its logs included) a `cell-finished` reason keeps.
const MAX_REASON_BYTES: usize = 8 * 1024;

/// Container logs kept per player: the end, where a failure shows.
const MAX_LOGGED_BYTES: usize = 64 * 1024;

fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[… {start} bytes before this]\n{}", &text[start..])
}

/// A scenario with its feature and rule.
type Outlined = (gherkin::Feature, Option<gherkin::Rule>, gherkin::Scenario);

/// Every scenario of the features, examples expanded.
fn outline(features: &[gherkin::Feature]) -> Vec<Outlined> {
    let mut out = Vec::new();
    for feature in features {
        // `features::load` checked that every feature expands: this cannot fail.
        let Ok(feature) = feature.clone().expand_examples() else {
            continue;
        };
        for scenario in &feature.scenarios {
            out.push((feature.clone(), None, scenario.clone()));
        }
        for rule in &feature.rules {
            for scenario in &rule.scenarios {
                out.push((feature.clone(), Some(rule.clone()), scenario.clone()));
            }
        }
    }
    out
}

/// cucumber swaps the process-wide panic hook for a silent one around a run and puts back the
/// hook it found (`runner::Basic`). Two runs at once in one process (the test binary runs
/// many) can put back each other's silent hook and leave it for good: every later panic in
/// the process, a failing test's assertion among them, then prints nothing. Accord keeps one
/// hook of its own, silent only on a thread driving cucumber (whose step panics cucumber
/// reports in the scenario), and puts it back before and after every scenario and run.
mod panic_hook {
    use std::cell::Cell;
    use std::panic::{self, PanicHookInfo};
    use std::sync::OnceLock;

    type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

    /// The hook the process had before Accord's first run: the one that prints.
    static ORIGINAL: OnceLock<Hook> = OnceLock::new();

    thread_local! {
        static DRIVING_CUCUMBER: Cell<bool> = const { Cell::new(false) };
    }

    /// Installs Accord's hook. The first call takes the process's own hook before any run has
    /// started (every run calls this first), so what is kept is never cucumber's silent one.
    pub(super) fn reinstate() {
        let _ = ORIGINAL.get_or_init(panic::take_hook);
        panic::set_hook(Box::new(|info| {
            if !DRIVING_CUCUMBER.with(Cell::get)
                && let Some(print) = ORIGINAL.get()
            {
                print(info);
            }
        }));
    }

    /// Marks the current thread as driving cucumber until dropped; installs the hook.
    pub(super) struct Driving;

    impl Driving {
        pub(super) fn start() -> Self {
            reinstate();
            DRIVING_CUCUMBER.with(|d| d.set(true));
            Driving
        }
    }

    impl Drop for Driving {
        fn drop(&mut self) {
            DRIVING_CUCUMBER.with(|d| d.set(false));
            // Setting a hook while this thread unwinds would abort the process.
            if !std::thread::panicking() {
                reinstate();
            }
        }
    }
}
