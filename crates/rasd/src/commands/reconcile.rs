//! `rasd reconcile [--full]`: bring incidents, control timelines and contradictions up to date with the stored
//! events: incrementally when only new events were stored since the last reconcile, else (or with `--full`) by a
//! full rebuild.
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
written. When only new events were stored since the last reconcile (an interrupted ingest), only what they touch \
is recomputed, with the same result as a full rebuild; otherwise, or with --full (for repairs), every derived \
table is rebuilt. Waits for a running ingest to finish writing (see RASD_LOCK_TIMEOUT)."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
    /// Rebuild every derived table from all stored events, even when an incremental reconcile would do.
    #[arg(long)]
    pub full: bool,
    /// No progress spinner.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut store = args.db.open_writer(false)?;
    let opts = rasd_reconcile::Options::default();
    let pb = super::ingest::progress_bar(args.quiet, "reconciling");
    let pending = !args.full && store.is_dirty()? && !store.needs_full_rebuild()?;
    let done = if pending {
        store.ensure_reconciled_with(&opts)?.unwrap_or_default()
    } else {
        store.reconcile(&opts)?
    };
    pb.finish_and_clear();
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
