//! What the scale-out commands write to PostgreSQL (issue 14): the shards `rasd queue push` publishes and
//! `rasd worker` stores ([`Shard`], [`write_shard`]), the full rebuild of the derived tables that
//! `rasd reconcile --worker` falls back to ([`rebuild`]; its incremental reconcile is `crate::reconcile`), and the stored documents `rasd queue push --from-db` re-publishes
//! ([`stored_docs`]).
//!
//! The rows are built by `rasd_store::rows`, the functions the SQLite store writes with, so that a document
//! stored by a worker is the row `rasd ingest` stores, byte for byte.
//!
//! **Order and parallel workers.** A shard is written in one transaction that holds the advisory lock
//! [`INGEST_LOCK`] from its first read to its commit: extraction runs in parallel (before the lock), writes are
//! serial, and each shard sees every shard committed before it, exactly as an SQLite batch sees the batches
//! before it. Exact duplicates, id collisions and near-duplicates (`docs.sketch`, `doc_bands`, `near_dup_of`)
//! are therefore decided as `rasd ingest` decides them for the same documents in the same order. What differs
//! with several workers is only that order: shards commit in whatever order workers finish them, so when two
//! near-duplicate (or identical) documents are in different shards, which one is the original (or which id is
//! kept and which becomes an alias) depends on which shard commits first; `docs.seq` follows commit order.
//! Within a shard, documents keep their input order. A single worker over a queue filled by one push stores
//! the documents in input order.

use crate::Result;
use postgres::{Client, Transaction};
use rasd_core::{Doc, Event};
use rasd_store::profile::{IngestProfile, lap};
use rasd_store::rebuild::{Backend, EachEvent, EachMember};
use rasd_store::{IngestStats, ReconcileStats, rows, sketch};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The advisory lock a shard's write transaction holds (the ASCII bytes "rasdingt"); the rebuild holds it too,
/// so that no shard commits while the derived tables are recomputed.
pub const INGEST_LOCK: i64 = 0x7261_7364_696e_6774;

/// The advisory lock of the derived tables' reconcile, incremental or full (the ASCII bytes "rasdrecn"): one at
/// a time (see `crate::reconcile` for why not one lock per bucket).
pub const RECONCILE_LOCK: i64 = 0x7261_7364_7265_636e;

/// One message of the work stream: documents in input order (or the reason one could not be read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    pub items: Vec<ShardItem>,
    /// Set by `rasd queue push --reprocess`: the documents are stored ones, to extract again with this rasd
    /// version and write to the re-processing run (`crate::reprocess`), not to ingest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reprocess: Option<String>,
}

/// A document of a shard, or an input that could not be read (`error`), with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardItem {
    pub origin: String,
    /// The input format as stored in `docs.format` (`jsonl`, `text`, …); `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<Doc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ShardItem {
    /// The document, or why there is none.
    pub fn document(&self) -> std::result::Result<&Doc, String> {
        match (&self.doc, &self.error) {
            (_, Some(e)) => Err(e.clone()),
            (Some(d), None) if d.id.trim().is_empty() => Err("document has an empty `id`".into()),
            (Some(d), None) => Ok(d),
            (None, None) => Err("shard item with neither a document nor an error".into()),
        }
    }
}

/// An input as `rasd ingest` reads it (`rasd_store::read`), as a shard item.
impl From<rasd_store::read::Item> for ShardItem {
    fn from(i: rasd_store::read::Item) -> ShardItem {
        let format = i.format.map(|f| f.as_str().to_string());
        let (doc, error) = match i.doc {
            Ok(doc) => (Some(doc), None),
            Err(e) => (None, Some(e)),
        };
        ShardItem {
            origin: i.origin,
            format,
            doc,
            error,
        }
    }
}

/// A shard item ready to be written: its content hash and sketch, and the events extracted from it (or the
/// reason it is a failure: unreadable, or the extractor failed on it).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub origin: String,
    pub format: Option<String>,
    pub doc: std::result::Result<Doc, String>,
    pub hash: String,
    pub sketch: Option<[u32; sketch::SIGNATURE_LEN]>,
    pub events: Vec<Event>,
}

impl Prepared {
    /// Hashes and sketches `item` and extracts its events with `extract` (an `Err` from it is a failure of
    /// this document only).
    pub fn new(item: ShardItem, extract: impl FnOnce(&Doc) -> std::result::Result<Vec<Event>, String>) -> Prepared {
        let doc = item.document().cloned();
        let (doc, hash, sketch, events) = match doc {
            Ok(d) => match extract(&d) {
                Ok(events) => (
                    Ok(d.clone()),
                    rows::content_hash(&d.text),
                    sketch::signature(&d.text),
                    events,
                ),
                Err(e) => (Err(e), String::new(), None, Vec::new()),
            },
            Err(e) => (Err(e), String::new(), None, Vec::new()),
        };
        Prepared {
            origin: item.origin,
            format: item.format,
            doc,
            hash,
            sketch,
            events,
        }
    }
}

/// Prepares `items` in parallel ([`Prepared::new`], input order kept), each thread with an extraction state of its
/// own made by `make`, that `extract` uses.
pub fn prepare<W>(
    items: Vec<ShardItem>,
    make: &(impl Fn() -> W + Sync),
    extract: &(impl Fn(&mut W, &Doc) -> std::result::Result<Vec<Event>, String> + Sync),
) -> Vec<Prepared> {
    items
        .into_par_iter()
        .map_init(make, |w, item| Prepared::new(item, |d| guarded(make, w, d, extract)))
        .collect()
}

/// `extract` on one document; a panic of the extractor is that document's failure (with the panic's message), as
/// the SQLite store's ingest has it, and the thread's state is made again with `make`, since its buffers may be
/// half-written. `rasd ingest --db postgres://…`, `rasd serve`'s uploads and `rasd worker` go through it.
fn guarded<W>(
    make: &impl Fn() -> W,
    w: &mut W,
    d: &Doc,
    extract: &impl Fn(&mut W, &Doc) -> std::result::Result<Vec<Event>, String>,
) -> std::result::Result<Vec<Event>, String> {
    rasd_core::guard_extraction(w, make, |w| extract(w, d)).and_then(|r| r)
}

/// Stores `items` as `rasd ingest` stores them in SQLite (what `rasd serve` does with an upload on PostgreSQL):
/// shards of [`rasd_store::INGEST_BATCH`] documents, as SQLite's batches, each prepared ([`prepare`]) and
/// written in one transaction ([`write_shard`]: the same duplicate, near-duplicate and failure decisions), then
/// the derived tables brought up to date as `rasd reconcile --worker` does ([`crate::reconcile::reconcile`]:
/// incrementally when it can, raising the alerts the new events cause). `items` is read one shard at a time
/// (memory holds a shard, not the input); `progress` is called with the running counts after each shard. Returns
/// the counts of `rasd ingest`.
pub fn ingest<W>(
    client: &mut Client,
    items: impl IntoIterator<Item = ShardItem>,
    make: &(impl Fn() -> W + Sync),
    extract: &(impl Fn(&mut W, &Doc) -> std::result::Result<Vec<Event>, String> + Sync),
    version: &str,
    progress: rasd_store::Progress<'_>,
) -> Result<IngestStats> {
    let mut total = IngestStats::default();
    let mut profile = IngestProfile::from_env();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let shard: Vec<ShardItem> = items.by_ref().take(rasd_store::INGEST_BATCH).collect();
        let t = std::time::Instant::now();
        let prepared = prepare(shard, make, extract);
        if let Some(p) = &mut profile {
            p.extract += t.elapsed().as_secs_f64();
        }
        let mut single = make();
        let stats = write_shard_profiled(
            client,
            prepared,
            version,
            &mut |d| guarded(make, &mut single, d, extract).unwrap_or_default(),
            profile.as_mut(),
        )?;
        let c = stats.counts;
        total.read += c.read;
        total.stored += c.stored;
        total.duplicates += c.duplicates;
        total.near_duplicates += c.near_duplicates;
        total.failures += c.failures;
        total.events += c.events;
        progress(&total);
    }
    if let Some(p) = &profile {
        p.print();
    }
    let t = std::time::Instant::now();
    let opts = rasd_reconcile::Options::default();
    crate::reconcile::reconcile(client, &opts, rasd_store::INCREMENTAL_LIMIT, false)?;
    if profile.is_some() {
        eprintln!("rasd: ingest: reconcile {:.3} s", t.elapsed().as_secs_f64());
    }
    Ok(total)
}

/// What writing a shard did (the counts of `rasd ingest`), and the (place id, ISO week) buckets its new
/// events touched (`YYYY-Www`, or `undated`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShardStats {
    /// The counts `rasd ingest` reports for the same documents.
    #[serde(flatten)]
    pub counts: IngestStats,
    pub buckets: BTreeSet<(String, String)>,
}

/// The bucket of an event: its place and the ISO week of its date.
pub fn bucket(place_id: &str, date: Option<&str>) -> (String, String) {
    let week = date
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map_or_else(|| "undated".to_string(), |d| d.format("%G-W%V").to_string());
    (place_id.to_string(), week)
}

/// Indexes the originals stored after `meta.bands_seq` (a database moved by `rasd migrate` from an SQLite file
/// that had no `doc_bands` yet), as the SQLite store does before its first batch.
fn index_since(tx: &mut Transaction<'_>) -> Result<()> {
    let from: i64 = tx
        .query_opt("SELECT value FROM meta WHERE key = 'bands_seq'", &[])?
        .and_then(|r| r.get::<_, String>(0).parse().ok())
        .unwrap_or(0);
    let last: i64 = tx.query_one("SELECT coalesce(max(seq), 0) FROM docs", &[])?.get(0);
    if last > from {
        let docs = tx.query(
            "SELECT seq, sketch FROM docs WHERE seq > $1 AND near_dup_of IS NULL ORDER BY seq",
            &[&from],
        )?;
        for r in docs {
            let blob: Option<Vec<u8>> = r.get(1);
            if let Some(sig) = blob.as_deref().and_then(sketch::from_bytes) {
                index_bands(tx, r.get(0), &sig)?;
            }
        }
        set_bands_seq(tx)?;
    }
    Ok(())
}

fn index_bands(tx: &mut Transaction<'_>, seq: i64, sig: &[u32; sketch::SIGNATURE_LEN]) -> Result<()> {
    let keys = rows::band_rows(sig);
    let bands: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let buckets: Vec<i64> = keys.iter().map(|k| k.1).collect();
    tx.execute(
        "INSERT INTO doc_bands(band, bucket, seq, sketch)
         SELECT b, k, $3, $4 FROM unnest($1::bigint[], $2::bigint[]) AS t(b, k)
         ON CONFLICT DO NOTHING",
        &[&bands, &buckets, &seq, &sketch::to_bytes(sig)],
    )?;
    Ok(())
}

/// Inserts the documents of a shard in one statement, each `(item, document, seq, near-duplicate of)` under the
/// sequence number given (taken from `docs`' sequence); a document whose id or text is stored already is
/// skipped. Returns the sequence numbers inserted.
fn insert_docs(
    tx: &mut Transaction<'_>,
    docs: &[(&Prepared, &Doc, i64, Option<&str>)],
    version: &str,
    at: i64,
) -> Result<HashSet<i64>> {
    if docs.is_empty() {
        return Ok(HashSet::new());
    }
    fn col<'a, T>(
        docs: &'a [(&Prepared, &Doc, i64, Option<&str>)],
        f: impl Fn(&'a (&Prepared, &Doc, i64, Option<&str>)) -> T,
    ) -> Vec<T> {
        docs.iter().map(f).collect()
    }
    let sketches: Vec<Option<Vec<u8>>> = col(docs, |r| r.0.sketch.as_ref().map(sketch::to_bytes));
    let n = docs.len();
    Ok(tx
        .query(
            "INSERT INTO docs(seq, id, hash, url, outlet, published, title, text, sketch, near_dup_of, extractor,
                              ingested_at, origin, format)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::text[], $8::text[], $9::bytea[], $10::text[], $11::text[], $12::bigint[], $13::text[],
                 $14::text[])
             ON CONFLICT DO NOTHING RETURNING seq",
            &[
                &col(docs, |r| r.2),
                &col(docs, |r| r.1.id.as_str()),
                &col(docs, |r| r.0.hash.as_str()),
                &col(docs, |r| r.1.url.as_deref()),
                &col(docs, |r| r.1.outlet.as_deref()),
                &col(docs, |r| r.1.published.map(|p| p.to_string())),
                &col(docs, |r| r.1.title.as_deref()),
                &col(docs, |r| r.1.text.as_str()),
                &sketches,
                &col(docs, |r| r.3),
                &vec![version; n],
                &vec![at; n],
                &col(docs, |r| r.0.origin.as_str()),
                &col(docs, |r| r.0.format.as_deref().unwrap_or("unknown")),
            ],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Inserts the events of a shard in one statement (rows in order; an id already stored, or repeated, is
/// skipped), lists the new ones in `reconcile_pending`, and counts them and their buckets in `stats`.
fn insert_events(tx: &mut Transaction<'_>, events: &[rows::EventRow], stats: &mut ShardStats) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let inserted = insert_event_rows(tx, EventTable::Events, events)?;
    let mut ids: Vec<String> = Vec::with_capacity(inserted.len());
    for r in &inserted {
        let place: Option<&str> = r.get(1);
        if let Some(place) = place {
            let date: Option<&str> = r.get(2);
            stats.buckets.insert(bucket(place, date));
        }
        ids.push(r.get(0));
    }
    stats.counts.events += ids.len() as u64;
    tx.execute(
        "INSERT INTO reconcile_pending(event_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
        &[&ids],
    )?;
    Ok(())
}

/// The tables that hold event rows: the records, and those a re-processing run makes until it switches over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventTable {
    Events,
    Reprocess,
}

/// Inserts event rows into `table` in one statement (an id already there, or repeated, is skipped); the rows
/// inserted, as (id, place_id, event_date).
pub(crate) fn insert_event_rows(
    tx: &mut Transaction<'_>,
    table: EventTable,
    events: &[rows::EventRow],
) -> Result<Vec<postgres::Row>> {
    fn col<'a, T: Clone>(events: &'a [rows::EventRow], f: impl Fn(&'a rows::EventRow) -> T) -> Vec<T> {
        events.iter().map(f).collect()
    }
    let table = match table {
        EventTable::Events => "events",
        EventTable::Reprocess => "reprocess_events",
    };
    let inserted = tx.query(
        &format!(
            "INSERT INTO {table}(id, doc_id, event_type, sub_event_type, event_date, place_id, place_name,
             place_name_ar, admin1, country, lat, lon, actors, source, outlet, stance, fatalities, json,
             date_precision)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[], $13::text[], $14::text[],
             $15::text[], $16::text[], $17::int8[], $18::text[], $19::text[])
         ON CONFLICT DO NOTHING RETURNING id, place_id, event_date"
        ),
        &[
            &col(events, |r| r.id.as_str()),
            &col(events, |r| r.doc_id.as_str()),
            &col(events, |r| r.event_type),
            &col(events, |r| r.sub_event_type),
            &col(events, |r| r.event_date.as_deref()),
            &col(events, |r| r.place_id.as_deref()),
            &col(events, |r| r.place_name.as_deref()),
            &col(events, |r| r.place_name_ar.as_deref()),
            &col(events, |r| r.admin1.as_deref()),
            &col(events, |r| r.country.as_deref()),
            &col(events, |r| r.lat),
            &col(events, |r| r.lon),
            &col(events, |r| r.actors.as_str()),
            &col(events, |r| r.source.as_str()),
            &col(events, |r| r.outlet.as_deref()),
            &col(events, |r| r.stance),
            &col(events, |r| r.fatalities),
            &col(events, |r| r.json.as_str()),
            &col(events, |r| r.date_precision),
        ],
    )?;
    Ok(inserted)
}

fn set_bands_seq(tx: &mut Transaction<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO meta(key, value) SELECT 'bands_seq', CAST(coalesce(max(seq), 0) AS text) FROM docs
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[],
    )?;
    Ok(())
}

/// Writes a shard in one transaction under [`INGEST_LOCK`], with the decisions of the SQLite store's ingest
/// (`rasd_store::Store::ingest`) for a batch: an unreadable item (or one the extractor failed on) is recorded in
/// `failures` and skipped; an exact duplicate of a stored text is stored once (another id kept as an alias); a
/// file-named document whose id is taken gets its content hash appended; a publisher-given id that names
/// another text is a failure; a near-duplicate is linked to its original. Idempotent: a shard written again (a
/// redelivery after a lost ack) finds every document stored and adds nothing.
///
/// `reextract` extracts a document again when it was renamed (event ids depend on the document id).
pub fn write_shard(
    client: &mut Client,
    items: Vec<Prepared>,
    version: &str,
    reextract: &mut dyn FnMut(&Doc) -> Vec<Event>,
) -> Result<ShardStats> {
    write_shard_profiled(client, items, version, reextract, None)
}

/// [`write_shard`], adding where its time went to `profile` when given.
fn write_shard_profiled(
    client: &mut Client,
    items: Vec<Prepared>,
    version: &str,
    reextract: &mut dyn FnMut(&Doc) -> Vec<Event>,
    mut profile: Option<&mut IngestProfile>,
) -> Result<ShardStats> {
    let mut t = std::time::Instant::now();
    let mut stats = ShardStats::default();
    let at = rows::now();
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])?;
    index_since(&mut tx)?;
    // What the loop below asks of every document, asked once for the whole shard: which texts and ids are
    // stored, and which origins have a recorded failure. Under the lock nothing changes them but this
    // transaction, whose own writes the loop tracks (`batch_hash`, `batch_id`, `failed`).
    let hashes: Vec<&str> = items
        .iter()
        .filter(|i| i.doc.is_ok())
        .map(|i| i.hash.as_str())
        .collect();
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|i| i.doc.as_ref().ok())
        .map(|d| d.id.as_str())
        .collect();
    let origins: Vec<&str> = items.iter().map(|i| i.origin.as_str()).collect();
    let stored_hash: HashMap<String, String> = tx
        .query("SELECT hash, id FROM docs WHERE hash = ANY($1)", &[&hashes])?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let stored_id: HashSet<String> = tx
        .query("SELECT id FROM docs WHERE id = ANY($1)", &[&ids])?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    let mut failed: HashSet<String> = tx
        .query("SELECT origin FROM failures WHERE origin = ANY($1)", &[&origins])?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    let by_id = tx.prepare("SELECT hash FROM docs WHERE id = $1")?;
    let alias = tx.prepare("INSERT INTO doc_aliases(alias, doc_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")?;
    let fail = tx.prepare("INSERT INTO failures(origin, reason, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")?;
    let healed = tx.prepare("DELETE FROM failures WHERE origin = $1")?;
    let mut batch_hash: HashMap<String, String> = HashMap::new();
    let mut batch_id: HashSet<String> = HashSet::new();
    let mut fresh: Vec<Prepared> = Vec::new();
    for item in items {
        stats.counts.read += 1;
        let mut doc = match &item.doc {
            Ok(d) => d.clone(),
            Err(reason) => {
                stats.counts.failures += 1;
                tx.execute(&fail, &[&item.origin, reason, &at])?;
                failed.insert(item.origin.clone());
                continue;
            }
        };
        let mut heal = |tx: &mut Transaction<'_>, origin: &str| -> Result<()> {
            if failed.remove(origin) {
                tx.execute(&healed, &[&origin])?;
            }
            Ok(())
        };
        let stored: Option<String> = batch_hash
            .get(&item.hash)
            .or_else(|| stored_hash.get(&item.hash))
            .cloned();
        if let Some(stored_id) = stored {
            stats.counts.duplicates += 1;
            if stored_id != doc.id {
                tx.execute(&alias, &[&doc.id, &stored_id])?;
            }
            heal(&mut tx, &item.origin)?;
            continue;
        }
        let taken = |tx: &mut Transaction<'_>, id: &str, known: bool| -> Result<bool> {
            Ok(batch_id.contains(id)
                || if known {
                    stored_id.contains(id)
                } else {
                    tx.query_opt(&by_id, &[&id])?.is_some()
                })
        };
        let mut events = item.events;
        if taken(&mut tx, &doc.id, true)? {
            let named_by_file = item.format.as_deref().is_some_and(rows::named_by_file);
            let renamed = rows::renamed_id(&doc.id, &item.hash);
            if !named_by_file || taken(&mut tx, &renamed, false)? {
                stats.counts.failures += 1;
                tx.execute(&fail, &[&item.origin, &rows::id_taken_reason(&doc.id), &at])?;
                failed.insert(item.origin.clone());
                continue;
            }
            doc.id = renamed;
            events = reextract(&doc);
        }
        heal(&mut tx, &item.origin)?;
        batch_hash.insert(item.hash.clone(), doc.id.clone());
        batch_id.insert(doc.id.clone());
        fresh.push(Prepared {
            doc: Ok(doc),
            events,
            ..item
        });
    }
    lap(&mut t, profile.as_mut().map(|p| &mut p.check));
    // The documents are written after the loop, a few statements for the whole shard, so the loop decides their
    // near-duplicates as one lookup per document in input order would: each document sees the stored originals
    // of its buckets (read for the whole shard in one query) and the shard's originals before it (held here),
    // under sequence numbers taken now in input order, as the inserts would have taken them.
    let seqs: Vec<i64> = if fresh.is_empty() {
        Vec::new()
    } else {
        let mut seqs: Vec<i64> = tx
            .query(
                "SELECT nextval(pg_get_serial_sequence('docs', 'seq')) FROM generate_series(1, $1::bigint)",
                &[&(fresh.len() as i64)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        seqs.sort_unstable();
        seqs
    };
    let mut keys: Vec<(i64, i64)> = fresh
        .iter()
        .filter_map(|f| f.sketch.as_ref())
        .flat_map(rows::band_rows)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    // The latest originals of each bucket, newest first, with their sketches (held by the bucket rows).
    let mut stored_near: HashMap<(i64, i64), Vec<rows::NearCandidate>> = HashMap::new();
    if !keys.is_empty() {
        let bands: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let buckets: Vec<i64> = keys.iter().map(|k| k.1).collect();
        for r in tx.query(
            "SELECT k.band, k.bucket, x.seq, x.sketch
             FROM unnest($1::bigint[], $2::bigint[]) AS k(band, bucket)
             CROSS JOIN LATERAL (
                 SELECT b.seq, b.sketch FROM doc_bands b
                 WHERE b.band = k.band AND b.bucket = k.bucket ORDER BY b.seq DESC LIMIT $3) x
             ORDER BY k.band, k.bucket, x.seq DESC",
            &[&bands, &buckets, &(sketch::BUCKET_SCAN as i64)],
        )? {
            stored_near
                .entry((r.get(0), r.get(1)))
                .or_default()
                .push((r.get(2), r.get(3)));
        }
    }
    // The shard's originals by bucket, oldest first.
    let mut shard_near: HashMap<(i64, i64), Vec<rows::NearCandidate>> = HashMap::new();
    let mut near_seqs: Vec<Option<i64>> = Vec::with_capacity(fresh.len());
    for (f, &seq) in fresh.iter().zip(&seqs) {
        let near = match &f.sketch {
            Some(s) => rows::choose_near(s, |band, bucket, limit| -> Result<Vec<rows::NearCandidate>> {
                let key = (band, bucket);
                Ok(shard_near
                    .get(&key)
                    .into_iter()
                    .flat_map(|l| l.iter().rev())
                    .chain(stored_near.get(&key).into_iter().flatten())
                    .take(usize::try_from(limit).unwrap_or(0))
                    .cloned()
                    .collect())
            })?,
            None => None,
        };
        if let (None, Some(s)) = (near, &f.sketch) {
            for key in rows::band_rows(s) {
                shard_near
                    .entry(key)
                    .or_default()
                    .push((seq, Some(sketch::to_bytes(s))));
            }
        }
        near_seqs.push(near);
    }
    // The ids of the originals chosen: the shard's own, or stored ones (one query).
    let mut id_of: HashMap<i64, String> = fresh
        .iter()
        .zip(&seqs)
        .filter_map(|(f, &seq)| f.doc.as_ref().ok().map(|d| (seq, d.id.clone())))
        .collect();
    let stored_seqs: Vec<i64> = near_seqs
        .iter()
        .flatten()
        .filter(|s| !id_of.contains_key(s))
        .copied()
        .collect();
    if !stored_seqs.is_empty() {
        for r in tx.query("SELECT seq, id FROM docs WHERE seq = ANY($1)", &[&stored_seqs])? {
            id_of.insert(r.get(0), r.get(1));
        }
    }
    lap(&mut t, profile.as_mut().map(|p| &mut p.near));
    let docs: Vec<(&Prepared, &Doc, i64, Option<&str>)> = fresh
        .iter()
        .zip(&seqs)
        .zip(&near_seqs)
        .filter_map(|((f, &seq), near)| {
            let d = f.doc.as_ref().ok()?;
            Some((f, d, seq, near.and_then(|n| id_of.get(&n)).map(String::as_str)))
        })
        .collect();
    let inserted = insert_docs(&mut tx, &docs, version, at)?;
    let mut any_events = false;
    // The events of the shard, inserted at the end in one statement (in document order: the first row of an
    // id wins, as with the SQLite store's `INSERT OR IGNORE`).
    let mut event_rows: Vec<rows::EventRow> = Vec::new();
    let mut band_rows: Vec<(i64, i64, i64, Vec<u8>)> = Vec::new();
    for (f, d, seq, near) in docs {
        if !inserted.contains(&seq) {
            // Stored meanwhile by a writer that does not take the lock (`rasd migrate`): a duplicate. (The
            // documents after it in the shard took its sketch as a candidate original all the same.)
            stats.counts.duplicates += 1;
            continue;
        }
        stats.counts.stored += 1;
        match (near, f.sketch) {
            (Some(_), _) => stats.counts.near_duplicates += 1,
            (None, Some(s)) => {
                let blob = sketch::to_bytes(&s);
                band_rows.extend(rows::band_rows(&s).into_iter().map(|(b, k)| (b, k, seq, blob.clone())));
            }
            (None, None) => {}
        }
        any_events |= !f.events.is_empty();
        for e in &f.events {
            event_rows.push(rows::event_row(e, d.outlet.as_deref())?);
        }
    }
    if !band_rows.is_empty() {
        tx.execute(
            "INSERT INTO doc_bands(band, bucket, seq, sketch)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bytea[])
             ON CONFLICT DO NOTHING",
            &[
                &band_rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                &band_rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                &band_rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                &band_rows.iter().map(|r| r.3.as_slice()).collect::<Vec<_>>(),
            ],
        )?;
    }
    insert_events(&mut tx, &event_rows, &mut stats)?;
    if any_events {
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('dirty', 'pending')
             ON CONFLICT (key) DO UPDATE SET value = CASE WHEN meta.value = '1' THEN '1' ELSE 'pending' END",
            &[],
        )?;
    }
    set_bands_seq(&mut tx)?;
    lap(&mut t, profile.as_mut().map(|p| &mut p.insert));
    tx.commit()?;
    lap(&mut t, profile.map(|p| &mut p.commit));
    Ok(stats)
}

/// Recomputes every derived table (incidents, incident_events, control_claims, contradictions, places) from
/// every stored event, as `rasd reconcile --full` does on SQLite, by the same streamed rebuild
/// ([`rasd_store::rebuild`]: the same rows, and memory bounded by one date window, one incident or one place,
/// not by the database): one transaction that holds [`RECONCILE_LOCK`] (one rebuild at a time) and
/// [`INGEST_LOCK`] (no shard commits meanwhile, so none is missed or marked done unseen). A full recompute,
/// whatever changed: `rasd reconcile --worker` runs it for a first load, `--full`, or a batch too large for the
/// incremental reconcile (`crate::reconcile`).
pub fn rebuild(client: &mut Client, opts: &rasd_reconcile::Options) -> Result<ReconcileStats> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&RECONCILE_LOCK])?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])?;
    let stats = rebuild_in(&mut tx, opts)?;
    tx.commit()?;
    Ok(stats)
}

/// The rebuild of [`rebuild`] inside the caller's transaction, which must hold [`RECONCILE_LOCK`] and
/// [`INGEST_LOCK`] (the switch-over of a re-processing run does it in the transaction that replaces the records).
pub fn rebuild_in(tx: &mut Transaction<'_>, opts: &rasd_reconcile::Options) -> Result<ReconcileStats> {
    let mut backend = PgRebuild::new(tx)?;
    let stats = rasd_store::rebuild::rebuild(&mut backend, opts)?;
    // SQLite numbers the claims of a rebuilt table from 1; so does this, and the next claim follows them.
    let n = backend.claims;
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('control_claims', 'seq'), greatest($1::bigint, 1), $1::bigint > 0)",
        &[&n],
    )?;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('dirty', '0') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[],
    )?;
    Ok(stats)
}

/// Writes a row of `incident_events` (SQLite's `INSERT OR REPLACE`).
pub(crate) const WRITE_MEMBER: &str = "INSERT INTO incident_events(event_id, incident_id) VALUES ($1, $2)
     ON CONFLICT (event_id) DO UPDATE SET incident_id = excluded.incident_id";

/// Writes a row of `incidents` (SQLite's `INSERT OR REPLACE`), from [`incident_params`].
pub(crate) const WRITE_INCIDENT: &str =
    "INSERT INTO incidents(id, first_date, event_type, sub_event_type, place_id, admin1, json)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET first_date = excluded.first_date, event_type = excluded.event_type,
       sub_event_type = excluded.sub_event_type, place_id = excluded.place_id, admin1 = excluded.admin1,
       json = excluded.json";

/// Writes a row of `contradictions` (SQLite's `INSERT OR REPLACE`), from [`contradiction_params`].
pub(crate) const WRITE_CONTRADICTION: &str =
    "INSERT INTO contradictions(id, kind, place_id, date, source_a, source_b, json, incident_id, ckey)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, place_id = excluded.place_id, date = excluded.date,
       source_a = excluded.source_a, source_b = excluded.source_b, json = excluded.json,
       incident_id = excluded.incident_id, ckey = excluded.ckey";

pub(crate) fn incident_params(r: &rows::IncidentRow) -> [&(dyn postgres::types::ToSql + Sync); 7] {
    [
        &r.id,
        &r.first_date,
        &r.event_type,
        &r.sub_event_type,
        &r.place_id,
        &r.admin1,
        &r.json,
    ]
}

pub(crate) fn contradiction_params(c: &rows::ContradictionRow) -> [&(dyn postgres::types::ToSql + Sync); 9] {
    [
        &c.id,
        &c.kind,
        &c.place_id,
        &c.date,
        &c.source_a,
        &c.source_b,
        &c.json,
        &c.incident_id,
        &c.ckey,
    ]
}

/// Rows a read cursor of the rebuild fetches at a time.
const FETCH: i32 = 1_000;

/// A PostgreSQL transaction as the streamed rebuild's [`rasd_store::rebuild::Backend`]: reads through portals
/// (cursors fetched [`FETCH`] rows at a time, so that writes go on in between), writes by prepared statements,
/// each `INSERT … ON CONFLICT DO UPDATE` where SQLite's is `INSERT OR REPLACE`.
struct PgRebuild<'a, 'b> {
    tx: &'a mut Transaction<'b>,
    member: postgres::Statement,
    incident: postgres::Statement,
    contradiction: postgres::Statement,
    claim: postgres::Statement,
    place_reports: postgres::Statement,
    /// Control claims written (the last `seq`).
    claims: i64,
}

impl<'a, 'b> PgRebuild<'a, 'b> {
    fn new(tx: &'a mut Transaction<'b>) -> Result<PgRebuild<'a, 'b>> {
        let member = tx.prepare(WRITE_MEMBER)?;
        let incident = tx.prepare(WRITE_INCIDENT)?;
        let contradiction = tx.prepare(WRITE_CONTRADICTION)?;
        let claim =
            tx.prepare("INSERT INTO control_claims(seq, place_id, date, source, json) VALUES ($1, $2, $3, $4, $5)")?;
        let place_reports = tx.prepare(
            "SELECT e.json, e.outlet, d.near_dup_of, d.published FROM events e LEFT JOIN docs d ON d.id = e.doc_id
             WHERE e.place_id = $1 AND e.sub_event_type IN ($2, $3, $4)",
        )?;
        Ok(PgRebuild {
            tx,
            member,
            incident,
            contradiction,
            claim,
            place_reports,
            claims: 0,
        })
    }

    /// Runs `sql` as a cursor and calls `each` with its rows, [`FETCH`] at a time.
    fn each_row(&mut self, sql: &str, each: &mut dyn FnMut(&mut Self, &postgres::Row) -> Result<()>) -> Result<()> {
        let portal = self.tx.bind(sql, &[])?;
        loop {
            let rows = self.tx.query_portal(&portal, FETCH)?;
            if rows.is_empty() {
                return Ok(());
            }
            for r in &rows {
                each(self, r)?;
            }
        }
    }
}

/// The report of a stored event from the columns `json, outlet, near_dup_of, published` at `from`.
fn report_at(r: &postgres::Row, from: usize) -> Result<rasd_reconcile::Report> {
    let published: Option<&str> = r.get(from + 3);
    Ok(rows::report(r.get(from), r.get(from + 1), r.get(from + 2), published)?)
}

impl Backend for PgRebuild<'_, '_> {
    type Error = crate::Error;

    fn database(&self) -> std::path::PathBuf {
        "the PostgreSQL database".into()
    }

    fn clear(&mut self) -> Result<()> {
        self.tx.batch_execute(
            "DELETE FROM incidents; DELETE FROM incident_events; DELETE FROM control_claims;
             DELETE FROM contradictions; DELETE FROM places; DELETE FROM reconcile_pending;",
        )?;
        self.claims = 0;
        Ok(())
    }

    fn each_event(&mut self, each: &mut EachEvent<'_, Self>) -> Result<()> {
        self.each_row(
            "SELECT json FROM events ORDER BY sub_event_type, event_date NULLS FIRST, id",
            &mut |b, r| each(b, r.get(0)),
        )
    }

    fn write_member(&mut self, event_id: &str, incident_id: &str) -> Result<()> {
        self.tx.execute(&self.member, &[&event_id, &incident_id])?;
        Ok(())
    }

    fn each_member(&mut self, each: &mut EachMember<'_, Self>) -> Result<()> {
        self.each_row(
            "SELECT ie.incident_id, e.json, e.outlet, d.near_dup_of, d.published
             FROM incident_events ie JOIN events e ON e.id = ie.event_id LEFT JOIN docs d ON d.id = e.doc_id
             ORDER BY ie.incident_id",
            &mut |b, r| each(b, r.get(0), report_at(r, 1)?),
        )
    }

    fn write_incident(&mut self, r: &rows::IncidentRow) -> Result<()> {
        self.tx.execute(&self.incident, &incident_params(r))?;
        Ok(())
    }

    fn write_contradiction(&mut self, c: &rows::ContradictionRow) -> Result<()> {
        self.tx.execute(&self.contradiction, &contradiction_params(c))?;
        Ok(())
    }

    fn territory_places(&mut self) -> Result<Vec<String>> {
        let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
        Ok(self
            .tx
            .query(
                "SELECT DISTINCT place_id FROM events
                 WHERE sub_event_type IN ($1, $2, $3) AND place_id IS NOT NULL ORDER BY place_id",
                &[&a, &b, &c],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn place_reports(&mut self, place: &str) -> Result<Vec<rasd_reconcile::Report>> {
        let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
        self.tx
            .query(&self.place_reports, &[&place, &a, &b, &c])?
            .iter()
            .map(|r| report_at(r, 0))
            .collect()
    }

    fn write_control_claim(&mut self, c: &rows::ControlRow) -> Result<()> {
        self.claims += 1;
        self.tx
            .execute(&self.claim, &[&self.claims, &c.place_id, &c.date, &c.source, &c.json])?;
        Ok(())
    }

    fn write_places(&mut self) -> Result<()> {
        self.tx.batch_execute(rows::PLACES_SQL)?;
        Ok(())
    }
}

/// Whether the derived tables are behind the stored events (`meta.dirty` is `pending` or `1`).
pub fn needs_rebuild(client: &mut Client) -> Result<bool> {
    let dirty: Option<String> = client
        .query_opt("SELECT value FROM meta WHERE key = 'dirty'", &[])?
        .map(|r| r.get(0));
    Ok(matches!(dirty.as_deref(), Some("1" | "pending")))
}

/// The columns of `docs` that [`stored_item`] takes, after `seq`.
const STORED_COLS: &str = "seq, id, url, outlet, published, title, text, origin, format";

/// A stored document as a shard item (its origin, format and text as stored).
#[allow(clippy::too_many_arguments)]
fn stored_item(
    id: String,
    url: Option<String>,
    outlet: Option<String>,
    published: Option<String>,
    title: Option<String>,
    text: String,
    origin: Option<String>,
    format: Option<String>,
) -> ShardItem {
    ShardItem {
        origin: origin.unwrap_or_else(|| format!("db:{id}")),
        format: format.filter(|f| f != "unknown"),
        doc: Some(Doc {
            published: published.and_then(|p| chrono::NaiveDate::parse_from_str(&p, "%Y-%m-%d").ok()),
            id,
            url,
            outlet,
            title,
            text,
        }),
        error: None,
    }
}

/// Reads the documents of a PostgreSQL database in storage order, `page` at a time, as shard items: every one
/// (`join` and `cond` empty), or those that `docs {join} WHERE {cond}` selects, as `crate::reprocess` reads the
/// documents of a run.
pub(crate) fn stored_docs_pg(
    c: &mut Client,
    join: &str,
    cond: &str,
    page: usize,
    each: &mut dyn FnMut(Vec<ShardItem>) -> Result<()>,
) -> Result<()> {
    let cols = STORED_COLS
        .split(", ")
        .map(|c| format!("docs.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let cond = if cond.is_empty() { "true" } else { cond };
    let sql = format!("SELECT {cols} FROM docs {join} WHERE ({cond}) AND docs.seq > $1 ORDER BY docs.seq LIMIT $2");
    let mut after = i64::MIN;
    loop {
        let rows = c.query(&sql, &[&after, &(page as i64)])?;
        let Some(last) = rows.last() else { break };
        after = last.get(0);
        each(
            rows.into_iter()
                .map(|r| {
                    stored_item(
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                        r.get(6),
                        r.get(7),
                        r.get(8),
                    )
                })
                .collect(),
        )?;
    }
    Ok(())
}

/// Reads the documents stored in a database, in storage order, `page` at a time, as shard items (for
/// `rasd queue push --from-db`): `sqlite:PATH` (or a path) or `postgres://…`.
pub fn stored_docs(db: &str, page: usize, each: &mut dyn FnMut(Vec<ShardItem>) -> Result<()>) -> Result<()> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        let mut c = crate::connect(db)?;
        return stored_docs_pg(&mut c, "", "", page, each);
    }
    let item = stored_item;
    let path = db.strip_prefix("sqlite:").unwrap_or(db);
    let path = path.strip_prefix("//").unwrap_or(path);
    let (conn, _) = crate::copy::open_sqlite(std::path::Path::new(path))?;
    let mut after = i64::MIN;
    loop {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {STORED_COLS} FROM docs WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows: Vec<(i64, ShardItem)> = stmt
            .query_map(rusqlite::params![after, page as i64], |r| {
                Ok((
                    r.get(0)?,
                    item(
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ),
                ))
            })?
            .collect::<std::result::Result<_, _>>()?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        each(rows.into_iter().map(|(_, i)| i).collect())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_iso_weeks_of_a_place() {
        // 2017-01-01 is a Sunday: ISO week 52 of 2016.
        assert_eq!(
            bucket("SY.07.Albukamal", Some("2017-01-01")),
            ("SY.07.Albukamal".into(), "2016-W52".into())
        );
        assert_eq!(bucket("p", Some("2017-11-09")).1, "2017-W45");
        assert_eq!(bucket("p", None).1, "undated");
        assert_eq!(bucket("p", Some("2017-11")).1, "undated");
    }

    #[test]
    fn shard_items_round_trip_and_bad_ones_are_failures() {
        let shard: Shard = serde_json::from_str(
            r#"{"items":[{"origin":"a.jsonl:1","format":"jsonl","doc":{"id":"d1","text":"نص","published":"2017-11-09"}},
                         {"origin":"a.jsonl:2","error":"not a JSON document object"},
                         {"origin":"a.jsonl:3"},
                         {"origin":"a.jsonl:4","doc":{"id":" ","text":"x"}}]}"#,
        )
        .expect("shard");
        let again: Shard = serde_json::from_str(&serde_json::to_string(&shard).expect("ser")).expect("de");
        assert_eq!(shard, again);
        assert_eq!(shard.items[0].document().expect("doc").id, "d1");
        assert!(shard.items[1].document().is_err());
        assert!(shard.items[2].document().is_err());
        assert!(shard.items[3].document().is_err());
        let p = Prepared::new(shard.items[0].clone(), |_| Err("boom".into()));
        assert_eq!(p.doc, Err("boom".into()));
    }

    #[test]
    fn a_document_the_extractor_panics_on_is_a_failure_of_its_own() {
        let item = |id: &str| ShardItem {
            origin: format!("a.jsonl:{id}"),
            format: Some("jsonl".into()),
            doc: Some(Doc {
                id: id.into(),
                url: None,
                outlet: None,
                published: None,
                title: None,
                text: format!("نص {id}"),
            }),
            error: None,
        };
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = || made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let extract = |_: &mut usize, d: &Doc| -> std::result::Result<Vec<Event>, String> {
            assert!(d.id != "bad", "a bug on this document");
            Ok(Vec::new())
        };
        let out = prepare(vec![item("ok1"), item("bad"), item("ok2")], &make, &extract);
        assert!(out[0].doc.is_ok() && out[2].doc.is_ok());
        let err = out[1].doc.as_ref().expect_err("the failed document");
        assert!(
            err.contains("the extractor failed on this document: a bug on this document"),
            "{err}"
        );
    }
}
