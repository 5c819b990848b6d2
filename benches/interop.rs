//! The figures of HTTPS and the cross-vendor matrix:
//!
//! - the whole feature run in process over HTTPS against the same run with `--plain-http`
//!   (ratio; the roles' HTTP clients keep connections alive, so a handshake is paid once per
//!   pair of players, not per request);
//! - the cold start of a cross-vendor cell: from nothing to the end of its first scenario, with
//!   the Impierce wallet (`redirect_uri`, the prefix it shares with Accord's verifier) or the
//!   polaris verifier in its container and Accord's roles for the rest;
//! - the wall time of the cross-vendor matrix (`implementations/*.toml` and
//!   `implementations/peers/*.toml`, every combination whose capabilities meet).
//!
//! Run: `cargo bench --bench interop` (the container figures need the Docker engine and
//! `scripts/build-images`; without them they are skipped with a message). After criterion's
//! output the bench prints the figures.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::entropy::{FixedClock, SystemClock};
use accord::events::Verdict;
use accord::run::engine::{RunConfig, run};
use accord::store::memory::MemoryStore;
use accord::tls::Security;
use criterion::{Criterion, criterion_group};

const NOW: i64 = 1_800_000_000;

mod support;

use support::{manifests, repo};

/// Every feature, Accord's roles in process, over HTTPS or plain HTTP.
fn feature_run(security: Security) -> Duration {
    let config = RunConfig {
        now: Some(NOW),
        security,
        ..RunConfig::new(repo().join("features"), 1)
    };
    let start = Instant::now();
    let outcome = run(
        &config,
        Arc::new(MemoryStore::new()),
        Arc::new(FixedClock(NOW)),
    )
    .expect("run");
    let took = start.elapsed();
    assert_eq!(
        outcome.verdict,
        Verdict::Passed,
        "the benchmarked run failed"
    );
    took
}

fn images_ready() -> Result<(), String> {
    for image in [
        "accord/reference:local",
        "accord/peer-impierce-wallet:local",
        "accord/peer-polaris-verifier:local",
    ] {
        let image = accord::run::launch::LocalImage::parse(image).ok_or("bad image name")?;
        accord::run::launch::check_image(&image).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One scenario of a cell with an independent implementation in its container, from nothing
/// to its end: the wallet presents to the JP verifier part by `mode`.
fn cross_vendor_cell(dir: &Path, peer: &str, mode: &str) -> Duration {
    let feature = format!(
        "@http\nFeature: First scenario\n\n  Scenario: An EU diploma presented to a JP verifier\n    Given the EU university has issued its diploma to the wallet\n    When the JP verifier asks for the claims recognition needs by \"{mode}\"\n    And the wallet presents to the verifier\n    Then the verifier accepts the presentation over OpenID4VP\n"
    );
    let path = dir.join("first.feature");
    std::fs::write(&path, feature).expect("write feature");
    let config = RunConfig {
        implementations: vec![repo().join(format!("implementations/peers/{peer}.toml"))],
        ..RunConfig::new(&path, 1)
    };
    let start = Instant::now();
    let outcome = run(&config, Arc::new(MemoryStore::new()), Arc::new(SystemClock)).expect("run");
    let took = start.elapsed();
    // polaris passes everything but the recognition verdict, which it does not implement.
    assert!(
        matches!(outcome.verdict, Verdict::Passed | Verdict::NotImplemented),
        "the cross-vendor cell with {peer} ended {:?}",
        outcome.verdict
    );
    took
}

fn matrix() -> Duration {
    let mut implementations = manifests("implementations");
    implementations.extend(manifests("implementations/peers"));
    let config = RunConfig {
        implementations,
        matrix: true,
        compose_file: repo().join("docker-compose.yml"),
        ..RunConfig::new(repo().join("features"), 1)
    };
    let start = Instant::now();
    run(&config, Arc::new(MemoryStore::new()), Arc::new(SystemClock)).expect("run");
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("interop");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("features_https", |b| {
        b.iter(|| feature_run(Security::Https))
    });
    group.bench_function("features_plain_http", |b| {
        b.iter(|| feature_run(Security::PlainHttp))
    });
    group.finish();
    // Alternating runs, so machine drift hits both alike.
    let (mut https, mut plain) = (Duration::ZERO, Duration::ZERO);
    let rounds = 5;
    for _ in 0..rounds {
        https += feature_run(Security::Https);
        plain += feature_run(Security::PlainHttp);
    }
    let (h, p) = (
        https.as_secs_f64() / f64::from(rounds),
        plain.as_secs_f64() / f64::from(rounds),
    );
    println!(
        "interop: every feature in process: HTTPS {h:.2} s, plain HTTP {p:.2} s (HTTPS / plain = {:.2})",
        h / p
    );
    match images_ready() {
        Err(why) => {
            println!("interop: SKIPPED the container figures: {why} (scripts/build-images)")
        }
        Ok(()) => {
            let dir = std::env::temp_dir().join(format!("accord-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            for (peer, mode) in [
                ("impierce-wallet", "direct_post"),
                ("polaris-verifier", "direct_post.jwt"),
            ] {
                let cold: Vec<f64> = (0..3)
                    .map(|_| cross_vendor_cell(&dir, peer, mode).as_secs_f64())
                    .collect();
                println!(
                    "interop: cold start of a cross-vendor cell with {peer} in its container (start, first scenario, stop): {:.1} s (best of 3: {:.1} s)",
                    cold.iter().sum::<f64>() / cold.len() as f64,
                    cold.iter().copied().fold(f64::INFINITY, f64::min)
                );
            }
            let _ = std::fs::remove_dir_all(&dir);
            println!(
                "interop: cross-vendor matrix wall time: {:.0} s",
                matrix().as_secs_f64()
            );
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
