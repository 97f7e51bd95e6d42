//! Random documents for the incremental reconcile's tests (SQLite: `crates/rasd-store/tests/incremental.rs`;
//! PostgreSQL: `crates/rasd-pg/tests/incremental.rs`): each document's events are written in its text, one spec
//! per line, and "extracted" by [`extract`].
#![allow(dead_code)]

use chrono::NaiveDate;
use proptest::prelude::*;
use rasd_core::{
    ActorRef, ActorType, DatePrecision, Doc, Event, Evidence, Fatalities, Location, SourceKind, SourceRef, Stance,
    SubEventType,
};
use rasd_store::read::{Format, Item};
use std::collections::BTreeMap;

pub fn place(i: u8) -> Option<Location> {
    let (id, lat, lon) = match i % 5 {
        0 => ("gn:albukamal", 34.45226, 40.91854),
        1 => ("gn:qaim", 34.39251, 40.98945), // 8 km from Albukamal
        2 => ("gn:mayadin", 35.01982, 40.45154),
        3 => ("gn:hajin", 34.69508, 40.83138),
        _ => return None,
    };
    Some(Location {
        id: id.into(),
        name: id[3..].into(),
        name_ar: String::new(),
        country: "SY".into(),
        admin1: Some("Deir ez-Zor".into()),
        lat,
        lon,
        geo_precision: 1,
        carried: false,
    })
}

pub fn actor(i: u8) -> Option<ActorRef> {
    let id = ["syria-gov", "isis", "sdf"].get(i as usize)?;
    Some(ActorRef {
        id: (*id).into(),
        name: (*id).into(),
        name_ar: String::new(),
        actor_type: ActorType::RebelGroup,
        coreference: false,
    })
}

/// One event: place, day, sub-type, actors, precision, stance, source, toll.
pub type Spec = (u8, u8, u8, u8, u8, u8, u8, u8);

/// The test "extractor": the events are written in the document's text, one spec per line after the first.
pub fn extract(doc: &Doc) -> Vec<Event> {
    let subs = [
        SubEventType::ArmedClash,
        SubEventType::GovernmentRegainsTerritory,
        SubEventType::NonStateActorOvertakesTerritory,
        SubEventType::AirDroneStrike,
    ];
    doc.text
        .lines()
        .skip(1)
        .enumerate()
        .filter_map(|(k, line)| {
            let v: Vec<u8> = line.split(',').filter_map(|x| x.parse().ok()).collect();
            let &[p, day, sub, a, prec, st, src, toll] = v.as_slice() else {
                return None;
            };
            // Days 0–55: October and November 2017, one by one; from 56 on, every fifth day from December
            // 2016 on, over more than two years (clusters of every precision open and close).
            let date = if day < 56 {
                NaiveDate::from_ymd_opt(2017, 10 + u32::from(day / 28), 1 + u32::from(day % 28))
            } else {
                NaiveDate::from_ymd_opt(2016, 12, 1).map(|d| d + chrono::Days::new(5 * u64::from(day - 56)))
            };
            let source = ["sana", "amaq", "sohr", "local"][src as usize % 4];
            Some(Event {
                id: format!("{}#e{k}", doc.id),
                doc_id: doc.id.clone(),
                event_type: subs[sub as usize % 4].event_type(),
                sub_event_type: subs[sub as usize % 4],
                event_date: if prec % 13 == 5 { None } else { date },
                date_precision: match prec % 25 {
                    0 => DatePrecision::Month,
                    1 => DatePrecision::Week,
                    2 if prec > 30 => DatePrecision::Year,
                    _ => DatePrecision::Day,
                },
                date_text: None,
                date_rule: None,
                actor1: actor(a % 4),
                assoc_actor_1: Vec::new(),
                actor2: actor(a / 4 % 4),
                assoc_actor_2: Vec::new(),
                location: place(p),
                fatalities: (toll > 0).then(|| Fatalities {
                    value: Some(u64::from(toll)),
                    min: Some(u64::from(toll)),
                    max: Some(u64::from(toll)),
                    text: toll.to_string(),
                    cumulative: false,
                }),
                territory_share: None,
                reported_by: vec![SourceRef {
                    id: source.into(),
                    name: source.into(),
                    kind: if source == "local" {
                        SourceKind::LocalSources
                    } else {
                        SourceKind::Agency
                    },
                }],
                stance: match st % 6 {
                    0 => Stance::Denied,
                    1 => Stance::Hedged,
                    _ => Stance::Asserted,
                },
                background: st == 7,
                evidence: Evidence {
                    text: line.to_string(),
                    start: 0,
                    end: 0,
                },
                field_evidence: BTreeMap::new(),
                confidence: 0.9,
            })
        })
        .collect()
}

pub fn item(i: usize, events: &[Spec]) -> Item {
    let mut text = format!("document {i}");
    for e in events {
        text.push_str(&format!(
            "\n{},{},{},{},{},{},{},{}",
            e.0, e.1, e.2, e.3, e.4, e.5, e.6, e.7
        ));
    }
    Item {
        origin: format!("test:{i}"),
        format: Some(Format::Jsonl),
        doc: Ok(Doc {
            id: format!("d{i:03}"),
            url: Some(format!("https://example.org/{i}")),
            outlet: Some(["alaraby", "enab"][i % 2].into()),
            published: NaiveDate::from_ymd_opt(2017, 11, 1 + (i % 28) as u32),
            title: None,
            text,
        }),
        unreadable: false,
    }
}

pub fn spec() -> impl Strategy<Value = Spec> {
    (0u8..5, 0u8..14, 0u8..3, 0u8..16, 0u8..60, 0u8..8, 0u8..4, 0u8..40)
}

/// As [`spec`], over eight weeks (October and November), so that a batch of late news finds coarse claims of
/// earlier weeks whose windows still reach it.
pub fn spec_weeks() -> impl Strategy<Value = Spec> {
    (0u8..5, 0u8..56, 0u8..3, 0u8..16, 0u8..60, 0u8..8, 0u8..4, 0u8..40)
}

/// The documents of `docs` as items, in an order drawn from `seed` (xorshift, Fisher–Yates).
pub fn shuffled(docs: &[Vec<Spec>], seed: u64) -> Vec<Item> {
    let mut items: Vec<Item> = docs.iter().enumerate().map(|(i, e)| item(i, e)).collect();
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
    items
}
