//! The entries of a lexicon: places, actors, outlets and coreference words.

use rasd_core::{ActorRef, ActorType, Location, SourceKind, SourceRef};
use serde::Serialize;

/// A place with coordinates: a GeoNames populated place, an admin1 region, or a curated addition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// `gn:<geonameid>`, `adm1:<CC>.<code>` or `cur:<slug>`.
    pub id: String,
    /// English or Latin name.
    pub name: String,
    /// Best Arabic name ("" when the source has none).
    pub name_ar: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// GeoNames admin1 code as `CC.code`.
    pub admin1: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// 0 where unknown (curated places, regions).
    pub population: u64,
    /// GeoNames feature code (PPL, PPLA …), `admin1`, or the curated kind (village, district, region …).
    pub kind: String,
    /// The containing place for curated entries (`gn:…`, `cur:…` or `adm1:…`).
    pub parent: Option<String>,
}

impl Place {
    /// True for regions placed at their centroid: an admin1 or a curated region (ACLED geo_precision 3).
    pub fn is_region(&self) -> bool {
        self.kind == "admin1" || self.kind == "region"
    }

    /// True for parts of a town (ACLED geo_precision 2 when named).
    pub fn is_part_of_town(&self) -> bool {
        matches!(self.kind.as_str(), "district" | "neighbourhood")
    }

    /// The location record of an event at this place.
    pub fn to_location(&self, geo_precision: u8) -> Location {
        Location {
            id: self.id.clone(),
            name: self.name.clone(),
            name_ar: self.name_ar.clone(),
            country: self.country.clone(),
            admin1: self.admin1.clone(),
            lat: self.lat,
            lon: self.lon,
            geo_precision,
            carried: false,
        }
    }
}

/// An armed actor or a group such as civilians or protesters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub id: String,
    pub name_en: String,
    pub name_ar: String,
    pub actor_type: ActorType,
    pub country: Option<String>,
    /// Parent organisation's actor id.
    pub parent: Option<String>,
}

impl Actor {
    /// The actor part of an event record.
    pub fn to_ref(&self, coreference: bool) -> ActorRef {
        ActorRef {
            id: self.id.clone(),
            name: self.name_en.clone(),
            name_ar: self.name_ar.clone(),
            actor_type: self.actor_type,
            coreference,
        }
    }
}

/// A news outlet, agency, monitor, official spokesman or kind of anonymous source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlet {
    pub id: String,
    pub name_en: String,
    pub name_ar: String,
    pub kind: SourceKind,
    pub country: Option<String>,
    /// The actor this source speaks for (Amaq → isis), if any.
    pub affiliated_actor: Option<String>,
}

impl Outlet {
    /// The source part of an event record.
    pub fn to_ref(&self) -> SourceRef {
        SourceRef {
            id: self.id.clone(),
            name: self.name_en.clone(),
            kind: self.kind,
        }
    }
}

/// A generic word ("التنظيم", "القوات") that refers back to the last actor named whose id or type it allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coref {
    pub word: String,
    /// Actor ids and actor type names (`rebel_group` …) the word may refer to.
    pub applies_to: Vec<String>,
}

impl Coref {
    /// Whether the word may refer to `actor`.
    pub fn applies(&self, actor: &Actor) -> bool {
        self.applies_to
            .iter()
            .any(|a| a == &actor.id || a == actor.actor_type.as_str())
    }
}

/// What kind of entity a mention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Place,
    Actor,
    Outlet,
}

impl EntityKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Place => "place",
            EntityKind::Actor => "actor",
            EntityKind::Outlet => "outlet",
        }
    }
}

/// An entry found by [`crate::Lexicon::lookup`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EntryRef<'a> {
    Place(&'a Place),
    Actor(&'a Actor),
    Outlet(&'a Outlet),
    Coref(&'a Coref),
}

impl EntryRef<'_> {
    /// The entry's id (the word itself for a coreference word).
    pub fn id(&self) -> &str {
        match self {
            EntryRef::Place(p) => &p.id,
            EntryRef::Actor(a) => &a.id,
            EntryRef::Outlet(o) => &o.id,
            EntryRef::Coref(c) => &c.word,
        }
    }

    /// "place", "actor", "outlet" or "coref".
    pub fn kind_str(&self) -> &'static str {
        match self {
            EntryRef::Place(_) => "place",
            EntryRef::Actor(_) => "actor",
            EntryRef::Outlet(_) => "outlet",
            EntryRef::Coref(_) => "coref",
        }
    }
}

/// Which entry a lexicon key points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Place(u32),
    Actor(u32),
    Outlet(u32),
    Coref(u32),
    /// A country name, an index into the lexicon's [`Country`] table: context for disambiguation, never reported
    /// as an entity.
    Country(u32),
}

/// A country, from `data/lexicon/countries.tsv`. Countries are not gazetteer entries: a mention of "سوريا" only
/// makes Syrian candidates more likely (its `context_names`), and a record placed "في سوريا" with no finer place
/// is placed at the country's point (its `place_names`, read by rasd-events).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub iso2: String,
    /// English name.
    pub name: String,
    pub name_ar: String,
    /// The noun forms that place a record in the country ("سوريا", "سورية"), as listed; empty without a point.
    pub place_names: Vec<String>,
    /// Every name the lexicon indexes as the country (nouns, adjectives, regions), as listed.
    pub context_names: Vec<String>,
    /// The point a record placed in the country gets, (lat, lon); `None`: never a place of last resort.
    pub point: Option<(f64, f64)>,
    /// The gazetteer id of the country's capital, chosen after "العاصمة" ("العاصمة تونس", "في العاصمة").
    pub capital: Option<String>,
}

/// One entry a key names, with how the key was derived from the entry's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Posting {
    pub target: Target,
    pub flags: u8,
}

impl Posting {
    /// The key is the ل+ال contraction of a name ("لرقه" for "الرقه"): valid only right after a proclitic ل.
    pub const CONTRACTED: u8 = 1;
    /// The key is a derived variant (space variant, name without its article), not a name as listed.
    pub const VARIANT: u8 = 2;
    /// The key is written in Latin letters.
    pub const LATIN: u8 = 4;
}
