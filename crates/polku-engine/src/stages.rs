//! The stage funnel of a map, measured: how customers move through the map's stages.
//!
//! Each event is bound to a touchpoint and so to a stage (see [`crate::matching`]); each
//! customer's stages in time order (repeats in a row collapsed) come from the `journey_path`
//! aggregate. Per stage: customers who reached it, who later reached the next stage, who moved
//! on to any later stage, who stopped there (drop-off), and the median time spent in it (from
//! entering it to entering another stage). The transition matrix counts every move between
//! stages, backward moves included: journeys are not linear.
//!
//! Events that match no touchpoint are counted and listed in a [`MatchSummary`].

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::prelude::{col, lit};
use polku_model::Workspace;
use polku_store::schema::event_col;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::funnel::{JourneyUnit, median_seconds};
use crate::matching::MapMatcher;
use crate::paths::PathNode;
use crate::session::int64_column;
use crate::session::{Analytics, TimeRange};
use crate::udf::journey_path::PathAnchor;
use crate::udf::sessionize::DEFAULT_SESSION_GAP_US;

/// How many kinds of unmatched events a [`MatchSummary`] lists.
pub const UNMATCHED_LISTED: usize = 10;

/// How well a map's match rules cover the events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchSummary {
    /// Events in scope.
    pub events: u64,
    /// Events per touchpoint, in map order (touchpoints with rules only).
    pub touchpoints: Vec<TouchpointCount>,
    /// Events that match no touchpoint.
    pub unmatched: u64,
    /// The most common unmatched events by name, most common first.
    pub unmatched_events: Vec<EventCount>,
}

/// Events bound to one touchpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TouchpointCount {
    /// The touchpoint's id.
    pub touchpoint: String,
    /// The id of its stage.
    pub stage: String,
    /// Events bound to it.
    pub events: u64,
}

/// Events of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventCount {
    /// The event name.
    pub event: String,
    /// How many.
    pub events: u64,
}

/// One stage of the measured stage funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    /// The stage id.
    pub stage: String,
    /// Customers who reached the stage.
    pub reached: u64,
    /// Of them, customers who later reached the next stage of the map.
    pub reached_next: u64,
    /// `reached_next / reached`.
    pub conversion_to_next: f64,
    /// Customers who stopped here: they never reached a later stage after this one. Zero for
    /// the last stage, whose customers reached the end of the map.
    pub drop_off: u64,
    /// `drop_off / reached`.
    pub drop_off_rate: f64,
    /// The median time from entering the stage to entering another one, in seconds (visits
    /// that have not ended are left out).
    pub median_time_in_stage_s: Option<f64>,
}

/// The measured stage funnel of a map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagesReport {
    /// The map's id.
    pub map: String,
    /// Customers with at least one bound event.
    pub customers: u64,
    /// The stages in map order.
    pub stages: Vec<StageRow>,
    /// `transitions[from][to]`: moves from one stage to another, in map order; entries below
    /// the diagonal are backward moves.
    pub transitions: Vec<Vec<u64>>,
    /// Moves to an earlier stage.
    pub backward_moves: u64,
    /// How the map's rules cover the events.
    pub coverage: MatchSummary,
}

/// Measures stage sequences (stage indices with entry times, repeats collapsed).
#[must_use]
pub fn stage_funnel(
    stage_count: usize,
    journeys: &[Vec<(usize, i64)>],
) -> (Vec<StageRow>, Vec<Vec<u64>>) {
    let mut reached = vec![0u64; stage_count];
    let mut reached_next = vec![0u64; stage_count];
    let mut moved_on = vec![0u64; stage_count];
    let mut durations: Vec<Vec<i64>> = vec![Vec::new(); stage_count];
    let mut transitions = vec![vec![0u64; stage_count]; stage_count];
    for journey in journeys {
        for s in 0..stage_count {
            let Some(first) = journey.iter().position(|&(st, _)| st == s) else {
                continue;
            };
            reached[s] += 1;
            let later = &journey[first + 1..];
            if later.iter().any(|&(st, _)| st == s + 1) {
                reached_next[s] += 1;
            }
            if later.iter().any(|&(st, _)| st > s) {
                moved_on[s] += 1;
            }
        }
        for pair in journey.windows(2) {
            let ((from, t0), (to, t1)) = (pair[0], pair[1]);
            transitions[from][to] += 1;
            durations[from].push(t1 - t0);
        }
    }
    let ratio = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            #[allow(clippy::cast_precision_loss)]
            let r = a as f64 / b as f64;
            r
        }
    };
    let rows = (0..stage_count)
        .map(|s| {
            // Customers in the last stage reached the end of the map: they did not drop off.
            let drop = if s + 1 == stage_count {
                0
            } else {
                reached[s] - moved_on[s]
            };
            StageRow {
                stage: String::new(),
                reached: reached[s],
                reached_next: reached_next[s],
                conversion_to_next: ratio(reached_next[s], reached[s]),
                drop_off: drop,
                drop_off_rate: ratio(drop, reached[s]),
                median_time_in_stage_s: median_seconds(&mut durations[s]),
            }
        })
        .collect();
    (rows, transitions)
}

impl Analytics {
    /// How a map's match rules cover the events in a time range.
    ///
    /// # Errors
    /// When the query fails.
    pub fn match_summary(
        &self,
        matcher: &MapMatcher<'_>,
        range: TimeRange,
    ) -> Result<MatchSummary> {
        const TP: &str = "__tp";
        const N: &str = "__n";
        let frame = self
            .events(range)?
            .select(vec![
                matcher.touchpoint_position_expr().alias(TP),
                col(event_col::EVENT),
            ])?
            .aggregate(
                vec![col(TP), col(event_col::EVENT)],
                vec![count(lit(1)).alias(N)],
            )?;
        let mut per_tp = vec![0u64; matcher.touchpoints().len()];
        let mut unmatched: HashMap<String, u64> = HashMap::new();
        let mut events = 0;
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("match summary: unexpected result type");
            let tp = int64_column(&batch, 0, bad)?;
            let ev = batch.column(1).as_string_opt::<i32>().ok_or_else(bad)?;
            let n = int64_column(&batch, 2, bad)?;
            for i in 0..batch.num_rows() {
                let count = u64::try_from(n.value(i)).unwrap_or(0);
                events += count;
                if tp.is_null(i) {
                    *unmatched.entry(ev.value(i).to_owned()).or_default() += count;
                } else if let Some(slot) = usize::try_from(tp.value(i))
                    .ok()
                    .and_then(|p| per_tp.get_mut(p))
                {
                    *slot += count;
                }
            }
        }
        let mut listed: Vec<EventCount> = unmatched
            .iter()
            .map(|(e, &n)| EventCount {
                event: e.clone(),
                events: n,
            })
            .collect();
        listed.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.event.cmp(&b.event)));
        listed.truncate(UNMATCHED_LISTED);
        Ok(MatchSummary {
            events,
            touchpoints: matcher
                .touchpoints()
                .iter()
                .zip(per_tp)
                .map(|(b, events)| TouchpointCount {
                    touchpoint: b.touchpoint.id.as_str().to_owned(),
                    stage: matcher.map().stages[b.stage_index]
                        .stage
                        .as_str()
                        .to_owned(),
                    events,
                })
                .collect(),
            unmatched: unmatched.values().sum(),
            unmatched_events: listed,
        })
    }

    /// The measured stage funnel of a map.
    ///
    /// # Errors
    /// When there is no such map, none of its touchpoints has match rules, or the query
    /// fails.
    pub fn stages(
        &self,
        workspace: &Workspace,
        map_id: &str,
        range: TimeRange,
    ) -> Result<StagesReport> {
        let matcher = MapMatcher::find(workspace, map_id)?;
        if !matcher.is_bound() {
            return Err(AnalyticsError::invalid(format!(
                "no touchpoint of map `{map_id}` has match rules, so it cannot be measured: add \
                 `match:` rules to its touchpoints"
            )));
        }
        let map = matcher.map();
        let index: HashMap<&str, usize> = map
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.stage.as_str(), i))
            .collect();
        let paths = self.timed_paths(
            Some(&matcher),
            PathNode::Stage,
            &PathAnchor::Start,
            usize::MAX,
            JourneyUnit::Customer,
            range,
            DEFAULT_SESSION_GAP_US,
        )?;
        let journeys: Vec<Vec<(usize, i64)>> = paths
            .into_iter()
            .map(|p| {
                p.into_iter()
                    .filter_map(|(stage, t)| index.get(stage.as_str()).map(|&i| (i, t)))
                    .collect()
            })
            .collect();
        let (mut rows, transitions) = stage_funnel(map.stages.len(), &journeys);
        for (row, stage) in rows.iter_mut().zip(&map.stages) {
            row.stage = stage.stage.as_str().to_owned();
        }
        let backward_moves = transitions
            .iter()
            .enumerate()
            .map(|(from, row)| row[..from].iter().sum::<u64>())
            .sum();
        Ok(StagesReport {
            map: map.id.as_str().to_owned(),
            customers: journeys.len() as u64,
            stages: rows,
            transitions,
            backward_moves,
            coverage: self.match_summary(&matcher, range)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_count_reach_drop_off_and_backward_moves() {
        const H: i64 = 3_600_000_000;
        let journeys = vec![
            vec![(0, 0), (1, H), (2, 3 * H)],
            vec![(0, 0), (1, 2 * H), (0, 3 * H)],
            vec![(0, 0)],
            vec![(1, 0), (2, H)],
        ];
        let (rows, t) = stage_funnel(3, &journeys);
        let reached: Vec<u64> = rows.iter().map(|r| r.reached).collect();
        assert_eq!(reached, [3, 3, 2]);
        assert_eq!(rows[0].reached_next, 2);
        assert_eq!(rows[0].drop_off, 1);
        assert_eq!(
            rows[1].drop_off, 1,
            "the second journey went back and stopped"
        );
        assert_eq!(
            (rows[2].drop_off, rows[2].drop_off_rate),
            (0, 0.0),
            "the last stage is the end of the map: nobody drops off there"
        );
        assert_eq!(t[1][0], 1);
        assert_eq!(t[0][1], 2);
        // Stage 0 visits that ended: 1 h and 2 h; stage 1: 2 h, 1 h, 1 h.
        assert_eq!(rows[0].median_time_in_stage_s, Some(5400.0));
        assert_eq!(rows[1].median_time_in_stage_s, Some(3600.0));
        assert_eq!(rows[2].median_time_in_stage_s, None);
    }
}
