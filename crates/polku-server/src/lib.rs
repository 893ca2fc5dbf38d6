//! The polku web app: the shared workbench in a browser and the event collector.
//!
//! - [`collector`]: a Segment-compatible HTTP endpoint (`/v1/track`, `/v1/batch`...) that
//!   acknowledges an event only once it is durable in the workspace's spool, and folds the
//!   spool into the Parquet tables in the background.

pub mod collector;
