//! `polku funnel`: how many customers (or sessions) reach each of a list of steps.
//!
//! Also holds what the journey commands share: opening the workspace's model and tables,
//! the common options, the spinner, and number formatting.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use polku_engine::funnel::{FunnelOrder, FunnelQuery, FunnelReport, JourneyUnit};
use polku_engine::matching::{MapMatcher, StepTarget, map_for_steps, resolve_step};
use polku_engine::paths::PathNode;
use polku_engine::time::{date_range, parse_duration};
use polku_engine::{Analytics, TimeRange};
use polku_model::Workspace;
use polku_store::{LoadError, WorkspaceDir};

use crate::tr::Tr;

/// Journeys: all of a customer's events, or sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    /// One journey per customer.
    Customer,
    /// One journey per session (the data's session id, else a pause ends it).
    Session,
}

impl From<ByArg> for JourneyUnit {
    fn from(b: ByArg) -> Self {
        match b {
            ByArg::Customer => JourneyUnit::Customer,
            ByArg::Session => JourneyUnit::Session,
        }
    }
}

/// How funnel steps must follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrderArg {
    /// In order; other events may come between steps.
    Ordered,
    /// In order, each step the very next event.
    Strict,
    /// In any order.
    Any,
}

impl From<OrderArg> for FunnelOrder {
    fn from(o: OrderArg) -> Self {
        match o {
            OrderArg::Ordered => FunnelOrder::Ordered,
            OrderArg::Strict => FunnelOrder::Strict,
            OrderArg::Any => FunnelOrder::Any,
        }
    }
}

/// Output formats of the journey commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JourneyFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Options every journey command shares: which events count.
#[derive(Debug, Clone, clap::Args)]
pub struct ScopeArgs {
    /// Only events on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only events on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only customers of this persona (by the `rules` of its file).
    #[arg(long, value_name = "ID")]
    pub persona: Option<String>,
}

impl ScopeArgs {
    /// The time range, after checking the options.
    pub(crate) fn range(&self) -> anyhow::Result<TimeRange> {
        Ok(date_range(self.from.as_deref(), self.to.as_deref())?)
    }

    /// Opens the workspace as [`open`] does, restricted to the persona's customers when one is
    /// asked for.
    pub(crate) fn open(&self, workspace: &Path) -> anyhow::Result<(Workspace, Analytics)> {
        let (model, analytics) = open(workspace)?;
        let analytics = restrict(analytics, &model, self.persona.as_deref())?;
        Ok((model, analytics))
    }
}

/// Restricts a session to a persona's customers (nothing to do without a persona).
pub(crate) fn restrict(
    mut analytics: Analytics,
    model: &Workspace,
    persona: Option<&str>,
) -> anyhow::Result<Analytics> {
    if let Some(p) = persona {
        analytics.restrict_to_persona(model, p)?;
    }
    Ok(analytics)
}

/// Options of `polku funnel`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Steps are event names, or touchpoint and stage ids of a map whose \
touchpoints have `match` rules.\n\nExamples:\n  polku funnel --steps page_view,signup,purchase \
--window 7d\n  polku funnel --steps awareness,consideration,purchase --format json"
)]
pub struct FunnelArgs {
    /// The steps in order, comma separated: event names, touchpoint ids or stage ids.
    #[arg(long, value_delimiter = ',', required = true, value_name = "A,B,C")]
    pub steps: Vec<String>,
    /// Count customers or sessions.
    #[arg(long, value_enum, default_value_t = ByArg::Customer)]
    pub by: ByArg,
    /// The most time from the first step to the last, e.g. 30m, 12h, 7d, 2w (default: no
    /// limit).
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// `ordered` lets other events sit between steps, `strict` does not, `any` ignores order.
    #[arg(long, value_enum, default_value_t = OrderArg::Ordered)]
    pub order: OrderArg,
    /// The map whose touchpoints and stages the steps name (found from the steps when left
    /// out).
    #[arg(long, value_name = "MAP_ID")]
    pub map: Option<String>,
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

/// Runs `polku funnel`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid or the query fails.
pub fn run(args: &FunnelArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let query = FunnelQuery {
        steps: args.steps.iter().map(|s| s.trim().to_owned()).collect(),
        by: args.by.into(),
        window_us: args.window.as_deref().map(parse_duration).transpose()?,
        order: args.order.into(),
        range: args.scope.range()?,
        map: args.map.clone(),
        session_gap_us: parse_duration(&args.session_timeout)?,
    };
    if query.steps.iter().any(String::is_empty) {
        bail!("--steps has an empty step");
    }
    let (model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("funnel", || analytics.funnel(&model, &query))?;
    let matcher = match &query.map {
        Some(id) => Some(MapMatcher::find(&model, id)?),
        None => map_for_steps(&model, &query.steps)?,
    };
    let tr = tr(&model);
    if let Some(m) = &matcher {
        note_unmatched(&tr, &analytics, m, query.range)?;
    }
    // A step that is neither a bound touchpoint or stage nor an event of the data counts 0
    // without this note, which reads like a real drop.
    let events: Vec<String> = query
        .steps
        .iter()
        .filter(|s| matches!(resolve_step(matcher.as_ref(), s), StepTarget::Event(_)))
        .cloned()
        .collect();
    for step in analytics.missing_nodes(None, PathNode::Event, &events, query.range)? {
        let id = if query.range == TimeRange::ALL {
            "note-step-missing"
        } else {
            "note-step-missing-period"
        };
        note(&tr.args(id, &[("step", step)]));
    }
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr, &report, &query),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(report: &FunnelReport) -> String {
    let mut out = String::from("step,count,conversion,from_previous,median_time_from_previous_s\n");
    for s in &report.steps {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_field(&s.step),
            s.count,
            s.conversion,
            s.from_previous,
            s.median_time_from_previous_s
                .map_or_else(String::new, |m| m.to_string())
        ));
    }
    out
}

fn table(tr: &Tr, report: &FunnelReport, query: &FunnelQuery) -> String {
    let unit = tr.t(match query.by {
        JourneyUnit::Customer => "unit-customers",
        JourneyUnit::Session => "unit-sessions",
    });
    let rows: Vec<Vec<String>> = report
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                format!("{}. {}", i + 1, s.step),
                s.count.to_string(),
                tr.share(s.conversion),
                if i == 0 {
                    String::new()
                } else {
                    tr.share(s.from_previous)
                },
                s.median_time_from_previous_s
                    .map_or_else(String::new, |m| tr.seconds(m)),
            ]
        })
        .collect();
    let header = [
        tr.t("funnel-step"),
        unit,
        tr.t("funnel-of-first"),
        tr.t("funnel-of-previous"),
        tr.t("funnel-median-time"),
    ];
    let mut out = aligned(&header.each_ref().map(String::as_str), &rows);
    let window = query.window_us.map_or_else(
        || tr.t("funnel-no-window"),
        |w| tr.args("funnel-window", &[("window", tr.seconds(w as f64 / 1e6))]),
    );
    let order = tr.t(match query.order {
        FunnelOrder::Ordered => "funnel-order-ordered",
        FunnelOrder::Strict => "funnel-order-strict",
        FunnelOrder::Any => "funnel-order-any",
    });
    out.push_str(&format!(
        "\n{}\n",
        tr.args("funnel-order", &[("order", order), ("window", window)])
    ));
    out
}

/// Opens the workspace's documents and tables; prints the documents' errors and fails on them.
pub(crate) fn open(workspace: &Path) -> anyhow::Result<(Workspace, Analytics)> {
    let dir = WorkspaceDir::open(workspace)
        .with_context(|| format!("cannot open the workspace {}", workspace.display()))?;
    let model = match dir.load() {
        Ok(model) => model,
        Err(LoadError::Invalid(diagnostics)) => {
            let mut err = std::io::stderr().lock();
            for d in &diagnostics {
                let _ = writeln!(err, "{d}");
            }
            bail!(
                "{} error(s) in the workspace: fix them, or run `polku validate`",
                diagnostics.len()
            );
        }
        Err(LoadError::Store(e)) => return Err(e.into()),
    };
    super::fold_collected(workspace, &tr(&model))?;
    let analytics = Analytics::open(workspace)
        .with_context(|| format!("cannot read the data of {}", workspace.display()))?;
    if analytics.event_files().is_empty() {
        note(&tr(&model).t("note-no-events"));
    }
    Ok((model, analytics))
}

/// The words of the workspace's language, for tables and notes.
pub(crate) fn tr(model: &Workspace) -> Tr {
    Tr::new(model.config.doc.language)
}

/// Runs a query with a spinner on standard error (shown only on a terminal).
pub(crate) fn with_spinner<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let spinner = ProgressBar::new_spinner().with_message(format!("{what}…"));
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        spinner.set_style(style);
    }
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = f();
    spinner.finish_and_clear();
    result
}

/// Says on standard error how many events match no touchpoint of the map, and which; or,
/// for a map without `match` rules, that it binds no event at all.
pub(crate) fn note_unmatched(
    tr: &Tr,
    analytics: &Analytics,
    matcher: &MapMatcher<'_>,
    range: TimeRange,
) -> anyhow::Result<()> {
    if !matcher.is_bound() {
        note(&tr.args(
            "note-map-unbound",
            &[("map", matcher.map().id.as_str().to_owned())],
        ));
        return Ok(());
    }
    let summary = analytics.match_summary(matcher, range)?;
    if summary.unmatched > 0 {
        let listed: Vec<String> = summary
            .unmatched_events
            .iter()
            .map(|e| format!("{} ({})", e.event, e.events))
            .collect();
        note(&tr.args(
            "note-unmatched",
            &[
                ("unmatched", summary.unmatched.to_string()),
                ("events", summary.events.to_string()),
                ("map", matcher.map().id.as_str().to_owned()),
                ("listed", listed.join(", ")),
            ],
        ));
    }
    Ok(())
}

/// Writes to standard output.
pub(crate) fn write_out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Writes a line to standard error.
pub(crate) fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// A CSV field, quoted when needed.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Columns aligned with two spaces; numbers (cells that start with a digit) right-aligned.
pub(crate) fn aligned(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            width[i] = width[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(cell.chars().count());
            let numeric = i > 0 && cell.starts_with(|c: char| c.is_ascii_digit());
            if i > 0 {
                s.push_str("  ");
            }
            if numeric {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad));
                }
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
