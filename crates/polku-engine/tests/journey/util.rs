//! Test fixtures: event files in the store's schema and workspaces with maps.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use polku_model::{Workspace, WorkspaceFile};
use polku_store::events::TableWriter;
use polku_store::schema::{Table, cost_schema, event_schema, survey_schema};

/// Seconds → microseconds.
pub const S: i64 = 1_000_000;
/// One minute in microseconds.
pub const MIN: i64 = 60 * S;
/// One hour in microseconds.
pub const H: i64 = 3600 * S;
/// One day in microseconds.
pub const D: i64 = 24 * H;
/// 2026-01-05 00:00 UTC, a Monday.
pub const T0: i64 = 1_767_571_200 * S;

/// One event row.
#[derive(Debug, Clone, Default)]
pub struct Ev {
    pub customer: String,
    pub time_us: i64,
    pub event: String,
    pub channel: String,
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub url: Option<String>,
    pub session: Option<String>,
    pub properties: Option<String>,
    pub value: Option<f64>,
    pub currency: Option<String>,
}

/// An event of a customer at `T0 + offset_us`.
pub fn ev(customer: &str, offset_us: i64, event: &str) -> Ev {
    Ev {
        customer: customer.to_owned(),
        time_us: T0 + offset_us,
        event: event.to_owned(),
        channel: "Direct".to_owned(),
        ..Ev::default()
    }
}

impl Ev {
    pub fn url(mut self, url: &str) -> Self {
        self.url = Some(url.to_owned());
        self
    }
    pub fn channel(mut self, channel: &str) -> Self {
        self.channel = channel.to_owned();
        self
    }
    pub fn source(mut self, source: &str) -> Self {
        self.source = Some(source.to_owned());
        self
    }
    pub fn campaign(mut self, campaign: &str) -> Self {
        self.campaign = Some(campaign.to_owned());
        self
    }
    pub fn session(mut self, session: &str) -> Self {
        self.session = Some(session.to_owned());
        self
    }
    pub fn currency(mut self, currency: &str) -> Self {
        self.currency = Some(currency.to_owned());
        self
    }
    pub fn value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }
    pub fn props(mut self, json: &str) -> Self {
        self.properties = Some(json.to_owned());
        self
    }
}

/// A temporary workspace folder.
pub struct TestWorkspace {
    pub dir: tempfile::TempDir,
    files: Vec<WorkspaceFile>,
}

pub const CONFIG: &str = "name: Test\nlanguage: en\nstages:\n  - {id: awareness, name: Awareness}\n  - {id: consideration, name: Consideration}\n  - {id: purchase, name: Purchase}\n";

impl TestWorkspace {
    pub fn new() -> Self {
        TestWorkspace {
            dir: tempfile::tempdir().unwrap(),
            files: vec![WorkspaceFile {
                path: "polku.yaml".to_owned(),
                text: CONFIG.to_owned(),
            }],
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Adds a map file (`maps/ID.yaml`).
    pub fn map(&mut self, id: &str, yaml: &str) -> &mut Self {
        self.files.push(WorkspaceFile {
            path: format!("maps/{id}.yaml"),
            text: yaml.to_owned(),
        });
        self
    }

    /// Adds a persona file (`personas/ID.yaml`).
    pub fn persona(&mut self, id: &str, yaml: &str) -> &mut Self {
        self.files.push(WorkspaceFile {
            path: format!("personas/{id}.yaml"),
            text: yaml.to_owned(),
        });
        self
    }

    /// Writes survey answers (respondent, question, answer) as `tables/survey/NAME.parquet`.
    pub fn survey(&self, name: &str, rows: &[(&str, &str, &str)]) {
        let dir = self.root().join(Table::Survey.dir());
        std::fs::create_dir_all(&dir).unwrap();
        let schema = polku_store::schema::survey_schema();
        let columns: Vec<ArrayRef> = vec![
            strings((0..rows.len()).map(|_| Some("r"))),
            strings(rows.iter().map(|r| Some(r.0))),
            Arc::new(
                TimestampMicrosecondArray::from(vec![Some(T0); rows.len()]).with_timezone("UTC"),
            ),
            strings(rows.iter().map(|r| Some(r.1))),
            strings(rows.iter().map(|r| Some(r.2))),
            strings(rows.iter().map(|_| None)),
            strings(rows.iter().map(|_| Some("imp"))),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let mut writer =
            TableWriter::create(&dir.join(format!("{name}.parquet")), &schema).unwrap();
        writer.write(&batch).unwrap();
        writer.finish().unwrap();
    }

    /// The parsed workspace.
    pub fn model(&self) -> Workspace {
        Workspace::parse(&self.files).unwrap_or_else(|d| panic!("{d:?}"))
    }

    /// Writes an event file `events/NAME.parquet`, rows in the order given.
    pub fn events(&self, name: &str, rows: &[Ev]) -> PathBuf {
        let dir = self.root().join(Table::Events.dir());
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.parquet"));
        write_events(&path, rows);
        path
    }
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

/// Writes rows as one Parquet file in the store's event schema.
pub fn write_events(path: &Path, rows: &[Ev]) {
    let schema = event_schema();
    let n = rows.len();
    let ids: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
    let columns: Vec<ArrayRef> = vec![
        strings(ids.iter().map(|s| Some(s.as_str()))),
        strings(rows.iter().map(|r| Some(r.customer.as_str()))),
        strings(rows.iter().map(|_| None)),
        strings(rows.iter().map(|_| None)),
        Arc::new(
            TimestampMicrosecondArray::from(rows.iter().map(|r| r.time_us).collect::<Vec<_>>())
                .with_timezone("UTC"),
        ),
        strings(rows.iter().map(|r| Some(r.event.as_str()))),
        strings(rows.iter().map(|r| Some(r.channel.as_str()))),
        strings(rows.iter().map(|r| r.source.as_deref())),
        strings(rows.iter().map(|r| r.medium.as_deref())),
        strings(rows.iter().map(|r| r.campaign.as_deref())),
        strings(rows.iter().map(|r| r.url.as_deref())),
        strings(rows.iter().map(|_| None)),
        strings(rows.iter().map(|r| r.session.as_deref())),
        Arc::new(Float64Array::from(
            rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        )),
        strings(rows.iter().map(|r| r.currency.as_deref())),
        strings(rows.iter().map(|r| r.properties.as_deref())),
        strings(rows.iter().map(|_| Some("test"))),
        strings(rows.iter().map(|_| Some("imp"))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut writer = TableWriter::create(path, &schema).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
}

/// (day from T0, channel, impressions, clicks, spend)
pub fn write_costs(ws: &TestWorkspace, rows: &[(i64, &str, i64, i64, f64)]) {
    let dir = ws.root().join(Table::Costs.dir());
    std::fs::create_dir_all(&dir).unwrap();
    let n = rows.len();
    let text = |f: &dyn Fn(usize) -> Option<String>| -> ArrayRef {
        Arc::new((0..n).map(f).collect::<StringArray>())
    };
    let t0_day = i32::try_from(T0 / D).unwrap();
    let columns: Vec<ArrayRef> = vec![
        text(&|i| Some(format!("r{i}"))),
        Arc::new(Date32Array::from(
            rows.iter()
                .map(|r| t0_day + i32::try_from(r.0).unwrap())
                .collect::<Vec<_>>(),
        )),
        text(&|i| Some(rows[i].1.to_owned())),
        text(&|_| None),
        text(&|_| None),
        text(&|_| None),
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )),
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )),
        Arc::new(Float64Array::from(
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        )),
        text(&|_| Some("EUR".to_owned())),
        text(&|_| Some("imp".to_owned())),
    ];
    let schema = cost_schema();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut w = TableWriter::create(&dir.join("imp-00000.parquet"), &schema).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
}

/// (respondent, question, answer, reported channel): one survey file without submission times.
pub fn write_survey(ws: &TestWorkspace, rows: &[(&str, &str, &str, Option<&str>)]) {
    let dir = ws.root().join(Table::Survey.dir());
    std::fs::create_dir_all(&dir).unwrap();
    let n = rows.len();
    let schema = survey_schema();
    let columns: Vec<ArrayRef> = vec![
        strings(
            (0..n)
                .map(|i| Some(format!("r{i}")))
                .collect::<Vec<_>>()
                .iter()
                .map(|s| s.as_deref()),
        ),
        strings(rows.iter().map(|r| Some(r.0))),
        Arc::new(TimestampMicrosecondArray::from(vec![None; n]).with_timezone("UTC")),
        strings(rows.iter().map(|r| Some(r.1))),
        strings(rows.iter().map(|r| Some(r.2))),
        strings(rows.iter().map(|r| r.3)),
        strings(rows.iter().map(|_| Some("imp"))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut w = TableWriter::create(&dir.join("imp-00000.parquet"), &schema).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
}
