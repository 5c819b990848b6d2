//! Scenario snapshots: each scenario's verdicts and normalised transcript as an insta `.snap`
//! file, and the drift between a run and the snapshots on disk.
//!
//! A snapshot is a projection of the run's log like any report; this module is pure (no
//! I/O): it turns a [`RunView`] into [`ScenarioSnapshot`]s, renders and parses insta's file
//! format (a `---` delimited metadata header, then the contents), and compares. The command
//! line reads and writes the files (`accord run --snapshots check|new|update`).
//!
//! The format is insta's own, so `cargo insta review` (on `.snap.new` files, written by
//! `--snapshots new`) and `cargo insta accept` work on Accord's snapshots as on any other.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::evidence::transcript::{Difference, Normaliser, differences};
use crate::projections::{RunView, ScenarioView};

/// One scenario's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSnapshot {
    /// Path under the snapshot directory, e.g. `scenarios/faults/issuer-restarts.snap`.
    pub file: PathBuf,
    /// The feature file (insta's `source`).
    pub source: String,
    /// The scenario's name (insta's `expression`).
    pub scenario: String,
    pub line: u64,
    pub contents: Value,
}

impl ScenarioSnapshot {
    /// The `.snap` file: insta's metadata header, then the contents as pretty JSON.
    pub fn render(&self) -> String {
        let contents = serde_json::to_string_pretty(&self.contents).unwrap_or_default();
        format!(
            "---\nsource: {}\nexpression: {}\nsnapshot_kind: text\n---\n{contents}\n",
            yaml_string(&self.source),
            yaml_string(&self.scenario),
        )
    }
}

/// A YAML double-quoted scalar (JSON string syntax is a subset of it).
fn yaml_string(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// The contents of a `.snap` file: what follows its metadata header.
pub fn parse_snap(text: &str) -> Result<&str, String> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or("it does not start with insta's `---` metadata header")?;
    let end = rest
        .find("\n---\n")
        .or_else(|| rest.find("\r\n---\r\n").map(|i| i + 1))
        .ok_or("its metadata header is not closed by a `---` line")?;
    Ok(rest[end + 5..].trim_end())
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    let mut cut: String = out.chars().take(80).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    if cut.is_empty() {
        "scenario".into()
    } else {
        cut
    }
}

fn stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "feature".into())
}

/// The feature file relative to the features directory's parent (`features/x.feature`), not
/// where it was on the recording machine: snapshots must not change with the checkout's
/// location.
fn source_of(features: Option<&str>, s: &ScenarioView) -> String {
    let Some(path) = &s.feature_path else {
        return s.feature.clone();
    };
    let root = features.unwrap_or("features").trim_end_matches('/');
    let last = root.rsplit('/').next().unwrap_or(root);
    match path.rsplit_once(&format!("/{last}/")) {
        Some((_, rel)) => format!("{last}/{rel}"),
        None => std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned()),
    }
}

/// Every finished scenario of the run as a snapshot. A run with one cell keeps its snapshots
/// under `scenarios/<feature>/`, whoever played (so an implementation is compared with the
/// baseline recorded against another build or Accord's reference roles); a matrix run keeps
/// each cell's under `scenarios/<cell>/<feature>/`.
pub fn documents(view: &RunView) -> Vec<ScenarioSnapshot> {
    let per_cell = view.cells.len() > 1;
    let mut out: Vec<ScenarioSnapshot> = Vec::new();
    // Scenarios that share their name within a feature and cell (an outline's examples)
    // are told apart by line, all of them, so a new example never renames another's file.
    let mut names: std::collections::BTreeMap<(Option<&str>, &str, &str), usize> =
        Default::default();
    for s in &view.scenarios {
        *names
            .entry((s.cell.as_deref(), s.feature.as_str(), s.scenario.as_str()))
            .or_default() += 1;
    }
    for s in &view.scenarios {
        let Some(verdict) = s.verdict else { continue };
        let players = s
            .cell
            .as_ref()
            .and_then(|id| view.cells.iter().find(|c| &c.id == id))
            .map(|c| c.players.clone())
            .unwrap_or_default();
        let mut dir = PathBuf::from("scenarios");
        if per_cell && let Some(cell) = &s.cell {
            dir.push(slug(cell));
        }
        let source = source_of(view.features.as_deref(), s);
        dir.push(slug(&stem(&source)));
        let shared = names[&(s.cell.as_deref(), s.feature.as_str(), s.scenario.as_str())] > 1;
        let file = if shared {
            dir.join(format!("{}-line-{}.snap", slug(&s.scenario), s.line))
        } else {
            dir.join(format!("{}.snap", slug(&s.scenario)))
        };
        let faults: Vec<String> = view
            .injected_faults
            .iter()
            // A fault view names its scenario as people read it: an outline row with its
            // values, so each row keeps its own faults.
            .filter(|f| f.scenario == s.title() && f.cell == s.cell)
            .map(|f| format!("{}: {}", f.part, f.fault))
            .collect();
        out.push(ScenarioSnapshot {
            file,
            source,
            scenario: s.scenario.clone(),
            line: s.line,
            contents: contents(s, verdict, &players, &faults),
        });
    }
    out
}

/// What a scenario's snapshot holds: verdict, steps, checks, faults and the normalised
/// exchanges. Texts are normalised with the exchanges' placeholders.
pub fn contents(
    s: &ScenarioView,
    verdict: crate::events::Verdict,
    players: &[crate::events::PlayerRecord],
    faults: &[String],
) -> Value {
    let mut n = Normaliser::new(players);
    let exchanges = n.exchanges(&s.exchanges);
    let steps: Vec<Value> = s
        .steps
        .iter()
        .map(|st| {
            let mut v = json!({"step": st.step, "outcome": st.outcome});
            if let Some(m) = &st.message {
                v["message"] = json!(n.text(m));
            }
            v
        })
        .collect();
    let checks: Vec<Value> = s
        .checks
        .iter()
        .map(|c| {
            json!({
                "requirement": c.requirement,
                "level": c.level,
                "verdict": c.verdict,
                "expected": n.text(&c.expected),
                "actual": n.text(&c.actual),
            })
        })
        .collect();
    let mut doc = json!({
        "feature": s.feature,
        "scenario": s.scenario,
        "verdict": verdict,
        "steps": steps,
        "checks": checks,
    });
    if !faults.is_empty() {
        doc["faults"] = json!(faults);
    }
    doc["exchanges"] = Value::Array(exchanges);
    doc
}

/// How one scenario compares with its snapshot on disk.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    Same,
    /// No snapshot file yet.
    New,
    /// The file exists but cannot be read as a snapshot.
    Unreadable(String),
    Drifted(Vec<Difference>),
}

/// Compares a scenario's snapshot with the text of its file (`None`: no file).
pub fn compare(snapshot: &ScenarioSnapshot, on_disk: Option<&str>) -> Comparison {
    let Some(text) = on_disk else {
        return Comparison::New;
    };
    let stored = match parse_snap(text) {
        Ok(c) => c,
        Err(e) => return Comparison::Unreadable(e),
    };
    let stored: Value = match serde_json::from_str(stored) {
        Ok(v) => v,
        Err(e) => {
            return Comparison::Unreadable(format!(
                "its contents are not the JSON Accord writes: {e}"
            ));
        }
    };
    let d = differences(&stored, &snapshot.contents, 50);
    if d.is_empty() {
        Comparison::Same
    } else {
        Comparison::Drifted(d)
    }
}

/// A drift for people: the scenario, then per difference the exchange it is in (method and
/// URL) and the field.
pub fn describe_drift(snapshot: &ScenarioSnapshot, drift: &[Difference]) -> String {
    let mut out = format!(
        "scenario \"{}\" ({}:{}) drifted from {}:\n",
        snapshot.scenario,
        snapshot.source,
        snapshot.line,
        snapshot.file.display()
    );
    let rank = |d: &&Difference| match d.path.split(['.', '[']).next() {
        Some("verdict") => 0,
        Some("steps") => 1,
        Some("checks") => 2,
        Some("faults") => 3,
        _ => 4,
    };
    let mut ordered: Vec<&Difference> = drift.iter().collect();
    ordered.sort_by_key(rank);
    for d in ordered {
        out.push_str("  ");
        out.push_str(&locate(&snapshot.contents, &d.path));
        out.push_str(&d.describe());
        let reqs = d.requirements();
        if !reqs.is_empty() {
            out.push_str(&format!("  [requirement {}]", reqs.join(", ")));
        }
        out.push('\n');
    }
    out
}

/// `exchange 5 (POST {verifier-eu}/response): ` for a path inside an exchange, or
/// `check SDJWT-…: ` for a path inside a check.
fn locate(contents: &Value, path: &str) -> String {
    let index = |prefix: &str| -> Option<usize> {
        path.strip_prefix(prefix)?.split(']').next()?.parse().ok()
    };
    if let Some(i) = index("exchanges[") {
        let e = &contents["exchanges"][i];
        let method = e["request"]["method"].as_str().unwrap_or("?");
        let url = e["request"]["url"].as_str().unwrap_or("?");
        return format!("exchange {} ({method} {url}): ", i + 1);
    }
    if let Some(i) = index("checks[")
        && let Some(r) = contents["checks"][i]["requirement"].as_str()
    {
        return format!("check {r}: ");
    }
    if let Some(i) = index("steps[")
        && let Some(st) = contents["steps"][i]["step"].as_str()
    {
        return format!("step \"{st}\": ");
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_files_round_trip() {
        let s = ScenarioSnapshot {
            file: "scenarios/f/x.snap".into(),
            source: "features/f.feature".into(),
            scenario: "A \"quoted\" 学位記 scenario".into(),
            line: 3,
            contents: json!({"verdict": "passed", "exchanges": []}),
        };
        let text = s.render();
        assert!(text.starts_with("---\nsource: \"features/f.feature\"\n"));
        let body = parse_snap(&text).unwrap();
        assert_eq!(serde_json::from_str::<Value>(body).unwrap(), s.contents);
        assert_eq!(compare(&s, Some(&text)), Comparison::Same);
        assert_eq!(compare(&s, None), Comparison::New);
        assert!(matches!(
            compare(&s, Some("garbage")),
            Comparison::Unreadable(_)
        ));
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(
            slug("An EU diploma, presented in Japan!"),
            "an-eu-diploma-presented-in-japan"
        );
        assert_eq!(slug("学位記"), "scenario");
    }
}
