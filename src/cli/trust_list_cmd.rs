//! `accord trust-list`: ETSI TS 119 612 XML trusted lists on the command line.
//!
//! - `verify FILE.xml`: parses the list, verifies its enveloped XAdES signature against the
//!   signer pinned for it (the pointer of `--lotl`, itself judged against `--lotl-cert`, or
//!   `--list-cert`), and judges its time window at `--at`. Every finding cites its clause.
//! - `generate --out DIR`: writes the seeded lists (LOTL, DE, FR, JP) and the certificates to
//!   pin, as the trust-list host serves them, to try `verify` and `seal verify` on.
//!
//! Exit codes, as `credential verify`'s: 0 the list is accepted; 1 it is refused (a finding
//! at MUST level, a signature that does not verify, a signer not pinned); 2 bad usage or
//! unreadable input; 3 the signature uses something Accord does not implement.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::CliError;
use super::io::{emit, parse_now, write_atomic};
use super::lists_arg::read_certificate;
use crate::entropy::FixedClock;
use crate::files;
use crate::trust::ades::{Level, Outcome};
use crate::trust::etsi_tl::lotl::{self, ListOutcome};
use crate::trust::etsi_tl::{MAX_LIST_BYTES, format_time, generate, parse};
use crate::trust::tsp::{Tsa, TsaSite};

#[derive(Debug, Subcommand)]
pub enum TrustListCommand {
    /// Verify an XML trusted list (or a LOTL): structure, XAdES signature, pinned signer,
    /// issue and next-update times.
    Verify(VerifyArgs),
    /// Write the seeded XML trusted lists and the certificates to pin into a directory.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The list (ETSI TS 119 612 XML).
    file: PathBuf,
    /// The LOTL that points to the list: the list must be signed by a certificate its pointer
    /// gives (matched by file name, else by territory).
    #[arg(long, value_name = "FILE")]
    lotl: Option<PathBuf>,
    /// The certificate (PEM or DER) that must have signed the LOTL; repeat for several.
    #[arg(long, value_name = "PEM")]
    lotl_cert: Vec<PathBuf>,
    /// The certificate (PEM or DER) that must have signed the list when no LOTL is given
    /// (or when the file is the LOTL itself); repeat for several.
    #[arg(long, value_name = "PEM")]
    list_cert: Vec<PathBuf>,
    /// The time the list is judged at (RFC 3339); now when omitted.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Print the judgement as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where to write lotl.xml, DE.xml, FR.xml, JP.xml, the certificates to pin
    /// (lotl-signer.pem, jp-signer.pem) and two samples to try `accord seal verify` on
    /// (diploma-sealed.json: a DE university's JAdES LTA seal; degree-certificate.pdf: a JP
    /// university's PAdES LTA certificate).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The seed of the trust-service providers' keys (`accord serve tsa --seed N` signs
    /// with the same).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The base URL the lists' pointers and distribution points name (`{url}/tl/DE.xml`).
    #[arg(long, value_name = "URL", default_value = "https://tl.accord.test")]
    base_url: String,
    /// The lists' issue time (RFC 3339); the start of yesterday (UTC) when omitted.
    #[arg(long, value_name = "TIME")]
    issued_at: Option<String>,
}

pub fn run(cmd: TrustListCommand) -> Result<ExitCode, CliError> {
    match cmd {
        TrustListCommand::Verify(a) => verify(a),
        TrustListCommand::Generate(a) => generate_lists(a),
    }
}

const LIST: files::Limit = files::Limit {
    bytes: MAX_LIST_BYTES as u64,
    what: "a trusted list",
};

/// Reads a list that must at least be a TS 119 612 document: one that is not XML, or not a
/// TrustServiceStatusList, is unreadable input (exit 2), not a refused list.
fn read_list(path: &Path) -> Result<String, CliError> {
    let text = files::read_text(path, LIST).map_err(CliError::from)?;
    parse::parse(&text).map_err(|e| CliError::input(path, e.0))?;
    Ok(text)
}

fn certificates(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, CliError> {
    paths.iter().map(|p| read_certificate(p)).collect()
}

fn verify(a: VerifyArgs) -> Result<ExitCode, CliError> {
    let at = parse_now(a.at.as_deref())?;
    let text = read_list(&a.file)?;
    let location = a.file.display().to_string();
    let mut lotl_outcome = None;
    let (territory, pinned) = match &a.lotl {
        Some(lotl_path) => {
            if a.lotl_cert.is_empty() {
                return Err(CliError::Usage(
                    "--lotl needs --lotl-cert: the LOTL is trusted only under a signer configuration pins".into(),
                ));
            }
            let lotl_text = read_list(lotl_path)?;
            let judged = lotl::judge_list(
                "",
                &lotl_path.display().to_string(),
                &lotl_text,
                &certificates(&a.lotl_cert)?,
                at,
            );
            let own_territory = parse::parse(&text)
                .map(|l| l.scheme_territory)
                .unwrap_or_default();
            let file_name = a.file.file_name().and_then(|f| f.to_str()).unwrap_or("");
            let pointer = judged.list.as_ref().and_then(|l| {
                l.pointers
                    .iter()
                    .find(|p| p.location.rsplit('/').next() == Some(file_name))
                    .or_else(|| {
                        l.pointers
                            .iter()
                            .find(|p| p.territory.as_deref() == Some(own_territory.as_str()))
                    })
                    .cloned()
            });
            let accepted = judged.accepted();
            lotl_outcome = Some(judged);
            match pointer {
                Some(p) if accepted => (p.territory.unwrap_or_default(), p.signers),
                Some(p) => (p.territory.unwrap_or_default(), vec![]),
                None => {
                    return Err(CliError::Usage(format!(
                        "the LOTL has no pointer to {file_name} or to territory {own_territory:?}"
                    )));
                }
            }
        }
        None => {
            if a.list_cert.is_empty() {
                return Err(CliError::Usage(
                    "name who must have signed the list: --lotl FILE --lotl-cert PEM, or --list-cert PEM".into(),
                ));
            }
            (String::new(), certificates(&a.list_cert)?)
        }
    };
    let outcome = lotl::judge_list(&territory, &location, &text, &pinned, at);
    let lotl_refused = lotl_outcome.as_ref().is_some_and(|l| !l.accepted());
    let accepted = outcome.accepted() && !lotl_refused;
    let body = if a.json {
        let mut v = describe(&outcome, at);
        v["accepted"] = json!(accepted);
        if let Some(l) = &lotl_outcome {
            v["lotl"] = describe(l, at);
        }
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
    } else {
        let mut out = String::new();
        if let Some(l) = &lotl_outcome {
            out.push_str(&text_of(l, l.accepted()));
        }
        out.push_str(&text_of(&outcome, accepted));
        out
    };
    emit(&body, None)?;
    Ok(match (&outcome.outcome, accepted) {
        (Outcome::NotImplemented { .. }, _) => ExitCode::from(3),
        (_, true) => ExitCode::SUCCESS,
        (_, false) => ExitCode::from(1),
    })
}

fn describe(o: &ListOutcome, at: i64) -> Value {
    json!({
        "location": o.location,
        "territory": o.territory,
        "accepted": o.accepted(),
        "judged_at": format_time(at),
        "signature": o.outcome.label(),
        "signer": o.signature.as_ref().and_then(|s| s.report.signer.clone()),
        "signed_at": o.signature.as_ref().and_then(|s| s.signing_time).map(format_time),
        "list": o.list.as_ref().map(|l| json!({
            "type": l.tsl_type,
            "operator": l.operator_name,
            "sequence_number": l.sequence_number,
            "issued_at": l.issued_at.map(format_time),
            "next_update": l.next_update.map(format_time),
            "pointers": l.pointers.iter().map(|p| json!({
                "location": p.location,
                "territory": p.territory,
                "signers": p.signers.len(),
            })).collect::<Vec<_>>(),
            "services": l.services.iter().map(|s| json!({
                "provider": s.provider,
                "name": s.service_name,
                "type": s.type_uri,
                "history": s.history.iter().map(|h| json!({"status": h.status, "since": format_time(h.since)})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })),
        "findings": o.findings.iter().map(|f| json!({
            "requirement": f.requirement.id,
            "level": f.level().as_str(),
            "message": f.message,
            "location": f.location,
        })).collect::<Vec<_>>(),
    })
}

fn text_of(o: &ListOutcome, accepted: bool) -> String {
    let mut out = format!(
        "{}: {} (signature {})\n",
        o.location,
        if accepted { "accepted" } else { "refused" },
        o.outcome.label()
    );
    if let Some(l) = &o.list {
        out.push_str(&format!(
            "  {} list of {} by {}, issued {}, next update {}; {} pointer(s), {} service(s)\n",
            if l.is_lotl() {
                "LOTL:"
            } else if l.is_proposal() {
                "proposal:"
            } else {
                "trusted"
            },
            l.scheme_territory,
            l.operator_name,
            l.issued_at.map_or("?".into(), format_time),
            l.next_update.map_or("?".into(), format_time),
            l.pointers.len(),
            l.services.len(),
        ));
    }
    if let Some(signer) = o.signature.as_ref().and_then(|s| s.report.signer.as_ref()) {
        out.push_str(&format!("  signed by {signer}\n"));
    }
    for f in &o.findings {
        out.push_str(&format!(
            "  {} [{}] {}{}\n",
            f.requirement.id,
            f.level().as_str(),
            f.message,
            f.location
                .as_deref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
        ));
    }
    out
}

fn generate_lists(a: GenerateArgs) -> Result<ExitCode, CliError> {
    let now = parse_now(None)?;
    let issued_at = match a.issued_at.as_deref() {
        Some(t) => parse_now(Some(t))?,
        None => generate::issue_time(now),
    };
    let pki = std::sync::Arc::new(
        crate::trust::tsp_pki::TrustServicePki::generate(a.seed)
            .map_err(|e| CliError::Usage(e.to_string()))?,
    );
    let lists = generate::generate(&pki, &generate::Options::new(&a.base_url, issued_at))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    std::fs::create_dir_all(&a.out).map_err(|e| CliError::input(&a.out, e.to_string()))?;
    for (file, xml) in lists.files() {
        write_atomic(&a.out.join(file), xml.as_bytes())?;
    }
    write_atomic(
        &a.out.join("lotl-signer.pem"),
        crate::trust::pki::pem("CERTIFICATE", &pki.lotl_operator.cert_der).as_bytes(),
    )?;
    write_atomic(
        &a.out.join("jp-signer.pem"),
        crate::trust::pki::pem("CERTIFICATE", &pki.jp.operator.cert_der).as_bytes(),
    )?;
    // The samples are made a day before the lists' issue, stamped by the seeded TSAs in
    // process.
    let made_at = issued_at - 86_400;
    let tsa = Tsa::new(
        pki.clone(),
        TsaSite::De,
        std::sync::Arc::new(FixedClock(made_at)),
    );
    let entropy =
        std::cell::RefCell::new(crate::entropy::SeededEntropy::new(a.seed, "sample-seal"));
    let seal = crate::profiles::eu_diploma::sealed_example(
        &pki.de.seals,
        made_at,
        Level::Lta,
        &tsa,
        &entropy,
        None,
    )
    .map_err(|e| CliError::Usage(format!("sealing the sample diploma: {e}")))?;
    write_atomic(&a.out.join("diploma-sealed.json"), seal.as_bytes())?;
    let tsa = Tsa::new(
        pki.clone(),
        TsaSite::Jp,
        std::sync::Arc::new(FixedClock(made_at + 5)),
    );
    // The PDF carries its degree data (the JP degree claim set, Accord's proposal) as an
    // embedded, associated degree.json.
    let degree = serde_json::to_vec(&crate::profiles::jp_degree::example_claims())
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let pdf = crate::formats::pdf::pades::reference_certificate_with(
        &pki,
        "Takahashi Shota",
        Some(degree),
        made_at,
        Level::Lta,
        &tsa,
    )
    .map_err(|e| CliError::Usage(format!("signing the sample PDF: {e}")))?;
    write_atomic(&a.out.join("degree-certificate.pdf"), &pdf)?;
    emit(
        &format!(
            "wrote lotl.xml, DE.xml, FR.xml, JP.xml (issued {}), lotl-signer.pem, jp-signer.pem, \
             diploma-sealed.json and degree-certificate.pdf to {}\n",
            format_time(issued_at),
            a.out.display()
        ),
        None,
    )?;
    Ok(ExitCode::SUCCESS)
}
