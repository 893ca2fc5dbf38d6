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
use crate::{MapData, Paper, PosterInput};

/// The rows of the grid, in drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    Measured,
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
            Lane::Measured => "lane-measured",
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

    fn has_content(self, s: &Stage, data: Option<&MapData>) -> bool {
        match self {
            Lane::Measured => data.is_some_and(|d| d.numbers && !d.stages.is_empty()),
            Lane::Emotions if s.emotions().next().is_none() => data.is_some_and(|d| {
                d.interviews
                    .iter()
                    .any(|i| i.stage == s.stage.as_str() && i.emotion_mean.is_some())
            }),
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
pub(crate) fn render(input: &PosterInput<'_>, data: Option<&MapData>, paper: Paper) -> String {
    let ctx = Ctx::new(input.workspace);
    let lanes: Vec<Lane> = std::iter::once(Lane::Measured)
        .chain(Lane::ALL)
        .filter(|l| input.map.stages.iter().any(|s| l.has_content(s, data)))
        .collect();
    let page = Page::fit(paper, |w| {
        Poster::measure(&ctx, input, data, &lanes, w).height()
    });
    let poster = Poster::measure(&ctx, input, data, &lanes, page.content_w);
    let mut out = SvgWriter::new();
    poster.draw(&mut out, &ctx, input, data, &page);
    page.document(out)
}

/// The measured layout of a poster at one width.
struct Poster {
    frame: draw::Frame<Lane>,
    persona_w: f64,
    persona_h: f64,
}

impl Poster {
    fn measure(
        ctx: &Ctx<'_>,
        input: &PosterInput<'_>,
        data: Option<&MapData>,
        lanes: &[Lane],
        width: f64,
    ) -> Poster {
        let mut scratch = SvgWriter::new();
        let inner = width - 2.0 * MARGIN;
        let header_h = header(&mut scratch, ctx, input, data, MARGIN, MARGIN, inner);
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
                let label = draw::lane_label_height(&cols, &ctx.tr.t(lane.message()))
                    + data.map_or(0.0, |d| {
                        lane_evidence(&mut scratch, ctx, input.map, d, lane, &cols, 0.0)
                    });
                let h = if lane == Lane::Emotions {
                    EMOTION_H
                } else {
                    input
                        .map
                        .stages
                        .iter()
                        .zip(&cols.cols)
                        .map(|(s, (x, w))| cell(&mut scratch, ctx, data, lane, s, *x, 0.0, *w))
                        .fold(0.0, f64::max)
                        + 2.0 * LANE_PAD
                };
                (lane, h.max(label))
            })
            .collect();
        Poster {
            frame: draw::Frame::new(width, header_h, cols, stage_h, lanes),
            persona_w,
            persona_h,
        }
    }

    fn body_h(&self) -> f64 {
        self.frame.grid_h().max(self.persona_h)
    }

    fn height(&self) -> f64 {
        self.frame.height(self.body_h())
    }

    fn draw(
        mut self,
        out: &mut SvgWriter,
        ctx: &Ctx<'_>,
        input: &PosterInput<'_>,
        data: Option<&MapData>,
        page: &Page,
    ) {
        // Share spare height among the lanes (the emotion chart gets a double share), up to a
        // comfortable limit; the rest stays as white space above the footer.
        let spare = page.view_h - self.height();
        if spare > 0.0 && !self.frame.lanes.is_empty() {
            #[allow(clippy::cast_precision_loss)]
            let shares = self.frame.lanes.len() as f64 + 1.0;
            let each = (spare / shares).min(36.0);
            for (lane, h) in &mut self.frame.lanes {
                *h += if *lane == Lane::Emotions {
                    2.0 * each
                } else {
                    each
                };
            }
        }
        let map = input.map;
        let cols = &self.frame.cols;
        let (persona_w, body_h) = (self.persona_w, self.body_h());
        self.frame.draw(
            out,
            page,
            &stage_names(ctx, map),
            |out, inner, top| {
                header(out, ctx, input, data, MARGIN, MARGIN, inner);
                if let Some(p) = input.persona {
                    crate::persona::card(out, ctx, p, MARGIN, top, persona_w, body_h);
                }
            },
            |out, i, lane, y, h| {
                let label = ctx.tr.t(lane.message());
                match data {
                    None => draw::lane_band(out, cols, y, h, &label, i % 2 == 1),
                    Some(d) => {
                        draw::lane_band(out, cols, y, h, "", i % 2 == 1);
                        let backed = lane_backed(map, d, lane);
                        let st = TextStyle::new(
                            size::LANE,
                            if backed { color::INK } else { color::FAINT },
                        )
                        .bold();
                        let lines = st.wrap(&label, cols.label_w - 12.0);
                        out.text_lines(cols.label_x + 6.0, y + 10.0 + st.ascent(), &lines, &st);
                        let ey = y + 10.0 + st.height(lines.len()) + 2.0;
                        lane_evidence(out, ctx, map, d, lane, cols, ey);
                    }
                }
                if lane == Lane::Emotions {
                    let interviews = data.map(|d| interview_series(map, d, cols));
                    let series = match interviews {
                        Some(s) if !s.points.is_empty() => {
                            vec![emotion_series(map, cols, true), s]
                        }
                        _ => vec![emotion_series(map, cols, false)],
                    };
                    draw::emotion_chart(out, cols, y, h, &series);
                } else {
                    for (s, (x, w)) in map.stages.iter().zip(&cols.cols) {
                        cell(out, ctx, data, lane, s, *x, y + LANE_PAD, *w);
                    }
                }
            },
            |out, fy, inner| footer(out, ctx, input, MARGIN, fy, inner),
        );
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
    data: Option<&MapData>,
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
    if let Some(period) = data.filter(|d| d.numbers).and_then(|d| d.period.as_ref()) {
        meta.push((tr.t("header-measured"), period.clone()));
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
    let mark = if input.map.id.is_empty() {
        "polku".to_owned()
    } else {
        format!("polku · {}", input.map.id)
    };
    draw::footer(out, x, y, w, &items, &mark);
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
    Series {
        points,
        muted,
        band: Vec::new(),
    }
}

/// Draws one lane's cell for one stage at (x, y); returns its height.
#[allow(clippy::too_many_arguments)]
fn cell(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    data: Option<&MapData>,
    lane: Lane,
    s: &Stage,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
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
                let measured = data
                    .filter(|d| d.numbers)
                    .and_then(|d| d.touchpoints.iter().find(|m| m.touchpoint == t.id.as_str()));
                stack(out, &mut |o, y| touchpoint(o, ctx, s, t, measured, x, y, w));
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
        Lane::Measured => {
            if let Some(d) = data {
                h = measured(out, ctx, d, s, x, y, w);
            }
        }
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
#[allow(clippy::too_many_arguments)]
fn touchpoint(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    stage: &Stage,
    t: &polku_model::Touchpoint,
    data: Option<&crate::TouchpointData>,
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
    if let Some(m) = data {
        let st = style::SMALL.bold().color(color::ACCENT);
        let mut text = ctx.tr.count("data-events", m.events);
        if let Some(trend) = m.trend {
            text = format!("{text} · {}", signed_percent(ctx, trend));
        }
        h += 2.0
            + draw::text_block(
                &mut body,
                tx,
                y + h + 2.0,
                x + w - PAD - tx,
                &text,
                &st,
                None,
            );
    }
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

/// A change as a signed percentage: `+12 %`, `–3,5 %`.
fn signed_percent(ctx: &Ctx<'_>, share: f64) -> String {
    let p = ctx.tr.percent(share.abs());
    if share > 0.0005 {
        format!("+{p}")
    } else if share < -0.0005 {
        format!("–{p}")
    } else {
        p
    }
}

/// The colour of a trend: green up, orange down, grey flat.
fn trend_color(share: f64) -> &'static str {
    if share > 0.005 {
        color::POSITIVE
    } else if share < -0.005 {
        color::NEGATIVE
    } else {
        color::MUTED
    }
}

/// The measured cell of a stage: customers reached, conversion to the next stage, drop-off
/// and the trend; "not measured" when the data says nothing of the stage.
fn measured(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    data: &MapData,
    s: &Stage,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    let tr = &ctx.tr;
    let Some(m) = data.stages.iter().find(|m| m.stage == s.stage.as_str()) else {
        let st = style::SMALL.italic().color(color::FAINT);
        return draw::text_block(out, x, y, w, &tr.t("data-unbound"), &st, None);
    };
    let big = TextStyle::new(size::STAGE + 3.0, color::INK).bold();
    let mut h = draw::text_block(
        out,
        x,
        y,
        w,
        &tr.args("data-reached", &[("n", tr.integer(m.reached))]),
        &big,
        None,
    );
    let mut line = |out: &mut SvgWriter, text: String, st: TextStyle| {
        h += draw::text_block(out, x, y + h, w, &text, &st, None);
    };
    if let Some(c) = m.conversion_to_next {
        line(
            out,
            tr.args("data-conversion", &[("share", tr.percent(c))]),
            style::SMALL.color(color::INK),
        );
    }
    if let Some(d) = m.drop_off_rate {
        line(
            out,
            tr.args("data-drop", &[("share", tr.percent(d))]),
            style::SMALL.bold().color(color::NEGATIVE),
        );
    }
    if let Some(t) = m.trend {
        line(
            out,
            tr.args("data-trend", &[("share", signed_percent(ctx, t))]),
            style::SMALL.color(trend_color(t)),
        );
    }
    h
}

/// Distinct evidence references cited by a lane's items across the map.
fn lane_sources(map: &JourneyMap, lane: Lane) -> usize {
    let mut refs: Vec<String> = Vec::new();
    for s in &map.stages {
        let cited: Vec<&[polku_model::EvidenceRef]> = match lane {
            Lane::Goals => s.goals.iter().map(|c| c.evidence.as_slice()).collect(),
            Lane::Actions | Lane::Emotions => {
                let mut v: Vec<&[polku_model::EvidenceRef]> = s
                    .actions
                    .iter()
                    .filter(|a| lane == Lane::Actions || a.emotion.is_some())
                    .map(|a| a.evidence.as_slice())
                    .collect();
                if lane == Lane::Emotions {
                    v.extend(
                        s.touchpoints
                            .iter()
                            .filter(|t| t.emotion.is_some())
                            .map(|t| t.evidence.as_slice()),
                    );
                }
                v
            }
            Lane::Touchpoints | Lane::Channels => s
                .touchpoints
                .iter()
                .map(|t| t.evidence.as_slice())
                .collect(),
            Lane::PainPoints => s
                .pain_points
                .iter()
                .map(|c| c.evidence.as_slice())
                .collect(),
            Lane::Moments => s
                .moments_of_truth
                .iter()
                .map(|c| c.evidence.as_slice())
                .collect(),
            _ => Vec::new(),
        };
        for r in cited.into_iter().flatten() {
            let r = r.to_string();
            if !refs.contains(&r) {
                refs.push(r);
            }
        }
    }
    refs.len()
}

/// What backs a lane: (cited sources, interviews, data rows). Lanes of plans and people
/// (opportunities, owners, KPIs) need no evidence and get none.
fn lane_backing(map: &JourneyMap, data: &MapData, lane: Lane) -> Option<(usize, u64, u64)> {
    let on_map = |stage: &str| map.stages.iter().any(|s| s.stage.as_str() == stage);
    let interviews = data
        .interviews
        .iter()
        .filter(|i| on_map(&i.stage))
        .map(|i| i.interviews)
        .max()
        .unwrap_or(0);
    let rows: u64 = map
        .stages
        .iter()
        .flat_map(|s| &s.touchpoints)
        .filter_map(|t| {
            data.touchpoints
                .iter()
                .find(|m| m.touchpoint == t.id.as_str())
        })
        .map(|m| m.events)
        .sum();
    match lane {
        Lane::Measured => Some((0, 0, rows)),
        Lane::Touchpoints => Some((lane_sources(map, lane), interviews, rows)),
        Lane::Emotions => Some((lane_sources(map, lane), interviews, 0)),
        Lane::Goals | Lane::Actions | Lane::PainPoints | Lane::Moments => {
            Some((lane_sources(map, lane), 0, 0))
        }
        Lane::Channels | Lane::Opportunities | Lane::Owners | Lane::Kpis => None,
    }
}

/// Whether anything backs a lane (lanes that need no evidence count as backed).
fn lane_backed(map: &JourneyMap, data: &MapData, lane: Lane) -> bool {
    lane_backing(map, data, lane).is_none_or(|(s, i, r)| s > 0 || i > 0 || r > 0)
}

/// The evidence under a lane's label: data rows, interviews and cited sources, or "no
/// evidence"; returns the height used.
fn lane_evidence(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    map: &JourneyMap,
    data: &MapData,
    lane: Lane,
    cols: &Columns,
    y: f64,
) -> f64 {
    let Some((sources, interviews, rows)) = lane_backing(map, data, lane) else {
        return 0.0;
    };
    let tr = &ctx.tr;
    let mut lines = Vec::new();
    if rows > 0 {
        lines.push(tr.count("evidence-rows", rows));
    }
    if interviews > 0 {
        lines.push(tr.count("evidence-interviews", interviews));
    }
    if sources > 0 {
        lines.push(tr.sources(sources));
    }
    let st = if lines.is_empty() {
        lines.push(tr.t("evidence-none"));
        style::TINY.italic().color(color::NEGATIVE)
    } else {
        style::TINY
    };
    let mut h = 0.0;
    for l in &lines {
        h += draw::text_block(
            out,
            cols.label_x + 6.0,
            y + h,
            cols.label_w - 12.0,
            l,
            &st,
            None,
        );
    }
    if lane == Lane::Emotions && interviews > 0 {
        h += 4.0;
        let sy = y + h + 5.0;
        let x = cols.label_x + 6.0;
        out.rect(x, sy - 5.0, 18.0, 10.0)
            .fill(draw::BAND_FILL)
            .a("fill-opacity", "0.55")
            .end();
        out.line(x, sy, x + 18.0, sy).stroke(color::INK, 2.0).end();
        out.text_line(
            x + 23.0,
            sy + 3.3,
            &tr.t("legend-interview-mean"),
            &style::TINY,
        );
        let sy = sy + 14.0;
        out.line(x, sy, x + 18.0, sy)
            .stroke(color::FAINT, 1.8)
            .a("stroke-dasharray", "4 3")
            .end();
        out.text_line(
            x + 23.0,
            sy + 3.3,
            &tr.t("legend-map-emotion"),
            &style::TINY,
        );
        h += 28.0;
    }
    h + 4.0
}

/// The interview curve: each stage's mean at the column's centre, with its spread band.
fn interview_series(map: &JourneyMap, data: &MapData, cols: &Columns) -> Series {
    let mut points = Vec::new();
    let mut band = Vec::new();
    for (s, (x, w)) in map.stages.iter().zip(&cols.cols) {
        let Some(i) = data.interviews.iter().find(|i| i.stage == s.stage.as_str()) else {
            continue;
        };
        if let Some(m) = i.emotion_mean {
            let cx = x + w / 2.0;
            points.push((cx, m));
            let sd = i.emotion_sd.unwrap_or(0.0).max(0.0);
            band.push((cx, m - sd, m + sd));
        }
    }
    Series {
        points,
        muted: false,
        band,
    }
}
