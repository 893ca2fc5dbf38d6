//! Breakpoints on generated journeys with a planted drop.

use polku_engine::breakpoints::{Baseline, BreakpointQuery, PersonaSplit, PointKind};
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
    // The last stage has no later one to leave for; its touchpoint is listed.
    assert!(!r.breakpoints.iter().any(|b| b.id == "purchase"));
    assert!(r.breakpoints.iter().any(|b| b.id == "buy"));
    assert!(a.breakpoints(&ws.model(), "nope", period, None).is_err());
}

/// The same journeys without a planted drop, but in the second four weeks the customers who
/// buy take days instead of minutes from pricing to the purchase: consideration stalls.
#[test]
fn a_planted_stall_is_found_against_the_previous_period() {
    let mut ws = TestWorkspace::new();
    ws.map("shop", MAP);
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut rows: Vec<Ev> = Vec::new();
    for c in 0..3000 {
        let who = format!("c{c}");
        let late = c % 2 == 1;
        let day = rng.random_range(0..20) + if late { 28 } else { 0 };
        let mut t = day * D + rng.random_range(0..600) * MIN;
        let mut converted = true;
        for (event, leave) in [
            ("ad_click", 0.3),
            ("guide_view", 0.2),
            ("pricing_view", 0.2),
        ] {
            rows.push(ev(&who, t, event));
            t += rng.random_range(1..60) * MIN;
            if rng.random_bool(leave) {
                converted = false;
                break;
            }
        }
        if converted {
            if late {
                t += rng.random_range(2..6) * D;
            }
            rows.push(ev(&who, t, "purchase"));
        }
    }
    ws.events("imp1-00000", &rows);
    let a = Analytics::open(ws.root()).unwrap();
    let period = TimeRange {
        from_us: Some(T0 + 28 * D),
        to_us: Some(T0 + 56 * D),
    };
    let r = a.breakpoints(&ws.model(), "shop", period, None).unwrap();
    let stalled: Vec<&str> = r
        .breakpoints
        .iter()
        .filter(|b| b.stalled_by.is_some())
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(stalled, ["consideration"], "{:#?}", r.breakpoints);
    let b = r
        .breakpoints
        .iter()
        .find(|b| b.id == "consideration")
        .unwrap();
    assert_eq!(b.stalled_by, Some(Baseline::PreviousPeriod));
    let (now, before) = (
        b.median_time_in_stage_s.unwrap(),
        b.expected_time_in_stage_s.unwrap(),
    );
    // Minutes before (two steps of 1–59 minutes), days now.
    assert!(before > 60.0 && before < 2.0 * 3600.0, "{b:?}");
    assert!(now > 2.0 * 86_400.0 && now < 6.0 * 86_400.0, "{b:?}");
    // A stall delays conversions: it loses nothing, and it leads the rows that lose nothing.
    assert!(b.value_lost.abs() < 1e-9, "{b:?}");
    let first_free = r
        .breakpoints
        .iter()
        .position(|x| x.value_lost == 0.0)
        .unwrap();
    assert_eq!(r.breakpoints[first_free].id, "consideration");
    // Touchpoints have no time in stage.
    let pricing = r.breakpoints.iter().find(|b| b.id == "pricing").unwrap();
    assert_eq!(pricing.median_time_in_stage_s, None);
}

/// Two personas by a `segment` property (and a few customers no rule takes), the same journeys
/// as above in both periods except two planted drops: business customers always leave at
/// pricing three times as often as consumers (a persona drop the previous period cannot show),
/// and in the second period consumers leave at the guide more than before (a drop both
/// baselines show). Purchases are worth 1000 € for business customers and 100 € for consumers.
fn generate_personas(ws: &mut TestWorkspace, usd: bool) {
    ws.persona(
        "a-business",
        "id: a-business\nname: Business\nrules:\n  - properties: {segment: b2b}\n",
    )
    .persona(
        "b-consumer",
        "id: b-consumer\nname: Consumer\nrules:\n  - properties: {segment: b2c}\n",
    )
    .persona("c-guess", "id: c-guess\nname: Guess\n");
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut rows: Vec<Ev> = Vec::new();
    for c in 0..6000 {
        let who = format!("c{c}");
        let late = c % 2 == 1;
        let segment = match (c / 2) % 20 {
            0 => None,
            x if x % 2 == 0 => Some("b2b"),
            _ => Some("b2c"),
        };
        let day = rng.random_range(0..27) + if late { 28 } else { 0 };
        let mut t = day * D + rng.random_range(0..600) * MIN;
        let (guide, pricing, value) = match segment {
            Some("b2b") => (0.2, 0.6, 1000.0),
            Some(_) => (if late { 0.5 } else { 0.2 }, 0.2, 100.0),
            None => (0.2, 0.2, 100.0),
        };
        let steps = [
            ("ad_click", 0.3),
            ("guide_view", guide),
            ("pricing_view", pricing),
        ];
        let mut converted = true;
        for (i, (event, leave)) in steps.into_iter().enumerate() {
            let mut e = ev(&who, t, event);
            if let (0, Some(s)) = (i, segment) {
                e = e.props(&format!(r#"{{"segment":"{s}"}}"#));
            }
            rows.push(e);
            t += rng.random_range(1..60) * MIN;
            if rng.random_bool(leave) {
                converted = false;
                break;
            }
        }
        if converted {
            let currency = if usd && c % 7 == 0 { "USD" } else { "EUR" };
            rows.push(ev(&who, t, "purchase").value(value).currency(currency));
        }
    }
    ws.events("imp1-00000", &rows);
}

fn late_period() -> TimeRange {
    TimeRange {
        from_us: Some(T0 + 28 * D),
        to_us: Some(T0 + 56 * D),
    }
}

#[test]
fn a_drop_in_one_persona_is_found_against_the_other_personas() {
    let mut ws = TestWorkspace::new();
    ws.map("shop", MAP);
    generate_personas(&mut ws, false);
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    let query = |personas| BreakpointQuery {
        period: late_period(),
        baseline: None,
        personas,
    };
    let r = a
        .breakpoints_of(&model, "shop", &query(PersonaSplit::Each))
        .unwrap();
    assert!(r.by_persona);
    assert_eq!(r.currency.as_deref(), Some("EUR"));
    assert_eq!(r.currencies, ["EUR"]);
    // Rows for both personas with rules and for the customers no rule takes, none for the
    // persona without rules.
    let mut personas: Vec<Option<&str>> =
        r.breakpoints.iter().map(|b| b.persona.as_deref()).collect();
    personas.sort_unstable();
    personas.dedup();
    assert_eq!(personas, [None, Some("a-business"), Some("b-consumer")]);
    let row = |persona: &str, id: &str| {
        r.breakpoints
            .iter()
            .find(|b| b.persona.as_deref() == Some(persona) && b.id == id)
            .unwrap()
    };

    // Business customers at pricing: as many leave as in the previous period, three times as
    // many as everyone else's customers.
    let pricing = row("a-business", "pricing");
    assert_eq!(
        pricing.flagged_by,
        Some(Baseline::OtherPersonas),
        "{pricing:?}"
    );
    assert!((pricing.drop_off_rate - 0.6).abs() < 0.05, "{pricing:?}");
    assert!(
        (pricing.expected_previous.unwrap() - 0.6).abs() < 0.06,
        "{pricing:?}"
    );
    // Everyone else: consumers (0.2) and the customers no rule takes (0.2).
    assert!(
        (pricing.expected_others.unwrap() - 0.2).abs() < 0.05,
        "{pricing:?}"
    );
    assert_eq!(
        pricing.expected_rate, pricing.expected_others,
        "the stronger expectation"
    );
    #[allow(clippy::cast_precision_loss)]
    let reached = pricing.reached as f64;
    let excess = (pricing.drop_off_rate - pricing.expected_others.unwrap()) * reached;
    assert!((pricing.excess_lost - excess).abs() < 1e-9);
    // The business average value, not everyone's.
    assert_eq!(pricing.average_value, Some(1000.0));
    assert!((pricing.downstream_conversion - 1.0).abs() < 1e-12);
    assert!((pricing.value_lost - excess * 1000.0).abs() < 1e-6);
    // It is what to fix first (with its stage, which carries the same loss).
    let mut top: Vec<&str> = r.breakpoints[..2].iter().map(|b| b.id.as_str()).collect();
    top.sort_unstable();
    assert_eq!(top, ["consideration", "pricing"]);
    assert!(
        r.breakpoints[..2]
            .iter()
            .all(|b| b.persona.as_deref() == Some("a-business"))
    );

    // Consumers at the guide: more leave than before and than everyone else.
    let guide = row("b-consumer", "guide");
    assert_eq!(guide.flagged_by, Some(Baseline::Both), "{guide:?}");
    assert!(
        (guide.expected_previous.unwrap() - 0.2).abs() < 0.05,
        "{guide:?}"
    );
    assert_eq!(guide.average_value, Some(100.0));
    // Nothing unplanted is flagged.
    for b in &r.breakpoints {
        if b.kind == PointKind::Touchpoint
            && !matches!(
                (b.persona.as_deref(), b.id.as_str()),
                (Some("a-business"), "pricing") | (Some("b-consumer"), "guide")
            )
        {
            assert_eq!(b.flagged_by, None, "{b:?}");
        }
    }
    // Sorted by value lost.
    assert!(
        r.breakpoints
            .windows(2)
            .all(|w| w[0].value_lost >= w[1].value_lost)
    );

    // One persona: only its rows, with the same numbers.
    let one = a
        .breakpoints_of(
            &model,
            "shop",
            &query(PersonaSplit::One("a-business".into())),
        )
        .unwrap();
    assert!(
        one.breakpoints
            .iter()
            .all(|b| b.persona.as_deref() == Some("a-business"))
    );
    let same = one.breakpoints.iter().find(|b| b.id == "pricing").unwrap();
    assert_eq!(same, pricing);

    // Everyone together: only the previous period.
    let all = a.breakpoints(&model, "shop", late_period(), None).unwrap();
    assert!(!all.by_persona);
    for b in &all.breakpoints {
        assert_eq!(
            (b.persona.as_deref(), b.expected_others),
            (None, None),
            "{b:?}"
        );
        assert_ne!(b.flagged_by, Some(Baseline::OtherPersonas));
    }

    // A persona without rules or unknown is an error.
    for bad in ["c-guess", "nobody"] {
        let err = a
            .breakpoints_of(&model, "shop", &query(PersonaSplit::One(bad.into())))
            .unwrap_err();
        assert!(err.to_string().contains(bad), "{err}");
    }
}

#[test]
fn values_in_several_currencies_are_not_added_up() {
    let mut ws = TestWorkspace::new();
    ws.map("shop", MAP);
    generate_personas(&mut ws, true);
    let a = Analytics::open(ws.root()).unwrap();
    let r = a
        .breakpoints(&ws.model(), "shop", late_period(), None)
        .unwrap();
    assert_eq!(r.currencies, ["EUR", "USD"]);
    assert_eq!((r.currency.as_deref(), r.average_value), (None, None));
    for b in &r.breakpoints {
        assert_eq!(b.average_value, None);
        assert!((b.value_lost - b.excess_lost * b.downstream_conversion).abs() < 1e-9);
    }
}
