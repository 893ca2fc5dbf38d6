//! Pseudonymisation and erasure.

use polku_store::privacy::forget;
use polku_store::schema::Table;
use polku_store::{AppDb, EventStore};

use crate::util::{Ws, fixture, opts};

#[test]
fn pseudonyms_replace_identifiers_consistently() {
    let ws = Ws::new();
    let mut o = opts();
    o.pseudonymize = true;
    ws.import(&fixture("web.csv"), &o).unwrap();
    let ev = ws.events();
    let all_text = format!("{ev:?}");
    assert!(!all_text.contains("anni@example.com"));
    assert!(!all_text.contains("\"c1\""));
    let anni: Vec<_> = ev.iter().filter_map(|e| e.user_id.clone()).collect();
    assert!(
        anni.iter()
            .all(|u| u.starts_with("p-") && u.len() == 34 && *u == anni[0])
    );
    // Stitching works on pseudonyms.
    let c1 = ev[0].anonymous_id.clone().unwrap();
    assert!(
        ev.iter()
            .filter(|e| e.anonymous_id.as_deref() == Some(&c1))
            .all(|e| e.customer.as_deref() == Some(&anni[0]))
    );
    // Re-import with pseudonyms adds nothing.
    assert_eq!(ws.import(&fixture("web.csv"), &o).unwrap().added, 0);
}

#[test]
fn forget_removes_a_person_everywhere_and_keeps_them_out() {
    let ws = Ws::new();
    ws.import(&fixture("web.csv"), &opts()).unwrap();
    ws.import(&fixture("segment.ndjson"), &opts()).unwrap();
    let table_opts = polku_ingest::TableOptions {
        channel_rules: Some(Vec::new()),
        ..Default::default()
    };
    polku_ingest::import_survey(ws.root(), &fixture("survey_wide.csv"), &table_opts).unwrap();
    polku_ingest::import_interviews(ws.root(), &fixture("interviews.yaml"), &table_opts).unwrap();
    let before = ws.events().len();
    let report = forget(ws.root(), "anni@example.com", "dpo").unwrap();
    // anni has four events on device c1 (three anonymous, stitched by the sign-up).
    assert_eq!(report.rows_removed.get("events"), Some(&4));
    assert_eq!(report.rows_removed.get("survey"), Some(&2));
    assert_eq!(report.rows_removed.get("interviews"), Some(&2));
    let ev = ws.events();
    assert_eq!(ev.len(), before - 4);
    let text = format!("{ev:?}");
    assert!(
        !text.contains("anni@example.com") && !text.contains("\"c1\""),
        "{text}"
    );
    let db = AppDb::open(ws.root()).unwrap();
    assert!(
        db.identity_links()
            .unwrap()
            .iter()
            .all(|l| !l.a.contains("c1") && !l.b.contains("anni"))
    );
    let audit = db.audit_log().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].user.as_str()),
        ("forget", "dpo")
    );
    assert!(!audit[0].subject.contains("anni") && audit[0].subject.starts_with("s-"));
    assert!(audit[0].detail.contains("\"events\":4"));
    // Re-importing the old file does not bring anni back.
    let r = ws.import(&fixture("web.csv"), &opts()).unwrap();
    assert_eq!((r.added, r.suppressed), (0, 4));
    // Forgetting a customer id works for stitched users too.
    let r = forget(ws.root(), "user-9", "dpo").unwrap();
    assert_eq!(r.rows_removed.get("events"), Some(&3));
    assert!(forget(ws.root(), "nobody", "dpo").is_err());
    let store = EventStore::open(ws.root());
    let mut n = 0;
    store
        .scan(Table::Events, None, |_, b| {
            n += b.num_rows();
            Ok(())
        })
        .unwrap();
    assert_eq!(n, before - 7);
}
