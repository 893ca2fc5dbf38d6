//! Segment-spec messages as NDJSON: `track`, `page`, `screen`, `identify`, `alias`, `group`,
//! one message or one `{"batch": [...]}` per line, imported without a mapping.
//!
//! `track` becomes an event of its `event` name, `page` a `page_view`, `screen` a
//! `screen_view`. `identify` (a `userId` with an `anonymousId`) and `alias` (`previousId` to
//! `userId`) are identity links, not events; `group` is skipped. The time is `timestamp`,
//! else `originalTimestamp`, `receivedAt` or `sentAt`. Traffic comes from `context.campaign`
//! (`source`, `medium`, `name`); the page from `properties.url` or `context.page.url`; the
//! value from `properties.revenue`, `value` or `total` with `properties.currency`.

use std::borrow::Cow;
use std::io::Read;

use serde_json::{Map, Value};

use super::ndjson::{Line, Lines, get_path};
use super::{Raw, ReadOptions, Sink, json_error, json_text, json_type};
use crate::error::IngestError;
use crate::row::{EventRow, IdRef, parse_currency, parse_number};
use crate::time::TimeParser;

type Fault = (String, String);

fn text<'a>(obj: &'a Map<String, Value>, path: &str) -> Result<Option<Cow<'a, str>>, Fault> {
    match get_path(obj, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Ok(json_text(v)),
        Some(other) => Err((
            path.to_owned(),
            format!("expected a text, found {}", json_type(other)),
        )),
    }
}

/// What one Segment message is.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Message<'a> {
    /// An event.
    Event(EventRow<'a>),
    /// Identity links.
    Links(Vec<(IdRef<'a>, IdRef<'a>)>),
    /// Nothing to import (`group`, or `identify` with one id only).
    Skip,
}

/// Maps one Segment message.
///
/// # Errors
/// `(field path, message)` for the first bad field.
pub fn map_message<'a>(
    obj: &'a Map<String, Value>,
    time: &TimeParser,
) -> Result<Message<'a>, Fault> {
    let kind = match obj.get("type") {
        Some(Value::String(s)) => s.as_str(),
        None | Some(Value::Null) => {
            return Err((
                "type".into(),
                "missing type: track, page, screen, identify, alias or group".into(),
            ));
        }
        Some(other) => {
            return Err((
                "type".into(),
                format!("expected a text, found {}", json_type(other)),
            ));
        }
    };
    let anonymous_id = text(obj, "anonymousId")?;
    let user_id = text(obj, "userId")?;
    match kind {
        "identify" => {
            if anonymous_id.is_none() && user_id.is_none() {
                return Err((
                    "userId".into(),
                    "identify needs a userId or an anonymousId".into(),
                ));
            }
            return Ok(match (anonymous_id, user_id) {
                (Some(a), Some(u)) => Message::Links(vec![(IdRef::Anonymous(a), IdRef::User(u))]),
                _ => Message::Skip,
            });
        }
        "alias" => {
            let Some(prev) = text(obj, "previousId")? else {
                return Err(("previousId".into(), "alias needs a previousId".into()));
            };
            let Some(user) = user_id else {
                return Err(("userId".into(), "alias needs a userId".into()));
            };
            return Ok(Message::Links(vec![
                (IdRef::PreviousUser(prev.clone()), IdRef::User(user.clone())),
                (IdRef::Anonymous(prev), IdRef::User(user)),
            ]));
        }
        "group" => return Ok(Message::Skip),
        "track" | "page" | "screen" => {}
        other => {
            return Err((
                "type".into(),
                format!(
                    "unknown message type `{other}`: use track, page, screen, identify, alias or group"
                ),
            ));
        }
    }
    if anonymous_id.is_none() && user_id.is_none() {
        return Err((
            "anonymousId".into(),
            "the message has neither anonymousId nor userId".into(),
        ));
    }
    let mut time_field = None;
    for f in ["timestamp", "originalTimestamp", "receivedAt", "sentAt"] {
        if let Some(v) = obj.get(f).filter(|v| !v.is_null()) {
            time_field = Some((f, v));
            break;
        }
    }
    let Some((tf, tv)) = time_field else {
        return Err(("timestamp".into(), "missing timestamp".into()));
    };
    let time_us = match tv {
        Value::String(s) => time.parse(s),
        Value::Number(n) => time.parse(&n.to_string()),
        other => Err(format!("expected a time, found {}", json_type(other))),
    }
    .map_err(|m| (tf.to_owned(), m))?;
    let event = match kind {
        "track" => match obj.get("event") {
            Some(Value::String(s)) if !s.trim().is_empty() => Cow::Borrowed(s.trim()),
            Some(Value::String(_) | Value::Null) | None => {
                return Err(("event".into(), "a track message needs an event name".into()));
            }
            Some(other) => {
                return Err((
                    "event".into(),
                    format!("expected a text, found {}", json_type(other)),
                ));
            }
        },
        "page" => Cow::Borrowed("page_view"),
        _ => Cow::Borrowed("screen_view"),
    };
    let props = match obj.get("properties") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p),
        Some(other) => {
            return Err((
                "properties".into(),
                format!("expected an object, found {}", json_type(other)),
            ));
        }
    };
    let mut value = None;
    let mut currency = None;
    if let Some(p) = props {
        for key in ["revenue", "value", "total"] {
            match p.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Number(n)) => {
                    value = n.as_f64();
                    break;
                }
                Some(Value::String(s)) => {
                    value = Some(parse_number(s).map_err(|m| (format!("properties.{key}"), m))?);
                    break;
                }
                Some(other) => {
                    return Err((
                        format!("properties.{key}"),
                        format!("expected a number, found {}", json_type(other)),
                    ));
                }
            }
        }
        if let Some(c) = text(obj, "properties.currency")? {
            currency = Some(Cow::Owned(
                parse_currency(&c)
                    .map_err(|m| ("properties.currency".to_owned(), m))?
                    .into_owned(),
            ));
        }
    }
    let url = match text(obj, "properties.url")? {
        Some(u) => Some(u),
        None => text(obj, "context.page.url")?,
    };
    let referrer = match text(obj, "properties.referrer")? {
        Some(r) => Some(r),
        None => text(obj, "context.page.referrer")?,
    };
    let session = match text(obj, "properties.session_id")? {
        Some(s) => Some(s),
        None => text(obj, "context.sessionId")?,
    };
    let mut properties = props
        .filter(|p| !p.is_empty())
        .map(|p| Value::Object(p.clone()));
    if kind == "page"
        && let Some(name) = obj.get("name").filter(|v| v.is_string())
    {
        let p = properties.get_or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = p {
            m.insert("name".into(), name.clone());
        }
    }
    Ok(Message::Event(EventRow {
        event_id: text(obj, "messageId")?,
        anonymous_id,
        user_id,
        time: time_us,
        event,
        channel_group: None,
        source: text(obj, "context.campaign.source")?,
        medium: text(obj, "context.campaign.medium")?,
        campaign: text(obj, "context.campaign.name")?,
        url,
        referrer,
        session,
        value,
        currency,
        properties: properties.map(|p| Cow::Owned(p.to_string())),
    }))
}

/// Reads Segment messages into `sink`.
///
/// # Errors
/// When the file cannot be read or the sink stops.
pub fn read(input: impl Read, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), IngestError> {
    let mut lines = Lines::new(std::io::BufReader::with_capacity(1 << 20, input));
    let mut n = 0u64;
    while let Some((line, text)) = lines.next_line()? {
        let Line::Text(text) = text else {
            sink.bad(
                opts.row_error(line, "-", "the line is not valid UTF-8"),
                Raw::None,
            )?;
            continue;
        };
        let value = match serde_json::from_str::<Value>(text) {
            Ok(v) => v,
            Err(e) => {
                sink.bad(
                    opts.row_error(line, e.column().to_string(), json_error(&e, text)),
                    Raw::Line(text),
                )?;
                continue;
            }
        };
        let messages: Vec<(&Map<String, Value>, String)> = match &value {
            Value::Object(obj) => match obj.get("batch") {
                Some(Value::Array(batch)) => {
                    let mut out = Vec::with_capacity(batch.len());
                    for (i, m) in batch.iter().enumerate() {
                        match m {
                            Value::Object(o) => out.push((o, format!("batch[{i}]."))),
                            other => {
                                sink.bad(
                                    opts.row_error(
                                        line,
                                        format!("batch[{i}]"),
                                        format!(
                                            "expected a message object, found {}",
                                            json_type(other)
                                        ),
                                    ),
                                    Raw::Line(text),
                                )?;
                            }
                        }
                    }
                    out
                }
                Some(other) => {
                    sink.bad(
                        opts.row_error(
                            line,
                            "batch",
                            format!("expected a list of messages, found {}", json_type(other)),
                        ),
                        Raw::Line(text),
                    )?;
                    continue;
                }
                None => vec![(obj, String::new())],
            },
            other => {
                sink.bad(
                    opts.row_error(
                        line,
                        "-",
                        format!("expected a message object, found {}", json_type(other)),
                    ),
                    Raw::Line(text),
                )?;
                continue;
            }
        };
        for (obj, prefix) in messages {
            match map_message(obj, &opts.time) {
                Ok(Message::Event(row)) => sink.event(line, row)?,
                Ok(Message::Links(links)) => {
                    for (x, y) in links {
                        sink.link(line, x, y)?;
                    }
                    sink.other();
                }
                Ok(Message::Skip) => sink.other(),
                Err((column, message)) => {
                    sink.bad(
                        opts.row_error(line, format!("{prefix}{column}"), message),
                        Raw::Line(text),
                    )?;
                }
            }
        }
        n += 1;
        if n.is_multiple_of(4096) {
            sink.position(lines.bytes);
        }
    }
    Ok(())
}
