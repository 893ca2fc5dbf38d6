//! Integration tests of the importers against real workspace folders.

mod util;

mod bad_input;
mod formats;
mod idempotence;
mod privacy;
mod stats;
mod stitching;
mod tables;
