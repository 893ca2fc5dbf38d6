//! The built-in stage variants and touchpoint catalogue, in Finnish and English.
//!
//! Both are data (`catalogue/*.yaml` in this crate) compiled into the binary, so that
//! `polku init`, the validator and the map editor share one list.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::ids::{CatalogueId, StageId};
use crate::types::{Language, Phase, StageDef, TouchpointKind};

/// A text in both product languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// Finnish.
    pub fi: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// The text in `lang`.
    #[must_use]
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Fi => &self.fi,
            Language::En => &self.en,
        }
    }
}

/// A named, ordered set of stages, e.g. awareness → … → loyalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageVariant {
    /// The variant's id, given to `polku init --stages`.
    pub id: String,
    /// The variant's name.
    pub name: Localized,
    /// The stages in order.
    pub stages: Vec<VariantStage>,
}

/// One stage of a [`StageVariant`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantStage {
    /// The stage's id.
    pub id: StageId,
    /// The universal phase of the stage.
    pub phase: Phase,
    /// The stage's name.
    pub name: Localized,
    /// What happens in the stage.
    pub description: Localized,
}

impl StageVariant {
    /// The variant's stages as workspace stage definitions in `lang`.
    #[must_use]
    pub fn stage_defs(&self, lang: Language) -> Vec<StageDef> {
        self.stages
            .iter()
            .map(|s| StageDef {
                id: s.id.clone(),
                name: s.name.get(lang).to_owned(),
                phase: Some(s.phase),
                description: Some(s.description.get(lang).to_owned()),
            })
            .collect()
    }
}

/// One entry of the touchpoint catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The entry's id, named by a touchpoint's `catalogue` field.
    pub id: CatalogueId,
    /// The touchpoint's name.
    pub name: Localized,
    /// Digital, physical or analog.
    pub kind: TouchpointKind,
    /// The usual channel.
    pub channel: Localized,
    /// Usual content formats, if the touchpoint carries content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Localized>,
    /// The phases where the touchpoint is typical.
    pub phases: Vec<Phase>,
}

/// The built-in catalogue: stage variants and touchpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The stage variants; the first is the default.
    pub stage_variants: Vec<StageVariant>,
    /// The touchpoints.
    pub touchpoints: Vec<CatalogueEntry>,
}

impl Catalogue {
    /// The built-in catalogue.
    ///
    /// # Panics
    /// Never in a released binary: the bundled YAML is checked by this crate's tests.
    pub fn builtin() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            serde_norway::from_str(include_str!("../catalogue/catalogue.yaml"))
                .expect("the bundled catalogue parses")
        })
    }

    /// The default stage variant (five stages, awareness to loyalty).
    #[must_use]
    pub fn default_variant(&self) -> &StageVariant {
        &self.stage_variants[0]
    }

    /// The stage variant with this id.
    #[must_use]
    pub fn variant(&self, id: &str) -> Option<&StageVariant> {
        self.stage_variants.iter().find(|v| v.id == id)
    }

    /// The catalogue entry with this id.
    #[must_use]
    pub fn touchpoint(&self, id: &CatalogueId) -> Option<&CatalogueEntry> {
        self.touchpoints.iter().find(|t| &t.id == id)
    }

    /// The touchpoints typical of a phase, in catalogue order.
    pub fn for_phase(&self, phase: Phase) -> impl Iterator<Item = &CatalogueEntry> {
        self.touchpoints
            .iter()
            .filter(move |t| t.phases.contains(&phase))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn builtin_catalogue_is_complete() {
        let c = Catalogue::builtin();
        assert!(
            c.stage_variants.len() >= 2,
            "the seeds' stage variants are available"
        );
        assert_eq!(
            c.default_variant().stages.len(),
            5,
            "the default has five stages"
        );
        let mut ids = HashSet::new();
        for t in &c.touchpoints {
            assert!(ids.insert(t.id.clone()), "duplicate catalogue id {}", t.id);
            assert!(!t.phases.is_empty(), "{} names no phase", t.id);
        }
        for phase in Phase::ALL {
            let kinds: HashSet<_> = c.for_phase(phase).map(|t| t.kind).collect();
            assert!(
                kinds.contains(&TouchpointKind::Digital),
                "{phase:?} has digital touchpoints"
            );
            assert!(
                kinds.contains(&TouchpointKind::Physical)
                    || kinds.contains(&TouchpointKind::Analog),
                "{phase:?} has physical or analog touchpoints"
            );
        }
        for v in &c.stage_variants {
            let ids: HashSet<_> = v.stages.iter().map(|s| &s.id).collect();
            assert_eq!(
                ids.len(),
                v.stages.len(),
                "stage ids of {} are unique",
                v.id
            );
        }
    }
}
