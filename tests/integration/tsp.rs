//! RFC 3161 time-stamps against another implementation, OpenSSL's `openssl ts`: a token
//! OpenSSL's TSA makes (signing with a TSA certificate and key of Accord's seeded providers)
//! validates in Accord; a token Accord's TSA makes over OpenSSL's request verifies with
//! `openssl ts -verify`; a tampered token or changed data is refused by both. And the TSA as a
//! process (`accord serve tsa`) asked by `accord timestamp request`, its fault switched over
//! the control API.
//!
//! Without the `openssl` binary the tests say they skipped (`ACCORD_REQUIRE_PEERS=1` makes
//! that a failure).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::trust::pki::pem;
use accord::trust::tsp::{self, TimeStampResp, Tsa, TsaSite};
use accord::trust::tsp_pki::TrustServicePki;

use super::support::{Needs, skip, text};

const SEED: u64 = 11;
/// 2026-09-21T00:00:00Z: after the DE "Widerruf" TSA's withdrawal and the FR TSA's expiry,
/// within every other seeded certificate's validity.
const NOW: i64 = 1_789_948_800;
const NOW_TEXT: &str = "2026-09-21T00:00:00Z";

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("accord runs")
}

fn openssl(dir: &Path, args: &[&str]) -> Option<Output> {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .ok()
}

fn have_openssl() -> bool {
    Command::new("openssl")
        .args(["ts", "-help"])
        .output()
        .is_ok()
}

/// Whether the `openssl` binary is missing; if so, says how to get it (a skip line, or a
/// failure under `ACCORD_REQUIRE_PEERS=1`).
fn openssl_missing(how: &str) -> bool {
    if have_openssl() {
        return false;
    }
    skip::<()>(Needs::Peer, "openssl is not installed", how);
    true
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A temporary directory with `data.txt`, the JP TSA's certificate and key (PEM) and an
/// OpenSSL TSA configuration signing with them.
fn workspace(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("accord-tsp-{name}-"))
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let pki = TrustServicePki::generate(SEED).unwrap();
    std::fs::write(
        dir.join("data.txt"),
        b"Diploma of Osaka Exemplar University\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tsa.pem"),
        pem("CERTIFICATE", &pki.jp.tsa.cert_der),
    )
    .unwrap();
    std::fs::write(
        dir.join("tsa.key"),
        pem("PRIVATE KEY", &pki.jp.tsa.key.pkcs8_der().unwrap()),
    )
    .unwrap();
    std::fs::write(
        dir.join("de-tsa.pem"),
        pem("CERTIFICATE", &pki.de.tsa.cert_der),
    )
    .unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let config = format!(
        "[ tsa ]\ndefault_tsa = accord\n\n[ accord ]\nserial = {d}/serial\ncrypto_device = builtin\n\
         signer_cert = {d}/tsa.pem\ncerts = {d}/tsa.pem\nsigner_key = {d}/tsa.key\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\n\
         accuracy = secs:1, millisecs:500, microsecs:100\nordering = no\ntsa_name = yes\n\
         ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
        d = dir.display()
    );
    std::fs::write(dir.join("tsa.cnf"), config).unwrap();
    (tmp, dir)
}

fn assert_exit(out: &Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    assert!(
        text(out).contains(needle),
        "wanted {needle:?} in:\n{}",
        text(out)
    );
}

#[test]
fn openssl_tokens_validate_in_accord_and_tampering_is_refused_by_both() {
    if openssl_missing("install OpenSSL (`openssl ts`)") {
        return;
    }
    let (_tmp, dir) = workspace("openssl-tsa");
    let run = |args: &[&str]| {
        let out = openssl(&dir, args).unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
        out
    };
    run(&[
        "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "req.tsq",
    ]);
    run(&[
        "ts",
        "-reply",
        "-config",
        "tsa.cnf",
        "-queryfile",
        "req.tsq",
        "-out",
        "resp.tsr",
    ]);
    run(&[
        "ts",
        "-reply",
        "-in",
        "resp.tsr",
        "-token_out",
        "-out",
        "token.tst",
    ]);
    // OpenSSL's own verdict first: the token is good.
    run(&[
        "ts",
        "-verify",
        "-queryfile",
        "req.tsq",
        "-in",
        "resp.tsr",
        "-CAfile",
        "tsa.pem",
    ]);

    // Accord: the response and the bare token, the TSA judged through the seeded lists (the
    // JP TSA is listed as accredited) and pinned.
    let data = dir.join("data.txt");
    for input in ["resp.tsr", "token.tst"] {
        let out = accord(&[
            "timestamp",
            "verify",
            s(&dir.join(input)),
            "--data",
            s(&data),
            "--seed",
            &SEED.to_string(),
            "--json",
        ]);
        assert_exit(&out, 0, "\"indication\": \"TOTAL-PASSED\"");
        assert!(
            text(&out).contains("Accord Nippon Time-Stamp Unit"),
            "{}",
            text(&out)
        );
    }
    let out = accord(&[
        "timestamp",
        "verify",
        s(&dir.join("token.tst")),
        "--data",
        s(&data),
        "--tsa-cert",
        s(&dir.join("tsa.pem")),
        "--policy",
        "1.2.3.4.1",
    ]);
    assert_exit(&out, 0, "TOTAL-PASSED");
    // Through the library: OpenSSL's accuracy and nonce read as written.
    let token = std::fs::read(dir.join("token.tst")).unwrap();
    let v = tsp::verify_token(
        &token,
        &std::fs::read(&data).unwrap(),
        &tsp::TokenCheck::default(),
    )
    .unwrap();
    let accuracy = v.tst_info.accuracy.unwrap();
    assert_eq!(
        (accuracy.seconds, accuracy.millis, accuracy.micros),
        (1, 500, 100)
    );
    assert_eq!(v.tst_info.policy, "1.2.3.4.1");
    assert!(v.tst_info.nonce.is_some());
    assert!(v.tst_info.tsa_name.is_some());

    // Another policy required, another TSA pinned: refused.
    let out = accord(&[
        "timestamp",
        "verify",
        s(&dir.join("token.tst")),
        "--data",
        s(&data),
        "--tsa-cert",
        s(&dir.join("tsa.pem")),
        "--policy",
        "1.2.3.4.2",
    ]);
    assert_exit(&out, 1, "TSP-RFC3161-2.4.2-policy");
    let out = accord(&[
        "timestamp",
        "verify",
        s(&dir.join("token.tst")),
        "--data",
        s(&data),
        "--tsa-cert",
        s(&dir.join("de-tsa.pem")),
    ]);
    assert_exit(&out, 1, "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND");

    // Changed data: both refuse.
    std::fs::write(
        dir.join("other.txt"),
        b"Diploma of Osaka Exemplar Universitz\n",
    )
    .unwrap();
    let out = accord(&[
        "timestamp",
        "verify",
        s(&dir.join("token.tst")),
        "--data",
        s(&dir.join("other.txt")),
        "--seed",
        &SEED.to_string(),
    ]);
    assert_exit(&out, 1, "TOTAL-FAILED/HASH_FAILURE");
    let out = openssl(
        &dir,
        &[
            "ts",
            "-verify",
            "-data",
            "other.txt",
            "-in",
            "resp.tsr",
            "-CAfile",
            "tsa.pem",
        ],
    )
    .unwrap();
    assert!(!out.status.success(), "openssl accepted changed data");

    // A byte of the signature changed: both refuse.
    let mut tampered = token.clone();
    let n = tampered.len();
    tampered[n - 5] ^= 0x01;
    std::fs::write(dir.join("tampered.tst"), &tampered).unwrap();
    let out = accord(&[
        "timestamp",
        "verify",
        s(&dir.join("tampered.tst")),
        "--data",
        s(&data),
        "--seed",
        &SEED.to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("TOTAL-FAILED"), "{}", text(&out));
    let out = openssl(
        &dir,
        &[
            "ts",
            "-verify",
            "-data",
            "data.txt",
            "-in",
            "tampered.tst",
            "-token_in",
            "-CAfile",
            "tsa.pem",
        ],
    )
    .unwrap();
    assert!(!out.status.success(), "openssl accepted a tampered token");
}

#[test]
fn accord_tokens_verify_in_openssl_and_tampering_is_refused_by_both() {
    if openssl_missing("install OpenSSL (`openssl ts`)") {
        return;
    }
    let (_tmp, dir) = workspace("accord-tsa");
    let pki = Arc::new(TrustServicePki::generate(SEED).unwrap());
    let tsa = Tsa::new(pki.clone(), TsaSite::De, Arc::new(FixedClock(NOW)));
    std::fs::write(
        dir.join("tsa.pem"),
        pem("CERTIFICATE", &pki.de.tsa.cert_der),
    )
    .unwrap();
    // OpenSSL's request, Accord's answer.
    let out = openssl(
        &dir,
        &[
            "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "req.tsq",
        ],
    )
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let response = tsa.respond(&std::fs::read(dir.join("req.tsq")).unwrap());
    std::fs::write(dir.join("resp.tsr"), &response).unwrap();
    let verify = |args: &[&str]| openssl(&dir, args).unwrap();
    let out = verify(&[
        "ts",
        "-verify",
        "-queryfile",
        "req.tsq",
        "-in",
        "resp.tsr",
        "-CAfile",
        "tsa.pem",
    ]);
    assert!(
        out.status.success(),
        "openssl refused Accord's token: {}",
        text(&out)
    );
    let out = verify(&[
        "ts", "-verify", "-data", "data.txt", "-in", "resp.tsr", "-CAfile", "tsa.pem",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // OpenSSL reads the fields Accord wrote.
    let out = verify(&["ts", "-reply", "-in", "resp.tsr", "-text"]);
    let shown = text(&out);
    assert!(shown.contains("Status: Granted"), "{shown}");
    assert!(
        shown.contains(&format!("Policy OID: {}", tsp::ACCORD_TSA_POLICY)),
        "{shown}"
    );
    assert!(shown.contains("Accuracy: 0x01 seconds"), "{shown}");

    // Changed data, a changed byte of the signature: both refuse.
    std::fs::write(
        dir.join("other.txt"),
        b"Diploma of Osaka Exemplar Universitz\n",
    )
    .unwrap();
    let out = verify(&[
        "ts",
        "-verify",
        "-data",
        "other.txt",
        "-in",
        "resp.tsr",
        "-CAfile",
        "tsa.pem",
    ]);
    assert!(!out.status.success(), "openssl accepted changed data");
    let token = TimeStampResp::parse(&response).unwrap().token.unwrap();
    let mut tampered = token.clone();
    let n = tampered.len();
    tampered[n - 5] ^= 0x01;
    std::fs::write(dir.join("tampered.tst"), &tampered).unwrap();
    let out = verify(&[
        "ts",
        "-verify",
        "-data",
        "data.txt",
        "-in",
        "tampered.tst",
        "-token_in",
        "-CAfile",
        "tsa.pem",
    ]);
    assert!(!out.status.success(), "openssl accepted a tampered token");
    let data = std::fs::read(dir.join("data.txt")).unwrap();
    let report = tsp::validate_token_with_cert(&tampered, &data, &pki.de.tsa.cert_der, None);
    assert_eq!(report.outcome.label(), "TOTAL-FAILED/SIG_CRYPTO_FAILURE");
    assert!(tsp::validate_token_with_cert(&token, &data, &pki.de.tsa.cert_der, None).passed());
}

/// One `accord serve tsa` process, stopped when dropped.
struct Served {
    url: String,
    child: Child,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_tsa(extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "tsa", "--plain-http", "--seed", &SEED.to_string()])
        .args(["--now", NOW_TEXT])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = await_url(&mut child);
    Served { url, child }
}

/// Reads the role's "listening on URL" line from its standard error.
fn await_url(child: &mut Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split(" listening on ").nth(1) {
            let url = rest.split_whitespace().next().unwrap().to_owned();
            // Keep draining so the role never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return url;
        }
    }
    panic!("accord serve tsa exited before it listened")
}

#[test]
fn the_served_tsa_answers_accord_timestamp_request_and_its_faults_show() {
    let (_tmp, dir) = workspace("served");
    let data = dir.join("data.txt");
    let served = serve_tsa(&[]);
    let token = dir.join("t.tst");
    let out = accord(&[
        "timestamp",
        "request",
        "--data",
        s(&data),
        "--url",
        &served.url,
        "--out",
        s(&token),
    ]);
    assert_exit(&out, 0, "Beispiel Trust Qualified TSU 1");
    let verify = |file: &Path| {
        accord(&[
            "timestamp",
            "verify",
            s(file),
            "--data",
            s(&data),
            "--seed",
            &SEED.to_string(),
        ])
    };
    assert_exit(&verify(&token), 0, "TOTAL-PASSED");
    // A request for a policy the TSA does not issue under: refused, and said so.
    let out = accord(&[
        "timestamp",
        "request",
        "--data",
        s(&data),
        "--url",
        &served.url,
        "--policy",
        "1.2.3",
    ]);
    assert_exit(&out, 1, "refused");
    // Not a time-stamp query: 415.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, fault) = rt.block_on(async {
        let client = reqwest::Client::new();
        let wrong = client
            .post(&served.url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let set = client
            .put(format!("{}/control/fault", served.url))
            .header("content-type", "application/json")
            .body(r#"{"fault":"wrong-imprint"}"#)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (wrong, set)
    });
    assert_eq!(status, 415);
    assert!(fault.contains("wrong-imprint"), "{fault}");
    // The client checks the imprint: it refuses the token outright.
    let out = accord(&[
        "timestamp",
        "request",
        "--data",
        s(&data),
        "--url",
        &served.url,
        "--out",
        s(&dir.join("bad.tst")),
    ]);
    assert_exit(&out, 1, "TSP-RFC3161-2.4.2-message-imprint");
    drop(served);

    // Faults set at start: each gets its indication. The client keeps a token whose TSA
    // certificate had expired (exit 1, said); only the lists tell the withdrawn and the
    // unlisted TSAs' tokens from good ones.
    for (fault, request_exit, label) in [
        ("expired-certificate", 1, "TOTAL-FAILED/EXPIRED"),
        ("withdrawn-service", 0, "INDETERMINATE/REVOKED_NO_POE"),
        (
            "unlisted-tsa",
            0,
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND",
        ),
    ] {
        let served = serve_tsa(&["--fault", fault]);
        let file = dir.join(format!("{fault}.tst"));
        let out = accord(&[
            "timestamp",
            "request",
            "--data",
            s(&data),
            "--url",
            &served.url,
            "--out",
            s(&file),
        ]);
        assert_exit(&out, request_exit, "written to");
        assert_exit(&verify(&file), 1, label);
    }
}

/// pyHanko's time-stamp client (a second RFC 3161 client, in Python) asks `accord serve tsa`
/// for tokens and validates them trusting the DE TSA certificate; Accord checks the same
/// tokens. A TSA on no list and a wrong imprint are caught by both.
#[test]
fn pyhanko_asks_the_served_tsa_and_both_judge_its_tokens_alike() {
    let python = Command::new("python3")
        .args([
            "-c",
            "import pyhanko.sign.timestamps.requests_client, pyhanko_certvalidator",
        ])
        .output();
    if !python.is_ok_and(|o| o.status.success()) {
        return skip(
            Needs::Peer,
            "python3 with pyHanko is not installed",
            "pip install -r tests/peers/requirements.txt",
        )
        .unwrap_or(());
    }
    let (_tmp, dir) = workspace("pyhanko");
    let data = dir.join("data.txt");
    let pki = TrustServicePki::generate(SEED).unwrap();
    std::fs::write(
        dir.join("de-tsa.pem"),
        pem("CERTIFICATE", &pki.de.tsa.cert_der),
    )
    .unwrap();
    let served = serve_tsa(&[]);
    let script = super::support::repo().join("tests/peers/tsp/pyhanko_timestamp.py");
    let ask = |token: &Path| {
        let out = Command::new("python3")
            .arg(&script)
            .args([&served.url, s(&data), s(&dir.join("de-tsa.pem")), s(token)])
            .output()
            .unwrap();
        assert!(out.status.success(), "pyHanko: {}", text(&out));
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        serde_json::from_str::<serde_json::Value>(&line).unwrap()
    };
    let verify = |token: &Path| {
        accord(&[
            "timestamp",
            "verify",
            s(token),
            "--data",
            s(&data),
            "--seed",
            &SEED.to_string(),
        ])
    };
    let set_fault = |fault: &str| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = format!("{}/control/fault", served.url);
        let body = format!(r#"{{"fault":{fault}}}"#);
        let status = rt.block_on(async {
            reqwest::Client::new()
                .put(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        assert_eq!(status, 200);
    };

    let good = dir.join("good.tst");
    let v = ask(&good);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["trusted"], true, "{v}");
    assert_eq!(v["other_data_intact"], false, "{v}");
    assert_exit(&verify(&good), 0, "TOTAL-PASSED");

    set_fault("\"unlisted-tsa\"");
    let unlisted = dir.join("unlisted.tst");
    let v = ask(&unlisted);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["trusted"], false, "{v}");
    assert_exit(
        &verify(&unlisted),
        1,
        "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND",
    );

    // pyHanko's client keeps a token over another imprint (it checks the nonce only); its
    // validation and Accord's both find the hash differs.
    set_fault("\"wrong-imprint\"");
    let wrong = dir.join("wrong.tst");
    let v = ask(&wrong);
    assert_eq!(v["intact"], false, "{v}");
    assert_exit(&verify(&wrong), 1, "TOTAL-FAILED/HASH_FAILURE");
    set_fault("null");
}

/// CMS SignedData (RFC 5652) against OpenSSL's `openssl cms`: its RSA PKCS#1 v1.5, RSASSA-PSS
/// and ECDSA P-384 (SHA-384, SHA-512, with `-cades` signing-certificate-v2) signatures,
/// attached and detached, verify in Accord, and fail over changed content; Accord's own
/// signature (the PAdES signer's) verifies with `openssl cms -verify`.
#[test]
fn cms_signatures_verify_across_openssl_and_accord() {
    use accord::formats::cms::{self, CmsFailure, SignRequest, SignedContent};
    if openssl_missing("install OpenSSL (`openssl cms`)") {
        return;
    }
    let (_tmp, dir) = workspace("cms");
    let run = |args: &[&str]| {
        let out = openssl(&dir, args).unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    };
    std::fs::write(dir.join("c.txt"), b"%PDF-1.7 signed byte ranges").unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "rsa.key",
        "-out",
        "rsa.pem",
        "-subj",
        "/CN=RSA signer",
        "-days",
        "3650",
    ]);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-keyout",
        "ec.key",
        "-out",
        "ec.pem",
        "-subj",
        "/CN=EC signer",
        "-days",
        "3650",
    ]);
    let sign = |out: &str, signer: &str, extra: &[&str]| {
        let mut args = vec![
            "cms", "-sign", "-binary", "-in", "c.txt", "-outform", "DER", "-out", out, "-signer",
        ];
        let cert = format!("{signer}.pem");
        let key = format!("{signer}.key");
        args.extend([cert.as_str(), "-inkey", key.as_str()]);
        args.extend(extra);
        run(&args);
        std::fs::read(dir.join(out)).unwrap()
    };
    let content = std::fs::read(dir.join("c.txt")).unwrap();
    let cases: Vec<(&str, Vec<u8>, bool, &str)> = vec![
        (
            "rsa",
            sign("rsa.der", "rsa", &["-md", "sha256", "-nodetach"]),
            true,
            "1.2.840.113549.1.1.1",
        ),
        (
            "pss",
            sign(
                "pss.der",
                "rsa",
                &[
                    "-md",
                    "sha256",
                    "-nodetach",
                    "-keyopt",
                    "rsa_padding_mode:pss",
                    "-keyopt",
                    "rsa_pss_saltlen:32",
                    "-keyopt",
                    "rsa_mgf1_md:sha256",
                ],
            ),
            true,
            cms::oid::RSA_PSS,
        ),
        (
            "ec512",
            sign("ec.der", "ec", &["-md", "sha512", "-nodetach", "-cades"]),
            true,
            "",
        ),
        (
            "ec384-detached",
            sign("ecd.der", "ec", &["-md", "sha384"]),
            false,
            "",
        ),
    ];
    for (name, der, attached, sig_alg) in cases {
        let detached = (!attached).then_some(content.as_slice());
        let v = cms::verify_signed_data(&der, detached)
            .unwrap_or_else(|e| panic!("{name}: OpenSSL's signature refused: {e}"));
        if !sig_alg.is_empty() {
            assert_eq!(v.signature_algorithm, sig_alg, "{name}");
        }
        if name == "ec512" {
            assert_eq!(v.digest_algorithm, cms::oid::SHA512);
            assert!(v.signing_certificate_v2.is_some(), "{name}: -cades ESS v2");
        }
        // The content changed: the message digest no longer matches.
        let err = if attached {
            let mut t = der.clone();
            let at = t
                .windows(content.len())
                .position(|w| w == content.as_slice())
                .unwrap();
            t[at] ^= 0x01;
            cms::verify_signed_data(&t, None).unwrap_err()
        } else {
            cms::verify_signed_data(&der, Some(b"%PDF-1.7 other bytes")).unwrap_err()
        };
        assert!(matches!(err, CmsFailure::Hash(_)), "{name}: {err}");
    }

    // Accord signs (detached, as a PAdES signer does); OpenSSL verifies.
    let pki = TrustServicePki::generate(SEED).unwrap();
    let seal = &pki.de.seals;
    let der = cms::sign(&SignRequest {
        content: SignedContent::Detached(&content),
        content_type: cms::oid::DATA,
        signer: &seal.leaf,
        chain: std::slice::from_ref(&seal.ca.cert_der),
        include_certificates: true,
        signing_time: Some(NOW),
        extra_signed_attributes: vec![],
        unsigned_attributes: vec![],
        signing_certificate_v2: true,
    })
    .unwrap();
    std::fs::write(dir.join("accord.der"), &der).unwrap();
    std::fs::write(
        dir.join("seal-ca.pem"),
        pem("CERTIFICATE", &seal.ca.cert_der),
    )
    .unwrap();
    let verify = |data: &str| {
        openssl(
            &dir,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "accord.der",
                "-content",
                data,
                "-CAfile",
                "seal-ca.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        )
        .unwrap()
    };
    let out = verify("c.txt");
    assert!(
        out.status.success(),
        "openssl refused Accord's CMS: {}",
        text(&out)
    );
    std::fs::write(dir.join("other.txt"), b"%PDF-1.7 signed byte rangez").unwrap();
    assert!(
        !verify("other.txt").status.success(),
        "openssl accepted changed content"
    );
}
