//! `polku stats`: what the workspace's data holds.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use polku_store::stats::{Stats, stats};

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
    polku_store::WorkspaceDir::open(workspace_dir)?;
    super::fold_collected(workspace_dir)?;
    let s = stats(workspace_dir)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => writeln!(out, "{}", to_json(&s))?,
        StatsFormat::Text => {
            writeln!(out, "events     {}", s.events)?;
            writeln!(out, "customers  {}", s.customers)?;
            if let (Some(first), Some(last)) = (time(s.first), time(s.last)) {
                writeln!(out, "from       {first}")?;
                writeln!(out, "to         {last}")?;
            }
            if !s.sources.is_empty() {
                writeln!(out, "by source")?;
                for (k, v) in &s.sources {
                    writeln!(out, "  {k:<24} {v}")?;
                }
            }
            if !s.channels.is_empty() {
                writeln!(out, "by channel group")?;
                let mut channels: Vec<_> = s.channels.iter().collect();
                channels.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                for (k, v) in channels {
                    writeln!(out, "  {k:<24} {v}")?;
                }
            }
            writeln!(out, "cost rows  {}", s.cost_rows)?;
            writeln!(out, "survey     {} answers", s.survey_answers)?;
            writeln!(out, "interviews {}", s.interviews)?;
            writeln!(out, "imports    {}", s.imports)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
