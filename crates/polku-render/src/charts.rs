//! Charts of a measured journey: funnel, Sankey of paths, retention cohorts, breakpoints,
//! distributions to conversion and the emotion curve from interviews.
//!
//! Every chart takes a plain input struct (the analytics engine's results, converted by the
//! caller) and the language of its words, and returns a self-contained SVG in the posters'
//! visual language: the same fonts, palette and type sizes. Layout is computed first, as
//! geometry the tests can check (bars proportional to their values, Sankey links that conserve
//! each node's flow, no NaN coordinates), and then drawn.
//!
//! ```
//! use polku_model::Language;
//! use polku_render::charts::{FunnelData, FunnelStep, funnel_chart};
//!
//! let data = FunnelData {
//!     steps: vec![
//!         FunnelStep { label: "Visit".into(), count: 1000 },
//!         FunnelStep { label: "Lead".into(), count: 120 },
//!     ],
//! };
//! let svg = funnel_chart(&data, Language::En);
//! assert!(svg.as_str().contains("12%"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use polku_model::Language;

use crate::Svg;
use crate::draw::{color, ink_on, size, style};
use crate::i18n::Tr;
use crate::svg::{Anchor, N, PathData, SvgWriter, TextStyle};

/// The width of every chart, in picture units (the same units as the posters' type sizes).
pub const CHART_W: f64 = 960.0;
const PAD: f64 = 24.0;

// ---------------------------------------------------------------------------------------------
// Inputs

/// A funnel: steps in order with how many reached each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelData {
    /// The steps in order.
    pub steps: Vec<FunnelStep>,
}

/// One funnel step.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    /// The step's name as shown.
    pub label: String,
    /// Customers (or sessions) that reached it.
    pub count: u64,
}

/// Sankey data: nodes placed in columns by step, and flows between them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SankeyData {
    /// The nodes.
    pub nodes: Vec<SankeyNode>,
    /// The flows, by node index.
    pub links: Vec<SankeyLink>,
}

/// One Sankey node.
#[derive(Debug, Clone, PartialEq)]
pub struct SankeyNode {
    /// The node's name as shown; the same name gets the same colour in every column.
    pub name: String,
    /// The column, 0 first.
    pub step: usize,
}

/// One Sankey flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SankeyLink {
    /// The index of the source node.
    pub source: usize,
    /// The index of the target node.
    pub target: usize,
    /// How many journeys flow.
    pub value: u64,
}

/// The length of a retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodUnit {
    /// Days.
    Day,
    /// Weeks.
    #[default]
    Week,
    /// Months.
    Month,
}

/// A retention table: cohorts by first occurrence and their activity in later periods.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetentionData {
    /// The length of a period.
    pub unit: PeriodUnit,
    /// The cells; period 0 is the cohort's own period and holds its size.
    pub cells: Vec<RetentionCell>,
}

/// One cell of a retention table.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionCell {
    /// The cohort's label, e.g. `2025-03`.
    pub cohort: String,
    /// Periods after the cohort's own.
    pub period: u32,
    /// Customers of the cohort active in the period.
    pub active: u64,
    /// `active` divided by the cohort's size.
    pub retention: f64,
}

/// Breakpoints ranked by value lost, worst first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BreakpointsData {
    /// The currency of values (an ISO 4217 code such as `EUR`, or a sign such as `€`; empty
    /// when the values do not say), or none when values are converted customers.
    pub currency: Option<String>,
    /// The currencies of the conversion values when there are several: they were not added
    /// up, and values are converted customers.
    pub currencies: Vec<String>,
    /// Whether the rows are split by persona (a row without a persona then counts the
    /// customers no persona's rules take).
    pub by_persona: bool,
    /// The breakpoints in the order to show.
    pub items: Vec<BreakpointItem>,
}

/// Which expectation a breakpoint's drop-off exceeds by more than chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakpointFlag {
    /// The same customers' drop-off in the period before.
    PreviousPeriod,
    /// The other personas' drop-off in the same period.
    OtherPersonas,
    /// Both.
    Both,
}

/// One stage or touchpoint where customers leave more than expected.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakpointItem {
    /// The stage's or touchpoint's name.
    pub label: String,
    /// The stage it belongs to (for a touchpoint) or the word for a stage.
    pub stage: String,
    /// The owner team's name and colour (`#rrggbb`).
    pub owner: Option<(String, String)>,
    /// Customers who reached it.
    pub reached: u64,
    /// The share of them who left.
    pub drop_off_rate: f64,
    /// The share expected to leave: the lower of the two baselines known.
    pub expected_rate: Option<f64>,
    /// The persona whose customers the row counts, when the breakpoints are split by
    /// persona.
    pub persona: Option<String>,
    /// The same customers' drop-off in the period before, when known.
    pub expected_previous: Option<f64>,
    /// The other personas' drop-off in the same period, when known.
    pub expected_others: Option<f64>,
    /// Which baselines flag the row.
    pub flagged_by: Option<BreakpointFlag>,
    /// Customers lost beyond the expected.
    pub excess_lost: f64,
    /// The estimated value lost.
    pub value_lost: f64,
    /// For a stage whose customers take longer in it than expected: the times.
    pub stall: Option<StallTimes>,
}

/// How long the customers who went on spent in a stalling stage, against the expectation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StallTimes {
    /// The median time in the stage, in seconds.
    pub median_s: f64,
    /// The baseline's median time, in seconds.
    pub expected_s: f64,
}

/// The distributions of time and touchpoints before conversion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistributionData {
    /// Converted customers.
    pub converted: u64,
    /// Buckets of days from first touch to conversion.
    pub time: Vec<HistBucket>,
    /// Buckets of touchpoints before conversion.
    pub touchpoints: Vec<HistBucket>,
    /// The share converting a month or more after the first touch.
    pub month_or_more: f64,
    /// The share with three or more touchpoints before converting.
    pub three_or_more: f64,
    /// The share with six or more touchpoints before converting.
    pub six_or_more: f64,
    /// The same three shares from published surveys, for comparison.
    pub reference: Option<[f64; 3]>,
}

/// One bar of a histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct HistBucket {
    /// The bucket's label, e.g. `7-30 d`.
    pub label: String,
    /// The lower bound of the bucket (days or touchpoints); marks use it.
    pub lower: f64,
    /// Customers in the bucket.
    pub count: u64,
}

/// An emotion curve per stage, from interviews, with the map's own scores beside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmotionCurveData {
    /// The stages in journey order.
    pub stages: Vec<EmotionStage>,
}

/// The emotion of one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct EmotionStage {
    /// The stage's name.
    pub name: String,
    /// The mean emotion score said in interviews (−3..+3).
    pub mean: Option<f64>,
    /// The standard deviation of those scores.
    pub sd: Option<f64>,
    /// How many interviews scored the stage.
    pub interviews: u64,
    /// The mean score the map itself gives the stage.
    pub map: Option<f64>,
}

// ---------------------------------------------------------------------------------------------
// Shared frame

/// Wraps chart markup into a standalone SVG document.
fn document(w: f64, h: f64, body: SvgWriter) -> Svg {
    let mut out = SvgWriter::new();
    out.raw(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"{}\">\n",
        N(w),
        N(h),
        N(w),
        N(h),
        crate::fonts::FAMILY,
    ));
    out.rect(0.0, 0.0, w, h).fill(color::PAPER).end();
    out.append(body);
    out.raw("</svg>\n");
    Svg(out.finish())
}

/// The title and a muted line under it; returns the y where the chart starts.
fn title(out: &mut SvgWriter, title: &str, sub: &str) -> f64 {
    let t = TextStyle::new(size::STAGE + 2.0, color::INK).bold();
    out.text_line(PAD, PAD + t.ascent(), title, &t);
    let mut y = PAD + t.leading();
    if !sub.is_empty() {
        let s = style::SMALL;
        let lines = s.wrap(sub, CHART_W - 2.0 * PAD);
        out.text_lines(PAD, y + s.ascent(), &lines, &s);
        y += s.height(lines.len());
    }
    y + 14.0
}

/// A message in place of an empty chart.
fn empty(out: &mut SvgWriter, y: f64, text: &str) -> f64 {
    let st = style::BODY.italic().color(color::MUTED);
    out.text_line(PAD, y + st.ascent(), text, &st);
    y + st.leading() + PAD
}

/// `text` cut to `width` with an ellipsis.
fn fit(text: &str, st: &TextStyle, width: f64) -> String {
    if st.width(text) <= width {
        return text.to_owned();
    }
    let mut out: String = text.to_owned();
    while !out.is_empty() && st.width(&format!("{out}…")) > width {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

#[allow(clippy::cast_precision_loss)]
fn ratio(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// A colour between white and the accent for a share 0..1.
fn heat(share: f64) -> String {
    let s = share.clamp(0.0, 1.0).sqrt();
    let (r, g, b) = (0x0e, 0x6b, 0x6b);
    let mix = |c: u8| -> u8 {
        let v = 255.0 - (255.0 - f64::from(c)) * s;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = v.round().clamp(0.0, 255.0) as u8;
        v
    };
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

// ---------------------------------------------------------------------------------------------
// Funnel

/// A rectangle of a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

const FUNNEL_LABEL_W: f64 = 230.0;
const FUNNEL_VALUE_W: f64 = 150.0;
const FUNNEL_BAR_H: f64 = 26.0;
const FUNNEL_GAP: f64 = 26.0;

/// The funnel's bars: widths proportional to the counts, the largest the full track.
pub(crate) fn funnel_bars(data: &FunnelData, top: f64) -> Vec<Bar> {
    let track = CHART_W - 2.0 * PAD - FUNNEL_LABEL_W - FUNNEL_VALUE_W;
    let max = data.steps.iter().map(|s| s.count).max().unwrap_or(0);
    data.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            #[allow(clippy::cast_precision_loss)]
            let y = top + i as f64 * (FUNNEL_BAR_H + FUNNEL_GAP);
            Bar {
                x: PAD + FUNNEL_LABEL_W,
                y,
                w: track * ratio(s.count, max),
                h: FUNNEL_BAR_H,
            }
        })
        .collect()
}

/// The funnel: a bar per step, its share of the first step, and between steps the share that
/// continues and how many drop off.
#[must_use]
pub fn funnel_chart(data: &FunnelData, lang: Language) -> Svg {
    let tr = Tr::new(lang);
    let mut out = SvgWriter::new();
    let first = data.steps.first().map_or(0, |s| s.count);
    let last = data.steps.last().map_or(0, |s| s.count);
    let sub = if data.steps.is_empty() {
        String::new()
    } else {
        tr.args(
            "chart-funnel-sub",
            &[
                ("first", tr.integer(first)),
                ("share", tr.percent(ratio(last, first))),
            ],
        )
    };
    let top = title(&mut out, &tr.t("chart-funnel"), &sub);
    if data.steps.iter().all(|s| s.count == 0) {
        let h = empty(&mut out, top, &tr.t("chart-no-data"));
        return document(CHART_W, h, out);
    }
    let bars = funnel_bars(data, top);
    let track = CHART_W - 2.0 * PAD - FUNNEL_LABEL_W - FUNNEL_VALUE_W;
    let label_st = style::BODY.bold();
    let val_st = style::BODY;
    let note_st = style::SMALL;
    for (i, (s, b)) in data.steps.iter().zip(&bars).enumerate() {
        out.rect(b.x, b.y, track, b.h)
            .rx(3.0)
            .fill(color::BAND)
            .end();
        out.rect(b.x, b.y, b.w, b.h)
            .rx(3.0)
            .fill(color::ACCENT)
            .a("data-count", s.count)
            .end();
        let cy = b.y + b.h / 2.0;
        let label = fit(&s.label, &label_st, FUNNEL_LABEL_W - 14.0);
        out.text_line(PAD, cy + 4.2, &label, &label_st);
        let value = format!(
            "{} · {}",
            tr.integer(s.count),
            tr.percent(ratio(s.count, first))
        );
        out.text_line(b.x + track + 10.0, cy + 4.2, &value, &val_st);
        if i > 0 {
            let prev = data.steps[i - 1].count;
            let dropped = prev.saturating_sub(s.count);
            let y = b.y - FUNNEL_GAP / 2.0 + 3.8;
            let cont = tr.args(
                "chart-funnel-continue",
                &[("share", tr.percent(ratio(s.count.min(prev), prev)))],
            );
            out.text_line(b.x + 4.0, y, &cont, &note_st);
            let cw = note_st.width(&cont);
            let drop = tr.args(
                "chart-funnel-drop",
                &[
                    ("n", tr.integer(dropped)),
                    ("share", tr.percent(ratio(dropped, prev))),
                ],
            );
            out.text_line(
                b.x + 4.0 + cw + 12.0,
                y,
                &drop,
                &note_st.color(color::NEGATIVE),
            );
        }
    }
    let h = bars.last().map_or(top, |b| b.y + b.h) + PAD;
    document(CHART_W, h, out)
}

// ---------------------------------------------------------------------------------------------
// Sankey

const SANKEY_NODE_W: f64 = 12.0;
const SANKEY_H: f64 = 420.0;
const SANKEY_GAP: f64 = 16.0;
/// The room kept between a label's end and the next column's nodes.
const SANKEY_LABEL_GAP: f64 = 16.0;

/// Where a Sankey node sits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NodeBox {
    pub x: f64,
    pub y: f64,
    pub h: f64,
    /// The flow through the node: the larger of what comes in and what goes out.
    pub value: u64,
}

/// Where a Sankey link runs: its band at the source's right edge and the target's left edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinkBand {
    pub source: usize,
    pub target: usize,
    pub sx: f64,
    pub sy: f64,
    pub tx: f64,
    pub ty: f64,
    pub width: f64,
}

/// The Sankey layout: nodes and link bands, and the scale (units per journey).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SankeyLayout {
    pub nodes: Vec<NodeBox>,
    pub links: Vec<LinkBand>,
    pub scale: f64,
}

/// Lays a Sankey out in `w` × `h` from (x0, y0): columns by step, nodes stacked by size with
/// a fixed gap, one scale for every column so widths compare, links stacked in the order of
/// the nodes they lead to so bands do not cross at the nodes.
pub(crate) fn sankey_layout(data: &SankeyData, x0: f64, y0: f64, w: f64, h: f64) -> SankeyLayout {
    let n = data.nodes.len();
    let links: Vec<SankeyLink> = data
        .links
        .iter()
        .copied()
        .filter(|l| l.source < n && l.target < n && l.source != l.target)
        .collect();
    let mut inflow = vec![0u64; n];
    let mut outflow = vec![0u64; n];
    for l in &links {
        outflow[l.source] += l.value;
        inflow[l.target] += l.value;
    }
    let value: Vec<u64> = (0..n).map(|i| inflow[i].max(outflow[i])).collect();
    let steps = data.nodes.iter().map(|n| n.step).max().unwrap_or(0);
    let mut columns: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, node) in data.nodes.iter().enumerate() {
        columns.entry(node.step).or_default().push(i);
    }
    for col in columns.values_mut() {
        col.sort_by(|a, b| value[*b].cmp(&value[*a]).then(a.cmp(b)));
    }
    let mut scale = f64::INFINITY;
    for col in columns.values() {
        let total: u64 = col.iter().map(|i| value[*i]).sum();
        #[allow(clippy::cast_precision_loss)]
        let room = (h - SANKEY_GAP * (col.len().saturating_sub(1)) as f64).max(h * 0.25);
        if total > 0 {
            #[allow(clippy::cast_precision_loss)]
            let k = room / total as f64;
            scale = scale.min(k);
        }
    }
    if !scale.is_finite() {
        scale = 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let spacing = if steps == 0 {
        0.0
    } else {
        (w - SANKEY_NODE_W) / steps as f64
    };
    let mut nodes = vec![
        NodeBox {
            x: x0,
            y: y0,
            h: 0.0,
            value: 0
        };
        n
    ];
    for (step, col) in &columns {
        #[allow(clippy::cast_precision_loss)]
        let x = x0 + *step as f64 * spacing;
        let mut y = y0;
        for &i in col {
            #[allow(clippy::cast_precision_loss)]
            let nh = value[i] as f64 * scale;
            nodes[i] = NodeBox {
                x,
                y,
                h: nh,
                value: value[i],
            };
            y += nh + SANKEY_GAP;
        }
    }
    // Stack bands at each end in the order of the nodes at the other end.
    let mut out_order: Vec<usize> = (0..links.len()).collect();
    out_order.sort_by(|a, b| {
        let (la, lb) = (&links[*a], &links[*b]);
        la.source
            .cmp(&lb.source)
            .then(nodes[la.target].y.total_cmp(&nodes[lb.target].y))
            .then(a.cmp(b))
    });
    let mut in_order: Vec<usize> = (0..links.len()).collect();
    in_order.sort_by(|a, b| {
        let (la, lb) = (&links[*a], &links[*b]);
        la.target
            .cmp(&lb.target)
            .then(nodes[la.source].y.total_cmp(&nodes[lb.source].y))
            .then(a.cmp(b))
    });
    let mut bands: Vec<LinkBand> = links
        .iter()
        .map(|l| {
            #[allow(clippy::cast_precision_loss)]
            let width = l.value as f64 * scale;
            LinkBand {
                source: l.source,
                target: l.target,
                sx: nodes[l.source].x + SANKEY_NODE_W,
                sy: 0.0,
                tx: nodes[l.target].x,
                ty: 0.0,
                width,
            }
        })
        .collect();
    let mut used = vec![0.0f64; n];
    for &i in &out_order {
        let s = bands[i].source;
        bands[i].sy = nodes[s].y + used[s];
        used[s] += bands[i].width;
    }
    let mut used = vec![0.0f64; n];
    for &i in &in_order {
        let t = bands[i].target;
        bands[i].ty = nodes[t].y + used[t];
        used[t] += bands[i].width;
    }
    SankeyLayout {
        nodes,
        links: bands,
        scale,
    }
}

/// A colour per distinct node name, in order of first appearance.
fn node_colors(data: &SankeyData) -> Vec<&'static str> {
    const PALETTE: [&str; 8] = [
        "#1c6fb8", "#0e6b6b", "#d9480f", "#6f42c1", "#2b8a3e", "#c2255c", "#b7791f", "#0b7285",
    ];
    let mut names: Vec<&str> = Vec::new();
    data.nodes
        .iter()
        .map(|node| {
            if node.name.eq_ignore_ascii_case("other") || node.name == "muut" {
                return color::NEUTRAL;
            }
            let i = names
                .iter()
                .position(|n| *n == node.name)
                .unwrap_or_else(|| {
                    names.push(&node.name);
                    names.len() - 1
                });
            PALETTE[i % PALETTE.len()]
        })
        .collect()
}

/// The Sankey of the most common paths: a column per step, bands as wide as the journeys
/// that flow between two nodes.
#[must_use]
pub fn sankey_chart(data: &SankeyData, lang: Language) -> Svg {
    let tr = Tr::new(lang);
    let mut out = SvgWriter::new();
    let journeys: u64 = data
        .links
        .iter()
        .filter(|l| data.nodes.get(l.source).is_some_and(|n| n.step == 0))
        .map(|l| l.value)
        .sum();
    let sub = tr.args("chart-sankey-sub", &[("n", tr.integer(journeys))]);
    let top = title(&mut out, &tr.t("chart-sankey"), &sub);
    if data.links.is_empty() || journeys == 0 {
        let h = empty(&mut out, top, &tr.t("chart-no-data"));
        return document(CHART_W, h, out);
    }
    let steps = data.nodes.iter().map(|n| n.step).max().unwrap_or(0);
    // Every column's labels sit right of its nodes, the last column's too, in a margin kept
    // free for them: labels of two columns never meet. The margin is as wide as the room
    // between columns, so every label gets the same width.
    let inner = CHART_W - 2.0 * PAD - SANKEY_NODE_W;
    #[allow(clippy::cast_precision_loss)]
    let (margin, spacing) = if steps == 0 {
        (0.0, inner)
    } else {
        let s = steps as f64;
        let margin = (inner - SANKEY_LABEL_GAP * s) / (s + 1.0);
        (margin, (inner - margin) / s)
    };
    let layout = sankey_layout(data, PAD, top + 4.0, CHART_W - 2.0 * PAD - margin, SANKEY_H);
    let colors = node_colors(data);
    for band in &layout.links {
        let mx = (band.sx + band.tx) / 2.0;
        let d = PathData::new()
            .m(band.sx, band.sy)
            .c((mx, band.sy), (mx, band.ty), (band.tx, band.ty))
            .l(band.tx, band.ty + band.width)
            .c(
                (mx, band.ty + band.width),
                (mx, band.sy + band.width),
                (band.sx, band.sy + band.width),
            )
            .z()
            .build();
        out.path(&d)
            .fill(colors[band.source])
            .a("fill-opacity", "0.28")
            .end();
    }
    let label_st = style::TINY.color(color::INK);
    for ((node, b), c) in data.nodes.iter().zip(&layout.nodes).zip(&colors) {
        if b.value == 0 {
            continue;
        }
        out.rect(b.x, b.y, SANKEY_NODE_W, b.h.max(1.0))
            .fill(c)
            .end();
        let text = format!("{} ({})", node.name, tr.integer(b.value));
        let room = if node.step < steps {
            spacing - SANKEY_NODE_W - SANKEY_LABEL_GAP
        } else {
            margin - 5.0
        };
        let text = fit(&text, &label_st, room);
        let cy = b.y + b.h / 2.0 + 3.4;
        halo_text(&mut out, b.x + SANKEY_NODE_W + 5.0, cy, &text, &label_st);
    }
    let bottom = layout.nodes.iter().map(|b| b.y + b.h).fold(top, f64::max);
    document(CHART_W, bottom + PAD, out)
}

/// Text with a white outline, readable over bands.
fn halo_text(out: &mut SvgWriter, x: f64, y: f64, text: &str, st: &TextStyle) {
    let mut el = out
        .el("text")
        .n("x", x)
        .n("y", y)
        .n("font-size", st.size)
        .a("fill", st.fill)
        .a("stroke", color::PAPER)
        .n("stroke-width", 3.0)
        .a("stroke-linejoin", "round")
        .a("paint-order", "stroke");
    match st.anchor {
        Anchor::Start => {}
        Anchor::Middle => el = el.a("text-anchor", "middle"),
        Anchor::End => el = el.a("text-anchor", "end"),
    }
    el.content(text);
}

// ---------------------------------------------------------------------------------------------
// Retention

const RET_LABEL_W: f64 = 170.0;
const RET_ROW_H: f64 = 24.0;

/// The cohorts in order with their cells by period, and the largest period.
#[allow(clippy::type_complexity)]
fn cohorts(data: &RetentionData) -> (Vec<(&str, BTreeMap<u32, &RetentionCell>)>, u32) {
    let mut rows: Vec<(&str, BTreeMap<u32, &RetentionCell>)> = Vec::new();
    let mut max = 0;
    for c in &data.cells {
        max = max.max(c.period);
        match rows.iter_mut().find(|(k, _)| *k == c.cohort) {
            Some((_, cells)) => {
                cells.insert(c.period, c);
            }
            None => rows.push((&c.cohort, BTreeMap::from([(c.period, c)]))),
        }
    }
    rows.sort_by(|a, b| a.0.cmp(b.0));
    (rows, max)
}

/// The retention heatmap: a row per cohort, a column per period since the cohort's own, each
/// cell shaded by the share still active.
#[must_use]
pub fn retention_chart(data: &RetentionData, lang: Language) -> Svg {
    let tr = Tr::new(lang);
    let mut out = SvgWriter::new();
    let unit = match data.unit {
        PeriodUnit::Day => "day",
        PeriodUnit::Week => "week",
        PeriodUnit::Month => "month",
    };
    let (rows, max) = cohorts(data);
    let sub = tr.args(
        "chart-retention-sub",
        &[
            ("cohorts", tr.integer(rows.len() as u64)),
            ("unit", tr.t(&format!("chart-unit-{unit}"))),
        ],
    );
    let top = title(&mut out, &tr.t("chart-retention"), &sub);
    if rows.is_empty() {
        let h = empty(&mut out, top, &tr.t("chart-no-data"));
        return document(CHART_W, h, out);
    }
    let periods = max as usize + 1;
    #[allow(clippy::cast_precision_loss)]
    let cell_w = ((CHART_W - 2.0 * PAD - RET_LABEL_W) / periods as f64).min(72.0);
    let head = style::TINY.anchor(Anchor::Middle);
    let x0 = PAD + RET_LABEL_W;
    out.text_line(
        PAD,
        top + 12.0,
        &tr.t("chart-retention-cohort"),
        &style::TINY.bold(),
    );
    for p in 0..periods {
        #[allow(clippy::cast_precision_loss)]
        let cx = x0 + (p as f64 + 0.5) * cell_w;
        out.text_line(cx, top + 12.0, &p.to_string(), &head);
    }
    let y0 = top + 20.0;
    let label = style::SMALL.color(color::INK);
    for (r, (cohort, cells)) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = y0 + r as f64 * RET_ROW_H;
        let size = cells.get(&0).map_or(0, |c| c.active);
        out.text_line(PAD, y + RET_ROW_H / 2.0 + 3.6, cohort, &label);
        out.text_line(
            x0 - 8.0,
            y + RET_ROW_H / 2.0 + 3.6,
            &tr.integer(size),
            &style::TINY.anchor(Anchor::End),
        );
        for (p, cell) in cells {
            #[allow(clippy::cast_precision_loss)]
            let x = x0 + f64::from(*p) * cell_w;
            let bg = heat(cell.retention);
            out.rect(x + 1.0, y + 1.0, cell_w - 2.0, RET_ROW_H - 2.0)
                .rx(2.0)
                .fill(&bg)
                .end();
            let st = TextStyle::new(size::TINY, ink_on(&bg)).anchor(Anchor::Middle);
            out.text_line(
                x + cell_w / 2.0,
                y + RET_ROW_H / 2.0 + 3.4,
                &tr.percent(cell.retention),
                &st,
            );
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let bottom = y0 + rows.len() as f64 * RET_ROW_H;
    let st = style::TINY.color(color::FAINT);
    out.text_line(
        PAD,
        bottom + 16.0,
        &tr.args(
            "chart-retention-note",
            &[("unit", tr.t(&format!("chart-unit-{unit}")))],
        ),
        &st,
    );
    document(CHART_W, bottom + 16.0 + PAD, out)
}

// ---------------------------------------------------------------------------------------------
// Breakpoints

const BP_LABEL_W: f64 = 360.0;
const BP_VALUE_W: f64 = 120.0;
/// A row of two lines: the name, the drop-off.
const BP_ROW_H: f64 = 44.0;
/// A row of three: the baselines on a line of their own.
const BP_ROW_H3: f64 = 58.0;

/// Whether the rows need the line of baselines.
fn breakpoint_row_h(data: &BreakpointsData) -> f64 {
    if data.by_persona
        || data
            .items
            .iter()
            .any(|b| b.flagged_by.is_some() || b.expected_others.is_some() || b.stall.is_some())
    {
        BP_ROW_H3
    } else {
        BP_ROW_H
    }
}

/// The breakpoint bars: lengths proportional to the value lost.
pub(crate) fn breakpoint_bars(data: &BreakpointsData, top: f64) -> Vec<Bar> {
    let track = CHART_W - 2.0 * PAD - BP_LABEL_W - BP_VALUE_W;
    let row_h = breakpoint_row_h(data);
    let max = data
        .items
        .iter()
        .map(|b| b.value_lost.max(0.0))
        .fold(0.0, f64::max);
    data.items
        .iter()
        .enumerate()
        .map(|(i, b)| {
            #[allow(clippy::cast_precision_loss)]
            let y = top + i as f64 * row_h;
            let w = if max > 0.0 && b.value_lost.is_finite() {
                track * b.value_lost.max(0.0) / max
            } else {
                0.0
            };
            Bar {
                x: PAD + BP_LABEL_W,
                y: y + 8.0,
                w,
                h: 18.0,
            }
        })
        .collect()
}

/// The line of baselines of a breakpoint: the previous period's and the other personas'
/// drop-off, and the flag of those it exceeds.
fn baseline_line(tr: &Tr, b: &BreakpointItem) -> (String, Option<String>) {
    let mut parts = Vec::new();
    if let Some(e) = b.expected_previous {
        parts.push(tr.args("chart-breakpoints-before", &[("rate", tr.percent(e))]));
    }
    if let Some(e) = b.expected_others {
        parts.push(tr.args("chart-breakpoints-others", &[("rate", tr.percent(e))]));
    }
    let flag = b.flagged_by.map(|f| {
        tr.t(match f {
            BreakpointFlag::PreviousPeriod => "chart-breakpoints-flag-previous",
            BreakpointFlag::OtherPersonas => "chart-breakpoints-flag-personas",
            BreakpointFlag::Both => "chart-breakpoints-flag-both",
        })
    });
    (parts.join(" · "), flag)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
/// The breakpoints, worst first: where customers leave more than expected, each with its
/// stage, owner team, persona, drop-off against the expected, the baselines that flag it and
/// the value lost.
#[must_use]
pub fn breakpoints_chart(data: &BreakpointsData, lang: Language) -> Svg {
    let tr = Tr::new(lang);
    let mut out = SvgWriter::new();
    let sub = match (&data.currency, data.currencies.as_slice()) {
        (Some(_), _) => tr.t("chart-breakpoints-sub"),
        (None, [_, _, ..]) => tr.args(
            "chart-breakpoints-sub-currencies",
            &[("currencies", data.currencies.join(", "))],
        ),
        (None, _) => tr.t("chart-breakpoints-sub-customers"),
    };
    let top = title(&mut out, &tr.t("chart-breakpoints"), &sub);
    if data.items.is_empty() {
        let h = empty(&mut out, top, &tr.t("chart-breakpoints-none"));
        return document(CHART_W, h, out);
    }
    let bars = breakpoint_bars(data, top);
    let row_h = breakpoint_row_h(data);
    let name_st = style::BODY.bold();
    let persona_st = style::BODY.color(color::MUTED);
    let detail_st = style::TINY;
    let flag_st = style::TINY.bold().color(color::NEGATIVE);
    for (i, (b, bar)) in data.items.iter().zip(&bars).enumerate() {
        let y = bar.y - 8.0;
        if i.is_multiple_of(2) {
            out.rect(PAD - 6.0, y, CHART_W - 2.0 * PAD + 12.0, row_h)
                .fill(color::BAND)
                .end();
        }
        let rank = format!("{}.", i + 1);
        out.text_line(PAD, y + 18.0, &rank, &style::BODY.color(color::MUTED));
        let lx = PAD + 26.0;
        let mut tx = lx;
        if let Some((name, c)) = &b.owner {
            let chip = TextStyle::new(size::TINY, ink_on(c)).bold();
            let cw = chip.width(name) + 10.0;
            out.rect(lx, y + 6.0, cw, 15.0).rx(7.5).fill(c).end();
            out.text_line(lx + 5.0, y + 17.0, name, &chip);
            tx += cw + 6.0;
        }
        let room = BP_LABEL_W - (tx - PAD) - 10.0;
        let persona = match (&b.persona, data.by_persona) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(tr.t("chart-breakpoints-no-persona")),
            (None, false) => None,
        };
        // The name comes first; the persona keeps at least a third of the room.
        let persona = persona.map(|p| format!("· {p}"));
        let persona_w = persona
            .as_ref()
            .map_or(0.0, |p| (persona_st.width(p) + 5.0).min(room / 3.0));
        let name = fit(&b.label, &name_st, room - persona_w);
        out.text_line(tx, y + 18.0, &name, &name_st);
        if let Some(p) = &persona {
            let nw = name_st.width(&name) + 5.0;
            let p = fit(p, &persona_st, room - nw);
            out.text_line(tx + nw, y + 18.0, &p, &persona_st);
        }
        let mut detail = format!(
            "{} · {}",
            b.stage,
            tr.args(
                "chart-breakpoints-left",
                &[
                    ("reached", tr.integer(b.reached)),
                    ("rate", tr.percent(b.drop_off_rate)),
                ],
            )
        );
        if let Some(e) = b.expected_rate {
            let _ = write!(
                detail,
                " · {}",
                tr.args("chart-breakpoints-expected", &[("rate", tr.percent(e))])
            );
        }
        let detail = fit(&detail, &detail_st, BP_LABEL_W - 36.0);
        out.text_line(lx, y + 34.0, &detail, &detail_st);
        if row_h > BP_ROW_H {
            let (baselines, flag) = baseline_line(&tr, b);
            // A stall's times come first on the line: they are why the row is listed.
            let baselines = match b.stall {
                Some(st) => {
                    let times = tr.args(
                        "chart-breakpoints-stall",
                        &[
                            ("now", tr.duration(st.median_s)),
                            ("expected", tr.duration(st.expected_s)),
                        ],
                    );
                    if baselines.is_empty() {
                        times
                    } else {
                        format!("{times} · {baselines}")
                    }
                }
                None => baselines,
            };
            let flag_w = flag.as_ref().map_or(0.0, |f| flag_st.width(f) + 8.0);
            let baselines = fit(&baselines, &detail_st, BP_LABEL_W - 36.0 - flag_w);
            out.text_line(lx, y + 49.0, &baselines, &detail_st.color(color::MUTED));
            if let Some(f) = flag {
                let fx = if baselines.is_empty() {
                    lx
                } else {
                    lx + detail_st.width(&baselines) + 8.0
                };
                out.text_line(fx, y + 49.0, &f, &flag_st);
            }
        }
        out.rect(bar.x, bar.y, bar.w.max(1.0), bar.h)
            .rx(3.0)
            .fill(color::NEGATIVE)
            .end();
        let value = match &data.currency {
            // A stall delays conversions rather than losing them.
            _ if b.value_lost <= 0.0 && b.stall.is_some() => tr.t("chart-breakpoints-slower"),
            Some(cur) => tr.money(b.value_lost, cur),
            None => tr.args(
                "chart-breakpoints-customers",
                &[("n", tr.integer(b.value_lost.round().max(0.0) as u64))],
            ),
        };
        out.text_line(
            bar.x + bar.w.max(1.0) + 8.0,
            bar.y + 13.5,
            &value,
            &style::BODY.bold(),
        );
    }
    let h = bars.last().map_or(top, |b| b.y - 8.0 + row_h) + PAD;
    document(CHART_W, h, out)
}

// ---------------------------------------------------------------------------------------------
// Distributions

const HIST_H: f64 = 190.0;
const HIST_MARK_H: f64 = 40.0;

/// The bars of one histogram panel in (x, w): heights proportional to the counts.
pub(crate) fn histogram_bars(buckets: &[HistBucket], x: f64, w: f64, base: f64) -> Vec<Bar> {
    let max = buckets.iter().map(|b| b.count).max().unwrap_or(0);
    let n = buckets.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let slot = w / n as f64;
    buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let h = HIST_H * ratio(b.count, max);
            #[allow(clippy::cast_precision_loss)]
            Bar {
                x: x + i as f64 * slot + slot * 0.12,
                y: base - h,
                w: slot * 0.76,
                h,
            }
        })
        .collect()
}

/// A bucket label of days (`30-90 d`, `180 d +`) without its unit, which the axis caption
/// gives in the reader's language, and with an en dash for the range: `30–90`, `180 +`.
fn without_day_unit(label: &str) -> String {
    label.replace(" d", "").replace('-', "–")
}

/// One histogram with its marked shares, at (x, y) in width w; returns its height. With a
/// unit, the bucket labels are days and the unit is written under the axis.
#[allow(clippy::too_many_arguments)]
fn histogram(
    out: &mut SvgWriter,
    tr: &Tr,
    x: f64,
    y: f64,
    w: f64,
    heading: &str,
    buckets: &[HistBucket],
    marks: &[(f64, String)],
    unit: Option<&str>,
) -> f64 {
    let head = style::BODY.bold();
    out.text_line(x, y + head.ascent(), heading, &head);
    let base = y + head.leading() + HIST_MARK_H + 18.0 + HIST_H;
    let bars = histogram_bars(buckets, x, w, base);
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    out.line(x, base, x + w, base)
        .stroke(color::RULE, 1.0)
        .end();
    for (b, bar) in buckets.iter().zip(&bars) {
        out.rect(bar.x, bar.y, bar.w, bar.h)
            .rx(2.0)
            .fill(color::STAGE)
            .a("data-count", b.count)
            .end();
        let cx = bar.x + bar.w / 2.0;
        out.text_line(
            cx,
            bar.y - 5.0,
            &tr.percent(ratio(b.count, total)),
            &style::TINY.color(color::INK).anchor(Anchor::Middle),
        );
        let label = if unit.is_some() {
            without_day_unit(&b.label)
        } else {
            b.label.replace('-', "–")
        };
        out.text_line(cx, base + 14.0, &label, &style::TINY.anchor(Anchor::Middle));
    }
    if let Some(u) = unit {
        out.text_line(
            x + w / 2.0,
            base + 30.0,
            u,
            &style::TINY.bold().anchor(Anchor::Middle),
        );
    }
    // Brackets over the buckets a mark counts, the widest first, higher up.
    for (row, (from, label)) in marks.iter().enumerate() {
        let covered: Vec<&Bar> = buckets
            .iter()
            .zip(&bars)
            .filter(|(b, _)| b.lower >= *from)
            .map(|(_, bar)| bar)
            .collect();
        let (Some(first), Some(last)) = (covered.first(), covered.last()) else {
            continue;
        };
        #[allow(clippy::cast_precision_loss)]
        let by = y + head.leading() + 8.0 + row as f64 * 20.0;
        let (x0, x1) = (first.x, last.x + last.w);
        let d = PathData::new()
            .m(x0, by + 6.0)
            .l(x0, by)
            .l(x1, by)
            .l(x1, by + 6.0)
            .build();
        out.path(&d).fill("none").stroke(color::NEGATIVE, 1.2).end();
        let st = style::TINY
            .color(color::NEGATIVE)
            .bold()
            .anchor(Anchor::End);
        out.text_line(x1, by - 3.0, label, &st);
    }
    base + 36.0 - y
}

/// Time from first touch to conversion and touchpoints before conversion, side by side, with
/// the shares a month or more, three or more and six or more marked and set against the
/// published figures when given.
#[must_use]
pub fn distributions_chart(data: &DistributionData, lang: Language) -> Svg {
    let tr = Tr::new(lang);
    let mut out = SvgWriter::new();
    let sub = tr.args(
        "chart-distributions-sub",
        &[("n", tr.integer(data.converted))],
    );
    let top = title(&mut out, &tr.t("chart-distributions"), &sub);
    if data.converted == 0 {
        let h = empty(&mut out, top, &tr.t("chart-no-data"));
        return document(CHART_W, h, out);
    }
    let gap = 48.0;
    let w = (CHART_W - 2.0 * PAD - gap) / 2.0;
    let mark = |key: &str, share: f64, reference: Option<f64>| -> String {
        let base = tr.args(key, &[("share", tr.percent(share))]);
        match reference {
            Some(r) => format!(
                "{base} ({})",
                tr.args("chart-reference", &[("share", tr.percent(r))])
            ),
            None => base,
        }
    };
    let r = data.reference;
    let h1 = histogram(
        &mut out,
        &tr,
        PAD,
        top,
        w,
        &tr.t("chart-time-to-conversion"),
        &data.time,
        &[(
            30.0,
            mark("chart-month-or-more", data.month_or_more, r.map(|r| r[0])),
        )],
        Some(&tr.t("chart-days")),
    );
    let h2 = histogram(
        &mut out,
        &tr,
        PAD + w + gap,
        top,
        w,
        &tr.t("chart-touchpoints-before"),
        &data.touchpoints,
        &[
            (
                3.0,
                mark("chart-three-or-more", data.three_or_more, r.map(|r| r[1])),
            ),
            (
                6.0,
                mark("chart-six-or-more", data.six_or_more, r.map(|r| r[2])),
            ),
        ],
        None,
    );
    document(CHART_W, top + h1.max(h2) + PAD, out)
}

// ---------------------------------------------------------------------------------------------
// Emotion curve

const EMO_H: f64 = 220.0;

/// The emotion curve from interviews: the mean per stage with a band of one standard
/// deviation either side, how many interviews back each point, and the map's own scores as a
/// dashed line for comparison.
#[must_use]
pub fn emotion_chart(data: &EmotionCurveData, lang: Language) -> Svg {
    let tr = Tr::new(lang);
    let mut out = SvgWriter::new();
    let interviews = data.stages.iter().map(|s| s.interviews).max().unwrap_or(0);
    let sub = tr.args("chart-emotion-sub", &[("n", tr.integer(interviews))]);
    let top = title(&mut out, &tr.t("chart-emotion"), &sub);
    if data.stages.is_empty() {
        let h = empty(&mut out, top, &tr.t("chart-no-data"));
        return document(CHART_W, h, out);
    }
    let label_w = 60.0;
    let cols = crate::draw::Columns::new(PAD, CHART_W - 2.0 * PAD, label_w, data.stages.len());
    let band = emotion_band(data, &cols);
    let series = vec![
        crate::draw::Series {
            points: data
                .stages
                .iter()
                .zip(&cols.cols)
                .filter_map(|(s, (x, w))| s.map.map(|m| (x + w / 2.0, m)))
                .collect(),
            muted: true,
            band: Vec::new(),
        },
        crate::draw::Series {
            points: data
                .stages
                .iter()
                .zip(&cols.cols)
                .filter_map(|(s, (x, w))| s.mean.map(|m| (x + w / 2.0, m)))
                .collect(),
            muted: false,
            band,
        },
    ];
    crate::draw::emotion_chart(&mut out, &cols, top, EMO_H, &series);
    let y = top + EMO_H + 4.0;
    for (s, (x, w)) in data.stages.iter().zip(&cols.cols) {
        let name = fit(&s.name, &style::SMALL.bold(), w - 4.0);
        let st = style::SMALL.bold().color(color::INK).anchor(Anchor::Middle);
        out.text_line(x + w / 2.0, y + 10.0, &name, &st);
        let n = if s.interviews == 0 {
            tr.t("chart-emotion-unbacked")
        } else {
            tr.n(
                "chart-emotion-n",
                usize::try_from(s.interviews).unwrap_or(usize::MAX),
            )
        };
        let st = style::TINY.anchor(Anchor::Middle);
        let st = if s.interviews == 0 {
            st.italic().color(color::NEGATIVE)
        } else {
            st
        };
        out.text_line(x + w / 2.0, y + 24.0, &n, &st);
    }
    let ly = y + 38.0;
    crate::draw::legend(
        &mut out,
        PAD + label_w,
        ly,
        &[
            crate::draw::LegendItem::Line(false, tr.t("chart-emotion-mean")),
            crate::draw::LegendItem::Band(tr.t("chart-emotion-spread")),
            crate::draw::LegendItem::Line(true, tr.t("chart-emotion-map")),
        ],
    );
    document(CHART_W, ly + 16.0 + PAD, out)
}

/// The spread band of interview emotions: (x, mean − sd, mean + sd) per scored stage.
pub(crate) fn emotion_band(
    data: &EmotionCurveData,
    cols: &crate::draw::Columns,
) -> Vec<(f64, f64, f64)> {
    data.stages
        .iter()
        .zip(&cols.cols)
        .filter_map(|(s, (x, w))| {
            let m = s.mean?;
            let sd = s.sd.unwrap_or(0.0).max(0.0);
            Some((x + w / 2.0, m - sd, m + sd))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn finite_numbers(svg: &str) -> bool {
        !svg.contains("NaN") && !svg.contains("inf")
    }

    fn sankey_strategy() -> impl Strategy<Value = SankeyData> {
        (
            1usize..5,
            prop::collection::vec((0usize..4, 0usize..4, 0u64..5000), 0..24),
        )
            .prop_map(|(per_step, raw)| {
                let steps = 4;
                let mut nodes = Vec::new();
                for s in 0..steps {
                    for k in 0..per_step {
                        nodes.push(SankeyNode {
                            name: format!("n{k}"),
                            step: s,
                        });
                    }
                }
                let links = raw
                    .into_iter()
                    .map(|(s, a, v)| {
                        let s = s % (steps - 1);
                        SankeyLink {
                            source: s * per_step + a % per_step,
                            target: (s + 1) * per_step + (a * 7 + 3) % per_step,
                            value: v,
                        }
                    })
                    .collect();
                SankeyData { nodes, links }
            })
    }

    proptest! {
        #[test]
        fn sankey_links_conserve_each_nodes_flow(data in sankey_strategy()) {
            let l = sankey_layout(&data, 10.0, 20.0, 800.0, 400.0);
            for (i, node) in l.nodes.iter().enumerate() {
                let out: f64 = l.links.iter().filter(|b| b.source == i).map(|b| b.width).sum();
                let inn: f64 = l.links.iter().filter(|b| b.target == i).map(|b| b.width).sum();
                let out_v: u64 = data.links.iter().filter(|k| k.source == i).map(|k| k.value).sum();
                let in_v: u64 = data.links.iter().filter(|k| k.target == i).map(|k| k.value).sum();
                prop_assert!((out - out_v as f64 * l.scale).abs() < 1e-6);
                prop_assert!((inn - in_v as f64 * l.scale).abs() < 1e-6);
                prop_assert!(out <= node.h + 1e-6 && inn <= node.h + 1e-6);
                prop_assert!((node.h - out.max(inn)).abs() < 1e-6);
                prop_assert!(node.y + node.h <= 20.0 + 400.0 + 1e-6, "{node:?}");
            }
            for b in &l.links {
                let (s, t) = (&l.nodes[b.source], &l.nodes[b.target]);
                prop_assert!(b.sy >= s.y - 1e-6 && b.sy + b.width <= s.y + s.h + 1e-6);
                prop_assert!(b.ty >= t.y - 1e-6 && b.ty + b.width <= t.y + t.h + 1e-6);
                prop_assert!(b.sx.is_finite() && b.sy.is_finite() && b.tx.is_finite() && b.ty.is_finite());
            }
            // Nodes in one column never overlap.
            for a in 0..l.nodes.len() {
                for b in 0..l.nodes.len() {
                    let (na, nb) = (&l.nodes[a], &l.nodes[b]);
                    if a != b && data.nodes[a].step == data.nodes[b].step && na.value > 0 && nb.value > 0 {
                        prop_assert!(na.y + na.h <= nb.y + 1e-6 || nb.y + nb.h <= na.y + 1e-6);
                    }
                }
            }
            let svg = sankey_chart(&data, Language::En);
            prop_assert!(finite_numbers(svg.as_str()));
        }

        #[test]
        fn funnel_bars_are_proportional(counts in prop::collection::vec(0u64..1_000_000, 1..8)) {
            let data = FunnelData {
                steps: counts.iter().enumerate().map(|(i, c)| FunnelStep { label: format!("s{i}"), count: *c }).collect(),
            };
            let bars = funnel_bars(&data, 0.0);
            let max = *counts.iter().max().unwrap();
            let widest = bars.iter().map(|b| b.w).fold(0.0, f64::max);
            for (b, c) in bars.iter().zip(&counts) {
                prop_assert!(b.w.is_finite() && b.w >= 0.0);
                if max > 0 {
                    prop_assert!((b.w / widest - *c as f64 / max as f64).abs() < 1e-9);
                }
            }
            for w in bars.windows(2) {
                prop_assert!(w[0].y + w[0].h < w[1].y);
            }
            prop_assert!(finite_numbers(funnel_chart(&data, Language::Fi).as_str()));
        }

        #[test]
        fn breakpoint_bars_are_proportional(
            values in prop::collection::vec(0.0f64..1e7, 1..10),
            by_persona: bool,
        ) {
            let data = BreakpointsData {
                currency: Some("€".into()),
                currencies: vec![],
                by_persona,
                items: values.iter().map(|v| BreakpointItem {
                    label: "x".into(), stage: "s".into(), owner: None, reached: 10,
                    drop_off_rate: 0.5, expected_rate: Some(0.2), persona: None,
                    expected_previous: Some(0.2), expected_others: by_persona.then_some(0.3),
                    flagged_by: Some(BreakpointFlag::Both), excess_lost: 3.0, value_lost: *v,
                    stall: None,
                }).collect(),
            };
            let bars = breakpoint_bars(&data, 0.0);
            let max = values.iter().copied().fold(0.0, f64::max);
            let widest = bars.iter().map(|b| b.w).fold(0.0, f64::max);
            for (b, v) in bars.iter().zip(&values) {
                if max > 0.0 {
                    prop_assert!((b.w / widest - v / max).abs() < 1e-9);
                }
            }
            // Rows of three lines do not run into the next.
            for w in bars.windows(2) {
                prop_assert!(w[1].y - w[0].y >= BP_ROW_H3);
            }
            prop_assert!(finite_numbers(breakpoints_chart(&data, Language::En).as_str()));
        }

        #[test]
        fn histogram_bars_stand_on_the_base(counts in prop::collection::vec(0u64..10_000, 1..8)) {
            let buckets: Vec<HistBucket> = counts.iter().enumerate().map(|(i, c)| HistBucket {
                label: i.to_string(), lower: i as f64, count: *c,
            }).collect();
            let bars = histogram_bars(&buckets, 0.0, 400.0, 300.0);
            let max = *counts.iter().max().unwrap();
            for (b, c) in bars.iter().zip(&counts) {
                prop_assert!((b.y + b.h - 300.0).abs() < 1e-9);
                prop_assert!((b.h - HIST_H * ratio(*c, max)).abs() < 1e-9);
                prop_assert!(b.x >= 0.0 && b.x + b.w <= 400.0 + 1e-9);
            }
        }
    }

    #[test]
    fn a_hand_worked_sankey() {
        // a(10) → b(6), a → c(4); b → d(6): one scale, bands stacked by target position.
        let data = SankeyData {
            nodes: ["a", "b", "c", "d"]
                .iter()
                .zip([0, 1, 1, 2])
                .map(|(n, s)| SankeyNode {
                    name: (*n).into(),
                    step: s,
                })
                .collect(),
            links: vec![
                SankeyLink {
                    source: 0,
                    target: 2,
                    value: 4,
                },
                SankeyLink {
                    source: 0,
                    target: 1,
                    value: 6,
                },
                SankeyLink {
                    source: 1,
                    target: 3,
                    value: 6,
                },
            ],
        };
        let l = sankey_layout(&data, 0.0, 0.0, 412.0, 116.0);
        // Column 1 holds b and c: 116 − one gap of 16 = 100 units for 10 journeys.
        assert!((l.scale - 10.0).abs() < 1e-9);
        assert_eq!(l.nodes[1].y, 0.0);
        assert_eq!(l.nodes[2].y, 76.0);
        assert_eq!(l.nodes[3].x, 400.0);
        assert_eq!(l.nodes[1].x, 200.0);
        // a → b leaves from the top of a (b is above c), a → c below it.
        assert_eq!(l.links[1].sy, 0.0);
        assert_eq!(l.links[0].sy, 60.0);
        assert_eq!(l.links[0].ty, 76.0);
    }

    #[test]
    fn heat_runs_from_white_to_the_accent() {
        assert_eq!(heat(0.0), "#ffffff");
        assert_eq!(heat(1.0), "#0e6b6b");
    }
}
