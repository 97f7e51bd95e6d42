//! Re-processing at scale (issue 14): when the extractor or its model changes, `rasd queue push --reprocess`
//! re-runs the stored documents through the workers, and the new records replace the old ones **at once**.
//!
//! - [`start`] opens a run for a rasd version (one run at a time, in `reprocess_run`) and lists the documents it
//!   covers in `reprocess_docs`: those extracted by another version, or every one (`--all`). Pushing again for
//!   the same version resumes the run (only the documents not done yet are published again); a push for another
//!   version abandons the unfinished run and starts over.
//! - A worker extracts a re-processing shard and [`write`]s its records to `reprocess_events`, marking its
//!   documents done, in one transaction; written again (a redelivery), it replaces what it wrote. `events` is not
//!   touched: every query keeps answering with the old records meanwhile.
//! - The write that leaves no document to do is followed by [`switch_if_complete`]: in one transaction, the
//!   records of the run's documents in `events` are replaced by the new ones, the documents are marked as
//!   extracted by the new version, and the derived tables (incidents, timelines, contradictions) are rebuilt.
//!   Readers see the old state until it commits, then the new one, never a mix. A worker killed before the
//!   switch leaves the run complete and not switched: the next push (or worker write) switches it.
//!
//! Locks: the run's writes hold [`REPROCESS_LOCK`] shared, the switch holds it exclusively (with the ingest and
//! rebuild locks of [`crate::work`]), so no write of the run is lost between the count and the switch.

use crate::work::{self, EventTable, INGEST_LOCK, RECONCILE_LOCK, ShardItem};
use crate::{Error, Result};
use postgres::Client;
use rasd_core::Event;
use rasd_store::{ReconcileStats, rows};

/// The advisory lock of a re-processing run (the ASCII bytes "rasdrepr").
pub const REPROCESS_LOCK: i64 = 0x7261_7364_7265_7072;

/// The columns of `events` (and of `reprocess_events`, made `LIKE events`), in the order of the table.
const EVENT_COLUMNS: &str = "id, doc_id, event_type, sub_event_type, event_date, place_id, place_name, admin1, country, \
     lat, lon, actors, source, stance, fatalities, json, outlet, place_name_ar, date_precision";

/// The state of the last re-processing run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    /// The rasd version (`rasd_events::VERSION`) whose records the run makes.
    pub version: String,
    /// `running`, or `done` once switched over.
    pub state: String,
    /// Documents the run covers, and those not yet written.
    pub total: i64,
    pub remaining: i64,
}

/// What [`start`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub run: Run,
    /// True when a running run of the same version was resumed rather than started.
    pub resumed: bool,
    /// The version of an unfinished run of another version that was abandoned to start this one.
    pub abandoned: Option<String>,
}

/// A run from the columns `version, state, total, remaining`.
fn run_of(r: &postgres::Row) -> Run {
    Run {
        version: r.get(0),
        state: r.get(1),
        total: r.get(2),
        remaining: r.get(3),
    }
}

/// The last run, if any.
pub fn status(client: &mut Client) -> Result<Option<Run>> {
    Ok(client
        .query_opt("SELECT version, state, total, remaining FROM reprocess_run", &[])?
        .map(|r| run_of(&r)))
}

/// Starts a run for `version` over the documents extracted by another version (every document when `all`),
/// or resumes the unfinished run of the same version. A run with no document is recorded as done at once.
pub fn start(client: &mut Client, version: &str, all: bool) -> Result<Started> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&REPROCESS_LOCK])?;
    let last = tx
        .query_opt(
            "SELECT version, state, total, remaining FROM reprocess_run FOR UPDATE",
            &[],
        )?
        .map(|r| run_of(&r));
    let mut abandoned = None;
    if let Some(run) = last.filter(|r| r.state == "running") {
        if run.version == version {
            tx.commit()?;
            return Ok(Started {
                run,
                resumed: true,
                abandoned: None,
            });
        }
        tx.batch_execute("DELETE FROM reprocess_events; DELETE FROM reprocess_docs;")?;
        abandoned = Some(run.version);
    }
    let total = tx.execute(
        "INSERT INTO reprocess_docs(doc_id) SELECT id FROM docs WHERE $1 OR extractor IS DISTINCT FROM $2",
        &[&all, &version],
    )? as i64;
    let state = if total == 0 { "done" } else { "running" };
    let now = rows::now();
    let finished = (total == 0).then_some(now);
    tx.execute(
        "INSERT INTO reprocess_run(one, version, state, total, remaining, started_at, finished_at)
         VALUES (true, $1, $2, $3, $3, $4, $5)
         ON CONFLICT (one) DO UPDATE SET version = excluded.version, state = excluded.state, total = excluded.total,
             remaining = excluded.remaining, started_at = excluded.started_at, finished_at = excluded.finished_at",
        &[&version, &state, &total, &now, &finished],
    )?;
    tx.commit()?;
    Ok(Started {
        run: Run {
            version: version.to_string(),
            state: state.to_string(),
            total,
            remaining: total,
        },
        resumed: false,
        abandoned,
    })
}

/// Reads the documents of the running run that are not done yet, in storage order, `page` at a time.
pub fn pending_docs(
    client: &mut Client,
    page: usize,
    each: &mut dyn FnMut(Vec<ShardItem>) -> Result<()>,
) -> Result<()> {
    work::stored_docs_pg(
        client,
        "JOIN reprocess_docs r ON r.doc_id = docs.id",
        "NOT r.done",
        page,
        each,
    )
}

/// One re-extracted document: its id, its outlet (stored on its events) and its new records.
#[derive(Debug, Clone)]
pub struct Redone {
    pub doc_id: String,
    pub outlet: Option<String>,
    pub events: Vec<Event>,
}

/// What [`write`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The records were written; `remaining` documents of the run are still to do.
    Stored {
        documents: u64,
        events: u64,
        remaining: i64,
    },
    /// The shard belongs to no running run of `version` (the run was switched over, or abandoned for another
    /// version): nothing was written.
    Obsolete { current: Option<Run> },
}

/// Writes the new records of a re-processing shard made by rasd `version`, in one transaction: the records of
/// its documents in `reprocess_events` are replaced, and the documents are marked done. Idempotent.
pub fn write(client: &mut Client, version: &str, docs: &[Redone]) -> Result<Written> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock_shared($1)", &[&REPROCESS_LOCK])?;
    let run = tx
        .query_opt("SELECT version, state, total, remaining FROM reprocess_run", &[])?
        .map(|r| run_of(&r));
    if !run
        .as_ref()
        .is_some_and(|r| r.version == version && r.state == "running")
    {
        return Ok(Written::Obsolete { current: run });
    }
    let ids: Vec<&str> = docs.iter().map(|d| d.doc_id.as_str()).collect();
    tx.execute("DELETE FROM reprocess_events WHERE doc_id = ANY($1)", &[&ids])?;
    let mut event_rows = Vec::new();
    for d in docs {
        for e in &d.events {
            event_rows.push(rows::event_row(e, d.outlet.as_deref())?);
        }
    }
    let events = if event_rows.is_empty() {
        0
    } else {
        work::insert_event_rows(&mut tx, EventTable::Reprocess, &event_rows)?.len() as u64
    };
    let newly = tx.execute(
        "UPDATE reprocess_docs SET done = true WHERE doc_id = ANY($1) AND NOT done",
        &[&ids],
    )? as i64;
    let remaining: i64 = tx
        .query_one(
            "UPDATE reprocess_run SET remaining = remaining - $1 RETURNING remaining",
            &[&newly],
        )?
        .get(0);
    tx.commit()?;
    Ok(Written::Stored {
        documents: docs.len() as u64,
        events,
        remaining,
    })
}

/// What a switch-over did.
#[derive(Debug, Clone, PartialEq)]
pub struct Switched {
    pub version: String,
    pub documents: i64,
    /// Records of the run's documents before and after.
    pub old_events: u64,
    pub new_events: u64,
    /// The rebuild of the derived tables.
    pub rebuilt: ReconcileStats,
}

/// When the running run has no document left to do, replaces the old records of its documents by the new ones,
/// marks the documents as extracted by the run's version and rebuilds the derived tables, all in one
/// transaction; `None` when there is no such run (none running, or documents still to do).
pub fn switch_if_complete(client: &mut Client, opts: &rasd_reconcile::Options) -> Result<Option<Switched>> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&REPROCESS_LOCK])?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&RECONCILE_LOCK])?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])?;
    let Some(row) = tx.query_opt(
        "SELECT version, total FROM reprocess_run WHERE state = 'running' AND remaining <= 0 FOR UPDATE",
        &[],
    )?
    else {
        return Ok(None);
    };
    let (version, documents): (String, i64) = (row.get(0), row.get(1));
    let not_done: i64 = tx
        .query_one("SELECT count(*) FROM reprocess_docs WHERE NOT done", &[])?
        .get(0);
    if not_done > 0 {
        return Err(Error::Schema(format!(
            "the re-processing run of rasd {version} counts no document left but {not_done} are not done; \
             push --reprocess again to start it over"
        )));
    }
    let old_events = tx.execute(
        "DELETE FROM events WHERE doc_id IN (SELECT doc_id FROM reprocess_docs)",
        &[],
    )?;
    let new_events = tx.execute(
        &format!("INSERT INTO events({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} FROM reprocess_events"),
        &[],
    )?;
    tx.execute(
        "UPDATE docs SET extractor = $1 WHERE id IN (SELECT doc_id FROM reprocess_docs)",
        &[&version],
    )?;
    tx.batch_execute("DELETE FROM reprocess_events; DELETE FROM reprocess_docs;")?;
    tx.execute(
        "UPDATE reprocess_run SET state = 'done', remaining = 0, finished_at = $1",
        &[&rows::now()],
    )?;
    let rebuilt = work::rebuild_in(&mut tx, opts)?;
    tx.commit()?;
    Ok(Some(Switched {
        version,
        documents,
        old_events,
        new_events,
        rebuilt,
    }))
}
