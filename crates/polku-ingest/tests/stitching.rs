//! Identity stitching across imports.

use crate::util::{Ws, opts};

#[test]
fn a_later_import_restitches_earlier_events() {
    let ws = Ws::new();
    let web = ws.file(
        "web.csv",
        "time,event,anonymous_id,user_id\n2025-03-01 10:00,page_view,d1,\n2025-03-02 10:00,page_view,d2,\n2025-03-03 10:00,page_view,d3,\n",
    );
    ws.import(&web, &opts()).unwrap();
    let customers: Vec<_> = ws
        .events()
        .into_iter()
        .map(|e| e.customer.unwrap())
        .collect();
    assert_eq!(customers, ["d1", "d2", "d3"]);
    // A CRM import logs the user in on two of the devices.
    let crm = ws.file("crm.csv", "time,event,anonymous_id,user_id\n2025-03-04 10:00,login,d1,u7\n2025-03-05 10:00,login,d2,u7\n");
    let r = ws.import(&crm, &opts()).unwrap();
    assert_eq!((r.new_links, r.restitched_files), (2, 1));
    let ev = ws.events();
    let by_anon = |a: &str| {
        ev.iter()
            .filter(|e| e.anonymous_id.as_deref() == Some(a))
            .map(|e| e.customer.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(by_anon("d1"), ["u7", "u7"]);
    assert_eq!(by_anon("d2"), ["u7", "u7"]);
    assert_eq!(by_anon("d3"), ["d3"]);
}

#[test]
fn stitching_does_not_depend_on_import_order() {
    let a = "time,event,anonymous_id,user_id\n2025-03-01 10:00,x,d1,zed\n2025-03-01 11:00,x,d2,\n";
    let b =
        "time,event,anonymous_id,user_id\n2025-03-02 10:00,y,d2,amy\n2025-03-02 11:00,y,d1,amy\n";
    let run = |first: &str, second: &str| {
        let ws = Ws::new();
        let f1 = ws.file("1.csv", first);
        let f2 = ws.file("2.csv", second);
        ws.import(&f1, &opts()).unwrap();
        ws.import(&f2, &opts()).unwrap();
        let mut c: Vec<_> = ws
            .events()
            .into_iter()
            .map(|e| (e.event_id, e.customer))
            .collect();
        c.sort();
        c
    };
    let ab = run(a, b);
    assert_eq!(ab, run(b, a));
    assert!(
        ab.iter().all(|(_, c)| c.as_deref() == Some("amy")),
        "{ab:?}"
    );
}
