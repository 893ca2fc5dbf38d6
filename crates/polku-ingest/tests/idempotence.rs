//! Importing the same file or the same events again adds nothing.

use crate::util::{Ws, fixture, opts};

#[test]
fn reimporting_a_file_adds_nothing() {
    for name in ["web.csv", "ga4.ndjson", "segment.ndjson"] {
        let ws = Ws::new();
        let first = ws.import(&fixture(name), &opts()).unwrap();
        let events = ws.events();
        let again = ws.import(&fixture(name), &opts()).unwrap();
        assert_eq!(again.added, 0, "{name}");
        assert_eq!(again.duplicates, first.added + first.duplicates, "{name}");
        assert_eq!(again.file_hash, first.file_hash);
        assert_eq!(ws.events(), events, "{name}");
    }
}

#[test]
fn the_same_events_in_another_file_are_recognised() {
    let ws = Ws::new();
    ws.import(&fixture("web.csv"), &opts()).unwrap();
    // The same rows, columns reordered and one new row: only the new row is added.
    let text = "event_name,timestamp,client_id,user_id,utm_source,utm_medium,utm_campaign,page_url,referrer,session_id,revenue,currency,plan\n\
                page_view,2025-03-01 10:00:00,c1,,google,cpc,spring_sale,https://shop.example.com/,,s1,,,\n\
                page_view,2025-03-04 10:00:00,c9,,,,,https://shop.example.com/,,s9,,,\n";
    let path = ws.file("more.csv", text);
    let r = ws.import(&path, &opts()).unwrap();
    assert_eq!((r.added, r.duplicates), (1, 1));
    assert_eq!(ws.events().len(), 7);
}

#[test]
fn imports_are_logged() {
    let ws = Ws::new();
    ws.import(&fixture("web.csv"), &opts()).unwrap();
    ws.import(&fixture("web.csv"), &opts()).unwrap();
    let db = polku_store::AppDb::open(ws.root()).unwrap();
    let log = db.imports().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].file_hash, log[1].file_hash);
    assert_eq!(
        (log[0].rows_added, log[1].rows_added, log[1].duplicates),
        (6, 0, 6)
    );
    assert_eq!(log[0].user, "tester");
    assert_eq!(log[0].kind, "events");
}
