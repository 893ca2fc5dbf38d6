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
