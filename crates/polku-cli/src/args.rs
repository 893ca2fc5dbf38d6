//! The command line: clap structs only; the work happens in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use polku_model::templates::TemplateKind;
use polku_model::{Language, MapKind};

/// polku: buyer personas and customer journey maps grounded in evidence, measured from
/// touchpoint data, printed as posters.
#[derive(Debug, Parser)]
#[command(name = "polku", version, max_term_width = 100)]
pub struct Cli {
    /// The workspace folder (the one with polku.yaml).
    #[arg(
        short = 'w',
        long,
        global = true,
        env = "POLKU_WORKSPACE",
        default_value = "."
    )]
    pub workspace: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace from a template: personas, a map per persona, a future-state map.
    Init(InitArgs),
    /// Check every file of the workspace; errors as FILE:LINE:COL: message.
    Validate,
    /// List the personas and maps.
    Ls(LsArgs),
    /// Draw a map as a wall poster (SVG, PNG or PDF).
    Render(RenderArgs),
    /// Compare a current-state map with its future-state map, as a picture and a summary.
    Diff(DiffArgs),
    /// Import or export Mermaid `journey` diagrams.
    #[command(subcommand)]
    Mermaid(MermaidCommand),
    /// Show the built-in stage variants and touchpoint catalogue.
    Catalogue(CatalogueArgs),
    /// Write the bundled example workspaces filled with generated data, the living-map HTML
    /// report and a poster per map.
    Demo(DemoArgs),
    /// Credit conversions to channels: first/last touch, linear, time decay, position-based,
    /// exact Markov (removal effect), Shapley and fractribution.
    Attribution(Box<crate::commands::attribution::AttributionArgs>),
    /// Import touchpoint data: events (CSV, NDJSON, Parquet, GA4, Segment), ad costs, survey
    /// answers, interviews.
    Import(crate::commands::import::ImportArgs),
    /// Counts of the imported data: events, customers, time span, per source.
    Stats(crate::commands::stats::StatsArgs),
    /// Erase one person from every table, keeping a record in the audit log.
    Forget(crate::commands::forget::ForgetArgs),
    /// Stitch every identity again and repair customers after an interrupted import.
    Restitch,
    /// Write a synthetic multi-channel data set with a known ground truth.
    Generate(crate::commands::generate::GenerateArgs),
    /// Customers (or sessions) through ordered steps: events, touchpoints or stages.
    Funnel(Box<crate::commands::funnel::FunnelArgs>),
    /// The most common paths forward from a start or back from an end, with Sankey data.
    Paths(crate::commands::paths::PathsArgs),
    /// A map's stage funnel: reach, conversion, drop-off, time in stage, transitions.
    Stages(crate::commands::stages::StagesArgs),
    /// Cohort retention by first occurrence.
    Retention(crate::commands::retention::RetentionArgs),
    /// How many customers did an event on two or more different days.
    Repeat(crate::commands::repeat::RepeatArgs),
    /// Time from first touch to conversion, and touchpoints before conversion.
    Distributions(crate::commands::distributions::DistributionsArgs),
    /// KPIs in three layers (user, traffic, sales) per channel group.
    Kpis(crate::commands::kpis::KpisArgs),
    /// Where customers stall or leave more than expected, with the value lost, worst first.
    Breakpoints(crate::commands::breakpoints::BreakpointsArgs),
    /// Conversion per variant with confidence intervals and a two-sided test.
    Abtest(crate::commands::abtest::AbtestArgs),
    /// The living-map HTML report: every map's poster with its measured numbers, stage and
    /// touchpoint tables, and the funnel, Sankey, retention and breakpoints charts.
    Report(crate::commands::report::ReportArgs),
    /// The customers now in each persona × stage, with their last touchpoint, for automation
    /// tools.
    Segments(crate::commands::segments::SegmentsArgs),
    /// The imported interviews of a map's persona per stage: touchpoints, emotion, quotes.
    Interviews(crate::commands::interviews::InterviewsArgs),
    /// Personas in the data: customers per persona by the personas' rules, and persona
    /// segments suggested by clustering.
    #[command(subcommand)]
    Personas(crate::commands::personas::PersonasCommand),
    /// Serve the web workbench (personas, maps, posters, dashboards) and the event collector.
    Serve(crate::commands::serve::ServeArgs),
    /// Manage the users of the web workbench.
    #[command(subcommand)]
    User(crate::commands::user::UserCommand),
    /// Write keys of the event collector: add, list, remove.
    #[command(subcommand)]
    Key(crate::commands::key::KeyCommand),
}

/// Options of `polku init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the workspace in.
    pub dir: PathBuf,
    /// The starter content.
    #[arg(long, value_parser = parse_template, default_value = "b2b")]
    pub template: TemplateKind,
    /// The language of texts, stage names and posters.
    #[arg(long, value_parser = parse_language, default_value = "fi")]
    pub lang: Language,
    /// The stage variant (see `polku catalogue`); the template's maps are moved onto it.
    #[arg(long)]
    pub stages: Option<String>,
    /// Overwrite the template's files in an existing workspace.
    #[arg(long)]
    pub force: bool,
}

/// Output formats of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
}

/// Options of `polku ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// Picture formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PictureFormat {
    /// Scalable vector graphics, for the browser and further editing.
    Svg,
    /// A raster image.
    Png,
    /// A vector PDF at the paper size, for print.
    Pdf,
}

/// Paper sizes of posters (landscape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    /// 420 × 297 mm.
    A3,
    /// 594 × 420 mm.
    A2,
}

/// Where and how to write a picture.
#[derive(Debug, Args)]
pub struct PictureArgs {
    /// The format; by default taken from the --out file's extension.
    #[arg(long, value_enum)]
    pub format: Option<PictureFormat>,
    /// The file to write.
    #[arg(long, short)]
    pub out: PathBuf,
    /// The paper size of the poster.
    #[arg(long, value_enum, default_value = "a3")]
    pub paper: PaperArg,
    /// The width of a PNG in pixels (at least 1600).
    #[arg(long, default_value_t = 4961, value_parser = clap::value_parser!(u32).range(1600..=20000))]
    pub width: u32,
}

/// Options of `polku render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The map's id (see `polku ls`).
    pub map: String,
    /// Draw the measured numbers from the imported events: customers reaching each stage,
    /// conversion, drop-off and trend, and each touchpoint's events.
    #[arg(long)]
    pub with_data: bool,
    /// With --with-data: only events on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", requires = "with_data")]
    pub from: Option<String>,
    /// With --with-data: only events on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", requires = "with_data")]
    pub to: Option<String>,
    /// With --with-data: only the customers of this persona (by the `rules` of its file).
    #[arg(long, value_name = "ID", requires = "with_data")]
    pub persona: Option<String>,
    /// Output.
    #[command(flatten)]
    pub picture: PictureArgs,
}

/// Options of `polku diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The current-state map's id.
    pub current: String,
    /// The future-state map's id.
    pub future: String,
    /// Output.
    #[command(flatten)]
    pub picture: PictureArgs,
}

/// `polku mermaid` subcommands.
#[derive(Debug, Subcommand)]
pub enum MermaidCommand {
    /// Read a Mermaid journey diagram into maps/ID.yaml.
    Import(MermaidImportArgs),
    /// Print a map as a Mermaid journey diagram.
    Export(MermaidExportArgs),
}

/// Options of `polku mermaid import`.
#[derive(Debug, Args)]
pub struct MermaidImportArgs {
    /// The Mermaid file (`.mmd`, or Markdown with a ```mermaid fence holding only the diagram).
    pub file: PathBuf,
    /// The new map's id; by default made from the diagram's title.
    #[arg(long)]
    pub id: Option<String>,
    /// The persona whose journey it is.
    #[arg(long)]
    pub persona: Option<String>,
    /// The kind of map.
    #[arg(long, value_parser = parse_map_kind, default_value = "current")]
    pub kind: MapKind,
    /// Replace an existing map with the same id.
    #[arg(long)]
    pub force: bool,
}

/// Options of `polku mermaid export`.
#[derive(Debug, Args)]
pub struct MermaidExportArgs {
    /// The map's id.
    pub map: String,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

/// Options of `polku catalogue`.
#[derive(Debug, Args)]
pub struct CatalogueArgs {
    /// Only the touchpoints of this phase (awareness, consideration, purchase, experience, loyalty).
    #[arg(long)]
    pub phase: Option<String>,
    /// The language of names; by default the workspace's, else Finnish.
    #[arg(long, value_parser = parse_language)]
    pub lang: Option<Language>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// Options of `polku demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The folder to write into.
    #[arg(long, default_value = "polku-demo")]
    pub out: PathBuf,
    /// The language of the example workspaces and the report.
    #[arg(long, value_parser = parse_language, default_value = "en")]
    pub lang: Language,
    /// Customers in the generated data set the examples are measured with.
    #[arg(long, default_value_t = 6000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
    pub customers: u64,
}

fn parse_language(s: &str) -> Result<Language, String> {
    s.parse()
}

fn parse_template(s: &str) -> Result<TemplateKind, String> {
    s.parse()
}

fn parse_map_kind(s: &str) -> Result<MapKind, String> {
    match s {
        "current" => Ok(MapKind::Current),
        "future" => Ok(MapKind::Future),
        "day-in-the-life" => Ok(MapKind::DayInTheLife),
        other => Err(format!(
            "unknown map kind `{other}`: use current, future or day-in-the-life"
        )),
    }
}
