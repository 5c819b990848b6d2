//! Deterministic replay and snapshot gates (issue #6): same seed, same normalised transcript;
//! another seed, other nonces and salts but the same verdicts; a recorded run re-driven
//! against the reference verifier matches, against a build that skips the `sd_hash` check it
//! does not, and both the replay and the snapshot gate name the requirement; broken,
//! truncated and interrupted logs are refused with an error that says where.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::events::Part;
use accord::events::{Event, Verdict};
use accord::evidence::replay::{self, Recording, Target};
use accord::projections::{self, RunView};
use accord::run::engine::{self, RunConfig};
use accord::store::EventStore;
use accord::store::embedded::EmbeddedStore;

use super::support::repo;

/// 2026-11-27T09:00:00Z: the roles' clock in these runs.
const NOW: i64 = 1_795_770_000;
const FLAWED: &str = "implementations/flawed/accord-verifier-jp-skips-sd-hash.toml";
const SD_HASH: &str = "SDJWT-RFC9901-7.3-kb-sd-hash";

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("accord runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Distinct harness clock readings, so runs with the same seed get distinct ids.
static RUNS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Runs the HTTP features with `seed` into `store`; returns the run id.
fn record(store: &Path, seed: u64, now: i64, implementations: &[&str]) -> String {
    let config = RunConfig {
        tags: Some("not @containers".into()),
        now: Some(now),
        implementations: implementations.iter().map(|i| repo().join(i)).collect(),
        ..RunConfig::new(repo().join("features"), seed)
    };
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::new(store));
    let started = NOW + RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    engine::run(&config, store, Arc::new(FixedClock(started)))
        .expect("the run is recorded")
        .run_id
}

fn view(store: &Path, run: &str) -> RunView {
    let log = EmbeddedStore::new(store).read(run).unwrap();
    projections::project(&log.events, &log.tail)
}

/// Every value under `key` in the run's exchanges (request and response bodies, raw).
fn raw_values(view: &RunView, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\":\"");
    let mut out = Vec::new();
    for s in &view.scenarios {
        for e in &s.exchanges {
            for body in [&e.request_body, &e.response_body] {
                let mut rest = body.as_str();
                while let Some(i) = rest.find(&needle) {
                    rest = &rest[i + needle.len()..];
                    out.push(rest.split('"').next().unwrap_or("").to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn same_seed_same_normalised_transcript_other_seed_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let a = record(dir.path(), 41, NOW, &[]);
    let b = record(dir.path(), 41, NOW, &[]);
    let c = record(dir.path(), 42, NOW + 3600, &[]);
    let (va, vb, vc) = (
        view(dir.path(), &a),
        view(dir.path(), &b),
        view(dir.path(), &c),
    );
    assert_eq!(va.seed, Some(41));
    assert_eq!(va.now, Some(NOW), "the clock is recorded in run-started");
    assert!(va.scenarios.len() >= 20);

    // Same seed: every scenario's snapshot (verdicts and normalised exchanges) is identical,
    // byte for byte.
    let snaps = |v: &RunView| -> Vec<String> {
        accord::evidence::snapshot::documents(v)
            .iter()
            .map(|d| d.render())
            .collect()
    };
    assert_eq!(snaps(&va), snaps(&vb));
    assert!(accord::evidence::rundiff::diff(&va, &vb).is_empty());
    // And the seeded values themselves are the same (not merely redacted alike).
    assert_eq!(raw_values(&va, "nonce"), raw_values(&vb, "nonce"));

    // Another seed: other nonces and salts on the wire...
    let (na, nc) = (raw_values(&va, "nonce"), raw_values(&vc, "nonce"));
    assert!(!na.is_empty());
    assert_eq!(na.len(), nc.len());
    assert!(na.iter().zip(&nc).all(|(x, y)| x != y), "nonces differ");
    // Disclosures carry the salts: the same with the same seed, different with another.
    let disclosures = |v: &RunView| -> Vec<String> {
        raw_values(v, "credential")
            .iter()
            .filter_map(|c| c.split('~').nth(1).map(str::to_owned))
            .collect()
    };
    assert!(!disclosures(&va).is_empty());
    assert_eq!(disclosures(&va), disclosures(&vb));
    assert!(
        disclosures(&va)
            .iter()
            .zip(&disclosures(&vc))
            .all(|(x, y)| x != y)
    );
    // ...but the same verdicts, scenario by scenario and check by check, and the same
    // normalised transcript.
    type Verdicts = Vec<(String, Option<Verdict>, Vec<(String, Verdict)>)>;
    let verdicts = |v: &RunView| -> Verdicts {
        v.scenarios
            .iter()
            .map(|s| {
                (
                    s.scenario.clone(),
                    s.verdict,
                    s.checks
                        .iter()
                        .map(|c| (c.requirement.clone(), c.verdict))
                        .collect(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&va), verdicts(&vc));
    let d = accord::evidence::rundiff::diff(&va, &vc);
    assert!(d.is_empty(), "{}", d.render(&a, &c));
}

#[test]
fn replay_against_the_same_build_matches_and_against_an_altered_build_names_the_requirement() {
    let dir = tempfile::tempdir().unwrap();
    let run = record(dir.path(), 5, NOW, &[]);
    let store = EmbeddedStore::new(dir.path());
    let log = store.read(&run).unwrap();
    let recording = Recording::from_log(&run, &log.events, &log.tail).unwrap();
    let shared: Arc<dyn EventStore> = Arc::new(EmbeddedStore::new(dir.path()));

    // The same build: every answer as recorded.
    let same = replay::redrive(
        &recording,
        &Target {
            casting: accord::run::cast::Casting::Reference,
            parts: vec![Part::VerifierJp],
            compose_file: repo().join("docker-compose.yml"),
        },
        shared.clone(),
        Arc::new(FixedClock(NOW)),
    )
    .unwrap();
    let v = view(dir.path(), &same.run_id);
    assert_eq!(v.replay_of.as_deref(), Some(run.as_str()));
    assert!(
        same.scenarios >= 10,
        "{} scenarios re-driven",
        same.scenarios
    );
    assert_eq!(same.differences, 0, "{}", projections::console(&v));
    assert_eq!(same.verdict, Verdict::Passed);

    // A build that skips the sd_hash check, without any counterpart running.
    let path = repo().join(FLAWED);
    let manifest = accord::run::manifest::load(&path).unwrap();
    let altered = replay::redrive(
        &recording,
        &Target {
            casting: accord::run::cast::Casting::Manifest {
                manifest: Arc::new(manifest),
                path,
            },
            parts: vec![Part::VerifierJp],
            compose_file: repo().join("docker-compose.yml"),
        },
        shared,
        Arc::new(FixedClock(NOW)),
    )
    .unwrap();
    assert_eq!(altered.verdict, Verdict::Failed);
    let log = store.read(&altered.run_id).unwrap();
    let differed: Vec<Event> = log
        .events
        .iter()
        .filter_map(|e| e.event().ok())
        .filter(|e| matches!(e, Event::ReplayDiffered { .. }))
        .collect();
    assert_eq!(differed.len(), altered.differences);
    // Only the scenarios whose presentation breaks sd_hash differ, and the difference names
    // the requirement.
    let mut scenarios: Vec<String> = Vec::new();
    for e in &differed {
        if let Event::ReplayDiffered {
            scenario,
            requirements,
            ..
        } = e
        {
            assert!(
                scenario.contains("spoiled") || scenario.contains("each presentation rule"),
                "only spoiled presentations differ, not {scenario}"
            );
            if !scenarios.contains(scenario) {
                scenarios.push(scenario.clone());
            }
            assert!(
                requirements
                    .iter()
                    .all(|r| r == SD_HASH || r.starts_with("OID4VP-"))
            );
        }
    }
    // Three examples break sd_hash: a tampered disclosure and a missing sd_hash that the
    // wallet spoiled, and the one-rule presentation with a wrong sd_hash; the others (wrong
    // nonce, wrong audience, encryption faults, every other rule) are answered as recorded.
    let replayed = view(dir.path(), &altered.run_id);
    let failed: Vec<u64> = replayed
        .scenarios
        .iter()
        .filter(|s| s.verdict == Some(Verdict::Failed))
        .map(|s| s.line)
        .collect();
    assert_eq!(failed.len(), 3, "{}", projections::console(&replayed));
    assert_eq!(
        scenarios.len(),
        2,
        "examples of two outlines: {scenarios:?}"
    );
    assert!(differed.iter().any(|e| matches!(
        e,
        Event::ReplayDiffered { requirements, path, .. }
            if requirements.iter().any(|r| r == SD_HASH) && path.starts_with("response.")
    )));
    assert!(differed.iter().any(|e| matches!(
        e,
        Event::ReplayDiffered { path, recorded, replayed, .. }
            if path == "response.status"
                && recorded == &Some(serde_json::json!(400))
                && replayed == &Some(serde_json::json!(200))
    )));
    // The report says it too.
    let report = projections::markdown(&view(dir.path(), &altered.run_id));
    assert!(report.contains("### Replay differences"));
    assert!(report.contains(SD_HASH));
}

#[test]
fn the_snapshot_gate_catches_the_altered_build_and_writes_nothing_when_checking() {
    let dir = tempfile::tempdir().unwrap();
    let features = repo().join("features");
    let features = features.to_str().unwrap();
    let store = dir.path().join("store");
    let snaps = dir.path().join("snaps");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--features",
            features,
            "--tags",
            "not @containers",
            "--store",
            store.to_str().unwrap(),
            "--snapshot-dir",
            snaps.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        accord(dir.path(), &args)
    };
    let update = run(&["--seed", "3", "--snapshots", "update"]);
    assert!(update.status.success(), "{}", text(&update));
    let files = walk(&snaps);
    assert!(files.len() >= 20, "{} snapshots", files.len());
    let before: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|f| (f.clone(), std::fs::read(f).unwrap()))
        .collect();

    // Another seed, another clock: no drift.
    let same = run(&[
        "--seed",
        "4",
        "--now",
        "2026-12-01T10:00:00Z",
        "--snapshots",
        "check",
    ]);
    assert!(same.status.success(), "{}", text(&same));
    assert!(text(&same).contains("0 drifted"));

    // The altered verifier: drift, naming scenario, exchange, field and requirement.
    let drift = run(&[
        "--seed",
        "3",
        "--impl",
        &repo().join(FLAWED).display().to_string(),
        "--snapshots",
        "check",
    ]);
    assert_eq!(drift.status.code(), Some(1), "{}", text(&drift));
    let out = text(&drift);
    assert!(
        out.contains("scenario \"A presentation the wallet spoiled"),
        "{out}"
    );
    assert!(out.contains("drifted from"), "{out}");
    assert!(out.contains("exchange "), "{out}");
    assert!(
        out.contains("(POST {verifier-jp}/response): exchanges["),
        "{out}"
    );
    assert!(out.contains("response.status: 400 → 200"), "{out}");
    assert!(out.contains(&format!("[requirement {SD_HASH}")), "{out}");
    assert!(out.contains("verdict: \"passed\" → \"failed\""), "{out}");
    // Checking wrote nothing.
    assert_eq!(walk(&snaps), files);
    for (f, bytes) in &before {
        assert_eq!(&std::fs::read(f).unwrap(), bytes, "{} changed", f.display());
    }

    // `new` leaves .snap.new files for `cargo insta review`, and the .snap untouched.
    let pending = run(&[
        "--seed",
        "3",
        "--impl",
        &repo().join(FLAWED).display().to_string(),
        "--snapshots",
        "new",
    ]);
    assert_eq!(pending.status.code(), Some(1), "{}", text(&pending));
    let news: Vec<PathBuf> = walk(&snaps)
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".snap.new"))
        .collect();
    assert!(!news.is_empty());
    for (f, bytes) in &before {
        assert_eq!(&std::fs::read(f).unwrap(), bytes);
    }
}

/// insta reads Accord's snapshot files as its own: `assert_snapshot!` finds the file and the
/// same contents in it.
#[test]
fn insta_reads_accords_snapshot_files() {
    let dir = tempfile::tempdir().unwrap();
    let run = record(dir.path(), 9, NOW, &[]);
    let v = view(dir.path(), &run);
    let docs = accord::evidence::snapshot::documents(&v);
    let doc = docs
        .iter()
        .find(|d| d.scenario.contains("revoked"))
        .unwrap();
    let file = dir.path().join("snaps").join(&doc.file);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, doc.render()).unwrap();
    let name = file.file_stem().unwrap().to_string_lossy().into_owned();
    let contents = serde_json::to_string_pretty(&doc.contents).unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(file.parent().unwrap());
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, contents));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn broken_truncated_and_interrupted_logs_are_refused_with_where() {
    let dir = tempfile::tempdir().unwrap();
    let run = record(dir.path(), 6, NOW, &[]);
    let log_path = EmbeddedStore::new(dir.path()).log_path(&run);
    let original = std::fs::read(&log_path).unwrap();
    let store = dir.path().to_str().unwrap();
    let other = record(dir.path(), 6, NOW, &[]);

    // Intact: diff says nothing differs (exit 0), re-projection works.
    let ok = accord(dir.path(), &["diff", &run, &other, "--store", store]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let reproject = accord(
        dir.path(),
        &["replay", &run, "--store", store, "--out", "reports"],
    );
    assert_eq!(reproject.status.code(), Some(0), "{}", text(&reproject));
    for f in ["console.txt", "report.json", "junit.xml", "report.md"] {
        assert!(dir.path().join("reports").join(f).exists(), "{f}");
    }

    let check = |label: &str, bytes: &[u8], expect: &str| {
        std::fs::write(&log_path, bytes).unwrap();
        for args in [
            vec!["replay", run.as_str(), "--store", store],
            vec![
                "replay",
                run.as_str(),
                "--store",
                store,
                "--against",
                "reference",
                "--part",
                "verifier-jp",
            ],
            vec!["diff", run.as_str(), other.as_str(), "--store", store],
            vec!["diff", other.as_str(), run.as_str(), "--store", store],
        ] {
            let out = accord(dir.path(), &args);
            let said = text(&out);
            assert_eq!(out.status.code(), Some(2), "{label}: {args:?}: {said}");
            assert!(
                said.contains(&log_path.display().to_string()),
                "{label}: names the log: {said}"
            );
            assert!(said.contains(expect), "{label}: {args:?}: {said}");
            assert!(!said.contains("panicked"), "{label}: {said}");
        }
    };
    // A byte of the middle event's hash changed (to another hex digit, so the line still
    // parses): the chain breaks there. Any lowercase byte past the middle would not do: it can
    // fall in a field name (`kind` → `aind`), and then the line is refused as no envelope at
    // all, a different error; where it falls depends on the length of the run's port numbers.
    let mut tampered = original.clone();
    let middle = tampered.len() / 2;
    let line_start = tampered[..middle]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let needle = b"\"hash\":\"";
    let i = line_start
        + tampered[line_start..]
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
        + needle.len();
    tampered[i] = if tampered[i] == b'a' { b'b' } else { b'a' };
    check("tampered", &tampered, "broken at event");
    // Cut in the middle of a line.
    check("torn", &original[..original.len() - 40], "truncated");
    // Cut at a line boundary: no run-finished.
    let lines: Vec<&[u8]> = original.split_inclusive(|b| *b == b'\n').collect();
    let cut: Vec<u8> = lines[..lines.len() / 2].concat();
    check("interrupted", &cut, "without `run-finished`");
    // Not a log at all.
    check(
        "garbage",
        b"\x00\x01 not json\n",
        ":1: not a valid event envelope",
    );
    std::fs::write(&log_path, &original).unwrap();
}

/// A recording made in process, re-driven against the same verifier built into the local
/// image and started as a container (its clock fixed at the recorded `{now}`): a new build
/// and a new way of running, the same answers.
#[test]
fn a_recording_replays_against_the_verifier_in_a_container() {
    if super::containers::docker().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = record(dir.path(), 1, NOW, &[]);
    let store = dir.path().to_str().unwrap();
    let out = accord(
        &repo(),
        &[
            "replay",
            &run,
            "--store",
            store,
            "--against",
            "implementations/containers/accord-verifier-jp.toml",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains(" 0 difference(s)"), "{said}");
    let v = view(dir.path(), &replay_id(&said));
    assert!(v.cells[0].players.iter().any(|p| p.kind == "container"));
}

fn replay_id(said: &str) -> String {
    said.split("accord: replay ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned()
}

/// Every part re-driven alone against the same build: its counterparts answer from the
/// recording (redirects and their `Location` headers included), and the faults the run
/// injected on it (an issuer's restart, the status-list host's failures) are injected again
/// where they happened. No difference anywhere.
#[test]
fn every_part_replays_against_its_recorded_counterparts_without_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let run = record(dir.path(), 12, NOW, &[]);
    let store = EmbeddedStore::new(dir.path());
    let log = store.read(&run).unwrap();
    let recording = Recording::from_log(&run, &log.events, &log.tail).unwrap();
    for part in Part::ALL {
        let outcome = replay::redrive(
            &recording,
            &Target {
                casting: accord::run::cast::Casting::Reference,
                parts: vec![part],
                compose_file: repo().join("docker-compose.yml"),
            },
            Arc::new(EmbeddedStore::new(dir.path())),
            Arc::new(FixedClock(NOW)),
        )
        .unwrap();
        let v = view(dir.path(), &outcome.run_id);
        assert!(outcome.scenarios >= 3, "{part:?}: {}", outcome.scenarios);
        let repeated = v.injected_faults.len();
        match part {
            Part::IssuerEu => assert_eq!(repeated, 1, "the restart is repeated"),
            Part::StatusList => assert!(repeated >= 4, "the host's failures are repeated"),
            _ => assert_eq!(repeated, 0),
        }
        assert_eq!(
            outcome.differences,
            0,
            "{part:?}: {}",
            projections::console(&v)
        );
    }
}

/// `cargo insta` (the reviewer of insta snapshots, an independent tool) finds the `.snap.new`
/// files `--snapshots new` writes, and `cargo insta accept` makes them the snapshots a later
/// `--snapshots check` compares with. Needs `cargo-insta` on PATH (.ci/run installs it);
/// without it the test says loudly that it skipped, unless ACCORD_REQUIRE_PEERS=1.
#[test]
fn cargo_insta_lists_and_accepts_accords_pending_snapshots() {
    let have = Command::new("cargo")
        .args(["insta", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        let _: Option<()> = crate::support::skip(
            crate::support::Needs::Peer,
            "cargo-insta is not installed",
            "cargo install --locked cargo-insta",
        );
        return;
    }
    // A crate of the implementation under test, with its snapshots.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"implementation-under-test\"\nversion = \"0.0.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    let features = repo().join("features").display().to_string();
    let flawed = repo().join(FLAWED).display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--features",
            &features,
            "--tags",
            "not @containers",
            "--seed",
            "1",
            "--store",
            "store",
        ];
        args.extend_from_slice(extra);
        accord(dir.path(), &args)
    };
    assert!(run(&["--snapshots", "update"]).status.success());
    let pending = run(&["--impl", &flawed, "--snapshots", "new"]);
    assert_eq!(pending.status.code(), Some(1), "{}", text(&pending));
    let insta = |args: &[&str]| {
        Command::new("cargo")
            .arg("insta")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let listed = insta(&["pending-snapshots"]);
    let said = text(&listed);
    assert!(said.contains("a-presentation-the-wallet-spoiled"), "{said}");
    assert!(said.matches(".snap").count() >= 2, "{said}");
    let accepted = insta(&["accept"]);
    assert!(accepted.status.success(), "{}", text(&accepted));
    // The accepted snapshots are the altered build's: it no longer drifts, the reference does.
    let altered = run(&["--impl", &flawed, "--snapshots", "check"]);
    assert!(
        text(&altered).contains(" 0 drifted or missing"),
        "{}",
        text(&altered)
    );
    let reference = run(&["--snapshots", "check"]);
    assert_eq!(reference.status.code(), Some(1), "{}", text(&reference));
    assert!(text(&reference).contains("drifted from"));
}
