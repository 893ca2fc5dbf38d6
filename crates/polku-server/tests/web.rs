//! The web workbench through its router, without a socket: sign-in, roles, CSRF, rate limits,
//! optimistic concurrency, the API and its OpenAPI description.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use common::{Fixture, PASSWORD};
use polku_model::Language;
use polku_server::{ServerOptions, app};
use serde_json::Value;
use tower::ServiceExt as _;

async fn send(fx: &Fixture, req: Request<Body>) -> Response<Body> {
    app(fx.state.clone()).oneshot(req).await.unwrap()
}

async fn body_text(resp: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn body_json(resp: Response<Body>) -> Value {
    serde_json::from_str(&body_text(resp).await).unwrap()
}

fn form(uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap()
}

async fn login_response(fx: &Fixture, user: &str, password: &str) -> Response<Body> {
    send(
        fx,
        form("/login", &[("username", user), ("password", password)]),
    )
    .await
}

/// A signed-in user: the session cookie and the CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

impl Session {
    fn req(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &self.cookie)
    }

    fn get(&self, uri: &str) -> Request<Body> {
        self.req(Method::GET, uri).body(Body::empty()).unwrap()
    }

    fn form(&self, uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
        let mut with_csrf: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        with_csrf.extend_from_slice(fields);
        self.raw_form(uri, &with_csrf)
    }

    fn raw_form(&self, uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
        self.req(Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
            .unwrap()
    }

    fn put_json(&self, uri: &str, version: &str, body: &Value) -> Request<Body> {
        self.req(Method::PUT, uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, format!("\"{version}\""))
            .header("x-csrf-token", &self.csrf)
            .body(Body::from(body.to_string()))
            .unwrap()
    }
}

async fn login(fx: &Fixture, user: &str) -> Session {
    let resp = login_response(fx, user, PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "sign-in of {user}");
    let set = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    let me = Session {
        cookie,
        csrf: String::new(),
    };
    let resp = send(fx, me.get("/api/me")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let json = body_json(resp).await;
    assert_eq!(json["name"], user);
    Session {
        csrf: json["csrf_token"].as_str().unwrap().to_owned(),
        ..me
    }
}

#[tokio::test]
async fn pages_redirect_to_login_and_api_answers_401_without_a_session() {
    let fx = Fixture::new(Language::En);
    let resp = send(&fx, Request::get("/maps?x=1").body(Body::empty()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()[header::LOCATION],
        "/login?next=%2Fmaps%3Fx%3D1"
    );
    let resp = send(&fx, Request::get("/api/maps").body(Body::empty()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(resp).await["error"], "sign in first");
    // A forged cookie is no session.
    let forged = Session {
        cookie: "polku_session=00ff".into(),
        csrf: String::new(),
    };
    assert_eq!(
        send(&fx, forged.get("/api/maps")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The sign-in page is open; the API description needs a session like the API.
    let resp = send(&fx, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = body_text(resp).await;
    assert!(page.contains(r#"name="username""#) && page.contains(r#"name="password""#));
    let resp = send(
        &fx,
        Request::get("/api/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_wrong_passwords_are_refused() {
    let fx = Fixture::new(Language::En);
    let resp = login_response(&fx, "editor", "wrong password").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().get(header::SET_COOKIE).is_none());
    assert!(
        body_text(resp)
            .await
            .contains("Wrong user name or password")
    );
    let resp = login_response(&fx, "nobody", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let resp = login_response(&fx, "editor", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("polku_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");

    // Behind a TLS proxy the cookie is Secure.
    let mut req = form(
        "/login",
        &[
            ("username", "editor"),
            ("password", PASSWORD),
            ("next", "/maps"),
        ],
    );
    req.headers_mut()
        .insert("x-forwarded-proto", "https".parse().unwrap());
    let resp = send(&fx, req).await;
    assert_eq!(resp.headers()[header::LOCATION], "/maps");
    assert!(
        resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    // And with --secure-cookies always.
    let fx = Fixture::with_options(
        Language::En,
        ServerOptions {
            secure_cookies: true,
        },
    );
    let resp = login_response(&fx, "viewer", PASSWORD).await;
    assert!(
        resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_user_name() {
    let fx = Fixture::new(Language::En);
    for _ in 0..5 {
        assert_eq!(
            login_response(&fx, "editor", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now.
    let resp = login_response(&fx, "editor", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get(header::SET_COOKIE).is_none());
    // Other users are not locked out by it.
    assert_eq!(
        login_response(&fx, "viewer", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address() {
    let fx = Fixture::new(Language::En);
    // Twenty failures spread over many names from one address.
    for i in 0..20 {
        let name = format!("guess{i}");
        assert_eq!(
            login_response(&fx, &name, "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_response(&fx, "viewer", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn viewers_read_but_cannot_edit() {
    let fx = Fixture::new(Language::En);
    let (id, file) = fx.map();
    let before = std::fs::read_to_string(&file).unwrap();
    let viewer = login(&fx, "viewer").await;
    let resp = send(&fx, viewer.get(&format!("/maps/{id}"))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = body_text(resp).await;
    assert!(page.contains("<svg"), "the poster is on the page");
    assert!(
        !page.contains("id=\"edit-map\""),
        "no edit button for viewers"
    );
    assert_eq!(
        send(&fx, viewer.get(&format!("/maps/{id}/edit")))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let version =
        body_json(send(&fx, viewer.get(&format!("/api/maps/{id}"))).await).await["version"]
            .as_str()
            .unwrap()
            .to_owned();
    let resp = send(
        &fx,
        viewer.form(
            &format!("/maps/{id}/edit"),
            &[("version", &version), ("title", "Hacked")],
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let map =
        body_json(send(&fx, viewer.get(&format!("/api/maps/{id}"))).await).await["map"].clone();
    let resp = send(
        &fx,
        viewer.put_json(&format!("/api/maps/{id}"), &version, &map),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // Only admins manage users.
    assert_eq!(
        send(&fx, viewer.get("/api/users")).await.status(),
        StatusCode::FORBIDDEN
    );
    let editor = login(&fx, "editor").await;
    assert_eq!(
        send(&fx, editor.get("/users")).await.status(),
        StatusCode::FORBIDDEN
    );
    let admin = login(&fx, "admin").await;
    let users = body_json(send(&fx, admin.get("/api/users")).await).await;
    assert_eq!(users.as_array().unwrap().len(), 3);
    assert!(
        !users.to_string().contains("argon2"),
        "no hashes in answers"
    );
}

#[tokio::test]
async fn state_changes_need_the_csrf_token() {
    let fx = Fixture::new(Language::En);
    let (id, file) = fx.map();
    let before = std::fs::read_to_string(&file).unwrap();
    let editor = login(&fx, "editor").await;
    let version =
        body_json(send(&fx, editor.get(&format!("/api/maps/{id}"))).await).await["version"]
            .as_str()
            .unwrap()
            .to_owned();
    let uri = format!("/maps/{id}/edit");
    let resp = send(
        &fx,
        editor.raw_form(&uri, &[("version", &version), ("title", "No token")]),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = send(
        &fx,
        editor.raw_form(
            &uri,
            &[
                ("csrf", "forged"),
                ("version", &version),
                ("title", "Bad token"),
            ],
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // API calls need the header.
    let map =
        body_json(send(&fx, editor.get(&format!("/api/maps/{id}"))).await).await["map"].clone();
    let req = editor
        .req(Method::PUT, &format!("/api/maps/{id}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, &version)
        .body(Body::from(map.to_string()))
        .unwrap();
    assert_eq!(send(&fx, req).await.status(), StatusCode::FORBIDDEN);
    // A form posted from another site is refused even with the token.
    let mut req = editor.form(&uri, &[("version", &version), ("title", "Cross-site")]);
    req.headers_mut()
        .insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(send(&fx, req).await.status(), StatusCode::FORBIDDEN);
    // Sign-out needs it too.
    assert_eq!(
        send(&fx, editor.raw_form("/logout", &[])).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // With the token the edit goes through.
    let resp = send(
        &fx,
        editor.form(&uri, &[("version", &version), ("title", "With token")]),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("title: With token")
    );
    // And sign-out ends the session.
    assert_eq!(
        send(&fx, editor.form("/logout", &[])).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&fx, editor.get("/api/maps")).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_stale_edit_is_refused_with_409_and_the_file_is_unchanged() {
    let fx = Fixture::new(Language::En);
    let (id, file) = fx.map();
    let editor = login(&fx, "editor").await;
    let resp = send(&fx, editor.get(&format!("/api/maps/{id}"))).await;
    let etag = resp.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let doc = body_json(resp).await;
    assert_eq!(doc["version"], etag);
    let mut map = doc["map"].clone();

    // First writer wins.
    map["title"] = "First writer".into();
    let resp = send(
        &fx,
        editor.put_json(&format!("/api/maps/{id}"), &etag, &map),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let new_version = body_json(resp).await["version"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_version, etag);
    let after_first = std::fs::read_to_string(&file).unwrap();
    assert!(after_first.contains("title: First writer"));

    // The second writer still holds the old version.
    map["title"] = "Second writer".into();
    let resp = send(
        &fx,
        editor.put_json(&format!("/api/maps/{id}"), &etag, &map),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let err = body_json(resp).await;
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("changed by someone else"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after_first);

    // The same through the edit form: 409, the typed text shown back, the file unchanged.
    let resp = send(
        &fx,
        editor.form(
            &format!("/maps/{id}/edit"),
            &[("version", &etag), ("title", "Form writer")],
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let page = body_text(resp).await;
    assert!(page.contains("changed by someone else"));
    assert!(
        page.contains("Form writer"),
        "the refused input is shown, not lost"
    );
    assert!(
        page.contains(&new_version),
        "the form now carries the current version"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after_first);

    // Without If-Match nothing is written either.
    let req = editor
        .req(Method::PUT, &format!("/api/maps/{id}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", &editor.csrf)
        .body(Body::from(map.to_string()))
        .unwrap();
    assert_eq!(
        send(&fx, req).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after_first);
}

/// Sends the persona form of `hr-hanna` with a new name.
async fn save_persona(fx: &Fixture, s: &Session, version: &str, name: &str) -> Response<Body> {
    let fields = [("version", version), ("name", name)];
    send(fx, s.form("/personas/hr-hanna/edit", &fields)).await
}

#[tokio::test]
async fn personas_save_through_the_api_and_the_form_like_maps() {
    let fx = Fixture::new(Language::En);
    let file = fx.root().join("personas").join("hr-hanna.yaml");
    let editor = login(&fx, "editor").await;
    let doc = body_json(send(&fx, editor.get("/api/personas/hr-hanna")).await).await;
    let version = doc["version"].as_str().unwrap().to_owned();
    let mut persona = doc["persona"].clone();
    assert_eq!(persona["id"], "hr-hanna");

    // A body naming another persona is refused, and the file stays as it was.
    let before = std::fs::read_to_string(&file).unwrap();
    persona["id"] = "someone-else".into();
    let resp = send(
        &fx,
        editor.put_json("/api/personas/hr-hanna", &version, &persona),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = body_json(resp).await;
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("a persona's id cannot change"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // A body without an id takes the path's.
    persona.as_object_mut().unwrap().remove("id");
    persona["name"] = "Hanna API".into();
    let resp = send(
        &fx,
        editor.put_json("/api/personas/hr-hanna", &version, &persona),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("name: Hanna API") && saved.contains("id: hr-hanna"));

    // The form with the old version: 409, what was typed shown back, nothing written.
    let resp = save_persona(&fx, &editor, &version, "Hanna form").await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(body_text(resp).await.contains("Hanna form"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), saved);

    // With the current version the form saves and goes back to the persona.
    let current = body_json(send(&fx, editor.get("/api/personas/hr-hanna")).await).await["version"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = save_persona(&fx, &editor, &current, "Hanna form").await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(
        resp.headers()[header::LOCATION],
        "/personas/hr-hanna?saved=1"
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("name: Hanna form")
    );

    // An empty name is refused on the form with the form shown again.
    let resp = save_persona(&fx, &editor, &current, " ").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(resp).await.contains("the persona needs a name"));
}

#[tokio::test]
async fn invalid_edits_are_refused_with_the_validation_errors() {
    let fx = Fixture::new(Language::En);
    let (id, file) = fx.map();
    let before = std::fs::read_to_string(&file).unwrap();
    let editor = login(&fx, "editor").await;
    let doc = body_json(send(&fx, editor.get(&format!("/api/maps/{id}"))).await).await;
    let version = doc["version"].as_str().unwrap().to_owned();
    let mut map = doc["map"].clone();
    map["stages"][0]["touchpoints"][0]["emotion"] = 9.into();
    let resp = send(
        &fx,
        editor.put_json(&format!("/api/maps/{id}"), &version, &map),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = body_json(resp).await;
    let diag = err["diagnostics"][0].as_str().unwrap();
    assert!(diag.starts_with(&format!("maps/{id}.yaml:")), "{diag}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // A form with an unknown owner shows the error on the form.
    let resp = send(
        &fx,
        editor.form(
            &format!("/maps/{id}/edit"),
            &[("version", &version), ("s0.owner", "nobody")],
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body_text(resp).await;
    assert!(page.contains("nobody"), "the error names the bad owner");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

#[tokio::test]
async fn form_edits_change_touchpoints_and_keep_evidence() {
    let fx = Fixture::new(Language::En);
    let (id, file) = fx.map();
    let before = std::fs::read_to_string(&file).unwrap();
    assert!(before.contains("interview:int-01"));
    let editor = login(&fx, "editor").await;
    let resp = send(&fx, editor.get(&format!("/maps/{id}/edit"))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = body_text(resp).await;
    let version = page
        .split(r#"name="version" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let catalogue_id = polku_model::catalogue::Catalogue::builtin().touchpoints[0]
        .id
        .as_str()
        .to_owned();
    let resp = send(
        &fx,
        editor.form(
            &format!("/maps/{id}/edit"),
            &[
                ("version", &version),
                ("s0.t0.name", "Search ad: hiring made easy"),
                ("s0.t0.emotion", "3"),
                ("s0.add", &catalogue_id),
            ],
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.contains("name: 'Search ad: hiring made easy'")
            || after.contains("name: \"Search ad: hiring made easy\""),
        "{after}"
    );
    assert!(after.contains(&format!("catalogue: {catalogue_id}")));
    assert!(after.contains("interview:int-01"), "evidence kept");
    let map: polku_model::JourneyMap = serde_norway::from_str(&after).unwrap();
    assert_eq!(map.stages[0].touchpoints[0].emotion, Some(3));
    // The poster shows the new name.
    let page = body_text(send(&fx, editor.get(&format!("/maps/{id}"))).await).await;
    assert!(page.contains("hiring made easy"));
}

#[tokio::test]
async fn api_lists_maps_and_serves_posters() {
    let fx = Fixture::new(Language::En);
    let viewer = login(&fx, "viewer").await;
    let maps = body_json(send(&fx, viewer.get("/api/maps")).await).await;
    let ids: Vec<&str> = maps
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "hr-hanna-current",
            "hr-hanna-future",
            "marja-markkinoija-current"
        ]
    );
    for (format, magic) in [("png", &b"\x89PNG"[..]), ("pdf", b"%PDF"), ("svg", b"<")] {
        let resp = send(
            &fx,
            viewer.get(&format!("/api/maps/hr-hanna-current/poster/{format}")),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK, "{format}");
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(bytes.starts_with(magic), "{format}");
    }
    let resp = send(&fx, viewer.get("/api/maps/hr-hanna-future/diff")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        send(&fx, viewer.get("/api/maps/nope")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&fx, viewer.get("/api/maps/hr-hanna-current/poster/gif"))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn dashboards_say_when_there_is_no_data() {
    let fx = Fixture::new(Language::En);
    let viewer = login(&fx, "viewer").await;
    let resp = send(&fx, viewer.get("/dashboards?persona=hr-hanna")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = body_text(resp).await;
    assert!(page.contains("id=\"no-data\"") && page.contains("No data imported yet"));
    let json = body_json(send(&fx, viewer.get("/api/dashboards")).await).await;
    assert_eq!(json["has_data"], false);
    assert_eq!(
        send(&fx, viewer.get("/api/dashboards?persona=nobody"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_follow_the_workspace_language_and_the_switch() {
    let fx = Fixture::new(Language::Fi);
    let viewer = login(&fx, "viewer").await;
    let page = body_text(send(&fx, viewer.get("/")).await).await;
    assert!(page.contains("Yleiskuva") && page.contains("lang=\"fi\""));
    let resp = send(&fx, viewer.get("/lang?set=en&next=/maps")).await;
    assert_eq!(resp.headers()[header::LOCATION], "/maps");
    let lang_cookie = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let req = viewer
        .req(Method::GET, "/")
        .header(header::COOKIE, format!("{}; {lang_cookie}", viewer.cookie))
        .body(Body::empty())
        .unwrap();
    let page = body_text(send(&fx, req).await).await;
    assert!(page.contains("Overview") && page.contains("lang=\"en\""));
}

#[tokio::test]
async fn every_page_answers() {
    let fx = Fixture::new(Language::En);
    let admin = login(&fx, "admin").await;
    for uri in [
        "/",
        "/personas",
        "/personas/hr-hanna",
        "/personas/hr-hanna/edit",
        "/maps",
        "/maps/hr-hanna-current",
        "/maps/hr-hanna-current/edit",
        "/maps/hr-hanna-current/print",
        "/compare",
        "/dashboards",
        "/users",
        "/assets/app.js",
        "/assets/app.css",
    ] {
        let resp = send(&fx, admin.get(uri)).await;
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn every_documented_operation_exists() {
    let fx = Fixture::new(Language::En);
    let admin = login(&fx, "admin").await;
    let doc = body_json(send(&fx, admin.get("/api/openapi.json")).await).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10);
    for (path, ops) in paths {
        let uri = path
            .replace("{id}", "hr-hanna-future")
            .replace("{format}", "svg")
            .replace("{name}", "viewer");
        let uri = uri.replace("/api/personas/hr-hanna-future", "/api/personas/hr-hanna");
        for method in ops.as_object().unwrap().keys() {
            let req = admin
                .req(method.to_uppercase().parse().unwrap(), &uri)
                .header("x-csrf-token", &admin.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let status = send(&fx, req).await.status();
            assert!(
                status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}: {status}"
            );
        }
    }
}

#[tokio::test]
async fn large_bodies_are_refused() {
    let fx = Fixture::new(Language::En);
    let editor = login(&fx, "editor").await;
    let big = "x".repeat(2 * 1024 * 1024);
    let resp = send(
        &fx,
        editor.form("/maps/hr-hanna-current/edit", &[("title", &big)]),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn dashboards_measure_the_data_and_narrow_it_to_a_persona() {
    let fx = Fixture::new(Language::En);
    let data = fx.root().join("data.csv");
    polku_ingest::generate::generate(&polku_ingest::generate::GenerateOptions {
        customers: 400,
        seed: 5,
        out: data.clone(),
    })
    .unwrap();
    let options = polku_ingest::ImportOptions {
        user: "tester".into(),
        ..polku_ingest::ImportOptions::default()
    };
    polku_ingest::import_events(fx.root(), &data, &options, &polku_ingest::NoProgress).unwrap();

    let viewer = login(&fx, "viewer").await;
    let measured = |json: &Value| -> (u64, u64) {
        let stages = &json["stages"];
        (
            stages["customers"].as_u64().unwrap(),
            stages["stages"][0]["reached"].as_u64().unwrap(),
        )
    };
    let all = body_json(send(&fx, viewer.get("/api/dashboards?map=hr-hanna-current")).await).await;
    assert_eq!(all["has_data"], true, "{all}");
    let (customers, reached) = measured(&all);
    assert!(customers > 0 && reached > 0, "{all}");

    // HR-Hanna's rules take some of the customers, not all of them.
    let hanna = body_json(
        send(
            &fx,
            viewer.get("/api/dashboards?persona=hr-hanna&map=hr-hanna-current"),
        )
        .await,
    )
    .await;
    let (hanna_customers, _) = measured(&hanna);
    assert!(
        hanna_customers > 0 && hanna_customers < customers,
        "all {customers}, hr-hanna {hanna_customers}"
    );
    let page = body_text(send(&fx, viewer.get("/dashboards?persona=hr-hanna")).await).await;
    assert!(!page.contains("id=\"no-data\""));
    // The last stage's customers reached the end of the map: no drop-off is shown for it.
    let page = body_text(send(&fx, viewer.get("/dashboards?map=hr-hanna-current")).await).await;
    assert!(!page.contains("<td>0 (0%)</td>"), "{page}");
}

/// Imports generated events, ad costs and survey answers into the fixture's workspace.
fn import_generated(fx: &Fixture, customers: u64, seed: u64) {
    let data = fx.root().join("data.csv");
    polku_ingest::generate::generate(&polku_ingest::generate::GenerateOptions {
        customers,
        seed,
        out: data.clone(),
    })
    .unwrap();
    let options = polku_ingest::ImportOptions {
        user: "tester".into(),
        ..polku_ingest::ImportOptions::default()
    };
    polku_ingest::import_events(fx.root(), &data, &options, &polku_ingest::NoProgress).unwrap();
    let tables = polku_ingest::TableOptions::default();
    polku_ingest::import_costs(fx.root(), &fx.root().join("data.costs.csv"), &tables).unwrap();
    polku_ingest::import_survey(fx.root(), &fx.root().join("data.survey.csv"), &tables).unwrap();
}

/// Per model, the conversions it credits over all channels.
fn credited(attribution: &Value) -> Vec<(String, f64)> {
    attribution["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["model"].as_str().unwrap().to_owned(),
                m["credits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["conversions"].as_f64().unwrap())
                    .sum(),
            )
        })
        .collect()
}

#[tokio::test]
async fn dashboard_sets_the_attribution_models_side_by_side() {
    let fx = Fixture::new(Language::En);
    import_generated(&fx, 800, 11);
    let viewer = login(&fx, "viewer").await;
    let api = |query: &str| {
        let uri = format!("/api/dashboards?{query}");
        let req = viewer.get(&uri);
        async { body_json(send(&fx, req).await).await }
    };

    let all = api("map=hr-hanna-current").await;
    let a = &all["attribution"];
    // The map's conversion touchpoint ends the journeys.
    assert_eq!(a["conversion"], "e-signature", "{a}");
    let conversions = a["conversions"].as_f64().unwrap();
    assert!(conversions > 0.0);
    let models: Vec<String> = credited(a).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        models,
        [
            "first",
            "last",
            "linear",
            "time-decay",
            "position",
            "markov",
            "shapley",
            "fractribution"
        ]
    );
    for (model, sum) in credited(a) {
        assert!(
            (sum - conversions).abs() < 1e-6,
            "{model}: {sum} of {conversions}"
        );
    }
    // Spend joins in: every cost row has a CPA per model.
    let costs = a["costs"].as_array().unwrap();
    assert!(
        costs
            .iter()
            .any(|r| r["spend"].as_f64().is_some_and(|s| s > 0.0))
    );
    assert!(
        costs
            .iter()
            .all(|r| r["models"].as_array().unwrap().len() == 8)
    );

    // The persona filter narrows the journeys, and the credit still adds up.
    let hanna = api("persona=hr-hanna&map=hr-hanna-current").await;
    let h = &hanna["attribution"];
    let hanna_conversions = h["conversions"].as_f64().unwrap();
    assert!(
        hanna_conversions > 0.0 && hanna_conversions < conversions,
        "hr-hanna {hanna_conversions} of {conversions}"
    );
    for (model, sum) in credited(h) {
        assert!((sum - hanna_conversions).abs() < 1e-6, "hr-hanna {model}");
    }
    // So does the period: the first quarter has fewer conversions.
    let half = api("map=hr-hanna-current&from=2025-01-01&to=2025-03-31").await;
    let half_conversions = half["attribution"]["conversions"].as_f64().unwrap();
    assert!(
        half_conversions > 0.0 && half_conversions < conversions,
        "{half_conversions} of {conversions}: {}",
        half["notes"]
    );

    // The page draws the chart and the tables in the reader's language.
    let page = body_text(send(&fx, viewer.get("/dashboards?map=hr-hanna-current")).await).await;
    let section = &page[page
        .find("id=\"attribution\"")
        .expect("attribution section")..];
    assert!(section.contains("<figure class=\"chart attribution-chart\"><svg"));
    for label in [
        "First touch",
        "Markov (removal effect)",
        "Shapley",
        "Fractribution",
    ] {
        assert!(section.contains(label), "{label}");
    }
    assert!(section.contains("class=\"measured attribution-credit\""));
    assert!(section.contains("class=\"measured attribution-roas\""));
    // Survey answers beside the models, with each model's agreement.
    assert!(a["survey"]["answers"].as_u64().unwrap() > 0);
    assert!(
        section.contains("class=\"measured attribution-survey\"")
            && section.contains(">Agreement<")
    );
    let fi = viewer
        .req(Method::GET, "/dashboards?map=hr-hanna-current")
        .header(header::COOKIE, format!("{}; polku_lang=fi", viewer.cookie))
        .body(Body::empty())
        .unwrap();
    let page = body_text(send(&fx, fi).await).await;
    assert!(
        page.contains("Ensimmäinen kosketus") && page.contains("Kanava"),
        "Finnish labels"
    );
}
