//! `polku retention`: cohorts by first occurrence and how many stay active period by period.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::retention::{RetentionQuery, RetentionRow};
use polku_engine::time::Period;

use super::funnel::{JourneyFormat, ScopeArgs, aligned, tr, with_spinner, write_out};
use crate::tr::Tr;

/// Cohort periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    /// UTC days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        }
    }
}

/// Options of `polku retention`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A cohort is the customers whose first event (or first --event) fell in \
one period; period 0 is that period, so its retention is 1.\n\nExample:\n  polku retention \
--event purchase --period month"
)]
pub struct RetentionArgs {
    /// The event that makes a customer active (default: any event).
    #[arg(long, value_name = "E")]
    pub event: Option<String>,
    /// The cohort period.
    #[arg(long, value_enum, default_value_t = PeriodArg::Week)]
    pub period: PeriodArg,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format: CSV `cohort,period,active,retention` by default.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Csv)]
    pub format: JourneyFormat,
}

/// Runs `polku retention`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid or the query fails.
pub fn run(args: &RetentionArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let query = RetentionQuery {
        event: args.event.clone(),
        period: args.period.into(),
        range: args.scope.range()?,
    };
    let (model, analytics) = args.scope.open(workspace)?;
    let rows = with_spinner("retention", || analytics.retention(&query))?;
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rows)?),
        JourneyFormat::Csv => csv(&rows),
        JourneyFormat::Table => table(&tr(&model), &rows),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(rows: &[RetentionRow]) -> String {
    let mut out = String::from("cohort,period,active,retention\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{}\n",
            r.cohort, r.period, r.active, r.retention
        ));
    }
    out
}

/// The cohort triangle: one row per cohort, one column per period.
fn table(tr: &Tr, rows: &[RetentionRow]) -> String {
    let periods = rows.iter().map(|r| r.period).max().map_or(0, |p| p + 1);
    let mut header: Vec<String> = vec![tr.t("retention-cohort"), tr.t("unit-customers")];
    header.extend((0..periods).map(|p| p.to_string()));
    let mut table: Vec<Vec<String>> = Vec::new();
    for r in rows {
        if r.period == 0 {
            table.push(vec![r.cohort.clone(), r.active.to_string()]);
        }
        if let Some(last) = table.last_mut() {
            last.push(tr.share(r.retention));
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    aligned(&header, &table)
}
