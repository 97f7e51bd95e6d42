//! Queries for `rasd serve` (the rasd-serve crate): compact map points, one event by id, light counts, and the
//! corrections analysts file against events. Corrections live in their own table, created on the first one:
//! a correction is a new row, never an edit of the event it is about.

use crate::db::{self, Arg, ReadDb};
use crate::{Error, Filter, Result, Store, StoredEvent};
use chrono::NaiveDate;
use rasd_reconcile::{Contradiction, Incident, Timeline, haversine_km};
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

/// One page of a list read in its index order (keyset paging): a page costs the same however deep it is.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPage<T> {
    pub items: Vec<T>,
    /// The sort key of the last row read, where the next page starts; `None` on the last page.
    pub next: Option<Vec<String>>,
    /// Matching items on all pages, counted in SQL; `None` when filters that apply after SQL (actor, source,
    /// near on incidents) make a count a full scan.
    pub total: Option<u64>,
}

impl<T> KeyPage<T> {
    fn empty() -> KeyPage<T> {
        KeyPage {
            items: Vec::new(),
            next: None,
            total: Some(0),
        }
    }
}

/// The most rows one incident page reads when filters apply after SQL (actor, source, near): such a page may
/// hold fewer items than asked, and its `next` key continues the scan.
pub const MAX_SCAN: usize = 5_000;

/// A place on the summary map: where its events are and what it is called.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPlace {
    /// The gazetteer id, else the rounded coordinates ("34.450,40.920").
    pub key: String,
    pub place_id: Option<String>,
    pub name: Option<String>,
    pub name_ar: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

/// The located events of one place, day and event type: `events` of them, `fatalities` killed in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapCell {
    /// Index into [`MapCells::places`].
    pub place: u32,
    pub date: NaiveDate,
    pub event_type: String,
    pub events: u64,
    pub fatalities: i64,
}

/// Every located, dated event, summed per (place, day, event type): what the summary map draws.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MapCells {
    pub places: Vec<MapPlace>,
    /// In (date, place) order.
    pub cells: Vec<MapCell>,
    /// Located events without a (day-precise) date, left out of the cells.
    pub undated: u64,
}

/// The WHERE clause (after `WHERE 1`) and its arguments for the contradiction filters; the source filter only
/// `with_source`.
pub(crate) fn contradiction_where(
    store: &dyn ReadDb,
    f: &Filter,
    with_source: bool,
) -> Result<Option<(String, Vec<String>)>> {
    let mut sql = String::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(q) = &f.place {
        let ids: Vec<String> = store.find_places(q)?.into_iter().map(|p| p.place_id).collect();
        if ids.is_empty() {
            return Ok(None);
        }
        sql.push_str(&format!(" AND place_id IN ({})", vec!["?"; ids.len()].join(",")));
        args.extend(ids);
    }
    if let Some(k) = f.contradiction {
        sql.push_str(" AND kind = ?");
        args.push(k.as_str().to_string());
    }
    if let Some(s) = f.source.as_ref().filter(|_| with_source) {
        sql.push_str(" AND (source_a = ? OR source_b = ?)");
        args.push(s.trim().to_string());
        args.push(s.trim().to_string());
    }
    if let Some(d) = f.since {
        sql.push_str(" AND date >= ?");
        args.push(d.to_string());
    }
    if let Some(d) = f.until {
        sql.push_str(" AND date <= ?");
        args.push(d.to_string());
    }
    Ok(Some((sql, args)))
}

fn bad_key(what: &str) -> Error {
    Error::Query(format!(
        "the cursor does not fit this {what} list (use `next` of the same query)"
    ))
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

impl<'a> dyn ReadDb + 'a {
    /// Every located event as a map point, in date order.
    pub fn map_points(&self) -> Result<Vec<MapPoint>> {
        Ok(self.map_points_latest(usize::MAX)?.0)
    }

    /// The latest `limit` located events as map points, in date order, and whether older ones were left out.
    /// Reads the date index backwards and stops after `limit + 1` rows, so its cost does not grow with the
    /// database.
    pub fn map_points_latest(&self, limit: usize) -> Result<(Vec<MapPoint>, bool)> {
        let fetch = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let mut points = self.rows(
            "SELECT id, doc_id, event_type, sub_event_type, event_date, lat, lon, fatalities, place_id, place_name,
                    place_name_ar, source, stance
             FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY event_date DESC, id DESC LIMIT ?1",
            &[Arg::Int(fetch)],
            |r| {
                Ok(MapPoint {
                    id: db::text(r, 0)?,
                    doc_id: db::text(r, 1)?,
                    event_type: db::text(r, 2)?,
                    sub_event_type: db::text(r, 3)?,
                    date: r.text(4)?,
                    lat: db::real(r, 5)?,
                    lon: db::real(r, 6)?,
                    fatalities: r.int(7)?,
                    place_id: r.text(8)?,
                    place_name: r.text(9)?,
                    place_name_ar: r.text(10)?,
                    source: db::text(r, 11)?,
                    stance: db::text(r, 12)?,
                })
            },
        )?;
        let truncated = points.len() > limit;
        points.truncate(limit);
        points.reverse();
        Ok((points, truncated))
    }

    /// One stored event by id.
    pub fn event(&self, id: &str) -> Result<Option<StoredEvent>> {
        let row = self.first(
            "SELECT e.json, e.source, e.outlet, i.incident_id FROM events e
             LEFT JOIN incident_events i ON i.event_id = e.id WHERE e.id = ?1",
            &[id.into()],
            |r| Ok((db::text(r, 0)?, db::text(r, 1)?, r.text(2)?, r.text(3)?)),
        )?;
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
        let count = |sql: &str| self.count(sql, &[]);
        let (first_date, last_date) = self
            .first(
                "SELECT min(event_date), max(event_date) FROM events WHERE event_date IS NOT NULL",
                &[],
                |r| Ok((r.text(0)?, r.text(1)?)),
            )?
            .unwrap_or_default();
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
}

impl Store {
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
}

impl<'a> dyn ReadDb + 'a {
    /// The corrections filed against `event_id` (every correction when `None`), oldest first. Empty when none
    /// was ever filed.
    pub fn corrections(&self, event_id: Option<&str>) -> Result<Vec<Correction>> {
        if !self.has_table("corrections")? {
            return Ok(Vec::new());
        }
        let (sql, args) = match event_id {
            Some(id) => (
                "SELECT seq, event_id, field, value, wrong, note, author, at FROM corrections
                 WHERE event_id = ?1 ORDER BY seq",
                vec![Arg::from(id)],
            ),
            None => (
                "SELECT seq, event_id, field, value, wrong, note, author, at FROM corrections ORDER BY seq",
                Vec::new(),
            ),
        };
        self.rows(sql, &args, |r| {
            Ok(Correction {
                seq: db::int(r, 0)?,
                event_id: db::text(r, 1)?,
                correction: NewCorrection {
                    field: r.text(2)?,
                    value: r.text(3)?.map(|v| serde_json::from_str(&v)).transpose()?,
                    wrong: db::int(r, 4)? != 0,
                    note: r.text(5)?,
                    author: r.text(6)?,
                },
                at: db::int(r, 7)?,
            })
        })
    }

    /// Every correction, grouped by event id (each group oldest first): what the exports attach to events.
    pub fn corrections_by_event(&self) -> Result<std::collections::HashMap<String, Vec<Correction>>> {
        let mut out: std::collections::HashMap<String, Vec<Correction>> = std::collections::HashMap::new();
        for c in self.corrections(None)? {
            out.entry(c.event_id.clone()).or_default().push(c);
        }
        Ok(out)
    }
}

impl Store {
    /// Every correction with its event's document text and trigger span, oldest first, for `rasd train`.
    /// Corrections of events no longer stored are left out. Empty when none was ever filed.
    pub fn corrections_for_training(&self) -> Result<Vec<TrainingCorrection>> {
        if !self.has_table("corrections")? {
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

impl<'a> dyn ReadDb + 'a {
    /// One page of [`Self::contradictions`] (the same filters and order: kind, date, id), read from the
    /// `contradictions_page` index after `after` (the `next` key of the previous page). Its cost does not grow
    /// with the depth of the page. With `count`, `total` counts the matches over the same filters (a pass
    /// over an index: a few milliseconds on 300,000 rows); else it is `None`.
    pub fn contradictions_page(
        &self,
        f: &Filter,
        after: Option<&[String]>,
        limit: usize,
        count: bool,
    ) -> Result<KeyPage<Contradiction>> {
        let Some((wh, args)) = contradiction_where(self, f, true)? else {
            return Ok(KeyPage::empty());
        };
        let total = if count {
            Some(self.count(&format!("SELECT count(*) FROM contradictions WHERE true{wh}"), &args)?)
        } else {
            None
        };
        let (key, key_args): (&str, Vec<String>) = match after {
            None => ("", Vec::new()),
            // With one kind asked for, the key's kind is that kind: the index is searched on (kind =, date, id).
            Some([_, date, id]) if f.contradiction.is_some() => {
                (" AND (page_date, id) > (?, ?)", vec![date.clone(), id.clone()])
            }
            Some([kind, date, id]) => (
                " AND (kind, page_date, id) > (?, ?, ?)",
                vec![kind.clone(), date.clone(), id.clone()],
            ),
            Some(_) => return Err(bad_key("contradiction")),
        };
        let lim = limit.saturating_add(1).min(i64::MAX as usize);
        let order = "ORDER BY kind, page_date, id";
        let (sql, args) = match &f.source {
            None => (
                format!("SELECT json, kind, page_date, id FROM contradictions WHERE true{wh}{key} {order} LIMIT {lim}"),
                args.into_iter().chain(key_args).collect::<Vec<_>>(),
            ),
            // A source on either side: the first rows of each side, read in order on its (source, kind, date,
            // id) index, then merged; sorting every row of a busy source would read them all.
            Some(s) => {
                let (base, base_args) = contradiction_where(self, f, false)?.unwrap_or_default();
                let side = |col: &str| {
                    format!(
                        "SELECT id FROM (SELECT kind, page_date, id FROM contradictions WHERE {col} = ?{base}{key} \
                         {order} LIMIT {lim}) AS side"
                    )
                };
                let sql = format!(
                    "SELECT json, kind, page_date, id FROM contradictions WHERE id IN ({} UNION {}) {order} LIMIT {lim}",
                    side("source_a"),
                    side("source_b")
                );
                let mut args = Vec::new();
                for _ in 0..2 {
                    args.push(s.trim().to_string());
                    args.extend(base_args.iter().cloned());
                    args.extend(key_args.iter().cloned());
                }
                (sql, args)
            }
        };
        let args: Vec<Arg> = args.into_iter().map(Arg::Text).collect();
        let mut items = Vec::new();
        let mut last: Option<Vec<String>> = None;
        let mut next = None;
        self.each_row(&sql, &args, &mut |r| {
            if items.len() >= limit {
                next = last.take();
                return Ok(false);
            }
            items.push(serde_json::from_str(&db::text(r, 0)?)?);
            last = Some(vec![db::text(r, 1)?, db::text(r, 2)?, db::text(r, 3)?]);
            Ok(true)
        })?;
        Ok(KeyPage { items, next, total })
    }

    /// One contradiction by id.
    pub fn contradiction(&self, id: &str) -> Result<Option<Contradiction>> {
        let json = self.first("SELECT json FROM contradictions WHERE id = ?1", &[id.into()], |r| {
            db::text(r, 0)
        })?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    /// One page of [`Self::incidents`] (the same filters and order: first date, id), read from the
    /// `incidents_page` index after `after`. Place, type, admin1 and dates are SQL; actor, source and near are
    /// checked on each row read, at most [`MAX_SCAN`] rows a page (then `next` continues, and `total` is
    /// `None`). With `count` and no such filter, `total` counts the matches; else it is `None`.
    pub fn incidents_page(
        &self,
        f: &Filter,
        after: Option<&[String]>,
        limit: usize,
        count: bool,
    ) -> Result<KeyPage<Incident>> {
        let mut wh = String::new();
        let mut args: Vec<String> = Vec::new();
        if let Some(q) = &f.place {
            let ids: Vec<String> = self.find_places(q)?.into_iter().map(|p| p.place_id).collect();
            if ids.is_empty() {
                return Ok(KeyPage::empty());
            }
            wh.push_str(&format!(" AND place_id IN ({})", vec!["?"; ids.len()].join(",")));
            args.extend(ids);
        }
        if let Some(k) = &f.kind {
            wh.push_str(" AND (lower(event_type) = lower(?) OR lower(sub_event_type) = lower(?))");
            args.push(k.trim().to_string());
            args.push(k.trim().to_string());
        }
        if let Some(a) = &f.admin1 {
            // A name, an Arabic name, an alias or a code, as `rasd incidents --admin1` takes it.
            let (sql, values) = crate::query::admin1_condition("admin1", a);
            wh.push_str(&format!(" AND {sql}"));
            args.extend(values);
        }
        if let Some(d) = f.since {
            wh.push_str(" AND page_date >= ?");
            args.push(d.to_string());
        }
        if let Some(d) = f.until {
            wh.push_str(" AND first_date IS NOT NULL AND page_date <= ?");
            args.push(d.to_string());
        }
        let post = f.actor.is_some() || f.source.is_some() || f.near.is_some();
        let total = if post || !count {
            None
        } else {
            Some(self.count(&format!("SELECT count(*) FROM incidents WHERE true{wh}"), &args)?)
        };
        let mut sql = format!("SELECT json, page_date, id FROM incidents WHERE true{wh}");
        match after {
            None => {}
            Some([date, id]) => {
                sql.push_str(" AND (page_date, id) > (?, ?)");
                args.extend([date.clone(), id.clone()]);
            }
            Some(_) => return Err(bad_key("incident")),
        }
        let read = if post { MAX_SCAN.max(limit) } else { limit };
        sql.push_str(&format!(
            " ORDER BY page_date, id LIMIT {}",
            read.saturating_add(1).min(i64::MAX as usize)
        ));
        let actor = f.actor.as_ref().map(|a| a.trim().to_lowercase());
        let keep = |inc: &Incident| {
            let near_ok = f.near.is_none_or(|(lat, lon, km)| {
                inc.location
                    .as_ref()
                    .is_some_and(|l| haversine_km(lat, lon, l.lat, l.lon) <= km)
            });
            let actor_ok = actor
                .as_ref()
                .is_none_or(|a| inc.actor1.iter().chain(&inc.actor2).any(|t| t.id == *a));
            let source_ok = f.source.as_ref().is_none_or(|s| {
                inc.claims
                    .iter()
                    .any(|c| c.source == *s || c.outlet.as_deref() == Some(s.as_str()))
            });
            near_ok && actor_ok && source_ok
        };
        let args: Vec<Arg> = args.into_iter().map(Arg::Text).collect();
        let mut items = Vec::new();
        let mut last: Option<Vec<String>> = None;
        let mut next = None;
        let mut scanned = 0;
        self.each_row(&sql, &args, &mut |r| {
            if items.len() >= limit || scanned >= read {
                next = last.take();
                return Ok(false);
            }
            scanned += 1;
            let inc: Incident = serde_json::from_str(&db::text(r, 0)?)?;
            last = Some(vec![db::text(r, 1)?, db::text(r, 2)?]);
            if keep(&inc) {
                items.push(inc);
            }
            Ok(true)
        })?;
        Ok(KeyPage { items, next, total })
    }

    /// The control timeline of the place `query` names, like [`Self::timeline`], restricted to the dates
    /// `from..=to`: only the claims that can be a source's view then are read (from `from - horizon`, on the
    /// `control_place` index), and the lanes and steps before `from` are dropped. A window without claims is
    /// an empty timeline; `None` when no place matches.
    pub fn timeline_window(
        &self,
        query: &str,
        horizon_days: i64,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Option<Timeline>> {
        if from.is_none() && to.is_none() {
            return self.timeline(query, horizon_days);
        }
        let Some(place) = self.find_places(query)?.into_iter().next() else {
            return Ok(None);
        };
        let mut sql = String::from("SELECT json FROM control_claims WHERE place_id = ?");
        let mut args = vec![place.place_id.clone()];
        if let Some(d) = from {
            let lo = d
                .checked_sub_signed(chrono::Duration::days(horizon_days))
                .unwrap_or(NaiveDate::MIN);
            sql.push_str(" AND date >= ?");
            args.push(lo.to_string());
        }
        if let Some(d) = to {
            sql.push_str(" AND date <= ?");
            args.push(d.to_string());
        }
        sql.push_str(" ORDER BY seq");
        let args: Vec<Arg> = args.into_iter().map(Arg::Text).collect();
        let claims = self.rows(&sql, &args, |r| {
            Ok(serde_json::from_str::<rasd_reconcile::ControlClaim>(&db::text(r, 0)?)?)
        })?;
        let mut tl = Timeline::build(&claims, horizon_days).unwrap_or_else(|| Timeline {
            place_id: place.place_id.clone(),
            place_name: place.name.clone(),
            place_name_ar: place.name_ar.clone(),
            lanes: Vec::new(),
            steps: Vec::new(),
        });
        if let Some(d) = from {
            tl.steps.retain(|s| s.date >= d);
            for lane in &mut tl.lanes {
                lane.claims.retain(|c| c.date.is_some_and(|cd| cd >= d));
            }
            tl.lanes.retain(|l| !l.claims.is_empty());
        }
        Ok(Some(tl))
    }

    /// Every located, dated event summed per (place, day, event type): one pass over the events table (about a
    /// second on 290,000 events), which `rasd serve` keeps per database state. A place is its gazetteer id, else
    /// its coordinates rounded to 3 decimals; its position is the mean of its events'. SQL only groups by exact
    /// values and counts; the keys, names and means are made here, so both engines give the same cells.
    pub fn map_cells(&self) -> Result<MapCells> {
        use std::collections::BTreeMap;
        #[derive(Default)]
        struct Place {
            place_id: Option<String>,
            name: Option<String>,
            name_ar: Option<String>,
            /// The first position seen, while every event is there; else `None` and the sums below.
            same: Option<(f64, f64)>,
            lat: f64,
            lon: f64,
            events: u64,
        }
        let mut places: BTreeMap<String, Place> = BTreeMap::new();
        let mut cells: BTreeMap<(String, NaiveDate, String), (u64, i64)> = BTreeMap::new();
        let mut undated = 0;
        self.each_row(
            "SELECT place_id, lat, lon, event_date, event_type, count(*), CAST(coalesce(sum(fatalities), 0) AS bigint),
                    max(place_name), max(place_name_ar)
             FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL
             GROUP BY place_id, lat, lon, event_date, event_type
             ORDER BY place_id, lat, lon, event_date, event_type",
            &[],
            &mut |r| {
                let events = db::int(r, 5)?.max(0) as u64;
                let date = r.text(3)?.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
                let Some(date) = date else {
                    undated += events;
                    return Ok(true);
                };
                let place_id = r.text(0)?;
                let (lat, lon) = (db::real(r, 1)?, db::real(r, 2)?);
                let key = place_id.clone().unwrap_or_else(|| format!("{lat:.3},{lon:.3}"));
                let p = places.entry(key.clone()).or_insert_with(|| Place {
                    place_id,
                    same: Some((lat, lon)),
                    ..Place::default()
                });
                p.name = p.name.take().max(r.text(7)?);
                p.name_ar = p.name_ar.take().max(r.text(8)?);
                if p.same.is_some_and(|s| s != (lat, lon)) {
                    p.same = None;
                }
                p.lat += lat * events as f64;
                p.lon += lon * events as f64;
                p.events += events;
                let c = cells.entry((key, date, db::text(r, 4)?)).or_default();
                c.0 += events;
                c.1 += db::int(r, 6)?;
                Ok(true)
            },
        )?;
        let mut out = MapCells {
            undated,
            ..MapCells::default()
        };
        let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for (key, p) in places {
            let (lat, lon) = p.same.unwrap_or_else(|| {
                let n = p.events.max(1) as f64;
                (p.lat / n, p.lon / n)
            });
            index.insert(key.clone(), out.places.len() as u32);
            out.places.push(MapPlace {
                key,
                place_id: p.place_id,
                name: p.name,
                name_ar: p.name_ar,
                lat,
                lon,
            });
        }
        for ((key, date, event_type), (events, fatalities)) in cells {
            let Some(&place) = index.get(&key) else {
                continue;
            };
            out.cells.push(MapCell {
                place,
                date,
                event_type,
                events,
                fatalities,
            });
        }
        out.cells.sort_by_key(|c| (c.date, c.place));
        Ok(out)
    }

    /// The count `sql` answers (one row, one column).
    fn count(&self, sql: &str, args: &[String]) -> Result<u64> {
        let args: Vec<Arg> = args.iter().map(|a| Arg::Text(a.clone())).collect();
        Ok(self.first(sql, &args, |r| db::int(r, 0))?.unwrap_or(0).max(0) as u64)
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
