//! The replay issue's figures: what a regression check costs next to the run it checks.
//!
//! - the full run of the features against the in-process reference roles (recording);
//! - re-driving that recording against the in-process JP verifier, every counterpart a
//!   recorded double (`accord replay --against`);
//! - projecting the recording's snapshots: every exchange of every scenario decoded and
//!   normalised (`accord run --snapshots check` minus the file reads).
//!
//! Run: `cargo bench --bench replay`. After criterion's output the bench prints the medians'
//! ratios to the full run.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::entropy::FixedClock;
use accord::events::Part;
use accord::events::Verdict;
use accord::evidence::replay::{Recording, Target, redrive};
use accord::projections;
use accord::run::cast::Casting;
use accord::run::engine::{RunConfig, run};
use accord::store::EventStore;
use accord::store::memory::MemoryStore;
use criterion::{Criterion, criterion_group};

const NOW: i64 = 1_795_770_000;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> RunConfig {
    RunConfig {
        tags: Some("not @containers".into()),
        now: Some(NOW),
        ..RunConfig::new(repo().join("features"), 1)
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn bench(c: &mut Criterion) {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let outcome = run(&config(), store.clone(), Arc::new(FixedClock(NOW))).expect("run");
    assert_eq!(outcome.verdict, Verdict::Passed);
    let log = store.read(&outcome.run_id).expect("log");
    let recording = Recording::from_log(&outcome.run_id, &log.events, &log.tail).expect("whole");
    let view = projections::project(&log.events, &log.tail);
    let exchanges: usize = view.scenarios.iter().map(|s| s.exchanges.len()).sum();
    let target = Target {
        casting: Casting::Reference,
        parts: vec![Part::VerifierJp],
        compose_file: repo().join("docker-compose.yml"),
    };

    let mut g = c.benchmark_group("replay");
    g.sample_size(10);
    g.bench_function("full run (recording)", |b| {
        b.iter(|| {
            run(
                &config(),
                Arc::new(MemoryStore::new()),
                Arc::new(FixedClock(NOW)),
            )
        })
    });
    g.bench_function("re-drive against the JP verifier", |b| {
        b.iter(|| {
            let r = redrive(
                &recording,
                &target,
                Arc::new(MemoryStore::new()),
                Arc::new(FixedClock(NOW)),
            )
            .expect("replay");
            assert_eq!(r.differences, 0);
        })
    });
    g.bench_function("snapshots of the run (normalise every exchange)", |b| {
        b.iter(|| accord::evidence::snapshot::documents(&view))
    });
    g.finish();

    // The figures for the README, from our own timing (medians of 10).
    let time = |f: &dyn Fn()| {
        median(
            (0..10)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .collect(),
        )
    };
    let full = time(&|| {
        run(
            &config(),
            Arc::new(MemoryStore::new()),
            Arc::new(FixedClock(NOW)),
        )
        .expect("run");
    });
    let mut redriven = 0;
    let replay = time(&|| {
        redrive(
            &recording,
            &target,
            Arc::new(MemoryStore::new()),
            Arc::new(FixedClock(NOW)),
        )
        .expect("replay");
    });
    if let Ok(r) = redrive(
        &recording,
        &target,
        Arc::new(MemoryStore::new()),
        Arc::new(FixedClock(NOW)),
    ) {
        redriven = r.scenarios;
    }
    let snapshots = time(&|| {
        accord::evidence::snapshot::documents(&view);
    });
    println!(
        "\nfull run: {} scenarios, {exchanges} exchanges, {:.0} ms",
        view.scenarios.len(),
        full.as_secs_f64() * 1e3
    );
    println!(
        "re-drive against the JP verifier: {redriven} scenarios, {:.0} ms ({:.2} of the full run)",
        replay.as_secs_f64() * 1e3,
        replay.as_secs_f64() / full.as_secs_f64()
    );
    println!(
        "snapshots (normalise {exchanges} exchanges): {:.1} ms ({:.3} of the full run, {:.0} exchanges/s)",
        snapshots.as_secs_f64() * 1e3,
        snapshots.as_secs_f64() / full.as_secs_f64(),
        exchanges as f64 / snapshots.as_secs_f64()
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
