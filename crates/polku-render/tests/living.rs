//! Charts and the living map: golden SVG snapshots of every chart from hand-made data, the
//! numbers they must show, the poster with measured numbers, evidence and the interview band,
//! and the living-map report.

use polku_model::templates::{TemplateKind, template_files};
use polku_model::{JourneyMap, Language, Persona, WorkspaceConfig};
use polku_render::charts::{
    BreakpointFlag, BreakpointItem, BreakpointsData, DistributionData, EmotionCurveData,
    EmotionStage, FunnelData, FunnelStep, HistBucket, PeriodUnit, RetentionCell, RetentionData,
    SankeyData, SankeyLink, SankeyNode, StallTimes, breakpoints_chart, distributions_chart,
    emotion_chart, funnel_chart, retention_chart, sankey_chart,
};
use polku_render::{
    InterviewStageData, LivingWorkspace, MapData, MeasuredMap, Paper, PosterInput, ReportInput,
    ReportWorkspace, StageData, Svg, TouchpointData, living_poster_svg, living_report_html,
    poster_svg, svg_to_png,
};

/// Every piece of text content in an SVG, unescaped, with no-break spaces as spaces.
fn texts(svg: &Svg) -> Vec<String> {
    svg.as_str()
        .split('>')
        .filter_map(|part| part.split('<').next())
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
                .replace('\u{a0}', " ")
        })
        .collect()
}

fn has(svg: &Svg, text: &str) -> bool {
    texts(svg).iter().any(|t| t.contains(text))
}

/// Renders a chart to PNG, which fails on anything resvg cannot parse.
fn parses(svg: &Svg) {
    let png = svg_to_png(svg, 1600).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

fn funnel() -> FunnelData {
    FunnelData {
        steps: [
            ("Awareness", 2000),
            ("Consideration", 800),
            ("Purchase", 120),
        ]
        .into_iter()
        .map(|(l, c)| FunnelStep {
            label: l.into(),
            count: c,
        })
        .collect(),
    }
}

#[test]
fn funnel_shows_conversion_and_drop_off() {
    let svg = funnel_chart(&funnel(), Language::En);
    parses(&svg);
    // 800 of 2000 is 40 % of the start; 120 of 800 continue (15 %), 680 drop off (85 %).
    assert!(has(&svg, "800 · 40%"), "{:?}", texts(&svg));
    assert!(has(&svg, "120 · 6%"));
    assert!(has(&svg, "15% continue"));
    assert!(has(&svg, "680 drop off (85%)"));
    assert!(has(&svg, "2,000 at the first step; 6% reach the last."));
    let fi = funnel_chart(&funnel(), Language::Fi);
    assert!(has(&fi, "680 putoaa (85 %)"), "{:?}", texts(&fi));
    insta::assert_snapshot!("funnel_en", svg.as_str());
}

#[test]
fn funnel_bars_are_as_long_as_their_counts() {
    let svg = funnel_chart(&funnel(), Language::En);
    let widths: Vec<f64> = svg
        .as_str()
        .lines()
        .filter(|l| l.contains("data-count"))
        .map(|l| {
            let w = l.split("width=\"").nth(1).unwrap();
            w.split('"').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(widths.len(), 3);
    assert!((widths[1] / widths[0] - 0.4).abs() < 0.001, "{widths:?}");
    assert!((widths[2] / widths[0] - 0.06).abs() < 0.001, "{widths:?}");
}

fn sankey() -> SankeyData {
    let nodes = [
        ("Search ad", 0),
        ("Blog", 0),
        ("Service page", 1),
        ("Blog", 1),
        ("Quote form", 2),
        ("other", 2),
    ]
    .into_iter()
    .map(|(n, s)| SankeyNode {
        name: n.into(),
        step: s,
    })
    .collect();
    let links = [
        (0, 2, 300),
        (0, 3, 100),
        (1, 2, 150),
        (2, 4, 200),
        (2, 5, 90),
    ]
    .into_iter()
    .map(|(s, t, v)| SankeyLink {
        source: s,
        target: t,
        value: v,
    })
    .collect();
    SankeyData { nodes, links }
}

#[test]
fn sankey_labels_every_node_with_its_flow() {
    let svg = sankey_chart(&sankey(), Language::En);
    parses(&svg);
    for label in [
        "Search ad (400)",
        "Blog (150)",
        "Service page (450)",
        "Blog (100)",
        "Quote form (200)",
        "other (90)",
    ] {
        assert!(has(&svg, label), "{label}: {:?}", texts(&svg));
    }
    assert!(has(&svg, "550 journeys"));
    // Five bands.
    assert_eq!(svg.as_str().matches("fill-opacity=\"0.28\"").count(), 5);
    insta::assert_snapshot!("sankey_en", svg.as_str());
}

#[test]
fn retention_heatmap_has_a_cell_per_cohort_and_period() {
    let cells = [
        ("2025-01", 0, 100, 1.0),
        ("2025-01", 1, 40, 0.4),
        ("2025-01", 2, 25, 0.25),
        ("2025-02", 0, 80, 1.0),
        ("2025-02", 1, 20, 0.25),
        ("2025-03", 0, 50, 1.0),
    ]
    .into_iter()
    .map(|(c, p, a, r)| RetentionCell {
        cohort: c.into(),
        period: p,
        active: a,
        retention: r,
    })
    .collect();
    let data = RetentionData {
        unit: PeriodUnit::Month,
        cells,
    };
    let svg = retention_chart(&data, Language::Fi);
    parses(&svg);
    let t = texts(&svg);
    assert_eq!(t.iter().filter(|t| *t == "100 %").count(), 3, "{t:?}");
    assert!(t.iter().any(|t| t == "40 %") && t.iter().any(|t| t == "25 %"));
    assert!(has(&svg, "3 kohorttia"));
    // Cohort sizes before the rows.
    for size in ["100", "80", "50"] {
        assert!(t.iter().any(|t| t == size), "{size}");
    }
    insta::assert_snapshot!("retention_fi", svg.as_str());
}

fn breakpoints() -> BreakpointsData {
    BreakpointsData {
        currency: Some("€".into()),
        currencies: vec!["EUR".into()],
        by_persona: false,
        items: vec![
            BreakpointItem {
                label: "Quote request form".into(),
                stage: "Purchase".into(),
                owner: Some(("Sales".into(), "#d9480f".into())),
                reached: 400,
                drop_off_rate: 0.6,
                expected_rate: Some(0.35),
                persona: None,
                expected_previous: Some(0.35),
                expected_others: None,
                flagged_by: None,
                excess_lost: 100.0,
                value_lost: 12_500.0,
                stall: None,
            },
            BreakpointItem {
                label: "Consideration".into(),
                stage: "Consideration".into(),
                owner: None,
                reached: 900,
                drop_off_rate: 0.5,
                expected_rate: None,
                persona: None,
                expected_previous: None,
                expected_others: None,
                flagged_by: None,
                excess_lost: 30.0,
                value_lost: 2_500.0,
                stall: None,
            },
        ],
    }
}

#[test]
fn breakpoints_are_ranked_with_owner_and_value_lost() {
    let svg = breakpoints_chart(&breakpoints(), Language::En);
    parses(&svg);
    let t = texts(&svg);
    let first = t.iter().position(|t| t == "Quote request form").unwrap();
    let second = t.iter().position(|t| t == "Consideration").unwrap();
    assert!(first < second);
    assert!(t.iter().any(|t| t == "€12,500") && t.iter().any(|t| t == "€2,500"));
    assert!(t.iter().any(|t| t == "Sales"));
    assert!(has(&svg, "400 reached, 60% left · expected 35%"));
    insta::assert_snapshot!("breakpoints_en", svg.as_str());
    let none = breakpoints_chart(&BreakpointsData::default(), Language::Fi);
    assert!(has(&none, "Missään vaiheessa"));
}

#[test]
fn a_stalling_stage_shows_its_times_instead_of_a_value() {
    let mut data = breakpoints();
    data.items.push(BreakpointItem {
        label: "Decision".into(),
        stage: "Decision".into(),
        owner: None,
        reached: 300,
        drop_off_rate: 0.1,
        expected_rate: Some(0.1),
        persona: None,
        expected_previous: Some(0.1),
        expected_others: None,
        flagged_by: None,
        excess_lost: 0.0,
        value_lost: 0.0,
        stall: Some(StallTimes {
            median_s: 3.5 * 86_400.0,
            expected_s: 20.0 * 3600.0,
        }),
    });
    let svg = breakpoints_chart(&data, Language::En);
    parses(&svg);
    // `texts` reads no-break spaces as spaces.
    assert!(has(
        &svg,
        "in the stage 3.5 d, expected 20 h · previous period 10%"
    ));
    assert!(texts(&svg).iter().any(|t| t == "slower than expected"));
    let fi = breakpoints_chart(&data, Language::Fi);
    assert!(has(&fi, "vaiheessa 3,5 pv, odotettu 20 h"));
    assert!(texts(&fi).iter().any(|t| t == "odotettua hitaampi"));
}

#[test]
fn breakpoints_split_by_persona_say_which_baseline_flags_them() {
    let mut data = breakpoints();
    data.by_persona = true;
    data.currency = Some("EUR".into());
    data.items[0].persona = Some("Hanna".into());
    data.items[0].expected_others = Some(0.2);
    data.items[0].flagged_by = Some(BreakpointFlag::Both);
    data.items[1].flagged_by = Some(BreakpointFlag::OtherPersonas);
    let svg = breakpoints_chart(&data, Language::En);
    parses(&svg);
    let t = texts(&svg);
    assert!(t.iter().any(|t| t == "· Hanna"), "{t:?}");
    // The row without a persona counts the customers no rule takes.
    assert!(t.iter().any(|t| t == "· no persona"), "{t:?}");
    assert!(has(&svg, "previous period 35% · other personas 20%"));
    assert!(t.iter().any(|t| t == "above both"));
    assert!(t.iter().any(|t| t == "above the other personas"));
    // An ISO code reads as its sign.
    assert!(t.iter().any(|t| t == "€12,500"), "{t:?}");

    let fi = breakpoints_chart(&data, Language::Fi);
    let t = texts(&fi);
    assert!(has(&fi, "edellinen jakso 35 % · muut personat 20 %"));
    assert!(t.iter().any(|t| t == "yli molempien"));
    assert!(t.iter().any(|t| t == "· ei personaa"));
    assert!(t.iter().any(|t| t == "12 500 €"), "{t:?}");

    // Values in several currencies are not added up: customers, and the subtitle says why.
    data.currency = None;
    data.currencies = vec!["EUR".into(), "USD".into()];
    let svg = breakpoints_chart(&data, Language::En);
    assert!(has(&svg, "several currencies (EUR, USD)"));
    assert!(texts(&svg).iter().any(|t| t == "12,500 customers"));
}

#[test]
fn distributions_mark_the_published_shares() {
    let bucket = |label: &str, lower: f64, count: u64| HistBucket {
        label: label.into(),
        lower,
        count,
    };
    let data = DistributionData {
        converted: 200,
        time: vec![
            bucket("< 1 d", 0.0, 20),
            bucket("1-7 d", 1.0, 40),
            bucket("7-30 d", 7.0, 60),
            bucket("30-90 d", 30.0, 70),
            bucket("90-180 d", 90.0, 10),
            bucket("180 d +", 180.0, 0),
        ],
        touchpoints: vec![
            bucket("0", 0.0, 0),
            bucket("1", 1.0, 30),
            bucket("2", 2.0, 50),
            bucket("3-5", 3.0, 80),
            bucket("6 +", 6.0, 40),
        ],
        month_or_more: 0.4,
        three_or_more: 0.6,
        six_or_more: 0.2,
        reference: Some([0.71, 0.61, 0.32]),
    };
    let svg = distributions_chart(&data, Language::En);
    parses(&svg);
    assert!(
        has(&svg, "a month or more: 40% (surveys: 71%)"),
        "{:?}",
        texts(&svg)
    );
    assert!(has(&svg, "3 or more: 60% (surveys: 61%)"));
    assert!(has(&svg, "6 or more: 20% (surveys: 32%)"));
    assert!(has(&svg, "35%"), "the 30-90 d bucket is 70 of 200");
    // Day buckets carry their unit once, under the axis, in the reader's language.
    let t = texts(&svg);
    assert!(t.iter().any(|t| t == "30–90"), "{t:?}");
    assert!(t.iter().any(|t| t == "days from first touch"));
    assert!(has(
        &distributions_chart(&data, Language::Fi),
        "päivää ensikosketuksesta"
    ));
    insta::assert_snapshot!("distributions_en", svg.as_str());
}

fn emotion() -> EmotionCurveData {
    EmotionCurveData {
        stages: vec![
            EmotionStage {
                name: "Tietoisuus".into(),
                mean: Some(-1.2),
                sd: Some(0.8),
                interviews: 9,
                map: Some(-1.0),
            },
            EmotionStage {
                name: "Harkinta".into(),
                mean: Some(0.5),
                sd: Some(1.5),
                interviews: 8,
                map: Some(1.0),
            },
            EmotionStage {
                name: "Ostaminen".into(),
                mean: None,
                sd: None,
                interviews: 0,
                map: Some(2.0),
            },
        ],
    }
}

#[test]
fn emotion_curve_has_a_band_and_says_what_backs_each_stage() {
    let svg = emotion_chart(&emotion(), Language::Fi);
    parses(&svg);
    assert!(has(&svg, "9 haastattelua") && has(&svg, "8 haastattelua"));
    assert!(has(&svg, "ei haastatteluja"));
    // One band polygon over the two scored stages.
    assert_eq!(
        svg.as_str().matches("fill=\"#9fb8d6\"").count(),
        2,
        "band and legend"
    );
    insta::assert_snapshot!("emotion_fi", svg.as_str());
}

#[test]
fn empty_charts_say_so() {
    for svg in [
        funnel_chart(&FunnelData::default(), Language::En),
        sankey_chart(&SankeyData::default(), Language::En),
        retention_chart(&RetentionData::default(), Language::En),
        distributions_chart(&DistributionData::default(), Language::En),
        emotion_chart(&EmotionCurveData::default(), Language::En),
    ] {
        parses(&svg);
        assert!(has(&svg, "No data for this chart."), "{svg}");
    }
}

/// The B2B template's HR-Hanna map with its persona, in Finnish.
fn hanna() -> (WorkspaceConfig, Persona, JourneyMap) {
    let mut config = None;
    let mut persona = None;
    let mut map = None;
    for (path, text) in template_files(TemplateKind::B2b, Language::Fi) {
        match path {
            "polku.yaml" => config = Some(serde_norway::from_str(text).unwrap()),
            "personas/hr-hanna.yaml" => {
                let mut p: Persona = serde_norway::from_str(text).unwrap();
                p.id = "hr-hanna".parse().unwrap();
                persona = Some(p);
            }
            "maps/hr-hanna-current.yaml" => map = Some(serde_norway::from_str(text).unwrap()),
            _ => {}
        }
    }
    (config.unwrap(), persona.unwrap(), map.unwrap())
}

fn measured(numbers: bool) -> MapData {
    MapData {
        period: Some("2025-03-01 – 2025-04-30".into()),
        numbers,
        stages: vec![
            StageData {
                stage: "awareness".into(),
                reached: 1840,
                conversion_to_next: Some(0.62),
                drop_off_rate: Some(0.38),
                trend: Some(0.12),
                events: 5200,
            },
            StageData {
                stage: "consideration".into(),
                reached: 1141,
                conversion_to_next: Some(0.11),
                drop_off_rate: Some(0.89),
                trend: Some(-0.05),
                events: 3100,
            },
        ],
        touchpoints: vec![TouchpointData {
            touchpoint: "search-ad".into(),
            events: 912,
            trend: Some(0.2),
        }],
        interviews: vec![
            InterviewStageData {
                stage: "awareness".into(),
                interviews: 9,
                emotion_mean: Some(-1.4),
                emotion_sd: Some(0.9),
            },
            InterviewStageData {
                stage: "consideration".into(),
                interviews: 7,
                emotion_mean: Some(0.6),
                emotion_sd: Some(1.2),
            },
        ],
    }
}

#[test]
fn living_poster_shows_numbers_evidence_and_the_interview_band() {
    let (ws, persona, map) = hanna();
    let input = PosterInput {
        workspace: &ws,
        persona: Some(&persona),
        map: &map,
    };
    let svg = living_poster_svg(&input, &measured(true), Paper::A3);
    parses(&svg);
    let t = texts(&svg);
    assert!(t.iter().any(|t| t == "Mitattu"), "the measured lane");
    assert!(has(&svg, "1 840 asiakasta"));
    assert!(has(&svg, "62 % seuraavaan vaiheeseen"));
    assert!(has(&svg, "89 % putoaa"));
    assert!(has(&svg, "+12 % edelliseen jaksoon") && has(&svg, "–5 % edelliseen jaksoon"));
    assert!(
        has(&svg, "912 tapahtumaa · +20 %"),
        "the touchpoint's volume"
    );
    assert!(
        has(&svg, "2025-03-01 – 2025-04-30"),
        "the period in the header"
    );
    // Stages without data say so, lanes show their evidence.
    assert!(
        t.iter().filter(|t| *t == "ei mitattu").count() >= 3,
        "{t:?}"
    );
    assert!(t.iter().any(|t| t == "9 haastattelua"));
    assert!(t.iter().any(|t| t == "912 datariviä"));
    assert!(svg.as_str().contains("fill=\"#9fb8d6\""), "the spread band");
    insta::assert_snapshot!("living_hr_hanna_fi_a3", svg.as_str());

    // Without numbers: evidence only, no measured lane.
    let plain = living_poster_svg(&input, &measured(false), Paper::A3);
    assert!(!texts(&plain).iter().any(|t| t == "Mitattu"));
    assert!(texts(&plain).iter().any(|t| t == "9 haastattelua"));
    assert_ne!(plain, poster_svg(&input, Paper::A3));
}

#[test]
fn a_lane_without_evidence_looks_like_a_guess() {
    let (ws, persona, mut map) = hanna();
    for s in &mut map.stages {
        for p in &mut s.pain_points {
            p.evidence.clear();
        }
    }
    let input = PosterInput {
        workspace: &ws,
        persona: Some(&persona),
        map: &map,
    };
    let svg = living_poster_svg(&input, &MapData::default(), Paper::A3);
    let t = texts(&svg);
    assert!(t.iter().any(|t| t == "ei näyttöä"), "{t:?}");
    // The lane's name is drawn faint.
    let faint_label = svg
        .as_str()
        .lines()
        .any(|l| l.contains("fill=\"#8a94a1\"") && l.contains(">Kipupisteet<"));
    assert!(faint_label);
}

#[test]
fn living_report_holds_tables_and_charts_offline() {
    let (ws, persona, map) = hanna();
    let personas = [persona];
    let maps = [map.clone()];
    let living = LivingWorkspace {
        period: Some("2025-03-01 – 2025-04-30".into()),
        persona: None,
        events: 12_000,
        customers: 1840,
        maps: vec![MeasuredMap {
            map: map.id.to_string(),
            data: measured(true),
            unmatched: Some((1200, 12_000)),
            funnel: Some(funnel()),
            sankey: Some(sankey()),
            breakpoints: Some(breakpoints()),
            distributions: None,
            emotion: Some(emotion()),
        }],
        retention: None,
        attribution: None,
    };
    let html = living_report_html(
        &ReportInput {
            title: "Esimerkki",
            workspaces: vec![ReportWorkspace {
                workspace: &ws,
                personas: &personas,
                maps: &maps,
            }],
        },
        &[living],
    );
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("Elävä kartta"));
    assert!(html.contains("12\u{a0}000"));
    assert!(html.contains("1200 / 12000") || html.contains("1\u{a0}200 / 12\u{a0}000"));
    // The stage table: reached, conversion, drop-off, trend; unmeasured stages marked.
    assert!(html.contains("<td class=\"n\">1\u{a0}840</td>"));
    assert!(html.contains("<td class=\"n drop\">89\u{a0}%</td>"));
    assert!(html.contains("<td class=\"n up\">+12\u{a0}%</td>"));
    assert!(html.contains("<td class=\"n down\">–5\u{a0}%</td>"));
    assert!(html.contains("class=\"unbound\""));
    // Poster + funnel + breakpoints + Sankey + emotion.
    assert_eq!(html.matches("<svg").count(), 5);
    assert_eq!(html.matches("<figure class=\"chart\">").count(), 4);
}

#[test]
fn living_report_shows_the_attribution_models_side_by_side() {
    let (ws, persona, map) = hanna();
    let personas = [persona];
    let maps = [map];
    let report = |attribution: Option<polku_render::AttributionView>| {
        living_report_html(
            &ReportInput {
                title: "Esimerkki",
                workspaces: vec![ReportWorkspace {
                    workspace: &ws,
                    personas: &personas,
                    maps: &maps,
                }],
            },
            &[LivingWorkspace {
                events: 100,
                attribution,
                ..LivingWorkspace::default()
            }],
        )
    };
    let view = polku_render::AttributionView {
        language: Language::Fi,
        models: vec!["linear".into(), "shapley".into()],
        channels: vec!["Sähköposti".into()],
        conversions: vec![vec![2.0, 2.0]],
        journeys: 5,
        total_conversions: 2,
        conversion: "purchase".into(),
        ..polku_render::AttributionView::default()
    };
    let html = report(Some(view));
    assert!(html.contains("id=\"attribution-0\"") && html.contains("Attribuutio malleittain"));
    assert!(html.contains("<a href=\"#attribution-0\">Attribuutio malleittain</a>"));
    let figure = "<figure class=\"chart attribution-chart\">";
    assert!(html.contains(figure) && html.contains("class=\"measured attribution-credit\""));
    assert!(html.contains("Lineaarinen") && html.contains("Sähköposti"));
    // Events but no path to attribute: a note instead of an empty chart.
    let empty = report(Some(polku_render::AttributionView {
        language: Language::Fi,
        ..polku_render::AttributionView::default()
    }));
    assert!(empty.contains("attribuoitavaa ei ole") && !empty.contains(figure));
    let none = report(None);
    assert!(!none.contains("id=\"attribution-0\"") && !none.contains("#attribution-0"));
}
