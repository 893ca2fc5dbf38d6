//! The attribution chart: each channel's share of the credit under several models, side by
//! side, so that where the models disagree shows at a glance.
//!
//! One row per channel; inside a row one horizontal bar per model, its length the channel's
//! share of that model's total credit (so that models with different totals compare), labelled
//! with the percentage. Known model names (`first`, `markov`, ...) are shown in the workspace
//! language; other names are drawn as given.

use polku_model::Language;

use crate::Svg;
use crate::draw::{LegendItem, color, legend, style};
use crate::fonts;
use crate::i18n::Tr;
use crate::svg::{N, SvgWriter, TextStyle};

/// What the attribution chart shows.
///
/// `credit[c][m]` is the credit (conversions or value, as [`AttributionChart::measure`]
/// says) of channel `channels[c]` under model `models[m]`. Shares are computed per model from
/// these numbers, so any unit works; negative or non-finite numbers are drawn as zero.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionChart {
    /// The language of the labels.
    pub language: Language,
    /// The model names, in the order of the bars (command-line names such as `markov`).
    pub models: Vec<String>,
    /// The channel (or touchpoint) names, in the order of the rows.
    pub channels: Vec<String>,
    /// Per channel, per model: the credit.
    pub credit: Vec<Vec<f64>>,
    /// What the credit counts, for the axis label.
    pub measure: ChartMeasure,
}

/// What the credit numbers of an [`AttributionChart`] count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartMeasure {
    /// Conversions.
    #[default]
    Conversions,
    /// Conversion value.
    Value,
}

/// Bar colours, one per model in order (repeating after ten); distinguishable in print and
/// for the common colour-vision deficiencies (Okabe–Ito and Tableau tones).
const PALETTE: [&str; 10] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#6b4c9a", "#8c8c00",
    "#1d2733", "#b07aa1",
];

const WIDTH: f64 = 960.0;
const PAD: f64 = 24.0;
const BAR_H: f64 = 11.0;
const BAR_GAP: f64 = 2.0;
const ROW_GAP: f64 = 12.0;

/// The model's name in the language, or the name itself.
fn model_label(tr: &Tr, model: &str) -> String {
    let id = format!("attribution-model-{model}");
    let label = tr.t(&id);
    if label == id { model.to_owned() } else { label }
}

fn clean(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// Draws the chart of models side by side.
#[must_use]
pub fn attribution_svg(chart: &AttributionChart) -> Svg {
    let tr = Tr::new(chart.language);
    let models = chart.models.len();
    let totals: Vec<f64> = (0..models)
        .map(|m| {
            chart
                .credit
                .iter()
                .map(|row| clean(row.get(m).copied().unwrap_or(0.0)))
                .sum()
        })
        .collect();
    let label_st = style::BODY;
    let value_st = TextStyle::new(9.0, color::MUTED);
    let label_w = chart
        .channels
        .iter()
        .map(|c| label_st.width(c))
        .fold(80.0_f64, f64::max)
        .min(260.0)
        + 12.0;
    let title_st = TextStyle::new(18.0, color::INK).bold();
    let mut body = SvgWriter::new();
    let mut y = PAD;
    body.text_line(
        PAD,
        y + title_st.ascent(),
        &tr.t("attribution-title"),
        &title_st,
    );
    y += title_st.leading() + 4.0;
    let axis = match chart.measure {
        ChartMeasure::Conversions => tr.t("attribution-share-conversions"),
        ChartMeasure::Value => tr.t("attribution-share-value"),
    };
    body.text_line(PAD, y + style::SMALL.ascent(), &axis, &style::SMALL);
    y += style::SMALL.leading() + 6.0;
    let items: Vec<LegendItem> = chart
        .models
        .iter()
        .enumerate()
        .map(|(m, name)| LegendItem::Dot(PALETTE[m % PALETTE.len()], model_label(&tr, name)))
        .collect();
    y += legend(&mut body, PAD, y, &items) + 10.0;
    let bars_x = PAD + label_w;
    let bars_w = WIDTH - bars_x - PAD - 44.0;
    #[allow(clippy::cast_precision_loss)]
    let row_h = models as f64 * (BAR_H + BAR_GAP) - BAR_GAP;
    if chart.channels.is_empty() || models == 0 {
        body.text_line(
            PAD,
            y + style::BODY.ascent(),
            &tr.t("attribution-empty"),
            &style::BODY,
        );
        y += style::BODY.leading();
    }
    let top = y;
    for (c, channel) in chart.channels.iter().enumerate() {
        if c > 0 {
            body.line(PAD, y - ROW_GAP / 2.0, WIDTH - PAD, y - ROW_GAP / 2.0)
                .stroke(color::RULE, 0.6)
                .end();
        }
        let lines = fonts::wrap(channel, label_st.face, label_st.size, label_w - 12.0);
        let text_y = y + row_h / 2.0 - label_st.height(lines.len()) / 2.0 + label_st.ascent();
        body.text_lines(PAD, text_y, &lines, &label_st);
        for m in 0..models {
            let credit = clean(
                chart
                    .credit
                    .get(c)
                    .and_then(|r| r.get(m))
                    .copied()
                    .unwrap_or(0.0),
            );
            let share = if totals[m] > 0.0 {
                credit / totals[m]
            } else {
                0.0
            };
            #[allow(clippy::cast_precision_loss)]
            let by = y + m as f64 * (BAR_H + BAR_GAP);
            body.rect(bars_x, by, bars_w * share, BAR_H)
                .fill(PALETTE[m % PALETTE.len()])
                .end();
            body.text_line(
                bars_x + bars_w * share + 4.0,
                by + BAR_H - 2.0,
                &format!("{} %", tr.number(share * 100.0, 1)),
                &value_st,
            );
        }
        y += row_h + ROW_GAP;
    }
    // The zero line.
    if !chart.channels.is_empty() && models > 0 {
        body.line(bars_x, top - 4.0, bars_x, y - ROW_GAP + 4.0)
            .stroke(color::FAINT, 0.8)
            .end();
    }
    let height = y + PAD;
    let mut out = SvgWriter::new();
    out.raw(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"{}\" role=\"img\">\n",
        N(WIDTH),
        N(height),
        N(WIDTH),
        N(height),
        fonts::FAMILY,
    ));
    out.rect(0.0, 0.0, WIDTH, height).fill(color::PAPER).end();
    out.append(body);
    out.raw("</svg>\n");
    Svg(out.finish())
}
