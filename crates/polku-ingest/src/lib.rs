//! Touchpoint data into a polku workspace.
//!
//! Web analytics, CRM, e-mail, ad platforms and surveys all export differently; this crate
//! turns their files into the one event table of [`polku_store`] (and its cost, survey and
//! interview tables), so that the analytics see one customer across every source.
//!
//! - [`io`]: format readers (CSV, NDJSON, Parquet with a column mapping; GA4 BigQuery exports
//!   and Segment messages without one), which know nothing of the store;
//! - [`normalize`]: pseudonyms, referrers, channel groups, event ids and deduplication;
//! - [`channel`]: GA4-like default channel grouping with workspace overrides;
//! - [`stitch`]: deterministic identity stitching;
//! - [`import_events`]: the all-or-nothing import of one file;
//! - [`tables`]: ad costs, survey answers and interviews;
//! - [`generate`]: a synthetic multi-channel data set with a known ground truth.
//!
//! ```no_run
//! use polku_ingest::{ImportOptions, NoProgress, import_events};
//!
//! let report = import_events(
//!     "my-workspace".as_ref(),
//!     "ga4_export.ndjson".as_ref(),
//!     &ImportOptions::default(),
//!     &NoProgress,
//! )?;
//! println!("{} events added, {} already there", report.added, report.duplicates);
//! # Ok::<(), polku_ingest::IngestError>(())
//! ```

#![deny(missing_docs)]

pub use error::{IngestError, RowError};
pub use field::{Field, MapSpec};
pub use import::{
    ImportOptions, ImportReport, NoProgress, Progress, current_user, import_events,
    import_events_locked, restitch,
};
pub use io::detect::Format;
pub use tables::{TableOptions, TableReport, import_costs, import_interviews, import_survey};
pub use time::{DEFAULT_TIMEZONE, TimeParser, parse_timezone};

pub mod channel;
pub mod collect;
mod error;
pub mod field;
pub mod generate;
pub mod import;
pub mod io;
pub mod normalize;
pub mod row;
pub mod stitch;
pub mod tables;
pub mod testing;
pub mod time;
