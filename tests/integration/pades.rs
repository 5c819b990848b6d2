//! PAdES interop with an independent implementation, pyHanko (tests/peers/pades_pyhanko.py):
//! pyHanko signs (B-T, stamped over HTTP by Accord's seeded JP TSA: pyHanko's own dummy
//! time-stamper signs with RSA keys only) a PDF certificate Accord wrote, with the seeded JP registrar's key, and Accord validates it;
//! pyHanko validates Accord's B-LTA certificate; an incremental update after signing that
//! changes the page is a modification for both; one that only adds a DSS is fine for both.
//!
//! Without pyHanko the tests say loudly that they were skipped; with `ACCORD_REQUIRE_PEERS=1`
//! (set by .ci/run) a missing peer is a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::formats::pdf::{pades, writer};
use accord::trust::ades::{Level, Outcome};
use accord::trust::pki::{Party, pem};
use accord::trust::tsp::{Tsa, TsaSite};
use accord::trust::tsp_pki::TrustServicePki;
use serde_json::{Value, json};

/// 2026-04-01T00:00:00Z: when the certificates are signed.
const SIGNED_AT: i64 = 1_775_001_600;
/// 2026-12-01T00:00:00Z: when they are validated.
const NOW: i64 = 1_796_083_200;

fn peer(command: &str, request: &Value) -> Option<Value> {
    crate::support::python_peer("pyHanko", "pades_pyhanko.py", command, request)
}

/// The seeded PKI, its parties written out as PEM for pyHanko, and a scratch directory.
struct Fixture {
    pki: Arc<TrustServicePki>,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let pki = Arc::new(TrustServicePki::generate(7).expect("seeded PKI"));
        let dir = tempfile::tempdir().expect("tempdir");
        let f = Self { pki, dir };
        let jp = &f.pki.jp;
        f.write_party("registrar", &jp.signatures.leaf);
        f.write_party("registrar-ca", &jp.signatures.ca);
        f.write_party("tsa", &jp.tsa);
        f
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_party(&self, name: &str, party: &Party) {
        std::fs::write(
            self.path(&format!("{name}.crt")),
            pem("CERTIFICATE", &party.cert_der),
        )
        .expect("write certificate");
        let key = party.key.pkcs8_der().expect("PKCS#8");
        std::fs::write(self.path(&format!("{name}.key")), pem("PRIVATE KEY", &key))
            .expect("write key");
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write PDF");
        text(&path)
    }

    fn tsa(&self) -> Tsa {
        Tsa::new(
            self.pki.clone(),
            TsaSite::Jp,
            std::sync::Arc::new(FixedClock(SIGNED_AT + 5)),
        )
    }

    fn roots(&self) -> Value {
        json!([
            text(&self.path("registrar-ca.crt")),
            text(&self.path("tsa.crt"))
        ])
    }

    /// pyHanko's B-T signature over Accord's unsigned certificate.
    fn pyhanko_signed(&self) -> Option<Vec<u8>> {
        let unsigned = writer::certificate_pdf(&writer::CertificateText {
            transcript: None,
            attachment: None,
            university: "Osaka Exemplar University".into(),
            graduate: "Jiro Tanaka".into(),
            degree: "Master of Science".into(),
            conferred: SIGNED_AT,
        });
        let input = self.file("unsigned.pdf", &unsigned);
        let output = text(&self.path("pyhanko-signed.pdf"));
        peer(
            "sign",
            &json!({
                "in": input,
                "out": output,
                "key": text(&self.path("registrar.key")),
                "cert": text(&self.path("registrar.crt")),
                "chain": [text(&self.path("registrar-ca.crt"))],
                "field": "Registrar",
                "tsa_url": serve_tsa(self.pki.clone(), SIGNED_AT + 60),
            }),
        )?;
        Some(std::fs::read(&output).expect("pyHanko wrote the PDF"))
    }

    fn pyhanko_validates(&self, name: &str, pdf: &[u8]) -> Option<Value> {
        let input = self.file(name, pdf);
        peer("validate", &json!({"in": input, "roots": self.roots()}))
    }
}

/// Accord's seeded JP TSA answering RFC 3161 over HTTP (RFC 3161 §3.4) on a local port,
/// for as long as the test process runs; its clock stands at `now`.
fn serve_tsa(pki: Arc<TrustServicePki>, now: i64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/tsa", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        let tsa = Tsa::new(pki, TsaSite::Jp, std::sync::Arc::new(FixedClock(now)));
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length.min(1 << 20)];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let answer = tsa.respond(&body);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&answer);
        }
    });
    url
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn accord_validates_what_pyhanko_signs() {
    let f = Fixture::new();
    let Some(signed) = f.pyhanko_signed() else {
        return;
    };
    let directory = pades::seeded_directory(&f.pki);
    let report = pades::validate(&signed, &directory, NOW);
    assert_eq!(report.outcome, Outcome::Passed, "{report:#?}");
    assert_eq!(report.level, Some(Level::T), "{report:#?}");
    // The dummy time-stamper's fixed time is the proven signing time.
    assert_eq!(
        report.proven_signing_time.as_deref(),
        Some("2026-04-01T00:01:00Z")
    );
    assert!(
        report.signer.as_deref().is_some_and(|s| s.contains("CN=")),
        "{report:#?}"
    );
    // pyHanko agrees with itself (the peer is sane).
    let Some(theirs) = f.pyhanko_validates("pyhanko-check.pdf", &signed) else {
        return;
    };
    assert_eq!(
        theirs["signatures"][0]["bottom_line"],
        json!(true),
        "{theirs}"
    );
}

#[test]
fn pyhanko_validates_what_accord_signs() {
    let f = Fixture::new();
    let lta =
        pades::reference_certificate(&f.pki, "Hanako Yamada", SIGNED_AT, Level::Lta, &f.tsa())
            .expect("Accord signs");
    let ours = pades::validate(&lta, &pades::seeded_directory(&f.pki), NOW);
    assert_eq!(ours.level, Some(Level::Lta), "{ours:#?}");
    let Some(theirs) = f.pyhanko_validates("accord-lta.pdf", &lta) else {
        return;
    };
    let sig = &theirs["signatures"][0];
    assert_eq!(sig["intact"], json!(true), "{theirs}");
    assert_eq!(sig["valid"], json!(true), "{theirs}");
    assert_eq!(sig["trusted"], json!(true), "{theirs}");
    assert_eq!(sig["bottom_line"], json!(true), "{theirs}");
    assert_eq!(sig["timestamp_valid"], json!(true), "{theirs}");
    assert_eq!(
        sig["timestamp"],
        json!("2026-04-01T00:00:05+00:00"),
        "{theirs}"
    );
    // The DSS and the document time-stamp are LTV updates, nothing more.
    assert_eq!(sig["modification_level"], json!("LTA_UPDATES"), "{theirs}");
    let ts = &theirs["timestamps"][0];
    assert_eq!(ts["intact"], json!(true), "{theirs}");
    assert_eq!(ts["valid"], json!(true), "{theirs}");
    assert_eq!(ts["trusted"], json!(true), "{theirs}");
    assert_eq!(ts["coverage"], json!("ENTIRE_FILE"), "{theirs}");
}

#[test]
fn a_page_change_after_signing_is_a_modification_for_both() {
    let f = Fixture::new();
    let directory = pades::seeded_directory(&f.pki);
    let ours = pades::reference_certificate(&f.pki, "Hanako Yamada", SIGNED_AT, Level::T, &f.tsa())
        .expect("Accord signs");
    let mut signed = vec![("accord", ours)];
    if let Some(theirs) = f.pyhanko_signed() {
        signed.push(("pyhanko", theirs));
    }
    for (who, pdf) in signed {
        let changed = writer::change_page_text(&pdf, "Doctor of Medicine").expect("fault");
        let report = pades::validate(&changed, &directory, NOW);
        assert_eq!(
            report.outcome.label(),
            "TOTAL-FAILED/HASH_FAILURE",
            "{who}: {report:#?}"
        );
        let Some(theirs) = f.pyhanko_validates(&format!("{who}-changed.pdf"), &changed) else {
            return;
        };
        let sig = &theirs["signatures"][0];
        // The signed revision is intact, the document as shown is not what was signed.
        assert_eq!(sig["intact"], json!(true), "{who}: {theirs}");
        assert_eq!(sig["modification_level"], json!("OTHER"), "{who}: {theirs}");
        assert_eq!(sig["bottom_line"], json!(false), "{who}: {theirs}");
    }
}

#[test]
fn a_dss_only_update_is_fine_for_both() {
    let f = Fixture::new();
    let directory = pades::seeded_directory(&f.pki);
    let ours = pades::reference_certificate(&f.pki, "Hanako Yamada", SIGNED_AT, Level::T, &f.tsa())
        .expect("Accord signs");
    let mut signed = vec![("accord", ours)];
    if let Some(theirs) = f.pyhanko_signed() {
        signed.push(("pyhanko", theirs));
    }
    let chain = [
        f.pki.jp.signatures.leaf.cert_der.clone(),
        f.pki.jp.signatures.ca.cert_der.clone(),
    ];
    for (who, pdf) in signed {
        let with_dss = pades::add_validation_data(&pdf, &chain).expect("DSS");
        let report = pades::validate(&with_dss, &directory, NOW);
        assert_eq!(report.outcome, Outcome::Passed, "{who}: {report:#?}");
        assert_eq!(report.level, Some(Level::Lt), "{who}: {report:#?}");
        let Some(theirs) = f.pyhanko_validates(&format!("{who}-dss.pdf"), &with_dss) else {
            return;
        };
        let sig = &theirs["signatures"][0];
        assert_eq!(sig["bottom_line"], json!(true), "{who}: {theirs}");
        assert_eq!(
            sig["modification_level"],
            json!("LTA_UPDATES"),
            "{who}: {theirs}"
        );
    }
}
