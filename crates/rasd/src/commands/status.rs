//! `rasd status`: what `rasd watch` did: each source with its last poll, items, documents and errors; the
//! database's size; the time of the last reconcile.

use super::events::{DbArgs, stdout};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn when(t: Option<i64>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map_or_else(|| "never".to_string(), |d| d.format("%Y-%m-%d %H:%M:%SZ").to_string())
}

/// The database file with its WAL, in bytes.
fn db_size(path: &std::path::Path) -> u64 {
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    size(path) + size(std::path::Path::new(&wal))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.db.open()?;
    let sources = store.watch_sources()?;
    let last_reconcile = store.watch_meta("last_reconcile")?.and_then(|v| v.parse::<i64>().ok());
    let size = db_size(&args.db.db);
    let mut out = stdout();
    if args.json {
        let v = serde_json::json!({
            "database": args.db.db.display().to_string(),
            "database_bytes": size,
            "last_reconcile": last_reconcile,
            "sources": sources,
        });
        writeln!(out, "{v}")?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "database {}: {size} bytes", args.db.db.display())?;
    writeln!(out, "last reconcile: {}", when(last_reconcile))?;
    if sources.is_empty() {
        writeln!(out, "no watched sources yet (run `rasd watch SOURCES.toml`)")?;
    } else {
        writeln!(
            out,
            "source\tkind\tlast poll\titems\tdocs\tpolls\tnot modified\terrors\tlast error"
        )?;
    }
    for s in &sources {
        let last_error = if s.consecutive_errors > 0 {
            s.last_error.as_deref().unwrap_or("")
        } else {
            ""
        };
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.name,
            s.kind,
            when(s.last_poll),
            s.items,
            s.docs,
            s.polls,
            s.not_modified,
            s.errors,
            last_error
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
