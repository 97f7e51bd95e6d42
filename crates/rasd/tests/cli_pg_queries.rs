//! The read commands on PostgreSQL (issue 14): real Arabic reports (the repository's `samples/` and the two
//! articles of `../shared/samples`) ingested into SQLite by the real binary, moved into the real PostgreSQL
//! server that `RASD_DB` names (`eval "$(scripts/cluster-local.sh up)"`) with `rasd migrate`, and every read
//! command run on both with a range of filters: standard output and exit status must be the same, byte for
//! byte. Then the errors: no rasd schema, a newer schema, a wrong password, no server (for `rasd serve` too, which
//! stops before it binds its port; its answers are compared in `cli_pg_serve.rs`). Without `RASD_DB` the
//! tests say they are skipped (that the writing commands refuse PostgreSQL is tested in `cli_pg_migrate.rs`).

mod pg_samples;

use pg_samples::{migrated, rasd, repo, run, sqlite_samples, text};
use rasd_pg::testkit::{Scratch, server};
use std::path::Path;
use std::process::Output;

/// Runs `args` on the SQLite file and on PostgreSQL (`--db URL`), and checks that standard output and the exit
/// status are the same; returns the output.
fn same(sqlite: &Path, url: &str, args: &[&str]) -> Output {
    let a = run(rasd().args(args).arg("--db").arg(sqlite));
    let b = run(rasd().args(args).args(["--db", url]));
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "{args:?}: exit status\nSQLite: {}\nPostgreSQL: {}",
        text(&a.stderr),
        text(&b.stderr)
    );
    assert!(
        a.stdout == b.stdout,
        "{args:?}: standard output differs\n--- SQLite\n{}\n--- PostgreSQL\n{}\n--- PostgreSQL's stderr\n{}",
        text(&a.stdout),
        text(&b.stdout),
        text(&b.stderr)
    );
    assert!(!text(&b.stderr).contains("rasd:rasd@"), "{}", text(&b.stderr));
    b
}

#[test]
fn every_read_command_answers_the_same_on_postgres() {
    let Some(server) = server("every_read_command_answers_the_same_on_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (sqlite, doc) = sqlite_samples(dir.path());
    let db = migrated(&server, "cli_queries", &sqlite);

    let events: &[&[&str]] = &[
        &[],
        &["--json"],
        &["--place", "البوكمال"],
        &["--place", "Albu Kamal"],
        &["--place", "gn:174448"],
        &["--place", "nowhere-at-all"],
        &["--near", "34.45,40.92,25"],
        &["--near", "34.45,40.92,25", "--limit", "2", "--offset", "1"],
        &["--admin1", "دير الزور"],
        &["--admin1", "SY"],
        &["--admin1", "sy.07"],
        &["--admin1", "De%"],
        &["--actor", "isis"],
        &["--actor", "ISIS"],
        &["--type", "battles"],
        &["--type", "Air/drone strike"],
        &["--since", "2017-11-01", "--until", "2017-11-30"],
        &["--since", "2019-01-01"],
        &["--source", "sana"],
        &["--source", "local-sources"],
        &["--source", "SANA"],
        &["--limit", "5"],
        &["--limit", "5", "--offset", "3"],
        &["--offset", "7"],
        &["--limit", "0"],
        &[
            "--json", "--type", "Battles", "--admin1", "deir", "--limit", "4", "--offset", "2",
        ],
    ];
    let mut lines = 0;
    for filter in events {
        let args: Vec<&str> = ["events"].iter().chain(filter.iter()).copied().collect();
        lines += text(&same(&sqlite, &db.url, &args).stdout).lines().count();
    }
    assert!(lines > 100, "the filters select events: {lines} lines in all");

    let filters: &[&[&str]] = &[
        &[],
        &["--json"],
        &["--place", "البوكمال"],
        &["--near", "34.45,40.92,25"],
        &["--admin1", "Deir ez-Zor"],
        &["--actor", "syria-gov"],
        &["--type", "Battles"],
        &["--since", "2017-11-01", "--until", "2017-12-31"],
        &["--source", "sana"],
    ];
    for command in ["incidents", "contradictions"] {
        for filter in filters {
            let args: Vec<&str> = [command].iter().chain(filter.iter()).copied().collect();
            same(&sqlite, &db.url, &args);
        }
    }
    same(&sqlite, &db.url, &["incidents", "--min-sources", "2", "--json"]);
    same(&sqlite, &db.url, &["contradictions", "--kind", "controller", "--json"]);
    same(&sqlite, &db.url, &["sources"]);
    same(&sqlite, &db.url, &["sources", "--json"]);
    for place in ["البوكمال", "Albukamal", "nowhere-at-all"] {
        same(&sqlite, &db.url, &["timeline", place]);
        same(&sqlite, &db.url, &["timeline", place, "--json"]);
        same(&sqlite, &db.url, &["timeline", place, "--on", "2017-11-15"]);
    }
    same(&sqlite, &db.url, &["show", &doc]);
    same(&sqlite, &db.url, &["show", &doc, "--json"]);
    same(&sqlite, &db.url, &["show", "no-such-document"]);
    same(&sqlite, &db.url, &["alerts"]);
    let alerts = same(&sqlite, &db.url, &["alerts", "--json", "--since", "2000-01-01"]);
    assert!(!alerts.stdout.is_empty(), "the second ingest raised alerts");

    for format in ["acled-csv", "geojson", "jsonl"] {
        for filter in filters.iter().chain([&["--exclude-corrected"][..]].iter()) {
            let args: Vec<&str> = ["export", "--format", format]
                .iter()
                .chain(filter.iter())
                .copied()
                .collect();
            same(&sqlite, &db.url, &args);
        }
    }
    let jsonl = same(&sqlite, &db.url, &["export", "--format", "jsonl"]);
    assert!(
        text(&jsonl.stdout).contains("\"corrections\""),
        "the correction is exported"
    );
    for filter in [&[][..], &["--place", "البوكمال", "--exclude-corrected"][..]] {
        let a = dir.path().join("a.parquet");
        let b = dir.path().join("b.parquet");
        let out = run(rasd()
            .args(["export", "--format", "parquet", "--db"])
            .arg(&sqlite)
            .args(filter)
            .arg("-o")
            .arg(&a));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(rasd()
            .args(["export", "--format", "parquet", "--db", &db.url])
            .args(filter)
            .arg("-o")
            .arg(&b));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            std::fs::read(&a).expect("a"),
            std::fs::read(&b).expect("b"),
            "{filter:?}"
        );
    }

    // RASD_DB stands for --db.
    let plain = run(rasd().args(["events", "--db", &db.url]));
    let env = run(rasd().env("RASD_DB", &db.url).arg("events"));
    assert!(env.status.success(), "{}", text(&env.stderr));
    assert_eq!(plain.stdout, env.stdout);

    // Derived tables behind the stored events: the same warning as on SQLite, the same answers.
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    c.batch_execute(
        "INSERT INTO meta(key, value) VALUES ('dirty', 'pending') ON CONFLICT (key) DO UPDATE SET value = 'pending'",
    )
    .expect("mark dirty");
    let out = same(&sqlite, &db.url, &["incidents"]);
    assert!(
        text(&out.stderr).contains("incidents, timelines and contradictions do not cover the latest stored events"),
        "{}",
        text(&out.stderr)
    );
    // Nothing was written: the flag is as it was, and no query left a table changed.
    let dirty: String = c
        .query_one("SELECT value FROM meta WHERE key = 'dirty'", &[])
        .expect("meta")
        .get(0);
    assert_eq!(dirty, "pending");
}

#[test]
fn postgres_errors_are_one_clear_line() {
    let Some(server) = server("postgres_errors_are_one_clear_line") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = dir.path().join("s.db");
    let out = run(rasd()
        .args(["ingest", "--quiet", "--db"])
        .arg(&sqlite)
        .arg(repo().join("samples/wire.jsonl")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let empty = Scratch::new(&server, "cli_queries_empty");
    let newer = Scratch::new(&server, "cli_queries_newer");
    let out = run(rasd()
        .arg("migrate")
        .arg(format!("sqlite:{}", sqlite.display()))
        .arg(&newer.url)
        .arg("--quiet"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    rasd_pg::connect(&newer.url)
        .expect("connect")
        .batch_execute("UPDATE rasd_schema SET version = version + 1")
        .expect("a newer schema");
    // A wrong password: the server's URL with the password replaced.
    let (scheme, rest) = server.split_once("://").expect("url");
    let wrong = match rest.split_once('@') {
        Some((user, host)) => format!(
            "{scheme}://{}:not-the-password@{host}",
            user.split(':').next().unwrap_or(user)
        ),
        None => format!("{scheme}://rasd:not-the-password@{rest}"),
    };
    let cases = [
        (empty.url.clone(), "no rasd database here (no rasd schema"),
        (newer.url.clone(), "has rasd schema version"),
        (wrong, "refused the connection"),
        (
            "postgres://rasd:secret@127.0.0.1:9/rasd".to_string(),
            "cannot connect to PostgreSQL at postgres://rasd:***@127.0.0.1:9/rasd",
        ),
    ];
    for (url, expected) in &cases {
        for args in [
            &["events"][..],
            &["export", "--format", "jsonl"],
            &["show", "x"],
            &["alerts"],
            &["serve", "--addr", "127.0.0.1:0"],
        ] {
            let out = run(rasd().args(args).args(["--db", url]));
            assert_eq!(out.status.code(), Some(2), "{args:?} {url}");
            let err = text(&out.stderr);
            assert!(err.contains(expected), "{args:?}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
            assert!(!err.contains("not-the-password") && !err.contains("secret"), "{err}");
            assert!(out.stdout.is_empty());
        }
    }
}
