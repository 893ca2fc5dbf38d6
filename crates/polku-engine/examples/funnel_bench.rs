//! The funnel benchmark: generates event files in the store's schema and times funnels on them.
//!
//! ```text
//! funnel_bench generate DIR EVENTS [SEED]   writes DIR/events/gen-NNNNN.parquet
//! funnel_bench run DIR STEPS [WINDOW]       prints {"seconds":..,"steps":[..]} as JSON
//! ```
//!
//! Generated customers have 1 to 19 events over up to a few weeks, from a web shop's event
//! names; a file holds the events of 100 000 customers sorted by time, so customers
//! interleave as they do in real exports, and some events share a timestamp.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use polku_engine::funnel::FunnelQuery;
use polku_engine::time::parse_duration;
use polku_engine::{Analytics, EngineSettings};
use polku_model::{Workspace, WorkspaceFile};
use polku_store::events::TableWriter;
use polku_store::schema::{Table, event_schema};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

type Failure = Box<dyn std::error::Error>;

/// Event names with their weights: the funnel steps are rarer the deeper they are.
const EVENTS: [(&str, u32); 12] = [
    ("page_view", 40),
    ("view_item", 15),
    ("add_to_cart", 8),
    ("begin_checkout", 5),
    ("purchase", 3),
    ("scroll", 10),
    ("click", 8),
    ("search", 5),
    ("login", 2),
    ("video_play", 2),
    ("newsletter_signup", 1),
    ("form_submit", 1),
];
const CHANNELS: [&str; 6] = [
    "Organic Search",
    "Paid Search",
    "Direct",
    "Email",
    "Organic Social",
    "Referral",
];
const CUSTOMERS_PER_FILE: u64 = 100_000;
const T0: i64 = 1_767_571_200_000_000;
const MINUTE: i64 = 60_000_000;

fn generate(dir: &Path, events: u64, seed: u64) -> Result<(), Failure> {
    let out = dir.join(Table::Events.dir());
    std::fs::create_dir_all(&out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total_weight: u32 = EVENTS.iter().map(|(_, w)| w).sum();
    let schema = event_schema();
    let mut written = 0u64;
    let mut customer = 0u64;
    let mut file = 0;
    while written < events {
        // (time, customer, event, channel)
        let mut rows: Vec<(i64, u64, usize, usize)> = Vec::new();
        for _ in 0..CUSTOMERS_PER_FILE {
            if written + rows.len() as u64 >= events {
                break;
            }
            let n = rng.random_range(1..20);
            let mut t = T0 + rng.random_range(0..90 * 24 * 60) * MINUTE;
            let channel = rng.random_range(0..CHANNELS.len());
            for _ in 0..n {
                t += match rng.random_range(0..10) {
                    0 => 0,
                    1..=7 => rng.random_range(1..30) * MINUTE,
                    _ => rng.random_range(1..7 * 24 * 60) * MINUTE,
                };
                let mut pick = rng.random_range(0..total_weight);
                let mut e = 0;
                while pick >= EVENTS[e].1 {
                    pick -= EVENTS[e].1;
                    e += 1;
                }
                rows.push((t, customer, e, channel));
            }
            customer += 1;
        }
        rows.sort_by_key(|r| (r.0, r.1));
        let path = out.join(format!("gen-{file:05}.parquet"));
        let mut writer = TableWriter::create(&path, &schema)?;
        for chunk in rows.chunks(128 * 1024) {
            writer.write(&batch(&schema, chunk, written)?)?;
            written += chunk.len() as u64;
        }
        writer.finish()?;
        file += 1;
    }
    let mut stdout = std::io::stdout().lock();
    std::io::Write::write_all(
        &mut stdout,
        format!("{written} events of {customer} customers in {file} files\n").as_bytes(),
    )?;
    Ok(())
}

fn batch(
    schema: &datafusion::arrow::datatypes::SchemaRef,
    rows: &[(i64, u64, usize, usize)],
    first_id: u64,
) -> Result<RecordBatch, Failure> {
    let n = rows.len();
    let text = |f: &dyn Fn(usize) -> Option<String>| -> ArrayRef {
        Arc::new((0..n).map(f).collect::<StringArray>())
    };
    let none = || -> ArrayRef { Arc::new(StringArray::new_null(n)) };
    let columns: Vec<ArrayRef> = vec![
        text(&|i| Some(format!("g{}", first_id + i as u64))),
        text(&|i| Some(format!("c{:09}", rows[i].1))),
        none(),
        none(),
        Arc::new(
            TimestampMicrosecondArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .with_timezone("UTC"),
        ),
        text(&|i| Some(EVENTS[rows[i].2].0.to_owned())),
        text(&|i| Some(CHANNELS[rows[i].3].to_owned())),
        none(),
        none(),
        none(),
        none(),
        none(),
        none(),
        Arc::new(Float64Array::new_null(n)),
        none(),
        none(),
        text(&|_| Some("bench".to_owned())),
        text(&|_| Some("gen".to_owned())),
    ];
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

fn run(dir: &Path, steps: &str, window: Option<&str>) -> Result<(), Failure> {
    let started = Instant::now();
    let workspace = Workspace::parse(&[WorkspaceFile {
        path: "polku.yaml".to_owned(),
        text: "name: bench\nstages: [{id: a, name: A}]\n".to_owned(),
    }])
    .map_err(|d| format!("{d:?}"))?;
    let analytics = Analytics::with_settings(dir, EngineSettings::default())?;
    let query = FunnelQuery {
        window_us: window.map(parse_duration).transpose()?,
        ..FunnelQuery::new(steps.split(','))
    };
    let report = analytics.funnel(&workspace, &query)?;
    let seconds = started.elapsed().as_secs_f64();
    let json = serde_json::json!({ "seconds": seconds, "steps": report.steps });
    let mut stdout = std::io::stdout().lock();
    std::io::Write::write_all(&mut stdout, format!("{json}\n").as_bytes())?;
    Ok(())
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["generate", dir, events, rest @ ..] => generate(
            &PathBuf::from(dir),
            events.parse()?,
            rest.first().map_or(Ok(1), |s| s.parse())?,
        ),
        ["run", dir, steps, rest @ ..] => run(&PathBuf::from(dir), steps, rest.first().copied()),
        _ => Err("usage: funnel_bench generate DIR EVENTS [SEED] | run DIR STEPS [WINDOW]".into()),
    }
}
