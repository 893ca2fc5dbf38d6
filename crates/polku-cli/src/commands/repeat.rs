//! `polku repeat`: how many customers did an event on two or more different days.

use std::path::Path;
use std::process::ExitCode;

use super::funnel::{JourneyFormat, ScopeArgs, tr, with_spinner, write_out};

/// Options of `polku repeat`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A repeat customer did the event on two or more different days (UTC).\n\n\
Example:\n  polku repeat --event purchase --format json"
)]
pub struct RepeatArgs {
    /// The event (default: any event).
    #[arg(long, value_name = "E")]
    pub event: Option<String>,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku repeat`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid or the query fails.
pub fn run(args: &RepeatArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let range = args.scope.range()?;
    let (model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("repeat", || analytics.repeat(args.event.as_deref(), range))?;
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => format!(
            "customers,repeat_customers,repeat_rate\n{},{},{}\n",
            report.customers, report.repeat_customers, report.repeat_rate
        ),
        JourneyFormat::Table => {
            let tr = tr(&model);
            let lines = [
                (tr.t("unit-customers"), report.customers.to_string()),
                (
                    tr.t("repeat-customers"),
                    report.repeat_customers.to_string(),
                ),
                (tr.t("repeat-rate"), tr.share(report.repeat_rate)),
            ];
            let width = lines
                .iter()
                .map(|(l, _)| l.chars().count())
                .max()
                .unwrap_or(0)
                + 2;
            lines
                .iter()
                .map(|(label, value)| {
                    let pad = width - label.chars().count();
                    format!("{label}{}{value}\n", " ".repeat(pad))
                })
                .collect()
        }
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}
