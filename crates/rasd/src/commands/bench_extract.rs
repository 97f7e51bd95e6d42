//! `rasd bench extract FILE`: end-to-end extraction throughput on an existing corpus (JSONL documents or plain
//! text). Nothing is generated here: `scripts/make_synthetic_corpus.py` writes a corpus to time.

use crate::commands::bench::peak_rss_mb;
use crate::commands::extract::{InputFormat, Read, TextMeta, load, pool};
use anyhow::{Context, Result, bail};
use rasd_events::{Extractor, Options};
use rayon::prelude::*;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Reports the best of N passes: documents/s, MB/s, MB/s per thread, events, peak RSS. \
Loading the lexicon and reading the file are timed apart from extraction."
)]
pub struct Args {
    /// A JSONL corpus ({id, text, published, …} per line) or a plain text file.
    pub file: String,
    /// How many passes to time (the best is reported).
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Treat every line as an independent report.
    #[arg(long)]
    pub sentences: bool,
    /// Skip the learned event scorer (to measure what it costs).
    #[arg(long)]
    pub unscored: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let t0 = Instant::now();
    // The bench times extraction over documents held in memory: collect them first.
    let (mut docs, mut skipped) = (Vec::new(), 0usize);
    let meta = TextMeta::default();
    for r in load(std::slice::from_ref(&args.file), InputFormat::Auto, &meta, false) {
        match r {
            Read::Doc(d) => docs.push(d),
            Read::Large(_, t) => match t.read_all().doc {
                Ok(d) => docs.push(d),
                Err(_) => skipped += 1,
            },
            Read::Skipped(_) => skipped += 1,
            Read::Unreadable(e) => bail!("{e}"),
        }
    }
    if docs.is_empty() {
        bail!("{}: no document to time", args.file);
    }
    let read_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let x = Extractor::default_embedded().context("cannot load the embedded lexicon and rules")?;
    let load_s = t1.elapsed().as_secs_f64();
    let opts = Options {
        sentences: args.sentences,
        unscored: args.unscored,
        ..Options::default()
    };
    let pool = pool(args.threads)?;
    let threads = pool.current_num_threads();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let mut best = f64::INFINITY;
    let mut events = 0usize;
    for _ in 0..args.passes.max(1) {
        let t = Instant::now();
        // Count, then drop: the figure is the extractor's, not the memory of keeping every record.
        events = pool.install(|| {
            docs.par_iter()
                .with_min_len(8)
                .map_init(|| x.worker(), |w, d| w.extract(d, &opts).len())
                .sum()
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "input: {} ({:.1} MB of text, {} documents, {} skipped)",
        args.file,
        mb,
        docs.len(),
        skipped
    );
    println!(
        "read {:.2}s, lexicon+rules load {:.3}s, threads {threads}",
        read_s, load_s
    );
    println!("extract (best of {})  {:>8.2}s", args.passes.max(1), best);
    println!(
        "throughput            {:>8.1} MB/s  ({:.1} MB/s per thread)",
        mb / best,
        mb / best / threads as f64
    );
    println!("documents             {:>8.0} docs/s", docs.len() as f64 / best);
    println!(
        "events                {:>8} ({:.2} per document)",
        events,
        events as f64 / docs.len() as f64
    );
    println!("peak RSS              {:>8.1} MB", peak_rss_mb());
    if events == 0 {
        bail!("no event extracted: the corpus is not news text, or extraction is broken");
    }
    Ok(ExitCode::SUCCESS)
}
