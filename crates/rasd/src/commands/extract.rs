//! `rasd extract`: Arabic reports in, one ACLED-style event record per reported act out (JSONL on stdout).
//!
//! Inputs are plain text files, JSONL document files or directories (read recursively, in name order). Bad inputs
//! never stop a run: a malformed JSONL line names its line and is skipped, a binary file is reported and skipped,
//! and the summary on stderr counts every skip with its reason.

use crate::input;
use anyhow::{Context, Result, bail};
use rasd_core::{Doc, Event};
use rasd_events::{Extractor, Options};
use rayon::prelude::*;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Input: plain text (metadata from --published/--outlet/--doc-id), JSONL documents \
{id, url, outlet, published, title, text} one per line, or directories read recursively. A file whose first \
non-empty line is a JSON object is read as JSONL unless --input-format says otherwise.\n\
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
    /// Drop history and commentary instead of marking it `background`.
    #[arg(long)]
    pub no_background: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Replace invalid UTF-8 with U+FFFD instead of skipping the file.
    #[arg(long)]
    pub lossy: bool,
    /// Print no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How to read an input file.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// JSONL when the first line is a JSON object; HTML pages and RSS/Atom feeds by extension or content;
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

/// The documents read from the inputs, and every input or line skipped with its reason.
#[derive(Debug, Default)]
pub struct Loaded {
    pub docs: Vec<Doc>,
    pub skipped: Vec<String>,
    /// Inputs that could not be opened at all (a missing file): an error, not a skip.
    pub unreadable: Vec<String>,
}

/// Expands directories (recursively, in name order).
fn expand(paths: &[String]) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            out.push(dir.to_path_buf());
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files);
            out.extend(files.into_iter().map(|f| f.to_string_lossy().into_owned()));
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Looks like a binary file: a NUL byte near the start.
fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// Reads every input into documents. Never fails on content: bad content is a reason in `skipped`.
pub fn load(paths: &[String], format: InputFormat, meta: &TextMeta, lossy: bool) -> Loaded {
    let paths = if paths.is_empty() {
        vec!["-".to_string()]
    } else {
        expand(paths)
    };
    let single = paths.len() == 1;
    let mut out = Loaded::default();
    for p in &paths {
        let name = input::display_name(p).to_string();
        let bytes = match input::read_bytes(p) {
            Ok(b) => b,
            Err(e) => {
                out.unreadable.push(format!("{e:#}"));
                continue;
            }
        };
        if is_binary(&bytes) {
            out.skipped.push(format!("{name}: binary file (NUL bytes), skipped"));
            continue;
        }
        let text = match input::decode(p, bytes, lossy) {
            Ok(t) => t,
            Err(e) => {
                out.skipped.push(format!("{e:#}; skipped"));
                continue;
            }
        };
        let jsonl = match format {
            InputFormat::Jsonl => true,
            InputFormat::Text | InputFormat::Html | InputFormat::Feed => false,
            InputFormat::Auto => text.lines().find(|l| !l.trim().is_empty()).is_some_and(|l| {
                l.trim_start().starts_with('{')
                    && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(l).is_ok()
            }),
        };
        if jsonl {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match Doc::from_json_line(line) {
                    Ok(d) => out.docs.push(d),
                    Err(e) => out
                        .skipped
                        .push(format!("{name}:{}: malformed JSONL line skipped: {e}", i + 1)),
                }
            }
        } else {
            if text.trim().is_empty() {
                out.skipped.push(format!("{name}: empty text, skipped"));
                continue;
            }
            if let Some(items) = markup_docs(&name, &text, format) {
                for item in items {
                    match item.doc {
                        Ok(mut d) => {
                            d.outlet = d.outlet.or_else(|| meta.outlet.clone());
                            d.published = d.published.or(meta.published);
                            if single && let Some(id) = &meta.doc_id {
                                d.id = id.clone();
                            }
                            out.docs.push(d);
                        }
                        Err(reason) => out.skipped.push(format!("{}: {reason}, skipped", item.origin)),
                    }
                }
                continue;
            }
            let id = match (&meta.doc_id, single) {
                (Some(id), true) => id.clone(),
                _ if p == "-" => Doc::content_id(&text),
                _ => Path::new(p)
                    .file_name()
                    .map_or_else(|| Doc::content_id(&text), |f| f.to_string_lossy().into_owned()),
            };
            out.docs.push(Doc {
                id,
                url: None,
                outlet: meta.outlet.clone(),
                published: meta.published,
                title: None,
                text,
            });
        }
    }
    out
}

/// Reads HTML pages and RSS/Atom feeds with the store's readers (the same ones `rasd ingest` uses), so that
/// markup never reaches the extractor. `None` for plain text.
fn markup_docs(name: &str, text: &str, format: InputFormat) -> Option<Vec<rasd_store::read::Item>> {
    use rasd_store::read::{Format, format_from_name, read_bytes};
    let hint = match format {
        InputFormat::Html => Some(Format::Html),
        InputFormat::Feed => None,
        InputFormat::Auto => format_from_name(name),
        InputFormat::Text | InputFormat::Jsonl => return None,
    };
    let items = read_bytes(name, text.as_bytes(), hint);
    let markup = items
        .iter()
        .any(|i| matches!(i.format, Some(Format::Html | Format::Rss | Format::Atom)));
    markup.then_some(items)
}

/// Extracts every document in parallel, keeping input order. One worker (with its buffers) per rayon split.
pub fn extract_all(x: &Extractor, docs: &[Doc], opts: &Options) -> Vec<Vec<Event>> {
    docs.par_iter()
        .with_min_len(8)
        .map_init(|| x.worker(), |w, d| w.extract(d, opts))
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
    let loaded = load(&args.files, args.input_format, &meta, args.lossy);
    for u in &loaded.unreadable {
        eprintln!("rasd: error: {u}");
    }
    if !args.quiet {
        for s in &loaded.skipped {
            eprintln!("rasd: {s}");
        }
    }
    if loaded.docs.is_empty() && (!loaded.unreadable.is_empty() || !loaded.skipped.is_empty()) {
        eprintln!("rasd: error: no readable document in the input");
        return Ok(ExitCode::from(2));
    }
    let x = Extractor::default_embedded().context("cannot load the embedded lexicon and rules")?;
    let opts = Options {
        drop_background: args.no_background,
        sentences: args.sentences,
        keep_weak: false,
    };
    let pool = pool(args.threads)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut n_events = 0usize;
    let mut bytes = 0usize;
    let mut no_event_docs = 0usize;
    // Batches keep memory flat on large corpora while output stays in input order.
    for batch in loaded.docs.chunks(4096) {
        let results = pool.install(|| extract_all(&x, batch, &opts));
        for (doc, events) in batch.iter().zip(&results) {
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
    }
    out.flush()?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "rasd extract: {} documents ({} with no event), {} events, {} skipped, {} unreadable; {:.1} MB in {:.2}s \
             ({:.1} MB/s, {:.0} docs/s)",
            loaded.docs.len(),
            no_event_docs,
            n_events,
            loaded.skipped.len(),
            loaded.unreadable.len(),
            bytes as f64 / 1e6,
            secs,
            bytes as f64 / 1e6 / secs,
            loaded.docs.len() as f64 / secs
        );
    }
    // An input that could not be opened is an error even when others were read.
    Ok(if loaded.unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

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
