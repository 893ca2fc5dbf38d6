//! A temporary workspace and a reader of its event table.

use std::path::{Path, PathBuf};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMicrosecondType};
use polku_ingest::{ImportOptions, ImportReport, IngestError, NoProgress, import_events};
use polku_store::EventStore;
use polku_store::schema::Table;

/// A temporary workspace folder.
pub struct Ws {
    pub dir: tempfile::TempDir,
}

/// One stored event, for assertions.
#[derive(Debug, Clone, PartialEq)]
pub struct Ev {
    pub event_id: String,
    pub customer: Option<String>,
    pub anonymous_id: Option<String>,
    pub user_id: Option<String>,
    pub time: i64,
    pub event: String,
    pub channel_group: String,
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub url: Option<String>,
    pub session: Option<String>,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub properties: Option<String>,
    pub source_system: String,
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn opts() -> ImportOptions {
    ImportOptions {
        user: "tester".into(),
        channel_rules: Some(Vec::new()),
        ..ImportOptions::default()
    }
}

impl Ws {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("polku.yaml"), "name: Test\nstages: []\n").unwrap();
        Ws { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the workspace's scratch folder and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.root().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn import(&self, file: &Path, o: &ImportOptions) -> Result<ImportReport, IngestError> {
        import_events(self.root(), file, o, &NoProgress)
    }

    pub fn events(&self) -> Vec<Ev> {
        let store = EventStore::open(self.root());
        let mut out = Vec::new();
        store
            .scan(Table::Events, None, |_, b| {
                let s = |name: &str, i: usize| {
                    let c = b.column_by_name(name).unwrap().as_string::<i32>();
                    c.is_valid(i).then(|| c.value(i).to_owned())
                };
                let time = b
                    .column_by_name("time")
                    .unwrap()
                    .as_primitive::<TimestampMicrosecondType>();
                let value = b
                    .column_by_name("value")
                    .unwrap()
                    .as_primitive::<Float64Type>();
                for i in 0..b.num_rows() {
                    out.push(Ev {
                        event_id: s("event_id", i).unwrap(),
                        customer: s("customer", i),
                        anonymous_id: s("anonymous_id", i),
                        user_id: s("user_id", i),
                        time: time.value(i),
                        event: s("event", i).unwrap(),
                        channel_group: s("channel_group", i).unwrap(),
                        source: s("source", i),
                        medium: s("medium", i),
                        campaign: s("campaign", i),
                        url: s("url", i),
                        session: s("session", i),
                        value: value.is_valid(i).then(|| value.value(i)),
                        currency: s("currency", i),
                        properties: s("properties", i),
                        source_system: s("source_system", i).unwrap(),
                    });
                }
                Ok(())
            })
            .unwrap();
        out.sort_by(|a, b| (a.time, &a.event_id).cmp(&(b.time, &b.event_id)));
        out
    }

    /// Every file under the workspace's data folders, with its bytes, for "unchanged" checks.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for dir in ["events", "tables"] {
            let root = self.root().join(dir);
            if root.is_dir() {
                walk(&root, &mut out);
            }
        }
        out.sort();
        out
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
}

/// UTC microseconds of an RFC 3339 time.
pub fn us(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_micros()
}
