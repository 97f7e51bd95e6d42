//! The values of the stored rows, built once for both backends: the SQLite store (this crate) and the
//! PostgreSQL store (`rasd-pg`, whose workers write what `rasd ingest` writes). Each function returns plain
//! values; each backend binds them to its own SQL. Keeping the row-building here is what makes a document
//! stored by a worker byte for byte the document `rasd ingest` stores (see `rasd-pg`'s equivalence tests).

use crate::{ReconcileStats, Result, sketch};
use rasd_core::Event;
use rasd_reconcile::Report;

/// The content hash of a document (`docs.hash`): blake3 of its text, in hex.
pub fn content_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex().to_string()
}

/// Seconds since the Unix epoch (`docs.ingested_at`, `failures.at`).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Whether a document of this format (`docs.format`) is named by its file, so that an id taken by another
/// text is kept with its content hash appended ([`renamed_id`]) rather than refused: ids of text files and
/// pages come from their file names, which repeat across folders.
pub fn named_by_file(format: &str) -> bool {
    matches!(format, "text" | "html")
}

/// The id a file-named document gets when its own id is taken by a different text.
pub fn renamed_id(id: &str, hash: &str) -> String {
    format!("{id}-{}", &hash[..12.min(hash.len())])
}

/// The failure reason of a publisher-given id that already names another text.
pub fn id_taken_reason(id: &str) -> String {
    format!("id {id:?} is already stored with a different text")
}

/// The searchable columns of an event, next to its full JSON record (a row of `events`).
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: String,
    pub doc_id: String,
    pub event_type: &'static str,
    pub sub_event_type: &'static str,
    pub event_date: Option<String>,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    pub place_name_ar: Option<String>,
    pub admin1: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub actors: String,
    pub source: String,
    pub outlet: Option<String>,
    pub stance: &'static str,
    pub fatalities: Option<i64>,
    pub json: String,
    pub date_precision: &'static str,
}

/// The row of `events` for `e`, published by `outlet`.
pub fn event_row(e: &Event, outlet: Option<&str>) -> Result<EventRow> {
    let loc = e.location.as_ref();
    let mut actors = String::from("|");
    for a in e
        .actor1
        .iter()
        .chain(&e.assoc_actor_1)
        .chain(e.actor2.iter())
        .chain(&e.assoc_actor_2)
    {
        actors.push_str(&a.id.to_lowercase());
        actors.push('|');
    }
    Ok(EventRow {
        id: e.id.clone(),
        doc_id: e.doc_id.clone(),
        event_type: e.event_type.name(),
        sub_event_type: e.sub_event_type.name(),
        event_date: e.event_date.map(|d| d.to_string()),
        place_id: loc.map(|l| l.id.clone()),
        place_name: loc.map(|l| l.name.clone()),
        place_name_ar: loc.map(|l| l.name_ar.clone()),
        admin1: loc.and_then(|l| l.admin1.clone()),
        country: loc.map(|l| l.country.clone()),
        lat: loc.map(|l| l.lat),
        lon: loc.map(|l| l.lon),
        actors,
        source: rasd_reconcile::claim_source(e, outlet),
        outlet: outlet.map(str::to_string),
        stance: e.stance.as_str(),
        fatalities: e.fatalities.as_ref().and_then(|f| f.value).map(|v| v as i64),
        json: serde_json::to_string(e)?,
        date_precision: crate::ingest::precision_name(e.date_precision),
    })
}

/// A candidate original found in one LSH bucket: its sequence number and stored sketch.
pub type NearCandidate = (i64, Option<Vec<u8>>);

/// The sequence number of the stored original most similar to `sig` at or above [`sketch::NEAR_DUPLICATE`] (the
/// earliest among equals). `bucket(band, bucket, limit)` lists the latest `limit` originals indexed in one
/// bucket, newest first (the bucket's `doc_bands` rows by sequence number descending, with the sketch each row
/// holds), on either backend; it may leave out a candidate an earlier bucket of the same lookup listed (the
/// choice is the same). The caller reads the chosen original's id from `docs`: one row per near-duplicate found,
/// not one per candidate.
pub fn choose_near<E>(
    sig: &[u32; sketch::SIGNATURE_LEN],
    mut bucket: impl FnMut(i64, i64, i64) -> std::result::Result<Vec<NearCandidate>, E>,
) -> std::result::Result<Option<i64>, E> {
    let mut best: Option<(f64, i64)> = None;
    for (band, key) in sketch::band_keys(sig) {
        for (seq, blob) in bucket(i64::from(band), key as i64, sketch::BUCKET_SCAN as i64)? {
            let Some(other) = blob.as_deref().and_then(sketch::from_bytes) else {
                continue;
            };
            let s = sketch::similarity(sig, &other);
            if sketch::better(best, s, seq) {
                best = Some((s, seq));
            }
        }
    }
    Ok(best.map(|(_, seq)| seq))
}

/// The rows of `doc_bands` for an original document's sketch: `(band, bucket)`.
pub fn band_rows(sig: &[u32; sketch::SIGNATURE_LEN]) -> Vec<(i64, i64)> {
    sketch::band_keys(sig)
        .iter()
        .map(|&(band, bucket)| (i64::from(band), bucket as i64))
        .collect()
}

/// The reconcile input of a stored event: its JSON, its outlet, and its document's near-duplicate link and
/// publication date (ISO text, as stored).
pub fn report(json: &str, outlet: Option<String>, copy_of: Option<String>, published: Option<&str>) -> Result<Report> {
    let event: Event = serde_json::from_str(json)?;
    let published = published.and_then(|p| chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").ok());
    Ok(Report::new(event, outlet, copy_of).published(published))
}

/// A row of `incidents`.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub id: String,
    pub first_date: Option<String>,
    pub event_type: &'static str,
    pub sub_event_type: &'static str,
    pub place_id: Option<String>,
    pub admin1: Option<String>,
    pub json: String,
}

/// A row of `control_claims` (its `seq` is given by the order of [`Derived::control`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ControlRow {
    pub place_id: String,
    pub date: Option<String>,
    pub source: String,
    pub json: String,
}

/// A row of `contradictions`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContradictionRow {
    pub id: String,
    pub kind: &'static str,
    pub place_id: Option<String>,
    pub date: Option<String>,
    pub source_a: String,
    pub source_b: String,
    pub json: String,
    pub incident_id: Option<String>,
    pub ckey: Option<String>,
}

/// Every derived row of a full rebuild, in the order they are inserted.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub incidents: Vec<IncidentRow>,
    /// `incident_events`: (event id, incident id), sorted.
    pub members: Vec<(String, String)>,
    pub control: Vec<ControlRow>,
    pub contradictions: Vec<ContradictionRow>,
    pub stats: ReconcileStats,
}

/// The SQL that fills `places` from `events` and `control_claims` after the other derived tables are written
/// (valid on SQLite and PostgreSQL alike; `places` is empty before it runs).
pub const PLACES_SQL: &str = "INSERT INTO places(place_id, name, name_ar, events, claims)
       SELECT place_id, max(place_name), max(place_name_ar), count(*), 0 FROM events
       WHERE place_id IS NOT NULL GROUP BY place_id;
     UPDATE places SET claims = (SELECT count(*) FROM control_claims c WHERE c.place_id = places.place_id);";

/// A full reconcile of `reports` (every stored event), as rows: the reports are sorted by event id first, so
/// the same events give the same rows whichever process stored which batch first. Everything is held at once:
/// the rebuilds of both backends stream the same rows instead (`rebuild.rs`), and their tests check them
/// against this.
pub fn derived(mut reports: Vec<Report>, opts: &rasd_reconcile::Options) -> Result<Derived> {
    reports.sort_by(|a, b| a.event.id.cmp(&b.event.id));
    let rec = rasd_reconcile::reconcile(&reports, opts);
    let stats = ReconcileStats {
        events: reports.len() as u64,
        incidents: rec.incidents.len() as u64,
        control_claims: rec.control.len() as u64,
        contradictions: rec.contradictions.len() as u64,
    };
    drop(reports);
    let mut incidents: Vec<&rasd_reconcile::Incident> = rec.incidents.iter().collect();
    incidents.sort_by(|a, b| a.id.cmp(&b.id));
    let mut members: Vec<(String, String)> = rec
        .incidents
        .iter()
        .flat_map(|i| i.claims.iter().map(|c| (c.event_id.clone(), i.id.clone())))
        .collect();
    members.sort_unstable();
    // `INSERT OR REPLACE` keeps the last row of an event listed twice; so does this.
    members.reverse();
    members.dedup_by(|a, b| a.0 == b.0);
    members.reverse();
    let mut contradictions: Vec<&rasd_reconcile::Contradiction> = rec.contradictions.iter().collect();
    contradictions.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = Derived {
        stats,
        ..Derived::default()
    };
    for inc in incidents {
        out.incidents.push(incident_row(inc)?);
    }
    out.members = members;
    for c in &rec.control {
        out.control.push(control_row(c)?);
    }
    let mut last: Option<&str> = None;
    for c in contradictions {
        // `INSERT OR REPLACE` by id: a repeated id keeps its last row.
        if last == Some(c.id.as_str()) {
            out.contradictions.pop();
        }
        last = Some(c.id.as_str());
        out.contradictions.push(contradiction_row(c)?);
    }
    Ok(out)
}

/// The row of `incidents` of an incident.
pub fn incident_row(inc: &rasd_reconcile::Incident) -> Result<IncidentRow> {
    Ok(IncidentRow {
        id: inc.id.clone(),
        first_date: inc.first_date.map(|d| d.to_string()),
        event_type: inc.event_type.name(),
        sub_event_type: inc.sub_event_type.name(),
        place_id: inc.location.as_ref().map(|l| l.id.clone()),
        admin1: inc.location.as_ref().and_then(|l| l.admin1.clone()),
        json: serde_json::to_string(inc)?,
    })
}

/// The row of `control_claims` of a control claim (less its `seq`).
pub fn control_row(c: &rasd_reconcile::ControlClaim) -> Result<ControlRow> {
    Ok(ControlRow {
        place_id: c.place_id.clone(),
        date: c.date.map(|d| d.to_string()),
        source: c.source.clone(),
        json: serde_json::to_string(c)?,
    })
}

/// The row of `contradictions` of a contradiction.
pub fn contradiction_row(c: &rasd_reconcile::Contradiction) -> Result<ContradictionRow> {
    Ok(ContradictionRow {
        id: c.id.clone(),
        kind: c.kind.as_str(),
        place_id: c.place_id.clone(),
        date: c.date.map(|d| d.to_string()),
        source_a: c.a.source.clone(),
        source_b: c.b.source.clone(),
        json: serde_json::to_string(c)?,
        incident_id: c.incident_id.clone(),
        ckey: crate::incremental::controller_ckey(c),
    })
}
