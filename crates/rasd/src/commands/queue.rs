//! `rasd queue push` and `rasd queue status`: the work queue of the scale-out path (issue 14) on NATS
//! JetStream. See `crate::nats` for the streams.

use crate::nats::{Nats, NatsArgs};
use anyhow::{Context, Result, bail};
use rasd_pg::work::{Shard, ShardItem};
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
--from-db sqlite:PATH|postgres://… re-publishes every document stored in a database.\n\
--reprocess re-runs the documents stored in the PostgreSQL database of --db (or RASD_DB) through the workers, \
with this rasd's extractor: those extracted by another version, or every one with --all. The workers write the \
new records apart; every query keeps the old ones until the last document is done, then the new records replace \
them and the incidents, timelines and contradictions are rebuilt, in one transaction. Pushing --reprocess again \
resumes an unfinished run (only its documents not yet done are published); a run of another rasd version is \
abandoned for the new one. Each shard must be taken by a worker of this rasd version: another one leaves it \
(dead-lettered after --max-deliver attempts, with the reason; push --reprocess again to publish it anew)."
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
    #[arg(long, value_name = "DB", conflicts_with = "reprocess")]
    pub from_db: Option<String>,
    /// Re-process the documents stored in PostgreSQL (--db, else RASD_DB) with this rasd version, switching
    /// their records over when the last is done (see below).
    #[arg(long, conflicts_with = "paths")]
    pub reprocess: bool,
    /// With --reprocess: every stored document, also those extracted by this version.
    #[arg(long, requires = "reprocess")]
    pub all: bool,
    /// With --reprocess: the PostgreSQL database (postgres://…; default RASD_DB).
    #[arg(long, value_name = "URL", requires = "reprocess")]
    pub db: Option<String>,
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
    /// Also show the last re-processing run of this PostgreSQL database (postgres://…; default RASD_DB when
    /// set).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
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
    /// With --reprocess: the run, as it stands after the push.
    #[serde(skip_serializing_if = "Option::is_none")]
    reprocess: Option<ReprocessPushed>,
}

/// The run of a `--reprocess` push.
#[derive(Debug, Serialize)]
struct ReprocessPushed {
    version: String,
    /// Documents the run covers, and those not yet written when the push began.
    total: i64,
    remaining: i64,
    resumed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    abandoned: Option<String>,
    /// True when this push found the run complete and switched it over itself.
    switched: bool,
}

/// A shard's wire form: a message with its content id. `reprocess`: the rasd version of a re-processing run.
pub fn encode(items: &[ShardItem], reprocess: Option<&str>) -> Result<(String, Vec<u8>)> {
    let payload = serde_json::to_vec(&Shard {
        items: items.to_vec(),
        reprocess: reprocess.map(str::to_string),
    })?;
    let id = blake3::hash(&payload).to_hex()[..32].to_string();
    Ok((id, payload))
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
    /// The rasd version of a re-processing run, carried by every shard.
    reprocess: Option<String>,
}

impl<'a> Publisher<'a> {
    /// A publisher to the work stream of `nats`, in shards of at most `size` documents.
    fn new(nats: &'a Nats, size: u32, reprocess: Option<String>) -> Publisher<'a> {
        Publisher {
            subject: nats.names.work_subject(),
            size: size as usize,
            // Headers and JSON framing take a little: keep a margin under the server's limit.
            max_bytes: nats.max_payload().saturating_sub(1024),
            nats,
            shard: Vec::new(),
            bytes: 0,
            done: Pushed::default(),
            reprocess,
        }
    }

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

    /// Publishes the documents that `read` reads from the database `db` (pages of shard items handed to the
    /// callback it is given). A publishing error stops the reading and is the one reported.
    fn add_stored(
        &mut self,
        db: &str,
        read: impl FnOnce(&mut dyn FnMut(Vec<ShardItem>) -> rasd_pg::Result<()>) -> rasd_pg::Result<()>,
    ) -> Result<()> {
        let mut err = None;
        let read = read(&mut |items| {
            for i in items {
                if let Err(e) = self.add(i) {
                    err = Some(e);
                    return Err(rasd_pg::Error::Schema("publishing stopped".into()));
                }
            }
            Ok(())
        });
        if let Some(e) = err {
            return Err(e);
        }
        read.with_context(|| format!("reading the documents of {}", rasd_pg::redact(db)))?;
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.shard.is_empty() {
            return Ok(());
        }
        let (id, payload) = encode(&self.shard, self.reprocess.as_deref())?;
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
    if args.paths.is_empty() && args.from_db.is_none() && !args.reprocess {
        bail!("nothing to push: give files, directories or URLs, --from-db DB, or --reprocess");
    }
    if args.reprocess {
        return push_reprocess(args);
    }
    let nats = args.nats.connect("rasd queue push")?;
    nats.work_stream()?;
    let mut p = Publisher::new(&nats, args.shard_size, None);
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
        p.add(ShardItem::from(item))?;
    }
    if let Some(db) = &args.from_db {
        let db = match crate::dburl::parse(db).map_err(anyhow::Error::msg)? {
            crate::dburl::DbUrl::Sqlite(path) => path.display().to_string(),
            crate::dburl::DbUrl::Postgres(url) => url,
        };
        p.add_stored(&db, |each| rasd_pg::work::stored_docs(&db, 1000, each))?;
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

/// `rasd queue push --reprocess`: starts (or resumes) the run in PostgreSQL, then publishes its documents not
/// yet done. A run found complete but not switched over (its last worker died first) is switched here.
fn push_reprocess(args: PushArgs) -> Result<ExitCode> {
    let url = super::worker::pg_url(&args.db)?;
    let mut pg = rasd_pg::connect(&url)?;
    rasd_pg::migrate(&mut pg).context("preparing the PostgreSQL schema")?;
    let version = rasd_events::VERSION;
    let started = rasd_pg::reprocess::start(&mut pg, version, args.all)
        .with_context(|| format!("starting the re-processing run in {}", rasd_pg::redact(&url)))?;
    if let Some(old) = &started.abandoned {
        eprintln!("rasd: note: the unfinished re-processing run of rasd {old} is abandoned for this one ({version})");
    }
    let mut info = ReprocessPushed {
        version: version.to_string(),
        total: started.run.total,
        remaining: started.run.remaining,
        resumed: started.resumed,
        abandoned: started.abandoned.clone(),
        switched: false,
    };
    let nats = args.nats.connect("rasd queue push")?;
    let mut p = Publisher::new(&nats, args.shard_size, Some(version.to_string()));
    if started.run.state == "running" && started.run.remaining > 0 {
        nats.work_stream()?;
        p.add_stored(&url, |each| rasd_pg::reprocess::pending_docs(&mut pg, 1000, each))?;
        p.flush()?;
    } else if started.run.state == "running" {
        let opts = rasd_reconcile::Options::default();
        info.switched = rasd_pg::reprocess::switch_if_complete(&mut pg, &opts)
            .context("switching the completed re-processing run over")?
            .is_some();
    }
    let mut done = p.done;
    let mut out = std::io::stdout().lock();
    let line = if started.run.total == 0 {
        format!(
            "nothing to re-process: every stored document was extracted by rasd {version} (--all re-extracts them anyway)"
        )
    } else if info.switched {
        format!(
            "the re-processing run of rasd {version} was complete ({} document(s)): its records are switched over",
            started.run.total
        )
    } else {
        format!(
            "{} re-processing with rasd {version}: published {} of {} document(s) in {} shard(s) to {} ({} shard(s)              already there); the old records stay until the last is written, then the new ones replace them at once",
            if started.resumed { "resumed" } else { "started" },
            done.documents,
            started.run.total,
            done.shards,
            nats.names.work(),
            done.duplicate_shards
        )
    };
    done.reprocess = Some(info);
    if args.json {
        serde_json::to_writer(&mut out, &done)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
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
    /// The last re-processing run (`queue push --reprocess`), when a database was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    reprocess: Option<rasd_pg::reprocess::Run>,
}

fn status(args: StatusArgs) -> Result<ExitCode> {
    let nats = args.nats.connect("rasd queue status")?;
    let names = nats.names.clone();
    let mut s = Status {
        stream: names.work(),
        ..Status::default()
    };
    if args.db.is_some() || std::env::var_os(crate::dburl::ENV).is_some() {
        let url = super::worker::pg_url(&args.db)?;
        let mut pg = rasd_pg::connect(&url)?;
        // A database no rasd command has prepared yet has had no run.
        if rasd_pg::schema::version(&mut pg)? >= 2 {
            s.reprocess = rasd_pg::reprocess::status(&mut pg)?;
        }
    }
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
        if let Some(r) = &s.reprocess {
            writeln!(
                out,
                "re-processing with rasd {}: {}, {} of {} document(s) done",
                r.version,
                r.state,
                r.total - r.remaining,
                r.total
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
