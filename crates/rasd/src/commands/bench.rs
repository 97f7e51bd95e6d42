//! `rasd bench`: end-to-end throughput of the pipeline stages on a file of real-style news text.

use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// Normalize, tokenize, segment and read numbers; report MB/s per stage and peak memory.
    Text(TextArgs),
    /// Scan news text for date expressions; report MB/s.
    Dates(super::bench_dates::Args),
    /// Match places, actors and outlets with the full lexicon; report MB/s, load time and peak memory.
    Entities(super::bench_entities::Args),
    /// End-to-end extraction; report documents/s, MB/s and peak memory.
    Extract(super::bench_extract::Args),
    /// Ingest a synthetic collection into a fresh database; report documents/s and query latencies.
    Ingest(super::bench_ingest::Args),
}

#[derive(clap::Args, Debug)]
pub struct TextArgs {
    /// A UTF-8 file of news text (at least a few MB for stable figures).
    pub file: String,
    /// How many passes to time (the best pass is reported).
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
}

pub fn run(cmd: Cmd) -> Result<ExitCode> {
    match cmd {
        Cmd::Text(a) => text(a),
        Cmd::Dates(a) => super::bench_dates::run(a),
        Cmd::Entities(a) => super::bench_entities::run(a),
        Cmd::Extract(a) => super::bench_extract::run(a),
        Cmd::Ingest(a) => super::bench_ingest::run(a),
    }
}

fn text(a: TextArgs) -> Result<ExitCode> {
    use rasd_text::{Mode, Normalized, Normalizer, Segmenter, Tokenizer, find_numbers, split_sentences};
    use std::time::Instant;
    let text = crate::input::read_text(&a.file, false)?;
    let mb = text.len() as f64 / 1e6;
    let passes = a.passes.max(1);
    let best = |f: &mut dyn FnMut() -> usize| -> (f64, usize) {
        let mut best = f64::INFINITY;
        let mut count = 0;
        for _ in 0..passes {
            let t = Instant::now();
            count = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (best, count)
    };
    let normalizer = Normalizer::new(Mode::Match);
    let mut norm = Normalized::default();
    let mut tokenizer = Tokenizer::new();
    let segmenter = Segmenter::new();
    let (t_norm, n_len) = best(&mut || normalizer.normalize_into(&text, &mut norm).map_or(0, |_| norm.len()));
    let (t_tok, n_tok) = best(&mut || tokenizer.tokenize(&text).len());
    let (t_both, _) = best(&mut || {
        let n = normalizer.normalize_into(&text, &mut norm).map_or(0, |_| norm.len());
        n + tokenizer.tokenize(&text).len()
    });
    let (t_full, n_seg) = best(&mut || {
        let n = normalizer.normalize_into(&text, &mut norm).map_or(0, |_| norm.len());
        let tokens = tokenizer.tokenize(&text);
        let mut count = n;
        for s in split_sentences(&text, tokens) {
            let toks = &tokens[s.first_token..s.end_token];
            for t in toks {
                count += segmenter.stem_start(&text, t) & 1;
            }
            count += find_numbers(&text, toks).len();
        }
        count
    });
    println!(
        "input: {} ({:.1} MB), {} tokens, {} normalized bytes",
        a.file, mb, n_tok, n_len
    );
    println!("normalize                         {:>8.1} MB/s", mb / t_norm);
    println!("tokenize                          {:>8.1} MB/s", mb / t_tok);
    println!("normalize+tokenize                {:>8.1} MB/s", mb / t_both);
    println!(
        "normalize+tokenize+segment+numbers {:>7.1} MB/s  (checksum {n_seg})",
        mb / t_full
    );
    println!("peak RSS                          {:>8.1} MB", peak_rss_mb());
    Ok(ExitCode::SUCCESS)
}

/// Peak resident set size of this process, from /proc (Linux); 0 where unavailable.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
