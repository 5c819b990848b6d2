//! `accord seal verify`: a JAdES seal or a PAdES-signed PDF validated as EN 319 102-1
//! orders it, against the XML trusted lists named on the command line, and (with
//! `--relying`) judged under the EU–JP arrangement.
//!
//! Exit codes, as `credential verify`'s: 0 TOTAL-PASSED (and recognised, with `--relying`);
//! 1 TOTAL-FAILED, INDETERMINATE or not recognised; 2 bad usage or unreadable input; 3 the
//! seal uses something Accord does not implement (a limit of the harness, not a verdict).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::CliError;
use super::io::{emit, parse_now, read_json};
use super::lists_arg::ListsArgs;
use crate::files::{self, Limit};
use crate::formats::jades;
use crate::trust::ades::{Level, Outcome, ValidationReport};
use crate::trust::mra::Arrangement;
use crate::trust::seal_judgement::{self, SealVerdict};
use crate::trust::services::ServiceKind;

/// A sealed document or a signed PDF.
const DOCUMENT: Limit = Limit {
    bytes: 64 << 20,
    what: "a sealed document",
};

#[derive(Debug, Subcommand)]
pub enum SealCommand {
    /// Validate a JAdES seal or a PAdES-signed PDF against XML trusted lists.
    Verify(VerifyArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Decide from the file: a PDF starts with `%PDF-`, anything else is read as JAdES.
    Auto,
    Jades,
    Pades,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    B,
    T,
    Lt,
    Lta,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::B => Level::B,
            LevelArg::T => Level::T,
            LevelArg::Lt => Level::Lt,
            LevelArg::Lta => Level::Lta,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// An electronic seal (a legal person's): a CA/QC service for seals, or Japan's
    /// accredited e-seal service.
    ESeal,
    /// An electronic signature (a natural person's): a CA/QC service for signatures, or a
    /// Japanese accredited certification business.
    ESignature,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The JAdES signature (compact or JSON serialisation) or the signed PDF.
    file: PathBuf,
    /// The payload of a detached JAdES signature.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// The document's format; `auto` reads a PDF by its `%PDF-` header and anything else as JAdES.
    #[arg(long, value_enum, default_value = "auto")]
    format: Format,
    #[command(flatten)]
    lists: ListsArgs,
    /// The validation time (RFC 3339); now when omitted.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// The lowest baseline level accepted; below it the seal is INDETERMINATE.
    #[arg(long, value_enum, default_value = "b")]
    level: LevelArg,
    /// What the signer's trust service must be: e-seal (default for JAdES) or e-signature
    /// (default for PAdES).
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Judge the seal for a relying party of this side (EU or JP) under the arrangement.
    #[arg(long, value_name = "EU|JP")]
    relying: Option<String>,
    /// The arrangement (mra.json) `--relying` applies; the default EU–JP arrangement when
    /// omitted.
    #[arg(long, value_name = "FILE")]
    arrangement: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: SealCommand) -> Result<ExitCode, CliError> {
    match cmd {
        SealCommand::Verify(a) => verify(a),
    }
}

fn verify(a: VerifyArgs) -> Result<ExitCode, CliError> {
    let at = parse_now(a.at.as_deref())?;
    let bytes = files::read(&a.file, DOCUMENT)?;
    let format = match a.format {
        Format::Auto if bytes.starts_with(b"%PDF-") => Format::Pades,
        Format::Auto => Format::Jades,
        f => f,
    };
    let Some((directory, list_findings)) = a.lists.directory(at)? else {
        return Err(CliError::Usage(
            "name the trusted lists to judge by: --lotl FILE --lotl-cert PEM, or --trust-list FILE --list-cert PEM"
                .into(),
        ));
    };
    let required: Level = a.level.into();
    let mut degree = None;
    let (report, kind) = match format {
        Format::Pades => {
            let kind = a.kind.map_or(ServiceKind::ESignature, kind_of);
            degree = Some(crate::formats::pdf::attachments::degree_data(&bytes));
            let mut report = crate::formats::pdf::pades::validate(&bytes, &directory, at);
            report.require_level(required);
            (report, kind)
        }
        _ => {
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::input(&a.file, "a JAdES signature is UTF-8 text"))?;
            let detached = match &a.data {
                Some(p) => Some(files::read(p, DOCUMENT)?),
                None => None,
            };
            let kind = a.kind.map_or(ServiceKind::ESeal, kind_of);
            let policy = jades::Policy {
                directory: &directory,
                at,
                kind,
                required_level: required,
            };
            (
                jades::validate_seal(&text, detached.as_deref(), &policy),
                kind,
            )
        }
    };
    let judgement = match &a.relying {
        None => None,
        Some(side) => {
            let side = side.to_uppercase();
            if side != "EU" && side != "JP" {
                return Err(CliError::Usage(format!("--relying {side}: EU or JP")));
            }
            let arrangement = match &a.arrangement {
                Some(p) => read_json::<Arrangement>(p, "arrangement (mra.json)", files::JSON)?,
                None => Arrangement::eu_jp_academic(
                    crate::profiles::EU_DIPLOMA_VCT,
                    crate::profiles::JP_DEGREE_VCT,
                ),
            };
            Some(seal_judgement::judge(
                &side,
                report.clone(),
                &directory,
                kind,
                &arrangement,
            ))
        }
    };
    // What the seal carries: a Europass credential is held to the EDC profile too.
    let profile_findings = match format {
        // A PDF's embedded degree data, held to the JP degree profile.
        Format::Pades => match &degree {
            Some(crate::formats::pdf::attachments::DegreeData::Embedded { violations, .. }) => {
                violations.clone()
            }
            _ => Vec::new(),
        },
        _ => std::fs::read_to_string(&a.file)
            .ok()
            .and_then(|t| jades::payload(&t))
            .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok())
            .filter(crate::profiles::edc::is_edc)
            .map(|c| crate::profiles::edc::validate(&c))
            .unwrap_or_default(),
    };
    // The degree a signed PDF carries, recognised for an EU relying party through the same
    // EU-JP crosswalk as the SD-JWT VC degree (format recorded beside it).
    let academic = match (
        &degree,
        a.relying.as_deref().map(str::to_uppercase).as_deref(),
    ) {
        (
            Some(crate::formats::pdf::attachments::DegreeData::Embedded {
                claims, violations, ..
            }),
            Some("EU"),
        ) if violations.is_empty() && report.passed() => {
            Some(crate::profiles::recognition::recognise_jp_in_eu(claims))
        }
        _ => None,
    };
    print(
        &report,
        judgement.as_ref(),
        &list_findings,
        &profile_findings,
        degree.as_ref(),
        academic.as_ref(),
        a.json,
    )?;
    if !profile_findings.is_empty() && report.outcome == Outcome::Passed {
        return Ok(ExitCode::from(1));
    }
    Ok(match (&report.outcome, &judgement) {
        (Outcome::NotImplemented { .. }, _) => ExitCode::from(3),
        (Outcome::Failed { .. }, _) => ExitCode::from(1),
        (Outcome::Passed, Some(j)) if j.verdict != SealVerdict::Recognised => ExitCode::from(1),
        (Outcome::Passed, _) => ExitCode::SUCCESS,
    })
}

/// `  {label} {requirement}  {message} ({location})`, one line per finding.
fn finding_lines(label: &str, findings: &[crate::requirements::Violation], out: &mut String) {
    for v in findings {
        out.push_str(&format!(
            "  {label} {}  {} ({})\n",
            v.requirement.id,
            v.message,
            v.location.as_deref().unwrap_or("")
        ));
    }
}

fn kind_of(k: KindArg) -> ServiceKind {
    match k {
        KindArg::ESeal => ServiceKind::ESeal,
        KindArg::ESignature => ServiceKind::ESignature,
    }
}

fn print(
    report: &ValidationReport,
    judgement: Option<&seal_judgement::SealJudgement>,
    list_findings: &[crate::requirements::Violation],
    profile_findings: &[crate::requirements::Violation],
    degree: Option<&crate::formats::pdf::attachments::DegreeData>,
    academic: Option<&crate::profiles::recognition::Recognition>,
    as_json: bool,
) -> Result<(), CliError> {
    let as_json_list = |vs: &[crate::requirements::Violation]| -> Vec<serde_json::Value> {
        vs.iter()
            .map(|v| json!({"requirement": v.requirement.id, "message": v.message, "location": v.location}))
            .collect()
    };
    let findings = as_json_list(list_findings);
    let profile = as_json_list(profile_findings);
    let text = if as_json {
        let mut value = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
        value["indication"] = json!(report.outcome.label());
        value["list_findings"] = json!(findings);
        value["profile_findings"] = json!(profile);
        if let Some(r) = academic {
            value["academic_recognition"] =
                json!({"format": "PAdES PDF with degree.json", "recognition": r});
        }
        if let Some(d) = degree {
            value["degree_data"] = match d {
                crate::formats::pdf::attachments::DegreeData::Embedded { file, claims, .. } => {
                    json!({"file": file, "claims": claims, "summary": d.summary()})
                }
                _ => json!({"summary": d.summary()}),
            };
        }
        if let Some(j) = judgement {
            value["verdict"] = json!(j.verdict);
            value["recognition"] = json!(j.recognition);
            value["violations"] = json!(j.violations);
        }
        format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        )
    } else {
        let mut out = format!(
            "{} {}{}\n",
            report.format,
            report.outcome.label(),
            report
                .level
                .map(|l| format!(" (level {})", l.as_str()))
                .unwrap_or_default()
        );
        if let Some(s) = &report.signer {
            out.push_str(&format!("  signer    {s}\n"));
        }
        if let Some(t) = &report.claimed_signing_time {
            out.push_str(&format!("  claimed   {t}\n"));
        }
        if let Some(t) = &report.proven_signing_time {
            out.push_str(&format!("  proven    {t}\n"));
        }
        if let Some(s) = &report.service {
            out.push_str(&format!(
                "  service   {} / {} ({}), {} since {}, judged at {}\n",
                s.territory, s.provider, s.service, s.status, s.status_since, s.judged_at
            ));
        }
        for ts in &report.timestamps {
            out.push_str(&format!(
                "  time-stamp {}{}\n",
                ts.outcome.label(),
                ts.proven_signing_time
                    .as_deref()
                    .map(|t| format!(" at {t}"))
                    .unwrap_or_default()
            ));
        }
        for step in &report.steps {
            out.push_str(&format!(
                "  {} {}  {}\n",
                if step.passed { "ok  " } else { "FAIL" },
                step.requirement,
                step.detail
            ));
        }
        finding_lines("list", list_findings, &mut out);
        if let Some(d) = degree {
            out.push_str(&format!("  degree data  {}\n", d.summary()));
        }
        if let Some(r) = academic {
            out.push_str(&format!(
                "  degree recognised in the EU: {} ({})\n",
                serde_json::to_value(r.verdict)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                r.equivalent.as_deref().unwrap_or("no equivalent level")
            ));
        }
        finding_lines("profile", profile_findings, &mut out);
        if let Some(j) = judgement {
            out.push_str(&format!("  {} for {}", j.verdict.as_str(), j.relying));
            if let Some(r) = &j.recognition
                && let Some(rule) = &r.rule
            {
                out.push_str(&format!(" under {rule}"));
            }
            out.push('\n');
            for v in &j.violations {
                out.push_str(&format!("  FAIL {}  {}\n", v.requirement, v.message));
            }
        }
        out
    };
    emit(&text, None)
}
