//! Every polku picture, drawn once as SVG: journey map posters, current-vs-future diffs, and
//! the offline HTML report that holds them.
//!
//! The renderer is a pure function of the documents: [`poster_svg`] and [`diff_svg`] build SVG
//! text; [`svg_to_png`] (through resvg) and [`svg_to_pdf`] (through svg2pdf, vector) convert
//! it. Text is set in the bundled Noto Sans and measured with the same font files that draw
//! it, and the converters see no other fonts, so a poster looks the same on every machine.
//! The pictures' own words (lane names, legends) follow the workspace language.
//!
//! ```
//! use polku_model::{JourneyMap, Language, Stage, StageDef, WorkspaceConfig};
//! use polku_render::{Paper, PosterInput, poster_svg, svg_to_png};
//!
//! let workspace = WorkspaceConfig {
//!     name: "Esimerkki Oy".into(),
//!     language: Language::Fi,
//!     stages: vec![StageDef {
//!         id: "tietoisuus".parse().unwrap(),
//!         name: "Tietoisuus".into(),
//!         phase: None,
//!         description: None,
//!     }],
//!     teams: vec![],
//!     channel_groups: vec![],
//! };
//! let mut stage = Stage::default();
//! stage.stage = "tietoisuus".parse().unwrap();
//! stage.goals.push("Löytää luotettava kumppani".into());
//! let map = JourneyMap { title: "Ostopolku".into(), stages: vec![stage], ..JourneyMap::default() };
//!
//! let svg = poster_svg(&PosterInput { workspace: &workspace, persona: None, map: &map }, Paper::A3);
//! assert!(svg.as_str().contains("Löytää luotettava kumppani"));
//! let png = svg_to_png(&svg, 1600).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

#![deny(missing_docs)]

use std::sync::{Arc, OnceLock};

use polku_model::{JourneyMap, Persona, WorkspaceConfig};

mod attribution;
pub mod charts;
mod diffpic;
mod draw;
mod fonts;
pub mod i18n;
mod page;
mod persona;
mod poster;
mod report;
mod svg;

pub use attribution::{
    AttributionChart, AttributionView, ChannelSpend, ChartMeasure, SurveyLine, SurveyView,
    attribution_html, attribution_svg,
};
pub use fonts::has_glyph;
pub use svg::escape;

/// What a poster shows: one map, the persona it belongs to, and its workspace.
#[derive(Debug, Clone, Copy)]
pub struct PosterInput<'a> {
    /// The workspace: language, stage names, team colours.
    pub workspace: &'a WorkspaceConfig,
    /// The map's persona, drawn as a card beside the grid.
    pub persona: Option<&'a Persona>,
    /// The map.
    pub map: &'a JourneyMap,
}

/// What a diff picture compares: a current map and a future one.
#[derive(Debug, Clone, Copy)]
pub struct DiffInput<'a> {
    /// The workspace: language, stage names, team colours.
    pub workspace: &'a WorkspaceConfig,
    /// The persona both maps belong to, named in the header.
    pub persona: Option<&'a Persona>,
    /// The current-state map.
    pub current: &'a JourneyMap,
    /// The future-state map.
    pub future: &'a JourneyMap,
}

/// The paper a picture is made for, always landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Paper {
    /// 420 × 297 mm.
    #[default]
    A3,
    /// 594 × 420 mm.
    A2,
}

impl Paper {
    /// Width and height in millimetres, landscape.
    #[must_use]
    pub fn mm(self) -> (u32, u32) {
        match self {
            Paper::A3 => (420, 297),
            Paper::A2 => (594, 420),
        }
    }

    /// Width and height in PDF points (1/72 inch), landscape.
    #[must_use]
    pub fn points(self) -> (f64, f64) {
        let (w, h) = self.mm();
        (f64::from(w) * 72.0 / 25.4, f64::from(h) * 72.0 / 25.4)
    }

    /// Height divided by width.
    #[must_use]
    pub fn ratio(self) -> f64 {
        let (w, h) = self.mm();
        f64::from(h) / f64::from(w)
    }
}

impl std::str::FromStr for Paper {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "a3" => Ok(Paper::A3),
            "a2" => Ok(Paper::A2),
            other => Err(format!("unknown paper `{other}`: use `a3` or `a2`")),
        }
    }
}

/// An SVG document as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Svg(pub String);

impl Svg {
    /// The SVG text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SVG text, owned.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Svg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a picture could not be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The SVG text does not parse.
    #[error("invalid SVG: {0}")]
    Svg(#[from] usvg::Error),
    /// The requested image size is unusable.
    #[error("cannot make a {width}×{height} px image")]
    Size {
        /// The requested width in pixels.
        width: u32,
        /// The resulting height in pixels.
        height: u32,
    },
    /// PNG encoding failed.
    #[error("cannot encode PNG: {0}")]
    Png(String),
    /// PDF conversion failed.
    #[error("cannot convert to PDF: {0}")]
    Pdf(String),
}

/// The poster of one journey map, sized for `paper`.
#[must_use]
pub fn poster_svg(input: &PosterInput<'_>, paper: Paper) -> Svg {
    Svg(poster::render(input, None, paper))
}

/// What makes a poster a living map: how much evidence backs each lane, and optionally the
/// measured numbers of each stage and touchpoint. Stages and touchpoints are named by id;
/// ones the data does not mention are drawn as not measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapData {
    /// The measured period as shown in the header, e.g. `2025-01-01 – 2025-06-30`.
    pub period: Option<String>,
    /// Whether to draw the measured numbers (the "measured" lane and touchpoint volumes);
    /// without them the poster shows only the evidence behind each lane.
    pub numbers: bool,
    /// Measured stages.
    pub stages: Vec<StageData>,
    /// Measured touchpoints.
    pub touchpoints: Vec<TouchpointData>,
    /// Interviews aggregated by stage.
    pub interviews: Vec<InterviewStageData>,
}

/// One stage as measured from the events.
#[derive(Debug, Clone, PartialEq)]
pub struct StageData {
    /// The stage id.
    pub stage: String,
    /// Customers who reached the stage.
    pub reached: u64,
    /// The share of them who reached the next stage (none for the last stage).
    pub conversion_to_next: Option<f64>,
    /// The share of them who went no further.
    pub drop_off_rate: Option<f64>,
    /// The change in customers reached against the previous period of equal length, as a
    /// share (0.12 is 12 % more).
    pub trend: Option<f64>,
    /// Events that matched the stage's touchpoints.
    pub events: u64,
}

/// One touchpoint as measured from the events.
#[derive(Debug, Clone, PartialEq)]
pub struct TouchpointData {
    /// The touchpoint id.
    pub touchpoint: String,
    /// Events that matched it.
    pub events: u64,
    /// The change in events against the previous period of equal length, as a share.
    pub trend: Option<f64>,
}

/// The interviews of one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewStageData {
    /// The stage id.
    pub stage: String,
    /// Interviews that speak of the stage.
    pub interviews: u64,
    /// The mean emotion score said.
    pub emotion_mean: Option<f64>,
    /// Its standard deviation.
    pub emotion_sd: Option<f64>,
}

/// The poster of one map as a living map: each lane shows the evidence behind it (cited
/// sources, interviews, data rows; a lane without any is drawn as a guess), the emotion curve
/// from interviews gets its spread band, and with `data.numbers` every stage and touchpoint
/// shows its measured volume, conversion, drop-off and trend.
#[must_use]
pub fn living_poster_svg(input: &PosterInput<'_>, data: &MapData, paper: Paper) -> Svg {
    Svg(poster::render(input, Some(data), paper))
}

/// The current-vs-future picture of two maps, sized for `paper`: both emotion curves, and per
/// stage the touchpoints added, removed and changed and the pain points solved.
#[must_use]
pub fn diff_svg(input: &DiffInput<'_>, paper: Paper) -> Svg {
    Svg(diffpic::render(input, paper))
}

/// A team's colour as the posters draw it (`#rrggbb`): its own when `polku.yaml` sets a valid
/// one, else one from the palette.
#[must_use]
pub fn team_color(workspace: &WorkspaceConfig, team: &polku_model::TeamId) -> String {
    draw::Ctx::new(workspace).team_color(team)
}

/// The default PNG width: A3 at 300 dpi.
pub const DEFAULT_PNG_WIDTH: u32 = 3508;

/// Rasterises an SVG to PNG, `width_px` wide, keeping its proportions.
///
/// # Errors
/// When the SVG does not parse, the size is zero or too large, or encoding fails.
pub fn svg_to_png(svg: &Svg, width_px: u32) -> Result<Vec<u8>, RenderError> {
    let tree = tree(svg)?;
    let size = tree.size();
    let scale = f64::from(width_px) / f64::from(size.width());
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let height_px = (f64::from(size.height()) * scale).round() as u32;
    let err = || RenderError::Size {
        width: width_px,
        height: height_px,
    };
    if width_px == 0 || height_px == 0 || u64::from(width_px) * u64::from(height_px) > 400_000_000 {
        return Err(err());
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width_px, height_px).ok_or_else(err)?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    #[allow(clippy::cast_possible_truncation)]
    let transform = resvg::tiny_skia::Transform::from_scale(scale as f32, scale as f32);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| RenderError::Png(e.to_string()))
}

/// Converts an SVG to a one-page vector PDF whose page is the SVG's size (the paper).
///
/// # Errors
/// When the SVG does not parse or the conversion fails.
pub fn svg_to_pdf(svg: &Svg) -> Result<Vec<u8>, RenderError> {
    let tree = tree(svg)?;
    let page = svg2pdf::PageOptions { dpi: DPI };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| RenderError::Pdf(e.to_string()))
}

/// Millimetres become pixels at this resolution when the SVG is parsed; the PDF page is
/// converted back with the same value, so it comes out at the paper's size.
const DPI: f32 = 96.0;

/// Parses SVG text with the bundled fonts and no others.
fn tree(svg: &Svg) -> Result<usvg::Tree, RenderError> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    let fontdb = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for data in [fonts::REGULAR, fonts::BOLD, fonts::ITALIC] {
            db.load_font_data(data.to_vec());
        }
        db.set_sans_serif_family(fonts::FAMILY);
        Arc::new(db)
    });
    let options = usvg::Options {
        dpi: DPI,
        font_family: fonts::FAMILY.to_owned(),
        fontdb: Arc::clone(fontdb),
        ..usvg::Options::default()
    };
    Ok(usvg::Tree::from_str(svg.as_str(), &options)?)
}

/// What the HTML report holds: a title and one or more workspaces.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The report's title.
    pub title: &'a str,
    /// The workspaces, in order.
    pub workspaces: Vec<ReportWorkspace<'a>>,
}

/// One workspace of the report: its personas and maps.
#[derive(Debug, Clone, Copy)]
pub struct ReportWorkspace<'a> {
    /// The workspace.
    pub workspace: &'a WorkspaceConfig,
    /// Its personas.
    pub personas: &'a [Persona],
    /// Its maps; each is drawn as a poster with its persona's card.
    pub maps: &'a [JourneyMap],
}

/// The measured side of one workspace in the living-map report: the period and filters, and
/// per measured map its numbers and charts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LivingWorkspace {
    /// The period the numbers cover, as shown.
    pub period: Option<String>,
    /// The persona the numbers are filtered to, as shown; none for all customers.
    pub persona: Option<String>,
    /// Events in the period.
    pub events: u64,
    /// Customers in the period.
    pub customers: u64,
    /// The maps, each by id; maps not listed are shown without numbers.
    pub maps: Vec<MeasuredMap>,
    /// Cohort retention of the workspace's customers.
    pub retention: Option<charts::RetentionData>,
    /// The attribution models side by side over the workspace's journeys (no channels when
    /// no conversion had a touch before it).
    pub attribution: Option<AttributionView>,
}

/// One map of the living-map report: the poster data and the charts of its journeys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasuredMap {
    /// The map's id.
    pub map: String,
    /// Evidence and numbers drawn on the poster and listed in the tables.
    pub data: MapData,
    /// Events in the period and how many of them match no touchpoint of the map.
    pub unmatched: Option<(u64, u64)>,
    /// The stage funnel.
    pub funnel: Option<charts::FunnelData>,
    /// The most common paths over the map's touchpoints.
    pub sankey: Option<charts::SankeyData>,
    /// Breakpoints, worst first.
    pub breakpoints: Option<charts::BreakpointsData>,
    /// Time and touchpoints to conversion.
    pub distributions: Option<charts::DistributionData>,
    /// The emotion curve from interviews.
    pub emotion: Option<charts::EmotionCurveData>,
}

/// The living-map report: [`report_html`] where each workspace in `living` (in the order of
/// `input.workspaces`) also shows, per map, the poster with its measured numbers, tables of
/// every stage's and touchpoint's volume, conversion, drop-off and trend, and the funnel,
/// Sankey, breakpoints, distributions and emotion charts, and per workspace the retention
/// heatmap. Still one offline file.
#[must_use]
pub fn living_report_html(input: &ReportInput<'_>, living: &[LivingWorkspace]) -> String {
    report::render(input, living)
}

/// One self-contained HTML file: a table of contents, and per workspace its persona cards and
/// each map's poster. Styles, posters and fonts are inline, so it opens offline.
#[must_use]
pub fn report_html(input: &ReportInput<'_>) -> String {
    report::render(input, &[])
}
