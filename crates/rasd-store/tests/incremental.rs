//! Incremental reconcile equals a full rebuild: random documents (their events written in their text and
//! "extracted" by a test worker) ingested in random orders and batches, each batch reconciled incrementally,
//! end with the same derived tables as one full rebuild of the same database.

#[path = "support/docs.rs"]
mod docs;

use docs::{Spec, extract, item, shuffled, spec, spec_weeks};
use proptest::prelude::*;
use rasd_store::Store;
use rasd_store::read::Item;
use rusqlite::Connection;
use std::path::Path;

/// The derived tables, in a canonical order, without insertion order.
fn dump(db: &Path) -> Vec<String> {
    let c = Connection::open(db).expect("open");
    let mut out = Vec::new();
    for (table, cols) in [
        (
            "incidents",
            "id, first_date, event_type, sub_event_type, place_id, admin1, json",
        ),
        ("incident_events", "event_id, incident_id"),
        ("control_claims", "place_id, date, source, json"),
        (
            "contradictions",
            "id, kind, place_id, date, source_a, source_b, json, incident_id",
        ),
        ("places", "place_id, name, name_ar, events, claims"),
    ] {
        let sql = format!("SELECT {cols} FROM {table} ORDER BY {cols}");
        let mut stmt = c.prepare(&sql).expect("prepare");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut s = format!("{table}:");
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    s.push_str(&format!("{v:?}|"));
                }
                Ok(s)
            })
            .expect("query");
        out.extend(rows.map(|r| r.expect("row")));
    }
    out
}

fn pending(db: &Path) -> (String, i64) {
    let c = Connection::open(db).expect("open");
    (
        c.query_row("SELECT value FROM meta WHERE key = 'dirty'", [], |r| r.get(0))
            .expect("dirty"),
        c.query_row("SELECT count(*) FROM reconcile_pending", [], |r| r.get(0))
            .expect("pending"),
    )
}

/// Ingests `items` in batches ending at `cuts`, each reconciled incrementally, then checks the derived tables
/// against one full rebuild of the same database.
fn batches_equal_a_full_rebuild(items: Vec<Item>, cuts: &[u16]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rasd.db");
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c as usize % (items.len() + 1)).collect();
    cuts.push(items.len());
    cuts.sort();
    let worker = || extract;
    let mut store = Store::open(&db).expect("create");
    let mut from = 0;
    for &to in &cuts {
        let batch: Vec<Item> = items[from..to].to_vec();
        from = to;
        store.ingest(batch, &worker, "test", &mut |_| {}).expect("ingest");
        prop_assert_eq!(pending(&db), ("0".to_string(), 0), "reconciled after each batch");
    }
    let incremental = dump(&db);
    store
        .reconcile(&rasd_reconcile::Options::default())
        .expect("full rebuild");
    let full = dump(&db);
    if incremental != full {
        let a: std::collections::BTreeSet<_> = incremental.iter().collect();
        let b: std::collections::BTreeSet<_> = full.iter().collect();
        let only_inc: Vec<_> = a.difference(&b).take(4).collect();
        let only_full: Vec<_> = b.difference(&a).take(4).collect();
        prop_assert!(false, "incremental only: {:#?}\nfull only: {:#?}", only_inc, only_full);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Random documents, in a random order, ingested in random batches (each reconciled incrementally, as
    /// `rasd ingest` and `rasd watch` do) equal a full rebuild, table by table.
    #[test]
    fn incremental_reconcile_equals_a_full_rebuild(
        docs in proptest::collection::vec(proptest::collection::vec(spec(), 1..4), 1..45),
        order_seed in any::<u64>(),
        cuts in proptest::collection::vec(any::<u16>(), 0..6),
    ) {
        batches_equal_a_full_rebuild(shuffled(&docs, order_seed), &cuts)?;
    }

    /// The monitor's case: documents arrive roughly in date order (sorted by their earliest event's day, with a
    /// random few out of place), so each batch brings the latest days and most stored coarse claims keep their
    /// incidents (the incremental reconcile skips those it can prove unchanged).
    #[test]
    fn news_in_date_order_equals_a_full_rebuild(
        docs in proptest::collection::vec(proptest::collection::vec(spec_weeks(), 1..4), 1..60),
        late in proptest::collection::vec(any::<u16>(), 0..4),
        cuts in proptest::collection::vec(any::<u16>(), 0..6),
    ) {
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].iter().map(|e| e.1).min(), i));
        for l in late {
            let i = l as usize % order.len();
            let d = order.remove(i);
            order.push(d);
        }
        let items: Vec<Item> = order.iter().map(|&i| item(i, &docs[i])).collect();
        batches_equal_a_full_rebuild(items, &cuts)?;
    }
}

/// Every stored event's reconcile input, read as the in-memory rebuild reads it.
fn stored_reports(db: &Path) -> Vec<rasd_reconcile::Report> {
    let c = Connection::open(db).expect("open");
    let mut stmt = c
        .prepare(
            "SELECT e.json, e.outlet, d.near_dup_of, d.published FROM events e LEFT JOIN docs d ON d.id = e.doc_id",
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .expect("query");
    rows.map(|r| {
        let (json, outlet, copy_of, published) = r.expect("row");
        rasd_store::rows::report(&json, outlet, copy_of, published.as_deref()).expect("report")
    })
    .collect()
}

/// The rows a query returns, each as the `Debug` of its values.
fn table(db: &Path, sql: &str) -> Vec<String> {
    let c = Connection::open(db).expect("open");
    let mut stmt = c.prepare(sql).expect("prepare");
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, rusqlite::types::Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .expect("query");
    rows.map(|r| format!("{:?}", r.expect("row"))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The streamed full rebuild (`rasd reconcile --full`) writes exactly the rows of the in-memory one
    /// (`rows::derived` over every stored event at once, as both backends did before they streamed): every column of
    /// every row, the claims' `seq` included, and the same counts. The events spread over two years, with
    /// week-, month- and year-precise dates, so that the stream closes clusters as it reads.
    #[test]
    fn the_streamed_rebuild_equals_the_in_memory_one(
        docs in proptest::collection::vec(
            proptest::collection::vec(
                (0u8..5, 0u8..=255, 0u8..3, 0u8..16, 0u8..60, 0u8..8, 0u8..4, 0u8..40),
                1..5,
            ),
            1..70,
        ),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("rasd.db");
        let items: Vec<Item> = docs.iter().enumerate().map(|(i, e)| item(i, e)).collect();
        let mut store = Store::open(&db).expect("create");
        store.ingest(items, &|| extract, "test", &mut |_| {}).expect("ingest");
        let opts = rasd_reconcile::Options::default();
        let stats = store.reconcile(&opts).expect("streamed rebuild");
        let reference = rasd_store::rows::derived(stored_reports(&db), &opts).expect("in-memory rebuild");
        prop_assert_eq!(&stats, &reference.stats);
        use rusqlite::types::Value;
        let text = |s: &str| Value::Text(s.to_string());
        let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
        let checks: [(&str, Vec<Vec<Value>>); 4] = [
            (
                "SELECT id, first_date, event_type, sub_event_type, place_id, admin1, json FROM incidents ORDER BY id",
                reference
                    .incidents
                    .iter()
                    .map(|r| {
                        vec![
                            text(&r.id), opt(&r.first_date), text(r.event_type), text(r.sub_event_type),
                            opt(&r.place_id), opt(&r.admin1), text(&r.json),
                        ]
                    })
                    .collect(),
            ),
            (
                "SELECT event_id, incident_id FROM incident_events ORDER BY event_id",
                reference.members.iter().map(|(e, i)| vec![text(e), text(i)]).collect(),
            ),
            (
                "SELECT seq, place_id, date, source, json FROM control_claims ORDER BY seq",
                reference
                    .control
                    .iter()
                    .zip(1..)
                    .map(|(c, seq)| {
                        vec![Value::Integer(seq), text(&c.place_id), opt(&c.date), text(&c.source), text(&c.json)]
                    })
                    .collect(),
            ),
            (
                "SELECT id, kind, place_id, date, source_a, source_b, json, incident_id, ckey FROM contradictions
                 ORDER BY id",
                reference
                    .contradictions
                    .iter()
                    .map(|c| {
                        vec![
                            text(&c.id), text(c.kind), opt(&c.place_id), opt(&c.date), text(&c.source_a),
                            text(&c.source_b), text(&c.json), opt(&c.incident_id), opt(&c.ckey),
                        ]
                    })
                    .collect(),
            ),
        ];
        for (sql, rows) in checks {
            let expected: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
            prop_assert_eq!(table(&db, sql), expected, "{}", sql);
        }
    }
}

/// The alerts stored, without when they were raised, in id order (the rebuild of a large batch may store
/// them in another order than the incremental reconcile).
fn stored_alerts(store: &Store) -> Vec<String> {
    let mut out: Vec<String> = store
        .alerts_since(0)
        .expect("alerts")
        .into_iter()
        .map(|(_, mut a)| {
            a.at.clear();
            format!("{a:?}")
        })
        .collect();
    out.sort();
    out
}

/// Ingests `items` in batches ending at `cuts` into two databases: one always reconciled incrementally, one
/// whose every batch is reconciled by the streamed rebuild (the path of a large batch, forced by an
/// incremental limit of 0). After each batch both have the same derived tables and the same alerts.
fn the_rebuild_of_a_batch_equals_the_incremental_reconcile(
    items: Vec<Item>,
    cuts: &[u16],
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("incremental.db"), dir.path().join("rebuilt.db"));
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c as usize % (items.len() + 1)).collect();
    cuts.push(items.len());
    cuts.sort();
    let worker = || extract;
    let mut incremental = Store::open(&a).expect("create");
    incremental.set_incremental_limit(u64::MAX);
    let mut rebuilt = Store::open(&b).expect("create");
    rebuilt.set_incremental_limit(0);
    let mut from = 0;
    for &to in &cuts {
        let batch: Vec<Item> = items[from..to].to_vec();
        from = to;
        incremental
            .ingest(batch.clone(), &worker, "test", &mut |_| {})
            .expect("ingest");
        rebuilt.ingest(batch, &worker, "test", &mut |_| {}).expect("ingest");
        prop_assert_eq!(pending(&b), ("0".to_string(), 0), "reconciled after each batch");
        prop_assert_eq!(dump(&a), dump(&b), "the same tables after the batch ending at {}", to);
        prop_assert_eq!(
            stored_alerts(&incremental),
            stored_alerts(&rebuilt),
            "the same alerts after the batch ending at {}",
            to
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// A batch reconciled by the streamed rebuild (as a batch dated over years is, see
    /// `Store::set_incremental_limit`) leaves the tables and raises the alerts that the incremental reconcile
    /// does, found by difference.
    #[test]
    fn a_batch_rebuilt_raises_the_alerts_of_the_incremental_reconcile(
        docs in proptest::collection::vec(proptest::collection::vec(spec(), 1..4), 2..40),
        order_seed in any::<u64>(),
        cuts in proptest::collection::vec(any::<u16>(), 1..6),
    ) {
        the_rebuild_of_a_batch_equals_the_incremental_reconcile(shuffled(&docs, order_seed), &cuts)?;
    }
}

/// A second batch that contradicts the first raises alerts naming both claims and their documents, stored once;
/// the first load of an empty database raises none. The same alerts when the batches are reconciled by the
/// streamed rebuild (a batch too large for the incremental reconcile).
#[test]
fn new_contradictions_and_controller_changes_raise_alerts_once() {
    let incremental = alerts_of_two_batches(u64::MAX);
    let rebuilt = alerts_of_two_batches(0);
    assert_eq!(incremental, rebuilt);
}

/// The alerts of the batches of [`new_contradictions_and_controller_changes_raise_alerts_once`], checked, with
/// the given incremental limit.
fn alerts_of_two_batches(limit: u64) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rasd.db");
    let worker = || extract;
    let mut store = Store::open(&db).expect("create");
    store.set_incremental_limit(limit);
    // Day 10: sana says the government took Albukamal.
    store
        .ingest(
            vec![item(0, &[(0, 10, 1, 4, 3, 2, 0, 0)])],
            &worker,
            "test",
            &mut |_| {},
        )
        .expect("first");
    assert!(
        store.alerts_since(0).expect("alerts").is_empty(),
        "a first load raises none"
    );
    // Days 11 and 19: amaq says isis took it (a controller contradiction, then, once sana's claim is older than
    // the horizon, a change of controller); day 20, a clash
    // with two tolls and a denial (fatalities and existence contradictions).
    store
        .ingest(
            vec![
                item(1, &[(0, 11, 2, 1, 3, 2, 1, 0), (0, 19, 2, 1, 3, 2, 1, 0)]),
                item(2, &[(2, 20, 0, 1, 3, 2, 0, 5)]),
                item(3, &[(2, 20, 0, 1, 3, 2, 2, 30)]),
            ],
            &worker,
            "test",
            &mut |_| {},
        )
        .expect("second");
    let alerts = store.alerts_since(0).expect("alerts");
    let kinds: Vec<(&str, &str)> = alerts
        .iter()
        .map(|(_, a)| (a.alert.as_str(), a.kind.as_str()))
        .collect();
    assert!(kinds.contains(&("contradiction", "controller")), "{kinds:?}");
    assert!(kinds.contains(&("contradiction", "fatalities")), "{kinds:?}");
    assert!(kinds.contains(&("controller_change", "controller")), "{kinds:?}");
    let change = &alerts
        .iter()
        .find(|(_, a)| a.alert == "controller_change")
        .expect("change")
        .1;
    assert_eq!(
        (change.from.as_deref(), change.to.as_deref()),
        (Some("syria-gov"), Some("isis"))
    );
    assert_eq!((change.a.source.as_str(), change.b.source.as_str()), ("sana", "amaq"));
    assert_eq!(change.a.url.as_deref(), Some("https://example.org/0"));
    assert_eq!(change.b.doc_id, "d001");
    assert_eq!(change.b.controller.as_deref(), Some("isis"));
    assert_eq!(change.b.stance.as_deref(), Some("asserted"));
    let c = &alerts
        .iter()
        .find(|(_, a)| a.kind == "fatalities")
        .expect("fatalities")
        .1;
    let docs = [c.a.doc_id.as_str(), c.b.doc_id.as_str()];
    assert!(docs.contains(&"d002") && docs.contains(&"d003"), "{docs:?}");
    assert!(c.a.date.is_some() && c.a.url.is_some());
    // Nothing new: no new alert; a full rebuild raises none either.
    let n = alerts.len();
    store
        .ingest(
            vec![item(4, &[(3, 30, 3, 0, 3, 2, 0, 0)])],
            &worker,
            "test",
            &mut |_| {},
        )
        .expect("third");
    store.reconcile(&rasd_reconcile::Options::default()).expect("full");
    assert_eq!(store.alerts_since(0).expect("alerts").len(), n);
    stored_alerts(&store)
}

/// A long ingest of recent news into a reconciled database (more than one transaction of 1,024 documents): once
/// the new events waiting reach half the incremental limit, they are reconciled between transactions, on the
/// incremental path, so that the one reconcile at the end never has more new events than the limit (which
/// would send the whole ingest to a full rebuild). The tables equal a full rebuild.
#[test]
fn a_long_ingest_of_recent_news_is_reconciled_between_its_transactions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rasd.db");
    let worker = || extract;
    // Two day-precise events a document, over the two weeks of the collection (days 0–13).
    let items: Vec<Item> = (0..2_900usize)
        .map(|i| {
            let e = |k: usize| -> Spec {
                let j = i * 2 + k;
                (
                    (j % 5) as u8,
                    (j % 14) as u8,
                    (j % 3) as u8,
                    (j % 16) as u8,
                    7,
                    2,
                    (j % 4) as u8,
                    (j % 40) as u8,
                )
            };
            item(i, &[e(0), e(1)])
        })
        .collect();
    let mut store = Store::open(&db).expect("create");
    store.set_incremental_limit(3_000);
    store
        .ingest(items[..300].to_vec(), &worker, "test", &mut |_| {})
        .expect("first load");
    assert_eq!(pending(&db), ("0".to_string(), 0));
    // Events waiting after each transaction of the second ingest.
    let mut waiting = Vec::new();
    store
        .ingest(items[300..].to_vec(), &worker, "test", &mut |s| {
            waiting.push((s.read, pending(&db).1))
        })
        .expect("ingest");
    assert_eq!(pending(&db), ("0".to_string(), 0), "reconciled at the end");
    // After the first transaction 2,048 events wait; they are reconciled before the second one commits, so that
    // only the second one's wait after it (one reconcile of all 5,200 would come at the end without).
    assert!(waiting.len() >= 3, "{waiting:?}");
    assert_eq!(waiting[0], (1_024, 2_048), "{waiting:?}");
    assert_eq!(waiting[1], (2_048, 2_048), "{waiting:?}");
    let chunked = dump(&db);
    store
        .reconcile(&rasd_reconcile::Options::default())
        .expect("full rebuild");
    assert_eq!(chunked, dump(&db), "the tables of a full rebuild");
}

/// Re-processing with a new extractor that panics on one document keeps that document's stored records and
/// version (the next run tries it again), and re-extracts the others.
#[test]
fn reprocessing_keeps_the_records_of_a_document_the_new_extractor_panics_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rasd.db");
    let mut store = Store::open(&db).expect("create");
    let items: Vec<Item> = (0..3).map(|i| item(i, &[(0, 3, 0, 1, 1, 0, 0, 2)])).collect();
    store.ingest(items, &|| extract, "v1", &mut |_| {}).expect("ingest");
    let panicky = || {
        |d: &rasd_core::Doc| {
            assert!(d.id != "d001", "a bug of the new version");
            extract(d)
        }
    };
    let stats = store
        .reprocess(&panicky, "v2", false, &mut |_| {})
        .expect("the run goes on");
    assert_eq!((stats.read, stats.failures), (2, 1));
    let c = Connection::open(&db).expect("open");
    let n: i64 = c
        .query_row("SELECT count(*) FROM events WHERE doc_id = 'd001'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 1, "d001 keeps the record of v1");
    let versions: Vec<(String, String)> = c
        .prepare("SELECT id, extractor FROM docs ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        versions,
        [
            ("d000".into(), "v2".into()),
            ("d001".into(), "v1".into()),
            ("d002".into(), "v2".into())
        ]
    );
}
