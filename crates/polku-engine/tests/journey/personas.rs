//! Personas in the data: rules assign customers, every analysis can be restricted to one
//! persona, and suggestions recover planted groups.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, AsArray};
use polku_engine::funnel::FunnelQuery;
use polku_engine::personas::PERSONA;
use polku_engine::personas::suggest::SuggestQuery;
use polku_engine::{Analytics, WHO};
use polku_model::{CustomerFacts, Workspace};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::util::{D, Ev, MIN, TestWorkspace, ev};

fn typed(e: Ev, t: &str) -> Ev {
    e.props(&format!(r#"{{"customer_type":"{t}"}}"#))
}

/// Personas tried in file-name order: a-hanna, b-marja, c-kaisa, d-guess (no rules).
fn personas(ws: &mut TestWorkspace) {
    ws.persona(
        "a-hanna",
        "id: a-hanna\nname: Hanna\nrules:\n  properties: {customer_type: b2b}\n  first_source: 'linkedin*'\n",
    )
    .persona(
        "b-marja",
        "id: b-marja\nname: Marja\nrules:\n  - properties: {customer_type: B2B}\n",
    )
    .persona(
        "c-kaisa",
        "id: c-kaisa\nname: Kaisa\nrules:\n  - {properties: {customer_type: b2c}, first_channel: '*social'}\n  - survey: {'*hear about us*': newsletter}\n  - {event: renewal, channel: Email}\n",
    )
    .persona("d-guess", "id: d-guess\nname: Guess\n");
}

fn assignments(a: &Analytics, model: &Workspace) -> BTreeMap<String, Option<String>> {
    let frame = a.persona_assignments(model).unwrap();
    let mut out = BTreeMap::new();
    for batch in a.collect(frame).unwrap() {
        let who = batch
            .column_by_name(WHO)
            .unwrap()
            .as_string::<i32>()
            .clone();
        let persona = batch
            .column_by_name(PERSONA)
            .unwrap()
            .as_string::<i32>()
            .clone();
        for i in 0..batch.num_rows() {
            out.insert(
                who.value(i).to_owned(),
                (!persona.is_null(i)).then(|| persona.value(i).to_owned()),
            );
        }
    }
    out
}

#[test]
fn rules_assign_customers_first_persona_first() {
    let mut ws = TestWorkspace::new();
    personas(&mut ws);
    ws.events(
        "imp1-00000",
        &[
            typed(
                ev("p1", 0, "page_view")
                    .channel("Paid Social")
                    .source("linkedin"),
                "b2b",
            ),
            ev("p1", D, "deal_won").value(5000.0),
            typed(
                ev("p2", MIN, "page_view")
                    .channel("Organic Search")
                    .source("google"),
                "b2b",
            ),
            typed(
                ev("p3", 0, "page_view")
                    .channel("Paid Social")
                    .source("facebook"),
                "b2c",
            ),
            typed(ev("p4", 0, "page_view").channel("Email"), "b2c"),
            ev("p5", 0, "page_view"),
            // The latest value counts: p6 became b2b.
            typed(
                ev("p6", 0, "page_view")
                    .channel("Paid Social")
                    .source("linkedin"),
                "b2c",
            ),
            typed(
                ev("p6", 2 * D, "page_view").channel("Organic Search"),
                "b2b",
            ),
            ev("p7", 0, "page_view"),
            ev("p7", D, "renewal").channel("Email"),
        ],
    );
    ws.survey(
        "s1",
        &[
            ("p4", "How did you hear about us?", "Newsletter"),
            ("p5", "How did you hear about us?", "Google"),
            ("nobody", "How did you hear about us?", "Newsletter"),
        ],
    );
    let model = ws.model();
    let a = Analytics::open(ws.root()).unwrap();
    let got = assignments(&a, &model);
    let expected: BTreeMap<String, Option<String>> = [
        ("p1", Some("a-hanna")),
        ("p2", Some("b-marja")),
        ("p3", Some("c-kaisa")),
        ("p4", Some("c-kaisa")),
        ("p5", None),
        ("p6", Some("a-hanna")),
        ("p7", Some("c-kaisa")),
    ]
    .into_iter()
    .map(|(w, p)| (w.to_owned(), p.map(str::to_owned)))
    .collect();
    assert_eq!(got, expected);

    let sizes = a.persona_sizes(&model).unwrap();
    let counts: Vec<(Option<&str>, u64)> = sizes
        .iter()
        .map(|s| (s.persona.as_deref(), s.customers))
        .collect();
    assert_eq!(
        counts,
        [
            (Some("a-hanna"), 2),
            (Some("b-marja"), 1),
            (Some("c-kaisa"), 3),
            (Some("d-guess"), 0),
            (None, 1)
        ]
    );
}

#[test]
fn a_persona_restricts_every_analysis() {
    let mut ws = TestWorkspace::new();
    personas(&mut ws);
    let mut rows = Vec::new();
    for i in 0..30 {
        let who = format!("c{i:02}");
        let t = if i % 3 == 0 { "b2b" } else { "b2c" };
        rows.push(typed(
            ev(&who, i * MIN, "page_view").channel("Organic Search"),
            t,
        ));
        if i % 2 == 0 {
            rows.push(ev(&who, i * MIN + D, "purchase"));
        }
    }
    ws.events("imp1-00000", &rows);
    let model = ws.model();
    let mut a = Analytics::open(ws.root()).unwrap();
    let q = FunnelQuery::new(["page_view", "purchase"]);
    let all = a.funnel(&model, &q).unwrap();
    assert_eq!((all.steps[0].count, all.steps[1].count), (30, 15));
    a.restrict_to_persona(&model, "b-marja").unwrap();
    let marja = a.funnel(&model, &q).unwrap();
    // b2b: i = 0, 3, ..., 27 (10 customers); of them even i: 0, 6, 12, 18, 24.
    assert_eq!((marja.steps[0].count, marja.steps[1].count), (10, 5));
    let repeat = a.repeat(None, polku_engine::TimeRange::ALL).unwrap();
    assert_eq!(repeat.customers, 10);
    let err = a.restrict_to_persona(&model, "d-guess").unwrap_err();
    assert!(err.to_string().contains("has no `rules`"), "{err}");
    let err = a.restrict_to_persona(&model, "b-marija").unwrap_err();
    assert!(err.to_string().contains("personas: a-hanna"), "{err}");
}

/// The engine's plan agrees with the rules' own reference matcher on random customers.
#[test]
fn the_plan_agrees_with_the_reference_matcher() {
    let mut ws = TestWorkspace::new();
    personas(&mut ws);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let channels = ["Paid Social", "Email", "Organic Search", "Direct"];
    let sources = ["linkedin", "facebook", "google", "newsletter"];
    let types = ["b2b", "B2B", "b2c", ""];
    let mut rows = Vec::new();
    let mut survey_rows: Vec<(String, String)> = Vec::new();
    for c in 0..300 {
        let who = format!("k{c:03}");
        let mut t = rng.random_range(0..10) * D;
        for _ in 0..rng.random_range(1..5) {
            t += rng.random_range(1..600) * MIN;
            let k = rng.random_range(0..4);
            let mut e = ev(
                &who,
                t,
                ["page_view", "renewal", "purchase"][rng.random_range(0..3)],
            )
            .channel(channels[k])
            .source(sources[rng.random_range(0..4)]);
            let ty = types[rng.random_range(0..4)];
            if !ty.is_empty() {
                e = typed(e, ty);
            }
            rows.push(e);
        }
        if rng.random_bool(0.2) {
            survey_rows.push((who, ["Newsletter", "Google"][rng.random_range(0..2)].into()));
        }
    }
    ws.events("imp1-00000", &rows);
    let survey: Vec<(&str, &str, &str)> = survey_rows
        .iter()
        .map(|(w, a)| (w.as_str(), "How did you hear about us?", a.as_str()))
        .collect();
    ws.survey("s1", &survey);
    let model = ws.model();
    let a = Analytics::open(ws.root()).unwrap();
    let got = assignments(&a, &model);
    // The reference: facts per customer from the rows (in time order), first persona wins.
    let mut by_who: BTreeMap<&str, Vec<&Ev>> = BTreeMap::new();
    for r in &rows {
        by_who.entry(r.customer.as_str()).or_default().push(r);
    }
    assert_eq!(got.len(), by_who.len());
    for (who, mut evs) in by_who {
        evs.sort_by_key(|e| e.time_us);
        let mut facts = CustomerFacts {
            first_channel: Some(evs[0].channel.as_str()),
            first_source: evs[0].source.as_deref(),
            channels: evs.iter().map(|e| e.channel.as_str()).collect(),
            events: evs.iter().map(|e| e.event.as_str()).collect(),
            ..CustomerFacts::default()
        };
        if let Some(latest) = evs.iter().rev().find_map(|e| e.properties.as_deref()) {
            let ty = latest.split('"').nth(3).unwrap();
            facts.properties.insert("customer_type", ty);
        }
        facts.survey = survey
            .iter()
            .filter(|s| s.0 == who)
            .map(|s| (s.1, s.2))
            .collect();
        let expected = model
            .personas
            .iter()
            .find(|p| p.doc.rules.iter().any(|r| r.matches(&facts)))
            .map(|p| p.doc.id.as_str().to_owned());
        assert_eq!(got[who], expected, "{who}: {facts:?}");
    }
    let taken = got.values().filter(|p| p.is_some()).count();
    assert!(
        taken > 100 && taken < 300,
        "{taken}: the data should exercise every branch"
    );
}

/// Three planted groups that differ in first channel, customer type, visits and conversion.
fn planted(ws: &TestWorkspace, per_group: usize, seed: u64) -> BTreeMap<String, usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::new();
    let mut truth = BTreeMap::new();
    for g in 0..3 {
        for c in 0..per_group {
            let who = format!("g{g}-{c:04}");
            truth.insert(who.clone(), g);
            let (channel, ty, visits, converts) = match g {
                0 => ("Paid Search", "b2b", rng.random_range(6..10), true),
                1 => ("Email", "b2c", rng.random_range(1..3), rng.random_bool(0.9)),
                _ => ("Organic Social", "b2c", rng.random_range(2..5), false),
            };
            let mut t = rng.random_range(0..20) * D;
            for v in 0..visits {
                let ch = if v == 0 || rng.random_bool(0.7) {
                    channel
                } else {
                    "Direct"
                };
                rows.push(typed(ev(&who, t, "page_view").channel(ch), ty));
                t += rng.random_range(1..4) * D;
            }
            if converts {
                let value = if g == 0 { 9000.0 } else { 80.0 };
                rows.push(ev(&who, t, "purchase").value(value));
            }
        }
    }
    ws.events("imp1-00000", &rows);
    truth
}

fn purity(truth: &BTreeMap<String, usize>, found: &BTreeMap<String, usize>) -> f64 {
    let mut table: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (who, g) in truth {
        *table.entry((found[who], *g)).or_default() += 1;
    }
    let clusters: std::collections::BTreeSet<usize> = table.keys().map(|k| k.0).collect();
    let majority: usize = clusters
        .iter()
        .map(|c| {
            table
                .iter()
                .filter(|((k, _), _)| k == c)
                .map(|(_, n)| *n)
                .max()
                .unwrap()
        })
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let p = majority as f64 / truth.len() as f64;
    p
}

#[test]
fn suggestions_recover_planted_groups() {
    let ws = TestWorkspace::new();
    let truth = planted(&ws, 120, 5);
    let a = Analytics::open(ws.root()).unwrap();
    let auto = a.suggest_personas(&SuggestQuery::default()).unwrap();
    assert_eq!(
        auto.k, 3,
        "silhouette picks the planted number: {:?}",
        auto.tried
    );
    assert!(purity(&truth, &auto.assignments) > 0.95);
    assert_eq!(auto.segments.iter().map(|s| s.customers).sum::<u64>(), 360);
    // The b2b segment is told apart by its type and channel, and its rule says so.
    let b2b = auto
        .segments
        .iter()
        .find(|s| s.traits.iter().any(|t| t.value == "b2b"))
        .expect("a b2b segment");
    assert_eq!(b2b.customers, 120);
    assert_eq!(b2b.rule.first_channel.as_deref(), Some("Paid Search"));
    assert_eq!(
        b2b.rule.properties.get("customer_type").map(String::as_str),
        Some("b2b")
    );
    assert!(b2b.numbers.visits > auto.population.visits);
    // The same seed gives the same segments; a fixed k is honoured.
    let again = a.suggest_personas(&SuggestQuery::default()).unwrap();
    assert_eq!(again, auto);
    assert_eq!(again.assignments, auto.assignments);
    let four = a
        .suggest_personas(&SuggestQuery {
            k: Some(4),
            ..SuggestQuery::default()
        })
        .unwrap();
    assert_eq!(four.segments.len(), 4);
    assert_eq!(four.segments.iter().map(|s| s.customers).sum::<u64>(), 360);
}
