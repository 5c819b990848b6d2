//! Trust services (issue #19): how fast Accord judges an ETSI trusted list and follows the
//! LOTL, validates a JAdES seal at levels B and LTA and a PAdES-signed PDF at LTA, set
//! against one bare ES256 verification; and what reading a 10,000-service list costs in time
//! and memory.
//!
//! Run: `cargo bench --bench trust_services`. After criterion's output the bench prints the
//! rates and ratios from criterion's medians, and the time and memory of judging the large
//! list: the growth of peak resident memory (`VmHWM`, reset through `/proc/self/clear_refs`)
//! over the resident memory before, measured in a fresh child process.

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use accord::entropy::{FixedClock, SeededEntropy};
use accord::formats::jades::{self, Policy};
use accord::formats::pdf::pades;
use accord::trust::ades::{Level, Outcome};
use accord::trust::etsi_tl::generate::{self, Options};
use accord::trust::etsi_tl::{lotl, xades};
use accord::trust::services::{ListedService, ServiceKind, StatusPeriod, status, types};
use accord::trust::tsp::{self, Tsa, TsaSite};
use accord::trust::tsp_pki::{GRANTED_SINCE, TrustServicePki};
use criterion::{Criterion, criterion_group};

/// A `VmRSS`/`VmHWM` figure of this process, in bytes.
fn status_kib(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kib| kib * 1024)
}

/// 2026-03-02T09:00:00Z: when the seals are made.
const SIGNED_AT: i64 = 1_772_442_000;
/// 2026-11-01T00:00:00Z: when the lists are issued.
const ISSUED: i64 = 1_793_491_200;
const NOW: i64 = ISSUED + 3_600;
const BASE: &str = "https://tl.accord.test";
const LARGE: usize = 10_000;

struct Setup {
    pki: std::sync::Arc<TrustServicePki>,
    lists: generate::Lists,
    seal_b: String,
    seal_lta: String,
    pdf_lta: Vec<u8>,
    /// One bare ES256 signature: (message, signature, key).
    raw: (Vec<u8>, Vec<u8>, accord::formats::jose::VerifyingKey),
    large: String,
}

fn seal(pki: &std::sync::Arc<TrustServicePki>, level: Level) -> String {
    let tsa = Tsa::new(
        pki.clone(),
        TsaSite::De,
        std::sync::Arc::new(FixedClock(SIGNED_AT)),
    );
    let entropy = RefCell::new(SeededEntropy::new(1, "bench-seal"));
    accord::profiles::eu_diploma::sealed_example(
        &pki.de.seals,
        SIGNED_AT,
        level,
        &tsa,
        &entropy,
        None,
    )
    .expect("seal")
}

/// A DE list of `n` services (the seeded ones repeated under new names), signed.
fn large_list(pki: &TrustServicePki, n: usize) -> String {
    let seeded: Vec<ListedService> = generate::seeded_services(pki)
        .into_iter()
        .filter(|s| s.territory == "DE")
        .collect();
    let services: Vec<ListedService> = (0..n)
        .map(|i| {
            let mut s = seeded[i % seeded.len()].clone();
            s.provider = format!("Provider {}", i / 4);
            s.service_name = format!("Service {i}");
            s.type_uri = types::CA_QC.into();
            s.history = vec![StatusPeriod {
                status: status::GRANTED.into(),
                since: GRANTED_SINCE,
            }];
            s
        })
        .collect();
    let refs: Vec<&ListedService> = services.iter().collect();
    let unsigned = generate::unsigned_list(
        "DE",
        "Bundesnetzagentur (Accord test)",
        accord::trust::etsi_tl::tsl_type::EU_GENERIC,
        &refs,
        &Options::new(BASE, ISSUED),
    );
    xades::sign_enveloped(&unsigned, &pki.de.operator, ISSUED).expect("sign")
}

fn setup() -> Setup {
    let pki = std::sync::Arc::new(TrustServicePki::generate(7).expect("pki"));
    let lists = generate::generate(&pki, &Options::new(BASE, ISSUED)).expect("lists");
    let tsa = Tsa::new(
        pki.clone(),
        TsaSite::Jp,
        std::sync::Arc::new(FixedClock(SIGNED_AT + 5)),
    );
    let pdf_lta = pades::reference_certificate(&pki, "Hanako Yamada", SIGNED_AT, Level::Lta, &tsa)
        .expect("pdf");
    let key = &pki.de.seals.leaf.key;
    let message = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9".to_vec();
    let signature = key.sign(&message).expect("sign");
    Setup {
        seal_b: seal(&pki, Level::B),
        seal_lta: seal(&pki, Level::Lta),
        large: large_list(&pki, LARGE),
        raw: (message, signature, key.verifying_key()),
        pdf_lta,
        lists,
        pki,
    }
}

fn serve(lists: &generate::Lists) -> impl FnMut(&str) -> Result<Vec<u8>, String> + '_ {
    move |url: &str| {
        lists
            .files()
            .iter()
            .find(|(f, _)| url == format!("{BASE}/tl/{f}"))
            .map(|(_, x)| x.as_bytes().to_vec())
            .ok_or_else(|| format!("404 {url}"))
    }
}

fn check(s: &Setup) {
    let de = vec![s.pki.de.operator.cert_der.clone()];
    assert!(lotl::judge_list("DE", "DE", &s.lists.de, &de, NOW).accepted());
    let directory = tsp::seeded_directory(&s.pki);
    for (seal, level) in [(&s.seal_b, Level::B), (&s.seal_lta, Level::Lta)] {
        let r = jades::validate_seal(seal, None, &policy(&directory));
        assert_eq!(r.outcome, Outcome::Passed, "{r:#?}");
        assert_eq!(r.level, Some(level));
    }
    let r = pades::validate(&s.pdf_lta, &directory, NOW);
    assert_eq!(r.level, Some(Level::Lta), "{r:#?}");
    let large = lotl::judge_list("DE", "DE", &s.large, &de, NOW);
    assert!(large.accepted(), "{:#?}", large.findings);
    assert_eq!(large.list.expect("list").services.len(), LARGE);
}

fn policy(directory: &accord::trust::services::ServiceDirectory) -> Policy<'_> {
    Policy {
        directory,
        at: NOW,
        kind: ServiceKind::ESeal,
        required_level: Level::B,
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    check(&s);
    let de = vec![s.pki.de.operator.cert_der.clone()];
    let lotl_pin = vec![s.pki.lotl_operator.cert_der.clone()];
    let directory = tsp::seeded_directory(&s.pki);
    let mut g = c.benchmark_group("trust_services");
    g.bench_function("raw/es256_verify", |b| {
        b.iter(|| black_box(s.raw.2.verify(&s.raw.0, &s.raw.1)).is_ok())
    });
    g.bench_function("tl/judge_de_list", |b| {
        b.iter(|| black_box(lotl::judge_list("DE", "DE", &s.lists.de, &de, NOW)))
    });
    g.bench_function("tl/follow_lotl_4_lists", |b| {
        b.iter(|| {
            black_box(lotl::follow(
                "lotl",
                &s.lists.lotl,
                &lotl_pin,
                NOW,
                serve(&s.lists),
            ))
        })
    });
    g.bench_function("jades/validate_b", |b| {
        b.iter(|| black_box(jades::validate_seal(&s.seal_b, None, &policy(&directory))))
    });
    g.bench_function("jades/validate_lta", |b| {
        b.iter(|| black_box(jades::validate_seal(&s.seal_lta, None, &policy(&directory))))
    });
    g.bench_function("pades/validate_lta", |b| {
        b.iter(|| black_box(pades::validate(&s.pdf_lta, &directory, NOW)))
    });
    g.finish();
    let mut g = c.benchmark_group("trust_services_large");
    g.sample_size(10);
    g.bench_function("tl/judge_10000_services", |b| {
        b.iter(|| black_box(lotl::judge_list("DE", "DE", &s.large, &de, NOW)))
    });
    g.finish();
    summary(&s, &de);
}

/// The median of criterion's estimate for `id`, in seconds.
fn median(id: &str) -> Option<f64> {
    let path = format!("target/criterion/{id}/new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64().map(|ns| ns / 1e9)
}

fn summary(s: &Setup, de: &[Vec<u8>]) {
    println!("\ntrust services, from criterion's medians:");
    let raw = median("trust_services/raw_es256_verify");
    let rows = [
        ("raw ES256 verification", "trust_services/raw_es256_verify"),
        (
            "judge the DE list (parse, C14N, XAdES)",
            "trust_services/tl_judge_de_list",
        ),
        (
            "follow the LOTL (4 lists)",
            "trust_services/tl_follow_lotl_4_lists",
        ),
        ("JAdES B seal", "trust_services/jades_validate_b"),
        ("JAdES LTA seal", "trust_services/jades_validate_lta"),
        ("PAdES LTA PDF", "trust_services/pades_validate_lta"),
    ];
    for (what, id) in rows {
        match (median(id), raw) {
            (Some(t), Some(r)) => println!(
                "  {what:<42} {:>9.0}/s   {:>6.1}× the time of one ES256 verification",
                1.0 / t,
                t / r
            ),
            _ => println!("  {what:<42} (no criterion estimate for {id})"),
        }
    }
    // The large list once more, alone, for its time; its memory in a fresh process (this
    // one's allocator keeps what earlier iterations freed, so its resident memory would not
    // grow).
    let start = Instant::now();
    let judged = lotl::judge_list("DE", "DE", &s.large, de, NOW);
    let took: Duration = start.elapsed();
    assert!(judged.accepted());
    drop(judged);
    println!(
        "  a {LARGE}-service list ({:.1} MB of XML): judged in {:.0} ms, {}",
        s.large.len() as f64 / 1e6,
        took.as_secs_f64() * 1e3,
        memory_in_child(&s.large)
    );
}

/// Runs this bench again as a child that only reads the list from a file and judges it,
/// and returns what it measured.
fn memory_in_child(list: &str) -> String {
    let Ok(dir) = tempfile::tempdir() else {
        return "memory not measured (no temporary directory)".into();
    };
    let path = dir.path().join("large.xml");
    if std::fs::write(&path, list).is_err() {
        return "memory not measured (could not write the list)".into();
    }
    let out = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .env(MEMORY_CHILD, &path)
            .output()
    });
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        Ok(o) => format!(
            "memory not measured: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => format!("memory not measured: {e}"),
    }
}

/// Set (to the list's path) in the child that measures the large list's memory.
const MEMORY_CHILD: &str = "ACCORD_BENCH_LIST_MEMORY";

/// The child: the list read from the file, then the growth of peak resident memory
/// (`VmHWM`, reset through `/proc/self/clear_refs`) over the resident memory before judging.
fn measure_memory(path: &str) {
    let list = std::fs::read_to_string(path).expect("the large list");
    let pki = TrustServicePki::generate(7).expect("pki");
    let pin = vec![pki.de.operator.cert_der.clone()];
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        println!("memory not measured (no /proc/self/clear_refs)");
        return;
    }
    let before = status_kib("VmRSS:").unwrap_or(0);
    let judged = lotl::judge_list("DE", "DE", &list, &pin, NOW);
    let peak = status_kib("VmHWM:").unwrap_or(0);
    assert!(judged.accepted());
    let grown = peak.saturating_sub(before);
    println!(
        "peak resident memory +{:.1} MiB while judging ({:.1}× the XML)",
        grown as f64 / f64::from(1 << 20),
        grown as f64 / list.len() as f64
    );
}

criterion_group!(group, benches);

fn main() {
    if let Ok(path) = std::env::var(MEMORY_CHILD) {
        measure_memory(&path);
        return;
    }
    group();
    Criterion::default().configure_from_args().final_summary();
}
