//! Running the `polku` binary from integration tests.

#![allow(dead_code, reason = "each test file uses its own part")]

use std::path::Path;
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
