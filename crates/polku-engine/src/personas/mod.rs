//! Personas in the data: which customers each persona's rules take.
//!
//! A persona's `rules` (see [`polku_model::PersonaRule`]) become one query: a table of facts per
//! customer, aggregated over the customer's events (first channel, source and campaign, the
//! channels and events met, the latest value of each property the rules name) and joined
//! with the survey answers of the customer's ids, then a `CASE` over the personas in the
//! order of their files' names. The first persona with a rule the customer meets wins;
//! customers no rule takes have no persona. Facts come from all of a customer's events,
//! whatever time range an analysis looks at, so a customer keeps one persona.
//!
//! [`Analytics::restrict_to_persona`] limits a session to one persona's customers: every
//! analysis built on [`Analytics::events`] then sees only them.

pub mod kmeans;
pub mod suggest;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::common::JoinType;
use datafusion::functions::core::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::{bool_or, count, first_value};
use datafusion::functions_aggregate::first_last::first_value_udaf;
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{DataFrame, Expr, col, lit, when};
use datafusion::scalar::ScalarValue;
use polku_model::{Persona, PersonaRule, Sourced, Workspace};
use polku_store::schema::{Table, event_col, survey_col};
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::matching::glob_expr;
use crate::session::int64_column;
use crate::session::{Analytics, ORDINAL, PERSONA_WHO, TIME_US, TimeRange, WHO};
use crate::udf::json_prop::json_prop_udf;

/// The persona column of [`Analytics::persona_assignments`].
pub const PERSONA: &str = "persona";

const FIRST_CHANNEL: &str = "__first_channel";
const FIRST_SOURCE: &str = "__first_source";
const FIRST_CAMPAIGN: &str = "__first_campaign";
const SURVEY_WHO: &str = "__survey_who";
const ID: &str = "__id";

/// How many customers one persona's rules take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaSize {
    /// The persona's id; `None` for customers no rule takes.
    pub persona: Option<String>,
    /// Its customers.
    pub customers: u64,
    /// Their share of all customers.
    pub share: f64,
}

/// The distinct patterns the rules use, each with the column of its per-customer flag or
/// value.
#[derive(Debug, Default)]
struct Needs<'a> {
    channels: Vec<&'a str>,
    events: Vec<&'a str>,
    properties: Vec<&'a str>,
    survey: Vec<(&'a str, &'a str)>,
}

fn index_of<T: PartialEq>(items: &mut Vec<T>, item: T) -> usize {
    items.iter().position(|x| *x == item).unwrap_or_else(|| {
        items.push(item);
        items.len() - 1
    })
}

impl<'a> Needs<'a> {
    fn of(rules: &[(&'a str, &'a PersonaRule)]) -> Self {
        let mut n = Needs::default();
        for (_, r) in rules {
            if let Some(c) = &r.channel {
                index_of(&mut n.channels, c.as_str());
            }
            if let Some(e) = &r.event {
                index_of(&mut n.events, e.as_str());
            }
            for k in r.properties.keys() {
                index_of(&mut n.properties, k.as_str());
            }
            for (q, a) in &r.survey {
                index_of(&mut n.survey, (q.as_str(), a.as_str()));
            }
        }
        n
    }
}

fn channel_col(i: usize) -> String {
    format!("__ch{i}")
}
fn event_flag_col(i: usize) -> String {
    format!("__ev{i}")
}
fn property_col(i: usize) -> String {
    format!("__prop{i}")
}
fn survey_col_name(i: usize) -> String {
    format!("__sv{i}")
}

/// The latest non-null value of an expression over a customer's events.
pub(crate) fn latest(value: Expr) -> Result<Expr> {
    Ok(first_value_udaf()
        .call(vec![value.clone()])
        .order_by(vec![
            col(TIME_US).sort(false, false),
            col(ORDINAL).sort(false, false),
        ])
        .filter(value.is_not_null())
        .build()?)
}

/// The value of a property of the event's JSON properties, as text.
pub(crate) fn property(key: &str) -> Expr {
    json_prop_udf().call(vec![col(event_col::PROPERTIES), lit(key)])
}

/// The first value of an event column of a customer.
fn first_of(column: &str) -> Expr {
    first_value(
        col(column),
        vec![
            col(TIME_US).sort(true, false),
            col(ORDINAL).sort(true, false),
        ],
    )
}

/// The rules of the workspace's personas, in the order they are tried.
fn ordered_rules(workspace: &Workspace) -> Vec<(&str, &PersonaRule)> {
    workspace
        .personas
        .iter()
        .flat_map(|p| p.doc.rules.iter().map(move |r| (p.doc.id.as_str(), r)))
        .collect()
}

/// The condition of one rule over the per-customer fact columns.
fn rule_condition(rule: &PersonaRule, needs: &Needs<'_>) -> Expr {
    let mut parts = Vec::new();
    for (column, pattern) in [
        (FIRST_CHANNEL, &rule.first_channel),
        (FIRST_SOURCE, &rule.first_source),
        (FIRST_CAMPAIGN, &rule.first_campaign),
    ] {
        if let Some(p) = pattern {
            parts.push(glob_expr(col(column), p));
        }
    }
    let flag = |name: String| coalesce(vec![col(name), lit(false)]);
    if let Some(c) = &rule.channel
        && let Some(i) = needs.channels.iter().position(|x| x == c)
    {
        parts.push(flag(channel_col(i)));
    }
    if let Some(e) = &rule.event
        && let Some(i) = needs.events.iter().position(|x| x == e)
    {
        parts.push(flag(event_flag_col(i)));
    }
    for (k, p) in &rule.properties {
        if let Some(i) = needs.properties.iter().position(|x| x == k) {
            parts.push(glob_expr(col(property_col(i)), p));
        }
    }
    for (q, a) in &rule.survey {
        if let Some(i) = needs
            .survey
            .iter()
            .position(|x| *x == (q.as_str(), a.as_str()))
        {
            parts.push(flag(survey_col_name(i)));
        }
    }
    parts
        .into_iter()
        .map(|e| coalesce(vec![e, lit(false)]))
        .reduce(Expr::and)
        .unwrap_or_else(|| lit(true))
}

/// The workspace's persona with this id; the error lists the personas there are.
pub(crate) fn known_persona<'w>(
    workspace: &'w Workspace,
    persona: &str,
) -> Result<&'w Sourced<Persona>> {
    workspace
        .personas
        .iter()
        .find(|p| p.doc.id.as_str() == persona)
        .ok_or_else(|| {
            let known: Vec<&str> = workspace
                .personas
                .iter()
                .map(|p| p.doc.id.as_str())
                .collect();
            AnalyticsError::NotFound(format!(
                "no persona `{persona}` in the workspace (personas: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ))
        })
}

/// Checks that the workspace has the persona and that its `rules` can take customers.
///
/// # Errors
/// When the workspace has no such persona, or the persona has no rules.
pub(crate) fn persona_with_rules(workspace: &Workspace, persona: &str) -> Result<()> {
    let p = known_persona(workspace, persona)?;
    if p.doc.rules.is_empty() {
        return Err(AnalyticsError::invalid(format!(
            "persona `{persona}` has no `rules`, so no customer of the data belongs to it: \
             add rules to {} (see docs/workspace-format.md)",
            p.file
        )));
    }
    Ok(())
}

impl Analytics {
    /// Which customer ids answer to which customer: each customer's own id, user ids and
    /// anonymous ids, as ([`SURVEY_WHO`], [`ID`]), so that survey respondents (user ids,
    /// e-mails) find their customer.
    fn customer_ids(&self) -> Result<DataFrame> {
        let events = self.all_events(TimeRange::ALL)?;
        let pairs = |id: Expr| -> Result<DataFrame> {
            Ok(events
                .clone()
                .select(vec![col(WHO).alias(SURVEY_WHO), id.alias(ID)])?
                .filter(col(ID).is_not_null())?)
        };
        Ok(pairs(col(WHO))?
            .union(pairs(col(event_col::USER_ID))?)?
            .union(pairs(col(event_col::ANONYMOUS_ID))?)?
            .distinct()?)
    }

    /// Survey answers with the customer who gave them: ([`SURVEY_WHO`], question, answer).
    pub(crate) fn survey_by_customer(&self) -> Result<DataFrame> {
        let survey = self.table(Table::Survey)?.select(vec![
            col(survey_col::RESPONDENT),
            col(survey_col::QUESTION),
            col(survey_col::ANSWER),
        ])?;
        Ok(survey
            .join(
                self.customer_ids()?,
                JoinType::Inner,
                &[survey_col::RESPONDENT],
                &[ID],
                None,
            )?
            .select(vec![
                col(SURVEY_WHO),
                col(survey_col::QUESTION),
                col(survey_col::ANSWER),
            ])?)
    }

    /// Every customer with the persona the workspace's rules give them: columns [`WHO`] and
    /// [`PERSONA`] (NULL when no rule takes the customer). Computed over all events, whatever
    /// restriction the session has.
    ///
    /// # Errors
    /// When the query cannot be built.
    pub fn persona_assignments(&self, workspace: &Workspace) -> Result<DataFrame> {
        let rules = ordered_rules(workspace);
        let needs = Needs::of(&rules);
        let mut aggregates = vec![
            first_of(event_col::CHANNEL_GROUP).alias(FIRST_CHANNEL),
            first_of(event_col::SOURCE).alias(FIRST_SOURCE),
            first_of(event_col::CAMPAIGN).alias(FIRST_CAMPAIGN),
        ];
        for (i, c) in needs.channels.iter().enumerate() {
            aggregates
                .push(bool_or(glob_expr(col(event_col::CHANNEL_GROUP), c)).alias(channel_col(i)));
        }
        for (i, e) in needs.events.iter().enumerate() {
            aggregates.push(bool_or(glob_expr(col(event_col::EVENT), e)).alias(event_flag_col(i)));
        }
        for (i, k) in needs.properties.iter().enumerate() {
            aggregates.push(latest(property(k))?.alias(property_col(i)));
        }
        let mut facts = self
            .all_events(TimeRange::ALL)?
            .aggregate(vec![col(WHO)], aggregates)?;
        if !needs.survey.is_empty() {
            let flags = needs
                .survey
                .iter()
                .enumerate()
                .map(|(i, (q, a))| {
                    bool_or(
                        glob_expr(col(survey_col::QUESTION), q)
                            .and(glob_expr(col(survey_col::ANSWER), a)),
                    )
                    .alias(survey_col_name(i))
                })
                .collect();
            let answers = self
                .survey_by_customer()?
                .aggregate(vec![col(SURVEY_WHO)], flags)?;
            facts = facts.join(answers, JoinType::Left, &[WHO], &[SURVEY_WHO], None)?;
        }
        let persona = match rules.split_first() {
            None => lit(ScalarValue::Utf8(None)),
            Some(((id, rule), rest)) => {
                let mut case = when(rule_condition(rule, &needs), lit(*id));
                for (id, rule) in rest {
                    case = case.when(rule_condition(rule, &needs), lit(*id));
                }
                case.otherwise(lit(ScalarValue::Utf8(None)))?
            }
        };
        Ok(facts.select(vec![col(WHO), persona.alias(PERSONA)])?)
    }

    /// [`Analytics::persona_assignments`] as a map from customer to persona, without the
    /// customers no rule takes; empty when no persona has rules.
    pub(crate) fn persona_of_customers(
        &self,
        workspace: &Workspace,
    ) -> Result<std::collections::HashMap<String, String>> {
        let mut out = std::collections::HashMap::new();
        if ordered_rules(workspace).is_empty() {
            return Ok(out);
        }
        let frame = self
            .persona_assignments(workspace)?
            .filter(col(PERSONA).is_not_null())?;
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("personas: unexpected result type");
            let who = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let persona = batch.column(1).as_string_opt::<i32>().ok_or_else(bad)?;
            for i in 0..batch.num_rows() {
                out.insert(who.value(i).to_owned(), persona.value(i).to_owned());
            }
        }
        Ok(out)
    }

    /// Survey rows (with a [`survey_col::RESPONDENT`] column) of the persona's customers
    /// when the session is restricted to one, else all of them: a respondent belongs to the
    /// customer whose customer, user or anonymous id they answered as.
    pub(crate) fn survey_of_persona(&self, survey: DataFrame) -> Result<DataFrame> {
        let Some(customers) = &self.persona_filter else {
            return Ok(survey);
        };
        let ids = self
            .customer_ids()?
            .join(
                customers.clone(),
                JoinType::LeftSemi,
                &[SURVEY_WHO],
                &[PERSONA_WHO],
                None,
            )?
            .select(vec![col(ID)])?;
        Ok(survey.join(
            ids,
            JoinType::LeftSemi,
            &[survey_col::RESPONDENT],
            &[ID],
            None,
        )?)
    }

    /// The customers of one persona, as a single [`PERSONA_WHO`] column.
    fn persona_customers(&self, workspace: &Workspace, persona: &str) -> Result<DataFrame> {
        Ok(self
            .persona_assignments(workspace)?
            .filter(col(PERSONA).eq(lit(persona)))?
            .select(vec![col(WHO).alias(PERSONA_WHO)])?)
    }

    /// Restricts the session to the customers of one persona: from now on
    /// [`Analytics::events`], and every analysis built on it, sees only their events.
    ///
    /// # Errors
    /// When the workspace has no such persona, or the persona has no rules.
    pub fn restrict_to_persona(&mut self, workspace: &Workspace, persona: &str) -> Result<()> {
        persona_with_rules(workspace, persona)?;
        self.persona_filter = Some(self.persona_customers(workspace, persona)?);
        Ok(())
    }

    /// How many customers each persona's rules take, in persona order, then those no rule
    /// takes. Counts all customers, whatever restriction the session has.
    ///
    /// # Errors
    /// When the query fails.
    pub fn persona_sizes(&self, workspace: &Workspace) -> Result<Vec<PersonaSize>> {
        let frame = self
            .persona_assignments(workspace)?
            .aggregate(vec![col(PERSONA)], vec![count(lit(1)).alias("n")])?;
        let mut counts: Vec<(Option<String>, u64)> = Vec::new();
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("personas: unexpected result type");
            let names = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let n = int64_column(&batch, 1, bad)?;
            for i in 0..batch.num_rows() {
                let name = (!names.is_null(i)).then(|| names.value(i).to_owned());
                counts.push((name, u64::try_from(n.value(i)).unwrap_or(0)));
            }
        }
        let total: u64 = counts.iter().map(|c| c.1).sum();
        let share = |n: u64| {
            #[allow(clippy::cast_precision_loss)]
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            }
        };
        let mut out: Vec<PersonaSize> = workspace
            .personas
            .iter()
            .map(|p| {
                let n = counts
                    .iter()
                    .find(|c| c.0.as_deref() == Some(p.doc.id.as_str()))
                    .map_or(0, |c| c.1);
                PersonaSize {
                    persona: Some(p.doc.id.as_str().to_owned()),
                    customers: n,
                    share: share(n),
                }
            })
            .collect();
        let none = counts.iter().find(|c| c.0.is_none()).map_or(0, |c| c.1);
        out.push(PersonaSize {
            persona: None,
            customers: none,
            share: share(none),
        });
        Ok(out)
    }
}
