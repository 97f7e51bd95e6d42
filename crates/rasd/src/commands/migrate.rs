//! `rasd migrate sqlite:A postgres://B`: copy an SQLite project database into PostgreSQL (the first slice of
//! issue 14's PostgreSQL store), then check the row counts of every table on both sides.

use crate::dburl::{self, DbUrl};
use anyhow::{Result, bail};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "FROM is an SQLite project database: sqlite:PATH or a bare path. TO is a PostgreSQL \
database, postgres://USER:PASSWORD@HOST:PORT/DATABASE; RASD_DB when TO is left out (`eval \"$(scripts/cluster-local.sh \
up)\"` sets it). The PostgreSQL schema is created or upgraded first (under an advisory lock, so concurrent runs are \
safe). Every table is streamed with COPY in batches (memory stays flat), and rows are keyed by their primary keys: \
a second run adds nothing, and a run after an interruption finishes the job. SQLite is read in one snapshot, even \
while an ingest writes to it. At the end the row counts of every table are compared; a difference (for example \
rows that PostgreSQL had from another database) is an error, exit status 2."
)]
pub struct Args {
    /// The SQLite database to copy (sqlite:PATH or PATH).
    #[arg(value_name = "FROM")]
    pub from: String,
    /// The PostgreSQL database to copy into (postgres://…); default: RASD_DB.
    #[arg(value_name = "TO")]
    pub to: Option<String>,
    /// Rows per COPY batch (one PostgreSQL transaction each).
    #[arg(long, default_value_t = 50_000, value_name = "N")]
    pub batch_rows: usize,
    /// Print the per-table report as JSON Lines.
    #[arg(long)]
    pub json: bool,
    /// No per-table progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let from = match dburl::parse(&args.from).map_err(anyhow::Error::msg)? {
        DbUrl::Sqlite(p) => p,
        DbUrl::Postgres(u) => bail!(
            "{}: rasd migrate copies from SQLite into PostgreSQL; copying out of PostgreSQL is not available yet",
            rasd_pg::redact(&u)
        ),
    };
    let to = match &args.to {
        Some(to) => dburl::parse(to).map_err(anyhow::Error::msg)?,
        None => match dburl::from_env() {
            Some(r) => r.map_err(anyhow::Error::msg)?,
            None => bail!("no PostgreSQL database to copy into: give TO (postgres://…) or set RASD_DB"),
        },
    };
    let url = match to {
        DbUrl::Postgres(u) => u,
        DbUrl::Sqlite(p) => bail!(
            "sqlite:{}: rasd migrate copies into PostgreSQL; TO must be postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            p.display()
        ),
    };
    if args.batch_rows == 0 {
        bail!("--batch-rows must be at least 1");
    }
    if !from.exists() {
        bail!("{}: no such SQLite database", from.display());
    }
    let mut client = rasd_pg::connect(&url)?;
    let opts = rasd_pg::CopyOptions {
        batch_rows: args.batch_rows,
        ..Default::default()
    };
    let quiet = args.quiet;
    let start = std::time::Instant::now();
    let report = rasd_pg::copy_sqlite(&from, &mut client, &opts, &mut |t| {
        if !quiet {
            eprintln!(
                "rasd: migrate: {:<18} {:>10} row(s) copied, {:>10} added, {:.1} s (COPY {:.1} s, insert {:.1} s)",
                t.table, t.copied, t.added, t.secs, t.copy_secs, t.insert_secs
            );
        }
    })?;
    let secs = start.elapsed().as_secs_f64();
    let mut out = super::events::stdout();
    if args.json {
        for t in &report.tables {
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "table": t.table, "sqlite": t.sqlite, "postgres": t.postgres, "copied": t.copied,
                    "added": t.added, "bytes": t.bytes, "secs": t.secs, "copy_secs": t.copy_secs,
                    "insert_secs": t.insert_secs,
                }),
            )?;
            writeln!(out)?;
        }
    } else {
        writeln!(
            out,
            "migrated {} → {} (PostgreSQL schema version {} → {}) in {secs:.1} s",
            from.display(),
            rasd_pg::redact(&url),
            report.schema.from,
            report.schema.to
        )?;
        writeln!(
            out,
            "{:<18} {:>10} {:>10} {:>10} {:>10} {:>8}",
            "table", "sqlite", "postgres", "added", "rows/s", "MB/s"
        )?;
        for t in &report.tables {
            let rate = |n: f64| if t.secs > 0.0 { n / t.secs } else { 0.0 };
            writeln!(
                out,
                "{:<18} {:>10} {:>10} {:>10} {:>10.0} {:>8.1}{}",
                t.table,
                t.sqlite,
                t.postgres,
                t.added,
                rate(t.copied as f64),
                rate(t.bytes as f64) / 1e6,
                if t.sqlite == t.postgres { "" } else { "  ← differs" }
            )?;
        }
    }
    out.flush()?;
    let bad = report.mismatches();
    if !bad.is_empty() {
        let list: Vec<String> = bad
            .iter()
            .map(|t| format!("{} ({} in SQLite, {} in PostgreSQL)", t.table, t.sqlite, t.postgres))
            .collect();
        bail!(
            "the row counts differ: {}; PostgreSQL holds rows that this SQLite database does not (copy into an \
             empty database), or lost some",
            list.join(", ")
        );
    }
    if !args.json {
        writeln!(out, "counts match in every table")?;
    }
    Ok(ExitCode::SUCCESS)
}
