//! `rasd serve` on PostgreSQL (issue 14): real Arabic reports (the repository's `samples/` and the two articles
//! of `../shared/samples`) ingested into SQLite by the real binary and moved into the real PostgreSQL server that
//! `RASD_DB` names (`eval "$(scripts/cluster-local.sh up)"`) with `rasd migrate`; the real binary serves each, and
//! every read endpoint, with a range of filters and following every page, must answer the same status and the
//! same body, byte for byte. Then, on PostgreSQL: the kept answers change when the data does, the writes are
//! answered 501, and a request while the server cannot be reached is answered 503 and the next one after it is
//! back is answered again. Without `RASD_DB` the test says it is skipped.

mod pg_samples;

use pg_samples::{rasd, run, sqlite_samples, text};
use rasd_pg::testkit::{Scratch, server};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A running `rasd serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(db: &str) -> Server {
        let mut child = rasd()
            .args(["serve", "--addr", "127.0.0.1:0", "--db", db])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rasd serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the address line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        assert!(!line.contains(":rasd@"), "the password is not printed: {line}");
        Server { child, addr }
    }

    /// `method path` with `body`: the status and the body of the answer.
    fn request(&self, method: &str, path: &str, body: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
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

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.request("GET", path, "")
    }

    fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {}", text(&body));
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{path}: {e}"))
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

/// A TCP relay to PostgreSQL that can be cut: while down, every connection is closed at once, as a server that
/// is not there.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
}

impl Relay {
    fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !flag.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(pg) = TcpStream::connect(&target) else { continue };
                let (Ok(mut c2), Ok(mut p2)) = (client.try_clone(), pg.try_clone()) else {
                    continue;
                };
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
        Relay { port, up }
    }
}

#[test]
fn serve_answers_the_same_on_postgres() {
    let Some(pg) = server("serve_answers_the_same_on_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (sqlite, doc) = sqlite_samples(dir.path());
    let db = Scratch::new(&pg, "cli_serve");
    let out = run(rasd()
        .arg("migrate")
        .arg(format!("sqlite:{}", sqlite.display()))
        .arg(&db.url)
        .arg("--quiet"));
    assert!(out.status.success(), "migrate: {}", text(&out.stderr));

    // PostgreSQL through a relay that the test can cut.
    let (head, rest) = db.url.split_once('@').expect("a URL with a user");
    let (hostport, tail) = rest.split_once('/').expect("a URL with a database");
    let relay = Relay::start(hostport.to_string());
    let url = format!("{head}@127.0.0.1:{}/{tail}", relay.port);

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

    // The writes: 501 on PostgreSQL, with what to do instead.
    for (path, body) in [
        ("/api/ingest", "قصف جوي على البوكمال"),
        (&*format!("/api/events/{event_id}/corrections"), r#"{"wrong": true}"#),
    ] {
        let (code, answer) = b.request("POST", path, body);
        assert_eq!(code, 501, "{path}: {}", text(&answer));
        assert!(text(&answer).contains("rasd queue push"), "{}", text(&answer));
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

    // PostgreSQL unreachable: 503 in JSON, not a crash; back: answered again.
    relay.up.store(false, Ordering::SeqCst);
    for path in ["/api/status", "/api/events", "/api/sources", "/api/map/summary"] {
        let (code, body) = b.get(path);
        assert_eq!(code, 503, "{path}: {}", text(&body));
        let v: Value = serde_json::from_slice(&body).expect("a JSON error");
        let message = v["error"].as_str().expect("error");
        assert!(message.contains("PostgreSQL"), "{message}");
        assert!(!message.contains(":rasd@"), "the password is redacted: {message}");
    }
    relay.up.store(true, Ordering::SeqCst);
    assert_eq!(b.json("/api/status"), after.0);
    assert_eq!(b.json("/api/sources"), after.3);
}
