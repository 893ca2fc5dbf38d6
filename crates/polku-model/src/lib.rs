//! The documents of a polku workspace and the rules they follow.
//!
//! A workspace is a folder of YAML files: `polku.yaml` (name, language, stages, teams),
//! `personas/*.yaml` and `maps/*.yaml`. This crate defines those documents ([`Persona`],
//! [`JourneyMap`], [`WorkspaceConfig`]), parses them with exact `file:line:column` positions,
//! validates them against each other, converts maps to and from Mermaid `journey` diagrams, and
//! carries the built-in stage variants, touchpoint catalogue and starter templates in Finnish
//! and English. It does no I/O: callers hand it text and get documents and diagnostics back.

pub mod catalogue;
pub mod diff;
pub mod event_match;
mod ids;
pub mod mermaid;
pub mod persona_rule;
mod source;
pub mod suggest;
pub mod templates;
mod text;
mod types;
pub mod workspace;

pub use event_match::{EventFields, EventMatch, glob_match};
pub use ids::{
    CatalogueId, InvalidId, MapId, PersonaId, StageId, TeamId, TouchpointId, is_valid_id, slugify,
};
pub use persona_rule::{CustomerFacts, PersonaRule};
pub use source::{Diagnostic, Position, Severity, SourceMap, Sourced, parse};
pub use text::{Cited, EvidenceKind, EvidenceRef};
pub use types::*;
pub use workspace::{Workspace, WorkspaceFile, validate};
