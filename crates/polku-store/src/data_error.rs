//! Errors of the data side of a workspace: the Parquet tables and the app database.

use std::path::PathBuf;

/// What can go wrong with a workspace's data tables or its app database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A file could not be read or written; the message names the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A Parquet file could not be read or written.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: parquet::errors::ParquetError,
    },
    /// Arrow data did not fit the table's schema.
    #[error("{0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// The app database `polku.db` failed.
    #[error("polku.db: {0}")]
    Db(#[from] rusqlite::Error),
    /// Another polku process holds the workspace's data lock.
    #[error("{} is locked by another polku process; try again when it has finished", .0.display())]
    Locked(PathBuf),
    /// The data on disk is not what this version of polku writes.
    #[error("{0}")]
    Corrupt(String),
    /// A person to forget was not found anywhere.
    #[error("no events, survey answers, interviews or identities match `{0}`")]
    UnknownPerson(String),
}

impl DataError {
    pub(crate) fn parquet(path: impl Into<PathBuf>, source: parquet::errors::ParquetError) -> Self {
        DataError::Parquet {
            path: path.into(),
            source,
        }
    }
}
