//! Against a real PostgreSQL server: the one `RASD_DB` names (`eval "$(scripts/cluster-local.sh up)"` starts one
//! on 127.0.0.1). Without `RASD_DB`, each test says it is skipped and passes. Each test works in a database of
//! its own, created and dropped here.

use rasd_pg::testkit::{Scratch, server};
use rasd_pg::{CopyOptions, copy_sqlite, dump, schema};
use std::sync::{Arc, Barrier};

/// Migrating twice, and from eight connections at once, runs each migration exactly once.
#[test]
fn migrations_are_idempotent_and_safe_from_concurrent_processes() {
    let Some(server) = server("migrations_are_idempotent_and_safe_from_concurrent_processes") else {
        return;
    };
    for round in 0..3 {
        let db = Scratch::new(&server, &format!("test_migrate{round}"));
        let start = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (url, start) = (db.url.clone(), start.clone());
                std::thread::spawn(move || {
                    let mut c = rasd_pg::connect(&url).expect("connect");
                    start.wait();
                    schema::migrate(&mut c).expect("migrate")
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
        let fresh = results.iter().filter(|m| m.from == 0).count();
        assert_eq!(
            fresh, 1,
            "round {round}: exactly one connection created the schema: {results:?}"
        );
        assert!(results.iter().all(|m| m.to == schema::SCHEMA_VERSION));
        let mut c = rasd_pg::connect(&db.url).expect("connect");
        let again = schema::migrate(&mut c).expect("again");
        assert_eq!((again.from, again.to), (schema::SCHEMA_VERSION, schema::SCHEMA_VERSION));
        assert_eq!(schema::version(&mut c).expect("version"), schema::SCHEMA_VERSION);
        let rows: i64 = c
            .query_one("SELECT count(*) FROM rasd_schema", &[])
            .expect("rows")
            .get(0);
        assert_eq!(rows, 1);
    }
}

/// A database of a newer rasd is refused and left as it is.
#[test]
fn a_newer_schema_is_refused() {
    let Some(server) = server("a_newer_schema_is_refused") else {
        return;
    };
    let db = Scratch::new(&server, "test_newer");
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    schema::migrate(&mut c).expect("migrate");
    c.batch_execute("UPDATE rasd_schema SET version = 99").expect("bump");
    let e = schema::migrate(&mut c).expect_err("refused");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    assert_eq!(schema::version(&mut c).expect("version"), 99);
}

/// An SQLite store (documents, aliases, failures, near-duplicate bands, watch state) copied twice: the
/// canonical dumps are equal, and the second copy adds nothing.
#[test]
fn a_store_copies_exactly_and_a_second_copy_adds_nothing() {
    let Some(server) = server("a_store_copies_exactly_and_a_second_copy_adds_nothing") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rasd.db");
    {
        let mut s = rasd_store::Store::open(&path).expect("create");
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
        let mut items = Vec::new();
        for f in ["wire.jsonl", "notes/local-sources-2017-11-10.txt", "feeds/sohr.rss"] {
            let bytes = std::fs::read(samples.join(f)).expect("sample");
            items.extend(rasd_store::read::read_bytes(f, &bytes, None));
        }
        // Text with what COPY must escape, a repeated text (an alias) and an unreadable input (a failure).
        items.extend(rasd_store::read::read_bytes(
            "tabs.jsonl",
            "{\"id\":\"t1\",\"text\":\"سطر\\tأول\\nسطر \\\\ ثان\\r\"}\n{\"id\":\"t2\",\"text\":\"سطر\\tأول\\nسطر \\\\ ثان\\r\"}\nnot json\n"
                .as_bytes(),
            None,
        ));
        let worker = || |_: &rasd_core::Doc| Vec::new();
        s.ingest(items, &worker, "test", &mut |_| {}).expect("ingest");
        s.watch_init().expect("watch tables");
    }
    let db = Scratch::new(&server, "test_copy");
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    // Small batches: several transactions per table.
    let opts = CopyOptions {
        batch_rows: 2,
        ..Default::default()
    };
    let first = copy_sqlite(&path, &mut c, &opts, &mut |_| {}).expect("copy");
    assert!(first.mismatches().is_empty(), "{:?}", first.mismatches());
    let docs = first.tables.iter().find(|t| t.table == "docs").expect("docs");
    assert!(docs.added >= 5, "{docs:?}");
    assert!(
        first.tables.iter().any(|t| t.table == "doc_aliases" && t.added >= 1),
        "{:?}",
        first.tables
    );
    assert!(first.tables.iter().any(|t| t.table == "failures" && t.added == 1));
    let second = copy_sqlite(&path, &mut c, &CopyOptions::default(), &mut |_| {}).expect("again");
    assert!(second.mismatches().is_empty());
    assert!(second.tables.iter().all(|t| t.added == 0), "{:?}", second.tables);
    assert!(second.tables.iter().map(|t| t.copied).sum::<u64>() > 0);

    let sqlite = rusqlite::Connection::open(&path).expect("open");
    let a = dump::sqlite(&sqlite).expect("dump sqlite");
    let b = dump::postgres(&mut c).expect("dump postgres");
    if let Some(d) = dump::difference("SQLite", &a, "PostgreSQL", &b) {
        panic!("the copy differs: {d}");
    }
    assert!(
        a["docs"].iter().any(|r| r.contains("\\t") && r.contains("\\n")),
        "the escaped text is in the dump"
    );
    // New rows get numbers after the copied ones.
    let next: i64 = c
        .query_one(
            "INSERT INTO alerts(at, kind, key, json) VALUES (0, 'k', 'new', '{}') RETURNING seq",
            &[],
        )
        .expect("insert")
        .get(0);
    let max_docs: i64 = c.query_one("SELECT max(seq) FROM docs", &[]).expect("max").get(0);
    assert!(next >= 1 && max_docs >= 5);
    let doc_seq: i64 = c
        .query_one(
            "INSERT INTO docs(id, hash, text, ingested_at) VALUES ('n', 'n', 'n', 0) RETURNING seq",
            &[],
        )
        .expect("insert doc")
        .get(0);
    assert_eq!(
        doc_seq,
        max_docs + 1,
        "the identity sequence follows the copied numbers"
    );

    // Two copies at once into another empty database: every row is added once in all.
    let db2 = Scratch::new(&server, "test_copy2");
    let start = Arc::new(Barrier::new(2));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (url, path, start) = (db2.url.clone(), path.clone(), start.clone());
            std::thread::spawn(move || {
                let mut c = rasd_pg::connect(&url).expect("connect");
                start.wait();
                copy_sqlite(&path, &mut c, &opts, &mut |_| {}).expect("concurrent copy")
            })
        })
        .collect();
    let reports: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
    for (i, t) in reports[0].tables.iter().enumerate() {
        let other = &reports[1].tables[i];
        assert_eq!(t.added + other.added, t.sqlite, "{}: {t:?} {other:?}", t.table);
    }
    let mut c2 = rasd_pg::connect(&db2.url).expect("connect");
    let b2 = dump::postgres(&mut c2).expect("dump");
    if let Some(d) = dump::difference("SQLite", &a, "PostgreSQL", &b2) {
        panic!("the concurrent copies differ: {d}");
    }
}

/// The near-duplicate bucket rows hold their originals' sketches since SQLite schema 8 and PostgreSQL schema 4:
/// an SQLite file of version 7 (bucket rows without sketches) is upgraded before the copy, and a PostgreSQL
/// database of version 3 gets the sketches from its documents; both end equal to the SQLite store.
#[test]
fn old_bucket_rows_get_their_sketches_on_both_sides() {
    let Some(server) = server("old_bucket_rows_get_their_sketches_on_both_sides") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rasd.db");
    {
        let mut s = rasd_store::Store::open(&path).expect("create");
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
        let bytes = std::fs::read(samples.join("wire.jsonl")).expect("sample");
        let items = rasd_store::read::read_bytes("wire.jsonl", &bytes, None);
        let worker = || |_: &rasd_core::Doc| Vec::new();
        s.ingest(items, &worker, "test", &mut |_| {}).expect("ingest");
    }
    let bands = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM doc_bands", [], |r| r.get(0))
            .expect("count")
    };
    {
        // As rasd left it at schema version 7.
        let c = rusqlite::Connection::open(&path).expect("open");
        assert!(bands(&c) >= 8, "the samples have originals with sketches");
        c.execute_batch(
            "CREATE TABLE old_bands(band INTEGER NOT NULL, bucket INTEGER NOT NULL, seq INTEGER NOT NULL,
                 PRIMARY KEY(band, bucket, seq)) WITHOUT ROWID;
             INSERT INTO old_bands SELECT band, bucket, seq FROM doc_bands;
             DROP TABLE doc_bands;
             ALTER TABLE old_bands RENAME TO doc_bands;
             CREATE INDEX docs_sketch ON docs(seq, id, sketch);
             PRAGMA user_version = 7;",
        )
        .expect("downgrade");
    }
    let db = Scratch::new(&server, "test_bands");
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    let report = copy_sqlite(&path, &mut c, &CopyOptions::default(), &mut |_| {}).expect("copy a version 7 file");
    assert!(report.mismatches().is_empty(), "{:?}", report.mismatches());
    let sqlite = rusqlite::Connection::open(&path).expect("open");
    let version: i64 = sqlite
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, rasd_store::SCHEMA_VERSION, "the file was upgraded first");
    let a = dump::sqlite(&sqlite).expect("dump sqlite");
    assert!(
        a["doc_bands"].iter().all(|r| r.contains("x'")),
        "sketches in the bucket rows"
    );
    let b = dump::postgres(&mut c).expect("dump postgres");
    if let Some(d) = dump::difference("SQLite", &a, "PostgreSQL", &b) {
        panic!("the copy differs: {d}");
    }

    // As rasd left PostgreSQL at schema version 3: the migration fills the sketches from `docs`.
    c.batch_execute("ALTER TABLE doc_bands DROP COLUMN sketch; UPDATE rasd_schema SET version = 3")
        .expect("downgrade");
    let m = schema::migrate(&mut c).expect("migrate");
    assert_eq!((m.from, m.to), (3, schema::SCHEMA_VERSION));
    let b = dump::postgres(&mut c).expect("dump postgres");
    if let Some(d) = dump::difference("SQLite", &a, "PostgreSQL", &b) {
        panic!("the migrated database differs: {d}");
    }
}

/// The pages `rasd serve` and the read commands open with are read from an index in their order (schema 3), not
/// sorted: the queries keep SQLite's order of NULLs (`NULLS FIRST` ascending), which indexes in PostgreSQL's
/// default order cannot give. With sorting disabled the planner still sorts when no index fits, so a `Sort`
/// node in the plan means a missing index.
#[test]
fn the_first_pages_are_read_in_index_order_not_sorted() {
    let Some(server) = server("the_first_pages_are_read_in_index_order_not_sorted") else {
        return;
    };
    let db = Scratch::new(&server, "test_page_order");
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    schema::migrate(&mut c).expect("migrate");
    c.batch_execute("SET enable_sort = off").expect("set");
    for sqlite in [
        "SELECT e.json FROM events e WHERE true ORDER BY e.event_date, e.id LIMIT 501",
        "SELECT json FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY event_date DESC, id DESC LIMIT 500",
        "SELECT json FROM events e WHERE e.place_id = 'p' ORDER BY e.event_date, e.id LIMIT 501",
        "SELECT json FROM incidents WHERE true ORDER BY page_date, id LIMIT 51",
        "SELECT json FROM contradictions WHERE true ORDER BY kind, page_date, id LIMIT 51",
        "SELECT json FROM contradictions WHERE source_a = 'sohr' ORDER BY kind, page_date, id LIMIT 51",
    ] {
        let sql = rasd_pg::read::to_postgres(sqlite);
        let plan: Vec<String> = c
            .query(&format!("EXPLAIN {sql}"), &[])
            .expect("explain")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(!plan.iter().any(|l| l.contains("Sort")), "{sql}\n{}", plan.join("\n"));
    }
}
