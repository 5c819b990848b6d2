//! The run engine and its event log (issue #3): golden reports, the store's properties,
//! interrupted runs and bad input.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::events::{Envelope, Event, GENESIS, Verdict, verify_chain};
use accord::projections::{console, json, junit, markdown, project};
use accord::run::engine::{RunConfig, run};
use accord::store::embedded::EmbeddedStore;
use accord::store::memory::MemoryStore;
use accord::store::{EventStore, RunRecorder, StoreError, Tail};
use proptest::prelude::*;

const NOW: i64 = 1_800_000_000;

fn features() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("features")
}

fn fixed_run(store: Arc<dyn EventStore>) -> String {
    let config = RunConfig {
        features: features(),
        tags: None,
        seed: 1,
        progress: false,
        ..RunConfig::new("", 0)
    };
    let outcome = run(&config, store, Arc::new(FixedClock(NOW))).unwrap();
    assert_eq!(outcome.verdict, Verdict::Passed);
    outcome.run_id
}

#[test]
fn reports_are_golden_and_regenerate_byte_identical() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let id = fixed_run(store.clone());
    let log = store.read(&id).unwrap();
    verify_chain(&log.events).unwrap();
    let view = project(&log.events, &log.tail);
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("report_console", console(&view));
        // The features path is the checkout's and the players' loopback ports are the OS's;
        // everything else is fixed by seed and clock.
        let features_dir = features().display().to_string();
        let ports = regex::Regex::new(r"(127\.0\.0\.1|[a-z.-]+\.accord\.test):\d+").unwrap();
        let report = json(&view).replace(&features_dir, "[features]");
        insta::assert_snapshot!("report_json", ports.replace_all(&report, "$1:[port]"));
        insta::assert_snapshot!("report_junit", junit(&view));
        insta::assert_snapshot!("report_markdown", markdown(&view));
    });
    // Same seed, same clock, same features: the same checks and verdicts, event for event,
    // and the same exchanges (who, what, where, which status). Loopback ports differ between
    // runs and end up inside signed tokens, so exchange bodies are compared by shape only.
    let again: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let id2 = fixed_run(again.clone());
    assert_eq!(id, id2);
    let (a, b) = (
        transcript(&again.read(&id2).unwrap().events),
        transcript(&log.events),
    );
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    assert_eq!(a.len(), b.len());
}

/// Each event as a comparable line, with HTTP exchanges reduced to their shape.
fn transcript(events: &[accord::events::Envelope]) -> Vec<String> {
    let port = regex::Regex::new(r"(127\.0\.0\.1|[a-z.-]+\.accord\.test):\d+").unwrap();
    events
        .iter()
        .map(|e| {
            if e.kind == "http-exchange" {
                let x = &e.payload["exchange"];
                let path = x["url"]
                    .as_str()
                    .unwrap_or_default()
                    .split('?')
                    .next()
                    .unwrap_or_default();
                let url = port.replace_all(path, "$1:PORT");
                format!(
                    "{} {} {} {} {url} {}",
                    e.seq, x["from"], x["to"], x["method"], x["status"]
                )
            } else {
                // Players' addresses are the OS's loopback ports.
                let payload = e.payload.to_string();
                format!(
                    "{} {} {}",
                    e.seq,
                    e.kind,
                    port.replace_all(&payload, "$1:PORT")
                )
            }
        })
        .collect()
}

fn event_strategy() -> impl Strategy<Value = Event> {
    prop_oneof![
        ".{0,40}".prop_map(|message| Event::HarnessFaulted { message }),
        (
            ".{0,20}",
            ".{0,20}",
            any::<u64>(),
            prop::collection::vec("@[a-z]{1,8}", 0..3),
            prop::collection::vec(("[a-z]{1,8}", ".{0,12}"), 0..3)
        )
            .prop_map(
                |(feature, scenario, line, tags, example)| Event::ScenarioStarted {
                    feature,
                    scenario,
                    line,
                    tags,
                    example
                }
            ),
        (".{0,20}", "[A-Z0-9.-]{1,30}", ".{0,30}").prop_map(|(scenario, requirement, actual)| {
            Event::CheckEvaluated {
                scenario,
                subject: Some("verifier-jp".into()),
                requirement,
                level: "MUST".into(),
                section: "7.1".into(),
                expected: "met".into(),
                actual,
                verdict: Verdict::Failed,
            }
        }),
    ]
}

fn temp_store() -> (tempfile::TempDir, Arc<EmbeddedStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::new(dir.path()));
    (dir, store)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_event_sequence_round_trips_through_the_store(events in prop::collection::vec(event_strategy(), 0..30)) {
        let (_dir, store) = temp_store();
        let mut r = RunRecorder::create(store.clone(), Arc::new(FixedClock(NOW)), "run").unwrap();
        for e in &events {
            r.record(e).unwrap();
        }
        let log = store.read("run").unwrap();
        prop_assert_eq!(&log.tail, &Tail::Clean);
        verify_chain(&log.events).unwrap();
        let back: Vec<Event> = log.events.iter().map(|e| e.event().unwrap()).collect();
        prop_assert_eq!(back, events);
    }

    #[test]
    fn flipping_any_byte_of_a_stored_log_is_detected(position in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let (_dir, store) = temp_store();
        let mut r = RunRecorder::create(store.clone(), Arc::new(FixedClock(NOW)), "run").unwrap();
        for i in 0..12 {
            r.record(&Event::HarnessFaulted { message: format!("fault {i}") }).unwrap();
        }
        let path = store.log_path("run");
        let mut bytes = std::fs::read(&path).unwrap();
        let i = position.index(bytes.len());
        bytes[i] ^= flip;
        std::fs::write(&path, &bytes).unwrap();
        let detected = match store.read("run") {
            Err(_) => true,
            Ok(log) => log.tail != Tail::Clean || log.events.len() != 12 || verify_chain(&log.events).is_err(),
        };
        prop_assert!(detected, "flip of byte {} went unnoticed", i);
        // The streaming verifier behind `accord log verify` agrees.
        let streamed = match store.verify("run") {
            Err(_) => true,
            Ok(v) => v.broken.is_some() || v.tail != Tail::Clean || v.events != 12,
        };
        prop_assert!(streamed, "flip of byte {} went unnoticed by the streaming verifier", i);
    }
}

#[test]
fn concurrent_appenders_never_leave_a_gap_or_a_duplicate() {
    let (_dir, shared) = temp_store();
    shared.create_run("run").unwrap();
    let root = shared.root().to_path_buf();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            // Half the writers share the store instance, half open their own (as separate
            // processes would), so both the in-process cache and the file lock are exercised.
            let store: Arc<dyn EventStore> = if t % 2 == 0 {
                shared.clone()
            } else {
                Arc::new(EmbeddedStore::new(&root))
            };
            std::thread::spawn(move || {
                let mut conflicts = 0;
                for i in 0..40 {
                    loop {
                        let log = store.read("run").unwrap();
                        let next = log.events.len() as u64;
                        let prev = log
                            .events
                            .last()
                            .map_or(GENESIS.to_owned(), |e| e.hash.clone());
                        let e = Envelope::seal(
                            "run",
                            next,
                            NOW * 1000,
                            &Event::HarnessFaulted {
                                message: format!("{t}/{i}"),
                            },
                            &prev,
                        );
                        match store.append("run", next, &[e]) {
                            Ok(()) => break,
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(other) => panic!("{other}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let log = shared.read("run").unwrap();
    assert_eq!(log.events.len(), 160);
    verify_chain(&log.events).unwrap();
}

fn accord(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn an_interrupted_run_keeps_what_it_recorded_and_is_listed_as_interrupted() {
    let (dir, store) = temp_store();
    let id = fixed_run(store.clone());
    let path = store.log_path(&id);
    let bytes = std::fs::read(&path).unwrap();
    // Cut the log in the middle of its 40th line, as a kill during a write would.
    let cut = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(39)
        .map(|(i, _)| i)
        .unwrap()
        + 20;
    std::fs::write(&path, &bytes[..cut]).unwrap();
    let d = dir.path().to_str().unwrap();
    let verify = accord(&["log", "verify", &id, "--store", d]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    assert!(
        stdout(&verify).contains("intact: 40 events") && stdout(&verify).contains("torn"),
        "{}",
        stdout(&verify)
    );
    let runs: serde_json::Value =
        serde_json::from_slice(&accord(&["runs", "--json", "--store", d]).stdout).unwrap();
    assert_eq!(runs[0]["id"], serde_json::json!(id));
    assert_eq!(runs[0]["status"], "interrupted");
    assert_eq!(runs[0]["torn"], true);
    for key in ["started_at", "passed", "failed"] {
        assert!(runs[0].get(key).is_some(), "{key}");
    }
    let report = accord(&["report", &id, "--store", d]);
    assert_eq!(report.status.code(), Some(3));
    // Nothing more can be appended after a torn line: the writer is told, nothing is mangled.
    let e = Envelope::seal(
        &id,
        40,
        NOW * 1000,
        &Event::HarnessFaulted {
            message: "late".into(),
        },
        GENESIS,
    );
    assert!(matches!(
        store.append(&id, 40, &[e]),
        Err(StoreError::Corrupt { .. })
    ));
}

#[test]
fn cli_run_report_log_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("store");
    let d = d.to_str().unwrap();
    let f = features();
    let f = f.to_str().unwrap();
    let junit_path = dir.path().join("junit.xml");
    let out = accord(&[
        "run",
        "--features",
        f,
        "--store",
        d,
        "--seed",
        "4",
        "--junit",
        junit_path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(&junit_path)
            .unwrap()
            .contains("<testsuites")
    );
    let runs: serde_json::Value =
        serde_json::from_slice(&accord(&["runs", "--json", "--store", d]).stdout).unwrap();
    let id = runs[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(runs[0]["status"], "passed");
    for format in ["console", "json", "junit", "md"] {
        let a = accord(&["report", &id, "--format", format, "--store", d]);
        let b = accord(&["report", &id, "--format", format, "--store", d]);
        assert_eq!(a.status.code(), Some(0));
        assert_eq!(a.stdout, b.stdout, "{format} is regenerated byte-identical");
    }
    let shown = accord(&["log", "show", &id, "--kind", "run-finished", "--store", d]);
    assert_eq!(stdout(&shown).lines().count(), 1);
    // Tags select scenarios; a bad tag expression is a usage error.
    let out = accord(&[
        "run",
        "--features",
        f,
        "--store",
        d,
        "--seed",
        "4",
        "--tags",
        "@jp-degree",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("4 scenarios"), "{}", stdout(&out));
    assert_eq!(
        accord(&["run", "--features", f, "--store", d, "--tags", "@eu and"])
            .status
            .code(),
        Some(2)
    );
    // An unknown run id.
    let out = accord(&["report", "no-such-run", "--store", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-run"));
    // A corrupted log: `log verify` exits 1 and names the event.
    let log = Path::new(d).join("runs").join(&id).join("events.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("\"passed\"", "\"failed\"", 1)).unwrap();
    let out = accord(&["log", "verify", &id, "--store", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("broken at event"), "{}", stdout(&out));
    // A malformed feature file is a usage error that names the file and line (issue 17).
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(
        bad.join("broken.feature"),
        "Feature: x\n  Scenario: y\n    Given a step\n    Whenn oops\n",
    )
    .unwrap();
    let out = accord(&[
        "run",
        "--features",
        bad.to_str().unwrap(),
        "--store",
        d,
        "--seed",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.feature:5: malformed feature file: Error at"),
        "{err}"
    );
    // A missing features directory is a usage error.
    assert_eq!(
        accord(&["run", "--features", "/no/such/dir", "--store", d])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn killing_a_run_part_way_loses_nothing_already_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let feats = dir.path().join("features");
    std::fs::create_dir(&feats).unwrap();
    let mut text = String::from("Feature: many presentations\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "  Scenario: presentation {i}\n    Given the EU university issues its example diploma\n    When the holder presents \"family_name\" to the JP verifier\n    Then the JP verifier accepts the presentation\n"
        ));
    }
    std::fs::write(feats.join("many.feature"), text).unwrap();
    let store = dir.path().join("store");
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "run",
            "--features",
            feats.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
            "--seed",
            "9",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has recorded a few scenarios, then kill it without warning.
    let runs = store.join("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let log = loop {
        let found = std::fs::read_dir(&runs).ok().and_then(|mut d| {
            d.find_map(|e| {
                e.ok()
                    .map(|e| e.path().join("events.jsonl"))
                    .filter(|p| p.is_file())
            })
        });
        if let Some(log) = found
            && std::fs::read(&log)
                .map(|b| b.iter().filter(|c| **c == b'\n').count())
                .unwrap_or(0)
                > 50
        {
            break log;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started recording"
        );
        std::thread::yield_now();
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let id = log
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let s = store.to_str().unwrap();
    let verify = accord(&["log", "verify", &id, "--store", s]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    let runs: serde_json::Value =
        serde_json::from_slice(&accord(&["runs", "--json", "--store", s]).stdout).unwrap();
    assert_eq!(runs[0]["status"], "interrupted", "{runs}");
    // Every complete line that was on disk when the run was killed is still there and verifies.
    let events = EmbeddedStore::new(&store).read(&id).unwrap().events;
    assert!(events.len() > 50);
    verify_chain(&events).unwrap();
}

/// A failed scenario's Markdown report shows the exchanges behind it, with tokens, codes,
/// nonces and keys redacted; the log keeps them in full.
#[test]
fn the_markdown_report_shows_a_failure_s_exchanges_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wrong.feature"),
        "Feature: A wrong expectation\n\n  Scenario: A valid presentation expected to be rejected\n    Given the EU university has issued its diploma to the wallet with a transaction code\n    When the JP verifier asks for the claims recognition needs by \"direct_post\"\n    And the wallet presents to the verifier\n    Then the verifier rejects the presentation citing \"SDJWT-RFC9901-7.3-kb-nonce\"\n",
    )
    .unwrap();
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let config = RunConfig {
        features: dir.path().to_path_buf(),
        tags: None,
        seed: 3,
        progress: false,
        ..RunConfig::new("", 0)
    };
    let outcome = run(&config, store.clone(), Arc::new(FixedClock(NOW))).unwrap();
    assert_eq!(outcome.verdict, Verdict::Failed);
    let log = store.read(&outcome.run_id).unwrap();
    let secrets: Vec<String> = log
        .events
        .iter()
        .filter(|e| e.kind == "http-exchange")
        .filter_map(|e| {
            serde_json::from_str::<serde_json::Value>(
                e.payload["exchange"]["response_body"].as_str()?,
            )
            .ok()
        })
        .flat_map(|b| {
            ["access_token", "c_nonce", "tx_code", "nonce"]
                .into_iter()
                .filter_map(move |k| b[k].as_str().map(str::to_owned))
        })
        .collect();
    let mut secrets = secrets;
    for e in log.events.iter().filter(|e| e.kind == "http-exchange") {
        let body: serde_json::Value = serde_json::from_str(
            e.payload["exchange"]["response_body"]
                .as_str()
                .unwrap_or("null"),
        )
        .unwrap_or_default();
        if let Some(code) = body["offer"]["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"].as_str() {
            secrets.push(code.to_owned());
        }
    }
    assert!(secrets.len() >= 4, "{secrets:?}");
    let md = markdown(&project(&log.events, &log.tail));
    assert!(
        md.contains("### Exchanges of failed scenarios (redacted)"),
        "{md}"
    );
    assert!(
        md.contains("/credential") && md.contains("[redacted"),
        "{md}"
    );
    for secret in secrets {
        assert!(!md.contains(&secret), "{secret} leaked into the report");
    }
}

/// Off a terminal (CI, `accord run 2>&1 | tee`), every scenario shows once: progress names
/// features, the report names scenarios, outline rows with their values; no colour codes
/// reach a pipe. `CLICOLOR_FORCE` asks for colour anyway, and `NO_COLOR` wins over it.
#[test]
fn piped_output_names_each_scenario_once_and_colour_only_when_asked() {
    let store = tempfile::tempdir().unwrap();
    let feature = features().join("faults.feature");
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
        cmd.args([
            "run",
            "--seed",
            "1",
            "--tags",
            "not @containers",
            "--features",
        ])
        .arg(&feature)
        .arg("--store")
        .arg(store.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("CI", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", super::support::text(&out));
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (stdout, stderr) = run(&[]);
    let both = format!("{stdout}{stderr}");
    for fault in [
        "answers 503",
        "truncates its answers",
        "drops the connection",
    ] {
        let title = format!(
            "› A status-list host that fails makes the verifier fail closed (fault: {fault})"
        );
        assert_eq!(both.matches(&title).count(), 1, "{title}:\n{both}");
    }
    assert!(
        stderr.contains("Faults on purpose: restarts, failing and slow hosts, frozen containers: "),
        "progress names the feature:\n{stderr}"
    );
    assert!(
        !both.contains('\u{1b}'),
        "no escape codes in a pipe:\n{both}"
    );
    let (coloured, _) = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(coloured.contains("\u{1b}[32mpassed\u{1b}[0m"), "{coloured}");
    let (plain, _) = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!plain.contains('\u{1b}'), "{plain}");
}

/// A run whose only cell ran nothing (its verifier never answered) is inconclusive, and its
/// summary says why rather than "0 inconclusive" alone.
#[test]
fn a_cell_that_ran_nothing_is_counted_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("unreachable.toml");
    // Port 9 (discard) on loopback: nothing listens there.
    std::fs::write(
        &manifest,
        "id = \"unreachable-verifier\"\nvendor = \"test\"\nversion = \"1\"\nroles = [\"verifier\"]\njurisdiction = \"jp\"\n\n[capabilities]\nformats = [\"dc+sd-jwt\"]\nclient_id_prefixes = [\"x509_san_dns\"]\nresponse_modes = [\"direct_post\"]\n\n[launch]\nkind = \"url\"\nbase = \"https://127.0.0.1:9\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["run", "--seed", "1", "--tags", "not @containers", "--impl"])
        .arg(&manifest)
        .arg("--features")
        .arg(features().join("faults.feature"))
        .arg("--store")
        .arg(dir.path().join("store"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", super::support::text(&out));
    let summary = stdout(&out);
    assert!(
        summary.contains("0 scenarios: 0 passed, 0 failed, 0 not implemented, 0 inconclusive; 1 cell(s) ran nothing"),
        "{summary}"
    );
}
