//! For tests against a real PostgreSQL server (the one `RASD_DB` names; `eval "$(scripts/cluster-local.sh up)"`
//! starts one on 127.0.0.1): the server, and a scratch database of a test's own. Shared by this crate's tests
//! and the `rasd` binary's.

/// `RASD_DB`, when it names a PostgreSQL server; else a message saying that `test` is skipped.
pub fn server(test: &str) -> Option<String> {
    match std::env::var("RASD_DB") {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Some(url),
        _ => {
            eprintln!(
                "SKIPPED {test}: RASD_DB is not set to a postgres:// URL (run `eval \"$(scripts/cluster-local.sh up)\"` \
                 to test against a real PostgreSQL)"
            );
            None
        }
    }
}

/// `url` with its database replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let rest = url.split_once("://").expect("url").1;
    let base_len = url.len() - rest.len();
    let authority = rest.split(['/', '?']).next().expect("authority");
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{}{authority}/{db}{query}", &url[..base_len])
}

/// A fresh database `rasd_<name>_<pid>` on the server; dropped when the guard goes.
pub struct Scratch {
    admin: String,
    name: String,
    /// The scratch database's URL.
    pub url: String,
}

impl Scratch {
    /// Creates the database (dropping a leftover of the same name first).
    pub fn new(server: &str, name: &str) -> Scratch {
        let name = format!("rasd_{name}_{}", std::process::id());
        let mut c = crate::connect(server).expect("connect to RASD_DB");
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        Scratch {
            admin: server.to_string(),
            url: with_database(server, &name),
            name,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut c) = crate::connect(&self.admin) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// Alerts without the time they were raised, in the order they were stored: what two databases that raised the
/// same alerts at other times both give.
pub fn alerts_without_times(list: Vec<(i64, rasd_store::alerts::Alert)>) -> Vec<String> {
    list.into_iter()
        .map(|(_, mut a)| {
            a.at.clear();
            format!("{a:?}")
        })
        .collect()
}
