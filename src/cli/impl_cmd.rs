//! `accord impl check FILE...`: validates implementation manifests. Exit 0 when every file is
//! valid, 2 when any is not. Every problem of every file is printed, in file order, as
//! `FILE:LINE: field: message` (a missing field at the header of the table it belongs in).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliError;
use crate::run::manifest::{self, ManifestError};

#[derive(Debug, Subcommand)]
pub enum ImplCommand {
    /// Check implementation manifests (implementations/*.toml): every problem of each file,
    /// as FILE:LINE: field: message. Exit 0 all valid, 2 otherwise.
    Check {
        /// The manifests to check.
        #[arg(required = true, value_name = "MANIFEST")]
        files: Vec<PathBuf>,
    },
}

pub fn run(command: ImplCommand) -> Result<ExitCode, CliError> {
    let ImplCommand::Check { files } = command;
    let mut out = String::new();
    let mut err = String::new();
    for file in &files {
        match manifest::load(file) {
            Ok(m) => {
                let roles = m.role_names();
                out.push_str(&format!(
                    "{}: ok ({} {} {}, {})\n",
                    file.display(),
                    m.id.get_ref(),
                    m.vendor.get_ref(),
                    m.version.get_ref(),
                    roles.join(", ")
                ));
            }
            Err(ManifestError::Invalid { path, problems }) => {
                for p in problems {
                    err.push_str(&p.located(&path));
                    err.push('\n');
                }
            }
            Err(e @ ManifestError::Read(_)) => err.push_str(&format!("{e}\n")),
        }
    }
    print!("{out}");
    eprint!("{err}");
    Ok(if err.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
