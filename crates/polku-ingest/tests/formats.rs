//! Each input format, from hand-written fixtures.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use polku_ingest::{Format, MapSpec};

use crate::util::{Ws, fixture, opts, us};

#[test]
fn csv_with_inferred_columns() {
    let ws = Ws::new();
    let r = ws.import(&fixture("web.csv"), &opts()).unwrap();
    assert_eq!(r.format, Format::Csv);
    assert_eq!((r.rows_read, r.added, r.duplicates), (6, 6, 0));
    assert!(r.file_hash.starts_with("sha256:") && r.file_hash.len() == 71);
    let ev = ws.events();
    assert_eq!(ev.len(), 6);
    // Naive times are Helsinki time (UTC+2 in March).
    assert_eq!(ev[0].time, us("2025-03-01T08:00:00Z"));
    assert_eq!(ev[0].event, "page_view");
    assert_eq!(ev[0].channel_group, "Paid Search");
    assert_eq!(ev[0].campaign.as_deref(), Some("spring_sale"));
    // An internal referrer gives no source; the session's channel carries over.
    assert_eq!(ev[1].source, None);
    assert_eq!(ev[1].channel_group, "Paid Search");
    // An explicit offset wins over the time zone.
    assert_eq!(ev[2].time, us("2025-03-01T08:05:00Z"));
    assert_eq!(ev[2].properties.as_deref(), Some(r#"{"plan":"pro"}"#));
    // A search-engine referrer becomes google / organic.
    let blog = ev
        .iter()
        .find(|e| e.anonymous_id.as_deref() == Some("c2"))
        .unwrap();
    assert_eq!(
        (blog.source.as_deref(), blog.medium.as_deref()),
        (Some("google"), Some("organic"))
    );
    assert_eq!(blog.channel_group, "Organic Search");
    // No traffic, no session history: Direct.
    assert_eq!(
        ev.iter()
            .find(|e| e.anonymous_id.as_deref() == Some("c3"))
            .unwrap()
            .channel_group,
        "Direct"
    );
    let purchase = ev.last().unwrap();
    assert_eq!(purchase.value, Some(1234.5));
    assert_eq!(purchase.currency.as_deref(), Some("EUR"));
    assert_eq!(purchase.channel_group, "Email");
    assert!(
        ev.iter()
            .all(|e| e.source_system == "csv" && e.event_id.starts_with("h-"))
    );
}

#[test]
fn semicolon_crm_export_with_mapping_and_constant_event() {
    let ws = Ws::new();
    let mut o = opts();
    o.mapping = vec![
        "user_id=Email".parse::<MapSpec>().unwrap(),
        "event='lead_created'".parse().unwrap(),
        "value=Deal Value".parse().unwrap(),
        "event_id=Lead ID".parse().unwrap(),
    ];
    let r = ws.import(&fixture("crm_leads.csv"), &o).unwrap();
    assert_eq!(r.added, 2);
    let ev = ws.events();
    assert_eq!(ev[0].event_id, "L-1");
    assert_eq!(ev[0].event, "lead_created");
    assert_eq!(ev[0].time, us("2025-03-01T12:30:00Z"));
    assert_eq!(ev[0].value, Some(2500.0));
    assert_eq!(ev[0].customer.as_deref(), Some("anni@example.com"));
    assert_eq!(ev[0].source.as_deref(), Some("LinkedIn"));
    assert_eq!(
        ev[0].channel_group, "Organic Social",
        "LinkedIn is a social network"
    );
    assert_eq!(ev[1].time, us("2025-03-01T22:00:00Z"));
    assert_eq!(ev[1].properties.as_deref(), Some(r#"{"Status":"new"}"#));
}

#[test]
fn ndjson_with_dotted_mapping() {
    let ws = Ws::new();
    let mut o = opts();
    o.mapping = vec![
        "anonymous_id=visitor".parse().unwrap(),
        "user_id=user".parse().unwrap(),
        "event=name".parse().unwrap(),
    ];
    let r = ws.import(&fixture("events.ndjson"), &o).unwrap();
    assert_eq!(r.format, Format::Ndjson);
    let ev = ws.events();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].time, 1_740_823_200_000_000);
    assert_eq!(ev[0].url.as_deref(), Some("/"));
    assert_eq!(ev[0].properties.as_deref(), Some(r#"{"extra":{"ab":"B"}}"#));
    assert_eq!(ev[1].user_id.as_deref(), Some("42"));
    // The user id stitches the earlier anonymous page view.
    assert_eq!(ev[0].customer.as_deref(), Some("42"));
    assert_eq!(ev[1].properties.as_deref(), Some(r#"{"score":7}"#));
}

#[test]
fn ga4_export_without_mapping() {
    let ws = Ws::new();
    let r = ws.import(&fixture("ga4.ndjson"), &opts()).unwrap();
    assert_eq!(r.format, Format::Ga4);
    assert_eq!(r.added, 4);
    let ev = ws.events();
    assert_eq!(ev[0].event, "session_start");
    assert_eq!(ev[0].time, 1_740_823_200_000_000);
    assert_eq!(ev[0].session.as_deref(), Some("1234.5678-1740823200"));
    assert_eq!(ev[0].channel_group, "Paid Social");
    assert_eq!(
        ev[1].channel_group, "Paid Social",
        "the session's source carries over"
    );
    assert!(
        ev[1]
            .properties
            .as_deref()
            .unwrap()
            .contains(r#""page_title":"Shop""#)
    );
    let purchase = &ev[2];
    assert_eq!(purchase.value, Some(49.9));
    assert_eq!(purchase.currency.as_deref(), Some("EUR"));
    assert_eq!(purchase.channel_group, "Email");
    assert!(
        purchase
            .properties
            .as_deref()
            .unwrap()
            .contains(r#""transaction_id":"T-1""#)
    );
    // user_id stitches the earlier anonymous events of the same device.
    assert!(
        ev[..3]
            .iter()
            .all(|e| e.customer.as_deref() == Some("crm-17"))
    );
    // A gclid alone means Google Ads.
    assert_eq!(ev[3].channel_group, "Paid Search");
    assert!(ev.iter().all(|e| e.source_system == "ga4"));
}

#[test]
fn segment_messages_without_mapping() {
    let ws = Ws::new();
    let r = ws.import(&fixture("segment.ndjson"), &opts()).unwrap();
    assert_eq!(r.format, Format::Segment);
    // page, track, track(batch) added; the repeated m2 is a duplicate; identify, alias, group
    // are not events.
    assert_eq!((r.added, r.duplicates, r.other_messages), (3, 1, 3));
    let ev = ws.events();
    assert_eq!(ev[0].event, "page_view");
    assert_eq!(ev[0].event_id, "m1");
    assert_eq!(ev[0].channel_group, "Organic Social");
    assert_eq!(
        ev[0].properties.as_deref(),
        Some(
            r#"{"name":"Home","referrer":"https://www.facebook.com/","url":"https://shop.example.com/"}"#
        )
    );
    assert_eq!(ev[1].event, "Webinar Registered");
    assert_eq!(ev[1].channel_group, "Paid Social");
    assert_eq!(ev[2].value, Some(120.0));
    assert_eq!(ev[2].currency.as_deref(), Some("EUR"));
    // identify and alias put both devices on user-9.
    assert!(
        ev.iter().all(|e| e.customer.as_deref() == Some("user-9")),
        "{ev:#?}"
    );
}

#[test]
fn parquet_with_mapping() {
    let ws = Ws::new();
    let schema = Arc::new(Schema::new(vec![
        Field::new("when", DataType::Int64, false),
        Field::new("what", DataType::Utf8, false),
        Field::new("device", DataType::Utf8, true),
        Field::new("amount", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![1_740_823_200_000, 1_740_823_260_000])),
        Arc::new(StringArray::from(vec!["view", "buy"])),
        Arc::new(StringArray::from(vec![Some("d1"), Some("d1")])),
        Arc::new(Float64Array::from(vec![None, Some(9.5)])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let path = ws.root().join("in.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let mut o = opts();
    o.mapping = vec![
        "time=when".parse().unwrap(),
        "event=what".parse().unwrap(),
        "anonymous_id=device".parse().unwrap(),
        "value=amount".parse().unwrap(),
    ];
    let r = ws.import(&path, &o).unwrap();
    assert_eq!((r.format, r.added), (Format::Parquet, 2));
    let ev = ws.events();
    assert_eq!(ev[0].time, 1_740_823_200_000_000);
    assert_eq!(ev[1].value, Some(9.5));
    assert!(ev.iter().all(|e| e.source_system == "parquet"));
}

#[test]
fn workspace_channel_rules_override_the_defaults() {
    let ws = Ws::new();
    std::fs::write(
        ws.root().join("polku.yaml"),
        "name: Test\nstages: []\nchannel_groups:\n  - group: Fairs\n    source: [fair]\n",
    )
    .unwrap();
    let mut o = opts();
    o.channel_rules = None;
    o.mapping = vec![
        "user_id=Email".parse().unwrap(),
        "event='lead'".parse().unwrap(),
    ];
    ws.import(&fixture("crm_leads.csv"), &o).unwrap();
    let ev = ws.events();
    assert_eq!(ev[1].channel_group, "Fairs");
    assert_eq!(ev[0].channel_group, "Organic Social");
}
