//! `polku generate`: a synthetic multi-channel data set with a known ground truth.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use polku_ingest::generate::{GenerateOptions, generate};

/// Options of `polku generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// How many customers to simulate (about 15 events each).
    #[arg(long, default_value_t = 1000)]
    pub customers: u64,
    /// The random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The events CSV to write; STEM.costs.csv, STEM.survey.csv and STEM.truth.json are
    /// written beside it.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs `polku generate`.
///
/// # Errors
/// When a file cannot be written.
pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let truth = generate(&GenerateOptions {
        customers: args.customers,
        seed: args.seed,
        out: args.out.clone(),
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {} events of {} customers ({} conversions) to {}",
        truth.events,
        truth.customers,
        truth.conversions,
        args.out.display()
    )?;
    for f in truth.files.iter().skip(1) {
        writeln!(out, "wrote {f}")?;
    }
    Ok(ExitCode::SUCCESS)
}
