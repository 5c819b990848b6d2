//! The XML trusted lists a command judges against (`seal verify`, `timestamp verify`):
//! `--lotl FILE` with the LOTL signer pinned by `--lotl-cert` (as the Official Journal
//! publishes it), the lists it points to read from beside it, and/or `--trust-list FILE`
//! read on its own with its operator pinned by `--list-cert`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::CliError;
use crate::files;
use crate::requirements::Violation;
use crate::trust::etsi_tl::lotl::{self, Pins};
use crate::trust::etsi_tl::{self, MAX_LIST_BYTES};
use crate::trust::services::ServiceDirectory;

#[derive(Debug, Args, Default)]
pub struct ListsArgs {
    /// A LOTL (ETSI TS 119 612 XML); the lists it points to are read from the files named by
    /// `--trust-list` or beside it, by the last segment of their location.
    #[arg(long, value_name = "FILE")]
    pub lotl: Option<PathBuf>,
    /// The certificate (PEM or DER) that must have signed the LOTL; repeat for several.
    #[arg(long, value_name = "PEM")]
    pub lotl_cert: Vec<PathBuf>,
    /// A trusted list read on its own (or a list the LOTL points to); repeat for several.
    #[arg(long, value_name = "FILE")]
    pub trust_list: Vec<PathBuf>,
    /// The certificate (PEM or DER) that must have signed a list read on its own; repeat
    /// for several.
    #[arg(long, value_name = "PEM")]
    pub list_cert: Vec<PathBuf>,
}

/// Reads a certificate, PEM or DER.
pub fn read_certificate(path: &Path) -> Result<Vec<u8>, CliError> {
    let bytes = files::read(path, files::CERTIFICATES)?;
    if bytes.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(&bytes)
            .map_err(|e| CliError::input(path, format!("not a PEM certificate: {e}")))?;
        return Ok(pem.contents);
    }
    Ok(bytes)
}

impl ListsArgs {
    /// Whether any list was named.
    pub fn given(&self) -> bool {
        self.lotl.is_some() || !self.trust_list.is_empty()
    }

    /// The directory of every accepted list's services and every finding about the lists
    /// (refused ones included), judged at `at`; `None` when no list was named.
    pub fn directory(
        &self,
        at: i64,
    ) -> Result<Option<(ServiceDirectory, Vec<Violation>)>, CliError> {
        if !self.given() {
            return Ok(None);
        }
        if self.lotl.is_some() && self.lotl_cert.is_empty() {
            return Err(CliError::Usage(
                "--lotl needs --lotl-cert: the LOTL is trusted only under a signer configuration pins"
                    .into(),
            ));
        }
        let lone_lists = self.lotl.is_none() && !self.trust_list.is_empty();
        if lone_lists && self.list_cert.is_empty() {
            return Err(CliError::Usage(
                "--trust-list without --lotl needs --list-cert: a list is trusted only under a signer configuration pins"
                    .into(),
            ));
        }
        let pins = Pins {
            lotl_signers: self
                .lotl_cert
                .iter()
                .map(|p| read_certificate(p))
                .collect::<Result<_, _>>()?,
            list_signers: self
                .list_cert
                .iter()
                .map(|p| read_certificate(p))
                .collect::<Result<_, _>>()?,
        };
        let mut paths: Vec<PathBuf> = self.lotl.iter().cloned().collect();
        paths.extend(self.trust_list.iter().cloned());
        let (directory, findings) = load_directory(&paths, &pins, at)
            .map_err(|e| CliError::Usage(format!("reading the trusted lists: {e}")))?;
        Ok(Some((directory, findings)))
    }
}

/// Reads lists from files (the list readers of `trust::etsi_tl` do no I/O): a LOTL among `paths` is judged against `pins.lotl_signers` and
/// followed, each pointer read from the file of `paths` (or beside the LOTL) named like the
/// last segment of its location; every other list is judged on its own against
/// `pins.list_signers`. Returns the accepted services and every finding.
fn load_directory(
    paths: &[PathBuf],
    pins: &Pins,
    at: i64,
) -> Result<(ServiceDirectory, Vec<Violation>), String> {
    let read = |p: &Path| -> Result<String, String> {
        let bytes = crate::files::read(
            p,
            crate::files::Limit {
                bytes: MAX_LIST_BYTES as u64,
                what: "a trusted list",
            },
        )
        .map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", p.display()))
    };
    let mut texts = Vec::new();
    for p in paths {
        texts.push((p.clone(), read(p)?));
    }
    let mut directory = ServiceDirectory::default();
    let mut findings = Vec::new();
    let mut followed: Vec<PathBuf> = Vec::new();
    for (path, text) in &texts {
        let is_lotl = etsi_tl::parse::parse(text).is_ok_and(|l| l.is_lotl());
        if !is_lotl {
            continue;
        }
        let beside = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let loaded = lotl::follow(
            &path.display().to_string(),
            text,
            &pins.lotl_signers,
            at,
            |location| {
                let name = location.rsplit('/').next().unwrap_or(location);
                let file = paths
                    .iter()
                    .find(|p| p.file_name().is_some_and(|f| f == name))
                    .cloned()
                    .unwrap_or_else(|| beside.join(name));
                followed.push(file.clone());
                std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
            },
        );
        directory.services.extend(loaded.directory.services);
        findings.extend(loaded.lists.into_iter().flat_map(|l| l.findings));
    }
    for (path, text) in &texts {
        if followed.contains(path) || etsi_tl::parse::parse(text).is_ok_and(|l| l.is_lotl()) {
            continue;
        }
        let outcome = lotl::judge_list(
            "",
            &path.display().to_string(),
            text,
            &pins.list_signers,
            at,
        );
        if outcome.accepted()
            && let Some(l) = &outcome.list
        {
            directory.services.extend(l.services.iter().cloned());
        }
        findings.extend(outcome.findings);
    }
    Ok((directory, findings))
}
