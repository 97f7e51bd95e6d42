//! A bounded load test of the API on 127.0.0.1 (ignored by default; BENCHMARKS.md gives the figures):
//! `cargo test -p rasd-serve --release --test load -- --ignored --nocapture`. Sends a fixed number of requests
//! at a fixed rate (open loop: each request starts at its scheduled time, whatever the earlier ones took), over
//! a mix of endpoints, and prints the latency percentiles.
//!
//! The figures for a 100,000-document database come from the release-built load generator
//! `cargo bench -p rasd-serve --bench serve_load -- --db FILE` (benches/serve_load.rs; BENCHMARKS.md).
//!
//! `RASD_LOAD_DB=FILE` runs it against an existing database (opened read-only; e.g. the 100,000-document one of
//! `rasd bench ingest --docs 100000 --keep`) instead of the demo database it builds.

mod common;

use common::{Server, request};
use std::time::{Duration, Instant};

const RATE: u64 = 200; // requests per second
const SECONDS: u64 = 10;
const CLIENTS: usize = 16;

#[test]
#[ignore]
fn api_latency_at_200_requests_per_second() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = match std::env::var_os("RASD_LOAD_DB") {
        Some(p) => std::path::PathBuf::from(p),
        None => common::demo_db(dir.path()),
    };
    let server = Server::start(&db, None);
    // A document that exists in this database: the first event's.
    let first = request(server.addr, "GET", "/api/events?limit=1", &[], b"").json();
    let doc = format!(
        "/api/docs/{}",
        common::enc(first["events"][0]["doc_id"].as_str().expect("an event"))
    );
    let paths = [
        "/api/events?limit=50",
        "/api/events?type=Battles&limit=20",
        "/api/events?place=Albukamal&from=2017-11-09&to=2017-11-10",
        "/api/places/Albukamal/timeline",
        "/api/contradictions?limit=50",
        "/api/sources",
        doc.as_str(),
        "/api/map",
    ];
    // One warm-up request per path, as `rasd serve` computes the per-source statistics when it starts.
    for p in &paths {
        assert_eq!(request(server.addr, "GET", p, &[], b"").status, 200, "{p}");
    }
    let total = (RATE * SECONDS) as usize;
    let interval = Duration::from_nanos(1_000_000_000 / RATE);
    let start = Instant::now() + Duration::from_millis(100);
    let addr = server.addr;
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let paths = std::sync::Arc::new(paths);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let paths = paths.clone();
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                let mut errors = 0;
                for i in (c..total).step_by(CLIENTS) {
                    let at = start + interval * i as u32;
                    if let Some(wait) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let path = &paths[i % paths.len()];
                    let r = request(addr, "GET", path, &[], b"");
                    // Latency from the scheduled start: a late start (coordinated omission) counts against us.
                    lat.push(at.elapsed());
                    if r.status != 200 {
                        eprintln!("{path}: {}", r.status);
                        errors += 1;
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in threads {
        let (l, e) = t.join().expect("client");
        all.extend(l);
        errors += e;
    }
    let wall = start.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} requests at {RATE}/s over {:.1} s, {errors} errors: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        wall.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.90)),
        ms(pct(0.99)),
        ms(pct(1.0)),
    );
    assert_eq!(errors, 0);
    assert_eq!(all.len(), total);
}
