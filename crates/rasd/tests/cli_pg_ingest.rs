//! `rasd ingest`, `rasd reconcile` and `rasd status` on PostgreSQL (issue 14): the same inputs (the repository's
//! `samples/`, the two articles of `../shared/samples`, a binary file, a JSONL file of the team's own with a
//! duplicate and a line that is no document, a missing file) ingested by the real binary into an SQLite file and
//! into a fresh database of the real PostgreSQL server that `RASD_DB` names (`eval "$(scripts/cluster-local.sh
//! up)"`), in two runs, must print the same counts, exit alike and leave the same tables (canonical dumps,
//! `rasd_pg::dump`) and the same alerts; ingesting again stores nothing; `rasd reconcile`, `rasd reprocess` and
//! `rasd status` work there. Without `RASD_DB` the server test says it is skipped; an unreachable server is a clear error either way.

mod pg_samples;

use pg_samples::{postgres_state, rasd, repo, run, sqlite_state, text};
use rasd_pg::testkit::{Scratch, server};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Both databases hold the same rows and raised the same alerts; returns the alerts.
fn same_state(sqlite: &Path, url: &str, when: &str) -> Vec<String> {
    let (sd, sa) = sqlite_state(sqlite);
    let (pd, pa) = postgres_state(url);
    if let Some(d) = rasd_pg::dump::difference("sqlite", &sd, "postgres", &pd) {
        panic!("{when}: {d}");
    }
    assert_eq!(sa, pa, "{when}: the alerts");
    sa
}

/// `rasd ARGS --db DB INPUTS`.
fn ingest(db: &str, flags: &[&str], inputs: &[PathBuf]) -> Output {
    run(rasd().arg("ingest").args(["--db", db]).args(flags).args(inputs))
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// Runs `ingest --json` on both databases: the same exit status and counts. Returns the counts.
fn ingest_both(sqlite: &Path, url: &str, inputs: &[PathBuf]) -> (Option<i32>, Value) {
    let a = ingest(&format!("sqlite:{}", sqlite.display()), &["--json"], inputs);
    let b = ingest(url, &["--json"], inputs);
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "exit status\nSQLite: {}\nPostgreSQL: {}",
        text(&a.stderr),
        text(&b.stderr)
    );
    assert!(!text(&b.stderr).contains("panicked"), "{}", text(&b.stderr));
    assert_eq!(json(&a), json(&b), "the counts");
    (b.status.code(), json(&b))
}

/// `rasd demo --db postgres://…` prints the report it prints on SQLite (all but its first line, which names the
/// database) and leaves the same tables; run again, both say that nothing was new, alike.
#[test]
fn demo_on_postgres_prints_what_sqlite_prints() {
    let Some(pg) = server("demo_on_postgres_prints_what_sqlite_prints") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = dir.path().join("demo.db");
    let db = Scratch::new(&pg, "cli_demo");
    let report = |target: &str| -> Vec<String> {
        let out = run(rasd().args(["demo", "--db", target]));
        assert!(out.status.success(), "{target}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let mut lines = stdout.lines();
        let first = lines.next().unwrap_or_default();
        assert!(
            first.starts_with("rasd demo: the bundled sample collection"),
            "{stdout}"
        );
        lines.map(str::to_string).collect()
    };
    for (run, new) in [("first run", "31 new document(s)"), ("second run", "0 new document(s)")] {
        let on_sqlite = report(&format!("sqlite:{}", sqlite.display()));
        let on_postgres = report(&db.url);
        assert_eq!(on_sqlite, on_postgres, "{run}: the demo's report");
        let all = on_postgres.join("\n");
        assert!(all.contains(new) && all.contains("Control timeline of"), "{run}: {all}");
        same_state(&sqlite, &db.url, run);
    }
}

#[test]
fn ingest_on_postgres_stores_what_sqlite_stores() {
    let Some(pg) = server("ingest_on_postgres_stores_what_sqlite_stores") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = dir.path().join("a.db");
    let db = Scratch::new(&pg, "cli_ingest");
    let url = db.url.as_str();

    // The first run: the wire reports, the shared articles, a binary file, and the team's own JSONL (the same
    // text under two ids: one stored, one an alias; and a line that is no document).
    let binary = dir.path().join("photo.txt");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let team = dir.path().join("team.jsonl");
    std::fs::write(
        &team,
        concat!(
            r#"{"id":"team-1","outlet":"test","published":"2017-11-12","text":"قال مصدر محلي إن طائرات حربية "#,
            r#"قصفت أطراف مدينة البوكمال صباح اليوم، وقتل ثلاثة مدنيين."}"#,
            "\nليس سطراً من JSON\n",
            r#"{"id":"team-1-again","outlet":"test","published":"2017-11-12","text":"قال مصدر محلي إن طائرات "#,
            r#"حربية قصفت أطراف مدينة البوكمال صباح اليوم، وقتل ثلاثة مدنيين."}"#,
            "\n"
        ),
    )
    .expect("write");
    let root = repo();
    let mut first = vec![root.join("samples/wire.jsonl")];
    let shared = root.join("../shared/samples");
    if shared.is_dir() {
        first.push(shared);
    }
    first.extend([binary, team.clone()]);
    let (code, counts) = ingest_both(&sqlite, url, &first);
    assert_eq!(code, Some(0));
    assert!(
        counts["stored"].as_u64() > Some(20)
            && counts["duplicates"].as_u64() >= Some(1)
            && counts["failures"].as_u64() >= Some(2)
            && counts["events"].as_u64() > Some(20),
        "{counts}"
    );
    same_state(&sqlite, url, "after the first run");

    // Again: nothing is stored twice.
    let (before, _) = postgres_state(url);
    let again = ingest(url, &["--json"], &first);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let v = json(&again);
    assert_eq!((v["stored"].as_u64(), v["events"].as_u64()), (Some(0), Some(0)), "{v}");
    let (after, _) = postgres_state(url);
    assert!(
        rasd_pg::dump::difference("before", &before, "after", &after).is_none(),
        "a second run changed the database"
    );
    // The same second run on SQLite, so that both stay alike.
    let again = ingest(&format!("sqlite:{}", sqlite.display()), &["--quiet"], &first);
    assert!(again.status.success(), "{}", text(&again.stderr));

    // The second run: pages, feeds and notes, which bring new claims on places already known, reconciled
    // incrementally (a full rebuild raises no alerts), and a missing file (exit 2, the rest stored).
    let second = vec![root.join("samples"), dir.path().join("no-such-file.txt")];
    let (code, counts) = ingest_both(&sqlite, url, &second);
    assert_eq!(code, Some(2), "a missing input");
    assert!(counts["stored"].as_u64() > Some(0), "{counts}");
    let raised = same_state(&sqlite, url, "after the second run");
    assert!(
        !raised.is_empty(),
        "the second run raised alerts (an incremental reconcile)"
    );

    // The summary line and the report.
    let out = ingest(url, &[], std::slice::from_ref(&team));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    assert!(
        line.starts_with("read 3: 0 new document(s)") && line.contains("into postgres://") && !line.contains(":rasd@"),
        "{line}"
    );
    let out = ingest(&sqlite.display().to_string(), &[], &[team]);
    assert!(
        text(&out.stdout).starts_with("read 3: 0 new document(s)"),
        "{}",
        text(&out.stdout)
    );
    let report = ingest(url, &["--report"], &[]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let sqlite_report = ingest(&sqlite.display().to_string(), &["--report"], &[]);
    let (a, b) = (text(&sqlite_report.stdout), text(&report.stdout));
    assert!(b.contains("no-such-file.txt") && b.contains("photo.txt"), "{b}");
    let mut a: Vec<&str> = a.lines().collect();
    let mut b: Vec<&str> = b.lines().collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "the same unreadable inputs");

    // `rasd reconcile`: a full rebuild on both (nothing is pending), the same counts and the same tables.
    let a = run(rasd().args(["reconcile", "--json", "--db"]).arg(&sqlite));
    let b = run(rasd().args(["reconcile", "--json", "--db", url]));
    assert!(a.status.success() && b.status.success(), "{}", text(&b.stderr));
    assert_eq!(json(&a), json(&b));
    assert!(json(&b)["incidents"].as_u64() > Some(0), "{}", text(&b.stdout));
    let b = run(rasd().args(["reconcile", "--full", "--db", url]));
    assert!(
        text(&b.stdout).starts_with("reconciled postgres://"),
        "{}",
        text(&b.stdout)
    );
    same_state(&sqlite, url, "after rasd reconcile");

    // `rasd reprocess`: nothing to do with this version; with --all, every document extracted again and switched
    // over at once, the same records and derived tables as SQLite's in-place re-extraction.
    let out = run(rasd().args(["reprocess", "--db", url]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("re-extracted 0 document(s)"),
        "{}",
        text(&out.stdout)
    );
    let a = run(rasd().args(["reprocess", "--all", "--db"]).arg(&sqlite));
    let b = run(rasd().args(["reprocess", "--all", "--db", url]));
    assert!(a.status.success() && b.status.success(), "{}", text(&b.stderr));
    let docs = json(&run(rasd().args(["status", "--json", "--db", url])))["counts"]["docs"].clone();
    let (a, b) = (text(&a.stdout), text(&b.stdout));
    assert!(
        b.starts_with(&format!("re-extracted {docs} document(s)")) && b.contains("switched over"),
        "{b}"
    );
    assert_eq!(a.split(':').next(), b.split(':').next(), "{a}\n{b}");
    same_state(&sqlite, url, "after rasd reprocess --all");

    // `rasd status`: the counts of the database, with RASD_DB standing for --db.
    let a = run(rasd().args(["status", "--json", "--db"]).arg(&sqlite));
    let b = run(rasd().env("RASD_DB", url).args(["status", "--json"]));
    assert!(a.status.success() && b.status.success(), "{}", text(&b.stderr));
    let (a, b) = (json(&a), json(&b));
    assert_eq!(a["counts"], b["counts"]);
    assert!(b["counts"]["docs"].as_u64() > Some(20), "{b}");
    assert!(b["database_bytes"].as_u64() > Some(0), "{b}");
    assert_eq!(b["schema_version"], rasd_pg::SCHEMA_VERSION);
    let out = run(rasd().args(["status", "--db", url]));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&format!("{} document(s)", b["counts"]["docs"])) && shown.contains("rasd schema version"),
        "{shown}"
    );
    // RASD_DB with no --db, for ingest too.
    let out = run(rasd()
        .env("RASD_DB", url)
        .args(["ingest", "--json"])
        .arg(root.join("samples/wire.jsonl")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["stored"], 0);

    // A database without the rasd schema: reconcile and status say so and change nothing.
    let empty = Scratch::new(&pg, "cli_ingest_empty");
    for args in [["reconcile", "--db"], ["status", "--db"]] {
        let out = run(rasd().args(args).arg(&empty.url));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("no rasd database here"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn an_unreachable_postgres_is_a_clear_error() {
    let url = "postgres://rasd:pw@127.0.0.1:9/rasd";
    let wire = repo().join("samples/wire.jsonl");
    let commands: [Vec<&std::ffi::OsStr>; 4] = [
        vec!["ingest".as_ref(), "--db".as_ref(), url.as_ref(), wire.as_os_str()],
        vec!["ingest".as_ref(), "--report".as_ref(), "--db".as_ref(), url.as_ref()],
        vec!["reconcile".as_ref(), "--db".as_ref(), url.as_ref()],
        vec!["status".as_ref(), "--db".as_ref(), url.as_ref()],
    ];
    for args in commands {
        let out = run(rasd().args(&args));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("cannot connect to PostgreSQL at postgres://rasd:***@127.0.0.1:9/rasd"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked") && !err.contains("pw@"), "{err}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
}
