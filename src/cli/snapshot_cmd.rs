//! `accord run --snapshots check|new|update`: the snapshot gate, and the files it reads and
//! writes. What a snapshot holds and how it is compared is [`crate::evidence::snapshot`]'s.

use std::path::Path;

use clap::ValueEnum;

use super::io::{CliError, write_atomic};
use crate::evidence::snapshot::{self, Comparison};
use crate::projections::RunView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Compare; fail on drift; write nothing (what CI runs).
    Check,
    /// Compare; fail on drift; write each drifted or missing snapshot as `.snap.new` beside
    /// the `.snap`, for `cargo insta review`.
    New,
    /// Accept the run: write every drifted or missing snapshot.
    Update,
}

fn collect_snaps(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_snaps(&path, out);
        } else if path.extension().is_some_and(|e| e == "snap") {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> Result<Option<String>, CliError> {
    match crate::files::read_text(path, crate::files::SNAPSHOT) {
        Ok(text) => Ok(Some(text)),
        Err(crate::files::ReadError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| CliError::input(dir, e))?;
    }
    write_atomic(path, text.as_bytes())
}

/// Compares the run's scenarios with the snapshots under `dir` and reports on standard
/// output; writes what `mode` says. Returns whether anything drifted (or was missing or
/// unreadable).
pub fn gate(view: &RunView, dir: &Path, mode: Mode) -> Result<bool, CliError> {
    let docs = snapshot::documents(view);
    let mut report = String::new();
    let (mut same, mut drifted, mut written) = (0usize, 0usize, 0usize);
    for doc in &docs {
        let path = dir.join(&doc.file);
        let pending = path.with_extension("snap.new");
        let comparison = snapshot::compare(doc, read(&path)?.as_deref());
        match &comparison {
            Comparison::Same => {
                same += 1;
                // A pending review of a snapshot that matches again is obsolete.
                if mode != Mode::Check && pending.exists() {
                    let _ = std::fs::remove_file(&pending);
                }
                continue;
            }
            Comparison::New => report.push_str(&format!(
                "scenario \"{}\" ({}:{}) has no snapshot {}\n",
                doc.scenario,
                doc.source,
                doc.line,
                path.display()
            )),
            Comparison::Unreadable(why) => report.push_str(&format!(
                "scenario \"{}\": the snapshot {} cannot be read: {why}\n",
                doc.scenario,
                path.display()
            )),
            Comparison::Drifted(d) => {
                report.push_str(&snapshot::describe_drift(doc, d));
            }
        }
        match mode {
            Mode::Check => drifted += 1,
            Mode::New => {
                drifted += 1;
                write(&pending, &doc.render())?;
                written += 1;
            }
            Mode::Update => {
                write(&path, &doc.render())?;
                if pending.exists() {
                    let _ = std::fs::remove_file(&pending);
                }
                written += 1;
            }
        }
    }
    // Snapshots no scenario of this run produced (a scenario renamed or removed, or one the
    // run's tags left out): listed, not judged, since a filtered run cannot tell which.
    let produced: std::collections::BTreeSet<std::path::PathBuf> =
        docs.iter().map(|d| dir.join(&d.file)).collect();
    let mut unreferenced = Vec::new();
    collect_snaps(&dir.join("scenarios"), &mut unreferenced);
    unreferenced.retain(|p| !produced.contains(p));
    for p in &unreferenced {
        report.push_str(&format!(
            "snapshot {} belongs to no scenario of this run (not checked)\n",
            p.display()
        ));
    }
    let summary = match mode {
        Mode::Check => format!(
            "snapshots: {same} unchanged, {drifted} drifted or missing (in {})\n",
            dir.display()
        ),
        Mode::New => format!(
            "snapshots: {same} unchanged, {drifted} drifted or missing; {written} .snap.new written for `cargo insta review` (in {})\n",
            dir.display()
        ),
        Mode::Update => format!(
            "snapshots: {same} unchanged, {written} written (in {})\n",
            dir.display()
        ),
    };
    report.push_str(&summary);
    super::io::emit(&report, None)?;
    Ok(drifted > 0)
}
