//! The app database `polku.db`: the import log, identity links, the audit log and secrets.
//!
//! SQLite in WAL mode; the schema is created and upgraded by numbered migrations
//! ([`MIGRATIONS`], tracked in `PRAGMA user_version`). An import commits by inserting its log
//! entry, its new identity links and the new identity map in one transaction.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::data_error::DataError;
use crate::events::DB_FILE;

/// The schema migrations of `polku.db`, in order. Migration `i` moves `user_version` from `i`
/// to `i + 1`; append new ones, never edit old ones.
pub const MIGRATIONS: &[&str] = &[
    // 1: import log, identities, audit log, secrets, erasure suppression list.
    "CREATE TABLE imports (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        file TEXT NOT NULL,
        file_hash TEXT NOT NULL,
        format TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_added INTEGER NOT NULL,
        duplicates INTEGER NOT NULL,
        quarantined INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        user TEXT NOT NULL,
        pseudonymized INTEGER NOT NULL
    );
    CREATE TABLE identity_links (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        import_id TEXT NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE TABLE identity_map (
        node TEXT PRIMARY KEY,
        customer TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
    CREATE TABLE suppressed (hash TEXT PRIMARY KEY) WITHOUT ROWID;",
    // 2: web workbench users and their sign-in sessions. A session is stored by the SHA-256 of
    // its cookie value, so a copy of the database does not hand out live sessions.
    "CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX web_sessions_user ON web_sessions(user);",
    // 3: write keys of the event collector; only a hash of each key is kept.
    "CREATE TABLE collector_keys (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );",
];

/// One entry of the import log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    /// The import's id; also the prefix of its Parquet files.
    pub id: String,
    /// What was imported: `events`, `costs`, `survey`, `interviews`.
    pub kind: String,
    /// The imported file as given.
    pub file: String,
    /// `sha256:` and the hex SHA-256 of the file's bytes.
    pub file_hash: String,
    /// The format read: `csv`, `ndjson`, `parquet`, `ga4`, `segment`, `yaml`.
    pub format: String,
    /// Rows read from the file.
    pub rows_read: u64,
    /// Rows added to the store.
    pub rows_added: u64,
    /// Rows already in the store (or repeated in the file), not added again.
    pub duplicates: u64,
    /// Bad rows written to the quarantine file.
    pub quarantined: u64,
    /// When the import started, RFC 3339 UTC.
    pub started_at: String,
    /// When the import committed, RFC 3339 UTC.
    pub finished_at: String,
    /// Who ran it.
    pub user: String,
    /// Whether identifiers were replaced by keyed hashes.
    pub pseudonymized: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub user: String,
    /// What: `forget`.
    pub action: String,
    /// Whom, as a keyed hash: the audit log must not keep the identifier it erased.
    pub subject: String,
    /// What was removed, as JSON.
    pub detail: String,
}

/// A link between two identifiers of one person: `a:ID` for anonymous ids, `u:ID` for user ids,
/// `p:ID` for an alias's previous id taken as a user id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityLink {
    /// One identifier node.
    pub a: String,
    /// The other; links are stored with `a < b`.
    pub b: String,
}

impl IdentityLink {
    /// A link between two nodes, ordered.
    #[must_use]
    pub fn new(x: String, y: String) -> Self {
        if x <= y {
            IdentityLink { a: x, b: y }
        } else {
            IdentityLink { a: y, b: x }
        }
    }
}

/// The node of an anonymous id in the identity graph.
#[must_use]
pub fn anon_node(id: &str) -> String {
    format!("a:{id}")
}

/// The node of a user id in the identity graph.
#[must_use]
pub fn user_node(id: &str) -> String {
    format!("u:{id}")
}

/// What one import commits to the app database.
#[derive(Debug, Clone)]
pub struct ImportCommit<'a> {
    /// The log entry.
    pub record: &'a ImportRecord,
    /// Identity links seen for the first time.
    pub new_links: &'a [IdentityLink],
    /// The identity map after stitching (nodes whose customer is not their own id), or `None`
    /// when it did not change.
    pub identity_map: Option<&'a HashMap<String, String>>,
}

/// An import's identity rows, written but not committed; see [`AppDb::begin_import`]. Dropping
/// it rolls them back.
#[derive(Debug)]
pub struct ImportTransaction<'db> {
    tx: rusqlite::Transaction<'db>,
}

impl ImportTransaction<'_> {
    /// Adds the import's log entry and commits.
    ///
    /// # Errors
    /// When the transaction fails; nothing is then changed.
    pub fn commit(self, r: &ImportRecord) -> Result<(), DataError> {
        self.tx.execute(
            "INSERT INTO imports (id, kind, file, file_hash, format, rows_read, rows_added,
                duplicates, quarantined, started_at, finished_at, user, pseudonymized)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                r.id,
                r.kind,
                r.file,
                r.file_hash,
                r.format,
                to_i64(r.rows_read),
                to_i64(r.rows_added),
                to_i64(r.duplicates),
                to_i64(r.quarantined),
                r.started_at,
                r.finished_at,
                r.user,
                r.pseudonymized
            ],
        )?;
        self.tx.commit()?;
        Ok(())
    }
}

/// The open app database of a workspace.
#[derive(Debug)]
pub struct AppDb {
    conn: Connection,
    path: PathBuf,
}

impl AppDb {
    /// Opens (creating and migrating when needed) `polku.db` in the workspace at `root`.
    ///
    /// # Errors
    /// When the database cannot be opened or migrated.
    pub fn open(root: &Path) -> Result<Self, DataError> {
        let path = root.join(DB_FILE);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut db = AppDb { conn, path };
        db.migrate()?;
        Ok(db)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for tables other parts of polku keep here.
    #[must_use]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn migrate(&mut self) -> Result<(), DataError> {
        let version: usize = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?
            .try_into()
            .unwrap_or(0);
        if version > MIGRATIONS.len() {
            return Err(DataError::Corrupt(format!(
                "{} has schema version {version}, newer than this polku knows ({}); upgrade polku",
                self.path.display(),
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The import log, oldest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn imports(&self) -> Result<Vec<ImportRecord>, DataError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, file, file_hash, format, rows_read, rows_added, duplicates,
                    quarantined, started_at, finished_at, user, pseudonymized
             FROM imports ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                kind: r.get(1)?,
                file: r.get(2)?,
                file_hash: r.get(3)?,
                format: r.get(4)?,
                rows_read: r.get::<_, i64>(5)?.try_into().unwrap_or(0),
                rows_added: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
                duplicates: r.get::<_, i64>(7)?.try_into().unwrap_or(0),
                quarantined: r.get::<_, i64>(8)?.try_into().unwrap_or(0),
                started_at: r.get(9)?,
                finished_at: r.get(10)?,
                user: r.get(11)?,
                pseudonymized: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ids of every logged import.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn import_ids(&self) -> Result<HashSet<String>, DataError> {
        let mut stmt = self.conn.prepare("SELECT id FROM imports")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Every identity link.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn identity_links(&self) -> Result<Vec<IdentityLink>, DataError> {
        let mut stmt = self.conn.prepare("SELECT a, b FROM identity_links")?;
        let links = stmt.query_map([], |r| {
            Ok(IdentityLink {
                a: r.get(0)?,
                b: r.get(1)?,
            })
        })?;
        Ok(links.collect::<Result<_, _>>()?)
    }

    /// The identity map: every node whose customer is not its own id.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn identity_map(&self) -> Result<HashMap<String, String>, DataError> {
        let mut stmt = self
            .conn
            .prepare("SELECT node, customer FROM identity_map")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Commits an import: its log entry, new identity links and the new identity map.
    ///
    /// # Errors
    /// When the transaction fails; nothing is then changed.
    pub fn commit_import(&mut self, commit: &ImportCommit<'_>) -> Result<(), DataError> {
        self.begin_import(&commit.record.id, commit.new_links, commit.identity_map)?
            .commit(commit.record)
    }

    /// Writes an import's new identity links and new identity map (see [`ImportCommit`]) in a
    /// transaction that [`ImportTransaction::commit`] ends with the import's log entry, so that
    /// the rows can be written while the import's files still are.
    ///
    /// # Errors
    /// When a row cannot be written; nothing is then changed.
    pub fn begin_import(
        &mut self,
        import_id: &str,
        new_links: &[IdentityLink],
        identity_map: Option<&HashMap<String, String>>,
    ) -> Result<ImportTransaction<'_>, DataError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO identity_links (a, b, import_id) VALUES (?1, ?2, ?3)",
            )?;
            for link in new_links {
                insert.execute(params![link.a, link.b, import_id])?;
            }
            if let Some(map) = identity_map {
                tx.execute("DELETE FROM identity_map", [])?;
                let mut insert =
                    tx.prepare("INSERT INTO identity_map (node, customer) VALUES (?1, ?2)")?;
                // In key order: appending to the table's B-tree is several times faster than
                // inserting at random places.
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_unstable();
                for (node, customer) in entries {
                    insert.execute(params![node, customer])?;
                }
            }
        }
        Ok(ImportTransaction { tx })
    }

    /// The audit log, oldest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>, DataError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, user, action, subject, detail FROM audit_log ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                user: r.get(1)?,
                action: r.get(2)?,
                subject: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reads a secret.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn secret(&self, name: &str) -> Result<Option<Vec<u8>>, DataError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a secret unless one of that name exists; returns the stored value.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub fn secret_or_insert(&mut self, name: &str, value: &[u8]) -> Result<Vec<u8>, DataError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO secrets (name, value) VALUES (?1, ?2)",
            params![name, value],
        )?;
        let stored: Vec<u8> =
            tx.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })?;
        tx.commit()?;
        Ok(stored)
    }

    /// The keyed hashes of erased identifiers: rows carrying them are not imported again.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn suppressed(&self) -> Result<HashSet<String>, DataError> {
        let mut stmt = self.conn.prepare("SELECT hash FROM suppressed")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records an erasure: removes the person's identity links and map entries, adds their
    /// hashed identifiers to the suppression list and writes the audit entry, in one
    /// transaction.
    ///
    /// # Errors
    /// When the transaction fails; nothing is then changed.
    pub fn commit_forget(
        &mut self,
        nodes: &HashSet<String>,
        suppressed_hashes: &[String],
        entry: &AuditEntry,
    ) -> Result<(), DataError> {
        let tx = self.conn.transaction()?;
        {
            let mut del_link = tx.prepare("DELETE FROM identity_links WHERE a = ?1 OR b = ?1")?;
            let mut del_map =
                tx.prepare("DELETE FROM identity_map WHERE node = ?1 OR customer = ?2")?;
            for node in nodes {
                del_link.execute([node])?;
                let bare = node.get(2..).unwrap_or(node);
                del_map.execute(params![node, bare])?;
            }
            let mut sup = tx.prepare("INSERT OR IGNORE INTO suppressed (hash) VALUES (?1)")?;
            for h in suppressed_hashes {
                sup.execute([h])?;
            }
            tx.execute(
                "INSERT INTO audit_log (at, user, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![entry.at, entry.user, entry.action, entry.subject, entry.detail],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The current time as RFC 3339 UTC with seconds, e.g. `2025-03-01T12:00:00Z`.
#[must_use]
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> ImportRecord {
        ImportRecord {
            id: id.into(),
            kind: "events".into(),
            file: "a.csv".into(),
            file_hash: "sha256:00".into(),
            format: "csv".into(),
            rows_read: 3,
            rows_added: 2,
            duplicates: 1,
            quarantined: 0,
            started_at: now_rfc3339(),
            finished_at: now_rfc3339(),
            user: "anni".into(),
            pseudonymized: false,
        }
    }

    #[test]
    fn migrates_once_and_logs_imports_with_links() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = AppDb::open(dir.path()).unwrap();
        let links = vec![IdentityLink::new(user_node("u1"), anon_node("x"))];
        let map: HashMap<_, _> = [(anon_node("x"), "u1".to_owned())].into();
        db.commit_import(&ImportCommit {
            record: &record("i1"),
            new_links: &links,
            identity_map: Some(&map),
        })
        .unwrap();
        drop(db);
        let db = AppDb::open(dir.path()).unwrap();
        assert_eq!(db.imports().unwrap(), vec![record_with_times(&db, "i1")]);
        assert_eq!(db.identity_links().unwrap(), links);
        assert_eq!(db.identity_map().unwrap(), map);
        assert_eq!(links[0].a, "a:x");
    }

    #[test]
    fn an_import_transaction_dropped_before_its_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = AppDb::open(dir.path()).unwrap();
        let links = vec![IdentityLink::new(user_node("u1"), anon_node("x"))];
        let map: HashMap<_, _> = [(anon_node("x"), "u1".to_owned())].into();
        drop(db.begin_import("i1", &links, Some(&map)).unwrap());
        assert!(db.imports().unwrap().is_empty());
        assert!(db.identity_links().unwrap().is_empty());
        assert!(db.identity_map().unwrap().is_empty());
        // Committed, the same rows are there, with the log entry.
        db.begin_import("i1", &links, Some(&map))
            .unwrap()
            .commit(&record("i1"))
            .unwrap();
        assert_eq!(db.imports().unwrap(), vec![record_with_times(&db, "i1")]);
        assert_eq!(db.identity_links().unwrap(), links);
        assert_eq!(db.identity_map().unwrap(), map);
    }

    fn record_with_times(db: &AppDb, id: &str) -> ImportRecord {
        let stored = db
            .imports()
            .unwrap()
            .into_iter()
            .find(|r| r.id == id)
            .unwrap();
        ImportRecord {
            started_at: stored.started_at.clone(),
            finished_at: stored.finished_at.clone(),
            ..record(id)
        }
    }

    #[test]
    fn a_secret_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = AppDb::open(dir.path()).unwrap();
        assert_eq!(db.secret("k").unwrap(), None);
        assert_eq!(db.secret_or_insert("k", b"one").unwrap(), b"one");
        assert_eq!(db.secret_or_insert("k", b"two").unwrap(), b"one");
    }
}
