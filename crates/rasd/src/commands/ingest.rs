//! `rasd ingest`: load documents (text, JSONL, HTML, RSS/Atom; files, directories or URLs) into the project
//! database, extracting their events on the way. Idempotent and crash-safe (see rasd-store).

use super::events::{DbArgs, stdout};
use anyhow::{Context, Result, bail};
use rasd_core::{Doc, Event};
use rasd_store::read::{self, Item};
use rasd_store::{IngestStats, Progress, Store};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(after_help = "Inputs:\n  \
.txt            one document; id = file name (+ content hash if the name is taken)\n  \
.html           the article's main text (Readability, as `rasd watch` reads pages) and metadata (title, \
                publication date, canonical URL, site name)\n  \
.jsonl          {id,url,outlet,published,title,text} per line\n  \
.xml .rss .atom RSS 2.0 and Atom feeds, one document per item\n  \
directories     walked recursively (README, .md and database files skipped)\n  \
http(s) URLs    fetched in process (60 s timeout, 64 MB cap, 5 redirects, gzip)\n  \
-               standard input (JSONL, or one document)\n\
One reader serves every command (extract, ingest, candidates): a .jsonl file is JSONL whatever its first line \
holds; a bad line is skipped with its line number; a JSONL line with no id gets the content id of its text \
(blake3, 16 hex digits); a file with NUL bytes is binary and skipped; a malformed feed item skips that item; \
dates are ISO or RFC 822; charsets: UTF-8 (with or without BOM), UTF-16 with its BOM, windows-1256 Arabic.\n\
A stored document is held in memory: an input read whole (a plain-text or HTML file, a feed, standard input that \
is not JSONL) or a JSONL line over 32 MB is refused with its size and the limit (`rasd extract` streams a \
plain-text file of any size).\n\
Bad documents are recorded with their reason (see --report) and the run goes on. A missing file or an \
unreachable URL is also an error: the run stores the rest, names it on stderr and exits 2.\n\
Running ingest twice stores nothing twice; after a crash, running it again finishes the job.\n\
Queries may run meanwhile. Another rasd writing to the same database (ingest, reprocess, reconcile) is waited \
for, 30 s or RASD_LOCK_TIMEOUT seconds, with a message.\n\
Database: --db FILE or sqlite:FILE (default rasd.db), or postgres://USER:PASSWORD@HOST:PORT/DB; without --db, \
RASD_DB when set. On PostgreSQL the schema is created when the database has none, each batch of 1,024 documents \
is one transaction (the same duplicate, near-duplicate and failure decisions as SQLite), and the derived tables \
are brought up to date at the end as `rasd reconcile` does; other writers (rasd worker, rasd serve) wait for a \
batch to commit.")]
pub struct Args {
    /// Files, directories or URLs to load.
    pub paths: Vec<String>,
    #[command(flatten)]
    pub db: DbArgs,
    /// List the unreadable inputs recorded in the database (after loading PATHs, if any).
    #[arg(long)]
    pub report: bool,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the run's counts as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The embedded extractor, once per process.
pub fn extractor() -> Result<&'static rasd_events::Extractor> {
    static EXTRACTOR: std::sync::OnceLock<rasd_events::Extractor> = std::sync::OnceLock::new();
    if let Some(x) = EXTRACTOR.get() {
        return Ok(x);
    }
    let x = rasd_events::Extractor::default_embedded().context("loading the event extractor")?;
    Ok(EXTRACTOR.get_or_init(|| x))
}

/// One thread's extraction function: a worker of the extractor with its own buffers.
pub type ExtractFn = Box<dyn FnMut(&Doc) -> Vec<Event>>;

/// A per-thread extraction function over the embedded extractor.
pub fn worker(x: &'static rasd_events::Extractor) -> impl Fn() -> ExtractFn + Sync {
    move || {
        let mut w = x.worker();
        let opts = rasd_events::Options::default();
        Box::new(move |d: &Doc| w.extract(d, &opts))
    }
}

/// A progress spinner on standard error, drawn only when it is a terminal.
pub fn progress_bar(quiet: bool, verb: &'static str) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    pb.set_message(verb);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// Runs `ingest` with a progress bar that follows the counts it reports after each batch.
fn with_progress(quiet: bool, ingest: impl FnOnce(Progress<'_>) -> Result<IngestStats>) -> Result<IngestStats> {
    let pb = progress_bar(quiet, "ingesting");
    let started = std::time::Instant::now();
    let mut tick = |s: &IngestStats| {
        let rate = s.read as f64 / started.elapsed().as_secs_f64().max(1e-6);
        pb.set_message(format!(
            "{} read, {} new, {} events ({rate:.0} docs/s)",
            s.read, s.stored, s.events
        ));
    };
    let stats = ingest(&mut tick);
    pb.finish_and_clear();
    stats
}

/// Runs ingest over `items` with a progress bar.
pub fn ingest_items(store: &mut Store, items: impl IntoIterator<Item = Item>, quiet: bool) -> Result<IngestStats> {
    let x = extractor()?;
    with_progress(quiet, |tick| {
        Ok(store.ingest(items, &worker(x), rasd_events::VERSION, tick)?)
    })
}

/// Runs ingest over `items` into the PostgreSQL database at `url` (its schema created or brought up to date
/// first), with a progress bar: batches of `rasd_store::INGEST_BATCH` documents, each written in one
/// transaction with the duplicate, near-duplicate and failure decisions of SQLite, then the derived tables
/// brought up to date, incrementally when they can be (`rasd_pg::work::ingest`, as `rasd serve` stores uploads).
pub fn ingest_postgres(url: &str, items: impl IntoIterator<Item = Item>, quiet: bool) -> Result<IngestStats> {
    let mut client = rasd_pg::connect(url)?;
    rasd_pg::migrate(&mut client).context("preparing the PostgreSQL schema")?;
    ingest_postgres_with(&mut client, items, quiet)
}

/// [`ingest_postgres`] on a connection whose schema is up to date (`rasd watch` keeps one).
pub fn ingest_postgres_with(
    client: &mut rasd_pg::postgres::Client,
    items: impl IntoIterator<Item = Item>,
    quiet: bool,
) -> Result<IngestStats> {
    let x = extractor()?;
    let opts = rasd_events::Options::default();
    let extract = |w: &mut rasd_events::Worker<'_>, d: &Doc| -> std::result::Result<Vec<Event>, String> {
        Ok(w.extract(d, &opts))
    };
    let items = items.into_iter().map(rasd_pg::work::ShardItem::from);
    with_progress(quiet, |tick| {
        Ok(rasd_pg::work::ingest(
            client,
            items,
            &|| x.worker(),
            &extract,
            rasd_events::VERSION,
            tick,
        )?)
    })
}

/// Fetches a URL in process (rasd-fetch: timeouts, a 64 MB cap, at most 5 redirects, gzip) and reads it as a
/// file of the URL's name would be read; the body is decoded first by its declared charset (header, then the
/// document's own declaration), windows-1256 when it is not UTF-8.
fn fetch(url: &str) -> Vec<Item> {
    let client = rasd_fetch::Client::new(rasd_fetch::Options {
        timeout: std::time::Duration::from_secs(60),
        max_bytes: 64 * 1024 * 1024,
        ..rasd_fetch::Options::default()
    });
    let name = url.split(['?', '#']).next().unwrap_or(url);
    let hint = name.rsplit('/').next().and_then(read::format_from_name);
    match client.get(url).and_then(|r| r.text()) {
        Ok(text) => read::read_bytes_opts(url, text.as_bytes(), crate::input::read_options(hint, false)),
        Err(e) => vec![read::unreadable(url, format!("fetch failed: {e}"))],
    }
}

/// The documents of the command-line inputs, read lazily file by file (JSONL line by line) by the one reader
/// of every command ([`read::documents`]).
pub fn items(paths: &[String]) -> impl Iterator<Item = Item> + '_ {
    paths.iter().flat_map(|p| -> Box<dyn Iterator<Item = Item> + '_> {
        if p.starts_with("http://") || p.starts_with("https://") {
            Box::new(fetch(p).into_iter())
        } else {
            Box::new(read::documents(
                std::slice::from_ref(p),
                crate::input::read_options(None, false),
            ))
        }
    })
}

/// The closing line of an ingest run.
pub fn stats_line(s: &IngestStats) -> String {
    format!(
        "read {}: {} new document(s) ({} near-duplicate), {} exact duplicate(s), {} unreadable; {} event(s) extracted",
        s.read, s.stored, s.near_duplicates, s.duplicates, s.failures, s.events
    )
}

/// Where `rasd ingest` stores the documents (see `dburl.rs`).
enum Target<'a> {
    Sqlite(Store),
    /// The URL.
    Postgres(&'a str),
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.paths.is_empty() && !args.report {
        bail!("nothing to ingest: give files, directories or URLs (or --report to list unreadable inputs)");
    }
    let mut target = match args.db.postgres_url() {
        // Connected by the ingest, or by the report's read.
        Some(url) => Target::Postgres(url),
        // --report alone only reads.
        None if args.paths.is_empty() => Target::Sqlite(Store::open_read_only(&args.db.db)?),
        None => Target::Sqlite(args.db.open_writer(true)?),
    };
    let mut out = stdout();
    // Inputs that could not be opened or fetched: recorded like any failure, and also an error of the run.
    let unreadable = std::cell::RefCell::new(Vec::new());
    if !args.paths.is_empty() {
        let seen = items(&args.paths).inspect(|i| {
            if i.unreadable {
                let reason = i.doc.as_ref().err().cloned().unwrap_or_default();
                unreadable.borrow_mut().push(format!("{}: {reason}", i.origin));
            }
        });
        let stats = match &mut target {
            Target::Sqlite(store) => ingest_items(store, seen, args.quiet)?,
            Target::Postgres(url) => ingest_postgres(url, seen, args.quiet)?,
        };
        if args.json {
            serde_json::to_writer(&mut out, &stats)?;
            writeln!(out)?;
        } else if !args.quiet {
            writeln!(out, "{} into {}", stats_line(&stats), args.db.name())?;
        }
    }
    if args.report {
        let failures = match &target {
            Target::Sqlite(store) => store.failures()?,
            Target::Postgres(_) => args.db.read(|db| Ok(db.failures()?))?,
        };
        if failures.is_empty() {
            writeln!(out, "no unreadable inputs recorded")?;
        }
        for f in failures {
            if args.json {
                serde_json::to_writer(&mut out, &f)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}\t{}", f.origin, f.reason)?;
            }
        }
    }
    out.flush()?;
    let unreadable = unreadable.into_inner();
    for u in &unreadable {
        eprintln!("rasd: error: {u}");
    }
    Ok(if unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
