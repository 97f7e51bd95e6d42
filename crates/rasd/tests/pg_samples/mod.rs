//! What the PostgreSQL tests of the binary share: the binary, an SQLite database of real Arabic reports (the
//! repository's `samples/` and the two articles of `../shared/samples`) to move into PostgreSQL, and a running
//! `rasd serve` to send requests to; and the canonical state of a database (dump and alerts), to compare the two.

#![allow(dead_code)]

#[path = "../serve_child/mod.rs"]
mod serve_child;

use rasd_pg::testkit::{Scratch, alerts_without_times};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

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

/// A scratch PostgreSQL database `name` on `server` holding what `rasd migrate` moves from the SQLite file `sqlite`.
pub fn migrated(server: &str, name: &str, sqlite: &Path) -> Scratch {
    let db = Scratch::new(server, name);
    let out = run(rasd()
        .arg("migrate")
        .arg(format!("sqlite:{}", sqlite.display()))
        .arg(&db.url)
        .arg("--quiet"));
    assert!(out.status.success(), "migrate: {}", text(&out.stderr));
    db
}

/// `d` normalised ([`rasd_pg::dump::normalise`]), less the alerts (they carry the time they were raised: compared
/// apart, without it).
pub fn normalised(mut d: rasd_pg::dump::Dump) -> rasd_pg::dump::Dump {
    d.insert("alerts", Vec::new());
    rasd_pg::dump::normalise(d, &[])
}

/// The canonical dump of the SQLite database at `path` ([`normalised`]) and its alerts without their times.
pub fn sqlite_state(path: &Path) -> (rasd_pg::dump::Dump, Vec<String>) {
    let conn = rusqlite::Connection::open(path).expect("open");
    let d = normalised(rasd_pg::dump::sqlite(&conn).expect("dump sqlite"));
    let store = rasd_store::Store::open_read_only(path).expect("open the store");
    (d, alerts_without_times(store.alerts_since(0).expect("sqlite alerts")))
}

/// The canonical dump of the PostgreSQL database at `url` ([`normalised`]) and its alerts without their times.
pub fn postgres_state(url: &str) -> (rasd_pg::dump::Dump, Vec<String>) {
    let mut c = rasd_pg::connect(url).expect("connect");
    let d = normalised(rasd_pg::dump::postgres(&mut c).expect("dump postgres"));
    let a = rasd_pg::read::read(url, |db| db.alerts_since(0).map_err(rasd_pg::Error::from)).expect("pg alerts");
    (d, alerts_without_times(a))
}

/// A running `rasd serve`, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(db: &str) -> Server {
        Server::start_with(db, &[])
    }

    /// A server of `db` with more flags (`--token T`, `--pool N`).
    pub fn start_with(db: &str, flags: &[&str]) -> Server {
        let mut child = rasd()
            .args(["serve", "--addr", "127.0.0.1:0", "--db", db])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rasd serve");
        let (line, addr) = serve_child::address(&mut child);
        assert!(!line.contains(":rasd@"), "the password is not printed: {line}");
        Server { child, addr }
    }

    /// `method path` with `body`: the status and the body of the answer.
    pub fn request(&self, method: &str, path: &str, body: &str) -> (u16, Vec<u8>) {
        self.send(method, path, None, body)
    }

    /// `method path` with `body` and, when given, the header `Authorization: Bearer TOKEN`.
    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{auth}Content-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .expect("request");
        let mut answer = Vec::new();
        s.read_to_end(&mut answer).expect("answer");
        let end = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("{path}: no header end in {:?}", text(&answer)));
        let head = text(&answer[..end]).to_ascii_lowercase();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("{path}: no status in {head:?}"));
        let mut body = answer[end + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            body = unchunk(&body);
        }
        (status, body)
    }

    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.request("GET", path, "")
    }

    pub fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {}", text(&body));
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

impl Server {
    /// Stops the server as Ctrl-C does (SIGINT) and waits for it: whether it exited with status 0.
    pub fn interrupt(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().expect("kill");
        assert!(sent.success(), "kill -INT {pid}");
        self.child.wait().expect("wait").success()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(text(&b[..eol]).trim(), 16).expect("a chunk size");
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
}
