//! Incremental reconcile, for both engines: SQLite (`rasd ingest`, `rasd watch`) and PostgreSQL
//! (`rasd reconcile --worker`, `rasd_pg::reconcile`) run this one implementation through [`Backend`].
//!
//! After an ingest that only added events (`meta.dirty = 'pending'`, the new events
//! listed in `reconcile_pending` by the ingest transaction), recompute only what they touch, so that the tables
//! end exactly as a full rebuild would leave them.
//!
//! - **Incidents**, per sub-event type of a new event. Clustering runs in two passes in date order: day-precise
//!   events first, then coarse ("this month") ones joining the closest cluster. First pass: nothing dated before
//!   the earliest new day-precise date `A` changes; the clusters anchored in the `2 × day_slack` days before `A`
//!   are resumed as seeds with the members they had before `A`, and every day-precise event from `A` on is
//!   clustered again. Second pass: a stored coarse event keeps its decision unless a cluster that changes can
//!   beat it: one that joined a cluster `s` days from its window's middle `m` keeps it while `m + s` is before
//!   `A - 2 × day_slack` (every changed cluster is anchored from then on, so further), and one that anchors its
//!   own cluster keeps doing so while its window ends before any changed cluster's starts. The coarse events
//!   from the first one that may change (found by date and precision columns and its incident's anchor, on
//!   the index `events_coarse_precision`: no JSON), or the first new one, are decided again, with every other
//!   cluster their windows overlap as a fixed seed (found by precision-bounded date ranges). Only the incidents
//!   whose claims come out different are replaced, with their contradictions
//!   ([`rasd_reconcile::incidents_resume`]); an incident with the same claims is built from the same events,
//!   so its rows stay. For news about the last days, that is the last days (and the month of a month-precise
//!   claim only when one of that month's coarse claims had no close cluster).
//! - **Control claims** are per event: the new events' claims are added.
//! - **Controller contradictions**, per place of a new claim: pairs are found in date order and only the
//!   earliest pair of each (sources, views) is kept, so the pairs from `T - day_slack` on (`T` the earliest new
//!   claim there) are found again, less those whose key (`contradictions.ckey`) a pair before that date has.
//! - **Places**: the counts of the places of new events grow by their new events and claims.
//! - **Alerts**: each contradiction that did not exist before, and each change of controller in a touched
//!   place's timeline from `T` on that the timeline did not show before, is stored in `alerts` (once: the key
//!   is unique). The first reconcile of a database with no derived rows (a bulk load) raises none.

use crate::alerts::{Alert, AlertClaim};
use crate::db::{Arg, ReadDb, int, text};
use crate::rows::{ContradictionRow, IncidentRow};
use crate::{ReconcileStats, Result};
use chrono::{Days, NaiveDate};
use rasd_core::DatePrecision;
use rasd_reconcile::{ContradictionKind, ControlClaim, Incident, Options, Report, Seed, Timeline};
use rusqlite::{Transaction, params};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One write transaction of either engine, as the incremental reconcile (and the rebuild that raises its
/// alerts, `rebuild_alerts.rs`) reads and writes it: the SQLite store's (`rebuild::Sqlite`) and PostgreSQL's
/// (`rasd_pg::work`). The algorithm is written once, here, against this trait.
///
/// Reads go through [`ReadDb`], in SQLite's SQL (see `crate::db`; the PostgreSQL side rewrites its spellings,
/// `CROSS JOIN … ON` included). Writes whose SQL both engines read alike (plain `INSERT`, `DELETE`, and
/// `INSERT … ON CONFLICT`, with `WHERE true` in an `INSERT … SELECT`) go through [`Backend::execute`]; the rest
/// have their own method. The scratch tables (`rc_events`, `rc_incidents`, `rc_before`, `rc_new`: one `id`
/// column each, its primary key) are temporary tables of the session.
pub trait Backend: ReadDb {
    /// Runs a statement that writes (SQLite's placeholders, see `crate::db`).
    fn execute(&self, sql: &str, args: &[Arg]) -> Result<()>;
    /// Creates the scratch tables when missing.
    fn scratch(&self) -> Result<()>;
    /// Writes a row of `incidents`, replacing one of the same id.
    fn write_incident(&self, row: &IncidentRow) -> Result<()>;
    /// Writes the row of `incident_events` that puts an event in an incident (replacing one it was in).
    fn write_member(&self, event_id: &str, incident_id: &str) -> Result<()>;
    /// Writes a row of `contradictions`, replacing one of the same id.
    fn write_contradiction(&self, row: &ContradictionRow) -> Result<()>;
    /// The streamed full rebuild ([`crate::rebuild::rebuild`]) in this transaction.
    fn rebuild(&self, opts: &Options) -> Result<ReconcileStats>;

    /// Runs a single-row `INSERT … VALUES (?1, …)` once for each of `rows`, in order. Only for a plain insert, one
    /// with `ON CONFLICT DO NOTHING`, or one whose rows have distinct conflict keys: an engine may send many rows
    /// in one statement (PostgreSQL does: one round trip per chunk, not per row), and the rows a statement
    /// inserts are inserted in their order.
    fn execute_rows(&self, sql: &str, rows: &[Vec<Arg>]) -> Result<()> {
        for args in rows {
            self.execute(sql, args)?;
        }
        Ok(())
    }

    /// [`Backend::write_incident`] for each of `rows`, in order (a row replaces an earlier one of the same id).
    fn write_incident_rows(&self, rows: &[IncidentRow]) -> Result<()> {
        rows.iter().try_for_each(|r| self.write_incident(r))
    }

    /// [`Backend::write_member`] for each `(event_id, incident_id)` of `rows`, in order.
    fn write_member_rows(&self, rows: &[(&str, &str)]) -> Result<()> {
        rows.iter().try_for_each(|(e, i)| self.write_member(e, i))
    }

    /// [`Backend::write_contradiction`] for each of `rows`, in order.
    fn write_contradiction_rows(&self, rows: &[ContradictionRow]) -> Result<()> {
        rows.iter().try_for_each(|r| self.write_contradiction(r))
    }
}

/// Adds `ids` to the scratch table `table` (its one `id` column; an id already there is skipped).
fn fill_scratch<'a>(db: &dyn Backend, table: &str, ids: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let rows: Vec<Vec<Arg>> = ids.into_iter().map(|id| vec![id.into()]).collect();
    db.execute_rows(
        &format!("INSERT INTO {table}(id) VALUES (?1) ON CONFLICT DO NOTHING"),
        &rows,
    )
}

/// Ids a query lists in one `IN (…)` at most.
const IN_CHUNK: usize = 64;

/// `?1, ?2, …, ?n` after the first `skip` placeholders, for an `IN (…)` of `n` values.
fn placeholders(skip: usize, n: usize) -> String {
    (skip + 1..=skip + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key of a controller contradiction as stored in `contradictions.ckey` (the same expression fills the column
/// in migration 4): place, both sources and both views, separated by U+001F. Only the earliest pair of a key is
/// kept (see `rasd_reconcile::controller_key`).
pub(crate) fn controller_ckey(c: &rasd_reconcile::Contradiction) -> Option<String> {
    if c.kind != ContradictionKind::Controller {
        return None;
    }
    let (place, a, b, va, vb) = rasd_reconcile::controller_key(c);
    Some(format!("{place}\u{1f}{a}\u{1f}{b}\u{1f}{va}\u{1f}{vb}"))
}

const REPORT_COLS: &str = "e.json, e.outlet, d.near_dup_of, d.published";

/// The reports of the rows of `sql`, whose first columns are [`REPORT_COLS`].
fn reports(db: &dyn ReadDb, sql: &str, args: &[Arg]) -> Result<Vec<Report>> {
    db.rows(sql, args, |r| {
        crate::rows::report(&text(r, 0)?, r.text(1)?, r.text(2)?, r.text(3)?.as_deref())
    })
}

/// A date as a placeholder's value.
fn day(d: NaiveDate) -> Arg {
    Arg::Text(d.to_string())
}

/// An optional date as a placeholder's value.
fn opt_day(d: Option<NaiveDate>) -> Arg {
    d.map_or(Arg::Null, day)
}

/// A date column (`None` when NULL or not a date).
fn date_at(r: &dyn crate::db::Row, i: usize) -> Result<Option<NaiveDate>> {
    Ok(r.text(i)?.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// With `RASD_PROFILE` set, prints how long each phase took to standard error.
pub(crate) struct Phases(Option<std::time::Instant>);

impl Phases {
    pub(crate) fn new() -> Phases {
        Phases(std::env::var_os("RASD_PROFILE").map(|_| std::time::Instant::now()))
    }
    pub(crate) fn mark(&mut self, what: &str) {
        if let Some(t) = self.0 {
            eprintln!("rasd: reconcile: {what}: {:.3} s", t.elapsed().as_secs_f64());
            self.0 = Some(std::time::Instant::now());
        }
    }
}

/// Whether a reconcile raises alerts: not the first one of a database with no derived rows (a bulk load).
pub(crate) fn alerting(db: &dyn ReadDb) -> bool {
    db.first(
        "SELECT EXISTS(SELECT 1 FROM incidents) OR EXISTS(SELECT 1 FROM control_claims)",
        &[],
        |r| int(r, 0),
    )
    .ok()
    .flatten()
    .is_some_and(|v| v != 0)
}

/// About how many events the incremental reconcile of the pending events would hold at once (see [`Estimate`]),
/// counted on the index `events_sub_date` (no JSON read). The coarse claims read further back and the members of
/// resumed clusters are not counted: few next to the day-precise events.
pub fn estimate(db: &dyn ReadDb, opts: &Options) -> Result<Estimate> {
    let margin = Days::new((2 * opts.day_slack.max(0) + rasd_reconcile::resume_margin(opts)) as u64);
    let per_sub: Vec<(String, Option<NaiveDate>, u64, u64)> = db.rows(
        "SELECT e.sub_event_type, min(e.event_date), count(*) - count(e.event_date), count(*)
         FROM reconcile_pending p CROSS JOIN events e ON e.id = p.event_id GROUP BY e.sub_event_type",
        &[],
        |r| Ok((text(r, 0)?, date_at(r, 1)?, int(r, 2)? as u64, int(r, 3)? as u64)),
    )?;
    let count = |sub: &str, from: NaiveDate| -> Result<u64> {
        Ok(db
            .first(
                "SELECT count(*) FROM events WHERE sub_event_type = ?1 AND event_date >= ?2",
                &[sub.into(), day(from)],
                |r| int(r, 0),
            )?
            .unwrap_or(0) as u64)
    };
    let mut est = Estimate {
        new: per_sub.iter().map(|p| p.3).sum::<u64>(),
        range: 0,
    };
    for (sub, earliest, undated, _) in per_sub {
        let dated = match earliest {
            Some(earliest) => count(&sub, earliest.checked_sub_days(margin).unwrap_or(NaiveDate::MIN))?,
            None => 0,
        };
        est.range = est.range.max(dated.saturating_add(undated));
    }
    Ok(est)
}

/// What [`estimate`] found: the incremental reconcile holds every new event throughout, and reconciles one
/// sub-event type at a time, reading the stored events of that type dated from its earliest new date (less the
/// resume margins) and its new undated events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// The new (pending) events.
    pub new: u64,
    /// The most events of one sub-event type read again (new ones of that type included).
    pub range: u64,
}

impl std::fmt::Display for Estimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} new, at most {} of one type read again", self.new, self.range)
    }
}

/// Whether the pending events are a first load: no derived rows yet (so no alert to raise) and at least half the
/// stored events new. The streamed full rebuild takes it: the same tables, where the incremental reconcile would
/// hold every new event.
pub fn first_load(db: &dyn ReadDb) -> Result<bool> {
    Ok(db
        .first(
            "SELECT NOT EXISTS(SELECT 1 FROM incidents) AND NOT EXISTS(SELECT 1 FROM control_claims)
               AND (SELECT count(*) FROM reconcile_pending) * 2 >= (SELECT count(*) FROM events)",
            &[],
            |r| int(r, 0),
        )?
        .is_some_and(|v| v != 0))
}

/// How [`reconcile_pending`] brought the derived tables up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Incrementally ([`reconcile`]).
    Incremental,
    /// By the streamed full rebuild, raising the alerts the incremental reconcile would have raised.
    Rebuild,
}

/// Reconciles the pending events (`reconcile_pending`) in the caller's write transaction, and marks the derived
/// tables up to date: incrementally, unless [`estimate`] finds that more than `limit` events would be read again
/// (a batch that reaches far back: news dated over years would make the incremental reconcile hold most of the
/// database), in which case the streamed rebuild takes it, raising the same alerts (`rebuild_alerts.rs`). Both
/// engines run this: `rasd ingest` on SQLite, `rasd reconcile --worker` on PostgreSQL. The caller has checked
/// that only new events changed since the last reconcile (`meta.dirty = 'pending'`) and that this is not a
/// [`first_load`].
pub fn reconcile_pending(db: &dyn Backend, opts: &Options, limit: u64) -> Result<(ReconcileStats, Path)> {
    let estimate = estimate(db, opts)?;
    if std::env::var_os("RASD_PROFILE").is_some() {
        eprintln!("rasd: reconcile: about {estimate} events to recompute (limit {limit})");
    }
    if estimate.new > limit || estimate.range > limit {
        let stats = crate::rebuild_alerts::rebuild_raising(db, opts)?;
        set_clean(db)?;
        Ok((stats, Path::Rebuild))
    } else {
        Ok((reconcile(db, opts)?, Path::Incremental))
    }
}

/// The incremental reconcile, inside the caller's write transaction.
pub fn reconcile(tx: &dyn Backend, opts: &Options) -> Result<ReconcileStats> {
    let mut phase = Phases::new();
    let alerting = alerting(tx);
    let new: Vec<Report> = reports(
        tx,
        &format!(
            "SELECT {REPORT_COLS} FROM reconcile_pending p CROSS JOIN events e ON e.id = p.event_id
             LEFT JOIN docs d ON d.id = e.doc_id ORDER BY e.id"
        ),
        &[],
    )?;
    phase.mark("new events");
    let mut stats = ReconcileStats::default();
    let mut alerts: Vec<Alert> = Vec::new();
    tx.scratch()?;

    // Incidents, per sub-event type.
    let mut by_sub: BTreeMap<&'static str, Vec<&Report>> = BTreeMap::new();
    for r in &new {
        by_sub.entry(r.event.sub_event_type.name()).or_default().push(r);
    }
    for (sub, news) in &by_sub {
        let slack = Days::new(opts.day_slack.max(0) as u64);
        // The first pass is recomputed from the earliest new day-precise date.
        let cut: Option<NaiveDate> = news
            .iter()
            .filter(|r| rasd_reconcile::is_day_precise(&r.event))
            .filter_map(|r| r.event.event_date)
            .min();
        // The second pass from the first coarse event that may see a changed cluster, or a new coarse event.
        let mut d0: Option<NaiveDate> = news
            .iter()
            .filter(|r| !rasd_reconcile::is_day_precise(&r.event))
            .filter_map(|r| r.event.event_date)
            .min();
        if let Some(cut) = cut {
            let from = coarse_affected_from(tx, sub, cut, opts)?;
            d0 = match (d0, from) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        // Recomputed: the new undated events, the day-precise events from the cut on, the coarse events from d0 on.
        let mut loaded: Vec<Report> = news
            .iter()
            .filter(|r| r.event.event_date.is_none())
            .map(|r| (*r).clone())
            .collect();
        if let Some(cut) = cut {
            loaded.extend(reports(
                tx,
                &format!(
                    "SELECT {REPORT_COLS} FROM events e LEFT JOIN docs d ON d.id = e.doc_id
                     WHERE e.sub_event_type = ?1 AND e.event_date >= ?2
                       AND (e.date_precision IS NULL OR e.date_precision NOT IN ('week', 'month', 'year'))"
                ),
                &[(*sub).into(), day(cut)],
            )?);
        }
        if let Some(d0) = d0 {
            loaded.extend(reports(
                tx,
                &format!(
                    "SELECT {REPORT_COLS} FROM events e LEFT JOIN docs d ON d.id = e.doc_id
                     WHERE e.sub_event_type = ?1 AND e.event_date >= ?2
                       AND e.date_precision IN ('week', 'month', 'year')"
                ),
                &[(*sub).into(), day(d0)],
            )?);
        }
        phase.mark(&format!(
            "{sub}: {} recomputed events read (cut {cut:?}, coarse from {d0:?})",
            loaded.len()
        ));
        let recomputed: HashSet<String> = loaded.iter().map(|r| r.event.id.clone()).collect();
        // The windows the recomputed coarse events span: every cluster they overlap is a fixed seed.
        let span = loaded
            .iter()
            .filter(|r| !rasd_reconcile::is_day_precise(&r.event))
            .filter_map(|r| rasd_reconcile::event_window(&r.event, opts.day_slack))
            .fold(None, |acc: Option<(NaiveDate, NaiveDate)>, w| {
                Some(acc.map_or(w, |(l, h)| (l.min(w.0), h.max(w.1))))
            });
        // Candidate anchors: day-precise events near the cut, and anything whose window may overlap the span.
        let mut anchors: Vec<Report> = Vec::new();
        if let Some(cut) = cut {
            anchors.extend(reports(
                tx,
                &format!(
                    "SELECT {REPORT_COLS} FROM events e JOIN incidents i ON i.id = 'inc-' || e.id
                     LEFT JOIN docs d ON d.id = e.doc_id
                     WHERE e.sub_event_type = ?1 AND e.event_date >= ?2 AND e.event_date < ?3"
                ),
                &[(*sub).into(), day(cut - slack - slack), day(cut)],
            )?);
        }
        if let Some((lo, hi)) = span {
            // A day-precise anchor's window is its date ± `day_slack`: only those dated within the span widened
            // by it can overlap; a coarse one's, by its precision, from the bounds that reach the span.
            let upper = day(hi.checked_add_days(slack).unwrap_or(hi));
            anchors.extend(reports(
                tx,
                &format!(
                    "SELECT {REPORT_COLS} FROM events e JOIN incidents i ON i.id = 'inc-' || e.id
                     LEFT JOIN docs d ON d.id = e.doc_id
                     WHERE e.sub_event_type = ?1 AND e.event_date >= ?2 AND e.event_date <= ?3
                       AND (e.date_precision IS NULL OR e.date_precision NOT IN ('week', 'month', 'year'))"
                ),
                &[
                    (*sub).into(),
                    day(lo.checked_sub_days(slack).unwrap_or(NaiveDate::MIN)),
                    upper.clone(),
                ],
            )?);
            for (name, lower) in coarse_lower_bounds(lo, opts) {
                anchors.extend(reports(
                    tx,
                    &format!(
                        "SELECT {REPORT_COLS} FROM events e JOIN incidents i ON i.id = 'inc-' || e.id
                         LEFT JOIN docs d ON d.id = e.doc_id
                         WHERE e.sub_event_type = ?1 AND e.date_precision = ?2 AND e.event_date >= ?3
                           AND e.event_date <= ?4 AND e.date_precision IN ('week', 'month', 'year')"
                    ),
                    &[(*sub).into(), name.into(), day(lower), upper.clone()],
                )?);
            }
        }
        phase.mark(&format!("{sub}: {} candidate anchors read", anchors.len()));
        let mut suffix = loaded;
        let mut seeds: Vec<Seed> = Vec::new();
        let mut seed_ids: Vec<String> = Vec::new();
        let mut seen_anchor = HashSet::new();
        for anchor in anchors {
            let e = &anchor.event;
            if recomputed.contains(&e.id) || e.location.is_none() || !seen_anchor.insert(e.id.clone()) {
                continue;
            }
            let (Some(date), Some(w)) = (e.event_date, rasd_reconcile::event_window(e, opts.day_slack)) else {
                continue;
            };
            let fine = rasd_reconcile::is_day_precise(e);
            let near = fine && cut.is_some_and(|c| date >= c - slack - slack && date < c);
            let overlaps = span.is_some_and(|(l, h)| w.0 <= h && w.1 >= l);
            if !near && !overlaps {
                continue;
            }
            let inc = format!("inc-{}", e.id);
            let members = reports(
                tx,
                &format!(
                    "SELECT {REPORT_COLS} FROM incident_events ie CROSS JOIN events e ON e.id = ie.event_id
                     LEFT JOIN docs d ON d.id = e.doc_id
                     WHERE ie.incident_id = ?1 AND e.id <> ?2"
                ),
                &[inc.as_str().into(), e.id.as_str().into()],
            )?;
            let members: Vec<Report> = members
                .into_iter()
                .filter(|m| !recomputed.contains(&m.event.id))
                .collect();
            let base = suffix.len() + 1;
            let mut fine_members = Vec::new();
            let mut coarse_members = Vec::new();
            for (k, m) in members.iter().enumerate() {
                if rasd_reconcile::is_day_precise(&m.event) {
                    fine_members.push(base + k);
                } else {
                    coarse_members.push(base + k);
                }
            }
            seed_ids.push(inc);
            seeds.push(Seed {
                anchor: suffix.len(),
                members: fine_members,
                coarse_members,
                fixed: !near,
            });
            suffix.push(anchor);
            suffix.extend(members);
        }
        phase.mark(&format!("{sub}: {} events loaded", suffix.len()));
        stats.events += suffix.len() as u64;
        tx.execute("DELETE FROM rc_events", &[])?;
        tx.execute("DELETE FROM rc_incidents", &[])?;
        fill_scratch(tx, "rc_events", suffix.iter().map(|r| r.event.id.as_str()))?;
        fill_scratch(tx, "rc_incidents", seed_ids.iter().map(String::as_str))?;
        tx.execute(
            "INSERT INTO rc_incidents(id)
               SELECT ie.incident_id FROM rc_events r CROSS JOIN incident_events ie ON ie.event_id = r.id WHERE true
             ON CONFLICT DO NOTHING",
            &[],
        )?;
        // What each incident that may change held before: an incident whose claims come out the same is
        // built from the same events, so its row, its members and its contradictions stay as they are.
        let mut old_members: HashMap<String, Vec<String>> = HashMap::new();
        tx.each_row(
            "SELECT r.id, ie.event_id FROM rc_incidents r CROSS JOIN incident_events ie ON ie.incident_id = r.id",
            &[],
            &mut |r| {
                old_members.entry(text(r, 0)?).or_default().push(text(r, 1)?);
                Ok(true)
            },
        )?;
        for m in old_members.values_mut() {
            m.sort_unstable();
        }
        phase.mark(&format!("{sub}: old members read"));
        let incidents: Vec<Incident> = rasd_reconcile::incidents_resume(&suffix, &seeds, opts)
            .into_iter()
            .filter(|inc| {
                let mut ids: Vec<&str> = inc.claims.iter().map(|c| c.event_id.as_str()).collect();
                ids.sort_unstable();
                let same = old_members
                    .get(&inc.id)
                    .is_some_and(|old| old.iter().map(String::as_str).eq(ids.iter().copied()));
                if same {
                    old_members.remove(&inc.id);
                }
                !same
            })
            .collect();
        phase.mark(&format!("{sub}: clustered, {} incidents changed", incidents.len()));
        // Left in `rc_incidents`: the incidents replaced or gone.
        tx.execute("DELETE FROM rc_incidents", &[])?;
        fill_scratch(
            tx,
            "rc_incidents",
            old_members
                .keys()
                .chain(incidents.iter().map(|inc| &inc.id))
                .map(String::as_str),
        )?;
        let before: HashSet<String> = (tx as &dyn ReadDb)
            .rows(
                "SELECT c.id FROM rc_incidents r CROSS JOIN contradictions c ON c.incident_id = r.id",
                &[],
                |r| text(r, 0),
            )?
            .into_iter()
            .collect();
        tx.execute(
            "DELETE FROM contradictions WHERE incident_id IN (SELECT id FROM rc_incidents)",
            &[],
        )?;
        tx.execute(
            "DELETE FROM incident_events WHERE incident_id IN (SELECT id FROM rc_incidents)",
            &[],
        )?;
        tx.execute("DELETE FROM incidents WHERE id IN (SELECT id FROM rc_incidents)", &[])?;
        let contradictions = rasd_reconcile::contradictions(&incidents, &[], opts);
        write_incidents(tx, &incidents)?;
        stats.incidents += incidents.len() as u64;
        stats.contradictions += contradictions.len() as u64;
        write_contradictions(tx, &contradictions)?;
        phase.mark(&format!("{sub}: written"));
        if alerting {
            let claims: HashMap<&str, &rasd_reconcile::IncidentClaim> = incidents
                .iter()
                .flat_map(|i| i.claims.iter().map(|c| (c.event_id.as_str(), c)))
                .collect();
            for c in contradictions.iter().filter(|c| !before.contains(&c.id)) {
                alerts.push(incident_contradiction_alert(c, &claims));
            }
        }
    }

    phase.mark("incidents");
    // Control claims, controller contradictions and timelines, per place of a new claim.
    let claims = rasd_reconcile::control_claims(&new);
    stats.control_claims = claims.len() as u64;
    write_control_claims(tx, &claims)?;
    let mut earliest: BTreeMap<&str, Option<NaiveDate>> = BTreeMap::new();
    for c in &claims {
        let e = earliest.entry(c.place_id.as_str()).or_insert(c.date);
        *e = match (*e, c.date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }
    let new_claims: HashSet<&str> = claims.iter().map(|c| c.event_id.as_str()).collect();
    for (place, t) in earliest {
        let from = t.and_then(|t| t.checked_sub_days(Days::new(opts.day_slack.max(0) as u64)));
        // The pairs stored from `from` on are found again; those before stay.
        // The pairs stored from `from` on, by id, with their JSON: those found again unchanged stay as they are.
        let mut before: HashMap<String, String> = (tx as &dyn ReadDb)
            .rows(
                "SELECT id, json FROM contradictions
                 WHERE place_id = ?1 AND kind = 'controller' AND (CAST(?2 AS TEXT) IS NULL OR date >= ?2)",
                &[place.into(), opt_day(from)],
                |r| Ok((text(r, 0)?, text(r, 1)?)),
            )?
            .into_iter()
            .collect();
        let near = near_claims(tx, place, t, opts)?;
        let pairs_from: Vec<ControlClaim> = near
            .iter()
            .filter(|c| match (&from, c.date) {
                (Some(f), Some(d)) => d >= *f,
                (Some(_), None) => false,
                (None, _) => true,
            })
            .cloned()
            .collect();
        // The earliest pair of each (sources, views) from `from` on, unless a pair before `from` has it.
        let pairs = rasd_reconcile::controller_contradictions(&pairs_from, &mut HashSet::new(), opts);
        let kept_before = match from {
            Some(f) => keys_before(tx, pairs.iter().filter_map(controller_ckey).collect(), f)?,
            None => HashSet::new(),
        };
        let found: Vec<_> = pairs
            .into_iter()
            .filter(|c| !controller_ckey(c).is_some_and(|k| kept_before.contains(&k)))
            .collect();
        // Rows found again with the same JSON (every column derives from it) stay; the others are replaced.
        let mut changed = Vec::new();
        let mut old_ids: HashSet<String> = HashSet::new();
        for c in found {
            let same = before
                .remove(&c.id)
                .map(|json| {
                    old_ids.insert(c.id.clone());
                    serde_json::to_string(&c).is_ok_and(|j| j == json)
                })
                .unwrap_or(false);
            if !same {
                changed.push(c);
            }
        }
        for id in before.keys() {
            tx.execute("DELETE FROM contradictions WHERE id = ?1", &[id.as_str().into()])?;
        }
        write_contradictions(tx, &changed)?;
        stats.contradictions += changed.len() as u64;
        if alerting {
            let by_event = claims_by_event(&near);
            for c in changed.iter().filter(|c| !old_ids.contains(&c.id)) {
                alerts.push(controller_contradiction_alert(c, &by_event));
            }
            alerts.extend(new_changes(&near, |id| new_claims.contains(id), t, opts));
        }
    }

    phase.mark("control claims, controller contradictions, timelines");
    // Places of new events: counts add up, names are the greatest given (as `max` in the full rebuild).
    /// Per place: the greatest name and Arabic name among the new events, and the new events and claims.
    type PlaceRow<'a> = (Option<&'a str>, Option<&'a str>, i64, i64);
    let mut places: BTreeMap<&str, PlaceRow<'_>> = BTreeMap::new();
    for r in &new {
        if let Some(l) = &r.event.location {
            let p = places.entry(l.id.as_str()).or_insert((None, None, 0, 0));
            p.0 = p.0.max(Some(l.name.as_str()));
            p.1 = p.1.max(Some(l.name_ar.as_str()));
            p.2 += 1;
        }
    }
    for c in &claims {
        if let Some(p) = places.get_mut(c.place_id.as_str()) {
            p.3 += 1;
        }
    }
    let opt = |s: Option<&str>| s.map_or(Arg::Null, Arg::from);
    // One row per place (the keys of a map): distinct conflict keys, as `execute_rows` asks.
    let rows: Vec<Vec<Arg>> = places
        .into_iter()
        .map(|(id, (name, name_ar, events, claims))| {
            vec![id.into(), opt(name), opt(name_ar), events.into(), claims.into()]
        })
        .collect();
    tx.execute_rows(
        "INSERT INTO places(place_id, name, name_ar, events, claims) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(place_id) DO UPDATE SET
           name = CASE WHEN places.name IS NULL OR excluded.name > places.name
             THEN excluded.name ELSE places.name END,
           name_ar = CASE WHEN places.name_ar IS NULL OR excluded.name_ar > places.name_ar
             THEN excluded.name_ar ELSE places.name_ar END,
           events = places.events + excluded.events, claims = places.claims + excluded.claims",
        &rows,
    )?;
    if !alerts.is_empty() {
        fill_urls(tx, &mut alerts)?;
        crate::alerts::store(tx, &alerts)?;
    }
    phase.mark("places, alerts");
    tx.execute("DELETE FROM reconcile_pending", &[])?;
    tx.execute("DELETE FROM rc_events", &[])?;
    tx.execute("DELETE FROM rc_incidents", &[])?;
    set_clean(tx)?;
    Ok(stats)
}

/// Those of the controller keys `keys` that a contradiction dated before `f` has.
fn keys_before(db: &dyn ReadDb, mut keys: Vec<String>, f: NaiveDate) -> Result<HashSet<String>> {
    keys.sort_unstable();
    keys.dedup();
    let mut found = HashSet::new();
    for chunk in keys.chunks(IN_CHUNK) {
        let mut args: Vec<Arg> = vec![day(f)];
        args.extend(chunk.iter().map(|k| Arg::from(k.as_str())));
        found.extend(db.rows(
            &format!(
                "SELECT DISTINCT ckey FROM contradictions WHERE date < ?1 AND ckey IN ({})",
                placeholders(1, chunk.len())
            ),
            &args,
            |r| text(r, 0),
        )?);
    }
    Ok(found)
}

/// The middle of a window, as clustering scores it.
fn mid(w: (NaiveDate, NaiveDate)) -> NaiveDate {
    w.0 + Days::new(((w.1 - w.0).num_days() / 2).max(0) as u64)
}

fn precision_of(name: &str) -> Option<DatePrecision> {
    match name {
        "day" => Some(DatePrecision::Day),
        "week" => Some(DatePrecision::Week),
        "month" => Some(DatePrecision::Month),
        "year" => Some(DatePrecision::Year),
        "unknown" => Some(DatePrecision::Unknown),
        _ => None,
    }
}

/// For each coarse precision, the earliest date of an event of that precision whose window ends on or after
/// `end` (a window is the date widened by the precision and `day_slack`; see [`rasd_reconcile::window_of`]).
fn coarse_lower_bounds(end: NaiveDate, opts: &Options) -> [(&'static str, NaiveDate); 3] {
    use chrono::Datelike;
    let slack = Days::new(opts.day_slack.max(0) as u64);
    let e = end.checked_sub_days(slack).unwrap_or(NaiveDate::MIN);
    [
        ("week", e.checked_sub_days(Days::new(7)).unwrap_or(NaiveDate::MIN)),
        ("month", e.with_day(1).unwrap_or(e)),
        ("year", NaiveDate::from_ymd_opt(e.year(), 1, 1).unwrap_or(e)),
    ]
}

/// The date from which the coarse events of one sub-event type are decided again, given the cut `A` of the
/// day-precise ones: the earliest date of a stored coarse event whose decision the changed clusters may change.
/// The clusters that change in the first pass are anchored from `A - 2 × day_slack` on; a coarse event joins
/// the accepting cluster whose window's middle is closest to its own (then the nearest). So a coarse event that
/// joined a cluster `s` days from its middle `m` keeps it when `m + s` is before `A - 2 × day_slack` (every
/// changed cluster is further), and one that anchors its own cluster keeps doing so when its window ends
/// before any changed cluster's starts. The events before the first one that may change keep their decisions,
/// so the clusters they leave are those a full run has. The candidates are found on the index of coarse
/// events by precision (`events_coarse_precision`), with their incident's anchor: no JSON is read.
fn coarse_affected_from(db: &dyn ReadDb, sub: &str, cut: NaiveDate, opts: &Options) -> Result<Option<NaiveDate>> {
    let s = opts.day_slack.max(0);
    let end = cut
        .checked_sub_days(Days::new(rasd_reconcile::resume_margin(opts) as u64))
        .unwrap_or(NaiveDate::MIN);
    let reach_from = cut
        .checked_sub_days(Days::new((2 * s + 1) as u64))
        .unwrap_or(NaiveDate::MIN);
    let mut from: Option<NaiveDate> = None;
    for (name, lower) in coarse_lower_bounds(end, opts) {
        let Some(precision) = precision_of(name) else { continue };
        db.each_row(
            "SELECT e.id, e.event_date, ie.incident_id, a.event_date, a.date_precision
             FROM events e LEFT JOIN incident_events ie ON ie.event_id = e.id
               LEFT JOIN events a ON a.id = substr(ie.incident_id, 5)
             WHERE e.sub_event_type = ?1 AND e.date_precision = ?2 AND e.event_date >= ?3
               AND e.date_precision IN ('week', 'month', 'year')",
            &[sub.into(), name.into(), day(lower)],
            &mut |r| {
                let (id, incident, anchor_precision) = (text(r, 0)?, r.text(2)?, r.text(4)?);
                let (Some(date), anchor_date) = (date_at(r, 1)?, date_at(r, 3)?) else {
                    return Ok(true);
                };
                if from.is_some_and(|f| f <= date) {
                    return Ok(true);
                }
                let w = rasd_reconcile::window_of(date, precision, s);
                if w.1 < end {
                    return Ok(true);
                }
                // Not in an incident: never clustered (no place, or not a claim), whatever else changes.
                let Some(incident) = incident else { return Ok(true) };
                let affected = if incident.strip_prefix("inc-") == Some(id.as_str()) {
                    true
                } else {
                    match anchor_date.zip(anchor_precision.as_deref().and_then(precision_of)) {
                        Some((ad, ap)) => {
                            let m = mid(w);
                            let score = (mid(rasd_reconcile::window_of(ad, ap, s)) - m).num_days().abs();
                            m.checked_add_days(Days::new(score as u64))
                                .is_none_or(|r| r >= reach_from)
                        }
                        None => true,
                    }
                };
                if affected {
                    from = Some(date);
                }
                Ok(true)
            },
        )?;
    }
    Ok(from)
}

/// The claims of `place` its timeline is compared on, when its earliest new claim is dated `t` (all of them
/// when a new claim is undated): those from `60 + control_horizon_days` days before `t` on, and the undated
/// ones, in timeline order (date, source, event).
pub(crate) fn near_claims(
    db: &dyn ReadDb,
    place: &str,
    t: Option<NaiveDate>,
    opts: &Options,
) -> Result<Vec<ControlClaim>> {
    let lookback = t.and_then(|t| t.checked_sub_days(Days::new(60 + opts.control_horizon_days.max(0) as u64)));
    let mut near: Vec<ControlClaim> = db.rows(
        "SELECT json FROM control_claims
         WHERE place_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR date IS NULL OR date >= ?2)",
        &[place.into(), opt_day(lookback)],
        |r| Ok(serde_json::from_str(&text(r, 0)?)?),
    )?;
    near.sort_by(|a, b| (a.date, &a.source, &a.event_id).cmp(&(b.date, &b.source, &b.event_id)));
    Ok(near)
}

/// The claims of one place by event (the last in timeline order where an event has several).
pub(crate) fn claims_by_event(claims: &[ControlClaim]) -> HashMap<&str, &ControlClaim> {
    claims.iter().map(|c| (c.event_id.as_str(), c)).collect()
}

/// The alert of a new controller contradiction, its sides completed from the place's claims.
pub(crate) fn controller_contradiction_alert(
    c: &rasd_reconcile::Contradiction,
    by_event: &HashMap<&str, &ControlClaim>,
) -> Alert {
    let side = |s: &rasd_reconcile::Side| {
        let cc = by_event.get(s.event_id.as_str());
        AlertClaim::from_side(
            s,
            cc.map(|c| c.stance.as_str().to_string()),
            cc.and_then(|c| c.holder.clone()),
            cc.and_then(|c| c.date),
        )
    };
    Alert::contradiction(c, side(&c.a), side(&c.b))
}

/// The alert of a new contradiction within an incident, its sides completed from the incident's claims.
pub(crate) fn incident_contradiction_alert(
    c: &rasd_reconcile::Contradiction,
    claims: &HashMap<&str, &rasd_reconcile::IncidentClaim>,
) -> Alert {
    let side = |s: &rasd_reconcile::Side| {
        let ic = claims.get(s.event_id.as_str());
        AlertClaim::from_side(
            s,
            ic.map(|c| c.stance.as_str().to_string()),
            None,
            ic.and_then(|c| c.date),
        )
    };
    Alert::contradiction(c, side(&c.a), side(&c.b))
}

/// The changes of controller that the new claims (`is_new` by event id) make in a place's timeline from `t`
/// on (`near`, from [`near_claims`]): those of the timeline with them that the timeline without them lacks.
pub(crate) fn new_changes(
    near: &[ControlClaim],
    is_new: impl Fn(&str) -> bool,
    t: Option<NaiveDate>,
    opts: &Options,
) -> Vec<Alert> {
    let old: Vec<ControlClaim> = near.iter().filter(|c| !is_new(&c.event_id)).cloned().collect();
    let was: HashSet<String> = changes(&old, opts).into_iter().map(|a| a.id).collect();
    changes(near, opts)
        .into_iter()
        .filter(|a| !was.contains(&a.id) && t.is_none_or(|t| a.date.is_some_and(|d| d >= t)))
        .collect()
}

/// Each change of controller in the timeline of `claims` (one place): a step whose agreed controller differs
/// from the last one agreed before it.
fn changes(claims: &[ControlClaim], opts: &Options) -> Vec<Alert> {
    let Some(tl) = Timeline::build(claims, opts.control_horizon_days) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut last: Option<(&String, &ControlClaim)> = None;
    for step in &tl.steps {
        let Some(to) = &step.controller else { continue };
        let Some(claim) = step.views.iter().find(|v| v.holder.as_ref() == Some(to)) else {
            continue;
        };
        if let Some((from, prev)) = last
            && from != to
        {
            out.push(Alert::controller_change(&tl, step.date, from, to, prev, claim));
        }
        last = Some((to, claim));
    }
    out
}

/// Adds each claim's document URL.
pub(crate) fn fill_urls(db: &dyn ReadDb, alerts: &mut [Alert]) -> Result<()> {
    let mut ids: Vec<&str> = alerts
        .iter()
        .flat_map(|a| [a.a.doc_id.as_str(), a.b.doc_id.as_str()])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut urls: HashMap<String, Option<String>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let args: Vec<Arg> = chunk.iter().map(|&id| id.into()).collect();
        db.each_row(
            &format!(
                "SELECT id, url FROM docs WHERE id IN ({})",
                placeholders(0, chunk.len())
            ),
            &args,
            &mut |r| {
                urls.insert(text(r, 0)?, r.text(1)?);
                Ok(true)
            },
        )?;
    }
    for a in alerts {
        for c in [&mut a.a, &mut a.b] {
            c.url = urls.get(&c.doc_id).cloned().flatten();
        }
    }
    Ok(())
}

/// Marks the derived tables up to date (`meta.dirty = '0'`).
pub(crate) fn set_clean(db: &dyn Backend) -> Result<()> {
    db.execute(
        "INSERT INTO meta(key, value) VALUES ('dirty', '0') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        &[],
    )
}

/// Writes each incident's row and its members' rows of `incident_events`.
fn write_incidents(db: &dyn Backend, incidents: &[Incident]) -> Result<()> {
    let rows = incidents
        .iter()
        .map(crate::rows::incident_row)
        .collect::<Result<Vec<_>>>()?;
    db.write_incident_rows(&rows)?;
    let members: Vec<(&str, &str)> = incidents
        .iter()
        .flat_map(|inc| inc.claims.iter().map(|c| (c.event_id.as_str(), inc.id.as_str())))
        .collect();
    db.write_member_rows(&members)
}

/// Writes a row of `incidents`, replacing one of the same id.
pub(crate) fn insert_incident(tx: &Transaction<'_>, r: &crate::rows::IncidentRow) -> Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO incidents(id, first_date, event_type, sub_event_type, place_id, admin1, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    ins.execute(params![
        r.id,
        r.first_date,
        r.event_type,
        r.sub_event_type,
        r.place_id,
        r.admin1,
        r.json
    ])?;
    Ok(())
}

/// Writes the row of `incident_events` that puts an event in an incident (replacing one it was in).
pub(crate) fn write_member(tx: &Transaction<'_>, event_id: &str, incident_id: &str) -> Result<()> {
    let mut member =
        tx.prepare_cached("INSERT OR REPLACE INTO incident_events(event_id, incident_id) VALUES (?1, ?2)")?;
    member.execute([event_id, incident_id])?;
    Ok(())
}

/// Appends control claims to `control_claims` (numbered on from the last `seq`).
fn write_control_claims(db: &dyn Backend, claims: &[ControlClaim]) -> Result<()> {
    let rows = claims
        .iter()
        .map(|c| {
            let r = crate::rows::control_row(c)?;
            Ok(vec![
                r.place_id.into(),
                r.date.map_or(Arg::Null, Arg::Text),
                r.source.into(),
                r.json.into(),
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    // Appended in order: `seq` numbers them as one insert per claim would.
    db.execute_rows(
        "INSERT INTO control_claims(place_id, date, source, json) VALUES (?1, ?2, ?3, ?4)",
        &rows,
    )
}

/// Appends a row to `control_claims` (numbered on from the last `seq`).
pub(crate) fn insert_control_claim(tx: &Transaction<'_>, r: &crate::rows::ControlRow) -> Result<()> {
    let mut ins =
        tx.prepare_cached("INSERT INTO control_claims(place_id, date, source, json) VALUES (?1, ?2, ?3, ?4)")?;
    ins.execute(params![r.place_id, r.date, r.source, r.json])?;
    Ok(())
}

fn write_contradictions(db: &dyn Backend, list: &[rasd_reconcile::Contradiction]) -> Result<()> {
    let rows = list
        .iter()
        .map(|c| {
            debug_assert!(c.kind != ContradictionKind::Controller || c.incident_id.is_none());
            crate::rows::contradiction_row(c)
        })
        .collect::<Result<Vec<_>>>()?;
    db.write_contradiction_rows(&rows)
}

/// Writes a row of `contradictions`, replacing one of the same id.
pub(crate) fn insert_contradiction(tx: &Transaction<'_>, r: &crate::rows::ContradictionRow) -> Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO contradictions(id, kind, place_id, date, source_a, source_b, json, incident_id, ckey)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    ins.execute(params![
        r.id,
        r.kind,
        r.place_id,
        r.date,
        r.source_a,
        r.source_b,
        r.json,
        r.incident_id,
        r.ckey
    ])?;
    Ok(())
}
