//! The `polku` command.

mod args;
mod commands;
mod tr;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if commands::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            if !err.is::<commands::Reported>() {
                let mut stderr = std::io::stderr().lock();
                let _ = std::io::Write::write_fmt(&mut stderr, format_args!("error: {err:#}\n"));
            }
            ExitCode::FAILURE
        }
    }
}
