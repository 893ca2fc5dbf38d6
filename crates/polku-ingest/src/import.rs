//! Importing an event file into a workspace, all or nothing.
//!
//! 1. The file is read once (a large CSV file in 16 MiB ranges, on every core), while its
//!    SHA-256 is computed: rows are normalised into Arrow batches and identity links are
//!    collected. A range's batches wait in memory, up to [`ImportOptions::memory_budget`] (the
//!    rest spilled as Arrow IPC to a staging folder), only until the ranges before it are done.
//! 2. Meanwhile, in file order, duplicates are dropped and session channels carried, and two
//!    threads encode every column but `customer` as Parquet row groups, kept in memory.
//! 3. A bad value stops the import with `FILE:LINE:COLUMN: message` and leaves the store as it
//!    was, unless a quarantine file takes the bad rows.
//! 4. Identities are stitched over every link ever seen, so the new rows get their final
//!    customer; with that column encoded, the row groups become Parquet files in the staging
//!    folder.
//! 5. The files are moved into `events/`, and the import commits by its entry in the import
//!    log (with its links and the new identity map) in one SQLite transaction.
//! 6. When stitching changed the customer of identifiers seen before, the older files that
//!    hold them are rewritten.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use chrono_tz::Tz;
use polku_store::app_db::{AppDb, IdentityLink, ImportRecord, now_rfc3339};
use polku_store::events::{
    ColumnEncoder, DataLock, EncodedRowGroup, FILE_ROWS, ROW_GROUP_ROWS, RowGroupEncoder, Staging,
};
use polku_store::privacy::PseudonymKey;
use polku_store::schema::{Table, event_col, event_schema, unstitched_event_schema};
use polku_store::{DataError, EventStore};

use crate::channel::{ChannelGrouper, ChannelRule, workspace_rules};
use crate::error::{IngestError, MAX_REPORTED_ERRORS, RowError};
use crate::field::MapSpec;
use crate::io::csv::CsvLayout;
use crate::io::detect::{Format, detect};
use crate::io::{HashingReader, Raw, ReadOptions, Sink};
use crate::normalize::{
    EventBatchBuilder, KeySet, LinkSet, Normalizer, Outcome, Resolver, event_key, insert_keys,
    normalized_schema,
};
use crate::row::{EventRow, IdRef};
use crate::stitch::Identities;
use crate::time::{DEFAULT_TIMEZONE, TimeParser};

/// Rows per Arrow batch while importing.
const BATCH_ROWS: usize = 64 * 1024;

/// Bytes of normalised Arrow batches an import keeps in memory by default while they wait;
/// rows beyond it are spilled to disk. About 2,000,000 rows of a typical web event export fit.
pub const MEMORY_BUDGET: usize = 512 << 20;

/// Reports an import's progress; the CLI draws a bar.
pub trait Progress: Sync {
    /// A phase starts, with its total (bytes or rows) when known.
    fn begin(&self, phase: &str, total: Option<u64>);
    /// Work done so far in the phase.
    fn set(&self, done: u64);
    /// The import is over.
    fn end(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _phase: &str, _total: Option<u64>) {}
    fn set(&self, _done: u64) {}
}

/// Options of `polku import events`.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The format; detected from the file when `None`.
    pub format: Option<Format>,
    /// `--map FIELD=COLUMN` options.
    pub mapping: Vec<MapSpec>,
    /// CSV delimiter; sniffed when `None`.
    pub delimiter: Option<u8>,
    /// The time zone of times without an offset.
    pub timezone: Tz,
    /// Where bad rows go instead of stopping the import.
    pub quarantine: Option<PathBuf>,
    /// Replace identifiers by keyed pseudonyms.
    pub pseudonymize: bool,
    /// Who runs the import, for the log.
    pub user: String,
    /// Channel rules; read from the workspace's `polku.yaml` when `None`.
    pub channel_rules: Option<Vec<ChannelRule>>,
    /// Bytes of normalised rows kept in memory while they wait for the rows before them (a
    /// whole file's, when it is read by one worker); the rest wait in a spill file in the
    /// staging folder, so a file of any size imports in bounded memory.
    pub memory_budget: usize,
    /// The size of the pieces a large CSV file is read in, by [`ImportOptions::read_threads`]
    /// threads, each taking the next piece when done with one.
    pub read_range_bytes: u64,
    /// How many threads read a large CSV file; one per core when `None`.
    pub read_threads: Option<usize>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            mapping: Vec::new(),
            delimiter: None,
            timezone: DEFAULT_TIMEZONE,
            quarantine: None,
            pseudonymize: false,
            user: current_user(),
            channel_rules: None,
            memory_budget: MEMORY_BUDGET,
            read_range_bytes: READ_RANGE_BYTES,
            read_threads: None,
        }
    }
}

/// The user name for logs: `POLKU_USER`, else `USER`/`USERNAME`, else `unknown`.
#[must_use]
pub fn current_user() -> String {
    ["POLKU_USER", "USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The import's id.
    pub import_id: String,
    /// The format read.
    pub format: Format,
    /// `sha256:HEX` of the file.
    pub file_hash: String,
    /// Rows (events, identity messages, bad rows) read.
    pub rows_read: u64,
    /// Events added.
    pub added: u64,
    /// Events already in the store, or repeated in the file.
    pub duplicates: u64,
    /// Bad rows written to the quarantine file.
    pub quarantined: u64,
    /// Events of erased persons, skipped.
    pub suppressed: u64,
    /// Identity and other non-event messages.
    pub other_messages: u64,
    /// Identity links seen for the first time.
    pub new_links: u64,
    /// Older event files rewritten because stitching changed their customers.
    pub restitched_files: usize,
    /// How long it took.
    pub elapsed: Duration,
}

/// A fresh import id: UTC time and eight random hex digits, sortable by time.
#[must_use]
pub fn new_import_id() -> String {
    let mut r = [0u8; 4];
    let _ = getrandom::fill(&mut r);
    format!(
        "{}-{:08x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        u32::from_le_bytes(r)
    )
    .replace('.', "")
}

enum QuarantineOut {
    Csv(Box<csv::Writer<File>>),
    Lines(BufWriter<File>),
}

struct Quarantine {
    path: PathBuf,
    out: Option<QuarantineOut>,
    header: Option<Vec<String>>,
    json: bool,
}

impl Quarantine {
    fn write(&mut self, err: &RowError, raw: Raw<'_>) -> std::io::Result<()> {
        if self.out.is_none() {
            let file = fs_err::File::create(&self.path)?.into_parts().0;
            self.out = Some(if self.json {
                QuarantineOut::Lines(BufWriter::new(file))
            } else {
                let mut w = csv::Writer::from_writer(file);
                let mut head = vec!["line".to_owned(), "column".to_owned(), "error".to_owned()];
                head.extend(self.header.clone().unwrap_or_default());
                w.write_record(&head).map_err(std::io::Error::other)?;
                QuarantineOut::Csv(Box::new(w))
            });
        }
        match self.out.as_mut() {
            Some(QuarantineOut::Csv(w)) => {
                let line = err.line.to_string();
                let mut rec: Vec<&[u8]> = vec![
                    line.as_bytes(),
                    err.column.as_bytes(),
                    err.message.as_bytes(),
                ];
                if let Raw::Fields(f) = raw {
                    rec.extend_from_slice(f);
                }
                w.write_record(&rec).map_err(std::io::Error::other)
            }
            Some(QuarantineOut::Lines(w)) => {
                let record = match raw {
                    Raw::Line(l) => serde_json::from_str::<serde_json::Value>(l)
                        .unwrap_or(serde_json::Value::String(l.to_owned())),
                    Raw::Fields(f) => serde_json::Value::Array(
                        f.iter()
                            .map(|b| {
                                serde_json::Value::String(String::from_utf8_lossy(b).into_owned())
                            })
                            .collect(),
                    ),
                    Raw::None => serde_json::Value::Null,
                };
                let v = serde_json::json!({"line": err.line, "column": err.column, "error": err.message, "record": record});
                writeln!(w, "{v}")
            }
            None => Ok(()),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self.out {
            Some(QuarantineOut::Csv(mut w)) => w.flush(),
            Some(QuarantineOut::Lines(mut w)) => w.flush(),
            None => Ok(()),
        }
    }
}

/// What a pass-1 worker leaves: its batches, errors and counts.
type WorkerResult = (Pending, Vec<RowError>, Counts);

/// Counts of one pass-1 worker.
#[derive(Debug, Default)]
struct Counts {
    rows_read: u64,
    normalized: u64,
    suppressed: u64,
    quarantined: u64,
    other: u64,
}

/// The normalised batches of one reader, in its order: first those kept in memory, then those
/// in the spill file.
#[derive(Debug, Default)]
struct Pending {
    memory: Vec<RecordBatch>,
    spill: Option<PathBuf>,
}

/// Where a reader's normalised batches wait for pass 2: in memory while the shared budget
/// lasts, then in an Arrow IPC file. Once a reader spills, it spills every later batch too,
/// so that its batches stay in order.
struct Stash<'p> {
    memory: Vec<RecordBatch>,
    budget: &'p AtomicUsize,
    path: PathBuf,
    spill: Option<StreamWriter<BufWriter<File>>>,
}

impl Stash<'_> {
    fn push(&mut self, batch: RecordBatch) -> Result<(), IngestError> {
        if self.spill.is_none() {
            let size = batch.get_array_memory_size();
            let taken = self
                .budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(size)
                });
            if taken.is_ok() {
                self.memory.push(batch);
                return Ok(());
            }
            self.spill = Some(StreamWriter::try_new(
                BufWriter::with_capacity(1 << 20, fs_err::File::create(&self.path)?.into_parts().0),
                &normalized_schema(),
            )?);
        }
        self.spill.as_mut().expect("just opened").write(&batch)?;
        Ok(())
    }

    fn finish(self) -> Result<Pending, IngestError> {
        let spill = match self.spill {
            Some(mut w) => {
                w.finish()?;
                Some(self.path)
            }
            None => None,
        };
        Ok(Pending {
            memory: self.memory,
            spill,
        })
    }
}

/// Normalises the rows one reader produces and stashes them for pass 2.
struct Worker<'p> {
    normalizer: Normalizer,
    builder: EventBatchBuilder,
    stash: Stash<'p>,
    errors: Vec<RowError>,
    quarantine: Option<Quarantine>,
    counts: Counts,
    progress: &'p dyn Progress,
    /// Bytes read by all workers, for the progress bar.
    read_total: &'p AtomicU64,
    read_mine: u64,
}

impl<'p> Worker<'p> {
    fn new(
        stash: Stash<'p>,
        normalizer: Normalizer,
        quarantine: Option<Quarantine>,
        progress: &'p dyn Progress,
        read_total: &'p AtomicU64,
    ) -> Result<Self, IngestError> {
        Ok(Worker {
            normalizer,
            builder: EventBatchBuilder::with_capacity(BATCH_ROWS),
            stash,
            errors: Vec::new(),
            quarantine,
            counts: Counts::default(),
            progress,
            read_total,
            read_mine: 0,
        })
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        if !self.builder.is_empty() {
            let batch = self.builder.finish();
            self.stash.push(batch)?;
        }
        Ok(())
    }

    /// Finishes the stash; returns the batches, errors and counts, and the normaliser with the
    /// identity links it has seen, for the next range of the same thread.
    fn finish(mut self) -> Result<(WorkerResult, Normalizer), IngestError> {
        self.flush()?;
        if let Some(q) = self.quarantine.take() {
            q.finish()?;
        }
        Ok((
            (self.stash.finish()?, self.errors, self.counts),
            self.normalizer,
        ))
    }
}

impl Sink for Worker<'_> {
    fn event(&mut self, _line: u64, row: EventRow<'_>) -> Result<(), IngestError> {
        self.counts.rows_read += 1;
        if !self.errors.is_empty() {
            return Ok(()); // the import fails anyway; keep reading for more errors
        }
        match self.normalizer.push(&row, &mut self.builder) {
            Outcome::Added => self.counts.normalized += 1,
            Outcome::Suppressed => self.counts.suppressed += 1,
        }
        if self.builder.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn link(&mut self, _line: u64, x: IdRef<'_>, y: IdRef<'_>) -> Result<(), IngestError> {
        self.normalizer.link(&x, &y);
        Ok(())
    }

    fn bad(&mut self, error: RowError, raw: Raw<'_>) -> Result<(), IngestError> {
        self.counts.rows_read += 1;
        if let Some(q) = self.quarantine.as_mut() {
            q.write(&error, raw)?;
            self.counts.quarantined += 1;
            return Ok(());
        }
        self.errors.push(error);
        if self.errors.len() >= MAX_REPORTED_ERRORS {
            return Err(IngestError::BadRows(std::mem::take(&mut self.errors)));
        }
        Ok(())
    }

    fn other(&mut self) {
        self.counts.rows_read += 1;
        self.counts.other += 1;
    }

    fn position(&mut self, bytes: u64) {
        let delta = bytes.saturating_sub(self.read_mine);
        self.read_mine = bytes;
        let total = self.read_total.fetch_add(delta, Ordering::Relaxed) + delta;
        self.progress.set(total);
    }

    fn header(&mut self, header: &[String]) {
        if let Some(q) = self.quarantine.as_mut() {
            q.header = Some(header.to_vec());
        }
    }
}

/// The error of a thread that panicked, `thread` naming it ("an encoder").
fn panicked(thread: &str) -> IngestError {
    IngestError::Io(std::io::Error::other(format!("{thread} thread panicked")))
}

/// Files smaller than this are read by one worker.
const PARALLEL_MIN_BYTES: u64 = 8 << 20;

/// The default of [`ImportOptions::read_range_bytes`]: small enough that the threads finish
/// within a fraction of a second of each other.
const READ_RANGE_BYTES: u64 = 16 << 20;

/// Where the ranges of a file's bytes `start..end` begin, before each moves on to a line break:
/// pieces of `range_bytes`, shrinking toward the end to a share of what is left for each of
/// `threads` (but not below an eighth of `range_bytes`), so that the threads run out of work
/// together rather than one finishing a whole piece alone. At least two ranges.
fn range_starts(start: u64, end: u64, range_bytes: u64, threads: u64) -> Vec<u64> {
    let smallest = (range_bytes / 8).max(1);
    let mut starts = vec![start];
    let mut at = start;
    loop {
        let rest = end - at;
        let piece = (rest / (2 * threads.max(1))).clamp(smallest, range_bytes.max(smallest));
        if rest < piece + smallest {
            break;
        }
        at += piece;
        starts.push(at);
    }
    if starts.len() == 1 {
        starts.push(start + (end - start) / 2);
    }
    starts
}

/// What a pass-1 worker found besides its rows: bad rows and counts.
type Findings = (Vec<RowError>, Counts);

/// How a CSV file is read in parallel: its layout, its byte ranges, and how many threads take
/// them.
struct CsvPlan<'a> {
    file: &'a Path,
    layout: &'a CsvLayout,
    ranges: Vec<(u64, u64)>,
    threads: usize,
}

/// Makes the pass-1 worker of range `k`, with a quarantine file and a normaliser to go on
/// with, if any.
type NewWorker<'f, 'p> = dyn Fn(usize, Option<Quarantine>, Option<Normalizer>) -> Result<Worker<'p>, IngestError>
    + Sync
    + 'f;

/// A whole file read: its hash, each worker's findings in file order, and the stitched
/// identities.
type FileRead = (String, Vec<Result<Findings, IngestError>>, Stitched);

/// Identities stitched with an import's links.
struct Stitched {
    /// Links not seen before, sorted.
    new_links: Vec<IdentityLink>,
    ids: Identities,
    /// The identity map to store.
    new_map: HashMap<String, String>,
    /// Whether it differs from the stored one.
    map_changed: bool,
}

/// Reads a CSV file's ranges on the plan's threads, each thread taking the next range when done
/// with one, and hands each range's rows to `feed` in file order as soon as the ranges before
/// it are done; stitches the file's links once the readers are done. Returns the file's hash,
/// each range's findings in file order and the stitched identities, or `None` when a cut fell
/// inside a quoted field and the file must be read with one worker.
fn read_csv_ranges<'p>(
    plan: &CsvPlan<'_>,
    read_opts: &ReadOptions,
    new_worker: &NewWorker<'_, 'p>,
    budget: &AtomicUsize,
    stitch: &(dyn Fn(LinkSet) -> Stitched + Sync),
    feed: &mut Feed<'_>,
) -> Result<Option<FileRead>, IngestError> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let CsvPlan {
        file,
        layout,
        ranges,
        threads,
    } = plan;
    let threads = (*threads).clamp(1, ranges.len());
    let next_range = AtomicUsize::new(0);
    // A thread keeps one normaliser for its ranges: its caches stay warm, and it collects each
    // identity link once.
    let read_range = |k: usize, normalizer: &mut Option<Normalizer>| -> Result<_, IngestError> {
        let (start, end) = ranges[k];
        let mut worker = new_worker(k, None, normalizer.take())?;
        let mut f = fs_err::File::open(file)?;
        f.seek(SeekFrom::Start(start))?;
        let mut census = Census {
            inner: std::io::BufReader::with_capacity(1 << 20, f).take(end - start),
            quotes: 0,
            lines: 0,
        };
        // Lines count from the range's start; the lines before it are added once the earlier
        // ranges have been read.
        let read = crate::io::csv::read_records(
            &mut census,
            layout,
            0,
            start - layout.data_start,
            read_opts,
            &mut worker,
        )
        .and_then(|()| worker.finish())
        .map(|(read, n)| {
            *normalizer = Some(n);
            read
        });
        Ok((read, census.quotes, census.lines))
    };
    // A thread takes a range only with a permit, and pass 2 gives one back for each range it
    // has taken over: the rows waiting for pass 2 stay a few ranges' worth however large the
    // file, and their memory is reused rather than newly mapped. No more permits are ever sent
    // than there are ranges and threads, so no send waits.
    let (permit_tx, permit_rx) = std::sync::mpsc::sync_channel::<()>(ranges.len() + threads + 1);
    for _ in 0..=threads {
        let _ = permit_tx.try_send(());
    }
    let mut permit_tx = Some(permit_tx);
    let permit_rx = std::sync::Mutex::new(permit_rx);
    std::thread::scope(|scope| {
        let hasher = scope.spawn(|| HashingReader::new(fs_err::File::open(file)?).finish());
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let readers: Vec<_> = (0..threads)
            .map(|_| {
                let done_tx = done_tx.clone();
                let (next_range, read_range, permit_rx) = (&next_range, &read_range, &permit_rx);
                scope.spawn(move || {
                    let mut normalizer = None;
                    loop {
                        if !matches!(permit_rx.lock().map(|r| r.recv()), Ok(Ok(()))) {
                            break;
                        }
                        let k = next_range.fetch_add(1, Ordering::Relaxed);
                        if k >= ranges.len()
                            || done_tx.send((k, read_range(k, &mut normalizer))).is_err()
                        {
                            break;
                        }
                    }
                    normalizer.map(|mut n| n.take_links()).unwrap_or_default()
                })
            })
            .collect();
        drop(done_tx);
        // Stitching needs only the links, which are all known once the readers are done: it
        // runs while this thread still hands their last rows to pass 2.
        let stitcher = scope.spawn(move || {
            let mut links = LinkSet::default();
            for r in readers {
                match r.join() {
                    Ok(l) if links.is_empty() => links = l,
                    Ok(l) => links.extend(l),
                    Err(_) => return None,
                }
            }
            Some(stitch(links))
        });
        let mut findings = Vec::with_capacity(ranges.len());
        let mut waiting = std::collections::BTreeMap::new();
        let (mut quotes, mut lines) = (0, layout.header_lines);
        let mut cut_in_quotes = false;
        // Rows go to pass 2 until the first error: the import fails then anyway. Ranges are
        // read on to report more bad rows, until one range has too many or reading fails.
        let mut feeding = true;
        let mut stop = false;
        let mut fed = Ok(());
        for (k, range) in &done_rx {
            waiting.insert(k, range);
            while let Some(range) = waiting.remove(&findings.len()) {
                let last = findings.len() + 1 == ranges.len();
                let (outcome, range_quotes, range_lines) = match range {
                    Ok(r) => r,
                    Err(e) => (Err(e), 0, 0),
                };
                quotes += range_quotes;
                // An odd count of quotes so far: the next range starts inside a quoted
                // field, and this one ends there.
                cut_in_quotes |= quotes % 2 == 1 && !last;
                stop |= cut_in_quotes;
                let first_line = lines;
                let place = |errs: &mut Vec<RowError>| {
                    errs.iter_mut().for_each(|e| e.line += first_line);
                };
                lines += range_lines;
                findings.push(match outcome {
                    Ok((pending, mut errs, counts)) => {
                        place(&mut errs);
                        feeding &= errs.is_empty() && !stop;
                        if feeding {
                            match feed_pending(pending, budget, feed) {
                                Ok(more) => feeding = more,
                                Err(e) => {
                                    feeding = false;
                                    fed = Err(e);
                                }
                            }
                            stop |= !feeding;
                        }
                        Ok((errs, counts))
                    }
                    Err(mut e) => {
                        if let IngestError::BadRows(errs) = &mut e {
                            place(errs);
                        }
                        feeding = false;
                        stop = true;
                        Err(e)
                    }
                });
                if stop {
                    // No new range, and threads waiting for a permit wake up and finish.
                    next_range.store(usize::MAX / 2, Ordering::Relaxed);
                    permit_tx = None;
                } else if let Some(permits) = &permit_tx {
                    let _ = permits.try_send(());
                }
            }
        }
        let stitched = stitcher.join().ok().flatten();
        let hash = hasher.join();
        let Some(stitched) = stitched else {
            return Err(panicked("an import"));
        };
        fed?;
        if cut_in_quotes {
            return Ok(None);
        }
        let hash = hash.map_err(|_| panicked("the hashing"))??;
        Ok(Some((hash, findings, stitched)))
    })
}

/// Splits the data of a CSV file into byte ranges that start at `starts`, each moved on past
/// the first line break at or after it. A line break inside a quoted field would be a wrong cut;
/// the reader of the range before it finds out by counting quotes (see [`Census`]), and the
/// import then reads the file with one worker.
fn split_csv(path: &Path, starts: &[u64], size: u64) -> Result<Vec<(u64, u64)>, IngestError> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut file = fs_err::File::open(path)?;
    let mut cuts = Vec::with_capacity(starts.len() + 1);
    let mut buf = vec![0u8; 64 << 10];
    for &start in starts {
        let Some(&last) = cuts.last() else {
            cuts.push(start);
            continue;
        };
        let mut at = start.max(last);
        file.seek(SeekFrom::Start(at))?;
        let cut = loop {
            let read = file.read(&mut buf)?;
            if read == 0 {
                break size;
            }
            if let Some(i) = buf[..read].iter().position(|b| *b == b'\n') {
                break at + i as u64 + 1;
            }
            at += read as u64;
        };
        cuts.push(cut);
    }
    cuts.push(size);
    Ok(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

/// Counts the quotes and line breaks of what a reader reads: whether the range of a file
/// after it starts outside a quoted field (an even count of quotes), and the line that range
/// starts on, known once the readers before it are done.
struct Census<R> {
    inner: R,
    quotes: u64,
    lines: u64,
}

impl<R: std::io::Read> std::io::Read for Census<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let (quotes, lines) = crate::io::csv::quotes_and_line_breaks(&buf[..read]);
        self.quotes += quotes;
        self.lines += lines;
        Ok(read)
    }
}

/// The keys of every stored event, for deduplication.
///
/// # Errors
/// When a table file cannot be read.
pub fn stored_event_keys(store: &EventStore) -> Result<KeySet, DataError> {
    let mut keys = KeySet::default();
    store.scan(Table::Events, Some(&[event_col::EVENT_ID]), |_, batch| {
        let batch_keys: Vec<u128> = batch
            .column(0)
            .as_string::<i32>()
            .iter()
            .flatten()
            .map(event_key)
            .collect();
        keys.reserve(batch_keys.len());
        insert_keys(&mut keys, batch_keys.len(), |i| batch_keys[i]);
        Ok(())
    })?;
    Ok(keys)
}

/// The customer of each row with these anonymous and user ids.
fn customer_column(anon: &dyn Array, user: &dyn Array, ids: &Identities) -> StringArray {
    anon.as_string::<i32>()
        .iter()
        .zip(user.as_string::<i32>().iter())
        .map(|(a, u)| ids.customer(a, u))
        .collect()
}

fn with_customers(batch: &RecordBatch, ids: &Identities) -> Result<RecordBatch, IngestError> {
    let schema = batch.schema();
    let customer = customer_column(
        batch.column(schema.index_of(event_col::ANONYMOUS_ID)?),
        batch.column(schema.index_of(event_col::USER_ID)?),
        ids,
    );
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    if let Ok(i) = schema.index_of(event_col::CUSTOMER) {
        columns[i] = Arc::new(customer);
    } else {
        columns.insert(1, Arc::new(customer));
    }
    Ok(RecordBatch::try_new(event_schema(), columns)?)
}

/// Threads that encode resolved rows as Parquet.
const ENCODERS: usize = 2;

/// Hands a normalised batch, in file order, to pass 2; `false` when pass 2 has stopped on an
/// error, which [`resolve_and_encode`] then returns.
type Feed<'f> = dyn FnMut(RecordBatch) -> Result<bool, IngestError> + 'f;

/// A row group whose columns are encoded except `customer`, with the anonymous and user ids
/// its customers will be looked up by.
struct PendingGroup {
    group: EncodedRowGroup,
    rows: usize,
    ids: Vec<(ArrayRef, ArrayRef)>,
}

/// Pass 2, while pass 1 still reads: resolves the normalised batches that `produce` hands
/// over, in file order, on this thread (duplicates, session channels), and encodes every
/// column but `customer` on [`ENCODERS`] threads. Returns what `produce` returns and each
/// encoder's row groups.
fn resolve_and_encode<T>(
    resolver: &mut Resolver,
    encoder: &ColumnEncoder,
    produce: impl FnOnce(&mut Feed<'_>) -> Result<T, IngestError>,
) -> Result<(T, Vec<Vec<PendingGroup>>), IngestError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(4);
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| {
        let encoders: Vec<_> = (0..ENCODERS)
            .map(|_| scope.spawn(|| encode_row_groups(&rx, encoder)))
            .collect();
        let mut feed = |batch: RecordBatch| -> Result<bool, IngestError> {
            let resolved = resolver.resolve(&batch)?;
            Ok(resolved.num_rows() == 0 || tx.send(resolved).is_ok())
        };
        let produced = produce(&mut feed);
        drop(tx);
        let mut groups = Vec::with_capacity(ENCODERS);
        for e in encoders {
            groups.push(e.join().map_err(|_| panicked("an encoder"))??);
        }
        Ok((produced?, groups))
    })
}

/// Encodes the resolved batches it receives as row groups of [`ROW_GROUP_ROWS`] rows (the
/// last one fewer), every column but `customer`.
fn encode_row_groups(
    rx: &std::sync::Mutex<std::sync::mpsc::Receiver<RecordBatch>>,
    encoder: &ColumnEncoder,
) -> Result<Vec<PendingGroup>, IngestError> {
    let table = encoder.schema().clone();
    let customer = table.index_of(event_col::CUSTOMER)?;
    // Where each table column but `customer` stands in a resolved batch.
    let resolved = unstitched_event_schema();
    let mut columns = Vec::with_capacity(table.fields().len());
    for (i, f) in table.fields().iter().enumerate() {
        if i != customer {
            columns.push((i, resolved.index_of(f.name())?));
        }
    }
    let anon = resolved.index_of(event_col::ANONYMOUS_ID)?;
    let user = resolved.index_of(event_col::USER_ID)?;
    let finish = |g: RowGroupEncoder, rows: usize, ids: Vec<(ArrayRef, ArrayRef)>| {
        Ok::<_, IngestError>(PendingGroup {
            group: g.finish(&[customer])?,
            rows,
            ids,
        })
    };
    let mut groups = Vec::new();
    let mut current: Option<RowGroupEncoder> = None;
    let mut rows = 0;
    let mut ids = Vec::new();
    loop {
        let batch = match rx.lock().map(|r| r.recv()) {
            Ok(Ok(b)) => b,
            _ => break,
        };
        let mut offset = 0;
        while offset < batch.num_rows() {
            let g = match &mut current {
                Some(g) => g,
                None => current.insert(encoder.row_group()?),
            };
            let take = (ROW_GROUP_ROWS - rows).min(batch.num_rows() - offset);
            let part = batch.slice(offset, take);
            for (i, j) in &columns {
                g.write(*i, part.column(*j))?;
            }
            ids.push((part.column(anon).clone(), part.column(user).clone()));
            rows += take;
            offset += take;
            if rows == ROW_GROUP_ROWS {
                let g = current.take().expect("just filled");
                groups.push(finish(g, rows, std::mem::take(&mut ids))?);
                rows = 0;
            }
        }
    }
    if let Some(g) = current {
        groups.push(finish(g, rows, ids)?);
    }
    Ok(groups)
}

/// Encodes each row group's customers and writes the groups as files of up to [`FILE_ROWS`]
/// rows, one thread per encoder's groups. Returns the rows written.
fn write_row_groups(
    groups: Vec<Vec<PendingGroup>>,
    ids: &Identities,
    encoder: &ColumnEncoder,
    staging: &Staging,
    progress: &dyn Progress,
) -> Result<u64, IngestError> {
    let customer = encoder.schema().index_of(event_col::CUSTOMER)?;
    let done = AtomicU64::new(0);
    std::thread::scope(|scope| {
        let writers: Vec<_> = groups
            .into_iter()
            .map(|list| {
                let done = &done;
                scope.spawn(move || -> Result<u64, IngestError> {
                    let mut written = 0u64;
                    let mut file = Vec::new();
                    let mut file_rows = 0;
                    let count = list.len();
                    for (n, g) in list.into_iter().enumerate() {
                        let customers: Vec<ArrayRef> = g
                            .ids
                            .iter()
                            .map(|(a, u)| Arc::new(customer_column(a, u, ids)) as ArrayRef)
                            .collect();
                        let mut group = g.group;
                        group.encode(encoder, customer, &customers)?;
                        file.push(group);
                        file_rows += g.rows;
                        if file_rows >= FILE_ROWS || n + 1 == count {
                            staging.write_row_groups(encoder, std::mem::take(&mut file))?;
                            written += file_rows as u64;
                            let total = done.fetch_add(file_rows as u64, Ordering::Relaxed)
                                + file_rows as u64;
                            progress.set(total);
                            file_rows = 0;
                        }
                    }
                    Ok(written)
                })
            })
            .collect();
        let mut written = 0;
        for w in writers {
            written += w.join().map_err(|_| panicked("a writer"))??;
        }
        Ok(written)
    })
}

/// Hands the batches of `pending` to `feed` in order, giving their memory back to `budget`.
/// Returns `false` when `feed` did.
fn feed_pending(
    pending: Pending,
    budget: &AtomicUsize,
    feed: &mut Feed<'_>,
) -> Result<bool, IngestError> {
    for batch in pending.memory {
        budget.fetch_add(batch.get_array_memory_size(), Ordering::Relaxed);
        if !feed(batch)? {
            return Ok(false);
        }
    }
    if let Some(spill) = pending.spill {
        let reader =
            StreamReader::try_new(std::io::BufReader::new(fs_err::File::open(&spill)?), None)?;
        for batch in reader {
            if !feed(batch?)? {
                return Ok(false);
            }
        }
        fs_err::remove_file(spill)?;
    }
    Ok(true)
}

/// Rewrites the customer column of event files (other than `skip_import`'s) whose stored
/// customers differ from `ids`. Returns the number of files rewritten.
///
/// # Errors
/// When a file cannot be read or written.
pub fn restitch_files(
    store: &EventStore,
    ids: &Identities,
    skip_import: Option<&str>,
) -> Result<usize, IngestError> {
    let mut rewritten = 0;
    let cols = [
        event_col::ANONYMOUS_ID,
        event_col::USER_ID,
        event_col::CUSTOMER,
    ];
    for part in store.partitions(Table::Events)? {
        if Some(part.import_id.as_str()) == skip_import {
            continue;
        }
        let mut stale = false;
        for batch in EventStore::read(&part.path, Some(&cols), 64 * 1024)? {
            let batch = batch?;
            let anon = batch.column(0).as_string::<i32>();
            let user = batch.column(1).as_string::<i32>();
            let customer = batch.column(2).as_string::<i32>();
            if (0..batch.num_rows()).any(|i| {
                let a = anon.is_valid(i).then(|| anon.value(i));
                let u = user.is_valid(i).then(|| user.value(i));
                let c = customer.is_valid(i).then(|| customer.value(i));
                ids.customer(a, u) != c
            }) {
                stale = true;
                break;
            }
        }
        if stale {
            EventStore::rewrite(&part.path, &event_schema(), |b| {
                with_customers(&b, ids).map_err(|e| match e {
                    IngestError::Data(d) => d,
                    other => DataError::Corrupt(other.to_string()),
                })
            })?;
            rewritten += 1;
        }
    }
    Ok(rewritten)
}

/// Re-stitches every identity and rewrites the event files whose customers changed: a repair
/// after an interrupted import. Returns the number of files rewritten.
///
/// # Errors
/// When the store cannot be read or written.
pub fn restitch(root: &Path) -> Result<usize, IngestError> {
    let store = EventStore::open(root);
    let _lock = store.lock()?;
    let db = AppDb::open(root)?;
    let links = db.identity_links()?;
    let ids = Identities::from_links(&links);
    let n = restitch_files(&store, &ids, None)?;
    Ok(n)
}

/// Imports one event file into the workspace at `root`.
///
/// # Errors
/// [`IngestError::BadRows`] for bad values (the store is then unchanged); usage, format, I/O
/// and store errors otherwise.
pub fn import_events(
    root: &Path,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, IngestError> {
    let lock = EventStore::open(root).lock()?;
    import_events_locked(root, file, opts, progress, &lock)
}

/// [`import_events`] for a caller that already holds the workspace's data lock, so that it can
/// do more under the same lock (the collector's compaction records how far it got).
///
/// # Errors
/// As [`import_events`].
pub fn import_events_locked(
    root: &Path,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
    _lock: &DataLock,
) -> Result<ImportReport, IngestError> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let file_name = file.display().to_string();
    let store = EventStore::open(root);
    let mut db = AppDb::open(root)?;
    store.remove_orphans(&db.import_ids()?)?;

    let mut input = fs_err::File::open(file)?;
    let size = input.metadata()?.len();
    let format = match opts.format {
        Some(f) => f,
        None => {
            let mut head = vec![0u8; 64 * 1024];
            let mut n = 0;
            use std::io::{Read as _, Seek as _};
            while n < head.len() {
                let k = input.read(&mut head[n..])?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            head.truncate(n);
            input.rewind()?;
            detect(&file_name, &head)
        }
    };
    if !format.takes_mapping() && !opts.mapping.is_empty() {
        return Err(IngestError::Usage(format!(
            "--map does not apply to {format} files: their layout is fixed"
        )));
    }
    let rules = match &opts.channel_rules {
        Some(r) => r.clone(),
        None => workspace_rules(root)?,
    };
    let grouper = ChannelGrouper::with_rules(rules).map_err(|m| IngestError::File {
        file: "polku.yaml".into(),
        message: m,
    })?;
    let suppressed = db.suppressed()?;
    let key = if opts.pseudonymize || !suppressed.is_empty() {
        Some(PseudonymKey::load_or_create(&mut db)?)
    } else {
        None
    };
    progress.begin("reading stored events", None);
    let seen = stored_event_keys(&store)?;
    let stored_links = db.identity_links()?;
    let old_map = db.identity_map()?;
    // Stitches with every link ever seen, as soon as the file's links are all known.
    let stitch = |links: LinkSet| -> Stitched {
        let known: LinkSet = stored_links.iter().cloned().collect();
        let mut new_links: Vec<_> = links.into_iter().filter(|l| !known.contains(l)).collect();
        new_links.sort();
        let ids = Identities::from_links(stored_links.iter().chain(new_links.iter()));
        let new_map = ids.to_node_map();
        let map_changed = old_map != new_map;
        Stitched {
            new_links,
            ids,
            new_map,
            map_changed,
        }
    };
    let import_id = new_import_id();
    let staging = store.stage(Table::Events, &import_id)?;
    let suppressed = Arc::new(suppressed);
    let result = (|| {
        let read_opts = ReadOptions {
            file_name: file_name.clone(),
            mapping: opts.mapping.clone(),
            delimiter: opts.delimiter,
            time: TimeParser::new(opts.timezone),
        };
        let read_total = AtomicU64::new(0);
        let quarantine = || {
            opts.quarantine.as_ref().map(|p| Quarantine {
                path: p.clone(),
                out: None,
                header: None,
                json: format != Format::Csv,
            })
        };
        let budget = AtomicUsize::new(opts.memory_budget);
        let new_worker = |k: usize, q: Option<Quarantine>, normalizer: Option<Normalizer>| {
            Worker::new(
                Stash {
                    memory: Vec::new(),
                    budget: &budget,
                    path: staging.dir().join(format!("spill-{k}.arrows")),
                    spill: None,
                },
                normalizer.unwrap_or_else(|| {
                    Normalizer::new(
                        grouper.clone(),
                        key.clone(),
                        opts.pseudonymize,
                        suppressed.clone(),
                    )
                }),
                q,
                progress,
                &read_total,
            )
        };
        progress.begin("importing", Some(size));
        let encoder = ColumnEncoder::new(&event_schema())?;
        let mut seen = Some(seen);
        let mut read = None;
        if format == Format::Csv && opts.quarantine.is_none() && size >= PARALLEL_MIN_BYTES {
            use std::io::{Read as _, Seek as _};
            let mut head = Vec::new();
            (&mut input)
                .take(crate::io::csv::HEAD_BYTES as u64)
                .read_to_end(&mut head)?;
            let layout = crate::io::csv::layout(&head, head.len() as u64 == size, &read_opts)?;
            let threads = opts.read_threads.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
            });
            let starts = range_starts(
                layout.data_start,
                size,
                opts.read_range_bytes,
                threads as u64,
            );
            let plan = CsvPlan {
                file,
                layout: &layout,
                ranges: split_csv(file, &starts, size)?,
                threads,
            };
            let mut resolver =
                Resolver::new(seen.take().unwrap_or_default(), format.name(), &import_id);
            // As many keys as the head's lines suggest the file has rows.
            let lines = crate::io::csv::quotes_and_line_breaks(&head).1.max(1);
            resolver
                .reserve(usize::try_from(size / (head.len() as u64 / lines).max(1)).unwrap_or(0));
            let (in_ranges, groups) = resolve_and_encode(&mut resolver, &encoder, |feed| {
                read_csv_ranges(&plan, &read_opts, &new_worker, &budget, &stitch, feed)
            })?;
            match in_ranges {
                Some((hash, outcomes, stitched)) => {
                    read = Some((hash, outcomes, stitched, groups, resolver));
                }
                None => {
                    // A cut fell inside a quoted field: read the file again with one worker,
                    // and the progress bar starts over.
                    drop(groups);
                    input.rewind()?;
                    budget.store(opts.memory_budget, Ordering::Relaxed);
                    read_total.store(0, Ordering::Relaxed);
                    progress.begin("importing", Some(size));
                }
            }
        }
        let (file_hash, outcomes, stitched, groups, resolver) = match read {
            Some(read) => read,
            None => {
                let seen = match seen.take() {
                    Some(seen) => seen,
                    None => stored_event_keys(&store)?,
                };
                let mut resolver = Resolver::new(seen, format.name(), &import_id);
                let ((hash, outcome, links), groups) =
                    resolve_and_encode(&mut resolver, &encoder, |feed| {
                        let mut worker = new_worker(0, quarantine(), None)?;
                        let (read, hash) = if format == Format::Parquet {
                            let hash = HashingReader::new(fs_err::File::open(file)?).finish()?;
                            let r = crate::io::parquet::read(
                                input.into_parts().0,
                                &read_opts,
                                &mut worker,
                            );
                            (r.and_then(|()| worker.finish()), hash)
                        } else {
                            let mut hashing = HashingReader::new(input);
                            let r = match format {
                                Format::Csv => {
                                    crate::io::csv::read(&mut hashing, &read_opts, &mut worker)
                                }
                                Format::Ndjson => {
                                    crate::io::ndjson::read(&mut hashing, &read_opts, &mut worker)
                                }
                                Format::Ga4 => {
                                    crate::io::ga4::read(&mut hashing, &read_opts, &mut worker)
                                }
                                Format::Segment => {
                                    crate::io::segment::read(&mut hashing, &read_opts, &mut worker)
                                }
                                Format::Parquet => unreachable!("handled above"),
                            };
                            (r.and_then(|()| worker.finish()), hashing.finish()?)
                        };
                        let (outcome, links) = match read {
                            Ok(((pending, errors, counts), mut normalizer)) => {
                                if errors.is_empty() {
                                    feed_pending(pending, &budget, feed)?;
                                }
                                (Ok((errors, counts)), normalizer.take_links())
                            }
                            Err(e) => (Err(e), LinkSet::default()),
                        };
                        Ok((hash, outcome, stitch(links)))
                    })?;
                (hash, vec![outcome], links, groups, resolver)
            }
        };
        // Errors in file order; the first ones only.
        let mut errors: Vec<RowError> = Vec::new();
        let mut report = ImportReport {
            import_id: import_id.clone(),
            format,
            file_hash,
            rows_read: 0,
            added: 0,
            duplicates: 0,
            quarantined: 0,
            suppressed: 0,
            other_messages: 0,
            new_links: 0,
            restitched_files: 0,
            elapsed: Duration::ZERO,
        };
        let mut normalized = 0;
        for outcome in outcomes {
            match outcome {
                Ok((errs, counts)) => {
                    errors.extend(errs);
                    report.rows_read += counts.rows_read;
                    report.suppressed += counts.suppressed;
                    report.quarantined += counts.quarantined;
                    report.other_messages += counts.other;
                    normalized += counts.normalized;
                }
                Err(IngestError::BadRows(errs)) => errors.extend(errs),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            errors.truncate(MAX_REPORTED_ERRORS);
            return Err(IngestError::BadRows(errors));
        }

        report.new_links = stitched.new_links.len() as u64;

        progress.begin("writing", Some(normalized - resolver.duplicates));
        report.duplicates = resolver.duplicates;
        Ok((report, stitched, groups, encoder))
    })();
    let (mut report, stitched, groups, encoder) = match result {
        Ok(r) => r,
        Err(e) => {
            staging.abort();
            progress.end();
            return Err(e);
        }
    };

    // The identity rows go into the database while the files are written; the import commits
    // once both are done.
    let Stitched {
        new_links,
        ids,
        new_map,
        map_changed,
    } = stitched;
    let db_ref = &mut db;
    let (written, transaction) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| write_row_groups(groups, &ids, &encoder, &staging, progress));
        let db = db_ref;
        let transaction = db.begin_import(&import_id, &new_links, map_changed.then_some(&new_map));
        let written = writer.join().map_err(|_| panicked("a writer"));
        (written.and_then(|w| w), transaction)
    });
    let transaction = match (written, transaction) {
        (Ok(added), Ok(transaction)) => {
            report.added = added;
            transaction
        }
        (Err(e), _) => {
            staging.abort();
            progress.end();
            return Err(e);
        }
        (Ok(_), Err(e)) => {
            staging.abort();
            progress.end();
            return Err(e.into());
        }
    };

    progress.begin("committing", None);
    staging.publish()?;
    let record = ImportRecord {
        id: import_id.clone(),
        kind: "events".into(),
        file: file_name,
        file_hash: report.file_hash.clone(),
        format: format.name().into(),
        rows_read: report.rows_read,
        rows_added: report.added,
        duplicates: report.duplicates,
        quarantined: report.quarantined,
        started_at,
        finished_at: now_rfc3339(),
        user: opts.user.clone(),
        pseudonymized: opts.pseudonymize,
    };
    if let Err(e) = transaction.commit(&record) {
        let _ = store.remove_import(&import_id);
        progress.end();
        return Err(e.into());
    }
    if map_changed {
        progress.begin("re-stitching older events", None);
        report.restitched_files = restitch_files(&store, &ids, Some(&import_id))?;
    }
    progress.end();
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::{Census, range_starts};

    proptest::proptest! {
        #[test]
        fn ranges_cover_the_file_in_shrinking_pieces(
            start in 0u64..1000,
            len in 0u64..10_000_000,
            range_bytes in 1u64..3_000_000,
            threads in 1u64..9,
        ) {
            let end = start + len;
            let starts = range_starts(start, end, range_bytes, threads);
            proptest::prop_assert!(starts.len() >= 2);
            proptest::prop_assert_eq!(starts[0], start);
            let mut sizes: Vec<u64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
            sizes.push(end - starts[starts.len() - 1]);
            if len >= 2 * range_bytes {
                // Pieces of `range_bytes` at most (the last one takes what is left of a piece
                // too small to stand alone), never growing toward the end.
                proptest::prop_assert!(starts.windows(2).all(|w| w[0] < w[1]));
                proptest::prop_assert!(sizes[..sizes.len() - 1].iter().all(|s| *s <= range_bytes));
                proptest::prop_assert!(sizes[..sizes.len() - 1].windows(2).all(|w| w[0] >= w[1]));
                proptest::prop_assert!(*sizes.last().unwrap() < 2 * range_bytes.max(range_bytes / 8 + 1));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn census_counts_every_quote_and_line_break(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![proptest::prelude::Just(b'"'), proptest::prelude::Just(b'\n'), proptest::prelude::any::<u8>()],
                0..2000,
            ),
            piece in 1usize..700,
        ) {
            let mut census = Census { inner: &bytes[..], quotes: 0, lines: 0 };
            let mut buf = vec![0u8; piece];
            while census.read(&mut buf).unwrap() > 0 {}
            let count = |byte: u8| bytes.iter().filter(|b| **b == byte).count() as u64;
            proptest::prop_assert_eq!(census.quotes, count(b'"'));
            proptest::prop_assert_eq!(census.lines, count(b'\n'));
        }
    }
}
