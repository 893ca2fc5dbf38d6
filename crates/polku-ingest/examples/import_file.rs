//! Imports one event file into a workspace folder, without the CLI: a quick way to time the
//! importer alone (`cargo build --release -p polku-ingest --example import_file`).
//!
//! ```sh
//! target/release/examples/import_file WORKSPACE FILE
//! ```

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use polku_ingest::import::{ImportOptions, NoProgress, import_events};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut err = std::io::stderr();
    let [root, file] = args.as_slice() else {
        let _ = writeln!(err, "usage: import_file WORKSPACE FILE");
        return ExitCode::from(2);
    };
    let polku_yaml = root.join("polku.yaml");
    if !polku_yaml.exists()
        && let Err(e) = std::fs::create_dir_all(root)
            .and_then(|()| std::fs::write(&polku_yaml, "name: Bench\nstages: []\n"))
    {
        let _ = writeln!(err, "{}: {e}", polku_yaml.display());
        return ExitCode::FAILURE;
    }
    match import_events(root, file, &ImportOptions::default(), &NoProgress) {
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
