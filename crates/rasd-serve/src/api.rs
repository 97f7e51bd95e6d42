//! The JSON API. Handlers parse their query strings with [`crate::filter`], run the store query on a blocking
//! thread under a timeout, and answer JSON (or CSV / GeoJSON for the exports). GET answers carry an ETag, and
//! `If-None-Match` with the same tag gets 304.

use crate::filter::{FilterError, key_cursor, next_cursor, parse_query};
use crate::{Config, Database, assets, summary};
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rasd_store::serve_queries::NewCorrection;
use rasd_store::{Filter, ReadDb, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use utoipa::{IntoParams, OpenApi, ToSchema};

type Cfg = Arc<Config>;

/// An answer other than success: a status and a message, sent as `{"error": …, "status": …}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in words.
    error: String,
    status: u16,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.message,
            status: self.status.as_u16(),
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> ApiError {
        ApiError::bad(e.0)
    }
}

impl From<rasd_store::Error> for ApiError {
    fn from(e: rasd_store::Error) -> ApiError {
        let status = match &e {
            rasd_store::Error::Query(_) => StatusCode::BAD_REQUEST,
            e if e.is_busy() => StatusCode::SERVICE_UNAVAILABLE,
            rasd_store::Error::Missing(_) | rasd_store::Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

/// PostgreSQL unreachable, refusing, or without the rasd schema: 503, the next request tries again.
impl From<rasd_pg::Error> for ApiError {
    fn from(e: rasd_pg::Error) -> ApiError {
        let status = match e {
            rasd_pg::Error::Store(e) => return ApiError::from(e),
            rasd_pg::Error::Postgres(ref p) if !rasd_pg::read::is_unavailable(p) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError::new(status, e.to_string())
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The state of the database a read saw: an answer computed on one state holds for every read that sees the same.
/// On SQLite, the size and time of the file and of its write-ahead log, taken before the read opens it (a
/// committed write changes them); on PostgreSQL, the read's own snapshot (`pg_current_snapshot()`: the same
/// snapshot sees the same committed transactions, and any commit on the server changes it).
#[derive(Debug, Clone, PartialEq)]
enum DbState {
    Files(Vec<(u64, std::time::SystemTime)>),
    Snapshot(String),
}

/// The database in cache keys.
fn cache_key(db: &Database) -> String {
    match db {
        Database::Sqlite(p) => p.display().to_string(),
        Database::Postgres(pool) => pool.url().to_string(),
    }
}

/// The longest a request waits for a pooled PostgreSQL connection when all are busy (then 503).
const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads the database in one snapshot (SQLite: opened read-only; PostgreSQL: one read-only transaction on a
/// pooled connection). `lookup` is asked first, with the state: an answer it keeps for that state ends the
/// read; else `f` computes on the database, and the answer comes back with the state and `true`.
fn with_db<T>(
    db: &Database,
    lookup: impl FnOnce(&DbState) -> Option<T>,
    f: impl FnOnce(&dyn ReadDb, Option<&DbState>) -> ApiResult<T>,
) -> ApiResult<(T, Option<DbState>, bool)> {
    match db {
        Database::Sqlite(path) => {
            let state = db_state(path).map(DbState::Files);
            if let Some(hit) = state.as_ref().and_then(lookup) {
                return Ok((hit, state, false));
            }
            let v = f(&*Store::open_read_only(path)?, state.as_ref())?;
            Ok((v, state, true))
        }
        Database::Postgres(pool) => pool.read(POOL_WAIT, |s| {
            let mut state = None;
            s.each_row("SELECT CAST(pg_current_snapshot() AS text)", &[], &mut |r| {
                state = r.text(0)?.map(DbState::Snapshot);
                Ok(false)
            })?;
            if let Some(hit) = state.as_ref().and_then(lookup) {
                return Ok((hit, state, false));
            }
            let v = f(s, state.as_ref())?;
            Ok((v, state, true))
        }),
    }
}

/// Runs `f` on a blocking thread with the database read in one snapshot ([`with_db`]), under the configured
/// timeout; `f` also gets the state of the database it reads.
async fn read_state<T, F>(cfg: &Cfg, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn ReadDb, Option<&DbState>) -> ApiResult<T> + Send + 'static,
{
    let db = cfg.db.clone();
    blocking(cfg, move || Ok(with_db(&db, |_| None, f)?.0)).await
}

/// Runs `f` on a blocking thread with the database read in one snapshot, under the configured timeout.
async fn read<T, F>(cfg: &Cfg, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn ReadDb) -> ApiResult<T> + Send + 'static,
{
    read_state(cfg, move |s, _| f(s)).await
}

/// Runs `f` on a blocking thread under the configured timeout.
async fn blocking<T, F>(cfg: &Cfg, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    let task = tokio::task::spawn_blocking(f);
    match tokio::time::timeout(cfg.timeout, task).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the query failed: {e}"),
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the query took longer than {} s; narrow the filters",
                cfg.timeout.as_secs_f64()
            ),
        )),
    }
}

/// Filters of the event queries (the CLI's `rasd events` flags).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EventQuery {
    /// An ACLED event type or sub-event type ("Battles", "Air/drone strike").
    r#type: Option<String>,
    /// An actor id ("isis", "syria-gov").
    actor: Option<String>,
    /// A source lane ("sana", "local-sources@alaraby") or publishing outlet.
    source: Option<String>,
    /// A place: gazetteer id, English or Arabic name ("Albukamal", "البوكمال").
    place: Option<String>,
    /// A first-level administrative area ("Deir ez-Zor").
    admin1: Option<String>,
    /// LAT,LON,KM: within KM kilometres of a point.
    near: Option<String>,
    /// From this date on (YYYY-MM-DD).
    from: Option<String>,
    /// Up to this date (YYYY-MM-DD).
    to: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    limit: Option<usize>,
    /// The `next` cursor of the previous page.
    cursor: Option<String>,
}

/// Filters of the contradiction list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ContradictionQuery {
    /// controller, fatalities, date or existence.
    kind: Option<String>,
    /// A source on either side.
    source: Option<String>,
    place: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

/// Options of a timeline.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TimelineQuery {
    /// Days a source's claim stays its view (1 to 365, default 7).
    horizon: Option<i64>,
    /// Only the steps and claims from this date on (YYYY-MM-DD); the views on it still count the claims of the
    /// `horizon` days before.
    from: Option<String>,
    /// Only the steps and claims up to this date (YYYY-MM-DD).
    to: Option<String>,
}

/// Filters of the exports: the event filters, and corrections.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportQuery {
    r#type: Option<String>,
    actor: Option<String>,
    source: Option<String>,
    place: Option<String>,
    admin1: Option<String>,
    near: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// true: leave out the events an analyst marked wrong, and the incidents all of whose claims were (as
    /// `rasd export --exclude-corrected`).
    exclude_corrected: Option<bool>,
}

/// Options of the map summary.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SummaryQuery {
    /// `week` (weeks from Monday, the default) or `day`.
    bucket: Option<String>,
    /// Events from this date on (YYYY-MM-DD).
    from: Option<String>,
    /// Events up to this date (YYYY-MM-DD).
    to: Option<String>,
}

/// Options of an upload.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct IngestQuery {
    /// A file name for the body ("report.txt", "wire.jsonl", "page.html", "feed.rss"): its extension picks
    /// the format, and a plain text document takes its id from it.
    name: Option<String>,
    /// An http(s) URL to fetch and store instead of a body (also accepted as a JSON body `{"url": "…"}`).
    url: Option<String>,
}

/// The longest URL `POST /api/ingest` fetches.
const MAX_URL: usize = 2048;

/// The URL of a `{"url": "…"}` body (a JSON object with that one key; any other body is a document).
fn url_body(headers: &HeaderMap, bytes: &[u8]) -> Option<String> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if !json || bytes.len() > MAX_URL + 64 {
        return None;
    }
    match serde_json::from_slice::<Value>(bytes).ok()? {
        Value::Object(m) if m.len() == 1 => m.get("url")?.as_str().map(str::to_string),
        _ => None,
    }
}

fn check_url(url: &str) -> ApiResult<()> {
    let lower = url.to_ascii_lowercase();
    if url.len() > MAX_URL
        || !(lower.starts_with("http://") || lower.starts_with("https://"))
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        let shown: String = url.chars().take(80).collect();
        return Err(ApiError::bad(format!(
            "url={shown:?} is not an http(s) URL of at most {MAX_URL} bytes"
        )));
    }
    Ok(())
}

/// Fetches `url` with rasd-fetch's in-process client, under the server's limits: the body cap is the request
/// body limit, and the fetch gives up within the handler timeout. The body is read as a file of the URL's name.
fn fetch_items(cfg: &Config, url: &str) -> ApiResult<Vec<rasd_store::read::Item>> {
    let timeout = cfg
        .timeout
        .saturating_sub(std::time::Duration::from_secs(1))
        .max(std::time::Duration::from_secs(1));
    let client = rasd_fetch::Client::new(rasd_fetch::Options {
        connect_timeout: timeout.min(std::time::Duration::from_secs(10)),
        timeout,
        max_bytes: cfg.body_limit as u64,
        ..rasd_fetch::Options::default()
    });
    let text = client.get(url).and_then(|r| r.text()).map_err(|e| match e {
        rasd_fetch::Error::BadUrl { .. } => ApiError::bad(format!("cannot fetch: {e}")),
        rasd_fetch::Error::TooLarge { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("cannot fetch: {e}"))
        }
        rasd_fetch::Error::Timeout { .. } => ApiError::new(StatusCode::GATEWAY_TIMEOUT, format!("cannot fetch: {e}")),
        _ => ApiError::new(StatusCode::BAD_GATEWAY, format!("cannot fetch: {e}")),
    })?;
    let name = url.split(['?', '#']).next().unwrap_or(url);
    let hint = name.rsplit('/').next().and_then(rasd_store::read::format_from_name);
    Ok(rasd_store::read::read_bytes(url, text.as_bytes(), hint))
}

const EVENT_KEYS: &[&str] = &[
    "type", "actor", "source", "place", "admin1", "near", "from", "to", "limit", "cursor",
];
const EXPORT_KEYS: &[&str] = &[
    "type",
    "actor",
    "source",
    "place",
    "admin1",
    "near",
    "from",
    "to",
    "exclude_corrected",
];
const CONTRADICTION_KEYS: &[&str] = &["kind", "source", "place", "from", "to", "limit", "cursor"];

// Names out, as the CLI gives them: each record's `location.admin1` is the division's name ("Deir ez-Zor
// Governorate") and `location.admin1_code` its GeoNames code (rasd_store::event_value, incident_value, doc_value).

fn named_event<S: serde::Serializer>(e: &rasd_store::StoredEvent, s: S) -> Result<S::Ok, S::Error> {
    rasd_store::event_value(e)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

fn named_events<S: serde::Serializer>(v: &[rasd_store::StoredEvent], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for e in v {
        seq.serialize_element(&rasd_store::event_value(e).map_err(serde::ser::Error::custom)?)?;
    }
    seq.end()
}

fn named_incidents<S: serde::Serializer>(v: &[rasd_reconcile::Incident], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for i in v {
        seq.serialize_element(&rasd_store::incident_value(i).map_err(serde::ser::Error::custom)?)?;
    }
    seq.end()
}

fn named_doc<S: serde::Serializer>(d: &rasd_store::DocRecord, s: S) -> Result<S::Ok, S::Error> {
    rasd_store::doc_value(d)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

/// One page of events.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    /// Event records with their source lane, outlet and incident id, in date order.
    #[schema(value_type = Vec<Object>)]
    #[serde(serialize_with = "named_events")]
    events: Vec<rasd_store::StoredEvent>,
    /// The cursor of the next page; absent on the last page.
    next: Option<String>,
    limit: usize,
}

/// One page of incidents, in (first date, id) order.
#[derive(Serialize, ToSchema)]
pub struct IncidentPage {
    #[schema(value_type = Vec<Object>)]
    #[serde(serialize_with = "named_incidents")]
    incidents: Vec<rasd_reconcile::Incident>,
    /// The cursor of the next page; absent on the last page. With `actor`, `source` or `near`, a page reads at
    /// most 5,000 incidents and may hold fewer than `limit`: follow `next`.
    next: Option<String>,
    /// Matching incidents on all pages; absent with `actor`, `source` or `near` (checked while reading).
    total: Option<u64>,
}

/// One page of contradictions, in (kind, date, id) order.
#[derive(Serialize, ToSchema)]
pub struct ContradictionPage {
    #[schema(value_type = Vec<Object>)]
    contradictions: Vec<rasd_reconcile::Contradiction>,
    /// The cursor of the next page; absent on the last page.
    next: Option<String>,
    /// Matching contradictions on all pages.
    total: u64,
}

/// One contradiction.
#[derive(Serialize, ToSchema)]
pub struct ContradictionBody {
    #[schema(value_type = Object)]
    contradiction: rasd_reconcile::Contradiction,
}

/// Dates on which the sources disagree about who holds the place, first to last, inclusive.
#[derive(Serialize, ToSchema)]
pub struct Stretch {
    #[schema(value_type = String, format = Date)]
    from: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    to: chrono::NaiveDate,
}

/// A place's control timeline: one lane per source, and the stretches it is contested.
#[derive(Serialize, ToSchema)]
pub struct TimelineBody {
    place_id: String,
    place_name: String,
    place_name_ar: String,
    horizon: i64,
    /// Lanes (each source's claims, with stance and evidence) and steps (the state on each claim date).
    #[schema(value_type = Object)]
    timeline: rasd_reconcile::Timeline,
    contested: Vec<Stretch>,
}

/// Every place with events.
#[derive(Serialize, ToSchema)]
pub struct PlacesBody {
    #[schema(value_type = Vec<Object>)]
    places: Vec<rasd_store::PlaceRow>,
}

/// Every source lane with its claims and how often others contradict it.
#[derive(Serialize, ToSchema)]
pub struct SourcesBody {
    #[schema(value_type = Vec<Object>)]
    sources: Vec<rasd_store::SourceStats>,
}

/// A highlightable span: one field's evidence in the document text.
#[derive(Serialize, ToSchema)]
pub struct SpanBody {
    event_id: String,
    /// "evidence" for the clause of the event, else the field ("trigger", "actor1", "location", "date", …).
    field: String,
    /// Byte offsets in the original text.
    start: usize,
    end: usize,
    /// The same span in UTF-16 code units (JavaScript string indices).
    u16_start: usize,
    u16_end: usize,
    text: String,
}

/// A stored document with its events and every field's evidence.
#[derive(Serialize, ToSchema)]
pub struct DocBody {
    /// The document (id, url, outlet, published, title, text, origin, format, near_dup_of, aliases, events).
    #[schema(value_type = Object)]
    #[serde(serialize_with = "named_doc")]
    doc: rasd_store::DocRecord,
    spans: Vec<SpanBody>,
}

/// What the database holds and what this server allows.
#[derive(Serialize, ToSchema)]
pub struct StatusBody {
    #[schema(value_type = Object)]
    counts: rasd_store::serve_queries::Counts,
    /// Whether POST requests are accepted (the server was started with a token).
    writes: bool,
    version: String,
}

/// Every located event, compactly, for the map.
#[derive(Serialize, ToSchema)]
pub struct MapBody {
    /// The latest located events (at most [`MAX_MAP_POINTS`]), in date order.
    #[schema(value_type = Vec<Object>)]
    points: Vec<rasd_store::serve_queries::MapPoint>,
    /// True when older located events were left out to keep the answer bounded.
    truncated: bool,
}

/// The most points `/api/map` sends: its answer stays bounded (about 1.5 MB) on a database of any size.
pub const MAX_MAP_POINTS: usize = 5_000;

/// One event with the corrections filed against it.
#[derive(Serialize, ToSchema)]
pub struct EventBody {
    #[schema(value_type = Object)]
    #[serde(serialize_with = "named_event")]
    event: rasd_store::StoredEvent,
    #[schema(value_type = Vec<Object>)]
    corrections: Vec<rasd_store::serve_queries::Correction>,
}

/// A correction: what is wrong with an event. At least one of `wrong`, `value` and `note`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// The field that is wrong (event_type, sub_event_type, event_date, actor1, actor2, location, fatalities,
    /// territory_share, reported_by, stance, background); absent for the whole record.
    field: Option<String>,
    /// The right value.
    #[schema(value_type = Option<Object>)]
    value: Option<Value>,
    /// True when the record is no event at all.
    #[serde(default)]
    wrong: bool,
    note: Option<String>,
    author: Option<String>,
}

/// A stored correction.
#[derive(Serialize, ToSchema)]
pub struct CorrectionBody {
    #[schema(value_type = Object)]
    correction: rasd_store::serve_queries::Correction,
}

/// What an upload stored.
#[derive(Serialize, ToSchema)]
pub struct IngestBody {
    #[schema(value_type = Object)]
    stats: rasd_store::IngestStats,
}

/// The OpenAPI description, generated from the handlers and their types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "rasd serve",
        description = "Read-only API over a rasd project database (writes need a token)."
    ),
    paths(
        status,
        events,
        event,
        incidents,
        places,
        timeline,
        contradictions,
        contradiction,
        sources,
        doc,
        map,
        map_summary,
        export_csv,
        export_geojson,
        openapi,
        ingest,
        add_correction
    ),
    components(schemas(
        ErrorBody,
        EventPage,
        IncidentPage,
        ContradictionPage,
        ContradictionBody,
        Stretch,
        TimelineBody,
        PlacesBody,
        SourcesBody,
        SpanBody,
        DocBody,
        StatusBody,
        MapBody,
        EventBody,
        CorrectionInput,
        CorrectionBody,
        IngestBody
    ))
)]
pub struct ApiDoc;

pub fn router(cfg: Cfg) -> Router {
    let limit = cfg.body_limit;
    Router::new()
        .route("/api/status", get(status))
        .route("/api/events", get(events))
        .route("/api/events/{id}", get(event))
        .route("/api/events/{id}/corrections", post(add_correction))
        .route("/api/incidents", get(incidents))
        .route("/api/places", get(places))
        .route("/api/places/{id}/timeline", get(timeline))
        .route("/api/contradictions", get(contradictions))
        .route("/api/contradictions/{id}", get(contradiction))
        .route("/api/sources", get(sources))
        .route("/api/docs/{id}", get(doc))
        .route("/api/map", get(map))
        .route("/api/map/summary", get(map_summary))
        .route("/api/export.csv", get(export_csv))
        .route("/api/export.geojson", get(export_geojson))
        .route("/api/openapi.json", get(openapi))
        .route("/api/ingest", post(ingest))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .fallback(assets::asset)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(etag))
        .with_state(cfg)
}

async fn api_not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no endpoint {method} {}; see /api/openapi.json", uri.path()))
}

/// ETag and `If-None-Match` for every successful GET: the tag is a hash of the body.
async fn etag(req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET;
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let resp = next.run(req).await;
    if !is_get || resp.status() != StatusCode::OK {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be read").into_response();
    };
    let tag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
    let matches = if_none_match.as_ref().and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
    });
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    parts
        .headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    Response::from_parts(parts, Body::from(bytes))
}

/// Lists paged by key refuse an offset cursor (one of `/api/events`).
fn key_paged(p: &crate::Params) -> ApiResult<Option<Vec<String>>> {
    if p.offset > 0 {
        return Err(ApiError::bad(
            "cursor: this list pages by key; use the `next` cursor of its own previous page",
        ));
    }
    Ok(p.after.clone())
}

/// A 404 when the filter names a place the database has never seen (not an empty answer that looks like
/// "nothing happened there").
fn check_place(store: &dyn ReadDb, f: &Filter) -> ApiResult<()> {
    if let Some(p) = &f.place
        && store.find_places(p)?.is_empty()
    {
        return Err(ApiError::not_found(format!(
            "no stored event is at a place matching {p:?}"
        )));
    }
    Ok(())
}

/// Refuses ids that no record has: too long or with control characters.
fn check_id(what: &str, id: &str) -> ApiResult<()> {
    if id.is_empty() || id.len() > 512 || id.chars().any(char::is_control) {
        return Err(ApiError::bad(format!("{what} id: 1 to 512 bytes of printable text")));
    }
    Ok(())
}

/// Counts and settings.
#[utoipa::path(get, path = "/api/status", responses((status = 200, body = StatusBody)))]
async fn status(State(cfg): State<Cfg>) -> ApiResult<Response> {
    let writes = cfg.token.is_some();
    let db = cfg.db.clone();
    // Counting 290,000 events takes tens of milliseconds: counted once per database state.
    let bytes = blocking(&cfg, move || {
        answer_cached(&db, &format!("status\u{1f}{writes}"), |s, _| {
            json_bytes(&StatusBody {
                counts: s.counts()?,
                writes,
                version: env!("CARGO_PKG_VERSION").to_string(),
            })
        })
    })
    .await?;
    Ok(json_response(bytes))
}

/// Events matching the filters, in date order, a page at a time.
#[utoipa::path(get, path = "/api/events", params(EventQuery), responses(
    (status = 200, body = EventPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn events(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Json<EventPage>> {
    let p = parse_query(q.as_deref(), EVENT_KEYS)?;
    read(&cfg, move |s| {
        check_place(s, &p.filter)?;
        let mut events = s.events_page(&p.filter, p.offset, Some(p.limit + 1))?;
        let next = (events.len() > p.limit).then(|| next_cursor(p.offset + p.limit));
        events.truncate(p.limit);
        Ok(Json(EventPage {
            events,
            next,
            limit: p.limit,
        }))
    })
    .await
}

/// One event with its corrections.
#[utoipa::path(get, path = "/api/events/{id}", params(("id" = String, Path, description = "event id")),
    responses((status = 200, body = EventBody), (status = 404, body = ErrorBody)))]
async fn event(State(cfg): State<Cfg>, Path(id): Path<String>) -> ApiResult<Json<EventBody>> {
    check_id("event", &id)?;
    read(&cfg, move |s| {
        let event = s
            .event(&id)?
            .ok_or_else(|| ApiError::not_found(format!("no event with id {id:?}")))?;
        let corrections = s.corrections(Some(&id))?;
        Ok(Json(EventBody { event, corrections }))
    })
    .await
}

/// Incidents (events of several reports clustered into one) matching the filters.
#[utoipa::path(get, path = "/api/incidents", params(EventQuery), responses(
    (status = 200, body = IncidentPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn incidents(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Json<IncidentPage>> {
    let p = parse_query(q.as_deref(), EVENT_KEYS)?;
    let db = cache_key(&cfg.db);
    read_state(&cfg, move |s, state| {
        check_place(s, &p.filter)?;
        let page = s.incidents_page(&p.filter, key_paged(&p)?.as_deref(), p.limit, false)?;
        let total = count_cached(s, state, &format!("{db}\u{1f}incidents\u{1f}{:?}", p.filter), |s| {
            Ok(s.incidents_page(&p.filter, None, 0, true)?.total)
        })?;
        Ok(Json(IncidentPage {
            incidents: page.items,
            next: page.next.map(|k| key_cursor(&k)),
            total,
        }))
    })
    .await
}

/// Every place with events, busiest first.
#[utoipa::path(get, path = "/api/places", responses((status = 200, body = PlacesBody)))]
async fn places(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Json<PlacesBody>> {
    parse_query(q.as_deref(), &[])?;
    read(&cfg, |s| Ok(Json(PlacesBody { places: s.places()? }))).await
}

/// The stretches of consecutive contested steps.
fn contested(tl: &rasd_reconcile::Timeline) -> Vec<Stretch> {
    let mut out: Vec<Stretch> = Vec::new();
    let mut open = false;
    for step in &tl.steps {
        match (step.contested, open, out.last_mut()) {
            (true, true, Some(last)) => last.to = step.date,
            (true, _, _) => {
                out.push(Stretch {
                    from: step.date,
                    to: step.date,
                });
                open = true;
            }
            (false, _, _) => open = false,
        }
    }
    out
}

/// The control timeline of a place (id, English or Arabic name): one lane per source.
#[utoipa::path(get, path = "/api/places/{id}/timeline", params(
    ("id" = String, Path, description = "place id (gn:174448) or name (Albukamal, البوكمال)"), TimelineQuery),
    responses((status = 200, body = TimelineBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn timeline(State(cfg): State<Cfg>, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    check_id("place", &id)?;
    let p = parse_query(q.as_deref(), &["horizon", "from", "to"])?;
    let key = format!(
        "timeline\u{1f}{id}\u{1f}{}\u{1f}{:?}\u{1f}{:?}",
        p.horizon, p.filter.since, p.filter.until
    );
    let db = cfg.db.clone();
    let bytes = blocking(&cfg, move || {
        answer_cached(&db, &key, |s, _| {
            if s.find_places(&id)?.is_empty() {
                return Err(ApiError::not_found(format!(
                    "no stored event is at a place matching {id:?}"
                )));
            }
            let tl = s
                .timeline_window(&id, p.horizon, p.filter.since, p.filter.until)?
                .ok_or_else(|| ApiError::not_found(format!("{id}: no control claims")))?;
            json_bytes(&TimelineBody {
                place_id: tl.place_id.clone(),
                place_name: tl.place_name.clone(),
                place_name_ar: tl.place_name_ar.clone(),
                horizon: p.horizon,
                contested: contested(&tl),
                timeline: tl,
            })
        })
    })
    .await?;
    Ok(json_response(bytes))
}

fn json_bytes<T: Serialize>(v: &T) -> ApiResult<Bytes> {
    serde_json::to_vec(v)
        .map(Bytes::from)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the answer: {e}")))
}

fn json_response(bytes: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

type CountCache = std::collections::HashMap<String, (DbState, Option<u64>)>;

/// The count `key` (which names the database, the list and its filters) on `store`, read in `state` (see
/// [`with_db`]): kept per state, so that paging a long list counts it once, not on every page. (On SQLite, a
/// write between `state` and the snapshot only makes the kept count one write older than the snapshot, and the
/// next request sees a new state.) At most 256 counts are kept.
fn count_cached(
    store: &dyn ReadDb,
    state: Option<&DbState>,
    key: &str,
    f: impl FnOnce(&dyn ReadDb) -> ApiResult<Option<u64>>,
) -> ApiResult<Option<u64>> {
    static CACHE: std::sync::LazyLock<std::sync::Mutex<CountCache>> = std::sync::LazyLock::new(Default::default);
    if let Some(now) = state {
        let cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((st, n)) = cache.get(key)
            && st == now
        {
            return Ok(*n);
        }
    }
    let n = f(store)?;
    if let Some(now) = state {
        let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(key.to_string(), (now.clone(), n));
    }
    Ok(n)
}

/// Answers kept per database state: the same request on the same state gets the same bytes.
type AnswerCache = Vec<(String, DbState, Bytes)>;

/// The most answers [`answer_cached`] keeps (the most recently used).
const CACHED_ANSWERS: usize = 64;

/// The answer `key` (which names the database, the endpoint and its parameters) for the current database state:
/// from the cache when this state was answered before, else computed by `f` on a read-only store and kept.
/// Errors are not kept.
fn answer_cached(
    db: &Database,
    key: &str,
    f: impl FnOnce(&dyn ReadDb, Option<&DbState>) -> ApiResult<Bytes>,
) -> ApiResult<Bytes> {
    static CACHE: std::sync::Mutex<AnswerCache> = std::sync::Mutex::new(Vec::new());
    let key = format!("{}\u{1f}{key}", cache_key(db));
    let lookup = |now: &DbState| {
        let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let i = cache.iter().position(|(k, st, _)| *k == key && st == now)?;
        let hit = cache.remove(i);
        let bytes = hit.2.clone();
        cache.push(hit);
        Some(bytes)
    };
    let (bytes, state, fresh) = with_db(db, lookup, f)?;
    if let (Some(now), true) = (state, fresh) {
        let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.retain(|(k, _, _)| *k != key);
        if cache.len() >= CACHED_ANSWERS {
            cache.remove(0);
        }
        cache.push((key, now, bytes.clone()));
    }
    Ok(bytes)
}

/// Contradictions between sources.
#[utoipa::path(get, path = "/api/contradictions", params(ContradictionQuery), responses(
    (status = 200, body = ContradictionPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn contradictions(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Json<ContradictionPage>> {
    let p = parse_query(q.as_deref(), CONTRADICTION_KEYS)?;
    let db = cache_key(&cfg.db);
    read_state(&cfg, move |s, state| {
        check_place(s, &p.filter)?;
        let page = s.contradictions_page(&p.filter, key_paged(&p)?.as_deref(), p.limit, false)?;
        let total = count_cached(
            s,
            state,
            &format!("{db}\u{1f}contradictions\u{1f}{:?}", p.filter),
            |s| Ok(s.contradictions_page(&p.filter, None, 0, true)?.total),
        )?;
        Ok(Json(ContradictionPage {
            contradictions: page.items,
            next: page.next.map(|k| key_cursor(&k)),
            total: total.unwrap_or(0),
        }))
    })
    .await
}

/// One contradiction by id.
#[utoipa::path(get, path = "/api/contradictions/{id}", params(("id" = String, Path, description = "contradiction id")),
    responses((status = 200, body = ContradictionBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn contradiction(State(cfg): State<Cfg>, Path(id): Path<String>) -> ApiResult<Json<ContradictionBody>> {
    check_id("contradiction", &id)?;
    read(&cfg, move |s| {
        let contradiction = s
            .contradiction(&id)?
            .ok_or_else(|| ApiError::not_found(format!("no contradiction with id {id:?}")))?;
        Ok(Json(ContradictionBody { contradiction }))
    })
    .await
}

/// Every source lane with its claims and how often others contradict it.
#[utoipa::path(get, path = "/api/sources", responses((status = 200, body = SourcesBody)))]
async fn sources(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Json<SourcesBody>> {
    parse_query(q.as_deref(), &[])?;
    let db = cfg.db.clone();
    blocking(&cfg, move || {
        Ok(Json(SourcesBody {
            sources: sources_cached(&db)?,
        }))
    })
    .await
}

/// The database's state as its files show it: a committed write changes the size or the time of the file or of
/// its write-ahead log.
fn db_state(db: &std::path::Path) -> Option<Vec<(u64, std::time::SystemTime)>> {
    let mut out = Vec::new();
    for suffix in ["", "-wal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::metadata(&p) {
            Ok(m) => out.push((m.len(), m.modified().ok()?)),
            Err(_) if !suffix.is_empty() => {}
            Err(_) => return None,
        }
    }
    Some(out)
}

type SourcesCache = Option<(String, DbState, Vec<rasd_store::SourceStats>)>;

/// Per-source statistics read every contradiction (seconds on a 100,000-document database), so they are computed
/// once per database state and kept: one request computes while the others wait for its answer.
pub(crate) fn sources_cached(db: &Database) -> ApiResult<Vec<rasd_store::SourceStats>> {
    static CACHE: std::sync::Mutex<SourcesCache> = std::sync::Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = cache_key(db);
    let lookup = |now: &DbState| match cache.as_ref() {
        Some((k, st, v)) if *k == key && st == now => Some(v.clone()),
        _ => None,
    };
    let (v, state, fresh) = with_db(db, lookup, |s, _| Ok(s.sources()?))?;
    if let (Some(now), true) = (state, fresh) {
        *cache = Some((key, now, v.clone()));
    }
    Ok(v)
}

type CellsCache = Option<(String, DbState, Arc<rasd_store::serve_queries::MapCells>)>;

/// The per (place, day, type) cells of the map summary of the database `db` (its [`cache_key`]) read by `s` in
/// `state`, computed once per database state and kept (one pass over the events: about a second on 290,000
/// events); one request computes while the others wait for it.
fn cells_in(db: &str, s: &dyn ReadDb, state: Option<&DbState>) -> ApiResult<Arc<rasd_store::serve_queries::MapCells>> {
    static CACHE: std::sync::Mutex<CellsCache> = std::sync::Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let (Some((k, st, v)), Some(now)) = (cache.as_ref(), state)
        && k == db
        && st == now
    {
        return Ok(v.clone());
    }
    let v = Arc::new(s.map_cells()?);
    if let Some(now) = state {
        *cache = Some((db.to_string(), now.clone(), v.clone()));
    }
    Ok(v)
}

/// [`cells_in`] on a read of its own (at start-up, in the background).
pub(crate) fn cells_cached(db: &Database) -> ApiResult<Arc<rasd_store::serve_queries::MapCells>> {
    Ok(with_db(db, |_| None, |s, state| cells_in(&cache_key(db), s, state))?.0)
}

/// Every located, dated event summed per place and day or week (counts by event type, fatalities), as GeoJSON
/// points in date order: the whole database at a bounded cost (at most 20,000 features, the latest, with
/// `truncated`). The page's map draws it; `from`/`to` narrow it.
#[utoipa::path(get, path = "/api/map/summary", params(SummaryQuery), responses(
    (status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = ErrorBody)))]
async fn map_summary(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = parse_query(q.as_deref(), &["bucket", "from", "to"])?;
    let db = cfg.db.clone();
    let key = format!(
        "summary\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}",
        p.bucket, p.filter.since, p.filter.until
    );
    let bytes = blocking(&cfg, move || {
        answer_cached(&db, &key, |s, state| {
            let cells = cells_in(&cache_key(&db), s, state)?;
            json_bytes(&summary::geojson(&cells, p.bucket, p.filter.since, p.filter.until))
        })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], bytes).into_response())
}

/// UTF-16 offset of each byte offset that falls on a character boundary.
fn u16_offset(text: &str, byte: usize) -> Option<usize> {
    text.get(..byte).map(|s| s.encode_utf16().count())
}

/// A document's text, its events, and every field's evidence span.
#[utoipa::path(get, path = "/api/docs/{id}", params(("id" = String, Path, description = "document id")),
    responses((status = 200, body = DocBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn doc(State(cfg): State<Cfg>, Path(id): Path<String>) -> ApiResult<Json<DocBody>> {
    check_id("document", &id)?;
    read(&cfg, move |s| {
        let rec = s
            .doc(&id)?
            .ok_or_else(|| ApiError::not_found(format!("no document with id {id:?}")))?;
        let text = &rec.doc.text;
        let mut spans = Vec::new();
        for e in &rec.events {
            let ev = &e.event;
            let fields = std::iter::once(("evidence", &ev.evidence))
                .chain(ev.field_evidence.iter().map(|(k, v)| (k.as_str(), v)));
            for (field, evid) in fields {
                if let (Some(u16_start), Some(u16_end)) = (u16_offset(text, evid.start), u16_offset(text, evid.end))
                    && evid.start < evid.end
                {
                    spans.push(SpanBody {
                        event_id: ev.id.clone(),
                        field: field.to_string(),
                        start: evid.start,
                        end: evid.end,
                        u16_start,
                        u16_end,
                        text: evid.text.clone(),
                    });
                }
            }
        }
        Ok(Json(DocBody { doc: rec, spans }))
    })
    .await
}

/// The latest located events as compact points (for the map), bounded: `truncated` says when older ones were
/// left out.
#[utoipa::path(get, path = "/api/map", responses((status = 200, body = MapBody)))]
async fn map(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Json<MapBody>> {
    parse_query(q.as_deref(), &[])?;
    read(&cfg, |s| {
        let (points, truncated) = s.map_points_latest(MAX_MAP_POINTS)?;
        Ok(Json(MapBody { points, truncated }))
    })
    .await
}

async fn export(cfg: Cfg, q: Option<String>, csv: bool) -> ApiResult<Response> {
    let p = parse_query(q.as_deref(), EXPORT_KEYS)?;
    let body = read(&cfg, move |s| {
        check_place(s, &p.filter)?;
        let mut out = Vec::new();
        let opts = rasd_store::export::ExportOptions {
            exclude_corrected: p.exclude_corrected,
        };
        if csv {
            s.export_acled_csv_with(&p.filter, opts, &mut out)?;
        } else {
            s.export_geojson_with(&p.filter, opts, &mut out)?;
        }
        Ok(out)
    })
    .await?;
    let (mime, name) = if csv {
        ("text/csv; charset=utf-8", "attachment; filename=\"rasd-acled.csv\"")
    } else {
        ("application/geo+json", "inline; filename=\"rasd.geojson\"")
    };
    Ok((
        [(header::CONTENT_TYPE, mime), (header::CONTENT_DISPOSITION, name)],
        body,
    )
        .into_response())
}

/// ACLED-style CSV of the incidents matching the filters (one row per incident).
#[utoipa::path(get, path = "/api/export.csv", params(ExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody)))]
async fn export_csv(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    export(cfg, q, true).await
}

/// GeoJSON of the incidents matching the filters and the places' latest control state.
#[utoipa::path(get, path = "/api/export.geojson", params(ExportQuery), responses(
    (status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = ErrorBody)))]
async fn export_geojson(State(cfg): State<Cfg>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    export(cfg, q, false).await
}

/// This description.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, body = Object)))]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Refuses a write unless the server has a token and the request carries it.
fn authorize(cfg: &Config, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = &cfg.token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "writes are off: this server was started without --token, so it only reads",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    // Compares every byte whatever the first difference, so the time taken tells nothing.
    let same = given.is_some_and(|g| {
        g.len() == token.len() && g.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    });
    if !same {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "writes need the header `Authorization: Bearer TOKEN` with the server's --token",
        ));
    }
    Ok(())
}

fn body(b: Result<Bytes, BytesRejection>) -> ApiResult<Bytes> {
    b.map_err(|e| {
        ApiError::new(
            e.status(),
            format!("the request body cannot be read: {}", e.body_text()),
        )
    })
}

/// The embedded extractor, loaded on the first upload.
fn extractor() -> ApiResult<&'static rasd_events::Extractor> {
    static X: std::sync::OnceLock<rasd_events::Extractor> = std::sync::OnceLock::new();
    if let Some(x) = X.get() {
        return Ok(x);
    }
    let x = rasd_events::Extractor::default_embedded().map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("loading the event extractor: {e}"),
        )
    })?;
    Ok(X.get_or_init(|| x))
}

/// Stores a document (text, HTML, RSS/Atom) or JSONL documents, extracting their events; or fetches a URL
/// (`?url=…`, or the JSON body `{"url": "…"}`) and stores what it serves. Needs the token.
#[utoipa::path(post, path = "/api/ingest", params(IngestQuery), request_body(content = String,
    description = "the document, JSON Lines {id,url,outlet,published,title,text}, or {\"url\": \"…\"} \
    (application/json) to fetch", content_type = "text/plain"),
    responses((status = 200, body = IngestBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 502, body = ErrorBody),
    (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("bearer" = [])))]
async fn ingest(
    State(cfg): State<Cfg>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<IngestBody>> {
    authorize(&cfg, &headers)?;
    let bytes = body(b)?;
    let mut name = "upload.txt".to_string();
    let mut url = None;
    for (k, v) in form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "name" => {
                if v.is_empty()
                    || v.len() > 100
                    || !v.bytes().all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
                    || v.starts_with('.')
                {
                    return Err(ApiError::bad(format!(
                        "name={v:?}: a file name of letters, digits, '.', '_' and '-' (at most 100)"
                    )));
                }
                name = v.into_owned();
            }
            "url" if url.is_none() => url = Some(v.into_owned()),
            "url" => return Err(ApiError::bad("query parameter \"url\" given twice")),
            _ => {
                let shown: String = k.chars().take(40).collect();
                return Err(ApiError::bad(format!(
                    "unknown query parameter {shown:?}; this endpoint takes: name, url"
                )));
            }
        }
    }
    if url.is_some() && !bytes.is_empty() {
        return Err(ApiError::bad("send either ?url= or a body, not both"));
    }
    let url = url.or_else(|| url_body(&headers, &bytes));
    if let Some(u) = &url {
        check_url(u)?;
    } else if bytes.is_empty() {
        return Err(ApiError::bad("the request body is empty: send the document, or ?url="));
    }
    let hint = rasd_store::read::format_from_name(&name);
    let config = Config::clone(&cfg);
    blocking(&cfg, move || {
        let x = extractor()?;
        let items = match &url {
            Some(u) => fetch_items(&config, u)?,
            None => rasd_store::read::read_bytes(&format!("upload/{name}"), &bytes, hint),
        };
        let stats = match &config.db {
            Database::Sqlite(db) => {
                let worker = || {
                    let mut w = x.worker();
                    let opts = rasd_events::Options::default();
                    move |d: &rasd_core::Doc| w.extract(d, &opts)
                };
                Store::open_existing(db)?.ingest(items, &worker, rasd_events::VERSION, &mut |_| {})?
            }
            Database::Postgres(pool) => {
                let items = items.into_iter().map(rasd_pg::work::ShardItem::from);
                let opts = rasd_events::Options::default();
                let extract = |w: &mut rasd_events::Worker<'_>, d: &rasd_core::Doc| -> Result<_, String> {
                    Ok(w.extract(d, &opts))
                };
                let mut client = pool.get_valid(POOL_WAIT)?;
                rasd_pg::work::ingest(
                    &mut client,
                    items,
                    &|| x.worker(),
                    &extract,
                    rasd_events::VERSION,
                    &mut |_| {},
                )?
            }
        };
        Ok(Json(IngestBody { stats }))
    })
    .await
}

const CORRECTABLE: &[&str] = &[
    "event_type",
    "sub_event_type",
    "event_date",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "location",
    "fatalities",
    "territory_share",
    "reported_by",
    "stance",
    "background",
];

/// Marks an event wrong, or one of its fields: stored as a new correction, never an edit. Needs the token.
#[utoipa::path(post, path = "/api/events/{id}/corrections", params(("id" = String, Path, description = "event id")),
    request_body = CorrectionInput,
    responses((status = 201, body = CorrectionBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_correction(
    State(cfg): State<Cfg>,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<CorrectionBody>)> {
    authorize(&cfg, &headers)?;
    check_id("event", &id)?;
    let bytes = body(b)?;
    let input: CorrectionInput = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad(format!("the body is not a correction ({e}); see /api/openapi.json")))?;
    if let Some(f) = &input.field
        && !CORRECTABLE.contains(&f.as_str())
    {
        return Err(ApiError::bad(format!(
            "field {f:?} cannot be corrected; one of: {}",
            CORRECTABLE.join(", ")
        )));
    }
    if !input.wrong && input.value.is_none() && input.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::bad(
            "a correction says something: \"wrong\": true, a \"value\", or a \"note\"",
        ));
    }
    if input.note.as_ref().is_some_and(|n| n.len() > 4000) || input.author.as_ref().is_some_and(|a| a.len() > 200) {
        return Err(ApiError::bad("note: at most 4000 bytes; author: at most 200"));
    }
    let c = NewCorrection {
        field: input.field,
        value: input.value,
        wrong: input.wrong,
        note: input.note,
        author: input.author,
    };
    let db = cfg.db.clone();
    let stored = blocking(&cfg, move || {
        let stored = match &db {
            Database::Sqlite(path) => Store::open_existing(path)?.add_correction(&id, &c)?,
            Database::Postgres(pool) => {
                let mut client = pool.get_valid(POOL_WAIT)?;
                rasd_pg::corrections::add(&mut client, &id, &c)?
            }
        };
        stored.ok_or_else(|| ApiError::not_found(format!("no event with id {id:?}")))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(CorrectionBody { correction: stored })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_lists_every_endpoint() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        for p in [
            "/api/events",
            "/api/incidents",
            "/api/places/{id}/timeline",
            "/api/contradictions",
            "/api/contradictions/{id}",
            "/api/map/summary",
            "/api/sources",
            "/api/docs/{id}",
            "/api/export.csv",
            "/api/export.geojson",
            "/api/ingest",
            "/api/events/{id}/corrections",
        ] {
            assert!(doc["paths"].get(p).is_some(), "{p} missing");
        }
    }

    #[test]
    fn utf16_offsets_count_code_units() {
        let t = "قتل 3 🙂 في";
        assert_eq!(u16_offset(t, 0), Some(0));
        assert_eq!(u16_offset(t, "قتل".len()), Some(3));
        assert_eq!(u16_offset(t, "قتل 3 🙂".len()), Some(8));
        assert_eq!(u16_offset(t, 1), None);
    }
}
