//! Reading inputs and writing outputs for the CLI, with errors that name the file. The rules
//! (bounded reads, outputs never replacing what is not a regular file) are [`crate::files`]'s.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::de::DeserializeOwned;

use crate::files;
pub use crate::files::Limit;

/// A CLI failure: usage and input errors exit 2, non-conformance exits 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    #[error("{0}")]
    NonConformant(String),
    #[error("{path}: {message}")]
    Output { path: String, message: String },
    /// The harness could not do its job (a store it cannot write, a runtime it cannot start).
    #[error("{0}")]
    Harness(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::NonConformant(_) => ExitCode::from(1),
            CliError::Harness(_) => ExitCode::from(3),
            _ => ExitCode::from(2),
        }
    }

    pub fn input(path: &Path, message: impl ToString) -> Self {
        CliError::Input {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}

/// Reads a file, or standard input for `-`, as UTF-8 text of at most `limit` bytes.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, CliError> {
    let bytes = if path == Path::new("-") {
        files::read_from(std::io::stdin().lock(), Path::new("<stdin>"), limit)
    } else {
        files::read(path, limit)
    };
    bytes
        .and_then(|b| files::text(b, path))
        .map_err(CliError::from)
}

/// Reads and parses a JSON file of at most `limit` bytes, naming the line and column of a
/// syntax error.
pub fn read_json<T: DeserializeOwned>(
    path: &Path,
    what: &str,
    limit: Limit,
) -> Result<T, CliError> {
    let text = read_text(path, limit)?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::input(
            path,
            format!(
                "not a valid {what}: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

impl From<files::ReadError> for CliError {
    fn from(e: files::ReadError) -> Self {
        CliError::input(e.path(), e.reason())
    }
}

impl From<files::WriteError> for CliError {
    fn from(e: files::WriteError) -> Self {
        CliError::Output {
            path: e.path.display().to_string(),
            message: e.message,
        }
    }
}

/// Writes `text` to standard output, or atomically to `output` (temporary file + rename).
pub fn emit(text: &str, output: Option<&PathBuf>) -> Result<(), CliError> {
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| CliError::Output {
                    path: "<stdout>".into(),
                    message: e.to_string(),
                })
        }
        Some(path) => write_atomic(path, text.as_bytes()),
    }
}

/// Whether text written to standard output may carry colour: only on a terminal, unless
/// `NO_COLOR` is set to anything non-empty (no-color.org) or `TERM=dumb`; `CLICOLOR_FORCE`
/// (non-empty, not `0`) asks for colour anywhere. Files and pipes get plain text, so reports
/// stay byte-identical.
pub fn colour_on_stdout() -> bool {
    use std::io::IsTerminal as _;
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if set("CLICOLOR_FORCE") {
        return true;
    }
    std::io::stdout().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Writes an output file by [`files::write`]: atomically over a regular file or a new path,
/// written through to a device or FIFO, a symlink followed, never a partial file left.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    files::write(path, bytes).map_err(CliError::from)
}

/// Refuses, before a run starts, an output that could not be written at its end.
pub fn check_output(path: &Path) -> Result<(), CliError> {
    files::check_writable(path).map_err(|e| CliError::Usage(e.to_string()))
}

/// Parses an RFC 3339 timestamp (`--now`) into seconds since the epoch.
pub fn parse_now(text: Option<&str>) -> Result<i64, CliError> {
    use crate::entropy::{Clock, SystemClock};
    match text {
        None => Ok(SystemClock.now()),
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map(|d| d.unix_timestamp())
            .map_err(|e| {
                CliError::Usage(format!(
                    "--now {t:?} is not an RFC 3339 timestamp (e.g. 2026-04-01T09:00:00Z): {e}"
                ))
            }),
    }
}
