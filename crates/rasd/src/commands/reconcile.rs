//! `rasd reconcile [--full]`: bring incidents, control timelines and contradictions up to date with the stored
//! events: incrementally when only new events were stored since the last reconcile, else (or with `--full`) by a
//! full rebuild.
//!
//! `rasd ingest`, `reprocess` and `demo` do this themselves when they finish; queries never write, so after an
//! interrupted ingest (a query then warns that the derived tables are behind) this is the way to bring them up
//! to date without ingesting anything. `--db postgres://…` (or `RASD_DB`) does the same on PostgreSQL: one
//! reconcile, as `--worker` runs for the messages it consumes (`rasd_pg::reconcile`), without NATS.
//!
//! `rasd reconcile --worker` is the PostgreSQL side of the scale-out path (issue 14): it consumes the bucket
//! messages `rasd worker` publishes after each committed shard and brings the derived tables of the PostgreSQL
//! database up to date, for every pending message at once, as `rasd ingest` does on SQLite: the events the
//! workers stored since the last reconcile (`reconcile_pending`) are reconciled **incrementally** by the SQLite
//! store's code (`rasd_store::incremental`), alerts included, or by the full rebuild where SQLite takes it (a
//! first load, an estimate over `rasd_store::INCREMENTAL_LIMIT`, `--full`); see `rasd_pg::reconcile`, which also
//! says why there is one reconcile at a time (an advisory lock) rather than a lock per bucket. Then it
//! acknowledges the messages. The result equals `rasd ingest` of the same documents in the same order on
//! SQLite (and a full rebuild's, but for the numbering of `control_claims.seq`).

use super::events::{DbArgs, stdout};
use crate::nats::NatsArgs;
use anyhow::{Context, Result, anyhow};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Prints one line: the events read and the incidents, control claims and contradictions \
written. When only new events were stored since the last reconcile (an interrupted ingest), only what they touch \
is recomputed, with the same result as a full rebuild; otherwise, or with --full (for repairs), every derived \
table is rebuilt. Waits for a running ingest to finish writing (see RASD_LOCK_TIMEOUT).\n\
--worker (PostgreSQL and NATS, see `rasd worker`): consumes the bucket messages the workers publish and, for all \
those pending at once, brings the derived tables of the PostgreSQL database up to date as an ingest does on \
SQLite: the new events incrementally (alerts raised), or a full rebuild for a first load, a batch reaching far \
back, or --full; in one transaction under advisory locks (one reconcile at a time; no shard commits meanwhile); \
--once drains what is pending and exits."
)]
pub struct Args {
    /// The project database: a file, sqlite:PATH or postgres://… (with --worker: postgres://… only); default
    /// RASD_DB, else rasd.db.
    #[arg(long, value_name = "PATH")]
    pub db: Option<String>,
    /// Consume the bucket messages of `rasd worker` (NATS) and bring the PostgreSQL database's derived tables up
    /// to date (incrementally when only new events were stored; under an advisory lock, coalescing every
    /// pending message).
    #[arg(long)]
    pub worker: bool,
    /// With --worker: drain the pending bucket messages, reconcile once if there were any (or the database says
    /// its derived tables are behind), and exit.
    #[arg(long, requires = "worker")]
    pub once: bool,
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
    /// Rebuild every derived table from all stored events, even when an incremental reconcile would do.
    #[arg(long)]
    pub full: bool,
    /// No progress spinner.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.worker {
        return worker(args);
    }
    if args.nats.nats.is_some() || args.nats.stream.is_some() {
        return Err(anyhow!("--nats and --stream go with --worker"));
    }
    let db = DbArgs {
        db: args.db.clone().unwrap_or_else(|| "rasd.db".into()).into(),
    };
    if let Some(url) = db.postgres_url() {
        return postgres(url, &args);
    }
    let mut store = db.open_writer(false)?;
    let opts = rasd_reconcile::Options::default();
    let pb = super::ingest::progress_bar(args.quiet, "reconciling");
    let pending = !args.full && store.is_dirty()? && !store.needs_full_rebuild()?;
    let done = if pending {
        store.ensure_reconciled_with(&opts)?.unwrap_or_default()
    } else {
        store.reconcile(&opts)?
    };
    pb.finish_and_clear();
    let mut out = stdout();
    report(&mut out, args.json, &db.db.display().to_string(), &done)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `rasd reconcile --db postgres://…`: one reconcile of the PostgreSQL database, as `--worker` does for the
/// messages it consumes (incrementally when only new events were stored, else or with `--full` a rebuild), without
/// NATS.
fn postgres(url: &str, args: &Args) -> Result<ExitCode> {
    let mut pg = rasd_pg::connect(url)?;
    // An empty database is a mistake of --db, not something to create here; an older schema is brought up to
    // date, as `--worker` does.
    rasd_pg::read::check_schema(&mut pg, url)?;
    rasd_pg::migrate(&mut pg).context("preparing the PostgreSQL schema")?;
    let pb = super::ingest::progress_bar(args.quiet, "reconciling");
    // As on SQLite: with nothing new to reconcile, the derived tables are rebuilt (a repair), not left as they are.
    let pending = pg
        .query_opt("SELECT value FROM meta WHERE key = 'dirty'", &[])?
        .is_some_and(|r| matches!(r.get::<_, &str>(0), "pending" | "1"));
    let limit = rasd_store::INCREMENTAL_LIMIT;
    let opts = rasd_reconcile::Options::default();
    let (done, _) = rasd_pg::reconcile::reconcile(&mut pg, &opts, limit, args.full || !pending)?;
    pb.finish_and_clear();
    let mut out = stdout();
    report(&mut out, args.json, &rasd_pg::redact(url), &done)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The one line a rebuild prints: its counts as JSON, or in words with the database's name.
fn report(out: &mut impl Write, json: bool, db: &str, done: &rasd_store::ReconcileStats) -> Result<()> {
    if json {
        serde_json::to_writer(&mut *out, done)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "reconciled {db}: {} event(s) → {} incident(s), {} control claim(s), {} contradiction(s)",
            done.events, done.incidents, done.control_claims, done.contradictions
        )?;
    }
    Ok(())
}

/// `rasd reconcile --worker`: see the module's documentation.
fn worker(args: Args) -> Result<ExitCode> {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, std::sync::Arc::clone(&stop)).context("installing the signal handler")?;
    }
    let url = super::worker::pg_url(&args.db)?;
    let mut pg = rasd_pg::connect(&url)?;
    rasd_pg::migrate(&mut pg).context("preparing the PostgreSQL schema")?;
    let nats = args.nats.connect("rasd reconcile --worker")?;
    let stream = nats.buckets_stream()?;
    // Long enough for a full rebuild (the fallback); the acks come after it.
    let consumer = nats.consumer(&stream, &nats.names.reconcile(), Duration::from_secs(1800))?;
    let opts = rasd_reconcile::Options::default();
    let mut out = stdout();
    let mut first = true;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        // Every pending bucket message, coalesced.
        let mut msgs = Vec::new();
        loop {
            let got = nats.pull(&consumer, 1000);
            let got = got.map_err(|e| anyhow!("pulling from {}: {e}", nats.names.buckets()))?;
            let n = got.len();
            msgs.extend(got);
            if n < 1000 {
                break;
            }
        }
        let behind = first
            && (args.full
                || rasd_pg::work::needs_rebuild(&mut pg).context("reading the state of the derived tables")?);
        first = false;
        if msgs.is_empty() && !behind {
            if args.once {
                break;
            }
            continue;
        }
        let started = std::time::Instant::now();
        let limit = rasd_store::INCREMENTAL_LIMIT;
        let (done, how) = match rasd_pg::reconcile::reconcile(&mut pg, &opts, limit, args.full) {
            Ok(d) => d,
            Err(e) => {
                // Handed back at once, for the next reconcile (this process's or another's).
                for m in &msgs {
                    let _ = nats.block_on(m.ack_with(async_nats::jetstream::AckKind::Nak(None)));
                }
                return Err(e.into());
            }
        };
        for m in &msgs {
            nats.block_on(m.double_ack())
                .map_err(|e| anyhow!("acknowledging a bucket message: {e}"))?;
        }
        eprintln!(
            "rasd reconcile --worker: {} bucket message(s): {} in {:.0} ms",
            msgs.len(),
            how.as_str(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        report(&mut out, args.json, &rasd_pg::redact(&url), &done)?;
        out.flush()?;
        if args.once {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
