//! The store and reconciliation on the bundled sample collection (32 documents from 14 outlets about Albukamal
//! and the Deir ez-Zor countryside, November 2017, see `samples/README.md`).
//!
//! Each document's events are written out by hand below (the "gold" events), so that these assertions test
//! ingest, near-duplicates, incidents, timelines, contradictions and exports exactly, independently of how good
//! the extractor is today. The CLI tests run the same collection through the real extractor.

use chrono::NaiveDate;
use rasd_core::{
    ActorRef, ActorType, DatePrecision, Doc, Event, Evidence, Fatalities, Location, SourceKind, SourceRef, Stance,
    SubEventType, TerritoryShare,
};
use rasd_reconcile::ContradictionKind;
use rasd_store::{Filter, Store, read};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

const REGAIN: SubEventType = SubEventType::GovernmentRegainsTerritory;
const OVERTAKE: SubEventType = SubEventType::NonStateActorOvertakesTerritory;
const CLASH: SubEventType = SubEventType::ArmedClash;
const AIR: SubEventType = SubEventType::AirDroneStrike;
const IED: SubEventType = SubEventType::RemoteExplosive;
const SUICIDE: SubEventType = SubEventType::SuicideBomb;

fn place(id: &str) -> Location {
    let (name, name_ar, lat, lon, admin1) = match id {
        "albukamal" => ("Albu Kamal", "البو كمال", 34.45226, 40.91854, "Deir ez-Zor Governorate"),
        "hajin" => ("Hajin", "هجين", 34.69508, 40.83138, "Deir ez-Zor Governorate"),
        "mayadin" => ("Al Mayadin", "الميادين", 35.01982, 40.45154, "Deir ez-Zor Governorate"),
        _ => ("Markadah", "مركدة", 35.7500, 40.7833, "Al-Hasakah Governorate"),
    };
    Location {
        id: format!("gn:{id}"),
        name: name.into(),
        name_ar: name_ar.into(),
        country: "SY".into(),
        admin1: Some(admin1.into()),
        lat,
        lon,
        geo_precision: 1,
        carried: false,
    }
}

fn actor(id: &str) -> ActorRef {
    let (name, t) = match id {
        "syria-gov" => ("Military Forces of Syria", ActorType::StateForces),
        "russia" => ("Military Forces of Russia", ActorType::StateForces),
        "us-coalition" => ("US-led coalition", ActorType::ExternalOther),
        "civilians" => ("Civilians", ActorType::Civilians),
        "sdf" => ("Syrian Democratic Forces", ActorType::RebelGroup),
        _ => ("Islamic State", ActorType::RebelGroup),
    };
    ActorRef {
        id: id.into(),
        name: name.into(),
        name_ar: String::new(),
        actor_type: t,
        coreference: false,
    }
}

fn source(id: &str) -> SourceRef {
    let kind = match id {
        "sohr" => SourceKind::Monitor,
        "amaq" | "sdf-media" => SourceKind::Party,
        "syria-army-command" | "hmeimim" | "coalition" => SourceKind::Official,
        "local-sources" | "activists" => SourceKind::LocalSources,
        "military-sources" => SourceKind::Unnamed,
        _ => SourceKind::Agency,
    };
    SourceRef {
        id: id.into(),
        name: id.into(),
        kind,
    }
}

/// One hand-written event: (sub-type, date, place, actor1, actor2, source, stance, fatalities, share).
type Gold = (
    SubEventType,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Stance,
    u64,
    Option<(f64, f64)>,
);

const A: Stance = Stance::Asserted;
const D: Stance = Stance::Denied;

fn gold() -> HashMap<&'static str, Vec<Gold>> {
    HashMap::from([
        (
            "sana-2017-11-09-albukamal-entry",
            vec![(
                REGAIN,
                "2017-11-08",
                "albukamal",
                "syria-gov",
                "isis",
                "sana",
                A,
                0,
                None,
            )],
        ),
        (
            "army-command-2017-11-09-albukamal",
            vec![(
                REGAIN,
                "2017-11-09",
                "albukamal",
                "syria-gov",
                "isis",
                "syria-army-command",
                A,
                0,
                None,
            )],
        ),
        (
            "russian-media-2017-11-09-hmeimim",
            vec![(
                REGAIN,
                "2017-11-09",
                "albukamal",
                "syria-gov",
                "isis",
                "hmeimim",
                A,
                0,
                None,
            )],
        ),
        (
            "amaq-2017-11-09-albukamal-denial",
            vec![
                (
                    REGAIN,
                    "2017-11-09",
                    "albukamal",
                    "syria-gov",
                    "isis",
                    "amaq",
                    D,
                    0,
                    None,
                ),
                (
                    CLASH,
                    "2017-11-09",
                    "albukamal",
                    "isis",
                    "syria-gov",
                    "amaq",
                    A,
                    25,
                    None,
                ),
            ],
        ),
        (
            "alaraby-2017-11-10-albukamal",
            vec![(
                REGAIN,
                "2017-11-09",
                "albukamal",
                "syria-gov",
                "isis",
                "local-sources",
                D,
                0,
                None,
            )],
        ),
        (
            "local-sources-2017-11-10",
            vec![(
                REGAIN,
                "2017-11-10",
                "albukamal",
                "syria-gov",
                "isis",
                "local-sources",
                D,
                0,
                None,
            )],
        ),
        (
            "sohr-2017-11-09-albukamal",
            vec![(
                REGAIN,
                "2017-11-09",
                "albukamal",
                "syria-gov",
                "isis",
                "sohr",
                A,
                0,
                None,
            )],
        ),
        (
            "sohr-2017-11-11-albukamal",
            vec![(
                OVERTAKE,
                "2017-11-10",
                "albukamal",
                "isis",
                "syria-gov",
                "sohr",
                A,
                0,
                Some((40.0, 50.0)),
            )],
        ),
        (
            "afp-2017-11-11-albukamal",
            vec![(
                OVERTAKE,
                "2017-11-11",
                "albukamal",
                "isis",
                "syria-gov",
                "afp",
                A,
                0,
                None,
            )],
        ),
        (
            "alquds-2017-11-11-afp-albukamal",
            vec![(
                OVERTAKE,
                "2017-11-11",
                "albukamal",
                "isis",
                "syria-gov",
                "afp",
                A,
                0,
                None,
            )],
        ),
        (
            "reuters-2017-11-11-albukamal-counterattack",
            vec![(
                OVERTAKE,
                "2017-11-10",
                "albukamal",
                "isis",
                "syria-gov",
                "reuters",
                A,
                0,
                None,
            )],
        ),
        (
            "sohr-2017-11-13-hajin",
            vec![(AIR, "2017-11-12", "hajin", "russia", "civilians", "sohr", A, 12, None)],
        ),
        (
            "afp-2017-11-13-hajin",
            vec![(AIR, "2017-11-12", "hajin", "", "civilians", "sohr", A, 12, None)],
        ),
        (
            "amaq-2017-11-12-hajin-strikes",
            vec![(AIR, "2017-11-12", "hajin", "russia", "civilians", "amaq", A, 31, None)],
        ),
        (
            "skynews-2017-11-12-hajin-activists",
            vec![(AIR, "2017-11-12", "hajin", "", "civilians", "activists", A, 18, None)],
        ),
        (
            "sana-2017-11-16-albukamal-clashes",
            vec![(
                CLASH,
                "2017-11-16",
                "albukamal",
                "syria-gov",
                "isis",
                "sana",
                A,
                0,
                None,
            )],
        ),
        (
            "sohr-2017-11-16-albukamal-clashes",
            vec![(
                CLASH,
                "2017-11-16",
                "albukamal",
                "isis",
                "syria-gov",
                "sohr",
                A,
                8,
                None,
            )],
        ),
        (
            "amaq-2017-11-18-albukamal-fighting",
            vec![(
                CLASH,
                "2017-11-18",
                "albukamal",
                "isis",
                "syria-gov",
                "amaq",
                A,
                14,
                None,
            )],
        ),
        (
            "army-command-2017-11-19-albukamal",
            vec![(
                REGAIN,
                "2017-11-19",
                "albukamal",
                "syria-gov",
                "isis",
                "syria-army-command",
                A,
                0,
                None,
            )],
        ),
        (
            "sohr-2017-11-19-albukamal",
            vec![(
                REGAIN,
                "2017-11-19",
                "albukamal",
                "syria-gov",
                "isis",
                "sohr",
                A,
                0,
                None,
            )],
        ),
        (
            "reuters-2017-11-19-albukamal",
            vec![(
                REGAIN,
                "2017-11-19",
                "albukamal",
                "syria-gov",
                "isis",
                "sana",
                A,
                0,
                None,
            )],
        ),
        (
            "sana-2017-11-14-mayadin-car-bomb",
            vec![(IED, "2017-11-14", "mayadin", "", "civilians", "sana", A, 5, None)],
        ),
        (
            "sohr-2017-11-14-mayadin-car-bomb",
            vec![(IED, "2017-11-14", "mayadin", "", "", "sohr", A, 15, None)],
        ),
        (
            "amaq-2017-11-14-mayadin",
            vec![(
                SUICIDE,
                "2017-11-14",
                "mayadin",
                "isis",
                "syria-gov",
                "amaq",
                A,
                20,
                None,
            )],
        ),
        (
            "sdf-media-2017-11-09-markadah",
            vec![(
                OVERTAKE,
                "2017-11-09",
                "markadah",
                "sdf",
                "isis",
                "sdf-media",
                A,
                0,
                None,
            )],
        ),
        (
            "sohr-2017-11-09-markadah",
            vec![(OVERTAKE, "2017-11-09", "markadah", "sdf", "isis", "sohr", A, 0, None)],
        ),
        (
            "coalition-2017-11-11-strikes",
            vec![(
                AIR,
                "2017-11-10",
                "albukamal",
                "us-coalition",
                "isis",
                "coalition",
                A,
                0,
                None,
            )],
        ),
        (
            "alarabiya-2017-11-10-albukamal-half",
            vec![(
                REGAIN,
                "2017-11-10",
                "albukamal",
                "syria-gov",
                "isis",
                "military-sources",
                A,
                0,
                Some((50.0, 50.0)),
            )],
        ),
        (
            "tasnim-2017-11-10-albukamal",
            vec![(
                REGAIN,
                "2017-11-09",
                "albukamal",
                "syria-gov",
                "isis",
                "tasnim",
                A,
                0,
                None,
            )],
        ),
        (
            "sana-2017-11-09-albukamal",
            vec![(
                REGAIN,
                "2017-11-09",
                "albukamal",
                "syria-gov",
                "isis",
                "sana",
                A,
                0,
                None,
            )],
        ),
    ])
}

/// The gold events of a document, as the extractor would return them.
fn gold_extract(doc: &Doc) -> Vec<Event> {
    let table = gold();
    let Some(rows) = table.get(doc.id.as_str()) else {
        return Vec::new();
    };
    rows.iter()
        .enumerate()
        .map(|(n, &(sub, date, at, a1, a2, by, stance, killed, share))| {
            let evidence_end = doc.text.char_indices().nth(40).map_or(doc.text.len(), |(i, _)| i);
            Event {
                id: format!("{}#{n}", doc.id),
                doc_id: doc.id.clone(),
                event_type: sub.event_type(),
                sub_event_type: sub,
                event_date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
                date_precision: DatePrecision::Day,
                date_text: None,
                date_rule: None,
                actor1: (!a1.is_empty()).then(|| actor(a1)),
                assoc_actor_1: Vec::new(),
                actor2: (!a2.is_empty()).then(|| actor(a2)),
                assoc_actor_2: Vec::new(),
                location: Some(place(at)),
                fatalities: (killed > 0).then(|| Fatalities {
                    value: Some(killed),
                    min: Some(killed),
                    max: Some(killed),
                    text: killed.to_string(),
                    cumulative: false,
                }),
                territory_share: share.map(|(a, b)| TerritoryShare {
                    min: Some(a),
                    max: Some(b),
                }),
                reported_by: vec![source(by)],
                stance,
                background: false,
                evidence: Evidence::from_text(&doc.text, 0, evidence_end).unwrap_or(Evidence {
                    text: String::new(),
                    start: 0,
                    end: 0,
                }),
                field_evidence: BTreeMap::new(),
                confidence: 0.9,
            }
        })
        .collect()
}

fn samples() -> Vec<read::Item> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    read::walk(&[dir]).iter().flat_map(|p| read::read_file(p)).collect()
}

fn loaded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("rasd.db")).expect("create");
    let worker = || gold_extract;
    store.ingest(samples(), &worker, "gold", &mut |_| {}).expect("ingest");
    (dir, store)
}

#[test]
fn the_collection_has_thirty_documents_and_every_gold_doc_is_in_it() {
    let items = samples();
    assert_eq!(items.len(), 32);
    let ids: Vec<String> = items
        .iter()
        .filter_map(|i| i.doc.as_ref().ok().map(|d| d.id.clone()))
        .collect();
    for id in gold().keys() {
        assert!(ids.iter().any(|i| i == id), "gold document {id} is not in samples/");
    }
}

#[test]
fn ingest_is_idempotent_and_links_duplicates() {
    let (_dir, mut store) = loaded();
    let s = store.summary().expect("summary");
    assert_eq!((s.docs, s.aliases, s.near_duplicates, s.failures), (31, 1, 1, 0));
    let worker = || gold_extract;
    let again = store
        .ingest(samples(), &worker, "gold", &mut |_| {})
        .expect("second ingest");
    assert_eq!(
        (again.read, again.stored, again.duplicates, again.events),
        (32, 0, 32, 0)
    );
    assert_eq!(store.summary().expect("summary"), s, "a second run changes nothing");
    let mirror = store
        .doc("sana-mirror-2017-11-09-albukamal")
        .expect("query")
        .expect("alias resolves");
    assert_eq!(mirror.doc.id, "sana-2017-11-09-albukamal-entry");
    let copy = store
        .doc("alquds-2017-11-11-afp-albukamal")
        .expect("query")
        .expect("copy stored");
    assert_eq!(copy.near_dup_of.as_deref(), Some("afp-2017-11-11-albukamal"));
    let html = store
        .doc("alaraby-2017-11-10-albukamal")
        .expect("query")
        .expect("html page");
    assert_eq!(
        (html.doc.outlet.as_deref(), html.format.as_deref()),
        (Some("alaraby"), Some("html"))
    );
    assert!(!html.doc.text.contains("الرئيسية"), "navigation is not main text");
}

#[test]
fn incidents_merge_the_hajin_strike_across_outlets() {
    let (_dir, store) = loaded();
    let inc = store
        .incidents(&Filter {
            place: Some("هجين".into()),
            ..Filter::default()
        })
        .expect("incidents");
    assert_eq!(inc.len(), 1);
    let hajin = &inc[0];
    assert_eq!(hajin.claims.len(), 4);
    assert_eq!(hajin.sources, ["activists@skynews-arabia", "amaq", "sohr"]);
    assert_eq!((hajin.fatalities, hajin.fatalities_range), (Some(12), Some((12, 31))));
    let figures: Vec<(u64, Vec<String>)> = hajin
        .fatality_claims
        .iter()
        .map(|t| (t.value, t.sources.clone()))
        .collect();
    assert_eq!(
        figures,
        [
            (12, vec!["sohr".to_string()]),
            (18, vec!["activists@skynews-arabia".to_string()]),
            (31, vec!["amaq".to_string()])
        ]
    );
    assert!(hajin.date_agreed());
    // The capture of Albukamal reported on 8–10 November is one incident with its denials.
    let capture = store
        .incidents(&Filter {
            place: Some("Albukamal".into()),
            kind: Some("Government regains territory".into()),
            ..Filter::default()
        })
        .expect("incidents");
    let first = &capture[0];
    assert_eq!(
        first.sources,
        [
            "hmeimim",
            "military-sources@alarabiya",
            "sana",
            "sohr",
            "syria-army-command",
            "tasnim"
        ]
    );
    assert_eq!(first.denied_by, ["amaq", "local-sources", "local-sources@alaraby"]);
    assert_eq!(capture.len(), 2, "the recapture of 19 November is another incident");
    assert_eq!(capture[1].sources, ["sana", "sohr", "syria-army-command"]);
}

#[test]
fn contradictions_are_found_and_typed() {
    let (_dir, store) = loaded();
    let all = store.contradictions(&Filter::default()).expect("contradictions");
    let amaq_sana = all
        .iter()
        .find(|c| c.kind == ContradictionKind::Controller && c.a.source == "amaq" && c.b.source == "sana")
        .expect("SANA says the regime holds Albukamal, Amaq says ISIS does");
    assert_eq!(amaq_sana.a.claim, "isis holds (denies the capture)");
    assert_eq!(amaq_sana.b.claim, "syria-gov holds");
    assert_eq!(amaq_sana.place_id.as_deref(), Some("gn:albukamal"));
    let fatalities: Vec<(String, String, String, String)> = all
        .iter()
        .filter(|c| c.kind == ContradictionKind::Fatalities)
        .map(|c| {
            (
                c.a.source.clone(),
                c.a.claim.clone(),
                c.b.source.clone(),
                c.b.claim.clone(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        fatalities,
        [
            (s("amaq"), s("31 killed"), s("sohr"), s("12 killed")),
            (s("activists@skynews-arabia"), s("18 killed"), s("sohr"), s("12 killed")),
            (s("activists@skynews-arabia"), s("18 killed"), s("amaq"), s("31 killed")),
            (s("sana"), s("5 killed"), s("sohr"), s("15 killed")),
            // the clashes of 16 and 18 November on the edge of the city fall in one two-day window
            (s("amaq"), s("14 killed"), s("sohr"), s("8 killed")),
        ]
    );
    let existence = all.iter().filter(|c| c.kind == ContradictionKind::Existence).count();
    assert_eq!(existence, 18, "3 deniers × 6 asserting sources of the first capture");
    let only_amaq = store
        .contradictions(&Filter {
            source: Some("amaq".into()),
            contradiction: Some(ContradictionKind::Controller),
            ..Filter::default()
        })
        .expect("filtered");
    assert!(
        only_amaq
            .iter()
            .all(|c| c.kind == ContradictionKind::Controller && (c.a.source == "amaq" || c.b.source == "amaq"))
    );
    assert!(!only_amaq.is_empty());
}

#[test]
fn the_albukamal_timeline_is_exact() {
    let (_dir, store) = loaded();
    let tl = store.timeline("البوكمال", 7).expect("query").expect("timeline");
    assert_eq!(tl.place_id, "gn:albukamal");
    let lanes: Vec<(String, Vec<(String, String)>)> = tl
        .lanes
        .iter()
        .map(|l| {
            (
                l.source.clone(),
                l.claims
                    .iter()
                    .map(|c| (c.date.map(|d| d.to_string()).unwrap_or_default(), c.describe()))
                    .collect(),
            )
        })
        .collect();
    let lane = |s: &str, claims: &[(&str, &str)]| {
        (
            s.to_string(),
            claims
                .iter()
                .map(|(d, c)| (d.to_string(), c.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        lanes,
        [
            lane("afp", &[("2017-11-11", "isis holds")]),
            lane("amaq", &[("2017-11-09", "isis holds")]),
            lane("hmeimim", &[("2017-11-09", "syria-gov holds")]),
            lane("local-sources", &[("2017-11-10", "isis holds")]),
            lane("local-sources@alaraby", &[("2017-11-09", "isis holds")]),
            lane("military-sources@alarabiya", &[("2017-11-10", "syria-gov holds 50%")]),
            lane("reuters", &[("2017-11-10", "isis holds")]),
            lane(
                "sana",
                &[
                    ("2017-11-08", "syria-gov holds"),
                    ("2017-11-09", "syria-gov holds"),
                    ("2017-11-19", "syria-gov holds")
                ]
            ),
            lane(
                "sohr",
                &[
                    ("2017-11-09", "syria-gov holds"),
                    ("2017-11-10", "isis holds 40–50%"),
                    ("2017-11-19", "syria-gov holds")
                ]
            ),
            lane(
                "syria-army-command",
                &[("2017-11-09", "syria-gov holds"), ("2017-11-19", "syria-gov holds")]
            ),
            lane("tasnim", &[("2017-11-09", "syria-gov holds")]),
        ]
    );
    let steps: Vec<(String, Option<String>, bool, usize)> = tl
        .steps
        .iter()
        .map(|s| (s.date.to_string(), s.controller.clone(), s.contested, s.views.len()))
        .collect();
    let gov = Some("syria-gov".to_string());
    assert_eq!(
        steps,
        [
            ("2017-11-08".to_string(), gov.clone(), false, 1),
            ("2017-11-09".to_string(), None, true, 7),
            ("2017-11-10".to_string(), None, true, 10),
            ("2017-11-11".to_string(), None, true, 11),
            ("2017-11-19".to_string(), gov, false, 3),
        ]
    );
    // Who held Albukamal on 10 November 2017, according to whom?
    let on = tl.as_of(NaiveDate::from_ymd_opt(2017, 11, 10).expect("date"), 7);
    let views: Vec<(String, String)> = on.views.iter().map(|v| (v.source.clone(), v.describe())).collect();
    assert!(views.contains(&("amaq".to_string(), "isis holds".to_string())));
    assert!(views.contains(&("sana".to_string(), "syria-gov holds".to_string())));
    assert!(views.contains(&("sohr".to_string(), "isis holds 40–50%".to_string())));
    assert!(on.contested);
}

#[test]
fn acled_csv_round_trips_with_the_documented_columns() {
    let (_dir, store) = loaded();
    let mut buf = Vec::new();
    let n = store.export_acled_csv(&Filter::default(), &mut buf).expect("export");
    let mut r = csv::Reader::from_reader(buf.as_slice());
    let header: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(header[..header.len() - 2], *rasd_store::export::ACLED_COLUMNS);
    assert_eq!(header[header.len() - 2], rasd_store::export::ADMIN1_CODE_COLUMN);
    assert_eq!(
        header.last().map(String::as_str),
        Some(rasd_store::export::CORRECTION_COLUMN)
    );
    for col in [
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "inter1",
        "iso",
        "admin1",
        "latitude",
        "geo_precision",
        "source",
        "notes",
        "fatalities",
    ] {
        assert!(header.iter().any(|h| h == col), "{col}");
    }
    let rows: Vec<HashMap<String, String>> = r.deserialize().collect::<Result<_, _>>().expect("every row parses");
    assert_eq!(rows.len() as u64, n);
    let hajin = rows.iter().find(|r| r["location"] == "Hajin").expect("Hajin row");
    assert_eq!(hajin["event_date"], "2017-11-12");
    assert_eq!(hajin["fatalities"], "12");
    assert_eq!(hajin["iso"], "760");
    assert_eq!(hajin["country"], "Syria");
    assert_eq!(hajin["sub_event_type"], "Air/drone strike");
    assert_eq!(hajin["actor1"], "Military Forces of Russia");
    assert_eq!(hajin["inter1"], "1");
    assert_eq!(hajin["civilian_targeting"], "Civilian targeting");
    assert!(hajin["event_id_cnty"].starts_with("SYR"));
    assert!(hajin["notes"].contains("[amaq; amaq-2017-11-12-hajin-strikes]"));
    assert!(hajin["notes"].ends_with("fatalities 12-31 across sources"));
    let geo = {
        let mut b = Vec::new();
        store.export_geojson(&Filter::default(), &mut b).expect("geojson");
        serde_json::from_slice::<serde_json::Value>(&b).expect("valid JSON")
    };
    let features = geo["features"].as_array().expect("features");
    assert!(
        features
            .iter()
            .any(|f| f["properties"]["kind"] == "control" && f["properties"]["place_id"] == "gn:albukamal")
    );
}

#[test]
fn corrections_flow_into_every_export_and_into_training() {
    use rasd_store::export::ExportOptions;
    use rasd_store::serve_queries::NewCorrection;
    let (_dir, mut store) = loaded();
    assert!(store.corrections_for_training().expect("none yet").is_empty());
    let incidents = store.incidents(&Filter::default()).expect("incidents");
    let single = incidents
        .iter()
        .find(|i| i.claims.len() == 1 && i.location.is_some() && i.is_reported())
        .expect("a located incident of one claim");
    let multi = incidents
        .iter()
        .find(|i| i.claims.len() > 1)
        .expect("an incident of several claims");
    let (wrong_id, fixed_id) = (single.claims[0].event_id.clone(), multi.claims[0].event_id.clone());
    let wrong = NewCorrection {
        field: None,
        value: None,
        wrong: true,
        note: Some("a commemoration, not an attack".into()),
        author: None,
    };
    let fixed = NewCorrection {
        field: Some("fatalities".into()),
        value: Some(serde_json::json!(3)),
        wrong: false,
        note: None,
        author: Some("analyst".into()),
    };
    store
        .add_correction(&wrong_id, &wrong)
        .expect("add")
        .expect("known event");
    store
        .add_correction(&fixed_id, &fixed)
        .expect("add")
        .expect("known event");

    // JSONL: the corrections ride on their events; --exclude-corrected drops the one marked wrong.
    let jsonl = |opts: ExportOptions| {
        let mut b = Vec::new();
        let n = store
            .export_jsonl_with(&Filter::default(), opts, &mut b)
            .expect("jsonl");
        let lines: Vec<serde_json::Value> = String::from_utf8(b)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len() as u64, n);
        lines
    };
    let all = jsonl(ExportOptions::default());
    let line = |id: &str| all.iter().find(|l| l["id"] == id).expect("exported").clone();
    assert_eq!(line(&wrong_id)["corrections"][0]["wrong"], true);
    assert_eq!(line(&fixed_id)["corrections"][0]["field"], "fatalities");
    assert_eq!(line(&fixed_id)["corrections"][0]["value"], 3);
    assert!(all.iter().filter(|l| l.get("corrections").is_some()).count() == 2 || wrong_id == fixed_id);
    let kept = jsonl(ExportOptions {
        exclude_corrected: true,
    });
    assert_eq!(kept.len(), all.len() - 1);
    assert!(kept.iter().all(|l| l["id"] != wrong_id.as_str()));

    // CSV: the latest verdict in the `correction` column; the incident of the wrong event is left out.
    let csv_rows = |opts: ExportOptions| {
        let mut b = Vec::new();
        store
            .export_acled_csv_with(&Filter::default(), opts, &mut b)
            .expect("csv");
        let mut r = csv::Reader::from_reader(b.as_slice());
        r.deserialize::<HashMap<String, String>>()
            .collect::<Result<Vec<_>, _>>()
            .expect("rows")
    };
    let rows = csv_rows(ExportOptions::default());
    let verdicts: Vec<&str> = rows
        .iter()
        .map(|r| r["correction"].as_str())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(verdicts.contains(&format!("wrong: a commemoration, not an attack [event {wrong_id}]").as_str()));
    assert!(
        verdicts.contains(&format!("fatalities=3 [event {fixed_id}]").as_str()),
        "{verdicts:?}"
    );
    let kept = csv_rows(ExportOptions {
        exclude_corrected: true,
    });
    assert_eq!(kept.len(), rows.len() - 1);
    assert!(kept.iter().all(|r| !r["correction"].starts_with("wrong")));

    // GeoJSON: the incident features carry their claims' corrections.
    let geo = |opts: ExportOptions| {
        let mut b = Vec::new();
        store
            .export_geojson_with(&Filter::default(), opts, &mut b)
            .expect("geojson");
        serde_json::from_slice::<serde_json::Value>(&b).expect("valid JSON")["features"]
            .as_array()
            .expect("features")
            .clone()
    };
    let features = geo(ExportOptions::default());
    let feature = |fs: &[serde_json::Value], id: &str| fs.iter().find(|f| f["properties"]["id"] == id).cloned();
    let f = feature(&features, &single.id).expect("the incident");
    assert_eq!(f["properties"]["corrections"][0]["event_id"], wrong_id.as_str());
    assert!(
        feature(
            &geo(ExportOptions {
                exclude_corrected: true
            }),
            &single.id
        )
        .is_none()
    );

    // Training: each correction with its document's text and the trigger's span in it.
    let training = store.corrections_for_training().expect("training");
    assert_eq!(training.len(), 2);
    assert!(training[0].wrong && !training[1].wrong);
    assert_eq!(training[0].event_id, wrong_id);
    let ev = store.event(&wrong_id).expect("read").expect("stored").event;
    assert_eq!(training[0].doc_id, ev.doc_id);
    let t = &training[0];
    assert!(t.trigger_start < t.trigger_end && t.trigger_end <= t.text.len());
    let trigger = ev.field_evidence.get("trigger").unwrap_or(&ev.evidence);
    assert_eq!(&t.text[t.trigger_start..t.trigger_end], trigger.text);
}

#[test]
fn map_points_are_bounded_to_the_latest() {
    let (_dir, store) = loaded();
    let all = store.map_points().expect("points");
    assert!(all.len() > 5);
    let (latest, truncated) = store.map_points_latest(5).expect("latest");
    assert!(truncated);
    assert_eq!(latest[..], all[all.len() - 5..]);
    let (every, truncated) = store.map_points_latest(all.len()).expect("all");
    assert!(!truncated);
    assert_eq!(every, all);
}

#[test]
fn queries_filter_by_place_area_actor_type_date_and_source() {
    let (_dir, store) = loaded();
    let count = |f: Filter| store.events(&f).expect("events").len();
    assert_eq!(count(Filter::default()), 31);
    assert_eq!(
        count(Filter {
            place: Some("Albukamal".into()),
            ..Filter::default()
        }),
        22
    );
    assert_eq!(
        count(Filter {
            place: Some("gn:albukamal".into()),
            ..Filter::default()
        }),
        22
    );
    assert_eq!(
        count(Filter {
            near: Some((34.45, 40.92, 5.0)),
            ..Filter::default()
        }),
        22
    );
    assert_eq!(
        count(Filter {
            near: Some((34.45, 40.92, 40.0)),
            ..Filter::default()
        }),
        26,
        "Hajin is 28 km away"
    );
    assert_eq!(
        count(Filter {
            admin1: Some("Hasakah".into()),
            ..Filter::default()
        }),
        2
    );
    assert_eq!(
        count(Filter {
            actor: Some("russia".into()),
            ..Filter::default()
        }),
        2
    );
    assert_eq!(
        count(Filter {
            kind: Some("Explosions/Remote violence".into()),
            ..Filter::default()
        }),
        8
    );
    let since = NaiveDate::from_ymd_opt(2017, 11, 16);
    assert_eq!(
        count(Filter {
            since,
            ..Filter::default()
        }),
        6
    );
    assert_eq!(
        count(Filter {
            source: Some("sohr".into()),
            ..Filter::default()
        }),
        8
    );
    assert_eq!(
        count(Filter {
            place: Some("Atlantis".into()),
            ..Filter::default()
        }),
        0
    );
    let sources = store.sources().expect("sources");
    let amaq = sources.iter().find(|s| s.source == "amaq").expect("amaq lane");
    assert_eq!(amaq.events, 5);
    assert!(amaq.contradicted > 0 && amaq.contradicted_by.contains_key("sohr"));
}
