//! Normalisation: what happens to every event, whatever its format.
//!
//! Row by row, in any order (so that chunks of a file can be normalised in parallel):
//! - identifiers are pseudonymised when asked, and erased persons are skipped;
//! - a missing source and medium are derived from the referrer (a search engine gives
//!   `organic`, another site `referral`; the site's own pages give nothing);
//! - the channel group is the source's, else derived from source, medium and campaign;
//! - the event id is the source's, else `h-` and a 128-bit content hash of the normalised
//!   event, and the row gets a deduplication key;
//! - an event with both an anonymous id and a user id links them for stitching.
//!
//! Then, in file order ([`Resolver`]): an event without traffic fields inherits the channel of
//! the first event of its session (else `Direct`), and an event whose key was seen before, in
//! the store or earlier in the file, is dropped.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Float64Builder, StringBuilder, TimestampMicrosecondBuilder,
    UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::UInt64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use polku_store::app_db::{IdentityLink, anon_node, user_node};
use polku_store::privacy::PseudonymKey;
use polku_store::schema::{event_col, unstitched_event_schema};
use xxhash_rust::xxh3::Xxh3;

use crate::channel::{ChannelGrouper, external_referrer_host, group, source_of_host};
use crate::row::{EventRow, IdRef};

/// A hasher for keys that already are hashes.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        #[allow(clippy::cast_possible_truncation)]
        {
            self.0 = (v as u64) ^ ((v >> 64) as u64);
        }
    }
}

/// A set of 128-bit event keys.
pub type KeySet = HashSet<u128, BuildHasherDefault<PassThrough>>;

/// A fast hasher for short texts such as session ids: XXH3, chained over the writes.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(&[i], self.0);
    }
}

/// A hash map keyed by short texts.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A set of identity links, hashed with [`FxHasher`]: an import merges those of its reading
/// threads, tens of thousands each.
pub type LinkSet = HashSet<IdentityLink, BuildHasherDefault<FxHasher>>;

/// The prefix of event ids made from an event's content: `h-` and 32 lowercase hex digits.
const CONTENT_ID_PREFIX: &str = "h-";

/// The deduplication key of a stored event id: the content hash itself for an id made from
/// one (the importer has it at hand and need not hash the id again), the XXH3-128 of any other
/// id.
#[must_use]
pub fn event_key(event_id: &str) -> u128 {
    content_hash_of_id(event_id).unwrap_or_else(|| xxhash_rust::xxh3::xxh3_128(event_id.as_bytes()))
}

/// The hash in a content id (see [`CONTENT_ID_PREFIX`]), `None` for any other text.
fn content_hash_of_id(event_id: &str) -> Option<u128> {
    let hex = event_id.strip_prefix(CONTENT_ID_PREFIX)?;
    if hex.len() != 32 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u128::from_str_radix(hex, 16).ok()
}

/// Appends 32 lowercase hex digits of `v`.
fn push_hex(out: &mut String, v: u128) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 32];
    for (i, digit) in hex.iter_mut().enumerate() {
        *digit = DIGITS[((v >> (124 - 4 * i)) & 0xf) as usize];
    }
    out.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
}

/// Extra columns of a normalised batch before resolution: the key halves and whether the
/// channel is to be inherited from the session.
const KEY_HI: &str = "_key_hi";
const KEY_LO: &str = "_key_lo";
const INHERIT: &str = "_inherit";

/// The schema of normalised, unresolved batches: the event table without `customer` and
/// without the columns that are the same on every row of an import (`source_system`,
/// `import_id`: the [`Resolver`] adds them), a nullable channel group, and the deduplication
/// key and inheritance flag.
#[must_use]
pub fn normalized_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let mut fields: Vec<Field> = unstitched_event_schema()
                .fields()
                .iter()
                .filter(|f| !is_constant(f.name()))
                .map(|f| {
                    let f = f.as_ref().clone();
                    if f.name() == event_col::CHANNEL_GROUP {
                        f.with_nullable(true)
                    } else {
                        f
                    }
                })
                .collect();
            fields.push(Field::new(KEY_HI, DataType::UInt64, false));
            fields.push(Field::new(KEY_LO, DataType::UInt64, false));
            fields.push(Field::new(INHERIT, DataType::Boolean, false));
            Arc::new(Schema::new(fields))
        })
        .clone()
}

/// Whether an event column holds the same value on every row of an import.
fn is_constant(column: &str) -> bool {
    column == event_col::SOURCE_SYSTEM || column == event_col::IMPORT_ID
}

/// Finishes a text column and makes the builder ready for a batch like the last one, so that
/// the next batch's buffers neither grow by doubling (copying as they go) nor keep much slack.
fn finish_text(b: &mut StringBuilder) -> ArrayRef {
    let a = b.finish();
    let bytes = a.value_data().len();
    *b = StringBuilder::with_capacity(a.len(), bytes + bytes / 16);
    Arc::new(a)
}

/// Finishes a builder and replaces it by one with room for as many values: arrow's builders
/// start empty again after `finish` and would grow by copying.
fn finish_with<B: ArrayBuilder>(b: &mut B, with_capacity: impl Fn(usize) -> B) -> ArrayRef {
    let a = b.finish();
    *b = with_capacity(a.len());
    a
}

fn times_with_capacity(rows: usize) -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC")
}

/// Builds normalised Arrow batches.
#[derive(Debug)]
pub struct EventBatchBuilder {
    event_id: StringBuilder,
    anonymous_id: StringBuilder,
    user_id: StringBuilder,
    time: TimestampMicrosecondBuilder,
    event: StringBuilder,
    channel_group: StringBuilder,
    source: StringBuilder,
    medium: StringBuilder,
    campaign: StringBuilder,
    url: StringBuilder,
    referrer: StringBuilder,
    session: StringBuilder,
    value: Float64Builder,
    currency: StringBuilder,
    properties: StringBuilder,
    key_hi: UInt64Builder,
    key_lo: UInt64Builder,
    inherit: BooleanBuilder,
    len: usize,
}

impl Default for EventBatchBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBatchBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(1024)
    }

    /// An empty builder with room for `rows` rows, so that the first batch does not grow its
    /// buffers by copying them over and over; later batches take the size of the one before.
    #[must_use]
    pub fn with_capacity(rows: usize) -> Self {
        let s = || StringBuilder::with_capacity(rows, rows * 16);
        EventBatchBuilder {
            event_id: s(),
            anonymous_id: s(),
            user_id: s(),
            time: times_with_capacity(rows),
            event: s(),
            channel_group: s(),
            source: s(),
            medium: s(),
            campaign: s(),
            url: s(),
            referrer: s(),
            session: s(),
            value: Float64Builder::with_capacity(rows),
            currency: s(),
            properties: s(),
            key_hi: UInt64Builder::with_capacity(rows),
            key_lo: UInt64Builder::with_capacity(rows),
            inherit: BooleanBuilder::with_capacity(rows),
            len: 0,
        }
    }

    /// Rows appended since the last batch.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no rows wait.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[allow(clippy::too_many_arguments)]
    fn append(
        &mut self,
        row: &EventRow<'_>,
        event_id: &str,
        key: u128,
        anonymous_id: Option<&str>,
        user_id: Option<&str>,
        channel: Option<&str>,
        source: Option<&str>,
        medium: Option<&str>,
    ) {
        self.event_id.append_value(event_id);
        self.anonymous_id.append_option(anonymous_id);
        self.user_id.append_option(user_id);
        self.time.append_value(row.time);
        self.event.append_value(&row.event);
        self.channel_group.append_option(channel);
        self.source.append_option(source);
        self.medium.append_option(medium);
        self.campaign.append_option(row.campaign.as_deref());
        self.url.append_option(row.url.as_deref());
        self.referrer.append_option(row.referrer.as_deref());
        self.session.append_option(row.session.as_deref());
        self.value.append_option(row.value);
        self.currency.append_option(row.currency.as_deref());
        self.properties.append_option(row.properties.as_deref());
        #[allow(clippy::cast_possible_truncation)]
        {
            self.key_hi.append_value((key >> 64) as u64);
            self.key_lo.append_value(key as u64);
        }
        self.inherit.append_value(channel.is_none());
        self.len += 1;
    }

    /// Takes the rows appended so far as a batch of [`normalized_schema`].
    ///
    /// # Panics
    /// Never: every column has the same length by construction.
    pub fn finish(&mut self) -> RecordBatch {
        self.len = 0;
        let columns: Vec<ArrayRef> = vec![
            finish_text(&mut self.event_id),
            finish_text(&mut self.anonymous_id),
            finish_text(&mut self.user_id),
            finish_with(&mut self.time, times_with_capacity),
            finish_text(&mut self.event),
            finish_text(&mut self.channel_group),
            finish_text(&mut self.source),
            finish_text(&mut self.medium),
            finish_text(&mut self.campaign),
            finish_text(&mut self.url),
            finish_text(&mut self.referrer),
            finish_text(&mut self.session),
            finish_with(&mut self.value, Float64Builder::with_capacity),
            finish_text(&mut self.currency),
            finish_text(&mut self.properties),
            finish_with(&mut self.key_hi, UInt64Builder::with_capacity),
            finish_with(&mut self.key_lo, UInt64Builder::with_capacity),
            finish_with(&mut self.inherit, BooleanBuilder::with_capacity),
        ];
        RecordBatch::try_new(normalized_schema(), columns).expect("columns match the schema")
    }
}

/// What became of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Appended.
    Added,
    /// Belongs to an erased person.
    Suppressed,
}

/// Normalises events into a batch builder, row by row. See the module docs.
#[derive(Debug)]
pub struct Normalizer {
    grouper: ChannelGrouper,
    groups: FxMap<Box<str>, u16>,
    group_names: Vec<Box<str>>,
    key_buf: String,
    key: Option<PseudonymKey>,
    pseudonymize: bool,
    pseudonyms: FxMap<Box<str>, Box<str>>,
    suppressed: Arc<HashSet<String>>,
    suppressed_cache: FxMap<Box<str>, bool>,
    links: LinkSet,
    link_keys: KeySet,
    hash_buf: Vec<u8>,
    id_buf: String,
    /// The source and medium each referrer host gives: most visits come from a few sites.
    referrer_sources: FxMap<Box<str>, DerivedSource>,
    /// What each referrer gives on each page, by the XXH3-128 of the two URLs: finding a
    /// URL's host costs more than hashing it, and most visits come from a few sites to a few
    /// pages.
    visit_sources: HashMap<u128, Option<DerivedSource>, BuildHasherDefault<PassThrough>>,
}

/// A source and medium derived from a referrer.
type DerivedSource = (Arc<str>, &'static str);

/// Referrer hosts, and referrer and page pairs, remembered at most; a cache starts over when
/// full.
const REFERRER_CACHE: usize = 1 << 16;

impl Normalizer {
    /// A normaliser. `key` is needed when `pseudonymize` is set or `suppressed` (erasure
    /// hashes) is not empty.
    #[must_use]
    pub fn new(
        grouper: ChannelGrouper,
        key: Option<PseudonymKey>,
        pseudonymize: bool,
        suppressed: Arc<HashSet<String>>,
    ) -> Self {
        Normalizer {
            grouper,
            groups: FxMap::default(),
            group_names: Vec::new(),
            key_buf: String::new(),
            key,
            pseudonymize,
            pseudonyms: FxMap::default(),
            suppressed,
            suppressed_cache: FxMap::default(),
            links: LinkSet::default(),
            link_keys: KeySet::default(),
            hash_buf: Vec::with_capacity(512),
            id_buf: String::with_capacity(40),
            referrer_sources: FxMap::default(),
            visit_sources: HashMap::default(),
        }
    }

    /// The source and medium of a visit from `referrer` to `page_url`, as
    /// [`crate::channel::from_referrer`] derives them, from a cache when the two, or the
    /// referrer's host, were seen before.
    fn referrer_source(&mut self, referrer: &str, page_url: Option<&str>) -> Option<DerivedSource> {
        let buf = &mut self.hash_buf;
        buf.clear();
        buf.extend_from_slice(referrer.as_bytes());
        // Separates the URLs, and a page without a URL from one with an empty URL.
        match page_url {
            Some(p) => {
                buf.push(0x1f);
                buf.extend_from_slice(p.as_bytes());
            }
            None => buf.push(0x1e),
        }
        let key = xxhash_rust::xxh3::xxh3_128(buf);
        if let Some(known) = self.visit_sources.get(&key) {
            return known.clone();
        }
        let found = self.referrer_host_source(referrer, page_url);
        if self.visit_sources.len() >= REFERRER_CACHE {
            self.visit_sources.clear();
        }
        self.visit_sources.insert(key, found.clone());
        found
    }

    /// [`Normalizer::referrer_source`] for a referrer and page not seen together before.
    fn referrer_host_source(
        &mut self,
        referrer: &str,
        page_url: Option<&str>,
    ) -> Option<DerivedSource> {
        let host = external_referrer_host(referrer, page_url)?;
        if let Some((s, m)) = self.referrer_sources.get(host) {
            return Some((s.clone(), m));
        }
        if self.referrer_sources.len() >= REFERRER_CACHE {
            self.referrer_sources.clear();
        }
        let (s, m) = source_of_host(host);
        let s: Arc<str> = s.into();
        self.referrer_sources.insert(host.into(), (s.clone(), m));
        Some((s, m))
    }

    /// Takes the identity links seen so far.
    pub fn take_links(&mut self) -> LinkSet {
        std::mem::take(&mut self.links)
    }

    fn pseudo(&mut self, id: &str) -> String {
        if let Some(p) = self.pseudonyms.get(id) {
            return p.to_string();
        }
        let key = self.key.as_ref().expect("a key when pseudonymising");
        let p = if PseudonymKey::is_pseudonym(id) {
            id.to_owned()
        } else {
            key.pseudonymize(id)
        };
        self.pseudonyms.insert(id.into(), p.as_str().into());
        p
    }

    fn is_suppressed(&mut self, id: &str) -> bool {
        if self.suppressed.is_empty() {
            return false;
        }
        if let Some(b) = self.suppressed_cache.get(id) {
            return *b;
        }
        let key = self.key.as_ref().expect("a key when checking erasures");
        let hit = self.suppressed.contains(&key.erasure_hash(id));
        self.suppressed_cache.insert(id.into(), hit);
        hit
    }

    /// Records an identity link from an identity message.
    pub fn link(&mut self, x: &IdRef<'_>, y: &IdRef<'_>) {
        let node = |this: &mut Self, r: &IdRef<'_>| -> String {
            let (prefix, id) = match r {
                IdRef::Anonymous(a) => ("a:", a.as_ref()),
                IdRef::User(u) => ("u:", u.as_ref()),
                IdRef::PreviousUser(p) => ("p:", p.as_ref()),
            };
            let id = if this.pseudonymize {
                this.pseudo(id)
            } else {
                id.to_owned()
            };
            format!("{prefix}{id}")
        };
        let (a, b) = (node(self, x), node(self, y));
        if a != b {
            self.links.insert(IdentityLink::new(a, b));
        }
    }

    fn channel(
        &mut self,
        source: Option<&str>,
        medium: Option<&str>,
        campaign: Option<&str>,
    ) -> usize {
        self.key_buf.clear();
        for part in [source, medium, campaign] {
            self.key_buf.push_str(part.unwrap_or(""));
            self.key_buf.push('\u{1f}');
        }
        if let Some(g) = self.groups.get(self.key_buf.as_str()) {
            return usize::from(*g);
        }
        let name = self.grouper.group(source, medium, campaign);
        let i = match self.group_names.iter().position(|n| &**n == name) {
            Some(i) => i,
            None => {
                self.group_names.push(name.into());
                self.group_names.len() - 1
            }
        };
        if self.groups.len() < 100_000 {
            self.groups
                .insert(self.key_buf.as_str().into(), u16::try_from(i).unwrap_or(0));
        }
        i
    }

    /// Normalises one event and appends it to `out` unless it belongs to an erased person.
    pub fn push(&mut self, row: &EventRow<'_>, out: &mut EventBatchBuilder) -> Outcome {
        // Identifiers.
        let (anon, user) = if self.pseudonymize {
            (
                row.anonymous_id.as_deref().map(|a| self.pseudo(a)),
                row.user_id.as_deref().map(|u| self.pseudo(u)),
            )
        } else {
            (None, None)
        };
        let anonymous_id = if self.pseudonymize {
            anon.as_deref()
        } else {
            row.anonymous_id.as_deref()
        };
        let user_id = if self.pseudonymize {
            user.as_deref()
        } else {
            row.user_id.as_deref()
        };
        if anonymous_id.is_some_and(|a| self.is_suppressed(a))
            || user_id.is_some_and(|u| self.is_suppressed(u))
        {
            return Outcome::Suppressed;
        }

        // Traffic.
        let mut source = row.source.as_deref();
        let mut medium = row.medium.as_deref();
        let derived;
        if source.is_none()
            && medium.is_none()
            && row.campaign.is_none()
            && let Some(r) = row.referrer.as_deref()
        {
            derived = self.referrer_source(r, row.url.as_deref());
            if let Some((s, m)) = &derived {
                source = Some(s);
                medium = Some(m);
            }
        }
        let has_traffic = source.is_some() || medium.is_some() || row.campaign.is_some();
        let channel_index = if row.channel_group.is_none() && has_traffic {
            Some(self.channel(source, medium, row.campaign.as_deref()))
        } else {
            None
        };

        // Identity.
        let key = match row.event_id.as_deref() {
            Some(id) => {
                self.id_buf.clear();
                self.id_buf.push_str(id);
                event_key(id)
            }
            None => {
                let h = self.content_hash(row, anonymous_id, user_id, source, medium);
                self.id_buf.clear();
                self.id_buf.push_str(CONTENT_ID_PREFIX);
                push_hex(&mut self.id_buf, h);
                h
            }
        };
        if let (Some(a), Some(u)) = (anonymous_id, user_id) {
            let mut h = Xxh3::new();
            h.update(a.as_bytes());
            h.update(&[0x1f]);
            h.update(u.as_bytes());
            if self.link_keys.insert(h.digest128()) {
                self.links
                    .insert(IdentityLink::new(anon_node(a), user_node(u)));
            }
        }
        let channel = match (row.channel_group.as_deref(), channel_index) {
            (Some(g), _) => Some(g),
            (None, Some(i)) => Some(&*self.group_names[i]),
            (None, None) => None,
        };
        out.append(
            row,
            &self.id_buf,
            key,
            anonymous_id,
            user_id,
            channel,
            source,
            medium,
        );
        Outcome::Added
    }

    fn content_hash(
        &mut self,
        row: &EventRow<'_>,
        anon: Option<&str>,
        user: Option<&str>,
        source: Option<&str>,
        medium: Option<&str>,
    ) -> u128 {
        let buf = &mut self.hash_buf;
        buf.clear();
        let mut put = |s: Option<&str>| {
            if let Some(s) = s {
                buf.extend_from_slice(s.as_bytes());
            }
            buf.push(0x1f);
        };
        put(anon);
        put(user);
        put(Some(&row.event));
        put(source);
        put(medium);
        put(row.campaign.as_deref());
        put(row.url.as_deref());
        put(row.referrer.as_deref());
        put(row.session.as_deref());
        put(row.currency.as_deref());
        put(row.properties.as_deref());
        buf.extend_from_slice(&row.time.to_le_bytes());
        buf.extend_from_slice(&row.value.map_or(u64::MAX, f64::to_bits).to_le_bytes());
        xxhash_rust::xxh3::xxh3_128(buf)
    }
}

/// Deduplication keys looked up ahead of their inserts; see [`insert_keys`].
const LOOK_AHEAD: usize = 16;

/// Inserts the keys `key(0)`, …, `key(n - 1)` into `set` in that order and tells which were
/// new. The keys are random, so each insert misses the cache, and an insert waits for the one
/// before it; lookups of the next keys do not depend on each other, so the processor overlaps
/// their misses, and the inserts then find their slots in the cache. (Session ids looked up
/// the same way made the import slower.)
pub fn insert_keys(set: &mut KeySet, n: usize, key: impl Fn(usize) -> u128) -> Vec<bool> {
    let mut fresh = Vec::with_capacity(n);
    for start in (0..n).step_by(LOOK_AHEAD) {
        let end = n.min(start + LOOK_AHEAD);
        let found = (start..end).filter(|i| set.contains(&key(*i))).count();
        std::hint::black_box(found);
        fresh.extend((start..end).map(|i| set.insert(key(i))));
    }
    fresh
}

/// Resolves normalised batches in file order: session channels and duplicates.
#[derive(Debug)]
pub struct Resolver {
    seen: KeySet,
    source_system: String,
    import_id: String,
    /// The channel of each session, by the XXH3-128 of the session id: as free of collisions
    /// in practice as the event keys, with no text to copy and compare per row.
    sessions: HashMap<u128, u32, BuildHasherDefault<PassThrough>>,
    names: Vec<Box<str>>,
    name_index: FxMap<Box<str>, u32>,
    /// The constant columns of the largest batch so far; see [`Resolver::constant_columns`].
    constants: Option<(ArrayRef, ArrayRef)>,
    /// Events dropped as duplicates.
    pub duplicates: u64,
}

impl Resolver {
    /// A resolver that knows the keys of the stored events, for the rows of one import from
    /// one source system.
    #[must_use]
    pub fn new(seen: KeySet, source_system: &str, import_id: &str) -> Self {
        Resolver {
            seen,
            source_system: source_system.to_owned(),
            import_id: import_id.to_owned(),
            sessions: HashMap::default(),
            names: Vec::new(),
            name_index: FxMap::default(),
            constants: None,
            duplicates: 0,
        }
    }

    /// Makes room for `rows` more keys.
    pub fn reserve(&mut self, rows: usize) {
        self.seen.reserve(rows);
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(i) = self.name_index.get(name) {
            return *i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.into());
        self.name_index.insert(name.into(), i);
        i
    }

    /// Drops duplicates, fills inherited channels, and returns the batch in the event table's
    /// layout without `customer`.
    ///
    /// # Errors
    /// When the batch is not of [`normalized_schema`].
    pub fn resolve(
        &mut self,
        batch: &RecordBatch,
    ) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let schema = batch.schema();
        let col = |name: &str| schema.index_of(name).map(|i| batch.column(i));
        let hi = col(KEY_HI)?.as_primitive::<UInt64Type>();
        let lo = col(KEY_LO)?.as_primitive::<UInt64Type>();
        let inherit = col(INHERIT)?.as_boolean();
        let channel = col(event_col::CHANNEL_GROUP)?.as_string::<i32>();
        let session = col(event_col::SESSION)?.as_string::<i32>();
        let n = batch.num_rows();
        let mut keep = Vec::with_capacity(n);
        let mut channels: Vec<u32> = Vec::with_capacity(n);
        let direct = self.intern(group::DIRECT);
        let mut last: Option<(&str, u32)> = None;
        let fresh = insert_keys(&mut self.seen, n, |i| {
            (u128::from(hi.value(i)) << 64) | u128::from(lo.value(i))
        });
        for (i, fresh) in fresh.into_iter().enumerate() {
            if !fresh {
                self.duplicates += 1;
                keep.push(false);
                channels.push(direct);
                continue;
            }
            keep.push(true);
            let s = session
                .is_valid(i)
                .then(|| xxhash_rust::xxh3::xxh3_128(session.value(i).as_bytes()));
            let c = if inherit.value(i) {
                match s {
                    Some(s) => *self.sessions.entry(s).or_insert(direct),
                    None => direct,
                }
            } else {
                let name = channel.value(i);
                let c = match last {
                    Some((l, c)) if l == name => c,
                    _ => {
                        let c = self.intern(name);
                        last = Some((name, c));
                        c
                    }
                };
                if let Some(s) = s {
                    self.sessions.entry(s).or_insert(c);
                }
                c
            };
            channels.push(c);
        }
        let resolved: ArrayRef = Arc::new(StringArray::from_iter_values(
            channels.iter().map(|c| &*self.names[*c as usize]),
        ));
        let base = unstitched_event_schema();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(base.fields().len());
        for f in base.fields() {
            if f.name() == event_col::CHANNEL_GROUP {
                columns.push(resolved.clone());
            } else if !is_constant(f.name()) {
                columns.push(col(f.name())?.clone());
            }
        }
        let all = keep.iter().all(|k| *k);
        let filter = BooleanArray::from(keep);
        if !all {
            columns = columns
                .iter()
                .map(|c| arrow_select::filter::filter(c, &filter))
                .collect::<Result<_, _>>()?;
        }
        let rows = columns.first().map_or(0, |c| c.len());
        let (source_system, import_id) = self.constant_columns(rows);
        for (i, f) in base.fields().iter().enumerate() {
            if f.name() == event_col::SOURCE_SYSTEM {
                columns.insert(i, source_system.clone());
            } else if f.name() == event_col::IMPORT_ID {
                columns.insert(i, import_id.clone());
            }
        }
        RecordBatch::try_new(base, columns)
    }

    /// The source system and import id columns for `rows` rows: slices of two arrays made
    /// once for the largest batch, rather than the same texts copied into every batch.
    fn constant_columns(&mut self, rows: usize) -> (ArrayRef, ArrayRef) {
        let (source_system, import_id) = match &self.constants {
            Some((s, i)) if s.len() >= rows => (s, i),
            _ => {
                let make = |v: &str| -> ArrayRef {
                    Arc::new(StringArray::from_iter_values(std::iter::repeat_n(v, rows)))
                };
                let made = (make(&self.source_system), make(&self.import_id));
                let (s, i) = self.constants.insert(made);
                (&*s, &*i)
            }
        };
        (source_system.slice(0, rows), import_id.slice(0, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn cached_referrer_sources_are_what_the_referrer_gives(
            visits in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "https://www.Google.fi/search?q=x", "https://google.fi/", "http://duunitori.fi/a",
                        "https://WWW.DUUNITORI.FI/b", "https://shop.example.com/", "/relative", "", " ",
                        "https://m.facebook.com/x", "android-app://com.slack/",
                    ]),
                    proptest::option::of(proptest::sample::select(vec![
                        "https://shop.example.com/p", "https://duunitori.fi/", "not a url", "",
                        "https://www.google.fi/",
                    ])),
                ),
                1..40,
            ),
        ) {
            let mut n = Normalizer::new(
                crate::channel::ChannelGrouper::ga4_default(),
                None,
                false,
                Arc::default(),
            );
            for (referrer, page) in visits {
                let cached = n.referrer_source(referrer, page).map(|(s, m)| (s.to_string(), m));
                proptest::prop_assert_eq!(cached, crate::channel::from_referrer(referrer, page));
            }
        }

        #[test]
        fn keys_inserted_ahead_are_new_as_one_by_one(
            stored in proptest::collection::vec(0u128..40, 0..20),
            keys in proptest::collection::vec(0u128..40, 0..100),
        ) {
            let mut ahead: KeySet = stored.iter().copied().collect();
            let mut one_by_one = ahead.clone();
            let fresh = insert_keys(&mut ahead, keys.len(), |i| keys[i]);
            let expected: Vec<bool> = keys.iter().map(|k| one_by_one.insert(*k)).collect();
            proptest::prop_assert_eq!(fresh, expected);
            proptest::prop_assert_eq!(ahead, one_by_one);
        }

        #[test]
        fn hex_is_the_formatted_number(v: u128) {
            let mut out = String::from("h-");
            push_hex(&mut out, v);
            proptest::prop_assert_eq!(out, format!("h-{v:032x}"));
        }

        #[test]
        fn content_ids_key_to_their_hash_and_other_ids_to_theirs(v: u128, id in "\\PC{0,40}") {
            proptest::prop_assert_eq!(event_key(&format!("h-{v:032x}")), v);
            let upper = format!("h-{v:032X}");
            let xxh3 = |id: &str| xxhash_rust::xxh3::xxh3_128(id.as_bytes());
            if upper.bytes().any(|b| b.is_ascii_uppercase()) {
                proptest::prop_assert_eq!(event_key(&upper), xxh3(&upper));
            }
            if content_hash_of_id(&id).is_none() {
                proptest::prop_assert_eq!(event_key(&id), xxh3(&id));
            }
            // Too short, too long, another prefix, a sign that `from_str_radix` would take.
            let odd = [
                format!("h-{:031x}", v >> 4),
                format!("h-{v:032x}0"),
                format!("h+{v:032x}"),
                format!("h-+{:031x}", v >> 4),
            ];
            for id in odd {
                proptest::prop_assert_eq!(event_key(&id), xxh3(&id));
            }
        }
    }
}
