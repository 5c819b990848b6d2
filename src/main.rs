//! The `accord` binary: parse the arguments, run, exit with the documented code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    accord::cli::run(accord::cli::Cli::parse())
}
