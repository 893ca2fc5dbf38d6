//! The JSON API under `/api`: everything the pages do, for scripts and other tools.
//!
//! Reads answer with the document's version in `ETag` (and in the body); a `PUT` must send it
//! back in `If-Match` and gets 409 when the file changed in between. Its OpenAPI description is
//! in [`crate::openapi`].

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use polku_model::catalogue::Catalogue;
use polku_model::{JourneyMap, Persona};
use polku_render::Paper;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::CurrentUser;
use crate::dashboards::{self, DashboardQuery};
use crate::docs::{self, Doc};
use crate::error::ServerError;
use crate::pages;
use crate::state::AppState;
use crate::users::{self, Role};

type ApiResult = Result<Response, ServerError>;

/// The API routes; all need a signed-in user.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/personas", get(personas))
        .route(
            "/api/personas/{id}",
            get(doc_get::<Persona>).put(doc_put::<Persona>),
        )
        .route("/api/maps", get(maps))
        .route(
            "/api/maps/{id}",
            get(doc_get::<JourneyMap>).put(doc_put::<JourneyMap>),
        )
        .route("/api/maps/{id}/poster/{format}", get(poster))
        .route("/api/maps/{id}/diff", get(diff))
        .route("/api/catalogue", get(catalogue))
        .route("/api/dashboards", get(dashboards_data))
        .route("/api/users", get(users_list).post(users_add))
        .route("/api/users/{name}", axum::routing::delete(users_delete))
}

fn with_etag(version: &str, body: impl Serialize) -> Response {
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

fn if_match(headers: &HeaderMap) -> Result<String, ServerError> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        })
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ServerError::Invalid(
                "send the version you read in an If-Match header (the ETag of GET)".into(),
            )
        })
}

async fn me(Extension(user): Extension<CurrentUser>) -> Json<serde_json::Value> {
    Json(json!({
        "name": user.name,
        "role": user.role,
        "csrf_token": user.csrf,
        "language": user.lang.code(),
    }))
}

/// One map in the list of maps.
#[derive(Debug, Serialize)]
struct MapSummary<'a> {
    id: &'a str,
    title: &'a str,
    persona: Option<&'a str>,
    kind: &'static str,
    improves: Option<&'a str>,
    stages: usize,
    file: &'a str,
    version: String,
}

async fn maps(State(state): State<AppState>) -> ApiResult {
    let loaded = docs::load(&state)?;
    let list: Vec<MapSummary<'_>> = loaded
        .ws
        .maps
        .iter()
        .map(|m| MapSummary {
            id: m.doc.id.as_str(),
            title: &m.doc.title,
            persona: m.doc.persona.as_ref().map(polku_model::PersonaId::as_str),
            kind: m.doc.kind.as_str(),
            improves: m.doc.improves.as_ref().map(polku_model::MapId::as_str),
            stages: m.doc.stages.len(),
            file: &m.file,
            version: loaded.version(&m.file),
        })
        .collect();
    Ok(Json(list).into_response())
}

/// The answer to a successful save.
#[derive(Debug, Serialize)]
struct Saved {
    version: String,
    warnings: Vec<String>,
}

/// `GET /api/{maps,personas}/{id}`: the document with its file and version.
async fn doc_get<T: Doc>(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let loaded = docs::load(&state)?;
    let (doc, file, version) = loaded.find::<T>(&id)?;
    Ok(with_etag(
        &version,
        json!({ "file": file, "version": version, T::KIND: doc }),
    ))
}

/// `PUT /api/{maps,personas}/{id}`: replaces the document if `If-Match` names its version.
/// A body without an id takes the one in the path; another id is refused.
async fn doc_put<T: Doc>(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    user.require(Role::Editor)?;
    let expected = if_match(&headers)?;
    let Json(mut new) = body.map_err(|e| {
        ServerError::Invalid(format!("the body is not a {}: {}", T::KIND, e.body_text()))
    })?;
    let loaded = docs::load(&state)?;
    let (_, file, _) = loaded.find::<T>(&id)?;
    if new.id().is_empty() {
        new.set_id(&id)
            .map_err(|e| ServerError::Invalid(e.to_string()))?;
    } else if new.id() != id {
        return Err(ServerError::Invalid(format!(
            "the body is {kind} `{}`, not `{id}`; a {kind}'s id cannot change",
            new.id(),
            kind = T::KIND
        )));
    }
    let (version, warnings) = docs::save(&state, &file, &expected, &docs::yaml(&new)?)?;
    let warnings = warnings.iter().map(ToString::to_string).collect();
    Ok(with_etag(&version.clone(), Saved { version, warnings }))
}

async fn personas(State(state): State<AppState>) -> ApiResult {
    let loaded = docs::load(&state)?;
    let list: Vec<serde_json::Value> = loaded
        .ws
        .personas
        .iter()
        .map(|p| {
            json!({
                "id": p.doc.id.as_str(),
                "name": p.doc.name,
                "summary": p.doc.summary,
                "file": p.file,
                "version": loaded.version(&p.file),
            })
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Debug, Deserialize)]
struct PaperQuery {
    paper: Option<String>,
}

async fn poster(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((id, format)): Path<(String, String)>,
    Query(q): Query<PaperQuery>,
) -> ApiResult {
    let paper: Paper = q
        .paper
        .as_deref()
        .unwrap_or("a3")
        .parse()
        .map_err(ServerError::Invalid)?;
    let loaded = docs::load(&state)?;
    let (map, _, _) = loaded.map(&id)?;
    let svg = pages::poster(&loaded, map, user.lang, paper);
    let name = map.id.as_str().to_owned();
    tokio::task::spawn_blocking(move || pages::picture(&svg, &format, &name))
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))?
}

async fn diff(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> ApiResult {
    let loaded = docs::load(&state)?;
    let (map, _, _) = loaded.map(&id)?;
    let svg = pages::diff(&loaded, map, user.lang)?;
    pages::picture(&svg, "svg", &format!("{id}-diff"))
}

async fn catalogue() -> Json<&'static Catalogue> {
    Json(Catalogue::builtin())
}

async fn dashboards_data(
    State(state): State<AppState>,
    Query(q): Query<DashboardQuery>,
) -> ApiResult {
    let loaded = docs::load(&state)?;
    let root = state.root().to_path_buf();
    let dash = tokio::task::spawn_blocking(move || dashboards::compute(&root, &loaded.ws, &q))
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))??;
    Ok(Json(dash).into_response())
}

async fn users_list(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> ApiResult {
    user.require(Role::Admin)?;
    Ok(Json(users::list_users(&state.db())?).into_response())
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    role: Role,
    password: String,
}

async fn users_add(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Result<Json<NewUser>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    user.require(Role::Admin)?;
    let Json(new) = body.map_err(|e| ServerError::Invalid(e.body_text()))?;
    users::check_name(&new.name)?;
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || users::hash_password(&password))
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))??;
    let created = users::upsert_user(&state.db(), &new.name, new.role, &hash)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(users::User {
            name: new.name,
            role: new.role,
        }),
    )
        .into_response())
}

async fn users_delete(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> ApiResult {
    user.require(Role::Admin)?;
    if name == user.name {
        return Err(ServerError::Invalid("you cannot remove yourself".into()));
    }
    if users::delete_user(&state.db(), &name)? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ServerError::NotFound(format!("no user `{name}`")))
    }
}
