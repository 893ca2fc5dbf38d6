//! `polku validate`: every problem of every file, as FILE:LINE:COL: message.

use std::path::Path;
use std::process::ExitCode;

use polku_store::{LoadError, WorkspaceDir};

use super::{note, print_diagnostics};

pub fn run(workspace: &Path) -> anyhow::Result<ExitCode> {
    let dir = WorkspaceDir::open(workspace)?;
    let diagnostics = match dir.load() {
        Ok(ws) => {
            let diagnostics = polku_model::validate(&ws);
            if !diagnostics.iter().any(polku_model::Diagnostic::is_error) {
                print_diagnostics(workspace, &diagnostics);
                note(&format!(
                    "ok: {} personas, {} maps{}",
                    ws.personas.len(),
                    ws.maps.len(),
                    if diagnostics.is_empty() {
                        String::new()
                    } else {
                        format!(", {} warning(s)", diagnostics.len())
                    }
                ));
                return Ok(ExitCode::SUCCESS);
            }
            diagnostics
        }
        Err(LoadError::Invalid(diagnostics)) => diagnostics,
        Err(LoadError::Store(e)) => return Err(e.into()),
    };
    print_diagnostics(workspace, &diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    note(&format!(
        "{errors} error(s), {} warning(s)",
        diagnostics.len() - errors
    ));
    Ok(ExitCode::FAILURE)
}
