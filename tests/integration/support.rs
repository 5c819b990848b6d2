//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What a command printed, standard output then standard error.
pub fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `*.json` file in a vectors folder, sorted.
pub fn vector_files(dir: &str) -> Vec<PathBuf> {
    let dir = repo().join("tests/vectors").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// What a test needs from the machine beyond Rust, and the variable that turns its absence
/// into a failure (`.ci/run` sets all three).
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    /// An independent implementation or tool: a Python package, the Impierce peer binary,
    /// cargo-insta.
    Peer,
    /// The Docker engine and Accord's local images.
    Docker,
    /// A headless Chromium.
    Browser,
    /// Something of the operating system no `ACCORD_REQUIRE_*` variable can provide
    /// (`/dev/full`): never a failure, always said.
    System,
}

impl Needs {
    fn variable(self) -> &'static str {
        match self {
            Needs::Peer => "ACCORD_REQUIRE_PEERS",
            Needs::Docker => "ACCORD_REQUIRE_DOCKER",
            Needs::Browser => "ACCORD_REQUIRE_BROWSER",
            Needs::System => "",
        }
    }
}

/// Says that the calling test does not run, why, and how to make it run; panics instead when
/// the need's `ACCORD_REQUIRE_*` variable is `1`. Returns `None` so a caller can write
/// `return skip(…)` or `.or_else(|| skip(…))`.
///
/// The line goes to the process's standard error directly, not through `eprintln!`: libtest
/// captures only the print macros, so this line shows in a plain `cargo test`, under the
/// test's `ok`, where a reader would otherwise take a skipped test for a passed one.
pub fn skip<T>(needs: Needs, why: &str, how: &str) -> Option<T> {
    let variable = needs.variable();
    let test = std::thread::current()
        .name()
        .unwrap_or("an integration test")
        .to_owned();
    if !variable.is_empty() && std::env::var(variable).is_ok_and(|v| v == "1") {
        panic!("{variable}=1 but {test} cannot run: {why}");
    }
    let why = why.trim().replace('\n', " ");
    let line = if variable.is_empty() {
        format!("\nSKIPPED {test}: {why}\n        to run it: {how}\n")
    } else {
        format!(
            "\nSKIPPED {test}: {why}\n        to run it: {how} ({variable}=1 makes this a failure)\n"
        )
    };
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    None
}

/// Runs a Python peer driver (`tests/peers/<script>`) with `command`, one JSON request on its
/// stdin and one JSON answer on its stdout. Exit status 3 means the peer is not installed:
/// `None`, after the skip line (or a failure under `ACCORD_REQUIRE_PEERS=1`). `name` names
/// the peer in messages.
pub fn python_peer(
    name: &str,
    script: &str,
    command: &str,
    request: &serde_json::Value,
) -> Option<serde_json::Value> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let unavailable = |why: &str| {
        skip(
            Needs::Peer,
            &format!("the {name} peer is unavailable: {why}"),
            "pip install -r tests/peers/requirements.txt",
        )
    };
    let Ok(mut child) = Command::new("python3")
        .arg(repo().join("tests/peers").join(script))
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        return unavailable("python3 is not installed");
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.to_string().as_bytes())
        .expect("write request");
    let out = child.wait_with_output().expect("the peer ran");
    if out.status.code() == Some(3) {
        return unavailable(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        out.status.success(),
        "{name} {command} failed ({:?}): {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    Some(serde_json::from_slice(&out.stdout).expect("the peer answers JSON"))
}
