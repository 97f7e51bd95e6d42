//! Crash safety: `rasd ingest` is killed with SIGKILL at random moments, 20+ times, on a collection of a
//! couple of thousand documents. After every kill the database must pass SQLite's integrity check and hold no
//! duplicate; after a final uninterrupted run every document must be there exactly once, with its events.

#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DOCS: usize = 2400;
const KILLS: usize = 20;

const PLACES: &[&str] = &[
    "البوكمال",
    "الميادين",
    "هجين",
    "دير الزور",
    "الرقة",
    "العشارة",
    "الحسكة",
    "تدمر",
];
const ACTS: &[&str] = &[
    "قتل {n} مدنيين في غارات جوية استهدفت مدينة {p} اليوم، وفق المرصد السوري لحقوق الإنسان.",
    "سيطرت قوات النظام على مدينة {p} بعد معارك عنيفة مع تنظيم داعش أمس، بحسب وكالة سانا.",
    "دارت اشتباكات بين قوات سوريا الديمقراطية وتنظيم داعش في محيط {p} أسفرت عن مقتل {n} عنصرا.",
    "انفجرت سيارة مفخخة في {p} صباح اليوم ما أدى إلى مقتل {n} أشخاص.",
];

/// Writes the collection as two JSONL files and a directory of text files, so the kill can land in any reader.
fn write_collection(dir: &Path) {
    let mut a = String::new();
    let mut b = String::new();
    std::fs::create_dir_all(dir.join("txt")).expect("mkdir");
    for i in 0..DOCS {
        let p = PLACES[i % PLACES.len()];
        let mut text = String::new();
        for k in 0..3 {
            let t = ACTS[(i / 3 + k) % ACTS.len()];
            text.push_str(&t.replace("{p}", p).replace("{n}", &((i * 7 + k) % 90 + 2).to_string()));
            text.push(' ');
        }
        text.push_str(&format!("(المتابعة رقم {i})"));
        let day = 1 + i % 28;
        if i % 10 == 9 {
            std::fs::write(dir.join(format!("txt/doc-{i:05}.txt")), &text).expect("write txt");
            continue;
        }
        let line = serde_json::json!({"id": format!("d{i:05}"), "outlet": "sohr", "published": format!("2017-11-{day:02}"), "text": text});
        let target = if i % 2 == 0 { &mut a } else { &mut b };
        target.push_str(&line.to_string());
        target.push('\n');
    }
    std::fs::write(dir.join("a.jsonl"), a).expect("write a");
    std::fs::write(dir.join("b.jsonl"), b).expect("write b");
}

/// A deterministic but well-spread sequence of kill delays.
fn delays(seed: u64) -> impl Iterator<Item = u64> {
    let mut x = seed;
    std::iter::from_fn(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Some(x)
    })
}

fn check(db: &Path, round: usize) -> (i64, i64) {
    let c = rusqlite::Connection::open(db).expect("open after kill");
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(ok, "ok", "round {round}: integrity_check");
    let q = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
    assert_eq!(
        q("SELECT count(*) - count(DISTINCT id) FROM docs"),
        0,
        "round {round}: duplicate doc ids"
    );
    assert_eq!(
        q("SELECT count(*) - count(DISTINCT hash) FROM docs"),
        0,
        "round {round}: duplicate texts"
    );
    assert_eq!(
        q("SELECT count(*) FROM events WHERE doc_id NOT IN (SELECT id FROM docs)"),
        0,
        "round {round}: orphan events"
    );
    let docs_with_text_but_no_extraction = q("SELECT count(*) FROM docs WHERE extractor IS NULL");
    assert_eq!(
        docs_with_text_but_no_extraction, 0,
        "round {round}: a document stored without its extraction"
    );
    (q("SELECT count(*) FROM docs"), q("SELECT count(*) FROM events"))
}

#[test]
fn sigkill_at_random_moments_never_corrupts_loses_or_doubles() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_collection(dir.path());
    let db = dir.path().join("crash.db");
    let bin = assert_cmd::cargo::cargo_bin("rasd");
    let started = Instant::now();
    // Time one full run on a scratch database to spread the kills over the whole run.
    let scratch = dir.path().join("scratch.db");
    let t = Instant::now();
    let full = Command::new(&bin)
        .arg("ingest")
        .arg(dir.path())
        .arg("--db")
        .arg(&scratch)
        .arg("--quiet")
        .status()
        .expect("runs");
    assert!(full.success());
    let full_ms = (t.elapsed().as_millis() as u64).max(50);
    let (want_docs, want_events) = check(&scratch, 0);
    assert_eq!(want_docs, DOCS as i64);
    for f in ["scratch.db", "scratch.db-wal", "scratch.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(f));
    }
    // Process start-up (loading the lexicon) before any document is read.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let t = Instant::now();
    let _ = Command::new(&bin)
        .arg("ingest")
        .arg(&empty)
        .arg("--db")
        .arg(&scratch)
        .arg("--quiet")
        .status();
    let startup_ms = t.elapsed().as_millis() as u64;
    let mut last_docs = 0;
    let mut interrupted = 0;
    for (round, r) in delays(0x2545_f491_4f6c_dd1d).take(KILLS).enumerate() {
        // Aim the kill inside the work that is left; once nearly everything is in, start a new cycle on a
        // fresh database so that the kills keep landing mid-run.
        let mut remaining = full_ms * (DOCS as u64 - last_docs as u64) / DOCS as u64;
        if remaining < full_ms / 10 {
            for f in ["crash.db", "crash.db-wal", "crash.db-shm"] {
                let _ = std::fs::remove_file(dir.path().join(f));
            }
            last_docs = 0;
            remaining = full_ms;
        }
        let delay = startup_ms + r % (remaining + 1);
        let mut child = Command::new(&bin)
            .arg("ingest")
            .arg(dir.path())
            .arg("--db")
            .arg(&db)
            .arg("--quiet")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().expect("poll").is_none() {
            interrupted += 1;
        }
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let (docs, _) = check(&db, round + 1);
        assert!(
            docs >= last_docs,
            "round {round}: documents were lost ({docs} < {last_docs})"
        );
        assert!(docs <= DOCS as i64);
        last_docs = docs;
    }
    assert!(
        interrupted >= KILLS / 2,
        "only {interrupted} of {KILLS} kills landed mid-run"
    );
    let status = Command::new(&bin)
        .arg("ingest")
        .arg(dir.path())
        .arg("--db")
        .arg(&db)
        .arg("--quiet")
        .status()
        .expect("final run");
    assert!(status.success());
    let (docs, events) = check(&db, KILLS + 1);
    assert_eq!(
        (docs, events),
        (want_docs, want_events),
        "after a final run: everything exactly once"
    );
    let c = rusqlite::Connection::open(&db).expect("open");
    let dirty: String = c
        .query_row("SELECT value FROM meta WHERE key = 'dirty'", [], |r| r.get(0))
        .expect("meta");
    assert_eq!(dirty, "0", "derived tables rebuilt");
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "crash test took {:?}",
        started.elapsed()
    );
}
