//! The error type of the journey analytics.

use std::path::PathBuf;

/// What can go wrong when the journey analytics query a workspace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// The query engine failed (reading Parquet, planning or executing a query).
    #[error("query failed: {0}")]
    Query(#[from] datafusion::error::DataFusionError),
    /// The event store could not be listed or read.
    #[error(transparent)]
    Store(#[from] polku_store::DataError),
    /// The query runtime could not be started.
    #[error("cannot start the query runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A table folder is not a valid path for the query engine.
    #[error("cannot read the table folder {}: not a valid path", .0.display())]
    BadPath(PathBuf),
    /// A query asked for something that does not make sense.
    #[error("{0}")]
    Invalid(String),
    /// A map, touchpoint, stage or persona named in the query does not exist.
    #[error("{0}")]
    NotFound(String),
}

impl AnalyticsError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        AnalyticsError::Invalid(message.into())
    }
}

/// The result type of the journey analytics.
pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;
