//! Persona suggestions: customers clustered on what the data knows of them.
//!
//! The query engine aggregates one row per customer (partitioned by customer): the channel
//! group of the first visit, the number of visits, whether and how fast the customer
//! converted, the value of the conversions, the latest value of chosen attributes (CRM fields
//! or event properties such as `customer_type`) and the survey answers of the customer's ids.
//! Numbers are log-scaled and standardised; categories are one-hot encoded (the most common
//! values of each, the rest as `other`). Seeded k-means++ ([`super::kmeans`]) groups the rows;
//! with no `k` given, the `k` with the best mean silhouette wins. Each segment is described by
//! the values that set it apart from the whole population, and a draft persona rule is made
//! of the values most of its customers share.

use std::collections::{BTreeMap, HashMap};

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::{count, first_value, min, sum};
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{Expr, col, lit};
use polku_model::PersonaRule;
use polku_store::schema::event_col;
use serde::Serialize;

use super::kmeans::{even_sample, kmeans, silhouette};
use super::{latest, property};
use crate::error::{AnalyticsError, Result};
use crate::session::numeric_cell;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::time::DAY_US;
use crate::udf::sessionize::{DEFAULT_SESSION_GAP_US, sessionize_udwf};

/// The most values of one category that get a column of their own.
const TOP_VALUES: usize = 10;
/// Rows the silhouette is computed on when choosing `k`.
const SILHOUETTE_SAMPLE: usize = 1200;
/// A value most of a segment shares goes into its draft rule.
const RULE_SHARE: f64 = 0.75;

/// What to cluster on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestQuery {
    /// The number of segments; `None` chooses it by silhouette.
    pub k: Option<usize>,
    /// The largest `k` tried when choosing.
    pub max_k: usize,
    /// The seed of the k-means++ draws.
    pub seed: u64,
    /// Customer attributes (event properties) to use, e.g. `customer_type`.
    pub attributes: Vec<String>,
    /// The events that count as conversions (their `value` is the conversion value).
    pub conversion: Vec<String>,
    /// Which events count.
    pub range: TimeRange,
}

impl Default for SuggestQuery {
    fn default() -> Self {
        SuggestQuery {
            k: None,
            max_k: 8,
            seed: 1,
            attributes: vec!["customer_type".into()],
            conversion: vec!["purchase".into(), "deal_won".into()],
            range: TimeRange::ALL,
        }
    }
}

/// A value that sets a segment apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trait {
    /// The feature: `first_channel`, `property:NAME` or `survey:QUESTION`.
    pub feature: String,
    /// The value.
    pub value: String,
    /// Its share in the segment.
    pub share: f64,
    /// Its share among all customers.
    pub population_share: f64,
}

/// A segment's numbers next to the population's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Numbers {
    /// Mean visits per customer.
    pub visits: f64,
    /// Share of customers who converted.
    pub conversion_rate: f64,
    /// Median days from the first touch to the first conversion.
    pub median_days_to_conversion: Option<f64>,
    /// Mean conversion value per customer.
    pub value: f64,
}

/// One proposed persona segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// The segment's number, from 1, largest first.
    pub segment: usize,
    /// A label made of its most distinctive values.
    pub label: String,
    /// Its customers.
    pub customers: u64,
    /// Their share of all customers.
    pub share: f64,
    /// What sets it apart, most distinctive first.
    pub traits: Vec<Trait>,
    /// Its numbers.
    pub numbers: Numbers,
    /// A draft persona rule: the values most of its customers share.
    pub rule: PersonaRule,
}

/// The proposed segments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestReport {
    /// Customers clustered.
    pub customers: u64,
    /// The number of segments.
    pub k: usize,
    /// The mean silhouette of the clustering (−1…1; higher is better separated).
    pub silhouette: Option<f64>,
    /// The silhouette of each `k` tried, when `k` was chosen.
    pub tried: Vec<(usize, f64)>,
    /// The seed.
    pub seed: u64,
    /// The population's numbers.
    pub population: Numbers,
    /// The segments, largest first.
    pub segments: Vec<Segment>,
    /// Each customer's segment number, by customer id.
    #[serde(skip)]
    pub assignments: BTreeMap<String, usize>,
}

/// One customer's facts.
#[derive(Debug, Clone)]
struct Profile {
    who: String,
    first_channel: Option<String>,
    visits: f64,
    days_to_conversion: Option<f64>,
    value: f64,
    attributes: Vec<Option<String>>,
    answers: Vec<(String, String)>,
}

/// A categorical feature: its name and each customer's value.
struct Category {
    feature: String,
    values: Vec<String>,
}

const NONE: &str = "(none)";
const OTHER: &str = "other";

fn text(a: &ArrayRef, i: usize) -> Option<String> {
    let s = a.as_string_opt::<i32>()?;
    (!s.is_null(i)).then(|| s.value(i).to_owned())
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    #[allow(clippy::cast_precision_loss)]
    if n == 0 { 0.0 } else { s / n as f64 }
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    Some(if xs.len().is_multiple_of(2) {
        f64::midpoint(xs[m - 1], xs[m])
    } else {
        xs[m]
    })
}

fn numbers(profiles: &[&Profile]) -> Numbers {
    Numbers {
        visits: mean(profiles.iter().map(|p| p.visits)),
        conversion_rate: mean(
            profiles
                .iter()
                .map(|p| f64::from(u8::from(p.days_to_conversion.is_some()))),
        ),
        median_days_to_conversion: median(
            profiles
                .iter()
                .filter_map(|p| p.days_to_conversion)
                .collect(),
        ),
        value: mean(profiles.iter().map(|p| p.value)),
    }
}

/// Standardises a column in place (z-scores; a constant column becomes zeros).
fn standardise(xs: &mut [f64]) {
    let m = mean(xs.iter().copied());
    let sd = mean(xs.iter().map(|x| (x - m) * (x - m))).sqrt();
    for x in xs {
        *x = if sd > 0.0 { (*x - m) / sd } else { 0.0 };
    }
}

/// The categorical features of the profiles: first channel, each attribute, each survey
/// question, with rare values folded into `other`.
fn categories(profiles: &[Profile], attributes: &[String]) -> Vec<Category> {
    let mut cats = vec![Category {
        feature: "first_channel".into(),
        values: profiles
            .iter()
            .map(|p| p.first_channel.clone().unwrap_or_else(|| NONE.into()))
            .collect(),
    }];
    for (a, name) in attributes.iter().enumerate() {
        cats.push(Category {
            feature: format!("property:{name}"),
            values: profiles
                .iter()
                .map(|p| p.attributes[a].clone().unwrap_or_else(|| NONE.into()))
                .collect(),
        });
    }
    let mut questions: Vec<&str> = profiles
        .iter()
        .flat_map(|p| p.answers.iter().map(|(q, _)| q.as_str()))
        .collect();
    questions.sort_unstable();
    questions.dedup();
    for q in questions {
        cats.push(Category {
            feature: format!("survey:{q}"),
            values: profiles
                .iter()
                .map(|p| {
                    p.answers
                        .iter()
                        .find(|(pq, _)| pq == q)
                        .map_or_else(|| NONE.into(), |(_, a)| a.clone())
                })
                .collect(),
        });
    }
    for c in &mut cats {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for v in &c.values {
            *counts.entry(v.as_str()).or_default() += 1;
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let kept: Vec<String> = ranked
            .iter()
            .take(TOP_VALUES)
            .map(|(v, _)| (*v).to_owned())
            .collect();
        for v in &mut c.values {
            if !kept.contains(v) {
                *v = OTHER.into();
            }
        }
    }
    cats
}

/// The feature matrix: standardised numbers, then one-hot categories.
fn matrix(profiles: &[Profile], cats: &[Category]) -> Vec<Vec<f64>> {
    let n = profiles.len();
    let converted: Vec<f64> = profiles
        .iter()
        .filter_map(|p| p.days_to_conversion)
        .collect();
    let days_fill = mean(converted.iter().map(|d| d.ln_1p()));
    let mut columns: Vec<Vec<f64>> = vec![
        profiles.iter().map(|p| p.visits.ln_1p()).collect(),
        profiles
            .iter()
            .map(|p| f64::from(u8::from(p.days_to_conversion.is_some())))
            .collect(),
        profiles
            .iter()
            .map(|p| p.days_to_conversion.map_or(days_fill, f64::ln_1p))
            .collect(),
        profiles.iter().map(|p| p.value.max(0.0).ln_1p()).collect(),
    ];
    for c in &mut columns {
        standardise(c);
    }
    for cat in cats {
        let mut values: Vec<&str> = cat.values.iter().map(String::as_str).collect();
        values.sort_unstable();
        values.dedup();
        for v in values {
            columns.push(
                cat.values
                    .iter()
                    .map(|x| f64::from(u8::from(x == v)))
                    .collect(),
            );
        }
    }
    (0..n)
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect()
}

/// The values that set a segment apart: share in the segment well above the population's.
fn traits(cats: &[Category], members: &[usize], n: usize) -> Vec<Trait> {
    let mut out = Vec::new();
    #[allow(clippy::cast_precision_loss)]
    for c in cats {
        let mut inside: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in members {
            *inside.entry(c.values[i].as_str()).or_default() += 1;
        }
        for (v, k) in inside {
            if v == NONE || v == OTHER {
                continue;
            }
            let share = k as f64 / members.len() as f64;
            let all = c.values.iter().filter(|x| *x == v).count() as f64 / n as f64;
            if share >= 0.3 && share > all * 1.2 {
                out.push(Trait {
                    feature: c.feature.clone(),
                    value: v.to_owned(),
                    share,
                    population_share: all,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (b.share - b.population_share)
            .total_cmp(&(a.share - a.population_share))
            .then_with(|| a.feature.cmp(&b.feature))
            .then_with(|| a.value.cmp(&b.value))
    });
    out
}

/// A draft rule: the traits most of the segment shares, one per feature.
fn draft_rule(traits: &[Trait]) -> PersonaRule {
    let mut rule = PersonaRule::default();
    let strong = traits.iter().filter(|t| t.share >= RULE_SHARE);
    let chosen: Vec<&Trait> = if traits.iter().any(|t| t.share >= RULE_SHARE) {
        strong.collect()
    } else {
        traits.iter().take(1).collect()
    };
    for t in chosen {
        if t.feature == "first_channel" {
            rule.first_channel.get_or_insert_with(|| t.value.clone());
        } else if let Some(name) = t.feature.strip_prefix("property:") {
            rule.properties
                .entry(name.to_owned())
                .or_insert_with(|| t.value.clone());
        } else if let Some(q) = t.feature.strip_prefix("survey:") {
            rule.survey
                .entry(q.to_owned())
                .or_insert_with(|| t.value.clone());
        }
    }
    rule
}

impl Analytics {
    /// One row of facts per customer, sorted by customer.
    #[allow(clippy::too_many_lines)]
    fn profiles(&self, q: &SuggestQuery) -> Result<Vec<Profile>> {
        const SESSION: &str = "__session";
        const START: &str = "__start";
        const CHANNEL: &str = "__channel";
        const CONV: &str = "__conv";
        const VALUE: &str = "__value";
        let is_conversion = col(event_col::EVENT).in_list(
            q.conversion.iter().map(|c| lit(c.as_str())).collect(),
            false,
        );
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
        let visits = self
            .events(q.range)?
            .with_column(SESSION, session)?
            .aggregate(
                vec![col(WHO), col(SESSION)],
                vec![
                    min(col(TIME_US)).alias(START),
                    first_value(col(event_col::CHANNEL_GROUP), by_time).alias(CHANNEL),
                    min(col(TIME_US))
                        .filter(is_conversion.clone())
                        .build()?
                        .alias(CONV),
                    sum(col(event_col::VALUE))
                        .filter(is_conversion)
                        .build()?
                        .alias(VALUE),
                ],
            )?;
        let per_customer = visits.aggregate(
            vec![col(WHO)],
            vec![
                first_value(col(CHANNEL), vec![col(START).sort(true, false)]).alias(CHANNEL),
                count(lit(1)).alias("visits"),
                min(col(START)).alias(START),
                min(col(CONV)).alias(CONV),
                sum(col(VALUE)).alias(VALUE),
            ],
        )?;
        let frame = if q.attributes.is_empty() {
            per_customer
        } else {
            let attrs: Vec<Expr> = q
                .attributes
                .iter()
                .enumerate()
                .map(|(i, a)| Ok(latest(property(a))?.alias(format!("__attr{i}"))))
                .collect::<Result<_>>()?;
            let attributes = self
                .events(q.range)?
                .aggregate(vec![col(WHO)], attrs)?
                .with_column_renamed(WHO, "__attr_who")?;
            per_customer.join(attributes, JoinType::Left, &[WHO], &["__attr_who"], None)?
        };
        let mut exprs = vec![
            col(WHO),
            col(CHANNEL),
            col("visits"),
            col(START),
            col(CONV),
            col(VALUE),
        ];
        exprs.extend((0..q.attributes.len()).map(|i| col(format!("__attr{i}"))));
        let frame = frame.select(exprs)?;
        let mut profiles = Vec::new();
        for batch in self.collect(frame)? {
            for i in 0..batch.num_rows() {
                let Some(who) = text(batch.column(0), i) else {
                    continue;
                };
                let start = numeric_cell(batch.column(3), i).unwrap_or(0.0);
                #[allow(clippy::cast_precision_loss)]
                let days = numeric_cell(batch.column(4), i).map(|c| (c - start) / DAY_US as f64);
                profiles.push(Profile {
                    who,
                    first_channel: text(batch.column(1), i),
                    visits: numeric_cell(batch.column(2), i).unwrap_or(0.0),
                    days_to_conversion: days,
                    // Partial sums may meet in any order; rounding keeps the result the same.
                    value: (numeric_cell(batch.column(5), i).unwrap_or(0.0) * 1e6).round() / 1e6,
                    attributes: (0..q.attributes.len())
                        .map(|a| text(batch.column(6 + a), i))
                        .collect(),
                    answers: Vec::new(),
                });
            }
        }
        profiles.sort_by(|a, b| a.who.cmp(&b.who));
        // Survey answers (a small table) by customer.
        let index: HashMap<String, usize> = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.who.clone(), i))
            .collect();
        let mut answers: Vec<(usize, String, String)> = Vec::new();
        for batch in self.collect(self.survey_by_customer()?)? {
            for i in 0..batch.num_rows() {
                if let (Some(who), Some(qn), Some(a)) = (
                    text(batch.column(0), i),
                    text(batch.column(1), i),
                    text(batch.column(2), i),
                ) && let Some(&p) = index.get(&who)
                {
                    answers.push((p, qn, a));
                }
            }
        }
        answers.sort();
        answers.dedup();
        for (p, qn, a) in answers {
            // One answer per question and customer: the first in sort order.
            if !profiles[p].answers.iter().any(|(x, _)| *x == qn) {
                profiles[p].answers.push((qn, a));
            }
        }
        Ok(profiles)
    }

    /// Clusters the customers and proposes persona segments.
    ///
    /// # Errors
    /// When the query fails or there are no customers.
    pub fn suggest_personas(&self, q: &SuggestQuery) -> Result<SuggestReport> {
        let profiles = self.profiles(q)?;
        let n = profiles.len();
        if n == 0 {
            return Err(AnalyticsError::invalid(
                "no customers to cluster: import events first",
            ));
        }
        let cats = categories(&profiles, &q.attributes);
        let rows = matrix(&profiles, &cats);
        let sample = even_sample(n, SILHOUETTE_SAMPLE);
        let restarts = 4;
        let mut tried = Vec::new();
        let clustering = match q.k {
            Some(k) => kmeans(&rows, k, q.seed, restarts),
            None => {
                let mut best = None;
                for k in 2..=q.max_k.min(n.saturating_sub(1)) {
                    let c = kmeans(&rows, k, q.seed, restarts);
                    let s = silhouette(&rows, &c.labels, k, &sample).unwrap_or(-1.0);
                    tried.push((k, s));
                    if best.as_ref().is_none_or(|(bs, _)| s > *bs) {
                        best = Some((s, c));
                    }
                }
                best.map_or_else(|| kmeans(&rows, 1, q.seed, 1), |(_, c)| c)
            }
        };
        let k = clustering.centres.len();
        let score = silhouette(&rows, &clustering.labels, k, &sample);
        // Largest segment first; equal sizes keep the cluster order.
        let sizes = clustering.sizes();
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|a, b| sizes[*b].cmp(&sizes[*a]).then(a.cmp(b)));
        let everyone: Vec<&Profile> = profiles.iter().collect();
        let mut segments = Vec::new();
        let mut number_of = vec![0; k];
        for (rank, &c) in order.iter().enumerate() {
            number_of[c] = rank + 1;
            let members: Vec<usize> = (0..n).filter(|&i| clustering.labels[i] == c).collect();
            if members.is_empty() {
                continue;
            }
            let traits = traits(&cats, &members, n);
            let label = if traits.is_empty() {
                format!("segment {}", rank + 1)
            } else {
                traits
                    .iter()
                    .take(2)
                    .map(|t| t.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            #[allow(clippy::cast_precision_loss)]
            segments.push(Segment {
                segment: rank + 1,
                label,
                customers: members.len() as u64,
                share: members.len() as f64 / n as f64,
                rule: draft_rule(&traits),
                traits,
                numbers: numbers(&members.iter().map(|&i| &profiles[i]).collect::<Vec<_>>()),
            });
        }
        let assignments = profiles
            .iter()
            .zip(&clustering.labels)
            .map(|(p, &l)| (p.who.clone(), number_of[l]))
            .collect();
        Ok(SuggestReport {
            customers: n as u64,
            k,
            silhouette: score,
            tried,
            seed: q.seed,
            population: numbers(&everyone),
            segments,
            assignments,
        })
    }
}
