//! The polku web workbench: the journey maps and personas of one workspace in a browser, for
//! marketing, sales and service together.
//!
//! [`app`] builds the whole application as an axum [`Router`]: server-rendered pages in Finnish
//! and English, a JSON API under `/api` described by an OpenAPI document at
//! `/api/openapi.json`, and sign-in with three roles ([`Role`]: viewers read, editors edit,
//! admins manage users). Pages and API read the workspace's YAML files on every request and
//! write them atomically; every read carries a version (a hash of the file's bytes) and a write
//! made against an older version is refused, so two people editing one map never overwrite each
//! other silently. Dashboards run the journey analytics of `polku-engine` over the workspace's
//! imported events; pictures come from `polku-render`, the same SVG the posters use.
//!
//! [`collector`] is the Segment-compatible event endpoint (`/v1/track`, `/v1/batch`...): it
//! acknowledges an event only once it is durable in the workspace's spool, and folds the spool
//! into the Parquet tables in the background. It has its own authentication (write keys), so
//! it is merged beside [`app`] rather than behind its sign-in: `polku serve` serves both.
//!
//! ```no_run
//! use polku_server::{AppState, ServerOptions, app};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let state = AppState::open("my-workspace", ServerOptions::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! polku_server::serve(listener, app(state), std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod api;
mod auth;
mod charts;
pub mod collector;
mod dashboards;
mod docs;
mod edit;
mod error;
mod html;
mod i18n;
mod openapi;
mod pages;
mod state;
pub mod users;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;

pub use charts::attribution_view;
pub use error::ServerError;
pub use state::{AppState, ServerOptions};
pub use users::Role;

/// The largest request body the workbench accepts. Map documents are a few kilobytes; the
/// limit keeps a client from making the server buffer arbitrary amounts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole web application: pages, JSON API, sign-in and static assets.
pub fn app(state: AppState) -> Router {
    let protected = Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        // The API description too: every route but sign-in, the stylesheet and script, and the
        // collector (which has its own write keys) needs a session.
        .merge(openapi::routes())
        .route_layer(from_fn_with_state(state.clone(), auth::require_user));
    Router::new()
        .merge(protected)
        .merge(auth::routes())
        .merge(pages::public_routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in flight.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
