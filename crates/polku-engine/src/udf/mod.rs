//! The functions polku adds to the query engine: one file per function.

pub mod conversion_paths;
pub mod file_order;
pub mod journey_path;
pub mod json_prop;
pub mod period;
pub(crate) mod sequence;
pub mod sessionize;
