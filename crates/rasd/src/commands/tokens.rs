//! `rasd tokens`: the text layer made visible — sentences, tokens, clitic segments and numbers, with byte spans.

use crate::input;
use anyhow::Result;
use rasd_text::{Segmenter, Tokenizer, find_numbers, split_sentences};
use serde_json::{Value, json};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(after_help = "Text output: one block per sentence, one line per token:\n  \
surface<TAB>start..end<TAB>segments<TAB>kind\nthen the numbers found in it. Offsets are bytes of the input.\n\
JSON output (--json): one object per sentence per line; every span is {surface, start, end} with\n\
input[start..end] == surface.")]
pub struct Args {
    /// The file to read, or - for standard input.
    pub file: String,
    /// Print JSON Lines (one object per sentence) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping with an error.
    #[arg(long)]
    pub lossy: bool,
    /// Also list every candidate segmentation, not only the best one.
    #[arg(long)]
    pub candidates: bool,
}

/// Window size for long inputs: texts are processed window by window, cut at a line break or a sentence end,
/// and a file larger than a window is read from disk window by window ([`input::text_windows`]), so memory stays
/// flat and time linear however long the input or a single line is.
const WINDOW: usize = 1 << 20;

pub fn run(args: Args) -> Result<ExitCode> {
    let windows = input::text_windows(&args.file, args.lossy, WINDOW)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let segmenter = Segmenter::new();
    let mut tokenizer = Tokenizer::new();
    let mut sentence_no = 0usize;
    for w in windows {
        let (base, window) = w?;
        let window = window.as_str();
        let tokens = tokenizer.tokenize(window);
        for s in split_sentences(window, tokens) {
            sentence_no += 1;
            let toks = &tokens[s.first_token..s.end_token];
            let numbers = find_numbers(window, toks);
            if args.json {
                let token_json: Vec<Value> = toks
                    .iter()
                    .map(|t| {
                        let best = segmenter.best(window, t);
                        let mut v = json!({
                            "surface": t.surface(window), "start": base + t.start, "end": base + t.end,
                            "kind": t.kind,
                            "segments": pieces_json(window, base, &best.pieces),
                            "segment_rule": best.rule,
                        });
                        if args.candidates {
                            v["candidates"] = segmenter
                                .candidates(window, t)
                                .iter()
                                .map(|c| json!({"pieces": pieces_json(window, base, &c.pieces), "rule": c.rule}))
                                .collect();
                        }
                        v
                    })
                    .collect();
                let numbers_json: Vec<Value> = numbers
                    .iter()
                    .map(|n| {
                        json!({"surface": &window[n.start..n.end], "start": base + n.start, "end": base + n.end,
                               "value": n.value, "min": n.min, "max": n.max, "kind": n.kind,
                               "qualifier": n.qualifier, "vague": n.vague})
                    })
                    .collect();
                let line = json!({
                    "sentence": {"surface": &window[s.start..s.end], "start": base + s.start, "end": base + s.end},
                    "tokens": token_json,
                    "numbers": numbers_json,
                });
                writeln!(out, "{line}")?;
            } else {
                writeln!(out, "# sentence {sentence_no}\t{}..{}", base + s.start, base + s.end)?;
                for t in toks {
                    let best = segmenter.best(window, t);
                    write!(
                        out,
                        "{}\t{}..{}\t{}\t{:?}",
                        t.surface(window),
                        base + t.start,
                        base + t.end,
                        best.render(window),
                        t.kind
                    )?;
                    if args.candidates {
                        for c in segmenter.candidates(window, t).iter().skip(1) {
                            write!(out, "\t| {} ({})", c.render(window), c.rule)?;
                        }
                    }
                    writeln!(out)?;
                }
                for n in &numbers {
                    writeln!(
                        out,
                        "= number\t{}\t{}..{}\tvalue={}\tmin={}\tmax={}\t{:?}{}",
                        &window[n.start..n.end],
                        base + n.start,
                        base + n.end,
                        opt(n.value),
                        opt(n.min),
                        opt(n.max),
                        n.kind,
                        if n.vague { "\tvague" } else { "" }
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn pieces_json(text: &str, base: usize, pieces: &[rasd_text::Piece]) -> Vec<Value> {
    pieces
        .iter()
        .map(
            |p| json!({"surface": &text[p.start..p.end], "start": base + p.start, "end": base + p.end, "role": p.role}),
        )
        .collect()
}
