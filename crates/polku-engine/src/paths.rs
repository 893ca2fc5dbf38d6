//! Paths: the most common sequences of nodes forward from a start or backward to an end.
//!
//! A node is an event name, a channel group, a touchpoint or a stage of a map. Each journey
//! (customer or session) gives one path, collected by the `journey_path` aggregate: repeats in
//! a row collapse, and the path is cut to `steps` nodes from the first occurrence of the start
//! node, or up to the first occurrence of the end node. The `top` most common paths are
//! listed and the rest are counted as "other"; the Sankey data shows the flow between
//! positions, with nodes outside each position's `top` grouped as "other".

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::prelude::{Expr, cast, col, lit};
use polku_model::Workspace;
use polku_store::schema::event_col;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::funnel::{JourneyUnit, journey_events};
use crate::matching::MapMatcher;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::udf::journey_path::{PathAnchor, journey_path_udaf};
use crate::udf::sessionize::DEFAULT_SESSION_GAP_US;

/// The label of grouped nodes and paths.
pub const OTHER: &str = "other";

/// What the nodes of a path are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PathNode {
    /// Event names.
    #[default]
    Event,
    /// Channel groups.
    Channel,
    /// Touchpoints of a map (events that match none are left out of paths).
    Touchpoint,
    /// Stages of a map (events that match no touchpoint are left out of paths).
    Stage,
}

/// A path query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathQuery {
    /// What the nodes are.
    pub node: PathNode,
    /// Where paths start or end.
    pub anchor: PathAnchor,
    /// The most nodes in a path.
    pub steps: usize,
    /// How many paths to list (and nodes per position in the Sankey data).
    pub top: usize,
    /// Customers or sessions.
    pub by: JourneyUnit,
    /// Which events count.
    pub range: TimeRange,
    /// The map, for touchpoint and stage nodes.
    pub map: Option<String>,
    /// The inactivity that ends a session, in microseconds.
    pub session_gap_us: i64,
}

impl Default for PathQuery {
    fn default() -> Self {
        PathQuery {
            node: PathNode::Event,
            anchor: PathAnchor::Start,
            steps: 5,
            top: 10,
            by: JourneyUnit::Customer,
            range: TimeRange::ALL,
            map: None,
            session_gap_us: DEFAULT_SESSION_GAP_US,
        }
    }
}

/// One listed path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathCount {
    /// The nodes in order.
    pub path: Vec<String>,
    /// Journeys that took it.
    pub journeys: u64,
}

/// A Sankey node: one label at one position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SankeyNode {
    /// `position:label`, unique.
    pub id: String,
    /// The label.
    pub name: String,
    /// The position in the path, from 0.
    pub step: usize,
}

/// A Sankey link between nodes of neighbouring positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SankeyLink {
    /// The index of the source node.
    pub source: usize,
    /// The index of the target node.
    pub target: usize,
    /// Journeys that went this way.
    pub value: u64,
}

/// Sankey data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Sankey {
    /// The nodes, by position and then by descending volume.
    pub nodes: Vec<SankeyNode>,
    /// The links, by source and target.
    pub links: Vec<SankeyLink>,
}

/// The paths of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathsReport {
    /// Journeys with a path (with the anchor, when there is one).
    pub journeys: u64,
    /// The most common paths, most common first (ties by path).
    pub paths: Vec<PathCount>,
    /// Journeys whose path is not listed.
    pub other: u64,
    /// The flow between positions.
    pub sankey: Sankey,
}

/// Counts paths into a report.
#[must_use]
pub fn summarize_paths(paths: Vec<Vec<String>>, top: usize) -> PathsReport {
    let journeys = paths.len() as u64;
    let mut counts: HashMap<Vec<String>, u64> = HashMap::new();
    for p in &paths {
        *counts.entry(p.clone()).or_default() += 1;
    }
    let mut ranked: Vec<(Vec<String>, u64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let listed: Vec<PathCount> = ranked
        .iter()
        .take(top)
        .map(|(path, n)| PathCount {
            path: path.clone(),
            journeys: *n,
        })
        .collect();
    let other = journeys - listed.iter().map(|p| p.journeys).sum::<u64>();
    PathsReport {
        journeys,
        paths: listed,
        other,
        sankey: sankey(&paths, top),
    }
}

/// A label at a position.
type Slot = (usize, String);

fn sankey(paths: &[Vec<String>], top: usize) -> Sankey {
    let depth = paths.iter().map(Vec::len).max().unwrap_or(0);
    // The labels kept at each position: the `top` most frequent.
    let mut kept: Vec<Vec<String>> = Vec::with_capacity(depth);
    for pos in 0..depth {
        let mut freq: HashMap<&str, u64> = HashMap::new();
        for p in paths {
            if let Some(n) = p.get(pos) {
                *freq.entry(n.as_str()).or_default() += 1;
            }
        }
        let mut ranked: Vec<(&str, u64)> = freq.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        kept.push(
            ranked
                .iter()
                .take(top)
                .map(|(n, _)| (*n).to_owned())
                .collect(),
        );
    }
    let label = |pos: usize, n: &str| -> String {
        if kept[pos].iter().any(|k| k == n) {
            n.to_owned()
        } else {
            OTHER.to_owned()
        }
    };
    let mut node_volume: HashMap<(usize, String), u64> = HashMap::new();
    let mut link_volume: HashMap<(Slot, Slot), u64> = HashMap::new();
    for p in paths {
        let labels: Vec<String> = p.iter().enumerate().map(|(i, n)| label(i, n)).collect();
        for (i, l) in labels.iter().enumerate() {
            *node_volume.entry((i, l.clone())).or_default() += 1;
            if i > 0 {
                *link_volume
                    .entry(((i - 1, labels[i - 1].clone()), (i, l.clone())))
                    .or_default() += 1;
            }
        }
    }
    let mut nodes: Vec<((usize, String), u64)> = node_volume.into_iter().collect();
    nodes.sort_by(|a, b| {
        a.0.0
            .cmp(&b.0.0)
            .then(b.1.cmp(&a.1))
            .then_with(|| a.0.1.cmp(&b.0.1))
    });
    let index: HashMap<(usize, String), usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    let mut links: Vec<SankeyLink> = link_volume
        .into_iter()
        .map(|((s, t), value)| SankeyLink {
            source: index[&s],
            target: index[&t],
            value,
        })
        .collect();
    links.sort_by_key(|l| (l.source, l.target));
    Sankey {
        nodes: nodes
            .into_iter()
            .map(|((step, name), _)| SankeyNode {
                id: format!("{step}:{name}"),
                name,
                step,
            })
            .collect(),
        links,
    }
}

/// The node expression of a path query.
fn node_expr(node: PathNode, matcher: Option<&MapMatcher<'_>>) -> Result<Expr> {
    match (node, matcher) {
        (PathNode::Event, _) => Ok(col(event_col::EVENT)),
        (PathNode::Channel, _) => Ok(col(event_col::CHANNEL_GROUP)),
        (PathNode::Touchpoint, Some(m)) => Ok(m.touchpoint_id_expr()),
        (PathNode::Stage, Some(m)) => Ok(m.stage_id_expr()),
        (PathNode::Touchpoint | PathNode::Stage, None) => Err(AnalyticsError::invalid(
            "touchpoint and stage paths need a map: give its id with --map",
        )),
    }
}

/// One journey's nodes with the time each was entered.
pub type TimedPath = Vec<(String, i64)>;

impl Analytics {
    /// The paths of a query.
    ///
    /// # Errors
    /// When the query needs a map it does not name, or fails.
    pub fn paths(&self, workspace: &Workspace, query: &PathQuery) -> Result<PathsReport> {
        if query.steps == 0 {
            return Err(AnalyticsError::invalid("a path needs at least one step"));
        }
        let matcher = query
            .map
            .as_deref()
            .map(|id| MapMatcher::find(workspace, id))
            .transpose()?;
        let paths = self.timed_paths(
            matcher.as_ref(),
            query.node,
            &query.anchor,
            query.steps,
            query.by,
            query.range,
            query.session_gap_us,
        )?;
        Ok(summarize_paths(
            paths
                .into_iter()
                .map(|p| p.into_iter().map(|(n, _)| n).collect())
                .collect(),
            query.top,
        ))
    }

    /// Of `names`, those that no event in the range has as its node (event name, channel
    /// group, or touchpoint or stage id of `matcher`'s map): a start, end or step that names
    /// nothing in the data, which would otherwise just give empty results.
    ///
    /// # Errors
    /// When a touchpoint or stage node has no map, or the query fails.
    pub fn missing_nodes(
        &self,
        matcher: Option<&MapMatcher<'_>>,
        node: PathNode,
        names: &[String],
        range: TimeRange,
    ) -> Result<Vec<String>> {
        const NODE: &str = "__node";
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let frame = self
            .events(range)?
            .select(vec![
                cast(node_expr(node, matcher)?, DataType::Utf8).alias(NODE),
            ])?
            .filter(col(NODE).in_list(names.iter().map(|n| lit(n.as_str())).collect(), false))?
            .aggregate(vec![col(NODE)], vec![])?;
        let mut found = std::collections::HashSet::new();
        for batch in self.collect(frame)? {
            let values = batch
                .column(0)
                .as_string_opt::<i32>()
                .ok_or_else(|| AnalyticsError::invalid("paths: unexpected result type"))?;
            for i in 0..batch.num_rows() {
                if !values.is_null(i) {
                    found.insert(values.value(i).to_owned());
                }
            }
        }
        let mut missing: Vec<String> = Vec::new();
        for n in names {
            if !found.contains(n) && !missing.contains(n) {
                missing.push(n.clone());
            }
        }
        Ok(missing)
    }

    /// Every journey's path with node entry times (journeys without a node give none).
    ///
    /// # Errors
    /// When the query fails.
    #[allow(clippy::too_many_arguments)]
    pub fn timed_paths(
        &self,
        matcher: Option<&MapMatcher<'_>>,
        node: PathNode,
        anchor: &PathAnchor,
        steps: usize,
        by: JourneyUnit,
        range: TimeRange,
        session_gap_us: i64,
    ) -> Result<Vec<TimedPath>> {
        Ok(self
            .customer_timed_paths(matcher, node, anchor, steps, by, range, session_gap_us)?
            .into_iter()
            .map(|(_, p)| p)
            .collect())
    }

    /// [`Analytics::timed_paths`] with the customer each journey belongs to, for analyses
    /// that split journeys by who made them (personas).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn customer_timed_paths(
        &self,
        matcher: Option<&MapMatcher<'_>>,
        node: PathNode,
        anchor: &PathAnchor,
        steps: usize,
        by: JourneyUnit,
        range: TimeRange,
        session_gap_us: i64,
    ) -> Result<Vec<(String, TimedPath)>> {
        const NODE: &str = "__node";
        const PATH: &str = "__path";
        let (frame, keys) = journey_events(self, matcher, range, by, session_gap_us)?;
        let frame = frame
            .with_column(NODE, node_expr(node, matcher)?)?
            .filter(col(NODE).is_not_null())?;
        let path = journey_path_udaf(anchor.clone(), steps)
            .call(vec![col(TIME_US), col(ORDINAL), col(NODE)])
            .alias(PATH);
        let frame = frame
            .aggregate(keys, vec![path])?
            .select(vec![col(WHO), col(PATH)])?;
        let mut out = Vec::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("paths: unexpected result type");
            let who = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let lists = batch.column(1).as_list_opt::<i32>().ok_or_else(bad)?;
            let items = lists.values().as_struct_opt().ok_or_else(bad)?;
            let nodes = items.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let times = items
                .column(1)
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(bad)?;
            let offsets = lists.value_offsets();
            for row in 0..lists.len() {
                let a = usize::try_from(offsets[row]).unwrap_or(0);
                let b = usize::try_from(offsets[row + 1]).unwrap_or(0);
                if a == b {
                    continue;
                }
                out.push((
                    who.value(row).to_owned(),
                    (a..b)
                        .map(|i| (nodes.value(i).to_owned(), times.value(i)))
                        .collect(),
                ));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split('>').map(str::to_owned).collect()
    }

    #[test]
    fn top_paths_and_other() {
        let paths = vec![p("a>b"), p("a>b"), p("a>c"), p("a>d"), p("a>b>c")];
        let r = summarize_paths(paths, 2);
        assert_eq!(r.journeys, 5);
        assert_eq!(
            r.paths[0],
            PathCount {
                path: p("a>b"),
                journeys: 2
            }
        );
        assert_eq!(r.paths[1].path, p("a>b>c"));
        assert_eq!(r.other, 2);
        // Position 1 keeps b (3) and c (1, before d by name); d becomes other.
        let names: Vec<&str> = r.sankey.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(names, ["0:a", "1:b", "1:c", "1:other", "2:c"]);
        let total_out_of_a: u64 = r
            .sankey
            .links
            .iter()
            .filter(|l| l.source == 0)
            .map(|l| l.value)
            .sum();
        assert_eq!(total_out_of_a, 5);
    }
}
