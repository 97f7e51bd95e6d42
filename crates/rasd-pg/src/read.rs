//! The queries and exports of rasd on PostgreSQL: the PostgreSQL implementation of [`rasd_store::ReadDb`],
//! under the very query code that reads SQLite (`rasd_store`'s `query.rs`, `export.rs`, alerts and
//! corrections), so both engines answer with the same rows in the same order.
//!
//! [`read`] connects, checks the schema, and runs the caller in one read-only `REPEATABLE READ` transaction: every
//! query of a command sees one snapshot, and nothing can be written. Rows stream: each query is bound to a
//! portal and fetched [`BATCH`] rows at a time, so memory does not grow with the result, and a caller may run
//! other queries (other portals of the same transaction) while it visits a row.
//!
//! The SQL is SQLite's (see `rasd_store::db`); [`to_postgres`] rewrites what PostgreSQL spells otherwise.

use crate::{Error, Result, pg_message, redact};
use postgres::types::{ToSql, Type};
use postgres::{Statement, Transaction};
use rasd_store::{Arg, ReadDb, Row};
use std::cell::RefCell;
use std::collections::HashMap;

/// Rows fetched from a portal at a time.
pub const BATCH: i32 = 256;

/// Connects to `url`, checks that it holds a rasd database this rasd can read, and calls `f` with it, inside a
/// read-only transaction (one snapshot; rolled back at the end). A database with no rasd schema, or with a newer
/// one, is refused with a one-line message.
pub fn read<T, E: From<Error>>(url: &str, f: impl FnOnce(&dyn ReadDb) -> Result<T, E>) -> Result<T, E> {
    let mut client = crate::connect(url)?;
    check_schema(&mut client, url)?;
    let mut tx = snapshot(&mut client)?;
    f(&PgRead::new(&mut tx))
}

/// Refuses a database with no rasd schema (`url` names it in the message), or with a newer one than this rasd
/// knows.
pub fn check_schema(client: &mut postgres::Client, url: &str) -> Result<()> {
    let version = crate::schema::version(client)?;
    if version == 0 {
        return Err(Error::NoSchema { url: redact(url) });
    }
    if version > crate::SCHEMA_VERSION {
        return Err(Error::TooNew {
            found: version,
            known: crate::SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// A read-only `REPEATABLE READ` transaction on `client`: one snapshot, nothing written; rolled back when dropped.
pub fn snapshot(client: &mut postgres::Client) -> Result<Transaction<'_>> {
    Ok(client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?)
}

/// Calls `f` with the snapshot `tx` (see [`snapshot`]) as a [`ReadDb`].
pub fn read_in<T>(tx: &mut Transaction<'_>, f: impl FnOnce(&dyn ReadDb) -> T) -> T {
    f(&PgRead::new(tx))
}

/// A transaction, and the statements it prepared (by SQL, already rewritten): read-only for the queries
/// ([`read`]); the write transaction of `rasd reconcile --worker` for the incremental reconcile (`crate::work`).
pub(crate) struct PgRead<'t, 'a> {
    pub(crate) tx: RefCell<&'t mut Transaction<'a>>,
    statements: RefCell<HashMap<String, Statement>>,
}

pub(crate) fn store_error(e: postgres::Error) -> rasd_store::Error {
    let m = format!("PostgreSQL: {}", pg_message(&e));
    if is_unavailable(&e) {
        rasd_store::Error::Unavailable(m)
    } else {
        rasd_store::Error::Backend(m)
    }
}

/// True when `e` says that the server is not there for now: the connection is closed or broken (no answer from
/// the server), or the server is shutting down or starting (SQLSTATE classes 08 and 57P).
pub fn is_unavailable(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            code.starts_with("08") || code.starts_with("57P")
        }
        None => e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()),
    }
}

impl<'t, 'a> PgRead<'t, 'a> {
    pub(crate) fn new(tx: &'t mut Transaction<'a>) -> PgRead<'t, 'a> {
        PgRead {
            tx: RefCell::new(tx),
            statements: RefCell::new(HashMap::new()),
        }
    }

    /// The values of `args` for `stmt`'s parameters.
    pub(crate) fn values(stmt: &Statement, args: &[Arg]) -> rasd_store::Result<Vec<Box<dyn ToSql + Sync>>> {
        if stmt.params().len() != args.len() {
            return Err(rasd_store::Error::Backend(format!(
                "PostgreSQL: the query has {} parameter(s) and was given {}",
                stmt.params().len(),
                args.len()
            )));
        }
        args.iter().zip(stmt.params()).map(|(a, ty)| param(a, ty)).collect()
    }

    /// The prepared statement of `sql` (SQLite's spelling, rewritten by [`to_postgres`]).
    pub(crate) fn statement(&self, sql: &str) -> rasd_store::Result<Statement> {
        let sql = to_postgres(sql);
        if let Some(s) = self.statements.borrow().get(&sql) {
            return Ok(s.clone());
        }
        let s = self.tx.borrow_mut().prepare(&sql).map_err(store_error)?;
        self.statements.borrow_mut().insert(sql, s.clone());
        Ok(s)
    }
}

/// `arg` as a value of the parameter type PostgreSQL inferred for its placeholder.
fn param(arg: &Arg, ty: &Type) -> rasd_store::Result<Box<dyn ToSql + Sync>> {
    let bad = || {
        rasd_store::Error::Backend(format!(
            "PostgreSQL: a value {arg:?} cannot be bound to a parameter of type {ty}"
        ))
    };
    Ok(match (arg, ty) {
        (Arg::Null, &Type::INT8) => Box::new(None::<i64>),
        (Arg::Null, &Type::INT4) => Box::new(None::<i32>),
        (Arg::Null, &Type::FLOAT8) => Box::new(None::<f64>),
        (Arg::Null, _) => Box::new(None::<String>),
        (Arg::Text(s), _) => Box::new(s.clone()),
        (Arg::Int(v), &Type::INT8) => Box::new(*v),
        (Arg::Int(v), &Type::INT4) => Box::new(i32::try_from(*v).map_err(|_| bad())?),
        (Arg::Int(v), &Type::INT2) => Box::new(i16::try_from(*v).map_err(|_| bad())?),
        (Arg::Int(v), &Type::FLOAT8) => Box::new(*v as f64),
        (Arg::Real(v), &Type::FLOAT8) => Box::new(*v),
        (Arg::Real(v), &Type::FLOAT4) => Box::new(*v as f32),
        _ => return Err(bad()),
    })
}

struct PgRow<'a>(&'a postgres::Row);

impl PgRow<'_> {
    fn get<'b, T: postgres::types::FromSql<'b>>(&'b self, i: usize) -> rasd_store::Result<T> {
        self.0.try_get(i).map_err(store_error)
    }

    fn ty(&self, i: usize) -> rasd_store::Result<&Type> {
        self.0
            .columns()
            .get(i)
            .map(|c| c.type_())
            .ok_or_else(|| rasd_store::Error::Backend(format!("PostgreSQL: no column {i} in the result")))
    }
}

impl Row for PgRow<'_> {
    fn text(&self, i: usize) -> rasd_store::Result<Option<String>> {
        self.get(i)
    }

    fn int(&self, i: usize) -> rasd_store::Result<Option<i64>> {
        Ok(match *self.ty(i)? {
            Type::INT2 => self.get::<Option<i16>>(i)?.map(i64::from),
            Type::INT4 => self.get::<Option<i32>>(i)?.map(i64::from),
            Type::BOOL => self.get::<Option<bool>>(i)?.map(i64::from),
            _ => self.get(i)?,
        })
    }

    fn real(&self, i: usize) -> rasd_store::Result<Option<f64>> {
        Ok(match *self.ty(i)? {
            Type::FLOAT4 => self.get::<Option<f32>>(i)?.map(f64::from),
            Type::INT2 | Type::INT4 | Type::INT8 | Type::BOOL => self.int(i)?.map(|v| v as f64),
            _ => self.get(i)?,
        })
    }
}

impl ReadDb for PgRead<'_, '_> {
    fn each_row(
        &self,
        sql: &str,
        args: &[Arg],
        visit: &mut dyn FnMut(&dyn Row) -> rasd_store::Result<bool>,
    ) -> rasd_store::Result<()> {
        let stmt = self.statement(sql)?;
        let values = Self::values(&stmt, args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        let portal = self.tx.borrow_mut().bind(&stmt, &refs).map_err(store_error)?;
        loop {
            // The borrow ends before the rows are visited: a visitor may query (through another portal).
            let rows = self.tx.borrow_mut().query_portal(&portal, BATCH).map_err(store_error)?;
            for r in &rows {
                if !visit(&PgRow(r))? {
                    return Ok(());
                }
            }
            if rows.len() < BATCH as usize {
                return Ok(());
            }
        }
    }

    fn has_table(&self, name: &str) -> rasd_store::Result<bool> {
        let row = self
            .tx
            .borrow_mut()
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
            .map_err(store_error)?;
        Ok(row.get(0))
    }
}

/// Rewrites the SQL the queries send (SQLite's, see `rasd_store::db`) for PostgreSQL:
///
/// - placeholders: `?` becomes `$1`, `$2`, … in order, and `?N` becomes `$N`;
/// - `CROSS JOIN … ON` (SQLite's inner join that keeps the order of its tables) becomes `JOIN … ON`;
/// - `LIKE` becomes `ILIKE` (SQLite's `LIKE` ignores ASCII case; on the `COLLATE "C"` columns, `ILIKE` ignores
///   ASCII case only too);
/// - `lower(?)` becomes `lower(CAST($n AS text) COLLATE "C")`: ASCII only, as SQLite's `lower`;
/// - `LIMIT -1` (no limit) becomes `LIMIT ALL`;
/// - each `ORDER BY` key gets `NULLS FIRST` (ascending) or `NULLS LAST` (descending): SQLite's order of NULLs.
///
/// Text inside single quotes is left as it is.
pub fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 32);
    let mut n = 0;
    let mut chars = sql.char_indices().peekable();
    let mut quoted = false;
    while let Some((i, c)) = chars.next() {
        if quoted {
            out.push(c);
            quoted = c != '\'';
            continue;
        }
        match c {
            '\'' => {
                quoted = true;
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    n += 1;
                    digits = n.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ if sql[i..].starts_with("lower(?)") => {
                // `lower(` is copied here, the placeholder by the next turn of the loop.
                out.push_str("lower(CAST(");
                for _ in 0.."lower(".len() - 1 {
                    chars.next();
                }
                let (_, q) = chars.next().unwrap_or((0, '?'));
                debug_assert_eq!(q, '?');
                n += 1;
                out.push_str(&format!("${n} AS text) COLLATE \"C\""));
            }
            _ if sql[i..].starts_with("LIKE ") && !out.ends_with('I') => {
                out.push_str("ILIKE");
                for _ in 0.."LIKE".len() - 1 {
                    chars.next();
                }
            }
            _ if sql[i..].starts_with("CROSS JOIN ") => {
                out.push_str("JOIN");
                for _ in 0.."CROSS JOIN".len() - 1 {
                    chars.next();
                }
            }
            _ if sql[i..].starts_with("LIMIT -1") => {
                out.push_str("LIMIT ALL");
                for _ in 0.."LIMIT -1".len() - 1 {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    order_nulls_first(&out)
}

/// Adds SQLite's order of NULLs to every `ORDER BY` list of `sql` (see [`to_postgres`]). A list ends at `LIMIT`,
/// `OFFSET`, the parenthesis that closes its subquery, or the end; its keys are split at the commas outside
/// parentheses.
fn order_nulls_first(sql: &str) -> String {
    const KEY: &str = "ORDER BY ";
    let mut out = String::with_capacity(sql.len() + 32);
    let mut rest = sql;
    while let Some(at) = rest.find(KEY) {
        out.push_str(&rest[..at + KEY.len()]);
        rest = &rest[at + KEY.len()..];
        let mut keys: Vec<&str> = Vec::new();
        let (mut depth, mut start, mut end) = (0i32, 0, rest.len());
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    keys.push(&rest[start..i]);
                    start = i + 1;
                }
                ' ' if depth == 0 && (rest[i..].starts_with(" LIMIT") || rest[i..].starts_with(" OFFSET")) => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        keys.push(&rest[start..end]);
        let keys: Vec<String> = keys
            .iter()
            .map(|k| {
                let k = k.trim();
                if k.ends_with(" DESC") {
                    format!("{k} NULLS LAST")
                } else {
                    format!("{k} NULLS FIRST")
                }
            })
            .collect();
        out.push_str(&keys.join(", "));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_spellings_become_postgres_ones() {
        assert_eq!(
            to_postgres("SELECT json FROM t WHERE true AND a IN (?,?) AND b = ?1 ORDER BY d, id LIMIT -1 OFFSET ?"),
            "SELECT json FROM t WHERE true AND a IN ($1,$2) AND b = $1 ORDER BY d NULLS FIRST, id NULLS FIRST \
             LIMIT ALL OFFSET $3"
        );
        assert_eq!(
            to_postgres(
                "SELECT x FROM t WHERE (lower(a) LIKE lower(?) ESCAPE '\\' OR a IN (?)) AND s LIKE ? ESCAPE '\\'"
            ),
            "SELECT x FROM t WHERE (lower(a) ILIKE lower(CAST($1 AS text) COLLATE \"C\") ESCAPE '\\' OR a IN ($2)) \
             AND s ILIKE $3 ESCAPE '\\'"
        );
        assert_eq!(
            to_postgres("SELECT a, count(*) FROM t GROUP BY a ORDER BY 2 DESC, 1"),
            "SELECT a, count(*) FROM t GROUP BY a ORDER BY 2 DESC NULLS LAST, 1 NULLS FIRST"
        );
        assert_eq!(
            to_postgres("SELECT id FROM (SELECT id FROM t ORDER BY coalesce(a, b), id DESC LIMIT 3) ORDER BY id"),
            "SELECT id FROM (SELECT id FROM t ORDER BY coalesce(a, b) NULLS FIRST, id DESC NULLS LAST LIMIT 3) \
             ORDER BY id NULLS FIRST"
        );
        assert_eq!(
            to_postgres("SELECT e.id FROM p CROSS JOIN events e ON e.id = p.id WHERE e.d >= ?1"),
            "SELECT e.id FROM p JOIN events e ON e.id = p.id WHERE e.d >= $1"
        );
        // Quoted text is left alone: no placeholder, no keyword.
        assert_eq!(
            to_postgres("SELECT '?' FROM t WHERE k = 'LIKE ' AND v = ?"),
            "SELECT '?' FROM t WHERE k = 'LIKE ' AND v = $1"
        );
    }
}
