//! What a `rasd worker` tells its operator: its log lines (`--log-format text|json`, through `tracing`) and, with
//! `--metrics ADDR`, a Prometheus endpoint (`GET /metrics`, the text exposition format 0.0.4, served by a thread of
//! its own with `tiny_http`).
//!
//! The text format is the lines the worker always printed (`rasd worker: …`, which scripts and tests read); the
//! JSON format is one object per line with the same message and its values as fields (`shard`, `seq`, `delivery`,
//! the counts, `ms`…), for a log collector.

use anyhow::{Context, Result, anyhow};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, filter::Targets};

/// `--log-format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `rasd worker: …` lines.
    Text,
    /// One JSON object per line: timestamp, level, message and the values as fields.
    Json,
}

/// Sends the events of this program (not those of its libraries) to stderr, in `format`, each text line prefixed
/// with `prefix` (`rasd worker: `).
pub fn init_logs(format: LogFormat, prefix: &'static str) {
    let only_ours = Targets::new().with_target("rasd", tracing::Level::INFO);
    let layer = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .event_format(Plain(prefix))
            .with_filter(only_ours)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_target(false)
            .with_filter(only_ours)
            .boxed(),
    };
    // A second initialisation (never in the binary) keeps the first.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The text format: the message alone, after a prefix.
struct Plain(&'static str);

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S, N> FormatEvent<S, N> for Plain
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut m = Message(String::new());
        event.record(&mut m);
        writeln!(w, "{}{}", self.0, m.0)
    }
}

/// Upper bounds (seconds) of the histogram buckets of the extract and write times of a shard.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Per bucket of `BUCKETS`, observations at most its bound (not cumulative; summed when written).
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += secs;
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (b, n) in BUCKETS.iter().zip(self.counts) {
            cumulative += n;
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

/// A worker's counters since it started.
#[derive(Default, Clone)]
pub struct Counts {
    pub shards_done: u64,
    pub shards_failed: u64,
    pub shards_dead_lettered: u64,
    pub documents_read: u64,
    pub documents_new: u64,
    pub documents_near_duplicate: u64,
    pub documents_duplicate: u64,
    pub documents_failed: u64,
    pub events_written: u64,
    pub postgres_reconnects: u64,
    pub in_flight: u64,
    extract: Histogram,
    write: Histogram,
}

/// The metrics of one worker, shared with the thread that serves them.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Counts>>);

impl Metrics {
    /// Changes the counters.
    pub fn update(&self, f: impl FnOnce(&mut Counts)) {
        let mut c = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut c);
    }

    /// Records the extract and write times of a committed shard.
    pub fn times(&self, extract_secs: f64, write_secs: f64) {
        self.update(|c| {
            c.extract.observe(extract_secs);
            c.write.observe(write_secs);
        });
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let c = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            "rasd_worker_shards_done_total",
            "Shards committed to PostgreSQL.",
            c.shards_done,
        );
        counter(
            "rasd_worker_shards_failed_total",
            "Deliveries of a shard that failed and were handed back for a retry.",
            c.shards_failed,
        );
        counter(
            "rasd_worker_shards_dead_lettered_total",
            "Shards moved to the dead-letter stream.",
            c.shards_dead_lettered,
        );
        counter(
            "rasd_worker_documents_read_total",
            "Inputs read from committed shards (documents and unreadable items).",
            c.documents_read,
        );
        counter(
            "rasd_worker_documents_new_total",
            "New documents stored (near-duplicates included).",
            c.documents_new,
        );
        counter(
            "rasd_worker_documents_near_duplicate_total",
            "New documents linked to an earlier one as a republished copy.",
            c.documents_near_duplicate,
        );
        counter(
            "rasd_worker_documents_duplicate_total",
            "Exact duplicates of stored documents, not stored again.",
            c.documents_duplicate,
        );
        counter(
            "rasd_worker_documents_failed_total",
            "Inputs that could not be read or extracted, recorded as failures.",
            c.documents_failed,
        );
        counter(
            "rasd_worker_events_written_total",
            "Event records written.",
            c.events_written,
        );
        counter(
            "rasd_worker_postgres_reconnects_total",
            "Connections to PostgreSQL made again after one was lost.",
            c.postgres_reconnects,
        );
        c.extract.write(
            &mut out,
            "rasd_worker_shard_extract_seconds",
            "Time to decode and extract a committed shard.",
        );
        c.write.write(
            &mut out,
            "rasd_worker_shard_write_seconds",
            "Time to write a committed shard to PostgreSQL (its transaction).",
        );
        let _ = writeln!(
            out,
            "# HELP rasd_worker_shards_in_flight Shards this worker is working on.\n\
             # TYPE rasd_worker_shards_in_flight gauge\nrasd_worker_shards_in_flight {}",
            c.in_flight
        );
        let _ = writeln!(
            out,
            "# HELP rasd_build_info The program's version and its extractor's, as labels.\n\
             # TYPE rasd_build_info gauge\nrasd_build_info{{version=\"{}\",extractor=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            escape(rasd_events::VERSION)
        );
        out
    }

    /// Serves `GET /metrics` on `addr` from a thread of its own; the address bound (port 0: the one the system
    /// chose).
    pub fn serve(&self, addr: SocketAddr) -> Result<SocketAddr> {
        let server =
            tiny_http::Server::http(addr).map_err(|e| anyhow!("--metrics {addr}: cannot listen there: {e}"))?;
        let bound = server.server_addr().to_ip().context("the metrics server's address")?;
        let metrics = self.clone();
        std::thread::Builder::new()
            .name("metrics".into())
            .spawn(move || {
                for req in server.incoming_requests() {
                    let path = req.url().split('?').next().unwrap_or("");
                    let response = if path != "/metrics" {
                        tiny_http::Response::from_string("not found: the metrics are at /metrics\n")
                            .with_status_code(404)
                    } else if *req.method() != tiny_http::Method::Get {
                        tiny_http::Response::from_string("GET only\n").with_status_code(405)
                    } else {
                        let header = tiny_http::Header::from_bytes(
                            &b"Content-Type"[..],
                            &b"text/plain; version=0.0.4; charset=utf-8"[..],
                        )
                        .expect("a valid header");
                        tiny_http::Response::from_string(metrics.render()).with_header(header)
                    };
                    let _ = req.respond(response);
                }
            })
            .context("starting the metrics thread")?;
        Ok(bound)
    }
}

/// A label value: backslash, double quote and newline escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_the_counters_the_histograms_and_the_build_info() {
        let m = Metrics::default();
        m.update(|c| {
            c.shards_done += 2;
            c.documents_read += 7;
        });
        m.times(0.02, 3.0);
        m.times(0.2, 400.0);
        let t = m.render();
        assert!(t.contains("\nrasd_worker_shards_done_total 2\n"), "{t}");
        assert!(t.contains("\nrasd_worker_documents_read_total 7\n"), "{t}");
        assert!(
            t.contains("rasd_worker_shard_extract_seconds_bucket{le=\"0.025\"} 1\n"),
            "{t}"
        );
        assert!(
            t.contains("rasd_worker_shard_extract_seconds_bucket{le=\"0.25\"} 2\n"),
            "{t}"
        );
        assert!(
            t.contains("rasd_worker_shard_write_seconds_bucket{le=\"300\"} 1\n"),
            "{t}"
        );
        assert!(
            t.contains("rasd_worker_shard_write_seconds_bucket{le=\"+Inf\"} 2\n"),
            "{t}"
        );
        assert!(t.contains("rasd_worker_shard_write_seconds_count 2\n"), "{t}");
        assert!(t.contains("rasd_worker_shards_in_flight 0\n"), "{t}");
        assert!(
            t.contains(&format!("extractor=\"{}\"}} 1\n", rasd_events::VERSION)),
            "{t}"
        );
        // Every sample line is `name[{labels}] value`, after its HELP and TYPE.
        for line in t.lines().filter(|l| !l.starts_with('#')) {
            let (name, value) = line.rsplit_once(' ').expect("name value");
            assert!(value.parse::<f64>().is_ok(), "{line}");
            assert!(name.starts_with("rasd_"), "{line}");
        }
    }

    #[test]
    fn only_get_metrics_is_served() {
        let m = Metrics::default();
        let addr = m.serve("127.0.0.1:0".parse().unwrap()).expect("serve");
        assert_ne!(addr.port(), 0);
        let get = |path: &str| {
            use std::io::{Read, Write};
            let mut s = std::net::TcpStream::connect(addr).expect("connect");
            write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").expect("write");
            let mut r = String::new();
            s.read_to_string(&mut r).expect("read");
            r
        };
        let ok = get("/metrics");
        assert!(ok.starts_with("HTTP/1.0 200") || ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.contains("rasd_worker_shards_done_total 0"), "{ok}");
        assert!(ok.contains("text/plain; version=0.0.4"), "{ok}");
        for path in ["/", "/metricsx", "/other"] {
            let r = get(path);
            assert!(r.contains(" 404 "), "{path}: {r}");
        }
    }
}
