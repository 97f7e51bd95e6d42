//! The PostgreSQL store of rasd (issue 14): the schema with its versioned migrations ([`schema`]), moving an
//! SQLite project database into PostgreSQL with COPY ([`copy`]), checked by per-table counts and, in tests, by a
//! canonical dump of every table ([`dump`]); what the scale-out commands (`rasd queue push`, `rasd worker`,
//! `rasd reconcile --worker`) write ([`work`]), what `rasd ingest`, `rasd watch` and `rasd serve` store
//! ([`work::ingest`], [`corrections`], and the shared writers of `rasd_store` through [`reconcile::write`]);
//! re-processing every stored document with a new rasd version, switched over at once ([`reprocess`], by
//! workers or by `rasd reprocess`); and the read commands' queries and exports, through the same query
//! code as SQLite ([`read`]), on a connection of their own or a pooled one ([`pool`]).
//!
//! The tables are those of the SQLite store column for column (see [`tables::TABLES`]). The synchronous
//! `postgres` client is used, without TLS: servers are on 127.0.0.1 or a private network.

pub mod copy;
pub mod corrections;
pub mod dump;
pub mod pool;
pub mod read;
pub mod reconcile;
pub mod reprocess;
pub mod schema;
pub mod tables;
#[doc(hidden)]
pub mod testkit;
pub mod work;

pub use copy::{CopyOptions, CopyReport, TableCopy, copy_sqlite};
/// The PostgreSQL client this crate uses, for its callers.
pub use postgres;
pub use schema::{Migrated, SCHEMA_VERSION, migrate};

use std::time::Duration;

/// Why a PostgreSQL operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{url}: not a valid PostgreSQL URL ({detail}); expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")]
    Url { url: String, detail: String },
    #[error(
        "cannot connect to PostgreSQL at {url}: {detail} (is the server running and reachable? \
         `eval \"$(scripts/cluster-local.sh up)\"` starts one on 127.0.0.1)"
    )]
    Connect { url: String, detail: String },
    /// The server answered, and refused: a wrong password, an unknown role or database.
    #[error("PostgreSQL at {url} refused the connection: {detail}")]
    Refused { url: String, detail: String },
    #[error("PostgreSQL: {}", pg_message(.0))]
    Postgres(postgres::Error),
    #[error(
        "{url}: no rasd database here (no rasd schema; `rasd migrate sqlite:FILE {url}` or `rasd worker` creates \
         one)"
    )]
    NoSchema { url: String },
    #[error("the PostgreSQL database has rasd schema version {found}; this rasd knows up to {known}: upgrade rasd")]
    TooNew { found: i32, known: i32 },
    #[error("all {size} connections to PostgreSQL stayed busy for {} s; try again", .waited.as_secs_f64())]
    Busy { size: usize, waited: Duration },
    #[error(transparent)]
    Store(#[from] rasd_store::Error),
    #[error("{}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
    #[error("the SQLite database's schema does not match the PostgreSQL schema: {0}")]
    Schema(String),
    #[error("table {table}, row {row}, column {column}: {detail}")]
    Value {
        table: &'static str,
        row: u64,
        column: &'static str,
        detail: String,
    },
    #[error("sending rows to PostgreSQL failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        Error::Postgres(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Sqlite(e)
    }
}

fn sqlite_message(e: &rusqlite::Error) -> String {
    format!("SQLite: {e}")
}

/// The server's own words (severity, SQLSTATE, message, detail) where it sent an error, else the client's
/// error with its causes.
pub fn pg_message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(d) = db.detail() {
            m.push_str(&format!(" ({d})"));
        }
        return m;
    }
    let mut m = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !m.contains(&text) {
            m.push_str(": ");
            m.push_str(&text);
        }
        source = s.source();
    }
    m
}

/// `url` with its password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_string();
    };
    format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..])
}

/// Connects to the PostgreSQL database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`), giving up on
/// an unreachable host after 10 s unless the URL sets `connect_timeout`.
pub fn connect(url: &str) -> Result<postgres::Client> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(Error::Url {
            url: redact(url),
            detail: "it does not start with postgres:// or postgresql://".into(),
        });
    }
    let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| Error::Url {
        url: redact(url),
        detail: pg_message(&e),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.connect(postgres::NoTls).map_err(|e| match e.as_db_error() {
        Some(_) => Error::Refused {
            url: redact(url),
            detail: pg_message(&e),
        },
        None => Error::Connect {
            url: redact(url),
            detail: pg_message(&e),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://rasd:secret@127.0.0.1:5432/rasd"),
            "postgres://rasd:***@127.0.0.1:5432/rasd"
        );
        assert_eq!(redact("postgres://rasd@h/db"), "postgres://rasd@h/db");
        assert_eq!(redact("postgres://h/db?user=x"), "postgres://h/db?user=x");
    }

    #[test]
    fn bad_urls_are_refused_before_any_connection() {
        let e = connect("mysql://x@h/db").err().expect("refused");
        assert!(e.to_string().contains("postgres://"), "{e}");
        let e = connect("postgres://rasd:pw@127.0.0.1:notaport/rasd")
            .err()
            .expect("refused");
        assert!(matches!(e, Error::Url { .. }), "{e}");
        assert!(!e.to_string().contains("pw@"), "{e}");
    }

    #[test]
    fn an_unreachable_server_is_a_clear_error() {
        // Port 9 (discard) on 127.0.0.1: nothing listens there in a test environment.
        let e = connect("postgres://rasd:pw@127.0.0.1:9/rasd").err().expect("refused");
        let m = e.to_string();
        assert!(matches!(e, Error::Connect { .. }), "{m}");
        assert!(
            m.contains("cannot connect to PostgreSQL at postgres://rasd:***@127.0.0.1:9/rasd"),
            "{m}"
        );
    }
}
