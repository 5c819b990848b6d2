//! `accord runs` and run ids (issue 18): a header and the kind of each run, filters, ids
//! shortened to their shortest unique prefix, and every command that takes a run taking a
//! unique prefix or `latest`, refusing an ambiguous prefix by naming the runs it begins.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::events::{Event, Verdict};
use accord::evidence::checkpoint::HarnessKey;
use accord::store::embedded::EmbeddedStore;
use accord::store::{EventStore, RunRecorder};
use serde_json::Value;

use super::support::{repo, text};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("accord runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `accord runs` with `args`: it must succeed; its standard output.
fn runs(store: &Path, args: &[&str]) -> String {
    let out = accord(&[&["runs", "--store", s(store)], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn runs_json(store: &Path, args: &[&str]) -> Vec<Value> {
    let listed = runs(store, &[&["--json"], args].concat());
    serde_json::from_str::<Value>(&listed)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap()
}

/// The row of the text table whose first column is `id`.
fn row<'a>(table: &'a str, id: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("no row {id} in:\n{table}"))
}

/// The row's cells (the summary, last, split into words too).
fn cells(row: &str) -> Vec<&str> {
    row.split_whitespace().collect()
}

#[test]
fn runs_shows_a_header_and_tells_a_run_from_a_fuzz_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let run = accord(&[
        "run",
        "--store",
        s(&store),
        "--seed",
        "4",
        "--tags",
        "@jp-degree",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let fuzz = accord(&[
        "fuzz",
        "--store",
        s(&store),
        "--role",
        "verifier",
        "--cases",
        "10",
        "--seed",
        "3",
        "--quiet",
        "--now",
        "2026-11-27T10:00:00Z",
        "--regressions",
        s(&dir.path().join("seeds")),
    ]);
    assert_eq!(fuzz.status.code(), Some(0), "{}", text(&fuzz));

    let table = runs(&store, &[]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert_eq!(
        cells(lines[0]),
        ["ID", "KIND", "STATUS", "STARTED", "SUMMARY"],
        "{table}"
    );
    // Every column starts where its header does.
    for column in ["KIND", "STATUS", "STARTED", "SUMMARY"] {
        let at = lines[0].find(column).unwrap();
        for line in &lines[1..] {
            assert!(
                line[..at].ends_with("  ") && !line[at..].starts_with(' '),
                "{column} misaligned:\n{table}"
            );
        }
    }
    let json = runs_json(&store, &[]);
    assert_eq!(json.len(), 2);
    // Oldest first: the run, then the campaign; full ids and the keys scripts read.
    assert_eq!(json[0]["kind"], "run");
    assert_eq!(json[1]["kind"], "fuzz");
    for r in &json {
        for key in [
            "id",
            "status",
            "started_at",
            "passed",
            "failed",
            "events",
            "torn",
        ] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        assert_eq!(r["id"].as_str().unwrap().len(), 36, "{r}");
    }
    assert_eq!(json[1]["campaign"]["cases_run"], 10);
    assert_eq!(json[1]["campaign"]["findings"], 0);
    let (run_id, campaign_id) = (
        json[0]["id"].as_str().unwrap().to_owned(),
        json[1]["id"].as_str().unwrap().to_owned(),
    );
    // The ID column: a prefix of at least 8 characters that names the run.
    let shown: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(
        run_id.starts_with(shown[0]) && shown[0].len() >= 8,
        "{table}"
    );
    assert!(
        campaign_id.starts_with(shown[1]) && shown[1].len() >= 8,
        "{table}"
    );
    let run_row = cells(row(&table, shown[0]));
    assert_eq!(&run_row[1..3], ["run", "passed"], "{table}");
    assert!(
        row(&table, shown[0]).ends_with("4 passed, 0 failed"),
        "{table}"
    );
    let campaign_row = row(&table, shown[1]);
    assert_eq!(&cells(campaign_row)[1..3], ["fuzz", "passed"], "{table}");
    // A campaign shows its cases and findings, not the scenarios it has none of.
    assert!(
        campaign_row.ends_with("verifier accord-reference (verifier-jp): 10 cases, 0 findings"),
        "{table}"
    );
    assert!(!campaign_row.contains("passed, "), "{table}");

    // What the table shows is what the other commands take.
    let report = accord(&["report", shown[0], "--store", s(&store)]);
    assert_eq!(report.status.code(), Some(0), "{}", text(&report));
    assert!(text(&report).contains("4 passed"), "{}", text(&report));
    let verify = accord(&["log", "verify", shown[1], "--store", s(&store)]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    // `latest`: the campaign, which started last.
    let latest = accord(&[
        "log",
        "show",
        "latest",
        "--kind",
        "run-started",
        "--store",
        s(&store),
    ]);
    assert_eq!(latest.status.code(), Some(0), "{}", text(&latest));
    assert!(
        String::from_utf8_lossy(&latest.stdout).contains(&campaign_id),
        "{}",
        text(&latest)
    );

    // Filters.
    let only_fuzz = runs_json(&store, &["--kind", "fuzz"]);
    assert_eq!(only_fuzz.len(), 1);
    assert_eq!(only_fuzz[0]["id"], campaign_id.as_str());
    assert_eq!(runs_json(&store, &["--kind", "run,fuzz"]).len(), 2);
    assert_eq!(
        runs_json(&store, &["--kind", "replay", "--kind", "matrix"]).len(),
        0
    );
    let last = runs_json(&store, &["--last", "1"]);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["id"], campaign_id.as_str());
    assert_eq!(runs_json(&store, &["--verdict", "failed"]).len(), 0);
    assert_eq!(runs_json(&store, &["--since", "2000-01-01"]).len(), 2);
    assert_eq!(runs_json(&store, &["--since", "2999-01-01"]).len(), 0);
    // --full: whole ids in the table.
    let full = runs(&store, &["--full"]);
    row(&full, &run_id);
    row(&full, &campaign_id);
    // Nothing matches: said, not an empty table.
    let none = runs(&store, &["--verdict", "failed"]);
    assert!(none.contains("no run of the 2"), "{none}");
    // A filter value that is no kind is a usage error that lists the kinds.
    let bad = accord(&["runs", "--store", s(&store), "--kind", "campaigns"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("certification"), "{}", text(&bad));
}

// Runs written straight to a store, with ids chosen to share beginnings.
const A1: &str = "0190aaaa-1111-7000-8000-000000000001";
const A2: &str = "0190aaaa-2222-7000-8000-000000000002";
const B: &str = "0190bbbb-0000-7000-8000-000000000003";
const M: &str = "0190cccc-0000-7000-8000-000000000004";
const C: &str = "0190dddd-0000-7000-8000-000000000005";

fn started(replay_of: Option<&str>, profile: Option<&str>) -> Event {
    Event::RunStarted {
        format: accord::events::FORMAT_VERSION,
        harness_version: "test".into(),
        seed: "1".into(),
        features: "features".into(),
        tags: None,
        now: Some(1_800_000_000),
        replay_of: replay_of.map(str::to_owned),
        profile: profile.map(str::to_owned),
        security: None,
    }
}

fn cell(id: &str) -> [Event; 2] {
    [
        Event::CellStarted {
            cell: id.into(),
            players: Vec::new(),
            pki_seed: None,
        },
        Event::CellFinished {
            cell: id.into(),
            verdict: Verdict::Passed,
            blocked: None,
            not_applicable: Vec::new(),
        },
    ]
}

fn passed_scenario(name: &str) -> [Event; 2] {
    [
        Event::ScenarioStarted {
            feature: "f".into(),
            scenario: name.into(),
            line: 1,
            tags: Vec::new(),
            example: Vec::new(),
        },
        Event::ScenarioFinished {
            feature: "f".into(),
            scenario: name.into(),
            verdict: Verdict::Passed,
        },
    ]
}

/// Records `events` (then `run-finished: passed`) as run `id`, started at `at` (Unix
/// seconds), with the store's key signing its checkpoints as `accord run` does.
fn record(store: &Path, id: &str, at: i64, events: Vec<Event>) {
    let backend: Arc<dyn EventStore> = Arc::new(EmbeddedStore::new(store));
    let key = Arc::new(HarnessKey::load(store, None).unwrap());
    let mut r = RunRecorder::create(backend, Arc::new(FixedClock(at)), id)
        .unwrap()
        .with_checkpoints(Some(key));
    for e in events {
        r.record(&e).unwrap();
    }
    r.record(&Event::RunFinished {
        verdict: Verdict::Passed,
    })
    .unwrap();
    r.sync().unwrap();
}

fn plain_run(scenario: &str) -> Vec<Event> {
    let [start, end] = cell("reference");
    let mut events = vec![started(None, None), start];
    events.extend(passed_scenario(scenario));
    events.push(end);
    events
}

/// Five runs: A1 and A2 share `0190aaaa`; created in another order than they started.
fn store_of_five(store: &Path) {
    let t = 1_800_000_000;
    // Created first, started last: `latest` all the same.
    let [s, e] = cell("reference");
    let mut certified = vec![started(None, Some("eu-jp-academic/verifier")), s];
    certified.extend(passed_scenario("certified"));
    certified.push(e);
    record(store, C, t + 50, certified);
    record(store, A1, t + 10, plain_run("one"));
    record(store, A2, t + 20, plain_run("two"));
    let [s, e] = cell("replay");
    let mut replay = vec![started(Some(A1), None), s];
    replay.extend(passed_scenario("one"));
    replay.push(e);
    record(store, B, t + 30, replay);
    let mut matrix = vec![started(None, None)];
    for id in ["x × y", "x × z"] {
        let [s, e] = cell(id);
        matrix.push(s);
        matrix.extend(passed_scenario(id));
        matrix.push(e);
    }
    record(store, M, t + 40, matrix);
}

#[test]
fn runs_shows_each_kind_in_start_order_with_the_shortest_unique_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    store_of_five(&store);
    let table = runs(&store, &[]);
    let ids: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // Started order, not creation order; ids as short as they can be, never under 8.
    assert_eq!(
        ids,
        [
            "0190aaaa-1",
            "0190aaaa-2",
            "0190bbbb",
            "0190cccc",
            "0190dddd"
        ],
        "{table}"
    );
    let kinds: Vec<&str> = table.lines().skip(1).map(|l| cells(l)[1]).collect();
    assert_eq!(
        kinds,
        ["run", "run", "replay", "matrix", "certification"],
        "{table}"
    );
    // A replay names what it replayed by the id the table shows for it.
    assert!(
        row(&table, "0190bbbb").ends_with("of 0190aaaa-1: 1 scenario replayed, 0 differences"),
        "{table}"
    );
    assert!(
        row(&table, "0190cccc").ends_with("2 cells: 2 passed, 0 failed"),
        "{table}"
    );
    assert!(
        row(&table, "0190dddd").ends_with("eu-jp-academic/verifier: 1 passed, 0 failed"),
        "{table}"
    );
    let json = runs_json(&store, &["--kind", "replay,certification"]);
    assert_eq!(json.len(), 2);
    assert_eq!(json[0]["replay"]["of"], A1);
    assert_eq!(json[1]["profile"], "eu-jp-academic/verifier");
    // --last counts back from the most recently started.
    let last: Vec<Value> = runs_json(&store, &["--last", "2"]);
    assert_eq!(
        [&last[0]["id"], &last[1]["id"]],
        [&Value::from(M), &Value::from(C)]
    );
}

#[test]
fn every_command_taking_a_run_takes_a_unique_prefix_and_refuses_an_ambiguous_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    store_of_five(&store);
    let st = s(&store);

    // A unique prefix, in any case, and `latest` (the run that started last, not the one
    // created last).
    for (given, meant) in [
        ("0190aaaa-1", A1),
        ("0190AAAA-2", A2),
        ("0190b", B),
        (A1, A1),
        ("latest", C),
        ("last", C),
    ] {
        let out = accord(&["log", "show", given, "--kind", "run-started", "--store", st]);
        assert_eq!(out.status.code(), Some(0), "{given}: {}", text(&out));
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(shown.contains(meant), "{given} named another run: {shown}");
    }
    for args in [
        vec!["report", "0190b"],
        vec!["report", "0190bbbb", "--format", "json"],
        vec!["log", "verify", "0190cc"],
        vec!["replay", "0190aaaa-2"],
        vec!["diff", "0190aaaa-1", "0190aaaa-1"],
    ] {
        let out = accord(&[&args[..], &["--store", st]].concat());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
    }
    let bundle = dir.path().join("b.tar");
    let out = accord(&["bundle", "latest", "--output", s(&bundle), "--store", st]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(C), "{}", text(&out));

    // An ambiguous prefix: exit 2, naming each run it begins and the store, everywhere.
    for args in [
        vec!["report", "0190aaaa"],
        vec!["log", "show", "0190aaaa"],
        vec!["log", "verify", "0190aaaa"],
        vec!["replay", "0190aaaa"],
        vec!["diff", "0190aaaa", "0190b"],
        vec!["diff", "0190b", "0190aaaa"],
        vec!["bundle", "0190aaaa", "--output", s(&bundle)],
        vec!["fuzz", "--resume", "0190aaaa"],
    ] {
        let out = accord(&[&args[..], &["--store", st]].concat());
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains("ambiguous") && said.contains(A1) && said.contains(A2),
            "{args:?}: {said}"
        );
        assert!(!said.contains(B) && said.contains(st), "{args:?}: {said}");
        assert!(out.stdout.is_empty(), "{args:?}: {said}");
    }
    // No match: exit 2, naming what was given and the store.
    let out = accord(&["report", "0191", "--store", st]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no run `0191`") && text(&out).contains(st),
        "{}",
        text(&out)
    );
    // A store with no runs (a wrong --store): said so, for a prefix and for `latest`.
    let empty = dir.path().join("empty");
    for given in ["0190", "latest"] {
        let out = accord(&["report", given, "--store", s(&empty)]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out).contains("has no runs"), "{}", text(&out));
    }
}
