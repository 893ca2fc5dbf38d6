//! Counts over the store.

use polku_store::stats::stats;

use crate::util::{Ws, fixture, opts, us};

#[test]
fn stats_count_events_customers_and_sources() {
    let ws = Ws::new();
    let empty = stats(ws.root()).unwrap();
    assert_eq!((empty.events, empty.customers, empty.first), (0, 0, None));
    ws.import(&fixture("web.csv"), &opts()).unwrap();
    ws.import(&fixture("segment.ndjson"), &opts()).unwrap();
    let s = stats(ws.root()).unwrap();
    assert_eq!(s.events, 9);
    // anni (c1), c2, c3, user-9.
    assert_eq!(s.customers, 4);
    assert_eq!(s.first, Some(us("2025-03-01T08:00:00Z")));
    assert_eq!(s.last, Some(us("2025-03-05T08:00:00Z")));
    assert_eq!(s.sources.get("csv"), Some(&6));
    assert_eq!(s.sources.get("segment"), Some(&3));
    assert_eq!(
        s.channels.get("Paid Search"),
        Some(&3),
        "the landing and two later hits of session s1"
    );
    assert_eq!(s.imports, 2);
}
