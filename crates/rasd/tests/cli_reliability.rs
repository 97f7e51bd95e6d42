//! Reliability of the command line (issue 11): queries never write and never block a writer, writers wait for
//! one another, concurrent ingests and queries end as a serial run does, a closed pipe is not an error,
//! `--threads` is capped, a byte-order mark keeps spans exact, and `events` pages.
//!
//! Every test runs the real binary. The generated collection is built from a few sentences written for this
//! test.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rasd")
}

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

/// Runs `c`, which must succeed, and returns its standard output.
fn stdout_of(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn meta_dirty(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("SELECT value FROM meta WHERE key = 'dirty'", [], |r| r.get(0))
        .expect("dirty flag")
}

/// Sentences for generated reports: `{p}` a place, `{n}` a number. Each is under ten words, so that no two
/// generated reports are near-duplicates (too short for a MinHash signature) and every report stands alone.
const TEMPLATES: &[&str] = &[
    "قتل {n} مدنيين بقصف جوي على {p} اليوم.",
    "اشتباكات بين الجيش وداعش في {p} تخلف {n} قتلى.",
    "سيطرت قوات النظام على {p} بعد {n} أيام.",
    "انفجار سيارة مفخخة في {p} يقتل {n} أشخاص.",
    "نفت أعماق سيطرة الجيش على {p} منذ {n} أيام.",
    "غارة بطائرة مسيرة على {p} تقتل {n} مسلحين.",
];
const PLACES: &[&str] = &[
    "البوكمال",
    "الميادين",
    "هجين",
    "الرقة",
    "تدمر",
    "منبج",
    "الحسكة",
    "القامشلي",
    "العشارة",
    "الشحيل",
];
const OUTLETS: &[&str] = &["sohr", "sana", "alaraby"];

/// The JSONL line of generated report `i` (every `i` gives a different text).
fn report(i: usize) -> String {
    let text = TEMPLATES[i % TEMPLATES.len()]
        .replace("{p}", PLACES[(i / TEMPLATES.len()) % PLACES.len()])
        .replace("{n}", &(i / (TEMPLATES.len() * PLACES.len()) + 2).to_string());
    serde_json::json!({
        "id": format!("g{i:05}"),
        "outlet": OUTLETS[i % OUTLETS.len()],
        "published": format!("2017-11-{:02}", 1 + i % 28),
        "text": text,
    })
    .to_string()
}

fn write_reports(path: &Path, range: std::ops::Range<usize>) {
    let mut s = String::new();
    for i in range {
        s.push_str(&report(i));
        s.push('\n');
    }
    std::fs::write(path, s).expect("write reports");
}

/// The rows of table `t`.
fn count(c: &rusqlite::Connection, t: &str) -> i64 {
    c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
        .expect(t)
}

/// Row counts of every table, and a hash of the derived tables' contents, to compare two databases.
fn table_counts(db: &Path) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open(db).expect("open");
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(ok, "ok");
    let mut out: Vec<(String, i64)> = [
        "docs",
        "events",
        "doc_aliases",
        "failures",
        "incidents",
        "incident_events",
        "control_claims",
        "contradictions",
        "places",
    ]
    .iter()
    .map(|t| (t.to_string(), count(&c, t)))
    .collect();
    for (name, sql) in [
        (
            "events ids",
            "SELECT group_concat(id) FROM (SELECT id FROM events ORDER BY id)",
        ),
        (
            "incident members",
            "SELECT group_concat(event_id || '>' || incident_id) FROM (SELECT * FROM incident_events ORDER BY event_id)",
        ),
    ] {
        let joined: Option<String> = c.query_row(sql, [], |r| r.get(0)).expect(name);
        let joined = joined.unwrap_or_default();
        out.push((name.to_string(), joined.len() as i64));
        out.push((format!("{name} hash"), fnv(joined.as_bytes())));
    }
    out
}

fn fnv(b: &[u8]) -> i64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    }) as i64
}

/// Item 1: a query opens the database read-only. While another process holds the write lock and the derived
/// tables are stale, every query answers at once from the last consistent state, warns once, and writes
/// nothing; `rasd reconcile` brings the tables up to date.
#[test]
fn queries_never_write_and_answer_while_a_writer_holds_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    stdout_of(
        rasd(dir.path())
            .arg("ingest")
            .arg(samples())
            .arg("--db")
            .arg(&db)
            .arg("-q"),
    );
    assert_eq!(meta_dirty(&db), "0");
    let incidents = |db: &Path| -> i64 {
        let c = rusqlite::Connection::open(db).expect("open");
        c.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))
            .expect("count")
    };
    let before = incidents(&db);
    assert!(before > 0);
    // A crashed ingest leaves stale derived tables behind; another process now holds the write lock.
    let writer = rusqlite::Connection::open(&db).expect("open");
    writer
        .execute_batch("UPDATE meta SET value = '1' WHERE key = 'dirty'; BEGIN IMMEDIATE;")
        .expect("hold the write lock");
    let doc = stdout_of(rasd(dir.path()).args(["events", "--json", "--db"]).arg(&db));
    let doc: serde_json::Value = serde_json::from_str(doc.lines().next().expect("an event")).expect("event json");
    let doc_id = doc["doc_id"].as_str().expect("doc id").to_string();
    let queries: Vec<Vec<&str>> = vec![
        vec!["events"],
        vec!["incidents"],
        vec!["timeline", "Albukamal"],
        vec!["contradictions"],
        vec!["sources"],
        vec!["export", "--format", "jsonl"],
        vec!["show", &doc_id],
    ];
    for q in &queries {
        let t = Instant::now();
        let out = rasd(dir.path())
            .args(q)
            .arg("--db")
            .arg(&db)
            .env("RASD_LOCK_TIMEOUT", "20")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "rasd {q:?} failed while a writer held the lock: {stderr}"
        );
        assert!(!out.stdout.is_empty(), "rasd {q:?} printed nothing");
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "rasd {q:?} waited for the writer"
        );
        assert_eq!(
            stderr.matches("rasd reconcile").count(),
            1,
            "rasd {q:?} warns once that the derived tables are stale: {stderr}"
        );
    }
    writer.execute_batch("COMMIT").expect("release");
    drop(writer);
    assert_eq!(meta_dirty(&db), "1", "no query rebuilt anything");
    assert_eq!(incidents(&db), before);

    let out = stdout_of(rasd(dir.path()).args(["reconcile", "--db"]).arg(&db));
    assert!(out.starts_with("reconciled "), "{out}");
    assert!(out.contains("incident(s)") && out.contains("contradiction(s)"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(meta_dirty(&db), "0");
    assert_eq!(incidents(&db), before);
    let out = rasd(dir.path())
        .args(["events", "--db"])
        .arg(&db)
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Item 2: a writer that finds the write lock taken waits, says so, and, when the lock outlasts its patience,
/// says clearly why it gave up; once the lock is released in time, it goes on and succeeds.
#[test]
fn a_second_writer_waits_with_a_message_and_gives_up_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    let docs = dir.path().join("docs.jsonl");
    write_reports(&docs, 0..40);
    stdout_of(rasd(dir.path()).arg("ingest").arg(&docs).arg("--db").arg(&db).arg("-q"));
    write_reports(&docs, 40..80);

    let writer = rusqlite::Connection::open(&db).expect("open");
    writer.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let t = Instant::now();
    let out = rasd(dir.path())
        .arg("ingest")
        .arg(&docs)
        .arg("--db")
        .arg(&db)
        .env("RASD_LOCK_TIMEOUT", "1")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(t.elapsed() >= Duration::from_millis(900), "it waited");
    assert!(
        stderr.contains("waiting for another rasd process that is writing"),
        "{stderr}"
    );
    assert!(stderr.contains("gave up after waiting 1 s"), "{stderr}");

    // Released while the second writer waits: it finishes the job.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        writer.execute_batch("COMMIT").expect("release");
    });
    let out = rasd(dir.path())
        .arg("ingest")
        .arg(&docs)
        .arg("--db")
        .arg(&db)
        .output()
        .expect("runs");
    release.join().expect("thread");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("waiting for another rasd process"), "{stderr}");
    let c = rusqlite::Connection::open(&db).expect("open");
    let docs: i64 = c
        .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
        .expect("count");
    assert_eq!(docs, 80);
}

/// Items 2 and 3: two ingests started at once on a new database, while four query loops run, all succeed,
/// and the database ends exactly as a serial run of the same two ingests leaves it.
#[test]
fn concurrent_ingests_and_queries_end_as_a_serial_run() {
    const DOCS: usize = 3000;
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    // Overlapping halves: the reports both carry are stored once, whichever ingest comes first.
    write_reports(&a, 0..DOCS * 2 / 3);
    write_reports(&b, DOCS / 2..DOCS);
    let started = Instant::now();

    let serial = dir.path().join("serial.db");
    for f in [&a, &b] {
        stdout_of(rasd(dir.path()).arg("ingest").arg(f).arg("--db").arg(&serial).arg("-q"));
    }
    let want = table_counts(&serial);
    assert_eq!(want[0], ("docs".to_string(), DOCS as i64));
    for table in ["events", "incidents", "control_claims"] {
        assert!(want.iter().any(|(t, n)| t == table && *n > 0), "{table}: {want:?}");
    }

    for round in 0..2 {
        let db = dir.path().join(format!("concurrent-{round}.db"));
        let spawn_ingest = |f: &Path| {
            std::process::Command::new(bin())
                .arg("ingest")
                .arg(f)
                .arg("--db")
                .arg(&db)
                .arg("-q")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn ingest")
        };
        let first = spawn_ingest(&a);
        let second = spawn_ingest(&b);
        let queries: [&[&str]; 4] = [
            &["events", "--since", "2017-11-20"],
            &["incidents"],
            &["timeline", "البوكمال"],
            &["export", "--format", "jsonl"],
        ];
        let loops: Vec<_> = queries
            .iter()
            .map(|q| {
                let q: Vec<String> = q.iter().map(|s| s.to_string()).collect();
                let db = db.clone();
                std::thread::spawn(move || {
                    let mut answered = 0;
                    for _ in 0..60 {
                        if answered == 6 {
                            break;
                        }
                        let out = std::process::Command::new(bin())
                            .args(&q)
                            .arg("--db")
                            .arg(&db)
                            .output()
                            .expect("runs");
                        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
                        // Until the first ingest has created the database there is nothing to ask.
                        if out.status.code() == Some(2) && stderr.contains("no rasd database here") && answered == 0 {
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        }
                        assert!(
                            matches!(out.status.code(), Some(0 | 1)),
                            "rasd {q:?} failed during ingest: {stderr}"
                        );
                        assert!(!stderr.contains("error"), "rasd {q:?}: {stderr}");
                        answered += 1;
                        std::thread::sleep(Duration::from_millis(30));
                    }
                    answered
                })
            })
            .collect();
        for child in [first, second] {
            let out = child.wait_with_output().expect("ingest ends");
            assert!(
                out.status.success(),
                "round {round}: an ingest failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        for l in loops {
            assert_eq!(l.join().expect("query loop"), 6, "round {round}");
        }
        assert_eq!(
            table_counts(&db),
            want,
            "round {round}: the same tables as a serial run"
        );
        assert_eq!(meta_dirty(&db), "0", "round {round}: the derived tables are up to date");
    }
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "took {:?}",
        started.elapsed()
    );
}

/// Spawns `rasd ARGS` with its standard output closed before it writes anything: the command must end with
/// status 0 and no error message, as under `| head`.
fn closed_stdout(dir: &Path, args: &[&str]) {
    let mut child = std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "rasd {args:?}: {stderr}");
    assert!(
        !stderr.to_lowercase().contains("broken pipe"),
        "rasd {args:?}: {stderr}"
    );
    assert!(!stderr.contains("error"), "rasd {args:?}: {stderr}");
}

/// Item 4: `rasd … | head` is not an error, for every command that prints much.
#[test]
fn output_survives_a_closed_pipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = dir.path().join("docs.jsonl");
    write_reports(&docs, 0..1500);
    let text = dir.path().join("report.txt");
    let mut long = String::new();
    for i in 0..400 {
        long.push_str(&report(i));
    }
    std::fs::write(&text, long).expect("write");
    stdout_of(rasd(dir.path()).args(["ingest", "docs.jsonl", "--db", "p.db", "-q"]));
    for args in [
        vec!["extract", "-q", "docs.jsonl"],
        vec!["extract", "-q", "--format", "table", "docs.jsonl"],
        vec!["tokens", "report.txt"],
        vec!["entities", "report.txt"],
        vec!["events", "--db", "p.db"],
        vec!["events", "--json", "--db", "p.db"],
        vec!["incidents", "--db", "p.db"],
        vec!["export", "--format", "acled-csv", "--db", "p.db"],
        vec!["export", "--format", "geojson", "--db", "p.db"],
        vec!["export", "--format", "jsonl", "--db", "p.db"],
        vec!["show", "g00007", "--db", "p.db"],
        vec!["bench", "dates", "report.txt"],
    ] {
        closed_stdout(dir.path(), &args);
    }
}

/// Item 5: an absurd `--threads` runs with a capped pool and says so.
#[test]
fn threads_are_capped() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("r.txt"), "قتل 5 مدنيين بقصف جوي على الميادين اليوم.").expect("write");
    let t = Instant::now();
    let out = rasd(dir.path())
        .args(["extract", "-q", "--threads", "100000", "r.txt"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("--threads 100000 is more than 4 per core; using"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    let out = rasd(dir.path())
        .args(["extract", "-q", "--threads", "2", "r.txt"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "a sane value is taken as it is");
}

/// Checks that every span of every record of `jsonl` (extract output, or a stored document's events) is the
/// byte range of `text` that its evidence quotes.
fn spans_are_exact(text: &str, events: &[serde_json::Value]) -> usize {
    let mut n = 0;
    for e in events {
        let mut spans = vec![&e["evidence"]];
        if let Some(fields) = e["field_evidence"].as_object() {
            spans.extend(fields.values());
        }
        for s in spans {
            let (start, end) = (
                s["start"].as_u64().expect("start") as usize,
                s["end"].as_u64().expect("end") as usize,
            );
            assert_eq!(
                text.get(start..end),
                s["text"].as_str(),
                "span {start}..{end} of {}",
                e["id"]
            );
            n += 1;
        }
    }
    n
}

/// Item 6: a byte-order mark, leading the file or the text of a JSONL document or an HTML page, is not part of
/// the document: spans are the same as without it and exact in the text as `extract` reads it and as
/// `ingest` stores it.
#[test]
fn a_byte_order_mark_keeps_spans_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sentence = "أفادت مصادر محلية بمقتل 7 مدنيين في قصف جوي استهدف مدينة الميادين صباح اليوم، بحسب المرصد.";
    let bom = "\u{feff}";
    std::fs::write(dir.path().join("plain.txt"), sentence).expect("write");
    std::fs::write(dir.path().join("bom.txt"), format!("{bom}{sentence}")).expect("write");
    let line = serde_json::json!({"id": "j1", "outlet": "sohr", "published": "2017-11-09", "text": format!("{bom}{sentence}")});
    std::fs::write(dir.path().join("bom.jsonl"), format!("{bom}{line}\n")).expect("write");
    std::fs::write(
        dir.path().join("bom.html"),
        format!("{bom}<html><body><article><p>{bom}{sentence}</p></article></body></html>"),
    )
    .expect("write");
    let extract = |file: &str| -> Vec<serde_json::Value> {
        let out = stdout_of(rasd(dir.path()).args(["extract", "-q", "--published", "2017-11-09", file]));
        out.lines().map(|l| serde_json::from_str(l).expect("record")).collect()
    };
    let want = extract("plain.txt");
    assert!(!want.is_empty());
    let spans = |evs: &[serde_json::Value]| -> Vec<(u64, u64)> {
        evs.iter()
            .map(|e| {
                (
                    e["evidence"]["start"].as_u64().unwrap_or_default(),
                    e["evidence"]["end"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    for file in ["bom.txt", "bom.jsonl", "bom.html"] {
        let got = extract(file);
        assert_eq!(
            spans(&got),
            spans(&want),
            "{file}: the spans of the text without the mark"
        );
        assert!(spans_are_exact(sentence, &got) > 0, "{file}");
    }
    // Ingest stores the text without the mark, and the stored events' spans are exact in it.
    stdout_of(rasd(dir.path()).args(["ingest", "bom.txt", "bom.jsonl", "bom.html", "--db", "p.db", "-q"]));
    for id in ["bom", "j1"] {
        let out = stdout_of(rasd(dir.path()).args(["show", id, "--json", "--db", "p.db"]));
        let doc: serde_json::Value = serde_json::from_str(out.trim()).expect("doc json");
        let text = doc["text"].as_str().expect("text");
        assert_eq!(text, sentence, "{id}: stored without the mark");
        let events = doc["events"].as_array().expect("events");
        assert!(spans_are_exact(text, events) > 0, "{id}");
    }
}

/// Item 7: `rasd events --limit N --offset M` is a page of the full, date-ordered list.
#[test]
fn events_pages_with_limit_and_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = dir.path().join("docs.jsonl");
    write_reports(&docs, 0..60);
    stdout_of(rasd(dir.path()).args(["ingest", "docs.jsonl", "--db", "p.db", "-q"]));
    let all: Vec<String> = stdout_of(rasd(dir.path()).args(["events", "--db", "p.db"]))
        .lines()
        .map(str::to_string)
        .collect();
    assert!(all.len() > 20, "{}", all.len());
    let page = |extra: &[&str]| -> Vec<String> {
        stdout_of(rasd(dir.path()).args(["events", "--db", "p.db"]).args(extra))
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(page(&["--limit", "5"]), all[..5]);
    assert_eq!(page(&["--limit", "5", "--offset", "7"]), all[7..12]);
    assert_eq!(page(&["--offset", "10"]), all[10..]);
    let json = page(&["--json", "--limit", "3", "--offset", "2"]);
    assert_eq!(json.len(), 3);
    // With a distance filter (applied after SQL) the page is cut after it.
    let near_all = page(&["--near", "34.45,40.92,60"]);
    assert!(near_all.len() > 3, "{}", near_all.len());
    assert_eq!(
        page(&["--near", "34.45,40.92,60", "--limit", "2", "--offset", "1"]),
        near_all[1..3]
    );
    // Past the end: nothing found.
    let out = rasd(dir.path())
        .args(["events", "--db", "p.db", "--offset", "100000"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

/// `bench ingest` generates (or reads) its documents as the ingest takes them, and still reports their count and
/// bytes; the database holds them all.
#[test]
fn bench_ingest_streams_its_documents_and_counts_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = stdout_of(rasd(dir.path()).args(["bench", "ingest", "--docs", "60", "--db", "b.db", "--keep"]));
    assert!(out.contains("input: 60 documents, 0."), "{out}");
    assert!(out.contains("stored 60,"), "{out}");
    let c = rusqlite::Connection::open(dir.path().join("b.db")).expect("open");
    let docs: i64 = c
        .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
        .expect("count");
    assert_eq!(docs, 60);
    // A file: the reader's documents, counted the same way.
    let wire = samples().join("wire.jsonl");
    let lines = std::fs::read_to_string(&wire).expect("wire").lines().count();
    std::fs::copy(&wire, dir.path().join("wire.jsonl")).expect("copy");
    let out = stdout_of(rasd(dir.path()).args(["bench", "ingest", "--input", "wire.jsonl", "--db", "c.db"]));
    assert!(out.contains(&format!("input: {lines} documents,")), "{out}");
    assert!(!dir.path().join("c.db").exists(), "no --keep: the database is removed");
    // Without the second rebuild that times the rebuild alone: the ingest's own reconcile leaves the same
    // derived tables.
    let out = stdout_of(rasd(dir.path()).args([
        "bench",
        "ingest",
        "--docs",
        "60",
        "--db",
        "d.db",
        "--keep",
        "--skip-rebuild-timing",
    ]));
    assert!(out.contains("rebuild of derived tables): skipped"), "{out}");
    let derived = |db: &str| -> Vec<i64> {
        let c = rusqlite::Connection::open(dir.path().join(db)).expect("open");
        [
            "incidents",
            "incident_events",
            "control_claims",
            "contradictions",
            "places",
        ]
        .iter()
        .map(|t| count(&c, t))
        .collect()
    };
    let rebuilt = derived("b.db");
    assert!(rebuilt[0] > 0, "{rebuilt:?}");
    assert_eq!(derived("d.db"), rebuilt);
}

/// A database whose events disagree with themselves (an event's JSON names another id than its row) is reported
/// as corrupt by the full rebuild, with exit status 2, never a panic; the stored rows are left as they were.
#[test]
fn a_rebuild_of_inconsistent_events_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(samples().join("wire.jsonl"), dir.path().join("wire.jsonl")).expect("copy");
    stdout_of(rasd(dir.path()).args(["ingest", "wire.jsonl", "--db", "c.db"]));
    let c = rusqlite::Connection::open(dir.path().join("c.db")).expect("open");
    // The anchors of the incidents of two reports or more name another id in their JSON (a suffix keeps their order,
    // so the rebuild picks the same anchors and finds them missing among the members it reads back).
    c.execute(
        "UPDATE events SET json = json_set(json, '$.id', id || '-x') WHERE id IN \
         (SELECT substr(incident_id, 5) FROM incident_events GROUP BY incident_id HAVING count(*) >= 2)",
        [],
    )
    .expect("update");
    let incidents = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))
            .expect("count")
    };
    let before = incidents(&c);
    drop(c);
    let out = rasd(dir.path())
        .args(["reconcile", "--full", "--db", "c.db"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the database is corrupt") && stderr.contains("anchor event"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let c = rusqlite::Connection::open(dir.path().join("c.db")).expect("open");
    assert_eq!(incidents(&c), before, "the rebuild's transaction was rolled back");
}
