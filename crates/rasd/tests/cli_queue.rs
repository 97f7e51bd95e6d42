//! The scale-out path (issue 14) with the real binary against the real servers `scripts/cluster-local.sh up`
//! starts (`RASD_DB`: PostgreSQL, `RASD_NATS`: a 3-node NATS JetStream cluster): `rasd queue push`, several
//! `rasd worker` processes and `rasd reconcile --worker --once` into a scratch PostgreSQL database must give the
//! tables `rasd ingest` + `rasd reconcile --full` give on SQLite for the same documents (compared with
//! `rasd_pg::dump`), also after a repeated push, a worker killed mid-shard, a worker that died between its
//! commit and its ack, and a poison shard. Each test uses a stream prefix of its own. Without the servers the
//! tests say they are skipped; the error cases that need none always run.
//!
//! The worker's Prometheus endpoint (`--metrics`) and JSON logs (`--log-format json`) are checked against what it
//! processed. The fault tests (the JetStream leader node killed mid-load, PostgreSQL restarted mid-load, a SIGTERM
//! while every NATS node is down) need a cluster `scripts/cluster-local.sh` runs (they call its `kill-node`,
//! `start-node`, `pg-stop`, `pg-start`), and run alone: the other tests hold a shared lock, they an exclusive one.

use rasd_pg::dump::{self, Dump};
use rasd_pg::testkit::{Scratch, server};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

/// Held shared by the tests that use the servers, exclusively by those that stop one.
static SERVERS: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    SERVERS.read().unwrap_or_else(|p| p.into_inner())
}

fn exclusive() -> RwLockWriteGuard<'static, ()> {
    SERVERS.write().unwrap_or_else(|p| p.into_inner())
}

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

/// The reference: `rasd ingest` into SQLite, then `rasd reconcile --full`, dumped.
fn reference(dir: &Path, inputs: &[String]) -> Dump {
    let db = dir.join("reference.db");
    let out = run(rasd().args(["ingest", "--quiet", "--db"]).arg(&db).args(inputs));
    assert!(out.status.success(), "ingest: {}", text(&out.stderr));
    let out = run(rasd().args(["reconcile", "--full", "--quiet", "--db"]).arg(&db));
    assert!(out.status.success(), "reconcile: {}", text(&out.stderr));
    let conn = rusqlite::Connection::open(&db).expect("open reference");
    dump::normalise(dump::sqlite(&conn).expect("dump sqlite"), &[])
}

fn pg_dump(url: &str) -> Dump {
    let mut c = rasd_pg::connect(url).expect("connect");
    dump::normalise(dump::postgres(&mut c).expect("dump postgres"), &[])
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
        self.try_status().unwrap_or_else(|e| panic!("status: {e}"))
    }

    fn try_status(&self) -> Result<serde_json::Value, String> {
        let out = run(&mut self.cmd(&["queue", "status", "--json"]));
        if !out.status.success() {
            return Err(text(&out.stderr));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("status --json: {e}"))
    }

    /// A worker with an ack wait of 3 s (a killed worker's shard is soon delivered again).
    fn worker(&self, extra: &[&str], log: &Path) -> Child {
        let mut args = vec!["--ack-wait", "3"];
        args.extend_from_slice(extra);
        self.worker_with(&args, log)
    }

    /// A worker with the flags `extra` only.
    fn worker_with(&self, extra: &[&str], log: &Path) -> Child {
        let mut args = vec!["worker", "--db", &self.pg];
        args.extend_from_slice(extra);
        self.cmd(&args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log"))
            .spawn()
            .expect("spawn worker")
    }

    /// Waits until no shard is pending or in flight (a status that fails, as while a node is down and its
    /// streams elect a leader, is asked again).
    fn drained(&self, limit: Duration) {
        let t = Instant::now();
        loop {
            let s = self.try_status();
            if let Ok(s) = &s
                && s["pending"] == 0
                && s["in_flight"] == 0
            {
                return;
            }
            assert!(t.elapsed() < limit, "the queue did not drain in {limit:?}: {s:?}");
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
    let _servers = shared();
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

    let mut workers: Vec<Child> = (0..3)
        .map(|i| q.worker(&[], &dir.path().join(format!("w{i}.log"))))
        .collect();
    q.drained(Duration::from_secs(300));
    // The SIGTERM below must find each worker running (its handler installed), not still starting: on a loaded
    // machine two workers can drain the queue before the third has begun.
    started(&mut workers, dir.path());
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

/// Polls `sql` (a single integer) until `ok` holds, for at most `limit`.
fn wait_for(url: &str, sql: &str, limit: Duration, ok: impl Fn(i64) -> bool) -> i64 {
    let t = Instant::now();
    loop {
        let n = count(url, sql);
        if ok(n) {
            return n;
        }
        assert!(t.elapsed() < limit, "`{sql}` gave {n} after {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_reprocessing_run_keeps_the_old_records_until_it_switches_over_at_once() {
    let test = "a_reprocessing_run_keeps_the_old_records_until_it_switches_over_at_once";
    let Some((pg, nats)) = servers(test) else { return };
    let _servers = shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = inputs();
    let reference = reference(dir.path(), &inputs);
    let db = Scratch::new(&pg, "queue_reprocess");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("reprocess"),
    };
    q.push(&["--shard-size", "40"], &inputs);
    let w = q.worker(&[], &dir.path().join("load.log"));
    q.drained(Duration::from_secs(300));
    assert!(stop(w).success());
    q.reconcile_once();
    assert_same(&reference, &pg_dump(&db.url), "before re-processing");
    let docs = count(&db.url, "SELECT count(*) FROM docs");

    // What an older rasd would have stored: another version's name, other records (some missing, some wrong).
    // Sized by what was stored: without ../shared/corpus only the bundled samples are (a few dozen records).
    let stored = count(&db.url, "SELECT count(*) FROM events");
    let (missing, wrong) = (stored / 4, stored / 3);
    assert!(missing > 0 && wrong > 0, "{stored} records stored");
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    c.batch_execute(&format!(
        "UPDATE docs SET extractor = 'rasd-0.0.1-old';
         DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT {missing});
         UPDATE events SET fatalities = 999 WHERE id IN (SELECT id FROM events ORDER BY id DESC LIMIT {wrong});",
    ))
    .expect("make the records old");
    let old_events = count(&db.url, "SELECT count(*) FROM events");
    let old_marked = "SELECT count(*) FROM events WHERE fatalities = 999";
    assert_eq!(count(&db.url, old_marked), wrong);

    let first = q.push(&["--reprocess", "--db", &db.url, "--shard-size", "10"], &[]);
    assert_eq!(first["reprocess"]["total"].as_i64(), Some(docs), "{first}");
    assert_eq!(first["documents"].as_i64(), Some(docs), "{first}");
    assert_eq!(first["reprocess"]["resumed"], false, "{first}");
    // A slow worker does a few shards and is killed mid-run: the old records are what every query sees.
    let mut slow = q.worker(&["--debug-delay-ms", "1500"], &dir.path().join("slow.log"));
    let done_sql = "SELECT count(*) FROM reprocess_docs WHERE done";
    let done = wait_for(&db.url, done_sql, Duration::from_secs(120), |n| n >= 10);
    assert!(done < docs, "the run is not over yet ({done} of {docs})");
    assert_eq!(count(&db.url, "SELECT count(*) FROM events"), old_events);
    assert_eq!(
        count(&db.url, old_marked),
        wrong,
        "the old records stay until the run completes"
    );
    assert!(count(&db.url, "SELECT count(*) FROM reprocess_events") > 0);
    signal(&slow, "-KILL");
    slow.wait().expect("wait");
    assert_eq!(count(&db.url, old_marked), wrong);
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM docs WHERE extractor = 'rasd-0.0.1-old'"),
        docs
    );
    let run_status = || -> serde_json::Value {
        let out = run(&mut q.cmd(&["queue", "status", "--json", "--db", &db.url]));
        assert!(out.status.success(), "status: {}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("status --json")["reprocess"].clone()
    };
    let mid = run_status();
    assert_eq!(
        (mid["state"].as_str(), mid["total"].as_i64()),
        (Some("running"), Some(docs)),
        "{mid}"
    );
    assert!(mid["remaining"].as_i64().expect("remaining") < docs, "{mid}");

    // Pushed again: the run resumes with the documents not done yet.
    let again = q.push(&["--reprocess", "--db", &db.url, "--shard-size", "10"], &[]);
    assert_eq!(again["reprocess"]["resumed"], true, "{again}");
    let remaining = again["reprocess"]["remaining"].as_i64().expect("remaining");
    assert!(remaining < docs && remaining > 0, "{again}");
    assert!(again["documents"].as_i64().expect("documents") <= remaining, "{again}");
    let workers: Vec<Child> = (0..2)
        .map(|i| q.worker(&[], &dir.path().join(format!("r{i}.log"))))
        .collect();
    wait_for(
        &db.url,
        "SELECT count(*) FROM reprocess_run WHERE state = 'done'",
        Duration::from_secs(300),
        |n| n == 1,
    );
    q.drained(Duration::from_secs(120));
    for w in workers {
        assert!(stop(w).success());
    }
    let logs: String = (0..2)
        .map(|i| std::fs::read_to_string(dir.path().join(format!("r{i}.log"))).expect("log"))
        .collect();
    assert_eq!(
        logs.matches("is complete: the records of its").count(),
        1,
        "one worker switched the run over:\n{logs}"
    );
    // The new records, the documents' version and the derived tables are those of a fresh SQLite ingest.
    assert_eq!(count(&db.url, old_marked), 0);
    assert_eq!(count(&db.url, "SELECT count(*) FROM reprocess_events"), 0);
    assert_same(&reference, &pg_dump(&db.url), "after re-processing");
    let end = run_status();
    assert_eq!(
        (end["state"].as_str(), end["remaining"].as_i64()),
        (Some("done"), Some(0)),
        "{end}"
    );

    // Nothing left to re-process; --all starts a run over every document.
    let none = q.push(&["--reprocess", "--db", &db.url], &[]);
    assert_eq!(
        (none["reprocess"]["total"].as_i64(), none["documents"].as_i64()),
        (Some(0), Some(0)),
        "{none}"
    );
    let all = q.push(&["--reprocess", "--all", "--db", &db.url], &[]);
    assert_eq!(all["reprocess"]["total"].as_i64(), Some(docs), "{all}");
}

#[test]
fn a_killed_worker_and_a_worker_dead_before_its_ack_change_nothing() {
    let test = "a_killed_worker_and_a_worker_dead_before_its_ack_change_nothing";
    let Some((pg, nats)) = servers(test) else { return };
    let _servers = shared();
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
    let _servers = shared();
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
    assert!(reason.contains("not valid JSON"), "{reason}\n{log}");
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

/// Waits (up to `limit`) for a line of the log file `log` that `pick` maps to something; the child must not have
/// exited meanwhile.
fn log_line<T>(child: &mut Child, log: &Path, limit: Duration, pick: impl Fn(&str) -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        let content = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(v) = content.lines().find_map(&pick) {
            return v;
        }
        if let Some(s) = child.try_wait().expect("wait") {
            panic!("the worker exited ({s}):\n{content}");
        }
        assert!(t.elapsed() < limit, "no such line in {limit:?}:\n{content}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An HTTP/1.0 GET on 127.0.0.1: the status code and the body.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the metrics endpoint");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("request");
    let mut r = String::new();
    s.read_to_string(&mut r).expect("response");
    let (head, body) = r.split_once("\r\n\r\n").expect("a response head");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    (code, body.to_string())
}

/// The samples of a Prometheus text exposition: `name{labels}` → value.
fn samples(exposition: &str) -> std::collections::BTreeMap<String, f64> {
    exposition
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, v) = l.rsplit_once(' ').expect("name value");
            (name.to_string(), v.parse().expect("a number"))
        })
        .collect()
}

#[test]
fn a_worker_serves_metrics_that_count_what_it_processed() {
    let test = "a_worker_serves_metrics_that_count_what_it_processed";
    let Some((pg, nats)) = servers(test) else { return };
    let _servers = shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Scratch::new(&pg, "queue_metrics");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("metrics"),
    };
    let samples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    let pushed = q.push(&["--shard-size", "5"], &[samples_dir.display().to_string()]);
    let (docs, shards) = (
        pushed["documents"].as_u64().expect("n"),
        pushed["shards"].as_u64().expect("n"),
    );
    assert!(shards >= 2, "{pushed}");
    let log = dir.path().join("w.log");
    // A long ack wait: on a loaded machine too, each shard is delivered once, and counted once.
    let mut w = q.worker_with(&["--ack-wait", "120", "--metrics", "127.0.0.1:0"], &log);
    let addr = log_line(&mut w, &log, Duration::from_secs(60), |l| {
        l.strip_prefix("rasd worker: metrics on http://")
            .and_then(|r| r.strip_suffix("/metrics"))
            .map(str::to_string)
    });
    q.drained(Duration::from_secs(300));
    let (code, body) = http_get(&addr, "/metrics");
    assert_eq!(code, 200, "{body}");
    let m = samples(&body);
    let get = |name: &str| *m.get(name).unwrap_or_else(|| panic!("no {name} in\n{body}"));
    let stored = count(&db.url, "SELECT count(*) FROM docs") as f64;
    let failures = count(&db.url, "SELECT count(*) FROM failures") as f64;
    let events = count(&db.url, "SELECT count(*) FROM events") as f64;
    assert_eq!(get("rasd_worker_shards_done_total"), shards as f64, "{body}");
    assert_eq!(get("rasd_worker_shards_failed_total"), 0.0, "{body}");
    assert_eq!(get("rasd_worker_shards_dead_lettered_total"), 0.0, "{body}");
    assert_eq!(
        get("rasd_worker_documents_read_total"),
        (docs + pushed["unreadable"].as_u64().unwrap_or(0)) as f64
    );
    assert_eq!(get("rasd_worker_documents_new_total"), stored, "{body}");
    assert_eq!(get("rasd_worker_documents_failed_total"), failures, "{body}");
    assert_eq!(
        get("rasd_worker_documents_new_total")
            + get("rasd_worker_documents_duplicate_total")
            + get("rasd_worker_documents_failed_total"),
        get("rasd_worker_documents_read_total"),
        "{body}"
    );
    assert!(events > 0.0);
    assert_eq!(get("rasd_worker_events_written_total"), events, "{body}");
    assert_eq!(get("rasd_worker_shard_extract_seconds_count"), shards as f64, "{body}");
    assert_eq!(
        get("rasd_worker_shard_write_seconds_bucket{le=\"+Inf\"}"),
        shards as f64,
        "{body}"
    );
    assert_eq!(get("rasd_worker_shards_in_flight"), 0.0, "{body}");
    let info = format!(
        "rasd_build_info{{version=\"{}\",extractor=\"{}\"}}",
        env!("CARGO_PKG_VERSION"),
        rasd_events::VERSION
    );
    assert_eq!(get(&info), 1.0, "{body}");
    // Only /metrics is served.
    assert_eq!(http_get(&addr, "/").0, 404);
    assert_eq!(http_get(&addr, "/metrics/x").0, 404);
    assert!(stop(w).success());
    // Where it cannot listen, the worker says so and fails.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let out = run(&mut q.cmd(&[
        "worker",
        "--db",
        &q.pg,
        "--metrics",
        &busy.local_addr().expect("addr").to_string(),
    ]));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot listen there"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_logs_are_one_object_per_line_with_the_shard_and_its_counts() {
    let test = "json_logs_are_one_object_per_line_with_the_shard_and_its_counts";
    let Some((pg, nats)) = servers(test) else { return };
    let _servers = shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Scratch::new(&pg, "queue_json");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("json"),
    };
    let samples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    let pushed = q.push(&["--shard-size", "8"], &[samples_dir.display().to_string()]);
    let (docs, shards) = (
        pushed["documents"].as_u64().expect("n"),
        pushed["shards"].as_u64().expect("n"),
    );
    let log = dir.path().join("w.log");
    let w = q.worker_with(&["--ack-wait", "120", "--log-format", "json"], &log);
    q.drained(Duration::from_secs(300));
    assert!(stop(w).success());
    let content = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<serde_json::Value> = content
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{content}")))
        .collect();
    for l in &lines {
        assert!(l["timestamp"].is_string() && l["level"].is_string(), "{l}");
        assert!(l["message"].as_str().is_some_and(|m| !m.is_empty()), "{l}");
    }
    assert!(
        lines[0]["message"].as_str().expect("m").starts_with("pulling "),
        "{content}"
    );
    assert_eq!(lines[0]["max_deliver"], 5, "{content}");
    let done: Vec<&serde_json::Value> = lines.iter().filter(|l| l.get("read").is_some()).collect();
    assert_eq!(done.len() as u64, shards, "one object per shard:\n{content}");
    let ids: std::collections::BTreeSet<&str> = done.iter().filter_map(|l| l["shard"].as_str()).collect();
    assert_eq!(ids.len() as u64, shards, "{content}");
    let mut read = 0;
    for l in &done {
        assert_eq!(l["level"], "INFO", "{l}");
        assert!(l["seq"].as_u64().is_some_and(|s| s >= 1), "{l}");
        assert_eq!(l["delivery"], 1, "{l}");
        for k in [
            "new",
            "duplicates",
            "failures",
            "events",
            "ms",
            "extract_ms",
            "write_ms",
        ] {
            assert!(l[k].is_u64(), "{k} in {l}");
        }
        assert_eq!(l["acked"], true, "{l}");
        assert!(l["message"].as_str().expect("m").starts_with("shard "), "{l}");
        read += l["read"].as_u64().expect("read");
    }
    assert_eq!(read, docs, "{content}");
    let new: u64 = done.iter().map(|l| l["new"].as_u64().expect("new")).sum();
    assert_eq!(new as i64, count(&db.url, "SELECT count(*) FROM docs"));
    let last = lines.last().expect("a line");
    assert_eq!(last["shards"], shards, "{content}");
}

/// The cluster `scripts/cluster-local.sh` runs, when `RASD_DB` and `RASD_NATS` are its servers (the fault tests
/// stop and start them through the script); else a message saying that `test` is skipped.
fn local_cluster(test: &str) -> Option<(String, String)> {
    let (pg, nats) = servers(test)?;
    let out = Command::new("bash")
        .arg(script())
        .arg("env")
        .output()
        .expect("run the script");
    let env = text(&out.stdout);
    if env.contains(&format!("export RASD_DB={pg}\n")) && env.contains(&format!("export RASD_NATS={nats}\n")) {
        Some((pg, nats))
    } else {
        eprintln!(
            "SKIPPED {test}: RASD_DB and RASD_NATS are not the servers of scripts/cluster-local.sh (with this \
             RASD_CLUSTER_DIR and RASD_CLUSTER_PORT), which this test stops and starts"
        );
        None
    }
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/cluster-local.sh")
}

/// `scripts/cluster-local.sh ARGS`, which must succeed.
fn cluster(args: &[&str]) {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .expect("run the script");
    assert!(out.status.success(), "cluster-local.sh {args:?}: {}", text(&out.stderr));
}

/// The node (1..3) leading `stream`, asked of the cluster's servers.
fn stream_leader(nats: &str, stream: &str) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let leader = rt.block_on(async {
        let addrs: Vec<async_nats::ServerAddr> = nats.split(',').map(|s| s.parse().expect("addr")).collect();
        let client = async_nats::connect(addrs).await.expect("connect");
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream(stream).await.expect("stream");
        let info = s.info().await.expect("stream info");
        info.cluster.as_ref().and_then(|c| c.leader.clone())
    });
    let leader = leader.expect("the stream has a leader");
    leader
        .strip_prefix("rasd-n")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("leader {leader:?} is not a node of cluster-local.sh"))
}

/// Waits until each worker has started (connected to both servers, said so in its log `w{i}.log` of `dir`).
fn started(workers: &mut [Child], dir: &Path) {
    for (i, w) in workers.iter_mut().enumerate() {
        log_line(w, &dir.join(format!("w{i}.log")), Duration::from_secs(120), |l| {
            l.starts_with("rasd worker: pulling ").then_some(())
        });
    }
}

/// Waits until at least `n` documents are stored (the schema may not be there yet: the workers make it).
fn stored_at_least(url: &str, n: i64, limit: Duration) {
    let t = Instant::now();
    let stored = || {
        rasd_pg::connect(url)
            .and_then(|mut c| Ok(c.query_one("SELECT count(*) FROM docs", &[])?.get::<_, i64>(0)))
            .unwrap_or(0)
    };
    while stored() < n {
        assert!(t.elapsed() < limit, "fewer than {n} documents stored after {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Restarts the NATS nodes it names when dropped, so that a failed test leaves the cluster whole.
struct Restart(Vec<usize>);

impl Drop for Restart {
    fn drop(&mut self) {
        let nodes: Vec<String> = self.0.iter().map(|k| k.to_string()).collect();
        let _ = Command::new("bash")
            .arg(script())
            .arg("start-node")
            .args(&nodes)
            .output();
    }
}

#[test]
fn killing_the_jetstream_leader_mid_load_loses_and_doubles_nothing() {
    let test = "killing_the_jetstream_leader_mid_load_loses_and_doubles_nothing";
    let Some((pg, nats)) = local_cluster(test) else { return };
    let _servers = exclusive();
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = inputs();
    let reference = reference(dir.path(), &inputs);
    let db = Scratch::new(&pg, "queue_leader");
    let q = Queue {
        nats: nats.clone(),
        pg: db.url.clone(),
        stream: prefix("leader"),
    };
    // Half the documents queued before, half pushed while the node is down.
    let (before, after) = inputs.split_at(inputs.len().div_ceil(2));
    q.push(&["--shard-size", "10"], before);
    let mut workers: Vec<Child> = (0..3)
        .map(|i| q.worker(&["--debug-delay-ms", "200"], &dir.path().join(format!("w{i}.log"))))
        .collect();
    started(&mut workers, dir.path());
    stored_at_least(&db.url, 10, Duration::from_secs(120));
    let leader = stream_leader(&nats, &format!("{}_WORK", q.stream));
    // A worker's client talks to one node, of its choosing: more workers until one talks to the leader, so that
    // the kill cuts a worker's connection too (each has a chance of 1 in 3).
    let monitor = {
        let url = nats.split(',').nth(leader - 1).expect("the leader's URL");
        let port: u16 = url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
        format!("127.0.0.1:{}", port + 20)
    };
    let on_leader = || {
        let (_, body) = http_get(&monitor, "/connz");
        let connz: serde_json::Value = serde_json::from_str(&body).expect("connz");
        connz["connections"]
            .as_array()
            .map(|c| c.iter().filter(|c| c["name"] == "rasd worker").count())
            .unwrap_or(0)
    };
    while on_leader() == 0 {
        assert!(workers.len() < 30, "no worker connected to node {leader}");
        let i = workers.len();
        workers.push(q.worker(&["--debug-delay-ms", "200"], &dir.path().join(format!("w{i}.log"))));
        started(&mut workers, dir.path());
    }
    let restart = Restart(vec![leader]);
    cluster(&["kill-node", &leader.to_string()]);
    if !after.is_empty() {
        q.push(&["--shard-size", "10"], after);
    }
    q.drained(Duration::from_secs(600));
    // The node comes back, catches up; the queue stays drained.
    drop(restart);
    cluster(&["start-node", &leader.to_string()]);
    q.drained(Duration::from_secs(120));
    let n = workers.len();
    let statuses: Vec<_> = workers.into_iter().map(stop).collect();
    let logs: String = (0..n)
        .map(|i| std::fs::read_to_string(dir.path().join(format!("w{i}.log"))).expect("log"))
        .collect();
    assert!(
        statuses.iter().all(|s| s.success()),
        "the workers survived the node and exit 0 on SIGTERM: {statuses:?}\n{logs}"
    );
    q.reconcile_once();
    assert_same(&reference, &pg_dump(&db.url), "after killing the stream's leader node");
    let s = q.status();
    assert_eq!(s["dead_letters"], 0, "{s}\n{logs}");
}

#[test]
fn restarting_postgresql_mid_load_loses_and_doubles_nothing() {
    let test = "restarting_postgresql_mid_load_loses_and_doubles_nothing";
    let Some((pg, nats)) = local_cluster(test) else { return };
    let _servers = exclusive();
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = inputs();
    let reference = reference(dir.path(), &inputs);
    let db = Scratch::new(&pg, "queue_pgrestart");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("pgrestart"),
    };
    q.push(&["--shard-size", "10"], &inputs);
    // Slow enough that the load outlasts the stop on a busy machine (with 500 ms the workers could finish every
    // shard before PostgreSQL went down, and never see it go).
    let mut workers: Vec<Child> = (0..2)
        .map(|i| q.worker(&["--debug-delay-ms", "1500"], &dir.path().join(format!("w{i}.log"))))
        .collect();
    started(&mut workers, dir.path());
    stored_at_least(&db.url, 10, Duration::from_secs(120));
    cluster(&["pg-stop"]);
    // Down long enough for the workers to find it gone.
    std::thread::sleep(Duration::from_secs(3));
    cluster(&["pg-start"]);
    q.drained(Duration::from_secs(600));
    let statuses: Vec<_> = workers.into_iter().map(stop).collect();
    let logs: String = (0..2)
        .map(|i| std::fs::read_to_string(dir.path().join(format!("w{i}.log"))).expect("log"))
        .collect();
    assert!(
        statuses.iter().all(|s| s.success()),
        "the workers survived the restart and exit 0 on SIGTERM: {statuses:?}\n{logs}"
    );
    assert!(
        logs.contains("rasd worker: connected to PostgreSQL again"),
        "the workers connected again:\n{logs}"
    );
    assert!(!logs.contains(" moved to "), "nothing was dead-lettered:\n{logs}");
    q.reconcile_once();
    assert_same(&reference, &pg_dump(&db.url), "after restarting PostgreSQL");
    let s = q.status();
    assert_eq!(s["dead_letters"], 0, "{s}");
}

#[test]
fn a_worker_stops_on_sigterm_with_every_nats_node_down() {
    let test = "a_worker_stops_on_sigterm_with_every_nats_node_down";
    let Some((pg, nats)) = local_cluster(test) else { return };
    let _servers = exclusive();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Scratch::new(&pg, "queue_nonats");
    let q = Queue {
        nats,
        pg: db.url.clone(),
        stream: prefix("nonats"),
    };
    let mut workers = vec![q.worker(&[], &dir.path().join("w0.log"))];
    started(&mut workers, dir.path());
    let restart = Restart(vec![1, 2, 3]);
    for k in ["1", "2", "3"] {
        cluster(&["kill-node", k]);
    }
    std::thread::sleep(Duration::from_secs(2));
    // No server answers: the worker still sees the signal, and stops (its pulls and its last flush give up).
    let status = stop(workers.pop().expect("worker"));
    let log = std::fs::read_to_string(dir.path().join("w0.log")).expect("log");
    assert!(status.success(), "{status}\n{log}");
    assert!(log.contains("rasd worker: stopped after 0 shard(s)"), "{log}");
    drop(restart);
    cluster(&["start-node", "1", "2", "3"]);
    // The cluster works again (and the tests after this one find it so): a shard pushed is written.
    let t = Instant::now();
    while q.try_status().is_err() {
        assert!(t.elapsed() < Duration::from_secs(120), "the cluster did not come back");
        std::thread::sleep(Duration::from_millis(500));
    }
    let samples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    let pushed = q.push(&[], &[samples_dir.display().to_string()]);
    let w = q.worker_with(&["--ack-wait", "120"], &dir.path().join("w1.log"));
    q.drained(Duration::from_secs(300));
    assert!(stop(w).success());
    assert!(pushed["documents"].as_i64().expect("n") > 0, "{pushed}");
    assert!(count(&db.url, "SELECT count(*) FROM docs") > 0);
}
