//! The connection pool of `rasd serve` ([`rasd_pg::pool`]) against a real PostgreSQL server (`RASD_DB`; skipped
//! with a notice when unset): a connection is reused, at most `size` are open and a user beyond that gets `Busy`
//! after its wait, one the server closed while it was idle is replaced without running the caller twice, and a
//! pool of size 0 keeps nothing.

use rasd_pg::pool::Pool;
use rasd_pg::testkit::{Scratch, server};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// The server process of the connection a read of `pool` runs on, and how many times the read ran.
fn backend(pool: &Pool) -> (i64, u32) {
    let mut runs = 0;
    let pid = pool
        .read(WAIT, |db| {
            runs += 1;
            let mut pid = None;
            db.each_row("SELECT pg_backend_pid()", &[], &mut |r| {
                pid = r.int(0)?;
                Ok(false)
            })?;
            Ok::<_, rasd_pg::Error>(pid.expect("a pid"))
        })
        .expect("read");
    (pid, runs)
}

/// Ends the server process `pid` and waits until it is gone (so that its client sees a closed connection).
fn terminate(admin: &mut rasd_pg::postgres::Client, pid: i64) {
    let pid = i32::try_from(pid).expect("a pid");
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .expect("terminate");
    while admin
        .query_opt("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid])
        .expect("pg_stat_activity")
        .is_some()
    {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_pool_reuses_bounds_and_replaces_its_connections() {
    let Some(server) = server("the_pool_reuses_bounds_and_replaces_its_connections") else {
        return;
    };
    let db = Scratch::new(&server, "pool");
    let mut admin = rasd_pg::connect(&db.url).expect("connect");
    rasd_pg::migrate(&mut admin).expect("migrate");

    let pool = Pool::new(db.url.clone(), 2);
    let (first, _) = backend(&pool);
    assert_eq!(backend(&pool), (first, 1), "the same connection, reused");
    assert_eq!(pool.open(), 1);

    // Two taken: a third user waits, and is told the pool stayed busy; one back, and it is handed out.
    let a = pool.get(WAIT).expect("first");
    let b = pool.get(WAIT).expect("second");
    assert_eq!(pool.open(), 2);
    let busy = pool.get(Duration::from_millis(50)).err().expect("busy");
    assert!(matches!(busy, rasd_pg::Error::Busy { size: 2, .. }), "{busy}");
    assert!(busy.to_string().contains("PostgreSQL"), "{busy}");
    drop(b);
    let c = pool.get(Duration::from_millis(50)).expect("the one given back");
    drop((a, c));
    assert_eq!(pool.open(), 2);

    // Closed by the server while idle: a read drops it and runs once, on a new connection; so does a write's
    // connection (asked a question first).
    let (now, _) = backend(&pool);
    let idle: Vec<i64> = admin
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .expect("backends")
        .iter()
        .map(|r| i64::from(r.get::<_, i32>(0)))
        .collect();
    assert!(idle.contains(&now), "{idle:?}");
    for pid in &idle {
        terminate(&mut admin, *pid);
    }
    let (after, runs) = backend(&pool);
    assert!(!idle.contains(&after), "a new connection: {after} is one of {idle:?}");
    assert_eq!(runs, 1);
    terminate(&mut admin, after);
    let mut w = pool.get_valid(WAIT).expect("a connection that answers");
    let pid: i32 = w.query_one("SELECT pg_backend_pid()", &[]).expect("pid").get(0);
    assert_ne!(i64::from(pid), after);
    drop(w);
    assert!(pool.open() <= 2);

    // Size 0: a connection per user, none kept.
    let none = Pool::new(db.url.clone(), 0);
    let (x, _) = backend(&none);
    let (y, _) = backend(&none);
    assert_ne!(x, y);
    assert_eq!(none.open(), 0);
}
