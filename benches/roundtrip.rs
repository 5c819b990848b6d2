//! Complete issuance + presentation round trips per second over loopback HTTPS with the
//! in-process reference roles (issue #4): one iteration is an offer created through the
//! issuer's control API, the wallet's whole OpenID4VCI exchange (metadata, token, nonce,
//! credential), a DCQL request created at the JP verifier, the wallet's OpenID4VP answer and
//! the verifier's full validation (trust lists and status list fetched over HTTP), and the
//! result read back. Measured for `direct_post` and `direct_post.jwt`.
//!
//! Run: `cargo bench --bench roundtrip`. After criterion's output the bench prints round trips
//! per second and the cost of encrypting the response as a ratio.

use std::sync::Arc;
use std::time::{Duration, Instant};

use accord::entropy::FixedClock;
use accord::roles::control::ControlClient;
use accord::roles::topology::Topology;
use accord::transport::{ExchangeSink, Limits, Transport};
use accord::trust::pki::TestPki;
use criterion::{Criterion, criterion_group};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;

struct Bed {
    topology: Topology,
    control: ControlClient,
    sink: ExchangeSink,
}

fn query() -> Value {
    json!({"credentials": [{
        "id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:diploma:1"]},
        "claims": [{"path": ["qualification"]}, {"path": ["family_name"]}, {"path": ["given_name"]}]
    }]})
}

async fn round_trip(bed: &Bed, mode: &str) {
    let t = &bed.topology;
    let c = &bed.control;
    let offer = c
        .create_offer(&t.eu_issuer.base_url, &json!({"tx_code": true}))
        .await
        .expect("offer");
    let uri = offer.body["uri"].as_str().expect("offer uri");
    let accepted = c
        .accept_offer(&t.wallet.base_url, uri, offer.body["tx_code"].as_str())
        .await
        .expect("accept");
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let created = c
        .create_request(
            &t.jp_verifier.base_url,
            &json!({"dcql_query": query(), "response_mode": mode}),
        )
        .await
        .expect("request");
    let presented = c
        .present(
            &t.wallet.base_url,
            &json!({"request": created.body["authorization_request"]}),
        )
        .await
        .expect("present");
    assert_eq!(presented.body["verifier_status"], 200, "{}", presented.body);
    let id = created.body["id"].as_str().expect("id");
    let outcome = c.result(&t.jp_verifier.base_url, id).await.expect("result");
    assert_eq!(outcome.body["status"], "verified");
    // The run engine would record these as events; here they are dropped so memory stays flat.
    bed.sink.drain();
}

fn setup(rt: &tokio::runtime::Runtime) -> Bed {
    rt.block_on(async {
        let pki = TestPki::generate(1).expect("pki");
        let sink = ExchangeSink::default();
        let transport = Transport::new(
            sink.clone(),
            Limits::default(),
            &accord::tls::ClientTrust::of(&pki),
        )
        .expect("transport");
        let topology = Topology::start(&pki, 1, Arc::new(FixedClock(NOW)), transport.clone())
            .await
            .expect("topology");
        Bed {
            topology,
            control: ControlClient::new(transport),
            sink,
        }
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let bed = setup(&rt);
    let mut group = c.benchmark_group("roundtrip");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for mode in ["direct_post", "direct_post.jwt"] {
        group.bench_function(mode, |b| b.iter(|| rt.block_on(round_trip(&bed, mode))));
    }
    group.finish();
    // Plain rates from alternating batches, so machine drift hits both modes alike.
    let (mut plain, mut encrypted) = (Duration::ZERO, Duration::ZERO);
    let batch = 50;
    for _ in 0..4 {
        let start = Instant::now();
        for _ in 0..batch {
            rt.block_on(round_trip(&bed, "direct_post"));
        }
        plain += start.elapsed();
        let start = Instant::now();
        for _ in 0..batch {
            rt.block_on(round_trip(&bed, "direct_post.jwt"));
        }
        encrypted += start.elapsed();
    }
    let n = f64::from(4 * batch);
    let (p, e) = (n / plain.as_secs_f64(), n / encrypted.as_secs_f64());
    println!(
        "roundtrip: direct_post {p:.0}/s, direct_post.jwt {e:.0}/s (encrypted / plain = {:.2})",
        e / p
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
