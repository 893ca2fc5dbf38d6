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
mod diffpic;
mod draw;
mod fonts;
mod i18n;
mod page;
mod persona;
mod poster;
mod report;
mod svg;

pub use attribution::{AttributionChart, ChartMeasure, attribution_svg};
pub use fonts::has_glyph;

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
    Svg(poster::render(input, paper))
}

/// The current-vs-future picture of two maps, sized for `paper`: both emotion curves, and per
/// stage the touchpoints added, removed and changed and the pain points solved.
#[must_use]
pub fn diff_svg(input: &DiffInput<'_>, paper: Paper) -> Svg {
    Svg(diffpic::render(input, paper))
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

/// One self-contained HTML file: a table of contents, and per workspace its persona cards and
/// each map's poster. Styles, posters and fonts are inline, so it opens offline.
#[must_use]
pub fn report_html(input: &ReportInput<'_>) -> String {
    report::render(input)
}
