//! One error type for the whole server; it knows its HTTP status.
//!
//! Client faults (a bad field, a stale version, a missing right) carry a message meant for the
//! user. Internal faults are logged to standard error and answered with a generic message, so
//! nothing about the machine leaks into a response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polku_model::Diagnostic;

/// Why a request or a server start failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The request or a value in it is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The edit would leave the workspace with errors; nothing was written.
    #[error("the change was not saved: {}", first_message(.0))]
    Rejected(Vec<Diagnostic>),
    /// The file changed since it was read; nothing was written.
    #[error(
        "{0} was changed by someone else since you opened it; nothing was saved. Reload to see the current version and make your change again."
    )]
    Stale(String),
    /// Nothing has this id.
    #[error("{0}")]
    NotFound(String),
    /// The user may not do this.
    #[error("your role may not do this: {0}")]
    Forbidden(&'static str),
    /// Not signed in.
    #[error("sign in first")]
    Unauthenticated,
    /// Too many failed sign-ins.
    #[error("too many failed sign-ins; wait a few minutes and try again")]
    RateLimited,
    /// The workspace's files do not parse.
    #[error("the workspace has errors: {}", first_message(.0))]
    Workspace(Vec<Diagnostic>),
    /// A file or the database failed.
    #[error("{0}")]
    Internal(String),
}

fn first_message(d: &[Diagnostic]) -> String {
    d.iter()
        .find(|d| d.is_error())
        .or(d.first())
        .map_or_else(String::new, ToString::to_string)
}

impl ServerError {
    /// The HTTP status of the error.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::Invalid(_) | ServerError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Stale(_) => StatusCode::CONFLICT,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ServerError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Workspace(_) | ServerError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The message shown to the user: internal details stay in the log.
    #[must_use]
    pub fn public_message(&self) -> String {
        match self {
            ServerError::Internal(detail) => {
                log_internal(detail);
                "internal error; the details are in the server log".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The diagnostics behind the error, if any.
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ServerError::Rejected(d) | ServerError::Workspace(d) => d,
            _ => &[],
        }
    }
}

#[allow(clippy::print_stderr)]
fn log_internal(detail: &str) {
    eprintln!("polku serve: error: {detail}");
}

impl From<polku_store::DataError> for ServerError {
    fn from(e: polku_store::DataError) -> Self {
        ServerError::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for ServerError {
    fn from(e: rusqlite::Error) -> Self {
        ServerError::Internal(format!("app database: {e}"))
    }
}

impl From<polku_store::StoreError> for ServerError {
    fn from(e: polku_store::StoreError) -> Self {
        ServerError::Internal(e.to_string())
    }
}

impl From<polku_render::RenderError> for ServerError {
    fn from(e: polku_render::RenderError) -> Self {
        ServerError::Internal(e.to_string())
    }
}

/// The JSON body of an API error: `{"error": "...", "diagnostics": ["file:line:col: ..."]}`.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<String>,
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.public_message(),
            diagnostics: self.diagnostics().iter().map(ToString::to_string).collect(),
        };
        (self.status(), axum::Json(body)).into_response()
    }
}
