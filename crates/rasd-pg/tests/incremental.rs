//! The incremental reconcile on PostgreSQL (`rasd reconcile --worker`, `rasd_pg::reconcile`) against a real
//! server (`RASD_DB`; skipped when unset): random documents written in random batches, one shard each, as
//! `rasd worker` writes them (`rasd_pg::work::write_shard`), each batch reconciled as `rasd reconcile --worker`
//! does, give after every batch the tables and the alerts that `rasd ingest` of the same documents in the same
//! batches gives on SQLite (canonical dumps of every table), and end with the derived tables of a full rebuild.

#[path = "../../rasd-store/tests/support/docs.rs"]
mod docs;

use docs::{extract, item, shuffled, spec};
use proptest::prelude::*;
use rasd_pg::dump::{self, Dump};
use rasd_pg::reconcile::{How, reconcile};
use rasd_pg::testkit::{Scratch, alerts_without_times as alerts, server};
use rasd_pg::work::{Prepared, ShardItem, write_shard};
use rasd_reconcile::Options;
use rasd_store::Store;
use rasd_store::read::Item;
use std::path::Path;

/// `d` normalised ([`dump::normalise`]), its alerts left out (compared apart, without the time they were
/// raised); with `renumbered`, without `control_claims.seq` either (a full rebuild numbers every claim in
/// timeline order, an incremental reconcile appends the new ones).
fn normalise(mut d: Dump, renumbered: bool) -> Dump {
    d.insert("alerts", Vec::new());
    dump::normalise(d, if renumbered { &[("control_claims", "seq")] } else { &[] })
}

fn sqlite_state(db: &Path, store: &Store) -> (Dump, Vec<String>) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let d = normalise(dump::sqlite(&conn).expect("dump sqlite"), false);
    (d, alerts(store.alerts_since(0).expect("sqlite alerts")))
}

fn pg_state(url: &str) -> (Dump, Vec<String>) {
    let mut c = rasd_pg::connect(url).expect("connect");
    let d = normalise(dump::postgres(&mut c).expect("dump postgres"), false);
    let a = rasd_pg::read::read(url, |db| db.alerts_since(0).map_err(rasd_pg::Error::from)).expect("pg alerts");
    (d, alerts(a))
}

fn shard(items: &[Item]) -> Vec<Prepared> {
    items
        .iter()
        .map(|i| {
            let s = ShardItem {
                origin: i.origin.clone(),
                format: i.format.map(|f| f.as_str().to_string()),
                doc: i.doc.clone().ok(),
                error: i.doc.clone().err(),
            };
            Prepared::new(s, |d| Ok(extract(d)))
        })
        .collect()
}

fn differ(what: &str, a: &Dump, b: &Dump) -> Result<(), TestCaseError> {
    match dump::difference("sqlite", a, "postgres", b) {
        Some(d) => Err(TestCaseError::fail(format!("{what}: {d}"))),
        None => Ok(()),
    }
}

/// Writes `items` in batches ending at `cuts` to SQLite (`Store::ingest`) and to PostgreSQL (one shard per batch,
/// then the reconcile of `rasd reconcile --worker`), both with the incremental limit `limit`; compares them after
/// each batch, and the PostgreSQL tables with a full rebuild at the end.
fn same_as_sqlite(url: &str, items: Vec<Item>, cuts: &[u16], limit: u64) -> Result<Vec<How>, TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rasd.db");
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c as usize % (items.len() + 1)).collect();
    cuts.push(items.len());
    cuts.sort();
    // A worker never writes an empty shard.
    cuts.dedup();
    cuts.retain(|&c| c > 0);
    let mut store = Store::open(&db).expect("create");
    store.set_incremental_limit(limit);
    let mut pg = rasd_pg::connect(url).expect("connect");
    rasd_pg::migrate(&mut pg).expect("migrate");
    let opts = Options::default();
    let mut hows = Vec::new();
    let mut from = 0;
    for &to in &cuts {
        let batch: Vec<Item> = items[from..to].to_vec();
        from = to;
        store
            .ingest(batch.clone(), &|| extract, "test", &mut |_| {})
            .expect("sqlite ingest");
        write_shard(&mut pg, shard(&batch), "test", &mut |d| extract(d)).expect("write shard");
        let (_, how) = reconcile(&mut pg, &opts, limit, false).expect("reconcile");
        hows.push(how);
        let (sd, sa) = sqlite_state(&db, &store);
        let (pd, pa) = pg_state(url);
        differ(&format!("after the batch ending at {to} ({how:?})"), &sd, &pd)?;
        prop_assert_eq!(sa, pa, "the alerts after the batch ending at {} ({:?})", to, how);
    }
    let incremental = normalise(pg_state(url).0, true);
    let (_, how) = reconcile(&mut pg, &opts, limit, true).expect("full rebuild");
    prop_assert_eq!(how, How::Rebuild);
    let full = normalise(pg_state(url).0, true);
    differ(
        "incremental (sqlite column) against a full rebuild",
        &incremental,
        &full,
    )?;
    Ok(hows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// Random documents in a random order and random batches: PostgreSQL after each batch equals SQLite after
    /// the same batch, tables and alerts, whether the batches are reconciled incrementally or (an incremental
    /// limit of 0, the path of a batch dated over years) by the full rebuild that raises the same alerts.
    #[test]
    fn worker_batches_reconciled_on_postgres_equal_sqlite_ingest(
        docs in proptest::collection::vec(proptest::collection::vec(spec(), 1..4), 2..40),
        order_seed in any::<u64>(),
        cuts in proptest::collection::vec(any::<u16>(), 1..5),
        rebuild in any::<bool>(),
    ) {
        let Some(server) = server("worker_batches_reconciled_on_postgres_equal_sqlite_ingest") else {
            return Ok(());
        };
        let scratch = Scratch::new(&server, "incremental");
        let limit = if rebuild { 0 } else { u64::MAX };
        let hows = same_as_sqlite(&scratch.url, shuffled(&docs, order_seed), &cuts, limit)?;
        let expected = if rebuild { How::RebuildRaising } else { How::Incremental };
        prop_assert!(
            hows.iter().all(|h| matches!(h, How::Rebuild | How::UpToDate) || *h == expected),
            "{:?}", hows
        );
    }
}

/// A second and a third batch that contradict the first raise alerts on PostgreSQL, the ones SQLite raises,
/// and each batch after the first load is reconciled incrementally.
#[test]
fn contradicting_batches_raise_the_alerts_of_sqlite_incrementally() {
    let Some(server) = server("contradicting_batches_raise_the_alerts_of_sqlite_incrementally") else {
        return;
    };
    let scratch = Scratch::new(&server, "incremental_alerts");
    // Day 10: sana says the government took Albukamal; days 11 and 19: amaq says isis took it; day 20, a clash
    // with two tolls; then a late report of day 9.
    let items = vec![
        item(0, &[(0, 10, 1, 4, 3, 2, 0, 0)]),
        item(1, &[(0, 11, 2, 1, 3, 2, 1, 0), (0, 19, 2, 1, 3, 2, 1, 0)]),
        item(2, &[(2, 20, 0, 1, 3, 2, 0, 5)]),
        item(3, &[(2, 20, 0, 1, 3, 2, 2, 30)]),
        item(4, &[(0, 9, 1, 4, 3, 2, 3, 0)]),
    ];
    let hows = same_as_sqlite(&scratch.url, items, &[1, 4], u64::MAX).expect("same as sqlite");
    assert_eq!(hows, [How::Rebuild, How::Incremental, How::Incremental]);
    let (_, alerts) = pg_state(&scratch.url);
    assert!(alerts.iter().any(|a| a.contains("controller_change")), "{alerts:#?}");
    assert!(alerts.iter().any(|a| a.contains("fatalities")), "{alerts:#?}");
}
