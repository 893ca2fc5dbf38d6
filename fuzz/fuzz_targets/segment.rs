//! segment event lines: any bytes must give rows or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polku_ingest::io::{ReadOptions, segment};
use polku_ingest::testing::CountingSink;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions::new("fuzz.ndjson");
    let mut sink = CountingSink::default();
    let _ = segment::read(data, &opts, &mut sink);
});
