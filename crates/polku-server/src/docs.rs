//! Reading the workspace's documents with their versions, and writing one back safely.
//!
//! A version is the SHA-256 of a file's bytes (the first 16 bytes, hex). A page or API answer
//! carries the version it showed; a save names that version and is refused when the file on
//! disk has another one. The new text must parse and leave the workspace without errors before
//! it is written (atomically, temporary file and rename).

use polku_model::{
    Diagnostic, InvalidId, JourneyMap, Persona, Sourced, Workspace, WorkspaceFile, validate,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
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

    /// A document of kind `T`, its file and version.
    pub(crate) fn find<T: Doc>(&self, id: &str) -> Result<(&T, String, String), ServerError> {
        let d = T::all(&self.ws)
            .iter()
            .find(|d| d.doc.id() == id)
            .ok_or_else(|| {
                ServerError::NotFound(format!("no {} `{id}` in this workspace", T::KIND))
            })?;
        Ok((&d.doc, d.file.clone(), self.version(&d.file)))
    }

    /// A map, its file and version.
    pub(crate) fn map(&self, id: &str) -> Result<(&JourneyMap, String, String), ServerError> {
        self.find(id)
    }

    /// A persona, its file and version.
    pub(crate) fn persona(&self, id: &str) -> Result<(&Persona, String, String), ServerError> {
        self.find(id)
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

/// A document as YAML.
pub(crate) fn yaml<T: Serialize>(doc: &T) -> Result<String, ServerError> {
    serde_norway::to_string(doc)
        .map_err(|e| ServerError::Internal(format!("cannot write YAML: {e}")))
}

/// A kind of document that the pages and the API read and write one file at a time.
pub(crate) trait Doc: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Its name in messages and JSON answers: `map`, `persona`.
    const KIND: &'static str;
    /// The path of its list, in pages and below `/api`: `maps`, `personas`.
    const ROUTE: &'static str;
    /// The documents of this kind in a workspace.
    fn all(ws: &Workspace) -> &[Sourced<Self>];
    /// Its id.
    fn id(&self) -> &str;
    /// Sets its id, checked.
    fn set_id(&mut self, id: &str) -> Result<(), InvalidId>;
    /// The name it is shown by.
    fn title(&self) -> &str;
}

/// Implements [`Doc`] for a model type from its kind, route, workspace list and title field.
macro_rules! doc_kind {
    ($t:ty, $kind:literal, $route:literal, $list:ident, $title:ident) => {
        impl Doc for $t {
            const KIND: &'static str = $kind;
            const ROUTE: &'static str = $route;
            fn all(ws: &Workspace) -> &[Sourced<Self>] {
                &ws.$list
            }
            fn id(&self) -> &str {
                self.id.as_str()
            }
            fn set_id(&mut self, id: &str) -> Result<(), InvalidId> {
                self.id = id.parse()?;
                Ok(())
            }
            fn title(&self) -> &str {
                &self.$title
            }
        }
    };
}

doc_kind!(JourneyMap, "map", "maps", maps, title);
doc_kind!(Persona, "persona", "personas", personas, name);
