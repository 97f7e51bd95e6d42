//! `rasd reconcile`: rebuild incidents, control timelines and contradictions from the stored events.
//!
//! `rasd ingest`, `reprocess` and `demo` do this themselves when they finish; queries never write, so after an
//! interrupted ingest (a query then warns that the derived tables are behind) this is the way to bring them up
//! to date without ingesting anything.

use super::events::{DbArgs, stdout};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Prints one line: the events read and the incidents, control claims and contradictions \
rebuilt from them. Waits for a running ingest to finish writing (see RASD_LOCK_TIMEOUT)."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut store = args.db.open_writer(false)?;
    let done = store.reconcile(&rasd_reconcile::Options::default())?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer(&mut out, &done)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "reconciled {}: {} event(s) → {} incident(s), {} control claim(s), {} contradiction(s)",
            args.db.db.display(),
            done.events,
            done.incidents,
            done.control_claims,
            done.contradictions
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
