//! `polku forget ID`: erase one person from every table, with an audit entry.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use polku_store::DataError;
use polku_store::privacy::forget;

/// Options of `polku forget`.
#[derive(Debug, clap::Args)]
pub struct ForgetArgs {
    /// The person: an anonymous id, a user id (e.g. an e-mail), a customer id or a pseudonym.
    /// Every identifier stitched to it goes too.
    pub id: String,
}

/// Runs `polku forget`.
///
/// # Errors
/// When the workspace's data cannot be read or written.
pub fn run(args: &ForgetArgs, workspace_dir: &Path) -> anyhow::Result<ExitCode> {
    let tr = crate::tr::Tr::of(&polku_store::WorkspaceDir::open(workspace_dir)?);
    // Collected events waiting in the spool are data of the person too.
    super::fold_collected(workspace_dir, &tr)?;
    let user = polku_ingest::current_user();
    match forget(workspace_dir, &args.id, &user) {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            let parts: Vec<String> = report
                .rows_removed
                .iter()
                .map(|(table, n)| format!("{n} rows of {table}"))
                .collect();
            writeln!(
                out,
                "forgot {} identifier(s): removed {}; {} file(s) rewritten; recorded in the audit log",
                report.identifiers.max(1),
                if parts.is_empty() {
                    "no rows".to_owned()
                } else {
                    parts.join(", ")
                },
                report.files_rewritten
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ DataError::UnknownPerson(_)) => {
            let mut err = std::io::stderr().lock();
            writeln!(err, "{e}")?;
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
