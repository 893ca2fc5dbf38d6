//! Hand-worked funnels through the whole engine: every order mode, windows, ties across
//! files, re-entry, sessions, date ranges, and touchpoint and stage steps of a map.

use polku_engine::funnel::{FunnelOrder, FunnelQuery, FunnelReport, JourneyUnit};
use polku_engine::{Analytics, EngineSettings, TimeRange};

use crate::util::{D, Ev, H, MIN, T0, TestWorkspace, ev};

fn counts(report: &FunnelReport) -> Vec<u64> {
    report.steps.iter().map(|s| s.count).collect()
}

fn medians(report: &FunnelReport) -> Vec<Option<f64>> {
    report
        .steps
        .iter()
        .map(|s| s.median_time_from_previous_s)
        .collect()
}

/// c1: A X B C · c2: B A C · c3: A B · c4: A, B two days later, C · c5: C.
fn modes_workspace() -> TestWorkspace {
    let ws = TestWorkspace::new();
    ws.events(
        "imp1-00000",
        &[
            ev("c1", 0, "A"),
            ev("c1", MIN, "X"),
            ev("c1", 2 * MIN, "B"),
            ev("c1", 3 * MIN, "C"),
            ev("c2", 0, "B"),
            ev("c2", MIN, "A"),
            ev("c2", 2 * MIN, "C"),
            ev("c3", 0, "A"),
            ev("c3", MIN, "B"),
            ev("c4", 0, "A"),
            ev("c4", 2 * D, "B"),
            ev("c4", 2 * D + MIN, "C"),
            ev("c5", 0, "C"),
        ],
    );
    ws
}

fn query(order: FunnelOrder, window_us: Option<i64>) -> FunnelQuery {
    FunnelQuery {
        order,
        window_us,
        ..FunnelQuery::new(["A", "B", "C"])
    }
}

#[test]
fn every_order_mode_with_and_without_a_window() {
    let ws = modes_workspace();
    let model = ws.model();
    let a = Analytics::open(ws.root()).unwrap();
    let run = |order, window| a.funnel(&model, &query(order, window)).unwrap();

    let ordered = run(FunnelOrder::Ordered, None);
    assert_eq!(counts(&ordered), [4, 3, 2]);
    // B after A: c1 2 min, c3 1 min, c4 2 days; C after B: 1 min twice.
    assert_eq!(medians(&ordered), [None, Some(120.0), Some(60.0)]);
    assert_eq!(ordered.steps[1].from_previous, 0.75);
    assert!((ordered.steps[2].conversion - 0.5).abs() < 1e-12);

    assert_eq!(counts(&run(FunnelOrder::Ordered, Some(D))), [4, 2, 1]);
    assert_eq!(counts(&run(FunnelOrder::Strict, None)), [4, 2, 1]);
    assert_eq!(counts(&run(FunnelOrder::Strict, Some(D))), [4, 1, 0]);
    assert_eq!(counts(&run(FunnelOrder::Any, None)), [4, 4, 3]);
    assert_eq!(counts(&run(FunnelOrder::Any, Some(D))), [4, 3, 2]);
    // A window of exactly the span still counts.
    assert_eq!(
        counts(&run(FunnelOrder::Ordered, Some(2 * D + MIN))),
        [4, 3, 2]
    );
}

#[test]
fn the_json_has_the_documented_shape() {
    let ws = modes_workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let report = a
        .funnel(&ws.model(), &query(FunnelOrder::Ordered, None))
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let first = &json["steps"][0];
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "conversion",
            "count",
            "from_previous",
            "median_time_from_previous_s",
            "step"
        ]
    );
    assert_eq!(first["step"], "A");
    assert_eq!(first["count"], 4);
    assert!(first["median_time_from_previous_s"].is_null());
    assert_eq!(json["steps"][2]["median_time_from_previous_s"], 60.0);
}

#[test]
fn ties_in_time_keep_file_order() {
    // B and A at the same instant: the file imported first comes first.
    let ws = TestWorkspace::new();
    ws.events("imp1-00000", &[ev("c", 0, "B"), ev("d", 0, "A")]);
    ws.events("imp2-00000", &[ev("c", 0, "A"), ev("d", 0, "B")]);
    // Within a file, row order decides.
    ws.events(
        "imp3-00000",
        &[
            ev("e", 0, "A"),
            ev("e", 0, "B"),
            ev("f", 0, "B"),
            ev("f", 0, "A"),
        ],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let report = a
        .funnel(&ws.model(), &FunnelQuery::new(["A", "B"]))
        .unwrap();
    // c: B then A (no); d: A then B (yes); e: yes; f: no.
    assert_eq!(counts(&report), [4, 2]);
    assert_eq!(medians(&report)[1], Some(0.0));
}

#[test]
fn re_entry_uses_the_latest_start_and_counts_once() {
    let ws = TestWorkspace::new();
    ws.events(
        "imp1-00000",
        &[
            ev("c", 0, "A"),
            ev("c", 10 * MIN, "B"),
            ev("c", 2 * H, "A"),
            ev("c", 2 * H + 5 * MIN, "B"),
            ev("c", 2 * H + 10 * MIN, "C"),
            ev("c", 3 * H, "A"),
            ev("c", 3 * H + MIN, "B"),
            ev("c", 3 * H + 2 * MIN, "C"),
        ],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let report = a
        .funnel(&ws.model(), &query(FunnelOrder::Ordered, Some(H)))
        .unwrap();
    assert_eq!(counts(&report), [1, 1, 1]);
    // Reported: the first completion (C at 2:10) from the latest start before it (A at 2:00).
    assert_eq!(medians(&report), [None, Some(300.0), Some(300.0)]);
}

#[test]
fn sessions_split_journeys() {
    let ws = TestWorkspace::new();
    ws.events(
        "imp1-00000",
        &[
            ev("c", 0, "A"),
            ev("c", 10 * MIN, "B"),
            ev("c", 3 * H, "C"),
            // A data session id keeps events together across a long pause.
            ev("d", 0, "A").session("s1"),
            ev("d", 2 * H, "B").session("s1"),
            ev("d", 2 * H + MIN, "C").session("s1"),
        ],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    let by_customer = a
        .funnel(&model, &FunnelQuery::new(["A", "B", "C"]))
        .unwrap();
    assert_eq!(counts(&by_customer), [2, 2, 2]);
    let by_session = FunnelQuery {
        by: JourneyUnit::Session,
        ..FunnelQuery::new(["A", "B", "C"])
    };
    assert_eq!(counts(&a.funnel(&model, &by_session).unwrap()), [2, 2, 1]);
    let short = FunnelQuery {
        session_gap_us: 5 * MIN,
        ..by_session
    };
    assert_eq!(counts(&a.funnel(&model, &short).unwrap()), [2, 1, 1]);
}

#[test]
fn strict_funnels_by_session_see_the_events_between() {
    let ws = TestWorkspace::new();
    ws.events(
        "imp1-00000",
        &[ev("c", 0, "A"), ev("c", MIN, "X"), ev("c", 2 * MIN, "B")],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let q = FunnelQuery {
        by: JourneyUnit::Session,
        order: FunnelOrder::Strict,
        ..FunnelQuery::new(["A", "B"])
    };
    assert_eq!(counts(&a.funnel(&ws.model(), &q).unwrap()), [1, 0]);
}

#[test]
fn the_date_range_limits_events() {
    let ws = modes_workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let q = FunnelQuery {
        range: TimeRange {
            from_us: Some(T0),
            to_us: Some(T0 + D),
        },
        ..FunnelQuery::new(["A", "B", "C"])
    };
    // c4's B and C fall outside the first day.
    assert_eq!(counts(&a.funnel(&ws.model(), &q).unwrap()), [4, 2, 1]);
    let later = FunnelQuery {
        range: TimeRange {
            from_us: Some(T0 + D),
            to_us: None,
        },
        ..FunnelQuery::new(["B", "C"])
    };
    assert_eq!(counts(&a.funnel(&ws.model(), &later).unwrap()), [1, 1]);
}

pub const MAP: &str = r#"
title: Recruitment
conversion: buy
stages:
  - stage: awareness
    touchpoints:
      - id: ad
        name: Search ad
        match:
          - {channel: Paid Search, campaign: "rekry-*"}
          - {event: ad_click}
  - stage: consideration
    touchpoints:
      - id: guide
        name: Guide
        match: {event: page_view, url: "*/guides/*"}
      - id: pricing-fi
        name: Pricing in Finnish
        match: {url: "*/pricing*", properties: {lang: fi}}
      - id: any-page
        name: Any page
        match: {event: page_view}
  - stage: purchase
    touchpoints:
      - id: buy
        name: Purchase
        match: {event: purchase}
"#;

/// Events for the map: p1 goes ad → guide → buy, p2 ad → pricing (fi) → buy, p3 reads only.
pub fn map_events() -> Vec<Ev> {
    vec![
        ev("p1", 0, "page_view")
            .channel("Paid Search")
            .campaign("REKRY-2026")
            .url("/jobs"),
        ev("p1", MIN, "page_view").url("https://x.fi/guides/hiring"),
        ev("p1", 2 * MIN, "purchase"),
        ev("p2", 0, "ad_click"),
        ev("p2", MIN, "page_view")
            .url("/pricing")
            .props(r#"{"lang":"fi"}"#),
        ev("p2", 3 * MIN, "purchase"),
        ev("p3", 0, "page_view")
            .url("/pricing")
            .props(r#"{"lang":"en"}"#),
        ev("p3", MIN, "scroll"),
        ev("p3", 2 * MIN, "video_play"),
    ]
}

#[test]
fn touchpoint_and_stage_steps_go_through_the_map() {
    let mut ws = TestWorkspace::new();
    ws.map("recruitment", MAP);
    ws.events("imp1-00000", &map_events());
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    let tp = a
        .funnel(&model, &FunnelQuery::new(["ad", "guide", "buy"]))
        .unwrap();
    assert_eq!(counts(&tp), [2, 1, 1]);
    let tp = a
        .funnel(&model, &FunnelQuery::new(["ad", "pricing-fi", "buy"]))
        .unwrap();
    assert_eq!(counts(&tp), [2, 1, 1]);
    // p3's English pricing page is "any-page", the first later touchpoint that matches.
    let stages = a
        .funnel(
            &model,
            &FunnelQuery::new(["awareness", "consideration", "purchase"]),
        )
        .unwrap();
    assert_eq!(counts(&stages), [2, 2, 2]);
    let mixed = a
        .funnel(&model, &FunnelQuery::new(["consideration", "purchase"]))
        .unwrap();
    assert_eq!(counts(&mixed), [3, 2]);
    // Plain event names still work next to a map.
    let events = a
        .funnel(&model, &FunnelQuery::new(["page_view", "purchase"]))
        .unwrap();
    assert_eq!(counts(&events), [3, 2]);
}

#[test]
fn results_do_not_depend_on_partitioning() {
    let ws = TestWorkspace::new();
    let mut rows = Vec::new();
    for c in 0..200i64 {
        let who = format!("c{c}");
        for (i, e) in ["A", "X", "B", "A", "C", "B", "C"].iter().enumerate() {
            let i = i64::try_from(i).unwrap();
            if (c + i) % 3 != 0 {
                rows.push(ev(&who, (i * 7 + c) * MIN, e));
            }
        }
    }
    for (i, chunk) in rows.chunks(97).enumerate() {
        ws.events(&format!("imp{i:02}-00000"), chunk);
    }
    let model = ws.model();
    let mut results = Vec::new();
    for threads in [1, 2, 4] {
        let a = Analytics::with_settings(
            ws.root(),
            EngineSettings {
                threads: Some(threads),
                batch_rows: 64,
            },
        )
        .unwrap();
        for order in [FunnelOrder::Ordered, FunnelOrder::Strict, FunnelOrder::Any] {
            results.push((
                order,
                threads,
                a.funnel(&model, &query(order, Some(20 * MIN))).unwrap(),
            ));
        }
    }
    for (order, threads, r) in &results {
        let base = &results
            .iter()
            .find(|(o, t, _)| o == order && *t == 1)
            .unwrap()
            .2;
        assert_eq!(r, base, "{order:?} with {threads} threads");
    }
}

#[test]
fn ids_of_maps_without_rules_do_not_hide_event_names() {
    // The template maps have a stage `purchase` but no match rules: the step is the event.
    let mut ws = TestWorkspace::new();
    ws.map(
        "plain",
        "title: Plain\nstages:\n  - stage: purchase\n    touchpoints:\n      - {id: signup, name: Signup}\n",
    );
    ws.events(
        "imp1-00000",
        &[ev("c", 0, "signup"), ev("c", MIN, "purchase")],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let r = a
        .funnel(&ws.model(), &FunnelQuery::new(["signup", "purchase"]))
        .unwrap();
    assert_eq!(counts(&r), [1, 1]);
}
