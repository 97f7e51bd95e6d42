//! NATS JetStream for the scale-out commands (`rasd queue`, `rasd worker`, `rasd reconcile --worker`): the
//! connection, the streams and their names.
//!
//! Four streams per name prefix (`--stream`, default `RASD_STREAM` or `RASD`), so that several queues (tests
//! running in parallel, two projects) share one NATS cluster:
//! - `P_WORK` (subject `P.work`): shards of documents, retention WorkQueue, consumed by the durable pull
//!   consumer `P_workers` that every `rasd worker` shares; a shard's message id (`Nats-Msg-Id`) is the hash of
//!   its content, so JetStream drops a repeated push within its duplicate window (2 minutes);
//! - `P_BUCKETS` (`P.buckets`): the (place, ISO week) buckets a committed shard touched, WorkQueue, consumed by
//!   `rasd reconcile --worker` (durable consumer `P_reconcile`);
//! - `P_DLQ` (`P.dlq`): shards that failed `--max-deliver` times, with the reason in the `Rasd-Reason` header;
//! - `P_DONE` (`P.done`): one small message per committed shard (its document count), kept 10 minutes, from
//!   which `rasd queue status` measures documents/s.
//!
//! Streams are replicated on 3 nodes when the cluster has them, else on 1. The client is async (async-nats on
//! a small tokio runtime); the commands are synchronous and call it through [`Nats::block_on`], so that the
//! synchronous PostgreSQL client never runs inside the runtime.

use anyhow::{Context, Result, anyhow, bail};
use async_nats::jetstream::{self, consumer, stream};
use std::time::Duration;

/// The environment variable naming the NATS servers (`scripts/cluster-local.sh up` prints it).
pub const ENV: &str = "RASD_NATS";
/// How long a publish keeps retrying while its stream is not (yet) answering.
/// (A stream whose leader node died elects another within seconds, longer on a loaded machine.)
const PUBLISH_PATIENCE: Duration = Duration::from_secs(30);

/// The environment variable naming the stream prefix.
pub const STREAM_ENV: &str = "RASD_STREAM";

/// The connection flags shared by the scale-out commands.
#[derive(clap::Args, Debug, Clone)]
pub struct NatsArgs {
    /// NATS servers, comma-separated (nats://HOST:PORT,…); default: RASD_NATS.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,
    /// The name prefix of the JetStream streams (letters, digits, - and _); default: RASD_STREAM, else RASD.
    #[arg(long, value_name = "NAME")]
    pub stream: Option<String>,
}

/// The names of one queue's streams, subjects and consumers.
#[derive(Debug, Clone)]
pub struct Names {
    pub prefix: String,
}

impl Names {
    pub fn work(&self) -> String {
        format!("{}_WORK", self.prefix)
    }
    pub fn work_subject(&self) -> String {
        format!("{}.work", self.prefix)
    }
    pub fn workers(&self) -> String {
        format!("{}_workers", self.prefix)
    }
    pub fn buckets(&self) -> String {
        format!("{}_BUCKETS", self.prefix)
    }
    pub fn buckets_subject(&self) -> String {
        format!("{}.buckets", self.prefix)
    }
    pub fn reconcile(&self) -> String {
        format!("{}_reconcile", self.prefix)
    }
    pub fn dlq(&self) -> String {
        format!("{}_DLQ", self.prefix)
    }
    pub fn dlq_subject(&self) -> String {
        format!("{}.dlq", self.prefix)
    }
    pub fn done(&self) -> String {
        format!("{}_DONE", self.prefix)
    }
    pub fn done_subject(&self) -> String {
        format!("{}.done", self.prefix)
    }
}

/// A connection to NATS JetStream, with the runtime that drives it.
pub struct Nats {
    pub rt: tokio::runtime::Runtime,
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub names: Names,
    /// The URLs as given, for messages.
    pub url: String,
}

impl NatsArgs {
    /// The servers: `--nats`, else `RASD_NATS`.
    pub fn url(&self) -> Result<String> {
        match &self.nats {
            Some(u) if !u.trim().is_empty() => Ok(u.trim().to_string()),
            _ => match std::env::var(ENV) {
                Ok(u) if !u.trim().is_empty() => Ok(u.trim().to_string()),
                _ => bail!(
                    "no NATS server: pass --nats nats://HOST:PORT (or set {ENV}; \
                     `eval \"$(scripts/cluster-local.sh up)\"` starts a local cluster and sets it)"
                ),
            },
        }
    }

    /// The stream prefix: `--stream`, else `RASD_STREAM`, else `RASD`.
    pub fn names(&self) -> Result<Names> {
        let prefix = match &self.stream {
            Some(s) => s.clone(),
            None => std::env::var(STREAM_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "RASD".into()),
        };
        let prefix = prefix.trim().to_string();
        if prefix.is_empty()
            || prefix.len() > 64
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("--stream {prefix:?}: a stream prefix is 1 to 64 letters, digits, - or _");
        }
        Ok(Names { prefix })
    }

    /// Connects (10 s timeout): a clear error when no server answers.
    pub fn connect(&self, name: &str) -> Result<Nats> {
        let url = self.url()?;
        let names = self.names()?;
        let addrs: Vec<async_nats::ServerAddr> = url
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<async_nats::ServerAddr>()
                    .map_err(|e| anyhow!("{s}: not a NATS URL ({e}); expected nats://HOST:PORT"))
            })
            .collect::<Result<_>>()?;
        if addrs.is_empty() {
            bail!("no NATS server in {url:?}");
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .context("starting the NATS client's runtime")?;
        let opts = async_nats::ConnectOptions::new()
            .name(name)
            .connection_timeout(Duration::from_secs(10))
            .request_timeout(Some(Duration::from_secs(30)));
        let client = rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(15), opts.connect(addrs)).await })
            .map_err(|_| anyhow!("cannot connect to NATS at {url}: no answer in 15 s"))?
            .map_err(|e| {
                anyhow!(
                    "cannot connect to NATS at {url}: {e} (is nats-server running and reachable? \
                     `eval \"$(scripts/cluster-local.sh up)\"` starts a local cluster)"
                )
            })?;
        let js = {
            // The context spawns its acknowledgement task on the runtime.
            let _rt = rt.enter();
            jetstream::new(client.clone())
        };
        Ok(Nats {
            rt,
            client,
            js,
            names,
            url,
        })
    }
}

impl Nats {
    /// Runs a future of the client to completion.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The largest message the servers accept.
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload.max(64 * 1024)
    }

    /// Gets the stream `name`, creating it when missing: 3 replicas when the cluster can hold them, else 1.
    pub fn stream(
        &self,
        name: &str,
        subject: &str,
        retention: stream::RetentionPolicy,
        max_age: Duration,
    ) -> Result<stream::Stream> {
        self.block_on(async {
            if let Ok(s) = self.js.get_stream(name).await {
                return Ok(s);
            }
            let config = |replicas: usize| stream::Config {
                name: name.to_string(),
                subjects: vec![subject.to_string()],
                retention,
                num_replicas: replicas,
                max_age,
                duplicate_window: Duration::from_secs(120),
                storage: stream::StorageType::File,
                ..Default::default()
            };
            let replicas = if self.client.server_info().cluster.is_some() {
                3
            } else {
                1
            };
            match self.js.get_or_create_stream(config(replicas)).await {
                Ok(s) => Ok(s),
                Err(e) if replicas > 1 => {
                    // A cluster of fewer than 3 JetStream nodes: one replica.
                    self.js
                        .get_or_create_stream(config(1))
                        .await
                        .map_err(|e1| anyhow!("creating stream {name}: {e} (with 3 replicas), {e1} (with 1)"))
                }
                Err(e) => Err(anyhow!("creating stream {name}: {e}")),
            }
        })
    }

    pub fn work_stream(&self) -> Result<stream::Stream> {
        self.stream(
            &self.names.work(),
            &self.names.work_subject(),
            stream::RetentionPolicy::WorkQueue,
            Duration::ZERO,
        )
    }

    pub fn buckets_stream(&self) -> Result<stream::Stream> {
        self.stream(
            &self.names.buckets(),
            &self.names.buckets_subject(),
            stream::RetentionPolicy::WorkQueue,
            Duration::ZERO,
        )
    }

    pub fn dlq_stream(&self) -> Result<stream::Stream> {
        self.stream(
            &self.names.dlq(),
            &self.names.dlq_subject(),
            stream::RetentionPolicy::Limits,
            Duration::ZERO,
        )
    }

    pub fn done_stream(&self) -> Result<stream::Stream> {
        self.stream(
            &self.names.done(),
            &self.names.done_subject(),
            stream::RetentionPolicy::Limits,
            Duration::from_secs(600),
        )
    }

    /// The durable pull consumer `name` on `stream`, with explicit acks. Deliveries are not capped by the server:
    /// the worker counts them and moves a message that keeps failing to the dead-letter stream itself, with its
    /// reason.
    pub fn consumer(
        &self,
        stream: &stream::Stream,
        name: &str,
        ack_wait: Duration,
    ) -> Result<consumer::Consumer<consumer::pull::Config>> {
        self.block_on(stream.get_or_create_consumer(
            name,
            consumer::pull::Config {
                durable_name: Some(name.to_string()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait,
                max_deliver: -1,
                ..Default::default()
            },
        ))
        .map_err(|e| anyhow!("creating the consumer {name}: {e}"))
    }

    /// Pulls up to `max` messages from `consumer`. The server ends a pull after 1 s; the client gives up after
    /// 10 s, so that with no server answering (every node down) a pull never waits for ever and a SIGTERM is seen.
    pub fn pull(
        &self,
        consumer: &consumer::Consumer<consumer::pull::Config>,
        max: usize,
    ) -> std::result::Result<Vec<jetstream::Message>, String> {
        use futures_util::StreamExt;
        self.block_on(async {
            let pull = async {
                let mut batch = consumer
                    .batch()
                    .max_messages(max)
                    .expires(Duration::from_secs(1))
                    .messages()
                    .await?;
                let mut got = Vec::new();
                while let Some(m) = batch.next().await {
                    got.push(m?);
                }
                Ok::<_, async_nats::Error>(got)
            };
            match tokio::time::timeout(Duration::from_secs(10), pull).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err("no answer in 10 s".to_string()),
            }
        })
    }

    /// Publishes `payload` to `subject` with a message id, and waits for JetStream's acknowledgement; `true`
    /// when JetStream had it already (a duplicate within the window).
    pub fn publish(&self, subject: &str, id: &str, headers: &[(&str, &str)], payload: Vec<u8>) -> Result<bool> {
        let mut h = async_nats::HeaderMap::new();
        h.insert("Nats-Msg-Id", id);
        for (k, v) in headers {
            h.insert(*k, *v);
        }
        // A stream just created on a cluster answers only once its replicas have a leader and its subject's
        // interest has reached the node this client talks to: until then a publish finds "no stream". That
        // window (and an acknowledgement lost to a leader change, or with the connection to a node that died) is
        // retried, for up to PUBLISH_PATIENCE; the message id makes a retry that JetStream did store a duplicate,
        // never a second copy.
        let start = std::time::Instant::now();
        let mut pause = Duration::from_millis(25);
        loop {
            let ack = self.block_on(async {
                let fut = self
                    .js
                    .publish_with_headers(subject.to_string(), h.clone(), payload.clone().into())
                    .await?;
                fut.await
            });
            match ack {
                Ok(ack) => return Ok(ack.duplicate),
                Err(e)
                    if matches!(
                        e.kind(),
                        jetstream::context::PublishErrorKind::StreamNotFound
                            | jetstream::context::PublishErrorKind::TimedOut
                            | jetstream::context::PublishErrorKind::BrokenPipe
                    ) && start.elapsed() + pause < PUBLISH_PATIENCE =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                Err(e) => return Err(anyhow!("publishing to {subject} on {}: {e}", self.url)),
            }
        }
    }
}
