//! Google Analytics 4 BigQuery export rows as NDJSON (`bq extract --destination_format
//! NEWLINE_DELIMITED_JSON` or the console's JSON export), imported without a mapping.
//!
//! Fields used: `event_name`, `event_timestamp` (microseconds, a number or a text),
//! `user_pseudo_id`, `user_id`, `event_params` (`page_location`, `page_referrer`,
//! `ga_session_id`, `source`, `medium`, `campaign`, `value`, `currency`; the rest become
//! properties), `collected_traffic_source` (`manual_source`, `manual_medium`,
//! `manual_campaign_name`, `gclid`), `ecommerce.purchase_revenue`, `event_value_in_usd`,
//! `traffic_source` (the user's first source, kept as properties), `device.category`,
//! `geo.country` and `platform`. The session id is `user_pseudo_id` and `ga_session_id`
//! joined by `-`, unique across users.

use std::borrow::Cow;
use std::io::Read;

use serde_json::{Map, Value};

use super::ndjson::{Line, Lines, get_path};
use super::{Raw, ReadOptions, Sink, json_error, json_text, json_type};
use crate::error::IngestError;
use crate::row::{EventRow, non_empty, parse_currency, parse_number, push_json_str};
use crate::time::TimeParser;

type Fault = (String, String);

/// The value of one GA4 event parameter: whichever of the typed slots is set.
fn param_value(v: &Value) -> Option<&Value> {
    let obj = v.as_object()?;
    for slot in ["string_value", "int_value", "double_value", "float_value"] {
        if let Some(x) = obj.get(slot)
            && !x.is_null()
        {
            return Some(x);
        }
    }
    None
}

fn text_of<'a>(v: Option<&'a Value>, column: &str) -> Result<Option<Cow<'a, str>>, Fault> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Ok(json_text(v)),
        Some(other) => Err((
            column.to_owned(),
            format!("expected a text, found {}", json_type(other)),
        )),
    }
}

fn number_of(v: &Value, column: &str) -> Result<f64, Fault> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| (column.to_owned(), "not a finite number".to_owned())),
        Value::String(s) => parse_number(s).map_err(|m| (column.to_owned(), m)),
        other => Err((
            column.to_owned(),
            format!("expected a number, found {}", json_type(other)),
        )),
    }
}

/// Maps one GA4 export row.
///
/// # Errors
/// `(field path, message)` for the first bad field.
pub fn map_row<'a>(
    obj: &'a Map<String, Value>,
    time: &TimeParser,
    props: &'a mut String,
) -> Result<EventRow<'a>, Fault> {
    let event = match obj.get("event_name") {
        Some(Value::String(s)) if !s.trim().is_empty() => Cow::Borrowed(s.trim()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err((
                "event_name".into(),
                "missing event_name; every GA4 row has one".into(),
            ));
        }
        Some(other) => {
            return Err((
                "event_name".into(),
                format!("expected a text, found {}", json_type(other)),
            ));
        }
    };
    let ts = match obj.get("event_timestamp") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_owned(),
        None | Some(Value::Null) => {
            return Err(("event_timestamp".into(), "missing event_timestamp".into()));
        }
        Some(other) => {
            return Err((
                "event_timestamp".into(),
                format!("expected microseconds, found {}", json_type(other)),
            ));
        }
    };
    if ts.is_empty() || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return Err((
            "event_timestamp".into(),
            format!("`{ts}` is not epoch microseconds"),
        ));
    }
    // GA4 timestamps are microseconds; shorter numbers are read by their size.
    let time_us = if ts.len() >= 15 {
        let micros: i64 = ts
            .parse()
            .map_err(|_| ("event_timestamp".to_owned(), format!("`{ts}` is too large")))?;
        crate::time::check_range(micros, &ts)
    } else {
        time.parse(&ts)
    }
    .map_err(|m| ("event_timestamp".to_owned(), m))?;
    let anonymous_id = text_of(obj.get("user_pseudo_id"), "user_pseudo_id")?;
    let user_id = text_of(obj.get("user_id"), "user_id")?;
    if anonymous_id.is_none() && user_id.is_none() {
        return Err((
            "user_pseudo_id".into(),
            "no user_pseudo_id or user_id".into(),
        ));
    }

    let mut url = None;
    let mut referrer = None;
    let mut session_id = None;
    let mut source = None;
    let mut medium = None;
    let mut campaign = None;
    let mut value = None;
    let mut currency = None;
    props.clear();
    props.push('{');
    match obj.get("event_params") {
        None | Some(Value::Null) => {}
        Some(Value::Array(params)) => {
            for (i, p) in params.iter().enumerate() {
                let Some(key) = p.get("key").and_then(Value::as_str) else {
                    return Err((
                        format!("event_params[{i}].key"),
                        "missing parameter key".into(),
                    ));
                };
                let col = format!("event_params.{key}");
                let v = p.get("value").and_then(param_value);
                match key {
                    "page_location" => url = text_of(v, &col)?,
                    "page_referrer" => referrer = text_of(v, &col)?,
                    "ga_session_id" => session_id = text_of(v, &col)?,
                    "source" => source = text_of(v, &col)?,
                    "medium" => medium = text_of(v, &col)?,
                    "campaign" => campaign = text_of(v, &col)?,
                    "value" => value = v.map(|v| number_of(v, &col)).transpose()?,
                    "currency" => {
                        currency = match text_of(v, &col)? {
                            Some(c) => Some(Cow::Owned(
                                parse_currency(&c)
                                    .map_err(|m| (col.clone(), m))?
                                    .into_owned(),
                            )),
                            None => None,
                        };
                    }
                    _ => {
                        if let Some(v) = v {
                            push_json_str(props, key);
                            props.push(':');
                            props.push_str(&v.to_string());
                            props.push(',');
                        }
                    }
                }
            }
        }
        Some(other) => {
            return Err((
                "event_params".into(),
                format!("expected a list of parameters, found {}", json_type(other)),
            ));
        }
    }
    if let Some(Value::Object(cts)) = obj.get("collected_traffic_source")
        && source.is_none()
        && medium.is_none()
    {
        source = text_of(
            cts.get("manual_source"),
            "collected_traffic_source.manual_source",
        )?;
        medium = text_of(
            cts.get("manual_medium"),
            "collected_traffic_source.manual_medium",
        )?;
        campaign = campaign.or(text_of(
            cts.get("manual_campaign_name"),
            "collected_traffic_source.manual_campaign_name",
        )?);
        if source.is_none() && cts.get("gclid").is_some_and(|g| !g.is_null()) {
            source = Some(Cow::Borrowed("google"));
            medium = Some(Cow::Borrowed("cpc"));
        }
    }
    if value.is_none() {
        if let Some(v) = get_path(obj, "ecommerce.purchase_revenue").filter(|v| !v.is_null()) {
            value = Some(number_of(v, "ecommerce.purchase_revenue")?);
        } else if let Some(v) = obj.get("event_value_in_usd").filter(|v| !v.is_null()) {
            value = Some(number_of(v, "event_value_in_usd")?);
            currency = Some(Cow::Borrowed("USD"));
        }
    }
    for (key, path) in [
        ("first_user_source", "traffic_source.source"),
        ("first_user_medium", "traffic_source.medium"),
        ("first_user_campaign", "traffic_source.name"),
        ("device_category", "device.category"),
        ("country", "geo.country"),
        ("platform", "platform"),
        ("transaction_id", "ecommerce.transaction_id"),
    ] {
        if let Some(v) = get_path(obj, path).and_then(json_text) {
            push_json_str(props, key);
            props.push(':');
            push_json_str(props, &v);
            props.push(',');
        }
    }
    if props.ends_with(',') {
        props.pop();
    }
    props.push('}');
    let session = match (&anonymous_id, session_id) {
        (Some(a), Some(s)) => Some(Cow::Owned(format!("{a}-{s}"))),
        (None, Some(s)) => Some(Cow::Owned(format!(
            "{}-{s}",
            user_id.as_deref().unwrap_or_default()
        ))),
        _ => None,
    };
    let props: &'a String = props;
    Ok(EventRow {
        event_id: None,
        anonymous_id,
        user_id,
        time: time_us,
        event,
        channel_group: None,
        source: source.and_then(|s| non_empty(&s).map(|t| Cow::Owned(t.to_owned()))),
        medium: medium.and_then(|s| non_empty(&s).map(|t| Cow::Owned(t.to_owned()))),
        campaign: campaign.and_then(|s| non_empty(&s).map(|t| Cow::Owned(t.to_owned()))),
        url,
        referrer,
        session,
        value,
        currency,
        properties: (props.len() > 2).then_some(Cow::Borrowed(props.as_str())),
    })
}

/// Reads a GA4 export into `sink`.
///
/// # Errors
/// When the file cannot be read or the sink stops.
pub fn read(input: impl Read, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), IngestError> {
    let mut lines = Lines::new(std::io::BufReader::with_capacity(1 << 20, input));
    let mut props = String::with_capacity(512);
    let mut n = 0u64;
    while let Some((line, text)) = lines.next_line()? {
        let Line::Text(text) = text else {
            sink.bad(
                opts.row_error(line, "-", "the line is not valid UTF-8"),
                Raw::None,
            )?;
            continue;
        };
        let obj = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                sink.bad(
                    opts.row_error(
                        line,
                        "-",
                        format!("expected a GA4 event object, found {}", json_type(&other)),
                    ),
                    Raw::Line(text),
                )?;
                continue;
            }
            Err(e) => {
                sink.bad(
                    opts.row_error(line, e.column().to_string(), json_error(&e, text)),
                    Raw::Line(text),
                )?;
                continue;
            }
        };
        match map_row(&obj, &opts.time, &mut props) {
            Ok(row) => sink.event(line, row)?,
            Err((column, message)) => {
                sink.bad(opts.row_error(line, column, message), Raw::Line(text))?
            }
        }
        n += 1;
        if n.is_multiple_of(4096) {
            sink.position(lines.bytes);
        }
    }
    Ok(())
}
