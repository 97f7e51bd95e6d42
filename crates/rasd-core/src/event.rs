use crate::taxonomy::{EventType, SubEventType};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How precise an event date is (ACLED's time_precision, in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Day,
    Week,
    Month,
    Year,
    #[default]
    Unknown,
}

impl DatePrecision {
    /// ACLED's numeric `time_precision`: 1 day, 2 week, 3 month or coarser.
    pub const fn acled_code(self) -> u8 {
        match self {
            DatePrecision::Day => 1,
            DatePrecision::Week => 2,
            DatePrecision::Month | DatePrecision::Year | DatePrecision::Unknown => 3,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Day => "day",
            DatePrecision::Week => "week",
            DatePrecision::Month => "month",
            DatePrecision::Year => "year",
            DatePrecision::Unknown => "unknown",
        }
    }
}

/// ACLED-style actor types. The order follows ACLED's `inter` codes 1..8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    StateForces,
    RebelGroup,
    PoliticalMilitia,
    IdentityMilitia,
    Rioters,
    Protesters,
    Civilians,
    ExternalOther,
}

impl ActorType {
    pub const ALL: &'static [ActorType] = &[
        ActorType::StateForces,
        ActorType::RebelGroup,
        ActorType::PoliticalMilitia,
        ActorType::IdentityMilitia,
        ActorType::Rioters,
        ActorType::Protesters,
        ActorType::Civilians,
        ActorType::ExternalOther,
    ];

    /// ACLED's `inter1`/`inter2` code.
    pub const fn inter_code(self) -> u8 {
        match self {
            ActorType::StateForces => 1,
            ActorType::RebelGroup => 2,
            ActorType::PoliticalMilitia => 3,
            ActorType::IdentityMilitia => 4,
            ActorType::Rioters => 5,
            ActorType::Protesters => 6,
            ActorType::Civilians => 7,
            ActorType::ExternalOther => 8,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ActorType::StateForces => "state_forces",
            ActorType::RebelGroup => "rebel_group",
            ActorType::PoliticalMilitia => "political_militia",
            ActorType::IdentityMilitia => "identity_militia",
            ActorType::Rioters => "rioters",
            ActorType::Protesters => "protesters",
            ActorType::Civilians => "civilians",
            ActorType::ExternalOther => "external_other",
        }
    }

    /// Parses the snake_case name used in the data files.
    pub fn parse(s: &str) -> Option<ActorType> {
        ActorType::ALL.iter().copied().find(|t| t.as_str() == s.trim())
    }
}

/// The kind of a reporting source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Agency,
    Outlet,
    Monitor,
    Party,
    Official,
    LocalSources,
    Unnamed,
}

impl SourceKind {
    pub const ALL: &'static [SourceKind] = &[
        SourceKind::Agency,
        SourceKind::Outlet,
        SourceKind::Monitor,
        SourceKind::Party,
        SourceKind::Official,
        SourceKind::LocalSources,
        SourceKind::Unnamed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SourceKind::Agency => "agency",
            SourceKind::Outlet => "outlet",
            SourceKind::Monitor => "monitor",
            SourceKind::Party => "party",
            SourceKind::Official => "official",
            SourceKind::LocalSources => "local_sources",
            SourceKind::Unnamed => "unnamed",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.iter().copied().find(|k| k.as_str() == s.trim())
    }
}

/// Whether the source asserts the event, denies it, expects it, or hedges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    #[default]
    Asserted,
    Denied,
    Expected,
    Hedged,
}

impl Stance {
    pub const fn as_str(self) -> &'static str {
        match self {
            Stance::Asserted => "asserted",
            Stance::Denied => "denied",
            Stance::Expected => "expected",
            Stance::Hedged => "hedged",
        }
    }
}

/// A byte range of the original document with the text it covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Evidence {
    /// Evidence for `text[start..end]`; `None` when the range is not a valid slice of `text`.
    pub fn from_text(text: &str, start: usize, end: usize) -> Option<Evidence> {
        text.get(start..end).map(|s| Evidence {
            text: s.to_string(),
            start,
            end,
        })
    }
}

/// An actor as it appears in a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ActorRef {
    pub id: String,
    pub name: String,
    pub name_ar: String,
    #[serde(rename = "type")]
    pub actor_type: ActorType,
    /// True when the actor was named by a generic word ("التنظيم") resolved to the last actor named.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub coreference: bool,
}

/// A geolocated place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub name_ar: String,
    pub country: String,
    pub admin1: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// ACLED geo_precision: 1 named town, 2 near or part of, 3 region.
    pub geo_precision: u8,
    /// True when the sentence named no place and the document's current place was carried forward.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
}

/// A fatality count. `value` is ACLED's conservative figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fatalities {
    pub value: Option<u64>,
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub text: String,
    /// A running total ("ارتفع عدد القتلى إلى …"): not this event's own toll.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cumulative: bool,
}

/// The share of a place that changed hands, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TerritoryShare {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A source that reports the event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub id: String,
    pub name: String,
    pub kind: SourceKind,
}

/// One event record: the contract of `rasd extract`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub doc_id: String,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub event_date: Option<NaiveDate>,
    pub date_precision: DatePrecision,
    pub date_text: Option<String>,
    /// The rule that produced the date ("weekday-yesterday", "doc-current-date", …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_rule: Option<String>,
    pub actor1: Option<ActorRef>,
    #[serde(default)]
    pub assoc_actor_1: Vec<ActorRef>,
    pub actor2: Option<ActorRef>,
    #[serde(default)]
    pub assoc_actor_2: Vec<ActorRef>,
    pub location: Option<Location>,
    pub fatalities: Option<Fatalities>,
    pub territory_share: Option<TerritoryShare>,
    pub reported_by: Vec<SourceRef>,
    pub stance: Stance,
    /// History or commentary rather than a new act ("كان التنظيم قد سيطر عام 2014").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub background: bool,
    pub evidence: Evidence,
    /// Per-field evidence: field name ("trigger", "actor1", "location", "date", "fatalities", "reported_by[0]", …)
    /// to the words it came from.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub field_evidence: BTreeMap<String, Evidence>,
    pub confidence: f32,
}
