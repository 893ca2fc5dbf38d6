//! Format readers: bytes in, [`EventRow`]s and identity links out.
//!
//! Each reader knows one file format and nothing of the store: CSV, NDJSON and Parquet go
//! through a column mapping ([`ColumnMapping`]); GA4 BigQuery exports and Segment messages have
//! fixed layouts. Readers hand rows, links and bad values to a [`Sink`]; normalisation,
//! deduplication and writing happen behind it.

pub mod csv;
pub mod detect;
pub mod ga4;
pub mod ndjson;
pub mod parquet;
pub mod segment;

use std::borrow::Cow;
use std::io::Read;

use sha2::{Digest, Sha256};

use crate::error::{IngestError, RowError};
use crate::field::{ColumnMapping, Field, MapSpec, Resolved};
use crate::row::{EventRow, IdRef, non_empty, parse_currency, parse_number, push_json_str, short};
use crate::time::TimeParser;

/// The raw form of a bad row, for the quarantine file.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    /// A CSV record's fields.
    Fields(&'a [&'a [u8]]),
    /// A line of text (JSON input).
    Line(&'a str),
    /// No raw form (Parquet input): the error alone is kept.
    None,
}

/// Where a reader sends what it reads.
pub trait Sink {
    /// A good event from `line`.
    ///
    /// # Errors
    /// When the sink cannot take it (e.g. disk full); the reader stops.
    fn event(&mut self, line: u64, row: EventRow<'_>) -> Result<(), IngestError>;
    /// Two identifiers of one person (Segment `identify` and `alias`).
    ///
    /// # Errors
    /// When the sink cannot take it.
    fn link(&mut self, line: u64, x: IdRef<'_>, y: IdRef<'_>) -> Result<(), IngestError>;
    /// A bad value.
    ///
    /// # Errors
    /// To stop the reader: too many errors, or no quarantine.
    fn bad(&mut self, error: RowError, raw: Raw<'_>) -> Result<(), IngestError>;
    /// A message that is not an event (e.g. Segment `group`), or an identity message.
    fn other(&mut self) {}
    /// The reader has consumed `bytes` bytes of the file so far.
    fn position(&mut self, _bytes: u64) {}
    /// The CSV header, before any row (for the quarantine file).
    fn header(&mut self, _header: &[String]) {}
}

/// Options every reader shares.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The file name used in error messages.
    pub file_name: String,
    /// `--map` options.
    pub mapping: Vec<MapSpec>,
    /// CSV field delimiter; sniffed from the header when `None`.
    pub delimiter: Option<u8>,
    /// Reads times without an offset.
    pub time: TimeParser,
}

impl ReadOptions {
    /// Options for `file_name` with no mapping, a sniffed delimiter and Helsinki time.
    #[must_use]
    pub fn new(file_name: impl Into<String>) -> Self {
        ReadOptions {
            file_name: file_name.into(),
            mapping: Vec::new(),
            delimiter: None,
            time: TimeParser::default(),
        }
    }

    pub(crate) fn row_error(
        &self,
        line: u64,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> RowError {
        RowError {
            file: self.file_name.clone(),
            line,
            column: column.into(),
            message: message.into(),
        }
    }

    pub(crate) fn file_error(&self, message: impl Into<String>) -> IngestError {
        IngestError::File {
            file: self.file_name.clone(),
            message: message.into(),
        }
    }
}

/// A reader that hashes (SHA-256) and counts what passes through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R> std::fmt::Debug for HashingReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashingReader")
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Bytes read so far.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Reads the rest of the input and returns `sha256:HEX`.
    ///
    /// # Errors
    /// When the input cannot be read.
    pub fn finish(mut self) -> std::io::Result<String> {
        // Through a large buffer: on its own `io::copy` reads 8 KiB at a time, a system call
        // per 8 KiB of a file that may be gigabytes.
        std::io::copy(
            &mut std::io::BufReader::with_capacity(256 << 10, &mut self),
            &mut std::io::sink(),
        )?;
        let digest = self.hasher.finalize();
        let mut s = String::from("sha256:");
        for b in digest {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
        }
        Ok(s)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// One cell of a tabular row.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    /// Missing or empty.
    Null,
    /// Text.
    Str(Cow<'a, str>),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A timestamp in UTC microseconds.
    Micros(i64),
    /// A nested JSON value.
    Json(&'a serde_json::Value),
}

/// The type of a column's values, inferred from a sample, for the properties JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every value is an integer.
    Int,
    /// Every value is a number.
    Float,
    /// Every value is `true` or `false`.
    Bool,
    /// Anything else.
    Text,
}

impl Kind {
    /// Infers a column's kind from sample values (empty ones ignored).
    pub fn infer<'a>(values: impl Iterator<Item = &'a str>) -> Kind {
        let mut kind: Option<Kind> = None;
        for v in values {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let this = if is_json_number(v) && v.parse::<i64>().is_ok() {
                Kind::Int
            } else if is_json_number(v) && v.parse::<f64>().is_ok_and(f64::is_finite) {
                Kind::Float
            } else if v == "true" || v == "false" {
                Kind::Bool
            } else {
                return Kind::Text;
            };
            kind = Some(match (kind, this) {
                (None, k) => k,
                (Some(a), b) if a == b => a,
                (Some(Kind::Int | Kind::Float), Kind::Int | Kind::Float) => Kind::Float,
                _ => return Kind::Text,
            });
        }
        kind.unwrap_or(Kind::Text)
    }
}

/// A row whose cells are addressed by header index.
pub trait Cells {
    /// The cell of header column `i`.
    ///
    /// # Errors
    /// A message when the cell cannot be read (e.g. invalid UTF-8).
    fn cell(&self, i: usize) -> Result<Cell<'_>, String>;

    /// Appends the unmapped cells as JSON members (`"k":v,`) to `out`.
    ///
    /// # Errors
    /// `(column, message)` when a cell cannot be read.
    fn properties(&self, mapper: &Mapper, out: &mut String) -> Result<(), (usize, String)> {
        for &i in &mapper.mapping.rest {
            let cell = self.cell(i).map_err(|m| (i, m))?;
            let start = out.len();
            out.push_str(&mapper.member_keys[i]);
            push_member_value(
                out,
                start,
                &cell,
                mapper.kinds.get(i).copied().unwrap_or(Kind::Text),
            );
        }
        Ok(())
    }
}

/// Whether `s` is a number as JSON writes it: no leading zeros, no `+`, no bare `.5`, no
/// `NaN` (so that `00100`, a postal code, stays a text).
#[must_use]
pub fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Appends `"key":value,` for a cell; empty cells are left out.
pub fn push_member(out: &mut String, key: &str, cell: &Cell<'_>, kind: Kind) {
    let start = out.len();
    push_json_str(out, key);
    out.push(':');
    push_member_value(out, start, cell, kind);
}

/// Appends a member's value and `,` after its key, which starts at `start` of `out`; takes the
/// key back off for an empty cell.
fn push_member_value(out: &mut String, start: usize, cell: &Cell<'_>, kind: Kind) {
    use std::fmt::Write as _;
    match cell {
        Cell::Null => {
            out.truncate(start);
            return;
        }
        Cell::Str(s) => {
            let Some(t) = non_empty(s) else {
                out.truncate(start);
                return;
            };
            let as_number = matches!(kind, Kind::Int | Kind::Float)
                && is_json_number(t)
                && t.parse::<f64>().is_ok_and(f64::is_finite);
            if as_number || (kind == Kind::Bool && (t == "true" || t == "false")) {
                out.push_str(t);
            } else {
                push_json_str(out, s);
            }
        }
        Cell::Int(v) | Cell::Micros(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Float(v) if v.is_finite() => {
            let _ = write!(out, "{v}");
        }
        Cell::Float(_) => out.push_str("null"),
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Cell::Json(v) => out.push_str(&v.to_string()),
    }
    out.push(',');
}

/// Turns tabular rows into [`EventRow`]s through a [`ColumnMapping`].
#[derive(Debug, Clone)]
pub struct Mapper {
    /// The header.
    pub header: Vec<String>,
    /// Which column fills which field.
    pub mapping: ColumnMapping,
    /// The kinds of the columns, for properties.
    pub kinds: Vec<Kind>,
    /// Each column's name as a JSON member key (`"name":`), written once rather than per row.
    member_keys: Vec<String>,
    slots: [Option<Resolved>; 14],
    time: TimeParser,
}

/// The index of a field's slot: its place in the enum, known at compile time.
const fn slot(field: Field) -> usize {
    field as usize
}

impl Mapper {
    /// A mapper for `header`.
    ///
    /// # Errors
    /// When the mapping cannot be resolved; the message is for the header line.
    pub fn new(
        header: Vec<String>,
        specs: &[MapSpec],
        kinds: Vec<Kind>,
        time: TimeParser,
    ) -> Result<Self, String> {
        let mapping = ColumnMapping::resolve(&header, specs)?;
        if mapping.get(Field::AnonymousId).is_none() && mapping.get(Field::UserId).is_none() {
            return Err(format!(
                "no anonymous_id or user_id column found among {}: name one with --map anonymous_id=COLUMN or --map user_id=COLUMN",
                header.join(", ")
            ));
        }
        let mut slots: [Option<Resolved>; 14] = Default::default();
        for (f, r) in &mapping.fields {
            slots[slot(*f)] = Some(r.clone());
        }
        let member_keys = header
            .iter()
            .map(|name| {
                let mut key = String::with_capacity(name.len() + 3);
                push_json_str(&mut key, name);
                key.push(':');
                key
            })
            .collect();
        Ok(Mapper {
            header,
            mapping,
            kinds,
            member_keys,
            slots,
            time,
        })
    }

    fn column_name(&self, field: Field) -> String {
        match &self.slots[slot(field)] {
            Some(Resolved::Column(i)) => self.header[*i].clone(),
            _ => field.name().to_owned(),
        }
    }

    // Inlined into `map` for each reader, the cell's variant is known where it is matched:
    // for CSV this dropped a twentieth of the import's instructions.
    #[inline(always)]
    fn text<'a, C: Cells + ?Sized>(
        &'a self,
        cells: &'a C,
        field: Field,
    ) -> Result<Option<Cow<'a, str>>, (String, String)> {
        let cell = match &self.slots[slot(field)] {
            None => return Ok(None),
            Some(Resolved::Constant(c)) => return Ok(non_empty(c).map(Cow::Borrowed)),
            Some(Resolved::Column(i)) => {
                cells.cell(*i).map_err(|m| (self.header[*i].clone(), m))?
            }
        };
        Ok(match cell {
            Cell::Null => None,
            Cell::Str(Cow::Borrowed(s)) => non_empty(s).map(Cow::Borrowed),
            Cell::Str(Cow::Owned(s)) => non_empty(&s).map(|t| Cow::Owned(t.to_owned())),
            Cell::Int(v) | Cell::Micros(v) => Some(Cow::Owned(v.to_string())),
            Cell::Float(v) => Some(Cow::Owned(v.to_string())),
            Cell::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            Cell::Json(serde_json::Value::String(s)) => non_empty(s).map(Cow::Borrowed),
            Cell::Json(serde_json::Value::Null) => None,
            Cell::Json(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                Some(Cow::Owned(v.to_string()))
            }
            Cell::Json(_) => {
                return Err((
                    self.column_name(field),
                    "expected a text or a number, found an object or a list".into(),
                ));
            }
        })
    }

    fn time_of<C: Cells + ?Sized>(&self, cells: &C) -> Result<i64, (String, String)> {
        let err = |m: String| (self.column_name(Field::Time), m);
        let cell = match &self.slots[slot(Field::Time)] {
            Some(Resolved::Constant(c)) => return self.time.parse(c).map_err(err),
            Some(Resolved::Column(i)) => cells.cell(*i).map_err(err)?,
            None => return Err(err("no time".into())),
        };
        match cell {
            Cell::Null => Err(err("empty time; every event needs one".into())),
            Cell::Str(s) => {
                if s.trim().is_empty() {
                    Err(err("empty time; every event needs one".into()))
                } else {
                    self.time.parse(&s).map_err(err)
                }
            }
            Cell::Int(v) => self.time.parse(&v.to_string()).map_err(err),
            Cell::Float(v) => self.time.parse(&format!("{v:.6}")).map_err(err),
            Cell::Micros(v) => Ok(v),
            Cell::Json(serde_json::Value::String(s)) => self.time.parse(s).map_err(err),
            Cell::Json(serde_json::Value::Number(n)) => {
                self.time.parse(&n.to_string()).map_err(err)
            }
            Cell::Json(serde_json::Value::Null) => {
                Err(err("empty time; every event needs one".into()))
            }
            Cell::Bool(_) | Cell::Json(_) => Err(err("expected a time".into())),
        }
    }

    fn value_of<C: Cells + ?Sized>(&self, cells: &C) -> Result<Option<f64>, (String, String)> {
        let err = |m: String| (self.column_name(Field::Value), m);
        let cell = match &self.slots[slot(Field::Value)] {
            None => return Ok(None),
            Some(Resolved::Constant(c)) => return parse_number(c).map(Some).map_err(err),
            Some(Resolved::Column(i)) => cells.cell(*i).map_err(err)?,
        };
        match cell {
            Cell::Null => Ok(None),
            Cell::Str(s) if s.trim().is_empty() => Ok(None),
            Cell::Str(s) => parse_number(&s).map(Some).map_err(err),
            #[allow(clippy::cast_precision_loss)]
            Cell::Int(v) => Ok(Some(v as f64)),
            Cell::Float(v) if v.is_finite() => Ok(Some(v)),
            Cell::Json(serde_json::Value::Null) => Ok(None),
            Cell::Json(serde_json::Value::Number(n)) => Ok(n.as_f64()),
            Cell::Json(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
            Cell::Json(serde_json::Value::String(s)) => parse_number(s).map(Some).map_err(err),
            _ => Err(err("expected a number".into())),
        }
    }

    /// Maps one row. `props` is a scratch buffer the row's properties borrow. Generic, so that
    /// each reader's cell access is compiled into the mapping rather than called through a
    /// trait object per cell.
    ///
    /// # Errors
    /// `(column name, message)` for the first bad cell.
    pub fn map<'a, C: Cells + ?Sized>(
        &'a self,
        cells: &'a C,
        props: &'a mut String,
    ) -> Result<EventRow<'a>, (String, String)> {
        let time = self.time_of(cells)?;
        let value = self.value_of(cells)?;
        props.clear();
        props.push('{');
        cells
            .properties(self, props)
            .map_err(|(i, m)| (self.header.get(i).cloned().unwrap_or_default(), m))?;
        if props.ends_with(',') {
            props.pop();
        }
        props.push('}');
        let event = self.text(cells, Field::Event)?.ok_or_else(|| {
            (
                self.column_name(Field::Event),
                "empty event name; every event needs one".to_owned(),
            )
        })?;
        let anonymous_id = self.text(cells, Field::AnonymousId)?;
        let user_id = self.text(cells, Field::UserId)?;
        if anonymous_id.is_none() && user_id.is_none() {
            let col = if self.slots[slot(Field::AnonymousId)].is_some() {
                Field::AnonymousId
            } else {
                Field::UserId
            };
            return Err((
                self.column_name(col),
                "no anonymous_id or user_id: every event needs one of them".into(),
            ));
        }
        let currency = match self.text(cells, Field::Currency)? {
            Some(c) => Some(match c {
                Cow::Borrowed(b) => {
                    parse_currency(b).map_err(|m| (self.column_name(Field::Currency), m))?
                }
                Cow::Owned(o) => Cow::Owned(
                    parse_currency(&o)
                        .map_err(|m| (self.column_name(Field::Currency), m))?
                        .into_owned(),
                ),
            }),
            None => None,
        };
        Ok(EventRow {
            event_id: self.text(cells, Field::EventId)?,
            anonymous_id,
            user_id,
            time,
            event,
            channel_group: self.text(cells, Field::ChannelGroup)?,
            source: self.text(cells, Field::Source)?,
            medium: self.text(cells, Field::Medium)?,
            campaign: self.text(cells, Field::Campaign)?,
            url: self.text(cells, Field::Url)?,
            referrer: self.text(cells, Field::Referrer)?,
            session: self.text(cells, Field::Session)?,
            value,
            currency,
            properties: if props.len() > 2 {
                Some(Cow::Borrowed(props.as_str()))
            } else {
                None
            },
        })
    }
}

/// Reads a JSON value as a text, for identifiers that may be numbers.
pub(crate) fn json_text(v: &serde_json::Value) -> Option<Cow<'_, str>> {
    match v {
        serde_json::Value::String(s) => non_empty(s).map(Cow::Borrowed),
        serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
        serde_json::Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// Describes a JSON value's type for error messages.
pub(crate) fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A JSON syntax error's message, without serde's position suffix.
pub(crate) fn json_error(e: &serde_json::Error, line: &str) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    format!(
        "invalid JSON: {msg} (near `{}`)",
        short(line.get(e.column().saturating_sub(10)..).unwrap_or(line))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_numbers_are_written_as_numbers() {
        for ok in ["0", "-1", "12.5", "1e5", "-0.25E-3"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in [
            "00", "007", "+5", ".5", "5.", "1e", "NaN", "inf", "", "-", "1 2",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
        assert_eq!(Kind::infer(["00100", "00200"].into_iter()), Kind::Text);
        let mut out = String::new();
        push_member(&mut out, "zip", &Cell::Str("00".into()), Kind::Float);
        assert_eq!(out, r#""zip":"00","#);
    }
}
