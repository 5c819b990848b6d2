//! Verification throughput of a key-bound presentation of a 10-claim EU diploma, next to the
//! raw ES256 verification rate of the same machine in the same run (issue #2).
//!
//! A presentation costs two signature verifications (issuer JWT, KB-JWT), so the crypto
//! bound is half the raw verification rate; the target is at least 80% of that bound.
//! Run: `cargo bench --bench verify`. After criterion's own output, the bench prints the
//! rates and the ratio, computed from criterion's estimates.

use std::hint::black_box;

use accord::credential::{
    IssueInput, IssuerTrust, StatusInput, VerifyConfig, issue_credential, verify_credential,
};
use accord::entropy::SeededEntropy;
use accord::formats::jose::{Algorithm, SigningKey};
use accord::formats::sd_jwt::issue::Decoys;
use accord::formats::sd_jwt::present::{KeyBinding, present};
use accord::formats::sd_jwt::verify::{FixedIssuerKey, KbExpectation, VerifyOptions, verify};
use accord::formats::sd_jwt::{ClaimPath, SdJwt};
use accord::formats::sd_jwt_vc::TypMode;
use accord::profiles::{Profile, eu_diploma};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, ParsedPublicKey, UnparsedPublicKey};
use criterion::{Criterion, criterion_group};

const NOW: i64 = 1_800_000_000;

struct Setup {
    presentation: SdJwt,
    issuer: SigningKey,
    claims_disclosed: usize,
}

fn setup() -> Setup {
    let issuer = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "bench-issuer"))
        .expect("key");
    let holder = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "bench-holder"))
        .expect("key");
    let claims = eu_diploma::example_claims();
    let input = IssueInput {
        profile: Some(Profile::EuDiploma),
        claims: claims.clone(),
        issuer_key: &issuer,
        issuer_chain: None,
        holder_key: Some(holder.public_jwk()),
        iat: NOW - 3600,
        iss: None,
        status: None,
        disclosable: None,
        decoys: Decoys::UpTo(2),
        enforce_profile: true,
    };
    let issued = issue_credential(input, &mut SeededEntropy::new(1, "bench")).expect("issue");
    // Disclose every selectively disclosable top-level claim of the diploma.
    let reveal: Vec<ClaimPath> = Profile::EuDiploma
        .disclosable_paths(&claims)
        .into_iter()
        .filter(|p| p.len() == 1)
        .collect();
    let kb = KeyBinding {
        holder_key: &holder,
        aud: "x509_hash:bench".into(),
        nonce: "n".into(),
        iat: NOW,
    };
    let presentation = present(&issued, &reveal, Some(kb)).expect("present");
    Setup {
        presentation,
        issuer,
        claims_disclosed: reveal.len(),
    }
}

fn options() -> VerifyOptions {
    let mut o = VerifyOptions::at(NOW);
    o.key_binding = Some(KbExpectation {
        aud: "x509_hash:bench".into(),
        nonce: "n".into(),
    });
    o
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let check = verify(
        &s.presentation,
        &mut FixedIssuerKey(s.issuer.verifying_key()),
        &options(),
    );
    assert!(check.violations.is_empty(), "{:?}", check.violations);
    // Disclosing every top-level claim reveals the nested ones too: count disclosures.
    assert!(
        check.disclosed.len() >= 10,
        "the presentation discloses {} claims ({} top-level)",
        check.disclosed.len(),
        s.claims_disclosed
    );

    let mut g = c.benchmark_group("presentation");
    g.bench_function("sd_jwt_verify_with_kb", |b| {
        let key = s.issuer.verifying_key();
        b.iter(|| {
            let v = verify(
                black_box(&s.presentation),
                &mut FixedIssuerKey(key.clone()),
                &options(),
            );
            assert!(v.is_valid());
        })
    });
    let config = VerifyConfig {
        now: NOW,
        skew: 300,
        key_binding: options().key_binding,
        typ_mode: TypMode::Strict,
        trust: IssuerTrust::Key(s.issuer.verifying_key()),
        status: StatusInput::Skip,
        check_profile: true,
    };
    g.bench_function("credential_verify_full", |b| {
        b.iter(|| {
            let r = verify_credential(black_box(&s.presentation), None, &config);
            assert!(r.valid);
        })
    });
    g.finish();

    // The crypto bound: raw ES256 verification of the same issuer JWT.
    let (input, sig) = s.presentation.issuer_jwt.rsplit_once('.').expect("jws");
    let sig = accord::formats::jose::b64_decode(sig).expect("sig");
    let jwk = s.issuer.public_jwk();
    let mut point = vec![4u8];
    point.extend(accord::formats::jose::b64_decode(&jwk.x).expect("x"));
    point.extend(accord::formats::jose::b64_decode(jwk.y.as_deref().expect("y")).expect("y"));
    let parsed = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point).expect("key");
    let mut g = c.benchmark_group("raw");
    g.bench_function("es256_verify_parsed_key", |b| {
        b.iter(|| {
            parsed
                .verify_sig(black_box(input.as_bytes()), black_box(&sig))
                .expect("verifies")
        })
    });
    g.bench_function("es256_verify_unparsed_key", |b| {
        b.iter(|| {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
                .verify(black_box(input.as_bytes()), black_box(&sig))
                .expect("verifies")
        })
    });
    g.finish();
}

criterion_group!(group, benches);

/// Median time per iteration in nanoseconds (robust to the outliers a shared machine produces), from criterion's estimates for this run.
fn mean_ns(id: &str) -> Option<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// Presentation verification and raw ES256 verification timed in alternating batches, so
/// that the drift of a shared machine (frequency, neighbours) hits both sides alike. Returns
/// the median nanoseconds per raw verification and per presentation verification.
fn interleaved(rounds: usize, batch: usize) -> (f64, f64) {
    use std::time::Instant;
    let s = setup();
    let key = s.issuer.verifying_key();
    let (input, sig) = s.presentation.issuer_jwt.rsplit_once('.').expect("jws");
    let sig = accord::formats::jose::b64_decode(sig).expect("sig");
    let jwk = s.issuer.public_jwk();
    let mut point = vec![4u8];
    point.extend(accord::formats::jose::b64_decode(&jwk.x).expect("x"));
    point.extend(accord::formats::jose::b64_decode(jwk.y.as_deref().expect("y")).expect("y"));
    let parsed = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point).expect("key");
    let (mut raw, mut pres) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..batch {
            parsed
                .verify_sig(black_box(input.as_bytes()), black_box(&sig))
                .expect("verifies");
        }
        raw.push(t.elapsed().as_nanos() as f64 / batch as f64);
        let t = Instant::now();
        for _ in 0..batch {
            let v = verify(
                black_box(&s.presentation),
                &mut FixedIssuerKey(key.clone()),
                &options(),
            );
            assert!(v.is_valid());
        }
        pres.push(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut raw), median(&mut pres))
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    let (Some(sd), Some(full), Some(raw)) = (
        mean_ns("presentation/sd_jwt_verify_with_kb"),
        mean_ns("presentation/credential_verify_full"),
        mean_ns("raw/es256_verify_parsed_key"),
    ) else {
        return; // Filtered run or --test: nothing to summarise.
    };
    let rate = |ns: f64| 1e9 / ns;
    let bound = rate(raw) / 2.0;
    println!("\nsummary (this machine, this run):");
    println!("  raw ES256 verify:                 {:>9.0} /s", rate(raw));
    println!(
        "  crypto bound (2 verifies each):   {:>9.0} presentations/s",
        bound
    );
    println!(
        "  SD-JWT + KB-JWT verify:           {:>9.0} presentations/s = {:.0}% of the bound",
        rate(sd),
        100.0 * rate(sd) / bound
    );
    println!(
        "  + SD-JWT VC rules + profile:      {:>9.0} presentations/s = {:.0}% of the bound",
        rate(full),
        100.0 * rate(full) / bound
    );
    let (raw_i, pres_i) = interleaved(200, 50);
    let bound_i = rate(raw_i) / 2.0;
    println!("interleaved (200 alternating batches of 50, medians):");
    println!(
        "  raw ES256 verify:                 {:>9.0} /s",
        rate(raw_i)
    );
    println!(
        "  SD-JWT + KB-JWT verify:           {:>9.0} presentations/s = {:.0}% of the bound",
        rate(pres_i),
        100.0 * rate(pres_i) / bound_i
    );
}
