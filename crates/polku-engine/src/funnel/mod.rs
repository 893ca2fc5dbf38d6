//! Funnels: how many journeys reach each of a list of steps.
//!
//! The plan: events in the time range → the bitmask of the steps each event matches (event
//! names compare in the plan; touchpoint and stage steps go through the map's match rules) →
//! `GROUP BY` customer (or session) with the [`funnel`](udaf::funnel_udaf) aggregate, which
//! runs the pure [`machine`] per group → counts and median step times.

pub mod machine;
pub mod udaf;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::logical_expr::{ExprFunctionExt, cast};
use datafusion::prelude::{Expr, col, lit, when};
use polku_model::Workspace;
use polku_store::schema::event_col;
use serde::Serialize;

pub use machine::{FunnelOrder, FunnelOutcome, FunnelSpec, MAX_STEPS, StepEvent, run_funnel};

use crate::error::{AnalyticsError, Result};
use crate::matching::{MapMatcher, StepTarget, map_for_steps, resolve_step, step_condition};
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::udf::sessionize::{DEFAULT_SESSION_GAP_US, sessionize_udwf};

/// What a journey is: all of a customer's events, or one session of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum JourneyUnit {
    /// All events of a customer.
    #[default]
    Customer,
    /// One session: the data's session id, else a run of events without a long pause.
    Session,
}

/// A funnel to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelQuery {
    /// The steps: event names, touchpoint ids or stage ids.
    pub steps: Vec<String>,
    /// Customers or sessions.
    pub by: JourneyUnit,
    /// The conversion window in microseconds; `None` is no limit.
    pub window_us: Option<i64>,
    /// How the steps must follow each other.
    pub order: FunnelOrder,
    /// Which events count.
    pub range: TimeRange,
    /// The map whose touchpoints and stages the steps name; found from the steps when `None`.
    pub map: Option<String>,
    /// The inactivity that ends a session, in microseconds.
    pub session_gap_us: i64,
}

impl FunnelQuery {
    /// A funnel over the given steps with default settings: by customer, ordered, no window,
    /// every event.
    #[must_use]
    pub fn new(steps: impl IntoIterator<Item = impl Into<String>>) -> Self {
        FunnelQuery {
            steps: steps.into_iter().map(Into::into).collect(),
            by: JourneyUnit::Customer,
            window_us: None,
            order: FunnelOrder::Ordered,
            range: TimeRange::ALL,
            map: None,
            session_gap_us: DEFAULT_SESSION_GAP_US,
        }
    }
}

/// One step of a measured funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStep {
    /// The step as asked.
    pub step: String,
    /// Journeys that reached it.
    pub count: u64,
    /// Share of the journeys that reached the first step (0 when none did).
    pub conversion: f64,
    /// Share of the journeys that reached the previous step (1 for the first step).
    pub from_previous: f64,
    /// The median time from the previous step, in seconds (none for the first step or when no
    /// journey reached this one).
    pub median_time_from_previous_s: Option<f64>,
}

/// A measured funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelReport {
    /// The steps in order.
    pub steps: Vec<FunnelStep>,
}

/// The step counts and median gaps of funnel outcomes (times of reached steps per journey).
#[must_use]
pub fn summarize<'a>(
    steps: &[String],
    outcomes: impl IntoIterator<Item = &'a [i64]>,
) -> FunnelReport {
    let n = steps.len();
    let mut counts = vec![0u64; n];
    let mut gaps: Vec<Vec<i64>> = vec![Vec::new(); n];
    for times in outcomes {
        for (k, t) in times.iter().enumerate().take(n) {
            counts[k] += 1;
            if k > 0 {
                gaps[k].push(t - times[k - 1]);
            }
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
    let steps = steps
        .iter()
        .enumerate()
        .map(|(k, step)| FunnelStep {
            step: step.clone(),
            count: counts[k],
            conversion: ratio(counts[k], counts[0]),
            from_previous: if k == 0 {
                1.0
            } else {
                ratio(counts[k], counts[k - 1])
            },
            median_time_from_previous_s: median_seconds(&mut gaps[k]),
        })
        .collect();
    FunnelReport { steps }
}

/// The median of microsecond durations, in seconds; the mean of the middle two for an even
/// count.
#[must_use]
pub fn median_seconds(values: &mut [i64]) -> Option<f64> {
    median(values).map(|us| us / 1e6)
}

/// The median of integers; the mean of the middle two for an even count.
#[must_use]
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    #[allow(clippy::cast_precision_loss)]
    let m = if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] as f64 + values[mid] as f64) / 2.0
    };
    Some(m)
}

/// Column names inside the funnel plan.
const TOUCHPOINT: &str = "__touchpoint";
const STAGE: &str = "__stage";
const MASK: &str = "__mask";
const SESSION_KEY: &str = "__session";
const REACHED: &str = "__reached";

/// The journeys of the event table, with the map's touchpoint and stage bound and an optional
/// session key: the common start of funnel, path and stage plans.
pub(crate) fn journey_events(
    analytics: &Analytics,
    matcher: Option<&MapMatcher<'_>>,
    range: TimeRange,
    by: JourneyUnit,
    session_gap_us: i64,
) -> Result<(datafusion::prelude::DataFrame, Vec<Expr>)> {
    let mut frame = analytics.events(range)?;
    if let Some(m) = matcher {
        frame = frame
            .with_column(TOUCHPOINT, m.touchpoint_position_expr())?
            .with_column(STAGE, m.stage_index_expr())?;
    } else {
        let null = || lit(datafusion::scalar::ScalarValue::Int64(None));
        frame = frame
            .with_column(TOUCHPOINT, null())?
            .with_column(STAGE, null())?;
    }
    let mut keys = vec![col(WHO)];
    if by == JourneyUnit::Session {
        let session = sessionize_udwf(session_gap_us)
            .call(vec![col(TIME_US), col(event_col::SESSION)])
            .partition_by(vec![col(WHO)])
            .order_by(vec![
                col(TIME_US).sort(true, false),
                col(ORDINAL).sort(true, false),
            ])
            .build()?;
        frame = frame.with_column(SESSION_KEY, session)?;
        keys.push(col(SESSION_KEY));
    }
    Ok((frame, keys))
}

impl Analytics {
    /// Measures a funnel.
    ///
    /// # Errors
    /// When the query has no steps or too many, names an unknown map, or fails.
    pub fn funnel(&self, workspace: &Workspace, query: &FunnelQuery) -> Result<FunnelReport> {
        let outcomes = self.funnel_outcomes(workspace, query)?;
        Ok(summarize(
            &query.steps,
            outcomes.iter().map(|o| o.step_times_us.as_slice()),
        ))
    }

    /// The funnel outcome of every journey that has an event in scope (for ordered and any
    /// funnels: an event matching some step).
    ///
    /// # Errors
    /// As [`Analytics::funnel`].
    pub fn funnel_outcomes(
        &self,
        workspace: &Workspace,
        query: &FunnelQuery,
    ) -> Result<Vec<FunnelOutcome>> {
        if query.steps.is_empty() {
            return Err(AnalyticsError::invalid("a funnel needs at least one step"));
        }
        if query.steps.len() > MAX_STEPS {
            return Err(AnalyticsError::invalid(format!(
                "a funnel has at most {MAX_STEPS} steps, not {}",
                query.steps.len()
            )));
        }
        if query.window_us.is_some_and(|w| w < 0) {
            return Err(AnalyticsError::invalid("the window must not be negative"));
        }
        let matcher = match &query.map {
            Some(id) => Some(MapMatcher::find(workspace, id)?),
            None => map_for_steps(workspace, &query.steps)?,
        };
        let targets: Vec<StepTarget> = query
            .steps
            .iter()
            .map(|s| resolve_step(matcher.as_ref(), s))
            .collect();
        let (frame, keys) = journey_events(
            self,
            matcher.as_ref(),
            query.range,
            query.by,
            query.session_gap_us,
        )?;
        let mask = step_mask_expr(&targets);
        let mut frame = frame.with_column(MASK, mask)?;
        if query.order != FunnelOrder::Strict {
            // Only step events matter; strict funnels need the events in between too.
            frame = frame.filter(col(MASK).not_eq(lit(0u32)))?;
        }
        let spec = FunnelSpec {
            steps: query.steps.len(),
            window_us: query.window_us,
            order: query.order,
        };
        let reached = udaf::funnel_udaf(spec)
            .call(vec![col(TIME_US), col(ORDINAL), col(MASK)])
            .alias(REACHED);
        let frame = frame
            .aggregate(keys, vec![reached])?
            .select(vec![col(REACHED)])?;
        let mut outcomes = Vec::new();
        for batch in self.collect(frame)? {
            let Some(lists) = batch.column(0).as_list_opt::<i32>() else {
                return Err(AnalyticsError::invalid("funnel: unexpected result type"));
            };
            let Some(values) = lists.values().as_primitive_opt::<Int64Type>() else {
                return Err(AnalyticsError::invalid("funnel: unexpected result type"));
            };
            let offsets = lists.value_offsets();
            for row in 0..lists.len() {
                let (a, b) = (offsets[row], offsets[row + 1]);
                let (a, b) = (
                    usize::try_from(a).unwrap_or(0),
                    usize::try_from(b).unwrap_or(0),
                );
                outcomes.push(FunnelOutcome {
                    step_times_us: values.values()[a..b].to_vec(),
                });
            }
        }
        Ok(outcomes)
    }
}

/// The UInt32 bitmask of the steps an event matches.
fn step_mask_expr(targets: &[StepTarget]) -> Expr {
    targets
        .iter()
        .enumerate()
        .map(|(k, target)| {
            when(step_condition(target, TOUCHPOINT, STAGE), lit(1u32 << k))
                .otherwise(lit(0u32))
                .unwrap_or_else(|_| lit(0u32))
        })
        .reduce(|a, b| a | b)
        .map_or_else(|| lit(0u32), |e| cast(e, DataType::UInt32))
}
