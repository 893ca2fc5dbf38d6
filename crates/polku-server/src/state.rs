//! What every request shares: the workspace, the app database, the sign-in limiter.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use polku_store::{AppDb, WorkspaceDir};

use crate::auth::LoginLimiter;
use crate::error::ServerError;

/// How the server runs.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Mark cookies `Secure` on every response, for a server reached only through HTTPS. Without
    /// it they are marked `Secure` when a proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
}

/// The state shared by every request. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    workspace: WorkspaceDir,
    db: Mutex<AppDb>,
    /// Held from the version check of an edit to its write, so that two edits of one file
    /// cannot both pass the check.
    write_lock: Mutex<()>,
    limiter: LoginLimiter,
    options: ServerOptions,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("workspace", &self.inner.workspace.root())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the workspace at `root` and its app database.
    ///
    /// # Errors
    /// When `root` is not a workspace or the database cannot be opened.
    pub fn open(root: impl Into<PathBuf>, options: ServerOptions) -> Result<Self, ServerError> {
        let workspace = WorkspaceDir::open(root)?;
        let db = AppDb::open(workspace.root())?;
        Ok(AppState {
            inner: Arc::new(Inner {
                workspace,
                db: Mutex::new(db),
                write_lock: Mutex::new(()),
                limiter: LoginLimiter::default(),
                options,
            }),
        })
    }

    /// The workspace folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        self.inner.workspace.root()
    }

    /// The workspace's documents on disk.
    #[must_use]
    pub fn workspace(&self) -> &WorkspaceDir {
        &self.inner.workspace
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, AppDb> {
        // A panic while holding the connection leaves SQLite consistent (transactions roll
        // back), so a poisoned lock is still usable.
        self.inner
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn write_lock(&self) -> MutexGuard<'_, ()> {
        self.inner
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    pub(crate) fn options(&self) -> &ServerOptions {
        &self.inner.options
    }
}
