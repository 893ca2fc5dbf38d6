//! The attribution chart: models side by side, labels in the workspace language.

use polku_model::Language;
use polku_render::{AttributionChart, ChartMeasure, attribution_svg, svg_to_png};

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
