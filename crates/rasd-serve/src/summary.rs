//! The map summary: every located, dated event summed per (place, day or week), with counts by event type
//! (family) and the fatalities, as GeoJSON points. Its cost is bounded whatever the database holds: the
//! per (place, day, type) cells are computed once per database state (one pass over the events, in the
//! background at start-up) and kept; a request sums the cells of its date range, and an answer holds at most
//! [`MAX_FEATURES`] features (the latest, with `truncated`).

use crate::filter::Bucket;
use chrono::{Datelike, NaiveDate};
use rasd_store::serve_queries::MapCells;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The most features one summary holds: about 3 MB of GeoJSON.
pub const MAX_FEATURES: usize = 20_000;

/// The first day of the bucket that holds `d`.
fn bucket_start(d: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => d,
        Bucket::Week => d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday())),
    }
}

#[derive(Default)]
struct Sum {
    events: u64,
    fatalities: i64,
    families: BTreeMap<String, u64>,
}

/// The GeoJSON FeatureCollection of `cells` between `from` and `to` (inclusive), one Point feature per place
/// and bucket, in date order. Its foreign members say the bucket, the dates covered, the located events left
/// out for want of a date, and whether older features were left out.
pub fn geojson(cells: &MapCells, bucket: Bucket, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Value {
    let mut sums: BTreeMap<(NaiveDate, u32), Sum> = BTreeMap::new();
    for c in &cells.cells {
        if from.is_some_and(|f| c.date < f) || to.is_some_and(|t| c.date > t) {
            continue;
        }
        let s = sums.entry((bucket_start(c.date, bucket), c.place)).or_default();
        s.events += c.events;
        s.fatalities += c.fatalities;
        *s.families.entry(c.event_type.clone()).or_default() += c.events;
    }
    let truncated = sums.len() > MAX_FEATURES;
    let skip = sums.len().saturating_sub(MAX_FEATURES);
    let first = sums.keys().nth(skip).map(|k| k.0);
    let last = sums.keys().next_back().map(|k| k.0);
    let features: Vec<Value> = sums
        .into_iter()
        .skip(skip)
        .filter_map(|((date, place), s)| {
            let p = cells.places.get(place as usize)?;
            let families: Map<String, Value> = s.families.into_iter().map(|(k, v)| (k, json!(v))).collect();
            Some(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "place": p.key,
                    "place_id": p.place_id,
                    "name": p.name,
                    "name_ar": p.name_ar,
                    "date": date.to_string(),
                    "events": s.events,
                    "fatalities": s.fatalities,
                    "families": families,
                }
            }))
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "bucket": match bucket { Bucket::Day => "day", Bucket::Week => "week" },
        "first_date": first.map(|d| d.to_string()),
        "last_date": last.map(|d| d.to_string()),
        "undated": cells.undated,
        "truncated": truncated,
        "features": features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rasd_store::serve_queries::{MapCell, MapPlace};

    fn cells() -> MapCells {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let cell = |place, date: &str, t: &str, events, fatalities| MapCell {
            place,
            date: d(date),
            event_type: t.to_string(),
            events,
            fatalities,
        };
        MapCells {
            places: vec![
                MapPlace {
                    key: "gn:1".into(),
                    place_id: Some("gn:1".into()),
                    name: Some("A".into()),
                    name_ar: Some("أ".into()),
                    lat: 34.0,
                    lon: 40.0,
                },
                MapPlace {
                    key: "gn:2".into(),
                    place_id: Some("gn:2".into()),
                    name: Some("B".into()),
                    name_ar: None,
                    lat: 35.0,
                    lon: 41.0,
                },
            ],
            // 2017-11-06 is a Monday.
            cells: vec![
                cell(0, "2017-11-06", "Battles", 2, 3),
                cell(0, "2017-11-09", "Battles", 1, 0),
                cell(0, "2017-11-09", "Protests", 4, 0),
                cell(1, "2017-11-10", "Battles", 1, 5),
                cell(0, "2017-11-13", "Battles", 1, 1),
            ],
            undated: 7,
        }
    }

    #[test]
    fn sums_per_place_and_week_with_families_and_fatalities() {
        let g = geojson(&cells(), Bucket::Week, None, None);
        let f = g["features"].as_array().expect("features");
        assert_eq!(f.len(), 3);
        let a = &f[0]["properties"];
        assert_eq!(a["date"], "2017-11-06");
        assert_eq!(a["events"], 7);
        assert_eq!(a["fatalities"], 3);
        assert_eq!(a["families"]["Battles"], 3);
        assert_eq!(a["families"]["Protests"], 4);
        assert_eq!(f[0]["geometry"]["coordinates"], json!([40.0, 34.0]));
        assert_eq!(f[1]["properties"]["place"], "gn:2");
        assert_eq!(f[2]["properties"]["date"], "2017-11-13");
        assert_eq!(g["undated"], 7);
        assert_eq!(g["truncated"], false);
        assert_eq!(g["last_date"], "2017-11-13");
    }

    #[test]
    fn days_and_the_date_range_filter() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let g = geojson(&cells(), Bucket::Day, d("2017-11-07"), d("2017-11-10"));
        let f = g["features"].as_array().expect("features");
        let dates: Vec<&str> = f.iter().filter_map(|x| x["properties"]["date"].as_str()).collect();
        assert_eq!(dates, ["2017-11-09", "2017-11-10"]);
        assert_eq!(f[0]["properties"]["events"], 5);
    }
}
