//! Exports: ACLED-style CSV (one row per incident, the notes holding the evidence and the claims merged),
//! GeoJSON (incidents and control points) and JSONL (the full event records).
//!
//! Every format carries the analysts' corrections (`rasd serve`'s `POST /api/events/{id}/corrections`): a
//! `corrections` array on each corrected event (JSONL), incident and control view (GeoJSON), and a `correction`
//! column after ACLED's holding the latest verdict on the incident's claims (CSV). With
//! [`ExportOptions::exclude_corrected`], events marked wrong are left out: JSONL drops them, and CSV and GeoJSON
//! drop the incidents whose every claim was marked wrong.
//!
//! Names out: `admin1` is the division's name ("Deir ez-Zor Governorate") and `admin1_code` its GeoNames code
//! ("SY.07"), in every format.
//!
//! Every format streams: rows are read from the database cursor and written one at a time, so memory does not grow
//! with the size of the database. What an export leaves out of the incidents the filter selects is counted
//! ([`ExportCounts`]): CSV has no row for an incident that no independent source reports (only denials or
//! republished copies mention it), GeoJSON no point for one without a place.
//!
//! Parquet ([`parquet`]): the JSONL export's records as typed columns, one row per event, written in row groups
//! as they stream.

use crate::query::{admin1_name_and_code, event_value};
use crate::serve_queries::Correction;
use crate::{Arg, Filter, ReadDb, Result};
use rasd_core::{ActorType, Event, EventType, Stance};
use rasd_reconcile::Incident;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;

pub mod parquet;

/// ACLED's column names, in ACLED's order.
pub const ACLED_COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// The column after ACLED's that holds the GeoNames code of the division that `admin1` names ("SY.07").
pub const ADMIN1_CODE_COLUMN: &str = "admin1_code";

/// The last column, after ACLED's and [`ADMIN1_CODE_COLUMN`]: the latest correction of an incident's claims
/// ("" when none).
pub const CORRECTION_COLUMN: &str = "correction";

/// What an export wrote, and which of the incidents its filter selects it left out and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportCounts {
    /// Records written: CSV rows, GeoJSON features (incident and control points) or JSONL event lines.
    pub written: u64,
    /// Incidents the filter selects (CSV and GeoJSON).
    pub incidents: u64,
    /// Of those, the incidents written (as rows or points).
    pub incidents_written: u64,
    /// Left out by CSV: incidents that no independent source reports (only denials or republished copies
    /// mention them; an ACLED row needs a reporting source).
    pub unreported: u64,
    /// Left out by GeoJSON: incidents without a place.
    pub unlocated: u64,
    /// Left out with [`ExportOptions::exclude_corrected`]: incidents (events, for JSONL) marked wrong.
    pub corrected: u64,
    /// GeoJSON: control points (one per place with control claims).
    pub control_points: u64,
}

impl ExportCounts {
    /// One sentence on what was written and left out, for standard error ("" when nothing was left out).
    pub fn left_out_note(&self) -> String {
        let mut why = Vec::new();
        if self.unreported > 0 {
            why.push(format!(
                "{} that no independent source reports (only denials or republished copies mention them; an \
                 ACLED row needs a reporting source)",
                self.unreported
            ));
        }
        if self.unlocated > 0 {
            why.push(format!("{} without a place (no point to draw)", self.unlocated));
        }
        if self.corrected > 0 {
            why.push(format!("{} marked wrong by an analyst", self.corrected));
        }
        if why.is_empty() || self.incidents == 0 {
            return String::new();
        }
        format!(
            "exported {} of {} incidents; left out: {}",
            self.incidents_written,
            self.incidents,
            why.join(", ")
        )
    }
}

/// How an export treats corrections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Leave out events an analyst marked wrong (and incidents all of whose claims were).
    pub exclude_corrected: bool,
}

/// The most claim events the CSV export reads in one query (which bounds the number of distinct statements).
const CLAIM_CHUNK: usize = 64;

/// The corrections of every event, by event id.
pub(crate) type Corrections = HashMap<String, Vec<Correction>>;

pub(crate) fn marked_wrong(corrections: &Corrections, event_id: &str) -> bool {
    corrections
        .get(event_id)
        .is_some_and(|cs| cs.iter().any(|c| c.correction.wrong))
}

/// The corrections of an incident's claims, oldest first.
fn incident_corrections<'a>(inc: &Incident, corrections: &'a Corrections) -> Vec<&'a Correction> {
    let mut ids: Vec<&str> = inc.claims.iter().map(|c| c.event_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out: Vec<&Correction> = ids.iter().filter_map(|id| corrections.get(*id)).flatten().collect();
    out.sort_by_key(|c| c.seq);
    out
}

/// True when the export leaves `inc` out: every one of its claims was marked wrong.
fn excluded(inc: &Incident, corrections: &Corrections, opts: ExportOptions) -> bool {
    opts.exclude_corrected
        && !inc.claims.is_empty()
        && inc.claims.iter().all(|c| marked_wrong(corrections, &c.event_id))
}

/// A correction in one phrase, for the CSV column: "wrong", "fatalities=3", with the note after a colon.
fn verdict(c: &Correction) -> String {
    let n = &c.correction;
    let mut s = if n.wrong {
        "wrong".to_string()
    } else {
        match (&n.field, &n.value) {
            (Some(f), Some(v)) => format!("{f}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)),
            (Some(f), None) => format!("{f} wrong"),
            (None, Some(v)) => format!("value={v}"),
            (None, None) => "note".to_string(),
        }
    };
    if n.wrong
        && let Some(f) = &n.field
    {
        s.push_str(&format!(" ({f})"));
    }
    if let Some(note) = n.note.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        s.push_str(": ");
        s.push_str(&note.replace(['\n', '\r'], " "));
    }
    format!("{s} [event {}]", c.event_id)
}

/// ISO 3166 alpha-3, numeric code, English name and ACLED region of the countries rasd's gazetteer covers most.
fn country(iso2: &str) -> (&'static str, u16, &'static str, &'static str) {
    match iso2 {
        "SY" => ("SYR", 760, "Syria", "Middle East"),
        "IQ" => ("IRQ", 368, "Iraq", "Middle East"),
        "YE" => ("YEM", 887, "Yemen", "Middle East"),
        "LB" => ("LBN", 422, "Lebanon", "Middle East"),
        "JO" => ("JOR", 400, "Jordan", "Middle East"),
        "PS" => ("PSE", 275, "Palestine", "Middle East"),
        "IL" => ("ISR", 376, "Israel", "Middle East"),
        "SA" => ("SAU", 682, "Saudi Arabia", "Middle East"),
        "TR" => ("TUR", 792, "Turkey", "Middle East"),
        "IR" => ("IRN", 364, "Iran", "Middle East"),
        "EG" => ("EGY", 818, "Egypt", "Northern Africa"),
        "LY" => ("LBY", 434, "Libya", "Northern Africa"),
        "SD" => ("SDN", 729, "Sudan", "Northern Africa"),
        "TN" => ("TUN", 788, "Tunisia", "Northern Africa"),
        "DZ" => ("DZA", 12, "Algeria", "Northern Africa"),
        "SO" => ("SOM", 706, "Somalia", "Eastern Africa"),
        _ => ("XXX", 0, "", ""),
    }
}

fn disorder_type(t: EventType) -> &'static str {
    match t {
        EventType::Battles | EventType::ExplosionsRemoteViolence | EventType::ViolenceAgainstCivilians => {
            "Political violence"
        }
        EventType::Protests | EventType::Riots => "Demonstrations",
        EventType::StrategicDevelopments => "Strategic developments",
    }
}

/// A stable number for an incident id (FNV-1a), so that `event_id_cnty` does not change between exports.
fn stable_number(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) % 100_000_000
}

fn source_scale(kinds: &[&str]) -> String {
    let mut scales: Vec<&str> = kinds
        .iter()
        .map(|k| match *k {
            "local_sources" => "Subnational",
            "agency" | "outlet" => "National-International",
            "monitor" => "Other",
            _ => "Other",
        })
        .collect();
    scales.sort();
    scales.dedup();
    scales.join("-")
}

impl<'a> dyn ReadDb + 'a {
    /// The stored events of one incident's claims, by id (read per incident, not all at once: one query per
    /// [`CLAIM_CHUNK`] claims, which on PostgreSQL is one round trip instead of one per claim).
    fn claim_events(&self, inc: &Incident) -> Result<HashMap<String, Event>> {
        let mut ids: Vec<&str> = inc.claims.iter().map(|c| c.event_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CLAIM_CHUNK) {
            let sql = format!(
                "SELECT id, json FROM events WHERE id IN ({})",
                vec!["?"; chunk.len()].join(",")
            );
            let args: Vec<Arg> = chunk.iter().map(|&id| Arg::from(id)).collect();
            self.each_row(&sql, &args, &mut |r| {
                out.insert(
                    crate::db::text(r, 0)?,
                    serde_json::from_str::<Event>(&crate::db::text(r, 1)?)?,
                );
                Ok(true)
            })?;
        }
        Ok(out)
    }

    /// Writes ACLED-style CSV: one row per incident that some independent source reports (denials and
    /// republished copies alone make no row), with the `admin1_code` and corrections' columns after ACLED's.
    pub fn export_acled_csv(&self, f: &Filter, out: &mut dyn Write) -> Result<u64> {
        self.export_acled_csv_with(f, ExportOptions::default(), out)
    }

    /// [`Self::export_acled_csv`] with options.
    pub fn export_acled_csv_with(&self, f: &Filter, opts: ExportOptions, out: &mut dyn Write) -> Result<u64> {
        Ok(self.export_acled_csv_counted(f, opts, out)?.written)
    }

    /// [`Self::export_acled_csv_with`], returning what was written and left out. Streams: one incident is
    /// held at a time.
    pub fn export_acled_csv_counted(
        &self,
        f: &Filter,
        opts: ExportOptions,
        out: &mut dyn Write,
    ) -> Result<ExportCounts> {
        let corrections = self.corrections_by_event()?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(ACLED_COLUMNS.iter().chain(&[ADMIN1_CODE_COLUMN, CORRECTION_COLUMN]))?;
        let mut counts = ExportCounts::default();
        self.for_each_incident(f, &mut |inc| {
            counts.incidents += 1;
            if !inc.is_reported() {
                counts.unreported += 1;
                return Ok(());
            }
            if excluded(&inc, &corrections, opts) {
                counts.corrected += 1;
                return Ok(());
            }
            let events = self.claim_events(&inc)?;
            let mut row = acled_row(&inc, &events);
            row.push(
                incident_corrections(&inc, &corrections)
                    .last()
                    .map(|c| verdict(c))
                    .unwrap_or_default(),
            );
            w.write_record(row)?;
            counts.written += 1;
            counts.incidents_written += 1;
            Ok(())
        })?;
        w.flush()?;
        Ok(counts)
    }

    /// Writes a GeoJSON FeatureCollection: a Point per located incident, and a Point per place with control
    /// claims holding its latest timeline step.
    pub fn export_geojson(&self, f: &Filter, out: &mut dyn Write) -> Result<u64> {
        self.export_geojson_with(f, ExportOptions::default(), out)
    }

    /// [`Self::export_geojson`] with options.
    pub fn export_geojson_with(&self, f: &Filter, opts: ExportOptions, out: &mut dyn Write) -> Result<u64> {
        Ok(self.export_geojson_counted(f, opts, out)?.written)
    }

    /// [`Self::export_geojson_with`], returning what was written and left out. Streams: features are written
    /// as they are read, one incident or place at a time. The collection ends with a foreign member
    /// `rasd_counts` ([`ExportCounts`]) saying how many of the selected incidents are points and which were left
    /// out.
    pub fn export_geojson_counted(&self, f: &Filter, opts: ExportOptions, out: &mut dyn Write) -> Result<ExportCounts> {
        let corrections = self.corrections_by_event()?;
        let mut counts = ExportCounts::default();
        out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        let write_feature = |out: &mut dyn Write, counts: &mut ExportCounts, feature: &Value| -> Result<()> {
            if counts.written > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, feature)?;
            counts.written += 1;
            Ok(())
        };
        self.for_each_incident(f, &mut |inc| {
            counts.incidents += 1;
            let Some(loc) = &inc.location else {
                counts.unlocated += 1;
                return Ok(());
            };
            if excluded(&inc, &corrections, opts) {
                counts.corrected += 1;
                return Ok(());
            }
            let (admin1, admin1_code) = match &loc.admin1 {
                Some(a) => {
                    let (name, code) = admin1_name_and_code(a);
                    (Some(name), code)
                }
                None => (None, None),
            };
            let mut feature = json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
                "properties": {
                    "kind": "incident", "id": inc.id, "event_type": inc.event_type, "sub_event_type": inc.sub_event_type,
                    "first_date": inc.first_date, "last_date": inc.last_date, "place": loc.name, "place_ar": loc.name_ar,
                    "admin1": admin1, "admin1_code": admin1_code,
                    "fatalities": inc.fatalities, "fatalities_range": inc.fatalities_range,
                    "sources": inc.sources, "denied_by": inc.denied_by, "claims": inc.claims.len(),
                },
            });
            let cs = incident_corrections(&inc, &corrections);
            if !cs.is_empty() {
                feature["properties"]["corrections"] = serde_json::to_value(cs)?;
            }
            write_feature(&mut *out, &mut counts, &feature)?;
            counts.incidents_written += 1;
            Ok(())
        })?;
        let places = match &f.place {
            Some(q) => self.find_places(q)?,
            None => self.places()?,
        };
        let coords = self.place_coordinates()?;
        // `admin1` narrows the control points too: only places whose events lie in the division(s) it names.
        let in_admin1 = match &f.admin1 {
            Some(a) => {
                let (cond, args) = crate::query::admin1_condition("admin1", a);
                let args: Vec<Arg> = args.into_iter().map(Arg::Text).collect();
                let ids = self.rows(
                    &format!("SELECT DISTINCT place_id FROM events WHERE place_id IS NOT NULL AND {cond}"),
                    &args,
                    |r| crate::db::text(r, 0),
                )?;
                Some(ids.into_iter().collect::<std::collections::HashSet<String>>())
            }
            None => None,
        };
        for p in places
            .iter()
            .filter(|p| p.claims > 0)
            .filter(|p| in_admin1.as_ref().is_none_or(|ids| ids.contains(&p.place_id)))
        {
            let (Some(tl), Some((lat, lon))) = (self.timeline_of(&p.place_id, 7)?, coords.get(&p.place_id)) else {
                continue;
            };
            let Some(last) = tl.steps.last() else { continue };
            let views: Vec<Value> = last
                .views
                .iter()
                .map(|v| {
                    let mut view =
                        json!({"source": v.source, "claim": v.describe(), "date": v.date, "event_id": v.event_id});
                    if let Some(cs) = corrections.get(&v.event_id) {
                        view["corrections"] = json!(cs);
                    }
                    view
                })
                .collect();
            let feature = json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "kind": "control", "place_id": tl.place_id, "place": tl.place_name, "place_ar": tl.place_name_ar,
                    "date": last.date, "controller": last.controller, "contested": last.contested, "views": views,
                    "lanes": tl.lanes.iter().map(|l| l.source.clone()).collect::<Vec<_>>(),
                },
            });
            write_feature(&mut *out, &mut counts, &feature)?;
            counts.control_points += 1;
        }
        out.write_all(br#"],"rasd_counts":"#)?;
        serde_json::to_writer(&mut *out, &counts)?;
        out.write_all(b"}\n")?;
        Ok(counts)
    }

    /// The mean coordinates of each place's events. The sums are taken here, in one order, with the
    /// Kahan–Babuška–Neumaier summation of SQLite's `avg`: every engine gives the same digits (PostgreSQL's own
    /// `avg` differs from SQLite's in the last bits).
    fn place_coordinates(&self) -> Result<HashMap<String, (f64, f64)>> {
        let mut sums: HashMap<String, [MeanSum; 2]> = HashMap::new();
        self.each_row(
            "SELECT place_id, lat, lon FROM events WHERE place_id IS NOT NULL AND lat IS NOT NULL ORDER BY place_id, id",
            &[],
            &mut |r| {
                let place = crate::db::text(r, 0)?;
                let [lat, lon] = sums.entry(place).or_default();
                lat.add(r.real(1)?);
                lon.add(r.real(2)?);
                Ok(true)
            },
        )?;
        Ok(sums
            .into_iter()
            .filter_map(|(place, [lat, lon])| Some((place, (lat.mean()?, lon.mean()?))))
            .collect())
    }

    /// Writes the full event records as JSON Lines, each with its source lane, outlet, incident id and, when
    /// analysts corrected it, its `corrections`.
    pub fn export_jsonl(&self, f: &Filter, out: &mut dyn Write) -> Result<u64> {
        self.export_jsonl_with(f, ExportOptions::default(), out)
    }

    /// [`Self::export_jsonl`] with options.
    pub fn export_jsonl_with(&self, f: &Filter, opts: ExportOptions, out: &mut dyn Write) -> Result<u64> {
        let corrections = self.corrections_by_event()?;
        let mut n = 0;
        // Streamed from the cursor: memory does not grow with the number of events.
        self.for_each_event(f, 0, None, &mut |e| {
            if opts.exclude_corrected && marked_wrong(&corrections, &e.event.id) {
                return Ok(());
            }
            serde_json::to_writer(&mut *out, &export_record(&e, &corrections)?)?;
            writeln!(out)?;
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }
}

/// An event record as the JSONL export writes it (and the Parquet export flattens it): [`event_value`] with
/// its `corrections`, when it has any.
pub(crate) fn export_record(e: &crate::query::StoredEvent, corrections: &Corrections) -> Result<Value> {
    let mut v = event_value(e)?;
    if let Value::Object(m) = &mut v
        && let Some(cs) = corrections.get(&e.event.id)
    {
        m.insert("corrections".into(), serde_json::to_value(cs)?);
    }
    Ok(v)
}

/// A mean as SQLite's `avg` computes it: NULLs skipped, the sum taken with Kahan–Babuška–Neumaier
/// compensation, `None` for no values.
#[derive(Debug, Default, Clone, Copy)]
struct MeanSum {
    sum: f64,
    err: f64,
    n: u64,
}

impl MeanSum {
    fn add(&mut self, v: Option<f64>) {
        let Some(r) = v else { return };
        let t = self.sum + r;
        if self.sum.abs() > r.abs() {
            self.err += (self.sum - t) + r;
        } else {
            self.err += (r - t) + self.sum;
        }
        self.sum = t;
        self.n += 1;
    }

    fn mean(&self) -> Option<f64> {
        let total = if self.err.is_finite() {
            self.sum + self.err
        } else {
            self.sum
        };
        (self.n > 0).then(|| total / self.n as f64)
    }
}

fn acled_row(inc: &Incident, events: &HashMap<String, Event>) -> Vec<String> {
    let members: Vec<&Event> = inc.claims.iter().filter_map(|c| events.get(&c.event_id)).collect();
    let loc = inc.location.as_ref();
    let admin1 = loc.and_then(|l| l.admin1.as_deref()).map(admin1_name_and_code);
    let (iso3, iso_num, country_name, region) = country(loc.map_or("", |l| l.country.as_str()));
    let date = inc.dates.first().map(|t| t.value).or(inc.first_date);
    let precision = members.iter().map(|e| e.date_precision.acled_code()).min().unwrap_or(3);
    let best = |t: &[rasd_reconcile::ActorTally]| {
        t.iter()
            .max_by_key(|a| (a.sources.len(), std::cmp::Reverse(a.id.clone())))
            .cloned()
    };
    let a1 = best(&inc.actor1);
    let a2 = best(&inc.actor2);
    let inter = |a: &Option<rasd_reconcile::ActorTally>| a.as_ref().map_or(0, |a| a.actor_type.inter_code());
    let (i1, i2) = (inter(&a1), inter(&a2));
    let interaction = if i1 == 0 {
        0
    } else if i2 == 0 {
        i1 * 10
    } else {
        i1.min(i2) * 10 + i1.max(i2)
    };
    let mut assoc1: Vec<String> = members
        .iter()
        .flat_map(|e| e.assoc_actor_1.iter().map(|a| a.name.clone()))
        .collect();
    let mut assoc2: Vec<String> = members
        .iter()
        .flat_map(|e| e.assoc_actor_2.iter().map(|a| a.name.clone()))
        .collect();
    for v in [&mut assoc1, &mut assoc2] {
        v.sort();
        v.dedup();
    }
    let mut source_names: Vec<String> = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    for e in &members {
        if let Some(s) = e.reported_by.first() {
            if !source_names.contains(&s.name) {
                source_names.push(s.name.clone());
            }
            kinds.push(s.kind.as_str());
        }
    }
    if source_names.is_empty() {
        source_names = inc.sources.clone();
    }
    let notes: Vec<String> = inc
        .claims
        .iter()
        .map(|c| {
            let mut tag = c.source.clone();
            if c.stance != Stance::Asserted {
                tag.push_str(&format!(", {}", c.stance.as_str()));
            }
            if let Some(o) = &c.republished_of {
                tag.push_str(&format!(", republished copy of {o}"));
            }
            format!("[{tag}; {}] {}", c.doc_id, c.evidence.replace(['\n', '\r'], " "))
        })
        .collect();
    let mut notes = notes.join(" | ");
    if let Some((lo, hi)) = inc.fatalities_range.filter(|(lo, hi)| lo != hi) {
        notes.push_str(&format!(" | fatalities {lo}-{hi} across sources"));
    }
    let civilian = inc.actor2.iter().any(|a| a.actor_type == ActorType::Civilians);
    vec![
        format!("{iso3}{}", stable_number(&inc.id)),
        date.map(|d| d.to_string()).unwrap_or_default(),
        date.map(|d| d.format("%Y").to_string()).unwrap_or_default(),
        precision.to_string(),
        disorder_type(inc.event_type).to_string(),
        inc.event_type.name().to_string(),
        inc.sub_event_type.name().to_string(),
        a1.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        assoc1.join("; "),
        i1.to_string(),
        a2.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        assoc2.join("; "),
        i2.to_string(),
        interaction.to_string(),
        if civilian {
            "Civilian targeting".to_string()
        } else {
            String::new()
        },
        iso_num.to_string(),
        region.to_string(),
        country_name.to_string(),
        admin1.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
        String::new(),
        String::new(),
        loc.map(|l| l.name.clone()).unwrap_or_default(),
        loc.map(|l| format!("{:.4}", l.lat)).unwrap_or_default(),
        loc.map(|l| format!("{:.4}", l.lon)).unwrap_or_default(),
        loc.map(|l| l.geo_precision.to_string()).unwrap_or_default(),
        source_names.join("; "),
        source_scale(&kinds),
        notes,
        inc.fatalities.unwrap_or(0).to_string(),
        if inc.denied_by.is_empty() {
            String::new()
        } else {
            format!("denied by {}", inc.denied_by.join(", "))
        },
        inc.last_date
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp().to_string())
            .unwrap_or_default(),
        admin1.and_then(|a| a.1).unwrap_or_default(),
    ]
}
