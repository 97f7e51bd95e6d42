//! ACLED-style event extraction from Arabic news.
//!
//! [`Extractor`] turns one [`Doc`] into [`Event`] records. The work is a chain of small stages over the sentences of
//! the document, each a plain function that a test can call alone:
//!
//! 1. **triggers** ([`rules`]): words and phrases from `data/events/triggers.tsv`, one act per clause;
//! 2. **actors** (`actors`): who acted and who was acted on, from the syntax around the trigger (VSO order,
//!    "على يد", "من قبل", "لصالح", "بين … و …");
//! 3. **location** (`place`): the place the act happened at, by its preposition, else the document's current place;
//! 4. **date** (`when`): the nearest date expression, else the document's current date, else the publication date;
//! 5. **fatalities and territory share** (`toll`): ACLED's conservative count, running totals marked;
//! 6. **attribution and stance** (`frames`): reporting frames nearest first, then the outlet; denial, hedging,
//!    expectation; background (pluperfect, old dates).
//!
//! Entities and dates come from a [`Resources`] implementation: the embedded lexicon and date finder in
//! production ([`LexiconResources`]), a small fixture in tests. Every span is a byte range of the ORIGINAL text.

mod actors;
mod arguments;
pub mod candidates;
mod coref;
mod extract;
pub mod features;
mod frames;
mod place;
mod records;
mod resources;
pub mod rules;
pub mod scorer;
mod stage;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
mod toll;
mod tsv;
mod when;

pub use extract::Worker;
pub use resources::LexiconResources;
pub use stage::TrainRow;

use chrono::NaiveDate;
use rasd_core::{ActorRef, DatePrecision, Doc, Event, Location, SourceRef};
use std::sync::Arc;

/// Errors of the event stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule file is malformed (the message names `file:line`).
    #[error("event rules: {0}")]
    Rules(String),
    /// The lexicon or date finder could not be loaded.
    #[error("resources: {0}")]
    Resources(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Options of one extraction run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Drop history and commentary ("كان التنظيم قد سيطر عام 2014") instead of marking it `background`.
    pub drop_background: bool,
    /// Treat every line of the text as an independent report: nothing (place, date, source) carries across lines.
    pub sentences: bool,
    /// Keep weak candidates (questions, weak triggers without an actor or place) with a low confidence.
    /// With the learned scorer present these are always scored rather than dropped by rule.
    pub keep_weak: bool,
    /// Emit only records whose calibrated confidence reaches this value (default: the threshold stored with the
    /// embedded model, chosen from its precision-recall curve).
    pub min_confidence: Option<f32>,
    /// Skip the learned scorer: the rule-based records and rule-based confidence (for comparisons).
    pub unscored: bool,
}

/// What kind of name a [`Mention`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    Place,
    Actor,
    Outlet,
}

/// A name found in the text (from the lexicon), in the shape the stages need.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    /// Start including attached proclitics ("بالبوكمال" starts at the ب).
    pub clitic_start: usize,
    pub kind: MentionKind,
    pub id: String,
    /// Places: 1 town, 2 near or part of, 3 region.
    pub geo_precision: Option<u8>,
    /// A generic word resolved to the last actor named ("التنظيم").
    pub coreference: bool,
    pub confidence: f32,
    /// Other candidate ids for the same name, best first (another place of the same name).
    pub runners_up: Vec<String>,
}

/// A date expression found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct DateHit {
    pub start: usize,
    pub end: usize,
    /// First and last day; `None` when the expression could not be resolved.
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub precision: DatePrecision,
    pub rule: String,
    pub future: bool,
    pub background: bool,
}

/// Where the names, their records and the dates come from.
///
/// Production uses [`LexiconResources`]; tests use a fixture, so that each stage can be checked without the full
/// gazetteer.
pub trait Resources: Send + Sync {
    /// Every place, actor and outlet named in `text`, in text order.
    fn mentions(&self, text: &str, out: &mut Vec<Mention>);
    /// Every date expression in `text`, resolved against `anchor`.
    fn dates(&self, text: &str, anchor: Option<NaiveDate>, out: &mut Vec<DateHit>);
    /// The record form of an actor id.
    fn actor(&self, id: &str, coreference: bool) -> Option<ActorRef>;
    /// The record form of a place id at a precision.
    fn place(&self, id: &str, geo_precision: u8) -> Option<Location>;
    /// The record form of a source id (an outlet, agency, monitor …).
    fn source(&self, id: &str) -> Option<SourceRef>;
    /// The publication date a document states about itself (a dateline), for documents with no metadata date.
    fn publication_date(&self, text: &str) -> Option<NaiveDate> {
        let _ = text;
        None
    }
    /// The actor a source speaks for (Amaq → isis), when it speaks for one.
    fn actor_for_source(&self, source_id: &str) -> Option<String> {
        let _ = source_id;
        None
    }
    /// The ACLED type of an actor (cheaper than [`Resources::actor`] where only the type matters).
    fn actor_type(&self, id: &str) -> Option<rasd_core::ActorType> {
        self.actor(id, false).map(|a| a.actor_type)
    }
    /// The country an actor belongs to (the police of Egypt → EG), when it belongs to one.
    fn actor_country(&self, actor_id: &str) -> Option<String> {
        let _ = actor_id;
        None
    }
    /// The media wing or spokesman of an actor, when an actor itself is the one who "announced".
    fn source_for_actor(&self, actor_id: &str) -> Option<SourceRef>;
    /// The country table: the countries a record is placed in when its sentence names no finer place ("في
    /// سوريا"), with their noun forms, point and capital. Read once, when the extractor is made.
    fn countries(&self) -> Vec<rasd_lexicon::Country> {
        Vec::new()
    }
}

/// The event extractor: immutable, `Send + Sync`, shared by every worker thread.
pub struct Extractor {
    rules: rules::Rules,
    forces: coref::Forces,
    countries: place::Countries,
    resources: Arc<dyn Resources>,
    scorer: Option<scorer::Model>,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor")
            .field("rules", &self.rules.rules().len())
            .finish_non_exhaustive()
    }
}

/// The version that enters event ids: a new rasd version may change what is extracted, so ids change with it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Extractor {
    /// An extractor over the embedded rules and the given resources.
    pub fn with_resources(resources: Arc<dyn Resources>) -> Result<Extractor> {
        Ok(Extractor {
            rules: rules::Rules::embedded()?,
            forces: coref::Forces::embedded()?,
            countries: place::Countries::new(&resources.countries()),
            resources,
            scorer: scorer::Model::embedded().map_err(|e| Error::Rules(format!("data/model/scorer.tsv: {e}")))?,
        })
    }

    /// An extractor over the embedded rules, lexicon and date finder, without the learned scorer (for `rasd train`,
    /// which must run while the embedded model is stale or absent).
    pub fn default_embedded_rules_only() -> Result<Extractor> {
        let resources: Arc<dyn Resources> = Arc::new(LexiconResources::embedded()?);
        Ok(Extractor {
            rules: rules::Rules::embedded()?,
            forces: coref::Forces::embedded()?,
            countries: place::Countries::new(&resources.countries()),
            resources,
            scorer: None,
        })
    }

    /// Replaces the scorer (a model being trained or evaluated; `None` for rule-only extraction).
    pub fn with_scorer(mut self, model: Option<scorer::Model>) -> Extractor {
        self.scorer = model;
        self
    }

    /// The learned scorer in use, if any.
    pub fn scorer(&self) -> Option<&scorer::Model> {
        self.scorer.as_ref()
    }

    /// An extractor over the embedded rules and a loaded lexicon (a lexicon built with `rasd lexicon build`).
    pub fn new(lexicon: &'static rasd_lexicon::Lexicon) -> Result<Extractor> {
        Extractor::with_resources(Arc::new(LexiconResources::new(lexicon)))
    }

    /// An extractor over the embedded rules, lexicon and date finder.
    pub fn default_embedded() -> Result<Extractor> {
        Extractor::with_resources(Arc::new(LexiconResources::embedded()?))
    }

    /// A worker with its own reusable buffers; make one per thread.
    pub fn worker(&self) -> Worker<'_> {
        Worker::new(self)
    }

    /// Extracts the events of one document (a convenience that makes a fresh worker).
    pub fn extract(&self, doc: &Doc, opts: &Options) -> Vec<Event> {
        self.worker().extract(doc, opts)
    }

    pub fn rules(&self) -> &rules::Rules {
        &self.rules
    }

    pub(crate) fn resources(&self) -> &dyn Resources {
        self.resources.as_ref()
    }

    /// The publication date extraction uses for `doc`: its metadata, else the dateline or date line of its text.
    pub fn publication_date(&self, doc: &Doc) -> Option<chrono::NaiveDate> {
        doc.published.or_else(|| self.resources().publication_date(&doc.text))
    }
}

/// A stable event id: the same document, evidence, type, claim, place and rasd version give the same id (one
/// clause can report the same act at two places, or as two sources' claims).
pub fn event_id(doc_id: &str, start: usize, end: usize, sub_type: &str, stance: &str, place: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        doc_id,
        &start.to_string(),
        &end.to_string(),
        sub_type,
        stance,
        place,
        VERSION,
    ] {
        h.update(part.as_bytes());
        h.update(b"\x1f");
    }
    h.finalize().to_hex()[..16].to_string()
}
