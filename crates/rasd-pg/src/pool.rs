//! A small pool of connections, for `rasd serve` on PostgreSQL: a request takes a connection that an earlier one
//! left open instead of connecting (a TCP connection, the start-up handshake, the password and the schema check
//! cost more than most queries). At most [`Pool::size`] connections are open; a request that finds them all busy
//! waits for one, up to the time it is given. A pool of size 0 keeps nothing: each user connects, and the
//! connection is closed after use (behind a connection pooler such as PgBouncer; and to compare).
//!
//! A connection is checked when it is made ([`crate::read::check_schema`]) and returned to the pool after use
//! unless it is closed or was found broken. One that broke while it sat idle (PostgreSQL restarted, the network
//! failed) is noticed when it is taken again: [`Pool::read`] drops it when its transaction cannot begin and takes
//! another (or connects), and [`Pool::get_valid`] asks it a question first. Each read is still one read-only
//! `REPEATABLE READ` transaction ([`crate::read::snapshot`]), so pooling changes nothing of what a request sees.

use crate::read::{check_schema, is_unavailable, read_in, snapshot};
use crate::{Error, Result, redact};
use postgres::Client;
use rasd_store::ReadDb;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Connections to one database, at most `size` open at once (0: none kept, no limit). Cloning shares the pool.
#[derive(Clone)]
pub struct Pool(Arc<Inner>);

struct Inner {
    url: String,
    size: usize,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    idle: Vec<Client>,
    /// Connections open: idle, or taken by a [`Pooled`].
    open: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pool({}, {})", redact(&self.0.url), self.0.size)
    }
}

/// Two pools are the same when they connect to the same URL with the same size.
impl PartialEq for Pool {
    fn eq(&self, other: &Pool) -> bool {
        self.0.url == other.0.url && self.0.size == other.0.size
    }
}

impl Eq for Pool {}

/// A connection taken from a [`Pool`]; it goes back when dropped, unless it is closed or [`Pooled::discard`]ed.
pub struct Pooled {
    client: Option<Client>,
    pool: Arc<Inner>,
    /// True when an earlier user left it open (it may have broken since).
    reused: bool,
}

impl Pooled {
    /// Closes the connection instead of returning it to the pool.
    pub fn discard(mut self) {
        self.client = None;
    }
}

impl std::ops::Deref for Pooled {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a pooled connection is taken only when dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a pooled connection is taken only when dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let mut state = self.pool.lock();
        match self.client.take() {
            Some(c) if !c.is_closed() && self.pool.size > 0 => state.idle.push(c),
            _ => state.open -= 1,
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}

/// Closing a connection blocks on the client's own runtime, which panics on a thread that drives asynchronous
/// tasks (the server's last reference to the pool goes at shutdown, on such a thread): the idle connections are
/// closed on a thread of their own.
impl Drop for Inner {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock().idle);
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A thread that panicked holding the lock left the counts consistent: each change is one statement.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Pool {
    /// A pool of at most `size` connections to `url` (0: a connection per user, closed after use); nothing is
    /// connected until asked.
    pub fn new(url: impl Into<String>, size: usize) -> Pool {
        Pool(Arc::new(Inner {
            url: url.into(),
            size,
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }))
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.0.url
    }

    /// The most connections open at once.
    pub fn size(&self) -> usize {
        self.0.size
    }

    /// Connections open now (idle or in use).
    pub fn open(&self) -> usize {
        self.0.lock().open
    }

    /// An idle connection, or a new one (connected, its schema checked) while fewer than `size` are open; else
    /// waits up to `wait` for one to come back.
    pub fn get(&self, wait: Duration) -> Result<Pooled> {
        let until = Instant::now() + wait;
        let mut state = self.0.lock();
        loop {
            if let Some(c) = state.idle.pop() {
                return Ok(self.pooled(c, true));
            }
            if state.open < self.0.size || self.0.size == 0 {
                state.open += 1;
                drop(state);
                let made = crate::connect(&self.0.url).and_then(|mut c| {
                    check_schema(&mut c, &self.0.url)?;
                    Ok(c)
                });
                return match made {
                    Ok(c) => Ok(self.pooled(c, false)),
                    Err(e) => {
                        self.0.lock().open -= 1;
                        self.0.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Busy {
                    size: self.0.size,
                    waited: wait,
                });
            }
            state = self
                .0
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn pooled(&self, client: Client, reused: bool) -> Pooled {
        Pooled {
            client: Some(client),
            pool: self.0.clone(),
            reused,
        }
    }

    /// A connection that answers (for writes): a reused one is asked a question first, and replaced when it
    /// does not answer in 5 s.
    pub fn get_valid(&self, wait: Duration) -> Result<Pooled> {
        loop {
            let mut c = self.get(wait)?;
            if !c.reused || c.is_valid(Duration::from_secs(5)).is_ok() {
                return Ok(c);
            }
            c.discard();
        }
    }

    /// Calls `f` in one read-only `REPEATABLE READ` transaction on a pooled connection ([`crate::read::read`]
    /// without connecting). A reused connection whose transaction cannot begin because it broke is dropped and
    /// another one taken: `f` runs once.
    pub fn read<T, E: From<Error>>(
        &self,
        wait: Duration,
        f: impl FnOnce(&dyn ReadDb) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        loop {
            let mut c = self.get(wait)?;
            let reused = c.reused;
            match snapshot(&mut c) {
                Ok(mut tx) => return read_in(&mut tx, f),
                Err(Error::Postgres(e)) if reused && is_unavailable(&e) => {}
                Err(e) => return Err(e.into()),
            }
            c.discard();
        }
    }
}
