//! The journey map poster: header, persona card, and the grid of stage columns × lanes.
//!
//! Layout is two passes: every cell is measured at its column width, each lane takes the height
//! of its tallest cell, and then everything is drawn. When the result is taller than the paper
//! allows, the layout is widened step by step (columns get wider, text wraps into fewer lines)
//! until it fits the paper's proportions; the picture is then scaled to the page.

use polku_model::{JourneyMap, OpportunityStatus, Stage, TouchpointKind};

use crate::draw::{
    self, Columns, Ctx, Evidence, LegendItem, Mark, Note, PAD, Piece, Series, color, size, style,
};
use crate::page::{MARGIN, Page};
use crate::svg::{Anchor, SvgWriter, TextStyle};
use crate::{Paper, PosterInput};

/// The rows of the grid, in drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    Goals,
    Actions,
    Touchpoints,
    Channels,
    Emotions,
    PainPoints,
    Moments,
    Opportunities,
    Owners,
    Kpis,
}

impl Lane {
    const ALL: [Lane; 10] = [
        Lane::Goals,
        Lane::Actions,
        Lane::Touchpoints,
        Lane::Channels,
        Lane::Emotions,
        Lane::PainPoints,
        Lane::Moments,
        Lane::Opportunities,
        Lane::Owners,
        Lane::Kpis,
    ];

    fn message(self) -> &'static str {
        match self {
            Lane::Goals => "lane-goals",
            Lane::Actions => "lane-actions",
            Lane::Touchpoints => "lane-touchpoints",
            Lane::Channels => "lane-channels",
            Lane::Emotions => "lane-emotions",
            Lane::PainPoints => "lane-pain-points",
            Lane::Moments => "lane-moments",
            Lane::Opportunities => "lane-opportunities",
            Lane::Owners => "lane-owners",
            Lane::Kpis => "lane-kpis",
        }
    }

    fn has_content(self, s: &Stage) -> bool {
        match self {
            Lane::Goals => !s.goals.is_empty(),
            Lane::Actions => !s.actions.is_empty(),
            Lane::Touchpoints => !s.touchpoints.is_empty(),
            Lane::Channels => s.touchpoints.iter().any(|t| t.channel.is_some()),
            Lane::Emotions => s.emotions().next().is_some(),
            Lane::PainPoints => !s.pain_points.is_empty(),
            Lane::Moments => !s.moments_of_truth.is_empty(),
            Lane::Opportunities => !s.opportunities.is_empty(),
            Lane::Owners => s.owner.is_some() || s.touchpoints.iter().any(|t| t.owner.is_some()),
            Lane::Kpis => !s.kpis.is_empty(),
        }
    }
}

/// Height of the emotion lane before any extra space is shared out.
const EMOTION_H: f64 = 150.0;
/// Vertical padding inside a lane.
const LANE_PAD: f64 = 8.0;

/// Renders the poster of one map.
pub(crate) fn render(input: &PosterInput<'_>, paper: Paper) -> String {
    let ctx = Ctx::new(input.workspace);
    let lanes: Vec<Lane> = Lane::ALL
        .into_iter()
        .filter(|l| input.map.stages.iter().any(|s| l.has_content(s)))
        .collect();
    let page = Page::fit(paper, |w| Poster::measure(&ctx, input, &lanes, w).height());
    let poster = Poster::measure(&ctx, input, &lanes, page.content_w);
    let mut out = SvgWriter::new();
    poster.draw(&mut out, &ctx, input, &page);
    page.document(out)
}

/// The measured layout of a poster at one width.
struct Poster {
    width: f64,
    header_h: f64,
    persona_w: f64,
    persona_h: f64,
    cols: Columns,
    stage_h: f64,
    lanes: Vec<(Lane, f64)>,
    footer_h: f64,
}

impl Poster {
    fn measure(ctx: &Ctx<'_>, input: &PosterInput<'_>, lanes: &[Lane], width: f64) -> Poster {
        let mut scratch = SvgWriter::new();
        let inner = width - 2.0 * MARGIN;
        let header_h = header(&mut scratch, ctx, input, MARGIN, MARGIN, inner);
        let persona_w = if input.persona.is_some() {
            (0.17 * width).clamp(250.0, 420.0)
        } else {
            0.0
        };
        let grid_x = MARGIN
            + if persona_w > 0.0 {
                persona_w + 22.0
            } else {
                0.0
            };
        let label_w = (0.075 * width).clamp(124.0, 150.0);
        let cols = Columns::new(
            grid_x,
            width - MARGIN - grid_x,
            label_w,
            input.map.stages.len(),
        );
        let stage_h = draw::stage_headers(&mut scratch, &cols, 0.0, &stage_names(ctx, input.map));
        let persona_h = input.persona.map_or(0.0, |p| {
            crate::persona::card(&mut scratch, ctx, p, 0.0, 0.0, persona_w, 0.0)
        });
        let lanes = lanes
            .iter()
            .map(|&lane| {
                let label = draw::lane_label_height(&cols, &ctx.tr.t(lane.message()));
                let h = if lane == Lane::Emotions {
                    EMOTION_H
                } else {
                    input
                        .map
                        .stages
                        .iter()
                        .zip(&cols.cols)
                        .map(|(s, (x, w))| cell(&mut scratch, ctx, lane, s, *x, 0.0, *w))
                        .fold(0.0, f64::max)
                        + 2.0 * LANE_PAD
                };
                (lane, h.max(label))
            })
            .collect();
        Poster {
            width,
            header_h,
            persona_w,
            persona_h,
            cols,
            stage_h,
            lanes,
            footer_h: 40.0,
        }
    }

    fn grid_h(&self) -> f64 {
        self.stage_h + 6.0 + self.lanes.iter().map(|(_, h)| h).sum::<f64>()
    }

    fn body_h(&self) -> f64 {
        self.grid_h().max(self.persona_h)
    }

    fn height(&self) -> f64 {
        MARGIN + self.header_h + 24.0 + self.body_h() + 16.0 + self.footer_h + MARGIN
    }

    fn draw(mut self, out: &mut SvgWriter, ctx: &Ctx<'_>, input: &PosterInput<'_>, page: &Page) {
        // Share spare height among the lanes (the emotion chart gets a double share), up to a
        // comfortable limit; the rest stays as white space above the footer.
        let spare = page.view_h - self.height();
        if spare > 0.0 && !self.lanes.is_empty() {
            #[allow(clippy::cast_precision_loss)]
            let shares = self.lanes.len() as f64 + 1.0;
            let each = (spare / shares).min(36.0);
            for (lane, h) in &mut self.lanes {
                *h += if *lane == Lane::Emotions {
                    2.0 * each
                } else {
                    each
                };
            }
        }
        let x0 = page.content_x;
        if x0 != 0.0 {
            out.open_group(&[("transform", &format!("translate({} 0)", crate::svg::N(x0)))]);
        }
        let inner = self.width - 2.0 * MARGIN;
        header(out, ctx, input, MARGIN, MARGIN, inner);
        let top = MARGIN + self.header_h + 24.0;
        if let Some(p) = input.persona {
            crate::persona::card(out, ctx, p, MARGIN, top, self.persona_w, self.body_h());
        }
        let map = input.map;
        draw::stage_headers(out, &self.cols, top, &stage_names(ctx, map));
        let mut y = top + self.stage_h + 6.0;
        for (i, &(lane, h)) in self.lanes.iter().enumerate() {
            draw::lane_band(out, &self.cols, y, h, &ctx.tr.t(lane.message()), i % 2 == 1);
            if lane == Lane::Emotions {
                draw::emotion_chart(
                    out,
                    &self.cols,
                    y,
                    h,
                    &[emotion_series(map, &self.cols, false)],
                );
            } else {
                for (s, (x, w)) in map.stages.iter().zip(&self.cols.cols) {
                    cell(out, ctx, lane, s, *x, y + LANE_PAD, *w);
                }
            }
            y += h;
        }
        out.line(self.cols.label_x, y, self.cols.right(), y)
            .stroke(color::RULE, 0.8)
            .end();
        let fy = page.view_h - MARGIN - self.footer_h + 16.0;
        footer(out, ctx, input, MARGIN, fy, inner);
        if x0 != 0.0 {
            out.close_group();
        }
    }
}

/// The stage names and, under each, its description from the workspace if there is one.
fn stage_names(ctx: &Ctx<'_>, map: &JourneyMap) -> Vec<(String, Option<String>)> {
    map.stages
        .iter()
        .map(|s| {
            let desc = ctx
                .ws
                .stage(&s.stage)
                .and_then(|d| d.description.clone())
                .filter(|d| d.chars().count() > 2);
            (ctx.ws.stage_name(s).to_owned(), desc)
        })
        .collect()
}

fn header(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    input: &PosterInput<'_>,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    let tr = &ctx.tr;
    let map = input.map;
    let mut meta = Vec::new();
    if let Some(p) = input.persona {
        meta.push((tr.t("header-persona"), p.name.clone()));
    }
    meta.push((tr.t("header-workspace"), ctx.ws.name.clone()));
    if let Some(base) = &map.improves {
        meta.push((tr.t("header-improves"), base.to_string()));
    }
    let heading = draw::Heading {
        kicker: &tr.kind(map.kind),
        title: &map.title,
        meta: &meta,
        description: map.description.as_deref(),
    };
    draw::header(out, x, y, w, &heading)
}

fn footer(out: &mut SvgWriter, ctx: &Ctx<'_>, input: &PosterInput<'_>, x: f64, y: f64, w: f64) {
    let tr = &ctx.tr;
    out.line(x, y - 10.0, x + w, y - 10.0)
        .stroke(color::RULE, 0.8)
        .end();
    let items = [
        LegendItem::Icon(
            TouchpointKind::Digital,
            tr.touchpoint_kind(TouchpointKind::Digital),
        ),
        LegendItem::Icon(
            TouchpointKind::Physical,
            tr.touchpoint_kind(TouchpointKind::Physical),
        ),
        LegendItem::Icon(
            TouchpointKind::Analog,
            tr.touchpoint_kind(TouchpointKind::Analog),
        ),
        LegendItem::Gap,
        LegendItem::Dot(color::NEGATIVE, tr.t("legend-negative")),
        LegendItem::Dot(color::NEUTRAL, tr.t("legend-neutral")),
        LegendItem::Dot(color::POSITIVE, tr.t("legend-positive")),
        LegendItem::Gap,
        LegendItem::Evidence(true, tr.t("legend-cited")),
        LegendItem::Evidence(false, tr.t("legend-uncited")),
    ];
    draw::legend(out, x, y, &items);
    let st = style::SMALL.color(color::FAINT).anchor(Anchor::End);
    let mark = if input.map.id.is_empty() {
        "polku".to_owned()
    } else {
        format!("polku · {}", input.map.id)
    };
    out.text_line(x + w, y + st.ascent(), &mark, &st);
}

/// The emotion curve of a map: the scored steps and touchpoints of each stage, spread evenly
/// across the stage's column in reading order.
pub(crate) fn emotion_series(map: &JourneyMap, cols: &Columns, muted: bool) -> Series {
    let mut points = Vec::new();
    for (s, (x, w)) in map.stages.iter().zip(&cols.cols) {
        let scores: Vec<i8> = s.emotions().collect();
        for (px, e) in draw::spread(*x, *w, scores.len()).into_iter().zip(scores) {
            points.push((px, f64::from(e)));
        }
    }
    Series { points, muted }
}

/// Draws one lane's cell for one stage at (x, y); returns its height.
fn cell(out: &mut SvgWriter, ctx: &Ctx<'_>, lane: Lane, s: &Stage, x: f64, y: f64, w: f64) -> f64 {
    let (x, w) = (x + 2.0, w - 4.0);
    let gap = 5.0;
    let mut h = 0.0;
    let mut stack = |out: &mut SvgWriter, f: &mut dyn FnMut(&mut SvgWriter, f64) -> f64| {
        if h > 0.0 {
            h += gap;
        }
        h += f(out, y + h);
    };
    match lane {
        Lane::Goals => {
            for g in &s.goals {
                let n = Note::new(&g.text, color::GOAL, Evidence::Count(g.evidence.len()));
                stack(out, &mut |o, y| draw::note(o, ctx, x, y, w, &n));
            }
        }
        Lane::Actions => {
            for a in &s.actions {
                let mut n = Note::new(&a.text, color::ACTION, Evidence::Count(a.evidence.len()));
                n.dot = a.emotion.map(|e| draw::emotion_color(f64::from(e)));
                stack(out, &mut |o, y| draw::note(o, ctx, x, y, w, &n));
            }
        }
        Lane::Touchpoints => {
            for t in &s.touchpoints {
                stack(out, &mut |o, y| touchpoint(o, ctx, s, t, x, y, w));
            }
        }
        Lane::Channels => {
            let mut seen: Vec<&str> = Vec::new();
            for c in s.touchpoints.iter().filter_map(|t| t.channel.as_deref()) {
                if !seen.iter().any(|s| s.eq_ignore_ascii_case(c)) {
                    seen.push(c);
                }
            }
            let pieces: Vec<Piece> = seen
                .into_iter()
                .map(|c| Piece::outline(c.to_owned()))
                .collect();
            h = draw::flow(out, x, y, w, &pieces);
        }
        Lane::Emotions => {}
        Lane::PainPoints => {
            for p in &s.pain_points {
                let mut n = Note::new(&p.text, color::PAIN, Evidence::Count(p.evidence.len()));
                n.mark = Some(Mark::Triangle(color::NEGATIVE));
                stack(out, &mut |o, y| draw::note(o, ctx, x, y, w, &n));
            }
        }
        Lane::Moments => {
            for m in &s.moments_of_truth {
                let mut n = Note::new(&m.text, color::MOMENT, Evidence::Count(m.evidence.len()));
                n.mark = Some(Mark::Diamond("#b7791f"));
                stack(out, &mut |o, y| draw::note(o, ctx, x, y, w, &n));
            }
        }
        Lane::Opportunities => {
            for o in &s.opportunities {
                stack(out, &mut |out, y| opportunity(out, ctx, o, x, y, w));
            }
        }
        Lane::Owners => {
            let mut owners = Vec::new();
            if let Some(o) = &s.owner {
                owners.push(o);
            }
            for t in &s.touchpoints {
                if let Some(o) = &t.owner
                    && !owners.contains(&o)
                {
                    owners.push(o);
                }
            }
            let pieces: Vec<Piece> = owners
                .iter()
                .map(|o| Piece::team(ctx, o, Some(*o) == s.owner.as_ref()))
                .collect();
            h = draw::flow(out, x, y, w, &pieces);
        }
        Lane::Kpis => {
            for k in &s.kpis {
                stack(out, &mut |out, y| kpi(out, ctx, k, x, y, w));
            }
        }
    }
    h
}

/// A touchpoint card: kind icon, name, channel and format, owner stripe, emotion badge.
fn touchpoint(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    stage: &Stage,
    t: &polku_model::Touchpoint,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    let icon = 16.0;
    let badge = if t.emotion.is_some() { 24.0 } else { 0.0 };
    let tx = x + PAD + 2.0 + icon + 6.0;
    let tw = x + w - PAD - badge - tx;
    let name_st = style::BODY.bold();
    let mut body = SvgWriter::new();
    let mut h = PAD - 1.0;
    let lines = name_st.wrap(&t.name, tw);
    body.text_lines(tx, y + h + name_st.ascent(), &lines, &name_st);
    h += name_st.height(lines.len());
    let detail: Vec<&str> = t
        .channel
        .iter()
        .chain(&t.format)
        .map(String::as_str)
        .collect();
    let detail = if detail.is_empty() {
        ctx.tr.touchpoint_kind(t.kind)
    } else {
        detail.join(" · ")
    };
    let marker = (!t.evidence.is_empty()).then(|| ctx.tr.sources(t.evidence.len()));
    h += draw::text_block(
        &mut body,
        tx,
        y + h,
        x + w - PAD - tx,
        &detail,
        &style::SMALL,
        marker.as_deref(),
    );
    h += PAD - 1.0;
    let h = h.max(icon + 2.0 * PAD);
    let mut r = out
        .rect(x, y, w, h)
        .rx(4.0)
        .fill(color::PAPER)
        .stroke(color::RULE, 0.9);
    if t.evidence.is_empty() {
        r = r.a("stroke-dasharray", "3 2.5");
    }
    r.end();
    if let Some(owner) = t.owner_in(stage) {
        let c = ctx.team_color(owner);
        out.rect(x, y, 4.0, h).rx(2.0).fill(&c).end();
    }
    draw::kind_icon(
        out,
        x + PAD + 2.0,
        y + PAD - 1.0,
        icon,
        t.kind,
        color::MUTED,
    );
    if let Some(e) = t.emotion {
        let (cx, cy) = (x + w - PAD - 8.0, y + PAD + 7.0);
        out.circle(cx, cy, 8.5)
            .fill(draw::emotion_color(f64::from(e)))
            .end();
        let st = TextStyle::new(size::TINY, color::PAPER)
            .bold()
            .anchor(Anchor::Middle);
        out.text_lines(cx, cy + 3.4, &[ctx.tr.signed(f64::from(e), 0)], &st);
    }
    out.append(body);
    h
}

/// An opportunity card: the title, value and effort meters, status and owner.
fn opportunity(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    o: &polku_model::Opportunity,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    let tr = &ctx.tr;
    let mut body = SvgWriter::new();
    let mut h = PAD - 1.0;
    h += draw::text_block(
        &mut body,
        x + PAD,
        y + h,
        w - 2.0 * PAD,
        &o.title,
        &style::BODY,
        None,
    );
    let mut pieces = Vec::new();
    if let Some(v) = o.value {
        pieces.push(Piece::Meter {
            label: tr.t("opportunity-value"),
            value: v,
            max: 5,
            color: color::POSITIVE,
        });
    }
    if let Some(e) = o.effort {
        pieces.push(Piece::Meter {
            label: tr.t("opportunity-effort"),
            value: e,
            max: 5,
            color: color::MUTED,
        });
    }
    let (fill, ink) = match o.status {
        OpportunityStatus::Idea => (color::PAPER, color::MUTED),
        OpportunityStatus::Planned => ("#dbe8f7", color::INK),
        OpportunityStatus::InProgress => ("#fde8c4", color::INK),
        OpportunityStatus::Done => (color::POSITIVE, color::PAPER),
    };
    pieces.push(Piece::Chip {
        text: tr.status(o.status),
        fill: fill.to_owned(),
        edge: Some(color::OPPORTUNITY.1.to_owned()),
        style: TextStyle::new(size::TINY, ink).bold(),
    });
    if let Some(owner) = &o.owner {
        let mut p = Piece::team(ctx, owner, false);
        if let Piece::Chip { style, .. } = &mut p {
            style.size = size::TINY;
        }
        pieces.push(p);
    }
    h += 4.0;
    h += draw::flow(&mut body, x + PAD, y + h, w - 2.0 * PAD, &pieces);
    h += PAD;
    out.rect(x, y, w, h)
        .rx(4.0)
        .fill(color::OPPORTUNITY.0)
        .stroke(color::OPPORTUNITY.1, 0.9)
        .end();
    out.append(body);
    h
}

/// A KPI card: what is measured, its target and layer.
fn kpi(out: &mut SvgWriter, ctx: &Ctx<'_>, k: &polku_model::Kpi, x: f64, y: f64, w: f64) -> f64 {
    let tr = &ctx.tr;
    let mut body = SvgWriter::new();
    let mut h = PAD - 1.0;
    h += draw::text_block(
        &mut body,
        x + PAD,
        y + h,
        w - 2.0 * PAD,
        &k.name,
        &style::BODY,
        None,
    );
    let mut parts = Vec::new();
    if let Some(t) = k.target {
        parts.push(tr.args(
            "kpi-target",
            &[("value", tr.quantity(t, k.unit.as_deref()))],
        ));
    }
    if let Some(l) = k.layer {
        parts.push(tr.kpi_layer(l));
    }
    if !parts.is_empty() {
        let st = style::SMALL.bold().color(color::MUTED);
        h += draw::text_block(
            &mut body,
            x + PAD,
            y + h,
            w - 2.0 * PAD,
            &parts.join(" · "),
            &st,
            None,
        );
    }
    h += PAD - 1.0;
    out.rect(x, y, w, h)
        .rx(4.0)
        .fill(color::KPI.0)
        .stroke(color::KPI.1, 0.9)
        .end();
    out.append(body);
    h
}
