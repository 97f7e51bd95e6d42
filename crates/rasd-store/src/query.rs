use crate::db::{self, Arg, ReadDb};
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use rasd_core::{Doc, Event};
use rasd_lexicon::Lexicon;
use rasd_reconcile::{Contradiction, ContradictionKind, Incident, Timeline, haversine_km};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which records a query wants. Every field narrows; an empty filter selects everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// A place id ("gn:174448"), English name ("Albukamal", "Albu Kamal") or Arabic name ("البوكمال").
    pub place: Option<String>,
    /// Latitude, longitude and radius in km.
    pub near: Option<(f64, f64, f64)>,
    /// A first-level division: its name or the start of one ("Deir ez-Zor", "دير الزور"), an alias the
    /// gazetteer lists ("ريف دير الزور") or its code ("SY.07"; "SY" for every division of a country). See
    /// [`admin1_divisions`].
    pub admin1: Option<String>,
    /// An actor id ("isis").
    pub actor: Option<String>,
    /// An ACLED event type or sub-event type.
    pub kind: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// A source lane ("sana", "local-sources@alaraby") or publishing outlet.
    pub source: Option<String>,
    /// A contradiction kind (contradictions only).
    pub contradiction: Option<ContradictionKind>,
}

/// An event record as stored, with its source lane and incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    #[serde(flatten)]
    pub event: Event,
    pub source: String,
    pub outlet: Option<String>,
    pub incident_id: Option<String>,
}

/// A stored document with where it came from and its events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRecord {
    #[serde(flatten)]
    pub doc: Doc,
    pub origin: Option<String>,
    pub format: Option<String>,
    /// The original of which this document is a republished copy.
    pub near_dup_of: Option<String>,
    /// Other ids that arrived with exactly this text.
    pub aliases: Vec<String>,
    pub events: Vec<StoredEvent>,
}

/// An input that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub origin: String,
    pub reason: String,
    /// Unix time it was first seen.
    pub at: i64,
}

/// A place that events were found at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceRow {
    pub place_id: String,
    pub name: String,
    pub name_ar: String,
    pub events: u64,
    /// Control claims about it.
    pub claims: u64,
}

/// One source lane: its claims and how often others contradict them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceStats {
    pub source: String,
    pub events: u64,
    pub docs: u64,
    /// Its events that take part in at least one contradiction.
    pub contradicted: u64,
    /// `contradicted / events`.
    pub contradicted_share: f64,
    pub contradictions: BTreeMap<String, u64>,
    /// The sources that contradict it, with counts.
    pub contradicted_by: BTreeMap<String, u64>,
}

/// What the database holds, for `rasd demo` and `rasd ingest`'s closing line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub docs: u64,
    pub near_duplicates: u64,
    pub aliases: u64,
    pub failures: u64,
    pub events: u64,
    pub events_by_type: Vec<(String, u64)>,
    pub incidents: u64,
    /// Incidents that more than one independent source reports.
    pub corroborated_incidents: u64,
    /// Incidents that no independent source reports (only denials or republished copies mention them): the
    /// ACLED CSV export has no row for them.
    pub unreported_incidents: u64,
    /// Incidents without a place: the GeoJSON export has no point for them.
    pub unlocated_incidents: u64,
    pub contradictions_by_kind: Vec<(String, u64)>,
    /// The place with the most control claims (else the most events).
    pub busiest_place: Option<PlaceRow>,
}

/// A comparison key that ignores case, Latin diacritics ("Ālbū"), Arabic spelling variants and spaces, so that
/// "Albukamal", "Albu Kamal" and "البوكمال" find the gazetteer's "Ālbū Kamāl" / "البو كمال".
pub fn place_key(s: &str) -> String {
    let folded = rasd_text::normalize_key(s);
    folded
        .chars()
        .filter_map(|c| {
            let c = match c {
                'ā' | 'á' | 'à' | 'â' | 'ä' | 'Ā' | 'Á' => 'a',
                'ī' | 'í' | 'ì' | 'î' | 'Ī' => 'i',
                'ū' | 'ú' | 'ù' | 'û' | 'ü' | 'Ū' => 'u',
                'ē' | 'é' | 'è' | 'ê' | 'É' => 'e',
                'ō' | 'ó' | 'ò' | 'ô' | 'ö' => 'o',
                'ḩ' | 'ḥ' | 'Ḩ' | 'Ḥ' => 'h',
                'ş' | 'ṣ' | 'Ş' | 'Ṣ' | 'š' => 's',
                'ţ' | 'ṭ' | 'Ţ' | 'Ṭ' => 't',
                'ḑ' | 'ḍ' | 'Ḑ' | 'Ḍ' => 'd',
                'ẕ' | 'ẓ' | 'Ẕ' | 'Ẓ' | 'ž' => 'z',
                'ğ' | 'ġ' => 'g',
                'ç' => 'c',
                c => c,
            };
            c.is_alphanumeric().then(|| c.to_lowercase().next().unwrap_or(c))
        })
        .collect()
}

/// The embedded lexicon, or `None` when it failed to build (then names fall back to what is stored).
fn lexicon() -> Option<&'static Lexicon> {
    Lexicon::embedded().ok()
}

/// `s` with SQL `LIKE`'s wildcards (`%`, `_`) and the escape character itself escaped with `\`, for a pattern
/// used with `ESCAPE '\'`: a filter value matches literally.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A first-level administrative division of the gazetteer (GeoNames admin1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admin1 {
    /// GeoNames' code as `CC.code` ("SY.07"), as stored in event records.
    pub code: String,
    /// English name ("Deir ez-Zor Governorate").
    pub name: String,
    /// Arabic name ("محافظة دير الزور").
    pub name_ar: String,
}

fn admin1_of(p: &rasd_lexicon::Place) -> Admin1 {
    Admin1 {
        code: p
            .admin1
            .clone()
            .unwrap_or_else(|| p.id.trim_start_matches("adm1:").to_string()),
        name: p.name.clone(),
        name_ar: p.name_ar.clone(),
    }
}

/// The division of a stored admin-1 code ("SY.07" → Deir ez-Zor Governorate), from the embedded gazetteer.
pub fn admin1_by_code(code: &str) -> Option<Admin1> {
    let p = lexicon()?.place(&format!("adm1:{}", code.trim()))?;
    (p.kind == "admin1").then(|| admin1_of(p))
}

/// The name and the code of a stored admin-1 value, for output: a code the gazetteer knows gives its English
/// name and itself; any other value (a name stored by an older rasd, a code of another gazetteer) is shown as
/// it is, and its code is unknown.
pub fn admin1_name_and_code(stored: &str) -> (String, Option<String>) {
    match admin1_by_code(stored) {
        Some(a) => (a.name, Some(a.code)),
        None => (stored.to_string(), None),
    }
}

/// Rewrites a location object of a record for output: `admin1` becomes the division's name and `admin1_code`
/// holds the code (`null` when the stored value is not a code the gazetteer knows).
pub fn name_admin1(location: &mut Value) {
    let Value::Object(m) = location else { return };
    let Some(stored) = m.get("admin1").and_then(Value::as_str).map(str::to_string) else {
        if m.contains_key("admin1") {
            m.insert("admin1_code".into(), Value::Null);
        }
        return;
    };
    let (name, code) = admin1_name_and_code(&stored);
    m.insert("admin1".into(), Value::String(name));
    m.insert("admin1_code".into(), code.map_or(Value::Null, Value::String));
}

/// An event record as JSON for output (`events --json`, `show --json`, the JSONL export): the stored record
/// with its source lane, outlet and incident id, and the admin-1 name in `location.admin1` (the code in
/// `location.admin1_code`).
pub fn event_value(e: &StoredEvent) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(e)?;
    if let Some(loc) = v.get_mut("location") {
        name_admin1(loc);
    }
    Ok(v)
}

/// An incident as JSON for output, with the admin-1 name in `location.admin1` (the code in
/// `location.admin1_code`).
pub fn incident_value(inc: &Incident) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(inc)?;
    if let Some(loc) = v.get_mut("location") {
        name_admin1(loc);
    }
    Ok(v)
}

/// A stored document with its events as JSON for output, each event as [`event_value`] gives it.
pub fn doc_value(d: &DocRecord) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(d)?;
    if let Some(Value::Array(events)) = v.get_mut("events") {
        for e in events {
            if let Some(loc) = e.get_mut("location") {
                name_admin1(loc);
            }
        }
    }
    Ok(v)
}

/// True when `key` (a [`place_key`]) starts `name` at one of its words: "deirezzor" starts "Deir ez-Zor
/// Governorate", "ديرالزور" starts the second word of "محافظة دير الزور", "abudhabi" the third of "Emirate of
/// Abu Dhabi".
fn starts_a_word(name: &str, key: &str) -> bool {
    if key.is_empty() {
        return false;
    }
    let mut starts = vec![0];
    starts.extend(
        name.char_indices()
            .filter(|(_, c)| c.is_whitespace() || *c == '-')
            .map(|(i, c)| i + c.len_utf8()),
    );
    starts.into_iter().any(|i| place_key(&name[i..]).starts_with(key))
}

/// The first-level divisions `query` names, from the embedded gazetteer: a code ("SY.07"), a country code
/// ("SY": all of its divisions), a name or the start of one at any word, in English or Arabic, with Arabic
/// spelling variants folded ("Deir ez-Zor", "دير الزور", "الحسكة", "Abu Dhabi"), or an alias the gazetteer lists
/// ("ريف دير الزور").
pub fn admin1_divisions(query: &str) -> Vec<Admin1> {
    let q = query.trim();
    let Some(lex) = lexicon() else { return Vec::new() };
    if q.is_empty() {
        return Vec::new();
    }
    // A name holds no `%` or `_`: a query with one matches a code or a stored value literally, never a name
    // with the character folded away.
    let key = if q.contains(['%', '_']) {
        String::new()
    } else {
        place_key(q)
    };
    let country =
        (q.len() == 2 && q.bytes().all(|b| b.is_ascii_alphabetic())).then(|| format!("{}.", q.to_ascii_uppercase()));
    let aliased: Vec<&str> = lex
        .lookup_places(q)
        .into_iter()
        .filter(|p| p.kind == "admin1")
        .map(|p| p.id.as_str())
        .collect();
    lex.places()
        .iter()
        .filter(|p| p.kind == "admin1")
        .filter(|p| {
            let code = p.admin1.as_deref().unwrap_or_default();
            aliased.contains(&p.id.as_str())
                || code.eq_ignore_ascii_case(q)
                || country.as_deref().is_some_and(|c| code.starts_with(c))
                || (key.chars().count() >= 2 && (starts_a_word(&p.name, &key) || starts_a_word(&p.name_ar, &key)))
        })
        .map(admin1_of)
        .collect()
}

/// The SQL condition (on `column`) and arguments of an `admin1` filter: the stored value is the code or a name
/// of a division [`admin1_divisions`] finds, or starts with the query itself (literally: `%` and `_` are not
/// wildcards), for values stored by another gazetteer.
pub(crate) fn admin1_condition(column: &str, query: &str) -> (String, Vec<String>) {
    let mut values: Vec<String> = Vec::new();
    for a in admin1_divisions(query) {
        values.extend([a.code, a.name, a.name_ar]);
    }
    values.retain(|v| !v.is_empty());
    values.sort();
    values.dedup();
    let mut sql = format!("(lower({column}) LIKE lower(?) ESCAPE '\\'");
    let mut args = vec![format!("{}%", like_escape(query.trim()))];
    if !values.is_empty() {
        sql.push_str(&format!(" OR {column} IN ({})", vec!["?"; values.len()].join(",")));
        args.extend(values);
    }
    sql.push(')');
    (sql, args)
}

/// A value for a line of tab-separated text output: tabs, line breaks and other control characters are written
/// as `\t`, `\n`, `\r` and `\u{…}`, so that an id holding them cannot break the columns or the lines.
pub fn tsv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

impl Store {
    /// The gazetteer's places that `query` names (id, English or Arabic name or alias), whether or not the
    /// database has events there: for messages such as "Abu Kamal (gn:174448) has no stored events".
    pub fn gazetteer_places(query: &str) -> Vec<PlaceRow> {
        lexicon()
            .map(|lex| {
                lex.lookup_places(query)
                    .into_iter()
                    .map(|p| PlaceRow {
                        place_id: p.id.clone(),
                        name: p.name.clone(),
                        name_ar: p.name_ar.clone(),
                        events: 0,
                        claims: 0,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl<'a> dyn ReadDb + 'a {
    /// The places with events that `query` names: by id, through every name, alias and spelling the
    /// gazetteer knows ([`Lexicon::lookup_places`]: البوكمال, بوكمال, "Abu Kamal", مركدة for Markadah), or by
    /// the stored name (see [`place_key`]), busiest first.
    pub fn find_places(&self, query: &str) -> Result<Vec<PlaceRow>> {
        let places = self.places()?;
        let exact: Vec<PlaceRow> = places.iter().filter(|p| p.place_id == query.trim()).cloned().collect();
        if !exact.is_empty() || query.contains(['%', '_']) {
            // A name holds no `%` or `_`: such a query is an id or nothing, matched literally.
            return Ok(exact);
        }
        let key = place_key(query);
        let known: HashSet<&str> = lexicon()
            .map(|lex| lex.lookup_places(query).into_iter().map(|p| p.id.as_str()).collect())
            .unwrap_or_default();
        Ok(places
            .into_iter()
            .filter(|p| {
                known.contains(p.place_id.as_str())
                    || (!key.is_empty() && (place_key(&p.name) == key || place_key(&p.name_ar) == key))
            })
            .collect())
    }

    /// Every place with events, busiest first.
    pub fn places(&self) -> Result<Vec<PlaceRow>> {
        self.rows(
            "SELECT place_id, coalesce(name, ''), coalesce(name_ar, ''), events, claims FROM places
             ORDER BY claims DESC, events DESC, place_id",
            &[],
            |r| {
                Ok(PlaceRow {
                    place_id: db::text(r, 0)?,
                    name: db::text(r, 1)?,
                    name_ar: db::text(r, 2)?,
                    events: db::int(r, 3)? as u64,
                    claims: db::int(r, 4)? as u64,
                })
            },
        )
    }

    /// The place ids a filter's `place` names; `None` when the filter names no place.
    fn place_ids(&self, f: &Filter) -> Result<Option<Vec<String>>> {
        match &f.place {
            None => Ok(None),
            Some(q) => Ok(Some(self.find_places(q)?.into_iter().map(|p| p.place_id).collect())),
        }
    }

    /// Stored events matching `f`, in date order.
    pub fn events(&self, f: &Filter) -> Result<Vec<StoredEvent>> {
        self.events_page(f, 0, None)
    }

    /// One page of [`Self::events`]: the matching events after skipping `offset` of them, at most `limit`.
    pub fn events_page(&self, f: &Filter, offset: usize, limit: Option<usize>) -> Result<Vec<StoredEvent>> {
        let mut out = Vec::new();
        self.for_each_event(f, offset, limit, &mut |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Streams the page of [`Self::events_page`] to `visit`, one event at a time, straight from the database
    /// cursor: memory does not grow with the number of events. Returns how many were visited.
    pub fn for_each_event(
        &self,
        f: &Filter,
        offset: usize,
        limit: Option<usize>,
        visit: &mut dyn FnMut(StoredEvent) -> Result<()>,
    ) -> Result<u64> {
        let mut sql = String::from(
            "SELECT e.json, e.source, e.outlet, i.incident_id, e.lat, e.lon FROM events e
             LEFT JOIN incident_events i ON i.event_id = e.id WHERE true",
        );
        let mut args: Vec<Arg> = Vec::new();
        if let Some(ids) = self.place_ids(f)? {
            if ids.is_empty() {
                return Ok(0);
            }
            sql.push_str(&format!(" AND e.place_id IN ({})", vec!["?"; ids.len()].join(",")));
            args.extend(ids.into_iter().map(Arg::Text));
        }
        if let Some((lat, lon, km)) = f.near {
            let dlat = km / 111.0;
            let dlon = km / (111.0 * lat.to_radians().cos().abs().max(0.01));
            sql.push_str(" AND e.lat BETWEEN ? AND ? AND e.lon BETWEEN ? AND ?");
            args.extend([lat - dlat, lat + dlat, lon - dlon, lon + dlon].map(Arg::Real));
        }
        if let Some(a) = &f.admin1 {
            let (cond, values) = admin1_condition("e.admin1", a);
            sql.push_str(" AND ");
            sql.push_str(&cond);
            args.extend(values.into_iter().map(Arg::Text));
        }
        if let Some(a) = &f.actor {
            sql.push_str(" AND e.actors LIKE ? ESCAPE '\\'");
            args.push(Arg::Text(format!("%|{}|%", like_escape(&a.trim().to_lowercase()))));
        }
        if let Some(k) = &f.kind {
            sql.push_str(" AND (lower(e.event_type) = lower(?) OR lower(e.sub_event_type) = lower(?))");
            args.push(Arg::Text(k.trim().to_string()));
            args.push(Arg::Text(k.trim().to_string()));
        }
        if let Some(d) = f.since {
            sql.push_str(" AND e.event_date >= ?");
            args.push(Arg::Text(d.to_string()));
        }
        if let Some(d) = f.until {
            sql.push_str(" AND e.event_date <= ?");
            args.push(Arg::Text(d.to_string()));
        }
        if let Some(s) = &f.source {
            sql.push_str(" AND (e.source = ? OR e.outlet = ? OR e.source LIKE ? ESCAPE '\\')");
            let s = s.trim().to_string();
            args.push(Arg::Text(s.clone()));
            args.push(Arg::Text(s.clone()));
            args.push(Arg::Text(format!("{}@%", like_escape(&s))));
        }
        sql.push_str(" ORDER BY e.event_date, e.id");
        // The distance test of `near` runs here, after SQL: then the page is cut here too.
        let mut skip = offset;
        if f.near.is_none() {
            match limit {
                Some(l) => {
                    sql.push_str(" LIMIT ? OFFSET ?");
                    args.push(Arg::Int(l.min(i64::MAX as usize) as i64));
                }
                None => sql.push_str(" LIMIT -1 OFFSET ?"),
            }
            args.push(Arg::Int(offset.min(i64::MAX as usize) as i64));
            skip = 0;
        }
        if limit == Some(0) {
            return Ok(0);
        }
        let mut n = 0u64;
        self.each_row(&sql, &args, &mut |r| {
            if let (Some((lat, lon, km)), Some(elat), Some(elon)) = (f.near, r.real(4)?, r.real(5)?)
                && haversine_km(lat, lon, elat, elon) > km
            {
                return Ok(true);
            }
            if skip > 0 {
                skip -= 1;
                return Ok(true);
            }
            if limit.is_some_and(|l| n >= l as u64) {
                return Ok(false);
            }
            visit(StoredEvent {
                event: serde_json::from_str(&db::text(r, 0)?)?,
                source: db::text(r, 1)?,
                outlet: r.text(2)?,
                incident_id: r.text(3)?,
            })?;
            n += 1;
            Ok(true)
        })?;
        Ok(n)
    }

    /// Incidents matching `f` (an incident matches when its place, type and dates do and one of its claims
    /// comes from the source asked for).
    pub fn incidents(&self, f: &Filter) -> Result<Vec<Incident>> {
        let mut out = Vec::new();
        self.for_each_incident(f, &mut |inc| {
            out.push(inc);
            Ok(())
        })?;
        Ok(out)
    }

    /// Streams [`Self::incidents`] to `visit`, one incident at a time, straight from the database cursor:
    /// memory does not grow with the number of incidents. Returns how many were visited.
    pub fn for_each_incident(&self, f: &Filter, visit: &mut dyn FnMut(Incident) -> Result<()>) -> Result<u64> {
        let mut sql = String::from("SELECT json FROM incidents WHERE true");
        let mut args: Vec<Arg> = Vec::new();
        if let Some(ids) = self.place_ids(f)? {
            if ids.is_empty() {
                return Ok(0);
            }
            sql.push_str(&format!(" AND place_id IN ({})", vec!["?"; ids.len()].join(",")));
            args.extend(ids.into_iter().map(Arg::Text));
        }
        if let Some(k) = &f.kind {
            sql.push_str(" AND (lower(event_type) = lower(?) OR lower(sub_event_type) = lower(?))");
            args.push(Arg::Text(k.trim().to_string()));
            args.push(Arg::Text(k.trim().to_string()));
        }
        if let Some(a) = &f.admin1 {
            let (cond, values) = admin1_condition("admin1", a);
            sql.push_str(" AND ");
            sql.push_str(&cond);
            args.extend(values.into_iter().map(Arg::Text));
        }
        sql.push_str(" ORDER BY first_date, id");
        let mut n = 0;
        self.each_row(&sql, &args, &mut |r| {
            let inc: Incident = serde_json::from_str(&db::text(r, 0)?)?;
            let in_range = |d: Option<NaiveDate>| {
                f.since.is_none_or(|s| d.is_some_and(|d| d >= s)) && f.until.is_none_or(|u| d.is_some_and(|d| d <= u))
            };
            let near_ok = f.near.is_none_or(|(lat, lon, km)| {
                inc.location
                    .as_ref()
                    .is_some_and(|l| haversine_km(lat, lon, l.lat, l.lon) <= km)
            });
            let actor_ok = f.actor.as_ref().is_none_or(|a| {
                let a = a.trim().to_lowercase();
                inc.actor1.iter().chain(&inc.actor2).any(|t| t.id == a)
            });
            let source_ok = f.source.as_ref().is_none_or(|s| {
                inc.claims
                    .iter()
                    .any(|c| c.source == *s || c.outlet.as_deref() == Some(s.as_str()))
            });
            if in_range(inc.first_date) && near_ok && actor_ok && source_ok {
                visit(inc)?;
                n += 1;
            }
            Ok(true)
        })?;
        Ok(n)
    }

    /// The control timeline of the place `query` names (the busiest one when several match).
    pub fn timeline(&self, query: &str, horizon_days: i64) -> Result<Option<Timeline>> {
        let Some(place) = self.find_places(query)?.into_iter().next() else {
            return Ok(None);
        };
        self.timeline_of(&place.place_id, horizon_days)
    }

    /// The control timeline of the place with id `place_id`.
    pub(crate) fn timeline_of(&self, place_id: &str, horizon_days: i64) -> Result<Option<Timeline>> {
        let claims = self.rows(
            "SELECT json FROM control_claims WHERE place_id = ?1 ORDER BY seq",
            &[place_id.into()],
            |r| Ok(serde_json::from_str::<rasd_reconcile::ControlClaim>(&db::text(r, 0)?)?),
        )?;
        Ok(Timeline::build(&claims, horizon_days))
    }

    /// Contradictions matching `f` (place, kind, source on either side, date range).
    pub fn contradictions(&self, f: &Filter) -> Result<Vec<Contradiction>> {
        let mut out = Vec::new();
        self.for_each_contradiction(f, &mut |c| {
            out.push(c);
            Ok(())
        })?;
        Ok(out)
    }

    /// Streams the contradictions of [`Self::contradictions`] to `visit`, one at a time, straight from the
    /// database cursor: memory does not grow with their number. Returns how many were visited.
    pub fn for_each_contradiction(
        &self,
        f: &Filter,
        visit: &mut dyn FnMut(Contradiction) -> Result<()>,
    ) -> Result<u64> {
        let Some((wh, args)) = crate::serve_queries::contradiction_where(self, f, true)? else {
            return Ok(0);
        };
        let sql = format!("SELECT json FROM contradictions WHERE true{wh} ORDER BY kind, date, id");
        let args: Vec<Arg> = args.into_iter().map(Arg::Text).collect();
        let mut n = 0u64;
        self.each_row(&sql, &args, &mut |r| {
            visit(serde_json::from_str(&db::text(r, 0)?)?)?;
            n += 1;
            Ok(true)
        })?;
        Ok(n)
    }

    /// Every source lane with its claims and how often other sources contradict them.
    pub fn sources(&self) -> Result<Vec<SourceStats>> {
        let mut stats: BTreeMap<String, SourceStats> = BTreeMap::new();
        self.each_row(
            "SELECT source, count(*), count(DISTINCT doc_id) FROM events GROUP BY source",
            &[],
            &mut |r| {
                let source = db::text(r, 0)?;
                stats.insert(
                    source.clone(),
                    SourceStats {
                        source,
                        events: db::int(r, 1)? as u64,
                        docs: db::int(r, 2)? as u64,
                        contradicted: 0,
                        contradicted_share: 0.0,
                        contradictions: BTreeMap::new(),
                        contradicted_by: BTreeMap::new(),
                    },
                );
                Ok(true)
            },
        )?;
        // The contradictions stream past; what is kept of them is counts per source and, per source, a 64-bit
        // hash of each contradicted event's id (8 bytes an event rather than its id; two ids of one source that
        // hash alike, about one chance in 10^8 at a million events, would count once).
        let mut hit: HashMap<String, HashSet<u64>> = HashMap::new();
        self.for_each_contradiction(&Filter::default(), &mut |c| {
            for (me, other) in [(&c.a, &c.b), (&c.b, &c.a)] {
                if let Some(s) = stats.get_mut(&me.source) {
                    *s.contradictions.entry(c.kind.as_str().to_string()).or_default() += 1;
                    *s.contradicted_by.entry(other.source.clone()).or_default() += 1;
                }
                let mut h = std::hash::DefaultHasher::new();
                std::hash::Hash::hash(&me.event_id, &mut h);
                hit.entry(me.source.clone())
                    .or_default()
                    .insert(std::hash::Hasher::finish(&h));
            }
            Ok(())
        })?;
        let mut out: Vec<SourceStats> = stats
            .into_values()
            .map(|mut s| {
                s.contradicted = hit.get(&s.source).map_or(0, |h| h.len() as u64);
                s.contradicted_share = if s.events == 0 {
                    0.0
                } else {
                    s.contradicted as f64 / s.events as f64
                };
                s
            })
            .collect();
        out.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.source.cmp(&b.source)));
        Ok(out)
    }

    /// A stored document by id (or by an alias id that arrived with the same text).
    pub fn doc(&self, id: &str) -> Result<Option<DocRecord>> {
        let id: String = self
            .first("SELECT doc_id FROM doc_aliases WHERE alias = ?1", &[id.into()], |r| {
                db::text(r, 0)
            })?
            .unwrap_or_else(|| id.to_string());
        let row = self.first(
            "SELECT id, url, outlet, published, title, text, origin, format, near_dup_of FROM docs WHERE id = ?1",
            &[id.as_str().into()],
            |r| {
                Ok((
                    Doc {
                        id: db::text(r, 0)?,
                        url: r.text(1)?,
                        outlet: r.text(2)?,
                        published: date(r.text(3)?),
                        title: r.text(4)?,
                        text: db::text(r, 5)?,
                    },
                    r.text(6)?,
                    r.text(7)?,
                    r.text(8)?,
                ))
            },
        )?;
        let Some((doc, origin, format, near_dup_of)) = row else {
            return Ok(None);
        };
        let aliases = self.rows(
            "SELECT alias FROM doc_aliases WHERE doc_id = ?1 ORDER BY alias",
            &[id.as_str().into()],
            |r| db::text(r, 0),
        )?;
        let mut events = self.rows(
            "SELECT e.json, e.source, e.outlet, i.incident_id FROM events e
             LEFT JOIN incident_events i ON i.event_id = e.id WHERE e.doc_id = ?1 ORDER BY e.id",
            &[id.as_str().into()],
            |r| {
                Ok(StoredEvent {
                    event: serde_json::from_str(&db::text(r, 0)?)?,
                    source: db::text(r, 1)?,
                    outlet: r.text(2)?,
                    incident_id: r.text(3)?,
                })
            },
        )?;
        events.sort_by_key(|e| (e.event.evidence.start, e.event.evidence.end));
        Ok(Some(DocRecord {
            doc,
            origin,
            format,
            near_dup_of,
            aliases,
            events,
        }))
    }
}

impl<'a> dyn ReadDb + 'a {
    /// Unreadable inputs recorded by ingest, oldest first (SQLite or PostgreSQL).
    pub fn failures(&self) -> Result<Vec<Failure>> {
        self.rows(
            "SELECT origin, reason, at FROM failures ORDER BY at, origin",
            &[],
            |r| {
                Ok(Failure {
                    origin: db::text(r, 0)?,
                    reason: db::text(r, 1)?,
                    at: db::int(r, 2)?,
                })
            },
        )
    }

    /// How many unreadable inputs are recorded.
    pub fn failure_count(&self) -> Result<u64> {
        let n = self.first("SELECT count(*) FROM failures", &[], |r| db::int(r, 0))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }
}

impl<'a> dyn ReadDb + 'a {
    /// Counts for a summary (SQLite or PostgreSQL).
    pub fn summary(&self) -> Result<Summary> {
        let count =
            |sql: &str| -> Result<u64> { Ok(self.first(sql, &[], |r| db::int(r, 0))?.unwrap_or(0).max(0) as u64) };
        let pairs = |sql: &str| -> Result<Vec<(String, u64)>> {
            self.rows(sql, &[], |r| Ok((db::text(r, 0)?, db::int(r, 1)?.max(0) as u64)))
        };
        let (mut corroborated, mut unreported, mut unlocated) = (0, 0, 0);
        self.each_row("SELECT json FROM incidents", &[], &mut |r| {
            let inc: Incident = serde_json::from_str(&db::text(r, 0)?)?;
            corroborated += u64::from(inc.sources.len() > 1);
            unreported += u64::from(!inc.is_reported());
            unlocated += u64::from(inc.location.is_none());
            Ok(true)
        })?;
        Ok(Summary {
            docs: count("SELECT count(*) FROM docs")?,
            near_duplicates: count("SELECT count(*) FROM docs WHERE near_dup_of IS NOT NULL")?,
            aliases: count("SELECT count(*) FROM doc_aliases")?,
            failures: count("SELECT count(*) FROM failures")?,
            events: count("SELECT count(*) FROM events")?,
            events_by_type: pairs("SELECT event_type, count(*) FROM events GROUP BY event_type ORDER BY 2 DESC, 1")?,
            incidents: count("SELECT count(*) FROM incidents")?,
            corroborated_incidents: corroborated,
            unreported_incidents: unreported,
            unlocated_incidents: unlocated,
            contradictions_by_kind: pairs("SELECT kind, count(*) FROM contradictions GROUP BY kind ORDER BY 1")?,
            busiest_place: self.places()?.into_iter().next(),
        })
    }
}

impl Store {
    /// Checks a query argument early, so that a typo gets a clear message instead of an empty answer.
    pub fn check_filter(f: &Filter) -> Result<()> {
        if let Some((lat, lon, km)) = f.near
            && (!(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) || km.is_nan() || km <= 0.0)
        {
            return Err(Error::Query(format!(
                "--near {lat},{lon},{km}: latitude, longitude or radius out of range"
            )));
        }
        if let (Some(s), Some(u)) = (f.since, f.until)
            && s > u
        {
            return Err(Error::Query(format!("--since {s} is after --until {u}")));
        }
        Ok(())
    }
}
