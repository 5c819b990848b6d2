//! What anchored evidence costs (issue 17): `bundle verify` of a run's bundle, without and
//! with its RFC 3161 time-stamp token checked against the TSA's certificate, and the token
//! check alone.
//!
//! The run (the JP degree features, reference roles, checkpoints signed by an external key)
//! and the bundles are made by the `accord` binary as a user makes them; the TSA is OpenSSL's
//! `openssl ts` (`tests/peers/tsa/tsa.py`). Without Python or OpenSSL the stamped case is not
//! measured, and the bench says so.
//!
//! Run: `cargo bench --bench evidence`.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};

use criterion::{Criterion, criterion_group};

fn accord(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("accord runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "accord {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("store");
    let key = dir.path().join("signing.jwk");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    accord(&[
        "run",
        "--seed",
        "1",
        "--tags",
        "@jp-degree",
        "--features",
        s(&repo.join("features")),
        "--store",
        s(&store),
        "--signing-key",
        s(&key),
    ]);
    let runs = accord(&["runs", "--json", "--store", s(&store)]);
    let rows: serde_json::Value = serde_json::from_slice(&runs.stdout).expect("runs as JSON");
    let run = rows[0]["id"].as_str().expect("a run").to_owned();
    let shown = accord(&["bundle", "key", "--signing-key", s(&key)]);
    let thumbprint = String::from_utf8_lossy(&shown.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("thumbprint "))
        .expect("a thumbprint")
        .to_owned();
    let plain = dir.path().join("plain.tar");
    accord(&[
        "bundle",
        &run,
        "--output",
        s(&plain),
        "--store",
        s(&store),
        "--signing-key",
        s(&key),
    ]);
    let plain = std::fs::read(&plain).expect("the bundle");
    let mut g = c.benchmark_group("evidence");
    g.sample_size(20);
    g.bench_function("bundle_verify", |b| {
        b.iter(|| {
            let v = accord::evidence::bundle::verify(&plain, Some(&thumbprint));
            assert!(v.intact());
        })
    });
    let tsa = Command::new("python3")
        .arg(repo.join("tests/peers/tsa/tsa.py"))
        .arg(dir.path().join("tsa"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut tsa) = tsa else {
        eprintln!("SKIPPED the time-stamped bundle: python3 is not installed");
        return;
    };
    let mut line = String::new();
    let _ = std::io::BufReader::new(tsa.stdout.take().expect("stdout")).read_line(&mut line);
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.first() != Some(&"listening") {
        eprintln!("SKIPPED the time-stamped bundle: OpenSSL's TSA did not start");
        let _ = tsa.kill();
        return;
    }
    let url = format!("http://127.0.0.1:{}/", fields[1]);
    let pem = std::fs::read(fields[3]).expect("the TSA certificate");
    let cert = x509_parser::pem::parse_x509_pem(&pem)
        .expect("a PEM certificate")
        .1
        .contents;
    let stamped = dir.path().join("stamped.tar");
    accord(&[
        "bundle",
        &run,
        "--output",
        s(&stamped),
        "--store",
        s(&store),
        "--signing-key",
        s(&key),
        "--tsa",
        &url,
    ]);
    let _ = tsa.kill();
    let _ = tsa.wait();
    let stamped = std::fs::read(&stamped).expect("the bundle");
    g.bench_function("bundle_verify_time_stamped", |b| {
        b.iter(|| {
            let v =
                accord::evidence::bundle::verify_stamped(&stamped, Some(&thumbprint), Some(&cert));
            assert!(v.intact(), "{}", v.render());
        })
    });
    let files = accord::evidence::bundle::read_tar(&stamped).expect("a bundle");
    let token = files
        .iter()
        .find(|f| f.path == accord::evidence::timestamp::TOKEN_FILE)
        .expect("a token");
    let manifest: accord::evidence::bundle::Manifest =
        serde_json::from_slice(&files[0].bytes).expect("the manifest");
    g.bench_function("time_stamp_token_verify", |b| {
        b.iter(|| {
            accord::evidence::timestamp::verify(
                &token.bytes,
                &manifest.claims.log_head,
                Some(&cert),
            )
            .expect("the token verifies")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
