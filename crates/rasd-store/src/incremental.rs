//! Incremental reconcile: after an ingest that only added events (`meta.dirty = 'pending'`, the new events
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
use crate::{ReconcileStats, Result};
use chrono::{Days, NaiveDate};
use rasd_core::DatePrecision;
use rasd_reconcile::{ContradictionKind, ControlClaim, Incident, Options, Report, Seed, Timeline};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// An event's JSON, its outlet, and its document's near-duplicate link and publication date.
type ReportRow = (String, Option<String>, Option<String>, Option<String>);

fn report_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_report(row: ReportRow) -> Result<Report> {
    let (json, outlet, copy_of, published) = row;
    let event: rasd_core::Event = serde_json::from_str(&json)?;
    let published = published.and_then(|p| NaiveDate::parse_from_str(&p, "%Y-%m-%d").ok());
    Ok(Report::new(event, outlet, copy_of).published(published))
}

fn reports(tx: &Transaction<'_>, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Report>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows: Vec<_> = stmt.query_map(p, report_of)?.collect::<std::result::Result<_, _>>()?;
    rows.into_iter().map(to_report).collect()
}

fn day(d: NaiveDate) -> String {
    d.to_string()
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
pub(crate) fn alerting(tx: &Transaction<'_>) -> bool {
    tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM incidents) OR EXISTS(SELECT 1 FROM control_claims)",
        [],
        |r| r.get::<_, bool>(0),
    )
    .unwrap_or(false)
}

/// About how many events the incremental reconcile of the pending events would hold at once (see [`Estimate`]),
/// counted on the index `events_sub_date` (no JSON read). The coarse claims read further back and the members of
/// resumed clusters are not counted: few next to the day-precise events.
pub(crate) fn estimate(tx: &Transaction<'_>, opts: &Options) -> Result<Estimate> {
    let margin = Days::new((2 * opts.day_slack.max(0) + rasd_reconcile::resume_margin(opts)) as u64);
    let per_sub: Vec<(String, Option<String>, u64, u64)> = {
        let mut stmt = tx.prepare(
            "SELECT e.sub_event_type, min(e.event_date), count(*) - count(e.event_date), count(*)
             FROM reconcile_pending p CROSS JOIN events e ON e.id = p.event_id GROUP BY e.sub_event_type",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<std::result::Result<_, _>>()?
    };
    let mut count = tx.prepare("SELECT count(*) FROM events WHERE sub_event_type = ?1 AND event_date >= ?2")?;
    let mut est = Estimate {
        new: per_sub.iter().map(|p| p.3).sum::<u64>(),
        range: 0,
    };
    for (sub, earliest, undated, _) in per_sub {
        let dated = match earliest.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) {
            Some(earliest) => {
                let from = earliest.checked_sub_days(margin).unwrap_or(NaiveDate::MIN);
                count.query_row(params![sub, day(from)], |r| r.get::<_, u64>(0))?
            }
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
pub(crate) struct Estimate {
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

/// The incremental reconcile, inside the caller's write transaction.
pub(crate) fn reconcile(tx: &Transaction<'_>, opts: &Options) -> Result<ReconcileStats> {
    let mut phase = Phases::new();
    let alerting = alerting(tx);
    let new: Vec<Report> = reports(
        tx,
        &format!(
            "SELECT {REPORT_COLS} FROM reconcile_pending p CROSS JOIN events e ON e.id = p.event_id
             LEFT JOIN docs d ON d.id = e.doc_id"
        ),
        [],
    )?;
    phase.mark("new events");
    let mut stats = ReconcileStats::default();
    let mut alerts: Vec<Alert> = Vec::new();
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS rc_events(id TEXT PRIMARY KEY) WITHOUT ROWID;
         CREATE TEMP TABLE IF NOT EXISTS rc_incidents(id TEXT PRIMARY KEY) WITHOUT ROWID;",
    )?;

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
                params![sub, day(cut)],
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
                params![sub, day(d0)],
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
                params![sub, day(cut - slack - slack), day(cut)],
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
                params![sub, day(lo.checked_sub_days(slack).unwrap_or(NaiveDate::MIN)), upper],
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
                    params![sub, name, day(lower), upper],
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
                params![inc, e.id],
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
        tx.execute("DELETE FROM rc_events", [])?;
        tx.execute("DELETE FROM rc_incidents", [])?;
        {
            let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO rc_events(id) VALUES (?1)")?;
            for r in &suffix {
                ins.execute([&r.event.id])?;
            }
            let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO rc_incidents(id) VALUES (?1)")?;
            for id in &seed_ids {
                ins.execute([id])?;
            }
        }
        tx.execute_batch(
            "INSERT OR IGNORE INTO rc_incidents(id)
               SELECT ie.incident_id FROM rc_events r CROSS JOIN incident_events ie ON ie.event_id = r.id;",
        )?;
        // What each incident that may change held before: an incident whose claims come out the same is
        // built from the same events, so its row, its members and its contradictions stay as they are.
        let mut old_members: HashMap<String, Vec<String>> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT r.id, ie.event_id FROM rc_incidents r CROSS JOIN incident_events ie ON ie.incident_id = r.id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (inc, ev) = row?;
                old_members.entry(inc).or_default().push(ev);
            }
        }
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
        tx.execute("DELETE FROM rc_incidents", [])?;
        {
            let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO rc_incidents(id) VALUES (?1)")?;
            for id in old_members.keys() {
                ins.execute([id])?;
            }
            for inc in &incidents {
                ins.execute([&inc.id])?;
            }
        }
        let before: HashSet<String> = {
            let mut stmt =
                tx.prepare("SELECT c.id FROM rc_incidents r CROSS JOIN contradictions c ON c.incident_id = r.id")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?
        };
        tx.execute_batch(
            "DELETE FROM contradictions WHERE incident_id IN (SELECT id FROM rc_incidents);
             DELETE FROM incident_events WHERE incident_id IN (SELECT id FROM rc_incidents);
             DELETE FROM incidents WHERE id IN (SELECT id FROM rc_incidents);",
        )?;
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
        let mut before: HashMap<String, String> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, json FROM contradictions
                 WHERE place_id = ?1 AND kind = 'controller' AND (?2 IS NULL OR date >= ?2)",
            )?;
            stmt.query_map(params![place, from.map(day)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<std::result::Result<_, _>>()?
        };
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
        let mut kept_before =
            tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM contradictions WHERE ckey = ?1 AND date < ?2)")?;
        let mut found = Vec::new();
        for c in rasd_reconcile::controller_contradictions(&pairs_from, &mut HashSet::new(), opts) {
            let dup = match (&from, controller_ckey(&c)) {
                (Some(f), Some(k)) => kept_before.query_row(params![k, day(*f)], |r| r.get::<_, bool>(0))?,
                _ => false,
            };
            if !dup {
                found.push(c);
            }
        }
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
        {
            let mut del = tx.prepare_cached("DELETE FROM contradictions WHERE id = ?1")?;
            for id in before.keys() {
                del.execute([id])?;
            }
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
    {
        let mut upd = tx.prepare_cached(
            "INSERT INTO places(place_id, name, name_ar, events, claims) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(place_id) DO UPDATE SET
               name = CASE WHEN name IS NULL OR excluded.name > name THEN excluded.name ELSE name END,
               name_ar = CASE WHEN name_ar IS NULL OR excluded.name_ar > name_ar THEN excluded.name_ar ELSE name_ar END,
               events = events + excluded.events, claims = claims + excluded.claims",
        )?;
        for (id, (name, name_ar, events, claims)) in places {
            upd.execute(params![id, name, name_ar, events, claims])?;
        }
    }
    if !alerts.is_empty() {
        fill_urls(tx, &mut alerts)?;
        crate::alerts::store(tx, &alerts)?;
    }
    phase.mark("places, alerts");
    tx.execute_batch(
        "DELETE FROM reconcile_pending; DELETE FROM rc_events; DELETE FROM rc_incidents;
         INSERT OR REPLACE INTO meta(key, value) VALUES ('dirty', '0');",
    )?;
    Ok(stats)
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
fn coarse_affected_from(tx: &Transaction<'_>, sub: &str, cut: NaiveDate, opts: &Options) -> Result<Option<NaiveDate>> {
    let s = opts.day_slack.max(0);
    let end = cut
        .checked_sub_days(Days::new(rasd_reconcile::resume_margin(opts) as u64))
        .unwrap_or(NaiveDate::MIN);
    let reach_from = cut
        .checked_sub_days(Days::new((2 * s + 1) as u64))
        .unwrap_or(NaiveDate::MIN);
    let mut stmt = tx.prepare_cached(
        "SELECT e.id, e.event_date, ie.incident_id, a.event_date, a.date_precision
         FROM events e LEFT JOIN incident_events ie ON ie.event_id = e.id
           LEFT JOIN events a ON a.id = substr(ie.incident_id, 5)
         WHERE e.sub_event_type = ?1 AND e.date_precision = ?2 AND e.event_date >= ?3
           AND e.date_precision IN ('week', 'month', 'year')",
    )?;
    let mut from: Option<NaiveDate> = None;
    for (name, lower) in coarse_lower_bounds(end, opts) {
        let Some(precision) = precision_of(name) else { continue };
        let rows = stmt.query_map(params![sub, name, day(lower)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        for row in rows {
            let (id, date, incident, anchor_date, anchor_precision) = row?;
            let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
                continue;
            };
            if from.is_some_and(|f| f <= date) {
                continue;
            }
            let w = rasd_reconcile::window_of(date, precision, s);
            if w.1 < end {
                continue;
            }
            // Not in an incident: never clustered (no place, or not a claim), whatever else changes.
            let Some(incident) = incident else { continue };
            let affected = if incident.strip_prefix("inc-") == Some(id.as_str()) {
                true
            } else {
                let anchor = anchor_date
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                    .zip(anchor_precision.as_deref().and_then(precision_of));
                match anchor {
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
        }
    }
    Ok(from)
}

/// The claims of `place` its timeline is compared on, when its earliest new claim is dated `t` (all of them
/// when a new claim is undated): those from `60 + control_horizon_days` days before `t` on, and the undated
/// ones, in timeline order (date, source, event).
pub(crate) fn near_claims(
    tx: &Transaction<'_>,
    place: &str,
    t: Option<NaiveDate>,
    opts: &Options,
) -> Result<Vec<ControlClaim>> {
    let lookback = t
        .and_then(|t| t.checked_sub_days(Days::new(60 + opts.control_horizon_days.max(0) as u64)))
        .map(day);
    let mut stmt = tx.prepare_cached(
        "SELECT json FROM control_claims WHERE place_id = ?1 AND (?2 IS NULL OR date IS NULL OR date >= ?2)",
    )?;
    let mut near: Vec<ControlClaim> = stmt
        .query_map(params![place, lookback], |r| r.get::<_, String>(0))?
        .map(|j| Ok(serde_json::from_str(&j?)?))
        .collect::<Result<_>>()?;
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
pub(crate) fn fill_urls(tx: &Transaction<'_>, alerts: &mut [Alert]) -> Result<()> {
    let mut stmt = tx.prepare_cached("SELECT url FROM docs WHERE id = ?1")?;
    for a in alerts {
        for c in [&mut a.a, &mut a.b] {
            c.url = stmt
                .query_row([&c.doc_id], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten();
        }
    }
    Ok(())
}

/// Writes each incident's row and its members' rows of `incident_events`.
pub(crate) fn write_incidents(tx: &Transaction<'_>, incidents: &[Incident]) -> Result<()> {
    for inc in incidents {
        write_incident_row(tx, inc)?;
        for c in &inc.claims {
            write_member(tx, &c.event_id, &inc.id)?;
        }
    }
    Ok(())
}

/// Writes the row of `incidents` of one incident (not its members).
pub(crate) fn write_incident_row(tx: &Transaction<'_>, inc: &Incident) -> Result<()> {
    insert_incident(tx, &crate::rows::incident_row(inc)?)
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
pub(crate) fn write_control_claims(tx: &Transaction<'_>, claims: &[ControlClaim]) -> Result<()> {
    for c in claims {
        insert_control_claim(tx, &crate::rows::control_row(c)?)?;
    }
    Ok(())
}

/// Appends a row to `control_claims` (numbered on from the last `seq`).
pub(crate) fn insert_control_claim(tx: &Transaction<'_>, r: &crate::rows::ControlRow) -> Result<()> {
    let mut ins =
        tx.prepare_cached("INSERT INTO control_claims(place_id, date, source, json) VALUES (?1, ?2, ?3, ?4)")?;
    ins.execute(params![r.place_id, r.date, r.source, r.json])?;
    Ok(())
}

pub(crate) fn write_contradictions(tx: &Transaction<'_>, list: &[rasd_reconcile::Contradiction]) -> Result<()> {
    for c in list {
        debug_assert!(c.kind != ContradictionKind::Controller || c.incident_id.is_none());
        insert_contradiction(tx, &crate::rows::contradiction_row(c)?)?;
    }
    Ok(())
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
