//! Moving an SQLite project database into PostgreSQL (`rasd migrate sqlite:A postgres://B`).
//!
//! - The SQLite side is read in one read transaction: one snapshot, whatever a writer does meanwhile, so that
//!   the counts compared at the end are those of the rows copied.
//! - Each table is streamed row by row into text `COPY … FROM STDIN`, in batches (`batch_rows` rows or
//!   `batch_bytes` bytes, whichever comes first), so memory stays flat whatever the size of the database.
//! - Each batch is one PostgreSQL transaction: COPY into a temporary table (`ON COMMIT DELETE ROWS`), then
//!   `INSERT … SELECT … ON CONFLICT DO NOTHING` into the table. Rows are keyed by their primary key (and the
//!   unique document id and hash), so a second run adds nothing and a run after an interruption finishes the job.
//! - Identity sequences (`seq`) are moved past the copied numbers, so rows written later get new ones.
//! - At the end, every table is counted on both sides (see [`CopyReport::mismatches`]).

use crate::tables::{TABLES, Table};
use crate::{Error, Result, schema};
use postgres::Client;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// How a copy batches its rows.
#[derive(Debug, Clone, Copy)]
pub struct CopyOptions {
    /// Rows per batch (one PostgreSQL transaction).
    pub batch_rows: usize,
    /// COPY bytes per batch: documents are large, so a batch of them ends early.
    pub batch_bytes: usize,
}

impl Default for CopyOptions {
    fn default() -> CopyOptions {
        CopyOptions {
            batch_rows: 50_000,
            batch_bytes: 64 << 20,
        }
    }
}

/// One table's copy.
#[derive(Debug, Clone, PartialEq)]
pub struct TableCopy {
    pub table: &'static str,
    /// Rows in the SQLite snapshot.
    pub sqlite: u64,
    /// Rows in PostgreSQL after the copy.
    pub postgres: u64,
    /// Rows sent with COPY.
    pub copied: u64,
    /// Rows this run added (the others were there already).
    pub added: u64,
    /// COPY bytes sent.
    pub bytes: u64,
    /// Seconds spent on the table.
    pub secs: f64,
    /// Of which: reading SQLite and sending COPY data (until PostgreSQL acknowledged the COPY).
    pub copy_secs: f64,
    /// Of which: moving the batches from the temporary table into the table (`INSERT … ON CONFLICT`).
    pub insert_secs: f64,
}

/// What a copy did.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub schema: schema::Migrated,
    pub tables: Vec<TableCopy>,
}

impl CopyReport {
    /// The tables whose counts differ between SQLite and PostgreSQL.
    pub fn mismatches(&self) -> Vec<&TableCopy> {
        self.tables.iter().filter(|t| t.sqlite != t.postgres).collect()
    }
}

/// Opens the SQLite database at `path` for the copy: refused as the store refuses it (missing, not a database,
/// another application's, a newer rasd's; an older schema is upgraded first), then read in one read
/// transaction. Its schema must be the one [`TABLES`] describes.
pub fn open_sqlite(path: &Path) -> Result<(Connection, BTreeSet<String>)> {
    drop(rasd_store::Store::open_read_only(path)?);
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch("BEGIN DEFERRED")?;
    let present = check_sqlite_schema(&conn)?;
    Ok((conn, present))
}

/// The tables of the SQLite database, checked against [`TABLES`]: every table known, every required table
/// there, and the same stored and generated columns.
pub fn check_sqlite_schema(conn: &Connection) -> Result<BTreeSet<String>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut problems = Vec::new();
    for name in &names {
        let Some(t) = crate::tables::table(name) else {
            problems.push(format!("table {name} has no PostgreSQL counterpart"));
            continue;
        };
        let mut stored = BTreeSet::new();
        let mut generated = BTreeSet::new();
        let mut stmt = conn.prepare(&format!("SELECT name, hidden FROM pragma_table_xinfo('{name}')"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let col: String = r.get(0)?;
            let hidden: i64 = r.get(1)?;
            if hidden == 0 {
                stored.insert(col);
            } else {
                generated.insert(col);
            }
        }
        let want: BTreeSet<String> = t.columns.iter().map(|c| c.to_string()).collect();
        let want_generated: BTreeSet<String> = t.generated.iter().map(|c| c.to_string()).collect();
        for c in stored.difference(&want) {
            problems.push(format!("column {name}.{c} has no PostgreSQL counterpart"));
        }
        for c in want.difference(&stored) {
            problems.push(format!("column {name}.{c} is missing in SQLite"));
        }
        if generated != want_generated {
            problems.push(format!(
                "generated columns of {name}: {generated:?} in SQLite, {want_generated:?} in PostgreSQL"
            ));
        }
    }
    for t in TABLES.iter().filter(|t| !t.optional) {
        if !names.iter().any(|n| n == t.name) {
            problems.push(format!("table {} is missing in SQLite", t.name));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Schema(format!(
            "{} (this rasd's PostgreSQL schema is version {}; a newer SQLite schema needs a PostgreSQL migration)",
            problems.join("; "),
            schema::SCHEMA_VERSION
        )));
    }
    Ok(names.into_iter().collect())
}

/// Copies the SQLite database at `sqlite` into the PostgreSQL database of `client`, migrating its schema first.
/// `progress` is called after each table. Count mismatches are reported, not raised: see
/// [`CopyReport::mismatches`].
pub fn copy_sqlite(
    sqlite: &Path,
    client: &mut Client,
    opts: &CopyOptions,
    progress: &mut dyn FnMut(&TableCopy),
) -> Result<CopyReport> {
    let (conn, present) = open_sqlite(sqlite)?;
    let migrated = schema::migrate(client)?;
    let mut tables = Vec::new();
    for t in TABLES {
        let start = Instant::now();
        let (moved, sqlite_rows) = if present.contains(t.name) {
            let moved = copy_table(&conn, client, t, opts)?;
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{}\"", t.name), [], |r| r.get(0))?;
            (moved, n as u64)
        } else {
            (Moved::default(), 0)
        };
        if let Some(col) = t.identity {
            client.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{n}', '{col}'), m) FROM (SELECT max(\"{col}\") AS m FROM \"{n}\") x
                     WHERE m IS NOT NULL",
                    n = t.name
                ),
                &[],
            )?;
        }
        let pg_rows: i64 = client
            .query_one(&format!("SELECT count(*) FROM \"{}\"", t.name), &[])?
            .get(0);
        let done = TableCopy {
            table: t.name,
            sqlite: sqlite_rows,
            postgres: pg_rows as u64,
            copied: moved.copied,
            added: moved.added,
            bytes: moved.bytes,
            secs: start.elapsed().as_secs_f64(),
            copy_secs: moved.copy_secs,
            insert_secs: moved.insert_secs,
        };
        progress(&done);
        tables.push(done);
    }
    conn.execute_batch("COMMIT")?;
    Ok(CopyReport {
        schema: migrated,
        tables,
    })
}

/// Bytes handed to the COPY writer at a time.
const CHUNK: usize = 256 << 10;

/// What streaming one table did.
#[derive(Default)]
struct Moved {
    copied: u64,
    added: u64,
    bytes: u64,
    copy_secs: f64,
    insert_secs: f64,
}

/// Streams one table.
fn copy_table(conn: &Connection, client: &mut Client, t: &Table, opts: &CopyOptions) -> Result<Moved> {
    let cols = t
        .columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let tmp = format!("rasd_in_{}", t.name);
    client.batch_execute(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS {tmp} (LIKE \"{}\") ON COMMIT DELETE ROWS",
        t.name
    ))?;
    let copy = format!("COPY {tmp} ({cols}) FROM STDIN");
    let insert = format!(
        "INSERT INTO \"{}\" ({cols}) SELECT {cols} FROM {tmp} ON CONFLICT DO NOTHING",
        t.name
    );
    let mut stmt = conn.prepare(&format!("SELECT {cols} FROM \"{}\"", t.name))?;
    let mut rows = stmt.query([])?;
    let mut m = Moved::default();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + (64 << 10));
    let mut done = false;
    while !done {
        let clock = Instant::now();
        let mut tx = client.transaction()?;
        let mut batch_rows = 0usize;
        let mut batch_bytes = 0usize;
        {
            let mut w = tx.copy_in(&copy)?;
            loop {
                let Some(row) = rows.next()? else {
                    done = true;
                    break;
                };
                encode_row(row, t, m.copied + batch_rows as u64, &mut buf)?;
                batch_rows += 1;
                if buf.len() >= CHUNK {
                    w.write_all(&buf)?;
                    batch_bytes += buf.len();
                    buf.clear();
                }
                if batch_rows >= opts.batch_rows || batch_bytes >= opts.batch_bytes {
                    break;
                }
            }
            if !buf.is_empty() {
                w.write_all(&buf)?;
                batch_bytes += buf.len();
                buf.clear();
            }
            w.finish()?;
        }
        m.copy_secs += clock.elapsed().as_secs_f64();
        let clock = Instant::now();
        if batch_rows > 0 {
            m.added += tx.execute(insert.as_str(), &[])?;
        }
        tx.commit()?;
        m.insert_secs += clock.elapsed().as_secs_f64();
        m.copied += batch_rows as u64;
        m.bytes += batch_bytes as u64;
    }
    Ok(m)
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn encode_row(row: &rusqlite::Row<'_>, t: &Table, n: u64, out: &mut Vec<u8>) -> Result<()> {
    for (i, column) in t.columns.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        let bad = |detail: String| Error::Value {
            table: t.name,
            row: n + 1,
            column,
            detail,
        };
        match row.get_ref(i)? {
            ValueRef::Null => out.extend_from_slice(b"\\N"),
            ValueRef::Integer(v) => write!(out, "{v}")?,
            ValueRef::Real(v) => write!(out, "{v:?}")?,
            ValueRef::Text(s) => {
                if std::str::from_utf8(s).is_err() {
                    return Err(bad(
                        "the text is not valid UTF-8, which PostgreSQL's text type requires".into(),
                    ));
                }
                if memchr_zero(s) {
                    return Err(bad(
                        "the text contains a NUL character, which PostgreSQL cannot store".into()
                    ));
                }
                escape_into(s, out);
            }
            ValueRef::Blob(b) => {
                // bytea's hex form, `\x…`, its backslash escaped for COPY.
                out.extend_from_slice(b"\\\\x");
                for byte in b {
                    out.push(HEX[(byte >> 4) as usize]);
                    out.push(HEX[(byte & 15) as usize]);
                }
            }
        }
    }
    out.push(b'\n');
    Ok(())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn memchr_zero(s: &[u8]) -> bool {
    s.contains(&0)
}

/// COPY text escaping: backslash, tab, newline and carriage return.
fn escape_into(s: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let esc: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => continue,
        };
        out.extend_from_slice(&s[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

/// Row counts of every table of the PostgreSQL database.
pub fn postgres_counts(client: &mut Client) -> Result<HashMap<&'static str, u64>> {
    let mut counts = HashMap::new();
    for t in TABLES {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM \"{}\"", t.name), &[])?
            .get(0);
        counts.insert(t.name, n as u64);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_end_a_cell_or_a_row() {
        let mut out = Vec::new();
        escape_into("a\tb\nc\\d\re البوكمال".as_bytes(), &mut out);
        assert_eq!(String::from_utf8(out).expect("utf-8"), "a\\tb\\nc\\\\d\\re البوكمال");
    }

    /// A database as this rasd-store creates it (with the tables made on first use) has exactly the columns
    /// the PostgreSQL schema has: a new SQLite column without a PostgreSQL migration fails here.
    #[test]
    fn the_sqlite_schema_matches_the_postgres_tables() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("rasd.db");
        let mut s = rasd_store::Store::open(&p).expect("create");
        let items = rasd_store::read::read_bytes("a.jsonl", r#"{"id":"x1","text":"نص أول"}"#.as_bytes(), None);
        let worker = || |_: &rasd_core::Doc| Vec::new();
        s.ingest(items, &worker, "t", &mut |_| {}).expect("ingest");
        s.watch_init().expect("watch tables");
        drop(s);
        let (conn, present) = open_sqlite(&p).expect("schema matches");
        assert!(
            present.contains("docs") && present.contains("doc_bands") && present.contains("watch_seen"),
            "{present:?}"
        );
        drop(conn);
        // Every SQLite table this rasd makes is listed.
        for name in present {
            assert!(crate::tables::table(&name).is_some(), "{name}");
        }
    }
}
