//! Renderers over a [`RunView`]: console text, JSON, JUnit XML, Markdown. Each is a pure
//! function of the view.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{RunStatus, RunView};
use crate::events::Verdict;

fn status_word(v: &RunView) -> &'static str {
    match v.status {
        RunStatus::Interrupted => "interrupted",
        RunStatus::Finished => v.verdict.as_str(),
    }
}

/// The console summary.
pub fn console(v: &RunView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {} ({}, started {})",
        v.id,
        status_word(v),
        v.started_at
    );
    for s in &v.scenarios {
        let verdict = s.verdict.map_or("interrupted", Verdict::as_str);
        let _ = writeln!(out, "  {verdict:<15} {} › {}", s.feature, s.scenario);
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
    }
    for f in &v.faults {
        let _ = writeln!(out, "  harness fault: {f}");
    }
    let c = v.counts;
    let _ = writeln!(
        out,
        "{} scenarios: {} passed, {} failed, {} not implemented, {} inconclusive",
        v.scenarios.len(),
        c.passed,
        c.failed,
        c.not_implemented,
        c.inconclusive
    );
    out
}

/// The JSON summary (pretty-printed, keys in a fixed order).
pub fn json(v: &RunView) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// JUnit XML: a test suite per feature, a test case per scenario; failed checks become the
/// failure message, harness faults errors.
pub fn junit(v: &RunView) -> String {
    let mut report = Report::new(format!("accord run {}", v.id));
    let mut suites: Vec<TestSuite> = Vec::new();
    for s in &v.scenarios {
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
        let mut case = TestCase::new(s.scenario.clone(), status);
        case.set_classname(s.feature.clone());
        match suites.iter_mut().find(|t| t.name.as_str() == s.feature) {
            Some(t) => {
                t.add_test_case(case);
            }
            None => {
                let mut t = TestSuite::new(s.feature.clone());
                t.add_test_case(case);
                suites.push(t);
            }
        }
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
    let _ = writeln!(out, "| Verdict | Feature | Scenario |\n|---|---|---|");
    for s in &v.scenarios {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            s.verdict.map_or("interrupted", Verdict::as_str),
            s.feature,
            s.scenario
        );
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
                c.requirement, c.level, c.section, s.scenario, c.expected, c.actual
            );
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
            let _ = writeln!(out, "\n#### {}\n", s.scenario);
            for x in &s.exchanges {
                let status = x.status.map_or_else(
                    || format!("no response: {}", x.error.as_deref().unwrap_or("?")),
                    |c| c.to_string(),
                );
                let _ = writeln!(
                    out,
                    "- {} → {}: `{} {}` → {status}",
                    x.from,
                    x.to,
                    x.method,
                    crate::transport::redact_url(&x.url)
                );
                if !x.request_body.is_empty() {
                    let _ = writeln!(
                        out,
                        "  - request: `{}`",
                        crate::transport::redact(&x.request_body)
                    );
                }
                if !x.response_body.is_empty() {
                    let _ = writeln!(
                        out,
                        "  - response: `{}`",
                        crate::transport::redact(&x.response_body)
                    );
                }
            }
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
