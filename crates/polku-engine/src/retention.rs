//! Retention and repeat behaviour: do customers come back?
//!
//! - Retention: customers fall into cohorts by the period (day, ISO week or month, UTC) of
//!   their first event (or first event of one name). A cohort's period *p* counts the
//!   customers active *p* periods after their own; period 0 is the cohort's own period, so its
//!   retention is 1.
//! - Repeat: a repeat customer did the event on two or more different UTC days.

use std::collections::BTreeMap;

use datafusion::arrow::array::Array;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct};
use datafusion::functions_aggregate::min_max::min_udaf;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{ExprFunctionExt, WindowFunctionDefinition};
use datafusion::prelude::{Expr, col, lit};
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::session::int64_column;
use crate::session::{Analytics, TIME_US, TimeRange, WHO};
use crate::time::Period;
use crate::udf::period::period_index_udf;
use polku_store::schema::event_col;

/// A retention query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RetentionQuery {
    /// The event that makes a customer active; any event when `None`.
    pub event: Option<String>,
    /// The cohort period.
    pub period: Period,
    /// Which events count.
    pub range: TimeRange,
}

/// One cell of the retention table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionRow {
    /// The cohort: the first day of its period (`YYYY-MM` for months).
    pub cohort: String,
    /// Periods after the cohort's own.
    pub period: i64,
    /// Customers of the cohort active in that period.
    pub active: u64,
    /// `active` as a share of the cohort.
    pub retention: f64,
}

/// Repeat behaviour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatReport {
    /// Customers who did the event.
    pub customers: u64,
    /// Of them, customers who did it on two or more different days.
    pub repeat_customers: u64,
    /// `repeat_customers / customers` (0 when there are none).
    pub repeat_rate: f64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        #[allow(clippy::cast_precision_loss)]
        let r = a as f64 / b as f64;
        r
    }
}

/// The retention table of `(cohort period, active period)` counts: every cohort gets a row for
/// each period up to the last period in the data, zeros included.
#[must_use]
pub fn retention_table(period: Period, cells: &BTreeMap<(i64, i64), u64>) -> Vec<RetentionRow> {
    let Some(last) = cells.keys().map(|&(c, o)| c + o).max() else {
        return Vec::new();
    };
    let cohorts: Vec<i64> = {
        let mut c: Vec<i64> = cells.keys().map(|&(c, _)| c).collect();
        c.dedup();
        c
    };
    let mut rows = Vec::new();
    for cohort in cohorts {
        let size = cells.get(&(cohort, 0)).copied().unwrap_or(0);
        for offset in 0..=(last - cohort) {
            let active = cells.get(&(cohort, offset)).copied().unwrap_or(0);
            rows.push(RetentionRow {
                cohort: period.label(cohort),
                period: offset,
                active,
                retention: ratio(active, size),
            });
        }
    }
    rows
}

impl Analytics {
    /// The retention table of a query, by cohort and then period.
    ///
    /// # Errors
    /// When the query fails.
    pub fn retention(&self, query: &RetentionQuery) -> Result<Vec<RetentionRow>> {
        const P: &str = "__period";
        const COHORT: &str = "__cohort";
        const OFFSET: &str = "__offset";
        const N: &str = "__n";
        let mut frame = self.events(query.range)?;
        if let Some(e) = &query.event {
            frame = frame.filter(col(event_col::EVENT).eq(lit(e.as_str())))?;
        }
        let period = period_index_udf(query.period).call(vec![col(TIME_US)]);
        let cohort = Expr::from(WindowFunction::new(
            WindowFunctionDefinition::AggregateUDF(min_udaf()),
            vec![col(P)],
        ))
        .partition_by(vec![col(WHO)])
        .build()?
        .alias(COHORT);
        let frame = frame
            .select(vec![col(WHO), period.alias(P)])?
            .aggregate(vec![col(WHO), col(P)], vec![])?
            .select(vec![col(WHO), col(P), cohort])?
            .select(vec![col(COHORT), (col(P) - col(COHORT)).alias(OFFSET)])?
            .aggregate(vec![col(COHORT), col(OFFSET)], vec![count(lit(1)).alias(N)])?;
        let mut cells = BTreeMap::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("retention: unexpected result type");
            let c = int64_column(&batch, 0, bad)?;
            let o = int64_column(&batch, 1, bad)?;
            let n = int64_column(&batch, 2, bad)?;
            for i in 0..batch.num_rows() {
                if c.is_null(i) || o.is_null(i) {
                    continue;
                }
                cells.insert(
                    (c.value(i), o.value(i)),
                    u64::try_from(n.value(i)).unwrap_or(0),
                );
            }
        }
        Ok(retention_table(query.period, &cells))
    }

    /// Repeat behaviour for an event (any event when `None`).
    ///
    /// # Errors
    /// When the query fails.
    pub fn repeat(&self, event: Option<&str>, range: TimeRange) -> Result<RepeatReport> {
        const DAYS: &str = "__days";
        let mut frame = self.events(range)?;
        if let Some(e) = event {
            frame = frame.filter(col(event_col::EVENT).eq(lit(e)))?;
        }
        let day = period_index_udf(Period::Day).call(vec![col(TIME_US)]);
        let frame = frame
            .aggregate(vec![col(WHO)], vec![count_distinct(day).alias(DAYS)])?
            .aggregate(
                vec![],
                vec![
                    count(lit(1)).alias("customers"),
                    count(col(DAYS))
                        .filter(col(DAYS).gt_eq(lit(2i64)))
                        .build()?
                        .alias("repeat"),
                ],
            )?;
        let mut customers = 0;
        let mut repeat = 0;
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("repeat: unexpected result type");
            let c = int64_column(&batch, 0, bad)?;
            let r = int64_column(&batch, 1, bad)?;
            if batch.num_rows() > 0 {
                customers += u64::try_from(c.value(0)).unwrap_or(0);
                repeat += u64::try_from(r.value(0)).unwrap_or(0);
            }
        }
        Ok(RepeatReport {
            customers,
            repeat_customers: repeat,
            repeat_rate: ratio(repeat, customers),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_fills_missing_periods_with_zero() {
        let cells = BTreeMap::from([((10, 0), 4), ((10, 2), 1), ((11, 0), 2), ((11, 1), 2)]);
        let rows = retention_table(Period::Day, &cells);
        let got: Vec<(i64, u64)> = rows.iter().map(|r| (r.period, r.active)).collect();
        assert_eq!(got, [(0, 4), (1, 0), (2, 1), (0, 2), (1, 2)]);
        assert!((rows[2].retention - 0.25).abs() < 1e-12);
        assert_eq!(rows[0].cohort, "1970-01-11");
    }
}
