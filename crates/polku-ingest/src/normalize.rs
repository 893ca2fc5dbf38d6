//! Normalisation: what happens to every event, whatever its format.
//!
//! - identifiers are pseudonymised when asked, and erased persons are skipped;
//! - a missing source and medium are derived from the referrer (a search engine gives
//!   `organic`, another site `referral`; the site's own pages give nothing);
//! - the channel group is the source's, else derived from source, medium and campaign, else
//!   inherited from the first event of the same session, else `Direct`;
//! - the event id is the source's, else `h-` and a 128-bit content hash of the normalised
//!   event, so that importing the same events again adds nothing;
//! - an event with both an anonymous id and a user id links them for stitching.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use polku_store::app_db::{IdentityLink, anon_node, user_node};

use polku_store::privacy::PseudonymKey;
use polku_store::schema::unstitched_event_schema;
use xxhash_rust::xxh3::Xxh3;

use crate::channel::{ChannelGrouper, from_referrer, group};
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

/// The deduplication key of a stored event id.
#[must_use]
pub fn event_key(event_id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(event_id.as_bytes())
}

/// Builds Arrow batches of the event table without the `customer` column.
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
        let s = StringBuilder::new;
        EventBatchBuilder {
            event_id: s(),
            anonymous_id: s(),
            user_id: s(),
            time: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            event: s(),
            channel_group: s(),
            source: s(),
            medium: s(),
            campaign: s(),
            url: s(),
            referrer: s(),
            session: s(),
            value: Float64Builder::new(),
            currency: s(),
            properties: s(),
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

    /// Appends one normalised row.
    #[allow(clippy::too_many_arguments)]
    fn append(
        &mut self,
        row: &EventRow<'_>,
        event_id: &str,
        anonymous_id: Option<&str>,
        user_id: Option<&str>,
        channel: &str,
        source: Option<&str>,
        medium: Option<&str>,
    ) {
        self.event_id.append_value(event_id);
        self.anonymous_id.append_option(anonymous_id);
        self.user_id.append_option(user_id);
        self.time.append_value(row.time);
        self.event.append_value(&row.event);
        self.channel_group.append_value(channel);
        self.source.append_option(source);
        self.medium.append_option(medium);
        self.campaign.append_option(row.campaign.as_deref());
        self.url.append_option(row.url.as_deref());
        self.referrer.append_option(row.referrer.as_deref());
        self.session.append_option(row.session.as_deref());
        self.value.append_option(row.value);
        self.currency.append_option(row.currency.as_deref());
        self.properties.append_option(row.properties.as_deref());
        self.len += 1;
    }

    /// Takes the rows appended so far as a batch.
    ///
    /// # Panics
    /// Never: every column has the same length by construction.
    pub fn finish(&mut self, source_system: &str, import_id: &str) -> RecordBatch {
        let n = self.len;
        self.len = 0;
        let constant = |v: &str| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(v, n)))
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.event_id.finish()),
            Arc::new(self.anonymous_id.finish()),
            Arc::new(self.user_id.finish()),
            Arc::new(self.time.finish()),
            Arc::new(self.event.finish()),
            Arc::new(self.channel_group.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.medium.finish()),
            Arc::new(self.campaign.finish()),
            Arc::new(self.url.finish()),
            Arc::new(self.referrer.finish()),
            Arc::new(self.session.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.currency.finish()),
            Arc::new(self.properties.finish()),
            constant(source_system),
            constant(import_id),
        ];
        RecordBatch::try_new(unstitched_event_schema(), columns).expect("columns match the schema")
    }
}

/// What became of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Appended.
    Added,
    /// Already in the store or earlier in the file.
    Duplicate,
    /// Belongs to an erased person.
    Suppressed,
}

/// Normalises events into a batch builder. See the module docs.
#[derive(Debug)]
pub struct Normalizer {
    grouper: ChannelGrouper,
    groups: HashMap<String, String>,
    key_buf: String,
    session_groups: HashMap<String, String>,
    key: Option<PseudonymKey>,
    pseudonymize: bool,
    pseudonyms: HashMap<String, String>,
    suppressed: HashSet<String>,
    suppressed_cache: HashMap<String, bool>,
    seen: KeySet,
    links: HashSet<IdentityLink>,
    hash_buf: Vec<u8>,
    id_buf: String,
}

impl Normalizer {
    /// A normaliser. `seen` holds the keys of events already stored; `key` is needed when
    /// `pseudonymize` is set or `suppressed` (erasure hashes) is not empty.
    #[must_use]
    pub fn new(
        grouper: ChannelGrouper,
        seen: KeySet,
        key: Option<PseudonymKey>,
        pseudonymize: bool,
        suppressed: HashSet<String>,
    ) -> Self {
        Normalizer {
            grouper,
            groups: HashMap::new(),
            key_buf: String::new(),
            session_groups: HashMap::new(),
            key,
            pseudonymize,
            pseudonyms: HashMap::new(),
            suppressed,
            suppressed_cache: HashMap::new(),
            seen,
            links: HashSet::new(),
            hash_buf: Vec::with_capacity(512),
            id_buf: String::with_capacity(40),
        }
    }

    /// The identity links seen so far.
    #[must_use]
    pub fn links(&self) -> &HashSet<IdentityLink> {
        &self.links
    }

    /// Takes the identity links seen so far.
    pub fn take_links(&mut self) -> HashSet<IdentityLink> {
        std::mem::take(&mut self.links)
    }

    fn pseudo(&mut self, id: &str) -> String {
        if let Some(p) = self.pseudonyms.get(id) {
            return p.clone();
        }
        let key = self.key.as_ref().expect("a key when pseudonymising");
        let p = if PseudonymKey::is_pseudonym(id) {
            id.to_owned()
        } else {
            key.pseudonymize(id)
        };
        self.pseudonyms.insert(id.to_owned(), p.clone());
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
        self.suppressed_cache.insert(id.to_owned(), hit);
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
    ) -> String {
        self.key_buf.clear();
        for part in [source, medium, campaign] {
            self.key_buf.push_str(part.unwrap_or(""));
            self.key_buf.push('\u{1f}');
        }
        if let Some(g) = self.groups.get(self.key_buf.as_str()) {
            return g.clone();
        }
        let g = self.grouper.group(source, medium, campaign).to_owned();
        if self.groups.len() < 100_000 {
            self.groups.insert(self.key_buf.clone(), g.clone());
        }
        g
    }

    /// Normalises one event and appends it to `out` unless it is a duplicate or erased.
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
            derived = from_referrer(r, row.url.as_deref());
            if let Some((s, m)) = &derived {
                source = Some(s.as_str());
                medium = Some(m);
            }
        }
        let has_traffic = source.is_some() || medium.is_some() || row.campaign.is_some();
        let channel: String = if let Some(g) = row.channel_group.as_deref() {
            g.to_owned()
        } else if has_traffic {
            self.channel(source, medium, row.campaign.as_deref())
        } else if let Some(g) = row
            .session
            .as_deref()
            .and_then(|s| self.session_groups.get(s))
        {
            g.clone()
        } else {
            group::DIRECT.to_owned()
        };
        if let Some(s) = row.session.as_deref()
            && !self.session_groups.contains_key(s)
        {
            self.session_groups.insert(s.to_owned(), channel.clone());
        }

        // Identity and deduplication.
        let key = match row.event_id.as_deref() {
            Some(id) => {
                self.id_buf.clear();
                self.id_buf.push_str(id);
                event_key(id)
            }
            None => {
                let h = self.content_hash(row, anonymous_id, user_id, source, medium);
                self.id_buf.clear();
                self.id_buf.push_str("h-");
                use std::fmt::Write as _;
                let _ = write!(self.id_buf, "{h:032x}");
                event_key(&self.id_buf)
            }
        };
        if !self.seen.insert(key) {
            return Outcome::Duplicate;
        }
        if let (Some(a), Some(u)) = (anonymous_id, user_id) {
            let link = IdentityLink::new(anon_node(a), user_node(u));
            if !self.links.contains(&link) {
                self.links.insert(link);
            }
        }
        let id = std::mem::take(&mut self.id_buf);
        out.append(row, &id, anonymous_id, user_id, &channel, source, medium);
        self.id_buf = id;
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
        let mut h = Xxh3::new();
        h.update(buf);
        h.digest128()
    }
}
