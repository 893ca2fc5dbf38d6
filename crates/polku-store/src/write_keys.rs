//! Write keys of the event collector, kept in `polku.db` as hashes.
//!
//! A write key is public in every web page that sends events, so it is a label that routes
//! data to a workspace rather than a secret; still, the database keeps only its SHA-256, so a
//! copy of `polku.db` does not give away keys. A key has 192 random bits, which makes a plain
//! hash as strong as a password hash would be, and lets the collector check each request with
//! one fast lookup.

use std::collections::HashMap;
use std::fmt::Write as _;

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::app_db::{AppDb, now_rfc3339};
use crate::data_error::DataError;

/// What the store knows of one write key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteKey {
    /// The name given at `polku key add --name NAME`.
    pub name: String,
    /// The key's first characters, so people can tell keys apart.
    pub prefix: String,
    /// When it was made, RFC 3339 UTC.
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
}

/// The hash the database keeps of a key: `sha256:` and hex.
#[must_use]
pub fn key_hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Characters a key prefix shows.
const PREFIX_LEN: usize = 10;

impl AppDb {
    /// Makes a new write key named `name`; returns the key itself, which is shown once and
    /// kept nowhere.
    ///
    /// # Errors
    /// [`DataError::Corrupt`] when the name is empty or taken; database errors.
    pub fn add_write_key(&mut self, name: &str, user: &str) -> Result<String, DataError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DataError::Corrupt("a write key needs a name".into()));
        }
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| DataError::Io(std::io::Error::other(e.to_string())))?;
        let mut key = String::from("pk_");
        for b in bytes {
            let _ = write!(key, "{b:02x}");
        }
        let taken = self
            .connection()
            .query_row(
                "SELECT 1 FROM collector_keys WHERE name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(DataError::Corrupt(format!(
                "a write key named `{name}` exists; remove it with `polku key rm {name}` or pick another name"
            )));
        }
        self.connection().execute(
            "INSERT INTO collector_keys (name, hash, prefix, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                name,
                key_hash(&key),
                &key[..PREFIX_LEN],
                now_rfc3339(),
                user
            ],
        )?;
        Ok(key)
    }

    /// The write keys, by name.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn write_keys(&self) -> Result<Vec<WriteKey>, DataError> {
        let mut stmt = self.connection().prepare(
            "SELECT name, prefix, created_at, created_by FROM collector_keys ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(WriteKey {
                name: r.get(0)?,
                prefix: r.get(1)?,
                created_at: r.get(2)?,
                created_by: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Key hashes to key names, for checking requests.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn write_key_hashes(&self) -> Result<HashMap<String, String>, DataError> {
        let mut stmt = self
            .connection()
            .prepare("SELECT hash, name FROM collector_keys")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes the write key named `name`; whether there was one.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub fn remove_write_key(&mut self, name: &str) -> Result<bool, DataError> {
        Ok(self
            .connection()
            .execute("DELETE FROM collector_keys WHERE name = ?1", [name])?
            > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_shown_once_and_stored_only_as_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = AppDb::open(dir.path()).unwrap();
        let key = db.add_write_key("website", "tester").unwrap();
        assert!(key.starts_with("pk_") && key.len() == 51, "{key}");
        let hashes = db.write_key_hashes().unwrap();
        assert_eq!(
            hashes.get(&key_hash(&key)).map(String::as_str),
            Some("website")
        );
        let raw = fs_err::read(db.path()).unwrap();
        assert!(!raw.windows(key.len()).any(|w| w == key.as_bytes()));
        let err = db.add_write_key("website", "tester").unwrap_err();
        assert!(err.to_string().contains("exists"), "{err}");
        let other = db.add_write_key("app", "tester").unwrap();
        assert_ne!(key, other);
        let names: Vec<_> = db
            .write_keys()
            .unwrap()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(names, ["app", "website"]);
        assert!(db.remove_write_key("website").unwrap());
        assert!(!db.remove_write_key("website").unwrap());
        assert!(!db.write_key_hashes().unwrap().contains_key(&key_hash(&key)));
    }

    #[test]
    fn the_hash_is_sha256() {
        assert_eq!(
            key_hash("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
