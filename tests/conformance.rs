//! The Gherkin features under `features/`, run by the same engine as `accord run`
//! (`harness = false`): each scenario's checks are recorded in an event log and the verdict is
//! read back from it. Fails when any scenario is not `passed`.
//!
//! The seed is fixed (set `ACCORD_SEED` to vary it) and the clock is fixed, so the run, its id
//! and its log are the same on every machine.

use std::process::ExitCode;
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::events::Verdict;
use accord::projections::{console, project};
use accord::run::engine::{RunConfig, run};
use accord::store::EventStore;
use accord::store::embedded::EmbeddedStore;

fn main() -> ExitCode {
    let seed = std::env::var("ACCORD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let dir = std::env::temp_dir().join(format!("accord-conformance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::new(&dir));
    let config = RunConfig {
        features: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("features"),
        tags: None,
        seed,
        progress: false,
        ..RunConfig::new("", 0)
    };
    let outcome = match run(&config, store.clone(), Arc::new(FixedClock(1_800_000_000))) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("conformance: the run could not be made: {e}");
            return ExitCode::FAILURE;
        }
    };
    let log = match store.read(&outcome.run_id) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("conformance: the run's log could not be read: {e}");
            return ExitCode::FAILURE;
        }
    };
    let view = project(&log.events, &log.tail);
    print!("{}", console(&view));
    let passed = view.counts.passed;
    let failed = view.scenarios.len() - passed;
    println!("conformance: {passed} passed, {failed} failed");
    let _ = std::fs::remove_dir_all(&dir);
    if outcome.verdict == Verdict::Passed && failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
