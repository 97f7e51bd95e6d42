//! Golden snapshots of extraction on the two real reports in `../shared/samples/`.
//!
//! The articles belong to their publishers and stay outside the repository: the test reads them from the shared
//! folder beside the checkout and skips, with a notice, where it is missing. Only the records are kept in the
//! snapshots (with their short evidence strings), one compact line of fields per record.

use chrono::NaiveDate;
use rasd_core::{Doc, Event};
use rasd_events::{Extractor, Options};
use std::path::PathBuf;

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples")
}

/// One line per record: what an analyst checks first.
fn summary(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let a = |x: &Option<rasd_core::ActorRef>| x.as_ref().map_or("-".to_string(), |a| a.id.clone());
            let loc = e.location.as_ref().map_or("-".to_string(), |l| {
                format!(
                    "{}{} p{}",
                    l.id,
                    if l.carried { " (carried)" } else { "" },
                    l.geo_precision
                )
            });
            let fat = e.fatalities.as_ref().map_or("-".to_string(), |f| {
                format!(
                    "{}{}",
                    f.value.map_or("?".to_string(), |v| v.to_string()),
                    if f.cumulative { " cumulative" } else { "" }
                )
            });
            let src: Vec<&str> = e.reported_by.iter().map(|s| s.id.as_str()).collect();
            format!(
                "{} | {} | {} -> {} | {} | killed {} | {} | {}{} | «{}»",
                e.sub_event_type,
                e.event_date.map_or("-".to_string(), |d| d.to_string()),
                a(&e.actor1),
                a(&e.actor2),
                loc,
                fat,
                src.join(" < "),
                e.stance.as_str(),
                if e.background { " background" } else { "" },
                e.field_evidence.get("trigger").map_or("", |t| t.text.as_str()),
            )
        })
        .collect()
}

fn run(file: &str, published: &str, outlet: &str) -> Option<Vec<String>> {
    let path = samples_dir().join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("notice: {} is missing; sample snapshot skipped", path.display());
        return None;
    };
    let doc = Doc {
        id: file.to_string(),
        outlet: Some(outlet.to_string()),
        published: NaiveDate::parse_from_str(published, "%Y-%m-%d").ok(),
        text: text.clone(),
        ..Doc::default()
    };
    let x = Extractor::default_embedded().expect("embedded lexicon and rules load");
    let events = x.extract(&doc, &Options::default());
    for e in &events {
        assert_eq!(&text[e.evidence.start..e.evidence.end], e.evidence.text);
        for (k, v) in &e.field_evidence {
            assert_eq!(&text[v.start..v.end], v.text, "{k}");
        }
    }
    Some(summary(&events))
}

#[test]
fn albukamal_report_alaraby_2017_11_10() {
    if let Some(s) = run("araby-2017-11-10-albukamal.txt", "2017-11-10", "alaraby") {
        insta::assert_json_snapshot!(s);
    }
}

#[test]
fn baghouz_report_2019_01() {
    if let Some(s) = run("baghouz-2019-01.txt", "2019-01-25", "enab-baladi") {
        insta::assert_json_snapshot!(s);
    }
}
