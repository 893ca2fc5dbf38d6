//! Paths with "other" grouping and Sankey data; the stage funnel of a map.

use polku_engine::Analytics;
use polku_engine::TimeRange;
use polku_engine::paths::{PathNode, PathQuery};
use polku_engine::udf::journey_path::PathAnchor;

use crate::funnel::{MAP, map_events};
use crate::util::{MIN, TestWorkspace, ev};

fn path_workspace() -> TestWorkspace {
    let ws = TestWorkspace::new();
    let seq = |who: &str, events: &[&str]| {
        events
            .iter()
            .enumerate()
            .map(|(i, e)| ev(who, i64::try_from(i).unwrap() * MIN, e))
            .collect::<Vec<_>>()
    };
    let mut rows = Vec::new();
    rows.extend(seq("u1", &["home", "pricing", "signup", "purchase"]));
    rows.extend(seq("u2", &["home", "home", "pricing", "purchase"]));
    rows.extend(seq("u3", &["blog", "home", "pricing", "signup"]));
    rows.extend(seq("u4", &["blog", "signup"]));
    ws.events("imp1-00000", &rows);
    ws
}

fn listed(report: &polku_engine::paths::PathsReport) -> Vec<(String, u64)> {
    report
        .paths
        .iter()
        .map(|p| (p.path.join(">"), p.journeys))
        .collect()
}

#[test]
fn paths_forward_from_a_start() {
    let ws = path_workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let q = PathQuery {
        anchor: PathAnchor::From("home".into()),
        steps: 3,
        ..PathQuery::default()
    };
    let r = a.paths(&ws.model(), &q).unwrap();
    assert_eq!(r.journeys, 3);
    assert_eq!(
        listed(&r),
        [
            ("home>pricing>signup".to_owned(), 2),
            ("home>pricing>purchase".to_owned(), 1)
        ]
    );
    assert_eq!(r.other, 0);
    let top1 = a.paths(&ws.model(), &PathQuery { top: 1, ..q }).unwrap();
    assert_eq!(top1.paths.len(), 1);
    assert_eq!(top1.other, 1);
    // Sankey: position 2 keeps only signup; purchase becomes "other".
    let ids: Vec<&str> = top1.sankey.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["0:home", "1:pricing", "2:signup", "2:other"]);
    let into_other: u64 = top1
        .sankey
        .links
        .iter()
        .filter(|l| l.target == 3)
        .map(|l| l.value)
        .sum();
    assert_eq!(into_other, 1);
}

#[test]
fn paths_backward_to_an_end() {
    let ws = path_workspace();
    let a = Analytics::open(ws.root()).unwrap();
    let q = PathQuery {
        anchor: PathAnchor::To("signup".into()),
        steps: 3,
        ..PathQuery::default()
    };
    let r = a.paths(&ws.model(), &q).unwrap();
    assert_eq!(
        listed(&r),
        [
            ("home>pricing>signup".to_owned(), 2),
            ("blog>signup".to_owned(), 1)
        ]
    );
    // Without an anchor: every journey from its start; repeats collapse.
    let all = a
        .paths(
            &ws.model(),
            &PathQuery {
                steps: 2,
                ..PathQuery::default()
            },
        )
        .unwrap();
    assert_eq!(all.journeys, 4);
    assert_eq!(
        listed(&all),
        [
            ("home>pricing".to_owned(), 2),
            ("blog>home".to_owned(), 1),
            ("blog>signup".to_owned(), 1)
        ]
    );
}

#[test]
fn touchpoint_paths_need_a_map_and_skip_unmatched_events() {
    let mut ws = TestWorkspace::new();
    ws.map("recruitment", MAP);
    ws.events("imp1-00000", &map_events());
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    let no_map = PathQuery {
        node: PathNode::Touchpoint,
        ..PathQuery::default()
    };
    assert!(
        a.paths(&model, &no_map)
            .unwrap_err()
            .to_string()
            .contains("--map")
    );
    let q = PathQuery {
        map: Some("recruitment".into()),
        ..no_map
    };
    let r = a.paths(&model, &q).unwrap();
    assert_eq!(
        listed(&r),
        [
            ("ad>guide>buy".to_owned(), 1),
            ("ad>pricing-fi>buy".to_owned(), 1),
            ("any-page".to_owned(), 1)
        ]
    );
}

#[test]
fn the_stage_funnel_of_a_map() {
    let mut ws = TestWorkspace::new();
    ws.map("recruitment", MAP);
    let mut rows = map_events();
    // p4 buys first and reads the guide afterwards: a backward move.
    rows.push(ev("p4", 0, "purchase"));
    rows.push(ev("p4", 5 * MIN, "page_view").url("/guides/onboarding"));
    ws.events("imp1-00000", &rows);
    let a = Analytics::open(ws.root()).unwrap();
    let r = a
        .stages(&ws.model(), "recruitment", TimeRange::ALL)
        .unwrap();
    let reached: Vec<u64> = r.stages.iter().map(|s| s.reached).collect();
    assert_eq!(reached, [2, 4, 3]);
    let next: Vec<u64> = r.stages.iter().map(|s| s.reached_next).collect();
    assert_eq!(next, [2, 2, 0]);
    let drop: Vec<u64> = r.stages.iter().map(|s| s.drop_off).collect();
    // The last stage is the end of the map: no drop-off there.
    assert_eq!(drop, [0, 2, 0]);
    assert_eq!(r.stages[0].median_time_in_stage_s, Some(60.0));
    assert_eq!(r.stages[1].median_time_in_stage_s, Some(90.0));
    assert_eq!(r.transitions[0][1], 2);
    assert_eq!(r.transitions[1][2], 2);
    assert_eq!(r.transitions[2][1], 1);
    assert_eq!(r.backward_moves, 1);
    assert_eq!(r.customers, 4);
    // Unmatched events are counted and listed.
    assert_eq!(r.coverage.events, 11);
    assert_eq!(r.coverage.unmatched, 2);
    let names: Vec<&str> = r
        .coverage
        .unmatched_events
        .iter()
        .map(|e| e.event.as_str())
        .collect();
    assert_eq!(names, ["scroll", "video_play"]);
    let ad = &r.coverage.touchpoints[0];
    assert_eq!((ad.touchpoint.as_str(), ad.events), ("ad", 2));
    assert!(a.stages(&ws.model(), "nope", TimeRange::ALL).is_err());
}

#[test]
fn time_and_touchpoints_to_conversion() {
    let mut ws = TestWorkspace::new();
    ws.map("recruitment", MAP);
    ws.events("imp1-00000", &map_events());
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    // The map's conversion touchpoint is `buy`.
    let r = a
        .distributions(&model, Some("recruitment"), None, TimeRange::ALL)
        .unwrap();
    assert_eq!((r.conversion.as_str(), r.converted), ("buy", 2));
    assert_eq!(r.median_touchpoints, Some(2.0));
    assert_eq!(r.time_to_conversion[0].customers, 2, "both within a day");
    assert_eq!(r.shares.three_or_more_touchpoints, 0.0);
    let minutes = r.median_days.unwrap() * 24.0 * 60.0;
    assert!((minutes - 2.5).abs() < 1e-9, "{minutes}");
    // Without a map: visits up to the conversion; each journey here is one visit.
    let e = a
        .distributions(&model, None, Some("purchase"), TimeRange::ALL)
        .unwrap();
    let touches: Vec<u64> = e.touchpoints_before.iter().map(|b| b.customers).collect();
    assert_eq!(touches, [0, 2, 0, 0, 0]);
    // Three visits (an hour apart), then a purchase in the third: three touches.
    let ws2 = TestWorkspace::new();
    ws2.events(
        "imp1-00000",
        &[
            ev("v", 0, "page_view"),
            ev("v", 60 * MIN, "page_view"),
            ev("v", 61 * MIN, "page_view"),
            ev("v", 3 * 60 * MIN, "page_view"),
            ev("v", 3 * 60 * MIN + 5 * MIN, "purchase"),
            ev("v", 9 * 60 * MIN, "page_view"),
            ev("w", 0, "page_view"),
        ],
    );
    let v = Analytics::open(ws2.root())
        .unwrap()
        .distributions(&ws2.model(), None, Some("purchase"), TimeRange::ALL)
        .unwrap();
    assert_eq!(v.converted, 1);
    assert_eq!(v.median_touchpoints, Some(3.0));
    assert_eq!(v.shares.three_or_more_touchpoints, 1.0);
    assert!(a.distributions(&model, None, None, TimeRange::ALL).is_err());
}

#[test]
fn segments_list_customers_by_current_stage() {
    let mut ws = TestWorkspace::new();
    ws.map("recruitment", &format!("persona: hr-hanna\n{MAP}"));
    let mut rows = map_events();
    // p4 went back from purchase to consideration: that is where they are now.
    rows.push(ev("p4", 0, "purchase"));
    rows.push(ev("p4", 5 * MIN, "page_view").url("/guides/onboarding"));
    ws.events("imp1-00000", &rows);
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    let all = a
        .segments(&model, "recruitment", None, TimeRange::ALL)
        .unwrap();
    let got: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|r| {
            (
                r.customer.as_str(),
                r.stage.as_str(),
                r.last_touchpoint.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("p3", "consideration", "any-page"),
            ("p4", "consideration", "guide"),
            ("p1", "purchase", "buy"),
            ("p2", "purchase", "buy"),
        ]
    );
    assert_eq!(all[0].persona.as_deref(), Some("hr-hanna"));
    let buyers = a
        .segments(&model, "recruitment", Some("purchase"), TimeRange::ALL)
        .unwrap();
    assert_eq!(buyers.len(), 2);
    assert!(
        a.segments(&model, "recruitment", Some("nope"), TimeRange::ALL)
            .is_err()
    );
}
