//! `rasd worker`: pulls shards from the work queue (NATS JetStream, see `crate::nats`), extracts their documents
//! with the extractor `rasd ingest` uses, and writes each shard to PostgreSQL in one transaction
//! (`rasd_pg::work::write_shard`), then acknowledges it and publishes the (place, ISO week) buckets it touched.
//!
//! - **Explicit acks.** A shard is acknowledged only after its transaction committed. While it is worked on,
//!   the worker tells JetStream so (`+WPI`) every third of `--ack-wait`; a worker that dies (SIGKILL) stops doing
//!   so, and the shard is delivered to another worker after `--ack-wait`. Writes are idempotent (documents keyed
//!   by content hash and id, events by id), so a shard written twice stores nothing twice.
//! - **Failures.** A document the reader could not read, or that makes the extractor fail (a panic is caught),
//!   is recorded in `failures` and skipped; the rest of the shard goes on. A shard that fails as a whole (not
//!   valid JSON, the database refusing it) is retried (`-NAK`, after a second) until it has been delivered
//!   `--max-deliver` times, then published to the dead-letter stream with the reason (header `Rasd-Reason`) and
//!   terminated. A shard delivered more than `--max-deliver` times without an ack (workers died on it) goes
//!   there too, before it is tried again.
//! - **Shutdown.** SIGTERM or SIGINT: the shard in hand is finished (committed and acked), or, when the signal
//!   comes before its write began, handed back (`-NAK`); then the worker exits with status 0.
//! - One line per shard on stderr.

use super::ingest::{extractor, worker as extract_worker};
use crate::nats::NatsArgs;
use anyhow::{Context, Result, anyhow};
use async_nats::jetstream::AckKind;
use futures_util::StreamExt;
use rasd_core::Doc;
use rasd_pg::work::{Prepared, Shard, ShardStats};
use rayon::prelude::*;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// The PostgreSQL database (postgres://…); default: RASD_DB.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Deliveries of a failing shard before it goes to the dead-letter stream.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub max_deliver: i64,
    /// Seconds JetStream waits for a sign of life before it delivers a shard to another worker.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(2..=86_400))]
    pub ack_wait: u64,
    /// Stop when the queue has been empty this many seconds (default: run until SIGTERM/SIGINT).
    #[arg(long, value_name = "SECS")]
    pub idle_exit: Option<u64>,
    /// For tests: wait this many milliseconds between extracting a shard and writing it.
    #[arg(long, hide = true, default_value_t = 0)]
    pub debug_delay_ms: u64,
    /// For tests: exit (status 3) right after the first shard commits, before acknowledging it, as a worker
    /// that dies at that moment would.
    #[arg(long, hide = true)]
    pub debug_die_after_commit: bool,
}

/// The PostgreSQL URL of `--db`, else `RASD_DB`.
pub fn pg_url(db: &Option<String>) -> Result<String> {
    let url = match db {
        Some(u) => u.clone(),
        None => std::env::var(crate::dburl::ENV)
            .map_err(|_| anyhow!("no database: pass --db postgres://USER:PASSWORD@HOST:PORT/DB (or set RASD_DB)"))?,
    };
    match crate::dburl::parse(url.trim()).map_err(anyhow::Error::msg)? {
        crate::dburl::DbUrl::Postgres(u) => Ok(u),
        crate::dburl::DbUrl::Sqlite(p) => Err(anyhow!(
            "--db {}: this command writes to PostgreSQL (postgres://…); for an SQLite file use `rasd ingest`",
            p.display()
        )),
    }
}

/// Extracts one document, a panic of the extractor being this document's failure only.
fn extract_one(extract: &mut super::ingest::ExtractFn, d: &Doc) -> std::result::Result<Vec<rasd_core::Event>, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract(d))) {
        Ok(events) => Ok(events),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("the extractor failed on this document: {msg}"))
        }
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    // First: a SIGTERM during start-up is a clean stop too.
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("installing the signal handler")?;
    }
    let url = pg_url(&args.db)?;
    let mut pg = rasd_pg::connect(&url)?;
    rasd_pg::migrate(&mut pg).context("preparing the PostgreSQL schema")?;
    let nats = args.nats.connect("rasd worker")?;
    let work = nats.work_stream()?;
    nats.buckets_stream()?;
    nats.dlq_stream()?;
    nats.done_stream()?;
    let ack_wait = Duration::from_secs(args.ack_wait);
    let consumer = nats.consumer(&work, &nats.names.workers(), ack_wait)?;
    let x = extractor()?;
    let make = extract_worker(x);
    eprintln!(
        "rasd worker: pulling {} from {} into {} (max deliver {}, ack wait {} s)",
        nats.names.work(),
        nats.url,
        rasd_pg::redact(&url),
        args.max_deliver,
        args.ack_wait
    );
    let mut idle_since = Instant::now();
    let mut shards = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let next = nats.block_on(async {
            let mut batch = consumer
                .batch()
                .max_messages(1)
                .expires(Duration::from_secs(1))
                .messages()
                .await?;
            match batch.next().await {
                Some(m) => m.map(Some),
                None => Ok(None),
            }
        });
        let msg = match next {
            Ok(Some(m)) => m,
            Ok(None) => {
                if args
                    .idle_exit
                    .is_some_and(|s| idle_since.elapsed() >= Duration::from_secs(s))
                {
                    break;
                }
                continue;
            }
            Err(e) => {
                eprintln!("rasd worker: pulling from {}: {e}; retrying", nats.names.work());
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        idle_since = Instant::now();
        shards += 1;
        let started = Instant::now();
        let (seq, delivered) = msg.info().map(|i| (i.stream_sequence, i.delivered)).unwrap_or((0, 1));
        let id = msg
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(|| format!("seq-{seq}"));
        if delivered > args.max_deliver {
            let reason =
                format!("delivered {delivered} times without being acknowledged (workers died or timed out on it)");
            dead_letter(&nats, &msg, &id, &reason)?;
            continue;
        }
        // Signs of life while the shard is worked on.
        let beat = {
            let m = msg.clone();
            let every = ack_wait / 3;
            nats.rt.spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let _ = m.ack_with(AckKind::Progress).await;
                }
            })
        };
        let result = process(&args, &mut pg, &make, &msg.payload, &stop, &nats, &id, delivered);
        beat.abort();
        match result {
            Ok(Some((stats, extract_ms, write_ms))) => {
                let acked = nats.block_on(msg.double_ack());
                eprintln!(
                    "rasd worker: shard {id} (seq {seq}, delivery {delivered}): {} read, {} new ({} near-duplicate), \
                     {} duplicate(s), {} failure(s), {} event(s), {} bucket(s) in {:.0} ms (extract {extract_ms:.0}, \
                     write {write_ms:.0}){}",
                    stats.counts.read,
                    stats.counts.stored,
                    stats.counts.near_duplicates,
                    stats.counts.duplicates,
                    stats.counts.failures,
                    stats.counts.events,
                    stats.buckets.len(),
                    started.elapsed().as_secs_f64() * 1000.0,
                    match acked {
                        Ok(()) => String::new(),
                        Err(e) => format!(" (ack failed: {e}; it will be redelivered, and store nothing twice)"),
                    }
                );
            }
            Ok(None) => {
                // Stopped before writing: hand the shard back at once.
                let _ = nats.block_on(msg.ack_with(AckKind::Nak(None)));
                eprintln!("rasd worker: shard {id} (seq {seq}) handed back: stopping");
            }
            Err(e) => {
                let reason = format!("{e:#}");
                if delivered >= args.max_deliver {
                    dead_letter(&nats, &msg, &id, &reason)?;
                } else {
                    let _ = nats.block_on(msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))));
                    eprintln!(
                        "rasd worker: shard {id} (seq {seq}, delivery {delivered} of {}) failed: {reason}; it will \
                         be retried",
                        args.max_deliver
                    );
                }
                // A lost connection is not the shard's fault: reconnect for the next one.
                if pg.is_closed() {
                    match rasd_pg::connect(&url) {
                        Ok(c) => pg = c,
                        Err(e) => {
                            eprintln!("rasd worker: {e}; retrying in 2 s");
                            std::thread::sleep(Duration::from_secs(2));
                        }
                    }
                }
            }
        }
    }
    let _ = nats.block_on(nats.client.flush());
    eprintln!("rasd worker: stopped after {shards} shard(s)");
    Ok(ExitCode::SUCCESS)
}

/// Publishes the shard to the dead-letter stream with `reason`, then terminates it on the work stream.
fn dead_letter(nats: &crate::nats::Nats, msg: &async_nats::jetstream::Message, id: &str, reason: &str) -> Result<()> {
    // Header values are one line.
    let one_line: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(1000)
        .collect();
    nats.publish(
        &nats.names.dlq_subject(),
        &format!("dlq-{id}"),
        &[("Rasd-Reason", one_line.as_str()), ("Rasd-Shard", id)],
        msg.payload.to_vec(),
    )?;
    nats.block_on(msg.ack_with(AckKind::Term))
        .map_err(|e| anyhow!("terminating shard {id}: {e}"))?;
    eprintln!("rasd worker: shard {id} moved to {}: {one_line}", nats.names.dlq());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// Decodes, extracts and writes one shard, with the milliseconds spent extracting and writing; `None` when a stop
/// was asked before the write began.
fn process(
    args: &Args,
    pg: &mut rasd_pg::postgres::Client,
    make: &(impl Fn() -> super::ingest::ExtractFn + Sync),
    payload: &[u8],
    stop: &AtomicBool,
    nats: &crate::nats::Nats,
    id: &str,
    delivered: i64,
) -> Result<Option<(ShardStats, f64, f64)>> {
    let t = Instant::now();
    let shard: Shard = serde_json::from_slice(payload).map_err(|e| anyhow!("the shard is not valid JSON: {e}"))?;
    let prepared: Vec<Prepared> = shard
        .items
        .into_par_iter()
        .map_init(make, |extract, item| Prepared::new(item, |d| extract_one(extract, d)))
        .collect();
    let extract_ms = t.elapsed().as_secs_f64() * 1000.0;
    if args.debug_delay_ms > 0 {
        std::thread::sleep(Duration::from_millis(args.debug_delay_ms));
    }
    if stop.load(Ordering::SeqCst) {
        return Ok(None);
    }
    let t = Instant::now();
    let mut single = make();
    let mut reextract = |d: &Doc| extract_one(&mut single, d).unwrap_or_default();
    let stats = rasd_pg::work::write_shard(pg, prepared, rasd_events::VERSION, &mut reextract)?;
    let write_ms = t.elapsed().as_secs_f64() * 1000.0;
    if args.debug_die_after_commit {
        eprintln!("rasd worker: shard {id} committed; dying before the ack (--debug-die-after-commit)");
        std::process::exit(3);
    }
    // A redelivered shard may have been committed by a worker that died before publishing its buckets: it
    // publishes a bucket message even when it stored nothing new (the reconcile worker recomputes on any).
    if !stats.buckets.is_empty() || delivered > 1 {
        let buckets: Vec<&(String, String)> = stats.buckets.iter().collect();
        let payload = serde_json::to_vec(&serde_json::json!({ "shard": id, "buckets": buckets }))?;
        nats.publish(&nats.names.buckets_subject(), &format!("b-{id}"), &[], payload)?;
    }
    let done = serde_json::to_vec(&serde_json::json!({ "shard": id, "documents": stats.counts.read }))?;
    nats.publish(&nats.names.done_subject(), &format!("d-{id}"), &[], done)?;
    Ok(Some((stats, extract_ms, write_ms)))
}
