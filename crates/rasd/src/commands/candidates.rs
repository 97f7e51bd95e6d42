//! `rasd candidates FILE.jsonl…`: every clause with a trigger word, the unit that annotators label and the event
//! scorer is trained on (see eval/ANNOTATION.md). TSV on stdout: `corpus_id, start, end, trigger, rule_type,
//! clause`; byte offsets into each document's text.

use crate::input;
use anyhow::{Context, Result, bail};
use rasd_events::candidates::candidate_clauses;
use rasd_events::rules::Rules;
use rasd_store::read;
use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Input: JSONL documents with `id` and `text` (the shared corpus files), streamed line by line \
by the reader of every command (a line without an id gets the content id of its text; a bad line stops the run \
with its line number). The clause column holds report text: keep these files outside the repository."
)]
pub struct Args {
    /// JSONL files of documents.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// Only documents whose id is listed in this file (one id per line, or the first column of a TSV).
    #[arg(long)]
    pub ids: Option<String>,
    /// Leave out the clause text (ids and offsets only).
    #[arg(long)]
    pub no_text: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let rules = Rules::embedded().context("loading the embedded event rules")?;
    let wanted: Option<HashSet<String>> = match &a.ids {
        Some(p) => Some(
            input::read_text(p, false)?
                .lines()
                .filter_map(|l| l.split('\t').next())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut docs = 0usize;
    let mut n = 0usize;
    writeln!(out, "corpus_id\tstart\tend\ttrigger\trule_type\tclause")?;
    // Each file is streamed line by line by the one reader (`rasd_store::read`), so memory does not grow with
    // the file; a bad line stops the run with its line number, as the unit annotators label must be complete.
    let opts = crate::input::read_options(Some(read::Format::Jsonl), false);
    for f in &a.files {
        let p = std::path::Path::new(f);
        if p.is_dir() {
            bail!("{f}: is a directory (give JSONL files)");
        }
        for item in read::read_path(p, opts) {
            let d = match item.doc {
                Ok(d) => d,
                Err(reason) if item.unreadable => bail!("{}: {reason}", item.origin),
                Err(reason) => bail!("{}: not a document: {reason}", item.origin),
            };
            let (id, body) = (d.id.as_str(), d.text.as_str());
            if wanted.as_ref().is_some_and(|w| !w.contains(id)) {
                continue;
            }
            docs += 1;
            for c in candidate_clauses(&rules, body) {
                let trig: Vec<&str> = c.triggers.iter().map(|t| &body[t.start..t.end]).collect();
                let types: Vec<&str> = c.triggers.iter().map(|t| t.rule_type.as_str()).collect();
                let clause = if a.no_text {
                    String::new()
                } else {
                    body[c.start..c.end].replace(['\t', '\n', '\r'], " ")
                };
                writeln!(
                    out,
                    "{id}\t{}\t{}\t{}\t{}\t{}",
                    c.start,
                    c.end,
                    trig.join("|"),
                    types.join("|"),
                    clause.trim()
                )?;
                n += 1;
            }
        }
    }
    out.flush()?;
    eprintln!("{docs} documents, {n} candidate clauses");
    Ok(ExitCode::SUCCESS)
}
