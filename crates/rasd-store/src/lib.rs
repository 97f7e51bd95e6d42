//! The rasd project database: an embedded SQLite file (WAL mode) holding documents, their event records, and
//! what reconciliation derives from them (incidents, control claims, contradictions).
//!
//! Writes are batched in transactions, so a process killed at any moment leaves a consistent database, and
//! ingest is idempotent: documents are keyed by content hash, so a second run stores nothing new and a run
//! after a crash finishes the job. Derived tables are rebuilt in one transaction after the documents change;
//! a `dirty` flag in `meta` makes the next run (or query) rebuild them if a crash came in between.

/// ACLED CSV, GeoJSON and JSONL exports.
pub mod export;
mod ingest;
mod query;
/// Input readers: text, JSONL, HTML, RSS/Atom.
pub mod read;
mod schema;
/// MinHash near-duplicate detection.
pub mod sketch;

pub use ingest::{IngestStats, Progress};
pub use query::{DocRecord, Failure, Filter, PlaceRow, SourceStats, StoredEvent, Summary};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}: no rasd database here (run `rasd ingest PATH…` or `rasd demo` first, or pass --db)")]
    Missing(PathBuf),
    #[error("{0}: not a rasd database (the file is not an SQLite database)")]
    NotADatabase(PathBuf),
    #[error("{path}: an SQLite database of another application (application_id {id:#x}); rasd leaves it untouched")]
    Foreign { path: PathBuf, id: i64 },
    #[error("{path}: the database is corrupt: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: written by a newer rasd (schema version {found}; this rasd knows up to {known}); upgrade rasd")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("{}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
    #[error("a stored record cannot be read back: {0}")]
    Record(#[from] serde_json::Error),
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("invalid query: {0}")]
    Query(String),
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Sqlite(e)
    }
}

/// SQLite's message, with advice where SQLite's own words are cryptic. (Not a `source`: the message already
/// includes it, and error chains would print it twice.)
fn sqlite_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseCorrupt, DatabaseLocked, NotADatabase};
    match e {
        rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, DatabaseCorrupt | NotADatabase) => format!(
            "the database file is corrupt ({}); restore it from a backup, or ingest the sources again into a new file",
            f
        ),
        rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, DatabaseBusy | DatabaseLocked) => {
            format!("the database is locked by another rasd process ({f})")
        }
        e => format!("database error: {e}"),
    }
}

impl Error {
    /// True when another process holds the write lock (an ingest in progress): a reader can go on with the
    /// last committed state.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }
}

/// An open project database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database at `path`, creating it when absent and migrating an older schema in place.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, true)
    }

    /// Opens an existing database; a missing file is [`Error::Missing`] rather than a new empty database.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<Store> {
        let exists = path.exists();
        if !exists && !create {
            return Err(Error::Missing(path.to_path_buf()));
        }
        if exists && std::fs::metadata(path)?.len() > 0 {
            let mut head = [0u8; 16];
            let mut f = std::fs::File::open(path)?;
            let n = std::io::Read::read(&mut f, &mut head)?;
            if n < 16 || &head != b"SQLite format 3\0" {
                return Err(Error::NotADatabase(path.to_path_buf()));
            }
        }
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.setup().map_err(|e| store.classify(e))?;
        Ok(store)
    }

    /// Turns SQLite's "corrupt" and "not a database" codes into a clear error naming the file.
    fn classify(&self, e: Error) -> Error {
        if let Error::Sqlite(rusqlite::Error::SqliteFailure(f, msg)) = &e {
            use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
            if matches!(f.code, DatabaseCorrupt | NotADatabase) {
                return Error::Corrupt {
                    path: self.path.clone(),
                    detail: msg.clone().unwrap_or_else(|| f.to_string()),
                };
            }
        }
        e
    }

    fn setup(&mut self) -> Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let app: i64 = self.conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if app == 0 && tables == 0 {
            schema::create(&mut self.conn)?;
        } else if app != APPLICATION_ID {
            return Err(Error::Foreign {
                path: self.path.clone(),
                id: app,
            });
        }
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        schema::migrate(&mut self.conn, version)?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        // 64 MB of page cache: the index B-trees of a large collection stay in memory during a rebuild.
        self.conn.pragma_update(None, "cache_size", -65536)?;
        Ok(())
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database (always [`SCHEMA_VERSION`] once opened).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// SQLite's own consistency check: `Ok(())` or the problems it lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// True when documents changed since the derived tables were last rebuilt.
    pub fn is_dirty(&self) -> Result<bool> {
        Ok(self.meta("dirty")?.as_deref() == Some("1"))
    }

    /// Rebuilds incidents, control claims and contradictions when documents changed since the last rebuild.
    pub fn ensure_reconciled(&mut self) -> Result<bool> {
        if self.is_dirty()? {
            self.reconcile(&rasd_reconcile::Options::default())?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Rebuilds the derived tables from every stored event, in one transaction. Rows are inserted in key
    /// order so that the primary-key B-trees grow by appending rather than by random page splits.
    pub fn reconcile(&mut self, opts: &rasd_reconcile::Options) -> Result<()> {
        type DocInfo = (Option<String>, Option<chrono::NaiveDate>);
        let docs: HashMap<String, DocInfo> = {
            let mut stmt = self.conn.prepare("SELECT id, near_dup_of, published FROM docs")?;
            stmt.query_map([], |r| {
                let published: Option<String> = r.get(2)?;
                let published = published.and_then(|p| chrono::NaiveDate::parse_from_str(&p, "%Y-%m-%d").ok());
                Ok((r.get(0)?, (r.get(1)?, published)))
            })?
            .collect::<Result<_, _>>()?
        };
        let mut reports = Vec::new();
        {
            let mut stmt = self.conn.prepare("SELECT json, outlet, doc_id FROM events")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let json: String = r.get(0)?;
                let event: rasd_core::Event = serde_json::from_str(&json)?;
                let doc_id: String = r.get(2)?;
                let (copy_of, published) = docs.get(&doc_id).cloned().unwrap_or_default();
                reports.push(rasd_reconcile::Report::new(event, r.get(1)?, copy_of).published(published));
            }
        }
        let rec = rasd_reconcile::reconcile(&reports, opts);
        drop(reports);
        let mut incidents: Vec<&rasd_reconcile::Incident> = rec.incidents.iter().collect();
        incidents.sort_by(|a, b| a.id.cmp(&b.id));
        let mut members: Vec<(&str, &str)> = rec
            .incidents
            .iter()
            .flat_map(|i| i.claims.iter().map(|c| (c.event_id.as_str(), i.id.as_str())))
            .collect();
        members.sort_unstable();
        let mut contradictions: Vec<&rasd_reconcile::Contradiction> = rec.contradictions.iter().collect();
        contradictions.sort_by(|a, b| a.id.cmp(&b.id));
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM incidents; DELETE FROM incident_events; DELETE FROM control_claims;
             DELETE FROM contradictions; DELETE FROM places;",
        )?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO incidents(id, first_date, event_type, sub_event_type, place_id, admin1, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for inc in incidents {
                ins.execute(rusqlite::params![
                    inc.id,
                    inc.first_date.map(|d| d.to_string()),
                    inc.event_type.name(),
                    inc.sub_event_type.name(),
                    inc.location.as_ref().map(|l| &l.id),
                    inc.location.as_ref().and_then(|l| l.admin1.as_ref()),
                    serde_json::to_string(inc)?,
                ])?;
            }
            let mut member =
                tx.prepare("INSERT OR REPLACE INTO incident_events(event_id, incident_id) VALUES (?1, ?2)")?;
            for (event, incident) in members {
                member.execute([event, incident])?;
            }
            let mut ins =
                tx.prepare("INSERT INTO control_claims(place_id, date, source, json) VALUES (?1, ?2, ?3, ?4)")?;
            for c in &rec.control {
                ins.execute(rusqlite::params![
                    c.place_id,
                    c.date.map(|d| d.to_string()),
                    c.source,
                    serde_json::to_string(c)?
                ])?;
            }
            let mut ins = tx.prepare(
                "INSERT OR REPLACE INTO contradictions(id, kind, place_id, date, source_a, source_b, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for c in contradictions {
                ins.execute(rusqlite::params![
                    c.id,
                    c.kind.as_str(),
                    c.place_id,
                    c.date.map(|d| d.to_string()),
                    c.a.source,
                    c.b.source,
                    serde_json::to_string(c)?,
                ])?;
            }
        }
        tx.execute_batch(
            "INSERT INTO places(place_id, name, name_ar, events, claims)
               SELECT place_id, max(place_name), max(place_name_ar), count(*), 0 FROM events
               WHERE place_id IS NOT NULL GROUP BY place_id;
             UPDATE places SET claims = (SELECT count(*) FROM control_claims c WHERE c.place_id = places.place_id);
             INSERT OR REPLACE INTO meta(key, value) VALUES ('dirty', '0');",
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_and_non_sqlite_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "هذا ليس قاعدة بيانات").expect("write");
        assert!(matches!(Store::open(&text), Err(Error::NotADatabase(_))));
        let other = dir.path().join("other.db");
        {
            let c = Connection::open(&other).expect("sqlite");
            c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
                .expect("sql");
        }
        assert!(matches!(Store::open(&other), Err(Error::Foreign { .. })));
        let c = Connection::open(&other).expect("sqlite");
        let n: i64 = c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("row");
        assert_eq!(n, 1, "the foreign database is left untouched");
        assert!(matches!(
            Store::open_existing(&dir.path().join("absent.db")),
            Err(Error::Missing(_))
        ));
    }

    #[test]
    fn file_named_ids_that_repeat_are_kept_and_publisher_ids_are_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(&dir.path().join("rasd.db")).expect("create");
        let items = [
            read::read_bytes("2017/11/09/story.txt", "قتل 3 مدنيين في الميادين.".as_bytes(), None),
            read::read_bytes("2017/11/10/story.txt", "قتل 5 مدنيين في هجين.".as_bytes(), None),
            read::read_bytes("a.jsonl", r#"{"id":"x1","text":"نص أول"}"#.as_bytes(), None),
            read::read_bytes("b.jsonl", r#"{"id":"x1","text":"نص آخر"}"#.as_bytes(), None),
        ]
        .concat();
        let worker = || |_: &rasd_core::Doc| Vec::new();
        let stats = s.ingest(items.clone(), &worker, "t", &mut |_| {}).expect("ingest");
        assert_eq!((stats.stored, stats.failures), (3, 1));
        assert!(s.doc("story").expect("query").is_some());
        let failures = s.failures().expect("failures");
        assert_eq!(failures[0].origin, "b.jsonl:1");
        assert_eq!(failures[0].reason, "id \"x1\" is already stored with a different text");
        let again = s.ingest(items, &worker, "t", &mut |_| {}).expect("again");
        assert_eq!((again.stored, again.duplicates, again.failures), (0, 3, 1));
        assert_eq!(s.summary().expect("summary").docs, 3);
    }

    #[test]
    fn a_corrupt_database_gets_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("rasd.db");
        {
            let s = Store::open(&p).expect("create");
            drop(s);
        }
        let mut bytes = std::fs::read(&p).expect("read");
        for b in bytes.iter_mut().skip(100).take(3000) {
            *b = 0xA5;
        }
        std::fs::write(&p, &bytes).expect("write");
        let _ = std::fs::remove_file(dir.path().join("rasd.db-wal"));
        let err = Store::open(&p).err().expect("corrupt database refused");
        let msg = err.to_string();
        assert!(msg.contains("rasd.db"), "{msg}");
    }
}
