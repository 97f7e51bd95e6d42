//! `rasd extract`: Arabic reports in, one ACLED-style event record per reported act out (JSONL on stdout).
//!
//! Inputs are plain text files, JSONL document files or directories (read recursively, in name order). Bad inputs
//! never stop a run: a malformed JSONL line names its line and is skipped, a binary file is reported and skipped,
//! and the summary on stderr counts every skip with its reason.

use anyhow::{Context, Result, bail};
use rasd_core::{Doc, Event};
use rasd_events::{Extractor, Options};
use rasd_store::read;
use rayon::prelude::*;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Input: plain text (metadata from --published/--outlet/--doc-id), JSONL documents \
{id, url, outlet, published, title, text} one per line, HTML pages, RSS/Atom feeds, or directories read \
recursively (README, .md and database files skipped). The file name's extension decides the format (.txt, \
.jsonl/.json/.ndjson, .html, .rss, .atom), else the content (a leading { is JSONL). A .jsonl file is JSONL \
whatever its first line holds, and is streamed line by line.\n\
One reader serves every command (extract, ingest, candidates): a bad JSONL line is skipped with its line \
number; a JSONL line with no id gets the content id of its text (blake3, 16 hex digits); a file with NUL bytes \
is binary and skipped; a malformed feed item skips that item; dates are ISO or RFC 822; charsets: UTF-8 (with \
or without BOM), UTF-16 with its BOM, windows-1256 Arabic (spans are offsets into the decoded UTF-8 text). A \
plain-text document's id is its file name without the extension (a content id from standard input).\n\
HTML pages are read by the article reader `rasd watch` uses (Readability: main text, title, publication date, \
canonical URL, site name).\n\
Memory stays bounded whatever the input: a plain-text file larger than 1 MB is read from disk window by window \
(1 MB windows cut at a line break or a sentence end, spans exact offsets into the decoded text), JSONL line by \
line; other inputs read whole (HTML, feeds, JSONL not in UTF-8, non-JSONL standard input) and JSONL lines are \
limited to 32 MB, and a larger one is refused with its size.\n\
Output: one event record per line (JSON, the contract of ARCHITECTURE.md), or a table with --format table.\n\
A summary (documents, events, skipped inputs with reasons, throughput) goes to stderr.\n\
Exit codes: 0 ok (also when no event was found: the output is then empty), 2 bad flags, unreadable input, or \
no readable document at all."
)]
pub struct Args {
    /// Files or directories to read; - (or nothing) for standard input.
    pub files: Vec<String>,
    /// Publication date of plain-text input (YYYY-MM-DD): the anchor of relative dates.
    #[arg(long, value_parser = parse_day)]
    pub published: Option<chrono::NaiveDate>,
    /// Outlet id (or name) of plain-text input: the last entry of every reported_by.
    #[arg(long)]
    pub outlet: Option<String>,
    /// Document id of plain-text input (default: the file name, or a content hash for standard input).
    #[arg(long)]
    pub doc_id: Option<String>,
    /// Input format, when detection is not wanted.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    pub format: OutputFormat,
    /// Treat every input line as an independent report (sentence-level gold sets).
    #[arg(long)]
    pub sentences: bool,
    /// Emit only records whose confidence reaches this value (0..1; default: the threshold stored with the
    /// embedded event scorer, chosen from its precision-recall curve; see README).
    #[arg(long, value_parser = parse_confidence)]
    pub min_confidence: Option<f32>,
    /// Skip the learned event scorer: rule-based records with rule-based confidence (for comparisons).
    #[arg(long)]
    pub unscored: bool,
    /// Drop history and commentary instead of marking it `background`.
    #[arg(long)]
    pub no_background: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Replace bytes that no charset explains with U+FFFD instead of skipping the input.
    #[arg(long)]
    pub lossy: bool,
    /// Print no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How to read an input file.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// By the file name's extension, else by the content: JSONL when it starts with `{`, RSS/Atom, HTML,
    /// otherwise plain text.
    Auto,
    Text,
    Jsonl,
    /// An HTML page: its main text and metadata are extracted.
    Html,
    /// An RSS 2.0 or Atom feed: one document per item.
    Feed,
}

/// How to print records.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Jsonl,
    Table,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date in YYYY-MM-DD form"))
}

/// Metadata for plain-text inputs.
#[derive(Debug, Clone, Default)]
pub struct TextMeta {
    pub published: Option<chrono::NaiveDate>,
    pub outlet: Option<String>,
    pub doc_id: Option<String>,
}

impl InputFormat {
    /// The reader's forced format (`None`: the file name or the content decides).
    fn forced(self) -> Option<read::Format> {
        match self {
            InputFormat::Auto | InputFormat::Feed => None,
            InputFormat::Text => Some(read::Format::Text),
            InputFormat::Jsonl => Some(read::Format::Jsonl),
            InputFormat::Html => Some(read::Format::Html),
        }
    }
}

/// What reading the inputs gave, one item at a time: a document (with the plain-text metadata applied), a
/// skipped document or line with its reason, or an input that could not be opened at all (an error).
pub enum Read {
    Doc(Doc),
    /// A plain-text document larger than one extraction window: its metadata (the text left empty) and its
    /// file, read window by window as it is extracted.
    Large(Doc, read::LargeText),
    Skipped(String),
    Unreadable(String),
}

/// Reads the inputs (`-` for standard input) lazily with the one reader of every command
/// ([`read::inputs`]): JSONL is streamed line by line and a plain-text file larger than one window comes as a
/// [`Read::Large`], so memory does not grow with the input. Never fails on content: bad content is a `Skipped`.
pub fn load<'a>(
    paths: &'a [String],
    format: InputFormat,
    meta: &'a TextMeta,
    lossy: bool,
) -> impl Iterator<Item = Read> + 'a {
    // `--doc-id` names the document of a single plain-text, HTML or feed input.
    let single = paths.len() == 1 && (paths[0] == "-" || !std::path::Path::new(&paths[0]).is_dir());
    let opts = crate::input::read_options(format.forced(), lossy);
    let with_meta = move |d: &mut Doc| {
        d.outlet = d.outlet.take().or_else(|| meta.outlet.clone());
        d.published = d.published.or(meta.published);
        if single && let Some(id) = &meta.doc_id {
            d.id = id.clone();
        }
    };
    read::inputs(paths, opts).map(move |input| {
        let item = match input {
            read::Input::Item(item) => item,
            read::Input::Text(t) => {
                let mut d = Doc {
                    id: t.id.clone(),
                    ..Doc::default()
                };
                with_meta(&mut d);
                return Read::Large(d, t);
            }
        };
        let reason = match item.doc {
            Ok(mut d) => {
                if item.format != Some(read::Format::Jsonl) {
                    with_meta(&mut d);
                }
                return Read::Doc(d);
            }
            Err(reason) => reason,
        };
        let origin = &item.origin;
        let jsonl_line = item.format == Some(read::Format::Jsonl)
            && origin.rsplit_once(':').is_some_and(|(_, n)| n.parse::<usize>().is_ok());
        if item.unreadable {
            Read::Unreadable(format!("{origin}: {reason}"))
        } else if jsonl_line {
            Read::Skipped(format!("{origin}: malformed JSONL line skipped: {reason}"))
        } else {
            Read::Skipped(format!("{origin}: {reason}, skipped"))
        }
    })
}

/// Extracts every document in parallel, keeping input order. One worker (with its buffers) per rayon split. A
/// panic of the extractor on a document is that document's failure only (`Err` with the panic's message); the
/// worker is rebuilt and the others go on.
pub fn extract_all(x: &Extractor, docs: &[Doc], opts: &Options) -> Vec<std::result::Result<Vec<Event>, String>> {
    docs.par_iter()
        .with_min_len(8)
        .map_init(
            || x.worker(),
            |w, d| rasd_core::guard_extraction(w, || x.worker(), |w| w.extract(d, opts)),
        )
        .collect()
}

/// [`extract_all`], where any document the extractor fails on is an error naming it (for `eval` and `train`,
/// whose figures would be wrong with a document left out).
pub fn extract_all_or_fail(x: &Extractor, docs: &[Doc], opts: &Options) -> Result<Vec<Vec<Event>>> {
    docs.iter()
        .zip(extract_all(x, docs, opts))
        .map(|(d, r)| r.map_err(|e| anyhow::anyhow!("document {}: {e}", d.id)))
        .collect()
}

/// Builds the thread pool for `--threads`.
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        b = b.num_threads(n);
    }
    b.build().context("cannot start worker threads")
}

pub fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    let meta = TextMeta {
        published: args.published,
        outlet: args.outlet.clone(),
        doc_id: args.doc_id.clone(),
    };
    let x = Extractor::default_embedded().context("cannot load the embedded lexicon and rules")?;
    let opts = Options {
        drop_background: args.no_background,
        sentences: args.sentences,
        keep_weak: false,
        min_confidence: args.min_confidence,
        unscored: args.unscored,
    };
    let pool = pool(args.threads)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut n_docs, mut n_events, mut bytes, mut no_event_docs) = (0usize, 0usize, 0usize, 0usize);
    let (mut skipped, mut unreadable) = (0usize, 0usize);
    let mut batch: Vec<Doc> = Vec::new();
    let mut batch_bytes = 0usize;
    let files = if args.files.is_empty() {
        vec!["-".to_string()]
    } else {
        args.files.clone()
    };
    let mut inputs = load(&files, args.input_format, &meta, args.lossy);
    // Batches (of documents, and of bytes) keep memory flat on large inputs while output stays in input order.
    loop {
        let next = inputs.next();
        let end = next.is_none();
        let mut big = None;
        match next {
            // A document longer than one extraction window goes alone, window by window, its events written
            // as each window ends (after the batch before it, to keep input order); a large plain-text file is
            // read from disk window by window as it goes.
            Some(Read::Doc(d)) if d.text.len() > rasd_events::Worker::WINDOW => big = Some((d, None)),
            Some(Read::Large(d, t)) => big = Some((d, Some(t))),
            Some(Read::Doc(d)) => {
                batch_bytes += d.text.len();
                batch.push(d);
            }
            Some(Read::Skipped(s)) => {
                skipped += 1;
                if !args.quiet {
                    eprintln!("rasd: {s}");
                }
            }
            Some(Read::Unreadable(u)) => {
                unreadable += 1;
                eprintln!("rasd: error: {u}");
            }
            None => {}
        }
        let full = batch.len() >= BATCH_DOCS || batch_bytes >= BATCH_BYTES || big.is_some();
        if !batch.is_empty() && (full || end) {
            let results = pool.install(|| extract_all(&x, &batch, &opts));
            for (doc, result) in batch.iter().zip(&results) {
                let events = match result {
                    Ok(events) => events,
                    Err(e) => {
                        skipped += 1;
                        eprintln!("rasd: error: document {}: {e}; skipped", doc.id);
                        continue;
                    }
                };
                n_docs += 1;
                bytes += doc.text.len();
                if events.is_empty() {
                    no_event_docs += 1;
                }
                n_events += events.len();
                for e in events {
                    match args.format {
                        OutputFormat::Jsonl => {
                            serde_json::to_writer(&mut out, e)?;
                            out.write_all(b"\n")?;
                        }
                        OutputFormat::Table => write_row(&mut out, e)?,
                    }
                }
            }
            batch.clear();
            batch_bytes = 0;
        }
        if let Some((doc, file)) = big {
            let mut failed: Option<std::io::Error> = None;
            let mut found = 0usize;
            let mut size = doc.text.len();
            let mut read_error: Option<String> = None;
            let mut emit = |events: Vec<Event>| {
                found += events.len();
                for e in &events {
                    if failed.is_some() {
                        return false;
                    }
                    let written = match args.format {
                        OutputFormat::Jsonl => serde_json::to_writer(&mut out, e)
                            .map_err(std::io::Error::from)
                            .and_then(|()| out.write_all(b"\n")),
                        OutputFormat::Table => write_row(&mut out, e),
                    };
                    failed = written.err();
                }
                failed.is_none()
            };
            match &file {
                None => x.worker().extract_windows(&doc, &opts, &mut emit),
                Some(t) => match t.windows(rasd_events::Worker::WINDOW) {
                    Ok(windows) => {
                        let mut windows = windows.map_while(|w| match w {
                            Ok((base, w)) => {
                                size = base + w.len();
                                Some((base, w))
                            }
                            Err(e) => {
                                read_error = Some(format!("{}: cannot read on: {e}", t.origin));
                                None
                            }
                        });
                        x.worker().extract_stream(&doc, &mut windows, &opts, &mut emit);
                    }
                    Err(e) => read_error = Some(format!("{}: cannot read: {e}", t.origin)),
                },
            }
            if let Some(e) = failed {
                return Err(e.into());
            }
            if let Some(e) = read_error {
                // The records of the windows before the error were written; the run says so and fails.
                unreadable += 1;
                eprintln!("rasd: error: {e}");
                continue;
            }
            n_docs += 1;
            bytes += size;
            n_events += found;
            if found == 0 {
                no_event_docs += 1;
            }
        }
        if end {
            break;
        }
    }
    out.flush()?;
    if n_docs == 0 && (unreadable > 0 || skipped > 0) {
        eprintln!("rasd: error: no readable document in the input");
        return Ok(ExitCode::from(2));
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "rasd extract: {} documents ({} with no event), {} events, {} skipped, {} unreadable; {:.1} MB in {:.2}s \
             ({:.1} MB/s, {:.0} docs/s)",
            n_docs,
            no_event_docs,
            n_events,
            skipped,
            unreadable,
            bytes as f64 / 1e6,
            secs,
            bytes as f64 / 1e6 / secs,
            n_docs as f64 / secs
        );
    }
    // An input that could not be opened is an error even when others were read.
    Ok(if unreadable == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Documents per extraction batch.
const BATCH_DOCS: usize = 4096;
/// Text bytes per extraction batch.
const BATCH_BYTES: usize = 32 << 20;

fn write_row(out: &mut impl Write, e: &Event) -> std::io::Result<()> {
    let actor = |a: &Option<rasd_core::ActorRef>| a.as_ref().map_or("-".to_string(), |a| a.id.clone());
    let place = e.location.as_ref().map_or("-".to_string(), |l| {
        format!(
            "{}{} ({:.2},{:.2}) p{}",
            l.name_ar,
            if l.carried { "*" } else { "" },
            l.lat,
            l.lon,
            l.geo_precision
        )
    });
    let fat = e
        .fatalities
        .as_ref()
        .map_or("-".to_string(), |f| match (f.value, f.cumulative) {
            (_, true) => format!("total {}", f.min.map_or("?".into(), |v| v.to_string())),
            (Some(v), _) => v.to_string(),
            (None, _) => "n/a".to_string(),
        });
    let src: Vec<&str> = e.reported_by.iter().map(|s| s.id.as_str()).collect();
    let mut ev: String = e.evidence.text.chars().take(70).collect();
    if e.evidence.text.chars().count() > 70 {
        ev.push('…');
    }
    writeln!(
        out,
        "{}\t{}\t{}{}\t{} → {}\t{}\tkilled:{}\t{}\t{}\t{:.2}\t{}",
        e.doc_id,
        e.event_date.map_or("-".to_string(), |d| d.to_string()),
        e.sub_event_type,
        if e.background { " [background]" } else { "" },
        actor(&e.actor1),
        actor(&e.actor2),
        place,
        fat,
        src.join("<"),
        e.stance.as_str(),
        e.confidence,
        ev.replace(['\n', '\t'], " ")
    )
}

/// A confidence threshold between 0 and 1.
pub(crate) fn parse_confidence(s: &str) -> std::result::Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a confidence between 0 and 1")),
    }
}
