//! Integration tests of the importers against real workspace folders.

mod util;

mod bad_input;
mod formats;
mod idempotence;
mod parallel;
mod privacy;
mod robustness;
mod stats;
mod stitching;
mod tables;
