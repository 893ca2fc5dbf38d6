//! Retention cohorts and repeat customers on a small known table.

use polku_engine::retention::RetentionQuery;
use polku_engine::time::Period;
use polku_engine::{Analytics, TimeRange};

use crate::util::{D, H, TestWorkspace, ev};

fn workspace() -> TestWorkspace {
    let ws = TestWorkspace::new();
    ws.events(
        "imp1-00000",
        &[
            ev("a", H, "login"),
            ev("a", D + H, "login"),
            ev("a", 3 * D + H, "login"),
            ev("b", 2 * H, "login"),
            ev("b", 2 * D + H, "login"),
            ev("c", D + 5 * H, "login"),
            ev("c", 2 * D, "login"),
            // Views do not make anyone active when retention is about logins.
            ev("b", D, "view"),
            ev("d", 4 * D, "view"),
            // Purchases: a twice on one day, b on two days, c once.
            ev("a", H, "purchase"),
            ev("a", 5 * H, "purchase"),
            ev("b", H, "purchase"),
            ev("b", 2 * D, "purchase"),
            ev("c", D, "purchase"),
        ],
    );
    ws
}

#[test]
fn daily_cohorts_of_an_event() {
    let ws = workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let q = RetentionQuery {
        event: Some("login".into()),
        period: Period::Day,
        range: TimeRange::ALL,
    };
    let rows = a.retention(&q).unwrap();
    let got: Vec<(&str, i64, u64)> = rows
        .iter()
        .map(|r| (r.cohort.as_str(), r.period, r.active))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-01-05", 0, 2),
            ("2026-01-05", 1, 1),
            ("2026-01-05", 2, 1),
            ("2026-01-05", 3, 1),
            ("2026-01-06", 0, 1),
            ("2026-01-06", 1, 1),
            ("2026-01-06", 2, 0),
        ]
    );
    assert_eq!(rows[0].retention, 1.0);
    assert_eq!(rows[1].retention, 0.5);
}

#[test]
fn weekly_cohorts_of_any_event() {
    let ws = workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let rows = a
        .retention(&RetentionQuery {
            event: None,
            period: Period::Week,
            range: TimeRange::ALL,
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].cohort.as_str(), rows[0].active), ("2026-01-05", 4));
}

#[test]
fn repeat_means_two_different_days() {
    let ws = workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let r = a.repeat(Some("purchase"), TimeRange::ALL).unwrap();
    assert_eq!((r.customers, r.repeat_customers), (3, 1));
    assert!((r.repeat_rate - 1.0 / 3.0).abs() < 1e-12);
    let any = a.repeat(None, TimeRange::ALL).unwrap();
    assert_eq!((any.customers, any.repeat_customers), (4, 3));
    let none = a.repeat(Some("refund"), TimeRange::ALL).unwrap();
    assert_eq!((none.customers, none.repeat_rate), (0, 0.0));
}
