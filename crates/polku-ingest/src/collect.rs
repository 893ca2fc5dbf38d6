//! Events sent to the collector: checked on arrival, spooled, then folded into the tables.
//!
//! A request's messages are checked with the same Segment mapping that `polku import events
//! --format segment` uses ([`crate::io::segment::map_message`]), so a message the collector
//! accepts is one the importer accepts. They are spooled as Segment NDJSON lines, exactly as
//! received plus `receivedAt`, and [`compact`] imports the spool like a Segment file: the
//! collected events get the same event ids, channel groups, stitched customers and
//! deduplication by `messageId` as imported ones, because they go through the same code.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use polku_store::EventStore;
use polku_store::spool::{self, Tail};
use serde_json::{Map, Value};

use crate::error::IngestError;
use crate::import::{ImportOptions, ImportReport, NoProgress, import_events_locked};
use crate::io::detect::Format;
use crate::io::segment::map_message;
use crate::io::{json_error, json_type};
use crate::time::TimeParser;

/// The Segment message kinds the collector takes on their own endpoints.
pub const KINDS: [&str; 6] = ["track", "page", "screen", "identify", "alias", "group"];

/// Why a request's body was refused; the text is for the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

/// The checked messages of one request, ready for the spool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Segment NDJSON: one message per line, each line ending in `\n`.
    pub payload: Vec<u8>,
    /// Messages in the request.
    pub messages: usize,
}

/// Parses a request body as one JSON object.
///
/// # Errors
/// When the body is not JSON or not an object.
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, Rejected> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(other) => Err(Rejected(format!(
            "the body must be a JSON object, found {}",
            json_type(&other)
        ))),
        Err(e) => {
            let text = String::from_utf8_lossy(body);
            let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
            Err(Rejected(format!(
                "line {} column {}: {}",
                e.line(),
                e.column(),
                json_error(&e, line)
            )))
        }
    }
}

/// The write key in a body (`writeKey`), as analytics.js sends it.
#[must_use]
pub fn body_write_key(body: &Map<String, Value>) -> Option<&str> {
    body.get("writeKey")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
}

/// Checks a request's messages and turns them into spool lines.
///
/// `kind` is the endpoint's message type (`track` for `/v1/track`), or `None` for `/v1/batch`,
/// whose body carries `batch`: a list of messages, each with its `type`. The batch's `context`
/// and `sentAt` apply to messages that have none. Every message gets `receivedAt` (the
/// collector's clock, as Segment does) and loses `writeKey`. All messages are checked before
/// any is taken: one bad message refuses the request, with its position and field.
///
/// # Errors
/// [`Rejected`] naming the first bad message and field.
pub fn check(
    mut body: Map<String, Value>,
    kind: Option<&str>,
    received_at: &str,
    time: &TimeParser,
) -> Result<Checked, Rejected> {
    body.remove("writeKey");
    let (messages, prefix): (Vec<Map<String, Value>>, bool) = match kind {
        Some(kind) => {
            match body.get("type") {
                None | Some(Value::Null) => {
                    body.insert("type".into(), Value::String(kind.to_owned()));
                }
                Some(Value::String(t)) if t == kind => {}
                Some(other) => {
                    return Err(Rejected(format!(
                        "type: this endpoint takes `{kind}` messages, the body says {other}"
                    )));
                }
            }
            (vec![body], false)
        }
        None => {
            let batch = match body.remove("batch") {
                Some(Value::Array(b)) => b,
                None => {
                    return Err(Rejected(
                        "batch: missing; /v1/batch takes {\"batch\": [messages]}".into(),
                    ));
                }
                Some(other) => {
                    return Err(Rejected(format!(
                        "batch: expected a list of messages, found {}",
                        json_type(&other)
                    )));
                }
            };
            let context = body.get("context").filter(|c| c.is_object()).cloned();
            let sent_at = body.get("sentAt").filter(|s| !s.is_null()).cloned();
            let mut out = Vec::with_capacity(batch.len());
            for (i, m) in batch.into_iter().enumerate() {
                let Value::Object(mut m) = m else {
                    return Err(Rejected(format!(
                        "batch[{i}]: expected a message object, found {}",
                        json_type(&m)
                    )));
                };
                if let Some(c) = &context {
                    m.entry("context").or_insert_with(|| c.clone());
                }
                if let Some(s) = &sent_at {
                    m.entry("sentAt").or_insert_with(|| s.clone());
                }
                out.push(m);
            }
            (out, true)
        }
    };
    let mut payload = Vec::with_capacity(messages.len() * 256);
    for (i, mut m) in messages.into_iter().enumerate() {
        m.remove("writeKey");
        m.insert("receivedAt".into(), Value::String(received_at.to_owned()));
        if let Err((field, message)) = map_message(&m, time) {
            let at = if prefix {
                format!("batch[{i}].{field}")
            } else {
                field
            };
            return Err(Rejected(format!("{at}: {message}")));
        }
        serde_json::to_writer(&mut payload, &m).expect("a JSON map serialises");
        payload.push(b'\n');
    }
    let n = payload.iter().filter(|&&b| b == b'\n').count();
    Ok(Checked {
        payload,
        messages: n,
    })
}

/// Who else may be writing the spool while a compaction runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// The caller is the writer (the collector itself) and has just sealed every segment
    /// below `active`: those are compacted and removed, `active` is left alone.
    Caller {
        /// The segment the caller now appends to.
        active: u64,
    },
    /// Another process may be writing (or none): the highest segment is read up to its last
    /// complete record but kept, unless no writer holds the spool.
    Unknown,
}

/// What a compaction did.
#[derive(Debug, Clone, Default)]
pub struct CompactReport {
    /// Spool records (requests) read.
    pub records: u64,
    /// Segment files removed.
    pub removed_segments: usize,
    /// The import of the records, when there were any.
    pub import: Option<ImportReport>,
}

/// Most spool bytes one import takes; a larger backlog is folded in by several.
const IMPORT_BYTES: u64 = 256 << 20;

/// Folds the collector's spool into the event tables: reads each segment from where the last
/// compaction stopped, imports what it read as Segment messages (under the workspace's data
/// lock, waiting for it), then records how far it got and removes finished segments.
///
/// A crash after the import but before the record of progress imports the same messages
/// again next time, which deduplication by event id turns into no change.
///
/// # Errors
/// When the spool or the tables cannot be read or written; a damaged sealed segment.
pub fn compact(root: &Path, writer: Writer) -> Result<CompactReport, IngestError> {
    let dir = spool::spool_dir(root);
    if spool::segments(&dir)?.is_empty() {
        return Ok(CompactReport::default());
    }
    let store = EventStore::open(root);
    let lock = store.lock_wait()?;
    // With no writer running, hold its lock so that none starts while this reads.
    let no_writer = match writer {
        Writer::Caller { .. } => None,
        Writer::Unknown => spool::try_writer_lock(&dir)?,
    };
    let mut report = CompactReport::default();
    loop {
        let segs = spool::segments(&dir)?;
        let highest = segs.last().map_or(0, |(n, _)| *n);
        let mut marks = spool::watermarks(&dir)?;
        let staging = dir.join("collected.ndjson");
        let mut out = std::io::BufWriter::new(fs_err::File::create(&staging)?);
        let mut read: Vec<(u64, PathBuf, u64, bool)> = Vec::new();
        let mut bytes = 0u64;
        let mut records = 0u64;
        let mut more = false;
        for (n, path) in &segs {
            let sealed = match writer {
                Writer::Caller { active } => {
                    if *n >= active {
                        continue;
                    }
                    true
                }
                Writer::Unknown => no_writer.is_some() || *n < highest,
            };
            if bytes >= IMPORT_BYTES {
                more = true;
                break;
            }
            let from = marks.get(n).copied().unwrap_or(0);
            let r = spool::read_segment(path, from)?;
            if r.tail == Tail::Damaged && sealed {
                return Err(IngestError::File {
                    file: path.display().to_string(),
                    message: format!(
                        "the collector's spool is damaged after byte {}; move the file aside and restart",
                        r.end
                    ),
                });
            }
            for p in &r.records {
                out.write_all(p)?;
                bytes += p.len() as u64;
            }
            records += r.records.len() as u64;
            read.push((*n, path.clone(), r.end, sealed));
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        if records > 0 {
            let opts = ImportOptions {
                format: Some(Format::Segment),
                quarantine: Some(dir.join(format!(
                    "rejected-{}.ndjson",
                    crate::import::new_import_id()
                ))),
                user: "collector".into(),
                ..ImportOptions::default()
            };
            let r = import_events_locked(root, &staging, &opts, &NoProgress, &lock)?;
            report.records += records;
            report.import = Some(match report.import.take() {
                None => r,
                Some(mut acc) => {
                    acc.added += r.added;
                    acc.duplicates += r.duplicates;
                    acc.rows_read += r.rows_read;
                    acc.quarantined += r.quarantined;
                    acc
                }
            });
        }
        fs_err::remove_file(&staging)?;
        // Finished segments go first: a crash before the marks are written leaves marks of
        // removed files, which are ignored, never a mark past what a file holds.
        for (n, path, end, sealed) in read {
            if sealed {
                fs_err::remove_file(&path)?;
                marks.remove(&n);
                report.removed_segments += 1;
            } else {
                marks.insert(n, end);
            }
        }
        marks.retain(|n, _| segs.iter().any(|(m, _)| m == n));
        spool::set_watermarks(&dir, &marks)?;
        if !more {
            break;
        }
    }
    drop(no_writer);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp() -> TimeParser {
        TimeParser::default()
    }

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_message_gets_its_endpoint_type_and_received_at_and_loses_the_write_key() {
        let body = obj(serde_json::json!({
            "writeKey": "pk_secret", "event": "Signed Up", "anonymousId": "a1",
            "timestamp": "2026-01-02T03:04:05Z", "messageId": "m1"
        }));
        let c = check(body, Some("track"), "2026-01-02T03:04:06Z", &tp()).unwrap();
        assert_eq!(c.messages, 1);
        let line: Value = serde_json::from_slice(&c.payload).unwrap();
        assert_eq!(line["type"], "track");
        assert_eq!(line["receivedAt"], "2026-01-02T03:04:06Z");
        assert!(line.get("writeKey").is_none());
        assert!(c.payload.ends_with(b"\n"));
    }

    #[test]
    fn a_batch_shares_its_context_and_sent_at_and_names_the_bad_message() {
        let body = obj(serde_json::json!({
            "batch": [
                {"type": "page", "anonymousId": "a1", "timestamp": "2026-01-02T03:04:05Z"},
                {"type": "identify", "anonymousId": "a1", "userId": "u1", "context": {"ip": "x"}}
            ],
            "context": {"library": {"name": "test"}},
            "sentAt": "2026-01-02T03:04:07Z"
        }));
        let c = check(body, None, "2026-01-02T03:04:08Z", &tp()).unwrap();
        let lines: Vec<Value> = c
            .payload
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["context"]["library"]["name"], "test");
        assert_eq!(lines[1]["context"]["ip"], "x");
        assert_eq!(lines[1]["sentAt"], "2026-01-02T03:04:07Z");

        let bad = obj(serde_json::json!({"batch": [
            {"type": "track", "event": "ok", "userId": "u"},
            {"type": "track", "userId": "u"}
        ]}));
        let err = check(bad, None, "2026-01-02T03:04:08Z", &tp()).unwrap_err();
        assert_eq!(err.0, "batch[1].event: a track message needs an event name");
        let wrong = obj(serde_json::json!({"type": "page", "userId": "u"}));
        let err = check(wrong, Some("track"), "2026-01-02T03:04:08Z", &tp()).unwrap_err();
        assert!(
            err.0.starts_with("type: this endpoint takes `track`"),
            "{err}"
        );
        let none = obj(serde_json::json!({"messages": []}));
        assert!(
            check(none, None, "x", &tp())
                .unwrap_err()
                .0
                .starts_with("batch: missing")
        );
    }

    #[test]
    fn invalid_json_is_refused_with_its_position() {
        let err = parse_body(b"{\"event\": \"x\",\n \"userId\": }").unwrap_err();
        assert!(err.0.starts_with("line 2 column 12: invalid JSON"), "{err}");
        let err = parse_body(b"[1]").unwrap_err();
        assert_eq!(err.0, "the body must be a JSON object, found a list");
        assert_eq!(
            body_write_key(&parse_body(br#"{"writeKey":"k"}"#).unwrap()),
            Some("k")
        );
    }
}
