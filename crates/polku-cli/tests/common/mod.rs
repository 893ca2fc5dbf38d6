//! Running the `polku` binary from integration tests.

#![allow(dead_code, reason = "each test file uses its own part")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What a run of `polku` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `polku ARGS` in `dir`.
pub fn polku(dir: &Path, args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_polku"))
        .args(args)
        .current_dir(dir)
        .env_remove("POLKU_WORKSPACE")
        .output()
        .expect("polku runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `polku ARGS` in `dir` and insists that it succeeds.
pub fn ok(dir: &Path, args: &[&str]) -> Run {
    let run = polku(dir, args);
    assert_eq!(
        run.code, 0,
        "polku {args:?} failed:\n{}\n{}",
        run.stdout, run.stderr
    );
    run
}

/// What `polku generate` writes besides its events that a generated workspace imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// The events only.
    Events,
    /// The events, the ad costs and the survey answers.
    EventsCostsSurvey,
}

/// A new workspace from `template` in `lang`, in a temporary folder: (tempdir, workspace).
pub fn new_workspace(template: &str, lang: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    ok(
        tmp.path(),
        &["init", "ws", "--template", template, "--lang", lang],
    );
    let ws = tmp.path().join("ws");
    (tmp, ws)
}

/// `polku init ws --template TEMPLATE --lang LANG` in `dir`, then `polku generate` of
/// `customers` with `seed` into `dir/gen.csv`, imported as `imported` says. Returns the
/// workspace folder.
pub fn generated_workspace(
    dir: &Path,
    template: &str,
    lang: &str,
    customers: u32,
    seed: u64,
    imported: Imported,
) -> PathBuf {
    ok(dir, &["init", "ws", "--template", template, "--lang", lang]);
    let ws = dir.join("ws");
    let events = dir.join("gen.csv");
    let (customers, seed) = (customers.to_string(), seed.to_string());
    ok(
        dir,
        &[
            "generate",
            "--customers",
            &customers,
            "--seed",
            &seed,
            "--out",
            events.to_str().unwrap(),
        ],
    );
    ok(&ws, &["import", "events", events.to_str().unwrap()]);
    if imported == Imported::EventsCostsSurvey {
        for table in ["costs", "survey"] {
            let file = dir.join(format!("gen.{table}.csv"));
            ok(&ws, &["import", table, file.to_str().unwrap()]);
        }
    }
    ws
}
