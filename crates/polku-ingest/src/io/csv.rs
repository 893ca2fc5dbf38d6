//! CSV (and TSV, semicolon- or pipe-separated) event files with a header line.

use std::borrow::Cow;
use std::io::Read;

use csv::ByteRecord;

use super::{Cell, Cells, Kind, Mapper, Raw, ReadOptions, Sink};
use crate::error::IngestError;

/// Rows sampled to infer the types of unmapped columns.
const SAMPLE_ROWS: usize = 1000;

/// Picks the delimiter that occurs most often, outside quotes, in the first line.
#[must_use]
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for b in line {
        if *b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4)
        .max_by_key(|i| (counts[*i], usize::from(*i == 0)))
        .unwrap_or(0);
    candidates[best]
}

struct CsvCells<'a> {
    record: &'a ByteRecord,
}

impl Cells for CsvCells<'_> {
    fn cell(&self, i: usize) -> Result<Cell<'_>, String> {
        match self.record.get(i) {
            None => Ok(Cell::Null),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => Ok(Cell::Str(Cow::Borrowed(s))),
                Err(_) => {
                    Err("not valid UTF-8: save the file as UTF-8 (in Excel: CSV UTF-8)".into())
                }
            },
        }
    }
}

/// Reads a CSV event file into `sink`.
///
/// # Errors
/// When the header cannot be mapped, the file cannot be read, or the sink stops.
pub fn read(input: impl Read, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), IngestError> {
    let mut input = std::io::BufReader::with_capacity(1 << 20, input);
    let delimiter = match opts.delimiter {
        Some(d) => d,
        None => {
            use std::io::BufRead as _;
            let head = input.fill_buf()?;
            sniff_delimiter(head)
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(input);
    let mut record = ByteRecord::new();
    let header: Vec<String> = loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => {
                return Err(opts.file_error("the file is empty: a CSV file needs a header line"));
            }
            Ok(true) => {}
            Err(e) => return Err(opts.file_error(format!("cannot read the header: {e}"))),
        }
        let line = record.position().map_or(1, csv::Position::line);
        let mut names = Vec::with_capacity(record.len());
        for (i, f) in record.iter().enumerate() {
            let name = std::str::from_utf8(f).map_err(|_| {
                IngestError::BadRows(vec![opts.row_error(
                    line,
                    format!("#{}", i + 1),
                    "column name is not valid UTF-8",
                )])
            })?;
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            names.push(name.trim().to_owned());
        }
        if names.iter().all(String::is_empty) {
            continue;
        }
        break names;
    };
    if let Some((i, _)) = header.iter().enumerate().find(|(_, n)| n.is_empty()) {
        return Err(IngestError::BadRows(vec![opts.row_error(
            1,
            format!("#{}", i + 1),
            "column has no name in the header",
        )]));
    }
    sink.header(&header);

    // Sample rows to infer the kinds of the unmapped columns. With `flexible`, the csv crate
    // fails only on I/O errors.
    let mut sample: Vec<(ByteRecord, u64)> = Vec::new();
    while sample.len() < SAMPLE_ROWS {
        let mut r = ByteRecord::new();
        if !reader.read_byte_record(&mut r).map_err(csv_io)? {
            break;
        }
        let line = r.position().map_or(0, csv::Position::line);
        sample.push((r, line));
    }
    let kinds: Vec<Kind> = (0..header.len())
        .map(|i| {
            Kind::infer(
                sample
                    .iter()
                    .filter_map(|(r, _)| r.get(i))
                    .filter_map(|b| std::str::from_utf8(b).ok()),
            )
        })
        .collect();
    let mapper = Mapper::new(header.clone(), &opts.mapping, kinds, opts.time)
        .map_err(|m| IngestError::BadRows(vec![opts.row_error(1, "-", m)]))?;

    let mut props = String::with_capacity(256);
    let mut handle =
        |record: &ByteRecord, line: u64, sink: &mut dyn Sink| -> Result<(), IngestError> {
            if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
                return Ok(()); // blank line
            }
            if record.len() != header.len() {
                let fields: Vec<&[u8]> = record.iter().collect();
                let column = if record.len() < header.len() {
                    header[record.len()].clone()
                } else {
                    format!("#{}", header.len() + 1)
                };
                return sink.bad(
                    opts.row_error(
                        line,
                        column,
                        format!(
                            "the row has {} fields, the header {}",
                            record.len(),
                            header.len()
                        ),
                    ),
                    Raw::Fields(&fields),
                );
            }
            let cells = CsvCells { record };
            match mapper.map(&cells, &mut props) {
                Ok(row) => sink.event(line, row),
                Err((column, message)) => {
                    let fields: Vec<&[u8]> = record.iter().collect();
                    sink.bad(opts.row_error(line, column, message), Raw::Fields(&fields))
                }
            }
        };
    for (r, line) in &sample {
        handle(r, *line, sink)?;
    }
    let mut n = 0u64;
    while reader.read_byte_record(&mut record).map_err(csv_io)? {
        let line = record.position().map_or(0, csv::Position::line);
        handle(&record, line, sink)?;
        n += 1;
        if n.is_multiple_of(4096) {
            sink.position(record.position().map_or(0, csv::Position::byte));
        }
    }
    Ok(())
}

fn csv_io(e: csv::Error) -> IngestError {
    IngestError::Io(std::io::Error::other(e.to_string()))
}
