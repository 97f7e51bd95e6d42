//! The schema and its migrations. A database is never dropped or rebuilt: each version's migration changes it
//! in place, inside a transaction that holds the write lock, so an interrupted migration leaves the older version
//! intact and two processes never migrate the same database twice.

use crate::Result;
use rusqlite::Transaction;

/// `PRAGMA application_id` of a rasd database: the ASCII bytes "rasd". Any other non-zero id is a foreign file.
pub const APPLICATION_ID: i64 = 0x7261_7364;

/// The schema version this rasd writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 8;

/// Version 1: documents with content hash and near-duplicate link, and their events.
pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,
    url TEXT, outlet TEXT, published TEXT, title TEXT,
    text TEXT NOT NULL,
    sketch BLOB,
    near_dup_of TEXT,
    extractor TEXT,
    ingested_at INTEGER NOT NULL);
CREATE TABLE events(
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    event_date TEXT,
    place_id TEXT, place_name TEXT, admin1 TEXT, country TEXT, lat REAL, lon REAL,
    actors TEXT NOT NULL,
    source TEXT NOT NULL,
    stance TEXT NOT NULL,
    fatalities INTEGER,
    json TEXT NOT NULL);
CREATE INDEX events_doc ON events(doc_id);
CREATE INDEX events_place ON events(place_id, event_date);
CREATE INDEX events_date ON events(event_date);
";

/// Migrations: `MIGRATIONS[i]` takes a database from version `i + 1` to `i + 2`.
const MIGRATIONS: &[&str] = &[
    // 1 -> 2: where each document came from, a record of unreadable inputs, ids that had exactly the same
    // text, the publishing outlet on events, and the tables reconciliation fills.
    "
ALTER TABLE docs ADD COLUMN origin TEXT;
ALTER TABLE docs ADD COLUMN format TEXT;
ALTER TABLE events ADD COLUMN outlet TEXT;
ALTER TABLE events ADD COLUMN place_name_ar TEXT;
CREATE INDEX events_admin1 ON events(admin1);
CREATE TABLE failures(origin TEXT PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE doc_aliases(alias TEXT PRIMARY KEY, doc_id TEXT NOT NULL);
CREATE TABLE incidents(id TEXT PRIMARY KEY, first_date TEXT, event_type TEXT, sub_event_type TEXT,
                       place_id TEXT, admin1 TEXT, json TEXT NOT NULL);
CREATE INDEX incidents_place ON incidents(place_id);
CREATE TABLE incident_events(event_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL);
CREATE TABLE control_claims(seq INTEGER PRIMARY KEY, place_id TEXT NOT NULL, date TEXT, source TEXT NOT NULL,
                            json TEXT NOT NULL);
CREATE INDEX control_place ON control_claims(place_id, date);
CREATE TABLE contradictions(id TEXT PRIMARY KEY, kind TEXT NOT NULL, place_id TEXT, date TEXT,
                            source_a TEXT NOT NULL, source_b TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX contradictions_place ON contradictions(place_id);
CREATE TABLE places(place_id TEXT PRIMARY KEY, name TEXT, name_ar TEXT, events INTEGER NOT NULL,
                    claims INTEGER NOT NULL);
UPDATE events SET outlet = (SELECT outlet FROM docs WHERE docs.id = events.doc_id);
INSERT OR REPLACE INTO meta(key, value) VALUES ('dirty', '1');
",
    // 2 -> 3: keyset paging for `rasd serve`. The contradiction list (kind, date, id) and the incident list
    // (first date, id) get an index in their sort order; an undated row sorts first, as '' (a virtual column,
    // computed, nothing stored). Additive: no table is rewritten.
    "
ALTER TABLE contradictions ADD COLUMN page_date TEXT GENERATED ALWAYS AS (ifnull(date, '')) VIRTUAL;
CREATE INDEX IF NOT EXISTS contradictions_page ON contradictions(kind, page_date, id);
ALTER TABLE incidents ADD COLUMN page_date TEXT GENERATED ALWAYS AS (ifnull(first_date, '')) VIRTUAL;
CREATE INDEX IF NOT EXISTS incidents_page ON incidents(page_date, id);
",
    // 3 -> 4: incremental reconcile and alerts. Each event's date precision (to find coarse dates without
    // reading JSON), the incident of an incident's contradictions, the events stored since the last reconcile
    // (`reconcile_pending`, filled in the ingest transaction), and the alerts raised. Additive.
    "
ALTER TABLE events ADD COLUMN date_precision TEXT;
UPDATE events SET date_precision = json_extract(json, '$.date_precision');
CREATE INDEX events_sub_date ON events(sub_event_type, event_date);
CREATE INDEX events_coarse ON events(sub_event_type, event_date) WHERE date_precision IN ('week', 'month', 'year');
ALTER TABLE contradictions ADD COLUMN incident_id TEXT;
UPDATE contradictions SET incident_id = json_extract(json, '$.incident_id');
CREATE INDEX contradictions_incident ON contradictions(incident_id);
ALTER TABLE contradictions ADD COLUMN ckey TEXT;
UPDATE contradictions SET ckey = place_id || char(31) || source_a || char(31) || source_b || char(31)
    || replace(json_extract(json, '$.a.claim'), ' (denies the capture)', '') || char(31)
    || replace(json_extract(json, '$.b.claim'), ' (denies the capture)', '')
  WHERE kind = 'controller';
CREATE INDEX contradictions_ckey ON contradictions(ckey, date) WHERE ckey IS NOT NULL;
CREATE INDEX contradictions_place_kind ON contradictions(place_id, kind, date);
CREATE INDEX incident_events_incident ON incident_events(incident_id);
CREATE TABLE reconcile_pending(event_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE alerts(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
                    json TEXT NOT NULL);
CREATE INDEX alerts_at ON alerts(at);
",
    // 4 -> 5: `rasd serve` pages contradictions filtered by a source (on either side) in order, and counts them,
    // on an index per side. Additive.
    "
CREATE INDEX IF NOT EXISTS contradictions_source_a ON contradictions(source_a, kind, page_date, id);
CREATE INDEX IF NOT EXISTS contradictions_source_b ON contradictions(source_b, kind, page_date, id);
",
    // 5 -> 6: the incremental reconcile finds the coarse events (a week, a month, a year) whose windows reach a
    // date by one index range per precision, without reading the other precisions' rows. Additive.
    "
CREATE INDEX IF NOT EXISTS events_coarse_precision ON events(sub_event_type, date_precision, event_date)
  WHERE date_precision IN ('week', 'month', 'year');
",
    // 6 -> 7: the near-duplicate lookup reads each candidate's id and sketch from a covering index instead of
    // its row of `docs`, where the sketch comes after the text (about 170 bytes a document; building it reads
    // `docs` once). Additive.
    "
CREATE INDEX IF NOT EXISTS docs_sketch ON docs(seq, id, sketch);
",
    // 7 -> 8: the near-duplicate lookup reads its candidates' sketches from the bucket rows themselves:
    // `doc_bands` gains a copy of each original's sketch (128 bytes a row, 8 rows an original), so a bucket's
    // latest entries are one short range of the table instead of a B-tree lookup each, and the lookup's time
    // no longer grows with the collection. The table (which rasd before 8 created on first use) is rebuilt in
    // bucket order from the old one and the sketches in `docs_sketch`, which the lookup no longer reads and is
    // dropped. `doc_bands` is derived from `docs` (refilled from `meta.bands_seq` if lost): no stored document
    // changes.
    "
CREATE TABLE IF NOT EXISTS doc_bands(band INTEGER NOT NULL, bucket INTEGER NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY(band, bucket, seq)) WITHOUT ROWID;
CREATE TABLE doc_bands_v8(band INTEGER NOT NULL, bucket INTEGER NOT NULL, seq INTEGER NOT NULL,
    sketch BLOB NOT NULL, PRIMARY KEY(band, bucket, seq)) WITHOUT ROWID;
INSERT INTO doc_bands_v8(band, bucket, seq, sketch)
    SELECT b.band, b.bucket, b.seq, d.sketch FROM doc_bands b JOIN docs d INDEXED BY docs_sketch ON d.seq = b.seq
    WHERE d.sketch IS NOT NULL ORDER BY b.band, b.bucket, b.seq;
DROP TABLE doc_bands;
ALTER TABLE doc_bands_v8 RENAME TO doc_bands;
DROP INDEX docs_sketch;
",
];

/// Creates a fresh database at version 1, then migrates it like any older database, so that every database
/// in the field went through the same steps. Runs inside the caller's transaction, which holds the write lock.
pub(crate) fn create(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(SCHEMA_V1)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", 1)?;
    Ok(())
}

/// Brings a database from `from` up to [`SCHEMA_VERSION`] inside the caller's transaction, which holds the
/// write lock and read `from` under it: an interrupted migration leaves the older version intact, and a
/// second process that waited for the lock finds the database migrated and does nothing.
pub(crate) fn migrate(tx: &Transaction<'_>, from: i64) -> Result<()> {
    for version in from.max(1)..SCHEMA_VERSION {
        tx.execute_batch(MIGRATIONS[(version - 1) as usize])?;
        tx.pragma_update(None, "user_version", version + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use rusqlite::Connection;

    /// Several writers that open a version 1 database at once migrate it exactly once ("duplicate column name"
    /// before migrations ran under the write lock).
    #[test]
    fn concurrent_writers_migrate_an_old_database_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        for round in 0..8 {
            let p = dir.path().join(format!("old-{round}.db"));
            {
                let c = Connection::open(&p).expect("sqlite");
                c.execute_batch(SCHEMA_V1).expect("v1 schema");
                c.pragma_update(None, "application_id", APPLICATION_ID).expect("app id");
                c.pragma_update(None, "user_version", 1).expect("version");
            }
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    let (p, start) = (p.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        Store::open(&p).map(|s| s.schema_version().expect("version"))
                    })
                })
                .collect();
            for t in threads {
                assert_eq!(
                    t.join().expect("thread").expect("migrates"),
                    SCHEMA_VERSION,
                    "round {round}"
                );
            }
        }
    }

    /// Migration 6 can run again on a migrated database (it only adds an index if missing), and the
    /// incremental reconcile's query for coarse events of one precision is an index range on it.
    #[test]
    fn the_coarse_precision_index_is_idempotent_and_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("db.db");
        drop(Store::open(&p).expect("create"));
        let c = Connection::open(&p).expect("sqlite");
        c.execute_batch(MIGRATIONS[4]).expect("migration 6 again is a no-op");
        let plan: Vec<String> = c
            .prepare(
                "EXPLAIN QUERY PLAN SELECT e.id FROM events e
                 WHERE e.sub_event_type = ?1 AND e.date_precision = ?2 AND e.event_date >= ?3
                   AND e.date_precision IN ('week', 'month', 'year')",
            )
            .expect("plan")
            .query_map(["Armed clash", "month", "2018-01-01"], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        assert!(plan.iter().any(|l| l.contains("events_coarse_precision")), "{plan:?}");
    }

    /// A database as rasd 1 left it, built by SQL: migrating must keep every document and event.
    #[test]
    fn migrates_a_version_1_database_without_dropping_anything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("old.db");
        {
            let c = Connection::open(&p).expect("sqlite");
            c.execute_batch(SCHEMA_V1).expect("v1 schema");
            c.pragma_update(None, "application_id", APPLICATION_ID).expect("app id");
            c.pragma_update(None, "user_version", 1).expect("version");
            c.execute(
                "INSERT INTO docs(id, hash, outlet, published, text, ingested_at) VALUES ('d1', 'h1', 'sana', '2017-11-09', 'نص الخبر', 0)",
                [],
            )
            .expect("doc");
            let event = r#"{"id":"d1-e1","doc_id":"d1","event_type":"Battles","sub_event_type":"Armed clash","event_date":"2017-11-09","date_precision":"day","date_text":null,"actor1":null,"assoc_actor_1":[],"actor2":null,"assoc_actor_2":[],"location":null,"fatalities":null,"territory_share":null,"reported_by":[],"stance":"asserted","evidence":{"text":"نص","start":0,"end":4},"confidence":0.5}"#;
            c.execute(
                "INSERT INTO events(id, doc_id, event_type, sub_event_type, actors, source, stance, json)
                 VALUES ('d1-e1', 'd1', 'Battles', 'Armed clash', '|', 'sana', 'asserted', ?1)",
                [event],
            )
            .expect("event");
        }
        let mut s = Store::open(&p).expect("opens and migrates");
        assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
        let doc = s.doc("d1").expect("query").expect("document kept");
        assert_eq!(doc.doc.text, "نص الخبر");
        assert_eq!(doc.events.len(), 1);
        assert_eq!(
            doc.events[0].outlet.as_deref(),
            Some("sana"),
            "migration back-fills the outlet"
        );
        assert!(
            s.ensure_reconciled().expect("reconcile"),
            "a migrated database is rebuilt once"
        );
        assert_eq!(s.summary().expect("summary").events, 1);
    }
}
