//! The CI recipes of docs/ci.md, run for real as far as this machine allows: the gate script
//! they call, against Accord's own committed snapshots (passes) and against a deliberately
//! altered verifier (fails, with JUnit, a Markdown summary and the drift named).

use std::path::Path;
use std::process::{Command, Output};

use super::support::repo;

fn gate(out: &Path, implementation: Option<&str>, summary: &Path) -> Output {
    let mut cmd = Command::new(repo().join("scripts/accord-gate"));
    cmd.current_dir(repo())
        .arg(out)
        .env("ACCORD", env!("CARGO_BIN_EXE_accord"))
        .env("ACCORD_SEED", "1")
        .env("GITHUB_STEP_SUMMARY", summary);
    match implementation {
        Some(m) => cmd.env("ACCORD_IMPL", m),
        None => cmd.env_remove("ACCORD_IMPL"),
    };
    cmd.output().expect("the gate script runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_gate_passes_on_accords_own_snapshots_and_writes_its_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("accord-out");
    let summary = dir.path().join("step-summary.md");
    let run = gate(&out, None, &summary);
    assert_eq!(run.status.code(), Some(0), "{}", said(&run));
    assert!(
        said(&run).contains("0 drifted or missing"),
        "{}",
        said(&run)
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuites"));
    assert!(!junit.contains("<failure"));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## Accord run"), "{md}");
    // The run is kept for replay.
    assert!(out.join("store/runs").is_dir());
}

#[test]
fn the_gate_fails_on_an_altered_build_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("accord-out");
    let summary = dir.path().join("step-summary.md");
    let before = contents(&repo().join("snapshots"));
    assert!(before.len() >= 20);
    let run = gate(
        &out,
        Some("implementations/flawed/accord-verifier-jp-skips-sd-hash.toml"),
        &summary,
    );
    assert_eq!(run.status.code(), Some(1), "{}", said(&run));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### Snapshot drift"), "{md}");
    assert!(md.contains("SDJWT-RFC9901-7.3-kb-sd-hash"), "{md}");
    assert!(md.contains("(POST {verifier-jp}/response)"), "{md}");
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("<failure"), "{junit}");
    // CI never writes snapshots: every file as it was, none added (no .snap.new either).
    assert_eq!(contents(&repo().join("snapshots")), before);
}

#[test]
fn the_recipes_call_the_gate_and_publish_what_it_writes() {
    for (file, junit) in [
        (
            "docs/ci/github-actions.yml",
            "report_paths: accord-out/junit.xml",
        ),
        ("docs/ci/gitlab-ci.yml", "junit: accord-out/junit.xml"),
    ] {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        assert!(text.contains("scripts/accord-gate accord-out"), "{file}");
        assert!(text.contains(junit), "{file}");
        assert!(text.contains("accord-out/"), "{file} keeps the run");
    }
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(contents(&p));
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}
