//! A bounded load test of `rasd serve`'s API on 127.0.0.1: a fixed number of requests at a fixed rate (open
//! loop: each request starts at its scheduled time whatever the earlier ones took, and its latency counts from
//! that time, so a server that falls behind is charged for it), over the main endpoints, on a given database.
//!
//! ```sh
//! cargo bench -p rasd-serve --bench serve_load -- --db FILE [--rate 200] [--seconds 10] [--url http://HOST:PORT]
//! ```
//!
//! Without `--url` it starts the server in this process (release build, the code `rasd serve` runs) on a free
//! port of 127.0.0.1, with the database opened read-only; with `--url` it loads a running `rasd serve`. The
//! client is tokio + hyper (keep-alive connections, as a browser uses). It prints the percentiles overall and per
//! endpoint, and exits non-zero on any error.

use axum::body::Body;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

struct Args {
    db: Option<std::path::PathBuf>,
    url: Option<String>,
    rate: u64,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        db: None,
        url: None,
        rate: 200,
        seconds: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--db" => a.db = it.next().map(Into::into),
            "--url" => a.url = it.next(),
            "--rate" => a.rate = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.rate),
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.seconds),
            // `cargo bench` passes --bench; anything else is ignored too.
            _ => {}
        }
    }
    a
}

type Http = Client<HttpConnector, Body>;

async fn get(client: &Http, url: &str) -> Result<(u16, axum::body::Bytes), String> {
    let req = axum::http::Request::get(url)
        .header("accept", "application/json")
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let resp = client.request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(Body::new(resp.into_body()), usize::MAX)
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn main() {
    let a = args();
    let (base, _server) = match (&a.url, &a.db) {
        (Some(u), _) => (u.trim_end_matches('/').to_string(), None),
        (None, Some(db)) => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
            let addr = listener.local_addr().expect("addr");
            listener.set_nonblocking(true).expect("nonblocking");
            let cfg = rasd_serve::Config::new(db);
            // The server runs as `rasd serve` does: a multi-threaded runtime of its own.
            let server = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    rasd_serve::serve(listener, cfg, std::future::pending())
                        .await
                        .expect("serve");
                });
            });
            (format!("http://{addr}"), Some(server))
        }
        (None, None) => {
            eprintln!("usage: serve_load --db FILE | --url http://127.0.0.1:PORT [--rate N] [--seconds S]");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let code = rt.block_on(run(base, a.rate, a.seconds));
    std::process::exit(code);
}

async fn run(base: String, rate: u64, seconds: u64) -> i32 {
    let client: Http = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build_http();
    // Ids that exist in this database: the first event's document, and the second page of contradictions.
    let first = loop {
        match get(&client, &format!("{base}/api/events?limit=1")).await {
            Ok((200, b)) => break serde_json::from_slice::<serde_json::Value>(&b).expect("json"),
            Ok((s, b)) => panic!("/api/events: {s} {}", String::from_utf8_lossy(&b)),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let doc = first["events"][0]["doc_id"].as_str().expect("an event").to_string();
    let (_, page1) = get(&client, &format!("{base}/api/contradictions?limit=50"))
        .await
        .expect("contradictions");
    let page1: serde_json::Value = serde_json::from_slice(&page1).expect("json");
    let mut paths = vec![
        "/api/events?limit=50".to_string(),
        "/api/events?type=Battles&limit=20".to_string(),
        "/api/events?place=Albukamal&from=2017-11-09&to=2017-11-10&limit=50".to_string(),
        "/api/contradictions?limit=50".to_string(),
        "/api/places/Albukamal/timeline?from=2017-11-01&to=2017-11-30".to_string(),
        "/api/map/summary".to_string(),
        format!("/api/docs/{}", enc(&doc)),
        "/api/incidents?limit=50".to_string(),
    ];
    if let Some(next) = page1["next"].as_str() {
        paths.push(format!("/api/contradictions?limit=50&cursor={next}"));
    }
    // Single requests on the idle server, each twice (the first may compute what the server keeps per database
    // state): the page's first load, and the endpoints that used to load whole tables.
    for p in [
        "/",
        "/app.js",
        "/app.css",
        "/mena.json",
        "/admin1.json",
        "/api/status",
        "/api/map/summary",
        "/api/map/summary?bucket=day&from=2017-11-01&to=2017-11-30",
        "/api/map",
        "/api/events?limit=100",
        "/api/contradictions?limit=500",
        "/api/contradictions?kind=date&limit=50",
        "/api/contradictions?place=Albukamal&limit=50",
        "/api/contradictions?source=sana&limit=50",
        "/api/incidents?limit=100",
        "/api/incidents?actor=isis&limit=50",
        "/api/places/Albukamal/timeline",
        "/api/sources",
    ] {
        let mut took = Vec::new();
        let mut size = 0;
        for _ in 0..2 {
            let t = Instant::now();
            let (status, body) = get(&client, &format!("{base}{p}")).await.expect(p);
            took.push(format!("{:.1} ms", t.elapsed().as_secs_f64() * 1e3));
            assert_eq!(status, 200, "{p}: {}", String::from_utf8_lossy(&body));
            size = body.len();
        }
        println!("single {p}: {} then {}, {size} bytes", took[0], took[1]);
    }
    // One warm-up request per path of the mix.
    let warm = Instant::now();
    for p in &paths {
        let t = Instant::now();
        let (status, body) = get(&client, &format!("{base}{p}")).await.expect(p);
        assert_eq!(status, 200, "{p}: {}", String::from_utf8_lossy(&body));
        println!(
            "warm-up {p}: {:.1} ms, {} bytes",
            t.elapsed().as_secs_f64() * 1e3,
            body.len()
        );
    }
    println!("warm-up: {:.1} s", warm.elapsed().as_secs_f64());
    let total = (rate * seconds) as usize;
    let interval = Duration::from_nanos(1_000_000_000 / rate.max(1));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let at = start + interval * i as u32;
        tokio::time::sleep_until(at).await;
        let path = paths[i % paths.len()].clone();
        let url = format!("{base}{path}");
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let r = get(&client, &url).await;
            // Latency from the scheduled start: a late start counts against the server.
            let lat = at.elapsed();
            (path, lat, r.map(|(s, _)| s))
        }));
    }
    let mut all = Vec::with_capacity(total);
    let mut by_path: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let mut errors = 0;
    for t in tasks {
        let (path, lat, r) = t.await.expect("task");
        match r {
            Ok(200) => {}
            Ok(s) => {
                errors += 1;
                eprintln!("{path}: {s}");
            }
            Err(e) => {
                errors += 1;
                eprintln!("{path}: {e}");
            }
        }
        all.push(lat);
        by_path.entry(path).or_default().push(lat);
    }
    let wall = start.elapsed();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
    };
    for (path, mut v) in by_path {
        println!(
            "  {path}: n {} p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
            v.len(),
            ms(pct(&mut v, 0.5)),
            ms(pct(&mut v, 0.99)),
            ms(pct(&mut v, 1.0))
        );
    }
    println!(
        "{} requests at {rate}/s over {:.1} s, {errors} errors: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        wall.as_secs_f64(),
        ms(pct(&mut all, 0.50)),
        ms(pct(&mut all, 0.90)),
        ms(pct(&mut all, 0.99)),
        ms(pct(&mut all, 1.0)),
    );
    i32::from(errors > 0 || all.len() != total)
}
