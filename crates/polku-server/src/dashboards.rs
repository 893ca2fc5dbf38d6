//! The living map and the dashboards: journey analytics of `polku-engine` over the workspace's
//! imported events, for one map (chosen directly or through a persona) and one period.
//!
//! The engine runs its own query runtime, so every computation here runs on a blocking thread.

use polku_engine::attribution::{Model, PathSetBuilder, Settings, attribute};
use polku_engine::breakpoints::BreakpointsReport;
use polku_engine::paths::{PathNode, PathQuery, PathsReport};
use polku_engine::retention::{RetentionQuery, RetentionRow};
use polku_engine::stages::StagesReport;
use polku_engine::time::{Period, date_range};
use polku_engine::udf::journey_path::PathAnchor;
use polku_engine::{Analytics, TimeRange};
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

/// Credit of one touchpoint under the heuristic models.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Credit {
    pub touchpoint: String,
    pub first: f64,
    pub last: f64,
    pub linear: f64,
    pub position: f64,
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
    pub attribution: Vec<Credit>,
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
        attribution: Vec::new(),
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
        match attribution(&analytics, ws, m, range) {
            Ok(c) => dash.attribution = c,
            Err(e) => dash.notes.push(e),
        }
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

/// Heuristic credit of the touchpoints on the paths that reach the map's conversion.
fn attribution(
    analytics: &Analytics,
    ws: &Workspace,
    map: &JourneyMap,
    range: TimeRange,
) -> Result<Vec<Credit>, String> {
    let Some(conversion) = &map.conversion else {
        return Err(format!(
            "map `{}` names no conversion touchpoint (`conversion:`), so there is nothing to attribute",
            map.id.as_str()
        ));
    };
    let report = analytics
        .paths(
            ws,
            &PathQuery {
                node: PathNode::Touchpoint,
                anchor: PathAnchor::To(conversion.as_str().to_owned()),
                steps: 12,
                top: 10_000,
                range,
                map: Some(map.id.as_str().to_owned()),
                ..PathQuery::default()
            },
        )
        .map_err(|e| e.to_string())?;
    let mut builder = PathSetBuilder::new();
    let mut any = false;
    for p in &report.paths {
        // The conversion itself ends every path; credit goes to what led there.
        let touches: Vec<&str> = p
            .path
            .iter()
            .map(String::as_str)
            .filter(|n| *n != conversion.as_str())
            .collect();
        if touches.is_empty() {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let n = p.journeys as f64;
        builder
            .add_named(touches, n, 0.0, 0.0)
            .map_err(|e| e.to_string())?;
        any = true;
    }
    if !any {
        return Ok(Vec::new());
    }
    let paths = builder.build();
    let settings = Settings::default();
    let run = |m| attribute(&paths, m, &settings).map_err(|e| e.to_string());
    let (first, last, linear, position) = (
        run(Model::First)?,
        run(Model::Last)?,
        run(Model::Linear)?,
        run(Model::Position)?,
    );
    let mut credits: Vec<Credit> = paths
        .channel_names()
        .iter()
        .enumerate()
        .map(|(i, name)| Credit {
            touchpoint: name.clone(),
            first: first.conversions[i],
            last: last.conversions[i],
            linear: linear.conversions[i],
            position: position.conversions[i],
        })
        .collect();
    credits.sort_by(|a, b| b.linear.total_cmp(&a.linear));
    Ok(credits)
}
