//! The read side of a rasd database, whichever engine holds it (issue 14): the queries and exports
//! (`query.rs`, `export.rs`, the alerts and the corrections they attach) are written once, against [`ReadDb`],
//! a minimal row-access interface with two implementations: SQLite here (a [`rusqlite::Connection`], what a
//! [`crate::Store`] holds and dereferences to), and PostgreSQL in `rasd-pg` (`rasd_pg::read`).
//!
//! The SQL the queries send is SQLite's, kept to what both engines read the same way: `?` and `?N`
//! placeholders, `WHERE true`, `LIKE … ESCAPE '\'` (ASCII case-insensitive, as SQLite's), `lower(?)` (ASCII
//! only, as SQLite's), `coalesce`, `LIMIT -1` for "no limit", and `ORDER BY` whose NULLs come first in
//! ascending order (SQLite's rule). The PostgreSQL implementation rewrites these spellings to PostgreSQL's
//! (`rasd_pg::read::to_postgres`), so both engines answer with the same rows in the same order.
//!
//! Rows stream: [`ReadDb::each_row`] hands them to the caller one at a time (SQLite: from the cursor;
//! PostgreSQL: a portal fetched in batches), and a caller may run other queries while it visits a row.

use crate::{Error, Result};

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Null,
    Text(String),
    Int(i64),
    Real(f64),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}

impl From<f64> for Arg {
    fn from(v: f64) -> Arg {
        Arg::Real(v)
    }
}

/// One row of a result, read by column index (from 0).
pub trait Row {
    /// A text column (`None` for NULL).
    fn text(&self, i: usize) -> Result<Option<String>>;
    /// An integer column (`None` for NULL).
    fn int(&self, i: usize) -> Result<Option<i64>>;
    /// A floating-point column, or an integer one read as a float (`None` for NULL).
    fn real(&self, i: usize) -> Result<Option<f64>>;
}

/// A text column that is never NULL.
pub(crate) fn text(r: &dyn Row, i: usize) -> Result<String> {
    r.text(i)?
        .ok_or_else(|| Error::Backend(format!("column {i} is NULL where a text value was expected")))
}

/// An integer column that is never NULL.
pub(crate) fn int(r: &dyn Row, i: usize) -> Result<i64> {
    r.int(i)?
        .ok_or_else(|| Error::Backend(format!("column {i} is NULL where an integer was expected")))
}

/// A floating-point column that is never NULL.
pub(crate) fn real(r: &dyn Row, i: usize) -> Result<f64> {
    r.real(i)?
        .ok_or_else(|| Error::Backend(format!("column {i} is NULL where a number was expected")))
}

/// A database the queries read (see the module documentation). The queries never write through it; the
/// incremental reconcile's backend (`crate::incremental::Backend`) extends it with writes.
pub trait ReadDb {
    /// Runs `sql` with `args` bound to its placeholders and calls `visit` on each row in order, until the rows
    /// end or `visit` returns `Ok(false)`. `visit` may run other queries on the same database.
    fn each_row(&self, sql: &str, args: &[Arg], visit: &mut dyn FnMut(&dyn Row) -> Result<bool>) -> Result<()>;

    /// Whether the database has a table of this name.
    fn has_table(&self, name: &str) -> Result<bool>;
}

impl<'a> dyn ReadDb + 'a {
    /// Every row of `sql`, each turned into a value by `f`.
    pub(crate) fn rows<T>(&self, sql: &str, args: &[Arg], mut f: impl FnMut(&dyn Row) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each_row(sql, args, &mut |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// The first row of `sql` turned into a value by `f`, or `None` when there is none.
    pub(crate) fn first<T>(&self, sql: &str, args: &[Arg], f: impl FnOnce(&dyn Row) -> Result<T>) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.each_row(sql, args, &mut |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(false)
        })?;
        Ok(out)
    }

    /// True when documents changed since the derived tables (incidents, timelines, contradictions) were last
    /// rebuilt: `meta.dirty` is `1` or `pending`.
    pub fn is_dirty(&self) -> Result<bool> {
        let v = self.first("SELECT value FROM meta WHERE key = ?1", &["dirty".into()], |r| {
            r.text(0)
        })?;
        Ok(matches!(v.flatten().as_deref(), Some("1" | "pending")))
    }
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Arg::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Arg::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Arg::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
        })
    }
}

struct SqliteRow<'a, 'b>(&'a rusqlite::Row<'b>);

impl Row for SqliteRow<'_, '_> {
    fn text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.0.get(i)?)
    }

    fn int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.0.get(i)?)
    }

    fn real(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.0.get(i)?)
    }
}

impl ReadDb for rusqlite::Connection {
    fn each_row(&self, sql: &str, args: &[Arg], visit: &mut dyn FnMut(&dyn Row) -> Result<bool>) -> Result<()> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            if !visit(&SqliteRow(r))? {
                break;
            }
        }
        Ok(())
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        use rusqlite::OptionalExtension;
        let found: Option<i64> = self
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }
}
