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
//!   comes before its write began, handed back (`-NAK`); then the worker exits with status 0, also when no NATS
//!   server answers (its pulls and its last flush give up after a few seconds).
//! - **PostgreSQL lost.** When a shard's write fails and the connection is gone (the server restarted, the
//!   network failed), the worker keeps the shard (signs of life go on), connects again with backoff (0.5 s,
//!   doubling, at most 10 s; a line per attempt), and writes the shard again: the lost transaction stored nothing,
//!   and the failure does not count as one of the shard's deliveries.
//! - **Telling.** One line per shard on stderr (`--log-format text`, the default), or one JSON object per line
//!   (`--log-format json`: `shard`, `seq`, `delivery`, the counts, `ms`…); with `--metrics ADDR`, Prometheus
//!   metrics at `http://ADDR/metrics` (see `crate::obs`).

use super::ingest::{extractor, worker as extract_worker};
use crate::nats::NatsArgs;
use crate::obs::{LogFormat, Metrics};
use anyhow::{Context, Result, anyhow, bail};
use async_nats::jetstream::AckKind;
use rasd_core::Doc;
use rasd_pg::work::{Shard, ShardStats};
use rayon::prelude::*;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tracing::{info, warn};

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
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464; port 0: any free port, printed
    /// on stderr). Off by default.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
    /// Log lines on stderr: `text` (`rasd worker: …`) or `json` (one object per line, the values as fields).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
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

/// Extracts one document. A panic of the extractor is this document's failure only: `rasd_pg::work::prepare`
/// catches it and makes the thread's extraction function again.
fn extract_one(extract: &mut super::ingest::ExtractFn, d: &Doc) -> std::result::Result<Vec<rasd_core::Event>, String> {
    Ok(extract(d))
}

pub fn run(args: Args) -> Result<ExitCode> {
    // First: a SIGTERM during start-up is a clean stop too.
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("installing the signal handler")?;
    }
    crate::obs::init_logs(args.log_format, "rasd worker: ");
    let metrics = Metrics::default();
    if let Some(addr) = args.metrics {
        let bound = metrics.serve(addr)?;
        info!(metrics = %bound, "metrics on http://{bound}/metrics");
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
    info!(
        stream = %nats.names.work(),
        nats = %nats.url,
        db = %rasd_pg::redact(&url),
        max_deliver = args.max_deliver,
        ack_wait = args.ack_wait,
        extractor = rasd_events::VERSION,
        "pulling {} from {} into {} (max deliver {}, ack wait {} s)",
        nats.names.work(),
        nats.url,
        rasd_pg::redact(&url),
        args.max_deliver,
        args.ack_wait
    );
    let mut idle_since = Instant::now();
    let mut shards = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let next = nats.pull(&consumer, 1).map(|got| got.into_iter().next());
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
                warn!(stream = %nats.names.work(), error = %e, "pulling from {}: {e}; retrying", nats.names.work());
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
            let mut reason =
                format!("delivered {delivered} times without being acknowledged (workers died or timed out on it)");
            // A delivery can be lost between two pulls, so a shard that fails every time may reach the limit
            // here rather than in its own failure: say what is wrong with it where that can be seen.
            if let Err(e) = decode(&msg.payload) {
                reason.push_str(&format!("; {e}"));
            }
            dead_letter(&nats, &metrics, &msg, &id, seq, &reason);
            continue;
        }
        metrics.update(|c| c.in_flight += 1);
        // Signs of life while the shard is worked on (and while a lost database connection is made again).
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
        // A lost connection to PostgreSQL is not the shard's fault: the worker keeps the shard, connects again
        // (with backoff, until it can or is stopped) and writes it again; its failed transaction stored nothing.
        let mut lost;
        let mut again = false;
        let result = loop {
            let r = process(
                &args,
                &mut pg,
                &make,
                &msg.payload,
                &stop,
                &nats,
                &id,
                delivered > 1 || again,
            );
            lost = r.is_err() && connection_lost(&mut pg);
            if !lost {
                break r;
            }
            let e = r.as_ref().err().map(|e| format!("{e:#}")).unwrap_or_default();
            warn!(shard = %id, seq, delivery = delivered, error = %e,
                "shard {id} (seq {seq}): the connection to PostgreSQL was lost ({e}); connecting again");
            if !reconnect(&url, &mut pg, &stop, &metrics) {
                break r;
            }
            info!(shard = %id, seq, delivery = delivered, "shard {id} (seq {seq}): writing it again");
            again = true;
        };
        beat.abort();
        metrics.update(|c| c.in_flight -= 1);
        match result {
            Ok(Some((stats, extract_ms, write_ms))) => {
                let c = &stats.counts;
                metrics.update(|m| {
                    m.shards_done += 1;
                    m.documents_read += c.read;
                    m.documents_new += c.stored;
                    m.documents_near_duplicate += c.near_duplicates;
                    m.documents_duplicate += c.duplicates;
                    m.documents_failed += c.failures;
                    m.events_written += c.events;
                });
                metrics.times(extract_ms / 1000.0, write_ms / 1000.0);
                let acked = nats.block_on(msg.double_ack());
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let ack_error = match &acked {
                    Ok(()) => String::new(),
                    Err(e) => format!(" (ack failed: {e}; it will be redelivered, and store nothing twice)"),
                };
                info!(
                    shard = %id,
                    seq,
                    delivery = delivered,
                    read = c.read,
                    new = c.stored,
                    near_duplicates = c.near_duplicates,
                    duplicates = c.duplicates,
                    failures = c.failures,
                    events = c.events,
                    buckets = stats.buckets.len(),
                    ms = ms.round() as u64,
                    extract_ms = extract_ms.round() as u64,
                    write_ms = write_ms.round() as u64,
                    acked = acked.is_ok(),
                    "shard {id} (seq {seq}, delivery {delivered}): {} read, {} new ({} near-duplicate), \
                     {} duplicate(s), {} failure(s), {} event(s), {} bucket(s) in {ms:.0} ms (extract {extract_ms:.0}, \
                     write {write_ms:.0}){ack_error}",
                    c.read,
                    c.stored,
                    c.near_duplicates,
                    c.duplicates,
                    c.failures,
                    c.events,
                    stats.buckets.len(),
                );
            }
            Ok(None) => {
                // Stopped before writing: hand the shard back at once.
                let _ = nats.block_on(msg.ack_with(AckKind::Nak(None)));
                info!(shard = %id, seq, delivery = delivered, "shard {id} (seq {seq}) handed back: stopping");
            }
            Err(e) => {
                let reason = format!("{e:#}");
                // Not dead-lettered for a connection that was lost (the worker is stopping while connecting again).
                if delivered >= args.max_deliver && !lost {
                    dead_letter(&nats, &metrics, &msg, &id, seq, &reason);
                } else {
                    metrics.update(|c| c.shards_failed += 1);
                    let _ = nats.block_on(msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))));
                    warn!(
                        shard = %id,
                        seq,
                        delivery = delivered,
                        max_deliver = args.max_deliver,
                        error = %reason,
                        "shard {id} (seq {seq}, delivery {delivered} of {}) failed: {reason}; it will be retried",
                        args.max_deliver
                    );
                }
            }
        }
    }
    // What is buffered goes out, unless no server answers (every node down): then a flush would wait for ever.
    let _ = nats.block_on(async { tokio::time::timeout(Duration::from_secs(5), nats.client.flush()).await });
    info!(shards, "stopped after {shards} shard(s)");
    Ok(ExitCode::SUCCESS)
}

/// Whether the connection to PostgreSQL is gone (closed, or not answering in 5 s).
fn connection_lost(pg: &mut rasd_pg::postgres::Client) -> bool {
    pg.is_closed() || pg.is_valid(Duration::from_secs(5)).is_err()
}

/// Connects to PostgreSQL again, waiting longer after each failed attempt (0.5 s, doubling, at most 10 s), until
/// it can or a stop is asked (then `false`).
fn reconnect(url: &str, pg: &mut rasd_pg::postgres::Client, stop: &AtomicBool, metrics: &Metrics) -> bool {
    let mut pause = Duration::from_millis(500);
    let mut attempt = 1u32;
    while !stop.load(Ordering::SeqCst) {
        match rasd_pg::connect(url) {
            Ok(c) => {
                *pg = c;
                metrics.update(|c| c.postgres_reconnects += 1);
                info!(attempt, "connected to PostgreSQL again (attempt {attempt})");
                return true;
            }
            Err(e) => {
                warn!(attempt, error = %e, retry_ms = pause.as_millis() as u64,
                    "connecting to PostgreSQL again (attempt {attempt}): {e}; next attempt in {:.1} s",
                    pause.as_secs_f64());
                // Sleep in small steps, to stop promptly.
                let until = Instant::now() + pause;
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(100));
                }
                pause = (pause * 2).min(Duration::from_secs(10));
                attempt += 1;
            }
        }
    }
    false
}

/// Publishes the shard to the dead-letter stream with `reason`, then terminates it on the work stream. When NATS
/// refuses either, the shard stays on the work stream, to be delivered (and dead-lettered) again.
fn dead_letter(
    nats: &crate::nats::Nats,
    metrics: &Metrics,
    msg: &async_nats::jetstream::Message,
    id: &str,
    seq: u64,
    reason: &str,
) {
    // Header values are one line.
    let one_line: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(1000)
        .collect();
    let moved = nats
        .publish(
            &nats.names.dlq_subject(),
            &format!("dlq-{id}"),
            &[("Rasd-Reason", one_line.as_str()), ("Rasd-Shard", id)],
            msg.payload.to_vec(),
        )
        .and_then(|_| {
            nats.block_on(msg.ack_with(AckKind::Term))
                .map_err(|e| anyhow!("terminating shard {id}: {e}"))
        });
    match moved {
        Ok(()) => {
            metrics.update(|c| c.shards_dead_lettered += 1);
            warn!(shard = %id, seq, reason = %one_line, "shard {id} moved to {}: {one_line}", nats.names.dlq());
        }
        Err(e) => {
            warn!(shard = %id, seq, error = %format!("{e:#}"),
                "shard {id} (seq {seq}): moving it to {} failed: {e:#}; it will be delivered again", nats.names.dlq());
        }
    }
}

/// A shard from its message payload.
/// A shard of `rasd queue push --reprocess`: extracts its stored documents again and writes the records to the
/// run (`rasd_pg::reprocess`); the write that leaves nothing to do switches the run over. A worker of another
/// rasd version leaves the shard to one of the run's version (an error: it is retried, then dead-lettered).
#[allow(clippy::too_many_arguments)]
fn reprocess(
    args: &Args,
    pg: &mut rasd_pg::postgres::Client,
    make: &(impl Fn() -> super::ingest::ExtractFn + Sync),
    items: Vec<rasd_pg::work::ShardItem>,
    version: &str,
    stop: &AtomicBool,
    id: &str,
    t: Instant,
) -> Result<Option<(ShardStats, f64, f64)>> {
    if version != rasd_events::VERSION {
        bail!(
            "this shard re-processes documents with rasd {version}, and this worker is rasd {}: it is left to a \
             worker of that version",
            rasd_events::VERSION
        );
    }
    let redone: Vec<std::result::Result<rasd_pg::reprocess::Redone, String>> = items
        .into_par_iter()
        .map_init(make, |extract, item| {
            let doc = item.document()?;
            Ok(rasd_pg::reprocess::Redone {
                doc_id: doc.id.clone(),
                outlet: doc.outlet.clone(),
                events: extract_one(extract, doc).map_err(|e| format!("{}: {e}", doc.id))?,
            })
        })
        .collect();
    let redone: Vec<_> = redone
        .into_iter()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| anyhow!("re-processing a stored document: {e}"))?;
    let extract_ms = t.elapsed().as_secs_f64() * 1000.0;
    if stopped_before_writing(args, stop) {
        return Ok(None);
    }
    let t = Instant::now();
    let written = rasd_pg::reprocess::write(pg, version, &redone)?;
    let mut stats = ShardStats::default();
    match written {
        rasd_pg::reprocess::Written::Obsolete { current } => {
            info!(shard = %id, "shard {id}: the re-processing run of rasd {version} is over ({}); nothing written",
                current.map_or("no run".to_string(), |r| format!("the last run is rasd {}, {}", r.version, r.state)));
        }
        rasd_pg::reprocess::Written::Stored {
            documents,
            events,
            remaining,
        } => {
            stats.counts.read = documents;
            stats.counts.events = events;
            if remaining <= 0 {
                let opts = rasd_reconcile::Options::default();
                if let Some(s) = rasd_pg::reprocess::switch_if_complete(pg, &opts)? {
                    info!(
                        version = %s.version,
                        documents = s.documents,
                        old_events = s.old_events,
                        new_events = s.new_events,
                        "re-processing with rasd {} is complete: the records of its {} document(s) are switched \
                         over ({} event(s) replaced by {}), and the derived tables rebuilt",
                        s.version,
                        s.documents,
                        s.old_events,
                        s.new_events
                    );
                }
            }
        }
    }
    let write_ms = t.elapsed().as_secs_f64() * 1000.0;
    if args.debug_die_after_commit {
        info!(shard = %id, "shard {id} committed; dying before the ack (--debug-die-after-commit)");
        std::process::exit(3);
    }
    Ok(Some((stats, extract_ms, write_ms)))
}

/// Between extracting a shard and writing it: the test delay (`--debug-delay-ms`), then whether a stop was asked.
fn stopped_before_writing(args: &Args, stop: &AtomicBool) -> bool {
    if args.debug_delay_ms > 0 {
        std::thread::sleep(Duration::from_millis(args.debug_delay_ms));
    }
    stop.load(Ordering::SeqCst)
}

fn decode(payload: &[u8]) -> Result<Shard> {
    serde_json::from_slice(payload).map_err(|e| anyhow!("the shard is not valid JSON: {e}"))
}

#[allow(clippy::too_many_arguments)]
/// Decodes, extracts and writes one shard, with the milliseconds spent extracting and writing; `None` when a stop
/// was asked before the write began. `again`: the shard may have been committed before.
fn process(
    args: &Args,
    pg: &mut rasd_pg::postgres::Client,
    make: &(impl Fn() -> super::ingest::ExtractFn + Sync),
    payload: &[u8],
    stop: &AtomicBool,
    nats: &crate::nats::Nats,
    id: &str,
    again: bool,
) -> Result<Option<(ShardStats, f64, f64)>> {
    let t = Instant::now();
    let shard = decode(payload)?;
    if let Some(version) = &shard.reprocess {
        let done = reprocess(args, pg, make, shard.items, version, stop, id, t)?;
        if let Some((stats, _, _)) = &done {
            publish_done(nats, id, stats)?;
        }
        return Ok(done);
    }
    let prepared = rasd_pg::work::prepare(shard.items, make, &extract_one);
    let extract_ms = t.elapsed().as_secs_f64() * 1000.0;
    if stopped_before_writing(args, stop) {
        return Ok(None);
    }
    let t = Instant::now();
    let mut single = make();
    let mut reextract = |d: &Doc| extract_one(&mut single, d).unwrap_or_default();
    let stats = rasd_pg::work::write_shard(pg, prepared, rasd_events::VERSION, &mut reextract)?;
    let write_ms = t.elapsed().as_secs_f64() * 1000.0;
    if args.debug_die_after_commit {
        info!(shard = %id, "shard {id} committed; dying before the ack (--debug-die-after-commit)");
        std::process::exit(3);
    }
    // A shard delivered again, or written again after a lost connection, may have been committed before (by a
    // worker that died before publishing its buckets; by a commit whose answer the connection lost): it publishes
    // a bucket message even when it stored nothing new (the reconcile worker recomputes on any).
    if !stats.buckets.is_empty() || again {
        let buckets: Vec<&(String, String)> = stats.buckets.iter().collect();
        let payload = serde_json::to_vec(&serde_json::json!({ "shard": id, "buckets": buckets }))?;
        nats.publish(&nats.names.buckets_subject(), &format!("b-{id}"), &[], payload)?;
    }
    publish_done(nats, id, &stats)?;
    Ok(Some((stats, extract_ms, write_ms)))
}

/// Tells `rasd queue status` that shard `id` is done, with its documents (for its throughput).
fn publish_done(nats: &crate::nats::Nats, id: &str, stats: &ShardStats) -> Result<()> {
    let done = serde_json::to_vec(&serde_json::json!({ "shard": id, "documents": stats.counts.read }))?;
    nats.publish(&nats.names.done_subject(), &format!("d-{id}"), &[], done)?;
    Ok(())
}
