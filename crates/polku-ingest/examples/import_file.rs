//! Imports one event file into a workspace folder, without the CLI: a quick way to time the
//! importer alone (`cargo build --release -p polku-ingest --example import_file`). The time of
//! each phase goes to standard error.
//!
//! ```sh
//! target/release/examples/import_file WORKSPACE FILE [RANGE_MIB]   # RANGE_MIB: see ImportOptions::read_range_bytes
//! ```

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Mutex;
use std::time::Instant;

use polku_ingest::import::{ImportOptions, Progress, import_events};

/// Prints how long each phase of the import took, when the next one begins.
struct PhaseTimes {
    current: Mutex<Option<(String, Instant)>>,
}

impl PhaseTimes {
    fn report(&self, next: Option<&str>) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((phase, started)) = current.take() {
            let _ = writeln!(
                std::io::stderr(),
                "{phase:>26} {:>7.3} s",
                started.elapsed().as_secs_f64()
            );
        }
        *current = next.map(|n| (n.to_owned(), Instant::now()));
    }
}

impl Progress for PhaseTimes {
    fn begin(&self, phase: &str, _total: Option<u64>) {
        self.report(Some(phase));
    }
    fn set(&self, _done: u64) {}
    fn end(&self) {
        self.report(None);
    }
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut err = std::io::stderr();
    let mut options = ImportOptions::default();
    let range_mib = args
        .get(2)
        .map(|m| m.to_str().and_then(|m| m.parse::<u64>().ok()));
    let (root, file) = match (args.as_slice(), range_mib) {
        ([root, file], None) => (root, file),
        ([root, file, _], Some(Some(mib))) => {
            options.read_range_bytes = mib << 20;
            (root, file)
        }
        _ => {
            let _ = writeln!(err, "usage: import_file WORKSPACE FILE [RANGE_MIB]");
            return ExitCode::from(2);
        }
    };
    let polku_yaml = root.join("polku.yaml");
    if !polku_yaml.exists()
        && let Err(e) = std::fs::create_dir_all(root)
            .and_then(|()| std::fs::write(&polku_yaml, "name: Bench\nstages: []\n"))
    {
        let _ = writeln!(err, "{}: {e}", polku_yaml.display());
        return ExitCode::FAILURE;
    }
    let phases = PhaseTimes {
        current: Mutex::new(None),
    };
    match import_events(root, file, &options, &phases) {
        Ok(r) => {
            let _ = writeln!(
                err,
                "{} rows read, {} added, {} duplicates in {:.2} s",
                r.rows_read,
                r.added,
                r.duplicates,
                r.elapsed.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(err, "{e}");
            ExitCode::FAILURE
        }
    }
}
