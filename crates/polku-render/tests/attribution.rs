//! The attribution chart: models side by side, labels in the workspace language.

use polku_model::Language;
use polku_render::{
    AttributionChart, AttributionView, ChannelSpend, ChartMeasure, SurveyLine, SurveyView,
    attribution_html, attribution_svg, svg_to_png,
};

fn chart(language: Language) -> AttributionChart {
    AttributionChart {
        language,
        models: vec![
            "first".into(),
            "markov".into(),
            "survey".into(),
            "custom".into(),
        ],
        channels: vec![
            "Paid Search".into(),
            "Email".into(),
            "Display & Video".into(),
        ],
        credit: vec![
            vec![2.0, 1.6, 0.6, 1.0],
            vec![0.0, 0.9, 0.3, 1.0],
            vec![1.0, 0.5, 0.1, f64::NAN],
        ],
        measure: ChartMeasure::Conversions,
    }
}

#[test]
fn chart_matches_its_snapshot() {
    insta::assert_snapshot!(
        "attribution_fi",
        attribution_svg(&chart(Language::Fi)).as_str()
    );
}

#[test]
fn bars_are_shares_of_each_model_and_labels_follow_the_language() {
    let svg = attribution_svg(&chart(Language::En)).into_string();
    // First touch: 2 of 3 conversions to Paid Search.
    assert!(svg.contains(">66.7 %<"), "{svg}");
    // Markov: 0.9 of 3.0 to Email.
    assert!(svg.contains(">30 %<"), "{svg}");
    assert!(svg.contains("First touch") && svg.contains("Markov (removal effect)"));
    // An unknown model is drawn by its name; the ampersand is escaped.
    assert!(svg.contains(">custom<") && svg.contains("Display &amp; Video"));
    let fi = attribution_svg(&chart(Language::Fi)).into_string();
    assert!(
        fi.contains("Ensimmäinen kosketus") && fi.contains(">66,7 %<"),
        "{fi}"
    );
    // It is a valid picture.
    let png = svg_to_png(&attribution_svg(&chart(Language::En)), 800).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn no_channels_says_so() {
    let empty = AttributionChart {
        language: Language::En,
        models: vec!["first".into()],
        channels: vec![],
        credit: vec![],
        measure: ChartMeasure::Value,
    };
    let svg = attribution_svg(&empty).into_string();
    assert!(svg.contains("No conversions to attribute"));
    assert!(svg.contains("conversion value"));
}

fn view(language: Language, costs: bool) -> AttributionView {
    AttributionView {
        language,
        models: vec!["first".into(), "markov".into()],
        channels: vec!["Paid Search".into(), "Email & News".into()],
        conversions: vec![vec![3.0, 2.26], vec![1.0, 1.74]],
        journeys: 1234,
        total_conversions: 4,
        conversion: "purchase".into(),
        costs: if costs {
            vec![ChannelSpend {
                channel: "Paid Search".into(),
                spend: 1500.0,
                leads: 10,
                cost_per_lead: Some(150.0),
                cost_per_conversion: vec![Some(500.0), Some(1500.0 / 2.26)],
                return_on_ad_spend: vec![Some(2.5), None],
            }]
        } else {
            Vec::new()
        },
        persona: true,
        survey: costs.then(|| SurveyView {
            answers: 4,
            channels: vec![
                SurveyLine {
                    channel: "Word of Mouth".into(),
                    reported: 3,
                    reported_share: 0.75,
                    shares: vec![0.0, 0.0],
                },
                SurveyLine {
                    channel: "Paid Search".into(),
                    reported: 1,
                    reported_share: 0.25,
                    shares: vec![0.75, 0.566],
                },
            ],
            agreement: vec![0.25, 0.25],
        }),
    }
}

/// The text of each row of the table with `class`, cells joined by `|`.
fn rows(html: &str, class: &str) -> Vec<String> {
    let start = html.find(&format!("class=\"measured {class}\"")).unwrap();
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("</t")
                .filter_map(|cell| cell.rsplit_once('>').map(|(_, text)| text.to_owned()))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[test]
fn view_shows_chart_and_tables_side_by_side() {
    let html = attribution_html(&view(Language::En, true));
    assert!(html.contains("<figure class=\"chart attribution-chart\"><svg"));
    assert!(
        !html.contains("http://www.w3.org"),
        "inline SVG needs no namespace"
    );
    assert!(html.contains("1,234 journeys, 4 conversions (purchase)"));
    assert_eq!(
        rows(&html, "attribution-credit"),
        [
            "Channel|First touch|Markov (removal effect)",
            "Paid Search|3|2.3",
            "Email &amp; News|1|1.7",
            "Total|4|4",
        ]
    );
    assert_eq!(
        rows(&html, "attribution-cpa"),
        [
            "Channel|Spend|Leads|Per lead|First touch|Markov (removal effect)",
            "Paid Search|1,500|10|150|500|664",
        ]
    );
    assert_eq!(
        rows(&html, "attribution-roas"),
        [
            "Channel|First touch|Markov (removal effect)",
            "Paid Search|2.5|–"
        ]
    );
    assert!(html.contains("whole ad spend"));
    assert_eq!(
        rows(&html, "attribution-survey"),
        [
            "Channel|Answers|Said|First touch|Markov (removal effect)",
            "Word of Mouth|3|75%|0%|0%",
            "Paid Search|1|25%|75%|57%",
            "Agreement|4|25%|25%",
        ]
    );
    // Without spend there are no cost tables, and no note about spend.
    let plain = attribution_html(&view(Language::En, false));
    assert!(!plain.contains("attribution-cpa") && !plain.contains("whole ad spend"));
    assert!(!plain.contains("attribution-survey"));
    // Finnish labels and numbers.
    let fi = attribution_html(&view(Language::Fi, true));
    assert!(fi.contains("Kanava") && fi.contains("Ensimmäinen kosketus") && fi.contains(">2,3<"));
    assert!(fi.contains("1\u{a0}234 polkua") && fi.contains("Kulut"));
}
