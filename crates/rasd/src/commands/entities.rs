//! `rasd entities`: the places, actors and outlets named in a text, with byte spans into the input.

use crate::input;
use anyhow::Result;
use rasd_lexicon::{Entity, EntityKind, Lexicon};
use serde_json::{Value, json};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(after_help = "Text output: one line per entity:\n  \
surface<TAB>start..end<TAB>kind<TAB>id<TAB>name / name_ar<TAB>lat,lon (places)<TAB>confidence\n\
Offsets are bytes of the input; the span is the name without its proclitics.\n\
JSON output (--json): one object per entity per line, with input[start..end] == surface.\n\
Exit code 1 when nothing is found.")]
pub struct Args {
    /// The file to read, or - for standard input. The whole input is one document (context for disambiguation);
    /// an input larger than 1 MB is read window by window, each window one document.
    pub file: String,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
    /// A compiled lexicon file (from `rasd lexicon build`) instead of the embedded one.
    #[arg(long)]
    pub lexicon: Option<PathBuf>,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping with an error.
    #[arg(long)]
    pub lossy: bool,
}

/// Inputs larger than this (1 MB) are read and matched window by window.
const WINDOW: usize = 1 << 20;

pub fn run(args: Args) -> Result<ExitCode> {
    let windows = input::text_windows(&args.file, args.lossy, WINDOW)?;
    let lex = super::lexicon::open(args.lexicon.as_deref())?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut found = 0usize;
    // A file larger than one window is read window by window (cut at a line break or a sentence end), each
    // window one document for disambiguation, offsets shifted to the whole input.
    for w in windows {
        let (base, text) = w?;
        let entities = lex.entities(&text);
        found += entities.len();
        for e in &entities {
            if args.json {
                let mut v = to_json(lex, &text, e);
                if base > 0 {
                    v["start"] = json!(base + e.start);
                    v["end"] = json!(base + e.end);
                    v["clitic_start"] = json!(base + e.clitic_start);
                }
                writeln!(out, "{v}")?;
            } else {
                writeln!(out, "{}", to_line(lex, &text, base, e))?;
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

/// English and Arabic names of an entity's entry.
fn names<'l>(lex: &'l Lexicon, e: &Entity) -> (&'l str, &'l str) {
    match e.kind {
        EntityKind::Place => lex.place(&e.id).map_or(("", ""), |p| (&p.name, &p.name_ar)),
        EntityKind::Actor => lex.actor(&e.id).map_or(("", ""), |a| (&a.name_en, &a.name_ar)),
        EntityKind::Outlet => lex.outlet(&e.id).map_or(("", ""), |o| (&o.name_en, &o.name_ar)),
    }
}

/// One entity as JSON (shared with `rasd eval entities`).
pub fn to_json(lex: &Lexicon, text: &str, e: &Entity) -> Value {
    let (name, name_ar) = names(lex, e);
    let mut v = json!({
        "surface": text.get(e.start..e.end).unwrap_or(""), "start": e.start, "end": e.end,
        "clitic_start": e.clitic_start, "kind": e.kind, "id": e.id, "name": name, "name_ar": name_ar,
        "confidence": e.confidence,
    });
    if e.kind == EntityKind::Place
        && let Some(p) = lex.place(&e.id)
    {
        v["lat"] = json!(p.lat);
        v["lon"] = json!(p.lon);
        v["country"] = json!(p.country);
        v["admin1"] = json!(p.admin1);
        v["geo_precision"] = json!(e.geo_precision);
    }
    if e.coreference {
        v["coreference"] = json!(true);
    }
    if !e.runners_up.is_empty() {
        v["runners_up"] = e
            .runners_up
            .iter()
            .map(|(id, c)| json!({"id": id, "confidence": c}))
            .collect();
    }
    v
}

fn to_line(lex: &Lexicon, text: &str, base: usize, e: &Entity) -> String {
    let (name, name_ar) = names(lex, e);
    let mut line = format!(
        "{}\t{}..{}\t{}\t{}\t{} / {}",
        text.get(e.start..e.end).unwrap_or(""),
        base + e.start,
        base + e.end,
        e.kind.as_str(),
        e.id,
        name,
        name_ar
    );
    if let Some(p) = lex.place(&e.id).filter(|_| e.kind == EntityKind::Place) {
        line.push_str(&format!(
            "\t{:.4},{:.4}\tprecision {}",
            p.lat,
            p.lon,
            e.geo_precision.unwrap_or(1)
        ));
    }
    line.push_str(&format!("\tconfidence {:.2}", e.confidence));
    if e.coreference {
        line.push_str("\tcoreference");
    }
    if !e.runners_up.is_empty() {
        let r: Vec<String> = e.runners_up.iter().map(|(id, c)| format!("{id} {c:.2}")).collect();
        line.push_str(&format!("\talso: {}", r.join(", ")));
    }
    line
}
