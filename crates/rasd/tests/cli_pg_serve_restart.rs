//! `rasd serve` on PostgreSQL while the real server is stopped and started again (`scripts/cluster-local.sh
//! pg-stop`, `pg-start`): the server's pooled connections are cut by the shutdown; reads and writes while it is
//! down are answered 503 with a JSON error, and after it is back the next read and the next writes are answered
//! again (the broken pooled connections dropped, not handed out). A file of its own: stopping PostgreSQL would
//! disturb the other tests of `cli_pg_serve.rs`, which run at the same time. Skipped (with a notice) unless
//! `RASD_DB` is the server of `scripts/cluster-local.sh` with this `RASD_CLUSTER_DIR` and `RASD_CLUSTER_PORT`.

mod pg_samples;

use pg_samples::{Server, migrated, repo, sqlite_samples, text};
use rasd_pg::testkit::server;
use serde_json::Value;
use std::process::Command;

const TOKEN: &str = "token-of-the-test";

/// Runs `scripts/cluster-local.sh ARGS`; its standard output.
fn cluster(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(repo().join("scripts/cluster-local.sh"))
        .args(args)
        .output()
        .expect("run the script");
    assert!(out.status.success(), "cluster-local.sh {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Starts PostgreSQL again when dropped, so that a failing test leaves it running.
struct Restart;

impl Drop for Restart {
    fn drop(&mut self) {
        cluster(&["pg-start"]);
    }
}

/// A 503 with a JSON error that names PostgreSQL and shows no password.
fn unavailable(what: &str, (code, body): (u16, Vec<u8>)) {
    assert_eq!(code, 503, "{what}: {}", text(&body));
    let v: Value = serde_json::from_slice(&body).expect("a JSON error");
    let message = v["error"].as_str().expect("error");
    assert!(message.contains("PostgreSQL"), "{what}: {message}");
    assert!(!message.contains(":rasd@"), "the password is redacted: {message}");
}

#[test]
fn serve_on_postgres_answers_again_after_a_restart() {
    let test = "serve_on_postgres_answers_again_after_a_restart";
    let Some(pg) = server(test) else {
        return;
    };
    if !cluster(&["env"]).contains(&format!("export RASD_DB={pg}\n")) {
        eprintln!(
            "SKIPPED {test}: RASD_DB is not the server of scripts/cluster-local.sh (with this RASD_CLUSTER_DIR and \
             RASD_CLUSTER_PORT), which this test stops and starts"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (sqlite, _) = sqlite_samples(dir.path());
    let db = migrated(&pg, "cli_serve_restart", &sqlite);
    let s = Server::start_with(&db.url, &["--token", TOKEN, "--pool", "2"]);
    let before = s.json("/api/events?limit=5");
    let event = before["events"][0]["id"].as_str().expect("an event").to_string();
    let correction = format!("/api/events/{event}/corrections");
    let filed = |s: &Server| {
        let read = s.json(&format!("/api/events/{event}"));
        read["corrections"].as_array().map_or(0, Vec::len)
    };
    let corrections = filed(&s);
    let doc = r#"{"id":"team-restart","outlet":"test","published":"2017-11-14","text":"قصفت طائرات مسيرة مواقع قرب الميادين."}"#;

    {
        let _restart = Restart;
        cluster(&["pg-stop"]);
        unavailable("a read", s.get("/api/events?limit=5"));
        unavailable(
            "an upload",
            s.send("POST", "/api/ingest?name=late.jsonl", Some(TOKEN), doc),
        );
        unavailable(
            "a correction",
            s.send("POST", &correction, Some(TOKEN), r#"{"wrong": true}"#),
        );
    }

    assert_eq!(s.json("/api/events?limit=5"), before);
    let (code, body) = s.send("POST", "/api/ingest?name=late.jsonl", Some(TOKEN), doc);
    assert_eq!(code, 200, "{}", text(&body));
    let v: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["stats"]["stored"], 1, "{v}");
    let (code, body) = s.send("POST", &correction, Some(TOKEN), r#"{"wrong": true}"#);
    assert_eq!(code, 201, "{}", text(&body));
    assert_eq!(filed(&s), corrections + 1);
}
