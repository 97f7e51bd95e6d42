//! `rasd status`: what the database holds (documents, events, incidents, contradictions, unreadable inputs) and
//! its size; the time of the last reconcile; what `rasd watch` did: each source with its last poll, items,
//! documents and errors. On PostgreSQL (`--db postgres://…` or `RASD_DB`): the same, with the size from
//! `pg_database_size` and the rasd schema version.

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

/// What PostgreSQL adds to the status: the database's size (`pg_database_size`) and its rasd schema version.
fn postgres_facts(url: &str) -> Result<(u64, i32)> {
    let mut pg = rasd_pg::connect(url)?;
    let size: i64 = pg
        .query_one("SELECT pg_database_size(current_database())", &[])
        .map_err(rasd_pg::Error::from)?
        .get(0);
    let version = rasd_pg::schema::version(&mut pg)?;
    Ok((size.max(0) as u64, version))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (counts, failures, sources, last_reconcile) = args.db.read(|db| {
        let last = db.watch_meta("last_reconcile")?.and_then(|v| v.parse::<i64>().ok());
        Ok((db.counts()?, db.failure_count()?, db.watch_sources()?, last))
    })?;
    let (size, schema) = match args.db.postgres_url() {
        Some(url) => {
            let (size, version) = postgres_facts(url)?;
            (size, Some(version))
        }
        None => (db_size(&args.db.db), None),
    };
    let name = args.db.name();
    let mut out = stdout();
    if args.json {
        let v = serde_json::json!({
            "database": name,
            "database_bytes": size,
            "schema_version": schema,
            "counts": {
                "docs": counts.docs,
                "events": counts.events,
                "incidents": counts.incidents,
                "contradictions": counts.contradictions,
                "failures": failures,
                "derived_tables_behind": counts.dirty,
            },
            "last_reconcile": last_reconcile,
            "sources": sources,
        });
        writeln!(out, "{v}")?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    match schema {
        Some(v) => writeln!(out, "database {name}: {size} bytes, rasd schema version {v}")?,
        None => writeln!(out, "database {name}: {size} bytes")?,
    }
    writeln!(
        out,
        "{} document(s), {} event(s), {} incident(s), {} contradiction(s), {} unreadable input(s){}",
        counts.docs,
        counts.events,
        counts.incidents,
        counts.contradictions,
        failures,
        if counts.dirty {
            "; incidents, timelines and contradictions are behind the events (run `rasd reconcile`)"
        } else {
            ""
        }
    )?;
    // Recorded by `rasd watch` (ingest and reconcile keep no clock).
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
