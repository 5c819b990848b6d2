//! The `accord` command line: argument parsing and the commands people and scripts use.
//!
//! Exit codes (documented in `--help` and README.md):
//! - 0: success; for `credential verify`, the credential is valid.
//! - 1: the input was read but does not conform (an invalid credential, claims that break
//!   the profile).
//! - 2: bad usage or unreadable / malformed input (clap's own usage errors exit 2 as well).
//!
//! Output goes to standard output in one write at the end, or with `--output FILE` to a
//! temporary file renamed into place, so a failure never leaves a partial file; a device or
//! FIFO is written through and a symlink followed, never replaced ([`crate::files`]).

mod bundle_cmd;
mod credential_cmd;
mod demo_cmd;
mod fuzz_cmd;
mod impl_cmd;
mod io;
mod lists_arg;
mod pki_cmd;
mod replay_cmd;
mod run_cmd;
mod runs_cmd;
mod seal_cmd;
mod serve_cmd;
mod snapshot_cmd;
mod status_cmd;
mod timestamp_cmd;
mod trust_list_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use io::CliError;

const AFTER_HELP: &str = "Run ids: every command that takes a run takes its whole id, any prefix of it that no other run's id begins with (as `accord runs` shows them), or `latest` (also `last`) for the run that started most recently. An ambiguous prefix is refused, naming the runs it begins.\n\nExit codes: 0 success (verify: valid; run: every required check passed), 1 does not conform, 2 bad usage or unreadable input, 3 inconclusive (harness fault, interrupted run).";

#[derive(Debug, Parser)]
#[command(
    name = "accord",
    version,
    about = "Conformance and interoperability harness for digital-identity issuers, wallets and verifiers (EU–JP academic credentials)",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the seeded test PKI: EU and JP anchors, CAs, issuer, verifier and trust-list
    /// operator keys and certificates, signed trust lists and the EU–JP arrangement.
    #[command(subcommand)]
    Pki(pki_cmd::PkiCommand),
    /// Issue, present, verify and inspect SD-JWT VC credentials.
    #[command(subcommand)]
    Credential(credential_cmd::CredentialCommand),
    /// Run the Gherkin features (default: features/) and record the run in the event store.
    /// Exit 0 every required check passed, 1 conformance failures, 2 usage, 3 inconclusive.
    Run(run_cmd::RunArgs),
    /// List recorded runs, oldest first: id (shortest unique prefix), kind (run, matrix,
    /// fuzz, replay, certification), status, start and a summary for the kind (a campaign's
    /// cases and findings, a replay's scenarios and differences, scenario verdicts otherwise).
    Runs(runs_cmd::RunsArgs),
    /// Regenerate a report from a run's stored log (byte-identical every time).
    Report {
        /// The run: its id, a unique prefix of it, or `latest`.
        run: String,
        /// The report to regenerate.
        #[arg(long, value_enum, default_value = "console")]
        format: run_cmd::Format,
        #[command(flatten)]
        store: run_cmd::StoreArg,
    },
    /// Show or verify a run's event log.
    #[command(subcommand)]
    Log(run_cmd::LogCommand),
    /// List the requirement catalogue: every check's id, spec, section and level.
    Requirements {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run the EU–JP credential round trip in process (seeded PKI, EU and JP issuers, a
    /// holder, EU and JP verifiers under the arrangement) and print the verdicts as JSON.
    Demo {
        /// Seed for the PKI, salts and nonces.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Implementation manifests: `accord impl check FILE...` (exit 0 valid, 2 invalid).
    #[command(subcommand, name = "impl")]
    Impl(impl_cmd::ImplCommand),
    /// Run one reference role as an HTTP service (issuer, wallet, verifier, status-list,
    /// trust-list), on loopback by default; it logs where it listens and serves its control
    /// API under /control/.
    Serve(serve_cmd::ServeArgs),
    /// Re-project a recorded run (every report regenerated from its log), or with `--against`
    /// re-drive it: play the recorded counterparts' side against an implementation and report
    /// every answer that differs from the recording. Exit 0 no difference, 1 differences,
    /// 2 usage, 3 the replay could not be made.
    Replay(replay_cmd::ReplayArgs),
    /// Compare two runs: which scenarios and requirements changed verdict, and the first
    /// exchange that differs in each (normalised). Exit 0 nothing differs, 1 otherwise.
    Diff(replay_cmd::DiffArgs),
    /// Fuzz an issuer, wallet or verifier: generated cases with mutations whose verdict a
    /// conformant implementation must reach; wrong accepts, wrong rejects, 5xx and silence
    /// are findings, shrunk, recorded as a run and written as regression seeds. Exit 0 no
    /// finding, 1 findings, 2 usage, 3 interrupted (resume with --resume RUN).
    Fuzz(fuzz_cmd::FuzzArgs),
    /// Write a run's signed evidence bundle (`accord bundle RUN --output FILE`): its log, every
    /// report, the implementations' manifests and image digests, a manifest of SHA-256
    /// hashes signed with the harness's key. `accord bundle verify FILE` checks one offline
    /// (exit 0 intact, 1 not intact); `accord bundle key` prints the public key.
    Bundle(bundle_cmd::BundleArgs),
    /// List the certification profiles: for each role, the scenarios and requirements it
    /// needs of each part (`accord run --profile ID`).
    Profiles {
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Build and inspect Token Status Lists.
    #[command(subcommand, name = "status-list")]
    StatusList(status_cmd::StatusCommand),
    /// RFC 3161 time-stamps: ask a TSA for one, validate one.
    #[command(subcommand)]
    Timestamp(timestamp_cmd::TimestampCommand),
    /// Validate JAdES seals and PAdES-signed PDFs against ETSI trusted lists (EN 319 102-1
    /// verdicts). Exit 0 TOTAL-PASSED, 1 failed or indeterminate, 2 usage, 3 not implemented.
    #[command(subcommand)]
    Seal(seal_cmd::SealCommand),
    /// Verify ETSI TS 119 612 XML trusted lists (structure, XAdES signature, pinned signer,
    /// next update), or write the seeded ones. Exit 0 accepted, 1 refused, 2 usage, 3 not
    /// implemented.
    #[command(subcommand)]
    TrustList(trust_list_cmd::TrustListCommand),
}

/// Runs the parsed command and maps its outcome to the documented exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Pki(c) => pki_cmd::run(c),
        Command::Credential(c) => credential_cmd::run(c),
        Command::StatusList(c) => status_cmd::run(c),
        Command::Demo { seed } => demo_cmd::run(seed),
        Command::Requirements { json } => requirements(json),
        Command::Run(a) => run_cmd::run(a),
        Command::Runs(a) => runs_cmd::runs(a),
        Command::Report { run, format, store } => run_cmd::report(&run, format, store.path()),
        Command::Log(c) => run_cmd::log(c),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Impl(c) => impl_cmd::run(c),
        Command::Replay(a) => replay_cmd::replay(a),
        Command::Diff(a) => replay_cmd::diff(a),
        Command::Fuzz(a) => fuzz_cmd::fuzz(a),
        Command::Bundle(a) => bundle_cmd::run(a),
        Command::Profiles { json } => profiles(json),
        Command::Timestamp(c) => timestamp_cmd::run(c),
        Command::Seal(c) => seal_cmd::run(c),
        Command::TrustList(c) => trust_list_cmd::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("accord: {e}");
            e.exit_code()
        }
    }
}

fn profiles(json: bool) -> Result<ExitCode, CliError> {
    use crate::certification::PROFILES;
    let text = if json {
        let all: Vec<serde_json::Value> = PROFILES
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id,
                    "role": p.role,
                    "title": p.title,
                    "parts": p.parts.iter().map(|n| serde_json::json!({
                        "part": n.part,
                        "scenarios": n.scenarios,
                        "requirements": n.requirements(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&all).unwrap_or_default()
        )
    } else {
        let mut out = String::new();
        for p in PROFILES {
            out.push_str(&format!("{}  {}\n", p.id, p.title));
            for n in p.parts {
                out.push_str(&format!("  as {}:\n", n.part));
                for s in n.scenarios {
                    out.push_str(&format!("    scenario     {s}\n"));
                }
                for r in n.requirements() {
                    out.push_str(&format!("    requirement  {r}\n"));
                }
            }
        }
        out
    };
    io::emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

fn requirements(json: bool) -> Result<ExitCode, CliError> {
    use crate::requirements::catalogue::ALL;
    let text = if json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&*ALL).unwrap_or_default()
        )
    } else {
        ALL.iter()
            .map(|r| {
                let roles: Vec<&str> = r.applies_to.iter().map(|x| x.as_str()).collect();
                format!(
                    "{:<52} {:<6} {:<24} {:?} §{}  {}\n",
                    r.id,
                    r.level.as_str(),
                    roles.join(","),
                    r.spec,
                    r.section,
                    r.summary
                )
            })
            .collect()
    };
    io::emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}
