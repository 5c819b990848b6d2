//! Usage as a vendor meets it (issue 18): a broken manifest is reported whole, every problem
//! with its line, and refused before a run is recorded; every argument of every command says
//! what it is for.

use std::path::Path;
use std::process::{Command, Output};

use clap::CommandFactory as _;

use super::support::{repo, text};

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .args(args)
        .env_remove("ACCORD_STORE")
        .env_remove("ACCORD_SIGNING_KEY")
        .output()
        .expect("accord runs")
}

/// Every argument of every `accord` command, positional or flag, has a help line: `--help`
/// is where a vendor learns what an option does.
#[test]
fn every_argument_of_every_command_has_help() {
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            // clap's own --help and --version say what they are.
            if matches!(id, "help" | "version") {
                continue;
            }
            let said = arg
                .get_help()
                .or(arg.get_long_help())
                .is_some_and(|h| !h.to_string().trim().is_empty());
            let name = match arg.get_long() {
                Some(long) => format!("--{long}"),
                None => format!("<{id}>"),
            };
            if !said {
                missing.push(format!("{path} {name}: no help line"));
            }
            // An alias --help does not show is an option nobody can look up.
            let visible = arg.get_visible_aliases().unwrap_or_default();
            for alias in arg.get_all_aliases().unwrap_or_default() {
                if !visible.contains(&alias) {
                    missing.push(format!("{path} {name}: alias --{alias} not shown"));
                }
            }
        }
        if command.get_about().is_none() && command.get_name() != "help" {
            missing.push(format!("{path}: no description"));
        }
        for sub in command.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&accord::cli::Cli::command(), "accord", &mut missing);
    assert!(
        missing.is_empty(),
        "what --help does not explain:\n  {}",
        missing.join("\n  ")
    );
}

/// A manifest with several problems of every sort: two required fields missing, an unknown
/// field, a value of the wrong type, a value that is not allowed, a wallet's
/// `client_id_prefixes` missing from `[capabilities]`.
const BROKEN: &str = r#"id = "acme-wallet"
roles = ["wallet", "teleporter"]
colour = "blue"

[capabilities]
formats = ["dc+sd-jwt"]

[launch]
ports = "8080"
"#;

/// `accord impl check` prints every problem of the file at once, each at its line
/// (`FILE:LINE: field: message`), in file order, and exits 2.
#[test]
fn impl_check_reports_every_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), BROKEN).unwrap();
    let out = accord(dir.path(), &["impl", "check", "broken.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let expected = [
        ("broken.toml:1: vendor: ", "at the top level"),
        ("broken.toml:1: version: ", "at the top level"),
        ("broken.toml:2: roles[1]: ", "\"teleporter\" is not one of"),
        ("broken.toml:3: colour: ", "unknown field"),
        (
            "broken.toml:5: capabilities.client_id_prefixes: ",
            "missing in [capabilities]",
        ),
        ("broken.toml:8: launch.kind: ", "required in [launch]"),
        ("broken.toml:9: launch.ports: ", "expected an array"),
    ];
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, (start, says)) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(start) && line.contains(says),
            "{line:?} in:\n{err}"
        );
    }
}

/// How many runs the store holds.
fn recorded_runs(store: &Path) -> usize {
    std::fs::read_dir(store.join("runs")).map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .count()
    })
}

/// `accord run --impl` with a manifest that is not there, or broken, is a usage error: exit
/// 2 before anything is recorded (not an inconclusive run that says "0 inconclusive"), with
/// the file and each of its problems named.
#[test]
fn a_run_given_a_missing_or_broken_manifest_is_refused_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::write(dir.path().join("broken.toml"), BROKEN).unwrap();
    let features = repo().join("features");
    let run = |manifest: &str| {
        accord(
            dir.path(),
            &[
                "run",
                "--features",
                features.to_str().unwrap(),
                "--store",
                store.to_str().unwrap(),
                "--seed",
                "1",
                "--impl",
                manifest,
            ],
        )
    };
    let out = run("does-not-exist.toml");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("does-not-exist.toml"), "{}", text(&out));
    assert_eq!(recorded_runs(&store), 0, "{}", text(&out));
    assert!(
        !store.exists(),
        "nothing is written to the store, its key neither"
    );
    let out = run("broken.toml");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    for problem in [
        "broken.toml:1: vendor:",
        "broken.toml:3: colour:",
        "broken.toml:5: capabilities.client_id_prefixes:",
        "broken.toml:8: launch.kind:",
    ] {
        assert!(said.contains(problem), "{problem} in:\n{said}");
    }
    assert!(!said.contains("inconclusive"), "{said}");
    assert_eq!(recorded_runs(&store), 0);
    // A compose manifest without its compose file, and an unknown profile: the same.
    let compose = repo().join("implementations/compose/accord-wallet.toml");
    let out = accord(
        dir.path(),
        &[
            "run",
            "--store",
            store.to_str().unwrap(),
            "--impl",
            compose.to_str().unwrap(),
            "--compose-file",
            "no-such-compose.yml",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no-such-compose.yml"), "{}", text(&out));
    let out = accord(
        dir.path(),
        &[
            "run",
            "--store",
            store.to_str().unwrap(),
            "--profile",
            "no/such",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no/such"), "{}", text(&out));
    assert!(!store.exists());
}
