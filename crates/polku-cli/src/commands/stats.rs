//! `polku stats`: what the workspace's data holds.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use polku_store::stats::{Stats, stats};

use crate::tr::Tr;

/// How `polku stats` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// Options of `polku stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

fn time(us: Option<i64>) -> Option<String> {
    us.map(polku_ingest::time::format_micros)
}

/// The stats as one JSON object, keys in this order:
/// `{"events":N,"customers":N,"first":TIME,"last":TIME,"sources":{...},"channels":{...},...}`.
#[must_use]
pub fn to_json(s: &Stats) -> String {
    format!(
        "{{\"events\":{},\"customers\":{},\"first\":{},\"last\":{},\"sources\":{},\"channels\":{},\"cost_rows\":{},\"survey_answers\":{},\"interviews\":{},\"imports\":{}}}",
        s.events,
        s.customers,
        j(&time(s.first)),
        j(&time(s.last)),
        j(&s.sources),
        j(&s.channels),
        s.cost_rows,
        s.survey_answers,
        s.interviews,
        s.imports
    )
}

/// A value as JSON text.
fn j<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// Runs `polku stats`.
///
/// # Errors
/// When the workspace's data cannot be read.
pub fn run(args: &StatsArgs, workspace_dir: &Path) -> anyhow::Result<ExitCode> {
    let tr = Tr::of(&polku_store::WorkspaceDir::open(workspace_dir)?);
    super::fold_collected(workspace_dir, &tr)?;
    let s = stats(workspace_dir)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => writeln!(out, "{}", to_json(&s))?,
        StatsFormat::Text => out.write_all(text(&tr, &s).as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The stats as lines for people, labels in the workspace language.
fn text(tr: &Tr, s: &Stats) -> String {
    let mut lines: Vec<(String, String)> = vec![
        (tr.t("stats-events"), s.events.to_string()),
        (tr.t("unit-customers"), s.customers.to_string()),
    ];
    if let (Some(first), Some(last)) = (time(s.first), time(s.last)) {
        lines.push((tr.t("stats-from"), first));
        lines.push((tr.t("stats-to"), last));
    }
    let head = lines.len();
    lines.extend([
        (tr.t("stats-cost-rows"), s.cost_rows.to_string()),
        (
            tr.t("stats-survey"),
            tr.counts("stats-answers", &[("n", s.survey_answers)]),
        ),
        (tr.t("stats-interviews"), s.interviews.to_string()),
        (tr.t("stats-imports"), s.imports.to_string()),
    ]);
    let width = lines
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    let line = |(label, value): &(String, String)| {
        let pad = width - label.chars().count();
        format!("{label}{}{value}\n", " ".repeat(pad))
    };
    let mut out: String = lines[..head].iter().map(line).collect();
    if !s.sources.is_empty() {
        out.push_str(&tr.t("stats-by-source"));
        out.push('\n');
        for (k, v) in &s.sources {
            out.push_str(&format!("  {k:<24} {v}\n"));
        }
    }
    if !s.channels.is_empty() {
        out.push_str(&tr.t("stats-by-channel"));
        out.push('\n');
        let mut channels: Vec<_> = s.channels.iter().collect();
        channels.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, v) in channels {
            out.push_str(&format!("  {k:<24} {v}\n"));
        }
    }
    out.extend(lines[head..].iter().map(line));
    out
}
