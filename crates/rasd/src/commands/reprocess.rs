//! `rasd reprocess`: re-extract stored documents after a rasd upgrade, then rebuild incidents and timelines.

use super::events::{DbArgs, stdout};
use super::ingest::{extractor, progress_bar, worker};
use anyhow::Result;
use rasd_store::IngestStats;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Only documents extracted by another rasd version are redone, unless --all. A killed run \
resumes where it stopped."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Re-extract every document, even those extracted by this version.
    #[arg(long)]
    pub all: bool,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut store = args.db.open_writer(false)?;
    let x = extractor()?;
    let pb = progress_bar(args.quiet, "re-extracting");
    let mut tick = |s: &IngestStats| pb.set_message(format!("{} documents, {} events", s.read, s.events));
    let stats = store.reprocess(&worker(x), rasd_events::VERSION, args.all, &mut tick)?;
    pb.finish_and_clear();
    if !args.quiet {
        let mut out = stdout();
        writeln!(
            out,
            "re-extracted {} document(s) with rasd {}: {} event(s)",
            stats.read,
            rasd_events::VERSION,
            stats.events
        )?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
