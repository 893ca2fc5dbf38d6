//! The attribution chart: each channel's share of the credit under several models, side by
//! side, so that where the models disagree shows at a glance.
//!
//! One row per channel; inside a row one horizontal bar per model, its length the channel's
//! share of that model's total credit (so that models with different totals compare), labelled
//! with the percentage. The longest bar spans the plot, so that small shares stay readable. Known model names (`first`, `markov`, ...) are shown in the workspace
//! language; other names are drawn as given.

use std::fmt::Write as _;

use polku_model::Language;

use crate::Svg;
use crate::draw::{LegendItem, color, legend, style};
use crate::fonts;
use crate::i18n::Tr;
use crate::svg::{N, SvgWriter, TextStyle, escape};

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
    let share = |c: usize, m: usize| -> f64 {
        let credit = clean(
            chart
                .credit
                .get(c)
                .and_then(|r| r.get(m))
                .copied()
                .unwrap_or(0.0),
        );
        if totals[m] > 0.0 {
            credit / totals[m]
        } else {
            0.0
        }
    };
    let longest = (0..chart.channels.len())
        .flat_map(|c| (0..models).map(move |m| (c, m)))
        .map(|(c, m)| share(c, m))
        .fold(0.0_f64, f64::max);
    // Room for the label after the longest bar; a share of 100 % still fits.
    let bars_w = (WIDTH - bars_x - PAD - 44.0) / longest.max(0.05);
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
            let share = share(c, m);
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

/// The models side by side as the report and the web app show them: the chart of
/// [`attribution_svg`] and a table of the conversions each model credits to each channel, and,
/// when the period has ad spend, spend, cost per lead, cost per conversion (CPA) and return on
/// ad spend (ROAS) under each model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttributionView {
    /// The language of the labels.
    pub language: Language,
    /// The model names, in column order (command-line names such as `markov`).
    pub models: Vec<String>,
    /// The channel names, in row order.
    pub channels: Vec<String>,
    /// `conversions[channel][model]`: the conversions credited.
    pub conversions: Vec<Vec<f64>>,
    /// Journeys read (converted or not).
    pub journeys: u64,
    /// Conversions in the period.
    pub total_conversions: u64,
    /// What counted as the conversion, as shown.
    pub conversion: String,
    /// The channels with ad spend; empty when the period has none.
    pub costs: Vec<ChannelSpend>,
    /// Whether the credit is one persona's while the spend is every customer's.
    pub persona: bool,
    /// The channels survey respondents named against each model's credit; none without
    /// answers.
    pub survey: Option<SurveyView>,
}

/// Self-reported channels ("how did you hear about us") against each model's credit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyView {
    /// Respondents who named a channel.
    pub answers: u64,
    /// Per channel reported or credited.
    pub channels: Vec<SurveyLine>,
    /// Per model: the sum over channels of the smaller of the reported and credited shares.
    pub agreement: Vec<f64>,
}

/// One channel of a [`SurveyView`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyLine {
    /// The channel.
    pub channel: String,
    /// Respondents who named it.
    pub reported: u64,
    /// Their share of all answers (0 to 1).
    pub reported_share: f64,
    /// Per model, the channel's share of the credited conversions (0 to 1).
    pub shares: Vec<f64>,
}

/// One channel's spend against each model's credit, in the models' order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelSpend {
    /// The channel.
    pub channel: String,
    /// Ad spend in the period.
    pub spend: f64,
    /// Lead events in the period.
    pub leads: u64,
    /// Spend per lead.
    pub cost_per_lead: Option<f64>,
    /// Spend per credited conversion, per model.
    pub cost_per_conversion: Vec<Option<f64>>,
    /// Credited value per spend, per model.
    pub return_on_ad_spend: Vec<Option<f64>>,
}

/// Money without a currency, in whole units with thousands grouped.
fn whole(tr: &Tr, x: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = if x.is_finite() {
        x.round().max(0.0) as u64
    } else {
        0
    };
    tr.integer(n)
}

fn html_table(out: &mut String, class: &str, caption: &str, head: &[String], rows: &[Vec<String>]) {
    let _ = write!(
        out,
        "<table class=\"measured {class}\"><caption>{}</caption><thead><tr>",
        escape(caption)
    );
    for (i, h) in head.iter().enumerate() {
        let cls = if i == 0 { "" } else { " class=\"n\"" };
        let _ = write!(out, "<th{cls}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let cls = if i == 0 { "" } else { " class=\"n\"" };
            let _ = write!(out, "<td{cls}>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// The chart and tables of an [`AttributionView`] as an HTML fragment (inline SVG, no
/// scripts), for the report and the web app.
#[must_use]
pub fn attribution_html(view: &AttributionView) -> String {
    let tr = Tr::new(view.language);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p class=\"attribution-summary\">{}</p>",
        escape(&tr.args(
            "attribution-summary",
            &[
                ("journeys", tr.integer(view.journeys)),
                ("conversions", tr.integer(view.total_conversions)),
                ("conversion", view.conversion.clone()),
            ]
        ))
    );
    let svg = attribution_svg(&AttributionChart {
        language: view.language,
        models: view.models.clone(),
        channels: view.channels.clone(),
        credit: view.conversions.clone(),
        measure: ChartMeasure::Conversions,
    });
    let _ = writeln!(
        out,
        "<figure class=\"chart attribution-chart\">{}</figure>",
        svg.as_str()
            .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
    );
    let labels: Vec<String> = view.models.iter().map(|m| model_label(&tr, m)).collect();
    let mut head = vec![tr.t("attribution-channel")];
    head.extend(labels.iter().cloned());
    let mut rows: Vec<Vec<String>> = view
        .channels
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let mut row = vec![name.clone()];
            row.extend((0..view.models.len()).map(|m| {
                let x = view
                    .conversions
                    .get(c)
                    .and_then(|r| r.get(m))
                    .copied()
                    .unwrap_or(0.0);
                tr.number(x, 1)
            }));
            row
        })
        .collect();
    let mut total = vec![tr.t("attribution-total")];
    total.extend((0..view.models.len()).map(|m| {
        let sum: f64 = view
            .conversions
            .iter()
            .map(|r| r.get(m).copied().unwrap_or(0.0))
            .sum();
        tr.number(sum, 1)
    }));
    rows.push(total);
    html_table(
        &mut out,
        "attribution-credit",
        &tr.t("attribution-conversions-caption"),
        &head,
        &rows,
    );
    if !view.costs.is_empty() {
        let dash = || "–".to_owned();
        let mut head = vec![
            tr.t("attribution-channel"),
            tr.t("attribution-spend"),
            tr.t("attribution-leads"),
            tr.t("attribution-cost-per-lead"),
        ];
        head.extend(labels.iter().cloned());
        let rows: Vec<Vec<String>> = view
            .costs
            .iter()
            .map(|c| {
                let mut row = vec![
                    c.channel.clone(),
                    whole(&tr, c.spend),
                    tr.integer(c.leads),
                    c.cost_per_lead.map_or_else(dash, |x| whole(&tr, x)),
                ];
                row.extend(
                    c.cost_per_conversion
                        .iter()
                        .map(|x| x.map_or_else(dash, |x| whole(&tr, x))),
                );
                row
            })
            .collect();
        html_table(
            &mut out,
            "attribution-cpa",
            &tr.t("attribution-cpa-caption"),
            &head,
            &rows,
        );
        let mut head = vec![tr.t("attribution-channel")];
        head.extend(labels.iter().cloned());
        let rows: Vec<Vec<String>> = view
            .costs
            .iter()
            .map(|c| {
                let mut row = vec![c.channel.clone()];
                row.extend(
                    c.return_on_ad_spend
                        .iter()
                        .map(|x| x.map_or_else(dash, |x| tr.number(x, 2))),
                );
                row
            })
            .collect();
        html_table(
            &mut out,
            "attribution-roas",
            &tr.t("attribution-roas-caption"),
            &head,
            &rows,
        );
        if view.persona {
            let _ = writeln!(
                out,
                "<p class=\"note\">{}</p>",
                escape(&tr.t("attribution-spend-persona"))
            );
        }
    }
    if let Some(survey) = view.survey.as_ref().filter(|s| s.answers > 0) {
        let mut head = vec![
            tr.t("attribution-channel"),
            tr.t("attribution-answers"),
            tr.t("attribution-answer-share"),
        ];
        head.extend(labels.iter().cloned());
        let mut rows: Vec<Vec<String>> = survey
            .channels
            .iter()
            .map(|c| {
                let mut row = vec![
                    c.channel.clone(),
                    tr.integer(c.reported),
                    tr.percent(c.reported_share),
                ];
                row.extend(c.shares.iter().map(|&x| tr.percent(x)));
                row
            })
            .collect();
        let mut agreement = vec![
            tr.t("attribution-agreement"),
            tr.integer(survey.answers),
            String::new(),
        ];
        agreement.extend(survey.agreement.iter().map(|&x| tr.percent(x)));
        rows.push(agreement);
        html_table(
            &mut out,
            "attribution-survey",
            &tr.t("attribution-survey-caption"),
            &head,
            &rows,
        );
    }
    out
}
