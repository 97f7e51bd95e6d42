//! What the PostgreSQL tests of the binary share: the binary, and an SQLite database of real Arabic reports (the
//! repository's `samples/` and the two articles of `../shared/samples`) to move into PostgreSQL.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn rasd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rasd"));
    c.env_remove("RASD_DB");
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run rasd")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An SQLite database of the samples, ingested in two runs (so that the second raises alerts), with one
/// analyst correction marking an event wrong; returns its path and the id of a document.
pub fn sqlite_samples(dir: &Path) -> (PathBuf, String) {
    let sqlite = dir.join("samples.db");
    let mut inputs = vec![repo().join("samples/wire.jsonl")];
    let shared = repo().join("../shared/samples");
    if shared.is_dir() {
        inputs.push(shared);
    }
    inputs.push(repo().join("samples"));
    for input in &inputs {
        let out = run(rasd().args(["ingest", "--quiet", "--db"]).arg(&sqlite).arg(input));
        assert!(
            out.status.success(),
            "ingest {}: {}",
            input.display(),
            text(&out.stderr)
        );
    }
    let conn = rusqlite::Connection::open(&sqlite).expect("open");
    let (event, doc): (String, String) = conn
        .query_row("SELECT id, doc_id FROM events ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("an event");
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS corrections(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, field TEXT,
         value TEXT, wrong INTEGER NOT NULL, note TEXT, author TEXT, at INTEGER NOT NULL)",
    )
    .expect("corrections table");
    conn.execute(
        "INSERT INTO corrections(event_id, field, value, wrong, note, author, at)
         VALUES (?1, NULL, NULL, 1, 'ليس حدثاً', 'analyst', 1700000000)",
        [&event],
    )
    .expect("a correction");
    (sqlite, doc)
}
