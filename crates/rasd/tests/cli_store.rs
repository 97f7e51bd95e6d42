//! The store commands run as a user runs them: the real binary, in a temporary directory, on the bundled
//! sample collection (through the real extractor) and on bad input.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    // `rasd demo` without --db reads RASD_DB (PostgreSQL too): these tests mean ./rasd.db.
    c.env_remove("RASD_DB");
    c
}

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn stdout_of(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn demo_loads_the_samples_once_and_prints_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = stdout_of(rasd(dir.path()).arg("demo"));
    assert!(
        first.contains("read 32: 31 new document(s) (1 near-duplicate), 1 exact duplicate(s), 0 unreadable"),
        "{first}"
    );
    assert!(first.contains("Events by type:"), "{first}");
    assert!(first.contains("Contradictions found:"), "{first}");
    assert!(first.contains("Control timeline of"), "{first}");
    assert!(dir.path().join("rasd.db").exists(), "the default database is ./rasd.db");
    let second = stdout_of(rasd(dir.path()).arg("demo"));
    assert!(second.contains("read 32: 0 new document(s)"), "{second}");
    assert!(second.contains("nothing new"), "{second}");
    let summary = |s: &str| s.lines().find(|l| l.starts_with("database:")).map(str::to_string);
    assert_eq!(summary(&first), summary(&second), "a second run changes nothing");
}

#[test]
fn ingest_then_query_timeline_contradictions_show_and_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    let out = stdout_of(rasd(dir.path()).arg("ingest").arg(samples()).arg("--db").arg(&db));
    assert!(out.contains("31 new document(s)"), "{out}");
    let again = stdout_of(
        rasd(dir.path())
            .arg("ingest")
            .arg(samples())
            .arg("--db")
            .arg(&db)
            .arg("--json"),
    );
    let stats: serde_json::Value = serde_json::from_str(again.trim()).expect("json stats");
    assert_eq!(
        (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
        (Some(0), Some(32))
    );

    let tl = stdout_of(rasd(dir.path()).args(["timeline", "البوكمال", "--db"]).arg(&db));
    assert!(tl.contains("Control timeline of"), "{tl}");
    assert!(tl.contains("CONTESTED"), "the Albukamal claims conflict:\n{tl}");
    assert!(tl.contains("sohr"), "{tl}");
    let tl_json = stdout_of(
        rasd(dir.path())
            .args(["timeline", "Albukamal", "--json", "--db"])
            .arg(&db),
    );
    let tl_json: serde_json::Value = serde_json::from_str(tl_json.trim()).expect("timeline json");
    assert!(tl_json["lanes"].as_array().is_some_and(|l| l.len() >= 3));
    let on = stdout_of(
        rasd(dir.path())
            .args(["timeline", "Albukamal", "--on", "2017-11-10", "--db"])
            .arg(&db),
    );
    assert!(on.contains("on 2017-11-10: CONTESTED"), "{on}");

    let contra = stdout_of(
        rasd(dir.path())
            .args(["contradictions", "--kind", "controller", "--json", "--db"])
            .arg(&db),
    );
    assert!(contra.lines().count() > 0);
    for line in contra.lines() {
        let c: serde_json::Value = serde_json::from_str(line).expect("json line");
        assert_eq!(c["kind"], "controller");
    }
    let fatal = stdout_of(
        rasd(dir.path())
            .args(["contradictions", "--kind", "fatalities", "--db"])
            .arg(&db),
    );
    assert!(fatal.contains("FATALITIES"), "{fatal}");

    let events = stdout_of(
        rasd(dir.path())
            .args(["events", "--place", "Albukamal", "--json", "--db"])
            .arg(&db),
    );
    assert!(events.lines().count() >= 10, "{events}");
    let first: serde_json::Value = serde_json::from_str(events.lines().next().unwrap_or("{}")).expect("event json");
    let doc_id = first["doc_id"].as_str().expect("doc id").to_string();
    let show = stdout_of(rasd(dir.path()).args(["show", &doc_id, "--db"]).arg(&db));
    assert!(show.contains("⟦1 ") && show.contains(" ⟧1"), "{show}");

    let csv_text = stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "acled-csv", "--db"])
            .arg(&db),
    );
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(&header[..4], ["event_id_cnty", "event_date", "year", "time_precision"]);
    assert!(header.iter().any(|h| h == "notes") && header.iter().any(|h| h == "fatalities"));
    let rows = r.records().collect::<Result<Vec<_>, _>>().expect("rows parse");
    assert!(rows.len() >= 5);
    assert!(rows.iter().all(|row| row.len() == header.len()));
    let geo = stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "geojson", "--db"])
            .arg(&db),
    );
    let geo: serde_json::Value = serde_json::from_str(geo.trim()).expect("geojson");
    assert_eq!(geo["type"], "FeatureCollection");
    let jsonl = stdout_of(rasd(dir.path()).args(["export", "--format", "jsonl", "--db"]).arg(&db));
    assert_eq!(jsonl.lines().count(), events_total(&db));

    let sources = stdout_of(rasd(dir.path()).args(["sources", "--db"]).arg(&db));
    assert!(sources.contains("sohr"), "{sources}");
    let inc = stdout_of(
        rasd(dir.path())
            .args(["incidents", "--min-sources", "2", "--db"])
            .arg(&db),
    );
    assert!(inc.contains("sources:"), "{inc}");
    let re = stdout_of(rasd(dir.path()).args(["reprocess", "--db"]).arg(&db));
    assert!(
        re.contains("re-extracted 0 document(s)"),
        "same version: nothing to redo\n{re}"
    );
    let re = stdout_of(rasd(dir.path()).args(["reprocess", "--all", "--db"]).arg(&db));
    assert!(re.contains("re-extracted 31 document(s)"), "{re}");

    rasd(dir.path())
        .args(["events", "--place", "Atlantis", "--db"])
        .arg(&db)
        .assert()
        .code(1);
    rasd(dir.path())
        .args(["show", "no-such-doc", "--db"])
        .arg(&db)
        .assert()
        .code(1);
    rasd(dir.path())
        .args(["events", "--near", "34.4,40.9", "--db"])
        .arg(&db)
        .assert()
        .code(2);
}

fn events_total(db: &Path) -> usize {
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
        .expect("count") as usize
}

#[test]
fn bad_inputs_are_recorded_and_bad_databases_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    std::fs::write(input.join("good.txt"), "قتل 3 مدنيين في قصف على مدينة الميادين اليوم.").expect("write");
    std::fs::write(input.join("latin1.txt"), b"\xe9t\xe9 \xff").expect("write");
    std::fs::write(input.join("docs.jsonl"), "{\"id\":\"a\",\"text\":\"نص\"}\n{broken\n").expect("write");
    std::fs::write(input.join("empty.html"), "<html><body><nav>قائمة</nav></body></html>").expect("write");
    let out = stdout_of(rasd(dir.path()).arg("ingest").arg(&input).arg("--report"));
    assert!(out.contains("2 new document(s)"), "{out}");
    assert!(out.contains("3 unreadable"), "{out}");
    assert!(out.contains("latin1.txt\tinvalid UTF-8 at byte offset 0"), "{out}");
    assert!(out.contains("docs.jsonl:2\tnot JSON"), "{out}");
    assert!(out.contains("empty.html\tHTML page has no main text"), "{out}");

    std::fs::write(dir.path().join("notes.db"), "ليست قاعدة بيانات").expect("write");
    let e = rasd(dir.path()).args(["events", "--db", "notes.db"]).assert().code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("not a rasd database"), "{err}");
    {
        let c = rusqlite::Connection::open(dir.path().join("other.db")).expect("sqlite");
        c.execute_batch("CREATE TABLE accounts(id INTEGER);").expect("sql");
    }
    let e = rasd(dir.path())
        .args(["ingest", "in", "--db", "other.db"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("another application"), "{err}");
    let e = rasd(dir.path())
        .args(["timeline", "x", "--db", "absent.db"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&e.get_output().stderr).contains("no rasd database here"));
    assert!(
        !dir.path().join("absent.db").exists(),
        "a query never creates a database"
    );
}
