//! Queries for `rasd serve` (the rasd-serve crate): compact map points, one event by id, light counts, and the
//! corrections analysts file against events. Corrections live in their own table, created on the first one:
//! a correction is a new row, never an edit of the event it is about.

use crate::{Result, Store, StoredEvent};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// One located event, with just what a map draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPoint {
    pub id: String,
    pub doc_id: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub date: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub fatalities: Option<i64>,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    pub place_name_ar: Option<String>,
    pub source: String,
    pub stance: String,
}

/// How much the database holds, read cheaply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub docs: u64,
    pub events: u64,
    pub incidents: u64,
    pub contradictions: u64,
    pub places: u64,
    /// The earliest and latest event dates.
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// True when the derived tables do not cover the latest stored events.
    pub dirty: bool,
}

/// What an analyst says is wrong with an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCorrection {
    /// The field that is wrong ("event_type", "location", "fatalities", …); `None` for the whole record.
    #[serde(default)]
    pub field: Option<String>,
    /// The right value, when the analyst gives one.
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    /// True when the record is no event at all (a false positive).
    #[serde(default)]
    pub wrong: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// Who filed it.
    #[serde(default)]
    pub author: Option<String>,
}

/// A stored correction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    pub seq: i64,
    pub event_id: String,
    #[serde(flatten)]
    pub correction: NewCorrection,
    /// Unix time it was filed.
    pub at: i64,
}

/// A correction joined with what training needs: the event's document text and its trigger evidence span. One
/// per stored correction, oldest first; `rasd train` turns them into labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingCorrection {
    /// The correction's sequence number (its order of filing).
    pub seq: i64,
    pub event_id: String,
    pub doc_id: String,
    /// The document's full text, which the trigger offsets index.
    pub text: String,
    /// The trigger's evidence span in `text`, in bytes: the "trigger" field evidence, else the event's evidence.
    pub trigger_start: usize,
    pub trigger_end: usize,
    /// True when the analyst marked the event as no event at all (a false positive).
    pub wrong: bool,
    /// The corrected field (`None` for the whole record) and its right value, when given.
    pub field: Option<String>,
    pub value: Option<serde_json::Value>,
    pub note: Option<String>,
    /// Unix time it was filed.
    pub at: i64,
}

const CORRECTIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS corrections(
    seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, field TEXT, value TEXT, wrong INTEGER NOT NULL,
    note TEXT, author TEXT, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS corrections_event ON corrections(event_id);";

impl Store {
    /// Every located event as a map point, in date order.
    pub fn map_points(&self) -> Result<Vec<MapPoint>> {
        Ok(self.map_points_latest(usize::MAX)?.0)
    }

    /// The latest `limit` located events as map points, in date order, and whether older ones were left out.
    /// Reads the date index backwards and stops after `limit + 1` rows, so its cost does not grow with the
    /// database.
    pub fn map_points_latest(&self, limit: usize) -> Result<(Vec<MapPoint>, bool)> {
        let mut stmt = self.conn.prepare(
            "SELECT id, doc_id, event_type, sub_event_type, event_date, lat, lon, fatalities, place_id, place_name,
                    place_name_ar, source, stance
             FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY event_date DESC, id DESC LIMIT ?1",
        )?;
        let fetch = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let rows = stmt.query_map([fetch], |r| {
            Ok(MapPoint {
                id: r.get(0)?,
                doc_id: r.get(1)?,
                event_type: r.get(2)?,
                sub_event_type: r.get(3)?,
                date: r.get(4)?,
                lat: r.get(5)?,
                lon: r.get(6)?,
                fatalities: r.get(7)?,
                place_id: r.get(8)?,
                place_name: r.get(9)?,
                place_name_ar: r.get(10)?,
                source: r.get(11)?,
                stance: r.get(12)?,
            })
        })?;
        let mut points: Vec<MapPoint> = rows.collect::<Result<_, _>>()?;
        let truncated = points.len() > limit;
        points.truncate(limit);
        points.reverse();
        Ok((points, truncated))
    }

    /// One stored event by id.
    pub fn event(&self, id: &str) -> Result<Option<StoredEvent>> {
        let row = self
            .conn
            .query_row(
                "SELECT e.json, e.source, e.outlet, i.incident_id FROM events e
                 LEFT JOIN incident_events i ON i.event_id = e.id WHERE e.id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((json, source, outlet, incident_id)) = row else {
            return Ok(None);
        };
        Ok(Some(StoredEvent {
            event: serde_json::from_str(&json)?,
            source,
            outlet,
            incident_id,
        }))
    }

    /// Counts of what the database holds.
    pub fn counts(&self) -> Result<Counts> {
        let count = |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        let (first_date, last_date) = self.conn.query_row(
            "SELECT min(event_date), max(event_date) FROM events WHERE event_date IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Counts {
            docs: count("SELECT count(*) FROM docs")?,
            events: count("SELECT count(*) FROM events")?,
            incidents: count("SELECT count(*) FROM incidents")?,
            contradictions: count("SELECT count(*) FROM contradictions")?,
            places: count("SELECT count(*) FROM places")?,
            first_date,
            last_date,
            dirty: self.is_dirty()?,
        })
    }

    /// Stores a correction of `event_id` (creating the corrections table on the first one); `None` when no
    /// such event is stored. Needs a store opened for writing.
    pub fn add_correction(&mut self, event_id: &str, c: &NewCorrection) -> Result<Option<Correction>> {
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let tx = self.write_tx()?;
        let known: Option<i64> = tx
            .query_row("SELECT 1 FROM events WHERE id = ?1", [event_id], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return Ok(None);
        }
        tx.execute_batch(CORRECTIONS_TABLE)?;
        let value = c.value.as_ref().map(serde_json::to_string).transpose()?;
        tx.execute(
            "INSERT INTO corrections(event_id, field, value, wrong, note, author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![event_id, c.field, value, c.wrong, c.note, c.author, at],
        )?;
        let seq = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Some(Correction {
            seq,
            event_id: event_id.to_string(),
            correction: c.clone(),
            at,
        }))
    }

    /// The corrections filed against `event_id` (every correction when `None`), oldest first. Empty when none
    /// was ever filed.
    pub fn corrections(&self, event_id: Option<&str>) -> Result<Vec<Correction>> {
        if !self.has_corrections_table()? {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(
            "SELECT seq, event_id, field, value, wrong, note, author, at FROM corrections
             WHERE ?1 IS NULL OR event_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([event_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, event_id, field, value, wrong, note, author, at) = row?;
            let value = value.map(|v| serde_json::from_str(&v)).transpose()?;
            out.push(Correction {
                seq,
                event_id,
                correction: NewCorrection {
                    field,
                    value,
                    wrong,
                    note,
                    author,
                },
                at,
            });
        }
        Ok(out)
    }
}

impl Store {
    fn has_corrections_table(&self) -> Result<bool> {
        let exists: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'corrections'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(exists.is_some())
    }

    /// Every correction, grouped by event id (each group oldest first): what the exports attach to events.
    pub fn corrections_by_event(&self) -> Result<std::collections::HashMap<String, Vec<Correction>>> {
        let mut out: std::collections::HashMap<String, Vec<Correction>> = std::collections::HashMap::new();
        for c in self.corrections(None)? {
            out.entry(c.event_id.clone()).or_default().push(c);
        }
        Ok(out)
    }

    /// Every correction with its event's document text and trigger span, oldest first, for `rasd train`.
    /// Corrections of events no longer stored are left out. Empty when none was ever filed.
    pub fn corrections_for_training(&self) -> Result<Vec<TrainingCorrection>> {
        if !self.has_corrections_table()? {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(
            "SELECT c.seq, c.event_id, e.doc_id, c.field, c.value, c.wrong, c.note, c.at, e.json, d.text
             FROM corrections c JOIN events e ON e.id = c.event_id LEFT JOIN docs d ON d.id = e.doc_id
             ORDER BY c.seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                (
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, bool>(5)?,
                ),
                (r.get::<_, Option<String>>(6)?, r.get::<_, i64>(7)?),
                (r.get::<_, String>(8)?, r.get::<_, Option<String>>(9)?),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let ((seq, event_id, doc_id), (field, value, wrong), (note, at), (json, text)) = row?;
            let event: rasd_core::Event = serde_json::from_str(&json)?;
            let span = event.field_evidence.get("trigger").unwrap_or(&event.evidence);
            out.push(TrainingCorrection {
                seq,
                event_id,
                doc_id,
                text: text.unwrap_or_default(),
                trigger_start: span.start,
                trigger_end: span.end,
                wrong,
                field,
                value: value.map(|v| serde_json::from_str(&v)).transpose()?,
                note,
                at,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read;

    #[test]
    fn corrections_are_added_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("rasd.db");
        let mut s = Store::open(&p).expect("create");
        let items = read::read_bytes("a.jsonl", r#"{"id":"x1","text":"نص أول"}"#.as_bytes(), None);
        let worker = || |_: &rasd_core::Doc| Vec::new();
        s.ingest(items, &worker, "t", &mut |_| {}).expect("ingest");
        assert!(s.corrections(None).expect("none yet").is_empty());
        let c = NewCorrection {
            field: Some("fatalities".into()),
            value: Some(serde_json::json!(3)),
            wrong: false,
            note: None,
            author: None,
        };
        assert!(s.add_correction("no-such-event", &c).expect("add").is_none());
        assert!(s.event("no-such-event").expect("event").is_none());
        assert_eq!(s.counts().expect("counts").docs, 1);
        assert!(s.map_points().expect("points").is_empty());
    }
}
