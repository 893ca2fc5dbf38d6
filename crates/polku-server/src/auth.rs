//! Sign-in, sessions, CSRF protection and sign-in rate limiting.
//!
//! The session cookie is `HttpOnly` and `SameSite=Lax`, and `Secure` when the server runs
//! behind TLS. Every state-changing request of a signed-in user must carry the session's CSRF
//! token, as the form field `csrf` or the header `X-CSRF-Token`, and an `Origin` header, when
//! the browser sends one, must name this server. Failed sign-ins are counted per user name and
//! per client address in a table of bounded size.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use polku_model::Language;

use crate::error::ServerError;
use crate::html::{self, esc};
use crate::i18n::{self, Tr};
use crate::state::AppState;
use crate::users::{self, Role, SessionUser};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "polku_session";
/// The header that carries the CSRF token of API calls made from pages.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in user of a request, put there by [`require_user`].
#[derive(Debug, Clone)]
pub(crate) struct CurrentUser {
    pub name: String,
    pub role: Role,
    pub csrf: String,
    pub lang: Language,
}

impl CurrentUser {
    /// Fails unless the user's role is at least `role`.
    pub(crate) fn require(&self, role: Role) -> Result<(), ServerError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ServerError::Forbidden(match role {
                Role::Viewer => "read",
                Role::Editor => "edit maps and personas (needs the editor role)",
                Role::Admin => "manage users (needs the admin role)",
            }))
        }
    }

    pub(crate) fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }
}

/// The routes open to everyone: the sign-in form.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/login", get(login_page).post(login))
}

/// The sign-out route; it needs a session and its CSRF token.
pub(crate) fn logout_route() -> Router<AppState> {
    Router::new().route("/logout", post(logout))
}

/// Lets signed-in users through with a [`CurrentUser`]; others are sent to `/login` (pages) or
/// answered 401 (API). Checks the CSRF token of state-changing requests.
pub(crate) async fn require_user(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let user = match cookie(req.headers(), SESSION_COOKIE) {
        Some(token) => match users::session_user(&state.db(), &token) {
            Ok(user) => user,
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    let Some(user) = user else {
        if is_api {
            return ServerError::Unauthenticated.into_response();
        }
        let target = req
            .uri()
            .path_and_query()
            .map_or("/", axum::http::uri::PathAndQuery::as_str);
        let next_q = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{next_q}")).into_response();
    };
    let lang = i18n::language(req.headers(), &state);
    let req = if is_safe(req.method()) {
        req
    } else {
        match check_csrf(req, &user).await {
            Ok(req) => req,
            Err(resp) => return *resp,
        }
    };
    let SessionUser { name, role, csrf } = user;
    let mut req = req;
    req.extensions_mut().insert(CurrentUser {
        name,
        role,
        csrf,
        lang,
    });
    next.run(req).await
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn check_csrf(req: Request, user: &SessionUser) -> Result<Request, Box<Response>> {
    let refuse = |why: &str| {
        Box::new(
            (
                StatusCode::FORBIDDEN,
                axum::Json(crate::error::ErrorBody {
                    error: why.to_owned(),
                    diagnostics: Vec::new(),
                }),
            )
                .into_response(),
        )
    };
    if !same_origin(req.headers()) {
        return Err(refuse("the request came from another site and was refused"));
    }
    let expired =
        "the form has expired or did not come from this site: reload the page and try again";
    if let Some(token) = req.headers().get(CSRF_HEADER) {
        return if token.as_bytes() == user.csrf.as_bytes() {
            Ok(req)
        } else {
            Err(refuse(expired))
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refuse(expired));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return Err(Box::new(
            (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
        ));
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let ok = fields
        .iter()
        .any(|(k, v)| k == "csrf" && v.as_bytes() == user.csrf.as_bytes());
    if !ok {
        return Err(refuse(expired));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Whether the `Origin` header, when there is one, names the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

/// A cookie's value from the request headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Whether cookies must be marked `Secure`.
pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.options().secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value with the workbench's cookie attributes.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Debug, serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Html<String> {
    let tr = Tr::new(i18n::language(&headers, &state));
    login_form(&tr, q.next.as_deref(), None)
}

fn login_form(tr: &Tr, next: Option<&str>, error: Option<&str>) -> Html<String> {
    let error = error.map_or_else(String::new, |e| {
        format!(r#"<p class="error" role="alert">{}</p>"#, esc(e))
    });
    let next = safe_next(next);
    let body = format!(
        r#"<main class="login"><h1>polku</h1>{error}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>{user}<input name="username" autocomplete="username" required autofocus></label>
<label>{pass}<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{submit}</button>
</form>
<p class="langs"><a href="/lang?set=fi&amp;next=/login">suomeksi</a> · <a href="/lang?set=en&amp;next=/login">in English</a></p></main>"#,
        next = esc(next),
        user = esc(&tr.t("login-username")),
        pass = esc(&tr.t("login-password")),
        submit = esc(&tr.t("login-submit")),
    );
    Html(html::bare_page(tr, &tr.t("login-title"), &body))
}

/// A `next` target only if it is a path on this site.
pub(crate) fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

#[derive(serde::Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password never reaches a log line.
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

async fn login(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    // Translations are not `Send`: they are made where a page is written, after the awaits.
    let lang = i18n::language(&headers, &state);
    let user_key = format!("user:{}", form.username.to_lowercase());
    let ip_key = format!(
        "ip:{}",
        connect.map_or_else(|| "unknown".to_owned(), |c| c.0.0.ip().to_string())
    );
    let limiter = state.limiter();
    if limiter.blocked(&user_key, MAX_FAILURES_PER_USER)
        || limiter.blocked(&ip_key, MAX_FAILURES_PER_IP)
    {
        let tr = Tr::new(lang);
        let mut resp = login_form(&tr, form.next.as_deref(), Some(&tr.t("login-rate-limited")))
            .into_response();
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return resp;
    }
    let stored = match users::credentials(&state.db(), &form.username) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let password = form.password;
    let check = tokio::task::spawn_blocking(move || match stored {
        Some((hash, role)) => users::verify_password(&password, &hash).then_some(role),
        None => {
            // Spend the same time on an unknown name as on a wrong password.
            let _ = users::verify_password(&password, dummy_hash());
            None
        }
    })
    .await
    .ok()
    .flatten();
    if check.is_none() {
        limiter.fail(&user_key);
        limiter.fail(&ip_key);
        let tr = Tr::new(lang);
        let mut resp =
            login_form(&tr, form.next.as_deref(), Some(&tr.t("login-failed"))).into_response();
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
        return resp;
    }
    limiter.clear(&user_key);
    let token = match users::create_session(&state.db(), &form.username) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let mut resp = Redirect::to(safe_next(form.next.as_deref())).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            users::SESSION_SECS,
            secure(&state, &headers),
        ),
    );
    resp
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| users::hash_password("not a real password").unwrap_or_default())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = users::end_session(&state.db(), &token)
    {
        return e.into_response();
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, secure(&state, &headers)),
    );
    resp
}

/// Failed sign-ins allowed per user name in [`FAILURE_WINDOW`].
pub(crate) const MAX_FAILURES_PER_USER: u32 = 5;
/// Failed sign-ins allowed per client address in [`FAILURE_WINDOW`].
pub(crate) const MAX_FAILURES_PER_IP: u32 = 20;
/// How long failed sign-ins are remembered.
pub(crate) const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed sign-ins per key (a user name or a client address) in a table that never holds
/// more than `capacity` keys: when full, expired entries go first, then the oldest.
#[derive(Debug)]
pub(crate) struct LoginLimiter {
    entries: Mutex<HashMap<String, Failures>>,
    capacity: usize,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::with_capacity(10_000)
    }
}

impl LoginLimiter {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        LoginLimiter {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `key` has used up its `limit` of failures in the window.
    pub(crate) fn blocked(&self, key: &str, limit: u32) -> bool {
        self.lock()
            .get(key)
            .is_some_and(|f| f.first.elapsed() < FAILURE_WINDOW && f.count >= limit)
    }

    /// Counts one failure of `key`.
    pub(crate) fn fail(&self, key: &str) {
        let mut entries = self.lock();
        if let Some(f) = entries.get_mut(key) {
            if f.first.elapsed() < FAILURE_WINDOW {
                f.count += 1;
            } else {
                *f = Failures {
                    count: 1,
                    first: Instant::now(),
                };
            }
            return;
        }
        if entries.len() >= self.capacity {
            entries.retain(|_, f| f.first.elapsed() < FAILURE_WINDOW);
        }
        if entries.len() >= self.capacity
            && let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, f)| f.first)
                .map(|(k, _)| k.clone())
        {
            entries.remove(&oldest);
        }
        entries.insert(
            key.to_owned(),
            Failures {
                count: 1,
                first: Instant::now(),
            },
        );
    }

    /// Forgets the failures of `key`.
    pub(crate) fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_the_limit_and_clears() {
        let l = LoginLimiter::default();
        for _ in 0..3 {
            assert!(!l.blocked("user:a", 3));
            l.fail("user:a");
        }
        assert!(l.blocked("user:a", 3));
        assert!(!l.blocked("user:b", 3));
        l.clear("user:a");
        assert!(!l.blocked("user:a", 3));
    }

    #[test]
    fn limiter_memory_is_bounded() {
        let l = LoginLimiter::with_capacity(100);
        for i in 0..1000 {
            l.fail(&format!("ip:{i}"));
        }
        assert_eq!(l.len(), 100);
        // The newest key is kept.
        l.fail("ip:999");
        assert!(l.blocked("ip:999", 2));
    }

    #[test]
    fn next_targets_stay_on_this_site() {
        assert_eq!(safe_next(Some("/maps/x")), "/maps/x");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h));
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
    }
}
