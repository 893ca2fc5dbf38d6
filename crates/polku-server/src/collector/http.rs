//! The collector's HTTP endpoints, CORS included.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use polku_ingest::collect::{Rejected, body_write_key, check, parse_body};

use super::Collector;

/// The largest body the collector takes, as Segment's HTTP API: 500 KB.
pub const MAX_BODY: usize = 500 * 1024;

/// The collector's routes, ready to `.merge()` into an app:
///
/// - `POST /v1/track`, `/v1/page`, `/v1/screen`, `/v1/identify`, `/v1/alias`, `/v1/group`:
///   one message; `POST /v1/batch` (and `/v1/import`): `{"batch": [messages]}`;
/// - the one-letter paths analytics.js (`@segment/analytics-next`) posts to: `/v1/t`, `/v1/p`,
///   `/v1/s`, `/v1/i`, `/v1/a`, `/v1/g`, `/v1/b`;
/// - `GET /snippet`: how to send events from a website to this collector.
///
/// The write key is the user name of HTTP Basic authentication, or `writeKey` in the body.
pub fn routes(collector: Collector) -> Router {
    let one = |kind: &'static str| {
        post(
            move |State(c): State<Collector>, headers: HeaderMap, body: Bytes| async move {
                ingest(&c, Some(kind), &headers, &body).await
            },
        )
    };
    let batch = || {
        post(
            |State(c): State<Collector>, headers: HeaderMap, body: Bytes| async move {
                ingest(&c, None, &headers, &body).await
            },
        )
    };
    Router::new()
        .route("/v1/track", one("track"))
        .route("/v1/t", one("track"))
        .route("/v1/page", one("page"))
        .route("/v1/p", one("page"))
        .route("/v1/screen", one("screen"))
        .route("/v1/s", one("screen"))
        .route("/v1/identify", one("identify"))
        .route("/v1/i", one("identify"))
        .route("/v1/alias", one("alias"))
        .route("/v1/a", one("alias"))
        .route("/v1/group", one("group"))
        .route("/v1/g", one("group"))
        .route("/v1/batch", batch())
        .route("/v1/b", batch())
        .route("/v1/import", batch())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(cors))
        .route("/snippet", get(super::snippet::page))
        .with_state(collector)
}

fn reply(status: StatusCode, message: Option<&str>) -> Response {
    let body = match message {
        None => serde_json::json!({"success": true}),
        Some(m) => serde_json::json!({"success": false, "message": m}),
    };
    (status, axum::Json(body)).into_response()
}

/// The write key of a Basic `Authorization` header: `Some(Err)` when the header is there but
/// unreadable.
fn basic_key(headers: &HeaderMap) -> Option<Result<String, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let parsed = (|| {
        let text = value.to_str().ok()?;
        let (scheme, rest) = text.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let user = decoded.split_once(':').map_or(&*decoded, |(u, _)| u);
        Some(user.to_owned())
    })();
    Some(parsed.ok_or(()))
}

const NO_KEY: &str = "a valid write key is needed: send it as the user name of HTTP Basic authentication (password empty) or as writeKey in the body";

async fn ingest(c: &Collector, kind: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Response {
    let header_key = match basic_key(headers) {
        Some(Ok(k)) => Some(k),
        Some(Err(())) => return reply(StatusCode::UNAUTHORIZED, Some(NO_KEY)),
        None => None,
    };
    if let Some(k) = &header_key
        && c.key_name(k).await.is_none()
    {
        return reply(StatusCode::UNAUTHORIZED, Some(NO_KEY));
    }
    let parsed = parse_body(body);
    if header_key.is_none() {
        let key = parsed.as_ref().ok().and_then(body_write_key);
        match key {
            Some(k) if c.key_name(k).await.is_some() => {}
            _ => return reply(StatusCode::UNAUTHORIZED, Some(NO_KEY)),
        }
    }
    let received_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let checked = parsed.and_then(|b| check(b, kind, &received_at, c.time()));
    let checked = match checked {
        Ok(c) => c,
        Err(Rejected(reason)) => return reply(StatusCode::BAD_REQUEST, Some(&reason)),
    };
    if checked.messages == 0 {
        return reply(StatusCode::OK, None);
    }
    match c.append(checked.payload).await {
        Ok(()) => reply(StatusCode::OK, None),
        Err(e) => reply(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(&format!(
                "the event could not be stored, send it again: {e}"
            )),
        ),
    }
}

/// CORS for browser senders: any origin may post (a write key is public in every page that
/// sends events), with the `Authorization` and `Content-Type` headers; no cookies are used.
async fn cors(req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut resp = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        r
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        origin.unwrap_or(HeaderValue::from_static("*")),
    );
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    resp
}
