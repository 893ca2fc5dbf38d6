//! Aggregated paths: interned channel names, unique paths with their counts, and the reader
//! for path files in ChannelAttribution's layout.
//!
//! A path is the ordered list of channels one or more journeys touched. Every model works on
//! the unique paths, each with the number of journeys that converted on it, the number that
//! did not (the "null" count) and the conversion value. Identical paths are merged when the set
//! is built, so a file with duplicate rows and one with pre-aggregated rows give the same set.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::Path;

use super::AttributionError;

/// A channel's index in its [`PathSet`]; channels are numbered in order of first appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelId(u32);

impl ChannelId {
    /// The index, for use with the per-channel vectors of results.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub(crate) fn from_index(index: usize) -> Self {
        Self(u32::try_from(index).expect("fewer than 2^32 channels"))
    }

    pub(crate) fn raw(self) -> u32 {
        self.0
    }
}

/// A small, fast hasher for integer keys (the multiply-rotate scheme of rustc's `FxHasher`).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The little-endian word of the zero-padded rest, assembled in a register: copying
            // the rest into a buffer and loading it as one word stalls on store forwarding,
            // which made this the hottest spot of reading a path file with short names.
            self.add(
                rest.iter()
                    .rev()
                    .fold(0, |word, &b| (word << 8) | u64::from(b)),
            );
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One unique path of a [`PathSet`] with its counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathRef<'a> {
    /// The channels touched, in order; never empty.
    pub touches: &'a [ChannelId],
    /// Journeys on this path that converted (may be fractional).
    pub conversions: f64,
    /// Journeys on this path that did not convert.
    pub nulls: f64,
    /// Total conversion value of the journeys on this path.
    pub value: f64,
}

/// What was left out of a [`PathSet`] because the path had no channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct EmptyPaths {
    /// Rows (or calls to [`PathSetBuilder::add`]) with an empty path.
    pub rows: u64,
    /// Their conversions, which no model can credit to a channel.
    pub conversions: f64,
    /// Their conversion value.
    pub value: f64,
}

/// Unique paths with conversion, null and value counts, and the channel names they use.
///
/// Build one with [`PathSetBuilder`] or read one with [`read_path_file`].
#[derive(Debug, Clone, Default)]
pub struct PathSet {
    names: Vec<String>,
    offsets: Vec<usize>,
    touches: Vec<ChannelId>,
    conversions: Vec<f64>,
    nulls: Vec<f64>,
    values: Vec<f64>,
    has_nulls: bool,
    has_values: bool,
    empty: EmptyPaths,
}

/// A 64-bit hash of a path (two rounds of the Fx scheme with different seeds, folded).
fn path_hash(path: &[ChannelId]) -> u64 {
    let mut a = FxHasher::default();
    let mut b = FxHasher {
        hash: 0x9e37_79b9_7f4a_7c15,
    };
    for c in path {
        a.add(u64::from(c.raw()));
        b.add(u64::from(c.raw()).rotate_left(29));
    }
    a.hash ^ b.hash.rotate_left(32) ^ (path.len() as u64)
}

impl PathSet {
    fn stored(&self, i: usize) -> &[ChannelId] {
        &self.touches[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Number of unique paths.
    #[must_use]
    pub fn len(&self) -> usize {
        self.conversions.len()
    }

    /// Whether the set has no path.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.conversions.is_empty()
    }

    /// Number of distinct channels.
    #[must_use]
    pub fn channel_count(&self) -> usize {
        self.names.len()
    }

    /// Channel names, indexed by [`ChannelId::index`].
    #[must_use]
    pub fn channel_names(&self) -> &[String] {
        &self.names
    }

    /// A channel's name.
    #[must_use]
    pub fn channel_name(&self, id: ChannelId) -> &str {
        &self.names[id.index()]
    }

    /// The id of the channel with this exact name.
    #[must_use]
    pub fn channel_id(&self, name: &str) -> Option<ChannelId> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(ChannelId::from_index)
    }

    /// The id of the channel named `name`, ignoring case when no name matches exactly, so a
    /// setting spelt `direct` finds the `Direct` channel group. Of several names equal but for
    /// case, the first in channel order is taken.
    #[must_use]
    pub fn channel_id_ignoring_case(&self, name: &str) -> Option<ChannelId> {
        self.channel_id(name).or_else(|| {
            let wanted = name.to_lowercase();
            self.names
                .iter()
                .position(|n| n.to_lowercase() == wanted)
                .map(ChannelId::from_index)
        })
    }

    /// The `i`-th unique path.
    #[must_use]
    pub fn path(&self, i: usize) -> PathRef<'_> {
        PathRef {
            touches: &self.touches[self.offsets[i]..self.offsets[i + 1]],
            conversions: self.conversions[i],
            nulls: self.nulls[i],
            value: self.values[i],
        }
    }

    /// All unique paths, in order of first appearance.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = PathRef<'_>> + '_ {
        (0..self.len()).map(|i| self.path(i))
    }

    /// Sum of conversions over all paths.
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        self.conversions.iter().sum()
    }

    /// Sum of non-conversions over all paths.
    #[must_use]
    pub fn total_nulls(&self) -> f64 {
        self.nulls.iter().sum()
    }

    /// Sum of conversion value over all paths.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.values.iter().sum()
    }

    /// Whether non-conversion counts were given (any non-zero null count).
    #[must_use]
    pub fn has_nulls(&self) -> bool {
        self.has_nulls
    }

    /// Whether conversion values were given (any non-zero value).
    #[must_use]
    pub fn has_values(&self) -> bool {
        self.has_values
    }

    /// Rows that had no channel and were left out.
    #[must_use]
    pub fn empty_paths(&self) -> EmptyPaths {
        self.empty
    }

    /// Total number of touches over the unique paths.
    #[must_use]
    pub fn touch_count(&self) -> usize {
        self.touches.len()
    }
}

/// Builds a [`PathSet`], merging identical paths.
#[derive(Debug, Default)]
pub struct PathSetBuilder {
    set: PathSet,
    channel_index: FxMap<Box<str>, ChannelId>,
    /// Paths by a 64-bit hash of their channels (the index of the first path with it)...
    path_index: FxMap<u64, usize>,
    /// ...and the rare other paths whose hash collides with one already there.
    collisions: FxMap<Box<[ChannelId]>, usize>,
    scratch: Vec<ChannelId>,
}

impl PathSetBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self {
            set: PathSet {
                offsets: vec![0],
                ..PathSet::default()
            },
            ..Self::default()
        }
    }

    /// The id of a channel, adding it if new.
    pub fn channel(&mut self, name: &str) -> ChannelId {
        if let Some(&id) = self.channel_index.get(name) {
            return id;
        }
        let id = ChannelId::from_index(self.set.names.len());
        self.set.names.push(name.to_owned());
        self.channel_index.insert(name.into(), id);
        id
    }

    /// Adds journeys on a path of channel ids (from [`PathSetBuilder::channel`]).
    ///
    /// An empty path is not stored; it is counted in [`PathSet::empty_paths`].
    ///
    /// # Errors
    /// [`AttributionError::InvalidCount`] when a count or the value is negative or not finite,
    /// or a path without conversions has a value.
    pub fn add(
        &mut self,
        path: &[ChannelId],
        conversions: f64,
        nulls: f64,
        value: f64,
    ) -> Result<(), AttributionError> {
        for (what, x) in [
            ("conversions", conversions),
            ("nulls", nulls),
            ("value", value),
        ] {
            if !x.is_finite() || x < 0.0 {
                return Err(AttributionError::InvalidCount { what, value: x });
            }
        }
        if value > 0.0 && conversions == 0.0 {
            return Err(AttributionError::InvalidCount {
                what: "value without conversions",
                value,
            });
        }
        if let Some(bad) = path.iter().find(|c| c.index() >= self.set.names.len()) {
            return Err(AttributionError::UnknownChannel(bad.index()));
        }
        self.add_unchecked(path, conversions, nulls, value);
        Ok(())
    }

    /// Adds journeys on a path given by channel names.
    ///
    /// # Errors
    /// As [`PathSetBuilder::add`].
    pub fn add_named<I, S>(
        &mut self,
        path: I,
        conversions: f64,
        nulls: f64,
        value: f64,
    ) -> Result<(), AttributionError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut ids = std::mem::take(&mut self.scratch);
        ids.clear();
        ids.extend(path.into_iter().map(|name| self.channel(name.as_ref())));
        let result = self.add(&ids, conversions, nulls, value);
        self.scratch = ids;
        result
    }

    fn add_unchecked(&mut self, path: &[ChannelId], conversions: f64, nulls: f64, value: f64) {
        if path.is_empty() {
            self.set.empty.rows += 1;
            self.set.empty.conversions += conversions;
            self.set.empty.value += value;
            return;
        }
        self.set.has_nulls |= nulls > 0.0;
        self.set.has_values |= value > 0.0;
        let hash = path_hash(path);
        let found = match self.path_index.get(&hash) {
            Some(&i) if self.set.stored(i) == path => Some(i),
            Some(_) => self.collisions.get(path).copied(),
            None => None,
        };
        if let Some(i) = found {
            self.set.conversions[i] += conversions;
            self.set.nulls[i] += nulls;
            self.set.values[i] += value;
            return;
        }
        let i = self.set.conversions.len();
        if let Some(&first) = self.path_index.get(&hash) {
            debug_assert_ne!(self.set.stored(first), path);
            self.collisions.insert(path.into(), i);
        } else {
            self.path_index.insert(hash, i);
        }
        self.set.touches.extend_from_slice(path);
        self.set.offsets.push(self.set.touches.len());
        self.set.conversions.push(conversions);
        self.set.nulls.push(nulls);
        self.set.values.push(value);
    }

    /// Adds every path of another set (channels matched by name), as if its rows came next.
    fn merge(&mut self, other: PathSet) {
        let ids: Vec<ChannelId> = other.names.iter().map(|n| self.channel(n)).collect();
        let mut path = Vec::new();
        for p in other.iter() {
            path.clear();
            path.extend(p.touches.iter().map(|c| ids[c.index()]));
            self.add_unchecked(&path, p.conversions, p.nulls, p.value);
        }
        self.set.empty.rows += other.empty.rows;
        self.set.empty.conversions += other.empty.conversions;
        self.set.empty.value += other.empty.value;
    }

    /// Room for about `paths` unique paths.
    fn reserve(&mut self, paths: usize) {
        self.path_index.reserve(paths);
        // Paths of path files average eight to ten touches: growing by doubling would copy
        // the touches several times over.
        self.set.touches.reserve(paths * 8);
        self.set.conversions.reserve(paths);
        self.set.nulls.reserve(paths);
        self.set.values.reserve(paths);
        self.set.offsets.reserve(paths);
    }

    /// The finished set.
    #[must_use]
    pub fn build(self) -> PathSet {
        self.set
    }
}

/// How a path file is laid out; the defaults follow ChannelAttribution's examples except for
/// the delimiter, which is a comma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathFileFormat {
    /// Field delimiter of the CSV file.
    pub delimiter: u8,
    /// Separator between channels inside a path (`>` in `a > b > c`); blanks around
    /// channel names are trimmed and empty names skipped, as ChannelAttribution does.
    pub separator: String,
    /// Column with the path.
    pub path_column: String,
    /// Column with the number of conversions.
    pub conversions_column: String,
    /// Column with the number of journeys that did not convert, if any.
    pub nulls_column: Option<String>,
    /// Column with the conversion value, if any.
    pub value_column: Option<String>,
}

impl Default for PathFileFormat {
    fn default() -> Self {
        Self {
            delimiter: b',',
            separator: ">".to_owned(),
            path_column: "path".to_owned(),
            conversions_column: "total_conversions".to_owned(),
            nulls_column: None,
            value_column: None,
        }
    }
}

/// Reads a path file (CSV with a header) into a [`PathSet`].
///
/// Empty numeric fields count as zero; a value on a row without conversions is an error.
/// Errors name the file, the line and the column. A file without quoted fields is split in
/// place, a large one in parallel in chunks of whole lines; the result is the same as reading
/// it in order.
///
/// # Errors
/// [`AttributionError::Io`] when the file cannot be read, and the errors of [`read_paths`].
pub fn read_path_file(file: &Path, format: &PathFileFormat) -> Result<PathSet, AttributionError> {
    let source = file.display().to_string();
    let io = |err| AttributionError::Io {
        file: source.clone(),
        source: err,
    };
    let open = || std::fs::File::open(file).map_err(io);
    let mut input = open()?;
    let size = input.metadata().map_err(io)?.len();
    // About one unique path per 100 bytes, to size the tables once.
    let hint = usize::try_from(size / 100).unwrap_or(0);
    if size < PARALLEL_MIN_BYTES as u64 {
        // The plain splitter serves small files too: it is several times cheaper than the CSV
        // state machine, which matters when a path file is read for one quick model.
        if let Some(paths) = read_streamed(&mut input, &source, format, hint, STREAM_BLOCK)? {
            return Ok(paths);
        }
        return read_paths_with_hint(open()?, &source, format, hint);
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let data = read_parallel(&input, size, threads).map_err(io)?;
    if memchr::memchr(b'"', &data).is_some() {
        return read_paths_with_hint(data.as_slice(), &source, format, hint);
    }
    read_chunked(&data, &source, format, threads)
}

/// Reads a whole file of `size` bytes with `threads` threads, each into its own part of the
/// buffer: copying a large file out of the page cache, and faulting in the fresh pages it goes
/// to, is a good share of reading a path file, and it divides.
#[cfg(unix)]
fn read_parallel(file: &std::fs::File, size: u64, threads: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;
    let len = usize::try_from(size).map_err(std::io::Error::other)?;
    let mut data = vec![0u8; len];
    let part = len.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = data
            .chunks_mut(part)
            .enumerate()
            .map(|(k, chunk)| scope.spawn(move || file.read_exact_at(chunk, (k * part) as u64)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| std::io::Error::other("reader panicked"))?
        })
    })?;
    Ok(data)
}

/// Reads a whole file (on systems without positioned reads, in one thread).
#[cfg(not(unix))]
fn read_parallel(mut file: &std::fs::File, size: u64, _threads: usize) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.read_to_end(&mut data)?;
    Ok(data)
}

/// Bytes a small path file is read in at a time.
const STREAM_BLOCK: usize = 128 << 10;

/// Reads a path file without quoted fields through the plain splitter, `block` bytes at a time
/// into one buffer that is reused, so that a quick run does not first fault in a fresh buffer
/// the size of the file. `None` when the file has a quote: it needs the CSV reader.
fn read_streamed(
    input: &mut impl Read,
    source: &str,
    format: &PathFileFormat,
    hint: usize,
    block: usize,
) -> Result<Option<PathSet>, AttributionError> {
    let io = |err| AttributionError::Io {
        file: source.to_owned(),
        source: err,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(2 * block);
    let mut builder = PathSetBuilder::new();
    builder.reserve(hint);
    let mut columns: Option<Columns> = None;
    // The line number of the first line in `buf`.
    let mut line = 1u64;
    let mut at_end = false;
    while !at_end {
        let filled = buf.len();
        buf.resize(filled + block, 0);
        let read = input.read(&mut buf[filled..]).map_err(io)?;
        buf.truncate(filled + read);
        at_end = read == 0;
        if memchr::memchr(b'"', &buf[filled..]).is_some() {
            return Ok(None);
        }
        let whole_lines = if at_end {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[filled..]) {
                Some(i) => filled + i + 1,
                None => continue,
            }
        };
        let mut body = &buf[..whole_lines];
        if columns.is_none() {
            if body.is_empty() && !at_end {
                continue;
            }
            let header_end = memchr::memchr(b'\n', body).map_or(body.len(), |i| i + 1);
            columns = Some(read_header(&body[..header_end], source, format)?.0);
            body = &body[header_end..];
            line += 1;
        }
        let columns = columns.as_ref().expect("read above");
        parse_plain(body, columns, format, source, line, &mut builder)?;
        line += memchr::memchr_iter(b'\n', body).count() as u64;
        buf.drain(..whole_lines);
    }
    Ok(Some(builder.build()))
}

/// Parses `data` (a whole path file without quoted fields) in `threads` chunks of whole
/// lines, in parallel, and merges the chunks in order.
fn read_chunked(
    data: &[u8],
    source: &str,
    format: &PathFileFormat,
    threads: usize,
) -> Result<PathSet, AttributionError> {
    let hint = data.len() / 100;
    let header_end = data
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| i + 1);
    let (columns, _) = read_header(&data[..header_end], source, format)?;
    let body = &data[header_end..];
    // Chunk boundaries just after a newline.
    let mut bounds = vec![0];
    for k in 1..threads {
        let at = (body.len() * k / threads).max(bounds[k - 1]);
        let end = body[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| at + i + 1);
        bounds.push(end);
    }
    bounds.push(body.len());
    if threads == 1 {
        // A small file: no thread to start, which is a noticeable share of a quick run.
        let mut builder = PathSetBuilder::new();
        builder.reserve(hint);
        parse_plain(body, &columns, format, source, 2, &mut builder)?;
        return Ok(builder.build());
    }
    let parts: Vec<Result<PathSetBuilder, AttributionError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let (from, to) = (w[0], w[1]);
                let columns = &columns;
                scope.spawn(move || {
                    // Line of the chunk's first record: the header, then the lines before it.
                    let before = body[..from].iter().filter(|&&b| b == b'\n').count() as u64;
                    let mut builder = PathSetBuilder::new();
                    builder.reserve(hint / threads);
                    parse_plain(
                        &body[from..to],
                        columns,
                        format,
                        source,
                        2 + before,
                        &mut builder,
                    )?;
                    Ok(builder)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parser thread panicked"))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut builder = parts.next().expect("at least one chunk")?;
    for part in parts {
        builder.merge(part?.build());
    }
    Ok(builder.build())
}

/// Files from this size on are parsed in parallel.
const PARALLEL_MIN_BYTES: usize = 8 << 20;

/// Reads path-file CSV from any reader; `source` names it in errors.
///
/// # Errors
/// [`AttributionError::Csv`] for malformed CSV, [`AttributionError::MissingColumn`] for a
/// named column that is not in the header, [`AttributionError::BadField`] for a number that
/// does not parse or is negative, and [`AttributionError::EmptySeparator`].
pub fn read_paths<R: Read>(
    reader: R,
    source: &str,
    format: &PathFileFormat,
) -> Result<PathSet, AttributionError> {
    read_paths_with_hint(reader, source, format, 0)
}

/// Positions of the columns a path file needs.
struct Columns {
    /// How many columns the header has (every record must have as many).
    count: usize,
    path: usize,
    conversions: usize,
    nulls: Option<usize>,
    value: Option<usize>,
}

/// Reads the header and finds the columns; returns the reader positioned after it.
fn read_header<R: Read>(
    reader: R,
    source: &str,
    format: &PathFileFormat,
) -> Result<(Columns, csv::Reader<R>), AttributionError> {
    if format.separator.is_empty() {
        return Err(AttributionError::EmptySeparator);
    }
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(format.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header = csv
        .byte_headers()
        .map_err(|err| AttributionError::Csv {
            file: source.to_owned(),
            message: err.to_string(),
        })?
        .clone();
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let column = |name: &str| -> Result<usize, AttributionError> {
        names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| AttributionError::MissingColumn {
                file: source.to_owned(),
                column: name.to_owned(),
                available: names.join(", "),
            })
    };
    let columns = Columns {
        count: names.len(),
        path: column(&format.path_column)?,
        conversions: column(&format.conversions_column)?,
        nulls: format.nulls_column.as_deref().map(column).transpose()?,
        value: format.value_column.as_deref().map(column).transpose()?,
    };
    Ok((columns, csv))
}

fn read_paths_with_hint<R: Read>(
    reader: R,
    source: &str,
    format: &PathFileFormat,
    hint: usize,
) -> Result<PathSet, AttributionError> {
    let (columns, mut csv) = read_header(reader, source, format)?;
    let mut builder = PathSetBuilder::new();
    builder.reserve(hint);
    parse_records(&mut csv, &columns, format, source, 0, &mut builder)?;
    Ok(builder.build())
}

/// Adds every record of `csv` to `builder`; `line_offset` is added to the reader's line
/// numbers in errors.
fn parse_records<R: Read>(
    csv: &mut csv::Reader<R>,
    columns: &Columns,
    format: &PathFileFormat,
    source: &str,
    line_offset: u64,
    builder: &mut PathSetBuilder,
) -> Result<(), AttributionError> {
    let mut record = csv::ByteRecord::new();
    let mut ids: Vec<ChannelId> = Vec::new();
    let sep = format.separator.as_bytes();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(err) => {
                let message = match err.position() {
                    Some(pos) if line_offset > 0 => {
                        format!("line {}: {err}", pos.line() + line_offset)
                    }
                    _ => err.to_string(),
                };
                return Err(AttributionError::Csv {
                    file: source.to_owned(),
                    message,
                });
            }
        }
        let line = record.position().map_or(0, csv::Position::line) + line_offset;
        let bad = |col: usize, column: &str, reason: String| AttributionError::BadField {
            file: source.to_owned(),
            line,
            column: column.to_owned(),
            value: String::from_utf8_lossy(record.get(col).unwrap_or_default()).into_owned(),
            reason,
        };
        let field = |col: usize, name: &str| -> Result<f64, AttributionError> {
            parse_count(record.get(col).unwrap_or_default())
                .map_err(|reason| bad(col, name, reason))
        };
        let conversions = field(columns.conversions, &format.conversions_column)?;
        let nulls = match (columns.nulls, &format.nulls_column) {
            (Some(c), Some(name)) => field(c, name)?,
            _ => 0.0,
        };
        let value = match (columns.value, &format.value_column) {
            (Some(c), Some(name)) => field(c, name)?,
            _ => 0.0,
        };
        if value > 0.0 && conversions == 0.0 {
            let name = format.value_column.as_deref().unwrap_or_default();
            return Err(bad(
                columns.value.unwrap_or(0),
                name,
                "a value without conversions".to_owned(),
            ));
        }
        let raw = record.get(columns.path).unwrap_or_default();
        let text = std::str::from_utf8(raw)
            .map_err(|_| bad(columns.path, &format.path_column, "not UTF-8".to_owned()))?;
        ids.clear();
        for token in split_bytes(text, sep) {
            let name = token.trim_matches(|c: char| c == ' ' || c == '\t');
            if !name.is_empty() {
                ids.push(builder.channel(name));
            }
        }
        builder.add_unchecked(&ids, conversions, nulls, value);
    }
}

/// Adds the records of a chunk of a path file without quoted fields; `first_line` is the line
/// number of the chunk's first line. Equivalent to [`parse_records`] on such input (empty lines
/// are skipped, every record must have the header's number of fields), but it splits the
/// buffer in place and interns channels through a table keyed by the buffer's own bytes, so a
/// record costs no allocation.
fn parse_plain(
    chunk: &[u8],
    columns: &Columns,
    format: &PathFileFormat,
    source: &str,
    first_line: u64,
    builder: &mut PathSetBuilder,
) -> Result<(), AttributionError> {
    let sep = format.separator.as_bytes();
    if sep.is_empty() {
        return Err(AttributionError::EmptySeparator);
    }
    let mut known: FxMap<&[u8], ChannelId> = FxMap::default();
    let mut ids: Vec<ChannelId> = Vec::new();
    let mut starts: Vec<usize> = Vec::with_capacity(columns.count + 1);
    // Lines, fields and path pieces are found with SIMD searches rather than byte by byte:
    // scanning is most of the work of reading a path file.
    let separator = memchr::memmem::Finder::new(sep);
    let mut line_start = 0;
    let line_ends = memchr::memchr_iter(b'\n', chunk).chain(std::iter::once(chunk.len()));
    for (this_line, line_end) in (first_line..).zip(line_ends) {
        let raw = &chunk[line_start..line_end];
        line_start = (line_end + 1).min(chunk.len());
        let record = raw.strip_suffix(b"\r").unwrap_or(raw);
        if record.is_empty() {
            continue;
        }
        // Field i is record[starts[i]..starts[i + 1] - 1].
        starts.clear();
        starts.push(0);
        starts.extend(memchr::memchr_iter(format.delimiter, record).map(|i| i + 1));
        starts.push(record.len() + 1);
        let fields = starts.len() - 1;
        if fields != columns.count {
            return Err(AttributionError::Csv {
                file: source.to_owned(),
                message: format!(
                    "line {this_line}: found record with {fields} fields, but the header has {}",
                    columns.count
                ),
            });
        }
        let get = |col: usize| &record[starts[col]..starts[col + 1] - 1];
        let bad = |col: usize, column: &str, reason: String| AttributionError::BadField {
            file: source.to_owned(),
            line: this_line,
            column: column.to_owned(),
            value: String::from_utf8_lossy(get(col)).into_owned(),
            reason,
        };
        let field = |col: usize, name: &str| -> Result<f64, AttributionError> {
            parse_count(get(col)).map_err(|reason| bad(col, name, reason))
        };
        let conversions = field(columns.conversions, &format.conversions_column)?;
        let nulls = match (columns.nulls, &format.nulls_column) {
            (Some(c), Some(name)) => field(c, name)?,
            _ => 0.0,
        };
        let value = match (columns.value, &format.value_column) {
            (Some(c), Some(name)) => field(c, name)?,
            _ => 0.0,
        };
        if value > 0.0 && conversions == 0.0 {
            let name = format.value_column.as_deref().unwrap_or_default();
            return Err(bad(
                columns.value.unwrap_or(0),
                name,
                "a value without conversions".to_owned(),
            ));
        }
        let path = get(columns.path);
        ids.clear();
        for token in path.split_pieces(&separator) {
            let name = token.trim_ascii_blanks();
            if name.is_empty() {
                continue;
            }
            let id = if let Some(&id) = known.get(name) {
                id
            } else {
                let Ok(text) = std::str::from_utf8(name) else {
                    return Err(bad(
                        columns.path,
                        &format.path_column,
                        "not UTF-8".to_owned(),
                    ));
                };
                let id = builder.channel(text);
                known.insert(name, id);
                id
            };
            ids.push(id);
        }
        builder.add_unchecked(&ids, conversions, nulls, value);
    }
    Ok(())
}

/// Splitting and trimming byte strings without going through `str`.
trait Bytes {
    /// The pieces between occurrences of a non-empty separator.
    fn split_pieces<'a>(
        &'a self,
        sep: &'a memchr::memmem::Finder<'a>,
    ) -> impl Iterator<Item = &'a [u8]> + 'a;
    /// Without leading and trailing spaces and tabs.
    fn trim_ascii_blanks(&self) -> &[u8];
}

impl Bytes for [u8] {
    fn split_pieces<'a>(
        &'a self,
        sep: &'a memchr::memmem::Finder<'a>,
    ) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = Some(self);
        std::iter::from_fn(move || {
            let text = rest?;
            match sep.find(text) {
                Some(i) => {
                    rest = Some(&text[i + sep.needle().len()..]);
                    Some(&text[..i])
                }
                None => {
                    rest = None;
                    Some(text)
                }
            }
        })
    }

    fn trim_ascii_blanks(&self) -> &[u8] {
        let blank = |b: &u8| *b == b' ' || *b == b'\t';
        let start = self.iter().position(|b| !blank(b)).unwrap_or(self.len());
        let end = self
            .iter()
            .rposition(|b| !blank(b))
            .map_or(start, |i| i + 1);
        &self[start..end.max(start)]
    }
}

/// Splits `text` on a non-empty byte separator.
fn split_bytes<'a>(text: &'a str, sep: &'a [u8]) -> impl Iterator<Item = &'a str> + 'a {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut i = start;
        while i + sep.len() <= bytes.len() {
            if bytes[i] == sep[0] && &bytes[i..i + sep.len()] == sep {
                // The separator is valid UTF-8, so both ends are char boundaries.
                let piece = &text[start..i];
                start = i + sep.len();
                return Some(piece);
            }
            i += 1;
        }
        done = true;
        Some(&text[start..])
    })
}

fn parse_count(raw: &[u8]) -> Result<f64, String> {
    // Whole numbers below 2^53 (the usual counts) directly, exactly as `str::parse` gives them.
    if !raw.is_empty() && raw.len() <= 15 && raw.iter().all(u8::is_ascii_digit) {
        let n = raw.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        #[allow(clippy::cast_precision_loss)]
        return Ok(n as f64);
    }
    let text = std::str::from_utf8(raw)
        .map_err(|_| "not UTF-8".to_owned())?
        .trim();
    if text.is_empty() {
        return Ok(0.0);
    }
    let x: f64 = text.parse().map_err(|_| "not a number".to_owned())?;
    if !x.is_finite() {
        return Err("not a finite number".to_owned());
    }
    if x < 0.0 {
        return Err("negative".to_owned());
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format() -> PathFileFormat {
        PathFileFormat {
            delimiter: b';',
            nulls_column: Some("total_null".into()),
            value_column: Some("total_conversion_value".into()),
            ..PathFileFormat::default()
        }
    }

    #[test]
    fn reads_and_merges_duplicate_paths() {
        let text = "path;total_conversions;total_conversion_value;total_null\n\
                    a > b;1;10;2\n\
                    c;0;;4\n \
                    a >b ;2;5.5;0\n\
                    a >> b;1;1;1\n";
        let set = read_paths(text.as_bytes(), "t.csv", &format()).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.channel_names(), ["a", "b", "c"]);
        let first = set.path(0);
        assert_eq!(first.touches.len(), 2);
        assert_eq!(
            (first.conversions, first.nulls, first.value),
            (4.0, 3.0, 16.5)
        );
        assert_eq!(set.total_nulls(), 7.0);
    }

    #[test]
    fn multi_character_separator() {
        let fmt = PathFileFormat {
            separator: " > ".into(),
            ..format()
        };
        let text = "path;total_conversions;total_conversion_value;total_null\nx > y>z;1;0;0\n";
        let set = read_paths(text.as_bytes(), "t.csv", &fmt).unwrap();
        assert_eq!(set.channel_names(), ["x", "y>z"]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let text = "path;total_conversions;total_conversion_value;total_null\na;1;0;0\nb;x;0;0\n";
        let err = read_paths(text.as_bytes(), "paths.csv", &format())
            .unwrap_err()
            .to_string();
        assert!(err.contains("paths.csv:3"), "{err}");
        assert!(err.contains("total_conversions"), "{err}");
        let text = "path;total_conversions;total_conversion_value;total_null\na;1;0;-2\n";
        let err = read_paths(text.as_bytes(), "paths.csv", &format())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("paths.csv:2") && err.contains("total_null") && err.contains("negative"),
            "{err}"
        );
        let err = read_paths("p;c\n".as_bytes(), "paths.csv", &format())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`path`") && err.contains("p, c"), "{err}");
    }

    #[test]
    fn empty_paths_are_counted_not_stored() {
        let text = "path;total_conversions;total_conversion_value;total_null\n > ;2;7;1\na;1;0;0\n";
        let set = read_paths(text.as_bytes(), "t.csv", &format()).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(
            set.empty_paths(),
            EmptyPaths {
                rows: 1,
                conversions: 2.0,
                value: 7.0
            }
        );
    }

    #[test]
    fn chunked_parsing_equals_sequential() {
        let mut text = String::from("path;total_conversions;total_conversion_value;total_null\n");
        for i in 0..500 {
            let path = ["a", "b", "c", "d"][..1 + i % 4].join(" > ");
            let rev = ["d", "c", "e"][..1 + i % 3].join(" > ");
            text.push_str(&format!(
                "{path};{};{};{}\n{rev};0;;1\n",
                i % 3,
                (i % 3) * 10,
                i % 5
            ));
        }
        let one = read_paths(text.as_bytes(), "t.csv", &format()).unwrap();
        for threads in [1, 2, 3, 7] {
            let many = read_chunked(text.as_bytes(), "t.csv", &format(), threads).unwrap();
            assert_eq!(many.channel_names(), one.channel_names());
            assert_eq!(many.len(), one.len());
            for (a, b) in many.iter().zip(one.iter()) {
                assert_eq!(a, b);
            }
        }
        let bad = format!("{text}x;1;0;oops\n");
        let err = read_chunked(bad.as_bytes(), "t.csv", &format(), 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.csv:1002:"), "{err}");
    }

    #[test]
    fn streamed_reading_equals_sequential() {
        let mut text = String::from("path;total_conversions;total_conversion_value;total_null\n");
        for i in 0..400 {
            let path = ["a", "b", "c", "d"][..1 + i % 4].join(" > ");
            text.push_str(&format!("{path};{};{};{}\n", i % 3, (i % 3) * 10, i % 5));
        }
        let one = read_paths(text.as_bytes(), "t.csv", &format()).unwrap();
        // Blocks shorter than a line, than the header, and longer than the file.
        for block in [7, 64, 1000, 1 << 20] {
            let streamed = read_streamed(&mut text.as_bytes(), "t.csv", &format(), 0, block)
                .unwrap()
                .expect("no quotes");
            assert_eq!(streamed.channel_names(), one.channel_names());
            assert_eq!(streamed.len(), one.len());
            for (a, b) in streamed.iter().zip(one.iter()) {
                assert_eq!(a, b);
            }
            let bad = format!("{text}x;1;0;oops\n");
            let err = read_streamed(&mut bad.as_bytes(), "t.csv", &format(), 0, block)
                .unwrap_err()
                .to_string();
            assert!(err.contains("t.csv:402:"), "{block}: {err}");
            let quoted = format!("{text}\"x > y\";1;0;0\n");
            assert!(
                read_streamed(&mut quoted.as_bytes(), "t.csv", &format(), 0, block)
                    .unwrap()
                    .is_none()
            );
        }
        let no_file = read_streamed(&mut &b""[..], "t.csv", &format(), 0, 64).unwrap_err();
        let whole = read_paths(&b""[..], "t.csv", &format()).unwrap_err();
        assert_eq!(no_file.to_string(), whole.to_string());
    }

    #[test]
    fn parallel_reads_give_the_whole_file() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, &bytes).unwrap();
        for threads in [1, 2, 3, 7, 64] {
            assert_eq!(
                read_parallel(&file, 1000, threads).unwrap(),
                bytes,
                "{threads}"
            );
        }
        assert!(
            read_parallel(&file, 1001, 2).is_err(),
            "a file shorter than said"
        );
    }

    #[test]
    fn builder_rejects_negative_counts() {
        let mut b = PathSetBuilder::new();
        assert!(b.add_named(["a"], -1.0, 0.0, 0.0).is_err());
        assert!(b.add_named(["a"], f64::NAN, 0.0, 0.0).is_err());
    }
}
