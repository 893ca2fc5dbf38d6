//! `polku serve` as a real process: batches sent concurrently, a `kill -9` in the middle of
//! the load, a restart; every acknowledged event is then stored exactly once.

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use polku_store::EventStore;
use polku_store::schema::Table;

fn polku(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_polku"))
        .arg("--workspace")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "polku {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `polku serve` on a free port; returns the child and its address.
// The caller waits for the child it is handed; the lint cannot follow it out of here.
#[allow(clippy::zombie_processes)]
fn serve(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_polku"))
        .arg("--workspace")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--compact-every", "0.2"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.wait();
            panic!("the server exited before listening");
        }
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split('/').next().unwrap().to_owned();
            // Keep draining stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
            return (child, addr);
        }
    }
}

/// One HTTP/1.1 POST on a fresh connection; the status, or `None` when the connection failed.
fn post(addr: &str, path: &str, auth: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    resp.split(' ').nth(1)?.parse().ok()
}

fn basic(key: &str) -> String {
    // Base64 of "KEY:"; keys are `pk_` and hex, so a tiny encoder is enough here.
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{key}:").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

fn batch(ids: &[String]) -> String {
    let msgs: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"type":"track","event":"Load Test","anonymousId":"a-{id}","messageId":"{id}","timestamp":"2026-03-01T10:00:00Z","properties":{{"n":1}}}}"#
            )
        })
        .collect();
    format!(r#"{{"batch":[{}]}}"#, msgs.join(","))
}

fn stored_ids(dir: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    EventStore::open(dir)
        .scan(Table::Events, Some(&["event_id"]), |_, b| {
            ids.extend(
                b.column(0)
                    .as_string::<i32>()
                    .iter()
                    .flatten()
                    .map(str::to_owned),
            );
            Ok(())
        })
        .unwrap();
    ids
}

struct Load {
    acked: Mutex<Vec<String>>,
    sent: Mutex<Vec<String>>,
    acked_n: AtomicU64,
    stop: AtomicBool,
}

/// Sends batches of 20 events from 4 threads until the server goes away or `stop`.
fn load(addr: &str, auth: &str, run: &str, load: &Arc<Load>) -> Vec<std::thread::JoinHandle<()>> {
    (0..4)
        .map(|t| {
            let (addr, auth, run, load) = (
                addr.to_owned(),
                auth.to_owned(),
                run.to_owned(),
                load.clone(),
            );
            std::thread::spawn(move || {
                for n in 0.. {
                    if load.stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let ids: Vec<String> = (0..20).map(|i| format!("{run}-{t}-{n}-{i}")).collect();
                    load.sent.lock().unwrap().extend(ids.iter().cloned());
                    match post(&addr, "/v1/batch", &auth, &batch(&ids)) {
                        Some(200) => {
                            load.acked_n.fetch_add(20, Ordering::Relaxed);
                            load.acked.lock().unwrap().extend(ids);
                        }
                        Some(other) => panic!("unexpected status {other}"),
                        None => return, // the server is gone: this batch was not acknowledged
                    }
                }
            })
        })
        .collect()
}

#[test]
fn kill_9_during_a_load_loses_no_acknowledged_event_and_duplicates_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("polku.yaml"), "name: Test\nstages: []\n").unwrap();
    let key = polku(dir.path(), &["key", "add", "--name", "load"])
        .trim()
        .to_owned();
    let auth = basic(&key);
    let state = Arc::new(Load {
        acked: Mutex::new(Vec::new()),
        sent: Mutex::new(Vec::new()),
        acked_n: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });

    for round in 0..3 {
        let (mut child, addr) = serve(dir.path());
        let before = state.acked_n.load(Ordering::Relaxed);
        let threads = load(&addr, &auth, &format!("r{round}"), &state);
        // Kill once this round has had a good number of batches acknowledged (compactions run
        // every 0.2 s meanwhile, so the kill may also land inside one).
        while state.acked_n.load(Ordering::Relaxed) < before + 4000 {
            std::thread::yield_now();
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for t in threads {
            t.join().unwrap();
        }
    }

    // A restart recovers the spool, takes new events and folds everything in on SIGTERM.
    let (mut child, addr) = serve(dir.path());
    assert_eq!(
        post(&addr, "/v1/batch", &auth, &batch(&["last".to_owned()])),
        Some(200)
    );
    state.acked.lock().unwrap().push("last".to_owned());
    state.sent.lock().unwrap().push("last".to_owned());
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(child.wait().unwrap().success());

    let stats: serde_json::Value =
        serde_json::from_str(&polku(dir.path(), &["stats", "--format", "json"])).unwrap();
    let stored = stored_ids(dir.path());
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "an event is stored twice");
    assert_eq!(stats["events"].as_u64().unwrap(), stored.len() as u64);
    let acked = state.acked.lock().unwrap();
    assert!(acked.len() >= 12_001);
    let missing: Vec<&String> = acked.iter().filter(|id| !unique.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    // Whatever else is stored was sent (a batch in flight at the kill may or may not be).
    let sent: HashSet<String> = state.sent.lock().unwrap().iter().cloned().collect();
    assert!(stored.iter().all(|id| sent.contains(id)));
    state.stop.store(true, Ordering::Relaxed);
}

/// The install command of the Segment client library the end-to-end test uses.
const PY_LIB: &str = "pip install segment-analytics-python==2.4.0";

/// Segment's own Python library, pointed at `polku serve`, sends a visit that becomes events of
/// one stitched customer.
#[test]
fn segment_python_library_sends_to_the_collector() {
    let probe = Command::new("python3")
        .args(["-c", "import segment.analytics"])
        .output()
        .expect("python3 is needed for this test");
    assert!(
        probe.status.success(),
        "the Segment client library is missing; install it with `{PY_LIB}`"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("polku.yaml"), "name: Test\nstages: []\n").unwrap();
    let key = polku(dir.path(), &["key", "add", "--name", "py"])
        .trim()
        .to_owned();
    let (mut child, addr) = serve(dir.path());
    let script = r#"
import sys
from segment import analytics
errors = []
analytics.write_key = sys.argv[1]
analytics.host = sys.argv[2]
analytics.on_error = lambda e, batch: errors.append(repr(e))
analytics.max_retries = 0
ctx = {"campaign": {"source": "newsletter", "medium": "email", "name": "spring"}}
analytics.page(anonymous_id="anon-7", name="Pricing", properties={"url": "https://shop.example.com/pricing"}, context=ctx)
analytics.track(anonymous_id="anon-7", event="Trial Started", properties={"plan": "team"})
analytics.identify(user_id="user-7", anonymous_id="anon-7", traits={"email": "x@example.com"})
analytics.track(user_id="user-7", event="Order Completed", properties={"revenue": 49.5, "currency": "EUR"})
analytics.flush()
analytics.shutdown()
if errors:
    sys.exit("send failed: " + "; ".join(errors))
"#;
    let out = Command::new("python3")
        .args(["-c", script, &key, &format!("http://{addr}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong key is refused, and the library reports it.
    let out = Command::new("python3")
        .args(["-c", script, "pk_wrong", &format!("http://{addr}")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let stats: serde_json::Value =
        serde_json::from_str(&polku(dir.path(), &["stats", "--format", "json"])).unwrap();
    assert_eq!(stats["events"], 3, "{stats}");
    assert_eq!(
        stats["customers"], 1,
        "identify stitches anon-7 to user-7: {stats}"
    );
    assert_eq!(stats["channels"]["Email"], 1, "{stats}");
    assert_eq!(stats["sources"]["segment"], 3, "{stats}");
}
