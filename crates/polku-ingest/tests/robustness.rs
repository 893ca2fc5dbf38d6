//! Importers never panic, whatever the bytes: random input and mutated fixtures.

use polku_ingest::io::{ReadOptions, csv, ga4, ndjson, segment};
use polku_ingest::testing::CountingSink;
use proptest::prelude::*;

use crate::util::{Ws, fixture, opts};

fn all_readers(bytes: &[u8]) {
    let mut o = ReadOptions::new("p");
    for delimiter in [None, Some(b';')] {
        o.delimiter = delimiter;
        let _ = csv::read(bytes, &o, &mut CountingSink::default());
    }
    o.mapping = vec![
        "time=a".parse().unwrap(),
        "event=b".parse().unwrap(),
        "user_id=c".parse().unwrap(),
    ];
    let _ = csv::read(bytes, &o, &mut CountingSink::default());
    let _ = ndjson::read(bytes, &o, &mut CountingSink::default());
    let o = ReadOptions::new("p");
    let _ = ndjson::read(bytes, &o, &mut CountingSink::default());
    let _ = ga4::read(bytes, &o, &mut CountingSink::default());
    let _ = segment::read(bytes, &o, &mut CountingSink::default());
}

fn mutate(base: &[u8], edits: &[(usize, u8)]) -> Vec<u8> {
    let mut v = base.to_vec();
    for (pos, byte) in edits {
        if v.is_empty() {
            break;
        }
        let i = pos % v.len();
        match byte % 4 {
            0 => v[i] = *byte,
            1 => {
                v.remove(i);
            }
            2 => v.insert(i, *byte),
            _ => v.truncate(i),
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn readers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        all_readers(&bytes);
    }

    #[test]
    fn readers_never_panic_on_mutated_fixtures(which in 0usize..5, edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..12)) {
        let name = ["web.csv", "crm_leads.csv", "events.ndjson", "ga4.ndjson", "segment.ndjson"][which];
        let base = std::fs::read(fixture(name)).unwrap();
        all_readers(&mutate(&base, &edits));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The whole import, store included, on damaged files: an error or a clean import.
    #[test]
    fn imports_never_panic(which in 0usize..4, edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), quarantine in any::<bool>()) {
        let name = ["web.csv", "events.ndjson", "ga4.ndjson", "segment.ndjson"][which];
        let ws = Ws::new();
        let path = ws.root().join(name);
        std::fs::write(&path, mutate(&std::fs::read(fixture(name)).unwrap(), &edits)).unwrap();
        let mut o = opts();
        if quarantine {
            o.quarantine = Some(ws.root().join("q.txt"));
        }
        if name == "events.ndjson" {
            o.mapping = vec!["anonymous_id=visitor".parse().unwrap(), "event=name".parse().unwrap()];
        }
        if let Ok(r) = ws.import(&path, &o) {
            prop_assert_eq!(ws.events().len() as u64, r.added);
        }
    }
}

/// Inputs the fuzzers once found a fault with, kept as regression tests.
#[test]
fn past_fuzzer_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        // The CSV target's first byte picks the options; the readers take the rest as the file.
        all_readers(&bytes);
        all_readers(bytes.get(1..).unwrap_or_default());
        let mut o = ReadOptions::new("f");
        o.mapping = vec![
            "time=a".parse().unwrap(),
            "event=b".parse().unwrap(),
            "anonymous_id=c".parse().unwrap(),
            "value=d".parse().unwrap(),
        ];
        let _ = csv::read(
            bytes.get(1..).unwrap_or_default(),
            &o,
            &mut CountingSink::default(),
        );
    }
}
