//! Event log throughput (issue #3): appends per second through the embedded store (with its
//! durability policy: no fsync per append, fsync at scenario and run end), and hash-chain
//! verification per second, including a full pass over a 1,000,000-event log.
//! Run: `cargo bench --bench store`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use accord::entropy::FixedClock;
use accord::events::{Event, Verdict};
use accord::store::embedded::EmbeddedStore;
use accord::store::{EventStore, RunRecorder};
use criterion::{Criterion, Throughput, criterion_group};

fn check(i: u64) -> Event {
    Event::CheckEvaluated {
        scenario: "A key-bound presentation of the diploma is accepted and recognised".into(),
        subject: Some("verifier-jp".into()),
        requirement: "SDJWT-RFC9901-7.3-kb-sd-hash".into(),
        level: "MUST".into(),
        section: "7.3".into(),
        expected: "met".into(),
        actual: format!("met ({i})"),
        verdict: Verdict::Passed,
    }
}

fn write_log(store: &Arc<EmbeddedStore>, run: &str, n: u64) {
    let mut r = RunRecorder::create(store.clone(), Arc::new(FixedClock(1_800_000_000)), run)
        .expect("create");
    for i in 0..n {
        r.record(&check(i)).expect("append");
    }
    r.sync().expect("sync");
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(EmbeddedStore::new(dir.path()));
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(1));
    let mut r = RunRecorder::create(store.clone(), Arc::new(FixedClock(1_800_000_000)), "append")
        .expect("create");
    let mut i = 0;
    g.bench_function("append_one_event", |b| {
        b.iter(|| {
            i += 1;
            r.record(black_box(&check(i))).expect("append");
        })
    });
    write_log(&store, "verify-10k", 10_000);
    g.throughput(Throughput::Elements(10_000));
    g.sample_size(20);
    g.bench_function("read_and_verify_10k_events", |b| {
        b.iter(|| {
            let v = store.verify("verify-10k").expect("read");
            assert!(v.broken.is_none() && v.events == 10_000);
        })
    });
    g.finish();
}

criterion_group!(group, benches);

fn main() {
    group();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    // One timed pass each over a 1,000,000-event log: the figures the README quotes.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(EmbeddedStore::new(dir.path()));
    let t = Instant::now();
    write_log(&store, "million", 1_000_000);
    let append = t.elapsed();
    let t = Instant::now();
    let v = store.verify("million").expect("read");
    let total = t.elapsed();
    assert!(v.broken.is_none() && v.events == 1_000_000);
    println!("\n1,000,000 events:");
    println!(
        "  appended in {:.2} s = {:.0} events/s (one event per append, fsync at the end)",
        append.as_secs_f64(),
        1e6 / append.as_secs_f64()
    );
    println!(
        "  log verify (streamed) in {:.2} s = {:.0} events/s",
        total.as_secs_f64(),
        1e6 / total.as_secs_f64()
    );
}
