//! Recognising an event file's format from its name and first bytes.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::error::IngestError;

/// An event file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-, semicolon-, tab- or pipe-separated values with a header line.
    Csv,
    /// One JSON object per line, with a column mapping.
    Ndjson,
    /// A Parquet file, with a column mapping.
    Parquet,
    /// Google Analytics 4 BigQuery export rows, NDJSON.
    Ga4,
    /// Segment-spec messages, NDJSON.
    Segment,
}

impl Format {
    /// The format's name in `--format` and the import log.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Ga4 => "ga4",
            Format::Segment => "segment",
        }
    }

    /// Whether the format takes `--map` options.
    #[must_use]
    pub fn takes_mapping(self) -> bool {
        matches!(self, Format::Csv | Format::Ndjson | Format::Parquet)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = IngestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Ok(Format::Csv),
            "ndjson" | "jsonl" | "json" => Ok(Format::Ndjson),
            "parquet" => Ok(Format::Parquet),
            "ga4" => Ok(Format::Ga4),
            "segment" => Ok(Format::Segment),
            other => Err(IngestError::Usage(format!(
                "unknown format `{other}`: use csv, ndjson, parquet, ga4 or segment"
            ))),
        }
    }
}

const SEGMENT_TYPES: [&str; 6] = ["track", "page", "screen", "identify", "alias", "group"];

/// Recognises the format from the file name and its first bytes.
#[must_use]
pub fn detect(file_name: &str, head: &[u8]) -> Format {
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".parquet") || lower.ends_with(".pq") {
        return Format::Parquet;
    }
    let text = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        let line = text
            .split(|b| *b == b'\n')
            .find(|l| !l.trim_ascii().is_empty())
            .unwrap_or(text);
        if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(line) {
            if obj.contains_key("event_name")
                && (obj.contains_key("event_timestamp") || obj.contains_key("user_pseudo_id"))
            {
                return Format::Ga4;
            }
            if obj.get("batch").is_some_and(Value::is_array) {
                return Format::Segment;
            }
            let typed = obj
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| SEGMENT_TYPES.contains(&t));
            if typed
                && (obj.contains_key("anonymousId")
                    || obj.contains_key("userId")
                    || obj.contains_key("messageId"))
            {
                return Format::Segment;
            }
        }
        return Format::Ndjson;
    }
    if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") || lower.ends_with(".json") {
        return Format::Ndjson;
    }
    Format::Csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats() {
        assert_eq!(detect("a.csv", b"time,event\n"), Format::Csv);
        assert_eq!(detect("a.bin", b"PAR1...."), Format::Parquet);
        assert_eq!(
            detect(
                "a.json",
                b"{\"event_name\":\"x\",\"event_timestamp\":\"1\"}\n"
            ),
            Format::Ga4
        );
        assert_eq!(
            detect("a.json", b"{\"type\":\"track\",\"userId\":\"u\"}\n"),
            Format::Segment
        );
        assert_eq!(detect("a.json", b"{\"batch\":[]}\n"), Format::Segment);
        assert_eq!(detect("a.txt", b"\n {\"ts\":1}\n"), Format::Ndjson);
        assert!("xml".parse::<Format>().is_err());
    }
}
