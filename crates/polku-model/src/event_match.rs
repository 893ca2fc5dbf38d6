//! Rules that bind a map's touchpoints to events in the data.
//!
//! A touchpoint on the wall is a claim ("customers read our guide"); a `match` rule says which
//! events are that touchpoint, so the map can show measured volumes and drop-off next to the
//! claim:
//!
//! ```yaml
//! touchpoints:
//!   - id: guide
//!     name: Recruitment guide
//!     match:
//!       event: page_view
//!       url: "*/guides/recruitment*"
//!   - id: search-ad
//!     name: Search ad
//!     match:
//!       - {channel: Paid Search, campaign: "rekry-*"}
//!       - {source: bing, medium: cpc}
//! ```
//!
//! Every field of a rule must match (and), any rule of a touchpoint may match (or). Values
//! compare without regard to case, and `*` stands for any run of characters, `?` for one.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// One rule: the event fields it requires.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMatch {
    /// The event name, e.g. `page_view`, `form_submit`, `purchase`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The channel group, e.g. `Paid Search`, `Email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The traffic source, e.g. `google`, `newsletter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The traffic medium, e.g. `cpc`, `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// The campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The page URL or path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Values of the event's properties, by property name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

/// The fields of one event that rules look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFields<'a> {
    /// The event name.
    pub event: Option<&'a str>,
    /// The channel group.
    pub channel: Option<&'a str>,
    /// The traffic source.
    pub source: Option<&'a str>,
    /// The traffic medium.
    pub medium: Option<&'a str>,
    /// The campaign.
    pub campaign: Option<&'a str>,
    /// The page URL or path.
    pub url: Option<&'a str>,
}

impl EventMatch {
    /// Whether the rule requires nothing (and so would match every event).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self == &EventMatch::default()
    }

    /// The rule's field conditions as (field name, pattern), in a fixed order.
    pub fn conditions(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("event", &self.event),
            ("channel", &self.channel),
            ("source", &self.source),
            ("medium", &self.medium),
            ("campaign", &self.campaign),
            ("url", &self.url),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    }

    /// Whether an event matches the rule; `property` looks up the event's property values.
    pub fn matches<'a>(
        &self,
        fields: &EventFields<'a>,
        property: impl Fn(&str) -> Option<&'a str>,
    ) -> bool {
        let field = |name: &str| match name {
            "event" => fields.event,
            "channel" => fields.channel,
            "source" => fields.source,
            "medium" => fields.medium,
            "campaign" => fields.campaign,
            _ => fields.url,
        };
        self.conditions()
            .all(|(name, pattern)| field(name).is_some_and(|v| glob_match(pattern, v)))
            && self
                .properties
                .iter()
                .all(|(k, pattern)| property(k).is_some_and(|v| glob_match(pattern, v)))
    }
}

/// Whether `text` matches `pattern`, ignoring case; `*` is any run of characters, `?` one.
#[must_use]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Reads a rule field (`match:`, `rules:`) as one rule or a list of rules.
pub(crate) fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct OneOrMany<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a rule or a list of rules")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Ok(vec![T::deserialize(
                de::value::MapAccessDeserializer::new(map),
            )?])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut rules = Vec::new();
            while let Some(rule) = seq.next_element()? {
                rules.push(rule);
            }
            Ok(rules)
        }
    }
    d.deserialize_any(OneOrMany(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_case_insensitively() {
        assert!(glob_match("*/pricing*", "https://x.fi/Pricing?plan=a"));
        assert!(glob_match("rekry-?", "REKRY-1"));
        assert!(!glob_match("rekry-?", "rekry-12"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("Ääni*", "äänikirja"));
        assert!(!glob_match("", "x"));
    }

    #[test]
    fn every_field_of_a_rule_must_match() {
        let rule: EventMatch =
            serde_norway::from_str("event: page_view\nurl: '*/guide*'\nproperties: {lang: fi}")
                .unwrap();
        let fields = EventFields {
            event: Some("page_view"),
            url: Some("/guide/x"),
            ..EventFields::default()
        };
        assert!(rule.matches(&fields, |k| (k == "lang").then_some("fi")));
        assert!(
            !rule.matches(&fields, |_| None),
            "a required property is missing"
        );
        let other = EventFields {
            event: Some("click"),
            ..fields
        };
        assert!(!rule.matches(&other, |_| Some("fi")));
    }

    #[test]
    fn match_is_one_rule_or_a_list() {
        #[derive(Deserialize)]
        struct T {
            #[serde(rename = "match", deserialize_with = "one_or_many")]
            m: Vec<EventMatch>,
        }
        let one: T = serde_norway::from_str("match: {event: a}").unwrap();
        assert_eq!(one.m.len(), 1);
        let two: T = serde_norway::from_str("match: [{event: a}, {source: b}]").unwrap();
        assert_eq!(two.m.len(), 2);
        let bad = serde_norway::from_str::<T>("match: {evnt: a}")
            .err()
            .unwrap();
        assert!(bad.to_string().contains("unknown field `evnt`"), "{bad}");
    }
}
