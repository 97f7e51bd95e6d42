//! The full rebuild of the derived tables, streamed: the same rows as a reconcile of every stored event at once
//! ([`crate::rows::derived`], which the tests compare it with), written as they are found, so that what is held
//! in memory is bounded by what one date window, one incident or one place holds, not by the database. Both
//! backends run this one implementation: the SQLite store through [`Sqlite`] (its write transaction), the
//! PostgreSQL store (`rasd_pg::work::rebuild`) through its own [`Backend`].
//!
//! 1. **Members.** Every event is read in the order clustering takes them (sub-event type, date, id: the index
//!    `events_sub_date`) and fed to a [`rasd_reconcile::IncidentStream`], which holds only the clusters that
//!    events still to come may join, with a few strings of each. Each incident it closes is written to
//!    `incident_events` at once.
//! 2. **Incidents.** `incident_events` is read back in incident order (its index `incident_events_incident`),
//!    with each member's event and document: each incident is built from its members' reports
//!    ([`rasd_reconcile::incident_of`]) and written with its contradictions, then dropped.
//! 3. **Control claims**, place by place (the places of territory events, in id order): a place's claims and
//!    their controller contradictions only ever involve that place. The claims come in the order a full
//!    reconcile sorts them (place, date, source, event), so they get the same `seq`.
//! 4. **Places**, by the same SQL as before ([`crate::rows::PLACES_SQL`]).
//!
//! It all runs in the caller's transaction: readers see the old tables until it commits.

use crate::incremental::{Phases, insert_contradiction, insert_control_claim, insert_incident, write_member};
use crate::rows::{self, ContradictionRow, ControlRow, IncidentRow};
use crate::{ReconcileStats, Result};
use rasd_reconcile::{IncidentStream, Membership, Options, Report};
use rusqlite::{Transaction, params};
use std::collections::HashSet;

/// What [`Backend::each_event`] calls: with the backend (to write with) and an event's JSON.
pub type EachEvent<'f, B> = dyn FnMut(&mut B, &str) -> Result<(), <B as Backend>::Error> + 'f;

/// What [`Backend::each_member`] calls: with the backend, an incident's id and one member's report.
pub type EachMember<'f, B> = dyn FnMut(&mut B, &str, Report) -> Result<(), <B as Backend>::Error> + 'f;

/// Where the streamed rebuild reads the stored events and writes the derived rows, in one transaction. A read
/// hands each row to a callback that may write meanwhile (the reads are cursors, never the whole table).
/// Text is compared bytewise in every order named here (SQLite's default; `COLLATE "C"` on PostgreSQL).
pub trait Backend: Sized {
    type Error: From<crate::Error>;
    /// What [`crate::Error::Corrupt`] names (the database file, or the server).
    fn database(&self) -> std::path::PathBuf;
    /// Empties the derived tables and `reconcile_pending`.
    fn clear(&mut self) -> Result<(), Self::Error>;
    /// Calls `each` with the JSON of every stored event, in the order clustering takes them: sub-event type,
    /// date (undated first), id.
    fn each_event(&mut self, each: &mut EachEvent<'_, Self>) -> Result<(), Self::Error>;
    /// Writes the row of `incident_events` that puts an event in an incident (replacing one it was in).
    fn write_member(&mut self, event_id: &str, incident_id: &str) -> Result<(), Self::Error>;
    /// Calls `each` with every row of `incident_events`, in incident order: the incident's id and its member's
    /// report (its event, outlet, and document's near-duplicate link and publication date, see [`rows::report`]).
    fn each_member(&mut self, each: &mut EachMember<'_, Self>) -> Result<(), Self::Error>;
    /// Writes a row of `incidents`, replacing one of the same id.
    fn write_incident(&mut self, row: &IncidentRow) -> Result<(), Self::Error>;
    /// Writes a row of `contradictions`, replacing one of the same id.
    fn write_contradiction(&mut self, row: &ContradictionRow) -> Result<(), Self::Error>;
    /// The places of the territory events ([`rasd_reconcile::TERRITORY`]), in id order.
    fn territory_places(&mut self) -> Result<Vec<String>, Self::Error>;
    /// The reports of the territory events at `place`.
    fn place_reports(&mut self, place: &str) -> Result<Vec<Report>, Self::Error>;
    /// Appends a row to `control_claims`, numbered on from the last (`seq` from 1 after [`Backend::clear`]).
    fn write_control_claim(&mut self, row: &ControlRow) -> Result<(), Self::Error>;
    /// Fills `places` from `events` and `control_claims` ([`rows::PLACES_SQL`]).
    fn write_places(&mut self) -> Result<(), Self::Error>;
}

/// Empties the derived tables and fills them again from every stored event.
pub fn rebuild<B: Backend>(b: &mut B, opts: &Options) -> Result<ReconcileStats, B::Error> {
    let mut phase = Phases::new();
    b.clear()?;
    phase.mark("old rows deleted");
    let mut stats = ReconcileStats {
        events: members(b, opts)?,
        ..ReconcileStats::default()
    };
    phase.mark("events clustered, members written");
    incidents(b, opts, &mut stats)?;
    phase.mark("incidents and their contradictions written");
    control(b, opts, &mut stats)?;
    phase.mark("control claims and controller contradictions written");
    b.write_places()?;
    phase.mark("places written");
    Ok(stats)
}

/// Step 1: clusters every event and writes each incident's members as soon as it is closed; the number of
/// events read.
fn members<B: Backend>(b: &mut B, opts: &Options) -> Result<u64, B::Error> {
    fn write<B: Backend>(b: &mut B, done: &mut Vec<Membership>) -> Result<(), B::Error> {
        for m in done.drain(..) {
            let incident = format!("inc-{}", m.anchor);
            for event in &m.members {
                b.write_member(event, &incident)?;
            }
        }
        Ok(())
    }
    let mut stream = IncidentStream::new(opts);
    let mut done = Vec::new();
    let mut read = 0;
    b.each_event(&mut |b, json| {
        let event: rasd_core::Event = serde_json::from_str(json).map_err(crate::Error::from)?;
        stream.push(&event, &mut done);
        write(b, &mut done)?;
        read += 1;
        Ok(())
    })?;
    stream.finish(&mut done);
    write(b, &mut done)?;
    Ok(read)
}

/// Step 2: builds and writes each incident, with its contradictions, from its members.
fn incidents<B: Backend>(b: &mut B, opts: &Options, stats: &mut ReconcileStats) -> Result<(), B::Error> {
    let write = |b: &mut B, stats: &mut ReconcileStats, id: &str, members: &[Report]| -> Result<(), B::Error> {
        // Step 1 wrote the anchor with its members; a stored event whose JSON names another id than its row does
        // breaks that, and is reported as such.
        let anchor = members
            .iter()
            .position(|r| id.strip_prefix("inc-") == Some(r.event.id.as_str()))
            .ok_or_else(|| crate::Error::Corrupt {
                path: b.database(),
                detail: format!(
                    "incident {id}: its anchor event is not among its members (the events table disagrees with itself)"
                ),
            })?;
        let incident = rasd_reconcile::incident_of(members, anchor);
        b.write_incident(&rows::incident_row(&incident)?)?;
        let contradictions = rasd_reconcile::contradictions(std::slice::from_ref(&incident), &[], opts);
        for c in &contradictions {
            b.write_contradiction(&rows::contradiction_row(c)?)?;
        }
        stats.incidents += 1;
        stats.contradictions += contradictions.len() as u64;
        Ok(())
    };
    let mut current = String::new();
    let mut members: Vec<Report> = Vec::new();
    b.each_member(&mut |b, id, report| {
        if id != current {
            if !members.is_empty() {
                write(b, stats, &current, &members)?;
                members.clear();
            }
            current = id.to_string();
        }
        members.push(report);
        Ok(())
    })?;
    if !members.is_empty() {
        write(b, stats, &current, &members)?;
    }
    Ok(())
}

/// Step 3: the control claims and controller contradictions of each place of a territory event.
fn control<B: Backend>(b: &mut B, opts: &Options, stats: &mut ReconcileStats) -> Result<(), B::Error> {
    for place in b.territory_places()? {
        let reports = b.place_reports(&place)?;
        let claims = rasd_reconcile::control_claims(&reports);
        drop(reports);
        for c in &claims {
            b.write_control_claim(&rows::control_row(c)?)?;
        }
        let contradictions = rasd_reconcile::controller_contradictions(&claims, &mut HashSet::new(), opts);
        for c in &contradictions {
            b.write_contradiction(&rows::contradiction_row(c)?)?;
        }
        stats.control_claims += claims.len() as u64;
        stats.contradictions += contradictions.len() as u64;
    }
    Ok(())
}

/// The SQLite store's write transaction as a [`Backend`].
pub(crate) struct Sqlite<'a, 'conn>(pub(crate) &'a Transaction<'conn>);

/// Reads the report of a stored event from the columns `json, outlet, near_dup_of, published` at `from`.
fn report_at(r: &rusqlite::Row<'_>, from: usize) -> Result<Report> {
    rows::report(
        &r.get::<_, String>(from)?,
        r.get(from + 1)?,
        r.get(from + 2)?,
        r.get::<_, Option<String>>(from + 3)?.as_deref(),
    )
}

impl Backend for Sqlite<'_, '_> {
    type Error = crate::Error;

    fn database(&self) -> std::path::PathBuf {
        self.0.path().unwrap_or_default().into()
    }

    fn clear(&mut self) -> Result<()> {
        self.0.execute_batch(
            "DELETE FROM incidents; DELETE FROM incident_events; DELETE FROM control_claims;
             DELETE FROM contradictions; DELETE FROM places; DELETE FROM reconcile_pending;",
        )?;
        Ok(())
    }

    fn each_event(&mut self, each: &mut EachEvent<'_, Self>) -> Result<()> {
        let tx = self.0;
        let mut stmt = tx.prepare("SELECT json FROM events ORDER BY sub_event_type, event_date, id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            each(self, &r.get::<_, String>(0)?)?;
        }
        Ok(())
    }

    fn write_member(&mut self, event_id: &str, incident_id: &str) -> Result<()> {
        write_member(self.0, event_id, incident_id)
    }

    fn each_member(&mut self, each: &mut EachMember<'_, Self>) -> Result<()> {
        let tx = self.0;
        let mut stmt = tx.prepare(
            "SELECT ie.incident_id, e.json, e.outlet, d.near_dup_of, d.published
             FROM incident_events ie CROSS JOIN events e ON e.id = ie.event_id LEFT JOIN docs d ON d.id = e.doc_id
             ORDER BY ie.incident_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            each(self, &r.get::<_, String>(0)?, report_at(r, 1)?)?;
        }
        Ok(())
    }

    fn write_incident(&mut self, row: &IncidentRow) -> Result<()> {
        insert_incident(self.0, row)
    }

    fn write_contradiction(&mut self, row: &ContradictionRow) -> Result<()> {
        insert_contradiction(self.0, row)
    }

    fn territory_places(&mut self) -> Result<Vec<String>> {
        let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
        let mut stmt = self.0.prepare(
            "SELECT DISTINCT place_id FROM events
             WHERE sub_event_type IN (?1, ?2, ?3) AND place_id IS NOT NULL ORDER BY place_id",
        )?;
        Ok(stmt
            .query_map(params![a, b, c], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?)
    }

    fn place_reports(&mut self, place: &str) -> Result<Vec<Report>> {
        let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
        let mut stmt = self.0.prepare_cached(
            "SELECT e.json, e.outlet, d.near_dup_of, d.published FROM events e LEFT JOIN docs d ON d.id = e.doc_id
             WHERE e.place_id = ?1 AND e.sub_event_type IN (?2, ?3, ?4)",
        )?;
        let mut reports = Vec::new();
        let mut rows = stmt.query(params![place, a, b, c])?;
        while let Some(r) = rows.next()? {
            reports.push(report_at(r, 0)?);
        }
        Ok(reports)
    }

    fn write_control_claim(&mut self, row: &ControlRow) -> Result<()> {
        insert_control_claim(self.0, row)
    }

    fn write_places(&mut self) -> Result<()> {
        self.0.execute_batch(rows::PLACES_SQL)?;
        Ok(())
    }
}

impl crate::ReadDb for Sqlite<'_, '_> {
    fn each_row(
        &self,
        sql: &str,
        args: &[crate::Arg],
        visit: &mut dyn FnMut(&dyn crate::Row) -> Result<bool>,
    ) -> Result<()> {
        (**self.0).each_row(sql, args, visit)
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        (**self.0).has_table(name)
    }
}

/// The SQLite store's write transaction as the incremental reconcile's backend: the statements it sent before
/// the backend trait existed (the same SQL, prepared and cached on the connection).
impl crate::incremental::Backend for Sqlite<'_, '_> {
    fn execute(&self, sql: &str, args: &[crate::Arg]) -> Result<()> {
        self.0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(args.iter()))?;
        Ok(())
    }

    fn scratch(&self) -> Result<()> {
        self.0.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS rc_events(id TEXT PRIMARY KEY) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS rc_incidents(id TEXT PRIMARY KEY) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS rc_before(id TEXT PRIMARY KEY) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS rc_new(id TEXT PRIMARY KEY) WITHOUT ROWID;",
        )?;
        Ok(())
    }

    fn write_incident(&self, row: &IncidentRow) -> Result<()> {
        insert_incident(self.0, row)
    }

    fn write_member(&self, event_id: &str, incident_id: &str) -> Result<()> {
        write_member(self.0, event_id, incident_id)
    }

    fn write_contradiction(&self, row: &ContradictionRow) -> Result<()> {
        insert_contradiction(self.0, row)
    }

    fn rebuild(&self, opts: &Options) -> Result<ReconcileStats> {
        rebuild(&mut Sqlite(self.0), opts)
    }
}
