//! How the dashboards draw engine results. Every chart of the workbench is made here, so that
//! switching a table to a `polku-render` chart SVG is a change in this one module.

use std::fmt::Write as _;

use polku_engine::attribution::WorkspaceAttribution;
use polku_engine::breakpoints::{BreakpointsReport, PointKind};
use polku_engine::paths::PathsReport;
use polku_engine::retention::RetentionRow;
use polku_engine::stages::StagesReport;
use polku_model::{JourneyMap, Language, WorkspaceConfig};
use polku_render::{AttributionView, ChannelSpend, SurveyLine, SurveyView};

use crate::html::esc;
use crate::i18n::Tr;

/// A horizontal bar for a share from 0 to 1, drawn with CSS.
fn bar(share: f64) -> String {
    let pct = (share.clamp(0.0, 1.0) * 100.0).round();
    format!(r#"<span class="bar" style="--w:{pct}%"></span>"#)
}

fn table(head: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            // Cells are built from escaped text by the callers.
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The stage funnel: customers reaching each stage, conversion to the next, drop-off.
pub(crate) fn funnel(tr: &Tr, cfg: &WorkspaceConfig, map: &JourneyMap, r: &StagesReport) -> String {
    let first = r.stages.first().map_or(0, |s| s.reached).max(1);
    let last = r.stages.len().saturating_sub(1);
    let rows: Vec<Vec<String>> = r
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            #[allow(clippy::cast_precision_loss)]
            let share = s.reached as f64 / first as f64;
            // Customers in the last stage reached the end: nothing to convert to or drop from.
            let (to_next, drop_off) = if i == last {
                (String::new(), String::new())
            } else {
                (
                    tr.rate(s.conversion_to_next),
                    format!("{} ({})", s.drop_off, tr.rate(s.drop_off_rate)),
                )
            };
            vec![
                esc(&stage_name(cfg, map, &s.stage)),
                format!("{} {}", s.reached, bar(share)),
                to_next,
                drop_off,
                s.median_time_in_stage_s
                    .map_or_else(String::new, |t| esc(&tr.duration(t))),
            ]
        })
        .collect();
    let head = [
        "col-stage",
        "col-reached",
        "col-to-next",
        "col-drop-off",
        "col-median-time",
    ]
    .map(|h| tr.t(h));
    format!(
        "{}<p class=\"muted\">{}</p>",
        table(&head, &rows),
        esc(&tr.args(
            "dash-backward",
            &[
                ("n", r.backward_moves.to_string()),
                ("customers", r.customers.to_string())
            ]
        ))
    )
}

/// The living map: each stage's lanes with its measured reach and each touchpoint's events.
pub(crate) fn living_map(
    tr: &Tr,
    cfg: &WorkspaceConfig,
    map: &JourneyMap,
    r: &StagesReport,
) -> String {
    let mut out = String::from(r#"<div class="living">"#);
    for stage in &map.stages {
        let row = r.stages.iter().find(|s| s.stage == stage.stage.as_str());
        let _ = write!(
            out,
            r#"<section class="living-stage"><h3>{}</h3>"#,
            esc(&stage_name(cfg, map, stage.stage.as_str()))
        );
        if let Some(row) = row {
            let _ = write!(
                out,
                r#"<p class="measure"><strong>{}</strong> {} · {} {} · {} {}</p>"#,
                row.reached,
                esc(&tr.t("col-reached")),
                esc(&tr.rate(row.conversion_to_next)),
                esc(&tr.t("col-to-next")),
                esc(&tr.rate(row.drop_off_rate)),
                esc(&tr.t("col-drop-off")),
            );
        }
        out.push_str("<ul>");
        for tp in &stage.touchpoints {
            let events = r
                .coverage
                .touchpoints
                .iter()
                .find(|t| t.touchpoint == tp.id.as_str())
                .map(|t| t.events);
            let measured = match (events, tp.matches.is_empty()) {
                (_, true) => format!(
                    r#"<span class="muted">{}</span>"#,
                    esc(&tr.t("living-unbound"))
                ),
                (Some(n), false) => format!("<strong>{n}</strong> {}", esc(&tr.t("living-events"))),
                (None, false) => format!("<strong>0</strong> {}", esc(&tr.t("living-events"))),
            };
            let _ = write!(out, "<li>{} — {measured}</li>", esc(&tp.name));
        }
        out.push_str("</ul>");
        if !stage.pain_points.is_empty() {
            let _ = write!(
                out,
                r#"<p class="pain">{}: "#,
                esc(&tr.t("lane-pain_points"))
            );
            let texts: Vec<String> = stage.pain_points.iter().map(|p| esc(&p.text)).collect();
            out.push_str(&texts.join("; "));
            out.push_str("</p>");
        }
        out.push_str("</section>");
    }
    out.push_str("</div>");
    let _ = write!(
        out,
        r#"<p class="muted">{}</p>"#,
        esc(&tr.args(
            "living-unmatched",
            &[
                ("n", r.coverage.unmatched.to_string()),
                ("all", r.coverage.events.to_string())
            ]
        ))
    );
    out
}

/// The top paths and the Sankey flows between their steps.
pub(crate) fn sankey(tr: &Tr, r: &PathsReport) -> String {
    let total = r.journeys.max(1);
    let mut rows: Vec<Vec<String>> = r
        .paths
        .iter()
        .map(|p| {
            #[allow(clippy::cast_precision_loss)]
            let share = p.journeys as f64 / total as f64;
            vec![
                esc(&p.path.join(" → ")),
                format!("{} {}", p.journeys, bar(share)),
            ]
        })
        .collect();
    if r.other > 0 {
        rows.push(vec![esc(&tr.t("dash-other")), r.other.to_string()]);
    }
    let mut out = table(&[tr.t("col-path"), tr.t("col-journeys")], &rows);
    let links: Vec<Vec<String>> = r
        .sankey
        .links
        .iter()
        .filter_map(|l| {
            let s = r.sankey.nodes.get(l.source)?;
            let t = r.sankey.nodes.get(l.target)?;
            Some(vec![
                format!("{}. {}", s.step + 1, esc(&s.name)),
                format!("{}. {}", t.step + 1, esc(&t.name)),
                l.value.to_string(),
            ])
        })
        .collect();
    if !links.is_empty() {
        let _ = write!(
            out,
            "<details><summary>{}</summary>{}</details>",
            esc(&tr.t("dash-flows")),
            table(
                &[tr.t("col-from"), tr.t("col-to"), tr.t("col-journeys")],
                &links
            )
        );
    }
    out
}

/// Cohort retention as a triangle: cohorts down, periods across.
pub(crate) fn retention(tr: &Tr, rows: &[RetentionRow]) -> String {
    let max_period = rows.iter().map(|r| r.period).max().unwrap_or(0).min(12);
    let mut cohorts: Vec<&str> = rows.iter().map(|r| r.cohort.as_str()).collect();
    cohorts.dedup();
    let mut head = vec![tr.t("col-cohort")];
    head.extend((0..=max_period).map(|p| p.to_string()));
    let body: Vec<Vec<String>> = cohorts
        .iter()
        .map(|c| {
            let mut row = vec![esc(c)];
            for p in 0..=max_period {
                let cell = rows
                    .iter()
                    .find(|r| r.cohort == *c && r.period == p)
                    .map_or_else(String::new, |r| {
                        let pct = (r.retention * 100.0).round();
                        format!(
                            r#"<span class="heat" style="--a:{:.2}" title="{}">{}</span>"#,
                            r.retention,
                            r.active,
                            esc(&format!("{pct}"))
                        )
                    });
                row.push(cell);
            }
            row
        })
        .collect();
    table(&head, &body)
}

/// The attribution models side by side as the report and the dashboard draw them: each
/// model's credit per channel, the channels with spend set against every model, and the
/// survey answers beside every model's credit. `persona` says the credit is one persona's
/// while the spend is every customer's.
#[must_use]
pub fn attribution_view(
    a: &WorkspaceAttribution,
    language: Language,
    persona: bool,
) -> AttributionView {
    let names = a.journeys.paths.channel_names();
    // The channels the models credit most on average first, so the eye starts where the
    // money is.
    let mean_share = |c: usize| -> f64 {
        a.runs
            .iter()
            .map(|r| {
                let total = r.credits.total_conversions();
                if total > 0.0 {
                    r.credits.conversions[c] / total
                } else {
                    0.0
                }
            })
            .sum()
    };
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&x, &y| {
        mean_share(y)
            .total_cmp(&mean_share(x))
            .then_with(|| names[x].cmp(&names[y]))
    });
    let channels: Vec<String> = order.iter().map(|&c| names[c].clone()).collect();
    let mut costs: Vec<ChannelSpend> = a
        .cost_rows
        .iter()
        .flatten()
        .filter_map(|r| {
            Some(ChannelSpend {
                channel: r.channel.clone(),
                spend: r.spend?,
                leads: r.leads,
                cost_per_lead: r.cost_per_lead,
                cost_per_conversion: r.models.iter().map(|m| m.cost_per_conversion).collect(),
                return_on_ad_spend: r.models.iter().map(|m| m.return_on_ad_spend).collect(),
            })
        })
        .collect();
    costs.sort_by_key(|c| {
        channels
            .iter()
            .position(|x| *x == c.channel)
            .unwrap_or(usize::MAX)
    });
    AttributionView {
        language,
        models: a.runs.iter().map(|r| r.model.name().to_owned()).collect(),
        conversions: order
            .iter()
            .map(|&c| a.runs.iter().map(|r| r.credits.conversions[c]).collect())
            .collect(),
        channels,
        journeys: a.journeys.journeys,
        total_conversions: a.journeys.conversions,
        conversion: a.journeys.conversion.clone(),
        costs,
        persona,
        survey: a
            .survey
            .as_ref()
            .filter(|_| a.has_answers())
            .map(|s| SurveyView {
                answers: s.answers,
                channels: s
                    .channels
                    .iter()
                    .map(|c| SurveyLine {
                        channel: c.channel.clone(),
                        reported: c.reported,
                        reported_share: c.reported_share,
                        shares: c.models.iter().map(|m| m.share).collect(),
                    })
                    .collect(),
                agreement: s.agreement.iter().map(|x| x.overlap).collect(),
            }),
    }
}

/// The breakpoints, the most value lost first.
pub(crate) fn breakpoints(
    tr: &Tr,
    cfg: &WorkspaceConfig,
    map: &JourneyMap,
    r: &BreakpointsReport,
) -> String {
    let rows: Vec<Vec<String>> = r
        .breakpoints
        .iter()
        .take(10)
        .map(|b| {
            let what = match b.kind {
                PointKind::Stage => stage_name(cfg, map, &b.id),
                PointKind::Touchpoint => touchpoint_name(map, &b.id),
            };
            vec![
                esc(&what),
                esc(b.owner.as_deref().unwrap_or("")),
                format!("{} / {}", b.left, b.reached),
                esc(&tr.rate(b.drop_off_rate)),
                b.expected_rate
                    .map_or_else(String::new, |e| esc(&tr.rate(e))),
                esc(&tr.number(b.value_lost, 1)),
            ]
        })
        .collect();
    let head = [
        "col-where",
        "col-owner",
        "col-left",
        "col-drop-off",
        "col-expected",
        "col-value-lost",
    ]
    .map(|h| tr.t(h));
    table(&head, &rows)
}

fn stage_name(cfg: &WorkspaceConfig, map: &JourneyMap, id: &str) -> String {
    map.stages
        .iter()
        .find(|s| s.stage.as_str() == id)
        .map_or_else(|| id.to_owned(), |s| cfg.stage_name(s).to_owned())
}

fn touchpoint_name(map: &JourneyMap, id: &str) -> String {
    map.stages
        .iter()
        .flat_map(|s| &s.touchpoints)
        .find(|t| t.id.as_str() == id)
        .map_or_else(|| id.to_owned(), |t| t.name.clone())
}
