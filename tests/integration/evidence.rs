//! Forged evidence (issue #17, item 1): an attacker who holds the store rewrites a failed
//! run's verdicts to passed and recomputes the hash chain, or cuts the log short and appends
//! a forged `run-finished`. Whoever pins the key that signed the run (kept outside the store)
//! must see it in `log verify --key`, `report` and `bundle verify --key`; a bundle signed by
//! the store's own key says so; a time-stamp token swapped or over another head is refused.
//!
//! The run is recorded by the `accord` binary as a user records one: one scenario that the
//! verifier which skips status checks fails (a revoked diploma accepted), one it passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use accord::events::{Envelope, Event, GENESIS, Verdict};
use serde_json::Value;

use super::support::{repo, text};

const FLAWED: &str = "implementations/accord-verifier-jp-no-status-check.toml";

const FEATURE: &str = "@eu-jp @http
Feature: Evidence fixture
  Scenario: A revoked diploma is rejected
    Given the EU university has issued its diploma to the wallet by reference
    And the EU university revokes it
    When the JP verifier asks for the claims recognition needs by \"direct_post\"
    And the wallet presents to the verifier
    Then the verifier rejects the presentation citing \"TSL-7.1-status-values\"

  Scenario: An EU diploma is presented to a JP verifier
    Given the EU university has issued its diploma to the wallet by reference
    When the JP verifier asks for the claims recognition needs by \"direct_post\"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
";

struct Fixture {
    dir: PathBuf,
    store: PathBuf,
    /// The key kept outside the store that signed the run.
    key: PathBuf,
    thumbprint: String,
    run: String,
}

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_SIGNING_KEY")
        .env_remove("ACCORD_STORE")
        .output()
        .expect("accord runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("evidence-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("features")).unwrap();
        std::fs::write(dir.join("features/evidence.feature"), FEATURE).unwrap();
        let store = dir.join("store");
        let key = dir.join("certification-body.jwk");
        let flawed = repo().join(FLAWED);
        let out = accord(&[
            "run",
            "--seed",
            "3",
            "--now",
            "2026-11-27T09:00:00Z",
            "--features",
            s(&dir.join("features")),
            "--impl",
            s(&flawed),
            "--store",
            s(&store),
            "--signing-key",
            s(&key),
        ]);
        assert_eq!(out.status.code(), Some(1), "the run fails: {}", text(&out));
        let run = only_run(&store);
        let shown = accord(&["bundle", "key", "--signing-key", s(&key)]);
        let thumbprint = text(&shown)
            .lines()
            .find_map(|l| l.strip_prefix("thumbprint "))
            .unwrap()
            .to_owned();
        Fixture {
            dir,
            store,
            key,
            thumbprint,
            run,
        }
    })
}

fn only_run(store: &Path) -> String {
    let out = accord(&["runs", "--json", "--store", s(store)]);
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    rows[0]["id"].as_str().unwrap().to_owned()
}

/// A copy of the fixture's store to forge in.
fn copy_store(name: &str) -> PathBuf {
    let f = fixture();
    let to = f.dir.join(name);
    let _ = std::fs::remove_dir_all(&to);
    copy_dir(&f.store, &to);
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn log_path(store: &Path, run: &str) -> PathBuf {
    let found = walk(store)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "jsonl") && s(p).contains(run));
    found.expect("the run's log")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn read_log(path: &Path) -> Vec<Envelope> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Writes `events` back with the chain recomputed, as a forger with the store would.
fn write_rechained(path: &Path, events: &[Envelope]) {
    let mut prev = GENESIS.to_owned();
    let mut text = String::new();
    for (i, e) in events.iter().enumerate() {
        let mut e = e.clone();
        e.seq = i as u64;
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash.clone();
        text.push_str(&serde_json::to_string(&e).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// Every failed verdict turned into a pass: checks, scenarios, cells and the run.
fn passed_everywhere(events: &[Envelope]) -> Vec<Envelope> {
    events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            if let Some(v) = e.payload.get_mut("verdict")
                && v != "passed"
            {
                *v = "passed".into();
            }
            if let Some(o) = e.payload.get_mut("outcome")
                && o == "failed"
            {
                *o = "passed".into();
            }
            e
        })
        .collect()
}

/// `accord log verify RUN --store STORE [--key THUMBPRINT]`.
fn log_verify(run: &str, store: &Path, key: Option<&str>) -> Output {
    let mut args = vec!["log", "verify", run, "--store", s(store)];
    if let Some(key) = key {
        args.extend(["--key", key]);
    }
    accord(&args)
}

/// `accord bundle RUN --output OUT --store STORE [--signing-key KEY] [--tsa URL]`.
fn bundle(run: &str, out: &Path, store: &Path, key: Option<&Path>, tsa: Option<&str>) -> Output {
    let mut args = vec!["bundle", run, "--output", s(out), "--store", s(store)];
    if let Some(key) = key {
        args.extend(["--signing-key", s(key)]);
    }
    if let Some(url) = tsa {
        args.extend(["--tsa", url]);
    }
    accord(&args)
}

fn assert_refused(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    assert!(
        text(out).contains(says),
        "expected {says:?} in: {}",
        text(out)
    );
}

#[test]
fn the_honest_run_is_vouched_for_by_the_key_outside_the_store() {
    let f = fixture();
    let out = log_verify(&f.run, &f.store, Some(&f.thumbprint));
    assert_refused(&out, 0, "the last vouching for the run's end");
    assert!(text(&out).contains("a key kept outside the store"));
    // Another key: not vouched for.
    let other = log_verify(&f.run, &f.store, Some(&"A".repeat(43)));
    assert_refused(&other, 1, "not vouched for by key");
    // The report shows it failed and who signed.
    let report = accord(&["report", &f.run, "--store", s(&f.store)]);
    assert_refused(&report, 1, "checkpoints signed by key");
}

#[test]
fn verdicts_rewritten_to_passed_with_a_recomputed_chain_are_caught() {
    let f = fixture();
    let store = copy_store("forged-verdicts");
    let path = log_path(&store, &f.run);
    let events = read_log(&path);
    // Forger 1 keeps the old checkpoints: they no longer match the heads.
    write_rechained(&path, &passed_everywhere(&events));
    let out = log_verify(&f.run, &store, None);
    assert_refused(&out, 1, "broken at event");
    let report = accord(&["report", &f.run, "--store", s(&store)]);
    assert_refused(&report, 3, "the log is broken");
    // Forger 2 drops them: the chain and verdicts agree, but nothing the pinned key signed
    // vouches for the log.
    let unsigned: Vec<Envelope> = passed_everywhere(&events)
        .into_iter()
        .filter(|e| e.kind != "checkpoint-signed")
        .collect();
    write_rechained(&path, &unsigned);
    let out = log_verify(&f.run, &store, None);
    assert_refused(&out, 0, "no signed checkpoints");
    let pinned = log_verify(&f.run, &store, Some(&f.thumbprint));
    assert_refused(&pinned, 1, "no event is signed");
    // Forger 3 re-signs with the store's own key, and bundles with it: consistent, but
    // neither the log nor the bundle is vouched for by the pinned key.
    let resigned = store.join("resigned.tar");
    let out = bundle(&f.run, &resigned, &store, None, None);
    assert_refused(&out, 0, "signed by the key kept in the store");
    let v = accord(&["bundle", "verify", s(&resigned), "--key", &f.thumbprint]);
    assert_refused(&v, 1, "not by the trusted key");
    let unpinned = accord(&["bundle", "verify", s(&resigned)]);
    assert_refused(&unpinned, 0, "a key kept in the run's store");
}

#[test]
fn a_run_finished_that_claims_better_than_its_scenarios_is_a_contradiction() {
    let f = fixture();
    let store = copy_store("forged-finish");
    let path = log_path(&store, &f.run);
    let mut events = read_log(&path);
    // Keep every event up to the failed scenario's end, drop the rest, append a forged
    // `run-finished: passed`.
    let failed_end = events
        .iter()
        .position(|e| e.kind == "scenario-finished" && e.payload["verdict"] == "failed")
        .unwrap();
    events.truncate(failed_end + 1);
    let last = events.last().unwrap().clone();
    events.push(Envelope::seal(
        &last.run_id,
        last.seq + 1,
        0,
        &Event::RunFinished {
            verdict: Verdict::Passed,
        },
        &last.hash,
    ));
    write_rechained(&path, &events);
    let verify = log_verify(&f.run, &store, None);
    assert_refused(&verify, 1, "says passed, but the run's scenarios");
    let report = accord(&["report", &f.run, "--store", s(&store)]);
    assert_refused(&report, 3, "contradicts itself");
    let runs = accord(&["runs", "--store", s(&store)]);
    assert!(text(&runs).contains("contradicts"), "{}", text(&runs));
    let refused = bundle(&f.run, &store.join("b.tar"), &store, Some(&f.key), None);
    assert_refused(&refused, 3, "contradicts itself");
    assert!(!store.join("b.tar").exists());
    // The same cut, after the failed scenario's checkpoint, with an ending that agrees
    // (failed) is no contradiction, but the passing scenario is gone and the new end is not
    // signed: the pinned key refuses it.
    let mut events = read_log(&log_path(&f.store, &f.run));
    assert_eq!(events[failed_end + 1].kind, "checkpoint-signed");
    events.truncate(failed_end + 2);
    let last = events.last().unwrap().clone();
    events.push(Envelope::seal(
        &last.run_id,
        last.seq + 1,
        0,
        &Event::RunFinished {
            verdict: Verdict::Failed,
        },
        &last.hash,
    ));
    write_rechained(&path, &events);
    let pinned = log_verify(&f.run, &store, Some(&f.thumbprint));
    assert_refused(&pinned, 1, "the run's end is not signed");
}

/// OpenSSL's time-stamping authority (`tests/peers/tsa/tsa.py`), stopped when dropped.
struct Tsa {
    child: std::process::Child,
    url: String,
    cert: PathBuf,
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_tsa(dir: &Path) -> Option<Tsa> {
    use std::io::BufRead as _;
    let script = repo().join("tests/peers/tsa/tsa.py");
    let child = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return super::support::skip(
            super::support::Needs::Peer,
            "python3 is not installed",
            "install Python 3 and OpenSSL",
        );
    };
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    let _ = std::io::BufReader::new(stdout).read_line(&mut line);
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.first() != Some(&"listening") {
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
        let _ = child.kill();
        return super::support::skip(
            super::support::Needs::Peer,
            &format!("the OpenSSL time-stamping authority did not start: {line}{err}"),
            "install OpenSSL (`openssl ts`)",
        );
    }
    Some(Tsa {
        url: format!("http://127.0.0.1:{}/", fields[1]),
        cert: PathBuf::from(fields[3]),
        child,
    })
}

#[test]
fn a_bundle_time_stamped_by_openssls_tsa_verifies_and_a_swapped_token_does_not() {
    let f = fixture();
    let dir = f.dir.join("tsa");
    let _ = std::fs::remove_dir_all(&dir);
    let Some(tsa) = start_tsa(&dir) else { return };
    let stamped = f.dir.join("stamped.tar");
    let out = bundle(&f.run, &stamped, &f.store, Some(&f.key), Some(&tsa.url));
    assert_refused(&out, 0, "written to");
    let ok = accord(&[
        "bundle",
        "verify",
        s(&stamped),
        "--key",
        &f.thumbprint,
        "--tsa-cert",
        s(&tsa.cert),
    ]);
    assert_refused(&ok, 0, "was time-stamped at");
    assert!(text(&ok).contains("CN=Accord test TSA"), "{}", text(&ok));
    // A bundle without a token, when the reader pins a TSA: refused.
    let plain = f.dir.join("unstamped.tar");
    let out = bundle(&f.run, &plain, &f.store, Some(&f.key), None);
    assert_refused(&out, 0, "written to");
    let v = accord(&["bundle", "verify", s(&plain), "--tsa-cert", s(&tsa.cert)]);
    assert_refused(&v, 1, "--tsa-cert requires one");
    // A token over another head (the same run's log without its end and the end's
    // checkpoint: an interrupted run, stamped too), swapped in and the bundle re-sealed by
    // someone holding the key: the token stamps another datum.
    let store = copy_store("other-head");
    let path = log_path(&store, &f.run);
    let mut events = read_log(&path);
    events.truncate(events.len() - 2);
    write_rechained(&path, &events);
    let other = f.dir.join("other-head.tar");
    let out = bundle(&f.run, &other, &store, Some(&f.key), Some(&tsa.url));
    assert_refused(&out, 0, "written to");
    let token_of = |bundle: &Path| {
        accord::evidence::bundle::read_tar(&std::fs::read(bundle).unwrap())
            .unwrap()
            .into_iter()
            .find(|f| f.path == accord::evidence::timestamp::TOKEN_FILE)
            .unwrap()
    };
    let foreign = token_of(&other);
    let files = accord::evidence::bundle::read_tar(&std::fs::read(&stamped).unwrap()).unwrap();
    let manifest: accord::evidence::bundle::Manifest =
        serde_json::from_slice(&files[0].bytes).unwrap();
    let rest: Vec<accord::evidence::bundle::File> = files
        .into_iter()
        .skip(2)
        .map(|file| {
            if file.path == accord::evidence::timestamp::TOKEN_FILE {
                foreign.clone()
            } else {
                file
            }
        })
        .collect();
    let key_text = std::fs::read(&f.key).unwrap();
    let jwk: accord::formats::jose::Jwk = serde_json::from_slice(&key_text).unwrap();
    let key = accord::formats::jose::SigningKey::from_jwk(&jwk).unwrap();
    let forged = accord::evidence::bundle::seal_stamped(
        rest,
        manifest.claims,
        &manifest.created_by,
        &key,
        manifest.key.source,
        manifest.timestamp,
    )
    .unwrap();
    let v = accord::evidence::bundle::verify_stamped(&forged, Some(&f.thumbprint), None);
    assert!(!v.intact(), "{}", v.render());
    assert!(v.render().contains("another datum"), "{}", v.render());
    // The token swapped without re-sealing: the pin names it.
    let swapped = f.dir.join("swapped.tar");
    let mut files = accord::evidence::bundle::read_tar(&std::fs::read(&stamped).unwrap()).unwrap();
    for file in &mut files {
        if file.path == accord::evidence::timestamp::TOKEN_FILE {
            *file = foreign.clone();
        }
    }
    std::fs::write(&swapped, accord::evidence::bundle::write_tar(&files)).unwrap();
    let v = accord(&["bundle", "verify", s(&swapped), "--tsa-cert", s(&tsa.cert)]);
    assert_refused(&v, 1, "MISMATCH TIMESTAMP.tst: SHA-256");
}

#[test]
fn a_log_copied_over_another_run_or_given_an_unsigned_tail_is_refused() {
    let f = fixture();
    // Another run's id, the fixture's log under it.
    let store = copy_store("copied-log");
    let path = log_path(&store, &f.run);
    let mut other = f.run.clone();
    let last = other.pop().unwrap();
    other.push(if last == '0' { '1' } else { '0' });
    let other_path = PathBuf::from(s(&path).replace(&f.run, &other));
    std::fs::create_dir_all(other_path.parent().unwrap()).unwrap();
    std::fs::copy(&path, &other_path).unwrap();
    let out = log_verify(&other, &store, Some(&f.thumbprint));
    assert_refused(&out, 1, "differs from the log's");
    // Cut after the first scenario's checkpoint; made-up scenarios appended, no ending.
    let mut events = read_log(&path);
    let checkpoint = events
        .iter()
        .position(|e| e.kind == "checkpoint-signed")
        .unwrap();
    events.truncate(checkpoint + 1);
    for kind in [
        Event::ScenarioStarted {
            feature: "Evidence fixture".into(),
            scenario: "made up".into(),
            line: 1,
            tags: vec![],
            example: vec![],
        },
        Event::ScenarioFinished {
            feature: "Evidence fixture".into(),
            scenario: "made up".into(),
            verdict: Verdict::Passed,
        },
    ] {
        let last = events.last().unwrap().clone();
        events.push(Envelope::seal(
            &last.run_id,
            last.seq + 1,
            0,
            &kind,
            &last.hash,
        ));
    }
    write_rechained(&path, &events);
    let out = log_verify(&f.run, &store, Some(&f.thumbprint));
    assert_refused(&out, 1, "are not vouched for");
    // Every checkpoint stripped, verdicts rewritten: the key kept outside the store will
    // not bundle what it did not vouch for.
    let stripped: Vec<Envelope> = passed_everywhere(&read_log(&log_path(&f.store, &f.run)))
        .into_iter()
        .filter(|e| e.kind != "checkpoint-signed")
        .collect();
    write_rechained(&path, &stripped);
    let out = bundle(&f.run, &store.join("s.tar"), &store, Some(&f.key), None);
    assert_refused(&out, 3, "not vouched for by the signing key");
    assert!(!store.join("s.tar").exists());
}
