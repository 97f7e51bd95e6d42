//! `rasd reprocess`: re-extract stored documents after a rasd upgrade, then rebuild incidents and timelines; on
//! SQLite or PostgreSQL.

use super::events::{DbArgs, stdout};
use super::ingest::{extractor, progress_bar, worker};
use anyhow::{Context, Result, bail};
use rasd_store::IngestStats;
use rayon::prelude::*;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Only documents extracted by another rasd version are redone, unless --all. A killed run \
resumes where it stopped.\n\
On PostgreSQL (--db postgres://… or RASD_DB): the run of `rasd queue push --reprocess`, done by this process; \
queries see the old records until the last document is written, then the new ones, never a mix."
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
    if let Some(url) = args.db.postgres_url() {
        return postgres(url, &args);
    }
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
        if stats.failures > 0 {
            writeln!(
                out,
                "{} document(s) the extractor failed on keep their stored records (named above); the next run tries them again",
                stats.failures
            )?;
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `rasd reprocess --db postgres://…`: the re-processing run of `rasd queue push --reprocess`
/// (`rasd_pg::reprocess`), done by this process instead of workers: the documents of the run are extracted again
/// a page at a time and their records written to the run; when the last is written, the new records replace the
/// old ones and the derived tables are rebuilt, in one transaction (queries see the old records until then). A
/// run interrupted here, or left by workers, is resumed; one of another rasd version is abandoned for this one.
fn postgres(url: &str, args: &Args) -> Result<ExitCode> {
    let version = rasd_events::VERSION;
    let mut pg = rasd_pg::connect(url)?;
    rasd_pg::read::check_schema(&mut pg, url)?;
    rasd_pg::migrate(&mut pg).context("preparing the PostgreSQL schema")?;
    let started = rasd_pg::reprocess::start(&mut pg, version, args.all)?;
    if let Some(old) = &started.abandoned {
        eprintln!("rasd: note: the unfinished re-processing run of rasd {old} is abandoned for this one ({version})");
    }
    // The documents are read on one connection, page after page, and their records written on another.
    let mut writer = rasd_pg::connect(url)?;
    let x = extractor()?;
    let make = worker(x);
    let pb = progress_bar(args.quiet, "re-extracting");
    let mut done = IngestStats::default();
    let mut obsolete = None;
    rasd_pg::reprocess::pending_docs(&mut pg, 1000, &mut |items| {
        let redone: Vec<rasd_pg::reprocess::Redone> = items
            .into_par_iter()
            .filter_map(|item| item.doc)
            .map_init(&make, |extract, doc| rasd_pg::reprocess::Redone {
                events: extract(&doc),
                doc_id: doc.id,
                outlet: doc.outlet,
            })
            .collect();
        match rasd_pg::reprocess::write(&mut writer, version, &redone)? {
            rasd_pg::reprocess::Written::Stored { documents, events, .. } => {
                done.read += documents;
                done.events += events;
                pb.set_message(format!("{} documents, {} events", done.read, done.events));
            }
            rasd_pg::reprocess::Written::Obsolete { current } => obsolete = Some(current),
        }
        Ok(())
    })?;
    pb.finish_and_clear();
    if let Some(current) = obsolete {
        let now = current.map_or("no run".to_string(), |r| {
            format!("the last run is rasd {}, {}", r.version, r.state)
        });
        bail!("the re-processing run of rasd {version} was ended by another process meanwhile ({now})");
    }
    let opts = rasd_reconcile::Options::default();
    let switched = rasd_pg::reprocess::switch_if_complete(&mut pg, &opts)?;
    if !args.quiet {
        let mut out = stdout();
        match switched {
            Some(s) => writeln!(
                out,
                "re-extracted {} document(s) with rasd {version}: {} event(s); the run's {} document(s) switched \
                 over ({} event(s) replaced by {})",
                done.read, done.events, s.documents, s.old_events, s.new_events
            )?,
            None if started.run.total == 0 => writeln!(
                out,
                "re-extracted 0 document(s) with rasd {version}: every stored document was extracted by this \
                 version (--all re-extracts them anyway)"
            )?,
            None => writeln!(
                out,
                "re-extracted {} document(s) with rasd {version}: {} event(s); documents of the run are still being \
                 written by others (workers), and the last write switches the run over",
                done.read, done.events
            )?,
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
