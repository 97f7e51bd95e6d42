//! `rasd events`: stored events, filtered by place, area, admin1, actor, type, dates and source. Also home of
//! the flags and helpers that the other store queries share.

use anyhow::Result;
use chrono::NaiveDate;
use rasd_store::{Filter, ReadDb, Store, StoredEvent, short_text, tsv_cell};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The project database flag shared by every store command.
#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// The project database.
    #[arg(long, default_value = "rasd.db", value_name = "PATH")]
    pub db: PathBuf,
}

impl DbArgs {
    /// Opens an existing database for a query: read-only, it never creates, writes or locks the database, and
    /// reads the last committed state even while an ingest runs. When the derived tables (incidents, timelines,
    /// contradictions) are older than the stored events, it says so on stderr and answers with them as they are.
    pub fn open(&self) -> Result<Store> {
        configure_lock();
        let store = Store::open_read_only(&self.db)?;
        self.warn_if_dirty(&*store)?;
        Ok(store)
    }

    /// The PostgreSQL URL `--db` names (the read commands take one: see `dburl.rs`), if it names one.
    pub fn postgres_url(&self) -> Option<&str> {
        self.db
            .to_str()
            .filter(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
    }

    /// The database for messages: the file, or the URL with its password redacted.
    pub fn name(&self) -> String {
        match self.postgres_url() {
            Some(url) => rasd_pg::redact(url),
            None => self.db.display().to_string(),
        }
    }

    /// Runs a query command on the database, SQLite ([`DbArgs::open`]) or PostgreSQL (one read-only transaction,
    /// `rasd_pg::read`), with the same query code; the warning of [`DbArgs::open`] holds for both.
    pub fn read<T>(&self, f: impl FnOnce(&dyn ReadDb) -> Result<T>) -> Result<T> {
        match self.postgres_url() {
            Some(url) => rasd_pg::read::read(url, |db| {
                self.warn_if_dirty(db)?;
                f(db)
            }),
            None => f(&*self.open()?),
        }
    }

    fn warn_if_dirty(&self, db: &dyn ReadDb) -> Result<()> {
        if db.is_dirty()? {
            eprintln!(
                "rasd: warning: {}: incidents, timelines and contradictions do not cover the latest stored events \
                 (an ingest is running, or was interrupted); run `rasd reconcile` to rebuild them",
                self.name()
            );
        }
        Ok(())
    }

    /// Opens the database for writing (ingest, reprocess, reconcile, demo), creating it when `create`. Another
    /// writer is waited for (30 s, or `RASD_LOCK_TIMEOUT` seconds), with a message when the wait lasts.
    pub fn open_writer(&self, create: bool) -> Result<Store> {
        configure_lock();
        let store = if create {
            Store::open(&self.db)?
        } else {
            Store::open_existing(&self.db)?
        };
        Ok(store)
    }
}

/// Applies `RASD_LOCK_TIMEOUT` (seconds a writer waits for another rasd process's write lock; default 30).
fn configure_lock() {
    if let Some(secs) = std::env::var("RASD_LOCK_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
    {
        rasd_store::set_lock_timeout(std::time::Duration::from_secs_f64(secs.min(86_400.0)));
    }
}

/// The filters shared by `events`, `incidents`, `contradictions` and `export`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// A place: gazetteer id, or any English or Arabic name or alias the gazetteer knows ("Albukamal", "Abu
    /// Kamal", "البوكمال", "مركدة").
    #[arg(long, value_name = "X")]
    pub place: Option<String>,
    /// Within KM kilometres of a point.
    #[arg(long, value_name = "LAT,LON,KM", value_parser = parse_near)]
    pub near: Option<(f64, f64, f64)>,
    /// A first-level administrative area: its name or the start of one, English or Arabic ("Deir ez-Zor",
    /// "دير الزور"), or its code ("SY.07"; "SY" for all of a country's).
    #[arg(long, value_name = "X")]
    pub admin1: Option<String>,
    /// An actor id ("isis", "syria-gov").
    #[arg(long, value_name = "X")]
    pub actor: Option<String>,
    /// An ACLED event type or sub-event type ("Battles", "Air/drone strike").
    #[arg(long = "type", value_name = "X")]
    pub kind: Option<String>,
    /// From this date on (YYYY-MM-DD).
    #[arg(long, value_name = "D", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Up to this date (YYYY-MM-DD).
    #[arg(long, value_name = "D", value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// A source lane ("sana", "local-sources@alaraby") or publishing outlet.
    #[arg(long, value_name = "X")]
    pub source: Option<String>,
}

impl FilterArgs {
    pub fn filter(&self) -> Result<Filter> {
        let f = Filter {
            place: self.place.clone(),
            near: self.near,
            admin1: self.admin1.clone(),
            actor: self.actor.clone(),
            kind: self.kind.clone(),
            since: self.since,
            until: self.until,
            source: self.source.clone(),
            contradiction: None,
        };
        Store::check_filter(&f)?;
        if let Some(a) = &f.admin1
            && rasd_store::admin1_divisions(a).is_empty()
        {
            eprintln!(
                "rasd: --admin1 {:?} names no first-level division of the gazetteer; matching stored values that \
                 start with it",
                short_text(a, 60)
            );
        }
        Ok(f)
    }
}

fn parse_near(s: &str) -> Result<(f64, f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let nums: Vec<f64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    match nums.as_slice() {
        [lat, lon, km] if parts.len() == 3 => Ok((*lat, *lon, *km)),
        _ => Err(format!("{s:?} is not LAT,LON,KM (e.g. 34.45,40.92,10)")),
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date YYYY-MM-DD"))
}

/// Exit code for a query: 1 when nothing matched ("nothing found where something was asked for").
pub fn found(n: usize) -> ExitCode {
    if n == 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// A locked, buffered standard output.
pub fn stdout() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// Says so on standard error when a query names a place the database has never seen: the caller then exits
/// with 1 (nothing found) rather than printing an empty answer that looks like "no events there".
pub fn place_known(store: &dyn ReadDb, place: Option<&str>) -> Result<bool> {
    if let Some(p) = place
        && store.find_places(p)?.is_empty()
    {
        let known: Vec<String> = Store::gazetteer_places(p)
            .iter()
            .take(3)
            .map(|g| format!("{} {} ({})", g.name, g.name_ar, g.place_id))
            .collect();
        if known.is_empty() {
            eprintln!(
                "rasd: no stored event is at a place matching {:?} (the gazetteer does not know the name either)",
                short_text(p, 60)
            );
        } else {
            eprintln!(
                "rasd: no stored event is at {:?}: the gazetteer knows it as {}, but this database has no events there",
                short_text(p, 60),
                known.join("; ")
            );
        }
        return Ok(false);
    }
    Ok(true)
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Text output: one line per event:\n  \
date<TAB>sub-event type<TAB>place<TAB>actor1 → actor2<TAB>fatalities<TAB>source (stance)<TAB>doc id<TAB>evidence\n\
(a tab, line break or other control character inside a value is written as \\t, \\n, \\r or \\u{…}).\n\
JSON output (--json): one event record per line, with its source lane, outlet and incident id; \
location.admin1 is the division's name (\"Deir ez-Zor Governorate\"), location.admin1_code its code (\"SY.07\").\n\
Exit status 1 when no event matches.")]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print at most N events.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Skip the first N matching events (with --limit: pages through the events in date order).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
}

pub fn run(args: Args) -> Result<ExitCode> {
    args.db.read(|store| {
        if !place_known(store, args.filter.place.as_deref())? {
            return Ok(ExitCode::from(1));
        }
        // Streamed from the database cursor: memory does not grow with the number of events.
        let mut out = stdout();
        let n = store.for_each_event(&args.filter.filter()?, args.offset, args.limit, &mut |e| {
            if args.json {
                serde_json::to_writer(&mut out, &rasd_store::event_value(&e)?).map_err(rasd_store::Error::from)?;
                writeln!(out).map_err(rasd_store::Error::from)?;
            } else {
                writeln!(out, "{}", event_line(&e)).map_err(rasd_store::Error::from)?;
            }
            Ok(())
        })?;
        out.flush()?;
        Ok(found(n as usize))
    })
}

/// One event as a line of text (tab-separated; a tab or line break inside a value is written `\t`, `\n`).
pub fn event_line(e: &StoredEvent) -> String {
    let ev = &e.event;
    let actor = |a: &Option<rasd_core::ActorRef>| a.as_ref().map_or("-".to_string(), |a| tsv_cell(&a.id).into_owned());
    let mut flags = ev.stance.as_str().to_string();
    if ev.background {
        flags.push_str(", background");
    }
    format!(
        "{}\t{}\t{}\t{} → {}\t{}\t{} ({})\t{}\t{}",
        ev.event_date.map_or("????-??-??".to_string(), |d| d.to_string()),
        ev.sub_event_type,
        ev.location
            .as_ref()
            .map_or("-".to_string(), |l| tsv_cell(&format!("{} {}", l.name, l.name_ar))
                .into_owned()),
        actor(&ev.actor1),
        actor(&ev.actor2),
        ev.fatalities
            .as_ref()
            .and_then(|f| f.value)
            .map_or("-".to_string(), |v| format!("{v} killed")),
        tsv_cell(&e.source),
        flags,
        tsv_cell(&ev.doc_id),
        tsv_cell(&ev.evidence.text.replace('\n', " ")),
    )
}
