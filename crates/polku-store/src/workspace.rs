//! Reading and writing the YAML documents of a workspace folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use polku_model::workspace::{CONFIG_FILE, MAPS_DIR, PERSONAS_DIR};
use polku_model::{Diagnostic, JourneyMap, Workspace, WorkspaceFile};

/// What can go wrong with a workspace folder.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file could not be read or written; the message names the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The folder is not a workspace.
    #[error(
        "{0} is not a polku workspace: it has no polku.yaml (create one with `polku init DIR`)"
    )]
    NotAWorkspace(PathBuf),
    /// `init` would overwrite an existing workspace.
    #[error("{0} already has a polku.yaml; choose an empty folder or pass --force")]
    AlreadyAWorkspace(PathBuf),
    /// A document would be written outside the workspace.
    #[error("refusing to write `{0}`: not a path inside the workspace")]
    OutsideWorkspace(String),
    /// A document could not be turned into YAML.
    #[error("cannot write YAML: {0}")]
    Yaml(#[from] serde_norway::Error),
}

/// A workspace folder: `polku.yaml`, `personas/`, `maps/`.
#[derive(Debug, Clone)]
pub struct WorkspaceDir {
    root: PathBuf,
}

impl WorkspaceDir {
    /// Opens the workspace at `root`.
    ///
    /// # Errors
    /// When `root` has no `polku.yaml`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        if !root.join(CONFIG_FILE).is_file() {
            return Err(StoreError::NotAWorkspace(root));
        }
        Ok(WorkspaceDir { root })
    }

    /// Creates a workspace at `root` from `files` (paths relative to the workspace).
    ///
    /// # Errors
    /// When `root` is already a workspace and `force` is false, or a file cannot be written.
    pub fn create(
        root: impl Into<PathBuf>,
        files: &[(&str, &str)],
        force: bool,
    ) -> Result<Self, StoreError> {
        let root = root.into();
        if root.join(CONFIG_FILE).exists() && !force {
            return Err(StoreError::AlreadyAWorkspace(root));
        }
        fs_err::create_dir_all(&root)?;
        let dir = WorkspaceDir { root };
        for (path, text) in files {
            dir.write_file(path, text)?;
        }
        if !dir.path(".gitignore").exists() {
            dir.write_file(".gitignore", &data_gitignore())?;
        }
        Ok(dir)
    }

    /// The workspace folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a workspace file, e.g. `maps/x.yaml`.
    #[must_use]
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The texts of `polku.yaml`, `personas/*.yaml` and `maps/*.yaml`.
    ///
    /// # Errors
    /// When a file cannot be read.
    pub fn read_files(&self) -> Result<Vec<WorkspaceFile>, StoreError> {
        let mut files = vec![WorkspaceFile {
            path: CONFIG_FILE.to_owned(),
            text: fs_err::read_to_string(self.root.join(CONFIG_FILE))?,
        }];
        for dir in [PERSONAS_DIR, MAPS_DIR] {
            let folder = self.root.join(dir);
            if !folder.is_dir() {
                continue;
            }
            let mut names: Vec<String> = fs_err::read_dir(&folder)?
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".yaml") && !n.starts_with('.'))
                .collect();
            names.sort();
            for name in names {
                let text = fs_err::read_to_string(folder.join(&name))?;
                files.push(WorkspaceFile {
                    path: format!("{dir}/{name}"),
                    text,
                });
            }
        }
        Ok(files)
    }

    /// Reads and parses the workspace.
    ///
    /// # Errors
    /// `Err(Ok(diagnostics))` when files do not parse; `Err(Err(io))` when they cannot be read.
    pub fn load(&self) -> Result<Workspace, LoadError> {
        let files = self.read_files().map_err(LoadError::Store)?;
        Workspace::parse(&files).map_err(LoadError::Invalid)
    }

    /// Writes a workspace file atomically.
    ///
    /// # Errors
    /// When `relative` leaves the workspace or the file cannot be written.
    pub fn write_file(&self, relative: &str, text: &str) -> Result<PathBuf, StoreError> {
        let rel = Path::new(relative);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(StoreError::OutsideWorkspace(relative.to_owned()));
        }
        let path = self.root.join(rel);
        write_atomic(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Writes a map to `maps/ID.yaml`.
    ///
    /// # Errors
    /// When the map cannot be written.
    pub fn write_map(&self, map: &JourneyMap) -> Result<PathBuf, StoreError> {
        let text = serde_norway::to_string(map)?;
        self.write_file(&format!("{MAPS_DIR}/{}.yaml", map.id), &text)
    }
}

/// Why a workspace could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Files could not be read.
    #[error(transparent)]
    Store(StoreError),
    /// Files do not parse.
    #[error("the workspace has {} error(s)", .0.len())]
    Invalid(Vec<Diagnostic>),
}

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a mix: the
/// bytes go to a temporary file in the same folder, are flushed to disk, and the temporary file
/// is renamed over `path`.
///
/// # Errors
/// When the folder cannot be created or the file cannot be written or renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".polku-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // A temporary file is private (0600); the result should have the permissions of the file it
    // replaces, or those of any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let permissions = std::fs::metadata(path).map_or_else(
            |_| std::fs::Permissions::from_mode(0o644),
            |m| m.permissions(),
        );
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| {
        std::io::Error::new(
            e.error.kind(),
            format!("cannot write {}: {}", path.display(), e.error),
        )
    })?;
    Ok(())
}

/// The `.gitignore` of a new workspace: the maps and personas are meant to be versioned and
/// reviewed, but the imported data holds personal data and the app database holds the
/// pseudonym key and password hashes, so none of them may end up in a repository by accident.
fn data_gitignore() -> String {
    use crate::events::{DB_FILE, STATE_DIR};
    use crate::schema::Table;
    let mut text = String::from(
        "# Imported touchpoint data and the app database (personal data, keys): never commit.\n",
    );
    let lines = [
        format!("/{STATE_DIR}/"),
        format!("/{DB_FILE}"),
        format!("/{DB_FILE}-*"),
    ]
    .into_iter()
    .chain(Table::ALL.iter().map(|t| format!("/{}/", t.dir())));
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("maps/a.yaml");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("maps"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["a.yaml"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644, "not the temporary file's 0600");
        }
    }

    #[test]
    fn a_new_workspace_keeps_its_data_out_of_version_control() {
        use crate::events::{DB_FILE, STATE_DIR};
        use crate::schema::Table;
        let dir = tempfile::tempdir().unwrap();
        let config = [("polku.yaml", "name: x\nstages: []\n")];
        WorkspaceDir::create(dir.path(), &config, false).unwrap();
        let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
        let mut expected = vec![
            format!("/{STATE_DIR}/"),
            format!("/{DB_FILE}"),
            format!("/{DB_FILE}-*"),
        ];
        expected.extend(Table::ALL.iter().map(|t| format!("/{}/", t.dir())));
        for line in &expected {
            assert!(
                ignore.lines().any(|l| l == line),
                "{line} missing:\n{ignore}"
            );
        }
        assert!(!ignore.contains("maps") && !ignore.contains("personas"));

        // A user's own .gitignore is theirs.
        std::fs::write(dir.path().join(".gitignore"), "mine\n").unwrap();
        WorkspaceDir::create(dir.path(), &config, true).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "mine\n"
        );
    }

    #[test]
    fn workspace_files_stay_inside_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let ws = WorkspaceDir::create(
            dir.path(),
            &[("polku.yaml", "name: x\nstages: []\n")],
            false,
        )
        .unwrap();
        assert!(matches!(
            ws.write_file("../evil.yaml", "x"),
            Err(StoreError::OutsideWorkspace(_))
        ));
        assert!(matches!(
            ws.write_file("/etc/x", "x"),
            Err(StoreError::OutsideWorkspace(_))
        ));
        assert!(matches!(
            WorkspaceDir::create(dir.path(), &[], false),
            Err(StoreError::AlreadyAWorkspace(_))
        ));
        assert!(matches!(
            WorkspaceDir::open(dir.path().join("nope")),
            Err(StoreError::NotAWorkspace(_))
        ));
    }
}
