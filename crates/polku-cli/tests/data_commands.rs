//! The data side of `polku` as a user runs it: generate, import, stats, quarantine, restitch,
//! forget, and a workspace that keeps its data out of version control.

mod common;

use std::path::Path;
use std::process::Command;

use common::{new_workspace, ok, polku};

fn stats(ws: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(ws, &["stats", "--format", "json"]).stdout).unwrap()
}

/// A b2c workspace with a small generated data set imported: (tempdir, workspace).
fn workspace_with_data() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, ws) = new_workspace("b2c", "en");
    let data = tmp.path().join("data.csv");
    let data = data.to_str().unwrap();
    let gen_out = ok(
        tmp.path(),
        &[
            "generate",
            "--customers",
            "40",
            "--seed",
            "7",
            "--out",
            data,
        ],
    );
    assert!(gen_out.stdout.contains("customers"), "{}", gen_out.stdout);
    let imported = ok(&ws, &["import", "events", data]);
    assert!(
        imported.stdout.starts_with("imported "),
        "{}",
        imported.stdout
    );
    (tmp, ws)
}

#[test]
fn generated_data_imports_once_and_stats_count_it() {
    let (tmp, ws) = workspace_with_data();
    let first = stats(&ws);
    let events = first["events"].as_u64().unwrap();
    assert!(events > 100, "{first}");
    assert!(first["customers"].as_u64().unwrap() >= 30, "{first}");
    assert!(first["first"].as_str().unwrap() < first["last"].as_str().unwrap());

    // The same file again adds nothing.
    let data = tmp.path().join("data.csv");
    let again = ok(&ws, &["import", "events", data.to_str().unwrap()]);
    assert!(
        again.stdout.contains("imported 0 events"),
        "{}",
        again.stdout
    );
    assert_eq!(stats(&ws)["events"].as_u64(), Some(events));

    // Costs and survey answers beside it.
    let costs = tmp.path().join("data.costs.csv");
    let out = ok(&ws, &["import", "costs", costs.to_str().unwrap()]);
    assert!(out.stdout.contains("cost rows"), "{}", out.stdout);
    let survey = tmp.path().join("data.survey.csv");
    let out = ok(&ws, &["import", "survey", survey.to_str().unwrap()]);
    assert!(out.stdout.contains("survey answers"), "{}", out.stdout);

    // A repair run on a consistent store changes nothing.
    let restitch = ok(&ws, &["restitch"]);
    assert!(
        restitch.stdout.contains("0 event file(s) rewritten"),
        "{}",
        restitch.stdout
    );
    assert_eq!(stats(&ws)["events"].as_u64(), Some(events));
}

#[test]
fn reading_threads_are_a_positive_count() {
    let (tmp, ws) = new_workspace("b2c", "en");
    let data = tmp.path().join("data.csv");
    std::fs::write(
        &data,
        "time,event,anonymous_id\n2025-03-01T10:00:00Z,view,a1\n",
    )
    .unwrap();
    let data = data.to_str().unwrap();
    let refused = polku(&ws, &["import", "events", data, "--threads", "0"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--threads"), "{}", refused.stderr);
    let out = ok(&ws, &["import", "events", data, "--threads", "3"]);
    assert!(out.stdout.contains("imported 1 event"), "{}", out.stdout);
}

#[test]
fn a_bad_table_row_stops_the_import_unless_quarantined() {
    let (tmp, ws) = new_workspace("b2b", "fi");
    let costs = tmp.path().join("costs.csv");
    std::fs::write(
        &costs,
        "date,source,spend\n2025-03-01,google,10\n2025-03-02,google,lots\n",
    )
    .unwrap();
    let costs = costs.to_str().unwrap();

    let refused = polku(&ws, &["import", "costs", costs]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("costs.csv:3:spend:"),
        "{}",
        refused.stderr
    );

    let q = tmp.path().join("bad.csv");
    let out = ok(
        &ws,
        &[
            "import",
            "costs",
            costs,
            "--quarantine",
            q.to_str().unwrap(),
        ],
    );
    assert!(
        out.stdout.contains("imported 1 cost rows") && out.stdout.contains("1 bad lines to"),
        "{}",
        out.stdout
    );
    let set_aside = std::fs::read_to_string(&q).unwrap();
    assert!(
        set_aside.starts_with("line,column,error,date,source,spend\n3,spend,"),
        "{set_aside}"
    );
}

#[test]
fn forget_erases_a_person_and_says_so() {
    let (_tmp, ws) = workspace_with_data();
    let before = stats(&ws)["events"].as_u64().unwrap();
    let out = ok(&ws, &["forget", "d0-0"]);
    assert!(out.stdout.starts_with("forgot "), "{}", out.stdout);
    let after = stats(&ws)["events"].as_u64().unwrap();
    assert!(after < before, "{before} → {after}");
    let unknown = polku(&ws, &["forget", "nobody-like-this"]);
    assert_eq!(unknown.code, 1);
}

#[test]
fn git_ignores_the_data_but_not_the_maps() {
    if Command::new("git").arg("--version").output().is_err() {
        panic!("git is needed for this test");
    }
    let (_tmp, ws) = workspace_with_data();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&ws)
            .output()
            .unwrap()
    };
    assert!(git(&["init", "-q"]).status.success());
    let ignored = |path: &str| git(&["check-ignore", "-q", path]).status.success();
    for data in [
        "events",
        "polku.db",
        ".polku/lock",
        "tables/survey/x.parquet",
    ] {
        assert!(ignored(data), "{data} would be committed");
    }
    assert!(ws.join("polku.db").is_file() && ws.join("events").is_dir());
    for text in ["polku.yaml", "maps/x.yaml", "personas/y.yaml"] {
        assert!(!ignored(text), "{text} would not be versioned");
    }
}
