//! `rasd demo`: the newcomer's first command. Ingests the bundled sample collection (reports in the style of
//! the November 2017 Albukamal coverage, from several outlets and in every input format) into the project
//! database and prints what rasd made of it: events by type, contradictions, and the control timeline of the
//! busiest place. On PostgreSQL (`--db postgres://…`) it ingests as `rasd ingest` does there and prints the same
//! report, read through the same query code.

use super::contradictions::write_contradiction;
use super::events::{DbArgs, stdout};
use super::ingest::{ingest_items, ingest_postgres, stats_line};
use super::timeline::write_timeline;
use anyhow::Result;
use rasd_store::read::{self, Item};
use rasd_store::{IngestStats, ReadDb};
use std::io::Write;
use std::process::ExitCode;

/// The sample collection, embedded so that `rasd demo` works from any directory. Same files as `samples/`.
/// In the order `rasd ingest samples/` reads them (directories walked in name order), so that both make the
/// same document the original of a republished copy.
const SAMPLES: &[(&str, &[u8])] = &[
    (
        "samples/feeds/afp.atom",
        include_bytes!("../../../../samples/feeds/afp.atom"),
    ),
    (
        "samples/feeds/sohr.rss",
        include_bytes!("../../../../samples/feeds/sohr.rss"),
    ),
    (
        "samples/notes/local-sources-2017-11-10.txt",
        include_bytes!("../../../../samples/notes/local-sources-2017-11-10.txt"),
    ),
    (
        "samples/pages/alaraby-2017-11-10-albukamal.html",
        include_bytes!("../../../../samples/pages/alaraby-2017-11-10-albukamal.html"),
    ),
    (
        "samples/pages/sana-2017-11-09-albukamal.html",
        include_bytes!("../../../../samples/pages/sana-2017-11-09-albukamal.html"),
    ),
    ("samples/wire.jsonl", include_bytes!("../../../../samples/wire.jsonl")),
];

#[derive(clap::Args, Debug)]
#[command(
    after_help = "With --db postgres://… it stores the collection in PostgreSQL, as `rasd ingest` does there, and prints \
the same report. Running it again stores nothing new (ingest is idempotent). Then try:\n  \
rasd timeline Albukamal\n  rasd contradictions --place Albukamal\n  rasd incidents --min-sources 2\n  \
rasd export --format acled-csv"
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// How many contradictions to print in full.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub show: usize,
}

/// The documents of the bundled collection.
pub fn sample_items() -> Vec<Item> {
    SAMPLES
        .iter()
        .flat_map(|(name, bytes)| read::read_bytes(name, bytes, read::format_from_name(name)))
        .collect()
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.db.postgres_url() {
        Some(url) => {
            let stats = ingest_postgres(url, sample_items(), false)?;
            args.db.read(|db| report(&args, db, &stats))?;
        }
        None => {
            let mut store = args.db.open_writer(true)?;
            let stats = ingest_items(&mut store, sample_items(), false)?;
            report(&args, &*store, &stats)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what the run stored and what rasd made of the database.
fn report(args: &Args, db: &dyn ReadDb, stats: &IngestStats) -> Result<()> {
    let summary = db.summary()?;
    let mut out = stdout();
    writeln!(
        out,
        "rasd demo: the bundled sample collection ({} files) → {}",
        SAMPLES.len(),
        args.db.name()
    )?;
    writeln!(out, "{}", stats_line(stats))?;
    if stats.stored == 0 {
        writeln!(out, "(nothing new: the collection was already in this database)")?;
    }
    writeln!(
        out,
        "database: {} documents ({} republished copies), {} events, {} incidents ({} reported by 2+ sources)",
        summary.docs, summary.near_duplicates, summary.events, summary.incidents, summary.corroborated_incidents
    )?;
    writeln!(
        out,
        "  `rasd incidents` lists all {}; the ACLED CSV export has a row for the {} that an independent source \
         reports ({} mentioned only by denials or republished copies), GeoJSON a point for the {} with a place \
         ({} without)\n",
        summary.incidents,
        summary.incidents - summary.unreported_incidents,
        summary.unreported_incidents,
        summary.incidents - summary.unlocated_incidents,
        summary.unlocated_incidents
    )?;
    writeln!(out, "Events by type:")?;
    for (t, n) in &summary.events_by_type {
        writeln!(out, "  {t:<28} {n:>5}")?;
    }
    let kinds: Vec<String> = summary
        .contradictions_by_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let total: u64 = summary.contradictions_by_kind.iter().map(|(_, n)| n).sum();
    writeln!(
        out,
        "\nContradictions found: {total} ({})",
        if kinds.is_empty() {
            "none".to_string()
        } else {
            kinds.join(", ")
        }
    )?;
    let list = db.contradictions(&rasd_store::Filter::default())?;
    for c in list.iter().take(args.show) {
        write_contradiction(&mut out, c)?;
    }
    if list.len() > args.show {
        writeln!(out, "  … {} more: rasd contradictions", list.len() - args.show)?;
    }
    if let Some(place) = &summary.busiest_place
        && let Some(tl) = db.timeline(&place.place_id, 7)?
    {
        writeln!(out)?;
        write_timeline(&mut out, &tl)?;
    }
    writeln!(
        out,
        "\nNext: rasd timeline Albukamal --on 2017-11-10 · rasd contradictions · rasd incidents --min-sources 2 · \
rasd sources · rasd show <doc id> · rasd export --format acled-csv"
    )?;
    out.flush()?;
    Ok(())
}
