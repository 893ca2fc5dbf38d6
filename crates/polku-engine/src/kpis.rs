//! KPIs in three layers per channel group, stage or touchpoint: traffic, user and sales.
//!
//! A visit (session: the data's session id, else 30 minutes of inactivity) belongs to the
//! channel group of its first event, as web analytics does; everything done in the visit
//! counts for that channel. Over a map ([`Analytics::kpis_on_map`]) a visit belongs to the
//! touchpoint (or its stage) of its first event that matches the map, and visits that match
//! none form a row of their own, so the rows add up to the same totals as the channels. Ad
//! costs go to the first touchpoint whose rules a cost row meets; only rules made of
//! `channel`, `source`, `medium` and `campaign` can, as cost rows have no events or pages.
//!
//! - Traffic: page views, visits, unique visitors, new and returning visitors (new: the
//!   visitor's one visit in the row is their first visit ever; returning: any other visitor,
//!   one with an earlier visit in the period or before it), visit frequency (visits per
//!   visitor), referral visits.
//! - User: click-through rate (clicks / impressions of the ad cost table), average visit
//!   duration (first to last event of a visit), subscriptions, comments.
//! - Sales: leads, lead customers, converted leads (lead customers who converted after their
//!   lead), lead quality (converted / lead customers), conversions and their value, spend,
//!   cost per lead, return on ad spend (conversion value / spend).

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::{count, first_value, max, min, sum};
use datafusion::logical_expr::{ExprFunctionExt, cast};
use datafusion::prelude::{Expr, col, lit};
use datafusion::scalar::ScalarValue;
use polku_store::schema::{Table, cost_col, event_col};
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::matching::{MapMatcher, touchpoint_expr};
use crate::session::numeric_cell;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::time::DAY_US;
use crate::udf::sessionize::{DEFAULT_SESSION_GAP_US, sessionize_udwf};

/// Which events count as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiQuery {
    /// Which events count.
    pub range: TimeRange,
    /// Page views.
    pub page_view: String,
    /// Subscriptions (newsletter, follow...).
    pub subscription: Vec<String>,
    /// Comments.
    pub comment: Vec<String>,
    /// Leads.
    pub lead: Vec<String>,
    /// Conversions (their `value` is the conversion value).
    pub conversion: Vec<String>,
    /// The channel group of referral traffic.
    pub referral_channel: String,
}

impl Default for KpiQuery {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect();
        KpiQuery {
            range: TimeRange::ALL,
            page_view: "page_view".into(),
            subscription: v(&["newsletter_signup", "subscribe", "sign_up"]),
            comment: v(&["comment"]),
            lead: v(&["lead_created", "generate_lead", "form_submit"]),
            conversion: v(&["purchase", "deal_won"]),
            referral_channel: "Referral".into(),
        }
    }
}

/// What the KPI rows of a map are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapLevel {
    /// One row per stage of the map.
    Stage,
    /// One row per touchpoint of the map that has `match` rules.
    Touchpoint,
}

/// The row of visits that match no touchpoint of the map.
pub const UNMATCHED: &str = "(no touchpoint)";

/// The KPIs of one channel group, stage or touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct KpiRow {
    /// The channel group; over a map, the stage or touchpoint id (or [`UNMATCHED`]).
    pub channel: String,
    /// Traffic: page views.
    pub page_views: u64,
    /// Traffic: visits.
    pub visits: u64,
    /// Traffic: unique visitors.
    pub unique_visitors: u64,
    /// Traffic: visitors whose one visit here is their first visit ever.
    pub new_visitors: u64,
    /// Traffic: visitors with a visit here that is not their first: two or more visits
    /// here, or any visit before (in the period or before it).
    pub returning_visitors: u64,
    /// Traffic: visits per visitor.
    pub visit_frequency: f64,
    /// Traffic: visits from referrals.
    pub referral_visits: u64,
    /// User: clicks / impressions, from the ad cost table.
    pub click_through_rate: Option<f64>,
    /// User: the mean visit duration in seconds.
    pub avg_visit_s: Option<f64>,
    /// User: subscriptions.
    pub subscriptions: u64,
    /// User: comments.
    pub comments: u64,
    /// Sales: lead events.
    pub leads: u64,
    /// Sales: customers with a lead.
    pub lead_customers: u64,
    /// Sales: of them, customers who converted after their lead.
    pub converted_leads: u64,
    /// Sales: `converted_leads / lead_customers`.
    pub lead_quality: Option<f64>,
    /// Sales: conversion events.
    pub conversions: u64,
    /// Sales: the value of the conversions.
    pub conversion_value: f64,
    /// Sales: ad spend, from the cost table.
    pub spend: Option<f64>,
    /// Sales: spend per lead customer.
    pub cost_per_lead: Option<f64>,
    /// Sales: conversion value per spend.
    pub return_on_ad_spend: Option<f64>,
}

fn any_of(names: &[String]) -> Expr {
    col(event_col::EVENT).in_list(names.iter().map(|n| lit(n.as_str())).collect(), false)
}

fn counted(condition: Expr) -> Result<Expr> {
    Ok(count(lit(1)).filter(condition).build()?)
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// Reads an integer or float column cell as f64 (NULL as 0).
fn number(array: &ArrayRef, row: usize) -> f64 {
    numeric_cell(array, row).unwrap_or(0.0)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole(x: f64) -> u64 {
    x.max(0.0).round() as u64
}

impl Analytics {
    /// The KPIs per channel group, sorted by visits (most first).
    ///
    /// # Errors
    /// When the query fails.
    pub fn kpis(&self, q: &KpiQuery) -> Result<Vec<KpiRow>> {
        let by_time = vec![
            col(TIME_US).sort(true, false),
            col(ORDINAL).sort(true, false),
        ];
        let mut rows = self.kpi_rows(q, first_value(col(event_col::CHANNEL_GROUP), by_time))?;
        self.add_costs(q.range, None, &mut rows)?;
        let mut rows: Vec<KpiRow> = rows.into_values().collect();
        rows.sort_by(|a, b| {
            b.visits
                .cmp(&a.visits)
                .then_with(|| a.channel.cmp(&b.channel))
        });
        Ok(rows)
    }

    /// The KPIs per stage or touchpoint of a map, in map order, then the visits that match
    /// no touchpoint.
    ///
    /// # Errors
    /// When the map is unknown or has no `match` rules, or the query fails.
    pub fn kpis_on_map(
        &self,
        workspace: &polku_model::Workspace,
        map_id: &str,
        level: MapLevel,
        q: &KpiQuery,
    ) -> Result<Vec<KpiRow>> {
        let matcher = MapMatcher::find(workspace, map_id)?;
        if !matcher.is_bound() {
            return Err(AnalyticsError::invalid(format!(
                "no touchpoint of map `{map_id}` has match rules"
            )));
        }
        let key = match level {
            MapLevel::Stage => matcher.stage_id_expr(),
            MapLevel::Touchpoint => matcher.touchpoint_id_expr(),
        };
        let first_bound = datafusion::functions_aggregate::first_last::first_value_udaf()
            .call(vec![key.clone()])
            .order_by(vec![
                col(TIME_US).sort(true, false),
                col(ORDINAL).sort(true, false),
            ])
            .filter(key.is_not_null())
            .build()?;
        let mut rows = self.kpi_rows(q, first_bound)?;
        if let Some(mut none) = rows.remove("(none)") {
            none.channel = UNMATCHED.to_owned();
            rows.insert(UNMATCHED.to_owned(), none);
        }
        // Cost rows meet touchpoints whose every rule uses only the cost table's fields.
        let costed: Vec<(Expr, String)> = matcher
            .touchpoints()
            .iter()
            .filter(|b| {
                b.touchpoint
                    .matches
                    .iter()
                    .all(|r| r.event.is_none() && r.url.is_none() && r.properties.is_empty())
            })
            .map(|b| {
                let name = match level {
                    MapLevel::Stage => matcher.map().stages[b.stage_index].stage.as_str(),
                    MapLevel::Touchpoint => b.touchpoint.id.as_str(),
                };
                (touchpoint_expr(b.touchpoint), name.to_owned())
            })
            .collect();
        let cost_key = match costed.split_first() {
            None => None,
            Some(((cond, name), rest)) => {
                let mut case = datafusion::prelude::when(cond.clone(), lit(name.as_str()));
                for (cond, name) in rest {
                    case = case.when(cond.clone(), lit(name.as_str()));
                }
                Some(case.end()?)
            }
        };
        if let Some(key) = cost_key {
            self.add_costs(q.range, Some(key), &mut rows)?;
        }
        let order: Vec<&str> = match level {
            MapLevel::Stage => matcher
                .map()
                .stages
                .iter()
                .map(|s| s.stage.as_str())
                .collect(),
            MapLevel::Touchpoint => matcher
                .touchpoints()
                .iter()
                .map(|b| b.touchpoint.id.as_str())
                .collect(),
        };
        let mut out: Vec<KpiRow> = order
            .iter()
            .map(|name| {
                rows.remove(*name).unwrap_or_else(|| KpiRow {
                    channel: (*name).to_owned(),
                    ..KpiRow::default()
                })
            })
            .collect();
        out.extend(rows.into_values());
        Ok(out)
    }

    /// The KPI rows by the group a visit's aggregate `group` (Utf8) gives it, without costs.
    #[allow(clippy::too_many_lines)]
    fn kpi_rows(&self, q: &KpiQuery, group: Expr) -> Result<BTreeMap<String, KpiRow>> {
        const SESSION: &str = "__session";
        const G: &str = "__channel";
        const REF: &str = "__referral";
        let session = sessionize_udwf(DEFAULT_SESSION_GAP_US)
            .call(vec![col(TIME_US), col(event_col::SESSION)])
            .partition_by(vec![col(WHO)])
            .order_by(vec![
                col(TIME_US).sort(true, false),
                col(ORDINAL).sort(true, false),
            ])
            .build()?;
        let by_time = vec![
            col(TIME_US).sort(true, false),
            col(ORDINAL).sort(true, false),
        ];
        let is_conversion = any_of(&q.conversion);
        let is_lead = any_of(&q.lead);
        // One row per visit.
        let visits = self
            .events(q.range)?
            .with_column(SESSION, session)?
            .aggregate(
                vec![col(WHO), col(SESSION)],
                vec![
                    group.alias(G),
                    first_value(col(event_col::CHANNEL_GROUP), by_time).alias(REF),
                    min(col(TIME_US)).alias("start"),
                    max(col(TIME_US)).alias("end"),
                    counted(col(event_col::EVENT).eq(lit(q.page_view.as_str())))?.alias("pv"),
                    counted(any_of(&q.subscription))?.alias("subs"),
                    counted(any_of(&q.comment))?.alias("comments"),
                    counted(is_lead.clone())?.alias("leads"),
                    min(col(TIME_US)).filter(is_lead).build()?.alias("lead_t"),
                    counted(is_conversion.clone())?.alias("conv"),
                    sum(col(event_col::VALUE))
                        .filter(is_conversion.clone())
                        .build()?
                        .alias("value"),
                ],
            )?;
        // Per customer: first ever event, and last conversion in the period.
        let first_seen = self
            .events(TimeRange::ALL)?
            .aggregate(vec![col(WHO)], vec![min(col(TIME_US)).alias("first_seen")])?
            .select(vec![col(WHO).alias("fs_who"), col("first_seen")])?;
        let last_conversion = self
            .events(q.range)?
            .filter(is_conversion)?
            .aggregate(vec![col(WHO)], vec![max(col(TIME_US)).alias("conv_t")])?
            .select(vec![col(WHO).alias("cv_who"), col("conv_t")])?;
        // First per channel and visitor, then per channel: distinct visitors without
        // DISTINCT aggregates.
        let per_visitor = visits
            .join(first_seen, JoinType::Left, &[WHO], &["fs_who"], None)?
            .join(last_conversion, JoinType::Left, &[WHO], &["cv_who"], None)?
            .aggregate(
                vec![col(G), col(WHO)],
                vec![
                    count(lit(1)).alias("visits"),
                    counted(col(REF).eq(lit(q.referral_channel.as_str())))?.alias("referrals"),
                    sum(col("end") - col("start")).alias("duration"),
                    sum(col("pv")).alias("pv"),
                    sum(col("subs")).alias("subs"),
                    sum(col("comments")).alias("comments"),
                    sum(col("leads")).alias("leads"),
                    sum(col("conv")).alias("conv"),
                    sum(col("value")).alias("value"),
                    min(col("first_seen")).alias("first_seen"),
                    min(col("start")).alias("first_start"),
                    min(col("lead_t")).alias("lead_t"),
                    max(col("conv_t")).alias("conv_t"),
                ],
            )?;
        let frame = per_visitor.aggregate(
            vec![col(G)],
            vec![
                sum(col("visits")).alias("visits"),
                count(lit(1)).alias("visitors"),
                // New: this visit is the visitor's only one in the group and their first
                // ever; any other visit, in the period or before it, makes them returning.
                counted(
                    col("visits")
                        .eq(lit(1_i64))
                        .and(col("first_start").lt_eq(col("first_seen"))),
                )?
                .alias("new"),
                sum(cast(col("duration"), DataType::Float64)).alias("duration"),
                sum(col("pv")).alias("pv"),
                sum(col("subs")).alias("subs"),
                sum(col("comments")).alias("comments"),
                sum(col("leads")).alias("leads"),
                counted(col("lead_t").is_not_null())?.alias("lead_customers"),
                counted(
                    col("lead_t")
                        .is_not_null()
                        .and(col("conv_t").gt(col("lead_t"))),
                )?
                .alias("converted_leads"),
                sum(col("conv")).alias("conv"),
                sum(col("value")).alias("value"),
                sum(col("referrals")).alias("referrals"),
            ],
        )?;
        let mut rows: BTreeMap<String, KpiRow> = BTreeMap::new();
        for batch in self.collect(frame)? {
            let names = batch
                .column(0)
                .as_string_opt::<i32>()
                .ok_or_else(|| AnalyticsError::invalid("kpis: unexpected result type"))?;
            for i in 0..batch.num_rows() {
                let n = |c: usize| number(batch.column(c), i);
                let channel = if names.is_null(i) {
                    "(none)".to_owned()
                } else {
                    names.value(i).to_owned()
                };
                let visits = whole(n(1));
                let visitors = whole(n(2));
                let new = whole(n(3));
                let lead_customers = whole(n(9));
                let converted = whole(n(10));
                #[allow(clippy::cast_precision_loss)]
                let row = KpiRow {
                    referral_visits: whole(n(13)),
                    channel: channel.clone(),
                    page_views: whole(n(5)),
                    visits,
                    unique_visitors: visitors,
                    new_visitors: new,
                    returning_visitors: visitors.saturating_sub(new),
                    visit_frequency: ratio(visits as f64, visitors as f64).unwrap_or(0.0),
                    click_through_rate: None,
                    avg_visit_s: ratio(n(4), visits as f64).map(|us| us / 1e6),
                    subscriptions: whole(n(6)),
                    comments: whole(n(7)),
                    leads: whole(n(8)),
                    lead_customers,
                    converted_leads: converted,
                    lead_quality: ratio(converted as f64, lead_customers as f64),
                    conversions: whole(n(11)),
                    conversion_value: n(12),
                    spend: None,
                    cost_per_lead: None,
                    return_on_ad_spend: None,
                };
                rows.insert(channel, row);
            }
        }
        Ok(rows)
    }

    /// Adds impressions, clicks and spend of the cost table per channel group, or per the
    /// group a cost row's `key` (Utf8, NULL for none) gives it.
    fn add_costs(
        &self,
        range: TimeRange,
        key: Option<Expr>,
        rows: &mut BTreeMap<String, KpiRow>,
    ) -> Result<()> {
        let day = |us: i64| {
            lit(ScalarValue::Date32(Some(
                i32::try_from(us.div_euclid(DAY_US)).unwrap_or(i32::MAX),
            )))
        };
        let mut costs = self.table(Table::Costs)?;
        if let Some(from) = range.from_us {
            costs = costs.filter(col(cost_col::DATE).gt_eq(day(from)))?;
        }
        if let Some(to) = range.to_us {
            costs = costs.filter(col(cost_col::DATE).lt(day(to + DAY_US - 1)))?;
        }
        let key = key.unwrap_or_else(|| col(cost_col::CHANNEL_GROUP));
        let frame = costs.filter(key.clone().is_not_null())?.aggregate(
            vec![key.alias("__cost_group")],
            vec![
                sum(col(cost_col::IMPRESSIONS)).alias("impressions"),
                sum(col(cost_col::CLICKS)).alias("clicks"),
                sum(col(cost_col::SPEND)).alias("spend"),
            ],
        )?;
        for batch in self.collect(frame)? {
            let names = batch
                .column(0)
                .as_string_opt::<i32>()
                .ok_or_else(|| AnalyticsError::invalid("kpis: unexpected cost result type"))?;
            for i in 0..batch.num_rows() {
                let channel = names.value(i).to_owned();
                let row = rows.entry(channel.clone()).or_insert_with(|| KpiRow {
                    channel,
                    ..KpiRow::default()
                });
                let impressions = number(batch.column(1), i);
                let clicks = number(batch.column(2), i);
                let spend = number(batch.column(3), i);
                row.click_through_rate = ratio(clicks, impressions);
                row.spend = Some(spend);
                #[allow(clippy::cast_precision_loss)]
                {
                    row.cost_per_lead = ratio(spend, row.lead_customers as f64);
                }
                row.return_on_ad_spend = ratio(row.conversion_value, spend);
            }
        }
        Ok(())
    }
}
