//! Attribution over the workspace's own journeys: paths built in the plan, look-back, the
//! touchpoint level, the cost join and the survey comparison, on small hand-worked event sets.

use polku_engine::attribution::journeys::{
    JourneyLevel, JourneyQuery, cost_report, survey_comparison,
};
use polku_engine::attribution::{
    AttributionQuery, Credits, Model, OVERVIEW_MODELS, PathSet, Settings, attribute,
};
use polku_engine::{Analytics, EngineSettings, TimeRange};
use proptest::prelude::*;

use crate::util::{D, Ev, MIN, T0, TestWorkspace, ev, write_costs, write_survey};

/// Four customers, one visit per session id:
/// - a: Paid Search, then Email and a purchase of 100 → `Paid Search > Email`, converted;
/// - b: Paid Search and a purchase of 50 in the same visit → `Paid Search`, converted;
/// - c: Email, then Display, no purchase → `Email > Display`, null;
/// - d: Display on day 0, Paid Search on day 40 and a purchase of 30 → `Display > Paid
///   Search`, converted (only `Paid Search` with a 30-day look-back).
fn channel_events() -> Vec<Ev> {
    vec![
        ev("a", 0, "page_view").channel("Paid Search").session("s1"),
        ev("a", 2 * MIN, "page_view")
            .channel("Paid Search")
            .session("s1"),
        ev("a", D, "page_view").channel("Email").session("s2"),
        ev("a", D + 5 * MIN, "purchase")
            .channel("Email")
            .session("s2")
            .value(100.0),
        ev("b", 0, "page_view").channel("Paid Search").session("s3"),
        ev("b", 3 * MIN, "lead_created")
            .channel("Paid Search")
            .session("s3"),
        ev("b", 10 * MIN, "purchase")
            .channel("Paid Search")
            .session("s3")
            .value(50.0),
        ev("c", 0, "page_view").channel("Email").session("s4"),
        ev("c", 2 * D, "page_view").channel("Display").session("s5"),
        ev("c", 2 * D + MIN, "lead_created")
            .channel("Display")
            .session("s5"),
        ev("d", 0, "page_view").channel("Display").session("s6"),
        ev("d", 40 * D, "page_view")
            .channel("Paid Search")
            .session("s7"),
        ev("d", 40 * D + MIN, "purchase")
            .channel("Paid Search")
            .session("s7")
            .value(30.0),
    ]
}

fn workspace(rows: &[Ev]) -> TestWorkspace {
    let ws = TestWorkspace::new();
    ws.events("imp1-00000", rows);
    ws
}

fn credit(paths: &PathSet, credits: &Credits, channel: &str) -> (f64, f64) {
    let i = paths.channel_id(channel).map(|c| c.index());
    i.map_or((0.0, 0.0), |i| (credits.conversions[i], credits.value[i]))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn channel_paths_from_visits_with_hand_worked_credits() {
    let ws = workspace(&channel_events());
    let analytics = Analytics::open(ws.root()).unwrap();
    let found = analytics
        .conversion_paths(&ws.model(), &JourneyQuery::default())
        .unwrap();
    assert_eq!(found.journeys, 4);
    assert_eq!(found.conversions, 3);
    assert!(close(found.value, 180.0));
    let p = &found.paths;
    assert!(close(p.total_conversions(), 3.0));
    assert!(close(p.total_nulls(), 1.0));
    let mut listed: Vec<(Vec<String>, f64, f64, f64)> = p
        .iter()
        .map(|r| {
            (
                r.touches
                    .iter()
                    .map(|c| p.channel_name(*c).to_owned())
                    .collect(),
                r.conversions,
                r.nulls,
                r.value,
            )
        })
        .collect();
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    let s = |x: &[&str]| x.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        listed,
        vec![
            (s(&["Display", "Paid Search"]), 1.0, 0.0, 30.0),
            (s(&["Email", "Display"]), 0.0, 1.0, 0.0),
            (s(&["Paid Search"]), 1.0, 0.0, 50.0),
            (s(&["Paid Search", "Email"]), 1.0, 0.0, 100.0),
        ]
    );
    let settings = Settings::default();
    let first = attribute(p, Model::First, &settings).unwrap();
    assert_eq!(credit(p, &first, "Paid Search"), (2.0, 150.0));
    assert_eq!(credit(p, &first, "Display"), (1.0, 30.0));
    let last = attribute(p, Model::Last, &settings).unwrap();
    assert_eq!(credit(p, &last, "Email"), (1.0, 100.0));
    assert_eq!(credit(p, &last, "Paid Search"), (2.0, 80.0));
    let linear = attribute(p, Model::Linear, &settings).unwrap();
    assert_eq!(credit(p, &linear, "Paid Search"), (2.0, 115.0));
    assert_eq!(credit(p, &linear, "Email"), (0.5, 50.0));
    assert_eq!(credit(p, &linear, "Display"), (0.5, 15.0));
    // Markov order 1 by hand: P(convert) = 3/4; without Paid Search 1/8, without Email 5/12,
    // without Display 13/24; removal effects 5/6, 4/9, 5/18 (sum 28/18).
    let markov = attribute(p, Model::Markov, &settings).unwrap();
    assert!(close(credit(p, &markov, "Paid Search").0, 45.0 / 28.0));
    assert!(close(credit(p, &markov, "Email").0, 6.0 / 7.0));
    assert!(close(credit(p, &markov, "Display").0, 15.0 / 28.0));
}

/// The channel grouping names the direct group `Direct`; last non-direct with its default
/// `direct` setting still skips it, so a journey ending on a direct visit credits the channel
/// before it.
#[test]
fn last_non_direct_skips_the_direct_group_whatever_its_spelling() {
    let mut rows = channel_events();
    rows.extend([
        ev("e", 0, "page_view").channel("Email").session("s8"),
        ev("e", D, "page_view").channel("Direct").session("s9"),
        ev("e", D + MIN, "purchase")
            .channel("Direct")
            .session("s9")
            .value(20.0),
    ]);
    let ws = workspace(&rows);
    let analytics = Analytics::open(ws.root()).unwrap();
    let found = analytics
        .conversion_paths(&ws.model(), &JourneyQuery::default())
        .unwrap();
    let p = &found.paths;
    let last = attribute(p, Model::Last, &Settings::default()).unwrap();
    assert_eq!(credit(p, &last, "Direct"), (1.0, 20.0));
    assert_eq!(credit(p, &last, "Email"), (1.0, 100.0));
    for direct in ["direct", "Direct", "DIRECT"] {
        let settings = Settings {
            direct_channel: direct.to_owned(),
            ..Settings::default()
        };
        let lnd = attribute(p, Model::LastNonDirect, &settings).unwrap();
        assert_eq!(credit(p, &lnd, "Direct"), (0.0, 0.0), "{direct}");
        assert_eq!(credit(p, &lnd, "Email"), (2.0, 120.0), "{direct}");
        assert_eq!(credit(p, &lnd, "Paid Search"), (2.0, 80.0), "{direct}");
    }
}

#[test]
fn lookback_cuts_old_touches_and_the_period_counts_its_conversions() {
    let ws = workspace(&channel_events());
    let analytics = Analytics::open(ws.root()).unwrap();
    let query = JourneyQuery {
        lookback_us: Some(30 * D),
        ..JourneyQuery::default()
    };
    let found = analytics.conversion_paths(&ws.model(), &query).unwrap();
    let p = &found.paths;
    let first = attribute(p, Model::First, &Settings::default()).unwrap();
    // d's Display touch is 40 days before the purchase: out of the window.
    assert_eq!(credit(p, &first, "Paid Search"), (3.0, 180.0));
    assert_eq!(credit(p, &first, "Display"), (0.0, 0.0));
    // Only day 30 on: d's purchase, whose window reaches back before the period.
    let query = JourneyQuery {
        lookback_us: Some(45 * D),
        range: TimeRange {
            from_us: Some(T0 + 30 * D),
            to_us: None,
        },
        ..JourneyQuery::default()
    };
    let found = analytics.conversion_paths(&ws.model(), &query).unwrap();
    assert_eq!(found.conversions, 1);
    assert_eq!(found.journeys, 1);
    let p = &found.paths;
    let linear = attribute(p, Model::Linear, &Settings::default()).unwrap();
    assert_eq!(credit(p, &linear, "Display"), (0.5, 15.0));
    assert_eq!(credit(p, &linear, "Paid Search"), (0.5, 15.0));
}

#[test]
fn customer_filter_keeps_only_the_given_customers() {
    let ws = workspace(&channel_events());
    let analytics = Analytics::open(ws.root()).unwrap();
    let query = JourneyQuery {
        customers: Some(vec!["a".into(), "c".into()]),
        ..JourneyQuery::default()
    };
    let found = analytics.conversion_paths(&ws.model(), &query).unwrap();
    assert_eq!(found.journeys, 2);
    assert_eq!(found.conversions, 1);
    assert!(close(found.value, 100.0));
}

const MAP: &str = r"
title: Shop
conversion: buy
stages:
  - stage: awareness
    touchpoints:
      - {id: ad, name: Ad, match: {event: ad_click}}
  - stage: consideration
    touchpoints:
      - {id: guide, name: Guide, match: {event: guide_view}}
      - {id: pricing, name: Pricing, match: {event: pricing_view}}
  - stage: purchase
    touchpoints:
      - {id: buy, name: Purchase, match: {event: purchase}}
";

#[test]
fn touchpoint_level_uses_the_map() {
    let rows = vec![
        ev("x", 0, "ad_click"),
        ev("x", MIN, "guide_view"),
        ev("x", 2 * MIN, "guide_view"),
        ev("x", 3 * MIN, "page_view"),
        ev("x", 4 * MIN, "pricing_view"),
        ev("x", 5 * MIN, "purchase").value(10.0),
        ev("y", 0, "guide_view"),
        ev("y", MIN, "pricing_view"),
        ev("z", 0, "ad_click"),
        ev("z", MIN, "purchase").value(20.0),
        ev("z", 2 * MIN, "ad_click"),
    ];
    let mut ws = workspace(&rows);
    ws.map("shop", MAP);
    let analytics = Analytics::open(ws.root()).unwrap();
    let query = JourneyQuery {
        map: Some("shop".into()),
        level: JourneyLevel::Touchpoint,
        ..JourneyQuery::default()
    };
    let found = analytics.conversion_paths(&ws.model(), &query).unwrap();
    assert_eq!(found.conversion, "buy");
    // x: ad > guide > pricing (the repeated guide once); y: guide > pricing (null);
    // z: ad (converted), then ad (null).
    assert_eq!(found.journeys, 4);
    assert_eq!(found.conversions, 2);
    let p = &found.paths;
    assert!(close(p.total_nulls(), 2.0));
    let settings = Settings::default();
    let last = attribute(p, Model::Last, &settings).unwrap();
    assert_eq!(credit(p, &last, "pricing"), (1.0, 10.0));
    assert_eq!(credit(p, &last, "ad"), (1.0, 20.0));
    let linear = attribute(p, Model::Linear, &settings).unwrap();
    assert!(close(credit(p, &linear, "ad").0, 4.0 / 3.0));
    assert!(close(credit(p, &linear, "guide").0, 1.0 / 3.0));
    // Touchpoint level needs a map.
    let no_map = JourneyQuery {
        level: JourneyLevel::Touchpoint,
        ..JourneyQuery::default()
    };
    assert!(analytics.conversion_paths(&ws.model(), &no_map).is_err());
}

#[test]
fn costs_per_model_and_lead_hand_checked() {
    let ws = workspace(&channel_events());
    write_costs(
        &ws,
        &[
            (0, "Paid Search", 1000, 50, 40.0),
            (1, "Paid Search", 1000, 30, 20.0),
            (2, "Display", 500, 5, 10.0),
            (-5, "Paid Search", 1000, 100, 99.0),
        ],
    );
    let analytics = Analytics::open(ws.root()).unwrap();
    let found = analytics
        .conversion_paths(&ws.model(), &JourneyQuery::default())
        .unwrap();
    let p = &found.paths;
    let range = TimeRange {
        from_us: Some(T0),
        to_us: None,
    };
    let leads = vec!["lead_created".to_owned()];
    let costs = analytics.channel_costs(range, &leads, None).unwrap();
    let settings = Settings::default();
    let first = attribute(p, Model::First, &settings).unwrap();
    let last = attribute(p, Model::Last, &settings).unwrap();
    let rows = cost_report(
        p.channel_names(),
        &[("first", &first), ("last", &last)],
        &costs,
    );
    let row = |c: &str| rows.iter().find(|r| r.channel == c).unwrap();
    // Paid Search: spend 40 + 20 (the row before the period left out), one lead (b).
    let search = row("Paid Search");
    assert_eq!(search.spend, Some(60.0));
    assert_eq!(search.leads, 1);
    assert_eq!(search.cost_per_lead, Some(60.0));
    // First touch credits it 2 conversions worth 150; last touch 2 worth 80.
    assert_eq!(search.models[0].cost_per_conversion, Some(30.0));
    assert_eq!(search.models[0].return_on_ad_spend, Some(2.5));
    assert_eq!(search.models[1].cost_per_conversion, Some(30.0));
    assert!(close(
        search.models[1].return_on_ad_spend.unwrap(),
        80.0 / 60.0
    ));
    // Display: spend 10, one lead (c); first touch 1 conversion worth 30, last touch none.
    let display = row("Display");
    assert_eq!(display.spend, Some(10.0));
    assert_eq!(display.cost_per_lead, Some(10.0));
    assert_eq!(display.models[0].cost_per_conversion, Some(10.0));
    assert_eq!(display.models[0].return_on_ad_spend, Some(3.0));
    assert_eq!(display.models[1].cost_per_conversion, None);
    assert_eq!(display.models[1].return_on_ad_spend, Some(0.0));
    // Email has credit but no spend.
    assert_eq!(row("Email").spend, None);
}

#[test]
fn survey_answers_against_model_shares() {
    let ws = workspace(&channel_events());
    let q = "How did you hear about us?";
    write_survey(
        &ws,
        &[
            ("a", q, "Google", Some("Paid Search")),
            ("b", q, "Google ad", Some("Paid Search")),
            ("d", q, "A banner", Some("Display")),
            ("d", q, "A banner", Some("Display")),
            ("c", "How satisfied are you?", "Very", None),
        ],
    );
    let analytics = Analytics::open(ws.root()).unwrap();
    let reported = analytics.reported_channels(TimeRange::ALL).unwrap();
    // One answer per respondent and channel; the other question does not count.
    assert_eq!(reported.get("Paid Search"), Some(&2));
    assert_eq!(reported.get("Display"), Some(&1));
    assert_eq!(reported.len(), 2);
    let found = analytics
        .conversion_paths(&ws.model(), &JourneyQuery::default())
        .unwrap();
    let p = &found.paths;
    let settings = Settings::default();
    let first = attribute(p, Model::First, &settings).unwrap();
    let last = attribute(p, Model::Last, &settings).unwrap();
    let cmp = survey_comparison(
        &reported,
        p.channel_names(),
        &[("first", &first), ("last", &last)],
    );
    assert_eq!(cmp.answers, 3);
    // Reported 2/3 Paid Search, 1/3 Display. First touch: 2/3 and 1/3, the same; last touch:
    // 2/3 Paid Search, 1/3 Email, so the overlap is 2/3.
    assert!(close(cmp.agreement[0].overlap, 1.0));
    assert!(close(cmp.agreement[1].overlap, 2.0 / 3.0));
    let names: Vec<&str> = cmp.channels.iter().map(|c| c.channel.as_str()).collect();
    assert_eq!(names, ["Paid Search", "Display", "Email"]);
}

/// Random timelines: (customer, minute, channel index or a conversion with a value).
fn timeline() -> impl Strategy<Value = Vec<(u8, u16, Option<u8>, u16)>> {
    prop::collection::vec(
        (
            0u8..5,
            0u16..2000,
            prop::option::weighted(0.75, 0u8..4),
            0u16..500,
        ),
        1..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Every model's credits sum to the conversions and value of the paths with a touch, on
    /// paths built from the workspace's events.
    #[test]
    fn credits_sum_to_conversions_and_value(rows in timeline(), lookback in prop::option::of(1i64..900)) {
        let channels = ["Email", "Direct", "Paid Search", "Referral"];
        let events: Vec<Ev> = rows
            .iter()
            .enumerate()
            .map(|(i, &(c, minute, channel, value))| {
                let who = format!("c{c}");
                let at = i64::from(minute) * MIN;
                match channel {
                    Some(ch) => ev(&who, at, "page_view")
                        .channel(channels[usize::from(ch)])
                        .session(&format!("s{i}")),
                    None => ev(&who, at, "purchase").value(f64::from(value)),
                }
            })
            .collect();
        let ws = workspace(&events);
        let analytics = Analytics::open(ws.root()).unwrap();
        let query = JourneyQuery {
            lookback_us: lookback.map(|m| m * MIN),
            ..JourneyQuery::default()
        };
        let found = analytics.conversion_paths(&ws.model(), &query).unwrap();
        let p = &found.paths;
        let empty = p.empty_paths();
        prop_assert!(close(p.total_conversions() + empty.conversions, found.conversions as f64));
        prop_assert!((p.total_value() + empty.value - found.value).abs() < 1e-6);
        if p.total_conversions() > 0.0 {
            for model in Model::ALL {
                if model == Model::Fractribution && !p.has_nulls() {
                    continue;
                }
                let c = attribute(p, model, &Settings::default()).unwrap();
                prop_assert!((c.total_conversions() - p.total_conversions()).abs() < 1e-6, "{model}");
                prop_assert!((c.total_value() - p.total_value()).abs() < 1e-6, "{model}");
            }
        }
    }
}

#[test]
fn one_call_runs_the_models_with_costs_and_survey_and_follows_the_persona() {
    let mut ws = workspace(&channel_events());
    // Customers whose first visit came from paid search: a and b.
    ws.persona(
        "searcher",
        "id: searcher\nname: Searcher\nrules:\n  - first_channel: Paid Search\n",
    );
    write_costs(
        &ws,
        &[
            (0, "Paid Search", 1000, 50, 40.0),
            (2, "Display", 500, 5, 10.0),
        ],
    );
    let q = "How did you hear about us?";
    write_survey(
        &ws,
        &[
            ("a", q, "Google", Some("Paid Search")),
            ("d", q, "A banner", Some("Display")),
        ],
    );
    let model = ws.model();
    let query = AttributionQuery::overview(TimeRange::ALL);
    let mut analytics = Analytics::open(ws.root()).unwrap();
    let all = analytics.attribution(&model, &query).unwrap();
    // c's journey did not convert, so fractribution runs too: every overview model, in order.
    let models: Vec<Model> = all.runs.iter().map(|r| r.model).collect();
    assert_eq!(models, OVERVIEW_MODELS);
    // Each run is the model's own credit over the journeys' paths.
    let paths = analytics
        .conversion_paths(&model, &JourneyQuery::default())
        .unwrap()
        .paths;
    for run in &all.runs {
        assert_eq!(
            run.credits,
            attribute(&paths, run.model, &Settings::default()).unwrap(),
            "{}",
            run.model
        );
    }
    assert_eq!(all.journeys.conversions, 3);
    assert!(all.has_spend() && all.has_answers());
    let rows = all.cost_rows.as_ref().unwrap();
    let search = rows.iter().find(|r| r.channel == "Paid Search").unwrap();
    assert_eq!(search.spend, Some(40.0));
    // First touch credits Paid Search with a and b: 2 conversions for 40.
    assert_eq!(search.models[0].cost_per_conversion, Some(20.0));
    assert_eq!(all.survey.as_ref().unwrap().answers, 2);

    analytics.restrict_to_persona(&model, "searcher").unwrap();
    let searcher = analytics.attribution(&model, &query).unwrap();
    // a (Paid Search > Email, 100) and b (Paid Search, 50): c and d are left out.
    assert_eq!(searcher.journeys.journeys, 2);
    assert_eq!(searcher.journeys.conversions, 2);
    assert!(close(searcher.journeys.value, 150.0));
    for run in &searcher.runs {
        assert!(close(run.credits.total_conversions(), 2.0), "{}", run.model);
        assert!(close(run.credits.total_value(), 150.0), "{}", run.model);
    }
    // No journey of theirs failed to convert: the models that need one are left out.
    assert!(
        !searcher
            .runs
            .iter()
            .any(|r| r.model == Model::Fractribution)
    );
    let first = &searcher.runs[0];
    let p = &searcher.journeys.paths;
    assert_eq!(credit(p, &first.credits, "Paid Search"), (2.0, 150.0));
    // Spend stays the channel's; leads and answers are the persona's (b's lead, a's answer).
    let rows = searcher.cost_rows.as_ref().unwrap();
    let search = rows.iter().find(|r| r.channel == "Paid Search").unwrap();
    assert_eq!((search.spend, search.leads), (Some(40.0), 1));
    let display = rows.iter().find(|r| r.channel == "Display").unwrap();
    assert_eq!((display.spend, display.leads), (Some(10.0), 0));
    let survey = searcher.survey.as_ref().unwrap();
    assert_eq!(survey.answers, 1);
    assert_eq!(survey.channels[0].channel, "Paid Search");
}

#[test]
fn channels_come_in_the_order_of_the_sorted_paths_whatever_the_partitions() {
    // The customers spread over two files and many small batches, read by four threads: the
    // aggregate's output order varies, the paths' must not.
    let rows = channel_events();
    let (first, second) = rows.split_at(7);
    let ws = TestWorkspace::new();
    ws.events("imp1-00000", second);
    ws.events("imp2-00000", first);
    let settings = EngineSettings {
        threads: Some(4),
        batch_rows: 2,
    };
    // Sorted journeys: Display > Paid Search, Email > Display, Paid Search, Paid Search > Email.
    for _ in 0..5 {
        let analytics = Analytics::with_settings(ws.root(), settings).unwrap();
        let found = analytics
            .conversion_paths(&ws.model(), &JourneyQuery::default())
            .unwrap();
        assert_eq!(
            found.paths.channel_names(),
            ["Display", "Paid Search", "Email"]
        );
    }
}
