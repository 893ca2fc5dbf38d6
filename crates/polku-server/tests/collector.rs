//! The collector over HTTP (in process): status codes, durability across a restart,
//! deduplication, and events identical to imported ones.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use polku_ingest::collect::{Writer, compact};
use polku_server::collector::{Collector, routes};
use polku_store::schema::Table;
use polku_store::{AppDb, EventStore, WorkspaceDir};
use tower::ServiceExt as _;

struct Ws {
    dir: tempfile::TempDir,
    key: String,
}

impl Ws {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("polku.yaml"), "name: Test\nstages: []\n").unwrap();
        let key = AppDb::open(dir.path())
            .unwrap()
            .add_write_key("website", "tester")
            .unwrap();
        Ws { dir, key }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn open(&self) -> Collector {
        Collector::open(&WorkspaceDir::open(self.root()).unwrap()).unwrap()
    }
}

fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    )
}

async fn post(c: &Collector, path: &str, auth: Option<&str>, body: &str) -> (StatusCode, String) {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    let resp = routes(c.clone())
        .oneshot(req.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn track(id: &str) -> String {
    format!(
        r#"{{"event":"Signed Up","anonymousId":"a-{id}","messageId":"{id}","timestamp":"2026-03-01T10:00:00Z"}}"#
    )
}

/// Every stored event as sorted rows of its columns, without the import id (which names the
/// import that wrote it, so differs between any two imports).
fn rows(root: &Path) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    EventStore::open(root)
        .scan(Table::Events, None, |_, b: &RecordBatch| {
            let schema = b.schema();
            for i in 0..b.num_rows() {
                let mut row = Vec::new();
                for (f, col) in schema.fields().iter().zip(b.columns()) {
                    if f.name() == "import_id" {
                        continue;
                    }
                    let v = if col.is_null(i) {
                        "NULL".to_owned()
                    } else {
                        arrow_cast_display(col.as_ref(), i)
                    };
                    row.push(format!("{}={v}", f.name()));
                }
                out.push(row);
            }
            Ok(())
        })
        .unwrap();
    out.sort();
    out
}

fn arrow_cast_display(col: &dyn Array, i: usize) -> String {
    use arrow_array::types::{Float64Type, TimestampMicrosecondType};
    if let Some(s) = col.as_string_opt::<i32>() {
        return s.value(i).to_owned();
    }
    if let Some(t) = col.as_primitive_opt::<TimestampMicrosecondType>() {
        return t.value(i).to_string();
    }
    if let Some(f) = col.as_primitive_opt::<Float64Type>() {
        return f.value(i).to_string();
    }
    format!("{col:?}@{i}")
}

fn event_count(root: &Path) -> u64 {
    polku_store::stats::stats(root).unwrap().events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_codes_say_what_was_wrong() {
    let ws = Ws::new();
    let c = ws.open();
    let key = basic(&ws.key);
    let ok = track("m1");

    let (s, body) = post(&c, "/v1/track", None, &ok).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("write key"), "{body}");
    assert_eq!(
        post(&c, "/v1/track", Some(&basic("pk_wrong")), &ok).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&c, "/v1/track", Some("Bearer x"), &ok).await.0,
        StatusCode::UNAUTHORIZED
    );

    let big = format!(
        r#"{{"event":"x","userId":"u","properties":{{"pad":"{}"}}}}"#,
        "x".repeat(500 * 1024)
    );
    assert_eq!(
        post(&c, "/v1/track", Some(&key), &big).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Just under the limit is taken.
    let fits = format!(
        r#"{{"event":"x","userId":"u","timestamp":"2026-03-01T10:00:00Z","properties":{{"pad":"{}"}}}}"#,
        "x".repeat(500 * 1024 - 200)
    );
    assert_eq!(
        post(&c, "/v1/track", Some(&key), &fits).await.0,
        StatusCode::OK
    );

    let (s, body) = post(&c, "/v1/track", Some(&key), "{\"event\": ").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid JSON"), "{body}");
    let (s, body) = post(&c, "/v1/track", Some(&key), r#"{"userId":"u"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("event: a track message needs an event name"),
        "{body}"
    );
    let (s, body) = post(
        &c,
        "/v1/batch",
        Some(&key),
        r#"{"batch":[{"type":"page","userId":"u"},{"type":"nonsense","userId":"u"}]}"#,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("batch[1].type: unknown message type `nonsense`"),
        "{body}"
    );

    let (s, body) = post(&c, "/v1/track", Some(&key), &ok).await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, r#"{"success":true}"#));
    // analytics.js sends the key in the body, as text/plain, to the one-letter paths.
    let in_body = format!(
        r#"{{"writeKey":"{}","type":"page","anonymousId":"a","messageId":"m2","timestamp":"2026-03-01T10:00:00Z"}}"#,
        ws.key
    );
    assert_eq!(post(&c, "/v1/p", None, &in_body).await.0, StatusCode::OK);
    let bad_in_body = in_body.replace(&ws.key, "pk_nope");
    assert_eq!(
        post(&c, "/v1/p", None, &bad_in_body).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Only the accepted requests reach the data: the padded one, m1 and m2.
    c.compact_now().await.unwrap();
    assert_eq!(event_count(ws.root()), 3);
    let raw: Vec<u8> = std::fs::read_dir(ws.root().join("events"))
        .unwrap()
        .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(!raw.windows(ws.key.len()).any(|w| w == ws.key.as_bytes()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_get_cors_headers_and_a_preflight_answer() {
    let ws = Ws::new();
    let c = ws.open();
    let req = Request::builder()
        .method("OPTIONS")
        .uri("/v1/batch")
        .header(header::ORIGIN, "https://shop.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap();
    let resp = routes(c.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let h = resp.headers();
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.com"
    );
    let allowed = h[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    assert!(
        h[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("POST")
    );

    let req = Request::post("/v1/track")
        .header(header::ORIGIN, "https://shop.example.com")
        .header(header::AUTHORIZATION, basic(&ws.key))
        .body(Body::from(track("m1")))
        .unwrap();
    let resp = routes(c.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_survive_a_restart_without_compaction() {
    let ws = Ws::new();
    {
        let c = ws.open();
        for i in 0..20 {
            let (s, _) = post(
                &c,
                "/v1/track",
                Some(&basic(&ws.key)),
                &track(&format!("m{i}")),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
        }
        // Gone without a compaction, as after a crash.
    }
    assert!(!ws.root().join("events").exists());
    let c = ws.open();
    let r = c.compact_now().await.unwrap();
    assert_eq!(r.import.unwrap().added, 20);
    assert_eq!(event_count(ws.root()), 20);
    // The spool is empty now but for the segment being written.
    let segs = polku_store::spool::segments(&polku_store::spool::spool_dir(ws.root())).unwrap();
    assert_eq!(segs.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_twice_is_stored_once() {
    let ws = Ws::new();
    let c = ws.open();
    let key = basic(&ws.key);
    let batch = format!(r#"{{"batch":[{},{}]}}"#, track("m1"), track("m2"))
        .replace(r#""event""#, r#""type":"track","event""#);
    assert_eq!(
        post(&c, "/v1/batch", Some(&key), &batch).await.0,
        StatusCode::OK
    );
    // A retry of the whole batch, and one message again on its own.
    assert_eq!(
        post(&c, "/v1/batch", Some(&key), &batch).await.0,
        StatusCode::OK
    );
    c.compact_now().await.unwrap();
    assert_eq!(
        post(&c, "/v1/track", Some(&key), &track("m2")).await.0,
        StatusCode::OK
    );
    let r = c.compact_now().await.unwrap().import.unwrap();
    assert_eq!((r.added, r.duplicates), (0, 1));
    assert_eq!(event_count(ws.root()), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_events_are_visible_to_a_reader_while_the_collector_runs() {
    let ws = Ws::new();
    let c = ws.open();
    for i in 0..5 {
        post(
            &c,
            "/v1/track",
            Some(&basic(&ws.key)),
            &track(&format!("m{i}")),
        )
        .await;
    }
    // What `polku stats` and the analytics commands do before reading: fold in the spool,
    // including the segment the running collector is still appending to.
    let root = ws.root().to_path_buf();
    tokio::task::spawn_blocking(move || compact(&root, Writer::Unknown).unwrap())
        .await
        .unwrap();
    assert_eq!(event_count(ws.root()), 5);
    for i in 5..8 {
        post(
            &c,
            "/v1/track",
            Some(&basic(&ws.key)),
            &track(&format!("m{i}")),
        )
        .await;
    }
    // The collector's own compaction then adds only what is new.
    let r = c.compact_now().await.unwrap().import.unwrap();
    assert_eq!((r.added, r.duplicates), (3, 0));
    assert_eq!(event_count(ws.root()), 8);
}

/// The Segment fixture sent message by message gives exactly the rows `polku import` gives:
/// same event ids, customers (stitched by identify and alias), channel groups, values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collected_messages_become_the_same_events_as_imported_ones() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment.ndjson");
    let imported = Ws::new();
    polku_ingest::import_events(
        imported.root(),
        &fixture,
        &polku_ingest::ImportOptions {
            format: Some(polku_ingest::Format::Segment),
            ..Default::default()
        },
        &polku_ingest::NoProgress,
    )
    .unwrap();

    let collected = Ws::new();
    let c = collected.open();
    let key = basic(&collected.key);
    for line in std::fs::read_to_string(&fixture).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let path = if v.get("batch").is_some() {
            "/v1/batch".to_owned()
        } else {
            format!("/v1/{}", v["type"].as_str().unwrap())
        };
        let (s, body) = post(&c, &path, Some(&key), line).await;
        assert_eq!(s, StatusCode::OK, "{line}: {body}");
    }
    c.compact_now().await.unwrap();
    let want = rows(imported.root());
    assert!(!want.is_empty());
    assert_eq!(rows(collected.root()), want);
    let links = |root: &Path| AppDb::open(root).unwrap().identity_links().unwrap();
    assert_eq!(links(collected.root()), links(imported.root()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_collector_on_the_same_workspace_is_refused() {
    let ws = Ws::new();
    let _c = ws.open();
    let err = Collector::open(&WorkspaceDir::open(ws.root()).unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("another process is collecting"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snippet_page_names_the_address_the_browser_used() {
    let ws = Ws::new();
    let c = ws.open();
    let req = Request::get("/snippet?lang=en")
        .header(header::HOST, "events.example.com:8080")
        .body(Body::empty())
        .unwrap();
    let resp = routes(c).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(
        html.contains("apiHost: &#39;events.example.com:8080/v1&#39;"),
        "{html}"
    );
    assert!(html.contains("http://events.example.com:8080/v1/track"));
}
