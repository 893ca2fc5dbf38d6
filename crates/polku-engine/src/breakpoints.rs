//! Breakpoints: where customers stall or leave more than expected, and what that costs.
//!
//! For each stage and each bound touchpoint of a map, the drop-off rate of the period is set
//! against the rate of a baseline period (by default the period of the same length just
//! before). The customers lost beyond the baseline rate, times the share of customers who
//! convert once past that point (downstream conversion), times the average conversion value,
//! is the estimated value lost; the list is sorted by it, so the first row is what to fix
//! first. Each row names the team that owns the stage or touchpoint.
//!
//! - A stage's drop-off: customers who reached it and never reached a later stage.
//! - A touchpoint's drop-off: customers whose journey ended there without converting.
//! - Downstream conversion: of the customers who went on past the point, the share that
//!   reached the map's conversion touchpoint (or, without one, its last stage).
//! - Average value: the mean `value` of the conversion events of the period; without values
//!   a converted customer is worth 1, so the value lost is in customers.

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::functions_aggregate::expr_fn::{avg, max};
use datafusion::prelude::{col, lit};
use polku_model::Workspace;
use polku_store::schema::event_col;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::funnel::JourneyUnit;
use crate::matching::MapMatcher;
use crate::paths::{PathNode, TimedPath};
use crate::session::int64_column;
use crate::session::{Analytics, TIME_US, TimeRange};
use crate::time::DAY_US;
use crate::udf::journey_path::PathAnchor;
use crate::udf::sessionize::DEFAULT_SESSION_GAP_US;

/// The length of the default period when none is given: the last 28 days of data.
pub const DEFAULT_PERIOD_US: i64 = 28 * DAY_US;

/// Fewer customers than this at a point in the baseline make its rate too noisy to compare.
pub const MIN_BASELINE: u64 = 20;

/// A stage or a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// A stage of the map.
    Stage,
    /// A touchpoint of the map.
    Touchpoint,
}

/// One point of the journey where customers leave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakpoint {
    /// Stage or touchpoint.
    pub kind: PointKind,
    /// Its id.
    pub id: String,
    /// The id of its stage (itself for a stage).
    pub stage: String,
    /// The team that owns it.
    pub owner: Option<String>,
    /// Customers who reached it in the period.
    pub reached: u64,
    /// Of them, customers who left there.
    pub left: u64,
    /// `left / reached`.
    pub drop_off_rate: f64,
    /// The baseline period's drop-off rate; none when the baseline had too few customers.
    pub expected_rate: Option<f64>,
    /// Customers lost beyond the expected rate.
    pub excess_lost: f64,
    /// Of the customers who went on past this point, the share that converted.
    pub downstream_conversion: f64,
    /// The estimated value lost: excess lost × downstream conversion × average value.
    pub value_lost: f64,
}

/// The breakpoints of a map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakpointsReport {
    /// The map.
    pub map: String,
    /// The period measured.
    pub period: (i64, i64),
    /// The baseline period.
    pub baseline: (i64, i64),
    /// What counts as converted: a touchpoint id, or the last stage's id.
    pub conversion: String,
    /// The average conversion value; none when the data has no values (then a conversion
    /// is worth 1).
    pub average_value: Option<f64>,
    /// Every stage and bound touchpoint, by value lost (largest first), then by drop-off.
    pub breakpoints: Vec<Breakpoint>,
}

/// Drop-off counts of one period.
#[derive(Debug, Default)]
struct Period {
    /// Per point: (reached, left, went on, went on and converted).
    stages: Vec<[u64; 4]>,
    touchpoints: HashMap<String, [u64; 4]>,
}

fn measure(
    touch_paths: &[TimedPath],
    stage_of: &HashMap<&str, usize>,
    stage_count: usize,
    is_conversion: &dyn Fn(&[usize], &TimedPath) -> bool,
) -> Period {
    let mut period = Period {
        stages: vec![[0; 4]; stage_count],
        touchpoints: HashMap::new(),
    };
    for tp in touch_paths {
        // The stage path: the touchpoints' stages, repeats in a row collapsed.
        let mut stages: Vec<usize> = Vec::new();
        for (t, _) in tp {
            if let Some(&s) = stage_of.get(t.as_str())
                && stages.last() != Some(&s)
            {
                stages.push(s);
            }
        }
        let converted = is_conversion(&stages, tp);
        for s in 0..stage_count {
            let Some(first) = stages.iter().position(|&x| x == s) else {
                continue;
            };
            let went_on = stages[first + 1..].iter().any(|&x| x > s);
            let c = &mut period.stages[s];
            c[0] += 1;
            if went_on {
                c[2] += 1;
                c[3] += u64::from(converted);
            } else {
                c[1] += 1;
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, (t, _)) in tp.iter().enumerate() {
            if seen.contains(&t.as_str()) {
                continue;
            }
            seen.push(t);
            let c = period.touchpoints.entry(t.clone()).or_default();
            c[0] += 1;
            // Left there: the journey's last touch is this one and it did not convert.
            let last_here = tp[i..].iter().all(|(u, _)| u == t);
            if last_here && !converted {
                c[1] += 1;
            } else {
                c[2] += 1;
                c[3] += u64::from(converted);
            }
        }
    }
    period
}

fn rate(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        #[allow(clippy::cast_precision_loss)]
        let r = a as f64 / b as f64;
        r
    }
}

fn point(
    kind: PointKind,
    id: &str,
    stage: &str,
    owner: Option<String>,
    now: [u64; 4],
    before: Option<[u64; 4]>,
    value: f64,
) -> Breakpoint {
    let drop = rate(now[1], now[0]);
    let expected = before
        .filter(|b| b[0] >= MIN_BASELINE)
        .map(|b| rate(b[1], b[0]));
    #[allow(clippy::cast_precision_loss)]
    let excess = expected.map_or(0.0, |e| ((drop - e) * now[0] as f64).max(0.0));
    let downstream = rate(now[3], now[2]);
    Breakpoint {
        kind,
        id: id.to_owned(),
        stage: stage.to_owned(),
        owner,
        reached: now[0],
        left: now[1],
        drop_off_rate: drop,
        expected_rate: expected,
        excess_lost: excess,
        downstream_conversion: downstream,
        value_lost: excess * downstream * value,
    }
}

impl Analytics {
    /// The first and last event time, if there are events.
    ///
    /// # Errors
    /// When the query fails.
    pub fn time_span(&self) -> Result<Option<(i64, i64)>> {
        let frame = self.events(TimeRange::ALL)?.aggregate(
            vec![],
            vec![
                datafusion::functions_aggregate::expr_fn::min(col(TIME_US)),
                max(col(TIME_US)),
            ],
        )?;
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("time span: unexpected result type");
            let lo = int64_column(&batch, 0, bad)?;
            let hi = int64_column(&batch, 1, bad)?;
            if batch.num_rows() > 0 && !lo.is_null(0) {
                return Ok(Some((lo.value(0), hi.value(0))));
            }
        }
        Ok(None)
    }

    /// The breakpoints of a map in a period against a baseline period. Without a period, the
    /// last 28 days of data; without a baseline, the period of the same length before.
    ///
    /// # Errors
    /// When the map is unknown or unbound, there is no data, or the query fails.
    pub fn breakpoints(
        &self,
        workspace: &Workspace,
        map_id: &str,
        period: TimeRange,
        baseline: Option<TimeRange>,
    ) -> Result<BreakpointsReport> {
        let matcher = MapMatcher::find(workspace, map_id)?;
        if !matcher.is_bound() {
            return Err(AnalyticsError::invalid(format!(
                "no touchpoint of map `{map_id}` has match rules, so it cannot be measured"
            )));
        }
        let map = matcher.map();
        let (from, to) = match (period.from_us, period.to_us) {
            (Some(f), Some(t)) => (f, t),
            (f, t) => {
                let Some((lo, hi)) = self.time_span()? else {
                    return Err(AnalyticsError::invalid("the workspace has no events"));
                };
                let to = t.unwrap_or(hi + 1);
                (f.unwrap_or((to - DEFAULT_PERIOD_US).max(lo)), to)
            }
        };
        let baseline = baseline.unwrap_or(TimeRange {
            from_us: Some(from - (to - from)),
            to_us: Some(from),
        });
        let base = (
            baseline.from_us.unwrap_or(i64::MIN),
            baseline.to_us.unwrap_or(from),
        );
        let stage_of: HashMap<&str, usize> = matcher
            .touchpoints()
            .iter()
            .map(|b| (b.touchpoint.id.as_str(), b.stage_index))
            .collect();
        let last_stage = map.stages.len().saturating_sub(1);
        let conversion = map.conversion.as_ref().map_or_else(
            || {
                map.stages
                    .last()
                    .map(|s| s.stage.as_str().to_owned())
                    .unwrap_or_default()
            },
            |c| c.as_str().to_owned(),
        );
        let by_touchpoint = map.conversion.is_some();
        let is_conversion = |stages: &[usize], tp: &TimedPath| {
            if by_touchpoint {
                tp.iter().any(|(t, _)| *t == conversion)
            } else {
                stages.contains(&last_stage)
            }
        };
        let run = |range: TimeRange| -> Result<Period> {
            let paths = self.timed_paths(
                Some(&matcher),
                PathNode::Touchpoint,
                &PathAnchor::Start,
                usize::MAX,
                JourneyUnit::Customer,
                range,
                DEFAULT_SESSION_GAP_US,
            )?;
            Ok(measure(&paths, &stage_of, map.stages.len(), &is_conversion))
        };
        let now = run(TimeRange {
            from_us: Some(from),
            to_us: Some(to),
        })?;
        let before = run(baseline)?;
        let average_value =
            self.average_conversion_value(&matcher, &conversion, by_touchpoint, from, to)?;
        let value = average_value.unwrap_or(1.0);
        let mut points = Vec::new();
        for (i, stage) in map.stages.iter().enumerate() {
            points.push(point(
                PointKind::Stage,
                stage.stage.as_str(),
                stage.stage.as_str(),
                stage.owner.as_ref().map(|t| t.as_str().to_owned()),
                now.stages[i],
                Some(before.stages[i]),
                value,
            ));
        }
        for bound in matcher.touchpoints() {
            let id = bound.touchpoint.id.as_str();
            let stage = &map.stages[bound.stage_index];
            let Some(counts) = now.touchpoints.get(id) else {
                continue;
            };
            points.push(point(
                PointKind::Touchpoint,
                id,
                stage.stage.as_str(),
                bound
                    .touchpoint
                    .owner_in(stage)
                    .map(|t| t.as_str().to_owned()),
                *counts,
                before.touchpoints.get(id).copied(),
                value,
            ));
        }
        points.sort_by(|a, b| {
            b.value_lost
                .total_cmp(&a.value_lost)
                .then(b.drop_off_rate.total_cmp(&a.drop_off_rate))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(BreakpointsReport {
            map: map.id.as_str().to_owned(),
            period: (from, to),
            baseline: base,
            conversion,
            average_value,
            breakpoints: points,
        })
    }

    fn average_conversion_value(
        &self,
        matcher: &MapMatcher<'_>,
        conversion: &str,
        by_touchpoint: bool,
        from: i64,
        to: i64,
    ) -> Result<Option<f64>> {
        let label = if by_touchpoint {
            matcher.touchpoint_id_expr()
        } else {
            matcher.stage_id_expr()
        };
        let frame = self
            .events(TimeRange {
                from_us: Some(from),
                to_us: Some(to),
            })?
            .filter(label.eq(lit(conversion)))?
            .aggregate(vec![], vec![avg(col(event_col::VALUE))])?;
        for batch in self.collect(frame)? {
            let Some(v) = batch.column(0).as_primitive_opt::<Float64Type>() else {
                return Err(AnalyticsError::invalid(
                    "breakpoints: unexpected result type",
                ));
            };
            if batch.num_rows() > 0 && !v.is_null(0) {
                return Ok(Some(v.value(0)));
            }
        }
        Ok(None)
    }
}
