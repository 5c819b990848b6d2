//! `accord impl check FILE...`: validates implementation manifests. Exit 0 when every file is
//! valid, 2 when any is not; each problem is printed as `FILE:LINE: field: message`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliError;
use crate::run::manifest::{self, ManifestError};

#[derive(Debug, Subcommand)]
pub enum ImplCommand {
    /// Check implementation manifests (implementations/*.toml). Exit 0 all valid, 2 otherwise.
    Check {
        #[arg(required = true)]
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
                    match p.line {
                        Some(l) => {
                            err.push_str(&format!("{path}:{l}: {}: {}\n", p.field, p.message))
                        }
                        None => err.push_str(&format!("{path}: {}: {}\n", p.field, p.message)),
                    }
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
