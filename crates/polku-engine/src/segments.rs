//! Segments for marketing automation: who is in which stage now.
//!
//! A customer's current stage is the stage of their latest event that matches a touchpoint
//! of the map; the export lists each customer with that stage, the touchpoint and its time,
//! and the map's persona, so that email and automation tools can send the message of that
//! persona and stage.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::functions_aggregate::expr_fn::first_value;
use datafusion::prelude::{col, lit};
use polku_model::Workspace;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::matching::MapMatcher;
use crate::session::int64_column;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};

/// One customer's current place on a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentRow {
    /// The customer.
    pub customer: String,
    /// The map's persona, if it names one.
    pub persona: Option<String>,
    /// The stage of the customer's latest bound event.
    pub stage: String,
    /// The touchpoint of that event.
    pub last_touchpoint: String,
    /// Its time, in UTC microseconds.
    pub last_time_us: i64,
}

impl Analytics {
    /// The customers of a map with their current stage, optionally only those in one stage,
    /// by stage (map order) and then customer.
    ///
    /// # Errors
    /// When the map or stage is unknown, the map has no rules, or the query fails.
    pub fn segments(
        &self,
        workspace: &Workspace,
        map_id: &str,
        stage: Option<&str>,
        range: TimeRange,
    ) -> Result<Vec<SegmentRow>> {
        const TP: &str = "__tp";
        const ST: &str = "__stage";
        const LAST: &str = "__last";
        let matcher = MapMatcher::find(workspace, map_id)?;
        if !matcher.is_bound() {
            return Err(AnalyticsError::invalid(format!(
                "no touchpoint of map `{map_id}` has match rules"
            )));
        }
        let map = matcher.map();
        if let Some(s) = stage
            && matcher.stage_index(s).is_none()
        {
            return Err(AnalyticsError::NotFound(format!(
                "map `{map_id}` has no stage `{s}`"
            )));
        }
        let latest = || {
            vec![
                col(TIME_US).sort(false, false),
                col(ORDINAL).sort(false, false),
            ]
        };
        let mut frame = self
            .events(range)?
            .select(vec![
                col(WHO),
                col(TIME_US),
                col(ORDINAL),
                matcher.touchpoint_id_expr().alias(TP),
                matcher.stage_id_expr().alias(ST),
            ])?
            .filter(col(TP).is_not_null())?
            .aggregate(
                vec![col(WHO)],
                vec![
                    first_value(col(TP), latest()).alias(TP),
                    first_value(col(ST), latest()).alias(ST),
                    first_value(col(TIME_US), latest()).alias(LAST),
                ],
            )?;
        if let Some(s) = stage {
            frame = frame.filter(col(ST).eq(lit(s)))?;
        }
        let persona = map.persona.as_ref().map(|p| p.as_str().to_owned());
        let mut rows = Vec::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("segments: unexpected result type");
            let who = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let tp = batch.column(1).as_string_opt::<i32>().ok_or_else(bad)?;
            let st = batch.column(2).as_string_opt::<i32>().ok_or_else(bad)?;
            let t = int64_column(&batch, 3, bad)?;
            for i in 0..batch.num_rows() {
                if who.is_null(i) || tp.is_null(i) || st.is_null(i) {
                    continue;
                }
                rows.push(SegmentRow {
                    customer: who.value(i).to_owned(),
                    persona: persona.clone(),
                    stage: st.value(i).to_owned(),
                    last_touchpoint: tp.value(i).to_owned(),
                    last_time_us: t.value(i),
                });
            }
        }
        let order = |s: &str| matcher.stage_index(s).unwrap_or(usize::MAX);
        rows.sort_by(|a, b| {
            order(&a.stage)
                .cmp(&order(&b.stage))
                .then_with(|| a.customer.cmp(&b.customer))
        });
        Ok(rows)
    }
}
