//! Hostile input to the command line (issue 17, items 2, 6, 7 and 8): outputs that are not
//! regular files, inputs that never end, reports that would show presentations, inputs that
//! cannot be used. Each test reproduces the finding against the built binary and asserts what
//! Accord does now.
//!
//! The tests run as root here (the CI container's user), which is what made item 2 visible:
//! root can create the temporary file in `/dev` and rename it over a device.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// One in-process scenario without HTTP: a run takes about a second.
const QUICK: &str = "Feature: quick\n  Scenario: a presentation in process\n    Given the EU university issues its example diploma\n    When the holder presents \"family_name\" to the JP verifier\n    Then the JP verifier accepts the presentation\n";

/// One scenario over HTTP that fails (the verifier rightly accepts what the feature says it
/// should reject), so the reports show its exchanges, the presentation among them.
const FAILING_OVER_HTTP: &str = "Feature: failing\n  Scenario: a presentation the feature wrongly expects rejected\n    Given the JP university has issued its degree to the wallet\n    When the EU verifier asks for the claims recognition needs by \"direct_post\"\n    And the wallet presents to the verifier\n    Then the verifier rejects the presentation citing \"SDJWT-RFC9901-7.3-kb-nonce\"\n";

struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// A features directory holding one file.
    fn features(&self, text: &str) -> PathBuf {
        let dir = self.path("features");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f.feature"), text).unwrap();
        dir
    }

    fn store(&self) -> String {
        self.path("store").to_str().unwrap().to_owned()
    }

    /// The runs recorded in the store.
    fn runs(&self) -> Vec<Value> {
        let out = accord(&["runs", "--json", "--store", &self.store()]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `accord run` over `features` with extra arguments.
    fn run(&self, features: &Path, extra: &[&str]) -> Output {
        let store = self.store();
        let mut args = vec![
            "run",
            "--features",
            s(features),
            "--store",
            &store,
            "--seed",
            "3",
        ];
        args.extend_from_slice(extra);
        accord(&args)
    }
}

#[cfg(unix)]
fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p)
        .unwrap()
        .file_type()
        .is_symlink()
}

/// Issue 17 item 2: a FIFO given as an output is written through, not replaced by a file.
#[cfg(unix)]
#[test]
fn a_fifo_given_as_an_output_is_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt as _;
    let d = Dir::new();
    let fifo = d.path("junit.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // The reader: opening a FIFO waits for its writer, so it runs beside accord.
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = fifo.clone();
    std::thread::spawn(move || {
        let _ = tx.send(std::fs::read_to_string(&reader));
    });
    let features = d.features(QUICK);
    let out = d.run(&features, &["--junit", s(&fifo)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("accord never wrote to the FIFO")
        .unwrap();
    assert!(read.contains("<testsuites"), "{read}");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
}

/// Issue 17 item 2: a symlink given as an output is followed (its target rewritten, atomically)
/// and stays a symlink; one that points nowhere is refused before the run.
#[cfg(unix)]
#[test]
fn a_symlink_given_as_an_output_is_followed_not_replaced() {
    let d = Dir::new();
    let target = d.path("reports-target.html");
    std::fs::write(&target, "old").unwrap();
    let link = d.path("latest.html");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let features = d.features(QUICK);
    let out = d.run(&features, &["--html", s(&link)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(is_symlink(&link), "the symlink was replaced by a file");
    let html = std::fs::read_to_string(&target).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");

    let dangling = d.path("dangling.html");
    std::os::unix::fs::symlink(d.path("nowhere/report.html"), &dangling).unwrap();
    let runs = d.runs().len();
    let out = d.run(&features, &["--html", s(&dangling)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("dangling.html"), "{}", stderr(&out));
    assert!(is_symlink(&dangling));
    assert_eq!(d.runs().len(), runs, "a run was recorded");
}

/// Issue 17 item 2: as root, `--html /dev/full` used to exit 0 and replace the device with a
/// regular file (root may create the temporary file in /dev). The device is now written
/// through: ENOSPC is an error naming it, and it is still a character device afterwards. As
/// another user the old code failed to create its temporary file instead, so only a root run
/// reproduces the finding; the assertions hold for any user (/dev/full is writable by all).
#[cfg(unix)]
#[test]
fn dev_full_as_an_output_is_an_error_and_stays_a_device() {
    use std::os::unix::fs::FileTypeExt as _;
    let full = Path::new("/dev/full");
    if !full.exists() {
        return crate::support::skip(
            crate::support::Needs::System,
            "no /dev/full on this system",
            "a Linux system",
        )
        .unwrap_or(());
    }
    let d = Dir::new();
    let features = d.features(QUICK);
    let out = d.run(&features, &["--html", "/dev/full"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("/dev/full"), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(full)
            .unwrap()
            .file_type()
            .is_char_device(),
        "/dev/full is no longer a device"
    );
}

/// Issue 17 item 7: inputs that never end stop at their limit, and the error names the file
/// and the limit.
#[cfg(unix)]
#[test]
fn dev_zero_as_an_input_stops_at_the_limit() {
    for (args, limit) in [
        (
            vec!["impl", "check", "/dev/zero"],
            "1 MiB limit for a manifest",
        ),
        (
            // The credential is read before the key (which does not exist).
            vec![
                "credential",
                "verify",
                "/dev/zero",
                "--issuer-key",
                "/no/such/key.jwk",
            ],
            "limit for a credential",
        ),
        (vec!["bundle", "verify", "/dev/zero"], "limit for a bundle"),
    ] {
        let started = Instant::now();
        let out = accord(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("/dev/zero") && stderr(&out).contains(limit),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

/// Issue 17 item 7: a 5 MB manifest used to be accepted.
#[test]
fn a_manifest_over_the_limit_is_refused() {
    let d = Dir::new();
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("implementations/accord-verifier-jp.toml"),
    )
    .unwrap();
    let huge = d.path("huge.toml");
    std::fs::write(&huge, format!("{good}\n# {}\n", "x".repeat(5 << 20))).unwrap();
    let out = accord(&["impl", "check", s(&huge)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("huge.toml: larger than the 1 MiB limit for a manifest"),
        "{}",
        stderr(&out)
    );
}

/// Issue 17 item 8: a field of the wrong type is named as written, with its line, not by its
/// value (`:4: 12:`) or as `(manifest)`.
#[test]
fn a_wrong_typed_manifest_field_is_named() {
    let d = Dir::new();
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("implementations/accord-verifier-jp.toml"),
    )
    .unwrap();
    let line = good.lines().position(|l| l.starts_with("version")).unwrap() + 1;
    let bad = d.path("bad.toml");
    let text: String = good
        .lines()
        .map(|l| {
            if l.starts_with("version") {
                "version = 12".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&bad, text).unwrap();
    let out = accord(&["impl", "check", s(&bad)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("bad.toml:{line}: version: ")),
        "{}",
        stderr(&out)
    );
}

/// Issue 17 item 6: the Markdown and HTML reports showed `posted_form` with the whole
/// `vp_token` and `state`. Every value of both, taken from the run's own log, is now absent
/// from them; the redaction marker is there instead, and the log keeps the values.
#[test]
fn human_reports_show_no_presentation_nor_state() {
    let d = Dir::new();
    let features = d.features(FAILING_OVER_HTTP);
    let (md, html) = (d.path("report.md"), d.path("report.html"));
    let out = d.run(&features, &["--markdown", s(&md), "--html", s(&html)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let id = d.runs()[0]["id"].as_str().unwrap().to_owned();
    let log = accord(&["log", "show", &id, "--store", &d.store()]);
    let log = String::from_utf8(log.stdout).unwrap();
    let mut secrets = Vec::new();
    for line in log.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        if e["kind"] != "http-exchange" {
            continue;
        }
        let body = e["payload"]["exchange"]["request_body"]
            .as_str()
            .unwrap_or_default();
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
            if k == "vp_token" || k == "state" {
                secrets.push((k.into_owned(), v.into_owned()));
            }
        }
    }
    assert!(
        secrets.iter().any(|(k, _)| k == "vp_token") && secrets.iter().any(|(k, _)| k == "state"),
        "the log holds no presentation: {secrets:?}"
    );
    let md = std::fs::read_to_string(&md).unwrap();
    let html = std::fs::read_to_string(&html).unwrap();
    for (name, report) in [("markdown", &md), ("html", &html)] {
        for (k, v) in &secrets {
            assert!(
                !report.contains(v.as_str()),
                "the {name} report shows {k} {v}"
            );
            // An SD-JWT's parts (issuer JWT, disclosures, KB-JWT) must not show either.
            for part in v.split('~').filter(|p| p.len() > 20) {
                assert!(
                    !report.contains(part),
                    "the {name} report shows part of {k}"
                );
            }
        }
        let (_, state) = secrets.iter().find(|(k, _)| k == "state").unwrap();
        let marker = accord::projections::redact::marker(state);
        assert!(
            report.contains(&marker),
            "the {name} report has no {marker}"
        );
    }
}

/// Issue 17 item 8: a malformed, empty or non-UTF-8 feature file exited 3 with its reason on
/// stdout and recorded a run. Now: exit 2, the file (and line) on stderr, nothing recorded.
#[test]
fn a_feature_file_that_cannot_be_read_is_a_usage_error_and_records_nothing() {
    let d = Dir::new();
    for (text, says) in [
        (
            &b"Feature: x\n  Scenario: y\n    Given a step\n    Whenn oops\n"[..],
            // gherkin's line is where it gave up: past the misspelt step.
            "f.feature:5: malformed feature file: Error at 5:1",
        ),
        (
            &b"\n"[..],
            "f.feature: malformed feature file: the file is empty",
        ),
        (&b"Feature: \xff\xfe\n"[..], "f.feature: not UTF-8"),
    ] {
        let features = d.path("features");
        std::fs::create_dir_all(&features).unwrap();
        std::fs::write(features.join("f.feature"), text).unwrap();
        let out = d.run(&features, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert!(d.runs().is_empty(), "a run was recorded: {:?}", d.runs());
}

/// Issue 17 item 8: an empty `--features` directory ran 0 scenarios without a word.
#[test]
fn an_empty_features_directory_is_a_usage_error() {
    let d = Dir::new();
    let empty = d.path("empty");
    std::fs::create_dir_all(empty.join("sub")).unwrap();
    std::fs::write(empty.join("sub/notes.txt"), "not a feature").unwrap();
    let out = d.run(&empty, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(s(&empty)) && stderr(&out).contains("no .feature file"),
        "{}",
        stderr(&out)
    );
    assert!(d.runs().is_empty());
}

/// Issue 17 item 8: an unwritable `--junit` path was found only after the whole run. It is
/// refused before the run starts and nothing is recorded. /proc refuses new files even to
/// root, so the test does not depend on who runs it.
#[test]
fn an_unwritable_report_directory_is_refused_before_the_run() {
    let d = Dir::new();
    let features = d.features(QUICK);
    let not_a_dir = d.path("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let mut outputs = vec![d.path("no/such/dir/junit.xml"), not_a_dir.join("junit.xml")];
    if Path::new("/proc/self").exists() {
        outputs.push(PathBuf::from("/proc/junit.xml"));
    }
    for junit in outputs {
        let out = d.run(&features, &["--junit", s(&junit)]);
        assert_eq!(out.status.code(), Some(2), "{junit:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(s(&junit)), "{}", stderr(&out));
        assert!(d.runs().is_empty(), "{junit:?}: a run was recorded");
    }
}
