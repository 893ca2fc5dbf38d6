//! Privacy by design: keyed pseudonyms and the erasure of one person.
//!
//! A workspace keeps one secret key in `polku.db`, made from the operating system's random
//! source on first use and never printed. [`PseudonymKey::pseudonymize`] replaces an identifier
//! by `p-` and 32 hex digits of its HMAC-SHA-256, so the same person gets the same pseudonym in
//! every import and nobody without the key can reverse or recompute it.
//!
//! [`forget`] removes one person (every identifier stitched to them) from every table file and
//! from the identity graph, adds keyed hashes of their identifiers to a suppression list so a
//! re-import of an old file does not bring them back, and records the erasure in the audit log
//! under a keyed hash of the identifier, not the identifier itself.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use arrow_array::{Array, BooleanArray, RecordBatch, StringArray};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::app_db::{AppDb, AuditEntry, now_rfc3339};
use crate::data_error::DataError;
use crate::events::EventStore;
use crate::schema::{Table, person_columns};

const KEY_NAME: &str = "pseudonym_key";

/// The workspace's secret key for pseudonyms. Its `Debug` output hides the bytes.
#[derive(Clone)]
pub struct PseudonymKey([u8; 32]);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(<secret>)")
    }
}

impl PseudonymKey {
    /// The workspace's key, created on first use.
    ///
    /// # Errors
    /// When the database cannot be read or written, or no random bytes are available.
    pub fn load_or_create(db: &mut AppDb) -> Result<Self, DataError> {
        if let Some(bytes) = db.secret(KEY_NAME)? {
            return Self::from_bytes(&bytes);
        }
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh)
            .map_err(|e| DataError::Io(std::io::Error::other(format!("no random source: {e}"))))?;
        let stored = db.secret_or_insert(KEY_NAME, &fresh)?;
        Self::from_bytes(&stored)
    }

    /// The workspace's key if one was ever created.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn load(db: &AppDb) -> Result<Option<Self>, DataError> {
        db.secret(KEY_NAME)?
            .map(|b| Self::from_bytes(&b))
            .transpose()
    }

    /// A key from its bytes (tests and tools).
    ///
    /// # Errors
    /// When `bytes` is not 32 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DataError> {
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            DataError::Corrupt("the pseudonym key in polku.db is not 32 bytes".into())
        })?;
        Ok(PseudonymKey(key))
    }

    fn mac(&self, domain: &[u8], id: &str) -> [u8; 16] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(domain);
        mac.update(id.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// The pseudonym of an identifier: `p-` and 32 hex digits.
    #[must_use]
    pub fn pseudonymize(&self, id: &str) -> String {
        hex("p-", &self.mac(b"pseudonym\0", id))
    }

    /// Whether `id` already is a pseudonym (so it is not hashed twice).
    #[must_use]
    pub fn is_pseudonym(id: &str) -> bool {
        id.len() == 34 && id.starts_with("p-") && id[2..].bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The hash under which an erased identifier is kept in the suppression list and the audit
    /// log.
    #[must_use]
    pub fn erasure_hash(&self, id: &str) -> String {
        hex("s-", &self.mac(b"erased\0", id))
    }
}

fn hex(prefix: &str, bytes: &[u8]) -> String {
    let mut s = String::with_capacity(prefix.len() + bytes.len() * 2);
    s.push_str(prefix);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// What [`forget`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgetReport {
    /// Rows removed per table name.
    pub rows_removed: BTreeMap<String, u64>,
    /// Identifiers (anonymous ids, user ids) that belonged to the person.
    pub identifiers: usize,
    /// Table files rewritten or deleted.
    pub files_rewritten: usize,
}

impl ForgetReport {
    /// Rows removed from every table.
    #[must_use]
    pub fn total_rows(&self) -> u64 {
        self.rows_removed.values().sum()
    }
}

/// Every identifier of the person `id` names: the connected component of the identity graph
/// around it, as bare ids, plus the ids it was given (raw and pseudonymised).
fn person_ids(
    db: &AppDb,
    key: &PseudonymKey,
    id: &str,
) -> Result<(HashSet<String>, HashSet<String>), DataError> {
    let mut seeds: Vec<String> = vec![id.to_owned()];
    if !PseudonymKey::is_pseudonym(id) {
        seeds.push(key.pseudonymize(id));
    }
    let mut adjacency: HashMap<String, Vec<String>> = HashMap::new();
    for link in db.identity_links()? {
        adjacency
            .entry(link.a.clone())
            .or_default()
            .push(link.b.clone());
        adjacency.entry(link.b).or_default().push(link.a);
    }
    let map = db.identity_map()?;
    let mut start: Vec<String> = Vec::new();
    for s in &seeds {
        start.push(format!("a:{s}"));
        start.push(format!("u:{s}"));
        start.push(format!("p:{s}"));
        // `id` may be a stitched customer id: every node mapped to it belongs to the person.
        start.extend(map.iter().filter(|(_, c)| *c == s).map(|(n, _)| n.clone()));
    }
    let mut nodes: HashSet<String> = HashSet::new();
    let mut stack = start;
    while let Some(node) = stack.pop() {
        if !nodes.insert(node.clone()) {
            continue;
        }
        if let Some(next) = adjacency.get(&node) {
            stack.extend(next.iter().filter(|n| !nodes.contains(*n)).cloned());
        }
    }
    let mut ids: HashSet<String> = seeds.into_iter().collect();
    ids.extend(nodes.iter().filter_map(|n| n.get(2..)).map(str::to_owned));
    ids.extend(nodes.iter().filter_map(|n| map.get(n)).cloned());
    // Keep only nodes that exist in the graph, for the database clean-up.
    nodes.retain(|n| adjacency.contains_key(n) || map.contains_key(n));
    Ok((ids, nodes))
}

fn matching_rows(batch: &RecordBatch, columns: &[&str], ids: &HashSet<String>) -> BooleanArray {
    let mut keep = vec![true; batch.num_rows()];
    for name in columns {
        let Some(col) = batch.column_by_name(name) else {
            continue;
        };
        let Some(strings) = col.as_any().downcast_ref::<StringArray>() else {
            continue;
        };
        for (i, v) in strings.iter().enumerate() {
            if v.is_some_and(|v| ids.contains(v)) {
                keep[i] = false;
            }
        }
    }
    BooleanArray::from(keep)
}

/// Removes one person from every table and partition, records the erasure in the audit log,
/// and keeps keyed hashes of their identifiers so later imports skip them.
///
/// `id` may be an anonymous id, a user id, a stitched customer id or a pseudonym.
///
/// # Errors
/// [`DataError::UnknownPerson`] when nothing matches; I/O and database errors otherwise.
pub fn forget(root: &Path, id: &str, user: &str) -> Result<ForgetReport, DataError> {
    let store = EventStore::open(root);
    let _lock = store.lock()?;
    let mut db = AppDb::open(root)?;
    let key = PseudonymKey::load_or_create(&mut db)?;
    let (ids, nodes) = person_ids(&db, &key, id)?;
    let mut report = ForgetReport {
        identifiers: nodes.len(),
        ..ForgetReport::default()
    };

    for table in Table::ALL {
        let columns = person_columns(table);
        if columns.is_empty() {
            continue;
        }
        let mut removed = 0u64;
        for part in store.partitions(table)? {
            let mut hit = false;
            for batch in EventStore::read(&part.path, Some(columns), 64 * 1024)? {
                let batch = batch?;
                if matching_rows(&batch, columns, &ids).false_count() > 0 {
                    hit = true;
                    break;
                }
            }
            if !hit {
                continue;
            }
            let (before, after) = EventStore::rewrite(&part.path, &table.schema(), |batch| {
                let keep = matching_rows(&batch, columns, &ids);
                Ok(arrow_select::filter::filter_record_batch(&batch, &keep)?)
            })?;
            removed += (before - after) as u64;
            report.files_rewritten += 1;
        }
        if removed > 0 {
            report.rows_removed.insert(table.name().to_owned(), removed);
        }
    }

    if report.total_rows() == 0 && nodes.is_empty() {
        return Err(DataError::UnknownPerson(id.to_owned()));
    }
    let mut hashes: Vec<String> = ids.iter().map(|i| key.erasure_hash(i)).collect();
    hashes.sort();
    let mut detail = String::from("{\"rows_removed\":{");
    for (i, (table, n)) in report.rows_removed.iter().enumerate() {
        let _ = write!(detail, "{}\"{table}\":{n}", if i > 0 { "," } else { "" });
    }
    let _ = write!(
        detail,
        "}},\"identifiers\":{},\"files_rewritten\":{}}}",
        report.identifiers, report.files_rewritten
    );
    let entry = AuditEntry {
        at: now_rfc3339(),
        user: user.to_owned(),
        action: "forget".into(),
        subject: key.erasure_hash(id),
        detail,
    };
    db.commit_forget(&nodes, &hashes, &entry)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_recognisable() {
        let k1 = PseudonymKey::from_bytes(&[1; 32]).unwrap();
        let k2 = PseudonymKey::from_bytes(&[2; 32]).unwrap();
        let p = k1.pseudonymize("anni@example.com");
        assert_eq!(p, k1.pseudonymize("anni@example.com"));
        assert_ne!(p, k2.pseudonymize("anni@example.com"));
        assert!(PseudonymKey::is_pseudonym(&p));
        assert!(!PseudonymKey::is_pseudonym("anni@example.com"));
        assert_ne!(k1.erasure_hash("x"), k1.pseudonymize("x")[2..]);
        assert_eq!(format!("{k1:?}"), "PseudonymKey(<secret>)");
    }
}
