//! Renderers over a [`RunView`]: console text, JSON, JUnit XML, Markdown. Each is a pure
//! function of the view.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{CellView, RunStatus, RunView};
use crate::events::Verdict;

fn status_word(v: &RunView) -> &'static str {
    match v.status {
        RunStatus::Interrupted => "interrupted",
        RunStatus::Finished => v.verdict.as_str(),
    }
}

/// Who vouches for the log: its checkpoints' signer and where the key was kept, or why the
/// log cannot be believed. `None` for an unsigned log that agrees with itself.
pub fn evidence_line(v: &RunView) -> Option<String> {
    let signed = v.signed.as_ref().map(|s| {
        format!(
            "{} checkpoints signed by key {} ({}){}",
            s.checkpoints,
            s.key,
            s.key_source.describe(),
            if s.end_vouched {
                ""
            } else {
                "; events after the last checkpoint are NOT signed"
            }
        )
    });
    match (&v.disagreement, signed) {
        (Some(d), _) => Some(format!("the log contradicts itself: {d}")),
        (None, s) => s,
    }
}

/// The interop matrix as a Markdown table: a row per cell (issuer, wallet, verifier), its
/// result, scenarios passed of those run, and what explains a result other than passed (each
/// failed requirement, what was not implemented or not combinable).
pub fn matrix_markdown(v: &RunView) -> String {
    let mut out = String::from(
        "| Issuer | Wallet | Verifier | Result | Scenarios (passed / run) | Explained by |\n|---|---|---|---|---|---|\n",
    );
    for c in &v.cells {
        let axes: Vec<&str> = c.id.split(" × ").collect();
        let axis = |i: usize| axes.get(i).copied().unwrap_or("");
        let ran =
            c.counts.passed + c.counts.failed + c.counts.not_implemented + c.counts.inconclusive;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} / {ran} | {} |",
            axis(0),
            axis(1),
            axis(2),
            cell_label(c),
            c.counts.passed,
            cell_explanation(c).unwrap_or_default().replace('|', "\\|")
        );
    }
    out
}

/// The console summary, plain (files, pipes, `accord report`).
pub fn console(v: &RunView) -> String {
    console_styled(v, false)
}

/// The console summary, its verdict words in colour when `colour` (a terminal that did not
/// ask for `NO_COLOR`: [`crate::cli`] decides). The text is the same either way.
pub fn console_styled(v: &RunView, colour: bool) -> String {
    let paint = |word: &str, width: usize| paint(word, width, colour);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {} ({}, started {})",
        v.id,
        paint(status_word(v), 0),
        v.started_at
    );
    if let Some(of) = &v.replay_of {
        let _ = writeln!(out, "replay of run {of}");
    }
    let _ = writeln!(out, "transport: {}", v.security.describe());
    if let Some(line) = evidence_line(v) {
        let _ = writeln!(out, "evidence: {line}");
    }
    let matrix = v.has_matrix();
    for s in &v.scenarios {
        let verdict = s.verdict.map_or("interrupted", Verdict::as_str);
        let cell = match (&s.cell, matrix) {
            (Some(c), true) => format!("[{c}] "),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {} {cell}{} › {}",
            paint(verdict, 15),
            s.feature,
            s.title()
        );
        for c in s.checks.iter().filter(|c| c.verdict != Verdict::Passed) {
            let _ = writeln!(
                out,
                "      {} [{}] §{}: expected {}, got {}",
                c.requirement, c.level, c.section, c.expected, c.actual
            );
        }
        for st in s.steps.iter().filter(|st| st.message.is_some()) {
            let _ = writeln!(
                out,
                "      step `{}` (line {}): {}",
                st.step,
                st.line,
                st.message.as_deref().unwrap_or("")
            );
        }
        for d in &s.replay_differences {
            let _ = writeln!(out, "      differs: {}", d.describe());
        }
    }
    for f in &v.faults {
        let _ = writeln!(out, "  harness fault: {f}");
    }
    for f in &v.injected_faults {
        let _ = writeln!(
            out,
            "  fault injected: {} ({}) in {}",
            f.fault, f.part, f.scenario
        );
    }
    if matrix {
        let _ = writeln!(out, "interop matrix (issuer × wallet × verifier):");
        for c in &v.cells {
            let _ = writeln!(out, "  {} {}", paint(cell_label(c), 15), c.id);
            if let Some(why) = cell_explanation(c) {
                let _ = writeln!(out, "      {why}");
            }
            if !c.not_applicable.is_empty() {
                let _ = writeln!(
                    out,
                    "      {} scenario(s) not applicable to this cell",
                    c.not_applicable.len()
                );
            }
        }
    } else {
        for n in v.cells.iter().flat_map(|c| &c.not_applicable) {
            let _ = writeln!(out, "  not applicable  {n}");
        }
        // A cell that ran nothing (a player that would not start, differing PKI seeds) is
        // why such a run is inconclusive: its scenario counts alone would not say so.
        for c in v.cells.iter().filter(|c| c.blocked.is_some()) {
            let _ = writeln!(
                out,
                "  {} nothing ran: {}",
                paint(cell_label(c), 15),
                cell_explanation(c).unwrap_or_default()
            );
        }
    }
    let c = v.counts;
    let blocked = v.cells.iter().filter(|c| c.blocked.is_some()).count();
    let _ = writeln!(
        out,
        "{} scenarios: {} passed, {} failed, {} not implemented, {} inconclusive{}",
        v.scenarios.len(),
        c.passed,
        c.failed,
        c.not_implemented,
        c.inconclusive,
        if blocked > 0 {
            format!("; {blocked} cell(s) ran nothing")
        } else {
            String::new()
        }
    );
    for line in certification_lines(v) {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// `word` left-aligned in `width` columns, in the colour of what it says when `colour`.
/// Padding is applied before the escape codes so columns line up either way.
fn paint(word: &str, width: usize, colour: bool) -> String {
    let padded = format!("{word:<width$}");
    if !colour {
        return padded;
    }
    use anstyle::AnsiColor;
    let style = match word {
        "passed" | "meets the profile" => AnsiColor::Green.on_default(),
        "failed" | "does not meet the profile" => AnsiColor::Red.on_default().bold(),
        "inconclusive" | "interrupted" => AnsiColor::Yellow.on_default().bold(),
        "not-implemented" | "not combinable" | "no scenario" | "incomplete" => {
            AnsiColor::Yellow.on_default()
        }
        _ => return padded,
    };
    let trimmed = padded.trim_end();
    let pad = &padded[trimmed.len()..];
    format!("{style}{trimmed}{style:#}{pad}")
}

/// The certification outcome, one line per implementation judged, for the console and
/// CI logs: `certification eu-verifier-basic: polaris-oid4vp (verifier-eu) meets the
/// profile: 4 of 4 scenarios passed, 12 of 12 requirements met`. Empty when the run was not
/// asked for a profile.
pub fn certification_lines(v: &RunView) -> Vec<String> {
    let Some(cov) = certification_coverage(v) else {
        return Vec::new();
    };
    let Some(profile) = &cov.profile else {
        return Vec::new();
    };
    if cov.certifications.is_empty() {
        return vec![format!(
            "certification {profile}: no implementation played the profile's role"
        )];
    }
    cov.certifications
        .iter()
        .map(|c| {
            let mut line = format!(
                "certification {profile}: {} ({}) {}: {}",
                c.implementation,
                c.parts.join(", "),
                c.verdict.as_str(),
                certification_counts(c)
            );
            let missing = certification_gaps(c);
            if !missing.is_empty() {
                line.push_str(&format!("; {missing}"));
            }
            line
        })
        .collect()
}

/// The coverage of a run that was asked for a profile; `None`, without judging a single
/// check, for every other run (the console, JUnit and JSON reports all ask).
fn certification_coverage(v: &RunView) -> Option<super::coverage::Coverage> {
    v.profile
        .as_ref()
        .map(|_| super::coverage::coverage(v, None))
}

fn certification_counts(c: &super::coverage::Certification) -> String {
    let passed = c
        .scenarios
        .iter()
        .filter(|s| s.verdict == Some(Verdict::Passed))
        .count();
    let met = c
        .requirements
        .iter()
        .filter(|r| r.status == super::coverage::Status::Passed)
        .count();
    format!(
        "{passed} of {} scenarios passed, {met} of {} requirements met",
        c.scenarios.len(),
        c.requirements.len()
    )
}

/// What keeps an implementation from meeting a profile: the scenarios not passed and the
/// requirements not met, by status.
fn certification_gaps(c: &super::coverage::Certification) -> String {
    let mut parts = Vec::new();
    let failed: Vec<&str> = c
        .requirements
        .iter()
        .filter(|r| r.status == super::coverage::Status::Failed)
        .map(|r| r.requirement)
        .collect();
    if !failed.is_empty() {
        parts.push(format!("failed {}", failed.join(", ")));
    }
    for (status, label) in [
        (super::coverage::Status::NotImplemented, "not implemented"),
        (super::coverage::Status::NotReached, "not reached"),
    ] {
        let ids: Vec<&str> = c
            .requirements
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.requirement)
            .collect();
        if !ids.is_empty() {
            parts.push(format!("{label} {}", ids.join(", ")));
        }
    }
    let scenarios: Vec<String> = c
        .scenarios
        .iter()
        .filter(|s| s.verdict != Some(Verdict::Passed))
        .map(|s| {
            format!(
                "\"{}\" {}",
                s.scenario,
                s.verdict.map_or("not run", Verdict::as_str)
            )
        })
        .collect();
    if !scenarios.is_empty() {
        parts.push(format!("scenarios {}", scenarios.join(", ")));
    }
    parts.join("; ")
}

/// A cell's result in one word or two: the verdict of the scenarios it ran, or why it ran
/// none.
pub fn cell_label(c: &CellView) -> &'static str {
    match (c.verdict, &c.blocked) {
        (None, _) => "interrupted",
        (Some(Verdict::NotImplemented), Some(why)) if why == crate::run::matrix::NO_SCENARIO => {
            "no scenario"
        }
        (Some(Verdict::NotImplemented), Some(_)) => "not combinable",
        (Some(v), _) => v.as_str(),
    }
}

/// What explains a cell that did not pass: the requirements it failed, what was not
/// implemented, or why it could not run.
pub fn cell_explanation(c: &CellView) -> Option<String> {
    if let Some(why) = &c.blocked {
        return Some(why.replace('\n', " "));
    }
    let mut parts = Vec::new();
    if !c.failed_requirements.is_empty() {
        parts.push(format!("failed {}", c.failed_requirements.join(", ")));
    }
    if !c.not_implemented.is_empty() {
        parts.push(format!("not implemented {}", c.not_implemented.join(", ")));
    }
    if c.counts.inconclusive > 0 {
        parts.push(format!(
            "{} scenario(s) inconclusive",
            c.counts.inconclusive
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The run's requirement coverage per spec, as a Markdown table (docs/certification.md publishes the
/// default run's).
pub fn coverage_markdown(v: &RunView) -> String {
    let cov = super::coverage::coverage(v, None);
    let mut out = String::from(
        "\n### Requirement coverage\n\n| Spec | Requirements | MUST | MUST exercised | Passed | Failed | Not reached |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for s in &cov.by_spec {
        let t = s.tally;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            s.title, t.requirements, t.must, t.must_exercised, t.passed, t.failed, t.not_reached
        );
    }
    let t = cov.tally;
    let _ = writeln!(
        out,
        "| **All** | {} | {} | {} | {} | {} | {} |",
        t.requirements, t.must, t.must_exercised, t.passed, t.failed, t.not_reached
    );
    out
}

/// The JSON summary (pretty-printed, keys in a fixed order).
pub fn json(v: &RunView) -> String {
    /// The view's fields in their order, then the certification outcome.
    #[derive(serde::Serialize)]
    struct WithCertification<'a> {
        #[serde(flatten)]
        view: &'a RunView,
        certification: serde_json::Value,
    }
    let cov = certification_coverage(v);
    let mut s = match cov
        .as_ref()
        .and_then(|c| c.profile.as_ref().map(|p| (c, p)))
    {
        // A certification run carries its outcome per implementation beside the verdicts.
        Some((cov, profile)) => {
            let outcomes: Vec<serde_json::Value> = cov
                .certifications
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "implementation": c.implementation,
                        "parts": c.parts,
                        "verdict": c.verdict,
                        "summary": certification_counts(c),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&WithCertification {
                view: v,
                certification: serde_json::json!({
                    "profile": profile,
                    "implementations": outcomes,
                }),
            })
            .unwrap_or_default()
        }
        None => serde_json::to_string_pretty(v).unwrap_or_default(),
    };
    s.push('\n');
    s
}

/// JUnit XML: a test suite per feature, a test case per scenario; failed checks become the
/// failure message, harness faults errors.
pub fn junit(v: &RunView) -> String {
    let mut report = Report::new(format!("accord run {}", v.id));
    let mut suites: Vec<TestSuite> = Vec::new();
    let matrix = v.has_matrix();
    for s in &v.scenarios {
        let suite = match (&s.cell, matrix) {
            (Some(c), true) => format!("{} [{c}]", s.feature),
            _ => s.feature.clone(),
        };
        let status = match s.verdict {
            Some(Verdict::Passed) => TestCaseStatus::success(),
            Some(Verdict::NotImplemented) => {
                let mut st = TestCaseStatus::skipped();
                st.set_message("not implemented by the implementation under test");
                st
            }
            Some(Verdict::Failed) => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let failed: Vec<String> = s
                    .checks
                    .iter()
                    .filter(|c| c.verdict == Verdict::Failed)
                    .map(|c| {
                        format!(
                            "{} [{}] §{}: expected {}, got {}",
                            c.requirement, c.level, c.section, c.expected, c.actual
                        )
                    })
                    .chain(s.replay_differences.iter().map(|d| d.describe()))
                    .collect();
                st.set_message(failed.first().cloned().unwrap_or_default());
                st.set_description(failed.join("\n"));
                st
            }
            Some(Verdict::Inconclusive) | None => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                st.set_message(if s.verdict.is_none() {
                    "interrupted"
                } else {
                    "inconclusive (harness fault)"
                });
                st
            }
        };
        let mut case = TestCase::new(s.title(), status);
        case.set_classname(suite.clone());
        match suites.iter_mut().find(|t| t.name.as_str() == suite) {
            Some(t) => {
                t.add_test_case(case);
            }
            None => {
                let mut t = TestSuite::new(suite.clone());
                t.add_test_case(case);
                suites.push(t);
            }
        }
    }
    if matrix {
        // A cell that ran nothing still shows: not combinable is skipped, a broken
        // manifest or a player that would not start is an error.
        let mut blocked = TestSuite::new("interop matrix");
        for c in v.cells.iter().filter(|c| c.blocked.is_some()) {
            let why = cell_explanation(c).unwrap_or_default();
            let mut st = if c.verdict == Some(Verdict::NotImplemented) {
                TestCaseStatus::skipped()
            } else {
                TestCaseStatus::non_success(NonSuccessKind::Error)
            };
            st.set_message(why);
            let mut case = TestCase::new(c.id.clone(), st);
            case.set_classname("interop matrix");
            blocked.add_test_case(case);
        }
        if !blocked.test_cases.is_empty() {
            suites.push(blocked);
        }
    }
    if let Some(cov) = certification_coverage(v)
        && let Some(profile) = &cov.profile
    {
        // The certification outcome as a suite of its own: an implementation that meets
        // the profile passes, one that does not fails, an incomplete one is skipped.
        let name = format!("certification {profile}");
        let mut suite = TestSuite::new(name.clone());
        for c in &cov.certifications {
            let mut st = match c.verdict {
                super::coverage::CertificationVerdict::Meets => TestCaseStatus::success(),
                super::coverage::CertificationVerdict::DoesNotMeet => {
                    TestCaseStatus::non_success(NonSuccessKind::Failure)
                }
                super::coverage::CertificationVerdict::Incomplete => TestCaseStatus::skipped(),
            };
            if c.verdict != super::coverage::CertificationVerdict::Meets {
                st.set_message(format!("{}: {}", c.verdict.as_str(), certification_gaps(c)));
            }
            let mut case =
                TestCase::new(format!("{} ({})", c.implementation, c.parts.join(", ")), st);
            case.set_classname(name.clone());
            suite.add_test_case(case);
        }
        suites.push(suite);
    }
    report.add_test_suites(suites);
    report.to_string().unwrap_or_default()
}

/// Markdown, for CI job summaries.
pub fn markdown(v: &RunView) -> String {
    let mut out = String::new();
    let c = v.counts;
    let _ = writeln!(out, "## Accord run `{}`: {}\n", v.id, status_word(v));
    let _ = writeln!(
        out,
        "{} passed · {} failed · {} not implemented · {} inconclusive\n",
        c.passed, c.failed, c.not_implemented, c.inconclusive
    );
    let _ = writeln!(out, "Transport: {}\n", v.security.describe());
    if let Some(line) = evidence_line(v) {
        let _ = writeln!(out, "Evidence: {line}\n");
    }
    let certification = certification_lines(v);
    if !certification.is_empty() {
        let _ = writeln!(out, "### Certification\n");
        for line in &certification {
            let _ = writeln!(out, "- {}", line.trim_start_matches("certification "));
        }
        out.push('\n');
    }
    let matrix = v.has_matrix();
    if matrix {
        let _ = writeln!(out, "### Interop matrix\n\n{}", matrix_markdown(v));
    }
    if matrix {
        let _ = writeln!(
            out,
            "| Verdict | Cell | Feature | Scenario |\n|---|---|---|---|"
        );
    } else {
        let _ = writeln!(out, "| Verdict | Feature | Scenario |\n|---|---|---|");
    }
    // A `|` in a name or an example value (written `\|` in Gherkin) would end a cell.
    let cell = |t: &str| t.replace('|', "\\|");
    for s in &v.scenarios {
        let verdict = s.verdict.map_or("interrupted", Verdict::as_str);
        if matrix {
            let _ = writeln!(
                out,
                "| {verdict} | {} | {} | {} |",
                cell(s.cell.as_deref().unwrap_or("")),
                cell(&s.feature),
                cell(&s.title())
            );
        } else {
            let _ = writeln!(
                out,
                "| {verdict} | {} | {} |",
                cell(&s.feature),
                cell(&s.title())
            );
        }
    }
    let failed: Vec<_> = v
        .scenarios
        .iter()
        .flat_map(|s| {
            s.checks
                .iter()
                .filter(|c| c.verdict == Verdict::Failed)
                .map(move |c| (s, c))
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\n### Failed checks\n\n| Requirement | Level | Section | Scenario | Expected | Actual |\n|---|---|---|---|---|---|"
        );
        for (s, c) in failed {
            let _ = writeln!(
                out,
                "| `{}` | {} | §{} | {} | {} | {} |",
                c.requirement,
                c.level,
                c.section,
                s.title(),
                c.expected,
                c.actual
            );
        }
    }
    if v.scenarios.iter().any(|s| !s.replay_differences.is_empty()) {
        let _ = writeln!(
            out,
            "\n### Replay differences\n\n| Scenario | Exchange | Field | Recorded → replayed | Requirements |\n|---|---|---|---|---|"
        );
        for s in &v.scenarios {
            for d in &s.replay_differences {
                let cell = |t: String| t.replace('|', "\\|");
                let _ = writeln!(
                    out,
                    "| {} | {} `{}` | `{}` | {} | {} |",
                    cell(s.title()),
                    d.exchange,
                    cell(d.request.clone()),
                    cell(d.difference.path.clone()),
                    cell(d.difference.describe()),
                    d.requirements.join(", ")
                );
            }
        }
    }
    let shown: Vec<_> = v
        .scenarios
        .iter()
        .filter(|s| s.verdict == Some(Verdict::Failed) && !s.exchanges.is_empty())
        .collect();
    if !shown.is_empty() {
        // The evidence behind each failure, with tokens, codes, nonces and keys redacted
        // (the event log keeps them in full for replay).
        let _ = writeln!(out, "\n### Exchanges of failed scenarios (redacted)");
        for s in shown {
            let _ = writeln!(out, "\n#### {}\n", s.title());
            for x in &s.exchanges {
                let status = x.status.map_or_else(
                    || {
                        format!(
                            "no response: {}",
                            super::redact::text(x.error.as_deref().unwrap_or("?"))
                        )
                    },
                    |c| c.to_string(),
                );
                let _ = writeln!(
                    out,
                    "- {} → {}: `{} {}` → {status}",
                    x.from,
                    x.to,
                    x.method,
                    super::redact::url(&x.url)
                );
                if !x.request_body.is_empty() {
                    let _ = writeln!(
                        out,
                        "  - request: `{}`",
                        super::redact::body(&x.request_body)
                    );
                }
                if !x.response_body.is_empty() {
                    let _ = writeln!(
                        out,
                        "  - response: `{}`",
                        super::redact::body(&x.response_body)
                    );
                }
            }
        }
    }
    out.push_str(&coverage_markdown(v));
    if !v.injected_faults.is_empty() {
        let _ = writeln!(out, "\n### Faults injected\n");
        for f in &v.injected_faults {
            let _ = writeln!(out, "- {} on {} in {}", f.fault, f.part, f.scenario);
        }
    }
    if !v.faults.is_empty() {
        let _ = writeln!(out, "\n### Harness faults\n");
        for f in &v.faults {
            let _ = writeln!(out, "- {f}");
        }
    }
    out
}
