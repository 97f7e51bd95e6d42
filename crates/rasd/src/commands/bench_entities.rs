//! `rasd bench entities FILE`: entity matching throughput with the full lexicon, lexicon load time, peak memory.

use crate::input;
use anyhow::Result;
use rasd_lexicon::{Lexicon, Matcher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Each line of FILE is one document (disambiguation context). Reports the compiled-lexicon \
load time (embedded bytes → ready lexicon, best of 5), matching MB/s on one core (scan only, and full \
entities with disambiguation and coreference), and peak RSS."
)]
pub struct Args {
    /// A UTF-8 file of news text, one document per line (a few MB for stable figures).
    pub file: String,
    /// How many passes to time (the best pass is reported).
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
    /// A compiled lexicon file instead of the embedded one.
    #[arg(long)]
    pub lexicon: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let text = input::read_text(&a.file, false)?;
    let mb = text.len() as f64 / 1e6;
    // The embedded lexicon is loaded from its static bytes; a file with `Lexicon::load`, as `--lexicon` does.
    let compiled_len = match &a.lexicon {
        Some(p) => std::fs::metadata(p)?.len() as usize,
        None => Lexicon::embedded_bytes().len(),
    };
    let mut load_best = f64::INFINITY;
    let mut lex = None;
    for _ in 0..5 {
        drop(lex.take()); // one lexicon in memory at a time, so that peak RSS is what a user sees
        let t = Instant::now();
        let l = match &a.lexicon {
            Some(p) => Lexicon::load(p)?,
            None => Lexicon::from_bytes(Lexicon::embedded_bytes())?,
        };
        load_best = load_best.min(t.elapsed().as_secs_f64());
        lex = Some(l);
    }
    let Some(lex) = lex else {
        anyhow::bail!("no load pass ran")
    };
    let passes = a.passes.max(1);
    let docs: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut matcher = Matcher::new(&lex);
    // Wall time of the best pass, and the on-CPU time of that pass (from the scheduler, in ns): on a shared
    // machine the second is the honest "per core" figure.
    let time = |f: &mut dyn FnMut() -> usize| -> (f64, f64, usize) {
        let mut best = (f64::INFINITY, f64::NAN);
        let mut n = 0;
        for _ in 0..passes {
            let (t, c) = (Instant::now(), cpu_seconds());
            n = f();
            let wall = t.elapsed().as_secs_f64();
            if wall < best.0 {
                best = (wall, c.and_then(|c| cpu_seconds().map(|c2| c2 - c)).unwrap_or(f64::NAN));
            }
        }
        (best.0, best.1, n)
    };
    let (t_scan, c_scan, n_scan) = time(&mut || docs.iter().map(|d| matcher.count_matches(d)).sum());
    let (t_full, c_full, n_full) = time(&mut || docs.iter().map(|d| matcher.entities(d).len()).sum());
    println!("input: {} ({:.1} MB, {} documents)", a.file, mb, docs.len());
    println!(
        "lexicon: {} places, {} actors, {} outlets, {} keys, {:.1} MB compiled",
        lex.places().len(),
        lex.actors().len(),
        lex.outlets().len(),
        lex.tables().num_keys(),
        compiled_len as f64 / 1e6
    );
    println!("load (compiled -> ready, best of 5)   {:>8.1} ms", load_best * 1e3);
    println!(
        "scan (normalize + automaton + rules) {:>8.1} MB/s wall, {:>6.1} MB per CPU-second  ({n_scan} matches)",
        mb / t_scan,
        mb / c_scan
    );
    println!(
        "entities (+ disambiguation, coref)   {:>8.1} MB/s wall, {:>6.1} MB per CPU-second  ({n_full} entities)",
        mb / t_full,
        mb / c_full
    );
    println!(
        "peak RSS                             {:>8.1} MB",
        super::bench::peak_rss_mb()
    );
    Ok(ExitCode::SUCCESS)
}

/// Time this thread has spent on a CPU, from /proc/thread-self/schedstat (Linux); None elsewhere.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
