//! Newline-delimited JSON with a column mapping: one flat (or nested) object per line.
//!
//! The "header" is the set of top-level keys seen in the first lines; `--map` may name a
//! nested value with a dotted path (`--map url=context.page.url`). Keys that fill no field go
//! into the properties unchanged.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{BufRead, Read};

use serde_json::{Map, Value};

use super::{Cell, Cells, Kind, Mapper, Raw, ReadOptions, Sink, json_error};
use crate::error::IngestError;
use crate::field::{FieldSource, Resolved};
use crate::row::push_json_str;

const SAMPLE_LINES: usize = 1000;

/// Reads lines, numbering them from 1, skipping blank ones. Invalid UTF-8 is reported with
/// its line.
pub(crate) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    /// The number of the line last read.
    pub line: u64,
    /// Bytes consumed.
    pub bytes: u64,
}

/// One line of input.
pub(crate) enum Line<'a> {
    /// A line of text.
    Text(&'a str),
    /// A line that is not UTF-8.
    NotUtf8,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Self {
        Lines {
            reader,
            buf: Vec::with_capacity(4096),
            line: 0,
            bytes: 0,
        }
    }

    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<(u64, Line<'_>)>> {
        loop {
            self.buf.clear();
            let n = self.reader.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.bytes += n as u64;
            let trimmed = self.buf.trim_ascii();
            if trimmed.is_empty() {
                continue;
            }
            let start = trimmed.as_ptr() as usize - self.buf.as_ptr() as usize;
            let end = start + trimmed.len();
            let mut slice = &self.buf[start..end];
            if self.line == 1 {
                slice = slice.strip_prefix("\u{feff}".as_bytes()).unwrap_or(slice);
            }
            return Ok(Some((
                self.line,
                match std::str::from_utf8(slice) {
                    Ok(s) => Line::Text(s),
                    Err(_) => Line::NotUtf8,
                },
            )));
        }
    }
}

/// Follows a dotted path into an object.
pub(crate) fn get_path<'a>(obj: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(v) = obj.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut cur = obj.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

struct JsonCells<'a> {
    obj: &'a Map<String, Value>,
    header: &'a [String],
    used: &'a HashSet<String>,
}

impl Cells for JsonCells<'_> {
    fn cell(&self, i: usize) -> Result<Cell<'_>, String> {
        Ok(match get_path(self.obj, &self.header[i]) {
            None | Some(Value::Null) => Cell::Null,
            Some(Value::String(s)) => Cell::Str(Cow::Borrowed(s)),
            Some(v) => Cell::Json(v),
        })
    }

    fn properties(&self, _mapper: &Mapper, out: &mut String) -> Result<(), (usize, String)> {
        for (k, v) in self.obj {
            if self.used.contains(k) || v.is_null() {
                continue;
            }
            push_json_str(out, k);
            out.push(':');
            out.push_str(&v.to_string());
            out.push(',');
        }
        Ok(())
    }
}

/// Reads NDJSON events into `sink`.
///
/// # Errors
/// When no mapping can be made, the file cannot be read, or the sink stops.
pub fn read(input: impl Read, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), IngestError> {
    let mut lines = Lines::new(std::io::BufReader::with_capacity(1 << 20, input));
    // Sample the first lines for their keys.
    let mut sample: Vec<(u64, Result<String, ()>)> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    while sample.len() < SAMPLE_LINES {
        let (line_no, entry) = match lines.next_line()? {
            None => break,
            Some((n, Line::NotUtf8)) => (n, Err(())),
            Some((n, Line::Text(t))) => {
                if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(t) {
                    for k in m.keys() {
                        if seen.insert(k.clone()) {
                            header.push(k.clone());
                        }
                    }
                }
                (n, Ok(t.to_owned()))
            }
        };
        sample.push((line_no, entry));
    }
    for spec in &opts.mapping {
        if let FieldSource::Column(c) = &spec.source
            && c.contains('.')
            && !seen.contains(c)
        {
            seen.insert(c.clone());
            header.push(c.clone());
        }
    }
    if sample.is_empty() {
        return Err(opts.file_error("the file has no JSON lines"));
    }
    let kinds = vec![Kind::Text; header.len()];
    let mapper = Mapper::new(header.clone(), &opts.mapping, kinds, opts.time)
        .map_err(|m| IngestError::BadRows(vec![opts.row_error(1, "-", m)]))?;
    let used: HashSet<String> = mapper
        .mapping
        .fields
        .iter()
        .filter_map(|(_, r)| match r {
            Resolved::Column(i) => {
                Some(header[*i].split('.').next().unwrap_or_default().to_owned())
            }
            Resolved::Constant(_) => None,
        })
        .collect();

    let mut props = String::with_capacity(256);
    let mut handle =
        |line: u64, text: Option<&str>, sink: &mut dyn Sink| -> Result<(), IngestError> {
            let Some(text) = text else {
                return sink.bad(
                    opts.row_error(line, "-", "the line is not valid UTF-8"),
                    Raw::None,
                );
            };
            let obj = match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(m)) => m,
                Ok(other) => {
                    return sink.bad(
                        opts.row_error(
                            line,
                            "-",
                            format!("expected a JSON object, found {}", super::json_type(&other)),
                        ),
                        Raw::Line(text),
                    );
                }
                Err(e) => {
                    return sink.bad(
                        opts.row_error(line, e.column().to_string(), json_error(&e, text)),
                        Raw::Line(text),
                    );
                }
            };
            let cells = JsonCells {
                obj: &obj,
                header: &header,
                used: &used,
            };
            match mapper.map(&cells, &mut props) {
                Ok(row) => sink.event(line, row),
                Err((column, message)) => {
                    sink.bad(opts.row_error(line, column, message), Raw::Line(text))
                }
            }
        };
    for (line, entry) in &sample {
        handle(*line, entry.as_deref().ok(), sink)?;
    }
    let mut n = 0u64;
    while let Some((line, text)) = lines.next_line()? {
        let text = match text {
            Line::Text(t) => Some(t),
            Line::NotUtf8 => None,
        };
        handle(line, text, sink)?;
        n += 1;
        if n.is_multiple_of(4096) {
            sink.position(lines.bytes);
        }
    }
    Ok(())
}
