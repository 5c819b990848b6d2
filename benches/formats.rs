//! Academic credential formats (issue #20): how long Accord takes to verify an Open Badges 3.0
//! credential with an `eddsa-rdfc-2022` Data Integrity proof (JSON-LD to RDF with the bundled
//! contexts, RDFC-1.0 twice, two SHA-256, one Ed25519 verification), set against the bare
//! Ed25519 verification inside it and against the same credential as a VC-JWT.
//!
//! Run: `cargo bench --bench formats`. After criterion's output the bench prints the rates
//! and the ratios from criterion's medians.

use std::hint::black_box;

use accord::formats::data_integrity::{self, Contexts, rdfc};
use accord::formats::jose::{SigningKey, b64_decode};
use accord::formats::vc_jwt;
use aws_lc_rs::signature::{ED25519, UnparsedPublicKey};
use criterion::{Criterion, criterion_group};
use serde_json::{Value, json};

fn badge() -> Value {
    let signed: Value = serde_json::from_str(include_str!(
        "../tests/vectors/openbadges/signed-ob3-eddsa-rdfc-2022.json"
    ))
    .expect("the vector is JSON");
    let mut doc = signed;
    doc.as_object_mut().expect("an object").remove("proof");
    doc
}

fn benches(c: &mut Criterion) {
    let key = SigningKey::from_ed25519_seed(&[5; 32]).expect("key");
    let public = b64_decode(&key.public_jwk().x).expect("public key");
    let (_, method) = data_integrity::did_key(&public);
    let contexts = Contexts::bundled();
    let doc = badge();
    let signed =
        data_integrity::issue(&doc, &key, &method, "2026-04-01T00:00:00Z", contexts).expect("ok");
    let message = [7u8; 64];
    let signature = key.sign(&message).expect("sign");
    let mut jwt_doc = doc.clone();
    jwt_doc["credentialSubject"]["id"] = json!("did:example:ebfeb1f712ebc6f1c276e12ec21");
    let token = vc_jwt::issue(&jwt_doc, &key, None).expect("vc-jwt");
    let now = 1_800_000_000;

    let mut g = c.benchmark_group("formats");
    g.bench_function("raw_ed25519_verify", |b| {
        b.iter(|| {
            UnparsedPublicKey::new(&ED25519, &public)
                .verify(black_box(&message), &signature)
                .expect("ok")
        })
    });
    g.bench_function("ob3_rdfc_canonicalize_document", |b| {
        b.iter(|| black_box(rdfc::canonical_nquads(&doc, contexts).expect("ok")))
    });
    g.bench_function("ob3_eddsa_rdfc_2022_verify", |b| {
        b.iter(|| {
            let checked = data_integrity::verify(black_box(&signed), None, contexts).expect("ok");
            assert!(checked.valid());
        })
    });
    g.bench_function("ob3_eddsa_rdfc_2022_issue", |b| {
        b.iter(|| {
            black_box(
                data_integrity::issue(&doc, &key, &method, "2026-04-01T00:00:00Z", contexts)
                    .expect("ok"),
            )
        })
    });
    g.bench_function("ob3_vc_jwt_verify", |b| {
        b.iter(|| black_box(vc_jwt::verify(black_box(&token), None, now).expect("ok")))
    });
    g.finish();
}

/// The median of criterion's estimate for `id`, in seconds.
fn median(id: &str) -> Option<f64> {
    let path = format!("target/criterion/{id}/new/estimates.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64().map(|ns| ns / 1e9)
}

fn summary() {
    println!("\ncredential formats, from criterion's medians:");
    let raw = median("formats/raw_ed25519_verify");
    for (what, id) in [
        ("raw Ed25519 verification", "formats/raw_ed25519_verify"),
        (
            "RDFC-1.0 of the badge (JSON-LD to RDF too)",
            "formats/ob3_rdfc_canonicalize_document",
        ),
        (
            "OB3 eddsa-rdfc-2022 verification",
            "formats/ob3_eddsa_rdfc_2022_verify",
        ),
        (
            "OB3 eddsa-rdfc-2022 issuance",
            "formats/ob3_eddsa_rdfc_2022_issue",
        ),
        (
            "OB3 VC-JWT (EdDSA) verification",
            "formats/ob3_vc_jwt_verify",
        ),
    ] {
        match (median(id), raw) {
            (Some(t), Some(r)) => println!(
                "  {what:<44} {:>9.0}/s   {:>7.1}× the time of one Ed25519 verification",
                1.0 / t,
                t / r
            ),
            _ => println!("  {what:<44} (no criterion estimate for {id})"),
        }
    }
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
