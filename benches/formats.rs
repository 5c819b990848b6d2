//! Academic credential formats (issue #20): how long Accord takes to verify an Open Badges 3.0
//! credential with an `eddsa-rdfc-2022` Data Integrity proof (JSON-LD to RDF with the bundled
//! contexts, RDFC-1.0 twice, two SHA-256, one Ed25519 verification), set against the bare
//! Ed25519 verification inside it and against the same credential as a VC-JWT.
//!
//! Then the credentials handed over as files, judged as a verifier judges them
//! ([`accord::academic::judge`]: own layer first, then the crosswalk): a Europass EDC
//! master's sealed as JAdES T (EN 319 102-1 through the seeded service directory, the EDC
//! profile, ELM read into the EU claim set, the crosswalk) against its bare ES256
//! verification, and a 2-page PAdES LT degree certificate with its degree data (PDF parse,
//! byte range, CMS, time-stamp, updates after signing, embedded degree data, crosswalk).
//!
//! Run: `cargo bench --bench formats`. After criterion's output the bench prints the rates
//! and the ratios from criterion's medians.

use std::hint::black_box;

use std::cell::RefCell;
use std::sync::Arc;

use accord::academic::{self, Handed, Judge};
use accord::entropy::{FixedClock, SeededEntropy};
use accord::formats::data_integrity::{self, Contexts, rdfc};
use accord::formats::jose::{SigningKey, b64_decode};
use accord::formats::pdf::{pades, writer};
use accord::formats::vc_jwt;
use accord::profiles::recognition::Verdict;
use accord::trust::ades::Level;
use accord::trust::mra::Arrangement;
use accord::trust::tsp::{self, Tsa, TsaSite};
use accord::trust::tsp_pki::TrustServicePki;
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

/// 2026-03-02T09:00:00Z, and the judging time a month later.
const SIGNED_AT: i64 = 1_772_442_000;
const JUDGED_AT: i64 = SIGNED_AT + 30 * 86_400;

/// The sealed EDC and the 2-page signed PDF, the directory and arrangement to judge them by.
struct Files {
    edc: String,
    pdf: Vec<u8>,
    directory: accord::trust::services::ServiceDirectory,
    arrangement: Arrangement,
    /// The seal's signing input, signature and key: the bare ES256 verification inside it.
    raw: (Vec<u8>, Vec<u8>, accord::formats::jose::VerifyingKey),
}

fn files() -> Files {
    let pki = Arc::new(TrustServicePki::generate(7).expect("pki"));
    let de_tsa = Tsa::new(pki.clone(), TsaSite::De, Arc::new(FixedClock(SIGNED_AT)));
    let entropy = RefCell::new(SeededEntropy::new(7, "bench/edc"));
    let edc = accord::profiles::edc::sealed_masters(
        &pki.de.seals,
        "DEU",
        7,
        SIGNED_AT,
        Level::T,
        &de_tsa,
        &entropy,
    )
    .expect("seal");
    let jp_tsa = Tsa::new(pki.clone(), TsaSite::Jp, Arc::new(FixedClock(SIGNED_AT)));
    let unsigned = writer::certificate_pdf(&writer::CertificateText {
        university: "Osaka Exemplar University".into(),
        graduate: "Hanako Yamada".into(),
        degree: "Bachelor of Engineering".into(),
        conferred: SIGNED_AT,
        attachment: Some(
            serde_json::to_vec(&Value::Object(accord::profiles::jp_degree::example_claims()))
                .expect("json"),
        ),
        transcript: Some(
            (1..=30)
                .map(|i| format!("Course {i:02}    2 tanni    A"))
                .collect(),
        ),
    });
    let registrar = &pki.jp.signatures;
    let signed = pades::sign(
        &unsigned,
        "Registrar",
        &registrar.leaf,
        std::slice::from_ref(&registrar.ca.cert_der),
        SIGNED_AT,
        Some(&jp_tsa),
    )
    .expect("sign");
    let pdf = pades::add_validation_data(
        &signed,
        &[
            registrar.leaf.cert_der.clone(),
            registrar.ca.cert_der.clone(),
            pki.jp.tsa.cert_der.clone(),
        ],
    )
    .expect("dss");
    let key = &pki.de.seals.leaf.key;
    let message = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9".to_vec();
    let signature = key.sign(&message).expect("sign");
    Files {
        edc,
        pdf,
        directory: tsp::seeded_directory(&pki),
        arrangement: pki_arrangement(),
        raw: (message, signature, key.verifying_key()),
    }
}

fn pki_arrangement() -> Arrangement {
    Arrangement::eu_jp_academic(
        accord::profiles::EU_DIPLOMA_VCT,
        accord::profiles::JP_DEGREE_VCT,
    )
}

fn judged(files: &Files, handed: &Handed, relying: &str) -> academic::DocumentJudgement {
    academic::judge(
        handed,
        &Judge {
            relying,
            directory: &files.directory,
            arrangement: &files.arrangement,
            now: JUDGED_AT,
            required_level: Level::B,
            contexts: Contexts::bundled(),
        },
    )
    .expect("readable")
}

fn benches(c: &mut Criterion) {
    let f = files();
    let edc = Handed::Edc(f.edc.clone());
    let pdf = Handed::Pdf(f.pdf.clone());
    for (handed, relying, verdict) in [
        (&edc, "JP", Verdict::Recognised),
        (&pdf, "EU", Verdict::Recognised),
    ] {
        let j = judged(&f, handed, relying);
        assert!(j.authenticity.holds, "{:#?}", j.authenticity);
        assert_eq!(j.recognition.expect("crosses").verdict, verdict);
    }
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
    let (message, signature, verifying) = &f.raw;
    g.bench_function("raw_es256_verify", |b| {
        b.iter(|| verifying.verify(black_box(message), signature).expect("ok"))
    });
    g.bench_function("edc_jades_t_judged", |b| {
        b.iter(|| black_box(judged(&f, &edc, "JP")))
    });
    g.bench_function("pdf_2_pages_pades_lt_judged", |b| {
        b.iter(|| black_box(judged(&f, &pdf, "EU")))
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
    let raw = median("formats/raw_es256_verify");
    for (what, id) in [
        ("raw ES256 verification", "formats/raw_es256_verify"),
        (
            "EDC master's, JAdES T seal, judged in JP",
            "formats/edc_jades_t_judged",
        ),
        (
            "2-page PAdES LT PDF with degree data, in EU",
            "formats/pdf_2_pages_pades_lt_judged",
        ),
    ] {
        match (median(id), raw) {
            (Some(t), Some(r)) => println!(
                "  {what:<44} {:>9.0}/s   {:>7.1}× the time of one ES256 verification",
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
