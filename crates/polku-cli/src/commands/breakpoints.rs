//! `polku breakpoints [MAP_ID]`: where customers stall or leave more than expected, and what
//! it costs: the prioritised list of what to fix first.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use polku_engine::TimeRange;
use polku_engine::breakpoints::{BreakpointsReport, PointKind};
use polku_engine::time::{DAY_US, date_range};

use super::funnel::{
    JourneyFormat, ScopeArgs, aligned, csv_field, percent, with_spinner, write_out,
};

/// Options of `polku breakpoints`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each stage and touchpoint of the map is set against a baseline: its \
drop-off in the period before (by default the last 28 days of data against the 28 days \
before). Customers lost beyond the baseline rate × the share that converts once past the point \
× the average conversion value is the value lost; the list is sorted by it.\n\nExamples:\n  \
polku breakpoints hr-hanna-current\n  polku breakpoints --from 2026-03-01 --to 2026-03-31 \
--format json"
)]
pub struct BreakpointsArgs {
    /// The map (default: the one map whose touchpoints have match rules).
    #[arg(value_name = "MAP_ID")]
    pub map: Option<String>,
    /// Which events count; --from and --to set the period.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// The first day of the baseline period (default: as long before the period as the
    /// period is long).
    #[arg(long, value_name = "DATE", requires = "baseline_to")]
    pub baseline_from: Option<String>,
    /// The last day of the baseline period.
    #[arg(long, value_name = "DATE", requires = "baseline_from")]
    pub baseline_to: Option<String>,
    /// Show at most this many rows.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku breakpoints`.
///
/// # Errors
/// When the workspace cannot be read, the map is unknown or unbound, or the query fails.
pub fn run(args: &BreakpointsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let period = args.scope.range()?;
    let baseline: Option<TimeRange> = match (&args.baseline_from, &args.baseline_to) {
        (Some(f), Some(t)) => Some(date_range(Some(f), Some(t))?),
        _ => None,
    };
    let (model, analytics) = args.scope.open(workspace)?;
    let map = match &args.map {
        Some(m) => m.clone(),
        None => {
            let bound: Vec<&str> = model
                .maps
                .iter()
                .filter(|m| {
                    m.doc
                        .stages
                        .iter()
                        .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()))
                })
                .map(|m| m.doc.id.as_str())
                .collect();
            match bound.as_slice() {
                [one] => (*one).to_owned(),
                [] => bail!("no map has touchpoints with `match` rules: add some to measure a map"),
                many => bail!(
                    "several maps can be measured ({}): name one",
                    many.join(", ")
                ),
            }
        }
    };
    let mut report = with_spinner("breakpoints", || {
        analytics.breakpoints(&model, &map, period, baseline)
    })?;
    if let Some(n) = args.top {
        report.breakpoints.truncate(n);
    }
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn kind(k: PointKind) -> &'static str {
    match k {
        PointKind::Stage => "stage",
        PointKind::Touchpoint => "touchpoint",
    }
}

fn csv(r: &BreakpointsReport) -> String {
    let mut out = String::from(
        "kind,id,stage,owner,reached,left,drop_off_rate,expected_rate,excess_lost,downstream_conversion,value_lost\n",
    );
    for b in &r.breakpoints {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            kind(b.kind),
            csv_field(&b.id),
            csv_field(&b.stage),
            b.owner.as_deref().map(csv_field).unwrap_or_default(),
            b.reached,
            b.left,
            b.drop_off_rate,
            b.expected_rate.map_or_else(String::new, |e| e.to_string()),
            b.excess_lost,
            b.downstream_conversion,
            b.value_lost
        ));
    }
    out
}

fn day(us: i64) -> String {
    polku_engine::time::Period::Day.label(us.div_euclid(DAY_US))
}

fn table(r: &BreakpointsReport) -> String {
    let rows: Vec<Vec<String>> = r
        .breakpoints
        .iter()
        .map(|b| {
            vec![
                format!("{} {}", kind(b.kind), b.id),
                b.owner.clone().unwrap_or_default(),
                b.reached.to_string(),
                percent(b.drop_off_rate),
                b.expected_rate.map_or_else(|| "n/a".to_owned(), percent),
                format!("{:.0}", b.excess_lost),
                format!("{:.1}", b.value_lost),
            ]
        })
        .collect();
    let mut out = format!(
        "{}: {} to {} against {} to {}\n\n",
        r.map,
        day(r.period.0),
        day(r.period.1 - 1),
        day(r.baseline.0),
        day(r.baseline.1 - 1)
    );
    out.push_str(&aligned(
        &[
            "where",
            "owner",
            "reached",
            "left",
            "expected",
            "lost",
            "value lost",
        ],
        &rows,
    ));
    out.push_str(&match r.average_value {
        Some(v) => format!("\nvalue lost = lost × downstream conversion × average value {v:.2}\n"),
        None => "\nthe data has no values: value lost is in converted customers\n".to_owned(),
    });
    out
}
