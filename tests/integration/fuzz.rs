//! `accord fuzz` against the in-process reference verifier and its planted-bug builds: each
//! planted bug is found within a bounded number of cases and the shrunk finding names the
//! requirement; the unaltered verifier survives; findings are recorded (log, regression
//! seed) and re-checkable; an interrupted campaign continues from its log.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::support::repo;

fn fuzz(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(repo())
        .arg("fuzz")
        .args([
            "--store",
            store.to_str().unwrap(),
            "--quiet",
            "--now",
            "2026-11-27T10:00:00Z",
        ])
        .args(args)
        .output()
        .expect("accord runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run_id(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("fuzz ")).unwrap();
    line.split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(':')
        .to_owned()
}

fn log_events(store: &Path, run: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(store.join("runs").join(run).join("events.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A planted bug: found within `cases`, the finding shrunk, named, recorded and re-checkable.
fn finds(flaw: &str, signature: &str, requirement: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let seeds = dir.path().join("seeds");
    let manifest = format!("implementations/flawed/accord-verifier-jp-{flaw}.toml");
    let out = fuzz(
        &store,
        &[
            "--role",
            "verifier",
            "--target",
            &manifest,
            "--cases",
            "1024",
            "--seed",
            "11",
            "--jobs",
            "4",
            "--regressions",
            seeds.to_str().unwrap(),
        ],
    );
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("FINDING finding 1: {signature}")),
        "{text}"
    );
    assert!(text.contains(requirement), "{text}");
    assert!(text.contains("cases/s"), "{text}");
    // In the log: the finding's scenario with its exchanges and the failed check.
    let run = run_id(&out);
    let events = log_events(&store, &run);
    let finding = events
        .iter()
        .find(|e| e["kind"] == "finding-recorded" && e["payload"]["signature"] == signature)
        .unwrap_or_else(|| panic!("no finding-recorded {signature}: {text}"));
    assert_eq!(finding["payload"]["requirement"], requirement);
    let scenario = finding["payload"]["scenario"].clone();
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "http-exchange" && e["payload"]["scenario"] == scenario),
        "the finding's exchanges are recorded"
    );
    assert!(events.iter().any(|e| e["kind"] == "check-evaluated"
        && e["payload"]["scenario"] == scenario
        && e["payload"]["requirement"] == requirement
        && e["payload"]["verdict"] == "failed"));
    // The report regenerated from the log shows it.
    let replayed = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["replay", &run, "--store", store.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(said(&replayed).contains(requirement), "{}", said(&replayed));
    // The regression seed fails against the flawed build and passes against the reference.
    let seed_dir = seeds.join("verifier");
    let file = std::fs::read_dir(&seed_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&signature.replace(':', "-"))
        })
        .unwrap();
    let recheck = |target: &str| {
        fuzz(
            &store,
            &[
                "--role",
                "verifier",
                "--target",
                target,
                "--recheck",
                file.to_str().unwrap(),
            ],
        )
    };
    let flawed = recheck(&manifest);
    assert_eq!(flawed.status.code(), Some(1), "{}", said(&flawed));
    assert!(said(&flawed).contains(signature), "{}", said(&flawed));
    let fixed = recheck("reference");
    assert_eq!(fixed.status.code(), Some(0), "{}", said(&fixed));
    assert!(said(&fixed).contains("no finding"), "{}", said(&fixed));
}

#[test]
fn a_verifier_that_skips_the_kb_jwt_audience_is_found() {
    finds(
        "skips-kb-aud",
        "wrong-accept:kb-aud-wrong",
        "SDJWT-RFC9901-7.3-kb-aud",
    );
}

#[test]
fn a_verifier_that_accepts_a_duplicate_digest_is_found() {
    finds(
        "accepts-duplicate-digest",
        "wrong-accept:duplicate-digest",
        "SDJWT-RFC9901-7.1-duplicate-digest",
    );
}

#[test]
fn a_verifier_that_reads_status_bits_in_the_wrong_order_is_found() {
    finds(
        "reads-status-bits-msb-first",
        "wrong-accept:none",
        "TSL-7.1-status-values",
    );
}

/// A campaign against a verifier Accord did not write: polaris-oid4vp in its container,
/// answered in its own terms (`x509_hash`, request objects by POST, `direct_post.jwt`) and on
/// the system clock it follows (no `--now`). It holds every rule of SD-JWT, key binding, JOSE,
/// X.509 and the status list (with its deployment's status policy, the adapter's); what is
/// found is only the EU–JP profile's claim rules it does not implement
/// (docs/interop-findings.md).
#[test]
fn a_campaign_against_polaris_finds_only_the_profile_rules_it_does_not_implement() {
    if super::matrix::peer_images().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(repo())
        .args(["fuzz", "--quiet", "--store"])
        .arg(dir.path().join("store"))
        .args([
            "--role",
            "verifier",
            "--target",
            "implementations/peers/polaris-verifier.toml",
            "--cases",
            "400",
            "--seed",
            "7",
            "--jobs",
            "4",
            "--regressions",
        ])
        .arg(dir.path().join("seeds"))
        .output()
        .expect("accord runs");
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let found: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("requirement "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    assert!(!found.is_empty(), "{text}");
    for requirement in found {
        assert!(
            [
                "PROFILE-EUDIPLOMA-a-names-nfc",
                "PROFILE-EUDIPLOMA-a-dates",
                "PROFILE-JPDEGREE-a-names-nfc",
                "PROFILE-JPDEGREE-a-dates",
            ]
            .contains(&requirement),
            "polaris was found to break {requirement}:\n{text}"
        );
    }
}

#[test]
fn the_reference_verifier_survives_a_campaign_and_an_interrupted_one_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let out = fuzz(
        &store,
        &[
            "--role",
            "verifier",
            "--cases",
            "2048",
            "--seed",
            "5",
            "--regressions",
            dir.path().join("seeds").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(said(&out).contains("no finding"), "{}", said(&out));
    let run = run_id(&out);
    // Interrupt it after its first checkpoint: the log as a killed process leaves it.
    let path = store.join("runs").join(&run).join("events.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first_checkpoint = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"campaign-progressed\""))
        .unwrap();
    std::fs::write(&path, lines[..=first_checkpoint].join("\n") + "\n").unwrap();
    let resumed = fuzz(&store, &["--resume", &run]);
    assert_eq!(resumed.status.code(), Some(0), "{}", said(&resumed));
    let events = log_events(&store, &run);
    let progress: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "campaign-progressed")
        .collect();
    // Continued from case 512, not from 0, up to the same budget.
    let last = progress.last().unwrap();
    assert_eq!(last["payload"]["cases_run"], 2048, "{last}");
    assert_eq!(last["payload"]["next_case"], 2048, "{last}");
    assert_eq!(progress.len(), 4, "one checkpoint per batch of 512");
    assert!(events.iter().any(|e| {
        e["kind"] == "cell-started"
            && e["payload"]["cell"]
                .as_str()
                .unwrap()
                .contains("resumed at case 512")
    }));
    assert_eq!(last_recorded(&events)["kind"], "run-finished");
    // A finished campaign is not resumed again.
    let again = fuzz(&store, &["--resume", &run]);
    assert_eq!(again.status.code(), Some(2), "{}", said(&again));
    assert!(said(&again).contains("finished"), "{}", said(&again));
}

#[test]
fn cases_are_a_function_of_the_seed_and_their_number() {
    use accord::fuzz::campaign::case_at;
    use proptest::strategy::Strategy as _;
    let strategy = accord::fuzz::verifier::cases().sboxed();
    let a = case_at(&strategy, 9, 1234).unwrap();
    let b = case_at(&strategy, 9, 1234).unwrap();
    let c = case_at(&strategy, 9, 1235).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn the_reference_issuers_survive_a_campaign() {
    for part in ["issuer-eu", "issuer-jp"] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let out = fuzz(
            &store,
            &[
                "--role",
                "issuer",
                "--part",
                part,
                "--cases",
                "600",
                "--seed",
                "4",
                "--regressions",
                dir.path().join("seeds").to_str().unwrap(),
            ],
        );
        let text = said(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.contains(&format!("issuer accord-reference ({part})")),
            "{text}"
        );
        assert!(
            text.contains("600 cases") && text.contains("no finding"),
            "{text}"
        );
    }
}

#[test]
fn the_reference_wallet_survives_a_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let out = fuzz(
        &store,
        &[
            "--role",
            "wallet",
            "--cases",
            "600",
            "--seed",
            "4",
            "--regressions",
            dir.path().join("seeds").to_str().unwrap(),
        ],
    );
    let text = said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("wallet accord-reference (wallet)"), "{text}");
    assert!(
        text.contains("600 cases") && text.contains("no finding"),
        "{text}"
    );
}

#[test]
fn a_missing_role_or_a_part_the_target_does_not_play_is_a_usage_error_with_nothing_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    for args in [
        &["--cases", "10"][..],
        &["--role", "verifier", "--part", "issuer-eu"][..],
        &[
            "--role",
            "verifier",
            "--target",
            "implementations/accord-wallet.toml",
        ][..],
    ] {
        let out = fuzz(&store, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", said(&out));
    }
    assert!(!store.join("runs").exists());
}

/// A verifier that dies in the middle of a campaign: the campaign records what it saw, says
/// the target stopped answering, ends its log and exits 1; the harness itself is fine.
#[test]
fn a_target_that_dies_mid_campaign_becomes_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut served = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "verifier", "--jurisdiction", "jp", "--seed", "5"])
        .args(["--port", &port.to_string(), "--now", "2026-11-27T10:00:00Z"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A URL implementation must be up before the campaign: wait (bounded) for its socket.
    let up_by = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < up_by,
            "accord serve did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let manifest = dir.path().join("served-verifier.toml");
    std::fs::write(
        &manifest,
        format!(
            "id = \"served-verifier\"\nvendor = \"V\"\nversion = \"1\"\nroles = [\"verifier\"]\njurisdiction = \"jp\"\n\n[capabilities]\nclient_id_prefixes = [\"x509_san_dns\"]\nresponse_modes = [\"direct_post\"]\n\n[launch]\nkind = \"url\"\nbase = \"https://verifier.jp.accord.test:{port}\"\npki_seed = 5\n"
        ),
    )
    .unwrap();
    let campaign = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(repo())
        .args([
            "fuzz", "--role", "verifier", "--quiet", "--cases", "1000000",
        ])
        .args([
            "--seed",
            "2",
            "--jobs",
            "4",
            "--now",
            "2026-11-27T10:00:00Z",
        ])
        .arg("--target")
        .arg(&manifest)
        .arg("--store")
        .arg(&store)
        .arg("--regressions")
        .arg(dir.path().join("seeds"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) for the campaign's first checkpoint: the target answered a batch.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let checkpointed = || {
        std::fs::read_dir(store.join("runs"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|run| {
                std::fs::read_to_string(run.path().join("events.jsonl"))
                    .is_ok_and(|t| t.contains("\"kind\":\"campaign-progressed\""))
            })
    };
    while !checkpointed() {
        assert!(
            std::time::Instant::now() < deadline,
            "the campaign made no checkpoint against the served verifier"
        );
        // Polling a file for a condition, not waiting for time to pass.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    served.kill().unwrap();
    served.wait().unwrap();
    let out = campaign.wait_with_output().unwrap();
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("served-verifier"), "{text}");
    assert!(text.contains(": no-answer (case "), "{text}");
    assert!(text.contains("ROBUST-1-fail-cleanly"), "{text}");
    let run = run_id(&out);
    let events = log_events(&store, &run);
    assert!(events.iter().any(|e| {
        e["kind"] == "harness-faulted"
            && e["payload"]["message"]
                .as_str()
                .unwrap()
                .contains("stopped answering")
    }));
    let last = last_recorded(&events);
    assert_eq!(last["kind"], "run-finished");
    assert_eq!(last["payload"]["verdict"], "failed");
}

/// The regression seeds committed in `fuzz/regressions/` (shrunk findings of the planted-bug
/// campaigns): every one passes against the reference verifier, and the build that reads
/// status bits in the wrong order still fails on those it was found with. `--recheck` alone
/// re-checks them, and writes nothing there, findings or not (issue 18).
#[test]
fn the_committed_regression_seeds_pass_against_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let committed = repo().join("fuzz/regressions");
    let before = files_under(&committed);
    let recheck = |target: &str| {
        fuzz(
            &store,
            &["--role", "verifier", "--target", target, "--recheck"],
        )
    };
    let reference = recheck("reference");
    assert_eq!(reference.status.code(), Some(0), "{}", said(&reference));
    assert!(
        said(&reference).contains("no finding"),
        "{}",
        said(&reference)
    );
    let flawed =
        recheck("implementations/flawed/accord-verifier-jp-reads-status-bits-msb-first.toml");
    assert_eq!(flawed.status.code(), Some(1), "{}", said(&flawed));
    assert!(
        said(&flawed).contains("TSL-7.1-status-values"),
        "{}",
        said(&flawed)
    );
    assert_eq!(
        files_under(&committed),
        before,
        "a re-check wrote into the seeds"
    );
    assert!(
        !said(&flawed).contains("regression seed "),
        "{}",
        said(&flawed)
    );
}

/// Every file under `dir` (relative path and bytes): what must not change.
fn files_under(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// Issue 18: a campaign writes its regression seeds with its run in the store, never into
/// the checkout unless asked (`--regressions DIR`); the re-check line printed under a
/// finding carries the target and the store, and followed as printed finds it again; a
/// finding found again is not written twice.
#[test]
fn seeds_stay_out_of_the_checkout_and_the_printed_recheck_finds_the_finding_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let committed = repo().join("fuzz/regressions");
    let before = files_under(&committed);
    let manifest = "implementations/flawed/accord-verifier-jp-skips-kb-aud.toml";
    let signature = "wrong-accept:kb-aud-wrong";
    let campaign = |extra: &[&str]| {
        let mut args = vec![
            "--role", "verifier", "--target", manifest, "--cases", "200", "--seed", "11", "--jobs",
            "4",
        ];
        args.extend_from_slice(extra);
        fuzz(&store, &args)
    };
    let out = campaign(&[]);
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(signature), "{text}");
    let run = run_id(&out);
    let kept = store.join("runs").join(&run).join("regressions");
    let seeds = files_under(&kept);
    assert!(!seeds.is_empty(), "{text}");
    assert_eq!(
        files_under(&committed),
        before,
        "a campaign wrote into the checkout"
    );
    // The re-check line, as printed, with the campaign's target and store.
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("re-check: "))
        .unwrap_or_else(|| panic!("no re-check line: {text}"));
    assert!(line.contains(&format!("--target {manifest}")), "{line}");
    assert!(
        line.contains(&format!("--store {}", store.display())),
        "{line}"
    );
    let words: Vec<&str> = line
        .trim_start()
        .strip_prefix("re-check: accord ")
        .unwrap()
        .split_whitespace()
        .collect();
    let again = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(repo())
        .args(&words)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "{line}: {}", said(&again));
    assert!(said(&again).contains(signature), "{}", said(&again));
    // The re-check wrote no seed of its own.
    assert_eq!(files_under(&kept), seeds, "{}", said(&again));
    // Asked for, seeds go to the directory given; a finding found again keeps its one file.
    let chosen = dir.path().join("chosen");
    let chosen_arg = chosen.to_str().unwrap();
    let first = campaign(&["--regressions", chosen_arg]);
    assert_eq!(first.status.code(), Some(1), "{}", said(&first));
    let written = files_under(&chosen);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        seeds.keys().collect::<Vec<_>>(),
        "seed names are the case's, wherever they are written"
    );
    let second = campaign(&["--regressions", chosen_arg]);
    assert_eq!(second.status.code(), Some(1), "{}", said(&second));
    assert_eq!(files_under(&chosen), written, "found again, written again");
    assert_eq!(files_under(&committed), before);
}

/// An interrupted campaign against a manifest resumes with the same implementation; findings
/// recorded before the interruption are not recorded again, and the verdict counts them.
#[test]
fn a_campaign_against_a_manifest_resumes_from_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let manifest = "implementations/flawed/accord-verifier-jp-skips-kb-aud.toml";
    let out = fuzz(
        &store,
        &[
            "--role",
            "verifier",
            "--target",
            manifest,
            "--cases",
            "1024",
            "--seed",
            "11",
            "--regressions",
            dir.path().join("seeds").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let run = run_id(&out);
    let path = store.join("runs").join(&run).join("events.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first_checkpoint = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"campaign-progressed\""))
        .unwrap();
    let kept = &lines[..=first_checkpoint];
    assert!(
        kept.iter()
            .any(|l| l.contains("\"kind\":\"finding-recorded\"")),
        "the first batch found the planted bug"
    );
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    let resumed = fuzz(&store, &["--resume", &run]);
    let text = said(&resumed);
    assert_eq!(resumed.status.code(), Some(1), "{text}");
    assert!(text.contains("accord-verifier-jp-skips-kb-aud"), "{text}");
    let events = log_events(&store, &run);
    let findings = events
        .iter()
        .filter(|e| e["kind"] == "finding-recorded")
        .filter(|e| e["payload"]["signature"] == "wrong-accept:kb-aud-wrong")
        .count();
    assert_eq!(findings, 1, "recorded once, not again after the resume");
    // The interrupted session's cell was closed before the resumed one began.
    let cells: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "cell-started" || e["kind"] == "cell-finished")
        .collect();
    assert_eq!(cells.len(), 4, "{cells:?}");
    assert_eq!(cells[1]["payload"]["verdict"], "failed");
    assert_eq!(last_recorded(&events)["payload"]["verdict"], "failed");
}

/// A hand-edited seed that cannot be played is refused with the file named, and nothing is
/// recorded.
#[test]
fn a_broken_regression_seed_is_refused_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let source = std::fs::read_dir(repo().join("fuzz/regressions/verifier"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("\"status\": {")
        })
        .unwrap();
    let mut seed: Value = serde_json::from_str(&std::fs::read_to_string(source).unwrap()).unwrap();
    seed["case"]["status"]["bits"] = Value::from(0);
    let file = dir.path().join("broken.json");
    std::fs::write(&file, seed.to_string()).unwrap();
    let out = fuzz(
        &store,
        &["--role", "verifier", "--recheck", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(
        said(&out).contains("broken.json") && said(&out).contains("status.bits"),
        "{}",
        said(&out)
    );
    assert!(!store.join("runs").exists());
    std::fs::write(&file, "{ not json").unwrap();
    let out = fuzz(
        &store,
        &["--role", "verifier", "--recheck", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(said(&out).contains("broken.json:1:"), "{}", said(&out));
}

/// A campaign with a time budget instead of a case count ends by itself, finished.
#[test]
fn a_campaign_with_a_duration_ends_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let out = fuzz(
        &store,
        &[
            "--role",
            "verifier",
            "--duration",
            "2s",
            "--seed",
            "6",
            "--regressions",
            dir.path().join("seeds").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let events = log_events(&store, &run_id(&out));
    let started = events
        .iter()
        .find(|e| e["kind"] == "campaign-started")
        .unwrap();
    assert_eq!(started["payload"]["duration_s"], 2);
    assert_eq!(started["payload"]["cases"], Value::Null);
    let last_checkpoint = events
        .iter()
        .rev()
        .find(|e| e["kind"] == "campaign-progressed")
        .unwrap();
    assert!(last_checkpoint["payload"]["cases_run"].as_u64().unwrap() > 0);
    assert_eq!(last_recorded(&events)["kind"], "run-finished");
    // The campaign's end is signed (with the store's key: no --signing-key was given).
    let end = events.last().unwrap();
    assert_eq!(end["kind"], "checkpoint-signed");
    assert_eq!(end["payload"]["key_source"], "store");
}

/// The last event other than a signed checkpoint: what the campaign itself recorded last.
fn last_recorded(events: &[Value]) -> &Value {
    events
        .iter()
        .rev()
        .find(|e| e["kind"] != "checkpoint-signed")
        .unwrap()
}
