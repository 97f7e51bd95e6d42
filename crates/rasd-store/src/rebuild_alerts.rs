//! The reconcile of a batch of new events that reaches far back (news dated over the whole history): the
//! incremental reconcile would read again most stored events and hold them, so the streamed rebuild
//! (`rebuild.rs`, bounded memory) takes its place, and the alerts the incremental reconcile raises are found
//! by difference, with bounded memory too:
//!
//! - **new contradictions**: the ids of the contradictions stored before are kept in a temporary table; each
//!   contradiction after the rebuild whose id is not there is raised, its sides completed from its incident
//!   (read back, one at a time) or from its place's control claims (one place at a time);
//! - **changes of controller**: for each place of a new control claim (the new events are kept in a temporary
//!   table), the timeline with the new claims against the timeline without them, from the earliest new claim
//!   on, exactly as the incremental reconcile compares them (`incremental::new_changes`).
//!
//! The derived tables end as the incremental reconcile leaves them (both equal a full rebuild; only
//! `control_claims.seq` differs: the rebuild numbers every claim in timeline order, the incremental reconcile
//! appends the new ones), and the same alerts are stored; they may be stored in another order (their `seq`).
//! `tests/incremental.rs` checks both on random batches.

use crate::alerts::Alert;
use crate::incremental::{
    Phases, alerting, claims_by_event, controller_contradiction_alert, fill_urls, incident_contradiction_alert,
    near_claims, new_changes,
};
use crate::{ReconcileStats, Result, rebuild};
use chrono::NaiveDate;
use rasd_reconcile::{Contradiction, ControlClaim, Incident, Options};
use rusqlite::{Transaction, params};
use std::collections::{HashMap, HashSet};

/// Alerts are stored as they are found, this many at a time.
const CHUNK: usize = 256;

/// Buffers alerts and stores them (with their documents' URLs) a chunk at a time.
struct Sink<'a, 'conn> {
    tx: &'a Transaction<'conn>,
    alerts: Vec<Alert>,
}

impl Sink<'_, '_> {
    fn push(&mut self, a: Alert) -> Result<()> {
        self.alerts.push(a);
        if self.alerts.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.alerts.is_empty() {
            fill_urls(self.tx, &mut self.alerts)?;
            crate::alerts::store(self.tx, &self.alerts)?;
            self.alerts.clear();
        }
        Ok(())
    }
}

/// Rebuilds the derived tables (streamed) and stores the alerts that the incremental reconcile of the pending
/// events would have stored.
pub(crate) fn rebuild_raising(tx: &Transaction<'_>, opts: &Options) -> Result<ReconcileStats> {
    let mut phase = Phases::new();
    if !alerting(tx) {
        return rebuild::rebuild(&mut rebuild::Sqlite(tx), opts);
    }
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS rc_before(id TEXT PRIMARY KEY) WITHOUT ROWID;
         CREATE TEMP TABLE IF NOT EXISTS rc_new(id TEXT PRIMARY KEY) WITHOUT ROWID;
         DELETE FROM temp.rc_before; DELETE FROM temp.rc_new;
         INSERT OR IGNORE INTO temp.rc_before(id) SELECT id FROM contradictions;
         INSERT OR IGNORE INTO temp.rc_new(id) SELECT event_id FROM reconcile_pending;",
    )?;
    phase.mark("contradictions before and new events noted");
    let stats = rebuild::rebuild(&mut rebuild::Sqlite(tx), opts)?;
    phase.mark("rebuilt");
    let mut sink = Sink { tx, alerts: Vec::new() };
    // New contradictions within incidents, each with its incident's claims.
    {
        let mut stmt = tx.prepare(
            "SELECT c.json, i.json FROM contradictions c LEFT JOIN incidents i ON i.id = c.incident_id
             WHERE c.kind <> 'controller' AND c.id NOT IN (SELECT id FROM temp.rc_before) ORDER BY c.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let c: Contradiction = serde_json::from_str(&r.get::<_, String>(0)?)?;
            let incident: Option<Incident> = r
                .get::<_, Option<String>>(1)?
                .map(|j| serde_json::from_str(&j))
                .transpose()?;
            let claims: HashMap<&str, &rasd_reconcile::IncidentClaim> = incident
                .iter()
                .flat_map(|i| i.claims.iter().map(|c| (c.event_id.as_str(), c)))
                .collect();
            sink.push(incident_contradiction_alert(&c, &claims))?;
        }
    }
    phase.mark("new incident contradictions");
    // New controller contradictions, place by place, each with its place's claims.
    {
        let mut stmt = tx.prepare(
            "SELECT place_id, json FROM contradictions
             WHERE kind = 'controller' AND id NOT IN (SELECT id FROM temp.rc_before) ORDER BY place_id, id",
        )?;
        let mut rows = stmt.query([])?;
        let mut place: Option<String> = None;
        let mut claims: Vec<ControlClaim> = Vec::new();
        while let Some(r) = rows.next()? {
            let p: Option<String> = r.get(0)?;
            if p != place {
                claims = match &p {
                    Some(p) => near_claims(tx, p, None, opts)?,
                    None => Vec::new(),
                };
                place = p;
            }
            let c: Contradiction = serde_json::from_str(&r.get::<_, String>(1)?)?;
            sink.push(controller_contradiction_alert(&c, &claims_by_event(&claims)))?;
        }
    }
    phase.mark("new controller contradictions");
    // Changes of controller, per place of a new claim.
    let places: Vec<String> = {
        let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
        let mut stmt = tx.prepare(
            "SELECT DISTINCT e.place_id FROM temp.rc_new n CROSS JOIN events e ON e.id = n.id
             WHERE e.place_id IS NOT NULL AND e.sub_event_type IN (?1, ?2, ?3) ORDER BY 1",
        )?;
        stmt.query_map(params![a, b, c], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?
    };
    let mut is_new = tx.prepare("SELECT EXISTS(SELECT 1 FROM temp.rc_new WHERE id = ?1)")?;
    for place in places {
        let mut new_ids: HashSet<String> = HashSet::new();
        // The earliest new claim's date (`None` when a new claim is undated), as the incremental reconcile takes it.
        let mut earliest: Option<Option<NaiveDate>> = None;
        for c in near_claims(tx, &place, None, opts)? {
            if is_new.query_row([&c.event_id], |r| r.get::<_, bool>(0))? {
                earliest = Some(match (earliest, c.date) {
                    (None, d) => d,
                    (Some(Some(a)), Some(b)) => Some(a.min(b)),
                    _ => None,
                });
                new_ids.insert(c.event_id);
            }
        }
        let Some(t) = earliest else { continue };
        let near = near_claims(tx, &place, t, opts)?;
        for a in new_changes(&near, |id| new_ids.contains(id), t, opts) {
            sink.push(a)?;
        }
    }
    sink.flush()?;
    tx.execute_batch("DELETE FROM temp.rc_before; DELETE FROM temp.rc_new;")?;
    phase.mark("changes of controller, alerts stored");
    Ok(stats)
}
