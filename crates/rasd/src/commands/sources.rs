//! `rasd sources`: each source lane's claims and how often other sources contradict them.

use super::events::{DbArgs, found, stdout};
use anyhow::Result;
use rasd_store::tsv_cell;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Text output: one line per source: events, documents, events contradicted by another \
source (and their share), contradictions by kind, and who contradicts it.\n\
JSON output (--json): one object per source per line."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    args.db.read(|store| {
        let sources = store.sources()?;
        let mut out = stdout();
        if !args.json {
            writeln!(
                out,
                "{:<28} {:>7} {:>6} {:>13}  contradictions / contradicted by",
                "source", "events", "docs", "contradicted"
            )?;
        }
        for s in &sources {
            if args.json {
                serde_json::to_writer(&mut out, s)?;
                writeln!(out)?;
                continue;
            }
            let kinds: Vec<String> = s.contradictions.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let by: Vec<String> = s.contradicted_by.iter().map(|(k, n)| format!("{k} {n}")).collect();
            writeln!(
                out,
                "{:<28} {:>7} {:>6} {:>6} ({:>3.0}%)  {}{}",
                tsv_cell(&s.source),
                s.events,
                s.docs,
                s.contradicted,
                s.contradicted_share * 100.0,
                if kinds.is_empty() {
                    "-".to_string()
                } else {
                    kinds.join(", ")
                },
                if by.is_empty() {
                    String::new()
                } else {
                    format!(" / {}", by.join(", "))
                },
            )?;
        }
        out.flush()?;
        Ok(found(sources.len()))
    })
}
