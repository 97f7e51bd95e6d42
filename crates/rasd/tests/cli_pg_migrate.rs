//! `rasd migrate`: the bundled samples ingested into SQLite by the real binary, moved into the real PostgreSQL
//! server that `RASD_DB` names (`eval "$(scripts/cluster-local.sh up)"`), and compared table by table with a
//! canonical dump; a second run adds nothing. Without `RASD_DB` the server tests say they are skipped; the
//! error cases that need no server always run.

use rasd_pg::testkit::{Scratch, server};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rasd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rasd"));
    c.env_remove("RASD_DB");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run rasd")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

#[test]
fn samples_migrate_to_postgres_exactly_and_twice_adds_nothing() {
    let Some(server) = server("samples_migrate_to_postgres_exactly_and_twice_adds_nothing") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = dir.path().join("samples.db");
    let out = run(rasd()
        .args(["ingest", "--quiet", "--db"])
        .arg(format!("sqlite:{}", sqlite.display()))
        .arg(samples()));
    assert!(out.status.success(), "ingest: {}", text(&out.stderr));
    let db = Scratch::new(&server, "cli_samples");

    let first = run(rasd()
        .arg("migrate")
        .arg(format!("sqlite:{}", sqlite.display()))
        .arg(&db.url)
        .args(["--json", "--quiet", "--batch-rows", "3"]));
    assert!(first.status.success(), "migrate: {}", text(&first.stderr));
    let rows = |o: &Output| -> Vec<serde_json::Value> {
        text(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    };
    let first = rows(&first);
    let count = |rows: &[serde_json::Value], table: &str, field: &str| -> u64 {
        rows.iter()
            .find(|r| r["table"] == table)
            .and_then(|r| r[field].as_u64())
            .unwrap_or_else(|| panic!("{table}.{field} in {rows:?}"))
    };
    for table in [
        "docs",
        "events",
        "incidents",
        "control_claims",
        "contradictions",
        "places",
    ] {
        assert!(count(&first, table, "added") > 0, "{table}: {first:?}");
        assert_eq!(
            count(&first, table, "sqlite"),
            count(&first, table, "postgres"),
            "{table}"
        );
    }

    // The second run, with RASD_DB as the target: it reads everything again and adds nothing.
    let second = run(rasd()
        .env("RASD_DB", &db.url)
        .arg("migrate")
        .arg(&sqlite)
        .args(["--json", "--quiet"]));
    assert!(second.status.success(), "second migrate: {}", text(&second.stderr));
    let second = rows(&second);
    for r in &second {
        assert_eq!(r["added"], 0, "nothing doubled: {r}");
        assert_eq!(r["sqlite"], r["postgres"], "{r}");
    }
    assert_eq!(count(&second, "events", "copied"), count(&first, "events", "sqlite"));

    let conn = rusqlite::Connection::open(&sqlite).expect("open");
    let a = rasd_pg::dump::sqlite(&conn).expect("dump sqlite");
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    let b = rasd_pg::dump::postgres(&mut c).expect("dump postgres");
    if let Some(d) = rasd_pg::dump::difference("SQLite", &a, "PostgreSQL", &b) {
        panic!("the migrated database differs: {d}");
    }
    assert!(!a["events"].is_empty() && !a["contradictions"].is_empty());

    // The human report ends with the check.
    let third = run(rasd().arg("migrate").arg(&sqlite).arg(&db.url).arg("--quiet"));
    assert!(third.status.success(), "{}", text(&third.stderr));
    let report = text(&third.stdout);
    assert!(report.contains("counts match in every table"), "{report}");
    assert!(!report.contains(":rasd@"), "the password is not printed: {report}");

    // Rows PostgreSQL has and SQLite lacks: the counts differ, exit 2.
    c.batch_execute("INSERT INTO failures(origin, reason, at) VALUES ('elsewhere', 'x', 0)")
        .expect("insert");
    let fourth = run(rasd().arg("migrate").arg(&sqlite).arg(&db.url).arg("--quiet"));
    assert_eq!(fourth.status.code(), Some(2));
    let err = text(&fourth.stderr);
    assert!(err.contains("the row counts differ: failures"), "{err}");
}

#[test]
fn migrate_errors_are_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("absent.db");
    let out = run(rasd()
        .arg("migrate")
        .arg(&missing)
        .arg("postgres://rasd:pw@127.0.0.1:9/rasd"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("absent.db: no such SQLite database"), "{err}");

    // A real SQLite database, with a bad URL and an unreachable server.
    let sqlite = dir.path().join("s.db");
    let ok = run(rasd()
        .args(["ingest", "--quiet", "--db"])
        .arg(&sqlite)
        .arg(samples().join("wire.jsonl")));
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let out = run(rasd()
        .arg("migrate")
        .arg(&sqlite)
        .arg("postgres://rasd:pw@127.0.0.1:notaport/rasd"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("not a valid PostgreSQL URL") && !err.contains("pw@"),
        "{err}"
    );
    let out = run(rasd()
        .arg("migrate")
        .arg(&sqlite)
        .arg("postgres://rasd:pw@127.0.0.1:9/rasd"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot connect to PostgreSQL at postgres://rasd:***@127.0.0.1:9/rasd"),
        "{err}"
    );
    let out = run(rasd().arg("migrate").arg(&sqlite).arg("mysql://h/d"));
    assert!(text(&out.stderr).contains("unknown kind of database `mysql:`"));
    let out = run(rasd()
        .arg("migrate")
        .arg(&sqlite)
        .arg(format!("sqlite:{}", sqlite.display())));
    assert!(text(&out.stderr).contains("TO must be postgres://"));
    let out = run(rasd().arg("migrate").arg(&sqlite));
    assert!(text(&out.stderr).contains("give TO (postgres://…) or set RASD_DB"));
}

#[test]
fn sqlite_only_commands_refuse_postgres_and_accept_sqlite_urls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = dir.path().join("s.db");
    let ok = run(rasd()
        .args(["ingest", "--quiet", "--db"])
        .arg(format!("sqlite:{}", sqlite.display()))
        .arg(samples().join("wire.jsonl")));
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(sqlite.exists(), "sqlite:PATH names the file PATH");
    for args in [
        vec!["bench", "ingest", "--db", "postgres://rasd:pw@127.0.0.1:9/rasd"],
        vec!["bench", "ingest", "--db=postgresql://h/d"],
    ] {
        let out = run(rasd().args(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("is not available on PostgreSQL yet"), "{args:?}: {err}");
        assert!(!err.contains("pw@"), "{err}");
    }
    // A read command takes sqlite:PATH too, and RASD_DB when it has no --db (here an SQLite URL).
    let out = run(rasd()
        .current_dir(dir.path())
        .env("RASD_DB", "postgres://h/d")
        .args(["events", "--db"])
        .arg(format!("sqlite:{}", sqlite.display())));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).is_empty());
    let from_env = run(rasd()
        .env("RASD_DB", format!("sqlite:{}", sqlite.display()))
        .arg("events"));
    assert!(from_env.status.success(), "{}", text(&from_env.stderr));
    assert_eq!(from_env.stdout, out.stdout);
    // A writing command notes that it does not read RASD_DB, and uses its --db.
    let out = run(rasd()
        .current_dir(dir.path())
        .env("RASD_DB", "postgres://h/d")
        .args(["bench", "ingest", "--docs", "1"]));
    let err = text(&out.stderr);
    assert!(
        err.contains("RASD_DB=postgres://h/d is read by `rasd migrate`, `rasd queue`, `rasd worker`")
            && err.contains("and `rasd serve` only so far; `rasd bench ingest` uses its --db"),
        "{err}"
    );
}
