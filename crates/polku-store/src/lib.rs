//! The workspace folder on disk.
//!
//! Maps and personas are YAML files that people diff and review; every write goes to a
//! temporary file in the same folder and is renamed over the target, so a crash never leaves a
//! half-written file.

mod workspace;

pub use workspace::*;

// Event data and app state: Parquet tables under `events/` and `tables/`, `polku.db`.
pub mod app_db;
mod data_error;
pub mod events;
pub mod privacy;
pub mod schema;
pub mod spool;
pub mod stats;
pub mod write_keys;

pub use app_db::AppDb;
pub use data_error::DataError;
pub use events::EventStore;
