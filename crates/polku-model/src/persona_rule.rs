//! Rules that assign customers in the data to a persona.
//!
//! A persona file describes a customer group in words; its `rules` say which customers of the
//! imported data belong to it, so every analysis can be run for one persona:
//!
//! ```yaml
//! rules:
//!   - properties: {customer_type: b2b}
//!     first_channel: "Paid*"
//!   - survey:
//!       "How did you hear about us?": LinkedIn
//! ```
//!
//! Every condition of a rule must hold (and), any rule of a persona may (or). Values compare
//! without regard to case, with `*` for any run of characters and `?` for one, as in map
//! `match` rules. A customer belongs to the first persona, in the order of the persona files'
//! names, that has a rule the customer meets; a customer no rule takes has no persona.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::event_match::glob_match;

/// One rule: the facts about a customer it requires.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaRule {
    /// The channel group of the customer's first event, e.g. `Paid Social`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_channel: Option<String>,
    /// The traffic source of the customer's first event, e.g. `linkedin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_source: Option<String>,
    /// The campaign of the customer's first event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_campaign: Option<String>,
    /// A channel group of any of the customer's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The name of any of the customer's events, e.g. `deal_won`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Customer attributes (CRM fields, event properties) by name: the latest value the
    /// customer's events carry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// Survey answers by question: the customer answered a matching question with a matching
    /// answer.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub survey: BTreeMap<String, String>,
}

/// What the rules know of one customer; the reference the query engine's plan follows.
#[derive(Debug, Clone, Default)]
pub struct CustomerFacts<'a> {
    /// The channel group of the first event.
    pub first_channel: Option<&'a str>,
    /// The source of the first event.
    pub first_source: Option<&'a str>,
    /// The campaign of the first event.
    pub first_campaign: Option<&'a str>,
    /// The channel groups of all events.
    pub channels: Vec<&'a str>,
    /// The names of all events.
    pub events: Vec<&'a str>,
    /// The latest value of each property.
    pub properties: BTreeMap<&'a str, &'a str>,
    /// Survey answers as (question, answer).
    pub survey: Vec<(&'a str, &'a str)>,
}

impl PersonaRule {
    /// Whether the rule requires nothing (and so would take every customer).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self == &PersonaRule::default()
    }

    /// The single-valued conditions as (YAML key, pattern), in a fixed order.
    pub fn conditions(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("first_channel", &self.first_channel),
            ("first_source", &self.first_source),
            ("first_campaign", &self.first_campaign),
            ("channel", &self.channel),
            ("event", &self.event),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    }

    /// Whether a customer meets every condition of the rule.
    #[must_use]
    pub fn matches(&self, c: &CustomerFacts<'_>) -> bool {
        let one = |pattern: &Option<String>, value: Option<&str>| {
            pattern
                .as_deref()
                .is_none_or(|p| value.is_some_and(|v| glob_match(p, v)))
        };
        let any = |pattern: &Option<String>, values: &[&str]| {
            pattern
                .as_deref()
                .is_none_or(|p| values.iter().any(|v| glob_match(p, v)))
        };
        one(&self.first_channel, c.first_channel)
            && one(&self.first_source, c.first_source)
            && one(&self.first_campaign, c.first_campaign)
            && any(&self.channel, &c.channels)
            && any(&self.event, &c.events)
            && self.properties.iter().all(|(k, p)| {
                c.properties
                    .get(k.as_str())
                    .is_some_and(|v| glob_match(p, v))
            })
            && self.survey.iter().all(|(q, a)| {
                c.survey
                    .iter()
                    .any(|(cq, ca)| glob_match(q, cq) && glob_match(a, ca))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_of_a_rule_must_hold() {
        let rule: PersonaRule = serde_norway::from_str(
            "first_channel: 'paid*'\nproperties: {customer_type: b2b}\nsurvey: {'*hear*': LinkedIn}",
        )
        .unwrap();
        let mut c = CustomerFacts {
            first_channel: Some("Paid Social"),
            properties: BTreeMap::from([("customer_type", "B2B")]),
            survey: vec![("How did you hear about us?", "linkedin")],
            ..CustomerFacts::default()
        };
        assert!(rule.matches(&c));
        c.survey.clear();
        assert!(!rule.matches(&c), "the survey answer is missing");
        c.survey.push(("How did you hear about us?", "Google"));
        assert!(!rule.matches(&c), "another answer");
        assert!(PersonaRule::default().matches(&c));
        assert!(PersonaRule::default().is_empty());
    }
}
