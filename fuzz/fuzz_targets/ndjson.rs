//! NDJSON events with inferred and dotted-path mappings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polku_ingest::io::{ReadOptions, ndjson};
use polku_ingest::testing::CountingSink;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else { return };
    let mut opts = ReadOptions::new("fuzz.ndjson");
    if pick & 1 != 0 {
        opts.mapping = vec![
            "time=ts".parse().unwrap(),
            "event=name".parse().unwrap(),
            "anonymous_id=ctx.device.id".parse().unwrap(),
            "value=props.0".parse().unwrap(),
        ];
    }
    let mut sink = CountingSink::default();
    let _ = ndjson::read(file, &opts, &mut sink);
});
