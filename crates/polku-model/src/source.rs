//! Parsing YAML documents with exact positions, and the diagnostics that point at them.
//!
//! serde turns YAML into typed documents and reports syntax and type errors with a position, but
//! the typed document forgets where each value stood. Reference checks ("unknown persona",
//! "duplicate id") happen after deserialising, so a second, event-level pass records the
//! position of every key and value by its path (`stages[2].touchpoints[0].emotion`). Both
//! passes read the same text; the second is cheap next to the first.

use std::collections::HashMap;
use std::fmt;

use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::suggest::did_you_mean;

/// A position in a text file, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The workspace is invalid; commands that need it refuse to run.
    Error,
    /// Worth fixing, but the workspace is usable.
    Warning,
}

/// One finding about one place of one file, printed as `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as the user named it (relative to the workspace).
    pub file: String,
    /// Where in the file.
    pub position: Position,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl Diagnostic {
    /// An error at a position.
    #[must_use]
    pub fn error(file: &str, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            position,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning at a position.
    #[must_use]
    pub fn warning(file: &str, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, position, message)
        }
    }

    /// Whether this is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Position { line, column } = self.position;
        let prefix = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(f, "{}:{line}:{column}: {prefix}{}", self.file, self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Where each key and value of a YAML document stands, by path.
///
/// Paths are written as in messages: `stages[2].touchpoints[0].emotion`; the root is `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
}

impl SourceMap {
    /// Records the positions in `text`. Text that is not YAML gives an empty map: the serde pass
    /// reports the syntax error.
    #[must_use]
    pub fn build(text: &str) -> Self {
        let mut recorder = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        // A syntax error stops the recording where it happened; what came before stays usable.
        let _ = parser.load(&mut recorder, false);
        recorder.map
    }

    /// Where the value at `path` starts, else where its key is, else the nearest recorded
    /// ancestor: a message always points somewhere useful, never at 0:0.
    #[must_use]
    pub fn value(&self, path: &str) -> Position {
        self.lookup(path, &self.values)
    }

    /// Where the key of `path` stands (for "unknown field" and "duplicate" messages), else the
    /// value's position.
    #[must_use]
    pub fn key(&self, path: &str) -> Position {
        self.lookup(path, &self.keys)
    }

    /// Whether the document has a node at exactly `path`.
    #[must_use]
    pub fn contains(&self, path: &str) -> bool {
        self.values.contains_key(path) || self.keys.contains_key(path)
    }

    fn lookup(&self, path: &str, first: &HashMap<String, Position>) -> Position {
        let mut p = path;
        loop {
            if p.is_empty() {
                return Position { line: 1, column: 1 };
            }
            if let Some(pos) = first
                .get(p)
                .or_else(|| self.values.get(p))
                .or_else(|| self.keys.get(p))
            {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => p = "",
            }
        }
    }
}

#[derive(Debug)]
enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

#[derive(Debug, Default)]
struct Recorder {
    map: SourceMap,
    stack: Vec<Frame>,
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Recorder {
    /// The path of the value that comes next, and whether it is a mapping key.
    fn next_path(&self) -> (String, bool) {
        match self.stack.last() {
            None => (String::new(), false),
            Some(Frame::Mapping { key: None, path }) => (path.clone(), true),
            Some(Frame::Mapping { key: Some(k), path }) => (child(path, k), false),
            Some(Frame::Sequence { path, next }) => (format!("{path}[{next}]"), false),
        }
    }

    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Mapping { key, .. }) => *key = None,
            Some(Frame::Sequence { next, .. }) => *next += 1,
            None => {}
        }
    }
}

fn position(mark: Marker) -> Position {
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let (path, is_key) = self.next_path();
        match ev {
            Event::Scalar(text, ..) if is_key => {
                let full = child(&path, &text);
                self.map.keys.insert(full, position(mark));
                if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                    *key = Some(text);
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                self.map.values.entry(path).or_insert(position(mark));
                self.value_done();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if is_key => {
                // A complex key: rare in hand-written files; its contents go under `?`.
                let full = child(&path, "?");
                let frame = if matches!(ev, Event::MappingStart(..)) {
                    Frame::Mapping {
                        path: full,
                        key: None,
                    }
                } else {
                    Frame::Sequence {
                        path: full,
                        next: 0,
                    }
                };
                if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                    *key = Some("?".to_owned());
                }
                self.stack.push(frame);
            }
            Event::MappingStart(..) => {
                self.map
                    .values
                    .entry(path.clone())
                    .or_insert(position(mark));
                self.stack.push(Frame::Mapping { path, key: None });
            }
            Event::SequenceStart(..) => {
                self.map
                    .values
                    .entry(path.clone())
                    .or_insert(position(mark));
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// A parsed document with its file name and the positions of its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// The file, as shown in messages.
    pub file: String,
    /// The document.
    pub doc: T,
    /// Where each part of the document stands.
    pub map: SourceMap,
}

impl<T> Sourced<T> {
    /// An error about the value at `path`.
    #[must_use]
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.file, self.map.value(path), message)
    }

    /// An error about the key at `path` (for duplicates and unknown names).
    #[must_use]
    pub fn error_at_key(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.file, self.map.key(path), message)
    }

    /// A warning about the value at `path`.
    #[must_use]
    pub fn warning_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(&self.file, self.map.value(path), message)
    }
}

/// Parses `text` (the contents of `file`) into a `T`.
///
/// # Errors
/// A syntax or schema error, as a diagnostic at its position. A misspelt field or value names
/// the closest valid one.
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<Sourced<T>, Diagnostic> {
    match serde_norway::from_str::<T>(text) {
        Ok(doc) => Ok(Sourced {
            file: file.to_owned(),
            doc,
            map: SourceMap::build(text),
        }),
        Err(err) => {
            let position = err
                .location()
                .map_or(Position { line: 1, column: 1 }, |l| Position {
                    line: l.line(),
                    column: l.column(),
                });
            Err(Diagnostic::error(file, position, explain(&err.to_string())))
        }
    }
}

/// Rewrites a serde message for people: drops the position serde appends (the diagnostic has
/// it), adds a "did you mean" to unknown names, and says what an empty document needs.
fn explain(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => &message[..i],
        _ => message,
    };
    // serde_norway prefixes the path (`stages[0].touchpoints[1]: ...`); the position says it.
    let message = match message.split_once(": ") {
        Some((path, rest)) if !path.is_empty() && !path.contains(' ') => rest,
        _ => message,
    };
    if message.starts_with("EOF while parsing") || message.contains("invalid type: unit value") {
        return format!("{message}: the document is empty or a value is missing");
    }
    for prefix in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let Some((word, expected)) = rest.split_once('`') else {
                break;
            };
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let what = if prefix.contains("field") {
                "field"
            } else {
                "value"
            };
            let hint = did_you_mean(word, candidates.iter().copied());
            let list = if candidates.is_empty() {
                "none are allowed here".to_owned()
            } else {
                format!("expected one of {}", candidates.join(", "))
            };
            return format!("unknown {what} `{word}`{hint}; {list}");
        }
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name: x\nstages:\n  - id: a\n    name: A\n  - id: b\n    tags: [p, q]\n";

    #[test]
    fn source_map_records_keys_and_values_by_path() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.value("name"), Position { line: 1, column: 7 });
        assert_eq!(map.key("stages"), Position { line: 2, column: 1 });
        assert_eq!(map.value("stages[0].id"), Position { line: 3, column: 9 });
        assert_eq!(map.key("stages[1].id"), Position { line: 5, column: 5 });
        assert_eq!(
            map.value("stages[1].tags[1]"),
            Position {
                line: 6,
                column: 15
            }
        );
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_ancestor() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.value("stages[1].name"), map.value("stages[1]"));
        assert_eq!(map.value("nothing.here"), Position { line: 1, column: 1 });
    }

    #[test]
    fn unknown_field_messages_suggest_the_right_name() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            name: String,
            emotion: Option<i8>,
        }
        let err = parse::<S>("f.yaml", "name: a\nemotoin: 2\n").unwrap_err();
        assert_eq!(err.position, Position { line: 2, column: 1 });
        assert_eq!(
            err.message,
            "unknown field `emotoin` (did you mean `emotion`?); expected one of name, emotion"
        );
        assert_eq!(err.to_string(), format!("f.yaml:2:1: {}", err.message));
    }
}
