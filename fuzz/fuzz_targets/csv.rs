//! CSV events with a column mapping: the first byte picks the mapping and delimiter, the rest
//! is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polku_ingest::io::{ReadOptions, csv};
use polku_ingest::testing::CountingSink;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else { return };
    let mut opts = ReadOptions::new("fuzz.csv");
    opts.delimiter = [None, Some(b','), Some(b';'), Some(b'\t')][usize::from(pick & 3)];
    if pick & 4 != 0 {
        opts.mapping = vec![
            "time=a".parse().unwrap(),
            "event=b".parse().unwrap(),
            "anonymous_id=c".parse().unwrap(),
            "value=d".parse().unwrap(),
        ];
    }
    if pick & 8 != 0 {
        opts.mapping.push("event='fuzzed'".parse().unwrap());
    }
    let mut sink = CountingSink::default();
    let _ = csv::read(file, &opts, &mut sink);
});
