//! Import errors: a bad value names its file, line and column.

use std::fmt;

use polku_store::DataError;

/// One bad value of an input file.
///
/// Displayed as `FILE:LINE:COLUMN: message`. LINE is the line in the file, the header being
/// line 1 (for Parquet input: the row number, from 1); COLUMN is the column's name, or for
/// JSON input the field's path, e.g. `event_params.ga_session_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The input file as the user named it.
    pub file: String,
    /// The line (or row) of the value.
    pub line: u64,
    /// The column or field name.
    pub column: String,
    /// What is wrong, and how to fix it when that is known.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// How many bad values an import reports before it stops.
pub const MAX_REPORTED_ERRORS: usize = 10;

/// What can go wrong during an import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Bad values: the import stopped and the store is unchanged. Holds the first
    /// [`MAX_REPORTED_ERRORS`] of them.
    #[error("{}", display_rows(.0))]
    BadRows(Vec<RowError>),
    /// The file as a whole cannot be read: unknown format, no header, a missing column.
    #[error("{file}: {message}")]
    File {
        /// The input file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An option is invalid: an unknown field in `--map`, an unknown time zone.
    #[error("{0}")]
    Usage(String),
    /// The workspace's data could not be read or written.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A file could not be read or written; the message names the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn display_rows(rows: &[RowError]) -> String {
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&r.to_string());
    }
    if rows.len() >= MAX_REPORTED_ERRORS {
        out.push_str("\n(stopped after ");
        out.push_str(&MAX_REPORTED_ERRORS.to_string());
        out.push_str(
            " errors; pass --quarantine FILE to import the good rows and set the bad ones aside)",
        );
    }
    out
}

impl From<parquet::errors::ParquetError> for IngestError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        IngestError::Io(std::io::Error::other(e.to_string()))
    }
}

impl From<arrow_schema::ArrowError> for IngestError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        IngestError::Data(DataError::Arrow(e))
    }
}
