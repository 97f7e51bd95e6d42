//! The scale-out path (issue 14) with the real binary against the real servers `scripts/cluster-local.sh up`
//! starts (`RASD_DB`: PostgreSQL, `RASD_NATS`: a 3-node NATS JetStream cluster): `rasd queue push`, several
//! `rasd worker` processes and `rasd reconcile --worker --once` into a scratch PostgreSQL database must give the
//! tables `rasd ingest` + `rasd reconcile --full` give on SQLite for the same documents (compared with
//! `rasd_pg::dump`), also after a repeated push, a worker killed mid-shard, a worker that died between its
//! commit and its ack, and a poison shard. Each test uses a stream prefix of its own. Without the servers the
//! tests say they are skipped; the error cases that need none always run.

use rasd_pg::dump::{self, Dump};
use rasd_pg::tables::TABLES;
use rasd_pg::testkit::{Scratch, server};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn rasd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rasd"));
    c.env_remove("RASD_DB")
        .env_remove("RASD_NATS")
        .env_remove("RASD_STREAM");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run rasd")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// PostgreSQL and NATS, or a message saying that `test` is skipped.
fn servers(test: &str) -> Option<(String, String)> {
    let pg = server(test)?;
    match std::env::var("RASD_NATS") {
        Ok(n) if n.starts_with("nats://") => Some((pg, n)),
        _ => {
            eprintln!(
                "SKIPPED {test}: RASD_NATS is not set (run `eval \"$(scripts/cluster-local.sh up)\"` to test against \
                 a real NATS JetStream cluster)"
            );
            None
        }
    }
}

/// The bundled samples and a few hundred documents of the shared corpus (when present).
fn inputs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut v = vec![root.join("samples").display().to_string()];
    let corpus = root.join("../shared/corpus");
    for f in ["iraq-syria-2.jsonl", "region-2.jsonl", "protests-2.jsonl"] {
        let p = corpus.join(f);
        if p.exists() {
            v.push(p.display().to_string());
        }
    }
    v
}

/// A unique stream prefix for a test.
fn prefix(test: &str) -> String {
    format!("T{}_{}", test, std::process::id())
}

/// Columns whose values depend on when and in which order rows were written, not on what was stored:
/// blanked before comparing (`docs.seq` follows commit order, so `doc_bands.seq` too).
const VOLATILE: &[(&str, &str)] = &[
    ("docs", "seq"),
    ("docs", "ingested_at"),
    ("failures", "at"),
    ("doc_bands", "seq"),
];

fn normalise(mut d: Dump) -> Dump {
    for t in TABLES {
        let cols: Vec<&str> = t.columns.iter().chain(t.generated).copied().collect();
        let blank: Vec<usize> = VOLATILE
            .iter()
            .filter(|(table, _)| *table == t.name)
            .filter_map(|(_, c)| cols.iter().position(|x| x == c))
            .collect();
        let rows = d.get_mut(t.name).expect("table");
        for row in rows.iter_mut() {
            let mut cells: Vec<String> = row.split('\u{1f}').map(str::to_string).collect();
            for &i in &blank {
                cells[i] = "·".into();
            }
            // meta.bands_seq is the last document number.
            if t.name == "meta" && cells[0] == "\"bands_seq\"" {
                cells[1] = "·".into();
            }
            *row = cells.join("\u{1f}");
        }
        rows.sort_unstable();
    }
    d
}

/// The reference: `rasd ingest` into SQLite, then `rasd reconcile --full`, dumped.
fn reference(dir: &Path, inputs: &[String]) -> Dump {
    let db = dir.join("reference.db");
    let out = run(rasd().args(["ingest", "--quiet", "--db"]).arg(&db).args(inputs));
    assert!(out.status.success(), "ingest: {}", text(&out.stderr));
    let out = run(rasd().args(["reconcile", "--full", "--quiet", "--db"]).arg(&db));
    assert!(out.status.success(), "reconcile: {}", text(&out.stderr));
    let conn = rusqlite::Connection::open(&db).expect("open reference");
    normalise(dump::sqlite(&conn).expect("dump sqlite"))
}

fn pg_dump(url: &str) -> Dump {
    let mut c = rasd_pg::connect(url).expect("connect");
    normalise(dump::postgres(&mut c).expect("dump postgres"))
}

fn assert_same(reference: &Dump, got: &Dump, what: &str) {
    if let Some(d) = dump::difference("sqlite", reference, "postgres", got) {
        panic!("{what}: {d}");
    }
    assert!(!reference["events"].is_empty() && !reference["incidents"].is_empty());
}

struct Queue {
    nats: String,
    pg: String,
    stream: String,
}

impl Queue {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = rasd();
        c.args(args).args(["--nats", &self.nats, "--stream", &self.stream]);
        c
    }

    fn push(&self, extra: &[&str], inputs: &[String]) -> serde_json::Value {
        let mut args = vec!["queue", "push", "--json"];
        args.extend_from_slice(extra);
        let out = run(self.cmd(&args).args(inputs));
        assert!(out.status.success(), "push: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("push --json")
    }

    fn status(&self) -> serde_json::Value {
        let out = run(&mut self.cmd(&["queue", "status", "--json"]));
        assert!(out.status.success(), "status: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("status --json")
    }

    fn worker(&self, extra: &[&str], log: &Path) -> Child {
        let mut args = vec!["worker", "--db", &self.pg, "--ack-wait", "3"];
        args.extend_from_slice(extra);
        self.cmd(&args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log"))
            .spawn()
            .expect("spawn worker")
    }

    /// Waits until no shard is pending or in flight.
    fn drained(&self, limit: Duration) {
        let t = Instant::now();
        loop {
            let s = self.status();
            if s["pending"] == 0 && s["in_flight"] == 0 {
                return;
            }
            assert!(t.elapsed() < limit, "the queue did not drain in {limit:?}: {s}");
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn reconcile_once(&self) -> String {
        let out = run(&mut self.cmd(&["reconcile", "--worker", "--once", "--db", &self.pg]));
        assert!(out.status.success(), "reconcile --worker: {}", text(&out.stderr));
        text(&out.stdout)
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

/// SIGTERM, then the exit status (which must come within 60 s).
fn stop(mut child: Child) -> std::process::ExitStatus {
    signal(&child, "-TERM");
    let t = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if t.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("worker did not stop within 60 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn count(url: &str, sql: &str) -> i64 {
    rasd_pg::connect(url)
        .expect("connect")
        .query_one(sql, &[])
        .expect("count")
        .get(0)
}

#[test]
fn three_workers_give_the_sqlite_tables_and_a_repeated_push_doubles_nothing() {
    let test = "three_workers_give_the_sqlite_tables_and_a_repeated_push_doubles_nothing";
    let Some((pg, nats)) = servers(test) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = inputs();
    let reference = reference(dir.path(), &inputs);
    let db = Scratch::new(&pg, "queue_equiv");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("equiv"),
    };
    let first = q.push(&["--shard-size", "40"], &inputs);
    let docs = first["documents"].as_u64().expect("documents");
    let shards = first["shards"].as_u64().expect("shards");
    assert!(docs > 30 && shards == docs.div_ceil(40), "{first}");
    assert_eq!(first["duplicate_shards"], 0, "{first}");
    // The same push again: every shard is a duplicate JetStream drops.
    let again = q.push(&["--shard-size", "40"], &inputs);
    assert_eq!(again["duplicate_shards"], shards, "{again}");
    assert_eq!(q.status()["pending"], shards, "only one copy of each shard is queued");

    let workers: Vec<Child> = (0..3)
        .map(|i| q.worker(&[], &dir.path().join(format!("w{i}.log"))))
        .collect();
    q.drained(Duration::from_secs(300));
    let statuses: Vec<_> = workers.into_iter().map(stop).collect();
    let logs: String = (0..3)
        .map(|i| std::fs::read_to_string(dir.path().join(format!("w{i}.log"))).expect("log"))
        .collect();
    assert!(
        statuses.iter().all(|s| s.success()),
        "workers exit 0 on SIGTERM: {statuses:?}\n{logs}"
    );
    // Each shard is acknowledged once: one line of counts per shard. (A delivery that failed before its ack is
    // retried: its line says "failed"; the dump below shows nothing doubled.)
    let done: Vec<&str> = logs
        .lines()
        .filter(|l| l.starts_with("rasd worker: shard ") && l.contains(" read, "))
        .collect();
    let ids: std::collections::BTreeSet<&str> = done.iter().filter_map(|l| l.split_whitespace().nth(3)).collect();
    assert_eq!(
        (done.len() as u64, ids.len() as u64),
        (shards, shards),
        "one line of counts per shard:\n{logs}"
    );
    let out = q.reconcile_once();
    assert!(out.contains("reconciled"), "{out}");
    assert_same(&reference, &pg_dump(&db.url), "3 workers");
    let s = q.status();
    assert_eq!(
        (s["pending"].as_u64(), s["dead_letters"].as_u64()),
        (Some(0), Some(0)),
        "{s}"
    );
    // Documents committed in the last minute (all of them when the machine is fast enough; some in any case).
    assert!(s["documents_last_minute"].as_u64().expect("count") > 0, "{s}");

    // The stored documents published again (other shards, so new message ids): stored already, nothing doubles.
    let ref_db = dir.path().join("reference.db");
    let from_db = q.push(&["--from-db", &format!("sqlite:{}", ref_db.display())], &[]);
    assert!(from_db["documents"].as_u64().expect("n") > 0, "{from_db}");
    let w = q.worker(&[], &dir.path().join("again.log"));
    q.drained(Duration::from_secs(120));
    assert!(stop(w).success());
    q.reconcile_once();
    assert_same(
        &reference,
        &pg_dump(&db.url),
        "after re-publishing every stored document",
    );
}

#[test]
fn a_killed_worker_and_a_worker_dead_before_its_ack_change_nothing() {
    let test = "a_killed_worker_and_a_worker_dead_before_its_ack_change_nothing";
    let Some((pg, nats)) = servers(test) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = inputs();
    let reference = reference(dir.path(), &inputs);
    let db = Scratch::new(&pg, "queue_kill");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("kill"),
    };
    q.push(&["--shard-size", "40"], &inputs);
    // A worker that holds its shard (extracted, not yet written) is killed.
    let mut slow = q.worker(&["--debug-delay-ms", "60000"], &dir.path().join("slow.log"));
    let t = Instant::now();
    while q.status()["in_flight"] == 0 {
        assert!(t.elapsed() < Duration::from_secs(60), "the slow worker took no shard");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    signal(&slow, "-KILL");
    slow.wait().expect("wait");
    // A worker that dies right after its first commit, before acknowledging it.
    let mut dying = q.worker(&["--debug-die-after-commit"], &dir.path().join("dying.log"));
    let status = dying.wait().expect("wait");
    assert_eq!(
        status.code(),
        Some(3),
        "{}",
        std::fs::read_to_string(dir.path().join("dying.log")).unwrap_or_default()
    );
    // The others take over, the two shards included (redelivered after the ack wait).
    let workers: Vec<Child> = (0..2)
        .map(|i| q.worker(&[], &dir.path().join(format!("w{i}.log"))))
        .collect();
    q.drained(Duration::from_secs(300));
    for w in workers {
        assert!(stop(w).success());
    }
    let logs: String = (0..2)
        .map(|i| std::fs::read_to_string(dir.path().join(format!("w{i}.log"))).expect("log"))
        .collect();
    let again = logs
        .lines()
        .filter(|l| l.contains(", delivery ") && !l.contains(", delivery 1)"))
        .count();
    assert!(again >= 1, "shards were delivered again:\n{logs}");
    assert!(
        logs.contains(" 0 new "),
        "the committed shard stored nothing twice:\n{logs}"
    );
    q.reconcile_once();
    assert_same(
        &reference,
        &pg_dump(&db.url),
        "after a SIGKILL and a death before the ack",
    );
}

#[test]
fn a_poison_shard_is_dead_lettered_and_a_poison_document_is_a_failure() {
    let test = "a_poison_shard_is_dead_lettered_and_a_poison_document_is_a_failure";
    let Some((pg, nats)) = servers(test) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Scratch::new(&pg, "queue_poison");
    let q = Queue {
        nats: nats.clone(),
        pg: db.url.clone(),
        stream: prefix("poison"),
    };
    // A document with a bad line between two good ones: the bad line is a failure, the others are stored.
    let jsonl = dir.path().join("mixed.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\":\"good-1\",\"text\":\"قصف مدفعي على أطراف مدينة البوكمال\"}\n{not json\n\
         {\"id\":\"good-2\",\"text\":\"اشتباكات عنيفة في ريف دير الزور الشرقي\"}\n",
    )
    .expect("write");
    let pushed = q.push(&[], &[jsonl.display().to_string()]);
    assert_eq!(pushed["unreadable"], 1, "{pushed}");
    // A shard that is not JSON at all, published as any producer could.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let addrs: Vec<async_nats::ServerAddr> = nats.split(',').map(|s| s.parse().expect("addr")).collect();
        let client = async_nats::connect(addrs).await.expect("connect");
        let js = async_nats::jetstream::new(client);
        js.publish(format!("{}.work", q.stream), "this is not a shard".into())
            .await
            .expect("publish")
            .await
            .expect("ack");
    });
    let w = q.worker(&["--max-deliver", "2"], &dir.path().join("w.log"));
    let t = Instant::now();
    while q.status()["dead_letters"] == 0 {
        assert!(t.elapsed() < Duration::from_secs(60), "no dead letter");
        std::thread::sleep(Duration::from_millis(200));
    }
    q.drained(Duration::from_secs(60));
    assert!(stop(w).success());
    let log = std::fs::read_to_string(dir.path().join("w.log")).expect("log");
    assert!(log.contains("will be retried"), "{log}");
    assert!(log.contains("not valid JSON"), "{log}");
    let s = q.status();
    assert_eq!(s["dead_letters"], 1, "{s}");
    let out = run(&mut q.cmd(&["queue", "status"]));
    assert!(text(&out.stdout).contains("1 dead letter(s)"), "{}", text(&out.stdout));
    // The dead letter keeps the shard and says why.
    let reason = rt.block_on(async {
        let addrs: Vec<async_nats::ServerAddr> = nats.split(',').map(|s| s.parse().expect("addr")).collect();
        let client = async_nats::connect(addrs).await.expect("connect");
        let js = async_nats::jetstream::new(client);
        let dlq = js.get_stream(format!("{}_DLQ", q.stream)).await.expect("dlq stream");
        let m = dlq.get_raw_message(1).await.expect("dead letter");
        assert_eq!(&m.payload[..], b"this is not a shard");
        m.headers
            .get("Rasd-Reason")
            .map(|v| v.as_str().to_string())
            .unwrap_or_default()
    });
    assert!(reason.contains("not valid JSON"), "{reason}");
    assert_eq!(count(&db.url, "SELECT count(*) FROM docs"), 2);
    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) FROM failures WHERE origin LIKE '%mixed.jsonl:2'"
        ),
        1
    );
}

#[test]
fn bad_connections_are_clear_errors() {
    // Nothing listens on port 9 (discard) of 127.0.0.1 in a test environment.
    let out = run(rasd().args(["queue", "status", "--nats", "nats://127.0.0.1:9"]));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("cannot connect to NATS at nats://127.0.0.1:9"), "{err}");
    let out = run(rasd().args(["queue", "push", "x.txt"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no NATS server"), "{}", text(&out.stderr));
    let out = run(rasd().args(["worker", "--db", "rasd.db", "--nats", "nats://127.0.0.1:9"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("writes to PostgreSQL"),
        "{}",
        text(&out.stderr)
    );
    let out = run(rasd().args(["worker", "--nats", "nats://127.0.0.1:9"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no database"), "{}", text(&out.stderr));
    let out = run(rasd().args(["queue", "push", "--stream", "a.b", "--nats", "nats://127.0.0.1:9", "x"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("stream prefix"), "{}", text(&out.stderr));
    let out = run(rasd().args(["reconcile", "--once"]));
    assert_eq!(out.status.code(), Some(2), "--once needs --worker");
}
