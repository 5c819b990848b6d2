//! The CLI contract that users' scripts rely on (issue #2): `pki generate`, `credential
//! issue | present | verify | inspect`, `status-list build | inspect`, their JSON output and
//! their exit codes, run as a real process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("accord runs")
}

fn ok(args: &[&str]) -> String {
    let out = accord(args);
    assert!(
        out.status.success(),
        "accord {args:?} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

const NOW: &str = "2027-01-15T08:00:00Z";

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        ok(&[
            "pki",
            "generate",
            root.join("pki").to_str().expect("utf-8"),
            "--seed",
            "7",
        ]);
        Self { _dir: dir, root }
    }

    fn p(&self, rel: &str) -> String {
        self.root.join(rel).to_str().expect("utf-8").to_owned()
    }

    fn write(&self, rel: &str, content: &str) -> String {
        let path = self.root.join(rel);
        std::fs::write(&path, content).expect("write");
        path.to_str().expect("utf-8").to_owned()
    }

    fn claims(&self, profile: &str) -> String {
        let mut claims = match profile {
            "eu-diploma" => accord::profiles::eu_diploma::example_claims(),
            _ => accord::profiles::jp_degree::example_claims(),
        };
        // `iss` then comes from the issuer certificate's SAN URI, as the CLI documents.
        claims.remove("iss");
        self.write(
            &format!("{profile}.claims.json"),
            &Value::Object(claims).to_string(),
        )
    }

    /// Issues with the contract's options (plus `--now` for a fixed clock).
    fn issue(&self, profile: &str, j: &str) -> String {
        let claims = self.claims(profile);
        let cred = ok(&[
            "credential",
            "issue",
            "--profile",
            profile,
            "--claims",
            &claims,
            "--issuer-key",
            &self.p(&format!("pki/{j}/issuer.jwk")),
            "--issuer-cert",
            &self.p(&format!("pki/{j}/issuer-chain.pem")),
            "--holder-key",
            &self.p("pki/holder.pub.jwk"),
            "--now",
            NOW,
            "--seed",
            "3",
        ]);
        self.write(&format!("{profile}.sdjwt"), &cred)
    }

    fn verify(&self, file: &str, extra: &[&str]) -> (Output, Value) {
        let eu = self.p("pki/trust-lists/eu.jwt");
        let jp = self.p("pki/trust-lists/jp.jwt");
        let mut args = vec![
            "credential",
            "verify",
            file,
            "--trust-list",
            &eu,
            "--trust-list",
            &jp,
            "--now",
            NOW,
        ];
        args.extend_from_slice(extra);
        let out = accord(&args);
        let v = json_of(&out);
        (out, v)
    }
}

fn ids(report: &Value) -> Vec<String> {
    report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["requirement"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn pki_generate_writes_keys_certificates_trust_lists_and_is_seeded() {
    let f = Fixture::new();
    for rel in [
        "eu/issuer.jwk",
        "eu/issuer.pub.jwk",
        "eu/issuer-chain.pem",
        "jp/anchor.pem",
        "holder.jwk",
        "trust-lists/eu.jwt",
        "trust-lists/jp.jwt",
        "mra.json",
        "pki.json",
    ] {
        assert!(f.root.join("pki").join(rel).is_file(), "missing {rel}");
    }
    let again = tempfile::tempdir().expect("tempdir");
    ok(&[
        "pki",
        "generate",
        again.path().join("pki").to_str().expect("utf-8"),
        "--seed",
        "7",
    ]);
    let a = std::fs::read(f.root.join("pki/eu/issuer.jwk")).expect("read");
    let b = std::fs::read(again.path().join("pki/eu/issuer.jwk")).expect("read");
    assert_eq!(a, b, "same seed, same keys");
    // A non-empty directory is refused (exit 2) and left untouched.
    let out = accord(&["pki", "generate", &f.p("pki"), "--seed", "8"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(f.root.join("pki/eu/issuer.jwk")).expect("read"),
        a
    );
}

#[test]
fn issue_present_verify_round_trip_for_both_profiles() {
    let f = Fixture::new();
    for (profile, j, path) in [
        ("eu-diploma", "eu", "qualification.eqf_level"),
        ("jp-degree", "jp", "degree.type"),
    ] {
        let cred = f.issue(profile, j);
        // The issued credential verifies against the trust lists, with every claim.
        let (out, report) = f.verify(&cred, &[]);
        assert_eq!(out.status.code(), Some(0), "{report:#}");
        assert_eq!(report["valid"], json!(true));
        assert!(report["claims"].get("_sd").is_none() && report["claims"].get("_sd_alg").is_none());
        // A presentation for one claim, with key binding.
        let presentation = ok(&[
            "credential",
            "present",
            &cred,
            "--holder-key",
            &f.p("pki/holder.jwk"),
            "--disclose",
            path,
            "--nonce",
            "n-42",
            "--aud",
            "x509_hash:abc",
            "--now",
            NOW,
        ]);
        let pres = f.write(&format!("{profile}.presentation"), &presentation);
        let (out, report) = f.verify(&pres, &["--nonce", "n-42", "--aud", "x509_hash:abc"]);
        assert_eq!(out.status.code(), Some(0), "{report:#}");
        let (parent, leaf) = path.split_once('.').expect("dotted");
        assert!(
            report["claims"][parent][leaf].is_number()
                || report["claims"][parent][leaf].is_string(),
            "{report:#}"
        );
        assert!(
            report["claims"].get("given_name").is_none(),
            "undisclosed claims stay hidden"
        );
        // Wrong nonce: exit 1 and the KB requirement named.
        let (out, report) = f.verify(&pres, &["--nonce", "other", "--aud", "x509_hash:abc"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            ids(&report).iter().any(|i| i.contains("kb-nonce")),
            "{report:#}"
        );
        // With --issuer-key the chain is skipped and the output says so.
        let out = accord(&[
            "credential",
            "verify",
            &pres,
            "--issuer-key",
            &f.p(&format!("pki/{j}/issuer.pub.jwk")),
            "--nonce",
            "n-42",
            "--aud",
            "x509_hash:abc",
            "--now",
            NOW,
        ]);
        let report = json_of(&out);
        assert_eq!(out.status.code(), Some(0), "{report:#}");
        assert!(
            report["trust"]["chain"]
                .as_str()
                .expect("chain")
                .contains("skipped")
        );
    }
}

#[test]
fn arrangement_decides_which_verifier_accepts_which_issuer() {
    let f = Fixture::new();
    let jp = f.issue("jp-degree", "jp");
    let mra = f.p("pki/mra.json");
    let (out, report) = f.verify(
        &jp,
        &[
            "--mra",
            &mra,
            "--verifier-jurisdiction",
            "eu",
            "--recognise",
            "eu",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["trust"]["path"]["decision"]["qualified"],
        json!(false),
        "a JP issuer is never a QEAA"
    );
    assert!(report["recognition"]["verdict"].is_string(), "{report:#}");
    let eu = f.issue("eu-diploma", "eu");
    let (out, report) = f.verify(&eu, &["--mra", &mra, "--verifier-jurisdiction", "eu"]);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["trust"]["path"]["decision"]["qualified"],
        json!(true)
    );
    // Only the JP list: the EU diploma has no path to an anchor.
    let out = accord(&[
        "credential",
        "verify",
        &eu,
        "--trust-list",
        &f.p("pki/trust-lists/jp.jwt"),
        "--now",
        NOW,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        ids(&json_of(&out))
            .iter()
            .any(|i| i.contains("path-to-anchor"))
    );
}

#[test]
fn tampered_expired_and_revoked_credentials_are_rejected_with_their_requirement() {
    let f = Fixture::new();
    let cred = f.issue("eu-diploma", "eu");
    let text = std::fs::read_to_string(&cred).expect("read");
    // One changed character in the payload breaks the issuer signature.
    let dot = text.find('.').expect("dot") + 5;
    let mut bytes = text.into_bytes();
    bytes[dot] = if bytes[dot] == b'A' { b'B' } else { b'A' };
    let bad = f.write("tampered.sdjwt", &String::from_utf8(bytes).expect("utf-8"));
    let (out, report) = f.verify(&bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["valid"], json!(false));
    assert!(!ids(&report).is_empty());
    // A status list that says INVALID at the credential's index.
    let claims = f.claims("eu-diploma");
    let cred = ok(&[
        "credential",
        "issue",
        "--profile",
        "eu-diploma",
        "--claims",
        &claims,
        "--issuer-key",
        &f.p("pki/eu/issuer.jwk"),
        "--issuer-cert",
        &f.p("pki/eu/issuer-chain.pem"),
        "--holder-key",
        &f.p("pki/holder.pub.jwk"),
        "--now",
        NOW,
        "--status-uri",
        "https://issuer.eu.accord.example/status/1",
        "--status-index",
        "5",
    ]);
    let cred = f.write("with-status.sdjwt", &cred);
    let list = ok(&[
        "status-list",
        "build",
        "--bits",
        "2",
        "--size",
        "64",
        "--set",
        "5=invalid",
        "--uri",
        "https://issuer.eu.accord.example/status/1",
        "--key",
        &f.p("pki/eu/issuer.jwk"),
        "--cert",
        &f.p("pki/eu/issuer-chain.pem"),
        "--now",
        NOW,
    ]);
    let list = f.write("status.jwt", &list);
    let (out, report) = f.verify(&cred, &["--status-list", &list]);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(report["status"]["status"], json!("INVALID"));
    // No status list at all: fail closed.
    let (out, report) = f.verify(&cred, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        ids(&report)
            .iter()
            .any(|i| i.contains("fail-closed") || i.contains("fetch")),
        "{report:#}"
    );
    // Explicitly skipped: valid, and the output says it was skipped.
    let (out, report) = f.verify(&cred, &["--no-status-check"]);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["status"]["checked"], json!(false));
    let inspected: Value =
        serde_json::from_str(&ok(&["status-list", "inspect", &list])).expect("json");
    assert_eq!(inspected["statuses"]["5"], json!("INVALID"));
}

#[test]
fn bad_input_names_what_and_where_and_writes_nothing() {
    let f = Fixture::new();
    let broken = f.write("broken.json", "{\"family_name\": \"Doe\",\n  oops }");
    let out_file = f.root.join("out.sdjwt");
    let out = accord(&[
        "credential",
        "issue",
        "--profile",
        "eu-diploma",
        "--claims",
        &broken,
        "--issuer-key",
        &f.p("pki/eu/issuer.jwk"),
        "--holder-key",
        &f.p("pki/holder.pub.jwk"),
        "--output",
        out_file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.json") && err.contains("line 2"),
        "{err}"
    );
    assert!(!out_file.exists(), "no partial output file");
    assert_no_partial_files(&f.root);

    // Claims that break the profile: exit 1, the requirement named, nothing written.
    let mut claims = accord::profiles::eu_diploma::example_claims();
    claims["qualification"]["eqf_level"] = json!(9);
    let bad = f.write("eqf9.json", &Value::Object(claims).to_string());
    let out = accord(&[
        "credential",
        "issue",
        "--profile",
        "eu-diploma",
        "--claims",
        &bad,
        "--issuer-key",
        &f.p("pki/eu/issuer.jwk"),
        "--holder-key",
        &f.p("pki/holder.pub.jwk"),
        "--output",
        out_file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PROFILE-EUDIPLOMA"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out_file.exists());

    // A file that is not a credential at all.
    let junk = f.write("junk.txt", "hello");
    let out = accord(&[
        "credential",
        "verify",
        &junk,
        "--issuer-key",
        &f.p("pki/eu/issuer.pub.jwk"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.txt"));
    // A missing file, and a missing trust option (usage).
    let out = accord(&[
        "credential",
        "verify",
        &f.p("nope"),
        "--issuer-key",
        &f.p("pki/eu/issuer.pub.jwk"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = accord(&["credential", "verify", &junk]);
    assert_eq!(out.status.code(), Some(2));
    // A private key where a JWK is expected but broken.
    let key = f.write(
        "bad.jwk",
        r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#,
    );
    let out = accord(&["credential", "verify", &junk, "--issuer-key", &key]);
    assert_eq!(out.status.code(), Some(2));
    // A disclosure path that names nothing.
    let cred = f.issue("eu-diploma", "eu");
    let out = accord(&[
        "credential",
        "present",
        &cred,
        "--holder-key",
        &f.p("pki/holder.jwk"),
        "--disclose",
        "no.such.claim",
        "--nonce",
        "n",
        "--aud",
        "a",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no.such.claim"));
}

fn assert_no_partial_files(dir: &Path) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".partial-"), "left a partial file {name}");
    }
}

#[test]
fn json_serialisations_and_lenient_typ() {
    let f = Fixture::new();
    let claims = f.claims("jp-degree");
    for ser in ["json-flattened", "json-general"] {
        let cred = ok(&[
            "credential",
            "issue",
            "--profile",
            "jp-degree",
            "--claims",
            &claims,
            "--issuer-key",
            &f.p("pki/jp/issuer.jwk"),
            "--issuer-cert",
            &f.p("pki/jp/issuer-chain.pem"),
            "--holder-key",
            &f.p("pki/holder.pub.jwk"),
            "--now",
            NOW,
            "--serialization",
            ser,
        ]);
        assert!(cred.trim_start().starts_with('{'));
        let cred = f.write(&format!("{ser}.json"), &cred);
        let pres = ok(&[
            "credential",
            "present",
            &cred,
            "--holder-key",
            &f.p("pki/holder.jwk"),
            "--disclose",
            "family_name",
            "--nonce",
            "n",
            "--aud",
            "a",
            "--now",
            NOW,
        ]);
        let pres = f.write(&format!("{ser}.pres.json"), &pres);
        let (out, report) = f.verify(&pres, &["--nonce", "n", "--aud", "a"]);
        assert_eq!(out.status.code(), Some(0), "{report:#}");
        assert_eq!(report["serialization"], json!(ser));
    }
    let inspected: Value =
        serde_json::from_str(&ok(&["credential", "inspect", &f.issue("jp-degree", "jp")]))
            .expect("json");
    assert_eq!(inspected["header"]["typ"], json!("dc+sd-jwt"));
    assert!(
        inspected["disclosures"]
            .as_array()
            .expect("array")
            .iter()
            .all(|d| d["digest"].is_string())
    );
}

#[test]
fn shipped_manifests_check_clean_and_a_broken_one_names_field_and_line() {
    let root = crate::support::repo().join("implementations");
    let mut files: Vec<String> = Vec::new();
    for dir in ["", "peers", "containers", "compose"] {
        files.extend(
            std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path().display().to_string())
                .filter(|p| p.ends_with(".toml")),
        );
    }
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    let mut args = vec!["impl", "check"];
    args.extend(files.iter().map(String::as_str));
    let out = accord(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"vendor-wallet\"\nvendor = \"V\"\nversion = \"1\"\nroles = [\"wallet\"]\n\n[capabilities]\nclient_id_prefixes = [\"x509_san_dns\"]\nresponse_modes = [\"fragment\"]\n\n[launch]\nkind = \"container\"\nimage = \"vendor/wallet\"\nports = [8080]\n",
    )
    .unwrap();
    let out = accord(&["impl", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:8: capabilities.response_modes[0]"),
        "{err}"
    );
    assert!(err.contains("bad.toml:12: launch.image"), "{err}");
    // Not TOML at all: still a line.
    std::fs::write(&bad, "id = \"x\"\nroles = [\n").unwrap();
    let out = accord(&["impl", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.toml:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `credential verify` reads a JWT-secured credential (an Open Badges 3.0 VC-JWT) as such:
/// valid with the key it carries, invalid (exit 1) when its `iss` is not the badge's issuer,
/// and unverified, not valid, when only a `kid` names the key and none is given.
#[test]
fn credential_verify_judges_an_open_badge_vc_jwt() {
    use accord::entropy::SeededEntropy;
    use accord::formats::jose::{Algorithm, CompactJws, SigningKey, sign_compact};
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(5, "badge")).unwrap();
    let badge = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2f4b7c1e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://university.example.jp/issuers/1", "type": ["Profile"]},
        "validFrom": "2026-04-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]}
    });
    let token = accord::formats::vc_jwt::issue(&badge, &key, None).unwrap();
    let good = dir.path().join("badge.jwt");
    std::fs::write(&good, &token).unwrap();
    let out = accord(&["credential", "verify", good.to_str().unwrap(), "--now", NOW]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json_of(&out);
    assert_eq!(v["format"], "Open Badges 3.0 VC-JWT");
    assert_eq!(v["signature"], "verified");

    let jws = CompactJws::parse(&token).unwrap();
    let mut claims = jws.payload.clone();
    claims.insert("iss".into(), "https://impostor.example/issuers/9".into());
    let forged = dir.path().join("forged.jwt");
    std::fs::write(
        &forged,
        sign_compact(jws.header.clone(), &claims, &key).unwrap(),
    )
    .unwrap();
    let out = accord(&[
        "credential",
        "verify",
        forged.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_of(&out)["violations"][0]["requirement"],
        "OB3-8.2-required-claims"
    );

    let mut header = serde_json::Map::new();
    header.insert("kid".into(), "https://university.example.jp/keys/1".into());
    let kid_only = dir.path().join("kid.jwt");
    std::fs::write(&kid_only, sign_compact(header, &jws.payload, &key).unwrap()).unwrap();
    let out = accord(&[
        "credential",
        "verify",
        kid_only.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let jwk = dir.path().join("issuer.jwk");
    std::fs::write(&jwk, serde_json::to_vec(&key.public_jwk()).unwrap()).unwrap();
    let out = accord(&[
        "credential",
        "verify",
        kid_only.to_str().unwrap(),
        "--now",
        NOW,
        "--issuer-key",
        jwk.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The trust-services samples from a clean directory: `trust-list generate` writes lists and
/// documents; `trust-list verify` accepts the DE list through the LOTL; `seal verify` passes
/// the sealed diploma and the signed PDF, reads the PDF's embedded degree data and recognises
/// the degree for an EU relying party; a list without the LOTL's pin is refused (exit 1).
#[test]
fn the_trust_services_samples_verify_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
    ok(&[
        "trust-list",
        "generate",
        "--out",
        &d(""),
        "--issued-at",
        "2026-11-01T00:00:00Z",
    ]);
    let at = "2026-11-02T00:00:00Z";
    ok(&[
        "trust-list",
        "verify",
        &d("DE.xml"),
        "--lotl",
        &d("lotl.xml"),
        "--lotl-cert",
        &d("lotl-signer.pem"),
        "--at",
        at,
    ]);
    let refused = accord(&[
        "trust-list",
        "verify",
        &d("DE.xml"),
        "--list-cert",
        &d("jp-signer.pem"),
        "--at",
        at,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    ok(&[
        "seal",
        "verify",
        &d("diploma-sealed.json"),
        "--lotl",
        &d("lotl.xml"),
        "--lotl-cert",
        &d("lotl-signer.pem"),
        "--at",
        at,
        "--level",
        "lta",
        "--relying",
        "JP",
    ]);
    let out = ok(&[
        "seal",
        "verify",
        &d("degree-certificate.pdf"),
        "--lotl",
        &d("lotl.xml"),
        "--lotl-cert",
        &d("lotl-signer.pem"),
        "--at",
        at,
        "--relying",
        "EU",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["indication"], "TOTAL-PASSED", "{v}");
    assert_eq!(v["degree_data"]["file"], "degree.json", "{v}");
    assert_eq!(
        v["academic_recognition"]["recognition"]["verdict"], "recognised",
        "{v}"
    );
}
