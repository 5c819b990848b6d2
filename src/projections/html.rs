//! The HTML report: one self-contained file a vendor and a recognition body read.
//!
//! Summary, certification against the run's profile, the EU–JP recognition section (labels
//! in English and Japanese), the interop matrix, requirement coverage (per spec, per
//! implementation, the requirements nothing reached) and, for each failure, the exchange
//! that shows it with tokens redacted. No script, no external resource: a Content Security
//! Policy of `default-src 'none'` makes the browser refuse anything that would reach the
//! network, so the file reads the same offline, years later.
//!
//! Pure: the same run view gives the same bytes.

use std::fmt::Write as _;

use super::coverage::{self, CertificationVerdict, Coverage, Row, Status};
use super::render::{cell_explanation, cell_label};
use super::{CheckView, RunStatus, RunView, ScenarioView};
use crate::events::{StepOutcome, Verdict};
use crate::requirements::catalogue::ALL;
use crate::requirements::{Level, Spec};
use crate::transport::Exchange;

/// Japanese faces, named per platform (Noto / Source Han on Linux and Android, Hiragino on
/// macOS and iOS, Yu Gothic and Meiryo on Windows, IPA, Takao and VL on older Linux). Named
/// because the browser's own fallback for CJK text may pick a Chinese face (other glyph
/// forms) or nothing at all, and then Japanese labels and names show as boxes.
macro_rules! japanese_fonts {
    () => {
        "'Noto Sans CJK JP','Noto Sans JP','Source Han Sans JP','Hiragino Sans',\
         'Hiragino Kaku Gothic ProN','Yu Gothic',YuGothic,Meiryo,'MS PGothic',IPAexGothic,\
         IPAGothic,TakaoPGothic,'VL PGothic'"
    };
}

/// Latin text in the platform's interface face, Japanese in a Japanese one; text marked
/// `lang="ja"` takes the Japanese faces first, so that its Latin letters and digits match.
const STYLE: &str = concat!(
    "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,",
    japanese_fonts!(),
    ",sans-serif;font-size:15px;line-height:1.45;margin:0;color:#1d1d1f;background:#fafafa}
:lang(ja){font-family:",
    japanese_fonts!(),
    ",sans-serif}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono','Noto Sans Mono CJK JP',",
    japanese_fonts!(),
    ",monospace}
header{background:#12325c;color:#fff;padding:16px 28px}
header h1{margin:0 0 6px;font-size:22px}
nav a{color:#cfe0ff;margin-right:14px}
main{padding:8px 28px 40px;max-width:1280px}
section{margin-top:28px}
h2{border-bottom:2px solid #12325c;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0 16px;background:#fff}
th,td{border:1px solid #d0d5dd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef2f7}
caption{text-align:left;font-weight:600;padding:4px 0}
.passed,.meets-the-profile{color:#116329;font-weight:600}
.failed,.does-not-meet-the-profile{color:#b42318;font-weight:600}
.not-implemented,.incomplete,.not-reached,.inconclusive,.interrupted{color:#8a5a00;font-weight:600}
.ja{color:#444}
pre{white-space:pre-wrap;word-break:break-all;background:#f3f4f6;padding:6px;margin:4px 0;max-height:320px;overflow:auto;font-size:12.5px}
details{margin:6px 0}
summary{cursor:pointer}
code{font-size:13px}
"
);

/// What the report shows for a value that was not recorded.
const ABSENT: &str = "—";

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// Escapes text for an attribute value or the title, where no markup may go.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Kana, CJK ideographs and their punctuation, full-width forms and era ligatures (㍻, ㋿).
/// In this report they are Japanese: the JP degree profile, its era dates, names and the
/// bilingual labels are the only CJK text Accord's checks and roles produce.
fn japanese(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3000..=0x30FF
            | 0x31F0..=0x31FF
            | 0x3200..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0xFF00..=0xFFEF
            | 0x20000..=0x3134F
    )
}

/// Escapes text for element content and marks each run of Japanese in it `lang="ja"`, so the
/// browser takes a Japanese face and Japanese line breaking for it (and a screen reader a
/// Japanese voice). Digits and spaces between Japanese characters stay in the run
/// (`令和6年3月25日`).
fn esc(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !japanese(c) {
            push_escaped(&mut out, c);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        let mut j = i + 1;
        while let Some(&d) = chars.get(j) {
            if japanese(d) {
                end = j + 1;
            } else if !(d.is_ascii_digit() || d == ' ') {
                break;
            }
            j += 1;
        }
        out.push_str("<span lang=\"ja\">");
        for &d in &chars[i..end] {
            push_escaped(&mut out, d);
        }
        out.push_str("</span>");
        i = end;
    }
    out
}

/// Text that may be absent, an em dash when it is.
fn esc_or_absent(text: Option<&str>) -> String {
    text.filter(|t| !t.is_empty())
        .map_or_else(|| ABSENT.to_owned(), esc)
}

/// A CSS class for a word shown as a result.
fn class(word: &str) -> String {
    word.replace(' ', "-")
}

/// English and Japanese for the words the recognition section shows.
fn ja(word: &str) -> &'static str {
    match word {
        "passed" => "合格",
        "failed" => "不合格",
        "not-implemented" | "not implemented" => "未実装",
        "inconclusive" => "判定不能",
        "not reached" => "未到達",
        "interrupted" => "中断",
        _ => "",
    }
}

fn bilingual(word: &str) -> String {
    match ja(word) {
        "" => esc(word),
        j => format!("{} / <span class=\"ja\" lang=\"ja\">{j}</span>", esc(word)),
    }
}

/// A step's outcome as the report's other result words are written.
fn step_word(outcome: &StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Passed => "passed",
        StepOutcome::Failed => "failed",
        StepOutcome::Skipped => "skipped",
    }
}

fn verdict_word(v: Option<Verdict>) -> &'static str {
    v.map_or("interrupted", Verdict::as_str)
}

/// Every scenario has a row in the scenario list under this anchor.
fn scenario_anchor(i: usize) -> String {
    format!("scenario-{}", i + 1)
}

/// A scenario with a failed check, or one that did not pass, has its evidence here.
fn failure_anchor(i: usize) -> String {
    format!("failure-{}", i + 1)
}

/// Whether the failures section shows scenario `s`.
fn shows_failure(s: &ScenarioView) -> bool {
    s.checks.iter().any(|c| c.verdict == Verdict::Failed)
        || matches!(
            s.verdict,
            Some(Verdict::Failed | Verdict::Inconclusive) | None
        )
}

/// The HTML report of a run.
pub fn html(v: &RunView) -> String {
    let cov = coverage::coverage(v, None);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>Accord report: run {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&v.id)
    );
    let _ = write!(
        out,
        "<header>\n<h1>Accord conformance report</h1>\n<nav>\
         <a href=\"#summary\">Summary</a>\
         <a href=\"#certification\">Certification</a>\
         <a href=\"#recognition\">Recognition / <span lang=\"ja\">相互承認</span></a>\
         <a href=\"#matrix\">Interop matrix</a>\
         <a href=\"#coverage\">Coverage</a>\
         <a href=\"#scenarios\">Scenarios</a>\
         <a href=\"#failures\">Failures</a>\
         <a href=\"#not-reached\">Not reached</a>\
         </nav>\n</header>\n<main>\n"
    );
    summary(&mut out, v, &cov);
    certification(&mut out, &cov);
    recognition(&mut out, v);
    matrix(&mut out, v);
    coverage_section(&mut out, &cov);
    scenarios(&mut out, v);
    failures(&mut out, v);
    not_reached(&mut out, &cov);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn summary(out: &mut String, v: &RunView, cov: &Coverage) {
    let status = match v.status {
        RunStatus::Finished => "finished",
        RunStatus::Interrupted => "interrupted",
    };
    let c = v.counts;
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<table>\n");
    let mut row = |k: &str, val: String| {
        let _ = writeln!(out, "<tr><th>{}</th><td>{val}</td></tr>", esc(k));
    };
    row("Run", format!("<code>{}</code>", esc(&v.id)));
    row(
        "Verdict",
        format!(
            "<span class=\"{}\">{}</span> ({status})",
            class(v.verdict.as_str()),
            v.verdict.as_str()
        ),
    );
    row("Started", esc(&v.started_at));
    row(
        "Finished",
        esc(v.finished_at.as_deref().unwrap_or("not finished")),
    );
    row(
        "Seed",
        v.seed
            .map_or_else(|| "not recorded".into(), |s| s.to_string()),
    );
    row("Transport", esc(v.security.describe()));
    if let Some(line) = super::render::evidence_line(v) {
        row("Evidence", esc(&line));
    }
    row(
        "Roles' clock (Unix s)",
        v.now
            .map_or_else(|| "not recorded".into(), |n| n.to_string()),
    );
    row(
        "Features",
        esc(v.features.as_deref().unwrap_or("not recorded")),
    );
    if let Some(t) = &v.tags {
        row("Tags", esc(t));
    }
    row(
        "Certification profile",
        esc(cov.profile.as_deref().unwrap_or("none requested")),
    );
    row(
        "Scenarios",
        format!(
            "{} passed, {} failed, {} not implemented, {} inconclusive",
            c.passed, c.failed, c.not_implemented, c.inconclusive
        ),
    );
    row(
        "Requirements exercised, run-wide",
        format!(
            "{} of {} ({} of {} MUST); {} failed; over every check of the run, Accord's own \
             included (per implementation: <a href=\"#coverage\">Coverage</a>)",
            cov.tally.exercised,
            cov.tally.requirements,
            cov.tally.must_exercised,
            cov.tally.must,
            cov.tally.failed
        ),
    );
    row(
        "Events / HTTP exchanges",
        format!("{} / {}", v.events, v.exchanges),
    );
    if let Some(t) = v.torn_bytes {
        row("Torn log tail", format!("{t} bytes"));
    }
    out.push_str("</table>\n");
    if !v.faults.is_empty() {
        out.push_str("<h3>Harness faults</h3>\n<ul>\n");
        for f in &v.faults {
            let _ = writeln!(out, "<li>{}</li>", esc(f));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn certification(out: &mut String, cov: &Coverage) {
    out.push_str("<section id=\"certification\">\n<h2>Certification</h2>\n");
    let Some(profile) = &cov.profile else {
        out.push_str(
            "<p>No certification profile was requested for this run \
             (<code>accord run --profile</code>); coverage below is for information.</p>\n</section>\n",
        );
        return;
    };
    let title = crate::certification::find(profile).map_or("", |p| p.title);
    let _ = writeln!(
        out,
        "<p>Profile <code>{}</code>: {}.</p>",
        esc(profile),
        esc(title)
    );
    if cov.certifications.is_empty() {
        out.push_str("<p>No implementation played the profile's role in this run.</p>\n");
    }
    for c in &cov.certifications {
        let word = c.verdict.as_str();
        let _ = writeln!(
            out,
            "<h3>{} as {} <span class=\"{}\">{}</span></h3>",
            esc(&c.implementation),
            c.parts.join(", "),
            class(word),
            esc(word)
        );
        if c.options.is_empty() {
            out.push_str("<p>Variant parameters: none (defaults).</p>\n");
        } else {
            let opts: Vec<String> = c
                .options
                .iter()
                .map(|(k, v)| format!("<code>{}</code> = <code>{}</code>", esc(k), esc(v)))
                .collect();
            let _ = writeln!(out, "<p>Variant parameters: {}.</p>", opts.join(", "));
        }
        if c.verdict == CertificationVerdict::Incomplete {
            out.push_str(
                "<p>Nothing failed, but something the profile needs was not run, not reached \
                 or not implemented: no claim is made either way.</p>\n",
            );
        }
        out.push_str(
            "<table>\n<tr><th>Part</th><th>Scenario the profile needs</th><th>Runs</th><th>Result</th></tr>\n",
        );
        for s in &c.scenarios {
            let word = s.verdict.map_or("not run", Verdict::as_str);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                s.part,
                esc(s.scenario),
                s.runs,
                class(word),
                esc(word)
            );
        }
        out.push_str("</table>\n");
        requirement_table(out, &c.requirements);
    }
    out.push_str("</section>\n");
}

/// A table of coverage rows, failures linked to their evidence.
fn requirement_table(out: &mut String, rows: &[Row]) {
    out.push_str(
        "<table>\n<tr><th>Requirement</th><th>Spec</th><th>Section</th><th>Level</th><th>Checks</th><th>Result</th><th>Evidence</th></tr>\n",
    );
    for r in rows {
        let evidence = match &r.failure {
            Some(f) => format!(
                "<a href=\"#{}\">scenario {}</a>: expected {}; saw {}",
                failure_anchor(f.scenario),
                f.scenario + 1,
                esc(&f.expected),
                esc(&f.actual)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>§{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{evidence}</td></tr>",
            esc(r.requirement),
            esc(r.spec.title()),
            esc(r.section),
            r.level.as_str(),
            r.checks,
            class(r.status.as_str()),
            r.status.as_str()
        );
    }
    out.push_str("</table>\n");
}

/// The EU–JP recognition checks, labelled in English and Japanese for the recognition
/// bodies on both sides.
fn recognition(out: &mut String, v: &RunView) {
    out.push_str(
        "<section id=\"recognition\">\n<h2>EU–JP recognition of academic credentials / \
         <span lang=\"ja\">学位・資格の相互承認</span></h2>\n",
    );
    let rows: Vec<(usize, &ScenarioView, &CheckView)> = v
        .scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.checks
                .iter()
                .filter(|c| c.requirement.starts_with("MRA-EUJP-"))
                .map(move |c| (i, s, c))
        })
        .collect();
    if rows.is_empty() {
        out.push_str(
            "<p>No recognition decision was checked in this run. / \
             <span lang=\"ja\">この実行では承認判定は検査されていません。</span></p>\n</section>\n",
        );
        return;
    }
    out.push_str(
        "<table>\n<tr>\
         <th>Scenario / <span lang=\"ja\">シナリオ</span></th>\
         <th>Cell / <span lang=\"ja\">組合せ</span></th>\
         <th>Requirement / <span lang=\"ja\">要件</span></th>\
         <th>Level / <span lang=\"ja\">水準</span></th>\
         <th>Expected / <span lang=\"ja\">期待される結果</span></th>\
         <th>Observed / <span lang=\"ja\">実際の結果</span></th>\
         <th>Result / <span lang=\"ja\">判定</span></th></tr>\n",
    );
    for (i, s, c) in rows {
        let level_ja = match c.level.as_str() {
            "MUST" => "必須",
            "SHOULD" => "推奨",
            _ => "任意",
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td><code>{}</code> §{}</td><td>{} / <span lang=\"ja\">{level_ja}</span></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            scenario_anchor(i),
            esc(&s.title()),
            esc_or_absent(s.cell.as_deref()),
            esc(&c.requirement),
            esc(&c.section),
            esc(&c.level),
            esc(&c.expected),
            esc(&c.actual),
            class(c.verdict.as_str()),
            bilingual(c.verdict.as_str())
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn matrix(out: &mut String, v: &RunView) {
    out.push_str("<section id=\"matrix\">\n<h2>Interop matrix</h2>\n");
    if v.cells.is_empty() {
        out.push_str("<p>This log records no cells (a log older than format 3).</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<tr><th>Issuer</th><th>Wallet</th><th>Verifier</th><th>Result</th><th>Scenarios (passed / run)</th><th>Explained by</th></tr>\n",
    );
    for c in &v.cells {
        let axes: Vec<&str> = c.id.split(" × ").collect();
        let axis = |i: usize| esc(axes.get(i).copied().unwrap_or(""));
        let ran =
            c.counts.passed + c.counts.failed + c.counts.not_implemented + c.counts.inconclusive;
        let label = cell_label(c);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{} / {ran}</td><td>{}</td></tr>",
            axis(0),
            axis(1),
            axis(2),
            class(label),
            esc(label),
            c.counts.passed,
            esc_or_absent(cell_explanation(c).as_deref())
        );
    }
    out.push_str("</table>\n");
    for c in &v.cells {
        let _ = writeln!(out, "<details><summary>Players of {}</summary>", esc(&c.id));
        out.push_str(
            "<table>\n<tr><th>Part</th><th>Implementation</th><th>Kind</th><th>Variant</th><th>Manifest SHA-256</th><th>Image</th></tr>\n",
        );
        for p in &c.players {
            let opts: Vec<String> = p.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                p.part.name(),
                esc(&p.implementation),
                esc(&p.kind),
                if opts.is_empty() {
                    "defaults".to_owned()
                } else {
                    esc(&opts.join(", "))
                },
                esc_or_absent(p.manifest.as_ref().map(|m| m.sha256.as_str())),
                esc_or_absent(
                    p.image
                        .as_ref()
                        .map(|i| format!("{} {}", i.name, i.id))
                        .as_deref()
                )
            );
        }
        out.push_str("</table>\n</details>\n");
        if !c.not_applicable.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{} scenario(s) not applicable in {}</summary><ul>",
                c.not_applicable.len(),
                esc(&c.id)
            );
            for n in &c.not_applicable {
                let _ = writeln!(out, "<li>{}</li>", esc(n));
            }
            out.push_str("</ul></details>\n");
        }
    }
    out.push_str("</section>\n");
}

/// One row of the run-wide table.
fn tally_row(out: &mut String, head: &str, t: &coverage::Tally) {
    let _ = writeln!(
        out,
        "<tr>{head}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        t.requirements,
        t.must,
        t.must_exercised,
        t.passed,
        t.failed,
        t.not_implemented,
        t.not_reached
    );
}

/// Coverage counted two ways, each labelled: run-wide (every check, Accord's own included:
/// what the scenarios exercise) and per implementation (only checks of its own answers: what
/// it is credited with). The requirements that make the two differ are listed.
fn coverage_section(out: &mut String, cov: &Coverage) {
    out.push_str("<section id=\"coverage\">\n<h2>Requirement coverage</h2>\n");
    out.push_str(
        "<p>A requirement is exercised when a check named it and passed or failed. The counts \
         below are taken two ways, and differ on purpose:</p>\n<ul>\n\
         <li><strong>Run-wide</strong> (this table, and the summary): every check of the run, \
         Accord's own checks of what its credential core built included. It says what the \
         run's scenarios exercise.</li>\n\
         <li><strong>Per implementation</strong> (below each table, and the certification \
         above): only the checks that judged that implementation's own answers, over the \
         requirements that bind its roles. It says what the implementation showed, and is the \
         count to read for certification.</li>\n</ul>\n",
    );
    out.push_str(
        "<table id=\"coverage-run-wide\">\n<caption>Run-wide: every check of the run, Accord's own included</caption>\n\
         <tr><th>Spec</th><th>Requirements</th><th>MUST</th><th>MUST exercised</th><th>Passed</th><th>Failed</th><th>Not implemented</th><th>Not reached</th></tr>\n",
    );
    for s in &cov.by_spec {
        tally_row(out, &format!("<td>{}</td>", esc(s.title)), &s.tally);
    }
    tally_row(out, "<th>All</th>", &cov.tally);
    out.push_str("</table>\n");
    if cov.uncredited.is_empty() {
        out.push_str(
            "<p id=\"uncredited\">Every requirement exercised run-wide is exercised in the \
             counts of an implementation below.</p>\n",
        );
    } else {
        let _ = writeln!(
            out,
            "<p>{} requirement(s) exercised run-wide are in no implementation's counts below \
             (why the run-wide numbers are higher):</p>\n<ul id=\"uncredited\">",
            cov.uncredited.len()
        );
        for u in &cov.uncredited {
            let _ = writeln!(
                out,
                "<li><code>{}</code> ({}, <span class=\"{}\">{}</span>): {}</li>",
                esc(u.requirement),
                u.level.as_str(),
                class(u.status.as_str()),
                u.status.as_str(),
                esc(u.why.as_str())
            );
        }
        out.push_str("</ul>\n");
    }
    for (n, i) in cov.implementations.iter().enumerate() {
        let roles: Vec<&str> = i.roles.iter().map(|r| r.as_str()).collect();
        let t = i.tally;
        let _ = writeln!(
            out,
            "<h3 id=\"implementation-{}\">{} <small>({}; parts {})</small></h3>",
            n + 1,
            esc(&i.implementation),
            roles.join(", "),
            esc(&i.parts.join(", "))
        );
        let _ = writeln!(
            out,
            "<p class=\"tally\">Per implementation, over the checks that judged its answers: of \
             the {} requirements that bind its roles, {} passed, {} failed, {} not implemented, \
             {} not reached ({} of {} MUST exercised).</p>",
            t.requirements,
            t.passed,
            t.failed,
            t.not_implemented,
            t.not_reached,
            t.must_exercised,
            t.must
        );
        let _ = writeln!(
            out,
            "<details><summary>Every requirement of {}</summary>",
            esc(&i.implementation)
        );
        requirement_table(out, &i.rows);
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

/// The exchange that shows a failed check: the last one with the judged player that was
/// not a harness control call, else the scenario's last exchange.
fn showing<'a>(v: &RunView, s: &'a ScenarioView, c: &CheckView) -> Option<&'a Exchange> {
    let base = c.subject.as_deref().and_then(|subject| {
        v.cells
            .iter()
            .find(|cell| Some(&cell.id) == s.cell.as_ref())
            .and_then(|cell| cell.players.iter().find(|p| p.part.name() == subject))
            .map(|p| p.base_url.clone())
    });
    let with_subject = |x: &&Exchange| {
        base.as_deref()
            .is_some_and(|b| x.url.starts_with(b) && !x.url[b.len()..].starts_with("/control"))
    };
    s.exchanges
        .iter()
        .rev()
        .find(with_subject)
        .or_else(|| s.exchanges.last())
}

fn exchange_html(out: &mut String, x: &Exchange, open: bool) {
    let status = x.status.map_or_else(
        || {
            format!(
                "no response: {}",
                super::redact::text(x.error.as_deref().unwrap_or("no error recorded"))
            )
        },
        |c| c.to_string(),
    );
    let _ = writeln!(
        out,
        "<details{}><summary>{} → {}: <code>{} {}</code> → {}</summary>",
        if open { " open" } else { "" },
        esc(&x.from),
        esc(&x.to),
        esc(&x.method),
        esc(&super::redact::url(&x.url)),
        esc(&status)
    );
    let headers = |h: &std::collections::BTreeMap<String, String>| {
        h.iter()
            .map(|(k, v)| format!("{k}: {}\n", super::redact::header(k, v)))
            .collect::<String>()
    };
    let _ = writeln!(
        out,
        "<pre>{}{}</pre>",
        esc(&headers(&x.request_headers)),
        esc(&super::redact::body(&x.request_body))
    );
    let _ = writeln!(
        out,
        "<pre>{}{}</pre>\n</details>",
        esc(&headers(&x.response_headers)),
        esc(&super::redact::body(&x.response_body))
    );
}

/// Every scenario of the run, in order, each with its anchor.
fn scenarios(out: &mut String, v: &RunView) {
    out.push_str("<section id=\"scenarios\">\n<h2>Scenarios</h2>\n");
    if v.scenarios.is_empty() {
        out.push_str("<p>No scenario ran.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<tr><th>#</th><th>Result</th><th>Cell</th><th>Feature</th><th>Scenario</th><th>Checks</th></tr>\n",
    );
    for (i, s) in v.scenarios.iter().enumerate() {
        let word = verdict_word(s.verdict);
        let name = if shows_failure(s) {
            format!("<a href=\"#{}\">{}</a>", failure_anchor(i), esc(&s.title()))
        } else {
            esc(&s.title())
        };
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{name}</td><td>{}</td></tr>",
            scenario_anchor(i),
            i + 1,
            class(word),
            esc(word),
            esc_or_absent(s.cell.as_deref()),
            esc(&s.feature),
            s.checks.len()
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn failures(out: &mut String, v: &RunView) {
    out.push_str("<section id=\"failures\">\n<h2>Failures and the exchanges that show them</h2>\n");
    out.push_str(
        "<p>Request and response as recorded, with tokens, codes, nonces and keys redacted \
         (the event log keeps them whole for replay).</p>\n",
    );
    let mut any = false;
    for (i, s) in v.scenarios.iter().enumerate() {
        if !shows_failure(s) {
            continue;
        }
        let failed: Vec<&CheckView> = s
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Failed)
            .collect();
        any = true;
        let word = verdict_word(s.verdict);
        let _ = writeln!(
            out,
            "<h3 id=\"{}\">Scenario {}: {} <span class=\"{}\">{}</span></h3>",
            failure_anchor(i),
            i + 1,
            esc(&s.title()),
            class(word),
            esc(word)
        );
        let _ = writeln!(
            out,
            "<p>{}{} line {}</p>",
            s.cell
                .as_deref()
                .map_or_else(String::new, |c| format!("Cell {}; ", esc(c))),
            esc(s.feature_path.as_deref().unwrap_or(&s.feature)),
            s.line
        );
        for step in s
            .steps
            .iter()
            .filter(|st| st.outcome != StepOutcome::Passed)
        {
            let _ = writeln!(
                out,
                "<p>Step <q>{}</q> (line {}): {}{}</p>",
                esc(&step.step),
                step.line,
                step_word(&step.outcome),
                step.message
                    .as_deref()
                    .map_or_else(String::new, |m| format!(": {}", esc(m)))
            );
        }
        for c in failed {
            let level = if c.level == Level::Must.as_str() {
                "MUST"
            } else {
                c.level.as_str()
            };
            let _ = writeln!(
                out,
                "<p><code>{}</code> §{} [{level}]{}: expected {}; saw {}</p>",
                esc(&c.requirement),
                esc(&c.section),
                c.subject
                    .as_deref()
                    .map_or_else(String::new, |p| format!(", judged on {}", esc(p))),
                esc(&c.expected),
                esc(&c.actual)
            );
            if let Some(x) = showing(v, s, c) {
                exchange_html(out, x, true);
            }
        }
        if !s.exchanges.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>All {} exchanges of the scenario</summary>",
                s.exchanges.len()
            );
            for x in &s.exchanges {
                exchange_html(out, x, false);
            }
            out.push_str("</details>\n");
        }
    }
    if !any {
        out.push_str("<p>No check failed.</p>\n");
    }
    out.push_str("</section>\n");
}

fn not_reached(out: &mut String, cov: &Coverage) {
    out.push_str("<section id=\"not-reached\">\n<h2>Requirements no scenario reached</h2>\n");
    let rows: Vec<&Row> = cov
        .requirements
        .iter()
        .filter(|r| r.status == Status::NotReached)
        .collect();
    if rows.is_empty() {
        out.push_str("<p>Every requirement of the catalogue was reached.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>{} of {} catalogue requirements were reached by no check in this run (run-wide: \
         none passed, failed or was found not implemented); they are listed so that nobody \
         reads their absence as a pass.</p>",
        rows.len(),
        cov.requirements.len()
    );
    out.push_str(
        "<table>\n<tr><th>Requirement</th><th>Spec</th><th>Section</th><th>Level</th><th>Binds</th><th>What it requires</th></tr>\n",
    );
    for r in rows {
        let Some(req) = ALL.iter().find(|x| x.id == r.requirement) else {
            continue;
        };
        let roles: Vec<&str> = req.applies_to.iter().map(|x| x.as_str()).collect();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>§{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(req.id),
            esc(Spec::title(req.spec)),
            esc(req.section),
            req.level.as_str(),
            roles.join(", "),
            esc(req.summary)
        );
    }
    out.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn marks_each_run_of_japanese_and_nothing_else() {
        assert_eq!(
            esc("degree 学位記 (修士相当), \"東京大学\""),
            "degree <span lang=\"ja\">学位記</span> (<span lang=\"ja\">修士相当</span>), \
             &quot;<span lang=\"ja\">東京大学</span>&quot;"
        );
        // Digits and spaces inside an era date stay in its run, not around it.
        assert_eq!(
            esc("awarding_date 令和6年3月25日 is refused"),
            "awarding_date <span lang=\"ja\">令和6年3月25日</span> is refused"
        );
        assert_eq!(esc("<学>&"), "&lt;<span lang=\"ja\">学</span>&gt;&amp;");
        assert_eq!(esc("ｶﾀｶﾅ ㋿"), "<span lang=\"ja\">ｶﾀｶﾅ ㋿</span>");
        assert_eq!(esc("no Japanese 123"), "no Japanese 123");
        // The title takes no markup.
        assert_eq!(escape("学位"), "学位");
    }

    #[test]
    fn absent_values_show_as_a_dash() {
        assert_eq!(esc_or_absent(None), "—");
        assert_eq!(esc_or_absent(Some("")), "—");
        assert_eq!(esc_or_absent(Some("a<b")), "a&lt;b");
    }

    #[test]
    fn the_style_gives_japanese_text_japanese_faces_first() {
        let rule = STYLE
            .lines()
            .find(|l| l.starts_with(":lang(ja){font-family:'Noto Sans CJK JP',"))
            .expect("a :lang(ja) rule");
        assert!(rule.ends_with(",sans-serif}"), "{rule}");
        let body = STYLE.lines().find(|l| l.starts_with("body{")).unwrap();
        assert!(
            body.contains("'Hiragino Sans'") && body.contains("Meiryo"),
            "{body}"
        );
    }
}
