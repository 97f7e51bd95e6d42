//! The rasd project database: an embedded SQLite file (WAL mode) holding documents, their event records, and
//! what reconciliation derives from them (incidents, control claims, contradictions).
//!
//! Writes are batched in transactions, so a process killed at any moment leaves a consistent database, and
//! ingest is idempotent: documents are keyed by content hash, so a second run stores nothing new and a run
//! after a crash finishes the job. Derived tables are rebuilt in one transaction after the documents change;
//! a `dirty` flag in `meta` makes the next writer (or `rasd reconcile`) rebuild them if a crash came in between.
//!
//! Concurrency: writers ([`Store::open`], [`Store::open_existing`]) take SQLite's write lock with
//! `BEGIN IMMEDIATE` for every batch, migration and rebuild, and wait for one another up to
//! [`lock_timeout`]. Readers ([`Store::open_read_only`]) never write: they read one WAL snapshot, the last
//! committed state, and never block a writer.

/// Alerts raised by incremental reconciles.
pub mod alerts;
pub mod db;
/// ACLED CSV, GeoJSON and JSONL exports.
pub mod export;
pub mod incremental;
mod ingest;
pub mod profile;
mod query;
/// Input readers: text, JSONL, HTML, RSS/Atom.
pub mod read;
pub mod rebuild;
mod rebuild_alerts;
pub mod rows;
mod schema;
pub mod serve_queries;
/// MinHash near-duplicate detection.
pub mod sketch;
/// The state of `rasd watch`: sources, validators, seen feed items.
pub mod watch_state;

pub use db::{Arg, ReadDb, Row};
pub use ingest::{BATCH as INGEST_BATCH, IngestStats, Progress};
pub use query::{
    Admin1, DocRecord, Failure, Filter, PlaceRow, SourceStats, StoredEvent, Summary, admin1_by_code, admin1_divisions,
    admin1_name_and_code, doc_value, event_value, incident_value, like_escape, name_admin1, place_key, tsv_cell,
};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}: no rasd database here (run `rasd ingest PATH…` or `rasd demo` first, or pass --db)")]
    Missing(PathBuf),
    #[error("{0}: not a rasd database (the file is not an SQLite database)")]
    NotADatabase(PathBuf),
    #[error("{0}: is a directory, not a database file (pass a file in it, e.g. --db {0}/rasd.db)")]
    IsDirectory(PathBuf),
    /// Another process held the write lock for longer than [`lock_timeout`].
    #[error(
        "{path}: gave up after waiting {secs:.0} s for the write lock, which {holder} ({detail}); run this again \
         when it has finished",
        secs = lock_timeout().as_secs_f64()
    )]
    Busy {
        path: PathBuf,
        /// Who holds the lock, as far as can be known (see [`lock_holder`]).
        holder: String,
        detail: String,
    },
    #[error("{path}: an SQLite database of another application (application_id {id:#x}); rasd leaves it untouched")]
    Foreign { path: PathBuf, id: i64 },
    #[error("{path}: the database is corrupt: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: written by a newer rasd (schema version {found}; this rasd knows up to {known}); upgrade rasd")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("{}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
    #[error("a stored record cannot be read back: {0}")]
    Record(#[from] serde_json::Error),
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("invalid query: {0}")]
    Query(String),
    /// An error of another database engine (PostgreSQL), in its words.
    #[error("{0}")]
    Backend(String),
    /// The server of another database engine (PostgreSQL) went away or is shutting down, in its words: trying
    /// again later may succeed.
    #[error("{0}")]
    Unavailable(String),
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Sqlite(e)
    }
}

/// SQLite's message, with advice where SQLite's own words are cryptic. (Not a `source`: the message already
/// includes it, and error chains would print it twice.)
fn sqlite_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseCorrupt, DatabaseLocked, NotADatabase};
    match e {
        rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, DatabaseCorrupt | NotADatabase) => format!(
            "the database file is corrupt ({}); restore it from a backup, or ingest the sources again into a new file",
            f
        ),
        rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, DatabaseBusy | DatabaseLocked) => format!(
            "gave up after waiting {:.0} s for another rasd process that is writing to the database ({f}); \
             run this again when that process has finished",
            lock_timeout().as_secs_f64()
        ),
        e => format!("database error: {e}"),
    }
}

impl Error {
    /// True when writing the output failed because its reader went away (`rasd export … | head`): not an error
    /// for a command line tool.
    pub fn is_broken_pipe(&self) -> bool {
        use std::io::ErrorKind::BrokenPipe;
        match self {
            Error::Io(e) => e.kind() == BrokenPipe,
            Error::Record(e) => e.io_error_kind() == Some(BrokenPipe),
            Error::Csv(e) => matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe),
            _ => false,
        }
    }

    /// True when another process holds the write lock (an ingest in progress): a reader can go on with the
    /// last committed state.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Busy { .. }) || matches!(self, Error::Sqlite(e) if is_busy_code(e))
    }
}

fn is_busy_code(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// The file next to the database in which a writer records itself (pid, command line, time) each time it takes
/// the write lock, so that a writer that gives up waiting can say who held the lock.
pub fn lock_holder_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-writer");
    PathBuf::from(name)
}

/// Records this process as the holder of the write lock of `db` (called with the lock held). Best effort: a
/// read-only directory only makes a later "gave up" message less precise.
fn record_lock_holder(db: &Path) {
    let args: Vec<String> = std::env::args().map(|a| short_text(&a, 80)).collect();
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let line = format!(
        "{}\t{at}\t{}\n",
        std::process::id(),
        args.join(" ").replace(['\t', '\n', '\r'], " ")
    );
    // Written beside and renamed over, so that a reader never sees a half-written record (a writer stopped
    // between the truncation and the write of `fs::write` left an empty file).
    // The temporary name is hidden, so that a directory walk (`rasd ingest DIR` with the database inside DIR)
    // never takes one left by a killed writer for a document.
    let path = lock_holder_path(db);
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    if std::fs::write(&tmp, line).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Removes this process's record from the lock-holder file of `db` (when the writer closes).
fn forget_lock_holder(db: &Path) {
    let path = lock_holder_path(db);
    if let Ok(text) = std::fs::read_to_string(&path)
        && text.split('\t').next() == Some(std::process::id().to_string().as_str())
    {
        let _ = std::fs::remove_file(path);
    }
}

/// Who holds the write lock of `db`, as far as can be known: the rasd process that last recorded itself in the
/// lock-holder file ([`lock_holder_path`]) when that process is still running, else a sentence saying that it
/// is not known. Ends a clause "…, which {holder}".
pub fn lock_holder(db: &Path) -> String {
    let unknown = "another process holds; which one is not known";
    let Ok(text) = std::fs::read_to_string(lock_holder_path(db)) else {
        return format!("{unknown} (no rasd writer recorded itself; another program, such as sqlite3, may hold it)");
    };
    let mut cells = text.trim_end().splitn(3, '\t');
    let (Some(pid), Some(at), Some(cmd)) = (cells.next(), cells.next(), cells.next()) else {
        return format!("{unknown} (the record of the last rasd writer is unreadable)");
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return format!("{unknown} (the record of the last rasd writer is unreadable)");
    };
    let since = at
        .parse::<i64>()
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map_or(String::new(), |t| format!(" at {}", t.format("%Y-%m-%d %H:%M:%S UTC")));
    if pid == std::process::id() {
        return format!("{unknown} (the last rasd writer recorded is this process)");
    }
    match process_alive(pid) {
        Some(false) => format!(
            "{unknown} (the last rasd writer recorded, pid {pid} `{cmd}`, has exited; another program, such as \
             sqlite3, may hold it)"
        ),
        Some(true) => format!(
            "process {pid} holds, as far as rasd can tell (`{cmd}`: the last rasd writer to take the lock{since}, \
             and still running)"
        ),
        None => format!(
            "process {pid} (`{cmd}`) most likely holds (it took the write lock{since}; whether it still \
             runs cannot be checked here)"
        ),
    }
}

/// Whether process `pid` runs, where that can be checked (Linux: `/proc`).
fn process_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// `s` cut to at most `max` characters, with how long it was when cut: for names and arguments quoted in
/// messages, so that a pasted 2 KB "place name" does not fill the terminal.
pub fn short_text(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{head}… ({n} characters)")
}

/// How long a writer waits for another process's write lock, in milliseconds (see [`set_lock_timeout`]).
static LOCK_TIMEOUT_MS: AtomicU64 = AtomicU64::new(30_000);
/// Whether a wait for the lock is announced on standard error (see [`set_lock_notice`]).
static LOCK_NOTICE: AtomicBool = AtomicBool::new(true);
/// After this long, a wait for the lock is announced.
const NOTICE_AFTER: Duration = Duration::from_millis(500);

/// How long a writer waits for another rasd process that holds the write lock before it gives up (30 s unless
/// changed with [`set_lock_timeout`]).
pub fn lock_timeout() -> Duration {
    Duration::from_millis(LOCK_TIMEOUT_MS.load(Ordering::Relaxed))
}

/// Sets how long every store of this process waits for the write lock of another process.
pub fn set_lock_timeout(timeout: Duration) {
    LOCK_TIMEOUT_MS.store(timeout.as_millis().min(u64::MAX as u128) as u64, Ordering::Relaxed);
}

/// Whether a wait for another process's lock is announced on standard error (on by default: a writer that
/// seems to hang says why).
pub fn set_lock_notice(on: bool) {
    LOCK_NOTICE.store(on, Ordering::Relaxed);
}

thread_local! {
    /// When the current wait for the lock began, and whether it was announced.
    static WAIT: Cell<(Option<Instant>, bool)> = const { Cell::new((None, false)) };
}

/// SQLite's busy handler: sleeps a little longer each time, announces the wait once it lasts, and gives up after
/// [`lock_timeout`]. `n` counts the calls for the same lock attempt (0 for the first).
fn busy_wait(n: i32) -> bool {
    let now = Instant::now();
    let (started, announced) = WAIT.with(|w| {
        let (started, announced) = w.get();
        let state = match started {
            Some(t) if n > 0 => (t, announced),
            _ => (now, false),
        };
        w.set((Some(state.0), state.1));
        state
    });
    let waited = now.duration_since(started);
    if waited >= lock_timeout() {
        return false;
    }
    if !announced && waited >= NOTICE_AFTER && LOCK_NOTICE.load(Ordering::Relaxed) {
        eprintln!(
            "rasd: waiting for another rasd process that is writing to the database (up to {:.0} s) …",
            lock_timeout().as_secs_f64()
        );
        WAIT.with(|w| w.set((Some(started), true)));
    }
    let pause = [1u64, 2, 5, 10, 20, 50][(n.max(0) as usize).min(5)];
    std::thread::sleep(Duration::from_millis(pause).min(lock_timeout() - waited));
    true
}

/// An open project database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Above this many events to recompute (see [`Store::set_incremental_limit`]), a batch of new events is
    /// reconciled by the streamed rebuild rather than incrementally.
    incremental_limit: u64,
}

/// A store is read through [`ReadDb`]: the queries and exports (written once for SQLite and PostgreSQL) are
/// methods of `dyn ReadDb`, and a store answers them from its SQLite connection.
impl std::ops::Deref for Store {
    type Target = dyn ReadDb;

    fn deref(&self) -> &(dyn ReadDb + 'static) {
        &self.conn
    }
}

/// The default of [`Store::set_incremental_limit`]: how many stored events an incremental reconcile may read
/// again before the streamed rebuild (bounded memory) is taken instead. Chosen from measurements at 100,000
/// documents (BENCHMARKS.md): an incremental reconcile holds about 6 KB per event it reads again (331 MB for
/// 37,000 events of one sub-event type), so at this many it stays under 200 MB, while news of the last days
/// (about 1,000 events of a type) stay well under it and keep the fast path.
pub const INCREMENTAL_LIMIT: u64 = 10_000;

/// What a rebuild of the derived tables produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReconcileStats {
    /// Stored events it read.
    pub events: u64,
    pub incidents: u64,
    pub control_claims: u64,
    pub contradictions: u64,
}

impl Store {
    /// Opens the database at `path` for writing, creating it when absent and migrating an older schema in place.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, true)
    }

    /// Opens an existing database for writing; a missing file is [`Error::Missing`] rather than a new empty
    /// database.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_with(path, false)
    }

    /// Opens an existing database for reading only. Nothing is ever written through it (derived tables are
    /// read as the last rebuild left them, see `is_dirty` of [`ReadDb`]), and every query of this store reads the
    /// same snapshot: the last committed state, whatever a writer does meanwhile.
    ///
    /// An empty file (a database that a writer is just creating) is [`Error::Missing`]. The one exception to
    /// "never writes" is a database of an older schema: it is upgraded first, once, through a writer, since this
    /// rasd cannot read it otherwise.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        check_file(path, false)?;
        let mut store = Store::connect_read_only(path)?;
        let (app, _, version) = store.header().map_err(|e| store.classify(e))?;
        if app == APPLICATION_ID && version < SCHEMA_VERSION {
            drop(store);
            drop(Store::open_existing(path)?);
            store = Store::connect_read_only(path)?;
        }
        if store.check_header().map_err(|e| store.classify(e))? {
            return Err(Error::Missing(path.to_path_buf()));
        }
        // WAL: one read transaction for the life of the store pins one snapshot and blocks no writer. (A
        // database in another journal mode is read statement by statement, so that readers never hold a lock.)
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            store.conn.execute_batch("BEGIN DEFERRED")?;
            store.is_dirty().map_err(|e| store.classify(e))?;
        }
        Ok(store)
    }

    fn connect_read_only(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_handler(Some(busy_wait))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            read_only: true,
            incremental_limit: INCREMENTAL_LIMIT,
        })
    }

    fn open_with(path: &Path, create: bool) -> Result<Store> {
        check_file(path, create)?;
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: false,
            incremental_limit: INCREMENTAL_LIMIT,
        };
        store.setup().map_err(|e| store.classify(e))?;
        Ok(store)
    }

    /// Whether this store was opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Turns SQLite's "corrupt" and "not a database" codes into a clear error naming the file.
    fn classify(&self, e: Error) -> Error {
        if let Error::Sqlite(rusqlite::Error::SqliteFailure(f, msg)) = &e {
            use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
            if matches!(f.code, DatabaseCorrupt | NotADatabase) {
                return Error::Corrupt {
                    path: self.path.clone(),
                    detail: msg.clone().unwrap_or_else(|| f.to_string()),
                };
            }
        }
        e
    }

    /// `PRAGMA application_id`, the number of schema objects and `PRAGMA user_version`, read together in one
    /// read transaction (a writer may be creating the database meanwhile).
    fn header(&self) -> Result<(i64, i64, i64)> {
        let read = |c: &Connection| -> Result<(i64, i64, i64)> {
            let app: i64 = c.query_row("PRAGMA application_id", [], |r| r.get(0))?;
            let tables: i64 = c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            Ok((app, tables, version))
        };
        if !self.conn.is_autocommit() {
            return read(&self.conn);
        }
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let header = read(&self.conn);
        self.conn.execute_batch("COMMIT")?;
        header
    }

    /// Refuses foreign databases and those of a newer rasd; `Ok(true)` when the file is empty (no schema yet).
    fn check_header(&self) -> Result<bool> {
        let (app, tables, version) = self.header()?;
        if app == 0 && tables == 0 {
            return Ok(true);
        }
        if app != APPLICATION_ID {
            return Err(Error::Foreign {
                path: self.path.clone(),
                id: app,
            });
        }
        if version > SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(false)
    }

    /// A writer's transaction: SQLite's write lock is taken at once (`BEGIN IMMEDIATE`), waiting for another
    /// writer up to [`lock_timeout`], so that what it reads inside stays true until it commits.
    pub(crate) fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>> {
        match self.conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => {
                record_lock_holder(&self.path);
                Ok(tx)
            }
            Err(e) => Err(busy_error(&self.path, e)),
        }
    }

    fn setup(&mut self) -> Result<()> {
        self.conn.busy_handler(Some(busy_wait))?;
        // A foreign file is refused before anything (even a lock) touches it.
        self.check_header()?;
        // Creation and migrations run under the write lock, and decide from the schema version read inside
        // it: two processes that open a new (or old) database at once create (or migrate) it exactly once.
        {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Exclusive)
                .map_err(|e| busy_error(&self.path, e))?;
            record_lock_holder(&self.path);
            let app: i64 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
            let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if app == 0 && tables == 0 {
                schema::create(&tx)?;
            }
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version > SCHEMA_VERSION {
                return Err(Error::TooNew {
                    path: self.path.clone(),
                    found: version,
                    known: SCHEMA_VERSION,
                });
            }
            schema::migrate(&tx, version)?;
            tx.commit()?;
        }
        // Switching to WAL needs the database to itself, and SQLite does not call the busy handler for it: a
        // writer that opens the new database at the same moment is waited for here.
        let mut attempt = 0;
        loop {
            match self.conn.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
                    if !busy_wait(attempt) {
                        self.conn
                            .pragma_update(None, "journal_mode", "WAL")
                            .map_err(|e| busy_error(&self.path, e))?;
                        break;
                    }
                    attempt += 1;
                }
                r => {
                    r?;
                    break;
                }
            }
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        // 64 MB of page cache: the index B-trees of a large collection stay in memory during a rebuild.
        self.conn.pragma_update(None, "cache_size", -65536)?;
        Ok(())
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database (always [`SCHEMA_VERSION`] once opened).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// SQLite's own consistency check: `Ok(())` or the problems it lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Rebuilds incidents, control claims and contradictions when documents changed since the last rebuild
    /// (a writer's job: see [`Store::reconcile`]).
    pub fn ensure_reconciled(&mut self) -> Result<bool> {
        Ok(self
            .ensure_reconciled_with(&rasd_reconcile::Options::default())?
            .is_some())
    }

    /// True when the derived tables need a full rebuild (`meta.dirty = '1'`), not just an incremental one.
    pub fn needs_full_rebuild(&self) -> Result<bool> {
        Ok(self.meta("dirty")?.as_deref() == Some("1"))
    }

    /// Brings the derived tables up to date: when only new events were stored since the last reconcile
    /// (`meta.dirty = 'pending'`), by recomputing what they touch (see `incremental.rs`), which raises and stores
    /// the alerts they cause; when anything else changed (`'1'`), by a full rebuild. A first load (derived tables
    /// empty, so no alert to raise, and at least half the stored events new) is rebuilt in full too: the same
    /// tables, streamed, where the incremental reconcile would hold every new event. `None` when up to date.
    pub fn ensure_reconciled_with(&mut self, opts: &rasd_reconcile::Options) -> Result<Option<ReconcileStats>> {
        {
            let limit = self.incremental_limit;
            let tx = self.write_tx()?;
            let dirty: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'dirty'", [], |r| r.get(0))
                .optional()?;
            if dirty.as_deref() == Some("pending") && !incremental::first_load(&*tx)? {
                let (stats, _) = incremental::reconcile_pending(&rebuild::Sqlite(&tx), opts, limit)?;
                let t = std::time::Instant::now();
                tx.commit()?;
                if std::env::var_os("RASD_PROFILE").is_some() {
                    eprintln!("rasd: reconcile: commit: {:.3} s", t.elapsed().as_secs_f64());
                }
                return Ok(Some(stats));
            }
        }
        self.rebuild(opts, false)
    }

    /// Called by an ingest after each committed batch: once the new events waiting for a reconcile reach half
    /// of [`Store::set_incremental_limit`], reconciles them now, incrementally, when they are news of recent
    /// days (what the incremental reconcile would read again stays within the limit), so that a long ingest of
    /// recent news keeps the fast path in bounded memory instead of ending in one reconcile of every new event
    /// (which would be over the limit, so a full rebuild). A first load, or a batch that reaches far back, is
    /// left for the one reconcile at the end (the streamed rebuild).
    pub(crate) fn reconcile_recent_if_large(&mut self) -> Result<()> {
        let limit = self.incremental_limit;
        let pending: u64 = self
            .conn
            .query_row("SELECT count(*) FROM reconcile_pending", [], |r| r.get(0))?;
        if pending == 0 || pending < limit / 2 {
            return Ok(());
        }
        let opts = rasd_reconcile::Options::default();
        let recent = {
            let tx = self.write_tx()?;
            let dirty: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'dirty'", [], |r| r.get(0))
                .optional()?;
            if dirty.as_deref() == Some("pending") && !incremental::first_load(&*tx)? {
                let est = incremental::estimate(&*tx, &opts)?;
                est.range <= limit && est.new <= limit
            } else {
                false
            }
        };
        if recent {
            self.ensure_reconciled_with(&opts)?;
        }
        Ok(())
    }

    /// Sets how many stored events an incremental reconcile may read again (estimated from the dates of the
    /// new events, see `incremental::estimate`) before a batch of new events is reconciled by the streamed
    /// rebuild instead, which raises the same alerts, found by difference ([`INCREMENTAL_LIMIT`] by default;
    /// `0` always rebuilds, `u64::MAX` never does).
    pub fn set_incremental_limit(&mut self, events: u64) {
        self.incremental_limit = events;
    }

    /// Rebuilds the derived tables from every stored event, in one transaction that holds the write lock from
    /// the first read to the commit, so that no batch committed meanwhile is missed or marked as done.
    pub fn reconcile(&mut self, opts: &rasd_reconcile::Options) -> Result<ReconcileStats> {
        Ok(self.rebuild(opts, true)?.unwrap_or_default())
    }

    /// The rebuild; `None` when not `always` and the tables are up to date. Streamed (see `rebuild.rs`): the
    /// rows are written as they are found, in the one transaction.
    fn rebuild(&mut self, opts: &rasd_reconcile::Options, always: bool) -> Result<Option<ReconcileStats>> {
        let tx = self.write_tx()?;
        let dirty: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'dirty'", [], |r| r.get(0))
            .optional()?;
        if !always && !matches!(dirty.as_deref(), Some("1" | "pending")) {
            return Ok(None);
        }
        let done = rebuild::rebuild(&mut rebuild::Sqlite(&tx), opts)?;
        tx.execute_batch("INSERT OR REPLACE INTO meta(key, value) VALUES ('dirty', '0');")?;
        tx.commit()?;
        Ok(Some(done))
    }
}

/// A busy SQLite error as [`Error::Busy`], naming the lock's holder where that can be known; others unchanged.
fn busy_error(path: &Path, e: rusqlite::Error) -> Error {
    if !is_busy_code(&e) {
        return Error::Sqlite(e);
    }
    let detail = match &e {
        rusqlite::Error::SqliteFailure(f, Some(m)) => format!("{m}: {f}"),
        e => e.to_string(),
    };
    Error::Busy {
        path: path.to_path_buf(),
        holder: lock_holder(path),
        detail,
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if !self.read_only {
            forget_lock_holder(&self.path);
        }
    }
}

/// Refuses a path that is missing (unless `create`), a directory, or a file that is not an SQLite database.
fn check_file(path: &Path, create: bool) -> Result<()> {
    if path.is_dir() {
        return Err(Error::IsDirectory(path.to_path_buf()));
    }
    let exists = path.exists();
    if !exists && !create {
        return Err(Error::Missing(path.to_path_buf()));
    }
    if exists && std::fs::metadata(path)?.len() > 0 {
        let mut head = [0u8; 16];
        let mut f = std::fs::File::open(path)?;
        let n = std::io::Read::read(&mut f, &mut head)?;
        if n < 16 || &head != b"SQLite format 3\0" {
            return Err(Error::NotADatabase(path.to_path_buf()));
        }
    }
    Ok(())
}

/// A first load: no derived row yet, and at least half the stored events new (no alert to raise, and an
/// incremental reconcile would hold most of the database): rebuilt in full, streamed.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_and_non_sqlite_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "هذا ليس قاعدة بيانات").expect("write");
        assert!(matches!(Store::open(&text), Err(Error::NotADatabase(_))));
        let other = dir.path().join("other.db");
        {
            let c = Connection::open(&other).expect("sqlite");
            c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
                .expect("sql");
        }
        assert!(matches!(Store::open(&other), Err(Error::Foreign { .. })));
        let c = Connection::open(&other).expect("sqlite");
        let n: i64 = c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("row");
        assert_eq!(n, 1, "the foreign database is left untouched");
        assert!(matches!(
            Store::open_existing(&dir.path().join("absent.db")),
            Err(Error::Missing(_))
        ));
    }

    #[test]
    fn file_named_ids_that_repeat_are_kept_and_publisher_ids_are_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(&dir.path().join("rasd.db")).expect("create");
        let items = [
            read::read_bytes("2017/11/09/story.txt", "قتل 3 مدنيين في الميادين.".as_bytes(), None),
            read::read_bytes("2017/11/10/story.txt", "قتل 5 مدنيين في هجين.".as_bytes(), None),
            read::read_bytes("a.jsonl", r#"{"id":"x1","text":"نص أول"}"#.as_bytes(), None),
            read::read_bytes("b.jsonl", r#"{"id":"x1","text":"نص آخر"}"#.as_bytes(), None),
        ]
        .concat();
        let worker = || |_: &rasd_core::Doc| Vec::new();
        let stats = s.ingest(items.clone(), &worker, "t", &mut |_| {}).expect("ingest");
        assert_eq!((stats.stored, stats.failures), (3, 1));
        assert!(s.doc("story").expect("query").is_some());
        let failures = s.failures().expect("failures");
        assert_eq!(failures[0].origin, "b.jsonl:1");
        assert_eq!(failures[0].reason, "id \"x1\" is already stored with a different text");
        let again = s.ingest(items, &worker, "t", &mut |_| {}).expect("again");
        assert_eq!((again.stored, again.duplicates, again.failures), (0, 3, 1));
        assert_eq!(s.summary().expect("summary").docs, 3);
    }

    #[test]
    fn a_document_the_extractor_panics_on_is_a_failure_and_the_batch_goes_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(&dir.path().join("rasd.db")).expect("create");
        let items = read::read_bytes(
            "a.jsonl",
            concat!(
                r#"{"id":"ok1","text":"قتل 3 مدنيين في قصف على الميادين."}"#,
                "\n",
                r#"{"id":"bad","text":"نص يفشل عليه المستخرج."}"#,
                "\n",
                r#"{"id":"ok2","text":"قتل 5 مدنيين في قصف على هجين."}"#,
            )
            .as_bytes(),
            None,
        );
        let panicky = || {
            |d: &rasd_core::Doc| {
                assert!(d.id != "bad", "a bug on this document");
                Vec::new()
            }
        };
        let stats = s
            .ingest(items.clone(), &panicky, "t", &mut |_| {})
            .expect("the run goes on");
        assert_eq!((stats.read, stats.stored, stats.failures), (3, 2, 1));
        assert!(
            s.doc("bad").expect("query").is_none(),
            "the failed document is not stored"
        );
        let failures = s.failures().expect("failures");
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].origin, "a.jsonl:2");
        assert!(
            failures[0]
                .reason
                .contains("the extractor failed on this document: a bug on this document"),
            "{}",
            failures[0].reason
        );
        // Run again with a fixed extractor: the document is stored and its failure cleared.
        let fixed = || |_: &rasd_core::Doc| Vec::new();
        let again = s.ingest(items, &fixed, "t", &mut |_| {}).expect("again");
        assert_eq!((again.stored, again.duplicates, again.failures), (1, 2, 0));
        assert!(s.doc("bad").expect("query").is_some());
        assert!(s.failures().expect("failures").is_empty());
    }

    /// Writers that open a new database at the same moment create it once; all of them succeed (each round
    /// races a few threads, each with its own connection, as processes do).
    #[test]
    fn writers_opening_a_new_database_at_once_all_succeed() {
        let dir = tempfile::tempdir().expect("tempdir");
        for round in 0..12 {
            let p = dir.path().join(format!("new-{round}.db"));
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    let p = p.clone();
                    let start = start.clone();
                    std::thread::spawn(move || {
                        start.wait();
                        Store::open(&p).map(|s| s.schema_version().expect("version"))
                    })
                })
                .collect();
            for t in threads {
                let v = t.join().expect("thread");
                assert_eq!(v.expect("open succeeds"), SCHEMA_VERSION, "round {round}");
            }
        }
    }

    /// A read-only store writes nothing, not even when the derived tables are stale, reads one snapshot while
    /// a writer commits, and never blocks the writer.
    #[test]
    fn a_read_only_store_never_writes_and_keeps_its_snapshot() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("rasd.db");
        let mut w = Store::open(&p).expect("create");
        let worker = || |_: &rasd_core::Doc| Vec::new();
        let items = read::read_bytes("a.jsonl", r#"{"id":"x1","text":"نص أول"}"#.as_bytes(), None);
        w.ingest(items, &worker, "t", &mut |_| {}).expect("ingest");
        w.conn
            .execute("UPDATE meta SET value = '1' WHERE key = 'dirty'", [])
            .expect("dirty");
        let r = Store::open_read_only(&p).expect("open read-only");
        assert!(r.is_read_only());
        assert!(r.is_dirty().expect("dirty"), "stale tables are reported, not rebuilt");
        assert_eq!(r.summary().expect("summary").docs, 1);
        assert!(w.is_dirty().expect("dirty"), "no reader rebuilt anything");
        // The writer goes on while the reader is open, and is not blocked by it.
        let items = read::read_bytes("b.jsonl", r#"{"id":"x2","text":"نص ثان"}"#.as_bytes(), None);
        w.ingest(items, &worker, "t", &mut |_| {})
            .expect("a writer is never blocked by a reader");
        assert_eq!(r.summary().expect("summary").docs, 1, "the reader keeps its snapshot");
        assert_eq!(
            Store::open_read_only(&p)
                .expect("reopen")
                .summary()
                .expect("summary")
                .docs,
            2
        );
        assert!(r.is_dirty().expect("dirty"), "the reader's snapshot");
        assert!(
            !w.is_dirty().expect("dirty"),
            "the writer rebuilt the tables when it finished"
        );
        drop(r);
        // An empty file (a database a writer is just creating) is no database yet, and stays empty.
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").expect("touch");
        assert!(matches!(Store::open_read_only(&empty), Err(Error::Missing(_))));
        assert_eq!(std::fs::metadata(&empty).expect("meta").len(), 0);
    }

    #[test]
    fn a_corrupt_database_gets_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("rasd.db");
        {
            let s = Store::open(&p).expect("create");
            drop(s);
        }
        let mut bytes = std::fs::read(&p).expect("read");
        for b in bytes.iter_mut().skip(100).take(3000) {
            *b = 0xA5;
        }
        std::fs::write(&p, &bytes).expect("write");
        let _ = std::fs::remove_file(dir.path().join("rasd.db-wal"));
        let err = Store::open(&p).err().expect("corrupt database refused");
        let msg = err.to_string();
        assert!(msg.contains("rasd.db"), "{msg}");
    }
}
