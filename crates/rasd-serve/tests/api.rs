//! The API against the real server on 127.0.0.1, over a database of rasd's bundled samples: every endpoint,
//! paging, filters, ETags, 4xx answers and the write token.

mod common;

use common::{Server, enc, request};
use serde_json::Value;
use std::sync::OnceLock;

/// One database for the read-only tests (each write test makes its own).
fn db() -> &'static std::path::Path {
    static DB: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    let (_, p) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = common::demo_db(dir.path());
        (dir, p)
    });
    p
}

fn ok(s: &Server, path: &str) -> Value {
    let r = s.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    assert!(r.header("content-type").is_some_and(|c| c.contains("json")), "{path}");
    r.json()
}

/// A 4xx answer with a JSON error that says `says`.
fn fails(s: &Server, path: &str, status: u16, says: &str) {
    let r = s.get(path);
    assert_eq!(r.status, status, "{path}: {}", r.text());
    let err = r.json()["error"].as_str().unwrap_or_default().to_string();
    assert!(err.contains(says), "{path}: {err:?} should say {says:?}");
}

#[test]
fn status_places_sources_and_openapi() {
    let s = Server::start(db(), None);
    let st = ok(&s, "/api/status");
    assert!(st["counts"]["events"].as_u64().unwrap_or(0) > 10, "{st}");
    assert_eq!(st["writes"], false);
    let places = ok(&s, "/api/places");
    let names: Vec<&str> = places["places"]
        .as_array()
        .expect("places")
        .iter()
        .filter_map(|p| p["name_ar"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.contains("كمال")), "{names:?}");
    let sources = ok(&s, "/api/sources")["sources"].as_array().expect("sources").clone();
    assert!(sources.len() >= 3);
    let doc = ok(&s, "/api/openapi.json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for p in [
        "/api/events",
        "/api/incidents",
        "/api/places/{id}/timeline",
        "/api/contradictions",
        "/api/sources",
        "/api/docs/{id}",
        "/api/export.csv",
        "/api/export.geojson",
        "/api/ingest",
        "/api/events/{id}/corrections",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} is not in the OpenAPI document");
    }
    let params: Vec<&str> = doc["paths"]["/api/events"]["get"]["parameters"]
        .as_array()
        .expect("params")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for p in ["type", "actor", "source", "place", "from", "to", "limit", "cursor"] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
}

#[test]
fn events_page_with_cursors_and_filter_like_the_cli() {
    let s = Server::start(db(), None);
    let all = ok(&s, "/api/events?limit=500")["events"]
        .as_array()
        .expect("events")
        .clone();
    assert!(all.len() > 10);
    // Paging by 7 gives the same events in the same order.
    let mut paged = Vec::new();
    let mut path = "/api/events?limit=7".to_string();
    let mut pages = 0;
    loop {
        let page = ok(&s, &path);
        let evs = page["events"].as_array().expect("events");
        assert!(evs.len() <= 7);
        paged.extend(evs.iter().cloned());
        pages += 1;
        match page["next"].as_str() {
            Some(next) => path = format!("/api/events?limit=7&cursor={}", enc(next)),
            None => break,
        }
        assert!(pages < 100, "paging does not end");
    }
    assert_eq!(pages, all.len().div_ceil(7));
    assert_eq!(paged, all);
    // Filters.
    let battles = ok(&s, "/api/events?type=Battles&limit=500")["events"]
        .as_array()
        .expect("e")
        .clone();
    assert!(!battles.is_empty());
    assert!(battles.iter().all(|e| e["event_type"] == "Battles"));
    let here = ok(&s, &format!("/api/events?place={}&limit=500", enc("البوكمال")))["events"]
        .as_array()
        .expect("e")
        .clone();
    assert!(!here.is_empty());
    let id = here[0]["location"]["id"].as_str().expect("place id").to_string();
    assert!(here.iter().all(|e| e["location"]["id"] == id.as_str()));
    let en = ok(&s, "/api/events?place=Albukamal&limit=500")["events"]
        .as_array()
        .expect("e")
        .len();
    assert_eq!(en, here.len(), "English and Arabic names find the same place");
    let dated = ok(&s, "/api/events?from=2017-11-09&to=2017-11-10&limit=500")["events"]
        .as_array()
        .expect("e")
        .clone();
    assert!(!dated.is_empty());
    assert!(dated.iter().all(|e| {
        let d = e["event_date"].as_str().unwrap_or("");
        ("2017-11-09"..="2017-11-10").contains(&d)
    }));
    let src = all[0]["source"].as_str().expect("source").to_string();
    let by_source = ok(&s, &format!("/api/events?source={}&limit=500", enc(&src)))["events"]
        .as_array()
        .expect("e")
        .clone();
    // As in the CLI: the source lane, the publishing outlet, or a lane reported through that outlet.
    assert!(!by_source.is_empty());
    assert!(by_source.iter().all(|e| e["source"] == src.as_str()
        || e["outlet"] == src.as_str()
        || e["source"].as_str().is_some_and(|s| s.starts_with(&format!("{src}@")))));
    if let Some(actor) = all.iter().find_map(|e| e["actor1"]["id"].as_str()) {
        let by_actor = ok(&s, &format!("/api/events?actor={actor}&limit=500"))["events"]
            .as_array()
            .expect("e")
            .clone();
        assert!(!by_actor.is_empty());
    }
    // One event by id.
    let eid = all[0]["id"].as_str().expect("id");
    let one = ok(&s, &format!("/api/events/{}", enc(eid)));
    assert_eq!(one["event"]["id"], eid);
    assert_eq!(one["corrections"], serde_json::json!([]));
    fails(&s, "/api/events/no-such-event", 404, "no event");
}

#[test]
fn etag_and_if_none_match_give_304() {
    let s = Server::start(db(), None);
    let r = s.get("/api/events?limit=5");
    let tag = r.header("etag").expect("etag").to_string();
    let again = request(s.addr, "GET", "/api/events?limit=5", &[("If-None-Match", &tag)], b"");
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    let other = request(s.addr, "GET", "/api/events?limit=6", &[("If-None-Match", &tag)], b"");
    assert_eq!(other.status, 200, "another page has another tag");
    let csv = s.get("/api/export.csv");
    assert!(csv.header("etag").is_some());
}

#[test]
fn incidents_timeline_and_contradictions() {
    let s = Server::start(db(), None);
    let inc = ok(&s, "/api/incidents?limit=3");
    assert!(inc["total"].as_u64().unwrap_or(0) > 3);
    assert_eq!(inc["incidents"].as_array().map(Vec::len), Some(3));
    assert!(inc["next"].is_string());
    let tl = ok(&s, &format!("/api/places/{}/timeline", enc("البوكمال")));
    let lanes = tl["timeline"]["lanes"].as_array().expect("lanes");
    assert!(lanes.len() >= 3, "one lane per source: {}", lanes.len());
    let stances: Vec<&str> = lanes
        .iter()
        .flat_map(|l| l["claims"].as_array().into_iter().flatten())
        .filter_map(|c| c["stance"].as_str())
        .collect();
    assert!(
        stances.contains(&"asserted") && stances.contains(&"denied"),
        "{stances:?}"
    );
    let contested = tl["contested"].as_array().expect("contested");
    assert!(
        contested.iter().any(|c| {
            let (from, to) = (c["from"].as_str().unwrap_or(""), c["to"].as_str().unwrap_or(""));
            from <= "2017-11-09" && to >= "2017-11-10"
        }),
        "a contested stretch covers 9–10 November 2017: {contested:?}"
    );
    let by_id = ok(
        &s,
        &format!(
            "/api/places/{}/timeline?horizon=3",
            enc(tl["place_id"].as_str().expect("id"))
        ),
    );
    assert_eq!(by_id["horizon"], 3);
    fails(&s, "/api/places/Atlantis/timeline", 404, "Atlantis");
    fails(&s, "/api/places/Albukamal/timeline?horizon=0", 400, "horizon");
    let c = ok(&s, "/api/contradictions?limit=500");
    let list = c["contradictions"].as_array().expect("list");
    assert!(!list.is_empty());
    let kind = list[0]["kind"].as_str().expect("kind");
    let same = ok(&s, &format!("/api/contradictions?kind={kind}&limit=500"));
    assert!(
        same["contradictions"]
            .as_array()
            .expect("l")
            .iter()
            .all(|x| x["kind"] == kind)
    );
    let placed = ok(&s, "/api/contradictions?place=Albukamal&limit=500");
    assert!(placed["total"].as_u64().unwrap_or(0) > 0);
    fails(&s, "/api/contradictions?kind=weather", 400, "kind=");
    // One contradiction by id.
    let one = ok(
        &s,
        &format!("/api/contradictions/{}", enc(list[0]["id"].as_str().expect("id"))),
    );
    assert_eq!(one["contradiction"], list[0]);
    fails(&s, "/api/contradictions/no-such-id", 404, "no contradiction");
}

/// Follows `next` from `first` with pages of `limit`, and returns every item's id in order.
fn walk(s: &Server, first: &str, key: &str, limit: usize) -> Vec<String> {
    let sep = if first.contains('?') { '&' } else { '?' };
    let mut path = format!("{first}{sep}limit={limit}");
    let mut ids = Vec::new();
    for _ in 0..10_000 {
        let page = ok(s, &path);
        let items = page[key].as_array().expect("items");
        assert!(items.len() <= limit, "{path}");
        ids.extend(items.iter().filter_map(|i| i["id"].as_str().map(str::to_string)));
        match page["next"].as_str() {
            Some(n) => path = format!("{first}{sep}limit={limit}&cursor={n}"),
            None => return ids,
        }
    }
    panic!("{first}: no last page");
}

#[test]
fn contradictions_and_incidents_page_by_key() {
    let s = Server::start(db(), None);
    for (path, key) in [
        ("/api/contradictions", "contradictions"),
        ("/api/contradictions?kind=controller", "contradictions"),
        ("/api/contradictions?place=Albukamal", "contradictions"),
        ("/api/contradictions?source=sana", "contradictions"),
        ("/api/contradictions?source=sana&kind=controller", "contradictions"),
        ("/api/incidents", "incidents"),
        ("/api/incidents?type=Battles", "incidents"),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let all = ok(&s, &format!("{path}{sep}limit=500"));
        let ids: Vec<String> = all[key]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_string))
            .collect();
        assert!(ids.len() > 2, "{path}: {}", ids.len());
        assert_eq!(all["total"].as_u64(), Some(ids.len() as u64), "{path}");
        assert!(all["next"].is_null(), "{path}");
        assert_eq!(
            walk(&s, path, key, 2),
            ids,
            "{path}: pages of 2 give the same list in the same order"
        );
        assert_eq!(walk(&s, path, key, 7), ids, "{path}");
    }
    // A source on either side: the merged per-side pages are the whole list's rows with that source, in order.
    let every = ok(&s, "/api/contradictions?limit=500");
    let expected: Vec<&str> = every["contradictions"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["a"]["source"] == "sana" || c["b"]["source"] == "sana")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        walk(&s, "/api/contradictions?source=sana", "contradictions", 2),
        expected
    );
    // Incident filters checked while reading (actor, source) page too, and match the unpaged answer.
    let actor = ok(&s, "/api/incidents?limit=500")["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .find_map(|i| i["actor1"][0]["id"].as_str().map(str::to_string))
        .expect("an incident with an actor");
    let path = format!("/api/incidents?actor={}", enc(&actor));
    let all = ok(&s, &format!("{path}&limit=500"));
    assert!(all["total"].is_null(), "no total with a filter checked while reading");
    let ids: Vec<String> = all["incidents"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(walk(&s, &path, "incidents", 1), ids);
    // Cursors are checked: an offset cursor, a foreign key, garbage.
    fails(&s, "/api/contradictions?cursor=o10", 400, "pages by key");
    fails(&s, "/api/incidents?cursor=k41", 400, "cursor");
    fails(&s, "/api/contradictions?cursor=kzz", 400, "cursor=");
}

#[test]
fn the_map_summary_counts_every_located_event() {
    let s = Server::start(db(), None);
    let r = s.get("/api/map/summary");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let g = r.json();
    assert_eq!(g["type"], "FeatureCollection");
    assert_eq!(g["bucket"], "week");
    assert_eq!(g["truncated"], false);
    let features = g["features"].as_array().expect("features");
    assert!(!features.is_empty());
    // Every located event is counted once: in a (place, week) feature, or as undated.
    let points = ok(&s, "/api/map")["points"].as_array().expect("points").clone();
    let dated = points.iter().filter(|p| p["date"].is_string()).count() as u64;
    let events: u64 = features
        .iter()
        .map(|f| f["properties"]["events"].as_u64().expect("n"))
        .sum();
    assert_eq!(events, dated);
    assert_eq!(g["undated"].as_u64(), Some(points.len() as u64 - dated));
    let killed: i64 = points
        .iter()
        .filter(|p| p["date"].is_string())
        .filter_map(|p| p["fatalities"].as_i64())
        .sum();
    assert_eq!(
        features
            .iter()
            .map(|f| f["properties"]["fatalities"].as_i64().expect("k"))
            .sum::<i64>(),
        killed
    );
    for f in features {
        let p = &f["properties"];
        let by_family: u64 = p["families"]
            .as_object()
            .expect("families")
            .values()
            .filter_map(Value::as_u64)
            .sum();
        assert_eq!(by_family, p["events"].as_u64().expect("events"), "{p}");
        assert_eq!(f["geometry"]["type"], "Point");
    }
    // Days, and the time window.
    let days = ok(&s, "/api/map/summary?bucket=day&from=2017-11-09&to=2017-11-10");
    let days = days["features"].as_array().expect("features");
    assert!(!days.is_empty());
    assert!(days.iter().all(|f| {
        let d = f["properties"]["date"].as_str().unwrap_or("");
        ("2017-11-09"..="2017-11-10").contains(&d)
    }));
    assert!(
        days.iter()
            .any(|f| f["properties"]["name"] == "Albukamal" || f["properties"]["name_ar"] == "البو كمال")
    );
    fails(&s, "/api/map/summary?bucket=year", 400, "bucket=");
    fails(&s, "/api/map/summary?type=Battles", 400, "unknown query parameter");
}

#[test]
fn timelines_narrow_to_a_window() {
    let s = Server::start(db(), None);
    let full = ok(&s, "/api/places/Albukamal/timeline");
    let w = ok(&s, "/api/places/Albukamal/timeline?from=2017-11-09&to=2017-11-10");
    let steps = w["timeline"]["steps"].as_array().expect("steps");
    assert!(!steps.is_empty());
    assert!(
        steps
            .iter()
            .all(|st| ("2017-11-09"..="2017-11-10").contains(&st["date"].as_str().unwrap_or("")))
    );
    // The steps in the window are the full timeline's steps on those dates (the views look back `horizon`).
    let same: Vec<&Value> = full["timeline"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|st| ("2017-11-09"..="2017-11-10").contains(&st["date"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(steps.iter().collect::<Vec<_>>(), same);
    assert!(w["contested"].as_array().is_some_and(|c| !c.is_empty()));
    let empty = ok(&s, "/api/places/Albukamal/timeline?from=1990-01-01&to=1990-01-02");
    assert_eq!(empty["timeline"]["steps"].as_array().map(Vec::len), Some(0));
    fails(
        &s,
        "/api/places/Albukamal/timeline?from=2017-11-10&to=2017-11-01",
        400,
        "after",
    );
}

#[test]
fn documents_carry_every_fields_evidence() {
    let s = Server::start(db(), None);
    let events = ok(&s, "/api/events?limit=500")["events"].as_array().expect("e").clone();
    let doc_id = events[0]["doc_id"].as_str().expect("doc id");
    let d = ok(&s, &format!("/api/docs/{}", enc(doc_id)));
    let text = d["doc"]["text"].as_str().expect("text");
    let utf16: Vec<u16> = text.encode_utf16().collect();
    let spans = d["spans"].as_array().expect("spans");
    assert!(spans.iter().any(|s| s["field"] == "evidence"));
    assert!(spans.iter().any(|s| s["field"] != "evidence"), "field spans");
    for sp in spans {
        let (a, b) = (
            sp["start"].as_u64().expect("a") as usize,
            sp["end"].as_u64().expect("b") as usize,
        );
        assert_eq!(text.get(a..b), sp["text"].as_str(), "byte span {sp}");
        let (ua, ub) = (
            sp["u16_start"].as_u64().expect("ua") as usize,
            sp["u16_end"].as_u64().expect("ub") as usize,
        );
        assert_eq!(
            String::from_utf16_lossy(&utf16[ua..ub]),
            sp["text"].as_str().unwrap_or("")
        );
    }
    fails(&s, "/api/docs/no-such-doc", 404, "no document");
    fails(&s, "/api/docs/..%2F..%2F..%2Fetc%2Fpasswd", 404, "no document");
    fails(&s, &format!("/api/docs/{}", "x".repeat(600)), 400, "512");
    fails(&s, "/api/docs/a%00b", 400, "printable");
}

#[test]
fn exports_follow_the_filters() {
    let s = Server::start(db(), None);
    let csv = s.get("/api/export.csv");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    let text = csv.text();
    assert!(
        text.starts_with("event_id_cnty,event_date,year"),
        "{}",
        &text[..80.min(text.len())]
    );
    let all_rows = text.lines().count();
    let battles = s.get("/api/export.csv?type=Battles").text();
    assert!(battles.lines().count() < all_rows);
    assert!(battles.lines().skip(1).all(|l| l.contains("Battles")));
    let geo = s.get("/api/export.geojson?place=Albukamal");
    assert_eq!(geo.status, 200);
    assert_eq!(geo.header("content-type"), Some("application/geo+json"));
    let v = geo.json();
    assert_eq!(v["type"], "FeatureCollection");
    assert!(!v["features"].as_array().expect("f").is_empty());
    let map = ok(&s, "/api/map");
    assert!(
        map["points"]
            .as_array()
            .expect("points")
            .iter()
            .all(|p| p["lat"].is_number())
    );
    fails(&s, "/api/export.csv?limit=5", 400, "unknown query parameter");
    fails(&s, "/api/export.geojson?place=Atlantis", 404, "Atlantis");
}

#[test]
fn malformed_requests_get_4xx_with_a_message() {
    let s = Server::start(db(), None);
    fails(&s, "/api/events?from=2017-02-30", 400, "from=");
    fails(&s, "/api/events?from=2017-11-10&to=2017-11-01", 400, "after");
    fails(&s, "/api/events?limit=501", 400, "limit=");
    fails(&s, "/api/events?limit=-1", 400, "limit=");
    fails(&s, "/api/events?cursor=12", 400, "cursor=");
    fails(&s, "/api/events?near=34,40", 400, "near=");
    fails(&s, "/api/events?near=95,40,10", 400, "out of range");
    fails(&s, "/api/events?colour=red", 400, "unknown query parameter");
    fails(&s, "/api/events?type=Battles&type=Riots", 400, "twice");
    fails(&s, "/api/events?place=Atlantis", 404, "Atlantis");
    fails(&s, "/api/incidents?place=Atlantis", 404, "Atlantis");
    fails(&s, "/api/nothing-here", 404, "no endpoint");
    // Static files: only the embedded page, no traversal.
    assert_eq!(s.get("/").status, 200);
    assert!(s.get("/").text().contains("rasd"));
    assert!(s.get("/").header("content-security-policy").is_some());
    for p in [
        "/../Cargo.toml",
        "/..%2F..%2FCargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/app.js/../../x",
    ] {
        assert_eq!(s.get(p).status, 404, "{p}");
    }
    // A deterministic fuzz of the query string: every answer is 2xx or 4xx, never a 5xx or a dropped connection.
    let alphabet = b"=&%2Fo019-,.abtypelimcursorfrom ";
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..150 {
        let mut q = String::new();
        for _ in 0..(seed % 30) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            q.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
        }
        let q = q.replace(' ', "+");
        for ep in ["/api/events", "/api/contradictions"] {
            let r = s.get(&format!("{ep}?{q}"));
            assert!((200..500).contains(&r.status), "{ep}?{q}: {} {}", r.status, r.text());
        }
    }
}

#[test]
fn writes_are_off_without_a_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::demo_db(dir.path());
    let s = Server::start(&db, None);
    let r = request(
        s.addr,
        "POST",
        "/api/ingest?name=x.txt",
        &[],
        "قتل 3 مدنيين في الميادين.".as_bytes(),
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].as_str().unwrap_or("").contains("--token"));
    let r = request(
        s.addr,
        "POST",
        "/api/events/x/corrections",
        &[
            ("Authorization", "Bearer whatever"),
            ("Content-Type", "application/json"),
        ],
        br#"{"wrong":true}"#,
    );
    assert_eq!(r.status, 403);
}

#[test]
fn writes_with_the_token_ingest_and_correct_without_overwriting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::demo_db(dir.path());
    let token = "s3cret-token-for-tests";
    let s = Server::start(&db, Some(token));
    assert_eq!(s.get("/api/status").json()["writes"], true);
    let bearer = format!("Bearer {token}");
    let auth = [("Authorization", bearer.as_str())];
    let doc = "دير الزور، 12 تشرين الثاني 2017: قتل 7 مدنيين في قصف جوي على بلدة الميادين.".as_bytes();
    // No token, a wrong token: 401.
    assert_eq!(request(s.addr, "POST", "/api/ingest?name=up.txt", &[], doc).status, 401);
    let wrong = request(
        s.addr,
        "POST",
        "/api/ingest?name=up.txt",
        &[("Authorization", "Bearer nope")],
        doc,
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.json()["error"].as_str().unwrap_or("").contains("Bearer"));
    // Bad uploads: 4xx.
    assert_eq!(
        request(s.addr, "POST", "/api/ingest?name=../../x", &auth, doc).status,
        400
    );
    assert_eq!(
        request(s.addr, "POST", "/api/ingest?name=up.txt", &auth, b"").status,
        400
    );
    let big = vec![b'a'; 2 * 1024 * 1024];
    assert_eq!(
        request(s.addr, "POST", "/api/ingest?name=big.txt", &auth, &big).status,
        413
    );
    // An upload is stored and its events are served.
    let before = s.get("/api/status").json()["counts"]["docs"].as_u64().expect("docs");
    let r = request(s.addr, "POST", "/api/ingest?name=upload-1.txt", &auth, doc);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["stats"]["stored"], 1);
    assert_eq!(s.get("/api/status").json()["counts"]["docs"].as_u64(), Some(before + 1));
    let again = request(s.addr, "POST", "/api/ingest?name=upload-1.txt", &auth, doc);
    assert_eq!(again.json()["stats"]["stored"], 0, "ingest is idempotent");
    // Corrections: stored as new records; the event itself is unchanged.
    let ev = ok(&s, "/api/events?limit=1")["events"][0].clone();
    let id = ev["id"].as_str().expect("id");
    let path = format!("/api/events/{}/corrections", enc(id));
    let body = br#"{"field":"fatalities","value":4,"note":"the later report says 4","author":"test"}"#;
    let r = request(s.addr, "POST", &path, &auth, body);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["correction"]["field"], "fatalities");
    let r = request(s.addr, "POST", &path, &auth, br#"{"wrong":true}"#);
    assert_eq!(r.status, 201);
    let now = ok(&s, &format!("/api/events/{}", enc(id)));
    assert_eq!(now["corrections"].as_array().map(Vec::len), Some(2));
    assert_eq!(now["event"], ev, "a correction never overwrites the event");
    for (b, says) in [
        (&br#"{"field":"colour","wrong":true}"#[..], "cannot be corrected"),
        (&br#"{}"#[..], "says something"),
        (&br#"not json"#[..], "not a correction"),
        (&br#"{"wrong":true,"extra":1}"#[..], "not a correction"),
    ] {
        let r = request(s.addr, "POST", &path, &auth, b);
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.json()["error"].as_str().unwrap_or("").contains(says), "{}", r.text());
    }
    let r = request(
        s.addr,
        "POST",
        "/api/events/no-such-event/corrections",
        &auth,
        br#"{"wrong":true}"#,
    );
    assert_eq!(r.status, 404);
    // Exports leave out what analysts marked wrong only when asked, like `rasd export --exclude-corrected`: mark
    // every claim of the first event's incident wrong, and that incident leaves the CSV and the GeoJSON.
    let all = ok(&s, "/api/events?limit=500")["events"]
        .as_array()
        .expect("events")
        .clone();
    let incident = ev["incident_id"].as_str().expect("incident");
    for e in all.iter().filter(|e| e["incident_id"].as_str() == Some(incident)) {
        let path = format!("/api/events/{}/corrections", enc(e["id"].as_str().expect("id")));
        assert_eq!(request(s.addr, "POST", &path, &auth, br#"{"wrong":true}"#).status, 201);
    }
    let rows = |q: &str| s.get(&format!("/api/export.csv{q}")).text().lines().count();
    assert_eq!(rows("?exclude_corrected=true"), rows("") - 1);
    assert_eq!(rows("?exclude_corrected=false"), rows(""));
    let features = |q: &str| {
        s.get(&format!("/api/export.geojson{q}")).json()["features"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(features("?exclude_corrected=1"), features("") - 1);
    fails(&s, "/api/export.csv?exclude_corrected=maybe", 400, "exclude_corrected=");
}

/// A tiny HTTP server on 127.0.0.1 for the URL ingest: `/report.txt` and `/wire.txt` are Arabic reports,
/// `/big.txt` is over the test server's 1 MB body limit, anything else is 404.
fn origin() -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = match path.as_str() {
                "/report.txt" => (
                    "200 OK",
                    "دير الزور، 14 تشرين الثاني 2017: قتل 5 مدنيين في قصف جوي على بلدة هجين."
                        .as_bytes()
                        .to_vec(),
                ),
                "/wire.txt" => (
                    "200 OK",
                    "الرقة، 15 تشرين الثاني 2017: اشتباكات بين قوات سوريا الديمقراطية وتنظيم داعش قرب مدينة الرقة."
                        .as_bytes()
                        .to_vec(),
                ),
                "/big.txt" => ("200 OK", vec![b'a'; 2 * 1024 * 1024]),
                _ => ("404 Not Found", b"not here".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    addr
}

#[test]
fn ingest_fetches_a_url_with_the_fetch_clients_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::demo_db(dir.path());
    let token = "url-token";
    let s = Server::start(&db, Some(token));
    let bearer = format!("Bearer {token}");
    let auth = [("Authorization", bearer.as_str())];
    let json = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
    let o = origin();
    let docs = || s.get("/api/status").json()["counts"]["docs"].as_u64().expect("docs");
    let before = docs();
    // Without the token: refused before anything is fetched.
    let q = format!("/api/ingest?url={}", enc(&format!("http://{o}/report.txt")));
    assert_eq!(request(s.addr, "POST", &q, &[], b"").status, 401);
    // ?url=
    let r = request(s.addr, "POST", &q, &auth, b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["stats"]["stored"], 1);
    assert_eq!(docs(), before + 1);
    // {"url": …}
    let body = format!(r#"{{"url":"http://{o}/wire.txt"}}"#);
    let r = request(s.addr, "POST", "/api/ingest", &json, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["stats"]["stored"], 1);
    assert_eq!(docs(), before + 2);
    // Failures: 4xx for a bad request, 502 when the origin fails, 413 past the body limit.
    for (path, hdrs, body, status, says) in [
        (
            "/api/ingest?url=file%3A%2F%2F%2Fetc%2Fpasswd".to_string(),
            &auth[..],
            "",
            400,
            "http(s)",
        ),
        (
            format!("/api/ingest?url={}", enc("ftp://x/y")),
            &auth[..],
            "",
            400,
            "http(s)",
        ),
        (q.clone(), &auth[..], "also a body", 400, "not both"),
        (format!("{q}&url=x"), &auth[..], "", 400, "twice"),
        (
            format!("/api/ingest?url={}", enc(&format!("http://{o}/gone.txt"))),
            &auth[..],
            "",
            502,
            "404",
        ),
        (
            format!("/api/ingest?url={}", enc(&format!("http://{o}/big.txt"))),
            &auth[..],
            "",
            413,
            "limit",
        ),
        (
            "/api/ingest".to_string(),
            &json[..],
            r#"{"url":"javascript:alert(1)"}"#,
            400,
            "http(s)",
        ),
    ] {
        let r = request(s.addr, "POST", &path, hdrs, body.as_bytes());
        assert_eq!(r.status, status, "{path}: {}", r.text());
        assert!(
            r.json()["error"].as_str().unwrap_or("").contains(says),
            "{path}: {}",
            r.text()
        );
    }
    assert_eq!(docs(), before + 2);
}

#[test]
fn admin1_is_the_division_name_with_its_code_beside_it_as_in_the_cli() {
    let s = Server::start(db(), None);
    let check = |what: &str, loc: &Value| {
        if let Some(code) = loc["admin1_code"].as_str() {
            let name = loc["admin1"].as_str().expect("a name");
            assert!(name != code && !name.contains('.'), "{what}: a name, not a code: {loc}");
        } else if loc.is_object() {
            assert!(
                loc.get("admin1_code").is_some(),
                "{what}: admin1_code beside admin1: {loc}"
            );
        }
    };
    let page = ok(&s, "/api/events?place=Albukamal&limit=500");
    let events = page["events"].as_array().expect("events");
    assert!(!events.is_empty());
    for e in events {
        check("events", &e["location"]);
    }
    let deir = events
        .iter()
        .find(|e| e["location"]["admin1_code"] == "SY.07")
        .expect("Albukamal is in Deir ez-Zor");
    assert_eq!(deir["location"]["admin1"], "Deir ez-Zor Governorate");
    let id = deir["id"].as_str().expect("event id");
    let one = ok(&s, &format!("/api/events/{}", enc(id)));
    assert_eq!(one["event"]["location"]["admin1"], "Deir ez-Zor Governorate");
    assert_eq!(one["event"]["location"]["admin1_code"], "SY.07");
    let doc = ok(
        &s,
        &format!("/api/docs/{}", enc(deir["doc_id"].as_str().expect("doc id"))),
    );
    let doc_events = doc["doc"]["events"].as_array().expect("doc events");
    assert!(
        doc_events
            .iter()
            .any(|e| e["location"]["admin1"] == "Deir ez-Zor Governorate")
    );
    for e in doc_events {
        check("doc", &e["location"]);
    }
    // By code and by name, as the CLI takes `--admin1`.
    let by_code = ok(&s, "/api/incidents?admin1=SY.07&limit=500");
    let by_name = ok(&s, "/api/incidents?admin1=Deir%20ez-Zor&limit=500");
    let incidents = by_code["incidents"].as_array().expect("incidents");
    assert!(!incidents.is_empty());
    assert_eq!(by_name["incidents"], by_code["incidents"]);
    for i in incidents {
        assert_eq!(i["location"]["admin1"], "Deir ez-Zor Governorate", "{i}");
        assert_eq!(i["location"]["admin1_code"], "SY.07", "{i}");
    }
    // GeoJSON control points follow `admin1` too.
    let controls = |q: &str| -> Vec<String> {
        let v = s.get(&format!("/api/export.geojson{q}")).json();
        v["features"]
            .as_array()
            .expect("features")
            .iter()
            .filter(|f| f["properties"]["kind"] == "control")
            .map(|f| f["properties"]["place_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(controls("").contains(&"gn:174448".to_string()));
    assert!(controls("?admin1=Deir%20ez-Zor").contains(&"gn:174448".to_string()));
    assert!(!controls("?admin1=Al-Hasakah").contains(&"gn:174448".to_string()));
}
