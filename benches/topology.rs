//! The container issue's figures: how long the whole topology takes from nothing to the end
//! of its first scenario (cold start), in process and in containers of the local image, and
//! the wall time of the container suite (every feature, run against the reference roles in
//! containers).
//!
//! Run: `cargo bench --bench topology` (the container figures need the Docker engine and
//! `scripts/build-images`; without them they are skipped with a message). After criterion's
//! output the bench prints the figures and the container/in-process ratio.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::entropy::SystemClock;
use accord::events::Verdict;
use accord::run::engine::{RunConfig, run};
use accord::store::memory::MemoryStore;
use criterion::{Criterion, criterion_group};

mod support;

use support::{manifests, repo};

/// One scenario that needs the whole topology: issuance over OpenID4VCI, presentation over
/// OpenID4VP with status and trust lists fetched.
fn first_scenario(dir: &Path) -> PathBuf {
    let feature = "@http\nFeature: First scenario\n\n  Scenario: An EU diploma presented to a JP verifier\n    Given the EU university has issued its diploma to the wallet\n    When the JP verifier asks for the claims recognition needs by \"direct_post\"\n    And the wallet presents to the verifier\n    Then the verifier accepts the presentation over OpenID4VP\n";
    let path = dir.join("first.feature");
    std::fs::write(&path, feature).expect("write feature");
    path
}

/// Runs `features` with `implementations` (in a fresh memory store); how long it took.
fn timed_run(features: &Path, implementations: &[PathBuf], tags: Option<&str>) -> Duration {
    let config = RunConfig {
        implementations: implementations.to_vec(),
        tags: tags.map(str::to_owned),
        compose_file: repo().join("docker-compose.yml"),
        ..RunConfig::new(features, 1)
    };
    let start = Instant::now();
    let outcome = run(&config, Arc::new(MemoryStore::new()), Arc::new(SystemClock)).expect("run");
    let took = start.elapsed();
    assert_eq!(
        outcome.verdict,
        Verdict::Passed,
        "the benchmarked run failed"
    );
    took
}

fn docker_ready() -> Result<(), String> {
    let image =
        accord::run::launch::LocalImage::parse("accord/reference:local").expect("image name");
    accord::run::launch::check_image(&image).map_err(|e| e.to_string())
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = first_scenario(dir.path());
    let mut g = c.benchmark_group("cold-start");
    g.sample_size(10);
    g.bench_function("in-process topology to first scenario", |b| {
        b.iter(|| timed_run(&first, &[], None));
    });
    let containers = manifests("implementations/containers");
    let docker = docker_ready();
    if docker.is_ok() {
        g.measurement_time(Duration::from_secs(20));
        g.bench_function("containers topology to first scenario", |b| {
            b.iter(|| timed_run(&first, &containers, None));
        });
    }
    g.finish();

    // The figures, for the README: medians of a few runs each.
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let in_process = median((0..5).map(|_| timed_run(&first, &[], None)).collect());
    println!(
        "cold start to first scenario, in process: {:.0} ms",
        in_process.as_secs_f64() * 1e3
    );
    match docker {
        Ok(()) => {
            let in_containers = median(
                (0..5)
                    .map(|_| timed_run(&first, &containers, None))
                    .collect(),
            );
            println!(
                "cold start to first scenario, 3 roles in containers: {:.0} ms ({:.1}x in process)",
                in_containers.as_secs_f64() * 1e3,
                in_containers.as_secs_f64() / in_process.as_secs_f64()
            );
            let features = repo().join("features");
            let suite = median(
                (0..3)
                    .map(|_| timed_run(&features, &containers, None))
                    .collect(),
            );
            let suite_in_process =
                median((0..3).map(|_| timed_run(&features, &[], None)).collect());
            println!(
                "suite wall time (all features), roles in containers: {:.1} s; in process: {:.1} s (the container suite includes the 10 s frozen-container scenario)",
                suite.as_secs_f64(),
                suite_in_process.as_secs_f64()
            );
        }
        Err(e) => println!("container figures skipped: {e}"),
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
