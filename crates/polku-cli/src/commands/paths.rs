//! `polku paths`: the most common paths forward from a start or backward to an end, with
//! Sankey data.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use polku_engine::paths::{PathNode, PathQuery, PathsReport};
use polku_engine::time::parse_duration;
use polku_engine::udf::journey_path::PathAnchor;

use super::funnel::{
    ByArg, JourneyFormat, ScopeArgs, csv_field, note, note_unmatched, tr, with_spinner, write_out,
};
use crate::tr::Tr;

/// What the nodes of a path are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NodeArg {
    /// Event names.
    Event,
    /// Channel groups.
    Channel,
    /// Touchpoints of a map (needs --map).
    Touchpoint,
    /// Stages of a map (needs --map).
    Stage,
}

/// Options of `polku paths`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Repeats in a row count once. JSON output has the listed paths and \
Sankey data: nodes (id, name, step) and links (source and target node indices, value).\n\n\
Examples:\n  polku paths --start page_view --steps 4 --top 5\n  polku paths --end purchase \
--format json\n  polku paths --start \"Paid Search\" --node channel"
)]
pub struct PathsArgs {
    /// Paths forward from the first occurrence of this node.
    #[arg(long, value_name = "X", conflicts_with = "end")]
    pub start: Option<String>,
    /// Paths backward to the first occurrence of this node.
    #[arg(long, value_name = "X")]
    pub end: Option<String>,
    /// The most nodes in a path.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub steps: usize,
    /// How many paths to list; the rest are "other".
    #[arg(long, default_value_t = 10, value_name = "K")]
    pub top: usize,
    /// What the nodes are (touchpoint and stage need --map).
    #[arg(long, value_enum)]
    pub node: Option<NodeArg>,
    /// The map whose touchpoints or stages are the nodes.
    #[arg(long, value_name = "MAP_ID")]
    pub map: Option<String>,
    /// Paths of customers or of sessions.
    #[arg(long, value_enum, default_value_t = ByArg::Customer)]
    pub by: ByArg,
    /// The pause that ends a session when the data has no session id.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub session_timeout: String,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku paths`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid or the query fails.
pub fn run(args: &PathsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    if args.steps == 0 || args.top == 0 {
        bail!("--steps and --top must be at least 1");
    }
    let node = match (args.node, &args.map) {
        (Some(NodeArg::Event), _) | (None, None) => PathNode::Event,
        (Some(NodeArg::Channel), _) => PathNode::Channel,
        (Some(NodeArg::Touchpoint), _) | (None, Some(_)) => PathNode::Touchpoint,
        (Some(NodeArg::Stage), _) => PathNode::Stage,
    };
    let anchor = match (&args.start, &args.end) {
        (Some(s), _) => PathAnchor::From(s.clone()),
        (None, Some(e)) => PathAnchor::To(e.clone()),
        (None, None) => PathAnchor::Start,
    };
    let query = PathQuery {
        node,
        anchor,
        steps: args.steps,
        top: args.top,
        by: args.by.into(),
        range: args.scope.range()?,
        map: args.map.clone(),
        session_gap_us: parse_duration(&args.session_timeout)?,
    };
    let (model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("paths", || analytics.paths(&model, &query))?;
    let tr = tr(&model);
    let matcher = match (&query.map, query.node) {
        (Some(id), PathNode::Touchpoint | PathNode::Stage) => {
            let matcher = polku_engine::matching::MapMatcher::find(&model, id)?;
            note_unmatched(&tr, &analytics, &matcher, query.range)?;
            Some(matcher)
        }
        _ => None,
    };
    // A start or end that no event has as its node gives empty paths; say why.
    if let PathAnchor::From(name) | PathAnchor::To(name) = &query.anchor {
        let names = std::slice::from_ref(name);
        if !analytics
            .missing_nodes(matcher.as_ref(), query.node, names, query.range)?
            .is_empty()
        {
            let map = query.map.clone().unwrap_or_default();
            let what = match (query.node, &query.map) {
                (PathNode::Event, _) => tr.t("paths-what-event"),
                (PathNode::Channel, _) => tr.t("paths-what-channel"),
                (PathNode::Touchpoint, Some(_)) => {
                    tr.args("paths-what-touchpoint", &[("map", map)])
                }
                (PathNode::Stage, Some(_)) => tr.args("paths-what-stage", &[("map", map)]),
                (PathNode::Touchpoint | PathNode::Stage, None) => tr.t("paths-what-node"),
            };
            let id = if matches!(query.anchor, PathAnchor::From(_)) {
                "note-paths-no-start"
            } else {
                "note-paths-no-end"
            };
            note(&tr.args(id, &[("name", name.clone()), ("what", what)]));
        }
    }
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr, &report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(report: &PathsReport) -> String {
    let mut out = String::from("path,journeys\n");
    for p in &report.paths {
        out.push_str(&format!(
            "{},{}\n",
            csv_field(&p.path.join(" > ")),
            p.journeys
        ));
    }
    if report.other > 0 {
        out.push_str(&format!(
            "{},{}\n",
            polku_engine::paths::OTHER,
            report.other
        ));
    }
    out
}

fn share(tr: &Tr, n: u64, of: u64) -> String {
    if of == 0 {
        String::new()
    } else {
        #[allow(clippy::cast_precision_loss)]
        let s = n as f64 / of as f64;
        tr.share(s)
    }
}

fn table(tr: &Tr, report: &PathsReport) -> String {
    let mut rows: Vec<Vec<String>> = report
        .paths
        .iter()
        .map(|p| {
            vec![
                p.path.join(" > "),
                p.journeys.to_string(),
                share(tr, p.journeys, report.journeys),
            ]
        })
        .collect();
    if report.other > 0 {
        rows.push(vec![
            format!("({})", tr.t("paths-other")),
            report.other.to_string(),
            share(tr, report.other, report.journeys),
        ]);
    }
    let mut out = tr.table(&["paths-path", "paths-journeys", "paths-share"], &rows);
    out.push_str(&format!(
        "\n{}\n",
        tr.counts("paths-total", &[("n", report.journeys)])
    ));
    out
}
