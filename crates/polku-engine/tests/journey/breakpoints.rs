//! Breakpoints on generated journeys with a planted drop.

use polku_engine::breakpoints::PointKind;
use polku_engine::{Analytics, TimeRange};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::util::{D, Ev, MIN, T0, TestWorkspace, ev};

const MAP: &str = r"
title: Shop
conversion: buy
stages:
  - stage: awareness
    owner: marketing
    touchpoints:
      - {id: ad, name: Ad, match: {event: ad_click}}
  - stage: consideration
    owner: marketing
    touchpoints:
      - {id: guide, name: Guide, match: {event: guide_view}}
      - {id: pricing, name: Pricing, owner: sales, match: {event: pricing_view}}
  - stage: purchase
    owner: sales
    touchpoints:
      - {id: buy, name: Purchase, match: {event: purchase}}
";

/// Journeys ad → guide → pricing → buy; each step may be the last. In the second four weeks
/// far more customers leave at pricing (the planted drop).
fn generate(ws: &TestWorkspace) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut rows: Vec<Ev> = Vec::new();
    for c in 0..4000 {
        let who = format!("c{c}");
        let late = c % 2 == 1;
        let day = rng.random_range(0..27) + if late { 28 } else { 0 };
        let mut t = day * D + rng.random_range(0..600) * MIN;
        let leave_at_pricing = if late { 0.6 } else { 0.2 };
        let steps = [
            ("ad_click", 0.3),
            ("guide_view", 0.2),
            ("pricing_view", leave_at_pricing),
        ];
        let mut converted = true;
        for (event, leave) in steps {
            rows.push(ev(&who, t, event));
            t += rng.random_range(1..60) * MIN;
            if rng.random_bool(leave) {
                converted = false;
                break;
            }
        }
        if converted {
            rows.push(ev(&who, t, "purchase"));
        }
    }
    ws.events("imp1-00000", &rows);
}

#[test]
fn the_planted_drop_comes_first() {
    let mut ws = TestWorkspace::new();
    ws.map("shop", MAP);
    generate(&ws);
    let a = Analytics::open(ws.root()).unwrap();
    let period = TimeRange {
        from_us: Some(T0 + 28 * D),
        to_us: Some(T0 + 56 * D),
    };
    let r = a.breakpoints(&ws.model(), "shop", period, None).unwrap();
    assert_eq!(r.baseline, (T0, T0 + 28 * D));
    assert_eq!(r.conversion, "buy");
    assert_eq!(r.average_value, None, "no values: a conversion is worth 1");
    // The pricing touchpoint and its stage carry the same loss; they lead the list.
    let mut top: Vec<&str> = r.breakpoints[..2].iter().map(|b| b.id.as_str()).collect();
    top.sort_unstable();
    assert_eq!(top, ["consideration", "pricing"]);
    let first = r.breakpoints.iter().find(|b| b.id == "pricing").unwrap();
    assert_eq!(first.kind, PointKind::Touchpoint);
    assert_eq!(first.owner.as_deref(), Some("sales"));
    assert!((first.drop_off_rate - 0.6).abs() < 0.05, "{first:?}");
    assert!(
        (first.expected_rate.unwrap() - 0.2).abs() < 0.05,
        "{first:?}"
    );
    // About 0.4 of the ~1100 who reached pricing, all of whom would have bought.
    assert!(
        first.excess_lost > 350.0 && first.excess_lost < 550.0,
        "{first:?}"
    );
    assert!((first.downstream_conversion - 1.0).abs() < 1e-12);
    // Nothing else loses much.
    let stage = r
        .breakpoints
        .iter()
        .find(|b| b.id == "consideration")
        .unwrap();
    assert_eq!(stage.kind, PointKind::Stage);
    assert!(
        (stage.value_lost / first.value_lost - 1.0).abs() < 0.15,
        "{stage:?}"
    );
    for b in &r.breakpoints {
        if b.id != "pricing" && b.id != "consideration" {
            assert!(b.value_lost < first.value_lost / 5.0, "{b:?}");
        }
    }

    // Without a period: the last 28 days of data against the 28 days before.
    let latest = a
        .breakpoints(&ws.model(), "shop", TimeRange::ALL, None)
        .unwrap();
    assert_eq!(latest.period.1 - latest.period.0, 28 * D);
    assert_eq!(latest.baseline.1, latest.period.0);
    assert!(a.breakpoints(&ws.model(), "nope", period, None).is_err());
}
