//! `rasd watch SOURCES.toml`: follows feeds and pages, ingests what is new, and writes an alert line for each
//! new contradiction and each change of controller (and POSTs it to `--webhook`).
//!
//! Each round polls the sources that are due: a conditional GET (ETag, Last-Modified), then for a feed the
//! article page of every item not seen before, for a page its main text. Network work runs on threads, at most
//! two requests at a time per host; the documents of a round are then ingested in one go through the store's
//! ingest (documents keyed by content hash: a page fetched twice is stored once), and the round's items are
//! recorded as seen only after that commit, so a run killed at any moment loses and doubles nothing. A failed
//! poll waits `every × 2^failures` (at most 6 h, and never less than `every`) before the next try. The host limit
//! counts a source's own host: the article pages of a feed are fetched one after another by the thread that
//! polled the feed, so they add no concurrency, whatever their host.
//! SIGINT and SIGTERM stop the loop after the current round: its network work is dropped (nothing of it is
//! recorded, it is done again next time), or, once its ingest has begun, it is finished.
//!
//! `--db postgres://…` (or `RASD_DB`): the same, in the PostgreSQL tables of the same names (issue 14): the
//! round's documents are stored as `rasd ingest --db postgres://…` stores them, and the poll records are
//! written by the same code as on SQLite (`rasd_store::watch_state::record_poll`, through `rasd_pg::reconcile::write`).

use super::events::DbArgs;
use super::ingest::{extractor, worker};
use anyhow::{Context, Result, bail};
use rasd_core::Doc;
use rasd_fetch::{Client, Fetched, Validators};
use rasd_store::read::{Format, Item};
use rasd_store::watch_state::{PollRecord, record_poll, set_meta};
use rasd_store::{IngestStats, ReadDb, Store};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "SOURCES.toml holds one table per source; any other key is an error naming its line:\n\n  \
[[source]]\n  \
name = \"sohr\"                  # the outlet of its documents\n  \
url = \"https://example.org/feed\" # a feed (RSS, Atom, JSON) or a page to re-read\n  \
kind = \"feed\"                  # feed | page (default feed)\n  \
every = \"10m\"                  # 30s, 10m, 1h, 1h30m (default 10m)\n\n\
One line per poll goes to standard error. --alerts writes one JSON line per new contradiction and per change \
of controller on a place (both claims: source, stance, controller, date, document id and URL); --webhook POSTs \
each line to a URL. Alerts are stored: `rasd alerts --since 1d` lists them. Each alert is delivered once: the \
last one delivered is remembered, and a run that stopped before delivering resumes there. `rasd status` shows \
what the sources did."
)]
pub struct Args {
    /// The sources file (TOML).
    pub sources: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Poll every source once, whatever its schedule or backoff, then exit (for cron).
    #[arg(long)]
    pub once: bool,
    /// Write alerts (new contradictions, changes of controller) as JSON lines to FILE (appended), or `-` for
    /// standard output.
    #[arg(long, value_name = "FILE|-")]
    pub alerts: Option<String>,
    /// POST each alert, as one JSON object, to this URL.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Seconds a request may take, body included.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
    /// The largest response body read, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024, value_name = "BYTES")]
    pub max_bytes: u64,
}

/// What a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Feed,
    Page,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Feed => "feed",
            Kind::Page => "page",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    source: Vec<toml::Spanned<SourceDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceDef {
    name: String,
    url: String,
    #[serde(default)]
    kind: Kind,
    every: Option<String>,
}

/// One source of the sources file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub url: String,
    pub kind: Kind,
    pub every: Duration,
}

/// `30s`, `10m`, `1h30m`, `2d`; a bare number is seconds.
pub fn parse_every(s: &str) -> Option<Duration> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return (n > 0).then(|| Duration::from_secs(n));
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(unit)?)?;
        num.clear();
    }
    (num.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Reads and checks a sources file.
pub fn parse_sources(text: &str, path: &Path) -> Result<Vec<Source>> {
    let file: SourcesFile = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(":{}", line_of(text, s.start)))
            .unwrap_or_default();
        anyhow::anyhow!("{}{at}: {}", path.display(), e.message())
    })?;
    let mut out: Vec<Source> = Vec::new();
    for s in file.source {
        let line = line_of(text, s.span().start);
        let d = s.into_inner();
        let here = format!("{}:{line}", path.display());
        if d.name.trim().is_empty() {
            bail!("{here}: a source needs a non-empty name");
        }
        if out.iter().any(|o| o.name == d.name) {
            bail!("{here}: a second source named {:?}", d.name);
        }
        if !(d.url.starts_with("http://") || d.url.starts_with("https://")) {
            bail!(
                "{here}: source {:?}: url must be http:// or https://, not {:?}",
                d.name,
                d.url
            );
        }
        let every = match &d.every {
            None => Duration::from_secs(600),
            Some(e) => parse_every(e).with_context(|| {
                format!(
                    "{here}: source {:?}: every = {e:?} is not a duration like 30s, 10m, 1h",
                    d.name
                )
            })?,
        };
        out.push(Source {
            name: d.name,
            url: d.url,
            kind: d.kind,
            every,
        });
    }
    if out.is_empty() {
        bail!("{}: no [[source]] tables", path.display());
    }
    Ok(out)
}

/// The wait after `failures` failed polls in a row.
pub fn backoff(every: Duration, failures: u64) -> Duration {
    if failures == 0 {
        return every;
    }
    let factor = 1u32 << failures.min(16) as u32;
    every
        .saturating_mul(factor)
        .min(Duration::from_secs(6 * 3600))
        .max(every)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest).to_ascii_lowercase()
}

/// The network side of one poll, before anything is stored.
struct Polled {
    source: usize,
    started: Instant,
    record: PollRecord,
    /// Documents (or unreadable pages) to ingest, each with the seen-key it settles.
    items: Vec<(String, Item)>,
    /// Items not seen before (a feed item whose page is permanently unreadable is an unreadable Item, recorded
    /// in the store's failures and marked seen).
    new_items: usize,
    /// Item pages that failed transiently: not marked seen, tried again next poll.
    retry: usize,
}

fn page_doc(source: &Source, url: &str, html: &str, fallback: Option<&rasd_fetch::FeedItem>) -> Item {
    let a = rasd_fetch::extract_article(html);
    let text = if a.text.trim().is_empty() {
        fallback.and_then(|f| f.summary.clone()).unwrap_or_default()
    } else {
        a.text
    };
    if text.trim().is_empty() {
        return Item {
            origin: url.to_string(),
            format: Some(Format::Html),
            doc: Err("no main text found in the page".to_string()),
            unreadable: false,
        };
    }
    let published = a
        .published
        .or_else(|| fallback.and_then(|f| f.published).map(|d| d.date_naive()));
    let title = a.title.or_else(|| fallback.and_then(|f| f.title.clone()));
    Item {
        origin: url.to_string(),
        format: Some(Format::Html),
        doc: Ok(Doc {
            id: Doc::content_id(&text),
            url: Some(a.canonical.unwrap_or_else(|| url.to_string())),
            outlet: Some(source.name.clone()),
            published,
            title,
            text,
        }),
        unreadable: false,
    }
}

/// What the database knew of a source when its round began: its recorded state and the keys of the items it
/// handled before. Read by the main thread, so that polling threads need no database (SQLite or PostgreSQL).
#[derive(Default)]
struct Known {
    state: Option<rasd_store::watch_state::SourceState>,
    seen: HashSet<String>,
}

fn poll(client: &Client, known: &Known, idx: usize, source: &Source, stop: &AtomicBool) -> Option<Polled> {
    let started = Instant::now();
    let mut polled = Polled {
        source: idx,
        started,
        record: PollRecord {
            name: source.name.clone(),
            url: source.url.clone(),
            kind: source.kind.as_str().to_string(),
            at: now(),
            ..PollRecord::default()
        },
        items: Vec::new(),
        new_items: 0,
        retry: 0,
    };
    let validators = match &known.state {
        Some(s) if s.url == source.url => Validators {
            etag: s.etag.clone(),
            last_modified: s.last_modified.clone(),
        },
        _ => Validators::default(),
    };
    let resp = match client.get_if(&source.url, &validators) {
        Ok(Fetched::NotModified) => {
            polled.record.not_modified = true;
            return Some(polled);
        }
        Ok(Fetched::Body(r)) => r,
        Err(e) => {
            polled.record.error = Some(e.to_string());
            return Some(polled);
        }
    };
    polled.record.etag = resp.validators.etag.clone();
    polled.record.last_modified = resp.validators.last_modified.clone();
    let seen = |key: &str| known.seen.contains(key);
    match source.kind {
        Kind::Page => {
            let text = match resp.text() {
                Ok(t) => t,
                Err(e) => {
                    polled.record.error = Some(format!("{}: {e}", source.url));
                    return Some(polled);
                }
            };
            let item = page_doc(source, &resp.url, &text, None);
            let key = match &item.doc {
                Ok(d) => format!("page:{}", d.id),
                Err(_) => format!("page-error:{}", Doc::content_id(&text)),
            };
            if !seen(&key) {
                polled.new_items += 1;
                polled.items.push((key, item));
            }
        }
        Kind::Feed => {
            let feed = match rasd_fetch::parse_feed(&resp.body, resp.header_charset(), Some(&resp.url)) {
                Ok(f) => f,
                Err(e) => {
                    polled.record.error = Some(format!("{}: {e}", source.url));
                    return Some(polled);
                }
            };
            let mut keys = HashSet::new();
            for item in &feed.items {
                let key = item.link.clone();
                if seen(&key) || !keys.insert(key.clone()) {
                    continue;
                }
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                polled.new_items += 1;
                let page = client.get(&item.link).and_then(|r| {
                    let t = r.text()?;
                    Ok((r.url, t))
                });
                match page {
                    Ok((url, html)) => polled.items.push((key, page_doc(source, &url, &html, Some(item)))),
                    Err(e) if e.is_transient() => polled.retry += 1,
                    Err(e) => polled.items.push((
                        key,
                        Item {
                            origin: item.link.clone(),
                            format: Some(Format::Html),
                            doc: Err(e.to_string()),
                            unreadable: false,
                        },
                    )),
                }
            }
        }
    }
    Some(polled)
}

/// Polls `due` sources, at most two requests at a time per host.
fn poll_round(client: &Client, known: &[Known], sources: &[Source], due: &[usize], stop: &AtomicBool) -> Vec<Polled> {
    let mut by_host: BTreeMap<String, VecDeque<usize>> = BTreeMap::new();
    for &i in due {
        by_host.entry(host_of(&sources[i].url)).or_default().push_back(i);
    }
    let out = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for queue in by_host.into_values() {
            let workers = queue.len().min(2);
            let queue = Arc::new(Mutex::new(queue));
            for _ in 0..workers {
                let queue = Arc::clone(&queue);
                let out = &out;
                s.spawn(move || {
                    loop {
                        let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                        let Some(i) = next else { break };
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        if let Some(p) = poll(client, &known[i], i, &sources[i], stop)
                            && let Ok(mut o) = out.lock()
                        {
                            o.push(p);
                        }
                    }
                });
            }
        }
    });
    let mut v = out.into_inner().unwrap_or_default();
    v.sort_by_key(|p| p.source);
    v
}

fn alerts_out(spec: Option<&str>) -> Result<Option<Box<dyn Write>>> {
    Ok(match spec {
        None => None,
        Some("-") => Some(Box::new(std::io::stdout())),
        Some(path) => Some(Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening the alerts file {path}"))?,
        )),
    })
}

/// Delivers the alerts stored after the last one delivered: a JSON line on `out`, a POST to `webhook`. A failed
/// POST is reported and not retried (the line and the stored alert remain).
fn deliver(
    store: &mut WatchDb,
    client: &Client,
    out: &mut Option<Box<dyn Write>>,
    webhook: Option<&str>,
) -> Result<()> {
    if out.is_none() && webhook.is_none() {
        return Ok(());
    }
    let alerts = store.read(|db| {
        let sent: i64 = db.watch_meta("alerts_sent")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        db.alerts_after(sent)
    })?;
    let Some(&(last, _)) = alerts.last() else {
        return Ok(());
    };
    for (_, a) in &alerts {
        let line = serde_json::to_string(a)?;
        if let Some(out) = out.as_mut() {
            writeln!(out, "{line}")?;
        }
        if let Some(url) = webhook
            && let Err(e) = client.post_json(url, &line)
        {
            eprintln!("rasd watch: webhook: {e}");
        }
    }
    if let Some(out) = out.as_mut() {
        out.flush()?;
    }
    store.set_meta("alerts_sent", &last.to_string())?;
    Ok(())
}

/// The database `rasd watch` keeps its state in and ingests into: an SQLite file, or PostgreSQL (the same
/// tables; documents stored as `rasd ingest --db postgres://…` stores them).
enum WatchDb {
    Sqlite(Store),
    Postgres(rasd_pg::postgres::Client),
}

impl WatchDb {
    /// Opens (creating) the database and its watch tables.
    fn open(db: &DbArgs) -> Result<WatchDb> {
        Ok(match db.postgres_url() {
            Some(url) => {
                let mut client = rasd_pg::connect(url)?;
                rasd_pg::migrate(&mut client).context("preparing the PostgreSQL schema")?;
                WatchDb::Postgres(client)
            }
            None => {
                let mut store = db.open_writer(true)?;
                store.watch_init()?;
                WatchDb::Sqlite(store)
            }
        })
    }

    /// Runs reads on the committed state (on PostgreSQL, one snapshot).
    fn read<T>(&mut self, f: impl FnOnce(&dyn ReadDb) -> rasd_store::Result<T>) -> Result<T> {
        Ok(match self {
            WatchDb::Sqlite(store) => f(&**store)?,
            WatchDb::Postgres(client) => {
                let mut tx = rasd_pg::read::snapshot(client)?;
                rasd_pg::read::read_in(&mut tx, f)?
            }
        })
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        match self {
            WatchDb::Sqlite(store) => store.watch_set_meta(key, value)?,
            WatchDb::Postgres(client) => rasd_pg::reconcile::write(client, |db| set_meta(db, key, value))?,
        }
        Ok(())
    }

    fn record_poll(&mut self, p: &PollRecord) -> Result<()> {
        match self {
            WatchDb::Sqlite(store) => store.watch_record_poll(p)?,
            WatchDb::Postgres(client) => rasd_pg::reconcile::write(client, |db| record_poll(db, p))?,
        }
        Ok(())
    }

    /// Stores a round's documents, then brings the derived tables up to date (raising alerts).
    fn ingest(&mut self, items: Vec<Item>) -> Result<IngestStats> {
        let stats = match self {
            WatchDb::Sqlite(store) => {
                let stats = store.ingest(items, &worker(extractor()?), rasd_events::VERSION, &mut |_| {})?;
                store.ensure_reconciled()?;
                stats
            }
            WatchDb::Postgres(client) => super::ingest::ingest_postgres_with(client, items, true)?,
        };
        Ok(stats)
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.sources)
        .with_context(|| format!("reading the sources file {}", args.sources.display()))?;
    let sources = parse_sources(&text, &args.sources)?;
    let client = Client::new(rasd_fetch::Options {
        timeout: Duration::from_secs(args.timeout.max(1)),
        connect_timeout: Duration::from_secs(args.timeout.clamp(1, 10)),
        max_bytes: args.max_bytes,
        ..rasd_fetch::Options::default()
    });
    let mut store = WatchDb::open(&args.db)?;
    let mut alerts = alerts_out(args.alerts.as_deref())?;
    // The first run that delivers alerts starts from now: older alerts are listed by `rasd alerts`.
    if alerts.is_some() || args.webhook.is_some() {
        let (sent, last) = store.read(|db| Ok((db.watch_meta("alerts_sent")?, db.last_alert_seq()?)))?;
        if sent.is_none() {
            store.set_meta("alerts_sent", &last.to_string())?;
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("installing the signal handler")?;
    }
    // When each source is due: now for a new source, after its backoff for one that failed last time.
    let start = Instant::now();
    let states = store.read(|db| {
        sources
            .iter()
            .map(|s| db.watch_source(&s.name))
            .collect::<rasd_store::Result<Vec<_>>>()
    })?;
    let mut due_at: Vec<Instant> = sources
        .iter()
        .zip(&states)
        .map(|(s, st)| match st {
            Some(st) if !args.once => {
                let wait = backoff(s.every, st.consecutive_errors);
                let since = now() - st.last_poll.unwrap_or(0);
                start + wait.saturating_sub(Duration::from_secs(since.max(0) as u64))
            }
            _ => start,
        })
        .collect();
    let mut failures: Vec<u64> = states
        .iter()
        .map(|st| st.as_ref().map_or(0, |st| st.consecutive_errors))
        .collect();
    let mut had_error = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let t = Instant::now();
        let due: Vec<usize> = (0..sources.len()).filter(|&i| args.once || due_at[i] <= t).collect();
        if due.is_empty() {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        let known = store.read(|db| {
            (0..sources.len())
                .map(|i| {
                    if !due.contains(&i) {
                        return Ok(Known::default());
                    }
                    let name = &sources[i].name;
                    Ok(Known {
                        state: db.watch_source(name)?,
                        seen: db.watch_seen_keys(name)?,
                    })
                })
                .collect::<rasd_store::Result<Vec<_>>>()
        })?;
        let polled = poll_round(&client, &known, &sources, &due, &stop);
        if stop.load(Ordering::Relaxed) && polled.len() < due.len() {
            eprintln!("rasd watch: stopping: the interrupted round is dropped (it is polled again next run)");
            break;
        }
        let mut all = Vec::new();
        let mut keys: Vec<(usize, String, Option<String>)> = Vec::new();
        for (n, p) in polled.iter().enumerate() {
            for (key, item) in &p.items {
                keys.push((n, key.clone(), item.doc.as_ref().ok().map(|d| d.id.clone())));
                all.push(item.clone());
            }
        }
        let stats = if all.is_empty() { None } else { Some(store.ingest(all)?) };
        for (n, mut p) in polled.into_iter().enumerate() {
            p.record.seen = keys
                .iter()
                .filter(|k| k.0 == n)
                .map(|k| (k.1.clone(), k.2.clone()))
                .collect();
            p.record.at = now();
            store.record_poll(&p.record)?;
            let s = &sources[p.source];
            let ms = p.started.elapsed().as_millis();
            match &p.record.error {
                None if p.record.not_modified => {
                    failures[p.source] = 0;
                    eprintln!("rasd watch: {}: not modified ({ms} ms)", s.name);
                }
                None => {
                    failures[p.source] = 0;
                    let docs = p.items.iter().filter(|(_, i)| i.doc.is_ok()).count();
                    let bad = p.items.len() - docs;
                    eprintln!(
                        "rasd watch: {}: {} new item(s), {docs} document(s), {bad} unreadable, {} to retry ({ms} ms)",
                        s.name, p.new_items, p.retry
                    );
                }
                Some(e) => {
                    had_error = true;
                    failures[p.source] += 1;
                    let wait = backoff(s.every, failures[p.source]);
                    eprintln!(
                        "rasd watch: {}: error: {e}; failure {} in a row, next try in {} s",
                        s.name,
                        failures[p.source],
                        wait.as_secs()
                    );
                }
            }
            due_at[p.source] = Instant::now() + backoff(s.every, failures[p.source]);
        }
        if let Some(stats) = stats {
            store.set_meta("last_reconcile", &now().to_string())?;
            eprintln!(
                "rasd watch: stored {} new document(s), {} event(s)",
                stats.stored, stats.events
            );
        }
        deliver(&mut store, &client, &mut alerts, args.webhook.as_deref())?;
        if args.once {
            break;
        }
    }
    Ok(if args.once && had_error {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_every("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_every("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_every("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_every("10x"), None);
        assert_eq!(parse_every("0s"), None);
        assert_eq!(parse_every("m"), None);
        assert_eq!(backoff(Duration::from_secs(60), 0), Duration::from_secs(60));
        assert_eq!(backoff(Duration::from_secs(60), 3), Duration::from_secs(480));
        assert_eq!(backoff(Duration::from_secs(600), 40), Duration::from_secs(6 * 3600));
    }

    #[test]
    fn sources_file() {
        let p = Path::new("s.toml");
        let ok = "[[source]]\nname = \"a\"\nurl = \"http://127.0.0.1/f\"\nkind = \"feed\"\nevery = \"10m\"\n\n\
                  [[source]]\nname = \"b\"\nurl = \"https://x.test/p\"\nkind = \"page\"\n";
        let s = parse_sources(ok, p).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[1].kind, s[1].every), (Kind::Page, Duration::from_secs(600)));
        let unknown = "[[source]]\nname = \"a\"\nurl = \"http://x.test/\"\nevrey = \"10m\"\n";
        let e = parse_sources(unknown, p).unwrap_err().to_string();
        assert!(e.starts_with("s.toml:4: unknown field `evrey`"), "{e}");
        let e = parse_sources("[[source]]\nname = \"a\"\nurl = \"ftp://x\"\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml:1") && e.contains("http://"), "{e}");
        let e = parse_sources("[[source]]\nname = \"a\"\nurl = \"http://x\"\nkind = \"rss\"\n", p).unwrap_err();
        assert!(e.to_string().starts_with("s.toml:4:"), "{e}");
        assert!(parse_sources("", p).is_err());
    }
}
