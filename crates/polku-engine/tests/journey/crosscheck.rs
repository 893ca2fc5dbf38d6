//! The engine's funnels against an independent DuckDB SQL funnel on the same generated files.
//!
//! The DuckDB side is `tests/data/journey/duckdb_funnel.py`, run with `python3`; it needs the
//! `duckdb` Python package, which `scripts/test-deps.sh` installs (the README's test command
//! runs it). Without it the test fails with that instruction rather than passing unchecked.

use std::path::Path;
use std::process::Command;

use polku_engine::Analytics;
use polku_engine::funnel::{FunnelOrder, FunnelQuery};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::util::{D, Ev, MIN, TestWorkspace, ev};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/journey/duckdb_funnel.py"
);

fn duckdb_available() -> bool {
    Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Random journeys with ties in time, repeats and noise events, spread over several files.
fn generate(ws: &TestWorkspace, customers: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let names = ["A", "B", "C", "D", "X", "Y"];
    let mut rows: Vec<Ev> = Vec::new();
    for c in 0..customers {
        let who = format!("cust{c:05}");
        let mut t = rng.random_range(0..30) * D;
        for _ in 0..rng.random_range(1..14) {
            t += match rng.random_range(0..10) {
                0..=1 => 0,
                2..=7 => rng.random_range(1..90) * MIN,
                _ => rng.random_range(1..4) * D,
            };
            let name = names[rng.random_range(0..names.len())];
            rows.push(ev(&who, t, name));
        }
    }
    // Spread the rows over files in random order, so ties cross files.
    let files = 4;
    let mut parts: Vec<Vec<Ev>> = vec![Vec::new(); files];
    for r in rows {
        parts[rng.random_range(0..files)].push(r);
    }
    for (i, mut part) in parts.into_iter().enumerate() {
        for j in (1..part.len()).rev() {
            let k = rng.random_range(0..=j);
            part.swap(j, k);
        }
        ws.events(&format!("imp{i}-00000"), &part);
    }
}

fn duckdb_funnel(
    dir: &Path,
    steps: &[&str],
    mode: &str,
    window_us: Option<i64>,
) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(dir)
        .arg(steps.join(","))
        .arg(mode)
        .arg(window_us.unwrap_or(-1).to_string())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "duckdb funnel failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn funnels_agree_with_duckdb() {
    assert!(
        duckdb_available(),
        "python3 cannot import duckdb, the independent reference of this test: run \
         scripts/test-deps.sh (or python3 -m pip install -r scripts/test-requirements.txt)"
    );
    let ws = TestWorkspace::new();
    generate(&ws, 3000, 7);
    let dir = ws.root().join("events");
    let a = Analytics::open(ws.root()).unwrap();
    let model = ws.model();
    let cases: &[(&[&str], FunnelOrder, Option<i64>)] = &[
        (&["A", "B", "C", "D"], FunnelOrder::Ordered, None),
        (&["A", "B", "C", "D"], FunnelOrder::Ordered, Some(2 * D)),
        (&["A", "B", "A", "C"], FunnelOrder::Ordered, Some(3 * D)),
        (&["A", "B", "C"], FunnelOrder::Strict, None),
        (&["B", "A", "C"], FunnelOrder::Strict, Some(D)),
        (&["A", "B", "C", "D"], FunnelOrder::Any, None),
        (&["C", "A", "D"], FunnelOrder::Any, Some(D)),
    ];
    for (steps, order, window) in cases {
        let q = FunnelQuery {
            order: *order,
            window_us: *window,
            ..FunnelQuery::new(steps.iter().copied())
        };
        let ours = a.funnel(&model, &q).unwrap();
        let theirs = duckdb_funnel(&dir, steps, order.as_str(), *window);
        let label = format!("{steps:?} {order:?} {window:?}");
        let theirs = theirs["steps"].as_array().unwrap();
        assert_eq!(ours.steps.len(), theirs.len(), "{label}");
        assert!(
            ours.steps[0].count > 100,
            "{label}: too few journeys to compare"
        );
        for (o, t) in ours.steps.iter().zip(theirs) {
            assert_eq!(
                o.count,
                t["count"].as_u64().unwrap(),
                "{label}: count of {}",
                o.step
            );
            match (
                o.median_time_from_previous_s,
                t["median_time_from_previous_s"].as_f64(),
            ) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    assert!(
                        (x - y).abs() < 1e-6,
                        "{label}: median of {}: {x} vs {y}",
                        o.step
                    );
                }
                other => panic!("{label}: median of {}: {other:?}", o.step),
            }
        }
    }
}
