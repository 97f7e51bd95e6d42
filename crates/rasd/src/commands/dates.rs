//! `rasd dates`: every date expression in a text, with its span, resolved value, precision and rule.

use crate::input;
use anyhow::{Context, Result};
use rasd_time::{DateFinder, find_publication_date, parse_date};
use serde_json::json;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(after_help = "Text output: one line per expression:\n  \
surface<TAB>start..end<TAB>resolved<TAB>precision<TAB>rule[<TAB>future][<TAB>background]\n\
resolved is YYYY-MM-DD, START..END for a range, or - when unresolved. Offsets are bytes of the input.\n\
JSON output (--json): one object per expression per line, with input[start..end] == surface.\n\
Exit code 1 when no expression is found.")]
pub struct Args {
    /// The file to read, or - for standard input.
    pub file: String,
    /// The publication date (YYYY-MM-DD): the anchor for relative expressions.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub published: Option<String>,
    /// Without --published, read the anchor from a dateline or header near the top of the text.
    #[arg(long)]
    pub anchor_from_text: bool,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping with an error.
    #[arg(long)]
    pub lossy: bool,
}

/// Inputs larger than this (1 MB) are read and searched window by window.
const WINDOW: usize = 1 << 20;

pub fn run(args: Args) -> Result<ExitCode> {
    let anchor = match &args.published {
        Some(p) => Some(parse_date(p).context("--published")?),
        None => None,
    };
    // A file larger than one window is read and searched window by window (cut at a line break or a sentence
    // end, as `rasd extract` cuts), offsets shifted to the whole input; up to one window, the input is one text.
    let mut windows = input::text_windows(&args.file, args.lossy, WINDOW)?;
    let first = windows.next().transpose()?;
    let header = match &first {
        Some((_, w)) if anchor.is_none() && args.anchor_from_text => find_publication_date(w),
        _ => None,
    };
    let anchor = anchor.or(header.as_ref().map(|h| h.date));
    let finder = DateFinder::new();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if let (Some(h), Some((_, text))) = (&header, &first) {
        if args.json {
            let line = json!({"anchor": h.date, "anchor_rule": h.rule, "surface": &text[h.start..h.end],
                              "start": h.start, "end": h.end});
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "# anchor {} ({}) from {:?} at {}..{}",
                h.date,
                h.rule,
                &text[h.start..h.end],
                h.start,
                h.end
            )?;
        }
    } else if args.anchor_from_text && anchor.is_none() && !args.json {
        writeln!(
            out,
            "# no publication date found in the text; expressions stay unresolved"
        )?;
    }
    let mut found = 0usize;
    for w in first.into_iter().map(Ok).chain(windows) {
        let (base, text) = w?;
        let mentions = finder.find(&text, anchor);
        found += mentions.len();
        for m in &mentions {
            let (start, end) = (base + m.start, base + m.end);
            if args.json {
                let line = json!({
                    "surface": m.surface(&text), "start": start, "end": end,
                    "resolved": m.resolved.map(|r| json!({"start": r.start, "end": r.end})),
                    "precision": m.precision, "rule": m.rule, "future": m.future, "background": m.background,
                });
                writeln!(out, "{line}")?;
            } else {
                let resolved = match m.resolved {
                    Some(r) if r.start == r.end => r.start.to_string(),
                    Some(r) => format!("{}..{}", r.start, r.end),
                    None => "-".to_string(),
                };
                write!(
                    out,
                    "{}\t{}..{}\t{}\t{}\t{}",
                    m.surface(&text),
                    start,
                    end,
                    resolved,
                    m.precision.as_str(),
                    m.rule
                )?;
                if m.future {
                    write!(out, "\tfuture")?;
                }
                if m.background {
                    write!(out, "\tbackground")?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(if found == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
