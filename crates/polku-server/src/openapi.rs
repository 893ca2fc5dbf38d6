//! The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`.
//!
//! Written from one table of operations; a test checks that every `/api` route of the router
//! is described and that every described operation answers.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;

/// One API operation: method, path, summary, the role it needs, and its success answer.
struct Op {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    role: &'static str,
    ok: (&'static str, &'static str, &'static str),
}

const JSON: &str = "application/json";

const OPS: &[Op] = &[
    Op {
        method: "get",
        path: "/api/me",
        summary: "The signed-in user, their role and the CSRF token for state-changing calls.",
        role: "viewer",
        ok: ("200", JSON, "Me"),
    },
    Op {
        method: "get",
        path: "/api/personas",
        summary: "Every persona with its file and version.",
        role: "viewer",
        ok: ("200", JSON, "PersonaList"),
    },
    Op {
        method: "get",
        path: "/api/personas/{id}",
        summary: "One persona; the version is also the ETag.",
        role: "viewer",
        ok: ("200", JSON, "PersonaDoc"),
    },
    Op {
        method: "put",
        path: "/api/personas/{id}",
        summary: "Replaces a persona. Needs If-Match with the version read; 409 when the file changed since.",
        role: "editor",
        ok: ("200", JSON, "Saved"),
    },
    Op {
        method: "get",
        path: "/api/maps",
        summary: "Every journey map, as a JSON array.",
        role: "viewer",
        ok: ("200", JSON, "MapList"),
    },
    Op {
        method: "get",
        path: "/api/maps/{id}",
        summary: "One map; the version is also the ETag.",
        role: "viewer",
        ok: ("200", JSON, "MapDoc"),
    },
    Op {
        method: "put",
        path: "/api/maps/{id}",
        summary: "Replaces a map. Needs If-Match with the version read; 409 when the file changed since, 422 when the map is invalid.",
        role: "editor",
        ok: ("200", JSON, "Saved"),
    },
    Op {
        method: "get",
        path: "/api/maps/{id}/poster/{format}",
        summary: "The map's poster as svg, png or pdf (query `paper`: a3 or a2).",
        role: "viewer",
        ok: ("200", "application/octet-stream", ""),
    },
    Op {
        method: "get",
        path: "/api/maps/{id}/diff",
        summary: "Current vs future: the picture comparing a future map with the map it improves (SVG).",
        role: "viewer",
        ok: ("200", "image/svg+xml", ""),
    },
    Op {
        method: "get",
        path: "/api/catalogue",
        summary: "The built-in touchpoint catalogue and stage variants.",
        role: "viewer",
        ok: ("200", JSON, "Object"),
    },
    Op {
        method: "get",
        path: "/api/dashboards",
        summary: "Living map and dashboards: stage funnel, paths (Sankey), retention, the attribution models side by side, breakpoints. Filters: persona, map, from, to.",
        role: "viewer",
        ok: ("200", JSON, "Dashboard"),
    },
    Op {
        method: "get",
        path: "/api/users",
        summary: "Every user and role.",
        role: "admin",
        ok: ("200", JSON, "UserList"),
    },
    Op {
        method: "post",
        path: "/api/users",
        summary: "Adds a user, or sets the role and password of an existing one.",
        role: "admin",
        ok: ("201", JSON, "User"),
    },
    Op {
        method: "delete",
        path: "/api/users/{name}",
        summary: "Removes a user and ends their sessions.",
        role: "admin",
        ok: ("204", "", ""),
    },
];

fn parameters(path: &str) -> Vec<Value> {
    let mut out: Vec<Value> = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let mut schema = json!({ "type": "string" });
            if name == "format" {
                schema = json!({ "type": "string", "enum": ["svg", "png", "pdf"] });
            }
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect();
    if path == "/api/dashboards" {
        for (name, desc) in [
            ("persona", "Only maps of this persona."),
            ("map", "The map to measure."),
            ("from", "First day, YYYY-MM-DD (UTC)."),
            ("to", "Last day, YYYY-MM-DD (UTC)."),
        ] {
            out.push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": "string" } }));
        }
    }
    out
}

fn operation(op: &Op) -> Value {
    let (status, mime, schema) = op.ok;
    let mut ok = json!({ "description": "Success." });
    if !mime.is_empty() {
        let schema = if schema.is_empty() {
            json!({ "type": "string", "format": "binary" })
        } else {
            json!({ "$ref": format!("#/components/schemas/{schema}") })
        };
        ok["content"] = json!({ mime: { "schema": schema } });
    }
    let error = |d: &str| json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let mut responses = json!({ status: ok, "401": error("Not signed in.") });
    if op.role != "viewer" {
        responses["403"] =
            error("The role may not do this, or the CSRF token is missing or wrong.");
    }
    if op.path.contains('{') {
        responses["404"] = error("No such document.");
    }
    if op.method == "put" {
        responses["409"] = error("The file changed since it was read; nothing was saved.");
        responses["422"] =
            error("The document is invalid or If-Match is missing; the diagnostics say where.");
    }
    let mut value = json!({
        "summary": op.summary,
        "description": format!("Needs the {} role.", op.role),
        "parameters": parameters(op.path),
        "responses": responses,
    });
    if op.method == "put" {
        value["parameters"]
            .as_array_mut()
            .expect("an array")
            .push(json!({ "name": "If-Match", "in": "header", "required": true, "schema": { "type": "string" }, "description": "The version (ETag) read." }));
        let doc = if op.path.starts_with("/api/maps") {
            "JourneyMap"
        } else {
            "Persona"
        };
        value["requestBody"] = json!({ "required": true, "content": { JSON: { "schema": { "$ref": format!("#/components/schemas/{doc}") } } } });
    }
    if op.method == "post" {
        value["requestBody"] = json!({ "required": true, "content": { JSON: { "schema": { "$ref": "#/components/schemas/NewUser" } } } });
    }
    if op.method != "get" {
        value["parameters"]
            .as_array_mut()
            .expect("an array")
            .push(json!({ "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" }, "description": "The csrf_token of GET /api/me." }));
    }
    value
}

/// The OpenAPI document.
pub(crate) fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for op in OPS {
        let entry = paths.entry(op.path).or_insert_with(|| json!({}));
        entry[op.method] = operation(op);
    }
    let string = json!({ "type": "string" });
    // Apart, or the document exceeds what one `json!` can expand.
    let attribution = json!({ "type": "object", "description": "The attribution models side by side over the customers' journeys: channel-level touches (visits by channel group), ending in the map's conversion touchpoint or, without one, the events purchase and deal_won. Credits of every model sum to the conversions and their value.", "properties": { "conversion": string, "journeys": { "type": "integer" }, "conversions": { "type": "integer" }, "value": { "type": "number" }, "channels": { "type": "array", "items": string }, "models": { "type": "array", "items": { "type": "object", "properties": { "model": { "type": "string", "enum": ["first", "last", "linear", "time-decay", "position", "markov", "shapley", "fractribution"] }, "credits": { "type": "array", "items": { "type": "object", "properties": { "channel": string, "conversions": { "type": "number" }, "value": { "type": "number" } } } } } } }, "costs": { "type": ["array", "null"], "description": "Per channel: spend, leads, cost_per_lead and, per model, conversions, value, cost_per_conversion and return_on_ad_spend; null when the period has no ad spend.", "items": { "type": "object" } }, "survey": { "type": ["object", "null"], "description": "Self-reported channels (\"how did you hear about us\") against each model's credit; null without answers." } } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "polku workbench API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Personas, journey maps, posters and journey analytics of one polku workspace. Sign in with POST /login (form fields username, password); the session cookie authenticates every call. State-changing calls need the X-CSRF-Token header (from GET /api/me). Documents are versioned: send the ETag you read as If-Match when you write.",
        },
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": string, "diagnostics": { "type": "array", "items": string } } },
                "Me": { "type": "object", "properties": { "name": string, "role": { "$ref": "#/components/schemas/Role" }, "csrf_token": string, "language": { "type": "string", "enum": ["fi", "en"] } } },
                "Role": { "type": "string", "enum": ["viewer", "editor", "admin"] },
                "User": { "type": "object", "properties": { "name": string, "role": { "$ref": "#/components/schemas/Role" } } },
                "UserList": { "type": "array", "items": { "$ref": "#/components/schemas/User" } },
                "NewUser": { "type": "object", "required": ["name", "role", "password"], "properties": { "name": string, "role": { "$ref": "#/components/schemas/Role" }, "password": { "type": "string", "minLength": crate::users::MIN_PASSWORD_CHARS } } },
                "MapSummary": { "type": "object", "properties": { "id": string, "title": string, "persona": { "type": ["string", "null"] }, "kind": { "type": "string", "enum": ["current", "future", "day-in-the-life", "persona"] }, "improves": { "type": ["string", "null"] }, "stages": { "type": "integer" }, "file": string, "version": string } },
                "MapList": { "type": "array", "items": { "$ref": "#/components/schemas/MapSummary" } },
                "JourneyMap": { "type": "object", "description": "A journey map, with the fields of maps/*.yaml (see docs/workspace-format.md).", "required": ["title", "stages"], "properties": { "id": string, "title": string, "persona": string, "kind": string, "improves": string, "conversion": string, "stages": { "type": "array", "items": { "type": "object" } } } },
                "MapDoc": { "type": "object", "properties": { "file": string, "version": string, "map": { "$ref": "#/components/schemas/JourneyMap" } } },
                "Persona": { "type": "object", "description": "A persona, with the fields of personas/*.yaml.", "required": ["name"], "properties": { "id": string, "name": string, "summary": string } },
                "PersonaDoc": { "type": "object", "properties": { "file": string, "version": string, "persona": { "$ref": "#/components/schemas/Persona" } } },
                "PersonaList": { "type": "array", "items": { "type": "object", "properties": { "id": string, "name": string, "summary": { "type": ["string", "null"] }, "file": string, "version": string } } },
                "Saved": { "type": "object", "properties": { "version": string, "warnings": { "type": "array", "items": string } } },
                "Dashboard": { "type": "object", "properties": { "has_data": { "type": "boolean" }, "map": { "type": ["string", "null"] }, "notes": { "type": "array", "items": string }, "stages": { "type": ["object", "null"] }, "paths": { "type": ["object", "null"] }, "retention": { "type": "array" }, "attribution": { "oneOf": [{ "$ref": "#/components/schemas/Attribution" }, { "type": "null" }] }, "breakpoints": { "type": ["object", "null"] }, "persona_filtered": { "type": "boolean", "description": "Whether the numbers are the chosen persona's customers only (the persona has rules)." } } },
                "Attribution": attribution,
                "Object": { "type": "object" },
            },
        },
        "security": [{ "session": [] }],
        "paths": paths,
    })
}

/// The document's route; open to everyone.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(|| async { Json(document()) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.route("/api/...")` written in the API module is in the document, with each of
    /// its methods.
    #[test]
    fn every_api_route_is_described() {
        let doc = document();
        let source = include_str!("api.rs");
        let mut seen = 0;
        // A route's arguments up to its closing parenthesis, however rustfmt wraps them.
        for call in source.split(".route(").skip(1) {
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(call.len(), |(i, _)| i);
            let Some(rest) = call[..end].trim_start().strip_prefix('"') else {
                continue;
            };
            let Some((path, handlers)) = rest.split_once('"') else {
                continue;
            };
            let handlers = handlers.trim_start_matches([',', ' ', '\n']);
            for method in ["get", "put", "post", "delete"] {
                let called = handlers.starts_with(&format!("{method}("))
                    || handlers.contains(&format!(".{method}("))
                    || handlers.contains(&format!("::{method}("));
                if called {
                    seen += 1;
                    assert!(
                        doc["paths"][path][method].is_object(),
                        "{method} {path} is routed but not in the OpenAPI document"
                    );
                }
            }
        }
        assert_eq!(
            seen,
            OPS.len(),
            "the document describes routes that do not exist"
        );
    }
}
