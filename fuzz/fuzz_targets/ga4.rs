//! ga4 event lines: any bytes must give rows or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polku_ingest::io::{ReadOptions, ga4};
use polku_ingest::testing::CountingSink;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions::new("fuzz.ndjson");
    let mut sink = CountingSink::default();
    let _ = ga4::read(data, &opts, &mut sink);
});
