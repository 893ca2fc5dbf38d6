//! `polku report`: the living-map HTML report of a workspace: personas, every map's poster with
//! its measured numbers, tables of each stage and touchpoint, the funnel, Sankey,
//! breakpoints, distributions, emotion and retention charts, and the attribution models side
//! by side.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use polku_engine::attribution::AttributionQuery;
use polku_engine::breakpoints::{
    Baseline, BreakpointQuery, BreakpointsReport, PersonaSplit, PointKind,
};
use polku_engine::distributions::DistributionReport;
use polku_engine::funnel::FunnelQuery;
use polku_engine::interviews::InterviewsReport;
use polku_engine::paths::{PathNode, PathQuery, PathsReport};
use polku_engine::retention::{RetentionQuery, RetentionRow};
use polku_engine::stages::StagesReport;
use polku_engine::time::{DAY_US, Period};
use polku_engine::{Analytics, TimeRange};
use polku_model::{JourneyMap, Workspace, WorkspaceConfig};
use polku_render::charts::{
    BreakpointFlag, BreakpointItem, BreakpointsData, DistributionData, EmotionCurveData,
    EmotionStage, FunnelData, FunnelStep, HistBucket, PeriodUnit, RetentionCell, RetentionData,
    SankeyData, SankeyLink, SankeyNode, StallTimes,
};
use polku_render::{
    AttributionView, InterviewStageData, LivingWorkspace, MapData, MeasuredMap, ReportInput,
    ReportWorkspace, StageData, TouchpointData, living_report_html,
};

use super::funnel::{ScopeArgs, open, with_spinner};
use super::note;

/// Options of `polku report`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each map whose touchpoints have `match` rules is measured over the \
imported events: customers reaching each stage, conversion to the next, drop-off, events per \
touchpoint, and the trend against the period of the same length just before. Without --from \
and --to the period is all the data. Imported interviews draw the emotion curve with its \
spread.\n\nExamples:\n  polku report --out report\n  polku report --from 2025-03-01 --to \
2025-04-30"
)]
pub struct ReportArgs {
    /// The folder to write report.html into.
    #[arg(long, default_value = "polku-report")]
    pub out: PathBuf,
    /// Which events count: the period, and a persona's customers only.
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// Runs `polku report`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid, or the report cannot be
/// written.
pub fn run(args: &ReportArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let range = args.scope.range()?;
    let (model, analytics) = open(workspace)?;
    let living = with_spinner("measuring the maps", || {
        measure(&model, &analytics, range, args.scope.persona.as_deref())
    })?;
    let path = write_report(&args.out, &model, &[(&model, living)])?;
    note(&format!("wrote {} (open it in a browser)", path.display()));
    Ok(ExitCode::SUCCESS)
}

/// Writes `DIR/report.html` for the workspaces with their measurements.
pub(crate) fn write_report(
    dir: &Path,
    first: &Workspace,
    workspaces: &[(&Workspace, LivingWorkspace)],
) -> anyhow::Result<PathBuf> {
    let personas: Vec<Vec<polku_model::Persona>> = workspaces
        .iter()
        .map(|(ws, _)| ws.personas.iter().map(|p| p.doc.clone()).collect())
        .collect();
    let maps: Vec<Vec<JourneyMap>> = workspaces
        .iter()
        .map(|(ws, _)| ws.maps.iter().map(|m| m.doc.clone()).collect())
        .collect();
    let title = if workspaces.len() == 1 {
        first.config.doc.name.clone()
    } else {
        "polku".to_owned()
    };
    let html = living_report_html(
        &ReportInput {
            title: &title,
            workspaces: workspaces
                .iter()
                .zip(personas.iter().zip(&maps))
                .map(|((ws, _), (personas, maps))| ReportWorkspace {
                    workspace: &ws.config.doc,
                    personas,
                    maps,
                })
                .collect(),
        },
        &workspaces
            .iter()
            .map(|(_, l)| l.clone())
            .collect::<Vec<_>>(),
    );
    let path = dir.join("report.html");
    polku_store::write_atomic(&path, html.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn day(us: i64) -> String {
    Period::Day.label(us.div_euclid(DAY_US))
}

/// The share by which `now` differs from `before`; none without a base to compare with.
fn trend(now: u64, before: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (before > 0).then(|| (now as f64 - before as f64) / before as f64)
}

/// Measures every map of a workspace whose touchpoints have match rules, over `range` (all
/// the data when open-ended), against the period of the same length before it.
pub(crate) fn measure(
    model: &Workspace,
    analytics: &Analytics,
    range: TimeRange,
    persona: Option<&str>,
) -> anyhow::Result<LivingWorkspace> {
    let mut living = LivingWorkspace {
        persona: persona.map(|p| {
            model
                .personas
                .iter()
                .find(|x| x.doc.id.as_str() == p)
                .map_or_else(|| p.to_owned(), |x| x.doc.name.clone())
        }),
        ..LivingWorkspace::default()
    };
    // One persona's numbers come from a session narrowed to its customers; its breakpoints
    // compare it with everyone else's customers, so they read the whole data.
    let narrowed = match persona {
        Some(p) => {
            let mut a = Analytics::open(analytics.root())?;
            a.restrict_to_persona(model, p)?;
            Some(a)
        }
        None => None,
    };
    let numbers = narrowed.as_ref().unwrap_or(analytics);
    let split = persona.map_or(PersonaSplit::Each, |p| PersonaSplit::One(p.to_owned()));
    let period = period_of(analytics, range)?;
    for map in &model.maps {
        let (measured, customers) =
            measure_one(model, numbers, &map.doc, period, true, (analytics, &split))?;
        living.events = living.events.max(measured.unmatched.map_or(0, |u| u.1));
        living.customers = living.customers.max(customers);
        living.maps.push(measured);
    }
    if let Some(p) = period {
        let (from, to) = (p.from_us.unwrap_or(0), p.to_us.unwrap_or(0));
        living.period = Some(format!("{} – {}", day(from), day(to - 1)));
        let rows = numbers.retention(&RetentionQuery {
            event: None,
            period: Period::Month,
            range: p,
        })?;
        living.retention = Some(retention_data(&rows));
        let a = numbers.attribution(model, &AttributionQuery::overview(p))?;
        let language = model.config.doc.language;
        living.attribution = Some(if a.runs.is_empty() {
            AttributionView {
                language,
                ..AttributionView::default()
            }
        } else {
            polku_server::attribution_view(&a, language, persona.is_some())
        });
    }
    Ok(living)
}

/// The period to measure: `range`, its open ends closed by the data's first and last day.
fn data_period(span: Option<(i64, i64)>, range: TimeRange) -> Option<TimeRange> {
    span.map(|(lo, hi)| TimeRange {
        from_us: Some(range.from_us.unwrap_or(lo.div_euclid(DAY_US) * DAY_US)),
        to_us: Some(range.to_us.unwrap_or((hi.div_euclid(DAY_US) + 1) * DAY_US)),
    })
}

/// The evidence of one map (its interviews) and, when `numbers` and the map is bound and
/// there are events (`period`), its measured numbers and charts; with the customers whose
/// events the map matched. The breakpoints come from `breakpoints`: a session over every
/// customer, and whose rows to list.
pub(crate) fn measure_one(
    model: &Workspace,
    analytics: &Analytics,
    map: &JourneyMap,
    period: Option<TimeRange>,
    numbers: bool,
    breakpoints: (&Analytics, &PersonaSplit),
) -> anyhow::Result<(MeasuredMap, u64)> {
    let cfg = &model.config.doc;
    // No interviews table yet is the same as no interviews.
    let interviews = analytics
        .interviews(model, map.id.as_str())
        .ok()
        .filter(|r| r.interviews > 0);
    let mut measured = MeasuredMap {
        map: map.id.to_string(),
        data: MapData {
            interviews: interviews.as_ref().map(interview_data).unwrap_or_default(),
            ..MapData::default()
        },
        emotion: interviews.as_ref().map(|r| emotion_curve(cfg, map, r)),
        ..MeasuredMap::default()
    };
    let bound = map
        .stages
        .iter()
        .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()));
    let mut customers = 0;
    if let (Some(period), true, true) = (period, bound, numbers) {
        customers = measure_map(model, analytics, map, period, breakpoints, &mut measured)?;
    }
    Ok((measured, customers))
}

/// The period of a workspace's data within `range`; none without events.
pub(crate) fn period_of(
    analytics: &Analytics,
    range: TimeRange,
) -> anyhow::Result<Option<TimeRange>> {
    let span = if analytics.event_files().is_empty() {
        None
    } else {
        analytics.time_span()?
    };
    Ok(data_period(span, range))
}

/// The numbers and charts of one bound map; returns the customers it matched.
fn measure_map(
    model: &Workspace,
    analytics: &Analytics,
    map: &JourneyMap,
    period: TimeRange,
    breakpoints: (&Analytics, &PersonaSplit),
    measured: &mut MeasuredMap,
) -> anyhow::Result<u64> {
    let cfg = &model.config.doc;
    let id = map.id.as_str();
    let (from, to) = (period.from_us.unwrap_or(0), period.to_us.unwrap_or(0));
    let before = TimeRange {
        from_us: Some(from - (to - from)),
        to_us: Some(from),
    };
    let now = analytics.stages(model, id, period)?;
    let prev = analytics.stages(model, id, before)?;
    measured.unmatched = Some((now.coverage.unmatched, now.coverage.events));
    measured.data.numbers = true;
    measured.data.period = Some(format!("{} – {}", day(from), day(to - 1)));
    measured.data.stages = stage_data(&now, &prev);
    measured.data.touchpoints = now
        .coverage
        .touchpoints
        .iter()
        .map(|t| TouchpointData {
            touchpoint: t.touchpoint.clone(),
            events: t.events,
            trend: trend(
                t.events,
                prev.coverage
                    .touchpoints
                    .iter()
                    .find(|p| p.touchpoint == t.touchpoint)
                    .map_or(0, |p| p.events),
            ),
        })
        .collect();

    let steps: Vec<String> = map.stages.iter().map(|s| s.stage.to_string()).collect();
    let mut query = FunnelQuery::new(steps);
    query.map = Some(id.to_owned());
    query.range = period;
    let funnel = analytics.funnel(model, &query)?;
    measured.funnel = Some(FunnelData {
        steps: map
            .stages
            .iter()
            .zip(&funnel.steps)
            .map(|(s, f)| FunnelStep {
                label: cfg.stage_name(s).to_owned(),
                count: f.count,
            })
            .collect(),
    });
    let paths = analytics.paths(
        model,
        &PathQuery {
            node: PathNode::Touchpoint,
            steps: 4,
            top: 8,
            range: period,
            map: Some(id.to_owned()),
            ..PathQuery::default()
        },
    )?;
    measured.sankey = Some(sankey_data(map, &paths));
    // A map without a conversion touchpoint has no breakpoints or distributions to show.
    if map.conversion.is_some() {
        // Split by persona when personas have rules: each against its previous period and
        // against the other personas.
        let (whole, split) = breakpoints;
        let b = whole.breakpoints_of(
            model,
            id,
            &BreakpointQuery {
                period,
                baseline: Some(before),
                personas: split.clone(),
            },
        )?;
        measured.breakpoints = Some(breakpoints_data(model, map, &b));
        let d = analytics.distributions(model, Some(id), None, period)?;
        measured.distributions = Some(distribution_data(&d));
    }
    Ok(now.customers)
}

fn stage_data(now: &StagesReport, prev: &StagesReport) -> Vec<StageData> {
    let last = now.stages.len().saturating_sub(1);
    now.stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let before = prev
                .stages
                .iter()
                .find(|p| p.stage == s.stage)
                .map_or(0, |p| p.reached);
            let events = now
                .coverage
                .touchpoints
                .iter()
                .filter(|t| t.stage == s.stage)
                .map(|t| t.events)
                .sum();
            StageData {
                stage: s.stage.clone(),
                reached: s.reached,
                conversion_to_next: (i < last && s.reached > 0).then_some(s.conversion_to_next),
                // Everyone "leaves" the last stage: there is no later one to reach.
                drop_off_rate: (i < last && s.reached > 0).then_some(s.drop_off_rate),
                trend: trend(s.reached, before),
                events,
            }
        })
        .collect()
}

/// The touchpoint paths as Sankey data, with touchpoint names for ids.
fn sankey_data(map: &JourneyMap, paths: &PathsReport) -> SankeyData {
    let name = |id: &str| {
        map.stages
            .iter()
            .flat_map(|s| &s.touchpoints)
            .find(|t| t.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |t| t.name.clone())
    };
    SankeyData {
        nodes: paths
            .sankey
            .nodes
            .iter()
            .map(|n| SankeyNode {
                name: name(&n.name),
                step: n.step,
            })
            .collect(),
        links: paths
            .sankey
            .links
            .iter()
            .map(|l| SankeyLink {
                source: l.source,
                target: l.target,
                value: l.value,
            })
            .collect(),
    }
}

fn breakpoints_data(model: &Workspace, map: &JourneyMap, r: &BreakpointsReport) -> BreakpointsData {
    let cfg = &model.config.doc;
    let stage_name = |id: &str| {
        map.stages
            .iter()
            .find(|s| s.stage.as_str() == id)
            .map_or_else(|| id.to_owned(), |s| cfg.stage_name(s).to_owned())
    };
    let persona_name = |id: &str| {
        model
            .personas
            .iter()
            .find(|p| p.doc.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |p| p.doc.name.clone())
    };
    BreakpointsData {
        // Values without a stated currency are shown as plain numbers.
        currency: r
            .average_value
            .map(|_| r.currency.clone().unwrap_or_default()),
        currencies: r.currencies.clone(),
        by_persona: r.by_persona,
        items: r
            .breakpoints
            .iter()
            .filter(|b| b.value_lost > 0.0 || b.stalled_by.is_some())
            .take(8)
            .map(|b| BreakpointItem {
                label: match b.kind {
                    PointKind::Stage => stage_name(&b.id),
                    PointKind::Touchpoint => map
                        .stages
                        .iter()
                        .flat_map(|s| &s.touchpoints)
                        .find(|t| t.id.as_str() == b.id)
                        .map_or_else(|| b.id.clone(), |t| t.name.clone()),
                },
                stage: stage_name(&b.stage),
                owner: b.owner.as_ref().map(|o| owner(cfg, o)),
                reached: b.reached,
                drop_off_rate: b.drop_off_rate,
                expected_rate: b.expected_rate,
                persona: b.persona.as_deref().map(persona_name),
                expected_previous: b.expected_previous,
                expected_others: b.expected_others,
                flagged_by: b.flagged_by.map(|f| match f {
                    Baseline::PreviousPeriod => BreakpointFlag::PreviousPeriod,
                    Baseline::OtherPersonas => BreakpointFlag::OtherPersonas,
                    Baseline::Both => BreakpointFlag::Both,
                }),
                excess_lost: b.excess_lost,
                value_lost: b.value_lost,
                stall: b
                    .stalled_by
                    .and(b.median_time_in_stage_s.zip(b.expected_time_in_stage_s))
                    .map(|(median_s, expected_s)| StallTimes {
                        median_s,
                        expected_s,
                    }),
            })
            .collect(),
    }
}

fn owner(cfg: &WorkspaceConfig, id: &str) -> (String, String) {
    match id.parse::<polku_model::TeamId>() {
        Ok(team) => (
            cfg.team(&team)
                .map_or_else(|| id.to_owned(), |t| t.name.clone()),
            polku_render::team_color(cfg, &team),
        ),
        Err(_) => (id.to_owned(), "#868e96".to_owned()),
    }
}

/// The lower bound of a distribution bucket from its label (`< 1 d` → 0, `30-90 d` → 30,
/// `6 +` → 6).
fn lower_bound(label: &str) -> f64 {
    if label.trim_start().starts_with('<') {
        return 0.0;
    }
    let digits: String = label
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(0.0)
}

fn distribution_data(d: &DistributionReport) -> DistributionData {
    let buckets = |b: &[polku_engine::distributions::Bucket]| {
        b.iter()
            .map(|b| HistBucket {
                label: b.bucket.clone(),
                lower: lower_bound(&b.bucket),
                count: b.customers,
            })
            .collect()
    };
    DistributionData {
        converted: d.converted,
        time: buckets(&d.time_to_conversion),
        touchpoints: buckets(&d.touchpoints_before),
        month_or_more: d.shares.month_or_more,
        three_or_more: d.shares.three_or_more_touchpoints,
        six_or_more: d.shares.six_or_more_touchpoints,
        reference: Some([
            d.seed_shares.month_or_more,
            d.seed_shares.three_or_more_touchpoints,
            d.seed_shares.six_or_more_touchpoints,
        ]),
    }
}

fn interview_data(r: &InterviewsReport) -> Vec<InterviewStageData> {
    r.stages
        .iter()
        .map(|s| InterviewStageData {
            stage: s.stage.clone(),
            interviews: s.interviews,
            emotion_mean: s.emotion_mean,
            emotion_sd: s.emotion_sd,
        })
        .collect()
}

fn emotion_curve(
    cfg: &WorkspaceConfig,
    map: &JourneyMap,
    r: &InterviewsReport,
) -> EmotionCurveData {
    EmotionCurveData {
        stages: map
            .stages
            .iter()
            .map(|s| {
                let i = r.stages.iter().find(|i| i.stage == s.stage.as_str());
                let scores: Vec<f64> = s.emotions().map(f64::from).collect();
                #[allow(clippy::cast_precision_loss)]
                let own =
                    (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
                EmotionStage {
                    name: cfg.stage_name(s).to_owned(),
                    mean: i.and_then(|i| i.emotion_mean),
                    sd: i.and_then(|i| i.emotion_sd),
                    interviews: i.map_or(0, |i| i.interviews),
                    map: own,
                }
            })
            .collect(),
    }
}

fn retention_data(rows: &[RetentionRow]) -> RetentionData {
    RetentionData {
        unit: PeriodUnit::Month,
        cells: rows
            .iter()
            .filter_map(|r| {
                Some(RetentionCell {
                    cohort: r.cohort.clone(),
                    period: u32::try_from(r.period).ok()?,
                    active: r.active,
                    retention: r.retention,
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::lower_bound;

    #[test]
    fn bucket_labels_give_their_lower_bounds() {
        assert_eq!(lower_bound("< 1 d"), 0.0);
        assert_eq!(lower_bound("1-7 d"), 1.0);
        assert_eq!(lower_bound("30-90 d"), 30.0);
        assert_eq!(lower_bound("180 d +"), 180.0);
        assert_eq!(lower_bound("6 +"), 6.0);
        assert_eq!(lower_bound("0"), 0.0);
    }
}
