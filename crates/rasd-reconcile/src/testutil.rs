//! Compact builders for hand-made event records, so that reconciliation is tested independently of extraction.

use crate::Report;
use rasd_core::{
    ActorRef, ActorType, DatePrecision, Event, Evidence, Fatalities, Location, SourceKind, SourceRef, Stance,
    SubEventType, TerritoryShare,
};
use std::collections::BTreeMap;

pub const AIR: SubEventType = SubEventType::AirDroneStrike;
pub const CLASH: SubEventType = SubEventType::ArmedClash;
pub const REGAIN: SubEventType = SubEventType::GovernmentRegainsTerritory;
pub const OVERTAKE: SubEventType = SubEventType::NonStateActorOvertakesTerritory;

pub const ALBUKAMAL: &str = "gn:174448";
pub const AL_QAIM: &str = "gn:92138";
pub const MAYADIN: &str = "gn:173480";

pub const SYRIA: &str = "syria-gov";
pub const ISIS: &str = "isis";
pub const RUSSIA: &str = "russia";
pub const SDF: &str = "sdf";

fn place(id: &str) -> Option<Location> {
    let (name, lat, lon) = match id {
        ALBUKAMAL => ("Albu Kamal", 34.45226, 40.91854),
        AL_QAIM => ("Al Qaim", 34.39251, 40.98945),
        MAYADIN => ("Al Mayadin", 35.01982, 40.45154),
        _ => return None,
    };
    Some(Location {
        id: id.to_string(),
        name: name.to_string(),
        name_ar: String::new(),
        country: if id == AL_QAIM { "IQ" } else { "SY" }.to_string(),
        admin1: Some("Deir ez-Zor".to_string()),
        lat,
        lon,
        geo_precision: 1,
        carried: false,
    })
}

pub fn actor(id: &str) -> ActorRef {
    let t = match id {
        SYRIA | RUSSIA => ActorType::StateForces,
        _ => ActorType::RebelGroup,
    };
    ActorRef {
        id: id.to_string(),
        name: id.to_string(),
        name_ar: String::new(),
        actor_type: t,
        coreference: false,
    }
}

/// A day-precise event; an empty place id gives no location.
pub fn ev(id: &str, doc: &str, sub: SubEventType, date: &str, place_id: &str) -> Event {
    Event {
        id: id.to_string(),
        doc_id: doc.to_string(),
        event_type: sub.event_type(),
        sub_event_type: sub,
        event_date: chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
        date_precision: DatePrecision::Day,
        date_text: None,
        date_rule: None,
        actor1: None,
        assoc_actor_1: Vec::new(),
        actor2: None,
        assoc_actor_2: Vec::new(),
        location: place(place_id),
        fatalities: None,
        territory_share: None,
        reported_by: Vec::new(),
        stance: Stance::Asserted,
        background: false,
        evidence: Evidence {
            text: format!("evidence of {id}"),
            start: 0,
            end: 0,
        },
        field_evidence: BTreeMap::new(),
        confidence: 0.9,
    }
}

pub trait EventExt {
    fn a1(self, id: &str) -> Self;
    fn a2(self, id: &str) -> Self;
    fn by(self, source: &str) -> Self;
    fn killed(self, n: u64) -> Self;
    fn share(self, min: f64, max: f64) -> Self;
    fn stance(self, s: Stance) -> Self;
}

impl EventExt for Event {
    fn a1(mut self, id: &str) -> Self {
        self.actor1 = Some(actor(id));
        self
    }
    fn a2(mut self, id: &str) -> Self {
        self.actor2 = Some(actor(id));
        self
    }
    fn by(mut self, source: &str) -> Self {
        let kind = match source {
            "sohr" => SourceKind::Monitor,
            "amaq" | "sdf-media" => SourceKind::Party,
            "local-sources" => SourceKind::LocalSources,
            "syria-army-command" | "hmeimim" => SourceKind::Official,
            _ => SourceKind::Agency,
        };
        self.reported_by.push(SourceRef {
            id: source.to_string(),
            name: source.to_string(),
            kind,
        });
        self
    }
    fn killed(mut self, n: u64) -> Self {
        self.fatalities = Some(Fatalities {
            value: Some(n),
            min: Some(n),
            max: Some(n),
            text: n.to_string(),
            cumulative: false,
        });
        self
    }
    fn share(mut self, min: f64, max: f64) -> Self {
        self.territory_share = Some(TerritoryShare {
            min: Some(min),
            max: Some(max),
        });
        self
    }
    fn stance(mut self, s: Stance) -> Self {
        self.stance = s;
        self
    }
}

pub fn report(e: Event, republished_of: Option<&str>) -> Report {
    Report::new(e, Some("alaraby".to_string()), republished_of.map(str::to_string))
}
