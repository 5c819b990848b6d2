//! Verification throughput of a key-bound presentation of a 10-claim EU diploma, next to the
//! raw P-256 verification rate of the same machine in the same run (issue #2).
//!
//! A presentation costs two signature verifications: the issuer JWT under the issuer's key
//! (known to the verifier, so parsed once) and the KB-JWT under the holder's `cnf.jwk` (new
//! with every presentation, so parsed each time). The crypto bound is exactly those two
//! aws-lc calls on the presentation's own bytes (`raw/presentation_signatures`); the target is
//! at least 80% of it. `raw/es256_verify_parsed_key` is one bare verification for reference.
//!
//! Run: `cargo bench --bench verify`. After criterion's own output the bench prints the rates
//! and ratios from criterion's medians, and again from alternating batches (drift on a shared
//! machine then hits both sides alike).

use std::hint::black_box;
use std::time::Instant;

use accord::credential::{
    IssueInput, IssuerTrust, StatusInput, VerifyConfig, issue_credential, verify_credential,
};
use accord::entropy::SeededEntropy;
use accord::formats::jose::{Algorithm, SigningKey, b64_decode};
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
    options: VerifyOptions,
    /// The presentation's two signatures: (signing input, signature) of the issuer JWT and of
    /// the KB-JWT, and the two public keys as SEC1 points.
    issuer_sig: (String, Vec<u8>),
    kb_sig: (String, Vec<u8>),
    issuer_point: Vec<u8>,
    holder_point: Vec<u8>,
}

fn point(key: &SigningKey) -> Vec<u8> {
    let jwk = key.public_jwk();
    let mut p = vec![4u8];
    p.extend(b64_decode(&jwk.x).expect("x"));
    p.extend(b64_decode(jwk.y.as_deref().expect("y")).expect("y"));
    p
}

fn split(jws: &str) -> (String, Vec<u8>) {
    let (input, sig) = jws.rsplit_once('.').expect("jws");
    (input.to_owned(), b64_decode(sig).expect("sig"))
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
    // Disclose every selectively disclosable top-level claim (and so everything beneath).
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
    let mut options = VerifyOptions::at(NOW);
    options.key_binding = Some(KbExpectation {
        aud: "x509_hash:bench".into(),
        nonce: "n".into(),
    });
    Setup {
        issuer_sig: split(&presentation.issuer_jwt),
        kb_sig: split(presentation.kb_jwt.as_deref().expect("kb")),
        issuer_point: point(&issuer),
        holder_point: point(&holder),
        presentation,
        issuer,
        options,
    }
}

impl Setup {
    fn verify_presentation(&self, key: &mut FixedIssuerKey) {
        let v = verify(black_box(&self.presentation), key, &self.options);
        assert!(v.is_valid());
    }

    /// Exactly the two signature checks a presentation needs, on its own bytes.
    fn verify_two_signatures(&self, issuer: &ParsedPublicKey) {
        issuer
            .verify_sig(black_box(self.issuer_sig.0.as_bytes()), &self.issuer_sig.1)
            .expect("issuer signature");
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, black_box(&self.holder_point))
            .verify(self.kb_sig.0.as_bytes(), &self.kb_sig.1)
            .expect("kb signature");
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let check = verify(
        &s.presentation,
        &mut FixedIssuerKey(s.issuer.verifying_key()),
        &s.options,
    );
    assert!(check.violations.is_empty(), "{:?}", check.violations);
    assert!(
        check.disclosed.len() >= 10,
        "the presentation discloses {} claims",
        check.disclosed.len()
    );
    let issuer_parsed =
        ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &s.issuer_point).expect("key");

    let mut g = c.benchmark_group("presentation");
    g.bench_function("sd_jwt_verify_with_kb", |b| {
        let mut key = FixedIssuerKey(s.issuer.verifying_key());
        b.iter(|| s.verify_presentation(&mut key))
    });
    let config = VerifyConfig {
        now: NOW,
        skew: 300,
        key_binding: s.options.key_binding.clone(),
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

    let mut g = c.benchmark_group("raw");
    g.bench_function("presentation_signatures", |b| {
        b.iter(|| s.verify_two_signatures(&issuer_parsed))
    });
    g.bench_function("es256_verify_parsed_key", |b| {
        b.iter(|| {
            issuer_parsed
                .verify_sig(black_box(s.issuer_sig.0.as_bytes()), &s.issuer_sig.1)
                .expect("verifies")
        })
    });
    g.finish();
}

criterion_group!(group, benches);

/// Median nanoseconds per iteration from criterion's estimates for this run (the median
/// resists the outliers a shared machine produces).
fn median_ns(id: &str) -> Option<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// The presentation and its two raw signature checks timed in alternating batches; returns
/// the median nanoseconds of each.
fn interleaved(rounds: usize, batch: usize) -> (f64, f64) {
    let s = setup();
    let issuer_parsed =
        ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &s.issuer_point).expect("key");
    let mut key = FixedIssuerKey(s.issuer.verifying_key());
    let (mut raw, mut pres) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..batch {
            s.verify_two_signatures(&issuer_parsed);
        }
        raw.push(t.elapsed().as_nanos() as f64 / batch as f64);
        let t = Instant::now();
        for _ in 0..batch {
            s.verify_presentation(&mut key);
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
    let (Some(sd), Some(full), Some(pair), Some(one)) = (
        median_ns("presentation/sd_jwt_verify_with_kb"),
        median_ns("presentation/credential_verify_full"),
        median_ns("raw/presentation_signatures"),
        median_ns("raw/es256_verify_parsed_key"),
    ) else {
        return; // A filtered run or `--test`: nothing to summarise.
    };
    let rate = |ns: f64| 1e9 / ns;
    let pct = |ns: f64, bound: f64| 100.0 * bound / ns;
    println!("\nsummary (this machine, this run; criterion medians):");
    println!(
        "  raw ES256 verify (one, parsed key):  {:>7.0} /s",
        rate(one)
    );
    println!(
        "  crypto bound (the two signatures):   {:>7.0} presentations/s",
        rate(pair)
    );
    println!(
        "  SD-JWT + KB-JWT verify:              {:>7.0} presentations/s = {:.0}% of the bound",
        rate(sd),
        pct(sd, pair)
    );
    println!(
        "  + SD-JWT VC rules, profile, report:  {:>7.0} presentations/s = {:.0}% of the bound",
        rate(full),
        pct(full, pair)
    );
    let (pair_i, sd_i) = interleaved(200, 50);
    println!("alternating batches (200 x 50, medians):");
    println!(
        "  crypto bound {:.0} /s, SD-JWT + KB-JWT verify {:.0} /s = {:.0}% of the bound",
        rate(pair_i),
        rate(sd_i),
        pct(sd_i, pair_i)
    );
}
