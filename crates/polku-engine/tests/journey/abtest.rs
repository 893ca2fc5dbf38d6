//! A/B tests against the textbook two-proportion z-test.

use polku_engine::{Analytics, TimeRange};

use crate::util::{Ev, MIN, TestWorkspace, ev};

fn exposed(who: &str, variant: &str, t: i64) -> Ev {
    ev(who, t, "ad_view").props(&format!(r#"{{"variant":"{variant}"}}"#))
}

#[test]
fn the_textbook_example() {
    // A: 100 of 1000 convert (10 %); B: 130 of 1000 (13 %). Pooled p = 0.115, standard
    // error 0.014267, z = 2.1027, two-sided p = 0.0355.
    let ws = TestWorkspace::new();
    let mut rows = Vec::new();
    for (variant, converted) in [("A", 100), ("B", 130)] {
        for i in 0..1000 {
            let who = format!("{variant}{i}");
            rows.push(exposed(&who, variant, 0));
            if i < converted {
                rows.push(ev(&who, 10 * MIN, "purchase"));
            }
        }
    }
    ws.events("imp1-00000", &rows);
    let a = Analytics::open(ws.root()).unwrap();
    let r = a.abtest("variant", "purchase", TimeRange::ALL).unwrap();
    assert_eq!(r.test, "z-test");
    let counts: Vec<(&str, u64, u64)> = r
        .variants
        .iter()
        .map(|v| (v.variant.as_str(), v.customers, v.conversions))
        .collect();
    assert_eq!(counts, [("A", 1000, 100), ("B", 1000, 130)]);
    assert!((r.statistic.unwrap() - 2.102_740_6).abs() < 1e-6);
    assert!((r.p_value.unwrap() - 0.035_488_45).abs() < 1e-6);
    assert!(!r.sample_too_small);
    assert!(r.verdict.contains("B converts best"), "{}", r.verdict);
    assert!(
        (r.variants[0].ci_low - 0.0829).abs() < 1e-3,
        "{:?}",
        r.variants[0]
    );
}

#[test]
fn small_samples_are_called_small_and_order_matters() {
    let ws = TestWorkspace::new();
    let mut rows = Vec::new();
    for i in 0..8 {
        let v = if i % 2 == 0 { "red" } else { "blue" };
        let who = format!("c{i}");
        // A purchase before the exposure does not count.
        rows.push(ev(&who, 0, "purchase"));
        rows.push(exposed(&who, v, MIN));
        if i < 3 {
            rows.push(ev(&who, 2 * MIN, "purchase"));
        }
    }
    // One customer sees both variants: counted in the first.
    rows.push(exposed("c0", "blue", 5 * MIN));
    ws.events("imp1-00000", &rows);
    let a = Analytics::open(ws.root()).unwrap();
    let r = a.abtest("variant", "purchase", TimeRange::ALL).unwrap();
    let counts: Vec<(&str, u64, u64)> = r
        .variants
        .iter()
        .map(|v| (v.variant.as_str(), v.customers, v.conversions))
        .collect();
    assert_eq!(counts, [("blue", 4, 1), ("red", 4, 2)]);
    assert_eq!(r.crossed_over, 1);
    assert!(r.sample_too_small);
    assert!(r.verdict.contains("too small"), "{}", r.verdict);
    assert!(a.abtest("arm", "purchase", TimeRange::ALL).is_err());
}
