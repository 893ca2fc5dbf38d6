//! Breakpoints: where customers stall or leave more than expected, and what that costs.
//!
//! For each stage and each bound touchpoint of a map, the drop-off rate of the period is set
//! against two expectations: the rate of a baseline period (by default the period of the same
//! length just before), and, when the journeys are split by persona, the rate among everyone
//! else's customers in the same period. A point is *flagged* by a baseline when its drop-off is
//! above that baseline's rate by more than chance explains (a one-sided two-proportion z-test
//! at the 1 % level). The customers lost beyond the stronger expectation (the lower rate of
//! the baselines that flag the point: doing as well as the better comparison), times the
//! share of customers who convert once past that point (downstream conversion), times the
//! average conversion value, is the estimated value lost; a point no baseline flags loses
//! nothing. The list is sorted by value lost, so the first row is what to fix first. Each row
//! names the team that owns the stage or touchpoint.
//!
//! - A stage's drop-off: customers who reached it and never reached a later stage. The last
//!   stage has none, so it is not listed (its touchpoints are).
//! - A stage's stall: customers who went on took longer in it than expected. The time in a
//!   stage runs from a customer's first entry to their first entry into a later stage; a stage
//!   *stalls* against a baseline when its median time is at least half as long again as the
//!   baseline's and a one-sided Mann–Whitney test on the two sets of times agrees at the 1 %
//!   level. A stall delays conversions rather than losing them, so it adds no value lost; it
//!   is listed with its times, after the rows that lose value.
//! - A touchpoint's drop-off: customers whose journey ended there without converting.
//! - Downstream conversion: of the customers who went on past the point, the share that
//!   reached the map's conversion touchpoint (or, without one, its last stage).
//! - Average value: the mean `value` of the conversion events of the period (of the row's
//!   persona when the journeys are split, else of everyone); without values a converted
//!   customer is worth 1, so the value lost is in customers. Values in several currencies are
//!   never added up: the value lost is then in customers too, and the report lists the
//!   currencies.
//! - Personas: each customer has the persona the workspace's `rules` give them (see
//!   [`crate::personas`]). Split by persona, every persona gets its own rows, measured against
//!   its own previous period and against the customers of all other personas and of none.

use std::collections::{BTreeSet, HashMap};

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::functions_aggregate::expr_fn::{count, max, sum};
use datafusion::prelude::{col, lit};
use polku_model::Workspace;
use polku_store::schema::event_col;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::funnel::JourneyUnit;
use crate::matching::MapMatcher;
use crate::paths::{PathNode, TimedPath};
use crate::personas::persona_with_rules;
use crate::session::int64_column;
use crate::session::{Analytics, TIME_US, TimeRange, WHO};
use crate::time::DAY_US;
use crate::udf::journey_path::PathAnchor;
use crate::udf::sessionize::DEFAULT_SESSION_GAP_US;

/// The length of the default period when none is given: the last 28 days of data.
pub const DEFAULT_PERIOD_US: i64 = 28 * DAY_US;

/// Fewer customers than this at a point in the baseline make its rate too noisy to compare.
pub const MIN_BASELINE: u64 = 20;

/// The one-sided 1 % critical value of the standard normal: a drop-off this many standard
/// errors above its baseline is flagged. Stricter than 5 % because a map has many points,
/// each tested against two baselines, and a list of what to fix should not fill with chance.
const Z_FLAG: f64 = 2.326_347_874_040_841;

/// A stage stalls when its median time is at least this many times its baseline's.
pub const STALL_RATIO: f64 = 1.5;

/// A stage or a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// A stage of the map.
    Stage,
    /// A touchpoint of the map.
    Touchpoint,
}

/// Which expectation a point's drop-off exceeds by more than chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// The same customers' drop-off in the baseline period.
    PreviousPeriod,
    /// The drop-off of the other personas' customers in the same period.
    OtherPersonas,
    /// Both.
    Both,
}

impl Baseline {
    /// The baseline of two flags, none when neither is raised.
    #[must_use]
    pub fn of(previous: bool, others: bool) -> Option<Self> {
        match (previous, others) {
            (true, true) => Some(Self::Both),
            (true, false) => Some(Self::PreviousPeriod),
            (false, true) => Some(Self::OtherPersonas),
            (false, false) => None,
        }
    }

    /// Its name in JSON and CSV.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreviousPeriod => "previous_period",
            Self::OtherPersonas => "other_personas",
            Self::Both => "both",
        }
    }
}

/// Whose journeys are measured, and so which baselines there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PersonaSplit {
    /// Every customer together, against the previous period only.
    #[default]
    All,
    /// Every persona with `rules` on its own rows (and the customers no rule takes on theirs),
    /// each against its previous period and against everyone else. Without any persona rules
    /// this is [`PersonaSplit::All`].
    Each,
    /// One persona's customers, against their previous period and against everyone else.
    One(String),
}

/// What [`Analytics::breakpoints_of`] measures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreakpointQuery {
    /// The period; without bounds, the last 28 days of data.
    pub period: TimeRange,
    /// The baseline period; without one, the period of the same length before.
    pub baseline: Option<TimeRange>,
    /// Whose journeys are measured.
    pub personas: PersonaSplit,
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
    /// The persona whose customers this row counts; none for all customers, or, when the
    /// report is split by persona, for the customers no rule takes.
    pub persona: Option<String>,
    /// Customers who reached it in the period.
    pub reached: u64,
    /// Of them, customers who left there.
    pub left: u64,
    /// `left / reached`.
    pub drop_off_rate: f64,
    /// The same customers' drop-off rate in the baseline period; none when it had too few
    /// customers.
    pub expected_previous: Option<f64>,
    /// The drop-off rate of everyone else's customers in the period; none when not split by
    /// persona or when they were too few.
    pub expected_others: Option<f64>,
    /// The stronger expectation: the lower rate of the baselines that flag the point, or,
    /// when none does, of the baselines known.
    pub expected_rate: Option<f64>,
    /// Which baselines the drop-off exceeds by more than chance; none when neither.
    pub flagged_by: Option<Baseline>,
    /// Customers lost beyond the expected rate; zero when no baseline flags the point.
    pub excess_lost: f64,
    /// Of the customers who went on past this point, the share that converted.
    pub downstream_conversion: f64,
    /// The average conversion value used for this row; none when a conversion is worth 1.
    pub average_value: Option<f64>,
    /// The estimated value lost: excess lost × downstream conversion × average value, in
    /// [`BreakpointsReport::currency`].
    pub value_lost: f64,
    /// For a stage: the median time, in seconds, that the customers who went on spent in it.
    pub median_time_in_stage_s: Option<f64>,
    /// For a stage: the baseline median time in it, in seconds (the shorter of the baselines
    /// that flag a stall, else of those known).
    pub expected_time_in_stage_s: Option<f64>,
    /// For a stage: which baselines its time in stage exceeds (see [`STALL_RATIO`]); none
    /// when it does not stall.
    pub stalled_by: Option<Baseline>,
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
    /// Whether the rows are split by persona (and so have the other-personas baseline).
    pub by_persona: bool,
    /// What counts as converted: a touchpoint id, or the last stage's id.
    pub conversion: String,
    /// The average conversion value of all customers of the period; none when the data has
    /// no values or values in several currencies (then a conversion is worth 1).
    pub average_value: Option<f64>,
    /// The currency (ISO 4217) of the values lost; none when they count customers, or when
    /// the values do not say their currency.
    pub currency: Option<String>,
    /// Every currency of the conversion values of the period; more than one means the values
    /// could not be added up and the value lost is in customers.
    pub currencies: Vec<String>,
    /// Every stage and bound touchpoint, by value lost (largest first), then by drop-off.
    pub breakpoints: Vec<Breakpoint>,
}

/// Drop-off counts of one group of journeys: per point (reached, left, went on, went on and
/// converted). Counts add up over customers, so everyone else's are the total's minus one
/// group's.
#[derive(Debug, Default, Clone)]
struct Period {
    stages: Vec<[u64; 4]>,
    /// Per stage, the time in it (µs) of each customer who went on to a later stage.
    stage_times: Vec<Vec<i64>>,
    touchpoints: HashMap<String, [u64; 4]>,
}

fn minus(a: [u64; 4], b: [u64; 4]) -> [u64; 4] {
    std::array::from_fn(|i| a[i].saturating_sub(b[i]))
}

impl Period {
    fn new(stage_count: usize) -> Self {
        Period {
            stages: vec![[0; 4]; stage_count],
            stage_times: vec![Vec::new(); stage_count],
            touchpoints: HashMap::new(),
        }
    }

    fn add(
        &mut self,
        tp: &TimedPath,
        stage_of: &HashMap<&str, usize>,
        is_conversion: &dyn Fn(&[usize], &TimedPath) -> bool,
    ) {
        // The stage path: the touchpoints' stages with their entry times, repeats in a row
        // collapsed.
        let mut stages: Vec<usize> = Vec::new();
        let mut entered: Vec<i64> = Vec::new();
        for (t, time) in tp {
            if let Some(&s) = stage_of.get(t.as_str())
                && stages.last() != Some(&s)
            {
                stages.push(s);
                entered.push(*time);
            }
        }
        let converted = is_conversion(&stages, tp);
        for s in 0..self.stages.len() {
            let Some(first) = stages.iter().position(|&x| x == s) else {
                continue;
            };
            let next = stages[first + 1..].iter().position(|&x| x > s);
            let c = &mut self.stages[s];
            c[0] += 1;
            if let Some(k) = next {
                c[2] += 1;
                c[3] += u64::from(converted);
                self.stage_times[s].push(entered[first + 1 + k] - entered[first]);
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
            let c = self.touchpoints.entry(t.clone()).or_default();
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

    fn touchpoint(&self, id: &str) -> Option<[u64; 4]> {
        self.touchpoints.get(id).copied()
    }
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

/// A baseline's expected rate when it has enough customers, and whether `now`'s drop-off is
/// above it by more than chance (pooled two-proportion z-test, one-sided).
fn expectation(now: [u64; 4], base: Option<[u64; 4]>) -> (Option<f64>, bool) {
    let Some(b) = base.filter(|b| b[0] >= MIN_BASELINE) else {
        return (None, false);
    };
    let expected = rate(b[1], b[0]);
    let drop = rate(now[1], now[0]);
    let pooled = rate(now[1] + b[1], now[0] + b[0]);
    #[allow(clippy::cast_precision_loss)]
    let se = (pooled * (1.0 - pooled) * (1.0 / now[0].max(1) as f64 + 1.0 / b[0] as f64)).sqrt();
    let flagged = now[0] > 0 && drop > expected && se > 0.0 && (drop - expected) / se > Z_FLAG;
    (Some(expected), flagged)
}

/// The Mann–Whitney rank-sum statistic of `a` against `b` as a standard normal score
/// (ties get their mean rank): large when `a`'s values tend to be larger than `b`'s.
fn rank_sum_z(a: &[i64], b: &[i64]) -> f64 {
    let mut all: Vec<(i64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_unstable_by_key(|&(x, _)| x);
    let mut rank_sum_a = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        #[allow(clippy::cast_precision_loss)]
        let mean_rank = (i + j + 1) as f64 / 2.0;
        rank_sum_a += mean_rank * all[i..j].iter().filter(|(_, in_a)| *in_a).count() as f64;
        i = j;
    }
    #[allow(clippy::cast_precision_loss)]
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let sd = (n1 * n2 * (n1 + n2 + 1.0) / 12.0).sqrt();
    if sd > 0.0 {
        (u - n1 * n2 / 2.0) / sd
    } else {
        0.0
    }
}

/// A baseline's median time in stage when it has enough customers, and whether `now`'s
/// times are longer by [`STALL_RATIO`] and by more than chance.
fn stall(now: &[i64], base: Option<&[i64]>) -> (Option<f64>, bool) {
    let Some(b) = base.filter(|b| b.len() as u64 >= MIN_BASELINE) else {
        return (None, false);
    };
    let expected = crate::funnel::median(&mut b.to_vec());
    let mine = crate::funnel::median(&mut now.to_vec());
    let stalled = match (mine, expected) {
        (Some(m), Some(e)) => {
            now.len() as u64 >= MIN_BASELINE
                && m >= STALL_RATIO * e
                && m > e
                && rank_sum_z(now, b) > Z_FLAG
        }
        _ => false,
    };
    (expected, stalled)
}

/// Times in a stage: the period's, the baseline period's and everyone else's.
struct StageTimes<'a> {
    now: &'a [i64],
    before: Option<&'a [i64]>,
    others: Option<&'a [i64]>,
}

/// One row: its identity, and the counts of the period, the baseline period and everyone
/// else.
struct Row<'a> {
    kind: PointKind,
    id: &'a str,
    stage: &'a str,
    owner: Option<String>,
    persona: Option<&'a str>,
    now: [u64; 4],
    before: Option<[u64; 4]>,
    others: Option<[u64; 4]>,
    average_value: Option<f64>,
    times: Option<StageTimes<'a>>,
}

fn point(row: Row<'_>) -> Breakpoint {
    let now = row.now;
    let drop = rate(now[1], now[0]);
    let (previous, by_previous) = expectation(now, row.before);
    let (others, by_others) = expectation(now, row.others);
    let lower = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    // Only the baselines that flag the point count towards its loss: a drop-off within
    // chance of what is expected loses nothing worth fixing.
    let flagged = lower(
        previous.filter(|_| by_previous),
        others.filter(|_| by_others),
    );
    let expected = flagged.or_else(|| lower(previous, others));
    #[allow(clippy::cast_precision_loss)]
    let excess = flagged
        .filter(|&e| drop > e)
        .map_or(0.0, |e| (drop - e) * now[0] as f64);
    let downstream = rate(now[3], now[2]);
    let (median_time, expected_time, stalled_by) = match &row.times {
        Some(t) => {
            let (previous, by_previous) = stall(t.now, t.before);
            let (others, by_others) = stall(t.now, t.others);
            let flagged = lower(
                previous.filter(|_| by_previous),
                others.filter(|_| by_others),
            );
            (
                crate::funnel::median_seconds(&mut t.now.to_vec()),
                flagged
                    .or_else(|| lower(previous, others))
                    .map(|us| us / 1e6),
                Baseline::of(by_previous, by_others),
            )
        }
        None => (None, None, None),
    };
    Breakpoint {
        kind: row.kind,
        id: row.id.to_owned(),
        stage: row.stage.to_owned(),
        owner: row.owner,
        persona: row.persona.map(str::to_owned),
        reached: now[0],
        left: now[1],
        drop_off_rate: drop,
        expected_previous: previous,
        expected_others: others,
        expected_rate: expected,
        flagged_by: Baseline::of(by_previous, by_others),
        excess_lost: excess,
        downstream_conversion: downstream,
        average_value: row.average_value,
        value_lost: excess * downstream * row.average_value.unwrap_or(1.0),
        median_time_in_stage_s: median_time,
        expected_time_in_stage_s: expected_time,
        stalled_by,
    }
}

/// One customer's conversion values in one currency: (customer, currency, sum, count).
type CustomerValues = (String, Option<String>, f64, u64);

/// The conversion values of a period: per persona group and currency, (sum, count).
type Values = HashMap<Option<String>, HashMap<Option<String>, (f64, u64)>>;

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

    /// The breakpoints of all customers of a map in a period against a baseline period.
    /// Without a period, the last 28 days of data; without a baseline, the period of the same
    /// length before. [`Analytics::breakpoints_of`] also compares personas.
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
        self.breakpoints_of(
            workspace,
            map_id,
            &BreakpointQuery {
                period,
                baseline,
                personas: PersonaSplit::All,
            },
        )
    }

    /// The breakpoints of a map: against the previous period and, split by persona, against
    /// the other personas' customers of the same period.
    ///
    /// # Errors
    /// When the map is unknown or unbound, the persona is unknown or has no rules, there is
    /// no data, or the query fails.
    #[allow(clippy::too_many_lines)]
    pub fn breakpoints_of(
        &self,
        workspace: &Workspace,
        map_id: &str,
        query: &BreakpointQuery,
    ) -> Result<BreakpointsReport> {
        let matcher = MapMatcher::find(workspace, map_id)?;
        if !matcher.is_bound() {
            return Err(AnalyticsError::invalid(format!(
                "no touchpoint of map `{map_id}` has match rules, so it cannot be measured"
            )));
        }
        if let PersonaSplit::One(p) = &query.personas {
            persona_with_rules(workspace, p)?;
        }
        let map = matcher.map();
        let period = query.period;
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
        let baseline = query.baseline.unwrap_or(TimeRange {
            from_us: Some(from - (to - from)),
            to_us: Some(from),
        });
        let base = (
            baseline.from_us.unwrap_or(i64::MIN),
            baseline.to_us.unwrap_or(from),
        );
        let assignments = match query.personas {
            PersonaSplit::All => HashMap::new(),
            PersonaSplit::Each | PersonaSplit::One(_) => self.persona_of_customers(workspace)?,
        };
        let by_persona = match query.personas {
            PersonaSplit::All => false,
            PersonaSplit::One(_) => true,
            PersonaSplit::Each => workspace.personas.iter().any(|p| !p.doc.rules.is_empty()),
        };
        let group_of = |who: &str| -> Option<String> {
            if by_persona {
                assignments.get(who).cloned()
            } else {
                None
            }
        };
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
        // Per group (persona, or none), and everyone together.
        let run = |range: TimeRange| -> Result<(HashMap<Option<String>, Period>, Period)> {
            let paths = self.customer_timed_paths(
                Some(&matcher),
                PathNode::Touchpoint,
                &PathAnchor::Start,
                usize::MAX,
                JourneyUnit::Customer,
                range,
                DEFAULT_SESSION_GAP_US,
            )?;
            let mut groups: HashMap<Option<String>, Period> = HashMap::new();
            let mut total = Period::new(map.stages.len());
            for (who, tp) in &paths {
                groups
                    .entry(group_of(who))
                    .or_insert_with(|| Period::new(map.stages.len()))
                    .add(tp, &stage_of, &is_conversion);
                total.add(tp, &stage_of, &is_conversion);
            }
            Ok((groups, total))
        };
        let (now, total) = run(TimeRange {
            from_us: Some(from),
            to_us: Some(to),
        })?;
        let (before, _) = run(baseline)?;
        let values = self.conversion_values(&matcher, &conversion, by_touchpoint, from, to)?;
        let values: Values =
            values
                .into_iter()
                .fold(HashMap::new(), |mut acc, (who, currency, sum, n)| {
                    let e = acc
                        .entry(group_of(&who))
                        .or_default()
                        .entry(currency)
                        .or_insert((0.0, 0));
                    e.0 += sum;
                    e.1 += n;
                    acc
                });
        let currencies: BTreeSet<String> = values
            .values()
            .flat_map(|m| m.keys().flatten().cloned())
            .collect();
        let several = currencies.len() > 1;
        let mean = |m: &mut dyn Iterator<Item = (f64, u64)>| {
            let (s, n) = m.fold((0.0, 0u64), |a, (s, n)| (a.0 + s, a.1 + n));
            #[allow(clippy::cast_precision_loss)]
            (n > 0 && !several).then(|| s / n as f64)
        };
        let average_value = mean(&mut values.values().flat_map(|m| m.values().copied()));
        let group_value = |g: &Option<String>| {
            values
                .get(g)
                .and_then(|m| mean(&mut m.values().copied()))
                .or(average_value)
        };

        // The groups to report: one persona, or every persona with rules then the customers
        // no rule takes, or everyone.
        let groups: Vec<Option<String>> = match &query.personas {
            PersonaSplit::One(p) => vec![Some(p.clone())],
            PersonaSplit::Each if by_persona => workspace
                .personas
                .iter()
                .filter(|p| !p.doc.rules.is_empty())
                .map(|p| Some(p.doc.id.as_str().to_owned()))
                .chain([None])
                .filter(|g| now.contains_key(g))
                .collect(),
            _ => vec![None],
        };
        let empty = Period::new(map.stages.len());
        let mut points = Vec::new();
        for g in &groups {
            let mine = now.get(g).unwrap_or(&empty);
            let then = before.get(g).unwrap_or(&empty);
            let persona = g.as_deref();
            let value = group_value(g);
            // Everyone else's times in each stage, for the stall test.
            let other_times: Vec<Vec<i64>> = (0..map.stages.len())
                .map(|i| {
                    now.iter()
                        .filter(|(h, _)| *h != g)
                        .flat_map(|(_, p)| p.stage_times[i].iter().copied())
                        .collect()
                })
                .collect();
            // The last stage has no later stage to reach: everyone there "leaves" it.
            for (i, stage) in map.stages.iter().enumerate().take(last_stage) {
                points.push(point(Row {
                    kind: PointKind::Stage,
                    id: stage.stage.as_str(),
                    stage: stage.stage.as_str(),
                    owner: stage.owner.as_ref().map(|t| t.as_str().to_owned()),
                    persona,
                    now: mine.stages[i],
                    before: Some(then.stages[i]),
                    others: by_persona.then(|| minus(total.stages[i], mine.stages[i])),
                    average_value: value,
                    times: Some(StageTimes {
                        now: &mine.stage_times[i],
                        before: Some(&then.stage_times[i]),
                        others: by_persona.then_some(other_times[i].as_slice()),
                    }),
                }));
            }
            for bound in matcher.touchpoints() {
                let id = bound.touchpoint.id.as_str();
                let stage = &map.stages[bound.stage_index];
                let Some(counts) = mine.touchpoint(id) else {
                    continue;
                };
                let all = total.touchpoint(id).unwrap_or_default();
                points.push(point(Row {
                    kind: PointKind::Touchpoint,
                    id,
                    stage: stage.stage.as_str(),
                    owner: bound
                        .touchpoint
                        .owner_in(stage)
                        .map(|t| t.as_str().to_owned()),
                    persona,
                    now: counts,
                    before: then.touchpoint(id),
                    others: by_persona.then(|| minus(all, counts)),
                    average_value: value,
                    times: None,
                }));
            }
        }
        points.sort_by(|a, b| {
            b.value_lost
                .total_cmp(&a.value_lost)
                .then(b.stalled_by.is_some().cmp(&a.stalled_by.is_some()))
                .then(b.drop_off_rate.total_cmp(&a.drop_off_rate))
                .then_with(|| a.persona.cmp(&b.persona))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(BreakpointsReport {
            map: map.id.as_str().to_owned(),
            period: (from, to),
            baseline: base,
            by_persona,
            conversion,
            average_value,
            currency: if several {
                None
            } else {
                currencies.first().cloned()
            },
            currencies: currencies.into_iter().collect(),
            breakpoints: points,
        })
    }

    /// The values of the conversion events of a period per customer and currency: (customer,
    /// currency, sum, count), events without a value left out.
    fn conversion_values(
        &self,
        matcher: &MapMatcher<'_>,
        conversion: &str,
        by_touchpoint: bool,
        from: i64,
        to: i64,
    ) -> Result<Vec<CustomerValues>> {
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
            .filter(col(event_col::VALUE).is_not_null())?
            .aggregate(
                vec![col(WHO), col(event_col::CURRENCY)],
                vec![sum(col(event_col::VALUE)), count(col(event_col::VALUE))],
            )?;
        let mut out = Vec::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("breakpoints: unexpected result type");
            let who = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let currency = batch.column(1).as_string_opt::<i32>().ok_or_else(bad)?;
            let sums = batch
                .column(2)
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(bad)?;
            let counts = int64_column(&batch, 3, bad)?;
            for i in 0..batch.num_rows() {
                out.push((
                    who.value(i).to_owned(),
                    (!currency.is_null(i)).then(|| currency.value(i).to_owned()),
                    sums.value(i),
                    u64::try_from(counts.value(i)).unwrap_or(0),
                ));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(now: [u64; 4], before: Option<[u64; 4]>, others: Option<[u64; 4]>) -> Breakpoint {
        point(Row {
            kind: PointKind::Touchpoint,
            id: "t",
            stage: "s",
            owner: None,
            persona: Some("p"),
            now,
            before,
            others,
            average_value: Some(50.0),
            times: None,
        })
    }

    /// Worked by hand: 40 of 100 left against 20 of 100 before, pooled rate 0.3, standard
    /// error √(0.3 · 0.7 · 0.02) = 0.0648, z = 0.2 / 0.0648 = 3.09 > 2.33: flagged. Against 50
    /// of 200 others, pooled 90 / 300 = 0.3, standard error √(0.21 · 0.015) = 0.0561,
    /// z = 0.15 / 0.0561 = 2.67: flagged too. The stronger expectation is 0.2: 20 customers
    /// lost beyond it; 48 of the 60 who went on converted (0.8), at 50 each: 800.
    #[test]
    fn a_hand_worked_row() {
        let b = row(
            [100, 40, 60, 48],
            Some([100, 20, 80, 60]),
            Some([200, 50, 150, 90]),
        );
        assert_eq!(b.flagged_by, Some(Baseline::Both));
        assert_eq!(b.expected_previous, Some(0.2));
        assert_eq!(b.expected_others, Some(0.25));
        assert_eq!(b.expected_rate, Some(0.2));
        assert!((b.excess_lost - 20.0).abs() < 1e-9);
        assert!((b.downstream_conversion - 0.8).abs() < 1e-12);
        assert!((b.value_lost - 800.0).abs() < 1e-9);

        // 30 of 100 against 20 of 100: z = 0.1 / √(0.25 · 0.75 · 0.02) = 1.63, within chance.
        // Others at 0.4 expect more leaving than happened. Nothing is lost.
        let b = row(
            [100, 30, 70, 50],
            Some([100, 20, 80, 60]),
            Some([100, 40, 60, 40]),
        );
        assert_eq!(b.flagged_by, None);
        assert_eq!(b.expected_rate, Some(0.2), "the lower rate known");
        assert_eq!((b.excess_lost, b.value_lost), (0.0, 0.0));

        // The previous period too small to count, the others (60 of 300, z = 0.2 / 0.05 = 4)
        // flag the row alone, and the loss is counted against their 0.2.
        let b = row(
            [100, 40, 60, 60],
            Some([19, 0, 19, 19]),
            Some([300, 60, 240, 200]),
        );
        assert_eq!(b.expected_previous, None, "under {MIN_BASELINE} customers");
        assert_eq!(b.flagged_by, Some(Baseline::OtherPersonas));
        assert!((b.excess_lost - 20.0).abs() < 1e-9);
    }

    /// Worked by hand: `a` = 4, 5, 6 above `b` = 1, 2, 3 has rank sum 15, U = 15 − 6 = 9,
    /// mean 4.5, standard deviation √(3 · 3 · 7 / 12) = 2.291: z = 1.964.
    #[test]
    fn the_rank_sum_score_by_hand() {
        assert!((rank_sum_z(&[4, 5, 6], &[1, 2, 3]) - 1.964).abs() < 1e-3);
        assert!((rank_sum_z(&[1, 2, 3], &[4, 5, 6]) + 1.964).abs() < 1e-3);
        // All tied: no evidence either way.
        assert!(rank_sum_z(&[7, 7], &[7, 7, 7]).abs() < 1e-12);
    }

    #[test]
    fn a_stall_needs_a_longer_median_more_customers_and_more_than_chance() {
        let base: Vec<i64> = (0..40).map(|i| 100 + i).collect();
        let slow: Vec<i64> = (0..40).map(|i| 200 + i).collect();
        assert_eq!(stall(&slow, Some(&base)), (Some(119.5), true));
        // Longer, but not half as long again.
        let bit_slower: Vec<i64> = (0..40).map(|i| 140 + i).collect();
        assert!(!stall(&bit_slower, Some(&base)).1);
        // Too few customers on either side.
        assert!(!stall(&slow[..19], Some(&base)).1);
        assert_eq!(stall(&slow, Some(&base[..19])), (None, false));
        assert_eq!(stall(&slow, None), (None, false));
    }

    proptest! {
        #[test]
        fn losses_are_bounded_and_follow_the_flags(
            now in (1u64..500, 0.0f64..1.0, 0.0f64..1.0),
            before in (0u64..500, 0.0f64..1.0),
            others in (0u64..500, 0.0f64..1.0),
        ) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let counts = |n: u64, share: f64, conv: f64| {
                let left = (n as f64 * share).floor() as u64;
                let on = n - left;
                [n, left, on, (on as f64 * conv).floor() as u64]
            };
            let b = row(
                counts(now.0, now.1, now.2),
                Some(counts(before.0, before.1, 0.5)),
                Some(counts(others.0, others.1, 0.5)),
            );
            #[allow(clippy::cast_precision_loss)]
            let left = b.left as f64;
            prop_assert!(b.excess_lost >= 0.0 && b.excess_lost <= left + 1e-9);
            prop_assert!(b.value_lost >= 0.0 && b.value_lost.is_finite());
            if b.flagged_by.is_none() {
                prop_assert_eq!(b.value_lost, 0.0);
            }
            // The expectation used is never above a baseline that flags the row.
            let e = b.expected_rate.unwrap_or(1.0);
            if matches!(b.flagged_by, Some(Baseline::PreviousPeriod | Baseline::Both)) {
                prop_assert!(e <= b.expected_previous.unwrap() + 1e-12);
                prop_assert!(b.drop_off_rate > b.expected_previous.unwrap());
            }
            if matches!(b.flagged_by, Some(Baseline::OtherPersonas | Baseline::Both)) {
                prop_assert!(e <= b.expected_others.unwrap() + 1e-12);
                prop_assert!(b.drop_off_rate > b.expected_others.unwrap());
            }
        }
    }
}
