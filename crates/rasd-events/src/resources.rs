//! The production [`Resources`]: the compiled lexicon (places, actors, outlets) and the date finder.

use crate::{DateHit, Error, Mention, MentionKind, Resources, Result};
use chrono::NaiveDate;
use rasd_core::{ActorRef, Location, SourceKind, SourceRef};
use rasd_lexicon::{EntityKind, Lexicon};
use rasd_time::DateFinder;
use std::collections::HashMap;

/// Names from the embedded lexicon, dates from [`DateFinder`].
pub struct LexiconResources {
    lexicon: &'static Lexicon,
    dates: DateFinder,
    /// Actor id → the source that speaks for it (its agency, media wing or spokesman).
    voice: HashMap<String, String>,
}

impl std::fmt::Debug for LexiconResources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LexiconResources")
            .field("lexicon", self.lexicon)
            .finish_non_exhaustive()
    }
}

impl LexiconResources {
    /// The lexicon compiled into the binary.
    pub fn embedded() -> Result<LexiconResources> {
        let lexicon = Lexicon::embedded().map_err(|e| Error::Resources(e.to_string()))?;
        Ok(LexiconResources::new(lexicon))
    }

    /// Resources over a loaded lexicon.
    pub fn new(lexicon: &'static Lexicon) -> LexiconResources {
        // An actor that "announces" speaks through its official voice first, its party media second.
        let mut voice: HashMap<String, (u8, String)> = HashMap::new();
        for o in lexicon.outlets() {
            let Some(actor) = &o.affiliated_actor else { continue };
            // A health ministry reports tolls, not operations: it is no actor's voice for what its forces did.
            if o.id.contains("health") {
                continue;
            }
            let rank = match o.kind {
                SourceKind::Official => 0,
                SourceKind::Party => 1,
                SourceKind::Agency => 2,
                _ => 3,
            };
            let e = voice.entry(actor.clone()).or_insert((u8::MAX, String::new()));
            if rank < e.0 {
                *e = (rank, o.id.clone());
            }
        }
        LexiconResources {
            lexicon,
            dates: DateFinder::new(),
            voice: voice.into_iter().map(|(k, (_, v))| (k, v)).collect(),
        }
    }
}

impl Resources for LexiconResources {
    fn mentions(&self, text: &str, out: &mut Vec<Mention>) {
        out.extend(self.lexicon.entities(text).into_iter().map(|e| Mention {
            start: e.start,
            end: e.end,
            clitic_start: e.clitic_start,
            kind: match e.kind {
                EntityKind::Place => MentionKind::Place,
                EntityKind::Actor => MentionKind::Actor,
                EntityKind::Outlet => MentionKind::Outlet,
            },
            id: e.id,
            geo_precision: e.geo_precision,
            coreference: e.coreference,
            confidence: e.confidence,
            runners_up: e.runners_up.into_iter().map(|(id, _)| id).collect(),
        }));
    }

    fn dates(&self, text: &str, anchor: Option<NaiveDate>, out: &mut Vec<DateHit>) {
        out.extend(self.dates.find(text, anchor).into_iter().map(|d| DateHit {
            start: d.start,
            end: d.end,
            range: d.resolved.map(|r| (r.start, r.end)),
            precision: d.precision,
            rule: d.rule,
            future: d.future,
            background: d.background,
        }));
    }

    fn publication_date(&self, text: &str) -> Option<NaiveDate> {
        rasd_time::find_publication_date(text).map(|p| p.date)
    }

    fn actor(&self, id: &str, coreference: bool) -> Option<ActorRef> {
        self.lexicon.actor(id).map(|a| a.to_ref(coreference))
    }

    fn place(&self, id: &str, geo_precision: u8) -> Option<Location> {
        self.lexicon.place(id).map(|p| p.to_location(geo_precision))
    }

    fn source(&self, id: &str) -> Option<SourceRef> {
        self.lexicon.outlet(id).map(|o| o.to_ref())
    }

    fn actor_for_source(&self, source_id: &str) -> Option<String> {
        self.lexicon.outlet(source_id).and_then(|o| o.affiliated_actor.clone())
    }

    fn actor_type(&self, id: &str) -> Option<rasd_core::ActorType> {
        self.lexicon.actor(id).map(|a| a.actor_type)
    }

    fn actor_country(&self, actor_id: &str) -> Option<String> {
        self.lexicon.actor(actor_id).and_then(|a| a.country.clone())
    }

    fn countries(&self) -> Vec<rasd_lexicon::Country> {
        self.lexicon.countries().to_vec()
    }

    fn source_for_actor(&self, actor_id: &str) -> Option<SourceRef> {
        let mut id = Some(actor_id.to_string());
        // An actor with no voice of its own speaks through its parent's ("syria-air-force" → syria-gov).
        while let Some(a) = id {
            if let Some(o) = self.voice.get(&a) {
                return self.source(o);
            }
            id = self.lexicon.actor(&a).and_then(|x| x.parent.clone());
        }
        None
    }
}
