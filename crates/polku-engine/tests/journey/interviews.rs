//! Interviews aggregated by the stages of a persona's map.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Date32Array, Int8Array, Int32Array, RecordBatch, StringArray,
};
use polku_engine::Analytics;
use polku_store::events::TableWriter;
use polku_store::schema::{Table, interview_schema};

use crate::util::TestWorkspace;

/// (interview, persona, stage, touchpoint, emotion, success, joy, failure)
type Row<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<i8>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn write_interviews(ws: &TestWorkspace, rows: &[Row<'_>]) {
    let dir = ws.root().join(Table::Interviews.dir());
    std::fs::create_dir_all(&dir).unwrap();
    let n = rows.len();
    let text = |f: &dyn Fn(usize) -> Option<String>| -> ArrayRef {
        Arc::new((0..n).map(f).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> = vec![
        text(&|i| Some(format!("r{i}"))),
        text(&|i| Some(rows[i].0.to_owned())),
        text(&|_| None),
        text(&|i| Some(rows[i].1.to_owned())),
        Arc::new(Date32Array::from(vec![Some(20_000); n])),
        Arc::new(Int32Array::from(
            (0..n)
                .map(|i| i32::try_from(i).unwrap())
                .collect::<Vec<_>>(),
        )),
        text(&|i| Some(rows[i].3.to_owned())),
        text(&|i| rows[i].2.map(str::to_owned)),
        Arc::new(Int8Array::from(
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        )),
        text(&|i| rows[i].5.map(str::to_owned)),
        text(&|i| rows[i].6.map(str::to_owned)),
        text(&|i| rows[i].7.map(str::to_owned)),
        text(&|_| None),
        text(&|_| Some("imp".to_owned())),
    ];
    let schema = interview_schema();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut w = TableWriter::create(&dir.join("imp-00000.parquet"), &schema).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
}

#[test]
fn stages_get_mentions_emotions_and_quotes() {
    let mut ws = TestWorkspace::new();
    ws.map(
        "hanna",
        "title: Hanna\npersona: hanna\nstages:\n  - stage: awareness\n  - stage: consideration\n  - stage: purchase\n",
    );
    write_interviews(
        &ws,
        &[
            (
                "i1",
                "hanna",
                Some("awareness"),
                "LinkedIn",
                Some(1),
                Some("found us"),
                None,
                None,
            ),
            (
                "i1",
                "hanna",
                Some("consideration"),
                "Webinar",
                Some(2),
                None,
                Some("great demo"),
                None,
            ),
            (
                "i1",
                "hanna",
                Some("purchase"),
                "Contract",
                Some(-2),
                None,
                None,
                Some("slow legal"),
            ),
            (
                "i2",
                "hanna",
                Some("awareness"),
                "LinkedIn",
                Some(3),
                None,
                None,
                None,
            ),
            (
                "i2",
                "hanna",
                Some("awareness"),
                "Colleague",
                None,
                Some("found us"),
                None,
                None,
            ),
            (
                "i2",
                "hanna",
                Some("consideration"),
                "Pricing page",
                Some(-1),
                None,
                None,
                Some("unclear prices"),
            ),
            (
                "i2",
                "hanna",
                Some("after-sales"),
                "Support",
                Some(0),
                None,
                None,
                None,
            ),
            (
                "i3",
                "other",
                Some("awareness"),
                "Fair",
                Some(2),
                None,
                None,
                None,
            ),
        ],
    );
    let a = Analytics::open(ws.root()).unwrap();
    let r = a.interviews(&ws.model(), "hanna").unwrap();
    assert_eq!(r.persona.as_deref(), Some("hanna"));
    assert_eq!(r.interviews, 2, "the other persona's interview is left out");
    assert_eq!(r.steps_elsewhere, 1);
    let aw = &r.stages[0];
    assert_eq!((aw.interviews, aw.steps), (2, 3));
    assert_eq!(aw.touchpoints[0].touchpoint, "LinkedIn");
    assert_eq!(
        (aw.touchpoints[0].steps, aw.touchpoints[0].interviews),
        (2, 2)
    );
    assert_eq!((aw.emotion_mean, aw.emotion_n), (Some(2.0), 2));
    assert!((aw.emotion_sd.unwrap() - 2f64.sqrt()).abs() < 1e-12);
    assert_eq!(aw.successes, ["found us"]);
    let co = &r.stages[1];
    assert_eq!(co.joys, ["great demo"]);
    assert_eq!(co.failures, ["unclear prices"]);
    assert_eq!(co.emotion_mean, Some(0.5));
    let pu = &r.stages[2];
    assert_eq!((pu.interviews, pu.emotion_sd), (1, None));
}
