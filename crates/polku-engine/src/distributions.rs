//! How long and how many touches it takes to convert.
//!
//! For every customer who converted: the time from the first touch to the first conversion,
//! and the number of touchpoints before it (a run of the same touchpoint in a row counts
//! once). The shares the seed articles quote are computed next to the data: a month or more
//! from first contact to purchase, three or more and six or more touchpoints before it.
//!
//! With a map, touches are the map's bound touchpoints before the conversion, which is the
//! map's `conversion` touchpoint. Without one, the conversion is an event name and touches are
//! visits: the sessions (the data's session id, else 30 minutes of inactivity) that started up
//! to the conversion, the converting visit included.

use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::{count, max, min};
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{col, lit};
use polku_store::schema::event_col;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::funnel::{JourneyUnit, median, median_seconds};
use crate::matching::MapMatcher;
use crate::paths::PathNode;
use crate::session::int64_column;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::time::DAY_US;
use crate::udf::journey_path::PathAnchor;
use crate::udf::sessionize::{DEFAULT_SESSION_GAP_US, sessionize_udwf};

/// What the seed articles report, for comparison: the share of companies that see a month or
/// more from first contact to purchase, three or more and six or more touchpoints before it.
pub const SEED_SHARES: SeedShares = SeedShares {
    month_or_more: 0.71,
    three_or_more_touchpoints: 0.61,
    six_or_more_touchpoints: 0.32,
};

/// The three shares the seeds quote.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeedShares {
    /// A month (30 days) or more from the first touch to the conversion.
    pub month_or_more: f64,
    /// Three or more touchpoints before the conversion.
    pub three_or_more_touchpoints: f64,
    /// Six or more touchpoints before the conversion.
    pub six_or_more_touchpoints: f64,
}

/// One bucket of a distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    /// The bucket's label, e.g. `7-30 d` or `3-5`.
    pub bucket: String,
    /// Converted customers in it.
    pub customers: u64,
    /// Their share of all converted customers.
    pub share: f64,
}

/// The distributions of converted customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionReport {
    /// What counted as the conversion.
    pub conversion: String,
    /// Customers who converted.
    pub converted: u64,
    /// Time from the first touch to the conversion.
    pub time_to_conversion: Vec<Bucket>,
    /// The median time to conversion, in days.
    pub median_days: Option<f64>,
    /// Touchpoints before the conversion.
    pub touchpoints_before: Vec<Bucket>,
    /// The median number of touchpoints before the conversion.
    pub median_touchpoints: Option<f64>,
    /// The shares in the data.
    pub shares: SeedShares,
    /// The shares the seed articles quote.
    pub seed_shares: SeedShares,
}

/// Day buckets: `[from, to)` in days.
const DAY_BUCKETS: [(i64, Option<i64>, &str); 6] = [
    (0, Some(1), "< 1 d"),
    (1, Some(7), "1-7 d"),
    (7, Some(30), "7-30 d"),
    (30, Some(90), "30-90 d"),
    (90, Some(180), "90-180 d"),
    (180, None, "180 d +"),
];

/// Touchpoint buckets: `[from, to]`.
const TOUCH_BUCKETS: [(usize, Option<usize>, &str); 5] = [
    (0, Some(0), "0"),
    (1, Some(1), "1"),
    (2, Some(2), "2"),
    (3, Some(5), "3-5"),
    (6, None, "6 +"),
];

fn share(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        #[allow(clippy::cast_precision_loss)]
        let s = n as f64 / of as f64;
        s
    }
}

/// The distributions of conversions given as (time from first touch in µs, touchpoints
/// before) per converted customer.
#[must_use]
pub fn distribution(conversion: &str, journeys: &[(i64, usize)]) -> DistributionReport {
    let total = journeys.len() as u64;
    let count = |f: &dyn Fn(&(i64, usize)) -> bool| journeys.iter().filter(|j| f(j)).count() as u64;
    let time_to_conversion = DAY_BUCKETS
        .iter()
        .map(|&(from, to, label)| {
            let n = count(&|&(t, _)| t >= from * DAY_US && to.is_none_or(|to| t < to * DAY_US));
            Bucket {
                bucket: label.to_owned(),
                customers: n,
                share: share(n, total),
            }
        })
        .collect();
    let touchpoints_before = TOUCH_BUCKETS
        .iter()
        .map(|&(from, to, label)| {
            let n = count(&|&(_, k)| k >= from && to.is_none_or(|to| k <= to));
            Bucket {
                bucket: label.to_owned(),
                customers: n,
                share: share(n, total),
            }
        })
        .collect();
    let mut times: Vec<i64> = journeys.iter().map(|&(t, _)| t).collect();
    let mut touches: Vec<i64> = journeys
        .iter()
        .map(|&(_, k)| i64::try_from(k).unwrap_or(i64::MAX))
        .collect();
    DistributionReport {
        conversion: conversion.to_owned(),
        converted: total,
        time_to_conversion,
        median_days: median_seconds(&mut times).map(|s| s / 86_400.0),
        touchpoints_before,
        median_touchpoints: median(&mut touches),
        shares: SeedShares {
            month_or_more: share(count(&|&(t, _)| t >= 30 * DAY_US), total),
            three_or_more_touchpoints: share(count(&|&(_, k)| k >= 3), total),
            six_or_more_touchpoints: share(count(&|&(_, k)| k >= 6), total),
        },
        seed_shares: SEED_SHARES,
    }
}

impl Analytics {
    /// The distributions of time and touchpoints to conversion. With a map, its bound
    /// touchpoints are the touches and `conversion` defaults to its conversion touchpoint;
    /// without one, visits (sessions) are the touches and `conversion` is an event name.
    ///
    /// # Errors
    /// When the map is unknown, no conversion is known, or the query fails.
    pub fn distributions(
        &self,
        workspace: &polku_model::Workspace,
        map: Option<&str>,
        conversion: Option<&str>,
        range: TimeRange,
    ) -> Result<DistributionReport> {
        let matcher = map.map(|id| MapMatcher::find(workspace, id)).transpose()?;
        let conversion = match (conversion, &matcher) {
            (Some(c), _) => c.to_owned(),
            (None, Some(m)) => m
                .map()
                .conversion
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .ok_or_else(|| {
                    AnalyticsError::invalid(format!(
                        "map `{}` names no conversion touchpoint: add `conversion:` to it or \
                         give --conversion",
                        m.map().id.as_str()
                    ))
                })?,
            (None, None) => {
                return Err(AnalyticsError::invalid(
                    "give the conversion event with --conversion, or a map with --map",
                ));
            }
        };
        let journeys = match &matcher {
            Some(m) => self
                .timed_paths(
                    Some(m),
                    PathNode::Touchpoint,
                    &PathAnchor::To(conversion.clone()),
                    usize::MAX,
                    JourneyUnit::Customer,
                    range,
                    DEFAULT_SESSION_GAP_US,
                )?
                .iter()
                .filter_map(|p| {
                    let first = p.first()?.1;
                    let last = p.last()?.1;
                    Some((last - first, p.len() - 1))
                })
                .collect(),
            None => self.visits_to_conversion(&conversion, range)?,
        };
        Ok(distribution(&conversion, &journeys))
    }
}

impl Analytics {
    /// Per converted customer: the time from the first event to the first conversion event,
    /// and the visits (sessions) that started up to it, the converting one included.
    fn visits_to_conversion(
        &self,
        conversion: &str,
        range: TimeRange,
    ) -> Result<Vec<(i64, usize)>> {
        const SESSION: &str = "__session";
        const START: &str = "__start";
        const CONV: &str = "__conversion";
        const CWHO: &str = "__cwho";
        const FIRST: &str = "__first";
        const VISITS: &str = "__visits";
        let events = self.events(range)?;
        let session = sessionize_udwf(DEFAULT_SESSION_GAP_US)
            .call(vec![col(TIME_US), col(event_col::SESSION)])
            .partition_by(vec![col(WHO)])
            .order_by(vec![
                col(TIME_US).sort(true, false),
                col(ORDINAL).sort(true, false),
            ])
            .build()?;
        let visits = events
            .clone()
            .select(vec![col(WHO), col(TIME_US), session.alias(SESSION)])?
            .aggregate(
                vec![col(WHO), col(SESSION)],
                vec![min(col(TIME_US)).alias(START)],
            )?;
        let conversions = events
            .filter(col(event_col::EVENT).eq(lit(conversion)))?
            .aggregate(vec![col(WHO)], vec![min(col(TIME_US)).alias(CONV)])?
            .select(vec![col(WHO).alias(CWHO), col(CONV)])?;
        let frame = visits
            .join(conversions, JoinType::Inner, &[WHO], &[CWHO], None)?
            .filter(col(START).lt_eq(col(CONV)))?
            .aggregate(
                vec![col(WHO)],
                vec![
                    min(col(START)).alias(FIRST),
                    max(col(CONV)).alias(CONV),
                    count(lit(1)).alias(VISITS),
                ],
            )?
            .select(vec![col(FIRST), col(CONV), col(VISITS)])?;
        let mut out = Vec::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("distributions: unexpected result type");
            let first = int64_column(&batch, 0, bad)?;
            let conv = int64_column(&batch, 1, bad)?;
            let n = int64_column(&batch, 2, bad)?;
            for i in 0..batch.num_rows() {
                out.push((
                    conv.value(i) - first.value(i),
                    usize::try_from(n.value(i)).unwrap_or(0),
                ));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_seed_shares() {
        let journeys = [
            (0, 0),
            (2 * DAY_US, 1),
            (10 * DAY_US, 3),
            (30 * DAY_US, 6),
            (200 * DAY_US, 8),
        ];
        let r = distribution("purchase", &journeys);
        assert_eq!(r.converted, 5);
        let days: Vec<u64> = r.time_to_conversion.iter().map(|b| b.customers).collect();
        assert_eq!(days, [1, 1, 1, 1, 0, 1]);
        let touches: Vec<u64> = r.touchpoints_before.iter().map(|b| b.customers).collect();
        assert_eq!(touches, [1, 1, 0, 1, 2]);
        assert!((r.shares.month_or_more - 0.4).abs() < 1e-12);
        assert!((r.shares.three_or_more_touchpoints - 0.6).abs() < 1e-12);
        assert!((r.shares.six_or_more_touchpoints - 0.4).abs() < 1e-12);
        assert_eq!(r.median_days, Some(10.0));
        assert_eq!(r.median_touchpoints, Some(3.0));
        assert_eq!(distribution("x", &[]).median_days, None);
    }
}
