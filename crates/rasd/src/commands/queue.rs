//! `rasd queue push` and `rasd queue status`: the work queue of the scale-out path (issue 14) on NATS
//! JetStream. See `crate::nats` for the streams.

use crate::nats::{Nats, NatsArgs};
use anyhow::{Context, Result, bail};
use rasd_pg::work::{Shard, ShardItem};
use rasd_store::read::Item;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// Publish documents (files, directories, URLs, or a stored database) to the work queue, in shards.
    Push(PushArgs),
    /// Pending, in-flight and dead-letter counts, and documents/s over the last minute.
    Status(StatusArgs),
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Reads its inputs as `rasd ingest` does (the same reader: text, JSONL, HTML, RSS/Atom; files, \
directories, http(s) URLs, - for standard input) and publishes them in shards of --shard-size documents (fewer when \
a shard would exceed the server's largest message) to the stream P_WORK (P: --stream), created when missing \
(WorkQueue retention; 3 replicas on a 3-node cluster, else 1). Each shard's message id is the hash of its content: \
pushing the same inputs again within two minutes publishes nothing new (JetStream drops the duplicates), and a \
shard stored twice stores nothing twice anyway. Unreadable inputs travel in the shards and are recorded in the \
failures table by the worker, as `rasd ingest` records them; a missing file or unreachable URL is also named on \
stderr and the exit status is 2.\n\
--from-db sqlite:PATH|postgres://… re-publishes every document stored in a database."
)]
pub struct PushArgs {
    /// Files, directories or URLs to publish.
    pub paths: Vec<String>,
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Documents per shard (one message, one worker transaction).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub shard_size: u32,
    /// Re-publish the documents stored in this database (sqlite:PATH, a path, or postgres://…).
    #[arg(long, value_name = "DB")]
    pub from_db: Option<String>,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: Cmd) -> Result<ExitCode> {
    match cmd {
        Cmd::Push(a) => push(a),
        Cmd::Status(a) => status(a),
    }
}

/// What a push did.
#[derive(Debug, Default, Serialize)]
struct Pushed {
    documents: u64,
    shards: u64,
    /// Shards JetStream already had (same content within its duplicate window).
    duplicate_shards: u64,
    /// Inputs that could not be read (published as failures; missing files and URLs also exit 2).
    unreadable: u64,
}

/// A shard's wire form: a message with its content id.
pub fn encode(items: &[ShardItem]) -> Result<(String, Vec<u8>)> {
    let payload = serde_json::to_vec(&Shard { items: items.to_vec() })?;
    let id = blake3::hash(&payload).to_hex()[..32].to_string();
    Ok((id, payload))
}

fn to_item(i: Item) -> ShardItem {
    let format = i.format.map(|f| f.as_str().to_string());
    match i.doc {
        Ok(doc) => ShardItem {
            origin: i.origin,
            format,
            doc: Some(doc),
            error: None,
        },
        Err(e) => ShardItem {
            origin: i.origin,
            format,
            doc: None,
            error: Some(e),
        },
    }
}

/// Cuts items into shards of at most `size` documents and `max_bytes` bytes, publishing each.
struct Publisher<'a> {
    nats: &'a Nats,
    subject: String,
    size: usize,
    max_bytes: usize,
    shard: Vec<ShardItem>,
    bytes: usize,
    done: Pushed,
}

impl Publisher<'_> {
    fn add(&mut self, mut item: ShardItem) -> Result<()> {
        let mut len = serde_json::to_vec(&item)?.len() + 1;
        if len + 64 > self.max_bytes {
            // A document larger than a NATS message: recorded as a failure by the worker, like any unreadable one.
            item = ShardItem {
                error: Some(format!(
                    "document of {len} bytes is larger than the NATS server's largest message ({} bytes)",
                    self.max_bytes
                )),
                doc: None,
                ..item
            };
            len = serde_json::to_vec(&item)?.len() + 1;
        }
        if !self.shard.is_empty() && (self.shard.len() >= self.size || self.bytes + len + 64 > self.max_bytes) {
            self.flush()?;
        }
        self.bytes += len;
        self.shard.push(item);
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.shard.is_empty() {
            return Ok(());
        }
        let (id, payload) = encode(&self.shard)?;
        let n = self.shard.len() as u64;
        let dup = self.nats.publish(&self.subject, &id, &[], payload)?;
        self.done.shards += 1;
        self.done.documents += n;
        self.done.duplicate_shards += u64::from(dup);
        self.shard.clear();
        self.bytes = 0;
        Ok(())
    }
}

fn push(args: PushArgs) -> Result<ExitCode> {
    if args.paths.is_empty() && args.from_db.is_none() {
        bail!("nothing to push: give files, directories or URLs, or --from-db DB");
    }
    let nats = args.nats.connect("rasd queue push")?;
    nats.work_stream()?;
    let mut p = Publisher {
        subject: nats.names.work_subject(),
        size: args.shard_size as usize,
        // Headers and JSON framing take a little: keep a margin under the server's limit.
        max_bytes: nats.max_payload().saturating_sub(1024),
        nats: &nats,
        shard: Vec::new(),
        bytes: 0,
        done: Pushed::default(),
    };
    let mut missing = Vec::new();
    for item in super::ingest::items(&args.paths) {
        if item.doc.is_err() {
            p.done.unreadable += 1;
        }
        if item.unreadable {
            missing.push(format!(
                "{}: {}",
                item.origin,
                item.doc.as_ref().err().cloned().unwrap_or_default()
            ));
        }
        p.add(to_item(item))?;
    }
    if let Some(db) = &args.from_db {
        let db = match crate::dburl::parse(db).map_err(anyhow::Error::msg)? {
            crate::dburl::DbUrl::Sqlite(path) => path.display().to_string(),
            crate::dburl::DbUrl::Postgres(url) => url,
        };
        let mut err = None;
        let read = rasd_pg::work::stored_docs(&db, 1000, &mut |items| {
            for i in items {
                if let Err(e) = p.add(i) {
                    err = Some(e);
                    return Err(rasd_pg::Error::Schema("publishing stopped".into()));
                }
            }
            Ok(())
        });
        // A publishing error stopped the reading: it is the one to report.
        if let Some(e) = err {
            return Err(e);
        }
        read.with_context(|| format!("reading the documents of {}", rasd_pg::redact(&db)))?;
    }
    p.flush()?;
    let done = p.done;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &done)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "published {} document(s) in {} shard(s) to {} ({} shard(s) already there){}",
            done.documents,
            done.shards,
            nats.names.work(),
            done.duplicate_shards,
            if done.unreadable > 0 {
                format!(
                    "; {} unreadable input(s), recorded as failures by the workers",
                    done.unreadable
                )
            } else {
                String::new()
            }
        )?;
    }
    out.flush()?;
    for m in &missing {
        eprintln!("rasd: error: {m}");
    }
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// What `queue status` shows.
#[derive(Debug, Default, Serialize)]
struct Status {
    stream: String,
    /// Shards not yet delivered to a worker.
    pending: u64,
    /// Shards delivered and not yet acknowledged (being worked on, or waiting for redelivery).
    in_flight: u64,
    /// Shards delivered more than once.
    redelivered: u64,
    /// Shards in the dead-letter stream.
    dead_letters: u64,
    /// Bucket messages waiting for `rasd reconcile --worker`.
    buckets_pending: u64,
    /// Documents committed by workers in the last 60 s, and per second.
    documents_last_minute: u64,
    documents_per_second: f64,
}

fn status(args: StatusArgs) -> Result<ExitCode> {
    let nats = args.nats.connect("rasd queue status")?;
    let names = nats.names.clone();
    let mut s = Status {
        stream: names.work(),
        ..Status::default()
    };
    nats.block_on(async {
        let js = &nats.js;
        if let Ok(mut work) = js.get_stream(names.work()).await {
            let messages = work.info().await.map(|i| i.state.messages).unwrap_or(0);
            match work
                .get_consumer::<async_nats::jetstream::consumer::pull::Config>(&names.workers())
                .await
            {
                Ok(mut c) => {
                    if let Ok(i) = c.info().await {
                        s.pending = i.num_pending;
                        s.in_flight = i.num_ack_pending as u64;
                        s.redelivered = i.num_redelivered as u64;
                    }
                }
                Err(_) => s.pending = messages,
            }
        }
        if let Ok(mut dlq) = js.get_stream(names.dlq()).await {
            s.dead_letters = dlq.info().await.map(|i| i.state.messages).unwrap_or(0);
        }
        if let Ok(mut b) = js.get_stream(names.buckets()).await {
            s.buckets_pending = b.info().await.map(|i| i.state.messages).unwrap_or(0);
        }
        if let Ok(mut done) = js.get_stream(names.done()).await
            && let Ok((first, last)) = done
                .info()
                .await
                .map(|i| (i.state.first_sequence, i.state.last_sequence))
        {
            let since = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
                - 60;
            let mut seq = last;
            // Newest first, until a message older than a minute (at most 10,000 shards).
            while seq >= first.max(1) && last - seq < 10_000 {
                let Ok(m) = done.get_raw_message(seq).await else {
                    break;
                };
                if m.time.unix_timestamp() < since {
                    break;
                }
                let n: u64 = serde_json::from_slice::<serde_json::Value>(&m.payload)
                    .ok()
                    .and_then(|v| v["documents"].as_u64())
                    .unwrap_or(0);
                s.documents_last_minute += n;
                seq -= 1;
            }
            s.documents_per_second = s.documents_last_minute as f64 / 60.0;
        }
    });
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}: {} shard(s) pending, {} in flight (ack pending), {} redelivered",
            s.stream, s.pending, s.in_flight, s.redelivered
        )?;
        writeln!(out, "{}: {} dead letter(s)", names.dlq(), s.dead_letters)?;
        writeln!(
            out,
            "{}: {} bucket message(s) to reconcile",
            names.buckets(),
            s.buckets_pending
        )?;
        writeln!(
            out,
            "throughput: {} document(s) committed in the last minute ({:.1} documents/s)",
            s.documents_last_minute, s.documents_per_second
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
