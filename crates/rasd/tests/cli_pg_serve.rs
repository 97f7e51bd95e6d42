//! `rasd serve` on PostgreSQL (issue 14): real Arabic reports (the repository's `samples/` and the two articles
//! of `../shared/samples`) ingested into SQLite by the real binary and moved into the real PostgreSQL server that
//! `RASD_DB` names (`eval "$(scripts/cluster-local.sh up)"`) with `rasd migrate`; the real binary serves each, and
//! every read endpoint, with a range of filters and following every page, must answer the same status and the
//! same body, byte for byte. Then, on PostgreSQL: the kept answers change when the data does, and a request
//! while the server cannot be reached is answered 503 and the next one after it is back is answered again.
//!
//! The writes: the same uploads (`POST /api/ingest`) through a server of SQLite and one of PostgreSQL, both
//! started from the same database, answer the same counts and leave the same tables (canonical dumps,
//! `rasd_pg::dump`); a correction is stored and read back on both; 401 and 403 are the same; and with PostgreSQL
//! out of reach a write is answered 503 and the next one after it is back is stored. Without `RASD_DB` the tests
//! say they are skipped.

mod pg_samples;

use pg_samples::{Server, migrated, postgres_state, rasd, run, sqlite_samples, sqlite_state, text};
use rasd_pg::testkit::server;
use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// `s` percent-encoded for a query string.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b',' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Requests `path` of both servers: the same status and the same body. Returns the body.
fn same(a: &Server, b: &Server, path: &str) -> (u16, Vec<u8>) {
    let (sa, ba) = a.get(path);
    let (sb, bb) = b.get(path);
    assert_eq!(
        sa,
        sb,
        "{path}: status\nSQLite: {}\nPostgreSQL: {}",
        text(&ba),
        text(&bb)
    );
    assert!(
        ba == bb,
        "{path}: the bodies differ\n--- SQLite\n{}\n--- PostgreSQL\n{}",
        text(&ba),
        text(&bb)
    );
    (sa, ba)
}

/// Follows the `next` cursor of `path` (a list of `key`) on both servers, `limit` items a page, checking every
/// page; returns the items read.
fn same_pages(a: &Server, b: &Server, path: &str, key: &str) -> usize {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut page = format!("{path}{sep}limit=2");
    let mut items = 0;
    for _ in 0..500 {
        let (status, body) = same(a, b, &page);
        assert_eq!(status, 200, "{page}: {}", text(&body));
        let v: Value = serde_json::from_slice(&body).expect("json");
        items += v[key].as_array().map_or(0, Vec::len);
        match v["next"].as_str() {
            Some(next) => page = format!("{path}{sep}limit=2&cursor={}", enc(next)),
            None => return items,
        }
    }
    panic!("{path}: more than 500 pages");
}

/// A TCP relay to PostgreSQL that can be cut: [`Relay::cut`] closes the connections it carries (as a network that
/// fails under the server's pooled connections), and while it is down every new connection is closed at once, as
/// a server that is not there.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (flag, carried) = (up.clone(), live.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !flag.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(pg) = TcpStream::connect(&target) else { continue };
                let (Ok(mut c2), Ok(mut p2), Ok(c3)) = (client.try_clone(), pg.try_clone(), client.try_clone()) else {
                    continue;
                };
                carried.lock().expect("live").push(c3);
                let (mut c1, mut p1) = (client, pg);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c1, &mut p1);
                    let _ = p1.shutdown(std::net::Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut p2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Relay { port, up, live }
    }

    /// Closes every connection it carries and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.live.lock().expect("live").drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Carries new connections again.
    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// `url` (a PostgreSQL URL) through this relay.
    fn url(&self, url: &str) -> String {
        let (head, rest) = url.split_once('@').expect("a URL with a user");
        let tail = rest.split_once('/').expect("a URL with a database").1;
        format!("{head}@127.0.0.1:{}/{tail}", self.port)
    }
}

/// A relay to the server of the PostgreSQL URL `url`.
fn relay_to(url: &str) -> Relay {
    let rest = url.split_once('@').expect("a URL with a user").1;
    Relay::start(rest.split_once('/').expect("a URL with a database").0.to_string())
}

#[test]
fn serve_answers_the_same_on_postgres() {
    let Some(pg) = server("serve_answers_the_same_on_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (sqlite, doc) = sqlite_samples(dir.path());
    let db = migrated(&pg, "cli_serve", &sqlite);

    // PostgreSQL through a relay that the test can cut.
    let relay = relay_to(&db.url);
    let url = relay.url(&db.url);

    let a = Server::start(&sqlite.display().to_string());
    let b = Server::start(&url);

    let status = b.json("/api/status");
    assert!(status["counts"]["events"].as_u64().unwrap_or(0) > 20, "{status}");
    same(&a, &b, "/api/status");
    same(&a, &b, "/api/openapi.json");

    let events = b.json("/api/events?limit=500");
    let list = events["events"].as_array().expect("events");
    assert!(list.len() > 20, "{events}");
    let event_id = list[0]["id"].as_str().expect("an event id").to_string();

    let filters = [
        String::new(),
        format!("place={}", enc("البوكمال")),
        format!("place={}", enc("Albu Kamal")),
        "place=gn:174448".into(),
        "place=nowhere-at-all".into(),
        "near=34.45,40.92,25".into(),
        format!("admin1={}", enc("دير الزور")),
        "admin1=SY".into(),
        "actor=isis".into(),
        "actor=ISIS".into(),
        "type=battles".into(),
        format!("type={}", enc("Air/drone strike")),
        "from=2017-11-01&to=2017-11-30".into(),
        "from=2019-01-01".into(),
        "source=sana".into(),
        "source=SANA".into(),
        "type=Battles&admin1=deir&from=2017-01-01".into(),
        "from=2017-13-01".into(),
        "no_such_filter=1".into(),
    ];
    let mut read = 0;
    for f in &filters {
        for list in ["events", "incidents"] {
            let (_, body) = same(&a, &b, &format!("/api/{list}?{f}"));
            read += body.len();
        }
        same(&a, &b, &format!("/api/export.csv?{f}"));
        same(&a, &b, &format!("/api/export.geojson?{f}&exclude_corrected=true"));
    }
    assert!(read > 50_000, "the filters select events: {read} bytes");
    let contradiction_filters = [
        String::new(),
        "kind=controller".into(),
        "kind=fatalities".into(),
        format!("place={}", enc("البوكمال")),
        "source=sana".into(),
        "from=2017-11-01&to=2017-12-31".into(),
        "kind=nonsense".into(),
    ];
    let mut paged = 0;
    for f in &contradiction_filters {
        if same(&a, &b, &format!("/api/contradictions?{f}")).0 == 200 {
            paged += same_pages(&a, &b, &format!("/api/contradictions?{f}"), "contradictions");
        }
    }
    assert!(paged > 10, "the filters select contradictions: {paged}");
    for f in ["", "type=Battles", "source=sana", "from=2017-11-01"] {
        assert!(same_pages(&a, &b, &format!("/api/events?{f}"), "events") > 0, "{f}");
        same_pages(&a, &b, &format!("/api/incidents?{f}"), "incidents");
    }
    // The offset cursor of events does not fit the keyed lists: the same 400.
    let (code, _) = same(&a, &b, "/api/incidents?cursor=o4");
    assert_eq!(code, 400);

    let contradictions = b.json("/api/contradictions?limit=500");
    let cid = contradictions["contradictions"][0]["id"]
        .as_str()
        .expect("a contradiction")
        .to_string();
    for path in [
        format!("/api/events/{event_id}"),
        "/api/events/no-such-event".into(),
        format!("/api/contradictions/{cid}"),
        "/api/contradictions/no-such".into(),
        format!("/api/docs/{doc}"),
        "/api/docs/no-such-document".into(),
        "/api/places".into(),
        "/api/sources".into(),
        "/api/map".into(),
        "/api/map/summary".into(),
        "/api/map/summary?bucket=day".into(),
        "/api/map/summary?bucket=week&from=2017-11-01&to=2017-11-30".into(),
        "/api/map/summary?bucket=month".into(),
        "/api/no-such-endpoint".into(),
    ] {
        same(&a, &b, &path);
    }
    for place in ["البوكمال", "Albukamal", "gn:174448", "nowhere-at-all"] {
        let p = enc(place);
        same(&a, &b, &format!("/api/places/{p}/timeline"));
        same(&a, &b, &format!("/api/places/{p}/timeline?horizon=30"));
        same(
            &a,
            &b,
            &format!("/api/places/{p}/timeline?from=2017-11-10&to=2017-11-20"),
        );
    }
    // The event an analyst marked wrong, with its correction.
    let mut c = rasd_pg::connect(&db.url).expect("connect");
    let corrected: String = c
        .query_one("SELECT event_id FROM corrections", &[])
        .expect("the correction")
        .get(0);
    let (_, body) = same(&a, &b, &format!("/api/events/{corrected}"));
    let event: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(event["corrections"][0]["note"], "ليس حدثاً", "{event}");

    // Writes without a token: 403 on both, the same words.
    for (path, body) in [
        ("/api/ingest", "قصف جوي على البوكمال"),
        (&*format!("/api/events/{event_id}/corrections"), r#"{"wrong": true}"#),
    ] {
        let (sa, ba) = a.request("POST", path, body);
        let (sb, bb) = b.request("POST", path, body);
        assert_eq!((sa, text(&ba)), (sb, text(&bb)), "{path}");
        assert_eq!(sb, 403, "{path}: {}", text(&bb));
    }

    // Kept answers (status, sources, the map's cells, counts) change with the data: an event and a contradiction
    // go, straight in PostgreSQL.
    let before = (
        b.json("/api/status"),
        b.json("/api/contradictions?limit=1"),
        b.json("/api/map/summary"),
        b.json("/api/sources"),
    );
    let located: String = c
        .query_one(
            "SELECT id FROM events WHERE lat IS NOT NULL AND event_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' ORDER BY id LIMIT 1",
            &[],
        )
        .expect("a located event")
        .get(0);
    c.execute("DELETE FROM events WHERE id = $1", &[&located])
        .expect("delete an event");
    c.execute("DELETE FROM contradictions WHERE id = $1", &[&cid])
        .expect("delete a contradiction");
    let after = (
        b.json("/api/status"),
        b.json("/api/contradictions?limit=1"),
        b.json("/api/map/summary"),
        b.json("/api/sources"),
    );
    let count = |v: &Value, k: &str| v["counts"][k].as_u64().expect(k);
    assert_eq!(count(&after.0, "events") + 1, count(&before.0, "events"));
    assert_eq!(
        count(&after.0, "contradictions") + 1,
        count(&before.0, "contradictions")
    );
    assert_eq!(
        after.1["total"].as_u64().expect("total") + 1,
        before.1["total"].as_u64().expect("total")
    );
    let summed = |v: &Value| -> u64 {
        v["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f["properties"]["events"].as_u64().expect("events"))
            .sum()
    };
    assert_eq!(summed(&after.2) + 1, summed(&before.2));
    assert_ne!(after.3, before.3, "the sources count the contradiction no more");

    // PostgreSQL unreachable (the pool's connections cut too): 503 in JSON, not a crash; back: answered again.
    relay.cut();
    for path in ["/api/status", "/api/events", "/api/sources", "/api/map/summary"] {
        let (code, body) = b.get(path);
        assert_eq!(code, 503, "{path}: {}", text(&body));
        let v: Value = serde_json::from_slice(&body).expect("a JSON error");
        let message = v["error"].as_str().expect("error");
        assert!(message.contains("PostgreSQL"), "{message}");
        assert!(!message.contains(":rasd@"), "the password is redacted: {message}");
    }
    relay.restore();
    assert_eq!(b.json("/api/status"), after.0);
    assert_eq!(b.json("/api/sources"), after.3);
}

/// The token of the writing servers.
const TOKEN: &str = "token-of-the-test";

/// `POST path` with `body` and the token to both servers: the same status and the same body. Returns them.
fn same_post(a: &Server, b: &Server, path: &str, body: &str) -> (u16, Value) {
    let (sa, ba) = a.send("POST", path, Some(TOKEN), body);
    let (sb, bb) = b.send("POST", path, Some(TOKEN), body);
    assert_eq!(
        (sa, text(&ba)),
        (sb, text(&bb)),
        "{path}: the answers of SQLite (left) and PostgreSQL (right) differ"
    );
    (
        sa,
        serde_json::from_slice(&ba).unwrap_or_else(|e| panic!("{path}: {e}: {}", text(&ba))),
    )
}

/// `v` without the time a correction was filed (`at`), at any depth.
fn without_times(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            m.remove("at");
            for x in m.values_mut() {
                *x = without_times(x.take());
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                *x = without_times(x.take());
            }
        }
        _ => {}
    }
    v
}

#[test]
fn writes_on_postgres_store_what_sqlite_stores() {
    let Some(pg) = server("writes_on_postgres_store_what_sqlite_stores") else {
        return;
    };
    // Both start from the wire reports: ingested into SQLite by the binary, moved into PostgreSQL.
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = dir.path().join("writes.db");
    let root = pg_samples::repo();
    let out = run(rasd()
        .args(["ingest", "--quiet", "--db"])
        .arg(&sqlite)
        .arg(root.join("samples/wire.jsonl")));
    assert!(out.status.success(), "ingest: {}", text(&out.stderr));
    let db = migrated(&pg, "cli_serve_writes", &sqlite);
    let relay = relay_to(&db.url);
    let a = Server::start_with(&sqlite.display().to_string(), &["--token", TOKEN]);
    let mut b = Server::start_with(&relay.url(&db.url), &["--token", TOKEN, "--pool", "2"]);
    assert_eq!(b.json("/api/status")["writes"], true);

    // The same uploads, one at a time: pages, feeds, notes, the shared articles (when present), the wire again
    // (duplicates), and documents of the test's own, one of them a line that is no document.
    let mut files = Vec::new();
    for sub in ["samples/pages", "samples/feeds", "samples/notes", "../shared/samples"] {
        let Ok(list) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        let mut list: Vec<_> = list.map(|e| e.expect("entry").path()).collect();
        list.sort();
        files.extend(list);
    }
    files.push(root.join("samples/wire.jsonl"));
    let mut uploads: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let name = f.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(f).expect("read"))
        })
        .collect();
    uploads.push((
        "team.jsonl".into(),
        concat!(
            r#"{"id":"team-1","outlet":"test","published":"2017-11-12","text":"قال مصدر محلي إن طائرات حربية "#,
            r#"قصفت أطراف مدينة البوكمال صباح اليوم، وقتل ثلاثة مدنيين."}"#,
            "\nليس سطراً من JSON\n",
            r#"{"id":"team-2","outlet":"test","published":"2017-11-13","text":"أعلن الجيش السوري سيطرته "#,
            r#"الكاملة على مدينة الميادين بعد معارك مع تنظيم الدولة."}"#,
            "\n"
        )
        .to_string(),
    ));
    let mut total = [0u64; 4];
    for (name, body) in &uploads {
        let (code, v) = same_post(&a, &b, &format!("/api/ingest?name={name}"), body);
        assert_eq!(code, 200, "{name}: {v}");
        for (i, k) in ["stored", "duplicates", "failures", "events"].iter().enumerate() {
            total[i] += v["stats"][k].as_u64().unwrap_or_else(|| panic!("{name}: {k} in {v}"));
        }
    }
    let [stored, duplicates, failures, events] = total;
    assert!(
        stored >= 5 && duplicates >= 20 && failures >= 1 && events > 10,
        "{total:?}"
    );
    // The same rows in every table (less when and in which order they were written), and the same answers.
    let (sd, sa) = sqlite_state(&sqlite);
    let (pd, pa) = postgres_state(&db.url);
    if let Some(d) = rasd_pg::dump::difference("sqlite", &sd, "postgres", &pd) {
        panic!("after the uploads: {d}");
    }
    assert!(!pd["events"].is_empty() && !pd["incidents"].is_empty());
    assert_eq!(sa, pa, "the alerts the uploads raised");
    same(&a, &b, "/api/status");
    assert!(same_pages(&a, &b, "/api/events", "events") > 20);
    assert!(same_pages(&a, &b, "/api/contradictions", "contradictions") > 0);
    same_pages(&a, &b, "/api/incidents", "incidents");
    same(&a, &b, "/api/sources");

    // A correction: stored (201, numbered by the table), and read back with the event; twice, two rows.
    let event = b.json("/api/events?limit=1")["events"][0]["id"]
        .as_str()
        .expect("an event")
        .to_string();
    let path = format!("/api/events/{event}/corrections");
    let mut seqs = Vec::new();
    for body in [
        r#"{"field": "fatalities", "value": 4, "note": "العدد في البيان الرسمي", "author": "analyst"}"#,
        r#"{"wrong": true}"#,
    ] {
        let (sa, ba) = a.send("POST", &path, Some(TOKEN), body);
        let (sb, bb) = b.send("POST", &path, Some(TOKEN), body);
        assert_eq!((sa, sb), (201, 201), "{}\n{}", text(&ba), text(&bb));
        let (va, vb): (Value, Value) = (
            serde_json::from_slice(&ba).expect("json"),
            serde_json::from_slice(&bb).expect("json"),
        );
        assert_eq!(without_times(va), without_times(vb.clone()));
        seqs.push(vb["correction"]["seq"].as_i64().expect("seq"));
    }
    assert_eq!(seqs.len(), 2);
    assert!(seqs[0] < seqs[1], "{seqs:?}");
    let (sa, read_a) = a.get(&format!("/api/events/{event}"));
    let (sb, read_b) = b.get(&format!("/api/events/{event}"));
    assert_eq!((sa, sb), (200, 200));
    let read_b: Value = serde_json::from_slice(&read_b).expect("json");
    let read_a: Value = serde_json::from_slice(&read_a).expect("json");
    assert_eq!(without_times(read_a), without_times(read_b.clone()));
    let stored: Vec<i64> = read_b["corrections"]
        .as_array()
        .expect("corrections")
        .iter()
        .map(|c| c["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(stored, seqs, "{read_b}");
    assert_eq!(read_b["corrections"][0]["note"], "العدد في البيان الرسمي");
    // Refused the same way: an unknown event, a field that cannot be corrected, an empty correction.
    for (path, body, code) in [
        ("/api/events/no-such-event/corrections", r#"{"wrong": true}"#, 404),
        (&*path, r#"{"field": "colour", "value": 1}"#, 400),
        (&*path, r#"{"note": "  "}"#, 400),
        ("/api/ingest", "", 400),
        ("/api/ingest?name=..x", "نص", 400),
    ] {
        assert_eq!(same_post(&a, &b, path, body).0, code, "{path} {body}");
    }
    // A wrong token, and none: 401 on both, the same words.
    for token in [Some("not-the-token"), None] {
        let (sa, ba) = a.send("POST", "/api/ingest", token, "نص");
        let (sb, bb) = b.send("POST", "/api/ingest", token, "نص");
        assert_eq!((sa, text(&ba)), (sb, text(&bb)));
        assert_eq!(sb, 401);
    }

    // PostgreSQL out of reach (the pooled connections cut too): writes are answered 503 in JSON; back, the next
    // write is stored.
    relay.cut();
    let doc =
        r#"{"id":"team-3","outlet":"test","published":"2017-11-14","text":"قصفت طائرات مسيرة مواقع قرب الميادين."}"#;
    for (path, body) in [("/api/ingest?name=late.jsonl", doc), (&*path, r#"{"wrong": true}"#)] {
        let (code, answer) = b.send("POST", path, Some(TOKEN), body);
        assert_eq!(code, 503, "{path}: {}", text(&answer));
        let v: Value = serde_json::from_slice(&answer).expect("a JSON error");
        let message = v["error"].as_str().expect("error");
        assert!(message.contains("PostgreSQL"), "{message}");
        assert!(!message.contains(":rasd@"), "the password is redacted: {message}");
    }
    relay.restore();
    let (code, answer) = b.send("POST", "/api/ingest?name=late.jsonl", Some(TOKEN), doc);
    assert_eq!(code, 200, "{}", text(&answer));
    let v: Value = serde_json::from_slice(&answer).expect("json");
    assert_eq!(v["stats"]["stored"], 1, "{v}");
    let (code, answer) = b.send("POST", &path, Some(TOKEN), r#"{"wrong": true}"#);
    assert_eq!(code, 201, "{}", text(&answer));
    b.json("/api/docs/team-3");

    // Ctrl-C: the pooled connections are closed, and the server exits with status 0.
    assert!(b.interrupt(), "rasd serve on PostgreSQL stops cleanly on SIGINT");
}
