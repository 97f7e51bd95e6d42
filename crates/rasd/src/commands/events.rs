//! `rasd events`: stored events, filtered by place, area, admin1, actor, type, dates and source. Also home of
//! the flags and helpers that the other store queries share.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rasd_store::{Filter, Store, StoredEvent};
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
    /// Opens an existing database (a query never creates one) with its derived tables up to date.
    pub fn open(&self) -> Result<Store> {
        let mut store = Store::open_existing(&self.db)?;
        store
            .ensure_reconciled()
            .with_context(|| format!("rebuilding incidents in {}", self.db.display()))?;
        Ok(store)
    }
}

/// The filters shared by `events`, `incidents`, `contradictions` and `export`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// A place: gazetteer id, English or Arabic name ("Albukamal", "البوكمال").
    #[arg(long, value_name = "X")]
    pub place: Option<String>,
    /// Within KM kilometres of a point.
    #[arg(long, value_name = "LAT,LON,KM", value_parser = parse_near)]
    pub near: Option<(f64, f64, f64)>,
    /// A first-level administrative area, as stored ("Deir ez-Zor").
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

/// Prints `items` as JSON Lines (`json`) or with `text`, one item after another, and returns the exit code for
/// the count (1 when nothing matched).
pub fn print_items<T: serde::Serialize>(
    items: &[T],
    json: bool,
    mut text: impl FnMut(&mut BufWriter<std::io::StdoutLock<'static>>, &T) -> std::io::Result<()>,
) -> Result<ExitCode> {
    let mut out = stdout();
    for item in items {
        if json {
            serde_json::to_writer(&mut out, item)?;
            writeln!(out)?;
        } else {
            text(&mut out, item)?;
        }
    }
    out.flush()?;
    Ok(found(items.len()))
}

/// A locked, buffered standard output.
pub fn stdout() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// Says so on standard error when a query names a place the database has never seen: the caller then exits
/// with 1 (nothing found) rather than printing an empty answer that looks like "no events there".
pub fn place_known(store: &Store, place: Option<&str>) -> Result<bool> {
    if let Some(p) = place
        && store.find_places(p)?.is_empty()
    {
        eprintln!("rasd: no stored event is at a place matching {p:?}");
        return Ok(false);
    }
    Ok(true)
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Text output: one line per event:\n  \
date<TAB>sub-event type<TAB>place<TAB>actor1 → actor2<TAB>fatalities<TAB>source (stance)<TAB>doc id<TAB>evidence\n\
JSON output (--json): one event record per line, with its source lane, outlet and incident id.\n\
Exit status 1 when no event matches.")]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.db.open()?;
    if !place_known(&store, args.filter.place.as_deref())? {
        return Ok(ExitCode::from(1));
    }
    let events = store.events(&args.filter.filter()?)?;
    print_items(&events, args.json, |out, e| writeln!(out, "{}", event_line(e)))
}

/// One event as a line of text.
pub fn event_line(e: &StoredEvent) -> String {
    let ev = &e.event;
    let actor = |a: &Option<rasd_core::ActorRef>| a.as_ref().map_or("-".to_string(), |a| a.id.clone());
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
            .map_or("-".to_string(), |l| format!("{} {}", l.name, l.name_ar)),
        actor(&ev.actor1),
        actor(&ev.actor2),
        ev.fatalities
            .as_ref()
            .and_then(|f| f.value)
            .map_or("-".to_string(), |v| format!("{v} killed")),
        e.source,
        flags,
        ev.doc_id,
        ev.evidence.text.replace('\n', " "),
    )
}
