//! KPIs per channel group on a small known table with ad costs.

use polku_engine::kpis::KpiQuery;
use polku_engine::{Analytics, TimeRange};

use crate::util::{D, MIN, T0, TestWorkspace, ev, write_costs};

#[test]
fn three_layers_per_channel() {
    let ws = TestWorkspace::new();
    let rows = vec![
        ev("a", 0, "page_view").channel("Paid Search"),
        ev("a", 5 * MIN, "page_view").channel("Paid Search"),
        ev("a", 6 * MIN, "lead_created").channel("Paid Search"),
        ev("a", 2 * D, "page_view").channel("Email"),
        ev("b", D, "page_view").channel("Paid Search"),
        ev("b", D + MIN, "comment").channel("Paid Search"),
        ev("b", 3 * D, "page_view").channel("Paid Search"),
        ev("c", -5 * D, "page_view"),
        ev("c", D, "page_view").channel("Referral"),
        ev("c", D + 2 * MIN, "newsletter_signup").channel("Referral"),
        ev("a", 2 * D + 10 * MIN, "purchase")
            .channel("Email")
            .value(100.0),
    ];
    ws.events("imp1-00000", &rows);
    write_costs(
        &ws,
        &[
            (0, "Paid Search", 1000, 50, 40.0),
            (1, "Paid Search", 1000, 30, 20.0),
            (1, "Display", 500, 5, 10.0),
            (-5, "Paid Search", 1000, 100, 99.0),
        ],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let q = KpiQuery {
        range: TimeRange {
            from_us: Some(T0),
            to_us: Some(T0 + 10 * D),
        },
        ..KpiQuery::default()
    };
    let rows = a.kpis(&q).unwrap();
    let get = |c: &str| {
        rows.iter()
            .find(|r| r.channel == c)
            .unwrap_or_else(|| panic!("{c}"))
    };
    let paid = get("Paid Search");
    // a's first visit ever is here; b has two visits here, so the second is a return.
    assert_eq!(
        (
            paid.visits,
            paid.unique_visitors,
            paid.new_visitors,
            paid.returning_visitors
        ),
        (3, 2, 1, 1)
    );
    assert_eq!((paid.page_views, paid.comments, paid.leads), (4, 1, 1));
    // Visits of 6 min, 1 min and one event (0 s).
    assert_eq!(paid.avg_visit_s, Some(140.0));
    assert_eq!(paid.visit_frequency, 1.5);
    assert_eq!(paid.click_through_rate, Some(0.04));
    assert_eq!(paid.spend, Some(60.0));
    assert_eq!((paid.lead_customers, paid.converted_leads), (1, 1));
    assert_eq!(paid.lead_quality, Some(1.0));
    assert_eq!(paid.cost_per_lead, Some(60.0));
    assert_eq!(paid.return_on_ad_spend, Some(0.0));
    let email = get("Email");
    assert_eq!((email.visits, email.conversions), (1, 1));
    assert_eq!(email.conversion_value, 100.0);
    // a came back by e-mail after the search ad visit.
    assert_eq!((email.new_visitors, email.returning_visitors), (0, 1));
    let referral = get("Referral");
    assert_eq!((referral.new_visitors, referral.returning_visitors), (0, 1));
    assert_eq!((referral.subscriptions, referral.referral_visits), (1, 1));
    let display = get("Display");
    assert_eq!((display.visits, display.spend), (0, Some(10.0)));
    assert!(
        rows.iter().all(|r| r.channel != "Direct"),
        "outside the period"
    );
    assert_eq!(rows[0].channel, "Paid Search", "most visits first");

    // Without a period, returns within the data still count: b's second search visit and
    // a's e-mail visit; c's first visit (no channel) makes c new there and returning by
    // referral.
    let all = a.kpis(&KpiQuery::default()).unwrap();
    let get = |c: &str| {
        all.iter()
            .find(|r| r.channel == c)
            .unwrap_or_else(|| panic!("{c}"))
    };
    let counts = |c: &str| (get(c).new_visitors, get(c).returning_visitors);
    assert_eq!(counts("Paid Search"), (1, 1));
    assert_eq!(counts("Email"), (0, 1));
    assert_eq!(counts("Referral"), (0, 1));
}

const BOUND_MAP: &str = "\
id: m
title: Bound
stages:
  - stage: awareness
    touchpoints:
      - {id: ad, name: Search ad, match: {channel: Paid Search}}
      - {id: mail, name: Newsletter, match: {channel: Email, event: page_view}}
  - stage: consideration
    touchpoints:
      - {id: lead, name: Lead form, match: {event: lead_created}}
  - stage: purchase
    touchpoints:
      - {id: buy, name: Checkout, match: {event: purchase}}
";

/// The table of `three_layers_per_channel` over a map, worked by hand: a visit belongs to the
/// touchpoint of its first matching event (a's lead and b's comment come in visits that start
/// with the search ad), costs follow the rules made of cost fields only.
#[test]
fn three_layers_per_touchpoint_and_stage() {
    use polku_engine::kpis::{MapLevel, UNMATCHED};
    let mut ws = TestWorkspace::new();
    ws.map("m", BOUND_MAP);
    ws.events(
        "imp1-00000",
        &[
            ev("a", 0, "page_view").channel("Paid Search"),
            ev("a", 5 * MIN, "page_view").channel("Paid Search"),
            ev("a", 6 * MIN, "lead_created").channel("Paid Search"),
            ev("a", 2 * D, "page_view").channel("Email"),
            ev("a", 2 * D + 10 * MIN, "purchase")
                .channel("Email")
                .value(100.0),
            ev("b", D, "page_view").channel("Paid Search"),
            ev("b", D + MIN, "comment").channel("Paid Search"),
            ev("b", 3 * D, "page_view").channel("Paid Search"),
            ev("c", -5 * D, "page_view"),
            ev("c", D, "page_view").channel("Referral"),
            ev("c", D + 2 * MIN, "newsletter_signup").channel("Referral"),
        ],
    );
    write_costs(
        &ws,
        &[
            (0, "Paid Search", 1000, 50, 40.0),
            (1, "Paid Search", 1000, 30, 20.0),
            (1, "Display", 500, 5, 10.0),
        ],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let q = KpiQuery {
        range: TimeRange {
            from_us: Some(T0),
            to_us: Some(T0 + 10 * D),
        },
        ..KpiQuery::default()
    };
    let model = ws.model();
    let rows = a
        .kpis_on_map(&model, "m", MapLevel::Touchpoint, &q)
        .unwrap();
    // ((row, visits, visitors, new, returning, page views, comments, subscriptions),
    //  (referral visits, lead customers, converted leads, conversions, value, avg visit s,
    //   spend, CTR))
    type Line<'a> = (
        (&'a str, u64, u64, u64, u64, u64, u64, u64),
        (
            u64,
            u64,
            u64,
            u64,
            f64,
            Option<f64>,
            Option<f64>,
            Option<f64>,
        ),
    );
    fn table(rows: &[polku_engine::kpis::KpiRow]) -> Vec<Line<'_>> {
        rows.iter()
            .map(|r| {
                (
                    (
                        r.channel.as_str(),
                        r.visits,
                        r.unique_visitors,
                        r.new_visitors,
                        r.returning_visitors,
                        r.page_views,
                        r.comments,
                        r.subscriptions,
                    ),
                    (
                        r.referral_visits,
                        r.lead_customers,
                        r.converted_leads,
                        r.conversions,
                        r.conversion_value,
                        r.avg_visit_s,
                        r.spend,
                        r.click_through_rate,
                    ),
                )
            })
            .collect()
    }
    let expected: Vec<Line<'_>> = vec![
        (
            ("ad", 3, 2, 1, 1, 4, 1, 0),
            (0, 1, 1, 0, 0.0, Some(140.0), Some(60.0), Some(0.04)),
        ),
        (
            ("mail", 1, 1, 0, 1, 1, 0, 0),
            (0, 0, 0, 1, 100.0, Some(600.0), None, None),
        ),
        (
            ("lead", 0, 0, 0, 0, 0, 0, 0),
            (0, 0, 0, 0, 0.0, None, None, None),
        ),
        (
            ("buy", 0, 0, 0, 0, 0, 0, 0),
            (0, 0, 0, 0, 0.0, None, None, None),
        ),
        (
            (UNMATCHED, 1, 1, 0, 1, 1, 0, 1),
            (1, 0, 0, 0, 0.0, Some(120.0), None, None),
        ),
    ];
    assert_eq!(table(&rows), expected);
    assert_eq!(rows[0].cost_per_lead, Some(60.0));

    let stages = a.kpis_on_map(&model, "m", MapLevel::Stage, &q).unwrap();
    let expected: Vec<Line<'_>> = vec![
        (
            ("awareness", 4, 2, 0, 2, 5, 1, 0),
            (0, 1, 1, 1, 100.0, Some(255.0), Some(60.0), Some(0.04)),
        ),
        (
            ("consideration", 0, 0, 0, 0, 0, 0, 0),
            (0, 0, 0, 0, 0.0, None, None, None),
        ),
        (
            ("purchase", 0, 0, 0, 0, 0, 0, 0),
            (0, 0, 0, 0, 0.0, None, None, None),
        ),
        (
            (UNMATCHED, 1, 1, 0, 1, 1, 0, 1),
            (1, 0, 0, 0, 0.0, Some(120.0), None, None),
        ),
    ];
    assert_eq!(table(&stages), expected);
    // The rows add up to the channel table's totals.
    let channels = a.kpis(&q).unwrap();
    let total = |rows: &[polku_engine::kpis::KpiRow]| -> (u64, u64) {
        (
            rows.iter().map(|r| r.visits).sum(),
            rows.iter().map(|r| r.page_views).sum(),
        )
    };
    assert_eq!(total(&rows), total(&channels));
    assert_eq!(total(&stages), total(&channels));
    let err = a
        .kpis_on_map(&model, "nope", MapLevel::Stage, &q)
        .unwrap_err();
    assert!(err.to_string().contains("no map `nope`"), "{err}");
}
