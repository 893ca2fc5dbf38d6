//! The server-rendered pages: overview, personas, maps, current vs future, dashboards, users.

use std::fmt::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use polku_model::catalogue::Catalogue;
use polku_model::{JourneyMap, Language, MapKind, Persona, Stage, WorkspaceConfig};
use polku_render::{
    DiffInput, Paper, PosterInput, Svg, diff_svg, poster_svg, svg_to_pdf, svg_to_png,
};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::dashboards::{self, DashboardQuery};
use crate::docs::{self, Doc, Loaded};
use crate::edit::{self, Fields};
use crate::error::ServerError;
use crate::html::{self, Section, alert, esc};
use crate::i18n::{LANG_COOKIE, Tr};
use crate::state::AppState;
use crate::users::{self, Role};
use crate::{auth, charts};

/// The pages that need a signed-in user.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/personas", get(personas))
        .route("/personas/{id}", get(persona))
        .route("/personas/{id}/edit", get(persona_edit).post(persona_save))
        .route("/maps", get(maps))
        .route("/maps/{id}", get(map_view))
        .route("/maps/{id}/edit", get(map_edit).post(map_save))
        .route("/maps/{id}/print", get(map_print))
        .route("/maps/{id}/poster/{format}", get(poster_download))
        .route("/maps/{id}/diff", get(diff_picture))
        .route("/compare", get(compare))
        .route("/dashboards", get(dashboards_page))
        .route("/users", get(users_page).post(user_add))
        .route("/users/{name}/role", post(user_role))
        .route("/users/{name}/delete", post(user_delete))
        .merge(auth::logout_route())
}

/// Pages and files open to everyone: the language switch and the static assets.
pub(crate) fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/lang", get(set_language))
        .route(
            "/assets/app.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    html::CSS,
                )
            }),
        )
        .route(
            "/assets/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    html::JS,
                )
            }),
        )
}

/// The message of an error in the page's language; details the code writes (ids, file
/// positions) stay as they are.
pub(crate) fn user_message(tr: &Tr, e: &ServerError) -> String {
    match e {
        ServerError::Stale(file) => tr.args("error-stale", &[("file", file.clone())]),
        ServerError::Forbidden(_) => tr.t("error-forbidden"),
        ServerError::Rejected(_) => tr.t("error-rejected"),
        ServerError::Unauthenticated => tr.t("error-unauthenticated"),
        other => other.public_message(),
    }
}

/// An error shown as a page.
struct PageError(ServerError, CurrentUser);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(err, user) = self;
        let tr = user.tr();
        let body = format!(
            "<h1>{}</h1>{}<p><a href=\"/\">{}</a></p>",
            esc(&tr.t("error-title")),
            alert(
                "error",
                &user_message(&tr, &err),
                &err.diagnostics()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ),
            esc(&tr.t("nav-overview"))
        );
        let page = html::page(&user, Section::Overview, &tr.t("error-title"), "/", &body);
        (err.status(), Html(page)).into_response()
    }
}

type PageResult = Result<Response, PageError>;

trait OrPage<T> {
    fn or_page(self, user: &CurrentUser) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, ServerError> {
    fn or_page(self, user: &CurrentUser) -> Result<T, PageError> {
        self.map_err(|e| PageError(e, user.clone()))
    }
}

fn ok_page(
    user: &CurrentUser,
    section: Section,
    title: &str,
    path: &str,
    body: &str,
) -> PageResult {
    Ok(Html(html::page(user, section, title, path, body)).into_response())
}

/// The workspace configuration with the page's language, so posters speak it too.
fn config_in(cfg: &WorkspaceConfig, lang: Language) -> WorkspaceConfig {
    let mut c = cfg.clone();
    c.language = lang;
    c
}

fn kind_name(tr: &Tr, kind: MapKind) -> String {
    tr.t(&format!("kind-{}", kind.as_str()))
}

async fn overview(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let ws = &loaded.ws;
    let imports = state
        .db()
        .imports()
        .map_err(ServerError::from)
        .or_page(&user)?;
    let warnings = polku_model::validate(ws).len();
    let mut body = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p><div class=\"cards\">",
        esc(&ws.config.doc.name),
        esc(&overview_counts(
            &tr,
            ws.personas.len(),
            ws.maps.len(),
            imports.len()
        ))
    );
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><ul>",
        esc(&tr.t("nav-personas"))
    );
    for p in &ws.personas {
        let _ = write!(
            body,
            "<li><a href=\"/personas/{id}\">{}</a></li>",
            esc(&p.doc.name),
            id = esc(p.doc.id.as_str())
        );
    }
    let _ = write!(
        body,
        "</ul></section><section class=\"card\"><h2>{}</h2><ul>",
        esc(&tr.t("nav-maps"))
    );
    for m in &ws.maps {
        let _ = write!(
            body,
            "<li><a href=\"/maps/{id}\">{}</a> <span class=\"tag\">{}</span></li>",
            esc(&m.doc.title),
            esc(&kind_name(&tr, m.doc.kind)),
            id = esc(m.doc.id.as_str())
        );
    }
    let _ = write!(
        body,
        "</ul></section><section class=\"card\"><h2>{}</h2>",
        esc(&tr.t("overview-data"))
    );
    match imports.last() {
        None => {
            let _ = write!(body, "<p>{}</p>", esc(&tr.t("no-data")));
        }
        Some(last) => {
            let rows: u64 = imports.iter().map(|i| i.rows_added).sum();
            let _ = write!(
                body,
                "<p>{}</p><p><a href=\"/dashboards\">{}</a></p>",
                esc(&tr.args(
                    "overview-imports",
                    &[
                        ("rows", rows.to_string()),
                        ("last", last.finished_at.clone())
                    ]
                )),
                esc(&tr.t("nav-dashboards"))
            );
        }
    }
    body.push_str("</section></div>");
    if warnings > 0 {
        body.push_str(&alert(
            "warning",
            &tr.counts("overview-warnings", &[("n", warnings as u64)]),
            &polku_model::validate(ws)
                .iter()
                .take(10)
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        ));
    }
    ok_page(&user, Section::Overview, &ws.config.doc.name, "/", &body)
}

/// "2 personas, 1 map, 1 data import": the counts go to Fluent as numbers so each noun
/// takes its plural.
fn overview_counts(tr: &Tr, personas: usize, maps: usize, imports: usize) -> String {
    tr.counts(
        "overview-counts",
        &[
            ("personas", personas as u64),
            ("maps", maps as u64),
            ("imports", imports as u64),
        ],
    )
}

async fn personas(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let mut body = format!(
        "<h1>{}</h1><div class=\"cards\">",
        esc(&tr.t("nav-personas"))
    );
    for p in &loaded.ws.personas {
        let p = &p.doc;
        let _ = write!(
            body,
            "<section class=\"card\"><h2><a href=\"/personas/{id}\">{}</a></h2><p>{}</p>{}</section>",
            esc(&p.name),
            esc(p.summary.as_deref().unwrap_or("")),
            p.quote.as_ref().map_or_else(String::new, |q| format!(
                "<blockquote>{}</blockquote>",
                esc(&q.text)
            )),
            id = esc(p.id.as_str())
        );
    }
    body.push_str("</div>");
    ok_page(
        &user,
        Section::Personas,
        &tr.t("nav-personas"),
        "/personas",
        &body,
    )
}

fn evidence_marks(c: &polku_model::Cited) -> String {
    if c.evidence.is_empty() {
        String::new()
    } else {
        let refs: Vec<String> = c.evidence.iter().map(ToString::to_string).collect();
        format!(
            " <span class=\"evidence\" title=\"{}\">[{}]</span>",
            esc(&refs.join(", ")),
            c.evidence.len()
        )
    }
}

fn persona_body(tr: &Tr, p: &Persona, can_edit: bool, version: &str) -> String {
    let mut body = format!("<h1>{}</h1>", esc(&p.name));
    if can_edit {
        let _ = write!(
            body,
            "<p class=\"actions\"><a class=\"button\" href=\"/personas/{}/edit\">{}</a></p>",
            esc(p.id.as_str()),
            esc(&tr.t("action-edit"))
        );
    }
    if let Some(s) = &p.summary {
        let _ = write!(body, "<p class=\"lead\">{}</p>", esc(s));
    }
    body.push_str("<dl class=\"facts\">");
    for name in edit::PERSONA_FACTS {
        let mut copy = p.clone();
        if let Some(Some(c)) = edit::persona_fact_mut(&mut copy, name) {
            let _ = write!(
                body,
                "<dt>{}</dt><dd>{}{}</dd>",
                esc(&tr.t(&format!("persona-{name}"))),
                esc(&c.text),
                evidence_marks(c)
            );
        }
    }
    body.push_str("</dl><div class=\"cards\">");
    for name in edit::PERSONA_LISTS {
        let mut copy = p.clone();
        let Some(list) = edit::persona_list_mut(&mut copy, name) else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            body,
            "<section class=\"card\"><h2>{}</h2><ul>",
            esc(&tr.t(&format!("persona-{name}")))
        );
        for c in list.iter() {
            let _ = write!(body, "<li>{}{}</li>", esc(&c.text), evidence_marks(c));
        }
        body.push_str("</ul></section>");
    }
    let _ = write!(
        body,
        "</div><p class=\"muted\">{} <code>{}</code></p>",
        esc(&tr.t("version")),
        esc(version)
    );
    body
}

async fn persona(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let (p, _, version) = loaded.persona(&id).or_page(&user)?;
    let body = persona_body(&tr, p, user.role >= Role::Editor, &version);
    ok_page(
        &user,
        Section::Personas,
        &p.name,
        &format!("/personas/{id}"),
        &body,
    )
}

fn persona_form(user: &CurrentUser, p: &Persona, version: &str, message: &str) -> String {
    let tr = user.tr();
    let mut body = format!(
        "<h1>{}: {}</h1>{message}<form method=\"post\" class=\"edit\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"version\" value=\"{}\">",
        esc(&tr.t("action-edit")),
        esc(&p.name),
        esc(&user.csrf),
        esc(version)
    );
    let _ = write!(
        body,
        "<label>{}<input name=\"name\" value=\"{}\" required></label><label>{}<textarea name=\"summary\" rows=\"2\">{}</textarea></label>",
        esc(&tr.t("persona-name")),
        esc(&p.name),
        esc(&tr.t("persona-summary")),
        esc(p.summary.as_deref().unwrap_or(""))
    );
    for name in edit::PERSONA_FACTS {
        let mut copy = p.clone();
        let value = edit::persona_fact_mut(&mut copy, name)
            .and_then(|c| c.as_ref().map(|c| c.text.clone()))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<label>{}<input name=\"{name}\" value=\"{}\"></label>",
            esc(&tr.t(&format!("persona-{name}"))),
            esc(&value)
        );
    }
    for name in edit::PERSONA_LISTS {
        let mut copy = p.clone();
        let value = edit::persona_list_mut(&mut copy, name)
            .map(|l| edit::cited_text(l))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<label>{} <small>{}</small><textarea name=\"{name}\" rows=\"3\">{}</textarea></label>",
            esc(&tr.t(&format!("persona-{name}"))),
            esc(&tr.t("one-per-line")),
            esc(&value)
        );
    }
    let _ = write!(
        body,
        "<p><button type=\"submit\">{}</button> <a href=\"/personas/{}\">{}</a></p></form>",
        esc(&tr.t("action-save")),
        esc(p.id.as_str()),
        esc(&tr.t("action-cancel"))
    );
    body
}

async fn persona_edit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> PageResult {
    edit_page::<Persona>(&state, &user, &id, Section::Personas, |_, p, version| {
        persona_form(&user, p, version, "")
    })
}

async fn persona_save(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    save_form::<Persona>(
        &state,
        &user,
        &id,
        &Fields(fields),
        Section::Personas,
        edit::apply_persona_form,
        |_, p, version, msg| persona_form(&user, p, version, msg),
    )
}

/// The edit page of a document: `form` shows it at its version.
fn edit_page<T: Doc>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    section: Section,
    form: impl FnOnce(&Loaded, &T, &str) -> String,
) -> PageResult {
    user.require(Role::Editor).or_page(user)?;
    let loaded = docs::load(state).or_page(user)?;
    let (doc, _, version) = loaded.find::<T>(id).or_page(user)?;
    let body = form(&loaded, doc, &version);
    ok_page(
        user,
        section,
        doc.title(),
        &format!("/{}/{id}/edit", T::ROUTE),
        &body,
    )
}

/// Saves a document from its edit form: `apply` writes the fields into a copy, which is
/// written only if the form's version is still the file's. A stale version (409) shows the
/// current document with what was typed beside it; invalid input (422) shows the form again
/// as typed. `form` draws the form with a message above it.
fn save_form<T: Doc>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    fields: &Fields,
    section: Section,
    apply: impl FnOnce(&mut T, &Fields) -> Result<(), ServerError>,
    form: impl Fn(&Loaded, &T, &str, &str) -> String,
) -> PageResult {
    user.require(Role::Editor).or_page(user)?;
    let loaded = docs::load(state).or_page(user)?;
    let (doc, file, current) = loaded.find::<T>(id).or_page(user)?;
    let version = fields.get("version").unwrap_or_default().to_owned();
    let mut changed = doc.clone();
    let result = apply(&mut changed, fields)
        .and_then(|()| docs::yaml(&changed))
        .and_then(|yaml| docs::save(state, &file, &version, &yaml));
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/{}/{id}?saved=1", T::ROUTE)).into_response()),
        Err(e) => Ok(refused(user, section, &e, |msg| match &e {
            ServerError::Stale(_) => form(
                &loaded,
                doc,
                &current,
                &format!("{msg}{}", unsaved(&user.tr(), fields)),
            ),
            _ => form(&loaded, &changed, &version, msg),
        })),
    }
}

/// The page of a refused save: 409 for a stale version, 422 for invalid input.
fn refused(
    user: &CurrentUser,
    section: Section,
    e: &ServerError,
    form: impl Fn(&str) -> String,
) -> Response {
    let tr = user.tr();
    let msg = alert(
        "error",
        &user_message(&tr, e),
        &e.diagnostics()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
    );
    let body = form(&msg);
    (
        e.status(),
        Html(html::page(user, section, &tr.t("error-title"), "/", &body)),
    )
        .into_response()
}

/// The texts of a refused form, so that nothing typed is lost.
fn unsaved(tr: &Tr, fields: &Fields) -> String {
    let mut out = format!(
        "<details open class=\"unsaved\"><summary>{}</summary><dl>",
        esc(&tr.t("unsaved-input"))
    );
    for (k, v) in &fields.0 {
        if k == "csrf" || k == "version" || v.trim().is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<dt><code>{}</code></dt><dd><pre>{}</pre></dd>",
            esc(k),
            esc(v)
        );
    }
    out.push_str("</dl></details>");
    out
}

async fn maps(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let rows: Vec<String> = loaded
        .ws
        .maps
        .iter()
        .map(|m| {
            let persona = loaded.persona_of(&m.doc).map_or("", |p| p.name.as_str());
            format!(
                "<tr><td><a href=\"/maps/{id}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&m.doc.title),
                esc(persona),
                esc(&kind_name(&tr, m.doc.kind)),
                m.doc.stages.len(),
                id = esc(m.doc.id.as_str())
            )
        })
        .collect();
    let body = format!(
        "<h1>{}</h1><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        esc(&tr.t("nav-maps")),
        esc(&tr.t("col-map")),
        esc(&tr.t("col-persona")),
        esc(&tr.t("col-kind")),
        esc(&tr.t("col-stages")),
        rows.join("")
    );
    ok_page(&user, Section::Maps, &tr.t("nav-maps"), "/maps", &body)
}

/// The poster of a map in `lang`, as SVG.
pub(crate) fn poster(loaded: &Loaded, map: &JourneyMap, lang: Language, paper: Paper) -> Svg {
    let cfg = config_in(&loaded.ws.config.doc, lang);
    poster_svg(
        &PosterInput {
            workspace: &cfg,
            persona: loaded.persona_of(map),
            map,
        },
        paper,
    )
}

/// The current-vs-future picture of a future map, as SVG.
pub(crate) fn diff(
    loaded: &Loaded,
    future: &JourneyMap,
    lang: Language,
) -> Result<Svg, ServerError> {
    let current_id = future.improves.as_ref().ok_or_else(|| {
        ServerError::NotFound(format!(
            "map `{}` does not say which map it improves (`improves:`)",
            future.id.as_str()
        ))
    })?;
    let (current, _, _) = loaded.map(current_id.as_str())?;
    let cfg = config_in(&loaded.ws.config.doc, lang);
    Ok(diff_svg(
        &DiffInput {
            workspace: &cfg,
            persona: loaded.persona_of(future),
            current,
            future,
        },
        Paper::A3,
    ))
}

/// An SVG for inline use in a page: without an XML declaration.
fn inline_svg(svg: &Svg) -> &str {
    let s = svg.as_str();
    match s.find("<svg") {
        Some(i) => &s[i..],
        None => s,
    }
}

async fn map_view(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let (map, file, version) = loaded.map(&id).or_page(&user)?;
    let svg = poster(&loaded, map, user.lang, Paper::A3);
    let mut body = format!("<h1>{}</h1>", esc(&map.title));
    if q.saved.is_some() {
        body.push_str(&alert("ok", &tr.t("saved"), &[]));
    }
    body.push_str("<p class=\"actions\">");
    if user.role >= Role::Editor {
        let _ = write!(
            body,
            "<a class=\"button\" id=\"edit-map\" href=\"/maps/{}/edit\">{}</a> ",
            esc(&id),
            esc(&tr.t("action-edit"))
        );
    }
    let _ = write!(
        body,
        "<a class=\"button\" href=\"/maps/{id}/print\">{}</a> <a href=\"/maps/{id}/poster/png\" download>PNG</a> · <a href=\"/maps/{id}/poster/pdf\" download>PDF</a> · <a href=\"/maps/{id}/poster/svg\" download>SVG</a>",
        esc(&tr.t("action-print")),
        id = esc(&id)
    );
    if map.improves.is_some() {
        let _ = write!(
            body,
            " · <a href=\"/compare#{}\">{}</a>",
            esc(&id),
            esc(&tr.t("nav-compare"))
        );
    }
    let _ = write!(
        body,
        "</p><figure class=\"poster\" id=\"poster\">{}</figure><p class=\"muted\"><code>{}</code> · {} <code id=\"version\">{}</code></p>",
        inline_svg(&svg),
        esc(&file),
        esc(&tr.t("version")),
        esc(&version)
    );
    ok_page(
        &user,
        Section::Maps,
        &map.title,
        &format!("/maps/{id}"),
        &body,
    )
}

#[derive(Debug, Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

fn team_options(cfg: &WorkspaceConfig, selected: Option<&str>, none_label: &str) -> String {
    let mut out = format!("<option value=\"\">{}</option>", esc(none_label));
    for t in &cfg.teams {
        let sel = if selected == Some(t.id.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{}\"{sel}>{}</option>",
            esc(t.id.as_str()),
            esc(&t.name)
        );
    }
    out
}

fn emotion_options(selected: Option<i8>) -> String {
    let mut out = format!(
        "<option value=\"\"{}>–</option>",
        if selected.is_none() { " selected" } else { "" }
    );
    for e in polku_model::EMOTION_MIN..=polku_model::EMOTION_MAX {
        let sel = if selected == Some(e) { " selected" } else { "" };
        let label = if e > 0 {
            format!("+{e}")
        } else {
            e.to_string()
        };
        let _ = write!(out, "<option value=\"{e}\"{sel}>{label}</option>");
    }
    out
}

fn textarea(name: &str, label: &str, value: &str, hint: &str) -> String {
    format!(
        "<label>{} <small>{}</small><textarea name=\"{name}\" rows=\"3\">{}</textarea></label>",
        esc(label),
        esc(hint),
        esc(value)
    )
}

fn stage_fieldset(tr: &Tr, cfg: &WorkspaceConfig, i: usize, stage: &Stage) -> String {
    let hint = tr.t("one-per-line");
    let mut out = format!(
        "<fieldset class=\"stage\" data-stage=\"{i}\"><legend>{}</legend><label>{}<select name=\"s{i}.owner\">{}</select></label>",
        esc(cfg.stage_name(stage)),
        esc(&tr.t("lane-owner")),
        team_options(
            cfg,
            stage.owner.as_ref().map(polku_model::TeamId::as_str),
            &tr.t("none")
        )
    );
    let steps: Vec<&str> = stage.actions.iter().map(|s| s.text.as_str()).collect();
    let opportunities: Vec<&str> = stage
        .opportunities
        .iter()
        .map(|o| o.title.as_str())
        .collect();
    out.push_str(&textarea(
        &format!("s{i}.goals"),
        &tr.t("lane-goals"),
        &edit::cited_text(&stage.goals),
        &hint,
    ));
    out.push_str(&textarea(
        &format!("s{i}.actions"),
        &tr.t("lane-actions"),
        &steps.join("\n"),
        &hint,
    ));
    out.push_str(&textarea(
        &format!("s{i}.pain_points"),
        &tr.t("lane-pain_points"),
        &edit::cited_text(&stage.pain_points),
        &hint,
    ));
    out.push_str(&textarea(
        &format!("s{i}.moments_of_truth"),
        &tr.t("lane-moments_of_truth"),
        &edit::cited_text(&stage.moments_of_truth),
        &hint,
    ));
    out.push_str(&textarea(
        &format!("s{i}.opportunities"),
        &tr.t("lane-opportunities"),
        &opportunities.join("\n"),
        &hint,
    ));
    let _ = write!(
        out,
        "<table class=\"touchpoints\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&tr.t("lane-touchpoints")),
        esc(&tr.t("lane-emotion")),
        esc(&tr.t("lane-owner")),
        esc(&tr.t("action-remove"))
    );
    for (j, tp) in stage.touchpoints.iter().enumerate() {
        let _ = write!(
            out,
            "<tr data-touchpoint=\"{tid}\"><td><input name=\"s{i}.t{j}.name\" value=\"{}\" aria-label=\"{}\"></td><td><select name=\"s{i}.t{j}.emotion\" aria-label=\"{}\">{}</select></td><td><select name=\"s{i}.t{j}.owner\">{}</select></td><td><input type=\"checkbox\" name=\"s{i}.t{j}.remove\" aria-label=\"{}\"></td></tr>",
            esc(&tp.name),
            esc(&tr.t("lane-touchpoints")),
            esc(&tr.t("lane-emotion")),
            emotion_options(tp.emotion),
            team_options(
                cfg,
                tp.owner.as_ref().map(polku_model::TeamId::as_str),
                &tr.t("owner-of-stage")
            ),
            esc(&tr.t("action-remove")),
            tid = esc(tp.id.as_str())
        );
    }
    out.push_str("</tbody></table>");
    let catalogue = Catalogue::builtin();
    let phase = cfg.stage_phase(stage);
    let mut opts = format!(
        "<option value=\"\">{}</option>",
        esc(&tr.t("add-from-catalogue"))
    );
    for e in catalogue
        .touchpoints
        .iter()
        .filter(|e| phase.is_none_or(|p| e.phases.contains(&p)))
    {
        let _ = write!(
            opts,
            "<option value=\"{}\">{}</option>",
            esc(e.id.as_str()),
            esc(e.name.get(tr.lang()))
        );
    }
    let _ = write!(
        out,
        "<div class=\"dropzone\" data-name=\"s{i}.add\"><span>{}</span></div><label>{}<select name=\"s{i}.add\">{opts}</select></label></fieldset>",
        esc(&tr.t("drop-here")),
        esc(&tr.t("add-from-catalogue"))
    );
    out
}

fn map_form(
    user: &CurrentUser,
    cfg: &WorkspaceConfig,
    map: &JourneyMap,
    version: &str,
    message: &str,
) -> String {
    let tr = user.tr();
    let mut palette = String::new();
    for e in &Catalogue::builtin().touchpoints {
        let _ = write!(
            palette,
            "<li draggable=\"true\" class=\"chip\" data-id=\"{}\">{}</li>",
            esc(e.id.as_str()),
            esc(e.name.get(tr.lang()))
        );
    }
    let mut stages = String::new();
    for (i, s) in map.stages.iter().enumerate() {
        stages.push_str(&stage_fieldset(&tr, cfg, i, s));
    }
    format!(
        "<h1>{edit}: {title}</h1>{message}<div class=\"editor\"><form method=\"post\" class=\"edit\" id=\"map-form\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"version\" value=\"{version}\"><label>{title_label}<input name=\"title\" value=\"{title}\" required></label>{stages}<p class=\"sticky\"><button type=\"submit\" id=\"save\">{save}</button> <a href=\"/maps/{id}\">{cancel}</a></p></form><aside class=\"palette\"><h2>{catalogue}</h2><p class=\"muted\">{drag}</p><ul>{palette}</ul></aside></div>",
        edit = esc(&tr.t("action-edit")),
        title = esc(&map.title),
        csrf = esc(&user.csrf),
        version = esc(version),
        title_label = esc(&tr.t("map-title")),
        save = esc(&tr.t("action-save")),
        id = esc(map.id.as_str()),
        cancel = esc(&tr.t("action-cancel")),
        catalogue = esc(&tr.t("catalogue")),
        drag = esc(&tr.t("drag-hint")),
    )
}

async fn map_edit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> PageResult {
    edit_page::<JourneyMap>(&state, &user, &id, Section::Maps, |loaded, map, version| {
        map_form(&user, &loaded.ws.config.doc, map, version, "")
    })
}

async fn map_save(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    save_form::<JourneyMap>(
        &state,
        &user,
        &id,
        &Fields(fields),
        Section::Maps,
        |map, fields| edit::apply_map_form(map, fields, user.lang),
        |loaded, map, version, msg| map_form(&user, &loaded.ws.config.doc, map, version, msg),
    )
}

async fn map_print(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let (map, _, _) = loaded.map(&id).or_page(&user)?;
    let svg = poster(&loaded, map, user.lang, Paper::A3);
    let body = format!(
        "<div class=\"print\"><p class=\"noprint\"><button type=\"button\" data-print>{}</button> <a href=\"/maps/{}\">{}</a></p>{}</div>",
        esc(&tr.t("action-print")),
        esc(&id),
        esc(&tr.t("action-back")),
        inline_svg(&svg)
    );
    Ok(Html(html::bare_page(&tr, &map.title, &body)).into_response())
}

/// A picture as a download in `format` (`svg`, `png`, `pdf`).
pub(crate) fn picture(svg: &Svg, format: &str, name: &str) -> Result<Response, ServerError> {
    let (bytes, mime) = match format {
        "svg" => (svg.as_str().as_bytes().to_vec(), "image/svg+xml"),
        "png" => (svg_to_png(svg, 2400)?, "image/png"),
        "pdf" => (svg_to_pdf(svg)?, "application/pdf"),
        other => {
            return Err(ServerError::Invalid(format!(
                "unknown picture format `{other}`: use svg, png or pdf"
            )));
        }
    };
    let disposition = format!("inline; filename=\"{name}.{format}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

async fn poster_download(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((id, format)): Path<(String, String)>,
) -> PageResult {
    let loaded = docs::load(&state).or_page(&user)?;
    let (map, _, _) = loaded.map(&id).or_page(&user)?;
    let svg = poster(&loaded, map, user.lang, Paper::A3);
    let name = map.id.as_str().to_owned();
    tokio::task::spawn_blocking(move || picture(&svg, &format, &name))
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))
        .and_then(|r| r)
        .map_err(|e| PageError(e, user))
}

async fn diff_picture(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> PageResult {
    let loaded = docs::load(&state).or_page(&user)?;
    let (map, _, _) = loaded.map(&id).or_page(&user)?;
    let svg = diff(&loaded, map, user.lang).or_page(&user)?;
    picture(&svg, "svg", &format!("{id}-diff")).or_page(&user)
}

async fn compare(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> PageResult {
    let tr = user.tr();
    let loaded = docs::load(&state).or_page(&user)?;
    let mut body = format!("<h1>{}</h1>", esc(&tr.t("nav-compare")));
    let mut any = false;
    for m in loaded.ws.maps.iter().filter(|m| m.doc.improves.is_some()) {
        any = true;
        let current = m.doc.improves.as_ref().map_or("", |c| c.as_str());
        let _ = write!(
            body,
            "<section class=\"compare\" id=\"{id}\"><h2><a href=\"/maps/{cur}\">{cur}</a> → <a href=\"/maps/{id}\">{}</a></h2>",
            esc(&m.doc.title),
            id = esc(m.doc.id.as_str()),
            cur = esc(current)
        );
        match diff(&loaded, &m.doc, user.lang) {
            Ok(svg) => {
                let _ = write!(
                    body,
                    "<figure class=\"poster\">{}</figure>",
                    inline_svg(&svg)
                );
            }
            Err(e) => body.push_str(&alert("warning", &e.public_message(), &[])),
        }
        body.push_str("</section>");
    }
    if !any {
        let _ = write!(body, "<p>{}</p>", esc(&tr.t("compare-none")));
    }
    ok_page(
        &user,
        Section::Compare,
        &tr.t("nav-compare"),
        "/compare",
        &body,
    )
}

async fn dashboards_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let loaded = docs::load(&state).or_page(&user)?;
    let root = state.root().to_path_buf();
    let ws = loaded.ws.clone();
    let query = q.clone();
    let dash = tokio::task::spawn_blocking(move || dashboards::compute(&root, &ws, &query))
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))
        .and_then(|r| r)
        .or_page(&user)?;
    let tr = user.tr();
    let cfg = &loaded.ws.config.doc;
    let mut body = format!("<h1>{}</h1>", esc(&tr.t("nav-dashboards")));
    // Filters.
    let mut persona_opts = format!("<option value=\"\">{}</option>", esc(&tr.t("all-personas")));
    for p in &loaded.ws.personas {
        let sel = if q.persona.as_deref() == Some(p.doc.id.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            persona_opts,
            "<option value=\"{}\"{sel}>{}</option>",
            esc(p.doc.id.as_str()),
            esc(&p.doc.name)
        );
    }
    let mut map_opts = String::new();
    for (id, measurable) in &dash.maps {
        let sel = if dash.map.as_deref() == Some(id.as_str()) {
            " selected"
        } else {
            ""
        };
        let mark = if *measurable { "" } else { " ○" };
        let _ = write!(
            map_opts,
            "<option value=\"{}\"{sel}>{}{mark}</option>",
            esc(id),
            esc(id)
        );
    }
    let _ = write!(
        body,
        "<form method=\"get\" class=\"filters\"><label>{}<select name=\"persona\">{persona_opts}</select></label><label>{}<select name=\"map\">{map_opts}</select></label><label>{}<input type=\"date\" name=\"from\" value=\"{}\"></label><label>{}<input type=\"date\" name=\"to\" value=\"{}\"></label><button type=\"submit\">{}</button></form>",
        esc(&tr.t("col-persona")),
        esc(&tr.t("col-map")),
        esc(&tr.t("filter-from")),
        esc(q.from.as_deref().unwrap_or("")),
        esc(&tr.t("filter-to")),
        esc(q.to.as_deref().unwrap_or("")),
        esc(&tr.t("filter-apply"))
    );
    if !dash.has_data {
        let _ = write!(
            body,
            "<div class=\"empty\" id=\"no-data\"><h2>{}</h2><p>{}</p><pre>polku import events FILE.csv</pre></div>",
            esc(&tr.t("no-data")),
            esc(&tr.t("no-data-hint"))
        );
        return ok_page(
            &user,
            Section::Dashboards,
            &tr.t("nav-dashboards"),
            "/dashboards",
            &body,
        );
    }
    for n in &dash.notes {
        body.push_str(&alert("warning", n, &[]));
    }
    let map = dash
        .map
        .as_deref()
        .and_then(|id| loaded.ws.map(&id.parse().ok()?));
    let section = |id: &str, title: &str, content: &str| {
        format!(
            "<section class=\"dash\" id=\"{id}\"><h2>{}</h2>{content}</section>",
            esc(title)
        )
    };
    if let (Some(m), Some(r)) = (map, &dash.stages) {
        body.push_str(&section(
            "living-map",
            &tr.t("dash-living"),
            &charts::living_map(&tr, cfg, m, r),
        ));
        body.push_str(&section(
            "funnel",
            &tr.t("dash-funnel"),
            &charts::funnel(&tr, cfg, m, r),
        ));
    }
    if let Some(p) = &dash.paths {
        body.push_str(&section(
            "sankey",
            &tr.t("dash-sankey"),
            &charts::sankey(&tr, p),
        ));
    }
    if !dash.retention.is_empty() {
        body.push_str(&section(
            "retention",
            &tr.t("dash-retention"),
            &charts::retention(&tr, &dash.retention),
        ));
    }
    if let Some(a) = &dash.attribution_runs {
        let view = charts::attribution_view(a, user.lang, dash.persona_filtered);
        body.push_str(&section(
            "attribution",
            &tr.t("dash-attribution"),
            &polku_render::attribution_html(&view),
        ));
    }
    if let (Some(m), Some(b)) = (map, &dash.breakpoints) {
        body.push_str(&section(
            "breakpoints",
            &tr.t("dash-breakpoints"),
            &charts::breakpoints(&tr, cfg, m, b),
        ));
    }
    ok_page(
        &user,
        Section::Dashboards,
        &tr.t("nav-dashboards"),
        "/dashboards",
        &body,
    )
}

async fn users_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> PageResult {
    user.require(Role::Admin).or_page(&user)?;
    users_body(&state, &user, "")
}

fn users_body(state: &AppState, user: &CurrentUser, message: &str) -> PageResult {
    let tr = user.tr();
    let list = users::list_users(&state.db()).or_page(user)?;
    let role_opts = |selected: Role| {
        Role::ALL
            .iter()
            .map(|r| {
                let sel = if *r == selected { " selected" } else { "" };
                format!(
                    "<option value=\"{}\"{sel}>{}</option>",
                    r.as_str(),
                    esc(&tr.t(&format!("role-{}", r.as_str())))
                )
            })
            .collect::<String>()
    };
    let csrf = esc(&user.csrf);
    let mut rows = String::new();
    for u in &list {
        let _ = write!(
            rows,
            "<tr><td>{name}</td><td><form method=\"post\" action=\"/users/{name}/role\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><select name=\"role\">{}</select><button type=\"submit\">{}</button></form></td><td><form method=\"post\" action=\"/users/{name}/delete\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\" class=\"danger\">{}</button></form></td></tr>",
            role_opts(u.role),
            esc(&tr.t("action-save")),
            esc(&tr.t("action-remove")),
            name = esc(&u.name)
        );
    }
    let body = format!(
        "<h1>{}</h1>{message}<table><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{rows}</tbody></table><h2>{}</h2><form method=\"post\" action=\"/users\" class=\"edit narrow\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><label>{}<input name=\"name\" required></label><label>{}<select name=\"role\">{}</select></label><label>{}<input name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"></label><button type=\"submit\">{}</button></form>",
        esc(&tr.t("nav-users")),
        esc(&tr.t("login-username")),
        esc(&tr.t("col-role")),
        esc(&tr.t("users-add")),
        esc(&tr.t("login-username")),
        esc(&tr.t("col-role")),
        role_opts(Role::Viewer),
        esc(&tr.t("login-password")),
        users::MIN_PASSWORD_CHARS,
        esc(&tr.t("users-add")),
    );
    ok_page(user, Section::Users, &tr.t("nav-users"), "/users", &body)
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    role: String,
    password: String,
}

async fn user_add(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<NewUser>,
) -> PageResult {
    user.require(Role::Admin).or_page(&user)?;
    let result = (|| {
        users::check_name(&form.name)?;
        let role: Role = form.role.parse().map_err(ServerError::Invalid)?;
        let hash = users::hash_password(&form.password)?;
        users::upsert_user(&state.db(), &form.name, role, &hash)
    })();
    match result {
        Ok(_) => Ok(Redirect::to("/users").into_response()),
        Err(e) => {
            let mut resp = users_body(&state, &user, &alert("error", &e.public_message(), &[]))?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
    }
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

async fn user_role(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
    Form(form): Form<RoleForm>,
) -> PageResult {
    user.require(Role::Admin).or_page(&user)?;
    let role: Role = form
        .role
        .parse()
        .map_err(ServerError::Invalid)
        .or_page(&user)?;
    if !users::set_role(&state.db(), &name, role).or_page(&user)? {
        return Err(PageError(
            ServerError::NotFound(format!("no user `{name}`")),
            user,
        ));
    }
    Ok(Redirect::to("/users").into_response())
}

async fn user_delete(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> PageResult {
    user.require(Role::Admin).or_page(&user)?;
    if name == user.name {
        return Err(PageError(
            ServerError::Invalid("you cannot remove yourself".into()),
            user,
        ));
    }
    users::delete_user(&state.db(), &name).or_page(&user)?;
    Ok(Redirect::to("/users").into_response())
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    set: String,
    next: Option<String>,
}

async fn set_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang: Language = q.set.parse().unwrap_or_default();
    let mut resp = Redirect::to(auth::safe_next(q.next.as_deref())).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            LANG_COOKIE,
            lang.code(),
            365 * 24 * 3600,
            auth::secure(&state, &headers),
        ),
    );
    resp
}

#[cfg(test)]
mod tests {
    use polku_model::Language;

    use super::*;

    #[test]
    fn overview_counts_take_their_plurals() {
        let en = Tr::new(Language::En);
        let fi = Tr::new(Language::Fi);
        for (tr, counts, want) in [
            (&en, (2, 1, 1), "2 personas, 1 map, 1 data import"),
            (&en, (1, 3, 0), "1 persona, 3 maps, 0 data imports"),
            (&fi, (2, 1, 1), "2 persoonaa, 1 polku, 1 datan tuonti"),
            (&fi, (1, 3, 12), "1 persoona, 3 polkua, 12 datan tuontia"),
        ] {
            assert_eq!(overview_counts(tr, counts.0, counts.1, counts.2), want);
        }
        assert_eq!(
            en.counts("overview-warnings", &[("n", 1)]),
            "The workspace has 1 finding to look at:"
        );
        assert_eq!(
            fi.counts("overview-warnings", &[("n", 1)]),
            "Työtilassa on 1 huomautus:"
        );
    }
}
