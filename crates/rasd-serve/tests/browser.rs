//! The page in real headless Chromium, driven through chromedriver (both from Debian's `chromium` and
//! `chromium-driver` packages; the test is skipped with a message when they are missing). Screenshots go to
//! target/screenshots/. axe-core (web/test/axe.min.js, copied from the npm package by `npm run build`) checks
//! every view for accessibility violations.

mod common;

use common::Server;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// Kills chromedriver when the test ends, however it ends.
struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let path = screenshots().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    println!("screenshot: {}", path.display());
}

/// Evaluates `expr` (a JavaScript expression) until it is truthy; panics with `what` after 20 s.
async fn wait_for(c: &Client, expr: &str, what: &str) -> Value {
    let start = Instant::now();
    loop {
        let v = c
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap_or(Value::Null);
        let truthy = match &v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(_) => true,
        };
        if truthy {
            return v;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let status = c
                .execute("return document.getElementById('status').textContent", vec![])
                .await
                .unwrap_or(Value::Null);
            panic!("timed out waiting for {what} ({expr}); page status: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ready(c: &Client, view: &str) {
    wait_for(
        c,
        &format!("document.body.dataset.ready === '{view}'"),
        &format!("the {view} view"),
    )
    .await;
}

/// axe-core's violations on the current view, when web/test/axe.min.js is there.
async fn axe(c: &Client, view: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/test/axe.min.js");
    let Ok(src) = std::fs::read_to_string(&path) else {
        println!(
            "axe-core: {} missing (run `npm ci && npm run build` in web/): not checked",
            path.display()
        );
        return Vec::new();
    };
    c.execute(&format!("{src}\n;return true;"), vec![])
        .await
        .expect("inject axe");
    let r = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})
               .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.length, first: v.nodes[0] && v.nodes[0].target.join(' ')}))))
               .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
            vec![],
        )
        .await
        .expect("axe.run");
    let list = r.as_array().cloned().unwrap_or_default();
    for v in &list {
        println!("axe ({view}): {v}");
    }
    if list.is_empty() {
        println!("axe ({view}): no violations");
    }
    list
}

/// A chromium session through a chromedriver of its own: the client, and what must live as long as it.
async fn session(chromium: &Path, chromedriver: &Path) -> (Client, Driver, tempfile::TempDir) {
    let port = free_port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    let c = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
        {
            Ok(c) => break c,
            Err(e) if start.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a chromium session through chromedriver: {e}"),
        }
    };
    (c, driver, profile)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_in_headless_chromium() {
    let (Some(chromium), Some(chromedriver)) = (which("chromium"), which("chromedriver")) else {
        println!(
            "SKIPPED the_page_in_headless_chromium: chromium or chromedriver is not installed \
             (apt-get install -y chromium chromium-driver)"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::demo_db(dir.path());
    let server = tokio::task::spawn_blocking(move || Server::start(&db, None))
        .await
        .expect("server");
    let (c, _driver, _profile) = session(&chromium, &chromedriver).await;
    let base = server.url("/");
    let mut violations = Vec::new();

    // The page loads the demo database, and the map shows markers.
    c.goto(&base).await.expect("open the page");
    ready(&c, "map").await;
    let markers = wait_for(
        &c,
        "document.querySelectorAll('.leaflet-marker-icon').length",
        "map markers",
    )
    .await;
    println!("map: {markers} marker or cluster icons");
    let count = wait_for(
        &c,
        "document.getElementById('map-count').textContent",
        "the event count",
    )
    .await;
    assert!(count.as_str().is_some_and(|t| t.contains("located events")), "{count}");
    // Markers fade in (Leaflet.markercluster): axe measures contrast once they are opaque.
    tokio::time::sleep(Duration::from_millis(500)).await;
    shot(&c, "1-map.png").await;
    violations.extend(axe(&c, "map").await);
    // The map's view and time slider come from the URL too: zoomed on the Euphrates valley, up to 10 November.
    c.goto(&format!("{base}#view=map&ll=34.6,40.7&z=9&t=2017-11-10"))
        .await
        .expect("map URL");
    ready(&c, "map").await;
    let label = wait_for(
        &c,
        "document.getElementById('slider-date').textContent",
        "the slider date",
    )
    .await;
    assert_eq!(label.as_str(), Some("2017-11-10"));
    wait_for(
        &c,
        "document.querySelectorAll('.ev-marker, .ev-cluster').length >= 2",
        "markers when zoomed",
    )
    .await;
    shot(&c, "1b-map-zoomed.png").await;
    // The summary layer (every located event, per place and week; the default) shows markers, each naming its
    // place and count over whole weeks (10 November 2017 is a Friday: up to Sunday the 12th), and its popup
    // leads to those events.
    let layer = wait_for(&c, "document.getElementById('map').dataset.layer", "the map layer").await;
    assert_eq!(layer.as_str(), Some("summary"));
    let summaries = wait_for(&c, "document.querySelectorAll('.ev-summary').length", "summary markers").await;
    println!("map summary: {summaries} place markers when zoomed");
    let title = wait_for(
        &c,
        "[...document.querySelectorAll('.ev-summary')].map(m => m.title).find(t => t.includes(' to 2017-11-12'))",
        "a summary marker's title",
    )
    .await;
    println!("map summary marker: {title}");
    // The marker nearest the map's centre, so that its popup opens inside the map.
    c.execute(
        "const box = document.getElementById('map').getBoundingClientRect(); \
         const cx = box.left + box.width / 2, cy = box.top + box.height / 2; \
         const d = (m) => { const r = m.getBoundingClientRect(); return Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy); }; \
         [...document.querySelectorAll('.ev-summary')].sort((a, b) => d(a) - d(b))[0].click(); return true",
        vec![],
    )
    .await
    .expect("open a summary popup");
    let link = wait_for(
        &c,
        "document.querySelector('.leaflet-popup a.summary-events') && document.querySelector('.leaflet-popup a.summary-events').getAttribute('href')",
        "the popup's link to its events",
    )
    .await;
    let link = link.as_str().unwrap_or_default().to_string();
    assert!(
        link.contains("view=events") && link.contains("place=") && link.contains("to=2017-11-12"),
        "{link}"
    );
    // Leaflet fades a popup in (0.2 s).
    tokio::time::sleep(Duration::from_millis(400)).await;
    shot(&c, "1c-map-summary-popup.png").await;
    violations.extend(axe(&c, "map summary").await);
    // A DOM click: the popup can sit partly outside the map's viewport on a small window, where a WebDriver
    // click is refused as "not interactable"; the link itself is what is tested.
    c.execute(
        "document.querySelector('.leaflet-popup a.summary-events').click(); return true;",
        vec![],
    )
    .await
    .expect("follow the link");
    ready(&c, "events").await;
    let rows = wait_for(
        &c,
        "document.querySelectorAll('#events-table tbody tr').length",
        "the place's events",
    )
    .await;
    println!("summary marker -> events table: {rows} rows");
    // The one-by-one layer comes from the URL too.
    c.goto(&format!("{base}#view=map&ll=34.6,40.7&z=9&t=2017-11-10&layer=points"))
        .await
        .expect("points URL");
    ready(&c, "map").await;
    wait_for(
        &c,
        "document.getElementById('map').dataset.layer === 'points' && document.querySelectorAll('.ev-marker:not(.ev-summary), .ev-cluster').length > 0",
        "the one-by-one layer",
    )
    .await;

    // Choosing Albukamal shows its source lanes, with a contested stretch on 9–10 November 2017.
    c.find(Locator::Css("nav button[data-view='place']"))
        .await
        .expect("nav")
        .click()
        .await
        .expect("click");
    ready(&c, "place").await;
    let value = wait_for(
        &c,
        "[...document.querySelectorAll('#place-select option')].filter(o => o.textContent.includes('البو كمال')).map(o => o.value)[0]",
        "Albukamal in the place list",
    )
    .await;
    let value = value.as_str().expect("option value").to_string();
    c.find(Locator::Id("place-select"))
        .await
        .expect("select")
        .select_by_value(&value)
        .await
        .expect("choose Albukamal");
    wait_for(
        &c,
        "document.querySelectorAll('.tl-row.lane').length >= 3",
        "source lanes",
    )
    .await;
    let lanes = c
        .execute(
            "return [...document.querySelectorAll('.tl-row.lane')].map(r => r.dataset.source)",
            vec![],
        )
        .await
        .expect("lanes");
    println!("Albukamal lanes: {lanes}");
    for source in ["sana", "amaq", "sohr"] {
        assert!(
            lanes.as_array().is_some_and(|l| l.iter().any(|s| s == source)),
            "{source} lane: {lanes}"
        );
    }
    let contested = c
        .execute(
            "return [...document.querySelectorAll('.tl-state.contested')].map(e => e.title)",
            vec![],
        )
        .await
        .expect("contested");
    let titles: Vec<String> = contested
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    assert!(titles.iter().any(|t| t.starts_with("2017-11-09")), "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with("2017-11-10")), "{titles:?}");
    let bands = c
        .execute("return document.querySelectorAll('.contested-band').length", vec![])
        .await
        .expect("bands");
    assert!(
        bands.as_u64().unwrap_or(0) >= 3,
        "a contested band in every lane: {bands}"
    );
    let denied = c
        .execute(
            "return document.querySelectorAll('.claim.stance-denied').length",
            vec![],
        )
        .await
        .expect("denied");
    assert!(denied.as_u64().unwrap_or(0) >= 1, "Amaq's denial is drawn as a denial");
    shot(&c, "2-place-albukamal.png").await;
    violations.extend(axe(&c, "place").await);
    let place_url = c.current_url().await.expect("url").to_string();

    // A contradiction opens both claims with their evidence highlighted.
    c.find(Locator::Css("nav button[data-view='contradictions']"))
        .await
        .expect("nav")
        .click()
        .await
        .expect("click");
    ready(&c, "contradictions").await;
    let id = wait_for(
        &c,
        "[...document.querySelectorAll('button.open-contra')].map(b => b.dataset.id).find(id => id.startsWith('controller'))",
        "a controller contradiction",
    )
    .await;
    let id = id.as_str().expect("id").to_string();
    c.find(Locator::Css(&format!("button.open-contra[data-id='{id}']")))
        .await
        .expect("open button")
        .click()
        .await
        .expect("open");
    wait_for(
        &c,
        "document.querySelectorAll('#contra-detail .side').length === 2",
        "both claims",
    )
    .await;
    let spans = wait_for(
        &c,
        "(() => { const s = [...document.querySelectorAll('#contra-detail .side')].map(side => [...side.querySelectorAll('mark.evidence')].map(m => m.textContent).join('')); return s.every(t => t.length > 0) && s; })()",
        "an evidence span in each report",
    )
    .await;
    println!("contradiction {id}: evidence {spans}");
    shot(&c, "3-contradiction.png").await;
    violations.extend(axe(&c, "contradictions").await);
    let contra_url = c.current_url().await.expect("url").to_string();
    assert!(contra_url.contains("c="), "{contra_url}");

    // A shared URL restores the view: the contradiction, then the place.
    c.goto("about:blank").await.expect("blank");
    c.goto(&contra_url).await.expect("shared contradiction URL");
    ready(&c, "contradictions").await;
    wait_for(
        &c,
        "document.querySelectorAll('#contra-detail .side mark.evidence').length >= 2",
        "the shared contradiction with its evidence",
    )
    .await;
    c.goto("about:blank").await.expect("blank");
    c.goto(&place_url).await.expect("shared place URL");
    ready(&c, "place").await;
    wait_for(
        &c,
        "document.querySelectorAll('.tl-row.lane').length >= 3",
        "the shared place's lanes",
    )
    .await;
    let chosen = c
        .execute("return document.getElementById('place-select').value", vec![])
        .await
        .expect("value");
    assert_eq!(chosen.as_str(), Some(value.as_str()));

    // A document with every field's evidence; hovering a highlight names the field.
    let doc_id = "sohr-2017-11-11-albukamal";
    c.goto(&format!("{base}#view=doc&doc={doc_id}")).await.expect("doc");
    ready(&c, "doc").await;
    let fields = wait_for(
        &c,
        "[...document.querySelectorAll('#doc mark.field')].map(m => m.title)",
        "field highlights",
    )
    .await;
    println!("document field highlights: {fields}");
    assert!(fields.to_string().contains("location"), "{fields}");
    shot(&c, "4-document.png").await;
    violations.extend(axe(&c, "doc").await);

    // The events table with filters, and the link to the filtered CSV.
    c.goto(&format!("{base}#view=events&type=Battles"))
        .await
        .expect("events");
    ready(&c, "events").await;
    let rows = wait_for(
        &c,
        "document.querySelectorAll('#events-table tbody tr').length",
        "event rows",
    )
    .await;
    println!("events table: {rows} Battles rows");
    let href = c
        .execute(
            "return document.getElementById('csv-link').getAttribute('href')",
            vec![],
        )
        .await
        .expect("href");
    assert_eq!(href.as_str(), Some("/api/export.csv?type=Battles"));
    c.find(Locator::Css("th button.sort"))
        .await
        .expect("sort")
        .click()
        .await
        .expect("sort click");
    wait_for(&c, "location.hash.includes('sort=date')", "the sort in the URL").await;
    shot(&c, "5-events.png").await;
    violations.extend(axe(&c, "events").await);

    c.close().await.expect("close");
    drop(server);
    let serious: Vec<&Value> = violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("critical") | Some("serious")))
        .collect();
    assert!(
        serious.is_empty(),
        "axe-core: serious or critical violations: {serious:#?}"
    );
}

/// The map on a large database (opt-in: `RASD_BROWSER_DB=FILE cargo test -p rasd-serve --test browser -- --ignored
/// --nocapture`, e.g. the 100,000-document database of `rasd bench ingest --keep`): the summary layer counts every
/// located event, and the time it takes is printed. Screenshot: target/screenshots/6-map-large.png.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn the_map_on_a_large_database() {
    let (Some(chromium), Some(chromedriver), Some(db)) = (
        which("chromium"),
        which("chromedriver"),
        std::env::var_os("RASD_BROWSER_DB").map(PathBuf::from),
    ) else {
        println!("SKIPPED the_map_on_a_large_database: needs chromium, chromedriver and RASD_BROWSER_DB=FILE");
        return;
    };
    let server = tokio::task::spawn_blocking(move || Server::start(&db, None))
        .await
        .expect("server");
    // As `rasd serve` does at start-up: the summary's cells are made before the page asks.
    let summary = server.get("/api/map/summary").json();
    let events: u64 = summary["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["properties"]["events"].as_u64())
        .sum();
    let (c, _driver, _profile) = session(&chromium, &chromedriver).await;
    let start = Instant::now();
    c.goto(&server.url("/")).await.expect("open the page");
    ready(&c, "map").await;
    let count = wait_for(
        &c,
        "document.getElementById('map-count').textContent",
        "the event count",
    )
    .await;
    println!(
        "map ready in {:.0} ms: {count} ({events} dated located events in the summary)",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert!(
        count
            .as_str()
            .is_some_and(|t| t.starts_with(&format!("{events} located events"))),
        "{count}"
    );
    wait_for(
        &c,
        "document.querySelectorAll('.ev-summary, .ev-cluster').length",
        "markers",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    shot(&c, "6-map-large.png").await;
    c.close().await.expect("close");
}
