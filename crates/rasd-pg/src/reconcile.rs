//! What `rasd reconcile --worker` runs on PostgreSQL: the derived tables brought up to date with the events the
//! workers stored, by the **incremental reconcile of the SQLite store** (`rasd_store::incremental`, written
//! once against its `Backend` trait, which [`PgRead`] implements here for a write transaction), or by the
//! streamed full rebuild ([`crate::work::rebuild_in`]) where SQLite takes it too: a first load, derived tables
//! marked out of date as a whole (`meta.dirty = '1'`), a batch whose estimate exceeds the limit (the rebuild
//! then raises the same alerts), or `--full`.
//!
//! **Concurrent shard writes.** The reconcile runs in one transaction that takes [`RECONCILE_LOCK`] and then
//! [`INGEST_LOCK`], the advisory lock every shard's write transaction holds from its first read to its commit.
//! Once both are held, no shard is between its first read and its commit, so every shard has either committed
//! (its events and its rows of `reconcile_pending` are visible to this transaction, which reads in READ
//! COMMITTED after the lock, so sees all of them) or has not started its write (it waits on the lock, and its
//! events are reconciled next time). The transaction reads the pending events, recomputes what they touch,
//! empties `reconcile_pending` and sets `meta.dirty = '0'`; no event can be added in between, so none is
//! marked done unseen. Shards wait for the length of an incremental reconcile (tens of milliseconds to a few
//! seconds), not of a rebuild.
//!
//! **One reconcile at a time, not a lock per bucket.** The issue asks for the touched (place, ISO week) buckets
//! to be recomputed under an advisory lock each, so that several reconcilers run at once. The incremental
//! reconcile's reads and writes are not confined to the touched buckets, nor to any bounded neighbourhood of
//! them that can be known before it runs:
//!
//! - **incidents** cluster events of one sub-event type across *places* (any two within `radius_km`, and a
//!   cluster's reach grows with its members: a chain of clusters links places without bound) and across *days*
//!   (`day_slack` each way, chained the same way); clustering is sequential in date order over the whole
//!   sub-event type, so a new event dated `A` re-decides every day-precise event of its type from
//!   `A - 2 × day_slack` on, *in every place*, and the coarse ("this month", "this year") events from the first
//!   one a changed cluster may capture (a year-precise claim's window spans a year);
//! - **control claims** are numbered in one sequence (`control_claims.seq`) shared by every place;
//! - **controller contradictions** keep only the earliest pair of each key, so a pair found from
//!   `T - day_slack` is checked against every earlier pair of the place; **alerts** compare a place's timeline
//!   with and without the new claims from `60 + control_horizon_days` (67) days back;
//! - an event that is not new can move from one incident to another, so two reconcilers with disjoint buckets
//!   can both rewrite the same incident rows.
//!
//! Locks over a neighbourhood of the buckets (places within `radius_km`, weeks within the margins) would miss
//! the chained clusters and the year-wide coarse windows, so two reconcilers could each compute a clustering
//! from a state the other is changing; SERIALIZABLE with retry would catch those conflicts, but the
//! reconcilers of one sub-event type conflict on nearly every run (they all rewrite its recent incidents), so
//! they would retry one after the other anyway. Correctness comes first: one reconcile at a time, under
//! [`RECONCILE_LOCK`]; a second `rasd reconcile --worker` waits for the first (and finds little left to do).

use crate::read::{PgRead, store_error, to_postgres};
use crate::work::{INGEST_LOCK, RECONCILE_LOCK, WRITE_CONTRADICTION, WRITE_INCIDENT, WRITE_MEMBER};
use crate::{Result, work};
use postgres::Client;
use postgres::types::ToSql;
use rasd_reconcile::Options;
use rasd_store::incremental::{self, Backend};
use rasd_store::rows::{ContradictionRow, IncidentRow};
use rasd_store::{Arg, ReconcileStats};
use std::collections::HashSet;

/// How [`reconcile`] brought the derived tables up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// They were: no new event since the last reconcile.
    UpToDate,
    /// Incrementally: only what the new events touch was recomputed.
    Incremental,
    /// By the streamed full rebuild, raising the alerts the incremental reconcile would have raised (a batch
    /// whose estimate exceeds the limit).
    RebuildRaising,
    /// By the streamed full rebuild (a first load, tables marked out of date as a whole, or `full`).
    Rebuild,
}

impl How {
    /// In words, for the line `rasd reconcile --worker` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            How::UpToDate => "up to date",
            How::Incremental => "incremental",
            How::RebuildRaising => "full rebuild (estimate over the limit), alerts raised",
            How::Rebuild => "full rebuild",
        }
    }
}

/// Brings the derived tables up to date in one transaction under [`RECONCILE_LOCK`] and [`INGEST_LOCK`] (see the
/// module documentation), as `rasd ingest` does on SQLite: when only new events were stored since the last
/// reconcile (`meta.dirty = 'pending'`), incrementally, unless it is a first load or the estimate of the events
/// to read again exceeds `limit` (`rasd_store::INCREMENTAL_LIMIT` by default); with `full`, or when the tables are
/// marked out of date as a whole (`'1'`), by the full rebuild.
pub fn reconcile(client: &mut Client, opts: &Options, limit: u64, full: bool) -> Result<(ReconcileStats, How)> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&RECONCILE_LOCK])?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])?;
    // The reconcile joins small scratch tables (never analyzed) to large indexed ones; at the default cost of a
    // random page PostgreSQL scans the whole of `incident_events` for a few hundred ids (about 30 ms a query at
    // 100,000 documents) where the index takes 1 ms. The pages it reads are the recent ones, mostly in memory.
    tx.batch_execute("SET LOCAL random_page_cost = 1.1")?;
    let dirty: Option<String> = tx
        .query_opt("SELECT value FROM meta WHERE key = 'dirty'", &[])?
        .map(|r| r.get(0));
    let done = match dirty.as_deref() {
        _ if full => (work::rebuild_in(&mut tx, opts)?, How::Rebuild),
        Some("pending") => {
            let db = PgRead::new(&mut tx);
            if incremental::first_load(&db)? {
                drop(db);
                (work::rebuild_in(&mut tx, opts)?, How::Rebuild)
            } else {
                let (stats, path) = incremental::reconcile_pending(&db, opts, limit)?;
                let how = match path {
                    incremental::Path::Incremental => How::Incremental,
                    incremental::Path::Rebuild => How::RebuildRaising,
                };
                (stats, how)
            }
        }
        Some("1") => (work::rebuild_in(&mut tx, opts)?, How::Rebuild),
        _ => (ReconcileStats::default(), How::UpToDate),
    };
    let t = std::time::Instant::now();
    tx.commit()?;
    if std::env::var_os("RASD_PROFILE").is_some() {
        eprintln!("rasd: reconcile: commit: {:.3} s", t.elapsed().as_secs_f64());
    }
    Ok(done)
}

/// Runs `f` in one write transaction of `client`, committed when it returns `Ok`: the writers of `rasd_store`
/// written once for both engines against its `Backend` (SQLite's spelling, rewritten here), such as what
/// `rasd watch` records after a poll (`rasd_store::watch_state::record_poll`).
pub fn write<T>(client: &mut Client, f: impl FnOnce(&dyn Backend) -> rasd_store::Result<T>) -> Result<T> {
    let mut tx = client.transaction()?;
    let out = f(&PgRead::new(&mut tx))?;
    tx.commit()?;
    Ok(out)
}

impl PgRead<'_, '_> {
    fn run(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> rasd_store::Result<()> {
        let stmt = self.statement(sql)?;
        self.tx.borrow_mut().execute(&stmt, params).map_err(store_error)?;
        Ok(())
    }
}

/// A write transaction as the incremental reconcile's backend: reads and common writes in SQLite's spelling,
/// rewritten ([`crate::read::to_postgres`]); rows of the derived tables by the statements of the full rebuild.
impl Backend for PgRead<'_, '_> {
    fn execute(&self, sql: &str, args: &[Arg]) -> rasd_store::Result<()> {
        let stmt = self.statement(sql)?;
        let values = Self::values(&stmt, args)?;
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        self.tx.borrow_mut().execute(&stmt, &refs).map_err(store_error)?;
        Ok(())
    }

    fn scratch(&self) -> rasd_store::Result<()> {
        self.tx
            .borrow_mut()
            .batch_execute(
                r#"CREATE TEMP TABLE IF NOT EXISTS rc_events(id text COLLATE "C" PRIMARY KEY);
                   CREATE TEMP TABLE IF NOT EXISTS rc_incidents(id text COLLATE "C" PRIMARY KEY);
                   CREATE TEMP TABLE IF NOT EXISTS rc_before(id text COLLATE "C" PRIMARY KEY);
                   CREATE TEMP TABLE IF NOT EXISTS rc_new(id text COLLATE "C" PRIMARY KEY);"#,
            )
            .map_err(store_error)
    }

    fn write_incident(&self, row: &IncidentRow) -> rasd_store::Result<()> {
        self.run(WRITE_INCIDENT, &work::incident_params(row))
    }

    fn write_member(&self, event_id: &str, incident_id: &str) -> rasd_store::Result<()> {
        self.run(WRITE_MEMBER, &[&event_id, &incident_id])
    }

    fn write_contradiction(&self, row: &ContradictionRow) -> rasd_store::Result<()> {
        self.run(WRITE_CONTRADICTION, &work::contradiction_params(row))
    }

    fn rebuild(&self, opts: &Options) -> rasd_store::Result<ReconcileStats> {
        let mut tx = self.tx.borrow_mut();
        work::rebuild_in(&mut tx, opts).map_err(|e| rasd_store::Error::Backend(e.to_string()))
    }

    fn execute_rows(&self, sql: &str, rows: &[Vec<Arg>]) -> rasd_store::Result<()> {
        let sql = to_postgres(sql);
        let Some(width) = values_width(&sql) else {
            return rows.iter().try_for_each(|args| self.execute(&sql, args));
        };
        for chunk in rows.chunks(chunk_rows(width)) {
            let stmt = self.statement(&values_rows(&sql, width, chunk.len()))?;
            let args: Vec<Arg> = chunk.iter().flatten().cloned().collect();
            let values = Self::values(&stmt, &args)?;
            let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            self.tx.borrow_mut().execute(&stmt, &refs).map_err(store_error)?;
        }
        Ok(())
    }

    fn write_incident_rows(&self, rows: &[IncidentRow]) -> rasd_store::Result<()> {
        let rows = last_of_each(rows, |r| r.id.as_str());
        self.run_rows(WRITE_INCIDENT, rows.iter().map(|r| work::incident_params(r).to_vec()))
    }

    fn write_member_rows(&self, rows: &[(&str, &str)]) -> rasd_store::Result<()> {
        let rows = last_of_each(rows, |r| r.0);
        self.run_rows(
            WRITE_MEMBER,
            rows.iter()
                .map(|(e, i)| vec![e as &(dyn ToSql + Sync), i as &(dyn ToSql + Sync)]),
        )
    }

    fn write_contradiction_rows(&self, rows: &[ContradictionRow]) -> rasd_store::Result<()> {
        let rows = last_of_each(rows, |r| r.id.as_str());
        self.run_rows(
            WRITE_CONTRADICTION,
            rows.iter().map(|r| work::contradiction_params(r).to_vec()),
        )
    }
}

impl PgRead<'_, '_> {
    /// Runs `sql` (a single-row `INSERT … VALUES ($1, …)`, see [`values_width`]) for each row of parameters, many
    /// rows a statement.
    fn run_rows<'p>(
        &self,
        sql: &str,
        rows: impl Iterator<Item = Vec<&'p (dyn ToSql + Sync)>>,
    ) -> rasd_store::Result<()> {
        let rows: Vec<Vec<&(dyn ToSql + Sync)>> = rows.collect();
        let Some(width) = values_width(sql) else {
            return rows.iter().try_for_each(|r| self.run(sql, r));
        };
        for chunk in rows.chunks(chunk_rows(width)) {
            let params: Vec<&(dyn ToSql + Sync)> = chunk.iter().flatten().copied().collect();
            self.run(&values_rows(sql, width, chunk.len()), &params)?;
        }
        Ok(())
    }
}

/// The rows of `rows` whose key no later row has, in order: what one insert per row leaves when each replaces
/// the row of its key (`ON CONFLICT DO UPDATE` may not meet a key twice in one statement).
fn last_of_each<'r, T, K: std::hash::Hash + Eq>(rows: &'r [T], key: impl Fn(&'r T) -> K) -> Vec<&'r T> {
    let mut seen = HashSet::new();
    let mut out: Vec<&T> = rows.iter().rev().filter(|r| seen.insert(key(r))).collect();
    out.reverse();
    out
}

/// Rows of `width` parameters sent in one statement: about 1,000 parameters (PostgreSQL takes up to 65,535).
fn chunk_rows(width: usize) -> usize {
    (1_000 / width.max(1)).max(1)
}

/// The number of parameters of `sql` when it is a single-row insert whose `VALUES ($1, …, $n)` lists its only
/// parameters, in order (what [`values_rows`] can repeat); `None` otherwise.
fn values_width(sql: &str) -> Option<usize> {
    let start = sql.find("VALUES (")? + "VALUES (".len();
    let end = start + sql[start..].find(')')?;
    let width = sql[start..end].split(',').count();
    let listed = sql[start..end]
        .split(',')
        .enumerate()
        .all(|(i, p)| p.trim() == format!("${}", i + 1));
    (listed && !sql[end..].contains('$')).then_some(width)
}

/// `sql` (see [`values_width`]) with `n` rows of `width` parameters in its `VALUES`.
fn values_rows(sql: &str, width: usize, n: usize) -> String {
    let start = sql.find("VALUES (").unwrap_or(0) + "VALUES ".len();
    let end = start + sql[start..].find(')').map_or(0, |e| e + 1);
    let rows: Vec<String> = (0..n)
        .map(|r| {
            let ps: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    format!("{}{}{}", &sql[..start], rows.join(", "), &sql[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_row_inserts_become_multi_row_ones() {
        let sql = "INSERT INTO t(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        assert_eq!(values_width(sql), Some(2));
        assert_eq!(
            values_rows(sql, 2, 3),
            "INSERT INTO t(a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING"
        );
        assert_eq!(values_width(WRITE_CONTRADICTION), Some(9));
        assert_eq!(
            values_width(&to_postgres(
                "INSERT INTO rc_events(id) VALUES (?1) ON CONFLICT DO NOTHING"
            )),
            Some(1)
        );
        // Not a list of its only parameters in order: left to one statement per row.
        assert_eq!(values_width("INSERT INTO t(a, b) VALUES ($2, $1)"), None);
        assert_eq!(values_width("INSERT INTO t(a, b) VALUES ($1, 'x')"), None);
        assert_eq!(
            values_width("INSERT INTO t(a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET b = $2"),
            None
        );
        assert_eq!(values_width("DELETE FROM t WHERE a = $1"), None);
    }

    #[test]
    fn the_last_row_of_a_key_is_kept_in_order() {
        let rows = [("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        let kept: Vec<_> = last_of_each(&rows, |r| r.0).into_iter().copied().collect();
        assert_eq!(kept, [("b", 2), ("a", 3), ("c", 4)]);
    }
}
