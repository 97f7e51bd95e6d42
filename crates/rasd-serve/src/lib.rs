//! `rasd serve`: a read-only JSON API over the project database, and the analyst's page (map, per-source
//! control timelines, contradictions, events, documents) bundled into the binary.
//!
//! The database is an SQLite file or a PostgreSQL database ([`Database`], issue 14); the queries are written
//! once, against `rasd_store::ReadDb`, so both engines give the same answers. Every request reads one snapshot
//! of the last committed state: on SQLite it opens the file read-only (`Store::open_read_only`), on
//! PostgreSQL it takes a connection from a pool ([`DEFAULT_POOL`] at most by default, `rasd_pg::pool`) and reads
//! in one read-only `REPEATABLE READ` transaction (`rasd_pg::read`), so the server never blocks a writer and
//! always answers with what is stored. A request while PostgreSQL is unreachable is answered 503, and the next
//! one connects again (a pooled connection that broke is dropped).
//!
//! Writes (ingest, corrections) are off unless a token is configured, and then need `Authorization: Bearer
//! TOKEN`. They answer the same on both engines: on SQLite through the store (`Store::ingest`,
//! `Store::add_correction`); on PostgreSQL an upload is written as `rasd worker` writes a shard
//! (`rasd_pg::work::ingest`: the same decisions on duplicates, near-duplicates and failures, in one transaction
//! per 1,024 documents), and the derived tables are then brought up to date as `rasd reconcile --worker` does
//! (incrementally when it can); a correction is a new row of `corrections` (`rasd_pg::corrections`).
//!
//! Bounds: pages hold at most [`MAX_PAGE`] items, request bodies at most [`Config::body_limit`] bytes, and a
//! query that runs longer than [`Config::timeout`] is answered with 503. Static assets come from the embedded
//! `web/dist` and are looked up by exact name, never on the file system.

mod api;
mod assets;
mod filter;
mod summary;

pub use api::ApiDoc;
pub use filter::{Bucket, FilterError, Params, parse_query};

use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The most items one page holds.
pub const MAX_PAGE: usize = 500;
/// Items per page when the request does not say.
pub const DEFAULT_PAGE: usize = 100;

/// Where the project database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`), read and written through a pool of
    /// connections.
    Postgres(rasd_pg::pool::Pool),
}

/// Connections to PostgreSQL a server keeps open by default (`rasd serve --pool`).
pub const DEFAULT_POOL: u16 = 8;

impl Database {
    /// The PostgreSQL database at `url`, through a pool of at most `pool` connections.
    pub fn postgres(url: impl Into<String>, pool: usize) -> Database {
        Database::Postgres(rasd_pg::pool::Pool::new(url, pool))
    }

    /// The database for messages: the file, or the URL with its password redacted.
    pub fn name(&self) -> String {
        match self {
            Database::Sqlite(p) => p.display().to_string(),
            Database::Postgres(pool) => rasd_pg::redact(pool.url()),
        }
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project database.
    pub db: Database,
    /// Writes are allowed only with this bearer token; `None` turns them off.
    pub token: Option<String>,
    /// The longest a query may run.
    pub timeout: Duration,
    /// The largest request body, in bytes.
    pub body_limit: usize,
}

impl Config {
    /// A server of the SQLite file `db`.
    pub fn new(db: impl Into<PathBuf>) -> Config {
        Config::of(Database::Sqlite(db.into()))
    }

    /// A server of `db`, with the default token (none), timeout and body limit.
    pub fn of(db: Database) -> Config {
        Config {
            db,
            token: None,
            timeout: Duration::from_secs(20),
            body_limit: 16 * 1024 * 1024,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] rasd_store::Error),
    #[error(transparent)]
    Postgres(#[from] rasd_pg::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The application: API routes, the page, and their limits.
pub fn router(cfg: Config) -> Router {
    api::router(Arc::new(cfg))
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    cfg: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(cfg))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Checks the database, binds `addr`, calls `ready` with the bound address, and serves until Ctrl-C. Blocks.
pub fn run(cfg: Config, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    // A missing, foreign or corrupt database, an unreachable server or one without the rasd schema is refused
    // before the port is bound.
    match &cfg.db {
        Database::Sqlite(path) => drop(rasd_store::Store::open_read_only(path)?),
        Database::Postgres(pool) => pool.read(cfg.timeout, |_| Ok::<_, rasd_pg::Error>(()))?,
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        // The per-source statistics take seconds on a large database: computed now, in the background.
        let db = cfg.db.clone();
        std::thread::spawn(move || {
            drop(api::sources_cached(&db));
            drop(api::cells_cached(&db));
        });
        serve(listener, cfg, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })?;
    Ok(())
}
