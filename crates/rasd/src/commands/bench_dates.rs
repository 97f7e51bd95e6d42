//! `rasd bench dates FILE`: how fast news text is scanned for date expressions (best of N passes).

use anyhow::Result;
use rasd_time::DateFinder;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A UTF-8 file of news text (at least a few MB for stable figures).
    pub file: String,
    /// How many passes to time (the best pass is reported).
    #[arg(long, default_value_t = 5)]
    pub passes: usize,
    /// Anchor date for resolution (YYYY-MM-DD); resolution is part of the timed work.
    #[arg(long, default_value = "2019-01-25")]
    pub published: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let anchor = rasd_time::parse_date(&args.published)?;
    let text = crate::input::read_text(&args.file, false)?;
    let finder = DateFinder::new();
    let mb = text.len() as f64 / 1e6;
    let mut best = f64::INFINITY;
    let mut count = 0;
    // Documents are scanned one line (one paragraph) at a time, as the pipeline calls the finder per document.
    for _ in 0..args.passes.max(1) {
        let t = Instant::now();
        count = text.lines().map(|l| finder.find(l, Some(anchor)).len()).sum::<usize>();
        best = best.min(t.elapsed().as_secs_f64());
    }
    let whole = {
        let t = Instant::now();
        let n = finder.find(&text, Some(anchor)).len();
        (t.elapsed().as_secs_f64(), n)
    };
    println!("input: {} ({:.1} MB), {} date expressions", args.file, mb, count);
    println!(
        "dates (per line, best of {})   {:>8.1} MB/s",
        args.passes.max(1),
        mb / best
    );
    println!(
        "dates (whole file, one pass)   {:>8.1} MB/s  ({} expressions)",
        mb / whole.0,
        whole.1
    );
    println!("peak RSS                       {:>8.1} MB", super::bench::peak_rss_mb());
    Ok(ExitCode::SUCCESS)
}
