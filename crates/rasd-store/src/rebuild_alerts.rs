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

use crate::ReadDb;
use crate::alerts::Alert;
use crate::db::{int, text};
use crate::incremental::{
    Backend, Phases, alerting, claims_by_event, controller_contradiction_alert, fill_urls,
    incident_contradiction_alert, near_claims, new_changes,
};
use crate::{ReconcileStats, Result};
use chrono::NaiveDate;
use rasd_reconcile::{Contradiction, ControlClaim, Incident, Options};
use std::collections::{HashMap, HashSet};

/// Alerts are stored as they are found, this many at a time.
const CHUNK: usize = 256;

/// Buffers alerts and stores them (with their documents' URLs) a chunk at a time.
struct Sink<'a> {
    tx: &'a dyn Backend,
    alerts: Vec<Alert>,
}

impl Sink<'_> {
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
pub(crate) fn rebuild_raising(tx: &dyn Backend, opts: &Options) -> Result<ReconcileStats> {
    let mut phase = Phases::new();
    if !alerting(tx) {
        return tx.rebuild(opts);
    }
    tx.scratch()?;
    tx.execute("DELETE FROM rc_before", &[])?;
    tx.execute("DELETE FROM rc_new", &[])?;
    tx.execute(
        "INSERT INTO rc_before(id) SELECT id FROM contradictions WHERE true ON CONFLICT DO NOTHING",
        &[],
    )?;
    tx.execute(
        "INSERT INTO rc_new(id) SELECT event_id FROM reconcile_pending WHERE true ON CONFLICT DO NOTHING",
        &[],
    )?;
    phase.mark("contradictions before and new events noted");
    let stats = tx.rebuild(opts)?;
    phase.mark("rebuilt");
    let mut sink = Sink { tx, alerts: Vec::new() };
    // New contradictions within incidents, each with its incident's claims.
    tx.each_row(
        "SELECT c.json, i.json FROM contradictions c LEFT JOIN incidents i ON i.id = c.incident_id
         WHERE c.kind <> 'controller' AND c.id NOT IN (SELECT id FROM rc_before) ORDER BY c.id",
        &[],
        &mut |r| {
            let c: Contradiction = serde_json::from_str(&text(r, 0)?)?;
            let incident: Option<Incident> = r.text(1)?.map(|j| serde_json::from_str(&j)).transpose()?;
            let claims: HashMap<&str, &rasd_reconcile::IncidentClaim> = incident
                .iter()
                .flat_map(|i| i.claims.iter().map(|c| (c.event_id.as_str(), c)))
                .collect();
            sink.push(incident_contradiction_alert(&c, &claims))?;
            Ok(true)
        },
    )?;
    phase.mark("new incident contradictions");
    // New controller contradictions, place by place, each with its place's claims.
    {
        let mut place: Option<String> = None;
        let mut claims: Vec<ControlClaim> = Vec::new();
        tx.each_row(
            "SELECT place_id, json FROM contradictions
             WHERE kind = 'controller' AND id NOT IN (SELECT id FROM rc_before) ORDER BY place_id, id",
            &[],
            &mut |r| {
                let p: Option<String> = r.text(0)?;
                if p != place {
                    claims = match &p {
                        Some(p) => near_claims(tx, p, None, opts)?,
                        None => Vec::new(),
                    };
                    place = p;
                }
                let c: Contradiction = serde_json::from_str(&text(r, 1)?)?;
                sink.push(controller_contradiction_alert(&c, &claims_by_event(&claims)))?;
                Ok(true)
            },
        )?;
    }
    phase.mark("new controller contradictions");
    // Changes of controller, per place of a new claim.
    let places: Vec<String> = {
        let [a, b, c] = rasd_reconcile::TERRITORY.map(|s| s.name());
        (tx as &dyn ReadDb).rows(
            "SELECT DISTINCT e.place_id FROM rc_new n CROSS JOIN events e ON e.id = n.id
             WHERE e.place_id IS NOT NULL AND e.sub_event_type IN (?1, ?2, ?3) ORDER BY 1",
            &[a.into(), b.into(), c.into()],
            |r| text(r, 0),
        )?
    };
    let is_new = |id: &str| -> Result<bool> {
        Ok((tx as &dyn ReadDb)
            .first("SELECT EXISTS(SELECT 1 FROM rc_new WHERE id = ?1)", &[id.into()], |r| {
                int(r, 0)
            })?
            .is_some_and(|v| v != 0))
    };
    for place in places {
        let mut new_ids: HashSet<String> = HashSet::new();
        // The earliest new claim's date (`None` when a new claim is undated), as the incremental reconcile takes it.
        let mut earliest: Option<Option<NaiveDate>> = None;
        for c in near_claims(tx, &place, None, opts)? {
            if is_new(&c.event_id)? {
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
    tx.execute("DELETE FROM rc_before", &[])?;
    tx.execute("DELETE FROM rc_new", &[])?;
    phase.mark("changes of controller, alerts stored");
    Ok(stats)
}
