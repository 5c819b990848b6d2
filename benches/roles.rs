//! What the protections of the reference roles cost, and what they save (issue 17).
//!
//! - Requests per second of an in-process verifier over loopback HTTPS with a control token
//!   set: `GET /control/health` (exempt from the guard) and `GET /control/capabilities`
//!   (through the whole guard: Host, Origin, token, constant-time compare).
//! - The peak resident memory (VmHWM) of an `accord serve issuer` process idle, then after a
//!   flood of `POST /control/offers` with 60 KB subjects (issue 17 measured 15 MB → 4.95 GB
//!   for 20,000 offers of 236 KB before the bounds). `ACCORD_ROLES_BENCH_OFFERS` sets the
//!   flood's size (default 20000).
//!
//! Run: `cargo bench --bench roles`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::entropy::FixedClock;
use accord::roles::control::ControlClient;
use accord::roles::topology::{self, VerifierVariant};
use accord::roles::{ControlAccess, Listen};
use accord::tls::{ClientTrust, Security};
use accord::transport::{ExchangeSink, Limits, Request, Transport};
use accord::trust::pki::TestPki;
use criterion::{Criterion, criterion_group};
use serde_json::json;

const NOW: i64 = 1_800_000_000;
const TOKEN: &str = "bench-control-token";

fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let pki = TestPki::generate(1).expect("the PKI");
    let trust = ClientTrust::of(&pki);
    let transport =
        Transport::new(ExchangeSink::disabled(), Limits::default(), &trust).expect("a transport");
    let verifier = rt.block_on(async {
        let listen = Listen::role(
            Security::Https,
            &pki,
            &topology::hosts::verifier("jp"),
            "127.0.0.1:0".parse().expect("an address"),
        )
        .expect("a TLS identity")
        .with_access(ControlAccess::default().with_token(Some(TOKEN.into())));
        topology::start_verifier(
            &pki,
            "jp",
            1,
            Arc::new(FixedClock(NOW)),
            transport.clone(),
            None,
            &VerifierVariant::default(),
            listen,
        )
        .await
        .expect("the verifier")
    });
    let control = ControlClient::new(transport).with_token(Some(TOKEN.into()));
    let base = verifier.base_url.clone();
    let mut group = c.benchmark_group("roles");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("verifier GET /control/health", |b| {
        b.iter(|| rt.block_on(control.health("verifier", &base)))
    });
    group.bench_function("verifier GET /control/capabilities (guarded)", |b| {
        b.iter(|| rt.block_on(control.capabilities("verifier", &base)))
    });
    group.finish();
    let n = 2000;
    let start = Instant::now();
    for _ in 0..n {
        let _ = rt.block_on(control.capabilities("verifier", &base));
    }
    println!(
        "roles: guarded control calls, one at a time: {:.0}/s",
        f64::from(n) / start.elapsed().as_secs_f64()
    );
    rt.block_on(verifier.stop());
    flood(&rt);
}

/// The issuer process's peak memory idle and after the flood of offers.
fn flood(rt: &tokio::runtime::Runtime) {
    let offers: u32 = std::env::var("ACCORD_ROLES_BENCH_OFFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "serve",
            "issuer",
            "--plain-http",
            "--port",
            "0",
            "--seed",
            "1",
        ])
        .env("ACCORD_CONTROL_TOKEN", TOKEN)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the accord binary runs");
    let pid = child.id();
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split(" listening on ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .map(str::to_owned)
        })
        .expect("the issuer listens");
    std::thread::spawn(move || for _ in lines {});
    let idle = peak_kib(pid).unwrap_or(0);
    let transport = Transport::new(
        ExchangeSink::disabled(),
        Limits::default(),
        &ClientTrust::default(),
    )
    .expect("a transport");
    let subject = json!({"given_name": "A", "padding": "x".repeat(60 * 1024)});
    let start = Instant::now();
    let mut refused = 0u32;
    rt.block_on(async {
        for _ in 0..offers {
            let r = transport
                .send_bearer(
                    "bench",
                    "issuer",
                    Request::post_json(
                        format!("{url}/control/offers"),
                        &json!({"subject": subject}),
                    ),
                    Some(TOKEN),
                )
                .await;
            if !r.is_ok_and(|r| r.status == 200) {
                refused += 1;
            }
        }
    });
    let after = peak_kib(pid).unwrap_or(0);
    println!(
        "roles: accord serve issuer, {offers} offers of 60 KB in {:.1} s ({refused} not accepted): peak RSS idle {:.0} MiB, after the flood {:.0} MiB",
        start.elapsed().as_secs_f64(),
        idle as f64 / 1024.0,
        after as f64 / 1024.0
    );
    let _ = child.kill();
    let _ = child.wait();
}

criterion_group!(benches, bench);

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
