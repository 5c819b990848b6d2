//! Reading inputs and writing outputs for the CLI, with errors that name the file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::de::DeserializeOwned;

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

/// Reads a file, or standard input for `-`.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::input(path, format!("cannot read standard input: {e}")))?;
    } else {
        bytes =
            std::fs::read(path).map_err(|e| CliError::input(path, format!("cannot read: {e}")))?;
    }
    String::from_utf8(bytes).map_err(|e| {
        CliError::input(
            path,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// Reads and parses a JSON file, naming the line and column of a syntax error.
pub fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, CliError> {
    let text = read_text(path)?;
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

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let err = |e: std::io::Error| CliError::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
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
