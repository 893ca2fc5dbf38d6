//! Reading the workspace's documents with their versions, and writing one back safely.
//!
//! A version is the SHA-256 of a file's bytes (the first 16 bytes, hex). A page or API answer
//! carries the version it showed; a save names that version and is refused when the file on
//! disk has another one. The new text must parse and leave the workspace without errors before
//! it is written (atomically, temporary file and rename).

use polku_model::{Diagnostic, JourneyMap, Persona, Workspace, WorkspaceFile, validate};
use sha2::Digest as _;

use crate::error::ServerError;
use crate::state::AppState;
use crate::users::hex;

/// The workspace as read for one request.
pub(crate) struct Loaded {
    pub ws: Workspace,
    pub files: Vec<WorkspaceFile>,
}

impl Loaded {
    /// The version of a workspace file.
    pub(crate) fn version(&self, path: &str) -> String {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map_or_else(String::new, |f| version_of(&f.text))
    }

    /// A map, its file and version.
    pub(crate) fn map(&self, id: &str) -> Result<(&JourneyMap, String, String), ServerError> {
        let m = self
            .ws
            .maps
            .iter()
            .find(|m| m.doc.id.as_str() == id)
            .ok_or_else(|| ServerError::NotFound(format!("no map `{id}` in this workspace")))?;
        Ok((&m.doc, m.file.clone(), self.version(&m.file)))
    }

    /// A persona, its file and version.
    pub(crate) fn persona(&self, id: &str) -> Result<(&Persona, String, String), ServerError> {
        let p = self
            .ws
            .personas
            .iter()
            .find(|p| p.doc.id.as_str() == id)
            .ok_or_else(|| ServerError::NotFound(format!("no persona `{id}` in this workspace")))?;
        Ok((&p.doc, p.file.clone(), self.version(&p.file)))
    }

    /// The persona of a map, if it has one.
    pub(crate) fn persona_of(&self, map: &JourneyMap) -> Option<&Persona> {
        map.persona.as_ref().and_then(|p| self.ws.persona(p))
    }
}

/// The version of a text.
pub(crate) fn version_of(text: &str) -> String {
    hex(&sha2::Sha256::digest(text.as_bytes())[..16])
}

/// Reads and parses the workspace.
pub(crate) fn load(state: &AppState) -> Result<Loaded, ServerError> {
    let files = state.workspace().read_files()?;
    let ws = Workspace::parse(&files).map_err(ServerError::Workspace)?;
    Ok(Loaded { ws, files })
}

/// Writes `text` to the workspace file `path` if the file still has `expected` as its version
/// and the workspace stays free of errors. Returns the new version and the warnings.
pub(crate) fn save(
    state: &AppState,
    path: &str,
    expected: &str,
    text: &str,
) -> Result<(String, Vec<Diagnostic>), ServerError> {
    let _guard = state.write_lock();
    let mut files = state.workspace().read_files()?;
    let Some(file) = files.iter_mut().find(|f| f.path == path) else {
        return Err(ServerError::NotFound(format!("{path} no longer exists")));
    };
    if version_of(&file.text) != expected.trim_matches('"') {
        return Err(ServerError::Stale(path.to_owned()));
    }
    file.text = text.to_owned();
    let ws = Workspace::parse(&files).map_err(ServerError::Rejected)?;
    let diagnostics = validate(&ws);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(ServerError::Rejected(
            diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        ));
    }
    state.workspace().write_file(path, text)?;
    Ok((version_of(text), diagnostics))
}

/// A map as YAML.
pub(crate) fn map_yaml(map: &JourneyMap) -> Result<String, ServerError> {
    serde_norway::to_string(map)
        .map_err(|e| ServerError::Internal(format!("cannot write YAML: {e}")))
}

/// A persona as YAML.
pub(crate) fn persona_yaml(persona: &Persona) -> Result<String, ServerError> {
    serde_norway::to_string(persona)
        .map_err(|e| ServerError::Internal(format!("cannot write YAML: {e}")))
}
