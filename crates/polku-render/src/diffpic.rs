//! The current-vs-future picture: both emotion curves on one chart, and per stage the
//! touchpoints added, removed and changed and the pain points solved.
//!
//! It draws [`polku_model::diff::MapDiff`], so the picture and the text summary of
//! `polku diff` always agree.

use polku_model::diff::{ChangedField, MapDiff, StageDiff, TouchpointChange, diff_maps};
use polku_model::{JourneyMap, Touchpoint};

use crate::draw::{
    self, Columns, Ctx, Evidence, LegendItem, Mark, Note, Series, color, size, style,
};
use crate::page::{MARGIN, Page};
use crate::svg::{PathData, SvgWriter, TextStyle};
use crate::{DiffInput, Paper};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    Emotions,
    Touchpoints,
    PainPoints,
}

impl Lane {
    fn message(self) -> &'static str {
        match self {
            Lane::Emotions => "diff-lane-emotions",
            Lane::Touchpoints => "diff-lane-touchpoints",
            Lane::PainPoints => "diff-lane-pain-points",
        }
    }
}

const EMOTION_H: f64 = 230.0;
const LANE_PAD: f64 = 8.0;

/// Tint of notes for added touchpoints.
const ADDED_TINT: (&str, &str) = ("#ebf6ee", "#9fd0ab");
/// Tint of notes for removed touchpoints.
const REMOVED_TINT: (&str, &str) = ("#f7f7f8", "#d5d9de");
/// Tint of notes for changed touchpoints.
const CHANGED_TINT: (&str, &str) = ("#fdf3e1", "#ebc27a");
/// Tint of notes for things that stay as they are.
const SAME_TINT: (&str, &str) = ("#ffffff", "#dde2e8");

/// Renders the diff picture.
pub(crate) fn render(input: &DiffInput<'_>, paper: Paper) -> String {
    let ctx = Ctx::new(input.workspace);
    let diff = diff_maps(input.current, input.future);
    let mut lanes = vec![Lane::Emotions, Lane::Touchpoints];
    let any_pains = diff.stages.iter().any(|s| {
        !(s.pain_points_solved.is_empty()
            && s.pain_points_kept.is_empty()
            && s.pain_points_new.is_empty())
    });
    if any_pains {
        lanes.push(Lane::PainPoints);
    }
    let page = Page::fit(paper, |w| {
        Layout::measure(&ctx, input, &diff, &lanes, w).height()
    });
    let layout = Layout::measure(&ctx, input, &diff, &lanes, page.content_w);
    let mut out = SvgWriter::new();
    layout.draw(&mut out, &ctx, input, &diff, &page);
    page.document(out)
}

struct Layout {
    frame: draw::Frame<Lane>,
}

impl Layout {
    fn measure(
        ctx: &Ctx<'_>,
        input: &DiffInput<'_>,
        diff: &MapDiff,
        lanes: &[Lane],
        width: f64,
    ) -> Layout {
        let mut scratch = SvgWriter::new();
        let inner = width - 2.0 * MARGIN;
        let header_h = header(&mut scratch, ctx, input, diff, MARGIN, MARGIN, inner);
        let label_w = (0.075 * width).clamp(124.0, 150.0);
        let cols = Columns::new(MARGIN, inner, label_w, diff.stages.len());
        let stage_h = draw::stage_headers(&mut scratch, &cols, 0.0, &stage_names(ctx, diff));
        let lanes = lanes
            .iter()
            .map(|&lane| {
                let label = draw::lane_label_height(&cols, &ctx.tr.t(lane.message()));
                let h = if lane == Lane::Emotions {
                    EMOTION_H
                } else {
                    diff.stages
                        .iter()
                        .zip(&cols.cols)
                        .map(|(s, (x, w))| cell(&mut scratch, ctx, lane, s, *x, 0.0, *w))
                        .fold(0.0, f64::max)
                        + 2.0 * LANE_PAD
                };
                (lane, h.max(label))
            })
            .collect();
        Layout {
            frame: draw::Frame::new(width, header_h, cols, stage_h, lanes),
        }
    }

    fn height(&self) -> f64 {
        self.frame.height(self.frame.grid_h())
    }

    fn draw(
        mut self,
        out: &mut SvgWriter,
        ctx: &Ctx<'_>,
        input: &DiffInput<'_>,
        diff: &MapDiff,
        page: &Page,
    ) {
        let spare = page.view_h - self.height();
        if spare > 0.0 {
            // The chart takes half of the spare height, up to double its size; the other lanes
            // share a little of the rest.
            let chart = (spare / 2.0).min(EMOTION_H);
            #[allow(clippy::cast_precision_loss)]
            let each = ((spare - chart) / (self.frame.lanes.len() as f64 + 1.0)).min(40.0);
            for (lane, h) in &mut self.frame.lanes {
                *h += if *lane == Lane::Emotions { chart } else { each };
            }
        }
        let cols = &self.frame.cols;
        self.frame.draw(
            out,
            page,
            &stage_names(ctx, diff),
            |out, inner, _| {
                header(out, ctx, input, diff, MARGIN, MARGIN, inner);
            },
            |out, i, lane, y, h| {
                draw::lane_band(out, cols, y, h, &ctx.tr.t(lane.message()), i % 2 == 1);
                if lane == Lane::Emotions {
                    emotions(out, ctx, input, diff, cols, y, h);
                } else {
                    for (s, (x, w)) in diff.stages.iter().zip(&cols.cols) {
                        cell(out, ctx, lane, s, *x, y + LANE_PAD, *w);
                    }
                }
            },
            |out, fy, inner| footer(out, ctx, input, MARGIN, fy, inner),
        );
    }
}

fn stage_names(ctx: &Ctx<'_>, diff: &MapDiff) -> Vec<(String, Option<String>)> {
    diff.stages
        .iter()
        .map(|s| {
            let note = if !s.in_future {
                Some(ctx.tr.t("diff-stage-dropped"))
            } else if !s.in_current {
                Some(ctx.tr.t("diff-stage-new"))
            } else {
                None
            };
            (s.display_name(ctx.ws).to_owned(), note)
        })
        .collect()
}

fn header(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    input: &DiffInput<'_>,
    diff: &MapDiff,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    let tr = &ctx.tr;
    let mut meta = vec![(tr.t("diff-current"), input.current.title.clone())];
    if let Some(p) = input.persona {
        meta.push((tr.t("header-persona"), p.name.clone()));
    }
    meta.push((tr.t("header-workspace"), ctx.ws.name.clone()));
    let heading = draw::Heading {
        kicker: &tr.t("diff-title"),
        title: &input.future.title,
        meta: &meta,
        description: None,
    };
    let h = draw::header(out, x, y, w * 0.62, &heading);
    // The totals, top right.
    let solved = diff.pain_points_solved().count();
    let total: usize = diff
        .stages
        .iter()
        .map(|s| s.pain_points_solved.len() + s.pain_points_kept.len())
        .sum();
    let stats = [
        (
            Mark::Plus(color::ADDED),
            tr.n("diff-count-added", diff.added().count()),
        ),
        (
            Mark::Minus(color::REMOVED),
            tr.n("diff-count-removed", diff.removed().count()),
        ),
        (
            Mark::Tilde(color::CHANGED),
            tr.n("diff-count-changed", diff.changed().count()),
        ),
        (
            Mark::Check(color::POSITIVE),
            tr.args(
                "diff-count-solved",
                &[("solved", solved.to_string()), ("total", total.to_string())],
            ),
        ),
    ];
    let st = TextStyle::new(size::SUBTITLE, color::INK).bold();
    let col_x = x + w * 0.66;
    let mut sy = y + 18.0;
    for (m, text) in stats {
        draw::mark(out, col_x + 9.0, sy + st.leading() / 2.0, 8.0, m);
        out.text_lines(col_x + 24.0, sy + st.ascent(), &[text], &st);
        sy += st.leading() + 6.0;
    }
    h.max(sy - y)
}

fn footer(out: &mut SvgWriter, ctx: &Ctx<'_>, input: &DiffInput<'_>, x: f64, y: f64, w: f64) {
    let tr = &ctx.tr;
    let items = [
        LegendItem::Line(true, tr.t("diff-current")),
        LegendItem::Line(false, tr.t("diff-future")),
        LegendItem::Gap,
        LegendItem::Mark(Mark::Plus(color::ADDED), tr.t("diff-added")),
        LegendItem::Mark(Mark::Minus(color::REMOVED), tr.t("diff-removed")),
        LegendItem::Mark(Mark::Tilde(color::CHANGED), tr.t("diff-changed")),
        LegendItem::Mark(Mark::Ring(color::FAINT), tr.t("diff-unchanged")),
        LegendItem::Gap,
        LegendItem::Mark(Mark::Check(color::POSITIVE), tr.t("diff-solved")),
        LegendItem::Mark(Mark::Triangle(color::NEGATIVE), tr.t("diff-kept")),
        LegendItem::Mark(Mark::Bang(color::NEGATIVE), tr.t("diff-new-pain")),
    ];
    let mark = format!("polku · {} / {}", input.current.id, input.future.id);
    draw::footer(out, x, y, w, &items, &mark);
}

/// The scores of one map laid onto the diff's stage columns.
fn series(map: &JourneyMap, diff: &MapDiff, cols: &Columns, muted: bool) -> Series {
    let mut points = Vec::new();
    for (d, (x, w)) in diff.stages.iter().zip(&cols.cols) {
        let Some(stage) = map.stages.iter().find(|s| s.stage == d.stage) else {
            continue;
        };
        let scores: Vec<i8> = stage.emotions().collect();
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

/// Both curves, and each stage's mean before and after.
fn emotions(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    input: &DiffInput<'_>,
    diff: &MapDiff,
    cols: &Columns,
    y: f64,
    h: f64,
) {
    let means_h = 26.0;
    let both = [
        series(input.current, diff, cols, true),
        series(input.future, diff, cols, false),
    ];
    draw::emotion_chart(out, cols, y, h - means_h, &both);
    let tr = &ctx.tr;
    let before_st = style::SMALL.color(color::FAINT);
    let after_st = TextStyle::new(size::SMALL, color::INK).bold();
    let label_st = style::TINY;
    let by = y + h - means_h + 6.0;
    for (s, (x, w)) in diff.stages.iter().zip(&cols.cols) {
        let label = tr.t("diff-mean");
        let before = s
            .current_emotion
            .map_or_else(|| "–".to_owned(), |e| tr.signed(e, 1));
        let after = s
            .future_emotion
            .map_or_else(|| "–".to_owned(), |e| tr.signed(e, 1));
        let arrow = 16.0;
        let total = label_st.width(&label)
            + 6.0
            + before_st.width(&before)
            + arrow
            + after_st.width(&after);
        let mut cx = x + (w - total) / 2.0;
        let base = by + after_st.ascent();
        out.text_line(cx, base, &label, &label_st);
        cx += label_st.width(&label) + 6.0;
        out.text_line(cx, base, &before, &before_st);
        cx += before_st.width(&before);
        arrow_right(out, cx + 3.0, by + after_st.leading() / 2.0, arrow - 6.0);
        cx += arrow;
        let fill = s.future_emotion.map_or(color::INK, draw::emotion_color);
        out.text_lines(cx, base, &[after], &after_st.color(fill));
    }
}

/// A small arrow pointing right, drawn (the font has no arrow glyph).
fn arrow_right(out: &mut SvgWriter, x: f64, y: f64, len: f64) {
    let d = PathData::new()
        .m(x, y)
        .l(x + len, y)
        .m(x + len - 3.5, y - 3.0)
        .l(x + len, y)
        .l(x + len - 3.5, y + 3.0)
        .build();
    out.path(&d)
        .fill("none")
        .stroke(color::MUTED, 1.2)
        .a("stroke-linecap", "round")
        .a("stroke-linejoin", "round")
        .end();
}

fn cell(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    lane: Lane,
    s: &StageDiff,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    let (x, w) = (x + 2.0, w - 4.0);
    let gap = 5.0;
    let mut h = 0.0;
    let mut push = |out: &mut SvgWriter, n: &Note<'_>| {
        if h > 0.0 {
            h += gap;
        }
        h += draw::note(out, ctx, x, y + h, w, n);
    };
    match lane {
        Lane::Emotions => {}
        Lane::Touchpoints => {
            for t in &s.added {
                let detail = detail(ctx, t, None);
                let mut n = Note::new(&t.name, ADDED_TINT, Evidence::None);
                n.mark = Some(Mark::Plus(color::ADDED));
                n.style = style::BODY.bold();
                n.detail = detail.as_deref();
                push(out, &n);
            }
            for c in &s.changed {
                let detail = detail(ctx, &c.after, Some(c));
                let mut n = Note::new(&c.after.name, CHANGED_TINT, Evidence::None);
                n.mark = Some(Mark::Tilde(color::CHANGED));
                n.style = style::BODY.bold();
                n.detail = detail.as_deref();
                push(out, &n);
            }
            for t in &s.removed {
                let mut n = Note::new(&t.name, REMOVED_TINT, Evidence::None);
                n.mark = Some(Mark::Minus(color::REMOVED));
                n.style = TextStyle::new(size::BODY, color::MUTED).struck();
                push(out, &n);
            }
            for t in &s.unchanged {
                let mut n = Note::new(&t.name, SAME_TINT, Evidence::None);
                n.mark = Some(Mark::Ring(color::FAINT));
                n.style = TextStyle::new(size::SMALL, color::MUTED);
                push(out, &n);
            }
        }
        Lane::PainPoints => {
            for p in &s.pain_points_solved {
                let mut n = Note::new(&p.text, ADDED_TINT, Evidence::None);
                n.mark = Some(Mark::Check(color::POSITIVE));
                push(out, &n);
            }
            for p in &s.pain_points_new {
                let mut n = Note::new(&p.text, color::PAIN, Evidence::None);
                n.mark = Some(Mark::Bang(color::NEGATIVE));
                push(out, &n);
            }
            for p in &s.pain_points_kept {
                let mut n = Note::new(&p.text, SAME_TINT, Evidence::None);
                n.mark = Some(Mark::Triangle(color::NEGATIVE));
                n.style = TextStyle::new(size::SMALL, color::MUTED);
                push(out, &n);
            }
        }
    }
    h
}

/// What to say under a touchpoint's name: for a change one line per changed property, for an
/// addition its channel and format.
fn detail(ctx: &Ctx<'_>, t: &Touchpoint, change: Option<&TouchpointChange>) -> Option<String> {
    let tr = &ctx.tr;
    let mut lines = Vec::new();
    match change {
        None => {
            let detail: Vec<&str> = t
                .channel
                .iter()
                .chain(&t.format)
                .map(String::as_str)
                .collect();
            if !detail.is_empty() {
                lines.push(detail.join(" · "));
            }
        }
        Some(c) => {
            let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "–".to_owned());
            let team = |t: &Option<polku_model::TeamId>| {
                t.as_ref()
                    .map_or_else(|| "–".to_owned(), |id| ctx.team_name(id))
            };
            let stage = |id: &polku_model::StageId| {
                ctx.ws
                    .stage(id)
                    .map_or_else(|| id.to_string(), |s| s.name.clone())
            };
            let emotion =
                |e: Option<i8>| e.map_or_else(|| "–".to_owned(), |e| tr.signed(f64::from(e), 0));
            for f in &c.fields {
                let (key, before, after) = match f {
                    ChangedField::Name => {
                        lines.push(tr.args("diff-renamed", &[("before", c.before.name.clone())]));
                        continue;
                    }
                    ChangedField::Kind => (
                        "diff-field-kind",
                        tr.touchpoint_kind(c.before.kind),
                        tr.touchpoint_kind(c.after.kind),
                    ),
                    ChangedField::Channel => (
                        "diff-field-channel",
                        opt(&c.before.channel),
                        opt(&c.after.channel),
                    ),
                    ChangedField::Format => (
                        "diff-field-format",
                        opt(&c.before.format),
                        opt(&c.after.format),
                    ),
                    ChangedField::Owner => (
                        "diff-field-owner",
                        team(&c.before_owner),
                        team(&c.after_owner),
                    ),
                    ChangedField::Stage => (
                        "diff-field-stage",
                        stage(&c.before_stage),
                        stage(&c.after_stage),
                    ),
                    ChangedField::Emotion => (
                        "diff-field-emotion",
                        emotion(c.before.emotion),
                        emotion(c.after.emotion),
                    ),
                };
                lines.push(tr.args(
                    "diff-was",
                    &[("field", tr.t(key)), ("before", before), ("after", after)],
                ));
            }
        }
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}
