//! `polku import events|costs|survey|interviews FILE`: touchpoint data into the workspace.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use polku_ingest::tables::{
    TableOptions, TableReport, import_costs, import_interviews, import_survey,
};
use polku_ingest::{
    Format, ImportOptions, IngestError, MapSpec, Progress, import_events, parse_timezone,
};

/// Options of `polku import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub what: ImportCommand,
}

/// The kinds of data `polku import` takes.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Touchpoint events: CSV, NDJSON or Parquet with a column mapping, GA4 BigQuery exports
    /// and Segment messages without one.
    Events(ImportEventsArgs),
    /// Ad costs per day and campaign (CSV; Google Ads and Meta exports are recognised).
    Costs(ImportTableArgs),
    /// Survey answers (CSV, long or wide); "how did you hear about us" answers are mapped to
    /// channel groups.
    Survey(ImportTableArgs),
    /// Customer interviews (YAML, or CSV with one row per step).
    Interviews(ImportTableArgs),
}

/// The `--format` of an event file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Comma-, semicolon-, tab- or pipe-separated values with a header line.
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
    /// Google Analytics 4 BigQuery export rows, NDJSON.
    Ga4,
    /// Segment-spec messages (track, page, screen, identify, alias, batch), NDJSON.
    Segment,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Parquet => Format::Parquet,
            FormatArg::Ga4 => Format::Ga4,
            FormatArg::Segment => Format::Segment,
        }
    }
}

/// Options of `polku import events`.
#[derive(Debug, clap::Args)]
pub struct ImportEventsArgs {
    /// The file to import.
    pub file: PathBuf,
    /// The file's format; recognised from its name and content when not given.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Which column fills an event field, e.g. `--map time=created_at`; `FIELD='TEXT'` gives
    /// every row the same value, `FIELD=` turns inference off. Fields: event_id,
    /// anonymous_id, user_id, time, event, channel_group, source, medium, campaign, url,
    /// referrer, session, value, currency.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// The CSV field delimiter; recognised from the header line when not given.
    #[arg(long, value_parser = parse_delimiter, value_name = "C")]
    pub delimiter: Option<u8>,
    /// The time zone of times without an offset.
    #[arg(long, default_value = "Europe/Helsinki", value_name = "TZ")]
    pub timezone: String,
    /// Import the good rows and write the bad ones, with the reason, to FILE.
    #[arg(long, value_name = "FILE")]
    pub quarantine: Option<PathBuf>,
    /// Replace anonymous and user ids by keyed pseudonyms (the key stays in the workspace).
    #[arg(long)]
    pub pseudonymize: bool,
    /// How many threads read a large CSV file; one per core when not given.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// Options of `polku import costs|survey|interviews`.
#[derive(Debug, clap::Args)]
pub struct ImportTableArgs {
    /// The file to import.
    pub file: PathBuf,
    /// The CSV field delimiter; recognised from the header line when not given.
    #[arg(long, value_parser = parse_delimiter, value_name = "C")]
    pub delimiter: Option<u8>,
    /// The time zone of times without an offset.
    #[arg(long, default_value = "Europe/Helsinki", value_name = "TZ")]
    pub timezone: String,
    /// Replace respondent and interviewee ids by keyed pseudonyms.
    #[arg(long)]
    pub pseudonymize: bool,
    /// Costs: the currency when the file names none, e.g. EUR.
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Import the good rows and write the bad ones, with line, column and reason, to FILE
    /// (CSV files; a YAML interview file is imported whole or not at all).
    #[arg(long, value_name = "FILE")]
    pub quarantine: Option<PathBuf>,
}

/// Reads a delimiter: one character, or `tab`.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "`{s}` is not a one-character delimiter (use e.g. , ; | or tab)"
        )),
    }
}

/// A progress bar on standard error that appears only when an import takes over a second.
struct Bar {
    bar: ProgressBar,
    started: Instant,
    /// Whether standard error is a terminal, asked once: updates come thousands of times.
    terminal: bool,
    shown: AtomicBool,
    bytes: AtomicBool,
}

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        Bar {
            bar,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
            bytes: AtomicBool::new(false),
        }
    }

    fn maybe_show(&self) {
        if self.terminal
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > Duration::from_secs(1)
        {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Progress for Bar {
    fn begin(&self, phase: &str, total: Option<u64>) {
        let bytes = phase == "importing";
        self.bytes.store(bytes, Ordering::Relaxed);
        let style = match (total, bytes) {
            (Some(_), true) => {
                ProgressStyle::with_template("{msg:>12} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            }
            (Some(_), false) => {
                ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} rows")
            }
            (None, _) => ProgressStyle::with_template("{msg:>12} {spinner}"),
        }
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.bar.set_style(style);
        self.bar.set_message(phase.to_owned());
        self.bar.set_length(total.unwrap_or(0));
        self.bar.set_position(0);
        self.maybe_show();
    }

    fn set(&self, done: u64) {
        self.bar.set_position(done);
        self.maybe_show();
    }

    fn end(&self) {
        self.bar.finish_and_clear();
    }
}

/// Prints bad-row errors, one per line, on standard error.
fn print_error(err: &IngestError) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{err}");
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Runs `polku import`.
///
/// # Errors
/// When the workspace cannot be opened or written; bad input is printed and gives exit code 1.
pub fn run(args: &ImportArgs, workspace_dir: &Path) -> anyhow::Result<ExitCode> {
    polku_store::WorkspaceDir::open(workspace_dir)?;
    let user = polku_ingest::current_user();
    let result = match &args.what {
        ImportCommand::Events(a) => return run_events(a, workspace_dir, user),
        ImportCommand::Costs(a) => import_costs(workspace_dir, &a.file, &table_options(a, user)?),
        ImportCommand::Survey(a) => import_survey(workspace_dir, &a.file, &table_options(a, user)?),
        ImportCommand::Interviews(a) => {
            import_interviews(workspace_dir, &a.file, &table_options(a, user)?)
        }
    };
    match result {
        Ok(report) => {
            print_table_report(&report, &args.what)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (IngestError::BadRows(_) | IngestError::File { .. } | IngestError::Usage(_))) => {
            print_error(&e);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn table_options(a: &ImportTableArgs, user: String) -> anyhow::Result<TableOptions> {
    Ok(TableOptions {
        delimiter: a.delimiter,
        timezone: parse_timezone(&a.timezone).map_err(anyhow::Error::msg)?,
        pseudonymize: a.pseudonymize,
        user,
        currency: a.currency.clone(),
        channel_rules: None,
        quarantine: a.quarantine.clone(),
    })
}

fn print_table_report(r: &TableReport, what: &ImportCommand) -> anyhow::Result<()> {
    let noun = match what {
        ImportCommand::Costs(_) => "cost rows",
        ImportCommand::Survey(_) => "survey answers",
        ImportCommand::Interviews(_) => "interview steps",
        ImportCommand::Events(_) => "events",
    };
    let mut out = std::io::stdout().lock();
    write!(out, "imported {} {noun}", r.added)?;
    if r.duplicates > 0 {
        write!(out, " ({} already there)", r.duplicates)?;
    }
    if r.replaced > 0 {
        write!(out, ", replacing {} older steps", r.replaced)?;
    }
    if r.quarantined > 0 {
        let to = match what {
            ImportCommand::Costs(a) | ImportCommand::Survey(a) | ImportCommand::Interviews(a) => {
                a.quarantine.as_deref()
            }
            ImportCommand::Events(a) => a.quarantine.as_deref(),
        };
        let to = to.map(|p| p.display().to_string()).unwrap_or_default();
        write!(out, "; {} bad lines to {to}", r.quarantined)?;
    }
    writeln!(out, "; import {}", r.import_id)?;
    Ok(())
}

fn run_events(
    a: &ImportEventsArgs,
    workspace_dir: &Path,
    user: String,
) -> anyhow::Result<ExitCode> {
    let mapping = match a
        .map
        .iter()
        .map(|m| m.parse::<MapSpec>())
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(m) => m,
        Err(e) => {
            print_error(&e);
            return Ok(ExitCode::FAILURE);
        }
    };
    let opts = ImportOptions {
        format: a.format.map(Format::from),
        mapping,
        delimiter: a.delimiter,
        timezone: parse_timezone(&a.timezone).map_err(anyhow::Error::msg)?,
        quarantine: a.quarantine.clone(),
        pseudonymize: a.pseudonymize,
        user,
        channel_rules: None,
        read_threads: a.threads.map(usize::from),
        ..ImportOptions::default()
    };
    let bar = Bar::new();
    let result = import_events(workspace_dir, &a.file, &opts, &bar);
    bar.end();
    match result {
        Ok(r) => {
            let mut out = std::io::stdout().lock();
            write!(
                out,
                "imported {} events from {} ({})",
                r.added,
                a.file.display(),
                r.format
            )?;
            let mut notes = Vec::new();
            if r.duplicates > 0 {
                notes.push(format!("{} already there", r.duplicates));
            }
            if r.quarantined > 0 {
                let q = a
                    .quarantine
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                notes.push(format!("{} bad rows to {q}", r.quarantined));
            }
            if r.suppressed > 0 {
                notes.push(format!("{} of erased persons skipped", r.suppressed));
            }
            if r.other_messages > 0 {
                notes.push(format!("{} identity or group messages", r.other_messages));
            }
            if r.new_links > 0 {
                notes.push(format!("{} new identity links", r.new_links));
            }
            if !notes.is_empty() {
                write!(out, "; {}", notes.join(", "))?;
            }
            writeln!(out, " in {}; import {}", seconds(r.elapsed), r.import_id)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (IngestError::BadRows(_) | IngestError::File { .. } | IngestError::Usage(_))) => {
            print_error(&e);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
