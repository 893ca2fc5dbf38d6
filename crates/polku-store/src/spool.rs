//! The collector's spool: a write-ahead log of received messages, waiting to become Parquet.
//!
//! A web collector must answer in milliseconds, while a Parquet import rewrites files and
//! restitches identities; so an acknowledged message first lands here, in an append-only log
//! under `.polku/spool/`, and a compaction later turns the log into an ordinary import.
//!
//! - The log is a series of segment files `NNNNNNNNNNNN.log`. One process at a time writes (it
//!   holds `writer.lock`); it only ever appends to the highest-numbered segment, so every lower
//!   segment is sealed and can be read without racing the writer.
//! - A record is `[payload length: u32 LE][xxh3-64 of the payload: u64 LE][payload]`. The
//!   writer appends a whole group of records with one `write` and one `fdatasync`, and only
//!   then acknowledges them: a record that a client saw acknowledged is on disk.
//! - On open, the writer checks the last segment: a record cut short or failing its checksum at
//!   the very end (a write torn by a crash) was never synced, hence never acknowledged, and is
//!   cut off. A bad record with valid data after it is not a torn write but damage; the
//!   segment is then moved aside to `damaged/` for inspection instead of being truncated, so
//!   nothing acknowledged is dropped silently. The writer then starts a new segment.
//! - Compaction remembers how far it has read each segment in `compacted` (written
//!   atomically) and deletes a segment once it is sealed and read to its end.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use xxhash_rust::xxh3::xxh3_64;

use crate::events::STATE_DIR;
use crate::workspace::write_atomic;

/// The spool folder inside a workspace.
pub const SPOOL_DIR: &str = "spool";
/// A segment is sealed and a new one started once it grows past this size.
pub const SEGMENT_BYTES: u64 = 64 << 20;
/// The largest payload one record may carry.
pub const MAX_RECORD: usize = 64 << 20;
/// Bytes before each payload: its length and checksum.
pub const HEADER: usize = 12;

const WATERMARKS: &str = "compacted";
const WRITER_LOCK: &str = "writer.lock";

/// The spool folder of the workspace at `root`.
#[must_use]
pub fn spool_dir(root: &Path) -> PathBuf {
    root.join(STATE_DIR).join(SPOOL_DIR)
}

fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:012}.log"))
}

/// The segments of the spool at `dir`, by number.
///
/// # Errors
/// When the folder cannot be listed.
pub fn segments(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    let entries = match fs_err::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "log")
            && let Some(n) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u64>().ok())
        {
            out.push((n, path));
        }
    }
    out.sort();
    Ok(out)
}

/// Encodes one record.
#[must_use]
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    push_record(&mut out, payload);
    out
}

fn push_record(out: &mut Vec<u8>, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("payloads are bounded by MAX_RECORD");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&xxh3_64(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// What reading a segment found after its last good record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// The segment ends exactly after a good record.
    Clean,
    /// An incomplete or bad record runs to the end of the file: a write torn by a crash, or
    /// (in the segment a live writer appends to) a write still in progress.
    Torn,
    /// A bad record is followed by more data: the file is damaged.
    Damaged,
}

/// The good records of one segment from a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRead {
    /// The payloads, in order.
    pub records: Vec<Vec<u8>>,
    /// The offset just after the last good record.
    pub end: u64,
    /// What follows `end`.
    pub tail: Tail,
    /// The file's length when read.
    pub file_len: u64,
}

/// Reads the good records of a segment file from `offset` (a record boundary).
///
/// # Errors
/// When the file cannot be read.
pub fn read_segment(path: &Path, offset: u64) -> std::io::Result<SegmentRead> {
    let mut bytes = Vec::new();
    fs_err::File::open(path)?.read_to_end(&mut bytes)?;
    Ok(parse_records(&bytes, offset))
}

/// Splits `bytes` (a segment's content) into good records from `offset`.
#[must_use]
pub fn parse_records(bytes: &[u8], offset: u64) -> SegmentRead {
    let file_len = bytes.len() as u64;
    let mut pos = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let mut records = Vec::new();
    let tail = loop {
        let rest = &bytes[pos..];
        if rest.is_empty() {
            break Tail::Clean;
        }
        if rest.len() < HEADER {
            break Tail::Torn;
        }
        let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        let sum = u64::from_le_bytes(rest[4..HEADER].try_into().expect("8 bytes"));
        if len > MAX_RECORD {
            // A length no writer produces: damage, unless nothing but zeros or garbage of a
            // torn header follows, which the length alone cannot tell; treat a header that
            // claims more than the rest of the file as torn.
            break if HEADER + len > rest.len() {
                Tail::Torn
            } else {
                Tail::Damaged
            };
        }
        if HEADER + len > rest.len() {
            break Tail::Torn;
        }
        let payload = &rest[HEADER..HEADER + len];
        if xxh3_64(payload) != sum {
            break if HEADER + len == rest.len() {
                Tail::Torn
            } else {
                Tail::Damaged
            };
        }
        records.push(payload.to_vec());
        pos += HEADER + len;
    };
    SegmentRead {
        records,
        end: pos as u64,
        tail,
        file_len,
    }
}

/// How far compaction has read each segment.
///
/// # Errors
/// When the file exists but cannot be read.
pub fn watermarks(dir: &Path) -> std::io::Result<BTreeMap<u64, u64>> {
    let text = match fs_err::read_to_string(dir.join(WATERMARKS)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .filter_map(|l| {
            let (a, b) = l.split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect())
}

/// Records how far compaction has read each segment, atomically.
///
/// # Errors
/// When the file cannot be written.
pub fn set_watermarks(dir: &Path, marks: &BTreeMap<u64, u64>) -> std::io::Result<()> {
    let mut text = String::new();
    for (seg, off) in marks {
        text.push_str(&format!("{seg} {off}\n"));
    }
    write_atomic(&dir.join(WATERMARKS), text.as_bytes())
}

/// Whether a process is writing to the spool at `dir` now; `None` when no writer runs, else
/// the lock file, which the caller holds while it looks (so that no writer starts meanwhile).
///
/// # Errors
/// When the lock file cannot be created.
pub fn try_writer_lock(dir: &Path) -> std::io::Result<Option<File>> {
    fs_err::create_dir_all(dir)?;
    let file = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(WRITER_LOCK))?
        .into_parts()
        .0;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// What opening the spool for writing found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Segments waiting for compaction.
    pub pending_segments: usize,
    /// Bytes of a torn, never acknowledged record cut off the last segment.
    pub torn_bytes: u64,
    /// Damaged segments moved to `damaged/`.
    pub damaged: Vec<PathBuf>,
}

/// The writing end of a spool: the one process that appends.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    active: File,
    active_no: u64,
    active_len: u64,
    _lock: File,
}

/// Why the spool cannot be opened for writing.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// Another process writes to this spool.
    #[error(
        "another process is collecting into {0} (its spool is locked); stop it first or use another workspace"
    )]
    Busy(PathBuf),
    /// The file system failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    // A new or renamed file is durable only once its folder entry is.
    fs_err::File::open(dir)?.sync_all()
}

impl Spool {
    /// Opens the spool of the workspace at `root` for writing: takes the writer lock, repairs
    /// a torn tail, and starts a new segment.
    ///
    /// # Errors
    /// [`SpoolError::Busy`] when another process writes; I/O errors.
    pub fn open(root: &Path) -> Result<(Spool, Recovery), SpoolError> {
        let dir = spool_dir(root);
        let Some(lock) = try_writer_lock(&dir)? else {
            return Err(SpoolError::Busy(root.to_path_buf()));
        };
        let mut recovery = Recovery::default();
        let segs = segments(&dir)?;
        if let Some((_, last)) = segs.last() {
            let read = read_segment(last, 0)?;
            match read.tail {
                Tail::Clean => {}
                Tail::Torn => {
                    recovery.torn_bytes = read.file_len - read.end;
                    let f = fs_err::OpenOptions::new().write(true).open(last)?;
                    f.set_len(read.end)?;
                    f.sync_all()?;
                }
                Tail::Damaged => recovery.damaged.push(last.clone()),
            }
        }
        // Sealed segments are read only by compaction, which stops at damage; check them too,
        // so that damage is found when the server starts rather than later.
        for (_, path) in segs.iter().rev().skip(1) {
            if read_segment(path, 0)?.tail != Tail::Clean {
                recovery.damaged.push(path.clone());
            }
        }
        if !recovery.damaged.is_empty() {
            let aside = dir.join("damaged");
            fs_err::create_dir_all(&aside)?;
            for p in &recovery.damaged {
                let name = p.file_name().expect("a segment file");
                fs_err::rename(p, aside.join(name))?;
            }
            sync_dir(&dir)?;
        }
        let next = segs.last().map_or(1, |(n, _)| n + 1);
        recovery.pending_segments = segments(&dir)?.len();
        let active = Self::create_segment(&dir, next)?;
        Ok((
            Spool {
                dir,
                active,
                active_no: next,
                active_len: 0,
                _lock: lock,
            },
            recovery,
        ))
    }

    fn create_segment(dir: &Path, n: u64) -> std::io::Result<File> {
        let f = fs_err::OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(segment_path(dir, n))?
            .into_parts()
            .0;
        sync_dir(dir)?;
        Ok(f)
    }

    /// The spool folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The number of the segment being written.
    #[must_use]
    pub fn active_segment(&self) -> u64 {
        self.active_no
    }

    /// Appends records and syncs them to disk; when this returns `Ok`, they are durable.
    ///
    /// # Errors
    /// When writing or syncing fails; the records must then not be acknowledged.
    pub fn append(&mut self, payloads: &[&[u8]]) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(payloads.iter().map(|p| HEADER + p.len()).sum());
        for p in payloads {
            push_record(&mut buf, p);
        }
        self.append_encoded(&buf)
    }

    fn append_encoded(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        if let Err(e) = self
            .active
            .write_all(buf)
            .and_then(|()| self.active.sync_data())
        {
            // What reached the file is unknown; seal it and go on in a fresh segment, whose
            // reader sees the unacknowledged part as a torn tail at worst.
            let _ = self.rotate();
            return Err(e);
        }
        self.active_len += buf.len() as u64;
        if self.active_len >= SEGMENT_BYTES {
            self.rotate()?;
        }
        Ok(())
    }

    /// Seals the active segment and starts the next one; returns the sealed segment's number.
    ///
    /// # Errors
    /// When the next segment cannot be created.
    pub fn rotate(&mut self) -> std::io::Result<u64> {
        let sealed = self.active_no;
        self.active = Self::create_segment(&self.dir, sealed + 1)?;
        self.active_no = sealed + 1;
        self.active_len = 0;
        Ok(sealed)
    }
}

/// Called with the outcome once a submitted record is durable (or failed).
pub type Done = Box<dyn FnOnce(std::io::Result<()>) + Send>;

enum Command {
    Append(Vec<u8>, Done),
    Rotate(Box<dyn FnOnce(std::io::Result<u64>) + Send>),
}

/// Group commit: a thread that owns the [`Spool`] and appends every record submitted while
/// the previous `fdatasync` ran with one write and one sync of its own.
///
/// An fsync costs about as much for one record as for a thousand, so concurrent requests share
/// it: under load each sync carries many requests' records and the throughput is bounded by
/// the disk's bandwidth, not by its sync latency.
#[derive(Debug, Clone)]
pub struct SpoolWriter {
    tx: mpsc::Sender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Append(p, _) => write!(f, "Append({} bytes)", p.len()),
            Command::Rotate(_) => f.write_str("Rotate"),
        }
    }
}

/// Most bytes one group commit writes.
const GROUP_BYTES: usize = 16 << 20;

impl SpoolWriter {
    /// Starts the writer thread; it ends when every [`SpoolWriter`] clone is dropped.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn spawn(spool: Spool) -> std::io::Result<(SpoolWriter, JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel::<Command>();
        let handle = std::thread::Builder::new()
            .name("polku-spool".into())
            .spawn(move || Self::run(spool, &rx))?;
        Ok((SpoolWriter { tx }, handle))
    }

    fn run(mut spool: Spool, rx: &mpsc::Receiver<Command>) {
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut waiting: Vec<Done> = Vec::new();
        let mut next: Option<Command> = None;
        loop {
            let Some(first) = next.take().or_else(|| rx.recv().ok()) else {
                return;
            };
            let mut cmd = Some(first);
            // Gather every append already queued into one group; a rotation waits for it.
            while let Some(c) = cmd.take() {
                match c {
                    Command::Append(payload, done) => {
                        if payload.len() > MAX_RECORD {
                            done(Err(std::io::Error::other("record too large")));
                        } else {
                            push_record(&mut buf, &payload);
                            waiting.push(done);
                        }
                        if buf.len() < GROUP_BYTES {
                            cmd = rx.try_recv().ok();
                        }
                    }
                    rotate @ Command::Rotate(_) => next = Some(rotate),
                }
            }
            if !waiting.is_empty() {
                let result = spool.append_encoded(&buf);
                buf.clear();
                match result {
                    Ok(()) => waiting.drain(..).for_each(|d| d(Ok(()))),
                    Err(e) => {
                        let (kind, msg) = (e.kind(), e.to_string());
                        waiting
                            .drain(..)
                            .for_each(|d| d(Err(std::io::Error::new(kind, msg.clone()))));
                    }
                }
            }
            if let Some(Command::Rotate(done)) = next.take() {
                done(spool.rotate());
            }
        }
    }

    /// Submits one record; `done` runs on the writer thread once it is durable or failed.
    pub fn submit(&self, payload: Vec<u8>, done: Done) {
        if let Err(mpsc::SendError(Command::Append(_, done))) =
            self.tx.send(Command::Append(payload, done))
        {
            done(Err(std::io::Error::other("the spool writer has stopped")));
        }
    }

    /// Seals the active segment after every record submitted before; `done` gets the sealed
    /// segment's number.
    pub fn rotate(&self, done: Box<dyn FnOnce(std::io::Result<u64>) + Send>) {
        if let Err(mpsc::SendError(Command::Rotate(done))) = self.tx.send(Command::Rotate(done)) {
            done(Err(std::io::Error::other("the spool writer has stopped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(r: &SegmentRead) -> Vec<&[u8]> {
        r.records.iter().map(Vec::as_slice).collect()
    }

    #[test]
    fn records_round_trip_and_a_torn_tail_is_cut_at_the_last_good_record() {
        let mut bytes = encode(b"one");
        bytes.extend(encode(b"two"));
        let good = bytes.len() as u64;
        let third = encode(b"three");
        for cut in 1..third.len() {
            let mut torn = bytes.clone();
            torn.extend_from_slice(&third[..cut]);
            let r = parse_records(&torn, 0);
            assert_eq!(records(&r), [b"one".as_slice(), b"two"], "cut at {cut}");
            assert_eq!(r.end, good);
            assert_eq!(r.tail, Tail::Torn, "cut at {cut}");
        }
        let mut whole = bytes.clone();
        whole.extend_from_slice(&third);
        let r = parse_records(&whole, 0);
        assert_eq!(r.records.len(), 3);
        assert_eq!(r.tail, Tail::Clean);
        let from_second = parse_records(&whole, 15);
        assert_eq!(records(&from_second), [b"two".as_slice(), b"three"]);
    }

    #[test]
    fn a_bad_record_followed_by_data_is_damage_not_a_torn_tail() {
        let mut bytes = encode(b"one");
        let mut second = encode(b"two");
        second[HEADER] ^= 0xff;
        bytes.extend(second.clone());
        assert_eq!(parse_records(&bytes, 0).tail, Tail::Torn);
        bytes.extend(encode(b"three"));
        let r = parse_records(&bytes, 0);
        assert_eq!(records(&r), [b"one".as_slice()]);
        assert_eq!(r.tail, Tail::Damaged);
    }

    #[test]
    fn reopening_cuts_the_torn_tail_and_keeps_every_synced_record() {
        let root = tempfile::tempdir().unwrap();
        let (mut spool, rec) = Spool::open(root.path()).unwrap();
        assert_eq!(rec, Recovery::default());
        spool.append(&[b"a", b"b"]).unwrap();
        let path = segment_path(spool.dir(), spool.active_segment());
        drop(spool);
        // A crash in the middle of the next write.
        let mut f = fs_err::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&encode(b"never acknowledged")[..9]).unwrap();
        drop(f);
        let (spool, rec) = Spool::open(root.path()).unwrap();
        assert_eq!(rec.torn_bytes, 9);
        assert_eq!(rec.pending_segments, 1);
        let r = read_segment(&path, 0).unwrap();
        assert_eq!(records(&r), [b"a".as_slice(), b"b"]);
        assert_eq!(r.tail, Tail::Clean);
        assert_eq!(spool.active_segment(), 2);
        // A second writer is refused while the first holds the spool.
        assert!(matches!(Spool::open(root.path()), Err(SpoolError::Busy(_))));
    }

    #[test]
    fn a_damaged_segment_is_moved_aside_not_truncated() {
        let root = tempfile::tempdir().unwrap();
        let (mut spool, _) = Spool::open(root.path()).unwrap();
        spool.append(&[b"a", b"b", b"c"]).unwrap();
        let path = segment_path(spool.dir(), 1);
        drop(spool);
        let mut bytes = fs_err::read(&path).unwrap();
        bytes[HEADER + 1 + HEADER] ^= 1; // the payload of "b"
        fs_err::write(&path, &bytes).unwrap();
        let (spool, rec) = Spool::open(root.path()).unwrap();
        assert_eq!(rec.damaged, std::slice::from_ref(&path));
        assert!(!path.exists());
        assert_eq!(
            fs_err::read(spool.dir().join("damaged/000000000001.log")).unwrap(),
            bytes
        );
    }

    #[test]
    fn group_commit_acknowledges_every_record_once_and_keeps_their_order() {
        let root = tempfile::tempdir().unwrap();
        let (spool, _) = Spool::open(root.path()).unwrap();
        let dir = spool.dir().to_path_buf();
        let (writer, handle) = SpoolWriter::spawn(spool).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..500u32 {
            let tx = tx.clone();
            writer.submit(
                i.to_le_bytes().to_vec(),
                Box::new(move |r| tx.send((i, r.is_ok())).unwrap()),
            );
        }
        let (rtx, rrx) = mpsc::channel();
        writer.rotate(Box::new(move |r| rtx.send(r.unwrap()).unwrap()));
        assert_eq!(rrx.recv().unwrap(), 1);
        drop(writer);
        handle.join().unwrap();
        drop(tx);
        let mut acked: Vec<_> = rx.iter().collect();
        acked.sort_unstable();
        assert_eq!(acked, (0..500).map(|i| (i, true)).collect::<Vec<_>>());
        let r = read_segment(&segment_path(&dir, 1), 0).unwrap();
        let got: Vec<u32> = r
            .records
            .iter()
            .map(|p| u32::from_le_bytes(p[..].try_into().unwrap()))
            .collect();
        assert_eq!(got, (0..500).collect::<Vec<_>>());
        assert_eq!(segments(&dir).unwrap().len(), 2);
    }
}
