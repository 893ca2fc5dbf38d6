//! Ad costs, survey answers and interviews.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int8Type, Int64Type};
use polku_ingest::IngestError;
use polku_ingest::tables::{TableOptions, import_costs, import_interviews, import_survey};
use polku_store::EventStore;
use polku_store::schema::Table;

use crate::util::{Ws, fixture};

fn opts() -> TableOptions {
    TableOptions {
        user: "tester".into(),
        channel_rules: Some(Vec::new()),
        ..TableOptions::default()
    }
}

fn column(ws: &Ws, table: Table, name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    EventStore::open(ws.root())
        .scan(table, Some(&[name]), |_, b| {
            out.extend(
                b.column(0)
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_owned)),
            );
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn costs_from_google_ads_and_meta_exports() {
    let ws = Ws::new();
    let r = import_costs(ws.root(), &fixture("costs.csv"), &opts()).unwrap();
    assert_eq!((r.added, r.duplicates), (3, 0));
    assert_eq!(
        column(&ws, Table::Costs, "channel_group"),
        [
            Some("Paid Search".into()),
            Some("Paid Social".into()),
            Some("Paid Search".into())
        ]
    );
    let mut spend = Vec::new();
    let mut impressions = Vec::new();
    EventStore::open(ws.root())
        .scan(Table::Costs, Some(&["spend", "impressions"]), |_, b| {
            spend.extend(
                b.column(0)
                    .as_primitive::<Float64Type>()
                    .values()
                    .iter()
                    .copied(),
            );
            impressions.extend(b.column(1).as_primitive::<Int64Type>().iter());
            Ok(())
        })
        .unwrap();
    assert_eq!(spend, [35.2, 120.0, 30.1]);
    assert_eq!(impressions, [Some(1200), Some(5000), Some(1100)]);
    let again = import_costs(ws.root(), &fixture("costs.csv"), &opts()).unwrap();
    assert_eq!((again.added, again.duplicates), (0, 3));
    let meta = import_costs(ws.root(), &fixture("meta_costs.csv"), &opts()).unwrap();
    assert_eq!(meta.added, 1);
    assert_eq!(
        column(&ws, Table::Costs, "currency")
            .last()
            .unwrap()
            .as_deref(),
        Some("EUR")
    );
}

#[test]
fn bad_cost_rows_name_line_and_column() {
    let ws = Ws::new();
    let path = ws.file(
        "c.csv",
        "date,source,spend\n2025-03-01,google,10\n2025-03-02,google,lots\n2025-02-30,google,1\n",
    );
    let err = import_costs(ws.root(), &path, &opts()).unwrap_err();
    let IngestError::BadRows(rows) = err else {
        panic!()
    };
    assert_eq!((rows[0].line, rows[0].column.as_str()), (3, "spend"));
    assert_eq!((rows[1].line, rows[1].column.as_str()), (4, "date"));
    assert!(ws.snapshot().is_empty());
}

#[test]
fn surveys_wide_and_long_with_reported_channels() {
    let ws = Ws::new();
    let r = import_survey(ws.root(), &fixture("survey_wide.csv"), &opts()).unwrap();
    assert_eq!(r.added, 3, "empty answers are skipped");
    let channels = column(&ws, Table::Survey, "reported_channel");
    assert_eq!(
        channels,
        [
            Some("Word of Mouth".into()),
            None,
            Some("Organic Search".into())
        ]
    );
    let r = import_survey(ws.root(), &fixture("survey_long.csv"), &opts()).unwrap();
    assert_eq!(r.added, 2);
    assert_eq!(
        column(&ws, Table::Survey, "reported_channel")[3].as_deref(),
        Some("Events")
    );
    assert_eq!(
        import_survey(ws.root(), &fixture("survey_wide.csv"), &opts())
            .unwrap()
            .added,
        0
    );
}

#[test]
fn interviews_from_yaml_and_csv_and_replaced_on_change() {
    let ws = Ws::new();
    let r = import_interviews(ws.root(), &fixture("interviews.yaml"), &opts()).unwrap();
    assert_eq!(r.added, 3);
    let r = import_interviews(ws.root(), &fixture("interviews.csv"), &opts()).unwrap();
    assert_eq!(r.added, 2);
    assert_eq!(column(&ws, Table::Interviews, "touchpoint").len(), 5);
    let mut emotions = Vec::new();
    EventStore::open(ws.root())
        .scan(Table::Interviews, Some(&["emotion"]), |_, b| {
            emotions.extend(b.column(0).as_primitive::<Int8Type>().iter());
            Ok(())
        })
        .unwrap();
    assert_eq!(emotions, [Some(1), Some(-2), Some(3), Some(0), Some(2)]);
    // The same file again adds nothing; a changed interview replaces its old version.
    assert_eq!(
        import_interviews(ws.root(), &fixture("interviews.csv"), &opts())
            .unwrap()
            .added,
        0
    );
    let changed = ws.file(
        "int3.csv",
        "interview,touchpoint,emotion\nint-03,Google search,1\n",
    );
    let r = import_interviews(ws.root(), &changed, &opts()).unwrap();
    assert_eq!((r.added, r.replaced), (1, 2));
    assert_eq!(column(&ws, Table::Interviews, "touchpoint").len(), 4);
}

#[test]
fn interview_errors_carry_their_line() {
    let ws = Ws::new();
    let path = ws.file(
        "bad.yaml",
        "id: int-9\nsteps:\n  - touchpoint: Call\n    emotion: 5\n",
    );
    let err = import_interviews(ws.root(), &path, &opts())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.yaml:3:") && err.contains("emotion 5 is outside the scale"),
        "{err}"
    );
    let path = ws.file("bad2.yaml", "id: int-9\nsteps:\n  - touchpont: Call\n");
    let err = import_interviews(ws.root(), &path, &opts())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `touchpont`"), "{err}");
    let path = ws.file("bad.csv", "interview,touchpoint,emotion\nint-1,Call,-4\n");
    let err = import_interviews(ws.root(), &path, &opts())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.csv:2:emotion: emotion `-4` is not on the scale"),
        "{err}"
    );
}

/// Reads a quarantine file: (line, column, first words of the reason, the line's fields).
fn quarantine_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn quarantine_keeps_the_good_cost_rows_and_sets_the_bad_ones_aside() {
    let ws = Ws::new();
    let path = ws.file(
        "c.csv",
        "date,source,clicks,spend\n\
         2025-03-01,google,5,10\n\
         2025-03-02,google,5,lots\n\
         2025-03-03,google,many,3\n\
         2025-03-04,google,2\n\
         2025-03-05,bing,1,4.5\n",
    );
    let q = ws.root().join("bad-costs.csv");
    let o = TableOptions {
        quarantine: Some(q.clone()),
        ..opts()
    };
    let r = import_costs(ws.root(), &path, &o).unwrap();
    assert_eq!((r.added, r.quarantined), (2, 3));
    assert_eq!(
        column(&ws, Table::Costs, "source"),
        [Some("google".to_owned()), Some("bing".to_owned())]
    );
    let bad = quarantine_rows(&q);
    let header = csv::Reader::from_path(&q)
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "line", "column", "error", "date", "source", "clicks", "spend"
        ]
    );
    let located: Vec<(&str, &str)> = bad.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(located, [("3", "spend"), ("4", "clicks"), ("5", "spend")]);
    assert_eq!(bad[0][3..], ["2025-03-02", "google", "5", "lots"]);
    assert_eq!(
        bad[2][3..],
        ["2025-03-04", "google", "2"],
        "a short line as it was"
    );
    assert!(bad[1][2].contains("not a count"), "{:?}", bad[1]);

    // The import log records the set-aside lines; a fixed line goes in on its own.
    let fixed = ws.file(
        "c2.csv",
        "date,source,clicks,spend\n2025-03-03,google,7,3\n",
    );
    let r = import_costs(ws.root(), &fixed, &opts()).unwrap();
    assert_eq!((r.added, r.quarantined), (1, 0));
}

#[test]
fn quarantine_for_surveys_and_interview_csvs() {
    let ws = Ws::new();
    let survey = ws.file(
        "s.csv",
        "respondent,time,question,answer\n\
         r1,2025-03-01,How did you hear about us?,Google\n\
         r2,yesterday,How did you hear about us?,A friend\n\
         r3,2025-03-02,,Facebook\n",
    );
    let q = ws.root().join("bad-survey.csv");
    let o = TableOptions {
        quarantine: Some(q.clone()),
        ..opts()
    };
    let r = import_survey(ws.root(), &survey, &o).unwrap();
    assert_eq!((r.added, r.quarantined), (1, 2));
    let lines: Vec<String> = quarantine_rows(&q)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(lines, ["3", "4"]);

    let interviews = ws.file(
        "i.csv",
        "interview,touchpoint,emotion\nint-1,Call,2\nint-1,Visit,-4\nint-2,Web,1\n",
    );
    let q = ws.root().join("bad-interviews.csv");
    let o = TableOptions {
        quarantine: Some(q.clone()),
        ..opts()
    };
    let r = import_interviews(ws.root(), &interviews, &o).unwrap();
    assert_eq!((r.added, r.quarantined), (2, 1));
    let bad = quarantine_rows(&q);
    assert_eq!((bad[0][0].as_str(), bad[0][1].as_str()), ("3", "emotion"));
    assert_eq!(bad[0][3..], ["int-1", "Visit", "-4"]);
}
