//! The living map and the dashboards: journey analytics of `polku-engine` over the workspace's
//! imported events, for one map (chosen directly or through a persona) and one period.
//!
//! The engine runs its own query runtime, so every computation here runs on a blocking thread.

use polku_engine::Analytics;
use polku_engine::attribution::journeys::{CostRow, SurveyComparison};
use polku_engine::attribution::{AttributionQuery, WorkspaceAttribution};
use polku_engine::breakpoints::BreakpointsReport;
use polku_engine::paths::{PathNode, PathQuery, PathsReport};
use polku_engine::retention::{RetentionQuery, RetentionRow};
use polku_engine::stages::StagesReport;
use polku_engine::time::{Period, date_range};
use polku_engine::udf::journey_path::PathAnchor;
use polku_model::{JourneyMap, Workspace};
use serde::{Deserialize, Serialize};

use crate::error::ServerError;

/// The filters of the dashboards.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct DashboardQuery {
    /// Only maps of this persona.
    #[serde(default, deserialize_with = "empty_none")]
    pub persona: Option<String>,
    /// The map to measure (default: the first measurable map of the persona).
    #[serde(default, deserialize_with = "empty_none")]
    pub map: Option<String>,
    /// The first day, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "empty_none")]
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "empty_none")]
    pub to: Option<String>,
}

fn empty_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// One channel's credit under one model.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChannelCredit {
    pub channel: String,
    pub conversions: f64,
    pub value: f64,
}

/// One model's credit per channel.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModelCredits {
    pub model: &'static str,
    pub credits: Vec<ChannelCredit>,
}

/// The attribution models side by side over the customers' journeys, as the JSON API gives
/// them (the fields of `polku attribution --format json` that the dashboard shows).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AttributionData {
    /// What counted as the conversion: the map's conversion touchpoint, or event names.
    pub conversion: String,
    /// Journeys read, converted or not.
    pub journeys: u64,
    /// Conversions in the period, and their value.
    pub conversions: u64,
    pub value: f64,
    pub channels: Vec<String>,
    pub models: Vec<ModelCredits>,
    /// Every model against ad spend and leads, per channel.
    pub costs: Option<Vec<CostRow>>,
    /// Every model against the channels survey respondents named.
    pub survey: Option<SurveyComparison>,
}

impl AttributionData {
    fn of(a: &WorkspaceAttribution) -> Self {
        let channels = a.journeys.paths.channel_names().to_vec();
        AttributionData {
            conversion: a.journeys.conversion.clone(),
            journeys: a.journeys.journeys,
            conversions: a.journeys.conversions,
            value: a.journeys.value,
            models: a
                .runs
                .iter()
                .map(|r| ModelCredits {
                    model: r.model.name(),
                    credits: channels
                        .iter()
                        .enumerate()
                        .map(|(c, name)| ChannelCredit {
                            channel: name.clone(),
                            conversions: r.credits.conversions[c],
                            value: r.credits.value[c],
                        })
                        .collect(),
                })
                .collect(),
            channels,
            costs: a.cost_rows.clone().filter(|_| a.has_spend()),
            survey: a.survey.clone().filter(|_| a.has_answers()),
        }
    }
}

/// Everything the dashboards show.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dashboard {
    /// Whether the workspace has imported events at all.
    pub has_data: bool,
    /// The map measured, if any.
    pub map: Option<String>,
    /// The maps the filters allow, and whether each can be measured (has match rules).
    pub maps: Vec<(String, bool)>,
    /// Why a part is missing, in plain words.
    pub notes: Vec<String>,
    pub stages: Option<StagesReport>,
    pub paths: Option<PathsReport>,
    pub retention: Vec<RetentionRow>,
    /// The attribution models side by side; none without conversions with a touch before.
    pub attribution: Option<AttributionData>,
    /// The same, for drawing.
    #[serde(skip)]
    pub attribution_runs: Option<WorkspaceAttribution>,
    /// Whether the numbers are one persona's customers'.
    pub persona_filtered: bool,
    pub breakpoints: Option<BreakpointsReport>,
}

fn bound(map: &JourneyMap) -> bool {
    map.stages
        .iter()
        .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()))
}

/// Computes the dashboards. Runs the engine: call on a blocking thread.
pub(crate) fn compute(
    root: &std::path::Path,
    ws: &Workspace,
    q: &DashboardQuery,
) -> Result<Dashboard, ServerError> {
    let range = date_range(q.from.as_deref(), q.to.as_deref())
        .map_err(|e| ServerError::Invalid(e.to_string()))?;
    let maps: Vec<(String, bool)> = ws
        .maps
        .iter()
        .map(|m| &m.doc)
        .filter(|m| {
            q.persona
                .as_deref()
                .is_none_or(|p| m.persona.as_ref().is_some_and(|mp| mp.as_str() == p))
        })
        .map(|m| (m.id.as_str().to_owned(), bound(m)))
        .collect();
    if let Some(p) = &q.persona
        && !ws.personas.iter().any(|x| x.doc.id.as_str() == p)
    {
        return Err(ServerError::NotFound(format!(
            "no persona `{p}` in this workspace"
        )));
    }
    let map = match &q.map {
        Some(m) => {
            if !maps.iter().any(|(id, _)| id == m) {
                return Err(ServerError::NotFound(format!(
                    "no map `{m}` among the maps of this filter"
                )));
            }
            Some(m.clone())
        }
        None => maps
            .iter()
            .find(|(_, b)| *b)
            .or(maps.first())
            .map(|(id, _)| id.clone()),
    };
    let mut dash = Dashboard {
        has_data: false,
        map: map.clone(),
        maps,
        notes: Vec::new(),
        stages: None,
        paths: None,
        retention: Vec::new(),
        attribution: None,
        attribution_runs: None,
        persona_filtered: false,
        breakpoints: None,
    };
    let mut analytics = Analytics::open(root).map_err(|e| ServerError::Internal(e.to_string()))?;
    if analytics.event_files().is_empty() {
        return Ok(dash);
    }
    dash.has_data = true;
    // A persona with rules narrows the numbers to its own customers; one without rules can
    // only choose the maps, and the page says so.
    if let Some(p) = q.persona.as_deref() {
        let has_rules = ws
            .personas
            .iter()
            .any(|x| x.doc.id.as_str() == p && !x.doc.rules.is_empty());
        if has_rules {
            analytics
                .restrict_to_persona(ws, p)
                .map_err(|e| ServerError::Internal(e.to_string()))?;
            dash.persona_filtered = true;
        } else {
            dash.notes.push(format!(
                "persona `{p}` has no `rules`, so the numbers are those of every customer; add rules to its file to measure its customers only"
            ));
        }
    }
    let measured = map
        .as_deref()
        .and_then(|id| ws.map(&id.parse().ok()?))
        .filter(|m| bound(m));
    if map.is_some() && measured.is_none() {
        dash.notes.push(format!(
            "map `{}` has no touchpoints with `match` rules, so its stages cannot be measured; add `match:` rules to its touchpoints",
            map.as_deref().unwrap_or_default()
        ));
    }
    if let Some(m) = measured {
        let id = m.id.as_str();
        match analytics.stages(ws, id, range) {
            Ok(r) => dash.stages = Some(r),
            Err(e) => dash.notes.push(e.to_string()),
        }
        match analytics.breakpoints(ws, id, range, None) {
            Ok(r) => dash.breakpoints = Some(r),
            Err(e) => dash.notes.push(e.to_string()),
        }
    }
    // The map's conversion touchpoint ends the journeys when it has one; else the default
    // conversion events do.
    let mut query = AttributionQuery::overview(range);
    query.journeys.map = measured
        .filter(|m| m.conversion.is_some())
        .map(|m| m.id.as_str().to_owned());
    match analytics.attribution(ws, &query) {
        Ok(a) if a.runs.is_empty() => dash.notes.push(format!(
            "no conversion ({}) in the period has a touch before it, so there is nothing to attribute",
            a.journeys.conversion
        )),
        Ok(a) => {
            dash.attribution = Some(AttributionData::of(&a));
            dash.attribution_runs = Some(a);
        }
        Err(e) => dash.notes.push(e.to_string()),
    }
    let query = PathQuery {
        node: if measured.is_some() {
            PathNode::Touchpoint
        } else {
            PathNode::Event
        },
        anchor: PathAnchor::Start,
        steps: 4,
        top: 8,
        range,
        map: measured.map(|m| m.id.as_str().to_owned()),
        ..PathQuery::default()
    };
    match analytics.paths(ws, &query) {
        Ok(r) => dash.paths = Some(r),
        Err(e) => dash.notes.push(e.to_string()),
    }
    match analytics.retention(&RetentionQuery {
        event: None,
        period: Period::Week,
        range,
    }) {
        Ok(r) => dash.retention = r,
        Err(e) => dash.notes.push(e.to_string()),
    }
    Ok(dash)
}
