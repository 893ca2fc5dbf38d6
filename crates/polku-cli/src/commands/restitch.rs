//! `polku restitch`: stitch every identity again and repair the customer column.
//!
//! Every import already re-stitches; this is the repair for a store whose last import was
//! interrupted between writing its events and rewriting the older files.

use std::path::Path;
use std::process::ExitCode;

/// Runs `polku restitch`.
///
/// # Errors
/// When the workspace's data cannot be read or written.
pub fn run(workspace_dir: &Path) -> anyhow::Result<ExitCode> {
    polku_store::WorkspaceDir::open(workspace_dir)?;
    let rewritten = polku_ingest::restitch(workspace_dir)?;
    super::out(&format!(
        "identities stitched again; {rewritten} event file(s) rewritten\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}
