use crate::profile::{IngestProfile, lap};
use crate::read::Item;
use crate::{Result, Store, sketch};
use rasd_core::{Doc, Event};
use rayon::prelude::*;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Documents per transaction: large enough to amortize the commit, small enough that a crash loses little work
/// (`rasd serve` on PostgreSQL writes an upload in shards of as many).
pub const BATCH: usize = 1024;

/// What an ingest (or reprocess) run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestStats {
    /// Inputs read (documents and unreadable items).
    pub read: u64,
    /// New documents stored.
    pub stored: u64,
    /// Exact duplicates of stored documents (not stored again).
    pub duplicates: u64,
    /// New documents linked to an earlier document as a republished copy.
    pub near_duplicates: u64,
    /// Unreadable inputs, recorded with their reason.
    pub failures: u64,
    /// Event records extracted from the new documents.
    pub events: u64,
}

/// Called after every committed batch.
pub type Progress<'a> = &'a mut dyn FnMut(&IngestStats);

use crate::rows::now;

struct Fresh {
    origin: String,
    format: &'static str,
    doc: Doc,
    hash: String,
    sketch: Option<[u32; sketch::SIGNATURE_LEN]>,
}

/// The near-duplicate index lives in the database: `doc_bands` holds one row per band of each stored original
/// (not near-duplicate) document with a sketch, keyed by its LSH bucket, with a copy of the sketch, and
/// `meta.bands_seq` the last document sequence number indexed. A lookup reads the new document's eight buckets
/// (their latest [`sketch::BUCKET_SCAN`] entries each, sketches included: a bucket's rows are adjacent in the
/// table), so neither the time nor the memory of an ingest grows with the number of stored documents. The
/// choice is the one of the in-memory [`sketch::Index`]: buckets ordered by sequence number as the index was by
/// insertion. Schema version 8 creates the table (the shape is repeated here for a database that lost it: it is
/// derived from `docs` and refilled from `meta.bands_seq`).
const BANDS_TABLE: &str = "CREATE TABLE IF NOT EXISTS doc_bands(
    band INTEGER NOT NULL, bucket INTEGER NOT NULL, seq INTEGER NOT NULL, sketch BLOB NOT NULL,
    PRIMARY KEY(band, bucket, seq)) WITHOUT ROWID";

/// Whether this run has made sure the `doc_bands` table exists, and (with `RASD_PROFILE` set) where its time
/// went.
#[derive(Default)]
struct DupIndex {
    ready: bool,
    profile: Option<IngestProfile>,
}

fn index_bands(tx: &Transaction<'_>, seq: i64, sig: &[u32; sketch::SIGNATURE_LEN]) -> Result<()> {
    let mut ins =
        tx.prepare_cached("INSERT OR IGNORE INTO doc_bands(band, bucket, seq, sketch) VALUES (?1, ?2, ?3, ?4)")?;
    let bytes = sketch::to_bytes(sig);
    for (band, bucket) in sketch::band_keys(sig) {
        ins.execute(params![band, bucket as i64, seq, bytes])?;
    }
    Ok(())
}

/// Indexes the original documents stored after `meta.bands_seq` (by an older rasd, or before the table existed:
/// once, the first time). Called inside a write transaction, so nothing else is stored until it commits.
fn index_since(tx: &Transaction<'_>, index: &mut DupIndex) -> Result<()> {
    if !index.ready {
        tx.execute_batch(BANDS_TABLE)?;
        index.ready = true;
    }
    let from: i64 = tx
        .query_row("SELECT value FROM meta WHERE key = 'bands_seq'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM docs", [], |r| r.get(0))?;
    if last > from {
        let mut stmt =
            tx.prepare_cached("SELECT seq, sketch FROM docs WHERE seq > ?1 AND near_dup_of IS NULL ORDER BY seq")?;
        let mut rows = stmt.query([from])?;
        while let Some(r) = rows.next()? {
            let blob: Option<Vec<u8>> = r.get(1)?;
            if let Some(sig) = blob.as_deref().and_then(sketch::from_bytes) {
                index_bands(tx, r.get(0)?, &sig)?;
            }
        }
        set_bands_seq(tx)?;
    }
    Ok(())
}

/// Records that every stored document is indexed.
fn set_bands_seq(tx: &Transaction<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO meta(key, value) SELECT 'bands_seq', CAST(coalesce(max(seq), 0) AS TEXT) FROM docs WHERE true
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [],
    )?;
    Ok(())
}

/// The stored original most similar to `sig` at or above [`sketch::NEAR_DUPLICATE`] (the earliest among equals).
///
/// Each bucket's rows hold the candidates' sketches (schema version 8), so a lookup reads eight short ranges
/// of `doc_bands` and nothing else; only the chosen original's id is read from `docs`. Before, each candidate's
/// sketch was read from its own row (of `docs`, then of the index `docs_sketch`), scattered over a file that
/// grows with the collection: through `docs_sketch`, 0.8 µs a candidate at 10,000 documents, 2.4 µs at 100,000,
/// 2.8-3.4 µs at 1,000,000; from the bucket rows 0.4-0.5 µs at every size (BENCHMARKS.md, "Fourth pass" and
/// "Fifth pass").
fn find_near(tx: &Transaction<'_>, sig: &[u32; sketch::SIGNATURE_LEN]) -> Result<Option<String>> {
    let mut bucket_rows = tx.prepare_cached(
        "SELECT seq, sketch FROM doc_bands WHERE band = ?1 AND bucket = ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let best = crate::rows::choose_near(sig, |band, bucket, limit| -> Result<Vec<crate::rows::NearCandidate>> {
        Ok(bucket_rows
            .query_map(params![band, bucket, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    let Some(seq) = best else { return Ok(None) };
    let mut id_of = tx.prepare_cached("SELECT id FROM docs WHERE seq = ?1")?;
    Ok(id_of.query_row([seq], |r| r.get(0)).optional()?)
}

impl Store {
    /// Stores the documents of `items` with the events `extract` finds in them, `BATCH` documents per
    /// transaction, then rebuilds the derived tables. Exact duplicates (same text) are stored once; a new id
    /// for a stored text is kept as an alias. A document whose id is taken by a different text, and every
    /// unreadable input, is recorded in `failures` with its reason, and the run goes on.
    ///
    /// `worker` makes one extraction function per thread, so that each thread reuses its buffers.
    pub fn ingest<M, W>(
        &mut self,
        items: impl IntoIterator<Item = Item>,
        worker: &M,
        extractor_version: &str,
        progress: Progress<'_>,
    ) -> Result<IngestStats>
    where
        M: Fn() -> W + Sync,
        W: FnMut(&Doc) -> Vec<Event>,
    {
        let mut index = DupIndex {
            profile: IngestProfile::from_env(),
            ..DupIndex::default()
        };
        let mut stats = IngestStats::default();
        let mut batch = Vec::with_capacity(BATCH);
        for item in items {
            batch.push(item);
            if batch.len() == BATCH {
                self.ingest_batch(
                    std::mem::take(&mut batch),
                    worker,
                    extractor_version,
                    &mut index,
                    &mut stats,
                )?;
                progress(&stats);
                self.reconcile_recent_if_large()?;
            }
        }
        if !batch.is_empty() {
            self.ingest_batch(batch, worker, extractor_version, &mut index, &mut stats)?;
            progress(&stats);
        }
        if let Some(p) = &index.profile {
            p.print();
        }
        let t = std::time::Instant::now();
        self.ensure_reconciled()?;
        if index.profile.is_some() {
            eprintln!("rasd: ingest: reconcile {:.3} s", t.elapsed().as_secs_f64());
        }
        Ok(stats)
    }

    fn ingest_batch<M, W>(
        &mut self,
        batch: Vec<Item>,
        worker: &M,
        version: &str,
        index: &mut DupIndex,
        stats: &mut IngestStats,
    ) -> Result<()>
    where
        M: Fn() -> W + Sync,
        W: FnMut(&Doc) -> Vec<Event>,
    {
        let mut t = std::time::Instant::now();
        let hashed: Vec<(Item, Option<String>)> = batch
            .into_par_iter()
            .map(|it| {
                let h = it.doc.as_ref().ok().map(|d| crate::rows::content_hash(&d.text));
                (it, h)
            })
            .collect();
        let at = now();
        // The write lock is taken before the first read, so that what this batch learns (which texts and ids
        // are stored) stays true until it commits, whatever another writer does.
        let tx = self.write_tx()?;
        index_since(&tx, index)?;
        let mut fresh: Vec<Fresh> = Vec::new();
        {
            let mut by_hash = tx.prepare_cached("SELECT id FROM docs WHERE hash = ?1")?;
            let mut by_id = tx.prepare_cached("SELECT hash FROM docs WHERE id = ?1")?;
            let mut alias = tx.prepare_cached("INSERT OR IGNORE INTO doc_aliases(alias, doc_id) VALUES (?1, ?2)")?;
            let mut fail =
                tx.prepare_cached("INSERT OR IGNORE INTO failures(origin, reason, at) VALUES (?1, ?2, ?3)")?;
            let mut healed = tx.prepare_cached("DELETE FROM failures WHERE origin = ?1")?;
            let mut batch_hash: HashMap<String, String> = HashMap::new();
            let mut batch_id: HashSet<String> = HashSet::new();
            for (item, hash) in hashed {
                stats.read += 1;
                let (doc, hash) = match (item.doc, hash) {
                    (Ok(doc), Some(hash)) => (doc, hash),
                    (Err(reason), _) => {
                        stats.failures += 1;
                        fail.execute(params![item.origin, reason, at])?;
                        continue;
                    }
                    (Ok(_), None) => continue,
                };
                let stored: Option<String> = match batch_hash.get(&hash) {
                    Some(id) => Some(id.clone()),
                    None => by_hash.query_row([&hash], |r| r.get(0)).optional()?,
                };
                if let Some(stored_id) = stored {
                    stats.duplicates += 1;
                    if stored_id != doc.id {
                        alias.execute([&doc.id, &stored_id])?;
                    }
                    healed.execute([&item.origin])?;
                    continue;
                }
                let mut doc = doc;
                let mut taken = |id: &str| -> Result<bool> {
                    Ok(batch_id.contains(id) || by_id.query_row([id], |r| r.get::<_, String>(0)).optional()?.is_some())
                };
                if taken(&doc.id)? {
                    // Ids of text files and pages come from their file names, which repeat across folders
                    // ("2017/11/09/story.txt", "2017/11/10/story.txt"): such a document keeps its name plus its
                    // content hash. An id given by the publisher (JSONL, feeds) that now names another text is
                    // recorded as a failure instead: the stored text is never replaced silently.
                    let named_by_file = item.format.is_some_and(|f| crate::rows::named_by_file(f.as_str()));
                    let renamed = crate::rows::renamed_id(&doc.id, &hash);
                    if !named_by_file || taken(&renamed)? {
                        stats.failures += 1;
                        let reason = crate::rows::id_taken_reason(&doc.id);
                        fail.execute(params![item.origin, reason, at])?;
                        continue;
                    }
                    doc.id = renamed;
                }
                healed.execute([&item.origin])?;
                batch_hash.insert(hash.clone(), doc.id.clone());
                batch_id.insert(doc.id.clone());
                let format = item.format.map_or("unknown", |f| f.as_str());
                fresh.push(Fresh {
                    origin: item.origin,
                    format,
                    doc,
                    hash,
                    sketch: None,
                });
            }
        }
        lap(&mut t, index.profile.as_mut().map(|p| &mut p.check));
        let events: Vec<std::result::Result<Vec<Event>, String>> = fresh
            .par_iter_mut()
            .map_init(worker, |extract, f| {
                f.sketch = sketch::signature(&f.doc.text);
                rasd_core::guard_extraction(extract, worker, |e| e(&f.doc))
            })
            .collect();
        lap(&mut t, index.profile.as_mut().map(|p| &mut p.extract));
        {
            let mut ins_doc = tx.prepare_cached(
                "INSERT INTO docs(id, hash, url, outlet, published, title, text, sketch, near_dup_of, extractor,
                                  ingested_at, origin, format)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            let mut fail =
                tx.prepare_cached("INSERT OR IGNORE INTO failures(origin, reason, at) VALUES (?1, ?2, ?3)")?;
            for (f, evs) in fresh.iter().zip(&events) {
                // A document the extractor failed on is not stored: it is recorded with the reason, as an
                // unreadable input is, and a later run (with a fixed extractor) stores it.
                let evs = match evs {
                    Ok(evs) => evs,
                    Err(reason) => {
                        stats.failures += 1;
                        fail.execute(params![f.origin, reason, at])?;
                        continue;
                    }
                };
                lap(&mut t, index.profile.as_mut().map(|p| &mut p.insert));
                let near = match &f.sketch {
                    Some(s) => find_near(&tx, s)?,
                    None => None,
                };
                lap(&mut t, index.profile.as_mut().map(|p| &mut p.near));
                let d = &f.doc;
                let seq = ins_doc.insert(params![
                    d.id,
                    f.hash,
                    d.url,
                    d.outlet,
                    d.published.map(|p| p.to_string()),
                    d.title,
                    d.text,
                    f.sketch.as_ref().map(sketch::to_bytes),
                    near,
                    version,
                    at,
                    f.origin,
                    f.format,
                ])?;
                stats.stored += 1;
                match (&near, f.sketch) {
                    (Some(_), _) => stats.near_duplicates += 1,
                    (None, Some(s)) => index_bands(&tx, seq, &s)?,
                    (None, None) => {}
                }
                stats.events += insert_events(&tx, d.outlet.as_deref(), evs)?;
            }
        }
        // Documents without events change no incident, claim or contradiction: no rebuild for them.
        if events.iter().any(|e| e.as_ref().is_ok_and(|e| !e.is_empty())) {
            // Only these events are new: the next reconcile recomputes what they touch ('pending'), unless a
            // full rebuild is already due ('1').
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('dirty', 'pending')
                 ON CONFLICT(key) DO UPDATE SET value = CASE WHEN value = '1' THEN '1' ELSE 'pending' END",
                [],
            )?;
        }
        // Every document stored up to here is in the index (no other writer could store one meanwhile).
        set_bands_seq(&tx)?;
        lap(&mut t, index.profile.as_mut().map(|p| &mut p.insert));
        tx.commit()?;
        lap(&mut t, index.profile.as_mut().map(|p| &mut p.commit));
        Ok(())
    }

    /// Re-extracts stored documents (all of them with `all`, else those extracted by another version), a batch
    /// per transaction so that an interrupted run resumes where it stopped, then rebuilds the derived tables.
    pub fn reprocess<M, W>(
        &mut self,
        worker: &M,
        version: &str,
        all: bool,
        progress: Progress<'_>,
    ) -> Result<IngestStats>
    where
        M: Fn() -> W + Sync,
        W: FnMut(&Doc) -> Vec<Event>,
    {
        let mut stats = IngestStats::default();
        let mut after = i64::MIN;
        loop {
            let docs: Vec<(i64, Doc)> = {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT seq, id, url, outlet, published, title, text FROM docs
                     WHERE seq > ?1 AND (?2 OR extractor IS NULL OR extractor <> ?3) ORDER BY seq LIMIT ?4",
                )?;
                stmt.query_map(params![after, all, version, BATCH as i64], |r| {
                    let published: Option<String> = r.get(4)?;
                    Ok((
                        r.get(0)?,
                        Doc {
                            id: r.get(1)?,
                            url: r.get(2)?,
                            outlet: r.get(3)?,
                            published: published.and_then(|p| chrono::NaiveDate::parse_from_str(&p, "%Y-%m-%d").ok()),
                            title: r.get(5)?,
                            text: r.get(6)?,
                        },
                    ))
                })?
                .collect::<Result<_, _>>()?
            };
            let Some(last) = docs.last() else { break };
            after = last.0;
            let events: Vec<std::result::Result<Vec<Event>, String>> = docs
                .par_iter()
                .map_init(worker, |extract, (_, d)| {
                    rasd_core::guard_extraction(extract, worker, |e| e(d))
                })
                .collect();
            let tx = self.write_tx()?;
            {
                let mut del = tx.prepare_cached("DELETE FROM events WHERE doc_id = ?1")?;
                let mut upd = tx.prepare_cached("UPDATE docs SET extractor = ?1 WHERE id = ?2")?;
                for ((_, d), evs) in docs.iter().zip(&events) {
                    // A document the new extractor fails on keeps the records of the old one (and its version,
                    // so that the next run tries it again); the failure is named on standard error.
                    let evs = match evs {
                        Ok(evs) => evs,
                        Err(reason) => {
                            eprintln!("rasd: document {}: {reason}; its stored records are kept", d.id);
                            stats.failures += 1;
                            continue;
                        }
                    };
                    del.execute([&d.id])?;
                    stats.events += insert_events(&tx, d.outlet.as_deref(), evs)?;
                    upd.execute([version, &d.id])?;
                    stats.read += 1;
                    stats.stored += 1;
                }
            }
            tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('dirty', '1')", [])?;
            tx.commit()?;
            progress(&stats);
        }
        self.ensure_reconciled()?;
        Ok(stats)
    }
}

/// The searchable columns of an event next to its full JSON record (built by [`crate::rows::event_row`]).
fn insert_events(tx: &Transaction<'_>, outlet: Option<&str>, events: &[Event]) -> Result<u64> {
    let mut ins = tx.prepare_cached(
        "INSERT OR IGNORE INTO events(id, doc_id, event_type, sub_event_type, event_date, place_id, place_name,
             place_name_ar, admin1, country, lat, lon, actors, source, outlet, stance, fatalities, json,
             date_precision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?;
    let mut pending = tx.prepare_cached("INSERT OR IGNORE INTO reconcile_pending(event_id) VALUES (?1)")?;
    let mut n = 0;
    for e in events {
        let r = crate::rows::event_row(e, outlet)?;
        let inserted = ins.execute(params![
            r.id,
            r.doc_id,
            r.event_type,
            r.sub_event_type,
            r.event_date,
            r.place_id,
            r.place_name,
            r.place_name_ar,
            r.admin1,
            r.country,
            r.lat,
            r.lon,
            r.actors,
            r.source,
            r.outlet,
            r.stance,
            r.fatalities,
            r.json,
            r.date_precision,
        ])?;
        if inserted > 0 {
            pending.execute([&e.id])?;
        }
        n += inserted as u64;
    }
    Ok(n)
}

/// The date precision as stored in `events.date_precision` (its JSON name).
pub(crate) fn precision_name(p: rasd_core::DatePrecision) -> &'static str {
    use rasd_core::DatePrecision as P;
    match p {
        P::Day => "day",
        P::Week => "week",
        P::Month => "month",
        P::Year => "year",
        P::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read;

    const WORDS: &[&str] = &[
        "قصف",
        "مدفعي",
        "على",
        "أطراف",
        "البلدة",
        "الشرقية",
        "وقالت",
        "مصادر",
        "محلية",
        "إن",
        "القوات",
        "سيطرت",
        "قرية",
        "بعد",
        "اشتباكات",
        "عنيفة",
        "مع",
        "مسلحين",
        "مقتل",
        "مدنيين",
        "بينهم",
        "أطفال",
        "جرحى",
        "نزوح",
        "العائلات",
        "نحو",
        "القرى",
        "المجاورة",
        "غارة",
        "جوية",
        "استهدفت",
        "سوق",
        "المدينة",
        "صباح",
        "اليوم",
        "المرصد",
        "أفاد",
        "بيان",
        "الجيش",
        "وحدات",
        "الهندسة",
        "تفكيك",
        "عبوات",
        "ناسفة",
        "الطريق",
        "الدولي",
    ];

    /// Documents, a third of them copies of an earlier one with a few words changed (some above the
    /// near-duplicate threshold, some below), in ingest order.
    fn docs(n: usize) -> Vec<(String, String)> {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for i in 0..n {
            let words: Vec<&str> = if !out.is_empty() && next(3) == 0 {
                let mut w: Vec<&str> = out[next(out.len())].1.split(' ').collect();
                for _ in 0..1 + next(12) {
                    let at = next(w.len());
                    w[at] = WORDS[next(WORDS.len())];
                }
                w.push(WORDS[next(WORDS.len())]);
                w
            } else {
                (0..40).map(|_| WORDS[next(WORDS.len())]).collect()
            };
            out.push((format!("d{i}"), words.join(" ")));
        }
        out
    }

    fn items(docs: &[(String, String)]) -> Vec<Item> {
        let jsonl: String = docs
            .iter()
            .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string() + "\n")
            .collect();
        read::read_bytes("t.jsonl", jsonl.as_bytes(), None)
    }

    /// The original the in-memory index links each stored document to (`None` for an original).
    fn expected_links(docs: &[(String, String)]) -> HashMap<String, Option<String>> {
        let mut expected: HashMap<String, Option<String>> = HashMap::new();
        let mut index = sketch::Index::default();
        let mut seen = HashSet::new();
        for (id, text) in docs {
            if !seen.insert(text.clone()) {
                continue;
            }
            let sig = sketch::signature(text);
            let near = sig.as_ref().and_then(|s| index.find(s)).map(str::to_string);
            if let (None, Some(s)) = (&near, sig) {
                index.insert(id.clone(), s);
            }
            expected.insert(id.clone(), near);
        }
        expected
    }

    /// Every stored document is linked as `expected` says, and no other is stored.
    fn assert_links(s: &Store, expected: &HashMap<String, Option<String>>) {
        let mut stmt = s.conn.prepare("SELECT id, near_dup_of FROM docs").expect("prepare");
        let got: HashMap<String, Option<String>> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<std::result::Result<_, _>>()
            .expect("rows");
        assert_eq!(got.len(), expected.len());
        for (id, near) in expected {
            assert_eq!(got.get(id), Some(near), "document {id}");
        }
    }

    /// The table-backed lookup links each document to the original the in-memory index picks, across runs, in
    /// a batch, and after the table is lost (a database written before it existed is indexed on first use).
    #[test]
    fn near_duplicates_match_the_in_memory_index() {
        let docs = docs(1500);
        let expected = expected_links(&docs);
        let linked = expected.values().filter(|v| v.is_some()).count();
        assert!(
            linked > 100 && linked < 500,
            "{linked} near-duplicates: the test set should have both kinds"
        );

        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(&dir.path().join("rasd.db")).expect("create");
        let worker = || |_: &Doc| Vec::new();
        s.ingest(items(&docs[..600]), &worker, "t", &mut |_| {})
            .expect("ingest 1");
        // As if written by a rasd from before the table: the next run indexes the stored originals first.
        s.conn
            .execute_batch("DROP TABLE doc_bands; DELETE FROM meta WHERE key = 'bands_seq';")
            .expect("drop");
        s.ingest(items(&docs[600..1100]), &worker, "t", &mut |_| {})
            .expect("ingest 2");
        s.ingest(items(&docs[1100..]), &worker, "t", &mut |_| {})
            .expect("ingest 3");

        assert_links(&s, &expected);
        let originals: i64 = s
            .conn
            .query_row("SELECT count(DISTINCT seq) FROM doc_bands", [], |r| r.get(0))
            .expect("count");
        assert_eq!(originals as usize, expected.len() - linked);
    }

    /// A database of schema version 6 (bucket rows without sketches, no `docs_sketch`) or 7 (with that index)
    /// is migrated to 8 when opened: the bucket rows get their sketches, nothing else is lost, and the documents
    /// ingested afterwards (near-copies of documents stored before the migration among them) are linked as the
    /// in-memory index links them, as in a database that always had version 8.
    #[test]
    fn a_version_6_or_7_database_migrates_to_8_and_links_the_same() {
        let docs = docs(1200);
        let expected = expected_links(&docs);
        let before: HashSet<&str> = docs[..700].iter().map(|(id, _)| id.as_str()).collect();
        let across = docs[700..]
            .iter()
            .filter(|(id, _)| matches!(expected.get(id), Some(Some(orig)) if before.contains(orig.as_str())))
            .count();
        assert!(
            across > 30,
            "{across} new near-copies of documents stored before the migration"
        );
        let worker = || |_: &Doc| Vec::new();
        for version in [6, 7] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("rasd.db");
            let count = |s: &Store, sql: &str| -> i64 { s.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
            let bands = {
                let mut s = Store::open(&path).expect("create");
                s.ingest(items(&docs[..700]), &worker, "t", &mut |_| {})
                    .expect("ingest 1");
                // As rasd left it at this version: bucket rows without sketches; at 7, the covering index.
                s.conn
                    .execute_batch(
                        "CREATE TABLE old_bands(band INTEGER NOT NULL, bucket INTEGER NOT NULL, seq INTEGER NOT NULL,
                             PRIMARY KEY(band, bucket, seq)) WITHOUT ROWID;
                         INSERT INTO old_bands SELECT band, bucket, seq FROM doc_bands;
                         DROP TABLE doc_bands;
                         ALTER TABLE old_bands RENAME TO doc_bands;",
                    )
                    .expect("downgrade the bucket rows");
                if version == 7 {
                    s.conn
                        .execute_batch("CREATE INDEX docs_sketch ON docs(seq, id, sketch)")
                        .expect("index of 7");
                }
                s.conn.pragma_update(None, "user_version", version).expect("version");
                count(&s, "SELECT count(*) FROM doc_bands")
            };
            assert!(bands > 8 * 400, "{bands} bucket rows");
            let mut s = Store::open(&path).expect("opens and migrates");
            assert_eq!(s.schema_version().expect("version"), crate::SCHEMA_VERSION);
            assert_eq!(count(&s, "SELECT count(*) FROM doc_bands"), bands, "from {version}");
            assert_eq!(
                count(
                    &s,
                    "SELECT count(*) FROM doc_bands b JOIN docs d ON d.seq = b.seq WHERE b.sketch = d.sketch"
                ),
                bands,
                "every bucket row holds its document's sketch (from {version})"
            );
            assert_eq!(
                count(
                    &s,
                    "SELECT count(*) FROM sqlite_master WHERE name IN ('docs_sketch', 'doc_bands_v8')"
                ),
                0
            );
            s.ingest(items(&docs[700..]), &worker, "t", &mut |_| {})
                .expect("ingest 2");
            assert_links(&s, &expected);
        }
    }
}
