//! Behaviour of the whole chain on sentences written in the style of real reports, with the fixture resources.

use crate::testkit::Fixture;
use crate::{Extractor, Options};
use chrono::NaiveDate;
use rasd_core::{Doc, Event, Stance, SubEventType};
use std::sync::Arc;

/// The rule stages alone (candidates and arguments); the learned scorer has its own tests below.
/// A report of the test outlet, published 2017-11-10.
fn report(text: &str) -> Doc {
    Doc {
        id: "t1".into(),
        outlet: Some("alaraby".into()),
        published: NaiveDate::from_ymd_opt(2017, 11, 10),
        text: text.into(),
        ..Doc::default()
    }
}

fn extractor() -> Extractor {
    Extractor::with_resources(Arc::new(Fixture))
        .expect("rules compile")
        .with_scorer(None)
}

fn scored(text: &str) -> Vec<Event> {
    let doc = report(text);
    let x = Extractor::with_resources(Arc::new(Fixture)).expect("rules compile");
    assert!(x.scorer().is_some(), "the embedded model loads");
    x.extract(&doc, &Options::default())
}

#[test]
fn the_scorer_keeps_news_and_drops_what_is_not() {
    // A new, specific strike with its toll, place and date is kept, with a high confidence.
    let news = scored("قتل خمسة مدنيين في غارة جوية شنتها طائرات التحالف على قرية قرب البوكمال أمس الخميس.");
    assert!(!news.is_empty(), "{news:#?}");
    assert!(news.iter().all(|e| e.confidence >= 0.5), "{news:#?}");
    // A condemnation that only refers to an attack, and a threat, give no asserted record.
    for text in [
        "وأدانت وزارة الخارجية بشدة الهجوم الإرهابي الذي استهدف مسجداً في البوكمال.",
        "وهدد التنظيم بشن هجمات جديدة على مواقع قسد في الرقة إذا استمرت العمليات.",
    ] {
        let ev = scored(text);
        assert!(
            ev.iter().all(|e| e.stance != Stance::Asserted || e.background),
            "{text}: {ev:#?}"
        );
    }
}

#[test]
fn confidence_comes_from_the_scorer_and_the_threshold_filters() {
    let text = "قتل خمسة مدنيين في غارة جوية شنتها طائرات التحالف على قرية قرب البوكمال أمس الخميس.";
    let doc = Doc {
        id: "t1".into(),
        published: NaiveDate::from_ymd_opt(2017, 11, 10),
        text: text.into(),
        ..Doc::default()
    };
    let x = Extractor::with_resources(Arc::new(Fixture)).expect("rules compile");
    let all = x.extract(
        &doc,
        &Options {
            min_confidence: Some(0.0),
            ..Options::default()
        },
    );
    let none = x.extract(
        &doc,
        &Options {
            min_confidence: Some(1.0),
            ..Options::default()
        },
    );
    assert!(!all.is_empty());
    assert!(none.iter().all(|e| e.confidence >= 1.0));
    let rows = x.worker().training_rows(&doc, &Options::default());
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(r.clause.0 <= r.trigger.0 && r.trigger.1 <= r.clause.1.max(r.trigger.1));
        assert!(!r.features.idx.is_empty());
        assert!(r.features.idx.windows(2).all(|w| w[0] < w[1]), "sorted, deduplicated");
    }
}

fn run_with(text: &str, opts: Options) -> Vec<Event> {
    let doc = report(text);
    let events = extractor().extract(&doc, &opts);
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "event ids are unique within a document");
    for e in &events {
        assert_eq!(&text[e.evidence.start..e.evidence.end], e.evidence.text);
        for (k, ev) in &e.field_evidence {
            assert_eq!(&text[ev.start..ev.end], ev.text, "field {k}");
        }
    }
    events
}

fn run(text: &str) -> Vec<Event> {
    run_with(text, Options::default())
}

fn ids(e: &Event) -> (Option<&str>, Option<&str>) {
    (
        e.actor1.as_ref().map(|a| a.id.as_str()),
        e.actor2.as_ref().map(|a| a.id.as_str()),
    )
}

#[test]
fn government_regains_territory_with_attribution_and_date() {
    let ev = run("وأعلنت وكالة سانا أمس أن قوات النظام سيطرت على مدينة البوكمال بعد معارك مع داعش.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0];
    assert_eq!(e.sub_event_type, SubEventType::GovernmentRegainsTerritory);
    assert_eq!(ids(e), (Some("syria-gov"), Some("isis")));
    assert_eq!(e.location.as_ref().map(|l| l.id.as_str()), Some("albukamal"));
    assert_eq!(e.event_date, NaiveDate::from_ymd_opt(2017, 11, 9));
    let src: Vec<&str> = e.reported_by.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(src, vec!["sana", "alaraby"]);
    assert_eq!(e.stance, Stance::Asserted);
}

#[test]
fn non_state_actor_takes_what_another_loses() {
    let ev = run("خسر تنظيم داعش بلدة في ريف الرقة لصالح قسد.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].sub_event_type, SubEventType::NonStateActorOvertakesTerritory);
    assert_eq!(ids(&ev[0]), (Some("sdf"), Some("isis")));
    assert_eq!(ev[0].location.as_ref().map(|l| l.geo_precision), Some(2));
}

#[test]
fn nested_frames_are_listed_nearest_first() {
    let ev = run("ذكرت مصادر محلية أن المرصد السوري لحقوق الإنسان أعلن أن قوات النظام قصفت الرقة بقذائف الهاون.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let src: Vec<&str> = ev[0].reported_by.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(src, vec!["sohr", "local-sources", "alaraby"]);
    assert_eq!(ev[0].sub_event_type, SubEventType::ShellingArtilleryMissile);
}

#[test]
fn a_denial_next_to_an_assertion_is_its_own_record() {
    let ev = run("وسط تأكيد النظام سيطرة قواته على البوكمال ونفي داعش الذي يؤكد أن المدينة لا تزال بحوزته.");
    let stances: Vec<Stance> = ev.iter().map(|e| e.stance).collect();
    assert!(stances.contains(&Stance::Denied), "{ev:#?}");
    let denied = ev.iter().find(|e| e.stance == Stance::Denied).expect("denied");
    assert_eq!(denied.reported_by[0].id, "amaq");
}

#[test]
fn fatalities_conservative_and_cumulative() {
    let ev = run("قتل سبعة أشخاص بينهم امرأة وطفل في غارة جوية على تعز.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].sub_event_type, SubEventType::AirDroneStrike);
    assert_eq!(ev[0].fatalities.as_ref().and_then(|f| f.value), Some(7));
    assert_eq!(ev[0].actor2.as_ref().map(|a| a.id.as_str()), Some("civilians"));

    let ev = run("وأكدت قسد مقتل عدد كبير من عناصر داعش في الاشتباكات قرب البوكمال.");
    let f = ev[0].fatalities.as_ref().expect("a toll with no number");
    assert_eq!(f.value, None);

    let ev = run("وارتفع عدد قتلى التنظيم إلى 1168 منذ بدء المعارك مع قسد في دير الزور.");
    let f = ev
        .iter()
        .find_map(|e| e.fatalities.as_ref())
        .expect("a cumulative toll");
    assert!(f.cumulative);
    assert_eq!(f.value, None);
    assert_eq!(f.min, Some(1168));
}

#[test]
fn territory_share() {
    let ev = run("استعادت قوات النظام أكثر من 40 في المئة من مدينة الرقة.");
    let s = ev[0].territory_share.expect("share");
    assert_eq!((s.min, s.max), (Some(40.0), None));
    let ev = run("استعاد الجيش السوري نحو 50 في المئة من الرقة.");
    assert_eq!(ev[0].territory_share.and_then(|s| s.min), Some(50.0));
}

#[test]
fn stance_expected_hedged_and_questions() {
    let ev = run("ومن المرجح أن تسيطر قوات النظام على الرقة خلال الأيام المقبلة بعد معارك مع داعش.");
    assert!(ev.iter().all(|e| e.stance == Stance::Expected), "{ev:#?}");
    let ev = run("وأعلنت ما تسمى القيادة أن قوات النظام سيطرت على البوكمال.");
    assert_eq!(ev[0].stance, Stance::Hedged, "{ev:#?}");
    assert!(run("هل سيطرت قسد على الرقة؟").is_empty());
}

#[test]
fn background_and_metaphors() {
    let ev = run("وكان التنظيم قد سيطر على الرقة عام 2014.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert!(ev[0].background);
    assert_eq!(ev[0].event_date, NaiveDate::from_ymd_opt(2014, 1, 1));
    let dropped = run_with(
        "وكان التنظيم قد سيطر على الرقة عام 2014.",
        Options {
            drop_background: true,
            ..Options::default()
        },
    );
    assert!(dropped.is_empty());
    assert!(run("وشن الوزير هجوما على الحريات في خطابه.").is_empty());
    assert!(run("تراجعت الأسعار في المناطق التي تحت سيطرة قوات النظام.").is_empty());
}

#[test]
fn several_acts_in_one_sentence_and_carried_place() {
    let text = "اندلعت اشتباكات عنيفة في البوكمال. وشنت طائرات التحالف الدولي غارات على مواقع داعش، فيما اعتقلت قسد عشرة من عناصره.";
    let ev = run(text);
    let types: Vec<SubEventType> = ev.iter().map(|e| e.sub_event_type).collect();
    assert_eq!(
        types,
        vec![
            SubEventType::ArmedClash,
            SubEventType::AirDroneStrike,
            SubEventType::Arrests
        ],
        "{ev:#?}"
    );
    assert!(ev[1].location.as_ref().is_some_and(|l| l.carried));
    assert_eq!(ev[1].actor1.as_ref().map(|a| a.id.as_str()), Some("us-coalition"));
}

#[test]
fn ids_are_stable_and_sentences_mode_resets_context() {
    let text = "اندلعت اشتباكات في البوكمال.\nواعتقلت قسد عشرة من عناصر داعش.";
    let a = run(text);
    let b = run(text);
    assert_eq!(
        a.iter().map(|e| &e.id).collect::<Vec<_>>(),
        b.iter().map(|e| &e.id).collect::<Vec<_>>()
    );
    let s = run_with(
        text,
        Options {
            sentences: true,
            ..Options::default()
        },
    );
    assert!(s[1].location.is_none(), "{s:#?}");
    assert!(a[1].location.as_ref().is_some_and(|l| l.carried));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "سيطرت ",
        "قوات النظام ",
        "على ",
        "البوكمال",
        "، ",
        "بحسب ",
        "المرصد",
        " أمس ",
        "قتل ",
        "سبعة ",
        "مدنيين ",
        "غارة ",
        "\u{064E}",
        "\u{200F}",
        "ـ",
        "؟",
        ".",
        "\n",
        "\"",
        "وكان ",
        "قد ",
        "نفت ",
        "وكالة أعماق ",
        "40 ",
        "في المئة ",
        "a",
        "é",
        "😀",
        "٣",
        "لـ",
        "بـ",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// No input panics, and every evidence span slices the original text exactly.
        #[test]
        fn spans_always_slice_the_original(parts in proptest::collection::vec(0..PIECES.len(), 0..60), lines in any::<bool>()) {
            let text: String = parts.iter().map(|&i| PIECES[i]).collect();
            let opts = Options { sentences: lines, ..Options::default() };
            let _ = run_with(&text, opts);
        }
    }
}

#[test]
fn a_possessive_after_the_target_names_its_owner_not_the_attacker() {
    let ev = run("وشن الجيش السوداني أمس غارات على تجمعات لقوات الدعم السريع في الفاشر.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].sub_event_type, SubEventType::AirDroneStrike);
    assert_eq!(ids(&ev[0]), (Some("saf"), Some("rsf")));
}

#[test]
fn a_nisba_after_a_military_noun_names_the_actor() {
    let ev = run("شنت طائرات روسية أمس غارات على مواقع داعش في البوكمال.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ids(&ev[0]), (Some("russia"), Some("isis")));
}

#[test]
fn generic_security_forces_take_the_country_of_the_report() {
    let ev = run("واعتقلت قوات الأمن أمس عشرة شبان في الرقة.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].sub_event_type, SubEventType::Arrests);
    assert_eq!(ids(&ev[0]).0, Some("syria-police"));
}

#[test]
fn the_latter_is_the_actor_named_last() {
    let ev = run("هاجم داعش أمس مواقع قسد قرب الرقة، وسيطر الأخير على قرية في ريف الرقة.");
    let taken: Vec<&Event> = ev
        .iter()
        .filter(|e| e.sub_event_type == SubEventType::NonStateActorOvertakesTerritory)
        .collect();
    assert_eq!(taken.len(), 1, "{ev:#?}");
    assert_eq!(ids(taken[0]).0, Some("sdf"));
    assert!(taken[0].actor1.as_ref().is_some_and(|a| a.coreference));
}

#[test]
fn a_restatement_with_no_new_source_is_one_record() {
    let ev = run("سيطرت قوات النظام أمس على البوكمال. وأعلنت وكالة سانا أن قوات النظام سيطرت أمس على البوكمال.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let src: Vec<&str> = ev[0].reported_by.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(src, vec!["sana", "alaraby"]);
}

#[test]
fn a_claim_of_responsibility_is_no_second_event() {
    let ev = run("قتل عشرة مدنيين بتفجير انتحاري في الرقة أمس. وتبنى داعش الهجوم.");
    assert!(!ev.is_empty(), "{ev:#?}");
    assert!(
        ev.iter().all(|e| e.sub_event_type == SubEventType::SuicideBomb),
        "{ev:#?}"
    );
}

#[test]
fn killing_an_officer_is_an_armed_clash() {
    let ev = run("اغتال مسلحون مجهولون أمس ضابطا في قوات النظام في الرقة.");
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].sub_event_type, SubEventType::ArmedClash);
    assert_eq!(ids(&ev[0]).0, Some("unidentified-armed-group"));
}

/// Issue 5 (sample reading): a unit noun after the verb heads the subject, also as a partitive ("وحدات من").
#[test]
fn issue5_unit_noun_after_the_verb_is_the_subject() {
    for text in [
        "دخلت وحدات من الجيش السوري مدينة البوكمال بعد أن كسرت خطوط دفاع داعش.",
        "دخلت وحدات الجيش السوري مدينة البوكمال.",
        "سيطرت عناصر من قسد على الرقة.",
    ] {
        let events = run(text);
        let first = events.first().unwrap_or_else(|| panic!("an event in {text}"));
        assert!(
            matches!(
                first.sub_event_type,
                SubEventType::GovernmentRegainsTerritory | SubEventType::NonStateActorOvertakesTerritory
            ),
            "{text}: {:?}",
            first.sub_event_type
        );
        let want = if text.contains("قسد") { "sdf" } else { "syria-gov" };
        assert_eq!(ids(first).0, Some(want), "{text}");
    }
}

#[test]
fn the_record_stage_sees_the_first_record_and_a_second_of_the_same_type_and_place() {
    let x = extractor();
    let events = x.extract(
        &report("قتل خمسة مدنيين في غارة جوية على البوكمال أمس الخميس."),
        &Options::default(),
    );
    let strike = events.first().expect("a record").clone();
    assert!(strike.location.is_some(), "{strike:#?}");
    // The same strike told again, and one on another place.
    let again = strike.clone();
    let mut elsewhere = strike.clone();
    if let Some(l) = elsewhere.location.as_mut() {
        l.id = "elsewhere".into();
    }
    let col = |name: &str| {
        crate::scorer::RECORD_FEATURES
            .iter()
            .position(|f| *f == name)
            .expect("a record feature")
    };
    let xs = crate::scorer::record_matrix(&[strike, elsewhere, again], None);
    let first: Vec<f64> = xs.iter().map(|r| r[col("first_record")]).collect();
    let repeat: Vec<f64> = xs.iter().map(|r| r[col("same_type_place_before")]).collect();
    assert_eq!(first, [1.0, 0.0, 0.0]);
    assert_eq!(repeat, [0.0, 0.0, 1.0]);
    // The copy at another place shares the strike's evidence: both are places of one list; the restatement alone
    // (same place) is none.
    let listed: Vec<f64> = xs.iter().map(|r| r[col("listed")]).collect();
    assert_eq!(listed, [1.0, 1.0, 1.0]);
    let alone = crate::scorer::record_matrix(&xs_events_alone(), None);
    assert_eq!(alone[0][col("listed")], 0.0);
}

fn xs_events_alone() -> Vec<rasd_core::Event> {
    let x = extractor();
    x.extract(
        &report("قتل خمسة مدنيين في غارة جوية على البوكمال أمس الخميس."),
        &Options::default(),
    )
}

#[test]
fn countries_from_the_lexicon_table_are_places_only_with_a_point() {
    // The table's parser and its errors are tested in rasd-lexicon (tests/fixture.rs).
    use crate::Resources;
    let res = crate::LexiconResources::embedded().expect("embedded lexicon");
    let table = res.countries();
    assert!(table.iter().any(|c| c.iso2 == "PS" && c.point.is_none()));
    let countries = crate::place::Countries::new(&table);
    let placed = countries.iso2s();
    assert!(placed.contains(&"SY") && placed.contains(&"ML"), "{placed:?}");
    assert!(!placed.contains(&"PS"), "{placed:?}");
}
