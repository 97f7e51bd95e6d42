//! The full rebuild of the derived tables, streamed: the same rows as a reconcile of every stored event at once
//! ([`crate::rows::derived`], which the PostgreSQL backend still uses), written as they are found, so that what
//! is held in memory is bounded by what one date window, one incident or one place holds, not by the database.
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

use crate::incremental::{Phases, write_contradictions, write_control_claims, write_incident_row, write_member};
use crate::{ReconcileStats, Result, rows};
use rasd_reconcile::{IncidentStream, Membership, Options, Report};
use rusqlite::{Transaction, params};
use std::collections::HashSet;

/// Empties the derived tables and fills them again from every stored event.
pub(crate) fn rebuild(tx: &Transaction<'_>, opts: &Options) -> Result<ReconcileStats> {
    let mut phase = Phases::new();
    tx.execute_batch(
        "DELETE FROM incidents; DELETE FROM incident_events; DELETE FROM control_claims;
         DELETE FROM contradictions; DELETE FROM places; DELETE FROM reconcile_pending;",
    )?;
    phase.mark("old rows deleted");
    let mut stats = ReconcileStats {
        events: members(tx, opts)?,
        ..ReconcileStats::default()
    };
    phase.mark("events clustered, members written");
    incidents(tx, opts, &mut stats)?;
    phase.mark("incidents and their contradictions written");
    control(tx, opts, &mut stats)?;
    phase.mark("control claims and controller contradictions written");
    tx.execute_batch(rows::PLACES_SQL)?;
    phase.mark("places written");
    Ok(stats)
}

/// Step 1: clusters every event and writes each incident's members as soon as it is closed; the number of
/// events read.
fn members(tx: &Transaction<'_>, opts: &Options) -> Result<u64> {
    fn write(tx: &Transaction<'_>, done: &mut Vec<Membership>) -> Result<()> {
        for m in done.drain(..) {
            let incident = format!("inc-{}", m.anchor);
            for event in &m.members {
                write_member(tx, event, &incident)?;
            }
        }
        Ok(())
    }
    let mut stream = IncidentStream::new(opts);
    let mut done = Vec::new();
    let mut read = 0;
    let mut stmt = tx.prepare("SELECT json FROM events ORDER BY sub_event_type, event_date, id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let event: rasd_core::Event = serde_json::from_str(&r.get::<_, String>(0)?)?;
        stream.push(&event, &mut done);
        write(tx, &mut done)?;
        read += 1;
    }
    stream.finish(&mut done);
    write(tx, &mut done)?;
    Ok(read)
}

/// Reads the report of a stored event from the columns `json, outlet, near_dup_of, published` at `from`.
fn report_at(r: &rusqlite::Row<'_>, from: usize) -> Result<Report> {
    rows::report(
        &r.get::<_, String>(from)?,
        r.get(from + 1)?,
        r.get(from + 2)?,
        r.get::<_, Option<String>>(from + 3)?.as_deref(),
    )
}

/// Step 2: builds and writes each incident, with its contradictions, from its members.
fn incidents(tx: &Transaction<'_>, opts: &Options, stats: &mut ReconcileStats) -> Result<()> {
    let mut write = |id: &str, members: &[Report]| -> Result<()> {
        // Step 1 wrote the anchor with its members; a stored event whose JSON names another id than its row does
        // breaks that, and is reported as such.
        let anchor = members
            .iter()
            .position(|r| id.strip_prefix("inc-") == Some(r.event.id.as_str()))
            .ok_or_else(|| crate::Error::Corrupt {
                path: tx.path().unwrap_or_default().into(),
                detail: format!(
                    "incident {id}: its anchor event is not among its members (the events table disagrees with itself)"
                ),
            })?;
        let incident = rasd_reconcile::incident_of(members, anchor);
        write_incident_row(tx, &incident)?;
        let contradictions = rasd_reconcile::contradictions(std::slice::from_ref(&incident), &[], opts);
        write_contradictions(tx, &contradictions)?;
        stats.incidents += 1;
        stats.contradictions += contradictions.len() as u64;
        Ok(())
    };
    let mut stmt = tx.prepare(
        "SELECT ie.incident_id, e.json, e.outlet, d.near_dup_of, d.published
         FROM incident_events ie CROSS JOIN events e ON e.id = ie.event_id LEFT JOIN docs d ON d.id = e.doc_id
         ORDER BY ie.incident_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current = String::new();
    let mut members: Vec<Report> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if id != current && !members.is_empty() {
            write(&current, &members)?;
            members.clear();
        }
        current = id;
        members.push(report_at(r, 1)?);
    }
    if !members.is_empty() {
        write(&current, &members)?;
    }
    Ok(())
}

/// Step 3: the control claims and controller contradictions of each place of a territory event.
fn control(tx: &Transaction<'_>, opts: &Options, stats: &mut ReconcileStats) -> Result<()> {
    let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
    let places: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT place_id FROM events
             WHERE sub_event_type IN (?1, ?2, ?3) AND place_id IS NOT NULL ORDER BY place_id",
        )?;
        stmt.query_map(params![a, b, c], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?
    };
    let mut stmt = tx.prepare(
        "SELECT e.json, e.outlet, d.near_dup_of, d.published FROM events e LEFT JOIN docs d ON d.id = e.doc_id
         WHERE e.place_id = ?1 AND e.sub_event_type IN (?2, ?3, ?4)",
    )?;
    for place in places {
        let mut reports = Vec::new();
        let mut rows = stmt.query(params![place, a, b, c])?;
        while let Some(r) = rows.next()? {
            reports.push(report_at(r, 0)?);
        }
        let claims = rasd_reconcile::control_claims(&reports);
        drop(reports);
        write_control_claims(tx, &claims)?;
        let contradictions = rasd_reconcile::controller_contradictions(&claims, &mut HashSet::new(), opts);
        write_contradictions(tx, &contradictions)?;
        stats.control_claims += claims.len() as u64;
        stats.contradictions += contradictions.len() as u64;
    }
    Ok(())
}
