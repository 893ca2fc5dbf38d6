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
    /// The record's fields as one text, when it is valid UTF-8: checked once per record rather
    /// than once per cell.
    text: Option<&'a str>,
}

impl<'a> CsvCells<'a> {
    fn new(record: &'a ByteRecord) -> Self {
        CsvCells {
            record,
            text: std::str::from_utf8(record.as_slice()).ok(),
        }
    }
}

impl Cells for CsvCells<'_> {
    #[inline(always)]
    fn cell(&self, i: usize) -> Result<Cell<'_>, String> {
        // A field cut inside a character is not valid on its own even when the whole record
        // is: `get` finds no character boundary there, and the field is checked by itself.
        if let Some(s) = self
            .text
            .zip(self.record.range(i))
            .and_then(|(text, range)| text.get(range))
        {
            return Ok(Cell::Str(Cow::Borrowed(s)));
        }
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

/// The double quotes and the line breaks in `bytes`.
#[must_use]
pub fn quotes_and_line_breaks(bytes: &[u8]) -> (u64, u64) {
    let (mut quotes, mut lines) = (0, 0);
    // Counts in pieces of 255 bytes into byte-wide counters, which the compiler turns into
    // vector code: ten times faster than counting each byte into a `u64`.
    for piece in bytes.chunks(255) {
        let (mut piece_quotes, mut piece_lines) = (0u8, 0u8);
        for &b in piece {
            piece_quotes += u8::from(b == b'"');
            piece_lines += u8::from(b == b'\n');
        }
        quotes += u64::from(piece_quotes);
        lines += u64::from(piece_lines);
    }
    (quotes, lines)
}

/// Bytes of the file's start read to find the header and sample the column types.
pub const HEAD_BYTES: usize = 4 << 20;

/// What the start of a CSV file tells: delimiter, header, mapping, where the data starts.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    /// The field delimiter.
    pub delimiter: u8,
    /// Maps the columns onto event fields.
    pub mapper: Mapper,
    /// The byte offset of the first record after the header.
    pub data_start: u64,
    /// Line breaks before `data_start` (the header's lines, and blank lines before it).
    pub header_lines: u64,
}

fn reader_for<R: Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(input)
}

/// Reads the header and samples the first rows of `head`, the start of a file (`complete`
/// when it is the whole file).
///
/// # Errors
/// When there is no header or it cannot be mapped.
pub fn layout(head: &[u8], complete: bool, opts: &ReadOptions) -> Result<CsvLayout, IngestError> {
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(head));
    let mut reader = reader_for(head, delimiter);
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
    let data_start = reader.position().byte();
    let header_lines = quotes_and_line_breaks(
        &head[..usize::try_from(data_start)
            .unwrap_or(head.len())
            .min(head.len())],
    )
    .1;
    // Sample rows to infer the kinds of the unmapped columns; a row cut off at the end of
    // `head` is left out.
    let mut sample: Vec<ByteRecord> = Vec::new();
    while sample.len() < SAMPLE_ROWS {
        let mut r = ByteRecord::new();
        match reader.read_byte_record(&mut r) {
            Ok(true) => sample.push(r),
            Ok(false) | Err(_) => break,
        }
    }
    if !complete {
        sample.pop();
    }
    let kinds: Vec<Kind> = (0..header.len())
        .map(|i| {
            Kind::infer(
                sample
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter_map(|b| std::str::from_utf8(b).ok()),
            )
        })
        .collect();
    let mapper = Mapper::new(header, &opts.mapping, kinds, opts.time)
        .map_err(|m| IngestError::BadRows(vec![opts.row_error(1, "-", m)]))?;
    Ok(CsvLayout {
        delimiter,
        mapper,
        data_start,
        header_lines,
    })
}

/// Reads records (no header) from `input`, which starts at a record boundary after
/// `line_offset` line breaks of the file and `byte_offset` bytes.
///
/// # Errors
/// When the input cannot be read or the sink stops.
pub fn read_records(
    input: impl Read,
    layout: &CsvLayout,
    line_offset: u64,
    byte_offset: u64,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), IngestError> {
    let header = &layout.mapper.header;
    let mut reader = reader_for(input, layout.delimiter);
    let mut record = ByteRecord::new();
    let mut props = String::with_capacity(256);
    let mut n = 0u64;
    while reader.read_byte_record(&mut record).map_err(csv_io)? {
        let pos = record.position().map_or((0, 0), |p| (p.line(), p.byte()));
        let line = pos.0 + line_offset;
        n += 1;
        if n.is_multiple_of(4096) {
            sink.position(byte_offset + pos.1);
        }
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // blank line
        }
        if record.len() != header.len() {
            let fields: Vec<&[u8]> = record.iter().collect();
            let column = if record.len() < header.len() {
                header[record.len()].clone()
            } else {
                format!("#{}", header.len() + 1)
            };
            sink.bad(
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
            )?;
            continue;
        }
        let cells = CsvCells::new(&record);
        match layout.mapper.map(&cells, &mut props) {
            Ok(row) => sink.event(line, row)?,
            Err((column, message)) => {
                let fields: Vec<&[u8]> = record.iter().collect();
                sink.bad(opts.row_error(line, column, message), Raw::Fields(&fields))?;
            }
        }
    }
    Ok(())
}

/// Reads a CSV event file into `sink`.
///
/// # Errors
/// When the header cannot be mapped, the file cannot be read, or the sink stops.
pub fn read(
    mut input: impl Read,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), IngestError> {
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut input)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)?;
    let complete = head.len() < HEAD_BYTES;
    let layout = layout(&head, complete, opts)?;
    sink.header(&layout.mapper.header);
    let start = usize::try_from(layout.data_start)
        .unwrap_or(head.len())
        .min(head.len());
    let rest = std::io::Cursor::new(&head[start..]).chain(input);
    read_records(
        rest,
        &layout,
        layout.header_lines,
        layout.data_start,
        opts,
        sink,
    )
}

fn csv_io(e: csv::Error) -> IngestError {
    IngestError::Io(std::io::Error::other(e.to_string()))
}
