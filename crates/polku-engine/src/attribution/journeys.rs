//! Conversion paths from the workspace's own events, and what to set beside the credits:
//! ad spend per channel and the channels customers say they came from.
//!
//! A customer's events, in time order, are split into journeys
//! ([`split_journeys`]): each conversion closes a journey made of the touches before it that
//! lie within the look-back window, and the touches after the last conversion form a journey
//! that did not convert (a "null" path). The conversion is the map's `conversion` touchpoint
//! (through its `match` rules), or, without a map, one of a list of event names; its value is
//! the event's `value`.
//!
//! A touch is, at [`JourneyLevel::Channel`], a visit (the data's session id, else 30 minutes
//! of inactivity) with the channel group of its first event, as web analytics counts them;
//! at [`JourneyLevel::Touchpoint`], an event bound to one of the map's touchpoints, a run of
//! the same touchpoint in a row counting once.
//!
//! The plan is the one the other journey operators use: events → touches and conversions
//! with a `{node, value}` payload → `GROUP BY` customer with the
//! [`conversion_paths`](crate::udf::conversion_paths) aggregate → unique paths counted into a
//! [`PathSet`], on which every model of [`attribution`](crate::attribution) runs.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema};
use datafusion::common::JoinType;
use datafusion::functions::core::expr_fn::{coalesce, named_struct};
use datafusion::functions_aggregate::expr_fn::{count, first_value, min, sum};
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{DataFrame, Expr, col, lit};
use datafusion::scalar::ScalarValue;
use polku_model::Workspace;
use polku_store::schema::{Table, cost_col, event_col, survey_col};
use serde::Serialize;

use super::{Credits, PathSet, PathSetBuilder};
use crate::error::{AnalyticsError, Result};
use crate::matching::MapMatcher;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::time::DAY_US;
use crate::udf::conversion_paths::{NODE_SEPARATOR, conversion_paths_udaf};
use crate::udf::sessionize::{DEFAULT_SESSION_GAP_US, sessionize_udwf};

/// The conversion events when neither a map nor a list names them (as `polku kpis` counts
/// them).
pub const DEFAULT_CONVERSIONS: [&str; 2] = ["purchase", "deal_won"];

/// The lead events when none are named (as `polku kpis` counts them).
pub const DEFAULT_LEADS: [&str; 3] = ["lead_created", "generate_lead", "form_submit"];

/// The node of a visit whose first event has no channel group.
pub const NO_CHANNEL: &str = "(none)";

/// What a touch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JourneyLevel {
    /// A visit, named by its channel group.
    #[default]
    Channel,
    /// An event bound to a touchpoint of the map, named by the touchpoint's id.
    Touchpoint,
}

/// How a customer's timeline is cut into journeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct JourneyRules {
    /// Touches longer than this before the conversion (or, for a journey that did not convert,
    /// before its last touch) are left out; `None` keeps every touch.
    pub lookback_us: Option<i64>,
    /// Conversions before this time end a journey but are not counted, and a journey that did
    /// not convert counts only when its last touch is on or after it (the start of the period;
    /// earlier events are read only to fill the look-back window).
    pub from_us: Option<i64>,
    /// Whether a run of the same node in a row is one touch.
    pub collapse_repeats: bool,
}

/// One event of a customer's timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// A touch of the node with this code.
    Touch(u32),
    /// A conversion with its value.
    Conversion(f64),
}

/// One journey: the touches in order, and whether (and for how much) it converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    /// The touches' node codes, oldest first.
    pub touches: Vec<u32>,
    /// Whether the journey ended in a conversion.
    pub converted: bool,
    /// The conversion's value (0 for a journey that did not convert).
    pub value: f64,
}

/// Splits one customer's steps, sorted by time, into journeys.
///
/// Every conversion on or after `rules.from_us` gives a converted journey with the touches
/// since the previous conversion that lie within the look-back window (possibly none); the
/// touches after the last conversion give one journey that did not convert. Touches at the
/// same time as a conversion and sorted before it belong to it.
#[must_use]
pub fn split_journeys(steps: &[(i64, Step)], rules: &JourneyRules) -> Vec<Journey> {
    let mut out = Vec::new();
    let mut open: Vec<(i64, u32)> = Vec::new();
    let within = |open: &[(i64, u32)], until: i64| -> Vec<u32> {
        let start = rules
            .lookback_us
            .map_or(i64::MIN, |w| until.saturating_sub(w));
        open.iter()
            .filter(|(t, _)| *t >= start)
            .map(|&(_, c)| c)
            .collect()
    };
    for &(time, step) in steps {
        match step {
            Step::Touch(code) => {
                if !(rules.collapse_repeats && open.last().is_some_and(|&(_, c)| c == code)) {
                    open.push((time, code));
                }
            }
            Step::Conversion(value) => {
                if rules.from_us.is_none_or(|from| time >= from) {
                    out.push(Journey {
                        touches: within(&open, time),
                        converted: true,
                        value,
                    });
                }
                open.clear();
            }
        }
    }
    if let Some(&(last, _)) = open.last()
        && rules.from_us.is_none_or(|from| last >= from)
    {
        out.push(Journey {
            touches: within(&open, last),
            converted: false,
            value: 0.0,
        });
    }
    out
}

/// Conversion paths from the workspace's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyQuery {
    /// The map: its `conversion` touchpoint is the conversion, and its touchpoints are the
    /// touches at [`JourneyLevel::Touchpoint`].
    pub map: Option<String>,
    /// The conversion: a touchpoint id of the map (default: the map's `conversion`), or,
    /// without a map, event names (default: [`DEFAULT_CONVERSIONS`]).
    pub conversion: Vec<String>,
    /// What a touch is.
    pub level: JourneyLevel,
    /// The look-back window in microseconds; `None` keeps every earlier touch.
    pub lookback_us: Option<i64>,
    /// The period: conversions in it count, with their touches in the look-back window
    /// (which may start before it).
    pub range: TimeRange,
    /// The inactivity that ends a visit when the data has no session id, in microseconds.
    pub session_gap_us: i64,
    /// Only these customers (the derived customer id of [`Analytics::events`]); `None` is
    /// everyone. Segments and account lists plug in here; a persona restricts the whole
    /// session instead ([`Analytics::restrict_to_persona`]), and both may apply at once.
    pub customers: Option<Vec<String>>,
}

impl Default for JourneyQuery {
    fn default() -> Self {
        JourneyQuery {
            map: None,
            conversion: Vec::new(),
            level: JourneyLevel::Channel,
            lookback_us: None,
            range: TimeRange::ALL,
            session_gap_us: DEFAULT_SESSION_GAP_US,
            customers: None,
        }
    }
}

/// The paths of a [`JourneyQuery`].
#[derive(Debug, Clone)]
pub struct WorkspacePaths {
    /// The unique paths with their counts, for the models.
    pub paths: PathSet,
    /// What counted as the conversion (a touchpoint id, or event names joined by `,`).
    pub conversion: String,
    /// What a touch is.
    pub level: JourneyLevel,
    /// Journeys found (converted or not, with or without a touch in the window).
    pub journeys: u64,
    /// Conversions in the period.
    pub conversions: u64,
    /// Their value.
    pub value: f64,
}

const TP: &str = "__touchpoint";
const IS_CONVERSION: &str = "__is_conversion";
const PAYLOAD: &str = "__payload";
const SESSION: &str = "__visit";
const JOURNEYS: &str = "__journeys";
const CUSTOMER: &str = "__customer";

fn null_utf8() -> Expr {
    lit(ScalarValue::Utf8(None))
}

fn payload(node: Expr, value: Expr) -> Expr {
    named_struct(vec![lit("node"), node, lit("value"), value])
}

impl Analytics {
    /// The events of the customers in `customers` (all when `None`).
    fn events_of(&self, range: TimeRange, customers: Option<&[String]>) -> Result<DataFrame> {
        let events = self.events(range)?;
        let Some(customers) = customers else {
            return Ok(events);
        };
        let schema = Arc::new(Schema::new(vec![Field::new(
            CUSTOMER,
            DataType::Utf8,
            false,
        )]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(StringArray::from_iter_values(customers))],
        )
        .map_err(datafusion::error::DataFusionError::from)?;
        let list = self.context().read_batch(batch)?;
        Ok(events.join(list, JoinType::LeftSemi, &[WHO], &[CUSTOMER], None)?)
    }

    /// Conversion paths from the workspace's journeys.
    ///
    /// # Errors
    /// When the map is unknown or names no usable conversion, the touchpoint level has no
    /// map, the look-back is negative, or the query fails.
    #[allow(clippy::too_many_lines)]
    pub fn conversion_paths(
        &self,
        workspace: &Workspace,
        query: &JourneyQuery,
    ) -> Result<WorkspacePaths> {
        if query.lookback_us.is_some_and(|w| w < 0) {
            return Err(AnalyticsError::invalid(
                "the look-back window must not be negative",
            ));
        }
        let matcher = query
            .map
            .as_deref()
            .map(|id| MapMatcher::find(workspace, id))
            .transpose()?;
        if query.level == JourneyLevel::Touchpoint && matcher.is_none() {
            return Err(AnalyticsError::invalid(
                "touchpoint-level attribution needs a map: give its id with --map",
            ));
        }
        // The conversion condition, and its description.
        let (is_conversion, conversion) = match &matcher {
            Some(m) => {
                let id = match query.conversion.as_slice() {
                    [] => m.map().conversion.as_ref().map(|c| c.as_str().to_owned()),
                    [one] => Some(one.clone()),
                    _ => {
                        return Err(AnalyticsError::invalid(
                            "with a map, the conversion is one touchpoint id",
                        ));
                    }
                };
                let Some(id) = id else {
                    return Err(AnalyticsError::invalid(format!(
                        "map `{}` names no conversion touchpoint: add `conversion:` to it or \
                         give --conversion",
                        m.map().id.as_str()
                    )));
                };
                let Some(p) = m.touchpoint_position(&id) else {
                    return Err(AnalyticsError::invalid(format!(
                        "the conversion `{id}` is not a touchpoint with `match` rules in map `{}`",
                        m.map().id.as_str()
                    )));
                };
                (col(TP).eq(lit(i64::try_from(p).unwrap_or(i64::MAX))), id)
            }
            None => {
                let names: Vec<String> = if query.conversion.is_empty() {
                    DEFAULT_CONVERSIONS
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect()
                } else {
                    query.conversion.clone()
                };
                (
                    col(event_col::EVENT)
                        .in_list(names.iter().map(|n| lit(n.as_str())).collect(), false),
                    names.join(","),
                )
            }
        };
        // Read back far enough to fill the look-back window of the period's first conversions.
        let read = TimeRange {
            from_us: match (query.range.from_us, query.lookback_us) {
                (Some(from), Some(w)) => Some(from.saturating_sub(w)),
                _ => None,
            },
            to_us: query.range.to_us,
        };
        let mut events = self.events_of(read, query.customers.as_deref())?;
        if let Some(m) = &matcher {
            events = events.with_column(TP, m.touchpoint_position_expr())?;
        } else {
            events = events.with_column(TP, lit(ScalarValue::Int64(None)))?;
        }
        let events =
            events.with_column(IS_CONVERSION, coalesce(vec![is_conversion, lit(false)]))?;
        let conversions = events.clone().filter(col(IS_CONVERSION))?.select(vec![
            col(WHO),
            col(TIME_US),
            col(ORDINAL),
            payload(null_utf8(), coalesce(vec![col(event_col::VALUE), lit(0.0)])).alias(PAYLOAD),
        ])?;
        let others = events.filter(col(IS_CONVERSION).is_false())?;
        let no_value = lit(ScalarValue::Float64(None));
        let touches = match (query.level, &matcher) {
            (JourneyLevel::Touchpoint, Some(m)) => {
                others.filter(col(TP).is_not_null())?.select(vec![
                    col(WHO),
                    col(TIME_US),
                    col(ORDINAL),
                    payload(m.touchpoint_id_expr(), no_value).alias(PAYLOAD),
                ])?
            }
            _ => {
                let by_time = vec![
                    col(TIME_US).sort(true, false),
                    col(ORDINAL).sort(true, false),
                ];
                let visit = sessionize_udwf(query.session_gap_us)
                    .call(vec![col(TIME_US), col(event_col::SESSION)])
                    .partition_by(vec![col(WHO)])
                    .order_by(by_time.clone())
                    .build()?;
                others
                    .with_column(SESSION, visit)?
                    .aggregate(
                        vec![col(WHO), col(SESSION)],
                        vec![
                            first_value(col(event_col::CHANNEL_GROUP), by_time).alias("__channel"),
                            min(col(TIME_US)).alias(TIME_US),
                            min(col(ORDINAL)).alias(ORDINAL),
                        ],
                    )?
                    .select(vec![
                        col(WHO),
                        col(TIME_US),
                        col(ORDINAL),
                        payload(coalesce(vec![col("__channel"), lit(NO_CHANNEL)]), no_value)
                            .alias(PAYLOAD),
                    ])?
            }
        };
        let rules = JourneyRules {
            lookback_us: query.lookback_us,
            from_us: query.range.from_us,
            collapse_repeats: query.level == JourneyLevel::Touchpoint,
        };
        let frame = touches
            .union(conversions)?
            .aggregate(
                vec![col(WHO)],
                vec![
                    conversion_paths_udaf(rules)
                        .call(vec![col(TIME_US), col(ORDINAL), col(PAYLOAD)])
                        .alias(JOURNEYS),
                ],
            )?
            .select(vec![col(JOURNEYS)])?;
        // Customers arrive in whatever order the partitions finish; sorting the journeys
        // first makes the channel order and every floating-point sum the same on each run.
        let mut found: Vec<(String, bool, f64)> = Vec::new();
        let bad = || AnalyticsError::invalid("attribution: unexpected result type");
        for batch in self.collect(frame)? {
            let lists = batch.column(0).as_list_opt::<i32>().ok_or_else(bad)?;
            let items = lists.values().as_struct_opt().ok_or_else(bad)?;
            let paths = items.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let converted = items.column(1).as_boolean_opt().ok_or_else(bad)?;
            let values = items
                .column(2)
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(bad)?;
            let offsets = lists.value_offsets();
            let (a, b) = (offsets[0], offsets[lists.len()]);
            let (a, b) = (
                usize::try_from(a).unwrap_or(0),
                usize::try_from(b).unwrap_or(0),
            );
            found.extend((a..b).map(|i| {
                let v = if converted.value(i) {
                    values.value(i)
                } else {
                    0.0
                };
                (paths.value(i).to_owned(), converted.value(i), v)
            }));
        }
        found.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.total_cmp(&y.2)));
        let mut builder = PathSetBuilder::new();
        let (mut journeys, mut conversions, mut value) = (0u64, 0u64, 0.0);
        for (path, converted, v) in &found {
            journeys += 1;
            let nodes = path.split(NODE_SEPARATOR).filter(|n| !n.is_empty());
            let (c, n) = if *converted {
                conversions += 1;
                value += v;
                (1.0, 0.0)
            } else {
                (0.0, 1.0)
            };
            builder
                .add_named(nodes, c, n, *v)
                .map_err(|e| AnalyticsError::invalid(e.to_string()))?;
        }
        Ok(WorkspacePaths {
            paths: builder.build(),
            conversion,
            level: query.level,
            journeys,
            conversions,
            value,
        })
    }

    /// Ad spend per channel group from the cost table, for the days the period touches, and
    /// lead events per channel group in the period.
    ///
    /// # Errors
    /// When the query fails.
    pub fn channel_costs(
        &self,
        range: TimeRange,
        lead_events: &[String],
        customers: Option<&[String]>,
    ) -> Result<Vec<ChannelCost>> {
        let mut rows: BTreeMap<String, ChannelCost> = BTreeMap::new();
        for (channel, spend) in self.spend_by_channel(range)? {
            rows.entry(channel.clone())
                .or_insert_with(|| ChannelCost::new(&channel))
                .spend = Some(spend);
        }
        if !lead_events.is_empty() {
            let leads = self
                .events_of(range, customers)?
                .filter(
                    col(event_col::EVENT)
                        .in_list(lead_events.iter().map(|n| lit(n.as_str())).collect(), false),
                )?
                .aggregate(
                    vec![
                        coalesce(vec![col(event_col::CHANNEL_GROUP), lit(NO_CHANNEL)])
                            .alias("__channel"),
                    ],
                    vec![count(lit(1)).alias("__leads")],
                )?;
            for batch in self.collect(leads)? {
                let bad = || AnalyticsError::invalid("attribution: unexpected lead result type");
                let names = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
                let n = batch
                    .column(1)
                    .as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>()
                    .ok_or_else(bad)?;
                for i in 0..batch.num_rows() {
                    let channel = names.value(i);
                    rows.entry(channel.to_owned())
                        .or_insert_with(|| ChannelCost::new(channel))
                        .leads = u64::try_from(n.value(i)).unwrap_or(0);
                }
            }
        }
        Ok(rows.into_values().collect())
    }

    /// Ad spend per channel group, for the days the period touches.
    ///
    /// # Errors
    /// When the query fails.
    pub fn spend_by_channel(&self, range: TimeRange) -> Result<BTreeMap<String, f64>> {
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
        let frame = costs.aggregate(
            vec![col(cost_col::CHANNEL_GROUP)],
            vec![sum(col(cost_col::SPEND)).alias("__spend")],
        )?;
        let mut out = BTreeMap::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("attribution: unexpected cost result type");
            let names = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let spend = batch
                .column(1)
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(bad)?;
            for i in 0..batch.num_rows() {
                if names.is_valid(i) {
                    out.insert(names.value(i).to_owned(), spend.value(i));
                }
            }
        }
        Ok(out)
    }

    /// Respondents per channel group named in answers to "how did you hear about us"
    /// questions submitted in the period (answers without a time always count); only the
    /// persona's respondents when the session is restricted to one.
    ///
    /// # Errors
    /// When the query fails.
    pub fn reported_channels(&self, range: TimeRange) -> Result<BTreeMap<String, u64>> {
        let ts = |us: i64| {
            lit(ScalarValue::TimestampMicrosecond(
                Some(us),
                Some("UTC".into()),
            ))
        };
        let at = || col(survey_col::SUBMITTED_AT);
        let mut survey = self
            .table(Table::Survey)?
            .filter(col(survey_col::REPORTED_CHANNEL).is_not_null())?;
        if let Some(from) = range.from_us {
            survey = survey.filter(at().is_null().or(at().gt_eq(ts(from))))?;
        }
        if let Some(to) = range.to_us {
            survey = survey.filter(at().is_null().or(at().lt(ts(to))))?;
        }
        let survey = self.survey_of_persona(survey)?;
        // One answer per respondent and channel, however often it was given.
        let frame = survey
            .aggregate(
                vec![
                    col(survey_col::REPORTED_CHANNEL),
                    col(survey_col::RESPONDENT),
                ],
                vec![],
            )?
            .aggregate(
                vec![col(survey_col::REPORTED_CHANNEL)],
                vec![count(lit(1)).alias("__n")],
            )?;
        let mut out = BTreeMap::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("attribution: unexpected survey result type");
            let names = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let n = batch
                .column(1)
                .as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>()
                .ok_or_else(bad)?;
            for i in 0..batch.num_rows() {
                out.insert(
                    names.value(i).to_owned(),
                    u64::try_from(n.value(i)).unwrap_or(0),
                );
            }
        }
        Ok(out)
    }
}

/// Spend and leads of one channel group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCost {
    /// The channel group.
    pub channel: String,
    /// Ad spend in the period; `None` when the cost table has no row for the channel.
    pub spend: Option<f64>,
    /// Lead events in the period.
    pub leads: u64,
}

impl ChannelCost {
    /// A channel without spend or leads.
    #[must_use]
    pub fn new(channel: &str) -> Self {
        ChannelCost {
            channel: channel.to_owned(),
            spend: None,
            leads: 0,
        }
    }
}

/// One model's credit for a channel, set against its spend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelCost {
    /// The model's name.
    pub model: String,
    /// Conversions credited to the channel.
    pub conversions: f64,
    /// Value credited to the channel.
    pub value: f64,
    /// Spend per credited conversion (CPA); `None` without spend or credit.
    pub cost_per_conversion: Option<f64>,
    /// Credited value per spend (ROAS); `None` without spend.
    pub return_on_ad_spend: Option<f64>,
}

/// The costs of one channel group with every model's view of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRow {
    /// The channel group.
    pub channel: String,
    /// Ad spend in the period.
    pub spend: Option<f64>,
    /// Lead events in the period.
    pub leads: u64,
    /// Spend per lead; `None` without spend or leads.
    pub cost_per_lead: Option<f64>,
    /// Per model, in the order given.
    pub models: Vec<ModelCost>,
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// Sets every model's credits against the spend and leads of each channel: cost per
/// conversion, return on ad spend and cost per lead, side by side. Channels with credit or
/// cost appear, in the order of `channels` and then the cost-only ones by name.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn cost_report(
    channels: &[String],
    runs: &[(&str, &Credits)],
    costs: &[ChannelCost],
) -> Vec<CostRow> {
    let mut order: Vec<&str> = channels.iter().map(String::as_str).collect();
    for c in costs {
        if !order.contains(&c.channel.as_str()) {
            order.push(&c.channel);
        }
    }
    order
        .into_iter()
        .map(|channel| {
            let cost = costs.iter().find(|c| c.channel == channel);
            let spend = cost.and_then(|c| c.spend);
            let leads = cost.map_or(0, |c| c.leads);
            let index = channels.iter().position(|c| c == channel);
            let models = runs
                .iter()
                .map(|(model, credits)| {
                    let conversions = index.map_or(0.0, |i| credits.conversions[i]);
                    let value = index.map_or(0.0, |i| credits.value[i]);
                    ModelCost {
                        model: (*model).to_owned(),
                        conversions,
                        value,
                        cost_per_conversion: spend.and_then(|s| ratio(s, conversions)),
                        return_on_ad_spend: spend.and_then(|s| ratio(value, s)),
                    }
                })
                .collect();
            CostRow {
                channel: channel.to_owned(),
                spend,
                leads,
                cost_per_lead: spend.and_then(|s| ratio(s, leads as f64)),
                models,
            }
        })
        .collect()
}

/// A model's share of the conversions credited to one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelShare {
    /// The model's name.
    pub model: String,
    /// The channel's share of the model's credited conversions (0 to 1).
    pub share: f64,
}

/// One channel in the comparison of self-reported and tracked channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyRow {
    /// The channel group.
    pub channel: String,
    /// Respondents who named it.
    pub reported: u64,
    /// Their share of all respondents who named a channel.
    pub reported_share: f64,
    /// Each model's share of credit for the channel.
    pub models: Vec<ModelShare>,
}

/// How well a model's credit shares agree with the reported shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The model's name.
    pub model: String,
    /// `Σ min(reported share, credit share)` over channels: 1 when the two distributions are
    /// the same, 0 when they share no channel (one minus the total variation distance).
    pub overlap: f64,
}

/// Self-reported channels against each model's credit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyComparison {
    /// Respondents who named a channel (a respondent naming two channels counts twice).
    pub answers: u64,
    /// Per channel reported or credited: reported first by count, then the rest by name.
    pub channels: Vec<SurveyRow>,
    /// Per model, in the order given.
    pub agreement: Vec<Agreement>,
}

/// Compares the channels respondents named with each model's share of credited conversions.
#[must_use]
pub fn survey_comparison(
    reported: &BTreeMap<String, u64>,
    channels: &[String],
    runs: &[(&str, &Credits)],
) -> SurveyComparison {
    let answers: u64 = reported.values().sum();
    #[allow(clippy::cast_precision_loss)]
    let reported_share = |c: &str| {
        ratio(reported.get(c).copied().unwrap_or(0) as f64, answers as f64).unwrap_or(0.0)
    };
    let credit_share = |credits: &Credits, c: &str| {
        channels
            .iter()
            .position(|n| n == c)
            .and_then(|i| ratio(credits.conversions[i], credits.total_conversions()))
            .unwrap_or(0.0)
    };
    let mut names: Vec<&str> = reported.keys().map(String::as_str).collect();
    names.sort_by(|a, b| reported[*b].cmp(&reported[*a]).then_with(|| a.cmp(b)));
    let mut rest: Vec<&str> = channels
        .iter()
        .map(String::as_str)
        .filter(|c| !reported.contains_key(*c))
        .collect();
    rest.sort_unstable();
    names.extend(rest);
    let rows: Vec<SurveyRow> = names
        .iter()
        .map(|&c| SurveyRow {
            channel: c.to_owned(),
            reported: reported.get(c).copied().unwrap_or(0),
            reported_share: reported_share(c),
            models: runs
                .iter()
                .map(|(m, credits)| ModelShare {
                    model: (*m).to_owned(),
                    share: credit_share(credits, c),
                })
                .collect(),
        })
        .collect();
    let agreement = runs
        .iter()
        .enumerate()
        .map(|(k, (m, _))| Agreement {
            model: (*m).to_owned(),
            overlap: rows
                .iter()
                .map(|r| r.reported_share.min(r.models[k].share))
                .sum(),
        })
        .collect();
    SurveyComparison {
        answers,
        channels: rows,
        agreement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;

    fn journeys(steps: &[(i64, Step)], rules: JourneyRules) -> Vec<(Vec<u32>, bool, f64)> {
        split_journeys(steps, &rules)
            .into_iter()
            .map(|j| (j.touches, j.converted, j.value))
            .collect()
    }

    #[test]
    fn conversions_close_journeys_and_the_rest_is_a_null_path() {
        use Step::{Conversion as C, Touch as T};
        let steps = [
            (0, T(1)),
            (H, T(2)),
            (2 * H, T(2)),
            (3 * H, C(50.0)),
            (4 * H, T(3)),
            (5 * H, C(20.0)),
            (6 * H, T(1)),
        ];
        let all = JourneyRules::default();
        assert_eq!(
            journeys(&steps, all),
            [
                (vec![1, 2, 2], true, 50.0),
                (vec![3], true, 20.0),
                (vec![1], false, 0.0)
            ]
        );
        // A run of one node collapses; the window cuts touches older than 2 h before the
        // conversion.
        let rules = JourneyRules {
            lookback_us: Some(2 * H),
            collapse_repeats: true,
            ..all
        };
        assert_eq!(journeys(&steps, rules)[0], (vec![2], true, 50.0));
        // Conversions before the period end a journey without counting.
        let rules = JourneyRules {
            from_us: Some(4 * H),
            ..all
        };
        assert_eq!(
            journeys(&steps, rules),
            [(vec![3], true, 20.0), (vec![1], false, 0.0)]
        );
        // A conversion with no touch in the window is a journey with an empty path.
        let rules = JourneyRules {
            lookback_us: Some(H / 2),
            ..all
        };
        assert_eq!(journeys(&steps, rules)[1], (vec![], true, 20.0));
    }

    #[test]
    fn costs_side_by_side() {
        let channels = vec!["Paid Search".to_owned(), "Email".to_owned()];
        let a = Credits {
            conversions: vec![2.0, 2.0],
            value: vec![100.0, 300.0],
        };
        let b = Credits {
            conversions: vec![4.0, 0.0],
            value: vec![400.0, 0.0],
        };
        let costs = vec![
            ChannelCost {
                channel: "Paid Search".into(),
                spend: Some(200.0),
                leads: 4,
            },
            ChannelCost {
                channel: "Display".into(),
                spend: Some(50.0),
                leads: 0,
            },
        ];
        let rows = cost_report(&channels, &[("a", &a), ("b", &b)], &costs);
        let names: Vec<&str> = rows.iter().map(|r| r.channel.as_str()).collect();
        assert_eq!(names, ["Paid Search", "Email", "Display"]);
        assert_eq!(rows[0].cost_per_lead, Some(50.0));
        assert_eq!(rows[0].models[0].cost_per_conversion, Some(100.0));
        assert_eq!(rows[0].models[0].return_on_ad_spend, Some(0.5));
        assert_eq!(rows[0].models[1].cost_per_conversion, Some(50.0));
        assert_eq!(rows[0].models[1].return_on_ad_spend, Some(2.0));
        assert_eq!(rows[1].spend, None);
        assert_eq!(rows[1].models[0].return_on_ad_spend, None);
        assert_eq!(rows[2].models[0].cost_per_conversion, None);
        assert_eq!(rows[2].models[0].return_on_ad_spend, Some(0.0));
    }

    #[test]
    fn survey_overlap() {
        let channels = vec!["Email".to_owned(), "Organic Search".to_owned()];
        let credits = Credits {
            conversions: vec![3.0, 1.0],
            value: vec![0.0, 0.0],
        };
        let reported: BTreeMap<String, u64> = [
            ("Organic Search".to_owned(), 2),
            ("Email".to_owned(), 1),
            ("Word of Mouth".to_owned(), 1),
        ]
        .into();
        let r = survey_comparison(&reported, &channels, &[("m", &credits)]);
        assert_eq!(r.answers, 4);
        let names: Vec<&str> = r.channels.iter().map(|c| c.channel.as_str()).collect();
        assert_eq!(names, ["Organic Search", "Email", "Word of Mouth"]);
        // min(0.5, 0.25) + min(0.25, 0.75) + min(0.25, 0) = 0.5
        assert!((r.agreement[0].overlap - 0.5).abs() < 1e-12);
    }
}
