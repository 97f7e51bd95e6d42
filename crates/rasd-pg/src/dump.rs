//! A canonical dump of every table, from SQLite or PostgreSQL, for equivalence checks: each row as one line of
//! normalised values (stored and generated columns, in [`TABLES`] order), rows sorted. Two databases hold the
//! same data when their dumps are equal. The dump is held in memory: it is meant for test-sized databases.

use crate::Result;
use crate::tables::{TABLES, Table};
use postgres::Client;
use postgres::types::Type;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Table name → sorted rows. A table absent from an SQLite database dumps as no rows.
pub type Dump = BTreeMap<&'static str, Vec<String>>;

fn columns(t: &Table) -> String {
    t.columns
        .iter()
        .chain(t.generated)
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One value, normalised: `∅` for NULL, integers in decimal, reals as Rust's shortest round-trip form, text as
/// Rust's escaped debug form, bytes as hex.
enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

fn push(line: &mut String, cell: Cell<'_>) {
    if !line.is_empty() {
        line.push('\u{1f}');
    }
    let _ = match cell {
        Cell::Null => write!(line, "∅"),
        Cell::Int(v) => write!(line, "{v}"),
        Cell::Real(v) => write!(line, "{v:?}"),
        Cell::Text(s) => write!(line, "{s:?}"),
        Cell::Bytes(b) => {
            line.push_str("x'");
            for byte in b {
                let _ = write!(line, "{byte:02x}");
            }
            write!(line, "'")
        }
    };
}

/// The dump of an SQLite database (read in one transaction).
pub fn sqlite(conn: &Connection) -> Result<Dump> {
    let mut dump = Dump::new();
    for t in TABLES {
        let exists: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t.name],
            |r| r.get(0),
        )?;
        let mut rows = Vec::new();
        if exists > 0 {
            let mut stmt = conn.prepare(&format!("SELECT {} FROM \"{}\"", columns(t), t.name))?;
            let n = stmt.column_count();
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let mut line = String::new();
                for i in 0..n {
                    let cell = match r.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(v) => Cell::Int(v),
                        ValueRef::Real(v) => Cell::Real(v),
                        ValueRef::Text(s) => Cell::Text(std::str::from_utf8(s).unwrap_or("<not UTF-8>")),
                        ValueRef::Blob(b) => Cell::Bytes(b),
                    };
                    push(&mut line, cell);
                }
                rows.push(line);
            }
        }
        rows.sort_unstable();
        dump.insert(t.name, rows);
    }
    Ok(dump)
}

/// The dump of a PostgreSQL database (read in one repeatable-read transaction).
pub fn postgres(client: &mut Client) -> Result<Dump> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let mut dump = Dump::new();
    for t in TABLES {
        let mut rows = Vec::new();
        let sql = format!("SELECT {} FROM \"{}\"", columns(t), t.name);
        for r in tx.query(sql.as_str(), &[])? {
            let mut line = String::new();
            for (i, col) in r.columns().iter().enumerate() {
                let ty = col.type_();
                if *ty == Type::INT8 {
                    push(&mut line, r.get::<_, Option<i64>>(i).map_or(Cell::Null, Cell::Int));
                } else if *ty == Type::FLOAT8 {
                    push(&mut line, r.get::<_, Option<f64>>(i).map_or(Cell::Null, Cell::Real));
                } else if *ty == Type::BYTEA {
                    let v: Option<&[u8]> = r.get(i);
                    push(&mut line, v.map_or(Cell::Null, Cell::Bytes));
                } else {
                    let v: Option<&str> = r.get(i);
                    push(&mut line, v.map_or(Cell::Null, Cell::Text));
                }
            }
            rows.push(line);
        }
        rows.sort_unstable();
        dump.insert(t.name, rows);
    }
    tx.commit()?;
    Ok(dump)
}

/// The first difference between two dumps, in words; `None` when they are equal.
pub fn difference(a_name: &str, a: &Dump, b_name: &str, b: &Dump) -> Option<String> {
    for t in TABLES {
        let (ra, rb) = (&a[t.name], &b[t.name]);
        if ra == rb {
            continue;
        }
        if ra.len() != rb.len() {
            return Some(format!(
                "{}: {} rows in {a_name}, {} in {b_name}",
                t.name,
                ra.len(),
                rb.len()
            ));
        }
        let (x, y) = ra
            .iter()
            .zip(rb)
            .find(|(x, y)| x != y)
            .expect("equal lengths, different rows");
        return Some(format!("{}: {a_name} has {x}\n{b_name} has {y}", t.name));
    }
    None
}

/// Columns whose values depend on when and in which order rows were written, not on what was stored: blanked
/// by [`normalise`] (`docs.seq` follows commit order, so `doc_bands.seq` too).
pub const VOLATILE: &[(&str, &str)] = &[
    ("docs", "seq"),
    ("docs", "ingested_at"),
    ("failures", "at"),
    ("doc_bands", "seq"),
];

/// `d` as two databases that stored the same documents, in other transactions or at other times, both dump it:
/// the [`VOLATILE`] columns, the columns `also` names (table, column) and the value of `meta.bands_seq` (the
/// last document number) blanked as `·`, each table's rows sorted.
pub fn normalise(mut d: Dump, also: &[(&str, &str)]) -> Dump {
    for t in TABLES {
        let Some(rows) = d.get_mut(t.name) else { continue };
        let cols: Vec<&str> = t.columns.iter().chain(t.generated).copied().collect();
        let blank: Vec<usize> = VOLATILE
            .iter()
            .chain(also)
            .filter(|(table, _)| *table == t.name)
            .filter_map(|(_, c)| cols.iter().position(|x| x == c))
            .collect();
        for row in rows.iter_mut() {
            let mut cells: Vec<String> = row.split('\u{1f}').map(str::to_string).collect();
            for &i in &blank {
                cells[i] = "·".into();
            }
            if t.name == "meta" && cells[0] == "\"bands_seq\"" {
                cells[1] = "·".into();
            }
            *row = cells.join("\u{1f}");
        }
        rows.sort_unstable();
    }
    d
}
