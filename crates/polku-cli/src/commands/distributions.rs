//! `polku distributions`: how long and how many touchpoints it takes customers to convert,
//! next to the shares the seed articles quote.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::distributions::{Bucket, DistributionReport};

use super::funnel::{JourneyFormat, ScopeArgs, aligned, tr, with_spinner, write_out};
use super::kpis::bound_map;
use crate::tr::Tr;

/// Options of `polku distributions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "With --map the touches are the map's touchpoints (through their \
`match` rules) and the conversion is the map's `conversion` touchpoint; without it, touches \
are events and --conversion names the conversion event. Repeats of one touch in a row count \
once. With neither, the one map whose touchpoints have `match` rules is used.\n\nExamples:\n  polku distributions --map hr-hanna-current\n  polku distributions \
--conversion purchase --format json"
)]
pub struct DistributionsArgs {
    /// The map whose touchpoints are the touches (default, without --conversion: the one
    /// map whose touchpoints have `match` rules).
    #[arg(long, value_name = "MAP_ID")]
    pub map: Option<String>,
    /// The conversion: an event name, or a touchpoint id with --map (default: the map's
    /// conversion touchpoint).
    #[arg(long, value_name = "X")]
    pub conversion: Option<String>,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku distributions`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid or the query fails.
pub fn run(args: &DistributionsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let range = args.scope.range()?;
    let (model, analytics) = args.scope.open(workspace)?;
    // Neither a map nor a conversion: the one map with `match` rules, as `kpis` does.
    let map = match (&args.map, &args.conversion) {
        (None, None) => Some(bound_map(&model, None).map_err(|e| {
            anyhow::anyhow!(
                "give the conversion event with --conversion, or a map with --map ({e})"
            )
        })?),
        (map, _) => map.clone(),
    };
    let report = with_spinner("distributions", || {
        analytics.distributions(&model, map.as_deref(), args.conversion.as_deref(), range)
    })?;
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr(&model), &report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(report: &DistributionReport) -> String {
    let mut out = String::from("measure,bucket,customers,share\n");
    for (measure, buckets) in [
        ("days_to_conversion", &report.time_to_conversion),
        ("touchpoints_before", &report.touchpoints_before),
    ] {
        for b in buckets {
            out.push_str(&format!(
                "{measure},{},{},{}\n",
                b.bucket, b.customers, b.share
            ));
        }
    }
    out
}

fn rows(tr: &Tr, buckets: &[Bucket]) -> Vec<Vec<String>> {
    buckets
        .iter()
        .map(|b| vec![b.bucket.clone(), b.customers.to_string(), tr.share(b.share)])
        .collect()
}

fn table(tr: &Tr, r: &DistributionReport) -> String {
    let mut out = tr.args(
        "dist-heading",
        &[
            ("converted", r.converted.to_string()),
            ("conversion", r.conversion.clone()),
        ],
    );
    out.push_str("\n\n");
    let block = |first: &str, buckets: &[Bucket]| {
        tr.table(
            &[first, "unit-customers", "paths-share"],
            &rows(tr, buckets),
        )
    };
    out.push_str(&block("dist-time", &r.time_to_conversion));
    out.push('\n');
    out.push_str(&block("dist-touchpoints", &r.touchpoints_before));
    let shares = [
        (
            "dist-month",
            r.shares.month_or_more,
            r.seed_shares.month_or_more,
        ),
        (
            "dist-three",
            r.shares.three_or_more_touchpoints,
            r.seed_shares.three_or_more_touchpoints,
        ),
        (
            "dist-six",
            r.shares.six_or_more_touchpoints,
            r.seed_shares.six_or_more_touchpoints,
        ),
    ];
    let rows: Vec<Vec<String>> = shares
        .iter()
        .map(|(what, ours, seeds)| vec![tr.t(what), tr.share(*ours), tr.share(*seeds)])
        .collect();
    out.push('\n');
    let header = [String::new(), tr.t("dist-here"), tr.t("dist-seeds")];
    out.push_str(&aligned(&header.each_ref().map(String::as_str), &rows));
    out
}
