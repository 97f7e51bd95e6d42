//! Alerts: a new contradiction, or a change of controller on a place, raised by an incremental reconcile and
//! stored in `alerts` in the same transaction (once each: the key is unique). `rasd watch --alerts` writes them
//! as JSON lines (and POSTs them to a webhook); `rasd alerts --since` lists them.

use crate::{Arg, ReadDb, Result};
use chrono::NaiveDate;
use rasd_reconcile::{Contradiction, ControlClaim, Side, Timeline};
use serde::{Deserialize, Serialize};

/// One claim named by an alert: who, what, when, and the document it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertClaim {
    pub source: String,
    /// What the claim says ("isis holds 40–50%", "12 killed", "denies the …").
    pub claim: String,
    pub stance: Option<String>,
    /// Who holds the place according to this claim (control claims).
    pub controller: Option<String>,
    pub date: Option<NaiveDate>,
    pub event_id: String,
    pub doc_id: String,
    pub url: Option<String>,
    pub evidence: String,
}

impl AlertClaim {
    pub(crate) fn from_side(
        s: &Side,
        stance: Option<String>,
        controller: Option<String>,
        date: Option<NaiveDate>,
    ) -> AlertClaim {
        AlertClaim {
            source: s.source.clone(),
            claim: s.claim.clone(),
            stance,
            controller,
            date,
            event_id: s.event_id.clone(),
            doc_id: s.doc_id.clone(),
            url: None,
            evidence: s.evidence.clone(),
        }
    }

    fn from_control(c: &ControlClaim) -> AlertClaim {
        AlertClaim {
            source: c.source.clone(),
            claim: c.describe(),
            stance: Some(c.stance.as_str().to_string()),
            controller: c.holder.clone(),
            date: c.date,
            event_id: c.event_id.clone(),
            doc_id: c.doc_id.clone(),
            url: None,
            evidence: c.evidence.chars().take(240).collect(),
        }
    }
}

/// An alert, as written on `--alerts` and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `contradiction` or `controller_change`.
    pub alert: String,
    /// When it was raised (RFC 3339, UTC).
    pub at: String,
    /// The contradiction's id, or `controller:PLACE:DATE:FROM:TO`.
    pub id: String,
    /// The contradiction kind (`controller`, `fatalities`, `date`, `existence`); `controller` for a change.
    pub kind: String,
    pub place: Option<String>,
    pub place_id: Option<String>,
    pub date: Option<NaiveDate>,
    /// For a change of controller: the controller before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The two claims: for a contradiction, its two sides; for a change, the claim behind the old controller
    /// and the claim behind the new one.
    pub a: AlertClaim,
    pub b: AlertClaim,
}

fn now() -> chrono::DateTime<chrono::Utc> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

impl Alert {
    pub(crate) fn contradiction(c: &Contradiction, a: AlertClaim, b: AlertClaim) -> Alert {
        Alert {
            alert: "contradiction".to_string(),
            at: now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            id: c.id.clone(),
            kind: c.kind.as_str().to_string(),
            place: c.place_name.clone(),
            place_id: c.place_id.clone(),
            date: c.date,
            from: None,
            to: None,
            a,
            b,
        }
    }

    pub(crate) fn controller_change(
        tl: &Timeline,
        date: NaiveDate,
        from: &str,
        to: &str,
        before: &ControlClaim,
        after: &ControlClaim,
    ) -> Alert {
        Alert {
            alert: "controller_change".to_string(),
            at: now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            id: format!("controller:{}:{date}:{from}:{to}", tl.place_id),
            kind: "controller".to_string(),
            place: Some(tl.place_name.clone()),
            place_id: Some(tl.place_id.clone()),
            date: Some(date),
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            a: AlertClaim::from_control(before),
            b: AlertClaim::from_control(after),
        }
    }
}

/// Stores alerts not stored before (by id), stamped now.
pub(crate) fn store(db: &dyn crate::incremental::Backend, alerts: &[Alert]) -> Result<()> {
    let at = now().timestamp();
    let rows = alerts
        .iter()
        .map(|a| {
            Ok(vec![
                at.into(),
                a.alert.as_str().into(),
                a.id.as_str().into(),
                serde_json::to_string(a)?.into(),
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    // In order (their `seq`); a key already stored, or twice in `alerts`, is stored once.
    db.execute_rows(
        "INSERT INTO alerts(at, kind, key, json) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        &rows,
    )
}

impl<'a> dyn ReadDb + 'a {
    /// Alerts raised at or after `since` (Unix seconds), oldest first, each with its sequence number.
    pub fn alerts_since(&self, since: i64) -> Result<Vec<(i64, Alert)>> {
        self.alerts_where("at >= ?1", since)
    }

    /// Alerts stored after sequence number `seq`, oldest first.
    pub fn alerts_after(&self, seq: i64) -> Result<Vec<(i64, Alert)>> {
        self.alerts_where("seq > ?1", seq)
    }

    /// The sequence number of the last alert (0 when none).
    pub fn last_alert_seq(&self) -> Result<i64> {
        // A database that a reader opened before any writer migrated it has no alerts yet.
        if !self.has_table("alerts")? {
            return Ok(0);
        }
        Ok(self
            .first("SELECT coalesce(max(seq), 0) FROM alerts", &[], |r| {
                crate::db::int(r, 0)
            })?
            .unwrap_or(0))
    }

    fn alerts_where(&self, cond: &str, v: i64) -> Result<Vec<(i64, Alert)>> {
        // A database that a reader opened before any writer migrated it has no alerts yet.
        if !self.has_table("alerts")? {
            return Ok(Vec::new());
        }
        self.rows(
            &format!("SELECT seq, json FROM alerts WHERE {cond} ORDER BY seq"),
            &[Arg::Int(v)],
            |r| Ok((crate::db::int(r, 0)?, serde_json::from_str(&crate::db::text(r, 1)?)?)),
        )
    }
}
