//! The drawing vocabulary shared by the poster and the diff picture: palette, notes, chips,
//! icons, the stage grid, the emotion chart and the legend.
//!
//! Every function draws at absolute picture coordinates (1 unit = 0.25 mm on A3) and returns
//! the height it used, so callers can stack blocks and size rows to their tallest cell.

use polku_model::{TeamId, TouchpointKind, WorkspaceConfig};

use crate::i18n::Tr;
use crate::page::{MARGIN, Page};
use crate::svg::{Anchor, PathData, SvgWriter, TextStyle};

/// The palette: a few inks, tints for the lanes, and signal colours used sparingly.
pub(crate) mod color {
    pub const INK: &str = "#1d2733";
    pub const MUTED: &str = "#56606e";
    pub const FAINT: &str = "#8a94a1";
    pub const RULE: &str = "#d3dae2";
    pub const BAND: &str = "#f5f7f9";
    pub const PAPER: &str = "#ffffff";
    pub const CARD: &str = "#f1f4f7";
    pub const STAGE: &str = "#243a5a";
    pub const ACCENT: &str = "#0e6b6b";
    pub const POSITIVE: &str = "#2b8a3e";
    pub const NEGATIVE: &str = "#d9480f";
    pub const NEUTRAL: &str = "#868e96";
    pub const POSITIVE_TINT: &str = "#edf7ef";
    pub const NEGATIVE_TINT: &str = "#fcf0ea";
    pub const GOAL: (&str, &str) = ("#e9f1fb", "#a9c8ec");
    pub const ACTION: (&str, &str) = ("#f2f4f6", "#c7cfd8");
    pub const PAIN: (&str, &str) = ("#fcecec", "#e9a9a9");
    pub const MOMENT: (&str, &str) = ("#fff5da", "#e9c766");
    pub const OPPORTUNITY: (&str, &str) = ("#e8f5eb", "#98cfa6");
    pub const KPI: (&str, &str) = ("#f0eefb", "#b9b1e8");
    pub const ADDED: &str = "#2b8a3e";
    pub const REMOVED: &str = "#c92a2a";
    pub const CHANGED: &str = "#d97706";
    /// Team colours for teams that do not set one, in team order.
    pub const TEAMS: [&str; 6] = [
        "#1c6fb8", "#d9480f", "#2b8a3e", "#6f42c1", "#c2255c", "#0b7285",
    ];
}

/// Type sizes, in picture units.
pub(crate) mod size {
    pub const TITLE: f64 = 34.0;
    pub const SUBTITLE: f64 = 14.0;
    pub const STAGE: f64 = 15.0;
    pub const LANE: f64 = 12.5;
    pub const BODY: f64 = 12.0;
    pub const SMALL: f64 = 10.5;
    pub const TINY: f64 = 9.5;
}

/// The text styles in use.
pub(crate) mod style {
    use super::{color, size};
    use crate::svg::TextStyle;

    pub const BODY: TextStyle = TextStyle::new(size::BODY, color::INK);
    pub const SMALL: TextStyle = TextStyle::new(size::SMALL, color::MUTED);
    pub const TINY: TextStyle = TextStyle::new(size::TINY, color::MUTED);
}

/// What the picture needs besides the map: the workspace, its words and its team colours.
pub(crate) struct Ctx<'a> {
    pub ws: &'a WorkspaceConfig,
    pub tr: Tr,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(ws: &'a WorkspaceConfig) -> Self {
        Ctx {
            ws,
            tr: Tr::new(ws.language),
        }
    }

    /// A team's colour: its own if it is a valid `#rrggbb`, else one from the palette.
    pub(crate) fn team_color(&self, id: &TeamId) -> String {
        let idx = self.ws.teams.iter().position(|t| &t.id == id);
        let own = idx
            .and_then(|i| self.ws.teams[i].color.as_deref())
            .filter(|c| is_hex(c));
        match (own, idx) {
            (Some(c), _) => c.to_ascii_lowercase(),
            (None, Some(i)) => color::TEAMS[i % color::TEAMS.len()].to_owned(),
            (None, None) => {
                let h = id
                    .as_str()
                    .bytes()
                    .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
                color::TEAMS[h % color::TEAMS.len()].to_owned()
            }
        }
    }

    /// A team's display name.
    pub(crate) fn team_name(&self, id: &TeamId) -> String {
        self.ws
            .team(id)
            .map_or_else(|| id.to_string(), |t| t.name.clone())
    }
}

fn is_hex(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The ink that reads on a background colour: white on dark, ink on light.
pub(crate) fn ink_on(bg: &str) -> &'static str {
    if !is_hex(bg) {
        return color::INK;
    }
    let ch = |i: usize| f64::from(u8::from_str_radix(&bg[i..i + 2], 16).unwrap_or(0)) / 255.0;
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(ch(1)) + 0.7152 * lin(ch(3)) + 0.0722 * lin(ch(5));
    if l > 0.4 { color::INK } else { color::PAPER }
}

/// The colour of an emotion score.
pub(crate) fn emotion_color(e: f64) -> &'static str {
    if e > 0.25 {
        color::POSITIVE
    } else if e < -0.25 {
        color::NEGATIVE
    } else {
        color::NEUTRAL
    }
}

/// How an item rests on evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// Evidence does not apply to the item.
    None,
    /// The item cites this many sources; zero marks an assumption.
    Count(usize),
}

/// Wrapped text with an optional small marker (e.g. "3 sources") set right-aligned on the last
/// line, or on a line of its own when it does not fit. Returns the height used.
pub(crate) fn text_block(
    out: &mut SvgWriter,
    x: f64,
    y: f64,
    w: f64,
    text: &str,
    st: &TextStyle,
    marker: Option<&str>,
) -> f64 {
    let lines = st.wrap(text, w);
    out.text_lines(x, y + st.ascent(), &lines, st);
    let mut h = st.height(lines.len());
    if let Some(m) = marker {
        let ms = style::TINY;
        let last = lines.last().map_or(0.0, |l| st.width(l));
        let mw = ms.width(m);
        let baseline = if last + 8.0 + mw <= w {
            y + h - st.leading() + st.ascent()
        } else {
            h += ms.leading();
            y + h - ms.leading() + ms.ascent()
        };
        out.text_lines(x + w, baseline, &[m.to_owned()], &ms.anchor(Anchor::End));
    }
    h
}

/// A tinted note: a rounded box holding wrapped text, dashed when the item is an assumption.
pub(crate) struct Note<'t> {
    pub text: &'t str,
    pub tint: (&'static str, &'static str),
    pub evidence: Evidence,
    pub style: TextStyle,
    /// A coloured dot before the text (e.g. the emotion of a step).
    pub dot: Option<&'static str>,
    /// A small glyph drawn before the text.
    pub mark: Option<Mark>,
    /// Smaller muted text under the main text.
    pub detail: Option<&'t str>,
}

impl<'t> Note<'t> {
    pub(crate) fn new(
        text: &'t str,
        tint: (&'static str, &'static str),
        evidence: Evidence,
    ) -> Self {
        Note {
            text,
            tint,
            evidence,
            style: style::BODY,
            dot: None,
            mark: None,
            detail: None,
        }
    }
}

/// Padding inside notes and cards.
pub(crate) const PAD: f64 = 6.0;

/// Draws a note; returns its height.
pub(crate) fn note(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    x: f64,
    y: f64,
    w: f64,
    n: &Note<'_>,
) -> f64 {
    let indent = if n.dot.is_some() || n.mark.is_some() {
        13.0
    } else {
        0.0
    };
    let marker = match n.evidence {
        Evidence::Count(k) if k > 0 => Some(ctx.tr.sources(k)),
        _ => None,
    };
    let mut body = SvgWriter::new();
    let (tx, tw) = (x + PAD + indent, w - 2.0 * PAD - indent);
    let main_marker = if n.detail.is_some() {
        None
    } else {
        marker.as_deref()
    };
    let mut th = text_block(
        &mut body,
        tx,
        y + PAD - 1.0,
        tw,
        n.text,
        &n.style,
        main_marker,
    );
    if let Some(detail) = n.detail {
        th += text_block(
            &mut body,
            tx,
            y + PAD - 1.0 + th,
            tw,
            detail,
            &style::SMALL,
            marker.as_deref(),
        );
    }
    let h = th + 2.0 * PAD - 2.0;
    let uncited = n.evidence == Evidence::Count(0);
    let mut r = out
        .rect(x, y, w, h)
        .rx(4.0)
        .fill(n.tint.0)
        .stroke(n.tint.1, 0.9);
    if uncited {
        r = r.a("stroke-dasharray", "3 2.5");
    }
    r.end();
    let cy = y + PAD - 1.0 + n.style.leading() / 2.0;
    if let Some(c) = n.dot {
        out.circle(x + PAD + 4.0, cy, 3.6).fill(c).end();
    }
    if let Some(m) = n.mark {
        mark(out, x + PAD + 4.0, cy, 4.2, m);
    }
    out.append(body);
    h
}

/// A small drawn symbol; glyph-free so it looks the same in every font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// A diamond (moment of truth).
    Diamond(&'static str),
    /// A warning triangle (pain point).
    Triangle(&'static str),
    /// A check in a circle (solved).
    Check(&'static str),
    /// A plus in a circle (added).
    Plus(&'static str),
    /// A minus in a circle (removed).
    Minus(&'static str),
    /// A tilde in a circle (changed).
    Tilde(&'static str),
    /// An exclamation mark in a circle (new problem).
    Bang(&'static str),
    /// A hollow circle (unchanged).
    Ring(&'static str),
}

/// Draws a mark centred on (cx, cy) with radius r.
pub(crate) fn mark(out: &mut SvgWriter, cx: f64, cy: f64, r: f64, m: Mark) {
    let sw = (r * 0.32).max(1.1);
    match m {
        Mark::Diamond(c) => {
            let d = PathData::new()
                .m(cx, cy - r)
                .l(cx + r, cy)
                .l(cx, cy + r)
                .l(cx - r, cy)
                .z()
                .build();
            out.path(&d).fill(c).end();
        }
        Mark::Triangle(c) => {
            let d = PathData::new()
                .m(cx, cy - r)
                .l(cx + r * 1.05, cy + r * 0.8)
                .l(cx - r * 1.05, cy + r * 0.8)
                .z()
                .build();
            out.path(&d).fill(c).a("stroke-linejoin", "round").end();
            out.line(cx, cy - r * 0.35, cx, cy + r * 0.25)
                .stroke(color::PAPER, sw * 0.8)
                .end();
            out.circle(cx, cy + r * 0.52, sw * 0.42)
                .fill(color::PAPER)
                .end();
        }
        Mark::Ring(c) => {
            out.circle(cx, cy, r * 0.8)
                .fill("none")
                .stroke(c, sw * 0.8)
                .end();
        }
        Mark::Check(c) | Mark::Plus(c) | Mark::Minus(c) | Mark::Tilde(c) | Mark::Bang(c) => {
            out.circle(cx, cy, r).fill(c).end();
            let k = r * 0.5;
            let d = match m {
                Mark::Check(_) => PathData::new()
                    .m(cx - k, cy + k * 0.05)
                    .l(cx - k * 0.25, cy + k * 0.75)
                    .l(cx + k * 1.05, cy - k * 0.7)
                    .build(),
                Mark::Plus(_) => PathData::new()
                    .m(cx - k, cy)
                    .l(cx + k, cy)
                    .m(cx, cy - k)
                    .l(cx, cy + k)
                    .build(),
                Mark::Minus(_) => PathData::new().m(cx - k, cy).l(cx + k, cy).build(),
                Mark::Tilde(_) => PathData::new()
                    .m(cx - k * 1.05, cy + k * 0.25)
                    .c(
                        (cx - k * 0.6, cy - k * 0.6),
                        (cx - k * 0.1, cy - k * 0.2),
                        (cx, cy),
                    )
                    .c(
                        (cx + k * 0.1, cy + k * 0.2),
                        (cx + k * 0.6, cy + k * 0.6),
                        (cx + k * 1.05, cy - k * 0.25),
                    )
                    .build(),
                _ => PathData::new()
                    .m(cx, cy - k * 1.05)
                    .l(cx, cy + k * 0.25)
                    .build(),
            };
            out.path(&d)
                .fill("none")
                .stroke(color::PAPER, sw)
                .a("stroke-linecap", "round")
                .a("stroke-linejoin", "round")
                .end();
            if matches!(m, Mark::Bang(_)) {
                out.circle(cx, cy + k * 0.85, sw * 0.55)
                    .fill(color::PAPER)
                    .end();
            }
        }
    }
}

/// Draws the icon of a touchpoint kind in a `s`×`s` box at (x, y).
pub(crate) fn kind_icon(
    out: &mut SvgWriter,
    x: f64,
    y: f64,
    s: f64,
    kind: TouchpointKind,
    ink: &str,
) {
    let k = s / 16.0;
    let tf = format!(
        "translate({} {}) scale({})",
        crate::svg::N(x),
        crate::svg::N(y),
        crate::svg::N(k)
    );
    out.open_group(&[
        ("transform", &tf),
        ("fill", "none"),
        ("stroke", ink),
        ("stroke-width", "1.5"),
        ("stroke-linejoin", "round"),
        ("stroke-linecap", "round"),
    ]);
    match kind {
        TouchpointKind::Digital => {
            // A screen on a stand.
            out.rect(1.5, 2.5, 13.0, 9.0).rx(1.2).end();
            out.path("M8 11.5V14M5 14.5H11").end();
        }
        TouchpointKind::Physical => {
            // A shop front with an awning and a door.
            out.path("M2 6.5L3.5 2.5H12.5L14 6.5Z").end();
            out.path("M3 6.5V14.5H13V6.5").end();
            out.path("M6.5 14.5V10H9.5V14.5").end();
        }
        TouchpointKind::Analog => {
            // A printed page with a folded corner.
            out.path("M3.5 1.5H10L13 4.5V14.5H3.5Z").end();
            out.path("M10 1.5V4.5H13M5.8 8H10.7M5.8 10.6H10.7").end();
        }
    }
    out.close_group();
}

/// A piece of an inline flow: a chip, a dot meter or a coloured square with a label.
pub(crate) enum Piece {
    /// A rounded chip with text.
    Chip {
        text: String,
        fill: String,
        edge: Option<String>,
        style: TextStyle,
    },
    /// A label followed by `max` dots of which `value` are filled.
    Meter {
        label: String,
        value: u8,
        max: u8,
        color: &'static str,
    },
}

impl Piece {
    /// A filled chip in a team colour.
    pub(crate) fn team(ctx: &Ctx<'_>, id: &TeamId, strong: bool) -> Piece {
        let fill = ctx.team_color(id);
        let st = TextStyle::new(size::SMALL, ink_on(&fill));
        Piece::Chip {
            text: ctx.team_name(id),
            fill,
            edge: None,
            style: if strong { st.bold() } else { st },
        }
    }

    /// An outlined chip.
    pub(crate) fn outline(text: String) -> Piece {
        Piece::Chip {
            text,
            fill: color::PAPER.to_owned(),
            edge: Some(color::RULE.to_owned()),
            style: TextStyle::new(size::SMALL, color::INK),
        }
    }

    fn size(&self, max_w: f64) -> (f64, f64, Vec<String>) {
        match self {
            Piece::Chip { text, style, .. } => {
                let pad = 6.0;
                let lines = style.wrap(text, max_w - 2.0 * pad);
                let tw = lines.iter().map(|l| style.width(l)).fold(0.0, f64::max);
                (tw + 2.0 * pad, style.height(lines.len()) + 3.0, lines)
            }
            Piece::Meter { label, max, .. } => {
                let st = style::SMALL;
                (
                    st.width(label) + 5.0 + f64::from(*max) * 8.5,
                    st.leading() + 3.0,
                    vec![],
                )
            }
        }
    }

    fn draw(&self, out: &mut SvgWriter, x: f64, y: f64, w: f64, h: f64, lines: &[String]) {
        match self {
            Piece::Chip {
                fill, edge, style, ..
            } => {
                let mut r = out.rect(x, y, w, h).rx(h.min(20.0) / 2.0).fill(fill);
                if let Some(e) = edge {
                    r = r.stroke(e, 0.9);
                }
                r.end();
                out.text_lines(x + 6.0, y + 1.5 + style.ascent(), lines, style);
            }
            Piece::Meter {
                label,
                value,
                max,
                color: c,
            } => {
                let st = style::SMALL;
                out.text_line(x, y + 1.5 + st.ascent(), label, &st);
                let x0 = x + st.width(label) + 5.0 + 3.5;
                let cy = y + h / 2.0;
                for i in 0..*max {
                    let cx = x0 + f64::from(i) * 8.5;
                    if i < *value {
                        out.circle(cx, cy, 3.2).fill(c).end();
                    } else {
                        out.circle(cx, cy, 2.8)
                            .fill("none")
                            .stroke(color::FAINT, 0.9)
                            .end();
                    }
                }
            }
        }
    }
}

/// Lays pieces out left to right, wrapping to new rows; returns the height used.
pub(crate) fn flow(out: &mut SvgWriter, x: f64, y: f64, w: f64, pieces: &[Piece]) -> f64 {
    let gap = 5.0;
    let (mut cx, mut cy, mut row_h) = (x, y, 0.0f64);
    for p in pieces {
        let (pw, ph, lines) = p.size(w);
        if cx > x && cx + pw > x + w {
            cx = x;
            cy += row_h + gap;
            row_h = 0.0;
        }
        p.draw(out, cx, cy, pw, ph, &lines);
        cx += pw + gap;
        row_h = row_h.max(ph);
    }
    if pieces.is_empty() {
        0.0
    } else {
        cy + row_h - y
    }
}

/// The horizontal layout of a stage grid: a label column and equal stage columns.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Left edge of the label column.
    pub label_x: f64,
    /// Width of the label column.
    pub label_w: f64,
    /// Left edge and width of each stage column.
    pub cols: Vec<(f64, f64)>,
}

/// Gap between stage columns.
pub(crate) const COL_GAP: f64 = 8.0;

impl Columns {
    pub(crate) fn new(x: f64, w: f64, label_w: f64, n: usize) -> Columns {
        let n = n.max(1);
        #[allow(clippy::cast_precision_loss)]
        let nf = n as f64;
        let cw = (w - label_w - COL_GAP * nf) / nf;
        let cols = (0..n)
            .map(|i| {
                #[allow(clippy::cast_precision_loss)]
                let i = i as f64;
                (x + label_w + COL_GAP + i * (cw + COL_GAP), cw)
            })
            .collect();
        Columns {
            label_x: x,
            label_w,
            cols,
        }
    }

    /// The right edge of the grid.
    pub(crate) fn right(&self) -> f64 {
        self.cols
            .last()
            .map_or(self.label_x + self.label_w, |(x, w)| x + w)
    }
}

/// Draws the stage headers as chevrons; returns their height.
pub(crate) fn stage_headers(
    out: &mut SvgWriter,
    cols: &Columns,
    y: f64,
    names: &[(String, Option<String>)],
) -> f64 {
    let st = TextStyle::new(size::STAGE, color::PAPER).bold();
    let sub = TextStyle::new(size::SMALL, "#c9d6e6");
    let tip = 10.0;
    let texts: Vec<(Vec<String>, Vec<String>)> = cols
        .cols
        .iter()
        .zip(names)
        .map(|((_, w), (name, note))| {
            let inner = w - 2.0 * tip - 8.0;
            (
                st.wrap(name, inner),
                note.as_ref()
                    .map(|n| sub.wrap(n, inner))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let h = texts
        .iter()
        .map(|(a, b)| st.height(a.len()) + sub.height(b.len()))
        .fold(0.0, f64::max)
        + 16.0;
    for (i, ((x, w), (lines, notes))) in cols.cols.iter().zip(&texts).enumerate() {
        let left_notch = if i == 0 { 0.0 } else { tip };
        let (x0, x1) = (*x - COL_GAP / 2.0 - 1.0, x + w + COL_GAP / 2.0 - 1.0);
        let d = PathData::new()
            .m(x0, y)
            .l(x1 - tip, y)
            .l(x1, y + h / 2.0)
            .l(x1 - tip, y + h)
            .l(x0, y + h)
            .l(x0 + left_notch, y + h / 2.0)
            .z()
            .build();
        out.path(&d).fill(color::STAGE).end();
        let tx = x0 + left_notch + 8.0;
        let ty = y + (h - st.height(lines.len()) - sub.height(notes.len())) / 2.0;
        out.text_lines(tx, ty + st.ascent(), lines, &st);
        out.text_lines(tx, ty + st.height(lines.len()) + sub.ascent(), notes, &sub);
    }
    h
}

/// The vertical layout that posters and diffs share: a header, the stage headers, lanes of
/// given heights and a footer at the foot of the page, inside the page's margins.
pub(crate) struct Frame<L> {
    /// The width of the drawing, margins included.
    pub width: f64,
    /// The header's height.
    pub header_h: f64,
    /// The stage columns.
    pub cols: Columns,
    /// The stage headers' height.
    pub stage_h: f64,
    /// Each lane and its height, top to bottom.
    pub lanes: Vec<(L, f64)>,
    /// The footer's height.
    pub footer_h: f64,
}

impl<L: Copy> Frame<L> {
    /// The frame of a measured picture; the footer (one legend row) is 40 high.
    pub(crate) fn new(
        width: f64,
        header_h: f64,
        cols: Columns,
        stage_h: f64,
        lanes: Vec<(L, f64)>,
    ) -> Frame<L> {
        Frame {
            width,
            header_h,
            cols,
            stage_h,
            lanes,
            footer_h: 40.0,
        }
    }

    /// The height of the stage headers and the lanes.
    pub(crate) fn grid_h(&self) -> f64 {
        self.stage_h + 6.0 + self.lanes.iter().map(|(_, h)| h).sum::<f64>()
    }

    /// The height of the whole drawing when the part below the header is `body_h` high.
    pub(crate) fn height(&self, body_h: f64) -> f64 {
        MARGIN + self.header_h + 24.0 + body_h + 16.0 + self.footer_h + MARGIN
    }

    /// Draws the frame on `page`: `head(out, inner_w, top)` draws the header and whatever
    /// stands beside the grid starting at `top`; `stages` names the stage columns;
    /// `lane(out, index, lane, y, h)` draws each lane; `foot(out, y, inner_w)` draws the
    /// footer. A page wider than the drawing centres it.
    pub(crate) fn draw(
        &self,
        out: &mut SvgWriter,
        page: &Page,
        stages: &[(String, Option<String>)],
        head: impl FnOnce(&mut SvgWriter, f64, f64),
        mut lane: impl FnMut(&mut SvgWriter, usize, L, f64, f64),
        foot: impl FnOnce(&mut SvgWriter, f64, f64),
    ) {
        let x0 = page.content_x;
        if x0 != 0.0 {
            out.open_group(&[("transform", &format!("translate({} 0)", crate::svg::N(x0)))]);
        }
        let inner = self.width - 2.0 * MARGIN;
        let top = MARGIN + self.header_h + 24.0;
        head(out, inner, top);
        stage_headers(out, &self.cols, top, stages);
        let mut y = top + self.stage_h + 6.0;
        for (i, &(l, h)) in self.lanes.iter().enumerate() {
            lane(out, i, l, y, h);
            y += h;
        }
        out.line(self.cols.label_x, y, self.cols.right(), y)
            .stroke(color::RULE, 0.8)
            .end();
        foot(out, page.view_h - MARGIN - self.footer_h + 16.0, inner);
        if x0 != 0.0 {
            out.close_group();
        }
    }
}

/// A picture's footer at (x, y) across `w`: a rule above, the legend on the left and the
/// mark naming the picture on the right.
pub(crate) fn footer(
    out: &mut SvgWriter,
    x: f64,
    y: f64,
    w: f64,
    legend_items: &[LegendItem],
    mark: &str,
) {
    out.line(x, y - 10.0, x + w, y - 10.0)
        .stroke(color::RULE, 0.8)
        .end();
    legend(out, x, y, legend_items);
    let st = style::SMALL.color(color::FAINT).anchor(Anchor::End);
    out.text_line(x + w, y + st.ascent(), mark, &st);
}

/// Draws a lane's band and its label; the caller draws the cells.
pub(crate) fn lane_band(
    out: &mut SvgWriter,
    cols: &Columns,
    y: f64,
    h: f64,
    label: &str,
    shaded: bool,
) {
    if shaded {
        out.rect(cols.label_x, y, cols.right() - cols.label_x, h)
            .fill(color::BAND)
            .end();
    }
    out.line(cols.label_x, y, cols.right(), y)
        .stroke(color::RULE, 0.8)
        .end();
    let st = TextStyle::new(size::LANE, color::INK).bold();
    let lines = st.wrap(label, cols.label_w - 12.0);
    out.text_lines(cols.label_x + 6.0, y + 10.0 + st.ascent(), &lines, &st);
}

/// The minimum height of a lane's label.
pub(crate) fn lane_label_height(cols: &Columns, label: &str) -> f64 {
    let st = TextStyle::new(size::LANE, color::INK).bold();
    st.height(st.wrap(label, cols.label_w - 12.0).len()) + 20.0
}

/// One curve on the emotion chart.
pub(crate) struct Series {
    /// Points as (x, score); scores on the −3..+3 scale.
    pub points: Vec<(f64, f64)>,
    /// Dashed grey (the current state in a diff) or solid coloured.
    pub muted: bool,
    /// A spread band drawn under the curve: (x, low score, high score) per point, e.g. the
    /// mean ± one standard deviation of interview scores.
    pub band: Vec<(f64, f64, f64)>,
}

/// Places `k` points evenly inside a column.
pub(crate) fn spread(x: f64, w: f64, k: usize) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    (0..k)
        .map(|j| x + w * (j as f64 + 0.5) / k as f64)
        .collect()
}

/// Draws the emotion chart across the stage columns, with the axis in the label column.
pub(crate) fn emotion_chart(
    out: &mut SvgWriter,
    cols: &Columns,
    y: f64,
    h: f64,
    series: &[Series],
) {
    let (top, bottom) = (y + 16.0, y + h - 16.0);
    let scale = |e: f64| {
        let e = e.clamp(
            f64::from(polku_model::EMOTION_MIN),
            f64::from(polku_model::EMOTION_MAX),
        );
        top + (3.0 - e) / 6.0 * (bottom - top)
    };
    let (x0, x1) = (cols.cols[0].0 - COL_GAP / 2.0, cols.right());
    let zero = scale(0.0);
    out.rect(x0, top, x1 - x0, zero - top)
        .fill(color::POSITIVE_TINT)
        .end();
    out.rect(x0, zero, x1 - x0, bottom - zero)
        .fill(color::NEGATIVE_TINT)
        .end();
    for e in [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0] {
        out.line(x0, scale(e), x1, scale(e))
            .stroke(PAPER_LINE, 0.8)
            .end();
    }
    out.line(x0, zero, x1, zero)
        .stroke(color::FAINT, 0.9)
        .a("stroke-dasharray", "4 3")
        .end();
    let ax = x0 - 6.0;
    let tick = style::TINY.anchor(Anchor::End);
    for (e, label) in [(3.0, "+3"), (0.0, "0"), (-3.0, "–3")] {
        out.text_lines(ax, scale(e) + 3.3, &[label.to_owned()], &tick);
    }
    for (x, _) in &cols.cols[1..] {
        let sx = x - COL_GAP / 2.0;
        out.line(sx, top, sx, bottom)
            .stroke(color::RULE, 0.8)
            .a("stroke-dasharray", "2 3")
            .end();
    }
    for s in series.iter().filter(|s| s.band.len() > 1) {
        let upper: Vec<(f64, f64)> = s.band.iter().map(|&(x, _, hi)| (x, scale(hi))).collect();
        let lower: Vec<(f64, f64)> = s
            .band
            .iter()
            .rev()
            .map(|&(x, lo, _)| (x, scale(lo)))
            .collect();
        let mut d = PathData::new().m(upper[0].0, upper[0].1);
        for &(x, y) in upper.iter().skip(1).chain(&lower) {
            d = d.l(x, y);
        }
        out.path(&d.z().build())
            .fill(BAND_FILL)
            .a("fill-opacity", "0.55")
            .stroke(BAND_EDGE, 0.8)
            .end();
    }
    for s in series.iter().filter(|s| s.band.len() == 1) {
        let (x, lo, hi) = s.band[0];
        out.rect(x - 10.0, scale(hi), 20.0, scale(lo) - scale(hi))
            .fill(BAND_FILL)
            .a("fill-opacity", "0.55")
            .end();
    }
    for s in series {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|&(x, e)| (x, scale(e))).collect();
        if pts.len() > 1 {
            let d = smooth(&pts, top, bottom);
            let el = out.path(&d).fill("none");
            if s.muted {
                el.stroke(color::FAINT, 2.0)
                    .a("stroke-dasharray", "6 4")
                    .a("stroke-linecap", "round")
                    .end();
            } else {
                el.stroke(color::INK, 2.2)
                    .a("stroke-linecap", "round")
                    .end();
            }
        }
        for (&(x, e), &(_, py)) in s.points.iter().zip(&pts) {
            if s.muted {
                out.circle(x, py, 3.6)
                    .fill(color::PAPER)
                    .stroke(color::FAINT, 1.4)
                    .end();
            } else {
                out.circle(x, py, 5.0)
                    .fill(emotion_color(e))
                    .stroke(color::PAPER, 1.5)
                    .end();
            }
        }
    }
}

const PAPER_LINE: &str = "#ffffff";
/// The spread band of interview emotions: a cool tint that reads over both the positive and
/// the negative background.
pub(crate) const BAND_FILL: &str = "#9fb8d6";
const BAND_EDGE: &str = "#7f9cc0";

/// A smooth curve through points: a monotone cubic (Fritsch–Carlson) written as Béziers. It
/// passes through every point, never overshoots between two of them, and is flat at peaks and
/// dips, so the curve never claims an emotion nobody scored.
fn smooth(p: &[(f64, f64)], top: f64, bottom: f64) -> String {
    let n = p.len();
    let h: Vec<f64> = p.windows(2).map(|w| (w[1].0 - w[0].0).max(1e-6)).collect();
    let d: Vec<f64> = p
        .windows(2)
        .zip(&h)
        .map(|(w, h)| (w[1].1 - w[0].1) / h)
        .collect();
    let mut m = vec![0.0; n];
    m[0] = d[0];
    m[n - 1] = d[n - 2];
    for i in 1..n - 1 {
        m[i] = if d[i - 1] * d[i] <= 0.0 {
            0.0
        } else {
            (d[i - 1] + d[i]) / 2.0
        };
    }
    for i in 0..n - 1 {
        if d[i] == 0.0 {
            m[i] = 0.0;
            m[i + 1] = 0.0;
            continue;
        }
        let (a, b) = (m[i] / d[i], m[i + 1] / d[i]);
        let r = a * a + b * b;
        if r > 9.0 {
            let t = 3.0 / r.sqrt();
            m[i] = t * a * d[i];
            m[i + 1] = t * b * d[i];
        }
    }
    let mut path = PathData::new().m(p[0].0, p[0].1);
    for i in 0..n - 1 {
        let (x0, y0) = p[i];
        let (x1, y1) = p[i + 1];
        let k = h[i] / 3.0;
        let c1 = (x0 + k, (y0 + m[i] * k).clamp(top, bottom));
        let c2 = (x1 - k, (y1 - m[i + 1] * k).clamp(top, bottom));
        path = path.c(c1, c2, (x1, y1));
    }
    path.build()
}

/// The texts of a title block.
pub(crate) struct Heading<'a> {
    /// A small line above the title, set in capitals.
    pub kicker: &'a str,
    /// The title.
    pub title: &'a str,
    /// (label, value) pairs under the title.
    pub meta: &'a [(String, String)],
    /// A sentence under the meta line.
    pub description: Option<&'a str>,
}

/// Draws the title block in `w` at (x, y); returns its height.
pub(crate) fn header(out: &mut SvgWriter, x: f64, y: f64, w: f64, heading: &Heading<'_>) -> f64 {
    let Heading {
        kicker,
        title,
        meta,
        description,
    } = *heading;
    let title_st = TextStyle::new(size::TITLE, color::INK)
        .bold()
        .leading_factor(1.15);
    let kick = TextStyle::new(size::SMALL, color::ACCENT).bold();
    let left_w = w;
    let mut h = 0.0;
    out.text_lines(x, y + kick.ascent(), &[kicker.to_uppercase()], &kick);
    h += kick.leading() + 2.0;
    let lines = title_st.wrap(title, left_w);
    out.text_lines(x, y + h + title_st.ascent(), &lines, &title_st);
    h += title_st.height(lines.len()) + 4.0;
    // Meta: "Label value · Label value".
    let lab = TextStyle::new(size::SUBTITLE, color::MUTED);
    let val = TextStyle::new(size::SUBTITLE, color::INK).bold();
    let mut cx = x;
    let mut row = 0.0;
    for (label, value) in meta {
        let need = lab.width(label) + 5.0 + val.width(value) + 22.0;
        if cx > x && cx + need > x + left_w {
            cx = x;
            row += lab.leading();
        }
        out.text_line(cx, y + h + row + lab.ascent(), label, &lab);
        let vx = cx + lab.width(label) + 5.0;
        out.text_line(vx, y + h + row + lab.ascent(), value, &val);
        cx = vx + val.width(value) + 22.0;
    }
    if !meta.is_empty() {
        h += row + lab.leading();
    }
    if let Some(desc) = description {
        let st = TextStyle::new(size::SUBTITLE, color::MUTED).italic();
        let lines = st.wrap(desc, (w * 0.6).max(300.0));
        out.text_lines(x, y + h + 2.0 + st.ascent(), &lines, &st);
        h += 2.0 + st.height(lines.len());
    }
    h
}

/// Draws a legend row from the left edge; returns its height.
pub(crate) fn legend(out: &mut SvgWriter, x: f64, y: f64, items: &[LegendItem]) -> f64 {
    let st = style::SMALL;
    let mut cx = x;
    let cy = y + st.leading() / 2.0;
    for item in items {
        match item {
            LegendItem::Icon(kind, label) => {
                kind_icon(out, cx, cy - 7.0, 14.0, *kind, color::MUTED);
                cx += 18.0;
                out.text_line(cx, y + st.ascent(), label, &st);
                cx += st.width(label);
            }
            LegendItem::Dot(c, label) => {
                out.circle(cx + 5.0, cy, 4.5).fill(c).end();
                cx += 13.0;
                out.text_line(cx, y + st.ascent(), label, &st);
                cx += st.width(label);
            }
            LegendItem::Evidence(cited, label) => {
                let mut r = out
                    .rect(cx, cy - 6.0, 20.0, 12.0)
                    .rx(3.0)
                    .fill(color::PAPER)
                    .stroke(color::FAINT, 0.9);
                if !*cited {
                    r = r.a("stroke-dasharray", "3 2.5");
                }
                r.end();
                if *cited {
                    out.circle(cx + 28.0, cy, 2.8).fill(color::ACCENT).end();
                } else {
                    out.circle(cx + 28.0, cy, 2.5)
                        .fill("none")
                        .stroke(color::FAINT, 1.0)
                        .end();
                }
                cx += 37.0;
                out.text_line(cx, y + st.ascent(), label, &st);
                cx += st.width(label);
            }
            LegendItem::Mark(m, label) => {
                mark(out, cx + 5.0, cy, 5.0, *m);
                cx += 13.0;
                out.text_line(cx, y + st.ascent(), label, &st);
                cx += st.width(label);
            }
            LegendItem::Line(muted, label) => {
                let el = out.line(cx, cy, cx + 24.0, cy);
                if *muted {
                    el.stroke(color::FAINT, 2.0)
                        .a("stroke-dasharray", "6 4")
                        .end();
                } else {
                    el.stroke(color::INK, 2.2).end();
                }
                cx += 29.0;
                out.text_line(cx, y + st.ascent(), label, &st);
                cx += st.width(label);
            }
            LegendItem::Band(label) => {
                out.rect(cx, cy - 6.0, 24.0, 12.0)
                    .fill(BAND_FILL)
                    .a("fill-opacity", "0.55")
                    .stroke(BAND_EDGE, 0.8)
                    .end();
                cx += 29.0;
                out.text_line(cx, y + st.ascent(), label, &st);
                cx += st.width(label);
            }
            LegendItem::Gap => cx += 10.0,
        }
        cx += 14.0;
    }
    st.leading()
}

/// One entry of a legend.
pub(crate) enum LegendItem {
    /// A touchpoint kind icon.
    Icon(TouchpointKind, String),
    /// A coloured dot.
    Dot(&'static str, String),
    /// How evidence shows: a solid box and filled bullet when cited, dashed and hollow when not.
    Evidence(bool, String),
    /// A drawn mark.
    Mark(Mark, String),
    /// A curve style: muted (dashed grey) or solid.
    Line(bool, String),
    /// The spread band under a curve.
    Band(String),
    /// Extra space between groups.
    Gap,
}
