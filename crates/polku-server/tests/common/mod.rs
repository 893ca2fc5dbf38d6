//! Shared test fixtures: a workspace from a bundled template with one user per role.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use polku_model::Language;
use polku_model::templates::{TemplateKind, template_files};
use polku_server::{AppState, Role, ServerOptions};

/// The password of every test user.
pub const PASSWORD: &str = "correct horse battery";

/// A workspace in a temporary folder with users `viewer`, `editor` and `admin`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub state: AppState,
}

impl Fixture {
    pub fn new(lang: Language) -> Fixture {
        Fixture::with_options(lang, ServerOptions::default())
    }

    pub fn with_options(lang: Language, options: ServerOptions) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        polku_store::WorkspaceDir::create(
            dir.path(),
            &template_files(TemplateKind::B2b, lang),
            false,
        )
        .unwrap();
        for (name, role) in [
            ("viewer", Role::Viewer),
            ("editor", Role::Editor),
            ("admin", Role::Admin),
        ] {
            polku_server::users::add_user(dir.path(), name, role, PASSWORD).unwrap();
        }
        let state = AppState::open(dir.path(), options).unwrap();
        Fixture { dir, state }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The first current-state map's id and file.
    pub fn map(&self) -> (String, PathBuf) {
        let id = "hr-hanna-current".to_owned();
        let file = self.root().join("maps").join(format!("{id}.yaml"));
        assert!(file.is_file(), "the b2b template has {}", file.display());
        (id, file)
    }
}
