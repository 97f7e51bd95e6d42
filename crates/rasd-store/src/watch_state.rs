//! What `rasd watch` remembers between polls and runs: per source its validators (ETag, Last-Modified), its
//! last poll, counts and last error; the feed items already handled (so that a repeated item adds nothing);
//! and the time of the last reconcile. The tables are created on first use (`CREATE TABLE IF NOT EXISTS`,
//! inside a write transaction) and are not part of the versioned schema: a database that never watched has
//! none, and readers treat their absence as "nothing watched yet". On PostgreSQL they are part of the schema;
//! the writes ([`record_poll`], [`set_meta`]) and reads (on `dyn ReadDb`) are the same code for both engines.

use crate::db::{self, Arg, ReadDb, Row};
use crate::incremental::Backend;
use crate::rebuild::Sqlite;
use crate::{Result, Store};
use rusqlite::{OptionalExtension, params};
use std::collections::HashSet;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS watch_sources(
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_poll INTEGER,
    last_ok INTEGER,
    polls INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS watch_seen(
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    doc_id TEXT,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY(source, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS watch_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// One watched source as last recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceState {
    pub name: String,
    pub url: String,
    pub kind: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix seconds of the last poll, and of the last successful one.
    pub last_poll: Option<i64>,
    pub last_ok: Option<i64>,
    pub polls: u64,
    /// Polls answered 304.
    pub not_modified: u64,
    pub errors: u64,
    /// Failures since the last success (the backoff exponent).
    pub consecutive_errors: u64,
    pub last_error: Option<String>,
    /// Items (feed items or page versions) handled.
    pub items: u64,
    /// Of those, stored as documents.
    pub docs: u64,
}

/// What one poll of a source did, recorded in one transaction.
#[derive(Debug, Clone, Default)]
pub struct PollRecord {
    pub name: String,
    pub url: String,
    pub kind: String,
    /// Why the poll failed; `None` for a successful poll.
    pub error: Option<String>,
    pub not_modified: bool,
    /// New validators (kept as they were when `None`).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Items handled by this poll, with the id of the document each became, if any.
    pub seen: Vec<(String, Option<String>)>,
    /// Unix seconds.
    pub at: i64,
}

fn missing_table(e: &rusqlite::Error) -> bool {
    e.to_string().contains("no such table")
}

impl Store {
    /// Creates the watch tables if absent.
    pub fn watch_init(&mut self) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute_batch(CREATE)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether `key` of `source` was handled before.
    pub fn watch_is_seen(&self, source: &str, key: &str) -> Result<bool> {
        let r = self
            .conn
            .query_row(
                "SELECT 1 FROM watch_seen WHERE source = ?1 AND key = ?2",
                params![source, key],
                |_| Ok(()),
            )
            .optional();
        match r {
            Ok(found) => Ok(found.is_some()),
            Err(e) if missing_table(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Records a poll: the source's row, and the items it handled, in one transaction ([`record_poll`]).
    pub fn watch_record_poll(&mut self, p: &PollRecord) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute_batch(CREATE)?;
        record_poll(&Sqlite(&tx), p)?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a watch note (such as `last_reconcile`).
    pub fn watch_set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute_batch(CREATE)?;
        set_meta(&Sqlite(&tx), key, value)?;
        tx.commit()?;
        Ok(())
    }
}

/// Records a poll in the caller's transaction, on SQLite or PostgreSQL (`rasd_pg::write`): the source's row,
/// and the items it handled.
pub fn record_poll(db: &dyn Backend, p: &PollRecord) -> Result<()> {
    let text = |s: &Option<String>| s.clone().map_or(Arg::Null, Arg::Text);
    db.execute(
        "INSERT INTO watch_sources(name, url, kind) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET url = excluded.url, kind = excluded.kind",
        &[
            Arg::Text(p.name.clone()),
            Arg::Text(p.url.clone()),
            Arg::Text(p.kind.clone()),
        ],
    )?;
    match &p.error {
        None => db.execute(
            "UPDATE watch_sources SET last_poll = ?2, last_ok = ?2, polls = polls + 1,
             not_modified = not_modified + ?3, consecutive_errors = 0,
             etag = coalesce(?4, etag), last_modified = coalesce(?5, last_modified) WHERE name = ?1",
            &[
                Arg::Text(p.name.clone()),
                Arg::Int(p.at),
                Arg::Int(p.not_modified as i64),
                text(&p.etag),
                text(&p.last_modified),
            ],
        )?,
        Some(reason) => db.execute(
            "UPDATE watch_sources SET last_poll = ?2, polls = polls + 1, errors = errors + 1,
             consecutive_errors = consecutive_errors + 1, last_error = ?3 WHERE name = ?1",
            &[Arg::Text(p.name.clone()), Arg::Int(p.at), Arg::Text(reason.clone())],
        )?,
    }
    for (key, doc) in &p.seen {
        db.execute(
            "INSERT INTO watch_seen(source, key, doc_id, seen_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            &[
                Arg::Text(p.name.clone()),
                Arg::Text(key.clone()),
                text(doc),
                Arg::Int(p.at),
            ],
        )?;
    }
    Ok(())
}

/// Sets a watch note in the caller's transaction, on SQLite or PostgreSQL.
pub fn set_meta(db: &dyn Backend, key: &str, value: &str) -> Result<()> {
    db.execute(
        "INSERT INTO watch_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        &[Arg::Text(key.into()), Arg::Text(value.into())],
    )
}

/// The reads of `rasd status` and `rasd watch`, on SQLite or PostgreSQL.
impl<'a> dyn ReadDb + 'a {
    /// The recorded state of every watched source, by name.
    pub fn watch_sources(&self) -> Result<Vec<SourceState>> {
        self.watch_sources_where(None)
    }

    /// The recorded state of one source.
    pub fn watch_source(&self, name: &str) -> Result<Option<SourceState>> {
        Ok(self.watch_sources_where(Some(name))?.into_iter().next())
    }

    /// The recorded state of `name` alone, or of every source (one query; a poll reads only its own row).
    fn watch_sources_where(&self, name: Option<&str>) -> Result<Vec<SourceState>> {
        if !self.has_table("watch_sources")? || !self.has_table("watch_seen")? {
            return Ok(Vec::new());
        }
        let (filter, args) = match name {
            Some(n) => ("WHERE s.name = ?1", vec![Arg::Text(n.to_string())]),
            None => ("", Vec::new()),
        };
        let count = |r: &dyn Row, i| -> Result<u64> { Ok(db::int(r, i)?.max(0) as u64) };
        self.rows(
            &format!(
                "SELECT s.name, s.url, s.kind, s.etag, s.last_modified, s.last_poll, s.last_ok, s.polls,
                        s.not_modified, s.errors, s.consecutive_errors, s.last_error,
                        (SELECT count(*) FROM watch_seen w WHERE w.source = s.name),
                        (SELECT count(*) FROM watch_seen w WHERE w.source = s.name AND w.doc_id IS NOT NULL)
                 FROM watch_sources s {filter} ORDER BY s.name"
            ),
            &args,
            |r| {
                Ok(SourceState {
                    name: db::text(r, 0)?,
                    url: db::text(r, 1)?,
                    kind: db::text(r, 2)?,
                    etag: r.text(3)?,
                    last_modified: r.text(4)?,
                    last_poll: r.int(5)?,
                    last_ok: r.int(6)?,
                    polls: count(r, 7)?,
                    not_modified: count(r, 8)?,
                    errors: count(r, 9)?,
                    consecutive_errors: count(r, 10)?,
                    last_error: r.text(11)?,
                    items: count(r, 12)?,
                    docs: count(r, 13)?,
                })
            },
        )
    }

    /// The keys of `source`'s items handled before (read once per poll, so that a poll's threads need no
    /// database).
    pub fn watch_seen_keys(&self, source: &str) -> Result<HashSet<String>> {
        if !self.has_table("watch_seen")? {
            return Ok(HashSet::new());
        }
        let keys = self.rows(
            "SELECT key FROM watch_seen WHERE source = ?1",
            &[Arg::Text(source.into())],
            |r| db::text(r, 0),
        )?;
        Ok(keys.into_iter().collect())
    }

    /// A watch note.
    pub fn watch_meta(&self, key: &str) -> Result<Option<String>> {
        if !self.has_table("watch_meta")? {
            return Ok(None);
        }
        let v = self.first(
            "SELECT value FROM watch_meta WHERE key = ?1",
            &[Arg::Text(key.into())],
            |r| db::text(r, 0),
        )?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_and_seen_items() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.db")).unwrap();
        assert!(store.watch_sources().unwrap().is_empty());
        assert!(!store.watch_is_seen("s", "k").unwrap());
        let mut p = PollRecord {
            name: "s".into(),
            url: "http://127.0.0.1/feed".into(),
            kind: "feed".into(),
            etag: Some("\"v1\"".into()),
            seen: vec![("k".into(), Some("d1".into())), ("k2".into(), None)],
            at: 100,
            ..PollRecord::default()
        };
        store.watch_record_poll(&p).unwrap();
        p.error = Some("HTTP status 500".into());
        p.etag = None;
        p.at = 200;
        store.watch_record_poll(&p).unwrap();
        assert!(store.watch_is_seen("s", "k").unwrap());
        let s = store.watch_source("s").unwrap().unwrap();
        assert_eq!(
            (s.polls, s.errors, s.consecutive_errors, s.items, s.docs),
            (2, 1, 1, 2, 1)
        );
        assert_eq!(
            (s.last_poll, s.last_ok, s.etag.as_deref()),
            (Some(200), Some(100), Some("\"v1\""))
        );
        store.watch_set_meta("last_reconcile", "300").unwrap();
        assert_eq!(store.watch_meta("last_reconcile").unwrap().as_deref(), Some("300"));
    }
}
