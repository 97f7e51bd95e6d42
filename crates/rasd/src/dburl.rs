//! Where a database is: `sqlite:PATH`, `postgres://…` (or `postgresql://…`), or a bare path meaning SQLite;
//! and the rule that keeps commands honest about backends.
//!
//! Three kinds of commands (issue 14):
//! - `rasd migrate` and the scale-out commands `rasd worker`, `rasd reconcile --worker` and `rasd queue push
//!   --from-db` read `--db postgres://…` and `RASD_DB` themselves ([`takes_postgres`]);
//! - the read commands `rasd events`, `incidents`, `contradictions`, `timeline`, `sources`, `show`, `alerts` and
//!   `export`, the writing commands `rasd ingest`, `rasd reconcile`, `rasd watch` and `rasd reprocess`, `rasd
//!   status`, `rasd demo` and `rasd serve` ([`takes_either`]) take either engine: `--db sqlite:PATH` becomes `--db PATH`,
//!   `--db postgres://…` is passed on as it is, and without `--db`, `RASD_DB` is used when set (else `rasd.db`).
//!   On PostgreSQL a read command reads through `rasd_pg::read`, with the same query code as SQLite; `rasd
//!   ingest` writes through `rasd_pg::work::ingest` (the batches and decisions of SQLite) and reconciles as `rasd
//!   reconcile --worker` does; `rasd watch` ingests so and keeps its state in the same tables; `rasd reprocess`
//!   does the run of `rasd queue push --reprocess` in process (`rasd_pg::reprocess`); `rasd serve` reads each
//!   request in a transaction of its own on a pooled connection, and its write endpoints store uploads and
//!   corrections there as they do in SQLite; `rasd demo` ingests as `rasd ingest` does and reads its report so;
//! - every other command (`bench ingest`) takes an SQLite file: given a PostgreSQL URL with `--db`, it
//!   stops with a clear message rather than quietly using an SQLite file; `sqlite:PATH` is accepted. When
//!   `RASD_DB` is set and such a command runs without `--db`, a note on stderr says which file it uses instead.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable naming the default database (`scripts/cluster-local.sh up` prints it).
pub const ENV: &str = "RASD_DB";

/// A database location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    /// The URL as given.
    Postgres(String),
}

impl std::fmt::Display for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbUrl::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            DbUrl::Postgres(u) => f.write_str(&rasd_pg::redact(u)),
        }
    }
}

/// Parses `s`: `sqlite:PATH` (also `sqlite://PATH`), `postgres://…`, `postgresql://…`, or a bare path
/// (SQLite). Any other `scheme://` is an error, as is an empty path.
pub fn parse(s: &str) -> Result<DbUrl, String> {
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return Ok(DbUrl::Postgres(s.to_string()));
    }
    if let Some(path) = s.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(format!(
                "{s}: no file after sqlite: (write sqlite:PATH, e.g. sqlite:rasd.db)"
            ));
        }
        return Ok(DbUrl::Sqlite(PathBuf::from(path)));
    }
    if let Some(i) = s.find("://") {
        let scheme = &s[..i];
        if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return Err(format!(
                "{}: unknown kind of database `{scheme}:` (rasd takes sqlite:PATH, a bare path, or postgres://…)",
                rasd_pg::redact(s)
            ));
        }
    }
    if s.is_empty() {
        return Err("an empty database path".into());
    }
    Ok(DbUrl::Sqlite(PathBuf::from(s)))
}

/// `RASD_DB`, parsed, when set and not empty.
pub fn from_env() -> Option<Result<DbUrl, String>> {
    let v = std::env::var(ENV).ok().filter(|v| !v.trim().is_empty())?;
    Some(parse(v.trim()).map_err(|e| format!("{ENV}: {e}")))
}

/// The commands that take PostgreSQL ([`takes_postgres`], [`takes_either`]), for messages.
const EITHER: &str = "`rasd migrate`, `rasd queue`, `rasd worker`, `rasd reconcile`, `rasd ingest`, `rasd watch`, \
                      `rasd reprocess`, `rasd status`, `rasd demo`, the read commands `events`, `incidents`, `contradictions`, `timeline`, \
                      `sources`, `show`, `alerts` and `export`, and `rasd serve`";

fn not_on_postgres(command: &str, url: &str) -> String {
    format!(
        "rasd {command}: --db {} is PostgreSQL, and `rasd {command}` is not available on PostgreSQL yet (only \
         {EITHER} are, issue 14); pass an SQLite file (--db PATH or --db sqlite:PATH)",
        rasd_pg::redact(url)
    )
}

/// The commands that take `--db postgres://…` (passed on as it is) and `RASD_DB` as well as SQLite: the read
/// commands, `ingest`, `reconcile` (without `--worker`, which is one of [`takes_postgres`]), `watch`, `reprocess`,
/// `status` and `serve`.
pub fn takes_either(path: &[String]) -> bool {
    matches!(
        path.first().map(String::as_str),
        Some(
            "events"
                | "incidents"
                | "contradictions"
                | "timeline"
                | "sources"
                | "show"
                | "alerts"
                | "export"
                | "serve"
                | "ingest"
                | "reconcile"
                | "watch"
                | "reprocess"
                | "status"
                | "demo"
        )
    ) && path.len() == 1
}

/// Applies the rules above to the command line of a command other than `migrate`, before clap reads it:
/// `--db sqlite:PATH` becomes `--db PATH`, and `--db postgres://…` is refused, or passed on as it is for a command
/// of [`takes_either`], which also gets `--db RASD_DB` when it has no `--db`. `path` is the chain of
/// subcommand names, `at` the index of the first argument after them, `has_db` whether the innermost one takes
/// `--db`. Returns the arguments, and a note for stderr when `env` (`RASD_DB`) is set but not used.
pub fn rewrite_args(
    args: Vec<OsString>,
    path: &[String],
    at: usize,
    has_db: bool,
    env: Option<Result<DbUrl, String>>,
) -> Result<(Vec<OsString>, Option<String>), String> {
    let command = path.join(" ");
    if args.iter().skip(at).any(|a| a == "--help" || a == "-h") {
        return Ok((args, None));
    }
    let reads = has_db && takes_either(path);
    let mut out: Vec<OsString> = Vec::with_capacity(args.len() + 2);
    let mut seen_db = false;
    let mut it = args.into_iter().enumerate();
    let mut rest_positional = false;
    while let Some((i, a)) = it.next() {
        if i < at || rest_positional {
            out.push(a);
            continue;
        }
        let text = a.to_string_lossy().into_owned();
        if text == "--" {
            rest_positional = true;
            out.push(a);
            continue;
        }
        let value = if text == "--db" {
            out.push(a);
            match it.next() {
                Some((_, v)) => v,
                None => continue,
            }
        } else if let Some(v) = text.strip_prefix("--db=") {
            out.push(OsString::from("--db"));
            OsString::from(v)
        } else {
            out.push(a);
            continue;
        };
        seen_db = true;
        let v = value.to_string_lossy().into_owned();
        match parse(&v)? {
            DbUrl::Postgres(url) if reads => out.push(OsString::from(url)),
            DbUrl::Postgres(url) => return Err(not_on_postgres(&command, &url)),
            DbUrl::Sqlite(p) => out.push(p.into_os_string()),
        }
    }
    if reads && !seen_db {
        match env {
            Some(Ok(url)) => {
                let value = match url {
                    DbUrl::Postgres(u) => OsString::from(u),
                    DbUrl::Sqlite(p) => p.into_os_string(),
                };
                let at = at.min(out.len());
                out.splice(at..at, [OsString::from("--db"), value]);
            }
            Some(Err(e)) => return Err(format!("rasd {command}: {e}")),
            None => {}
        }
        return Ok((out, None));
    }
    let note = match env {
        Some(Ok(url)) if has_db && !seen_db => Some(format!(
            "rasd: note: {ENV}={url} is read by {EITHER} only so far; `rasd {command}` uses its --db (default \
             rasd.db)"
        )),
        _ => None,
    };
    Ok((out, note))
}

/// The command line of this process, with the rules of [`rewrite_args`] applied (except to the commands of
/// [`takes_postgres`], which read their own arguments and `RASD_DB`).
pub fn prepare_args(cmd: &clap::Command) -> Result<Vec<OsString>, String> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (path, at, has_db) = subcommand_of(cmd, &args);
    if takes_postgres(&path, &args[at.min(args.len())..]) {
        return Ok(args);
    }
    let (args, note) = rewrite_args(args, &path, at, has_db, from_env())?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    Ok(args)
}

/// The commands that read `--db postgres://…` and `RASD_DB` themselves: `migrate`, `worker`, `queue …`
/// (`--from-db`) and `reconcile --worker`.
pub fn takes_postgres(path: &[String], rest: &[OsString]) -> bool {
    match path.first().map(String::as_str) {
        Some("migrate" | "worker" | "queue") => true,
        Some("reconcile") => rest.iter().any(|a| a == "--worker"),
        _ => false,
    }
}

/// The subcommand chain named by `args` (`["bench", "ingest"]`), the index of the first argument after it, and
/// whether that subcommand has a `--db` flag.
pub fn subcommand_of(cmd: &clap::Command, args: &[OsString]) -> (Vec<String>, usize, bool) {
    let mut path = Vec::new();
    let mut cur = cmd;
    let mut i = 1;
    while let Some(a) = args.get(i).and_then(|a| a.to_str()) {
        match cur.find_subcommand(a) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                cur = sub;
                i += 1;
            }
            None => break,
        }
    }
    let has_db = cur.get_arguments().any(|a| a.get_long() == Some("db"));
    (path, i, has_db)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn urls_and_bare_paths() {
        assert_eq!(parse("sqlite:a.db"), Ok(DbUrl::Sqlite("a.db".into())));
        assert_eq!(parse("sqlite:///tmp/a.db"), Ok(DbUrl::Sqlite("/tmp/a.db".into())));
        assert_eq!(parse("dir/a.db"), Ok(DbUrl::Sqlite("dir/a.db".into())));
        assert_eq!(
            parse("postgres://u:p@h:5432/d"),
            Ok(DbUrl::Postgres("postgres://u:p@h:5432/d".into()))
        );
        assert!(matches!(parse("postgresql://h/d"), Ok(DbUrl::Postgres(_))));
        let e = parse("mysql://u:secret@h/d").expect_err("unknown scheme");
        assert!(
            e.contains("unknown kind of database `mysql:`") && !e.contains("secret"),
            "{e}"
        );
        assert!(parse("sqlite:").is_err());
        assert_eq!(
            DbUrl::Postgres("postgres://u:p@h/d".into()).to_string(),
            "postgres://u:***@h/d"
        );
    }

    #[test]
    fn the_scale_out_commands_read_postgres_themselves() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(takes_postgres(&p(&["migrate"]), &[]));
        assert!(takes_postgres(&p(&["worker"]), &[]));
        assert!(takes_postgres(
            &p(&["queue", "push"]),
            &args(&["--from-db", "postgres://h/d"])
        ));
        assert!(takes_postgres(&p(&["reconcile"]), &args(&["--once", "--worker"])));
        assert!(!takes_postgres(&p(&["reconcile"]), &args(&["--full"])));
        assert!(!takes_postgres(&p(&["events"]), &args(&["--worker"])));
    }

    #[test]
    fn sqlite_only_commands_refuse_postgres() {
        let path = vec!["bench".to_string(), "ingest".to_string()];
        for url in ["--db=postgresql://h/d", "postgres://u:pw@h/d"] {
            let argv: Vec<&str> = if url.starts_with("--db=") {
                vec!["rasd", "bench", "ingest", url]
            } else {
                vec!["rasd", "bench", "ingest", "--db", url]
            };
            let e = rewrite_args(args(&argv), &path, 3, true, None).expect_err("refused");
            assert!(
                e.contains("`rasd bench ingest` is not available on PostgreSQL yet"),
                "{e}"
            );
            assert!(
                e.contains("`rasd ingest`") && e.contains("`rasd reprocess`") && e.contains("`rasd demo`"),
                "{e}"
            );
            assert!(!e.contains("pw@"), "{e}");
        }
    }

    #[test]
    fn the_writing_commands_and_status_take_postgres_and_rasd_db() {
        for command in ["ingest", "reconcile", "status", "watch", "reprocess"] {
            let path = vec![command.to_string()];
            let (out, note) = rewrite_args(
                args(&["rasd", command, "--db=postgres://u:pw@h/d", "--quiet"]),
                &path,
                2,
                true,
                None,
            )
            .expect("taken");
            assert_eq!(out, args(&["rasd", command, "--db", "postgres://u:pw@h/d", "--quiet"]));
            assert_eq!(note, None);
            let (out, note) = rewrite_args(
                args(&["rasd", command, "x.txt"]),
                &path,
                2,
                true,
                Some(parse("postgres://u:pw@h/d")),
            )
            .expect("taken");
            assert_eq!(out, args(&["rasd", command, "--db", "postgres://u:pw@h/d", "x.txt"]));
            assert_eq!(note, None);
        }
        // `reconcile --worker` reads --db itself; `reconcile` alone goes through the rule above.
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(!takes_postgres(&p(&["ingest"]), &[]) && !takes_postgres(&p(&["reconcile"]), &[]));
    }

    #[test]
    fn read_commands_take_postgres_and_rasd_db() {
        let path = vec!["events".to_string()];
        let (out, note) = rewrite_args(
            args(&["rasd", "events", "--db=postgres://u:pw@h/d", "--limit", "3"]),
            &path,
            2,
            true,
            None,
        )
        .expect("taken");
        assert_eq!(
            out,
            args(&["rasd", "events", "--db", "postgres://u:pw@h/d", "--limit", "3"])
        );
        assert_eq!(note, None);
        // Without --db, RASD_DB (PostgreSQL or SQLite) is the database, given before the command's arguments.
        let (out, note) = rewrite_args(
            args(&["rasd", "show", "doc-1", "--", "--db"]),
            &["show".into()],
            2,
            true,
            Some(parse("postgres://u:pw@h/d")),
        )
        .expect("taken");
        assert_eq!(
            out,
            args(&["rasd", "show", "--db", "postgres://u:pw@h/d", "doc-1", "--", "--db"])
        );
        assert_eq!(note, None);
        let (out, _) = rewrite_args(
            args(&["rasd", "export", "--format", "jsonl"]),
            &["export".into()],
            2,
            true,
            Some(parse("sqlite:a.db")),
        )
        .expect("taken");
        assert_eq!(out, args(&["rasd", "export", "--db", "a.db", "--format", "jsonl"]));
        // --db wins over RASD_DB.
        let (out, _) = rewrite_args(
            args(&["rasd", "events", "--db", "sqlite:b.db"]),
            &path,
            2,
            true,
            Some(parse("postgres://h/d")),
        )
        .expect("taken");
        assert_eq!(out, args(&["rasd", "events", "--db", "b.db"]));
        let e = rewrite_args(args(&["rasd", "events"]), &path, 2, true, Some(parse("mysql://h/d")))
            .expect_err("a bad RASD_DB");
        assert!(e.contains("unknown kind of database"), "{e}");
        assert!(takes_either(&path) && takes_either(&["serve".into()]) && takes_either(&["demo".into()]));
        assert!(!takes_either(&["bench".into(), "ingest".into()]));
    }

    #[test]
    fn sqlite_urls_become_paths_and_rasd_db_is_only_noted() {
        let path = vec!["bench".to_string(), "ingest".to_string()];
        let (out, note) = rewrite_args(
            args(&["rasd", "bench", "ingest", "--db", "sqlite:a.db", "--quiet"]),
            &path,
            3,
            true,
            Some(parse("postgres://u:pw@h/d")),
        )
        .expect("ok");
        assert_eq!(out, args(&["rasd", "bench", "ingest", "--db", "a.db", "--quiet"]));
        assert_eq!(note, None, "--db given: RASD_DB is not in question");
        let (out, note) = rewrite_args(
            args(&["rasd", "bench", "ingest", "--quiet"]),
            &path,
            3,
            true,
            Some(parse("postgres://u:pw@h/d")),
        )
        .expect("ok");
        assert_eq!(
            out,
            args(&["rasd", "bench", "ingest", "--quiet"]),
            "RASD_DB is not wired in"
        );
        let note = note.expect("a note");
        assert!(
            note.contains("RASD_DB=postgres://u:***@h/d") && note.contains("rasd.db"),
            "{note}"
        );
        // A command without --db is left alone; so is anything after `--`.
        let (out, note) = rewrite_args(
            args(&["rasd", "tokens", "-"]),
            &["tokens".into()],
            2,
            false,
            Some(parse("postgres://h/d")),
        )
        .expect("ok");
        assert_eq!((out, note), (args(&["rasd", "tokens", "-"]), None));
        let (out, _) = rewrite_args(
            args(&["rasd", "ingest", "--", "--db=postgres://h/d"]),
            &["ingest".into()],
            2,
            true,
            None,
        )
        .expect("ok");
        assert_eq!(out, args(&["rasd", "ingest", "--", "--db=postgres://h/d"]));
    }
}
