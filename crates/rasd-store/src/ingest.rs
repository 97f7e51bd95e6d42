use crate::read::{Format, Item};
use crate::{Result, Store, sketch};
use rasd_core::{Doc, Event};
use rayon::prelude::*;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Documents per transaction: large enough to amortize the commit, small enough that a crash loses little work.
const BATCH: usize = 1024;

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

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

struct Fresh {
    origin: String,
    format: &'static str,
    doc: Doc,
    hash: String,
    sketch: Option<[u32; sketch::SIGNATURE_LEN]>,
}

/// The near-duplicate index of the stored original documents, and the last document sequence number it has
/// seen: each batch adds what other processes stored since, under the write lock.
#[derive(Default)]
struct DupIndex {
    index: sketch::Index,
    seen: i64,
}

/// Adds the original documents stored after `index.seen` to the index. Called inside a write transaction, so
/// nothing else is stored until it commits.
fn load_index_since(tx: &Transaction<'_>, index: &mut DupIndex) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("SELECT seq, id, sketch FROM docs WHERE seq > ?1 AND near_dup_of IS NULL ORDER BY seq")?;
    let mut rows = stmt.query([index.seen])?;
    while let Some(r) = rows.next()? {
        let blob: Option<Vec<u8>> = r.get(2)?;
        if let Some(sig) = blob.as_deref().and_then(sketch::from_bytes) {
            index.index.insert(r.get(1)?, sig);
        }
    }
    let last: Option<i64> = tx.query_row("SELECT max(seq) FROM docs", [], |r| r.get(0))?;
    index.seen = index.seen.max(last.unwrap_or(0));
    Ok(())
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
        let mut index = DupIndex::default();
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
            }
        }
        if !batch.is_empty() {
            self.ingest_batch(batch, worker, extractor_version, &mut index, &mut stats)?;
            progress(&stats);
        }
        let t = std::time::Instant::now();
        self.ensure_reconciled()?;
        if std::env::var_os("RASD_PROFILE").is_some() {
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
        let hashed: Vec<(Item, Option<String>)> = batch
            .into_par_iter()
            .map(|it| {
                let h = it
                    .doc
                    .as_ref()
                    .ok()
                    .map(|d| blake3::hash(d.text.as_bytes()).to_hex().to_string());
                (it, h)
            })
            .collect();
        let at = now();
        // The write lock is taken before the first read, so that what this batch learns (which texts and ids
        // are stored) stays true until it commits, whatever another writer does.
        let tx = self.write_tx()?;
        load_index_since(&tx, index)?;
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
                    let named_by_file = matches!(item.format, Some(Format::Text | Format::Html));
                    let renamed = format!("{}-{}", doc.id, &hash[..12]);
                    if !named_by_file || taken(&renamed)? {
                        stats.failures += 1;
                        let reason = format!("id {:?} is already stored with a different text", doc.id);
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
        let events: Vec<Vec<Event>> = fresh
            .par_iter_mut()
            .map_init(worker, |extract, f| {
                f.sketch = sketch::signature(&f.doc.text);
                extract(&f.doc)
            })
            .collect();
        {
            let mut ins_doc = tx.prepare_cached(
                "INSERT INTO docs(id, hash, url, outlet, published, title, text, sketch, near_dup_of, extractor,
                                  ingested_at, origin, format)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            for (f, evs) in fresh.iter().zip(&events) {
                let near = f.sketch.as_ref().and_then(|s| index.index.find(s)).map(str::to_string);
                let d = &f.doc;
                ins_doc.execute(params![
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
                    (None, Some(s)) => index.index.insert(d.id.clone(), s),
                    (None, None) => {}
                }
                stats.events += insert_events(&tx, d.outlet.as_deref(), evs)?;
            }
        }
        // Documents without events change no incident, claim or contradiction: no rebuild for them.
        if events.iter().any(|e| !e.is_empty()) {
            // Only these events are new: the next reconcile recomputes what they touch ('pending'), unless a
            // full rebuild is already due ('1').
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('dirty', 'pending')
                 ON CONFLICT(key) DO UPDATE SET value = CASE WHEN value = '1' THEN '1' ELSE 'pending' END",
                [],
            )?;
        }
        // Every document stored up to here is in the index (no other writer could store one meanwhile).
        let last: Option<i64> = tx.query_row("SELECT max(seq) FROM docs", [], |r| r.get(0))?;
        index.seen = index.seen.max(last.unwrap_or(0));
        tx.commit()?;
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
            let events: Vec<Vec<Event>> = docs.par_iter().map_init(worker, |extract, (_, d)| extract(d)).collect();
            let tx = self.write_tx()?;
            {
                let mut del = tx.prepare_cached("DELETE FROM events WHERE doc_id = ?1")?;
                let mut upd = tx.prepare_cached("UPDATE docs SET extractor = ?1 WHERE id = ?2")?;
                for ((_, d), evs) in docs.iter().zip(&events) {
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

/// The searchable columns of an event next to its full JSON record.
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
        let loc = e.location.as_ref();
        let mut actors = String::from("|");
        for a in e
            .actor1
            .iter()
            .chain(&e.assoc_actor_1)
            .chain(e.actor2.iter())
            .chain(&e.assoc_actor_2)
        {
            actors.push_str(&a.id.to_lowercase());
            actors.push('|');
        }
        let source = rasd_reconcile::claim_source(e, outlet);
        let inserted = ins.execute(params![
            e.id,
            e.doc_id,
            e.event_type.name(),
            e.sub_event_type.name(),
            e.event_date.map(|d| d.to_string()),
            loc.map(|l| &l.id),
            loc.map(|l| &l.name),
            loc.map(|l| &l.name_ar),
            loc.and_then(|l| l.admin1.as_ref()),
            loc.map(|l| &l.country),
            loc.map(|l| l.lat),
            loc.map(|l| l.lon),
            actors,
            source,
            outlet,
            e.stance.as_str(),
            e.fatalities.as_ref().and_then(|f| f.value).map(|v| v as i64),
            serde_json::to_string(e)?,
            precision_name(e.date_precision),
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
