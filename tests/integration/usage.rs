//! Usage as a vendor meets it (issue 18): a broken manifest is reported whole, every problem
//! with its line, and refused before a run is recorded; every argument of every command says
//! what it is for.

use std::path::Path;
use std::process::{Command, Output};

use super::support::text;

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .args(args)
        .env_remove("ACCORD_STORE")
        .env_remove("ACCORD_SIGNING_KEY")
        .output()
        .expect("accord runs")
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
