//! The Gherkin features of a run: found under `--features` (a file, or every `*.feature`
//! file of a directory tree), each read within [`files::FEATURE`] and parsed, examples
//! checked, all before the run is recorded.
//!
//! A run whose features cannot all be read is a usage error, not an inconclusive run: a
//! malformed, empty or non-UTF-8 file, a directory without a feature file or one that cannot
//! be listed is named (with the line, when the parser gives one) and nothing is recorded.
//! The features read here are the ones cucumber runs ([`Parsed`]), so what was checked is
//! what runs, and no file is read twice.

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;

use crate::files;

/// Why the features of a run cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    #[error("features directory {0}: not found")]
    NotFound(String),
    #[error("{path}: cannot list the directory: {message}")]
    Unlistable { path: String, message: String },
    #[error("{0}: no .feature file in this directory or below it")]
    Empty(String),
    #[error(transparent)]
    Unreadable(#[from] files::ReadError),
    /// gherkin's message reads "Error at LINE:COL: {expected tokens}".
    #[error("{path}{}: malformed feature file: {message}", line.map_or_else(String::new, |l| format!(":{l}")))]
    Malformed {
        path: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{path}: {message}")]
    Examples { path: String, message: String },
}

/// The values of an expanded scenario-outline row, `(column, value)` in the order of its
/// Examples table (cucumber leaves the table's header and the one row it expanded); empty for
/// a plain scenario. What tells the rows of one outline apart in every report.
pub fn example_values(scenario: &gherkin::Scenario) -> Vec<(String, String)> {
    let Some(rows) = scenario
        .examples
        .first()
        .and_then(|e| e.table.as_ref())
        .map(|t| &t.rows)
    else {
        return Vec::new();
    };
    match rows.as_slice() {
        [header, row] => header.iter().cloned().zip(row.iter().cloned()).collect(),
        _ => Vec::new(),
    }
}

/// Reads and parses every feature under `path`, in path order (cucumber's order). Paths are
/// made absolute as cucumber makes them, so `feature-started` records the same path.
pub fn load(path: &Path) -> Result<Vec<gherkin::Feature>, FeatureError> {
    let root = path
        .canonicalize()
        .map_err(|_| FeatureError::NotFound(path.display().to_string()))?;
    let mut found = Vec::new();
    if root.is_file() {
        found.push(root);
    } else {
        collect(&root, &mut found)?;
        if found.is_empty() {
            return Err(FeatureError::Empty(path.display().to_string()));
        }
    }
    found.sort();
    found.iter().map(|f| parse(f)).collect()
}

/// Every `*.feature` file (extension in any case, as cucumber's glob) under `dir`; a
/// directory or entry that cannot be read is an error, never skipped in silence.
fn collect(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), FeatureError> {
    collect_once(dir, found, &mut Vec::new())
}

/// [`collect`], each directory entered once: links are followed, and a link back to a
/// directory already entered (a cycle) would otherwise walk until the path is too long.
fn collect_once(
    dir: &Path,
    found: &mut Vec<PathBuf>,
    entered: &mut Vec<PathBuf>,
) -> Result<(), FeatureError> {
    let unlistable = |path: &Path, e: std::io::Error| FeatureError::Unlistable {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let canonical = std::fs::canonicalize(dir).map_err(|e| unlistable(dir, e))?;
    if entered.contains(&canonical) {
        return Ok(());
    }
    entered.push(canonical);
    for entry in std::fs::read_dir(dir).map_err(|e| unlistable(dir, e))? {
        let p = entry.map_err(|e| unlistable(dir, e))?.path();
        // Follows links, as cucumber did; a link to nothing is named.
        let meta = std::fs::metadata(&p).map_err(|e| unlistable(&p, e))?;
        if meta.is_dir() {
            collect_once(&p, found, entered)?;
        } else if p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("feature"))
        {
            found.push(p);
        }
    }
    Ok(())
}

fn parse(path: &Path) -> Result<gherkin::Feature, FeatureError> {
    let text = files::read_text(path, files::FEATURE)?;
    if text.trim().is_empty() {
        // gherkin would report "Error at 2:1", a line the file does not have.
        return Err(FeatureError::Malformed {
            path: path.display().to_string(),
            line: None,
            message: "the file is empty (no `Feature:`)".into(),
        });
    }
    let mut feature =
        gherkin::Feature::parse(&text, gherkin::GherkinEnv::default()).map_err(|e| {
            let message = e.to_string();
            let line = message
                .strip_prefix("Error at ")
                .and_then(|rest| rest.split(':').next())
                .and_then(|l| l.parse().ok());
            FeatureError::Malformed {
                path: path.display().to_string(),
                line,
                message,
            }
        })?;
    feature.path = Some(path.to_path_buf());
    // Examples are expanded again for each cell (cucumber wants them expanded); a table that
    // does not fit its outline is found here, before the run.
    feature
        .clone()
        .expand_examples()
        .map_err(|e| FeatureError::Examples {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    Ok(feature)
}

/// A cucumber parser that yields features already read by [`load`], examples expanded.
pub struct Parsed(pub Vec<gherkin::Feature>);

impl<I> cucumber::Parser<I> for Parsed {
    type Cli = cucumber::cli::Empty;
    type Output =
        futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, _input: I, _cli: Self::Cli) -> Self::Output {
        let features: Vec<_> = self
            .0
            .into_iter()
            .map(|f| f.expand_examples().map_err(cucumber::parser::Error::from))
            .collect();
        futures::stream::iter(features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_rows_carry_their_values_and_plain_scenarios_none() {
        let text = "Feature: f\n  Scenario: plain\n    Given a step\n\n  Scenario Outline: each rule\n    Given <mutation> at <level>\n\n    Examples:\n      | mutation | level |\n      | none     | MUST  |\n      | flipped  | SHOULD |\n";
        let feature = gherkin::Feature::parse(text, gherkin::GherkinEnv::default())
            .unwrap()
            .expand_examples()
            .unwrap();
        let titles: Vec<String> = feature
            .scenarios
            .iter()
            .map(|s| crate::projections::scenario_title(&s.name, &example_values(s)))
            .collect();
        assert_eq!(
            titles,
            [
                "plain",
                "each rule (mutation: none, level: MUST)",
                "each rule (mutation: flipped, level: SHOULD)"
            ]
        );
    }

    #[test]
    fn what_cannot_be_run_is_named_before_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let e = load(dir.path()).unwrap_err();
        assert!(matches!(e, FeatureError::Empty(_)), "{e}");
        std::fs::write(dir.path().join("empty.feature"), "").unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("empty.feature: malformed feature file: the file is empty"),
            "{e}"
        );
        std::fs::write(dir.path().join("empty.feature"), b"Feature: \xff\n").unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("empty.feature: not UTF-8"), "{e}");
        std::fs::write(
            dir.path().join("empty.feature"),
            "Feature: x\n  Scenario: y\n    Given a step\n",
        )
        .unwrap();
        let features = load(dir.path()).unwrap();
        assert_eq!(features.len(), 1);
        assert!(features[0].path.as_ref().unwrap().is_absolute());
        // Links back to a directory already entered: each directory is read once.
        #[cfg(unix)]
        {
            let sub = dir.path().join("sub");
            std::fs::create_dir(&sub).unwrap();
            std::os::unix::fs::symlink(dir.path(), sub.join("up")).unwrap();
            std::os::unix::fs::symlink(dir.path(), sub.join("again")).unwrap();
            assert_eq!(load(dir.path()).unwrap().len(), 1);
        }
    }
}
