//! Texts that cite their evidence.
//!
//! A persona or map must rest on evidence, not on staff opinion, so every descriptive item can
//! name where it comes from: `interview:int-03`, `survey:q7`, `crm:smb-segment`. In YAML an item
//! without evidence is a plain string; with evidence it is a mapping:
//!
//! ```yaml
//! goals:
//!   - Fill open positions fast
//!   - text: Reach passive candidates
//!     evidence: [interview:int-02, survey:q4]
//! ```

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::Step;

/// Where a piece of evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvidenceKind {
    /// A customer interview.
    Interview,
    /// A survey question.
    Survey,
    /// A CRM segment, field or report.
    Crm,
    /// Web or product analytics.
    Analytics,
    /// Observation, e.g. a shop visit or a recorded session.
    Observation,
    /// A document: a study, a report, desk research.
    Document,
}

impl EvidenceKind {
    /// Every kind, in the order shown to users.
    pub const ALL: [EvidenceKind; 6] = [
        EvidenceKind::Interview,
        EvidenceKind::Survey,
        EvidenceKind::Crm,
        EvidenceKind::Analytics,
        EvidenceKind::Observation,
        EvidenceKind::Document,
    ];

    /// The kind's name in YAML.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Interview => "interview",
            EvidenceKind::Survey => "survey",
            EvidenceKind::Crm => "crm",
            EvidenceKind::Analytics => "analytics",
            EvidenceKind::Observation => "observation",
            EvidenceKind::Document => "document",
        }
    }
}

/// A reference to one piece of evidence, written `KIND:REF`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EvidenceRef {
    /// Where the evidence comes from.
    pub kind: EvidenceKind,
    /// Which one: an interview id, a survey question, a CRM segment.
    pub reference: String,
}

impl std::str::FromStr for EvidenceRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((kind, reference)) = s.split_once(':') else {
            return Err(format!(
                "evidence `{s}` needs a kind: write KIND:REF, e.g. `interview:{s}`"
            ));
        };
        let kind_name = kind.trim();
        let kind = EvidenceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind_name)
            .ok_or_else(|| {
                let names: Vec<_> = EvidenceKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown evidence kind `{kind_name}`{}: use one of {}",
                    crate::suggest::did_you_mean(kind_name, names.iter().copied()),
                    names.join(", ")
                )
            })?;
        let reference = reference.trim();
        if reference.is_empty() {
            return Err(format!("evidence `{s}` names no reference after `:`"));
        }
        Ok(EvidenceRef {
            kind,
            reference: reference.to_owned(),
        })
    }
}

impl fmt::Display for EvidenceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.reference)
    }
}

impl Serialize for EvidenceRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EvidenceRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// A text with the evidence it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cited {
    /// The text.
    pub text: String,
    /// The evidence; empty for an assumption.
    pub evidence: Vec<EvidenceRef>,
}

impl Cited {
    /// A text without evidence.
    #[must_use]
    pub fn plain(text: impl Into<String>) -> Self {
        Cited {
            text: text.into(),
            evidence: Vec::new(),
        }
    }
}

impl From<&str> for Cited {
    fn from(text: &str) -> Self {
        Cited::plain(text)
    }
}

impl Serialize for Cited {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.evidence.is_empty() {
            return s.serialize_str(&self.text);
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("text", &self.text)?;
        map.serialize_entry("evidence", &self.evidence)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Cited {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextItemVisitor::<Cited>::new())
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.emotion.is_none() && self.actors.is_empty() && self.evidence.is_empty() {
            return s.serialize_str(&self.text);
        }
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("text", &self.text)?;
        if let Some(e) = self.emotion {
            map.serialize_entry("emotion", &e)?;
        }
        if !self.actors.is_empty() {
            map.serialize_entry("actors", &self.actors)?;
        }
        if !self.evidence.is_empty() {
            map.serialize_entry("evidence", &self.evidence)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextItemVisitor::<Step>::new())
    }
}

/// A text item that is written either as a plain string or as a mapping with extra keys.
trait TextItem: Sized {
    /// The keys the mapping form accepts, `text` first.
    const KEYS: &'static [&'static str];
    fn from_text(text: String) -> Self;
    fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
    fn text_mut(&mut self) -> &mut String;
}

impl TextItem for Cited {
    const KEYS: &'static [&'static str] = &["text", "evidence"];
    fn from_text(text: String) -> Self {
        Cited::plain(text)
    }
    fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "evidence" => self.evidence = map.next_value()?,
            _ => unreachable!("keys are checked against KEYS"),
        }
        Ok(())
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }
}

impl TextItem for Step {
    const KEYS: &'static [&'static str] = &["text", "emotion", "actors", "evidence"];
    fn from_text(text: String) -> Self {
        Step {
            text,
            ..Step::default()
        }
    }
    fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "emotion" => self.emotion = map.next_value()?,
            "actors" => self.actors = map.next_value()?,
            "evidence" => self.evidence = map.next_value()?,
            _ => unreachable!("keys are checked against KEYS"),
        }
        Ok(())
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }
}

struct TextItemVisitor<T>(std::marker::PhantomData<T>);

impl<T> TextItemVisitor<T> {
    fn new() -> Self {
        TextItemVisitor(std::marker::PhantomData)
    }
}

impl<'de, T: TextItem> Visitor<'de> for TextItemVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a text, or a mapping with keys {}", T::KEYS.join(", "))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::from_text(v.to_owned()))
    }

    // YAML reads `- 2024` or `- yes` as a number or a boolean; as a text item it means the text.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Ok(T::from_text(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Ok(T::from_text(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Ok(T::from_text(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Ok(T::from_text(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut item = T::from_text(String::new());
        let mut has_text = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "text" {
                *item.text_mut() = map.next_value()?;
                has_text = true;
            } else if T::KEYS.contains(&key.as_str()) {
                item.set(&key, &mut map)?;
            } else {
                return Err(de::Error::unknown_field(&key, T::KEYS));
            }
        }
        if !has_text {
            return Err(de::Error::missing_field("text"));
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_refs_parse_and_print() {
        let r: EvidenceRef = "interview:int-03".parse().unwrap();
        assert_eq!(r.kind, EvidenceKind::Interview);
        assert_eq!(r.to_string(), "interview:int-03");
        assert!(
            "int-03"
                .parse::<EvidenceRef>()
                .unwrap_err()
                .contains("needs a kind")
        );
        let err = "intervew:x".parse::<EvidenceRef>().unwrap_err();
        assert!(err.contains("did you mean `interview`"), "{err}");
        assert!("crm:".parse::<EvidenceRef>().is_err());
    }

    #[test]
    fn cited_is_a_string_without_evidence_and_a_mapping_with() {
        let plain: Cited = serde_norway::from_str("just text").unwrap();
        assert_eq!(plain, Cited::plain("just text"));
        assert_eq!(serde_norway::to_string(&plain).unwrap(), "just text\n");
        let cited: Cited =
            serde_norway::from_str("text: t\nevidence: [survey:q1, crm:smb]").unwrap();
        assert_eq!(cited.evidence.len(), 2);
        let back: Cited =
            serde_norway::from_str(&serde_norway::to_string(&cited).unwrap()).unwrap();
        assert_eq!(back, cited);
    }

    #[test]
    fn step_rejects_unknown_keys_and_needs_text() {
        let err = serde_norway::from_str::<Step>("text: a\nemotoin: 2").unwrap_err();
        assert!(err.to_string().contains("unknown field `emotoin`"), "{err}");
        assert!(serde_norway::from_str::<Step>("emotion: 2").is_err());
        let s: Step = serde_norway::from_str("text: a\nemotion: -2\nactors: [Me]").unwrap();
        assert_eq!(s.emotion, Some(-2));
    }
}
