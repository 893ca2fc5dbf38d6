//! The workspace folder on disk.
//!
//! Maps and personas are YAML files that people diff and review; every write goes to a
//! temporary file in the same folder and is renamed over the target, so a crash never leaves a
//! half-written file.

mod workspace;

pub use workspace::*;
