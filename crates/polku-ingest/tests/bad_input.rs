//! Every kind of bad input names its file, line and column, and leaves the store unchanged.

use polku_ingest::IngestError;
use rstest::rstest;

use crate::util::{Ws, opts};

const HEADER: &str = "time,event,anonymous_id,value,currency\n";
const GOOD: &str = "2025-03-01 10:00:00,page_view,a1,,\n";

#[rstest]
#[case::bad_time(
    "2025-13-01 10:00:00,page_view,a1,,\n",
    3,
    "time",
    "not a calendar date"
)]
#[case::unreadable_time(
    "yesterday,page_view,a1,,\n",
    3,
    "time",
    "cannot read `yesterday` as a time"
)]
#[case::skipped_hour(
    "2025-03-30 03:30:00,page_view,a1,,\n",
    3,
    "time",
    "does not exist in Europe/Helsinki"
)]
#[case::empty_time(",page_view,a1,,\n", 3, "time", "empty time")]
#[case::empty_event("2025-03-01 10:00:00,,a1,,\n", 3, "event", "empty event name")]
#[case::no_identity(
    "2025-03-01 10:00:00,page_view,,,\n",
    3,
    "anonymous_id",
    "no anonymous_id or user_id"
)]
#[case::bad_number(
    "2025-03-01 10:00:00,purchase,a1,12 euros,EUR\n",
    3,
    "value",
    "`12 euros` is not a number"
)]
#[case::bad_currency(
    "2025-03-01 10:00:00,purchase,a1,12,euro\n",
    3,
    "currency",
    "not a three-letter ISO 4217 code"
)]
#[case::too_few_fields(
    "2025-03-01 10:00:00,page_view\n",
    3,
    "anonymous_id",
    "the row has 2 fields, the header 5"
)]
#[case::too_many_fields(
    "2025-03-01 10:00:00,page_view,a1,,,x\n",
    3,
    "#6",
    "the row has 6 fields, the header 5"
)]
#[case::out_of_range("1969-12-31 10:00:00,page_view,a1,,\n", 3, "time", "outside 1970")]
#[case::multiline_quoted(
    "2025-03-01 10:00:00,\"page\nview\",a1,,\nyesterday,x,a1,,\n",
    5,
    "time",
    "as a time"
)]
fn csv_bad_values(
    #[case] bad_row: &str,
    #[case] line: u64,
    #[case] column: &str,
    #[case] message: &str,
) {
    let ws = Ws::new();
    let good = ws.file("good.csv", &format!("{HEADER}{GOOD}"));
    ws.import(&good, &opts()).unwrap();
    let before = ws.snapshot();
    let path = ws.file(
        "bad.csv",
        &format!("{HEADER}{GOOD}{bad_row}2025-03-01 11:00:00,page_view,a2,,\n"),
    );
    let err = ws.import(&path, &opts()).unwrap_err();
    let IngestError::BadRows(rows) = &err else {
        panic!("{err}")
    };
    let first = &rows[0];
    assert_eq!((first.line, first.column.as_str()), (line, column), "{err}");
    assert!(first.message.contains(message), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:{line}:{column}: ", path.display())),
        "{err}"
    );
    assert_eq!(ws.snapshot(), before, "the store must be unchanged");
}

/// Latin-1 text, and a character cut between two fields: `k\xc3` and `\xa4a1` are each
/// invalid, though the record's bytes run together read `kä`.
#[rstest]
#[case::latin1(b"2025-03-01 10:00:00,k\xe4ynti,a1,,\n")]
#[case::split_character(b"2025-03-01 10:00:00,k\xc3,\xa4a1,,\n")]
fn invalid_utf8_names_its_column(#[case] row: &[u8]) {
    let ws = Ws::new();
    let path = ws.root().join("latin1.csv");
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(row);
    std::fs::write(&path, bytes).unwrap();
    let err = ws.import(&path, &opts()).unwrap_err().to_string();
    assert!(err.contains(":2:event: not valid UTF-8"), "{err}");
}

#[test]
fn header_problems_point_at_line_one() {
    let ws = Ws::new();
    let path = ws.file("nohead.csv", "when,what\n2025-03-01,x\n");
    let err = ws.import(&path, &opts()).unwrap_err().to_string();
    assert!(err.contains("nohead.csv:1:-: no time column"), "{err}");
    let mut o = opts();
    o.mapping = vec![
        "time=When".parse().unwrap(),
        "event=nope".parse().unwrap(),
        "anonymous_id=what".parse().unwrap(),
    ];
    let err = ws.import(&path, &o).unwrap_err().to_string();
    assert!(
        err.contains(":1:-: --map event=nope: no column `nope`"),
        "{err}"
    );
    let empty = ws.file("empty.csv", "");
    assert!(
        ws.import(&empty, &opts())
            .unwrap_err()
            .to_string()
            .contains("the file is empty")
    );
}

#[rstest]
#[case::not_json("{\"event_name\": \"x\", oops}\n", "ga4", 2, "21", "invalid JSON")]
#[case::not_object("[1,2]\n", "ga4", 2, "-", "expected a GA4 event object")]
#[case::no_name(
    "{\"event_timestamp\":\"1740823200000000\",\"user_pseudo_id\":\"p\"}\n",
    "ga4",
    2,
    "event_name",
    "missing event_name"
)]
#[case::bad_ts(
    "{\"event_name\":\"x\",\"event_timestamp\":\"soon\",\"user_pseudo_id\":\"p\"}\n",
    "ga4",
    2,
    "event_timestamp",
    "not epoch microseconds"
)]
#[case::bad_params(
    "{\"event_name\":\"x\",\"event_timestamp\":\"1740823200000000\",\"user_pseudo_id\":\"p\",\"event_params\":{}}\n",
    "ga4",
    2,
    "event_params",
    "expected a list"
)]
#[case::bad_param_value(
    "{\"event_name\":\"x\",\"event_timestamp\":\"1740823200000000\",\"user_pseudo_id\":\"p\",\"event_params\":[{\"key\":\"value\",\"value\":{\"string_value\":\"lots\"}}]}\n",
    "ga4",
    2,
    "event_params.value",
    "not a number"
)]
#[case::no_type(
    "{\"anonymousId\":\"a\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n",
    "segment",
    2,
    "type",
    "missing type"
)]
#[case::unknown_type(
    "{\"type\":\"tarck\",\"anonymousId\":\"a\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n",
    "segment",
    2,
    "type",
    "unknown message type `tarck`"
)]
#[case::no_event(
    "{\"type\":\"track\",\"anonymousId\":\"a\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n",
    "segment",
    2,
    "event",
    "needs an event name"
)]
#[case::no_ids(
    "{\"type\":\"track\",\"event\":\"e\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n",
    "segment",
    2,
    "anonymousId",
    "neither anonymousId nor userId"
)]
#[case::bad_revenue(
    "{\"type\":\"track\",\"event\":\"e\",\"anonymousId\":\"a\",\"timestamp\":\"2025-03-01T10:00:00Z\",\"properties\":{\"revenue\":[1]}}\n",
    "segment",
    2,
    "properties.revenue",
    "expected a number"
)]
#[case::batch_item(
    "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"timestamp\":\"2025-03-01T10:00:00Z\"}]}\n",
    "segment",
    2,
    "batch[0].event",
    "needs an event name"
)]
#[case::alias_without_previous(
    "{\"type\":\"alias\",\"userId\":\"u\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n",
    "segment",
    2,
    "previousId",
    "alias needs a previousId"
)]
fn json_bad_values(
    #[case] bad: &str,
    #[case] format: &str,
    #[case] line: u64,
    #[case] column: &str,
    #[case] message: &str,
) {
    let ws = Ws::new();
    let good = match format {
        "ga4" => {
            "{\"event_name\":\"page_view\",\"event_timestamp\":\"1740823200000000\",\"user_pseudo_id\":\"p1\"}\n"
        }
        _ => {
            "{\"type\":\"track\",\"event\":\"e\",\"anonymousId\":\"a\",\"timestamp\":\"2025-03-01T10:00:00Z\"}\n"
        }
    };
    let path = ws.file("bad.ndjson", &format!("{good}{bad}"));
    let mut o = opts();
    o.format = Some(format.parse().unwrap());
    let err = ws.import(&path, &o).unwrap_err();
    let IngestError::BadRows(rows) = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (rows[0].line, rows[0].column.as_str()),
        (line, column),
        "{err}"
    );
    assert!(rows[0].message.contains(message), "{err}");
    assert!(ws.snapshot().is_empty());
}

#[test]
fn quarantine_takes_bad_rows_and_imports_the_rest() {
    let ws = Ws::new();
    let path = ws.file(
        "mixed.csv",
        &format!("{HEADER}{GOOD}yesterday,page_view,a1,,\n2025-03-01 10:00:00,buy,a1,x,\n2025-03-01 12:00:00,page_view,a3,,\n"),
    );
    let q = ws.root().join("bad-rows.csv");
    let mut o = opts();
    o.quarantine = Some(q.clone());
    let r = ws.import(&path, &o).unwrap();
    assert_eq!((r.added, r.quarantined), (2, 2));
    let text = std::fs::read_to_string(&q).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "line,column,error,time,event,anonymous_id,value,currency"
    );
    assert!(lines[1].starts_with("3,time,"), "{text}");
    assert!(lines[1].ends_with(",yesterday,page_view,a1,,"), "{text}");
    assert!(
        lines[2].starts_with("4,value,`x` is not a number,"),
        "{text}"
    );

    let json = ws.file("mixed.ndjson", "{\"type\":\"track\",\"event\":\"e\",\"anonymousId\":\"a\",\"timestamp\":\"2025-03-02T10:00:00Z\"}\nnot json\n");
    let q2 = ws.root().join("bad.ndjson");
    o.quarantine = Some(q2.clone());
    let r = ws.import(&json, &o).unwrap();
    assert_eq!((r.added, r.quarantined), (1, 1));
    let v: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&q2).unwrap().trim()).unwrap();
    assert_eq!(v["line"], 2);
    assert_eq!(v["record"], "not json");
}

#[test]
fn errors_stop_after_ten() {
    let ws = Ws::new();
    let bad: String = (0..30).map(|_| "nope,page_view,a1,,\n").collect();
    let path = ws.file("many.csv", &format!("{HEADER}{bad}"));
    let err = ws.import(&path, &opts()).unwrap_err();
    let IngestError::BadRows(rows) = &err else {
        panic!()
    };
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[9].line, 11);
    assert!(err.to_string().contains("--quarantine"));
}
