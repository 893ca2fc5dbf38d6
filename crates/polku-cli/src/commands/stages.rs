//! `polku stages MAP_ID`: the measured stage funnel of a map: reach, conversion to the next
//! stage, drop-off, time in stage, and every move between stages, backward ones included.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::stages::StagesReport;

use super::funnel::{
    JourneyFormat, ScopeArgs, aligned, csv_field, note, tr, with_spinner, write_out,
};
use crate::tr::Tr;

/// Options of `polku stages`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Events become touchpoints through the `match` rules of the map's \
touchpoints, and touchpoints belong to stages; events that match no touchpoint are counted \
and listed.\n\nExample:\n  polku stages hr-hanna-current --format json"
)]
pub struct StagesArgs {
    /// The map to measure.
    #[arg(value_name = "MAP_ID")]
    pub map: String,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku stages`.
///
/// # Errors
/// When the workspace cannot be read, the map is unknown or unbound, or the query fails.
pub fn run(args: &StagesArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let range = args.scope.range()?;
    let (model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("stages", || analytics.stages(&model, &args.map, range))?;
    let tr = tr(&model);
    if report.coverage.unmatched > 0 && args.format != JourneyFormat::Table {
        note(&tr.args(
            "note-stages-unmatched",
            &[
                ("unmatched", report.coverage.unmatched.to_string()),
                ("events", report.coverage.events.to_string()),
            ],
        ));
    }
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr, &report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(report: &StagesReport) -> String {
    let mut out = String::from(
        "stage,reached,reached_next,conversion_to_next,drop_off,drop_off_rate,median_time_in_stage_s\n",
    );
    for s in &report.stages {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            csv_field(&s.stage),
            s.reached,
            s.reached_next,
            s.conversion_to_next,
            s.drop_off,
            s.drop_off_rate,
            s.median_time_in_stage_s
                .map_or_else(String::new, |m| m.to_string())
        ));
    }
    out
}

fn table(tr: &Tr, report: &StagesReport) -> String {
    let last = report.stages.len().saturating_sub(1);
    let rows: Vec<Vec<String>> = report
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                s.stage.clone(),
                s.reached.to_string(),
                if i == last {
                    String::new()
                } else {
                    tr.share(s.conversion_to_next)
                },
                if i == last {
                    String::new()
                } else {
                    format!("{} ({})", s.drop_off, tr.share(s.drop_off_rate))
                },
                s.median_time_in_stage_s
                    .map_or_else(String::new, |m| tr.seconds(m)),
            ]
        })
        .collect();
    let mut out = tr.args(
        "stages-heading",
        &[
            ("map", report.map.clone()),
            ("customers", report.customers.to_string()),
        ],
    );
    out.push_str("\n\n");
    let header = [
        "stages-stage",
        "stages-reached",
        "stages-to-next",
        "stages-drop-off",
        "stages-median-time",
    ];
    out.push_str(&tr.table(&header, &rows));
    out.push_str(&format!("\n{}\n", tr.t("stages-moves")));
    let names: Vec<&str> = report.stages.iter().map(|s| s.stage.as_str()).collect();
    let mut header = vec![""];
    header.extend(&names);
    let matrix: Vec<Vec<String>> = report
        .transitions
        .iter()
        .zip(&names)
        .map(|(row, name)| {
            let mut cells = vec![(*name).to_owned()];
            cells.extend(row.iter().map(u64::to_string));
            cells
        })
        .collect();
    out.push_str(&aligned(&header, &matrix));
    out.push_str(&tr.counts("stages-backward", &[("n", report.backward_moves)]));
    out.push('\n');
    let c = &report.coverage;
    if c.unmatched > 0 {
        let listed: Vec<String> = c
            .unmatched_events
            .iter()
            .map(|e| format!("{} ({})", e.event, e.events))
            .collect();
        let line = tr.args(
            "stages-unmatched",
            &[
                ("unmatched", c.unmatched.to_string()),
                ("events", c.events.to_string()),
                ("listed", listed.join(", ")),
            ],
        );
        out.push_str(&format!("\n{line}\n"));
    }
    out
}
